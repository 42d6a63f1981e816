/*
 * test_closedloop: the control core and the plant model stepped together
 * in one process, no sockets, on the rig (tests/rig/rig.h, which
 * bench_closedloop runs too): core_step -> outputs -> model_write ->
 * model_step(dt) -> model_read -> inputs, each tick; the rig's hooks feed
 * what this test watches (struct cl). Whole cassia-leaf,
 * cassia-bark and star-anise batches run in well under a second each:
 * first with recipes built here (a pressure target the default still can
 * hold), then with the bundled recipes (recipes/NAME.yaml) through
 * rcp_load. Each batch must complete within its recipe's time with the
 * pressure loop regulating during distillation (in band, on target on
 * average, the valve in its working range and not pinned at a bound), no
 * interlock, a yield (receiver oil / charge) in the published range
 * (../shared/reference/process.md) and a time-left estimate that holds.
 * Then faults injected into the model: a blocked vapour line, cooling
 * water lost, a controller that stalls (field watchdog), a broken and a
 * stuck transmitter, lost communication: each ends with the steam closed
 * and the batch held. Last, the bundled economic variants
 * (recipes/NAME-economic.yaml) with the bundled plant's prices: each
 * batch must pass the same checks and end its distil step on its own,
 * with the decision recorded (issue 13).
 */
/* links: tests/rig/rig.c controller/core.c controller/core_alarm.c controller/core_cmd.c controller/core_endpt.c controller/est.c controller/pid.c simulator/model.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/ydoc.c common/sha256.c common/diag.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rig/rig.h"

#define ALARMS_SEEN_MAX 64
#define LEFT_MAX 48        /* hourly time-left samples kept */
#define SETTLE_S 1200      /* the pressure loop settles in a distil step */
#define SAT_TOL_PCT 0.05   /* an output this close to a bound is on it */
#define TEST_TARGET_KPA 3.5 /* distil pressure of the recipes built here */
#define BAND_KPA 0.5       /* pressure within the target +- this, settled */

/*
 * Feedstock parameters copied from simulator/feedstocks.yaml (yield_pct
 * as a fraction). Keep in step with that file.
 */
static const struct model_feed feed_leaf = {
	.name = "cassia-leaf", .yield_frac = 0.007, .wash_frac = 0.30,
	.kw_per_min = 0.10, .kd_per_min = 0.012,
	.ref_steam_kg_per_h_per_kg = 0.3, .c_kj_per_kg_k = 1.9,
	.moisture_pct = 15, .oil_density_rel = 1.06, .congeal_c = -10,
	.condensate_hold_frac = 0.15,
};
static const struct model_feed feed_bark = {
	.name = "cassia-bark", .yield_frac = 0.020, .wash_frac = 0.15,
	.kw_per_min = 0.08, .kd_per_min = 0.0055,
	.ref_steam_kg_per_h_per_kg = 0.3, .c_kj_per_kg_k = 1.7,
	.moisture_pct = 12, .oil_density_rel = 1.044, .congeal_c = -10,
	.condensate_hold_frac = 0.12,
};
static const struct model_feed feed_anise = {
	.name = "star-anise", .yield_frac = 0.10, .wash_frac = 0.10,
	.kw_per_min = 0.05, .kd_per_min = 0.0012,
	.ref_steam_kg_per_h_per_kg = 0.3, .c_kj_per_kg_k = 1.8,
	.moisture_pct = 12, .oil_density_rel = 0.985, .congeal_c = 16,
	.condensate_hold_frac = 0.10,
};

/* Published yields as charged, % (process.md, "Feedstocks"). */
struct yield_range {
	double min_pct, max_pct;
};
static const struct yield_range yield_leaf = {0.5, 0.8};
static const struct yield_range yield_bark = {1.2, 3.4};
static const struct yield_range yield_anise = {8, 12};

