/*
 * test_store_drum: drums filled from weighed batches, shipments of
 * releasable drums, advances to growers (schema 5): what they record, that
 * `audit verify` finds each new table edited behind the trail's back, and
 * that every refusal leaves the database as it was.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c records/store_lotfix.c records/store_trace.c common/clk.c
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

#include "store_fx.h"

#define T_CAUSE(e) (e)->cause, sizeof (e)->cause

static const struct store_qa_spec t_spec = {
	.feedstock = "cassia-leaf", .density_min = 1.052, .density_max = 1.070,
	.ri_min = 1.600, .ri_max = 1.614, .marker = "cinnamaldehyde",
	.marker_min_pct = 80, .marker_max_pct = NAN,
};

/* Lab results in spec (marker "85") or out of it ("50"), then decision. */
static void t_qa(struct t_env *e, long id, const char *marker,
                 const char *decision)
{
	struct store_qa_result r;

	store_qa_result_init(&r);
	assert_int_equal(store_qa_result_set(&r, "density", "1.06", T_CAUSE(e)), 0);
	assert_int_equal(store_qa_result_set(&r, "ri", "1.605", T_CAUSE(e)), 0);
	assert_int_equal(store_qa_result_set(&r, "marker", marker, T_CAUSE(e)), 0);
	assert_int_equal(store_qa_result_set(&r, "analyst", "Hoa", T_CAUSE(e)), 0);
	if (store_qa_record(e->s, id, &r, &t_spec, NULL, T_CAUSE(e)) != 0)
		fail_msg("qa: %s", e->cause);
	if (decision && store_qa_decide(e->s, id, decision, "Thu", "lab",
	                                T_CAUSE(e)) != 0)
		fail_msg("decide: %s", e->cause);
}

/* A batch of 200 kg of lot, ended complete, weighed oil_kg (0: unweighed). */
static long t_weighed(struct t_env *e, const char *lot, double oil_kg)
{
	long id = t_batch(e, lot, 200);

	t_finish(e, id, oil_kg > 0 ? oil_kg : 1);
	if (oil_kg > 0 && store_batch_weigh(e->s, id, oil_kg, "Lan", NULL,
	                                    T_CAUSE(e)) != 0)
		fail_msg("weigh: %s", e->cause);
	return id;
}

static long t_fill(struct t_env *e, const char *drum, long batch, double kg,
                   double tare, int organic)
{
	const struct store_drum_fill f = {drum, batch, kg, tare, organic, "Lan"};

	return store_drum_fill(e->s, &f, T_CAUSE(e));
}

static long t_ship(struct t_env *e, const char *const *drums, int n,
                   const char *date)
{
	const struct store_shipment sh = {drums, n, "Firmenich", "HD-0042", date,
	                                  "Lan"};

	return store_ship(e->s, &sh, T_CAUSE(e));
}

static void test_drum_fill_and_ship(void **state)
{
	struct t_env *e = *state;
	const char *const both[] = {"D1", "D2"};
	long b1, b2;

	t_lot(e, "L1", "cassia-leaf", "Ho Thi B", "800", "12");
	b1 = t_weighed(e, "L1", 2.0);
	b2 = t_weighed(e, "L1", 1.5);
	assert_true(t_fill(e, "D1", b1, 1.2, 3.5, 0) > 0);
	assert_true(t_fill(e, "D1", b2, 1.5, NAN, -1) > 0);
	assert_true(t_fill(e, "D2", b1, 0.8, 3.5, 0) > 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM drums WHERE trace_code"
	                          " GLOB 'SR-[0-9A-F][0-9A-F][0-9A-F][0-9A-F]"
	                          "[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]'"),
	                 2);
	assert_int_equal(t_int(e, "SELECT round(sum(oil_kg) * 1000) FROM"
	                          " drum_fills WHERE drum_id = 'D1'"), 2700);
	t_qa(e, b1, "85", "released");
	t_qa(e, b2, "85", "released");
	assert_true(t_ship(e, both, 2, "2025-03-10") > 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM shipment_drums"), 2);
	assert_true(store_advance_add(e->s, "ho thi b", 500000, "2025-03-01", "Lan",
	                              "rice", T_CAUSE(e)) > 0);
	assert_int_equal(t_verify(e), 0);
}

