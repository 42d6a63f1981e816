/*
 * test_alloc: largest-remainder splits (config/alloc.c): the parts always
 * add up to the whole, follow the weights, and bad weights are refused.
 * links: config/alloc.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "alloc.h"

static long long alloc_sum(const long long *v, int n)
{
	long long s = 0;
	for (int i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* 1000 g over three equal lots: 334, 333, 333 (the tie goes to the first). */
static void test_alloc_thirds(void **state)
{
	const double w[3] = {1, 1, 1};
	long long out[3];

	(void)state;
	assert_int_equal(alloc_split(1000, w, 3, out), 0);
	assert_int_equal(out[0], 334);
	assert_int_equal(out[1], 333);
	assert_int_equal(out[2], 333);
}

/* Proportional where exact; the leftover goes to the largest remainder. */
static void test_alloc_weights(void **state)
{
	const double w[3] = {200 * 0.88, 300 * 0.85, 100 * 0.9};
	long long out[3];

	(void)state;
	assert_int_equal(alloc_split(3517, w, 3, out), 0);
	assert_int_equal(alloc_sum(out, 3), 3517);
	/* exact shares 1188.08, 1721.37, 607.54: the unit left goes to .54 */
	assert_int_equal(out[0], 1188);
	assert_int_equal(out[1], 1721);
	assert_int_equal(out[2], 608);
}

/* Many awkward weights: the sum is always exact, no part negative. */
static void test_alloc_sums(void **state)
{
	double w[37];
	long long out[37];

	(void)state;
	for (int i = 0; i < 37; i++)
		w[i] = fmod(i * 7.31, 5.0) + (i % 3 == 0 ? 0 : 0.001);
	for (long long total = 0; total < 5000; total += 97) {
		assert_int_equal(alloc_split(total, w, 37, out), 0);
		assert_int_equal(alloc_sum(out, 37), total);
		for (int i = 0; i < 37; i++)
			assert_true(out[i] >= 0);
	}
}

/* All weights 0: an equal split; refusals leave out untouched. */
static void test_alloc_edges(void **state)
{
	const double zero[2] = {0, 0};
	const double bad[2] = {1, -1};
	const double nan2[2] = {1, NAN};
	long long out[2] = {-7, -7};

	(void)state;
	assert_int_equal(alloc_split(5, zero, 2, out), 0);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 2);
	out[0] = out[1] = -7;
	assert_int_equal(alloc_split(5, bad, 2, out), -1);
	assert_int_equal(alloc_split(5, nan2, 2, out), -1);
	assert_int_equal(alloc_split(-1, zero, 2, out), -1);
	assert_int_equal(alloc_split(5, zero, 0, out), -1);
	assert_int_equal(out[0], -7);
	assert_int_equal(out[1], -7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_thirds),
		cmocka_unit_test(test_alloc_weights),
		cmocka_unit_test(test_alloc_sums),
		cmocka_unit_test(test_alloc_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
