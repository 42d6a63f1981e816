/*
 * store: the batch record in SQLite (WAL). See store.h for the contract and
 * docs/RECORDS.md for the schema and the report columns.
 *
 * Layout of this file: helpers (errors, statements, transactions), the
 * schema and its migrations, open/close, the audit trail (append, hash,
 * verify), then the writers (plant, lots, batches, measurements, QA,
 * historian) and the readers (reports).
 */
#include "store_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "num.h"
#include "sha256.h"

#define STORE_SUMMARY_MAX 256       /* an event's old/new value text */
#define STORE_KG_EPS 0.0005         /* kg: rounding slack when summing */
#define STORE_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* ------------------------------------------------------------------ */
/* Errors                                                               */

/* Writes a sentence into cause; returns -1. */
int store_fail(char *cause, size_t cause_len, const char *fmt, ...)
{
	va_list ap;

	if (cause && cause_len > 0) {
		va_start(ap, fmt);
		vsnprintf(cause, cause_len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "cannot DOING: sqlite's message"; returns -1. */
int store_db_fail(struct store *s, const char *doing, char *cause,
                  size_t cause_len)
{
	s->fail_code = sqlite3_errcode(s->db) & 0xff;
	return store_fail(cause, cause_len, "cannot %s: %s", doing,
	                  sqlite3_errmsg(s->db));
}

/* 1 when p is NULL or "". */
int store_blank(const char *p)
{
	return p == NULL || *p == '\0';
}

/* The final ISA-88 states: the batch is over. */
static int store_state_final(const char *state)
{
	return state && (strcmp(state, "complete") == 0 ||
	                 strcmp(state, "stopped") == 0 ||
	                 strcmp(state, "aborted") == 0);
}

/* ------------------------------------------------------------------ */
/* Statements                                                           */

/* The cached statement for sql (a static string), reset and unbound. */
sqlite3_stmt *store_prep(struct store *s, const char *sql, char *cause,
                         size_t cause_len)
{
	struct store_slot *slot;

	for (int i = 0; i < s->n_slots; i++) {
		if (s->slots[i].sql == sql) {
			sqlite3_reset(s->slots[i].st);
			sqlite3_clear_bindings(s->slots[i].st);
			return s->slots[i].st;
		}
	}
	if (s->n_slots == STORE_STMTS_MAX) {
		store_fail(cause, cause_len, "internal error: statement cache full");
		return NULL;
	}
	slot = &s->slots[s->n_slots];
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                       &slot->st, NULL) != SQLITE_OK) {
		store_db_fail(s, "prepare a query", cause, cause_len);
		return NULL;
	}
	slot->sql = sql;
	s->n_slots++;
	return slot->st;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Binds v, or NULL when v is NaN (SQLite has no NaN). */
void store_bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

/* Binds id, or NULL when id <= 0 (plant-level). */
void store_bind_id(sqlite3_stmt *st, int i, long id)
{
	if (id > 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no row. Returns 0 or -1 with cause. */
int store_run(struct store *s, sqlite3_stmt *st, const char *doing,
              char *cause, size_t cause_len)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_db_fail(s, doing, cause, cause_len);
	return 0;
}

/* Steps a query: 1 with a row (reset it when done), 0 with none, -1. */
int store_row(struct store *s, sqlite3_stmt *st, const char *doing,
              char *cause, size_t cause_len)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return store_db_fail(s, doing, cause, cause_len);
}

/* Copies text column i into buf ("" for NULL). */
static void store_col_text(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

/* Real column i, NaN for NULL. */
static double store_col_real(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(st, i);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */

/* Sets PRAGMA synchronous (FULL for audited writes, NORMAL for samples). */
static int store_sync(struct store *s, int full, char *cause, size_t cause_len)
{
	if (s->sync_full == full)
		return 0;
	if (sqlite3_exec(s->db, full ? "PRAGMA synchronous=FULL"
	                             : "PRAGMA synchronous=NORMAL",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, "set the sync level", cause, cause_len);
	s->sync_full = full;
	return 0;
}

/* Starts a write transaction (durable: synchronous=FULL at commit). */
int store_begin(struct store *s, int durable, char *cause,
                size_t cause_len)
{
	if (s->mode != STORE_RW)
		return store_fail(cause, cause_len,
		                  "the database is open read-only");
	if (store_sync(s, durable, cause, cause_len) < 0)
		return -1;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, "start a transaction", cause, cause_len);
	return 0;
}

/* Undoes the open transaction, if any. */
static void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Commits; on failure rolls back and returns -1 with cause. */
static int store_commit(struct store *s, char *cause, size_t cause_len)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	store_db_fail(s, "commit", cause, cause_len);
	store_rollback(s);
	return -1;
}

/* Ends a write: commit when rc == 0, else roll back. Returns rc or -1. */
int store_end(struct store *s, int rc, char *cause, size_t cause_len)
{
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, cause, cause_len) < 0 ? -1 : rc;
}

static const char store_sql_now[] =
	"SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/* The wall-clock time, UTC ISO 8601, once per transaction. */
int store_now(struct store *s, char now[STORE_NOW_MAX], char *cause,
              size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_now, cause, cause_len);

	if (!st || store_row(s, st, "read the clock", cause, cause_len) != 1)
		return -1;
	store_col_text(st, 0, now, STORE_NOW_MAX);
	sqlite3_reset(st);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Schema and migrations                                                */

/*
 * Migration N takes a database from user_version N-1 to N. A released
 * migration is never edited: old databases on disk were made by it.
 * tests/unit/test_store.c keeps a frozen copy of version 1.
 */
static const char store_schema_v1[] =
	"CREATE TABLE sites ("
	" name TEXT PRIMARY KEY,"
	" created_at TEXT NOT NULL);"
	"CREATE TABLE stills ("
	" name TEXT PRIMARY KEY,"
	" site TEXT NOT NULL REFERENCES sites(name),"
	" unit_id INTEGER NOT NULL,"
	" endpoint TEXT NOT NULL,"
	" period_ms INTEGER NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE lots ("
	" lot_id TEXT PRIMARY KEY,"
	" feedstock TEXT NOT NULL,"
	" grower TEXT NOT NULL,"
	" cooperative TEXT,"
	" origin TEXT,"
	" harvested TEXT,"
	" drying_days INTEGER,"
	" moisture_pct REAL,"
	" mass_received_kg REAL NOT NULL CHECK (mass_received_kg > 0),"
	" mass_remaining_kg REAL NOT NULL CHECK (mass_remaining_kg >= 0),"
	" received_by TEXT NOT NULL,"
	" received_at TEXT NOT NULL,"
	" event_id INTEGER);"
	"CREATE TABLE recipes ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" first_run_at TEXT NOT NULL,"
	" UNIQUE (name, version, sha256));"
	"CREATE TABLE batches ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" still TEXT NOT NULL REFERENCES stills(name),"
	" recipe_id INTEGER NOT NULL REFERENCES recipes(id),"
	" feedstock TEXT NOT NULL,"
	" charge_kg REAL NOT NULL CHECK (charge_kg > 0),"
	" operator TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" started_at TEXT NOT NULL,"
	" started_t_s REAL,"
	" ended_at TEXT,"
	" ended_t_s REAL,"
	" oil_receiver_kg REAL,"
	" steam_kg REAL,"
	" event_id INTEGER,"
	" end_event_id INTEGER);"
	"CREATE TABLE batch_lots ("
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" lot_id TEXT NOT NULL REFERENCES lots(lot_id),"
	" mass_kg REAL NOT NULL CHECK (mass_kg > 0),"
	" PRIMARY KEY (batch_id, lot_id));"
	"CREATE TABLE batch_steps ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" step INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" t_process_s REAL);"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at TEXT NOT NULL,"
	" t_process_s REAL,"
	" batch_id INTEGER,"
	" still TEXT,"
	" kind TEXT NOT NULL,"
	" what TEXT,"
	" old_value TEXT,"
	" new_value TEXT,"
	" who TEXT,"
	" cause TEXT,"
	" text TEXT,"
	" record_ref TEXT,"
	" record TEXT,"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE INDEX events_batch ON events (batch_id, id);"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TABLE samples ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER,"
	" still TEXT NOT NULL,"
	" t_process_s REAL NOT NULL,"
	" wall_s REAL NOT NULL,"
	" still_temp REAL, vapour_temp REAL, pressure REAL,"
	" distillate_temp REAL, cooling_flow REAL, steam_flow REAL,"
	" oil REAL, charge REAL, steam_valve REAL, cooling_valve REAL,"
	" status REAL, steam_cmd REAL, cooling_cmd REAL, heartbeat REAL,"
	" quality TEXT NOT NULL);"
	"CREATE INDEX samples_batch ON samples (batch_id, t_process_s);"
	"CREATE INDEX samples_still ON samples (still, wall_s);";

/* Version 2: weighings, alarm lifecycles, prompts, QA; step and draw rows
 * become append-only too. */
static const char store_schema_v2[] =
	"CREATE TABLE measurements ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" quantity TEXT NOT NULL CHECK (quantity IN ('oil_kg', 'hydrosol_l')),"
	" value REAL NOT NULL CHECK (value >= 0),"
	" who TEXT NOT NULL,"
	" why TEXT,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX measurements_batch ON measurements (batch_id, quantity, id);"
	"CREATE TABLE alarms ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER,"
	" still TEXT,"
	" alarm TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" message TEXT,"
	" raised_at TEXT NOT NULL,"
	" raised_t_s REAL,"
	" acked_at TEXT,"
	" acked_by TEXT,"
	" cleared_at TEXT,"
	" shelved_at TEXT,"
	" shelved_by TEXT,"
	" closed_at TEXT,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX alarms_batch ON alarms (batch_id, id);"
	"CREATE INDEX alarms_open ON alarms (alarm, still, id);"
	"CREATE TABLE prompts ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER,"
	" still TEXT,"
	" step TEXT,"
	" question TEXT,"
	" asked_at TEXT NOT NULL,"
	" asked_t_s REAL,"
	" answer TEXT,"
	" answered_by TEXT,"
	" answered_at TEXT,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX prompts_batch ON prompts (batch_id, id);"
	"CREATE TABLE qa_results ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" density REAL NOT NULL,"
	" refractive_index REAL NOT NULL,"
	" marker TEXT NOT NULL,"
	" marker_pct REAL NOT NULL,"
	" analyst TEXT NOT NULL,"
	" lab_ref TEXT,"
	" why TEXT,"
	" spec_feedstock TEXT NOT NULL,"
	" density_min REAL, density_max REAL,"
	" ri_min REAL, ri_max REAL,"
	" marker_min_pct REAL, marker_max_pct REAL,"
	" in_spec INTEGER NOT NULL,"
	" failures TEXT,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX qa_results_batch ON qa_results (batch_id, id);"
	"CREATE TABLE qa_decisions ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" decision TEXT NOT NULL"
	"  CHECK (decision IN ('released', 'quarantined', 'rejected')),"
	" who TEXT NOT NULL,"
	" why TEXT,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX qa_decisions_batch ON qa_decisions (batch_id, id);"
	"CREATE INDEX batch_steps_batch ON batch_steps (batch_id, id);"
	"CREATE INDEX batch_lots_lot ON batch_lots (lot_id);"
	"CREATE INDEX batches_started ON batches (started_at);"
#define STORE_APPEND_ONLY(t) \
	"CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t \
	" BEGIN SELECT RAISE(ABORT, '" t " rows are append-only'); END;" \
	"CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t \
	" BEGIN SELECT RAISE(ABORT, '" t " rows are append-only'); END;"
	STORE_APPEND_ONLY("measurements")
	STORE_APPEND_ONLY("qa_results")
	STORE_APPEND_ONLY("qa_decisions")
	STORE_APPEND_ONLY("batch_lots")
	STORE_APPEND_ONLY("batch_steps");
#undef STORE_APPEND_ONLY

static const char *const store_migrations[] = {
	NULL,                       /* version 0: the empty file */
	store_schema_v1,
	store_schema_v2,
	store_quar_schema,          /* store_quar.c */
};

_Static_assert(sizeof store_migrations / sizeof store_migrations[0] ==
	               STORE_SCHEMA_VERSION + 1,
               "one migration per schema version");

/* ------------------------------------------------------------------ */
/* The audit trail: rows, their hashes, appending                       */

/* One row of the events table, as hashed. */
struct store_audit {
	long long id;
	const char *at;             /* wall clock, UTC ISO 8601 */
	double t_process_s;         /* NaN: none */
	long long batch_id;         /* <= 0: none (plant-level) */
	const char *still;
	const char *kind;
	const char *what;
	const char *old_value;
	const char *new_value;
	const char *who;
	const char *cause;
	const char *text;
	const char *record_ref;     /* record table the row snapshots, or NULL */
	const char *record;         /* JSON snapshot of that record row */
	const char *prev_hash;      /* hash of the row before, 64 hex digits */
};

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
static void store_audit_hash(const struct store_audit *a,
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
static int store_audit_next(struct store *s, long long *id,
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
static int store_audit_append(struct store *s, struct store_audit *a,
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
static struct store_audit store_audit_make(const char *now, const char *kind,
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

enum store_rec {
	STORE_REC_LOT, STORE_REC_BATCH, STORE_REC_BATCH_END, STORE_REC_MEASURE,
	STORE_REC_QA, STORE_REC_DECISION, STORE_REC_COUNT
};

/* The JSON of a record row (table alias r). The writer stores it in the
 * audit row; store_audit_verify recomputes it from the table. */
#define STORE_REC_LOT_JSON \
	"json_object('lot_id', r.lot_id, 'feedstock', r.feedstock," \
	" 'grower', r.grower, 'cooperative', r.cooperative, 'origin', r.origin," \
	" 'harvested', r.harvested, 'drying_days', r.drying_days," \
	" 'moisture_pct', r.moisture_pct," \
	" 'mass_received_kg', r.mass_received_kg," \
	" 'received_by', r.received_by, 'received_at', r.received_at)"
#define STORE_REC_BATCH_JSON \
	"json_object('id', r.id, 'still', r.still, 'recipe_id', r.recipe_id," \
	" 'recipe_sha256', (SELECT sha256 FROM recipes WHERE id = r.recipe_id)," \
	" 'feedstock', r.feedstock, 'charge_kg', r.charge_kg," \
	" 'operator', r.operator, 'started_at', r.started_at," \
	" 'started_t_s', r.started_t_s," \
	" 'lots', json(coalesce((SELECT json_group_array(json_object(" \
	"   'lot_id', bl.lot_id, 'mass_kg', bl.mass_kg))" \
	"   FROM batch_lots bl WHERE bl.batch_id = r.id), '[]')))"
#define STORE_REC_BATCH_END_JSON \
	"CASE WHEN r.end_event_id IS NULL AND r.oil_receiver_kg IS NULL" \
	" AND r.steam_kg IS NULL THEN NULL" \
	" ELSE json_object('id', r.id, 'oil_receiver_kg', r.oil_receiver_kg," \
	" 'steam_kg', r.steam_kg) END"
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

struct store_rec_desc {
	const char *ref;            /* events.record_ref */
	const char *table;
	const char *link;           /* column holding the audit row's id */
	const char *key;            /* names the row for people (alias r) */
	const char *json;           /* the JSON expression (alias r) */
	const char *select;         /* the JSON of the row with rowid ?1 */
};

static const struct store_rec_desc store_recs[STORE_REC_COUNT] = {
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
};

/* Appends *a as the audit row that records row rowid of rec; event_id is
 * the id the row was given by store_audit_next. Inside a transaction. */
static int store_audit_record(struct store *s, enum store_rec rec,
                              long long rowid, long long event_id,
                              struct store_audit *a, char *cause,
                              size_t cause_len)
{
	const struct store_rec_desc *d = &store_recs[rec];
	sqlite3_stmt *st = store_prep(s, d->select, cause, cause_len);
	long long got;
	char *json;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, rowid);
	if (store_row(s, st, "snapshot a record", cause, cause_len) != 1)
		return store_fail(cause, cause_len, "internal error: %s row %lld vanished",
		                  d->table, rowid);
	json = sqlite3_column_text(st, 0) ?
		strdup((const char *)sqlite3_column_text(st, 0)) : NULL;
	sqlite3_reset(st);
	if (!json)
		return store_fail(cause, cause_len, "cannot snapshot %s row %lld",
		                  d->table, rowid);
	a->record_ref = d->ref;
	a->record = json;
	rc = store_audit_append(s, a, &got, cause, cause_len);
	free(json);
	a->record = NULL;
	if (rc == 0 && got != event_id)
		return store_fail(cause, cause_len,
		                  "internal error: audit row %lld expected, got %lld",
		                  event_id, got);
	return rc;
}

/* ------------------------------------------------------------------ */
/* SQL functions: one definition of the yields, used by the reports     */

double store_yield_pct(double oil_kg, double charge_kg)
{
	if (!isfinite(oil_kg) || !isfinite(charge_kg) || charge_kg <= 0)
		return NAN;
	return 100.0 * oil_kg / charge_kg;
}

double store_yield_dry_pct(double oil_kg, double charge_kg,
                           double moisture_pct)
{
	if (!isfinite(moisture_pct) || moisture_pct < 0 || moisture_pct >= 100)
		return NAN;
	return store_yield_pct(oil_kg, charge_kg * (1.0 - moisture_pct / 100.0));
}

/* Argument i as a double, NaN for NULL. */
static double store_fn_arg(sqlite3_value **argv, int i)
{
	if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
		return NAN;
	return sqlite3_value_double(argv[i]);
}

static void store_fn_result(sqlite3_context *ctx, double v)
{
	if (isnan(v))
		sqlite3_result_null(ctx);
	else
		sqlite3_result_double(ctx, v);
}

/* sr_yield_pct(oil_kg, charge_kg) */
static void store_fn_yield(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	store_fn_result(ctx, store_yield_pct(store_fn_arg(argv, 0),
	                                     store_fn_arg(argv, 1)));
}

/* sr_yield_dry_pct(oil_kg, charge_kg, moisture_pct) */
static void store_fn_yield_dry(sqlite3_context *ctx, int argc,
                               sqlite3_value **argv)
{
	(void)argc;
	store_fn_result(ctx, store_yield_dry_pct(store_fn_arg(argv, 0),
	                                         store_fn_arg(argv, 1),
	                                         store_fn_arg(argv, 2)));
}

/* sr_sha256(text): its hex digest. */
static void store_fn_sha256(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char hex[SHA256_HEX_LEN + 1];
	const unsigned char *t = sqlite3_value_text(argv[0]);

	(void)argc;
	if (!t) {
		sqlite3_result_null(ctx);
		return;
	}
	sha256_hex(t, (size_t)sqlite3_value_bytes(argv[0]), hex);
	sqlite3_result_text(ctx, hex, -1, SQLITE_TRANSIENT);
}

static int store_functions(struct store *s)
{
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	if (sqlite3_create_function(s->db, "sr_yield_pct", 2, flags, NULL,
	                            store_fn_yield, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "sr_yield_dry_pct", 3, flags, NULL,
	                            store_fn_yield_dry, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "sr_sha256", 1, flags, NULL,
	                            store_fn_sha256, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Open, migrate, close                                                 */

static int store_user_version(struct store *s, int *version, char *cause,
                              size_t cause_len)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_db_fail(s, "read the schema version", cause, cause_len);
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_db_fail(s, "read the schema version", cause, cause_len);
	return 0;
}

/* Runs migrations from..STORE_SCHEMA_VERSION and notes it in the audit
 * trail. Inside a write transaction. */
static int store_migrate_from(struct store *s, int from, char *cause,
                              size_t cause_len)
{
	char now[STORE_NOW_MAX], old_v[16], new_v[16], pragma[48];
	struct store_audit a;

	for (int v = from + 1; v <= STORE_SCHEMA_VERSION; v++)
		if (sqlite3_exec(s->db, store_migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			return store_fail(cause, cause_len,
			                  "cannot upgrade the database to schema %d: %s",
			                  v, sqlite3_errmsg(s->db));
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d",
	         STORE_SCHEMA_VERSION);
	if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, "set the schema version", cause, cause_len);
	if (store_now(s, now, cause, cause_len) < 0)
		return -1;
	snprintf(old_v, sizeof old_v, "%d", from);
	snprintf(new_v, sizeof new_v, "%d", STORE_SCHEMA_VERSION);
	a = store_audit_make(now, "schema", "user_version", from ? old_v : NULL,
	                     new_v, "stillroomd");
	a.text = from ? "database upgraded" : "database created";
	return store_audit_append(s, &a, NULL, cause, cause_len);
}

/* Brings a read-write database to STORE_SCHEMA_VERSION, atomically. */
static int store_migrate(struct store *s, const char *path, char *cause,
                         size_t cause_len)
{
	int version, rc;

	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_user_version(s, &version, cause, cause_len);
	if (rc == 0 && version > STORE_SCHEMA_VERSION)
		rc = store_fail(cause, cause_len,
		                "%s has schema %d, newer than this program's %d",
		                path, version, STORE_SCHEMA_VERSION);
	if (rc == 0 && version < STORE_SCHEMA_VERSION)
		rc = store_migrate_from(s, version, cause, cause_len);
	return store_end(s, rc, cause, cause_len);
}

/* A read-only connection must find the schema this code reads. */
static int store_check_version(struct store *s, const char *path, char *cause,
                               size_t cause_len)
{
	int version;

	if (store_user_version(s, &version, cause, cause_len) < 0)
		return -1;
	if (version == 0)
		return store_fail(cause, cause_len,
		                  "%s is not a stillroom database (yet)", path);
	if (version < STORE_SCHEMA_VERSION)
		return store_fail(cause, cause_len,
		                  "%s has schema %d; start stillroomd once to "
		                  "upgrade it to %d", path, version,
		                  STORE_SCHEMA_VERSION);
	if (version > STORE_SCHEMA_VERSION)
		return store_fail(cause, cause_len,
		                  "%s has schema %d, newer than this program's %d",
		                  path, version, STORE_SCHEMA_VERSION);
	return 0;
}

/* Connection settings: busy timeout, foreign keys, WAL (read-write). */
static int store_setup(struct store *s, char *cause, size_t cause_len)
{
	const char *sql = s->mode == STORE_RW ?
		"PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL;"
		"PRAGMA synchronous=FULL;" :
		"PRAGMA foreign_keys=ON; PRAGMA query_only=ON;";

	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, "set up the database", cause, cause_len);
	s->sync_full = 1;
	if (store_functions(s) < 0)
		return store_db_fail(s, "register functions", cause, cause_len);
	return 0;
}

struct store *store_open(const char *path, enum store_mode mode,
                         char *cause, size_t cause_len)
{
	int flags = mode == STORE_RW ?
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	struct stat sb;
	struct store *s;

	if (store_blank(path)) {
		store_fail(cause, cause_len, "no database path given");
		return NULL;
	}
	if (mode == STORE_RO && stat(path, &sb) < 0) {
		store_fail(cause, cause_len, "no database at %s", path);
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		store_fail(cause, cause_len, "out of memory");
		return NULL;
	}
	s->mode = mode;
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_fail(cause, cause_len, "cannot open %s: %s", path,
		           s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto out_close;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (store_setup(s, cause, cause_len) < 0)
		goto out_close;
	if (mode == STORE_RW && store_migrate(s, path, cause, cause_len) < 0)
		goto out_close;
	if (mode == STORE_RO && store_check_version(s, path, cause, cause_len) < 0)
		goto out_close;
	return s;

out_close:
	store_close(s);
	return NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n_slots; i++)
		sqlite3_finalize(s->slots[i].st);
	sqlite3_close(s->db);
	free(s);
}

int store_snapshot(struct store *s, int on, char *cause, size_t cause_len)
{
	if (on && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, "start reading", cause, cause_len);
	if (!on)
		store_rollback(s);
	return 0;
}

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

static const char *store_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
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
	char sql[4096];
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
	         " AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = e.id)"
	         " ORDER BY e.id LIMIT 1",
	         d->table, d->ref, d->table, d->link);
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

/* ------------------------------------------------------------------ */
/* Plant                                                                */

static const char store_sql_site_add[] =
	"INSERT OR IGNORE INTO sites (name, created_at) VALUES (?1, ?2)";
static const char store_sql_still_get[] =
	"SELECT site || ', unit ' || unit_id || ', ' || endpoint || ', period '"
	" || period_ms || ' ms' FROM stills WHERE name = ?1";
static const char store_sql_still_put[] =
	"INSERT INTO stills (name, site, unit_id, endpoint, period_ms, updated_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET"
	" site = excluded.site, unit_id = excluded.unit_id,"
	" endpoint = excluded.endpoint, period_ms = excluded.period_ms,"
	" updated_at = excluded.updated_at";

/* "tcp 127.0.0.1:1502" or "rtu /dev/ttyUSB0 19200 8E1". */
static void store_endpoint(const struct cfg_still *c, char *buf, size_t len)
{
	if (c->transport == CFG_TCP)
		snprintf(buf, len, "tcp %s:%d", c->host, c->port);
	else
		snprintf(buf, len, "rtu %s %d %d%c%d", c->device, c->baud,
		         c->data_bits, c->parity, c->stop_bits);
}

/* Records one still; audited when it is new or changed. */
static int store_sync_still(struct store *s, const char *now, const char *site,
                            const struct cfg_still *c, char *cause,
                            size_t cause_len)
{
	char endpoint[CFG_PATH_MAX + 32], old[CFG_PATH_MAX + 128] = "";
	char desc[sizeof old];
	sqlite3_stmt *st = store_prep(s, store_sql_still_get, cause, cause_len);
	struct store_audit a;
	int found;

	if (!st)
		return -1;
	store_endpoint(c, endpoint, sizeof endpoint);
	snprintf(desc, sizeof desc, "%s, unit %d, %s, period %d ms", site,
	         c->unit_id, endpoint, c->period_ms);
	store_bind_text(st, 1, c->name);
	found = store_row(s, st, "read the plant", cause, cause_len);
	if (found < 0)
		return -1;
	if (found) {
		store_col_text(st, 0, old, sizeof old);
		sqlite3_reset(st);
		if (strcmp(old, desc) == 0)
			return 0;
	}
	st = store_prep(s, store_sql_still_put, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, c->name);
	store_bind_text(st, 2, site);
	sqlite3_bind_int(st, 3, c->unit_id);
	store_bind_text(st, 4, endpoint);
	sqlite3_bind_int(st, 5, c->period_ms);
	store_bind_text(st, 6, now);
	if (store_run(s, st, "record the plant", cause, cause_len) < 0)
		return -1;
	a = store_audit_make(now, "plant", c->name, found ? old : NULL, desc,
	                     "stillroomd");
	a.still = c->name;
	a.text = found ? "still changed in the plant configuration" :
	                 "still added from the plant configuration";
	return store_audit_append(s, &a, NULL, cause, cause_len);
}

int store_sync_plant(struct store *s, const struct cfg_plant *p,
                     char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	const char *site = store_blank(p->site) ? "stillroom" : p->site;
	sqlite3_stmt *st;
	int rc;

	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_now(s, now, cause, cause_len);
	st = rc == 0 ? store_prep(s, store_sql_site_add, cause, cause_len) : NULL;
	if (!st)
		rc = -1;
	if (rc == 0) {
		store_bind_text(st, 1, site);
		store_bind_text(st, 2, now);
		rc = store_run(s, st, "record the site", cause, cause_len);
	}
	for (int i = 0; rc == 0 && i < p->n_stills; i++)
		rc = store_sync_still(s, now, site, &p->stills[i], cause, cause_len);
	return store_end(s, rc, cause, cause_len);
}

/* ------------------------------------------------------------------ */
/* Fields set from text (lot add, QA record)                            */

enum store_ftype {
	STORE_F_TEXT,               /* char array */
	STORE_F_DATE,               /* char array, YYYY-MM-DD */
	STORE_F_INT,                /* int in [min, max] */
	STORE_F_REAL                /* double in [min, max] */
};

struct store_field {
	const char *key;
	const char *alias;          /* another accepted key, or NULL */
	enum store_ftype type;
	size_t offset;
	size_t size;                /* of the char array */
	const char *label;          /* for messages: "mass" */
	const char *unit;           /* for messages: "kg", or "" */
	double min, max;            /* accepted range (numbers) */
};

#define STORE_LOT_TEXT(key, alias, field, label) \
	{key, alias, STORE_F_TEXT, offsetof(struct store_lot, field), \
	 sizeof(((struct store_lot *)0)->field), label, "", 0, 0}

static const struct store_field store_lot_fields[] = {
	STORE_LOT_TEXT("id", "lot_id", lot_id, "lot id"),
	STORE_LOT_TEXT("feedstock", NULL, feedstock, "feedstock"),
	STORE_LOT_TEXT("grower", NULL, grower, "grower"),
	STORE_LOT_TEXT("cooperative", NULL, cooperative, "cooperative"),
	STORE_LOT_TEXT("origin", "commune", origin, "origin"),
	{"harvested", "harvest_date", STORE_F_DATE, offsetof(struct store_lot, harvested),
	 sizeof(((struct store_lot *)0)->harvested), "harvest date", "", 0, 0},
	{"drying_days", "drying", STORE_F_INT, offsetof(struct store_lot, drying_days),
	 0, "drying days", "days", 0, 3650},
	{"moisture_pct", "moisture", STORE_F_REAL, offsetof(struct store_lot, moisture_pct),
	 0, "moisture", "%", 0, 99.9},
	{"mass_kg", "mass", STORE_F_REAL, offsetof(struct store_lot, mass_received_kg),
	 0, "mass", "kg", 0, 1e6},
};

#define STORE_QA_TEXT(key, field, label) \
	{key, NULL, STORE_F_TEXT, offsetof(struct store_qa_result, field), \
	 sizeof(((struct store_qa_result *)0)->field), label, "", 0, 0}

static const struct store_field store_qa_fields[] = {
	{"density", NULL, STORE_F_REAL, offsetof(struct store_qa_result, density),
	 0, "density", "", QASPEC_DENSITY_LO, QASPEC_DENSITY_HI},
	{"ri", "refractive_index", STORE_F_REAL,
	 offsetof(struct store_qa_result, refractive_index), 0,
	 "refractive index", "", QASPEC_RI_LO, QASPEC_RI_HI},
	{"marker", "marker_pct", STORE_F_REAL,
	 offsetof(struct store_qa_result, marker_pct), 0, "marker", "%",
	 QASPEC_MARKER_LO_PCT, QASPEC_MARKER_HI_PCT},
	STORE_QA_TEXT("analyst", analyst, "analyst"),
	STORE_QA_TEXT("lab_ref", lab_ref, "lab reference"),
	STORE_QA_TEXT("why", why, "why"),
};

int store_date_check(const char *t)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, n = 0;

	if (!t || strlen(t) != 10 || sscanf(t, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || t[4] != '-' || t[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)t[i]))
			return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

/* Text fit for one line of a report: no control characters. */
static int store_text_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return 0;
	return 1;
}

/* Parses a number for field f with the one number parser (num.h).
 * Returns 0 or -1 with cause. */
static int store_field_number(const struct store_field *f, const char *value,
                              double *v, char *cause, size_t cause_len)
{
	const struct num_field nf = {f->label, f->unit, f->min, f->max, 0};
	long whole;

	if (f->type != STORE_F_INT)
		return num_real(value, &nf, v, cause, cause_len);
	if (num_int(value, &nf, &whole, cause, cause_len) < 0)
		return -1;
	*v = (double)whole;
	return 0;
}

/* Sets the field called key of obj from value. */
static int store_field_set(void *obj, const struct store_field *fields, int n,
                           const char *key, const char *value, char *cause,
                           size_t cause_len)
{
	const struct store_field *f = NULL;
	char *p;
	double v;

	for (int i = 0; i < n && !f; i++)
		if (strcmp(fields[i].key, key) == 0 ||
		    (fields[i].alias && strcmp(fields[i].alias, key) == 0))
			f = &fields[i];
	if (!f)
		return store_fail(cause, cause_len, "unknown field '%s'", key);
	if (!value)
		return store_fail(cause, cause_len, "%s needs a value", f->label);
	p = (char *)obj + f->offset;
	if (f->type == STORE_F_TEXT || f->type == STORE_F_DATE) {
		if (strlen(value) >= f->size)
			return store_fail(cause, cause_len, "%s is too long (at most "
			                  "%zu characters)", f->label, f->size - 1);
		if (!store_text_ok(value))
			return store_fail(cause, cause_len, "%s has a control character",
			                  f->label);
		if (f->type == STORE_F_DATE && *value && !store_date_check(value))
			return store_fail(cause, cause_len, "%s '%s' is not a date "
			                  "(YYYY-MM-DD)", f->label, value);
		memcpy(p, value, strlen(value) + 1);
		return 0;
	}
	if (store_field_number(f, value, &v, cause, cause_len) < 0)
		return -1;
	if (f->type == STORE_F_INT)
		*(int *)(void *)p = (int)v;
	else
		*(double *)(void *)p = v;
	return 0;
}

void store_lot_init(struct store_lot *lot)
{
	memset(lot, 0, sizeof *lot);
	lot->drying_days = -1;
	lot->moisture_pct = -1;
}

int store_lot_set(struct store_lot *lot, const char *key, const char *value,
                  char *cause, size_t cause_len)
{
	return store_field_set(lot, store_lot_fields,
	                       (int)(sizeof store_lot_fields / sizeof store_lot_fields[0]),
	                       key, value, cause, cause_len);
}

void store_qa_result_init(struct store_qa_result *r)
{
	memset(r, 0, sizeof *r);
	r->density = NAN;
	r->refractive_index = NAN;
	r->marker_pct = NAN;
}

int store_qa_result_set(struct store_qa_result *r, const char *key,
                        const char *value, char *cause, size_t cause_len)
{
	return store_field_set(r, store_qa_fields,
	                       (int)(sizeof store_qa_fields / sizeof store_qa_fields[0]),
	                       key, value, cause, cause_len);
}

/* ------------------------------------------------------------------ */
/* Lots                                                                 */

/* 1 when the char array field holds a NUL-terminated string. */
#define STORE_TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

/* A lot fit to record, or -1 with cause. */
static int store_lot_check(const struct store_lot *l, const char *operator_name,
                           char *cause, size_t cause_len)
{
	if (!STORE_TERMINATED(l->lot_id) || !STORE_TERMINATED(l->feedstock) ||
	    !STORE_TERMINATED(l->grower) || !STORE_TERMINATED(l->cooperative) ||
	    !STORE_TERMINATED(l->origin) || !STORE_TERMINATED(l->harvested))
		return store_fail(cause, cause_len, "lot: a text field is not terminated");
	if (store_blank(l->lot_id))
		return store_fail(cause, cause_len, "lot: no lot id given");
	for (const char *p = l->lot_id; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return store_fail(cause, cause_len,
			                  "lot id '%s' has a space or control character",
			                  l->lot_id);
	if (store_blank(l->feedstock))
		return store_fail(cause, cause_len, "lot %s: no feedstock given", l->lot_id);
	if (store_blank(l->grower))
		return store_fail(cause, cause_len, "lot %s: no grower given", l->lot_id);
	if (!store_text_ok(l->feedstock) || !store_text_ok(l->grower) ||
	    !store_text_ok(l->cooperative) || !store_text_ok(l->origin))
		return store_fail(cause, cause_len, "lot %s: a field has a control "
		                  "character", l->lot_id);
	if (!isfinite(l->mass_received_kg) || l->mass_received_kg <= 0)
		return store_fail(cause, cause_len, "lot %s: mass %g kg must be more "
		                  "than 0", l->lot_id, l->mass_received_kg);
	if (isfinite(l->moisture_pct) && l->moisture_pct >= 100)
		return store_fail(cause, cause_len, "lot %s: moisture %g %% must be "
		                  "below 100", l->lot_id, l->moisture_pct);
	if (l->drying_days < -1)
		return store_fail(cause, cause_len, "lot %s: drying days %d is "
		                  "negative", l->lot_id, l->drying_days);
	if (*l->harvested && !store_date_check(l->harvested))
		return store_fail(cause, cause_len, "lot %s: harvest date '%s' is not "
		                  "a date (YYYY-MM-DD)", l->lot_id, l->harvested);
	if (store_blank(operator_name))
		return store_fail(cause, cause_len, "lot %s: no operator given",
		                  l->lot_id);
	return 0;
}

static const char store_sql_lot_get[] =
	"SELECT lot_id, feedstock, grower, coalesce(cooperative, ''),"
	" coalesce(origin, ''), coalesce(harvested, ''),"
	" coalesce(drying_days, -1), coalesce(moisture_pct, -1),"
	" mass_received_kg, mass_remaining_kg FROM lots WHERE lot_id = ?1";
static const char store_sql_lot_insert[] =
	"INSERT INTO lots (lot_id, feedstock, grower, cooperative, origin,"
	" harvested, drying_days, moisture_pct, mass_received_kg,"
	" mass_remaining_kg, received_by, received_at, event_id)"
	" VALUES (?1, ?2, ?3, nullif(?4, ''), nullif(?5, ''), nullif(?6, ''),"
	" ?7, ?8, ?9, ?9, ?10, ?11, ?12)";

/* Reads lot_id into *lot: 1 found, 0 not, -1 error. */
static int store_lot_read(struct store *s, const char *lot_id,
                          struct store_lot *lot, char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_lot_get, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, lot_id);
	rc = store_row(s, st, "read the lot", cause, cause_len);
	if (rc != 1)
		return rc;
	store_lot_init(lot);
	store_col_text(st, 0, lot->lot_id, sizeof lot->lot_id);
	store_col_text(st, 1, lot->feedstock, sizeof lot->feedstock);
	store_col_text(st, 2, lot->grower, sizeof lot->grower);
	store_col_text(st, 3, lot->cooperative, sizeof lot->cooperative);
	store_col_text(st, 4, lot->origin, sizeof lot->origin);
	store_col_text(st, 5, lot->harvested, sizeof lot->harvested);
	lot->drying_days = sqlite3_column_int(st, 6);
	lot->moisture_pct = sqlite3_column_double(st, 7);
	lot->mass_received_kg = sqlite3_column_double(st, 8);
	lot->mass_remaining_kg = sqlite3_column_double(st, 9);
	sqlite3_reset(st);
	return 1;
}

int store_lot_get(struct store *s, const char *lot_id, struct store_lot *lot,
                  char *cause, size_t cause_len)
{
	int rc = store_lot_read(s, lot_id ? lot_id : "", lot, cause, cause_len);

	if (rc == 0)
		return store_fail(cause, cause_len, "no lot named %s",
		                  lot_id ? lot_id : "(none)");
	return rc < 0 ? -1 : 0;
}

/* Inserts the lot row and its audit row. Inside a transaction. */
static int store_lot_insert(struct store *s, const char *now,
                            const struct store_lot *l, const char *operator_name,
                            char *cause, size_t cause_len)
{
	char what[STORE_SUMMARY_MAX];
	struct store_audit a;
	sqlite3_stmt *st;
	long long event_id;

	if (store_audit_next(s, &event_id, NULL, cause, cause_len) < 0)
		return -1;
	st = store_prep(s, store_sql_lot_insert, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, l->lot_id);
	store_bind_text(st, 2, l->feedstock);
	store_bind_text(st, 3, l->grower);
	store_bind_text(st, 4, l->cooperative);
	store_bind_text(st, 5, l->origin);
	store_bind_text(st, 6, l->harvested);
	if (l->drying_days >= 0)
		sqlite3_bind_int(st, 7, l->drying_days);
	store_bind_real(st, 8, l->moisture_pct >= 0 ? l->moisture_pct : NAN);
	sqlite3_bind_double(st, 9, l->mass_received_kg);
	store_bind_text(st, 10, operator_name);
	store_bind_text(st, 11, now);
	sqlite3_bind_int64(st, 12, event_id);
	if (store_run(s, st, "record the lot", cause, cause_len) < 0)
		return -1;
	snprintf(what, sizeof what, "received %.3f kg of %s from %s",
	         l->mass_received_kg, l->feedstock, l->grower);
	a = store_audit_make(now, "lot", l->lot_id, NULL, what, operator_name);
	a.cause = "operator";
	return store_audit_record(s, STORE_REC_LOT, sqlite3_last_insert_rowid(s->db),
	                          event_id, &a, cause, cause_len);
}

int store_lot_add(struct store *s, const struct store_lot *lot,
                  const char *operator_name, char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	struct store_lot old;
	int rc;

	if (store_lot_check(lot, operator_name, cause, cause_len) < 0)
		return -1;
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_lot_read(s, lot->lot_id, &old, cause, cause_len);
	if (rc > 0)
		rc = store_fail(cause, cause_len, "lot %s already exists", lot->lot_id);
	if (rc == 0)
		rc = store_now(s, now, cause, cause_len);
	if (rc == 0)
		rc = store_lot_insert(s, now, lot, operator_name, cause, cause_len);
	return store_end(s, rc, cause, cause_len);
}

/* ------------------------------------------------------------------ */
/* Batches: start                                                       */

/* The lots a start draws from: b->lots, or b->lot_id for the charge. */
struct store_draws {
	const struct store_lot_draw *d;
	int n;
	struct store_lot_draw one;
	double charge_kg;
};

/* Checks the draws and works out the charge. 0 or -1 with cause. */
static int store_draws_check(const struct store_batch_start *b,
                             struct store_draws *dr, char *cause, size_t cause_len)
{
	double sum = 0;

	dr->d = b->lots;
	dr->n = b->n_lots;
	if (b->n_lots <= 0) {
		if (store_blank(b->lot_id))
			return store_fail(cause, cause_len, "batch start: no lot given");
		dr->one.lot_id = b->lot_id;
		dr->one.mass_kg = b->charge_kg;
		dr->d = &dr->one;
		dr->n = 1;
	}
	for (int i = 0; i < dr->n; i++) {
		if (store_blank(dr->d[i].lot_id))
			return store_fail(cause, cause_len, "batch start: lot %d has no id",
			                  i + 1);
		if (!isfinite(dr->d[i].mass_kg) || dr->d[i].mass_kg <= 0)
			return store_fail(cause, cause_len, "batch start: mass %g kg from "
			                  "lot %s must be more than 0", dr->d[i].mass_kg,
			                  dr->d[i].lot_id);
		for (int j = 0; j < i; j++)
			if (strcmp(dr->d[i].lot_id, dr->d[j].lot_id) == 0)
				return store_fail(cause, cause_len, "batch start: lot %s is "
				                  "listed twice", dr->d[i].lot_id);
		sum += dr->d[i].mass_kg;
	}
	dr->charge_kg = b->charge_kg == 0 ? sum : b->charge_kg;
	if (!isfinite(dr->charge_kg) || fabs(dr->charge_kg - sum) > STORE_KG_EPS)
		return store_fail(cause, cause_len, "batch start: charge %.3f kg is not "
		                  "the sum of the lots' masses (%.3f kg)", b->charge_kg, sum);
	return 0;
}

/* Checks a start's fields and its recipe hash (sha gets the hash). */
static int store_start_check(const struct store_batch_start *b,
                             struct store_draws *dr, char sha[SHA256_HEX_LEN + 1],
                             char *cause, size_t cause_len)
{
	if (store_blank(b->still))
		return store_fail(cause, cause_len, "batch start: no still given");
	if (store_blank(b->recipe_name) || !b->recipe_text)
		return store_fail(cause, cause_len, "batch start: no recipe given");
	if (store_blank(b->feedstock))
		return store_fail(cause, cause_len, "batch start: no feedstock given");
	if (store_blank(b->operator_name))
		return store_fail(cause, cause_len, "batch start: no operator given");
	if (store_draws_check(b, dr, cause, cause_len) < 0)
		return -1;
	sha256_hex(b->recipe_text, strlen(b->recipe_text), sha);
	if (!store_blank(b->recipe_sha256) && strcasecmp(b->recipe_sha256, sha) != 0)
		return store_fail(cause, cause_len, "recipe %s v%d: the sha256 given "
		                  "does not match its text", b->recipe_name,
		                  b->recipe_version);
	return 0;
}

static const char store_sql_still_exists[] =
	"SELECT 1 FROM stills WHERE name = ?1";
static const char store_sql_recipe_add[] =
	"INSERT OR IGNORE INTO recipes (name, version, sha256, text, first_run_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char store_sql_recipe_id[] =
	"SELECT id FROM recipes WHERE name = ?1 AND version = ?2 AND sha256 = ?3";
static const char store_sql_batch_insert[] =
	"INSERT INTO batches (still, recipe_id, feedstock, charge_kg, operator,"
	" state, started_at, started_t_s, event_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7, ?8)";
static const char store_sql_draw_insert[] =
	"INSERT INTO batch_lots (batch_id, lot_id, mass_kg) VALUES (?1, ?2, ?3)";
static const char store_sql_lot_draw[] =
	"UPDATE lots SET mass_remaining_kg = max(0, mass_remaining_kg - ?2)"
	" WHERE lot_id = ?1";

/* The recipe as run, stored once per (name, version, text). */
static int store_recipe_id(struct store *s, const char *now,
                           const struct store_batch_start *b, const char *sha,
                           long long *id, char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_recipe_add, cause, cause_len);

	if (!st)
		return -1;
	store_bind_text(st, 1, b->recipe_name);
	sqlite3_bind_int(st, 2, b->recipe_version);
	store_bind_text(st, 3, sha);
	store_bind_text(st, 4, b->recipe_text);
	store_bind_text(st, 5, now);
	if (store_run(s, st, "record the recipe", cause, cause_len) < 0)
		return -1;
	st = store_prep(s, store_sql_recipe_id, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, b->recipe_name);
	sqlite3_bind_int(st, 2, b->recipe_version);
	store_bind_text(st, 3, sha);
	if (store_row(s, st, "read the recipe", cause, cause_len) != 1)
		return store_fail(cause, cause_len, "cannot record recipe %s",
		                  b->recipe_name);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* The still exists and every lot can give its draw. */
static int store_start_refs(struct store *s, const struct store_batch_start *b,
                            const struct store_draws *dr, char *cause,
                            size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_still_exists, cause, cause_len);
	struct store_lot l;
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, b->still);
	rc = store_row(s, st, "read the plant", cause, cause_len);
	sqlite3_reset(st);
	if (rc <= 0)
		return rc < 0 ? -1 : store_fail(cause, cause_len, "no still named %s",
		                                b->still);
	for (int i = 0; i < dr->n; i++) {
		rc = store_lot_read(s, dr->d[i].lot_id, &l, cause, cause_len);
		if (rc <= 0)
			return rc < 0 ? -1 : store_fail(cause, cause_len,
			                                "no lot named %s", dr->d[i].lot_id);
		if (strcmp(l.feedstock, b->feedstock) != 0)
			return store_fail(cause, cause_len, "lot %s is %s, not %s",
			                  l.lot_id, l.feedstock, b->feedstock);
		if (dr->d[i].mass_kg > l.mass_remaining_kg + STORE_KG_EPS)
			return store_fail(cause, cause_len, "lot %s has %.3f kg left; "
			                  "cannot draw %.3f kg", l.lot_id,
			                  l.mass_remaining_kg, dr->d[i].mass_kg);
	}
	return 0;
}

/* Takes a draw off the lot's remaining mass, with an audit row. */
static int store_lot_take(struct store *s, const char *now, long id,
                          const struct store_batch_start *b,
                          const struct store_lot_draw *d, char *cause,
                          size_t cause_len)
{
	char old[64], new[64], text[128];
	struct store_audit a;
	struct store_lot l;
	sqlite3_stmt *st;

	if (store_lot_read(s, d->lot_id, &l, cause, cause_len) != 1)
		return -1;
	st = store_prep(s, store_sql_lot_draw, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, d->lot_id);
	sqlite3_bind_double(st, 2, d->mass_kg);
	if (store_run(s, st, "draw from the lot", cause, cause_len) < 0)
		return -1;
	snprintf(old, sizeof old, "%.3f kg", l.mass_remaining_kg);
	snprintf(new, sizeof new, "%.3f kg", fmax(0, l.mass_remaining_kg - d->mass_kg));
	snprintf(text, sizeof text, "%.3f kg charged into batch %ld", d->mass_kg, id);
	a = store_audit_make(now, "lot", d->lot_id, old, new, b->operator_name);
	a.batch_id = id;
	a.still = b->still;
	a.cause = "operator";
	a.text = text;
	a.t_process_s = b->t_process_s;
	return store_audit_append(s, &a, NULL, cause, cause_len);
}

/* The batch_lots rows of batch id. */
static int store_draws_insert(struct store *s, long id,
                              const struct store_draws *dr, char *cause,
                              size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_draw_insert, cause, cause_len);

	for (int i = 0; st && i < dr->n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		store_bind_text(st, 2, dr->d[i].lot_id);
		sqlite3_bind_double(st, 3, dr->d[i].mass_kg);
		if (store_run(s, st, "record the lot drawn", cause, cause_len) < 0)
			return -1;
	}
	return st ? 0 : -1;
}

/* Inserts the batch, its draws and its audit rows; *id gets the batch id. */
static int store_batch_insert(struct store *s, const char *now,
                              const struct store_batch_start *b,
                              const struct store_draws *dr, long long recipe_id,
                              long *id, char *cause, size_t cause_len)
{
	char what[STORE_SUMMARY_MAX];
	struct store_audit a;
	long long event_id;
	sqlite3_stmt *st;
	int rc;

	if (store_audit_next(s, &event_id, NULL, cause, cause_len) < 0 ||
	    !(st = store_prep(s, store_sql_batch_insert, cause, cause_len)))
		return -1;
	store_bind_text(st, 1, b->still);
	sqlite3_bind_int64(st, 2, recipe_id);
	store_bind_text(st, 3, b->feedstock);
	sqlite3_bind_double(st, 4, dr->charge_kg);
	store_bind_text(st, 5, b->operator_name);
	store_bind_text(st, 6, now);
	store_bind_real(st, 7, b->t_process_s);
	sqlite3_bind_int64(st, 8, event_id);
	if (store_run(s, st, "record the batch", cause, cause_len) < 0)
		return -1;
	*id = (long)sqlite3_last_insert_rowid(s->db);
	if (store_draws_insert(s, *id, dr, cause, cause_len) < 0)
		return -1;
	snprintf(what, sizeof what, "%s v%d, %.3f kg of %s", b->recipe_name,
	         b->recipe_version, dr->charge_kg, b->feedstock);
	a = store_audit_make(now, "batch", "start", NULL, what, b->operator_name);
	a.batch_id = *id;
	a.still = b->still;
	a.cause = "operator";
	a.t_process_s = b->t_process_s;
	rc = store_audit_record(s, STORE_REC_BATCH, *id, event_id, &a, cause, cause_len);
	for (int i = 0; rc == 0 && i < dr->n; i++)
		rc = store_lot_take(s, now, *id, b, &dr->d[i], cause, cause_len);
	return rc;
}

long store_batch_begin(struct store *s, const struct store_batch_start *b,
                       char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX], sha[SHA256_HEX_LEN + 1];
	struct store_draws dr;
	long long recipe_id = 0;
	long id = 0;
	int rc;

	if (store_start_check(b, &dr, sha, cause, cause_len) < 0)
		return -1;
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_start_refs(s, b, &dr, cause, cause_len);
	if (rc == 0)
		rc = store_now(s, now, cause, cause_len);
	if (rc == 0)
		rc = store_recipe_id(s, now, b, sha, &recipe_id, cause, cause_len);
	if (rc == 0)
		rc = store_batch_insert(s, now, b, &dr, recipe_id, &id, cause, cause_len);
	if (store_end(s, rc, cause, cause_len) < 0)
		return -1;
	return id;
}

