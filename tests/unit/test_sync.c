/*
 * test_sync: the pure parts of stillroom-sync (issue 16): the `sync:`
 * section of the plant configuration (config/cfg_sync.c: defaults, every
 * key, a password in the conninfo refused, ranges and missing keys as
 * file:line:column) and the plant-side position file (sync/sync_state.c:
 * round trip, a missing file is empty, a malformed line is refused with
 * its line number, the save is atomic: no temp file left).
 * links: config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/diag.c tests/unit/corpus.c common/num.c sync/sync_state.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "corpus.h"
#include "sync_state.h"

static struct cfg_plant plant;

/* Loads config/plant.yaml with extra appended; the cfg_parse verdict. */
static int load_with(const char *extra, struct diag *d)
{
	FILE *f = fopen("config/plant.yaml", "r");
	static char text[1 << 17];
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof text - 4096, f);
	fclose(f);
	snprintf(text + n, sizeof text - n, "%s", extra);
	diag_init(d);
	return cfg_parse(&plant, "config/plant.yaml", text, strlen(text), d);
}

/* 1 when a line of d holds s. */
static int diag_has(const struct diag *d, const char *s)
{
	for (int i = 0; i < d->n; i++)
		if (strstr(d->line[i], s) != NULL)
			return 1;
	return 0;
}

static void test_cfg_absent(void **state)
{
	struct diag d;

	(void)state;
	assert_int_equal(load_with("", &d), 0);
	assert_int_equal(plant.sync.set, 0);
	assert_string_equal(plant.sync.state, CFG_SYNC_STATE_DEFAULT);
	assert_int_equal(plant.sync.batch_rows, 5000);
}

static void test_cfg_every_key(void **state)
{
	struct diag d;

	(void)state;
	assert_int_equal(load_with("sync:\n"
	                           "  postgres: \"host=10.0.0.5 dbname=alliance user=plant_a sslmode=verify-full\"\n"
	                           "  plant: plant_a\n"
	                           "  credentials: /etc/stillroom/sync.secret\n"
	                           "  state: /var/lib/stillroom/s.state\n"
	                           "  batch_rows: 200\n"
	                           "  poll_s: 0.5\n", &d), 0);
	assert_int_equal(plant.sync.set, 1);
	assert_string_equal(plant.sync.postgres,
	                    "host=10.0.0.5 dbname=alliance user=plant_a sslmode=verify-full");
	assert_string_equal(plant.sync.plant, "plant_a");
	assert_string_equal(plant.sync.credentials, "/etc/stillroom/sync.secret");
	assert_string_equal(plant.sync.state, "/var/lib/stillroom/s.state");
	assert_int_equal(plant.sync.batch_rows, 200);
	assert_true(plant.sync.poll_s == 0.5);
}

static void test_cfg_password_refused(void **state)
{
	struct diag d;

	(void)state;
	assert_int_equal(load_with("sync:\n"
	                           "  postgres: \"host=h user=a password=secret\"\n"
	                           "  plant: plant_a\n", &d), -1);
	assert_true(diag_has(&d, "'postgres' must not hold a password"));
	assert_false(diag_has(&d, "secret"));
}

static void test_cfg_bad_values(void **state)
{
	struct diag d;

	(void)state;
	assert_int_equal(load_with("sync:\n"
	                           "  postgres: \"host=h\"\n"
	                           "  batch_rows: 0\n"
	                           "  poll_s: 5000\n"
	                           "  plants: x\n", &d), -1);
	assert_true(diag_has(&d, "batch_rows"));
	assert_true(diag_has(&d, "poll_s"));
	assert_true(diag_has(&d, "plant"));      /* missing, and the typo */
	for (int i = 0; i < d.n; i++)
		assert_non_null(strstr(d.line[i], "config/plant.yaml:"));
}

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_sync.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static void test_state_round_trip(void **state)
{
	struct sync_state s, t;
	char path[128], cause[256], tmp[160];

	(void)state;
	snprintf(path, sizeof path, "%s/sync.state", dir);
	assert_int_equal(sync_state_load(&s, path, cause, sizeof cause), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(sync_state_set(&s, "events", 1234567890123LL), 0);
	assert_int_equal(sync_state_set(&s, "samples", 7), 0);
	assert_int_equal(sync_state_set(&s, "events", 1234567890124LL), 0);
	assert_int_equal(sync_state_set(&s, "bad name", 1), -1);
	assert_int_equal(sync_state_save(&s, path, cause, sizeof cause), 0);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(sync_state_load(&t, path, cause, sizeof cause), 0);
	assert_int_equal(t.n, 2);
	assert_true(sync_state_get(&t, "events") == 1234567890124LL);
	assert_true(sync_state_get(&t, "samples") == 7);
	assert_true(sync_state_get(&t, "lots") == 0);
}

static void test_state_malformed(void **state)
{
	struct sync_state s;
	char path[128], cause[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/bad.state", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# comment\nevents 12\nsamples -3\n", f);
	fclose(f);
	assert_int_equal(sync_state_load(&s, path, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "bad.state:3:"));
	assert_int_equal(s.n, 0);
	f = fopen(path, "w");
	fputs("events 12 13\n", f);
	fclose(f);
	assert_int_equal(sync_state_load(&s, path, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, ":1:"));
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_cfg_absent),
		cmocka_unit_test(test_cfg_every_key),
		cmocka_unit_test(test_cfg_password_refused),
		cmocka_unit_test(test_cfg_bad_values),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_malformed),
	};

	if (corpus_chdir_top() < 0)
		return 1;
	return cmocka_run_group_tests(t, make_dir, remove_dir);
}
