/*
 * bench_modbus: Modbus timings for `make bench`, against a running
 * stillroom-sim. Three measures, each printed as one JSON line on stdout:
 *
 *   bench_modbus tick CONFIG ROUNDS ITERS
 *       still 0 of CONFIG: the controller's field I/O per tick (fio_read +
 *       fio_write, controller/fio.c) against the bare libmodbus requests
 *       fio plans for it (the same block reads and block writes, on a
 *       second connection, no decoding), alternated in ROUNDS rounds of
 *       ITERS ticks each so that drift hits both alike.
 *   bench_modbus poll CONFIG N CYCLES
 *       the daemon's polling job for stills 0..N-1, one connection each:
 *       every cycle reads each still's map and writes its outputs through
 *       fio, as the control threads do (here one after the other).
 *   bench_modbus plan CONFIG
 *       fio's plan for still 0 (block reads, block writes) and the input
 *       tags' decoding, for the pymodbus loop to do the same job.
 *   bench_modbus simspeed CONFIG SECONDS
 *       turns still 0's field watchdog off (control unit), then polls still
 *       0 as fast as it answers for SECONDS wall seconds and reports how
 *       far the simulator's clock (control unit registers 0, 1) moved.
 *
 * Exits 0, 1 on a Modbus failure (the reason on stderr), 2 on bad usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <modbus.h>

#include "cfg.h"
#include "clk.h"
#include "core.h"
#include "diag.h"
#include "fio.h"
#include "plant.h"

#define BENCH_TIMEOUT_MS 1000   /* response timeout: a bench never races it */
#define BENCH_CONNECT_TRIES 5

/* Loads the plant config at path; exits 2 with its errors when bad. */
static struct cfg_plant *bench_config(const char *path)
{
	struct cfg_plant *p = malloc(sizeof *p);
	struct diag d;

	diag_init(&d);
	if (p == NULL || cfg_load(p, path, &d) < 0) {
		diag_print(&d, stderr);
		exit(2);
	}
	return p;
}

/* Prepares f for still i and connects it (one read); exits 1 on failure. */
static void bench_fio_open(struct fio *f, const struct cfg_plant *p, int i)
{
	struct core_inputs in;
	char cause[256];

	if (fio_init(f, p, i, BENCH_TIMEOUT_MS, cause, sizeof cause) < 0) {
		fprintf(stderr, "bench_modbus: %s\n", cause);
		exit(1);
	}
	/* a loaded machine may drop a connect now and then: the simulator
	 * takes one connection at a time; connecting is not timed */
	for (int k = 0; fio_read(f, &in, clk_mono_ns()) < 0; k++) {
		if (k == BENCH_CONNECT_TRIES) {
			fprintf(stderr, "bench_modbus: %s: cannot read: %s\n",
			        p->stills[i].name, modbus_strerror(f->last_errno));
			exit(1);
		}
		nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
		f->retry_at_ns = 0;
	}
}

/* One controller tick's I/O through fio; -1 when the link failed. */
static int bench_fio_tick(struct fio *f, uint16_t heartbeat)
{
	struct core_inputs in;
	struct core_outputs out = {.steam_pct = 0, .cooling_pct = 100,
	                           .heartbeat = heartbeat};

	if (fio_read(f, &in, clk_mono_ns()) < 0)
		return -1;
	return fio_write(f, &out, clk_mono_ns());
}

/* A bare libmodbus connection to still i (unit id set); exits 1 on failure. */
static modbus_t *bench_raw_open(const struct cfg_still *s, int unit_id)
{
	modbus_t *ctx = modbus_new_tcp(s->host, s->port);

	if (ctx == NULL || modbus_connect(ctx) < 0) {
		fprintf(stderr, "bench_modbus: cannot connect to %s:%d: %s\n",
		        s->host, s->port, modbus_strerror(errno));
		exit(1);
	}
	modbus_set_slave(ctx, unit_id);
	modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
	modbus_set_response_timeout(ctx, BENCH_TIMEOUT_MS / 1000,
	                            (BENCH_TIMEOUT_MS % 1000) * 1000);
	return ctx;
}

/* The requests fio plans for a tick, sent bare: every read block, then
 * every write block of the holding words in img. -1 on a failure. */
