/*
 * test_econ: the economics maths (config/econ.c): resources of a batch,
 * their cost, the cost of an hour, oil prices and VND as people read it.
 * links: config/econ.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "econ.h"

/* A plant that buys firewood: 1,200 VND/kg making 3 kg of steam each. */
static void econ_fuel_plant(struct econ_cfg *c)
{
	econ_defaults(c);
	c->set = 1;
	snprintf(c->oil_price[0].feedstock, ECON_NAME_MAX, "cassia-leaf");
	c->oil_price[0].vnd_per_kg = 900000;
	snprintf(c->oil_price[1].feedstock, ECON_NAME_MAX, "star-anise");
	c->oil_price[1].vnd_per_kg = 1000000;
	c->n_oil_prices = 2;
	c->fuel_vnd_per_kg = 1200;
	c->steam_kg_per_fuel_kg = 3;
	c->labour_vnd_per_h = 40000;
	c->power_kw = 3;
	c->electricity_vnd_per_kwh = 2500;
	c->cooling_water_vnd_per_m3 = 3000;
}

static void test_defaults_are_no_economics(void **state)
{
	struct econ_cfg c;
	struct econ_use u;

	(void)state;
	memset(&c, 0x55, sizeof c);
	econ_defaults(&c);
	assert_int_equal(c.set, 0);
	assert_int_equal(c.n_oil_prices, 0);
	assert_true(isnan(c.fuel_vnd_per_kg) && isnan(c.steam_kg_per_fuel_kg));
	assert_true(isnan(c.steam_vnd_per_kg) && isnan(c.labour_vnd_per_h));
	assert_true(isnan(c.power_kw) && isnan(c.electricity_vnd_per_kwh));
	assert_true(isnan(c.cooling_water_vnd_per_m3));
	assert_true(isnan(econ_oil_price_vnd_per_kg(&c, "cassia-leaf")));
	assert_true(isnan(econ_hour_cost_vnd(&c, 300, 200)));
	memset(&u, 0, sizeof u);
	econ_use_add(&u, &c, 3600, 300, 200);
	/* the physical figures are counted even without prices */
	assert_true(fabs(u.steam_kg - 300) < 1e-9);
	assert_true(fabs(u.cooling_m3 - 12) < 1e-9);
	assert_true(fabs(u.running_h - 1) < 1e-12 && fabs(u.labour_h - 1) < 1e-12);
	assert_true(isnan(u.fuel_kg) && isnan(u.electricity_kwh));
	assert_true(isnan(econ_use_cost_vnd(&c, &u)));
}

static void test_oil_price_by_feedstock(void **state)
{
	struct econ_cfg c;

	(void)state;
	econ_fuel_plant(&c);
	assert_true(econ_oil_price_vnd_per_kg(&c, "cassia-leaf") == 900000);
	assert_true(econ_oil_price_vnd_per_kg(&c, "star-anise") == 1000000);
	assert_true(isnan(econ_oil_price_vnd_per_kg(&c, "cassia-bark")));
	assert_true(isnan(econ_oil_price_vnd_per_kg(&c, "")));
	assert_true(isnan(econ_oil_price_vnd_per_kg(&c, NULL)));
}

/* One hour at 300 kg/h of steam and 200 L/min of cooling water:
 * fuel 100 kg x 1,200 + 12 m3 x 3,000 + 3 kWh x 2,500 + 40,000. */
static void test_hour_cost_with_fuel(void **state)
{
	struct econ_cfg c;
	double want = 100 * 1200.0 + 12 * 3000.0 + 3 * 2500.0 + 40000;

	(void)state;
	econ_fuel_plant(&c);
	assert_true(fabs(econ_hour_cost_vnd(&c, 300, 200) - want) < 1e-6);
	/* no flow: electricity and labour still run */
	assert_true(fabs(econ_hour_cost_vnd(&c, 0, 0) - 47500) < 1e-6);
	/* a NaN or negative flow adds nothing for that resource */
	assert_true(fabs(econ_hour_cost_vnd(&c, NAN, -5) - 47500) < 1e-6);
}

