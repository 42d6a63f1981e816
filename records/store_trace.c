/*
 * store_trace: the read-only SQL of issue 14's reports: lot corrections,
 * attributions, drums, fills, shipments, and the traces drum -> batches ->
 * lots and lot -> batches -> drums -> shipments (docs/RECORDS.md). The
 * rows of each query go into store_query.c's table; the nested JSON of
 * `lot show`, `drum show` and the two traces is built here by SQLite's
 * JSON functions. A lot is read as corrected (STORE_SQL_LOTS_NOW).
 */
#include "store_int.h"

#include <stdio.h>

/* ------------------------------------------------------------------ */
/* Shared pieces                                                        */

/* Grams of batch b's latest attribution that went to lot l (NULL when
 * the batch has no attribution yet). */
#define STORE_TRACE_OIL_G(b, l) \
	"(SELECT al.oil_g FROM attribution_now an JOIN attribution_lots al" \
	"  ON al.attribution_id = an.id WHERE an.batch_id = " b \
	"  AND al.lot_id = " l ")"

/* The latest QA result's in_spec (1/0) of the batch whose id is b. */
#define STORE_TRACE_IN_SPEC(b) \
	"(SELECT q.in_spec FROM qa_results q WHERE q.batch_id = " b \
	" ORDER BY q.id DESC LIMIT 1)"

/* The CTE ds: each drum matching :drum (its id or its trace code; NULL:
 * every drum) with its net oil, the batches in it, its QA status
 * ("blocked" when a batch's latest decision is rejected, "releasable"
 * when every batch's is released, else "pending") and its shipment. */
#define STORE_TRACE_DS \
	"ds AS (SELECT dr.drum_id AS drum_id, dr.trace_code AS trace_code," \
	" dr.feedstock AS feedstock, dr.organic AS organic," \
	" dr.tare_kg AS tare_kg," \
	" round((SELECT coalesce(sum(f.oil_kg), 0) FROM drum_fills f" \
	"  WHERE f.drum_id = dr.drum_id), 3) AS net_kg," \
	" (SELECT count(DISTINCT f.batch_id) FROM drum_fills f" \
	"  WHERE f.drum_id = dr.drum_id) AS batches," \
	" (SELECT CASE WHEN sum(x.dec IS 'rejected') > 0 THEN 'blocked'" \
	"  WHEN count(*) > 0 AND sum(x.dec IS 'released') = count(*)" \
	"  THEN 'releasable' ELSE 'pending' END" \
	"  FROM (SELECT DISTINCT f.batch_id, " STORE_SQL_DECISION("f.batch_id") \
	"  AS dec FROM drum_fills f WHERE f.drum_id = dr.drum_id) x)" \
	"  AS qa_status," \
	" sh.id AS shipment_id, sh.buyer AS buyer, sh.doc_no AS doc_no," \
	" sh.ship_date AS ship_date" \
	" FROM drums dr LEFT JOIN shipment_drums sd ON sd.drum_id = dr.drum_id" \
	" LEFT JOIN shipments sh ON sh.id = sd.shipment_id" \
	" WHERE :drum IS NULL OR dr.drum_id = :drum OR dr.trace_code = :drum)"

/* A shipment as a JSON value from columns id, buyer, doc_no, ship_date
 * of alias t (null when id is NULL). */
#define STORE_TRACE_SHIP_JSON(t) \
	"json(CASE WHEN " t ".shipment_id IS NULL THEN 'null'" \
	" ELSE json_object('id', " t ".shipment_id, 'buyer', " t ".buyer," \
	" 'doc_no', " t ".doc_no, 'ship_date', " t ".ship_date) END)"

/* The members of a drum's JSON object, from ds. */
#define STORE_TRACE_DRUM_JSON \
	"'drum_id', ds.drum_id, 'trace_code', ds.trace_code," \
	" 'feedstock', ds.feedstock, 'organic', ds.organic," \
	" 'tare_kg', ds.tare_kg, 'net_kg', ds.net_kg," \
	" 'gross_kg', round(ds.tare_kg + ds.net_kg, 3)," \
	" 'qa_status', ds.qa_status, 'shipment', " STORE_TRACE_SHIP_JSON("ds")

/* The members of a lot's JSON object, from the corrected lot l. */
#define STORE_TRACE_LOT_JSON \
	"'lot_id', l.lot_id, 'feedstock', l.feedstock, 'grower', l.grower," \
	" 'cooperative', l.cooperative, 'origin', l.origin," \
	" 'harvested', l.harvested, 'drying_days', l.drying_days," \
	" 'moisture_pct', l.moisture_pct, 'plant_part', l.plant_part," \
	" 'price_vnd_per_kg', l.price_vnd_per_kg," \
	" 'organic_cert', l.organic_cert, 'organic_body', l.organic_body," \
	" 'gi', l.gi, 'organic', l.organic," \
	" 'oil_content_pct', l.oil_content_pct," \
	" 'mass_received_kg', l.mass_received_kg," \
	" 'mass_remaining_kg', l.mass_remaining_kg," \
	" 'received_at', l.received_at, 'received_by', l.received_by," \
	" 'oil_g', " STORE_TRACE_LOT_OIL_G

