/*
 * test_store: the batch record in SQLite: schema and migrations (an old
 * version-1 database upgrades), lots and draws, batches, yields as charged
 * and on a dry basis, QA and release, alarms and prompts, restore, samples,
 * the batch as JSON, and crash safety (a writer killed with SIGKILL,
 * repeatedly, loses nothing it acknowledged; a full disk). The audit trail
 * under attack is test_store_audit; the fixtures are store_fx.h.
 * links: records/store.c records/store_hist.c records/store_histvt.c records/store_schema.c records/store_audit.c records/store_field.c records/store_query.c records/store_write.c records/store_batch.c records/store_qa.c records/store_alarm.c records/store_quar.c records/store_drum.c records/store_attr.c config/alloc.c records/store_backup.c common/sha256.c common/num.c tests/unit/store_fx.c records/store_lotfix.c records/store_trace.c common/clk.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_fx.h"

/* ---------------------------------------------------------------- */
/* Schema                                                             */

static void test_schema_created(void **state)
{
	struct t_env *e = *state;

	assert_int_equal(t_int(e, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(t_int(e, "SELECT count(*) FROM sqlite_master WHERE"
	                          " type = 'table' AND name IN ('sites', 'stills',"
	                          " 'lots', 'recipes', 'batches', 'batch_lots',"
	                          " 'batch_steps', 'events', 'hist_raw', 'alarms',"
	                          " 'prompts', 'measurements', 'qa_results',"
	                          " 'qa_decisions', 'hist_blocks')"), 15);
	assert_int_equal(t_int(e, "SELECT count(*) FROM stills"), 2);
	/* created + two stills */
	assert_int_equal(t_int(e, "SELECT count(*) FROM events"), 3);
	assert_int_equal(t_int(e, "SELECT count(*) FROM pragma_journal_mode"
	                          " WHERE journal_mode = 'wal'"), 1);
	assert_int_equal(t_verify(e), 0);
}

static void test_sync_plant_idempotent(void **state)
{
	struct t_env *e = *state;
	struct cfg_plant *p = malloc(sizeof *p);

	t_plant(p);
	assert_int_equal(store_sync_plant(e->s, p, e->cause, sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events"), 3);
	p->stills[1].port = 1503;
	assert_int_equal(store_sync_plant(e->s, p, e->cause, sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'plant'"
	                          " AND old_value IS NOT NULL"), 1);
	free(p);
}

static void test_open_read_only(void **state)
{
	struct t_env *e = *state;
	struct store *ro;
	struct store_lot l;
	char cause[STORE_CAUSE_MAX];

	ro = store_open("/nonexistent/sr.db", STORE_RO, cause, sizeof cause);
	assert_null(ro);
	t_assert_contains(cause, "no database at /nonexistent/sr.db");
	ro = store_open(e->path, STORE_RO, cause, sizeof cause);
	assert_non_null(ro);
	store_lot_init(&l);
	store_lot_set(&l, "id", "X", cause, sizeof cause);
	store_lot_set(&l, "feedstock", "star-anise", cause, sizeof cause);
	store_lot_set(&l, "grower", "B", cause, sizeof cause);
	store_lot_set(&l, "mass", "10", cause, sizeof cause);
	assert_int_equal(store_lot_add(ro, &l, "Lan", cause, sizeof cause), -1);
	t_assert_contains(cause, "read-only");
	store_close(ro);
	assert_int_equal(t_int(e, "SELECT count(*) FROM lots"), 0);
}

/* Version 1 as release 1 created it: frozen, never edit (old databases on
 * disk look like this). */
static const char t_schema_v1[] =
	"CREATE TABLE sites (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);"
	"CREATE TABLE stills (name TEXT PRIMARY KEY,"
	" site TEXT NOT NULL REFERENCES sites(name), unit_id INTEGER NOT NULL,"
	" endpoint TEXT NOT NULL, period_ms INTEGER NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE lots (lot_id TEXT PRIMARY KEY, feedstock TEXT NOT NULL,"
	" grower TEXT NOT NULL, cooperative TEXT, origin TEXT, harvested TEXT,"
	" drying_days INTEGER, moisture_pct REAL,"
	" mass_received_kg REAL NOT NULL CHECK (mass_received_kg > 0),"
	" mass_remaining_kg REAL NOT NULL CHECK (mass_remaining_kg >= 0),"
	" received_by TEXT NOT NULL, received_at TEXT NOT NULL,"
	" event_id INTEGER);"
	"CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" version INTEGER NOT NULL, sha256 TEXT NOT NULL, text TEXT NOT NULL,"
	" first_run_at TEXT NOT NULL, UNIQUE (name, version, sha256));"
	"CREATE TABLE batches (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" still TEXT NOT NULL REFERENCES stills(name),"
	" recipe_id INTEGER NOT NULL REFERENCES recipes(id),"
	" feedstock TEXT NOT NULL, charge_kg REAL NOT NULL CHECK (charge_kg > 0),"
	" operator TEXT NOT NULL, state TEXT NOT NULL, started_at TEXT NOT NULL,"
	" started_t_s REAL, ended_at TEXT, ended_t_s REAL, oil_receiver_kg REAL,"
	" steam_kg REAL, event_id INTEGER, end_event_id INTEGER);"
	"CREATE TABLE batch_lots (batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" lot_id TEXT NOT NULL REFERENCES lots(lot_id),"
	" mass_kg REAL NOT NULL CHECK (mass_kg > 0), PRIMARY KEY (batch_id, lot_id));"
	"CREATE TABLE batch_steps (id INTEGER PRIMARY KEY,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id), step INTEGER NOT NULL,"
	" name TEXT NOT NULL, at TEXT NOT NULL, t_process_s REAL);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at TEXT NOT NULL, t_process_s REAL, batch_id INTEGER, still TEXT,"
	" kind TEXT NOT NULL, what TEXT, old_value TEXT, new_value TEXT, who TEXT,"
	" cause TEXT, text TEXT, record_ref TEXT, record TEXT,"
	" prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX events_batch ON events (batch_id, id);"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TABLE samples (id INTEGER PRIMARY KEY, batch_id INTEGER,"
	" still TEXT NOT NULL, t_process_s REAL NOT NULL, wall_s REAL NOT NULL,"
	" still_temp REAL, vapour_temp REAL, pressure REAL, distillate_temp REAL,"
	" cooling_flow REAL, steam_flow REAL, oil REAL, charge REAL,"
	" steam_valve REAL, cooling_valve REAL, status REAL, steam_cmd REAL,"
	" cooling_cmd REAL, heartbeat REAL, quality TEXT NOT NULL);"
	"CREATE INDEX samples_batch ON samples (batch_id, t_process_s);"
	"CREATE INDEX samples_still ON samples (still, wall_s);"
	"PRAGMA user_version = 1;";

/* A version-1 database with a still and a lot received, each audited. */
static void t_make_v1(const char *path)
{
	static const char zero[] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	const char *plant[14] = {
		"1", "2024-11-02T07:00:00.000Z", NULL, NULL, "still1", "plant",
		"still1", NULL, "Tra Bong, unit 1, tcp 127.0.0.1:1502, period 200 ms",
		"stillroomd", NULL, "still added from the plant configuration",
		NULL, NULL,
	};
	const char *lot[14] = {
		"2", "2024-11-02T07:05:00.000Z", NULL, NULL, NULL, "lot", "OLD-1",
		NULL, "received 300.000 kg of cassia-leaf from Tran Thi B", "Minh",
		"operator", NULL, "lots",
		"{\"lot_id\":\"OLD-1\",\"feedstock\":\"cassia-leaf\","
		"\"grower\":\"Tran Thi B\",\"cooperative\":\"Tra Bong coop\","
		"\"origin\":null,\"harvested\":\"2024-10-20\",\"drying_days\":5,"
		"\"moisture_pct\":12.5,\"mass_received_kg\":300.0,"
		"\"received_by\":\"Minh\",\"received_at\":\"2024-11-02T07:05:00.000Z\"}",
	};
	char h1[65], h2[65];
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, t_schema_v1, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"INSERT INTO sites VALUES ('Tra Bong', '2024-11-02T07:00:00.000Z');"
		"INSERT INTO stills VALUES ('still1', 'Tra Bong', 1,"
		" 'tcp 127.0.0.1:1502', 200, '2024-11-02T07:00:00.000Z');"
		"INSERT INTO lots VALUES ('OLD-1', 'cassia-leaf', 'Tran Thi B',"
		" 'Tra Bong coop', NULL, '2024-10-20', 5, 12.5, 300, 300, 'Minh',"
		" '2024-11-02T07:05:00.000Z', 2);", NULL, NULL, NULL), SQLITE_OK);
	t_raw_event(db, zero, plant, h1);
	t_raw_event(db, h1, lot, h2);
	sqlite3_close(db);
}

static void test_migrate_v1(void **state)
{
	struct t_env *e = *state;
	struct store_lot l;
	long id;

	store_close(e->s);
	unlink(e->path);
	t_make_v1(e->path);
	/* the old database verifies with the old rows (and the reader refuses
	 * an old schema rather than misread it) */
	assert_null(store_open(e->path, STORE_RO, e->cause, sizeof e->cause));
	t_assert_contains(e->cause, "has schema 1; start stillroomd");
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	if (!e->s)
		fail_msg("upgrade: %s", e->cause);
	assert_int_equal(t_int(e, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'schema'"
	                          " AND old_value = '1' AND new_value = '6'"), 1);
	assert_int_equal(store_lot_get(e->s, "OLD-1", &l, e->cause, sizeof e->cause), 0);
	assert_string_equal(l.grower, "Tran Thi B");
	assert_true(fabs(l.moisture_pct - 12.5) < 1e-9);
	/* the new tables work on old rows: a batch from the old lot, weighed */
	id = t_batch(e, "OLD-1", 250);
	t_finish(e, id, 2.0);
	assert_int_equal(store_batch_weigh(e->s, id, 1.9, "Hoa", NULL, e->cause,
	                                   sizeof e->cause), 0);
	if (t_verify(e) != 0)
		fail_msg("verify after upgrade: %s", e->cause);
	/* upgrading twice does nothing */
	store_close(e->s);
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'schema'"), 1);
}

static void test_newer_schema_refused(void **state)
{
	struct t_env *e = *state;

	store_close(e->s);
	e->s = NULL;
	assert_int_equal(t_raw(e, "PRAGMA user_version = 99"), SQLITE_OK);
	assert_null(store_open(e->path, STORE_RW, e->cause, sizeof e->cause));
	t_assert_contains(e->cause, "schema 99, newer than");
}

/* ---------------------------------------------------------------- */
/* Lots                                                               */

static void test_lot_set_errors(void **state)
{
	struct t_env *e = *state;
	struct store_lot l;

	store_lot_init(&l);
	assert_int_equal(store_lot_set(&l, "mass", "abc", e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "mass: 'abc' is not a number (0 to 1000000 kg)");
	assert_int_equal(store_lot_set(&l, "mass", "-5", e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "mass: -5 is out of range (0 to 1000000 kg)");
	assert_int_equal(store_lot_set(&l, "mass", "12kg", e->cause, sizeof e->cause), -1);
	/* what strtod took but people do not mean (num.h) */
	assert_int_equal(store_lot_set(&l, "mass", "0x10", e->cause, sizeof e->cause), -1);
	assert_int_equal(store_lot_set(&l, "mass", " 5", e->cause, sizeof e->cause), -1);
	assert_int_equal(store_lot_set(&l, "moisture", "1e1", e->cause, sizeof e->cause), 0);
	assert_int_equal(store_lot_set(&l, "moisture", "120", e->cause,
	                               sizeof e->cause), -1);
	t_assert_contains(e->cause, "out of range (0 to 99.9 %)");
	assert_int_equal(store_lot_set(&l, "harvested", "2025-02-30", e->cause,
	                               sizeof e->cause), -1);
	t_assert_contains(e->cause, "is not a date");
	assert_int_equal(store_lot_set(&l, "drying_days", "2.5", e->cause,
	                               sizeof e->cause), -1);
	assert_int_equal(store_lot_set(&l, "colour", "red", e->cause,
	                               sizeof e->cause), -1);
	assert_string_equal(e->cause, "unknown field 'colour'");
	assert_int_equal(store_lot_set(&l, "grower", "a\nb", e->cause,
	                               sizeof e->cause), -1);
	assert_int_equal(store_lot_set(&l, "mass", "12.5", e->cause, sizeof e->cause), 0);
	assert_true(l.mass_received_kg == 12.5);
	assert_int_equal(store_lot_set(&l, "harvested", "2024-02-29", e->cause,
	                               sizeof e->cause), 0);
}

static void test_lot_add_get(void **state)
{
	struct t_env *e = *state;
	struct store_lot l;

	t_lot(e, "L1", "cassia-leaf", "Nguyen Van A", "800", "14");
	assert_int_equal(store_lot_get(e->s, "L1", &l, e->cause, sizeof e->cause), 0);
	assert_string_equal(l.feedstock, "cassia-leaf");
	assert_true(l.mass_received_kg == 800 && l.mass_remaining_kg == 800);
	assert_int_equal(l.drying_days, -1);
	assert_int_equal(store_lot_get(e->s, "L9", &l, e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "no lot named L9");
	/* duplicate and zero mass: refused, nothing written */
	store_lot_init(&l);
	snprintf(l.lot_id, sizeof l.lot_id, "L1");
	snprintf(l.feedstock, sizeof l.feedstock, "cassia-leaf");
	snprintf(l.grower, sizeof l.grower, "X");
	l.mass_received_kg = 5;
	assert_int_equal(store_lot_add(e->s, &l, "Lan", e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "lot L1 already exists");
	snprintf(l.lot_id, sizeof l.lot_id, "L2");
	l.mass_received_kg = 0;
	assert_int_equal(store_lot_add(e->s, &l, "Lan", e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "must be more than 0");
	assert_int_equal(t_int(e, "SELECT count(*) FROM lots"), 1);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'lot'"), 1);
}

/* ---------------------------------------------------------------- */
/* Batches                                                            */

static void test_batch_begin_draws(void **state)
{
	struct t_env *e = *state;
	struct store_lot l;
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", "14");
	id = t_batch(e, "L1", 500);
	assert_true(id > 0);
	store_lot_get(e->s, "L1", &l, e->cause, sizeof e->cause);
	assert_true(fabs(l.mass_remaining_kg - 300) < 1e-9);
	assert_int_equal(t_int(e, "SELECT count(*) FROM recipes"), 1);
	/* the same recipe again is stored once */
	assert_int_equal(t_batch(e, "L1", 100), id + 1);
	assert_int_equal(t_int(e, "SELECT count(*) FROM recipes"), 1);
	assert_int_equal(t_int(e, "SELECT count(*) FROM batches WHERE state = 'running'"), 2);
}

static void test_batch_begin_refusals(void **state)
{
	struct t_env *e = *state;
	struct store_batch_start b;
	long long events;

	t_lot(e, "L1", "cassia-leaf", "A", "300", NULL);
	t_lot(e, "S1", "star-anise", "B", "300", NULL);
	events = t_int(e, "SELECT count(*) FROM events");
	b = t_start("L1", 500);
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "lot L1 has 300.000 kg left; cannot draw 500.000 kg");
	b = t_start("S1", 100);
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "lot S1 is star-anise, not cassia-leaf");
	b = t_start("NOPE", 100);
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "no lot named NOPE");
	b = t_start("L1", 100);
	b.still = "still9";
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "no still named still9");
	b = t_start("L1", -4);
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	b = t_start("L1", 100);
	b.recipe_sha256 = "00";
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "sha256 given does not match");
	/* nothing was written by any of them */
	assert_int_equal(t_int(e, "SELECT count(*) FROM batches"), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM recipes"), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events"), events);
	assert_int_equal(t_int(e, "SELECT count(*) FROM lots WHERE"
	                          " mass_remaining_kg = 300"), 2);
}

static void test_batch_several_lots(void **state)
{
	struct t_env *e = *state;
	struct store_lot_draw d[2] = {{"L1", 300}, {"L2", 200}};
	struct store_batch_start b = t_start(NULL, 0);
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "300", "12");
	t_lot(e, "L2", "cassia-leaf", "B", "400", "15");
	b.lots = d;
	b.n_lots = 2;
	id = store_batch_begin(e->s, &b, e->cause, sizeof e->cause);
	assert_true(id > 0);
	assert_int_equal(t_int(e, "SELECT round(charge_kg) FROM batches"), 500);
	assert_int_equal(t_int(e, "SELECT round(mass_remaining_kg) FROM lots"
	                          " WHERE lot_id = 'L2'"), 200);
	/* a charge that is not the sum is refused */
	d[1].mass_kg = 100;
	b.charge_kg = 500;
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "not the sum");
	/* listing a lot twice is refused */
	d[1].lot_id = "L1";
	b.charge_kg = 0;
	assert_int_equal(store_batch_begin(e->s, &b, e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "listed twice");
}

static void test_batch_state_steps_active(void **state)
{
	struct t_env *e = *state;
	struct store_active act[4];
	long a, b;

	t_lot(e, "L1", "cassia-leaf", "A", "900", NULL);
	a = t_batch(e, "L1", 400);
	b = t_batch(e, "L1", 400);
	assert_int_equal(store_batch_step(e->s, a, 0, "purge", 1, e->cause,
	                                  sizeof e->cause), 0);
	assert_int_equal(store_batch_step(e->s, a, 1, "heat-up", 2, e->cause,
	                                  sizeof e->cause), 0);
	/* a repeated step (a retried write) is not a new timeline row */
	assert_int_equal(store_batch_step(e->s, a, 1, "heat-up", 2, e->cause,
	                                  sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM batch_steps"), 2);
	/* a state event moves the batch; the call after it is a no-op */
	t_event(e, a, "state", "state", "running", "held", "controller");
	assert_int_equal(t_int(e, "SELECT count(*) FROM batches WHERE state = 'held'"), 1);
	assert_int_equal(store_batch_state(e->s, a, "held", 0, e->cause,
	                                   sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'state'"), 1);
	/* without its event, the call audits the change itself */
	assert_int_equal(store_batch_state(e->s, b, "complete", 1, e->cause,
	                                   sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'state'"), 2);
	assert_int_equal(t_int(e, "SELECT ended_at IS NOT NULL FROM batches"
	                          " WHERE state = 'complete'"), 1);
	assert_int_equal(store_batch_state(e->s, 99, "held", 0, e->cause,
	                                   sizeof e->cause), -1);
	assert_string_equal(e->cause, "no batch 99");
	assert_int_equal(store_batches_active(e->s, act, 4, e->cause,
	                                      sizeof e->cause), 1);
	assert_int_equal(act[0].batch_id, a);
	assert_string_equal(act[0].state, "held");
	assert_int_equal(act[0].step, 1);
	assert_string_equal(act[0].step_name, "heat-up");
	assert_string_equal(act[0].recipe, "cassia-leaf");
	assert_string_equal(act[0].operator_name, "Lan");
	{
		char *text = store_recipe_text(e->s, act[0].recipe_sha256, e->cause,
		                               sizeof e->cause);

		assert_non_null(text);
		assert_string_equal(text, T_RECIPE);
		free(text);
	}
	assert_int_equal(t_verify(e), 0);
}

static void test_batch_end_and_weigh(void **state)
{
	struct t_env *e = *state;
	const struct econ_use use = {.steam_kg = 800, .fuel_kg = NAN,
	                             .electricity_kwh = NAN};
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L1", 500);
	t_finish(e, id, 3.5);
	/* the same figures again (a retry) are fine, others are not */
	assert_int_equal(store_batch_end(e->s, id, 3.5, &use, NAN, e->cause, sizeof e->cause), 0);
	assert_int_equal(store_batch_end(e->s, id, 3.9, &use, NAN, e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "already has its end figures");
	assert_int_equal(store_batch_end(e->s, 77, 1, &use, NAN, e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "no batch 77");
	assert_int_equal(store_batch_weigh(e->s, id, 3.45, "Minh", NULL, e->cause,
	                                   sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'measure'"
	                          " AND old_value = '3.500 kg' AND new_value = '3.450 kg'"
	                          " AND who = 'Minh'"), 1);
	/* a correction needs a reason; then it is old -> new, never an edit */
	assert_int_equal(store_batch_weigh(e->s, id, 3.40, "Minh", NULL, e->cause,
	                                   sizeof e->cause), -1);
	t_assert_contains(e->cause, "needs a reason");
	assert_int_equal(store_batch_weigh(e->s, id, 3.40, "Hoa", "scale recalibrated",
	                                   e->cause, sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM measurements"), 2);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'measure'"
	                          " AND old_value = '3.450 kg' AND new_value = '3.400 kg'"
	                          " AND text = 'scale recalibrated'"), 1);
	assert_int_equal(store_batch_weigh(e->s, id, -1, "Hoa", "x", e->cause,
	                                   sizeof e->cause), -1);
	assert_int_equal(store_batch_hydrosol(e->s, id, 120, "Hoa", NULL, e->cause,
	                                      sizeof e->cause), 0);
	/* the append-only rows cannot be changed through SQLite either */
	assert_int_not_equal(t_raw(e, "UPDATE measurements SET value = 9"), SQLITE_OK);
	assert_int_not_equal(t_raw(e, "DELETE FROM events"), SQLITE_OK);
	assert_int_equal(t_verify(e), 0);
}

/* ---------------------------------------------------------------- */
/* Yields                                                             */

struct t_yield {
	double yield_pct, yield_dry_pct, oil_kg;
	int rows;
};

static int t_yield_row(void *ctx, const struct store_cell *c, int n)
{
	struct t_yield *y = ctx;

	y->rows++;
	for (int i = 0; i < n; i++) {
		if (strcmp(c[i].name, "yield_pct") == 0)
			y->yield_pct = c[i].is_num ? c[i].num : NAN;
		if (strcmp(c[i].name, "yield_dry_pct") == 0)
			y->yield_dry_pct = c[i].is_num ? c[i].num : NAN;
		if (strcmp(c[i].name, "oil_kg") == 0)
			y->oil_kg = c[i].is_num ? c[i].num : NAN;
	}
	return 0;
}

static struct t_yield t_yields_of(struct t_env *e, long id)
{
	struct store_filter f = {.batch_id = id};
	struct t_yield y = {NAN, NAN, NAN, 0};

	assert_int_equal(store_query_rows(e->s, STORE_Q_BATCHES, &f, t_yield_row,
	                                  &y, e->cause, sizeof e->cause), 1);
	return y;
}

static void test_yield_functions(void **state)
{
	(void)state;
	assert_true(fabs(store_yield_pct(3.5, 500) - 0.7) < 1e-12);
	assert_true(fabs(store_yield_dry_pct(3.5, 500, 12) - 100 * 3.5 / 440) < 1e-12);
	assert_true(isnan(store_yield_pct(1, 0)));
	assert_true(isnan(store_yield_dry_pct(1, 500, -1)));
	assert_true(isnan(store_yield_dry_pct(1, 500, 100)));
}

static void test_yield_arithmetic(void **state)
{
	struct t_env *e = *state;
	struct store_lot_draw d[2] = {{"L1", 300}, {"L2", 200}};
	struct store_batch_start b = t_start(NULL, 500);
	struct t_yield y;
	long id, id2;

	t_lot(e, "L1", "cassia-leaf", "A", "300", "12");
	t_lot(e, "L2", "cassia-leaf", "B", "400", "15");
	t_lot(e, "L3", "cassia-leaf", "C", "400", NULL);
	b.lots = d;
	b.n_lots = 2;
	id = store_batch_begin(e->s, &b, e->cause, sizeof e->cause);
	assert_true(id > 0);
	y = t_yields_of(e, id);
	assert_true(isnan(y.yield_pct));         /* no oil yet */
	t_finish(e, id, 3.5);
	y = t_yields_of(e, id);
	/* as charged: 3.5 / 500; dry: 3.5 / (300 * 0.88 + 200 * 0.85) */
	assert_true(fabs(y.yield_pct - 0.7) < 1e-4);
	assert_true(fabs(y.yield_dry_pct - 100 * 3.5 / 434.0) < 1e-4);
	/* the weighed oil replaces the receiver's figure */
	assert_int_equal(store_batch_weigh(e->s, id, 3.2, "Minh", NULL, e->cause,
	                                   sizeof e->cause), 0);
	y = t_yields_of(e, id);
	assert_true(fabs(y.oil_kg - 3.2) < 1e-9);
	assert_true(fabs(y.yield_pct - 0.64) < 1e-4);
	assert_true(fabs(y.yield_dry_pct - 100 * 3.2 / 434.0) < 1e-4);
	/* unknown moisture: no dry-basis figure */
	id2 = t_batch(e, "L3", 400);
	t_finish(e, id2, 2.0);
	y = t_yields_of(e, id2);
	assert_true(fabs(y.yield_pct - 0.5) < 1e-4);
	assert_true(isnan(y.yield_dry_pct));
}

struct t_group {
	char key[64][32];
	double mean[64], oil[64];
	int batches[64];
	int n;
};

static int t_group_row(void *ctx, const struct store_cell *c, int n)
{
	struct t_group *g = ctx;

	for (int i = 0; i < n; i++) {
		if (i == 0)
			snprintf(g->key[g->n], sizeof g->key[0], "%s", c[0].text);
		if (strcmp(c[i].name, "batches") == 0)
			g->batches[g->n] = (int)c[i].num;
		if (strcmp(c[i].name, "yield_mean_pct") == 0)
			g->mean[g->n] = c[i].num;
		if (strcmp(c[i].name, "oil_kg") == 0)
			g->oil[g->n] = c[i].num;
	}
	g->n++;
	return 0;
}

static void test_yields_by_grower(void **state)
{
	struct t_env *e = *state;
	struct store_lot_draw d[2] = {{"L1", 300}, {"L2", 200}};
	struct store_batch_start b = t_start(NULL, 0);
	struct store_filter f = {.by = "grower"};
	struct t_group g = {.n = 0};
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "600", NULL);
	t_lot(e, "L2", "cassia-leaf", "B", "400", NULL);
	b.lots = d;
	b.n_lots = 2;
	id = store_batch_begin(e->s, &b, e->cause, sizeof e->cause);
	t_finish(e, id, 5.0);                   /* 1.0 % */
	id = t_batch(e, "L1", 200);
	t_finish(e, id, 1.0);                   /* 0.5 % */
	assert_int_equal(store_query_rows(e->s, STORE_Q_YIELDS, &f, t_group_row, &g,
	                                  e->cause, sizeof e->cause), 2);
	assert_string_equal(g.key[0], "A");
	assert_int_equal(g.batches[0], 2);
	assert_true(fabs(g.mean[0] - 0.75) < 1e-3);
	assert_true(fabs(g.oil[0] - (3.0 + 1.0)) < 1e-3);   /* 300/500 of 5 kg */
	assert_string_equal(g.key[1], "B");
	assert_true(fabs(g.oil[1] - 2.0) < 1e-3);
	f.by = "colour";
	assert_int_equal(store_query_rows(e->s, STORE_Q_YIELDS, &f, t_group_row, &g,
	                                  e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "cannot group yields by 'colour'");
}

/* ---------------------------------------------------------------- */
/* QA                                                                 */

static const struct store_qa_spec t_leaf_spec = {
	.feedstock = "cassia-leaf", .density_min = 1.052, .density_max = 1.070,
	.ri_min = 1.600, .ri_max = 1.614, .marker = "cinnamaldehyde",
	.marker_min_pct = 80, .marker_max_pct = NAN,
};

static struct store_qa_result t_result(const char *density, const char *ri,
                                       const char *marker)
{
	struct store_qa_result r;
	char cause[STORE_CAUSE_MAX];

	store_qa_result_init(&r);
	assert_int_equal(store_qa_result_set(&r, "density", density, cause,
	                                     sizeof cause), 0);
	assert_int_equal(store_qa_result_set(&r, "ri", ri, cause, sizeof cause), 0);
	assert_int_equal(store_qa_result_set(&r, "marker", marker, cause,
	                                     sizeof cause), 0);
	assert_int_equal(store_qa_result_set(&r, "analyst", "Hoa", cause,
	                                     sizeof cause), 0);
	return r;
}

static void test_qa_record_and_release(void **state)
{
	struct t_env *e = *state;
	struct store_qa_result r = t_result("1.060", "1.605", "85.5");
	struct store_qa_spec anise = t_leaf_spec;
	int in_spec = -1;
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L1", 500);
	/* not before the batch ends */
	assert_int_equal(store_qa_record(e->s, id, &r, &t_leaf_spec, &in_spec,
	                                 e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "not ended");
	t_finish(e, id, 3.5);
	/* a release needs results */
	assert_int_equal(store_qa_decide(e->s, id, "released", "Thu", NULL, e->cause,
	                                 sizeof e->cause), -1);
	assert_string_equal(e->cause, "batch 1 has no QA results; record them "
	                              "before releasing it");
	snprintf(anise.feedstock, sizeof anise.feedstock, "star-anise");
	assert_int_equal(store_qa_record(e->s, id, &r, &anise, &in_spec, e->cause,
	                                 sizeof e->cause), -1);
	t_assert_contains(e->cause, "the QA spec given is for star-anise");
	assert_int_equal(store_qa_record(e->s, id, &r, &t_leaf_spec, &in_spec,
	                                 e->cause, sizeof e->cause), 0);
	assert_int_equal(in_spec, 1);
	assert_int_equal(store_qa_decide(e->s, id, "released", "Thu", "lab ok",
	                                 e->cause, sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'qa'"
	                          " AND what = 'decision' AND old_value = 'pending'"
	                          " AND new_value = 'released' AND who = 'Thu'"), 1);
	assert_int_equal(store_qa_decide(e->s, id, "sold", "Thu", NULL, e->cause,
	                                 sizeof e->cause), -1);
	assert_int_equal(store_qa_decide(e->s, 5, "rejected", "Thu", NULL, e->cause,
	                                 sizeof e->cause), -1);
	assert_string_equal(e->cause, "no batch 5");
	assert_int_equal(t_verify(e), 0);
}

static void test_qa_out_of_spec(void **state)
{
	struct t_env *e = *state;
	struct store_qa_result r = t_result("1.030", "1.605", "75");
	int in_spec = -1;
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L1", 500);
	t_finish(e, id, 3.5);
	assert_int_equal(store_qa_record(e->s, id, &r, &t_leaf_spec, &in_spec,
	                                 e->cause, sizeof e->cause), 0);
	assert_int_equal(in_spec, 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM qa_results WHERE in_spec = 0"
	                          " AND failures = 'density 1.0300 below 1.0520;"
	                          " cinnamaldehyde 75.0 below 80.0'"), 1);
	assert_int_equal(store_qa_decide(e->s, id, "released", "Thu", NULL, e->cause,
	                                 sizeof e->cause), -1);
	t_assert_contains(e->cause, "out of spec (density 1.0300 below 1.0520");
	assert_int_equal(store_qa_decide(e->s, id, "quarantined", "Thu", "re-test",
	                                 e->cause, sizeof e->cause), 0);
	/* a corrected result (with its reason) then allows the release */
	r = t_result("1.055", "1.605", "82");
	assert_int_equal(store_qa_record(e->s, id, &r, &t_leaf_spec, &in_spec,
	                                 e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "needs a reason");
	snprintf(r.why, sizeof r.why, "sample was contaminated; re-tested");
	assert_int_equal(store_qa_record(e->s, id, &r, &t_leaf_spec, &in_spec,
	                                 e->cause, sizeof e->cause), 0);
	assert_int_equal(store_qa_decide(e->s, id, "released", "Thu", NULL, e->cause,
	                                 sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM qa_results"), 2);
	assert_int_equal(t_verify(e), 0);
}

/* The writer checks results against the same plausible bounds as the
 * setter and the spec file (qaspec.h), not a looser rule of its own. */
static void test_qa_implausible(void **state)
{
	static const struct { double density, ri, marker_pct; } bad[] = {
		{QASPEC_DENSITY_LO / 2, 1.605, 85.5},
		{1.060, QASPEC_RI_HI + 1, 85.5},
		{1.060, 1.605, QASPEC_MARKER_HI_PCT + 1},
	};
	struct t_env *e = *state;
	struct store_qa_result r = t_result("1.060", "1.605", "85.5");
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L1", 500);
	t_finish(e, id, 3.5);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r.density = bad[i].density;
		r.refractive_index = bad[i].ri;
		r.marker_pct = bad[i].marker_pct;
		assert_int_equal(store_qa_record(e->s, id, &r, &t_leaf_spec, NULL,
		                                 e->cause, sizeof e->cause), -1);
		t_assert_contains(e->cause, "out of any plausible range");
	}
	assert_int_equal(t_int(e, "SELECT count(*) FROM qa_results"), 0);
}

/* ---------------------------------------------------------------- */
/* Alarms, prompts, samples                                           */

static void test_alarm_lifecycle(void **state)
{
	struct t_env *e = *state;
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L1", 500);
	t_event(e, id, "alarm", "pressure_h", "normal", "unack", "controller");
	t_event(e, id, "alarm", "pressure_h", "unack", "acked", "Lan");
	t_event(e, id, "alarm", "pressure_h", "acked", "normal", "controller");
	t_event(e, id, "alarm", "distillate_h", "normal", "unack", "controller");
	t_event(e, id, "alarm", "distillate_h", "unack", "rtn_unack", "controller");
	t_event(e, id, "alarm", "distillate_h", "rtn_unack", "normal", "Minh");
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms"), 2);
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE alarm ="
	                          " 'pressure_h' AND acked_by = 'Lan' AND closed_at"
	                          " IS NOT NULL AND cleared_at IS NOT NULL"), 1);
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE alarm ="
	                          " 'distillate_h' AND acked_by = 'Minh' AND state"
	                          " = 'normal'"), 1);
	/* raised again: a new occurrence */
	t_event(e, id, "alarm", "pressure_h", "normal", "unack", "controller");
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE batch_id = 1"), 3);
	/* an interlock reset is audited but is no alarm state */
	t_event(e, id, "alarm", "pressure_h", "latched", "reset", "Lan");
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE state"
	                          " = 'unack'"), 1);
	t_event(e, id, "prompt", "confirm-charge", NULL, NULL, "controller");
	t_event(e, id, "answer", "confirm-charge", NULL, "yes", "Lan");
	assert_int_equal(t_int(e, "SELECT count(*) FROM prompts WHERE answer = 'yes'"
	                          " AND answered_by = 'Lan'"), 1);
}

/* The count of rows STORE_Q_BATCH_ALARMS lists for batch id. */
static int t_batch_alarm_rows(struct t_env *e, long id)
{
	struct store_filter f = {.batch_id = id};

	return store_query_rows(e->s, STORE_Q_BATCH_ALARMS, &f, NULL, NULL,
	                        e->cause, sizeof e->cause);
}

/* Issue 11, defect 5: a watchdog alarm raised while idle and never closed
 * (it returned, unacknowledged) is raised again during batch 1 and holds
 * it: that occurrence belongs to batch 1, not to the old batch-less row. */
static void test_alarm_occurrence_in_batch(void **state)
{
	struct t_env *e = *state;
	char *json;
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	t_event(e, 0, "alarm", "watchdog", "normal", "unack", "controller");
	t_event(e, 0, "alarm", "watchdog", "unack", "rtn_unack", "controller");
	id = t_batch(e, "L1", 500);
	t_event(e, id, "alarm", "watchdog", "rtn_unack", "unack", "controller");
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE batch_id = 1"
	                          " AND alarm = 'watchdog' AND state = 'unack'"), 1);
	/* the old occurrence ended when the new one began */
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE closed_at IS NULL"), 1);
	t_event(e, id, "alarm", "watchdog", "unack", "acked", "Lan");
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE batch_id = 1"
	                          " AND acked_by = 'Lan'"), 1);
	json = store_batch_json(e->s, id, e->cause, sizeof e->cause);
	t_assert_contains(json, "\"alarm_count\":1,");
	free(json);
	assert_int_equal(t_batch_alarm_rows(e, id), 1);
	assert_int_equal(t_verify(e), 0);
}

/* A batch's record lists every alarm active during it: one raised before
 * it began and still standing at its start too, but not one that ended
 * before it began. A new occurrence ends a stale open row (a daemon
 * killed with the alarm standing). */
static void test_alarm_standing_at_start(void **state)
{
	struct t_env *e = *state;
	char *json;
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	t_event(e, 0, "alarm", "pressure_h", "normal", "unack", "controller");
	t_event(e, 0, "alarm", "pressure_h", "unack", "acked", "Lan");
	t_event(e, 0, "alarm", "pressure_h", "acked", "normal", "controller");
	t_event(e, 0, "alarm", "cooling_l", "normal", "unack", "controller");
	t_event(e, 0, "alarm", "flow_l", "normal", "unack", "controller");
	t_event(e, 0, "alarm", "flow_l", "normal", "unack", "controller");
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE alarm ="
	                          " 'flow_l' AND closed_at IS NULL"), 1);
	t_event(e, 0, "alarm", "flow_l", "unack", "acked", "Lan");
	t_event(e, 0, "alarm", "flow_l", "acked", "normal", "controller");
	id = t_batch(e, "L1", 500);
	t_event(e, id, "alarm", "distillate_h", "normal", "unack", "controller");
	json = store_batch_json(e->s, id, e->cause, sizeof e->cause);
	t_assert_contains(json, "\"alarm_count\":2,");
	t_assert_contains(json, "\"alarm\":\"cooling_l\"");
	free(json);
	assert_int_equal(t_batch_alarm_rows(e, id), 2);
	/* it still stands at the end: the next batch lists it too */
	t_finish(e, id, 3.5);
	t_event(e, id, "alarm", "distillate_h", "unack", "acked", "Lan");
	t_event(e, id, "alarm", "distillate_h", "acked", "normal", "controller");
	t_lot(e, "L2", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L2", 500);
	assert_int_equal(t_batch_alarm_rows(e, id), 1);
	assert_int_equal(t_verify(e), 0);
}

