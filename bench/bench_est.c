/*
 * bench_est: the cost of the end-point estimator (controller/est.h) per
 * control tick, for `make bench`, against the control core's own cost per
 * tick measured in the same run.
 *
 * 1. An 8 h cassia-leaf distillation (the leaf's two-stage kinetics from
 *    simulator/feedstocks.yaml, 500 kg at 0.7 %, 20 min to the first
 *    distillate, a 1 g counter) fed to est_update and est_forecast at the
 *    plant tick (1 s) and at the model's 0.2 s: the mean per tick (the
 *    whole curve timed, median of REPS) and the worst single tick (each
 *    call's thread CPU time in one more run: a shared machine's
 *    preemptions are not the estimator's).
 * 2. A whole batch of RECIPE on the closed-loop rig (tests/rig/rig.h): at
 *    every tick the core is copied and core_step timed on the copy with
 *    the tick's inputs at the next tick's time (the copy outside the
 *    timing), so the core's mean per tick is measured on the batch's own
 *    states; and est fed from the distil step, as the core will feed it.
 *
 * usage: bench_est RECIPE FEEDSTOCKS REPS
 * Prints one JSON line. Exits 0, 1 when the batch does not complete, 2 on
 * bad usage or input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "clk.h"
#include "diag.h"
#include "est.h"
#include "feed.h"
#include "rcp.h"
#include "../tests/rig/rig.h"
#include "../tests/rig/rig_load.h"

#define CHARGE_KG 500.0
#define CURVE_S (8 * 3600.0)
#define DELAY_S 1200.0
#define REPS_MAX 20

/* The 1 g counter's reading of a leaf curve at distil time t_s. */
static double bench_oil_g(const struct model_feed *f, double t_s)
{
	double tau_min = (t_s - DELAY_S) / 60, q;

	if (tau_min <= 0)
		return 0;
	q = 1 - f->wash_frac * exp(-f->kw_per_min * tau_min)
	      - (1 - f->wash_frac) * exp(-f->kd_per_min * tau_min);
	return floor(CHARGE_KG * f->yield_frac * 1000 * q);
}

/* One tick as the core will run it: update, then read the forecast. */
static void bench_tick(struct est *e, double t_s, double oil_g)
{
	struct est_forecast fc;

	est_update(e, t_s, oil_g, 150);
	est_forecast(e, &fc);
}

/* This thread's CPU time, ns: a single call's cost without the time the
 * shared machine's scheduler gave to others meanwhile. */
static int64_t bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Feeds the whole curve at dt_s; returns the wall time, ns, and the
 * worst single tick (CPU time) in *worst_ns when it is not NULL. */
static int64_t bench_curve(struct est *e, const double *oil_g, long n,
                           double dt_s, int64_t *worst_ns)
{
	int64_t t0 = clk_mono_ns();

	est_init(e);
	for (long i = 0; i < n; i++) {
		int64_t a = worst_ns != NULL ? bench_cpu_ns() : 0, b;

		bench_tick(e, i * dt_s, oil_g[i]);
		b = worst_ns != NULL ? bench_cpu_ns() : 0;
		if (b - a > (worst_ns != NULL ? *worst_ns : 0))
			*worst_ns = b - a;
	}
	return clk_mono_ns() - t0;
}

static int bench_cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* The curve at dt_s: mean us per tick (median of reps) and worst us. */
static void bench_est_at(const struct model_feed *f, double dt_s, int reps,
                         double *mean_us, double *worst_us)
{
	long n = lround(CURVE_S / dt_s);
	double *oil = malloc(sizeof *oil * (size_t)n);
	struct est *e = malloc(sizeof *e);
	int64_t wall[REPS_MAX], worst = 0;

	if (oil == NULL || e == NULL) {
		fprintf(stderr, "bench_est: out of memory\n");
		exit(2);
	}
	for (long i = 0; i < n; i++)
		oil[i] = bench_oil_g(f, i * dt_s);
	for (int r = 0; r < reps; r++)
		wall[r] = bench_curve(e, oil, n, dt_s, NULL);
	qsort(wall, (size_t)reps, sizeof wall[0], bench_cmp_i64);
	bench_curve(e, oil, n, dt_s, &worst);
	*mean_us = wall[reps / 2] / 1e3 / n;
	*worst_us = worst / 1e3;
	free(oil);
	free(e);
}

