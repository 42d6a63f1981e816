/*
 * store_write: the daemon's audited writes: the one audited-insert helper
 * every record writer uses, the plant, events from the controller and the
 * historian. Writer part (only stillroomd links it).
 */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The audited insert                                                   */

/* Appends *a as the audit row that records row rowid of rec; event_id is
 * the id the row was given by store_audit_next. Inside a transaction. */
static int store_write_record(struct store *s, enum store_rec rec,
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

/* The one audited write (store_int.h has the contract). */
int store_write_audited(struct store *s, const struct store_write_row *w,
                        struct store_audit *a, char *cause, size_t cause_len)
{
	long long event_id, rowid;
	sqlite3_stmt *st;

	if (store_audit_next(s, &event_id, NULL, cause, cause_len) < 0)
		return -1;
	st = store_prep(s, w->sql, cause, cause_len);
	if (!st)
		return -1;
	w->bind(st, w->arg);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_count(st), event_id);
	if (store_run(s, st, w->doing, cause, cause_len) < 0)
		return -1;
	rowid = w->rowid > 0 ? w->rowid : sqlite3_last_insert_rowid(s->db);
	if (w->then && w->then(s, rowid, a, w->arg, cause, cause_len) < 0)
		return -1;
	return store_write_record(s, w->rec, rowid, event_id, a, cause, cause_len);
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
		return store_batch_apply_state(s, e->batch_id, e->new_value,
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
/* Generators only                                                      */

void store_clock_set(struct store *s, double unix_s)
{
	s->clock_s = unix_s > 0 ? unix_s : 0;
}

int store_bulk(struct store *s, char *cause, size_t cause_len)
{
	if (s->mode != STORE_RW)
		return store_fail(cause, cause_len, "the database is open read-only");
	if (sqlite3_exec(s->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, "set the sync level", cause, cause_len);
	s->sync_off = 1;
	return 0;
}
