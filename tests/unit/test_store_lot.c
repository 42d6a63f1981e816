/*
 * test_store_lot: lots as schema 5 records them (plant part, price,
 * organic certificate, GI), corrected values, organic and multi-lot
 * starts, and that every refusal leaves the database as it was; a write
 * after a read left on a row while another connection committed; write
 * turns (store_gate): the operator's write is not starved by a journal
 * committing back to back.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c config/alloc.c common/sha256.c common/num.c tests/unit/store_fx.c records/store_lotfix.c records/store_trace.c common/clk.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_fx.h"
#include "store_int.h"
#include "store_write.h"

#define T_CAUSE(e) (e)->cause, sizeof (e)->cause

/* A lot of feedstock from grower, mass kg, with the given key=value pairs
 * (NULL-terminated). Returns store_lot_add's result. */
static int t_lot5(struct t_env *e, const char *id, const char *feedstock,
                  const char *mass, const char *const *kv)
{
	struct store_lot l;

	store_lot_init(&l);
	assert_int_equal(store_lot_set(&l, "id", id, T_CAUSE(e)), 0);
	assert_int_equal(store_lot_set(&l, "feedstock", feedstock, T_CAUSE(e)), 0);
	assert_int_equal(store_lot_set(&l, "grower", "Ho Thi B", T_CAUSE(e)), 0);
	assert_int_equal(store_lot_set(&l, "mass", mass, T_CAUSE(e)), 0);
	for (; kv && kv[0]; kv += 2)
		if (store_lot_set(&l, kv[0], kv[1], T_CAUSE(e)) != 0)
			return -1;
	return store_lot_add(e->s, &l, "Lan", T_CAUSE(e));
}

static const char *const t_organic[] = {"organic_cert", "VN-ORG-7",
	"organic_body", "Control Union", "moisture", "12", NULL};

static void test_lot_fields(void **state)
{
	struct t_env *e = *state;
	const char *const kv[] = {"part", "twig", "price", "4500", "gi",
		"Que Van Yen", "organic_cert", "C-1", "organic_body", "Ecocert", NULL};
	struct store_lot l;

	assert_int_equal(t_lot5(e, "L-1/a_2.b", "cassia-leaf", "300", kv), 0);
	assert_int_equal(store_lot_get(e->s, "L-1/a_2.b", &l, T_CAUSE(e)), 0);
	assert_string_equal(l.plant_part, "twig");
	assert_true(l.price_vnd_per_kg == 4500);
	assert_string_equal(l.gi, "Que Van Yen");
	assert_string_equal(l.organic_cert, "C-1");
	assert_string_equal(l.organic_body, "Ecocert");
	assert_true(l.oil_content_pct < 0);
	/* the plant part defaults from the feedstock */
	assert_int_equal(t_lot5(e, "B1", "cassia-bark", "100", NULL), 0);
	assert_int_equal(store_lot_get(e->s, "B1", &l, T_CAUSE(e)), 0);
	assert_string_equal(l.plant_part, "bark");
	assert_true(l.price_vnd_per_kg < 0);
	assert_int_equal(t_lot5(e, "S1", "star-anise", "100", NULL), 0);
	assert_int_equal(t_int(e, "SELECT plant_part = 'fruit' FROM lots"
	                          " WHERE lot_id = 'S1'"), 1);
	assert_int_equal(t_verify(e), 0);
	/* the new columns are in the lot's audit snapshot */
	assert_int_equal(t_raw(e, "UPDATE lots SET gi = 'Tra Bong'"
	                          " WHERE lot_id = 'L-1/a_2.b'"), SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "lot L-1/a_2.b does not match");
}

/* The oil content is a lab assay, recorded by a correction, never at
 * intake: a lot filled as controller/cmd.c did before schema 5 (only
 * drying days and moisture marked unknown) does not read as 0 % oil. */
static void test_lot_no_assay_at_intake(void **state)
{
	struct t_env *e = *state;
	struct store_lot l = {.drying_days = -1, .moisture_pct = -1};
	const char *const kv[] = {"oil_content", "5", NULL};

	snprintf(l.lot_id, sizeof l.lot_id, "OLD");
	snprintf(l.feedstock, sizeof l.feedstock, "cassia-leaf");
	snprintf(l.grower, sizeof l.grower, "Ho Thi B");
	l.mass_received_kg = 100;
	assert_int_equal(store_lot_add(e->s, &l, "Lan", T_CAUSE(e)), 0);
	assert_int_equal(store_lot_get(e->s, "OLD", &l, T_CAUSE(e)), 0);
	assert_true(l.oil_content_pct < 0);
	assert_int_equal(t_lot5(e, "A5", "cassia-leaf", "100", kv), 0);
	assert_int_equal(store_lot_get(e->s, "A5", &l, T_CAUSE(e)), 0);
	assert_true(l.oil_content_pct < 0);
}