static void test_hour_cost_with_steam_price(void **state)
{
	struct econ_cfg c;

	(void)state;
	econ_fuel_plant(&c);
	c.fuel_vnd_per_kg = NAN;
	c.steam_kg_per_fuel_kg = NAN;
	c.steam_vnd_per_kg = 450;
	assert_true(fabs(econ_hour_cost_vnd(&c, 300, 0) - (300 * 450.0 + 47500)) < 1e-6);
}

/* A batch accumulated tick by tick costs what its totals cost, and the
 * derived figures follow the totals. */
static void test_use_add_and_cost(void **state)
{
	struct econ_cfg c;
	struct econ_use u;
	double cost;

	(void)state;
	econ_fuel_plant(&c);
	memset(&u, 0, sizeof u);
	for (int i = 0; i < 7200; i++)     /* two hours in 1 s ticks */
		econ_use_add(&u, &c, 1, i < 3600 ? 300 : 150, 200);
	assert_true(fabs(u.steam_kg - 450) < 1e-6);
	assert_true(fabs(u.cooling_m3 - 24) < 1e-6);
	assert_true(fabs(u.running_h - 2) < 1e-9);
	assert_true(fabs(u.fuel_kg - 150) < 1e-6);
	assert_true(fabs(u.electricity_kwh - 6) < 1e-9);
	assert_true(fabs(u.labour_h - 2) < 1e-9);
	cost = econ_use_cost_vnd(&c, &u);
	assert_true(fabs(cost - (150 * 1200.0 + 24 * 3000.0 + 6 * 2500.0 + 80000)) < 1e-3);
	/* a zero or negative dt adds nothing */
	econ_use_add(&u, &c, 0, 300, 200);
	econ_use_add(&u, &c, -5, 300, 200);
	assert_true(fabs(u.running_h - 2) < 1e-9 && fabs(u.steam_kg - 450) < 1e-6);
}

static void test_format_vnd(void **state)
{
	char b[48];

	(void)state;
	assert_string_equal(econ_format_vnd(b, sizeof b, 1234567, "vi"), "1.234.567 ₫");
	assert_string_equal(econ_format_vnd(b, sizeof b, 1234567, "en"), "1,234,567 VND");
	assert_string_equal(econ_format_vnd(b, sizeof b, 1234567, NULL), "1,234,567 VND");
	assert_string_equal(econ_format_vnd(b, sizeof b, 999, "en"), "999 VND");
	assert_string_equal(econ_format_vnd(b, sizeof b, 1000, "en"), "1,000 VND");
	assert_string_equal(econ_format_vnd(b, sizeof b, 0, "vi"), "0 ₫");
	assert_string_equal(econ_format_vnd(b, sizeof b, 999.5, "en"), "1,000 VND");
	assert_string_equal(econ_format_vnd(b, sizeof b, -45600.4, "en"), "-45,600 VND");
	assert_string_equal(econ_format_vnd(b, sizeof b, -0.4, "en"), "0 VND");
	assert_string_equal(econ_format_vnd(b, sizeof b, 1e12, "vi"),
	                    "1.000.000.000.000 ₫");
	assert_string_equal(econ_format_vnd(b, sizeof b, NAN, "en"), "-");
	assert_string_equal(econ_format_vnd(b, sizeof b, INFINITY, "vi"), "-");
	/* too small a buffer is cut, never overrun */
	assert_string_equal(econ_format_vnd(b, 6, 1234567, "en"), "1,234");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_no_economics),
		cmocka_unit_test(test_oil_price_by_feedstock),
		cmocka_unit_test(test_hour_cost_with_fuel),
		cmocka_unit_test(test_hour_cost_with_steam_price),
		cmocka_unit_test(test_use_add_and_cost),
		cmocka_unit_test(test_format_vnd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