/* ------------------------------------------------------------------ */
/* Batches: state, steps, end figures                                   */

static const char store_sql_batch_get[] =
	"SELECT still, state, ended_at IS NOT NULL, oil_receiver_kg, steam_kg,"
	" end_event_id IS NOT NULL, feedstock FROM batches WHERE id = ?1";

/* What the writers need to know about a batch. */
struct store_batch_row {
	char still[CFG_NAME_MAX];
	char state[16];
	int ended;                  /* ended_at is set */
	double oil_receiver_kg;     /* NaN until store_batch_end */
	double steam_kg;
	int has_end;                /* store_batch_end was recorded */
	char feedstock[32];
};

/* Reads batch id: 0, or -1 with "no batch N". */
static int store_batch_read(struct store *s, long id, struct store_batch_row *b,
                            char *cause, size_t cause_len)
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

static const char store_sql_batch_state[] =
	"UPDATE batches SET state = ?2,"
	" ended_at = CASE WHEN ?3 THEN coalesce(ended_at, ?4) ELSE ended_at END,"
	" ended_t_s = CASE WHEN ?3 THEN coalesce(ended_t_s, ?5) ELSE ended_t_s END"
	" WHERE id = ?1";

/* Puts the batch row in state (ended when final). */
static int store_apply_state(struct store *s, long id, const char *state,
                             int final, const char *now, double t_s,
                             char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_batch_state, cause, cause_len);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	sqlite3_bind_int(st, 3, final);
	store_bind_text(st, 4, now);
	store_bind_real(st, 5, t_s);
	return store_run(s, st, "record the batch state", cause, cause_len);
}

