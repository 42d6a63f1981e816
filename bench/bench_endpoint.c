/*
 * bench_endpoint: does the economic end point pay? For `make bench` (and
 * `make bench-endpoint` alone). For each feedstock a population of BATCHES
 * batches with hidden variation (tests/rig/pop.h: oil content +-30 %, rate
 * constants +-40 %, washing share +-50 %, moisture +-30 %, charge 60 to
 * 600 kg, from a fixed seed) runs on the closed-loop rig (tests/rig/rig.h:
 * core and plant model in lockstep at 0.2 s) three ways:
 *   bundled   recipes/FEED.yaml as it is
 *   fixed     the same with the distil step ending after a fixed time, as
 *             cooperatives practise it (leaf 4 h, bark 8 h, star anise 24 h)
 *   economic  recipes/FEED-economic.yaml (left out when there is none)
 * and each batch's resources (econ.h, priced with CONFIG's economics:),
 * distil time, oil and net value are kept. The bundled run also feeds an
 * estimator (est.h) whose forecast of the final oil at 25, 50 and 75 % of
 * the distil time is compared with the oil the step would give in the end.
 * Batches are shared out between WORKERS forked processes (results in a
 * shared mapping); batch i is the same batch whichever worker runs it.
 * Prints one JSON object: per feedstock and way the medians and totals,
 * and the forecast errors (bench/bench.py turns them into ratios).
 *
 * usage: bench_endpoint CONFIG FEEDSTOCKS RECIPES_DIR BATCHES [WORKERS]
 * Exits 0, 1 when a batch could not run, 2 on bad usage or input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg.h"
#include "clk.h"
#include "diag.h"
#include "feed.h"
#include "rcp.h"
#include "../tests/rig/pop.h"

#define BATCHES_MAX 5000
#define WORKERS_MAX 16
#define N_FEEDS 3

enum way { WAY_BUNDLED, WAY_FIXED, WAY_ECONOMIC, WAY_COUNT };

static const char *const way_name[WAY_COUNT] = {"bundled", "fixed", "economic"};

/* The feedstocks and their fixed-time practice (issue 13). */
static const struct {
	const char *name;
	double fixed_h;               /* hours of distilling */
} feeds[N_FEEDS] = {
	{"cassia-leaf", 4}, {"cassia-bark", 8}, {"star-anise", 24},
};

/* One feedstock's population: its feed, its recipes. */
struct popn {
	const struct model_feed *feed;
	struct rcp_recipe way[WAY_COUNT];
	int have[WAY_COUNT];          /* the way's recipe is there */
};

/* One slot per feedstock, batch and way, in memory shared with the
 * workers. */
struct slot {
	int done;                     /* 1 ran, -1 could not run */
	struct pop_result res;
};

static struct slot *slots;
static int n_batches;

static struct slot *slot_at(int feed, int batch, int way)
{
	return &slots[((size_t)feed * n_batches + batch) * WAY_COUNT + way];
}

/* Loads path into *r; 0, or -1 with the errors printed. */
static int load_recipe(struct rcp_recipe *r, const char *path,
                       const struct cfg_plant *plant)
{
	struct diag d;

	diag_init(&d);
	if (rcp_load(r, path, plant, &d) == 0)
		return 0;
	diag_print(&d, stderr);
	return -1;
}

/* The three recipes of feedstock i from dir; 0, or -1 (printed). */
static int popn_load(struct popn *p, int i, const char *dir,
                     const struct cfg_plant *plant)
{
	char path[CFG_PATH_MAX];

	snprintf(path, sizeof path, "%s/%s.yaml", dir, feeds[i].name);
	if (load_recipe(&p->way[WAY_BUNDLED], path, plant) < 0)
		return -1;
	p->have[WAY_BUNDLED] = 1;
	if (pop_fixed_time(&p->way[WAY_FIXED], &p->way[WAY_BUNDLED],
	                   feeds[i].fixed_h * 3600) < 0) {
		fprintf(stderr, "bench_endpoint: %s has no distil step\n", path);
		return -1;
	}
	p->have[WAY_FIXED] = 1;
	snprintf(path, sizeof path, "%s/%s-economic.yaml", dir, feeds[i].name);
	if (access(path, R_OK) < 0)
		return 0;
	if (load_recipe(&p->way[WAY_ECONOMIC], path, plant) < 0)
		return -1;
	p->have[WAY_ECONOMIC] = 1;
	return 0;
}

