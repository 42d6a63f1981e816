/*
 * test_cfg_link: the `mqtt:` and `notify:` sections (config/cfg_link.c):
 * absent means off, defaults, a full section, every bad value as
 * file:line:column naming the field and its range, the credentials file
 * refused while group or others can read it, and --check-config's lines
 * (the credentials by name only).
 * links: config/cfg_link.c common/ydoc.c common/diag.c common/num.c
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

#include "cfg_link.h"

static struct mqtt_cfg mq;
static struct notify_cfg nt;
static struct diag dg;
static char dir[64];
static char path_cred[128], path_hook[128];

/* Reads text (YAML with top-level mqtt:/notify:) into mq and nt; the
 * number of errors. */
static int read_text(const char *text)
{
	struct ydoc *doc;
	const struct ydoc_node *root;

	diag_init(&dg);
	cfg_link_defaults(&mq, &nt);
	doc = ydoc_parse("t.yaml", text, strlen(text), &dg);
	assert_non_null(doc);
	root = ydoc_root(doc);
	cfg_link_read(doc, ydoc_map_get(root, "mqtt"), ydoc_map_get(root, "notify"), &mq, &nt);
	ydoc_free(doc);
	return dg.n;
}

/* 1 when some error line holds s. */
static int err_has(const char *s)
{
	for (int i = 0; i < dg.n; i++)
		if (strstr(dg.line[i], s) != NULL)
			return 1;
	for (int i = 0; i < dg.n; i++)
		print_message("  %s\n", dg.line[i]);
	return 0;
}

static int setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_cfg_link.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path_cred, sizeof path_cred, "%s/cred", dir);
	snprintf(path_hook, sizeof path_hook, "%s/hook", dir);
	f = fopen(path_cred, "w");
	assert_non_null(f);
	fputs("plant1\ns3cret\n", f);
	fclose(f);
	chmod(path_cred, 0600);
	f = fopen(path_hook, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	chmod(path_hook, 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path_cred);
	unlink(path_hook);
	rmdir(dir);
	return 0;
}

static void test_absent_is_off(void **state)
{
	(void)state;
	assert_int_equal(read_text("site: x\n"), 0);
	assert_int_equal(mq.set, 0);
	assert_int_equal(nt.set, 0);
}

static void test_defaults(void **state)
{
	char text[512];

	(void)state;
	snprintf(text, sizeof text, "mqtt: {broker: broker.example, cooperative: yb, plant: p1}\n"
	         "notify: {exec: %s}\n", path_hook);
	assert_int_equal(read_text(text), 0);
	assert_int_equal(mq.set, 1);
	assert_string_equal(mq.host, "broker.example");
	assert_int_equal(mq.port, 1883);
	assert_true(mq.status_s == 10);
	assert_string_equal(mq.client_id, "stillroom-yb-p1");
	assert_int_equal(mq.qos, 1);
	assert_string_equal(mq.cafile, "");
	assert_int_equal(nt.set, 1);
	assert_int_equal(nt.min_priority, 2);
	assert_true(nt.min_interval_s == 300);
	assert_true(nt.timeout_s == 30);
}

static void test_full(void **state)
{
	char text[1024];

	(void)state;
	snprintf(text, sizeof text,
	         "mqtt:\n  broker: 10.0.0.5:8883\n  cooperative: yen-bai\n  plant: van-yen\n"
	         "  status_s: 2 min\n  client_id: vy1\n  qos: 1\n"
	         "  tls: {cafile: %s, certfile: %s, keyfile: %s}\n  credentials: %s\n"
	         "notify: {exec: %s, min_priority: 1, min_interval_s: 60, timeout_s: 5 s}\n",
	         path_hook, path_hook, path_cred, path_cred, path_hook);
	assert_int_equal(read_text(text), 0);
	assert_string_equal(mq.host, "10.0.0.5");
	assert_int_equal(mq.port, 8883);
	assert_true(mq.status_s == 120);
	assert_string_equal(mq.client_id, "vy1");
	assert_string_equal(mq.cafile, path_hook);
	assert_string_equal(mq.credentials, path_cred);
	assert_int_equal(nt.min_priority, 1);
	assert_true(nt.min_interval_s == 60);
	assert_true(nt.timeout_s == 5);
}

