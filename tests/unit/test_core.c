/*
 * test_core: the control core on its own, inputs set by hand: every batch
 * command in every state (accepted or refused with a sentence, and then
 * nothing changed), each interlock ending with safe outputs and latched
 * until acknowledged and reset, the alarm lifecycle, prompts, step and
 * batch maximum times, manual/auto, recovery after a daemon restart, the
 * event trail, the oil rate and the time-left estimate.
 */
/* links: controller/core.c controller/core_alarm.c controller/core_cmd.c controller/core_endpt.c controller/est.c controller/pid.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/ydoc.c common/sha256.c common/diag.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define DT_S 0.2
#define OP "mai"
#define EV_MAX 4096

struct fx {
	struct cfg_plant plant;
	struct rcp_recipe r;
	struct core_still c;
	struct core_inputs in;
	struct core_outputs out;
	double now;
	char cause[256];
	unsigned frozen_mask;         /* tags tick() leaves without noise */
	long n_ticks;
	struct core_event ev[EV_MAX]; /* every event popped so far */
	int n_ev;
};

enum { S_HEAT, S_CHECK, S_DISTIL, S_COOL };

static void step_set(struct rcp_step *s, const char *name, enum rcp_kind kind,
                     enum rcp_control ctl, double target, double smin,
                     double smax, enum rcp_end end, double max_s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->kind = kind;
	s->control = ctl;
	s->target = target;
	s->steam_min_pct = smin;
	s->steam_max_pct = smax;
	s->distillate_min_c = 25;
	s->distillate_max_c = 40;
	s->end = end;
	s->max_s = max_s;
	s->alarm_pressure_high_kpa = NAN;
	s->alarm_distillate_high_c = NAN;
	s->alarm_distillate_low_c = NAN;
}

/* heat-up (open to vapour 98 C), a confirmation, distil (5 kPa, 600 s),
 * cool-down (steam closed, 60 s). */
static void recipe_make(struct rcp_recipe *r)
{
	struct rcp_step *s = r->steps;

	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "test-leaf");
	snprintf(r->feedstock, sizeof r->feedstock, "cassia-leaf");
	r->version = 3;
	r->charge_min_kg = 100;
	r->charge_max_kg = 600;
	step_set(&s[S_HEAT], "heat-up", RCP_HEAT_UP, RCP_CTL_OPEN, 0, 0, 80,
	         RCP_END_REACH, 1800);
	s[S_HEAT].reach_tag = CFG_TAG_VAPOUR_TEMP;
	s[S_HEAT].reach_above = 1;
	s[S_HEAT].reach_value = 98;
	step_set(&s[S_CHECK], "check", RCP_PROMPT, RCP_CTL_PRESSURE, 5, 0, 90,
	         RCP_END_CONFIRM, 600);
	snprintf(s[S_CHECK].prompt, sizeof s[S_CHECK].prompt,
	         "Is oil showing in the separator?");
	step_set(&s[S_DISTIL], "distil", RCP_DISTIL, RCP_CTL_PRESSURE, 5, 10, 90,
	         RCP_END_DURATION, 1200);
	s[S_DISTIL].duration_s = 600;
	step_set(&s[S_COOL], "cool-down", RCP_COOL_DOWN, RCP_CTL_OPEN, 0, 0, 0,
	         RCP_END_DURATION, 300);
	s[S_COOL].duration_s = 60;
	r->n_steps = 4;
}