/* Receives lot L1 again: refused. */
static int t_lot5_dup(struct t_env *e)
{
	struct store_lot l;

	store_lot_init(&l);
	snprintf(l.lot_id, sizeof l.lot_id, "L1");
	snprintf(l.feedstock, sizeof l.feedstock, "cassia-leaf");
	snprintf(l.grower, sizeof l.grower, "X");
	l.mass_received_kg = 5;
	return store_lot_add(e->s, &l, "Lan", T_CAUSE(e));
}

static void test_drum_refusals(void **state)
{
	struct t_env *e = *state;
	char before[65];
	long b1, running, unweighed, bark, organic;

	t_lot(e, "L1", "cassia-leaf", "Ho Thi B", "800", "12");
	t_lot(e, "B1", "cassia-bark", "Ho Thi B", "800", "12");
	b1 = t_weighed(e, "L1", 2.0);
	unweighed = t_weighed(e, "L1", 0);
	running = t_batch(e, "L1", 100);
	{
		struct store_batch_start b = t_start("B1", 100);

		b.feedstock = "cassia-bark";
		bark = store_batch_begin(e->s, &b, T_CAUSE(e));
		assert_true(bark > 0);
		t_finish(e, bark, 1);
		assert_int_equal(store_batch_weigh(e->s, bark, 1, "Lan", NULL,
		                                   T_CAUSE(e)), 0);
	}
	{
		struct store_lot l;

		store_lot_init(&l);
		assert_int_equal(store_lot_set(&l, "id", "O1", T_CAUSE(e)), 0);
		assert_int_equal(store_lot_set(&l, "feedstock", "cassia-leaf",
		                               T_CAUSE(e)), 0);
		assert_int_equal(store_lot_set(&l, "grower", "Lo Van D", T_CAUSE(e)), 0);
		assert_int_equal(store_lot_set(&l, "mass", "300", T_CAUSE(e)), 0);
		assert_int_equal(store_lot_set(&l, "organic_cert", "VN-7", T_CAUSE(e)), 0);
		assert_int_equal(store_lot_set(&l, "organic_body", "Ecocert",
		                               T_CAUSE(e)), 0);
		assert_int_equal(store_lot_add(e->s, &l, "Lan", T_CAUSE(e)), 0);
	}
	organic = t_weighed(e, "O1", 1.0);
	assert_true(t_fill(e, "D1", b1, 1.5, 3.5, 0) > 0);
	assert_true(t_fill(e, "DO", organic, 0.5, 3.5, 1) > 0);
	/* organic oil may go into a conventional drum */
	assert_true(t_fill(e, "D1", organic, 0.1, NAN, -1) > 0);
	t_digest(e, before);
	t_refused(e, t_fill(e, "DO", b1, 0.1, NAN, -1), before,
	          "batch 1 is conventional: drum DO is organic");
	t_refused(e, t_lot5_dup(e), before, "lot L1 already exists");
	t_refused(e, t_fill(e, "D1", b1, 0.6, NAN, -1), before,
	          "batch 1 has 0.500 kg left for drums");
	t_refused(e, t_fill(e, "D2", 99, 0.1, 3.5, 0), before, "no batch 99");
	t_refused(e, t_fill(e, "D2", running, 0.1, 3.5, 0), before,
	          "batch 3 is running: only an ended batch");
	t_refused(e, t_fill(e, "D2", unweighed, 0.1, 3.5, 0), before,
	          "batch 2 is not weighed");
	t_refused(e, t_fill(e, "D1", bark, 0.1, NAN, -1), before,
	          "batch 4 is cassia-bark: drum D1 holds cassia-leaf");
	t_refused(e, t_fill(e, "D3", b1, 0.1, NAN, 0), before,
	          "drum D3 is new: its tare");
	t_refused(e, t_fill(e, "D3", b1, 0.1, 3.5, 1), before,
	          "batch 1 is conventional: drum D3 is organic");
	t_refused(e, t_fill(e, "D1", b1, 0.1, 4.0, -1), before,
	          "drum D1 has a tare of 3.500 kg");
	t_refused(e, t_fill(e, "D1", b1, 0.1, NAN, 1), before,
	          "drum D1 is conventional");
	t_refused(e, t_fill(e, "D1", b1, -1, NAN, -1), before, "more than 0");
	t_refused(e, t_fill(e, "D:1", b1, 0.1, 3.5, 0), before,
	          "drum id 'D:1' may only have");
}

