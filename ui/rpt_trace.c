/*
 * rpt_trace: `stillroom trace`: a batch to its lots and growers, a grower
 * to its lots and batches, a drum to its batches and lots (the buyer's:
 * households only when the plant's privacy allows), a lot to its
 * batches, drums and shipments (the recall answer). See rpt_int.h; the
 * columns are in docs/RECORDS.md.
 */
#include "rpt_int.h"

#include <stdlib.h>
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

/* A tree of rows, one head line per batch: what was printed last. */
struct rpt_trace_tree {
	FILE *out;
	char batch[24];        /* the batch printed last */
	int households;        /* print each lot's grower */
};

/* Whether the batch of this row differs from the last one; keeps it. */
static int rpt_trace_new_batch(struct rpt_trace_tree *t,
                               const struct store_cell *c, int n)
{
	char id[24];

	rpt_val(c, n, "batch_id", RPT_F_TEXT, id, sizeof id);
	if (strcmp(id, t->batch) == 0)
		return 0;
	snprintf(t->batch, sizeof t->batch, "%s", id);
	return 1;
}

/* The batch's latest QA decision, or "no decision". */
static const char *rpt_trace_decision(const struct store_cell *c, int n)
{
	const struct store_cell *d = rpt_find(c, n, "qa_decision");

	return d && d->text ? d->text : "no decision";
}

/* "in spec", "out of spec" or "untested" for an in_spec cell. */
static const char *rpt_trace_spec(const struct store_cell *c, int n)
{
	const struct store_cell *s = rpt_find(c, n, "in_spec");

	if (!s || !s->text)
		return "untested";
	return s->num == 1 ? "in spec" : "out of spec";
}

/* store_row_fn: a (batch, lot) row of the drum's trace. */
static int rpt_trace_drum_row(void *ctx, const struct store_cell *c, int n)
{
	char v[9][RPT_VALUE_MAX], org[RPT_VALUE_MAX * 2];
	char line[RPT_VALUE_MAX * 12];
	struct rpt_trace_tree *t = ctx;
	const struct store_cell *bo = rpt_find(c, n, "organic");

	if (rpt_trace_new_batch(t, c, n)) {
		snprintf(line, sizeof line, "Batch %s: %s kg of its oil in this drum;"
		         " QA %s, %s; %s", t->batch,
		         rpt_val(c, n, "oil_kg", 3, v[0], sizeof v[0]),
		         rpt_trace_decision(c, n), rpt_trace_spec(c, n),
		         bo && bo->num == 1 ? "organic" : "conventional");
		rpt_wrap_at(t->out, 0, 2, line);
	}
	rpt_lot_organic(c, n, org, sizeof org);
	snprintf(line, sizeof line, "lot %s: %s kg charged, %s oil; %s, harvested"
	         " %s; commune %s, cooperative %s; organic: %s; GI %s%s%s",
	         rpt_val(c, n, "lot_id", RPT_F_TEXT, v[0], sizeof v[0]),
	         rpt_val(c, n, "mass_kg", 1, v[1], sizeof v[1]),
	         rpt_grams_kg(rpt_find(c, n, "oil_g"), v[2], sizeof v[2]),
	         rpt_val(c, n, "plant_part", RPT_F_TEXT, v[3], sizeof v[3]),
	         rpt_val(c, n, "harvested", RPT_F_TEXT, v[4], sizeof v[4]),
	         rpt_val(c, n, "origin", RPT_F_TEXT, v[5], sizeof v[5]),
	         rpt_val(c, n, "cooperative", RPT_F_TEXT, v[6], sizeof v[6]), org,
	         rpt_val(c, n, "gi", RPT_F_TEXT, v[7], sizeof v[7]),
	         t->households ? "; grower " : "",
	         t->households ? rpt_val(c, n, "grower", RPT_F_TEXT, v[8],
	                                 sizeof v[8]) : "");
	rpt_wrap(t->out, 2, line);
	return 0;
}