/* The rig and what the test saw. */
struct cl {
	struct rig rig;
	/* during distillation, after the loop settled */
	double distil_p_min_kpa, distil_p_max_kpa;
	double distil_err_sum_kpa;   /* sum of |pressure - target| */
	double distil_valve_sum_pct; /* sum of the steam valve's position */
	long distil_ticks;
	/* during the whole distil step */
	long step_ticks;
	long step_sat_ticks;         /* steam output at a bound of its loop */
	/* alarms that came on, in order */
	char seen[ALARMS_SEEN_MAX][32];
	int n_seen;
	int trip_steam_ok;           /* steam command safe on each trip's tick */
	double left_t_s[LEFT_MAX];   /* each hour into distillation: when */
	double left_est_s[LEFT_MAX]; /* and core_time_left_s() then */
	int n_left;
	double dist_max_c;           /* hottest distillate while running */
	int dist_max_step;
	double dist_max_elapsed_s;
	char decision[64];           /* the last end-point decision ("") */
	int n_decisions;
};

/* The economics the rigs' plants get (cl_new); unset: none. */
static struct econ_cfg cl_econ;

/* The rig's event hook: alarms that came on, and whether the steam was
 * commanded safe on the tick of each trip. */
static void cl_event(struct rig *r, const struct core_event *e, void *ctx)
{
	struct cl *g = ctx;
	const struct core_alarm *a;

	if (e->kind == CORE_EV_DECISION) {
		snprintf(g->decision, sizeof g->decision, "%s", e->new_value);
		g->n_decisions++;
		print_message("  decision: %s\n", e->text);
	}
	if (e->kind != CORE_EV_ALARM || strcmp(e->new_value, "unack") != 0)
		return;
	if (g->n_seen < ALARMS_SEEN_MAX)
		snprintf(g->seen[g->n_seen++], sizeof g->seen[0], "%s", e->what);
	a = core_alarm_find(&r->core, e->what);
	if (a && a->trip && r->out.steam_pct != r->plant.safe_steam_pct)
		g->trip_steam_ok = 0;
}

static int cl_seen(const struct cl *g, const char *id)
{
	for (int i = 0; i < g->n_seen; i++)
		if (strcmp(g->seen[i], id) == 0)
			return 1;
	return 0;
}

/* The steam output sits on a bound of the range its loop was given this
 * tick (tuning, step and cut-back ceiling): the loop is not regulating. */
static int cl_steam_saturated(const struct cl *g)
{
	const struct cfg_pid *t = &g->rig.core.steam_loop.tune;

	return g->rig.out.steam_pct <= t->out_min_pct + SAT_TOL_PCT ||
	       g->rig.out.steam_pct >= t->out_max_pct - SAT_TOL_PCT;
}

/* The steam output through each distil step; pressure, its error and the
 * valve once the loop had SETTLE_S to settle. */
static void cl_watch(struct cl *g)
{
	const struct rcp_step *st;
	double p = g->rig.model.pressure_kpa;

	if (g->rig.core.state != CORE_RUNNING)
		return;
	st = &g->rig.core.recipe.steps[g->rig.core.step];
	if (st->kind != RCP_DISTIL)
		return;
	g->step_ticks++;
	g->step_sat_ticks += cl_steam_saturated(g);
	if (g->rig.core.step_elapsed_s < SETTLE_S)
		return;
	if (g->distil_ticks == 0 || p < g->distil_p_min_kpa)
		g->distil_p_min_kpa = p;
	if (g->distil_ticks == 0 || p > g->distil_p_max_kpa)
		g->distil_p_max_kpa = p;
	g->distil_err_sum_kpa += fabs(p - st->target);
	g->distil_valve_sum_pct += g->rig.model.steam_pos_pct;
	g->distil_ticks++;
	if (g->n_left < LEFT_MAX &&
	    g->rig.core.step_elapsed_s >= 3600.0 * (g->n_left + 1)) {
		g->left_t_s[g->n_left] = g->rig.now_s;
		g->left_est_s[g->n_left] = core_time_left_s(&g->rig.core);
		g->n_left++;
	}
}

/* Hottest distillate while running, and when. */
static void cl_watch_dist(struct cl *g)
{
	if (g->rig.core.state == CORE_RUNNING &&
	    g->rig.model.distillate_c > g->dist_max_c) {
		g->dist_max_c = g->rig.model.distillate_c;
		g->dist_max_step = g->rig.core.step;
		g->dist_max_elapsed_s = g->rig.core.step_elapsed_s;
	}
}

/* The rig's tick hook, after model_step. */
static void cl_tick_hook(struct rig *r, void *ctx)
{
	(void)r;
	cl_watch(ctx);
	cl_watch_dist(ctx);
}

