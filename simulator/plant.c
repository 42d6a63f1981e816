/* plant: the simulated stills, their register images and faults. See plant.h. */
#include "plant.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clk.h"
#include "regmap.h"

#define PLANT_IMAGE_MAX 65536      /* registers addressable by Modbus */
#define PLANT_SLICE_MIN_NS 10000000 /* the thread wakes at most every 10 ms */
/* wall seconds of lag it makes up, in one burst: two wakes. More runs
 * the plant for process time no controller sees (1 s at 300x was 5 min:
 * the distillate ran to its high-high trip in cool-down) */
#define PLANT_CATCHUP_S 0.02
#define PLANT_CTL_RO_FIRST 80      /* block offsets from here are read-only */
#define PLANT_STEAM_SHUT_PCT 0.5   /* below this the steam valve is shut */

struct plant_still {
	struct model_still m;
	int feed;                   /* index into feeds of the charge, -1 none */
	double charge_kg;           /* mass of the last charge loaded */
	double moisture_pct;        /* its moisture, < 0 = the feed's default */
	unsigned charges;           /* charges loaded since start */
	int load_error;             /* PLANT_CTL_LOAD_ERROR's value */
	double steam_cmd_pct;       /* the controller's writes, decoded */
	double cooling_cmd_pct;
	uint16_t heartbeat;
	int auto_reload_min;        /* 0 = no automatic reload */
	int watchdog_off;           /* the field watchdog is disabled */
	double shut_s;              /* oil made and steam shut this long, s */
	struct plant_comm comm;
	uint16_t *input;            /* register images, n_input / n_holding */
	uint16_t *holding;
};

struct plant {
	pthread_mutex_t lock;       /* guards everything below but the thread */
	struct cfg_plant cfg;
	struct model_feed feeds[PLANT_FEEDS_MAX];
	int n_feeds;
	struct plant_still *st;
	int n;
	int n_input;                /* image sizes, the same for every still */
	int n_holding;
	uint16_t *ctl;              /* the control unit's holding registers */
	int n_ctl;
	uint64_t steps;             /* steps taken: simulated time = steps * dt */
	struct plant_event *ev;     /* the timeline, ordered by at_s */
	int n_ev;
	int next_ev;                /* first event not yet applied */
	double speed;               /* of the running thread, 0 when none */
	pthread_t thread;
	int thread_running;
	atomic_int stop;            /* asks the thread to return */
	atomic_uint_fast64_t skipped; /* steps skipped by a lagging thread */
	FILE *batch_log;            /* plant_set_batch_log's, NULL: none */
};

/* The image a tag's register lives in. */
static uint16_t *plant_image(struct plant_still *s, const struct cfg_reg *r)
{
	return r->type == CFG_REG_INPUT ? s->input : s->holding;
}

/* Writes tag's value into its image through the register map. */
static void plant_put_tag(struct plant *pl, struct plant_still *s, int tag, double value)
{
	const struct cfg_reg *r = &pl->cfg.map[tag];
	uint16_t w[2];
	uint16_t *img = plant_image(s, r);

	regmap_encode(r, value, w);
	for (int k = 0; k < r->words; k++)
		img[r->address + k] = w[k];
}

/* Reads tag's value from its image through the register map. */
static double plant_get_tag(struct plant *pl, struct plant_still *s, int tag)
{
	const struct cfg_reg *r = &pl->cfg.map[tag];
	double v = 0;

	regmap_decode(r, plant_image(s, r) + r->address, &v);
	return v;
}

static uint16_t *plant_block(struct plant *pl, int i)
{
	return pl->ctl + PLANT_CTL_BLOCK * (i + 1);
}

/* Logs the oil still i's present charge made (its receiver); lock held. */
static void plant_log_oil(struct plant *pl, int i)
{
	struct plant_still *s = &pl->st[i];

	if (pl->batch_log == NULL || s->charges == 0)
		return;
	fprintf(pl->batch_log, "oil\t%s\t%u\t%.1f\t%.1f\n", pl->cfg.stills[i].name,
	        s->charges, s->m.t_s, s->m.oil_receiver_g);
	fflush(pl->batch_log);
}

