/*
 * test_loop: one still's control loop on its own thread, with a real
 * journal (SQLite in a private directory) and its field I/O pointed at a
 * closed port on 127.0.0.1, so every read fails as on a dead link. The
 * ticks must allocate nothing, a start dry run included: malloc, calloc
 * and realloc are wrapped for this binary's own objects (ldflags below)
 * and every call made on the control thread is counted. The snapshot the
 * tick publishes for status must stay small.
 * links: controller/loop.c controller/core.c controller/core_alarm.c controller/core_cmd.c controller/core_endpt.c controller/est.c controller/core_status.c controller/pid.c controller/fio.c controller/jrn.c records/store.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_drum.c records/store_attr.c config/alloc.c records/store_qa.c records/store_alarm.c records/store_quar.c common/regmap.c common/clk.c common/log.c common/thr.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/ydoc.c common/diag.c common/sha256.c common/num.c records/store_lotfix.c records/store_trace.c records/store_hist.c records/store_histvt.c
 * ldflags: -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "loop.h"
#include "store.h"

#define SNAPSHOT_MAX_BYTES 8192 /* was 61576: the whole core and the jitter ring */
#define WAIT_TICKS 20           /* ticks watched before and after the command */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static atomic_int counting;     /* set once counted is the loop thread */
static pthread_t counted;
static atomic_long allocs;      /* calls made on the counted thread */

static void note_alloc(void)
{
	if (atomic_load(&counting) && pthread_equal(pthread_self(), counted))
		atomic_fetch_add(&allocs, 1);
}

void *__wrap_malloc(size_t n)
{
	note_alloc();
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	note_alloc();
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	note_alloc();
	return __real_realloc(p, n);
}

struct fx {
	char dir[64];
	char db[96];
	struct cfg_plant plant;
	struct rcp_recipe recipe;
	struct jrn jrn;
	struct loop_still loop;
};

/* A 127.0.0.1 port nobody listens on (bound, then closed). */
static int closed_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char cause[256];
	struct store *s;
	struct diag d;

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_loop.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/l.db", f->dir);
	cfg_defaults(&f->plant);
	snprintf(f->plant.stills[0].host, sizeof f->plant.stills[0].host, "127.0.0.1");
	f->plant.stills[0].port = closed_port();
	s = store_open(f->db, STORE_RW, cause, sizeof cause);
	assert_non_null(s);
	assert_int_equal(store_sync_plant(s, &f->plant, cause, sizeof cause), 0);
	store_close(s);
	diag_init(&d);
	assert_int_equal(rcp_load(&f->recipe, "recipes/cassia-leaf.yaml", &f->plant, &d), 0);
	assert_int_equal(jrn_start(&f->jrn, f->db, NULL, cause, sizeof cause), 0);
	assert_int_equal(loop_init(&f->loop, &f->plant, 0, 100.0, 0, &f->jrn, cause,
	                           sizeof cause), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	jrn_stop(&f->jrn);
	rcp_free(&f->recipe);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

/* Waits until the loop has published n more ticks (1 ms naps). */
static void wait_ticks(struct loop_still *l, long n)
{
	long until = loop_ticks(l) + n;
	struct timespec nap = {.tv_nsec = 1000000};

	while (loop_ticks(l) < until)
		nanosleep(&nap, NULL);
}

/* Ticks, a start dry run and a refused command: no allocation on the
 * control thread. */
static void test_tick_allocates_nothing(void **state)
{
	struct fx *f = *state;
	struct core_cmd cmd = {.kind = CORE_CMD_START, .recipe = &f->recipe,
	                       .batch_id = 1, .charge_kg = 500};
	char cause[256];
	uint64_t seq = 0;
	enum loop_cmd_outcome o;

	snprintf(cmd.operator_name, sizeof cmd.operator_name, "tester");
	assert_int_equal(loop_start(&f->loop, cause, sizeof cause), 0);
	counted = f->loop.thread;
	atomic_store(&counting, 1);
	wait_ticks(&f->loop, WAIT_TICKS);
	/* the dry run's answer is the core's: refused here (the link is
	 * dead), but only after it ran on the scratch copy */
	o = loop_command(&f->loop, &cmd, 1, 60000, &seq, cause, sizeof cause);
	assert_true(o == LOOP_CMD_TAKEN || o == LOOP_CMD_REFUSED);
	cmd.kind = CORE_CMD_HOLD;
	o = loop_command(&f->loop, &cmd, 0, 60000, &seq, cause, sizeof cause);
	assert_int_equal(o, LOOP_CMD_REFUSED);
	wait_ticks(&f->loop, WAIT_TICKS);
	atomic_store(&counting, 0);
	loop_stop(&f->loop);
	if (atomic_load(&allocs) != 0)
		fail_msg("%ld allocations on the control thread", atomic_load(&allocs));
}

/* What the tick copies for status every tick stays small. */
static void test_snapshot_small(void **state)
{
	(void)state;
	if (sizeof(struct loop_view) > SNAPSHOT_MAX_BYTES)
		fail_msg("struct loop_view is %zu bytes, over %d", sizeof(struct loop_view),
		         SNAPSHOT_MAX_BYTES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tick_allocates_nothing, setup, teardown),
		cmocka_unit_test(test_snapshot_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
