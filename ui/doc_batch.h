/*
 * doc_batch: the batch record as one HTML document (`stillroom report
 * batch ID --html`): identity, lots, the step timeline, trends, alarms,
 * prompts, weighings, QA with pass/fail marks, release decisions,
 * attribution, drums and the audit anchor. Built on doc.h and doc_svg.h.
 */
#ifndef DOC_BATCH_H
#define DOC_BATCH_H

#include "rpt_int.h"

/* Writes batch id's record as HTML to c->out, read in one snapshot; ref
 * > 0: batch ref (same feedstock) overlaid on the trends, aligned at the
 * start of distillation, and a table of differences. Returns 0, or -1
 * with c->cause ("no batch 99") and nothing written. */
int doc_batch_write(struct rpt_ctx *c, long id, long ref);

#endif