/* Logs the charge still i has just loaded; lock held. */
static void plant_log_charge(struct plant *pl, int i)
{
	struct plant_still *s = &pl->st[i];

	if (pl->batch_log == NULL)
		return;
	fprintf(pl->batch_log, "charge\t%s\t%u\t%.1f\t%s\t%.1f\n", pl->cfg.stills[i].name,
	        s->charges, s->m.t_s, pl->feeds[s->feed].name, s->charge_kg);
	fflush(pl->batch_log);
}

/* Loads a charge; lock held. Returns 0 or a PLANT_CTL_LOAD_ERROR code. */
static int plant_load(struct plant *pl, int i, int feed, double mass_kg, double moisture_pct)
{
	struct plant_still *s = &pl->st[i];

	if (feed < 0 || feed >= pl->n_feeds)
		return 1;
	if (!(mass_kg > 0 && mass_kg <= 65535))
		return 2;
	if (!(moisture_pct < 100))
		return 3;
	plant_log_oil(pl, i);
	model_charge(&s->m, &pl->feeds[feed], mass_kg, moisture_pct);
	s->feed = feed;
	s->charge_kg = mass_kg;
	s->moisture_pct = moisture_pct;
	s->charges++;
	s->shut_s = 0;
	plant_log_charge(pl, i);
	return 0;
}

/* Clears the fault registers of a still's control block b (not its charge
 * settings). */
static void plant_ctl_clear(uint16_t *b)
{
	for (int k = PLANT_CTL_STEAM_VALVE_STUCK; k <= PLANT_CTL_WATCHDOG_OFF; k++)
		b[k] = 0;
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		b[PLANT_CTL_SENSOR_STUCK + t] = 0;
		b[PLANT_CTL_SENSOR_BROKEN + t] = 0;
		b[PLANT_CTL_SENSOR_DRIFT + t] = 0;
	}
}

/*
 * Makes still i's model and wire faults what its control block says, and
 * carries out its one-shot commands (clear, load). Lock held.
 */
static void plant_ctl_apply(struct plant *pl, int i)
{
	struct plant_still *s = &pl->st[i];
	struct model_faults *f = &s->m.faults;
	uint16_t *b = plant_block(pl, i);

	if (b[PLANT_CTL_CLEAR] != 0 || pl->ctl[PLANT_G_CLEAR_ALL] != 0) {
		plant_ctl_clear(b);
		b[PLANT_CTL_CLEAR] = 0;
	}
	if (b[PLANT_CTL_LOAD_FEED] != 0) {
		double kg = b[PLANT_CTL_LOAD_KG] ? b[PLANT_CTL_LOAD_KG] : s->charge_kg;
		double moist = b[PLANT_CTL_LOAD_MOISTURE] ? b[PLANT_CTL_LOAD_MOISTURE] / 10.0 : -1;

		s->load_error = plant_load(pl, i, b[PLANT_CTL_LOAD_FEED] - 1, kg, moist);
		b[PLANT_CTL_LOAD_FEED] = 0;
	}
	f->steam_valve_stuck = b[PLANT_CTL_STEAM_VALVE_STUCK] != 0;
	f->cooling_valve_stuck = b[PLANT_CTL_COOLING_VALVE_STUCK] != 0;
	f->line_blocked = b[PLANT_CTL_LINE_BLOCKED] != 0;
	f->cooling_lost = b[PLANT_CTL_COOLING_LOST] != 0;
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		f->sensor_stuck[t] = b[PLANT_CTL_SENSOR_STUCK + t] != 0;
		f->sensor_broken[t] = b[PLANT_CTL_SENSOR_BROKEN + t] != 0;
		f->sensor_drift_per_min[t] = (int16_t)b[PLANT_CTL_SENSOR_DRIFT + t] * 0.01;
	}
	s->comm.delay_ms = b[PLANT_CTL_REPLY_DELAY_MS];
	s->comm.exception = b[PLANT_CTL_EXCEPTION];
	s->comm.drop = b[PLANT_CTL_DROP] != 0;
	s->comm.silent = b[PLANT_CTL_SILENT] != 0;
	s->watchdog_off = b[PLANT_CTL_WATCHDOG_OFF] != 0;
	s->auto_reload_min = b[PLANT_CTL_AUTO_RELOAD_MIN];
}