static void inputs_normal(struct core_inputs *in)
{
	memset(in, 0, sizeof *in);
	in->comm_ok = 1;
	in->value[CFG_TAG_STILL_TEMP] = 25;
	in->value[CFG_TAG_VAPOUR_TEMP] = 25;
	in->value[CFG_TAG_PRESSURE] = 0;
	in->value[CFG_TAG_DISTILLATE_TEMP] = 30;
	in->value[CFG_TAG_COOLING_FLOW] = 200;
	in->value[CFG_TAG_STEAM_FLOW] = 50;
	in->value[CFG_TAG_CHARGE] = 500;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	cfg_defaults(&f->plant);
	recipe_make(&f->r);
	core_init(&f->c, &f->plant, 0);
	inputs_normal(&f->in);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void drain(struct fx *f)
{
	struct core_event e;

	while (core_event_pop(&f->c, &e) == 0)
		if (f->n_ev < EV_MAX)
			f->ev[f->n_ev++] = e;
}

/* The last event of kind about what (NULL: any) since mark. */
static const struct core_event *ev_find(struct fx *f, int mark,
                                        enum core_event_kind kind,
                                        const char *what, const char *new_v)
{
	drain(f);
	for (int i = f->n_ev - 1; i >= mark; i--) {
		const struct core_event *e = &f->ev[i];

		if (e->kind == kind && (!what || strcmp(e->what, what) == 0) &&
		    (!new_v || strcmp(e->new_value, new_v) == 0))
			return e;
	}
	return NULL;
}

static int ev_mark(struct fx *f)
{
	drain(f);
	return f->n_ev;
}

/* One tick; the steam valve position follows its command. The analog
 * readings get a little noise, as live sensors have, except those in
 * frozen_mask (a healthy reading that never changes is a frozen sensor). */
static void tick(struct fx *f)
{
	static const enum cfg_tag noisy[] = {
		CFG_TAG_STILL_TEMP, CFG_TAG_VAPOUR_TEMP, CFG_TAG_PRESSURE,
		CFG_TAG_DISTILLATE_TEMP, CFG_TAG_COOLING_FLOW, CFG_TAG_STEAM_FLOW,
	};

	for (size_t i = 0; i < sizeof noisy / sizeof noisy[0]; i++)
		if (!(f->frozen_mask & (1u << noisy[i])))
			f->in.value[noisy[i]] += f->n_ticks % 2 ? 0.01 : -0.01;
	f->n_ticks++;
	f->now += DT_S;
	core_step(&f->c, &f->in, f->now, &f->out);
	f->in.value[CFG_TAG_STEAM_POS] = f->out.steam_pct;
	f->in.value[CFG_TAG_COOLING_POS] = f->out.cooling_pct;
	drain(f);
}

static void ticks_for(struct fx *f, double secs)
{
	for (double t = 0; t < secs - 1e-9; t += DT_S)
		tick(f);
}

static int cmd_full(struct fx *f, enum core_cmd_kind kind, const char *text,
                    enum core_output o, double pct, double shelve_s)
{
	struct core_cmd c;

	memset(&c, 0, sizeof c);
	c.kind = kind;
	snprintf(c.operator_name, sizeof c.operator_name, OP);
	c.recipe = &f->r;
	c.batch_id = 41;
	c.charge_kg = 500;
	snprintf(c.text, sizeof c.text, "%s", text ? text : "");
	c.output = o;
	c.pct = pct;
	c.shelve_s = shelve_s;
	f->cause[0] = '\0';
	return core_command(&f->c, &c, f->now, f->cause, sizeof f->cause);
}

static int cmd(struct fx *f, enum core_cmd_kind kind)
{
	return cmd_full(f, kind, "", CORE_OUT_STEAM, 0, 0);
}

static const struct core_alarm *alarm(struct fx *f, const char *id)
{
	const struct core_alarm *a = core_alarm_find(&f->c, id);

	assert_non_null(a);
	return a;
}

static void assert_safe(struct fx *f)
{
	assert_true(f->out.steam_pct == f->plant.safe_steam_pct);
	assert_true(f->out.cooling_pct == f->plant.safe_cooling_pct);
}

/* ---- driving a still to each state ------------------------------------ */

static void to_running(struct fx *f)
{
	tick(f);
	assert_int_equal(cmd(f, CORE_CMD_START), 0);
	assert_int_equal(f->c.state, CORE_RUNNING);
	tick(f);
}

/* Running in the distil step with the pressure loop in control. */
static void to_distil(struct fx *f)
{
	to_running(f);
	f->in.value[CFG_TAG_VAPOUR_TEMP] = 99;
	f->in.value[CFG_TAG_PRESSURE] = 2;
	tick(f);
	assert_int_equal(f->c.step, S_CHECK);
	assert_int_equal(cmd_full(f, CORE_CMD_ANSWER, "yes", 0, 0, 0), 0);
	tick(f);
	assert_int_equal(f->c.step, S_DISTIL);
	ticks_for(f, 120);
	assert_true(f->out.steam_pct > 15);
}

static void to_held(struct fx *f)
{
	to_running(f);
	ticks_for(f, 5);
	assert_int_equal(cmd(f, CORE_CMD_HOLD), 0);
	ticks_for(f, 60);
	assert_int_equal(f->c.state, CORE_HELD);
}

static void to_complete(struct fx *f)
{
	to_distil(f);
	ticks_for(f, 600);
	assert_int_equal(f->c.step, S_COOL);
	ticks_for(f, 61);
	assert_int_equal(f->c.state, CORE_COMPLETE);
}

static void to_lost(struct fx *f)
{
	tick(f);
	core_recover(&f->c, 41, &f->r, S_DISTIL, 500, OP, f->now);
}

static void drive(struct fx *f, enum core_state s)
{
	switch (s) {
	case CORE_IDLE:
		tick(f);
		break;
	case CORE_RUNNING:
		to_running(f);
		break;
	case CORE_HOLDING:
		to_running(f);
		ticks_for(f, 5);
		assert_int_equal(cmd(f, CORE_CMD_HOLD), 0);
		break;
	case CORE_HELD:
		to_held(f);
		break;
	case CORE_RESTARTING:
		to_held(f);
		assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
		break;
	case CORE_STOPPING:
		to_running(f);
		assert_int_equal(cmd(f, CORE_CMD_STOP), 0);
		break;
	case CORE_STOPPED:
		to_running(f);
		assert_int_equal(cmd(f, CORE_CMD_STOP), 0);
		ticks_for(f, 2);
		break;
	case CORE_ABORTING:
		to_running(f);
		assert_int_equal(cmd(f, CORE_CMD_ABORT), 0);
		break;
	case CORE_ABORTED:
		to_running(f);
		assert_int_equal(cmd(f, CORE_CMD_ABORT), 0);
		ticks_for(f, 1);
		break;
	case CORE_COMPLETE:
		to_complete(f);
		break;
	case CORE_LOST:
		to_lost(f);
		break;
	default:
		fail();
	}
	assert_int_equal(f->c.state, s);
}

/* ---- state transitions ------------------------------------------------ */

#define X (-1) /* refused */

/* What each batch command does in each state: the new state or X.
 * Columns: start, hold, restart, stop, abort, reset (batch_cmds). */
static const int transitions[CORE_STATE_COUNT][6] = {
	[CORE_IDLE] = {CORE_RUNNING, X, X, X, X, X},
	[CORE_RUNNING] = {X, CORE_HOLDING, X, CORE_STOPPING, CORE_ABORTING, X},
	[CORE_HOLDING] = {X, X, X, CORE_STOPPING, CORE_ABORTING, X},
	[CORE_HELD] = {X, X, CORE_RESTARTING, CORE_STOPPING, CORE_ABORTING, X},
	[CORE_RESTARTING] = {X, CORE_HOLDING, X, CORE_STOPPING, CORE_ABORTING, X},
	[CORE_STOPPING] = {X, X, X, X, CORE_ABORTING, X},
	[CORE_STOPPED] = {X, X, X, X, X, CORE_IDLE},
	[CORE_ABORTING] = {X, X, X, X, X, X},
	[CORE_ABORTED] = {X, X, X, X, X, CORE_IDLE},
	[CORE_COMPLETE] = {X, X, X, X, X, CORE_IDLE},
	[CORE_LOST] = {X, X, CORE_RESTARTING, CORE_STOPPING, CORE_ABORTING, X},
};

static const enum core_cmd_kind batch_cmds[6] = {
	CORE_CMD_START, CORE_CMD_HOLD, CORE_CMD_RESTART,
	CORE_CMD_STOP, CORE_CMD_ABORT, CORE_CMD_RESET,
};

static void every_transition_allowed_and_refused(void **state)
{
	struct core_still *snap = malloc(sizeof *snap);

	(void)state;
	assert_non_null(snap);
	for (int s = 0; s < CORE_STATE_COUNT; s++) {
		for (int k = 0; k < 6; k++) {
			struct fx *f;
			int want = transitions[s][k], mark, rc;
			const struct core_event *e;

			assert_int_equal(setup((void **)&f), 0);
			drive(f, s);
			mark = ev_mark(f);
			memcpy(snap, &f->c, sizeof *snap);
			rc = cmd(f, batch_cmds[k]);
			if (want == X) {
				if (rc != -1)
					fail_msg("%s accepted in %s",
					         core_cmd_name(batch_cmds[k]),
					         core_state_name(s));
				/* a sentence naming the still, and nothing changed */
				assert_non_null(strstr(f->cause, "still1"));
				assert_true(strlen(f->cause) > 20);
				assert_memory_equal(snap, &f->c, sizeof *snap);
			} else {
				if (rc != 0)
					fail_msg("%s refused in %s: %s",
					         core_cmd_name(batch_cmds[k]),
					         core_state_name(s), f->cause);
				assert_int_equal(f->c.state, want);
				e = ev_find(f, mark, CORE_EV_COMMAND,
				            core_cmd_name(batch_cmds[k]), NULL);
				assert_non_null(e);
				assert_string_equal(e->who, OP);
				assert_string_equal(e->cause, "operator");
				e = ev_find(f, mark, CORE_EV_STATE, "state",
				            core_state_name(want));
				assert_non_null(e);
				assert_string_equal(e->old_value, core_state_name(s));
			}
			teardown((void **)&f);
		}
	}
	free(snap);
}

static void refusal_sentences(void **state)
{
	struct fx *f = *state;

	to_running(f);
	assert_int_equal(cmd(f, CORE_CMD_START), -1);
	assert_string_equal(f->cause,
	                    "still1 is running batch 41; hold or stop it first");
	assert_int_equal(cmd(f, CORE_CMD_RESTART), -1);
	assert_string_equal(f->cause, "still1 is running batch 41; restart "
	                    "needs a held or lost batch");
	assert_int_equal(cmd(f, CORE_CMD_ABORT), 0);
	tick(f);
	tick(f);
	assert_int_equal(cmd(f, CORE_CMD_START), -1);
	assert_string_equal(f->cause, "still1 has batch 41 aborted; reset it first");
	assert_int_equal(cmd(f, CORE_CMD_RESET), 0);
	assert_int_equal(f->c.batch_id, 0);
	assert_int_equal(cmd(f, CORE_CMD_HOLD), -1);
	assert_string_equal(f->cause, "still1 is idle; hold needs a running batch");
	/* a start that is wrong in itself */
	f->r.charge_max_kg = 400;
	assert_int_equal(cmd(f, CORE_CMD_START), -1);
	assert_non_null(strstr(f->cause, "charge 500.0 kg is outside"));
	f->r.n_steps = 0;
	assert_int_equal(cmd(f, CORE_CMD_START), -1);
	assert_non_null(strstr(f->cause, "needs a recipe"));
	assert_int_equal(f->c.state, CORE_IDLE);
}

static void transients_last_a_tick_and_complete(void **state)
{
	struct fx *f = *state;

	/* holding with the steam already at the hold value still lasts one
	 * tick before held */
	tick(f);
	assert_int_equal(cmd(f, CORE_CMD_START), 0);
	assert_int_equal(cmd(f, CORE_CMD_HOLD), 0);
	tick(f);
	assert_int_equal(f->c.state, CORE_HOLDING);
	tick(f);
	assert_int_equal(f->c.state, CORE_HELD);
	/* restarting: one tick, then running */
	assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
	tick(f);
	assert_int_equal(f->c.state, CORE_RESTARTING);
	tick(f);
	assert_int_equal(f->c.state, CORE_RUNNING);
	/* an operator hold winds the steam down at the loop's rate limit */
	ticks_for(f, 20);
	assert_true(f->out.steam_pct > 50);
	assert_int_equal(cmd(f, CORE_CMD_HOLD), 0);
	tick(f);
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_true(f->out.steam_pct > 40);
	ticks_for(f, 5);
	assert_int_equal(f->c.state, CORE_HOLDING); /* still winding down */
	assert_true(f->out.steam_pct > 15);
	ticks_for(f, 25);
	assert_int_equal(f->c.state, CORE_HELD);
	assert_safe(f);
	/* stopping waits for the valve to read closed */
	assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
	ticks_for(f, 20);
	assert_int_equal(f->c.state, CORE_RUNNING);
	assert_int_equal(cmd(f, CORE_CMD_STOP), 0);
	f->in.value[CFG_TAG_STEAM_POS] = 40;
	core_step(&f->c, &f->in, f->now += DT_S, &f->out);
	assert_true(f->out.steam_pct == 0);
	for (int i = 0; i < 50; i++) {
		core_step(&f->c, &f->in, f->now += DT_S, &f->out);
		assert_int_equal(f->c.state, CORE_STOPPING);
	}
	f->in.value[CFG_TAG_STEAM_POS] = 1;
	tick(f);
	assert_int_equal(f->c.state, CORE_STOPPED);
	assert_non_null(ev_find(f, 0, CORE_EV_STATE, "state", "stopped"));
}

/* ---- interlocks --------------------------------------------------------- */

struct trip_case {
	const char *alarm;
	void (*on)(struct fx *f);
	void (*off)(struct fx *f);
	const char *cause;
};

static void hh_on(struct fx *f) { f->in.value[CFG_TAG_PRESSURE] = 41; }
static void hh_off(struct fx *f) { f->in.value[CFG_TAG_PRESSURE] = 3; }
static void relief_on(struct fx *f)
{
	f->in.value[CFG_TAG_STATUS] = CFG_STATUS_RELIEF_LIFTED;
}
static void relief_off(struct fx *f) { f->in.value[CFG_TAG_STATUS] = 0; }
static void cool_on(struct fx *f) { f->in.value[CFG_TAG_COOLING_FLOW] = 10; }
static void cool_off(struct fx *f) { f->in.value[CFG_TAG_COOLING_FLOW] = 200; }
static void dhh_on(struct fx *f) { f->in.value[CFG_TAG_DISTILLATE_TEMP] = 62; }
static void dhh_off(struct fx *f) { f->in.value[CFG_TAG_DISTILLATE_TEMP] = 33; }
static void bad_on(struct fx *f)
{
	f->in.quality[CFG_TAG_PRESSURE] = CORE_Q_BAD;
}
static void bad_off(struct fx *f)
{
	f->in.quality[CFG_TAG_PRESSURE] = CORE_Q_GOOD;
}
static void range_on(struct fx *f) { f->in.value[CFG_TAG_DISTILLATE_TEMP] = -40; }
static void comm_on(struct fx *f) { f->in.comm_ok = 0; }
static void comm_off(struct fx *f) { f->in.comm_ok = 1; }
static void wd_on(struct fx *f)
{
	f->in.value[CFG_TAG_STATUS] = CFG_STATUS_WATCHDOG;
}

static const struct trip_case trips[] = {
	{"pressure_hh", hh_on, hh_off, "interlock"},
	{"relief_lifted", relief_on, relief_off, "interlock"},
	{"cooling_lost", cool_on, cool_off, "interlock"},
	{"distillate_hh", dhh_on, dhh_off, "interlock"},
	{"sensor_pressure", bad_on, bad_off, "fault"},
	{"sensor_distillate_temp", range_on, dhh_off, "fault"},
	{"comm_loss", comm_on, comm_off, "fault"},
	{"watchdog", wd_on, relief_off, "fault"},
};

static void run_trip_case(const struct trip_case *tc)
{
	struct fx *f;
	const struct core_alarm *a;
	const struct core_event *e;
	double steam_before;
	int mark, i;

	assert_int_equal(setup((void **)&f), 0);
	to_distil(f);
	steam_before = f->out.steam_pct;
	assert_true(steam_before > 10);
	mark = ev_mark(f);
	tc->on(f);
	/* the trip acts on the tick it is seen; cooling and comm loss need
	 * their delays (10 s of low flow, comm_loss_ticks missed reads) */
	for (i = 0; i < 100 && f->c.state == CORE_RUNNING; i++)
		tick(f);
	a = alarm(f, tc->alarm);
	assert_true(a->active);
	assert_true(a->latched_trip);
	assert_int_equal(a->state, CORE_AL_UNACK);
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_safe(f);
	e = ev_find(f, mark, CORE_EV_STATE, "state", "holding");
	assert_non_null(e);
	assert_string_equal(e->cause, tc->cause);
	assert_string_equal(e->who, "controller");
	assert_non_null(ev_find(f, mark, CORE_EV_ALARM, tc->alarm, "unack"));
	ticks_for(f, 5);
	assert_int_equal(f->c.state, CORE_HELD);
	assert_safe(f);
	/* manual steam does not override the trip */
	assert_int_equal(cmd_full(f, CORE_CMD_MANUAL, "", CORE_OUT_STEAM, 50, 0), 0);
	tick(f);
	assert_safe(f);
	assert_int_equal(cmd_full(f, CORE_CMD_AUTO, "", CORE_OUT_STEAM, 0, 0), 0);
	/* the condition goes: still latched, steam still safe */
	tc->off(f);
	ticks_for(f, 5);
	assert_false(a->active);
	assert_true(a->latched_trip);
	assert_int_equal(a->state, CORE_AL_RTN_UNACK);
	assert_safe(f);
	assert_int_equal(cmd(f, CORE_CMD_RESTART), -1);
	assert_non_null(strstr(f->cause, "latched"));
	assert_int_equal(cmd(f, CORE_CMD_RESET), -1);
	assert_non_null(strstr(f->cause, "not acknowledged"));
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, tc->alarm, 0, 0, 0), 0);
	assert_int_equal(a->state, CORE_AL_NORMAL);
	assert_true(a->latched_trip);
	ticks_for(f, 5);
	assert_safe(f);
	assert_true(core_alarm_active_count(&f->c) >= 1);
	/* reset clears the latch; restart resumes the step */
	mark = ev_mark(f);
	assert_int_equal(cmd(f, CORE_CMD_RESET), 0);
	assert_false(a->latched_trip);
	assert_non_null(ev_find(f, mark, CORE_EV_ALARM, tc->alarm, "reset"));
	assert_int_equal(f->c.state, CORE_HELD);
	assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
	ticks_for(f, 60);
	assert_int_equal(f->c.state, CORE_RUNNING);
	assert_int_equal(f->c.step, S_DISTIL);
	assert_true(f->out.steam_pct > 5);
	teardown((void **)&f);
}

