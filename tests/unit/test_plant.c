/* Unit tests of simulator/plant.c: register images, faults, charges,
 * events, determinism, the stepping thread. */
/* links: simulator/plant.c simulator/model.c common/regmap.c common/clk.c common/diag.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <time.h>

#include "clk.h"
#include "plant.h"
#include "regmap.h"

/* Two feeds like simulator/feedstocks.yaml's first two; the numbers only
 * need to make oil. */
static void test_feeds(struct model_feed f[2])
{
	memset(f, 0, 2 * sizeof *f);
	snprintf(f[0].name, sizeof f[0].name, "cassia-leaf");
	f[0].yield_frac = 0.007;
	f[0].wash_frac = 0.3;
	f[0].kw_per_min = 0.1;
	f[0].kd_per_min = 0.01;
	f[0].ref_steam_kg_per_h_per_kg = 0.3;
	f[0].c_kj_per_kg_k = 1.9;
	f[0].moisture_pct = 15;
	f[0].oil_density_rel = 1.06;
	f[0].congeal_c = -10;
	f[0].condensate_hold_frac = 0.15;
	f[1] = f[0];
	snprintf(f[1].name, sizeof f[1].name, "cassia-bark");
	f[1].yield_frac = 0.02;
	f[1].moisture_pct = 12;
}

/* A plant of cfg (default when NULL), still 0 charged with 500 kg of leaf. */
static struct plant *test_plant(const struct cfg_plant *given)
{
	struct model_feed f[2];
	struct cfg_plant cfg;
	struct diag d;
	struct plant *pl;

	if (given == NULL)
		cfg_defaults(&cfg);
	else
		cfg = *given;
	test_feeds(f);
	diag_init(&d);
	pl = plant_new(&cfg, f, 2, &d);
	assert_non_null(pl);
	assert_int_equal(plant_charge(pl, 0, 0, 500, -1), 0);
	return pl;
}

/* A tag's value as a client decodes it from still's images. */
static double tag_value(struct plant *pl, int still, enum cfg_tag t)
{
	struct cfg_plant cfg;
	const struct cfg_reg *r;
	uint16_t w[2] = {0, 0};
	double v = NAN;

	cfg_defaults(&cfg);
	r = &cfg.map[t];
	for (int k = 0; k < r->words; k++)
		assert_int_equal(plant_reg_read(pl, still, r->type == CFG_REG_INPUT,
		                                 r->address + k, &w[k]), 0);
	assert_int_equal(regmap_decode(r, w, &v), 0);
	return v;
}

/* Writes an output tag as the controller would (default map). */
static void write_tag(struct plant *pl, int still, enum cfg_tag t, double v)
{
	struct cfg_plant cfg;
	uint16_t w[2];

	cfg_defaults(&cfg);
	regmap_encode(&cfg.map[t], v, w);
	assert_int_equal(plant_reg_write(pl, still, cfg.map[t].address, w[0]), 0);
}

static void ctl_write(struct plant *pl, int still, int reg, uint16_t v)
{
	assert_int_equal(plant_reg_write(pl, PLANT_UNIT_CONTROL,
	                                 PLANT_CTL_BLOCK * (still + 1) + reg, v), 0);
}

static uint16_t ctl_read(struct plant *pl, int still, int reg)
{
	uint16_t v = 0xdead;

	assert_int_equal(plant_reg_read(pl, PLANT_UNIT_CONTROL, 0,
	                                PLANT_CTL_BLOCK * (still + 1) + reg, &v), 0);
	return v;
}

/* The input image is exactly the model's reading through the map. */
static void test_image_matches_model(void **state)
{
	struct plant *pl = test_plant(NULL);
	struct cfg_plant cfg;
	struct model_still m;
	struct model_io io;

	(void)state;
	cfg_defaults(&cfg);
	write_tag(pl, 0, CFG_TAG_STEAM_CMD, 100);
	ctl_write(pl, 0, PLANT_CTL_WATCHDOG_OFF, 1);
	plant_run_for(pl, 900);
	plant_still_model(pl, 0, &m);
	model_read(&m, &io);
	io.value[CFG_TAG_STATUS] = io.status;
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		const struct cfg_reg *r = &cfg.map[t];
		uint16_t want[2], got;

		regmap_encode(r, io.value[t], want);
		for (int k = 0; k < r->words; k++) {
			assert_int_equal(plant_reg_read(pl, 0, 1, r->address + k, &got), 0);
			assert_int_equal(got, want[k]);
		}
	}
	assert_true(fabs(tag_value(pl, 0, CFG_TAG_STILL_TEMP) - m.bed_c) < 1.0);
	assert_true(tag_value(pl, 0, CFG_TAG_CHARGE) > 400);
	plant_free(pl);
}

