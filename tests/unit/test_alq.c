/*
 * test_alq: the alarm event queue to the link threads (controller/alq.c):
 * which alarm events are onsets and returns, order, a full ring and a
 * held mutex drop and count (a control thread never waits), stop.
 * links: controller/alq.c common/clk.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alq.h"
#include "clk.h"

static struct alq q;

static struct core_event ev_of(const char *what, const char *from, const char *to)
{
	struct core_event e;

	memset(&e, 0, sizeof e);
	e.kind = CORE_EV_ALARM;
	snprintf(e.what, sizeof e.what, "%s", what);
	snprintf(e.old_value, sizeof e.old_value, "%s", from);
	snprintf(e.new_value, sizeof e.new_value, "%s", to);
	return e;
}

static void test_kinds(void **state)
{
	struct core_event e;

	(void)state;
	e = ev_of("pressure_hh", "normal", "unack");
	assert_int_equal(alq_kind_of(&e), ALQ_ONSET);
	e = ev_of("pressure_hh", "rtn_unack", "unack");
	assert_int_equal(alq_kind_of(&e), ALQ_ONSET);
	e = ev_of("pressure_hh", "unack", "rtn_unack");
	assert_int_equal(alq_kind_of(&e), ALQ_RETURN);
	e = ev_of("pressure_hh", "acked", "normal");
	assert_int_equal(alq_kind_of(&e), ALQ_RETURN);
	e = ev_of("pressure_hh", "unack", "acked");        /* an acknowledgement */
	assert_int_equal(alq_kind_of(&e), ALQ_NONE);
	e = ev_of("pressure_hh", "rtn_unack", "normal");   /* acked after return */
	assert_int_equal(alq_kind_of(&e), ALQ_NONE);
	e = ev_of("pressure_hh", "unack", "shelved");
	assert_int_equal(alq_kind_of(&e), ALQ_NONE);
	e = ev_of("flood", "normal", "flood");
	assert_int_equal(alq_kind_of(&e), ALQ_NONE);
	e = ev_of("pressure_hh", "normal", "unack");
	e.kind = CORE_EV_STATE;
	assert_int_equal(alq_kind_of(&e), ALQ_NONE);
}

static void test_order_full_busy_stop(void **state)
{
	struct alq_item it, out;

	(void)state;
	assert_int_equal(alq_init(&q), 0);
	memset(&it, 0, sizeof it);
	for (int i = 0; i < ALQ_MAX; i++) {
		it.still = i;
		assert_int_equal(alq_push(&q, &it), 0);
	}
	assert_int_equal(alq_push(&q, &it), -1);          /* full: dropped */
	assert_int_equal(alq_dropped(&q), 1);
	assert_int_equal(alq_pop(&q, &out, 0), 1);
	assert_int_equal(out.still, 0);                     /* oldest first */
	pthread_mutex_lock(&q.mu);                          /* the consumer holds it */
	assert_int_equal(alq_push(&q, &it), -1);          /* never waits */
	pthread_mutex_unlock(&q.mu);
	assert_int_equal(alq_dropped(&q), 2);
	for (int i = 1; i < ALQ_MAX; i++) {
		assert_int_equal(alq_pop(&q, &out, 0), 1);
		assert_int_equal(out.still, i);
	}
	assert_int_equal(alq_pop(&q, &out, clk_mono_ns() + 20000000), 0); /* empty: waits, none */
	alq_stop(&q);
	assert_int_equal(alq_pop(&q, &out, clk_mono_ns() + 1000000000), -1);
	alq_destroy(&q);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_kinds), cmocka_unit_test(test_order_full_busy_stop),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