/* store_row_fn: a (batch, drum) row of the lot's trace. */
static int rpt_trace_lot_row(void *ctx, const struct store_cell *c, int n)
{
	char v[4][RPT_VALUE_MAX], ship[RPT_VALUE_MAX * 4];
	char line[RPT_VALUE_MAX * 6];
	struct rpt_trace_tree *t = ctx;
	const struct store_cell *drum = rpt_find(c, n, "drum_id");

	if (rpt_trace_new_batch(t, c, n)) {
		snprintf(line, sizeof line, "Batch %s: %s kg drawn, %s, %s oil from"
		         " this lot, QA %s", t->batch,
		         rpt_val(c, n, "mass_kg", 1, v[0], sizeof v[0]),
		         rpt_val(c, n, "state", RPT_F_TEXT, v[1], sizeof v[1]),
		         rpt_grams_kg(rpt_find(c, n, "oil_g"), v[2], sizeof v[2]),
		         rpt_trace_decision(c, n));
		rpt_wrap_at(t->out, 0, 2, line);
	}
	if (!drum || !drum->text) {
		rpt_wrap(t->out, 2, "in no drum");
		return 0;
	}
	rpt_drum_shipment(c, n, ship, sizeof ship);
	snprintf(line, sizeof line, "drum %s: %s kg; %s", drum->text,
	         rpt_val(c, n, "drum_oil_kg", 3, v[0], sizeof v[0]), ship);
	rpt_wrap(t->out, 2, line);
	return 0;
}

/* Drum -> batches -> lots (q STORE_Q_TRACE_DRUM) or lot -> batches ->
 * drums -> shipments (STORE_Q_TRACE_LOT) as text: the head lines, then the
 * rows as a tree, in one snapshot. */
static int rpt_trace_text(struct rpt_ctx *c, const struct store_filter *f,
                          enum store_query q)
{
	int drum = q == STORE_Q_TRACE_DRUM;
	struct rpt_trace_tree t = {c->out, "", drum ? c->households : 1};
	int rc;

	if (store_snapshot(c->s, 1, c->cause, sizeof c->cause) < 0)
		return -1;
	rc = drum ? rpt_drum_head(c, f->drum_id) : rpt_lot_head(c, f->lot_id);
	if (rc == 0 && !t.households)
		fprintf(c->out, "  households: hidden (privacy)\n");
	if (rc == 0 && store_query_rows(c->s, q, f, drum ? rpt_trace_drum_row :
	                                rpt_trace_lot_row, &t, c->cause,
	                                sizeof c->cause) < 0)
		rc = -1;
	store_snapshot(c->s, 0, NULL, 0);
	return rc;
}

/* trace --drum or --lot: text, the nested JSON, or the rows as CSV. */
static int rpt_trace_up(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct store_filter f = {.drum_id = a->f.drum_id, .lot_id = a->f.lot_id,
	                         .households = c->households};
	enum store_query q = f.drum_id ? STORE_Q_TRACE_DRUM : STORE_Q_TRACE_LOT;
	int rc;

	if (a->fmt == RPT_TEXT)
		rc = rpt_trace_text(c, &f, q);
	else
		rc = rpt_export(c, q, &f, a->fmt) < 0 ? -1 : 0;
	return rc < 0 ? rpt_error(c->err, "%s", c->cause) : RPT_OK;
}

int rpt_trace_cmd(struct rpt_ctx *c, const struct rpt_args *a)
{
	int given = (a->npos == 1) + (a->f.grower != NULL) +
	            (a->f.lot_id != NULL) + (a->f.drum_id != NULL);

	if (given != 1)
		return rpt_error(c->err, "trace: give a batch id or --grower NAME,"
		                 " --lot LOT or --drum DRUM (one of them)");
	if (a->fmt == RPT_HTML)
		return a->f.drum_id ? doc_label_trace(c, a->f.drum_id) :
		       rpt_error(c->err, "trace: --html is the buyer's trace sheet:"
		                 " give --drum DRUM");
	if (a->f.lot_id || a->f.drum_id)
		return rpt_trace_up(c, a);
	return a->f.grower ? rpt_trace_grower(c, a) : rpt_trace_batch(c, a);
}
