/*
 * store_audit: the audit chain: its rows and their hashes, appending a row
 * (migrations append too, so this is in the read part), the record rows
 * the chain snapshots, and verifying the whole chain.
 */
#include "store_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"

/* ------------------------------------------------------------------ */
/* The audit trail: rows, their hashes, appending                       */

/* Hashes one field as "len:bytes;" ("-;" for NULL), so that no two
 * different rows serialise the same way. */
static void store_hash_field(struct sha256 *h, const char *v)
{
	char len[24];

	if (!v) {
		sha256_update(h, "-;", 2);
		return;
	}
	snprintf(len, sizeof len, "%zu:", strlen(v));
	sha256_update(h, len, strlen(len));
	sha256_update(h, v, strlen(v));
	sha256_update(h, ";", 1);
}

/* The row's hash: sha256(prev_hash || canonical serialisation). Numbers
 * are serialised as text (%lld, %.17g round-trips a double exactly). */
void store_audit_hash(const struct store_audit *a,
                             char hex[SHA256_HEX_LEN + 1])
{
	char id[24], t[40], batch[24];
	struct sha256 h;
	uint8_t digest[SHA256_DIGEST_LEN];

	snprintf(id, sizeof id, "%lld", a->id);
	snprintf(t, sizeof t, "%.17g", a->t_process_s);
	snprintf(batch, sizeof batch, "%lld", a->batch_id);
	sha256_init(&h);
	sha256_update(&h, a->prev_hash, strlen(a->prev_hash));
	store_hash_field(&h, id);
	store_hash_field(&h, a->at);
	store_hash_field(&h, isnan(a->t_process_s) ? NULL : t);
	store_hash_field(&h, a->batch_id > 0 ? batch : NULL);
	store_hash_field(&h, a->still);
	store_hash_field(&h, a->kind);
	store_hash_field(&h, a->what);
	store_hash_field(&h, a->old_value);
	store_hash_field(&h, a->new_value);
	store_hash_field(&h, a->who);
	store_hash_field(&h, a->cause);
	store_hash_field(&h, a->text);
	store_hash_field(&h, a->record_ref);
	store_hash_field(&h, a->record);
	sha256_final(&h, digest);
	sha256_to_hex(digest, hex);
}

/* Next id: past the id sequence, so a cut-off tail is never reused. */
static const char store_sql_audit_head[] =
	"SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
	"                     WHERE name = 'events'), 0),"
	"           coalesce((SELECT max(id) FROM events), 0)) + 1,"
	" coalesce((SELECT hash FROM events ORDER BY id DESC LIMIT 1),"
	"          '" STORE_ZERO_HASH "')";

/* The id the next audit row gets and the hash it links to. Only stable
 * inside a write transaction. */
int store_audit_next(struct store *s, long long *id,
                     char prev[SHA256_HEX_LEN + 1], char *cause,
                     size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_audit_head, cause, cause_len);

	if (!st || store_row(s, st, "read the audit trail", cause, cause_len) != 1)
		return -1;
	*id = sqlite3_column_int64(st, 0);
	if (prev)
		store_col_text(st, 1, prev, SHA256_HEX_LEN + 1);
	sqlite3_reset(st);
	return 0;
}

static const char store_sql_audit_insert[] =
	"INSERT INTO events (id, at, t_process_s, batch_id, still, kind, what,"
	" old_value, new_value, who, cause, text, record_ref, record,"
	" prev_hash, hash)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	" ?15, ?16)";

/* Appends *a (its id and prev_hash are filled in here) to the chain.
 * Inside a write transaction. *id_out (may be NULL) gets the row id. */
