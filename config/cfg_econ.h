/*
 * cfg_econ: the plant configuration's `economics:` section (prices and
 * rates into struct econ_cfg, econ.h), read for cfg.c. Every value with
 * its unit, range-checked, errors as "file:line:column: message".
 */
#ifndef CFG_ECON_H
#define CFG_ECON_H

#include "econ.h"
#include "ydoc.h"

/*
 * Reads the `economics:` mapping n into *c (set 1) and reports every
 * mistake through doc; n NULL (no section) leaves *c as it is. The cost
 * of steam is either 'fuel_price' with 'steam_per_fuel' or 'steam_price'.
 */
/*
 * Reads the mapping n of feedstock name to a price per kg (VND_per_kg,
 * 0 to 1e9) called key into out[0..*count) (at most ECON_FEEDS_MAX),
 * reporting every bad pair through doc; what ends the sentence for a
 * value that is not such a mapping ("'KEY' must map each feedstock to
 * WHAT"). Returns 0, or -1 when
 * n is not a mapping of 1 to ECON_FEEDS_MAX pairs (*count 0).
 */
int cfg_econ_prices(struct ydoc *doc, const struct ydoc_node *n,
                    const char *key, const char *what,
                    struct econ_price *out, int *count);

void cfg_econ_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct econ_cfg *c);

#endif
