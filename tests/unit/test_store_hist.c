/*
 * test_store_hist: the compact historian (records/store_hist.c records/store_histvt.c). Samples
 * written through store_samples come back from blocks and the raw tail
 * alike, in time order, each value exact to its resolution with its
 * quality; a batch change and a window boundary close a block; the bulk
 * writer gives the same rows; a SIGKILL during writes loses and doubles
 * nothing; blocks that overlap in time still read in order; damaged
 * blocks are refused with a sentence; the reports'
 * fast text of a REAL and sr_round are SQLite's own wherever used.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_trace.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c records/store_lotfix.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c common/clk.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_fx.h"
#include "store_int.h"

#define T_N 4000                 /* samples of the round-trip tests */
/* The first sample's wall time: 100 s before a block window's boundary
 * (1,700,002,800 is a multiple of STORE_HIST_BLOCK_S, 3600 s) */
#define T_WALL0 (1700002800.0 - 100)
#define T_CHUNK 50               /* rows per store_samples call */

/* Sample i: batch 1 for i < 1200, then idle; a 1 s period from T_WALL0;
 * values at each tag's register
 * resolution (0.1 or 1), a few bad readings, one good NaN. */
static void t_row(struct store_sample *r, int i, long batch)
{
	memset(r, 0, sizeof *r);
	r->batch_id = i < 1200 ? batch : 0;
	snprintf(r->still, sizeof r->still, "still1");
	r->t_process_s = 10.0 + i;
	r->wall_s = T_WALL0 + i + 0.25;
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		long raw = (long)(200 + 37 * sin(i / 50.0 + t) * 10) + (i * 7 + t) % 5;

		r->value[t] = t == CFG_TAG_OIL || t == CFG_TAG_STATUS ||
		              t == CFG_TAG_HEARTBEAT ? (double)(raw + 10 * i) : raw * 0.1;
	}
	r->value[CFG_TAG_CHARGE] = 500;
	if (i % 97 == 3)
		r->quality[CFG_TAG_PRESSURE] = 2;
	if (i % 311 == 5)
		r->quality[CFG_TAG_STEAM_FLOW] = 12;   /* kept as 9 */
	if (i == 777)
		r->value[CFG_TAG_VAPOUR_TEMP] = NAN;
}

/* Checks rows read back against t_row in order (ctx: the next index). */
static int t_check(void *ctx, const struct store_hist_row *r)
{
	int *next = ctx, i = *next;
	struct store_sample w;

	t_row(&w, i, r->s.batch_id ? r->s.batch_id : 0);
	if (fabs(r->s.t_process_s - w.t_process_s) > 0.0005 ||
	    fabs(r->s.wall_s - w.wall_s) > 0.0005)
		fail_msg("sample %d: time %.3f/%.3f, want %.3f/%.3f", i,
		         r->s.t_process_s, r->s.wall_s, w.t_process_s, w.wall_s);
	assert_int_equal(r->span_s, 0);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->s.still, "still1");
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		int q = w.quality[t] > 9 ? 9 : w.quality[t];

		if (r->s.quality[t] != q)
			fail_msg("sample %d tag %d: quality %d, want %d", i, t,
			         r->s.quality[t], q);
		if (q != 0 || isnan(w.value[t])) {
			if (!isnan(r->s.value[t]))
				fail_msg("sample %d tag %d: %g, want no value", i, t,
				         r->s.value[t]);
		} else if (r->s.value[t] != w.value[t]) {
			fail_msg("sample %d tag %d: %.17g, want %.17g", i, t,
			         r->s.value[t], w.value[t]);
		}
	}
	*next = i + 1;
	return 0;
}

/* Writes samples from..to (exclusive) in T_CHUNK calls. */
static void t_write(struct t_env *e, int from, int to, long batch, int packed)
{
	struct store_sample rows[T_CHUNK];

	for (int i = from; i < to; i += T_CHUNK) {
		int n = to - i < T_CHUNK ? to - i : T_CHUNK;

		for (int k = 0; k < n; k++)
			t_row(&rows[k], i + k, batch);
		if ((packed ? store_samples_packed : store_samples)(e->s, rows, n,
		                                                   e->cause,
		                                                   sizeof e->cause) < 0)
			fail_msg("write: %s", e->cause);
	}
}

