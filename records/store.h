/*
 * store: the batch record in SQLite (WAL), the records module's read part.
 * The only module that includes sqlite3.h. The daemon is the only writer
 * (its writers are in store_write.h); the console and the CLI include
 * this header alone and open read-only for reports. Table of contents:
 *   open/close and migrations       store_open, store_close
 *   lots (fields from text)         store_lot_init, store_lot_set,
 *                                   store_date_check
 *   batches (read)                  store_batches_active, store_recipe_text,
 *                                   store_batch_feedstock
 *   yields                          store_yield_pct, store_yield_dry_pct
 *   audit trail (hash-chained)      store_audit_verify
 *   QA (fields from text)           store_qa_result_init, store_qa_result_set
 *   backup and restore              store_backup, store_lock, store_restore
 *   reports (read-only)             store_snapshot, store_query_rows,
 *                                   store_query_json, store_batch_json,
 *                                   store_lot_json, store_drum_json
 * Every function returns 0 (or an id > 0) on success, -1 with a sentence in
 * cause on failure, and writes nothing on failure.
 *
 * The events table is the audit trail: append-only (triggers refuse UPDATE
 * and DELETE) and hash-chained (each row carries the previous row's hash).
 * Every write that matters appends to it in the same transaction; the
 * record tables (lots, batches, measurements, QA) hold a JSON snapshot of
 * their row in the event that wrote it, so store_audit_verify also finds a
 * record row edited behind the trail's back. docs/RECORDS.md has the
 * schema and the report columns.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdio.h>

#include "cfg.h"
#include "qaspec.h"

#define STORE_CAUSE_MAX 256
#define STORE_SCHEMA_VERSION 6   /* PRAGMA user_version this code writes */
#define STORE_BUSY_MS 5000       /* how long a writer waits for another */

struct store;

enum store_mode { STORE_RW, STORE_RO };

/* Opens (and for STORE_RW creates and migrates) the database at path.
 * STORE_RW: WAL, foreign keys on, busy timeout STORE_BUSY_MS; audited
 * writes commit with synchronous=FULL, historian samples with NORMAL.
 * STORE_RO: never creates, never migrates (refuses a database whose schema
 * is not STORE_SCHEMA_VERSION) and never writes (query_only). Each thread
 * opens its own connection. */
struct store *store_open(const char *path, enum store_mode mode,
                         char *cause, size_t cause_len);

/* Closes s; NULL is fine. */
void store_close(struct store *s);

struct store_lot {
	char lot_id[64];
	char feedstock[32];
	char grower[96];
	char cooperative[96];
	char origin[96];
	char harvested[16];        /* YYYY-MM-DD or "" */
	int drying_days;           /* -1 when unknown */
	double moisture_pct;       /* < 0 when unknown */
	double mass_received_kg;
	double mass_remaining_kg;  /* store_lot_add sets it to mass_received_kg */
	/* Since schema 5 (what buyers and certifiers ask for): */
	char plant_part[16];       /* leaf, twig, bark, fruit; "" = the
	                              feedstock's usual (store_lot_add fills it) */
	double price_vnd_per_kg;   /* paid at intake; < 0 when not recorded */
	char organic_cert[64];     /* organic certificate id; "" = not organic */
	char organic_body[96];     /* the body that certified it */
	char gi[96];               /* geographical indication; "" = none */
	double oil_content_pct;    /* lab assay, % of mass as received; < 0
	                              unknown (set by a correction, not at intake) */
};

/* Empties *lot: unknown moisture, drying days, harvest date, price and
 * oil content; no plant part, certificate or GI. */
void store_lot_init(struct store_lot *lot);