/* Audits and applies a state change that came without its event. */
static int store_state_change(struct store *s, long id, const char *state,
                              int final, char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	struct store_batch_row b;
	struct store_audit a;

	if (store_batch_read(s, id, &b, cause, cause_len) < 0)
		return -1;
	if (strcmp(b.state, state) == 0 && (!final || b.ended))
		return 0;
	if (store_now(s, now, cause, cause_len) < 0)
		return -1;
	a = store_audit_make(now, "state", "state", b.state, state, "controller");
	a.batch_id = id;
	a.still = b.still;
	if (store_audit_append(s, &a, NULL, cause, cause_len) < 0)
		return -1;
	return store_apply_state(s, id, state, final, now, NAN, cause, cause_len);
}

int store_batch_state(struct store *s, long batch_id, const char *state,
                      int final, char *cause, size_t cause_len)
{
	if (store_blank(state) || strcmp(state, "idle") == 0)
		return store_fail(cause, cause_len, "batch %ld: '%s' is not a batch "
		                  "state", batch_id, state ? state : "");
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_state_change(s, batch_id, state,
	                                       final || store_state_final(state),
	                                       cause, cause_len),
	                 cause, cause_len);
}

static const char store_sql_step_last[] =
	"SELECT step, name FROM batch_steps WHERE batch_id = ?1"
	" ORDER BY id DESC LIMIT 1";
