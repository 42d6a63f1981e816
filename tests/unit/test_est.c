/*
 * test_est: the end-point estimator (controller/est.c) on the published
 * curves of ../shared/reference/process.md ("Validation table": the
 * pomelo two-stage fit and the first-order k = 0.01655 /min), scaled to a
 * charge (500 kg x 0.7 % = 3.5 kg of oil) after a 20 min heat-up delay in
 * the distil step: the forecast at half the 95 % time, the model chosen,
 * the curves rounded to the 1 g counter, with gauge noise, with a hold
 * (distil time frozen for an hour of ticks), truncated at 25/50/75 %; a
 * forecast that stays steady late in a batch; two runs identical bit for
 * bit; nothing before distillate or from too few points; a 30 h
 * star-anise-like curve at 0.2 s ticks within the point budget.
 */
/* links: controller/est.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "est.h"

#define OIL_G 3500.0         /* 500 kg x 0.7 % */
#define DELAY_S 1200.0       /* distil time before the first distillate */
#define STEAM_KG_H 150.0

/* A published curve: q(t) = 1 - f e^-kw t - (1 - f) e^-kd t (rates /s). */
struct curve {
	double f, kw_per_s, kd_per_s;
	double oil_g;            /* the oil at t -> inf */
	double delay_s;          /* distil time of the first distillate */
	int round_g;             /* 1: a 1 g counter (floor) */
	double noise_g;          /* +- uniform gauge noise, g */
	unsigned seed;           /* the noise's generator */
};

/* The pomelo fit (Dao 2021): f 0.3412, kw 0.1515 /min, kd 0.0236 /min. */
static struct curve two_stage(void)
{
	struct curve c = {0.3412, 0.1515 / 60, 0.0236 / 60, OIL_G, DELAY_S,
	                  0, 0, 1};
	return c;
}

/* First order, k = 0.01655 /min (cinnamaldehyde, Sree Satya). */
static struct curve first_order(void)
{
	struct curve c = {0, 0, 0.01655 / 60, OIL_G, DELAY_S, 0, 0, 1};
	return c;
}

static double curve_q(const struct curve *c, double tau_s)
{
	if (tau_s <= 0)
		return 0;
	return 1 - c->f * exp(-c->kw_per_s * tau_s)
	         - (1 - c->f) * exp(-c->kd_per_s * tau_s);
}