static void test_ship_refusals(void **state)
{
	struct t_env *e = *state;
	const char *const d1[] = {"D1"}, *const d2[] = {"D2"};
	const char *const twice[] = {"D1", "D1"}, *const none[] = {"NOPE"};
	char before[65];
	long b1, b2;

	t_lot(e, "L1", "cassia-leaf", "Ho Thi B", "800", "12");
	b1 = t_weighed(e, "L1", 2.0);
	b2 = t_weighed(e, "L1", 2.0);
	t_qa(e, b1, "85", "released");
	t_qa(e, b2, "85", "quarantined");
	assert_true(t_fill(e, "D1", b1, 1, 3.5, 0) > 0);
	assert_true(t_fill(e, "D2", b1, 1, 3.5, 0) > 0);
	assert_true(t_fill(e, "D2", b2, 1, NAN, -1) > 0);
	assert_true(t_ship(e, d1, 1, "2025-03-10") > 0);
	t_digest(e, before);
	t_refused(e, t_ship(e, d1, 1, "2025-03-11"), before,
	          "drum D1 was shipped already");
	t_refused(e, t_fill(e, "D1", b1, 0.1, NAN, -1), before,
	          "drum D1 was shipped");
	t_refused(e, t_ship(e, d2, 1, "2025-03-11"), before,
	          "drum D2 is not releasable: batch 2 is quarantined");
	t_refused(e, t_ship(e, twice, 2, "2025-03-11"), before,
	          "drum D1 is named twice");
	t_refused(e, t_ship(e, none, 1, "2025-03-11"), before, "no drum named NOPE");
	t_refused(e, t_ship(e, d2, 1, "2025-02-30"), before, "not a date");
	t_refused(e, store_advance_add(e->s, "Nobody", 5, "2025-03-01", "Lan",
	                               NULL, T_CAUSE(e)), before,
	          "no lot on record from grower Nobody");
	t_refused(e, store_advance_add(e->s, "Ho Thi B", 0, "2025-03-01", "Lan",
	                               NULL, T_CAUSE(e)), before, "more than 0");
	t_refused(e, store_advance_add(e->s, "Ho Thi B", 5, "2025-3-1", "Lan",
	                               NULL, T_CAUSE(e)), before, "not a date");
}

/* Edits, inserts and deletes in each new table behind the trail's back:
 * audit verify names the row. */