static const char store_sql_step_insert[] =
	"INSERT INTO batch_steps (batch_id, step, name, at, t_process_s)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";

/* 1 when the batch's latest timeline row is (step, name). */
static int store_step_is_last(struct store *s, long id, int step,
                              const char *name, char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_step_last, cause, cause_len);
	int rc, same;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(s, st, "read the step timeline", cause, cause_len);
	if (rc <= 0)
		return rc;
	same = sqlite3_column_int(st, 0) == step && store_col(st, 1) &&
	       strcmp(store_col(st, 1), name) == 0;
	sqlite3_reset(st);
	return same;
}

/* Adds (step, name) to the timeline unless it is the latest already. */
static int store_step_add(struct store *s, long id, int step, const char *name,
                          double t_s, char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	struct store_batch_row b;
	sqlite3_stmt *st;
	int rc;

	if (store_batch_read(s, id, &b, cause, cause_len) < 0)
		return -1;
	rc = store_step_is_last(s, id, step, name, cause, cause_len);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (store_now(s, now, cause, cause_len) < 0 ||
	    !(st = store_prep(s, store_sql_step_insert, cause, cause_len)))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, step);
	store_bind_text(st, 3, name);
	store_bind_text(st, 4, now);
	store_bind_real(st, 5, t_s);
	return store_run(s, st, "record the step", cause, cause_len);
}

