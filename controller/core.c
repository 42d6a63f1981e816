/*
 * core: the pure control core of one still. See core.h; docs/CONTROL.md
 * has the state table, the interlocks, the alarms and the loops.
 *
 * One tick (core_step) runs in this order: judge the sensors, update the
 * rates, evaluate alarms and interlocks, hold the batch on a trip, advance
 * the timers, run the state machine and the recipe step, compute the
 * outputs, then let the interlocks override them. Commands (core_command)
 * only change state between ticks; transient states complete on a tick.
 *
 * The alarms and interlocks are in core_alarm.c, the operator commands in
 * core_cmd.c; core_int.h is what the three share.
 */
#include "core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

static const char *const core_state_names[CORE_STATE_COUNT] = {
	[CORE_IDLE] = "idle", [CORE_RUNNING] = "running",
	[CORE_HOLDING] = "holding", [CORE_HELD] = "held",
	[CORE_RESTARTING] = "restarting", [CORE_STOPPING] = "stopping",
	[CORE_STOPPED] = "stopped", [CORE_ABORTING] = "aborting",
	[CORE_ABORTED] = "aborted", [CORE_COMPLETE] = "complete",
	[CORE_LOST] = "lost",
};

static const char *const core_output_names[CORE_OUT_COUNT] = {
	[CORE_OUT_STEAM] = "steam", [CORE_OUT_COOLING] = "cooling",
};

const char *core_output_name(int o)
{
	if (o < 0 || o >= CORE_OUT_COUNT)
		return "unknown";
	return core_output_names[o];
}

/* ---- small helpers ---------------------------------------------------- */

