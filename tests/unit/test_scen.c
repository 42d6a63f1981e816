/* Unit tests of simulator/scen.c: scenario timelines and their errors. */
/* links: simulator/scen.c common/ydoc.c common/diag.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "scen.h"

#define EV_MAX 64

struct fixture {
	struct cfg_plant cfg;
	struct model_feed feeds[3];
	struct plant_event ev[EV_MAX];
	struct diag d;
};

static struct fixture fx;

/* The default plant and three feeds named as in simulator/feedstocks.yaml. */
static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof fx);
	cfg_defaults(&fx.cfg);
	snprintf(fx.feeds[0].name, MODEL_FEED_NAME_MAX, "cassia-leaf");
	snprintf(fx.feeds[1].name, MODEL_FEED_NAME_MAX, "cassia-bark");
	snprintf(fx.feeds[2].name, MODEL_FEED_NAME_MAX, "star-anise");
	diag_init(&fx.d);
	return 0;
}

static int parse_max(const char *text, int max)
{
	diag_init(&fx.d);
	return scen_parse("s.yaml", text, strlen(text), &fx.cfg, fx.feeds, 3, fx.ev, max, &fx.d);
}

static int parse(const char *text)
{
	return parse_max(text, EV_MAX);
}

static void assert_event(int i, double at_s, int still, enum plant_ev_kind kind, int index,
                         double value)
{
	assert_true(fx.ev[i].at_s == at_s);
	assert_int_equal(fx.ev[i].still, still);
	assert_int_equal(fx.ev[i].kind, kind);
	assert_int_equal(fx.ev[i].index, index);
	assert_true(fx.ev[i].value == value);
}

/* The brief's own example, and "for" making the clearing event. */
static void test_example(void **state)
{
	(void)state;
	assert_int_equal(parse("- at: 40 minutes\n  fault: cooling_lost\n  for: 5 minutes\n"), 2);
	assert_event(0, 2400, -1, PLANT_EV_CTL, PLANT_CTL_COOLING_LOST, 1);
	assert_event(1, 2700, -1, PLANT_EV_CTL, PLANT_CTL_COOLING_LOST, 0);
	assert_int_equal(fx.ev[0].line, 1);
	assert_int_equal(fx.d.n, 0);
}

/* Every action and parameter lands on the right register or tag. */
static void test_actions(void **state)
{
	static const char text[] =
		"- at: 90 s\n"
		"  still: still2\n"
		"  fault: sensor_drift\n"
		"  tag: distillate_temp\n"
		"  rate: -0.25\n"
		"- at: 1.5 h\n"
		"  fault: sensor_broken\n"
		"  tag: pressure\n"
		"- at: 2 min\n"
		"  still: still1\n"
		"  fault: reply_delay\n"
		"  delay_ms: 750\n"
		"- at: 3 min\n"
		"  fault: exception\n"
		"  code: 6\n"
		"- at: 4 min\n"
		"  clear: sensor_broken\n"
		"  tag: pressure\n"
		"- at: 5 min\n"
		"  still: all\n"
		"  clear: all\n"
		"- at: 6 min\n"
		"  set: steam_cmd\n"
		"  value: 42.5\n"
		"- at: 7 min\n"
		"  still: still1\n"
		"  charge: star-anise\n"
		"  kg: 0.2 t\n"
		"  moisture: 11.5 %\n"
		"- at: 8 min\n"
		"  charge: cassia-leaf\n";

	(void)state;
	assert_int_equal(parse(text), 13);
	assert_event(0, 90, 1, PLANT_EV_CTL, PLANT_CTL_SENSOR_DRIFT + CFG_TAG_DISTILLATE_TEMP,
	             -25);
	assert_event(1, 5400, -1, PLANT_EV_CTL, PLANT_CTL_SENSOR_BROKEN + CFG_TAG_PRESSURE, 1);
	assert_event(2, 120, 0, PLANT_EV_CTL, PLANT_CTL_REPLY_DELAY_MS, 750);
	assert_event(3, 180, -1, PLANT_EV_CTL, PLANT_CTL_EXCEPTION, 6);
	assert_event(4, 240, -1, PLANT_EV_CTL, PLANT_CTL_SENSOR_BROKEN + CFG_TAG_PRESSURE, 0);
	assert_event(5, 300, -1, PLANT_EV_CTL, PLANT_CTL_CLEAR, 1);
	assert_event(6, 360, -1, PLANT_EV_OUTPUT, CFG_TAG_STEAM_CMD, 42.5);
	/* a charge: mass and moisture first, the load command last */
	assert_event(7, 420, 0, PLANT_EV_CTL, PLANT_CTL_LOAD_KG, 200);
	assert_event(8, 420, 0, PLANT_EV_CTL, PLANT_CTL_LOAD_MOISTURE, 115);
	assert_event(9, 420, 0, PLANT_EV_CTL, PLANT_CTL_LOAD_FEED, 3);
	/* no mass, no moisture: 0 = the last charge's mass, the feed's moisture */
	assert_event(10, 480, -1, PLANT_EV_CTL, PLANT_CTL_LOAD_KG, 0);
	assert_event(11, 480, -1, PLANT_EV_CTL, PLANT_CTL_LOAD_MOISTURE, 0);
	assert_event(12, 480, -1, PLANT_EV_CTL, PLANT_CTL_LOAD_FEED, 1);
}

