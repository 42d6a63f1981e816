/*
 * test_rpt: the read-only report commands, driven through rpt_main on a
 * database built with the store API: text (80 columns), JSON (parsed back
 * with SQLite's JSON functions), CSV (header and rows), filters, traces,
 * audit verify, bad input (one line, exit 1, nothing written), and reports
 * while another connection holds the write lock.
 * links: ui/rpt.c ui/rpt_trace.c ui/rpt_lot.c ui/rpt_econ.c config/econ.c records/store.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c common/sha256.c common/num.c records/store_drum.c records/store_attr.c config/alloc.c records/store_lotfix.c records/store_trace.c ui/rpt_drum.c ui/doc_label.c ui/doc.c ui/doc_qr.c ui/doc_yields.c ui/doc_svg.c ui/doc_batch.c ui/doc_ref.c ui/doc_head.c recipes/rcp.c config/cfg.c config/cfg_econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/diag.c records/store_hist.c records/store_histvt.c common/clk.c
 * ldflags: -lqrencode
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

#include <sqlite3.h>

#include "rpt.h"
#include "store_write.h"

#define T_GROWER "Nguy\xe1\xbb\x85n V\xc4\x83n A"   /* Nguyễn Văn A */

struct t_env {
	char dir[64];
	char path[128];
	char *out, *err;        /* of the last t_run */
	int rc;
};

static char t_cause[STORE_CAUSE_MAX];

/* ---------------------------------------------------------------- */
/* The database: two lots, a finished and released batch, a running one */

static void t_lot(struct store *s, const char *id, const char *feedstock,
                  const char *grower, const char *mass, const char *moisture)
{
	struct store_lot l;

	store_lot_init(&l);
	assert_int_equal(store_lot_set(&l, "id", id, t_cause, sizeof t_cause), 0);
	assert_int_equal(store_lot_set(&l, "feedstock", feedstock, t_cause,
	                               sizeof t_cause), 0);
	assert_int_equal(store_lot_set(&l, "grower", grower, t_cause, sizeof t_cause), 0);
	assert_int_equal(store_lot_set(&l, "cooperative", "Tra Bong coop", t_cause,
	                               sizeof t_cause), 0);
	assert_int_equal(store_lot_set(&l, "mass", mass, t_cause, sizeof t_cause), 0);
	assert_int_equal(store_lot_set(&l, "moisture", moisture, t_cause,
	                               sizeof t_cause), 0);
	if (store_lot_add(s, &l, "Lan", t_cause, sizeof t_cause) != 0)
		fail_msg("lot add: %s", t_cause);
}

static long t_batch(struct store *s, const char *still, const char *feedstock,
                    const char *lot, double charge_kg)
{
	struct store_batch_start b = {
		.still = still, .recipe_name = feedstock, .recipe_version = 2,
		.recipe_text = "steps: []\n", .feedstock = feedstock, .lot_id = lot,
		.charge_kg = charge_kg, .operator_name = "Lan", .t_process_s = 0,
	};
	long id = store_batch_begin(s, &b, t_cause, sizeof t_cause);

	if (id <= 0)
		fail_msg("batch: %s", t_cause);
	return id;
}

static void t_event(struct store *s, long id, const char *kind, const char *what,
                    const char *old, const char *new, const char *who,
                    const char *text)
{
	struct store_event ev = {
		.batch_id = id, .still = "still1", .kind = kind, .what = what,
		.old_value = old, .new_value = new, .who = who, .text = text,
		.t_process_s = 30,
	};

	assert_int_equal(store_events(s, &ev, 1, t_cause, sizeof t_cause), 0);
}

static void t_samples(struct store *s, long id)
{
	struct store_sample row[4];

	memset(row, 0, sizeof row);
	for (int i = 0; i < 4; i++) {
		row[i].batch_id = id;
		snprintf(row[i].still, sizeof row[i].still, "still1");
		row[i].t_process_s = 30.0 * i;
		row[i].wall_s = 1.7e9 + 30.0 * i;
		row[i].value[CFG_TAG_OIL] = 500.0 * i;
		row[i].value[CFG_TAG_PRESSURE] = 3.5;
	}
	assert_int_equal(store_samples(s, row, 4, t_cause, sizeof t_cause), 0);
}