static double core_clamp(double v, double lo, double hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

int core_in_state(const struct core_still *c, unsigned mask)
{
	return (mask & CORE_BIT(c->state)) != 0;
}

const struct rcp_step *core_cur_step(const struct core_still *c)
{
	if (!core_batch_active(c) || c->step < 0 || c->step >= c->recipe.n_steps)
		return NULL;
	return &c->recipe.steps[c->step];
}

int core_good(const struct core_still *c, enum cfg_tag t)
{
	return c->have_in && c->tag_quality[t] == CORE_Q_GOOD;
}

const char *core_still_name(const struct core_still *c)
{
	return c->plant->stills[c->still].name;
}

/* ---- events ------------------------------------------------------------ */

void core_event_add(struct core_still *c, enum core_event_kind kind,
                    double now_s, const char *what, const char *old_v,
                    const char *new_v, const char *who, const char *cause,
                    const char *text)
{
	struct core_event *e;

	if (c->ev_count == CORE_EVENTS_MAX) {
		c->ev_head = (c->ev_head + 1) % CORE_EVENTS_MAX;
		c->ev_count--;
		c->events_dropped++;
	}
	e = &c->events[(c->ev_head + c->ev_count) % CORE_EVENTS_MAX];
	c->ev_count++;
	memset(e, 0, sizeof *e);
	e->t_s = now_s;
	e->kind = kind;
	e->batch_id = c->batch_id;
	snprintf(e->what, sizeof e->what, "%s", what);
	snprintf(e->old_value, sizeof e->old_value, "%s", old_v);
	snprintf(e->new_value, sizeof e->new_value, "%s", new_v);
	snprintf(e->who, sizeof e->who, "%s", who);
	snprintf(e->cause, sizeof e->cause, "%s", cause);
	snprintf(e->text, sizeof e->text, "%s", text);
}

int core_event_pop(struct core_still *c, struct core_event *ev)
{
	if (c->ev_count == 0)
		return -1;
	*ev = c->events[c->ev_head];
	c->ev_head = (c->ev_head + 1) % CORE_EVENTS_MAX;
	c->ev_count--;
	return 0;
}

void core_set_state(struct core_still *c, enum core_state s, double now_s,
                    const char *who, const char *cause, const char *text)
{
	enum core_state old = c->state;

	c->state = s;
	c->state_since_s = now_s;
	c->state_ticks = 0;
	/* who and cause may be pend_who/pend_cause themselves (a transient
	 * state completing): copying onto itself would empty them */
	if (who != c->pend_who)
		snprintf(c->pend_who, sizeof c->pend_who, "%s", who);
	if (cause != c->pend_cause)
		snprintf(c->pend_cause, sizeof c->pend_cause, "%s", cause);
	core_event_add(c, CORE_EV_STATE, now_s, "state", core_state_names[old],
	               core_state_names[s], who, cause, text);
}

/* ---- sensors, rates ---------------------------------------------------- */

/* The output a live reading of t must follow, or -1 (no frozen check). */
static int core_tag_output(enum cfg_tag t)
{
	switch (t) {
	case CFG_TAG_STILL_TEMP:
	case CFG_TAG_VAPOUR_TEMP:
	case CFG_TAG_PRESSURE:
	case CFG_TAG_STEAM_FLOW:
		return CORE_OUT_STEAM;
	case CFG_TAG_DISTILLATE_TEMP:
	case CFG_TAG_COOLING_FLOW:
		return CORE_OUT_COOLING;
	default:
		return -1;
	}
}

/* Starts tag t's frozen tracking afresh at output out. */
static void core_frozen_restart(struct core_still *c, enum cfg_tag t, double out,
                                double now_s)
{
	c->tag_same_since_s[t] = now_s;
	c->tag_out_lo_pct[t] = out;
	c->tag_out_hi_pct[t] = out;
	c->tag_frozen_since_s[t] = 0;
}

/* 1 when tag t's frozen evidence is old: judged frozen, and its output has
 * rested (moved less than CORE_FROZEN_REST_PCT a tick) for sensor_frozen_s
 * since both the judgement and its last travel. A stopped still's steam
 * flow reads a true 0 for ever: without this, a sensor judged frozen while
 * the valve closed would keep its interlock present for good. */
static int core_frozen_aged(struct core_still *c, enum cfg_tag t, double out,
                            double now_s, double frozen_s)
{
	double since;

	if (fabs(out - c->tag_out_last_pct[t]) >= CORE_FROZEN_REST_PCT)
		c->tag_out_rest_since_s[t] = now_s;
	c->tag_out_last_pct[t] = out;
	if (c->tag_frozen_since_s[t] <= 0)
		return 0;
	since = fmax(c->tag_out_rest_since_s[t], c->tag_frozen_since_s[t]);
	return now_s - since >= frozen_s;
}

/* 1 when tag t has not changed for sensor_frozen_s although its output
 * travelled CORE_FROZEN_MOVE_PCT or more (and the output has not rested
 * for sensor_frozen_s since: core_frozen_aged). Updates the tracking. */
static int core_frozen(struct core_still *c, enum cfg_tag t, double v,
                       double now_s)
{
	int o = core_tag_output(t), moved, frozen;
	double out, frozen_s = c->plant->limits.sensor_frozen_s;

	if (o < 0 || !(frozen_s > 0))
		return 0;
	out = o == CORE_OUT_STEAM ? c->last_out.steam_pct : c->last_out.cooling_pct;
	if (core_frozen_aged(c, t, out, now_s, frozen_s) || !c->have_in ||
	    v != c->last_in.value[t]) {
		core_frozen_restart(c, t, out, now_s);
		return 0;
	}
	moved = c->tag_out_hi_pct[t] - c->tag_out_lo_pct[t] >= CORE_FROZEN_MOVE_PCT;
	if (out < c->tag_out_lo_pct[t])
		c->tag_out_lo_pct[t] = out;
	if (out > c->tag_out_hi_pct[t])
		c->tag_out_hi_pct[t] = out;
	/* the clock starts when the output moved, not when the reading last
	 * changed: a still idle for hours reads a steady 0 steam flow */
	if (!moved && c->tag_out_hi_pct[t] - c->tag_out_lo_pct[t] >= CORE_FROZEN_MOVE_PCT)
		c->tag_same_since_s[t] = now_s;
	frozen = now_s - c->tag_same_since_s[t] >= frozen_s &&
	         c->tag_out_hi_pct[t] - c->tag_out_lo_pct[t] >= CORE_FROZEN_MOVE_PCT;
	if (frozen && c->tag_frozen_since_s[t] <= 0)
		c->tag_frozen_since_s[t] = now_s;
	return frozen;
}

/* Judges every input tag: I/O quality, plausible range, frozen. */
static void core_judge_sensors(struct core_still *c, const struct core_inputs *in,
                               double now_s)
{
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		const struct cfg_reg *r = &c->plant->map[t];
		double v = in->value[t];
		char why[100] = "";
		int q = in->quality[t];

		if (q == CORE_Q_STALE)
			snprintf(why, sizeof why, "is stale (no fresh reading)");
		else if (!isfinite(v) || v < r->range_min || v > r->range_max)
			snprintf(why, sizeof why, "reads %.1f, outside %.1f..%.1f",
			         v, r->range_min, r->range_max);
		else if (q != CORE_Q_GOOD)
			snprintf(why, sizeof why, "is bad (I/O error or exception)");
		else if (core_frozen(c, t, v, now_s))
			snprintf(why, sizeof why, "is frozen at %.1f for %.0f s while "
			         "the %s valve moved", v, now_s - c->tag_same_since_s[t],
			         core_output_name(core_tag_output(t)));
		c->tag_quality[t] = why[0] == '\0' ? CORE_Q_GOOD
		                    : q == CORE_Q_STALE ? CORE_Q_STALE : CORE_Q_BAD;
		core_alarm_feed(c, CORE_ALK_SENSOR + t, why[0] != '\0', now_s,
		                "sensor %s %s: %s", cfg_tag_name(t), why,
		                core_alarm_trip_outcome(c));
	}
}

