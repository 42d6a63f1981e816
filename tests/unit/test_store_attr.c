/*
 * test_store_attr: the weighed oil of a batch attributed to its lots in
 * whole grams (schema 5): the method (assay, dry mass, charged mass), the
 * exact sum, a new revision at each weighing and at each correction of a
 * lot's moisture or oil content, lot corrections as rows, and that the
 * refusals leave the database as it was.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c records/store_lotfix.c records/store_trace.c common/clk.c
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

/* A batch drawing 200 kg of A and 300 kg of B, ended; returns its id. */
static long t_ab(struct t_env *e)
{
	const struct store_lot_draw d[] = {{"A", 200}, {"B", 300}};
	struct store_batch_start st = t_start(NULL, 0);
	long id;

	st.lots = d;
	st.n_lots = 2;
	id = store_batch_begin(e->s, &st, T_CAUSE(e));
	if (id <= 0)
		fail_msg("begin: %s", e->cause);
	t_finish(e, id, 1.0);
	return id;
}

static void t_weigh(struct t_env *e, long id, double kg, const char *why)
{
	if (store_batch_weigh(e->s, id, kg, "Lan", why, T_CAUSE(e)) != 0)
		fail_msg("weigh: %s", e->cause);
}

/* "method:gA,gB" of the batch's latest attribution. */
#define T_SPLIT "SELECT a.method || ':' || group_concat(al.oil_g, ',') FROM" \
	" attribution_now a JOIN (SELECT * FROM attribution_lots ORDER BY lot_id)" \
	" al ON al.attribution_id = a.id"

static void t_split_is(struct t_env *e, const char *want)
{
	char sql[512];
	long long ok;

	snprintf(sql, sizeof sql, "SELECT (" T_SPLIT ") = '%s'", want);
	ok = t_int(e, sql);
	if (ok != 1)
		fail_msg("split is not %s", want);
}

