/*
 * rcp: the recipe language. A recipe is one YAML document for one feedstock
 * (recipes/NAME.yaml is recipe NAME): charge limits and ordered steps, each
 * with setpoints, an end condition, a maximum duration and optional alarm
 * limits that may only tighten the plant's. Table of contents:
 *   struct rcp_step, struct rcp_recipe
 *   rcp_load, rcp_parse, rcp_free, rcp_load_dir, rcp_find,
 *   rcp_verify_file, rcp_check_files, rcp_kind_name
 *   rcp_econ_explain (what an economic end means in money)
 * Times are process (simulated or real) seconds.
 */
#ifndef RCP_H
#define RCP_H

#include "cfg.h"
#include "diag.h"

#define RCP_STEPS_MAX 32
#define RCP_NAME_MAX 48
#define RCP_DIR_MAX 64          /* recipes loaded from one directory */
#define RCP_REFERENCE_MAX 2147483647L /* reference_batch: a batch id */

enum rcp_kind { RCP_PURGE, RCP_HEAT_UP, RCP_DISTIL, RCP_COOL_DOWN, RCP_PROMPT };

/* What the steam valve controls to during a step. */
enum rcp_control {
	RCP_CTL_OPEN,        /* no loop: steam at steam_max_pct (or min) */
	RCP_CTL_PRESSURE,    /* PID on still pressure to target */
	RCP_CTL_VAPOUR_TEMP  /* PID on vapour temperature to target */
};

enum rcp_end {
	RCP_END_DURATION,  /* after duration_s */
	RCP_END_REACH,     /* tag reaches value (above or below) */
	RCP_END_OIL_RATE,  /* oil rate below g_per_h for for_s */
	RCP_END_CONFIRM,   /* operator answers the prompt */
	RCP_END_ECONOMIC   /* distil only: the next hour's oil is worth less
	                      than the hour costs (docs/CONTROL.md) */
};

struct rcp_step {
	char name[RCP_NAME_MAX];       /* unique within the recipe */
	enum rcp_kind kind;
	enum rcp_control control;
	double target;                 /* kPa (pressure) or C (vapour temp) */
	double steam_min_pct;          /* steam valve floor, % */
	double steam_max_pct;          /* steam valve ceiling, % */
	double distillate_min_c;       /* distillate band the cooling loop */
	double distillate_max_c;       /* keeps; setpoint is the middle */
	enum rcp_end end;
	double duration_s;             /* RCP_END_DURATION */
	enum cfg_tag reach_tag;        /* RCP_END_REACH */
	int reach_above;               /* 1: >= value, 0: <= value */
	double reach_value;            /* in the tag's unit */
	double oil_rate_g_per_h;       /* RCP_END_OIL_RATE threshold */
	double oil_rate_for_s;         /* ... sustained this long */
	double econ_for_s;             /* RCP_END_ECONOMIC: value < cost this
	                                  long (settling), s */
	double econ_not_before_s;      /* ... and never before this much
	                                  running in the step, s (0 none) */
	double max_s;                  /* past it: hold and alarm (an economic
	                                  step ends there instead) */
	char prompt[200];              /* question for RCP_PROMPT / CONFIRM */
	/* Alarm limits that tighten the plant's for this step; NaN = unset. */
	double alarm_pressure_high_kpa;
	double alarm_distillate_high_c;
	double alarm_distillate_low_c;
};

struct rcp_recipe {
	char name[RCP_NAME_MAX];       /* file name without .yaml */
	char path[CFG_PATH_MAX];
	int version;
	char feedstock[CFG_NAME_MAX];  /* cassia-leaf, cassia-bark, star-anise */
	char description[200];
	int organic;                   /* `organic: true`: the product is
	                                  declared organic; a start with a lot
	                                  that is not is refused */
	long reference_batch;          /* `reference_batch: ID`: the batch the
	                                  batch record overlays (0: none) */
	double charge_min_kg;
	double charge_max_kg;
	double max_batch_s;            /* sum of step max_s unless given */
	struct rcp_step steps[RCP_STEPS_MAX];
	int n_steps;
	char *text;                    /* the file's exact bytes, malloc'd */
	char sha256[65];               /* hex digest of text */
};

/*
 * Loads and checks the recipe file at path against plant (limits may only
 * tighten plant->limits; plant may be NULL to skip that check).
 * Returns 0 when clean; -1 with every error added to *d. On failure *r
 * is zeroed: nothing needs freeing.
 */
int rcp_load(struct rcp_recipe *r, const char *path,
             const struct cfg_plant *plant, struct diag *d);

/*
 * rcp_load on len bytes of text already in memory; path names the file in
 * messages and gives the recipe its name (it need not exist). For tests
 * and the fuzzer. Same contract as rcp_load.
 */
int rcp_parse(struct rcp_recipe *r, const char *path, const char *text,
              size_t len, const struct cfg_plant *plant, struct diag *d);

/*
 * Loads every *.yaml in dir (in name order) with rcp_load into out[0..],
 * keeping only the clean ones; errors go to *d. Returns how many loaded
 * cleanly, or -1 when dir cannot be read (the error is in *d). A new set
 * is good to swap in (SIGHUP) only when d holds no error afterwards.
 */
int rcp_load_dir(const char *dir, const struct cfg_plant *plant,
                 struct rcp_recipe *out, int max, struct diag *d);

/* The recipe named name among r[0..n-1], or NULL. */
const struct rcp_recipe *rcp_find(const struct rcp_recipe *r, int n,
                                  const char *name);

/*
 * Before a batch starts: 0 when the file at r->path still holds exactly
 * the text that was checked (same SHA-256), else -1 with a sentence in
 * cause ("recipe cassia-leaf changed since it was checked ...").
 */
int rcp_verify_file(const struct rcp_recipe *r, char *cause, size_t cause_len);

/* Frees what rcp_load allocated in *r. Safe on a zeroed or freed recipe. */
void rcp_free(struct rcp_recipe *r);

/*
 * The "recipe check FILE..." command: checks each file, prints every error
 * to err, prints "FILE: ok" to out for clean ones. Returns 0 when all are
 * clean, 1 otherwise.
 */
int rcp_check_files(int n, char **paths, const struct cfg_plant *plant,
                    FILE *out, FILE *err);

/*
 * Writes to out, for each economic step of r, one or two sentences: the
 * oil price used, what an hour costs at the recipe's steam and what the
 * rule makes of it (the break-even oil per hour, for, not_before, max).
 * Nothing for a recipe without one; plant NULL: the rule only.
 */
void rcp_econ_explain(const struct rcp_recipe *r, const struct cfg_plant *plant,
                      FILE *out);

/* "purge", "heat-up", "distil", "cool-down", "prompt". */
const char *rcp_kind_name(enum rcp_kind k);

#endif