/*
 * Sets one field of *lot from text, the way `stillroom lot add --KEY VALUE`
 * and the daemon's "KEY=VALUE" tokens give it. Keys: id, feedstock, grower,
 * cooperative, origin (or commune), harvested (YYYY-MM-DD), drying_days,
 * moisture_pct (or moisture), mass_kg (or mass), plant_part (or part: leaf,
 * twig, bark, fruit), price_vnd_per_kg (or price), organic_cert,
 * organic_body, gi, oil_content_pct (or oil_content). Returns 0, or -1
 * with a sentence
 * ("mass 'abc' is not a number of kg") for an unknown key, a non-numeric or
 * negative number, a bad date or a value too long.
 */
int store_lot_set(struct store_lot *lot, const char *key, const char *value,
                  char *cause, size_t cause_len);

/* 1 when text is a real calendar date YYYY-MM-DD, else 0. */
int store_date_check(const char *text);

/* Oil yield as charged, percent: 100 * oil / charge; NaN when charge <= 0
 * or either is not a number. */
double store_yield_pct(double oil_kg, double charge_kg);

/* Oil yield on a dry basis, percent: 100 * oil / (charge * (1 -
 * moisture / 100)); NaN when the moisture is unknown (< 0) or >= 100. The
 * reports use the mass-weighted moisture of the batch's lots. */
double store_yield_dry_pct(double oil_kg, double charge_kg,
                           double moisture_pct);

struct store_active {
	long batch_id;
	char still[CFG_NAME_MAX];
	char recipe[48];
	char state[16];
	char operator_name[64];
	int step;                  /* latest step of the timeline, 0 if none */
	double charge_kg;
	int recipe_version;
	char recipe_sha256[65];    /* for store_recipe_text: the recipe as run */
	char feedstock[32];
	char step_name[48];        /* name of that step, "" if none */
};

/* Lists batches left active (not complete/stopped/aborted) into out[],
 * at most max; returns how many, or -1. */
int store_batches_active(struct store *s, struct store_active *out, int max,
                         char *cause, size_t cause_len);

/* Copies batch batch_id's feedstock into out; -1 with cause when there is
 * no such batch. */
int store_batch_feedstock(struct store *s, long batch_id, char *out, size_t out_len,
                          char *cause, size_t cause_len);

/* The exact text of the recipe as run with that sha256 (malloc'd; the
 * caller frees it), or NULL with cause. */
char *store_recipe_text(struct store *s, const char *sha256, char *cause,
                        size_t cause_len);

/*
 * Checks the database (PRAGMA integrity_check), then walks the audit chain
 * (each row's hash, each row's link to the one before, ids without gaps, no
 * rows cut off the end), then checks every record row against the JSON its
 * audit row holds. Prints one line to out: the first broken row ("audit:
 * row 41 was edited: ...") or "audit: N rows intact, head HASH".
 * Returns 0 when intact, 1 when broken, -1 on error.
 */
int store_audit_verify(struct store *s, FILE *out, char *cause,
                       size_t cause_len);

/* struct store_qa_spec, a feedstock's oil specification, is in qaspec.h
 * (config/: the QA spec file fills it; records check lab results
 * against it). */

/* One set of lab results for a batch's oil. */
struct store_qa_result {
	double density;            /* relative density, dimensionless */
	double refractive_index;   /* nD20 */
	double marker_pct;         /* the spec's marker compound, % */
	char analyst[64];          /* who measured */
	char lab_ref[64];          /* sample or report number, may be "" */
	char why[200];             /* required for a correction */
};

/* Empties *r (numbers NaN). */
void store_qa_result_init(struct store_qa_result *r);

/* Sets one field of *r from text. Keys: density, ri (refractive_index),
 * marker (marker_pct), analyst, lab_ref, why. Returns 0 or -1 with cause. */
int store_qa_result_set(struct store_qa_result *r, const char *key,
                        const char *value, char *cause, size_t cause_len);

/*
 * Copies the live database at db_path into file while the daemon writes
 * it (SQLite's online backup API, one snapshot, in steps), then checks the
 * copy (store_audit_verify: integrity_check, the audit chain, the record
 * rows) and prints one line to out saying so. Writes a temporary file
 * beside file and renames it into place, so file is never half-written;
 * refuses an existing file unless force. -1 with cause: nothing written.
 */
