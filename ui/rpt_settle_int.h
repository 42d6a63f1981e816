/*
 * rpt_settle_int: what rpt_settle.c shares with doc_stmt.c (the printable
 * statements of `settle --html`): the period's lines as read, and the
 * deliveries by feedstock and part. Not for other files.
 *   rpt_settle_parts   a household's deliveries by feedstock and part
 *   doc_stmt_write     the statements as one HTML page (doc_stmt.c)
 */
#ifndef RPT_SETTLE_INT_H
#define RPT_SETTLE_INT_H

#include <stdio.h>

#include "cfg.h"
#include "settle.h"

#define RPT_SETTLE_PARTS 32       /* (feedstock, part) pairs of deliveries */

/* A batch of the period with no weighing (the text report's notes). */
struct rpt_settle_unweighed {
	long batch_id;
	char state[16];
};

/* What the period's rows became. */
struct rpt_settle_run {
	const struct cfg_plant *plant;
	struct settle_line *line;        /* delivery, oil, intake_paid, advance */
	int n, cap;
	char **text;                     /* the strings the lines point to */
	int n_text, cap_text;
	struct rpt_settle_unweighed *unweighed;
	int n_unweighed, cap_unweighed;
	long long weighed_g;             /* latest weighings of the batches */
	int n_weighed;
	int oom;
};

/* Delivered kg of one feedstock and part. */
struct rpt_settle_part {
	const char *feedstock, *part;
	long long g;
};

/* The deliveries of grower (NULL: everyone's) by feedstock and part into
 * p[RPT_SETTLE_PARTS]; returns how many pairs. */
int rpt_settle_parts(const struct rpt_settle_run *r, const char *grower,
                     struct rpt_settle_part *p);

/* The period of a statement: dates and the household asked for (or
 * NULL). */
struct doc_stmt_period {
	const char *from, *to, *grower;
};

/* Writes one A4 statement per household of g[0..n-1] (a page each) and
 * the cooperative's totals on a last page, as one HTML page on out in
 * the language of the messages (the CLI's --lang); the figures are
 * settle_compute's, as `settle --json` prints them. */
void doc_stmt_write(FILE *out, const struct doc_stmt_period *p,
                    const struct rpt_settle_run *r,
                    const struct settle_grower *g, int n,
                    const struct settle_grower *total);

#endif