static void test_lot_refusals(void **state)
{
	struct t_env *e = *state;
	const char *const no_body[] = {"organic_cert", "C-1", NULL};
	const char *const no_cert[] = {"organic_body", "Ecocert", NULL};
	struct store_lot l;
	char before[65];

	t_digest(e, before);
	t_refused(e, t_lot5(e, "L:1", "cassia-leaf", "300", NULL), before,
	          "lot id 'L:1' may only have letters, digits");
	t_refused(e, t_lot5(e, "L,1", "cassia-leaf", "300", NULL), before,
	          "lot id 'L,1'");
	t_refused(e, t_lot5(e, "L1", "cassia-leaf", "300", no_body), before,
	          "lot L1: organic certificate C-1 needs its body");
	t_refused(e, t_lot5(e, "L1", "cassia-leaf", "300", no_cert), before,
	          "lot L1: organic body Ecocert needs a certificate");
	store_lot_init(&l);
	t_refused(e, store_lot_set(&l, "part", "root", T_CAUSE(e)), before,
	          "plant part 'root' is not leaf, twig, bark or fruit");
	t_refused(e, store_lot_set(&l, "price", "-5", T_CAUSE(e)), before, "price");
	t_refused(e, store_lot_set(&l, "oil_content", "101", T_CAUSE(e)), before,
	          "oil content");
}

/* Three leaf lots: O1, O2 organic (12 % moisture), C1 conventional. */
static void t_three_lots(struct t_env *e)
{
	assert_int_equal(t_lot5(e, "O1", "cassia-leaf", "300", t_organic), 0);
	assert_int_equal(t_lot5(e, "O2", "cassia-leaf", "300", t_organic), 0);
	assert_int_equal(t_lot5(e, "C1", "cassia-leaf", "300", NULL), 0);
	assert_int_equal(t_lot5(e, "B1", "cassia-bark", "300", NULL), 0);
}

/* Begins a batch of lots a:ma and b:mb, charge charge_kg. */
static long t_two(struct t_env *e, const char *a, double ma, const char *b,
                  double mb, double charge_kg, int organic_required)
{
	const struct store_lot_draw d[] = {{a, ma}, {b, mb}};
	struct store_batch_start st = t_start(NULL, charge_kg);

	st.lots = d;
	st.n_lots = 2;
	st.organic_required = organic_required;
	return store_batch_begin(e->s, &st, T_CAUSE(e));
}

static void test_organic_start(void **state)
{
	struct t_env *e = *state;
	long organic, mixed;

	t_three_lots(e);
	organic = t_two(e, "O1", 100, "O2", 150, 250, 1);
	assert_true(organic > 0);
	mixed = t_two(e, "O1", 100, "C1", 100, 0, 0);
	assert_true(mixed > 0);
	assert_int_equal(t_int(e, "SELECT group_concat(organic, '') FROM"
	                          " (SELECT organic FROM batches ORDER BY id)"), 10);
	assert_int_equal(t_verify(e), 0);
	/* organic is in the batch's audit snapshot */
	assert_int_equal(t_raw(e, "UPDATE batches SET organic = 1 WHERE organic = 0"),
	                 SQLITE_OK);
	assert_int_equal(t_verify(e), 1);
	t_assert_contains(e->cause, "does not match");
}

static void test_start_refusals(void **state)
{
	struct t_env *e = *state;
	char before[65];

	t_three_lots(e);
	t_digest(e, before);
	t_refused(e, t_two(e, "O1", 100, "C1", 100, 200, 1), before,
	          "lot C1 is not organic (no certificate): recipe cassia-leaf "
	          "makes organic oil");
	t_refused(e, t_two(e, "O1", 100, "O1", 100, 200, 0), before,
	          "lot O1 is listed twice");
	t_refused(e, t_two(e, "O1", 100, "B1", 100, 200, 0), before,
	          "lot B1 is cassia-bark, not cassia-leaf");
	t_refused(e, t_two(e, "O1", 100, "C1", 301, 401, 0), before,
	          "lot C1 has 300.000 kg left; cannot draw 301.000 kg");
	t_refused(e, t_two(e, "O1", 100, "C1", 100, 250, 0), before,
	          "lots O1 100.000 kg + C1 100.000 kg");
	t_refused(e, t_two(e, "O1", 100, "NOPE", 100, 200, 0), before,
	          "no lot named NOPE");
}

