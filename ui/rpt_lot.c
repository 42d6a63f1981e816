/*
 * rpt_lot: `stillroom lot list` and `lot show` (a lot as corrected, its
 * corrections, the batches charged from it with the oil attributed to
 * it), and the lot's head lines that `trace --lot` shares. See
 * rpt_int.h; the columns are in docs/RECORDS.md.
 */
#include "rpt_int.h"

#include <stdio.h>
#include <stdlib.h>

static const struct rpt_col rpt_lots_cols[] = {
	{"lot_id", "lot", 10, RPT_F_TEXT},
	{"feedstock", "feedstock", 11, RPT_F_TEXT},
	{"grower", "grower", 14, RPT_F_TEXT},
	{"plant_part", "part", 5, RPT_F_TEXT},
	{"organic", "org", 3, 0},
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

void rpt_lot_organic(const struct store_cell *c, int n, char *buf,
                     size_t len)
{
	const struct store_cell *cert = rpt_find(c, n, "organic_cert");
	char body[RPT_VALUE_MAX];

	if (!cert || !cert->text || !*cert->text) {
		snprintf(buf, len, "no");
		return;
	}
	snprintf(buf, len, "%s (%s)", cert->text,
	         rpt_val(c, n, "organic_body", RPT_F_TEXT, body, sizeof body));
}

int rpt_lot_head(struct rpt_ctx *c, const char *lot_id)
{
	struct store_filter f = {.lot_id = lot_id};
	struct rpt_rec r = {.n = 0};
	char v[7][RPT_VALUE_MAX], line[RPT_VALUE_MAX * 8];
	int rows;

	rows = store_query_rows(c->s, STORE_Q_LOTS, &f, rpt_rec_take, &r,
	                        c->cause, sizeof c->cause);
	if (rows <= 0) {
		if (rows == 0)
			snprintf(c->cause, sizeof c->cause, "no lot named %s", lot_id);
		return -1;
	}
	snprintf(line, sizeof line, "Lot %s: %s from %s (cooperative %s, commune"
	         " %s)", lot_id,
	         rpt_rec_val(&r, "feedstock", RPT_F_TEXT, "", v[0], sizeof v[0]),
	         rpt_rec_val(&r, "grower", RPT_F_TEXT, "", v[1], sizeof v[1]),
	         rpt_rec_val(&r, "cooperative", RPT_F_TEXT, "", v[2], sizeof v[2]),
	         rpt_rec_val(&r, "origin", RPT_F_TEXT, "", v[3], sizeof v[3]));
	rpt_wrap(c->out, 0, line);
	rpt_lot_organic(r.cell, r.n, v[4], sizeof v[4]);
	snprintf(line, sizeof line, "%s, harvested %s, organic: %s; %s received,"
	         " %s left;"
	         " %s oil attributed",
	         rpt_rec_val(&r, "plant_part", RPT_F_TEXT, "", v[0], sizeof v[0]),
	         rpt_rec_val(&r, "harvested", RPT_F_TEXT, "", v[1], sizeof v[1]),
	         v[4],
	         rpt_rec_val(&r, "mass_received_kg", 1, "kg", v[2], sizeof v[2]),
	         rpt_rec_val(&r, "mass_remaining_kg", 1, "kg", v[3], sizeof v[3]),
	         rpt_grams_kg(rpt_find(r.cell, r.n, "oil_g"), v[5], sizeof v[5]));
	rpt_wrap(c->out, 2, line);
	rpt_rec_free(&r);
	return 0;
}

static const struct rpt_col rpt_lot_batch_cols[] = {
	{"batch_id", "batch", 5, 0},
	{"drawn_kg", "drawn kg", 8, 1},
	{"still", "still", 7, RPT_F_TEXT},
	{"state", "state", 8, RPT_F_TEXT},
	{"started_at", "started", 10, RPT_F_DATE},
	{"oil_kg", "oil kg", 7, 3},
	{"yield_pct", "yld %", 6, 3},
	{"qa_status", "qa", 10, RPT_F_TEXT},
	{"oil_g", "lot g", 6, 0},
};

static const struct rpt_col rpt_lot_fix_cols[] = {
	{"at", "when (UTC)", 11, RPT_F_SHORT},
	{"field", "field", 16, RPT_F_TEXT},
	{"old_value", "was", 10, RPT_F_TEXT},
	{"new_value", "now", 14, RPT_F_TEXT},
	{"who", "who", 8, RPT_F_TEXT},
	{"why", "why", 12, RPT_F_TEXT},
};

/* The lot's fields as corrected, its corrections, then the batches that
 * drew from it with the oil attributed to it. */
static int rpt_lot_text(struct rpt_ctx *c, const struct store_filter *f,
                        const struct rpt_rec *r)
{
	static const struct {
		const char *label, *name, *unit;
		int fmt;
	} rows[] = {
		{"Feedstock", "feedstock", "", RPT_F_TEXT},
		{"Part", "plant_part", "", RPT_F_TEXT},
		{"Grower", "grower", "", RPT_F_TEXT},
		{"Coop", "cooperative", "", RPT_F_TEXT},
		{"Origin", "origin", "", RPT_F_TEXT},
		{"Harvested", "harvested", "", RPT_F_TEXT},
		{"Drying", "drying_days", "days", 0},
		{"Moisture", "moisture_pct", "%", 1},
		{"Oil assay", "oil_content_pct", "%", 2},
		{"GI", "gi", "", RPT_F_TEXT},
		{"Price", "price_vnd_per_kg", "VND/kg", 0},
		{"Received", "mass_received_kg", "kg", 1},
		{"Left", "mass_remaining_kg", "kg", 1},
		{"Recorded", "received_at", "UTC", RPT_F_TIME},
		{"By", "received_by", "", RPT_F_TEXT},
	};
	struct rpt_table t = RPT_TABLE(c->out, rpt_lot_batch_cols);
	struct rpt_table fixes = RPT_TABLE(c->out, rpt_lot_fix_cols);
	char v[RPT_VALUE_MAX];

	fprintf(c->out, "Lot %s\n", f->lot_id);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		rpt_kv(c->out, rows[i].label, rpt_rec_val(r, rows[i].name, rows[i].fmt,
		       rows[i].unit, v, sizeof v), NULL, NULL);
	rpt_lot_organic(r->cell, r->n, v, sizeof v);
	rpt_kv(c->out, "Organic", v, NULL, NULL);
	rpt_kv(c->out, "Oil", rpt_grams_kg(rpt_find(r->cell, r->n, "oil_g"), v,
	       sizeof v), NULL, NULL);
	if (rpt_table(c, "Corrections (the latest of each field counts)",
	              STORE_Q_LOT_CORRECTIONS, f, &fixes) < 0)
		return -1;
	return rpt_table(c, "Batches charged from it (lot g: oil attributed to"
	                 " this lot)", STORE_Q_LOT_BATCHES, f, &t);
}

int rpt_lot_cmd_show(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct store_filter f = {.lot_id = a->pos[0]};
	struct rpt_rec r = {.n = 0};
	char *json;
	int rows;

	if (a->fmt == RPT_JSON) {
		json = store_lot_json(c->s, f.lot_id, c->cause, sizeof c->cause);
		if (!json)
			return rpt_error(c->err, "%s", c->cause);
		fprintf(c->out, "%s\n", json);
		free(json);
		return RPT_OK;
	}
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
