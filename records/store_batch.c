/*
 * store_batch: audited writers of lots, batches (start, state, steps, end
 * figures) and measurements after the batch. Writer part.
 */
#include "store_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"

/* ------------------------------------------------------------------ */
/* Lots                                                                 */

/* The schema 5 fields of a lot fit to record, or -1 with cause. */
int store_lot_check5(const struct store_lot *l, char *cause,
                            size_t cause_len)
{
	if (!STORE_TERMINATED(l->plant_part) || !STORE_TERMINATED(l->organic_cert) ||
	    !STORE_TERMINATED(l->organic_body) || !STORE_TERMINATED(l->gi))
		return store_fail(cause, cause_len, "lot: a text field is not terminated");
	if (!store_part_ok(l->plant_part))
		return store_fail(cause, cause_len, "lot %s: plant part '%s' is not "
		                  "leaf, twig, bark or fruit", l->lot_id, l->plant_part);
	if (*l->organic_cert && !*l->organic_body)
		return store_fail(cause, cause_len, "lot %s: organic certificate %s "
		                  "needs its body (organic_body)", l->lot_id,
		                  l->organic_cert);
	if (*l->organic_body && !*l->organic_cert)
		return store_fail(cause, cause_len, "lot %s: organic body %s needs a "
		                  "certificate (organic_cert)", l->lot_id, l->organic_body);
	if (!store_field_text_ok(l->organic_cert) ||
	    !store_field_text_ok(l->organic_body) || !store_field_text_ok(l->gi))
		return store_fail(cause, cause_len, "lot %s: a field has a control "
		                  "character", l->lot_id);
	if (isnan(l->price_vnd_per_kg) || isnan(l->oil_content_pct) ||
	    l->oil_content_pct > 100)
		return store_fail(cause, cause_len, "lot %s: price or oil content is "
		                  "not a number in range", l->lot_id);
	return 0;
}

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
	if (store_id_check("lot", l->lot_id, cause, cause_len) < 0 ||
	    store_lot_check5(l, cause, cause_len) < 0)
		return -1;
	if (store_blank(l->feedstock))
		return store_fail(cause, cause_len, "lot %s: no feedstock given", l->lot_id);
	if (store_blank(l->grower))
		return store_fail(cause, cause_len, "lot %s: no grower given", l->lot_id);
	if (!store_field_text_ok(l->feedstock) || !store_field_text_ok(l->grower) ||
	    !store_field_text_ok(l->cooperative) || !store_field_text_ok(l->origin))
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
	" mass_received_kg, mass_remaining_kg, coalesce(plant_part, ''),"
	" coalesce(price_vnd_per_kg, -1), coalesce(organic_cert, ''),"
	" coalesce(organic_body, ''), coalesce(gi, ''),"
	" coalesce(oil_content_pct, -1) FROM lots_now WHERE lot_id = ?1";
static const char store_sql_lot_insert[] =
	"INSERT INTO lots (lot_id, feedstock, grower, cooperative, origin,"
	" harvested, drying_days, moisture_pct, mass_received_kg,"
	" mass_remaining_kg, received_by, received_at, plant_part,"
	" price_vnd_per_kg, organic_cert, organic_body, gi, oil_content_pct,"
	" event_id)"
	" VALUES (?1, ?2, ?3, nullif(?4, ''), nullif(?5, ''), nullif(?6, ''),"
	" ?7, ?8, ?9, ?9, ?10, ?11, nullif(?12, ''), ?13, nullif(?14, ''),"
	" nullif(?15, ''), nullif(?16, ''), ?17, ?18)";

/* The plant part a feedstock is made of, or "" when it is not known. */
static const char *store_feedstock_part(const char *feedstock)
{
	static const char *const map[][2] = {
		{"cassia-leaf", "leaf"}, {"cassia-bark", "bark"},
		{"star-anise", "fruit"},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(feedstock, map[i][0]) == 0)
			return map[i][1];
	return "";
}

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
	store_col_text(st, 10, lot->plant_part, sizeof lot->plant_part);
	lot->price_vnd_per_kg = sqlite3_column_double(st, 11);
	store_col_text(st, 12, lot->organic_cert, sizeof lot->organic_cert);
	store_col_text(st, 13, lot->organic_body, sizeof lot->organic_body);
	store_col_text(st, 14, lot->gi, sizeof lot->gi);
	lot->oil_content_pct = sqlite3_column_double(st, 15);
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

/* The lot row's values (store_lot_bind). */
struct store_lot_ins {
	const struct store_lot *l;
	const char *operator_name;
	const char *now;
};

