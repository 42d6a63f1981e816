/*
 * pop: a population of batches on the closed-loop rig (rig.h), for the
 * end-point benchmark (bench/bench_endpoint.c) and its smoke test
 * (tests/unit/test_pop.c). Each batch draws hidden variation the
 * controller does not know (oil content, rate constants, washing share,
 * moisture, charge) from a fixed-seed generator of its own, so batch i of
 * a feedstock is the same batch whichever process runs it. A batch runs
 * one recipe on a fresh rig; pop counts the resources it used (econ.h),
 * its distil step, its oil and its net value, and may keep the core's
 * forecast (est.h, fed by the core in every distil step) of the final oil
 * to compare with the truth.
 * Table of contents:
 *   the generator      pop_rng_seed, pop_rng_next, pop_rng_uniform
 *   a batch            struct pop_batch, pop_draw
 *   the recipes        pop_fixed_time
 *   running one        struct pop_result, pop_run
 *   figures            pop_quantile, pop_fc_err_pct
 */
#ifndef POP_H
#define POP_H

#include <stdint.h>

#include "econ.h"
#include "model.h"
#include "rcp.h"
#include "rig.h"

#define POP_SEED 13u              /* the population's seed (issue 13) */
#define POP_CHARGE_MIN_KG 60.0    /* charges drawn in this range, kg */
#define POP_CHARGE_MAX_KG 600.0
#define POP_OIL_SPREAD 0.30       /* oil content: +- this share */
#define POP_RATE_SPREAD 0.40      /* each rate constant: +- this share */
#define POP_WASH_SPREAD 0.50      /* washing share: +- this share of it */
#define POP_MOISTURE_SPREAD 0.30  /* moisture: +- this share of it */
#define POP_FC_EVERY_S 60.0       /* forecast kept every this of distil */
#define POP_FC_POINTS 3           /* at 25, 50 and 75 % of the distil time */

struct pop_rng {
	uint64_t s;                   /* splitmix64 state */
};

/* Seeds r for stream (a feedstock, say) and index (a batch): the same
 * pair always gives the same sequence. */
void pop_rng_seed(struct pop_rng *r, uint64_t stream, uint64_t index);

/* The next 64 random bits. */
uint64_t pop_rng_next(struct pop_rng *r);

/* A number drawn evenly from [lo, hi). */
double pop_rng_uniform(struct pop_rng *r, double lo, double hi);

/* One batch as loaded: the feed with its hidden variation, the charge. */
struct pop_batch {
	struct model_feed feed;       /* the base feed, varied */
	double charge_kg;             /* POP_CHARGE_MIN_KG..POP_CHARGE_MAX_KG */
};

/* Draws batch index of the population of base into *b (deterministic:
 * seeded by POP_SEED, base's name and index). */
void pop_draw(struct pop_batch *b, const struct model_feed *base, int index);

/*
 * Copies src into *dst with its first distil step ending after distil_s of
 * distilling (fixed-time practice), its maximum raised to that when
 * shorter. dst->text is NULL (nothing to free). Returns 0, or -1 when src
 * has no distil step.
 */
int pop_fixed_time(struct rcp_recipe *dst, const struct rcp_recipe *src,
                   double distil_s);

/* What one batch did. Masses kg, times s, money VND (NaN without
 * economics). */
struct pop_result {
	int completed;                /* the batch ended complete */
	int held;                     /* it was held (a step's maximum, an
	                                 interlock) and the operator stopped it */
	double batch_s;               /* start to its end (complete or stopped) */
	double distil_s;              /* running in the distil step */
	double distil_steam_kg;       /* steam in the distil step */
	double oil_kg;                /* in the receiver at the end */
	struct econ_use use;          /* resources of the whole batch */
	double cost_vnd;              /* econ_use_cost_vnd of use */
	double value_vnd;             /* oil_kg at the feedstock's oil price */
	double net_vnd;               /* value_vnd - cost_vnd */
	/* with the forecast (pop_run's forecast 1): */
	double truth_kg;              /* oil the distil step would give in the
	                                 end: collected in it + left in the
	                                 charge + congealed in the condenser */
	double fc_final_kg[POP_FC_POINTS]; /* the core's fc.final_kg at 25/50/
	                                      75 % of distil_s; NaN not valid */
};

/*
 * Runs batch b with recipe r on the rig g (re-initialised with plant, the
 * recipe's charge limits widened to the batch's charge): starts it, steps
 * it to its end, stops it when it is held. With forecast 1 keeps the
 * core's forecast of the distil step's final oil (core_status_fill's fc)
 * each POP_FC_EVERY_S of the step's running time. Returns 0,
 * or -1 when the start was refused or the batch never ended (the reason
 * in g->cause or g->core.state).
 */
int pop_run(struct rig *g, const struct cfg_plant *plant,
            const struct rcp_recipe *r, const struct pop_batch *b,
            int forecast, struct pop_result *res);

/* The q-quantile (0..1, nearest rank) of v[0..n) after sorting v in
 * place; NaN when n is 0. */
double pop_quantile(double *v, int n, double q);

/* |forecast - truth| / truth in %, or 100 when the forecast was not
 * valid (an estimator with nothing to say is wrong by all of it). */
double pop_fc_err_pct(double fc_kg, double truth_kg);

#endif