/*
 * Pressure rise rate: the pressure is smoothed, then its derivative is
 * smoothed, each with CORE_RISE_TAU_S, so reading noise (0.1 kPa a tick is
 * 30 kPa/min) does not raise the alarm while a blocked line (tens of kPa a
 * minute) does within seconds. was_good: the last pressure was good.
 */
static void core_pressure_rate(struct core_still *c, const struct core_inputs *in,
                               double dt_s, int was_good)
{
	double a = dt_s / (CORE_RISE_TAU_S + dt_s), old, raw;

	if (!core_good(c, CFG_TAG_PRESSURE))
		return;
	if (!was_good || !(dt_s > 0)) {
		c->pressure_smooth_kpa = in->value[CFG_TAG_PRESSURE];
		return;
	}
	old = c->pressure_smooth_kpa;
	c->pressure_smooth_kpa += (in->value[CFG_TAG_PRESSURE] - old) * a;
	raw = (c->pressure_smooth_kpa - old) / dt_s * 60.0;
	c->pressure_rate_kpa_per_min += (raw - c->pressure_rate_kpa_per_min) * a;
}

/* The smoothed rate's decay constant over CORE_OIL_TREND_S: a baseline
 * that long keeps gauge resolution (1 g) out of the logarithm. */
static void core_oil_trend(struct core_still *c, double now_s)
{
	double span = now_s - c->oil_trend_s, r = c->oil_rate_g_per_h;

	if (span < CORE_OIL_TREND_S)
		return;
	if (c->oil_trend_rate_g_per_h > 0 && r > 0)
		c->oil_decay_per_s = log(c->oil_trend_rate_g_per_h / r) / span;
	c->oil_trend_rate_g_per_h = r;
	c->oil_trend_s = now_s;
}

/*
 * Oil rate from the receiver reading: the gain over CORE_OIL_WINDOW_S,
 * smoothed with time constant CORE_OIL_TAU_S. A falling reading (oil drawn
 * off) restarts the window.
 */
static void core_oil_update(struct core_still *c, double now_s)
{
	double oil, span, raw;

	if (!core_good(c, CFG_TAG_OIL))
		return;
	oil = c->last_in.value[CFG_TAG_OIL];
	if (!isfinite(c->oil_at_start_g))
		c->oil_at_start_g = oil;
	if (!c->oil_win_valid || oil < c->oil_win_start_g) {
		c->oil_win_valid = 1;
		c->oil_win_start_g = oil;
		c->oil_win_start_s = now_s;
		return;
	}
	span = now_s - c->oil_win_start_s;
	if (span < CORE_OIL_WINDOW_S)
		return;
	raw = (oil - c->oil_win_start_g) / span * 3600.0;
	c->oil_rate_g_per_h += (raw - c->oil_rate_g_per_h) *
	                       (1.0 - exp(-span / CORE_OIL_TAU_S));
	c->oil_win_start_g = oil;
	c->oil_win_start_s = now_s;
	core_oil_trend(c, now_s);
}

void core_oil_reset(struct core_still *c, double now_s)
{
	c->oil_rate_g_per_h = 0;
	c->oil_decay_per_s = 0;
	c->oil_win_valid = 0;
	c->oil_trend_rate_g_per_h = 0;
	c->oil_trend_s = now_s;
}

/* A trip present or latched holds a running batch. */
static void core_trip_hold(struct core_still *c, double now_s)
{
	int k;

	if (c->state != CORE_RUNNING && c->state != CORE_RESTARTING)
		return;
	k = core_alarm_trip_first(c);
	if (k < 0)
		return;
	core_set_state(c, CORE_HOLDING, now_s, "controller", core_alarm_cause(k),
	               c->alarms[k].message);
}

/* ---- recipe steps ------------------------------------------------------ */

static int core_step_has_prompt(const struct rcp_step *st)
{
	return st->kind == RCP_PROMPT || st->end == RCP_END_CONFIRM;
}