int store_batch_step(struct store *s, long batch_id, int step,
                     const char *name, double t_process_s,
                     char *cause, size_t cause_len)
{
	if (store_blank(name))
		return store_fail(cause, cause_len, "batch %ld: step %d has no name",
		                  batch_id, step);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_step_add(s, batch_id, step, name, t_process_s,
	                                   cause, cause_len),
	                 cause, cause_len);
}

static const char store_sql_batch_end[] =
	"UPDATE batches SET oil_receiver_kg = ?2, steam_kg = ?3,"
	" end_event_id = ?4 WHERE id = ?1";

/* Records the end figures of a batch that has none. */
static int store_end_figures(struct store *s, long id,
                             const struct store_batch_row *b, double oil_kg,
                             double steam_kg, char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX], what[STORE_SUMMARY_MAX];
	struct store_audit a;
	long long event_id;
	sqlite3_stmt *st;

	if (store_now(s, now, cause, cause_len) < 0 ||
	    store_audit_next(s, &event_id, NULL, cause, cause_len) < 0 ||
	    !(st = store_prep(s, store_sql_batch_end, cause, cause_len)))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_double(st, 2, oil_kg);
	sqlite3_bind_double(st, 3, steam_kg);
	sqlite3_bind_int64(st, 4, event_id);
	if (store_run(s, st, "record the end figures", cause, cause_len) < 0)
		return -1;
	snprintf(what, sizeof what, "oil %.3f kg in the receiver, steam %.1f kg",
	         oil_kg, steam_kg);
	a = store_audit_make(now, "batch", "end", NULL, what, "controller");
	a.batch_id = id;
	a.still = b->still;
	return store_audit_record(s, STORE_REC_BATCH_END, id, event_id, &a, cause,
	                          cause_len);
}

int store_batch_end(struct store *s, long batch_id, double oil_kg,
                    double steam_kg, char *cause, size_t cause_len)
{
	struct store_batch_row b;
	int rc;

	if (!isfinite(oil_kg) || oil_kg < 0 || !isfinite(steam_kg) || steam_kg < 0)
		return store_fail(cause, cause_len, "batch %ld: oil %g kg and steam "
		                  "%g kg must be 0 or more", batch_id, oil_kg, steam_kg);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_batch_read(s, batch_id, &b, cause, cause_len);
	if (rc == 0 && b.has_end && (b.oil_receiver_kg != oil_kg ||
	                             b.steam_kg != steam_kg))
		rc = store_fail(cause, cause_len, "batch %ld already has its end "
		                "figures (oil %.3f kg); correct the oil with a weighing",
		                batch_id, b.oil_receiver_kg);
	if (rc == 0 && !b.has_end)
		rc = store_end_figures(s, batch_id, &b, oil_kg, steam_kg, cause,
		                       cause_len);
	return store_end(s, rc, cause, cause_len);
}

/* ------------------------------------------------------------------ */
/* Measurements after the batch: weighed oil, hydrosol                  */

static const char store_sql_measure_last[] =
	"SELECT value, who FROM measurements WHERE batch_id = ?1 AND quantity = ?2"
	" ORDER BY id DESC LIMIT 1";
static const char store_sql_measure_insert[] =
	"INSERT INTO measurements (batch_id, quantity, value, who, why, at,"
	" event_id) VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), ?6, ?7)";

/* The latest measurement of quantity: 1 (value, who set), 0 none, -1. */
static int store_measure_last(struct store *s, long id, const char *quantity,
                              double *value, char *who, size_t who_len,
                              char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_measure_last, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, quantity);
	rc = store_row(s, st, "read the measurements", cause, cause_len);
	if (rc <= 0)
		return rc;
	*value = sqlite3_column_double(st, 0);
	store_col_text(st, 1, who, who_len);
	sqlite3_reset(st);
	return 1;
}

