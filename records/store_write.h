/*
 * store_write: the records module's writers, the daemon's half of the
 * batch record. Only stillroomd links them (the Makefile's
 * RECORDS_WRITE_SRC; tests/integration/floors_nm.sh checks stillroom does
 * not): the console and the CLI include store.h alone. Same rules as
 * store.h: 0 (or an id > 0), or -1 with a sentence in cause and nothing
 * written. Table of contents:
 *   plant                           store_sync_plant
 *   lots                            store_lot_add, store_lot_get,
 *                                   store_lot_correct
 *   drums and shipments             store_drum_fill, store_ship
 *   growers                         store_advance_add
 *   batches                         store_batch_begin, store_batch_state,
 *                                   store_batch_step, store_batch_end,
 *                                   store_batch_weigh, store_batch_hydrosol
 *   audit trail                     store_events, store_alarms_restart
 *   historian                       store_samples, store_samples_packed,
 *                                   store_samples_flush, store_hist_reduce
 *   QA                              store_qa_record, store_qa_decide
 *   the journal's poison items      store_quarantine, store_fail_disk
 *   generators only                 store_clock_set, store_bulk
 *   write turns (daemon)            store_gate_init, store_gate_attach,
 *                                   store_gate_destroy
 * (The functions keep the store_ prefix of the one family rather than
 * their file's name: renaming them would ripple through the controller.)
 */
#ifndef STORE_WRITE_H
#define STORE_WRITE_H

#include <pthread.h>

#include "store.h"
#include "store_hist.h"

/* Write turns between two connections of one process: the daemon's
 * command connection (priority) and its journal's (background). SQLite's
 * busy wait is no queue: a journal committing back to back (at a
 * speed-up, or on a slow disk) can hold the lock through a command's
 * whole STORE_BUSY_MS, and the operator's weighing is refused "database
 * is locked". A priority connection announces each write until it holds
 * the lock; a background one waits (at most STORE_BUSY_MS) before its own
 * while one is announced. */
struct store_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int announced;              /* priority writes waiting for the lock */
};

/* Makes g ready; 0, or -1 with cause. */
int store_gate_init(struct store_gate *g, char *cause, size_t cause_len);

/* Frees g's resources once no attached connection is used any more. */
void store_gate_destroy(struct store_gate *g);

/* Takes part in g's write turns: priority 1 announces s's writes, 0 lets
 * them go first. Before s is used by more than one thread. */
void store_gate_attach(struct store *s, struct store_gate *g, int priority);

/* Records the site and stills of the plant (idempotent). */
int store_sync_plant(struct store *s, const struct cfg_plant *p,
                     char *cause, size_t cause_len);

/* Adds a received lot (audited). Refuses duplicates and bad numbers.
 * mass_remaining_kg is set to mass_received_kg. oil_content_pct is not
 * taken at intake (the lab's assay comes later, by store_lot_correct). */
int store_lot_add(struct store *s, const struct store_lot *lot,
                  const char *operator_name, char *cause, size_t cause_len);

/* Reads lot lot_id into *lot ("no lot named X" when unknown). */
int store_lot_get(struct store *s, const char *lot_id, struct store_lot *lot,
                  char *cause, size_t cause_len);

/* One corrected field of a lot: key as store_lot_set takes it (moisture,
 * oil_content, harvested, part, price, organic_cert, organic_body, gi,
 * cooperative, origin, drying_days; not id, feedstock, grower or mass). */
struct store_lot_fix {
	const char *key;
	const char *value;
};

/*
 * Corrects fields of lot lot_id: one lot_corrections row per field (old
 * and new value, who, why) and its audit row, never an edit of the lot's
 * row; readers see the latest correction of each field (docs/RECORDS.md).
 * why is required. When moisture or oil content changes, every weighed
 * batch that drew from the lot is attributed again (a new revision, see
 * store_batch_weigh), in the same transaction. A value equal to the
 * current one, an unknown key or a bad value is refused: nothing written.
 */
int store_lot_correct(struct store *s, const char *lot_id,
                      const struct store_lot_fix *fix, int n, const char *who,
                      const char *why, char *cause, size_t cause_len);

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
	int organic_required;      /* the recipe's product is declared organic:
	                              every lot must carry an organic_cert */
};

/* Creates the batch, draws charge_kg from the lot (refusing an over-draw or
 * a feedstock mismatch), stores the recipe as run; all in one transaction.
 * Several lots: the same lot twice, a lot of another feedstock, an
 * over-draw or a charge_kg that is not their sum is refused with a sentence
 * naming the lot. The batch is recorded organic (batches.organic = 1) when
 * every lot carries an organic_cert, else conventional; with
 * organic_required a lot without one is refused ("lot L is not organic
 * (no certificate): recipe R makes organic oil").
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

/* Final figures at the end of a batch: oil in the receiver, the resources
 * it used (*use; NaN fuel or electricity: not known) and their cost in
 * VND (NaN without economics), audited. Once only: the same figures again
 * are a no-op, other figures are refused (corrections go through
 * store_batch_weigh). */
int store_batch_end(struct store *s, long batch_id, double oil_kg,
                    const struct econ_use *use, double cost_vnd,
                    char *cause, size_t cause_len);

/* Records the oil of the batch as weighed, by who: an audited event
 * "oil_kg: old -> new" and a new measurement row, never an edit. A second
 * weighing is a correction and needs why. The weighed mass is the batch's
 * oil mass from then on (yields use it). In the same transaction the
 * weighed oil, in whole grams, is attributed to the batch's lots (a new
 * attributions revision with its attribution_lots, audited): by each
 * lot's assayed oil content (mass drawn x oil_content_pct) when every lot
 * has one, else by dry mass (mass drawn x (1 - moisture)) when every lot
 * has a moisture, else by the mass drawn; parts by alloc_split, so they
 * sum to the batch's grams exactly. A correction to less oil than the
 * batch's drums hold is refused. */
