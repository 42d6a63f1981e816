/*
 * gen_plant: the database of a plant that ran back-to-back batches for
 * years, made in minutes (issue 17). Writes through the same storage code
 * as stillroomd (records/store_write.h: the audited writers, store_events,
 * the historian's blocks), never SQL of its own:
 *   - one batch per feedstock (recipes/FEED.yaml, simulator/feedstocks.yaml)
 *     runs first on the closed-loop rig (tests/rig: control core and plant
 *     model in lockstep) and is kept as a template: its readings once a
 *     second and every event the core gave (states, steps, prompts and
 *     answers, alarms, decisions)
 *   - then each still runs batches back to back (cassia leaf 45 %, cassia
 *     bark 30 %, star anise 25 %), 30 to 90 minutes apart: a lot received
 *     for each, the batch begun, the template's events and steps, its
 *     samples at 1 s (oil and charge scaled to the batch's charge, readings
 *     with sensor noise), the end figures, the weighing and hydrosol, QA
 *     against config/qa.yaml and a release decision (4 % out of spec,
 *     rejected), the released oil into drums of its feedstock (200 kg a
 *     drum), a full drum shipped; 3 % of batches get a pressure alarm,
 *     acknowledged and back to normal; idle samples (batch 0) between
 *     batches
 * Every timestamp is the plant's (store_clock_set), from 2017-01-01 UTC;
 * commits do not wait for the disk (store_bulk); samples go straight into
 * the historian's compact blocks (store_samples_packed, the bulk variant of
 * the journal's store_samples: same block code, no raw tail), 4096 rows a
 * transaction. Deterministic: the same options give the same records.
 *
 * usage: gen_plant --out PATH [--years Y] [--stills N] [--seed S]
 *                  [--samples-days D] [--root DIR]
 *   --years Y          span of plant time, years of 365 days (default 1;
 *                      fractions allowed: 0.02 is about a week)
 *   --stills N         stills still1..stillN (default 10)
 *   --samples-days D   historian samples only for the last D days of the
 *                      span (batches and idle); 0 none; default all
 *   --seed S           the random stream (default 17)
 *   --root DIR         the source tree (recipes/, config/qa.yaml,
 *                      simulator/feedstocks.yaml); default "."
 * PATH must not exist. Prints one JSON line: batches, lots, samples,
 * events written, plant seconds, wall seconds, bytes.
 * build: make -f Makefile -f bench/bench.mk BUILD=build build/bench/gen_plant
 * Exits 0, 1 on a failure (the reason on stderr), 2 on bad usage or input.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "clk.h"
#include "diag.h"
#include "feed.h"
#include "qaspec.h"
#include "regmap.h"
#include "rcp.h"
#include "store.h"
#include "store_write.h"
#include "../tests/rig/pop.h"
#include "../tests/rig/rig.h"

#define GEN_EPOCH_S 1483228800.0   /* 2017-01-01T00:00:00Z */
#define GEN_YEAR_S (365 * 86400.0)
#define GEN_FEEDS 3
#define GEN_CHUNK 4096             /* samples per store_samples_packed call */
#define GEN_EVENTS_MAX 512         /* events per store_events call */
#define GEN_GAP_MIN_S 1800.0       /* unload, clean, load between batches */
#define GEN_GAP_MAX_S 5400.0
#define GEN_DRUM_KG 200.0          /* oil a drum takes */
#define GEN_DRUM_TARE_KG 18.0
#define GEN_GROWERS 240
#define GEN_OPERATORS 4

static const struct {
	const char *name;
	const char *abbr;
	double share;                  /* of the batches */
	double charge_kg;              /* the template's charge */
} gen_feeds[GEN_FEEDS] = {
	{"cassia-leaf", "CL", 0.45, 400},
	{"cassia-bark", "CB", 0.30, 300},
	{"star-anise", "SA", 0.25, 250},
};

static const char *const gen_operators[GEN_OPERATORS] = {
	"Lan", "Minh", "Hoa", "Tuan",
};

/* One event of a template batch, its time from the batch's start. */
struct gen_ev {
	struct core_event e;
	int step;                      /* the core's step index at the time */
};