/* A measurement to record: quantity, value and its unit, who and why. */
struct store_measure {
	const char *quantity;       /* "oil_kg", "hydrosol_l" */
	const char *unit;           /* "kg", "L" */
	double value;
	const char *who;
	const char *why;
};

/* The value a new measurement replaces, as "3.600 kg" in old ("" when
 * none): the latest measurement, else (for oil) the receiver's figure. A
 * correction of an earlier measurement needs m->why. */
static int store_measure_old(struct store *s, long id,
                             const struct store_batch_row *b,
                             const struct store_measure *m, char *old,
                             size_t len, char *cause, size_t cause_len)
{
	char who[64];
	double last = NAN;
	int rc = store_measure_last(s, id, m->quantity, &last, who, sizeof who,
	                            cause, cause_len);

	if (rc < 0)
		return -1;
	if (rc > 0 && store_blank(m->why))
		return store_fail(cause, cause_len, "batch %ld already has %s %.3f %s "
		                  "by %s; a correction needs a reason (why)", id,
		                  m->quantity, last, m->unit, who);
	if (rc == 0 && strcmp(m->quantity, "oil_kg") == 0)
		last = b->oil_receiver_kg;
	old[0] = '\0';
	if (!isnan(last))
		snprintf(old, len, "%.3f %s", last, m->unit);
	return 0;
}

/* Inserts a measurement and its audit row "quantity: old -> new". */
static int store_measure_add(struct store *s, long id,
                             const struct store_measure *m, char *cause,
                             size_t cause_len)
{
	char now[STORE_NOW_MAX], old[64], new[64];
	struct store_batch_row b;
	struct store_audit a;
	long long event_id;
	sqlite3_stmt *st;

	if (store_batch_read(s, id, &b, cause, cause_len) < 0 ||
	    store_measure_old(s, id, &b, m, old, sizeof old, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0 ||
	    store_audit_next(s, &event_id, NULL, cause, cause_len) < 0 ||
	    !(st = store_prep(s, store_sql_measure_insert, cause, cause_len)))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, m->quantity);
	sqlite3_bind_double(st, 3, m->value);
	store_bind_text(st, 4, m->who);
	store_bind_text(st, 5, m->why);
	store_bind_text(st, 6, now);
	sqlite3_bind_int64(st, 7, event_id);
	if (store_run(s, st, "record the measurement", cause, cause_len) < 0)
		return -1;
	snprintf(new, sizeof new, "%.3f %s", m->value, m->unit);
	a = store_audit_make(now, "measure", m->quantity, *old ? old : NULL, new,
	                     m->who);
	a.batch_id = id;
	a.still = b.still;
	a.cause = "operator";
	a.text = store_blank(m->why) ? NULL : m->why;
	return store_audit_record(s, STORE_REC_MEASURE,
	                          sqlite3_last_insert_rowid(s->db), event_id, &a,
	                          cause, cause_len);
}

static int store_measure(struct store *s, long id, const struct store_measure *m,
                         char *cause, size_t cause_len)
{
	if (!isfinite(m->value) || m->value < 0)
		return store_fail(cause, cause_len, "batch %ld: %s %g %s must be 0 or "
		                  "more", id, m->quantity, m->value, m->unit);
	if (store_blank(m->who))
		return store_fail(cause, cause_len, "batch %ld: who measured the %s?",
		                  id, m->quantity);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_measure_add(s, id, m, cause, cause_len), cause,
	                 cause_len);
}

int store_batch_weigh(struct store *s, long batch_id, double oil_kg,
                      const char *who, const char *why, char *cause,
                      size_t cause_len)
{
	struct store_measure m = {"oil_kg", "kg", oil_kg, who, why};

	return store_measure(s, batch_id, &m, cause, cause_len);
}

int store_batch_hydrosol(struct store *s, long batch_id, double hydrosol_l,
                         const char *who, const char *why, char *cause,
                         size_t cause_len)
{
	struct store_measure m = {"hydrosol_l", "L", hydrosol_l, who, why};

	return store_measure(s, batch_id, &m, cause, cause_len);
}

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
/* Events from the controller: the audit trail and what it drives       */

static const char store_sql_prompt_add[] =
	"INSERT INTO prompts (batch_id, still, step, question, asked_at,"
	" asked_t_s, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char store_sql_prompt_answer[] =
	"UPDATE prompts SET answer = ?2, answered_by = ?3, answered_at = ?4"
	" WHERE id = (SELECT max(id) FROM prompts WHERE still IS ?1"
	"  AND answer IS NULL)";

/* A prompt event adds a question; an answer event answers the latest. */
static int store_apply_prompt(struct store *s, const struct store_event *e,
                              const char *now, long long event_id, char *cause,
                              size_t cause_len)
{
	int ask = strcmp(e->kind, "prompt") == 0;
	sqlite3_stmt *st = store_prep(s, ask ? store_sql_prompt_add
	                                     : store_sql_prompt_answer,
	                              cause, cause_len);

	if (!st)
		return -1;
	if (ask) {
		store_bind_id(st, 1, e->batch_id);
		store_bind_text(st, 2, e->still);
		store_bind_text(st, 3, e->what);
		store_bind_text(st, 4, store_blank(e->text) ? e->new_value : e->text);
		store_bind_text(st, 5, now);
		store_bind_real(st, 6, e->t_process_s);
		sqlite3_bind_int64(st, 7, event_id);
	} else {
		store_bind_text(st, 1, e->still);
		store_bind_text(st, 2, store_blank(e->new_value) ? e->text : e->new_value);
		store_bind_text(st, 3, e->who);
		store_bind_text(st, 4, now);
	}
	return store_run(s, st, "record the prompt", cause, cause_len);
}

/* The record-table side of one event (see store_events in store.h). */
static int store_apply_event(struct store *s, const struct store_event *e,
                             const char *now, long long event_id, char *cause,
                             size_t cause_len)
{
	if (strcmp(e->kind, "state") == 0 && e->batch_id > 0 &&
	    !store_blank(e->new_value) && strcmp(e->new_value, "idle") != 0)
		return store_apply_state(s, e->batch_id, e->new_value,
		                         store_state_final(e->new_value), now,
		                         e->t_process_s, cause, cause_len);
	if (strcmp(e->kind, "alarm") == 0 && !store_blank(e->what) &&
	    !store_blank(e->new_value) && store_alarm_state(e->new_value))
		return store_alarm_apply(s, e, now, event_id, cause, cause_len);
	if (strcmp(e->kind, "prompt") == 0 || strcmp(e->kind, "answer") == 0)
		return store_apply_prompt(s, e, now, event_id, cause, cause_len);
	return 0;
}

/* Appends and applies each event. Inside a transaction. */
int store_events_write(struct store *s, const struct store_event *ev,
                       int n, char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	long long id;

	if (store_now(s, now, cause, cause_len) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct store_event *e = &ev[i];
		struct store_audit a = {
			.at = now, .t_process_s = e->t_process_s,
			.batch_id = e->batch_id, .still = e->still, .kind = e->kind,
			.what = e->what, .old_value = e->old_value,
			.new_value = e->new_value, .who = e->who, .cause = e->cause,
			.text = e->text,
		};

		if (store_audit_append(s, &a, &id, cause, cause_len) < 0 ||
		    store_apply_event(s, e, now, id, cause, cause_len) < 0)
			return -1;
	}
	return 0;
}

int store_events(struct store *s, const struct store_event *ev, int n,
                 char *cause, size_t cause_len)
{
	for (int i = 0; i < n; i++)
		if (store_blank(ev[i].kind))
			return store_fail(cause, cause_len, "event %d of %d has no kind",
			                  i + 1, n);
	if (n <= 0)
		return 0;
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_events_write(s, ev, n, cause, cause_len), cause,
	                 cause_len);
}

/* ------------------------------------------------------------------ */
/* Historian                                                            */

_Static_assert(CFG_TAG_COUNT == 14,
               "the samples table has one column per tag: add a migration");

static const char store_sql_sample_insert[] =
	"INSERT INTO samples (batch_id, still, t_process_s, wall_s,"
	" still_temp, vapour_temp, pressure, distillate_temp, cooling_flow,"
	" steam_flow, oil, charge, steam_valve, cooling_valve, status,"
	" steam_cmd, cooling_cmd, heartbeat, quality) VALUES (?1, ?2, ?3, ?4,"
	" ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";

/* Inserts one sample row with the cached statement st. */
static int store_sample_put(struct store *s, sqlite3_stmt *st,
                            const struct store_sample *r, char *cause,
                            size_t cause_len)
{
	char quality[CFG_TAG_COUNT + 1];

	sqlite3_reset(st);
	store_bind_id(st, 1, r->batch_id);
	store_bind_text(st, 2, r->still);
	sqlite3_bind_double(st, 3, r->t_process_s);
	sqlite3_bind_double(st, 4, r->wall_s);
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		/* a stale or bad reading is no value: NULL, not a plausible 0 */
		store_bind_real(st, 5 + t, r->quality[t] == 0 ? r->value[t] : NAN);
		quality[t] = (char)('0' + (r->quality[t] > 9 ? 9 : r->quality[t]));
	}
	quality[CFG_TAG_COUNT] = '\0';
	store_bind_text(st, 5 + CFG_TAG_COUNT, quality);
	return store_run(s, st, "record a sample", cause, cause_len);
}

int store_samples(struct store *s, const struct store_sample *rows, int n,
                  char *cause, size_t cause_len)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (n <= 0)
		return 0;
	if (store_begin(s, 0, cause, cause_len) < 0)
		return -1;
	st = store_prep(s, store_sql_sample_insert, cause, cause_len);
	if (!st)
		rc = -1;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = store_sample_put(s, st, &rows[i], cause, cause_len);
	return store_end(s, rc, cause, cause_len);
}

/* ------------------------------------------------------------------ */
/* QA: lab results against the feedstock's spec, release decisions     */

/* Appends "label v below/above limit; " to buf when v is out of range. */
static void store_qa_limit(char *buf, size_t len, const char *label, double v,
                           double lo, double hi, int decimals)
{
	size_t used = strlen(buf);

	if (!isnan(lo) && v < lo)
		snprintf(buf + used, len - used, "%s%s %.*f below %.*f",
		         used ? "; " : "", label, decimals, v, decimals, lo);
	else if (!isnan(hi) && v > hi)
		snprintf(buf + used, len - used, "%s%s %.*f above %.*f",
		         used ? "; " : "", label, decimals, v, decimals, hi);
}

/* Checks r against spec; failures gets the reasons ("" when in spec).
 * Returns 1 when in spec. */
static int store_qa_check(const struct store_qa_result *r,
                          const struct store_qa_spec *spec, char *failures,
                          size_t len)
{
	failures[0] = '\0';
	store_qa_limit(failures, len, "density", r->density, spec->density_min,
	               spec->density_max, 4);
	store_qa_limit(failures, len, "refractive index", r->refractive_index,
	               spec->ri_min, spec->ri_max, 4);
	store_qa_limit(failures, len, spec->marker, r->marker_pct,
	               spec->marker_min_pct, spec->marker_max_pct, 1);
	return failures[0] == '\0';
}

/* 1 when each figure of r is inside qaspec.h's plausible bounds. */
static int store_qa_plausible(const struct store_qa_result *r)
{
	return r->density >= QASPEC_DENSITY_LO && r->density <= QASPEC_DENSITY_HI &&
	       r->refractive_index >= QASPEC_RI_LO &&
	       r->refractive_index <= QASPEC_RI_HI &&
	       r->marker_pct >= QASPEC_MARKER_LO_PCT &&
	       r->marker_pct <= QASPEC_MARKER_HI_PCT;
}