/* Grams attributed to lot l over every batch's latest attribution. */
#define STORE_TRACE_LOT_OIL_G \
	"(SELECT coalesce(sum(al.oil_g), 0) FROM attribution_now an" \
	"  JOIN attribution_lots al ON al.attribution_id = an.id" \
	"  WHERE al.lot_id = l.lot_id)"

/* ------------------------------------------------------------------ */
/* Lots: corrections and attributions                                   */

const char store_trace_sql_corrections[] =
	"SELECT id, lot_id, field, old_value, new_value, who, why, at"
	" FROM lot_corrections WHERE lot_id = :lot ORDER BY id";

const char store_trace_sql_attribution[] =
	"SELECT an.batch_id AS batch_id, an.revision AS revision,"
	" an.method AS method, an.oil_g AS batch_oil_g, an.why AS why,"
	" an.at AS at, al.lot_id AS lot_id, al.basis AS basis,"
	" al.oil_g AS oil_g FROM attribution_now an"
	" JOIN attribution_lots al ON al.attribution_id = an.id"
	" WHERE (:batch IS NULL OR an.batch_id = :batch)"
	" AND (:lot IS NULL OR al.lot_id = :lot)"
	" ORDER BY an.batch_id, al.lot_id";

/* The batches of lot :lot with what was drawn and the oil attributed. */
#define STORE_TRACE_LOT_BATCHES \
	"SELECT bl.batch_id AS batch_id, bl.mass_kg AS mass_kg," \
	" " STORE_TRACE_OIL_G("bl.batch_id", "bl.lot_id") " AS oil_g" \
	" FROM batch_lots bl WHERE bl.lot_id = l.lot_id ORDER BY bl.batch_id"

/* `lot show --json`: one object. */
const char store_trace_sql_lot_show_json[] =
	"SELECT json_object(" STORE_TRACE_LOT_JSON ","
	" 'corrections', json((SELECT json_group_array(json_object('id', c.id,"
	"  'field', c.field, 'old_value', c.old_value, 'new_value', c.new_value,"
	"  'who', c.who, 'why', c.why, 'at', c.at)) FROM (SELECT * FROM"
	"  lot_corrections WHERE lot_id = l.lot_id ORDER BY id) c)),"
	" 'batches', json((SELECT json_group_array(json_object("
	"  'batch_id', x.batch_id, 'mass_kg', x.mass_kg, 'oil_g', x.oil_g))"
	"  FROM (" STORE_TRACE_LOT_BATCHES ") x)))"
	" FROM " STORE_SQL_LOTS_NOW " l WHERE l.lot_id = :lot";

/* ------------------------------------------------------------------ */
/* Drums, fills, shipments                                              */

/* The agreed columns of `drum list` first, then what `drum show` adds. */
const char store_trace_sql_drums[] =
	"WITH " STORE_TRACE_DS " SELECT drum_id, feedstock, organic, net_kg,"
	" batches, qa_status, shipment_id IS NOT NULL AS shipped, buyer,"
	" trace_code, tare_kg, round(tare_kg + net_kg, 3) AS gross_kg,"
	" shipment_id, doc_no, ship_date FROM ds ORDER BY drum_id";

#define STORE_TRACE_FILLS \
	"SELECT f.id AS id, f.batch_id AS batch_id, f.oil_kg AS oil_kg," \
	" f.who AS who, f.at AS at, b.organic AS organic," \
	" " STORE_SQL_DECISION("f.batch_id") " AS qa_decision" \
	" FROM drum_fills f JOIN batches b ON b.id = f.batch_id" \
	" WHERE f.drum_id = (SELECT drum_id FROM drums" \
	"  WHERE drum_id = :drum OR trace_code = :drum) ORDER BY f.id"

const char store_trace_sql_fills[] = STORE_TRACE_FILLS;

/* `drum show --json`: one object. */
const char store_trace_sql_drum_show_json[] =
	"WITH " STORE_TRACE_DS " SELECT json_object(" STORE_TRACE_DRUM_JSON ","
	" 'fills', json((SELECT json_group_array(json_object('id', x.id,"
	"  'batch_id', x.batch_id, 'oil_kg', x.oil_kg, 'who', x.who, 'at', x.at,"
	"  'organic', x.organic, 'qa_decision', x.qa_decision))"
	"  FROM (" STORE_TRACE_FILLS ") x)))"
	" FROM ds";