/* A map with tags moved, in holding space and low word first, is honoured. */
static void test_custom_map(void **state)
{
	struct cfg_plant cfg;
	struct plant *pl;
	struct model_still m;
	uint16_t w[2];
	double v;
	int n_in, n_hold;

	(void)state;
	cfg_defaults(&cfg);
	cfg.map[CFG_TAG_OIL].type = CFG_REG_HOLDING;
	cfg.map[CFG_TAG_OIL].address = 40;
	cfg.map[CFG_TAG_OIL].order = CFG_WORDS_LOW_FIRST;
	cfg.map[CFG_TAG_STILL_TEMP].address = 300;
	cfg.map[CFG_TAG_STEAM_CMD].address = 7;
	pl = test_plant(&cfg);
	plant_regs_size(pl, 0, &n_in, &n_hold);
	assert_int_equal(n_in, 301);
	assert_int_equal(n_hold, 42);

	/* steam through the moved command register */
	regmap_encode(&cfg.map[CFG_TAG_STEAM_CMD], 100, w);
	assert_int_equal(plant_reg_write(pl, 0, 7, w[0]), 0);
	ctl_write(pl, 0, PLANT_CTL_WATCHDOG_OFF, 1);
	plant_run_for(pl, 3 * 3600);
	plant_still_model(pl, 0, &m);
	assert_true(m.oil_receiver_g > 100);
	assert_int_equal(plant_reg_read(pl, 0, 0, 40, &w[0]), 0);
	assert_int_equal(plant_reg_read(pl, 0, 0, 41, &w[1]), 0);
	assert_int_equal(regmap_decode(&cfg.map[CFG_TAG_OIL], w, &v), 0);
	assert_true(fabs(v - m.oil_receiver_g) <= 1.0);
	assert_int_equal(plant_reg_read(pl, 0, 1, 300, &w[0]), 0);
	assert_true(fabs((int16_t)w[0] / 10.0 - m.bed_c) < 1.0);
	plant_free(pl);
}

/* Steam in: the charge heats; the charge-loaded bit is set. */
static void test_steam_heats(void **state)
{
	struct plant *pl = test_plant(NULL);
	double t0, status;

	(void)state;
	t0 = tag_value(pl, 0, CFG_TAG_STILL_TEMP);
	status = tag_value(pl, 0, CFG_TAG_STATUS);
	assert_true((unsigned)status & CFG_STATUS_CHARGE_LOADED);
	assert_false((unsigned)tag_value(pl, 1, CFG_TAG_STATUS) & CFG_STATUS_CHARGE_LOADED);
	write_tag(pl, 0, CFG_TAG_STEAM_CMD, 100);
	write_tag(pl, 0, CFG_TAG_COOLING_CMD, 100);
	for (int s = 0; s < 600; s++) {
		write_tag(pl, 0, CFG_TAG_HEARTBEAT, s);
		plant_run_for(pl, 1.0);
	}
	assert_true(tag_value(pl, 0, CFG_TAG_STILL_TEMP) > t0 + 20);
	assert_true(tag_value(pl, 0, CFG_TAG_STEAM_POS) > 99);
	assert_true(tag_value(pl, 0, CFG_TAG_STEAM_FLOW) > 100);
	/* the other still got no steam */
	assert_true(fabs(tag_value(pl, 1, CFG_TAG_STILL_TEMP) - t0) < 1.0);
	plant_free(pl);
}

/* The field watchdog: no heartbeat change for watchdog_ms closes the steam
 * and sets status bit 1; a new heartbeat clears it. */
