/*
 * test_cfg: the plant configuration. The bundled config/plant.yaml against
 * cfg_defaults(), path resolution, the all-or-nothing contract, hostile
 * input; then the corpus in tests/data/config (--check-config: test_cfgchk).
 * links: config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/diag.c tests/unit/corpus.c common/num.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "corpus.h"
#include "ydoc.h"

static struct cfg_plant plant, want;

static int diag_has(const struct diag *d, const char *s)
{
	for (int i = 0; i < d->n; i++)
		if (strstr(d->line[i], s) != NULL)
			return 1;
	return 0;
}

static int parse(const char *path, const char *text, struct diag *d)
{
	static struct cfg_plant p;

	diag_init(d);
	return cfg_parse(&p, path, text, strlen(text), d);
}

static void assert_pid_equal(const struct cfg_pid *a, const struct cfg_pid *b)
{
	assert_true(a->kp_pct_per_unit == b->kp_pct_per_unit);
	assert_true(a->ti_s == b->ti_s && a->td_s == b->td_s);
	assert_true(a->out_min_pct == b->out_min_pct && a->out_max_pct == b->out_max_pct);
	assert_true(a->rate_max_pct_per_s == b->rate_max_pct_per_s);
}

/* cfg_defaults() promises the bundled file's values: hold it to that. */
static void test_bundled_matches_defaults(void **state)
{
	const struct cfg_limits *a = &plant.limits, *b = &want.limits;

	(void)state;
	assert_string_equal(plant.site, want.site);
	assert_int_equal(plant.n_stills, want.n_stills);
	assert_memory_equal(plant.stills, want.stills,
	                    (size_t)want.n_stills * sizeof want.stills[0]);
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		const struct cfg_reg *x = &plant.map[t], *y = &want.map[t];

		assert_int_equal(x->type, y->type);
		assert_int_equal(x->address, y->address);
		assert_int_equal(x->words, y->words);
		assert_int_equal(x->order, y->order);
		assert_int_equal(x->is_signed, y->is_signed);
		assert_true(fabs(x->scale - y->scale) < 1e-12);
		assert_true(x->offset == y->offset);
		assert_true(x->range_min == y->range_min && x->range_max == y->range_max);
	}
	assert_true(plant.safe_steam_pct == 0 && plant.safe_cooling_pct == want.safe_cooling_pct);
	assert_true(a->pressure_high_kpa == b->pressure_high_kpa);
	assert_true(a->pressure_high_high_kpa == b->pressure_high_high_kpa);
	assert_true(a->pressure_rise_kpa_per_min == b->pressure_rise_kpa_per_min);
	assert_true(a->vapour_temp_high_c == b->vapour_temp_high_c);
	assert_true(a->distillate_high_c == b->distillate_high_c);
	assert_true(a->distillate_high_high_c == b->distillate_high_high_c);
	assert_true(isnan(a->distillate_low_c) && isnan(b->distillate_low_c));
	assert_true(a->cooling_flow_low_l_min == b->cooling_flow_low_l_min);
	assert_true(a->sensor_frozen_s == b->sensor_frozen_s);
	assert_pid_equal(&plant.pid_pressure, &want.pid_pressure);
	assert_pid_equal(&plant.pid_vapour, &want.pid_vapour);
	assert_pid_equal(&plant.pid_distillate, &want.pid_distillate);
	assert_int_equal(plant.tick_ms, want.tick_ms);
	assert_int_equal(plant.historian_ms, want.historian_ms);
	assert_int_equal(plant.watchdog_ms, want.watchdog_ms);
	assert_int_equal(plant.comm_loss_ticks, want.comm_loss_ticks);
	assert_int_equal(plant.sim_control_unit, want.sim_control_unit);
	assert_string_equal(plant.path, "config/plant.yaml");
}

