/* pop: a population of batches on the closed-loop rig. See pop.h. */
#include "pop.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POP_FC_MAX 4096           /* forecasts kept: 68 h at one a minute */
#define POP_END_MARGIN 1.5        /* a batch gets its recipe's time this
                                     many times over, and an hour, to end */

/* What a batch's ticks are watched for (the rig's on_tick context). */
struct pop_watch {
	const struct econ_cfg *econ;
	struct pop_result *res;
	int distil;                   /* the distil step's index */
	int in_distil;                /* the last tick was in it */
	double receiver0_g;           /* the model's receiver at its start */
	int forecast;                 /* keep the core's forecast */
	double fc_kg[POP_FC_MAX];     /* final_kg each POP_FC_EVERY_S; NaN */
	int n_fc;
};

static uint64_t pop_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void pop_rng_seed(struct pop_rng *r, uint64_t stream, uint64_t index)
{
	r->s = pop_mix(pop_mix(POP_SEED ^ stream) + index);
}

uint64_t pop_rng_next(struct pop_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return pop_mix(r->s);
}

double pop_rng_uniform(struct pop_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(pop_rng_next(r) >> 11) / 9007199254740992.0);
}

/* FNV-1a of a name: a feedstock's stream. */
static uint64_t pop_name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* x varied by +- spread of itself. */
static double pop_vary(struct pop_rng *r, double x, double spread)
{
	return x * pop_rng_uniform(r, 1 - spread, 1 + spread);
}

void pop_draw(struct pop_batch *b, const struct model_feed *base, int index)
{
	struct pop_rng r;
	struct model_feed *f = &b->feed;

	pop_rng_seed(&r, pop_name_hash(base->name), (uint64_t)index);
	*f = *base;
	f->yield_frac = pop_vary(&r, base->yield_frac, POP_OIL_SPREAD);
	f->kw_per_min = pop_vary(&r, base->kw_per_min, POP_RATE_SPREAD);
	f->kd_per_min = pop_vary(&r, base->kd_per_min, POP_RATE_SPREAD);
	f->wash_frac = pop_vary(&r, base->wash_frac, POP_WASH_SPREAD);
	f->moisture_pct = pop_vary(&r, base->moisture_pct, POP_MOISTURE_SPREAD);
	b->charge_kg = pop_rng_uniform(&r, POP_CHARGE_MIN_KG, POP_CHARGE_MAX_KG);
}

static int pop_distil_step(const struct rcp_recipe *r)
{
	for (int i = 0; i < r->n_steps; i++)
		if (r->steps[i].kind == RCP_DISTIL)
			return i;
	return -1;
}

int pop_fixed_time(struct rcp_recipe *dst, const struct rcp_recipe *src,
                   double distil_s)
{
	int i = pop_distil_step(src);
	struct rcp_step *st;

	if (i < 0)
		return -1;
	*dst = *src;
	dst->text = NULL;
	st = &dst->steps[i];
	st->end = RCP_END_DURATION;
	st->duration_s = distil_s;
	if (st->max_s < distil_s)
		st->max_s = distil_s;
	return 0;
}

/* The core's forecast (status fc), kept each POP_FC_EVERY_S of the
 * step's running time. */
static void pop_watch_forecast(struct rig *g, struct pop_watch *w)
{
	static struct core_status st;

	if (g->core.step_elapsed_s < w->n_fc * POP_FC_EVERY_S ||
	    w->n_fc >= POP_FC_MAX)
		return;
	core_status_fill(&g->core, g->now_s, &st);
	w->fc_kg[w->n_fc++] = st.fc.valid ? st.fc.final_kg : NAN;
}

/* The rig's tick hook: resources while the batch runs (held or lost time
 * left out, as the loop accounts them), the distil step's time and steam,
 * the forecast. */