static void test_drum_audit(void **state)
{
	struct t_env *e = *state;
	static const struct {
		const char *sql, *want;
	} cases[] = {
		{"DROP TRIGGER drums_no_update; UPDATE drums SET tare_kg = 3",
		 "drum D1 does not match"},
		{"DROP TRIGGER drum_fills_no_update; UPDATE drum_fills SET oil_kg = 0.5",
		 "fill 1 of drum D1 does not match"},
		{"DROP TRIGGER drum_fills_no_delete; DELETE FROM drum_fills",
		 "records a drum_fills row that is missing"},
		{"INSERT INTO drum_fills (drum_id, batch_id, oil_kg, who, at, event_id)"
		 " VALUES ('D1', 1, 0.1, 'x', 'y', 1)", "fill 2 of drum D1"},
		{"DROP TRIGGER shipments_no_update; UPDATE shipments SET buyer = 'X'",
		 "shipment 1 does not match"},
		{"DROP TRIGGER shipment_drums_no_delete; DELETE FROM shipment_drums",
		 "shipment 1 does not match"},
		{"DROP TRIGGER advances_no_update; UPDATE advances SET amount_vnd = 9",
		 "advance 1 does not match"},
		{"DROP TRIGGER drums_no_delete; DELETE FROM drums",
		 "records a drums row that is missing"},
		{"DROP TRIGGER shipments_no_delete; DELETE FROM shipments",
		 "records a shipments row that is missing"},
		{"DROP TRIGGER advances_no_delete; DELETE FROM advances",
		 "records a advances row that is missing"},
		{"DROP TRIGGER attributions_no_delete; DELETE FROM attributions",
		 "records a attributions row that is missing"},
		{"DROP TRIGGER lot_corrections_no_delete; DELETE FROM lot_corrections",
		 "records a lot_corrections row that is missing"},
		{"INSERT INTO advances (grower, amount_vnd, paid_on, who, at, event_id)"
		 " VALUES ('Ho Thi B', 7, '2025-03-02', 'x', 'y', 2)",
		 "advance 2 has no audit row"},
		{"INSERT INTO shipment_drums VALUES (1, 'D9')",
		 "shipment 1 does not match"},
		{"INSERT INTO attribution_lots VALUES (1, 'L1b', 0, 0)",
		 "attribution 1 of batch 1 does not match"},
		{"DROP TRIGGER attributions_no_update;"
		 " UPDATE attributions SET method = 'assay'",
		 "attribution 1 of batch 1 does not match"},
		{"INSERT INTO lot_corrections (lot_id, field, new_value, who, why, at,"
		 " event_id) VALUES ('L1', 'gi', 'X', 'x', 'y', 'z', 3)",
		 "correction 2 of lot L1 has no audit row"},
	};
	const struct store_lot_fix fix = {"gi", "Van Yen"};
	const char *const d1[] = {"D1"};
	long b1;

	t_lot(e, "L1", "cassia-leaf", "Ho Thi B", "800", "12");
	b1 = t_weighed(e, "L1", 2.0);
	t_qa(e, b1, "85", "released");
	assert_true(t_fill(e, "D1", b1, 1, 3.5, 0) > 0);
	assert_true(t_ship(e, d1, 1, "2025-03-10") > 0);
	assert_true(store_advance_add(e->s, "Ho Thi B", 5, "2025-03-01", "Lan",
	                              NULL, T_CAUSE(e)) > 0);
	assert_int_equal(store_lot_correct(e->s, "L1", &fix, 1, "Thu", "cert",
	                                   T_CAUSE(e)), 0);
	store_close(e->s);
	e->s = NULL;
	{
		char cmd[400];

		snprintf(cmd, sizeof cmd, "cp '%s' '%s.clean'", e->path, e->path);
		assert_int_equal(system(cmd), 0);
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char cmd[400];

		snprintf(cmd, sizeof cmd, "cp '%s.clean' '%s'; rm -f '%s-wal' '%s-shm'",
		         e->path, e->path, e->path, e->path);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(t_raw(e, cases[i].sql), SQLITE_OK);
		assert_int_equal(t_verify(e), 1);
		t_assert_contains(e->cause, cases[i].want);
		store_close(e->s);
		e->s = NULL;
	}
}

/* Text of the first column of sql's first row on db, into buf. */
static void t_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* A forger who rehashes the chain: a lower weighing written with a valid
 * audit row passes every row check, but the derived check finds the
 * batch's drums holding more than its latest weighing. */
static void test_verify_derived(void **state)
{
	struct t_env *e = *state;
	char id[24], prev[65], rec[512], hash[65];
	sqlite3 *db;
	long b1;

	t_lot(e, "L1", "cassia-leaf", "Ho Thi B", "800", "12");
	b1 = t_weighed(e, "L1", 2.0);
	assert_true(t_fill(e, "D1", b1, 1.5, 3.5, 0) > 0);
	store_close(e->s);
	e->s = NULL;
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	t_text(db, "SELECT max(id) + 1 FROM events", id, sizeof id);
	t_text(db, "SELECT hash FROM events ORDER BY id DESC LIMIT 1", prev,
	       sizeof prev);
	{
		char sql[256];

		snprintf(sql, sizeof sql, "INSERT INTO measurements (batch_id,"
		         " quantity, value, who, why, at, event_id) VALUES (1,"
		         " 'oil_kg', 1.0, 'Lan', 'x', '2025-03-01T00:00:00.000Z', %s)",
		         id);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	t_text(db, "SELECT json_object('id', r.id, 'batch_id', r.batch_id,"
	           " 'quantity', r.quantity, 'value', r.value, 'who', r.who,"
	           " 'why', r.why, 'at', r.at) FROM measurements r"
	           " ORDER BY id DESC LIMIT 1", rec, sizeof rec);
	{
		const char *const f[14] = {id, "2025-03-01T00:00:00.000Z", NULL, "1",
			"still1", "measure", "oil_kg", "2.000 kg", "1.000 kg", "Lan",
			"operator", "x", "measurements", rec};

		t_raw_event(db, prev, f, hash);
	}
	sqlite3_close(db);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "batch 1 put 1.500 kg in drums but weighed "
	                  "1.000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drum_fill_and_ship, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_drum_refusals, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_ship_refusals, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_drum_audit, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_verify_derived, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
