/*
 * store_schema: the schema, one migration per version (store.c runs them
 * when a read-write connection opens). Read part.
 */
#include "store_int.h"

/* ------------------------------------------------------------------ */
/* Schema and migrations                                                */

/*
 * Migration N takes a database from user_version N-1 to N. A released
 * migration is never edited: old databases on disk were made by it.
 * tests/unit/test_store.c keeps a frozen copy of version 1.
 */
static const char store_schema_v1[] =
	"CREATE TABLE sites ("
	" name TEXT PRIMARY KEY,"
	" created_at TEXT NOT NULL);"
	"CREATE TABLE stills ("
	" name TEXT PRIMARY KEY,"
	" site TEXT NOT NULL REFERENCES sites(name),"
	" unit_id INTEGER NOT NULL,"
	" endpoint TEXT NOT NULL,"
	" period_ms INTEGER NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE lots ("
	" lot_id TEXT PRIMARY KEY,"
	" feedstock TEXT NOT NULL,"
	" grower TEXT NOT NULL,"
	" cooperative TEXT,"
	" origin TEXT,"
	" harvested TEXT,"
	" drying_days INTEGER,"
	" moisture_pct REAL,"
	" mass_received_kg REAL NOT NULL CHECK (mass_received_kg > 0),"
	" mass_remaining_kg REAL NOT NULL CHECK (mass_remaining_kg >= 0),"
	" received_by TEXT NOT NULL,"
	" received_at TEXT NOT NULL,"
	" event_id INTEGER);"
	"CREATE TABLE recipes ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" first_run_at TEXT NOT NULL,"
	" UNIQUE (name, version, sha256));"
	"CREATE TABLE batches ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" still TEXT NOT NULL REFERENCES stills(name),"
	" recipe_id INTEGER NOT NULL REFERENCES recipes(id),"
	" feedstock TEXT NOT NULL,"
	" charge_kg REAL NOT NULL CHECK (charge_kg > 0),"
	" operator TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" started_at TEXT NOT NULL,"
	" started_t_s REAL,"
	" ended_at TEXT,"
	" ended_t_s REAL,"
	" oil_receiver_kg REAL,"
	" steam_kg REAL,"
	" event_id INTEGER,"
	" end_event_id INTEGER);"
	"CREATE TABLE batch_lots ("
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" lot_id TEXT NOT NULL REFERENCES lots(lot_id),"
	" mass_kg REAL NOT NULL CHECK (mass_kg > 0),"
	" PRIMARY KEY (batch_id, lot_id));"
	"CREATE TABLE batch_steps ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" step INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" t_process_s REAL);"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at TEXT NOT NULL,"
	" t_process_s REAL,"
	" batch_id INTEGER,"
	" still TEXT,"
	" kind TEXT NOT NULL,"
	" what TEXT,"
	" old_value TEXT,"
	" new_value TEXT,"
	" who TEXT,"
	" cause TEXT,"
	" text TEXT,"
	" record_ref TEXT,"
	" record TEXT,"
	" prev_hash TEXT NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE INDEX events_batch ON events (batch_id, id);"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TABLE samples ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER,"
	" still TEXT NOT NULL,"
	" t_process_s REAL NOT NULL,"
	" wall_s REAL NOT NULL,"
	" still_temp REAL, vapour_temp REAL, pressure REAL,"
	" distillate_temp REAL, cooling_flow REAL, steam_flow REAL,"
	" oil REAL, charge REAL, steam_valve REAL, cooling_valve REAL,"
	" status REAL, steam_cmd REAL, cooling_cmd REAL, heartbeat REAL,"
	" quality TEXT NOT NULL);"
	"CREATE INDEX samples_batch ON samples (batch_id, t_process_s);"
	"CREATE INDEX samples_still ON samples (still, wall_s);";

/* Version 2: weighings, alarm lifecycles, prompts, QA; step and draw rows
 * become append-only too. */
