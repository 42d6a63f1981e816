/*
 * doc_ref: the reference batch of the batch record (see doc_ref.h).
 */
#include "doc_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "i18n.h"
#include "rcp.h"

int doc_ref_check(struct rpt_ctx *c, long id, long ref)
{
	char mine[64], theirs[64];

	if (store_batch_feedstock(c->s, id, mine, sizeof mine, c->cause,
	                          sizeof c->cause) < 0 ||
	    store_batch_feedstock(c->s, ref, theirs, sizeof theirs, c->cause,
	                          sizeof c->cause) < 0)
		return -1;
	if (strcmp(mine, theirs) == 0)
		return 0;
	snprintf(c->cause, sizeof c->cause, _("reference batch %ld distilled %s, "
	         "not %s like batch %ld: choose a batch of the same feedstock"),
	         ref, theirs, mine, id);
	return -1;
}

/* The reference_batch of the recipe as run of summary row r, 0 when it
 * names none; -1 with why when the recipe cannot be read. */
static long doc_ref_named(struct rpt_ctx *c, const struct rpt_rec *r,
                          char *why, size_t why_len)
{
	char sha[RPT_VALUE_MAX], name[RPT_VALUE_MAX], path[RPT_VALUE_MAX + 8];
	struct rcp_recipe rcp;
	struct diag d;
	char *text;
	long ref = -1;

	rpt_rec_val(r, "recipe_sha256", RPT_F_TEXT, "", sha, sizeof sha);
	rpt_rec_val(r, "recipe", RPT_F_TEXT, "", name, sizeof name);
	text = store_recipe_text(c->s, sha, c->cause, sizeof c->cause);
	if (!text) {
		snprintf(why, why_len, _("No reference batch is overlaid: the recipe "
		         "as run cannot be read (%s)."), c->cause);
		return -1;
	}
	snprintf(path, sizeof path, "%s.yaml", name);
	diag_init(&d);
	if (rcp_parse(&rcp, path, text, strlen(text), NULL, &d) == 0) {
		ref = rcp.reference_batch;
		rcp_free(&rcp);
	} else {
		snprintf(why, why_len, _("No reference batch is overlaid: the recipe "
		         "as run does not read cleanly (%s)."),
		         d.n > 0 ? d.line[0] : "?");
	}
	free(text);
	return ref;
}

long doc_ref_recipe(struct rpt_ctx *c, long id, const struct rpt_rec *r,
                    char *why, size_t why_len)
{
	long ref;

	why[0] = '\0';
	ref = doc_ref_named(c, r, why, why_len);
	if (ref <= 0)
		return 0;
	if (ref == id) {
		snprintf(why, why_len, _("This batch is the reference batch its "
		         "recipe names."));
		return 0;
	}
	if (doc_ref_check(c, id, ref) < 0) {
		snprintf(why, why_len, _("The recipe names reference batch %ld; none "
		         "is overlaid: %s."), ref, c->cause);
		c->cause[0] = '\0';
		return 0;
	}
	return ref;
}

void doc_ref_none(FILE *out, const char *why)
{
	doc_section_begin(out, "reference", _("Against the reference batch"),
	                  DOC_KEEP);
	doc_p(out, why);
	doc_section_end(out);
}

struct doc_ref_scan {
	struct doc_ref_facts *f;
	double t0_s;               /* the first step's process time */
	double distil_from_s;      /* the running distil step's start, or NaN */
	int n;
};

static int doc_ref_step_row(void *ctx, const struct store_cell *c, int n)
{
	struct doc_ref_scan *s = ctx;
	const struct store_cell *t = rpt_find(c, n, "t_process_s");
	const struct store_cell *name = rpt_find(c, n, "name");
	int distil = name && name->text && strncmp(name->text, "distil", 6) == 0;

	if (!t || !t->is_num)
		return 0;
	if (s->n++ == 0)
		s->t0_s = t->num;
	if (isfinite(s->distil_from_s) && !distil) {
		s->f->distil_s = (isfinite(s->f->distil_s) ? s->f->distil_s : 0) +
		                 t->num - s->distil_from_s;
		s->distil_from_s = NAN;
	}
	if (distil && !isfinite(s->distil_from_s)) {
		s->distil_from_s = t->num;
		if (!isfinite(s->f->distil_start_s))
			s->f->distil_start_s = t->num - s->t0_s;
	}
	return 0;
}

