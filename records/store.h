/*
 * store: the batch record in SQLite (WAL). The only module that includes
 * sqlite3.h. The daemon is the only writer; the CLI opens read-only for
 * reports. Table of contents:
 *   open/close and migrations       store_open, store_close
 *   plant                           store_sync_plant
 *   lots                            store_lot_init, store_lot_set,
 *                                   store_lot_add, store_lot_get,
 *                                   store_date_check
 *   batches                         store_batch_begin, store_batch_state,
 *                                   store_batch_step, store_batch_end,
 *                                   store_batch_weigh, store_batch_hydrosol,
 *                                   store_batches_active, store_recipe_text
 *   yields                          store_yield_pct, store_yield_dry_pct
 *   audit trail (hash-chained)      store_events, store_audit_verify
 *   historian                       store_samples
 *   QA                              store_qa_result_init, store_qa_result_set,
 *                                   store_qa_record, store_qa_decide
 *   reports (read-only)             store_snapshot, store_query_rows,
 *                                   store_query_json, store_batch_json
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
#define STORE_SCHEMA_VERSION 3   /* PRAGMA user_version this code writes */
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

/* Records the site and stills of the plant (idempotent). */
int store_sync_plant(struct store *s, const struct cfg_plant *p,
                     char *cause, size_t cause_len);

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
};

/* Empties *lot: unknown moisture, drying days and harvest date. */
void store_lot_init(struct store_lot *lot);

/*
 * Sets one field of *lot from text, the way `stillroom lot add --KEY VALUE`
 * and the daemon's "KEY=VALUE" tokens give it. Keys: id, feedstock, grower,
 * cooperative, origin, harvested (YYYY-MM-DD), drying_days, moisture_pct
 * (or moisture), mass_kg (or mass). Returns 0, or -1 with a sentence
 * ("mass 'abc' is not a number of kg") for an unknown key, a non-numeric or
 * negative number, a bad date or a value too long.
 */
int store_lot_set(struct store_lot *lot, const char *key, const char *value,
                  char *cause, size_t cause_len);

/* Adds a received lot (audited). Refuses duplicates and bad numbers.
 * mass_remaining_kg is set to mass_received_kg. */
int store_lot_add(struct store *s, const struct store_lot *lot,
                  const char *operator_name, char *cause, size_t cause_len);

/* 1 when text is a real calendar date YYYY-MM-DD, else 0. */
int store_date_check(const char *text);

/* Reads lot lot_id into *lot ("no lot named X" when unknown). */
int store_lot_get(struct store *s, const char *lot_id, struct store_lot *lot,
                  char *cause, size_t cause_len);

/* Feedstock drawn from one lot into a batch's charge. */
struct store_lot_draw {
	const char *lot_id;
	double mass_kg;
};

struct store_batch_start {
	const char *still;
	const char *recipe_name;
	int recipe_version;
	const char *recipe_text;
	const char *recipe_sha256; /* checked against recipe_text; NULL: computed */
	const char *feedstock;
	const char *lot_id;        /* the one lot when n_lots == 0 */
	double charge_kg;          /* with lots: their sum (0 = take the sum) */
	const char *operator_name;
	double t_process_s;        /* controller process time */
	const struct store_lot_draw *lots; /* n_lots > 0: several lots */
	int n_lots;
};

/* Creates the batch, draws charge_kg from the lot (refusing an over-draw or
 * a feedstock mismatch), stores the recipe as run; all in one transaction.
 * The batch starts in state "running". Batch ids are never reused.
 * Returns the new batch id (> 0) or -1. */
long store_batch_begin(struct store *s, const struct store_batch_start *b,
                       char *cause, size_t cause_len);

/* Sets the batch's state (and ended_at when final). A no-op when the batch
 * is already in that state: store_events applies "state" events itself, in
 * the same transaction, so the call after them changes nothing. Otherwise
 * the change is audited as a "state" event by "controller". */
int store_batch_state(struct store *s, long batch_id, const char *state,
                      int final, char *cause, size_t cause_len);

/* Records that the batch entered step index (name) at process time t, in
 * the step timeline. Repeating the latest step is a no-op. The audit row
 * for it is the "step" event given to store_events. */
int store_batch_step(struct store *s, long batch_id, int step,
                     const char *name, double t_process_s,
                     char *cause, size_t cause_len);

/* Final figures at the end of a batch: oil in the receiver and steam used
 * (audited). Once only: the same figures again are a no-op, other figures
 * are refused (corrections go through store_batch_weigh). */
int store_batch_end(struct store *s, long batch_id, double oil_kg,
                    double steam_kg, char *cause, size_t cause_len);

/* Records the oil of the batch as weighed, by who: an audited event
 * "oil_kg: old -> new" and a new measurement row, never an edit. A second
 * weighing is a correction and needs why. The weighed mass is the batch's
 * oil mass from then on (yields use it). */
int store_batch_weigh(struct store *s, long batch_id, double oil_kg,
                      const char *who, const char *why, char *cause,
                      size_t cause_len);

