/*
 * test_model: the plant model against the published figures in
 * ../shared/reference/process.md and the contract in simulator/model.h.
 * A small "rig" plays the controller: it writes valve commands and a
 * changing heartbeat every step, as stillroomd would.
 */
/* links: simulator/model.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

#define DT_S 0.5
#define MIN_S 60.0
#define HOUR_S 3600.0

/* The rows of simulator/feedstocks.yaml, as the loader would give them. */
static const struct model_feed feed_leaf = {
	"cassia-leaf", 0.007, 0.30, 0.10, 0.012, 0.3, 1.9, 15, 1.06, -10, 0.15,
};
static const struct model_feed feed_bark = {
	"cassia-bark", 0.020, 0.15, 0.08, 0.0055, 0.3, 1.7, 12, 1.044, -10, 0.12,
};
static const struct model_feed feed_anise = {
	"star-anise", 0.100, 0.10, 0.05, 0.0012, 0.3, 1.8, 12, 0.985, 16, 0.10,
};

/* process.md validation table. */
static const double table_t_min[] = {0, 5, 10, 20, 30, 45, 60, 90, 120, 180};
#define TABLE_N (sizeof table_t_min / sizeof table_t_min[0])
static const double table_two_stage[TABLE_N] = {
	0, 0.255, 0.405, 0.573, 0.672, 0.772, 0.840, 0.921, 0.961, 0.991,
};
static const double table_first_order[TABLE_N] = {
	0, 0.079, 0.153, 0.282, 0.391, 0.525, 0.630, 0.775, 0.863, 0.949,
};

struct rig {
	struct model_still m;
	uint16_t heartbeat;
	double steam_cmd_pct;     /* for the flow controller */
};

static void rig_start(struct rig *r, const struct model_params *p,
                      const struct model_feed *feed, double kg)
{
	struct model_params def;

	if (p == NULL) {
		model_params_default(&def);
		p = &def;
	}
	memset(r, 0, sizeof *r);
	model_init(&r->m, p);
	model_charge(&r->m, feed, kg, -1);
}

/* One controller tick: write commands and a fresh heartbeat, then step. */
static void rig_tick(struct rig *r, double steam_pct, double cooling_pct)
{
	model_write(&r->m, steam_pct, cooling_pct, ++r->heartbeat);
	model_step(&r->m, DT_S);
}

static void rig_run(struct rig *r, double steam_pct, double cooling_pct,
                    double s)
{
	for (double t = 0; t < s; t += DT_S)
		rig_tick(r, steam_pct, cooling_pct);
}

static double rig_read(const struct rig *r, enum cfg_tag tag)
{
	struct model_io io;

	model_read(&r->m, &io);
	return io.value[tag];
}

static uint32_t rig_status(const struct rig *r)
{
	struct model_io io;

	model_read(&r->m, &io);
	return io.status;
}

/* A steam-flow loop as a plant would run it: integral action on the
 * flowmeter reading, 0.01 % per (kg/h) s. */
static void rig_tick_flow(struct rig *r, double flow_kg_h)
{
	double err = flow_kg_h - rig_read(r, CFG_TAG_STEAM_FLOW);

	r->steam_cmd_pct += 0.01 * err * DT_S;
	if (r->steam_cmd_pct < 0)
		r->steam_cmd_pct = 0;
	if (r->steam_cmd_pct > 100)
		r->steam_cmd_pct = 100;
	rig_tick(r, r->steam_cmd_pct, 100);
}

/* q at the table's times, steam held at ratio x the feed's reference. */
static void curve_run(const struct model_feed *feed, double ratio,
                      double q[TABLE_N])
{
	struct rig r;
	double flow, t;
	size_t i = 0;

	rig_start(&r, NULL, feed, 500);
	flow = ratio * feed->ref_steam_kg_per_h_per_kg * 500;
	r.steam_cmd_pct = 50;
	while (r.m.distillate_started_s < 0 && r.m.t_s < 2 * HOUR_S)
		rig_tick_flow(&r, flow);
	assert_true(r.m.distillate_started_s > 0);
	while (i < TABLE_N) {
		t = (r.m.t_s - r.m.distillate_started_s) / MIN_S;
		while (i < TABLE_N && t >= table_t_min[i])
			q[i++] = r.m.oil_receiver_g / r.m.oil_total_g;
		rig_tick_flow(&r, flow);
	}
}

