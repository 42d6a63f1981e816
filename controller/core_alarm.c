/*
 * core_alarm: the control core's alarms and interlocks (ISA-18.2): the
 * alarm table, each alarm's states (normal, unack, acked, rtn_unack,
 * shelved), latched trips, shelving, the flood rate, and the process
 * conditions evaluated on each tick's inputs. docs/CONTROL.md lists every
 * alarm; core.c calls these from core_step, core_cmd.c from ack, shelve
 * and reset.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

struct core_alarm_def {
	const char *id;
	int priority;       /* 1 high .. 3 low */
	int trip;           /* interlock: safe outputs, hold, latch */
	const char *cause;  /* cause of the controller's transitions */
};

static const struct core_alarm_def core_alarm_defs[CORE_ALK_SENSOR] = {
	[CORE_ALK_PRESSURE_HH] = {"pressure_hh", 1, 1, "interlock"},
	[CORE_ALK_RELIEF] = {"relief_lifted", 1, 1, "interlock"},
	[CORE_ALK_DISTILLATE_HH] = {"distillate_hh", 1, 1, "interlock"},
	[CORE_ALK_COOLING_LOST] = {"cooling_lost", 1, 1, "interlock"},
	[CORE_ALK_COMM_LOSS] = {"comm_loss", 1, 1, "fault"},
	[CORE_ALK_WATCHDOG] = {"watchdog", 1, 1, "fault"},
	[CORE_ALK_PRESSURE_HIGH] = {"pressure_high", 2, 0, "interlock"},
	[CORE_ALK_PRESSURE_RISE] = {"pressure_rise", 2, 0, "interlock"},
	[CORE_ALK_VAPOUR_HIGH] = {"vapour_high", 2, 0, "interlock"},
	[CORE_ALK_DISTILLATE_HIGH] = {"distillate_high", 2, 0, "interlock"},
	[CORE_ALK_DISTILLATE_LOW] = {"distillate_low", 2, 0, "recipe"},
	[CORE_ALK_DISTILLATE_BAND] = {"distillate_band", 3, 0, "recipe"},
	[CORE_ALK_STEP_TIMEOUT] = {"step_timeout", 2, 0, "recipe"},
	[CORE_ALK_BATCH_TIMEOUT] = {"batch_timeout", 2, 0, "recipe"},
	[CORE_ALK_STORAGE] = {"storage", 2, 0, "fault"},
	[CORE_ALK_JOURNAL] = {"journal", 2, 0, "fault"},
	[CORE_ALK_NOTIFY] = {"notify_failed", 3, 0, "fault"},
};

static const char *const core_alarm_state_names[] = {
	[CORE_AL_NORMAL] = "normal", [CORE_AL_UNACK] = "unack",
	[CORE_AL_ACKED] = "acked", [CORE_AL_RTN_UNACK] = "rtn_unack",
	[CORE_AL_SHELVED] = "shelved",
};

/* The tighter of a plant limit and a step limit (NaN = unset). */
static double core_tighter_high(double plant, double step)
{
	if (isfinite(step) && (!isfinite(plant) || step < plant))
		return step;
	return plant;
}

static double core_tighter_low(double plant, double step)
{
	if (isfinite(step) && (!isfinite(plant) || step > plant))
		return step;
	return plant;
}

/* High alarm with a deadband: trips at lim, clears below lim - deadband. */
static int core_over(int was, double v, double lim)
{
	if (!isfinite(lim))
		return 0;
	return was ? v > lim - CORE_ALARM_DEADBAND : v >= lim;
}

static int core_under(int was, double v, double lim)
{
	if (!isfinite(lim))
		return 0;
	return was ? v < lim + CORE_ALARM_DEADBAND : v <= lim;
}

void core_alarm_init(struct core_still *c)
{
	for (int k = 0; k < CORE_ALK_COUNT; k++) {
		struct core_alarm *a = &c->alarms[k];

		if (k < CORE_ALK_SENSOR) {
			snprintf(a->id, sizeof a->id, "%s", core_alarm_defs[k].id);
			a->priority = core_alarm_defs[k].priority;
			a->trip = core_alarm_defs[k].trip;
		} else {
			snprintf(a->id, sizeof a->id, "sensor_%s",
			         cfg_tag_name(k - CORE_ALK_SENSOR));
			a->priority = 1;
			a->trip = 1;
		}
	}
	c->n_alarms = CORE_ALK_COUNT;
}

/* ---- alarms ------------------------------------------------------------ */

const char *core_alarm_cause(int k)
{
	return k < CORE_ALK_SENSOR ? core_alarm_defs[k].cause : "fault";
}

