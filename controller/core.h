/*
 * core: the pure control core of one still. No I/O, no clock, no malloc:
 * inputs and "now" come in, outputs and events go out, so whole batches run
 * in milliseconds in tests and the same code runs the plant. Table of
 * contents:
 *   batch states (ISA-88) and commands
 *   inputs, outputs, events, alarms (ISA-18.2)
 *   core_init, core_set_comm_floor, core_command, core_step,
 *   core_event_pop, core_recover,
 *   core_state_name, core_alarm_active_count, core_time_left_s,
 *   core_batch_active, core_alarm_state_name, core_cmd_name,
 *   core_alarm_find, core_oil_g
 *   core_status_fill, core_status_copy (what status shows, core_status.c)
 * core.c holds the state machine and the tick, core_alarm.c the alarms
 * and interlocks, core_cmd.c the commands; core_int.h is their private
 * header. Times are process seconds (simulated or real). docs/CONTROL.md
 * has the state table, the interlocks, the alarms, the loops and the
 * time-left method.
 */
#ifndef CORE_H
#define CORE_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "est.h"
#include "pid.h"
#include "rcp.h"

enum core_state {
	CORE_IDLE, CORE_RUNNING, CORE_HOLDING, CORE_HELD, CORE_RESTARTING,
	CORE_STOPPING, CORE_STOPPED, CORE_ABORTING, CORE_ABORTED, CORE_COMPLETE,
	CORE_LOST, CORE_STATE_COUNT
};

enum core_quality { CORE_Q_GOOD, CORE_Q_BAD, CORE_Q_STALE };

enum core_cmd_kind {
	CORE_CMD_START, CORE_CMD_HOLD, CORE_CMD_RESTART, CORE_CMD_STOP,
	CORE_CMD_ABORT, CORE_CMD_RESET, CORE_CMD_ACK, CORE_CMD_SHELVE,
	CORE_CMD_ANSWER, CORE_CMD_MANUAL, CORE_CMD_AUTO
};

enum core_output { CORE_OUT_STEAM, CORE_OUT_COOLING, CORE_OUT_COUNT };

/* What the field gave this tick, in engineering units. */
struct core_inputs {
	double value[CFG_TAG_COUNT];
	uint8_t quality[CFG_TAG_COUNT];  /* enum core_quality per tag */
	int comm_ok;                     /* 1 when this tick's reads worked */
	int storage_fault;               /* 1 when the record cannot be written */
	int journal_aside;               /* 1 when the journal set an item aside */
	int notify_failed;               /* 1 when an alarm notification failed */
};

/* What to write this tick. */
struct core_outputs {
	double steam_pct;
	double cooling_pct;
	uint16_t heartbeat;              /* changes every tick */
};

struct core_cmd {
	enum core_cmd_kind kind;
	char operator_name[64];
	const struct rcp_recipe *recipe; /* START: copied (without text) */
	long batch_id;                   /* START: assigned by storage */
	double charge_kg;                /* START */
	char text[200];   /* ANSWER: the answer; ACK/SHELVE: alarm id or ""=all;
	                     SHELVE: "id reason" */
	enum core_output output;         /* MANUAL/AUTO */
	double pct;                      /* MANUAL: output % */
	double shelve_s;                 /* SHELVE: expiry after this long */
};

enum core_event_kind {
	CORE_EV_STATE, CORE_EV_STEP, CORE_EV_ALARM, CORE_EV_COMMAND,
	CORE_EV_MODE, CORE_EV_PROMPT, CORE_EV_ANSWER,
	CORE_EV_DECISION   /* an end-point decision with its figures */
};

/* One thing that happened, for the audit trail: "what: old -> new". */
struct core_event {
	double t_s;
	enum core_event_kind kind;
	long batch_id;                   /* 0 when no batch */
	char what[48];                   /* "state", step name, alarm id ... */
	char old_value[64];
	char new_value[64];
	char who[64];                    /* operator name or "controller" */
	char cause[16];                  /* operator, interlock, recipe, fault */
	char text[200];                  /* why, in words */
};

enum core_alarm_state {
	CORE_AL_NORMAL, CORE_AL_UNACK, CORE_AL_ACKED, CORE_AL_RTN_UNACK,
	CORE_AL_SHELVED
};