/* Takes still i's holding image as the controller's writes. Lock held. */
static void plant_outputs_apply(struct plant *pl, int i)
{
	struct plant_still *s = &pl->st[i];

	s->steam_cmd_pct = plant_get_tag(pl, s, CFG_TAG_STEAM_CMD);
	s->cooling_cmd_pct = plant_get_tag(pl, s, CFG_TAG_COOLING_CMD);
	s->heartbeat = (uint16_t)(int64_t)plant_get_tag(pl, s, CFG_TAG_HEARTBEAT);
}

/* Applies every control register, then the plant-wide one-shots. Lock held. */
static void plant_ctl_apply_all(struct plant *pl)
{
	for (int i = 0; i < pl->n; i++)
		plant_ctl_apply(pl, i);
	pl->ctl[PLANT_G_CLEAR_ALL] = 0;
}

/* Publishes the models' readings and the read-only control registers. */
static void plant_publish(struct plant *pl)
{
	uint32_t t_s = (uint32_t)(pl->steps * PLANT_DT_S);

	for (int i = 0; i < pl->n; i++) {
		struct plant_still *s = &pl->st[i];
		uint16_t *b = plant_block(pl, i);
		struct model_io io;

		model_read(&s->m, &io);
		io.value[CFG_TAG_STATUS] = io.status;
		for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++)
			plant_put_tag(pl, s, t, io.value[t]);
		b[PLANT_CTL_FEED] = (uint16_t)(s->feed + 1);
		b[PLANT_CTL_CHARGES] = (uint16_t)s->charges;
		b[PLANT_CTL_LOAD_ERROR] = (uint16_t)s->load_error;
		b[PLANT_CTL_CHARGE_KG] = (uint16_t)lround(s->charge_kg);
	}
	pl->ctl[PLANT_G_TIME_HI] = (uint16_t)(t_s >> 16);
	pl->ctl[PLANT_G_TIME_LO] = (uint16_t)(t_s & 0xffffu);
	pl->ctl[PLANT_G_SPEED] = (uint16_t)fmin(65535, lround(pl->speed));
	pl->ctl[PLANT_G_STILLS] = (uint16_t)pl->n;
	pl->ctl[PLANT_G_FEEDS] = (uint16_t)pl->n_feeds;
}

/* Carries out one event on still i. Lock held. */
static void plant_event_apply(struct plant *pl, const struct plant_event *e, int i)
{
	if (e->kind == PLANT_EV_CTL) {
		plant_block(pl, i)[e->index] = (uint16_t)(int32_t)lround(e->value);
		plant_ctl_apply(pl, i);
	} else {
		plant_put_tag(pl, &pl->st[i], e->index, e->value);
		plant_outputs_apply(pl, i);
	}
}

/* Carries out the events due at the current time. Lock held. */
static void plant_events_due(struct plant *pl)
{
	double now_s = pl->steps * PLANT_DT_S;

	while (pl->next_ev < pl->n_ev && pl->ev[pl->next_ev].at_s <= now_s + 1e-9) {
		const struct plant_event *e = &pl->ev[pl->next_ev++];

		for (int i = 0; i < pl->n; i++)
			if (e->still < 0 || e->still == i)
				plant_event_apply(pl, e, i);
	}
}

/* The automatic reload: once oil was made and the steam valve has stayed
 * shut for auto_reload_min, the same charge again. Lock held. */
static void plant_auto_reload(struct plant *pl, int i)
{
	struct plant_still *s = &pl->st[i];

	if (s->auto_reload_min <= 0 || s->feed < 0 || s->m.oil_receiver_g <= 0 ||
	    s->m.steam_pos_pct >= PLANT_STEAM_SHUT_PCT) {
		s->shut_s = 0;
		return;
	}
	s->shut_s += PLANT_DT_S;
	if (s->shut_s >= s->auto_reload_min * 60.0)
		s->load_error = plant_load(pl, i, s->feed, s->charge_kg, s->moisture_pct);
}

