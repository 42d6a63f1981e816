/*
 * store_int: what the store_*.c files share inside the records module (the
 * only module that includes sqlite3.h). Not for other modules: they use
 * store.h. The files, read part first (the console and the CLI link only
 * these; docs/ARCHITECTURE.md):
 *   store.c         connection, statements, transactions, SQL functions,
 *                   open (migrations) and close
 *   store_schema.c  the schema, one migration per version
 *   store_audit.c   the audit chain: hash, append, record snapshots, verify
 *   store_field.c   pure field setters and date checks (no SQLite)
 *   store_query.c   read-only queries: active batches, recipes, reports
 *   store_trace.c   the reports of lots, drums, shipments and traces
 *   store_backup.c  online backup and restore
 * and the writers (stillroomd only):
 *   store_write.c   the audited-insert helper, plant, events, historian
 *   store_batch.c   lots, batches, measurements
 *   store_qa.c      QA results and release decisions
 *   store_alarm.c   the alarm lifecycle rows
 *   store_quar.c    the journal's quarantine
 *   store_drum.c    drums, their fills, shipments, advances to growers
 *   store_attr.c    oil attributed to lots
 *   store_lotfix.c  corrections of lots
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>
#include <string.h>

#include "sha256.h"

#include "store_write.h"

#define STORE_STMTS_MAX 64          /* cached prepared statements */
#define STORE_NOW_MAX 32            /* "2025-03-01T08:00:00.000Z" */
#define STORE_SUMMARY_MAX 256       /* an event's old/new value text */
#define STORE_KG_EPS 0.0005         /* kg: rounding slack when summing */
#define STORE_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* 1 when the char array field holds a NUL-terminated string. */
#define STORE_TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

struct store_slot {
	const char *sql;            /* the static SQL text it was made from */
	sqlite3_stmt *st;
};

struct store {
	sqlite3 *db;
	enum store_mode mode;
	int sync_full;              /* PRAGMA synchronous is FULL right now */
	int sync_off;               /* store_bulk: commits never wait for the disk */
	double clock_s;             /* store_clock_set: the records' clock, unix
	                               s; 0 = the real clock */
	struct store_slot slots[STORE_STMTS_MAX];
	int n_slots;
	int fail_code;              /* SQLite's code of the last failure */
	long reads_left;            /* writes that reset a read left on a row
	                               (store_begin; each one a leak to find) */
	struct store_gate *gate;    /* write turns with another connection */
	int gate_priority;          /* 1: announces its writes; 0: yields */
};

