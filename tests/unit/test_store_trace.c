/*
 * test_store_trace: the read side of issue 14 on a real SQLite file: a
 * lot read as corrected (the latest correction of each field wins), the
 * lot's JSON with mass left, corrections and oil attributed; drums with
 * net and gross oil, QA status from their batches' latest decisions
 * (pending, releasable, blocked) and shipment; the trace of a drum (found
 * by id or trace code) to its batches and lots, growers only when the
 * privacy setting allows; the trace of a lot to batches, drums and the
 * buyer. Lots and batches go through the writers; the rows the rec
 * part's writers will make (corrections, attributions, drums, fills,
 * shipments, decisions) are inserted by SQL as those writers would.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_trace.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c records/store_lotfix.c config/alloc.c records/store_backup.c common/sha256.c common/num.c tests/unit/store_fx.c tests/unit/trace_fx.c common/clk.c
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

/* The drum list row of drum: "qa_status shipped net_kg batches". */
struct t_drum_row {
	const char *drum;
	char got[160];
};

static int t_drum_take(void *ctx, const struct store_cell *c, int n)
{
	struct t_drum_row *r = ctx;
	const char *v[4] = {NULL};
	static const char *const want[4] = {"qa_status", "shipped", "net_kg",
	                                    "batches"};

	if (strcmp(c[0].text, r->drum) != 0)
		return 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 4; k++)
			if (strcmp(c[i].name, want[k]) == 0)
				v[k] = c[i].text;
	snprintf(r->got, sizeof r->got, "%s %s %s %s", v[0], v[1], v[2], v[3]);
	return 0;
}

static const char *t_drum_status(struct t_env *e, struct t_drum_row *r)
{
	struct store_filter f = {.drum_id = NULL};

	r->got[0] = '\0';
	assert_int_equal(store_query_rows(e->s, STORE_Q_DRUMS, &f, t_drum_take, r,
	                                  e->cause, sizeof e->cause), 2);
	return r->got;
}

/* A lot is read as corrected: the latest row of each field wins, the
 * certificate makes it organic; its JSON has the mass left, the
 * corrections and the oil of the latest attributions. */
static void test_lot_corrected(void **state)
{
	struct t_env *e = *state;
	char *json;
	long b1, b2;

	t_season(e, &b1, &b2);
	json = store_lot_json(e->s, "L1", e->cause, sizeof e->cause);
	t_is(json, "$.lot_id", "L1");
	t_is(json, "$.moisture_pct", "11.5");
	t_is(json, "$.organic", "0");
	t_is(json, "$.mass_received_kg", "300.0");
	t_is(json, "$.mass_remaining_kg", "100.0");
	t_is(json, "$.oil_g", "1989");
	t_is(json, "$.grower", "Hoa");
	t_is(json, "$.corrections[1].new_value", "11.5");
	t_is(json, "$.corrections[1].old_value", "12");
	t_is(json, "$.corrections[1].field", "moisture_pct");
	t_is(json, "$.corrections[1].who", "Lan");
	t_is(json, "$.corrections[1].why", "lab");
	t_type(json, "$.corrections[2]", "");
	t_is(json, "$.batches[0].batch_id", "1");
	t_is(json, "$.batches[0].mass_kg", "200.0");
	t_is(json, "$.batches[0].oil_g", "1989");
	free(json);
	json = store_lot_json(e->s, "L2", e->cause, sizeof e->cause);
	t_is(json, "$.organic_cert", "VN-ORG-7");
	t_is(json, "$.organic", "1");
	t_is(json, "$.plant_part", "twig");
	t_is(json, "$.moisture_pct", "10.0");
	free(json);
	assert_null(store_lot_json(e->s, "NOPE", e->cause, sizeof e->cause));
	t_assert_contains(e->cause, "no lot named NOPE");
}

/* Drums: net oil, batches, QA status from the latest decisions, and the
 * shipment once shipped; drum show's JSON with its fills. */
