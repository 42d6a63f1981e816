/* econ: what running a still costs and what its oil is worth. See econ.h. */
#include "econ.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void econ_defaults(struct econ_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->fuel_vnd_per_kg = NAN;
	c->steam_kg_per_fuel_kg = NAN;
	c->steam_vnd_per_kg = NAN;
	c->labour_vnd_per_h = NAN;
	c->power_kw = NAN;
	c->electricity_vnd_per_kwh = NAN;
	c->cooling_water_vnd_per_m3 = NAN;
}

double econ_price_find(const struct econ_price *p, int n, const char *feedstock)
{
	if (feedstock == NULL)
		return NAN;
	for (int i = 0; i < n && i < ECON_FEEDS_MAX; i++)
		if (strcmp(p[i].feedstock, feedstock) == 0)
			return p[i].vnd_per_kg;
	return NAN;
}

double econ_oil_price_vnd_per_kg(const struct econ_cfg *c, const char *feedstock)
{
	return econ_price_find(c->oil_price, c->n_oil_prices, feedstock);
}

/* A flow that counts: finite and not negative (else nothing is added). */
static double econ_flow(double v)
{
	return isfinite(v) && v > 0 ? v : 0;
}

void econ_use_add(struct econ_use *u, const struct econ_cfg *c, double dt_s,
                  double steam_kg_h, double cooling_l_min)
{
	if (dt_s > 0 && isfinite(dt_s)) {
		u->steam_kg += econ_flow(steam_kg_h) * dt_s / 3600;
		u->cooling_m3 += econ_flow(cooling_l_min) * dt_s / 60 / 1000;
		u->running_h += dt_s / 3600;
	}
	/* NaN (the price not given) flows through to the figures it makes */
	u->fuel_kg = c->set ? u->steam_kg / c->steam_kg_per_fuel_kg : NAN;
	u->electricity_kwh = c->set ? c->power_kw * u->running_h : NAN;
	u->labour_h = u->running_h;
}

/* The steam's cost: from the fuel it burnt, or at the steam price. */
static double econ_steam_cost_vnd(const struct econ_cfg *c, const struct econ_use *u)
{
	if (isfinite(c->steam_vnd_per_kg))
		return u->steam_kg * c->steam_vnd_per_kg;
	return u->steam_kg / c->steam_kg_per_fuel_kg * c->fuel_vnd_per_kg;
}

double econ_use_cost_vnd(const struct econ_cfg *c, const struct econ_use *u)
{
	if (!c->set)
		return NAN;
	return econ_steam_cost_vnd(c, u) +
	       u->cooling_m3 * c->cooling_water_vnd_per_m3 +
	       c->power_kw * u->running_h * c->electricity_vnd_per_kwh +
	       u->running_h * c->labour_vnd_per_h;
}

double econ_hour_cost_vnd(const struct econ_cfg *c, double steam_kg_h,
                          double cooling_l_min)
{
	struct econ_use hour;

	memset(&hour, 0, sizeof hour);
	econ_use_add(&hour, c, 3600, steam_kg_h, cooling_l_min);
	return econ_use_cost_vnd(c, &hour);
}

char *econ_format_vnd(char *buf, size_t len, double vnd, const char *lang)
{
	int vi = lang != NULL && strcmp(lang, "vi") == 0;
	char digits[32], out[64];
	double whole;
	int n, o = 0;

	if (len == 0)
		return buf;
	if (!isfinite(vnd) || fabs(vnd) >= 1e18) {
		snprintf(buf, len, "-");
		return buf;
	}
	whole = round(vnd);
	n = snprintf(digits, sizeof digits, "%.0f", fabs(whole));
	if (whole < 0)
		out[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = vi ? '.' : ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s %s", out, vi ? "₫" : "VND");
	return buf;
}