static void each_interlock_trips_and_latches(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof trips / sizeof trips[0]; i++)
		run_trip_case(&trips[i]);
}

static void trip_reset_needs_condition_gone(void **state)
{
	struct fx *f = *state;

	to_distil(f);
	hh_on(f);
	ticks_for(f, 5);
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "", 0, 0, 0), 0);
	assert_int_equal(cmd(f, CORE_CMD_RESET), -1);
	assert_non_null(strstr(f->cause, "still present"));
	/* a trip while idle alarms but cannot latch; start is refused while
	 * the condition stands */
	assert_int_equal(cmd(f, CORE_CMD_ABORT), 0);
	ticks_for(f, 1);
	assert_int_equal(cmd(f, CORE_CMD_RESET), 0);
	assert_int_equal(f->c.state, CORE_IDLE);
	assert_true(alarm(f, "pressure_hh")->latched_trip); /* still present */
	assert_int_equal(cmd(f, CORE_CMD_START), -1);
	assert_non_null(strstr(f->cause, "pressure_hh latched"));
	hh_off(f);
	ticks_for(f, 1);
	assert_int_equal(cmd(f, CORE_CMD_RESET), 0);
	assert_int_equal(cmd(f, CORE_CMD_START), 0);
}

static void comm_loss_after_n_ticks(void **state)
{
	struct fx *f = *state;
	double steam;
	int n = f->plant.comm_loss_ticks;

	to_distil(f);
	steam = f->out.steam_pct;
	f->in.comm_ok = 0;
	f->in.value[CFG_TAG_PRESSURE] = 99; /* garbage: must not be used */
	for (int i = 0; i < n - 1; i++) {
		tick(f);
		assert_false(alarm(f, "comm_loss")->active);
		assert_true(f->out.steam_pct == steam); /* outputs held */
		assert_int_equal(f->c.state, CORE_RUNNING);
	}
	tick(f);
	assert_true(alarm(f, "comm_loss")->active);
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_safe(f);
	assert_false(alarm(f, "pressure_hh")->active);
}

