/*
 * doc_label: the drum's documents (docs/RECORDS.md "Documents"): `drum
 * label DRUM --html`, the 100 x 150 mm label stuck on the drum (product,
 * weights, batches, communes, cooperatives, certificates, QA, the trace
 * code as text and as a QR code), and `trace --drum D --html`, the buyer's
 * A4 trace sheet (households only when the plant's privacy allows them).
 * Both read the drum and its trace in one snapshot, then write the page.
 * See rpt_int.h.
 */
#include "rpt_int.h"

#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "doc_qr.h"
#include "i18n.h"

#define DOC_LABEL_SET 16        /* distinct values kept of one kind */
#define DOC_LABEL_QR_MM 38.0    /* the QR code's width on the label */

/* Distinct values of one kind, in the order first seen. */
struct doc_label_set {
	char v[DOC_LABEL_SET][RPT_VALUE_MAX];
	int n;
};

/* What the label sums up from the drum's trace rows. */
struct doc_label_sum {
	struct doc_label_set batch, commune, coop, cert, gi;
};

/* Adds text to s unless empty, "-" or already there. */
static void doc_label_add(struct doc_label_set *s, const char *text)
{
	if (!*text || strcmp(text, "-") == 0 || strcmp(text, "no") == 0)
		return;
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->v[i], text) == 0)
			return;
	if (s->n < DOC_LABEL_SET)
		snprintf(s->v[s->n++], RPT_VALUE_MAX, "%s", text);
}

/* The set joined with ", " in buf ("-" when empty); returns buf. */
static const char *doc_label_join(const struct doc_label_set *s, char *buf,
                                  size_t len)
{
	size_t at = 0;

	snprintf(buf, len, "-");
	for (int i = 0; i < s->n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
		                       s->v[i]);
	return buf;
}

/* store_row_fn: one (batch, lot) row of the drum's trace into the sum. */
static int doc_label_take(void *ctx, const struct store_cell *c, int n)
{
	struct doc_label_sum *s = ctx;
	char v[RPT_VALUE_MAX * 2];

	doc_label_add(&s->batch, rpt_val(c, n, "batch_id", RPT_F_TEXT, v, sizeof v));
	doc_label_add(&s->commune, rpt_val(c, n, "origin", RPT_F_TEXT, v, sizeof v));
	doc_label_add(&s->coop, rpt_val(c, n, "cooperative", RPT_F_TEXT, v,
	                                sizeof v));
	rpt_lot_organic(c, n, v, sizeof v);
	doc_label_add(&s->cert, v);
	doc_label_add(&s->gi, rpt_val(c, n, "gi", RPT_F_TEXT, v, sizeof v));
	return 0;
}

/* The drum's row (by id or trace code) into *r: 0, or -1 with c->cause. */
static int doc_label_drum(struct rpt_ctx *c, const char *drum,
                          struct rpt_rec *r)
{
	struct store_filter f = {.drum_id = drum};
	int rows = store_query_rows(c->s, STORE_Q_DRUMS, &f, rpt_rec_take, r,
	                            c->cause, sizeof c->cause);

	if (rows == 0)
		snprintf(c->cause, sizeof c->cause, "no drum %s (by id or trace code)",
		         drum);
	return rows <= 0 ? -1 : 0;
}

/* The QA status as a mark: releasable passes, blocked fails. */
static void doc_label_qa(FILE *f, const struct rpt_rec *r)
{
	char v[RPT_VALUE_MAX];
	const char *qa = rpt_rec_val(r, "qa_status", RPT_F_TEXT, "", v, sizeof v);

	doc_badge(f, strcmp(qa, "releasable") == 0 ? DOC_PASS :
	          strcmp(qa, "blocked") == 0 ? DOC_FAIL : DOC_PENDING, qa);
}

/* The product line: "cassia-leaf oil, organic". */
static const char *doc_label_product(const struct rpt_rec *r, char *buf,
                                     size_t len)
{
	const struct store_cell *org = rpt_find(r->cell, r->n, "organic");
	char v[RPT_VALUE_MAX];

	snprintf(buf, len, _("%s oil, %s"),
	         rpt_rec_val(r, "feedstock", RPT_F_TEXT, "", v, sizeof v),
	         org && org->num == 1 ? _("organic") : _("conventional"));
	return buf;
}