static void t_build(const char *path)
{
	static const struct store_qa_spec spec = {
		.feedstock = "cassia-leaf", .density_min = 1.052, .density_max = 1.070,
		.ri_min = 1.600, .ri_max = 1.614, .marker = "cinnamaldehyde",
		.marker_min_pct = 80, .marker_max_pct = NAN,
	};
	/* 820 kg of steam from 273.3 kg of firewood, 3 h: 504,000 VND */
	static const struct econ_use use = {
		.steam_kg = 820, .cooling_m3 = 36, .running_h = 3, .fuel_kg = 820 / 3.0,
		.electricity_kwh = 9, .labour_h = 3,
	};
	struct store *s = store_open(path, STORE_RW, t_cause, sizeof t_cause);
	struct cfg_plant *p = calloc(1, sizeof *p);
	struct store_qa_result r;
	long id;

	assert_non_null(s);
	p->n_stills = 2;
	snprintf(p->stills[0].name, sizeof p->stills[0].name, "still1");
	snprintf(p->stills[1].name, sizeof p->stills[1].name, "still2");
	assert_int_equal(store_sync_plant(s, p, t_cause, sizeof t_cause), 0);
	free(p);
	t_lot(s, "L1", "cassia-leaf", T_GROWER, "800", "12");
	t_lot(s, "S1", "star-anise", "Hoang Van C", "300", "10");
	id = t_batch(s, "still1", "cassia-leaf", "L1", 500);
	assert_int_equal(store_batch_step(s, id, 0, "purge", 0, t_cause,
	                                  sizeof t_cause), 0);
	assert_int_equal(store_batch_step(s, id, 1, "distil", 600, t_cause,
	                                  sizeof t_cause), 0);
	t_event(s, id, "alarm", "pressure_h", "normal", "unack", "controller",
	        "still pressure 26.0 kPa above 25.0");
	t_event(s, id, "alarm", "pressure_h", "unack", "acked", "Lan", NULL);
	t_event(s, id, "prompt", "distil", NULL, NULL, "controller",
	        "Is there still an oil film on the water?");
	t_event(s, id, "answer", "distil", NULL, "no", "Lan", NULL);
	t_event(s, id, "state", "state", "running", "complete", "controller", NULL);
	t_samples(s, id);
	assert_int_equal(store_batch_end(s, id, 3.6, &use, 504000, t_cause,
	                                 sizeof t_cause), 0);
	assert_int_equal(store_batch_weigh(s, id, 3.5, "Minh", NULL, t_cause,
	                                   sizeof t_cause), 0);
	store_qa_result_init(&r);
	r.density = 1.060;
	r.refractive_index = 1.605;
	r.marker_pct = 85;
	snprintf(r.analyst, sizeof r.analyst, "Hoa");
	assert_int_equal(store_qa_record(s, id, &r, &spec, NULL, t_cause,
	                                 sizeof t_cause), 0);
	assert_int_equal(store_qa_decide(s, id, "released", "Thu", "all in spec",
	                                 t_cause, sizeof t_cause), 0);
	t_batch(s, "still2", "star-anise", "S1", 200);
	store_close(s);
}

