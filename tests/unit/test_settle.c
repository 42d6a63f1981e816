/*
 * test_settle: member settlement arithmetic (config/settle.c): a generated
 * season of hundreds of lines checked against exact integer arithmetic
 * (every gram and every dong reconciles), rounding once per grower and
 * component, and the refusals.
 * links: config/settle.c config/econ.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "settle.h"

#define T_GROWERS 30
#define T_LINES 900

/* The bundled rule: raw prices, 30 % of the oil's value, 5 % bonus. */
static void t_rule(struct settle_cfg *c)
{
	static const struct {
		const char *feed;
		double vnd;
	} p[] = {{"cassia-leaf", 2500}, {"cassia-bark", 28000}, {"star-anise", 42000}};

	settle_defaults(c);
	c->set = 1;
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		snprintf(c->raw_price[i].feedstock, ECON_NAME_MAX, "%s", p[i].feed);
		c->raw_price[i].vnd_per_kg = p[i].vnd;
	}
	c->n_raw_prices = 3;
	c->oil_share_pct = 30;
	c->quality_bonus_pct = 5;
}

static unsigned long long t_seed = 88172645463325252ULL;

/* xorshift64: the same season every run. */
static unsigned long long t_rand(void)
{
	t_seed ^= t_seed << 13;
	t_seed ^= t_seed >> 7;
	t_seed ^= t_seed << 17;
	return t_seed;
}

static const char *const t_feeds[] = {"cassia-leaf", "cassia-bark", "star-anise"};
static const long long t_raw_price[] = {2500, 28000, 42000};
static const long long t_oil_price[] = {900000, 1200000, 1000000};
static char t_names[T_GROWERS][32];

/* Half away from zero of num / den (den > 0, num >= 0): exact. */
static long long t_div_round(long long num, long long den)
{
	return (num + den / 2) / den;
}

/* A season: deliveries, oil shares, intake payments and advances. */
static int t_season(struct settle_line *l)
{
	for (int g = 0; g < T_GROWERS; g++)
		snprintf(t_names[g], sizeof t_names[g], "Hộ %02d", T_GROWERS - g);
	for (int i = 0; i < T_LINES; i++) {
		int f = (int)(t_rand() % 3);

		memset(&l[i], 0, sizeof l[i]);
		l[i].kind = (enum settle_kind)(t_rand() % 4);
		l[i].grower = t_names[t_rand() % T_GROWERS];
		l[i].feedstock = t_feeds[f];
		l[i].plant_part = f == 1 ? "bark" : f == 2 ? "fruit" : "leaf";
		l[i].raw_kg = (double)(t_rand() % 800000) / 1000;  /* 3 decimals */
		l[i].oil_g = (long long)(t_rand() % 9000);
		l[i].oil_vnd_per_kg = (double)t_oil_price[f];
		l[i].released = (int)(t_rand() % 3 != 0);
		l[i].paid_vnd = (long long)(t_rand() % 5000000);
	}
	return T_LINES;
}

/* What grower name is owed, in exact integers. */
static void t_exact(const struct settle_line *l, int n, const char *name,
                    struct settle_grower *want)
{
	long long raw = 0, oil = 0, rel = 0, raw_g = 0;

	memset(want, 0, sizeof *want);
	for (int i = 0; i < n; i++) {
		int f = l[i].feedstock == t_feeds[0] ? 0 : l[i].feedstock == t_feeds[1] ? 1 : 2;

		if (strcmp(l[i].grower, name) != 0)
			continue;
		if (l[i].kind == SETTLE_DELIVERY) {
			raw_g += llround(l[i].raw_kg * 1000);
			raw += llround(l[i].raw_kg * 1000) * t_raw_price[f];
		} else if (l[i].kind == SETTLE_OIL) {
			want->oil_g += l[i].oil_g;
			oil += l[i].oil_g * t_oil_price[f];
			rel += l[i].released ? l[i].oil_g * t_oil_price[f] : 0;
		} else {
			want->paid_vnd += l[i].paid_vnd;
		}
	}
	want->raw_kg = (double)raw_g / 1000;
	want->raw_vnd = t_div_round(raw, 1000);
	want->oil_share_vnd = t_div_round(oil * 30, 100000);
	want->bonus_vnd = t_div_round(rel * 30 * 5, 10000000);
	want->due_vnd = want->raw_vnd + want->oil_share_vnd + want->bonus_vnd -
	                want->paid_vnd;
}

/* A generated season reconciles to the gram and the dong. */
static void test_season_reconciles(void **state)
{
	static struct settle_line l[T_LINES];
	struct settle_grower out[T_GROWERS + 2], total, want;
	struct settle_cfg c;
	char cause[256] = "";
	long long oil_lines = 0, due = 0, paid_lines = 0;
	int n = t_season(l), g;

	(void)state;
	t_rule(&c);
	g = settle_compute(&c, l, n, out, T_GROWERS + 2, &total, cause, sizeof cause);
	assert_int_equal(g, T_GROWERS);
	for (int i = 0; i < n; i++) {
		oil_lines += l[i].kind == SETTLE_OIL ? l[i].oil_g : 0;
		paid_lines += l[i].kind >= SETTLE_INTAKE_PAID ? l[i].paid_vnd : 0;
	}
	for (int i = 0; i < g; i++) {
		if (i > 0)
			assert_true(strcmp(out[i - 1].grower, out[i].grower) < 0);
		t_exact(l, n, out[i].grower, &want);
		assert_true(out[i].raw_kg == want.raw_kg);
		assert_int_equal(out[i].oil_g, want.oil_g);
		assert_int_equal(out[i].raw_vnd, want.raw_vnd);
		assert_int_equal(out[i].oil_share_vnd, want.oil_share_vnd);
		assert_int_equal(out[i].bonus_vnd, want.bonus_vnd);
		assert_int_equal(out[i].paid_vnd, want.paid_vnd);
		assert_int_equal(out[i].due_vnd, want.due_vnd);
		due += out[i].due_vnd;
	}
	assert_string_equal(total.grower, "TOTAL");
	assert_int_equal(total.oil_g, oil_lines);
	assert_int_equal(total.paid_vnd, paid_lines);
	assert_int_equal(total.due_vnd, due);
	assert_int_equal(total.due_vnd, total.raw_vnd + total.oil_share_vnd +
	                 total.bonus_vnd - total.paid_vnd);
}

