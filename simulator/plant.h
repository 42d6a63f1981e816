/*
 * plant: the set of simulated stills behind stillroom-sim's Modbus face.
 * One model_still per configured still, stepped with a fixed simulated dt
 * (PLANT_DT_S) by plant_run_for or by a thread at a speed-up factor; the
 * register images a Modbus server hands out, built from the model through
 * the config's register map (common/regmap.h); the simulator-control unit's
 * registers, which hold the injected faults and the charge commands; and a
 * timeline of scheduled events (scenarios). No libmodbus here: the server
 * (simsrv.c) copies images in and out with plant_regs_get/plant_regs_put.
 * Table of contents:
 *   the control unit's register layout (PLANT_G_*, PLANT_CTL_*)
 *   struct plant_event, struct plant_comm
 *   plant_new, plant_free, plant_set_batch_log, plant_charge, plant_schedule
 *   plant_run_for, plant_time_s, plant_start, plant_stop
 *   plant_unit, plant_regs_size, plant_regs_get, plant_regs_put,
 *   plant_reg_write, plant_reg_read, plant_comm, plant_still_model
 * Every function takes the plant's lock itself where it needs it and is
 * safe to call from any thread while the stepping thread runs, except
 * plant_run_for (only while the thread does not run), plant_start, plant_stop
 * and plant_free (the owner's).
 */
#ifndef PLANT_H
#define PLANT_H

#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "diag.h"
#include "model.h"

#define PLANT_DT_S 0.2          /* simulated seconds per model step */
#define PLANT_FEEDS_MAX 32      /* feedstocks a plant can know */
#define PLANT_UNIT_CONTROL (-2) /* plant_unit's answer for the control unit */

/*
 * The simulator-control unit (cfg sim_control_unit, default 247) has only
 * holding registers. Registers 0..99 are plant-wide; the still at config
 * index i (0-based) has the block PLANT_CTL_BLOCK * (i + 1) + PLANT_CTL_*,
 * so still1 is 100..199 and still2 200..299. docs/registers.md is the
 * operator's copy of this table.
 */
#define PLANT_CTL_BLOCK 100

enum plant_global {
	PLANT_G_TIME_HI = 0,     /* simulated seconds since start, high word (ro) */
	PLANT_G_TIME_LO = 1,     /* low word (ro) */
	PLANT_G_SPEED = 2,       /* speed-up factor, rounded (ro) */
	PLANT_G_STILLS = 3,      /* number of stills (ro) */
	PLANT_G_FEEDS = 4,       /* number of feedstocks known (ro) */
	PLANT_G_CLEAR_ALL = 10,  /* write 1: clear every fault of every still */
};

enum plant_ctl {
	PLANT_CTL_STEAM_VALVE_STUCK = 0,   /* 1: steam valve ignores commands */
	PLANT_CTL_COOLING_VALVE_STUCK = 1, /* 1: cooling valve ignores commands */
	PLANT_CTL_LINE_BLOCKED = 2,        /* 1: vapour line plugged */
	PLANT_CTL_COOLING_LOST = 3,        /* 1: no cooling water at all */
	PLANT_CTL_REPLY_DELAY_MS = 4,      /* replies held back this long, wall ms */
	PLANT_CTL_EXCEPTION = 5,           /* nonzero: every request gets this
	                                      Modbus exception code */
	PLANT_CTL_DROP = 6,                /* 1: requests close the connection */
	PLANT_CTL_SILENT = 7,              /* 1: requests get no reply at all */
	PLANT_CTL_WATCHDOG_OFF = 8,        /* 1: the field watchdog is disabled */
	PLANT_CTL_CLEAR = 9,               /* write 1: clear this still's faults */
	PLANT_CTL_LOAD_FEED = 10,          /* write a feed number (1-based, the
	                                      feedstocks file's order): load a
	                                      fresh charge; reads back 0 */
	PLANT_CTL_LOAD_KG = 11,            /* its mass, kg; 0 = the last charge's */
	PLANT_CTL_LOAD_MOISTURE = 12,      /* its moisture, 0.1 %; 0 = feed's */
	PLANT_CTL_AUTO_RELOAD_MIN = 13,    /* nonzero: reload the same charge
	                                      after oil was made and the steam
	                                      valve stayed shut this many minutes */
	PLANT_CTL_SENSOR_STUCK = 20,       /* + tag (0..10): 1 freezes the reading */
	PLANT_CTL_SENSOR_BROKEN = 40,      /* + tag: 1 reads as a broken loop */
	PLANT_CTL_SENSOR_DRIFT = 60,       /* + tag: signed, 0.01 tag units/min */
	PLANT_CTL_FEED = 80,               /* feed number in the still, 0 none (ro) */
	PLANT_CTL_CHARGES = 81,            /* charges loaded since start (ro) */
	PLANT_CTL_LOAD_ERROR = 82,         /* last load: 0 ok, 1 bad feed number,
	                                      2 bad mass, 3 bad moisture (ro) */
	PLANT_CTL_CHARGE_KG = 83,          /* mass of the charge loaded, kg (ro) */
};