/* At a speed-up the loop gives the core a wall-clock floor (in process
 * seconds): comm_loss_ticks missed reads are not enough until the link has
 * also been silent that long; a good read before then starts it again. */
static void comm_loss_waits_for_the_floor(void **state)
{
	struct fx *f = *state;
	int n = f->plant.comm_loss_ticks;
	double t0;

	to_distil(f);
	core_set_comm_floor(&f->c, 10.0);
	f->in.comm_ok = 0;
	for (int i = 0; i < n + 5; i++) {
		tick(f);
		assert_false(alarm(f, "comm_loss")->active);
	}
	f->in.comm_ok = 1;
	tick(f);
	t0 = f->now;
	f->in.comm_ok = 0;
	while (!alarm(f, "comm_loss")->active) {
		assert_int_equal(f->c.state, CORE_RUNNING);
		assert_true(f->now - t0 < 10.0 + 1e-6);
		tick(f);
	}
	/* on the first tick at or past the floor (a process-time sum) */
	assert_true(f->now - t0 > 10.0 - 1e-6);
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_safe(f);
}

/* A failing disk raises the storage alarm but never stops control. */
static void storage_fault_alarms_without_a_trip(void **state)
{
	struct fx *f = *state;
	int mark;

	to_distil(f);
	mark = ev_mark(f);
	f->in.storage_fault = 1;
	ticks_for(f, 5);
	assert_true(alarm(f, "storage")->active);
	assert_int_equal(alarm(f, "storage")->state, CORE_AL_UNACK);
	assert_non_null(ev_find(f, mark, CORE_EV_ALARM, "storage", "unack"));
	assert_int_equal(f->c.state, CORE_RUNNING);
	assert_true(f->out.steam_pct > 0);
	f->in.storage_fault = 0;
	ticks_for(f, 5);
	assert_false(alarm(f, "storage")->active);
	assert_int_equal(alarm(f, "storage")->state, CORE_AL_RTN_UNACK);
}

/* The journal set an item aside: the journal alarm comes on (for the
 * tick that saw it) and waits for an acknowledgement; control goes on. */
static void journal_aside_alarms_without_a_trip(void **state)
{
	struct fx *f = *state;
	int mark;

	to_distil(f);
	mark = ev_mark(f);
	f->in.journal_aside = 1;
	ticks_for(f, 1);
	assert_non_null(ev_find(f, mark, CORE_EV_ALARM, "journal", "unack"));
	f->in.journal_aside = 0;
	ticks_for(f, 5);
	assert_int_equal(alarm(f, "journal")->state, CORE_AL_RTN_UNACK);
	assert_int_equal(f->c.state, CORE_RUNNING);
	assert_true(f->out.steam_pct > 0);
}

/* Thirty alarms a minute: every transition is an event, the flood is
 * entered once, counted, and left when the rate falls. */
static void alarm_flood_counted(void **state)
{
	struct fx *f = *state;
	int mark, raised = 0;

	to_distil(f);
	mark = ev_mark(f);
	for (int i = 0; i < 30; i++) {
		f->in.value[CFG_TAG_DISTILLATE_TEMP] = 47; /* distillate_high */
		ticks_for(f, 1);
		raised += alarm(f, "distillate_high")->active;
		f->in.value[CFG_TAG_DISTILLATE_TEMP] = 30;
		ticks_for(f, 1);
	}
	assert_int_equal(raised, 30);
	assert_true(core_alarm_rate(&f->c, f->now) >= 30);
	assert_int_equal(f->c.flood, 1);
	assert_int_equal(f->c.floods, 1);
	assert_non_null(ev_find(f, mark, CORE_EV_ALARM, "flood", "flood"));
	/* the alarm's own states stayed right: it came back, unacknowledged */
	assert_int_equal(alarm(f, "distillate_high")->state, CORE_AL_RTN_UNACK);
	ticks_for(f, CORE_FLOOD_WINDOW_S + 10);
	assert_int_equal(f->c.flood, 0);
	assert_int_equal(f->c.floods, 1);
	assert_non_null(ev_find(f, mark, CORE_EV_ALARM, "flood", "normal"));
}

