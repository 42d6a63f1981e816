/*
 * test_qaspec: the QA spec file. The bundled config/qa.yaml against the
 * figures of ../shared/reference/process.md, the all-or-nothing contract,
 * the count limit, lookup; then the corpus in tests/data/qa (bad files
 * with the exact messages they must give).
 * links: config/qaspec.c common/ydoc.c common/diag.c tests/unit/corpus.c common/num.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "qaspec.h"

static struct store_qa_spec spec[QASPEC_MAX];
static int n_spec;

/* a == b for limits, where NaN (not checked) equals NaN. */
static void assert_limit(double got, double want)
{
	if (isnan(want)) {
		assert_true(isnan(got));
		return;
	}
	assert_false(isnan(got));
	assert_true(fabs(got - want) < 1e-12);
}

static void assert_spec(const char *feedstock, double d_lo, double d_hi,
                        const char *marker, double m_lo, double m_hi)
{
	const struct store_qa_spec *s = qaspec_find(spec, n_spec, feedstock);

	assert_non_null(s);
	assert_string_equal(s->feedstock, feedstock);
	assert_limit(s->density_min, d_lo);
	assert_limit(s->density_max, d_hi);
	assert_string_equal(s->marker, marker);
	assert_limit(s->marker_min_pct, m_lo);
	assert_limit(s->marker_max_pct, m_hi);
	/* refractive index: estimates, but a closed plausible range */
	assert_true(s->ri_min > 1.5 && s->ri_max < 1.7 && s->ri_min < s->ri_max);
}

/* The bundled file says what process.md says. */
static void test_bundled(void **state)
{
	(void)state;
	assert_int_equal(n_spec, 3);
	assert_spec("cassia-leaf", 1.052, 1.070, "cinnamaldehyde", 80, 90);
	assert_spec("cassia-bark", 1.040, 1.047, "cinnamaldehyde", 81, 92);
	assert_spec("star-anise", 0.975, 0.992, "trans-anethole", 80, NAN);
}

static void test_find(void **state)
{
	(void)state;
	assert_ptr_equal(qaspec_find(spec, n_spec, "star-anise"), &spec[2]);
	assert_null(qaspec_find(spec, n_spec, "cassia"));
	assert_null(qaspec_find(spec, n_spec, "Cassia-leaf"));
	assert_null(qaspec_find(spec, n_spec, ""));
	assert_null(qaspec_find(spec, n_spec, NULL));
	assert_null(qaspec_find(NULL, 3, "star-anise"));
	assert_null(qaspec_find(spec, 0, "cassia-leaf"));
}

/* A limit left out is NaN; one given is exact. */
static void test_optional_limits(void **state)
{
	static const char text[] =
		"feedstocks:\n"
		"  x:\n"
		"    marker: m\n"
		"    density: {max: 1.5}\n";
	struct store_qa_spec s[2];
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(qaspec_parse("t.yaml", text, strlen(text), s, 2, &d), 1);
	assert_int_equal(d.n, 0);
	assert_limit(s[0].density_min, NAN);
	assert_limit(s[0].density_max, 1.5);
	assert_limit(s[0].ri_min, NAN);
	assert_limit(s[0].ri_max, NAN);
	assert_limit(s[0].marker_min_pct, NAN);
	assert_limit(s[0].marker_max_pct, NAN);
	assert_string_equal(s[0].marker, "m");
}

/* One rule for every range (ydoc_range_check): min strictly below max, so
 * a one-point range, accepted before, is refused. */
static void test_equal_limits(void **state)
{
	static const char text[] =
		"feedstocks:\n"
		"  x:\n"
		"    marker: m\n"
		"    density: {min: 1.5, max: 1.5}\n";
	struct store_qa_spec s[2];
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(qaspec_parse("t.yaml", text, strlen(text), s, 2, &d), -1);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.line[0], "t.yaml:4:20: 'density' of x: 'min' 1.5 "
	                    "must be below 'max' 1.5");
}

/* out is written only when the whole file is clean. */
static void test_all_or_nothing(void **state)
{
	static struct store_qa_spec s[QASPEC_MAX], before[QASPEC_MAX];
	struct diag d;

	(void)state;
	memset(s, 0x5a, sizeof s);
	memcpy(before, s, sizeof s);
	diag_init(&d);
	assert_int_equal(qaspec_load("tests/data/qa/bad/ranges.yaml", s,
	                             QASPEC_MAX, &d), -1);
	assert_memory_equal(s, before, sizeof s);
	assert_true(d.n > 0);
	diag_init(&d);
	assert_int_equal(qaspec_load("no/such/qa.yaml", s, QASPEC_MAX, &d), -1);
	assert_memory_equal(s, before, sizeof s);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.line[0], "no/such/qa.yaml: cannot open: No such "
	                    "file or directory");
}

/* More specs than the caller has room for: refused, nothing written. */
static void test_max(void **state)
{
	static const char text[] =
		"feedstocks:\n"
		"  a: {marker: m, density: {min: 1}}\n"
		"  b: {marker: m, density: {min: 1}}\n"
		"  c: {marker: m, density: {min: 1}}\n";
	static struct store_qa_spec s[3], before[3];
	struct diag d;

	(void)state;
	memset(s, 0x5a, sizeof s);
	memcpy(before, s, sizeof s);
	diag_init(&d);
	assert_int_equal(qaspec_parse("t.yaml", text, strlen(text), s, 2, &d), -1);
	assert_memory_equal(s, before, sizeof s);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.line[0], "t.yaml:2:3: 'feedstocks' holds 3 specs; "
	                    "at most 2");
	diag_init(&d);
	assert_int_equal(qaspec_parse("t.yaml", text, strlen(text), s, 0, &d), -1);
	assert_memory_equal(s, before, sizeof s);
	diag_init(&d);
	assert_int_equal(qaspec_parse("t.yaml", text, strlen(text), s, 3, &d), 3);
	assert_string_equal(s[2].feedstock, "c");
}

/* The corpus loader: a clean file is 0, else -1. */
static int corpus_load(const char *path, struct diag *d)
{
	static struct store_qa_spec s[QASPEC_MAX];

	return qaspec_load(path, s, QASPEC_MAX, d) > 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_optional_limits),
		cmocka_unit_test(test_equal_limits),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_max),
	};
	struct diag d;
	int failed;

	if (corpus_chdir_top() < 0) {
		fprintf(stderr, "not ok - test_qaspec: cannot find tests/data\n");
		return 1;
	}
	diag_init(&d);
	n_spec = qaspec_load("config/qa.yaml", spec, QASPEC_MAX, &d);
	if (n_spec < 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "not ok - test_qaspec: config/qa.yaml does not load\n");
		return 1;
	}
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	failed += corpus_run("qa spec corpus", "tests/data/qa", corpus_load);
	return failed;
}