/* What a scheduled event does. */
enum plant_ev_kind {
	PLANT_EV_CTL,     /* writes a control register of the still's block */
	PLANT_EV_OUTPUT,  /* writes an output tag as the controller would */
};

/* One timed write; scenarios are lists of these. */
struct plant_event {
	double at_s;             /* simulated seconds since start */
	int still;               /* config index, or -1 for every still */
	enum plant_ev_kind kind;
	int index;               /* PLANT_CTL_* (+ tag), or an output cfg_tag */
	double value;            /* raw register value for PLANT_EV_CTL;
	                            engineering units for PLANT_EV_OUTPUT */
	int line;                /* where it came from, for messages; 0 none */
};

/* Faults on the wire that the Modbus server acts out, per still. */
struct plant_comm {
	int delay_ms;   /* hold every reply back this long (wall clock) */
	int exception;  /* nonzero: answer with this exception code */
	int drop;       /* close the connection instead of answering */
	int silent;     /* swallow the request, answer nothing */
};

struct plant;

/*
 * Makes a plant of cfg's stills, each empty at ambient with valves closed,
 * with the feedstocks feeds[0..n_feeds) (copied; n_feeds <= PLANT_FEEDS_MAX).
 * Returns NULL with the reasons added to *d as "config: ..." lines when the
 * config cannot be served (no stills, a unit id outside 1..247, two stills
 * or a still and the control unit on one id, a register map past 65535).
 */
struct plant *plant_new(const struct cfg_plant *cfg, const struct model_feed *feeds,
                        int n_feeds, struct diag *d);

/* Stops the stepping thread if it runs and frees everything. NULL is fine. */
void plant_free(struct plant *pl);

/*
 * Logs every charge to f from now on (NULL: stop), one line each, flushed:
 *   charge TAB STILL TAB N TAB SIM_S TAB FEED TAB KG
 * when a still loads its N-th charge (1-based, --charge's too), and
 *   oil TAB STILL TAB N TAB SIM_S TAB G
 * when charge N ends: the oil in its receiver at the next load, or at
 * plant_free. The caller keeps f open until plant_free returns.
 */
void plant_set_batch_log(struct plant *pl, FILE *f);

/* Number of stills; the still index of the control-unit block is 0-based. */
int plant_stills(const struct plant *pl);

/*
 * Loads a fresh charge into still: feeds[feed], mass_kg (0..65535],
 * moisture_pct (< 0: the feed's default; below 100). Returns 0, or -1 when
 * an argument is out of range.
 */
int plant_charge(struct plant *pl, int still, int feed, double mass_kg,
                 double moisture_pct);

/*
 * Replaces the timeline with ev[0..n) (copied, ordered by at_s, stable).
 * Events before the current time happen at the next step. Returns 0, or -1
 * on an event naming no still or a register outside a still's block.
 */
int plant_schedule(struct plant *pl, const struct plant_event *ev, int n);

/*
 * Advances every still by the whole steps that fit in sim_s simulated
 * seconds: takes the controllers' writes and the control unit's settings
 * first, applies due events at their step, and publishes the register images
 * at the end. The benchmark entry point: it does all the work of the thread
 * without a clock.
 */
void plant_run_for(struct plant *pl, double sim_s);

/* Simulated seconds since the plant was made. */
double plant_time_s(struct plant *pl);

/*
 * Starts the stepping thread: speed simulated seconds per wall second,
 * stepped in fixed PLANT_DT_S steps. Returns 0, or -1 with errno.
 */
int plant_start(struct plant *pl, double speed);

/* Stops and joins the stepping thread; harmless when it does not run. */
void plant_stop(struct plant *pl);

/* Steps the thread could not make in time since start (it fell behind and
 * skipped ahead rather than burst). */
uint64_t plant_steps_skipped(struct plant *pl);

/* The still index serving Modbus unit id, PLANT_UNIT_CONTROL, or -1. */
int plant_unit(const struct plant *pl, int unit_id);

/* Sizes of a unit's images in registers (unit: a still index or
 * PLANT_UNIT_CONTROL). */
void plant_regs_size(const struct plant *pl, int unit, int *n_input, int *n_holding);

/* Copies a unit's current images out (either pointer may be NULL). */
void plant_regs_get(struct plant *pl, int unit, uint16_t *input, uint16_t *holding);

/*
 * Takes a client's writes: every holding register where after differs from
 * before (the images plant_regs_get gave and the client changed) is stored;
 * writes to read-only control registers are dropped.
 */
void plant_regs_put(struct plant *pl, int unit, const uint16_t *before,
                    const uint16_t *after);

/* Writes or reads one register of a unit's holding (or input) image.
 * Return 0, or -1 when addr is outside the image. */
int plant_reg_write(struct plant *pl, int unit, int addr, uint16_t value);
int plant_reg_read(struct plant *pl, int unit, int is_input, int addr, uint16_t *value);

/* The wire faults of still now. */
void plant_comm(struct plant *pl, int still, struct plant_comm *c);

/* A copy of still's model state (for tests and tools). */
void plant_still_model(struct plant *pl, int still, struct model_still *out);

#endif
