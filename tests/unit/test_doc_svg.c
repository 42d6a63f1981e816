/* Unit tests of the documents' page shell and charts (ui/doc.c,
 * ui/doc_svg.c): escaping, tables, the min/max envelope (a one-sample
 * spike survives 28,800 samples; the path is parsed back into points),
 * gaps, classes the integration tests count, and refused arguments.
 * links: ui/doc.c ui/doc_svg.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "doc_svg.h"

#define N_8H 28800

/* an in-memory FILE and what was written to it */
struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

static const char *mem_text(struct mem *m)
{
	fflush(m->f);
	return m->buf;
}

static void mem_close(struct mem *m)
{
	fclose(m->f);
	free(m->buf);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/* the points of the d attribute of the series path of class cls: x, y
 * into pts (2 doubles each); returns the number of points, moves in *moves */
static int path_points(const char *svg, const char *cls, double *pts, int max,
                       int *moves)
{
	char key[64];
	const char *p;
	int n = 0;

	snprintf(key, sizeof key, "class=\"%s\" d=\"", cls);
	p = strstr(svg, key);
	assert_non_null(p);
	p += strlen(key);
	*moves = 0;
	while (*p == 'M' || *p == 'L') {
		char *end;

		*moves += *p == 'M';
		assert_true(n < max);
		pts[2 * n] = strtod(p + 1, &end);
		pts[2 * n + 1] = strtod(end, &end);
		p = end;
		n++;
	}
	assert_int_equal(*p, '"');
	return n;
}

static void esc_all_five(void **state)
{
	struct mem m;

	(void)state;
	mem_open(&m);
	doc_esc(m.f, "<a href=\"x\">Tom & Jerry's</a>");
	doc_esc(m.f, NULL);
	assert_string_equal(mem_text(&m),
	                    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	mem_close(&m);
}

static void shell_and_sections(void **state)
{
	struct mem m;
	const char *t;

	(void)state;
	mem_open(&m);
	doc_begin(m.f, "Batch <7>", "vi", DOC_A4);
	doc_section_begin(m.f, "id", "Identity", DOC_KEEP);
	doc_pf(m.f, "%d drums & %s", 3, "<b>");
	doc_section_end(m.f);
	doc_section_begin(m.f, "lots", "Lots", 0);
	doc_kv_begin(m.f);
	doc_kv(m.f, "grower", NULL);
	doc_kv_end(m.f);
	doc_section_end(m.f);
	doc_end(m.f);
	t = mem_text(&m);
	assert_non_null(strstr(t, "<html lang=\"vi\">"));
	assert_non_null(strstr(t, "<title>Batch &lt;7&gt;</title>"));
	assert_non_null(strstr(t, "size:A4 portrait;margin:15mm"));
	assert_non_null(strstr(t, "<section id=\"id\">\n<h2>Identity</h2>"));
	assert_non_null(strstr(t, "<section id=\"lots\" class=\"brk\">"));
	assert_non_null(strstr(t, "<p>3 drums &amp; &lt;b&gt;</p>"));
	assert_non_null(strstr(t, "<dt>grower</dt><dd>-</dd>"));
	assert_null(strstr(t, "<script"));
	assert_null(strstr(t, "http"));
	mem_close(&m);
	mem_open(&m);
	doc_begin(m.f, "Drum", "en", DOC_LABEL);
	doc_end(m.f);
	assert_non_null(strstr(mem_text(&m), "size:100mm 150mm"));
	mem_close(&m);
}

static void table_numeric_columns(void **state)
{
	static const char *const heads[] = {"batch", "oil (kg)", "note"};
	static const char *const row[] = {"B1", "12.4", NULL};
	struct mem m;

	(void)state;
	mem_open(&m);
	doc_table_begin(m.f, heads, 3, 1u << 2);
	doc_table_row(m.f, row, 3);
	doc_table_end(m.f);
	assert_non_null(strstr(mem_text(&m), "<tr><td>B1</td><td class=\"num\">12.4</td>"
	                                     "<td class=\"num\">-</td></tr>"));
	mem_close(&m);
	mem_open(&m);
	doc_badge(m.f, DOC_FAIL, "QA <fail>");
	assert_string_equal(mem_text(&m), "<span class=\"badge fail\">\u2717 QA &lt;fail&gt;</span>");
	mem_close(&m);
}

static double t8h[N_8H], v8h[N_8H];

static struct doc_svg_trend trend_8h(void)
{
	struct doc_svg_trend c = {"Pressure", "kPa", 700, 260, 0, N_8H, NAN, NAN,
	                          {{150, "high", 0}}, 1, {{3600, "HI", 0}}, 1};

	return c;
}

/* 28,800 flat samples with one spike: the spike is in the path and the
 * path has at most two points per pixel column */
static void envelope_keeps_a_spike(void **state)
{
	static double pts[2 * 2000];
	struct doc_svg_trend c = trend_8h();
	struct doc_svg_series s = {"p", t8h, v8h, N_8H, 0};
	double y_min = 1e9, y_max = -1e9;
	struct mem m;
	int i, n, moves;

	(void)state;
	for (i = 0; i < N_8H; i++) {
		t8h[i] = i;
		v8h[i] = 100 + (i % 2) * 0.5;
	}
	v8h[14401] = 140;
	mem_open(&m);
	assert_int_equal(doc_svg_trend(m.f, &c, &s, 1), 0);
	n = path_points(mem_text(&m), "series s-0", pts, 2000, &moves);
	assert_int_equal(moves, 1);
	assert_true(n <= 2 * c.width_px);
	assert_true(n > c.width_px / 2);
	for (i = 0; i < n; i++) {
		y_min = fmin(y_min, pts[2 * i + 1]);
		y_max = fmax(y_max, pts[2 * i + 1]);
		if (i > 0)
			assert_true(pts[2 * i] >= pts[2 * i - 2]);
	}
	/* the spike is about 40 units above a 0.5-unit band: far above it */
	assert_true(y_max - y_min > 50);
	assert_int_equal(count_of(mem_text(&m), "class=\"limit\""), 1);
	assert_int_equal(count_of(mem_text(&m), "class=\"alarm\""), 1);
	mem_close(&m);
}

/* an end-point decision is a "decision" mark and its forecast a
 * "forecast" line, apart from the alarm marks and limit lines */
static void decision_and_forecast(void **state)
{
	struct doc_svg_trend c = trend_8h();
	struct doc_svg_series s = {"oil", t8h, v8h, 100, 0};
	struct mem m;

	(void)state;
	for (int i = 0; i < 100; i++) {
		t8h[i] = i * 288;
		v8h[i] = i * 0.01;
	}
	c.mark[1].t_s = 20000;
	c.mark[1].label = "economic end";
	c.mark[1].decision = 1;
	c.n_marks = 2;
	c.limit[1].v = 1.2;
	c.limit[1].label = "forecast at the end 1.20 kg";
	c.limit[1].forecast = 1;
	c.limit[0].v = 0.5;
	c.n_limits = 2;
	mem_open(&m);
	assert_int_equal(doc_svg_trend(m.f, &c, &s, 1), 0);
	assert_int_equal(count_of(mem_text(&m), "class=\"decision\""), 1);
	assert_int_equal(count_of(mem_text(&m), "class=\"alarm\""), 1);
	assert_int_equal(count_of(mem_text(&m), "class=\"forecast\""), 1);
	assert_int_equal(count_of(mem_text(&m), "class=\"limit\""), 1);
	assert_non_null(strstr(mem_text(&m), ">economic end</text>"));
	mem_close(&m);
}

/* within a column the min and max come out in the order they occurred */
static void envelope_keeps_order(void **state)
{
	static const double t[] = {0, 1, 2, 3, 100};
	static const double v[] = {5, 9, 1, 5, 5};
	struct doc_svg_trend c = {"o", "u", 100, 100, 0, 100, 0, 10, {{0, 0, 0}}, 0,
	                          {{0, 0, 0}}, 0};
	struct doc_svg_series s = {"x", t, v, 5, 0};
	double pts[40];
	struct mem m;
	int n, moves;

	(void)state;
	mem_open(&m);
	assert_int_equal(doc_svg_trend(m.f, &c, &s, 1), 0);
	n = path_points(mem_text(&m), "series s-0", pts, 20, &moves);
	assert_int_equal(n, 3);
	/* first column: max (9) then min (1): y grows downwards */
	assert_true(pts[1] < pts[3]);
	mem_close(&m);
}

static void gaps_and_reference(void **state)
{
	static const double t[] = {0, 10, 20, 30, 40, 50};
	static const double v[] = {1, 2, NAN, NAN, 3, 4};
	struct doc_svg_trend c = {"t", "C", 300, 120, 0, 50, NAN, NAN, {{0, 0, 0}}, 0,
	                          {{0, 0, 0}}, 0};
	struct doc_svg_series s[2] = {{"now", t, v, 6, 0}, {"ref <B1>", t, v, 6, 1}};
	double pts[40];
	struct mem m;
	int moves;

	(void)state;
	mem_open(&m);
	assert_int_equal(doc_svg_trend(m.f, &c, s, 2), 0);
	assert_int_equal(path_points(mem_text(&m), "series s-0", pts, 20, &moves), 4);
	assert_int_equal(moves, 2);
	assert_int_equal(count_of(mem_text(&m), "<path class=\"series "), 2);
	assert_non_null(strstr(mem_text(&m), "class=\"series s-1 ref\""));
	assert_non_null(strstr(mem_text(&m), "ref &lt;B1&gt;"));
	mem_close(&m);
}

static void bad_arguments_write_nothing(void **state)
{
	static const double t[] = {0, 1};
	static const double v[] = {1, 2};
	static const char *const labels[] = {"a", "b"};
	struct doc_svg_trend c = {"t", "C", 300, 120, 0, 50, NAN, NAN, {{0, 0, 0}}, 0,
	                          {{0, 0, 0}}, 0};
	struct doc_svg_series s = {"x", t, v, 2, 0};
	struct doc_svg_span sp = {"step", 0, 10, 0};
	struct mem m;

	(void)state;
	mem_open(&m);
	c.width_px = 49;
	assert_int_equal(doc_svg_trend(m.f, &c, &s, 1), -1);
	c.width_px = 300;
	c.t1_s = 0;
	assert_int_equal(doc_svg_trend(m.f, &c, &s, 1), -1);
	c.t1_s = 50;
	assert_int_equal(doc_svg_trend(m.f, &c, &s, 0), -1);
	assert_int_equal(doc_svg_trend(m.f, &c, &s, 9), -1);
	assert_int_equal(doc_svg_trend(m.f, NULL, &s, 1), -1);
	assert_int_equal(doc_svg_bars(m.f, "b", "kg", labels, v, 0, 300, 100), -1);
	assert_int_equal(doc_svg_bars(m.f, "b", "kg", labels, v, 2, 10, 100), -1);
	assert_int_equal(doc_svg_spans(m.f, "s", &sp, 1, 10, 10, 400), -1);
	assert_int_equal(doc_svg_spans(m.f, "s", &sp, 0, 0, 10, 400), -1);
	assert_int_equal(strlen(mem_text(&m)), 0);
	mem_close(&m);
}

static void bars_and_spans(void **state)
{
	static const char *const labels[] = {"Jan", "Feb", "Mar"};
	static const double values[] = {2.5, NAN, 3.1};
	static const struct doc_svg_span sp[] = {
		{"purge", 0, 600, 0}, {"HI pressure", 700, 800, 1},
		{"distil", 600, NAN, 0}, {"HI pressure", 900, 950, 1}};
	struct mem m;

	(void)state;
	mem_open(&m);
	assert_int_equal(doc_svg_bars(m.f, "Yield", "%", labels, values, 3, 400, 200), 0);
	assert_int_equal(count_of(mem_text(&m), "class=\"bar\""), 2);
	assert_int_equal(count_of(mem_text(&m), "class=\"nodata\""), 1);
	mem_close(&m);
	mem_open(&m);
	assert_int_equal(doc_svg_spans(m.f, "Steps", sp, 4, 0, 3600, 600), 0);
	assert_int_equal(count_of(mem_text(&m), "<rect class=\"span k"), 4);
	/* three rows, one label each */
	assert_int_equal(count_of(mem_text(&m), ">HI pressure</text>"), 1);
	assert_non_null(strstr(mem_text(&m), "viewBox=\"0 0 600 112\""));
	mem_close(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(esc_all_five),
		cmocka_unit_test(shell_and_sections),
		cmocka_unit_test(table_numeric_columns),
		cmocka_unit_test(envelope_keeps_a_spike),
		cmocka_unit_test(envelope_keeps_order),
		cmocka_unit_test(decision_and_forecast),
		cmocka_unit_test(gaps_and_reference),
		cmocka_unit_test(bad_arguments_write_nothing),
		cmocka_unit_test(bars_and_spans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