static void test_drums(void **state)
{
	struct t_env *e = *state;
	struct t_drum_row r = {.drum = "D1"};
	char code[32], *json;
	long b1, b2;

	t_season(e, &b1, &b2);
	t_code(e, "D1", code, sizeof code);
	assert_string_equal(t_drum_status(e, &r), "pending 0 2.0 2");
	t_release(e, b1, "released");
	assert_string_equal(t_drum_status(e, &r), "pending 0 2.0 2");
	t_release(e, b2, "released");
	assert_string_equal(t_drum_status(e, &r), "releasable 0 2.0 2");
	t_decide(e, b2, "rejected");
	assert_string_equal(t_drum_status(e, &r), "blocked 0 2.0 2");
	t_decide(e, b2, "quarantined");
	assert_string_equal(t_drum_status(e, &r), "pending 0 2.0 2");
	t_decide(e, b2, "released");
	t_ship(e, "D1", "2025-04-01");
	assert_string_equal(t_drum_status(e, &r), "releasable 1 2.0 2");
	json = store_drum_json(e->s, code, e->cause, sizeof e->cause);
	t_is(json, "$.drum_id", "D1");
	t_is(json, "$.trace_code", code);
	t_is(json, "$.feedstock", "cassia-leaf");
	t_is(json, "$.organic", "0");
	t_is(json, "$.tare_kg", "2.5");
	t_is(json, "$.net_kg", "2.0");
	t_is(json, "$.gross_kg", "4.5");
	t_is(json, "$.qa_status", "releasable");
	t_is(json, "$.shipment.buyer", "Aroma GmbH");
	t_is(json, "$.shipment.doc_no", "INV-9");
	t_is(json, "$.shipment.ship_date", "2025-04-01");
	t_is(json, "$.shipment.id", "1");
	t_is(json, "$.fills[0].batch_id", "1");
	t_is(json, "$.fills[0].oil_kg", "1.0");
	t_is(json, "$.fills[0].who", "Lan");
	t_type(json, "$.fills[0].at", "text");
	t_is(json, "$.fills[0].organic", "0");
	t_is(json, "$.fills[2].qa_decision", "released");
	t_type(json, "$.fills[3]", "");
	free(json);
	json = store_drum_json(e->s, "D2", e->cause, sizeof e->cause);
	t_type(json, "$.shipment", "null");
	free(json);
	assert_null(store_drum_json(e->s, "D9", e->cause, sizeof e->cause));
	t_assert_contains(e->cause, "no drum D9");
}

/* trace --drum: batches with the oil in this drum, lots with commune,
 * certificates and oil; growers only when households are allowed. */
static void test_trace_drum(void **state)
{
	struct t_env *e = *state;
	struct store_filter f = {.drum_id = NULL};
	char code[32], *json;
	long b1, b2;

	t_season(e, &b1, &b2);
	t_code(e, "D1", code, sizeof code);
	f.drum_id = code;
	t_release(e, b1, "released");
	json = store_query_json(e->s, STORE_Q_TRACE_DRUM, &f, e->cause,
	                        sizeof e->cause);
	t_is(json, "$.drum.drum_id", "D1");
	t_is(json, "$.drum.qa_status", "pending");
	t_type(json, "$.drum.shipment", "null");
	t_type(json, "$.drum.fills", "");
	t_is(json, "$.batches[0].batch_id", "1");
	t_is(json, "$.batches[0].oil_kg", "1.0");
	t_is(json, "$.batches[0].qa_decision", "released");
	t_is(json, "$.batches[0].in_spec", "1");
	t_is(json, "$.batches[0].organic", "0");
	t_is(json, "$.batches[0].lots[0].lot_id", "L1");
	t_is(json, "$.batches[0].lots[0].mass_kg", "200.0");
	t_is(json, "$.batches[0].lots[0].oil_g", "1989");
	t_is(json, "$.batches[0].lots[1].organic_cert", "VN-ORG-7");
	t_is(json, "$.batches[0].lots[1].plant_part", "twig");
	t_is(json, "$.batches[0].lots[0].harvested", "2025-02-20");
	t_type(json, "$.batches[0].lots[0].origin", "null");
	t_type(json, "$.batches[0].lots[0].cooperative", "null");
	t_type(json, "$.batches[0].lots[0].organic_body", "null");
	t_type(json, "$.batches[0].lots[0].gi", "null");
	t_type(json, "$.batches[0].lots[0].grower", "");
	t_is(json, "$.batches[1].oil_kg", "1.0");
	t_type(json, "$.batches[1].qa_decision", "null");
	t_type(json, "$.batches[2]", "");
	assert_null(strstr(json, "Hoa"));
	free(json);
	f.households = 1;
	json = store_query_json(e->s, STORE_Q_TRACE_DRUM, &f, e->cause,
	                        sizeof e->cause);
	t_is(json, "$.batches[0].lots[0].grower", "Hoa");
	t_is(json, "$.batches[0].lots[1].grower", "Mai");
	free(json);
	f.drum_id = "NOPE";
	assert_null(store_query_json(e->s, STORE_Q_TRACE_DRUM, &f, e->cause,
	                             sizeof e->cause));
	t_assert_contains(e->cause, "no drum NOPE");
}

