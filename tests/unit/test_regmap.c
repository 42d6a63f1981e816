/* Unit tests of common/regmap.c: encode/decode through struct cfg_reg. */
/* links: common/regmap.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "regmap.h"

static struct cfg_reg reg(int words, enum cfg_words order, int is_signed,
                          double scale, double offset)
{
	struct cfg_reg r = {CFG_REG_INPUT, 0, words, order, is_signed, scale, offset, 0, 0};

	return r;
}

/* A temperature as the default map has it: signed 0.1 C. */
static void test_signed_tenths(void **state)
{
	struct cfg_reg r = reg(1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0);
	uint16_t w[2] = {0, 0};
	double v;

	(void)state;
	assert_int_equal(regmap_encode(&r, 98.76, w), 0);
	assert_int_equal(w[0], 988);
	assert_int_equal(regmap_decode(&r, w, &v), 0);
	assert_true(fabs(v - 98.8) < 1e-9);

	assert_int_equal(regmap_encode(&r, -12.34, w), 0);
	assert_int_equal(w[0], (uint16_t)-123);
	assert_int_equal(regmap_decode(&r, w, &v), 0);
	assert_true(fabs(v - -12.3) < 1e-9);
}

/* Out of range saturates and says so; NaN reads as implausible. */
static void test_saturation(void **state)
{
	struct cfg_reg s = reg(1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0);
	struct cfg_reg u = reg(1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0);
	uint16_t w[2];
	double v;

	(void)state;
	assert_int_equal(regmap_encode(&s, 5000.0, w), -1);
	assert_int_equal(w[0], 0x7fff);
	assert_int_equal(regmap_encode(&s, -5000.0, w), -1);
	assert_int_equal(w[0], 0x8000);
	assert_int_equal(regmap_encode(&u, -1.0, w), -1);
	assert_int_equal(w[0], 0);
	assert_int_equal(regmap_encode(&u, 7000.0, w), -1);
	assert_int_equal(w[0], 0xffff);
	assert_int_equal(regmap_encode(&u, 6553.5, w), 0);
	assert_int_equal(w[0], 0xffff);

	assert_int_equal(regmap_encode(&s, NAN, w), -1);
	assert_int_equal(regmap_decode(&s, w, &v), 0);
	assert_true(v < -3000);
	assert_int_equal(regmap_encode(&u, NAN, w), -1);
	assert_int_equal(w[0], 0xffff);
}

/* 32-bit values in both word orders, as the oil register is. */
static void test_two_words(void **state)
{
	struct cfg_reg hi = reg(2, CFG_WORDS_HIGH_FIRST, 0, 1, 0);
	struct cfg_reg lo = reg(2, CFG_WORDS_LOW_FIRST, 0, 1, 0);
	struct cfg_reg sg = reg(2, CFG_WORDS_HIGH_FIRST, 1, 1, 0);
	uint16_t w[2];
	double v;

	(void)state;
	assert_int_equal(regmap_encode(&hi, 3000000.0, w), 0);
	assert_int_equal(w[0], 3000000 >> 16);
	assert_int_equal(w[1], 3000000 & 0xffff);
	assert_int_equal(regmap_decode(&hi, w, &v), 0);
	assert_true(v == 3000000.0);

	assert_int_equal(regmap_encode(&lo, 3000000.0, w), 0);
	assert_int_equal(w[1], 3000000 >> 16);
	assert_int_equal(w[0], 3000000 & 0xffff);
	assert_int_equal(regmap_decode(&lo, w, &v), 0);
	assert_true(v == 3000000.0);

	assert_int_equal(regmap_encode(&sg, -70000.0, w), 0);
	assert_int_equal(regmap_decode(&sg, w, &v), 0);
	assert_true(v == -70000.0);
	assert_int_equal(regmap_encode(&hi, 5e9, w), -1);
	assert_int_equal(w[0], 0xffff);
	assert_int_equal(w[1], 0xffff);
}

/* Offset and scale: a 4-20 mA style 0..10000 raw over -50..150 C. */
static void test_offset(void **state)
{
	struct cfg_reg r = reg(1, CFG_WORDS_HIGH_FIRST, 0, 0.02, -50);
	uint16_t w[2];
	double v;

	(void)state;
	assert_int_equal(regmap_encode(&r, 100.0, w), 0);
	assert_int_equal(w[0], 7500);
	assert_int_equal(regmap_decode(&r, w, &v), 0);
	assert_true(fabs(v - 100.0) < 1e-9);
	assert_int_equal(regmap_encode(&r, -60.0, w), -1);
	assert_int_equal(w[0], 0);
}

/* Malformed descriptions are refused, not guessed at. */
static void test_malformed(void **state)
{
	struct cfg_reg r = reg(3, CFG_WORDS_HIGH_FIRST, 0, 1, 0);
	struct cfg_reg z = reg(1, CFG_WORDS_HIGH_FIRST, 0, 0, 0);
	uint16_t w[2] = {1, 2};
	double v = 42;

	(void)state;
	assert_int_equal(regmap_decode(&r, w, &v), -1);
	assert_true(v == 42);
	assert_int_equal(regmap_encode(&z, 1.0, w), -1);
}

/* Every raw value of a signed 16-bit register survives decode+encode. */
static void test_round_trip(void **state)
{
	struct cfg_reg r = reg(1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0);

	(void)state;
	for (int raw = 0; raw <= 0xffff; raw++) {
		uint16_t in = (uint16_t)raw;
		uint16_t out[2];
		double v;

		assert_int_equal(regmap_decode(&r, &in, &v), 0);
		assert_int_equal(regmap_encode(&r, v, out), 0);
		assert_int_equal(out[0], in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_tenths),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_two_words),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