/* Every fault kind by name, with the parameters it needs. */
static void test_every_fault(void **state)
{
	static const char *const extra[] = {
		"  tag: still_temp\n", "  tag: still_temp\n", "  tag: still_temp\n  rate: 1\n",
		"", "", "", "", "  delay_ms: 1\n", "  code: 1\n", "", "", "",
	};
	char text[256];
	int i;

	(void)state;
	for (i = 0; scen_fault_name(i) != NULL; i++) {
		assert_true(i < (int)(sizeof extra / sizeof extra[0]));
		snprintf(text, sizeof text, "- at: 1 s\n  fault: %s\n  for: 1 s\n%s",
		         scen_fault_name(i), extra[i]);
		assert_int_equal(parse(text), 2);
		assert_int_equal(fx.ev[0].kind, PLANT_EV_CTL);
		assert_true(fx.ev[0].value != 0);
		assert_int_equal(fx.ev[1].index, fx.ev[0].index);
		assert_true(fx.ev[1].value == 0);
	}
	assert_int_equal(i, 12);
	assert_null(scen_fault_name(-1));
}

/* Bad files: every error, with file:line:column, and no events. */
static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *err[3];
	} cases[] = {
		{"- at: 40\n  fault: cooling_lost\n",
		 {"s.yaml:1:7: 'at' needs a unit: \"40\" is a bare number; write it in s, min or h"}},
		{"- at: 4 min\n  fault: sensor_stuck\n",
		 {"s.yaml:2:10: fault 'sensor_stuck' needs 'tag'"}},
		{"- at: 4 min\n  fault: sensor_drift\n  tag: pressure\n",
		 {"s.yaml:2:10: fault 'sensor_drift' needs 'rate'"}},
		{"- at: 4 min\n  fault: cooling_lost\n  rate: 3\n",
		 {"s.yaml:3:3: 'rate' does not go with fault 'cooling_lost'"}},
		{"- at: 4 min\n  set: heartbeat\n  value: 3\n  for: 1 min\n",
		 {"s.yaml:4:3: 'for' does not go with set"}},
		{"- at: 4 min\n  fault: cooling_lost\n  clear: all\n",
		 {"s.yaml:3:3: one event, one action: 'fault' and 'clear' need two events"}},
		{"- at: 4 min\n  still: stil1\n",
		 {"s.yaml:1:3: event needs one of 'fault', 'clear', 'charge' or 'set'",
		  "s.yaml:2:10: unknown still 'stil1' (did you mean 'still1'?)"}},
		{"- at: 1 min\n  still: nowhere\n  charge: x\n",
		 {"s.yaml:2:10: unknown still 'nowhere': known are still1, still2",
		  "s.yaml:3:11: unknown feedstock 'x': known are cassia-leaf, cassia-bark, "
		  "star-anise"}},
		{"- at: 1 min\n  charge: cassia-lef\n",
		 {"s.yaml:2:11: unknown feedstock 'cassia-lef' (did you mean 'cassia-leaf'?)"}},
		{"- fault: silent\n", {"s.yaml:1:3: missing key 'at' in event"}},
		{"at: 4 min\n",
		 {"s.yaml:1:1: a scenario is a list of events ('- at: 40 minutes'), not a mapping"}},
		{"", {"s.yaml: no events: a scenario is a list of '- at: ...' items"}},
		{"- at: 4 min\n  set: steam_cmd\n  value: 150\n",
		 {"s.yaml:3:10: 'value' must be from 0 to 100, not \"150\""}},
		{"- at: 2 min\n  fault: exception\n  code: 12\n",
		 {"s.yaml:3:9: 'code' must be from 1 to 11, not \"12\""}},
		{"- at: 1 min\n  clear: sensor_stuck\n",
		 {"s.yaml:2:10: clear 'sensor_stuck' needs 'tag'"}},
		{"- at: 1 min\n  fault: silent\n  for: 0 s\n",
		 {"s.yaml:3:8: 'for' must be from 0.2 s to 8784 h, not \"0 s\""}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int want = 0;

		while (want < 3 && cases[i].err[want] != NULL)
			want++;
		assert_int_equal(parse(cases[i].text), -1);
		if (fx.d.n != want)
			diag_print(&fx.d, stderr);
		assert_int_equal(fx.d.n, want);
		for (int k = 0; k < want; k++)
			assert_string_equal(fx.d.line[k], cases[i].err[k]);
	}
}