/* The bundled economics (estimates for northern Vietnam): every price is
 * read, steam is costed through firewood, and cfg_defaults() has none
 * (a config without the section computes no cost). */
static void test_bundled_economics(void **state)
{
	const struct econ_cfg *e = &plant.econ;

	(void)state;
	assert_int_equal(want.econ.set, 0);
	assert_true(isnan(want.econ.labour_vnd_per_h));
	assert_int_equal(e->set, 1);
	assert_int_equal(e->n_oil_prices, 3);
	assert_true(econ_oil_price_vnd_per_kg(e, "cassia-leaf") > 100000);
	assert_true(econ_oil_price_vnd_per_kg(e, "cassia-bark") > 100000);
	assert_true(econ_oil_price_vnd_per_kg(e, "star-anise") > 100000);
	assert_true(e->fuel_vnd_per_kg > 0 && e->steam_kg_per_fuel_kg > 1);
	assert_true(isnan(e->steam_vnd_per_kg));
	assert_true(e->labour_vnd_per_h > 0 && e->power_kw > 0);
	assert_true(e->electricity_vnd_per_kwh > 0 && e->cooling_water_vnd_per_m3 > 0);
	assert_true(econ_hour_cost_vnd(e, 300, 200) > 0);
}

/* A steam price instead of firewood; a config without the section. */
static void test_economics_steam_price(void **state)
{
	static struct cfg_plant p;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(cfg_load(&p, "tests/data/config/good/economics-steam.yaml", &d), 0);
	assert_int_equal(p.econ.set, 1);
	assert_true(p.econ.steam_vnd_per_kg == 450);
	assert_true(isnan(p.econ.fuel_vnd_per_kg) && isnan(p.econ.steam_kg_per_fuel_kg));
	assert_true(p.econ.power_kw == 2.5 && p.econ.cooling_water_vnd_per_m3 == 0);
	assert_true(econ_oil_price_vnd_per_kg(&p.econ, "star-anise") == 1100000);
	assert_int_equal(cfg_load(&p, "tests/data/config/good/minimal.yaml", &d), 0);
	assert_int_equal(p.econ.set, 0);
	assert_true(isnan(econ_hour_cost_vnd(&p.econ, 300, 200)));
}

/* minimal.yaml plus extra (a top-level section) parsed into *p. */
static int parse_with(struct cfg_plant *p, const char *extra, struct diag *d)
{
	char *text = NULL, *all;
	size_t len = 0;
	int rc;

	diag_init(d);
	assert_int_equal(ydoc_read_file("tests/data/config/good/minimal.yaml", &text,
	                                &len, d), 0);
	all = malloc(len + strlen(extra) + 2);
	assert_non_null(all);
	snprintf(all, len + strlen(extra) + 2, "%.*s\n%s", (int)len, text, extra);
	rc = cfg_parse(p, "plant.yaml", all, strlen(all), d);
	free(all);
	free(text);
	return rc;
}

/* historian: retention with units, range-checked; absent: defaults. */
static void test_historian_section(void **state)
{
	static struct cfg_plant p;
	struct diag d;

	(void)state;
	assert_int_equal(parse_with(&p, "", &d), 0);
	assert_int_equal(p.hist.set, 0);
	assert_true(p.hist.idle_raw_s == 30 * 86400.0 && p.hist.idle_aggregate_s == 60);
	assert_int_equal(parse_with(&p, "historian: {idle_raw_days: 7 d, "
	                            "idle_aggregate_s: 2 min, keep_batches: forever}\n",
	                            &d), 0);
	assert_int_equal(p.hist.set, 1);
	assert_true(p.hist.idle_raw_s == 7 * 86400.0 && p.hist.idle_aggregate_s == 120);
	assert_true(parse_with(&p, "historian: {idle_aggregate_s: 7 min}\n", &d) < 0);
	assert_true(diag_has(&d, "must divide 3600 s"));
	assert_true(parse_with(&p, "historian: {idle_raw_days: 30}\n", &d) < 0);
	assert_true(diag_has(&d, "idle_raw_days"));
	assert_true(parse_with(&p, "historian: {idle_raw_days: 20 y}\n", &d) < 0);
	assert_true(parse_with(&p, "historian: {idle_raw_days: 50000 d}\n", &d) < 0);
	assert_true(parse_with(&p, "historian: {keep_batches: 10 d}\n", &d) < 0);
	assert_true(diag_has(&d, "keep_batches"));
	assert_true(parse_with(&p, "historian: {raw_days: 3 d}\n", &d) < 0);
}