static void pop_tick(struct rig *g, void *ctx)
{
	struct pop_watch *w = ctx;
	enum core_state s = g->core.state;
	int distil = s == CORE_RUNNING && g->core.step == w->distil;

	if (!core_batch_active(&g->core) || s == CORE_HELD || s == CORE_LOST)
		return;
	econ_use_add(&w->res->use, w->econ, RIG_DT_S, g->model.steam_flow_kg_h,
	             g->model.cooling_flow_l_min);
	if (distil && !w->in_distil)
		w->receiver0_g = g->model.oil_receiver_g;
	w->in_distil = distil;
	if (!distil)
		return;
	w->res->distil_s += RIG_DT_S;
	w->res->distil_steam_kg += g->model.steam_flow_kg_h * RIG_DT_S / 3600;
	if (w->forecast)
		pop_watch_forecast(g, w);
}

/* Steps the started batch until it ends; a held batch is stopped, as an
 * operator would when a step ran past its maximum. Returns 0 when it
 * ended within limit_s, else -1. */
static int pop_run_to_end(struct rig *g, struct pop_result *res, double limit_s)
{
	double t0 = g->now_s;
	enum core_state s;

	while (g->now_s - t0 < limit_s) {
		s = g->core.state;
		if (s == CORE_COMPLETE || s == CORE_STOPPED || s == CORE_ABORTED)
			break;
		if (s == CORE_HELD) {
			res->held = 1;
			if (rig_command(g, CORE_CMD_STOP, NULL, "") < 0)
				return -1;
		}
		if (rig_step(g) < 0)
			return -1;
	}
	res->completed = g->core.state == CORE_COMPLETE;
	res->batch_s = g->now_s - t0;
	return res->completed || g->core.state == CORE_STOPPED ? 0 : -1;
}

/* Money and the forecast's truth once the batch has ended. */
static void pop_settle(const struct rig *g, const struct pop_watch *w,
                       const struct econ_cfg *econ, const char *feedstock)
{
	const struct model_still *m = &g->model;
	struct pop_result *res = w->res;
	double price = econ_oil_price_vnd_per_kg(econ, feedstock);

	res->oil_kg = m->oil_receiver_g / 1000;
	res->cost_vnd = econ_use_cost_vnd(econ, &res->use);
	res->value_vnd = res->oil_kg * price;
	res->net_vnd = res->value_vnd - res->cost_vnd;
	res->truth_kg = (m->oil_receiver_g - w->receiver0_g + m->oil_congealed_g +
	                 (m->wash_left + m->diff_left) * m->oil_total_g) / 1000;
	for (int k = 0; k < POP_FC_POINTS; k++) {
		int i = (int)((k + 1) * 0.25 * res->distil_s / POP_FC_EVERY_S);

		res->fc_final_kg[k] = i < w->n_fc ? w->fc_kg[i] : NAN;
	}
}

int pop_run(struct rig *g, const struct cfg_plant *plant,
            const struct rcp_recipe *r, const struct pop_batch *b,
            int forecast, struct pop_result *res)
{
	static struct pop_watch w;
	struct rcp_recipe wide = *r;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&w, 0, sizeof w);
	w.econ = &plant->econ;
	w.res = res;
	w.distil = pop_distil_step(r);
	w.forecast = forecast;
	wide.text = NULL;
	if (wide.charge_min_kg > b->charge_kg)
		wide.charge_min_kg = b->charge_kg;
	if (wide.charge_max_kg < b->charge_kg)
		wide.charge_max_kg = b->charge_kg;
	rig_init(g, plant, NULL);
	snprintf(g->operator_name, sizeof g->operator_name, "pop");
	g->on_tick = pop_tick;
	g->ctx = &w;
	if (rig_start(g, &wide, &b->feed, b->charge_kg) < 0)
		return -1;
	rc = pop_run_to_end(g, res, rig_batch_max_s(r) * POP_END_MARGIN + 3600);
	pop_settle(g, &w, &plant->econ, r->feedstock);
	g->on_tick = NULL;
	g->ctx = NULL;
	return rc;
}

static int pop_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

double pop_quantile(double *v, int n, double q)
{
	int i;

	if (n < 1)
		return NAN;
	qsort(v, (size_t)n, sizeof v[0], pop_cmp);
	i = (int)ceil(q * n) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

double pop_fc_err_pct(double fc_kg, double truth_kg)
{
	if (!isfinite(fc_kg) || !(truth_kg > 0))
		return 100;
	return fabs(fc_kg - truth_kg) / truth_kg * 100;
}
