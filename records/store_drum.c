/*
 * store_drum: audited writers of drums and their fills, shipments of drums
 * to buyers and advances paid to growers (schema 5). Writer part. The
 * rules (docs/RECORDS.md): a batch fills drums once ended (complete or
 * stopped) and weighed, never with more than its latest weighing less
 * what other fills took; a drum holds one feedstock, an organic drum only
 * organic batches; a drum ships once, and only when every batch in it is
 * released in QA.
 */
#include "store_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"

#define STORE_SHIP_DRUMS_MAX 256    /* drums one shipment may name */

/* ------------------------------------------------------------------ */
/* A batch's oil for drums, a drum as recorded                          */

static const char store_sql_batch_oil[] =
	"SELECT b.state, b.feedstock, coalesce(b.organic, 0),"
	" (SELECT value FROM measurements m WHERE m.batch_id = b.id"
	"  AND m.quantity = 'oil_kg' ORDER BY m.id DESC LIMIT 1),"
	" coalesce((SELECT sum(oil_kg) FROM drum_fills f WHERE f.batch_id = b.id),"
	"  0) FROM batches b WHERE b.id = ?1";

/* Reads batch id's oil for drums: 0, or -1 with "no batch N". */
int store_batch_oil(struct store *s, long id, struct store_batch_oil *o,
                    char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_batch_oil, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(s, st, "read the batch", cause, cause_len);
	if (rc <= 0)
		return rc < 0 ? -1 : store_fail(cause, cause_len, "no batch %ld", id);
	store_col_text(st, 0, o->state, sizeof o->state);
	store_col_text(st, 1, o->feedstock, sizeof o->feedstock);
	o->organic = sqlite3_column_int(st, 2);
	o->weighed_kg = store_col_real(st, 3);
	o->in_drums_kg = sqlite3_column_double(st, 4);
	sqlite3_reset(st);
	return 0;
}

/* A drum as recorded. */
struct store_drum_row {
	char feedstock[32];
	int organic;
	double tare_kg;
	int shipped;
};

static const char store_sql_drum_get[] =
	"SELECT feedstock, organic, tare_kg,"
	" EXISTS (SELECT 1 FROM shipment_drums sd WHERE sd.drum_id = d.drum_id)"
	" FROM drums d WHERE drum_id = ?1";

/* Reads drum id into *d: 1 found, 0 not, -1 error. */
static int store_drum_read(struct store *s, const char *id,
                           struct store_drum_row *d, char *cause,
                           size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_drum_get, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, id);
	rc = store_row(s, st, "read the drum", cause, cause_len);
	if (rc != 1)
		return rc;
	store_col_text(st, 0, d->feedstock, sizeof d->feedstock);
	d->organic = sqlite3_column_int(st, 1);
	d->tare_kg = sqlite3_column_double(st, 2);
	d->shipped = sqlite3_column_int(st, 3);
	sqlite3_reset(st);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Drum fills                                                           */

/* The batch can give f->oil_kg to a drum. 0 or -1 with cause. */
static int store_fill_batch_ok(const struct store_drum_fill *f,
                               const struct store_batch_oil *o, char *cause,
                               size_t cause_len)
{
	double left = o->weighed_kg - o->in_drums_kg;

	if (strcmp(o->state, "complete") != 0 && strcmp(o->state, "stopped") != 0)
		return store_fail(cause, cause_len, "batch %ld is %s: only an ended "
		                  "batch (complete or stopped) fills a drum",
		                  f->batch_id, o->state);
	if (isnan(o->weighed_kg))
		return store_fail(cause, cause_len, "batch %ld is not weighed: weigh "
		                  "its oil before it fills a drum", f->batch_id);
	if (f->oil_kg > left + STORE_KG_EPS)
		return store_fail(cause, cause_len, "batch %ld has %.3f kg left for "
		                  "drums; cannot put %.3f kg in drum %s", f->batch_id,
		                  fmax(0, left), f->oil_kg, f->drum_id);
	return 0;
}

