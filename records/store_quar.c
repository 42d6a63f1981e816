/*
 * store_quar: the journal's quarantine. An item the journal cannot write
 * for a reason other than the disk (a constraint, a type mismatch, a value
 * too big, a refusal, a bug) is set aside here with its error and enough
 * of the item to diagnose it, audited in the same transaction, so that
 * every later record still lands. See store.h (store_quarantine) and
 * docs/RECORDS.md.
 */
#include "store_int.h"

#include <string.h>

#define STORE_QUAR_TEXT_MAX 200     /* characters kept of each text field */

/* ?1 at ?2 still ?3 batch ?4 item ?5 t ?6 error, then the item's fields:
 * ?7 kind ?8 what ?9 old ?10 new ?11 who ?12 cause ?13 text ?14 step
 * ?15 oil_kg ?16 steam_kg. The row's audit row is the last one. */
static const char store_quar_sql_add[] =
	"INSERT INTO quarantine (at, still, batch_id, item, t_process_s, detail,"
	" error, event_id) VALUES (?1, ?2, ?3, ?4, ?5,"
	" json_object('kind', ?7, 'what', substr(?8, 1, 200),"
	"  'old_value', substr(?9, 1, 200), 'new_value', substr(?10, 1, 200),"
	"  'who', substr(?11, 1, 200), 'cause', substr(?12, 1, 200),"
	"  'text', substr(?13, 1, 200), 'step', ?14, 'oil_kg', ?15,"
	"  'steam_kg', ?16),"
	" substr(?6, 1, 400), (SELECT max(id) FROM events))";

_Static_assert(STORE_QUAR_TEXT_MAX == 200, "the SQL above keeps 200");

int store_fail_disk(struct store *s)
{
	int code = s->fail_code;

	s->fail_code = SQLITE_OK;
	switch (code) {
	case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_BUSY:
	case SQLITE_LOCKED: case SQLITE_CANTOPEN: case SQLITE_NOMEM:
	case SQLITE_READONLY: case SQLITE_PROTOCOL: case SQLITE_CORRUPT:
	case SQLITE_NOTADB: case SQLITE_NOLFS: case SQLITE_AUTH:
		return 1;
	default:
		return 0;
	}
}

/* The audit row of a quarantined item: kind "journal", what "quarantine",
 * new value the item, text the error. */
static int store_quar_audit(struct store *s, const struct store_quar_item *q,
                            char *cause, size_t cause_len)
{
	char text[STORE_QUAR_TEXT_MAX * 2 + 64];
	struct store_event a = {
		.batch_id = q->ev.batch_id, .still = q->ev.still, .kind = "journal",
		.what = "quarantine", .new_value = q->item, .who = "controller",
		.cause = "fault", .text = text, .t_process_s = q->ev.t_process_s,
	};

	snprintf(text, sizeof text, "set aside, not written: %.*s",
	         STORE_QUAR_TEXT_MAX * 2, q->error ? q->error : "");
	return store_events_write(s, &a, 1, cause, cause_len);
}

/* Inserts the quarantine row (after its audit row). */
static int store_quar_row(struct store *s, const struct store_quar_item *q,
                          const char *now, char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_quar_sql_add, cause, cause_len);

	if (!st)
		return -1;
	store_bind_text(st, 1, now);
	store_bind_text(st, 2, q->ev.still);
	store_bind_id(st, 3, q->ev.batch_id);
	store_bind_text(st, 4, q->item);
	store_bind_real(st, 5, q->ev.t_process_s);
	store_bind_text(st, 6, q->error ? q->error : "");
	store_bind_text(st, 7, q->ev.kind);
	store_bind_text(st, 8, q->ev.what);
	store_bind_text(st, 9, q->ev.old_value);
	store_bind_text(st, 10, q->ev.new_value);
	store_bind_text(st, 11, q->ev.who);
	store_bind_text(st, 12, q->ev.cause);
	store_bind_text(st, 13, q->ev.text);
	if (q->step >= 0)
		sqlite3_bind_int(st, 14, q->step);
	store_bind_real(st, 15, q->oil_kg);
	store_bind_real(st, 16, q->steam_kg);
	return store_run(s, st, "set the item aside", cause, cause_len);
}

int store_quarantine(struct store *s, const struct store_quar_item *q,
                     char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	int rc;

	if (store_blank(q->item))
		return store_fail(cause, cause_len, "a quarantined item needs its kind");
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_now(s, now, cause, cause_len);
	if (rc == 0)
		rc = store_quar_audit(s, q, cause, cause_len);
	if (rc == 0)
		rc = store_quar_row(s, q, now, cause, cause_len);
	return store_end(s, rc, cause, cause_len);
}