static void distillate_hot_cuts_steam_back(void **state)
{
	struct fx *f = *state;
	double steam;

	to_distil(f);
	f->in.value[CFG_TAG_PRESSURE] = 1; /* keep the loop asking for more */
	ticks_for(f, 60);
	steam = f->out.steam_pct;
	assert_true(steam > 30);
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 47;
	ticks_for(f, 20);
	assert_true(alarm(f, "distillate_high")->active);
	assert_int_equal(f->c.state, CORE_RUNNING);
	/* 0.5 %/s for 20 s */
	assert_true(f->out.steam_pct <= steam - 9.5);
	assert_true(f->out.steam_pct >= steam - 10.5);
	/* too hot still: the trip */
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 61;
	tick(f);
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_safe(f);
	assert_true(alarm(f, "distillate_hh")->latched_trip);
}

static void frozen_sensor_is_bad(void **state)
{
	struct fx *f = *state;
	double frozen_from_s;

	f->plant.limits.sensor_frozen_s = 200;
	to_distil(f);
	/* the cooling valve held still in manual */
	assert_int_equal(cmd_full(f, CORE_CMD_MANUAL, "", CORE_OUT_COOLING, 60, 0),
	                 0);
	ticks_for(f, 1);
	f->frozen_mask = (1u << CFG_TAG_PRESSURE) | (1u << CFG_TAG_DISTILLATE_TEMP);
	/* a reading that never moves while the loop drives the steam valve
	 * from ~74 % down to its floor: frozen */
	f->in.value[CFG_TAG_PRESSURE] = 8.0;
	frozen_from_s = f->now;
	for (int i = 0; i < 3000 && f->c.state == CORE_RUNNING; i++) {
		tick(f);
	}
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_true(alarm(f, "sensor_pressure")->active);
	assert_non_null(strstr(alarm(f, "sensor_pressure")->message, "frozen"));
	assert_int_equal(f->c.tag_quality[CFG_TAG_PRESSURE], CORE_Q_BAD);
	/* counted from when the steam valve had moved far enough */
	assert_true(f->now - frozen_from_s > 200);
	/* a reading that keeps still while its output does not move is
	 * fine: the distillate stayed at 30 C with the cooling valve fixed */
	assert_false(alarm(f, "sensor_distillate_temp")->active);
}

/* A steam flow that read 0 while the valve moved is judged frozen; once
 * the batch is stopped and the valve has rested closed for sensor_frozen_s,
 * the 0 is what a shut valve gives: the evidence is old, the interlock's
 * condition goes and the still can start again (it stayed latched for
 * good: a stopped still's steam flow never changes). */
static void frozen_evidence_ages_at_rest(void **state)
{
	struct fx *f = *state;

	f->plant.limits.sensor_frozen_s = 60;
	to_distil(f);
	f->frozen_mask = 1u << CFG_TAG_STEAM_FLOW;
	f->in.value[CFG_TAG_STEAM_FLOW] = 0;
	f->in.value[CFG_TAG_PRESSURE] = 8.0;    /* the loop closes the valve */
	for (int i = 0; i < 3000 && f->c.state == CORE_RUNNING; i++)
		tick(f);
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_non_null(strstr(alarm(f, "sensor_steam_flow")->message, "frozen"));
	ticks_for(f, 5);
	assert_int_equal(cmd(f, CORE_CMD_STOP), 0);
	ticks_for(f, 30);
	assert_int_equal(f->c.state, CORE_STOPPED);
	/* still within sensor_frozen_s of the valve's last travel: frozen */
	assert_int_equal(f->c.tag_quality[CFG_TAG_STEAM_FLOW], CORE_Q_BAD);
	ticks_for(f, 60);
	assert_int_equal(f->c.tag_quality[CFG_TAG_STEAM_FLOW], CORE_Q_GOOD);
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "sensor_steam_flow", 0, 0, 0), 0);
	ticks_for(f, 1);
	assert_int_equal(cmd(f, CORE_CMD_RESET), 0);
	assert_int_equal(f->c.state, CORE_IDLE);
	/* a sensor truly stuck is found again once the valve moves */
	f->in.value[CFG_TAG_PRESSURE] = 2;      /* the loop opens the valve */
	assert_int_equal(cmd(f, CORE_CMD_START), 0);
	for (int i = 0; i < 3000 && f->c.state == CORE_RUNNING; i++)
		tick(f);
	assert_int_equal(f->c.state, CORE_HOLDING);
	assert_true(alarm(f, "sensor_steam_flow")->active);
}

/* ---- alarms ------------------------------------------------------------- */

static void alarm_lifecycle(void **state)
{
	struct fx *f = *state;
	const struct core_alarm *a = alarm(f, "pressure_high");
	int mark;

	f->plant.limits.pressure_rise_kpa_per_min = 1e6; /* steps, not a ramp */
	tick(f);
	assert_int_equal(core_alarm_active_count(&f->c), 0);
	/* unack -> ack -> normal */
	mark = ev_mark(f);
	f->in.value[CFG_TAG_PRESSURE] = 26;
	tick(f);
	assert_int_equal(a->state, CORE_AL_UNACK);
	assert_int_equal(a->priority, 2);
	assert_non_null(ev_find(f, mark, CORE_EV_ALARM, "pressure_high", "unack"));
	assert_int_equal(core_alarm_active_count(&f->c), 1);
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "pressure_high", 0, 0, 0), 0);
	assert_int_equal(a->state, CORE_AL_ACKED);
	assert_string_equal(ev_find(f, mark, CORE_EV_ALARM, "pressure_high",
	                            "acked")->who, OP);
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "pressure_high", 0, 0, 0), -1);
	f->in.value[CFG_TAG_PRESSURE] = 24.5; /* inside the 1 kPa deadband */
	tick(f);
	assert_int_equal(a->state, CORE_AL_ACKED);
	f->in.value[CFG_TAG_PRESSURE] = 20;
	tick(f);
	assert_int_equal(a->state, CORE_AL_NORMAL);
	assert_int_equal(core_alarm_active_count(&f->c), 0);
	/* returned unacknowledged */
	f->in.value[CFG_TAG_PRESSURE] = 26;
	tick(f);
	f->in.value[CFG_TAG_PRESSURE] = 20;
	tick(f);
	assert_int_equal(a->state, CORE_AL_RTN_UNACK);
	assert_int_equal(core_alarm_active_count(&f->c), 1);
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "pressure_high", 0, 0, 0), 0);
	assert_int_equal(a->state, CORE_AL_NORMAL);
	/* shelved with a reason and an expiry */
	assert_int_equal(cmd_full(f, CORE_CMD_SHELVE, "pressure_high", 0, 0, 60), -1);
	assert_non_null(strstr(f->cause, "reason"));
	assert_int_equal(cmd_full(f, CORE_CMD_SHELVE, "pressure_hh transmitter "
	                          "work", 0, 0, 60), -1);
	assert_non_null(strstr(f->cause, "interlock"));
	assert_int_equal(cmd_full(f, CORE_CMD_SHELVE, "nosuch why", 0, 0, 60), -1);
	assert_int_equal(cmd_full(f, CORE_CMD_SHELVE, "pressure_high why", 0, 0, 0),
	                 -1);
	assert_int_equal(cmd_full(f, CORE_CMD_SHELVE, "pressure_high transmitter "
	                          "being calibrated", 0, 0, 60), 0);
	assert_int_equal(a->state, CORE_AL_SHELVED);
	/* shelved again: the new expiry and reason count */
	assert_int_equal(cmd_full(f, CORE_CMD_SHELVE, "pressure_high transmitter "
	                          "being calibrated", 0, 0, 60), 0);
	assert_int_equal(a->state, CORE_AL_SHELVED);
	assert_true(a->shelved_until_s == f->now + 60);
	assert_string_equal(a->shelve_reason, "transmitter being calibrated");
	mark = ev_mark(f);
	f->in.value[CFG_TAG_PRESSURE] = 26;
	ticks_for(f, 30);
	assert_int_equal(a->state, CORE_AL_SHELVED);
	assert_true(a->active);
	assert_int_equal(core_alarm_active_count(&f->c), 0);
	assert_null(ev_find(f, mark, CORE_EV_ALARM, "pressure_high", NULL));
	ticks_for(f, 31);
	assert_int_equal(a->state, CORE_AL_UNACK); /* expired, still active */
	assert_int_equal(core_alarm_active_count(&f->c), 1);
	/* ack all */
	f->in.value[CFG_TAG_VAPOUR_TEMP] = 115;
	tick(f);
	assert_int_equal(alarm(f, "vapour_high")->state, CORE_AL_UNACK);
	assert_int_equal(core_alarm_active_count(&f->c), 2);
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "", 0, 0, 0), 0);
	assert_int_equal(a->state, CORE_AL_ACKED);
	assert_int_equal(alarm(f, "vapour_high")->state, CORE_AL_ACKED);
	assert_int_equal(core_alarm_active_count(&f->c), 2);
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "", 0, 0, 0), -1);
	assert_non_null(strstr(f->cause, "no alarm waiting"));
	assert_int_equal(cmd_full(f, CORE_CMD_ACK, "nosuch", 0, 0, 0), -1);
}