/* What the rig's tick hook measures. */
struct bench_rig {
	struct core_still scratch;
	int64_t core_ns, est_ns;
	long core_ticks, est_ticks;
	int distil_step;                 /* the step est follows, -1 none */
	double oil0_g;                   /* oil at its start */
	struct est e;
	struct est_forecast fc;          /* the last forecast */
};

static void bench_rig_tick(struct rig *g, void *ctx)
{
	struct bench_rig *b = ctx;
	struct core_outputs out;
	struct core_inputs in = g->core.last_in;
	const struct core_still *c = &g->core;
	int64_t t0;

	b->scratch = g->core;
	t0 = clk_mono_ns();
	core_step(&b->scratch, &in, g->now_s + RIG_DT_S, &out);
	b->core_ns += clk_mono_ns() - t0;
	b->core_ticks++;
	if (c->state != CORE_RUNNING || c->step >= c->recipe.n_steps ||
	    c->recipe.steps[c->step].kind != RCP_DISTIL)
		return;
	if (b->distil_step != c->step) {
		b->distil_step = c->step;
		b->oil0_g = core_oil_g(c);
		est_init(&b->e);
	}
	t0 = clk_mono_ns();
	est_update(&b->e, c->step_elapsed_s, core_oil_g(c) - b->oil0_g,
	           c->last_in.value[CFG_TAG_STEAM_FLOW]);
	est_forecast(&b->e, &b->fc);
	b->est_ns += clk_mono_ns() - t0;
	b->est_ticks++;
}

int main(int argc, char **argv)
{
	static struct rig_load in;
	static struct bench_rig b;
	const struct model_feed *leaf;
	struct rig *g = malloc(sizeof *g);
	double mean1, worst1, mean02, worst02, core_us;
	int reps, rc;

	if (g == NULL)
		return 2;
	rc = rig_load_args(&in, argc, argv, REPS_MAX);
	if (rc != 0)
		return rc;
	reps = in.reps;
	leaf = feed_find(in.feeds, in.n_feeds, "cassia-leaf");
	if (leaf == NULL) {
		fprintf(stderr, "bench_est: %s: no cassia-leaf feedstock\n", argv[2]);
		return 2;
	}
	bench_est_at(leaf, 1.0, reps, &mean1, &worst1);
	bench_est_at(leaf, 0.2, reps, &mean02, &worst02);

	rig_init(g, &in.plant, NULL);
	snprintf(g->operator_name, sizeof g->operator_name, "bench");
	b.distil_step = -1;
	g->on_tick = bench_rig_tick;
	g->ctx = &b;
	if (rig_start(g, &in.recipe, in.feed, CHARGE_KG) < 0 || rig_run_to_end(g) < 0) {
		fprintf(stderr, "bench_est: the batch did not complete (%s)%s%s\n",
		        core_state_name(g->core.state), g->cause[0] ? ": " : "",
		        g->cause);
		return 1;
	}
	core_us = b.core_ns / 1e3 / b.core_ticks;
	printf("{\"est_us_per_tick_1s\": %.3f, \"est_worst_us_1s\": %.1f, "
	       "\"est_us_per_tick_02s\": %.3f, \"est_worst_us_02s\": %.1f, "
	       "\"core_step_us_per_tick\": %.3f, \"core_ticks\": %ld, "
	       "\"rig_est_us_per_tick\": %.3f, \"rig_est_ticks\": %ld, "
	       "\"rig_final_kg\": %.3f, \"rig_oil_kg\": %.3f, \"recipe\": \"%s\", "
	       "\"reps\": %d}\n",
	       mean1, worst1, mean02, worst02, core_us, b.core_ticks,
	       b.est_ns / 1e3 / fmax(b.est_ticks, 1), b.est_ticks,
	       b.fc.final_kg, b.fc.oil_kg, in.recipe.name, reps);
	rcp_free(&in.recipe);
	free(g);
	return 0;
}
