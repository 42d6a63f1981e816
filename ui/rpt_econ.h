/*
 * rpt_econ: the resources and cost parts of the text reports (issue 13;
 * docs/RECORDS.md "Resources and cost"), for rpt.c. Money in VND with
 * thousands separators in the language of the messages (econ_format_vnd).
 *   rpt_econ_batch    the Resources and Cost lines of `report batch`
 *   rpt_econ_yields_row  a line of the "Resources and cost" table of
 *                     `report yields`
 *   rpt_econ_cell     text in a column of characters (UTF-8)
 */
#ifndef RPT_ECON_H
#define RPT_ECON_H

#include <stdio.h>

#include "store.h"

/* Prints the Resources and Cost lines of a batch record from its
 * STORE_Q_BATCHES row (cells c[0..n)). */
void rpt_econ_batch(FILE *out, const struct store_cell *c, int n);

/* The "Resources and cost" table of `report yields`: steam, cost and
 * cost per kg of oil by the grouping `by`, printed to out from the same
 * STORE_Q_YIELDS rows as the yields table (so the query runs once):
 * rpt_econ_yields_row is the store_row_fn of each row; the title and the
 * heads come before the first row, and nothing is printed without rows.
 * Set out, by (the grouping's column) and rows = 0 before the first row. */
struct rpt_econ_yields {
	FILE *out;
	const char *by;
	int rows;
};

/* store_row_fn on a struct rpt_econ_yields: one grouping's line. */
int rpt_econ_yields_row(void *ctx, const struct store_cell *c, int n);

/* Prints text in width characters (UTF-8), right- or left-aligned. */
void rpt_econ_cell(FILE *out, const char *text, int width, int right);

#endif
