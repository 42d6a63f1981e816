/*
 * core_int: what the control core's files share and nobody else sees.
 * core.c is the state machine and the tick, core_alarm.c the alarms and
 * interlocks (ISA-18.2), core_cmd.c the operator commands, core_endpt.c
 * the end-point estimator's feed and the economic end. Only core*.c
 * include this; the rest of the program uses core.h.
 */
#ifndef CORE_INT_H
#define CORE_INT_H

#include <stddef.h>

#include "core.h"

/* Fixed alarm slots; sensor alarms follow, one per input tag. */
enum core_alarm_kind {
	CORE_ALK_PRESSURE_HH,
	CORE_ALK_RELIEF,
	CORE_ALK_DISTILLATE_HH,
	CORE_ALK_COOLING_LOST,
	CORE_ALK_COMM_LOSS,
	CORE_ALK_WATCHDOG,
	CORE_ALK_PRESSURE_HIGH,
	CORE_ALK_PRESSURE_RISE,
	CORE_ALK_VAPOUR_HIGH,
	CORE_ALK_DISTILLATE_HIGH,
	CORE_ALK_DISTILLATE_LOW,
	CORE_ALK_DISTILLATE_BAND,
	CORE_ALK_STEP_TIMEOUT,
	CORE_ALK_BATCH_TIMEOUT,
	CORE_ALK_STORAGE,
	CORE_ALK_JOURNAL,
	CORE_ALK_NOTIFY,
	CORE_ALK_SENSOR,
	CORE_ALK_COUNT = CORE_ALK_SENSOR + CFG_TAG_FIRST_OUTPUT
};
_Static_assert(CORE_ALK_COUNT <= CORE_ALARMS_MAX, "raise CORE_ALARMS_MAX");

#define CORE_BIT(s) (1u << (s))
#define CORE_ACTIVE_MASK                                                      \
	(CORE_BIT(CORE_RUNNING) | CORE_BIT(CORE_HOLDING) | CORE_BIT(CORE_HELD) | \
	 CORE_BIT(CORE_RESTARTING) | CORE_BIT(CORE_STOPPING) |                  \
	 CORE_BIT(CORE_ABORTING) | CORE_BIT(CORE_LOST))
#define CORE_FINISHED_MASK                                                    \
	(CORE_BIT(CORE_COMPLETE) | CORE_BIT(CORE_STOPPED) | CORE_BIT(CORE_ABORTED))

/* ---- core.c: state, events, helpers ------------------------------------ */

/* 1 when c's state is one of the CORE_BIT()s in mask. */
int core_in_state(const struct core_still *c, unsigned mask);

/* The running batch's current step, or NULL. */
const struct rcp_step *core_cur_step(const struct core_still *c);

/* 1 when the last read of tag t was good and judged good. */
int core_good(const struct core_still *c, enum cfg_tag t);

/* The still's name from the plant config ("still2"). */
const char *core_still_name(const struct core_still *c);

/* "steam", "cooling". */
const char *core_output_name(int o);

/* Queues an audit event (the oldest is overwritten when the ring is
 * full, and counted). */
void core_event_add(struct core_still *c, enum core_event_kind kind,
                    double now_s, const char *what, const char *old_v,
                    const char *new_v, const char *who, const char *cause,
                    const char *text);

/* Enters state s (its timers restart) and queues the state event. */
void core_set_state(struct core_still *c, enum core_state s, double now_s,
                    const char *who, const char *cause, const char *text);

/* Enters recipe step i: timers, loop tuning (bumpless), prompt. */
void core_step_enter(struct core_still *c, int i, double now_s,
                     const char *who, const char *cause, const char *why);

/* The recipe's batch maximum, s: its own, else the sum of the steps'
 * maxima (0 when a step has none). */
double core_batch_max_s(const struct rcp_recipe *r);

/* Restarts the oil-rate estimate at now_s (a new batch). */
void core_oil_reset(struct core_still *c, double now_s);

/* ---- core_alarm.c: alarms and interlocks ------------------------------- */

/* Sets up the alarm table: fixed alarms, then one sensor alarm per tag. */
void core_alarm_init(struct core_still *c);

/* The cause ("interlock", "recipe", "fault") of alarm k's transitions. */
const char *core_alarm_cause(int k);

/* Moves alarm k to state s (nothing when it is there) with an event. */
void core_alarm_move(struct core_still *c, int k, enum core_alarm_state s,
                     double now_s, const char *who, const char *cause,
                     const char *text);

/* Feeds alarm k its condition this tick; msg describes the condition and
 * is kept when it appears. A trip present while a batch is active
 * latches. */
void core_alarm_update(struct core_still *c, int k, int active, double now_s,
                       const char *msg);

/* core_alarm_update with the message built (only when it comes on). */
void core_alarm_feed(struct core_still *c, int k, int active, double now_s,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Enters or leaves an alarm flood by the rate at now_s (an event each). */
void core_alarm_flood_eval(struct core_still *c, double now_s);

/* What a trip does to the still now, for its message: "batch held, safe
 * outputs" while a batch is active, "safe outputs, no batch running"
 * otherwise.
 * A static string. */
const char *core_alarm_trip_outcome(const struct core_still *c);

/* The first trip present or latched, or -1. */
int core_alarm_trip_first(const struct core_still *c);

/* 1 when a is waiting for an acknowledgement (unack, rtn_unack). */
int core_alarm_waiting(const struct core_alarm *a);

/* 1 when a's latch may be reset: acknowledged and its condition gone. */
int core_alarm_latch_clearable(const struct core_alarm *a);

/* Returns shelved alarms whose expiry passed (unack when active). */
void core_alarm_shelve_expire(struct core_still *c, double now_s);

/* The process alarms and interlocks on the last good inputs. */
void core_alarm_eval(struct core_still *c, double now_s);

/* Comm loss: comm_loss_ticks missed reads in a row and no good read for
 * comm_loss_min_s. */
void core_alarm_eval_comm(struct core_still *c, int comm_ok, double now_s);

/* Index of the alarm called id, or -1. */
int core_alarm_index(const struct core_still *c, const char *id);

/* Acknowledges alarm k for who (unack -> acked, rtn_unack -> normal). */
void core_alarm_ack(struct core_still *c, int k, const char *who, double now_s);

/* ---- core_endpt.c: the end-point estimator and the economic end ------- */

/* A step starts: a distil step starts a fresh oil curve (est_init). */
void core_endpt_enter(struct core_still *c, const struct rcp_step *st);

/* A running tick of a distil step (after the timers moved): feeds the
 * estimator the step's running time, its oil and the steam flow, and
 * weighs the next hour's oil against its cost. */
void core_endpt_tick(struct core_still *c);

/* 1 when the economic step st ends now: value under cost for its `for`
 * after its `not_before`, or its max reached. Queues the decision event
 * (CORE_EV_DECISION) with the figures behind it. */
int core_endpt_done(struct core_still *c, const struct rcp_step *st,
                    double now_s);

/* Seconds left in economic step st from the forecast, before the cap of
 * its max (INFINITY when the forecast cannot say). */
double core_endpt_left_s(const struct core_still *c, const struct rcp_step *st);

/* ---- core_cmd.c: operator commands -------------------------------------- */

/* core_command's body: checks and applies cmd (see core.h). */
int core_cmd_apply(struct core_still *c, const struct core_cmd *cmd,
                   double now_s, char *cause, size_t cause_len);

#endif