static void test_watchdog(void **state)
{
	struct plant *pl = test_plant(NULL);
	struct model_still m;
	int hb = 0;

	(void)state;
	write_tag(pl, 0, CFG_TAG_STEAM_CMD, 100);
	for (int s = 0; s < 120; s++) {
		write_tag(pl, 0, CFG_TAG_HEARTBEAT, ++hb);
		plant_run_for(pl, 1.0);
	}
	assert_false((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	assert_true(tag_value(pl, 0, CFG_TAG_STEAM_POS) > 99);
	plant_run_for(pl, 2.0); /* exactly watchdog_ms: trips */
	assert_true((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	plant_run_for(pl, 120);
	assert_true(tag_value(pl, 0, CFG_TAG_STEAM_POS) < 0.1);
	plant_still_model(pl, 0, &m);
	assert_true(m.steam_flow_kg_h < 1e-6);
	write_tag(pl, 0, CFG_TAG_HEARTBEAT, ++hb);
	plant_run_for(pl, 1.0);
	assert_false((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	plant_run_for(pl, 3.0);
	assert_true((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	/* the watchdog_off control register releases it and holds it off */
	ctl_write(pl, 0, PLANT_CTL_WATCHDOG_OFF, 1);
	plant_run_for(pl, 0.2);
	assert_false((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	plant_run_for(pl, 60);
	assert_false((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	assert_true(tag_value(pl, 0, CFG_TAG_STEAM_POS) > 50);
	plant_free(pl);
}

/* At a speed-up the field watchdog keeps a wall-clock floor of
 * CLK_WALL_FLOOR_MS: at 100x the bundled 2 s become 50 s of process time
 * (0.5 s of wall time); at speed 1 they stay 2 s. */
static void test_watchdog_speed_floor(void **state)
{
	struct plant *pl = test_plant(NULL);
	int hb = 0;

	(void)state;
	assert_true(fabs(clk_speed_window_s(2, 1) - 2) < 1e-9);
	assert_true(fabs(clk_speed_window_s(2, 4) - 2) < 1e-9);
	assert_true(fabs(clk_speed_window_s(2, 100) - 50) < 1e-9);
	assert_true(fabs(clk_speed_window_s(2, 1000) - 500) < 1e-9);
	assert_true(fabs(clk_speed_window_s(0.1, 100) - 10) < 1e-9);
	assert_true(fabs(clk_speed_window_s(0.1, 1) - 0.1) < 1e-9);
	assert_int_equal(plant_start(pl, 100), 0);
	plant_stop(pl);
	write_tag(pl, 0, CFG_TAG_STEAM_CMD, 100);
	write_tag(pl, 0, CFG_TAG_HEARTBEAT, ++hb);
	plant_run_for(pl, 49.0);
	assert_false((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	plant_run_for(pl, 1.2);
	assert_true((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	plant_free(pl);
	pl = test_plant(NULL);
	assert_int_equal(plant_start(pl, 1), 0);
	plant_stop(pl);
	write_tag(pl, 0, CFG_TAG_HEARTBEAT, ++hb);
	plant_run_for(pl, 2.2);
	assert_true((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_WATCHDOG);
	plant_free(pl);
}

/* Control registers become model faults and wire faults, and clear. */
static void test_fault_registers(void **state)
{
	struct plant *pl = test_plant(NULL);
	struct plant_comm c;
	struct model_still m;

	(void)state;
	ctl_write(pl, 0, PLANT_CTL_COOLING_LOST, 1);
	ctl_write(pl, 0, PLANT_CTL_LINE_BLOCKED, 1);
	ctl_write(pl, 0, PLANT_CTL_SENSOR_STUCK + CFG_TAG_PRESSURE, 1);
	ctl_write(pl, 0, PLANT_CTL_SENSOR_BROKEN + CFG_TAG_VAPOUR_TEMP, 1);
	ctl_write(pl, 0, PLANT_CTL_SENSOR_DRIFT + CFG_TAG_STILL_TEMP, (uint16_t)-150);
	ctl_write(pl, 1, PLANT_CTL_REPLY_DELAY_MS, 800);
	ctl_write(pl, 1, PLANT_CTL_EXCEPTION, 4);
	ctl_write(pl, 1, PLANT_CTL_SILENT, 1);
	ctl_write(pl, 1, PLANT_CTL_STEAM_VALVE_STUCK, 1);
	plant_still_model(pl, 0, &m);
	assert_int_equal(m.faults.cooling_lost, 1);
	assert_int_equal(m.faults.line_blocked, 1);
	assert_int_equal(m.faults.sensor_stuck[CFG_TAG_PRESSURE], 1);
	assert_int_equal(m.faults.sensor_stuck[CFG_TAG_STILL_TEMP], 0);
	assert_int_equal(m.faults.sensor_broken[CFG_TAG_VAPOUR_TEMP], 1);
	assert_true(fabs(m.faults.sensor_drift_per_min[CFG_TAG_STILL_TEMP] + 1.5) < 1e-9);
	assert_int_equal(m.faults.steam_valve_stuck, 0);
	plant_comm(pl, 0, &c);
	assert_int_equal(c.delay_ms + c.exception + c.silent + c.drop, 0);
	plant_comm(pl, 1, &c);
	assert_int_equal(c.delay_ms, 800);
	assert_int_equal(c.exception, 4);
	assert_int_equal(c.silent, 1);
	assert_int_equal(c.drop, 0);

	/* the broken sensor shows as status bit 2 and an implausible value */
	plant_run_for(pl, 1.0);
	assert_true((unsigned)tag_value(pl, 0, CFG_TAG_STATUS) & CFG_STATUS_SENSOR_FAULT);
	assert_true(tag_value(pl, 0, CFG_TAG_VAPOUR_TEMP) < -20);

	/* clear one still, then every still */
	ctl_write(pl, 0, PLANT_CTL_CLEAR, 1);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CLEAR), 0);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_COOLING_LOST), 0);
	plant_still_model(pl, 0, &m);
	assert_int_equal(m.faults.cooling_lost + m.faults.line_blocked, 0);
	assert_int_equal(m.faults.sensor_broken[CFG_TAG_VAPOUR_TEMP], 0);
	assert_true(m.faults.sensor_drift_per_min[CFG_TAG_STILL_TEMP] == 0);
	plant_comm(pl, 1, &c);
	assert_int_equal(c.silent, 1);
	assert_int_equal(plant_reg_write(pl, PLANT_UNIT_CONTROL, PLANT_G_CLEAR_ALL, 1), 0);
	plant_comm(pl, 1, &c);
	assert_int_equal(c.delay_ms + c.exception + c.silent + c.drop, 0);
	plant_still_model(pl, 1, &m);
	assert_int_equal(m.faults.steam_valve_stuck, 0);
	plant_free(pl);
}

/* Read-only control registers ignore writes; the plant-wide ones say what
 * the plant is. */
static void test_control_read_only(void **state)
{
	struct plant *pl = test_plant(NULL);
	uint16_t v;
	int n_in, n_hold;

	(void)state;
	plant_regs_size(pl, PLANT_UNIT_CONTROL, &n_in, &n_hold);
	assert_int_equal(n_in, 0);
	assert_int_equal(n_hold, 3 * PLANT_CTL_BLOCK);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 1);
	ctl_write(pl, 0, PLANT_CTL_CHARGES, 9);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 1);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_FEED), 1);
	assert_int_equal(ctl_read(pl, 1, PLANT_CTL_FEED), 0);
	plant_run_for(pl, 70000);
	assert_int_equal(plant_reg_read(pl, PLANT_UNIT_CONTROL, 0, PLANT_G_TIME_HI, &v), 0);
	assert_int_equal(v, 70000 >> 16);
	assert_int_equal(plant_reg_read(pl, PLANT_UNIT_CONTROL, 0, PLANT_G_TIME_LO, &v), 0);
	assert_int_equal(v, 70000 & 0xffff);
	assert_int_equal(plant_reg_read(pl, PLANT_UNIT_CONTROL, 0, PLANT_G_STILLS, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(plant_reg_write(pl, PLANT_UNIT_CONTROL, PLANT_G_STILLS, 7), 0);
	assert_int_equal(plant_reg_read(pl, PLANT_UNIT_CONTROL, 0, PLANT_G_STILLS, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(plant_reg_write(pl, PLANT_UNIT_CONTROL, n_hold, 1), -1);
	assert_int_equal(plant_reg_read(pl, 0, 1, 12, &v), -1);
	plant_free(pl);
}

/* plant_regs_put stores only what a client changed. */
static void test_regs_put(void **state)
{
	struct plant *pl = test_plant(NULL);
	uint16_t before[3], after[3], v;

	(void)state;
	plant_regs_get(pl, 0, NULL, before);
	memcpy(after, before, sizeof after);
	after[1] = 555;
	/* another client wrote register 0 in the meantime */
	assert_int_equal(plant_reg_write(pl, 0, 0, 444), 0);
	plant_regs_put(pl, 0, before, after);
	assert_int_equal(plant_reg_read(pl, 0, 0, 0, &v), 0);
	assert_int_equal(v, 444);
	assert_int_equal(plant_reg_read(pl, 0, 0, 1, &v), 0);
	assert_int_equal(v, 555);
	plant_free(pl);
}

/* The load-charge command: fresh charge, receiver emptied, errors. */
static void test_load_charge(void **state)
{
	struct plant *pl = test_plant(NULL);
	struct model_still m;

	(void)state;
	write_tag(pl, 0, CFG_TAG_STEAM_CMD, 100);
	write_tag(pl, 0, CFG_TAG_COOLING_CMD, 100);
	ctl_write(pl, 0, PLANT_CTL_WATCHDOG_OFF, 1);
	plant_run_for(pl, 2 * 3600);
	assert_true(tag_value(pl, 0, CFG_TAG_OIL) > 100);

	ctl_write(pl, 0, PLANT_CTL_LOAD_KG, 600);
	ctl_write(pl, 0, PLANT_CTL_LOAD_MOISTURE, 100);
	ctl_write(pl, 0, PLANT_CTL_LOAD_FEED, 2);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_LOAD_FEED), 0);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_LOAD_ERROR), 0);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 2);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_FEED), 2);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGE_KG), 600);
	plant_still_model(pl, 0, &m);
	assert_string_equal(m.feed.name, "cassia-bark");
	assert_true(m.charge_kg == 600);
	assert_true(fabs(m.moisture_pct - 10.0) < 1e-9);
	assert_true(tag_value(pl, 0, CFG_TAG_OIL) == 0);
	assert_true(tag_value(pl, 0, CFG_TAG_CHARGE) > 500);

	/* mass 0: the last charge's; moisture 0: the feed's */
	ctl_write(pl, 0, PLANT_CTL_LOAD_KG, 0);
	ctl_write(pl, 0, PLANT_CTL_LOAD_MOISTURE, 0);
	ctl_write(pl, 0, PLANT_CTL_LOAD_FEED, 1);
	plant_still_model(pl, 0, &m);
	assert_string_equal(m.feed.name, "cassia-leaf");
	assert_true(m.charge_kg == 600);
	assert_true(m.moisture_pct == 15);

	/* a feed number past the list: refused, said, nothing changes */
	ctl_write(pl, 0, PLANT_CTL_LOAD_FEED, 3);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_LOAD_ERROR), 1);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 3);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_FEED), 1);
	/* an empty still with no mass given: refused as a bad mass */
	ctl_write(pl, 1, PLANT_CTL_LOAD_FEED, 1);
	assert_int_equal(ctl_read(pl, 1, PLANT_CTL_LOAD_ERROR), 2);
	assert_int_equal(ctl_read(pl, 1, PLANT_CTL_CHARGES), 0);
	assert_int_equal(plant_charge(pl, 0, 5, 500, -1), -1);
	assert_int_equal(plant_charge(pl, 9, 0, 500, -1), -1);
	assert_int_equal(plant_charge(pl, 0, 0, 0, -1), -1);
	assert_int_equal(plant_charge(pl, 0, 0, 500, 100), -1);
	ctl_write(pl, 0, PLANT_CTL_LOAD_MOISTURE, 1000);
	ctl_write(pl, 0, PLANT_CTL_LOAD_FEED, 1);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_LOAD_ERROR), 3);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 3);
	plant_free(pl);
}

