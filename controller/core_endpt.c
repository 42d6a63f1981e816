/*
 * core_endpt: the end point of a distil step, in the pure core. Each
 * running tick of a distil step feeds the estimator (est.h) the step's
 * running time (held time excluded, so a hold pauses the curve), the oil
 * collected in the step and the steam flow; the forecast's oil of the next
 * hour, at the feedstock's price, is weighed against what that hour costs
 * at the present steam and cooling flows (econ.h). An economic step
 * (RCP_END_ECONOMIC) ends when the value has stayed under the cost for its
 * `for`, never before its `not_before`, and at its max at the latest; the
 * decision is an event with the figures behind it. docs/CONTROL.md,
 * "Economic end", has the rule.
 */
#include <math.h>
#include <stdio.h>

#include "core_int.h"
#include "econ.h"

void core_endpt_enter(struct core_still *c, const struct rcp_step *st)
{
	const struct econ_cfg *e = &c->plant->econ;

	c->est_on = st->kind == RCP_DISTIL;
	c->est_oil0_g = NAN;
	c->econ_below_since_s = -1;
	c->next_hour_value_vnd = NAN;
	c->hour_cost_vnd = NAN;
	c->oil_price_vnd_per_kg = e->set ? econ_oil_price_vnd_per_kg(e, c->recipe.feedstock)
	                                 : NAN;
	if (c->est_on)
		est_init(&c->est);
}

/* Tag t's last reading when good, else NaN. */
static double core_endpt_input(const struct core_still *c, enum cfg_tag t)
{
	return core_good(c, t) ? c->last_in.value[t] : NAN;
}

void core_endpt_tick(struct core_still *c)
{
	double oil = core_endpt_input(c, CFG_TAG_OIL);
	double steam = core_endpt_input(c, CFG_TAG_STEAM_FLOW);
	double cooling = core_endpt_input(c, CFG_TAG_COOLING_FLOW);
	struct est_forecast fc;

	if (!c->est_on || c->state != CORE_RUNNING || core_cur_step(c) == NULL)
		return;
	if (isfinite(oil) && !isfinite(c->est_oil0_g))
		c->est_oil0_g = oil;
	est_update(&c->est, c->step_elapsed_s, oil - c->est_oil0_g, steam);
	est_forecast(&c->est, &fc);
	c->hour_cost_vnd = c->plant->econ.set && isfinite(steam)
	                   ? econ_hour_cost_vnd(&c->plant->econ, steam, cooling) : NAN;
	c->next_hour_value_vnd = fc.valid ? fc.next_hour_kg * c->oil_price_vnd_per_kg
	                                  : NAN;
	/* NaN on either side is "not below": no forecast ends nothing */
	if (!(c->next_hour_value_vnd < c->hour_cost_vnd))
		c->econ_below_since_s = -1;
	else if (c->econ_below_since_s < 0)
		c->econ_below_since_s = c->step_elapsed_s;
}

/* A time as people read it: minutes below 2 h, else hours. */
static void core_endpt_time(double s, char *buf, size_t len)
{
	if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else
		snprintf(buf, len, "%.1f h", s / 3600);
}

/* The decision's text: why, then the money and the forecast behind it. */
static void core_endpt_text(const struct core_still *c, const char *why,
                            char *buf, size_t len)
{
	struct est_forecast fc;
	char v[40], k[40], t95[24];

	est_forecast(&c->est, &fc);
	econ_format_vnd(v, sizeof v, c->next_hour_value_vnd, "en");
	econ_format_vnd(k, sizeof k, c->hour_cost_vnd, "en");
	if (!fc.valid) {
		snprintf(buf, len, "%s; no forecast (too little of the oil curve to "
		         "fit); the hour costs %s", why, k);
		return;
	}
	core_endpt_time(fc.t95_s, t95, sizeof t95);
	snprintf(buf, len, "%s: next hour %.3f kg worth %s, costs %s; %s fit "
	         "%.2f kg (%.2f-%.2f) at the end, 95 %% at %s, %.3f kg/h now", why,
	         fc.next_hour_kg, v, k, est_model_name(fc.model), fc.final_kg,
	         fc.final_lo_kg, fc.final_hi_kg, t95, fc.rate_kg_per_h);
}

int core_endpt_done(struct core_still *c, const struct rcp_step *st,
                    double now_s)
{
	const char *how;
	char why[64], t[24], text[sizeof c->events[0].text];

	core_endpt_time(c->step_elapsed_s, t, sizeof t);
	if (st->max_s > 0 && c->step_elapsed_s >= st->max_s) {
		how = "maximum end";
		snprintf(why, sizeof why, "ended by the recipe maximum at %s", t);
	} else if (c->econ_below_since_s >= 0 &&
	           c->step_elapsed_s >= st->econ_not_before_s &&
	           c->step_elapsed_s - c->econ_below_since_s >= st->econ_for_s) {
		how = "economic end";
		snprintf(why, sizeof why, "economic end after %s", t);
	} else {
		return 0;
	}
	core_endpt_text(c, why, text, sizeof text);
	core_event_add(c, CORE_EV_DECISION, now_s, "end point", st->name, how,
	               "controller", "recipe", text);
	return 1;
}

/* The fit's oil in the hour that starts tau_s into its curve, up to the
 * curve's amplitude (first order: wash_frac and kw 0). */
static double core_endpt_hour_shape(const struct est_forecast *f, double tau_s)
{
	return f->wash_frac * exp(-f->kw_per_s * tau_s) * -expm1(-3600 * f->kw_per_s) +
	       (1 - f->wash_frac) * exp(-f->k_per_s * tau_s) *
	       -expm1(-3600 * f->k_per_s);
}

/* Running time from now until the fit's next-hour oil falls to the share
 * of today's that makes its value the hour's cost; INFINITY when not
 * within limit_s. Bisection: the next hour's oil only falls. */
static double core_endpt_break_even_s(const struct est_forecast *f, double share,
                                      double limit_s)
{
	double tau = f->t_s - f->t0_s, want = share * core_endpt_hour_shape(f, tau);
	double lo = 0, hi = limit_s;

	if (!(core_endpt_hour_shape(f, tau + hi) < want))
		return INFINITY;
	for (int i = 0; i < 40; i++) {
		double mid = (lo + hi) / 2;

		if (core_endpt_hour_shape(f, tau + mid) < want)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

double core_endpt_left_s(const struct core_still *c, const struct rcp_step *st)
{
	double wait = fmax(0, st->econ_not_before_s - c->step_elapsed_s);
	double value = c->next_hour_value_vnd, cost = c->hour_cost_vnd;
	struct est_forecast fc;

	if (!c->est_on)
		return INFINITY;
	if (c->econ_below_since_s >= 0)
		return fmax(wait, st->econ_for_s -
		                  (c->step_elapsed_s - c->econ_below_since_s));
	est_forecast(&c->est, &fc);
	if (!fc.valid || !(value > cost) || !(cost > 0))
		return INFINITY;
	return fmax(wait, core_endpt_break_even_s(&fc, cost / value, st->max_s) +
	                  st->econ_for_s);
}