int store_backup(const char *db_path, const char *file, int force, FILE *out,
                 char *cause, size_t cause_len);

/*
 * Takes the lock that says "a program owns the database at db_path": an
 * flock on db_path.lock, which stillroomd holds while it runs. Returns the
 * fd (held until closed or exit), or -1 with cause when another process
 * holds it.
 */
int store_lock(const char *db_path, char *cause, size_t cause_len);

/*
 * Puts the copy file back as the database at db_path: refused while
 * stillroomd holds it (store_lock); file is copied beside db_path,
 * brought to this schema and checked like a backup before anything is
 * replaced; the old database (with its -wal) is kept as
 * db_path.before-restore-TIMESTAMP. Prints one line to out. -1 with cause:
 * nothing changed.
 */
int store_restore(const char *db_path, const char *file, FILE *out,
                  char *cause, size_t cause_len);

/* on = 1: the queries that follow read one consistent snapshot (a read
 * transaction) until store_snapshot(s, 0, ...) lets it go. */
int store_snapshot(struct store *s, int on, char *cause, size_t cause_len);

/* Report filters; NULL or 0 = any. */
struct store_filter {
	long batch_id;
	const char *from;          /* started on or after, YYYY-MM-DD (UTC) */
	const char *to;            /* started on or before, YYYY-MM-DD (UTC) */
	const char *still;
	const char *feedstock;
	const char *lot_id;
	const char *grower;        /* case-insensitive */
	const char *state;
	const char *by;            /* STORE_Q_YIELDS: feedstock, grower, still,
	                              month */
	const char *drum_id;       /* STORE_Q_DRUM_*, STORE_Q_TRACE_DRUM: a drum
	                              id or its trace code */
	int newest;                /* > 0: only the plant's newest this many
	                              batches (by id), of which those the other
	                              fields match, oldest first (the batch
	                              queries: STORE_Q_BATCHES, ...); 0 all;
	                              STORE_Q_HISTORY, STORE_Q_LOTS_NEWEST: at
	                              most this many rows */
	const char *text;          /* STORE_Q_HISTORY, STORE_Q_LOTS_NEWEST: only
	                              rows with this in one of their columns
	                              (ASCII case ignored), as the console
	                              searches */
	int households;            /* STORE_Q_TRACE_DRUM: 1 shows each lot's
	                              grower (privacy: households_in_trace),
	                              0 leaves it out (NULL; absent in JSON) */
};

/* The read-only queries behind the reports (docs/RECORDS.md lists their
 * columns). */