static void shelve_expires_to_normal(void **state)
{
	struct fx *f = *state;
	const struct core_alarm *a = alarm(f, "vapour_high");

	tick(f);
	assert_int_equal(cmd_full(f, CORE_CMD_SHELVE, "vapour_high probe swap",
	                          0, 0, 10), 0);
	ticks_for(f, 11);
	assert_int_equal(a->state, CORE_AL_NORMAL);
}

static void rate_deviation_and_step_limits(void **state)
{
	struct fx *f = *state;

	f->r.steps[S_DISTIL].alarm_pressure_high_kpa = 12;
	f->r.steps[S_DISTIL].alarm_distillate_low_c = 22;
	to_distil(f);
	/* rate of change: 20 kPa/min, twice the plant's 10 kPa/min */
	for (int i = 0; i < 300; i++) {
		f->in.value[CFG_TAG_PRESSURE] = 2 + 8.0 / 60 * DT_S * i;
		tick(f);
	}
	assert_false(alarm(f, "pressure_rise")->active); /* 8 kPa/min is fine */
	for (int i = 0; i < 300; i++) {
		f->in.value[CFG_TAG_PRESSURE] = 2 + 20.0 / 60 * DT_S * i;
		tick(f);
	}
	assert_true(alarm(f, "pressure_rise")->active);
	/* the step's 12 kPa tightens the plant's 25 kPa high alarm */
	assert_true(alarm(f, "pressure_high")->active);
	f->in.value[CFG_TAG_PRESSURE] = 5;
	ticks_for(f, 120);
	assert_false(alarm(f, "pressure_rise")->active);
	assert_false(alarm(f, "pressure_high")->active);
	f->in.value[CFG_TAG_PRESSURE] = 12.5;
	tick(f);
	assert_true(alarm(f, "pressure_high")->active);
	f->in.value[CFG_TAG_PRESSURE] = 5;
	ticks_for(f, 120);
	/* deviation: distillate out of the 25..40 C band for a minute */
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 42;
	ticks_for(f, 50);
	assert_false(alarm(f, "distillate_band")->active);
	ticks_for(f, 11);
	assert_true(alarm(f, "distillate_band")->active);
	assert_int_equal(alarm(f, "distillate_band")->priority, 3);
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 30;
	tick(f);
	assert_false(alarm(f, "distillate_band")->active);
	/* low distillate (star anise congeals) from the step's limit */
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 21.5;
	tick(f);
	assert_true(alarm(f, "distillate_low")->active);
	assert_int_equal(f->c.state, CORE_RUNNING);
}

/* ---- recipe execution --------------------------------------------------- */

static void band_alarm_arms_once_in_band(void **state)
{
	struct fx *f = *state;

	/* a cold condenser before the vapour comes is no deviation */
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 20;
	to_running(f);
	ticks_for(f, 300);
	assert_false(alarm(f, "distillate_band")->active);
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 30;
	tick(f);
	f->in.value[CFG_TAG_DISTILLATE_TEMP] = 20;
	ticks_for(f, 61);
	assert_true(alarm(f, "distillate_band")->active);
}

static void prompt_step_waits_even_with_a_duration(void **state)
{
	struct fx *f = *state;
	struct rcp_step *s = &f->r.steps[S_CHECK];

	s->end = RCP_END_DURATION;
	s->duration_s = 10;
	to_running(f);
	f->in.value[CFG_TAG_VAPOUR_TEMP] = 99;
	ticks_for(f, 100);
	assert_int_equal(f->c.step, S_CHECK);
	assert_true(f->c.prompt_pending);
	assert_int_equal(cmd_full(f, CORE_CMD_ANSWER, "ok", 0, 0, 0), 0);
	tick(f);
	assert_int_equal(f->c.step, S_DISTIL);
}

static void prompt_waits_for_answer(void **state)
{
	struct fx *f = *state;
	const struct core_event *e;
	int mark;

	assert_int_equal(cmd_full(f, CORE_CMD_ANSWER, "yes", 0, 0, 0), -1);
	assert_non_null(strstr(f->cause, "no question"));
	to_running(f);
	mark = ev_mark(f);
	f->in.value[CFG_TAG_VAPOUR_TEMP] = 99;
	tick(f);
	assert_int_equal(f->c.step, S_CHECK);
	assert_true(f->c.prompt_pending);
	e = ev_find(f, mark, CORE_EV_PROMPT, "check", NULL);
	assert_non_null(e);
	assert_string_equal(e->text, "Is oil showing in the separator?");
	assert_non_null(ev_find(f, mark, CORE_EV_STEP, "step", "check"));
	ticks_for(f, 500);
	assert_int_equal(f->c.step, S_CHECK);
	assert_int_equal(cmd_full(f, CORE_CMD_ANSWER, "", 0, 0, 0), -1);
	assert_int_equal(cmd_full(f, CORE_CMD_ANSWER, "yes, a thin film", 0, 0,
	                          0), 0);
	e = ev_find(f, mark, CORE_EV_ANSWER, "check", NULL);
	assert_non_null(e);
	assert_string_equal(e->new_value, "yes, a thin film");
	assert_string_equal(e->who, OP);
	tick(f);
	assert_int_equal(f->c.step, S_DISTIL);
	assert_false(f->c.prompt_pending);
}