static int t_setup(void **state)
{
	struct t_env *e = calloc(1, sizeof *e);

	snprintf(e->dir, sizeof e->dir, "/tmp/test_rpt.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof e->path, "%s/sr.db", e->dir);
	t_build(e->path);
	*state = e;
	return 0;
}

static int t_teardown(void **state)
{
	struct t_env *e = *state;
	char cmd[160];

	free(e->out);
	free(e->err);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		return -1;
	free(e);
	return 0;
}

/* Runs rpt_main on the words of line (split on '|'); e->out, e->err and
 * e->rc get what it did. */
static int t_run(struct t_env *e, const char *line)
{
	char buf[512], *argv[32], *save = NULL;
	size_t out_len, err_len;
	FILE *out, *err;
	int argc = 0;

	free(e->out);
	free(e->err);
	snprintf(buf, sizeof buf, "%s", line);
	for (char *w = strtok_r(buf, "|", &save); w && argc < 31;
	     w = strtok_r(NULL, "|", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	out = open_memstream(&e->out, &out_len);
	err = open_memstream(&e->err, &err_len);
	e->rc = rpt_main(argc, argv, e->path, NULL, out, err);
	fclose(out);
	fclose(err);
	return e->rc;
}

static void t_contains(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("output does not contain '%s':\n%s", want, text);
}

/* A SQLite expression over the JSON text (bound as ?1), as an integer. */
static long long t_json(const char *json, const char *expr)
{
	char sql[256];
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -999;

	snprintf(sql, sizeof sql, "SELECT %s", expr);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Every line of text fits an 80-column screen (UTF-8 aware). */
static void t_fits_80(const char *text)
{
	int col = 0, line = 1;

	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			col = 0;
			line++;
			continue;
		}
		if (((unsigned char)*p & 0xC0) != 0x80 && ++col > 80)
			fail_msg("line %d is wider than 80 columns:\n%s", line, text);
	}
}

/* An error is one line, the exit code 1, nothing on out. */
static void t_one_line_error(struct t_env *e, const char *want)
{
	assert_int_equal(e->rc, RPT_ERR);
	assert_string_equal(e->out, "");
	assert_true(*e->err && strchr(e->err, '\n') == e->err + strlen(e->err) - 1);
	t_contains(e->err, want);
}

/* ---------------------------------------------------------------- */
/* report batch                                                       */

static void test_batch_text(void **state)
{
	struct t_env *e = *state;

	assert_int_equal(t_run(e, "report|batch|1"), RPT_OK);
	t_contains(e->out, "Batch 1  still1  complete");
	t_contains(e->out, "cassia-leaf v2");
	t_contains(e->out, T_GROWER);
	t_contains(e->out, "3.600 kg in the receiver; 3.500 kg weighed by Minh");
	/* 3.5 / 500; dry basis 3.5 / (500 * 0.88) */
	t_contains(e->out, "0.700 % as charged; 0.795 % dry basis (moisture 12.0 %)");
	t_contains(e->out, "released by Thu");
	t_contains(e->out, "pressure_h");
	t_contains(e->out, "Is there still an oil film on the water?");
	t_contains(e->out, "answered 'no' by Lan");
	t_contains(e->out, "IN SPEC");
	t_contains(e->out, "cinnamaldehyde 85.0 % (min 80.0)");
	t_contains(e->out, "density 1.0600 (1.0520 to 1.0700)");
	t_contains(e->out, "measure oil_kg: 3.600 kg -> 3.500 kg (Minh)");
	/* the resources and their cost over the weighed oil: 504,000 / 3.5 */
	t_contains(e->out, "\nResources  820.0 kg steam (273.3 kg fuel), 36.00 m3 "
	           "cooling water,\n           9.00 kWh, 3.00 h labour\n");
	t_contains(e->out, "\nCost       504,000 VND; 144,000 VND per kg of oil\n");
	t_contains(e->out, "This record ends at audit row");
	t_fits_80(e->out);
	assert_string_equal(e->err, "");
}

static void test_batch_json(void **state)
{
	struct t_env *e = *state;
	static const char *const keys[] = {
		"id", "still", "state", "recipe", "recipe_version", "recipe_sha256",
		"feedstock", "lots", "charge_kg", "oil_kg", "yield_pct",
		"yield_dry_pct", "started_at", "ended_at", "duration_min",
		"operator", "steam_kg", "alarm_count", "qa_status",
	};
	char expr[96];

	assert_int_equal(t_run(e, "report|batch|1|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_valid(?1)"), 1);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(expr, sizeof expr, "json_type(?1, '$.%s') IS NOT NULL", keys[i]);
		if (t_json(e->out, expr) != 1)
			fail_msg("no %s in %s", keys[i], e->out);
	}
	assert_int_equal(t_json(e->out, "json_extract(?1, '$.id')"), 1);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$.alarm_count')"), 1);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$.qa_status') = 'released'"), 1);
	assert_int_equal(t_json(e->out, "abs(json_extract(?1, '$.yield_pct') - 0.7)"
	                                " < 1e-9"), 1);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$.lots[0].grower') = '"
	                                T_GROWER "'"), 1);
	assert_int_equal(t_json(e->out, "json_array_length(?1, '$.steps')"), 2);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$.qa[0].in_spec')"), 1);
	assert_int_equal(t_json(e->out, "json_array_length(?1, '$.events') > 5"), 1);
}

