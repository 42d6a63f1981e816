/*
 * store_query: read-only queries: active batches and recipes as run (for
 * the controller), and the reports and the console's history pages.
 */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Active batches and recipes as run                                    */

static const char store_sql_active[] =
	"SELECT b.id, b.still, r.name, b.state, b.operator,"
	" coalesce((SELECT step FROM batch_steps WHERE batch_id = b.id"
	"  ORDER BY id DESC LIMIT 1), 0),"
	" b.charge_kg, r.version, r.sha256, b.feedstock,"
	" (SELECT name FROM batch_steps WHERE batch_id = b.id"
	"  ORDER BY id DESC LIMIT 1)"
	" FROM batches b JOIN recipes r ON r.id = b.recipe_id"
	" WHERE b.state NOT IN ('complete', 'stopped', 'aborted') ORDER BY b.id";

int store_batches_active(struct store *s, struct store_active *out, int max,
                         char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_active, cause, cause_len);
	int n = 0, rc = SQLITE_DONE;

	if (!st)
		return -1;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_active *a = &out[n++];

		memset(a, 0, sizeof *a);
		a->batch_id = (long)sqlite3_column_int64(st, 0);
		store_col_text(st, 1, a->still, sizeof a->still);
		store_col_text(st, 2, a->recipe, sizeof a->recipe);
		store_col_text(st, 3, a->state, sizeof a->state);
		store_col_text(st, 4, a->operator_name, sizeof a->operator_name);
		a->step = sqlite3_column_int(st, 5);
		a->charge_kg = sqlite3_column_double(st, 6);
		a->recipe_version = sqlite3_column_int(st, 7);
		store_col_text(st, 8, a->recipe_sha256, sizeof a->recipe_sha256);
		store_col_text(st, 9, a->feedstock, sizeof a->feedstock);
		store_col_text(st, 10, a->step_name, sizeof a->step_name);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_db_fail(s, "read the active batches", cause, cause_len);
	return n;
}

static const char store_sql_recipe_text[] =
	"SELECT text FROM recipes WHERE sha256 = lower(?1) ORDER BY id LIMIT 1";

char *store_recipe_text(struct store *s, const char *sha256, char *cause,
                        size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_recipe_text, cause, cause_len);
	char *text;
	int rc;

	if (!st)
		return NULL;
	store_bind_text(st, 1, sha256 ? sha256 : "");
	rc = store_row(s, st, "read the recipe", cause, cause_len);
	if (rc <= 0) {
		if (rc == 0)
			store_fail(cause, cause_len, "no recipe with sha256 %s",
			           sha256 ? sha256 : "(none)");
		return NULL;
	}
	text = strdup(store_col(st, 0) ? store_col(st, 0) : "");
	sqlite3_reset(st);
	if (!text)
		store_fail(cause, cause_len, "out of memory");
	return text;
}

static const char store_sql_batch_feedstock[] =
	"SELECT feedstock FROM batches WHERE id = ?1";

int store_batch_feedstock(struct store *s, long batch_id, char *out, size_t out_len,
                          char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_batch_feedstock, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, batch_id);
	rc = store_row(s, st, "read the batch", cause, cause_len);
	if (rc <= 0) {
		if (rc == 0)
			store_fail(cause, cause_len, "no batch %ld", batch_id);
		return -1;
	}
	snprintf(out, out_len, "%s", store_col(st, 0) ? store_col(st, 0) : "");
	sqlite3_reset(st);
	return 0;
}

/* ------------------------------------------------------------------ */
/* One batch row, as the writers and store_batch_json check it         */

static const char store_sql_batch_get[] =
	"SELECT still, state, ended_at IS NOT NULL, oil_receiver_kg, steam_kg,"
	" end_event_id IS NOT NULL, feedstock FROM batches WHERE id = ?1";