static struct cl *cl_new(void)
{
	struct cl *g = calloc(1, sizeof *g);

	assert_non_null(g);
	rig_init(&g->rig, NULL, NULL);
	g->rig.plant.econ = cl_econ;
	snprintf(g->rig.operator_name, sizeof g->rig.operator_name, "lan");
	g->rig.batch_id = 7;
	g->rig.on_event = cl_event;
	g->rig.on_tick = cl_tick_hook;
	g->rig.ctx = g;
	g->trip_steam_ok = 1;
	return g;
}

static void cl_dump(const struct cl *g)
{
	for (int i = 0; i < g->n_seen; i++)
		print_message("  alarm %s\n", g->seen[i]);
}

static int cl_cmd(struct cl *g, enum core_cmd_kind kind)
{
	return rig_command(&g->rig, kind, NULL, "");
}

/* One tick of the whole loop. */
static void cl_tick(struct cl *g)
{
	if (rig_step(&g->rig) < 0)
		fail_msg("answer refused: %s", g->rig.cause);
}

/* One tick in which the controller does nothing (it stalled). */
static void cl_tick_stalled(struct cl *g)
{
	g->rig.stalled = 1;
	cl_tick(g);
	g->rig.stalled = 0;
}

static void cl_run_for(struct cl *g, double secs)
{
	if (rig_run_for(&g->rig, secs) < 0)
		fail_msg("answer refused: %s", g->rig.cause);
}

static void cl_start(struct cl *g, const struct rcp_recipe *r,
                     const struct model_feed *feed, double charge_kg)
{
	rig_charge(&g->rig, feed, charge_kg);
	cl_run_for(g, 30); /* idle a while: valves settle, no alarms */
	assert_int_equal(core_alarm_active_count(&g->rig.core), 0);
	if (rig_command(&g->rig, CORE_CMD_START, r, "") < 0)
		fail_msg("start refused: %s", g->rig.cause);
}

/* ---- recipes built here ------------------------------------------------- */

static void step_set(struct rcp_step *s, const char *name, enum rcp_kind kind,
                     enum rcp_control ctl, double target, double smin,
                     double smax, enum rcp_end end, double max_s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->kind = kind;
	s->control = ctl;
	s->target = target;
	s->steam_min_pct = smin;
	s->steam_max_pct = smax;
	s->distillate_min_c = 25;
	s->distillate_max_c = 40;
	s->end = end;
	s->max_s = max_s;
	s->alarm_pressure_high_kpa = NAN;
	s->alarm_distillate_high_c = NAN;
	s->alarm_distillate_low_c = NAN;
}

/*
 * purge, heat-up to vapour 98 C, distil on pressure to the oil-rate end,
 * cool-down. The default still's vapour line drops 0.025 kPa per kg/h:
 * about 6 kPa at full steam, so TEST_TARGET_KPA (140 kg/h of vapour, the
 * valve near 60 %, mid-range) leaves the loop room both ways, at a
 * working point other than the bundled recipes' 5 kPa (valve ~80 %).
 */
static void recipe_make(struct rcp_recipe *r, const char *name,
                        double oil_end_g_per_h, double distil_max_s,
                        double dist_low_c)
{
	struct rcp_step *s = r->steps;

	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	snprintf(r->feedstock, sizeof r->feedstock, "%s", name);
	r->version = 1;
	r->charge_min_kg = 100;
	r->charge_max_kg = 600;
	step_set(&s[0], "purge", RCP_PURGE, RCP_CTL_OPEN, 0, 20, 20,
	         RCP_END_DURATION, 300);
	s[0].duration_s = 180;
	step_set(&s[1], "heat-up", RCP_HEAT_UP, RCP_CTL_OPEN, 0, 100, 100,
	         RCP_END_REACH, 2700);
	s[1].reach_tag = CFG_TAG_VAPOUR_TEMP;
	s[1].reach_above = 1;
	s[1].reach_value = 98;
	step_set(&s[2], "distil", RCP_DISTIL, RCP_CTL_PRESSURE, TEST_TARGET_KPA,
	         20, 100, RCP_END_OIL_RATE, distil_max_s);
	s[2].oil_rate_g_per_h = oil_end_g_per_h;
	s[2].oil_rate_for_s = 900;
	s[2].alarm_distillate_low_c = dist_low_c;
	step_set(&s[3], "cool-down", RCP_COOL_DOWN, RCP_CTL_OPEN, 0, 0, 0,
	         RCP_END_DURATION, 900);
	s[3].duration_s = 600;
	r->n_steps = 4;
}

