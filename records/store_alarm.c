/*
 * store_alarm: the alarms table, one row per alarm occurrence, kept in
 * step with the audit trail's alarm events by store_events. An occurrence
 * begins when the condition comes on (normal -> unack, or rtn_unack ->
 * unack: it came back before anyone acknowledged it) and is recorded with
 * the batch the event belongs to; whatever older row of that alarm on that
 * still is open then is ended (closed_at) there, so each batch's record
 * holds the occurrences raised in it. At start, store_alarms_restart ends
 * the rows a stopped or killed daemon left open. See store_int.h and
 * store.h.
 */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char store_alarm_sql_raise[] =
	"INSERT INTO alarms (batch_id, still, alarm, state, message, raised_at,"
	" raised_t_s, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/* ?1 alarm ?2 still ?3 now */
static const char store_alarm_sql_end[] =
	"UPDATE alarms SET closed_at = ?3 WHERE alarm = ?1 AND still IS ?2"
	" AND closed_at IS NULL";
/* ?1 alarm ?2 still ?3 old ?4 new ?5 who ?6 now */
static const char store_alarm_sql_move[] =
	"UPDATE alarms SET state = ?4,"
	" acked_at = CASE WHEN acked_at IS NULL AND (?4 = 'acked' OR"
	"  (?3 = 'rtn_unack' AND ?4 = 'normal')) THEN ?6 ELSE acked_at END,"
	" acked_by = CASE WHEN acked_by IS NULL AND (?4 = 'acked' OR"
	"  (?3 = 'rtn_unack' AND ?4 = 'normal')) THEN ?5 ELSE acked_by END,"
	" cleared_at = CASE WHEN cleared_at IS NULL AND (?4 = 'rtn_unack' OR"
	"  (?3 = 'acked' AND ?4 = 'normal')) THEN ?6 ELSE cleared_at END,"
	" shelved_at = CASE WHEN ?4 = 'shelved' THEN ?6 ELSE shelved_at END,"
	" shelved_by = CASE WHEN ?4 = 'shelved' THEN ?5 ELSE shelved_by END,"
	" closed_at = CASE WHEN ?4 = 'normal' THEN ?6 ELSE closed_at END"
	" WHERE id = (SELECT max(id) FROM alarms WHERE alarm = ?1"
	"  AND still IS ?2 AND closed_at IS NULL)";

int store_alarm_state(const char *state)
{
	static const char *const states[] = {
		"normal", "unack", "acked", "rtn_unack", "shelved",
	};

	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (strcmp(state, states[i]) == 0)
			return 1;
	return 0;
}

/* 1 when an alarm event starts a new occurrence: from normal (or nothing)
 * to a state that is not normal or shelved, or back on from rtn_unack. */
static int store_alarm_raised(const struct store_event *e)
{
	if (!store_blank(e->old_value) && strcmp(e->old_value, "rtn_unack") == 0)
		return strcmp(e->new_value, "unack") == 0;
	return (store_blank(e->old_value) || strcmp(e->old_value, "normal") == 0) &&
	       strcmp(e->new_value, "normal") != 0 &&
	       strcmp(e->new_value, "shelved") != 0;
}

/* Ends every open row of e's alarm on e's still at now. */
static int store_alarm_end_open(struct store *s, const struct store_event *e,
                                const char *now, char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_alarm_sql_end, cause, cause_len);

	if (!st)
		return -1;
	store_bind_text(st, 1, e->what);
	store_bind_text(st, 2, e->still);
	store_bind_text(st, 3, now);
	return store_run(s, st, "end the alarm's last occurrence", cause, cause_len);
}

/* A new occurrence: ends the open one, then opens a row in e's batch. */
static int store_alarm_raise(struct store *s, const struct store_event *e,
                             const char *now, long long event_id, char *cause,
                             size_t cause_len)
{
	sqlite3_stmt *st;

	if (store_alarm_end_open(s, e, now, cause, cause_len) < 0)
		return -1;
	st = store_prep(s, store_alarm_sql_raise, cause, cause_len);
	if (!st)
		return -1;
	store_bind_id(st, 1, e->batch_id);
	store_bind_text(st, 2, e->still);
	store_bind_text(st, 3, e->what);
	store_bind_text(st, 4, e->new_value);
	store_bind_text(st, 5, e->text);
	store_bind_text(st, 6, now);
	store_bind_real(st, 7, e->t_process_s);
	sqlite3_bind_int64(st, 8, event_id);
	return store_run(s, st, "record the alarm", cause, cause_len);
}

int store_alarm_apply(struct store *s, const struct store_event *e,
                      const char *now, long long event_id, char *cause,
                      size_t cause_len)
{
	sqlite3_stmt *st;

	if (store_alarm_raised(e))
		return store_alarm_raise(s, e, now, event_id, cause, cause_len);
	st = store_prep(s, store_alarm_sql_move, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, e->what);
	store_bind_text(st, 2, e->still);
	store_bind_text(st, 3, e->old_value);
	store_bind_text(st, 4, e->new_value);
	store_bind_text(st, 5, e->who);
	store_bind_text(st, 6, now);
	return store_run(s, st, "record the alarm", cause, cause_len);
}

static const char store_alarm_sql_first_open[] =
	"SELECT id, alarm, still, state, batch_id FROM alarms"
	" WHERE closed_at IS NULL ORDER BY id LIMIT 1";
static const char store_alarm_sql_close[] =
	"UPDATE alarms SET closed_at = ?2 WHERE id = ?1";

/* One open alarm row, copied out of its statement. */
struct store_alarm_open {
	long long id;
	char alarm[64];
	char still[CFG_NAME_MAX];
	char state[16];
	long batch_id;
};

/* The first open alarm row into *a: 1, 0 when none, -1. */
static int store_alarm_first_open(struct store *s, struct store_alarm_open *a,
                                  char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_alarm_sql_first_open, cause, cause_len);
	int rc = st ? store_row(s, st, "read the open alarms", cause, cause_len) : -1;

	if (rc != 1)
		return rc;
	a->id = sqlite3_column_int64(st, 0);
	snprintf(a->alarm, sizeof a->alarm, "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(a->still, sizeof a->still, "%s",
	         sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
	snprintf(a->state, sizeof a->state, "%s", (const char *)sqlite3_column_text(st, 3));
	a->batch_id = (long)sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	return 1;
}

/* Ends one open row a at now, audited. */
static int store_alarm_end_one(struct store *s, const struct store_alarm_open *a,
                               const char *now, char *cause, size_t cause_len)
{
	struct store_event e = {
		.batch_id = a->batch_id, .still = a->still[0] ? a->still : NULL,
		.kind = "alarm", .what = a->alarm, .old_value = a->state,
		.new_value = "ended", .who = "controller", .cause = "fault",
		.text = "the controller restarted: this occurrence ends here (a "
		        "condition that still stands is raised again)",
		.t_process_s = NAN,
	};
	sqlite3_stmt *st;

	if (store_events_write(s, &e, 1, cause, cause_len) < 0)
		return -1;
	st = store_prep(s, store_alarm_sql_close, cause, cause_len);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a->id);
	store_bind_text(st, 2, now);
	return store_run(s, st, "end the alarm", cause, cause_len);
}

int store_alarms_restart(struct store *s, char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	struct store_alarm_open a;
	int rc;

	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_now(s, now, cause, cause_len);
	while (rc == 0 && (rc = store_alarm_first_open(s, &a, cause, cause_len)) == 1)
		rc = store_alarm_end_one(s, &a, now, cause, cause_len);
	return store_end(s, rc, cause, cause_len);
}