static void test_batch_csv(void **state)
{
	struct t_env *e = *state;

	assert_int_equal(t_run(e, "report|batch|1|--csv"), RPT_OK);
	assert_int_equal(strncmp(e->out, "id,still,state,recipe,recipe_version,"
	                                 "recipe_sha256,feedstock,lots,", 62), 0);
	t_contains(e->out, "\r\n1,still1,complete,cassia-leaf,2,");
	t_contains(e->out, "," T_GROWER ",");
}

static void test_batch_bad_input(void **state)
{
	struct t_env *e = *state;

	t_run(e, "report|batch|99");
	t_one_line_error(e, "stillroom: no batch 99");
	t_run(e, "report|batch|99|--json");
	t_one_line_error(e, "no batch 99");
	t_run(e, "report|batch|99|--csv");
	t_one_line_error(e, "no batch 99");
	/* a bad number is a usage error (exit 2), said in one line */
	assert_int_equal(t_run(e, "report|batch|abc"), RPT_USAGE);
	assert_true(*e->err && strchr(e->err, '\n') == e->err + strlen(e->err) - 1);
	t_contains(e->err, "batch id: 'abc' is not a number (1 to 2147483647)");
	assert_int_equal(t_run(e, "report|batch|-3"), RPT_USAGE);
	t_contains(e->err, "batch id: -3 is out of range (1 to 2147483647)");
	assert_int_equal(t_run(e, "report|batch"), RPT_USAGE);
	t_contains(e->err, "usage: stillroom report batch ID");
	assert_int_equal(t_run(e, "report|batch|1|--xml"), RPT_USAGE);
	assert_int_equal(t_run(e, "report|frobnicate"), RPT_USAGE);
}

/* ---------------------------------------------------------------- */
/* report batches, yields, curve                                      */

static void test_batches_filters(void **state)
{
	struct t_env *e = *state;

	assert_int_equal(t_run(e, "report|batches"), RPT_OK);
	t_contains(e->out, "cassia-leaf");
	t_contains(e->out, "star-anise");
	t_fits_80(e->out);
	assert_int_equal(t_run(e, "report|batches|--feedstock|star-anise|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_array_length(?1)"), 1);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].id')"), 2);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].lots[0].lot_id')"
	                                " = 'S1'"), 1);
	assert_int_equal(t_run(e, "report|batches|--grower=" T_GROWER "|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].id')"), 1);
	assert_int_equal(t_json(e->out, "json_array_length(?1)"), 1);
	assert_int_equal(t_run(e, "report|batches|--lot|S1|--state|running|--csv"),
	                 RPT_OK);
	t_contains(e->out, "\r\n2,still2,running,");
	assert_int_equal(t_run(e, "report|batches|--still|still9|--json"), RPT_OK);
	assert_string_equal(e->out, "[]\n");
	assert_int_equal(t_run(e, "report|batches|--from|2000-01-01|--to|2999-12-31"
	                          "|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_array_length(?1)"), 2);
	assert_int_equal(t_run(e, "report|batches|--to|2000-01-01|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_array_length(?1)"), 0);
	t_run(e, "report|batches|--from|yesterday");
	t_one_line_error(e, "--from 'yesterday' is not a date (YYYY-MM-DD)");
	assert_int_equal(t_run(e, "report|batches|--still"), RPT_USAGE);
}