/* Automatic reload after oil was made and the steam stayed shut. */
static void test_auto_reload(void **state)
{
	struct plant *pl = test_plant(NULL);

	(void)state;
	ctl_write(pl, 0, PLANT_CTL_WATCHDOG_OFF, 1);
	ctl_write(pl, 0, PLANT_CTL_AUTO_RELOAD_MIN, 30);
	/* steam shut but no oil yet: no reload */
	plant_run_for(pl, 3600);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 1);
	write_tag(pl, 0, CFG_TAG_STEAM_CMD, 100);
	write_tag(pl, 0, CFG_TAG_COOLING_CMD, 100);
	plant_run_for(pl, 2 * 3600);
	assert_true(tag_value(pl, 0, CFG_TAG_OIL) > 100);
	write_tag(pl, 0, CFG_TAG_STEAM_CMD, 0);
	/* 100 s for the valve to close, then 30 min shut */
	plant_run_for(pl, 100 + 29 * 60);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 1);
	plant_run_for(pl, 120);
	assert_int_equal(ctl_read(pl, 0, PLANT_CTL_CHARGES), 2);
	assert_true(tag_value(pl, 0, CFG_TAG_OIL) == 0);
	/* the other still, auto reload off, never reloads */
	assert_int_equal(ctl_read(pl, 1, PLANT_CTL_CHARGES), 0);
	plant_free(pl);
}

