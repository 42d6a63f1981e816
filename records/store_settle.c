/*
 * store_settle: the SQL of STORE_Q_SETTLE, the lines of a settlement
 * period (docs/RECORDS.md, "Member settlement"); store_query.c runs it.
 * One row per line, ordered by kind, grower, lot and batch:
 *   delivery     a lot received in the period (received_at's UTC date in
 *                [from, to]): raw_kg = mass received, plant part and
 *                price as corrected (lots_now: the latest
 *                lot_corrections row of a field wins)
 *   intake_paid  the same lot's price at intake x mass received, rounded
 *                to the dong (cash paid then), when it has a price > 0
 *   oil          oil attributed to a lot (the latest attribution of its
 *                batch) by a batch STARTED in the period: oil_g, and
 *                released (the batch's latest QA decision is "released")
 *   advance      an advance paid_on in the period: paid_vnd
 *   weighed      a batch started in the period and weighed: oil_g is its
 *                latest weighing in grams (grower NULL)
 *   unweighed    a batch started in the period, not aborted, with no
 *                weighing: no oil is attributed to it (grower NULL)
 * With :grower (ASCII case ignored) only that household's lines, and the
 * batches that drew from its lots.
 */
#include "store_int.h"

#define STORE_SETTLE_IN(col) \
	" (:from IS NULL OR substr(" col ", 1, 10) >= :from)" \
	" AND (:to IS NULL OR substr(" col ", 1, 10) <= :to)"

#define STORE_SETTLE_GROWER(col) \
	" (:grower IS NULL OR " col " = :grower COLLATE NOCASE)"

/* The batches of the period (and of the grower's lots). */
#define STORE_SETTLE_BATCHES \
	"pb AS (SELECT b.id, b.state, b.feedstock FROM batches b" \
	" WHERE" STORE_SETTLE_IN("b.started_at") \
	" AND (:grower IS NULL OR EXISTS (SELECT 1 FROM batch_lots x" \
	"  JOIN lots g ON g.lot_id = x.lot_id WHERE x.batch_id = b.id" \
	"  AND g.grower = :grower COLLATE NOCASE)))"

const char store_settle_sql[] =
	"WITH pl AS (SELECT l.lot_id, l.grower, l.feedstock, l.plant_part,"
	" l.price_vnd_per_kg AS price, l.mass_received_kg FROM lots_now l"
	" WHERE" STORE_SETTLE_IN("l.received_at")
	" AND" STORE_SETTLE_GROWER("l.grower") "),"
	" " STORE_SETTLE_BATCHES ","
	" pw AS (SELECT pb.id, pb.state, (SELECT m.value FROM measurements m"
	"  WHERE m.batch_id = pb.id AND m.quantity = 'oil_kg'"
	"  ORDER BY m.id DESC LIMIT 1) AS oil_kg FROM pb),"
	" lines AS ("
	"SELECT 'delivery' AS kind, grower, feedstock, plant_part,"
	" mass_received_kg AS raw_kg, NULL AS oil_g, NULL AS released,"
	" NULL AS paid_vnd, lot_id, NULL AS batch_id, NULL AS state FROM pl"
	" UNION ALL SELECT 'intake_paid', grower, feedstock, plant_part, NULL,"
	" NULL, NULL, CAST(round(price * mass_received_kg) AS INTEGER), lot_id,"
	" NULL, NULL FROM pl WHERE price > 0"
	" UNION ALL SELECT 'oil', l.grower, pb.feedstock, l.plant_part, NULL,"
	" al.oil_g,"
	" coalesce((SELECT d.decision = 'released' FROM qa_decisions d"
	"  WHERE d.batch_id = pb.id ORDER BY d.id DESC LIMIT 1), 0), NULL,"
	" l.lot_id, pb.id, pb.state FROM pb"
	" JOIN attribution_now a ON a.batch_id = pb.id"
	" JOIN attribution_lots al ON al.attribution_id = a.id"
	" JOIN lots_now l ON l.lot_id = al.lot_id"
	" WHERE" STORE_SETTLE_GROWER("l.grower")
	" UNION ALL SELECT 'advance', grower, NULL, NULL, NULL, NULL, NULL,"
	" amount_vnd, NULL, NULL, NULL FROM advances"
	" WHERE" STORE_SETTLE_IN("paid_on") " AND" STORE_SETTLE_GROWER("grower")
	" UNION ALL SELECT 'weighed', NULL, NULL, NULL, NULL,"
	" CAST(round(oil_kg * 1000) AS INTEGER), NULL, NULL, NULL, id, state"
	" FROM pw WHERE oil_kg IS NOT NULL"
	" UNION ALL SELECT 'unweighed', NULL, NULL, NULL, NULL, NULL, NULL,"
	" NULL, NULL, id, state FROM pw WHERE oil_kg IS NULL"
	" AND state <> 'aborted')"
	" SELECT * FROM lines ORDER BY kind, grower, lot_id, batch_id";