/* ---- whole batches ------------------------------------------------------ */

struct batch_case {
	const char *recipe;            /* recipes/NAME.yaml */
	const struct model_feed *feed;
	const struct yield_range *yield;
	double charge_kg;
	double oil_end_g_per_h;        /* for the recipe built here */
	double distil_max_s;
	double dist_low_c;             /* NaN: none */
};

static const struct batch_case batches[] = {
	{"cassia-leaf", &feed_leaf, &yield_leaf, 500, 100, 5 * 3600, NAN},
	{"cassia-bark", &feed_bark, &yield_bark, 500, 120, 10 * 3600, NAN},
	{"star-anise", &feed_anise, &yield_anise, 300, 200, 36 * 3600, 22},
};

/*
 * The pressure loop regulated through distillation: once settled, the
 * pressure held its target on average within REG_ERR_KPA and the valve
 * sat in its working range (process.md: the target sets the steam rate,
 * so a valve pinned open means the target is out of the still's reach);
 * over the whole step, the output was off its bounds most of the time.
 */
#define REG_ERR_KPA 0.5
#define REG_VALVE_MIN_PCT 40
#define REG_VALVE_MAX_PCT 90
#define REG_FREE_FRAC 0.9

static void batch_check_regulation(const struct cl *g)
{
	double err, valve, free_frac;

	assert_true(g->distil_ticks > 0 && g->step_ticks > g->distil_ticks);
	err = g->distil_err_sum_kpa / g->distil_ticks;
	valve = g->distil_valve_sum_pct / g->distil_ticks;
	free_frac = 1 - (double)g->step_sat_ticks / g->step_ticks;
	if (err >= REG_ERR_KPA)
		fail_msg("mean |pressure - target| %.2f kPa", err);
	if (valve < REG_VALVE_MIN_PCT || valve > REG_VALVE_MAX_PCT)
		fail_msg("steam valve at %.1f %% on average", valve);
	if (free_frac < REG_FREE_FRAC)
		fail_msg("steam output saturated %.0f %% of the distil step",
		         100 * (1 - free_frac));
}

/* The first hourly time-left sample (taken i + 1 h into distillation)
 * run_batch holds to its bound: the second hour's, or for an economic
 * step the first at or past its not_before. */
static int cl_left_first(const struct rcp_recipe *r)
{
	int first = 1;

	for (int s = 0; s < r->n_steps; s++)
		if (r->steps[s].end == RCP_END_ECONOMIC)
			first = (int)fmax(first, ceil(r->steps[s].econ_not_before_s / 3600) - 1);
	return first;
}