/* Scheduled events land at their step, on one still or all. */
static void test_schedule(void **state)
{
	struct plant *pl = test_plant(NULL);
	struct plant_event ev[] = {
		{20.0, 0, PLANT_EV_CTL, PLANT_CTL_COOLING_LOST, 0, 2},
		{10.0, 0, PLANT_EV_CTL, PLANT_CTL_COOLING_LOST, 1, 1},
		{10.0, -1, PLANT_EV_OUTPUT, CFG_TAG_STEAM_CMD, 55.5, 3},
		{10.0, -1, PLANT_EV_CTL, PLANT_CTL_REPLY_DELAY_MS, 300, 4},
	};
	struct plant_event bad = {1.0, 2, PLANT_EV_CTL, PLANT_CTL_SILENT, 1, 5};
	struct plant_event ro = {1.0, 0, PLANT_EV_CTL, PLANT_CTL_CHARGES, 1, 6};
	struct plant_event in = {1.0, 0, PLANT_EV_OUTPUT, CFG_TAG_STILL_TEMP, 1, 7};
	struct model_still m;
	struct plant_comm c;

	(void)state;
	assert_int_equal(plant_schedule(pl, &bad, 1), -1);
	assert_int_equal(plant_schedule(pl, &ro, 1), -1);
	assert_int_equal(plant_schedule(pl, &in, 1), -1);
	assert_int_equal(plant_schedule(pl, ev, 4), 0);
	plant_run_for(pl, 9.8);
	plant_still_model(pl, 0, &m);
	assert_int_equal(m.faults.cooling_lost, 0);
	plant_run_for(pl, 0.2);
	plant_still_model(pl, 0, &m);
	assert_int_equal(m.faults.cooling_lost, 1);
	assert_true(fabs(tag_value(pl, 1, CFG_TAG_STEAM_CMD) - 55.5) < 1e-9);
	plant_comm(pl, 1, &c);
	assert_int_equal(c.delay_ms, 300);
	plant_run_for(pl, 0.2); /* the model takes writes at its next step */
	plant_still_model(pl, 1, &m);
	assert_true(fabs(m.steam_cmd_pct - 55.5) < 1e-9);
	plant_run_for(pl, 9.8);
	plant_still_model(pl, 0, &m);
	assert_int_equal(m.faults.cooling_lost, 0);
	plant_free(pl);
}

