/* Unit tests of the one strict number parser (common/num.c), from a table.
 * links: common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

static const struct num_field pct = {"cooling", "%", 0, 100, 0};
static const struct num_field kg = {"mass", "kg", 0, 1e6, 1};
static const struct num_field days = {"drying days", "days", 0, 3650, 0};

/* One case: text for field f, real (0) or whole (1); ok, the value, or a
 * word the refusal must contain. */
static const struct {
	const char *text;
	const struct num_field *f;
	int whole;
	int ok;
	double value;
	const char *says;
} cases[] = {
	{"0", &pct, 0, 1, 0, NULL},
	{"100", &pct, 0, 1, 100, NULL},
	{"42.5", &pct, 0, 1, 42.5, NULL},
	{"+7", &pct, 0, 1, 7, NULL},
	{".5", &pct, 0, 1, 0.5, NULL},
	{"5.", &pct, 0, 1, 5, NULL},
	{"1e2", &pct, 0, 1, 100, NULL},
	{"-0", &pct, 0, 1, 0, NULL},
	{"abc", &pct, 0, 0, 0, "cooling: 'abc' is not a number (0 to 100 %)"},
	{"", &pct, 0, 0, 0, "cooling: '' is not a number (0 to 100 %)"},
	{"nan", &pct, 0, 0, 0, "not a number"},
	{"NaN", &pct, 0, 0, 0, "not a number"},
	{"inf", &pct, 0, 0, 0, "not a number"},
	{"-inf", &pct, 0, 0, 0, "not a number"},
	{"Infinity", &pct, 0, 0, 0, "not a number"},
	{"1e999", &pct, 0, 0, 0, "out of range (0 to 100 %)"},
	{"12abc", &pct, 0, 0, 0, "no unit"},
	{"5 %", &pct, 0, 0, 0, "no unit"},
	{"0x10", &pct, 0, 0, 0, "not a number"},
	{" 5", &pct, 0, 0, 0, "not a number"},
	{"5 ", &pct, 0, 0, 0, "not a number"},
	{"5;hold still1", &pct, 0, 0, 0, "'5;hold still1'"},
	{"5\nhold", &pct, 0, 0, 0, "'5?hold'"},
	{"5,5", &pct, 0, 0, 0, "not a number"},
	{"--5", &pct, 0, 0, 0, "not a number"},
	{"+", &pct, 0, 0, 0, "not a number"},
	{".", &pct, 0, 0, 0, "not a number"},
	{"e5", &pct, 0, 0, 0, "not a number"},
	{"5e", &pct, 0, 0, 0, "not a number"},
	{"100.5", &pct, 0, 0, 0, "cooling: 100.5 is out of range (0 to 100 %)"},
	{"-1", &pct, 0, 0, 0, "out of range"},
	{"000000000000000000000000000000001", &pct, 0, 0, 0, "too long"},
	{"00000000000000000000000000000001", &pct, 0, 1, 1, NULL},
	{"0", &kg, 0, 0, 0, "mass: 0 is out of range (more than 0, at most 1000000 kg)"},
	{"0.001", &kg, 0, 1, 0.001, NULL},
	{"12", &days, 1, 1, 12, NULL},
	{"1.5", &days, 1, 0, 0, "drying days: '1.5' is not a whole number (0 to 3650 days)"},
	{"1e3", &days, 1, 0, 0, "not a whole number"},
	{"3651", &days, 1, 0, 0, "out of range"},
	{"99999999999999999999", &days, 1, 0, 0, "out of range"},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char cause[256] = "";
		double v = -12345;
		long l = -12345;
		int rc;

		if (cases[i].whole) {
			rc = num_int(cases[i].text, cases[i].f, &l, cause, sizeof cause);
			v = (double)l;
		} else {
			rc = num_real(cases[i].text, cases[i].f, &v, cause, sizeof cause);
		}
		if ((rc == 0) != cases[i].ok)
			fail_msg("case %zu '%s': rc %d (%s)", i, cases[i].text, rc, cause);
		if (cases[i].ok && v != cases[i].value)
			fail_msg("case %zu '%s': %g, wanted %g", i, cases[i].text, v, cases[i].value);
		if (!cases[i].ok && v != -12345)
			fail_msg("case %zu '%s': the value was written on error", i, cases[i].text);
		if (cases[i].says && strstr(cause, cases[i].says) == NULL)
			fail_msg("case %zu '%s': said \"%s\", wanted \"%s\"", i, cases[i].text,
			         cause, cases[i].says);
	}
}

/* A locale whose decimal point is a comma changes nothing. */
static void test_locale(void **state)
{
	double v = 0;
	char cause[128];

	(void)state;
	/* (where no such locale is installed, this runs in the C locale) */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL)
		setlocale(LC_NUMERIC, "vi_VN.UTF-8");
	assert_int_equal(num_real("42.5", &pct, &v, cause, sizeof cause), 0);
	assert_true(v == 42.5);
	assert_int_equal(num_real("42,5", &pct, &v, cause, sizeof cause), -1);
	setlocale(LC_NUMERIC, "C");
}

/* num_parse says why, for callers with their own sentences (ydoc). */
static void test_parse_status(void **state)
{
	double v;
	int whole;

	(void)state;
	assert_int_equal(num_parse("12 C", &v, &whole), NUM_TRAILING);
	assert_int_equal(num_parse("", &v, &whole), NUM_EMPTY);
	assert_int_equal(num_parse("nan", &v, &whole), NUM_NOT_NUMBER);
	assert_int_equal(num_parse("1e400", &v, &whole), NUM_OUT_OF_RANGE);
	assert_int_equal(num_parse("12", &v, &whole), NUM_OK);
	assert_int_equal(whole, 1);
	assert_int_equal(num_parse("1.0", &v, &whole), NUM_OK);
	assert_int_equal(whole, 0);
	assert_true(num_or_nan("2.5") == 2.5);
	assert_true(isnan(num_or_nan("0x10")));
	assert_true(isnan(num_or_nan(" 5")));
	assert_true(isnan(num_or_nan(NULL)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_locale),
		cmocka_unit_test(test_parse_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
