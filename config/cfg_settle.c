/* cfg_settle: the `settlement:` and `privacy:` sections of the plant
 * configuration. See cfg_settle.h. */
#include "cfg_settle.h"

#include <stddef.h>

#include "cfg_econ.h"

enum {
	CFG_SETTLE_RAW, CFG_SETTLE_SHARE, CFG_SETTLE_BONUS, CFG_SETTLE_COUNT
};

static const struct ydoc_field cfg_settle_fields[CFG_SETTLE_COUNT] = {
	[CFG_SETTLE_RAW] = {"raw_price", 1},
	[CFG_SETTLE_SHARE] = {"oil_share_pct", 1},
	[CFG_SETTLE_BONUS] = {"quality_bonus_pct", 0},
};

static const struct ydoc_field cfg_settle_privacy_fields[] = {
	{"households_in_trace", 0},
};

/* privacy: {households_in_trace: true|false}. */
static void cfg_settle_privacy(struct ydoc *doc, const struct ydoc_node *n,
                               struct settle_cfg *c)
{
	const struct ydoc_node *v[1];

	if (n == NULL || ydoc_fields(doc, n, "'privacy'", cfg_settle_privacy_fields,
	                             1, v) < 0)
		return;
	if (v[0] != NULL)
		ydoc_bool(doc, v[0], "households_in_trace", &c->households_in_trace);
}

void cfg_settle_read(struct ydoc *doc, const struct ydoc_node *rule,
                     const struct ydoc_node *privacy, struct settle_cfg *c)
{
	const struct ydoc_node *v[CFG_SETTLE_COUNT];

	cfg_settle_privacy(doc, privacy, c);
	if (rule == NULL || ydoc_fields(doc, rule, "'settlement'", cfg_settle_fields,
	                                CFG_SETTLE_COUNT, v) < 0)
		return;
	c->set = 1;
	if (v[CFG_SETTLE_RAW] != NULL)
		cfg_econ_prices(doc, v[CFG_SETTLE_RAW], "raw_price",
		                "the price paid per kg of raw material, e.g. "
		                "{cassia-leaf: 2500 VND_per_kg}", c->raw_price,
		                &c->n_raw_prices);
	ydoc_qty(doc, v[CFG_SETTLE_SHARE], "oil_share_pct", &ydoc_kind_pct, 0, 100,
	         &c->oil_share_pct);
	ydoc_qty(doc, v[CFG_SETTLE_BONUS], "quality_bonus_pct", &ydoc_kind_pct, 0,
	         100, &c->quality_bonus_pct);
}
