/* Unit tests of the journal thread (controller/jrn.c) on a real SQLite file.
 * links: controller/jrn.c records/store.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_drum.c records/store_attr.c config/alloc.c records/store_qa.c records/store_alarm.c records/store_quar.c common/sha256.c common/clk.c common/log.c common/thr.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/diag.c common/ydoc.c common/num.c records/store_lotfix.c records/store_trace.c records/store_hist.c records/store_histvt.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/eventfd.h>

#include <sqlite3.h>

#include "jrn.h"
#include "store_write.h"

struct fixture {
	char dir[64];
	char db[128];
	struct cfg_plant plant;
	long batch_id;
};

/* The resources of the test's batch end (jrn_batch_end). */
static const struct econ_use use80 = {.steam_kg = 80, .cooling_m3 = 4,
                                      .running_h = 1, .fuel_kg = 80 / 3.0,
                                      .electricity_kwh = 3, .labour_h = 1};
static const struct econ_use use90 = {.steam_kg = 90, .cooling_m3 = 4,
                                      .running_h = 1, .fuel_kg = 30,
                                      .electricity_kwh = 3, .labour_h = 1};

static long count_rows(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long n = -1;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct store_lot lot;
	struct store *s;
	char cause[STORE_CAUSE_MAX];
	struct store_batch_start b = {
		.still = "still1", .recipe_name = "r", .recipe_version = 1,
		.recipe_text = "name: r\n", .feedstock = "cassia-leaf", .lot_id = "L1",
		.charge_kg = 100, .operator_name = "tester",
	};

	snprintf(f->dir, sizeof f->dir, "/tmp/test_jrn.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/j.db", f->dir);
	cfg_defaults(&f->plant);
	s = store_open(f->db, STORE_RW, cause, sizeof cause);
	assert_non_null(s);
	assert_int_equal(store_sync_plant(s, &f->plant, cause, sizeof cause), 0);
	store_lot_init(&lot);
	snprintf(lot.lot_id, sizeof lot.lot_id, "L1");
	snprintf(lot.feedstock, sizeof lot.feedstock, "cassia-leaf");
	snprintf(lot.grower, sizeof lot.grower, "G");
	snprintf(lot.origin, sizeof lot.origin, "O");
	lot.mass_received_kg = lot.mass_remaining_kg = 500;
	assert_int_equal(store_lot_add(s, &lot, "tester", cause, sizeof cause), 0);
	f->batch_id = store_batch_begin(s, &b, cause, sizeof cause);
	assert_true(f->batch_id > 0);
	store_close(s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct core_event event(long batch_id, int i)
{
	struct core_event ev = {.kind = CORE_EV_COMMAND, .batch_id = batch_id, .t_s = i};

	snprintf(ev.what, sizeof ev.what, "ack");
	snprintf(ev.who, sizeof ev.who, "tester");
	snprintf(ev.cause, sizeof ev.cause, "operator");
	snprintf(ev.text, sizeof ev.text, "event %d", i);
	return ev;
}

/* Every queued event is on disk, in order, once jrn_wait returns 0. */
static void test_events_committed_before_wait_returns(void **state)
{
	struct fixture *f = *state;
	struct jrn j;
	char cause[STORE_CAUSE_MAX];
	uint64_t seq = 0;
	long before = count_rows(f->db, "select count(*) from events");

	assert_int_equal(jrn_start(&j, f->db, NULL, cause, sizeof cause), 0);
	for (int i = 0; i < 300; i++) {
		struct core_event ev = event(f->batch_id, i);

		seq = jrn_event(&j, "still1", &ev);
		assert_true(seq > 0);
	}
	assert_int_equal(jrn_wait(&j, seq, 10000, cause, sizeof cause), 0);
	assert_int_equal(count_rows(f->db, "select count(*) from events"), before + 300);
	assert_int_equal(count_rows(f->db, "select count(*) from events where text = 'event 299'"
	                                   " and id = (select max(id) from events)"), 1);
	assert_int_equal(jrn_health(&j, cause, sizeof cause), 0);
	jrn_stop(&j);
}

/* A state event moves the batch; a step item records the timeline with
 * its index; the end figures land on the batch. */
static void test_batch_side(void **state)
{
	struct fixture *f = *state;
	struct jrn j;
	char cause[STORE_CAUSE_MAX];
	struct core_event st = {.kind = CORE_EV_STEP, .batch_id = f->batch_id, .t_s = 5};
	struct core_event done = {.kind = CORE_EV_STATE, .batch_id = f->batch_id, .t_s = 9};
	uint64_t seq;

	snprintf(st.what, sizeof st.what, "step");
	snprintf(st.new_value, sizeof st.new_value, "distil");
	snprintf(st.who, sizeof st.who, "controller");
	snprintf(done.what, sizeof done.what, "state");
	snprintf(done.old_value, sizeof done.old_value, "running");
	snprintf(done.new_value, sizeof done.new_value, "complete");
	snprintf(done.who, sizeof done.who, "controller");
	assert_int_equal(jrn_start(&j, f->db, NULL, cause, sizeof cause), 0);
	jrn_event(&j, "still1", &st);
	jrn_batch_step(&j, "still1", &st, 3);
	jrn_event(&j, "still1", &done);
	seq = jrn_batch_end(&j, "still1", f->batch_id, 1.25, &use80, 12000);
	assert_int_equal(jrn_wait(&j, seq, 10000, cause, sizeof cause), 0);
	jrn_stop(&j);
	assert_int_equal(count_rows(f->db, "select count(*) from batches where id = 1 and "
	                                   "state = 'complete' and ended_at is not null"), 1);
	assert_int_equal(count_rows(f->db, "select count(*) from batch_steps where batch_id = 1 "
	                                   "and step = 3 and name = 'distil'"), 1);
	assert_int_equal(count_rows(f->db, "select count(*) from batches where id = 1 and "
	                                   "abs(steam_kg - 80) < 1e-9 and cost_vnd = 12000 "
	                                   "and cooling_m3 = 4"), 1);
}

/* Samples never block: past the queue's size the oldest are dropped and
 * counted; what is kept reaches the disk. */
static void test_samples_bounded(void **state)
{
	struct fixture *f = *state;
	struct jrn j;
	char cause[STORE_CAUSE_MAX];
	struct store_sample s;
	long rows;

	memset(&s, 0, sizeof s);
	snprintf(s.still, sizeof s.still, "still1");
	assert_int_equal(jrn_start(&j, f->db, NULL, cause, sizeof cause), 0);
	for (int i = 0; i < 3 * JRN_SAMPLES_MAX; i++) {
		s.t_process_s = i;
		jrn_sample(&j, &s);
	}
	jrn_stop(&j);
	rows = count_rows(f->db, "select sum(samples) from hist_counts");
	assert_true(rows > 0);
	assert_true(rows + j.samples_dropped == 3 * JRN_SAMPLES_MAX);
	assert_int_equal(count_rows(f->db, "select max(t) from (select t_to_s as t"
	                                   " from hist_blocks union all select"
	                                   " t_process_s from hist_raw)"),
	                 3 * JRN_SAMPLES_MAX - 1);
}

/* Idle samples past their raw days are reduced by the journal in small
 * transactions between rounds: events queued while a large reduction is
 * due commit before it is over, and in the end every idle block is
 * reduced with every sample counted. */
static void test_reduce_does_not_stall_events(void **state)
{
	enum { BLOCKS = 400 };
	struct fixture *f = *state;
	struct store_sample *rows = calloc(BLOCKS * 60, sizeof *rows);
	char cause[STORE_CAUSE_MAX];
	struct store *s;
	struct jrn j;
	uint64_t seq;
	long left;

	assert_non_null(rows);
	/* BLOCKS blocks of 60 idle samples from 2001, one block window
	 * (STORE_HIST_BLOCK_S) each */
	for (int i = 0; i < BLOCKS * 60; i++) {
		snprintf(rows[i].still, sizeof rows[i].still, "still1");
		rows[i].t_process_s = i;
		rows[i].wall_s = 1.0e9 + i * (STORE_HIST_BLOCK_S / 60.0);
		rows[i].value[CFG_TAG_STILL_TEMP] = 25 + (i % 7) * 0.1;
	}
	s = store_open(f->db, STORE_RW, cause, sizeof cause);
	assert_non_null(s);
	assert_int_equal(store_samples_packed(s, rows, BLOCKS * 60, cause,
	                                      sizeof cause), 0);
	store_close(s);
	free(rows);
	assert_true(count_rows(f->db, "select count(*) from hist_blocks") >= BLOCKS);
	assert_int_equal(jrn_start(&j, f->db, NULL, cause, sizeof cause), 0);
	jrn_set_retention(&j, 30 * 86400.0, 60);
	/* once the reduction has begun, an event commits while it goes on */
	for (int k = 0; k < 1000 && count_rows(f->db, "select count(*) from"
	                                      " hist_blocks where span_s > 0") == 0; k++)
		usleep(2000);
	{
		struct core_event ev = event(f->batch_id, 1);

		seq = jrn_event(&j, "still1", &ev);
	}
	assert_true(seq > 0);
	assert_int_equal(jrn_wait(&j, seq, 10000, cause, sizeof cause), 0);
	left = count_rows(f->db, "select count(*) from hist_blocks where span_s = 0");
	assert_true(left > 0);
	for (int k = 0; k < 3000 && left > 0; k++) {
		usleep(10000);
		left = count_rows(f->db, "select count(*) from hist_blocks where span_s = 0");
	}
	jrn_stop(&j);
	assert_int_equal(left, 0);
	assert_int_equal(count_rows(f->db, "select sum(samples) from hist_counts"),
	                 BLOCKS * 60);
}

/* A wait for something that never commits times out with a sentence. */
static void test_wait_times_out(void **state)
{
	struct fixture *f = *state;
	struct jrn j;
	char cause[STORE_CAUSE_MAX] = "";

	assert_int_equal(jrn_start(&j, f->db, NULL, cause, sizeof cause), 0);
	assert_int_equal(jrn_wait(&j, 1000000, 50, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "not yet on disk"));
	jrn_stop(&j);
}

/* store_audit_verify's verdict on the database. */
static int verify(const char *db)
{
	char cause[STORE_CAUSE_MAX];
	struct store *s = store_open(db, STORE_RO, cause, sizeof cause);
	FILE *out = fopen("/dev/null", "w");
	int rc;

	assert_non_null(s);
	rc = store_audit_verify(s, out, cause, sizeof cause);
	fclose(out);
	store_close(s);
	return rc;
}

/* Runs sql on the test database through a raw connection. */
static void raw_sql(const char *db, const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* Issue 11, defect 6: items that fail for a reason other than the disk (a
 * step of a batch that does not exist; end figures that
 * contradict the ones recorded: refused; an event the database refuses:
 * a trigger's constraint, in the middle of a run of events) are set aside
 * in quarantine, and every later record still lands. */
static void test_poison_items_set_aside(void **state)
{
	struct fixture *f = *state;
	struct jrn j;
	char cause[STORE_CAUSE_MAX];
	struct core_event st = {.kind = CORE_EV_STEP, .batch_id = 999, .t_s = 5};
	struct core_event bad = event(f->batch_id, 7);
	uint64_t seq = 0;
	long before = count_rows(f->db, "select count(*) from events");

	raw_sql(f->db, "CREATE TRIGGER poison BEFORE INSERT ON events"
	               " WHEN NEW.text = 'poison'"
	               " BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END;");
	snprintf(st.new_value, sizeof st.new_value, "distil");
	snprintf(bad.text, sizeof bad.text, "poison");
	assert_int_equal(jrn_start(&j, f->db, NULL, cause, sizeof cause), 0);
	jrn_batch_step(&j, "still1", &st, 3);
	jrn_batch_end(&j, "still1", f->batch_id, 1.25, &use80, 12000);
	jrn_batch_end(&j, "still1", f->batch_id, 2.5, &use90, 13000);
	for (int i = 0; i < 20; i++) {
		struct core_event ev = i == 10 ? bad : event(f->batch_id, i);

		seq = jrn_event(&j, "still1", &ev);
	}
	assert_int_equal(jrn_wait(&j, seq, 10000, cause, sizeof cause), 0);
	assert_int_equal(count_rows(f->db, "select count(*) from events where"
	                                   " kind = 'command'"), 19);
	assert_int_equal(count_rows(f->db, "select count(*) from batches where"
	                                   " abs(steam_kg - 80) < 1e-9"), 1);
	assert_int_equal(jrn_health(&j, cause, sizeof cause), 0);
	assert_int_equal(jrn_quarantined(&j, "still1"), 3);
	assert_int_equal(jrn_quarantined(&j, NULL), 3);
	assert_int_equal(jrn_quarantined(&j, "still2"), 0);
	jrn_stop(&j);
	/* each with its error and the item, each audited */
	assert_int_equal(count_rows(f->db, "select count(*) from quarantine"), 3);
	assert_int_equal(count_rows(f->db, "select count(*) from quarantine where"
	                                   " item = 'step' and batch_id = 999 and"
	                                   " error = 'no batch 999' and"
	                                   " json_extract(detail, '$.step') = 3 and"
	                                   " json_extract(detail, '$.new_value') = 'distil'"), 1);
	assert_int_equal(count_rows(f->db, "select count(*) from quarantine where"
	                                   " item = 'end' and error like '%already has its end%'"
	                                   " and json_extract(detail, '$.oil_kg') = 2.5"), 1);
	assert_int_equal(count_rows(f->db, "select count(*) from quarantine where"
	                                   " item = 'event' and error like '%poisoned by the test%'"
	                                   " and json_extract(detail, '$.text') = 'poison'"), 1);
	assert_int_equal(count_rows(f->db, "select count(*) from events where kind = 'journal'"
	                                   " and what = 'quarantine' and id in"
	                                   " (select event_id from quarantine)"), 3);
	assert_int_equal(count_rows(f->db, "select count(*) from events"), before + 19 + 1 + 3);
	assert_int_equal(verify(f->db), 0);
}

/* While another process's EXCLUSIVE lock holds the disk, a command's seq
 * is not committed (never waiting to say so, with why); when the lock
 * goes, the journal's write round wakes the eventfd the main loop polls,
 * and the seq is committed. */
static void test_committed_wakes_main(void **state)
{
	struct fixture *f = *state;
	struct jrn j;
	struct core_event ev = event(f->batch_id, 1);
	char cause[STORE_CAUSE_MAX] = "";
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct pollfd pfd = {.fd = efd, .events = POLLIN};
	uint64_t seq, n;
	sqlite3 *lock;

	assert_true(efd >= 0);
	assert_int_equal(jrn_start(&j, f->db, NULL, cause, sizeof cause), 0);
	jrn_set_wake(&j, efd);
	assert_int_equal(sqlite3_open(f->db, &lock), SQLITE_OK);
	sqlite3_busy_timeout(lock, 10000);
	assert_int_equal(sqlite3_exec(lock, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	seq = jrn_event(&j, "still1", &ev);
	assert_true(seq > 0);
	assert_int_equal(jrn_committed(&j, seq, cause, sizeof cause), 0);
	assert_non_null(strstr(cause, "not yet on disk"));
	assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	while (!jrn_committed(&j, seq, cause, sizeof cause)) {
		assert_int_equal(poll(&pfd, 1, 30000), 1);  /* bound: a hung journal fails */
		assert_int_equal(read(efd, &n, sizeof n), (ssize_t)sizeof n);
	}
	jrn_stop(&j);
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events_committed_before_wait_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samples_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reduce_does_not_stall_events, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_wait_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poison_items_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_committed_wakes_main, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