static int bench_raw_tick(modbus_t *ctx, const struct fio *plan, uint16_t *img)
{
	uint16_t buf[FIO_REGS_MAX];

	for (int i = 0; i < plan->n_reads; i++) {
		const struct fio_block *b = &plan->reads[i];
		int rc = b->type == CFG_REG_INPUT
		         ? modbus_read_input_registers(ctx, b->start, b->count, buf)
		         : modbus_read_registers(ctx, b->start, b->count, buf);

		if (rc != b->count)
			return -1;
	}
	for (int i = 0; i < plan->n_writes; i++) {
		const struct fio_block *b = &plan->writes[i];
		int rc = b->count == 1
		         ? modbus_write_register(ctx, b->start, img[b->start])
		         : modbus_write_registers(ctx, b->start, b->count, img + b->start);

		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ITERS ticks of fio; returns the nanoseconds they took, -1 on failure. */
static int64_t bench_time_fio(struct fio *f, int iters, uint16_t *hb)
{
	int64_t t0 = clk_mono_ns();

	for (int k = 0; k < iters; k++)
		if (bench_fio_tick(f, (*hb)++) < 0)
			return -1;
	return clk_mono_ns() - t0;
}

/* ITERS bare ticks; the heartbeat word changes as fio's does. */
static int64_t bench_time_raw(modbus_t *ctx, const struct fio *plan, int iters,
                              uint16_t *hb)
{
	const struct cfg_reg *r = &plan->plant->map[CFG_TAG_HEARTBEAT];
	uint16_t img[FIO_REGS_MAX];
	int64_t t0 = clk_mono_ns();

	memcpy(img, plan->holding_regs, sizeof img);
	for (int k = 0; k < iters; k++) {
		img[r->address] = (*hb)++;
		if (bench_raw_tick(ctx, plan, img) < 0)
			return -1;
	}
	return clk_mono_ns() - t0;
}

/* Ascending order of doubles, for medians. */
static int bench_cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof v[0], bench_cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int bench_tick(const struct cfg_plant *p, int rounds, int iters)
{
	struct fio *f = calloc(1, sizeof *f);
	double *fio_us = calloc((size_t)rounds, sizeof *fio_us);
	double *raw_us = calloc((size_t)rounds, sizeof *raw_us);
	int64_t fio_ns = 0, raw_ns = 0, t;
	uint16_t hb = 1;
	modbus_t *ctx;

	if (f == NULL || fio_us == NULL || raw_us == NULL || rounds < 1 || iters < 1)
		return 2;
	bench_fio_open(f, p, 0);
	ctx = bench_raw_open(&p->stills[0], p->stills[0].unit_id);
	/* warm both paths up (connections, caches) before timing */
	if (bench_time_fio(f, iters, &hb) < 0 || bench_time_raw(ctx, f, iters, &hb) < 0)
		goto out_fail;
	for (int r = 0; r < rounds; r++) {
		/* alternate which goes first */
		for (int k = 0; k < 2; k++) {
			if ((k + r) % 2 == 0) {
				t = bench_time_fio(f, iters, &hb);
				fio_ns += t;
				fio_us[r] = t / 1e3 / iters;
			} else {
				t = bench_time_raw(ctx, f, iters, &hb);
				raw_ns += t;
				raw_us[r] = t / 1e3 / iters;
			}
			if (t < 0)
				goto out_fail;
		}
	}
	printf("{\"rounds\": %d, \"ticks_per_round\": %d, "
	       "\"fio_us_per_tick_median\": %.3f, \"raw_us_per_tick_median\": %.3f, "
	       "\"fio_us_per_tick_mean\": %.3f, \"raw_us_per_tick_mean\": %.3f, "
	       "\"reads_per_tick\": %d, \"writes_per_tick\": %d}\n",
	       rounds, iters, bench_median(fio_us, rounds), bench_median(raw_us, rounds),
	       fio_ns / 1e3 / ((double)rounds * iters), raw_ns / 1e3 / ((double)rounds * iters),
	       f->n_reads, f->n_writes);
	modbus_close(ctx);
	modbus_free(ctx);
	fio_close(f);
	free(f);
	free(fio_us);
	free(raw_us);
	return 0;

out_fail:
	fprintf(stderr, "bench_modbus: tick: a request failed: %s\n",
	        modbus_strerror(errno));
	return 1;
}

static int bench_poll(const struct cfg_plant *p, int n, int cycles)
{
	struct fio *f;
	int64_t t0, ns;
	uint16_t hb = 1;

	if (n < 1 || n > p->n_stills) {
		fprintf(stderr, "bench_modbus: poll: %d stills asked, config has %d\n",
		        n, p->n_stills);
		return 2;
	}
	f = calloc((size_t)n, sizeof *f);
	if (f == NULL)
		return 1;
	for (int i = 0; i < n; i++)
		bench_fio_open(&f[i], p, i);
	for (int c = 0; c < cycles / 10 + 1; c++, hb++)   /* warm-up */
		for (int i = 0; i < n; i++)
			if (bench_fio_tick(&f[i], hb) < 0)
				goto out_fail;
	t0 = clk_mono_ns();
	for (int c = 0; c < cycles; c++, hb++)
		for (int i = 0; i < n; i++)
			if (bench_fio_tick(&f[i], hb) < 0)
				goto out_fail;
	ns = clk_mono_ns() - t0;
	printf("{\"stills\": %d, \"cycles\": %d, \"seconds\": %.6f, "
	       "\"us_per_cycle\": %.3f}\n", n, cycles, ns / 1e9, ns / 1e3 / cycles);
	for (int i = 0; i < n; i++)
		fio_close(&f[i]);
	free(f);
	return 0;

out_fail:
	fprintf(stderr, "bench_modbus: poll: a request failed: %s\n",
	        modbus_strerror(errno));
	return 1;
}

/* The simulator's clock, whole simulated seconds; -1 on failure. */
static long bench_sim_time_s(modbus_t *ctl)
{
	uint16_t w[2];

	if (modbus_read_registers(ctl, PLANT_G_TIME_HI, 2, w) != 2)
		return -1;
	return (long)w[0] << 16 | w[1];
}

static int bench_simspeed(const struct cfg_plant *p, double seconds)
{
	struct fio *f = calloc(1, sizeof *f);
	modbus_t *ctl = bench_raw_open(&p->stills[0], p->sim_control_unit);
	int64_t t0, t1, end;
	long s0, s1, polls = 0;
	uint16_t hb = 1;

	if (f == NULL)
		return 1;
	/* at thousands of times real time no client can feed the heartbeat */
	if (modbus_write_register(ctl, PLANT_CTL_BLOCK + PLANT_CTL_WATCHDOG_OFF, 1) < 0)
		goto out_fail;
	bench_fio_open(f, p, 0);
	s0 = bench_sim_time_s(ctl);
	t0 = clk_mono_ns();
	end = t0 + (int64_t)(seconds * 1e9);
	while (clk_mono_ns() < end) {
		if (bench_fio_tick(f, hb++) < 0)
			goto out_fail;
		polls++;
	}
	s1 = bench_sim_time_s(ctl);
	t1 = clk_mono_ns();
	if (s0 < 0 || s1 < 0)
		goto out_fail;
	printf("{\"sim_s\": %ld, \"wall_s\": %.6f, \"polls\": %ld}\n", s1 - s0,
	       (t1 - t0) / 1e9, polls);
	fio_close(f);
	free(f);
	modbus_close(ctl);
	modbus_free(ctl);
	return 0;

out_fail:
	fprintf(stderr, "bench_modbus: simspeed: a request failed: %s\n",
	        modbus_strerror(errno));
	return 1;
}

static int bench_plan(const struct cfg_plant *p)
{
	struct fio *f = calloc(1, sizeof *f);
	char cause[256];

	if (f == NULL || fio_init(f, p, 0, BENCH_TIMEOUT_MS, cause, sizeof cause) < 0)
		return 1;
	printf("{\"reads\": [");
	for (int i = 0; i < f->n_reads; i++)
		printf("%s[\"%s\", %d, %d]", i ? ", " : "",
		       f->reads[i].type == CFG_REG_INPUT ? "input" : "holding",
		       f->reads[i].start, f->reads[i].count);
	printf("], \"writes\": [");
	for (int i = 0; i < f->n_writes; i++)
		printf("%s[%d, %d]", i ? ", " : "", f->writes[i].start, f->writes[i].count);
	printf("], \"tags\": [");
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		const struct cfg_reg *r = &p->map[t];

		printf("%s{\"type\": \"%s\", \"address\": %d, \"words\": %d, "
		       "\"high_first\": %d, \"signed\": %d, \"scale\": %.17g, "
		       "\"offset\": %.17g, \"min\": %.17g, \"max\": %.17g}",
		       t ? ", " : "", r->type == CFG_REG_INPUT ? "input" : "holding",
		       r->address, r->words, r->order == CFG_WORDS_HIGH_FIRST,
		       r->is_signed, r->scale, r->offset, r->range_min, r->range_max);
	}
	printf("]}\n");
	free(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg_plant *p;
	int rc = 2;

	if (argc < 3 || (argc != 5 && !(argc == 4 && strcmp(argv[1], "simspeed") == 0) &&
	                 !(argc == 3 && strcmp(argv[1], "plan") == 0))) {
		fprintf(stderr, "usage: bench_modbus tick CONFIG ROUNDS ITERS\n"
		        "       bench_modbus poll CONFIG N CYCLES\n"
		        "       bench_modbus plan CONFIG\n"
		        "       bench_modbus simspeed CONFIG SECONDS\n");
		return 2;
	}
	p = bench_config(argv[2]);
	if (strcmp(argv[1], "plan") == 0)
		rc = bench_plan(p);
	else if (strcmp(argv[1], "tick") == 0)
		rc = bench_tick(p, atoi(argv[3]), atoi(argv[4]));
	else if (strcmp(argv[1], "poll") == 0)
		rc = bench_poll(p, atoi(argv[3]), atoi(argv[4]));
	else if (strcmp(argv[1], "simspeed") == 0)
		rc = bench_simspeed(p, atof(argv[3]));
	else
		fprintf(stderr, "bench_modbus: unknown measure '%s'\n", argv[1]);
	free(p);
	return rc;
}
