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
void cfg_econ_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct econ_cfg *c);

#endif
