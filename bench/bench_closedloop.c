/*
 * bench_closedloop: a whole batch with the control core and the plant model
 * in lockstep, no sockets and no clock (as tests/unit/test_closedloop.c
 * runs them), timed, for `make bench`. Each 0.2 s tick: the model's
 * readings rounded to their registers' resolution -> core_step -> outputs
 * -> model_write -> model_step. The still idles 30 s, the batch starts
 * with 500 kg of the recipe's feedstock (from the feedstocks file), and the
 * operator answers each prompt a minute after it comes. Runs REPS batches
 * and prints one JSON line: the wall time of each batch (median, min, max,
 * ms), the batch's process time and ticks, and its yield.
 *
 * usage: bench_closedloop RECIPE FEEDSTOCKS REPS
 * Exits 0, 1 when a batch does not complete, 2 on bad usage or input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "clk.h"
#include "core.h"
#include "diag.h"
#include "feed.h"
#include "model.h"
#include "rcp.h"

#define DT_S 0.2            /* the plant's tick */
#define IDLE_S 30.0         /* before the start */
#define ANSWER_AFTER_S 60.0 /* the operator's delay */
#define CHARGE_KG 500.0
#define REPS_MAX 100

/* One batch's rig. */
struct bench_rig {
	const struct cfg_plant *plant;
	struct model_params mp;
	struct model_still m;
	struct core_still c;
	struct core_outputs out;
	double now_s;
	long ticks;
	double prompt_at_s;         /* < 0: no question waiting */
};

/* What the Modbus layer would give the core: each reading rounded to its
 * register's resolution, all good. */
static void bench_inputs(const struct bench_rig *g, struct core_inputs *in)
{
	struct model_io io;

	model_read(&g->m, &io);
	memset(in, 0, sizeof *in);
	in->comm_ok = 1;
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		double scale = g->plant->map[t].scale;

		in->value[t] = scale > 0 && isfinite(io.value[t])
		               ? round(io.value[t] / scale) * scale : io.value[t];
		in->quality[t] = CORE_Q_GOOD;
	}
	in->value[CFG_TAG_STATUS] = io.status;
}

/* A command at the rig's time; -1 when the core refused it. */
static int bench_cmd(struct bench_rig *g, enum core_cmd_kind kind,
                     const struct rcp_recipe *r, const char *text)
{
	struct core_cmd cmd;
	char cause[256];

	memset(&cmd, 0, sizeof cmd);
	cmd.kind = kind;
	snprintf(cmd.operator_name, sizeof cmd.operator_name, "bench");
	cmd.recipe = r;
	cmd.batch_id = 1;
	cmd.charge_kg = CHARGE_KG;
	snprintf(cmd.text, sizeof cmd.text, "%s", text);
	if (core_command(&g->c, &cmd, g->now_s, cause, sizeof cause) < 0) {
		fprintf(stderr, "bench_closedloop: %s refused: %s\n",
		        core_cmd_name(kind), cause);
		return -1;
	}
	return 0;
}

/* One tick of the whole loop; -1 when an answer was refused. */
static int bench_tick(struct bench_rig *g)
{
	struct core_inputs in;
	struct core_event e;

	bench_inputs(g, &in);
	core_step(&g->c, &in, g->now_s, &g->out);
	model_write(&g->m, g->out.steam_pct, g->out.cooling_pct, g->out.heartbeat);
	while (core_event_pop(&g->c, &e) == 0)
		if (e.kind == CORE_EV_PROMPT)
			g->prompt_at_s = g->now_s;
	if (g->prompt_at_s >= 0 && g->now_s - g->prompt_at_s >= ANSWER_AFTER_S) {
		g->prompt_at_s = -1;
		if (bench_cmd(g, CORE_CMD_ANSWER, NULL, "done") < 0)
			return -1;
	}
	model_step(&g->m, DT_S);
	g->now_s += DT_S;
	g->ticks++;
	return 0;
}

/* Runs one batch; returns its process time, s, or -1 when it did not
 * complete within the recipe's time and an hour. */
static double bench_batch(struct bench_rig *g, const struct cfg_plant *plant,
                          const struct rcp_recipe *r, const struct model_feed *feed)
{
	double max_s = r->max_batch_s, t_start;

	if (!(max_s > 0))
		for (int i = 0; i < r->n_steps; i++)
			max_s += r->steps[i].max_s;
	memset(g, 0, sizeof *g);
	g->plant = plant;
	g->prompt_at_s = -1;
	model_params_default(&g->mp);
	model_params_map(&g->mp, plant->map);
	model_init(&g->m, &g->mp);
	core_init(&g->c, plant, 0);
	model_charge(&g->m, feed, CHARGE_KG, -1);
	while (g->now_s < IDLE_S)
		if (bench_tick(g) < 0)
			return -1;
	if (bench_cmd(g, CORE_CMD_START, r, "") < 0)
		return -1;
	t_start = g->now_s;
	while (g->c.state != CORE_COMPLETE && g->now_s - t_start < max_s + 3600)
		if (bench_tick(g) < 0)
			return -1;
	if (g->c.state != CORE_COMPLETE) {
		fprintf(stderr, "bench_closedloop: batch ended %s, not complete\n",
		        core_state_name(g->c.state));
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
	static struct cfg_plant plant;
	static struct model_feed feeds[32];
	static struct rcp_recipe r;
	struct bench_rig *g = malloc(sizeof *g);
	const struct model_feed *feed;
	double wall_ms[REPS_MAX], batch_s = 0;
	int reps, n_feeds;
	struct diag d;

	if (argc != 4 || (reps = atoi(argv[3])) < 1 || reps > REPS_MAX || g == NULL) {
		fprintf(stderr, "usage: bench_closedloop RECIPE FEEDSTOCKS REPS (1..%d)\n",
		        REPS_MAX);
		return 2;
	}
	cfg_defaults(&plant);
	diag_init(&d);
	n_feeds = feed_load(argv[2], feeds, 32, &d);
	if (n_feeds < 1 || rcp_load(&r, argv[1], &plant, &d) < 0) {
		diag_print(&d, stderr);
		return 2;
	}
	feed = feed_find(feeds, n_feeds, r.feedstock);
	if (feed == NULL) {
		fprintf(stderr, "bench_closedloop: %s: no feedstock '%s' in %s\n",
		        argv[1], r.feedstock, argv[2]);
		return 2;
	}
	for (int k = 0; k < reps; k++) {
		int64_t t0 = clk_mono_ns();

		batch_s = bench_batch(g, &plant, &r, feed);
		if (batch_s < 0)
			return 1;
		wall_ms[k] = (clk_mono_ns() - t0) / 1e6;
	}
	printf("{\"recipe\": \"%s\", \"reps\": %d, \"batch_process_h\": %.3f, "
	       "\"ticks\": %ld, \"yield_pct\": %.3f, ", r.name, reps, batch_s / 3600,
	       g->ticks, g->m.oil_receiver_g / (CHARGE_KG * 1000) * 100);
	qsort(wall_ms, (size_t)reps, sizeof wall_ms[0], bench_cmp_dbl);
	printf("\"wall_ms_median\": %.3f, \"wall_ms_min\": %.3f, \"wall_ms_max\": %.3f}\n",
	       reps % 2 ? wall_ms[reps / 2] : (wall_ms[reps / 2 - 1] + wall_ms[reps / 2]) / 2,
	       wall_ms[0], wall_ms[reps - 1]);
	rcp_free(&r);
	free(g);
	return 0;
}