/* The fill agrees with the drum as recorded. 0 or -1 with cause. */
static int store_fill_drum_ok(const struct store_drum_fill *f,
                              const struct store_batch_oil *o,
                              const struct store_drum_row *d, char *cause,
                              size_t cause_len)
{
	if (d->shipped)
		return store_fail(cause, cause_len, "drum %s was shipped: it takes no "
		                  "more oil", f->drum_id);
	if (strcmp(d->feedstock, o->feedstock) != 0)
		return store_fail(cause, cause_len, "batch %ld is %s: drum %s holds %s",
		                  f->batch_id, o->feedstock, f->drum_id, d->feedstock);
	if (!isnan(f->tare_kg) && fabs(f->tare_kg - d->tare_kg) > STORE_KG_EPS)
		return store_fail(cause, cause_len, "drum %s has a tare of %.3f kg, "
		                  "not %.3f kg", f->drum_id, d->tare_kg, f->tare_kg);
	if (f->organic >= 0 && (f->organic != 0) != d->organic)
		return store_fail(cause, cause_len, "drum %s is %s; it cannot be "
		                  "declared %s", f->drum_id,
		                  d->organic ? "organic" : "conventional",
		                  d->organic ? "conventional" : "organic");
	if (d->organic && !o->organic)
		return store_fail(cause, cause_len, "batch %ld is conventional: drum "
		                  "%s is organic", f->batch_id, f->drum_id);
	return 0;
}

/* A new drum's fields. 0 or -1 with cause. */
static int store_fill_new_ok(const struct store_drum_fill *f,
                             const struct store_batch_oil *o, char *cause,
                             size_t cause_len)
{
	if (!isfinite(f->tare_kg) || f->tare_kg < 0)
		return store_fail(cause, cause_len, "drum %s is new: its tare (the "
		                  "empty drum, kg, 0 or more) is required", f->drum_id);
	if (f->organic > 0 && !o->organic)
		return store_fail(cause, cause_len, "batch %ld is conventional: drum "
		                  "%s is organic", f->batch_id, f->drum_id);
	return 0;
}

static const char store_sql_site_first[] =
	"SELECT coalesce((SELECT name FROM sites ORDER BY created_at, name"
	" LIMIT 1), '')";
static const char store_sql_trace_taken[] =
	"SELECT 1 FROM drums WHERE trace_code = ?1";

/* The drum's trace code: "SR-" and 10 upper-case hex digits of
 * sha256(site|drum id|created_at|n), n counting up past a code taken. */
static int store_trace_code(struct store *s, const char *drum_id,
                            const char *now, char code[16], char *cause,
                            size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_site_first, cause, cause_len);
	char site[96], in[512], hex[SHA256_HEX_LEN + 1];
	int rc = 1;

	if (!st || store_row(s, st, "read the site", cause, cause_len) != 1)
		return -1;
	store_col_text(st, 0, site, sizeof site);
	sqlite3_reset(st);
	for (int n = 0; rc == 1; n++) {
		snprintf(in, sizeof in, "%s|%s|%s|%d", site, drum_id, now, n);
		sha256_hex(in, strlen(in), hex);
		snprintf(code, 16, "SR-%.10s", hex);
		for (char *p = code; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (!(st = store_prep(s, store_sql_trace_taken, cause, cause_len)))
			return -1;
		store_bind_text(st, 1, code);
		rc = store_row(s, st, "read the drums", cause, cause_len);
		sqlite3_reset(st);
	}
	return rc;
}

/* A fill's values (store_drum_bind, store_fill_bind). */
struct store_fill_ins {
	const struct store_drum_fill *f;
	const char *feedstock;
	const char *trace_code;
	const char *now;
};