/* Runs r to the end and checks it; returns the batch time, s. */
static double run_batch(const struct batch_case *bc, const struct rcp_recipe *r,
                        double p_lo_kpa, double p_hi_kpa)
{
	struct cl *g = cl_new();
	double t0, batch_s, yield_pct, max_s = rig_batch_max_s(r);

	cl_start(g, r, bc->feed, bc->charge_kg);
	t0 = g->rig.now_s;
	assert_int_equal(rig_run_to_end(&g->rig), 0);
	batch_s = g->rig.now_s - t0;
	yield_pct = rig_yield_pct(&g->rig);
	print_message("%-12s %-5s %5.2f h  yield %5.2f %%  first distillate "
	              "%.1f min  distillate max %.1f C (step %d +%.0f s)  "
	              "%ld ticks\n", bc->recipe,
	              r->path[0] ? "file" : "test", batch_s / 3600, yield_pct,
	              (g->rig.model.distillate_started_s - t0) / 60, g->dist_max_c,
	              g->dist_max_step, g->dist_max_elapsed_s, g->rig.ticks);
	print_message("%-12s %-5s distil %.2f h, pressure %.2f..%.2f kPa, mean "
	              "error %.3f kPa, valve %.1f %%, output saturated %.1f %% "
	              "of the step\n", "", "", g->step_ticks * RIG_DT_S / 3600,
	              g->distil_p_min_kpa, g->distil_p_max_kpa,
	              g->distil_err_sum_kpa / fmax(g->distil_ticks, 1),
	              g->distil_valve_sum_pct / fmax(g->distil_ticks, 1),
	              100.0 * g->step_sat_ticks / fmax(g->step_ticks, 1));
	/* time left, from the oil rate's trend: from the second hour of
	 * distillation (the washing stage has passed) within 30 % + 15 min;
	 * an economic step's, from the forecast, once its not_before is
	 * past (before it, star anise's early fit runs past the max) */
	for (int i = cl_left_first(r); i < g->n_left; i++) {
		double taken = g->rig.now_s - g->left_t_s[i], est = g->left_est_s[i];

		if (getenv("CL_VERBOSE"))
			print_message("  %2d h into distillation: %.2f h left "
			              "estimated, %.2f h taken\n", i + 1,
			              est / 3600, taken / 3600);
		if (fabs(est - taken) > 0.3 * taken + 900)
			fail_msg("%s: %d h into distillation %.2f h left "
			         "estimated, %.2f h taken", bc->recipe, i + 1,
			         est / 3600, taken / 3600);
	}
	assert_true(batch_s <= max_s);
	assert_true(yield_pct >= bc->yield->min_pct);
	assert_true(yield_pct <= bc->yield->max_pct);
	/* the core's own count of the oil agrees with the receiver */
	assert_true(fabs(core_oil_g(&g->rig.core) - g->rig.model.oil_receiver_g) <= 2);
	/* pressure in band through distillation, and regulated */
	assert_true(g->distil_ticks > 0);
	assert_true(g->distil_p_min_kpa >= p_lo_kpa);
	assert_true(g->distil_p_max_kpa <= p_hi_kpa);
	batch_check_regulation(g);
	/* a clean batch: no interlock, never held, steam shut at the end */
	for (int k = 0; k < g->rig.core.n_alarms; k++)
		if (g->rig.core.alarms[k].trip && cl_seen(g, g->rig.core.alarms[k].id))
			fail_msg("interlock %s in a normal batch", g->rig.core.alarms[k].id);
	cl_dump(g);
	assert_false(cl_seen(g, "step_timeout"));
	/* an economic step ends on its own, once, and says so */
	if (strstr(r->name, "-economic")) {
		assert_int_equal(g->n_decisions, 1);
		assert_string_equal(g->decision, "economic end");
	} else {
		assert_int_equal(g->n_decisions, 0);
	}
	assert_false(cl_seen(g, "batch_timeout"));
	assert_false(cl_seen(g, "distillate_high"));
	assert_true(g->rig.out.steam_pct == g->rig.plant.safe_steam_pct);
	free(g);
	return batch_s;
}

static void batches_with_test_recipes(void **state)
{
	struct rcp_recipe *r = malloc(sizeof *r);
	double t[3];

	(void)state;
	assert_non_null(r);
	for (int i = 0; i < 3; i++) {
		const struct batch_case *bc = &batches[i];

		recipe_make(r, bc->recipe, bc->oil_end_g_per_h, bc->distil_max_s,
		            bc->dist_low_c);
		/* the loop holds its target within half a kPa */
		t[i] = run_batch(bc, r, TEST_TARGET_KPA - BAND_KPA,
		                 TEST_TARGET_KPA + BAND_KPA);
	}
	/* bark takes longer than leaf, star anise longest (process.md) */
	assert_true(t[1] > t[0]);
	assert_true(t[2] > t[1]);
	free(r);
}

/* Runs each bundled recipes/FEED{suffix}.yaml, loaded against plant. */
static void run_bundled(const struct cfg_plant *plant, const char *suffix)
{
	struct rcp_recipe *r = calloc(1, sizeof *r);
	char path[CFG_PATH_MAX];
	struct diag d;

	assert_non_null(r);
	for (int i = 0; i < 3; i++) {
		const struct batch_case *bc = &batches[i];
		double target;

		snprintf(path, sizeof path, "recipes/%s%s.yaml", bc->recipe, suffix);
		diag_init(&d);
		if (rcp_load(r, path, plant, &d) < 0) {
			diag_print(&d, stderr);
			fail_msg("%s does not load", path);
		}
		assert_string_equal(r->feedstock, bc->feed->name);
		/* the distil step's pressure target: near atmospheric ("a few
		 * kPa gauge", process.md), well below the high alarm; the loop
		 * holds it within half a kPa */
		target = 0;
		for (int s = 0; s < r->n_steps; s++)
			if (r->steps[s].kind == RCP_DISTIL)
				target = r->steps[s].target;
		assert_true(target > 0 && target <= 10);
		assert_true(target + BAND_KPA < plant->limits.pressure_high_kpa);
		run_batch(bc, r, target - BAND_KPA, target + BAND_KPA);
		rcp_free(r);
	}
	free(r);
}

