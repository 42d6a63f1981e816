/*
 * doc_yields: `stillroom report yields --html`, yields at a glance as one
 * A4 document (docs/RECORDS.md "Documents"): for each grouping (feedstock,
 * month, still, grower) a bar chart of the mean yield, the oil and the
 * cost per kg of oil, and beneath them the table of the same figures as
 * `report yields --by X` (STORE_Q_YIELDS). Read in one snapshot, written
 * only once every query has answered.
 *   doc_yields_cmd     the command, called from rpt.c's yields command
 */
#ifndef DOC_YIELDS_H
#define DOC_YIELDS_H

#include "rpt_int.h"

/* Writes the yields document for the filters of a (by is ignored: every
 * grouping) to c->out. RPT_OK, or RPT_ERR with the sentence on c->err
 * and nothing on c->out. */
int doc_yields_cmd(struct rpt_ctx *c, const struct rpt_args *a);

#endif