static void store_lot_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_lot_ins *in = arg;
	const struct store_lot *l = in->l;

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
	store_bind_text(st, 10, in->operator_name);
	store_bind_text(st, 11, in->now);
	store_bind_text(st, 12, *l->plant_part ? l->plant_part :
	                store_feedstock_part(l->feedstock));
	store_bind_real(st, 13, l->price_vnd_per_kg >= 0 ? l->price_vnd_per_kg : NAN);
	store_bind_text(st, 14, l->organic_cert);
	store_bind_text(st, 15, l->organic_body);
	store_bind_text(st, 16, l->gi);
	store_bind_real(st, 17, NAN);   /* the assay comes later: a correction */
}

/* Inserts the lot row and its audit row. Inside a transaction. */
static int store_lot_insert(struct store *s, const char *now,
                            const struct store_lot *l, const char *operator_name,
                            char *cause, size_t cause_len)
{
	const struct store_lot_ins in = {l, operator_name, now};
	const struct store_write_row w = {
		.rec = STORE_REC_LOT, .sql = store_sql_lot_insert,
		.doing = "record the lot", .bind = store_lot_bind, .arg = &in,
	};
	char what[STORE_SUMMARY_MAX];
	struct store_audit a;

	snprintf(what, sizeof what, "received %.3f kg of %s from %s",
	         l->mass_received_kg, l->feedstock, l->grower);
	a = store_audit_make(now, "lot", l->lot_id, NULL, what, operator_name);
	a.cause = "operator";
	return store_write_audited(s, &w, &a, cause, cause_len);
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
	int organic;                /* every lot carries an organic_cert */
};

/* "lots A 1.000 kg + B 2.000 kg" into buf, for a sum that does not match. */
static void store_draws_list(const struct store_draws *dr, char *buf,
                             size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "lot%s", dr->n > 1 ? "s" : "");

	for (int i = 0; i < dr->n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s %s %.3f kg",
		                       i ? " +" : "", dr->d[i].lot_id, dr->d[i].mass_kg);
}

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
	if (!isfinite(dr->charge_kg) || fabs(dr->charge_kg - sum) > STORE_KG_EPS) {
		char list[STORE_CAUSE_MAX];

		store_draws_list(dr, list, sizeof list);
		return store_fail(cause, cause_len, "batch start: charge %.3f kg is not "
		                  "the sum of %s = %.3f kg", b->charge_kg, list, sum);
	}
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
	" state, started_at, started_t_s, organic, event_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7, ?8, ?9)";
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

/* The still exists and every lot can give its draw; dr->organic gets
 * whether every lot is organic. */
static int store_start_refs(struct store *s, const struct store_batch_start *b,
                            struct store_draws *dr, char *cause,
                            size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_still_exists, cause, cause_len);
	struct store_lot l;
	int rc;

	if (!st)
		return -1;
	dr->organic = 1;
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
		if (!*l.organic_cert && b->organic_required)
			return store_fail(cause, cause_len, "lot %s is not organic (no "
			                  "certificate): recipe %s makes organic oil",
			                  l.lot_id, b->recipe_name);
		dr->organic = dr->organic && *l.organic_cert;
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

/* The batch row's values (store_batch_bind, store_batch_then). */
struct store_batch_ins {
	const struct store_batch_start *b;
	const struct store_draws *dr;
	long long recipe_id;
	const char *now;
	long *id;                   /* gets the batch id */
};

static void store_batch_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_batch_ins *in = arg;

	store_bind_text(st, 1, in->b->still);
	sqlite3_bind_int64(st, 2, in->recipe_id);
	store_bind_text(st, 3, in->b->feedstock);
	sqlite3_bind_double(st, 4, in->dr->charge_kg);
	store_bind_text(st, 5, in->b->operator_name);
	store_bind_text(st, 6, in->now);
	store_bind_real(st, 7, in->b->t_process_s);
	sqlite3_bind_int(st, 8, in->dr->organic);
}

/* The draws, before the batch's audit row (its snapshot lists them). */
static int store_batch_then(struct store *s, long long rowid,
                            struct store_audit *a, const void *arg,
                            char *cause, size_t cause_len)
{
	const struct store_batch_ins *in = arg;

	*in->id = (long)rowid;
	a->batch_id = rowid;
	return store_draws_insert(s, *in->id, in->dr, cause, cause_len);
}

