/*
 * test_notify: the alarm notification hook (controller/notify.c) with a
 * real program (a shell script that appends its STILLROOM_ALARM and
 * STILLROOM_PRIORITY to a file): which events run it (onsets of priority
 * number <= min_priority, never returns, acknowledgements or
 * notify_failed), the per-alarm rate limit, and failures counted per
 * still (exit status, a program that cannot run).
 * links: controller/notify.c controller/alq.c common/clk.c common/log.c common/thr.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify.h"

static struct cfg_plant plant;
static char dir[64], hook[128], out[128];

static struct core_event ev_of(const char *what, const char *from, const char *to)
{
	struct core_event e;

	memset(&e, 0, sizeof e);
	e.kind = CORE_EV_ALARM;
	snprintf(e.what, sizeof e.what, "%s", what);
	snprintf(e.old_value, sizeof e.old_value, "%s", from);
	snprintf(e.new_value, sizeof e.new_value, "%s", to);
	snprintf(e.text, sizeof e.text, "test message");
	return e;
}

/* The file the hook wrote ("" when none). */
static const char *sent(void)
{
	static char buf[4096];
	FILE *f = fopen(out, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_notify.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(hook, sizeof hook, "%s/hook", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	f = fopen(hook, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\necho \"$STILLROOM_STILL $STILLROOM_ALARM $STILLROOM_PRIORITY\" >>%s\n"
	        "[ \"$STILLROOM_ALARM\" = bad ] && exit 3\nexit 0\n", out);
	fclose(f);
	chmod(hook, 0755);
	plant.n_stills = 2;
	snprintf(plant.stills[0].name, sizeof plant.stills[0].name, "still1");
	snprintf(plant.stills[1].name, sizeof plant.stills[1].name, "still2");
	snprintf(plant.site, sizeof plant.site, "test");
	plant.notify.set = 1;
	snprintf(plant.notify.exec, sizeof plant.notify.exec, "%s", hook);
	plant.notify.min_priority = 2;
	plant.notify.min_interval_s = 3600;
	plant.notify.timeout_s = 10;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(hook);
	unlink(out);
	rmdir(dir);
	return 0;
}

static void test_what_runs(void **state)
{
	char cause[256];
	struct notify *n = notify_start(&plant, cause, sizeof cause);
	struct core_event e;

	(void)state;
	unlink(out);
	assert_non_null(n);
	e = ev_of("pressure_hh", "normal", "unack");
	notify_alarm(n, 0, &e, 1);                          /* sent */
	e = ev_of("distillate_band", "normal", "unack");
	notify_alarm(n, 0, &e, 3);                          /* priority 3 > 2 */
	e = ev_of("pressure_high", "normal", "unack");
	notify_alarm(n, 1, &e, 2);                          /* sent: 2 <= 2 */
	e = ev_of("pressure_hh", "unack", "rtn_unack");
	notify_alarm(n, 0, &e, 1);                          /* a return */
	e = ev_of("pressure_hh", "unack", "acked");
	notify_alarm(n, 0, &e, 1);                          /* an ack */
	e = ev_of("notify_failed", "normal", "unack");
	notify_alarm(n, 0, &e, 1);                          /* never */
	e = ev_of("pressure_hh", "rtn_unack", "unack");
	notify_alarm(n, 0, &e, 1);                          /* same alarm: limited */
	e = ev_of("pressure_hh", "normal", "unack");
	notify_alarm(n, 1, &e, 1);                          /* another still's: sent */
	notify_stop(n);                                     /* drains the queue */
	assert_string_equal(sent(), "still1 pressure_hh 1\nstill2 pressure_high 2\n"
	                            "still2 pressure_hh 1\n");
}

static void test_cannot_run_counted(void **state)
{
	char cause[256];
	struct notify *n;
	struct core_event e = ev_of("bad", "normal", "unack");

	(void)state;
	/* a program that cannot run */
	snprintf(plant.notify.exec, sizeof plant.notify.exec, "%s/missing", dir);
	n = notify_start(&plant, cause, sizeof cause);
	assert_non_null(n);
	assert_int_equal(notify_failed(n, 0), 0);
	notify_alarm(n, 0, &e, 1);
	for (int i = 0; i < 500 && notify_failed(n, 0) == 0; i++)
		usleep(10000);
	assert_int_equal(notify_failed(n, 0), 1);
	assert_int_equal(notify_failed(n, 1), 0);
	notify_stop(n);
	snprintf(plant.notify.exec, sizeof plant.notify.exec, "%s", hook);
}

static void test_exit_status_counted(void **state)
{
	char cause[256];
	struct notify *n = notify_start(&plant, cause, sizeof cause);
	struct core_event e = ev_of("bad", "normal", "unack");

	(void)state;
	assert_non_null(n);
	notify_alarm(n, 1, &e, 1);
	for (int i = 0; i < 500 && notify_failed(n, 1) == 0; i++)
		usleep(10000);
	assert_int_equal(notify_failed(n, 1), 1);
	assert_int_equal(notify_failed(NULL, 0), 0);
	notify_stop(n);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_what_runs), cmocka_unit_test(test_cannot_run_counted),
		cmocka_unit_test(test_exit_status_counted),
	};
	return cmocka_run_group_tests(t, setup, teardown);
}