/* Reads batch id: 0, or -1 with "no batch N". */
int store_query_batch_row(struct store *s, long id,
                          struct store_batch_row *b, char *cause,
                          size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_batch_get, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(s, st, "read the batch", cause, cause_len);
	if (rc <= 0)
		return rc < 0 ? -1 : store_fail(cause, cause_len, "no batch %ld", id);
	store_col_text(st, 0, b->still, sizeof b->still);
	store_col_text(st, 1, b->state, sizeof b->state);
	b->ended = sqlite3_column_int(st, 2);
	b->oil_receiver_kg = store_col_real(st, 3);
	b->steam_kg = store_col_real(st, 4);
	b->has_end = sqlite3_column_int(st, 5);
	store_col_text(st, 6, b->feedstock, sizeof b->feedstock);
	sqlite3_reset(st);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reports (read-only)                                                  */

/* One row per batch: the summary every report shares. The oil mass is
 * the latest weighing, else the receiver's; the dry-basis yield uses the
 * mass-weighted moisture of the lots (NULL when one is unknown). */
/* The batch ids bs0 reads, as a rowid range SQLite searches instead of
 * scanning every batch (a decade holds 100,000): :batch alone, or the
 * newest :newest, or all. The filters in STORE_BS_WHERE still apply. */
#define STORE_BS_RANGE \
	" WHERE b.id BETWEEN CASE WHEN :batch > 0 THEN :batch" \
	"  WHEN :newest > 0 THEN coalesce((SELECT id FROM batches" \
	"  ORDER BY id DESC LIMIT 1 OFFSET :newest - 1), 0) ELSE 0 END" \
	" AND coalesce(:batch, 9223372036854775807)"

/* The mass-weighted moisture of batch b's lots, NULL when one is unknown
 * (a scalar subquery). */
#define STORE_BS_MOISTURE \
	" (SELECT CASE WHEN count(*) > 0 AND count(l.moisture_pct) = count(*)" \
	"  THEN sum(bl.mass_kg * l.moisture_pct) / sum(bl.mass_kg) END" \
	"  FROM batch_lots bl JOIN lots l ON l.lot_id = bl.lot_id" \
	"  WHERE bl.batch_id = b.id)"

/* The latest weighing of batch b as mo, joined once: a subquery in the
 * columns would run again for each use of the oil (yields read it six
 * times a batch). */
#define STORE_BS_WEIGHED \
	" LEFT JOIN measurements mo ON mo.id = (SELECT max(m.id)" \
	"  FROM measurements m WHERE m.batch_id = b.id AND m.quantity = 'oil_kg')"

#define STORE_BS_OVER(range) \
	"WITH bs0 AS (SELECT b.id AS id, b.still AS still, b.state AS state," \
	" r.name AS recipe, r.version AS recipe_version," \
	" r.sha256 AS recipe_sha256, b.feedstock AS feedstock," \
	" (SELECT group_concat(bl.lot_id, ' ') FROM batch_lots bl" \
	"  WHERE bl.batch_id = b.id) AS lots," \
	" (SELECT group_concat(DISTINCT l.grower) FROM batch_lots bl" \
	"  JOIN lots l ON l.lot_id = bl.lot_id WHERE bl.batch_id = b.id)" \
	"  AS growers," \
	" b.charge_kg AS charge_kg," \
	STORE_BS_MOISTURE " AS moisture_pct," \
	" b.oil_receiver_kg AS oil_receiver_kg," \
	" mo.value AS oil_weighed_kg, mo.who AS weighed_by," \
	" (SELECT value FROM measurements m WHERE m.batch_id = b.id" \
	"  AND m.quantity = 'hydrosol_l' ORDER BY m.id DESC LIMIT 1)" \
	"  AS hydrosol_l," \
	" b.started_at AS started_at, b.ended_at AS ended_at," \
	" b.operator AS operator, b.steam_kg AS steam_kg," \
	" b.fuel_kg AS fuel_kg, b.cooling_m3 AS cooling_m3," \
	" b.electricity_kwh AS electricity_kwh, b.labour_h AS labour_h," \
	" b.running_h AS running_h, b.cost_vnd AS cost_vnd," \
	" (SELECT count(*) FROM alarms a WHERE " STORE_SQL_ALARM_IN_BATCH ")" \
	"  AS alarm_count," \
	" (SELECT decision FROM qa_decisions d WHERE d.batch_id = b.id" \
	"  ORDER BY d.id DESC LIMIT 1) AS decision," \
	" (SELECT who FROM qa_decisions d WHERE d.batch_id = b.id" \
	"  ORDER BY d.id DESC LIMIT 1) AS decided_by," \
	" (SELECT in_spec FROM qa_results q WHERE q.batch_id = b.id" \
	"  ORDER BY q.id DESC LIMIT 1) AS in_spec" \
	" FROM batches b JOIN recipes r ON r.id = b.recipe_id" STORE_BS_WEIGHED \
	range ")," \
	" bs AS (SELECT id, still, state, recipe, recipe_version," \
	" recipe_sha256, feedstock, lots, growers, charge_kg," \
	" sr_round(bs0.moisture_pct, 2) AS moisture_pct, oil_receiver_kg," \
	" oil_weighed_kg, weighed_by," \
	" coalesce(oil_weighed_kg, oil_receiver_kg) AS oil_kg," \
	" sr_round(sr_yield_pct(coalesce(oil_weighed_kg, oil_receiver_kg)," \
	"  charge_kg), 6) AS yield_pct," \
	" sr_round(sr_yield_dry_pct(coalesce(oil_weighed_kg, oil_receiver_kg)," \
	"  charge_kg, bs0.moisture_pct), 6) AS yield_dry_pct," \
	" hydrosol_l, started_at, ended_at," \
	" sr_round((julianday(ended_at) - julianday(started_at)) * 1440, 1)" \
	"  AS duration_min," \
	" operator, steam_kg, fuel_kg, cooling_m3, electricity_kwh, labour_h," \
	" running_h, cost_vnd," \
	" CASE WHEN coalesce(oil_weighed_kg, oil_receiver_kg) > 0" \
	"  THEN sr_round(cost_vnd / coalesce(oil_weighed_kg, oil_receiver_kg), 2)" \
	"  END AS cost_vnd_per_kg_oil," \
	" alarm_count," \
	" coalesce(decision, CASE in_spec WHEN 1 THEN 'in-spec'" \
	"  WHEN 0 THEN 'out-of-spec' ELSE 'untested' END) AS qa_status," \
	" decided_by FROM bs0)"

/* Every batch's summary (bs0 over all of them), and the usual one: the
 * batch, the newest, or all (STORE_BS_RANGE). */
#define STORE_BS_ALL STORE_BS_OVER("")
#define STORE_BS STORE_BS_OVER(STORE_BS_RANGE)

/* The report filters over bs (empty parameters match everything). */
#define STORE_BS_WHERE \
	" WHERE (:batch IS NULL OR bs.id = :batch)" \
	" AND (:from IS NULL OR substr(bs.started_at, 1, 10) >= :from)" \
	" AND (:to IS NULL OR substr(bs.started_at, 1, 10) <= :to)" \
	" AND (:still IS NULL OR bs.still = :still)" \
	" AND (:feedstock IS NULL OR bs.feedstock = :feedstock)" \
	" AND (:state IS NULL OR bs.state = :state)" \
	" AND (:lot IS NULL OR EXISTS (SELECT 1 FROM batch_lots x" \
	"  WHERE x.batch_id = bs.id AND x.lot_id = :lot))" \
	" AND (:grower IS NULL OR EXISTS (SELECT 1 FROM batch_lots x" \
	"  JOIN lots l ON l.lot_id = x.lot_id WHERE x.batch_id = bs.id" \
	"  AND l.grower = :grower COLLATE NOCASE))"

/* A batch summary as JSON members; lots as an array of objects. */
#define STORE_BS_JSON \
	"'id', bs.id, 'still', bs.still, 'state', bs.state," \
	" 'recipe', bs.recipe, 'recipe_version', bs.recipe_version," \
	" 'recipe_sha256', bs.recipe_sha256, 'feedstock', bs.feedstock," \
	" 'lots', json((SELECT json_group_array(json_object('lot_id', bl.lot_id," \
	"  'mass_kg', bl.mass_kg, 'grower', l.grower," \
	"  'cooperative', l.cooperative, 'origin', l.origin," \
	"  'moisture_pct', l.moisture_pct))" \
	"  FROM batch_lots bl JOIN lots l ON l.lot_id = bl.lot_id" \
	"  WHERE bl.batch_id = bs.id))," \
	" 'charge_kg', bs.charge_kg, 'moisture_pct', bs.moisture_pct," \
	" 'oil_receiver_kg', bs.oil_receiver_kg," \
	" 'oil_weighed_kg', bs.oil_weighed_kg, 'weighed_by', bs.weighed_by," \
	" 'oil_kg', bs.oil_kg, 'yield_pct', bs.yield_pct," \
	" 'yield_dry_pct', bs.yield_dry_pct, 'hydrosol_l', bs.hydrosol_l," \
	" 'started_at', bs.started_at, 'ended_at', bs.ended_at," \
	" 'duration_min', bs.duration_min, 'operator', bs.operator," \
	" 'steam_kg', bs.steam_kg, 'fuel_kg', bs.fuel_kg," \
	" 'cooling_m3', bs.cooling_m3, 'electricity_kwh', bs.electricity_kwh," \
	" 'labour_h', bs.labour_h, 'running_h', bs.running_h," \
	" 'cost_vnd', bs.cost_vnd, 'cost_vnd_per_kg_oil', bs.cost_vnd_per_kg_oil," \
	" 'alarm_count', bs.alarm_count," \
	" 'qa_status', bs.qa_status, 'decided_by', bs.decided_by"

static const char store_sql_q_batches[] =
	STORE_BS " SELECT bs.* FROM bs" STORE_BS_WHERE " ORDER BY bs.id";
static const char store_sql_q_batches_json[] =
	STORE_BS " SELECT json_group_array(json_object(" STORE_BS_JSON "))"
	" FROM (SELECT * FROM bs" STORE_BS_WHERE " ORDER BY bs.id) bs";

/* :text is in the column (SQL's lower(): ASCII case ignored, as
 * strcasestr in the console's C locale). */
#define STORE_BS_HAS(col) " OR instr(lower(bs." col "), lower(:text))"

/* The console's search over a batch summary: :text (NULL: any) in one of
 * the columns of bs, the cheap ones first (OR stops at the first match);
 * the alarm count, which reads the alarms, only when :text is digits. */
#define STORE_BS_TEXT \
	" AND (:text IS NULL" STORE_BS_HAS("still") STORE_BS_HAS("state") \
	STORE_BS_HAS("started_at") STORE_BS_HAS("feedstock") \
	STORE_BS_HAS("operator") STORE_BS_HAS("recipe") \
	STORE_BS_HAS("recipe_version") STORE_BS_HAS("recipe_sha256") \
	STORE_BS_HAS("id") STORE_BS_HAS("charge_kg") \
	STORE_BS_HAS("oil_receiver_kg") STORE_BS_HAS("ended_at") \
	STORE_BS_HAS("duration_min") STORE_BS_HAS("steam_kg") \
	STORE_BS_HAS("fuel_kg") STORE_BS_HAS("cooling_m3") \
	STORE_BS_HAS("electricity_kwh") STORE_BS_HAS("labour_h") \
	STORE_BS_HAS("running_h") STORE_BS_HAS("cost_vnd") \
	STORE_BS_HAS("oil_weighed_kg") STORE_BS_HAS("weighed_by") \
	STORE_BS_HAS("oil_kg") STORE_BS_HAS("yield_pct") \
	STORE_BS_HAS("cost_vnd_per_kg_oil") STORE_BS_HAS("lots") \
	STORE_BS_HAS("growers") STORE_BS_HAS("moisture_pct") \
	STORE_BS_HAS("yield_dry_pct") STORE_BS_HAS("hydrosol_l") \
	STORE_BS_HAS("qa_status") STORE_BS_HAS("decided_by") \
	" OR (:text NOT GLOB '*[^0-9]*' AND instr(bs.alarm_count, :text)))"

/* The console's history: newest first, at most :newest, read from the
 * newest batch back until that many match (a decade holds 100,000). */
static const char store_sql_q_history[] =
	STORE_BS_ALL " SELECT bs.* FROM bs" STORE_BS_WHERE STORE_BS_TEXT
	" ORDER BY bs.id DESC LIMIT coalesce(:newest, -1)";

/* The batches a yields summary reads, as bs with only the columns it
 * filters and groups on (the whole summary bs would compute each batch's
 * lots, growers, hydrosol, alarm count and QA as well): one row per
 * batch from batches, its latest weighing and its lots' moisture. */
#define STORE_YIELDS_BS \
	"WITH bs0 AS (SELECT b.id AS id, b.still AS still, b.state AS state," \
	" b.feedstock AS feedstock, b.started_at AS started_at," \
	" b.charge_kg AS charge_kg, b.steam_kg AS steam_kg," \
	" b.cost_vnd AS cost_vnd, coalesce(mo.value, b.oil_receiver_kg) AS oil_kg," \
	STORE_BS_MOISTURE " AS moisture_pct FROM batches b" STORE_BS_WEIGHED ")," \
	" bs AS (SELECT id, still, state, feedstock, started_at, charge_kg," \
	" steam_kg, cost_vnd, oil_kg," \
	" sr_round(sr_yield_pct(oil_kg, charge_kg), 6) AS yield_pct," \
	" sr_round(sr_yield_dry_pct(oil_kg, charge_kg, moisture_pct), 6)" \
	"  AS yield_dry_pct FROM bs0)"

/* Yields: batches that ended (complete or stopped, unless a state is
 * asked for) with an oil figure, keyed by the grouping; a batch counts
 * once per grower, with the oil in proportion to the grower's mass.
 * One query per grouping, its aggregates in SQL; a row of k is one
 * batch (one batch and grower), so count(*) counts batches. */
#define STORE_YIELDS(name, keyed) \
	STORE_YIELDS_BS ", f AS (SELECT * FROM bs" STORE_BS_WHERE \
	" AND bs.yield_pct IS NOT NULL" \
	" AND (:state IS NOT NULL OR bs.state IN ('complete', 'stopped')))," \
	" k AS (" keyed ")" \
	" SELECT k AS " name ", count(*) AS batches," \
	" round(sum(oil_kg), 3) AS oil_kg," \
	" round(avg(yield_pct), 3) AS yield_mean_pct," \
	" round(min(yield_pct), 3) AS yield_min_pct," \
	" round(max(yield_pct), 3) AS yield_max_pct," \
	" round(avg(yield_dry_pct), 3) AS yield_dry_mean_pct," \
	" round(sum(steam_kg), 1) AS steam_kg," \
	" round(sum(cost_vnd)) AS cost_vnd," \
	" round(sum(cost_vnd) / sum(CASE WHEN cost_vnd IS NOT NULL THEN oil_kg END)," \
	"  2) AS cost_vnd_per_kg_oil" \
	" FROM k GROUP BY k ORDER BY k"
#define STORE_YIELDS_BY(expr) \
	"SELECT id, " expr " AS k, oil_kg, yield_pct, yield_dry_pct, steam_kg," \
	" cost_vnd FROM f"

static const struct store_yield_by {
	const char *by;
	const char *sql;
} store_yields_by[] = {
	{"feedstock", STORE_YIELDS("feedstock", STORE_YIELDS_BY("feedstock"))},
	{"still", STORE_YIELDS("still", STORE_YIELDS_BY("still"))},
	{"month", STORE_YIELDS("month", STORE_YIELDS_BY("substr(started_at, 1, 7)"))},
	{"grower", STORE_YIELDS("grower",
	 "SELECT f.id AS id, l.grower AS k,"
	 " sum(f.oil_kg * bl.mass_kg / f.charge_kg) AS oil_kg,"
	 " max(f.yield_pct) AS yield_pct, max(f.yield_dry_pct) AS yield_dry_pct,"
	 " sum(f.steam_kg * bl.mass_kg / f.charge_kg) AS steam_kg,"
	 " sum(f.cost_vnd * bl.mass_kg / f.charge_kg) AS cost_vnd"
	 " FROM f JOIN batch_lots bl ON bl.batch_id = f.id"
	 " JOIN lots l ON l.lot_id = bl.lot_id GROUP BY f.id, l.grower")},
};

/* ------------------------------------------------------------------ */
/* Settlement                                                           */

/*
 * STORE_Q_SETTLE: the lines of a settlement period (docs/RECORDS.md,
 * "Member settlement").
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
#define STORE_QUERY_SETTLE_IN(col) \
	" (:from IS NULL OR substr(" col ", 1, 10) >= :from)" \
	" AND (:to IS NULL OR substr(" col ", 1, 10) <= :to)"

#define STORE_QUERY_SETTLE_GROWER(col) \
	" (:grower IS NULL OR " col " = :grower COLLATE NOCASE)"

/* The batches of the period (and of the grower's lots). */
#define STORE_QUERY_SETTLE_BATCHES \
	"pb AS (SELECT b.id, b.state, b.feedstock FROM batches b" \
	" WHERE" STORE_QUERY_SETTLE_IN("b.started_at") \
	" AND (:grower IS NULL OR EXISTS (SELECT 1 FROM batch_lots x" \
	"  JOIN lots g ON g.lot_id = x.lot_id WHERE x.batch_id = b.id" \
	"  AND g.grower = :grower COLLATE NOCASE)))"

static const char store_query_sql_settle[] =
	"WITH pl AS (SELECT l.lot_id, l.grower, l.feedstock, l.plant_part,"
	" l.price_vnd_per_kg AS price, l.mass_received_kg FROM lots_now l"
	" WHERE" STORE_QUERY_SETTLE_IN("l.received_at")
	" AND" STORE_QUERY_SETTLE_GROWER("l.grower") "),"
	" " STORE_QUERY_SETTLE_BATCHES ","
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
	" WHERE" STORE_QUERY_SETTLE_GROWER("l.grower")
	" UNION ALL SELECT 'advance', grower, NULL, NULL, NULL, NULL, NULL,"
	" amount_vnd, NULL, NULL, NULL FROM advances"
	" WHERE" STORE_QUERY_SETTLE_IN("paid_on") " AND" STORE_QUERY_SETTLE_GROWER("grower")
	" UNION ALL SELECT 'weighed', NULL, NULL, NULL, NULL,"
	" CAST(round(oil_kg * 1000) AS INTEGER), NULL, NULL, NULL, id, state"
	" FROM pw WHERE oil_kg IS NOT NULL"
	" UNION ALL SELECT 'unweighed', NULL, NULL, NULL, NULL, NULL, NULL,"
	" NULL, NULL, id, state FROM pw WHERE oil_kg IS NULL"
	" AND state <> 'aborted')"
	" SELECT * FROM lines ORDER BY kind, grower, lot_id, batch_id";

/* The columns of a lot (l: lots_now) in the lot queries. */
#define STORE_LOTS_COLS \
	" l.lot_id, l.feedstock, l.grower, l.cooperative, l.origin," \
	" l.harvested, l.drying_days, l.moisture_pct, l.mass_received_kg," \
	" l.mass_remaining_kg, (SELECT count(*) FROM batch_lots bl" \
	"  WHERE bl.lot_id = l.lot_id) AS batches, l.received_at," \
	" l.received_by, l.plant_part, l.price_vnd_per_kg, l.organic_cert," \
	" l.organic_body, l.gi, l.oil_content_pct, l.organic," \
	" (SELECT sum(al.oil_g) FROM attribution_now an" \
	"  JOIN attribution_lots al ON al.attribution_id = an.id" \
	"  WHERE al.lot_id = l.lot_id) AS oil_g"

/* The lot filters over l (empty parameters match everything). */
#define STORE_LOTS_WHERE \
	" (:lot IS NULL OR l.lot_id = :lot)" \
	" AND (:feedstock IS NULL OR l.feedstock = :feedstock)" \
	" AND (:grower IS NULL OR l.grower = :grower COLLATE NOCASE)"

/* The console's lots: those in stock first (a charge draws from them),
 * then the others, each newest recorded first; at most :newest, and
 * with :text only those whose id, grower, feedstock or origin (as
 * corrected) has it, ASCII case ignored. The order and the limit are
 * taken on the lots table alone, then the whole rows read for those. */
static const char store_sql_q_lots_newest[] =
	"WITH pick AS (SELECT l.lot_id AS lot_id, l.mass_remaining_kg > 0 AS"
	" stock, l.rowid AS r FROM lots l WHERE" STORE_LOTS_WHERE
	" AND (:text IS NULL OR instr(lower(l.lot_id), lower(:text))"
	"  OR instr(lower(l.grower), lower(:text))"
	"  OR instr(lower(l.feedstock), lower(:text))"
	"  OR instr(lower((SELECT n.origin FROM lots_now n"
	"   WHERE n.lot_id = l.lot_id)), lower(:text)))"
	" ORDER BY stock DESC, r DESC LIMIT coalesce(:newest, -1))"
	" SELECT" STORE_LOTS_COLS " FROM pick JOIN " STORE_SQL_LOTS_NOW " l"
	" ON l.lot_id = pick.lot_id ORDER BY pick.stock DESC, pick.r DESC";

struct store_qdef {
	const char *rows;           /* SQL of the rows (NULL: built) */
	const char *json;           /* SQL of the JSON, NULL: rows wrapped */
	enum store_need needs;      /* refuses a batch, lot or drum that does
	                               not exist (STORE_NEED_NONE: 0) */
};

static const struct store_qdef store_qdefs[STORE_Q_COUNT] = {
	[STORE_Q_BATCHES] = {store_sql_q_batches, store_sql_q_batches_json, 0},
	[STORE_Q_HISTORY] = {store_sql_q_history, NULL, 0},
	[STORE_Q_SETTLE] = {store_query_sql_settle, NULL, 0},
	[STORE_Q_BATCH_LOTS] = {
		"SELECT bl.batch_id, bl.lot_id, l.feedstock, l.grower,"
		" l.cooperative, l.origin, l.harvested, l.drying_days,"
		" l.moisture_pct, bl.mass_kg FROM batch_lots bl"
		" JOIN lots l ON l.lot_id = bl.lot_id WHERE bl.batch_id = :batch"
		" ORDER BY bl.lot_id", NULL, STORE_NEED_BATCH},
	[STORE_Q_BATCH_STEPS] = {
		"SELECT step, name, at, t_process_s FROM batch_steps"
		" WHERE batch_id = :batch ORDER BY id", NULL, STORE_NEED_BATCH},
	[STORE_Q_BATCH_ALARMS] = {
		"SELECT a.alarm, a.state, a.message, a.raised_at, a.acked_at,"
		" a.acked_by, a.cleared_at, a.shelved_at, a.shelved_by, a.closed_at"
		" FROM alarms a"
		" JOIN batches b ON b.id = :batch WHERE " STORE_SQL_ALARM_IN_BATCH
		" ORDER BY a.id", NULL, STORE_NEED_BATCH},
	[STORE_Q_BATCH_PROMPTS] = {
		"SELECT step, question, asked_at, answer, answered_by, answered_at"
		" FROM prompts WHERE batch_id = :batch ORDER BY id", NULL, STORE_NEED_BATCH},
	[STORE_Q_BATCH_EVENTS] = {
		"SELECT id, at, t_process_s, kind, what, old_value, new_value, who,"
		" cause, text, hash FROM events WHERE batch_id = :batch ORDER BY id",
		NULL, STORE_NEED_BATCH},
	[STORE_Q_BATCH_MEASURES] = {
		"SELECT quantity, value, who, why, at FROM measurements"
		" WHERE batch_id = :batch ORDER BY id", NULL, STORE_NEED_BATCH},
	[STORE_Q_BATCH_QA] = {
		"SELECT at, analyst, lab_ref, density, refractive_index, marker,"
		" marker_pct, in_spec, failures, why, spec_feedstock, density_min,"
		" density_max, ri_min, ri_max, marker_min_pct, marker_max_pct"
		" FROM qa_results WHERE batch_id = :batch ORDER BY id", NULL, STORE_NEED_BATCH},
	[STORE_Q_BATCH_DECISIONS] = {
		"SELECT decision, who, why, at FROM qa_decisions"
		" WHERE batch_id = :batch ORDER BY id", NULL, STORE_NEED_BATCH},
	[STORE_Q_YIELDS] = {NULL, NULL, 0},
	[STORE_Q_CURVE] = {
		"SELECT sr_round(s.t_process_s - f.t0, 3) AS t_s,"
		" sr_round((s.t_process_s - f.t0) / 60.0, 3) AS t_min,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', s.wall_s, 'unixepoch') AS wall,"
		" sr_round((s.oil - f.oil0) / 1000.0, 4) AS oil_kg,"
		" sr_round(s.oil / 1000.0, 4) AS receiver_kg,"
		" s.pressure AS pressure_kpa, s.still_temp AS still_temp_c,"
		" s.vapour_temp AS vapour_temp_c,"
		" s.distillate_temp AS distillate_temp_c,"
		" s.steam_flow AS steam_kg_h, s.steam_valve AS steam_valve_pct,"
		" s.cooling_flow AS cooling_l_min, s.quality AS quality"
		" FROM hist_batch(:batch) s, (SELECT t_process_s AS t0, oil AS oil0"
		"  FROM hist_batch(:batch) LIMIT 1) f"
		" ORDER BY s.t_process_s", NULL, STORE_NEED_BATCH},
	[STORE_Q_LOTS] = {
		"SELECT" STORE_LOTS_COLS " FROM " STORE_SQL_LOTS_NOW " l WHERE"
		STORE_LOTS_WHERE " ORDER BY l.lot_id", NULL, 0},
	[STORE_Q_LOTS_NEWEST] = {store_sql_q_lots_newest, NULL, 0},
	[STORE_Q_LOT_BATCHES] = {
		STORE_BS " SELECT bs.id AS batch_id, bl.mass_kg AS drawn_kg,"
		" bs.still, bs.state, bs.started_at, bs.charge_kg, bs.oil_kg,"
		" bs.yield_pct, bs.qa_status, (SELECT al.oil_g FROM attribution_now an"
		"  JOIN attribution_lots al ON al.attribution_id = an.id"
		"  WHERE an.batch_id = bs.id AND al.lot_id = bl.lot_id) AS oil_g"
		" FROM batch_lots bl"
		" JOIN bs ON bs.id = bl.batch_id WHERE bl.lot_id = :lot"
		" ORDER BY bs.id", NULL, 0},
	[STORE_Q_GROWER] = {
		STORE_BS " SELECT l.grower, l.cooperative, l.origin, l.lot_id,"
		" l.feedstock, l.harvested, l.mass_received_kg,"
		" l.mass_remaining_kg, bs.id AS batch_id, bl.mass_kg AS drawn_kg,"
		" bs.still, bs.state, bs.started_at, bs.oil_kg, bs.qa_status"
		" FROM lots l LEFT JOIN batch_lots bl ON bl.lot_id = l.lot_id"
		" LEFT JOIN bs ON bs.id = bl.batch_id"
		" WHERE l.grower = :grower COLLATE NOCASE"
		" ORDER BY l.lot_id, bs.id", NULL, 0},
	[STORE_Q_QUARANTINE] = {
		"SELECT id, at, still, batch_id, item, t_process_s, detail, error,"
		" event_id FROM quarantine ORDER BY id", NULL, 0},
	/* since schema 5: store_trace.c */
	[STORE_Q_LOT_CORRECTIONS] = {store_trace_sql_corrections, NULL,
	                             STORE_NEED_LOT},
	[STORE_Q_ATTRIBUTION] = {store_trace_sql_attribution, NULL, 0},
	[STORE_Q_DRUMS] = {store_trace_sql_drums, NULL, 0},
	[STORE_Q_DRUM_FILLS] = {store_trace_sql_fills, NULL, STORE_NEED_DRUM},
	[STORE_Q_SHIPMENTS] = {store_trace_sql_shipments, NULL, 0},
	[STORE_Q_TRACE_DRUM] = {store_trace_sql_drum, store_trace_sql_drum_json,
	                        STORE_NEED_DRUM},
	[STORE_Q_TRACE_LOT] = {store_trace_sql_lot, store_trace_sql_lot_json,
	                       STORE_NEED_LOT},
};

/* The rows SQL of q under filter f. */
static const char *store_query_sql(enum store_query q,
                                   const struct store_filter *f, char *cause,
                                   size_t cause_len)
{
	const char *by = f && !store_blank(f->by) ? f->by : "feedstock";

	if ((int)q < 0 || q >= STORE_Q_COUNT || (q != STORE_Q_YIELDS &&
	                                         !store_qdefs[q].rows)) {
		store_fail(cause, cause_len, "no such report");
		return NULL;
	}
	if (q != STORE_Q_YIELDS)
		return store_qdefs[q].rows;
	for (size_t i = 0; i < sizeof store_yields_by / sizeof store_yields_by[0]; i++)
		if (strcmp(store_yields_by[i].by, by) == 0)
			return store_yields_by[i].sql;
	store_fail(cause, cause_len, "cannot group yields by '%s' (feedstock, "
	           "grower, still or month)", by);
	return NULL;
}

/* Binds whichever filter parameters st has ("" is no filter). */
static void store_bind_filter(sqlite3_stmt *st, const struct store_filter *f)
{
	static const struct store_filter none;
	const struct store_filter *g = f ? f : &none;
	const struct {
		const char *name;
		const char *value;
	} p[] = {
		{":from", g->from}, {":to", g->to}, {":still", g->still},
		{":feedstock", g->feedstock}, {":lot", g->lot_id},
		{":grower", g->grower}, {":state", g->state},
		{":drum", g->drum_id}, {":text", g->text},
	};
	int i = sqlite3_bind_parameter_index(st, ":batch");

	if (i > 0)
		store_bind_id(st, i, g->batch_id);
	i = sqlite3_bind_parameter_index(st, ":newest");
	if (i > 0 && g->newest > 0)
		sqlite3_bind_int(st, i, g->newest);
	i = sqlite3_bind_parameter_index(st, ":households");
	if (i > 0)
		sqlite3_bind_int(st, i, g->households == 1);
	for (size_t k = 0; k < sizeof p / sizeof p[0]; k++) {
		i = sqlite3_bind_parameter_index(st, p[k].name);
		if (i > 0)
			store_bind_text(st, i, store_blank(p[k].value) ? NULL : p[k].value);
	}
}

/* Prepares sql bound to f, checking the batch, lot or drum exists when
 * need says so. */
static sqlite3_stmt *store_query_prep(struct store *s, enum store_need need,
                                      const char *sql,
                                      const struct store_filter *f,
                                      char *cause, size_t cause_len)
{
	struct store_batch_row b;
	sqlite3_stmt *st;

	if (need == STORE_NEED_BATCH &&
	    store_query_batch_row(s, f ? f->batch_id : 0, &b, cause, cause_len) < 0)
		return NULL;
	if (store_trace_need(s, need, f, cause, cause_len) < 0)
		return NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_db_fail(s, "prepare the report", cause, cause_len);
		return NULL;
	}
	store_bind_filter(st, f);
	return st;
}