int store_audit_append(struct store *s, struct store_audit *a,
                       long long *id_out, char *cause, size_t cause_len)
{
	char prev[SHA256_HEX_LEN + 1], hash[SHA256_HEX_LEN + 1];
	sqlite3_stmt *st;

	if (store_audit_next(s, &a->id, prev, cause, cause_len) < 0)
		return -1;
	a->prev_hash = prev;
	store_audit_hash(a, hash);
	st = store_prep(s, store_sql_audit_insert, cause, cause_len);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a->id);
	store_bind_text(st, 2, a->at);
	store_bind_real(st, 3, a->t_process_s);
	store_bind_id(st, 4, (long)a->batch_id);
	store_bind_text(st, 5, a->still);
	store_bind_text(st, 6, a->kind);
	store_bind_text(st, 7, a->what);
	store_bind_text(st, 8, a->old_value);
	store_bind_text(st, 9, a->new_value);
	store_bind_text(st, 10, a->who);
	store_bind_text(st, 11, a->cause);
	store_bind_text(st, 12, a->text);
	store_bind_text(st, 13, a->record_ref);
	store_bind_text(st, 14, a->record);
	store_bind_text(st, 15, prev);
	store_bind_text(st, 16, hash);
	if (store_run(s, st, "append to the audit trail", cause, cause_len) < 0)
		return -1;
	a->prev_hash = NULL;
	if (id_out)
		*id_out = a->id;
	return 0;
}

/* An audit row of kind what: old -> new by who, at now, no batch. */
struct store_audit store_audit_make(const char *now, const char *kind,
                                    const char *what, const char *old_value,
                                    const char *new_value, const char *who)
{
	struct store_audit a = {
		.at = now, .t_process_s = NAN, .kind = kind, .what = what,
		.old_value = old_value, .new_value = new_value, .who = who,
	};
	return a;
}

/* ------------------------------------------------------------------ */
/* Record rows and their JSON snapshots in the audit trail              */

/* The JSON of a record row (table alias r). The writer stores it in the
 * audit row; store_audit_verify recomputes it from the table. */
/* Lots received before schema 5 (none of its columns set) keep their old
 * snapshot; a lot with any of them carries them all. */
#define STORE_REC_LOT_FIELDS \
	"'lot_id', r.lot_id, 'feedstock', r.feedstock," \
	" 'grower', r.grower, 'cooperative', r.cooperative, 'origin', r.origin," \
	" 'harvested', r.harvested, 'drying_days', r.drying_days," \
	" 'moisture_pct', r.moisture_pct," \
	" 'mass_received_kg', r.mass_received_kg," \
	" 'received_by', r.received_by, 'received_at', r.received_at"
#define STORE_REC_LOT_JSON \
	"CASE WHEN r.plant_part IS NULL AND r.price_vnd_per_kg IS NULL" \
	" AND r.organic_cert IS NULL AND r.organic_body IS NULL AND r.gi IS NULL" \
	" AND r.oil_content_pct IS NULL" \
	" THEN json_object(" STORE_REC_LOT_FIELDS ")" \
	" ELSE json_object(" STORE_REC_LOT_FIELDS ", 'plant_part', r.plant_part," \
	" 'price_vnd_per_kg', r.price_vnd_per_kg, 'organic_cert', r.organic_cert," \
	" 'organic_body', r.organic_body, 'gi', r.gi," \
	" 'oil_content_pct', r.oil_content_pct) END"
/* Batches started before schema 5 (organic NULL) keep their old
 * snapshot; later ones carry organic too. */
#define STORE_REC_BATCH_FIELDS \
	"'id', r.id, 'still', r.still, 'recipe_id', r.recipe_id," \
	" 'recipe_sha256', (SELECT sha256 FROM recipes WHERE id = r.recipe_id)," \
	" 'feedstock', r.feedstock, 'charge_kg', r.charge_kg," \
	" 'operator', r.operator, 'started_at', r.started_at," \
	" 'started_t_s', r.started_t_s," \
	" 'lots', json(coalesce((SELECT json_group_array(json_object(" \
	"   'lot_id', bl.lot_id, 'mass_kg', bl.mass_kg))" \
	"   FROM batch_lots bl WHERE bl.batch_id = r.id), '[]'))"
#define STORE_REC_BATCH_JSON \
	"CASE WHEN r.organic IS NULL THEN json_object(" STORE_REC_BATCH_FIELDS ")" \
	" ELSE json_object(" STORE_REC_BATCH_FIELDS ", 'organic', r.organic) END"
/* End figures written before schema 4 have no resources (running_h and
 * cooling_m3 are never NULL after it): they keep their old snapshot. */