/* One fixed step of every still. Lock held. */
static void plant_step(struct plant *pl)
{
	plant_events_due(pl);
	for (int i = 0; i < pl->n; i++) {
		struct plant_still *s = &pl->st[i];

		if (s->watchdog_off) { /* as if the heartbeat had just changed */
			s->m.heartbeat_age_s = 0;
			s->m.watchdog_tripped = 0;
		}
		model_write(&s->m, s->steam_cmd_pct, s->cooling_cmd_pct, s->heartbeat);
		model_step(&s->m, PLANT_DT_S);
		plant_auto_reload(pl, i);
	}
	pl->steps++;
}

/* Takes n steps, the lock released between steps so clients interleave. */
static void plant_run_steps(struct plant *pl, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		pthread_mutex_lock(&pl->lock);
		plant_step(pl);
		pthread_mutex_unlock(&pl->lock);
	}
	pthread_mutex_lock(&pl->lock);
	plant_events_due(pl);
	plant_publish(pl);
	pthread_mutex_unlock(&pl->lock);
}

void plant_run_for(struct plant *pl, double sim_s)
{
	double n = floor(sim_s / PLANT_DT_S + 1e-9);

	plant_run_steps(pl, n > 0 ? (uint64_t)n : 0);
}

double plant_time_s(struct plant *pl)
{
	double t;

	pthread_mutex_lock(&pl->lock);
	t = pl->steps * PLANT_DT_S;
	pthread_mutex_unlock(&pl->lock);
	return t;
}

/* Checks cfg's stills and unit ids; adds what is wrong to d. */
static int plant_check_units(const struct cfg_plant *cfg, const char *src, struct diag *d)
{
	int bad = 0;

	if (cfg->n_stills < 1) {
		diag_add(d, src, 0, 0, "no stills to simulate");
		return -1;
	}
	if (cfg->sim_control_unit < 1 || cfg->sim_control_unit > 247) {
		diag_add(d, src, 0, 0, "sim_control_unit %d is outside 1..247",
		         cfg->sim_control_unit);
		bad = -1;
	}
	for (int i = 0; i < cfg->n_stills; i++) {
		const struct cfg_still *s = &cfg->stills[i];

		if (s->unit_id < 1 || s->unit_id > 247) {
			diag_add(d, src, 0, 0, "%s: unit id %d is outside 1..247", s->name,
			         s->unit_id);
			bad = -1;
		}
		if (s->unit_id == cfg->sim_control_unit) {
			diag_add(d, src, 0, 0, "%s: unit id %d is the simulator-control unit",
			         s->name, s->unit_id);
			bad = -1;
		}
		for (int j = 0; j < i; j++)
			if (cfg->stills[j].unit_id == s->unit_id) {
				diag_add(d, src, 0, 0, "%s and %s share unit id %d",
				         cfg->stills[j].name, s->name, s->unit_id);
				bad = -1;
			}
	}
	return bad;
}

/* Sizes the images from the register map; adds what is wrong to d. */
static int plant_size_images(struct plant *pl, const char *src, struct diag *d)
{
	int bad = 0;

	pl->n_input = 0;
	pl->n_holding = 0;
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		const struct cfg_reg *r = &pl->cfg.map[t];
		int end = r->address + r->words;
		int *n = r->type == CFG_REG_INPUT ? &pl->n_input : &pl->n_holding;

		if (r->words < 1 || r->words > 2 || r->address < 0 || end > PLANT_IMAGE_MAX) {
			diag_add(d, src, 0, 0, "register map: %s at %d (%d words) is not addressable",
			         cfg_tag_name(t), r->address, r->words);
			bad = -1;
			continue;
		}
		if (end > *n)
			*n = end;
	}
	return bad;
}

/* Allocates and starts still i. */
static int plant_still_init(struct plant *pl, int i, const struct model_params *p)
{
	struct plant_still *s = &pl->st[i];

	s->input = calloc((size_t)pl->n_input + 1, sizeof *s->input);
	s->holding = calloc((size_t)pl->n_holding + 1, sizeof *s->holding);
	if (s->input == NULL || s->holding == NULL)
		return -1;
	model_init(&s->m, p);
	s->feed = -1;
	s->moisture_pct = -1;
	plant_outputs_apply(pl, i);
	return 0;
}

