/*
 * dmn: the daemon's shared state, owned by the main thread: the plant
 * configuration, the loaded recipes, one loop per still, the journal and
 * the main thread's own database connection (for operator commands, which
 * are durable before they are acknowledged).
 */
#ifndef DMN_H
#define DMN_H

#include "cfg.h"
#include "cwait.h"
#include "diag.h"
#include "jrn.h"
#include "loop.h"
#include "rcp.h"
#include "store_write.h"

#define DMN_RECIPES_MAX 64
#define DMN_QA_SPECS_MAX 16
#define DMN_CMD_TIMEOUT_MS 3000   /* a control thread must answer in this */

struct dmn {
	struct cfg_plant plant;
	double speed;                         /* --speed */
	struct rcp_recipe recipes[DMN_RECIPES_MAX];
	int n_recipes;
	struct diag recipe_errors;            /* of the last (re)load */
	struct store_qa_spec qa_specs[DMN_QA_SPECS_MAX]; /* config/qa.yaml */
	int n_qa_specs;                       /* -1 when the file did not load */
	struct loop_still *loops;             /* plant.n_stills of them */
	struct jrn jrn;
	struct store *db;                     /* main thread's connection */
	struct store_gate gate;               /* its writes before the journal's */
	int gate_ok;                          /* gate initialised */
	struct cwait_list waits;              /* commands parked on the main thread */
	int wake_fd;                          /* eventfd: loops and journal wake main */
	struct mqtt *mqtt;                    /* live status (mqtt.h); NULL: off */
	struct notify *notify;                /* the alarm hook (notify.h); NULL: off */
	struct loop_link link;                /* the loops' alarms to both */
	char sync_fault[512];                 /* stillroom-sync's chain fault
	                                         ("" none): a plant alarm */
};

/* Loads every recipe of plant.recipes_dir; keeps the old set (and returns
 * -1, errors in d->recipe_errors) when the new one has errors. */
int dmn_load_recipes(struct dmn *d);

/* The loaded recipe called name, or NULL. */
const struct rcp_recipe *dmn_recipe(const struct dmn *d, const char *name);

#endif
