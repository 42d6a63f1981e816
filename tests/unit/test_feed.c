/*
 * test_feed: the feedstock table loader. The model engineer's
 * simulator/feedstocks.yaml, conversions, and broken tables.
 * links: simulator/feed.c common/ydoc.c common/diag.c tests/unit/corpus.c common/num.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "corpus.h"
#include "feed.h"

#define ROW(name, yield, kw, kd)                                          \
	"  - name: " name "\n    yield_pct: " yield "\n"                   \
	"    wash_fraction: 0.3\n    kw_per_min: " kw "\n"                 \
	"    kd_per_min: " kd "\n    ref_steam_kg_per_h_per_kg: 0.3\n"     \
	"    c_kj_per_kg_k: 1.8\n    moisture_pct: 12\n"                    \
	"    oil_density_rel: 1.06\n    congeal_c: -10\n"                   \
	"    condensate_hold_frac: 0.15\n    source: test\n"

static int diag_has(const struct diag *d, const char *s)
{
	for (int i = 0; i < d->n; i++)
		if (strstr(d->line[i], s) != NULL)
			return 1;
	return 0;
}

static int parse(const char *text, struct model_feed *f, int max, struct diag *d)
{
	diag_init(d);
	return feed_parse("f.yaml", text, strlen(text), f, max, d);
}

/* The bundled table loads and has the three feedstocks the recipes name. */
static void test_bundled(void **state)
{
	struct model_feed f[8];
	struct diag d;
	int n;

	(void)state;
	diag_init(&d);
	n = feed_load("simulator/feedstocks.yaml", f, 8, &d);
	diag_print(&d, stderr);
	assert_true(n >= 3);
	assert_non_null(feed_find(f, n, "cassia-leaf"));
	assert_non_null(feed_find(f, n, "cassia-bark"));
	assert_non_null(feed_find(f, n, "star-anise"));
	assert_null(feed_find(f, n, "lemongrass"));
	/* cassia oil sinks, star anise oil floats (process.md) */
	assert_true(feed_find(f, n, "cassia-leaf")->oil_density_rel > 1);
	assert_true(feed_find(f, n, "star-anise")->oil_density_rel < 1);
}

static void test_values(void **state)
{
	static const char text[] = "feedstocks:\n" ROW("a", "0.7", "0.15", "0.02")
	                           ROW("b", "10", "0.05", "0.001");
	struct model_feed f[4];
	struct diag d;

	(void)state;
	assert_int_equal(parse(text, f, 4, &d), 2);
	assert_string_equal(f[0].name, "a");
	assert_true(fabs(f[0].yield_frac - 0.007) < 1e-12);
	assert_true(f[0].wash_frac == 0.3 && f[0].kw_per_min == 0.15);
	assert_true(f[0].kd_per_min == 0.02 && f[0].ref_steam_kg_per_h_per_kg == 0.3);
	assert_true(f[0].c_kj_per_kg_k == 1.8 && f[0].moisture_pct == 12);
	assert_true(f[0].oil_density_rel == 1.06 && f[0].congeal_c == -10);
	assert_true(f[0].condensate_hold_frac == 0.15);
	assert_true(fabs(f[1].yield_frac - 0.1) < 1e-12);
	assert_ptr_equal(feed_find(f, 2, "b"), &f[1]);
}

static void test_errors(void **state)
{
	struct model_feed f[4];
	struct diag d;

	(void)state;
	assert_int_equal(parse("", f, 4, &d), -1);
	assert_true(diag_has(&d, "f.yaml: the file is empty"));
	assert_int_equal(parse("feedstocks: []\n", f, 4, &d), -1);
	assert_true(diag_has(&d, "f.yaml:1:13: 'feedstocks' must be a list of 1 to 4"));
	assert_int_equal(parse("feedstocks:\n" ROW("a", "0.7", "0.15", "0.02")
	                       ROW("a", "0.7", "0.15", "0.02"), f, 4, &d), -1);
	assert_true(diag_has(&d, "f.yaml:14:11: duplicate feedstock name 'a'"));
	assert_int_equal(parse("feedstocks:\n" ROW("a", "70 %", "0.01", "0.02"), f, 4, &d), -1);
	assert_true(diag_has(&d, "f.yaml:3:16: 'yield_pct' must be a number without a unit"));
	assert_true(diag_has(&d, "f.yaml:5:17: 'kw_per_min' must be above 'kd_per_min'"));
	assert_int_equal(parse("feedstocks:\n" ROW("a", "0.7", "0.15", "0.02"), f, 0, &d), -1);
	assert_int_equal(parse("feedstocks:\n  - {name: a, yeild_pct: 1}\n", f, 4, &d), -1);
	assert_true(diag_has(&d, "unknown key 'yeild_pct' in feedstock 1; did you mean 'yield_pct'?"));
	assert_true(diag_has(&d, "missing key 'source' in feedstock 1"));
	assert_int_equal(feed_load("no/such.yaml", f, 4, &d), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
	};

	if (corpus_chdir_top() < 0) {
		fprintf(stderr, "not ok - test_feed: cannot find the source tree\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