/* One feedstock's template batch, run once on the rig. */
struct gen_tpl {
	struct rcp_recipe recipe;
	const struct model_feed *feed;
	double (*row)[CFG_TAG_COUNT];  /* readings once a second from the start */
	long n_rows, cap_rows;
	struct gen_ev *ev;
	int n_ev, cap_ev;
	double t0_s;                   /* the rig's time at the start */
	double oil_kg;                 /* in the receiver at the end */
	struct econ_use use;
};

/* A feedstock's drum being filled. */
struct gen_drum {
	char id[32];
	double kg;                     /* in it; 0: none open */
	int n;                         /* drums of the feedstock so far */
};

struct gen {
	struct store *db;
	struct cfg_plant plant;
	struct gen_tpl tpl[GEN_FEEDS];
	struct store_qa_spec spec[QASPEC_MAX];
	int n_spec;
	struct gen_drum drum[GEN_FEEDS];
	double free_s[CFG_STILLS_MAX]; /* plant time each still is free from */
	double span_s, samples_from_s;
	uint64_t seed;
	struct pop_rng rng;            /* the batch's own stream */
	long batches, lots, samples, events, drums, shipments;
	char cause[STORE_CAUSE_MAX];
};

static struct gen_ev *gen_ev_push(struct gen_tpl *t)
{
	if (t->n_ev == t->cap_ev) {
		int cap = t->cap_ev ? 2 * t->cap_ev : 256;
		struct gen_ev *p = realloc(t->ev, (size_t)cap * sizeof *p);

		if (!p)
			return NULL;
		t->ev = p, t->cap_ev = cap;
	}
	return &t->ev[t->n_ev++];
}

/* Rig hook: keeps the core's events from the start on. */
static void gen_on_event(struct rig *g, const struct core_event *e, void *ctx)
{
	struct gen_tpl *t = ctx;
	struct gen_ev *v;

	if (e->batch_id <= 0 && e->kind != CORE_EV_COMMAND)
		return;
	if (t->t0_s < 0)
		t->t0_s = g->now_s;
	v = gen_ev_push(t);
	if (!v)
		return;
	v->e = *e;
	v->e.t_s = e->t_s - t->t0_s > 0 ? e->t_s - t->t0_s : 0;
	v->step = g->core.step;
}

/* Rig hook: keeps the core's inputs once a second while a batch runs. */
static void gen_on_tick(struct rig *g, void *ctx)
{
	struct gen_tpl *t = ctx;

	if (g->core.state == CORE_IDLE || t->t0_s < 0 || g->ticks % 5 != 0)
		return;
	if (t->n_rows == t->cap_rows) {
		long cap = t->cap_rows ? 2 * t->cap_rows : 4096;
		void *p = realloc(t->row, (size_t)cap * sizeof t->row[0]);

		if (!p)
			return;
		t->row = p, t->cap_rows = cap;
	}
	memcpy(t->row[t->n_rows++], g->core.last_in.value, sizeof t->row[0]);
}

/* What the template used: steam and cooling integrated over its rows. */
static void gen_tpl_use(struct gen_tpl *t)
{
	memset(&t->use, 0, sizeof t->use);
	for (long i = 0; i < t->n_rows; i++) {
		t->use.steam_kg += t->row[i][CFG_TAG_STEAM_FLOW] / 3600.0;
		t->use.cooling_m3 += t->row[i][CFG_TAG_COOLING_FLOW] / 60000.0;
	}
	t->use.running_h = t->n_rows / 3600.0;
	t->use.fuel_kg = NAN;
	t->use.electricity_kwh = NAN;
	t->use.labour_h = t->use.running_h;
}

