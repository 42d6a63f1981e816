/*
 * test_store_audit: the hash-chained audit trail under attack: edits,
 * deletions and insertions made with raw SQL (triggers dropped, even a
 * row rehashed the documented way) are found and named, and record rows
 * (lots, batches, end figures, measurements, recipes) are checked against
 * the trail. The fixtures are store_fx.h (shared with test_store).
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c records/store_lotfix.c records/store_trace.c common/clk.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include <sqlite3.h>

#include "store_fx.h"

/* ---------------------------------------------------------------- */
/* The audit trail under attack (raw SQL, triggers dropped)           */

#define T_DROP_TRIGGERS \
	"DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"

static void test_audit_intact(void **state)
{
	struct t_env *e = *state;

	t_history(e);
	assert_int_equal(t_verify(e), 0);
	/* the triggers stop the casual edit */
	assert_int_not_equal(t_raw(e, "UPDATE events SET who = 'x' WHERE id = 5"),
	                     SQLITE_OK);
}

static void test_audit_edit(void **state)
{
	struct t_env *e = *state;

	t_history(e);
	assert_int_equal(t_raw(e, T_DROP_TRIGGERS
	                       "UPDATE events SET new_value = '7' WHERE id = 9"),
	                 SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	assert_string_equal(e->cause, "audit: row 9 was edited: its contents do "
	                              "not match its hash");
}

static void test_audit_edit_rehashed(void **state)
{
	struct t_env *e = *state;
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *f[14];
	char hash[65], prev[65];

	t_history(e);
	/* the editor recomputes row 6's own hash: the next row's link breaks */
	assert_int_equal(t_raw(e, T_DROP_TRIGGERS
	                       "UPDATE events SET who = 'Mallory' WHERE id = 6"),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT id, at, CASE WHEN t_process_s IS NULL THEN NULL ELSE"
		" printf('%.17g', t_process_s) END, batch_id, still, kind, what,"
		" old_value, new_value, who, cause, text, record_ref, record,"
		" prev_hash FROM events WHERE id = 6", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	for (int i = 0; i < 14; i++)
		f[i] = (const char *)sqlite3_column_text(st, i);
	snprintf(prev, sizeof prev, "%s", sqlite3_column_text(st, 14));
	t_row_hash(prev, f, hash);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE events SET hash = ?1 WHERE"
	                                        " id = 6", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(t_verify(e), 1);
	assert_string_equal(e->cause, "audit: row 7 does not link to row 6: row 6 "
	                              "was edited or replaced, or row 7 inserted");
}

static void test_audit_delete(void **state)
{
	struct t_env *e = *state;

	t_history(e);
	assert_int_equal(t_raw(e, T_DROP_TRIGGERS "DELETE FROM events WHERE id = 5"),
	                 SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	assert_string_equal(e->cause, "audit: row 6 follows row 4: rows 5..5 were "
	                              "deleted, or row 6 was inserted");
}

static void test_audit_delete_tail(void **state)
{
	struct t_env *e = *state;
	long long last;

	t_history(e);
	last = t_int(e, "SELECT max(id) FROM events");
	assert_int_equal(t_raw(e, T_DROP_TRIGGERS
	                       "DELETE FROM events WHERE id = (SELECT max(id) FROM events)"),
	                 SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	{
		char want[128];

		snprintf(want, sizeof want, "audit: rows %lld..%lld at the end were "
		         "deleted", last, last);
		assert_string_equal(e->cause, want);
	}
}

static void test_audit_insert(void **state)
{
	struct t_env *e = *state;
	long long last;
	char want[128];

	t_history(e);
	last = t_int(e, "SELECT max(id) FROM events");
	/* a row slipped in at the end, linked to the real last row */
	assert_int_equal(t_raw(e, "INSERT INTO events (at, kind, what, new_value,"
	                          " who, prev_hash, hash) SELECT"
	                          " '2025-01-01T00:00:00.000Z', 'measure', 'oil_kg',"
	                          " '9.000 kg', 'Mallory', hash, 'feed' FROM events"
	                          " ORDER BY id DESC LIMIT 1"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	snprintf(want, sizeof want, "audit: row %lld was edited: its contents do "
	         "not match its hash", last + 1);
	assert_string_equal(e->cause, want);
}

static void test_audit_insert_middle(void **state)
{
	struct t_env *e = *state;

	t_history(e);
	/* make room by moving the tail up, then slip a row in */
	assert_int_equal(t_raw(e, T_DROP_TRIGGERS
	                       "UPDATE events SET id = id + 100 WHERE id > 7;"
	                       "INSERT INTO events (id, at, kind, prev_hash, hash)"
	                       " VALUES (8, 'x', 'command', 'x', 'x');"
	                       "UPDATE events SET id = id - 99 WHERE id > 100;"),
	                 SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	assert_string_equal(e->cause, "audit: row 8 does not link to row 7: row 7 "
	                              "was edited or replaced, or row 8 inserted");
}

static void test_audit_record_edits(void **state)
{
	struct t_env *e = *state;
	long id;

	/* each edit made behind the trail's back is named */
	id = t_history(e);
	(void)id;
	assert_int_equal(t_raw(e, "UPDATE lots SET grower = 'Mallory'"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "audit: lot L1 does not match audit row");
	assert_int_equal(t_raw(e, "UPDATE lots SET grower = 'Nguyen Van A'"), SQLITE_OK);
	assert_int_equal(t_verify(e), 0);

	assert_int_equal(t_raw(e, "UPDATE batches SET charge_kg = 400"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "audit: batch 1 does not match audit row");
	assert_int_equal(t_raw(e, "UPDATE batches SET charge_kg = 500"), SQLITE_OK);

	assert_int_equal(t_raw(e, "UPDATE batches SET oil_receiver_kg = 5"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "audit: end figures of batch 1 does not match");
	assert_int_equal(t_raw(e, "UPDATE batches SET oil_receiver_kg = 3.5"), SQLITE_OK);

	assert_int_equal(t_raw(e, "UPDATE batches SET state = 'complete'; "
	                          "UPDATE batches SET state = 'aborted'"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	assert_string_equal(e->cause, "audit: batch 1 is 'aborted' but its audit "
	                              "trail says 'complete'");
	assert_int_equal(t_raw(e, "UPDATE batches SET state = 'complete'"), SQLITE_OK);

	assert_int_equal(t_raw(e, "UPDATE lots SET mass_remaining_kg = 800"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	assert_string_equal(e->cause, "audit: lot L1 has 800.000 kg left, but "
	                              "received less drawn is 300.000");
	assert_int_equal(t_raw(e, "UPDATE lots SET mass_remaining_kg = 300"), SQLITE_OK);

	assert_int_equal(t_raw(e, "DROP TRIGGER batch_lots_no_delete;"
	                          "DELETE FROM batch_lots"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "audit: batch 1 does not match audit row");
}

static void test_audit_record_inserted_deleted(void **state)
{
	struct t_env *e = *state;
	long id = t_history(e);

	assert_int_equal(store_batch_weigh(e->s, id, 3.4, "Minh", NULL, e->cause,
	                                   sizeof e->cause), 0);
	assert_int_equal(t_verify(e), 0);
	assert_int_equal(t_raw(e, "DROP TRIGGER measurements_no_delete;"
	                          "DELETE FROM measurements"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "records a measurements row that is missing");
	assert_int_equal(t_raw(e, "INSERT INTO measurements (batch_id, quantity,"
	                          " value, who, at, event_id) VALUES (1, 'oil_kg',"
	                          " 9, 'Mallory', 'x', 999)"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "has no audit row (inserted outside the audit trail)");
}

static void test_audit_recipe_edit(void **state)
{
	struct t_env *e = *state;

	t_history(e);
	assert_int_equal(t_raw(e, "UPDATE recipes SET text = text || '# x'"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "recipe cassia-leaf v3 (id 1) does not match");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
		T(test_audit_intact),
		T(test_audit_edit),
		T(test_audit_edit_rehashed),
		T(test_audit_delete),
		T(test_audit_delete_tail),
		T(test_audit_insert),
		T(test_audit_insert_middle),
		T(test_audit_record_edits),
		T(test_audit_record_inserted_deleted),
		T(test_audit_recipe_edit),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