/* Writes a sentence into cause; returns -1. */
int store_fail(char *cause, size_t cause_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "cannot DOING: sqlite's message"; returns -1. */
int store_db_fail(struct store *s, const char *doing, char *cause,
                  size_t cause_len);

/* 1 when p is NULL or "". */
int store_blank(const char *p);

/* The cached statement for sql (a static string), reset and unbound. */
sqlite3_stmt *store_prep(struct store *s, const char *sql, char *cause,
                         size_t cause_len);

/* Binders: text (NULL for NULL), real (NULL for NaN), id (NULL for <= 0). */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
void store_bind_real(sqlite3_stmt *st, int i, double v);
void store_bind_id(sqlite3_stmt *st, int i, long id);

/* Runs a statement that returns no row. Returns 0 or -1 with cause. */
int store_run(struct store *s, sqlite3_stmt *st, const char *doing,
              char *cause, size_t cause_len);

/* Steps a query: 1 with a row (reset it when done), 0 with none, -1. */
int store_row(struct store *s, sqlite3_stmt *st, const char *doing,
              char *cause, size_t cause_len);

/* Starts a write transaction (durable: synchronous=FULL at commit). */
int store_begin(struct store *s, int durable, char *cause, size_t cause_len);

/* Ends a write: commit when rc == 0, else roll back. Returns rc or -1. */
int store_end(struct store *s, int rc, char *cause, size_t cause_len);

/* The wall-clock time, UTC ISO 8601, once per transaction. */
int store_now(struct store *s, char now[STORE_NOW_MAX], char *cause,
              size_t cause_len);

/* 1 for the final ISA-88 states (the batch is over). */
int store_state_final(const char *state);

/* Column readers: text into buf ("" for NULL), real (NaN for NULL), and
 * the text itself (NULL for NULL, valid until the next step). */
void store_col_text(sqlite3_stmt *st, int i, char *buf, size_t len);
double store_col_real(sqlite3_stmt *st, int i);
const char *store_col(sqlite3_stmt *st, int i);

/* store_hist.c: rows (one still, batch and window; span_s > 0 for
 * aggregates) written as one block; inside a write transaction. open = 1:
 * a part of a block still filling (not deflated; store_hist_seal merges
 * the parts once the block closes). */
int store_hist_block_put(struct store *s, const struct store_hist_row *rows,
                         int n, int span_s, int open, char *cause,
                         size_t cause_len);

/* store_hist.c: 1 when a and b belong in the same block. */
int store_hist_same_block(const struct store_sample *a,
                          const struct store_sample *b);

/* store_hist.c: a batch's samples in process-time order, one row at a
 * time, a block decoded at a time when the blocks allow it (else all read
 * at once). Open: NULL with cause on failure. Row: the current row, NULL
 * past the last (valid until the next call). Next: 0, or -1 with cause.
 * Close: frees it (NULL is fine). The iterator has its own statement, so
 * several may be open on one store. */
struct store_hist_iter;
struct store_hist_iter *store_hist_iter_open(struct store *s, long batch_id,
                                             char *cause, size_t cause_len);
const struct store_hist_row *store_hist_iter_row(const struct store_hist_iter *it);
int store_hist_iter_next(struct store_hist_iter *it, char *cause,
                         size_t cause_len);
void store_hist_iter_close(struct store_hist_iter *it);

/*
 * store_query.c: x as SQLite writes a REAL as text ("%!.15g": 15
 * significant digits, an integral value with ".0") into buf (at least
 * STORE_REAL_TEXT_MAX bytes), for the values where glibc's "%.15g" gives
 * the same digits: not negative zero, 1e-4 <= |x| < 1e15 (or +0) and exact
 * at 15 digits, so that no digit is a rounding tie (SQLite's own printf
 * costs about a microsecond a value, and a 20-hour batch's curve is a
 * million values). Returns buf, or NULL: take SQLite's text.
 * tests/unit/test_store_hist.c compares the two on 200,000 values.
 */
#define STORE_REAL_TEXT_MAX 32
const char *store_real_text(double x, char *buf);

/* store_histvt.c: registers the table-valued function hist_batch(batch_id)
 * (columns as the v5 samples table) on s's connection. */
int store_histvt_register(struct store *s);

/* store_schema.c: migration N takes user_version N-1 to N ([0] NULL). */
extern const char *const store_schema_migrations[];

/* store_schema.c: the data step of migration version (after its SQL), in
 * the migration's transaction: version 6 packs the samples into blocks. */
int store_schema_data(struct store *s, int version, char *cause,
                      size_t cause_len);

/* store_audit.c: the chain. */
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

enum store_rec {
	STORE_REC_LOT, STORE_REC_BATCH, STORE_REC_BATCH_END, STORE_REC_MEASURE,
	STORE_REC_QA, STORE_REC_DECISION,
	/* since schema 5 */
	STORE_REC_LOT_FIX, STORE_REC_DRUM, STORE_REC_FILL, STORE_REC_SHIP,
	STORE_REC_ATTR, STORE_REC_ADVANCE, STORE_REC_COUNT
};

struct store_rec_desc {
	const char *ref;            /* events.record_ref */
	const char *table;
	const char *link;           /* column holding the audit row's id */
	const char *key;            /* names the row for people (alias r) */
	const char *json;           /* the JSON expression (alias r) */
	const char *select;         /* the JSON of the row with rowid ?1 */
};

/* What each record kind snapshots into its audit row. */
extern const struct store_rec_desc store_recs[STORE_REC_COUNT];

/* The id the next audit row gets and the hash it links to (prev may be
 * NULL). Only stable inside a write transaction. */
int store_audit_next(struct store *s, long long *id,
                     char prev[SHA256_HEX_LEN + 1], char *cause,
                     size_t cause_len);

/* The hash of *a (its prev_hash set): sha256 of prev_hash and the
 * canonical serialisation of the row's fields. The one definition of the
 * chain's hash (store_sync_event_hash checks shipped rows with it). */
void store_audit_hash(const struct store_audit *a,
                      char hex[SHA256_HEX_LEN + 1]);

/* Appends *a (its id and prev_hash are filled in here) to the chain.
 * Inside a write transaction. *id_out (may be NULL) gets the row id. */
int store_audit_append(struct store *s, struct store_audit *a,
                       long long *id_out, char *cause, size_t cause_len);

/* An audit row of kind what: old -> new by who, at now, no batch. */
struct store_audit store_audit_make(const char *now, const char *kind,
                                    const char *what, const char *old_value,
                                    const char *new_value, const char *who);

/* store_write.c: one audited write, a record row and the audit row that
 * snapshots it. */
struct store_write_row {
	enum store_rec rec;         /* the record kind the audit row snapshots */
	const char *sql;            /* INSERT or UPDATE; its last parameter is
	                             * the audit row's id */
	const char *doing;          /* for errors: "record the lot" */
	long long rowid;            /* the row an UPDATE writes; 0: the row the
	                             * INSERT makes */
	void (*bind)(sqlite3_stmt *st, const void *arg);  /* sql's others */
	/* NULL, or what comes between the row and its audit row: more rows,
	 * a's fields that need the row's id */
	int (*then)(struct store *s, long long rowid, struct store_audit *a,
	            const void *arg, char *cause, size_t cause_len);
	const void *arg;            /* what bind and then read */
};

/* Writes w's row, then the audit row a (the caller fills its kind, what,
 * values, who; the snapshot of the row is added here), so that the chain
 * holds the row as written. Inside a write transaction. Returns 0 or -1
 * with cause. */
int store_write_audited(struct store *s, const struct store_write_row *w,
                        struct store_audit *a, char *cause, size_t cause_len);

/* store_field.c: 1 when t has no control character (fit for a report). */
int store_field_text_ok(const char *t);

/* store_field.c: 1 when part is "" or leaf, twig, bark or fruit. */
int store_part_ok(const char *part);

/* store_field.c: a lot field's own name (its lots column) for key or its
 * alias, NULL when unknown; its value in l as text into buf (NULL when
 * not set). */
const char *store_lot_key(const char *key);
const char *store_lot_text(const struct store_lot *l, const char *key,
                           char *buf, size_t len);

/* store_batch.c: the schema 5 fields of l fit to record (plant part,
 * organic certificate and body together, numbers). 0 or -1 with cause. */
int store_lot_check5(const struct store_lot *l, char *cause, size_t cause_len);

/* store_field.c: 0 when id (of a what: "lot", "drum") is letters, digits
 * and - _ . / only, else -1 with a sentence. */
int store_id_check(const char *what, const char *id, char *cause,
                   size_t cause_len);

/* store_query.c: a batch row as the writers check it. */
struct store_batch_row {
	char still[CFG_NAME_MAX];
	char state[16];
	int ended;                  /* ended_at is set */
	double oil_receiver_kg;     /* NaN until store_batch_end */
	double steam_kg;
	int has_end;                /* store_batch_end was recorded */
	char feedstock[32];
};

/* store_drum.c: a batch's oil as drums see it. */
struct store_batch_oil {
	char state[16];
	char feedstock[32];
	int organic;                /* batches.organic (0 when NULL) */
	double weighed_kg;          /* latest oil_kg measurement, NaN: none */
	double in_drums_kg;         /* what its fills took */
};

/* Reads batch id's oil for drums: 0, or -1 with "no batch N". */
int store_batch_oil(struct store *s, long id, struct store_batch_oil *o,
                    char *cause, size_t cause_len);

/* store_attr.c: attributes batch id's latest weighed oil to its lots in
 * whole grams (a new attributions revision with its lots, audited by who,
 * for why); nothing when it is not weighed. Inside a write transaction. */
int store_attr_write(struct store *s, long id, const char *why,
                     const char *who, char *cause, size_t cause_len);

/* Reads batch id: 0, or -1 with "no batch N". */
int store_query_batch_row(struct store *s, long id,
                          struct store_batch_row *b, char *cause,
                          size_t cause_len);

/* Puts the batch row in state (ended when final). */
int store_batch_apply_state(struct store *s, long id, const char *state,
                            int final, const char *now, double t_s,
                            char *cause, size_t cause_len);

/* Appends and applies each event (store_events without the transaction:
 * the caller holds one). */
int store_events_write(struct store *s, const struct store_event *ev,
                       int n, char *cause, size_t cause_len);

/* store_alarm.c: 1 when state is an ISA-18.2 alarm state (not "latched",
 * "reset" ...). */
int store_alarm_state(const char *state);

/* store_alarm.c: the alarms-table side of an alarm event e (audit row
 * event_id, written at now): a new occurrence opens a row with e's batch
 * and ends any older open row of that alarm on that still; other moves
 * update the open row. Inside a transaction. */
int store_alarm_apply(struct store *s, const struct store_event *e,
                      const char *now, long long event_id, char *cause,
                      size_t cause_len);

/* SQL: alarm row a was active during batch b: raised in it, or raised
 * on its still before it ended and its condition not yet gone (cleared,
 * or closed) when it started. The IN over every alarm name is always
 * true (alarm is NOT NULL): it lets SQLite reach the still's alarms
 * through alarms_open (alarm, still, id) and the batch's through
 * alarms_batch, instead of reading the whole alarms table for each
 * batch (a decade's history page: 123 -> 53 ms of CPU). */
#define STORE_SQL_ALARM_IN_BATCH \
	"(a.batch_id = b.id OR (a.alarm IN (SELECT alarm FROM alarms)" \
	" AND a.still IS b.still" \
	" AND a.raised_at <= coalesce(b.ended_at, a.raised_at)" \
	" AND coalesce(a.cleared_at, a.closed_at, b.started_at || 'z')" \
	"  > b.started_at))"

/* The lots as corrected (the view lots_now: the latest lot_corrections
 * row of a field wins) with organic (1 when the lot carries an organic
 * certificate): use it as "FROM " STORE_SQL_LOTS_NOW " l". */
#define STORE_SQL_LOTS_NOW \
	"(SELECT *, CASE WHEN coalesce(organic_cert, '') <> '' THEN 1 ELSE 0" \
	" END AS organic FROM lots_now)"

/* The latest QA release decision of the batch whose id is b, or NULL. */
#define STORE_SQL_DECISION(b) \
	"(SELECT d.decision FROM qa_decisions d WHERE d.batch_id = " b \
	" ORDER BY d.id DESC LIMIT 1)"

/* What a query needs to exist before it runs (its "no such" sentence). */
enum store_need {
	STORE_NEED_NONE,
	STORE_NEED_BATCH,           /* f->batch_id: "no batch N" */
	STORE_NEED_LOT,             /* f->lot_id: "no lot named L" */
	STORE_NEED_DRUM,            /* f->drum_id (id or trace code) */
};

/* store_query.c: runs sql (one row, one text column: JSON) bound to f,
 * after checking need; malloc'd text, or NULL with cause. */
char *store_query_one(struct store *s, enum store_need need, const char *sql,
                      const struct store_filter *f, char *cause,
                      size_t cause_len);

/* store_trace.c: the SQL of the issue-14 reports, for store_query.c's
 * table of queries (rows, and JSON where it is not the rows wrapped). */
extern const char store_trace_sql_corrections[];
extern const char store_trace_sql_attribution[];
extern const char store_trace_sql_drums[];
extern const char store_trace_sql_fills[];
extern const char store_trace_sql_shipments[];
extern const char store_trace_sql_drum[];
extern const char store_trace_sql_drum_json[];
extern const char store_trace_sql_lot[];
extern const char store_trace_sql_lot_json[];
extern const char store_trace_sql_lot_show_json[];
extern const char store_trace_sql_drum_show_json[];

/* Checks that what need names exists (STORE_NEED_LOT, STORE_NEED_DRUM;
 * others pass): 0, or -1 with "no lot named L" / "no drum D ...". */
int store_trace_need(struct store *s, enum store_need need,
                     const struct store_filter *f, char *cause,
                     size_t cause_len);

#endif