static const struct cfg_pid *core_steam_tune(const struct core_still *c,
                                             int ctl)
{
	return ctl == RCP_CTL_VAPOUR_TEMP ? &c->plant->pid_vapour
	                                  : &c->plant->pid_pressure;
}

/* The steam loop's process value for its control mode. */
static double core_steam_pv(const struct core_still *c)
{
	enum cfg_tag t = c->steam_ctl == RCP_CTL_VAPOUR_TEMP ? CFG_TAG_VAPOUR_TEMP
	                                                    : CFG_TAG_PRESSURE;
	return c->last_in.value[t];
}

double core_batch_max_s(const struct rcp_recipe *r)
{
	double sum = 0;

	if (r->max_batch_s > 0)
		return r->max_batch_s;
	for (int i = 0; i < r->n_steps; i++) {
		if (!(r->steps[i].max_s > 0))
			return 0;
		sum += r->steps[i].max_s;
	}
	return sum;
}

/* Enters step i: timers, loop tuning (bumpless), prompt. */
void core_step_enter(struct core_still *c, int i, double now_s,
                     const char *who, const char *cause, const char *why)
{
	const char *old = c->step >= 0 && c->step < c->recipe.n_steps
	                  && c->step != i ? c->recipe.steps[c->step].name : "";
	const struct rcp_step *st = &c->recipe.steps[i];

	core_event_add(c, CORE_EV_STEP, now_s, "step", old, st->name, who, cause,
	               why);
	c->step = i;
	c->step_started_s = now_s;
	c->step_elapsed_s = 0;
	c->step_deadline_s = st->max_s;
	c->oil_rate_low_since_s = -1;
	c->band_armed = 0;
	c->band_out_since_s = -1;
	c->low_armed = 0;
	c->prompt_answered = 0;
	c->prompt_pending = 0;
	core_endpt_enter(c, st);
	core_alarm_update(c, CORE_ALK_STEP_TIMEOUT, 0, now_s, "");
	if ((int)st->control != c->steam_ctl) {
		pid_init(&c->steam_loop, core_steam_tune(c, st->control),
		         c->steam_loop.out_pct);
		c->steam_ctl = st->control;
	}
	if (core_step_has_prompt(st)) {
		char q[sizeof st->prompt];

		if (st->prompt[0])
			snprintf(q, sizeof q, "%s", st->prompt);
		else
			snprintf(q, sizeof q, "Is step %s done?", st->name);
		c->prompt_pending = 1;
		core_event_add(c, CORE_EV_PROMPT, now_s, st->name, "", "",
		               "controller", "recipe", q);
	}
}

/* 1 when the current step's end condition holds (at now_s). */
static int core_step_done(struct core_still *c, const struct rcp_step *st,
                          double now_s)
{
	double v;

	if (core_step_has_prompt(st) && !c->prompt_answered)
		return 0;
	switch (st->end) {
	case RCP_END_DURATION:
		return c->step_elapsed_s >= st->duration_s;
	case RCP_END_REACH:
		if ((int)st->reach_tag < 0 || st->reach_tag >= CFG_TAG_FIRST_OUTPUT ||
		    !core_good(c, st->reach_tag))
			return 0;
		v = c->last_in.value[st->reach_tag];
		return st->reach_above ? v >= st->reach_value : v <= st->reach_value;
	case RCP_END_OIL_RATE:
		if (c->oil_rate_g_per_h >= st->oil_rate_g_per_h) {
			c->oil_rate_low_since_s = -1;
			return 0;
		}
		if (c->oil_rate_low_since_s < 0)
			c->oil_rate_low_since_s = c->step_elapsed_s;
		return c->step_elapsed_s - c->oil_rate_low_since_s >= st->oil_rate_for_s;
	case RCP_END_CONFIRM:
		return c->prompt_answered;
	case RCP_END_ECONOMIC:
		return core_endpt_done(c, st, now_s);
	}
	return 0;
}

static void core_batch_end(struct core_still *c, enum core_state s,
                           double now_s, const char *who, const char *cause,
                           const char *text)
{
	core_set_state(c, s, now_s, who, cause, text);
	c->prompt_pending = 0;
	core_alarm_update(c, CORE_ALK_STEP_TIMEOUT, 0, now_s, "");
	core_alarm_update(c, CORE_ALK_BATCH_TIMEOUT, 0, now_s, "");
}

/* Step and batch maximum times: past one, alarm and hold. Returns 1 when
 * it held the batch. The deadline moves on by CORE_TIMEOUT_EXTEND of the
 * maximum so a restarted batch gets some more time before the next hold. */
