/*
 * rpt_lot: `stillroom lot list` and `lot show`. See rpt_int.h; the
 * columns are in docs/RECORDS.md.
 */
#include "rpt_int.h"

#include <stdio.h>

static const struct rpt_col rpt_lots_cols[] = {
	{"lot_id", "lot", 10, RPT_F_TEXT},
	{"feedstock", "feedstock", 11, RPT_F_TEXT},
	{"grower", "grower", 16, RPT_F_TEXT},
	{"harvested", "harvested", 10, RPT_F_TEXT},
	{"moisture_pct", "moist", 5, 1},
	{"mass_received_kg", "recv kg", 7, 1},
	{"mass_remaining_kg", "left kg", 7, 1},
	{"batches", "n", 3, 0},
};

int rpt_lot_cmd_list(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct rpt_table t = RPT_TABLE(c->out, rpt_lots_cols);

	return rpt_list(c, a, STORE_Q_LOTS, &t);
}

static const struct rpt_col rpt_lot_batch_cols[] = {
	{"batch_id", "batch", 5, 0},
	{"drawn_kg", "drawn kg", 8, 1},
	{"still", "still", 8, RPT_F_TEXT},
	{"state", "state", 9, RPT_F_TEXT},
	{"started_at", "started", 10, RPT_F_DATE},
	{"oil_kg", "oil kg", 7, 3},
	{"yield_pct", "yld %", 6, 3},
	{"qa_status", "qa", 11, RPT_F_TEXT},
};

/* The lot's fields, then the batches that drew from it. */
static int rpt_lot_text(struct rpt_ctx *c, const struct store_filter *f,
                        const struct rpt_rec *r)
{
	static const struct {
		const char *label, *name, *unit;
		int fmt;
	} rows[] = {
		{"Feedstock", "feedstock", "", RPT_F_TEXT},
		{"Grower", "grower", "", RPT_F_TEXT},
		{"Coop", "cooperative", "", RPT_F_TEXT},
		{"Origin", "origin", "", RPT_F_TEXT},
		{"Harvested", "harvested", "", RPT_F_TEXT},
		{"Drying", "drying_days", "days", 0},
		{"Moisture", "moisture_pct", "%", 1},
		{"Received", "mass_received_kg", "kg", 1},
		{"Left", "mass_remaining_kg", "kg", 1},
		{"Recorded", "received_at", "UTC", RPT_F_TIME},
		{"By", "received_by", "", RPT_F_TEXT},
	};
	struct rpt_table t = RPT_TABLE(c->out, rpt_lot_batch_cols);
	char v[RPT_VALUE_MAX];

	fprintf(c->out, "Lot %s\n", f->lot_id);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		rpt_kv(c->out, rows[i].label, rpt_rec_val(r, rows[i].name, rows[i].fmt,
		       rows[i].unit, v, sizeof v), NULL, NULL);
	return rpt_table(c, "Batches charged from it", STORE_Q_LOT_BATCHES, f, &t);
}

int rpt_lot_cmd_show(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct store_filter f = {.lot_id = a->pos[0]};
	struct rpt_rec r = {.n = 0};
	int rows;

	if (a->fmt == RPT_JSON)
		return rpt_export(c, STORE_Q_LOTS, &f, RPT_JSON) < 0 ?
			rpt_error(c->err, "%s", c->cause) : RPT_OK;
	if (store_snapshot(c->s, 1, c->cause, sizeof c->cause) < 0)
		return rpt_error(c->err, "%s", c->cause);
	rows = store_query_rows(c->s, STORE_Q_LOTS, &f, rpt_rec_take, &r, c->cause,
	                        sizeof c->cause);
	if (rows == 0)
		snprintf(c->cause, sizeof c->cause, "no lot named %s", f.lot_id);
	if (rows > 0)
		rows = rpt_lot_text(c, &f, &r) < 0 ? -1 : 1;
	rpt_rec_free(&r);
	store_snapshot(c->s, 0, NULL, 0);
	return rows > 0 ? RPT_OK : rpt_error(c->err, "%s", c->cause);
}