/* Each grower's component is rounded once: two deliveries of 1 g of leaf
 * (2.5 dong each) are 5 dong, not 3 + 3; a half rounds up. */
static void test_round_once(void **state)
{
	const struct settle_line l[] = {
		{.kind = SETTLE_DELIVERY, .grower = "A", .feedstock = "cassia-leaf",
		 .raw_kg = 0.001},
		{.kind = SETTLE_DELIVERY, .grower = "A", .feedstock = "cassia-leaf",
		 .raw_kg = 0.001},
		{.kind = SETTLE_DELIVERY, .grower = "B", .feedstock = "cassia-leaf",
		 .raw_kg = 0.001},
		/* 1 g of oil at 900,000/kg: 30 % is 270 dong, 5 % of that 13.5 */
		{.kind = SETTLE_OIL, .grower = "B", .feedstock = "cassia-leaf",
		 .oil_g = 1, .oil_vnd_per_kg = 900000, .released = 1},
		{.kind = SETTLE_ADVANCE, .grower = "B", .paid_vnd = 1000},
	};
	struct settle_grower out[4], total;
	struct settle_cfg c;
	char cause[256];

	(void)state;
	t_rule(&c);
	assert_int_equal(settle_compute(&c, l, 5, out, 4, &total, cause, sizeof cause), 2);
	assert_string_equal(out[0].grower, "A");
	assert_int_equal(out[0].raw_vnd, 5);
	assert_true(out[0].raw_kg == 0.002);
	assert_int_equal(out[1].raw_vnd, 3);
	assert_int_equal(out[1].oil_share_vnd, 270);
	assert_int_equal(out[1].bonus_vnd, 14);
	assert_int_equal(out[1].due_vnd, 3 + 270 + 14 - 1000);
	assert_int_equal(total.raw_vnd, 8);
	assert_int_equal(total.due_vnd, 5 + 3 + 270 + 14 - 1000);
}

/* Each refusal is one sentence naming what is wrong. */
static void test_refusals(void **state)
{
	struct settle_line l = {.kind = SETTLE_DELIVERY, .grower = "Hộ A",
	                        .feedstock = "lemongrass", .raw_kg = 10};
	struct settle_line many[3] = {
		{.kind = SETTLE_ADVANCE, .grower = "A", .paid_vnd = 1},
		{.kind = SETTLE_ADVANCE, .grower = "B", .paid_vnd = 1},
		{.kind = SETTLE_ADVANCE, .grower = "C", .paid_vnd = 1},
	};
	struct settle_grower out[2], total;
	struct settle_cfg c;
	char cause[256];

	(void)state;
	settle_defaults(&c);
	assert_true(isnan(settle_raw_price_vnd_per_kg(&c, "cassia-leaf")));
	assert_int_equal(settle_compute(&c, &l, 1, out, 2, &total, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "no 'settlement:' section"));
	t_rule(&c);
	assert_true(settle_raw_price_vnd_per_kg(&c, "cassia-bark") == 28000);
	assert_int_equal(settle_compute(&c, &l, 1, out, 2, &total, cause, sizeof cause), -1);
	assert_string_equal(cause, "'settlement: raw_price' has no price for feedstock "
	                    "'lemongrass' (delivered by Hộ A): add it to the plant "
	                    "configuration");
	l = (struct settle_line){.kind = SETTLE_OIL, .grower = "Hộ A",
	                         .feedstock = "lemongrass", .oil_g = 5,
	                         .oil_vnd_per_kg = NAN};
	assert_int_equal(settle_compute(&c, &l, 1, out, 2, &total, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "'economics: oil_price' has no price for "
	                       "feedstock 'lemongrass'"));
	l = (struct settle_line){.kind = SETTLE_ADVANCE, .grower = "Hộ A", .paid_vnd = -1};
	assert_int_equal(settle_compute(&c, &l, 1, out, 2, &total, cause, sizeof cause), -1);
	assert_string_equal(cause, "a line of Hộ A has a negative amount");
	l = (struct settle_line){.kind = SETTLE_DELIVERY, .grower = "",
	                         .feedstock = "cassia-leaf", .raw_kg = 1};
	assert_int_equal(settle_compute(&c, &l, 1, out, 2, &total, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "names no grower"));
	assert_int_equal(settle_compute(&c, many, 3, out, 2, &total, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "more than 2 growers"));
	/* no lines: no growers, a zero total */
	assert_int_equal(settle_compute(&c, many, 0, out, 2, &total, cause, sizeof cause), 0);
	assert_int_equal(total.due_vnd, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_season_reconciles),
		cmocka_unit_test(test_round_once),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
