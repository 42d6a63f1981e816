/*
 * test_cfg_settle: the `settlement:` and `privacy:` sections of the plant
 * configuration (config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c): the bundled rule, a file without
 * them (no rule, households hidden), every bad value as
 * file:line:column with the field and its range, and nothing kept from a
 * file with a mistake. The exact lines of each bad file are in
 * tests/data/config/bad/settlement*.expected (checked by test_cfg).
 * links: config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/diag.c tests/unit/corpus.c common/num.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "corpus.h"

static struct cfg_plant plant;

/* 1 when a line of d is exactly s. */
static int diag_is(const struct diag *d, const char *s)
{
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->line[i], s) == 0)
			return 1;
	return 0;
}

/* The bundled estimates: three raw prices, 30 % share, 5 % bonus,
 * households hidden. */
static void test_bundled_rule(void **state)
{
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(cfg_load(&plant, "config/plant.yaml", &d), 0);
	assert_int_equal(plant.settle.set, 1);
	assert_int_equal(plant.settle.n_raw_prices, 3);
	assert_true(settle_raw_price_vnd_per_kg(&plant.settle, "cassia-leaf") == 2500);
	assert_true(settle_raw_price_vnd_per_kg(&plant.settle, "cassia-bark") == 28000);
	assert_true(settle_raw_price_vnd_per_kg(&plant.settle, "star-anise") == 42000);
	assert_true(isnan(settle_raw_price_vnd_per_kg(&plant.settle, "lemongrass")));
	assert_true(plant.settle.oil_share_pct == 30);
	assert_true(plant.settle.quality_bonus_pct == 5);
	assert_int_equal(plant.settle.households_in_trace, 0);
}

/* No section: set 0, no prices, households hidden; a rule without a
 * bonus has bonus 0; privacy alone can name households. */
static void test_missing_sections(void **state)
{
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(cfg_load(&plant, "tests/data/config/good/minimal.yaml", &d), 0);
	assert_int_equal(plant.settle.set, 0);
	assert_int_equal(plant.settle.n_raw_prices, 0);
	assert_int_equal(plant.settle.households_in_trace, 0);
	assert_int_equal(cfg_load(&plant, "tests/data/config/good/settlement.yaml", &d), 0);
	assert_int_equal(plant.settle.set, 1);
	assert_true(plant.settle.oil_share_pct == 25.5);
	assert_true(plant.settle.quality_bonus_pct == 0);
	assert_true(settle_raw_price_vnd_per_kg(&plant.settle, "star-anise") == 40000);
	assert_int_equal(plant.settle.households_in_trace, 1);
}

/* Every bad value names its place, its field and its range; the plant
 * loaded before is kept whole. */
static void test_bad_values(void **state)
{
	static const char *const want[] = {
		"settlement.yaml:42:18: 'cassia-bark' needs a unit: \"28000\" is a "
		"bare number; write it in VND_per_kg",
		"settlement.yaml:44:13: 'pomelo' must be from 0 VND_per_kg to 1e+09 "
		"VND_per_kg, not \"-5 VND_per_kg\"",
		"settlement.yaml:45:18: 'oil_share_pct' must be from 0 % to 100 %, "
		"not \"130 %\"",
		"settlement.yaml:49:24: 'households_in_trace' must be true or false, "
		"not \"maybe\"",
	};
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(cfg_load(&plant, "config/plant.yaml", &d), 0);
	assert_int_equal(chdir("tests/data/config/bad"), 0);
	assert_int_equal(cfg_load(&plant, "settlement.yaml", &d), -1);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_true(diag_is(&d, want[i]));
	diag_init(&d);
	assert_int_equal(cfg_load(&plant, "settlement-many.yaml", &d), -1);
	assert_true(diag_is(&d, "settlement-many.yaml:42:5: 'raw_price' lists 17 "
	                    "feedstocks; at most 16"));
	assert_int_equal(corpus_chdir_top(), 0);
	assert_true(plant.settle.oil_share_pct == 30);
	assert_true(settle_raw_price_vnd_per_kg(&plant.settle, "cassia-bark") == 28000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_rule),
		cmocka_unit_test(test_missing_sections),
		cmocka_unit_test(test_bad_values),
	};

	if (corpus_chdir_top() < 0) {
		fprintf(stderr, "not ok - test_cfg_settle: cannot find tests/data\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