static const char store_sql_drum_insert[] =
	"INSERT INTO drums (drum_id, feedstock, organic, tare_kg, trace_code,"
	" created_by, created_at, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char store_sql_fill_insert[] =
	"INSERT INTO drum_fills (drum_id, batch_id, oil_kg, who, at, event_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static void store_drum_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_fill_ins *in = arg;

	store_bind_text(st, 1, in->f->drum_id);
	store_bind_text(st, 2, in->feedstock);
	sqlite3_bind_int(st, 3, in->f->organic > 0);
	sqlite3_bind_double(st, 4, in->f->tare_kg);
	store_bind_text(st, 5, in->trace_code);
	store_bind_text(st, 6, in->f->who);
	store_bind_text(st, 7, in->now);
}

static void store_fill_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_fill_ins *in = arg;

	store_bind_text(st, 1, in->f->drum_id);
	sqlite3_bind_int64(st, 2, in->f->batch_id);
	sqlite3_bind_double(st, 3, in->f->oil_kg);
	store_bind_text(st, 4, in->f->who);
	store_bind_text(st, 5, in->now);
}

/* Creates the drum (its first fill), audited. */
static int store_drum_create(struct store *s, const struct store_drum_fill *f,
                             const struct store_batch_oil *o, const char *now,
                             char *cause, size_t cause_len)
{
	char code[16], what[STORE_SUMMARY_MAX];
	const struct store_fill_ins in = {f, o->feedstock, code, now};
	const struct store_write_row w = {
		.rec = STORE_REC_DRUM, .sql = store_sql_drum_insert,
		.doing = "record the drum", .bind = store_drum_bind, .arg = &in,
	};
	struct store_audit a;

	if (store_trace_code(s, f->drum_id, now, code, cause, cause_len) < 0)
		return -1;
	snprintf(what, sizeof what, "new %s drum of %s, tare %.3f kg, trace %s",
	         f->organic > 0 ? "organic" : "conventional", o->feedstock,
	         f->tare_kg, code);
	a = store_audit_make(now, "drum", f->drum_id, NULL, what, f->who);
	a.cause = "operator";
	return store_write_audited(s, &w, &a, cause, cause_len);
}

static const char store_sql_drum_net[] =
	"SELECT coalesce(sum(oil_kg), 0) FROM drum_fills WHERE drum_id = ?1";

/* The fill row and its audit row "drum D: net old -> new kg". */
static long store_fill_insert(struct store *s, const struct store_drum_fill *f,
                              const char *now, char *cause, size_t cause_len)
{
	const struct store_fill_ins in = {f, NULL, NULL, now};
	const struct store_write_row w = {
		.rec = STORE_REC_FILL, .sql = store_sql_fill_insert,
		.doing = "record the drum fill", .bind = store_fill_bind, .arg = &in,
	};
	sqlite3_stmt *st = store_prep(s, store_sql_drum_net, cause, cause_len);
	char old[64], new[64], text[128];
	struct store_audit a;
	double net;

	if (!st)
		return -1;
	store_bind_text(st, 1, f->drum_id);
	if (store_row(s, st, "read the drum", cause, cause_len) != 1)
		return -1;
	net = sqlite3_column_double(st, 0);
	sqlite3_reset(st);
	snprintf(old, sizeof old, "%.3f kg", net);
	snprintf(new, sizeof new, "%.3f kg", net + f->oil_kg);
	snprintf(text, sizeof text, "%.3f kg of oil from batch %ld", f->oil_kg,
	         f->batch_id);
	a = store_audit_make(now, "drum", f->drum_id, old, new, f->who);
	a.batch_id = f->batch_id;
	a.cause = "operator";
	a.text = text;
	if (store_write_audited(s, &w, &a, cause, cause_len) < 0)
		return -1;
	return (long)sqlite3_last_insert_rowid(s->db);
}

