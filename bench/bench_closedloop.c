/*
 * bench_closedloop: a whole batch with the control core and the plant model
 * in lockstep on the rig tests/unit/test_closedloop.c uses too
 * (tests/rig/rig.h: no sockets, no clock, a 0.2 s tick), timed, for `make
 * bench`. The still idles 30 s (rig_start), the batch starts
 * with 500 kg of the recipe's feedstock (from the feedstocks file), and the
 * operator answers each prompt a minute after it comes. Runs REPS batches
 * and prints one JSON line: the wall time of each batch (median, min, max,
 * ms), the batch's process time and ticks, and its yield.
 *
 * usage: bench_closedloop RECIPE FEEDSTOCKS REPS
 * Exits 0, 1 when a batch does not complete, 2 on bad usage or input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cfg.h"
#include "clk.h"
#include "diag.h"
#include "feed.h"
#include "rcp.h"
#include "../tests/rig/rig.h"
#include "../tests/rig/rig_load.h"

#define CHARGE_KG 500.0
#define REPS_MAX 100

/* Runs one batch on a fresh rig; returns its process time, s, or -1 when
 * it did not complete within the recipe's time and an hour. */
static double bench_batch(struct rig *g, const struct cfg_plant *plant,
                          const struct rcp_recipe *r, const struct model_feed *feed)
{
	double t_start;

	rig_init(g, plant, NULL);
	snprintf(g->operator_name, sizeof g->operator_name, "bench");
	if (rig_start(g, r, feed, CHARGE_KG) < 0) {
		fprintf(stderr, "bench_closedloop: start refused: %s\n", g->cause);
		return -1;
	}
	t_start = g->now_s;
	if (rig_run_to_end(g) < 0) {
		fprintf(stderr, "bench_closedloop: batch ended %s, not complete%s%s\n",
		        core_state_name(g->core.state), g->cause[0] ? ": " : "",
		        g->cause);
		return -1;
	}
	return g->now_s - t_start;
}

static int bench_cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	static struct rig_load in;
	struct rig *g = malloc(sizeof *g);
	double wall_ms[REPS_MAX], batch_s = 0;
	int reps, rc;

	if (g == NULL)
		return 2;
	rc = rig_load_args(&in, argc, argv, REPS_MAX);
	if (rc != 0)
		return rc;
	reps = in.reps;
	for (int k = 0; k < reps; k++) {
		int64_t t0 = clk_mono_ns();

		batch_s = bench_batch(g, &in.plant, &in.recipe, in.feed);
		if (batch_s < 0)
			return 1;
		wall_ms[k] = (clk_mono_ns() - t0) / 1e6;
	}
	printf("{\"recipe\": \"%s\", \"reps\": %d, \"batch_process_h\": %.3f, "
	       "\"ticks\": %ld, \"yield_pct\": %.3f, ", in.recipe.name, reps, batch_s / 3600,
	       g->ticks, rig_yield_pct(g));
	qsort(wall_ms, (size_t)reps, sizeof wall_ms[0], bench_cmp_dbl);
	printf("\"wall_ms_median\": %.3f, \"wall_ms_min\": %.3f, \"wall_ms_max\": %.3f}\n",
	       reps % 2 ? wall_ms[reps / 2] : (wall_ms[reps / 2 - 1] + wall_ms[reps / 2]) / 2,
	       wall_ms[0], wall_ms[reps - 1]);
	rcp_free(&in.recipe);
	free(g);
	return 0;
}
