/*
 * test_rcp: the recipe language. The bundled recipes against the bundled
 * plant, what a loaded recipe holds, hostile input, directory loading and
 * the changed-since-check guard; then the corpus in tests/data/recipes
 * (checked against tests/data/recipes/plant.yaml).
 * links: recipes/rcp.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/diag.c common/sha256.c tests/unit/corpus.c common/num.c
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
#include <unistd.h>

#include "cfg.h"
#include "corpus.h"
#include "rcp.h"
#include "sha256.h"
#include "ydoc.h"

static struct cfg_plant plant;        /* config/plant.yaml */
static struct cfg_plant corpus_plant; /* tests/data/recipes/plant.yaml */

/* Loads path against plant into r, printing errors; returns rcp_load's. */
static int load(struct rcp_recipe *r, const char *path,
                const struct cfg_plant *p)
{
	struct diag d;
	int rc;

	diag_init(&d);
	rc = rcp_load(r, path, p, &d);
	diag_print(&d, stderr);
	return rc;
}

/* Parses text as a recipe at path; returns rcp_parse's, errors in *d. */
static int parse(const char *path, const char *text, struct diag *d)
{
	struct rcp_recipe r;
	int rc;

	diag_init(d);
	rc = rcp_parse(&r, path, text, strlen(text), &plant, d);
	if (rc == 0)
		rcp_free(&r);
	return rc;
}

/* 1 when some line of d contains s. */
static int diag_has(const struct diag *d, const char *s)
{
	for (int i = 0; i < d->n; i++)
		if (strstr(d->line[i], s) != NULL)
			return 1;
	return 0;
}

static void test_bundled_recipes_clean(void **state)
{
	static const char *const names[] = {"cassia-leaf", "cassia-bark", "star-anise"};

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct rcp_recipe r;
		char path[64];

		snprintf(path, sizeof path, "recipes/%s.yaml", names[i]);
		assert_int_equal(load(&r, path, &plant), 0);
		assert_string_equal(r.name, names[i]);
		assert_string_equal(r.feedstock, names[i]);
		assert_true(r.version >= 1);
		assert_true(r.n_steps >= 4);
		assert_int_equal(r.steps[0].kind, RCP_PROMPT);
		assert_int_equal(r.steps[r.n_steps - 1].kind, RCP_PROMPT);
		rcp_free(&r);
	}
}

/* What cassia-leaf says, field by field, in base units. */
static void test_cassia_leaf_values(void **state)
{
	struct rcp_recipe r;
	const struct rcp_step *s;
	double sum = 0;

	(void)state;
	assert_int_equal(load(&r, "recipes/cassia-leaf.yaml", &plant), 0);
	assert_int_equal(r.n_steps, 6);
	assert_true(r.charge_min_kg == 100 && r.charge_max_kg == 600);
	s = &r.steps[0];
	assert_int_equal(s->end, RCP_END_CONFIRM);
	assert_string_equal(s->prompt, "Condenser water on? Receiver drained? Lid clamped?");
	assert_true(s->steam_max_pct == 0);
	s = &r.steps[1];
	assert_string_equal(s->name, "purge");
	assert_int_equal(s->kind, RCP_PURGE);
	assert_int_equal(s->control, RCP_CTL_OPEN);
	assert_true(s->steam_min_pct == 20 && s->steam_max_pct == 20);
	assert_int_equal(s->end, RCP_END_DURATION);
	assert_true(s->duration_s == 180 && s->max_s == 300);
	s = &r.steps[2];
	assert_int_equal(s->end, RCP_END_REACH);
	assert_int_equal(s->reach_tag, CFG_TAG_VAPOUR_TEMP);
	assert_true(s->reach_above && s->reach_value == 98);
	assert_true(s->max_s == 45 * 60);
	s = &r.steps[3];
	assert_int_equal(s->kind, RCP_DISTIL);
	assert_int_equal(s->control, RCP_CTL_PRESSURE);
	assert_true(s->target == 5);
	assert_true(s->steam_min_pct == 20 && s->steam_max_pct == 100);
	assert_true(s->distillate_min_c == 25 && s->distillate_max_c == 40);
	assert_int_equal(s->end, RCP_END_OIL_RATE);
	assert_true(s->oil_rate_g_per_h == 100 && s->oil_rate_for_s == 900);
	assert_true(s->max_s == 5 * 3600);
	assert_true(isnan(s->alarm_pressure_high_kpa));
	assert_true(isnan(s->alarm_distillate_low_c));
	s = &r.steps[4];
	assert_int_equal(s->kind, RCP_COOL_DOWN);
	assert_true(s->steam_max_pct == 0);
	for (int i = 0; i < r.n_steps; i++)
		sum += r.steps[i].max_s;
	assert_true(fabs(r.max_batch_s - sum) < 1e-9);
	rcp_free(&r);
}

