/*
 * test_pid: the PID loop against a first-order plant simulated here:
 * settling, anti-windup, output range and slew limits, bumpless transfer,
 * reverse action (negative gain, like the cooling valve).
 */
/* links: controller/pid.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "pid.h"

#define DT_S 0.2

/* pv relaxes toward bias + gain * out with time constant tau_s. */
struct plant1 {
	double pv;
	double bias;
	double gain;    /* pv units per % */
	double tau_s;
};

static void plant1_step(struct plant1 *p, double out_pct, double dt_s)
{
	double target = p->bias + p->gain * out_pct;

	p->pv += (target - p->pv) * dt_s / p->tau_s;
}

static struct cfg_pid tune_of(double kp, double ti_s, double lo, double hi,
                              double rate)
{
	struct cfg_pid t = {
		.kp_pct_per_unit = kp, .ti_s = ti_s, .td_s = 0,
		.out_min_pct = lo, .out_max_pct = hi, .rate_max_pct_per_s = rate,
	};
	return t;
}

/* Runs the loop for secs on p; returns the largest pv seen. */
static double run(struct pid_loop *l, struct plant1 *p, double sp, double secs)
{
	double peak = -INFINITY;

	for (double t = 0; t < secs; t += DT_S) {
		double out = pid_update(l, sp, p->pv, DT_S);

		plant1_step(p, out, DT_S);
		if (p->pv > peak)
			peak = p->pv;
	}
	return peak;
}

static void step_response_settles(void **state)
{
	struct cfg_pid t = tune_of(4, 60, 0, 100, 5);
	struct plant1 p = {.pv = 0, .bias = 0, .gain = 0.2, .tau_s = 20};
	struct pid_loop l;
	double peak;

	(void)state;
	pid_init(&l, &t, 0);
	peak = run(&l, &p, 5.0, 600);
	assert_true(peak < 5.0 * 1.2);              /* overshoot under 20 % */
	assert_true(fabs(p.pv - 5.0) < 0.05);
	/* and it stays there */
	run(&l, &p, 5.0, 100);
	assert_true(fabs(p.pv - 5.0) < 0.05);
	assert_true(fabs(l.out_pct - 25.0) < 1.0);  /* 5 kPa / 0.2 kPa per % */
}

static void anti_windup_recovers_quickly(void **state)
{
	struct cfg_pid t = tune_of(4, 60, 0, 100, 5);
	struct plant1 p = {.pv = 0, .bias = 0, .gain = 0.2, .tau_s = 20};
	struct pid_loop l;
	double secs = 0;

	(void)state;
	pid_init(&l, &t, 0);
	/* 30 kPa cannot be reached (100 % gives 20 kPa): an hour saturated */
	run(&l, &p, 30.0, 3600);
	assert_true(l.out_pct == 100.0);
	assert_true(l.integral_pct <= 100.0 + 1e-9);
	/* the setpoint falls below the pv: the output must leave 100 % at
	 * once (a wound-up integral would keep it there for minutes) */
	while (pid_update(&l, 5.0, p.pv, DT_S) >= 100.0 && secs < 600) {
		plant1_step(&p, l.out_pct, DT_S);
		secs += DT_S;
	}
	assert_true(secs <= 2 * DT_S);
	run(&l, &p, 5.0, 900);
	assert_true(fabs(p.pv - 5.0) < 0.1);
}

static void output_range_and_rate_limits(void **state)
{
	struct cfg_pid t = tune_of(10, 30, 10, 60, 2);
	struct plant1 p = {.pv = 0, .bias = 0, .gain = 0.2, .tau_s = 20};
	struct pid_loop l;
	double last, out, sp;

	(void)state;
	pid_init(&l, &t, 0);
	assert_true(l.out_pct == 10.0); /* the start is clamped into range */
	last = l.out_pct;
	for (int i = 0; i < 6000; i++) {
		sp = (i / 1000) % 2 ? 0.0 : 50.0; /* big setpoint swings */
		out = pid_update(&l, sp, p.pv, DT_S);
		assert_true(out >= 10.0 && out <= 60.0);
		assert_true(fabs(out - last) <= 2 * DT_S + 1e-9);
		last = out;
		plant1_step(&p, out, DT_S);
	}
	/* a lowered ceiling applies at once, ahead of the slew limit */
	for (int i = 0; i < 300; i++)
		pid_update(&l, 50.0, 0.0, DT_S);
	assert_true(l.out_pct == 60.0);
	pid_set_range(&l, 10, 30);
	assert_true(pid_update(&l, 50.0, 0.0, DT_S) == 30.0);
	/* min above max collapses to max */
	pid_set_range(&l, 40, 20);
	assert_true(pid_update(&l, 50.0, 0.0, DT_S) == 20.0);
}

static void bumpless_manual_to_auto(void **state)
{
	struct cfg_pid t = tune_of(4, 60, 0, 100, 0);
	struct plant1 p = {.pv = 0, .bias = 0, .gain = 0.2, .tau_s = 20};
	struct pid_loop l;
	double out;

	(void)state;
	pid_init(&l, &t, 0);
	/* manual at 37 % for ten minutes: the loop only tracks */
	for (int i = 0; i < 3000; i++) {
		plant1_step(&p, 37.0, DT_S);
		pid_track(&l, 37.0, p.pv);
	}
	/* auto with the pv (7.4 kPa) far from the setpoint (3 kPa): a plain
	 * position PID would jump by kp * e = -17.6 % */
	out = pid_update(&l, 3.0, p.pv, DT_S);
	assert_true(fabs(out - 37.0) < 0.1);
	run(&l, &p, 3.0, 900);
	assert_true(fabs(p.pv - 3.0) < 0.05);
	/* pid_init starts bumpless too */
	pid_init(&l, &t, 55);
	assert_true(fabs(pid_update(&l, 3.0, 20.0, DT_S) - 55.0) < 0.5);
}

static void reverse_action_cooling(void **state)
{
	/* distillate: 80 C with no cooling, 0.6 C colder per % of valve */
	struct cfg_pid t = tune_of(-4, 90, 0, 100, 10);
	struct plant1 p = {.pv = 80, .bias = 80, .gain = -0.6, .tau_s = 60};
	struct pid_loop l;

	(void)state;
	pid_init(&l, &t, 0);
	run(&l, &p, 32.5, 1800);
	assert_true(fabs(p.pv - 32.5) < 0.1);
	assert_true(fabs(l.out_pct - 79.2) < 1.0);
}

static void no_time_no_change(void **state)
{
	struct cfg_pid t = tune_of(4, 60, 0, 100, 5);
	struct pid_loop l;

	(void)state;
	pid_init(&l, &t, 12);
	assert_true(pid_update(&l, 5, 0, 0) == 12.0);
	assert_true(pid_update(&l, 5, 0, -1) == 12.0);
	assert_true(pid_update(&l, NAN, 0, DT_S) == 12.0);
	/* slew moves at the rate limit within the range */
	assert_true(fabs(pid_slew(&l, 100, 0, 1.0) - 17.0) < 1e-9);
	assert_true(fabs(pid_slew(&l, -50, 0, 100.0) - 0.0) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(step_response_settles),
		cmocka_unit_test(anti_windup_recovers_quickly),
		cmocka_unit_test(output_range_and_rate_limits),
		cmocka_unit_test(bumpless_manual_to_auto),
		cmocka_unit_test(reverse_action_cooling),
		cmocka_unit_test(no_time_no_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
