/*
 * store_fx: the fixtures shared by test_store and test_store_audit: a
 * fresh database per test, helpers that write lots, batches and events
 * through the store (failing the test on any refusal), raw SQL beside it,
 * and the documented row hash (docs/RECORDS.md) written again
 * independently. The helpers keep the t_ prefix the tests use.
 */
#ifndef STORE_FX_H
#define STORE_FX_H

#include <sqlite3.h>

#include "store_write.h"

/* The recipe text every batch of t_start runs (cassia-leaf version 3). */
#define T_RECIPE "name: cassia-leaf\nversion: 3\nsteps: []\n"

/* One test's database: dir (a fresh temporary directory), path (the
 * database in it), s (the read-write connection, or NULL while a test has
 * it closed) and cause (the last refusal's sentence). */
struct t_env {
	char dir[64];
	char path[128];
	struct store *s;
	char cause[STORE_CAUSE_MAX];
};

/* Fills *p with site "Tra Bong" and two stills, still1 and still2 (units 1
 * and 2, tcp 127.0.0.1:1502, period 200 ms). */
void t_plant(struct cfg_plant *p);

/* cmocka setup: *state becomes a struct t_env with a new database opened
 * read-write and t_plant synced into it (three audit rows). Returns 0. */
int t_setup(void **state);

/* cmocka teardown: closes the connection (if open), removes the directory
 * and frees the t_env. Returns 0, or -1 when the removal failed. */
int t_teardown(void **state);

/* Receives lot id (harvested 2025-02-20, by Lan); mass and moisture are as
 * typed (moisture may be NULL). Fails the test when refused. */
void t_lot(struct t_env *e, const char *id, const char *feedstock,
           const char *grower, const char *mass, const char *moisture);

/* A batch start on still1 of T_RECIPE by Lan, drawing charge_kg from lot
 * (or set lots yourself with lot NULL). */
struct store_batch_start t_start(const char *lot, double charge_kg);

/* Begins t_start(lot, charge_kg); returns the batch id. Fails the test
 * when refused. */
long t_batch(struct t_env *e, const char *lot, double charge_kg);

/* Writes one event of batch (0 for none) on still1: kind, what, old -> new
 * by who (cause "operator", text "because"). Fails the test when refused. */
void t_event(struct t_env *e, long batch, const char *kind,
             const char *what, const char *old, const char *new,
             const char *who);

/* Ends batch id as complete (its state event, then the end figures) with
 * oil_kg in the receiver and 800 kg of steam. */
void t_finish(struct t_env *e, long id, double oil_kg);

/* Runs sql on a raw connection to the test database (no triggers in the
 * way unless they are still there). Returns sqlite's result code. */
int t_raw(struct t_env *e, const char *sql);

/* The first column of the first row of sql, as an integer (-1 without a
 * row), read on a raw connection. */
long long t_int(struct t_env *e, const char *sql);

/* Reopens the database read-only and returns store_audit_verify's verdict
 * (0 intact); e->cause is emptied, then gets the fault's line. e->s stays
 * the read-only connection. */
int t_verify(struct t_env *e);

/* Fails the test unless text (which may be NULL) contains want. */
void t_assert_contains(const char *text, const char *want);

/* A batch with plenty of rows: lot L1 (800 kg, 14 %), 500 kg of it charged,
 * step purge, a setpoint command, alarm pressure_h raised and acked, ended
 * complete with 3.5 kg. Returns the batch id. The audit tests name rows by
 * their id, so the order of the writes is part of this contract. */
long t_history(struct t_env *e);

/* The documented hash of an events row (docs/RECORDS.md) into hex: the
 * previous row's hash prev, then the 14 fields in the column order of
 * t_raw_event (NULL for a NULL column). */
void t_row_hash(const char *prev, const char *const field[14], char hex[65]);

/* Inserts an events row with raw SQL, hashed the documented way, linked to
 * prev; hash gets its hash. f: id, at, t_process_s, batch_id, still, kind,
 * what, old, new, who, cause, text, record_ref, record. */
void t_raw_event(sqlite3 *db, const char *prev, const char *const f[14],
                 char hash[65]);

/* Replaces the test's database with one made from the SQL text in file
 * path (a dump such as tests/data/records/store-v3.sql); e->s is closed
 * and left NULL. */
void t_load_sql(struct t_env *e, const char *path);

/* A digest of every row of every table of the test database (read on a
 * raw connection): equal digests, equal databases. */
void t_digest(struct t_env *e, char hex[65]);

/* Asserts a refusal: rc is -1, e->cause contains want, and the database's
 * digest is still before (t_digest taken before the call). */
void t_refused(struct t_env *e, int rc, const char *before, const char *want);

#endif