#define CORE_FLOOD_ALARMS 10      /* alarms on in the window = a flood */
#define CORE_FLOOD_WINDOW_S 600.0 /* ISA-18.2: 10 alarms per 10 minutes */
#define CORE_FLOOD_RING 64        /* alarm onsets remembered */
#define CORE_ALARMS_MAX 32   /* 14 process alarms + one per input tag */
#define CORE_EVENTS_MAX 64

/* Fixed behaviour of the core (docs/CONTROL.md explains each). */
#define CORE_COOLING_OPEN_PCT 50.0  /* cooling valve position above which
                                       the flow must pass the low limit */
#define CORE_COOLING_LOST_S 10.0    /* flow low this long = cooling lost */
#define CORE_CUTBACK_PCT_PER_S 0.5  /* steam ceiling fall and rise while
                                       the distillate is high */
#define CORE_FROZEN_MOVE_PCT 20.0   /* output travel that must move a live
                                       sensor within sensor_frozen_s */
#define CORE_FROZEN_REST_PCT 0.05   /* an output steadier than this a tick
                                       is at rest (frozen evidence ages) */
#define CORE_VALVE_CLOSED_PCT 2.0   /* steam position counted as closed */
#define CORE_STOP_CONFIRM_S 60.0    /* stopping ends unconfirmed after this */
#define CORE_OIL_WINDOW_S 60.0      /* oil rate: differencing window */
#define CORE_OIL_TAU_S 300.0        /* oil rate: smoothing time constant */
#define CORE_OIL_TREND_S 1800.0     /* oil rate decay: measured over this */
#define CORE_RISE_TAU_S 15.0        /* pressure and its rise rate are
                                       each smoothed this much */
#define CORE_BAND_DELAY_S 60.0      /* distillate out of band this long */
#define CORE_ALARM_DEADBAND 1.0     /* kPa, C or kPa/min to clear an alarm */
#define CORE_TIMEOUT_EXTEND 0.25    /* after a timeout hold, the step (batch)
                                       gets this share of max_s again */
#define CORE_COOLING_FF 0.8         /* cooling floor per % of steam once
                                       the charge nears boiling */
#define CORE_COOLING_FF_BED_C 85.0  /* charge temperature that says vapour
                                       is a minute or two away */
#define CORE_DIST_DEFAULT_MIN_C 25.0 /* distillate band when a step has */
#define CORE_DIST_DEFAULT_MAX_C 40.0 /* none (process.md: target 25-40 C) */

struct core_alarm {
	char id[32];                     /* "pressure_hh", "comm_loss" ... */
	int priority;                    /* 1 high, 2 medium, 3 low */
	enum core_alarm_state state;
	int active;                      /* condition present now */
	int latched_trip;                /* interlock latched until reset */
	double since_s;                  /* last state change */
	double shelved_until_s;
	char message[120];
	int trip;                        /* an interlock: safe outputs, latches */
	char shelve_reason[64];          /* SHELVE: why (who: in the event) */
};

struct core_still {
	const struct cfg_plant *plant;
	int still;                       /* index in plant->stills */
	enum core_state state;
	long batch_id;
	struct rcp_recipe recipe;        /* copy; text is NULL */
	double charge_kg;
	char operator_name[64];
	int step;                        /* current step index */
	double step_started_s;
	double step_elapsed_s;           /* excludes time held */
	double batch_started_s;
	double last_now_s;
	int prompt_pending;              /* waiting for an answer */
	int manual[CORE_OUT_COUNT];
	double manual_pct[CORE_OUT_COUNT];
	struct pid_loop steam_loop;
	struct pid_loop cooling_loop;
	struct core_outputs last_out;
	struct core_inputs last_in;
	double oil_rate_g_per_h;         /* smoothed */
	double oil_rate_low_since_s;     /* step_elapsed_s when the rate fell
	                                    below the step's threshold, -1
	                                    when not below */
	double oil_at_start_g;           /* receiver reading at batch start */
	struct core_alarm alarms[CORE_ALARMS_MAX];
	int n_alarms;
	struct core_event events[CORE_EVENTS_MAX]; /* ring */
	int ev_head, ev_count;
	long events_dropped;             /* oldest events overwritten */
	uint16_t heartbeat;