const char store_trace_sql_shipments[] =
	"SELECT sh.id AS id, sh.buyer AS buyer, sh.doc_no AS doc_no,"
	" sh.ship_date AS ship_date, (SELECT count(*) FROM shipment_drums sd"
	"  WHERE sd.shipment_id = sh.id) AS drums,"
	" (SELECT group_concat(drum_id, ' ') FROM (SELECT drum_id"
	"  FROM shipment_drums sd WHERE sd.shipment_id = sh.id"
	"  ORDER BY drum_id)) AS drum_ids, sh.who AS who, sh.at AS at"
	" FROM shipments sh WHERE (:from IS NULL OR sh.ship_date >= :from)"
	" AND (:to IS NULL OR sh.ship_date <= :to) ORDER BY sh.id";

/* ------------------------------------------------------------------ */
/* trace --drum: drum -> batches -> lots                                */

/* The CTE fb (each batch in the drums of ds, with its oil in them) and
 * r, one row per (batch, lot); the grower only when :households is 1. */
#define STORE_TRACE_DRUM_ROWS \
	"WITH " STORE_TRACE_DS ", fb AS (SELECT f.batch_id AS batch_id," \
	" round(sum(f.oil_kg), 3) AS oil_kg FROM drum_fills f" \
	" JOIN ds ON ds.drum_id = f.drum_id GROUP BY f.batch_id)," \
	" r AS (SELECT fb.batch_id AS batch_id, fb.oil_kg AS oil_kg," \
	" " STORE_SQL_DECISION("fb.batch_id") " AS qa_decision," \
	" " STORE_TRACE_IN_SPEC("fb.batch_id") " AS in_spec," \
	" b.organic AS organic, l.lot_id AS lot_id, l.origin AS origin," \
	" l.cooperative AS cooperative, l.harvested AS harvested," \
	" l.plant_part AS plant_part, l.organic_cert AS organic_cert," \
	" l.organic_body AS organic_body, l.gi AS gi, bl.mass_kg AS mass_kg," \
	" " STORE_TRACE_OIL_G("fb.batch_id", "l.lot_id") " AS oil_g," \
	" CASE WHEN :households = 1 THEN l.grower END AS grower" \
	" FROM fb JOIN batches b ON b.id = fb.batch_id" \
	" JOIN batch_lots bl ON bl.batch_id = fb.batch_id" \
	" JOIN " STORE_SQL_LOTS_NOW " l ON l.lot_id = bl.lot_id)"

const char store_trace_sql_drum[] =
	STORE_TRACE_DRUM_ROWS " SELECT * FROM r ORDER BY batch_id, lot_id";

/* {drum, batches: [{..., lots: [...]}]}; a lot's grower key is absent
 * unless :households is 1. */
const char store_trace_sql_drum_json[] =
	STORE_TRACE_DRUM_ROWS ", lj AS (SELECT batch_id, oil_kg, qa_decision,"
	" in_spec, organic, json_object('lot_id', lot_id, 'origin', origin,"
	" 'cooperative', cooperative, 'harvested', harvested,"
	" 'plant_part', plant_part, 'organic_cert', organic_cert,"
	" 'organic_body', organic_body, 'gi', gi, 'mass_kg', mass_kg,"
	" 'oil_g', oil_g, 'grower', grower) AS lot FROM r"
	" ORDER BY batch_id, lot_id),"
	" bj AS (SELECT batch_id, json_object('batch_id', batch_id,"
	" 'oil_kg', oil_kg, 'qa_decision', qa_decision, 'in_spec', in_spec,"
	" 'organic', organic, 'lots', json_group_array(json(CASE"
	"  WHEN :households = 1 THEN lot ELSE json_remove(lot, '$.grower')"
	"  END))) AS batch FROM lj GROUP BY batch_id)"
	" SELECT json_object('drum', json_object(" STORE_TRACE_DRUM_JSON "),"
	" 'batches', json((SELECT json_group_array(json(batch))"
	"  FROM (SELECT batch FROM bj ORDER BY batch_id))))"
	" FROM ds";

/* ------------------------------------------------------------------ */
/* trace --lot: lot -> batches -> drums -> shipments                    */

/* The fills of each batch grouped by drum, with the drum's shipment. */
#define STORE_TRACE_FD \
	"(SELECT f.batch_id AS batch_id, f.drum_id AS drum_id," \
	" round(sum(f.oil_kg), 3) AS oil_kg, min(f.id) AS first_id," \
	" sh.id AS shipment_id, sh.buyer AS buyer, sh.doc_no AS doc_no," \
	" sh.ship_date AS ship_date FROM drum_fills f" \
	" LEFT JOIN shipment_drums sd ON sd.drum_id = f.drum_id" \
	" LEFT JOIN shipments sh ON sh.id = sd.shipment_id" \
	" GROUP BY f.batch_id, f.drum_id)"

