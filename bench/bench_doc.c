/*
 * bench_doc: the batch document's render time and size, for `make bench`.
 * In a fresh database at PATH, through the store writers: a lot, an 8-hour
 * batch on still1 (steps purge, heat-up, distil, cool-down) with one
 * historian sample a second (28,800 rows, values moving like a real run,
 * with a one-sample pressure spike), ended with its oil. Then `stillroom
 * report batch 1 --html` (rpt_main, as the CLI runs it) ROUNDS times into
 * memory. Prints one JSON line: samples, the median and the maximum render
 * time (ms, database open and queries included), the document's size (kB)
 * and the historian's bytes a sample (hist_blocks with its indexes, from
 * dbstat, after store_samples_flush; values at the register resolution
 * the daemon records: 0.1 for temperatures, pressure, flows and valves,
 * 1 g of oil).
 *
 * usage: bench_doc PATH ROUNDS
 * Exits 0, 1 on a failure (the reason on stderr), 2 on bad usage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "clk.h"
#include "econ.h"
#include "rpt.h"
#include "store.h"
#include "store_write.h"

#define BENCH_SAMPLES 28800      /* 8 h at one a second */
#define BENCH_CHUNK 512          /* rows per store_samples call */
#define BENCH_ROUNDS_MAX 1000

/* The lot and the batch; the batch id, or -1. */
static long bench_batch(struct store *db, char *cause, size_t len)
{
	static const char *const steps[] = {"purge", "heat-up", "distil",
	                                    "cool-down"};
	static const double at_s[] = {0, 600, 3600, 27000};
	struct store_lot l;
	struct store_batch_start b = {
		.still = "still1", .recipe_name = "cassia-leaf", .recipe_version = 1,
		.recipe_text = "name: cassia-leaf\nversion: 1\nsteps: []\n",
		.feedstock = "cassia-leaf", .lot_id = "B1", .charge_kg = 500,
		.operator_name = "bench", .t_process_s = 0,
	};
	static struct cfg_plant plant;
	long id;

	plant.n_stills = 1;
	snprintf(plant.stills[0].name, sizeof plant.stills[0].name, "still1");
	plant.stills[0].unit_id = 1;
	if (store_sync_plant(db, &plant, cause, len) < 0)
		return -1;
	store_lot_init(&l);
	if (store_lot_set(&l, "id", "B1", cause, len) < 0 ||
	    store_lot_set(&l, "feedstock", "cassia-leaf", cause, len) < 0 ||
	    store_lot_set(&l, "grower", "Bench Grower", cause, len) < 0 ||
	    store_lot_set(&l, "mass", "800", cause, len) < 0 ||
	    store_lot_add(db, &l, "bench", cause, len) < 0)
		return -1;
	id = store_batch_begin(db, &b, cause, len);
	for (int i = 0; id > 0 && i < 4; i++)
		if (store_batch_step(db, id, i + 1, steps[i], at_s[i], cause, len) < 0)
			return -1;
	return id;
}

/* One sample at second k of the batch. */
static void bench_sample(struct store_sample *s, long id, long k)
{
	double t = (double)k, warm = 1 - exp(-t / 1800);

	memset(s, 0, sizeof *s);
	s->batch_id = id;
	snprintf(s->still, sizeof s->still, "still1");
	s->t_process_s = t;
	s->wall_s = 1.7e9 + t;
	s->value[CFG_TAG_STILL_TEMP] = 25 + 75 * warm + sin(t / 60);
	s->value[CFG_TAG_VAPOUR_TEMP] = 25 + 74 * warm + cos(t / 45);
	s->value[CFG_TAG_DISTILLATE_TEMP] = 25 + 8 * warm + sin(t / 30);
	s->value[CFG_TAG_PRESSURE] = 2 + 0.3 * sin(t / 20) + (k == 14400 ? 40 : 0);
	s->value[CFG_TAG_STEAM_FLOW] = 120 + 10 * sin(t / 90);
	s->value[CFG_TAG_STEAM_POS] = 60 + 20 * sin(t / 120);
	s->value[CFG_TAG_OIL] = t > 3600 ? 4000 * (1 - exp(-(t - 3600) / 7200)) : 0;
	s->value[CFG_TAG_COOLING_FLOW] = 300;
	s->value[CFG_TAG_CHARGE] = 500;
	for (int g = 0; g < CFG_TAG_COUNT; g++)   /* as registers deliver them */
		s->value[g] = g == CFG_TAG_OIL || g == CFG_TAG_CHARGE ?
			nearbyint(s->value[g]) : nearbyint(s->value[g] * 10) * 0.1;
}

