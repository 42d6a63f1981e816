/*
 * cfg_hist: the plant configuration's `historian:` section, the retention
 * of the historian (issue 17): how long samples with no batch stay raw,
 * the resolution they are reduced to, and what is never deleted. Read for
 * cfg.c; every value with its unit, range-checked, errors as
 * "file:line:column: message".
 */
#ifndef CFG_HIST_H
#define CFG_HIST_H

#include "ydoc.h"

/* Historian retention. Owned by the historian work: fields are added here. */
struct hist_cfg {
	int set;                    /* 1 when the section is present */
};

/* The built-in retention (what an absent section means). */
void cfg_hist_defaults(struct hist_cfg *c);

/*
 * Reads the `historian:` mapping n into *c, reporting every mistake through
 * doc. n may be NULL (the section is absent): *c keeps its defaults.
 */
void cfg_hist_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct hist_cfg *c);

#endif