void core_alarm_move(struct core_still *c, int k,
                     enum core_alarm_state s, double now_s,
                     const char *who, const char *cause,
                     const char *text)
{
	struct core_alarm *a = &c->alarms[k];
	enum core_alarm_state old = a->state;

	if (old == s)
		return;
	a->state = s;
	a->since_s = now_s;
	core_event_add(c, CORE_EV_ALARM, now_s, a->id, core_alarm_state_names[old],
	               core_alarm_state_names[s], who, cause, text);
}

/* Alarm flood (ISA-18.2): CORE_FLOOD_ALARMS or more alarms coming on
 * within CORE_FLOOD_WINDOW_S. Entering and leaving a flood are events;
 * floods are counted. */
int core_alarm_rate(const struct core_still *c, double now_s)
{
	int n = 0;

	for (int i = 0; i < CORE_FLOOD_RING; i++)
		if (c->raise_t_s[i] > 0 && now_s - c->raise_t_s[i] < CORE_FLOOD_WINDOW_S)
			n++;
	return n;
}

void core_alarm_flood_eval(struct core_still *c, double now_s)
{
	int rate = core_alarm_rate(c, now_s);
	int flood = c->flood ? rate >= CORE_FLOOD_ALARMS / 2 : rate >= CORE_FLOOD_ALARMS;
	char text[120];

	if (flood == c->flood)
		return;
	c->flood = flood;
	if (flood)
		c->floods++;
	snprintf(text, sizeof text, "%d alarms in the last %.0f min", rate,
	         CORE_FLOOD_WINDOW_S / 60);
	core_event_add(c, CORE_EV_ALARM, now_s, "flood", flood ? "normal" : "flood",
	               flood ? "flood" : "normal", "controller", "fault", text);
}

static void core_alarm_flood_note(struct core_still *c, double now_s)
{
	c->raise_t_s[c->raise_pos] = now_s > 0 ? now_s : 1e-9;
	c->raise_pos = (c->raise_pos + 1) % CORE_FLOOD_RING;
	core_alarm_flood_eval(c, now_s);
}

/*
 * Feeds alarm k its condition this tick. msg describes the condition and
 * is kept when it appears. A trip condition present while a batch is
 * active latches the trip.
 */
void core_alarm_update(struct core_still *c, int k, int active,
                       double now_s, const char *msg)
{
	struct core_alarm *a = &c->alarms[k];
	enum core_alarm_state s = a->state;

	if (active && a->trip && core_batch_active(c) && !a->latched_trip)
		a->latched_trip = 1;
	if (active == a->active)
		return;
	a->active = active;
	if (active)
		snprintf(a->message, sizeof a->message, "%s", msg);
	if (active)
		core_alarm_flood_note(c, now_s);
	if (s == CORE_AL_NORMAL && active)
		s = CORE_AL_UNACK;
	else if (s == CORE_AL_UNACK && !active)
		s = CORE_AL_RTN_UNACK;
	else if (s == CORE_AL_ACKED && !active)
		s = CORE_AL_NORMAL;
	else if (s == CORE_AL_RTN_UNACK && active)
		s = CORE_AL_UNACK;
	core_alarm_move(c, k, s, now_s, "controller", core_alarm_cause(k),
	                active ? a->message : "returned to normal");
}

/* Builds the message only when the alarm is about to come on. */
void core_alarm_feed(struct core_still *c, int k, int active,
                     double now_s, const char *fmt, ...)
{
	char msg[sizeof c->alarms[0].message] = "";
	va_list ap;

	if (active && !c->alarms[k].active) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	core_alarm_update(c, k, active, now_s, msg);
}

const char *core_alarm_trip_outcome(const struct core_still *c)
{
	return core_batch_active(c) ? "batch held, safe outputs"
	                            : "safe outputs, no batch running";
}

/* The first trip that is present or latched, or -1. */
int core_alarm_trip_first(const struct core_still *c)
{
	for (int k = 0; k < c->n_alarms; k++)
		if (c->alarms[k].trip &&
		    (c->alarms[k].active || c->alarms[k].latched_trip))
			return k;
	return -1;
}

int core_alarm_waiting(const struct core_alarm *a)
{
	return a->state == CORE_AL_UNACK || a->state == CORE_AL_RTN_UNACK;
}

int core_alarm_latch_clearable(const struct core_alarm *a)
{
	return a->latched_trip && !a->active && !core_alarm_waiting(a);
}

void core_alarm_shelve_expire(struct core_still *c, double now_s)
{
	for (int k = 0; k < c->n_alarms; k++) {
		struct core_alarm *a = &c->alarms[k];

		if (a->state != CORE_AL_SHELVED || now_s < a->shelved_until_s)
			continue;
		core_alarm_move(c, k, a->active ? CORE_AL_UNACK : CORE_AL_NORMAL,
		                now_s, "controller", "operator", "shelve expired");
	}
}

