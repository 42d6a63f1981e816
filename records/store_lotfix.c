/*
 * store_lotfix: corrections of lots (schema 5): one lot_corrections row
 * per field, audited, never an edit of the lot's row; readers see the
 * latest correction of each field (the lots_now view). A correction of
 * moisture or oil content attributes the oil of every weighed batch of
 * the lot again, in the same transaction. Writer part.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#define STORE_FIX_MAX 16            /* fields one correction may name */

/* The fields a correction may not touch (by their own names). */
static const char *const store_fix_fixed[] = {"id", "feedstock", "grower",
                                              "mass_kg"};

/* The column fix i corrects, checked: known, correctable, not named twice
 * (col[0..i-1] hold the earlier ones). NULL with cause. */
static const char *store_fix_col(const char *lot_id,
                                 const struct store_lot_fix *fix, int i,
                                 const char *const *col, char *cause,
                                 size_t cause_len)
{
	const char *c = fix[i].key ? store_lot_key(fix[i].key) : NULL;

	if (!c) {
		store_fail(cause, cause_len, "unknown field '%s'",
		           fix[i].key ? fix[i].key : "");
		return NULL;
	}
	for (size_t k = 0; k < sizeof store_fix_fixed / sizeof store_fix_fixed[0]; k++)
		if (strcmp(c, store_fix_fixed[k]) == 0) {
			store_fail(cause, cause_len, "lot %s: %s cannot be corrected",
			           lot_id, fix[i].key);
			return NULL;
		}
	for (int j = 0; j < i; j++)
		if (strcmp(col[j], c) == 0) {
			store_fail(cause, cause_len, "lot %s: %s is corrected twice",
			           lot_id, c);
			return NULL;
		}
	return c;
}

static const char store_sql_fix_insert[] =
	"INSERT INTO lot_corrections (lot_id, field, old_value, new_value, who,"
	" why, at, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/* One correction's values (store_fix_bind). */
struct store_fix_ins {
	const char *lot_id, *col, *old, *new, *who, *why, *now;
};

static void store_fix_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_fix_ins *in = arg;

	store_bind_text(st, 1, in->lot_id);
	store_bind_text(st, 2, in->col);
	store_bind_text(st, 3, in->old);
	store_bind_text(st, 4, in->new);
	store_bind_text(st, 5, in->who);
	store_bind_text(st, 6, in->why);
	store_bind_text(st, 7, in->now);
}

/* The correction row of one field and its audit row. */
static int store_fix_insert(struct store *s, const struct store_fix_ins *in,
                            char *cause, size_t cause_len)
{
	const struct store_write_row w = {
		.rec = STORE_REC_LOT_FIX, .sql = store_sql_fix_insert,
		.doing = "record the lot correction", .bind = store_fix_bind,
		.arg = in,
	};
	char old[STORE_SUMMARY_MAX], new[STORE_SUMMARY_MAX];
	struct store_audit a;

	snprintf(old, sizeof old, "%s %s", in->col, in->old ? in->old : "(none)");
	snprintf(new, sizeof new, "%s %s", in->col, in->new ? in->new : "(none)");
	a = store_audit_make(in->now, "lot", in->lot_id, old, new, in->who);
	a.cause = "operator";
	a.text = in->why;
	return store_write_audited(s, &w, &a, cause, cause_len);
}

static const char store_sql_lot_next_batch[] =
	"SELECT min(batch_id) FROM batch_lots WHERE lot_id = ?1 AND batch_id > ?2";

/* Attributes again the oil of every weighed batch that drew from lot_id. */
static int store_fix_reattribute(struct store *s, const char *lot_id,
                                 const char *col, const char *who,
                                 char *cause, size_t cause_len)
{
	char why[STORE_SUMMARY_MAX];
	long last = 0;

	snprintf(why, sizeof why, "lot %s %s corrected", lot_id, col);
	for (;;) {
		sqlite3_stmt *st = store_prep(s, store_sql_lot_next_batch, cause,
		                              cause_len);

		if (!st)
			return -1;
		store_bind_text(st, 1, lot_id);
		sqlite3_bind_int64(st, 2, last);
		if (store_row(s, st, "read the lot's batches", cause, cause_len) != 1)
			return -1;
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			sqlite3_reset(st);
			return 0;
		}
		last = (long)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (store_attr_write(s, last, why, who, cause, cause_len) < 0)
			return -1;
	}
}

/* Checks every fix against the lot as it is now, then writes them. Inside
 * the transaction. */
static int store_fix_write(struct store *s, const char *lot_id,
                           const struct store_lot_fix *fix, int n,
                           const char *who, const char *why, char *cause,
                           size_t cause_len)
{
	char now[STORE_NOW_MAX], ob[STORE_SUMMARY_MAX], nb[STORE_SUMMARY_MAX];
	const char *col[STORE_FIX_MAX];
	struct store_lot old, new;
	int again = 0;

	if (store_lot_get(s, lot_id, &old, cause, cause_len) < 0)
		return -1;
	new = old;
	for (int i = 0; i < n; i++)
		if (!(col[i] = store_fix_col(lot_id, fix, i, col, cause, cause_len)) ||
		    store_lot_set(&new, fix[i].key, fix[i].value, cause, cause_len) < 0)
			return -1;
	if (store_lot_check5(&new, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *o = store_lot_text(&old, col[i], ob, sizeof ob);
		const struct store_fix_ins in = {lot_id, col[i], o,
			store_lot_text(&new, col[i], nb, sizeof nb), who, why, now};

		if ((o == NULL) == (in.new == NULL) && (!o || strcmp(o, in.new) == 0))
			return store_fail(cause, cause_len, "lot %s: %s is %s already",
			                  lot_id, col[i], o ? o : "not set");
		if (store_fix_insert(s, &in, cause, cause_len) < 0)
			return -1;
		again = again || strcmp(col[i], "moisture_pct") == 0 ||
		        strcmp(col[i], "oil_content_pct") == 0;
	}
	return again ? store_fix_reattribute(s, lot_id, "moisture or oil content",
	                                     who, cause, cause_len) : 0;
}

int store_lot_correct(struct store *s, const char *lot_id,
                      const struct store_lot_fix *fix, int n, const char *who,
                      const char *why, char *cause, size_t cause_len)
{
	if (store_blank(lot_id))
		return store_fail(cause, cause_len, "lot correct: no lot given");
	if (!fix || n < 1 || n > STORE_FIX_MAX)
		return store_fail(cause, cause_len, "lot %s: correct 1 to %d fields",
		                  lot_id, STORE_FIX_MAX);
	if (store_blank(why))
		return store_fail(cause, cause_len, "lot %s: a correction needs a "
		                  "reason (why)", lot_id);
	if (store_blank(who))
		return store_fail(cause, cause_len, "lot %s: who corrects it?", lot_id);
	if (!store_field_text_ok(why) || strlen(why) > 500)
		return store_fail(cause, cause_len, "lot %s: why is too long or has a "
		                  "control character", lot_id);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_fix_write(s, lot_id, fix, n, who, why, cause,
	                                    cause_len),
	                 cause, cause_len);
}
