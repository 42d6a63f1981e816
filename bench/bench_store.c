/*
 * bench_store: the historian's write rate through records/store.c, for
 * `make bench`. In a fresh database at PATH (WAL, as the daemon opens it):
 *
 *   batched     store_samples with BATCH rows per call, one transaction
 *               each, as the journal thread writes them (JRN_BATCH_ROWS in
 *               controller/jrn.c is 512)
 *   autocommit  store_samples with one row per call: a transaction a row
 *
 * alternated for ROUNDS rounds of SECONDS each, same rows (32 stills' worth,
 * values changing), same connection. Prints one JSON line: rows per second
 * of each, and the 50th and 99th percentile and the maximum of a batched
 * call (one commit), ms.
 *
 * usage: bench_store PATH BATCH SECONDS ROUNDS
 * Exits 0, 1 on a store failure (the reason on stderr), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "clk.h"
#include "store_write.h"

#define BENCH_STILLS 32
#define BENCH_COMMITS_MAX 200000

/* Timings gathered over the rounds. */
struct bench_acc {
	long batched_rows;
	double batched_s;
	long auto_rows;
	double auto_s;
	double *commit_ms;      /* one per batched call */
	int n_commits;
};

/* Fills rows[0..n) as the loops would at row number first.. of the run. */
static void bench_rows(struct store_sample *rows, int n, long first)
{
	for (int i = 0; i < n; i++) {
		struct store_sample *s = &rows[i];
		long k = first + i;

		memset(s, 0, sizeof *s);
		snprintf(s->still, sizeof s->still, "still%ld", k % BENCH_STILLS + 1);
		s->t_process_s = (double)(k / BENCH_STILLS);
		s->wall_s = 1.7e9 + s->t_process_s;
		for (int t = 0; t < CFG_TAG_COUNT; t++)
			s->value[t] = 20.0 + t + (double)(k % 1000) / 10.0;
	}
}

/* Writes batch-row calls for secs seconds; -1 on failure. */
static int bench_run(struct store *db, struct store_sample *rows, int batch,
                     double secs, long *next, struct bench_acc *a, int batched)
{
	char cause[STORE_CAUSE_MAX];
	int64_t t0 = clk_mono_ns(), end = t0 + (int64_t)(secs * 1e9), c0;

	while (clk_mono_ns() < end) {
		int n = batched ? batch : 1;

		bench_rows(rows, n, *next);
		c0 = clk_mono_ns();
		if (store_samples(db, rows, n, cause, sizeof cause) < 0) {
			fprintf(stderr, "bench_store: %s\n", cause);
			return -1;
		}
		if (batched && a->n_commits < BENCH_COMMITS_MAX)
			a->commit_ms[a->n_commits++] = (clk_mono_ns() - c0) / 1e6;
		*next += n;
		if (batched)
			a->batched_rows += n;
		else
			a->auto_rows += n;
	}
	if (batched)
		a->batched_s += (clk_mono_ns() - t0) / 1e9;
	else
		a->auto_s += (clk_mono_ns() - t0) / 1e9;
	return 0;
}

static int bench_cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* p-th percentile of sorted v[0..n). */
static double bench_pct(const double *v, int n, double p)
{
	return n > 0 ? v[(int)(p / 100.0 * (n - 1) + 0.5)] : 0;
}

int main(int argc, char **argv)
{
	struct bench_acc a = {0};
	char cause[STORE_CAUSE_MAX];
	struct store_sample *rows;
	struct store *db;
	int batch, rounds;
	double secs;
	long next = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_store PATH BATCH SECONDS ROUNDS\n");
		return 2;
	}
	batch = atoi(argv[2]);
	secs = atof(argv[3]);
	rounds = atoi(argv[4]);
	if (batch < 1 || !(secs > 0) || rounds < 1)
		return 2;
	rows = calloc((size_t)batch, sizeof *rows);
	a.commit_ms = calloc(BENCH_COMMITS_MAX, sizeof *a.commit_ms);
	db = store_open(argv[1], STORE_RW, cause, sizeof cause);
	if (rows == NULL || a.commit_ms == NULL || db == NULL) {
		fprintf(stderr, "bench_store: %s\n", db ? "out of memory" : cause);
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		/* alternate which goes first */
		if (bench_run(db, rows, batch, secs, &next, &a, r % 2 == 0) < 0 ||
		    bench_run(db, rows, batch, secs, &next, &a, r % 2 != 0) < 0)
			return 1;
	}
	store_close(db);
	qsort(a.commit_ms, (size_t)a.n_commits, sizeof a.commit_ms[0], bench_cmp_dbl);
	printf("{\"batch_rows\": %d, \"batched_rows_per_s\": %.1f, "
	       "\"autocommit_rows_per_s\": %.1f, \"batched_rows\": %ld, "
	       "\"autocommit_rows\": %ld, \"commits\": %d, \"commit_p50_ms\": %.3f, "
	       "\"commit_p99_ms\": %.3f, \"commit_max_ms\": %.3f}\n",
	       batch, a.batched_rows / a.batched_s, a.auto_rows / a.auto_s,
	       a.batched_rows, a.auto_rows, a.n_commits,
	       bench_pct(a.commit_ms, a.n_commits, 50),
	       bench_pct(a.commit_ms, a.n_commits, 99),
	       a.n_commits > 0 ? a.commit_ms[a.n_commits - 1] : 0);
	free(rows);
	free(a.commit_ms);
	return 0;
}