/* Star anise: the recipe-wide low distillate alarm holds in every step. */
static void test_star_anise_low_alarm(void **state)
{
	struct rcp_recipe r;

	(void)state;
	assert_int_equal(load(&r, "recipes/star-anise.yaml", &plant), 0);
	for (int i = 0; i < r.n_steps; i++) {
		assert_true(r.steps[i].alarm_distillate_low_c == 22);
		assert_true(r.steps[i].distillate_min_c > 22);
	}
	rcp_free(&r);
}

/* The exact bytes and their SHA-256 travel with the recipe. */
static void test_text_and_hash(void **state)
{
	struct rcp_recipe r;
	char *text, hex[SHA256_HEX_LEN + 1];
	size_t len;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(ydoc_read_file("recipes/cassia-bark.yaml", &text, &len, &d), 0);
	assert_int_equal(load(&r, "recipes/cassia-bark.yaml", &plant), 0);
	assert_int_equal(strlen(r.text), len);
	assert_memory_equal(r.text, text, len);
	sha256_hex(text, len, hex);
	assert_string_equal(r.sha256, hex);
	free(text);
	rcp_free(&r);
	rcp_free(&r);
}

/* Limits are only checked against a plant when one is given. */
static void test_plant_null_skips_limits(void **state)
{
	static const char text[] =
		"name: t\nversion: 1\nfeedstock: x\ncharge: {min: 1 kg, max: 2 kg}\n"
		"alarms: {pressure_high: 30 kPa}\n"
		"steps:\n  - {name: a, kind: prompt, prompt: Go?, max: 1 min}\n";
	struct rcp_recipe r;
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(rcp_parse(&r, "t.yaml", text, strlen(text), NULL, &d), 0);
	assert_true(r.steps[0].alarm_pressure_high_kpa == 30);
	rcp_free(&r);
	assert_int_equal(parse("t.yaml", text, &d), -1);
	assert_true(diag_has(&d, "'pressure_high' 30 kPa is looser than the plant's limit 25 kPa"));
}

/* A failed load leaves nothing to free and says so in d. */
static void test_failure_leaves_nothing(void **state)
{
	struct rcp_recipe r;
	struct diag d;

	(void)state;
	memset(&r, 0xa5, sizeof r);
	diag_init(&d);
	assert_int_equal(rcp_parse(&r, "x.yaml", "name: [", 7, &plant, &d), -1);
	assert_null(r.text);
	rcp_free(&r);
	assert_int_equal(d.n, 1);
	assert_int_equal(rcp_load(&r, "no/such/recipe.yaml", &plant, &d), -1);
	assert_true(diag_has(&d, "no/such/recipe.yaml: cannot open: No such file"));
}