static void step_timeout_holds_and_excludes_held_time(void **state)
{
	struct fx *f = *state;
	const struct core_event *e;
	int mark;

	to_running(f); /* heat-up waits for 98 C, max 1800 s */
	ticks_for(f, 1000);
	assert_int_equal(cmd(f, CORE_CMD_HOLD), 0);
	ticks_for(f, 2000); /* held time does not count */
	assert_int_equal(f->c.state, CORE_HELD);
	assert_true(fabs(f->c.step_elapsed_s - 1000) < 1);
	assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
	mark = ev_mark(f);
	ticks_for(f, 780);
	assert_int_equal(f->c.state, CORE_RUNNING);
	ticks_for(f, 40); /* 20 s to time out, 16 s to wind 80 % down */
	assert_int_equal(f->c.state, CORE_HELD);
	assert_true(alarm(f, "step_timeout")->active);
	e = ev_find(f, mark, CORE_EV_STATE, "state", "holding");
	assert_non_null(e);
	assert_string_equal(e->cause, "recipe");
	assert_non_null(strstr(e->text, "heat-up"));
	/* restart: a quarter of max_s more, then held again */
	assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
	ticks_for(f, 400);
	assert_int_equal(f->c.state, CORE_RUNNING);
	ticks_for(f, 80);
	assert_int_equal(f->c.state, CORE_HELD);
	/* a new step clears the alarm's condition */
	f->in.value[CFG_TAG_VAPOUR_TEMP] = 99;
	assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
	ticks_for(f, 1);
	assert_int_equal(f->c.step, S_CHECK);
	assert_false(alarm(f, "step_timeout")->active);
}

/* A stalled host can hand one tick many seconds (at --speed 100, 5 s of
 * wall time are 500 s of process time): a step whose end condition holds
 * then ends; its maximum holds only a step that has not ended. */
static void long_tick_ends_a_step_rather_than_holding(void **state)
{
	struct fx *f = *state;

	to_distil(f); /* distil: ends after 600 s, max 1200 s; 120 s in */
	f->now += 1300;
	tick(f);
	assert_int_equal(f->c.state, CORE_RUNNING);
	assert_int_equal(f->c.step, S_COOL);
	assert_false(alarm(f, "step_timeout")->active);
}

static void batch_timeout_holds(void **state)
{
	struct fx *f = *state;

	f->r.max_batch_s = 300;
	to_running(f);
	ticks_for(f, 290);
	assert_int_equal(f->c.state, CORE_RUNNING);
	ticks_for(f, 40);
	assert_int_equal(f->c.state, CORE_HELD);
	assert_true(alarm(f, "batch_timeout")->active);
	assert_false(alarm(f, "step_timeout")->active);
}

static void batch_runs_to_complete(void **state)
{
	struct fx *f = *state;
	const struct core_event *e;

	to_complete(f);
	assert_safe(f);
	e = ev_find(f, 0, CORE_EV_STATE, "state", "complete");
	assert_non_null(e);
	assert_string_equal(e->cause, "recipe");
	assert_int_equal(e->batch_id, 41);
	assert_true(core_time_left_s(&f->c) == 0);
	/* the steps in order */
	assert_non_null(ev_find(f, 0, CORE_EV_STEP, "step", "heat-up"));
	assert_non_null(ev_find(f, 0, CORE_EV_STEP, "step", "distil"));
	e = ev_find(f, 0, CORE_EV_STEP, "step", "cool-down");
	assert_non_null(e);
	assert_string_equal(e->old_value, "distil");
	assert_string_equal(e->cause, "recipe");
}

static void oil_rate_ends_step(void **state)
{
	struct fx *f = *state;
	struct rcp_step *d = &f->r.steps[S_DISTIL];
	double t0;

	d->end = RCP_END_OIL_RATE;
	d->oil_rate_g_per_h = 50;
	d->oil_rate_for_s = 600;
	d->max_s = 20000;
	to_distil(f);
	/* 600 g/h for 30 min, then a trickle of 20 g/h */
	for (int i = 0; i < 9000; i++) {
		f->in.value[CFG_TAG_OIL] += 600.0 / 3600 * DT_S;
		tick(f);
	}
	assert_true(fabs(f->c.oil_rate_g_per_h - 600) < 30);
	assert_int_equal(f->c.step, S_DISTIL);
	t0 = f->now;
	while (f->c.step == S_DISTIL && f->now - t0 < 5000) {
		f->in.value[CFG_TAG_OIL] += 20.0 / 3600 * DT_S;
		tick(f);
	}
	assert_int_equal(f->c.step, S_COOL);
	/* smoothing (tau 300 s) to fall under 50 g/h, then 600 s more */
	assert_true(f->now - t0 > 600 + 600);
	assert_true(f->now - t0 < 600 + 1500);
	assert_true(fabs(core_oil_g(&f->c) - (600.0 * 1800 + 20.0 * (f->now - t0))
	                 / 3600) < 2);
}

static void time_left_estimates(void **state)
{
	struct fx *f = *state;
	struct rcp_step *d = &f->r.steps[S_DISTIL];
	double left0, left1, r0 = 2000, k = 1.0 / 1800, expect, t0;

	assert_true(core_time_left_s(&f->c) == -1);
	to_distil(f);
	/* distil 600 s + cool-down 60 s, less what has run */
	left0 = core_time_left_s(&f->c);
	assert_true(fabs(left0 - (660 - f->c.step_elapsed_s)) < 0.5);
	ticks_for(f, 100);
	left1 = core_time_left_s(&f->c);
	assert_true(fabs(left0 - left1 - 100) < 0.5);
	/* held: the clock stops */
	assert_int_equal(cmd(f, CORE_CMD_HOLD), 0);
	ticks_for(f, 300);
	assert_true(fabs(core_time_left_s(&f->c) - left1) < 1);
	/* oil-rate end: from the decaying rate's trend */
	teardown(state);
	setup(state);
	f = *state;
	d = &f->r.steps[S_DISTIL];
	d->end = RCP_END_OIL_RATE;
	d->oil_rate_g_per_h = 100;
	d->oil_rate_for_s = 600;
	d->max_s = 30000;
	to_distil(f);
	t0 = f->now;
	while (f->now - t0 < 3600) {
		double r = r0 * exp(-k * (f->now - t0));

		f->in.value[CFG_TAG_OIL] += r / 3600 * DT_S;
		tick(f);
	}
	/* true: the rate reaches 100 g/h at ln(20)/k = 5392 s after t0;
	 * the smoothed rate lags by about tau; then for_s; then 60 s */
	expect = log(r0 / 100) / k + 300 - 3600 + 600 + 60;
	left0 = core_time_left_s(&f->c);
	assert_true(fabs(left0 - expect) < 0.15 * expect);
}

/* ---- modes --------------------------------------------------------------- */