static void test_yields(void **state)
{
	struct t_env *e = *state;

	assert_int_equal(t_run(e, "report|yields|--by|grower|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_array_length(?1)"), 1);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].grower') = '"
	                                T_GROWER "'"), 1);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].batches')"), 1);
	assert_int_equal(t_json(e->out, "abs(json_extract(?1, '$[0].yield_mean_pct')"
	                                " - 0.7) < 1e-9"), 1);
	assert_int_equal(t_run(e, "report|yields"), RPT_OK);
	t_contains(e->out, "feedstock");
	t_contains(e->out, "0.700");
	/* the cost table beside the yields, VND with thousands separators */
	t_contains(e->out, "\nResources and cost\n");
	t_contains(e->out, "  cassia-leaf              1     3.500      820.0         504,000"
	           "      144,000\n");
	t_fits_80(e->out);
	assert_int_equal(t_run(e, "report|yields|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].cost_vnd') = 504000"
	                                " AND json_extract(?1, '$[0].steam_kg') = 820"
	                                " AND json_extract(?1, '$[0].cost_vnd_per_kg_oil')"
	                                " = 144000"), 1);
	assert_int_equal(t_run(e, "report|yields|--by|month|--csv"), RPT_OK);
	assert_int_equal(strncmp(e->out, "month,batches,oil_kg,yield_mean_pct,", 36), 0);
	t_run(e, "report|yields|--by|colour");
	t_one_line_error(e, "cannot group yields by 'colour'");
}

static void test_curve(void **state)
{
	struct t_env *e = *state;
	int lines = 0;

	assert_int_equal(t_run(e, "report|curve|1|--csv"), RPT_OK);
	assert_int_equal(strncmp(e->out, "t_s,t_min,wall,oil_kg,receiver_kg,"
	                                 "pressure_kpa,still_temp_c,vapour_temp_c,"
	                                 "distillate_temp_c,steam_kg_h,", 100), 0);
	for (const char *p = e->out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 5);
	t_contains(e->out, "\r\n90.0,1.5,2023-11-14T22:14:50Z,1.5,1.5,3.5,");
	/* a running batch without samples: nothing, but no error */
	assert_int_equal(t_run(e, "report|curve|2"), RPT_OK);
	t_run(e, "report|curve|7");
	t_one_line_error(e, "no batch 7");
}

/* ---------------------------------------------------------------- */
/* trace, lots, audit                                                 */

static void test_trace(void **state)
{
	struct t_env *e = *state;

	assert_int_equal(t_run(e, "trace|1"), RPT_OK);
	t_contains(e->out, "Batch 1: 3.500 kg oil of cassia-leaf, still1");
	t_contains(e->out, "L1");
	t_contains(e->out, T_GROWER);
	t_contains(e->out, "Tra Bong coop");
	t_fits_80(e->out);
	assert_int_equal(t_run(e, "trace|--grower|" T_GROWER), RPT_OK);
	t_contains(e->out, "Grower " T_GROWER " (Tra Bong coop, -)");
	t_contains(e->out, "lot L1: cassia-leaf");
	t_contains(e->out, "batch 1: 500.0 kg drawn");
	t_contains(e->out, "oil 3.500 kg");
	t_contains(e->out, "released");
	assert_int_equal(t_run(e, "trace|--grower|hoang van c|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].batch_id')"), 2);
	t_run(e, "trace|--grower|Nobody");
	t_one_line_error(e, "no lots from grower Nobody");
	t_run(e, "trace|5");
	t_one_line_error(e, "no batch 5");
	t_run(e, "trace");
	t_one_line_error(e, "give a batch id or --grower NAME");
}

static void test_lots(void **state)
{
	struct t_env *e = *state;

	assert_int_equal(t_run(e, "lot|list"), RPT_OK);
	t_contains(e->out, "L1");
	t_contains(e->out, "S1");
	t_fits_80(e->out);
	assert_int_equal(t_run(e, "lot|list|--feedstock|star-anise|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_array_length(?1)"), 1);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].mass_remaining_kg')"),
	                 100);
	assert_int_equal(t_run(e, "lot|show|L1"), RPT_OK);
	t_contains(e->out, "Lot L1");
	t_contains(e->out, "Left       300.0 kg");
	t_contains(e->out, "Batches charged from it");
	t_contains(e->out, "released");
	t_fits_80(e->out);
	t_run(e, "lot|show|NOPE");
	t_one_line_error(e, "no lot named NOPE");
}

/* Items the journal set aside are a report of their own, for the quality
 * manager: when, which still and batch, what, and why. */