#define STORE_REC_BATCH_END_JSON \
	"CASE WHEN r.end_event_id IS NULL AND r.oil_receiver_kg IS NULL" \
	" AND r.steam_kg IS NULL THEN NULL" \
	" WHEN r.running_h IS NULL AND r.cooling_m3 IS NULL" \
	" THEN json_object('id', r.id, 'oil_receiver_kg', r.oil_receiver_kg," \
	" 'steam_kg', r.steam_kg)" \
	" ELSE json_object('id', r.id, 'oil_receiver_kg', r.oil_receiver_kg," \
	" 'steam_kg', r.steam_kg, 'cooling_m3', r.cooling_m3," \
	" 'running_h', r.running_h, 'fuel_kg', r.fuel_kg," \
	" 'electricity_kwh', r.electricity_kwh, 'labour_h', r.labour_h," \
	" 'cost_vnd', r.cost_vnd) END"
#define STORE_REC_MEASURE_JSON \
	"json_object('id', r.id, 'batch_id', r.batch_id," \
	" 'quantity', r.quantity, 'value', r.value, 'who', r.who," \
	" 'why', r.why, 'at', r.at)"
#define STORE_REC_QA_JSON \
	"json_object('id', r.id, 'batch_id', r.batch_id, 'density', r.density," \
	" 'refractive_index', r.refractive_index, 'marker', r.marker," \
	" 'marker_pct', r.marker_pct, 'analyst', r.analyst," \
	" 'lab_ref', r.lab_ref, 'why', r.why," \
	" 'spec_feedstock', r.spec_feedstock, 'density_min', r.density_min," \
	" 'density_max', r.density_max, 'ri_min', r.ri_min," \
	" 'ri_max', r.ri_max, 'marker_min_pct', r.marker_min_pct," \
	" 'marker_max_pct', r.marker_max_pct, 'in_spec', r.in_spec," \
	" 'failures', r.failures, 'at', r.at)"
#define STORE_REC_DECISION_JSON \
	"json_object('id', r.id, 'batch_id', r.batch_id," \
	" 'decision', r.decision, 'who', r.who, 'why', r.why, 'at', r.at)"

#define STORE_REC_LOT_FIX_JSON \
	"json_object('id', r.id, 'lot_id', r.lot_id, 'field', r.field," \
	" 'old_value', r.old_value, 'new_value', r.new_value, 'who', r.who," \
	" 'why', r.why, 'at', r.at)"
#define STORE_REC_DRUM_JSON \
	"json_object('drum_id', r.drum_id, 'feedstock', r.feedstock," \
	" 'organic', r.organic, 'tare_kg', r.tare_kg," \
	" 'trace_code', r.trace_code, 'created_by', r.created_by," \
	" 'created_at', r.created_at)"
#define STORE_REC_FILL_JSON \
	"json_object('id', r.id, 'drum_id', r.drum_id, 'batch_id', r.batch_id," \
	" 'oil_kg', r.oil_kg, 'who', r.who, 'at', r.at)"
/* a shipment embeds its drums, an attribution its lots (like a batch its
 * draws): a child row edited, added or deleted changes the parent's JSON */
#define STORE_REC_SHIP_JSON \
	"json_object('id', r.id, 'buyer', r.buyer, 'doc_no', r.doc_no," \
	" 'ship_date', r.ship_date, 'who', r.who, 'at', r.at," \
	" 'drums', json(coalesce((SELECT json_group_array(sd.drum_id) FROM" \
	"   (SELECT drum_id FROM shipment_drums WHERE shipment_id = r.id" \
	"    ORDER BY drum_id) sd), '[]')))"
#define STORE_REC_ATTR_JSON \
	"json_object('id', r.id, 'batch_id', r.batch_id, 'revision', r.revision," \
	" 'oil_g', r.oil_g, 'method', r.method, 'why', r.why, 'at', r.at," \
	" 'lots', json(coalesce((SELECT json_group_array(json_object(" \
	"   'lot_id', al.lot_id, 'basis', al.basis, 'oil_g', al.oil_g)) FROM" \
	"   (SELECT * FROM attribution_lots WHERE attribution_id = r.id" \
	"    ORDER BY lot_id) al), '[]')))"
#define STORE_REC_ADVANCE_JSON \
	"json_object('id', r.id, 'grower', r.grower, 'amount_vnd', r.amount_vnd," \
	" 'paid_on', r.paid_on, 'who', r.who, 'why', r.why, 'at', r.at)"