/* Relative paths are taken from the config file's directory. */
static void test_paths_resolved(void **state)
{
	char top[PATH_MAX], path[PATH_MAX + 64];

	(void)state;
	assert_non_null(getcwd(top, sizeof top));
	snprintf(path, sizeof path, "%s/run/stillroom.db", top);
	assert_string_equal(plant.db_path, path);
	snprintf(path, sizeof path, "%s/run/stillroom.sock", top);
	assert_string_equal(plant.socket_path, path);
	snprintf(path, sizeof path, "%s/recipes", top);
	assert_string_equal(plant.recipes_dir, path);
	snprintf(path, sizeof path, "%s/simulator/feedstocks.yaml", top);
	assert_string_equal(plant.feedstocks_path, path);
	snprintf(path, sizeof path, "%s/config/qa.yaml", top);
	assert_string_equal(plant.qa_spec_path, path);
}

/* A file that does not exist still anchors paths (by name). */
static void test_paths_by_name(void **state)
{
	static struct cfg_plant p;
	char *text;
	size_t len;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(ydoc_read_file("config/plant.yaml", &text, &len, &d), 0);
	assert_int_equal(cfg_parse(&p, "/nowhere/etc/plant.yaml", text, len, &d), 0);
	assert_string_equal(p.recipes_dir, "/nowhere/recipes");
	assert_string_equal(p.db_path, "/nowhere/run/stillroom.db");
	assert_string_equal(p.qa_spec_path, "/nowhere/etc/qa.yaml");
	assert_int_equal(cfg_parse(&p, "plant.yaml", text, len, &d), 0);
	free(text);
}

/* *p is written only when the whole file is clean. */
static void test_all_or_nothing(void **state)
{
	static struct cfg_plant p, before;
	struct diag d;

	(void)state;
	memset(&p, 0x5a, sizeof p);
	memcpy(&before, &p, sizeof p);
	diag_init(&d);
	assert_int_equal(cfg_load(&p, "tests/data/config/bad/pid.yaml", &d), -1);
	assert_memory_equal(&p, &before, sizeof p);
	assert_true(d.n > 0);
	diag_init(&d);
	assert_int_equal(cfg_load(&p, "no/such/plant.yaml", &d), -1);
	assert_string_equal(d.line[0], "no/such/plant.yaml: cannot open: No such file or directory");
}

/* Stills take the plant's tick and half of it unless they say. */
static void test_still_defaults(void **state)
{
	static struct cfg_plant p;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(cfg_load(&p, "tests/data/config/good/rtu.yaml", &d), 0);
	assert_int_equal(p.n_stills, 3);
	assert_int_equal(p.stills[0].transport, CFG_RTU);
	assert_string_equal(p.stills[0].device, "/dev/ttyUSB0");
	assert_int_equal(p.stills[0].baud, 9600);
	assert_int_equal(p.stills[0].parity, 'N');
	assert_int_equal(p.stills[0].period_ms, 500);
	assert_int_equal(p.stills[1].baud, 19200);
	assert_int_equal(p.stills[1].parity, 'E');
	assert_int_equal(p.stills[1].period_ms, 250);
	assert_int_equal(p.stills[1].timeout_ms, 125);
	assert_int_equal(p.stills[2].transport, CFG_TCP);
	assert_string_equal(p.stills[2].host, "plc-north.local");
	assert_int_equal(p.stills[2].port, 502);
	assert_int_equal(p.sim_control_unit, 200);
	assert_int_equal(cfg_still_find(&p, "west"), 1);
}

