/* store_fx: the fixtures test_store and test_store_audit share. See store_fx.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fx.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

void t_plant(struct cfg_plant *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->site, sizeof p->site, "Tra Bong");
	p->n_stills = 2;
	for (int i = 0; i < 2; i++) {
		snprintf(p->stills[i].name, sizeof p->stills[i].name, "still%d", i + 1);
		p->stills[i].unit_id = i + 1;
		p->stills[i].transport = CFG_TCP;
		snprintf(p->stills[i].host, sizeof p->stills[i].host, "127.0.0.1");
		p->stills[i].port = 1502;
		p->stills[i].period_ms = 200;
	}
}

int t_setup(void **state)
{
	struct t_env *e = calloc(1, sizeof *e);
	struct cfg_plant *p = malloc(sizeof *p);

	snprintf(e->dir, sizeof e->dir, "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof e->path, "%s/sr.db", e->dir);
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	assert_non_null(e->s);
	t_plant(p);
	assert_int_equal(store_sync_plant(e->s, p, e->cause, sizeof e->cause), 0);
	free(p);
	*state = e;
	return 0;
}

int t_teardown(void **state)
{
	struct t_env *e = *state;
	char cmd[160];

	store_close(e->s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		return -1;
	free(e);
	return 0;
}

void t_lot(struct t_env *e, const char *id, const char *feedstock,
           const char *grower, const char *mass, const char *moisture)
{
	struct store_lot l;

	store_lot_init(&l);
	assert_int_equal(store_lot_set(&l, "id", id, e->cause, sizeof e->cause), 0);
	assert_int_equal(store_lot_set(&l, "feedstock", feedstock, e->cause,
	                               sizeof e->cause), 0);
	assert_int_equal(store_lot_set(&l, "grower", grower, e->cause,
	                               sizeof e->cause), 0);
	assert_int_equal(store_lot_set(&l, "mass", mass, e->cause, sizeof e->cause), 0);
	if (moisture)
		assert_int_equal(store_lot_set(&l, "moisture", moisture, e->cause,
		                               sizeof e->cause), 0);
	assert_int_equal(store_lot_set(&l, "harvested", "2025-02-20", e->cause,
	                               sizeof e->cause), 0);
	if (store_lot_add(e->s, &l, "Lan", e->cause, sizeof e->cause) != 0)
		fail_msg("lot add: %s", e->cause);
}

struct store_batch_start t_start(const char *lot, double charge_kg)
{
	struct store_batch_start b = {
		.still = "still1", .recipe_name = "cassia-leaf", .recipe_version = 3,
		.recipe_text = T_RECIPE, .feedstock = "cassia-leaf", .lot_id = lot,
		.charge_kg = charge_kg, .operator_name = "Lan", .t_process_s = 10,
	};
	return b;
}

long t_batch(struct t_env *e, const char *lot, double charge_kg)
{
	struct store_batch_start b = t_start(lot, charge_kg);
	long id = store_batch_begin(e->s, &b, e->cause, sizeof e->cause);

	if (id <= 0)
		fail_msg("batch begin: %s", e->cause);
	return id;
}

void t_event(struct t_env *e, long batch, const char *kind,
             const char *what, const char *old, const char *new,
             const char *who)
{
	struct store_event ev = {
		.batch_id = batch, .still = "still1", .kind = kind, .what = what,
		.old_value = old, .new_value = new, .who = who, .cause = "operator",
		.text = "because", .t_process_s = 42.5,
	};

	if (store_events(e->s, &ev, 1, e->cause, sizeof e->cause) != 0)
		fail_msg("events: %s", e->cause);
}

void t_finish(struct t_env *e, long id, double oil_kg)
{
	t_event(e, id, "state", "state", "running", "complete", "controller");
	const struct econ_use use = {.steam_kg = 800, .fuel_kg = NAN,
	                             .electricity_kwh = NAN};

	assert_int_equal(store_batch_end(e->s, id, oil_kg, &use, NAN, e->cause,
	                                 sizeof e->cause), 0);
}

int t_raw(struct t_env *e, const char *sql)
{
	sqlite3 *db;
	int rc;

	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

long long t_int(struct t_env *e, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	/* a writer in another process (test_store_hist's child) may hold the
	 * schema's lock for a moment */
	sqlite3_busy_timeout(db, 10000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

int t_verify(struct t_env *e)
{
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	store_close(e->s);
	e->s = store_open(e->path, STORE_RO, e->cause, sizeof e->cause);
	assert_non_null(e->s);
	e->cause[0] = '\0';
	rc = store_audit_verify(e->s, devnull, e->cause, sizeof e->cause);
	fclose(devnull);
	return rc;
}

void t_assert_contains(const char *text, const char *want)
{
	if (!text || !strstr(text, want))
		fail_msg("'%s' does not contain '%s'", text ? text : "(null)", want);
}

long t_history(struct t_env *e)
{
	long id;

	t_lot(e, "L1", "cassia-leaf", "Nguyen Van A", "800", "14");
	id = t_batch(e, "L1", 500);
	assert_int_equal(store_batch_step(e->s, id, 0, "purge", 11, e->cause,
	                                  sizeof e->cause), 0);
	t_event(e, id, "command", "setpoint", "5", "6", "Lan");
	t_event(e, id, "alarm", "pressure_h", "normal", "unack", "controller");
	t_event(e, id, "alarm", "pressure_h", "unack", "acked", "Lan");
	t_finish(e, id, 3.5);
	return id;
}

/* The documented row hash (docs/RECORDS.md): sha256 of the previous hash
 * then every field as "len:bytes;" or "-;" for NULL. Written here again,
 * independently, so that a change of format (which would break every old
 * chain) fails the tests. */
static void t_hash_field(struct sha256 *h, const char *v)
{
	char len[24];

	if (!v) {
		sha256_update(h, "-;", 2);
		return;
	}
	snprintf(len, sizeof len, "%zu:", strlen(v));
	sha256_update(h, len, strlen(len));
	sha256_update(h, v, strlen(v));
	sha256_update(h, ";", 1);
}

void t_row_hash(const char *prev, const char *const field[14],
                char hex[65])
{
	struct sha256 h;
	uint8_t d[SHA256_DIGEST_LEN];

	sha256_init(&h);
	sha256_update(&h, prev, strlen(prev));
	for (int i = 0; i < 14; i++)
		t_hash_field(&h, field[i]);
	sha256_final(&h, d);
	sha256_to_hex(d, hex);
}

void t_raw_event(sqlite3 *db, const char *prev,
                 const char *const f[14], char hash[65])
{
	sqlite3_stmt *st;

	t_row_hash(prev, f, hash);
	assert_int_equal(sqlite3_prepare_v2(db,
		"INSERT INTO events (id, at, t_process_s, batch_id, still, kind,"
		" what, old_value, new_value, who, cause, text, record_ref, record,"
		" prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13, ?14, ?15, ?16)", -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < 14; i++)
		if (f[i])
			sqlite3_bind_text(st, i + 1, f[i], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, hash, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* Hashes every row of table (its rows in rowid order, each value as its
 * quoted SQL text) into h. */
static void t_digest_table(sqlite3 *db, const char *table, struct sha256 *h)
{
	char sql[160];
	sqlite3_stmt *st;

	snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", table);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sha256_update(h, table, strlen(table) + 1);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			if (v)
				sha256_update(h, v, strlen((const char *)v));
			sha256_update(h, v ? "\x1f" : "\x1e", 1);
		}
	sqlite3_finalize(st);
}

void t_digest(struct t_env *e, char hex[65])
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct sha256 h;
	uint8_t d[SHA256_DIGEST_LEN];

	sha256_init(&h);
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master"
		" WHERE type = 'table' ORDER BY name", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		t_digest_table(db, (const char *)sqlite3_column_text(st, 0), &h);
	sqlite3_finalize(st);
	sqlite3_close(db);
	sha256_final(&h, d);
	sha256_to_hex(d, hex);
}

void t_refused(struct t_env *e, int rc, const char *before, const char *want)
{
	char after[65];

	if (rc != -1)
		fail_msg("not refused (rc %d); wanted '%s'", rc, want);
	t_assert_contains(e->cause, want);
	t_digest(e, after);
	if (strcmp(before, after) != 0)
		fail_msg("refused ('%s') but the database changed", e->cause);
}

void t_load_sql(struct t_env *e, const char *path)
{
	char *sql;
	size_t len;
	FILE *f = fopen(path, "r");
	sqlite3 *db;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = (size_t)ftell(f);
	rewind(f);
	sql = calloc(1, len + 1);
	assert_non_null(sql);
	assert_int_equal(fread(sql, 1, len, f), len);
	fclose(f);
	store_close(e->s);
	e->s = NULL;
	unlink(e->path);
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);
}