static const char store_schema_v2[] =
	"CREATE TABLE measurements ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" quantity TEXT NOT NULL CHECK (quantity IN ('oil_kg', 'hydrosol_l')),"
	" value REAL NOT NULL CHECK (value >= 0),"
	" who TEXT NOT NULL,"
	" why TEXT,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX measurements_batch ON measurements (batch_id, quantity, id);"
	"CREATE TABLE alarms ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER,"
	" still TEXT,"
	" alarm TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" message TEXT,"
	" raised_at TEXT NOT NULL,"
	" raised_t_s REAL,"
	" acked_at TEXT,"
	" acked_by TEXT,"
	" cleared_at TEXT,"
	" shelved_at TEXT,"
	" shelved_by TEXT,"
	" closed_at TEXT,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX alarms_batch ON alarms (batch_id, id);"
	"CREATE INDEX alarms_open ON alarms (alarm, still, id);"
	"CREATE TABLE prompts ("
	" id INTEGER PRIMARY KEY,"
	" batch_id INTEGER,"
	" still TEXT,"
	" step TEXT,"
	" question TEXT,"
	" asked_at TEXT NOT NULL,"
	" asked_t_s REAL,"
	" answer TEXT,"
	" answered_by TEXT,"
	" answered_at TEXT,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX prompts_batch ON prompts (batch_id, id);"
	"CREATE TABLE qa_results ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" density REAL NOT NULL,"
	" refractive_index REAL NOT NULL,"
	" marker TEXT NOT NULL,"
	" marker_pct REAL NOT NULL,"
	" analyst TEXT NOT NULL,"
	" lab_ref TEXT,"
	" why TEXT,"
	" spec_feedstock TEXT NOT NULL,"
	" density_min REAL, density_max REAL,"
	" ri_min REAL, ri_max REAL,"
	" marker_min_pct REAL, marker_max_pct REAL,"
	" in_spec INTEGER NOT NULL,"
	" failures TEXT,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX qa_results_batch ON qa_results (batch_id, id);"
	"CREATE TABLE qa_decisions ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" decision TEXT NOT NULL"
	"  CHECK (decision IN ('released', 'quarantined', 'rejected')),"
	" who TEXT NOT NULL,"
	" why TEXT,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX qa_decisions_batch ON qa_decisions (batch_id, id);"
	"CREATE INDEX batch_steps_batch ON batch_steps (batch_id, id);"
	"CREATE INDEX batch_lots_lot ON batch_lots (lot_id);"
	"CREATE INDEX batches_started ON batches (started_at);"
#define STORE_APPEND_ONLY(t) \
	"CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t \
	" BEGIN SELECT RAISE(ABORT, '" t " rows are append-only'); END;" \
	"CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t \
	" BEGIN SELECT RAISE(ABORT, '" t " rows are append-only'); END;"
	STORE_APPEND_ONLY("measurements")
	STORE_APPEND_ONLY("qa_results")
	STORE_APPEND_ONLY("qa_decisions")
	STORE_APPEND_ONLY("batch_lots")
	STORE_APPEND_ONLY("batch_steps");
#undef STORE_APPEND_ONLY

/* Version 3: the journal's quarantine table (store_quar.c writes it),
 * append-only like the rest of the record. */
static const char store_schema_v3[] =
	"CREATE TABLE quarantine ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at TEXT NOT NULL,"
	" still TEXT,"
	" batch_id INTEGER,"
	" item TEXT NOT NULL,"
	" t_process_s REAL,"
	" detail TEXT NOT NULL,"
	" error TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE TRIGGER quarantine_no_update BEFORE UPDATE ON quarantine"
	" BEGIN SELECT RAISE(ABORT, 'quarantine rows are append-only'); END;"
	"CREATE TRIGGER quarantine_no_delete BEFORE DELETE ON quarantine"
	" BEGIN SELECT RAISE(ABORT, 'quarantine rows are append-only'); END;";

/* Version 4: the resources a batch used and their cost, with its end
 * figures (issue 13; NULL on batches ended before). */
static const char store_schema_v4[] =
	"ALTER TABLE batches ADD COLUMN cooling_m3 REAL;"
	"ALTER TABLE batches ADD COLUMN running_h REAL;"
	"ALTER TABLE batches ADD COLUMN fuel_kg REAL;"
	"ALTER TABLE batches ADD COLUMN electricity_kwh REAL;"
	"ALTER TABLE batches ADD COLUMN labour_h REAL;"
	"ALTER TABLE batches ADD COLUMN cost_vnd REAL;";

/* Version 5: lots as buyers and certifiers ask for them, corrections of
 * lots as rows (never edits), organic batches, drums and their fills,
 * shipments, oil attributed to lots, advances paid to growers (issue 14).
 * Every new table is append-only; a drum's net oil, a lot's corrected
 * fields and the latest attribution are derived (views below). */