/* Runs feedstock i's template batch on the rig. 0, or -1 (printed). */
static int gen_tpl_run(struct gen *G, int i, const struct model_feed *feeds,
                       int n_feeds, const char *root)
{
	static struct rig g;
	struct gen_tpl *t = &G->tpl[i];
	char path[CFG_PATH_MAX + 64];
	struct diag d;

	diag_init(&d);
	snprintf(path, sizeof path, "%s/recipes/%s.yaml", root, gen_feeds[i].name);
	if (rcp_load(&t->recipe, path, &G->plant, &d) < 0) {
		diag_print(&d, stderr);
		return -1;
	}
	t->feed = feed_find(feeds, n_feeds, gen_feeds[i].name);
	if (!t->feed) {
		fprintf(stderr, "gen_plant: no feedstock %s\n", gen_feeds[i].name);
		return -1;
	}
	t->t0_s = -1;
	rig_init(&g, &G->plant, NULL);
	snprintf(g.operator_name, sizeof g.operator_name, "rig");
	g.on_event = gen_on_event;
	g.on_tick = gen_on_tick;
	g.ctx = t;
	if (rig_start(&g, &t->recipe, t->feed, gen_feeds[i].charge_kg) < 0 ||
	    rig_run_to_end(&g) < 0 || t->n_rows == 0) {
		fprintf(stderr, "gen_plant: the %s template batch did not complete"
		        " (%s) %s\n", gen_feeds[i].name, core_state_name(g.core.state),
		        g.cause);
		return -1;
	}
	t->oil_kg = g.model.oil_receiver_g / 1000.0;
	gen_tpl_use(t);
	return 0;
}

/* The plant, its stills, the feedstocks, recipes, QA spec and templates. */
static int gen_setup(struct gen *G, int stills, const char *root)
{
	static struct model_feed feeds[32];
	char path[CFG_PATH_MAX + 64];
	struct diag d;
	int n;

	cfg_defaults(&G->plant);
	G->plant.n_stills = stills;
	for (int s = 0; s < stills; s++) {
		snprintf(G->plant.stills[s].name, sizeof G->plant.stills[s].name,
		         "still%d", s + 1);
		G->plant.stills[s].unit_id = s + 1;
	}
	diag_init(&d);
	snprintf(path, sizeof path, "%s/simulator/feedstocks.yaml", root);
	n = feed_load(path, feeds, 32, &d);
	snprintf(path, sizeof path, "%s/config/qa.yaml", root);
	if (n < 1 || (G->n_spec = qaspec_load(path, G->spec, QASPEC_MAX, &d)) < 1) {
		diag_print(&d, stderr);
		return -1;
	}
	for (int i = 0; i < GEN_FEEDS; i++)
		if (gen_tpl_run(G, i, feeds, n, root) < 0)
			return -1;
	return 0;
}

/* ---- one batch --------------------------------------------------------- */

static double gen_u(struct gen *G, double lo, double hi)
{
	return pop_rng_uniform(&G->rng, lo, hi);
}

/* Sets the records' clock to plant time t_s. */
static void gen_at(struct gen *G, double t_s)
{
	store_clock_set(G->db, GEN_EPOCH_S + t_s);
}

/* The feedstock of the next batch, by the shares. */
static int gen_pick_feed(struct gen *G)
{
	double u = gen_u(G, 0, 1), acc = 0;

	for (int i = 0; i < GEN_FEEDS - 1; i++)
		if (u < (acc += gen_feeds[i].share))
			return i;
	return GEN_FEEDS - 1;
}

/* v[tag] as the controller would read it: through the plant's register
 * (raw * scale + offset, docs/CONFIG.md), so a sample holds only values
 * the field can give (noise added in engineering units would not). */
static void gen_as_read(const struct gen *G, double *v, int tag)
{
	uint16_t words[2];

	regmap_encode(&G->plant.map[tag], v[tag], words);
	regmap_decode(&G->plant.map[tag], words, &v[tag]);
}

/* Writes samples of still from t_s for n seconds: the template's rows
 * (tpl != NULL, scaled) or idle readings. 0 or -1. */
