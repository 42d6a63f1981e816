/*
 * test_est_rig: the end-point estimator (controller/est.c) on whole
 * batches of the bundled recipes, the control core and the plant model in
 * lockstep on the closed-loop rig (tests/rig/rig.h). The rig's tick hook
 * feeds est as the core is meant to: distil-step running time (held time
 * excluded), the oil collected in the step from the 1 g receiver reading,
 * and the steam flow. The forecast at half the distil step's time must be
 * valid and within 10 % of the oil the step made, and so must every
 * forecast said valid before it; and a hold must not show in it: an
 * hour's hold in the middle of the step changes nothing in it.
 */
/* links: controller/est.c tests/rig/rig.c controller/core.c controller/core_alarm.c controller/core_cmd.c controller/core_endpt.c controller/pid.c simulator/model.c simulator/feed.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/ydoc.c common/sha256.c common/diag.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "est.h"
#include "feed.h"
#include "../rig/rig.h"

#define CHARGE_KG 500.0
#define FC_EVERY_S 60.0          /* a forecast kept per minute of distilling */
#define FC_MAX 4000              /* 66 h of them */

/* The rig, the estimator it feeds and the forecasts seen. */
struct er {
	struct rig rig;
	struct est e;
	int step;                    /* the distil step followed, -1 none */
	double oil0_g;               /* receiver at its start */
	double oil_g;                /* oil of the step so far */
	double distil_s;             /* its running time so far */
	struct est_forecast fc[FC_MAX]; /* one per FC_EVERY_S of distilling */
	int n_fc;
};

static void er_tick(struct rig *g, void *ctx)
{
	struct er *r = ctx;
	const struct core_still *c = &g->core;
	int i;

	if (c->state != CORE_RUNNING || c->step >= c->recipe.n_steps ||
	    c->recipe.steps[c->step].kind != RCP_DISTIL)
		return;
	if (r->step != c->step) {
		r->step = c->step;
		r->oil0_g = core_oil_g(c);
		est_init(&r->e);
	}
	r->distil_s = c->step_elapsed_s;
	r->oil_g = core_oil_g(c) - r->oil0_g;
	est_update(&r->e, r->distil_s, r->oil_g,
	           c->last_in.value[CFG_TAG_STEAM_FLOW]);
	i = (int)(r->distil_s / FC_EVERY_S);
	if (i < FC_MAX && i >= r->n_fc) {
		est_forecast(&r->e, &r->fc[i]);
		r->n_fc = i + 1;
	}
}

static const struct model_feed *er_feed(const char *name)
{
	static struct model_feed feeds[32];
	static int n;
	struct diag d;

	if (n == 0) {
		diag_init(&d);
		n = feed_load("simulator/feedstocks.yaml", feeds, 32, &d);
		if (n < 1) {
			diag_print(&d, stderr);
			fail_msg("simulator/feedstocks.yaml does not load");
		}
	}
	return feed_find(feeds, n, name);
}

/* Starts recipe NAME on a fresh rig with 500 kg of its feedstock. */
static struct er *er_start(const char *name, struct rcp_recipe *r,
                           struct cfg_plant *plant)
{
	struct er *g = calloc(1, sizeof *g);
	char path[64];
	struct diag d;

	assert_non_null(g);
	cfg_defaults(plant);
	snprintf(path, sizeof path, "recipes/%s.yaml", name);
	diag_init(&d);
	if (rcp_load(r, path, plant, &d) < 0) {
		diag_print(&d, stderr);
		fail_msg("%s does not load", path);
	}
	rig_init(&g->rig, plant, NULL);
	g->step = -1;
	g->rig.on_tick = er_tick;
	g->rig.ctx = g;
	assert_int_equal(rig_start(&g->rig, r, er_feed(r->feedstock), CHARGE_KG), 0);
	return g;
}

static void er_batch(const char *name)
{
	static struct cfg_plant plant;
	static struct rcp_recipe r;
	struct er *g = er_start(name, &r, &plant);
	const struct est_forecast *f;
	double made_kg, err_pct;
	int half;

	assert_int_equal(rig_run_to_end(&g->rig), 0);
	made_kg = g->oil_g / 1000;
	half = (int)(g->distil_s / 2 / FC_EVERY_S);
	assert_true(half < g->n_fc);
	f = &g->fc[half];
	err_pct = 100 * (f->final_kg - made_kg) / made_kg;
	print_message("%s: distil %.2f h, made %.3f kg; at %.2f h: %s final "
	              "%.3f kg (%.3f..%.3f), error %+.1f %%, t95 %.2f h\n", name,
	              g->distil_s / 3600, made_kg, f->t_s / 3600,
	              est_model_name(f->model), f->final_kg, f->final_lo_kg,
	              f->final_hi_kg, err_pct, f->t95_s / 3600);
	assert_int_equal(f->valid, 1);
	assert_true(fabs(err_pct) < 10);
	/* and no forecast said valid before then was further off */
	for (int i = 0; i < g->n_fc; i++) {
		f = &g->fc[i];
		if (f->valid && fabs(f->final_kg - made_kg) > 0.1 * made_kg)
			fail_msg("%s: at %.2f h a valid forecast of %.3f kg", name,
			         f->t_s / 3600, f->final_kg);
	}
	rcp_free(&r);
	free(g);
}

static void leaf(void **state)
{
	(void)state;
	er_batch("cassia-leaf");
}

static void bark(void **state)
{
	(void)state;
	er_batch("cassia-bark");
}

static void anise(void **state)
{
	(void)state;
	er_batch("star-anise");
}

/* An operator holds the batch 90 min into distilling for an hour: the
 * distil time stops, so the forecast stands still through the hold. */
static void hold_mid_distil(void **state)
{
	static struct cfg_plant plant;
	static struct rcp_recipe r;
	struct er *g = er_start("cassia-leaf", &r, &plant);
	struct est_forecast before, after;

	(void)state;
	while (g->distil_s < 5400)
		assert_int_equal(rig_step(&g->rig), 0);
	assert_int_equal(rig_command(&g->rig, CORE_CMD_HOLD, NULL, NULL), 0);
	assert_int_equal(est_forecast(&g->e, &before), 1);
	assert_int_equal(rig_run_for(&g->rig, 3600), 0);
	assert_int_equal(g->rig.core.state, CORE_HELD);
	est_forecast(&g->e, &after);
	assert_memory_equal(&before, &after, sizeof before);
	assert_int_equal(rig_command(&g->rig, CORE_CMD_RESTART, NULL, NULL), 0);
	assert_int_equal(rig_run_to_end(&g->rig), 0);
	rcp_free(&r);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(leaf),
		cmocka_unit_test(bark),
		cmocka_unit_test(anise),
		cmocka_unit_test(hold_mid_distil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
