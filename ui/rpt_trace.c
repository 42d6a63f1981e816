/*
 * rpt_trace: `stillroom trace`: a batch to its lots and growers, a grower
 * to its lots and batches. See rpt_int.h; the columns are in
 * docs/RECORDS.md.
 */
#include "rpt_int.h"

#include <string.h>

static const struct rpt_col rpt_trace_cols[] = {
	{"lot_id", "lot", 12, RPT_F_TEXT},
	{"mass_kg", "kg", 7, 1},
	{"grower", "grower", 20, RPT_F_TEXT},
	{"cooperative", "cooperative", 16, RPT_F_TEXT},
	{"origin", "origin", 17, RPT_F_TEXT},
};

/* Oil batch -> lots -> growers. */
static int rpt_trace_batch(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct rpt_table t = RPT_TABLE(c->out, rpt_trace_cols);
	struct store_filter f = {.batch_id = 0};
	struct rpt_rec r = {.n = 0};
	char v[5][RPT_VALUE_MAX];
	int rows;

	if (rpt_batch_id(c, a->pos[0], &f.batch_id) != RPT_OK)
		return RPT_USAGE;
	if (a->fmt != RPT_TEXT)
		return rpt_export(c, STORE_Q_BATCH_LOTS, &f, a->fmt) < 0 ?
			rpt_error(c->err, "%s", c->cause) : RPT_OK;
	rows = store_query_rows(c->s, STORE_Q_BATCHES, &f, rpt_rec_take, &r,
	                        c->cause, sizeof c->cause);
	if (rows <= 0)
		return rows < 0 ? rpt_error(c->err, "%s", c->cause) :
		                  rpt_error(c->err, "no batch %ld", f.batch_id);
	fprintf(c->out, "Batch %ld: %s of %s, %s, %s, QA %s\n", f.batch_id,
	        rpt_rec_val(&r, "oil_kg", 3, "kg oil", v[0], sizeof v[0]),
	        rpt_rec_val(&r, "feedstock", RPT_F_TEXT, "", v[1], sizeof v[1]),
	        rpt_rec_val(&r, "still", RPT_F_TEXT, "", v[2], sizeof v[2]),
	        rpt_rec_val(&r, "started_at", RPT_F_DATE, "", v[3], sizeof v[3]),
	        rpt_rec_val(&r, "qa_status", RPT_F_TEXT, "", v[4], sizeof v[4]));
	rpt_rec_free(&r);
	return rpt_table(c, NULL, STORE_Q_BATCH_LOTS, &f, &t) < 0 ?
		rpt_error(c->err, "%s", c->cause) : RPT_OK;
}

/* Grower -> lots -> batches, as a tree. */
struct rpt_tree {
	FILE *out;
	char lot[72];          /* the lot printed last */
};

static int rpt_grower_row(void *ctx, const struct store_cell *c, int n)
{
	char v[7][RPT_VALUE_MAX], line[RPT_VALUE_MAX * 8];
	struct rpt_tree *t = ctx;
	const char *lot = rpt_find(c, n, "lot_id")->text;

	if (!t->lot[0])
		fprintf(t->out, "Grower %s (%s, %s)\n", rpt_find(c, n, "grower")->text,
		        rpt_val(c, n, "cooperative", RPT_F_TEXT, v[0], sizeof v[0]),
		        rpt_val(c, n, "origin", RPT_F_TEXT, v[1], sizeof v[1]));
	if (strcmp(t->lot, lot) != 0) {
		snprintf(t->lot, sizeof t->lot, "%s", lot);
		snprintf(line, sizeof line, "lot %s: %s, harvested %s, %s kg received,"
		         " %s kg left", lot,
		         rpt_val(c, n, "feedstock", RPT_F_TEXT, v[0], sizeof v[0]),
		         rpt_val(c, n, "harvested", RPT_F_TEXT, v[1], sizeof v[1]),
		         rpt_val(c, n, "mass_received_kg", 1, v[2], sizeof v[2]),
		         rpt_val(c, n, "mass_remaining_kg", 1, v[3], sizeof v[3]));
		rpt_wrap(t->out, 2, line);
	}
	if (!rpt_find(c, n, "batch_id")->text)
		return 0;
	snprintf(line, sizeof line, "batch %s: %s kg drawn, %s, %s, %s, oil %s kg,"
	         " QA %s", rpt_val(c, n, "batch_id", RPT_F_TEXT, v[0], sizeof v[0]),
	         rpt_val(c, n, "drawn_kg", 1, v[1], sizeof v[1]),
	         rpt_val(c, n, "started_at", RPT_F_DATE, v[2], sizeof v[2]),
	         rpt_val(c, n, "still", RPT_F_TEXT, v[3], sizeof v[3]),
	         rpt_val(c, n, "state", RPT_F_TEXT, v[4], sizeof v[4]),
	         rpt_val(c, n, "oil_kg", 3, v[5], sizeof v[5]),
	         rpt_val(c, n, "qa_status", RPT_F_TEXT, v[6], sizeof v[6]));
	rpt_wrap(t->out, 6, line);
	return 0;
}

static int rpt_trace_grower(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct rpt_tree t = {c->out, ""};
	int rows;

	if (a->fmt != RPT_TEXT)
		rows = rpt_export(c, STORE_Q_GROWER, &a->f, a->fmt);
	else
		rows = store_query_rows(c->s, STORE_Q_GROWER, &a->f, rpt_grower_row,
		                        &t, c->cause, sizeof c->cause);
	if (rows < 0)
		return rpt_error(c->err, "%s", c->cause);
	if (rows == 0 && a->fmt == RPT_TEXT)
		return rpt_error(c->err, "no lots from grower %s", a->f.grower);
	return RPT_OK;
}

int rpt_trace_cmd(struct rpt_ctx *c, const struct rpt_args *a)
{
	if ((a->npos == 1) == (a->f.grower != NULL))
		return rpt_error(c->err, "trace: give a batch id or --grower NAME");
	return a->f.grower ? rpt_trace_grower(c, a) : rpt_trace_batch(c, a);
}
