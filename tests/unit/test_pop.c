/*
 * test_pop: the population harness of the end-point benchmark
 * (tests/rig/pop.c): batches drawn the same way every time and within the
 * issue's spread, the fixed-time copy of a recipe, the quantiles and the
 * forecast error. Whole batches run in tests/integration/bench_endpoint.sh.
 */
/* links: tests/rig/pop.c tests/rig/rig.c controller/est.c controller/core.c controller/core_alarm.c controller/core_cmd.c controller/core_endpt.c controller/core_status.c controller/pid.c simulator/model.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/ydoc.c common/sha256.c common/diag.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rig/pop.h"

#define DRAWS 2000

/* cassia-leaf as simulator/feedstocks.yaml has it (yield as a fraction). */
static const struct model_feed leaf = {
	.name = "cassia-leaf", .yield_frac = 0.007, .wash_frac = 0.30,
	.kw_per_min = 0.10, .kd_per_min = 0.012,
	.ref_steam_kg_per_h_per_kg = 0.3, .c_kj_per_kg_k = 1.9,
	.moisture_pct = 15, .oil_density_rel = 1.06, .congeal_c = -10,
	.condensate_hold_frac = 0.15,
};

/* x within base +- spread of base. */
static int within(double x, double base, double spread)
{
	return x >= base * (1 - spread) && x <= base * (1 + spread);
}

static void draws_are_the_same_every_time(void **state)
{
	struct pop_batch a, b;

	(void)state;
	pop_draw(&a, &leaf, 7);
	pop_draw(&b, &leaf, 7);
	assert_memory_equal(&a, &b, sizeof a);
	pop_draw(&b, &leaf, 8);
	assert_true(a.charge_kg != b.charge_kg);
	assert_true(a.feed.kd_per_min != b.feed.kd_per_min);
	assert_string_equal(a.feed.name, "cassia-leaf");
}

/* Every draw within the spread, and the spread used: the lowest
 * and highest of 2000 draws come near both ends. */
static void draws_cover_the_spread(void **state)
{
	double lo[6], hi[6];
	struct pop_batch b;

	(void)state;
	for (int k = 0; k < 6; k++)
		lo[k] = INFINITY, hi[k] = -INFINITY;
	for (int i = 0; i < DRAWS; i++) {
		double v[6];

		pop_draw(&b, &leaf, i);
		assert_true(within(b.feed.yield_frac, leaf.yield_frac, POP_OIL_SPREAD));
		assert_true(within(b.feed.kw_per_min, leaf.kw_per_min, POP_RATE_SPREAD));
		assert_true(within(b.feed.kd_per_min, leaf.kd_per_min, POP_RATE_SPREAD));
		assert_true(within(b.feed.wash_frac, leaf.wash_frac, POP_WASH_SPREAD));
		assert_true(within(b.feed.moisture_pct, leaf.moisture_pct,
		                   POP_MOISTURE_SPREAD));
		assert_true(b.charge_kg >= POP_CHARGE_MIN_KG &&
		            b.charge_kg <= POP_CHARGE_MAX_KG);
		v[0] = b.feed.yield_frac / leaf.yield_frac;
		v[1] = b.feed.kw_per_min / leaf.kw_per_min;
		v[2] = b.feed.kd_per_min / leaf.kd_per_min;
		v[3] = b.feed.wash_frac / leaf.wash_frac;
		v[4] = b.feed.moisture_pct / leaf.moisture_pct;
		v[5] = b.charge_kg / POP_CHARGE_MAX_KG;
		for (int k = 0; k < 6; k++) {
			lo[k] = fmin(lo[k], v[k]);
			hi[k] = fmax(hi[k], v[k]);
		}
	}
	assert_true(lo[0] < 0.72 && hi[0] > 1.28);
	assert_true(lo[1] < 0.62 && hi[1] > 1.38);
	assert_true(lo[2] < 0.62 && hi[2] > 1.38);
	assert_true(lo[3] < 0.52 && hi[3] > 1.48);
	assert_true(lo[4] < 0.72 && hi[4] > 1.28);
	assert_true(lo[5] < 0.11 && hi[5] > 0.99);
}

static void fixed_time_replaces_the_distil_end(void **state)
{
	struct rcp_recipe *src = calloc(1, sizeof *src), *dst = malloc(sizeof *dst);
	struct diag d;

	(void)state;
	assert_non_null(src);
	assert_non_null(dst);
	diag_init(&d);
	assert_int_equal(rcp_load(src, "recipes/star-anise.yaml", NULL, &d), 0);
	assert_int_equal(pop_fixed_time(dst, src, 24 * 3600.0), 0);
	assert_null(dst->text);
	for (int i = 0; i < src->n_steps; i++) {
		const struct rcp_step *s = &src->steps[i], *t = &dst->steps[i];

		if (s->kind != RCP_DISTIL) {
			assert_memory_equal(s, t, sizeof *s);
			continue;
		}
		assert_int_equal(s->end, RCP_END_OIL_RATE);
		assert_int_equal(t->end, RCP_END_DURATION);
		assert_true(t->duration_s == 24 * 3600.0);
		assert_true(t->max_s == s->max_s);
	}
	/* a fixed time past the step's maximum raises the maximum */
	assert_int_equal(pop_fixed_time(dst, src, 60 * 3600.0), 0);
	for (int i = 0; i < dst->n_steps; i++)
		if (dst->steps[i].kind == RCP_DISTIL)
			assert_true(dst->steps[i].max_s == 60 * 3600.0);
	/* no distil step: refused */
	for (int i = 0; i < src->n_steps; i++)
		src->steps[i].kind = RCP_PURGE;
	assert_int_equal(pop_fixed_time(dst, src, 3600), -1);
	rcp_free(src);
	free(src);
	free(dst);
}

static void quantiles_and_errors(void **state)
{
	double v[] = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};

	(void)state;
	assert_true(pop_quantile(v, 10, 0.5) == 5);
	assert_true(pop_quantile(v, 10, 0.9) == 9);
	assert_true(pop_quantile(v, 10, 1.0) == 10);
	assert_true(pop_quantile(v, 1, 0.9) == 1);
	assert_true(isnan(pop_quantile(v, 0, 0.5)));
	assert_true(fabs(pop_fc_err_pct(9.5, 10) - 5) < 1e-9);
	assert_true(fabs(pop_fc_err_pct(11, 10) - 10) < 1e-9);
	assert_true(pop_fc_err_pct(NAN, 10) == 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(draws_are_the_same_every_time),
		cmocka_unit_test(draws_cover_the_spread),
		cmocka_unit_test(fixed_time_replaces_the_distil_end),
		cmocka_unit_test(quantiles_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