static void manual_and_auto(void **state)
{
	struct fx *f = *state;
	const struct core_event *e;
	double before;
	int mark;

	tick(f);
	assert_int_equal(cmd_full(f, CORE_CMD_AUTO, "", CORE_OUT_STEAM, 0, 0), -1);
	assert_non_null(strstr(f->cause, "already in auto"));
	assert_int_equal(cmd_full(f, CORE_CMD_MANUAL, "", CORE_OUT_STEAM, 140, 0),
	                 -1);
	mark = ev_mark(f);
	assert_int_equal(cmd_full(f, CORE_CMD_MANUAL, "", CORE_OUT_COOLING, 70, 0),
	                 0);
	e = ev_find(f, mark, CORE_EV_MODE, "cooling", NULL);
	assert_non_null(e);
	assert_string_equal(e->old_value, "auto");
	assert_string_equal(e->new_value, "manual 70.0 %");
	assert_string_equal(e->who, OP);
	/* a batch does not start with a valve in manual */
	assert_int_equal(cmd(f, CORE_CMD_START), -1);
	assert_non_null(strstr(f->cause, "manual"));
	assert_int_equal(cmd_full(f, CORE_CMD_AUTO, "", CORE_OUT_COOLING, 0, 0), 0);
	to_distil(f);
	/* manual steam: the recipe's loop no longer moves it */
	assert_int_equal(cmd_full(f, CORE_CMD_MANUAL, "", CORE_OUT_STEAM, 42, 0), 0);
	ticks_for(f, 30);
	assert_true(f->out.steam_pct == 42);
	/* back to auto: no bump */
	assert_int_equal(cmd_full(f, CORE_CMD_AUTO, "", CORE_OUT_STEAM, 0, 0), 0);
	before = f->out.steam_pct;
	tick(f);
	assert_true(fabs(f->out.steam_pct - before) < 0.5);
	assert_non_null(ev_find(f, mark, CORE_EV_MODE, "steam", "auto"));
	/* manual cooling inside the batch */
	assert_int_equal(cmd_full(f, CORE_CMD_MANUAL, "", CORE_OUT_COOLING, 55, 0),
	                 0);
	tick(f);
	assert_true(f->out.cooling_pct == 55);
	/* an interlock beats manual */
	hh_on(f);
	tick(f);
	assert_safe(f);
}

static void vapour_temperature_control(void **state)
{
	struct fx *f = *state;
	struct rcp_step *d = &f->r.steps[S_DISTIL];
	double low;

	d->control = RCP_CTL_VAPOUR_TEMP;
	d->target = 105;
	d->duration_s = 5000;
	d->max_s = 6000;
	to_distil(f);
	/* the loop follows the vapour temperature, not the pressure */
	f->in.value[CFG_TAG_PRESSURE] = 30;
	f->in.value[CFG_TAG_VAPOUR_TEMP] = 99;
	ticks_for(f, 300);
	assert_true(f->out.steam_pct == 90); /* the step's steam_max */
	f->in.value[CFG_TAG_VAPOUR_TEMP] = 108;
	ticks_for(f, 900);
	low = f->out.steam_pct;
	assert_int_equal(f->c.state, CORE_RUNNING);
	assert_true(low == 10); /* the step's steam_min */
	/* the pressure high alarm still stands on its own */
	assert_true(alarm(f, "pressure_high")->active);
	assert_int_equal(f->c.state, CORE_RUNNING);
}

/* ---- recovery, events, heartbeat --------------------------------------- */

static void recover_is_lost_and_waits(void **state)
{
	struct fx *f = *state;
	const struct core_event *e;
	int mark = ev_mark(f);

	to_lost(f);
	assert_int_equal(f->c.state, CORE_LOST);
	assert_int_equal(f->c.step, S_DISTIL);
	assert_true(core_batch_active(&f->c));
	e = ev_find(f, mark, CORE_EV_STATE, "state", "lost");
	assert_non_null(e);
	assert_string_equal(e->cause, "fault");
	assert_int_equal(e->batch_id, 41);
	/* hours pass with good inputs: it never resumes on its own */
	f->in.value[CFG_TAG_PRESSURE] = 2;
	for (int i = 0; i < 50000; i++) {
		tick(f);
		assert_int_equal(f->c.state, CORE_LOST);
		assert_safe(f);
	}
	assert_true(f->c.step_elapsed_s == 0);
	assert_int_equal(cmd(f, CORE_CMD_START), -1);
	assert_non_null(strstr(f->cause, "lost"));
	assert_int_equal(cmd(f, CORE_CMD_RESTART), 0);
	ticks_for(f, 30);
	assert_int_equal(f->c.state, CORE_RUNNING);
	assert_int_equal(f->c.step, S_DISTIL);
	assert_true(f->out.steam_pct > 5);
}

static void heartbeat_and_event_ring(void **state)
{
	struct fx *f = *state;
	struct core_event e;
	uint16_t hb;

	tick(f);
	hb = f->out.heartbeat;
	for (int i = 0; i < 70000; i++) {
		core_step(&f->c, &f->in, f->now += DT_S, &f->out);
		assert_true(f->out.heartbeat != hb);
		hb = f->out.heartbeat;
	}
	/* a full ring keeps the newest events and counts the lost ones */
	drain(f);
	for (int i = 0; i < CORE_EVENTS_MAX + 10; i++)
		assert_int_equal(cmd_full(f, CORE_CMD_MANUAL, "", CORE_OUT_STEAM,
		                          i % 100, 0), 0);
	assert_int_equal(f->c.events_dropped, 2 * (CORE_EVENTS_MAX + 10) -
	                 CORE_EVENTS_MAX);
	assert_int_equal(f->c.ev_count, CORE_EVENTS_MAX);
	while (core_event_pop(&f->c, &e) == 0)
		;
	assert_int_equal(e.kind, CORE_EV_MODE);
	assert_string_equal(e.new_value, "manual 73.0 %");
	assert_int_equal(core_event_pop(&f->c, &e), -1);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(core_state_name(CORE_LOST), "lost");
	assert_string_equal(core_state_name(CORE_HELD), "held");
	assert_string_equal(core_state_name(CORE_STATE_COUNT), "unknown");
	assert_string_equal(core_alarm_state_name(CORE_AL_RTN_UNACK), "rtn_unack");
	assert_string_equal(core_cmd_name(CORE_CMD_SHELVE), "shelve");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_transition_allowed_and_refused),
		cmocka_unit_test_setup_teardown(refusal_sentences, setup, teardown),
		cmocka_unit_test_setup_teardown(transients_last_a_tick_and_complete,
		                                setup, teardown),
		cmocka_unit_test(each_interlock_trips_and_latches),
		cmocka_unit_test_setup_teardown(trip_reset_needs_condition_gone,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(comm_loss_after_n_ticks, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(comm_loss_waits_for_the_floor, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(alarm_flood_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(journal_aside_alarms_without_a_trip, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(storage_fault_alarms_without_a_trip, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(distillate_hot_cuts_steam_back, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(frozen_sensor_is_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(frozen_evidence_ages_at_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(alarm_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(shelve_expires_to_normal, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(rate_deviation_and_step_limits, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(band_alarm_arms_once_in_band, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(prompt_waits_for_answer, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(prompt_step_waits_even_with_a_duration,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(long_tick_ends_a_step_rather_than_holding,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(step_timeout_holds_and_excludes_held_time,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(batch_timeout_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_runs_to_complete, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(oil_rate_ends_step, setup, teardown),
		cmocka_unit_test_setup_teardown(time_left_estimates, setup, teardown),
		cmocka_unit_test_setup_teardown(manual_and_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(vapour_temperature_control, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(recover_is_lost_and_waits, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(heartbeat_and_event_ring, setup,
		                                teardown),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
