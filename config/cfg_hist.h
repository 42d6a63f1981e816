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

/*
 * Historian retention:
 *   historian: {idle_raw_days: 30 d, idle_aggregate_s: 60 s,
 *               keep_batches: forever}
 * Samples with no batch older than idle_raw_days are reduced to
 * min/mean/max over idle_aggregate_s (which must divide
 * CFG_HIST_BLOCK_S, the historian's block); samples of a batch are kept at full resolution
 * while the batch record lives, which is forever (the only choice).
 */
struct hist_cfg {
	int set;                    /* 1 when the section is present */
	double idle_raw_s;          /* idle samples stay raw this long, s;
	                               0: never reduced */
	int idle_aggregate_s;       /* the aggregates' resolution, s */
};

/* The historian's block span, s: records/store_hist.h's STORE_HIST_BLOCK_S
 * (store_hist.c checks they agree at compile time). */
#define CFG_HIST_BLOCK_S 3600
#define CFG_HIST_RAW_DAYS 30        /* the default idle_raw_days */
#define CFG_HIST_AGGREGATE_S 60     /* the default idle_aggregate_s */

/* The built-in retention (what an absent section means). */
void cfg_hist_defaults(struct hist_cfg *c);

/*
 * Reads the `historian:` mapping n into *c, reporting every mistake through
 * doc. n may be NULL (the section is absent): *c keeps its defaults.
 */
void cfg_hist_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct hist_cfg *c);

#endif