/* Inputs that must give errors, never a crash. */
static void test_hostile_input(void **state)
{
	size_t big = YDOC_FILE_MAX + 10, deep = 10000;
	char *buf = malloc(big + 1);
	struct diag d;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(parse("e.yaml", "", &d), -1);
	assert_true(diag_has(&d, "e.yaml: the file is empty"));
	assert_int_equal(parse("e.yaml", "\x01\x02garbage", &d), -1);
	assert_true(diag_has(&d, "YAML syntax error"));
	for (size_t i = 0; i < deep; i++) {
		buf[i] = '[';
		buf[2 * deep - 1 - i] = ']';
	}
	buf[2 * deep] = '\0';
	assert_int_equal(parse("deep.yaml", buf, &d), -1);
	assert_true(diag_has(&d, "deep.yaml:1:65: nested deeper than 64 levels"));
	memset(buf, 'a', big);
	memcpy(buf, "x: ", 3);
	buf[big] = '\0';
	assert_int_equal(parse("big.yaml", buf, &d), -1);
	assert_true(diag_has(&d, "big.yaml: file too large"));
	free(buf);
}

/* A billion laughs stops at the node budget. */
static void test_billion_laughs(void **state)
{
	char text[4096];
	size_t o;
	struct diag d;

	(void)state;
	o = (size_t)snprintf(text, sizeof text, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++)
		o += (size_t)snprintf(text + o, sizeof text - o,
		                      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
		                      "*a%d, *a%d, *a%d, *a%d]\n", i, i, i - 1, i - 1,
		                      i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	assert_int_equal(parse("lol.yaml", text, &d), -1);
	assert_true(diag_has(&d, "document too large: more than 65536 nodes"));
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(rcp_kind_name(RCP_PURGE), "purge");
	assert_string_equal(rcp_kind_name(RCP_HEAT_UP), "heat-up");
	assert_string_equal(rcp_kind_name(RCP_DISTIL), "distil");
	assert_string_equal(rcp_kind_name(RCP_COOL_DOWN), "cool-down");
	assert_string_equal(rcp_kind_name(RCP_PROMPT), "prompt");
	assert_null(rcp_kind_name((enum rcp_kind)99));
}

/* Writes text to dir/name. */
static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char tiny[] =
	"name: %s\nversion: 1\nfeedstock: x\ncharge: {min: 1 kg, max: 2 kg}\n"
	"steps:\n  - {name: a, kind: prompt, prompt: Go?, max: 1 min}\n";

static void test_load_dir(void **state)
{
	static struct rcp_recipe r[RCP_DIR_MAX];
	char dir[] = "/tmp/test_rcp.XXXXXX", text[256], cmd[600];
	struct diag d;
	int n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(text, sizeof text, tiny, "b");
	put_file(dir, "b.yaml", text);
	snprintf(text, sizeof text, tiny, "a");
	put_file(dir, "a.yaml", text);
	put_file(dir, "bad.yaml", "name: bad\nversion: x\n");
	put_file(dir, "notes.txt", "not a recipe");
	put_file(dir, ".hidden.yaml", "junk: [");
	diag_init(&d);
	n = rcp_load_dir(dir, &plant, r, RCP_DIR_MAX, &d);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].name, "a");
	assert_string_equal(r[1].name, "b");
	assert_non_null(rcp_find(r, n, "b"));
	assert_null(rcp_find(r, n, "bad"));
	assert_true(d.n > 0 && diag_has(&d, "bad.yaml:2:10: 'version' must be"));
	for (int i = 0; i < n; i++)
		rcp_free(&r[i]);
	diag_init(&d);
	assert_int_equal(rcp_load_dir("/no/such/dir", &plant, r, RCP_DIR_MAX, &d), -1);
	assert_int_equal(d.n, 1);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The bundled set loads whole. */
static void test_load_bundled_dir(void **state)
{
	static struct rcp_recipe r[RCP_DIR_MAX];
	struct diag d;
	int n;

	(void)state;
	diag_init(&d);
	n = rcp_load_dir(plant.recipes_dir, &plant, r, RCP_DIR_MAX, &d);
	diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	assert_true(n >= 3);
	assert_non_null(rcp_find(r, n, "cassia-leaf"));
	assert_non_null(rcp_find(r, n, "cassia-bark"));
	assert_non_null(rcp_find(r, n, "star-anise"));
	for (int i = 0; i < n; i++)
		rcp_free(&r[i]);
}