/* Checks and writes the fill inside the transaction: its id or -1. */
static long store_fill_write(struct store *s, const struct store_drum_fill *f,
                             char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX];
	struct store_batch_oil o;
	struct store_drum_row d;
	int rc;

	if (store_batch_oil(s, f->batch_id, &o, cause, cause_len) < 0)
		return -1;
	rc = store_drum_read(s, f->drum_id, &d, cause, cause_len);
	if (rc < 0)
		return -1;
	if ((rc == 1 && store_fill_drum_ok(f, &o, &d, cause, cause_len) < 0) ||
	    (rc == 0 && store_fill_new_ok(f, &o, cause, cause_len) < 0) ||
	    store_fill_batch_ok(f, &o, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0)
		return -1;
	if (rc == 0 && store_drum_create(s, f, &o, now, cause, cause_len) < 0)
		return -1;
	return store_fill_insert(s, f, now, cause, cause_len);
}

long store_drum_fill(struct store *s, const struct store_drum_fill *f,
                     char *cause, size_t cause_len)
{
	long id;

	if (store_blank(f->drum_id))
		return store_fail(cause, cause_len, "drum fill: no drum given");
	if (strlen(f->drum_id) >= 64 ||
	    store_id_check("drum", f->drum_id, cause, cause_len) < 0)
		return strlen(f->drum_id) >= 64 ?
			store_fail(cause, cause_len, "drum id is too long (at most "
			           "63 characters)") : -1;
	if (!isfinite(f->oil_kg) || f->oil_kg <= 0)
		return store_fail(cause, cause_len, "drum %s: oil %g kg must be more "
		                  "than 0", f->drum_id, f->oil_kg);
	if (store_blank(f->who))
		return store_fail(cause, cause_len, "drum %s: who filled it?",
		                  f->drum_id);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	id = store_fill_write(s, f, cause, cause_len);
	if (store_end(s, id > 0 ? 0 : -1, cause, cause_len) < 0)
		return -1;
	return id;
}

/* ------------------------------------------------------------------ */
/* Shipments                                                            */

static const char store_sql_drum_unreleased[] =
	"SELECT f.batch_id, coalesce((SELECT decision FROM qa_decisions q"
	"  WHERE q.batch_id = f.batch_id ORDER BY q.id DESC LIMIT 1), '')"
	" FROM drum_fills f WHERE f.drum_id = ?1 AND coalesce((SELECT decision"
	"  FROM qa_decisions q WHERE q.batch_id = f.batch_id"
	"  ORDER BY q.id DESC LIMIT 1), '') != 'released'"
	" ORDER BY f.batch_id LIMIT 1";

/* Drum id is releasable: every batch in it released. 0 or -1 with cause. */
static int store_drum_releasable(struct store *s, const char *id, char *cause,
                                 size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_drum_unreleased, cause, cause_len);
	char decision[16];
	long batch;
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, id);
	rc = store_row(s, st, "read the drum's QA", cause, cause_len);
	if (rc <= 0)
		return rc;
	batch = (long)sqlite3_column_int64(st, 0);
	store_col_text(st, 1, decision, sizeof decision);
	sqlite3_reset(st);
	if (!*decision)
		return store_fail(cause, cause_len, "drum %s is not releasable: batch "
		                  "%ld has no QA decision", id, batch);
	return store_fail(cause, cause_len, "drum %s is not releasable: batch %ld "
	                  "is %s", id, batch, decision);
}

/* Each drum of sh can ship. 0 or -1 with cause. Inside the transaction. */
static int store_ship_drums_ok(struct store *s, const struct store_shipment *sh,
                               char *cause, size_t cause_len)
{
	struct store_drum_row d;

	for (int i = 0; i < sh->n_drums; i++) {
		const char *id = sh->drum_ids[i];
		int rc;

		rc = store_drum_read(s, id, &d, cause, cause_len);
		if (rc <= 0)
			return rc < 0 ? -1 : store_fail(cause, cause_len, "no drum named %s",
			                                id);
		if (d.shipped)
			return store_fail(cause, cause_len, "drum %s was shipped already",
			                  id);
		if (store_drum_releasable(s, id, cause, cause_len) < 0)
			return -1;
	}
	return 0;
}

static const char store_sql_ship_insert[] =
	"INSERT INTO shipments (buyer, doc_no, ship_date, who, at, event_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char store_sql_ship_drum[] =
	"INSERT INTO shipment_drums (shipment_id, drum_id) VALUES (?1, ?2)";