static int core_check_timeouts(struct core_still *c, const struct rcp_step *st,
                               double now_s)
{
	char msg[120];
	double batch_max = core_batch_max_s(&c->recipe);

	if (st->max_s > 0 && c->step_elapsed_s >= c->step_deadline_s) {
		c->step_deadline_s = c->step_elapsed_s + st->max_s * CORE_TIMEOUT_EXTEND;
		snprintf(msg, sizeof msg, "step %s ran %.0f s, past its maximum "
		         "%.0f s: batch held", st->name, c->step_elapsed_s, st->max_s);
		core_alarm_update(c, CORE_ALK_STEP_TIMEOUT, 1, now_s, msg);
	} else if (batch_max > 0 && c->batch_elapsed_s >= c->batch_deadline_s) {
		c->batch_deadline_s = c->batch_elapsed_s + batch_max * CORE_TIMEOUT_EXTEND;
		snprintf(msg, sizeof msg, "batch ran %.0f s, past its maximum %.0f s: "
		         "batch held", c->batch_elapsed_s, batch_max);
		core_alarm_update(c, CORE_ALK_BATCH_TIMEOUT, 1, now_s, msg);
	} else {
		return 0;
	}
	core_set_state(c, CORE_HOLDING, now_s, "controller", "recipe", msg);
	return 1;
}

static void core_run_step(struct core_still *c, double now_s)
{
	const struct rcp_step *st = &c->recipe.steps[c->step];
	char why[120];

	/* the end condition first: a long tick (a stalled host at a speed-up)
	 * may carry a step past both its end and its maximum, and a step that
	 * has ended has not timed out (an economic step ends at its max) */
	if (!core_step_done(c, st, now_s)) {
		core_check_timeouts(c, st, now_s);
		return;
	}
	snprintf(why, sizeof why, "step %s done after %.0f s", st->name,
	         c->step_elapsed_s);
	if (c->step + 1 < c->recipe.n_steps)
		core_step_enter(c, c->step + 1, now_s, "controller", "recipe", why);
	else
		core_batch_end(c, CORE_COMPLETE, now_s, "controller", "recipe", why);
}

/* ---- the state machine on a tick -------------------------------------- */

/* Stopping ends when the steam valve reads closed, or after
 * CORE_STOP_CONFIRM_S without that confirmation. */
static int core_steam_closed(const struct core_still *c, double now_s,
                             const char **how)
{
	double pos = c->last_in.value[CFG_TAG_STEAM_POS];

	if (c->comm_missed == 0 && core_good(c, CFG_TAG_STEAM_POS) &&
	    pos <= c->plant->safe_steam_pct + CORE_VALVE_CLOSED_PCT) {
		*how = "steam valve closed";
		return 1;
	}
	*how = "steam valve closing not confirmed by its position";
	return now_s - c->state_since_s >= CORE_STOP_CONFIRM_S;
}

static void core_state_tick(struct core_still *c, int comm_ok, double now_s)
{
	const char *how;

	if (c->state_ticks < 1 && c->state != CORE_RUNNING)
		return;
	switch (c->state) {
	case CORE_HOLDING:
		if (c->last_out.steam_pct <= c->plant->safe_steam_pct + 1e-9)
			core_set_state(c, CORE_HELD, now_s, c->pend_who, c->pend_cause,
			               "steam at the hold value");
		break;
	case CORE_RESTARTING:
		core_set_state(c, CORE_RUNNING, now_s, c->pend_who, c->pend_cause,
		               "restarted");
		break;
	case CORE_STOPPING:
		if (core_steam_closed(c, now_s, &how))
			core_batch_end(c, CORE_STOPPED, now_s, c->pend_who,
			               c->pend_cause, how);
		break;
	case CORE_ABORTING:
		core_batch_end(c, CORE_ABORTED, now_s, c->pend_who, c->pend_cause,
		               "safe outputs set");
		break;
	case CORE_RUNNING:
		if (comm_ok)
			core_run_step(c, now_s);
		break;
	default:
		break;
	}
}

/* ---- outputs ----------------------------------------------------------- */

/* The distillate-high cut-back: the steam ceiling falls from the present
 * output while the alarm stands, and rises again after it clears. */
