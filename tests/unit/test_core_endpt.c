/*
 * test_core_endpt: the economic end in the control core (core_endpt.c,
 * docs/CONTROL.md "Economic end"), inputs set by hand. The oil counter
 * follows a first-order curve in the step's running time, read to 1 g as
 * the gauge does, at steady steam and cooling flows, with the bundled
 * plant's prices (config/plant.yaml). The step must end on its own once
 * the next hour's oil has been worth less than the hour for `for`, with
 * the decision and its figures as an event; never before `not_before`; by
 * its max at the latest (ended, not held); a hold must pause it; and
 * status must carry the forecast.
 * links: controller/core.c controller/core_alarm.c controller/core_cmd.c controller/core_endpt.c controller/core_status.c controller/est.c controller/pid.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/ydoc.c common/sha256.c common/diag.c common/num.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "econ.h"

#define TICK_S 1.0
#define OIL_FINAL_G 3500.0         /* 0.7 % of 500 kg (process.md) */
#define K_PER_S (0.0236 / 60)      /* process.md's end-point example */
#define STEAM_KG_H 200.0
#define COOLING_L_MIN 150.0
#define FOR_S 900.0
#define DECISIONS_MAX 8

/* A still with an economic distil step and a cool-down. */
struct ep {
	struct cfg_plant plant;
	struct rcp_recipe r;
	struct core_still c;
	struct core_inputs in;
	struct core_outputs out;
	double now_s;
	struct core_event decision[DECISIONS_MAX]; /* CORE_EV_DECISION seen */
	int n_decisions;
	double ended_at_elapsed_s;   /* running time when distil ended, -1 */
	int held;                    /* a step or batch timeout held it */
};