enum store_query {
	STORE_Q_BATCHES,        /* batch summaries matching the filter */
	STORE_Q_BATCH_LOTS,     /* lots of batch_id with mass and grower */
	STORE_Q_BATCH_STEPS,    /* step timeline of batch_id */
	STORE_Q_BATCH_ALARMS,   /* alarm lifecycles of batch_id */
	STORE_Q_BATCH_PROMPTS,  /* prompts and answers of batch_id */
	STORE_Q_BATCH_EVENTS,   /* audit rows of batch_id */
	STORE_Q_BATCH_MEASURES, /* weighings and hydrosol of batch_id */
	STORE_Q_BATCH_QA,       /* QA results of batch_id */
	STORE_Q_BATCH_DECISIONS,/* release decisions of batch_id */
	STORE_Q_YIELDS,         /* by f->by over the batches matching f */
	STORE_Q_CURVE,          /* historian of batch_id, for plotting */
	STORE_Q_LOTS,           /* lots matching lot_id, feedstock, grower */
	STORE_Q_LOT_BATCHES,    /* batches that drew from lot_id */
	STORE_Q_GROWER,         /* grower -> lots -> batches */
	STORE_Q_QUARANTINE,     /* items the journal set aside */
	/* since schema 5 (docs/RECORDS.md lists their columns): */
	STORE_Q_LOT_CORRECTIONS,/* corrections of lot_id, oldest first */
	STORE_Q_ATTRIBUTION,    /* latest split of batch_id's oil (or every
	                           batch's share of lot_id when lot_id is set) */
	STORE_Q_DRUMS,          /* drums (drum_id: that one) with net oil,
	                           batches, QA status and shipment */
	STORE_Q_DRUM_FILLS,     /* fills of drum_id with each batch's QA */
	STORE_Q_SHIPMENTS,      /* shipments (from/to: by ship date) */
	STORE_Q_TRACE_DRUM,     /* drum_id -> batches -> lots: one row per
	                           (batch, lot) with commune, grower,
	                           certificates, QA, oil attributed */
	STORE_Q_TRACE_LOT,      /* lot_id -> batches -> drums -> shipments:
	                           one row per (batch, drum fill) */
	STORE_Q_SETTLE,         /* the period's settlement lines (from/to,
	                           grower): kind, grower, feedstock, plant_part,
	                           raw_kg, oil_g, released, paid_vnd */
	STORE_Q_HISTORY,        /* the console's history: the STORE_Q_BATCHES
	                           columns of the batches matching f and
	                           f->text, newest first, at most f->newest */
	STORE_Q_LOTS_NEWEST,    /* the console's lots: the STORE_Q_LOTS columns
	                           of the lots matching f and f->text (id,
	                           grower, feedstock, origin), those in stock
	                           first, newest recorded first, at most
	                           f->newest */
	STORE_Q_COUNT
};

/* One column of a result row. */
struct store_cell {
	const char *name;          /* column name */
	const char *text;          /* value as text; NULL for SQL NULL */
	double num;                /* value when is_num */
	int is_num;                /* 1 for an integer or real value */
};

/* Called once per row; a non-zero return stops the query. */
typedef int (*store_row_fn)(void *ctx, const struct store_cell *cells, int n);

/* Runs query q with filter f, calling fn for each row. Returns the number
 * of rows, or -1 with cause. */
int store_query_rows(struct store *s, enum store_query q,
                     const struct store_filter *f, store_row_fn fn, void *ctx,
                     char *cause, size_t cause_len);

/* Query q as a JSON array of objects (SQLite's json_group_array), malloc'd;
 * the caller frees it. NULL with cause on error. STORE_Q_TRACE_DRUM and
 * STORE_Q_TRACE_LOT give one object instead: {drum, batches: [{...,
 * lots: [...]}]} and {lot, batches: [{..., drums: [...]}]} (docs/
 * RECORDS.md); they refuse an unknown drum or lot ("no drum D ..."). */
char *store_query_json(struct store *s, enum store_query q,
                       const struct store_filter *f, char *cause,
                       size_t cause_len);

/* The whole record of batch_id as one JSON object: the STORE_Q_BATCHES
 * columns plus lots, steps, alarms, prompts, measurements, qa, decisions
 * and events arrays. malloc'd; NULL with cause ("no batch 99"). */
char *store_batch_json(struct store *s, long batch_id, char *cause,
                       size_t cause_len);

/* Lot lot_id as one JSON object: its fields as corrected, organic, oil_g
 * (attributed over its batches), corrections [...] and batches
 * [{batch_id, mass_kg, oil_g}]. malloc'd; NULL with cause ("no lot named
 * L"). */
char *store_lot_json(struct store *s, const char *lot_id, char *cause,
                     size_t cause_len);

/* Drum drum_id (or its trace code) as one JSON object: drum_id,
 * trace_code, feedstock, organic, tare_kg, net_kg, gross_kg, qa_status,
 * shipment {id, buyer, doc_no, ship_date} or null, fills [{id, batch_id,
 * oil_kg, who, at, organic, qa_decision}]. malloc'd; NULL with cause. */
char *store_drum_json(struct store *s, const char *drum_id, char *cause,
                      size_t cause_len);

#endif