/* A file that holds several mistakes reports each of them. */
static void test_errors_all_reported(void **state)
{
	(void)state;
	assert_int_equal(parse("- at: 1 min\n  fault: sensor_stuck\n  tag: steam_cmd\n"
	                       "- at: 2 min\n  set: still_temp\n  value: 3\n"
	                       "- at: 1 min\n  fualt: silent\n"),
	                 -1);
	assert_int_equal(fx.d.n, 4);
	assert_string_equal(fx.d.line[0],
	                    "s.yaml:3:8: 'tag' must be one of still_temp, vapour_temp, pressure, "
	                    "distillate_temp, cooling_flow, steam_flow, oil, charge, steam_valve, "
	                    "cooling_valve or status, not \"steam_cmd\"");
	assert_string_equal(fx.d.line[1], "s.yaml:5:8: 'set' must be one of steam_cmd, "
	                                  "cooling_cmd or heartbeat, not \"still_temp\"");
	assert_string_equal(fx.d.line[2],
	                    "s.yaml:8:3: unknown key 'fualt' in event; did you mean 'fault'?");
	assert_string_equal(fx.d.line[3], "s.yaml:7:3: event needs one of 'fault', 'clear', "
	                                  "'charge' or 'set'");
}

/* More events than room: said once. */
static void test_too_many(void **state)
{
	(void)state;
	assert_int_equal(parse_max("- at: 1 s\n  fault: silent\n  for: 1 s\n"
	                           "- at: 5 s\n  fault: silent\n  for: 1 s\n",
	                           3),
	                 -1);
	assert_int_equal(fx.d.n, 1);
	assert_string_equal(fx.d.line[0],
	                    "s.yaml:4:3: too many events: a scenario makes at most 3");
}

/* A YAML syntax error and a missing file. */
static void test_bad_files(void **state)
{
	(void)state;
	assert_int_equal(parse("- at: [1\n"), -1);
	assert_int_equal(fx.d.n, 1);
	assert_non_null(strstr(fx.d.line[0], "s.yaml:2:1: YAML syntax error"));
	diag_init(&fx.d);
	assert_int_equal(scen_load("tests/data/no-such-scenario.yaml", &fx.cfg, fx.feeds, 3, fx.ev,
	                           EV_MAX, &fx.d),
	                 -1);
	assert_int_equal(fx.d.n, 1);
	assert_string_equal(fx.d.line[0],
	                    "tests/data/no-such-scenario.yaml: cannot open: No such file or directory");
}

/* Every bundled example scenario loads cleanly. */
static void test_examples(void **state)
{
	DIR *dir = opendir("simulator/scenarios");
	struct dirent *e;
	char path[512];
	int files = 0;

	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		size_t len = strlen(e->d_name);
		int n;

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof path, "simulator/scenarios/%s", e->d_name);
		diag_init(&fx.d);
		n = scen_load(path, &fx.cfg, fx.feeds, 3, fx.ev, EV_MAX, &fx.d);
		if (n < 0)
			diag_print(&fx.d, stderr);
		assert_true(n > 0);
		files++;
	}
	closedir(dir);
	assert_true(files >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_example, setup),
		cmocka_unit_test_setup(test_actions, setup),
		cmocka_unit_test_setup(test_every_fault, setup),
		cmocka_unit_test_setup(test_errors, setup),
		cmocka_unit_test_setup(test_errors_all_reported, setup),
		cmocka_unit_test_setup(test_too_many, setup),
		cmocka_unit_test_setup(test_bad_files, setup),
		cmocka_unit_test_setup(test_examples, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