/* The drum's facts as key/value lines (the label's and the sheet's). */
static void doc_label_facts(FILE *f, const struct rpt_rec *r,
                            const struct doc_label_sum *s)
{
	char v[RPT_VALUE_MAX * DOC_LABEL_SET];

	doc_kv_begin(f);
	doc_kv(f, _("Product"), doc_label_product(r, v, sizeof v));
	doc_kv(f, _("Net"), rpt_rec_val(r, "net_kg", 3, " kg", v, sizeof v));
	doc_kv(f, _("Gross"), rpt_rec_val(r, "gross_kg", 3, " kg", v, sizeof v));
	doc_kv(f, _("Tare"), rpt_rec_val(r, "tare_kg", 3, " kg", v, sizeof v));
	doc_kv(f, _("Batches"), doc_label_join(&s->batch, v, sizeof v));
	doc_kv(f, _("Communes"), doc_label_join(&s->commune, v, sizeof v));
	doc_kv(f, _("Cooperatives"), doc_label_join(&s->coop, v, sizeof v));
	doc_kv(f, _("Organic certificates"), doc_label_join(&s->cert, v, sizeof v));
	doc_kv(f, _("GI"), doc_label_join(&s->gi, v, sizeof v));
	doc_kv_end(f);
}

/* The QR code of code as SVG in a buffer (*svg, freed by the caller), so
 * that a code libqrencode refuses writes no page: 0, or -1 with cause. */
static int doc_label_qr(const char *code, char **svg, size_t *len,
                        char *cause, size_t cause_len)
{
	FILE *m = open_memstream(svg, len);
	int rc;

	if (!m) {
		snprintf(cause, cause_len, "out of memory");
		return -1;
	}
	rc = doc_qr_svg(m, code, DOC_LABEL_QR_MM, cause, cause_len);
	if (fclose(m) != 0 && rc == 0) {
		snprintf(cause, cause_len, "out of memory");
		rc = -1;
	}
	return rc;
}

/* Writes the label page; 0, or -1 with c->cause (nothing written). */
static int doc_label_page(struct rpt_ctx *c, const struct rpt_rec *r,
                          const struct doc_label_sum *s)
{
	char id[RPT_VALUE_MAX], code[RPT_VALUE_MAX], title[RPT_VALUE_MAX * 2];
	char *svg = NULL;
	size_t len = 0;

	rpt_rec_val(r, "drum_id", RPT_F_TEXT, "", id, sizeof id);
	rpt_rec_val(r, "trace_code", RPT_F_TEXT, "", code, sizeof code);
	if (doc_label_qr(code, &svg, &len, c->cause, sizeof c->cause) < 0) {
		free(svg);
		return -1;
	}
	snprintf(title, sizeof title, _("Drum %s"), id);
	doc_begin(c->out, title, i18n_lang(), DOC_LABEL);
	doc_h(c->out, 1, title);
	doc_label_facts(c->out, r, s);
	doc_p(c->out, _("QA status:"));
	doc_label_qa(c->out, r);
	fwrite(svg, 1, len, c->out);
	doc_pf(c->out, _("Trace code: %s"), code);
	doc_end(c->out);
	free(svg);
	return 0;
}

/* The drum's row and the sum of its trace rows (inside a snapshot): 0,
 * or -1 with c->cause. */
static int doc_label_read(struct rpt_ctx *c, const struct store_filter *f,
                          struct rpt_rec *r, struct doc_label_sum *s)
{
	memset(s, 0, sizeof *s);
	if (doc_label_drum(c, f->drum_id, r) < 0)
		return -1;
	return store_query_rows(c->s, STORE_Q_TRACE_DRUM, f, doc_label_take, s,
	                        c->cause, sizeof c->cause) < 0 ? -1 : 0;
}

/* What doc_buffered passes to doc_label_build. */
struct doc_label_args {
	struct rpt_ctx *c;
	const char *drum;
	int (*page)(struct rpt_ctx *c, const struct store_filter *f,
	            const struct rpt_rec *r, const struct doc_label_sum *s);
};

/* Reads the drum and writes its page (the label or the sheet) in one
 * snapshot: 0, or -1 with c->cause. */
static int doc_label_build(void *ctx)
{
	const struct doc_label_args *a = ctx;
	struct rpt_ctx *c = a->c;
	struct store_filter f = {.drum_id = a->drum, .households = c->households};
	struct rpt_rec r = {.n = 0};
	struct doc_label_sum s;
	int rc;

	if (store_snapshot(c->s, 1, c->cause, sizeof c->cause) < 0)
		return -1;
	rc = doc_label_read(c, &f, &r, &s);
	if (rc == 0)
		rc = a->page(c, &f, &r, &s);
	store_snapshot(c->s, 0, NULL, 0);
	rpt_rec_free(&r);
	return rc;
}

/* Runs page (the label or the sheet) for drum in one snapshot, built in
 * memory: RPT_OK, or RPT_ERR with the sentence on c->err and nothing on
 * c->out (an unknown drum, a database that fails midway). */
