/*
 * test_store_econ: a batch's resources and cost in the record (issue 13):
 * schema 4 migrates a database made by schema 3 (tests/data/records/
 * store-v3.sql) without breaking its audit chain; the end figures carry
 * the resources and the cost, audited (an edit is found); the cost per kg
 * of oil is over the weighed oil when weighed, else the receiver's, and
 * absent without oil or economics; the yields carry steam and cost.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c tests/unit/corpus.c common/diag.c records/store_lotfix.c records/store_trace.c common/clk.c
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

#include <sqlite3.h>

#include "corpus.h"
#include "store_fx.h"

/* The resources of a batch of 500 kg of leaf, and what they cost. */
static const struct econ_use t_use = {
	.steam_kg = 600, .cooling_m3 = 30, .running_h = 2.5, .fuel_kg = 200,
	.electricity_kwh = 7.5, .labour_h = 2.5,
};
#define T_COST_VND 456789.0

/* Ends batch id as complete with oil_kg in the receiver, t_use and cost. */
static void t_end(struct t_env *e, long id, double oil_kg, double cost_vnd)
{
	t_event(e, id, "state", "state", "running", "complete", "controller");
	if (store_batch_end(e->s, id, oil_kg, &t_use, cost_vnd, e->cause,
	                    sizeof e->cause) != 0)
		fail_msg("batch end: %s", e->cause);
}

/* The number at path ("$.cost_vnd") of batch id's JSON record; NaN when
 * it is null. */
static double t_json_num(struct t_env *e, long id, const char *path)
{
	char *json = store_batch_json(e->s, id, e->cause, sizeof e->cause);
	char sql[256];
	sqlite3 *db;
	sqlite3_stmt *st;
	double v = NAN;

	if (!json)
		fail_msg("batch json: %s", e->cause);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "SELECT json_extract(?1, '%s')", path);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, json, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(json);
	return v;
}

/* Replaces the test's database with tests/data/records/store-v3.sql. */
static void t_make_v3(struct t_env *e)
{
	t_load_sql(e, "tests/data/records/store-v3.sql");
}

/* A database of schema 3 with an ended, weighed batch: migrated, its
 * audit chain still verifies, the old batch has no cost, and a new batch
 * ends with its resources, audited. */
static void test_migrate_v3(void **state)
{
	struct t_env *e = *state;
	long id;

	t_make_v3(e);
	assert_int_equal(t_int(e, "PRAGMA user_version"), 3);
	assert_null(store_open(e->path, STORE_RO, e->cause, sizeof e->cause));
	t_assert_contains(e->cause, "has schema 3; start stillroomd");
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	if (!e->s)
		fail_msg("upgrade: %s", e->cause);
	assert_int_equal(t_int(e, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'schema'"
	                          " AND old_value = '3' AND new_value = '6'"), 1);
	if (t_verify(e) != 0)
		fail_msg("verify after upgrade: %s", e->cause);
	/* the old batch: its figures as they were, no cost */
	assert_true(t_json_num(e, 1, "$.steam_kg") == 800);
	assert_true(isnan(t_json_num(e, 1, "$.cost_vnd")));
	assert_true(isnan(t_json_num(e, 1, "$.cost_vnd_per_kg_oil")));
	assert_true(isnan(t_json_num(e, 1, "$.cooling_m3")));
	/* a new batch on the upgraded database */
	store_close(e->s);
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	assert_non_null(e->s);
	t_lot(e, "L9", "cassia-leaf", "Lo Van Minh", "800", NULL);
	id = t_batch(e, "L9", 500);
	t_end(e, id, 2.0, T_COST_VND);
	assert_true(fabs(t_json_num(e, id, "$.cost_vnd_per_kg_oil") - T_COST_VND / 2) < 1e-6);
	if (t_verify(e) != 0)
		fail_msg("verify with a new batch: %s", e->cause);
}

/* The end figures carry every resource and the cost, in the audit row
 * too; an edit of the cost is found. */
static void test_end_resources_audited(void **state)
{
	struct t_env *e = *state;
	long id;

	t_lot(e, "L1", "cassia-leaf", "Nguyen Van A", "800", NULL);
	id = t_batch(e, "L1", 500);
	t_end(e, id, 3.0, T_COST_VND);
	assert_int_equal(t_int(e, "SELECT steam_kg = 600 AND cooling_m3 = 30 AND"
	                          " running_h = 2.5 AND fuel_kg = 200 AND"
	                          " electricity_kwh = 7.5 AND labour_h = 2.5 AND"
	                          " cost_vnd = 456789 FROM batches"), 1);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'batch'"
	                          " AND what = 'end'"
	                          " AND json_extract(record, '$.cost_vnd') = 456789"
	                          " AND json_extract(record, '$.fuel_kg') = 200"
	                          " AND json_extract(record, '$.labour_h') = 2.5"
	                          " AND new_value LIKE '%cost 456789 VND%'"), 1);
	/* the same figures again (a retry) are fine */
	assert_int_equal(store_batch_end(e->s, id, 3.0, &t_use, T_COST_VND, e->cause,
	                                 sizeof e->cause), 0);
	assert_int_equal(t_verify(e), 0);
	assert_int_equal(t_raw(e, "UPDATE batches SET cost_vnd = 1000"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "end figures of batch");
}

