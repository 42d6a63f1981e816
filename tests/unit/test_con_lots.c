/*
 * test_con_lots: the console start form's charge of several lots: adding
 * lines (and every refusal leaving the charge as it was), removing one,
 * the total, the check against a recipe and the lots= text sent.
 * links: ui/con_lots.c common/num.c common/proto.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "con_lots.h"

static const struct con_lot lots[] = {
	{"L1", "cassia-leaf", "A", "Văn Yên", "", 300, 300},
	{"L2", "cassia-leaf", "B", "Mậu A", "", 300, 120},
	{"B1", "cassia-bark", "C", "Mậu A", "", 300, 300},
};
static const struct con_recipe leaf = {"quick-leaf", 1, "cassia-leaf", 1, 100, 600, 5, ""};

/* Adds id:mass with the lot looked up in lots[]; con_lots_add's result. */
static int add(struct con_lots *l, const char *id, const char *mass, char *cause)
{
	const struct con_lot *lot = NULL;

	for (size_t i = 0; i < sizeof lots / sizeof lots[0]; i++)
		if (strcmp(lots[i].lot_id, id) == 0)
			lot = &lots[i];
	cause[0] = '\0';
	return con_lots_add(l, lot, 1, id, mass, cause, 256);
}

static void test_add_total_request(void **state)
{
	struct con_lots l = {.n = 0};
	char cause[256], req[256];

	(void)state;
	assert_int_equal(add(&l, "L1", "200", cause), 0);
	assert_int_equal(add(&l, "L2", "100.5", cause), 0);
	assert_int_equal(l.n, 2);
	assert_true(fabs(con_lots_total_kg(&l) - 300.5) < 1e-9);
	con_lots_request(&l, req, sizeof req);
	assert_string_equal(req, "L1:200.000,L2:100.500");
}

/* Each refusal says why, naming the lot, and leaves the charge as it was. */
static void test_add_refused(void **state)
{
	static const char *const bad[][3] = {
		{"", "100", ""},          {"NONE", "100", "NONE"},
		{"L1", "abc", "abc"},     {"L1", "0", "0"},
		{"L1", "1e999", "1e999"}, {"L2", "150", "L2"},
		{"L1", "50", "L1"},
	};
	struct con_lots l = {.n = 0};
	char cause[256];

	(void)state;
	assert_int_equal(add(&l, "L1", "200", cause), 0);
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		assert_int_equal(add(&l, bad[k][0], bad[k][1], cause), -1);
		assert_true(cause[0] != '\0');
		if (strstr(cause, bad[k][2]) == NULL)
			fail_msg("%s:%s: '%s' does not name %s", bad[k][0], bad[k][1], cause, bad[k][2]);
		assert_int_equal(l.n, 1);
		assert_true(l.line[0].mass_kg == 200);
	}
}

static void test_remove(void **state)
{
	struct con_lots l = {.n = 0};
	char cause[256], req[256];

	(void)state;
	assert_int_equal(con_lots_remove(&l, -1), -1);
	add(&l, "L1", "200", cause);
	add(&l, "L2", "100", cause);
	assert_int_equal(con_lots_remove(&l, 0), 0);
	con_lots_request(&l, req, sizeof req);
	assert_string_equal(req, "L2:100.000");
	assert_int_equal(con_lots_remove(&l, -1), 0);
	assert_int_equal(l.n, 0);
}

/* The check names the lot of another feedstock, then the total against
 * the recipe's charge limits, else shows the total. */
static void test_check(void **state)
{
	struct con_lots l = {.n = 0};
	char cause[256], note[160];
	int n = (int)(sizeof lots / sizeof lots[0]);

	(void)state;
	add(&l, "L1", "50", cause);
	assert_int_equal(con_lots_check(&l, lots, n, &leaf, note, sizeof note), 1);
	assert_non_null(strstr(note, "50.0"));
	add(&l, "L2", "100", cause);
	assert_int_equal(con_lots_check(&l, lots, n, &leaf, note, sizeof note), 0);
	assert_non_null(strstr(note, "150.0"));
	add(&l, "B1", "100", cause);
	assert_int_equal(con_lots_check(&l, lots, n, &leaf, note, sizeof note), 1);
	assert_non_null(strstr(note, "B1"));
}

static void test_list(void **state)
{
	struct con_lots l = {.n = 0};
	struct con_form f;
	char cause[256];

	(void)state;
	memset(&f, 0, sizeof f);
	con_lots_list(&l, &f);
	assert_int_equal(f.n_list, 0);
	assert_string_equal(f.list_title, "");
	add(&l, "L1", "200", cause);
	add(&l, "L2", "100", cause);
	con_lots_list(&l, &f);
	assert_int_equal(f.n_list, 2);
	assert_non_null(strstr(f.list_title, "300.0"));
	assert_non_null(strstr(f.list[1], "L2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_total_request),
		cmocka_unit_test(test_add_refused),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