/* Results fit to record, or -1 with cause. */
static int store_qa_result_check(long id, const struct store_qa_result *r,
                                 const struct store_qa_spec *spec, char *cause,
                                 size_t cause_len)
{
	if (!spec || store_blank(spec->feedstock) || store_blank(spec->marker))
		return store_fail(cause, cause_len, "batch %ld: no QA spec given", id);
	if (!isfinite(r->density) || !isfinite(r->refractive_index) ||
	    !isfinite(r->marker_pct))
		return store_fail(cause, cause_len, "batch %ld: QA results need "
		                  "density, refractive index and %s", id, spec->marker);
	if (!store_qa_plausible(r))
		return store_fail(cause, cause_len, "batch %ld: QA results out of any "
		                  "plausible range", id);
	if (!STORE_TERMINATED(r->analyst) || !STORE_TERMINATED(r->lab_ref) ||
	    !STORE_TERMINATED(r->why) || store_blank(r->analyst))
		return store_fail(cause, cause_len, "batch %ld: QA results need the "
		                  "analyst's name", id);
	return 0;
}

/* The batch exists, has ended and is of feedstock (when not NULL). */
static int store_batch_ended(struct store *s, long id, const char *feedstock,
                             const char *doing, char *cause, size_t cause_len)
{
	struct store_batch_row b;

	if (store_batch_read(s, id, &b, cause, cause_len) < 0)
		return -1;
	if (!b.ended)
		return store_fail(cause, cause_len, "batch %ld is %s, not ended; %s "
		                  "after it ends", id, b.state, doing);
	if (feedstock && strcmp(feedstock, b.feedstock) != 0)
		return store_fail(cause, cause_len, "batch %ld is %s; the QA spec "
		                  "given is for %s", id, b.feedstock, feedstock);
	return 0;
}

static const char store_sql_qa_last[] =
	"SELECT printf('density %.4f, nD %.4f, %s %.1f %%: %s', density,"
	" refractive_index, marker, marker_pct,"
	" CASE in_spec WHEN 1 THEN 'in spec' ELSE 'out of spec' END),"
	" in_spec, coalesce(failures, '')"
	" FROM qa_results WHERE batch_id = ?1 ORDER BY id DESC LIMIT 1";
static const char store_sql_qa_insert[] =
	"INSERT INTO qa_results (batch_id, density, refractive_index, marker,"
	" marker_pct, analyst, lab_ref, why, spec_feedstock, density_min,"
	" density_max, ri_min, ri_max, marker_min_pct, marker_max_pct, in_spec,"
	" failures, at, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, ''),"
	" nullif(?8, ''), ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, nullif(?17, ''),"
	" ?18, ?19)";

/* The batch's latest QA result: 1 (summary, in_spec, failures), 0, -1. */
static int store_qa_last(struct store *s, long id, char *summary, size_t len,
                         int *in_spec, char *failures, size_t failures_len,
                         char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_qa_last, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(s, st, "read the QA results", cause, cause_len);
	if (rc <= 0)
		return rc;
	store_col_text(st, 0, summary, len);
	*in_spec = sqlite3_column_int(st, 1);
	store_col_text(st, 2, failures, failures_len);
	sqlite3_reset(st);
	return 1;
}

/* Binds the result, its spec and the check's outcome. */
static void store_qa_bind(sqlite3_stmt *st, long id,
                          const struct store_qa_result *r,
                          const struct store_qa_spec *spec, int ok,
                          const char *failures)
{
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_double(st, 2, r->density);
	sqlite3_bind_double(st, 3, r->refractive_index);
	store_bind_text(st, 4, spec->marker);
	sqlite3_bind_double(st, 5, r->marker_pct);
	store_bind_text(st, 6, r->analyst);
	store_bind_text(st, 7, r->lab_ref);
	store_bind_text(st, 8, r->why);
	store_bind_text(st, 9, spec->feedstock);
	store_bind_real(st, 10, spec->density_min);
	store_bind_real(st, 11, spec->density_max);
	store_bind_real(st, 12, spec->ri_min);
	store_bind_real(st, 13, spec->ri_max);
	store_bind_real(st, 14, spec->marker_min_pct);
	store_bind_real(st, 15, spec->marker_max_pct);
	sqlite3_bind_int(st, 16, ok);
	store_bind_text(st, 17, failures);
}

/* Inserts the results and their audit row. Inside a transaction. */
static int store_qa_add(struct store *s, long id, const struct store_qa_result *r,
                        const struct store_qa_spec *spec, int *in_spec,
                        char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX], old[STORE_SUMMARY_MAX], new[STORE_SUMMARY_MAX];
	char failures[STORE_SUMMARY_MAX], old_failures[STORE_SUMMARY_MAX];
	struct store_audit a;
	long long event_id;
	sqlite3_stmt *st;
	int ok, old_ok, had;

	if (store_batch_ended(s, id, spec->feedstock, "record QA results", cause,
	                      cause_len) < 0)
		return -1;
	had = store_qa_last(s, id, old, sizeof old, &old_ok, old_failures,
	                    sizeof old_failures, cause, cause_len);
	if (had < 0)
		return -1;
	if (had && store_blank(r->why))
		return store_fail(cause, cause_len, "batch %ld already has QA results "
		                  "(%s); a correction needs a reason (why)", id, old);
	ok = store_qa_check(r, spec, failures, sizeof failures);
	snprintf(new, sizeof new, "density %.4f, nD %.4f, %s %.1f %%: %s",
	         r->density, r->refractive_index, spec->marker, r->marker_pct,
	         ok ? "in spec" : "out of spec");
	if (store_now(s, now, cause, cause_len) < 0 ||
	    store_audit_next(s, &event_id, NULL, cause, cause_len) < 0 ||
	    !(st = store_prep(s, store_sql_qa_insert, cause, cause_len)))
		return -1;
	store_qa_bind(st, id, r, spec, ok, failures);
	store_bind_text(st, 18, now);
	sqlite3_bind_int64(st, 19, event_id);
	if (store_run(s, st, "record the QA results", cause, cause_len) < 0)
		return -1;
	a = store_audit_make(now, "qa", "result", had ? old : NULL, new, r->analyst);
	a.batch_id = id;
	a.cause = "operator";
	a.text = store_blank(r->why) ? (ok ? NULL : failures) : r->why;
	if (in_spec)
		*in_spec = ok;
	return store_audit_record(s, STORE_REC_QA, sqlite3_last_insert_rowid(s->db),
	                          event_id, &a, cause, cause_len);
}

int store_qa_record(struct store *s, long batch_id,
                    const struct store_qa_result *r,
                    const struct store_qa_spec *spec, int *in_spec,
                    char *cause, size_t cause_len)
{
	if (store_qa_result_check(batch_id, r, spec, cause, cause_len) < 0)
		return -1;
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_qa_add(s, batch_id, r, spec, in_spec, cause,
	                                 cause_len),
	                 cause, cause_len);
}

static const char store_sql_decision_last[] =
	"SELECT decision FROM qa_decisions WHERE batch_id = ?1"
	" ORDER BY id DESC LIMIT 1";
static const char store_sql_decision_insert[] =
	"INSERT INTO qa_decisions (batch_id, decision, who, why, at, event_id)"
	" VALUES (?1, ?2, ?3, nullif(?4, ''), ?5, ?6)";

/* A release needs QA results, the latest in spec. */
static int store_release_ok(struct store *s, long id, char *cause,
                            size_t cause_len)
{
	char summary[STORE_SUMMARY_MAX], failures[STORE_SUMMARY_MAX];
	int in_spec, rc;

	rc = store_qa_last(s, id, summary, sizeof summary, &in_spec, failures,
	                   sizeof failures, cause, cause_len);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return store_fail(cause, cause_len, "batch %ld has no QA results; "
		                  "record them before releasing it", id);
	if (!in_spec)
		return store_fail(cause, cause_len, "batch %ld is out of spec (%s); "
		                  "quarantine or reject it", id, failures);
	return 0;
}

/* The previous decision into old ("pending" when none). */
static int store_decision_last(struct store *s, long id, char *old, size_t len,
                               char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_decision_last, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(s, st, "read the QA decisions", cause, cause_len);
	if (rc < 0)
		return -1;
	snprintf(old, len, "%s", rc ? store_col(st, 0) : "pending");
	sqlite3_reset(st);
	return 0;
}

/* Inserts the decision and its audit row. Inside a transaction. */
static int store_decide(struct store *s, long id, const char *decision,
                        const char *who, const char *why, char *cause,
                        size_t cause_len)
{
	char now[STORE_NOW_MAX], old[32];
	struct store_audit a;
	long long event_id;
	sqlite3_stmt *st;

	if (store_batch_ended(s, id, NULL, "decide on its release", cause,
	                      cause_len) < 0)
		return -1;
	if (strcmp(decision, "released") == 0 &&
	    store_release_ok(s, id, cause, cause_len) < 0)
		return -1;
	if (store_decision_last(s, id, old, sizeof old, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0 ||
	    store_audit_next(s, &event_id, NULL, cause, cause_len) < 0 ||
	    !(st = store_prep(s, store_sql_decision_insert, cause, cause_len)))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, decision);
	store_bind_text(st, 3, who);
	store_bind_text(st, 4, why);
	store_bind_text(st, 5, now);
	sqlite3_bind_int64(st, 6, event_id);
	if (store_run(s, st, "record the QA decision", cause, cause_len) < 0)
		return -1;
	a = store_audit_make(now, "qa", "decision", old, decision, who);
	a.batch_id = id;
	a.cause = "operator";
	a.text = store_blank(why) ? NULL : why;
	return store_audit_record(s, STORE_REC_DECISION,
	                          sqlite3_last_insert_rowid(s->db), event_id, &a,
	                          cause, cause_len);
}

int store_qa_decide(struct store *s, long batch_id, const char *decision,
                    const char *who, const char *why, char *cause,
                    size_t cause_len)
{
	if (!decision || (strcmp(decision, "released") != 0 &&
	                  strcmp(decision, "quarantined") != 0 &&
	                  strcmp(decision, "rejected") != 0))
		return store_fail(cause, cause_len, "batch %ld: '%s' is not a decision "
		                  "(released, quarantined or rejected)", batch_id,
		                  decision ? decision : "");
	if (store_blank(who))
		return store_fail(cause, cause_len, "batch %ld: who decides?", batch_id);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_decide(s, batch_id, decision, who, why, cause,
	                                 cause_len),
	                 cause, cause_len);
}

/* ------------------------------------------------------------------ */
/* Reports (read-only)                                                  */

/* One row per batch: the summary every report shares. The oil mass is
 * the latest weighing, else the receiver's; the dry-basis yield uses the
 * mass-weighted moisture of the lots (NULL when one is unknown). */