static void test_bad_values(void **state)
{
	char text[256];

	(void)state;
	assert_true(read_text("mqtt: {cooperative: a, plant: b}\n") > 0);
	assert_true(err_has("'mqtt'") && err_has("broker"));
	assert_true(read_text("mqtt: {broker: 'h:70000', cooperative: a, plant: b}\n") > 0);
	assert_true(err_has("t.yaml:1:16: 'broker' port must be from 1 to 65535"));
	assert_true(read_text("mqtt: {broker: h, cooperative: 'a/b', plant: b}\n") > 0);
	assert_true(err_has("'cooperative' must be a name"));
	assert_true(read_text("mqtt: {broker: h, cooperative: a, plant: b, status_s: 0.1}\n") > 0);
	assert_true(err_has("status_s"));
	assert_true(read_text("mqtt: {broker: h, cooperative: a, plant: b, status_s: 5 kPa}\n") > 0);
	assert_true(err_has("status_s"));
	assert_true(read_text("mqtt: {broker: h, cooperative: a, plant: b, qos: 2}\n") > 0);
	assert_true(err_has("qos"));
	assert_true(read_text("mqtt: {broker: h, cooperative: a, plant: b, credentials: rel}\n") > 0);
	assert_true(err_has("'credentials' must be an absolute path"));
	assert_true(read_text("mqtt: {broker: h, cooperative: a, plant: b, tls: {cafile: /nonexistent}}\n") > 0);
	assert_true(err_has("'cafile': no file at /nonexistent"));
	assert_true(read_text("mqtt: {broker: h, cooperative: a, plant: b, brokr: x}\n") > 0);
	assert_true(err_has("brokr"));
	assert_true(read_text("notify: {min_priority: 2}\n") > 0);
	assert_true(err_has("exec"));
	assert_true(read_text("notify: {exec: /bin/sh, min_priority: 5}\n") > 0);
	assert_true(err_has("min_priority"));
	assert_true(read_text("notify: {exec: /bin/sh, timeout_s: 0}\n") > 0);
	assert_true(err_has("timeout_s"));
	snprintf(text, sizeof text, "notify: {exec: %s}\n", path_cred);
	assert_true(read_text(text) > 0);
	assert_true(err_has("is not executable"));
}

static void test_credentials_mode(void **state)
{
	char text[512];

	(void)state;
	snprintf(text, sizeof text, "mqtt: {broker: h, cooperative: a, plant: b, credentials: %s}\n",
	         path_cred);
	chmod(path_cred, 0640);
	assert_int_equal(read_text(text), 1);
	assert_true(err_has("can be read by group or others (mode 0640)"));
	assert_true(err_has("chmod 600"));
	assert_string_equal(mq.credentials, "");
	chmod(path_cred, 0600);
	assert_int_equal(read_text(text), 0);
	assert_string_equal(mq.credentials, path_cred);
}

/* The client certificate's key is a secret too: refused while group or
 * others can read it. */
static void test_keyfile_mode(void **state)
{
	char text[1024];

	(void)state;
	snprintf(text, sizeof text, "mqtt: {broker: h, cooperative: a, plant: b, "
	         "tls: {cafile: %s, certfile: %s, keyfile: %s}}\n", path_hook,
	         path_hook, path_cred);
	chmod(path_cred, 0644);
	assert_int_equal(read_text(text), 1);
	assert_true(err_has("'keyfile': "));
	assert_true(err_has("can be read by group or others (mode 0644): it holds "
	                    "a private key"));
	assert_string_equal(mq.keyfile, "");
	chmod(path_cred, 0600);
	assert_int_equal(read_text(text), 0);
	assert_string_equal(mq.keyfile, path_cred);
}

static void test_print(void **state)
{
	char text[512], out[2048] = "";
	FILE *f;

	(void)state;
	snprintf(text, sizeof text, "mqtt: {broker: h:1884, cooperative: a, plant: b, "
	         "credentials: %s}\nnotify: {exec: %s}\n", path_cred, path_hook);
	assert_int_equal(read_text(text), 0);
	f = fmemopen(out, sizeof out, "w");
	assert_non_null(f);
	cfg_link_print(f, "p.yaml", &mq, &nt);
	fclose(f);
	assert_non_null(strstr(out, "p.yaml: mqtt: broker h:1884, topics stillroom/a/b/..."));
	assert_non_null(strstr(out, path_cred));
	assert_null(strstr(out, "s3cret"));
	assert_non_null(strstr(out, "p.yaml: notify: "));
	assert_non_null(strstr(out, "priority 1 to 2 (1 is the most urgent)"));
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_absent_is_off), cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full), cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_credentials_mode), cmocka_unit_test(test_keyfile_mode),
		cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests(t, setup, teardown);
}