#define STORE_REC_SELECT(json, table) \
	"SELECT " json " FROM " table " r WHERE r.rowid = ?1"

static const char store_sql_rec_lot[] =
	STORE_REC_SELECT(STORE_REC_LOT_JSON, "lots");
static const char store_sql_rec_batch[] =
	STORE_REC_SELECT(STORE_REC_BATCH_JSON, "batches");
static const char store_sql_rec_batch_end[] =
	STORE_REC_SELECT(STORE_REC_BATCH_END_JSON, "batches");
static const char store_sql_rec_measure[] =
	STORE_REC_SELECT(STORE_REC_MEASURE_JSON, "measurements");
static const char store_sql_rec_qa[] =
	STORE_REC_SELECT(STORE_REC_QA_JSON, "qa_results");
static const char store_sql_rec_decision[] =
	STORE_REC_SELECT(STORE_REC_DECISION_JSON, "qa_decisions");

static const char store_sql_rec_lot_fix[] =
	STORE_REC_SELECT(STORE_REC_LOT_FIX_JSON, "lot_corrections");
static const char store_sql_rec_drum[] =
	STORE_REC_SELECT(STORE_REC_DRUM_JSON, "drums");
static const char store_sql_rec_fill[] =
	STORE_REC_SELECT(STORE_REC_FILL_JSON, "drum_fills");
static const char store_sql_rec_ship[] =
	STORE_REC_SELECT(STORE_REC_SHIP_JSON, "shipments");
static const char store_sql_rec_attr[] =
	STORE_REC_SELECT(STORE_REC_ATTR_JSON, "attributions");
static const char store_sql_rec_advance[] =
	STORE_REC_SELECT(STORE_REC_ADVANCE_JSON, "advances");

const struct store_rec_desc store_recs[STORE_REC_COUNT] = {
	[STORE_REC_LOT] = {"lots", "lots", "event_id", "'lot ' || r.lot_id",
	                   STORE_REC_LOT_JSON, store_sql_rec_lot},
	[STORE_REC_BATCH] = {"batches", "batches", "event_id",
	                     "'batch ' || r.id", STORE_REC_BATCH_JSON,
	                     store_sql_rec_batch},
	[STORE_REC_BATCH_END] = {"batch_end", "batches", "end_event_id",
	                         "'end figures of batch ' || r.id",
	                         STORE_REC_BATCH_END_JSON, store_sql_rec_batch_end},
	[STORE_REC_MEASURE] = {"measurements", "measurements", "event_id",
	                       "'measurement ' || r.id || ' of batch ' || r.batch_id",
	                       STORE_REC_MEASURE_JSON, store_sql_rec_measure},
	[STORE_REC_QA] = {"qa_results", "qa_results", "event_id",
	                  "'QA result ' || r.id || ' of batch ' || r.batch_id",
	                  STORE_REC_QA_JSON, store_sql_rec_qa},
	[STORE_REC_DECISION] = {"qa_decisions", "qa_decisions", "event_id",
	                        "'QA decision ' || r.id || ' of batch ' || r.batch_id",
	                        STORE_REC_DECISION_JSON, store_sql_rec_decision},
	[STORE_REC_LOT_FIX] = {"lot_corrections", "lot_corrections", "event_id",
	                       "'correction ' || r.id || ' of lot ' || r.lot_id",
	                       STORE_REC_LOT_FIX_JSON, store_sql_rec_lot_fix},
	[STORE_REC_DRUM] = {"drums", "drums", "event_id", "'drum ' || r.drum_id",
	                    STORE_REC_DRUM_JSON, store_sql_rec_drum},
	[STORE_REC_FILL] = {"drum_fills", "drum_fills", "event_id",
	                    "'fill ' || r.id || ' of drum ' || r.drum_id",
	                    STORE_REC_FILL_JSON, store_sql_rec_fill},
	[STORE_REC_SHIP] = {"shipments", "shipments", "event_id",
	                    "'shipment ' || r.id", STORE_REC_SHIP_JSON,
	                    store_sql_rec_ship},
	[STORE_REC_ATTR] = {"attributions", "attributions", "event_id",
	                    "'attribution ' || r.id || ' of batch ' || r.batch_id",
	                    STORE_REC_ATTR_JSON, store_sql_rec_attr},
	[STORE_REC_ADVANCE] = {"advances", "advances", "event_id",
	                       "'advance ' || r.id", STORE_REC_ADVANCE_JSON,
	                       store_sql_rec_advance},
};

