/* cfg_econ: the `economics:` section of the plant configuration. See
 * cfg_econ.h. */
#include "cfg_econ.h"

#include <stddef.h>
#include <stdio.h>

/* Money is VND, the only currency of the plant (no minor unit). */
static const struct ydoc_unit cfg_econ_vnd_per_kg_u[] = {{"VND_per_kg", 1, 2}};
static const struct ydoc_unit cfg_econ_vnd_per_h_u[] = {{"VND_per_h", 1, 2}};
static const struct ydoc_unit cfg_econ_vnd_per_kwh_u[] = {{"VND_per_kWh", 1, 2}};
static const struct ydoc_unit cfg_econ_vnd_per_m3_u[] = {{"VND_per_m3", 1, 2}};
static const struct ydoc_unit cfg_econ_power_u[] = {{"kW", 1, 2}, {"W", 0.001, 1}};
static const struct ydoc_unit cfg_econ_ratio_u[] = {{"kg_per_kg", 1, 2}};

#define CFG_ECON_KIND(name, what, u) \
	static const struct ydoc_kind name = {what, u, (int)(sizeof u / sizeof u[0])}

CFG_ECON_KIND(cfg_econ_vnd_per_kg, "a price per kg", cfg_econ_vnd_per_kg_u);
CFG_ECON_KIND(cfg_econ_vnd_per_h, "a cost per hour", cfg_econ_vnd_per_h_u);
CFG_ECON_KIND(cfg_econ_vnd_per_kwh, "an electricity price", cfg_econ_vnd_per_kwh_u);
CFG_ECON_KIND(cfg_econ_vnd_per_m3, "a water price", cfg_econ_vnd_per_m3_u);
CFG_ECON_KIND(cfg_econ_power, "a power", cfg_econ_power_u);
CFG_ECON_KIND(cfg_econ_ratio, "kg of steam per kg of fuel", cfg_econ_ratio_u);

enum {
	CFG_ECON_OIL, CFG_ECON_FUEL, CFG_ECON_STEAM_PER_FUEL, CFG_ECON_STEAM,
	CFG_ECON_LABOUR, CFG_ECON_POWER, CFG_ECON_ELECTRICITY, CFG_ECON_WATER,
	CFG_ECON_COUNT
};

/* The keys; every one but oil_price is a number with its unit. */
static const struct {
	struct ydoc_field field;
	const struct ydoc_kind *kind;
	double lo, hi;                  /* allowed, base units */
	size_t offset;                  /* of its double in struct econ_cfg */
} cfg_econ_keys[CFG_ECON_COUNT] = {
	[CFG_ECON_OIL] = {{"oil_price", 1}, NULL, 0, 0, 0},
	[CFG_ECON_FUEL] = {{"fuel_price", 0}, &cfg_econ_vnd_per_kg, 0, 1e6,
	                   offsetof(struct econ_cfg, fuel_vnd_per_kg)},
	[CFG_ECON_STEAM_PER_FUEL] = {{"steam_per_fuel", 0}, &cfg_econ_ratio, 0.5, 20,
	                             offsetof(struct econ_cfg, steam_kg_per_fuel_kg)},
	[CFG_ECON_STEAM] = {{"steam_price", 0}, &cfg_econ_vnd_per_kg, 0, 1e6,
	                    offsetof(struct econ_cfg, steam_vnd_per_kg)},
	[CFG_ECON_LABOUR] = {{"labour", 1}, &cfg_econ_vnd_per_h, 0, 1e8,
	                     offsetof(struct econ_cfg, labour_vnd_per_h)},
	[CFG_ECON_POWER] = {{"power", 1}, &cfg_econ_power, 0, 1000,
	                    offsetof(struct econ_cfg, power_kw)},
	[CFG_ECON_ELECTRICITY] = {{"electricity_price", 1}, &cfg_econ_vnd_per_kwh, 0, 1e6,
	                          offsetof(struct econ_cfg, electricity_vnd_per_kwh)},
	[CFG_ECON_WATER] = {{"cooling_water_price", 1}, &cfg_econ_vnd_per_m3, 0, 1e6,
	                    offsetof(struct econ_cfg, cooling_water_vnd_per_m3)},
};