/* Inserts the batch, its draws and its audit rows; *id gets the batch id. */
static int store_batch_insert(struct store *s, const char *now,
                              const struct store_batch_start *b,
                              const struct store_draws *dr, long long recipe_id,
                              long *id, char *cause, size_t cause_len)
{
	const struct store_batch_ins in = {b, dr, recipe_id, now, id};
	const struct store_write_row w = {
		.rec = STORE_REC_BATCH, .sql = store_sql_batch_insert,
		.doing = "record the batch", .bind = store_batch_bind,
		.then = store_batch_then, .arg = &in,
	};
	char what[STORE_SUMMARY_MAX];
	struct store_audit a;
	int rc;

	snprintf(what, sizeof what, "%s v%d, %.3f kg of %s", b->recipe_name,
	         b->recipe_version, dr->charge_kg, b->feedstock);
	a = store_audit_make(now, "batch", "start", NULL, what, b->operator_name);
	a.still = b->still;
	a.cause = "operator";
	a.t_process_s = b->t_process_s;
	rc = store_write_audited(s, &w, &a, cause, cause_len);
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


static const char store_sql_batch_state[] =
	"UPDATE batches SET state = ?2,"
	" ended_at = CASE WHEN ?3 THEN coalesce(ended_at, ?4) ELSE ended_at END,"
	" ended_t_s = CASE WHEN ?3 THEN coalesce(ended_t_s, ?5) ELSE ended_t_s END"
	" WHERE id = ?1";

/* Puts the batch row in state (ended when final). */
int store_batch_apply_state(struct store *s, long id, const char *state,
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

	if (store_query_batch_row(s, id, &b, cause, cause_len) < 0)
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
	return store_batch_apply_state(s, id, state, final, now, NAN, cause, cause_len);
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

	if (store_query_batch_row(s, id, &b, cause, cause_len) < 0)
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
	"UPDATE batches SET oil_receiver_kg = ?2, steam_kg = ?3, cooling_m3 = ?4,"
	" running_h = ?5, fuel_kg = ?6, electricity_kwh = ?7, labour_h = ?8,"
	" cost_vnd = ?9, end_event_id = ?10 WHERE id = ?1";

/* The end figures (store_end_bind). */
struct store_end_ins {
	long id;
	double oil_kg;
	const struct econ_use *use;
	double cost_vnd;
};

static void store_end_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_end_ins *in = arg;

	sqlite3_bind_int64(st, 1, in->id);
	sqlite3_bind_double(st, 2, in->oil_kg);
	sqlite3_bind_double(st, 3, in->use->steam_kg);
	sqlite3_bind_double(st, 4, in->use->cooling_m3);
	sqlite3_bind_double(st, 5, in->use->running_h);
	store_bind_real(st, 6, in->use->fuel_kg);
	store_bind_real(st, 7, in->use->electricity_kwh);
	sqlite3_bind_double(st, 8, in->use->labour_h);
	store_bind_real(st, 9, in->cost_vnd);
}

/* Records the end figures of a batch that has none. */
static int store_end_figures(struct store *s, const struct store_batch_row *b,
                             const struct store_end_ins *in, char *cause,
                             size_t cause_len)
{
	const struct store_write_row w = {
		.rec = STORE_REC_BATCH_END, .sql = store_sql_batch_end,
		.doing = "record the end figures", .rowid = in->id,
		.bind = store_end_bind, .arg = in,
	};
	char now[STORE_NOW_MAX], what[STORE_SUMMARY_MAX];
	struct store_audit a;

	if (store_now(s, now, cause, cause_len) < 0)
		return -1;
	snprintf(what, sizeof what, "oil %.3f kg in the receiver, steam %.1f kg",
	         in->oil_kg, in->use->steam_kg);
	if (!isnan(in->cost_vnd))
		snprintf(what + strlen(what), sizeof what - strlen(what),
		         ", cost %.0f VND", in->cost_vnd);
	a = store_audit_make(now, "batch", "end", NULL, what, "controller");
	a.batch_id = in->id;
	a.still = b->still;
	return store_write_audited(s, &w, &a, cause, cause_len);
}

/* 1 when v is a figure a batch can end with: finite and not negative
 * (nan_ok: NaN too, for a figure not known). */
static int store_end_ok(double v, int nan_ok)
{
	return (nan_ok && isnan(v)) || (isfinite(v) && v >= 0);
}

/* 1 when the end figures can be recorded. */
static int store_end_valid(const struct store_end_ins *in)
{
	const struct econ_use *u = in->use;

	return store_end_ok(in->oil_kg, 0) && store_end_ok(u->steam_kg, 0) &&
	       store_end_ok(u->cooling_m3, 0) && store_end_ok(u->running_h, 0) &&
	       store_end_ok(u->labour_h, 0) && store_end_ok(u->fuel_kg, 1) &&
	       store_end_ok(u->electricity_kwh, 1) && store_end_ok(in->cost_vnd, 1);
}

int store_batch_end(struct store *s, long batch_id, double oil_kg,
                    const struct econ_use *use, double cost_vnd,
                    char *cause, size_t cause_len)
{
	const struct store_end_ins in = {batch_id, oil_kg, use, cost_vnd};
	struct store_batch_row b;
	int rc;

	if (!store_end_valid(&in))
		return store_fail(cause, cause_len, "batch %ld: oil %g kg, steam %g kg,"
		                  " the other resources and the cost %g VND must be 0"
		                  " or more", batch_id, oil_kg, use->steam_kg, cost_vnd);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	rc = store_query_batch_row(s, batch_id, &b, cause, cause_len);
	if (rc == 0 && b.has_end && (b.oil_receiver_kg != oil_kg ||
	                             b.steam_kg != use->steam_kg))
		rc = store_fail(cause, cause_len, "batch %ld already has its end "
		                "figures (oil %.3f kg); correct the oil with a weighing",
		                batch_id, b.oil_receiver_kg);
	if (rc == 0 && !b.has_end)
		rc = store_end_figures(s, &b, &in, cause, cause_len);
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

/* A measurement row's values (store_measure_bind). */
struct store_measure_ins {
	long id;
	const struct store_measure *m;
	const char *now;
};

static void store_measure_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_measure_ins *in = arg;

	sqlite3_bind_int64(st, 1, in->id);
	store_bind_text(st, 2, in->m->quantity);
	sqlite3_bind_double(st, 3, in->m->value);
	store_bind_text(st, 4, in->m->who);
	store_bind_text(st, 5, in->m->why);
	store_bind_text(st, 6, in->now);
}

/* Inserts a measurement and its audit row "quantity: old -> new". */
static int store_measure_add(struct store *s, long id,
                             const struct store_measure *m, char *cause,
                             size_t cause_len)
{
	char now[STORE_NOW_MAX], old[64], new[64];
	const struct store_measure_ins in = {id, m, now};
	const struct store_write_row w = {
		.rec = STORE_REC_MEASURE, .sql = store_sql_measure_insert,
		.doing = "record the measurement", .bind = store_measure_bind,
		.arg = &in,
	};
	struct store_batch_row b;
	struct store_audit a;

	if (store_query_batch_row(s, id, &b, cause, cause_len) < 0 ||
	    store_measure_old(s, id, &b, m, old, sizeof old, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0)
		return -1;
	snprintf(new, sizeof new, "%.3f %s", m->value, m->unit);
	a = store_audit_make(now, "measure", m->quantity, *old ? old : NULL, new,
	                     m->who);
	a.batch_id = id;
	a.still = b.still;
	a.cause = "operator";
	a.text = store_blank(m->why) ? NULL : m->why;
	return store_write_audited(s, &w, &a, cause, cause_len);
}

/* A measurement fit to record. 0 or -1 with cause. */
static int store_measure_check(long id, const struct store_measure *m,
                               char *cause, size_t cause_len)
{
	if (!isfinite(m->value) || m->value < 0)
		return store_fail(cause, cause_len, "batch %ld: %s %g %s must be 0 or "
		                  "more", id, m->quantity, m->value, m->unit);
	if (store_blank(m->who))
		return store_fail(cause, cause_len, "batch %ld: who measured the %s?",
		                  id, m->quantity);
	return 0;
}

static int store_measure(struct store *s, long id, const struct store_measure *m,
                         char *cause, size_t cause_len)
{
	if (store_measure_check(id, m, cause, cause_len) < 0 ||
	    store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_measure_add(s, id, m, cause, cause_len), cause,
	                 cause_len);
}

/* A weighing, then the attribution of the oil to the lots. Inside the
 * transaction. A weighing below what the batch's drums hold is refused. */
static int store_weigh_write(struct store *s, long id,
                             const struct store_measure *m, char *cause,
                             size_t cause_len)
{
	char why[STORE_SUMMARY_MAX];
	struct store_batch_oil o;

	if (store_batch_oil(s, id, &o, cause, cause_len) < 0)
		return -1;
	if (m->value < o.in_drums_kg - STORE_KG_EPS)
		return store_fail(cause, cause_len, "batch %ld: its drums hold %.3f kg "
		                  "of its oil; a weighing of %.3f kg is less", id,
		                  o.in_drums_kg, m->value);
	if (store_measure_add(s, id, m, cause, cause_len) < 0)
		return -1;
	snprintf(why, sizeof why, "%s%s", isnan(o.weighed_kg) ? "weighing" :
	         "weighing corrected: ", isnan(o.weighed_kg) ? "" : m->why);
	return store_attr_write(s, id, why, m->who, cause, cause_len);
}

int store_batch_weigh(struct store *s, long batch_id, double oil_kg,
                      const char *who, const char *why, char *cause,
                      size_t cause_len)
{
	struct store_measure m = {"oil_kg", "kg", oil_kg, who, why};

	if (store_measure_check(batch_id, &m, cause, cause_len) < 0 ||
	    store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_weigh_write(s, batch_id, &m, cause, cause_len),
	                 cause, cause_len);
}

int store_batch_hydrosol(struct store *s, long batch_id, double hydrosol_l,
                         const char *who, const char *why, char *cause,
                         size_t cause_len)
{
	struct store_measure m = {"hydrosol_l", "L", hydrosol_l, who, why};

	return store_measure(s, batch_id, &m, cause, cause_len);
}