/* ------------------------------------------------------------------ */
/* Verifying the audit trail                                            */

/* Reports a broken row: one line to out and into cause; returns 1. */
static int store_broken(FILE *out, char *cause, size_t cause_len,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int store_broken(FILE *out, char *cause, size_t cause_len,
                        const char *fmt, ...)
{
	char line[STORE_CAUSE_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (out)
		fprintf(out, "%s\n", line);
	store_fail(cause, cause_len, "%s", line);
	return 1;
}

/* Fills *a from a row of store_sql_audit_walk. */
static void store_audit_from_row(sqlite3_stmt *st, struct store_audit *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->at = store_col(st, 1);
	a->t_process_s = store_col_real(st, 2);
	a->batch_id = sqlite3_column_type(st, 3) == SQLITE_NULL ?
		0 : sqlite3_column_int64(st, 3);
	a->still = store_col(st, 4);
	a->kind = store_col(st, 5);
	a->what = store_col(st, 6);
	a->old_value = store_col(st, 7);
	a->new_value = store_col(st, 8);
	a->who = store_col(st, 9);
	a->cause = store_col(st, 10);
	a->text = store_col(st, 11);
	a->record_ref = store_col(st, 12);
	a->record = store_col(st, 13);
	a->prev_hash = store_col(st, 14) ? store_col(st, 14) : "";
}

static const char store_sql_audit_walk[] =
	"SELECT id, at, t_process_s, batch_id, still, kind, what, old_value,"
	" new_value, who, cause, text, record_ref, record, prev_hash, hash"
	" FROM events ORDER BY id";

/* Checks one row against the one before it (last, prev). 0 or 1. */
static int store_verify_row(sqlite3_stmt *st, long long last, const char *prev,
                            FILE *out, char *cause, size_t cause_len)
{
	char hash[SHA256_HEX_LEN + 1];
	const char *stored = store_col(st, 15);
	struct store_audit a;

	store_audit_from_row(st, &a);
	if (a.id != last + 1)
		return store_broken(out, cause, cause_len,
		                    "audit: row %lld follows row %lld: rows %lld..%lld "
		                    "were deleted, or row %lld was inserted",
		                    a.id, last, last + 1, a.id - 1, a.id);
	if (strcmp(a.prev_hash, prev) != 0)
		return store_broken(out, cause, cause_len,
		                    "audit: row %lld does not link to row %lld: row "
		                    "%lld was edited or replaced, or row %lld inserted",
		                    a.id, last, last, a.id);
	store_audit_hash(&a, hash);
	if (!stored || strcmp(stored, hash) != 0)
		return store_broken(out, cause, cause_len,
		                    "audit: row %lld was edited: its contents do not "
		                    "match its hash", a.id);
	return 0;
}

static const char store_sql_audit_seq[] =
	"SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'events'),"
	" (SELECT count(*) FROM events)";

/* Rows cut off the end leave the id sequence past the last id. 0 or 1. */
static int store_verify_tail(struct store *s, long long last, FILE *out,
                             char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_audit_seq, cause, cause_len);
	long long seq;
	int has_seq;

	if (!st || store_row(s, st, "read the audit trail", cause, cause_len) != 1)
		return -1;
	has_seq = sqlite3_column_type(st, 0) != SQLITE_NULL;
	seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (!has_seq && last > 0)
		return store_broken(out, cause, cause_len,
		                    "audit: the audit trail's id sequence was removed");
	if (seq > last)
		return store_broken(out, cause, cause_len,
		                    "audit: rows %lld..%lld at the end were deleted",
		                    last + 1, seq);
	return 0;
}

/* Walks the chain. 0 intact (rows and head set), 1 broken, -1 error. */
static int store_verify_chain(struct store *s, FILE *out, long long *rows,
                              char head[SHA256_HEX_LEN + 1], char *cause,
                              size_t cause_len)
{
	sqlite3_stmt *st;
	long long last = 0;
	int rc, broken = 0;

	snprintf(head, SHA256_HEX_LEN + 1, "%s", STORE_ZERO_HASH);
	if (sqlite3_prepare_v2(s->db, store_sql_audit_walk, -1, &st, NULL) != SQLITE_OK)
		return store_db_fail(s, "read the audit trail", cause, cause_len);
	while (!broken && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		broken = store_verify_row(st, last, head, out, cause, cause_len);
		last = sqlite3_column_int64(st, 0);
		store_col_text(st, 15, head, SHA256_HEX_LEN + 1);
	}
	if (!broken && rc != SQLITE_DONE)
		store_db_fail(s, "read the audit trail", cause, cause_len);
	sqlite3_finalize(st);
	if (broken)
		return 1;
	if (rc != SQLITE_DONE)
		return -1;
	*rows = last;
	return store_verify_tail(s, last, out, cause, cause_len);
}

/* Runs a check query whose first column (if any row) names a problem.
 * 0 none, 1 found (reported with prefix), -1 error. */
static int store_verify_query(struct store *s, const char *sql,
                              const char *prefix, FILE *out, char *cause,
                              size_t cause_len)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_db_fail(s, "check the records", cause, cause_len);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = store_broken(out, cause, cause_len, "%s%s", prefix,
		                  store_col(st, 0) ? store_col(st, 0) : "?");
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = store_db_fail(s, "check the records", cause, cause_len);
	sqlite3_finalize(st);
	return rc;
}