	double raise_t_s[CORE_FLOOD_RING]; /* when alarms came on, ring */
	int raise_pos;
	int flood;                       /* in an alarm flood now */
	long floods;                     /* floods since start */
	/* Added by the core's implementation (see docs/CONTROL.md). */
	int have_now;                    /* last_now_s is valid */
	double state_since_s;            /* entry time of the current state */
	int state_ticks;                 /* ticks completed in this state */
	char pend_who[64];               /* who/cause of the transient state, */
	char pend_cause[16];             /* reused when it completes */
	double batch_elapsed_s;          /* running time, excludes held */
	double step_deadline_s;          /* step_elapsed_s that times out */
	double batch_deadline_s;         /* batch_elapsed_s that times out */
	int prompt_answered;             /* the step's prompt was answered */
	int steam_ctl;                   /* enum rcp_control of the steam loop */
	int comm_missed;                 /* consecutive ticks with comm_ok == 0 */
	double comm_ok_s;                /* last good read (or the first tick) */
	double comm_loss_min_s;          /* the link silent this long too, s */
	uint8_t tag_quality[CFG_TAG_COUNT]; /* judged: enum core_quality */
	double tag_same_since_s[CFG_TAG_COUNT]; /* value unchanged since */
	double tag_out_lo_pct[CFG_TAG_COUNT];   /* output travel seen since */
	double tag_out_hi_pct[CFG_TAG_COUNT];
	double tag_out_last_pct[CFG_TAG_COUNT]; /* output at the last tick */
	double tag_out_rest_since_s[CFG_TAG_COUNT]; /* output unchanged since */
	double tag_frozen_since_s[CFG_TAG_COUNT];   /* judged frozen since, 0 */
	int have_in;                     /* last_in holds a good read */
	double steam_ceiling_pct;        /* distillate-high cut-back ceiling */
	double pressure_smooth_kpa;      /* pressure smoothed for the rate */
	double pressure_rate_kpa_per_min; /* smoothed rise rate */
	double cooling_low_since_s;      /* -1 when flow is fine */
	double band_out_since_s;         /* -1 when distillate in band */
	int band_armed;                  /* distillate was in band this step */
	int low_armed;                   /* distillate was above low limit */
	int oil_win_valid;               /* oil rate window started */
	double oil_win_start_g;          /* receiver at window start, g */
	double oil_win_start_s;
	double oil_decay_per_s;          /* -d ln(rate)/dt over the last
	                                    CORE_OIL_TREND_S; <= 0 unknown */
	double oil_trend_rate_g_per_h;   /* smoothed rate at oil_trend_s */
	double oil_trend_s;
	/* The end point (core_endpt.c, docs/CONTROL.md "Economic end"). */
	int est_on;                      /* a distil step feeds the estimator */
	struct est est;                  /* the oil curve of that step */
	double est_oil0_g;               /* receiver at the step's first good
	                                    reading, g; NaN none yet */
	double oil_price_vnd_per_kg;     /* the feedstock's, NaN none */
	double next_hour_value_vnd;      /* forecast next hour's oil x price,
	                                    NaN unknown */
	double hour_cost_vnd;            /* the next hour's running cost at
	                                    the present flows, NaN unknown */
	double econ_below_since_s;       /* step_elapsed_s when the value fell
	                                    below the cost, -1 when not below */
};

/* One alarm not normal (or active), as status lists it. */
struct core_alarm_row {
	char id[32];                     /* as core_alarm.id */
	char message[120];               /* as core_alarm.message */
	double since_s;                  /* last state change, process s */
	int priority;                    /* 1 high, 2 medium, 3 low */
	enum core_alarm_state state;
	int active;                      /* condition present now */
};

/*
 * What status and the console show of a still, taken from the core at
 * one tick (core_status_fill): small, so the loop can publish one every
 * tick without copying the whole core. The alarm rows come last; only
 * the first n_rows are meaningful (core_status_copy copies no more).
 */