/* A daemon killed with alarms standing leaves their rows open: at the
 * next start the controller begins with every alarm normal, so
 * store_alarms_restart ends them (audited); a later batch does not list
 * them, the batch they stood in still does. */
static void test_alarms_restart(void **state)
{
	struct t_env *e = *state;
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L1", 500);
	t_event(e, id, "alarm", "watchdog", "normal", "unack", "controller");
	t_event(e, 0, "alarm", "cooling_l", "normal", "unack", "controller");
	assert_int_equal(store_alarms_restart(e->s, e->cause, sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM alarms WHERE closed_at IS NULL"), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE kind = 'alarm'"
	                          " AND new_value = 'ended' AND who = 'controller'"), 2);
	assert_int_equal(t_batch_alarm_rows(e, id), 2);
	/* nothing open: nothing to do, nothing audited */
	assert_int_equal(store_alarms_restart(e->s, e->cause, sizeof e->cause), 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE new_value = 'ended'"), 2);
	t_event(e, id, "state", "state", "running", "aborted", "Lan");
	t_lot(e, "L2", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L2", 500);
	assert_int_equal(t_batch_alarm_rows(e, id), 0);
	assert_int_equal(t_verify(e), 0);
}

/* Restore: refused while the lock is held (the daemon's); an old copy is
 * brought to this schema and verified; the old database is kept aside. */
static void test_restore_old_copy(void **state)
{
	struct t_env *e = *state;
	char old[192], line[1024] = "";
	FILE *out = fmemopen(line, sizeof line, "w");
	long long events = t_int(e, "SELECT count(*) FROM events");
	int fd;

	snprintf(old, sizeof old, "%s/v1.db", e->dir);
	t_make_v1(old);
	store_close(e->s);
	e->s = NULL;
	fd = store_lock(e->path, e->cause, sizeof e->cause);
	assert_true(fd >= 0);
	assert_int_equal(store_restore(e->path, old, out, e->cause, sizeof e->cause), -1);
	t_assert_contains(e->cause, "refused: ");
	t_assert_contains(e->cause, "held by a running stillroomd");
	assert_int_equal(t_int(e, "SELECT count(*) FROM events"), events);
	close(fd);
	if (store_restore(e->path, old, out, e->cause, sizeof e->cause) != 0)
		fail_msg("restore: %s", e->cause);
	fclose(out);
	t_assert_contains(line, "integrity ok; audit: 3 rows intact");
	t_assert_contains(line, "the old database is kept as ");
	assert_int_equal(t_int(e, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(t_int(e, "SELECT count(*) FROM lots WHERE lot_id = 'OLD-1'"), 1);
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	assert_non_null(e->s);
	assert_int_equal(t_verify(e), 0);
}

static void test_events_need_kind(void **state)
{
	struct t_env *e = *state;
	struct store_event ev[2] = {{.kind = "command"}, {.kind = NULL}};
	long long before = t_int(e, "SELECT count(*) FROM events");

	assert_int_equal(store_events(e->s, ev, 2, e->cause, sizeof e->cause), -1);
	assert_string_equal(e->cause, "event 2 of 2 has no kind");
	assert_int_equal(t_int(e, "SELECT count(*) FROM events"), before);
}

/* Checks that the row read back is the row written (ctx: those rows,
 * in order; the row's index from its process time, one a minute). */
static int t_sample_check(void *ctx, const struct store_hist_row *r)
{
	const struct store_sample *w = (const struct store_sample *)ctx +
	                               (int)(r->s.t_process_s / 60.0);

	assert_int_equal(r->s.batch_id, w->batch_id);
	assert_string_equal(r->s.still, w->still);
	assert_true(r->s.wall_s == w->wall_s);
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		assert_int_equal(r->s.quality[t], w->quality[t]);
		if (w->quality[t] != 0 || isnan(w->value[t]))
			assert_true(isnan(r->s.value[t]));
		else
			assert_true(r->s.value[t] == w->value[t]);
	}
	return 0;
}

static void test_samples(void **state)
{
	struct t_env *e = *state;
	struct store_sample row[3];
	long id;

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	id = t_batch(e, "L1", 500);
	memset(row, 0, sizeof row);
	for (int i = 0; i < 3; i++) {
		row[i].batch_id = id;
		snprintf(row[i].still, sizeof row[i].still, "still1");
		row[i].t_process_s = 60.0 * i;
		row[i].wall_s = 1.7e9 + 60.0 * i;
		for (int t = 0; t < CFG_TAG_COUNT; t++)
			row[i].value[t] = t + i;
		row[i].value[CFG_TAG_OIL] = 1000.0 + 500.0 * i;
		row[i].quality[CFG_TAG_PRESSURE] = 1;
	}
	row[2].value[CFG_TAG_STEAM_FLOW] = NAN;
	assert_int_equal(store_samples(e->s, row, 3, e->cause, sizeof e->cause), 0);
	assert_int_equal(store_hist_batch(e->s, id, t_sample_check, row, e->cause,
	                                  sizeof e->cause), 3);
	/* the curve: minutes from the first sample, oil collected since it */
	{
		struct store_filter f = {.batch_id = id};
		char *json = store_query_json(e->s, STORE_Q_CURVE, &f, e->cause,
		                              sizeof e->cause);

		assert_non_null(json);
		t_assert_contains(json, "\"t_min\":2.0,");
		t_assert_contains(json, "\"oil_kg\":1.0,");
		t_assert_contains(json, "\"wall\":\"2023-11-14T22:15:20Z\"");
		free(json);
		f.batch_id = 42;
		assert_null(store_query_json(e->s, STORE_Q_CURVE, &f, e->cause,
		                             sizeof e->cause));
		assert_string_equal(e->cause, "no batch 42");
	}
}

static void test_batch_json(void **state)
{
	struct t_env *e = *state;
	char *json;
	long id = t_history(e);

	json = store_batch_json(e->s, id, e->cause, sizeof e->cause);
	assert_non_null(json);
	t_assert_contains(json, "\"id\":1,\"still\":\"still1\",\"state\":\"complete\"");
	t_assert_contains(json, "\"lots\":[{\"lot_id\":\"L1\",\"mass_kg\":500.0,"
	                        "\"grower\":\"Nguyen Van A\"");
	t_assert_contains(json, "\"alarm_count\":1");
	t_assert_contains(json, "\"qa_status\":\"untested\"");
	t_assert_contains(json, "\"steps\":[{\"step\":0,\"name\":\"purge\"");
	t_assert_contains(json, "\"events\":[{");
	free(json);
	assert_null(store_batch_json(e->s, 9, e->cause, sizeof e->cause));
	assert_string_equal(e->cause, "no batch 9");
}

/* ---------------------------------------------------------------- */
/* Crash safety: SIGKILL at random moments, repeatedly                */

#define T_ROUNDS 6

/* The child: takes up the batch (or starts it), then writes events and
 * samples as fast as it can, acknowledging each committed event by
 * writing its text to fd. Never returns. */
static void t_writer(const char *path, int round, int fd)
{
	char cause[STORE_CAUSE_MAX], text[64], line[72];
	struct store_active act[2];
	struct store_sample smp[20];
	struct store *s = store_open(path, STORE_RW, cause, sizeof cause);
	long id;

	if (!s)
		_exit(2);
	if (store_batches_active(s, act, 2, cause, sizeof cause) == 1) {
		struct store_event lost = {.batch_id = act[0].batch_id,
			.still = "still1", .kind = "state", .what = "state",
			.old_value = act[0].state, .new_value = "lost",
			.who = "controller"};

		id = act[0].batch_id;
		if (store_events(s, &lost, 1, cause, sizeof cause) < 0)
			_exit(3);
	} else {
		struct store_batch_start b = t_start("L1", 500);

		id = store_batch_begin(s, &b, cause, sizeof cause);
		if (id <= 0)
			_exit(4);
	}
	memset(smp, 0, sizeof smp);
	for (int i = 0; i < 20; i++) {
		smp[i].batch_id = id;
		snprintf(smp[i].still, sizeof smp[i].still, "still1");
	}
	for (int k = 0;; k++) {
		struct store_event ev = {.batch_id = id, .still = "still1",
			.kind = "command", .what = "setpoint", .who = "Lan",
			.text = text};

		snprintf(text, sizeof text, "r%d-%d", round, k);
		if (store_events(s, &ev, 1, cause, sizeof cause) < 0)
			_exit(5);
		snprintf(line, sizeof line, "%s\n", text);
		if (write(fd, line, strlen(line)) < 0)
			_exit(6);
		if (store_samples(s, smp, 20, cause, sizeof cause) < 0)
			_exit(7);
	}
}

/* Reads the acknowledgements in buf (lines) into the database check. */
static void t_check_acked(struct t_env *e, char *buf)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = 0;

	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE"
	                                        " text = ?1", -1, &st, NULL), SQLITE_OK);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, line, -1, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		if (sqlite3_column_int(st, 0) != 1)
			fail_msg("acknowledged event %s is missing", line);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_true(n > 0);
}

