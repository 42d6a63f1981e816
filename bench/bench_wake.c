/*
 * bench_wake: the platform's own wake-up lateness, the baseline for the
 * daemon's loop jitter in `make bench`. THREADS threads each sleep to an
 * absolute deadline (clock_nanosleep TIMER_ABSTIME on CLOCK_MONOTONIC) every
 * PERIOD_MS, as controller/loop.c does, do nothing else, and record how late
 * each wake was; missed periods are skipped as the loop skips them. With
 * "fifo" each thread asks for SCHED_FIFO priority 50, as the daemon's
 * control threads do. After SECONDS, prints one JSON line: the largest of
 * the threads' 50th and 99th percentiles and maxima (the daemon's status is
 * per still, so the bench takes the largest of those the same way), the
 * same over all samples pooled, and whether SCHED_FIFO was granted.
 *
 * usage: bench_wake PERIOD_MS THREADS SECONDS fifo|plain
 * Exits 0, 1 when a thread cannot start, 2 on bad usage.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clk.h"

#define THREADS_MAX 256

struct bench_thread {
	pthread_t thread;
	int64_t period_ns;
	int64_t end_ns;             /* stop waking after this */
	int fifo;                   /* ask for SCHED_FIFO */
	int fifo_ok;                /* it was granted */
	int64_t *late_ns;           /* one per wake */
	long n, cap;
};

static void *bench_thread_main(void *arg)
{
	struct bench_thread *t = arg;
	struct sched_param sp = {.sched_priority = 50};
	int64_t deadline = clk_mono_ns();

	if (t->fifo)
		t->fifo_ok = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	while (deadline < t->end_ns && t->n < t->cap) {
		struct timespec ts = clk_ts_from_ns(deadline);
		int64_t now;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = clk_mono_ns();
		t->late_ns[t->n++] = now - deadline;
		deadline += t->period_ns;
		if (now >= deadline)   /* skip what was missed, as the loop does */
			deadline += ((now - deadline) / t->period_ns + 1) * t->period_ns;
	}
	return NULL;
}

static int bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* p-th percentile of sorted v[0..n), microseconds (as loop_jitter_pct_us). */
static double bench_pct_us(const int64_t *v, long n, double p)
{
	return n > 0 ? (double)v[(long)(p / 100.0 * (double)(n - 1) + 0.5)] / 1000.0 : 0;
}

int main(int argc, char **argv)
{
	static struct bench_thread th[THREADS_MAX];
	double p50 = 0, p99 = 0, max = 0, secs;
	int64_t *all;
	long total = 0, k = 0;
	int n, period_ms, fifo_ok = 0;

	if (argc != 5 || (period_ms = atoi(argv[1])) < 1 || (n = atoi(argv[2])) < 1 ||
	    n > THREADS_MAX || !((secs = atof(argv[3])) > 0)) {
		fprintf(stderr, "usage: bench_wake PERIOD_MS THREADS SECONDS fifo|plain\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		th[i].period_ns = (int64_t)period_ms * 1000000;
		th[i].end_ns = clk_mono_ns() + (int64_t)(secs * 1e9);
		th[i].fifo = strcmp(argv[4], "fifo") == 0;
		th[i].cap = (long)(secs * 1000 / period_ms) + 2;
		th[i].late_ns = calloc((size_t)th[i].cap, sizeof *th[i].late_ns);
		if (th[i].late_ns == NULL ||
		    pthread_create(&th[i].thread, NULL, bench_thread_main, &th[i]) != 0) {
			fprintf(stderr, "bench_wake: cannot start thread %d\n", i);
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i].thread, NULL);
		total += th[i].n;
		fifo_ok += th[i].fifo_ok;
	}
	all = calloc((size_t)total + 1, sizeof *all);
	if (all == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		struct bench_thread *t = &th[i];

		qsort(t->late_ns, (size_t)t->n, sizeof t->late_ns[0], bench_cmp_i64);
		p50 = fmax(p50, bench_pct_us(t->late_ns, t->n, 50));
		p99 = fmax(p99, bench_pct_us(t->late_ns, t->n, 99));
		max = fmax(max, bench_pct_us(t->late_ns, t->n, 100));
		memcpy(all + k, t->late_ns, (size_t)t->n * sizeof *all);
		k += t->n;
		free(t->late_ns);
	}
	qsort(all, (size_t)total, sizeof *all, bench_cmp_i64);
	printf("{\"threads\": %d, \"period_ms\": %d, \"wakes\": %ld, \"fifo_threads\": %d, "
	       "\"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, "
	       "\"pooled_p50_us\": %.1f, \"pooled_p99_us\": %.1f}\n", n, period_ms, total,
	       fifo_ok, p50, p99, max, bench_pct_us(all, total, 50), bench_pct_us(all, total, 99));
	free(all);
	return 0;
}
