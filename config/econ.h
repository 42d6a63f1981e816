/*
 * econ: what running a still costs and what its oil is worth, from the
 * plant configuration's `economics:` section (docs/CONFIG in
 * config/plant.yaml's comments; docs/RECORDS.md "Resources and cost").
 * Pure: no I/O, no clock. Money is VND (no minor unit): amounts are
 * doubles of whole dong, rounded only when shown. Table of contents:
 *   struct econ_cfg      prices and rates (part of struct cfg_plant)
 *   struct econ_use      resources a batch used
 *   econ_defaults, econ_price_find, econ_oil_price_vnd_per_kg, econ_use_add,
 *   econ_use_finish, econ_use_cost_vnd, econ_hour_cost_vnd,
 *   econ_format_vnd
 */
#ifndef ECON_H
#define ECON_H

#include <stddef.h>

#define ECON_FEEDS_MAX 16
#define ECON_NAME_MAX 32

/* A price per kg for one feedstock (oil, raw material). */
struct econ_price {
	char feedstock[ECON_NAME_MAX];
	double vnd_per_kg;
};

/* The `economics:` section. A price not given is NaN; `set` is 0 when the
 * section is absent (then no cost is computed and economic ends refuse to
 * load: the recipe check says why). */
struct econ_cfg {
	int set;                                  /* the section was given */
	struct econ_price oil_price[ECON_FEEDS_MAX]; /* oil price by feedstock */
	int n_oil_prices;
	double fuel_vnd_per_kg;                   /* firewood, delivered */
	double steam_kg_per_fuel_kg;              /* boiler: steam per fuel */
	double steam_vnd_per_kg;                  /* or a steam price; NaN when
	                                             fuel prices are given */
	double labour_vnd_per_h;                  /* crew on a running still */
	double power_kw;                          /* pumps and fans running */
	double electricity_vnd_per_kwh;
	double cooling_water_vnd_per_m3;
};

/* Resources one batch used, accumulated tick by tick (econ_use_add) while
 * the batch runs; fuel and electricity follow from them. */
struct econ_use {
	double steam_kg;                          /* integral of steam flow */
	double cooling_m3;                        /* integral of cooling flow */
	double running_h;                         /* time running (not held) */
	double fuel_kg;                           /* steam_kg / steam per fuel */
	double electricity_kwh;                   /* power_kw x running_h */
	double labour_h;                          /* running_h (one crew) */
};

/* Fills *c with "no economics" (set 0, every price NaN). */
void econ_defaults(struct econ_cfg *c);

/* The price of feedstock in p[0..n), VND/kg, or NaN when none is given. */
double econ_price_find(const struct econ_price *p, int n, const char *feedstock);

/* The oil price of feedstock, VND/kg, or NaN when the config has none. */
double econ_oil_price_vnd_per_kg(const struct econ_cfg *c, const char *feedstock);

/* Adds dt_s of running at steam_kg_h and cooling_l_min to *u (a NaN or
 * negative flow adds nothing for that resource) and updates the derived
 * fuel, electricity and labour figures. */
void econ_use_add(struct econ_use *u, const struct econ_cfg *c, double dt_s,
                  double steam_kg_h, double cooling_l_min);

/* The running cost of the resources in *u, VND (NaN when !c->set). */
double econ_use_cost_vnd(const struct econ_cfg *c, const struct econ_use *u);

/* The cost of one more hour of running at steam_kg_h and cooling_l_min,
 * VND (NaN when !c->set): steam or fuel, cooling water, electricity and
 * labour. */
double econ_hour_cost_vnd(const struct econ_cfg *c, double steam_kg_h,
                          double cooling_l_min);

/* Writes vnd rounded to whole dong with thousands separators into buf:
 * lang "vi": "1.234.567 ₫"; otherwise "1,234,567 VND"; NaN: "-".
 * Returns buf. */
char *econ_format_vnd(char *buf, size_t len, double vnd, const char *lang);

#endif