/* Reads everything back: the batch, then the idle span after it. */
static void t_read_all(struct t_env *e, long batch)
{
	int next = 0;

	assert_int_equal(store_hist_batch(e->s, batch, t_check, &next, e->cause,
	                                  sizeof e->cause), 1200);
	assert_int_equal(next, 1200);
	assert_int_equal(store_hist_span(e->s, "still1", T_WALL0 + 1200,
	                                 T_WALL0 + T_N + 1, t_check, &next,
	                                 e->cause, sizeof e->cause), T_N - 1200);
	assert_int_equal(next, T_N);
	assert_int_equal(store_hist_count(e->s, batch, NULL, e->cause,
	                                  sizeof e->cause), 1200);
	assert_int_equal(store_hist_count(e->s, 0, "still1", e->cause,
	                                  sizeof e->cause), T_N);
	assert_int_equal(store_hist_count(e->s, 0, "still2", e->cause,
	                                  sizeof e->cause), 0);
}

static void test_round_trip(void **state)
{
	struct t_env *e = *state;
	long batch;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	batch = t_batch(e, "L1", 500);
	t_write(e, 0, T_N, batch, 0);
	/* blocks sealed at the window boundary (sample 100), the batch's
	 * end (1200) and the next boundary (3700); the filling one (from
	 * 3700) is in parts */
	assert_int_equal(t_int(e, "SELECT count(*) FROM hist_blocks WHERE open = 0"), 3);
	assert_true(t_int(e, "SELECT count(*) FROM hist_blocks WHERE open = 1") > 0);
	assert_int_equal(t_int(e, "SELECT sum(n) FROM hist_blocks WHERE open = 1"), 300);
	assert_int_equal(t_int(e, "SELECT count(*) FROM hist_blocks WHERE open = 0"
	                          " AND n < 100"), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM hist_blocks WHERE"
	                          " batch_id IS NOT NULL AND batch_id != 1"), 0);
	assert_int_equal(t_int(e, "SELECT sum(samples) FROM hist_counts"), T_N);
	t_read_all(e, batch);
	/* the curve of the batch, through SQL */
	{
		struct store_filter f = {.batch_id = batch};
		char *json = store_query_json(e->s, STORE_Q_CURVE, &f, e->cause,
		                              sizeof e->cause);

		assert_non_null(json);
		t_assert_contains(json, "\"t_s\":1199.0,");
		free(json);
	}
	/* flushing packs the tail; nothing changes for readers */
	assert_int_equal(store_samples_flush(e->s, e->cause, sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM hist_blocks WHERE open = 1"), 0);
	t_read_all(e, batch);
	/* about a few bytes a sample, not 164 */
	assert_true(t_int(e, "SELECT sum(length(data)) FROM hist_blocks") <
	            T_N * 14);
}

static void test_bulk_writer(void **state)
{
	struct t_env *e = *state;
	long batch;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	batch = t_batch(e, "L1", 500);
	t_write(e, 0, T_N, batch, 1);
	assert_int_equal(t_int(e, "SELECT count(*) FROM hist_raw"), 0);
	t_read_all(e, batch);
}

static void test_damaged_block(void **state)
{
	struct t_env *e = *state;
	long batch;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	batch = t_batch(e, "L1", 500);
	t_write(e, 0, 1200, batch, 1);
	assert_int_equal(t_raw(e, "UPDATE hist_blocks SET data ="
	                          " substr(data, 1, length(data) - 9)"), 0);
	assert_int_equal(store_hist_batch(e->s, batch, NULL, NULL, e->cause,
	                                  sizeof e->cause), -1);
	t_assert_contains(e->cause, "damaged");
}

/* Checks an aggregate row against the idle samples of its minute. */
static int t_agg_check(void *ctx, const struct store_hist_row *r)
{
	long *rows = ctx;
	double lo = INFINITY, hi = -INFINITY, sum = 0;
	int n = 0;

	assert_int_equal(r->span_s, 60);
	for (int i = 1200; i < T_N; i++) {
		struct store_sample w;

		t_row(&w, i, 0);
		if (w.wall_s < r->s.wall_s || w.wall_s >= r->s.wall_s + 60)
			continue;
		n++;
		lo = fmin(lo, w.value[CFG_TAG_STILL_TEMP]);
		hi = fmax(hi, w.value[CFG_TAG_STILL_TEMP]);
		sum += w.value[CFG_TAG_STILL_TEMP];
	}
	assert_int_equal(r->n, n);
	assert_true(r->lo[CFG_TAG_STILL_TEMP] == lo);
	assert_true(r->hi[CFG_TAG_STILL_TEMP] == hi);
	assert_true(fabs(r->s.value[CFG_TAG_STILL_TEMP] - sum / n) < 1e-9);
	assert_int_equal(r->s.quality[CFG_TAG_STILL_TEMP], 0);
	(*rows)++;
	return 0;
}

static void test_reduce_idle(void **state)
{
	struct t_env *e = *state;
	long batch, idle_blocks, rows = 0;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	batch = t_batch(e, "L1", 500);
	t_write(e, 0, T_N, batch, 1);
	idle_blocks = (long)t_int(e, "SELECT count(*) FROM hist_blocks WHERE"
	                             " batch_id IS NULL");
	assert_true(idle_blocks >= 2);
	/* nothing is old enough yet */
	assert_int_equal(store_hist_reduce(e->s, 1.0e9, 60, 100, e->cause,
	                                   sizeof e->cause), 0);
	/* one block a call when asked for one */
	assert_int_equal(store_hist_reduce(e->s, 2.0e9, 60, 1, e->cause,
	                                   sizeof e->cause), 1);
	assert_int_equal(store_hist_reduce(e->s, 2.0e9, 60, 100, e->cause,
	                                   sizeof e->cause), idle_blocks - 1);
	assert_int_equal(store_hist_reduce(e->s, 2.0e9, 60, 100, e->cause,
	                                   sizeof e->cause), 0);
	/* the batch is untouched, every sample still counted */
	{
		int next = 0;

		assert_int_equal(store_hist_batch(e->s, batch, t_check, &next, e->cause,
		                                  sizeof e->cause), 1200);
	}
	assert_int_equal(store_hist_count(e->s, 0, "still1", e->cause,
	                                  sizeof e->cause), T_N);
	assert_int_equal(t_int(e, "SELECT sum(samples) FROM hist_counts WHERE"
	                          " span_s = 60"), T_N - 1200);
	/* the idle span reads as minutes of min/mean/max */
	assert_true(store_hist_span(e->s, "still1", T_WALL0 + 1200,
	                            T_WALL0 + T_N + 1, t_agg_check, &rows,
	                            e->cause, sizeof e->cause) > 0);
	assert_true(rows >= (T_N - 1200) / 60);
}

/* A batch whose blocks overlap in time (the even samples written as
 * blocks, then the odd ones: as after a repair or a merge of two
 * journals) is read whole and in order, through the read-all-and-sort
 * path, not a block at a time. */
static void test_iter_overlap(void **state)
{
	struct t_env *e = *state;
	struct store_sample rows[600];
	long batch;
	int next = 0;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	batch = t_batch(e, "L1", 500);
	for (int odd = 0; odd < 2; odd++) {
		for (int k = 0; k < 600; k++)
			t_row(&rows[k], 2 * k + odd, batch);
		assert_int_equal(store_samples_packed(e->s, rows, 600, e->cause,
		                                      sizeof e->cause), 0);
	}
	assert_int_equal(t_int(e, "SELECT count(*) FROM hist_blocks"), 4);
	assert_int_equal(store_hist_batch(e->s, batch, t_check, &next, e->cause,
	                                  sizeof e->cause), 1200);
	assert_int_equal(next, 1200);
}

/* The child: writes samples in T_CHUNK transactions for ever. */
static void t_writer_child(const char *path)
{
	char cause[STORE_CAUSE_MAX];
	struct store *s = store_open(path, STORE_RW, cause, sizeof cause);
	struct store_sample rows[T_CHUNK];

	if (!s)
		_exit(10);
	for (int i = 0;; i += T_CHUNK) {
		for (int k = 0; k < T_CHUNK; k++) {
			t_row(&rows[k], i + k, 0);
			rows[k].batch_id = 0;
		}
		if (store_samples(s, rows, T_CHUNK, cause, sizeof cause) < 0)
			_exit(11);
	}
}

/* Counts the rows read back and checks they are 0, 1, 2, ... */
static int t_seq(void *ctx, const struct store_hist_row *r)
{
	long *next = ctx;

	if (fabs(r->s.t_process_s - (10.0 + *next)) > 0.0005)
		fail_msg("sample %ld: t %.3f (lost or doubled)", *next,
		         r->s.t_process_s);
	(*next)++;
	return 0;
}

static void test_sigkill_loses_nothing(void **state)
{
	struct t_env *e = *state;

	store_close(e->s);
	e->s = NULL;
	for (int round = 0; round < 3; round++) {
		pid_t pid = fork();
		int status;
		long next = 0, n;

		assert_true(pid >= 0);
		if (pid == 0)
			t_writer_child(e->path);
		/* kill it once it has written, at a varying point */
		for (int k = 0; k < 500 && t_int(e, "SELECT count(*) FROM"
		                                   " hist_counts") == 0; k++)
			usleep(10000);
		usleep(20000 + 37000 * round);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		assert_true(WIFSIGNALED(status));
		e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
		assert_non_null(e->s);
		n = store_hist_span(e->s, "still1", 0, 1e12, t_seq, &next, e->cause,
		                    sizeof e->cause);
		if (n <= 0)
			fail_msg("round %d: %ld rows: %s", round, n, e->cause);
		assert_int_equal(n % T_CHUNK, 0);
		assert_int_equal(store_hist_count(e->s, 0, "still1", e->cause,
		                                  sizeof e->cause), n);
		/* the next round starts over on a fresh history */
		assert_int_equal(t_raw(e, "DELETE FROM hist_raw;"
		                          " DELETE FROM hist_blocks"), 0);
		store_close(e->s);
		e->s = NULL;
	}
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	assert_non_null(e->s);
}

/* A double spread over what reports print: register values, rounded
 * figures, plain doubles, any bit pattern, wide magnitudes. */
static double t_any_double(unsigned *seed)
{
	int k = rand_r(seed) % 6;
	double u = (double)rand_r(seed) / RAND_MAX;
	uint64_t bits;
	double v;

	if (k == 0)
		return round((u * 2100 - 100) * 1000) / 1000;
	if (k == 1)
		return (rand_r(seed) % 2000001 - 1000000) * 0.1;
	if (k == 2)
		return (u - 0.5) * 2e6;
	if (k == 3) {
		bits = (uint64_t)rand_r(seed) << 33 ^ (uint64_t)rand_r(seed) << 11 ^
		       (uint64_t)rand_r(seed);
		memcpy(&v, &bits, sizeof v);
		return isfinite(v) ? v : 1.5;
	}
	if (k == 4)
		return u * pow(10, rand_r(seed) % 41 - 20);
	/* as the historian decodes a value: an integer x 10^e */
	return (double)(rand_r(seed) % 20000001 - 10000000) * pow(10, -(rand_r(seed) % 7));
}

/* store_real_text gives SQLite's text of a REAL or declines (NULL), on
 * 200,000 values and the edges; most of the register-like ones take the
 * fast path. */
static void test_real_text(void **state)
{
	static const double edges[] = {0.0, -0.0, 1e-4, 9.99e-5, 1e15, 999999999999999.0,
	                               25.0, -40.0, 98.3, 0.1, 588530907529734.5,
	                               9418433645977.625};
	sqlite3 *db;
	sqlite3_stmt *st;
	char buf[STORE_REAL_TEXT_MAX];
	unsigned seed = 17;
	long fast = 0, n = 200000 + (long)(sizeof edges / sizeof edges[0]);

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT CAST(?1 AS TEXT)", -1, &st,
	                                    NULL), SQLITE_OK);
	for (long i = 0; i < n; i++) {
		double x = i < 200000 ? t_any_double(&seed) : edges[i - 200000];
		const char *mine = store_real_text(x, buf);

		sqlite3_bind_double(st, 1, x);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		if (mine) {
			fast++;
			if (strcmp(mine, (const char *)sqlite3_column_text(st, 0)) != 0)
				fail_msg("%.17g: %s, SQLite %s", x, mine,
				         (const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_true(fast > n / 3);
}

/* sr_round(x, n) reads as SQLite's round(x, n) on 200,000 values: the
 * curve's kinds (seconds and minutes from a start, kg from grams) and
 * any double, n from 0 to 7. */
static void test_round_text(void **state)
{
	struct t_env *e = *state;
	sqlite3_stmt *st;
	unsigned seed = 23;

	assert_int_equal(sqlite3_prepare_v2(e->s->db,
		"SELECT CAST(round(?1, ?2) AS TEXT), CAST(sr_round(?1, ?2) AS TEXT)",
		-1, &st, NULL), SQLITE_OK);
	for (long i = 0; i < 200000; i++) {
		double t = (double)(rand_r(&seed) % 200000000) / 1000.0;
		double x = i % 4 == 0 ? t : i % 4 == 1 ? t / 60.0 :
		           i % 4 == 2 ? (double)(rand_r(&seed) % 9000000) / 1000.0 :
		           t_any_double(&seed);
		const char *a, *b;

		sqlite3_bind_double(st, 1, x);
		sqlite3_bind_int(st, 2, rand_r(&seed) % 8);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		a = (const char *)sqlite3_column_text(st, 0);
		b = (const char *)sqlite3_column_text(st, 1);
		if (!a || !b || strcmp(a, b) != 0)
			fail_msg("%.17g: round %s, sr_round %s", x, a ? a : "NULL",
			         b ? b : "NULL");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
		T(test_round_trip),
		T(test_bulk_writer),
		T(test_damaged_block),
		T(test_reduce_idle),
		T(test_iter_overlap),
		T(test_sigkill_loses_nothing),
		cmocka_unit_test(test_real_text),
		T(test_round_text),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
