/*
 * core_cmd: the operator commands of the control core (see core.h,
 * core_command). Each is checked first and refused with a sentence
 * ("still2 is running batch 41; hold or stop it first") that leaves the
 * core unchanged, or applied with its events. docs/CONTROL.md has the
 * state table.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

#define CORE_SHELVE_MAX_S 86400.0 /* ISA-18.2: shelving is time-limited */

static const char *const core_cmd_names[] = {
	[CORE_CMD_START] = "start", [CORE_CMD_HOLD] = "hold",
	[CORE_CMD_RESTART] = "restart", [CORE_CMD_STOP] = "stop",
	[CORE_CMD_ABORT] = "abort", [CORE_CMD_RESET] = "reset",
	[CORE_CMD_ACK] = "ack", [CORE_CMD_SHELVE] = "shelve",
	[CORE_CMD_ANSWER] = "answer", [CORE_CMD_MANUAL] = "manual",
	[CORE_CMD_AUTO] = "auto",
};

/* Which states the batch commands accept, and how to say so. */
struct core_gate {
	unsigned mask;     /* CORE_BIT of each state the command accepts */
	const char *needs; /* "hold needs <this>" when refused */
};

static const struct core_gate core_gates[] = {
	[CORE_CMD_HOLD] = {CORE_BIT(CORE_RUNNING) | CORE_BIT(CORE_RESTARTING),
	                   "a running batch"},
	[CORE_CMD_RESTART] = {CORE_BIT(CORE_HELD) | CORE_BIT(CORE_LOST),
	                      "a held or lost batch"},
	[CORE_CMD_STOP] = {CORE_BIT(CORE_RUNNING) | CORE_BIT(CORE_HOLDING) |
	                   CORE_BIT(CORE_HELD) | CORE_BIT(CORE_RESTARTING) |
	                   CORE_BIT(CORE_LOST),
	                   "a running, held or lost batch"},
	[CORE_CMD_ABORT] = {CORE_ACTIVE_MASK & ~CORE_BIT(CORE_ABORTING),
	                    "an active batch"},
};