static void core_ceiling(struct core_still *c, double dt_s)
{
	double *ceil = &c->steam_ceiling_pct;

	if (c->alarms[CORE_ALK_DISTILLATE_HIGH].active) {
		if (*ceil > c->last_out.steam_pct)
			*ceil = c->last_out.steam_pct;
		*ceil -= CORE_CUTBACK_PCT_PER_S * dt_s;
		if (*ceil < 0)
			*ceil = 0;
	} else {
		*ceil += CORE_CUTBACK_PCT_PER_S * dt_s;
		if (*ceil > 100)
			*ceil = 100;
	}
}

static double core_steam_run(struct core_still *c, double dt_s)
{
	const struct rcp_step *st = &c->recipe.steps[c->step];
	const struct cfg_pid *tune = core_steam_tune(c, c->steam_ctl);
	double lo = tune->out_min_pct, hi = tune->out_max_pct;
	double pv = core_steam_pv(c);

	if (c->manual[CORE_OUT_STEAM]) /* the recipe's limits do not apply */
		return core_clamp(c->manual_pct[CORE_OUT_STEAM], lo,
		                  fmin(hi, c->steam_ceiling_pct));
	if (isfinite(st->steam_min_pct) && st->steam_min_pct > lo)
		lo = st->steam_min_pct;
	if (isfinite(st->steam_max_pct) && st->steam_max_pct < hi)
		hi = st->steam_max_pct;
	pid_set_range(&c->steam_loop, lo, fmin(hi, c->steam_ceiling_pct));
	if (st->control == RCP_CTL_OPEN)
		return pid_slew(&c->steam_loop, hi, pv, dt_s);
	return pid_update(&c->steam_loop, st->target, pv, dt_s);
}

/* Holding: steam winds down to the hold value at the loop's rate limit. */
static double core_steam_down(struct core_still *c, double dt_s)
{
	const struct cfg_pid *tune = core_steam_tune(c, c->steam_ctl);
	double safe = c->plant->safe_steam_pct;

	pid_set_range(&c->steam_loop, fmin(tune->out_min_pct, safe),
	              fmin(fmax(tune->out_max_pct, safe), c->steam_ceiling_pct));
	return pid_slew(&c->steam_loop, safe, core_steam_pv(c), dt_s);
}

/*
 * Feedforward floor for the cooling valve: once the charge nears boiling
 * (vapour is on its way to the condenser), CORE_COOLING_FF of the steam
 * valve's opening. The condenser's outlet lags a minute and its valve
 * strokes slowly, so a loop that closed the valve on the cold condenser of
 * the heat-up cannot catch the first rush of vapour on feedback alone (in
 * closed loop the distillate overshot to 58 C, near the high-high trip).
 */
static double core_cooling_floor(const struct core_still *c, double steam_pct)
{
	if (!core_good(c, CFG_TAG_STILL_TEMP) ||
	    c->last_in.value[CFG_TAG_STILL_TEMP] < CORE_COOLING_FF_BED_C)
		return 0;
	return CORE_COOLING_FF * steam_pct;
}

static double core_cooling_run(struct core_still *c, double steam_pct,
                               double dt_s)
{
	const struct rcp_step *st = &c->recipe.steps[c->step];
	const struct cfg_pid *tune = &c->plant->pid_distillate;
	double lo = isfinite(st->distillate_min_c) ? st->distillate_min_c
	                                           : CORE_DIST_DEFAULT_MIN_C;
	double hi = isfinite(st->distillate_max_c) ? st->distillate_max_c
	                                           : CORE_DIST_DEFAULT_MAX_C;
	double pv = c->last_in.value[CFG_TAG_DISTILLATE_TEMP];
	double floor = core_cooling_floor(c, steam_pct);

	pid_set_range(&c->cooling_loop, fmax(tune->out_min_pct, floor),
	              tune->out_max_pct);
	if (c->manual[CORE_OUT_COOLING])
		return core_clamp(c->manual_pct[CORE_OUT_COOLING], tune->out_min_pct,
		                  tune->out_max_pct);
	return pid_update(&c->cooling_loop, (lo + hi) / 2, pv, dt_s);
}

/* Makes a loop follow the output it did not choose (bumpless). */
static void core_track(struct pid_loop *l, double out_pct, double pv)
{
	if (l->out_pct != out_pct)
		pid_track(l, out_pct, pv);
}

static void core_outputs(struct core_still *c, double dt_s,
                         struct core_outputs *out)
{
	int loops = core_in_state(c, CORE_BIT(CORE_RUNNING) |
	                             CORE_BIT(CORE_HOLDING) |
	                             CORE_BIT(CORE_STOPPING));