static int doc_label_run(struct rpt_ctx *c, const char *drum,
                         int (*page)(struct rpt_ctx *c,
                                     const struct store_filter *f,
                                     const struct rpt_rec *r,
                                     const struct doc_label_sum *s))
{
	struct doc_label_args a = {c, drum, page};

	if (doc_buffered(&c->out, doc_label_build, &a, c->cause,
	                 sizeof c->cause) < 0)
		return rpt_error(c->err, "%s", c->cause);
	return RPT_OK;
}

/* doc_label_run's page: the label. */
static int doc_label_label(struct rpt_ctx *c, const struct store_filter *f,
                           const struct rpt_rec *r,
                           const struct doc_label_sum *s)
{
	(void)f;
	return doc_label_page(c, r, s);
}

int doc_label_cmd(struct rpt_ctx *c, const struct rpt_args *a)
{
	if (a->fmt != RPT_HTML)
		return rpt_error(c->err, "drum label: give --html (the label is a "
		                 "page to print)");
	return doc_label_run(c, a->pos[0], doc_label_label);
}

/* ------------------------------------------------------------------ */
/* The buyer's trace sheet                                              */

#define DOC_TRACE_COLS 9

/* What the sheet's rows are written with. */
struct doc_trace_out {
	FILE *out;
	int households;        /* name each lot's grower */
};

/* store_row_fn: one (batch, lot) row of the drum's trace as a table row. */
static int doc_trace_row(void *ctx, const struct store_cell *c, int n)
{
	const struct doc_trace_out *t = ctx;
	char v[DOC_TRACE_COLS][RPT_VALUE_MAX * 2];
	const char *cells[DOC_TRACE_COLS];

	cells[0] = rpt_val(c, n, "batch_id", RPT_F_TEXT, v[0], sizeof v[0]);
	cells[1] = rpt_val(c, n, "lot_id", RPT_F_TEXT, v[1], sizeof v[1]);
	cells[2] = rpt_val(c, n, "mass_kg", 1, v[2], sizeof v[2]);
	cells[3] = rpt_grams_kg(rpt_find(c, n, "oil_g"), v[3], sizeof v[3]);
	cells[4] = rpt_val(c, n, "harvested", RPT_F_TEXT, v[4], sizeof v[4]);
	cells[5] = rpt_val(c, n, "origin", RPT_F_TEXT, v[5], sizeof v[5]);
	cells[6] = rpt_val(c, n, "cooperative", RPT_F_TEXT, v[6], sizeof v[6]);
	rpt_lot_organic(c, n, v[7], sizeof v[7]);
	cells[7] = v[7];
	cells[8] = rpt_val(c, n, "grower", RPT_F_TEXT, v[8], sizeof v[8]);
	doc_table_row(t->out, cells, t->households ? 9 : 8);
	return 0;
}

/* doc_label_run's page: the buyer's A4 trace sheet. */
static int doc_trace_sheet(struct rpt_ctx *c, const struct store_filter *f,
                           const struct rpt_rec *r,
                           const struct doc_label_sum *s)
{
	const char *heads[DOC_TRACE_COLS] = {
		_("batch"), _("lot"), _("charged [kg]"), _("oil"), _("harvested"),
		_("commune"), _("cooperative"), _("organic"), _("grower"),
	};
	struct doc_trace_out t = {c->out, c->households};
	char code[RPT_VALUE_MAX], title[RPT_VALUE_MAX * 2], ship[RPT_VALUE_MAX * 4];

	rpt_rec_val(r, "trace_code", RPT_F_TEXT, "", code, sizeof code);
	snprintf(title, sizeof title, _("Trace sheet, trace code %s"), code);
	doc_begin(c->out, title, i18n_lang(), DOC_A4);
	doc_h(c->out, 1, title);
	doc_section_begin(c->out, "drum", _("The drum"), DOC_KEEP);
	doc_label_facts(c->out, r, s);
	rpt_drum_shipment(r->cell, r->n, ship, sizeof ship);
	doc_p(c->out, ship);
	doc_label_qa(c->out, r);
	doc_section_end(c->out);
	doc_section_begin(c->out, "lots", _("Batches and lots"), DOC_KEEP);
	if (!c->households)
		doc_p(c->out, _("households: hidden (privacy)"));
	doc_table_begin(c->out, heads, c->households ? 9 : 8, 0);
	if (store_query_rows(c->s, STORE_Q_TRACE_DRUM, f, doc_trace_row, &t,
	                     c->cause, sizeof c->cause) < 0)
		return -1;
	doc_table_end(c->out);
	doc_section_end(c->out);
	doc_end(c->out);
	return 0;
}

int doc_label_trace(struct rpt_ctx *c, const char *drum)
{
	return doc_label_run(c, drum, doc_trace_sheet);
}
