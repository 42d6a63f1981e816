/*
 * rig: one still's control core and plant model stepped in lockstep in one
 * process, no sockets and no clock. Each tick: the model's readings rounded
 * to their registers' resolution -> core_step -> outputs -> model_write ->
 * the core's events -> the operator's answer -> model_step(RIG_DT_S).
 * Linked by tests/unit/test_closedloop.c and bench/bench_closedloop.c, and
 * meant for whoever runs whole batches against the model (a population of
 * batches with varied feedstock and model parameters, say). Uses only
 * core.h's and model.h's public API.
 * Table of contents:
 *   struct rig                the core, the model, the time, the inputs a
 *                             caller may set, the hooks
 *   making one                rig_init, rig_charge
 *   commands                  rig_command, rig_start
 *   stepping                  rig_step, rig_run_for, rig_run_until,
 *                             rig_run_to_end
 *   reading                   rig_batch_max_s, rig_yield_pct (and the
 *                             struct's fields: core, model, out, now_s)
 */
#ifndef RIG_H
#define RIG_H

#include "cfg.h"
#include "core.h"
#include "model.h"
#include "rcp.h"

#define RIG_DT_S 0.2              /* the plant's tick, s */
#define RIG_IDLE_S 30.0           /* rig_start idles this long first, s */
#define RIG_ANSWER_AFTER_S 60.0   /* the operator's delay to answer, s */
#define RIG_OVERRUN_S 3600.0      /* rig_run_to_end's margin past the recipe's time */

struct rig;

/* Called for each event the core gives in a tick, after the rig noted a
 * prompt and before the operator answers. */
typedef void rig_event_fn(struct rig *g, const struct core_event *e, void *ctx);
/* Called each tick after model_step, before now_s moves on. */
typedef void rig_tick_fn(struct rig *g, void *ctx);

/* A still, its controller and its operator. Read any field; a caller sets
 * only those marked "input" (and model.faults) between steps. Not to be
 * copied once initialised: the core points at the plant inside it. */
struct rig {
	struct cfg_plant plant;          /* the still's configuration (a copy) */
	struct model_params mp;          /* the model's parameters (a copy) */
	struct model_still model;        /* the plant model */
	struct core_still core;          /* the control core */
	struct core_outputs out;         /* the core's outputs of the last tick */
	double now_s;                    /* process time since rig_init, s */
	long ticks;                      /* ticks stepped */
	double charge_kg;                /* the charge loaded by rig_charge, kg */
	double prompt_at_s;              /* when the waiting question came; < 0 none */
	char cause[256];                 /* why the last refused command was refused */
	int comm_down;                   /* input: the I/O read fails (comm_ok 0) */
	int stalled;                     /* input: the controller does nothing (field watchdog) */
	int auto_answer;                 /* input: answer "done" RIG_ANSWER_AFTER_S after a question (1) */
	char operator_name[32];          /* input: who sends the commands ("rig") */
	long batch_id;                   /* input: the started batch's id (1) */
	rig_event_fn *on_event;          /* input: NULL none */
	rig_tick_fn *on_tick;            /* input: NULL none */
	void *ctx;                       /* input: handed to the hooks */
};

/* Sets g up idle at time 0: a copy of plant (NULL: cfg_defaults) for the
 * core (still 0), the model with mp (NULL: model_params_default mapped to
 * the plant's registers), no charge, no hooks, auto_answer on. */
void rig_init(struct rig *g, const struct cfg_plant *plant,
              const struct model_params *mp);

/* Loads charge_kg of feed into the model (fresh, model_charge's default
 * moisture); later starts send that charge. */
void rig_charge(struct rig *g, const struct model_feed *feed, double charge_kg);

/* Sends the core a command now, as g->operator_name, with g->batch_id and
 * g->charge_kg (recipe r for a start, text for an answer or a note).
 * Returns 0, or -1 with the core's reason in g->cause. */
int rig_command(struct rig *g, enum core_cmd_kind kind,
                const struct rcp_recipe *r, const char *text);

/* Charges charge_kg of feed, steps until now_s reaches RIG_IDLE_S (from a
 * fresh rig 151 ticks: 150 sums of 0.2 s fall just short of 30 s), then
 * starts recipe r. Returns 0, or -1 with the reason in g->cause. */
int rig_start(struct rig *g, const struct rcp_recipe *r,
              const struct model_feed *feed, double charge_kg);

/* One tick of the whole loop (see the top of this file; with g->stalled
 * only the model steps). Returns 0, or -1 when the operator's answer was
 * refused (reason in g->cause). */
int rig_step(struct rig *g);

/* Steps for secs of process time. Returns 0, or -1 as rig_step. */
int rig_run_for(struct rig *g, double secs);

/* Steps until the core is in state s or secs have passed. Returns 0 when
 * it got there, -1 when not (or as rig_step). */
int rig_run_until(struct rig *g, enum core_state s, double secs);

/* Steps the started batch until it completes, for at most its recipe's
 * time (rig_batch_max_s) and RIG_OVERRUN_S. Returns 0 when it completed,
 * -1 when not (the core's state says where it stopped). */
int rig_run_to_end(struct rig *g);

/* A recipe's time limit: its max_batch_s, or else the sum of its steps'
 * max_s, s. */
double rig_batch_max_s(const struct rcp_recipe *r);

/* Oil in the model's receiver as a percentage of the charge (0 when
 * nothing was charged). */
double rig_yield_pct(const struct rig *g);

#endif
