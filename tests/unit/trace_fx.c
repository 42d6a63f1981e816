/*
 * trace_fx: the fixtures of test_store_trace and test_rpt_trace: a small
 * season written through the records writers (store_fx.h), and JSON
 * checks on the reports' output. See trace_fx.h.
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

#include <sqlite3.h>

#include "trace_fx.h"

/* json_extract(json, path) as text into out ("" for SQL NULL), and its
 * json_type ("" when the path is absent). */
void t_json(const char *json, const char *path, char *out, size_t len,
                   char *type, size_t type_len)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_non_null(json);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT json_extract(?1, ?2),"
	                                    " json_type(?1, ?2)", -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, len, "%s", sqlite3_column_text(st, 0) ?
	         (const char *)sqlite3_column_text(st, 0) : "");
	if (type)
		snprintf(type, type_len, "%s", sqlite3_column_text(st, 1) ?
		         (const char *)sqlite3_column_text(st, 1) : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Fails unless json at path is want (as json_extract gives it as text). */
void t_is(const char *json, const char *path, const char *want)
{
	char got[512];

	t_json(json, path, got, sizeof got, NULL, 0);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s' in %s", path, got, want, json);
}

/* Fails unless json has key path with JSON type want ("" = absent). */
void t_type(const char *json, const char *path, const char *want)
{
	char got[64], type[32];

	t_json(json, path, got, sizeof got, type, sizeof type);
	if (strcmp(type, want) != 0)
		fail_msg("%s: type '%s', want '%s' in %s", path, type, want, json);
}

/* Lab results in spec for batch id (cassia-leaf), then decision. */
void t_release(struct t_env *e, long id, const char *decision)
{
	static const struct store_qa_spec spec = {
		.feedstock = "cassia-leaf", .density_min = 1.0, .density_max = 1.1,
		.ri_min = 1.5, .ri_max = 1.7, .marker = "cinnamaldehyde",
		.marker_min_pct = 80, .marker_max_pct = 100,
	};
	const struct store_qa_result r = {1.05, 1.6, 85, "Thu", "", ""};

	if (store_qa_record(e->s, id, &r, &spec, NULL, e->cause,
	                    sizeof e->cause) != 0 ||
	    store_qa_decide(e->s, id, decision, "Thu", NULL, e->cause,
	                    sizeof e->cause) != 0)
		fail_msg("qa: %s", e->cause);
}

/* A decision on batch id without new lab results. */
void t_decide(struct t_env *e, long id, const char *decision)
{
	if (store_qa_decide(e->s, id, decision, "Thu", NULL, e->cause,
	                    sizeof e->cause) != 0)
		fail_msg("decide: %s", e->cause);
}

/* Ends batch id complete and weighs oil_kg. */
void t_weigh(struct t_env *e, long id, double oil_kg)
{
	t_finish(e, id, oil_kg);
	if (store_batch_weigh(e->s, id, oil_kg, "Lan", NULL, e->cause,
	                      sizeof e->cause) != 0)
		fail_msg("weigh: %s", e->cause);
}

/* Fills kg of batch into drum (tare on the first fill, conventional). */
void t_fill(struct t_env *e, const char *drum, long batch, double kg,
                   double tare)
{
	const struct store_drum_fill f = {drum, batch, kg, tare, 0, "Lan"};

	if (store_drum_fill(e->s, &f, e->cause, sizeof e->cause) <= 0)
		fail_msg("fill: %s", e->cause);
}

/* Ships drum to Aroma GmbH on date (note INV-9). */
void t_ship(struct t_env *e, const char *drum, const char *date)
{
	const char *const drums[] = {drum};
	const struct store_shipment sh = {drums, 1, "Aroma GmbH", "INV-9", date,
	                                  "Lan"};

	if (store_ship(e->s, &sh, e->cause, sizeof e->cause) <= 0)
		fail_msg("ship: %s", e->cause);
}

/* Corrects one field of lot to value, why "lab", by Lan. */
static void t_correct(struct t_env *e, const char *lot,
                      const struct store_lot_fix *fix, int n)
{
	if (store_lot_correct(e->s, lot, fix, n, "Lan", "lab", e->cause,
	                      sizeof e->cause) != 0)
		fail_msg("correct: %s", e->cause);
}

void t_season(struct t_env *e, long *b1, long *b2)
{
	struct store_lot_draw two[] = {{"L1", 200}, {"L2", 100}};
	const struct store_lot_fix m12[] = {{"moisture", "12"}};
	const struct store_lot_fix m115[] = {{"moisture", "11.5"}};
	const struct store_lot_fix org[] = {{"organic_cert", "VN-ORG-7"},
	                                    {"organic_body", "Control Union"},
	                                    {"part", "twig"}};
	struct store_batch_start b;

	t_lot(e, "L1", "cassia-leaf", "Hoa", "300", "14");
	t_lot(e, "L2", "cassia-leaf", "Mai", "200", "10");
	t_lot(e, "L3", "cassia-leaf", "Hoa", "400", NULL);
	b = t_start(NULL, 300);
	b.lots = two;
	b.n_lots = 2;
	*b1 = store_batch_begin(e->s, &b, e->cause, sizeof e->cause);
	if (*b1 <= 0)
		fail_msg("batch begin: %s", e->cause);
	*b2 = t_batch(e, "L3", 300);
	t_weigh(e, *b1, 3.0);
	t_weigh(e, *b2, 2.0);
	t_fill(e, "D1", *b1, 1.0, 2.5);
	t_fill(e, "D1", *b2, 0.5, NAN);
	t_fill(e, "D1", *b2, 0.5, NAN);
	t_fill(e, "D2", *b1, 0.5, 3);
	t_correct(e, "L1", m12, 1);
	t_correct(e, "L1", m115, 1);
	t_correct(e, "L2", org, 3);
}

/* The trace code the writer gave drum. */
void t_code(struct t_env *e, const char *drum, char *code, size_t len)
{
	char *json = store_drum_json(e->s, drum, e->cause, sizeof e->cause);

	t_json(json, "$.trace_code", code, len, NULL, 0);
	free(json);
	assert_int_equal(strncmp(code, "SR-", 3), 0);
}