#define STORE_COLS_MAX 64

/* Writes the digits of q (>= 0) with a point before the last k (k > 0)
 * or ".0" (k == 0), after sign, into buf. */
static void store_put_decimal(char *buf, int neg, long long q, int k)
{
	char digits[24];
	int len = 0, o = 0;

	do {
		digits[len++] = (char)('0' + q % 10);
		q /= 10;
	} while (q > 0);
	if (neg)
		buf[o++] = '-';
	if (len <= k) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (int z = 0; z < k - len; z++)
			buf[o++] = '0';
	}
	for (int i = len - 1; i >= 0; i--) {
		buf[o++] = digits[i];
		if (i == k && k > 0 && len > k)
			buf[o++] = '.';
	}
	if (k == 0) {
		buf[o++] = '.';
		buf[o++] = '0';
	}
	buf[o] = '\0';
}

/* x in buf when it is, to within its last bit, a decimal of at most 6
 * places and 15 digits (the usual report figure; a register value
 * raw x 0.1 is one bit off 0.1 x raw): the integer's digits with the
 * point put in, no float formatting. Returns buf, or NULL. */
static const char *store_real_decimal(double x, char *buf)
{
	/* pow(10, -k), as the literals are the same doubles (no libm call
	 * a value: the curve CSV writes 7 million) */
	static const double tenth_pow[] = {1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6};
	double scale = 1;
	int k;
	long long q;

	for (k = 0; k <= 6; k++, scale *= 10) {
		double d = nearbyint(x * scale);

		if (fabs(d) >= 1e15)
			return NULL;
		if (d / scale == x || d * tenth_pow[k] == x)
			break;
	}
	if (k > 6)
		return NULL;
	q = llabs((long long)nearbyint(x * scale));
	while (k > 0 && q % 10 == 0) {   /* "%g" drops trailing zeros */
		q /= 10;
		k--;
	}
	store_put_decimal(buf, x < 0, q, k);
	return buf;
}