static void test_quarantine(void **state)
{
	struct t_env *e = *state;
	struct store *s;
	struct store_quar_item q = {
		.item = "end", .ev = {.batch_id = 1, .still = "still1", .t_process_s = 900},
		.step = -1, .oil_kg = 2.5, .steam_kg = 90,
		.error = "batch 1 already has its end figures (oil 3.600 kg)",
	};

	assert_int_equal(t_run(e, "report|quarantine"), RPT_OK);
	t_contains(e->out, "nothing set aside");
	s = store_open(e->path, STORE_RW, t_cause, sizeof t_cause);
	assert_non_null(s);
	assert_int_equal(store_quarantine(s, &q, t_cause, sizeof t_cause), 0);
	store_close(s);
	assert_int_equal(t_run(e, "report|quarantine"), RPT_OK);
	t_contains(e->out, "still1");
	t_contains(e->out, "already has its end figures");
	t_fits_80(e->out);
	assert_int_equal(t_run(e, "report|quarantine|--json"), RPT_OK);
	assert_int_equal(t_json(e->out, "json_extract(?1, '$[0].batch_id')"), 1);
	assert_int_equal(t_json(e->out, "json_extract(json_extract(?1, '$[0].detail'),"
	                                " '$.steam_kg')"), 90);
	assert_int_equal(t_run(e, "audit|verify"), RPT_OK);
}

static void test_audit_verify(void **state)
{
	struct t_env *e = *state;
	sqlite3 *db;

	assert_int_equal(t_run(e, "audit|verify"), RPT_OK);
	t_contains(e->out, "rows intact, head ");
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER events_no_update;"
	                                  "UPDATE events SET who = 'Mallory'"
	                                  " WHERE id = 12", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(t_run(e, "audit|verify"), RPT_ERR);
	assert_string_equal(e->out, "audit: row 12 was edited: its contents do not "
	                            "match its hash\n");
}

/* ---------------------------------------------------------------- */
/* Dispatch and the writing commands                                  */