static void test_attr_dry_mass(void **state)
{
	struct t_env *e = *state;
	long id;

	t_lot(e, "A", "cassia-leaf", "Ho Thi B", "800", "10");
	t_lot(e, "B", "cassia-leaf", "Tran Van C", "800", "40");
	id = t_ab(e);
	/* dry 180 kg and 180 kg: 1001 g, the odd gram to the lower index */
	t_weigh(e, id, 1.001, NULL);
	t_split_is(e, "dry_mass:501,500");
	t_weigh(e, id, 0.9, "scale recalibrated");
	t_split_is(e, "dry_mass:450,450");
	assert_int_equal(t_int(e, "SELECT count(*) FROM attributions"), 2);
	assert_int_equal(t_int(e, "SELECT max(revision) FROM attributions"), 2);
	assert_int_equal(t_verify(e), 0);
	assert_int_equal(t_raw(e, "DROP TRIGGER attribution_lots_no_update;"
	                          " UPDATE attribution_lots SET oil_g = 449"
	                          " WHERE oil_g = 450 AND lot_id = 'A'"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "attribution 2 of batch 1 does not match");
}

static void test_attr_methods(void **state)
{
	struct t_env *e = *state;
	long id;

	/* B has no moisture: by the mass charged */
	t_lot(e, "A", "cassia-leaf", "Ho Thi B", "800", "10");
	t_lot(e, "B", "cassia-leaf", "Tran Van C", "800", NULL);
	id = t_ab(e);
	t_weigh(e, id, 1.0, NULL);
	t_split_is(e, "charged_mass:400,600");
	assert_int_equal(t_int(e, "SELECT sum(basis) FROM attribution_lots"), 500);
}

static void test_attr_weigh_below_drums(void **state)
{
	struct t_env *e = *state;
	const struct store_drum_fill f = {"D1", 1, 0.8, 3.5, 0, "Lan"};
	char before[65];
	long id;

	t_lot(e, "A", "cassia-leaf", "Ho Thi B", "800", "10");
	t_lot(e, "B", "cassia-leaf", "Tran Van C", "800", "40");
	id = t_ab(e);
	t_weigh(e, id, 1.0, NULL);
	assert_true(store_drum_fill(e->s, &f, T_CAUSE(e)) > 0);
	t_digest(e, before);
	t_refused(e, store_batch_weigh(e->s, id, 0.7, "Lan", "spill", T_CAUSE(e)),
	          before, "batch 1: its drums hold 0.800 kg");
	t_weigh(e, id, 0.8, "recount");
	t_split_is(e, "dry_mass:400,400");
}

static int t_fix(struct t_env *e, const char *lot, const char *key,
                 const char *value, const char *why)
{
	const struct store_lot_fix f = {key, value};

	return store_lot_correct(e->s, lot, &f, 1, "Thu", why, T_CAUSE(e));
}

static void test_lot_correct_reattributes(void **state)
{
	struct t_env *e = *state;
	const struct store_lot_fix assay[] = {{"oil_content", "1"},
	                                      {"harvested", "2025-02-21"}};
	struct store_lot l;
	long id;

	t_lot(e, "A", "cassia-leaf", "Ho Thi B", "800", "10");
	t_lot(e, "B", "cassia-leaf", "Tran Van C", "800", "40");
	id = t_ab(e);
	t_weigh(e, id, 1.0, NULL);
	t_split_is(e, "dry_mass:500,500");
	assert_int_equal(t_fix(e, "B", "moisture", "10", "lab re-test"), 0);
	t_split_is(e, "dry_mass:400,600");
	assert_int_equal(store_lot_get(e->s, "B", &l, T_CAUSE(e)), 0);
	assert_true(l.moisture_pct == 10);
	assert_int_equal(t_int(e, "SELECT moisture_pct FROM lots WHERE lot_id = 'B'"),
	                 40);
	/* an assay on every lot: by the oil they held */
	assert_int_equal(t_fix(e, "A", "oil_content", "3", "assay"), 0);
	t_split_is(e, "dry_mass:400,600");
	assert_int_equal(store_lot_correct(e->s, "B", assay, 2, "Thu", "assay",
	                                   T_CAUSE(e)), 0);
	t_split_is(e, "assay:667,333");
	assert_int_equal(store_lot_get(e->s, "B", &l, T_CAUSE(e)), 0);
	assert_string_equal(l.harvested, "2025-02-21");
	/* a GI correction does not attribute again */
	assert_int_equal(t_fix(e, "B", "gi", "Van Yen", "certificate came"), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM attributions"), 4);
	assert_int_equal(t_int(e, "SELECT count(*) FROM lot_corrections"), 5);
	assert_int_equal(t_verify(e), 0);
	assert_int_equal(t_raw(e, "DROP TRIGGER lot_corrections_no_update;"
	                          " UPDATE lot_corrections SET new_value = '5'"
	                          " WHERE id = 1"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "correction 1 of lot B does not match");
}

static void test_lot_correct_refusals(void **state)
{
	struct t_env *e = *state;
	const struct store_lot_fix twice[] = {{"moisture", "11"},
	                                      {"moisture_pct", "12"}};
	char before[65];

	t_lot(e, "A", "cassia-leaf", "Ho Thi B", "800", "10");
	t_digest(e, before);
	t_refused(e, t_fix(e, "A", "moisture", "10", "x"), before,
	          "lot A: moisture_pct is 10 already");
	t_refused(e, t_fix(e, "A", "colour", "red", "x"), before,
	          "unknown field 'colour'");
	t_refused(e, t_fix(e, "A", "grower", "X", "x"), before,
	          "lot A: grower cannot be corrected");
	t_refused(e, t_fix(e, "A", "mass", "5", "x"), before,
	          "lot A: mass cannot be corrected");
	t_refused(e, t_fix(e, "A", "moisture", "11", NULL), before,
	          "lot A: a correction needs a reason (why)");
	t_refused(e, t_fix(e, "A", "moisture", "abc", "x"), before, "moisture");
	t_refused(e, t_fix(e, "A", "part", "root", "x"), before, "plant part");
	t_refused(e, t_fix(e, "NOPE", "moisture", "11", "x"), before,
	          "no lot named NOPE");
	t_refused(e, t_fix(e, "A", "organic_cert", "C-9", "x"), before,
	          "lot A: organic certificate C-9 needs its body");
	t_refused(e, store_lot_correct(e->s, "A", twice, 2, "Thu", "x", T_CAUSE(e)),
	          before, "lot A: moisture_pct is corrected twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attr_dry_mass, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_attr_methods, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_attr_weigh_below_drums, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_lot_correct_reattributes, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_lot_correct_refusals, t_setup,
		                                t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