int store_batch_weigh(struct store *s, long batch_id, double oil_kg,
                      const char *who, const char *why, char *cause,
                      size_t cause_len);

/* Records the hydrosol volume of the batch, in litres, like
 * store_batch_weigh. */
int store_batch_hydrosol(struct store *s, long batch_id, double hydrosol_l,
                         const char *who, const char *why, char *cause,
                         size_t cause_len);

/* Oil into a drum from one batch. */
struct store_drum_fill {
	const char *drum_id;
	long batch_id;
	double oil_kg;             /* > 0 */
	double tare_kg;            /* first fill: the empty drum (required);
	                              later fills: NaN, or the same value */
	int organic;               /* first fill: 1 declares the drum organic,
	                              0 conventional; later: -1 or the same */
	const char *who;
};

/*
 * Puts oil_kg of batch_id's weighed oil into drum drum_id; the first fill
 * creates the drum (feedstock of the batch, tare, organic, a trace code
 * unique to it) in the same transaction. Audited. Refused with a sentence
 * naming the batch or the drum, nothing written: an unknown, running or
 * unweighed batch; a batch of another feedstock than the drum's; a
 * conventional batch into an organic drum; more oil than the batch's
 * weighed oil less what other fills took ("batch 12 has 0.400 kg left
 * for drums"); a shipped drum; a tare or organic flag that contradicts
 * the drum's. Returns the fill's id (> 0) or -1.
 */
long store_drum_fill(struct store *s, const struct store_drum_fill *f,
                     char *cause, size_t cause_len);

/* A shipment of drums to a buyer. */
struct store_shipment {
	const char *const *drum_ids;
	int n_drums;
	const char *buyer;
	const char *doc_no;        /* the delivery note or invoice number */
	const char *ship_date;     /* YYYY-MM-DD */
	const char *who;
};

/*
 * Records a shipment (audited, with its drums in the same row set).
 * Refused, nothing written: an unknown, empty or already shipped drum, a
 * drum named twice, a drum that is not releasable (one of its batches is
 * not released in QA: the sentence names it), a bad date. Returns the
 * shipment id (> 0) or -1.
 */
long store_ship(struct store *s, const struct store_shipment *sh, char *cause,
                size_t cause_len);

/*
 * Records an advance of amount_vnd (> 0) paid to grower on paid_on
 * (YYYY-MM-DD) by who (why may be NULL). Audited. Refused: a grower with
 * no lot on record, a bad amount or date. Returns the id (> 0) or -1.
 */
long store_advance_add(struct store *s, const char *grower, long long amount_vnd,
                       const char *paid_on, const char *who, const char *why,
                       char *cause, size_t cause_len);

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
 * The historian's writers (struct store_sample is in store_hist.h).
 * store_samples writes n samples in one transaction (synchronous=NORMAL):
 * each still's rows as a part of its filling block (hist_blocks.open =
 * 1), and seals, in the same transaction, every block of those stills
 * that has closed (store_hist_seal): a crash loses or doubles nothing.
 */
int store_samples(struct store *s, const struct store_sample *rows, int n,
                  char *cause, size_t cause_len);

/*
 * Writes n samples straight into compact blocks, in one transaction, with
 * no raw tail: for bulk loads (the decade generator) and tests. Rows of
 * one still must come in time order, later than anything recorded for
 * that still, and each run of one still is cut into blocks as
 * store_samples would (batch, STORE_HIST_BLOCK_S window,
 * STORE_HIST_BLOCK_MAX). Stills may alternate between runs.
 */
int store_samples_packed(struct store *s, const struct store_sample *rows,
                         int n, char *cause, size_t cause_len);

/*
 * Retention: reduces up to max_blocks blocks of idle samples (no batch)
 * that ended before before_wall_s to min/mean/max over span_s (which
 * divides STORE_HIST_BLOCK_S), in one small transaction; samples of a
 * batch are never reduced. Returns the number of blocks reduced (fewer
 * than max_blocks: nothing more is due) or -1 with cause.
 */
long store_hist_reduce(struct store *s, double before_wall_s, int span_s,
                       int max_blocks, char *cause, size_t cause_len);

/* Packs every still's raw tail, open blocks too (at shutdown or after a
 * bulk load); one transaction. */
int store_samples_flush(struct store *s, char *cause, size_t cause_len);

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
 * For the generators of test and benchmark databases (bench/gen_plant.c),
 * never the daemon: every timestamp the writers take (store_now: started_at,
 * recorded_at, the audit rows' time, ...) reads unix_s from now on, so that
 * years of records can be written in minutes with the dates they would
 * have had; 0 gives the real clock back. Nothing else changes.
 */
void store_clock_set(struct store *s, double unix_s);

/*
 * For the same generators: from now on no commit waits for the disk
 * (PRAGMA synchronous=OFF instead of FULL or NORMAL), the file is locked
 * for this connection alone (locking_mode=EXCLUSIVE), the rollback journal
 * is kept in memory instead of the WAL (journal_mode=MEMORY) and the page
 * cache is 64 MB; the writers' code and transactions are otherwise the
 * same (a refused write still rolls back). The next store_open in STORE_RW
 * puts the file back in WAL. A crash or power cut while the store is open
 * may lose the last commits or corrupt the file: never for a plant's
 * records. 0, or -1 with cause.
 */
int store_bulk(struct store *s, char *cause, size_t cause_len);

#endif