/* A recipe edited after its check is refused with the reason. */
static void test_verify_changed(void **state)
{
	char dir[] = "/tmp/test_rcp.XXXXXX", path[300], text[256], cause[256];
	struct rcp_recipe r;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(text, sizeof text, tiny, "v");
	put_file(dir, "v.yaml", text);
	snprintf(path, sizeof path, "%s/v.yaml", dir);
	assert_int_equal(load(&r, path, &plant), 0);
	assert_int_equal(rcp_verify_file(&r, cause, sizeof cause), 0);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("# edited\n", f);
	fclose(f);
	assert_int_equal(rcp_verify_file(&r, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "recipe v changed since it was checked"));
	unlink(path);
	assert_int_equal(rcp_verify_file(&r, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "cannot be read again"));
	rcp_free(&r);
	rmdir(dir);
}

/* "stillroom recipe check": errors to err, "FILE: ok" to out, 0 / 1. */
static void test_check_files(void **state)
{
	char *paths[] = {"recipes/cassia-leaf.yaml", "tests/data/recipes/bad/no-steps.yaml"};
	char *out_text = NULL, *err_text = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out = open_memstream(&out_text, &out_len);
	FILE *err = open_memstream(&err_text, &err_len);

	(void)state;
	assert_int_equal(rcp_check_files(1, paths, &plant, out, err), 0);
	assert_int_equal(rcp_check_files(2, paths, &plant, out, err), 1);
	fclose(out);
	fclose(err);
	assert_string_equal(out_text, "recipes/cassia-leaf.yaml: ok\n"
	                              "recipes/cassia-leaf.yaml: ok\n");
	assert_non_null(strstr(err_text, "tests/data/recipes/bad/no-steps.yaml:"));
	assert_null(strstr(err_text, "cassia-leaf"));
	free(out_text);
	free(err_text);
}

/* `organic: true` is read (default false) and `recipe check` says so. */
static void test_organic(void **state)
{
	char *paths[] = {"tests/data/recipes/good/organic.yaml"};
	char *out_text = NULL;
	size_t out_len = 0;
	FILE *out = open_memstream(&out_text, &out_len);
	struct rcp_recipe r;

	(void)state;
	assert_int_equal(load(&r, "tests/data/recipes/good/organic.yaml", &plant), 0);
	assert_int_equal(r.organic, 1);
	rcp_free(&r);
	assert_int_equal(load(&r, "recipes/cassia-leaf.yaml", &plant), 0);
	assert_int_equal(r.organic, 0);
	rcp_free(&r);
	assert_int_equal(rcp_check_files(1, paths, &plant, out, stderr), 0);
	fclose(out);
	assert_non_null(strstr(out_text, "organic"));
	free(out_text);
}

static int corpus_load(const char *path, struct diag *d)
{
	struct rcp_recipe r;

	if (rcp_load(&r, path, &corpus_plant, d) < 0)
		return -1;
	rcp_free(&r);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundled_recipes_clean),
		cmocka_unit_test(test_cassia_leaf_values),
		cmocka_unit_test(test_star_anise_low_alarm),
		cmocka_unit_test(test_text_and_hash),
		cmocka_unit_test(test_plant_null_skips_limits),
		cmocka_unit_test(test_failure_leaves_nothing),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_load_dir),
		cmocka_unit_test(test_load_bundled_dir),
		cmocka_unit_test(test_verify_changed),
		cmocka_unit_test(test_check_files),
		cmocka_unit_test(test_organic),
	};
	struct diag d;
	int failed;

	if (corpus_chdir_top() < 0) {
		fprintf(stderr, "not ok - test_rcp: cannot find tests/data\n");
		return 1;
	}
	diag_init(&d);
	if (cfg_load(&plant, "config/plant.yaml", &d) < 0 ||
	    cfg_load(&corpus_plant, "tests/data/recipes/plant.yaml", &d) < 0) {
		diag_print(&d, stderr);
		fprintf(stderr, "not ok - test_rcp: the plant files do not load\n");
		return 1;
	}
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	failed += corpus_run("recipe corpus", "tests/data/recipes", corpus_load);
	return failed;
}
