/* rpt_econ: resources and cost in the text reports. See rpt_econ.h. */
#include "rpt_econ.h"

#include <math.h>
#include <string.h>

#include "econ.h"
#include "i18n.h"

#define RPT_ECON_KEY 11       /* the key column of a record line */
#define RPT_ECON_AMOUNT 48    /* a formatted amount */

/* The number in the cell called name; NaN when NULL or absent. */
static double rpt_econ_num(const struct store_cell *c, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].is_num ? c[i].num : NAN;
	return NAN;
}

void rpt_econ_cell(FILE *out, const char *text, int width, int right)
{
	int chars = 0;

	for (const char *p = text; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	if (right)
		fprintf(out, "%*s%s", chars < width ? width - chars : 0, "", text);
	else
		fprintf(out, "%s%*s", text, chars < width ? width - chars : 0, "");
}

/* VND as people read it in the language of the messages. */
static char *rpt_econ_vnd(char *buf, double vnd)
{
	return econ_format_vnd(buf, RPT_ECON_AMOUNT, vnd, i18n_lang());
}

/* "820.0 kg steam (273.3 kg fuel), 36.00 m3 cooling water," then the
 * next line "9.00 kWh, 3.00 h labour". */
static void rpt_econ_resources(FILE *out, const struct store_cell *c, int n)
{
	double fuel_kg = rpt_econ_num(c, n, "fuel_kg");
	double kwh = rpt_econ_num(c, n, "electricity_kwh");

	rpt_econ_cell(out, _("Resources"), RPT_ECON_KEY, 0);
	fprintf(out, _("%.1f kg steam"), rpt_econ_num(c, n, "steam_kg"));
	if (!isnan(fuel_kg))
		fprintf(out, _(" (%.1f kg fuel)"), fuel_kg);
	if (isnan(rpt_econ_num(c, n, "cooling_m3"))) {
		fputc('\n', out);
		return;
	}
	fprintf(out, _(", %.2f m3 cooling water,\n"), rpt_econ_num(c, n, "cooling_m3"));
	rpt_econ_cell(out, "", RPT_ECON_KEY, 0);
	if (!isnan(kwh))
		fprintf(out, _("%.2f kWh, "), kwh);
	fprintf(out, _("%.2f h labour\n"), rpt_econ_num(c, n, "labour_h"));
}

void rpt_econ_batch(FILE *out, const struct store_cell *c, int n)
{
	double cost_vnd = rpt_econ_num(c, n, "cost_vnd");
	double per_kg = rpt_econ_num(c, n, "cost_vnd_per_kg_oil");
	char a[RPT_ECON_AMOUNT], b[RPT_ECON_AMOUNT];

	if (isnan(rpt_econ_num(c, n, "steam_kg")))
		return;                 /* not ended: no figures yet */
	rpt_econ_resources(out, c, n);
	rpt_econ_cell(out, _("Cost"), RPT_ECON_KEY, 0);
	if (isnan(cost_vnd))
		fprintf(out, "%s\n", _("not computed (no economics in the plant "
		        "configuration when the batch ended)"));
	else if (isnan(per_kg))
		fprintf(out, _("%s; no oil to cost per kg\n"), rpt_econ_vnd(a, cost_vnd));
	else
		fprintf(out, _("%s; %s per kg of oil\n"), rpt_econ_vnd(a, cost_vnd),
		        rpt_econ_vnd(b, per_kg));
}

/* The table's columns: heads and widths (the first is the grouping). */
static const struct {
	const char *head;
	int width;
} rpt_econ_cols[] = {
	{NULL, 18}, {N_("batches"), 7}, {N_("oil kg"), 9}, {N_("steam kg"), 10},
	{N_("cost VND"), 15}, {N_("VND/kg oil"), 12},
};
#define RPT_ECON_NCOLS (int)(sizeof rpt_econ_cols / sizeof rpt_econ_cols[0])

static void rpt_econ_head(struct rpt_econ_yields *t)
{
	fprintf(t->out, "\n%s\n", _("Resources and cost"));
	for (int i = 0; i < RPT_ECON_NCOLS; i++) {
		fputs(i ? " " : "  ", t->out);
		rpt_econ_cell(t->out, i ? _(rpt_econ_cols[i].head) : t->by,
		              rpt_econ_cols[i].width, i > 0);
	}
	fprintf(t->out, "\n  %.76s\n", "------------------------------------------"
	        "------------------------------------------");
}

int rpt_econ_yields_row(void *ctx, const struct store_cell *c, int n)
{
	struct rpt_econ_yields *t = ctx;
	char v[RPT_ECON_NCOLS][RPT_ECON_AMOUNT];
	const char *group = NULL;

	if (t->rows++ == 0)
		rpt_econ_head(t);
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, t->by) == 0)
			group = c[i].text;
	snprintf(v[0], sizeof v[0], "%s", group ? group : "-");
	snprintf(v[1], sizeof v[1], "%.0f", rpt_econ_num(c, n, "batches"));
	snprintf(v[2], sizeof v[2], "%.3f", rpt_econ_num(c, n, "oil_kg"));
	snprintf(v[3], sizeof v[3], "%.1f", rpt_econ_num(c, n, "steam_kg"));
	rpt_econ_vnd(v[4], rpt_econ_num(c, n, "cost_vnd"));
	rpt_econ_vnd(v[5], rpt_econ_num(c, n, "cost_vnd_per_kg_oil"));
	/* the unit is in the head */
	for (int i = 4; i < RPT_ECON_NCOLS; i++)
		if (strchr(v[i], ' '))
			*strchr(v[i], ' ') = '\0';
	for (int i = 0; i < RPT_ECON_NCOLS; i++) {
		fputs(i ? " " : "  ", t->out);
		rpt_econ_cell(t->out, v[i], rpt_econ_cols[i].width, i > 0);
	}
	fputc('\n', t->out);
	return 0;
}
