/* cfgchk: the "--check-config" command. See cfgchk.h. */
#include "cfgchk.h"

#include <math.h>
#include <stdlib.h>

#include "cfg.h"
#include "econ.h"
#include "rcp.h"
#include "settle.h"

#define CFGCHK_STEAM_KG_H 300     /* the reference hour (process.md) */
#define CFGCHK_COOLING_L_MIN 200

/* The historian's retention as one line. */
static void cfgchk_hist(const char *path, const struct hist_cfg *h, FILE *out)
{
	fprintf(out, "%s: historian: batch samples kept at full resolution while "
	        "the batch lives (forever); idle samples raw for %g d, then "
	        "min/mean/max per %d s%s\n", path, h->idle_raw_s / 86400,
	        h->idle_aggregate_s, h->set ? "" : " (defaults)");
}

/* The economics as three lines the plant engineer can check by eye. */
static void cfgchk_econ(const char *path, const struct econ_cfg *c, FILE *out)
{
	char a[48], b[48], e[48], w[48], steam[48];
	double steam_vnd_per_kg = c->steam_vnd_per_kg;

	if (!c->set) {
		fprintf(out, "%s: economics: none (no costs are computed; economic "
		        "ends cannot be used)\n", path);
		return;
	}
	fprintf(out, "%s: economics: oil", path);
	for (int i = 0; i < c->n_oil_prices; i++)
		fprintf(out, "%s %s %s/kg", i ? "," : "", c->oil_price[i].feedstock,
		        econ_format_vnd(a, sizeof a, c->oil_price[i].vnd_per_kg, "en"));
	fprintf(out, "\n");
	if (isnan(steam_vnd_per_kg))
		steam_vnd_per_kg = c->fuel_vnd_per_kg / c->steam_kg_per_fuel_kg;
	fprintf(out, "%s: economics: steam %s/kg", path,
	        econ_format_vnd(steam, sizeof steam, steam_vnd_per_kg, "en"));
	if (isnan(c->steam_vnd_per_kg))
		fprintf(out, " (fuel %s/kg, %g kg of steam per kg)",
		        econ_format_vnd(a, sizeof a, c->fuel_vnd_per_kg, "en"),
		        c->steam_kg_per_fuel_kg);
	fprintf(out, "; labour %s/h; power %g kW at %s/kWh; cooling water %s/m3\n",
	        econ_format_vnd(b, sizeof b, c->labour_vnd_per_h, "en"), c->power_kw,
	        econ_format_vnd(e, sizeof e, c->electricity_vnd_per_kwh, "en"),
	        econ_format_vnd(w, sizeof w, c->cooling_water_vnd_per_m3, "en"));
	fprintf(out, "%s: economics: an hour at %d kg/h of steam and %d L/min of "
	        "cooling water costs %s\n", path, CFGCHK_STEAM_KG_H,
	        CFGCHK_COOLING_L_MIN, econ_format_vnd(a, sizeof a,
	        econ_hour_cost_vnd(c, CFGCHK_STEAM_KG_H, CFGCHK_COOLING_L_MIN), "en"));
}

/* The settlement rule as the accountant reads it (docs/RECORDS.md,
 * "Member settlement"). */
static void cfgchk_settle_rule(const char *path, const struct settle_cfg *c,
                               FILE *out)
{
	char a[48];

	fprintf(out, "%s: settlement: raw material", path);
	for (int i = 0; i < c->n_raw_prices; i++)
		fprintf(out, "%s %s %s/kg", i ? "," : "", c->raw_price[i].feedstock,
		        econ_format_vnd(a, sizeof a, c->raw_price[i].vnd_per_kg, "en"));
	fprintf(out, "\n%s: settlement: oil share %g %% of the oil's value, plus "
	        "%g %% of that share for oil released in QA; due = raw + share + "
	        "bonus - advances - intake payments\n", path, c->oil_share_pct,
	        c->quality_bonus_pct);
}

/* The settlement rule and the privacy setting. */
static void cfgchk_settle(const char *path, const struct settle_cfg *c, FILE *out)
{
	if (!c->set)
		fprintf(out, "%s: settlement: none (`stillroom settle` refuses)\n", path);
	else
		cfgchk_settle_rule(path, c, out);
	fprintf(out, "%s: privacy: traces that leave the cooperative name %s\n",
	        path, c->households_in_trace ? "households" :
	        "communes, not households");
}

/* Notes a recipe whose feedstock the settlement rule cannot pay for. */
static void cfgchk_settle_note(const struct cfg_plant *p,
                               const struct rcp_recipe *r, FILE *out)
{
	if (p->settle.set &&
	    isnan(settle_raw_price_vnd_per_kg(&p->settle, r->feedstock)))
		fprintf(out, "%s: note: 'settlement' has no raw price for feedstock "
		        "'%s': `stillroom settle` refuses a period with its "
		        "deliveries\n", r->path, r->feedstock);
}

int cfgchk_main(const char *path, FILE *out, FILE *err)
{
	struct cfg_plant *p = malloc(sizeof *p);
	struct rcp_recipe *r = calloc(RCP_DIR_MAX, sizeof *r);
	struct diag d;
	int n, rc = 1;

	if (p == NULL || r == NULL) {
		fprintf(err, "%s: out of memory\n", path);
		goto out_free;
	}
	diag_init(&d);
	if (cfg_load(p, path, &d) < 0) {
		diag_print(&d, err);
		goto out_free;
	}
	fprintf(out, "%s: ok\n", path);
	cfgchk_econ(path, &p->econ, out);
	cfgchk_settle(path, &p->settle, out);
	cfgchk_hist(path, &p->hist, out);
	n = rcp_load_dir(p->recipes_dir, p, r, RCP_DIR_MAX, &d);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s: ok\n", r[i].path);
		if (p->econ.set && isnan(econ_oil_price_vnd_per_kg(&p->econ, r[i].feedstock)))
			fprintf(out, "%s: note: 'economics' has no oil price for "
			        "feedstock '%s': its batches are costed, but their oil "
			        "has no value\n", r[i].path, r[i].feedstock);
		cfgchk_settle_note(p, &r[i], out);
		rcp_free(&r[i]);
	}
	diag_print(&d, err);
	rc = n >= 0 && d.n == 0 && d.dropped == 0 ? 0 : 1;
out_free:
	free(r);
	free(p);
	return rc;
}
