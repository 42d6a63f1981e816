/*
 * test_store_migrate: schema 5 migrates a database made by schema 4
 * (tests/data/records/store-v4.sql, made by the real daemon and simulator
 * of commit 3ac6ec2) in place: its audit chain still verifies, its lots
 * and batches keep their old snapshots, and the new writers work on it
 * (a correction of an old lot attributes its old batch, a drum of the old
 * batch's oil ships). Schema 6 migrates a database made by schema 5
 * (tests/data/records/store-v5.sql, made by the real daemon and simulator
 * of main 748c781, samples included): every sample moves into the compact
 * historian with its values and qualities, the chain still verifies.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_trace.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c records/store_lotfix.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c common/clk.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fx.h"

#define T_CAUSE(e) (e)->cause, sizeof (e)->cause

static void test_migrate_v4(void **state)
{
	struct t_env *e = *state;
	const struct store_lot_fix fix = {"moisture", "10"};
	const struct store_drum_fill f = {"D1", 1, 2.0, 3.5, 0, "Lan"};
	const char *const drums[] = {"D1"};
	const struct store_shipment sh = {drums, 1, "Firmenich", "HD-1",
	                                  "2025-03-10", "Lan"};
	struct store_lot l;

	t_load_sql(e, "tests/data/records/store-v4.sql");
	assert_int_equal(t_int(e, "PRAGMA user_version"), 4);
	e->s = store_open(e->path, STORE_RW, T_CAUSE(e));
	if (!e->s)
		fail_msg("upgrade: %s", e->cause);
	assert_int_equal(t_int(e, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'schema'"
	                          " AND old_value = '4' AND new_value = '6'"), 1);
	if (t_verify(e) != 0)
		fail_msg("verify after upgrade: %s", e->cause);
	store_close(e->s);
	e->s = store_open(e->path, STORE_RW, T_CAUSE(e));
	assert_non_null(e->s);
	/* the old lot reads with no schema 5 fields */
	assert_int_equal(store_lot_get(e->s, "V4A", &l, T_CAUSE(e)), 0);
	assert_string_equal(l.plant_part, "");
	assert_true(l.moisture_pct == 12);
	/* the old batch: no attribution until its lot's moisture is corrected */
	assert_int_equal(t_int(e, "SELECT count(*) FROM attributions"), 0);
	assert_int_equal(store_lot_correct(e->s, "V4A", &fix, 1, "Thu", "re-test",
	                                   T_CAUSE(e)), 0);
	assert_int_equal(t_int(e, "SELECT oil_g FROM attribution_now"
	                          " WHERE batch_id = 1"), 2500);
	/* its oil fills a drum, which ships (batch 1 was released) */
	if (store_drum_fill(e->s, &f, T_CAUSE(e)) <= 0)
		fail_msg("fill: %s", e->cause);
	if (store_ship(e->s, &sh, T_CAUSE(e)) <= 0)
		fail_msg("ship: %s", e->cause);
	if (t_verify(e) != 0)
		fail_msg("verify with new records: %s", e->cause);
}

/* The v5 samples, as the old table has them (a copy of the fixture). */
struct t_v5 {
	sqlite3 *db;
	sqlite3_stmt *st;
	long n;
};

/* Checks each migrated row against the next old row (same order). */
static int t_v5_same(void *ctx, const struct store_hist_row *r)
{
	struct t_v5 *v = ctx;
	const char *q;

	if (sqlite3_step(v->st) != SQLITE_ROW)
		fail_msg("row %ld: more rows than before", v->n);
	assert_string_equal(r->s.still, (const char *)sqlite3_column_text(v->st, 0));
	assert_int_equal(r->s.batch_id, sqlite3_column_int64(v->st, 1));
	assert_true(fabs(r->s.t_process_s - sqlite3_column_double(v->st, 2)) < 0.0005);
	assert_true(fabs(r->s.wall_s - sqlite3_column_double(v->st, 3)) < 0.0005);
	q = (const char *)sqlite3_column_text(v->st, 4 + CFG_TAG_COUNT);
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		int null = sqlite3_column_type(v->st, 4 + t) == SQLITE_NULL;

		assert_int_equal(r->s.quality[t], q[t] - '0');
		if (null != isnan(r->s.value[t]) ||
		    (!null && r->s.value[t] != sqlite3_column_double(v->st, 4 + t)))
			fail_msg("row %ld tag %d: %.17g, was %.17g", v->n, t,
			         r->s.value[t], sqlite3_column_double(v->st, 4 + t));
	}
	v->n++;
	return 0;
}

static void test_migrate_v5(void **state)
{
	struct t_env *e = *state;
	char old[sizeof e->path + 8];
	struct t_v5 v = {0};
	long before;

	t_load_sql(e, "tests/data/records/store-v5.sql");
	assert_int_equal(t_int(e, "PRAGMA user_version"), 5);
	before = (long)t_int(e, "SELECT count(*) FROM samples");
	assert_true(before > 100);
	snprintf(old, sizeof old, "%s.v5", e->path);
	{
		char *sql = sqlite3_mprintf("VACUUM INTO %Q", old);

		assert_int_equal(t_raw(e, sql), 0);
		sqlite3_free(sql);
	}
	e->s = store_open(e->path, STORE_RW, T_CAUSE(e));
	if (!e->s)
		fail_msg("upgrade: %s", e->cause);
	assert_int_equal(t_int(e, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'schema'"
	                          " AND old_value = '5' AND new_value = '6'"), 1);
	/* every sample moved into blocks: none left raw, none lost */
	assert_int_equal(t_int(e, "SELECT count(*) FROM hist_raw"), 0);
	assert_true(t_int(e, "SELECT count(*) FROM hist_blocks") > 0);
	assert_int_equal(store_hist_count(e->s, 0, NULL, T_CAUSE(e)), before);
	for (long b = 1; b <= 2; b++) {
		char sql[96];

		snprintf(sql, sizeof sql, "SELECT count(*) FROM samples WHERE"
		         " batch_id = %ld", b);
		assert_int_equal(sqlite3_open(old, &v.db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(v.db, sql, -1, &v.st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(v.st), SQLITE_ROW);
		assert_int_equal(store_hist_count(e->s, b, NULL, T_CAUSE(e)),
		                 sqlite3_column_int64(v.st, 0));
		sqlite3_finalize(v.st);
		sqlite3_close(v.db);
	}
	/* and every value and quality is the one recorded */
	assert_int_equal(sqlite3_open(old, &v.db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(v.db,
		"SELECT still, coalesce(batch_id, 0), t_process_s, wall_s, still_temp,"
		" vapour_temp, pressure, distillate_temp, cooling_flow, steam_flow,"
		" oil, charge, steam_valve, cooling_valve, status, steam_cmd,"
		" cooling_cmd, heartbeat, quality FROM samples ORDER BY still, wall_s",
		-1, &v.st, NULL), SQLITE_OK);
	assert_int_equal(store_hist_span(e->s, "still1", 0, 1e12, t_v5_same, &v,
	                                 T_CAUSE(e)) +
	                 store_hist_span(e->s, "still2", 0, 1e12, t_v5_same, &v,
	                                 T_CAUSE(e)), before);
	assert_int_equal(v.n, before);
	sqlite3_finalize(v.st);
	sqlite3_close(v.db);
	unlink(old);
	if (t_verify(e) != 0)
		fail_msg("verify after upgrade: %s", e->cause);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_v4, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v5, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