int doc_ref_steps(struct rpt_ctx *c, long id, struct doc_ref_facts *f)
{
	struct store_filter flt = {.batch_id = id};
	struct doc_ref_scan s = {f, 0, NAN, 0};

	*f = (struct doc_ref_facts){NAN, NAN, NAN};
	return store_query_rows(c->s, STORE_Q_BATCH_STEPS, &flt, doc_ref_step_row,
	                        &s, c->cause, sizeof c->cause) < 0 ? -1 : 0;
}

/* The summary numbers of a batch the table shows. */
struct doc_ref_sum {
	double oil_kg, yield_pct, steam_kg, alarms;
};

static double doc_ref_num(const struct store_cell *c, int n, const char *name)
{
	const struct store_cell *v = rpt_find(c, n, name);

	return v && v->is_num ? v->num : NAN;
}

static int doc_ref_sum_row(void *ctx, const struct store_cell *c, int n)
{
	struct doc_ref_sum *s = ctx;

	s->oil_kg = doc_ref_num(c, n, "oil_kg");
	s->yield_pct = doc_ref_num(c, n, "yield_pct");
	s->steam_kg = doc_ref_num(c, n, "steam_kg");
	s->alarms = doc_ref_num(c, n, "alarm_count");
	return 1;
}

static int doc_ref_sum(struct rpt_ctx *c, long id, struct doc_ref_sum *s)
{
	struct store_filter f = {.batch_id = id};

	*s = (struct doc_ref_sum){NAN, NAN, NAN, NAN};
	return store_query_rows(c->s, STORE_Q_BATCHES, &f, doc_ref_sum_row, s,
	                        c->cause, sizeof c->cause) < 0 ? -1 : 0;
}

/* One row: what, this batch, the reference, the difference. */
static void doc_ref_row(FILE *out, const char *what, double mine, double ref,
                        int decimals)
{
	char b[3][32];
	const char *cells[4] = {what, b[0], b[1], b[2]};
	double v[3] = {mine, ref, mine - ref};

	for (int i = 0; i < 3; i++)
		if (isfinite(v[i]))
			snprintf(b[i], sizeof b[i], "%s%.*f",
			         i == 2 && v[i] > 0 ? "+" : "", decimals, v[i]);
		else
			snprintf(b[i], sizeof b[i], "-");
	doc_table_row(out, cells, 4);
}

int doc_ref_table(struct rpt_ctx *c, long id, const struct doc_ref_facts *fi,
                  long ref, const struct doc_ref_facts *fr, const char *note)
{
	struct doc_ref_sum si, sr;
	char h1[32], h2[32];
	const char *heads[4] = {_("measure"), h1, h2, _("difference")};

	if (doc_ref_sum(c, id, &si) < 0 || doc_ref_sum(c, ref, &sr) < 0)
		return -1;
	snprintf(h1, sizeof h1, _("batch %ld"), id);
	snprintf(h2, sizeof h2, _("reference %ld"), ref);
	doc_section_begin(c->out, "reference", _("Against the reference batch"),
	                  DOC_KEEP);
	if (note)
		doc_p(c->out, note);
	doc_table_begin(c->out, heads, 4, 0xe);
	doc_ref_row(c->out, _("time to first distillate [min]"),
	            fi->first_oil_s / 60, fr->first_oil_s / 60, 1);
	doc_ref_row(c->out, _("distil time [min]"), fi->distil_s / 60,
	            fr->distil_s / 60, 1);
	doc_ref_row(c->out, _("oil [kg]"), si.oil_kg, sr.oil_kg, 3);
	doc_ref_row(c->out, _("yield [%]"), si.yield_pct, sr.yield_pct, 3);
	doc_ref_row(c->out, _("steam per kg of oil [kg]"), si.steam_kg / si.oil_kg,
	            sr.steam_kg / sr.oil_kg, 1);
	doc_ref_row(c->out, _("alarms"), si.alarms, sr.alarms, 0);
	doc_table_end(c->out);
	doc_section_end(c->out);
	return 0;
}