const char *store_real_text(double x, char *buf)
{
	double a = fabs(x);

	if (signbit(x) && x == 0)
		return NULL;
	if (x != 0 && !(a >= 1e-4 && a < 1e15))
		return NULL;
	if (store_real_decimal(x, buf))
		return buf;
	snprintf(buf, STORE_REAL_TEXT_MAX, "%.15g", x);
	if (strtod(buf, NULL) != x)
		return NULL;
	if (!strchr(buf, '.'))
		strcat(buf, ".0");
	return buf;
}

/* Fills cells[] from the current row of st (REAL text in bufs). Returns
 * the column count. */
static int store_cells(sqlite3_stmt *st, struct store_cell *cells,
                       char (*bufs)[STORE_REAL_TEXT_MAX])
{
	int n = sqlite3_column_count(st);

	if (n > STORE_COLS_MAX)
		n = STORE_COLS_MAX;
	for (int i = 0; i < n; i++) {
		int type = sqlite3_column_type(st, i);
		const char *text = NULL;

		cells[i].name = sqlite3_column_name(st, i);
		cells[i].is_num = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
		cells[i].num = cells[i].is_num ? sqlite3_column_double(st, i) : NAN;
		if (type == SQLITE_FLOAT)
			text = store_real_text(cells[i].num, bufs[i]);
		cells[i].text = type == SQLITE_NULL ? NULL : text ? text : store_col(st, i);
	}
	return n;
}

