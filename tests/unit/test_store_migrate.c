/*
 * test_store_migrate: schema 5 migrates a database made by schema 4
 * (tests/data/records/store-v4.sql, made by the real daemon and simulator
 * of commit 3ac6ec2) in place: its audit chain still verifies, its lots
 * and batches keep their old snapshots, and the new writers work on it
 * (a correction of an old lot attributes its old batch, a drum of the old
 * batch's oil ships).
 * links: records/store.c records/store_hist.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_trace.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c records/store_lotfix.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_v4, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