/* Each batch that drew from lot :lot. */
#define STORE_TRACE_LB \
	"lb AS (SELECT b.id AS batch_id, b.state AS state," \
	" bl.mass_kg AS mass_kg," \
	" " STORE_TRACE_OIL_G("b.id", "bl.lot_id") " AS oil_g," \
	" " STORE_SQL_DECISION("b.id") " AS qa_decision" \
	" FROM batch_lots bl JOIN batches b ON b.id = bl.batch_id" \
	" WHERE bl.lot_id = :lot)"

const char store_trace_sql_lot[] =
	"WITH " STORE_TRACE_LB " SELECT lb.batch_id, lb.state, lb.mass_kg,"
	" lb.oil_g, lb.qa_decision, fd.drum_id AS drum_id,"
	" fd.oil_kg AS drum_oil_kg, fd.shipment_id AS shipment_id,"
	" fd.buyer AS buyer, fd.doc_no AS doc_no, fd.ship_date AS ship_date"
	" FROM lb LEFT JOIN " STORE_TRACE_FD " fd ON fd.batch_id = lb.batch_id"
	" ORDER BY lb.batch_id, fd.first_id";

/* {lot, batches: [{..., drums: [{drum_id, oil_kg, shipment}]}]}. */
const char store_trace_sql_lot_json[] =
	"WITH " STORE_TRACE_LB " SELECT json_object('lot', json_object("
	STORE_TRACE_LOT_JSON "), 'batches', json((SELECT json_group_array("
	"  json(batch)) FROM (SELECT json_object('batch_id', lb.batch_id,"
	"  'state', lb.state, 'mass_kg', lb.mass_kg, 'oil_g', lb.oil_g,"
	"  'qa_decision', lb.qa_decision, 'drums', json((SELECT"
	"   json_group_array(json_object('drum_id', fd.drum_id,"
	"   'oil_kg', fd.oil_kg, 'shipment', " STORE_TRACE_SHIP_JSON("fd") "))"
	"   FROM (SELECT * FROM " STORE_TRACE_FD " x"
	"   WHERE x.batch_id = lb.batch_id ORDER BY x.first_id) fd)))"
	"  AS batch FROM lb ORDER BY lb.batch_id))))"
	" FROM " STORE_SQL_LOTS_NOW " l WHERE l.lot_id = :lot";

/* ------------------------------------------------------------------ */
/* What a query needs to exist                                          */

static const char store_trace_sql_lot_exists[] =
	"SELECT 1 FROM lots WHERE lot_id = ?1";
static const char store_trace_sql_drum_exists[] =
	"SELECT 1 FROM drums WHERE drum_id = ?1 OR trace_code = ?1";

int store_trace_need(struct store *s, enum store_need need,
                     const struct store_filter *f, char *cause,
                     size_t cause_len)
{
	const char *key = need == STORE_NEED_LOT ? (f ? f->lot_id : NULL)
	                                         : (f ? f->drum_id : NULL);
	sqlite3_stmt *st;
	int rc;

	if (need != STORE_NEED_LOT && need != STORE_NEED_DRUM)
		return 0;
	if (store_blank(key))
		return store_fail(cause, cause_len, need == STORE_NEED_LOT ?
		                  "which lot? (give a lot id)" :
		                  "which drum? (give a drum id or trace code)");
	st = store_prep(s, need == STORE_NEED_LOT ? store_trace_sql_lot_exists :
	                store_trace_sql_drum_exists, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	rc = store_row(s, st, "read the record", cause, cause_len);
	if (rc > 0)
		sqlite3_reset(st);
	if (rc == 0)
		return store_fail(cause, cause_len, need == STORE_NEED_LOT ?
		                  "no lot named %s" : "no drum %s (by id or trace code)",
		                  key);
	return rc < 0 ? -1 : 0;
}

char *store_lot_json(struct store *s, const char *lot_id, char *cause,
                     size_t cause_len)
{
	struct store_filter f = {.lot_id = lot_id};

	return store_query_one(s, STORE_NEED_LOT, store_trace_sql_lot_show_json,
	                       &f, cause, cause_len);
}

char *store_drum_json(struct store *s, const char *drum_id, char *cause,
                      size_t cause_len)
{
	struct store_filter f = {.drum_id = drum_id};

	return store_query_one(s, STORE_NEED_DRUM, store_trace_sql_drum_show_json,
	                       &f, cause, cause_len);
}