static void test_crash_sigkill(void **state)
{
	struct t_env *e = *state;
	static char acks[1 << 20];
	size_t used = 0;
	struct store_active act[2];

	t_lot(e, "L1", "cassia-leaf", "A", "800", NULL);
	store_close(e->s);
	e->s = NULL;
	srand((unsigned)time(NULL));
	for (int round = 0; round < T_ROUNDS; round++) {
		int fds[2], status;
		ssize_t got;
		pid_t pid;
		struct timespec nap = {0, (10 + rand() % 60) * 1000000L};

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			t_writer(e->path, round, fds[1]);
		}
		close(fds[1]);
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		/* wait for the first acknowledgement, then a random moment */
		while ((got = read(fds[0], acks + used, 1)) < 0 && errno == EAGAIN)
			nanosleep(&(struct timespec){0, 1000000L}, NULL);
		if (got > 0)
			used += (size_t)got;
		nanosleep(&nap, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		assert_true(WIFSIGNALED(status));
		while ((got = read(fds[0], acks + used, sizeof acks - 1 - used)) > 0)
			used += (size_t)got;
		close(fds[0]);
	}
	acks[used] = '\0';
	e->s = store_open(e->path, STORE_RW, e->cause, sizeof e->cause);
	assert_non_null(e->s);
	/* the same batch, back as lost, is the only one */
	assert_int_equal(store_batches_active(e->s, act, 2, e->cause,
	                                      sizeof e->cause), 1);
	assert_int_equal(act[0].batch_id, 1);
	assert_string_equal(act[0].state, "lost");
	assert_int_equal(t_int(e, "SELECT count(*) FROM batches"), 1);
	t_check_acked(e, acks);
	if (t_verify(e) != 0)
		fail_msg("verify after crashes: %s", e->cause);
}