static int core_refuse(char *cause, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int core_refuse(char *cause, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (cause && len > 0) {
		va_start(ap, fmt);
		vsnprintf(cause, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "still2 is running batch 41", "still1 is idle". */
static void core_phrase(const struct core_still *c, char *buf, size_t len)
{
	static const char *const pre[CORE_STATE_COUNT] = {
		[CORE_RUNNING] = "is running", [CORE_HOLDING] = "is holding",
		[CORE_RESTARTING] = "is restarting", [CORE_STOPPING] = "is stopping",
		[CORE_ABORTING] = "is aborting",
	};
	const char *name = core_still_name(c);

	if (c->state == CORE_IDLE)
		snprintf(buf, len, "%s is idle", name);
	else if (pre[c->state])
		snprintf(buf, len, "%s %s batch %ld", name, pre[c->state], c->batch_id);
	else if (c->state == CORE_LOST)
		snprintf(buf, len, "%s has batch %ld lost (it was active when the "
		         "controller stopped)", name, c->batch_id);
	else
		snprintf(buf, len, "%s has batch %ld %s", name, c->batch_id,
		         core_state_name(c->state));
}

/* ---- commands ---------------------------------------------------------- */

static void core_cmd_event(struct core_still *c, const struct core_cmd *cmd,
                           double now_s, const char *text)
{
	core_event_add(c, CORE_EV_COMMAND, now_s, core_cmd_names[cmd->kind],
	               core_state_name(c->state), "", cmd->operator_name,
	               "operator", text);
}

/* Refuses a batch command in a state its gate does not accept. */
static int core_gate_check(const struct core_still *c,
                           const struct core_cmd *cmd, char *cause, size_t len)
{
	char ph[160];

	if (core_in_state(c, core_gates[cmd->kind].mask))
		return 0;
	core_phrase(c, ph, sizeof ph);
	return core_refuse(cause, len, "%s; %s needs %s", ph,
	                   core_cmd_names[cmd->kind], core_gates[cmd->kind].needs);
}

/*
 * Refuses while an interlock is latched or its condition present: "still2
 * cannot start a batch: sensor pressure reads ... (alarm sensor_pressure);
 * clear the fault first". what: "start a batch", "restart".
 */
static int core_trip_check(const struct core_still *c, const char *what,
                           const char *advice, char *cause, size_t len)
{
	int k = core_alarm_trip_first(c);

	if (k < 0)
		return 0;
	if (c->alarms[k].latched_trip)
		return core_refuse(cause, len, "%s has interlock %s latched; %s",
		                   core_still_name(c), c->alarms[k].id, advice);
	return core_refuse(cause, len, "%s cannot %s: %s (alarm %s); clear the "
	                   "fault first", core_still_name(c), what,
	                   c->alarms[k].message, c->alarms[k].id);
}

static int core_start_check(const struct core_still *c,
                            const struct core_cmd *cmd, char *cause,
                            size_t len)
{
	const struct rcp_recipe *r = cmd->recipe;
	const char *name = core_still_name(c);
	char ph[160];

	core_phrase(c, ph, sizeof ph);
	if (c->state == CORE_RUNNING)
		return core_refuse(cause, len, "%s; hold or stop it first", ph);
	if (c->state == CORE_LOST)
		return core_refuse(cause, len, "%s; restart, stop or abort it first", ph);
	if (core_in_state(c, CORE_FINISHED_MASK))
		return core_refuse(cause, len, "%s; reset it first", ph);
	if (c->state != CORE_IDLE)
		return core_refuse(cause, len, "%s; stop or abort it first", ph);
	if (!r || r->n_steps < 1 || r->n_steps > RCP_STEPS_MAX)
		return core_refuse(cause, len, "start on %s needs a recipe with at "
		                   "least one step", name);
	if (cmd->batch_id <= 0)
		return core_refuse(cause, len, "start on %s needs a batch id", name);
	if (!isfinite(cmd->charge_kg) || cmd->charge_kg <= 0 ||
	    (r->charge_min_kg > 0 && cmd->charge_kg < r->charge_min_kg) ||
	    (r->charge_max_kg > 0 && cmd->charge_kg > r->charge_max_kg))
		return core_refuse(cause, len, "charge %.1f kg is outside recipe %s's "
		                   "%.1f..%.1f kg", cmd->charge_kg, r->name,
		                   r->charge_min_kg, r->charge_max_kg);
	if (core_trip_check(c, "start a batch", "acknowledge it and reset first", cause,
	                    len) < 0)
		return -1;
	for (int o = 0; o < CORE_OUT_COUNT; o++)
		if (c->manual[o])
			return core_refuse(cause, len, "%s %s valve is in manual; put "
			                   "it in auto before starting a batch", name,
			                   core_output_name(o));
	return 0;
}

static int core_cmd_start(struct core_still *c, const struct core_cmd *cmd,
                          double now_s, char *cause, size_t len)
{
	const struct rcp_recipe *r = cmd->recipe;
	char text[200];

	if (core_start_check(c, cmd, cause, len) < 0)
		return -1;
	c->batch_id = cmd->batch_id;
	c->recipe = *r;
	c->recipe.text = NULL;
	c->charge_kg = cmd->charge_kg;
	snprintf(c->operator_name, sizeof c->operator_name, "%s",
	         cmd->operator_name);
	c->batch_started_s = now_s;
	c->batch_elapsed_s = 0;
	c->batch_deadline_s = core_batch_max_s(r);
	core_oil_reset(c, now_s);
	c->oil_at_start_g = core_good(c, CFG_TAG_OIL)
	                    ? c->last_in.value[CFG_TAG_OIL] : NAN;
	c->step = -1;
	snprintf(text, sizeof text, "batch %ld: recipe %s v%d, %.1f kg",
	         cmd->batch_id, r->name, r->version, cmd->charge_kg);
	core_cmd_event(c, cmd, now_s, text);
	core_set_state(c, CORE_RUNNING, now_s, cmd->operator_name, "operator", text);
	core_step_enter(c, 0, now_s, cmd->operator_name, "operator", "batch started");
	return 0;
}

/* hold, stop, abort: gate, then the transient state. */
static int core_cmd_move(struct core_still *c, const struct core_cmd *cmd,
                         double now_s, char *cause, size_t len,
                         enum core_state to)
{
	if (core_gate_check(c, cmd, cause, len) < 0)
		return -1;
	core_cmd_event(c, cmd, now_s, "");
	core_set_state(c, to, now_s, cmd->operator_name, "operator",
	               core_cmd_names[cmd->kind]);
	return 0;
}

static int core_cmd_restart(struct core_still *c, const struct core_cmd *cmd,
                            double now_s, char *cause, size_t len)
{
	if (core_gate_check(c, cmd, cause, len) < 0 ||
	    core_trip_check(c, "restart", "acknowledge it, reset, then restart",
	                    cause, len) < 0)
		return -1;
	if (!core_cur_step(c))
		return core_refuse(cause, len, "%s batch %ld has no recipe step to "
		                   "resume; stop or abort it", core_still_name(c),
		                   c->batch_id);
	return core_cmd_move(c, cmd, now_s, cause, len, CORE_RESTARTING);
}

/* Why latched trip k cannot be reset yet. */
static int core_refuse_latch(const struct core_still *c, int k, char *cause,
                             size_t len)
{
	const struct core_alarm *a = &c->alarms[k];

	if (core_alarm_waiting(a))
		return core_refuse(cause, len, "%s interlock %s is not acknowledged; "
		                   "acknowledge it, then reset", core_still_name(c),
		                   a->id);
	return core_refuse(cause, len, "%s interlock %s is still present (%s); it "
	                   "cannot be reset yet", core_still_name(c), a->id,
	                   a->message);
}

static int core_cmd_reset(struct core_still *c, const struct core_cmd *cmd,
                          double now_s, char *cause, size_t len)
{
	int finished = core_in_state(c, CORE_FINISHED_MASK);
	int latched = -1, clearable = 0;
	char ph[160];

	for (int k = 0; k < c->n_alarms; k++) {
		if (c->alarms[k].latched_trip && latched < 0)
			latched = k;
		clearable += core_alarm_latch_clearable(&c->alarms[k]);
	}
	if (!finished && latched < 0) {
		core_phrase(c, ph, sizeof ph);
		return core_refuse(cause, len, "%s and has no latched interlock; "
		                   "reset needs a finished batch or a latched "
		                   "interlock", ph);
	}
	if (!finished && clearable == 0)
		return core_refuse_latch(c, latched, cause, len);

	core_cmd_event(c, cmd, now_s, "");
	for (int k = 0; k < c->n_alarms; k++) {
		if (!core_alarm_latch_clearable(&c->alarms[k]))
			continue;
		c->alarms[k].latched_trip = 0;
		core_event_add(c, CORE_EV_ALARM, now_s, c->alarms[k].id, "latched",
		               "reset", cmd->operator_name, "operator",
		               "interlock latch reset");
	}
	if (finished) {
		core_set_state(c, CORE_IDLE, now_s, cmd->operator_name, "operator",
		               "reset");
		c->batch_id = 0;
		c->step = 0;
	}
	return 0;
}

static int core_cmd_ack(struct core_still *c, const struct core_cmd *cmd,
                        double now_s, char *cause, size_t len)
{
	int k, n = 0;

	if (cmd->text[0]) {
		k = core_alarm_index(c, cmd->text);
		if (k < 0)
			return core_refuse(cause, len, "%s has no alarm called '%s'",
			                   core_still_name(c), cmd->text);
		if (!core_alarm_waiting(&c->alarms[k]))
			return core_refuse(cause, len, "alarm %s on %s is %s, not "
			                   "waiting for acknowledgement", cmd->text,
			                   core_still_name(c),
			                   core_alarm_state_name(c->alarms[k].state));
		core_cmd_event(c, cmd, now_s, cmd->text);
		core_alarm_ack(c, k, cmd->operator_name, now_s);
		return 0;
	}
	for (k = 0; k < c->n_alarms; k++)
		n += core_alarm_waiting(&c->alarms[k]);
	if (n == 0)
		return core_refuse(cause, len, "%s has no alarm waiting for "
		                   "acknowledgement", core_still_name(c));
	core_cmd_event(c, cmd, now_s, "all");
	for (k = 0; k < c->n_alarms; k++)
		if (core_alarm_waiting(&c->alarms[k]))
			core_alarm_ack(c, k, cmd->operator_name, now_s);
	return 0;
}

/* SHELVE text: "id reason words". */
static int core_cmd_shelve(struct core_still *c, const struct core_cmd *cmd,
                           double now_s, char *cause, size_t len)
{
	char id[sizeof c->alarms[0].id] = "";
	const char *reason;
	size_t n = strcspn(cmd->text, " \t");
	struct core_alarm *a;
	char text[200];
	int k;

	if (n == 0 || n >= sizeof id)
		return core_refuse(cause, len, "shelve on %s needs \"ALARM REASON\"",
		                   core_still_name(c));
	memcpy(id, cmd->text, n);
	reason = cmd->text + n;
	reason += strspn(reason, " \t");
	k = core_alarm_index(c, id);
	if (k < 0)
		return core_refuse(cause, len, "%s has no alarm called '%s'",
		                   core_still_name(c), id);
	a = &c->alarms[k];
	if (a->trip)
		return core_refuse(cause, len, "alarm %s on %s is an interlock and "
		                   "cannot be shelved", id, core_still_name(c));
	if (!reason[0])
		return core_refuse(cause, len, "shelving alarm %s needs a reason "
		                   "after its name", id);
	if (!(cmd->shelve_s > 0) || cmd->shelve_s > CORE_SHELVE_MAX_S)
		return core_refuse(cause, len, "shelving alarm %s needs an expiry "
		                   "between 0 and %.0f s, not %.0f s", id,
		                   CORE_SHELVE_MAX_S, cmd->shelve_s);
	snprintf(a->shelve_reason, sizeof a->shelve_reason, "%s", reason);
	snprintf(text, sizeof text, "shelved for %.0f s: %s", cmd->shelve_s, reason);
	core_cmd_event(c, cmd, now_s, text);
	a->shelved_until_s = now_s + cmd->shelve_s;
	if (a->state == CORE_AL_SHELVED) /* shelved again: a new expiry */
		core_event_add(c, CORE_EV_ALARM, now_s, a->id, "shelved", "shelved",
		               cmd->operator_name, "operator", text);
	else
		core_alarm_move(c, k, CORE_AL_SHELVED, now_s, cmd->operator_name,
		                "operator", text);
	return 0;
}

static int core_cmd_answer(struct core_still *c, const struct core_cmd *cmd,
                           double now_s, char *cause, size_t len)
{
	const struct rcp_step *st = core_cur_step(c);

	if (!c->prompt_pending || !st)
		return core_refuse(cause, len, "%s has no question waiting for an "
		                   "answer", core_still_name(c));
	if (!cmd->text[0])
		return core_refuse(cause, len, "an answer on %s needs some text",
		                   core_still_name(c));
	core_cmd_event(c, cmd, now_s, cmd->text);
	core_event_add(c, CORE_EV_ANSWER, now_s, st->name, "", cmd->text,
	               cmd->operator_name, "operator", cmd->text);
	c->prompt_pending = 0;
	c->prompt_answered = 1;
	return 0;
}

static void core_mode_text(const struct core_still *c, int o, char *buf,
                           size_t len)
{
	if (c->manual[o])
		snprintf(buf, len, "manual %.1f %%", c->manual_pct[o]);
	else
		snprintf(buf, len, "auto");
}

static int core_cmd_mode(struct core_still *c, const struct core_cmd *cmd,
                         double now_s, char *cause, size_t len)
{
	int o = cmd->output, manual = cmd->kind == CORE_CMD_MANUAL;
	char old_v[32], new_v[32];

	if (o < 0 || o >= CORE_OUT_COUNT)
		return core_refuse(cause, len, "%s has no output number %d",
		                   core_still_name(c), o);
	if (manual && (!isfinite(cmd->pct) || cmd->pct < 0 || cmd->pct > 100))
		return core_refuse(cause, len, "a manual %s output must be 0 to "
		                   "100 %%, not %.1f", core_output_name(o), cmd->pct);
	if (!manual && !c->manual[o])
		return core_refuse(cause, len, "%s %s valve is already in auto",
		                   core_still_name(c), core_output_name(o));
	core_mode_text(c, o, old_v, sizeof old_v);
	core_cmd_event(c, cmd, now_s, core_output_name(o));
	/* back to auto is bumpless: core_outputs keeps each loop tracking the
	 * output it did not choose, so it starts from where the valve is */
	c->manual[o] = manual;
	if (manual)
		c->manual_pct[o] = cmd->pct;
	core_mode_text(c, o, new_v, sizeof new_v);
	core_event_add(c, CORE_EV_MODE, now_s, core_output_name(o), old_v, new_v,
	               cmd->operator_name, "operator",
	               manual ? "manual mode" : "auto mode");
	return 0;
}

int core_cmd_apply(struct core_still *c, const struct core_cmd *cmd,
                   double now_s, char *cause, size_t cause_len)
{
	if (!cmd->operator_name[0])
		return core_refuse(cause, cause_len, "a command to %s needs the "
		                   "operator's name", core_still_name(c));
	switch (cmd->kind) {
	case CORE_CMD_START:
		return core_cmd_start(c, cmd, now_s, cause, cause_len);
	case CORE_CMD_HOLD:
		return core_cmd_move(c, cmd, now_s, cause, cause_len, CORE_HOLDING);
	case CORE_CMD_RESTART:
		return core_cmd_restart(c, cmd, now_s, cause, cause_len);
	case CORE_CMD_STOP:
		return core_cmd_move(c, cmd, now_s, cause, cause_len, CORE_STOPPING);
	case CORE_CMD_ABORT:
		return core_cmd_move(c, cmd, now_s, cause, cause_len, CORE_ABORTING);
	case CORE_CMD_RESET:
		return core_cmd_reset(c, cmd, now_s, cause, cause_len);
	case CORE_CMD_ACK:
		return core_cmd_ack(c, cmd, now_s, cause, cause_len);
	case CORE_CMD_SHELVE:
		return core_cmd_shelve(c, cmd, now_s, cause, cause_len);
	case CORE_CMD_ANSWER:
		return core_cmd_answer(c, cmd, now_s, cause, cause_len);
	case CORE_CMD_MANUAL:
	case CORE_CMD_AUTO:
		return core_cmd_mode(c, cmd, now_s, cause, cause_len);
	}
	return core_refuse(cause, cause_len, "%s does not know command %d",
	                   core_still_name(c), (int)cmd->kind);
}

const char *core_cmd_name(enum core_cmd_kind k)
{
	if ((int)k < 0 || k > CORE_CMD_AUTO)
		return "unknown";
	return core_cmd_names[k];
}