/* A shipment's values (store_ship_bind, store_ship_then). */
struct store_ship_ins {
	const struct store_shipment *sh;
	const char *now;
};

static void store_ship_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_ship_ins *in = arg;

	store_bind_text(st, 1, in->sh->buyer);
	store_bind_text(st, 2, in->sh->doc_no);
	store_bind_text(st, 3, in->sh->ship_date);
	store_bind_text(st, 4, in->sh->who);
	store_bind_text(st, 5, in->now);
}

/* The shipment's drums, before its audit row (its snapshot lists them). */
static int store_ship_then(struct store *s, long long rowid,
                           struct store_audit *a, const void *arg,
                           char *cause, size_t cause_len)
{
	const struct store_ship_ins *in = arg;
	sqlite3_stmt *st = store_prep(s, store_sql_ship_drum, cause, cause_len);

	(void)a;
	for (int i = 0; st && i < in->sh->n_drums; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rowid);
		store_bind_text(st, 2, in->sh->drum_ids[i]);
		if (store_run(s, st, "record the drum shipped", cause, cause_len) < 0)
			return -1;
	}
	return st ? 0 : -1;
}

/* Writes the shipment inside the transaction: its id or -1. */
static long store_ship_write(struct store *s, const struct store_shipment *sh,
                             char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX], what[STORE_SUMMARY_MAX];
	const struct store_ship_ins in = {sh, now};
	const struct store_write_row w = {
		.rec = STORE_REC_SHIP, .sql = store_sql_ship_insert,
		.doing = "record the shipment", .bind = store_ship_bind,
		.then = store_ship_then, .arg = &in,
	};
	struct store_audit a;
	long long id;

	if (store_ship_drums_ok(s, sh, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0)
		return -1;
	snprintf(what, sizeof what, "%d drum%s to %s on %s (first %s)",
	         sh->n_drums, sh->n_drums > 1 ? "s" : "", sh->buyer,
	         sh->ship_date, sh->drum_ids[0]);
	a = store_audit_make(now, "ship", sh->doc_no, NULL, what, sh->who);
	a.cause = "operator";
	if (store_write_audited(s, &w, &a, cause, cause_len) < 0)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	return (long)id;
}

/* A shipment's own fields. 0 or -1 with cause. */
static int store_ship_check(const struct store_shipment *sh, char *cause,
                            size_t cause_len)
{
	if (sh->n_drums < 1 || sh->n_drums > STORE_SHIP_DRUMS_MAX || !sh->drum_ids)
		return store_fail(cause, cause_len, "ship: name 1 to %d drums",
		                  STORE_SHIP_DRUMS_MAX);
	for (int i = 0; i < sh->n_drums; i++) {
		if (store_blank(sh->drum_ids[i]))
			return store_fail(cause, cause_len, "ship: drum %d has no id", i + 1);
		for (int j = 0; j < i; j++)
			if (strcmp(sh->drum_ids[i], sh->drum_ids[j]) == 0)
				return store_fail(cause, cause_len, "ship: drum %s is named "
				                  "twice", sh->drum_ids[i]);
	}
	if (store_blank(sh->buyer) || store_blank(sh->doc_no) ||
	    store_blank(sh->who))
		return store_fail(cause, cause_len, "ship: the buyer, the document "
		                  "number and who ships are required");
	if (!store_field_text_ok(sh->buyer) || !store_field_text_ok(sh->doc_no) ||
	    strlen(sh->buyer) > 200 || strlen(sh->doc_no) > 64)
		return store_fail(cause, cause_len, "ship: the buyer or the document "
		                  "number is too long or has a control character");
	if (!store_date_check(sh->ship_date))
		return store_fail(cause, cause_len, "ship: date '%s' is not a date "
		                  "(YYYY-MM-DD)", sh->ship_date ? sh->ship_date : "");
	return 0;
}