/* ---------------------------------------------------------------- */
/* A full disk: RLIMIT_FSIZE stands in for it, in a child process     */

/* The child: fills the "disk" with samples until a write fails, checks
 * that an event write then fails cleanly too, gets the space back and
 * writes again on the same connection. Exit status: 0 when all held. */
static int t_disk_full_child(const char *path)
{
	char cause[STORE_CAUSE_MAX];
	struct store_sample smp[64];
	struct store_event ev = {.batch_id = 1, .still = "still1",
		.kind = "command", .what = "setpoint", .who = "Lan",
		.text = "after the disk came back"};
	struct store *s = store_open(path, STORE_RW, cause, sizeof cause);
	struct rlimit lim;
	struct stat sb;
	char wal[160];
	int i, rc = 0;

	if (!s)
		return 10;
	memset(smp, 0, sizeof smp);
	for (i = 0; i < 64; i++)
		snprintf(smp[i].still, sizeof smp[i].still, "still1");
	signal(SIGXFSZ, SIG_IGN);
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (stat(wal, &sb) < 0 || getrlimit(RLIMIT_FSIZE, &lim) < 0)
		return 11;
	lim.rlim_cur = (rlim_t)sb.st_size + 256 * 1024;
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
		return 12;
	for (i = 0; i < 10000 && rc == 0; i++)
		rc = store_samples(s, smp, 64, cause, sizeof cause);
	if (rc == 0 || !strstr(cause, "cannot"))
		return 13;                  /* never failed, or no sentence */
	/* a write that packs a block needs more room than one that does
	 * not: fill what is left with single samples */
	for (i = 0, rc = 0; i < 10000 && rc == 0; i++)
		rc = store_samples(s, smp, 1, cause, sizeof cause);
	if (rc == 0)
		return 17;
	ev.text = "while the disk was full";
	if (store_events(s, &ev, 1, cause, sizeof cause) == 0)
		return 14;                  /* the FULL write cannot have fitted */
	lim.rlim_cur = lim.rlim_max;
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
		return 15;
	ev.text = "after the disk came back";
	if (store_events(s, &ev, 1, cause, sizeof cause) != 0 ||
	    store_samples(s, smp, 64, cause, sizeof cause) != 0)
		return 16;
	store_close(s);
	return 0;
}

