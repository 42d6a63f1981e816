/*
 * test_ydoc: the YAML document tree and its schema helpers: positions,
 * duplicate keys, aliases and their budgets, limits, typed getters with
 * units, did-you-mean, error order and de-duplication.
 * links: common/ydoc.c common/diag.c common/num.c
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

#include "ydoc.h"

static struct diag d;

/* Parses text (reported as "t.yaml"); NULL on a fatal error. */
static struct ydoc *parse(const char *text)
{
	diag_init(&d);
	return ydoc_parse("t.yaml", text, strlen(text), &d);
}

static void assert_line(int i, const char *want)
{
	if (i >= d.n)
		fail_msg("no line %d; wanted \"%s\"", i, want);
	assert_string_equal(d.line[i], want);
}

static void test_positions(void **state)
{
	struct ydoc *doc = parse("a: 1\nb:\n  - x\n  - {c: \"q\"}\n");
	const struct ydoc_node *root, *b, *m;

	(void)state;
	assert_non_null(doc);
	root = ydoc_root(doc);
	assert_int_equal(root->type, YDOC_MAP);
	assert_int_equal(ydoc_len(root), 2);
	assert_string_equal(ydoc_map_key(root, 1)->str, "b");
	assert_int_equal(ydoc_map_key(root, 1)->line, 2);
	b = ydoc_map_get(root, "b");
	assert_int_equal(b->type, YDOC_SEQ);
	assert_int_equal(ydoc_len(b), 2);
	assert_int_equal(b->kid[0]->line, 3);
	assert_int_equal(b->kid[0]->col, 5);
	assert_true(b->kid[0]->plain);
	m = b->kid[1];
	assert_int_equal(m->col, 5);
	assert_string_equal(ydoc_map_get(m, "c")->str, "q");
	assert_false(ydoc_map_get(m, "c")->plain);
	assert_int_equal(ydoc_map_get(m, "c")->col, 9);
	assert_null(ydoc_map_get(m, "nope"));
	assert_int_equal(d.n, 0);
	ydoc_free(doc);
}

static void test_empty_and_null(void **state)
{
	struct ydoc *doc = parse("");

	(void)state;
	assert_non_null(doc);
	assert_null(ydoc_root(doc));
	ydoc_free(doc);
	doc = parse("# only a comment\n");
	assert_null(ydoc_root(doc));
	ydoc_free(doc);
	doc = parse("~\n");
	assert_true(ydoc_is_null(ydoc_root(doc)));
	ydoc_free(doc);
	doc = parse("'~'\n");
	assert_false(ydoc_is_null(ydoc_root(doc)));
	ydoc_free(doc);
}

static void test_duplicate_keys(void **state)
{
	struct ydoc *doc = parse("b: 1\na: 2\nb: 3\nc: {x: 1, x: 2}\na: 4\n");

	(void)state;
	assert_non_null(doc);
	assert_int_equal(ydoc_error_count(doc), 3);
	ydoc_sort_errors(doc);
	assert_line(0, "t.yaml:3:1: duplicate key 'b' (first at line 1)");
	assert_line(1, "t.yaml:4:11: duplicate key 'x' (first at line 4)");
	assert_line(2, "t.yaml:5:1: duplicate key 'a' (first at line 2)");
	ydoc_free(doc);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_null(parse("a: [1, 2\n"));
	assert_line(0, "t.yaml:2:1: YAML syntax error: did not find expected ',' or ']' "
	               "(while parsing a flow sequence at line 1)");
	assert_null(parse("a: 1\n\x01\n"));
	assert_line(0, "t.yaml:2:1: YAML syntax error: control characters are not "
	               "allowed (the file must be UTF-8 text)");
	assert_null(parse("a: 1\n---\nb: 2\n"));
	assert_line(0, "t.yaml:2:1: a second YAML document: a file holds exactly one "
	               "(remove the '---' line)");
}