int store_query_rows(struct store *s, enum store_query q,
                     const struct store_filter *f, store_row_fn fn, void *ctx,
                     char *cause, size_t cause_len)
{
	struct store_cell cells[STORE_COLS_MAX];
	char bufs[STORE_COLS_MAX][STORE_REAL_TEXT_MAX];
	const char *sql = store_query_sql(q, f, cause, cause_len);
	sqlite3_stmt *st = sql ? store_query_prep(s, store_qdefs[q].needs, sql, f,
	                                          cause, cause_len) : NULL;
	int rc, rows = 0;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = store_cells(st, cells, bufs);

		rows++;
		if (fn && fn(ctx, cells, n) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		rows = store_db_fail(s, "read the report", cause, cause_len);
	sqlite3_finalize(st);
	return rows;
}

/* "SELECT json_group_array(json_object('c', "c", ...)) FROM (rows)",
 * with the column names of rows; sqlite3_free it. */
static char *store_json_wrap(struct store *s, const char *rows, char *cause,
                             size_t cause_len)
{
	sqlite3_stmt *st;
	sqlite3_str *out;

	if (sqlite3_prepare_v2(s->db, rows, -1, &st, NULL) != SQLITE_OK) {
		store_db_fail(s, "prepare the report", cause, cause_len);
		return NULL;
	}
	out = sqlite3_str_new(s->db);
	sqlite3_str_appendall(out, "SELECT json_group_array(json_object(");
	for (int i = 0; i < sqlite3_column_count(st); i++)
		sqlite3_str_appendf(out, "%s'%q', \"%w\"", i ? ", " : "",
		                    sqlite3_column_name(st, i),
		                    sqlite3_column_name(st, i));
	sqlite3_str_appendf(out, ")) FROM (%s)", rows);
	sqlite3_finalize(st);
	return sqlite3_str_finish(out);
}

/* Runs a statement that returns one text value; a malloc'd copy. */
static char *store_one_text(struct store *s, sqlite3_stmt *st, char *cause,
                            size_t cause_len)
{
	char *text = NULL;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		text = strdup(store_col(st, 0) ? store_col(st, 0) : "null");
		if (!text)
			store_fail(cause, cause_len, "out of memory");
	} else {
		store_db_fail(s, "read the report", cause, cause_len);
	}
	sqlite3_finalize(st);
	return text;
}