static void test_disk_full(void **state)
{
	struct t_env *e = *state;
	long long before;
	int status;
	pid_t pid;

	t_history(e);
	before = t_int(e, "SELECT count(*) FROM events");
	store_close(e->s);
	e->s = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(t_disk_full_child(e->path));
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* everything written before is there, the failed write left nothing
	 * half done, the write after the disk came back is there */
	assert_int_equal(t_int(e, "SELECT count(*) FROM events"), before + 1);
	assert_int_equal(t_int(e, "SELECT count(*) FROM events WHERE text ="
	                          " 'while the disk was full'"), 0);
	assert_true(t_int(e, "SELECT sum(samples) FROM hist_counts") > 64);
	assert_int_equal(t_verify(e), 0);
}

/* store_clock_set dates the records (a generator's years of plant time);
 * a filter's newest keeps the plant's newest batches only (the console's
 * history page on a decade). */
static void test_clock_newest(void **state)
{
	struct t_env *e = *state;
	struct store_filter f;
	char *json, want[32];
	long id[3];

	t_lot(e, "L1", "cassia-leaf", "Ba", "900", NULL);
	store_clock_set(e->s, 1483315200.0);          /* 2017-01-02 00:00 UTC */
	for (int i = 0; i < 3; i++) {
		id[i] = t_batch(e, "L1", 100);
		t_finish(e, id[i], 1.0);
	}
	store_clock_set(e->s, 0);
	assert_int_equal(t_int(e, "SELECT count(*) FROM batches WHERE started_at ="
	                          " '2017-01-02T00:00:00.000Z'"), 3);
	memset(&f, 0, sizeof f);
	f.newest = 2;
	json = store_query_json(e->s, STORE_Q_BATCHES, &f, e->cause, sizeof e->cause);
	assert_non_null(json);
	for (int i = 0; i < 3; i++) {
		snprintf(want, sizeof want, "{\"id\":%ld,", id[i]);
		if (i == 0)
			assert_null(strstr(json, want));
		else
			t_assert_contains(json, want);
	}
	free(json);
}