struct plant *plant_new(const struct cfg_plant *cfg, const struct model_feed *feeds,
                        int n_feeds, struct diag *d)
{
	const char *src = cfg->path[0] ? cfg->path : "config";
	struct model_params p;
	struct plant *pl;

	if (n_feeds > PLANT_FEEDS_MAX) {
		diag_add(d, src, 0, 0, "%d feedstocks; the simulator takes at most %d", n_feeds,
		         PLANT_FEEDS_MAX);
		return NULL;
	}
	if (plant_check_units(cfg, src, d) < 0)
		return NULL;
	pl = calloc(1, sizeof *pl);
	if (pl == NULL)
		goto out_nomem;
	pl->cfg = *cfg;
	if (plant_size_images(pl, src, d) < 0)
		goto out_free;
	memcpy(pl->feeds, feeds, sizeof *feeds * (size_t)(n_feeds > 0 ? n_feeds : 0));
	pl->n_feeds = n_feeds > 0 ? n_feeds : 0;
	pl->n = cfg->n_stills;
	pl->n_ctl = PLANT_CTL_BLOCK * (pl->n + 1);
	pl->ctl = calloc((size_t)pl->n_ctl, sizeof *pl->ctl);
	pl->st = calloc((size_t)pl->n, sizeof *pl->st);
	if (pl->ctl == NULL || pl->st == NULL)
		goto out_free_nomem;
	model_params_default(&p);
	model_params_map(&p, cfg->map);
	p.watchdog_s = cfg->watchdog_ms / 1000.0;
	for (int i = 0; i < pl->n; i++)
		if (plant_still_init(pl, i, &p) < 0)
			goto out_free_nomem;
	pthread_mutex_init(&pl->lock, NULL);
	plant_ctl_apply_all(pl);
	plant_publish(pl);
	return pl;

out_free_nomem:
	diag_add(d, src, 0, 0, "out of memory for %d stills", pl->n);
out_free:
	if (pl->st != NULL)
		for (int i = 0; i < pl->n; i++) {
			free(pl->st[i].input);
			free(pl->st[i].holding);
		}
	free(pl->st);
	free(pl->ctl);
	free(pl);
	return NULL;
out_nomem:
	diag_add(d, src, 0, 0, "out of memory");
	return NULL;
}

void plant_free(struct plant *pl)
{
	if (pl == NULL)
		return;
	plant_stop(pl);
	for (int i = 0; i < pl->n; i++) {
		plant_log_oil(pl, i);
		free(pl->st[i].input);
		free(pl->st[i].holding);
	}
	free(pl->st);
	free(pl->ctl);
	free(pl->ev);
	pthread_mutex_destroy(&pl->lock);
	free(pl);
}

void plant_set_batch_log(struct plant *pl, FILE *f)
{
	pthread_mutex_lock(&pl->lock);
	pl->batch_log = f;
	pthread_mutex_unlock(&pl->lock);
}

int plant_stills(const struct plant *pl)
{
	return pl->n;
}

int plant_charge(struct plant *pl, int still, int feed, double mass_kg, double moisture_pct)
{
	int rc;

	if (still < 0 || still >= pl->n)
		return -1;
	pthread_mutex_lock(&pl->lock);
	rc = plant_load(pl, still, feed, mass_kg, moisture_pct);
	if (rc == 0)
		plant_publish(pl);
	pthread_mutex_unlock(&pl->lock);
	return rc == 0 ? 0 : -1;
}

/* Is e something plant_event_apply can carry out? */
static int plant_event_valid(const struct plant *pl, const struct plant_event *e)
{
	if (e->still < -1 || e->still >= pl->n || isnan(e->at_s))
		return 0;
	if (e->kind == PLANT_EV_CTL)
		return e->index >= 0 && e->index < PLANT_CTL_RO_FIRST;
	return e->index >= CFG_TAG_FIRST_OUTPUT && e->index < CFG_TAG_COUNT;
}

