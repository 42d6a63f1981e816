/*
 * test_rpt_trace: issue 14's reports through rpt_main on a real SQLite
 * file (the season of trace_fx.h, written by the records writers): `drum
 * list` (text, CSV, JSON), `drum show`, `trace --drum` (by id or trace
 * code; households hidden unless the plant's privacy allows them), `trace
 * --lot`, `lot show` with corrected values, corrections and oil, `lot
 * list` with part and organic; every text report fits 80 columns; bad
 * input is one sentence.
 * links: ui/rpt.c ui/rpt_trace.c ui/rpt_lot.c ui/rpt_drum.c ui/rpt_econ.c config/econ.c records/store.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_trace.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c records/store_lotfix.c config/alloc.c records/store_backup.c common/sha256.c common/num.c tests/unit/store_fx.c tests/unit/trace_fx.c ui/doc_label.c ui/doc.c ui/doc_qr.c ui/doc_yields.c ui/doc_svg.c ui/doc_batch.c ui/doc_ref.c ui/doc_head.c recipes/rcp.c config/cfg.c config/cfg_econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/diag.c records/store_hist.c records/store_histvt.c common/clk.c
 * ldflags: -lqrencode
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"
#include "trace_fx.h"

/* What one rpt_main run printed. */
struct t_run {
	char *out, *err;
	int rc;
};

static struct cfg_plant t_cfg;

/* Runs rpt_main on the words of line (split on '|') with the plant t_cfg
 * (households shown when households is 1). */