/* ---- alarms and interlocks on the process ------------------------------ */

static void core_alarm_eval_pressure(struct core_still *c, const struct rcp_step *st,
                               double now_s)
{
	const struct cfg_limits *lim = &c->plant->limits;
	double p = c->last_in.value[CFG_TAG_PRESSURE];
	double high = core_tighter_high(lim->pressure_high_kpa,
	                                st ? st->alarm_pressure_high_kpa : NAN);
	double rate = c->pressure_rate_kpa_per_min;

	if (!core_good(c, CFG_TAG_PRESSURE))
		return;
	core_alarm_feed(c, CORE_ALK_PRESSURE_HH,
	                core_over(c->alarms[CORE_ALK_PRESSURE_HH].active, p,
	                          lim->pressure_high_high_kpa), now_s,
	                "pressure %.1f kPa at or above high-high %.1f kPa: steam "
	                "closed", p, lim->pressure_high_high_kpa);
	core_alarm_feed(c, CORE_ALK_PRESSURE_HIGH,
	                core_over(c->alarms[CORE_ALK_PRESSURE_HIGH].active, p, high),
	                now_s, "pressure %.1f kPa at or above %.1f kPa", p, high);
	core_alarm_feed(c, CORE_ALK_PRESSURE_RISE,
	                core_over(c->alarms[CORE_ALK_PRESSURE_RISE].active, rate,
	                          lim->pressure_rise_kpa_per_min), now_s,
	                "pressure rising %.1f kPa/min, faster than %.1f kPa/min",
	                rate, lim->pressure_rise_kpa_per_min);
}

static void core_alarm_eval_status(struct core_still *c, double now_s)
{
	unsigned status;

	if (!core_good(c, CFG_TAG_STATUS))
		return;
	status = (unsigned)c->last_in.value[CFG_TAG_STATUS];
	core_alarm_feed(c, CORE_ALK_RELIEF, (status & CFG_STATUS_RELIEF_LIFTED) != 0,
	                now_s, "relief valve lifted: steam closed");
	core_alarm_feed(c, CORE_ALK_WATCHDOG, (status & CFG_STATUS_WATCHDOG) != 0,
	                now_s, "field watchdog tripped: the I/O closed the steam "
	                "valve after missed heartbeats");
}

/* Distillate: high-high trip, high (cut-back), low, out of the step band. */
static void core_alarm_eval_distillate(struct core_still *c, const struct rcp_step *st,
                                 double now_s)
{
	const struct cfg_limits *lim = &c->plant->limits;
	double v = c->last_in.value[CFG_TAG_DISTILLATE_TEMP];
	double high = core_tighter_high(lim->distillate_high_c,
	                                st ? st->alarm_distillate_high_c : NAN);
	double low = core_tighter_low(lim->distillate_low_c,
	                              st ? st->alarm_distillate_low_c : NAN);
	int running = c->state == CORE_RUNNING && st;
	int out_band = 0;

	if (!core_good(c, CFG_TAG_DISTILLATE_TEMP))
		return;
	core_alarm_feed(c, CORE_ALK_DISTILLATE_HH,
	                core_over(c->alarms[CORE_ALK_DISTILLATE_HH].active, v,
	                          lim->distillate_high_high_c), now_s,
	                "distillate %.1f C at or above high-high %.1f C: steam "
	                "closed", v, lim->distillate_high_high_c);
	core_alarm_feed(c, CORE_ALK_DISTILLATE_HIGH,
	                core_over(c->alarms[CORE_ALK_DISTILLATE_HIGH].active, v, high),
	                now_s, "distillate %.1f C at or above %.1f C: steam cut "
	                "back", v, high);
	if (running && isfinite(low) && v > low)
		c->low_armed = 1;
	core_alarm_feed(c, CORE_ALK_DISTILLATE_LOW,
	                running && c->low_armed &&
	                core_under(c->alarms[CORE_ALK_DISTILLATE_LOW].active, v, low),
	                now_s, "distillate %.1f C at or below %.1f C: oil may "
	                "congeal in the condenser", v, low);
	if (running && isfinite(st->distillate_min_c) &&
	    isfinite(st->distillate_max_c)) {
		int in_band = v >= st->distillate_min_c && v <= st->distillate_max_c;

		if (in_band)
			c->band_armed = 1;
		if (in_band || !c->band_armed)
			c->band_out_since_s = -1;
		else if (c->band_out_since_s < 0)
			c->band_out_since_s = now_s;
		out_band = c->band_out_since_s >= 0 &&
		           now_s - c->band_out_since_s >= CORE_BAND_DELAY_S;
	}
	core_alarm_feed(c, CORE_ALK_DISTILLATE_BAND, out_band, now_s,
	                "distillate %.1f C outside the step band %.1f..%.1f C for "
	                "%.0f s", v, st ? st->distillate_min_c : NAN,
	                st ? st->distillate_max_c : NAN, CORE_BAND_DELAY_S);
}