long store_ship(struct store *s, const struct store_shipment *sh, char *cause,
                size_t cause_len)
{
	long id;

	if (store_ship_check(sh, cause, cause_len) < 0)
		return -1;
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	id = store_ship_write(s, sh, cause, cause_len);
	if (store_end(s, id > 0 ? 0 : -1, cause, cause_len) < 0)
		return -1;
	return id;
}

/* ------------------------------------------------------------------ */
/* Advances to growers                                                  */

static const char store_sql_grower_name[] =
	"SELECT grower FROM lots WHERE lower(grower) = lower(?1)"
	" ORDER BY received_at LIMIT 1";
static const char store_sql_advance_insert[] =
	"INSERT INTO advances (grower, amount_vnd, paid_on, who, why, at,"
	" event_id) VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), ?6, ?7)";

/* An advance's values (store_advance_bind). */
struct store_advance_ins {
	const char *grower;         /* as the lots spell it */
	long long amount_vnd;
	const char *paid_on, *who, *why, *now;
};

static void store_advance_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_advance_ins *in = arg;

	store_bind_text(st, 1, in->grower);
	sqlite3_bind_int64(st, 2, in->amount_vnd);
	store_bind_text(st, 3, in->paid_on);
	store_bind_text(st, 4, in->who);
	store_bind_text(st, 5, in->why);
	store_bind_text(st, 6, in->now);
}

/* Writes the advance inside the transaction: its id or -1. */
static long store_advance_write(struct store *s, struct store_advance_ins *in,
                                char *cause, size_t cause_len)
{
	const struct store_write_row w = {
		.rec = STORE_REC_ADVANCE, .sql = store_sql_advance_insert,
		.doing = "record the advance", .bind = store_advance_bind, .arg = in,
	};
	sqlite3_stmt *st = store_prep(s, store_sql_grower_name, cause, cause_len);
	char now[STORE_NOW_MAX], grower[96], what[STORE_SUMMARY_MAX];
	struct store_audit a;
	int rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, in->grower);
	rc = store_row(s, st, "read the lots", cause, cause_len);
	if (rc <= 0)
		return rc < 0 ? -1 : store_fail(cause, cause_len, "no lot on record "
		                                "from grower %s", in->grower);
	store_col_text(st, 0, grower, sizeof grower);
	sqlite3_reset(st);
	if (store_now(s, now, cause, cause_len) < 0)
		return -1;
	in->grower = grower;
	in->now = now;
	snprintf(what, sizeof what, "%lld VND paid on %s", in->amount_vnd,
	         in->paid_on);
	a = store_audit_make(now, "advance", grower, NULL, what, in->who);
	a.cause = "operator";
	a.text = store_blank(in->why) ? NULL : in->why;
	if (store_write_audited(s, &w, &a, cause, cause_len) < 0)
		return -1;
	return (long)sqlite3_last_insert_rowid(s->db);
}

long store_advance_add(struct store *s, const char *grower, long long amount_vnd,
                       const char *paid_on, const char *who, const char *why,
                       char *cause, size_t cause_len)
{
	struct store_advance_ins in = {grower, amount_vnd, paid_on, who, why, NULL};
	long id;

	if (store_blank(grower) || store_blank(who))
		return store_fail(cause, cause_len, "advance: the grower and who paid "
		                  "are required");
	if (amount_vnd <= 0)
		return store_fail(cause, cause_len, "advance to %s: %lld VND must be "
		                  "more than 0", grower, amount_vnd);
	if (!store_date_check(paid_on))
		return store_fail(cause, cause_len, "advance to %s: '%s' is not a date "
		                  "(YYYY-MM-DD)", grower, paid_on ? paid_on : "");
	if (why && (!store_field_text_ok(why) || strlen(why) > 500))
		return store_fail(cause, cause_len, "advance to %s: why is too long or "
		                  "has a control character", grower);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	id = store_advance_write(s, &in, cause, cause_len);
	if (store_end(s, id > 0 ? 0 : -1, cause, cause_len) < 0)
		return -1;
	return id;
}
