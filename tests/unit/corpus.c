/* corpus: data-driven parser tests. See corpus.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "corpus.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CORPUS_MAX 400          /* files per corpus directory */
#define CORPUS_TEXT_MAX 65536   /* bytes of expected output */

struct corpus_case {
	char dir[PATH_MAX];         /* directory to load from */
	char file[256];             /* file name in it */
	char name[300];             /* test name: good/x.yaml */
	int bad;                    /* must fail with the expected lines */
	corpus_load_fn load;
};

int corpus_chdir_top(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (access("tests/data", X_OK) == 0)
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up < 5; up++) {
		char *slash = strrchr(exe, '/');

		if (slash == NULL)
			return -1;
		*slash = '\0';
		if (chdir(exe[0] ? exe : "/") == 0 && access("tests/data", X_OK) == 0)
			return 0;
	}
	return -1;
}

/* Reads a whole (small) file into buf; -1 when it cannot. */
static int corpus_read(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

static void corpus_test(void **state)
{
	const struct corpus_case *c = *state;
	char cwd[PATH_MAX], expected_path[300], *got = NULL;
	static char expected[CORPUS_TEXT_MAX];
	size_t got_len = 0;
	FILE *mem;
	struct diag d;
	int rc, moved;

	assert_non_null(getcwd(cwd, sizeof cwd));
	moved = chdir(c->dir);
	diag_init(&d);
	rc = moved == 0 ? c->load(c->file, &d) : -1;
	mem = open_memstream(&got, &got_len);
	assert_non_null(mem);
	diag_print(&d, mem);
	fclose(mem);
	snprintf(expected_path, sizeof expected_path, "%.*s.expected",
	         (int)strlen(c->file) - 5, c->file);
	if (c->bad && getenv("CORPUS_BLESS") && (mem = fopen(expected_path, "w"))) {
		fputs(got, mem);
		fclose(mem);
	}
	expected[0] = '\0';
	int have = c->bad ? corpus_read(expected_path, expected, sizeof expected) : 0;
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(moved, 0);
	if (!c->bad) {
		if (rc != 0 || got_len > 0)
			print_error("%s should load clean but gave:\n%s", c->name, got);
		assert_int_equal(rc, 0);
		assert_int_equal(got_len, 0);
	} else {
		if (have < 0)
			print_error("%s has no %s\n", c->name, expected_path);
		assert_int_equal(have, 0);
		if (strcmp(expected, got) != 0)
			print_error("%s: expected\n%sbut got\n%s", c->name, expected, got);
		assert_int_not_equal(rc, 0);
		assert_string_equal(expected, got);
	}
	free(got);
}

static int corpus_name_cmp(const void *a, const void *b)
{
	const struct CMUnitTest *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Adds a case for every *.yaml in top/sub; returns the new count. */
static int corpus_collect(const char *top, const char *sub, int bad,
                          corpus_load_fn load, struct corpus_case *cases,
                          struct CMUnitTest *tests, int n)
{
	char dir[PATH_MAX];
	DIR *dp;
	struct dirent *e;

	snprintf(dir, sizeof dir, "%s/%s", top, sub);
	dp = opendir(dir);
	if (dp == NULL)
		return n;
	while ((e = readdir(dp)) != NULL && n < CORPUS_MAX) {
		size_t len = strlen(e->d_name);
		struct corpus_case *c = &cases[n];

		if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0 ||
		    len >= sizeof c->file)
			continue;
		snprintf(c->dir, sizeof c->dir, "%s", dir);
		snprintf(c->file, sizeof c->file, "%s", e->d_name);
		snprintf(c->name, sizeof c->name, "%s/%s", sub, e->d_name);
		c->bad = bad;
		c->load = load;
		tests[n] = (struct CMUnitTest){c->name, corpus_test, NULL, NULL, c};
		n++;
	}
	closedir(dp);
	return n;
}

int corpus_run(const char *group, const char *dir, corpus_load_fn load)
{
	struct corpus_case *cases = calloc(CORPUS_MAX, sizeof *cases);
	struct CMUnitTest *tests = calloc(CORPUS_MAX, sizeof *tests);
	char top[PATH_MAX];
	int n = 0, rc;

	if (cases == NULL || tests == NULL || getcwd(top, sizeof top) == NULL) {
		free(cases);
		free(tests);
		return 1;
	}
	snprintf(top + strlen(top), sizeof top - strlen(top), "/%s", dir);
	n = corpus_collect(top, "good", 0, load, cases, tests, n);
	n = corpus_collect(top, "bad", 1, load, cases, tests, n);
	qsort(tests, (size_t)n, sizeof *tests, corpus_name_cmp);
	if (n == 0) {
		fprintf(stderr, "not ok - %s: no corpus files under %s\n", group, top);
		rc = 1;
	} else {
		rc = _cmocka_run_group_tests(group, tests, (size_t)n, NULL, NULL);
	}
	free(tests);
	free(cases);
	return rc;
}