/* The same events give bit-identical results however the time is sliced. */
static void test_deterministic(void **state)
{
	struct plant_event ev[] = {
		{0, -1, PLANT_EV_CTL, PLANT_CTL_WATCHDOG_OFF, 1, 1},
		{0, -1, PLANT_EV_OUTPUT, CFG_TAG_STEAM_CMD, 100, 2},
		{0, -1, PLANT_EV_OUTPUT, CFG_TAG_COOLING_CMD, 80, 3},
		{1800, 0, PLANT_EV_CTL, PLANT_CTL_COOLING_LOST, 1, 4},
		{2100, 0, PLANT_EV_CTL, PLANT_CTL_COOLING_LOST, 0, 5},
		{2400, 1, PLANT_EV_CTL, PLANT_CTL_LINE_BLOCKED, 1, 6},
	};
	struct plant *a = test_plant(NULL);
	struct plant *b = test_plant(NULL);
	uint16_t ia[16], ib[16];
	struct model_still ma, mb, m0;

	(void)state;
	assert_int_equal(plant_charge(a, 1, 1, 300, -1), 0);
	assert_int_equal(plant_charge(b, 1, 1, 300, -1), 0);
	assert_int_equal(plant_schedule(a, ev, 6), 0);
	assert_int_equal(plant_schedule(b, ev, 6), 0);
	plant_run_for(a, 3600);
	for (int s = 0; s < 3600; s++)
		plant_run_for(b, 1.0);
	assert_true(plant_time_s(a) == plant_time_s(b));
	for (int i = 0; i < 2; i++) {
		plant_regs_get(a, i, ia, NULL);
		plant_regs_get(b, i, ib, NULL);
		assert_memory_equal(ia, ib, 12 * sizeof ia[0]);
		plant_still_model(a, i, &ma);
		plant_still_model(b, i, &mb);
		assert_true(ma.oil_receiver_g == mb.oil_receiver_g);
		assert_true(ma.bed_c == mb.bed_c);
		assert_true(ma.pressure_kpa == mb.pressure_kpa);
	}
	/* and something happened: oil, and a blocked line's pressure */
	plant_still_model(a, 0, &m0);
	assert_true(m0.oil_receiver_g > 10);
	assert_true(ma.pressure_kpa > m0.pressure_kpa + 10);
	plant_free(a);
	plant_free(b);
}