static void t_run(struct t_env *e, struct t_run *r, int households,
                  const char *line)
{
	char buf[512], *argv[32], *save = NULL;
	size_t out_len, err_len;
	FILE *out, *err;
	int argc = 0;

	free(r->out);
	free(r->err);
	snprintf(buf, sizeof buf, "%s", line);
	for (char *w = strtok_r(buf, "|", &save); w && argc < 31;
	     w = strtok_r(NULL, "|", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	t_plant(&t_cfg);
	t_cfg.settle.households_in_trace = households;
	out = open_memstream(&r->out, &out_len);
	err = open_memstream(&r->err, &err_len);
	r->rc = rpt_main(argc, argv, e->path, &t_cfg, out, err);
	fclose(out);
	fclose(err);
}

/* t_run of words, then drum's trace code (into code). */
static void t_run_code(struct t_env *e, struct t_run *r, const char *words,
                       const char *drum, char code[32])
{
	char line[96];

	t_code(e, drum, code, 32);
	snprintf(line, sizeof line, "%s|%s", words, code);
	t_run(e, r, 0, line);
}

/* t_season, batch 1 released and drum D2 shipped; then t_run of line. */
static void t_shipped_run(struct t_env *e, struct t_run *r, const char *line)
{
	long b1, b2;

	t_season(e, &b1, &b2);
	t_release(e, b1, "released");
	t_ship(e, "D2", "2025-04-01");
	t_run(e, r, 0, line);
}

/* Fails unless every line of text is at most 80 characters (UTF-8). */
static void t_fits(const char *text)
{
	int col = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		col += ((unsigned char)*p & 0xC0) != 0x80;
		if (col > 80)
			fail_msg("line longer than 80 columns in:\n%s", text);
	}
}

/* The run succeeded, printed nothing on err and want on out. */
static void t_ok(const struct t_run *r, const char *want)
{
	if (r->rc != RPT_OK || *r->err)
		fail_msg("rc %d, err: %s", r->rc, r->err);
	t_assert_contains(r->out, want);
}

/* The run failed with one line on err containing want, nothing on out. */
static void t_fails(const struct t_run *r, const char *want)
{
	assert_int_not_equal(r->rc, RPT_OK);
	t_assert_contains(r->err, want);
	assert_non_null(strchr(r->err, '\n'));
	assert_string_equal(strchr(r->err, '\n'), "\n");
	assert_string_equal(r->out, "");
}

static void t_free(struct t_run *r)
{
	free(r->out);
	free(r->err);
}

/* drum list: one line per drum with its QA status and buyer; CSV and JSON
 * with the agreed columns. */
static void test_drum_list(void **state)
{
	struct t_env *e = *state;
	struct t_run r = {NULL, NULL, 0};

	t_shipped_run(e, &r, "drum|list");
	t_ok(&r, "D1");
	t_assert_contains(r.out, "pending");
	t_assert_contains(r.out, "releasable");
	t_assert_contains(r.out, "Aroma GmbH");
	t_fits(r.out);
	t_run(e, &r, 0, "drum|list|--csv");
	t_ok(&r, "drum_id,feedstock,organic,net_kg,batches,qa_status,shipped,"
	         "buyer,trace_code,tare_kg,gross_kg,shipment_id,doc_no,ship_date\r\n");
	t_assert_contains(r.out, "D2,cassia-leaf,0,0.5,1,releasable,1,Aroma GmbH");
	t_run(e, &r, 0, "drum|list|--json");
	t_ok(&r, "[");
	t_is(r.out, "$[0].drum_id", "D1");
	t_is(r.out, "$[0].net_kg", "2.0");
	t_is(r.out, "$[0].batches", "2");
	t_is(r.out, "$[0].shipped", "0");
	t_type(r.out, "$[0].buyer", "null");
	t_is(r.out, "$[1].organic", "0");
	t_is(r.out, "$[1].feedstock", "cassia-leaf");
	t_is(r.out, "$[1].buyer", "Aroma GmbH");
	t_type(r.out, "$[2]", "");
	t_free(&r);
}

/* drum show: the drum by id or trace code, its masses, status, shipment
 * and fills; JSON with the agreed keys; an unknown drum is a sentence. */
static void test_drum_show(void **state)
{
	struct t_env *e = *state;
	struct t_run r = {NULL, NULL, 0};
	char code[32];
	long b1, b2;

	t_season(e, &b1, &b2);
	t_run_code(e, &r, "drum|show", "D1", code);
	t_ok(&r, "Drum D1");
	t_assert_contains(r.out, code);
	t_assert_contains(r.out, "2.000 kg net");
	t_assert_contains(r.out, "4.500 kg gross");
	t_assert_contains(r.out, "pending");
	t_assert_contains(r.out, "not shipped");
	t_assert_contains(r.out, "Fills");
	t_fits(r.out);
	t_run(e, &r, 0, "drum|show|D1|--json");
	t_ok(&r, "{");
	t_is(r.out, "$.trace_code", code);
	t_is(r.out, "$.gross_kg", "4.5");
	t_type(r.out, "$.shipment", "null");
	t_is(r.out, "$.fills[1].batch_id", "2");
	t_run(e, &r, 0, "drum|show|D9");
	t_fails(&r, "no drum D9");
	t_free(&r);
}

/* trace --drum: the buyer's trace, households hidden unless the plant's
 * privacy says otherwise; communes and certificates always. */
static void test_trace_drum(void **state)
{
	struct t_env *e = *state;
	struct t_run r = {NULL, NULL, 0};
	char code[32], line[64];
	long b1, b2;

	t_season(e, &b1, &b2);
	t_run_code(e, &r, "trace|--drum", "D1", code);
	snprintf(line, sizeof line, "trace|--drum|%s", code);
	t_ok(&r, "Drum D1");
	t_assert_contains(r.out, "households: hidden (privacy)");
	t_assert_contains(r.out, "VN-ORG-7");
	t_assert_contains(r.out, "L2");
	assert_null(strstr(r.out, "Hoa"));
	assert_null(strstr(r.out, "Mai"));
	t_fits(r.out);
	t_run(e, &r, 1, line);
	t_ok(&r, "Hoa");
	t_assert_contains(r.out, "Mai");
	t_run(e, &r, 0, "trace|--drum|D1|--json");
	t_is(r.out, "$.drum.drum_id", "D1");
	t_type(r.out, "$.batches[0].lots[0].grower", "");
	t_run(e, &r, 1, "trace|--drum|D1|--json");
	t_is(r.out, "$.batches[0].lots[0].grower", "Hoa");
	t_run(e, &r, 0, "trace|--drum|D9");
	t_fails(&r, "no drum D9");
	t_run(e, &r, 0, "trace|--drum|D1|--lot|L1");
	t_fails(&r, "trace:");
	t_free(&r);
}

/* trace --lot: the recall answer: batches, drums, shipments and buyers. */
static void test_trace_lot(void **state)
{
	struct t_env *e = *state;
	struct t_run r = {NULL, NULL, 0};

	t_shipped_run(e, &r, "trace|--lot|L1");
	t_ok(&r, "Lot L1");
	t_assert_contains(r.out, "Hoa");
	t_assert_contains(r.out, "D1");
	t_assert_contains(r.out, "not shipped");
	t_assert_contains(r.out, "Aroma GmbH");
	t_assert_contains(r.out, "INV-9");
	t_fits(r.out);
	t_run(e, &r, 0, "trace|--lot|L1|--json");
	t_is(r.out, "$.lot.lot_id", "L1");
	t_is(r.out, "$.batches[0].drums[1].shipment.buyer", "Aroma GmbH");
	t_run(e, &r, 0, "trace|--lot|NOPE");
	t_fails(&r, "no lot named NOPE");
	t_free(&r);
}

/* lot show and lot list: corrected values, certificates, corrections,
 * oil attributed; lot show --json is one object. */
static void test_lot(void **state)
{
	struct t_env *e = *state;
	struct t_run r = {NULL, NULL, 0};
	long b1, b2;

	t_season(e, &b1, &b2);
	t_run(e, &r, 0, "lot|show|L2");
	t_ok(&r, "Lot L2");
	t_assert_contains(r.out, "VN-ORG-7 (Control Union)");
	t_assert_contains(r.out, "twig");
	t_assert_contains(r.out, "Corrections");
	t_assert_contains(r.out, "organic_cert");
	t_assert_contains(r.out, "1.011 kg");
	t_fits(r.out);
	t_run(e, &r, 0, "lot|show|L1|--json");
	t_is(r.out, "$.moisture_pct", "11.5");
	t_is(r.out, "$.oil_g", "1989");
	t_is(r.out, "$.batches[0].oil_g", "1989");
	t_run(e, &r, 0, "lot|list");
	t_ok(&r, "twig");
	t_fits(r.out);
	t_run(e, &r, 0, "lot|list|--json");
	t_is(r.out, "$[1].organic", "1");
	t_is(r.out, "$[1].plant_part", "twig");
	t_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drum_list, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_drum_show, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_trace_drum, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_trace_lot, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_lot, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