static void curve_check(const struct model_feed *feed, const double *table)
{
	double q[TABLE_N];
	int bad = 0;

	curve_run(feed, 1.0, q);
	for (size_t i = 0; i < TABLE_N; i++) {
		if (fabs(q[i] - table[i]) > 0.03) {
			printf("# %s t=%g min q=%.3f table %.3f\n", feed->name,
			       table_t_min[i], q[i], table[i]);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_curve_two_stage(void **state)
{
	struct model_feed f = feed_leaf;

	(void)state;
	f.wash_frac = 0.3412;
	f.kw_per_min = 0.1515;
	f.kd_per_min = 0.0236;
	curve_check(&f, table_two_stage);
}

static void test_curve_first_order(void **state)
{
	struct model_feed f = feed_leaf;

	(void)state;
	f.wash_frac = 0;
	f.kw_per_min = 0;
	f.kd_per_min = 0.01655;
	curve_check(&f, table_first_order);
}

/* More steam releases oil faster, less steam slower. */
static void test_curve_steam_rate(void **state)
{
	double slow[TABLE_N], ref[TABLE_N], fast[TABLE_N];

	(void)state;
	curve_run(&feed_leaf, 0.5, slow);
	curve_run(&feed_leaf, 1.0, ref);
	curve_run(&feed_leaf, 2.0, fast);
	assert_true(slow[4] < ref[4] - 0.05);
	assert_true(fast[4] > ref[4] + 0.05);
	/* saturating: doubling steam gains less than halving it loses */
	assert_true(fast[4] - ref[4] < ref[4] - slow[4]);
}

/* Full steam, full cooling on 500 kg of leaf: heat-up as process.md says,
 * then normal running at a few kPa, saturation, distillate 25-40 C. */
static void test_heat_up(void **state)
{
	struct rig r;

	(void)state;
	rig_start(&r, NULL, &feed_leaf, 500);
	while (r.m.distillate_started_s < 0 && r.m.t_s < HOUR_S)
		rig_tick(&r, 100, 100);
	printf("# first distillate %.1f min, %.1f kg steam\n",
	       r.m.distillate_started_s / MIN_S, r.m.steam_used_kg);
	assert_true(r.m.distillate_started_s >= 10 * MIN_S);
	assert_true(r.m.distillate_started_s <= 30 * MIN_S);
	/* process.md: ~43 kg for the charge and steel alone; wet steam,
	 * losses and the condensate's own heat add to it */
	assert_true(r.m.steam_used_kg > 43 && r.m.steam_used_kg < 65);
	rig_run(&r, 100, 100, 20 * MIN_S);
	assert_true(r.m.pressure_kpa > 1 && r.m.pressure_kpa < 10);
	assert_true(r.m.bed_c > 100 && r.m.bed_c < 102);
	assert_true(r.m.distillate_c > 25 && r.m.distillate_c < 40);
	assert_true(r.m.vapour_kg_h > 200 && r.m.vapour_kg_h < 300);
	assert_true(r.m.condensate_kg <= 0.15 * 500 + 1e-9);
	assert_true(rig_status(&r) & CFG_STATUS_CHARGE_LOADED);
}

/*
 * The vapour line's pressure drop sets the steam rate a pressure loop
 * holds. The bundled recipes distil at RECIPE_TARGET_KPA: on the default
 * still that target must lie inside the steam valve's working range (the
 * loop regulates, not pinned open or shut), and full steam must stay well
 * clear of the high alarm (config/plant.yaml) in normal running.
 */
#define RECIPE_TARGET_KPA 5.0     /* the bundled recipes' distil step */
#define PRESSURE_HIGH_KPA 25.0    /* config/plant.yaml limits */
#define VALVE_WORK_MIN_PCT 40.0
#define VALVE_WORK_MAX_PCT 90.0

/* Steady pressure, kPa, with the steam valve held at pct on a boiling
 * 500 kg leaf charge. */
static double steady_kpa(struct rig *r, double pct)
{
	rig_run(r, pct, 100, 10 * MIN_S);
	return r->m.pressure_kpa;
}

static void test_working_range(void **state)
{
	struct rig r;
	double lo, hi, full;

	(void)state;
	rig_start(&r, NULL, &feed_leaf, 500);
	rig_run(&r, 100, 100, 30 * MIN_S); /* through heat-up */
	lo = steady_kpa(&r, VALVE_WORK_MIN_PCT);
	hi = steady_kpa(&r, VALVE_WORK_MAX_PCT);
	full = steady_kpa(&r, 100);
	printf("# line: %.2f kPa at %g %%, %.2f at %g %%, %.2f at 100 %% "
	       "(%.0f kg/h vapour)\n", lo, VALVE_WORK_MIN_PCT, hi,
	       VALVE_WORK_MAX_PCT, full, r.m.vapour_kg_h);
	assert_true(lo < RECIPE_TARGET_KPA - 1);
	assert_true(hi > RECIPE_TARGET_KPA + 0.3);
	/* "a few kPa gauge in normal running" (process.md) */
	assert_true(full < PRESSURE_HIGH_KPA / 2);
	assert_true(r.m.bed_c > 100 && r.m.bed_c < 102);
}

static double yield_pct(const struct model_feed *feed, double hours)
{
	struct rig r;

	rig_start(&r, NULL, feed, 500);
	rig_run(&r, 100, 100, hours * HOUR_S);
	assert_true(r.m.oil_receiver_g / r.m.oil_total_g > 0.98);
	assert_true(r.m.oil_lost_g < 1e-9 && r.m.oil_congealed_g < 1e-9);
	printf("# %s %.2f %% after %g h\n", feed->name,
	       r.m.oil_receiver_g / 1000 / 500 * 100, hours);
	return rig_read(&r, CFG_TAG_OIL) / 1000 / 500 * 100;
}

static void test_yields(void **state)
{
	double y;

	(void)state;
	y = yield_pct(&feed_leaf, 8);
	assert_true(y >= 0.5 && y <= 0.8);
	y = yield_pct(&feed_bark, 16);
	assert_true(y >= 1.2 && y <= 3.4);
	y = yield_pct(&feed_anise, 60);
	assert_true(y >= 8 && y <= 12);
}

/* A batch with everything in it: heat-up, distilling, a blocked line with
 * the relief valve lifting, hot distillate, steam off and cooling down. */
static void batch_run(struct rig *r, double dt_s)
{
	double t = 0;

	rig_start(r, NULL, &feed_leaf, 500);
	for (; t < 6 * HOUR_S; t += dt_s) {
		double steam = t < 2 * HOUR_S ? 100 : t < 5 * HOUR_S ? 60 : 0;

		r->m.faults.line_blocked = t > 80 * MIN_S && t < 90 * MIN_S;
		r->m.faults.cooling_lost = t > 150 * MIN_S && t < 160 * MIN_S;
		model_write(&r->m, steam, 100, ++r->heartbeat);
		model_step(&r->m, dt_s);
	}
}

static void test_energy_balance(void **state)
{
	struct rig r;
	struct model_energy e;
	double imb, c, stored, h_s;

	(void)state;
	batch_run(&r, DT_S);
	imb = model_energy(&r.m, &e);
	printf("# energy: in %.0f kJ, stored %.0f, loss %.0f, vapour %.0f, "
	       "imbalance %.2e\n", e.steam_in_kj, e.stored_kj, e.loss_kj,
	       e.vapour_out_kj, imb);
	assert_true(fabs(imb) < 0.01);
	assert_true(e.stored_kj > 0 && e.loss_kj > 0 && e.vapour_out_kj > 0);
	/* each term against what it should be, independently */
	h_s = 0.9 * 2257 + 4.186 * (100 - 25); /* wet steam, vs 25 C water */
	assert_true(fabs(e.steam_in_kj - r.m.steam_used_kg * h_s) <
	            1e-6 * e.steam_in_kj);
	c = 500 * feed_leaf.c_kj_per_kg_k + 800 * 0.5 +
	    (r.m.condensate_kg + r.m.sump_kg) * 4.186;
	stored = c * (r.m.bed_c - 25);
	assert_true(fabs(e.stored_kj - stored) < 0.01 * stored);
	/* about 1 kg of steam per kg of charge over a batch (process.md) */
	assert_true(r.m.steam_used_kg > 500 && r.m.steam_used_kg < 2500);
}

/* Any dt <= 1 s gives the same batch. */
static void test_dt_independent(void **state)
{
	struct rig a, b;

	(void)state;
	batch_run(&a, 0.1);
	batch_run(&b, 1.0);
	assert_true(fabs(a.m.distillate_started_s - b.m.distillate_started_s)
	            < 5);
	assert_true(fabs(a.m.oil_receiver_g - b.m.oil_receiver_g) <
	            0.01 * a.m.oil_receiver_g);
	assert_true(fabs(a.m.bed_c - b.m.bed_c) < 0.5);
}

static void test_relief(void **state)
{
	struct rig r;
	double p0, p_max = 0, lifted_s = -1;

	(void)state;
	rig_start(&r, NULL, &feed_leaf, 500);
	rig_run(&r, 100, 100, 30 * MIN_S);
	p0 = r.m.pressure_kpa;
	assert_false(rig_status(&r) & CFG_STATUS_RELIEF_LIFTED);
	r.m.faults.line_blocked = 1;
	rig_run(&r, 100, 100, MIN_S);
	/* quickly: faster than the default 10 kPa/min rise alarm */
	assert_true(rig_read(&r, CFG_TAG_PRESSURE) > p0 + 10);
	for (double t = 0; t < 10 * MIN_S; t += DT_S) {
		rig_tick(&r, 100, 100);
		if (r.m.pressure_kpa > p_max)
			p_max = r.m.pressure_kpa;
		if (lifted_s < 0 && (rig_status(&r) & CFG_STATUS_RELIEF_LIFTED))
			lifted_s = t;
	}
	assert_true(lifted_s >= 0);
	assert_true(p_max >= r.m.p.relief_set_kpa);
	assert_true(p_max < r.m.p.relief_set_kpa * 1.1);
	assert_true(r.m.bed_c > 110); /* saturation follows pressure */
	r.m.faults.line_blocked = 0;
	rig_run(&r, 100, 100, 5 * MIN_S);
	assert_true(r.m.pressure_kpa < 10);
	assert_false(rig_status(&r) & CFG_STATUS_RELIEF_LIFTED);
}

static void test_watchdog(void **state)
{
	struct rig r;
	double wd, travel, t = 0;

	(void)state;
	rig_start(&r, NULL, &feed_leaf, 500);
	rig_run(&r, 100, 100, 20 * MIN_S);
	assert_true(r.m.steam_pos_pct > 99);
	wd = r.m.p.watchdog_s;
	travel = 100 / r.m.p.valve_rate_pct_per_s;
	/* the controller dies: commands stay, heartbeat stops */
	while (t < wd - 2 * DT_S) {
		model_step(&r.m, DT_S);
		t += DT_S;
	}
	assert_false(rig_status(&r) & CFG_STATUS_WATCHDOG);
	while (t < wd + travel + DT_S) {
		model_step(&r.m, DT_S);
		t += DT_S;
	}
	assert_true(rig_status(&r) & CFG_STATUS_WATCHDOG);
	assert_true(rig_read(&r, CFG_TAG_STEAM_POS) <= 0.2);
	assert_true(r.m.steam_flow_kg_h == 0);
	assert_true(r.m.steam_cmd_pct == 100); /* the command is not ours */
	/* the same heartbeat again is not a sign of life */
	model_write(&r.m, 100, 100, r.heartbeat);
	model_step(&r.m, DT_S);
	assert_true(rig_status(&r) & CFG_STATUS_WATCHDOG);
	/* it comes back */
	rig_run(&r, 100, 100, 10);
	assert_false(rig_status(&r) & CFG_STATUS_WATCHDOG);
	assert_true(r.m.steam_pos_pct > 5);
}

/* Heat-up under way, for the sensor-fault tests. */
static void rig_heating(struct rig *r)
{
	rig_start(r, NULL, &feed_leaf, 500);
	rig_run(r, 100, 100, 3 * MIN_S);
}

static void test_fault_stuck(void **state)
{
	struct rig r;
	double frozen, noise = 0.2;

	(void)state;
	rig_heating(&r);
	r.m.faults.sensor_stuck[CFG_TAG_STILL_TEMP] = 1;
	rig_tick(&r, 100, 100);
	frozen = rig_read(&r, CFG_TAG_STILL_TEMP);
	assert_true(fabs(frozen - r.m.bed_c) < noise);
	rig_run(&r, 100, 100, 3 * MIN_S);
	assert_true(r.m.bed_c > frozen + 10);
	assert_true(rig_read(&r, CFG_TAG_STILL_TEMP) == frozen);
	/* others are still alive */
	assert_true(fabs(rig_read(&r, CFG_TAG_VAPOUR_TEMP) - r.m.vapour_c) <
	            noise);
	r.m.faults.sensor_stuck[CFG_TAG_STILL_TEMP] = 0;
	rig_tick(&r, 100, 100);
	assert_true(fabs(rig_read(&r, CFG_TAG_STILL_TEMP) - r.m.bed_c) < noise);
	assert_false(rig_status(&r) & CFG_STATUS_SENSOR_FAULT);
}

static void test_fault_drift(void **state)
{
	struct rig r;

	(void)state;
	rig_heating(&r);
	r.m.faults.sensor_drift_per_min[CFG_TAG_PRESSURE] = 0.5;
	rig_run(&r, 0, 100, 10 * MIN_S);
	assert_true(fabs(rig_read(&r, CFG_TAG_PRESSURE) -
	                 (r.m.pressure_kpa + 5)) < 0.2);
	r.m.faults.sensor_drift_per_min[CFG_TAG_PRESSURE] = 0;
	rig_tick(&r, 0, 100);
	assert_true(fabs(rig_read(&r, CFG_TAG_PRESSURE) - r.m.pressure_kpa) <
	            0.2);
}

/* A register map as config/plant.yaml has it for two tags. */
static void broken_map(struct cfg_reg map[CFG_TAG_COUNT])
{
	memset(map, 0, CFG_TAG_COUNT * sizeof *map);
	map[CFG_TAG_DISTILLATE_TEMP] = (struct cfg_reg){
		CFG_REG_INPUT, 3, 1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0, -20, 150,
	};
	map[CFG_TAG_COOLING_FLOW] = (struct cfg_reg){
		CFG_REG_INPUT, 4, 1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0, 0, 2000,
	};
}

static void test_fault_broken(void **state)
{
	struct cfg_reg map[CFG_TAG_COUNT];
	struct model_params p;
	struct rig r;

	(void)state;
	broken_map(map);
	model_params_default(&p);
	assert_true(isnan(p.broken_value[CFG_TAG_DISTILLATE_TEMP]));
	model_params_map(&p, map);
	rig_start(&r, &p, &feed_leaf, 500);
	rig_run(&r, 100, 100, 3 * MIN_S);
	assert_false(rig_status(&r) & CFG_STATUS_SENSOR_FAULT);
	r.m.faults.sensor_broken[CFG_TAG_DISTILLATE_TEMP] = 1;
	r.m.faults.sensor_broken[CFG_TAG_COOLING_FLOW] = 1;
	rig_tick(&r, 100, 100);
	/* signed: range_min - 25 % of the span; unsigned: the error code */
	assert_true(rig_read(&r, CFG_TAG_DISTILLATE_TEMP) == -20 - 0.25 * 170);
	assert_true(isnan(rig_read(&r, CFG_TAG_COOLING_FLOW)));
	assert_true(rig_status(&r) & CFG_STATUS_SENSOR_FAULT);
	r.m.faults.sensor_broken[CFG_TAG_DISTILLATE_TEMP] = 0;
	r.m.faults.sensor_broken[CFG_TAG_COOLING_FLOW] = 0;
	rig_tick(&r, 100, 100);
	assert_true(rig_read(&r, CFG_TAG_DISTILLATE_TEMP) > 20);
	assert_true(rig_read(&r, CFG_TAG_COOLING_FLOW) > 150);
	assert_false(rig_status(&r) & CFG_STATUS_SENSOR_FAULT);
}

static void test_fault_valves(void **state)
{
	struct rig r;
	double steam, cooling;

	(void)state;
	rig_heating(&r);
	steam = r.m.steam_pos_pct;
	cooling = r.m.cooling_pos_pct;
	r.m.faults.steam_valve_stuck = 1;
	r.m.faults.cooling_valve_stuck = 1;
	rig_run(&r, 0, 0, 2 * MIN_S);
	assert_true(r.m.steam_pos_pct == steam);
	assert_true(r.m.cooling_pos_pct == cooling);
	assert_true(rig_read(&r, CFG_TAG_STEAM_FLOW) > 200);
	r.m.faults.steam_valve_stuck = 0;
	rig_run(&r, 0, 0, 2 * MIN_S);
	assert_true(r.m.steam_pos_pct == 0);
	assert_true(r.m.cooling_pos_pct == cooling);
	assert_true(rig_read(&r, CFG_TAG_STEAM_FLOW) == 0);
}

static void test_fault_cooling_lost(void **state)
{
	struct rig r;
	double lost0;

	(void)state;
	rig_start(&r, NULL, &feed_leaf, 500);
	rig_run(&r, 100, 100, 40 * MIN_S);
	lost0 = r.m.oil_lost_g;
	assert_true(lost0 < 1e-9);
	r.m.faults.cooling_lost = 1;
	rig_run(&r, 100, 100, 10 * MIN_S);
	assert_true(rig_read(&r, CFG_TAG_COOLING_FLOW) == 0);
	assert_true(rig_read(&r, CFG_TAG_DISTILLATE_TEMP) > 95);
	assert_true(r.m.oil_lost_g > 50);
	/* short cooling, not none: hot, some oil lost */
	r.m.faults.cooling_lost = 0;
	rig_run(&r, 100, 100, 10 * MIN_S);
	assert_true(r.m.distillate_c < 40);
	lost0 = r.m.oil_lost_g;
	rig_run(&r, 100, 40, 10 * MIN_S); /* below 60 % of what is needed */
	assert_true(r.m.distillate_c > 50 && r.m.distillate_c < 95);
	assert_true(r.m.oil_lost_g > lost0);
}

static void test_congeal(void **state)
{
	struct rig r;
	struct model_params p;
	double stuck, p_cold;

	(void)state;
	model_params_default(&p);
	p.cooling_in_c = 8;     /* winter water in Lang Son */
	rig_start(&r, &p, &feed_anise, 500);
	rig_run(&r, 100, 100, 60 * MIN_S);
	assert_true(r.m.distillate_c < feed_anise.congeal_c);
	assert_true(r.m.oil_congealed_g > 1000);
	assert_true(r.m.oil_congealed_g > 10 * r.m.oil_receiver_g);
	p_cold = r.m.pressure_kpa;
	/* crystals narrow the condenser: over twice the clean line's drop */
	assert_true(p_cold > 2 * p.line_kpa_per_kg_h * r.m.vapour_kg_h);
	/* warm the condenser: the crystals melt into the receiver */
	stuck = r.m.oil_congealed_g;
	rig_run(&r, 100, 40, 30 * MIN_S);
	assert_true(r.m.distillate_c > feed_anise.congeal_c + 2);
	assert_true(r.m.oil_congealed_g < 0.1 * stuck);
	assert_true(r.m.oil_receiver_g > stuck);
	assert_true(r.m.pressure_kpa < p_cold);
}

/* A scenario with every input kind in it, reading all registers. */
static void determinism_run(struct model_io *ios, int n)
{
	struct rig r;

	rig_start(&r, NULL, &feed_bark, 480);
	for (int i = 0; i < n; i++) {
		r.m.faults.line_blocked = i > 3000 && i < 3400;
		r.m.faults.sensor_drift_per_min[CFG_TAG_STILL_TEMP] =
			i > 1000 ? 0.3 : 0;
		r.m.faults.sensor_stuck[CFG_TAG_PRESSURE] = i > 2000 && i < 2500;
		if (i < 4000 || i > 4100) /* a watchdog trip */
			model_write(&r.m, 30 + (i / 50) % 70, 80, ++r.heartbeat);
		model_step(&r.m, i % 3 ? DT_S : 0.3);
		memset(&ios[i], 0, sizeof ios[i]);
		model_read(&r.m, &ios[i]);
	}
}

static void test_determinism(void **state)
{
	enum { N = 6000 };
	struct model_io *a = test_malloc(N * sizeof *a);
	struct model_io *b = test_malloc(N * sizeof *b);

	(void)state;
	determinism_run(a, N);
	determinism_run(b, N);
	assert_memory_equal(a, b, N * sizeof *a);
	/* and it did something */
	assert_true(a[N - 1].value[CFG_TAG_OIL] > 0);
	test_free(a);
	test_free(b);
}

/* Before any charge: an empty still, all readings sane. */
static void test_empty(void **state)
{
	struct model_params p;
	struct model_still m;
	struct model_io io;

	(void)state;
	model_params_default(&p);
	model_init(&m, &p);
	model_read(&m, &io);
	assert_false(io.status & CFG_STATUS_CHARGE_LOADED);
	assert_true(fabs(io.value[CFG_TAG_STILL_TEMP] - p.ambient_c) < 0.2);
	assert_true(io.value[CFG_TAG_STEAM_FLOW] >= 0);
	assert_true(io.value[CFG_TAG_STEAM_POS] >= 0);
	for (int i = 0; i < 1200; i++) {
		model_write(&m, 100, 100, (uint16_t)i);
		model_step(&m, DT_S);
	}
	assert_true(m.bed_c > 99);    /* steel alone heats fast */
	assert_true(m.oil_receiver_g == 0);
	assert_true(m.distillate_started_s < 0);
	assert_true(fabs(model_energy(&m, NULL)) < 0.01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curve_two_stage),
		cmocka_unit_test(test_curve_first_order),
		cmocka_unit_test(test_curve_steam_rate),
		cmocka_unit_test(test_heat_up),
		cmocka_unit_test(test_working_range),
		cmocka_unit_test(test_yields),
		cmocka_unit_test(test_energy_balance),
		cmocka_unit_test(test_dt_independent),
		cmocka_unit_test(test_relief),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_fault_stuck),
		cmocka_unit_test(test_fault_drift),
		cmocka_unit_test(test_fault_broken),
		cmocka_unit_test(test_fault_valves),
		cmocka_unit_test(test_fault_cooling_lost),
		cmocka_unit_test(test_congeal),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