static void batches_with_bundled_recipes(void **state)
{
	struct cfg_plant *plant = malloc(sizeof *plant);

	(void)state;
	assert_non_null(plant);
	cfg_defaults(plant);
	run_bundled(plant, "");
	free(plant);
}

/* The economic variants with config/plant.yaml's prices: the distil step
 * ends on its own (no step timeout, one "economic end" decision). */
static void economic_batches_end_on_their_own(void **state)
{
	struct cfg_plant *plant = malloc(sizeof *plant);
	struct diag d;

	(void)state;
	assert_non_null(plant);
	diag_init(&d);
	if (cfg_load(plant, "config/plant.yaml", &d) < 0) {
		diag_print(&d, stderr);
		fail_msg("config/plant.yaml does not load");
	}
	assert_true(plant->econ.set);
	cl_econ = plant->econ;
	run_bundled(plant, "-economic");
	econ_defaults(&cl_econ);
	free(plant);
}

/* ---- faults ------------------------------------------------------------- */

/* A leaf batch an hour into distillation. */
static struct cl *cl_distilling(struct rcp_recipe *r)
{
	struct cl *g = cl_new();

	recipe_make(r, "cassia-leaf", 100, 5 * 3600, NAN);
	cl_start(g, r, &feed_leaf, 500);
	for (int i = 0; i < 200000 && !(g->rig.core.step == 2 &&
	                                 g->rig.core.step_elapsed_s > 3600); i++)
		cl_tick(g);
	assert_int_equal(g->rig.core.state, CORE_RUNNING);
	assert_int_equal(g->rig.core.step, 2);
	assert_true(g->rig.model.steam_pos_pct > 20);
	return g;
}

/* The fault ended in: trip alarm on and latched, batch held, steam shut
 * (commanded at once; the valve itself closed within its stroke time). */
static void assert_tripped(struct cl *g, const char *id)
{
	const struct core_alarm *a = core_alarm_find(&g->rig.core, id);

	assert_non_null(a);
	if (!a->latched_trip)
		fail_msg("%s not latched", id);
	assert_true(g->trip_steam_ok);
	assert_int_equal(g->rig.core.state, CORE_HELD);
	assert_true(g->rig.out.steam_pct == g->rig.plant.safe_steam_pct);
	assert_true(g->rig.model.steam_pos_pct < 1);
	assert_int_equal(cl_cmd(g, CORE_CMD_RESTART), -1);
	assert_non_null(strstr(g->rig.cause, "latched"));
}

static void blocked_line_trips(void **state)
{
	struct rcp_recipe r;
	struct cl *g = cl_distilling(&r);

	(void)state;
	g->rig.model.faults.line_blocked = 1;
	cl_run_for(g, 1200);
	/* the loop cuts the steam to the step's floor: a slow rise to the
	 * high alarm, then the trip */
	assert_true(cl_seen(g, "pressure_high"));
	assert_true(cl_seen(g, "pressure_hh") || cl_seen(g, "relief_lifted"));
	assert_tripped(g, cl_seen(g, "pressure_hh") ? "pressure_hh"
	                                              : "relief_lifted");
	free(g);
}

static void cooling_lost_trips(void **state)
{
	struct rcp_recipe r;
	struct cl *g = cl_distilling(&r);

	(void)state;
	g->rig.model.faults.cooling_lost = 1;
	cl_run_for(g, 300);
	assert_tripped(g, "cooling_lost");
	/* restore the water: ack, reset, restart and the batch goes on */
	g->rig.model.faults.cooling_lost = 0;
	cl_run_for(g, 120);
	assert_int_equal(cl_cmd(g, CORE_CMD_ACK), 0);
	assert_int_equal(cl_cmd(g, CORE_CMD_RESET), 0);
	assert_int_equal(cl_cmd(g, CORE_CMD_RESTART), 0);
	assert_int_equal(rig_run_until(&g->rig, CORE_COMPLETE, 6 * 3600), 0);
	free(g);
}