/* A cached read left on a row keeps its connection's snapshot; once
 * another connection (the daemon's journal) commits, that snapshot is
 * stale and a write on the first connection could never begin ("database
 * is locked", SQLITE_BUSY_SNAPSHOT, no busy wait helps) until that
 * statement ran again: weighings refused for minutes in the soak. A write
 * starts from the latest snapshot. */
static void test_write_after_read_left_on_a_row(void **state)
{
	static const char sql[] = "SELECT lot_id FROM lots ORDER BY lot_id";
	struct t_env *e = *state;
	struct store *other;
	sqlite3_stmt *st;

	assert_int_equal(t_lot5(e, "R1", "cassia-leaf", "100", NULL), 0);
	assert_int_equal(t_lot5(e, "R2", "cassia-leaf", "100", NULL), 0);
	st = store_prep(e->s, sql, T_CAUSE(e));
	assert_non_null(st);
	assert_int_equal(store_row(e->s, st, "read the lots", T_CAUSE(e)), 1);
	other = store_open(e->path, STORE_RW, T_CAUSE(e));
	assert_non_null(other);
	{
		struct t_env o = *e;

		o.s = other;
		assert_int_equal(t_lot5(&o, "R3", "cassia-bark", "50", NULL), 0);
	}
	store_close(other);
	if (t_lot5(e, "R4", "star-anise", "70", NULL) != 0)
		fail_msg("%s", e->cause);
	assert_int_equal(t_int(e, "SELECT count(*) FROM lots WHERE lot_id LIKE 'R%'"), 4);
	assert_int_equal(e->s->reads_left, 1);
}

/* The journal of the test below: write transactions of 2 ms back to
 * back on its own connection until told to stop (or 20000 of them). */
struct t_busy {
	struct store *s;
	int stop;                   /* __atomic */
	int written;                /* __atomic */
	int failed;
	char cause[STORE_CAUSE_MAX];
};

static void *t_busy_writer(void *arg)
{
	struct t_busy *b = arg;
	const struct timespec ms2 = {0, 2000000};

	while (!__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE) && !b->failed &&
	       __atomic_load_n(&b->written, __ATOMIC_ACQUIRE) < 20000) {
		if (store_begin(b->s, 0, b->cause, sizeof b->cause) < 0) {
			b->failed = 1;
			break;
		}
		nanosleep(&ms2, NULL);
		if (store_end(b->s, 0, b->cause, sizeof b->cause) < 0)
			b->failed = 1;
		__atomic_add_fetch(&b->written, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Waits until b has written n transactions (or failed). */
static void t_busy_wait(struct t_busy *b, int n)
{
	const struct timespec ms1 = {0, 1000000};

	while (__atomic_load_n(&b->written, __ATOMIC_ACQUIRE) < n && !b->failed &&
	       __atomic_load_n(&b->written, __ATOMIC_ACQUIRE) < 20000)
		nanosleep(&ms1, NULL);
}

/* Two connections take turns (the daemon's command connection first):
 * while the other writes back to back, a priority write gets in at its
 * next commit instead of waiting out STORE_BUSY_MS and being refused
 * "database is locked"; the background writer goes on after it. */
static void test_gate_priority_write(void **state)
{
	struct t_env *e = *state;
	struct store_gate g;
	struct t_busy b = {0};
	pthread_t th;
	int rc, before;

	assert_int_equal(store_gate_init(&g, T_CAUSE(e)), 0);
	b.s = store_open(e->path, STORE_RW, T_CAUSE(e));
	assert_non_null(b.s);
	store_gate_attach(b.s, &g, 0);
	store_gate_attach(e->s, &g, 1);
	assert_int_equal(pthread_create(&th, NULL, t_busy_writer, &b), 0);
	t_busy_wait(&b, 50);
	rc = t_lot5(e, "OP1", "star-anise", "300", NULL);
	before = __atomic_load_n(&b.written, __ATOMIC_ACQUIRE);
	t_busy_wait(&b, before + 20);
	__atomic_store_n(&b.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	store_close(b.s);
	store_gate_destroy(&g);
	if (rc != 0)
		fail_msg("the priority write: %s", e->cause);
	if (b.failed)
		fail_msg("the background writer: %s", b.cause);
	assert_int_equal(t_int(e, "SELECT count(*) FROM lots WHERE lot_id = 'OP1'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lot_fields, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_lot_refusals, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_lot_no_assay_at_intake, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_organic_start, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_start_refusals, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_write_after_read_left_on_a_row, t_setup,
		                                t_teardown),
		cmocka_unit_test_setup_teardown(test_gate_priority_write, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
