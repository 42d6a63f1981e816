/* doc_yields: yields at a glance as an HTML document. See doc_yields.h. */
#include "doc_yields.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "doc_svg.h"
#include "econ.h"
#include "i18n.h"

#define DOC_YIELDS_CELL 64        /* a formatted figure */
#define DOC_YIELDS_CHART_W 640    /* px; the chart scales with the page */
#define DOC_YIELDS_CHART_H 220

/* The groupings, in the order of the document. */
static const struct {
	const char *by;            /* the --by of `report yields` */
	const char *title;
	const char *head;          /* of the table's first column */
} doc_yields_groups[] = {
	{"feedstock", N_("By feedstock"), N_("feedstock")},
	{"month", N_("By month"), N_("month")},
	{"still", N_("By still"), N_("still")},
	{"grower", N_("By grower"), N_("grower")},
};
#define DOC_YIELDS_NGROUPS \
	(int)(sizeof doc_yields_groups / sizeof doc_yields_groups[0])

/* The table's figures: the column of STORE_Q_YIELDS, its head, and its
 * decimals as the text report shows them (-1: dong, as VND amounts). */
static const struct {
	const char *name;
	const char *head;
	int decimals;
} doc_yields_cols[] = {
	{"batches", N_("batches"), 0},
	{"oil_kg", N_("oil [kg]"), 3},
	{"yield_mean_pct", N_("mean yield [%]"), 3},
	{"yield_min_pct", N_("min [%]"), 3},
	{"yield_max_pct", N_("max [%]"), 3},
	{"yield_dry_mean_pct", N_("dry mean [%]"), 3},
	{"steam_kg", N_("steam [kg]"), 1},
	{"cost_vnd", N_("cost [VND]"), -1},
	{"cost_vnd_per_kg_oil", N_("VND per kg of oil"), -1},
};
#define DOC_YIELDS_NCOLS (int)(sizeof doc_yields_cols / sizeof doc_yields_cols[0])
enum { DOC_YIELDS_C_OIL = 1, DOC_YIELDS_C_YIELD = 2, DOC_YIELDS_C_COST_KG = 8 };

struct doc_yields_row {
	char *label;                       /* the grouping's value; "-" for NULL */
	double v[DOC_YIELDS_NCOLS];        /* NaN for NULL */
};

struct doc_yields_group {
	const char *by;
	struct doc_yields_row *row;
	int n;
	int oom;                           /* 1: out of memory, rows left out */
};

/* store_row_fn: keeps one grouping's figures. */
static int doc_yields_take(void *ctx, const struct store_cell *c, int n)
{
	struct doc_yields_group *g = ctx;
	struct doc_yields_row *rows = realloc(g->row, (size_t)(g->n + 1) * sizeof *rows);
	struct doc_yields_row *r;
	const struct store_cell *key = rpt_find(c, n, g->by);

	if (!rows)
		return g->oom = 1;
	g->row = rows;
	r = &rows[g->n];
	r->label = strdup(key && key->text ? key->text : "-");
	if (!r->label)
		return g->oom = 1;
	for (int i = 0; i < DOC_YIELDS_NCOLS; i++) {
		const struct store_cell *v = rpt_find(c, n, doc_yields_cols[i].name);

		r->v[i] = v && v->text && v->is_num ? v->num : NAN;
	}
	g->n++;
	return 0;
}

static void doc_yields_free(struct doc_yields_group *g, int n)
{
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < g[i].n; j++)
			free(g[i].row[j].label);
		free(g[i].row);
	}
}

/* Reads every grouping in one snapshot. 0, or -1 with c->cause. */
static int doc_yields_read(struct rpt_ctx *c, const struct store_filter *f,
                           struct doc_yields_group *g)
{
	struct store_filter by = *f;
	int rc = 0;

	if (store_snapshot(c->s, 1, c->cause, sizeof c->cause) < 0)
		return -1;
	for (int i = 0; i < DOC_YIELDS_NGROUPS && rc == 0; i++) {
		g[i].by = by.by = doc_yields_groups[i].by;
		if (store_query_rows(c->s, STORE_Q_YIELDS, &by, doc_yields_take, &g[i],
		                     c->cause, sizeof c->cause) < 0)
			rc = -1;
		else if (g[i].oom)
			rc = -1;
	}
	if (rc < 0 && !c->cause[0])
		snprintf(c->cause, sizeof c->cause, "out of memory reading the yields");
	store_snapshot(c->s, 0, NULL, 0);
	return rc;
}

/* A figure as the text report shows it: decimals, or dong without the
 * unit (the unit is in the head); "-" for NaN. */
static const char *doc_yields_fmt(double v, int decimals, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
	} else if (decimals >= 0) {
		snprintf(buf, len, "%.*f", decimals, v);
	} else {
		econ_format_vnd(buf, len, v, i18n_lang());
		if (strchr(buf, ' '))
			*strchr(buf, ' ') = '\0';
	}
	return buf;
}

