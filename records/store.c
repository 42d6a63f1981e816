/*
 * store: the batch record in SQLite (WAL). See store.h for the contract,
 * store_int.h for how the records/ files divide the work, and
 * docs/RECORDS.md for the schema and the report columns.
 *
 * This file: the helpers every store file uses (errors, statements,
 * transactions), the SQL functions, open (with its migrations) and close.
 */
#include "store_int.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clk.h"
#include "sha256.h"
#include "store_write.h"

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
int store_state_final(const char *state)
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
void store_col_text(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

/* Real column i, NaN for NULL. */
double store_col_real(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(st, i);
}

const char *store_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */

/* Sets PRAGMA synchronous (FULL for audited writes, NORMAL for samples). */
static int store_sync(struct store *s, int full, char *cause, size_t cause_len)
{
	if (s->sync_off || s->sync_full == full)
		return 0;
	if (sqlite3_exec(s->db, full ? "PRAGMA synchronous=FULL"
	                             : "PRAGMA synchronous=NORMAL",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, "set the sync level", cause, cause_len);
	s->sync_full = full;
	return 0;
}

/* Resets the cached statements left on a row; returns how many. */
static int store_reset_left(struct store *s)
{
	int n = 0;

	for (int i = 0; i < s->n_slots; i++) {
		if (sqlite3_stmt_busy(s->slots[i].st)) {
			sqlite3_reset(s->slots[i].st);
			n++;
		}
	}
	return n;
}

/* BEGIN IMMEDIATE; a read left on a row (a cached statement not reset)
 * holds a snapshot that another connection's commit made stale, and no
 * wait helps (SQLITE_BUSY_SNAPSHOT): such reads are reset and the write
 * begins from the latest snapshot. */
static int store_begin_write(struct store *s)
{
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (sqlite3_extended_errcode(s->db) != SQLITE_BUSY_SNAPSHOT ||
	    !sqlite3_get_autocommit(s->db) || store_reset_left(s) == 0)
		return -1;
	s->reads_left++;
	return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int store_gate_init(struct store_gate *g, char *cause, size_t cause_len)
{
	pthread_condattr_t ca;

	memset(g, 0, sizeof *g);
	if (pthread_condattr_init(&ca) != 0)
		return store_fail(cause, cause_len, "write turns: out of memory");
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&g->cv, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		return store_fail(cause, cause_len, "write turns: out of memory");
	}
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&g->mu, NULL);
	return 0;
}

void store_gate_destroy(struct store_gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

void store_gate_attach(struct store *s, struct store_gate *g, int priority)
{
	s->gate = g;
	s->gate_priority = priority;
}

/* A priority write announced (+1) or holding the lock now (-1). */
static void store_gate_announce(struct store_gate *g, int delta)
{
	pthread_mutex_lock(&g->mu);
	g->announced += delta;
	if (g->announced == 0)
		pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* A background write's turn: waits while a priority write is announced,
 * at most STORE_BUSY_MS (a stuck announcement cannot stop the journal). */
static void store_gate_yield(struct store_gate *g)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	clk_ts_add_ns(&until, (int64_t)STORE_BUSY_MS * 1000000);
	pthread_mutex_lock(&g->mu);
	while (g->announced > 0 && pthread_cond_timedwait(&g->cv, &g->mu, &until) == 0)
		;
	pthread_mutex_unlock(&g->mu);
}

/* store_begin_write in s's turn (store_gate). */
static int store_begin_turn(struct store *s)
{
	int rc;

	if (s->gate == NULL)
		return store_begin_write(s);
	if (!s->gate_priority) {
		store_gate_yield(s->gate);
		return store_begin_write(s);
	}
	store_gate_announce(s->gate, 1);
	rc = store_begin_write(s);
	store_gate_announce(s->gate, -1);
	return rc;
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
	if (store_begin_turn(s) < 0)
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

/* unix_s as store_now gives it ("2025-03-01T08:00:00.000Z"). */
static int store_now_at(double unix_s, char now[STORE_NOW_MAX], char *cause,
                        size_t cause_len)
{
	time_t sec = (time_t)floor(unix_s);
	int ms = (int)((unix_s - (double)sec) * 1000);
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL)
		return store_fail(cause, cause_len, "the records' clock is out of range");
	snprintf(now, STORE_NOW_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, ms > 999 ? 999 : ms);
	return 0;
}

static const char store_sql_now[] =
	"SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/* The wall-clock time, UTC ISO 8601, once per transaction. */
int store_now(struct store *s, char now[STORE_NOW_MAX], char *cause,
              size_t cause_len)
{
	sqlite3_stmt *st;

	if (s->clock_s > 0)
		return store_now_at(s->clock_s, now, cause, cause_len);
	st = store_prep(s, store_sql_now, cause, cause_len);

	if (!st || store_row(s, st, "read the clock", cause, cause_len) != 1)
		return -1;
	store_col_text(st, 0, now, STORE_NOW_MAX);
	sqlite3_reset(st);
	return 0;
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

/*
 * sr_round(x, n): SQLite's round(x, n) without its printf, where that is
 * safe: for 0 < n <= 6 and |x 10^n| < 1e9 not within 1e-6 of a half, the
 * nearest integer over 10^n is the same decimal SQLite finds, and the
 * double differs from SQLite's by at most its last bit, so its text
 * ("%!.15g") is the same; else as SQLite (n = 0: its own formula; others:
 * "%.*f" read back). The curve query rounds four columns of every sample,
 * the yields and batch summaries two to five of every batch.
 * tests/unit/test_store_hist.c compares the text of both on 200,000 values.
 */
static void store_fn_round(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	static const double ten_pow[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
	double x = sqlite3_value_double(argv[0]), p, y, frac;
	int n = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
	char *text;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
	    (argc > 1 && sqlite3_value_type(argv[1]) == SQLITE_NULL)) {
		sqlite3_result_null(ctx);
		return;
	}
	n = n < 0 ? 0 : n > 30 ? 30 : n;
	if (fabs(x) > 4503599627370496.0) {
		sqlite3_result_double(ctx, x);
		return;
	}
	if (n == 0) {
		sqlite3_result_double(ctx, (double)(sqlite3_int64)(x + (x < 0 ? -0.5 : 0.5)));
		return;
	}
	p = n < (int)(sizeof ten_pow / sizeof ten_pow[0]) ? ten_pow[n] : pow(10, n);
	y = x * p;
	frac = fabs(y - trunc(y));
	if (n <= 6 && fabs(y) < 1e9 && fabs(frac - 0.5) > 1e-6) {
		sqlite3_result_double(ctx, round(y) / p);
		return;
	}
	text = sqlite3_mprintf("%.*f", n, x);
	if (!text) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_double(ctx, strtod(text, NULL));
	sqlite3_free(text);
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
	    sqlite3_create_function(s->db, "sr_round", 2, flags, NULL,
	                            store_fn_round, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "sr_sha256", 1, flags, NULL,
	                            store_fn_sha256, NULL, NULL) != SQLITE_OK ||
	    store_histvt_register(s) < 0)
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
	{
		if (sqlite3_exec(s->db, store_schema_migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			return store_fail(cause, cause_len,
			                  "cannot upgrade the database to schema %d: %s",
			                  v, sqlite3_errmsg(s->db));
		if (store_schema_data(s, v, cause, cause_len) < 0)
			return -1;
	}
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

/* Connection settings: busy timeout, foreign keys, WAL and a page cache
 * of STORE_RW_CACHE_KIB (read-write: the journal's historian writes touch
 * the table and three indexes of hist_blocks every round; with SQLite's
 * 2 MiB they were read back from the file, and bench_store's 512-row
 * commits went from about 130,000 to 150,000 rows/s with 8 MiB, no more
 * with 16; the daemon locks its memory, and its RSS goal is 32 MiB). */
#define STORE_RW_CACHE_KIB "8192"
static int store_setup(struct store *s, char *cause, size_t cause_len)
{
	const char *sql = s->mode == STORE_RW ?
		"PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL;"
		"PRAGMA synchronous=FULL;"
		" PRAGMA cache_size=-" STORE_RW_CACHE_KIB ";" :
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
