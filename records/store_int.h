/*
 * store_int: what the store_*.c files share inside the store module (the
 * only module that includes sqlite3.h). Not for other modules: they use
 * store.h. store.c holds the connection, statements, transactions, schema
 * and audit chain; store_alarm.c the alarm lifecycle rows; store_quar.c
 * the journal's quarantine; store_backup.c online backup and restore.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

#include "store.h"

#define STORE_STMTS_MAX 64          /* cached prepared statements */
#define STORE_NOW_MAX 32            /* "2025-03-01T08:00:00.000Z" */

struct store_slot {
	const char *sql;            /* the static SQL text it was made from */
	sqlite3_stmt *st;
};

struct store {
	sqlite3 *db;
	enum store_mode mode;
	int sync_full;              /* PRAGMA synchronous is FULL right now */
	struct store_slot slots[STORE_STMTS_MAX];
	int n_slots;
	int fail_code;              /* SQLite's code of the last failure */
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

/* Appends and applies each event (store_events without the transaction:
 * the caller holds one). */
int store_events_write(struct store *s, const struct store_event *ev,
                       int n, char *cause, size_t cause_len);

/* store_quar.c: schema version 3, the journal's quarantine table. */
extern const char store_quar_schema[];

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
 * or closed) when it started. */
#define STORE_SQL_ALARM_IN_BATCH \
	"(a.batch_id = b.id OR (a.still IS b.still" \
	" AND a.raised_at <= coalesce(b.ended_at, a.raised_at)" \
	" AND coalesce(a.cleared_at, a.closed_at, b.started_at || 'z')" \
	"  > b.started_at))"

#endif