int plant_schedule(struct plant *pl, const struct plant_event *ev, int n)
{
	struct plant_event *copy = NULL;

	for (int k = 0; k < n; k++)
		if (!plant_event_valid(pl, &ev[k]))
			return -1;
	if (n > 0) {
		copy = malloc(sizeof *copy * (size_t)n);
		if (copy == NULL)
			return -1;
	}
	/* insertion sort: stable, so same-time events keep the file's order */
	for (int k = 0; k < n; k++) {
		int j = k;

		while (j > 0 && copy[j - 1].at_s > ev[k].at_s) {
			copy[j] = copy[j - 1];
			j--;
		}
		copy[j] = ev[k];
	}
	pthread_mutex_lock(&pl->lock);
	free(pl->ev);
	pl->ev = copy;
	pl->n_ev = n;
	pl->next_ev = 0;
	pthread_mutex_unlock(&pl->lock);
	return 0;
}

/*
 * The field watchdog counts the I/O module's own time: steps beyond one
 * slice's worth in a wake are the thread making up for its own stall,
 * during which no heartbeat could be heard, so that much process time is
 * credited back to every heartbeat's age before they are taken (a
 * heartbeat that changes meanwhile starts from 0 anyway). Lock taken.
 */
static void plant_watchdog_credit(struct plant *pl, uint64_t n, double per_slice)
{
	double credit_s = ((double)n - per_slice) * PLANT_DT_S;

	if (!(credit_s > 0))
		return;
	pthread_mutex_lock(&pl->lock);
	for (int i = 0; i < pl->n; i++)
		pl->st[i].m.heartbeat_age_s -= credit_s;
	pthread_mutex_unlock(&pl->lock);
}

/* The stepping thread: as many fixed steps as wall time * speed asks. */
static void *plant_thread(void *arg)
{
	struct plant *pl = arg;
	double steps_per_ns = pl->speed / (PLANT_DT_S * 1e9);
	int64_t slice_ns = (int64_t)(PLANT_DT_S / pl->speed * 1e9);
	uint64_t catchup = (uint64_t)ceil(PLANT_CATCHUP_S * pl->speed / PLANT_DT_S);
	int64_t t0 = clk_mono_ns();
	int64_t deadline = t0;
	uint64_t base = pl->steps; /* the thread alone steps: no lock needed */

	if (slice_ns < PLANT_SLICE_MIN_NS)
		slice_ns = PLANT_SLICE_MIN_NS;
	while (!atomic_load(&pl->stop)) {
		struct timespec ts;
		uint64_t want;

		deadline += slice_ns;
		if (deadline < clk_mono_ns())
			deadline = clk_mono_ns();
		ts = clk_ts_from_ns(deadline);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		want = base + (uint64_t)((double)(clk_mono_ns() - t0) * steps_per_ns);
		if (want <= pl->steps)
			continue;
		if (want - pl->steps > catchup) {
			uint64_t skip = want - pl->steps - catchup;

			atomic_fetch_add(&pl->skipped, skip);
			base -= skip;
			want -= skip;
		}
		plant_watchdog_credit(pl, want - pl->steps, (double)slice_ns * steps_per_ns);
		plant_run_steps(pl, want - pl->steps);
	}
	return NULL;
}

int plant_start(struct plant *pl, double speed)
{
	int rc;

	if (pl->thread_running || !(speed > 0)) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&pl->lock);
	pl->speed = speed;
	/* the field watchdog keeps a wall-clock floor (docs/MODEL.md) */
	for (int i = 0; i < pl->n; i++)
		pl->st[i].m.p.watchdog_s = clk_speed_window_s(pl->cfg.watchdog_ms / 1000.0, speed);
	plant_publish(pl);
	pthread_mutex_unlock(&pl->lock);
	atomic_store(&pl->stop, 0);
	rc = pthread_create(&pl->thread, NULL, plant_thread, pl);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pl->thread_running = 1;
	return 0;
}

void plant_stop(struct plant *pl)
{
	if (!pl->thread_running)
		return;
	atomic_store(&pl->stop, 1);
	pthread_join(pl->thread, NULL);
	pl->thread_running = 0;
}

uint64_t plant_steps_skipped(struct plant *pl)
{
	return atomic_load(&pl->skipped);
}

int plant_unit(const struct plant *pl, int unit_id)
{
	if (unit_id == pl->cfg.sim_control_unit)
		return PLANT_UNIT_CONTROL;
	for (int i = 0; i < pl->n; i++)
		if (pl->cfg.stills[i].unit_id == unit_id)
			return i;
	return -1;
}

