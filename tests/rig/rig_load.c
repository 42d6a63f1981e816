/* rig_load: a bench program's recipe, feedstocks and repeats (rig_load.h). */
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "feed.h"
#include "rig_load.h"

int rig_load_args(struct rig_load *l, int argc, char **argv, int reps_max)
{
	const char *prog = argc > 0 ? argv[0] : "bench";
	struct diag d;

	if (argc != 4 || (l->reps = atoi(argv[3])) < 1 || l->reps > reps_max) {
		fprintf(stderr, "usage: %s RECIPE FEEDSTOCKS REPS (1..%d)\n", prog,
		        reps_max);
		return 2;
	}
	cfg_defaults(&l->plant);
	diag_init(&d);
	l->n_feeds = feed_load(argv[2], l->feeds, RIG_LOAD_FEEDS_MAX, &d);
	if (l->n_feeds < 1 || rcp_load(&l->recipe, argv[1], &l->plant, &d) < 0) {
		diag_print(&d, stderr);
		return 2;
	}
	l->feed = feed_find(l->feeds, l->n_feeds, l->recipe.feedstock);
	if (l->feed == NULL) {
		fprintf(stderr, "%s: %s: no feedstock '%s' in %s\n", prog, argv[1],
		        l->recipe.feedstock, argv[2]);
		return 2;
	}
	return 0;
}