/* Time advances in whole steps. */
static void test_run_for_steps(void **state)
{
	struct plant *pl = test_plant(NULL);

	(void)state;
	assert_true(plant_time_s(pl) == 0);
	plant_run_for(pl, 1.0);
	assert_true(fabs(plant_time_s(pl) - 1.0) < 1e-9);
	plant_run_for(pl, 0.3);
	assert_true(fabs(plant_time_s(pl) - 1.2) < 1e-9);
	plant_run_for(pl, 0.1);
	assert_true(fabs(plant_time_s(pl) - 1.2) < 1e-9);
	plant_free(pl);
}

/* Configs the simulator cannot serve are refused with sentences. */
static void test_new_rejects(void **state)
{
	struct model_feed f[2];
	struct cfg_plant cfg;
	struct diag d;

	(void)state;
	test_feeds(f);
	cfg_defaults(&cfg);
	cfg.stills[1].unit_id = 1;
	cfg.stills[0].unit_id = 247;
	diag_init(&d);
	assert_null(plant_new(&cfg, f, 2, &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.line[0], "config: still1: unit id 247 is the simulator-control unit");

	cfg_defaults(&cfg);
	snprintf(cfg.path, sizeof cfg.path, "plant.yaml");
	cfg.stills[1].unit_id = 1;
	cfg.stills[0].unit_id = 0;
	diag_init(&d);
	assert_null(plant_new(&cfg, f, 2, &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.line[0], "plant.yaml: still1: unit id 0 is outside 1..247");

	cfg_defaults(&cfg);
	cfg.stills[1].unit_id = 1;
	diag_init(&d);
	assert_null(plant_new(&cfg, f, 2, &d));
	assert_string_equal(d.line[0], "config: still1 and still2 share unit id 1");

	cfg_defaults(&cfg);
	cfg.n_stills = 0;
	diag_init(&d);
	assert_null(plant_new(&cfg, f, 2, &d));
	assert_string_equal(d.line[0], "config: no stills to simulate");

	cfg_defaults(&cfg);
	cfg.map[CFG_TAG_OIL].address = 65535;
	diag_init(&d);
	assert_null(plant_new(&cfg, f, 2, &d));
	assert_string_equal(d.line[0],
	                    "config: register map: oil at 65535 (2 words) is not addressable");
}

/* The thread keeps to the speed: about speed * wall seconds. */
static void test_thread_speed(void **state)
{
	struct plant *pl = test_plant(NULL);
	struct timespec ts = {0, 300000000};
	double t;

	(void)state;
	assert_int_equal(plant_start(pl, 1000), 0);
	assert_int_equal(plant_start(pl, 1000), -1);
	nanosleep(&ts, NULL);
	plant_stop(pl);
	t = plant_time_s(pl);
	/* 300 s of simulated time, give or take a loaded machine */
	assert_true(t >= 150 && t <= 400);
	plant_stop(pl);
	plant_free(pl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_matches_model),
		cmocka_unit_test(test_custom_map),
		cmocka_unit_test(test_steam_heats),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_watchdog_speed_floor),
		cmocka_unit_test(test_fault_registers),
		cmocka_unit_test(test_control_read_only),
		cmocka_unit_test(test_regs_put),
		cmocka_unit_test(test_load_charge),
		cmocka_unit_test(test_auto_reload),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_run_for_steps),
		cmocka_unit_test(test_new_rejects),
		cmocka_unit_test(test_thread_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
