/*
 * store_attr: a batch's weighed oil attributed to its lots in whole grams
 * (schema 5), written as a new revision at each weighing and at each
 * correction of a lot's moisture or oil content. Writer part. The method
 * (docs/RECORDS.md "Oil attribution"): each lot's basis is its assayed oil
 * (mass drawn x oil_content_pct / 100) when every lot has an assay, else
 * its dry mass (mass drawn x (1 - moisture_pct / 100)) when every lot has
 * a moisture, else the mass drawn; the batch's grams, round(weighed kg x
 * 1000), are split by the bases with alloc_split (largest remainder), so
 * the parts sum to them exactly. Corrected lot values count (lots_now).
 */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

#define STORE_ATTR_LOTS_MAX 64      /* lots one batch may draw from */

/* The lots of one split. */
struct store_attr {
	char lot_id[STORE_ATTR_LOTS_MAX][64];
	double mass_kg[STORE_ATTR_LOTS_MAX];
	double moisture_pct[STORE_ATTR_LOTS_MAX];   /* NaN: unknown */
	double oil_pct[STORE_ATTR_LOTS_MAX];        /* NaN: no assay */
	double basis[STORE_ATTR_LOTS_MAX];
	long long oil_g[STORE_ATTR_LOTS_MAX];
	int n;
	const char *method;
	long long total_g;
};

static const char store_sql_attr_lots[] =
	"SELECT bl.lot_id, bl.mass_kg, l.moisture_pct, l.oil_content_pct"
	" FROM batch_lots bl JOIN lots_now l ON l.lot_id = bl.lot_id"
	" WHERE bl.batch_id = ?1 ORDER BY bl.lot_id";

/* Reads the batch's draws into *t. 0 or -1 with cause. */
static int store_attr_read(struct store *s, long id, struct store_attr *t,
                           char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_attr_lots, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	t->n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && t->n < STORE_ATTR_LOTS_MAX) {
		store_col_text(st, 0, t->lot_id[t->n], sizeof t->lot_id[0]);
		t->mass_kg[t->n] = sqlite3_column_double(st, 1);
		t->moisture_pct[t->n] = store_col_real(st, 2);
		t->oil_pct[t->n] = store_col_real(st, 3);
		t->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_db_fail(s, "read the batch's lots", cause, cause_len);
	if (rc == SQLITE_ROW || t->n == 0)
		return store_fail(cause, cause_len, "batch %ld: %s lots to attribute "
		                  "its oil to", id, t->n ? "too many" : "no");
	return 0;
}

/* Chooses the method and each lot's basis, then splits total_g. */
static int store_attr_split(struct store_attr *t, char *cause, size_t cause_len)
{
	int assay = 1, dry = 1;

	for (int i = 0; i < t->n; i++) {
		assay = assay && !isnan(t->oil_pct[i]);
		dry = dry && !isnan(t->moisture_pct[i]);
	}
	t->method = assay ? "assay" : dry ? "dry_mass" : "charged_mass";
	for (int i = 0; i < t->n; i++)
		t->basis[i] = assay ? t->mass_kg[i] * t->oil_pct[i] / 100 :
		              dry ? t->mass_kg[i] * (1 - t->moisture_pct[i] / 100) :
		              t->mass_kg[i];
	if (alloc_split(t->total_g, t->basis, t->n, t->oil_g) < 0)
		return store_fail(cause, cause_len, "cannot split %lld g of oil among "
		                  "the lots (a basis is not a number)", t->total_g);
	return 0;
}

static const char store_sql_attr_insert[] =
	"INSERT INTO attributions (batch_id, revision, oil_g, method, why, at,"
	" event_id) VALUES (?1, (SELECT coalesce(max(revision), 0) + 1"
	" FROM attributions WHERE batch_id = ?1), ?2, ?3, ?4, ?5, ?6)";
static const char store_sql_attr_lot[] =
	"INSERT INTO attribution_lots (attribution_id, lot_id, basis, oil_g)"
	" VALUES (?1, ?2, ?3, ?4)";

/* An attribution's values (store_attr_bind, store_attr_then). */
struct store_attr_ins {
	long batch_id;
	const struct store_attr *t;
	const char *why, *now;
};

static void store_attr_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_attr_ins *in = arg;

	sqlite3_bind_int64(st, 1, in->batch_id);
	sqlite3_bind_int64(st, 2, in->t->total_g);
	store_bind_text(st, 3, in->t->method);
	store_bind_text(st, 4, in->why);
	store_bind_text(st, 5, in->now);
}

/* The attribution's lots, before its audit row (its snapshot lists them). */
static int store_attr_then(struct store *s, long long rowid,
                           struct store_audit *a, const void *arg,
                           char *cause, size_t cause_len)
{
	const struct store_attr_ins *in = arg;
	sqlite3_stmt *st = store_prep(s, store_sql_attr_lot, cause, cause_len);

	(void)a;
	for (int i = 0; st && i < in->t->n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rowid);
		store_bind_text(st, 2, in->t->lot_id[i]);
		sqlite3_bind_double(st, 3, in->t->basis[i]);
		sqlite3_bind_int64(st, 4, in->t->oil_g[i]);
		if (store_run(s, st, "record the oil of a lot", cause, cause_len) < 0)
			return -1;
	}
	return st ? 0 : -1;
}

/* Attributes batch id's latest weighed oil to its lots: a new revision,
 * audited (by who, for why). Inside a write transaction. 0 or -1. */
int store_attr_write(struct store *s, long id, const char *why,
                     const char *who, char *cause, size_t cause_len)
{
	struct store_attr t;
	struct store_batch_oil o;
	char now[STORE_NOW_MAX], what[64], new[STORE_SUMMARY_MAX];
	const struct store_attr_ins in = {id, &t, why, now};
	const struct store_write_row w = {
		.rec = STORE_REC_ATTR, .sql = store_sql_attr_insert,
		.doing = "record the attribution", .bind = store_attr_bind,
		.then = store_attr_then, .arg = &in,
	};
	struct store_audit a;

	if (store_batch_oil(s, id, &o, cause, cause_len) < 0 ||
	    store_attr_read(s, id, &t, cause, cause_len) < 0)
		return -1;
	if (isnan(o.weighed_kg))
		return 0;
	t.total_g = llround(o.weighed_kg * 1000);
	if (store_attr_split(&t, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0)
		return -1;
	snprintf(what, sizeof what, "oil of batch %ld", id);
	snprintf(new, sizeof new, "%lld g to %d lot%s by %s", t.total_g, t.n,
	         t.n > 1 ? "s" : "", t.method);
	a = store_audit_make(now, "attribution", what, NULL, new, who);
	a.batch_id = id;
	a.text = why;
	return store_write_audited(s, &w, &a, cause, cause_len);
}
