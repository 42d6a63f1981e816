/*
 * doc_batch: the batch record as HTML (see doc_batch.h). The rows come
 * from the same read-only queries as the text record (records/store.h);
 * tables show every column of a query, formatted as the text reports
 * format them (rpt_format); the charts come from STORE_Q_CURVE.
 */
#include "doc_batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "doc_ref.h"
#include "doc_svg.h"
#include "i18n.h"
#include "store_hist.h"

#define DOC_BATCH_COLS 24        /* columns shown of a table */
#define DOC_BATCH_SPANS 64       /* steps and alarms on the timeline */
#define DOC_BATCH_CHART_PX 720   /* chart width */

/* ------------------------------------------------------------------ */
/* Tables of whole query rows                                           */

/* A cell as text: whole numbers as integers, others with 3 decimals. */
static const char *doc_batch_cell(const struct store_cell *c, char *buf,
                                  size_t len)
{
	int whole = c->is_num && fabs(c->num) < 1e15 && c->num == floor(c->num);

	rpt_format(c, !c->is_num ? RPT_F_TEXT : whole ? 0 : 3, buf, len);
	return buf;
}

struct doc_batch_tab {
	FILE *out;
	const char *const *skip;     /* columns left out, NULL-terminated */
	int cols[DOC_BATCH_COLS];    /* cell index of each shown column */
	int n;                       /* shown columns; 0 before the first row */
};

static int doc_batch_skipped(const struct doc_batch_tab *t, const char *name)
{
	for (int i = 0; t->skip && t->skip[i]; i++)
		if (strcmp(t->skip[i], name) == 0)
			return 1;
	return 0;
}

/* The head of the table from the first row's column names. */
static void doc_batch_tab_head(struct doc_batch_tab *t,
                               const struct store_cell *c, int n)
{
	const char *heads[DOC_BATCH_COLS];
	unsigned numeric = 0;

	for (int i = 0; i < n && t->n < DOC_BATCH_COLS; i++) {
		if (doc_batch_skipped(t, c[i].name))
			continue;
		if (c[i].is_num)
			numeric |= 1u << t->n;
		heads[t->n] = c[i].name;
		t->cols[t->n++] = i;
	}
	doc_table_begin(t->out, heads, t->n, numeric);
}

/* store_row_fn: one table row, every shown cell as text reports show it. */
static int doc_batch_tab_row(void *ctx, const struct store_cell *c, int n)
{
	struct doc_batch_tab *t = ctx;
	char buf[DOC_BATCH_COLS][RPT_VALUE_MAX];
	const char *cells[DOC_BATCH_COLS];

	if (t->n == 0)
		doc_batch_tab_head(t, c, n);
	for (int i = 0; i < t->n; i++) {
		cells[i] = doc_batch_cell(&c[t->cols[i]], buf[i], sizeof buf[i]);
	}
	doc_table_row(t->out, cells, t->n);
	return 0;
}