	out->steam_pct = c->plant->safe_steam_pct;
	out->cooling_pct = c->plant->safe_cooling_pct;
	core_ceiling(c, dt_s);
	if (loops && c->comm_missed > 0) {
		/* a missed read: hold the last outputs, judge nothing stale */
		out->steam_pct = c->state == CORE_STOPPING ? out->steam_pct
		                                           : c->last_out.steam_pct;
		out->cooling_pct = c->last_out.cooling_pct;
	} else if (loops) {
		if (c->state == CORE_RUNNING)
			out->steam_pct = core_steam_run(c, dt_s);
		else if (c->state == CORE_HOLDING)
			out->steam_pct = core_steam_down(c, dt_s);
		out->cooling_pct = core_cooling_run(c, out->steam_pct, dt_s);
	}
	if (out->steam_pct > c->steam_ceiling_pct)
		out->steam_pct = fmax(c->steam_ceiling_pct, c->plant->safe_steam_pct);
	if (core_alarm_trip_first(c) >= 0) {
		out->steam_pct = c->plant->safe_steam_pct;
		out->cooling_pct = c->plant->safe_cooling_pct;
	}
	core_track(&c->steam_loop, out->steam_pct, core_steam_pv(c));
	core_track(&c->cooling_loop, out->cooling_pct,
	           c->last_in.value[CFG_TAG_DISTILLATE_TEMP]);
}

/* ---- the tick ---------------------------------------------------------- */

void core_step(struct core_still *c, const struct core_inputs *in,
               double now_s, struct core_outputs *out)
{
	double dt_s = c->have_now ? now_s - c->last_now_s : 0;

	if (!(dt_s > 0))
		dt_s = 0;
	if (!c->have_now)
		c->comm_ok_s = now_s; /* the link's silence counts from here */
	c->last_now_s = now_s;
	c->have_now = 1;
	core_alarm_shelve_expire(c, now_s);
	/* the record cannot be written: control goes on, people must know */
	core_alarm_feed(c, CORE_ALK_STORAGE, in->storage_fault != 0, now_s,
	                "the batch record cannot be written (disk full or failing): "
	                "control continues, samples may be dropped");
	core_alarm_feed(c, CORE_ALK_JOURNAL, in->journal_aside != 0, now_s,
	                "the journal set a record item aside (it could not be "
	                "written): see stillroom report quarantine");
	core_alarm_feed(c, CORE_ALK_NOTIFY, in->notify_failed != 0, now_s,
	                "an alarm notification failed (the notify program "
	                "failed, hung or could not run): see the daemon's log");
	core_alarm_eval_comm(c, in->comm_ok, now_s);
	if (in->comm_ok) {
		int was_good = core_good(c, CFG_TAG_PRESSURE);

		core_judge_sensors(c, in, now_s);
		core_pressure_rate(c, in, dt_s, was_good);
		c->last_in = *in;
		c->have_in = 1;
		core_alarm_eval(c, now_s);
		if (core_batch_active(c))
			core_oil_update(c, now_s);
	}
	core_alarm_flood_eval(c, now_s);
	core_trip_hold(c, now_s);
	if (c->state == CORE_RUNNING) {
		c->step_elapsed_s += dt_s;
		c->batch_elapsed_s += dt_s;
	}
	if (in->comm_ok)
		core_endpt_tick(c);
	core_state_tick(c, in->comm_ok, now_s);
	core_outputs(c, dt_s, out);
	c->heartbeat++;
	out->heartbeat = c->heartbeat;
	c->last_out = *out;
	c->state_ticks++;
}

/* The commands themselves are in core_cmd.c. */
int core_command(struct core_still *c, const struct core_cmd *cmd,
                 double now_s, char *cause, size_t cause_len)
{
	return core_cmd_apply(c, cmd, now_s, cause, cause_len);
}

/* ---- set-up, recovery, queries ----------------------------------------- */

void core_init(struct core_still *c, const struct cfg_plant *plant, int still)
{
	memset(c, 0, sizeof *c);
	c->plant = plant;
	c->still = still;
	c->state = CORE_IDLE;
	c->oil_rate_low_since_s = -1;
	c->oil_at_start_g = NAN;
	c->cooling_low_since_s = -1;
	c->band_out_since_s = -1;
	c->steam_ceiling_pct = 100;
	c->last_out.steam_pct = plant->safe_steam_pct;
	c->last_out.cooling_pct = plant->safe_cooling_pct;
	for (int o = 0; o < CORE_OUT_COUNT; o++)
		c->manual_pct[o] = o == CORE_OUT_STEAM ? plant->safe_steam_pct
		                                       : plant->safe_cooling_pct;
	c->steam_ctl = RCP_CTL_PRESSURE;
	pid_init(&c->steam_loop, &plant->pid_pressure, plant->safe_steam_pct);
	pid_init(&c->cooling_loop, &plant->pid_distillate, plant->safe_cooling_pct);
	core_alarm_init(c);
}