/*
 * Cooling lost: the flow stays under the plant's low limit for
 * CORE_COOLING_LOST_S while the valve is more than CORE_COOLING_OPEN_PCT
 * open (its position reading, else our command). A valve opening from
 * closed passes little for a while, and a valve a quarter open may pass
 * less than the limit in normal running: neither is a loss.
 */
static void core_alarm_eval_cooling(struct core_still *c, double now_s)
{
	double flow = c->last_in.value[CFG_TAG_COOLING_FLOW];
	double low = c->plant->limits.cooling_flow_low_l_min;
	double open = core_good(c, CFG_TAG_COOLING_POS)
	              ? c->last_in.value[CFG_TAG_COOLING_POS]
	              : c->last_out.cooling_pct;
	int lost = 0;

	if (!core_good(c, CFG_TAG_COOLING_FLOW))
		return;
	if (core_batch_active(c) && flow < low && open > CORE_COOLING_OPEN_PCT) {
		if (c->cooling_low_since_s < 0)
			c->cooling_low_since_s = now_s;
		lost = now_s - c->cooling_low_since_s >= CORE_COOLING_LOST_S;
	} else {
		c->cooling_low_since_s = -1;
	}
	core_alarm_feed(c, CORE_ALK_COOLING_LOST, lost, now_s,
	                "cooling water lost: %.1f L/min below %.1f L/min with the "
	                "valve %.0f %% open: steam closed", flow, low, open);
}

void core_alarm_eval(struct core_still *c, double now_s)
{
	const struct rcp_step *st = core_cur_step(c);
	double v = c->last_in.value[CFG_TAG_VAPOUR_TEMP];
	double lim = c->plant->limits.vapour_temp_high_c;

	core_alarm_eval_pressure(c, st, now_s);
	core_alarm_eval_status(c, now_s);
	core_alarm_eval_distillate(c, st, now_s);
	core_alarm_eval_cooling(c, now_s);
	if (core_good(c, CFG_TAG_VAPOUR_TEMP))
		core_alarm_feed(c, CORE_ALK_VAPOUR_HIGH,
		                core_over(c->alarms[CORE_ALK_VAPOUR_HIGH].active, v, lim),
		                now_s, "vapour %.1f C at or above %.1f C", v, lim);
}

/* Comm loss: plant->comm_loss_ticks missed reads in a row, and no good
 * read for comm_loss_min_s. */
void core_alarm_eval_comm(struct core_still *c, int comm_ok, double now_s)
{
	int n = c->plant->comm_loss_ticks > 0 ? c->plant->comm_loss_ticks : 1;

	if (comm_ok) {
		c->comm_missed = 0;
		c->comm_ok_s = now_s;
	} else if (c->comm_missed < n) {
		c->comm_missed++;
	}
	core_alarm_feed(c, CORE_ALK_COMM_LOSS, c->comm_missed >= n &&
	                now_s - c->comm_ok_s >= c->comm_loss_min_s, now_s,
	                "no reply from the field I/O for %d ticks: %s", n,
	                core_alarm_trip_outcome(c));
}

int core_alarm_index(const struct core_still *c, const char *id)
{
	for (int k = 0; k < c->n_alarms; k++)
		if (strcmp(c->alarms[k].id, id) == 0)
			return k;
	return -1;
}

void core_alarm_ack(struct core_still *c, int k, const char *who,
                    double now_s)
{
	enum core_alarm_state s = c->alarms[k].state == CORE_AL_UNACK
	                          ? CORE_AL_ACKED : CORE_AL_NORMAL;

	core_alarm_move(c, k, s, now_s, who, "operator", "acknowledged");
}

const char *core_alarm_state_name(enum core_alarm_state s)
{
	if ((int)s < 0 || s > CORE_AL_SHELVED)
		return "unknown";
	return core_alarm_state_names[s];
}

const struct core_alarm *core_alarm_find(const struct core_still *c,
                                         const char *id)
{
	int k = core_alarm_index(c, id);

	return k < 0 ? NULL : &c->alarms[k];
}

int core_alarm_active_count(const struct core_still *c)
{
	int n = 0;

	for (int k = 0; k < c->n_alarms; k++) {
		const struct core_alarm *a = &c->alarms[k];

		if (a->state == CORE_AL_SHELVED)
			continue;
		if (a->state != CORE_AL_NORMAL || a->active || a->latched_trip)
			n++;
	}
	return n;
}