char *store_query_json(struct store *s, enum store_query q,
                       const struct store_filter *f, char *cause,
                       size_t cause_len)
{
	const char *rows = store_query_sql(q, f, cause, cause_len);
	char *wrapped = NULL;
	sqlite3_stmt *st;

	if (!rows)
		return NULL;
	if (!store_qdefs[q].json) {
		wrapped = store_json_wrap(s, rows, cause, cause_len);
		if (!wrapped)
			return NULL;
	}
	st = store_query_prep(s, store_qdefs[q].needs,
	                      wrapped ? wrapped : store_qdefs[q].json, f, cause,
	                      cause_len);
	sqlite3_free(wrapped);
	return st ? store_one_text(s, st, cause, cause_len) : NULL;
}

char *store_query_one(struct store *s, enum store_need need, const char *sql,
                      const struct store_filter *f, char *cause,
                      size_t cause_len)
{
	sqlite3_stmt *st = store_query_prep(s, need, sql, f, cause, cause_len);

	return st ? store_one_text(s, st, cause, cause_len) : NULL;
}

/* The batch's detail arrays, in the order store_sql_batch_json sets them. */
static const enum store_query store_batch_parts[] = {
	STORE_Q_BATCH_STEPS, STORE_Q_BATCH_ALARMS, STORE_Q_BATCH_PROMPTS,
	STORE_Q_BATCH_MEASURES, STORE_Q_BATCH_QA, STORE_Q_BATCH_DECISIONS,
	STORE_Q_BATCH_EVENTS,
};
#define STORE_BATCH_PARTS (sizeof store_batch_parts / sizeof store_batch_parts[0])