static void stalled_controller_watchdog(void **state)
{
	struct rcp_recipe r;
	struct cl *g = cl_distilling(&r);
	double pos = g->rig.model.steam_pos_pct;

	(void)state;
	/* the controller stops writing for 10 s: the field watchdog shuts
	 * the steam on its own */
	for (int i = 0; i < 50; i++)
		cl_tick_stalled(g);
	assert_true(g->rig.model.watchdog_tripped);
	assert_true(g->rig.model.steam_pos_pct < pos - 5);
	/* back: it sees the watchdog bit and holds with safe outputs */
	cl_tick(g);
	assert_true(core_alarm_find(&g->rig.core, "watchdog")->active);
	assert_true(g->rig.out.steam_pct == g->rig.plant.safe_steam_pct);
	cl_run_for(g, 120);
	assert_tripped(g, "watchdog");
	/* the heartbeat is back, so the bit clears; it stays latched */
	assert_false(core_alarm_find(&g->rig.core, "watchdog")->active);
	assert_int_equal(cl_cmd(g, CORE_CMD_ACK), 0);
	assert_int_equal(cl_cmd(g, CORE_CMD_RESET), 0);
	assert_int_equal(cl_cmd(g, CORE_CMD_RESTART), 0);
	cl_run_for(g, 300);
	assert_int_equal(g->rig.core.state, CORE_RUNNING);
	assert_true(g->rig.model.steam_pos_pct > 20);
	free(g);
}

static void broken_transmitter_trips(void **state)
{
	struct rcp_recipe r;
	struct cl *g = cl_distilling(&r);

	(void)state;
	g->rig.model.faults.sensor_broken[CFG_TAG_PRESSURE] = 1;
	cl_run_for(g, 120);
	assert_tripped(g, "sensor_pressure");
	assert_int_equal(g->rig.core.tag_quality[CFG_TAG_PRESSURE], CORE_Q_BAD);
	free(g);
}

static void stuck_transmitter_trips(void **state)
{
	struct rcp_recipe r;
	struct cl *g = cl_distilling(&r);
	double t0 = g->rig.now_s;

	(void)state;
	/* a reading that freezes while the loop moves the steam valve */
	g->rig.model.faults.sensor_stuck[CFG_TAG_PRESSURE] = 1;
	for (int i = 0; i < 100000 && g->rig.core.state == CORE_RUNNING; i++)
		cl_tick(g);
	assert_true(g->rig.now_s - t0 >= g->rig.plant.limits.sensor_frozen_s);
	cl_run_for(g, 120);
	assert_tripped(g, "sensor_pressure");
	assert_non_null(strstr(core_alarm_find(&g->rig.core, "sensor_pressure")->message,
	                       "frozen"));
	free(g);
}

static void comm_loss_trips(void **state)
{
	struct rcp_recipe r;
	struct cl *g = cl_distilling(&r);

	(void)state;
	g->rig.comm_down = 1;
	for (int i = 0; i < g->rig.plant.comm_loss_ticks - 1; i++) {
		cl_tick(g);
		assert_int_equal(g->rig.core.state, CORE_RUNNING);
	}
	cl_tick(g);
	assert_int_equal(g->rig.core.state, CORE_HOLDING);
	assert_true(g->rig.out.steam_pct == g->rig.plant.safe_steam_pct);
	/* the writes still reach the valve (a read-side fault): it closes */
	cl_run_for(g, 120);
	assert_true(g->rig.model.steam_pos_pct < 1);
	g->rig.comm_down = 0;
	cl_run_for(g, 5);
	assert_tripped(g, "comm_loss");
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batches_with_test_recipes),
		cmocka_unit_test(batches_with_bundled_recipes),
		cmocka_unit_test(blocked_line_trips),
		cmocka_unit_test(cooling_lost_trips),
		cmocka_unit_test(stalled_controller_watchdog),
		cmocka_unit_test(broken_transmitter_trips),
		cmocka_unit_test(stuck_transmitter_trips),
		cmocka_unit_test(comm_loss_trips),
		cmocka_unit_test(economic_batches_end_on_their_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