static int gen_samples(struct gen *G, int still, long batch_id,
                       const struct gen_tpl *tpl, double t_s, long n,
                       double oil_f, double charge_f)
{
	static struct store_sample rows[GEN_CHUNK];
	double ambient = 24 + 6 * sin(2 * M_PI * fmod(t_s, 86400) / 86400);

	for (long k = 0; k < n; k += GEN_CHUNK) {
		int m = n - k < GEN_CHUNK ? (int)(n - k) : GEN_CHUNK;

		for (int i = 0; i < m; i++) {
			struct store_sample *s = &rows[i];
			double *v = s->value;

			memset(s->quality, 0, sizeof s->quality);
			s->batch_id = batch_id;
			snprintf(s->still, sizeof s->still, "%s", G->plant.stills[still].name);
			s->t_process_s = t_s + (double)(k + i);
			s->wall_s = GEN_EPOCH_S + s->t_process_s;
			if (tpl) {
				memcpy(v, tpl->row[k + i], sizeof s->value);
				v[CFG_TAG_OIL] = round(v[CFG_TAG_OIL] * oil_f);
				v[CFG_TAG_CHARGE] = round(v[CFG_TAG_CHARGE] * charge_f * 10) / 10;
			} else {
				memset(v, 0, sizeof s->value);
				v[CFG_TAG_VAPOUR_TEMP] = v[CFG_TAG_DISTILLATE_TEMP] = ambient;
				v[CFG_TAG_STILL_TEMP] = ambient + 2;
			}
			v[CFG_TAG_STILL_TEMP] += round(gen_u(G, -1, 1)) / 10;
			v[CFG_TAG_VAPOUR_TEMP] += round(gen_u(G, -1, 1)) / 10;
			v[CFG_TAG_PRESSURE] += round(gen_u(G, -1, 1)) / 10;
			for (int tag = 0; tag < CFG_TAG_FIRST_OUTPUT; tag++)
				gen_as_read(G, v, tag);
		}
		if (store_samples_packed(G->db, rows, m, G->cause, sizeof G->cause) < 0)
			return -1;
		G->samples += m;
	}
	return 0;
}

/* A lot received for the batch the day before; its id. */
static int gen_lot(struct gen *G, int f, double t_s, double charge_kg,
                   char *lot_id, size_t len)
{
	struct store_lot l;
	int grower = (int)gen_u(G, 0, GEN_GROWERS);

	gen_at(G, t_s - 86400);
	store_lot_init(&l);
	snprintf(lot_id, len, "L%s%06ld", gen_feeds[f].abbr, ++G->lots);
	snprintf(l.lot_id, sizeof l.lot_id, "%s", lot_id);
	snprintf(l.feedstock, sizeof l.feedstock, "%s", gen_feeds[f].name);
	snprintf(l.grower, sizeof l.grower, "Grower %03d", grower + 1);
	snprintf(l.cooperative, sizeof l.cooperative, "Coop %d", grower % 6 + 1);
	snprintf(l.origin, sizeof l.origin, "Commune %d", grower % 17 + 1);
	l.mass_received_kg = charge_kg;
	l.moisture_pct = round(G->tpl[f].feed->moisture_pct * gen_u(G, 0.8, 1.2) * 10) / 10;
	l.price_vnd_per_kg = round(gen_u(G, 8, 60)) * 1000;
	l.drying_days = (int)gen_u(G, 2, 10);
	return store_lot_add(G->db, &l, gen_operators[grower % GEN_OPERATORS],
	                     G->cause, sizeof G->cause);
}

/* Stores the template's events of batch id, steps in the timeline. */
static int gen_events(struct gen *G, const struct gen_tpl *t, long id,
                      const char *still, const char *op, double t_s)
{
	static struct store_event se[GEN_EVENTS_MAX];
	static const char *const kinds[] = {
		[CORE_EV_STATE] = "state", [CORE_EV_STEP] = "step",
		[CORE_EV_ALARM] = "alarm", [CORE_EV_COMMAND] = "command",
		[CORE_EV_MODE] = "mode", [CORE_EV_PROMPT] = "prompt",
		[CORE_EV_ANSWER] = "answer", [CORE_EV_DECISION] = "decision",
	};
	int n = 0;

	for (int i = 0; i <= t->n_ev; i++) {
		const struct core_event *e = i < t->n_ev ? &t->ev[i].e : NULL;
		int step = e && e->kind == CORE_EV_STEP;

		if (n > 0 && (!e || step || n == GEN_EVENTS_MAX)) {
			store_clock_set(G->db, GEN_EPOCH_S + se[n - 1].t_process_s);
			if (store_events(G->db, se, n, G->cause, sizeof G->cause) < 0)
				return -1;
			G->events += n;
			n = 0;
		}
		if (!e)
			break;
		if (step) {
			gen_at(G, t_s + e->t_s);
			if (store_batch_step(G->db, id, t->ev[i].step, e->new_value,
			                     t_s + e->t_s, G->cause, sizeof G->cause) < 0)
				return -1;
		}
		se[n] = (struct store_event){
			.batch_id = id, .still = still, .kind = kinds[e->kind],
			.what = e->what, .old_value = e->old_value,
			.new_value = e->new_value, .text = e->text, .cause = e->cause,
			.who = strcmp(e->who, "rig") == 0 ? op : e->who,
			.t_process_s = t_s + e->t_s,
		};
		n++;
	}
	return 0;
}