/* Aliases are copies; one wrong value in an anchor is reported once. */
static void test_aliases(void **state)
{
	struct ydoc *doc = parse("a: &x {n: [1, 2]}\nb: *x\nc: *x\n");
	const struct ydoc_node *b;
	long v;

	(void)state;
	assert_non_null(doc);
	b = ydoc_map_get(ydoc_root(doc), "b");
	assert_int_equal(b->type, YDOC_MAP);
	assert_int_equal(ydoc_len(ydoc_map_get(b, "n")), 2);
	assert_ptr_not_equal(b, ydoc_map_get(ydoc_root(doc), "c"));
	ydoc_free(doc);
	doc = parse("a: &x 1.5\nb: *x\n");
	assert_int_equal(ydoc_int(doc, ydoc_map_get(ydoc_root(doc), "a"), "n", 0, 9, &v), -1);
	assert_int_equal(ydoc_int(doc, ydoc_map_get(ydoc_root(doc), "b"), "n", 0, 9, &v), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(ydoc_error_count(doc), 1);
	ydoc_free(doc);
	assert_null(parse("a: *nope\n"));
	assert_line(0, "t.yaml:1:4: alias '*nope' names no anchor defined before it "
	               "(an anchor cannot refer to itself)");
	assert_null(parse("a: &s [1, *s]\n"));
}

/* Nine levels of ten aliases would be 10^9 nodes: stopped at the budget. */
static void test_billion_laughs(void **state)
{
	char text[2048];
	size_t o = (size_t)snprintf(text, sizeof text, "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");

	(void)state;
	for (int i = 1; i < 9; i++)
		o += (size_t)snprintf(text + o, sizeof text - o,
		                      "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, "
		                      "*l%d, *l%d, *l%d]\n", i, i, i - 1, i - 1, i - 1,
		                      i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	assert_null(parse(text));
	assert_line(0, "t.yaml: document too large: more than 65536 nodes "
	               "(aliases count once per use)");
}

/* Few nodes but long text repeated: stopped at the byte budget. */
static void test_byte_budget(void **state)
{
	size_t big = 600000;
	char *text = malloc(big + 200);
	size_t o;

	(void)state;
	assert_non_null(text);
	memcpy(text, "k: &k ", 6);
	memset(text + 6, 'a', big);
	o = 6 + big;
	for (int i = 0; i < 8; i++)
		o += (size_t)sprintf(text + o, "\nv%d: *k", i);
	text[o] = '\0';
	assert_null(parse(text));
	assert_line(0, "t.yaml: document too large: more than 4194304 bytes of text "
	               "(aliases count once per use)");
	free(text);
}

/* The depth cap: 64 levels parse, 65 do not, 10,000 do not crash. */
static void test_depth(void **state)
{
	char text[20010];
	struct ydoc *doc;

	(void)state;
	memset(text, '[', 64);
	memset(text + 64, ']', 64);
	text[128] = '\0';
	doc = parse(text);
	assert_non_null(doc);
	assert_int_equal(ydoc_root(doc)->height, 64);
	ydoc_free(doc);
	memset(text, '[', 65);
	memset(text + 65, ']', 65);
	text[130] = '\0';
	assert_null(parse(text));
	assert_line(0, "t.yaml:1:65: nested deeper than 64 levels");
	memset(text, '[', 10000);
	memset(text + 10000, ']', 10000);
	text[20000] = '\0';
	assert_null(parse(text));
	/* an alias may not carry a deep anchor deeper still */
	strcpy(text, "a: &d ");
	memset(text + 6, '[', 60);
	text[66] = '1';
	memset(text + 67, ']', 60);
	strcpy(text + 127, "\nb: [[[[[[[[[[*d]]]]]]]]]]\n");
	assert_null(parse(text));
	assert_line(0, "t.yaml:2:14: nested deeper than 64 levels");
}

static void test_size_cap(void **state)
{
	char path[] = "/tmp/test_ydoc.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	char *text;
	size_t len;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (int i = 0; i <= YDOC_FILE_MAX / 16; i++)
		fputs("# 16 bytes ....\n", f);
	fclose(f);
	diag_init(&d);
	assert_int_equal(ydoc_read_file(path, &text, &len, &d), -1);
	assert_non_null(strstr(d.line[0], "file too large: over 1048576 bytes (1 MiB)"));
	assert_int_equal(truncate(path, 10), 0);
	diag_init(&d);
	assert_int_equal(ydoc_read_file(path, &text, &len, &d), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(text, "# 16 bytes", 10);
	assert_int_equal(text[10], '\0');
	free(text);
	unlink(path);
	assert_int_equal(ydoc_read_file("/no/such/file", &text, &len, &d), -1);
	assert_string_equal(d.line[0], "/no/such/file: cannot open: No such file or directory");
	diag_init(&d);
	assert_null(ydoc_parse("t.yaml", "", YDOC_FILE_MAX + 1, &d));
	assert_int_equal(d.n, 1);
}

static void test_closest(void **state)
{
	static const char *const keys[] = {"name", "version", "steps", "distil", "kPa", "h"};

	(void)state;
	assert_string_equal(ydoc_closest("stpes", keys, 6), "steps");
	assert_string_equal(ydoc_closest("distill", keys, 6), "distil");
	assert_string_equal(ydoc_closest("kpa", keys, 6), "kPa");
	assert_string_equal(ydoc_closest("verison", keys, 6), "version");
	assert_string_equal(ydoc_closest("hr", keys, 6), "h");
	assert_null(ydoc_closest("colour", keys, 6));
	assert_null(ydoc_closest("x", keys, 6));
	assert_null(ydoc_closest("", keys, 6));
}

static void test_fields(void **state)
{
	static const struct ydoc_field f[] = {{"name", 1}, {"steps", 1}, {"note", 0}};
	const struct ydoc_node *v[3];
	struct ydoc *doc = parse("name: x\nstpes: 1\ncolour: red\n? [k]\n: 1\n");

	(void)state;
	assert_int_equal(ydoc_fields(doc, ydoc_root(doc), "the thing", f, 3, v), 0);
	assert_string_equal(v[0]->str, "x");
	assert_null(v[1]);
	assert_null(v[2]);
	ydoc_sort_errors(doc);
	assert_int_equal(d.n, 4);
	assert_line(0, "t.yaml:1:1: missing key 'steps' in the thing");
	assert_line(1, "t.yaml:2:1: unknown key 'stpes' in the thing; did you mean 'steps'?");
	assert_line(2, "t.yaml:3:1: unknown key 'colour' in the thing; allowed keys: name, steps, note");
	assert_line(3, "t.yaml:4:3: keys in the thing must be words, not a list");
	assert_int_equal(ydoc_fields(doc, ydoc_map_get(ydoc_root(doc), "name"), "'name'",
	                             f, 3, v), -1);
	assert_line(4, "t.yaml:1:7: 'name' must be a mapping (key: value), not \"x\"");
	assert_int_equal(ydoc_fields(doc, NULL, "absent", f, 3, v), -1);
	assert_int_equal(d.n, 5);
	ydoc_free(doc);
}

/* The value of key k in a one-line document "k: text". */
static const struct ydoc_node *val(struct ydoc **doc, const char *text)
{
	ydoc_free(*doc);
	*doc = parse(text);
	assert_non_null(*doc);
	return ydoc_map_get(ydoc_root(*doc), "k");
}

static void test_qty(void **state)
{
	struct ydoc *doc = NULL;
	double v = -1;
	const double big = 1e9;

	(void)state;
	assert_int_equal(ydoc_qty(doc, NULL, "k", &ydoc_kind_time, 0, big, &v), 1);
	assert_true(v == -1);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 30 minutes"), "k", &ydoc_kind_time, 0, big, &v), 0);
	assert_true(v == 1800);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 1.5 h"), "k", &ydoc_kind_time, 0, big, &v), 0);
	assert_true(v == 5400);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 25 kPa"), "k", &ydoc_kind_pressure, 0, big, &v), 0);
	assert_true(v == 25);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 0.25 bar"), "k", &ydoc_kind_pressure, 0, big, &v), 0);
	assert_true(v == 25);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: -5 C"), "k", &ydoc_kind_temp, -big, big, &v), 0);
	assert_true(v == -5);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 200 g_per_h"), "k", &ydoc_kind_oil_rate, 0, big, &v), 0);
	assert_true(v == 200);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 10%"), "k", &ydoc_kind_pct, 0, 100, &v), 0);
	assert_true(v == 10);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: \"1e2 %\""), "k", &ydoc_kind_pct, 0, 100, &v), 0);
	assert_true(v == 100);
	assert_int_equal(d.n, 0);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 45"), "k", &ydoc_kind_time, 0, big, &v), -1);
	assert_line(0, "t.yaml:1:4: 'k' needs a unit: \"45\" is a bare number; write it in s, min or h");
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 45 C"), "k", &ydoc_kind_time, 0, big, &v), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a time in s, min or h, not \"45 C\", which is a temperature");
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 5 kpa"), "k", &ydoc_kind_pressure, 0, big, &v), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a pressure (gauge) in kPa or bar, not \"5 kpa\"; did you mean 'kPa'?");
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 120 %"), "k", &ydoc_kind_pct, 0, 100, &v), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be from 0 % to 100 %, not \"120 %\"");
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 100 h"), "k", &ydoc_kind_time, 1, 259200, &v), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be from 1 s to 72 h, not \"100 h\"");
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 1e999 s"), "k", &ydoc_kind_time, 0, big, &v), -1);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: .inf s"), "k", &ydoc_kind_time, 0, big, &v), -1);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: 0x10 s"), "k", &ydoc_kind_time, 0, big, &v), -1);
	assert_int_equal(ydoc_qty(doc, val(&doc, "k: [1, s]"), "k", &ydoc_kind_time, 0, big, &v), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a time in s, min or h, not a list");
	assert_true(v == 100);
	ydoc_free(doc);
}