/* Cost per kg of oil: over the receiver's oil, then the weighed oil;
 * none without oil or without economics (cost NaN). */
static void test_cost_per_kg_oil(void **state)
{
	struct t_env *e = *state;
	long a, b, c;

	t_lot(e, "L1", "cassia-leaf", "Nguyen Van A", "2000", NULL);
	a = t_batch(e, "L1", 500);
	t_end(e, a, 4.0, T_COST_VND);
	assert_true(fabs(t_json_num(e, a, "$.cost_vnd_per_kg_oil") - T_COST_VND / 4) < 1e-6);
	assert_int_equal(store_batch_weigh(e->s, a, 3.0, "Hoa", NULL, e->cause,
	                                   sizeof e->cause), 0);
	assert_true(fabs(t_json_num(e, a, "$.cost_vnd_per_kg_oil") - T_COST_VND / 3) < 1e-6);
	b = t_batch(e, "L1", 500);
	t_end(e, b, 0, T_COST_VND);
	assert_true(isnan(t_json_num(e, b, "$.cost_vnd_per_kg_oil")));
	assert_true(t_json_num(e, b, "$.cost_vnd") == T_COST_VND);
	c = t_batch(e, "L1", 500);
	t_end(e, c, 2.0, NAN);
	assert_true(isnan(t_json_num(e, c, "$.cost_vnd")));
	assert_true(isnan(t_json_num(e, c, "$.cost_vnd_per_kg_oil")));
	assert_true(t_json_num(e, c, "$.steam_kg") == 600);
	assert_int_equal(t_verify(e), 0);
}

/* A cost that is not a number of dong is refused, nothing written. */
static void test_end_refuses_bad_figures(void **state)
{
	struct t_env *e = *state;
	struct econ_use bad = t_use;
	long id;

	t_lot(e, "L1", "cassia-leaf", "Nguyen Van A", "800", NULL);
	id = t_batch(e, "L1", 500);
	assert_int_equal(store_batch_end(e->s, id, 1, &t_use, -5, e->cause,
	                                 sizeof e->cause), -1);
	t_assert_contains(e->cause, "must be 0 or more");
	bad.cooling_m3 = INFINITY;
	assert_int_equal(store_batch_end(e->s, id, 1, &bad, 5, e->cause,
	                                 sizeof e->cause), -1);
	t_assert_contains(e->cause, "must be 0 or more");
	assert_int_equal(t_int(e, "SELECT count(*) FROM batches WHERE"
	                          " end_event_id IS NOT NULL"), 0);
}

/* store_row_fn: the cassia-leaf row's steam, cost and cost per kg. */
static int t_yield_costs(void *ctx, const struct store_cell *c, int n)
{
	double *v = ctx;

	for (int i = 0; i < n; i++) {
		if (strcmp(c[i].name, "steam_kg") == 0)
			v[0] = c[i].is_num ? c[i].num : NAN;
		if (strcmp(c[i].name, "cost_vnd") == 0)
			v[1] = c[i].is_num ? c[i].num : NAN;
		if (strcmp(c[i].name, "cost_vnd_per_kg_oil") == 0)
			v[2] = c[i].is_num ? c[i].num : NAN;
	}
	return 0;
}

/* Yields by feedstock: total steam and cost, and the cost per kg over
 * the oil of the batches that were costed. */
static void test_yields_cost(void **state)
{
	struct t_env *e = *state;
	struct store_filter f = {.by = "feedstock"};
	double v[3] = {NAN, NAN, NAN};
	long a, b, c;

	t_lot(e, "L1", "cassia-leaf", "Nguyen Van A", "2000", NULL);
	a = t_batch(e, "L1", 500);
	t_end(e, a, 4.0, 400000);
	b = t_batch(e, "L1", 500);
	t_end(e, b, 2.0, 200000);
	c = t_batch(e, "L1", 500);        /* no economics: steam only */
	t_end(e, c, 3.0, NAN);
	assert_int_equal(store_query_rows(e->s, STORE_Q_YIELDS, &f, t_yield_costs,
	                                  v, e->cause, sizeof e->cause), 1);
	assert_true(fabs(v[0] - 1800) < 1e-6);
	assert_true(fabs(v[1] - 600000) < 1e-6);
	assert_true(fabs(v[2] - 100000) < 1e-6);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
	const struct CMUnitTest tests[] = {
		T(test_migrate_v3),
		T(test_end_resources_audited),
		T(test_cost_per_kg_oil),
		T(test_end_refuses_bad_figures),
		T(test_yields_cost),
	};
#undef T
	if (corpus_chdir_top() < 0) {
		fprintf(stderr, "not ok - test_store_econ: cannot find tests/data\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