void core_set_comm_floor(struct core_still *c, double min_s)
{
	c->comm_loss_min_s = min_s > 0 ? min_s : 0;
}

void core_recover(struct core_still *c, long batch_id,
                  const struct rcp_recipe *r, int step, double charge_kg,
                  const char *operator_name, double now_s)
{
	char text[200];

	c->batch_id = batch_id;
	c->recipe = *r;
	c->recipe.text = NULL;
	c->charge_kg = charge_kg;
	snprintf(c->operator_name, sizeof c->operator_name, "%s",
	         operator_name ? operator_name : "");
	c->batch_started_s = now_s;
	c->batch_elapsed_s = 0;
	c->batch_deadline_s = core_batch_max_s(r);
	core_oil_reset(c, now_s);
	c->oil_at_start_g = 0; /* the receiver was emptied at the charge */
	c->last_out.steam_pct = c->plant->safe_steam_pct;
	c->last_out.cooling_pct = c->plant->safe_cooling_pct;
	if (step < 0 || step >= r->n_steps)
		step = 0;
	c->step = -1;
	snprintf(text, sizeof text, "batch %ld was active when the controller "
	         "stopped; safe outputs, waiting for the operator", batch_id);
	core_set_state(c, CORE_LOST, now_s, "controller", "fault", text);
	if (r->n_steps > 0)
		core_step_enter(c, step, now_s, "controller", "fault",
		                "recovered at this step; its timer starts again");
}

const char *core_state_name(enum core_state s)
{
	if ((int)s < 0 || s >= CORE_STATE_COUNT)
		return "unknown";
	return core_state_names[s];
}

int core_batch_active(const struct core_still *c)
{
	return core_in_state(c, CORE_ACTIVE_MASK);
}

double core_oil_g(const struct core_still *c)
{
	double g;

	if (!c->have_in || !isfinite(c->oil_at_start_g))
		return 0;
	g = c->last_in.value[CFG_TAG_OIL] - c->oil_at_start_g;
	return g > 0 ? g : 0;
}

/* Seconds left in the current step (see docs/CONTROL.md). */
static double core_step_left_s(const struct core_still *c,
                               const struct rcp_step *st)
{
	double cap = st->max_s > 0 ? fmax(0, c->step_deadline_s - c->step_elapsed_s)
	                           : INFINITY;
	double left = cap;
	double rate = c->oil_rate_g_per_h, k = c->oil_decay_per_s;

	switch (st->end) {
	case RCP_END_DURATION:
		left = fmax(0, st->duration_s - c->step_elapsed_s);
		break;
	case RCP_END_OIL_RATE:
		if (rate < st->oil_rate_g_per_h && c->oil_rate_low_since_s >= 0)
			left = fmax(0, st->oil_rate_for_s -
			               (c->step_elapsed_s - c->oil_rate_low_since_s));
		else if (rate > st->oil_rate_g_per_h && k > 0 &&
		         st->oil_rate_g_per_h > 0)
			left = log(rate / st->oil_rate_g_per_h) / k + st->oil_rate_for_s;
		break;
	case RCP_END_CONFIRM:
		left = 0;
		break;
	case RCP_END_ECONOMIC:
		left = core_endpt_left_s(c, st);
		break;
	case RCP_END_REACH:
		break;
	}
	return fmin(left, cap);
}

/* A step not yet started: its duration, else its maximum (an upper
 * bound), and nothing for an operator confirmation. */
static double core_future_step_s(const struct rcp_step *st)
{
	if (st->end == RCP_END_DURATION)
		return st->duration_s;
	if (st->end == RCP_END_CONFIRM)
		return 0;
	return st->max_s > 0 ? st->max_s : INFINITY;
}

double core_time_left_s(const struct core_still *c)
{
	const struct rcp_step *st = core_cur_step(c);
	double left;

	if (c->state == CORE_COMPLETE)
		return 0;
	if (!st || c->state == CORE_STOPPING || c->state == CORE_ABORTING)
		return -1;
	left = core_step_left_s(c, st);
	for (int i = c->step + 1; i < c->recipe.n_steps; i++)
		left += core_future_step_s(&c->recipe.steps[i]);
	if (c->batch_deadline_s > 0)
		left = fmin(left, fmax(0, c->batch_deadline_s - c->batch_elapsed_s));
	return isfinite(left) ? left : -1;
}