/* A pressure alarm in the batch: raised, acknowledged, back to normal. */
static int gen_alarm(struct gen *G, long id, const char *still, const char *op,
                     double t_s)
{
	struct store_event ev[3];
	static const char *const st[4] = {"normal", "unack", "acked", "normal"};

	for (int i = 0; i < 3; i++)
		ev[i] = (struct store_event){
			.batch_id = id, .still = still, .kind = "alarm",
			.what = "pressure_high", .old_value = st[i], .new_value = st[i + 1],
			.who = i == 1 ? op : "controller", .cause = "interlock",
			.text = i == 0 ? "still pressure above its high limit" : NULL,
			.t_process_s = t_s + 120.0 * i,
		};
	gen_at(G, t_s + 240);
	G->events += 3;
	return store_events(G->db, ev, 3, G->cause, sizeof G->cause);
}

/* QA results of batch id (out of spec 4 % of the time), and the decision.
 * Returns 1 released, 0 rejected, -1 on failure. */
static int gen_qa(struct gen *G, int f, long id, double t_s)
{
	const struct store_qa_spec *sp = qaspec_find(G->spec, G->n_spec,
	                                             gen_feeds[f].name);
	struct store_qa_result r;
	int in_spec = 0, bad = gen_u(G, 0, 1) < 0.04;
	double mk_max = isfinite(sp->marker_max_pct) ? sp->marker_max_pct : 95;

	store_qa_result_init(&r);
	r.density = round(gen_u(G, sp->density_min, sp->density_max) * 1e4) / 1e4;
	r.refractive_index = round(gen_u(G, sp->ri_min, sp->ri_max) * 1e4) / 1e4;
	r.marker_pct = round(gen_u(G, sp->marker_min_pct, mk_max) * 10) / 10;
	if (bad)
		r.marker_pct = round(sp->marker_min_pct * 0.9 * 10) / 10;
	snprintf(r.analyst, sizeof r.analyst, "Lab Thu");
	snprintf(r.lab_ref, sizeof r.lab_ref, "QA-%06ld", id);
	gen_at(G, t_s);
	if (store_qa_record(G->db, id, &r, sp, &in_spec, G->cause, sizeof G->cause) < 0)
		return -1;
	gen_at(G, t_s + 3600);
	if (store_qa_decide(G->db, id, in_spec ? "released" : "rejected", "QM Ha",
	                    in_spec ? NULL : "marker below spec", G->cause,
	                    sizeof G->cause) < 0)
		return -1;
	return in_spec;
}