static const char store_sql_batch_json[] =
	"SELECT json_set(json_extract(?1, '$[0]'), '$.steps', json(?2),"
	" '$.alarms', json(?3), '$.prompts', json(?4),"
	" '$.measurements', json(?5), '$.qa', json(?6), '$.decisions', json(?7),"
	" '$.events', json(?8))";

char *store_batch_json(struct store *s, long batch_id, char *cause,
                       size_t cause_len)
{
	struct store_filter f = {.batch_id = batch_id};
	char *part[1 + STORE_BATCH_PARTS] = {NULL};
	char *json = NULL;
	sqlite3_stmt *st = NULL;
	size_t i;

	if (batch_id <= 0 || !(part[0] = store_query_json(s, STORE_Q_BATCHES, &f,
	                                                  cause, cause_len)))
		goto out_free;
	for (i = 0; i < STORE_BATCH_PARTS; i++)
		if (!(part[i + 1] = store_query_json(s, store_batch_parts[i], &f,
		                                     cause, cause_len)))
			goto out_free;
	if (sqlite3_prepare_v2(s->db, store_sql_batch_json, -1, &st, NULL) != SQLITE_OK) {
		store_db_fail(s, "prepare the report", cause, cause_len);
		goto out_free;
	}
	for (i = 0; i <= STORE_BATCH_PARTS; i++)
		store_bind_text(st, (int)i + 1, part[i]);
	json = store_one_text(s, st, cause, cause_len);
out_free:
	for (i = 0; i <= STORE_BATCH_PARTS; i++)
		free(part[i]);
	if (!json && batch_id <= 0)
		store_fail(cause, cause_len, "no batch %ld", batch_id);
	return json;
}