static void test_not_mine(void **state)
{
	struct t_env *e = *state;
	long long events = 0;
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(t_run(e, "lot|add|L9|--feedstock|x|--mass|5"), RPT_NOT_MINE);
	assert_int_equal(t_run(e, "qa|release|1|--operator|Thu"), RPT_NOT_MINE);
	assert_int_equal(t_run(e, "status"), RPT_NOT_MINE);
	assert_int_equal(t_run(e, "lot"), RPT_USAGE);
	/* reading wrote nothing */
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	sqlite3_prepare_v2(db, "SELECT count(*) FROM lots", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		events = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(events, 2);
}

static void test_missing_database(void **state)
{
	struct t_env *e = *state;
	char path[160];

	snprintf(path, sizeof path, "%s", e->path);
	snprintf(e->path, sizeof e->path, "%s/none.db", e->dir);
	t_run(e, "report|batches");
	t_one_line_error(e, "no database at");
	assert_int_not_equal(access(e->path, F_OK), 0);
	snprintf(e->path, sizeof e->path, "%s", path);
}

static void test_reports_while_writing(void **state)
{
	struct t_env *e = *state;
	sqlite3 *db;

	/* another connection holds the write lock, as the daemon may */
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO sites"
	                                  " VALUES ('x', 'y')", NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(t_run(e, "report|batch|1|--json"), RPT_OK);
	assert_int_equal(t_run(e, "audit|verify"), RPT_OK);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
}

static void test_lot_parse(void **state)
{
	char *ok[] = {"lot", "add", "L7", "--feedstock", "cassia-bark", "--grower",
	              "Tran Thi B", "--mass", "450.5", "--moisture", "13",
	              "--drying-days", "6", "--harvested", "2025-01-30",
	              "--operator", "Lan", NULL};
	char *bad_mass[] = {"lot", "add", "L7", "--feedstock", "x", "--grower", "y",
	                    "--mass", "abc", "--operator", "Lan", NULL};
	char *neg_mass[] = {"lot", "add", "L7", "--feedstock", "x", "--grower", "y",
	                    "--mass", "-2", "--operator", "Lan", NULL};
	char *no_op[] = {"lot", "add", "L7", "--feedstock", "x", "--grower", "y",
	                 "--mass", "2", NULL};
	char cause[STORE_CAUSE_MAX], op[64];
	struct store_lot l;

	(void)state;
	assert_int_equal(rpt_lot_parse(17, ok, &l, op, sizeof op, cause,
	                               sizeof cause), RPT_OK);
	assert_string_equal(l.lot_id, "L7");
	assert_string_equal(l.grower, "Tran Thi B");
	assert_true(l.mass_received_kg == 450.5 && l.moisture_pct == 13);
	assert_int_equal(l.drying_days, 6);
	assert_string_equal(op, "Lan");
	assert_int_equal(rpt_lot_parse(11, bad_mass, &l, op, sizeof op, cause,
	                               sizeof cause), RPT_ERR);
	assert_string_equal(cause, "mass: 'abc' is not a number (0 to 1000000 kg)");
	assert_int_equal(rpt_lot_parse(11, neg_mass, &l, op, sizeof op, cause,
	                               sizeof cause), RPT_ERR);
	assert_string_equal(cause, "mass: -2 is out of range (0 to 1000000 kg)");
	assert_int_equal(rpt_lot_parse(9, no_op, &l, op, sizeof op, cause,
	                               sizeof cause), RPT_ERR);
	t_contains(cause, "--operator are needed");
	assert_int_equal(rpt_lot_parse(2, ok, &l, op, sizeof op, cause,
	                               sizeof cause), RPT_USAGE);
}

static void test_qa_parse(void **state)
{
	char *rec[] = {"qa", "record", "4", "--density", "1.061", "--ri", "1.6051",
	               "--marker", "86.2", "--analyst", "Hoa", "--lab-ref", "LAB-9",
	               NULL};
	char *bad[] = {"qa", "record", "4", "--density", "heavy", "--ri", "1.6",
	               "--marker", "86", "--analyst", "Hoa", NULL};
	char *rel[] = {"qa", "release", "4", "--operator", "Thu", "--why", "ok", NULL};
	char *rel_noop[] = {"qa", "reject", "4", NULL};
	char *rel_bad[] = {"qa", "release", "x4", "--operator", "Thu", NULL};
	char cause[STORE_CAUSE_MAX];
	struct store_qa_result r;
	const char *decision, *who, *why;
	long id;

	(void)state;
	assert_int_equal(rpt_qa_parse(13, rec, &id, &r, cause, sizeof cause), RPT_OK);
	assert_int_equal(id, 4);
	assert_true(r.density == 1.061 && r.refractive_index == 1.6051);
	assert_true(r.marker_pct == 86.2);
	assert_string_equal(r.lab_ref, "LAB-9");
	assert_int_equal(rpt_qa_parse(11, bad, &id, &r, cause, sizeof cause), RPT_ERR);
	assert_string_equal(cause, "density: 'heavy' is not a number (0.5 to 2)");
	assert_int_equal(rpt_decision_parse(7, rel, &id, &decision, &who, &why, cause,
	                                    sizeof cause), RPT_OK);
	assert_string_equal(decision, "released");
	assert_string_equal(who, "Thu");
	assert_string_equal(why, "ok");
	assert_int_equal(rpt_decision_parse(3, rel_noop, &id, &decision, &who, &why,
	                                    cause, sizeof cause), RPT_ERR);
	t_contains(cause, "--operator is needed");
	assert_int_equal(rpt_decision_parse(5, rel_bad, &id, &decision, &who, &why,
	                                    cause, sizeof cause), RPT_ERR);
	assert_string_equal(cause, "batch id: 'x4' is not a number (1 to 2147483647)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
		T(test_batch_text),
		T(test_batch_json),
		T(test_batch_csv),
		T(test_batch_bad_input),
		T(test_batches_filters),
		T(test_yields),
		T(test_curve),
		T(test_trace),
		T(test_lots),
		T(test_quarantine),
		T(test_audit_verify),
		T(test_not_mine),
		T(test_missing_database),
		T(test_reports_while_writing),
		cmocka_unit_test(test_lot_parse),
		cmocka_unit_test(test_qa_parse),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