/* Runs every way of batch b of feedstock f into its slots. */
static void run_batch(struct rig *g, const struct cfg_plant *plant,
                      const struct popn *p, int f, int b)
{
	struct pop_batch pb;

	pop_draw(&pb, p->feed, b);
	for (int w = 0; w < WAY_COUNT; w++) {
		struct slot *s = slot_at(f, b, w);

		if (!p->have[w])
			continue;
		s->done = pop_run(g, plant, &p->way[w], &pb, w == WAY_BUNDLED,
		                  &s->res) == 0 ? 1 : -1;
		if (s->done < 0)
			fprintf(stderr, "bench_endpoint: %s batch %d (%s): ended %s%s%s\n",
			        feeds[f].name, b, way_name[w],
			        core_state_name(g->core.state), g->cause[0] ? ": " : "",
			        g->cause);
	}
}

/* Worker k of n: every n-th batch of all feedstocks, from the k-th. */
static void worker(int k, int n, const struct cfg_plant *plant,
                   const struct popn *pops)
{
	struct rig *g = malloc(sizeof *g);

	if (g == NULL)
		_exit(1);
	for (int j = k; j < N_FEEDS * n_batches; j += n)
		run_batch(g, plant, &pops[j % N_FEEDS], j % N_FEEDS, j / N_FEEDS);
	free(g);
}

/* Forks n workers and waits for them; 0, or -1 when one failed. */
static int run_workers(int n, const struct cfg_plant *plant,
                       const struct popn *pops)
{
	pid_t pid[WORKERS_MAX];
	int rc = 0, st;

	fflush(NULL);
	for (int k = 0; k < n; k++) {
		pid[k] = fork();
		if (pid[k] < 0) {
			perror("bench_endpoint: fork");
			n = k;
			rc = -1;
			break;
		}
		if (pid[k] == 0) {
			worker(k, n, plant, pops);
			_exit(0);
		}
	}
	for (int k = 0; k < n; k++)
		while (waitpid(pid[k], &st, 0) < 0)
			if (errno != EINTR) {
				rc = -1;
				break;
			}
	return rc;
}

/* x as a JSON number, or null when it is not finite. */
static void print_num(double x)
{
	if (isfinite(x))
		printf("%.6g", x);
	else
		printf("null");
}

/* The figure of a result that print_way reports. */
enum fig { FIG_STEAM, FIG_DISTIL_STEAM, FIG_DISTIL_H, FIG_BATCH_H, FIG_OIL,
           FIG_COST, FIG_VALUE, FIG_NET, FIG_COUNT };

static const char *const fig_name[FIG_COUNT] = {
	"steam_kg", "distil_steam_kg", "distil_h", "batch_h", "oil_kg",
	"cost_vnd", "value_vnd", "net_vnd",
};

static double fig_of(const struct pop_result *r, enum fig f)
{
	switch (f) {
	case FIG_STEAM: return r->use.steam_kg;
	case FIG_DISTIL_STEAM: return r->distil_steam_kg;
	case FIG_DISTIL_H: return r->distil_s / 3600;
	case FIG_BATCH_H: return r->batch_s / 3600;
	case FIG_OIL: return r->oil_kg;
	case FIG_COST: return r->cost_vnd;
	case FIG_VALUE: return r->value_vnd;
	default: return r->net_vnd;
	}
}

/* One way of one feedstock: batches run, completed, held, and each
 * figure's median and total. */
static void print_way(int f, int w, double *v)
{
	int n = 0, completed = 0, held = 0, failed = 0;

	for (int b = 0; b < n_batches; b++) {
		const struct slot *s = slot_at(f, b, w);

		n += s->done == 1;
		failed += s->done == -1;
		completed += s->done == 1 && s->res.completed;
		held += s->done == 1 && s->res.held;
	}
	printf("\"%s\": {\"batches\": %d, \"failed\": %d, \"completed\": %d, "
	       "\"held\": %d", way_name[w], n, failed, completed, held);
	for (int k = 0; k < FIG_COUNT; k++) {
		double total = 0;
		int m = 0;

		for (int b = 0; b < n_batches; b++)
			if (slot_at(f, b, w)->done == 1) {
				v[m] = fig_of(&slot_at(f, b, w)->res, (enum fig)k);
				total += v[m++];
			}
		printf(", \"%s_total\": ", fig_name[k]);
		print_num(total);
		printf(", \"%s_median\": ", fig_name[k]);
		print_num(pop_quantile(v, m, 0.5));
	}
	printf("}");
}

/* Forecast errors (%) of feedstock f (-1: all) at point k into v;
 * returns how many, and counts the forecasts that were not valid. */
static int fc_errors(int f, int k, double *v, int *invalid)
{
	int m = 0;

	*invalid = 0;
	for (int i = 0; i < N_FEEDS; i++) {
		if (f >= 0 && i != f)
			continue;
		for (int b = 0; b < n_batches; b++) {
			const struct slot *s = slot_at(i, b, WAY_BUNDLED);

			if (s->done != 1)
				continue;
			*invalid += !isfinite(s->res.fc_final_kg[k]);
			v[m++] = pop_fc_err_pct(s->res.fc_final_kg[k], s->res.truth_kg);
		}
	}
	return m;
}