struct core_status {
	enum core_state state;
	long batch_id;
	char recipe[RCP_NAME_MAX];       /* "" when no batch */
	char step[RCP_NAME_MAX];         /* "" when no step */
	int step_index;                  /* 1-based; 0 when no batch */
	int step_count;                  /* 0 when no batch */
	double step_progress_pct;        /* 0..100, -1 unknown */
	double value[CFG_TAG_COUNT];     /* the last inputs, engineering units */
	uint32_t bad_tags;               /* bit t: input t not good (I/O or judged) */
	double steam_cmd_pct;            /* the last steam output */
	double oil_kg;                   /* since the batch started */
	double yield_pct;                /* oil over charge */
	double charge_kg;
	double time_left_s;              /* -1 unknown */
	int alarms;                      /* core_alarm_active_count */
	int alarms_10min;                /* core_alarm_rate at the tick */
	int flood;                       /* in an alarm flood */
	long floods;                     /* floods since start */
	char prompt[200];                /* the question waiting, or "" */
	int manual[CORE_OUT_COUNT];      /* 1: the output is in manual */
	int steam_ctl;                   /* the step's enum rcp_control, -1 none */
	double steam_sp;                 /* the step's steam target, NaN none */
	double cooling_sp_c;             /* the cooling loop's target, NaN none */
	/* The end-point forecast (est.h) of the distil step; fc.valid 0
	 * outside it and until the estimator can fit (issue 13). */
	struct est_forecast fc;
	double fc_yield_pct;             /* fc.final_kg over charge, %; NaN */
	double next_hour_value_vnd;      /* fc.next_hour_kg at the oil price;
	                                    NaN without economics */
	double hour_cost_vnd;            /* cost of the next hour of running
	                                    (econ_hour_cost_vnd); NaN without */
	int n_rows;                      /* alarms not normal, rows[0..n_rows) */
	struct core_alarm_row rows[CORE_ALARMS_MAX];
};

/* Sets c up idle for plant->stills[still], safe outputs, no alarms. */
void core_init(struct core_still *c, const struct cfg_plant *plant, int still);

/*
 * Comm loss also needs the link silent for min_s of process time since
 * its last good read (0, the default: comm_loss_ticks alone). The loop
 * gives the wall-clock floor at its speed (clk_speed_window_s).
 */
void core_set_comm_floor(struct core_still *c, double min_s);

/*
 * Applies an operator command at now_s. Returns 0 and queues its events,
 * or -1 with a sentence in cause ("still2 is running batch 41; hold or stop
 * it first") and changes nothing.
 */
int core_command(struct core_still *c, const struct core_cmd *cmd,
                 double now_s, char *cause, size_t cause_len);

/* One control tick: interlocks, alarms, step logic, loops -> *out. */
void core_step(struct core_still *c, const struct core_inputs *in,
               double now_s, struct core_outputs *out);

/* Takes the oldest queued event into *ev; returns 0, or -1 when none. */
int core_event_pop(struct core_still *c, struct core_event *ev);

/* After a daemon restart: puts the batch that was active back as LOST at
 * the given step, safe outputs, waiting for the operator. */
void core_recover(struct core_still *c, long batch_id,
                  const struct rcp_recipe *r, int step, double charge_kg,
                  const char *operator_name, double now_s);

/* "idle", "running", ... "lost". */
const char *core_state_name(enum core_state s);

/* Alarms that are active or unacknowledged (not shelved). */
int core_alarm_active_count(const struct core_still *c);

/* Estimated process seconds left in the batch, or -1 when unknown. */
double core_time_left_s(const struct core_still *c);

/* 1 when a batch is underway (running .. aborting, lost). */
int core_batch_active(const struct core_still *c);

/* "normal", "unack", "acked", "rtn_unack", "shelved". */
const char *core_alarm_state_name(enum core_alarm_state s);

/* "start", "hold", ... "auto". */
const char *core_cmd_name(enum core_cmd_kind k);

/* The alarm with that id, or NULL. */
const struct core_alarm *core_alarm_find(const struct core_still *c,
                                         const char *id);

/* Alarms that came on in the last CORE_FLOOD_WINDOW_S (ISA-18.2 rate). */
int core_alarm_rate(const struct core_still *c, double now_s);

/* Oil collected in the receiver since the batch started, g (0 when no
 * reading yet). */
double core_oil_g(const struct core_still *c);

/* Fills *st from c as of process time now_s (the tick's). */
void core_status_fill(const struct core_still *c, double now_s,
                      struct core_status *st);

/* Copies *src into *dst up to its last alarm row in use. */
void core_status_copy(struct core_status *dst, const struct core_status *src);

#endif
