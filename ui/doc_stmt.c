/*
 * doc_stmt: `settle --html`, one printable A4 statement per member
 * household (a page each) and the cooperative's totals on a last page
 * (docs/RECORDS.md "Documents"). The figures are those rpt_settle.c
 * computed for the text, CSV and JSON: amounts as the text report shows
 * them (econ_format_vnd), masses in kg to the gram. See rpt_settle_int.h.
 */
#include "rpt_settle_int.h"

#include "doc.h"
#include "i18n.h"

#define DOC_STMT_CELL 96          /* a formatted cell */

/* The deliveries of grower (NULL: everyone's) as a table. */
static void doc_stmt_parts(FILE *out, const struct rpt_settle_run *r,
                           const char *grower)
{
	const char *heads[] = {_("feedstock"), _("part"), _("delivered [kg]")};
	struct rpt_settle_part p[RPT_SETTLE_PARTS];
	int n = rpt_settle_parts(r, grower, p);
	char kg[DOC_STMT_CELL];

	doc_table_begin(out, heads, 3, 0);
	for (int i = 0; i < n; i++) {
		const char *cells[] = {p[i].feedstock, *p[i].part ? p[i].part : NULL,
		                       kg};

		snprintf(kg, sizeof kg, "%.3f", (double)p[i].g / 1000);
		doc_table_row(out, cells, 3);
	}
	doc_table_end(out);
}

/* The amounts of g as a two-column table, "due" last. */
static void doc_stmt_amounts(FILE *out, const struct settle_grower *g)
{
	const char *heads[] = {_("item"), _("amount")};
	const char *items[] = {_("raw material"), _("oil share"),
	                       _("quality bonus"),
	                       _("already paid (advances, intake payments)"),
	                       _("due")};
	const long long vnd[] = {g->raw_vnd, g->oil_share_vnd, g->bonus_vnd,
	                         g->paid_vnd, g->due_vnd};
	char a[DOC_STMT_CELL];

	doc_table_begin(out, heads, 2, 2u);
	for (int i = 0; i < 5; i++) {
		const char *cells[] = {items[i], a};

		econ_format_vnd(a, sizeof a, (double)vnd[i], i18n_lang());
		doc_table_row(out, cells, 2);
	}
	doc_table_end(out);
}

/* One statement: a section (id) on its own page unless first. */
static void doc_stmt_one(FILE *out, const struct doc_stmt_period *p,
                         const struct rpt_settle_run *r,
                         const struct settle_grower *g, const char *grower,
                         const char *id, int first)
{
	char v[DOC_STMT_CELL];

	doc_section_begin(out, id, grower ? g->grower : _("Cooperative totals"),
	                  first ? DOC_KEEP : 0);
	doc_kv_begin(out);
	snprintf(v, sizeof v, _("%s to %s"), p->from, p->to);
	doc_kv(out, _("Period"), v);
	snprintf(v, sizeof v, "%.3f kg", g->raw_kg);
	doc_kv(out, _("Delivered"), v);
	snprintf(v, sizeof v, "%.3f kg", (double)g->oil_g / 1000);
	doc_kv(out, _("Oil attributed"), v);
	doc_kv_end(out);
	doc_stmt_parts(out, r, grower);
	doc_stmt_amounts(out, g);
	doc_section_end(out);
}

/* What the totals rest on: the oil weighed, and the batches not weighed. */
static void doc_stmt_notes(FILE *out, const struct rpt_settle_run *r,
                           const struct settle_grower *total)
{
	doc_pf(out, _("Oil weighed: %.3f kg (batches started in the period and "
	       "weighed: %d); attributed to the lots above: %.3f kg."),
	       (double)r->weighed_g / 1000, r->n_weighed,
	       (double)total->oil_g / 1000);
	for (int i = 0; i < r->n_unweighed; i++)
		doc_pf(out, _("Not weighed (no oil attributed yet): batch %ld (%s)"),
		       r->unweighed[i].batch_id, r->unweighed[i].state);
}

void doc_stmt_write(FILE *out, const struct doc_stmt_period *p,
                    const struct rpt_settle_run *r,
                    const struct settle_grower *g, int n,
                    const struct settle_grower *total)
{
	char title[DOC_STMT_CELL * 2], id[24];

	snprintf(title, sizeof title, _("Settlement %s to %s"), p->from, p->to);
	doc_begin(out, title, i18n_lang(), DOC_A4);
	doc_h(out, 1, title);
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof id, "household-%d", i + 1);
		doc_stmt_one(out, p, r, &g[i], g[i].grower, id, i == 0);
	}
	doc_stmt_one(out, p, r, total, NULL, "total", n == 0);
	doc_stmt_notes(out, r, total);
	doc_end(out);
}