static void test_format(void **state)
{
	char buf[48];

	(void)state;
	assert_string_equal(ydoc_qty_format(&ydoc_kind_time, 2700, buf, sizeof buf), "45 min");
	assert_string_equal(ydoc_qty_format(&ydoc_kind_time, 90, buf, sizeof buf), "90 s");
	assert_string_equal(ydoc_qty_format(&ydoc_kind_time, 259200, buf, sizeof buf), "72 h");
	assert_string_equal(ydoc_qty_format(&ydoc_kind_time, 0, buf, sizeof buf), "0 s");
	assert_string_equal(ydoc_qty_format(&ydoc_kind_pressure, 100, buf, sizeof buf), "100 kPa");
	assert_string_equal(ydoc_qty_format(&ydoc_kind_mass_kg, 6000, buf, sizeof buf), "6000 kg");
}

static void test_int_num_bool_choice_str(void **state)
{
	static const char *const kinds[] = {"purge", "distil", NULL};
	struct ydoc *doc = NULL;
	long l = 0;
	double x = 0;
	int b = -1, c = -1;
	char s[8];

	(void)state;
	assert_int_equal(ydoc_int(doc, val(&doc, "k: +12"), "k", 0, 99, &l), 0);
	assert_int_equal(l, 12);
	assert_int_equal(ydoc_int(doc, val(&doc, "k: 1.5"), "k", 0, 99, &l), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a whole number, not \"1.5\"");
	assert_int_equal(ydoc_int(doc, val(&doc, "k: 200 ms"), "k", 0, 999, &l), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a whole number (without a unit), not \"200 ms\"");
	assert_int_equal(ydoc_int(doc, val(&doc, "k: 99999999999999999999999"), "k", 0, 99, &l), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be from 0 to 99, not \"99999999999999999999999\"");
	/* the one number parser's limit: at most 32 characters */
	assert_int_equal(ydoc_int(doc, val(&doc, "k: 000000000000000000000000000000000000005"),
	                          "k", 0, 99, &l), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a number of at most 32 characters, not "
	            "\"000000000000000000000000000000000000005\"");
	assert_int_equal(ydoc_num(doc, val(&doc, "k: 0.000000000000000000000000000000000005"),
	                          "k", -9, 9, &x), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a number of at most 32 characters, not "
	            "\"0.000000000000000000000000000000000005\"");
	assert_int_equal(ydoc_num(doc, val(&doc, "k: -0.5e1"), "k", -9, 9, &x), 0);
	assert_true(x == -5);
	assert_int_equal(ydoc_num(doc, val(&doc, "k: nan"), "k", -9, 9, &x), -1);
	assert_int_equal(ydoc_num(doc, val(&doc, "k:"), "k", -9, 9, &x), -1);
	assert_line(0, "t.yaml:1:3: 'k' must be a number, not nothing");
	assert_int_equal(ydoc_bool(doc, val(&doc, "k: false"), "k", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(ydoc_bool(doc, val(&doc, "k: True"), "k", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(ydoc_bool(doc, val(&doc, "k: yes"), "k", &b), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be true or false, not \"yes\"");
	assert_int_equal(ydoc_choice(doc, val(&doc, "k: distil"), "k", kinds, &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(ydoc_choice(doc, val(&doc, "k: distill"), "k", kinds, &c), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be one of purge or distil, not \"distill\"; did you mean 'distil'?");
	assert_int_equal(ydoc_str(doc, val(&doc, "k: abc"), "k", s, sizeof s), 0);
	assert_string_equal(s, "abc");
	assert_int_equal(ydoc_str(doc, val(&doc, "k: abcdefgh"), "k", s, sizeof s), -1);
	assert_line(0, "t.yaml:1:4: 'k' is too long: 8 bytes, at most 7");
	assert_int_equal(ydoc_str(doc, val(&doc, "k: \"a\\e[2J\""), "k", s, sizeof s), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be printable text on one line (no control characters)");
	assert_int_equal(ydoc_str(doc, val(&doc, "k: \"\\x9b\""), "k", s, sizeof s), -1);
	assert_int_equal(ydoc_str(doc, val(&doc, "k: \"a\\0b\""), "k", s, sizeof s), -1);
	assert_line(0, "t.yaml:1:4: 'k' must not contain NUL characters");
	assert_int_equal(ydoc_name(doc, val(&doc, "k: cassia-leaf"), "k", s, sizeof s), -1);
	assert_int_equal(ydoc_name(doc, val(&doc, "k: a_b.c-1"), "k", s, sizeof s), 0);
	assert_int_equal(ydoc_name(doc, val(&doc, "k: -x"), "k", s, sizeof s), -1);
	ydoc_free(doc);
}

/* Control characters in a user's text never reach a message. */
static void test_quoting(void **state)
{
	struct ydoc *doc = NULL;
	int c;
	static const char *const one[] = {"a", NULL};

	(void)state;
	assert_int_equal(ydoc_choice(doc, val(&doc, "k: \"\\e]0;owned\\a\\x9b\""), "k", one, &c), -1);
	assert_line(0, "t.yaml:1:4: 'k' must be a, not \"?]0;owned??\"");
	ydoc_free(doc);
}

static void test_num_map(void **state)
{
	struct pair {
		double a_kpa, b_c;
	} p = {-1, -1};
	static const struct ydoc_num_field spec[] = {
		{"a", 1, &ydoc_kind_pressure, 0, 100, offsetof(struct pair, a_kpa)},
		{"b", 0, NULL, 0, 10, offsetof(struct pair, b_c)},
	};
	struct ydoc *doc = parse("{a: 0.5 bar}");

	(void)state;
	assert_int_equal(ydoc_num_map(doc, ydoc_root(doc), "'p'", spec, 2, &p), 0);
	assert_true(p.a_kpa == 50 && p.b_c == -1);
	ydoc_free(doc);
	doc = parse("{b: 11}");
	assert_int_equal(ydoc_num_map(doc, ydoc_root(doc), "'p'", spec, 2, &p), -1);
	ydoc_sort_errors(doc);
	assert_line(0, "t.yaml:1:1: missing key 'a' in 'p'");
	assert_line(1, "t.yaml:1:5: 'b' must be from 0 to 10, not \"11\"");
	ydoc_free(doc);
}

/* ydoc_range: a {min, max} mapping, and the one rule for every range in
 * the project, min strictly below max (ydoc_range_check). */
static void test_range(void **state)
{
	static const struct ydoc_range_spec both = {NULL, NULL, 0, 10, 1};
	static const struct ydoc_range_spec either = {"r", &ydoc_kind_pct, 0, 100, 0};
	struct ydoc *doc = NULL;
	double lo = -1, hi = -1;

	(void)state;
	assert_int_equal(ydoc_range(doc, NULL, "'r'", &both, &lo, &hi), 1);
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {min: 1, max: 2.5}"), "'r'",
	                            &both, &lo, &hi), 0);
	assert_true(lo == 1 && hi == 2.5);
	/* equal bounds are refused, where qaspec and the steam limits let them by */
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {min: 2, max: 2}"), "'r'",
	                            &both, &lo, &hi), -1);
	assert_line(0, "t.yaml:1:10: 'r': 'min' 2 must be below 'max' 2");
	assert_true(lo == 1 && hi == 2.5);
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {min: 1}"), "'r'", &both,
	                            &lo, &hi), -1);
	assert_line(0, "t.yaml:1:4: missing key 'max' in 'r'");
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {min: 0, max: 11}"), "'r'",
	                            &both, &lo, &hi), -1);
	assert_line(0, "t.yaml:1:18: 'max' must be from 0 to 10, not \"11\"");
	/* either bound alone; the other keeps its value; units in messages */
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {max: 90 %}"), "'r'", &either,
	                            &lo, &hi), 0);
	assert_true(lo == 1 && hi == 90);
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {min: 95 %, max: 90 %}"), "'r'",
	                            &either, &lo, &hi), -1);
	assert_line(0, "t.yaml:1:10: 'r': 'min' 95 % must be below 'max' 90 %");
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {min: 101 %}"), "'r'", &either,
	                            &lo, &hi), -1);
	assert_line(0, "t.yaml:1:10: 'r.min' must be from 0 % to 100 %, not \"101 %\"");
	assert_int_equal(ydoc_range(doc, val(&doc, "k: {}"), "'r'", &either, &lo, &hi), -1);
	assert_line(0, "t.yaml:1:4: 'r' gives neither min nor max");
	assert_true(lo == 1 && hi == 90);
	/* the rule alone, for bounds that are not a {min, max} mapping */
	assert_int_equal(ydoc_range_check(doc, NULL, "x", NULL, "min", 1, "max", 2), 0);
	assert_int_equal(ydoc_range_check(doc, NULL, "x", &ydoc_kind_temp, "min", 3,
	                                  "max", 3), -1);
	assert_line(1, "t.yaml: x: 'min' 3 C must be below 'max' 3 C");
	assert_int_equal(ydoc_range_check(doc, NULL, NULL, &ydoc_kind_pct, "lo", 5,
	                                  "hi", 4), -1);
	assert_line(2, "t.yaml: 'lo' 5 % must be below 'hi' 4 %");
	ydoc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_byte_budget),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_closest),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_qty),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_int_num_bool_choice_str),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_num_map),
		cmocka_unit_test(test_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