/* The table beneath the charts: the grouping, then every figure. */
static void doc_yields_table(FILE *out, const struct doc_yields_group *g,
                             int group)
{
	const char *heads[DOC_YIELDS_NCOLS + 1];
	const char *cells[DOC_YIELDS_NCOLS + 1];
	char buf[DOC_YIELDS_NCOLS][DOC_YIELDS_CELL];

	heads[0] = _(doc_yields_groups[group].head);
	for (int i = 0; i < DOC_YIELDS_NCOLS; i++)
		heads[i + 1] = _(doc_yields_cols[i].head);
	doc_table_begin(out, heads, DOC_YIELDS_NCOLS + 1,
	                ((1u << (DOC_YIELDS_NCOLS + 1)) - 1) & ~1u);
	for (int r = 0; r < g->n; r++) {
		cells[0] = g->row[r].label;
		for (int i = 0; i < DOC_YIELDS_NCOLS; i++)
			cells[i + 1] = doc_yields_fmt(g->row[r].v[i],
			                              doc_yields_cols[i].decimals,
			                              buf[i], sizeof buf[i]);
		doc_table_row(out, cells, DOC_YIELDS_NCOLS + 1);
	}
	doc_table_end(out);
}

/* One bar chart of figure col, or a sentence when no row has it. */
static void doc_yields_chart(FILE *out, const struct doc_yields_group *g,
                             int col, const char *title, const char *unit,
                             const char **labels, double *values)
{
	int known = 0;

	for (int r = 0; r < g->n; r++) {
		labels[r] = g->row[r].label;
		values[r] = g->row[r].v[col];
		known += !isnan(values[r]);
	}
	if (known == 0) {
		doc_pf(out, _("%s: no figures recorded."), title);
		return;
	}
	doc_svg_bars(out, title, unit, labels, values, g->n, DOC_YIELDS_CHART_W,
	             DOC_YIELDS_CHART_H);
}

/* A grouping's section: its charts, then its table. */
static void doc_yields_section(FILE *out, const struct doc_yields_group *g,
                               int i)
{
	const char **labels = calloc((size_t)g->n + 1, sizeof *labels);
	double *values = calloc((size_t)g->n + 1, sizeof *values);

	doc_section_begin(out, g->by, _(doc_yields_groups[i].title),
	                  i == 0 ? DOC_KEEP : 0);
	if (g->n == 0) {
		doc_p(out, _("No batch ended with an oil figure."));
	} else if (!labels || !values) {
		doc_p(out, _("Out of memory: the charts are left out."));
	} else {
		doc_yields_chart(out, g, DOC_YIELDS_C_YIELD, _("Mean yield"), "%",
		                 labels, values);
		doc_yields_chart(out, g, DOC_YIELDS_C_OIL, _("Oil"), "kg", labels,
		                 values);
		doc_yields_chart(out, g, DOC_YIELDS_C_COST_KG, _("Cost per kg of oil"),
		                 _("VND/kg"), labels, values);
	}
	if (g->n > 0)
		doc_yields_table(out, g, i);
	doc_section_end(out);
	free(labels);
	free(values);
}

/* The head: what the document covers. */
static void doc_yields_head(FILE *out, const struct store_filter *f)
{
	doc_h(out, 1, _("Yields"));
	doc_kv_begin(out);
	doc_kv(out, _("From"), f->from ? f->from : _("the first batch"));
	doc_kv(out, _("To"), f->to ? f->to : _("the last batch"));
	if (f->still)
		doc_kv(out, _("Still"), f->still);
	if (f->feedstock)
		doc_kv(out, _("Feedstock"), f->feedstock);
	if (f->grower)
		doc_kv(out, _("Grower"), f->grower);
	doc_kv_end(out);
	doc_p(out, _("Batches that ended (complete or stopped) with an oil figure."
	             " A batch of several growers counts once for each, with the"
	             " oil in proportion to the grower's mass."));
}

int doc_yields_cmd(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct doc_yields_group g[DOC_YIELDS_NGROUPS];
	int rc = RPT_OK;

	memset(g, 0, sizeof g);
	if (doc_yields_read(c, &a->f, g) < 0) {
		rc = rpt_error(c->err, "%s", c->cause);
		goto out_free_groups;
	}
	doc_begin(c->out, _("Yields"), i18n_lang(), DOC_A4);
	doc_yields_head(c->out, &a->f);
	for (int i = 0; i < DOC_YIELDS_NGROUPS; i++)
		doc_yields_section(c->out, &g[i], i);
	doc_end(c->out);
out_free_groups:
	doc_yields_free(g, DOC_YIELDS_NGROUPS);
	return rc;
}