static const char store_schema_v5[] =
	"ALTER TABLE lots ADD COLUMN plant_part TEXT;"        /* leaf twig bark fruit */
	"ALTER TABLE lots ADD COLUMN price_vnd_per_kg REAL;"  /* paid at intake */
	"ALTER TABLE lots ADD COLUMN organic_cert TEXT;"      /* certificate id */
	"ALTER TABLE lots ADD COLUMN organic_body TEXT;"      /* certifying body */
	"ALTER TABLE lots ADD COLUMN gi TEXT;"                /* geographical ind. */
	"ALTER TABLE lots ADD COLUMN oil_content_pct REAL;"   /* assay, % as received */
	"ALTER TABLE batches ADD COLUMN organic INTEGER;"     /* 1/0; NULL before 5 */
	"CREATE TABLE lot_corrections ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" lot_id TEXT NOT NULL REFERENCES lots(lot_id),"
	" field TEXT NOT NULL,"           /* a lots column name */
	" old_value TEXT,"
	" new_value TEXT,"
	" who TEXT NOT NULL,"
	" why TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX lot_corrections_lot ON lot_corrections (lot_id, field, id);"
	"CREATE TABLE drums ("
	" drum_id TEXT PRIMARY KEY,"
	" feedstock TEXT NOT NULL,"
	" organic INTEGER NOT NULL CHECK (organic IN (0, 1)),"
	" tare_kg REAL NOT NULL CHECK (tare_kg >= 0),"
	" trace_code TEXT NOT NULL UNIQUE,"
	" created_by TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE TABLE drum_fills ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" drum_id TEXT NOT NULL REFERENCES drums(drum_id),"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" oil_kg REAL NOT NULL CHECK (oil_kg > 0),"
	" who TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE INDEX drum_fills_drum ON drum_fills (drum_id, id);"
	"CREATE INDEX drum_fills_batch ON drum_fills (batch_id);"
	"CREATE TABLE shipments ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" buyer TEXT NOT NULL,"
	" doc_no TEXT NOT NULL,"
	" ship_date TEXT NOT NULL,"     /* YYYY-MM-DD */
	" who TEXT NOT NULL,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	"CREATE TABLE shipment_drums ("
	" shipment_id INTEGER NOT NULL REFERENCES shipments(id),"
	" drum_id TEXT NOT NULL UNIQUE REFERENCES drums(drum_id),"
	" PRIMARY KEY (shipment_id, drum_id));"
	"CREATE TABLE attributions ("  /* one split of a batch's oil */
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" revision INTEGER NOT NULL,"   /* 1, 2, ...: the latest counts */
	" oil_g INTEGER NOT NULL CHECK (oil_g >= 0)," /* the weighed oil */
	" method TEXT NOT NULL CHECK (method IN"
	"  ('dry_mass', 'assay', 'charged_mass')),"
	" why TEXT NOT NULL,"           /* weighing, moisture correction, ... */
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL,"
	" UNIQUE (batch_id, revision));"
	"CREATE TABLE attribution_lots ("
	" attribution_id INTEGER NOT NULL REFERENCES attributions(id),"
	" lot_id TEXT NOT NULL REFERENCES lots(lot_id),"
	" basis REAL NOT NULL CHECK (basis >= 0)," /* dry kg, oil kg or kg */
	" oil_g INTEGER NOT NULL CHECK (oil_g >= 0),"
	" PRIMARY KEY (attribution_id, lot_id));"
	"CREATE INDEX attribution_lots_lot ON attribution_lots (lot_id);"
	"CREATE TABLE advances ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" grower TEXT NOT NULL,"
	" amount_vnd INTEGER NOT NULL CHECK (amount_vnd > 0),"
	" paid_on TEXT NOT NULL,"       /* YYYY-MM-DD */
	" who TEXT NOT NULL,"
	" why TEXT,"
	" at TEXT NOT NULL,"
	" event_id INTEGER NOT NULL);"
	/* each lot as corrected: the latest lot_corrections row of a field
	 * wins over the lot's row (a NULL new_value clears the field) */
#define STORE_LOT_FIXED(f, type) \
	" CASE WHEN EXISTS (SELECT 1 FROM lot_corrections c" \
	"  WHERE c.lot_id = l.lot_id AND c.field = '" f "')" \
	" THEN CAST((SELECT c.new_value FROM lot_corrections c" \
	"  WHERE c.lot_id = l.lot_id AND c.field = '" f "'" \
	"  ORDER BY c.id DESC LIMIT 1) AS " type ") ELSE l." f " END AS " f ","
	"CREATE VIEW lots_now AS SELECT l.lot_id, l.feedstock, l.grower,"
	STORE_LOT_FIXED("cooperative", "TEXT")
	STORE_LOT_FIXED("origin", "TEXT")
	STORE_LOT_FIXED("harvested", "TEXT")
	STORE_LOT_FIXED("drying_days", "INTEGER")
	STORE_LOT_FIXED("moisture_pct", "REAL")
	STORE_LOT_FIXED("plant_part", "TEXT")
	STORE_LOT_FIXED("price_vnd_per_kg", "REAL")
	STORE_LOT_FIXED("organic_cert", "TEXT")
	STORE_LOT_FIXED("organic_body", "TEXT")
	STORE_LOT_FIXED("gi", "TEXT")
	STORE_LOT_FIXED("oil_content_pct", "REAL")
	" l.mass_received_kg, l.mass_remaining_kg, l.received_by,"
	" l.received_at FROM lots l;"
#undef STORE_LOT_FIXED
	/* the latest attribution of each batch */
	"CREATE VIEW attribution_now AS SELECT a.* FROM attributions a"
	" WHERE a.revision = (SELECT max(revision) FROM attributions x"
	"  WHERE x.batch_id = a.batch_id);"
#define STORE_APPEND_ONLY(t) \
	"CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t \
	" BEGIN SELECT RAISE(ABORT, '" t " rows are append-only'); END;" \
	"CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t \
	" BEGIN SELECT RAISE(ABORT, '" t " rows are append-only'); END;"
	STORE_APPEND_ONLY("lot_corrections")
	STORE_APPEND_ONLY("drums")
	STORE_APPEND_ONLY("drum_fills")
	STORE_APPEND_ONLY("shipments")
	STORE_APPEND_ONLY("shipment_drums")
	STORE_APPEND_ONLY("attributions")
	STORE_APPEND_ONLY("attribution_lots")
	STORE_APPEND_ONLY("advances");
#undef STORE_APPEND_ONLY

/* Version 6: the compact historian (issue 17). The samples table becomes
 * the raw tail (hist_raw), rows not yet packed; hist_blocks holds them
 * compact (store_hist.c has the format), the data step of this version
 * packs every existing sample. hist_counts counts samples whatever form
 * they are in (span_s > 0: reduced to aggregates). */
static const char store_schema_v6[] =
	"ALTER TABLE samples RENAME TO hist_raw;"
	"DROP INDEX samples_batch;"
	"DROP INDEX samples_still;"
	"CREATE INDEX hist_raw_batch ON hist_raw (batch_id, t_process_s);"
	"CREATE INDEX hist_raw_still ON hist_raw (still, id);"
	"CREATE TABLE hist_blocks ("
	" id INTEGER PRIMARY KEY,"
	" still TEXT NOT NULL,"
	" batch_id INTEGER,"              /* NULL: idle */
	" span_s INTEGER NOT NULL,"       /* 0: samples; > 0: aggregates */
	" n INTEGER NOT NULL,"            /* rows in data */
	" samples INTEGER NOT NULL,"      /* samples they stand for */
	" t_from_s REAL NOT NULL, t_to_s REAL NOT NULL,"
	" wall_from_s REAL NOT NULL, wall_to_s REAL NOT NULL,"
	" data BLOB NOT NULL,"
	" open INTEGER NOT NULL DEFAULT 0);" /* 1: a part of a filling block */
	"CREATE INDEX hist_blocks_open ON hist_blocks (still, id) WHERE open = 1;"
	"CREATE INDEX hist_blocks_batch ON hist_blocks (batch_id, t_from_s);"
	"CREATE INDEX hist_blocks_still ON hist_blocks (still, wall_from_s);"
	"CREATE VIEW hist_counts AS SELECT still, batch_id, span_s,"
	" sum(samples) AS samples FROM (SELECT still, batch_id, span_s, samples"
	"  FROM hist_blocks UNION ALL SELECT still, batch_id, 0, 1 FROM hist_raw)"
	" GROUP BY still, batch_id, span_s;";

int store_schema_data(struct store *s, int version, char *cause,
                      size_t cause_len)
{
	if (version == 6)
		return store_hist_pack(s, NULL, 1, cause, cause_len) < 0 ? -1 : 0;
	return 0;
}

const char *const store_schema_migrations[] = {
	NULL,                       /* version 0: the empty file */
	store_schema_v1,
	store_schema_v2,
	store_schema_v3,
	store_schema_v4,
	store_schema_v5,
	store_schema_v6,
};

_Static_assert(sizeof store_schema_migrations /
	               sizeof store_schema_migrations[0] == STORE_SCHEMA_VERSION + 1,
               "one migration per schema version");