static int setup(void **state)
{
	struct ep *e = calloc(1, sizeof *e);
	struct diag d;
	struct rcp_step *s;

	if (e == NULL)
		return -1;
	diag_init(&d);
	if (cfg_load(&e->plant, "config/plant.yaml", &d) < 0) {
		diag_print(&d, stderr);
		return -1;
	}
	snprintf(e->r.name, sizeof e->r.name, "leaf-economic");
	snprintf(e->r.feedstock, sizeof e->r.feedstock, "cassia-leaf");
	e->r.version = 1;
	e->r.charge_min_kg = 100;
	e->r.charge_max_kg = 600;
	e->r.n_steps = 2;
	s = &e->r.steps[0];
	snprintf(s->name, sizeof s->name, "distil");
	s->kind = RCP_DISTIL;
	s->control = RCP_CTL_OPEN;
	s->steam_min_pct = s->steam_max_pct = 80;
	s->distillate_min_c = 25;
	s->distillate_max_c = 40;
	s->end = RCP_END_ECONOMIC;
	s->econ_for_s = FOR_S;
	s->econ_not_before_s = 3600;
	s->max_s = 5 * 3600;
	s->alarm_pressure_high_kpa = s->alarm_distillate_high_c = NAN;
	s->alarm_distillate_low_c = NAN;
	e->r.steps[1] = *s;
	s = &e->r.steps[1];
	snprintf(s->name, sizeof s->name, "cool-down");
	s->kind = RCP_COOL_DOWN;
	s->steam_min_pct = s->steam_max_pct = 0;
	s->end = RCP_END_DURATION;
	s->duration_s = 60;
	s->max_s = 300;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* The oil counter at the step's running time t_s, to the gram. */
static double oil_g(double t_s)
{
	return floor(OIL_FINAL_G * (1 - exp(-K_PER_S * t_s)));
}

/* One tick: readings of a still distilling at steady flows, the valves
 * where commanded, a little noise so no sensor reads frozen. */
static void tick(struct ep *e)
{
	static const enum cfg_tag noisy[] = {
		CFG_TAG_STILL_TEMP, CFG_TAG_VAPOUR_TEMP, CFG_TAG_PRESSURE,
		CFG_TAG_DISTILLATE_TEMP, CFG_TAG_COOLING_FLOW, CFG_TAG_STEAM_FLOW,
	};
	double wiggle = fmod(e->now_s, 2) < 1 ? 0.01 : 0.02;
	struct core_event ev;

	e->in.comm_ok = 1;
	e->in.value[CFG_TAG_STILL_TEMP] = 100;
	e->in.value[CFG_TAG_VAPOUR_TEMP] = 100;
	e->in.value[CFG_TAG_PRESSURE] = 4;
	e->in.value[CFG_TAG_DISTILLATE_TEMP] = 32;
	e->in.value[CFG_TAG_COOLING_FLOW] = COOLING_L_MIN;
	e->in.value[CFG_TAG_STEAM_FLOW] = e->out.steam_pct > 1 ? STEAM_KG_H : 0;
	e->in.value[CFG_TAG_CHARGE] = 500;
	for (size_t i = 0; i < sizeof noisy / sizeof noisy[0]; i++)
		e->in.value[noisy[i]] += wiggle;
	if (e->c.step == 0 && e->c.state == CORE_RUNNING)
		e->in.value[CFG_TAG_OIL] = oil_g(e->c.step_elapsed_s);
	e->in.value[CFG_TAG_STEAM_POS] = e->out.steam_pct;
	e->in.value[CFG_TAG_COOLING_POS] = e->out.cooling_pct;
	e->now_s += TICK_S;
	core_step(&e->c, &e->in, e->now_s, &e->out);
	while (core_event_pop(&e->c, &ev) == 0) {
		if (ev.kind == CORE_EV_DECISION && e->n_decisions < DECISIONS_MAX)
			e->decision[e->n_decisions++] = ev;
		if (ev.kind == CORE_EV_STEP && strcmp(ev.old_value, "distil") == 0)
			/* the step's clock restarted; the batch began in distil */
			e->ended_at_elapsed_s = e->c.batch_elapsed_s;
		if (ev.kind == CORE_EV_ALARM && strstr(ev.what, "timeout"))
			e->held = 1;
	}
}

static void start(struct ep *e)
{
	struct core_cmd cmd = {.kind = CORE_CMD_START, .recipe = &e->r,
	                       .batch_id = 7, .charge_kg = 500};
	char cause[200];

	snprintf(cmd.operator_name, sizeof cmd.operator_name, "lan");
	core_init(&e->c, &e->plant, 0);
	e->ended_at_elapsed_s = -1;
	tick(e);
	if (core_command(&e->c, &cmd, e->now_s, cause, sizeof cause) != 0)
		fail_msg("start refused: %s", cause);
}

/* Ticks until the step's running time reaches t_s (the batch running). */
static void run_to(struct ep *e, double t_s)
{
	while (e->c.step_elapsed_s < t_s) {
		assert_int_equal(e->c.state, CORE_RUNNING);
		tick(e);
	}
}

/* Ticks until the distil step ended (or its time and an hour passed). */
static void run_distil(struct ep *e)
{
	for (long i = 0; i < 7 * 3600 && e->ended_at_elapsed_s < 0; i++)
		tick(e);
	for (int k = 0; e->ended_at_elapsed_s < 0 && k < e->c.n_alarms; k++)
		if (e->c.alarms[k].active)
			print_message("alarm %s: %s\n", e->c.alarms[k].id,
			              e->c.alarms[k].message);
	if (e->ended_at_elapsed_s < 0)
		fail_msg("distil did not end: %s at %.0f s of step %d; %s",
		         core_state_name(e->c.state), e->c.step_elapsed_s, e->c.step,
		         e->c.alarms[0].message);
	assert_false(e->held);
	assert_int_equal(e->n_decisions, 1);
	assert_string_equal(e->decision[0].what, "end point");
	assert_string_equal(e->decision[0].old_value, "distil");
	assert_string_equal(e->decision[0].cause, "recipe");
}

/* When the first-order curve's next hour is worth the hour's cost. */
static double break_even_s(const struct ep *e)
{
	double price = econ_oil_price_vnd_per_kg(&e->plant.econ, "cassia-leaf");
	double cost = econ_hour_cost_vnd(&e->plant.econ, STEAM_KG_H, COOLING_L_MIN);
	double first_hour_kg = OIL_FINAL_G / 1000 * (1 - exp(-K_PER_S * 3600));

	return log(price * first_hour_kg / cost) / K_PER_S;
}

/* The step ends on its own after the value stayed under the cost for
 * `for`, with the decision and the forecast in words. */
static void ends_after_settling(void **state)
{
	struct ep *e = *state;
	double t_star = break_even_s(e);
	const char *text;

	start(e);
	run_distil(e);
	assert_string_equal(e->decision[0].new_value, "economic end");
	/* the fit is good to a few minutes on a clean curve */
	assert_true(e->ended_at_elapsed_s >= t_star + FOR_S - 600);
	assert_true(e->ended_at_elapsed_s <= t_star + FOR_S + 600);
	text = e->decision[0].text;
	assert_non_null(strstr(text, "economic end after"));
	assert_non_null(strstr(text, "next hour"));
	assert_non_null(strstr(text, " VND, costs "));
	assert_non_null(strstr(text, "fit"));
	assert_non_null(strstr(text, "95 % at"));
	assert_true(strstr(text, "first-order") || strstr(text, "two-stage"));
	assert_int_equal(e->c.step, 1);
}

/* With not_before past the break-even, the step waits for it. */
static void not_before_not_before(void **state)
{
	struct ep *e = *state;
	double late = break_even_s(e) + FOR_S + 1800;

	e->r.steps[0].econ_not_before_s = late;
	start(e);
	run_distil(e);
	assert_string_equal(e->decision[0].new_value, "economic end");
	assert_true(e->ended_at_elapsed_s >= late);
	assert_true(e->ended_at_elapsed_s <= late + 2 * TICK_S);
}

/* Oil too dear to stop: the step ends at its max, by the recipe maximum,
 * and the batch goes on (no timeout hold). */
static void max_ends_it(void **state)
{
	struct ep *e = *state;

	e->plant.econ.oil_price[0].vnd_per_kg *= 1000;
	e->r.steps[0].max_s = 3 * 3600;
	start(e);
	run_distil(e);
	assert_string_equal(e->decision[0].new_value, "maximum end");
	assert_non_null(strstr(e->decision[0].text, "recipe maximum"));
	assert_true(e->ended_at_elapsed_s >= 3 * 3600);
	assert_true(e->ended_at_elapsed_s <= 3 * 3600 + 2 * TICK_S);
	assert_int_equal(e->c.state, CORE_RUNNING);
	assert_int_equal(e->c.step, 1);
}

/* A hold in the middle of the settling time pauses it: the step ends at
 * the same running time as without the hold. */
static void hold_pauses_it(void **state)
{
	struct ep *e = *state;
	struct core_cmd cmd = {.kind = CORE_CMD_HOLD, .batch_id = 7};
	double t_hold = break_even_s(e) + FOR_S / 2, plain_end, started;
	char cause[200];

	start(e);
	run_distil(e);
	plain_end = e->ended_at_elapsed_s;
	e->n_decisions = 0;
	start(e);
	started = e->now_s;
	run_to(e, t_hold);
	snprintf(cmd.operator_name, sizeof cmd.operator_name, "lan");
	assert_int_equal(core_command(&e->c, &cmd, e->now_s, cause, sizeof cause), 0);
	for (int i = 0; i < 2 * 3600; i++)
		tick(e);
	assert_int_equal(e->c.state, CORE_HELD);
	assert_int_equal(e->n_decisions, 0);
	cmd.kind = CORE_CMD_RESTART;
	assert_int_equal(core_command(&e->c, &cmd, e->now_s, cause, sizeof cause), 0);
	run_distil(e);
	assert_string_equal(e->decision[0].new_value, "economic end");
	assert_true(fabs(e->ended_at_elapsed_s - plain_end) <= 60);
	assert_true(e->now_s - started > plain_end + 7000);
}

/* status: the forecast, the yield it means, the next hour's value and
 * cost, and a time left from the forecast, while distilling. */
static void status_carries_the_forecast(void **state)
{
	struct ep *e = *state;
	struct core_status *st = malloc(sizeof *st);
	double t_star = break_even_s(e);

	assert_non_null(st);
	start(e);
	run_to(e, 5400);
	core_status_fill(&e->c, e->now_s, st);
	assert_true(st->fc.valid);
	assert_true(fabs(st->fc.final_kg - OIL_FINAL_G / 1000) < 0.2);
	assert_true(fabs(st->fc_yield_pct - 100 * st->fc.final_kg / 500) < 1e-9);
	assert_true(st->next_hour_value_vnd > st->hour_cost_vnd);
	assert_true(fabs(st->hour_cost_vnd - econ_hour_cost_vnd(&e->plant.econ,
	                 STEAM_KG_H, COOLING_L_MIN)) < 1000);
	/* ends at t* + for, then a 60 s cool-down: within 10 min of that */
	assert_true(fabs(st->time_left_s - (t_star + FOR_S - 5400 + 60)) < 600);
	run_distil(e);
	tick(e);
	core_status_fill(&e->c, e->now_s, st);
	assert_false(st->fc.valid);
	assert_true(isnan(st->next_hour_value_vnd) && isnan(st->fc_yield_pct));
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ends_after_settling, setup, teardown),
		cmocka_unit_test_setup_teardown(not_before_not_before, setup, teardown),
		cmocka_unit_test_setup_teardown(max_ends_it, setup, teardown),
		cmocka_unit_test_setup_teardown(hold_pauses_it, setup, teardown),
		cmocka_unit_test_setup_teardown(status_carries_the_forecast, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