/* Ships feedstock f's open drum. */
static int gen_ship(struct gen *G, int f, double t_s)
{
	const char *ids[1] = {G->drum[f].id};
	char doc[32], date[16];
	time_t sec = (time_t)(GEN_EPOCH_S + t_s);
	struct tm tm;
	struct store_shipment sh = {
		.drum_ids = ids, .n_drums = 1, .buyer = "Hanoi Essential Oils JSC",
		.doc_no = doc, .ship_date = date, .who = "QM Ha",
	};

	gmtime_r(&sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(doc, sizeof doc, "INV-%06ld", ++G->shipments);
	gen_at(G, t_s);
	G->drum[f].kg = 0;
	return store_ship(G->db, &sh, G->cause, sizeof G->cause) < 0 ? -1 : 0;
}

/* The released oil of batch id into feedstock f's drums; a full one is
 * shipped. */
static int gen_drum(struct gen *G, int f, long id, double oil_kg, double t_s)
{
	struct gen_drum *d = &G->drum[f];

	while (oil_kg > 0.0005) {
		double kg = fmin(oil_kg, GEN_DRUM_KG - d->kg);
		struct store_drum_fill fill = {
			.drum_id = d->id, .batch_id = id, .who = "Lan",
			.tare_kg = d->kg == 0 ? GEN_DRUM_TARE_KG : NAN,
			.organic = d->kg == 0 ? 0 : -1,
		};

		if (d->kg == 0)
			snprintf(d->id, sizeof d->id, "D%s%05d", gen_feeds[f].abbr, ++d->n);
		fill.oil_kg = round(kg * 1000) / 1000;
		gen_at(G, t_s);
		if (fill.oil_kg > 0 &&
		    store_drum_fill(G->db, &fill, G->cause, sizeof G->cause) < 0)
			return -1;
		d->kg += fill.oil_kg;
		oil_kg -= kg;
		if (d->kg >= GEN_DRUM_KG - 0.001 && gen_ship(G, f, t_s + 86400) < 0)
			return -1;
	}
	return 0;
}

/* The batch's records after its end: figures, weighing, hydrosol, QA,
 * drums. */
static int gen_after(struct gen *G, int f, long id, double end_s, double oil_kg,
                     double scale, const char *op)
{
	const struct gen_tpl *t = &G->tpl[f];
	struct econ_use use = t->use;
	double weighed = round(oil_kg * gen_u(G, 0.97, 1.0) * 1000) / 1000;
	int released;

	use.steam_kg *= scale, use.cooling_m3 *= scale;
	gen_at(G, end_s);
	if (store_batch_end(G->db, id, oil_kg, &use, NAN, G->cause, sizeof G->cause) < 0)
		return -1;
	gen_at(G, end_s + 1200);
	if (store_batch_weigh(G->db, id, weighed, op, NULL, G->cause, sizeof G->cause) < 0 ||
	    store_batch_hydrosol(G->db, id, round(use.steam_kg * 0.9), op, NULL,
	                         G->cause, sizeof G->cause) < 0)
		return -1;
	released = gen_qa(G, f, id, end_s + 86400);
	if (released < 0)
		return -1;
	return released ? gen_drum(G, f, id, weighed, end_s + 2 * 86400) : 0;
}

/* Whether plant time t_s is in the samples' window. */
static int gen_sampled(const struct gen *G, double t_s)
{
	return t_s >= G->samples_from_s;
}

/* One batch on still s, after an idle gap from its free time. */
static int gen_batch(struct gen *G, int s)
{
	int f;
	const struct gen_tpl *t;
	const char *op, *still = G->plant.stills[s].name;
	double gap = 0, start, charge, scale, oil_f;
	char lot[64];
	long id;

	pop_rng_seed(&G->rng, G->seed, (uint64_t)G->batches);
	f = gen_pick_feed(G);
	t = &G->tpl[f];
	op = gen_operators[(int)gen_u(G, 0, GEN_OPERATORS)];
	gap = gen_u(G, GEN_GAP_MIN_S, GEN_GAP_MAX_S);
	start = floor(G->free_s[s] + gap);
	scale = gen_u(G, 0.8, 1.2);
	charge = round(gen_feeds[f].charge_kg * scale * 10) / 10;
	scale = charge / gen_feeds[f].charge_kg;
	oil_f = scale * gen_u(G, 0.85, 1.15);
	if (gen_sampled(G, G->free_s[s]) &&
	    gen_samples(G, s, 0, NULL, G->free_s[s], (long)(start - G->free_s[s]), 0, 0) < 0)
		return -1;
	if (gen_lot(G, f, start, charge, lot, sizeof lot) < 0)
		return -1;
	gen_at(G, start);
	id = store_batch_begin(G->db, &(struct store_batch_start){
		.still = still, .recipe_name = t->recipe.name,
		.recipe_version = t->recipe.version, .recipe_text = t->recipe.text,
		.recipe_sha256 = t->recipe.sha256, .feedstock = gen_feeds[f].name,
		.lot_id = lot, .charge_kg = charge, .operator_name = op,
		.t_process_s = start}, G->cause, sizeof G->cause);
	if (id < 0 || gen_events(G, t, id, still, op, start) < 0 ||
	    (gen_u(G, 0, 1) < 0.03 &&
	     gen_alarm(G, id, still, op, start + t->n_rows / 2) < 0))
		return -1;
	if (gen_sampled(G, start) &&
	    gen_samples(G, s, id, t, start, t->n_rows, oil_f, scale) < 0)
		return -1;
	G->free_s[s] = start + (double)t->n_rows;
	G->batches++;
	return gen_after(G, f, id, G->free_s[s], round(t->oil_kg * oil_f * 1000) / 1000,
	                 scale, op);
}

/* ---- the run ----------------------------------------------------------- */

/* Batches on every still, the earliest free first, until the span ends
 * (the last batches' QA and drums may be dated a few days after it). */
static int gen_run(struct gen *G)
{
	for (;;) {
		int s = 0;

		for (int i = 1; i < G->plant.n_stills; i++)
			if (G->free_s[i] < G->free_s[s])
				s = i;
		if (G->free_s[s] + GEN_GAP_MAX_S >= G->span_s)
			return 0;
		if (gen_batch(G, s) < 0)
			return -1;
	}
}

static int gen_usage(void)
{
	fprintf(stderr, "usage: gen_plant --out PATH [--years Y] [--stills N]"
	        " [--seed S] [--samples-days D] [--root DIR]\n");
	return 2;
}

/* Reads the options into G and *out, *root. 0 or 2. */
static int gen_args(struct gen *G, int argc, char **argv, const char **out,
                    const char **root, int *stills)
{
	double years = 1, days = -1;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (!v)
			return gen_usage();
		if (strcmp(argv[i], "--out") == 0)
			*out = v;
		else if (strcmp(argv[i], "--root") == 0)
			*root = v;
		else if (strcmp(argv[i], "--years") == 0)
			years = strtod(v, &end);
		else if (strcmp(argv[i], "--samples-days") == 0)
			days = strtod(v, &end);
		else if (strcmp(argv[i], "--stills") == 0)
			*stills = (int)strtol(v, &end, 10);
		else if (strcmp(argv[i], "--seed") == 0)
			G->seed = strtoull(v, &end, 10);
		else
			return gen_usage();
		if (end && *end)
			return gen_usage();
		i++;
	}
	if (!*out || !(years > 0 && years <= 50) || *stills < 1 ||
	    *stills > CFG_STILLS_MAX)
		return gen_usage();
	G->span_s = years * GEN_YEAR_S;
	G->samples_from_s = days < 0 ? 0 : G->span_s - days * 86400;
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen G = {.seed = 17};
	const char *out = NULL, *root = ".";
	int stills = 10, rc;
	int64_t t0 = clk_mono_ns();
	struct stat st;

	if (gen_args(&G, argc, argv, &out, &root, &stills) != 0)
		return 2;
	if (stat(out, &st) == 0) {
		fprintf(stderr, "gen_plant: %s exists\n", out);
		return 2;
	}
	if (gen_setup(&G, stills, root) < 0)
		return 2;
	G.db = store_open(out, STORE_RW, G.cause, sizeof G.cause);
	if (!G.db || store_bulk(G.db, G.cause, sizeof G.cause) < 0) {
		fprintf(stderr, "gen_plant: %s\n", G.cause);
		return 1;
	}
	gen_at(&G, 0);
	rc = store_sync_plant(G.db, &G.plant, G.cause, sizeof G.cause) < 0 ? -1 : gen_run(&G);
	store_close(G.db);
	G.db = NULL;
	/* back in WAL, as the daemon keeps it */
	if (rc == 0 && !(G.db = store_open(out, STORE_RW, G.cause, sizeof G.cause)))
		rc = -1;
	store_close(G.db);
	if (rc < 0) {
		fprintf(stderr, "gen_plant: batch %ld: %s\n", G.batches + 1, G.cause);
		return 1;
	}
	stat(out, &st);
	printf("{\"batches\": %ld, \"lots\": %ld, \"samples\": %ld, \"events\": %ld, "
	       "\"shipments\": %ld, \"plant_s\": %.0f, \"stills\": %d, "
	       "\"wall_s\": %.1f, \"bytes\": %lld}\n", G.batches, G.lots, G.samples,
	       G.events, G.shipments, G.span_s, stills,
	       (clk_mono_ns() - t0) / 1e9, (long long)st.st_size);
	return 0;
}