/* A section holding query q as one table, or "none". */
static int doc_batch_table(struct rpt_ctx *c, const char *id, const char *title,
                           enum store_query q, const struct store_filter *f,
                           const char *const *skip)
{
	struct doc_batch_tab t = {.out = c->out, .skip = skip, .n = 0};
	int rows;

	doc_section_begin(c->out, id, title, DOC_KEEP);
	rows = store_query_rows(c->s, q, f, doc_batch_tab_row, &t, c->cause,
	                        sizeof c->cause);
	if (rows > 0)
		doc_table_end(c->out);
	else if (rows == 0)
		doc_p(c->out, _("(none)"));
	doc_section_end(c->out);
	return rows < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Identity                                                             */

/* The summary row as key/value lines; growers only when households. */
static void doc_batch_identity(FILE *out, const struct rpt_rec *r,
                               int households)
{
	char buf[RPT_VALUE_MAX];

	doc_section_begin(out, "identity", _("Batch"), DOC_KEEP);
	doc_kv_begin(out);
	for (int i = 0; i < r->n; i++) {
		if (!households && strcmp(r->cell[i].name, "growers") == 0)
			continue;
		doc_kv(out, r->cell[i].name, r->cell[i].text ?
		       doc_batch_cell(&r->cell[i], buf, sizeof buf) : NULL);
	}
	doc_kv_end(out);
	doc_section_end(out);
}

/* ------------------------------------------------------------------ */
/* The step timeline                                                    */

struct doc_batch_steps {
	struct doc_svg_span span[DOC_BATCH_SPANS];
	char name[DOC_BATCH_SPANS][64];
	int n;
	double t0_s, t_end_s;
};

static int doc_batch_step_row(void *ctx, const struct store_cell *c, int n)
{
	struct doc_batch_steps *st = ctx;
	const struct store_cell *t = rpt_find(c, n, "t_process_s");
	const struct store_cell *name = rpt_find(c, n, "name");
	double t_s;

	if (!t || !t->is_num || st->n >= DOC_BATCH_SPANS)
		return 0;
	if (st->n == 0)
		st->t0_s = t->num;
	t_s = t->num - st->t0_s;
	if (st->n > 0)
		st->span[st->n - 1].t1_s = t_s;
	snprintf(st->name[st->n], sizeof st->name[0], "%s",
	         name && name->text ? name->text : "?");
	st->span[st->n] = (struct doc_svg_span){st->name[st->n], t_s, NAN, 0};
	st->n++;
	return 0;
}

/* The steps as a timeline over [0, end_s] (seconds from the first step);
 * *t0_s gets the first step's process time (0 when none). */
static int doc_batch_timeline(struct rpt_ctx *c, const struct store_filter *f,
                              double end_s, double *t0_s)
{
	struct doc_batch_steps *st = calloc(1, sizeof *st);
	int rows;

	if (!st) {
		snprintf(c->cause, sizeof c->cause, "out of memory");
		return -1;
	}
	doc_section_begin(c->out, "steps", _("Steps"), DOC_KEEP);
	rows = store_query_rows(c->s, STORE_Q_BATCH_STEPS, f, doc_batch_step_row,
	                        st, c->cause, sizeof c->cause);
	if (rows > 0 && st->n > 0)
		doc_svg_spans(c->out, _("Step timeline"), st->span, st->n, 0,
		              end_s > 0 ? end_s : 1, DOC_BATCH_CHART_PX);
	doc_section_end(c->out);
	*t0_s = st->n > 0 ? st->t0_s : 0;
	free(st);
	return rows < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Trends                                                               */

static const char *const doc_batch_curve_cols[] = {
	"still_temp_c", "vapour_temp_c", "distillate_temp_c", "pressure_kpa",
	"steam_kg_h", "steam_valve_pct", "oil_kg",
};
#define DOC_BATCH_NCURVE \
	(int)(sizeof doc_batch_curve_cols / sizeof doc_batch_curve_cols[0])

struct doc_batch_curve {
	double *t_s;
	double *v[DOC_BATCH_NCURVE];
	int n, cap;
	int oom;
	double t0_s, oil0_g;           /* the first sample's time and oil */
};

/* The tag behind each of doc_batch_curve_cols but oil_kg (the last). */
static const enum cfg_tag doc_batch_curve_tags[DOC_BATCH_NCURVE - 1] = {
	CFG_TAG_STILL_TEMP, CFG_TAG_VAPOUR_TEMP, CFG_TAG_DISTILLATE_TEMP,
	CFG_TAG_PRESSURE, CFG_TAG_STEAM_FLOW, CFG_TAG_STEAM_POS,
};

/* x rounded to 10^-places, as the curve report rounds it. */
static double doc_batch_round(double x, double scale)
{
	return nearbyint(x * scale) / scale;
}

static int doc_batch_curve_grow(struct doc_batch_curve *cv)
{
	int cap = cv->cap ? cv->cap * 2 : 4096;
	double *p = realloc(cv->t_s, (size_t)cap * sizeof *p);

	if (!p)
		return -1;
	cv->t_s = p;
	for (int k = 0; k < DOC_BATCH_NCURVE; k++) {
		p = realloc(cv->v[k], (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		cv->v[k] = p;
	}
	cv->cap = cap;
	return 0;
}

static int doc_batch_curve_row(void *ctx, const struct store_hist_row *r)
{
	struct doc_batch_curve *cv = ctx;

	if (cv->n == cv->cap && doc_batch_curve_grow(cv) < 0) {
		cv->oom = 1;
		return 1;
	}
	if (cv->n == 0) {
		cv->t0_s = r->s.t_process_s;
		cv->oil0_g = r->s.value[CFG_TAG_OIL];
	}
	cv->t_s[cv->n] = doc_batch_round(r->s.t_process_s - cv->t0_s, 1e3);
	for (int k = 0; k < DOC_BATCH_NCURVE - 1; k++)
		cv->v[k][cv->n] = r->s.value[doc_batch_curve_tags[k]];
	cv->v[DOC_BATCH_NCURVE - 1][cv->n] =
		doc_batch_round((r->s.value[CFG_TAG_OIL] - cv->oil0_g) / 1000.0, 1e4);
	cv->n++;
	return 0;
}

static void doc_batch_curve_free(struct doc_batch_curve *cv)
{
	free(cv->t_s);
	for (int k = 0; k < DOC_BATCH_NCURVE; k++)
		free(cv->v[k]);
}

/* What every chart of the batch shares: the alarm onsets as marks. */
struct doc_batch_marks {
	struct doc_svg_trend base;   /* marks, x range, size */
	char label[DOC_SVG_MARKS_MAX][64];
	double t0_s;                 /* process time of the first step */
	const struct doc_batch_curve *ref; /* the reference batch, or NULL */
};

/* One chart of the curve columns first..first+n-1 with up to two limits
 * (NaN: none). */
static void doc_batch_chart(FILE *out, const struct doc_batch_curve *cv,
                            const struct doc_batch_marks *m, const char *title,
                            const char *unit, int first, int n,
                            const char *const *names, const double *lim,
                            const char *const *lim_names)
{
	struct doc_svg_trend t = m->base;
	struct doc_svg_series s[8];
	int k = n;

	t.title = title;
	t.unit = unit;
	for (int i = 0; i < 2; i++)
		if (lim && isfinite(lim[i])) {
			t.limit[t.n_limits].v = lim[i];
			t.limit[t.n_limits++].label = lim_names[i];
		}
	for (int i = 0; i < n; i++)
		s[i] = (struct doc_svg_series){names[i], cv->t_s, cv->v[first + i],
		                               cv->n, 0};
	for (int i = 0; m->ref && i < n; i++)
		s[k++] = (struct doc_svg_series){names[i], m->ref->t_s,
		                                 m->ref->v[first + i], m->ref->n, 1};
	doc_svg_trend(out, &t, s, k);
}

/* The trends: temperatures, pressure, steam, valve and oil, with the
 * plant's alarm limits (lim: NULL when the plant is not known). */
static void doc_batch_trends(FILE *out, const struct doc_batch_curve *cv,
                             const struct doc_batch_marks *m,
                             const struct cfg_limits *lim)
{
	const char *temps[] = {_("charge"), _("vapour"), _("distillate")};
	const char *lt[] = {_("distillate high"), _("vapour high")};
	const char *lp[] = {_("pressure high"), _("pressure high-high")};
	const double t_lim[] = {lim ? lim->distillate_high_c : NAN,
	                        lim ? lim->vapour_temp_high_c : NAN};
	const double p_lim[] = {lim ? lim->pressure_high_kpa : NAN,
	                        lim ? lim->pressure_high_high_kpa : NAN};
	const char *one[1];

	doc_section_begin(out, "trends", _("Trends"), 0);
	if (cv->n < 2) {
		doc_p(out, _("No samples were recorded for this batch."));
		doc_section_end(out);
		return;
	}
	doc_batch_chart(out, cv, m, _("Temperatures"), "°C", 0, 3, temps, t_lim, lt);
	one[0] = _("pressure");
	doc_batch_chart(out, cv, m, _("Pressure"), "kPa", 3, 1, one, p_lim, lp);
	one[0] = _("steam flow");
	doc_batch_chart(out, cv, m, _("Steam flow"), "kg/h", 4, 1, one, NULL, NULL);
	one[0] = _("steam valve");
	doc_batch_chart(out, cv, m, _("Steam valve"), "%", 5, 1, one, NULL, NULL);
	one[0] = _("oil");
	doc_batch_chart(out, cv, m, _("Oil"), "kg", 6, 1, one, NULL, NULL);
	doc_section_end(out);
}

/* store_row_fn over the batch's events: each alarm onset becomes a mark. */
static int doc_batch_mark_row(void *ctx, const struct store_cell *c, int n)
{
	struct doc_batch_marks *m = ctx;
	const struct store_cell *kind = rpt_find(c, n, "kind");
	const struct store_cell *to = rpt_find(c, n, "new_value");
	const struct store_cell *t = rpt_find(c, n, "t_process_s");
	int k = m->base.n_marks;

	if (k >= DOC_SVG_MARKS_MAX || !kind || !kind->text || !to || !to->text ||
	    !t || !t->is_num || strcmp(kind->text, "alarm") != 0 ||
	    strcmp(to->text, "unack") != 0)
		return 0;
	rpt_val(c, n, "what", RPT_F_TEXT, m->label[k], sizeof m->label[k]);
	m->base.mark[k].t_s = t->num - m->t0_s;
	m->base.mark[k].label = m->label[k];
	m->base.n_marks++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* QA with marks, and the audit anchor                                  */

static int doc_batch_qa_row(void *ctx, const struct store_cell *c, int n)
{
	FILE *out = ctx;
	const struct store_cell *in = rpt_find(c, n, "in_spec");
	char buf[RPT_VALUE_MAX], line[RPT_VALUE_MAX * 3];

	snprintf(line, sizeof line, "%s %s, %s",
	         rpt_val(c, n, "at", RPT_F_TIME, buf, sizeof buf), _("by"),
	         rpt_find(c, n, "analyst") && rpt_find(c, n, "analyst")->text ?
	         rpt_find(c, n, "analyst")->text : "-");
	doc_p(out, line);
	if (in && in->is_num)
		doc_badge(out, in->num != 0 ? DOC_PASS : DOC_FAIL,
		          in->num != 0 ? _("in spec") : _("out of spec"));
	else
		doc_badge(out, DOC_PENDING, _("pending"));
	return 0;
}

/* The QA results: a mark per result, then the whole rows. */
static int doc_batch_qa(struct rpt_ctx *c, const struct store_filter *f)
{
	int rows;

	doc_section_begin(c->out, "qa-marks", _("QA against the spec"), DOC_KEEP);
	rows = store_query_rows(c->s, STORE_Q_BATCH_QA, f, doc_batch_qa_row,
	                        c->out, c->cause, sizeof c->cause);
	if (rows == 0)
		doc_badge(c->out, DOC_PENDING, _("no QA result yet"));
	doc_section_end(c->out);
	if (rows < 0)
		return -1;
	return doc_batch_table(c, "qa", _("QA results"), STORE_Q_BATCH_QA, f, NULL);
}

/* The head of the audit chain and store_audit_verify's line, now. */
static void doc_batch_audit(struct rpt_ctx *c)
{
	char *line = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&line, &len);
	int rc = -1;

	if (mem) {
		rc = store_audit_verify(c->s, mem, c->cause, sizeof c->cause);
		fclose(mem);
	}
	doc_section_begin(c->out, "audit", _("Audit anchor"), DOC_KEEP);
	doc_p(c->out, _("Checked when this document was printed:"));
	doc_p(c->out, rc < 0 ? c->cause : line);
	if (rc >= 0)
		doc_badge(c->out, rc == 0 ? DOC_PASS : DOC_FAIL,
		          rc == 0 ? _("audit trail intact") : _("audit trail broken"));
	doc_section_end(c->out);
	free(line);
}

/* ------------------------------------------------------------------ */
/* The document                                                         */

/* Batch id's curve into *cv (empty on entry). 0, or -1 with c->cause. */
static int doc_batch_curve_load(struct rpt_ctx *c, long id,
                                struct doc_batch_curve *cv)
{
	long rc = store_hist_batch(c->s, id, doc_batch_curve_row, cv, c->cause,
	                           sizeof c->cause);

	if (cv->oom)
		snprintf(c->cause, sizeof c->cause, "out of memory");
	return rc < 0 || cv->oom ? -1 : 0;
}

/* Seconds from the start of distillation to the first oil in cv. */
static double doc_batch_first_oil_s(const struct doc_batch_curve *cv,
                                    double distil_start_s)
{
	for (int i = 0; i < cv->n; i++)
		if (cv->v[DOC_BATCH_NCURVE - 1][i] > 0.0005)
			return cv->t_s[i] - distil_start_s;
	return NAN;
}

/* The reference batch ref: its curve shifted so that both distillations
 * start at the same time, and the differences table. */
static int doc_batch_ref(struct rpt_ctx *c, long id,
                         const struct doc_batch_curve *cv, long ref,
                         struct doc_batch_curve *cr)
{
	struct doc_ref_facts fi, fr;

	if (doc_batch_curve_load(c, ref, cr) < 0 || doc_ref_steps(c, id, &fi) < 0 ||
	    doc_ref_steps(c, ref, &fr) < 0)
		return -1;
	fi.first_oil_s = doc_batch_first_oil_s(cv, fi.distil_start_s);
	fr.first_oil_s = doc_batch_first_oil_s(cr, fr.distil_start_s);
	if (isfinite(fi.distil_start_s) && isfinite(fr.distil_start_s))
		for (int i = 0; i < cr->n; i++)
			cr->t_s[i] += fi.distil_start_s - fr.distil_start_s;
	return doc_ref_table(c, id, &fi, ref, &fr);
}

/* The timeline, then the trends with the alarm onsets marked, and with
 * the reference batch ref (0: none) overlaid. */
static int doc_batch_charts(struct rpt_ctx *c, const struct store_filter *f,
                            long ref)
{
	struct doc_batch_curve cv = {.n = 0}, cr = {.n = 0};
	struct doc_batch_marks m = {.base = {.width_px = DOC_BATCH_CHART_PX,
	                                     .height_px = 220, .y_min = NAN,
	                                     .y_max = NAN}};
	int rc = doc_batch_curve_load(c, f->batch_id, &cv);

	m.base.t1_s = cv.n > 1 && cv.t_s[cv.n - 1] > 0 ? cv.t_s[cv.n - 1] : 1;
	if (rc == 0 && ref > 0) {
		rc = doc_batch_ref(c, f->batch_id, &cv, ref, &cr);
		m.ref = &cr;
	}
	if (rc == 0 &&
	    (doc_batch_timeline(c, f, m.base.t1_s, &m.t0_s) < 0 ||
	     store_query_rows(c->s, STORE_Q_BATCH_EVENTS, f, doc_batch_mark_row,
	                      &m, c->cause, sizeof c->cause) < 0))
		rc = -1;
	if (rc == 0)
		doc_batch_trends(c->out, &cv, &m, c->plant ? &c->plant->limits : NULL);
	doc_batch_curve_free(&cr);
	doc_batch_curve_free(&cv);
	return rc;
}

/* Every section after the identity, in the order of a paper record. */
static int doc_batch_sections(struct rpt_ctx *c, const struct store_filter *f,
                              long ref)
{
	static const char *const private_lot[] = {"grower", "batch_id", NULL};
	struct store_filter attr = {.batch_id = f->batch_id};

	if (doc_batch_table(c, "lots", _("Lots"), STORE_Q_BATCH_LOTS, f,
	                    c->households ? NULL : private_lot) < 0 ||
	    doc_batch_charts(c, f, ref) < 0 ||
	    doc_batch_table(c, "alarms", _("Alarms"), STORE_Q_BATCH_ALARMS, f, NULL) < 0 ||
	    doc_batch_table(c, "prompts", _("Prompts and operator answers"),
	                    STORE_Q_BATCH_PROMPTS, f, NULL) < 0 ||
	    doc_batch_table(c, "weighings", _("Weighings and measurements"),
	                    STORE_Q_BATCH_MEASURES, f, NULL) < 0 ||
	    doc_batch_qa(c, f) < 0 ||
	    doc_batch_table(c, "release", _("Release decisions"),
	                    STORE_Q_BATCH_DECISIONS, f, NULL) < 0 ||
	    doc_batch_table(c, "attribution", _("Oil attributed to lots"),
	                    STORE_Q_ATTRIBUTION, &attr,
	                    c->households ? NULL : private_lot) < 0)
		return -1;
	return 0;
}

/* The document into c->out (a memory stream). */
static int doc_batch_doc(struct rpt_ctx *c, long id, long ref)
{
	struct store_filter f = {.batch_id = id};
	struct rpt_rec r = {.n = 0};
	char title[64];
	int rows, rc = -1;

	if (store_snapshot(c->s, 1, c->cause, sizeof c->cause) < 0)
		return -1;
	rows = store_query_rows(c->s, STORE_Q_BATCHES, &f, rpt_rec_take, &r,
	                        c->cause, sizeof c->cause);
	if (rows == 0)
		snprintf(c->cause, sizeof c->cause, "no batch %ld", id);
	if (rows > 0 && ref > 0 && doc_ref_check(c, id, ref) < 0)
		rows = -1;
	if (rows > 0) {
		snprintf(title, sizeof title, _("Batch %ld"), id);
		doc_begin(c->out, title, i18n_lang(), DOC_A4);
		doc_h(c->out, 1, title);
		doc_batch_identity(c->out, &r, c->households);
		rc = doc_batch_sections(c, &f, ref);
	}
	rpt_rec_free(&r);
	store_snapshot(c->s, 0, NULL, 0);
	if (rc == 0) {
		doc_batch_audit(c);
		doc_end(c->out);
	}
	return rc;
}

int doc_batch_write(struct rpt_ctx *c, long id, long ref)
{
	FILE *out = c->out;
	char *html = NULL;
	size_t len = 0;
	int rc;

	c->out = open_memstream(&html, &len);
	if (!c->out) {
		c->out = out;
		snprintf(c->cause, sizeof c->cause, "out of memory");
		return -1;
	}
	rc = doc_batch_doc(c, id, ref);
	if (fclose(c->out) != 0 && rc == 0) {
		snprintf(c->cause, sizeof c->cause, "out of memory");
		rc = -1;
	}
	c->out = out;
	if (rc == 0)
		fwrite(html, 1, len, out);
	free(html);
	return rc;
}