/* Records the hydrosol volume of the batch, in litres, like
 * store_batch_weigh. */
int store_batch_hydrosol(struct store *s, long batch_id, double hydrosol_l,
                         const char *who, const char *why, char *cause,
                         size_t cause_len);

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

/* One audit-trail row. Strings may be NULL. */
struct store_event {
	long batch_id;             /* 0 = plant-level */
	const char *still;
	const char *kind;          /* state, step, alarm, command, mode, ... */
	const char *what;
	const char *old_value;
	const char *new_value;
	const char *who;
	const char *cause;         /* operator, interlock, recipe, fault */
	const char *text;
	double t_process_s;
};

/*
 * Appends events to the hash-chained audit trail in one durable
 * (synchronous=FULL) transaction; kind is required. In the same
 * transaction, these kinds also update the record tables:
 *   state    batch_id's state = new_value (not "idle"); ended_at is set
 *            when it is complete, stopped or aborted
 *   alarm    what = alarm id, new_value = "unack", "acked", "rtn_unack",
 *            "normal" or "shelved": the alarm's lifecycle row (raised when
 *            old_value is NULL, "" or "normal"; who of the ack is kept)
 *   prompt   text = the question (what = step): a prompt row
 *   answer   new_value (or text) = the answer, who: answers the still's
 *            latest open prompt
 */
int store_events(struct store *s, const struct store_event *ev, int n,
                 char *cause, size_t cause_len);

/*
 * The controller starts with every alarm normal: ends the alarm rows a
 * stopped or killed daemon left open (closed_at now), each with an audit
 * row "alarm ID: STATE -> ended" by controller, in one transaction. A
 * condition that still stands is raised again as a new occurrence.
 */
int store_alarms_restart(struct store *s, char *cause, size_t cause_len);

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

/* One historian row: every tag of a still at one moment. */
struct store_sample {
	long batch_id;
	char still[CFG_NAME_MAX];
	double t_process_s;
	double wall_s;                    /* unix time */
	double value[CFG_TAG_COUNT];
	unsigned char quality[CFG_TAG_COUNT];
};

/* Inserts n samples in one transaction (synchronous=NORMAL). */
int store_samples(struct store *s, const struct store_sample *rows, int n,
                  char *cause, size_t cause_len);

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
 * Records lab results for an ended batch, checked against spec (whose
 * feedstock must be the batch's): audited, the spec used is kept with the
 * results, and *in_spec (may be NULL) says whether every limit was met.
 * A later call is a correction (old -> new) and needs r->why. Refuses an
 * unknown or running batch, missing numbers or an analyst.
 */
int store_qa_record(struct store *s, long batch_id,
                    const struct store_qa_result *r,
                    const struct store_qa_spec *spec, int *in_spec,
                    char *cause, size_t cause_len);

/*
 * Records a release decision for an ended batch: decision is "released",
 * "quarantined" or "rejected", who decided, why (may be NULL). A release
 * needs QA results, the latest in spec. Audited; a later decision is a new
 * row, the latest one counts.
 */
int store_qa_decide(struct store *s, long batch_id, const char *decision,
                    const char *who, const char *why, char *cause,
                    size_t cause_len);

/* An item the journal could not write, to be set aside. */
struct store_quar_item {
	const char *item;          /* "event", "step" or "end" */
	struct store_event ev;     /* still, batch_id, t_process_s; an event's
	                              fields; a step's name in new_value */
	int step;                  /* a step's index, -1 for none */
	double oil_kg, steam_kg;   /* end figures, NaN for none */
	const char *error;         /* why it could not be written */
};

/*
 * Sets aside an item that could not be written for a reason other than
 * the disk: a row in the quarantine table (the error, and the item's
 * fields as JSON, each text cut to 200 characters) and an audit row (kind
 * "journal", what "quarantine", text the error), in one durable
 * transaction. The quality manager sees them in `stillroom report
 * quarantine` (STORE_Q_QUARANTINE).
 */
int store_quarantine(struct store *s, const struct store_quar_item *q,
                     char *cause, size_t cause_len);

/* After a call on s returned -1: 1 when it failed because of the disk
 * (full, I/O error, busy or locked beyond the timeout, cannot open, out
 * of memory, corrupt), so that trying again later may work; 0 when the
 * database or the store refused the input itself (a constraint, a type
 * mismatch, a value too big, a refusal, a bug). Clears the note. */
int store_fail_disk(struct store *s);

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
 * the caller frees it. NULL with cause on error. */
char *store_query_json(struct store *s, enum store_query q,
                       const struct store_filter *f, char *cause,
                       size_t cause_len);

/* The whole record of batch_id as one JSON object: the STORE_Q_BATCHES
 * columns plus lots, steps, alarms, prompts, measurements, qa, decisions
 * and events arrays. malloc'd; NULL with cause ("no batch 99"). */
char *store_batch_json(struct store *s, long batch_id, char *cause,
                       size_t cause_len);

#endif