/* Units convert to the struct's units. */
static void test_scaled_units(void **state)
{
	static struct cfg_plant p;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(cfg_load(&p, "tests/data/config/good/scaled.yaml", &d), 0);
	assert_true(fabs(p.map[CFG_TAG_PRESSURE].scale - 0.1) < 1e-12);
	assert_true(p.map[CFG_TAG_PRESSURE].offset == -20);
	assert_true(p.map[CFG_TAG_PRESSURE].range_max == 50);
	assert_int_equal(p.map[CFG_TAG_OIL].order, CFG_WORDS_LOW_FIRST);
	assert_true(p.map[CFG_TAG_OIL].range_max == 100000);
	assert_true(fabs(p.map[CFG_TAG_COOLING_FLOW].scale - 1.0 / 6) < 1e-12);
	assert_true(p.limits.distillate_low_c == 18);
	assert_true(p.limits.sensor_frozen_s == 900);
	assert_true(p.pid_vapour.ti_s == 120);
}

static void test_hostile_input(void **state)
{
	size_t deep = 10000;
	char *buf = malloc(2 * deep + 8);
	struct diag d;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(parse("p.yaml", "", &d), -1);
	assert_true(diag_has(&d, "p.yaml: the file is empty"));
	assert_int_equal(parse("p.yaml", "\x01\x02", &d), -1);
	assert_true(diag_has(&d, "YAML syntax error"));
	memcpy(buf, "a: ", 3);
	for (size_t i = 0; i < deep; i++) {
		buf[3 + i] = '{';
		buf[3 + 2 * deep - 1 - i] = '}';
	}
	buf[3 + 2 * deep] = '\0';
	assert_int_equal(parse("p.yaml", buf, &d), -1);
	assert_true(diag_has(&d, "nested deeper than 64 levels"));
	free(buf);
}

static void test_tags(void **state)
{
	(void)state;
	assert_ptr_equal(cfg_tag_kind(CFG_TAG_PRESSURE), &ydoc_kind_pressure);
	assert_ptr_equal(cfg_tag_kind(CFG_TAG_OIL), &ydoc_kind_mass_g);
	assert_null(cfg_tag_kind(CFG_TAG_STATUS));
	assert_null(cfg_tag_kind(CFG_TAG_COUNT));
	assert_true(cfg_tag_is_output(CFG_TAG_HEARTBEAT));
	assert_false(cfg_tag_is_output(CFG_TAG_STATUS));
	assert_int_equal(cfg_default_reg(CFG_TAG_CHARGE)->address, 8);
	assert_null(cfg_default_reg(CFG_TAG_COUNT));
}

static int corpus_load(const char *path, struct diag *d)
{
	static struct cfg_plant p;

	return cfg_load(&p, path, d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_matches_defaults),
		cmocka_unit_test(test_bundled_economics),
		cmocka_unit_test(test_economics_steam_price),
		cmocka_unit_test(test_historian_section),
		cmocka_unit_test(test_paths_resolved),
		cmocka_unit_test(test_paths_by_name),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_still_defaults),
		cmocka_unit_test(test_scaled_units),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_tags),
	};
	struct diag d;
	int failed;

	if (corpus_chdir_top() < 0) {
		fprintf(stderr, "not ok - test_cfg: cannot find tests/data\n");
		return 1;
	}
	cfg_defaults(&want);
	diag_init(&d);
	if (cfg_load(&plant, "config/plant.yaml", &d) < 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "not ok - test_cfg: config/plant.yaml does not load\n");
		return 1;
	}
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	failed += corpus_run("config corpus", "tests/data/config", corpus_load);
	return failed;
}