/* The historian's bytes a sample, from its blocks; NaN without dbstat. */
static double bench_hist_bytes(struct store *db, char *cause, size_t len)
{
	struct store_hist_stats *o = malloc(sizeof *o);
	double b = NAN;

	if (!o || store_samples_flush(db, cause, len) < 0 ||
	    store_hist_stats(db, o, cause, len) < 0) {
		free(o);
		return -1;
	}
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->t[i].name, "hist_blocks") == 0 && o->t[i].bytes > 0)
			b = (double)o->t[i].bytes / (double)o->samples;
	free(o);
	return b;
}

/* The samples of batch id. 0 or -1. */
static int bench_samples(struct store *db, long id, char *cause, size_t len)
{
	static struct store_sample rows[BENCH_CHUNK];

	for (long k = 0; k < BENCH_SAMPLES; k += BENCH_CHUNK) {
		int n = BENCH_SAMPLES - k < BENCH_CHUNK ? (int)(BENCH_SAMPLES - k)
		                                        : BENCH_CHUNK;

		for (int i = 0; i < n; i++)
			bench_sample(&rows[i], id, k + i);
		if (store_samples(db, rows, n, cause, len) < 0)
			return -1;
	}
	return 0;
}

static int bench_cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* One render into memory: its time (ms) and size (bytes); -1 on failure. */
static double bench_render(const char *path, size_t *bytes)
{
	char *argv[] = {"report", "batch", "1", "--html", NULL};
	char *html = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&html, &len);
	int64_t t0 = clk_mono_ns();
	int rc;

	if (!out)
		return -1;
	rc = rpt_main(4, argv, path, NULL, out, stderr);
	fclose(out);
	*bytes = len;
	free(html);
	return rc == RPT_OK ? (clk_mono_ns() - t0) / 1e6 : -1;
}

int main(int argc, char **argv)
{
	static double ms[BENCH_ROUNDS_MAX];
	const struct econ_use use = {960, 144, 8, 240, 24, 8};
	char cause[STORE_CAUSE_MAX];
	struct store *db;
	size_t bytes = 0;
	double per_sample = NAN;
	int rounds;
	long id;

	if (argc != 3 || (rounds = atoi(argv[2])) < 1 || rounds > BENCH_ROUNDS_MAX) {
		fprintf(stderr, "usage: bench_doc PATH ROUNDS (1..%d)\n",
		        BENCH_ROUNDS_MAX);
		return 2;
	}
	db = store_open(argv[1], STORE_RW, cause, sizeof cause);
	if (!db || (id = bench_batch(db, cause, sizeof cause)) < 0 ||
	    bench_samples(db, id, cause, sizeof cause) < 0 ||
	    store_batch_end(db, id, 3.9, &use, NAN, cause, sizeof cause) < 0 ||
	    (per_sample = bench_hist_bytes(db, cause, sizeof cause)) < 0) {
		fprintf(stderr, "bench_doc: %s\n", cause);
		return 1;
	}
	store_close(db);
	for (int r = 0; r < rounds; r++)
		if ((ms[r] = bench_render(argv[1], &bytes)) < 0)
			return 1;
	qsort(ms, (size_t)rounds, sizeof ms[0], bench_cmp_dbl);
	printf("{\"samples\": %d, \"rounds\": %d, \"batch_html_ms_8h\": %.1f, "
	       "\"batch_html_max_ms_8h\": %.1f, \"batch_html_kb_8h\": %.1f, "
	       "\"historian_bytes_per_sample\": %.3f}\n",
	       BENCH_SAMPLES, rounds, ms[rounds / 2], ms[rounds - 1], bytes / 1024.0,
	       per_sample);
	return 0;
}