#define STORE_BS \
	"WITH bs0 AS (SELECT b.id AS id, b.still AS still, b.state AS state," \
	" r.name AS recipe, r.version AS recipe_version," \
	" r.sha256 AS recipe_sha256, b.feedstock AS feedstock," \
	" (SELECT group_concat(bl.lot_id, ' ') FROM batch_lots bl" \
	"  WHERE bl.batch_id = b.id) AS lots," \
	" (SELECT group_concat(DISTINCT l.grower) FROM batch_lots bl" \
	"  JOIN lots l ON l.lot_id = bl.lot_id WHERE bl.batch_id = b.id)" \
	"  AS growers," \
	" b.charge_kg AS charge_kg," \
	" (SELECT CASE WHEN count(*) > 0 AND count(l.moisture_pct) = count(*)" \
	"  THEN sum(bl.mass_kg * l.moisture_pct) / sum(bl.mass_kg) END" \
	"  FROM batch_lots bl JOIN lots l ON l.lot_id = bl.lot_id" \
	"  WHERE bl.batch_id = b.id) AS moisture_pct," \
	" b.oil_receiver_kg AS oil_receiver_kg," \
	" (SELECT value FROM measurements m WHERE m.batch_id = b.id" \
	"  AND m.quantity = 'oil_kg' ORDER BY m.id DESC LIMIT 1)" \
	"  AS oil_weighed_kg," \
	" (SELECT who FROM measurements m WHERE m.batch_id = b.id" \
	"  AND m.quantity = 'oil_kg' ORDER BY m.id DESC LIMIT 1) AS weighed_by," \
	" (SELECT value FROM measurements m WHERE m.batch_id = b.id" \
	"  AND m.quantity = 'hydrosol_l' ORDER BY m.id DESC LIMIT 1)" \
	"  AS hydrosol_l," \
	" b.started_at AS started_at, b.ended_at AS ended_at," \
	" b.operator AS operator, b.steam_kg AS steam_kg," \
	" (SELECT count(*) FROM alarms a WHERE " STORE_SQL_ALARM_IN_BATCH ")" \
	"  AS alarm_count," \
	" (SELECT decision FROM qa_decisions d WHERE d.batch_id = b.id" \
	"  ORDER BY d.id DESC LIMIT 1) AS decision," \
	" (SELECT who FROM qa_decisions d WHERE d.batch_id = b.id" \
	"  ORDER BY d.id DESC LIMIT 1) AS decided_by," \
	" (SELECT in_spec FROM qa_results q WHERE q.batch_id = b.id" \
	"  ORDER BY q.id DESC LIMIT 1) AS in_spec" \
	" FROM batches b JOIN recipes r ON r.id = b.recipe_id)," \
	" bs AS (SELECT id, still, state, recipe, recipe_version," \
	" recipe_sha256, feedstock, lots, growers, charge_kg," \
	" round(bs0.moisture_pct, 2) AS moisture_pct, oil_receiver_kg," \
	" oil_weighed_kg, weighed_by," \
	" coalesce(oil_weighed_kg, oil_receiver_kg) AS oil_kg," \
	" round(sr_yield_pct(coalesce(oil_weighed_kg, oil_receiver_kg)," \
	"  charge_kg), 6) AS yield_pct," \
	" round(sr_yield_dry_pct(coalesce(oil_weighed_kg, oil_receiver_kg)," \
	"  charge_kg, bs0.moisture_pct), 6) AS yield_dry_pct," \
	" hydrosol_l, started_at, ended_at," \
	" round((julianday(ended_at) - julianday(started_at)) * 1440, 1)" \
	"  AS duration_min," \
	" operator, steam_kg, alarm_count," \
	" coalesce(decision, CASE in_spec WHEN 1 THEN 'in-spec'" \
	"  WHEN 0 THEN 'out-of-spec' ELSE 'untested' END) AS qa_status," \
	" decided_by FROM bs0)"

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
	" 'steam_kg', bs.steam_kg, 'alarm_count', bs.alarm_count," \
	" 'qa_status', bs.qa_status, 'decided_by', bs.decided_by"

static const char store_sql_q_batches[] =
	STORE_BS " SELECT bs.* FROM bs" STORE_BS_WHERE " ORDER BY bs.id";
static const char store_sql_q_batches_json[] =
	STORE_BS " SELECT json_group_array(json_object(" STORE_BS_JSON "))"
	" FROM (SELECT * FROM bs" STORE_BS_WHERE " ORDER BY bs.id) bs";

/* Yields: batches that ended (complete or stopped, unless a state is
 * asked for) with an oil figure, keyed by the grouping; a batch counts
 * once per grower, with the oil in proportion to the grower's mass. */
#define STORE_YIELDS(name, keyed) \
	STORE_BS ", f AS (SELECT * FROM bs" STORE_BS_WHERE \
	" AND bs.yield_pct IS NOT NULL" \
	" AND (:state IS NOT NULL OR bs.state IN ('complete', 'stopped')))," \
	" k AS (" keyed ")" \
	" SELECT k AS " name ", count(DISTINCT id) AS batches," \
	" round(sum(oil_kg), 3) AS oil_kg," \
	" round(avg(yield_pct), 3) AS yield_mean_pct," \
	" round(min(yield_pct), 3) AS yield_min_pct," \
	" round(max(yield_pct), 3) AS yield_max_pct," \
	" round(avg(yield_dry_pct), 3) AS yield_dry_mean_pct" \
	" FROM k GROUP BY k ORDER BY k"
#define STORE_YIELDS_BY(expr) \
	"SELECT id, " expr " AS k, oil_kg, yield_pct, yield_dry_pct FROM f"

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
	 " max(f.yield_pct) AS yield_pct, max(f.yield_dry_pct) AS yield_dry_pct"
	 " FROM f JOIN batch_lots bl ON bl.batch_id = f.id"
	 " JOIN lots l ON l.lot_id = bl.lot_id GROUP BY f.id, l.grower")},
};

struct store_qdef {
	const char *rows;           /* SQL of the rows (NULL: built) */
	const char *json;           /* SQL of the JSON, NULL: rows wrapped */
	int needs_batch;            /* refuses a batch id that does not exist */
};

static const struct store_qdef store_qdefs[STORE_Q_COUNT] = {
	[STORE_Q_BATCHES] = {store_sql_q_batches, store_sql_q_batches_json, 0},
	[STORE_Q_BATCH_LOTS] = {
		"SELECT bl.batch_id, bl.lot_id, l.feedstock, l.grower,"
		" l.cooperative, l.origin, l.harvested, l.drying_days,"
		" l.moisture_pct, bl.mass_kg FROM batch_lots bl"
		" JOIN lots l ON l.lot_id = bl.lot_id WHERE bl.batch_id = :batch"
		" ORDER BY bl.lot_id", NULL, 1},
	[STORE_Q_BATCH_STEPS] = {
		"SELECT step, name, at, t_process_s FROM batch_steps"
		" WHERE batch_id = :batch ORDER BY id", NULL, 1},
	[STORE_Q_BATCH_ALARMS] = {
		"SELECT a.alarm, a.state, a.message, a.raised_at, a.acked_at,"
		" a.acked_by, a.cleared_at, a.shelved_at, a.shelved_by, a.closed_at"
		" FROM alarms a"
		" JOIN batches b ON b.id = :batch WHERE " STORE_SQL_ALARM_IN_BATCH
		" ORDER BY a.id", NULL, 1},
	[STORE_Q_BATCH_PROMPTS] = {
		"SELECT step, question, asked_at, answer, answered_by, answered_at"
		" FROM prompts WHERE batch_id = :batch ORDER BY id", NULL, 1},
	[STORE_Q_BATCH_EVENTS] = {
		"SELECT id, at, t_process_s, kind, what, old_value, new_value, who,"
		" cause, text, hash FROM events WHERE batch_id = :batch ORDER BY id",
		NULL, 1},
	[STORE_Q_BATCH_MEASURES] = {
		"SELECT quantity, value, who, why, at FROM measurements"
		" WHERE batch_id = :batch ORDER BY id", NULL, 1},
	[STORE_Q_BATCH_QA] = {
		"SELECT at, analyst, lab_ref, density, refractive_index, marker,"
		" marker_pct, in_spec, failures, why, spec_feedstock, density_min,"
		" density_max, ri_min, ri_max, marker_min_pct, marker_max_pct"
		" FROM qa_results WHERE batch_id = :batch ORDER BY id", NULL, 1},
	[STORE_Q_BATCH_DECISIONS] = {
		"SELECT decision, who, why, at FROM qa_decisions"
		" WHERE batch_id = :batch ORDER BY id", NULL, 1},
	[STORE_Q_YIELDS] = {NULL, NULL, 0},
	[STORE_Q_CURVE] = {
		"SELECT round(s.t_process_s - f.t0, 3) AS t_s,"
		" round((s.t_process_s - f.t0) / 60.0, 3) AS t_min,"
		" strftime('%Y-%m-%dT%H:%M:%SZ', s.wall_s, 'unixepoch') AS wall,"
		" round((s.oil - f.oil0) / 1000.0, 4) AS oil_kg,"
		" round(s.oil / 1000.0, 4) AS receiver_kg,"
		" s.pressure AS pressure_kpa, s.still_temp AS still_temp_c,"
		" s.vapour_temp AS vapour_temp_c,"
		" s.distillate_temp AS distillate_temp_c,"
		" s.steam_flow AS steam_kg_h, s.steam_valve AS steam_valve_pct,"
		" s.cooling_flow AS cooling_l_min, s.quality AS quality"
		" FROM samples s, (SELECT min(t_process_s) AS t0,"
		"  (SELECT oil FROM samples WHERE batch_id = :batch"
		"   ORDER BY t_process_s LIMIT 1) AS oil0"
		"  FROM samples WHERE batch_id = :batch) f"
		" WHERE s.batch_id = :batch ORDER BY s.t_process_s", NULL, 1},
	[STORE_Q_LOTS] = {
		"SELECT l.lot_id, l.feedstock, l.grower, l.cooperative, l.origin,"
		" l.harvested, l.drying_days, l.moisture_pct, l.mass_received_kg,"
		" l.mass_remaining_kg, (SELECT count(*) FROM batch_lots bl"
		"  WHERE bl.lot_id = l.lot_id) AS batches, l.received_at,"
		" l.received_by FROM lots l WHERE (:lot IS NULL OR l.lot_id = :lot)"
		" AND (:feedstock IS NULL OR l.feedstock = :feedstock)"
		" AND (:grower IS NULL OR l.grower = :grower COLLATE NOCASE)"
		" ORDER BY l.lot_id", NULL, 0},
	[STORE_Q_LOT_BATCHES] = {
		STORE_BS " SELECT bs.id AS batch_id, bl.mass_kg AS drawn_kg,"
		" bs.still, bs.state, bs.started_at, bs.charge_kg, bs.oil_kg,"
		" bs.yield_pct, bs.qa_status FROM batch_lots bl"
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
};

/* The rows SQL of q under filter f. */
static const char *store_query_sql(enum store_query q,
                                   const struct store_filter *f, char *cause,
                                   size_t cause_len)
{
	const char *by = f && !store_blank(f->by) ? f->by : "feedstock";

	if ((int)q < 0 || q >= STORE_Q_COUNT) {
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
	};
	int i = sqlite3_bind_parameter_index(st, ":batch");

	if (i > 0)
		store_bind_id(st, i, g->batch_id);
	for (size_t k = 0; k < sizeof p / sizeof p[0]; k++) {
		i = sqlite3_bind_parameter_index(st, p[k].name);
		if (i > 0)
			store_bind_text(st, i, store_blank(p[k].value) ? NULL : p[k].value);
	}
}

/* Prepares sql bound to f, checking the batch exists when q needs one. */
static sqlite3_stmt *store_query_prep(struct store *s, enum store_query q,
                                      const char *sql,
                                      const struct store_filter *f,
                                      char *cause, size_t cause_len)
{
	struct store_batch_row b;
	sqlite3_stmt *st;

	if (store_qdefs[q].needs_batch &&
	    store_batch_read(s, f ? f->batch_id : 0, &b, cause, cause_len) < 0)
		return NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_db_fail(s, "prepare the report", cause, cause_len);
		return NULL;
	}
	store_bind_filter(st, f);
	return st;
}

#define STORE_COLS_MAX 64

/* Fills cells[] from the current row of st. Returns the column count. */
static int store_cells(sqlite3_stmt *st, struct store_cell *cells)
{
	int n = sqlite3_column_count(st);

	if (n > STORE_COLS_MAX)
		n = STORE_COLS_MAX;
	for (int i = 0; i < n; i++) {
		int type = sqlite3_column_type(st, i);

		cells[i].name = sqlite3_column_name(st, i);
		cells[i].is_num = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
		cells[i].num = cells[i].is_num ? sqlite3_column_double(st, i) : NAN;
		cells[i].text = type == SQLITE_NULL ? NULL : store_col(st, i);
	}
	return n;
}

int store_query_rows(struct store *s, enum store_query q,
                     const struct store_filter *f, store_row_fn fn, void *ctx,
                     char *cause, size_t cause_len)
{
	struct store_cell cells[STORE_COLS_MAX];
	const char *sql = store_query_sql(q, f, cause, cause_len);
	sqlite3_stmt *st = sql ? store_query_prep(s, q, sql, f, cause, cause_len) : NULL;
	int rc, rows = 0;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = store_cells(st, cells);

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
	st = store_query_prep(s, q, wrapped ? wrapped : store_qdefs[q].json, f,
	                      cause, cause_len);
	sqlite3_free(wrapped);
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