void plant_regs_size(const struct plant *pl, int unit, int *n_input, int *n_holding)
{
	if (unit == PLANT_UNIT_CONTROL) {
		*n_input = 0;
		*n_holding = pl->n_ctl;
	} else {
		*n_input = pl->n_input;
		*n_holding = pl->n_holding;
	}
}

/* The unit's images; lock held. */
static void plant_images(struct plant *pl, int unit, uint16_t **input, uint16_t **holding)
{
	if (unit == PLANT_UNIT_CONTROL) {
		*input = NULL;
		*holding = pl->ctl;
	} else {
		*input = pl->st[unit].input;
		*holding = pl->st[unit].holding;
	}
}

void plant_regs_get(struct plant *pl, int unit, uint16_t *input, uint16_t *holding)
{
	uint16_t *in, *hold;
	int n_in, n_hold;

	plant_regs_size(pl, unit, &n_in, &n_hold);
	pthread_mutex_lock(&pl->lock);
	plant_images(pl, unit, &in, &hold);
	if (input != NULL && n_in > 0)
		memcpy(input, in, sizeof *in * (size_t)n_in);
	if (holding != NULL && n_hold > 0)
		memcpy(holding, hold, sizeof *hold * (size_t)n_hold);
	pthread_mutex_unlock(&pl->lock);
}

/* May a client write holding register addr of unit? */
static int plant_writable(int unit, int addr)
{
	if (unit != PLANT_UNIT_CONTROL)
		return 1;
	if (addr < PLANT_CTL_BLOCK)
		return addr == PLANT_G_CLEAR_ALL;
	return addr % PLANT_CTL_BLOCK < PLANT_CTL_RO_FIRST;
}

/* Makes a write to unit take effect. Lock held. */
static void plant_writes_apply(struct plant *pl, int unit)
{
	if (unit == PLANT_UNIT_CONTROL)
		plant_ctl_apply_all(pl);
	else
		plant_outputs_apply(pl, unit);
	plant_publish(pl);
}

void plant_regs_put(struct plant *pl, int unit, const uint16_t *before, const uint16_t *after)
{
	uint16_t *in, *hold;
	int n_in, n_hold, changed = 0;

	plant_regs_size(pl, unit, &n_in, &n_hold);
	pthread_mutex_lock(&pl->lock);
	plant_images(pl, unit, &in, &hold);
	for (int a = 0; a < n_hold; a++)
		if (after[a] != before[a] && plant_writable(unit, a)) {
			hold[a] = after[a];
			changed = 1;
		}
	if (changed)
		plant_writes_apply(pl, unit);
	pthread_mutex_unlock(&pl->lock);
}

int plant_reg_write(struct plant *pl, int unit, int addr, uint16_t value)
{
	uint16_t *in, *hold;
	int n_in, n_hold;

	plant_regs_size(pl, unit, &n_in, &n_hold);
	if (addr < 0 || addr >= n_hold)
		return -1;
	pthread_mutex_lock(&pl->lock);
	plant_images(pl, unit, &in, &hold);
	if (plant_writable(unit, addr)) {
		hold[addr] = value;
		plant_writes_apply(pl, unit);
	}
	pthread_mutex_unlock(&pl->lock);
	return 0;
}

int plant_reg_read(struct plant *pl, int unit, int is_input, int addr, uint16_t *value)
{
	uint16_t *in, *hold;
	int n_in, n_hold;

	plant_regs_size(pl, unit, &n_in, &n_hold);
	if (addr < 0 || addr >= (is_input ? n_in : n_hold))
		return -1;
	pthread_mutex_lock(&pl->lock);
	plant_images(pl, unit, &in, &hold);
	*value = is_input ? in[addr] : hold[addr];
	pthread_mutex_unlock(&pl->lock);
	return 0;
}

void plant_comm(struct plant *pl, int still, struct plant_comm *c)
{
	pthread_mutex_lock(&pl->lock);
	*c = pl->st[still].comm;
	pthread_mutex_unlock(&pl->lock);
}

void plant_still_model(struct plant *pl, int still, struct model_still *out)
{
	pthread_mutex_lock(&pl->lock);
	*out = pl->st[still].m;
	pthread_mutex_unlock(&pl->lock);
}
