/* Unit tests of the QR code writer (ui/doc_qr.c, real libqrencode), and
 * the sample documents the kit's integration test renders in chromium
 * (tests/integration/doc_kit.sh):
 *   test_doc_qr --page TEXT    an A4 page: sections, a table, badges, an
 *                              8-hour trend of 3 series and a reference,
 *                              bars, a timeline and the QR code of TEXT
 *   test_doc_qr --label TEXT   a 100 x 150 mm label with the QR code
 * links: ui/doc.c ui/doc_svg.c ui/doc_qr.c
 * ldflags: -lqrencode */
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
#include "doc_qr.h"
#include "doc_svg.h"

#define N_8H 28800

static void qr_is_one_path(void **state)
{
	char cause[160] = "", *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(doc_qr_svg(f, "SR-D-42", 30, cause, sizeof cause), 0);
	fflush(f);
	assert_non_null(strstr(buf, "<svg class=\"qrcode\" viewBox=\"0 0 29 29\" width=\"30mm\""));
	assert_non_null(strstr(buf, "<path class=\"qr\""));
	assert_null(strstr(strstr(buf, "<path class=\"qr\"") + 1, "<path"));
	/* the finder pattern's top row: 7 dark modules after the quiet zone */
	assert_non_null(strstr(buf, "d=\"M4 4h7v1h-7z"));
	fclose(f);
	free(buf);
}

static void qr_refuses_with_a_sentence(void **state)
{
	char cause[160], *buf = NULL, *big;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(doc_qr_svg(f, "", 30, cause, sizeof cause), -1);
	assert_string_equal(cause, "the QR code's text is empty");
	assert_int_equal(doc_qr_svg(f, NULL, 30, cause, sizeof cause), -1);
	assert_int_equal(doc_qr_svg(f, "x", 0, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "size 0 mm"));
	big = malloc(3000);
	assert_non_null(big);
	memset(big, 'a', 2999);
	big[2999] = '\0';
	assert_int_equal(doc_qr_svg(f, big, 30, cause, sizeof cause), -1);
	assert_non_null(strstr(cause, "2999 bytes"));
	big[2331] = '\0';
	assert_int_equal(doc_qr_svg(f, big, 30, cause, sizeof cause), 0);
	big[2332] = '\0';
	big[2331] = 'a';
	assert_int_equal(doc_qr_svg(f, big, 30, cause, sizeof cause), -1);
	fflush(f);
	assert_int_equal(strncmp(buf, "<svg", 4), 0);
	assert_null(strstr(buf + 1, "<svg"));
	fclose(f);
	free(buf);
	free(big);
}

static double t8h[N_8H], v8h[3][N_8H], vref[N_8H];

/* the sample trend: three curves over 8 h, one a spike, and a reference */
static void sample_trend(FILE *f)
{
	struct doc_svg_trend c = {"Temperatures", "\u00b0C", 700, 280, 0, N_8H, NAN, NAN,
	                          {{104, "high 104 \u00b0C", 0}, {20, "low", 0}}, 2,
	                          {{7200, "HI vapour", 0}, {21000, "hold", 0}}, 2};
	struct doc_svg_series s[4] = {
		{"charge", t8h, v8h[0], N_8H, 0}, {"vapour", t8h, v8h[1], N_8H, 0},
		{"distillate", t8h, v8h[2], N_8H, 0}, {"vapour, batch 12 (ref)", t8h, vref, N_8H, 1}};
	int i;

	for (i = 0; i < N_8H; i++) {
		t8h[i] = i;
		v8h[0][i] = 25 + 75 * (1 - exp(-i / 1800.0));
		v8h[1][i] = 24 + 76 * (1 - exp(-i / 1500.0)) + ((i * 7919) % 13) * 0.05;
		v8h[2][i] = i > 20000 && i < 20600 ? NAN : 30 + 5 * sin(i / 2000.0);
		vref[i] = 24 + 74 * (1 - exp(-(i - 600) / 1700.0));
	}
	v8h[1][14400] = 112;
	doc_svg_trend(f, &c, s, 4);
}

static void sample_page(FILE *f, const char *qr_text)
{
	static const char *const heads[] = {"lot", "grower", "mass (kg)"};
	static const char *const row1[] = {"L-7", "H\u1ed9 Nguy\u1ec5n V\u0103n An", "412.5"};
	static const char *const row2[] = {"L-9 <&>", NULL, "87.0"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr"};
	static const double yields[] = {2.41, 2.65, NAN, 2.2};
	static const struct doc_svg_span spans[] = {
		{"purge", 0, 900, 0}, {"heat-up", 900, 4000, 0}, {"distil", 4000, 27000, 0},
		{"HI vapour", 7200, 7500, 1}, {"distil", 27000, NAN, 2}};
	char cause[160];

	doc_begin(f, "Batch 42: sample", "en", DOC_A4);
	doc_h(f, 1, "Batch 42 sample record");
	doc_section_begin(f, "identity", "Identity", DOC_KEEP);
	doc_kv_begin(f);
	doc_kv(f, "still", "still1");
	doc_kv(f, "operator", "Tr\u1ea7n Th\u1ecb B\u00ecnh");
	doc_kv(f, "released by", NULL);
	doc_kv_end(f);
	if (doc_qr_svg(f, qr_text, 30, cause, sizeof cause) < 0)
		doc_p(f, cause);
	doc_p(f, "QA: ");
	doc_badge(f, DOC_PASS, "trans-anethole 88 %");
	doc_badge(f, DOC_FAIL, "moisture");
	doc_badge(f, DOC_PENDING, "release");
	doc_table_begin(f, heads, 3, 0);
	doc_table_row(f, row1, 3);
	doc_table_row(f, row2, 3);
	doc_table_end(f);
	doc_section_end(f);
	doc_section_begin(f, "trends", "Trends", 0);
	sample_trend(f);
	doc_section_end(f);
	doc_section_begin(f, "yields", "Yields by month", 0);
	doc_svg_bars(f, "Yield", "%", months, yields, 4, 600, 240);
	doc_svg_spans(f, "Steps and alarms", spans, 5, 0, N_8H, 700);
	doc_section_end(f);
	doc_section_begin(f, "trace", "Trace", 0);
	doc_pf(f, "Trace code %s", qr_text);
	doc_section_end(f);
	doc_end(f);
}

static void sample_label(FILE *f, const char *qr_text)
{
	char cause[160];

	doc_begin(f, "Drum label", "en", DOC_LABEL);
	doc_h(f, 1, "Star anise oil");
	doc_kv_begin(f);
	doc_kv(f, "net", "180.0 kg");
	doc_kv_end(f);
	if (doc_qr_svg(f, qr_text, 40, cause, sizeof cause) < 0)
		doc_p(f, cause);
	doc_p(f, qr_text);
	doc_end(f);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qr_is_one_path),
		cmocka_unit_test(qr_refuses_with_a_sentence),
	};

	if (argc == 3 && strcmp(argv[1], "--page") == 0) {
		sample_page(stdout, argv[2]);
		return ferror(stdout) ? 1 : 0;
	}
	if (argc == 3 && strcmp(argv[1], "--label") == 0) {
		sample_label(stdout, argv[2]);
		return ferror(stdout) ? 1 : 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
