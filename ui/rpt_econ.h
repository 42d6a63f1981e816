/*
 * rpt_econ: the resources and cost parts of the text reports (issue 13;
 * docs/RECORDS.md "Resources and cost"), for rpt.c. Money in VND with
 * thousands separators in the language of the messages (econ_format_vnd).
 *   rpt_econ_batch    the Resources and Cost lines of `report batch`
 *   rpt_econ_yields   the "Resources and cost" table of `report yields`
 *   rpt_econ_cell     text in a column of characters (UTF-8)
 */
#ifndef RPT_ECON_H
#define RPT_ECON_H

#include <stdio.h>

#include "store.h"

/* Prints the Resources and Cost lines of a batch record from its
 * STORE_Q_BATCHES row (cells c[0..n)). */
void rpt_econ_batch(FILE *out, const struct store_cell *c, int n);

/* Prints the yields' steam, cost and cost per kg of oil by f->by (the
 * STORE_Q_YIELDS rows) as a table under a title. Returns the number of
 * rows, or -1 with cause. */
int rpt_econ_yields(struct store *s, const struct store_filter *f, FILE *out,
                    char *cause, size_t cause_len);

/* Prints text in width characters (UTF-8), right- or left-aligned. */
void rpt_econ_cell(FILE *out, const char *text, int width, int right);

#endif
