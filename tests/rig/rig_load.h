/*
 * rig_load: what a bench program on the rig reads from its command line:
 * "PROG RECIPE FEEDSTOCKS REPS". Shared by bench/bench_closedloop.c and
 * bench/bench_est.c. Table of contents: struct rig_load, rig_load_args.
 */
#ifndef RIG_LOAD_H
#define RIG_LOAD_H

#include "cfg.h"
#include "model.h"
#include "rcp.h"

#define RIG_LOAD_FEEDS_MAX 32

/* The plant (built-in defaults), the recipe and the feedstocks file. */
struct rig_load {
	struct cfg_plant plant;
	struct rcp_recipe recipe;
	struct model_feed feeds[RIG_LOAD_FEEDS_MAX];
	int n_feeds;
	const struct model_feed *feed;   /* the recipe's feedstock */
	int reps;                        /* 1..reps_max */
};

/*
 * Reads argv (prog RECIPE FEEDSTOCKS REPS) into *l: the feedstocks file,
 * the recipe checked against the default plant, its feedstock, REPS in
 * 1..reps_max. Returns 0, or 2 (the exit code for bad usage or input)
 * after printing why to stderr, naming prog.
 */
int rig_load_args(struct rig_load *l, int argc, char **argv, int reps_max);

#endif
