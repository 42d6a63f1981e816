/* con_fc: the end-point forecast's texts (con_fc.h). */
#include "con_fc.h"

#include <math.h>
#include <stdio.h>

#include "con_fmt.h"
#include "econ.h"
#include "i18n.h"

/* "52m", or "reached" once 95 % is in. */
static char *con_fc_t95(char *out, size_t len, double left_min)
{
	if (left_min == 0) {
		snprintf(out, len, "%s", _("reached"));
		return out;
	}
	return con_fmt_duration(out, len, left_min);
}

char *con_fc_summary(char *out, size_t len, const struct con_still *s)
{
	char fin[24], lo[24], hi[24], t95[24], y[24];

	*out = '\0';
	if (!s->fc_valid)
		return out;
	snprintf(out, len,
	         _("Forecast (%s): %s kg at the end (%s-%s), 95 %% in %s, yield %s %%"),
	         s->fc_model, con_fmt_num(fin, sizeof fin, s->fc_final_kg, 2),
	         con_fmt_num(lo, sizeof lo, s->fc_final_lo_kg, 2),
	         con_fmt_num(hi, sizeof hi, s->fc_final_hi_kg, 2),
	         con_fc_t95(t95, sizeof t95, s->fc_t95_left_min),
	         con_fmt_num(y, sizeof y, s->fc_yield_pct, 2));
	return out;
}

char *con_fc_next_hour(char *out, size_t len, const struct con_still *s,
                       const char *lang)
{
	char kg[24], worth[48], cost[48];

	*out = '\0';
	if (!s->fc_valid)
		return out;
	con_fmt_num(kg, sizeof kg, s->fc_next_hour_kg, 2);
	if (con_fc_pays(s) < 0) {
		snprintf(out, len, _("Next hour: +%s kg oil (no prices in the plant config)"),
		         kg);
		return out;
	}
	snprintf(out, len, _("Next hour: +%s kg oil worth %s, costs %s"), kg,
	         econ_format_vnd(worth, sizeof worth, s->fc_next_hour_vnd, lang),
	         econ_format_vnd(cost, sizeof cost, s->fc_hour_cost_vnd, lang));
	return out;
}

int con_fc_pays(const struct con_still *s)
{
	if (!s->fc_valid || !isfinite(s->fc_next_hour_vnd) ||
	    !isfinite(s->fc_hour_cost_vnd))
		return -1;
	return s->fc_next_hour_vnd >= s->fc_hour_cost_vnd;
}

char *con_fc_trend_note(char *out, size_t len, const struct con_still *s)
{
	char fin[24], t95[24];

	*out = '\0';
	if (!s->fc_valid)
		return out;
	snprintf(out, len, _("end %s, 95 %% in %s"),
	         con_fmt_num(fin, sizeof fin, s->fc_final_kg, 2),
	         con_fc_t95(t95, sizeof t95, s->fc_t95_left_min));
	return out;
}