/* A record table against the audit rows that snapshot it, both ways. */
static int store_verify_rec(struct store *s, const struct store_rec_desc *d,
                            FILE *out, char *cause, size_t cause_len)
{
	char sql[8192];
	int rc;

	snprintf(sql, sizeof sql,
	         "SELECT CASE WHEN e.id IS NULL THEN %s || ' has no audit row"
	         " (inserted outside the audit trail)'"
	         " ELSE %s || ' does not match audit row ' || e.id ||"
	         " ' (edited outside the audit trail)' END"
	         " FROM %s r LEFT JOIN events e ON e.id = r.%s"
	         " AND e.record_ref = '%s'"
	         " WHERE e.record IS NOT (%s) ORDER BY r.rowid LIMIT 1",
	         d->key, d->key, d->table, d->link, d->ref, d->json);
	rc = store_verify_query(s, sql, "audit: ", out, cause, cause_len);
	if (rc != 0)
		return rc;
	snprintf(sql, sizeof sql,
	         "SELECT 'row ' || e.id || ' records a %s row that is missing"
	         " (deleted)' FROM events e WHERE e.record_ref = '%s'"
	         " AND e.id NOT IN (SELECT r.%s FROM %s r WHERE r.%s IS NOT NULL)"
	         " ORDER BY e.id LIMIT 1",
	         d->table, d->ref, d->link, d->table, d->link);
	return store_verify_query(s, sql, "audit: ", out, cause, cause_len);
}