/* The 95 % time of the curve after its first distillate, s (bisection). */
static double curve_t95_s(const struct curve *c)
{
	double lo = 0, hi = 1e7;

	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;
		if (curve_q(c, mid) < 0.95)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* A small deterministic generator: uniform in [-1, 1). */
static double noise_unit(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return ((*s >> 8) & 0xffff) / 32768.0 - 1;
}

static double curve_oil_g(struct curve *c, double t_s)
{
	double g = c->oil_g * curve_q(c, t_s - c->delay_s);

	if (c->noise_g > 0 && g > 0)
		g += c->noise_g * noise_unit(&c->seed);
	if (g < 0)
		g = 0;
	if (c->round_g)
		g = floor(g);
	return g;
}

/* Feeds e ticks of dt_s from distil time t_from_s up to t_to_s. */
static void feed(struct est *e, struct curve *c, double t_from_s,
                 double t_to_s, double dt_s)
{
	long n = lround((t_to_s - t_from_s) / dt_s);

	for (long i = 0; i <= n; i++) {
		double t = t_from_s + i * dt_s;
		est_update(e, t, curve_oil_g(c, t), STEAM_KG_H);
	}
}

static double err_pct(double got, double want)
{
	return 100 * fabs(got - want) / want;
}

/* Runs c at 1 s ticks up to share of its 95 % time after distillate and
 * returns the forecast. */
static struct est_forecast run_to(struct est *e, struct curve *c, double share)
{
	struct est_forecast f;

	est_init(e);
	feed(e, c, 0, c->delay_s + share * curve_t95_s(c), 1.0);
	est_forecast(e, &f);
	return f;
}

static void check_at_half(struct curve c, enum est_model model, double tol_pct)
{
	static struct est e;
	struct est_forecast f = run_to(&e, &c, 0.5);
	double t95 = c.delay_s + curve_t95_s(&c);

	print_message("final %.3f kg (%.3f..%.3f) model %s t95 %.0f s (true %.0f) "
	              "rms %.2f g\n", f.final_kg, f.final_lo_kg, f.final_hi_kg,
	              est_model_name(f.model), f.t95_s, t95, f.rms_g);
	assert_int_equal(f.valid, 1);
	assert_int_equal(f.model, model);
	assert_true(err_pct(f.final_kg, c.oil_g / 1000) < tol_pct);
	assert_true(f.final_lo_kg <= f.final_kg && f.final_kg <= f.final_hi_kg);
	assert_true(err_pct(f.t95_s, t95) < 2 * tol_pct);
	assert_true(fabs(f.t0_s - c.delay_s) < 120);
}

static void first_order_at_half(void **state)
{
	(void)state;
	check_at_half(first_order(), EST_FIRST_ORDER, 3);
}

static void two_stage_at_half(void **state)
{
	(void)state;
	check_at_half(two_stage(), EST_TWO_STAGE, 3);
}

static void quantised_at_half(void **state)
{
	struct curve fo = first_order(), ts = two_stage();

	(void)state;
	fo.round_g = ts.round_g = 1;
	check_at_half(fo, EST_FIRST_ORDER, 3);
	check_at_half(ts, EST_TWO_STAGE, 3);
}

/* With gauge noise the early fits wander more, so the estimator may wait
 * past half the 95 % time before it calls a forecast valid (its final
 * must have held within 10 % over the second half of the data): at half
 * a valid forecast is close, at three quarters there is one. */
static void noisy(void **state)
{
	static struct est e;
	struct curve cs[2];

	(void)state;
	cs[0] = first_order();
	cs[1] = two_stage();
	for (int i = 0; i < 2; i++) {
		struct curve c = cs[i];
		struct est_forecast f50, f75;

		c.round_g = 1;
		c.noise_g = 3;
		f50 = run_to(&e, &c, 0.5);
		c.seed = 1;
		f75 = run_to(&e, &c, 0.75);
		print_message("noisy: 50 %%: %d %.3f; 75 %%: %d %.3f %s\n", f50.valid,
		              f50.final_kg, f75.valid, f75.final_kg,
		              est_model_name(f75.model));
		if (f50.valid)
			assert_true(err_pct(f50.final_kg, c.oil_g / 1000) < 5);
		assert_int_equal(f75.valid, 1);
		assert_int_equal(f75.model, i == 0 ? EST_FIRST_ORDER : EST_TWO_STAGE);
		assert_true(err_pct(f75.final_kg, c.oil_g / 1000) < 3);
	}
}

/* The rates the fit reports agree with the curve's own at half time. */
static void rates_at_half(void **state)
{
	static struct est e;
	struct curve c = first_order();
	struct est_forecast f = run_to(&e, &c, 0.5);
	double tau = f.t_s - c.delay_s, k = c.kd_per_s;
	double rate = c.oil_g * k * exp(-k * tau) * 3.6;
	double next = c.oil_g * (curve_q(&c, tau + 3600) - curve_q(&c, tau)) / 1000;

	(void)state;
	assert_true(err_pct(f.rate_kg_per_h, rate) < 5);
	assert_true(err_pct(f.next_hour_kg, next) < 5);
	assert_true(err_pct(f.k_per_s, k) < 5);
	assert_true(fabs(f.oil_kg - c.oil_g * curve_q(&c, tau) / 1000) < 0.002);
	assert_true(fabs(f.t_s - (c.delay_s + 0.5 * curve_t95_s(&c))) <= 1);
}

/* A hold: the caller passes distil time, which stands still for an hour
 * of ticks while oil drips on; the forecast ignores those ticks. */
static void hold_pauses_the_curve(void **state)
{
	static struct est e, ref;
	struct curve c = first_order();
	struct est_forecast f, g, r;
	double t_hold = c.delay_s + 1800, t_half = c.delay_s + 0.5 * curve_t95_s(&c);

	(void)state;
	c.round_g = 1;
	est_init(&e);
	feed(&e, &c, 0, t_hold, 1.0);
	est_forecast(&e, &g);
	for (int i = 0; i < 3600; i++)
		est_update(&e, t_hold, curve_oil_g(&c, t_hold) + i / 600, STEAM_KG_H);
	est_forecast(&e, &f);
	assert_memory_equal(&f, &g, sizeof f);
	feed(&e, &c, t_hold + 1, t_half, 1.0);
	est_forecast(&e, &f);
	r = run_to(&ref, &c, 0.5);
	assert_int_equal(f.valid, 1);
	assert_true(err_pct(f.final_kg, c.oil_g / 1000) < 3);
	assert_true(err_pct(f.final_kg, r.final_kg) < 0.5);
}

/* Truncated curves: at 25 % of the 95 % time the forecast may still be
 * unsure (invalid, or a band that holds the truth); at 50 % and 75 % it
 * is close and its band narrows. */
static void truncated(void **state)
{
	static struct est e;
	struct curve cs[2];
	double width_prev;

	(void)state;
	cs[0] = first_order();
	cs[1] = two_stage();
	for (int i = 0; i < 2; i++) {
		struct curve c = cs[i];
		struct est_forecast f25, f50, f75;
		double truth = c.oil_g / 1000;

		c.round_g = 1;
		f25 = run_to(&e, &c, 0.25);
		f50 = run_to(&e, &c, 0.5);
		f75 = run_to(&e, &c, 0.75);
		print_message("25 %%: %d %.3f (%.3f..%.3f); 50 %%: %.3f (%.3f..%.3f); "
		              "75 %%: %.3f (%.3f..%.3f)\n", f25.valid, f25.final_kg,
		              f25.final_lo_kg, f25.final_hi_kg, f50.final_kg,
		              f50.final_lo_kg, f50.final_hi_kg, f75.final_kg,
		              f75.final_lo_kg, f75.final_hi_kg);
		if (f25.valid) {
			assert_true(err_pct(f25.final_kg, truth) < 15);
			width_prev = f25.final_hi_kg - f25.final_lo_kg;
		} else {
			width_prev = INFINITY;
		}
		assert_int_equal(f50.valid, 1);
		assert_true(err_pct(f50.final_kg, truth) < 3);
		assert_true(f50.final_lo_kg <= truth * 1.01 && truth * 0.99 <= f50.final_hi_kg);
		assert_true(f50.final_hi_kg - f50.final_lo_kg <= width_prev);
		assert_int_equal(f75.valid, 1);
		assert_true(err_pct(f75.final_kg, truth) < 1.5);
		assert_true(f75.final_hi_kg - f75.final_lo_kg
		            <= f50.final_hi_kg - f50.final_lo_kg);
	}
}

/* Late in a batch (the 6th hour of distilling) final_kg moves < 1 % over
 * the hour, with the counter's rounding and noise. */
static void steady_late(void **state)
{
	static struct est e;
	struct curve cs[2];

	(void)state;
	cs[0] = first_order();
	cs[1] = two_stage();
	for (int i = 0; i < 2; i++) {
		struct curve c = cs[i];
		struct est_forecast f;
		double lo = INFINITY, hi = -INFINITY, t;

		c.round_g = 1;
		c.noise_g = 2;
		est_init(&e);
		feed(&e, &c, 0, 5 * 3600, 1.0);
		for (t = 5 * 3600 + 1; t <= 6 * 3600; t += 1) {
			est_update(&e, t, curve_oil_g(&c, t), STEAM_KG_H);
			est_forecast(&e, &f);
			assert_int_equal(f.valid, 1);
			lo = fmin(lo, f.final_kg);
			hi = fmax(hi, f.final_kg);
		}
		print_message("last hour: final %.4f..%.4f kg\n", lo, hi);
		assert_true((hi - lo) / hi < 0.01);
	}
}

/* The same inputs give the same forecast, bit for bit. */
static void deterministic(void **state)
{
	static struct est a, b;
	struct curve c1 = two_stage(), c2 = two_stage();
	struct est_forecast fa, fb;

	(void)state;
	c1.noise_g = c2.noise_g = 3;
	c1.round_g = c2.round_g = 1;
	est_init(&a);
	est_init(&b);
	feed(&a, &c1, 0, 4 * 3600, 1.0);
	feed(&b, &c2, 0, 4 * 3600, 1.0);
	est_forecast(&a, &fa);
	est_forecast(&b, &fb);
	assert_int_equal(fa.valid, 1);
	assert_memory_equal(&fa, &fb, sizeof fa);
	assert_memory_equal(&a, &b, sizeof a);
}

/* Nothing before distillate, nothing from a handful of points, and every
 * field 0 while not valid; bad readings and steps back are ignored. */
static void nothing_too_early(void **state)
{
	static struct est e;
	struct curve c = first_order();
	struct est_forecast f, zero;

	(void)state;
	memset(&zero, 0, sizeof zero);
	est_init(&e);
	assert_int_equal(est_forecast(&e, &f), 0);
	assert_memory_equal(&f, &zero, sizeof f);
	feed(&e, &c, 0, c.delay_s - 1, 1.0);
	assert_int_equal(est_forecast(&e, &f), 0);
	assert_memory_equal(&f, &zero, sizeof f);
	feed(&e, &c, c.delay_s, c.delay_s + 90, 1.0);
	assert_int_equal(est_forecast(&e, &f), 0);
	assert_memory_equal(&f, &zero, sizeof f);
	assert_int_equal(f.model, EST_NONE);
	assert_string_equal(est_model_name(EST_NONE), "none");
	assert_string_equal(est_model_name(EST_FIRST_ORDER), "first-order");
	assert_string_equal(est_model_name(EST_TWO_STAGE), "two-stage");

	/* then a good curve, spoiled by NaN readings and steps back */
	feed(&e, &c, c.delay_s + 91, c.delay_s + 3000, 1.0);
	for (int i = 0; i < 100; i++) {
		est_update(&e, c.delay_s + 3000 + i, NAN, NAN);
		est_update(&e, c.delay_s + 100, 0, STEAM_KG_H);
	}
	feed(&e, &c, c.delay_s + 3100, c.delay_s + 0.5 * curve_t95_s(&c), 1.0);
	assert_int_equal(est_forecast(&e, &f), 1);
	assert_true(err_pct(f.final_kg, c.oil_g / 1000) < 3);
	assert_true(e.steam_kg > 0);
}

/* Star anise: kd 0.0012 /min, 50 kg of oil, 30 h of distilling at the
 * plant model's 0.2 s tick: the points stay within the budget and the
 * forecast at 30 h is close. */
static void star_anise_30h(void **state)
{
	static struct est e;
	struct curve c = {0.10, 0.05 / 60, 0.0012 / 60, 50000, 1800, 1, 2, 7};
	struct est_forecast f;

	(void)state;
	est_init(&e);
	feed(&e, &c, 0, 30 * 3600, 0.2);
	est_forecast(&e, &f);
	print_message("n %d every %.0f s final %.2f kg (%.2f..%.2f) %s\n", e.n,
	              e.every_s, f.final_kg, f.final_lo_kg, f.final_hi_kg,
	              est_model_name(f.model));
	assert_true(e.n > 100 && e.n <= EST_SAMPLES_MAX);
	assert_true(e.every_s * e.n >= 0.4 * 30 * 3600);
	assert_int_equal(f.valid, 1);
	assert_true(err_pct(f.final_kg, c.oil_g / 1000) < 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_order_at_half),
		cmocka_unit_test(two_stage_at_half),
		cmocka_unit_test(quantised_at_half),
		cmocka_unit_test(noisy),
		cmocka_unit_test(rates_at_half),
		cmocka_unit_test(hold_pauses_the_curve),
		cmocka_unit_test(truncated),
		cmocka_unit_test(steady_late),
		cmocka_unit_test(deterministic),
		cmocka_unit_test(nothing_too_early),
		cmocka_unit_test(star_anise_30h),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