/* trace --lot: the lot, its batches with mass and oil, each batch's
 * drums with the oil in them and the shipment (null until shipped). */
static void test_trace_lot(void **state)
{
	struct t_env *e = *state;
	struct store_filter f = {.lot_id = "L1"};
	char *json;
	long b1, b2;

	t_season(e, &b1, &b2);
	t_release(e, b1, "released");
	t_ship(e, "D2", "2025-04-01");
	json = store_query_json(e->s, STORE_Q_TRACE_LOT, &f, e->cause,
	                        sizeof e->cause);
	t_is(json, "$.lot.lot_id", "L1");
	t_is(json, "$.lot.grower", "Hoa");
	t_is(json, "$.lot.moisture_pct", "11.5");
	t_is(json, "$.lot.oil_g", "1989");
	t_is(json, "$.batches[0].batch_id", "1");
	t_is(json, "$.batches[0].state", "complete");
	t_is(json, "$.batches[0].mass_kg", "200.0");
	t_is(json, "$.batches[0].oil_g", "1989");
	t_is(json, "$.batches[0].qa_decision", "released");
	t_is(json, "$.batches[0].drums[0].drum_id", "D1");
	t_is(json, "$.batches[0].drums[0].oil_kg", "1.0");
	t_type(json, "$.batches[0].drums[0].shipment", "null");
	t_is(json, "$.batches[0].drums[1].drum_id", "D2");
	t_is(json, "$.batches[0].drums[1].shipment.buyer", "Aroma GmbH");
	t_is(json, "$.batches[0].drums[1].shipment.doc_no", "INV-9");
	t_type(json, "$.batches[1]", "");
	free(json);
	f.lot_id = "L3";
	json = store_query_json(e->s, STORE_Q_TRACE_LOT, &f, e->cause,
	                        sizeof e->cause);
	t_is(json, "$.batches[0].drums[0].oil_kg", "1.0");
	t_type(json, "$.batches[0].drums[1]", "");
	free(json);
	f.lot_id = "NOPE";
	assert_null(store_query_json(e->s, STORE_Q_TRACE_LOT, &f, e->cause,
	                             sizeof e->cause));
	t_assert_contains(e->cause, "no lot named NOPE");
}

/* The rows of the other queries: corrections oldest first, the latest
 * attribution, fills, shipments by date. */
static void test_rows(void **state)
{
	struct t_env *e = *state;
	struct store_filter f = {.lot_id = "L1"};
	long b1, b2;

	t_season(e, &b1, &b2);
	assert_int_equal(store_query_rows(e->s, STORE_Q_LOT_CORRECTIONS, &f, NULL,
	                                  NULL, e->cause, sizeof e->cause), 2);
	f.lot_id = NULL;
	f.batch_id = b1;
	assert_int_equal(store_query_rows(e->s, STORE_Q_ATTRIBUTION, &f, NULL,
	                                  NULL, e->cause, sizeof e->cause), 2);
	f.batch_id = 0;
	f.drum_id = "D1";
	assert_int_equal(store_query_rows(e->s, STORE_Q_DRUM_FILLS, &f, NULL,
	                                  NULL, e->cause, sizeof e->cause), 3);
	assert_int_equal(store_query_rows(e->s, STORE_Q_TRACE_DRUM, &f, NULL,
	                                  NULL, e->cause, sizeof e->cause), 3);
	f.drum_id = NULL;
	f.lot_id = "L1";
	assert_int_equal(store_query_rows(e->s, STORE_Q_TRACE_LOT, &f, NULL,
	                                  NULL, e->cause, sizeof e->cause), 2);
	t_release(e, b1, "released");
	t_release(e, b2, "released");
	t_ship(e, "D1", "2025-04-01");
	t_ship(e, "D2", "2025-05-01");
	f.lot_id = NULL;
	f.from = "2025-04-15";
	assert_int_equal(store_query_rows(e->s, STORE_Q_SHIPMENTS, &f, NULL,
	                                  NULL, e->cause, sizeof e->cause), 1);
	assert_int_equal(t_verify(e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lot_corrected, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_drums, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_trace_drum, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_trace_lot, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_rows, t_setup, t_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