/* Checks of derived figures against the rows they come from. */
static const char *const store_verify_sql[] = {
	/* a lot's remaining mass is what it received less what batches drew */
	"SELECT 'lot ' || l.lot_id || ' has ' || printf('%.3f', l.mass_remaining_kg)"
	" || ' kg left, but received less drawn is ' || printf('%.3f', d.left)"
	" FROM lots l JOIN (SELECT x.lot_id, x.mass_received_kg - coalesce("
	"  (SELECT sum(mass_kg) FROM batch_lots bl WHERE bl.lot_id = x.lot_id),"
	"  0) AS left FROM lots x) d ON d.lot_id = l.lot_id"
	" WHERE abs(l.mass_remaining_kg - d.left) > 0.0005 LIMIT 1",
	/* a batch's state is the last state its audit trail gave it */
	"SELECT 'batch ' || b.id || ' is ' || quote(b.state) ||"
	" ' but its audit trail says ' || quote(b.x) FROM (SELECT id, state,"
	" coalesce((SELECT new_value FROM events e WHERE e.batch_id = y.id"
	"  AND e.kind = 'state' AND e.new_value NOT IN ('', 'idle')"
	"  ORDER BY e.id DESC LIMIT 1), 'running') AS x FROM batches y) b"
	" WHERE b.state IS NOT b.x ORDER BY b.id LIMIT 1",
	/* each attribution's lots sum to its oil (schema 5) */
	"SELECT 'attribution ' || a.id || ' of batch ' || a.batch_id || ' gives "
	"' || coalesce(x.g, 0) || ' g to its lots, not its ' || a.oil_g || ' g'"
	" FROM attributions a LEFT JOIN (SELECT attribution_id, sum(oil_g) AS g"
	"  FROM attribution_lots GROUP BY attribution_id) x"
	" ON x.attribution_id = a.id WHERE coalesce(x.g, 0) != a.oil_g"
	" ORDER BY a.id LIMIT 1",
	/* a batch's fills never exceed its latest weighing */
	"SELECT 'batch ' || f.batch_id || ' put ' || printf('%.3f', f.kg) ||"
	" ' kg in drums but weighed ' || coalesce(printf('%.3f', (SELECT value"
	"  FROM measurements m WHERE m.batch_id = f.batch_id"
	"  AND m.quantity = 'oil_kg' ORDER BY m.id DESC LIMIT 1)), 'nothing')"
	" FROM (SELECT batch_id, sum(oil_kg) AS kg FROM drum_fills"
	"  GROUP BY batch_id) f WHERE f.kg > coalesce((SELECT value"
	"  FROM measurements m WHERE m.batch_id = f.batch_id"
	"  AND m.quantity = 'oil_kg' ORDER BY m.id DESC LIMIT 1), 0) + 0.0005"
	" ORDER BY f.batch_id LIMIT 1",
	/* a drum's feedstock is its batches' */
	"SELECT 'drum ' || d.drum_id || ' is ' || d.feedstock || ' but batch '"
	" || b.id || ' in it is ' || b.feedstock FROM drum_fills f"
	" JOIN drums d ON d.drum_id = f.drum_id JOIN batches b ON b.id = f.batch_id"
	" WHERE b.feedstock IS NOT d.feedstock ORDER BY f.id LIMIT 1",
	/* a recipe as run is the text its hash was taken of */
	"SELECT 'recipe ' || name || ' v' || version || ' (id ' || id ||"
	" ') does not match its sha256' FROM recipes"
	" WHERE sr_sha256(text) IS NOT sha256 ORDER BY id LIMIT 1",
};

/* Every record table and derived figure. 0, 1 or -1. */
static int store_verify_records(struct store *s, FILE *out, char *cause,
                                size_t cause_len)
{
	int rc = 0;

	for (int i = 0; rc == 0 && i < STORE_REC_COUNT; i++)
		rc = store_verify_rec(s, &store_recs[i], out, cause, cause_len);
	for (size_t i = 0; rc == 0 && i < sizeof store_verify_sql /
	                                  sizeof store_verify_sql[0]; i++)
		rc = store_verify_query(s, store_verify_sql[i], "audit: ", out,
		                        cause, cause_len);
	return rc;
}

/* PRAGMA integrity_check. 0 ok, 1 damaged, -1 error. */
static int store_verify_integrity(struct store *s, FILE *out, char *cause,
                                  size_t cause_len)
{
	sqlite3_stmt *st;
	const char *res;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return store_db_fail(s, "check the database", cause, cause_len);
	rc = sqlite3_step(st);
	res = rc == SQLITE_ROW ? store_col(st, 0) : NULL;
	if (rc != SQLITE_ROW)
		rc = store_db_fail(s, "check the database", cause, cause_len);
	else if (res && strcmp(res, "ok") == 0)
		rc = 0;
	else
		rc = store_broken(out, cause, cause_len,
		                  "database: integrity_check: %s", res ? res : "?");
	sqlite3_finalize(st);
	return rc;
}

int store_audit_verify(struct store *s, FILE *out, char *cause,
                       size_t cause_len)
{
	char head[SHA256_HEX_LEN + 1];
	long long rows = 0;
	int rc;

	/* one snapshot: a writer committing meanwhile must not look like a
	 * deleted tail */
	if (store_snapshot(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_verify_integrity(s, out, cause, cause_len);
	if (rc == 0)
		rc = store_verify_chain(s, out, &rows, head, cause, cause_len);
	if (rc == 0)
		rc = store_verify_records(s, out, cause, cause_len);
	store_snapshot(s, 0, NULL, 0);
	if (rc == 0 && out)
		fprintf(out, "audit: %lld rows intact, head %s\n", rows, head);
	return rc;
}