/* store_row_fn: appends the row's first cell to the list in ctx. */
struct t_firsts {
	char text[256];
};

static int t_first_row(void *ctx, const struct store_cell *c, int n)
{
	struct t_firsts *l = ctx;
	size_t len = strlen(l->text);

	assert_true(n > 0);
	snprintf(l->text + len, sizeof l->text - len, "%s ", c[0].text);
	return 0;
}

/* The first cells of query q's rows under f, space-separated. */
static const char *t_firsts(struct t_env *e, enum store_query q,
                            const struct store_filter *f, struct t_firsts *l)
{
	l->text[0] = '\0';
	assert_true(store_query_rows(e->s, q, f, t_first_row, l, e->cause,
	                             sizeof e->cause) >= 0);
	return l->text;
}

/* The console's searches: the history's newest batches matching a text
 * in any column (case ignored), newest first; the lots in stock first,
 * newest first, at most f.newest, searched by id, grower, feedstock and
 * origin. Fails when the store searches only the loaded rows, or gives
 * the oldest first, as before. */
static void test_console_search(void **state)
{
	struct t_env *e = *state;
	struct store_filter f;
	struct t_firsts l;
	char want[64];
	long id[3];

	t_lot(e, "L1", "cassia-leaf", "Ba", "100", NULL);
	t_lot(e, "L2", "cassia-leaf", "Cu", "900", NULL);
	t_lot(e, "L3", "cassia-leaf", "Ba", "900", NULL);
	id[0] = t_batch(e, "L1", 100);          /* L1 used up */
	id[1] = t_batch(e, "L2", 100);
	id[2] = t_batch(e, "L3", 100);
	memset(&f, 0, sizeof f);
	snprintf(want, sizeof want, "%ld %ld %ld ", id[2], id[1], id[0]);
	assert_string_equal(t_firsts(e, STORE_Q_HISTORY, &f, &l), want);
	f.newest = 2;
	snprintf(want, sizeof want, "%ld %ld ", id[2], id[1]);
	assert_string_equal(t_firsts(e, STORE_Q_HISTORY, &f, &l), want);
	f.text = "l2";                          /* the lots column, case ignored */
	snprintf(want, sizeof want, "%ld ", id[1]);
	assert_string_equal(t_firsts(e, STORE_Q_HISTORY, &f, &l), want);
	f.text = "no such text";
	assert_string_equal(t_firsts(e, STORE_Q_HISTORY, &f, &l), "");
	f.text = NULL;
	f.newest = 0;
	assert_string_equal(t_firsts(e, STORE_Q_LOTS_NEWEST, &f, &l), "L3 L2 L1 ");
	f.newest = 1;
	assert_string_equal(t_firsts(e, STORE_Q_LOTS_NEWEST, &f, &l), "L3 ");
	f.newest = 0;
	f.text = "BA";
	assert_string_equal(t_firsts(e, STORE_Q_LOTS_NEWEST, &f, &l), "L3 L1 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
		T(test_schema_created),
		T(test_clock_newest),
		T(test_console_search),
		T(test_sync_plant_idempotent),
		T(test_open_read_only),
		T(test_migrate_v1),
		T(test_newer_schema_refused),
		T(test_lot_set_errors),
		T(test_lot_add_get),
		T(test_batch_begin_draws),
		T(test_batch_begin_refusals),
		T(test_batch_several_lots),
		T(test_batch_state_steps_active),
		T(test_batch_end_and_weigh),
		cmocka_unit_test(test_yield_functions),
		T(test_yield_arithmetic),
		T(test_yields_by_grower),
		T(test_qa_record_and_release),
		T(test_qa_out_of_spec),
		T(test_qa_implausible),
		T(test_alarm_lifecycle),
		T(test_alarm_occurrence_in_batch),
		T(test_alarm_standing_at_start),
		T(test_alarms_restart),
		T(test_restore_old_copy),
		T(test_events_need_kind),
		T(test_samples),
		T(test_batch_json),
		T(test_crash_sigkill),
		T(test_disk_full),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