/* "fc": the forecast errors of feedstock f (-1: all), median and p90 at
 * 25, 50 and 75 % of the distil time. */
static void print_fc(int f, double *v)
{
	static const char *const at[POP_FC_POINTS] = {"quarter", "half",
	                                               "three_quarters"};
	int invalid;

	printf("\"fc\": {");
	for (int k = 0; k < POP_FC_POINTS; k++) {
		int m = fc_errors(f, k, v, &invalid);
		double p50 = pop_quantile(v, m, 0.5), p90 = pop_quantile(v, m, 0.9);

		printf("%s\"p50_pct_at_%s\": ", k ? ", " : "", at[k]);
		print_num(p50);
		printf(", \"p90_pct_at_%s\": ", at[k]);
		print_num(p90);
		printf(", \"invalid_at_%s\": %d", at[k], invalid);
	}
	printf("}");
}

static void print_json(const struct popn *pops, double wall_s, int workers)
{
	double *v = malloc(sizeof *v * (size_t)n_batches * N_FEEDS);

	if (v == NULL)
		return;
	printf("{\"batches_per_feed\": %d, \"workers\": %d, \"seed\": %u, "
	       "\"wall_s\": %.2f, \"feeds\": {", n_batches, workers, POP_SEED,
	       wall_s);
	for (int f = 0; f < N_FEEDS; f++) {
		printf("%s\"%s\": {\"fixed_h\": %g, ", f ? ", " : "", feeds[f].name,
		       feeds[f].fixed_h);
		for (int w = 0; w < WAY_COUNT; w++)
			if (pops[f].have[w]) {
				print_way(f, w, v);
				printf(", ");
			}
		print_fc(f, v);
		printf("}");
	}
	printf("}, ");
	print_fc(-1, v);
	printf("}\n");
	free(v);
}

/* The plant the rig runs: the defaults the closed-loop tests use, with
 * the economics of the config at path. 0, or -1 (printed). */
static int load_plant(struct cfg_plant *plant, const char *path)
{
	static struct cfg_plant conf;
	struct diag d;

	diag_init(&d);
	if (cfg_load(&conf, path, &d) < 0) {
		diag_print(&d, stderr);
		return -1;
	}
	cfg_defaults(plant);
	plant->econ = conf.econ;
	return 0;
}

/* Loads the plant, the feeds and every feedstock's recipes into pops. */
static int load_all(struct popn *pops, struct cfg_plant *plant, char **argv)
{
	static struct model_feed feed_rows[32];
	struct diag d;
	int n;

	if (load_plant(plant, argv[1]) < 0)
		return -1;
	diag_init(&d);
	n = feed_load(argv[2], feed_rows, 32, &d);
	if (n < 1) {
		diag_print(&d, stderr);
		return -1;
	}
	for (int i = 0; i < N_FEEDS; i++) {
		pops[i].feed = feed_find(feed_rows, n, feeds[i].name);
		if (pops[i].feed == NULL) {
			fprintf(stderr, "bench_endpoint: %s: no feedstock '%s'\n",
			        argv[2], feeds[i].name);
			return -1;
		}
		if (popn_load(&pops[i], i, argv[3], plant) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct cfg_plant plant;
	static struct popn pops[N_FEEDS];
	int workers = argc > 5 ? atoi(argv[5]) : 1, failed = 0;
	size_t len;
	int64_t t0;

	if (argc < 5 || argc > 6 || (n_batches = atoi(argv[4])) < 1 ||
	    n_batches > BATCHES_MAX || workers < 1 || workers > WORKERS_MAX) {
		fprintf(stderr, "usage: bench_endpoint CONFIG FEEDSTOCKS RECIPES_DIR "
		        "BATCHES (1..%d) [WORKERS (1..%d)]\n", BATCHES_MAX, WORKERS_MAX);
		return 2;
	}
	if (load_all(pops, &plant, argv) < 0)
		return 2;
	len = sizeof *slots * (size_t)N_FEEDS * n_batches * WAY_COUNT;
	slots = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	             -1, 0);
	if (slots == MAP_FAILED) {
		perror("bench_endpoint: mmap");
		return 2;
	}
	t0 = clk_mono_ns();
	if (run_workers(workers, &plant, pops) < 0)
		return 1;
	for (size_t i = 0; i < (size_t)N_FEEDS * n_batches * WAY_COUNT; i++)
		failed += slots[i].done < 0;
	print_json(pops, (clk_mono_ns() - t0) / 1e9, workers);
	munmap(slots, len);
	for (int i = 0; i < N_FEEDS; i++) {
		rcp_free(&pops[i].way[WAY_BUNDLED]);
		rcp_free(&pops[i].way[WAY_ECONOMIC]);
	}
	return failed ? 1 : 0;
}
