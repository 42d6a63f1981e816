/*
 * cfg_settle: the plant configuration's `settlement:` and `privacy:`
 * sections (the member settlement rule and who is named in reports that
 * leave the cooperative, into struct settle_cfg, settle.h), read for
 * cfg.c. Every value with its unit, range-checked, errors as
 * "file:line:column: message".
 */
#ifndef CFG_SETTLE_H
#define CFG_SETTLE_H

#include "settle.h"
#include "ydoc.h"

/*
 * Reads the `settlement:` mapping rule (set 1) and the `privacy:` mapping
 * privacy into *c, reporting every mistake through doc. Either may be
 * NULL (the section is absent): no rule leaves set 0, no privacy keeps
 * households hidden.
 */
void cfg_settle_read(struct ydoc *doc, const struct ydoc_node *rule,
                     const struct ydoc_node *privacy, struct settle_cfg *c);

#endif
