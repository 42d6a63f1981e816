/*
 * bench_decade: the reports' times on a plant's decade of records (issue
 * 17), for `make bench`. On the database at PATH (made by bench/gen_plant,
 * opened read-only by each command as the CLI and the console do), each
 * ROUNDS times, the median kept:
 *   batch     `stillroom report batch ID` (rpt_main into memory)
 *   curve     `stillroom report curve ID --csv`
 *   yields    `stillroom report yields --by month` over every batch
 *   history   the console's history screen (con_bench_history:
 *             con_page_enter, as the operator's key 5)
 * ID is the last batch that started (the plant's latest year) unless given.
 * Prints one JSON line: the batch id, each median and
 * maximum (ms), the history rows and the output sizes (bytes).
 *
 * usage: bench_decade PATH ROUNDS [BATCH_ID]
 * Exits 0, 1 on a failure (the reason on stderr), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clk.h"
#include "con.h"
#include "rpt.h"
#include "store.h"

#define BENCH_ROUNDS_MAX 100

enum { M_BATCH, M_CURVE, M_YIELDS, M_HISTORY, M_COUNT };

static const char *const bench_names[M_COUNT] = {
	"batch_report", "curve_csv", "yields_summary", "history_page",
};

static int bench_cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* One report command into memory: its time (ms) and size; -1 on failure. */
static double bench_rpt(const char *path, char **argv, size_t *bytes)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int64_t t0 = clk_mono_ns();
	int argc = 0, rc;

	if (!out)
		return -1;
	while (argv[argc])
		argc++;
	rc = rpt_main(argc, argv, path, NULL, out, stderr);
	fclose(out);
	*bytes = len;
	free(text);
	return rc == RPT_OK ? (clk_mono_ns() - t0) / 1e6 : -1;
}

/* The latest batch's id (a read-only query). */
static long bench_last_batch(const char *path)
{
	char *json, cause[STORE_CAUSE_MAX], *p;
	struct store *s = store_open(path, STORE_RO, cause, sizeof cause);
	struct store_filter f;
	long id = -1;

	if (!s) {
		fprintf(stderr, "bench_decade: %s\n", cause);
		return -1;
	}
	memset(&f, 0, sizeof f);
	f.newest = 1;
	json = store_query_json(s, STORE_Q_BATCHES, &f, cause, sizeof cause);
	p = json ? strstr(json, "\"id\":") : NULL;
	if (p)
		id = atol(p + 5);
	free(json);
	store_close(s);
	return id;
}

/* One round of measure m on batch id: ms, or -1. */
static double bench_one(int m, const char *path, char *id, size_t *bytes,
                        int *rows)
{
	char *batch[] = {"report", "batch", id, NULL};
	char *curve[] = {"report", "curve", id, "--csv", NULL};
	char *yields[] = {"report", "yields", "--by", "month", NULL};

	*bytes = 0;
	switch (m) {
	case M_BATCH:
		return bench_rpt(path, batch, bytes);
	case M_CURVE:
		return bench_rpt(path, curve, bytes);
	case M_YIELDS:
		return bench_rpt(path, yields, bytes);
	default:
		return con_bench_history(path, rows);
	}
}

int main(int argc, char **argv)
{
	static double ms[M_COUNT][BENCH_ROUNDS_MAX];
	size_t bytes[M_COUNT] = {0};
	char id_text[32];
	int rounds, rows = 0;
	long id;

	if ((argc != 3 && argc != 4) || (rounds = atoi(argv[2])) < 1 ||
	    rounds > BENCH_ROUNDS_MAX) {
		fprintf(stderr, "usage: bench_decade PATH ROUNDS (1..%d) [BATCH_ID]\n",
		        BENCH_ROUNDS_MAX);
		return 2;
	}
	id = argc == 4 ? atol(argv[3]) : bench_last_batch(argv[1]);
	if (id <= 0)
		return 1;
	snprintf(id_text, sizeof id_text, "%ld", id);
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < M_COUNT; m++)
			if ((ms[m][r] = bench_one(m, argv[1], id_text, &bytes[m], &rows)) < 0) {
				fprintf(stderr, "bench_decade: %s failed\n", bench_names[m]);
				return 1;
			}
	printf("{\"batch_id\": %ld, \"rounds\": %d, \"history_rows\": %d", id,
	       rounds, rows);
	for (int m = 0; m < M_COUNT; m++) {
		qsort(ms[m], (size_t)rounds, sizeof ms[m][0], bench_cmp_dbl);
		printf(", \"%s_ms\": %.2f, \"%s_max_ms\": %.2f, \"%s_bytes\": %zu",
		       bench_names[m], ms[m][rounds / 2], bench_names[m],
		       ms[m][rounds - 1], bench_names[m], bytes[m]);
	}
	printf("}\n");
	return 0;
}