int cfg_econ_prices(struct ydoc *doc, const struct ydoc_node *n,
                    const char *key, const char *what,
                    struct econ_price *out, int *count)
{
	*count = 0;
	if (n->type != YDOC_MAP || ydoc_len(n) == 0) {
		ydoc_error(doc, n, "'%s' must map each feedstock to %s", key, what);
		return -1;
	}
	if (ydoc_len(n) > ECON_FEEDS_MAX) {
		ydoc_error(doc, n, "'%s' lists %d feedstocks; at most %d", key,
		           ydoc_len(n), ECON_FEEDS_MAX);
		return -1;
	}
	for (int i = 0; i < ydoc_len(n); i++) {
		char name[ECON_NAME_MAX];
		double v;

		if (ydoc_name(doc, ydoc_map_key(n, i), key, name, sizeof name) != 0)
			continue;
		if (ydoc_qty(doc, ydoc_map_val(n, i), name, &cfg_econ_vnd_per_kg, 0,
		             1e9, &v) != 0)
			continue;
		snprintf(out[*count].feedstock, ECON_NAME_MAX, "%s", name);
		out[(*count)++].vnd_per_kg = v;
	}
	return 0;
}

/* The cost of steam is given once: firewood and its steam, or a price. */
static void cfg_econ_check_steam(struct ydoc *doc, const struct ydoc_node *n,
                                 const struct ydoc_node **v)
{
	const struct ydoc_node *fuel = v[CFG_ECON_FUEL];
	const struct ydoc_node *ratio = v[CFG_ECON_STEAM_PER_FUEL];
	const struct ydoc_node *steam = v[CFG_ECON_STEAM];

	if (steam != NULL && (fuel != NULL || ratio != NULL))
		ydoc_error(doc, steam, "'economics': give the cost of steam once: "
		           "'steam_price', or 'fuel_price' with 'steam_per_fuel', "
		           "not both");
	else if (steam == NULL && fuel == NULL && ratio == NULL)
		ydoc_error(doc, n, "'economics' needs the cost of steam: "
		           "'fuel_price' with 'steam_per_fuel' (kg of steam per kg "
		           "of fuel), or 'steam_price'");
	else if (fuel != NULL && ratio == NULL)
		ydoc_error(doc, fuel, "'fuel_price' needs 'steam_per_fuel' beside "
		           "it (kg of steam per kg of fuel, e.g. 3 kg_per_kg)");
	else if (ratio != NULL && fuel == NULL)
		ydoc_error(doc, ratio, "'steam_per_fuel' needs 'fuel_price' beside it");
}

void cfg_econ_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct econ_cfg *c)
{
	struct ydoc_field fields[CFG_ECON_COUNT];
	const struct ydoc_node *v[CFG_ECON_COUNT];

	if (n == NULL)
		return;
	for (int i = 0; i < CFG_ECON_COUNT; i++)
		fields[i] = cfg_econ_keys[i].field;
	if (ydoc_fields(doc, n, "'economics'", fields, CFG_ECON_COUNT, v) < 0)
		return;
	econ_defaults(c);
	c->set = 1;
	if (v[CFG_ECON_OIL] != NULL)
		cfg_econ_prices(doc, v[CFG_ECON_OIL], "oil_price",
		                "the price of its oil, e.g. {cassia-leaf: 900000 "
		                "VND_per_kg}", c->oil_price,
		                &c->n_oil_prices);
	for (int i = CFG_ECON_OIL + 1; i < CFG_ECON_COUNT; i++)
		ydoc_qty(doc, v[i], cfg_econ_keys[i].field.key, cfg_econ_keys[i].kind,
		         cfg_econ_keys[i].lo, cfg_econ_keys[i].hi,
		         (double *)((char *)c + cfg_econ_keys[i].offset));
	cfg_econ_check_steam(doc, n, v);
}
