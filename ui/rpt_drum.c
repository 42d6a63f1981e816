/*
 * rpt_drum: `stillroom drum list` and `drum show`, and the drum's head
 * lines that `trace --drum` shares. See rpt_int.h; the columns are in
 * docs/RECORDS.md.
 */
#include "rpt_int.h"

#include <stdlib.h>
#include <string.h>

static const struct rpt_col rpt_drums_cols[] = {
	{"drum_id", "drum", 10, RPT_F_TEXT},
	{"feedstock", "feedstock", 11, RPT_F_TEXT},
	{"organic", "org", 3, 0},
	{"net_kg", "net kg", 7, 3},
	{"batches", "n", 2, 0},
	{"qa_status", "qa", 10, RPT_F_TEXT},
	{"ship_date", "shipped", 10, RPT_F_TEXT},
	{"buyer", "buyer", 17, RPT_F_TEXT},
};

int rpt_drum_cmd_list(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct rpt_table t = RPT_TABLE(c->out, rpt_drums_cols);

	return rpt_list(c, a, STORE_Q_DRUMS, &t);
}

/* "shipped to B (note N) on D, shipment I" or "not shipped" into buf,
 * from a row with shipment_id, buyer, doc_no, ship_date. */
void rpt_drum_shipment(const struct store_cell *c, int n, char *buf,
                       size_t len)
{
	char v[3][RPT_VALUE_MAX];
	const struct store_cell *id = rpt_find(c, n, "shipment_id");

	if (!id || !id->text) {
		snprintf(buf, len, "not shipped");
		return;
	}
	snprintf(buf, len, "shipped to %s (note %s) on %s, shipment %s",
	         rpt_val(c, n, "buyer", RPT_F_TEXT, v[0], sizeof v[0]),
	         rpt_val(c, n, "doc_no", RPT_F_TEXT, v[1], sizeof v[1]),
	         rpt_val(c, n, "ship_date", RPT_F_TEXT, v[2], sizeof v[2]),
	         id->text);
}

int rpt_drum_head(struct rpt_ctx *c, const char *drum)
{
	struct store_filter f = {.drum_id = drum};
	struct rpt_rec r = {.n = 0};
	char v[6][RPT_VALUE_MAX], line[RPT_VALUE_MAX * 6];
	const struct store_cell *org;
	int rows;

	rows = store_query_rows(c->s, STORE_Q_DRUMS, &f, rpt_rec_take, &r,
	                        c->cause, sizeof c->cause);
	if (rows <= 0) {
		if (rows == 0)
			snprintf(c->cause, sizeof c->cause, "no drum %s (by id or trace"
			         " code)", drum);
		return -1;
	}
	org = rpt_find(r.cell, r.n, "organic");
	snprintf(line, sizeof line, "Drum %s, trace code %s: %s, %s",
	         rpt_rec_val(&r, "drum_id", RPT_F_TEXT, "", v[0], sizeof v[0]),
	         rpt_rec_val(&r, "trace_code", RPT_F_TEXT, "", v[1], sizeof v[1]),
	         rpt_rec_val(&r, "feedstock", RPT_F_TEXT, "", v[2], sizeof v[2]),
	         org && org->num == 1 ? "organic" : "conventional");
	rpt_wrap(c->out, 0, line);
	snprintf(line, sizeof line, "%s net, %s gross (tare %s); QA %s; %s "
	         "batch(es)",
	         rpt_rec_val(&r, "net_kg", 3, "kg", v[0], sizeof v[0]),
	         rpt_rec_val(&r, "gross_kg", 3, "kg", v[1], sizeof v[1]),
	         rpt_rec_val(&r, "tare_kg", 3, "kg", v[2], sizeof v[2]),
	         rpt_rec_val(&r, "qa_status", RPT_F_TEXT, "", v[3], sizeof v[3]),
	         rpt_rec_val(&r, "batches", 0, "", v[4], sizeof v[4]));
	rpt_wrap(c->out, 2, line);
	rpt_drum_shipment(r.cell, r.n, line, sizeof line);
	rpt_wrap(c->out, 2, line);
	rpt_rec_free(&r);
	return 0;
}

static const struct rpt_col rpt_fill_cols[] = {
	{"id", "fill", 5, 0},
	{"batch_id", "batch", 5, 0},
	{"oil_kg", "oil kg", 7, 3},
	{"organic", "org", 3, 0},
	{"qa_decision", "qa", 11, RPT_F_TEXT},
	{"who", "who", 14, RPT_F_TEXT},
	{"at", "when (UTC)", 19, RPT_F_TIME},
};

/* The drum's head lines, then its fills, read in one snapshot. */
static int rpt_drum_text(struct rpt_ctx *c, const char *drum)
{
	struct store_filter f = {.drum_id = drum};
	struct rpt_table t = RPT_TABLE(c->out, rpt_fill_cols);
	int rc;

	if (store_snapshot(c->s, 1, c->cause, sizeof c->cause) < 0)
		return -1;
	rc = rpt_drum_head(c, drum);
	if (rc == 0)
		rc = rpt_table(c, "Fills", STORE_Q_DRUM_FILLS, &f, &t) < 0 ? -1 : 0;
	store_snapshot(c->s, 0, NULL, 0);
	return rc;
}

int rpt_drum_cmd_show(struct rpt_ctx *c, const struct rpt_args *a)
{
	char *json;

	if (a->fmt == RPT_TEXT)
		return rpt_drum_text(c, a->pos[0]) < 0 ?
			rpt_error(c->err, "%s", c->cause) : RPT_OK;
	json = store_drum_json(c->s, a->pos[0], c->cause, sizeof c->cause);
	if (!json)
		return rpt_error(c->err, "%s", c->cause);
	fprintf(c->out, "%s\n", json);
	free(json);
	return RPT_OK;
}
