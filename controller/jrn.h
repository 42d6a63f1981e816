/*
 * jrn: the journal thread. Control threads hand it events, historian
 * samples and batch figures through bounded queues and never wait; it
 * writes them to SQLite in batched transactions on its own connection.
 * Operator commands wait (on the main thread) until their events are
 * committed: jrn_wait. If the disk fails, items stay queued (samples are
 * dropped oldest-first when their queue is full), the failure is reported
 * by jrn_health, and writing resumes when the disk does. An item that
 * fails for another reason (a constraint, a refusal, a bug) is set aside
 * in the quarantine table (store_quarantine) and the items after it are
 * written: jrn_quarantined counts them, for the `journal` alarm.
 */
#ifndef JRN_H
#define JRN_H

#include <pthread.h>
#include <stdint.h>

#include "core.h"
#include "store_write.h"

#define JRN_EVENTS_MAX 4096
#define JRN_SAMPLES_MAX 8192
#define JRN_STILLS_MAX CFG_STILLS_MAX   /* stills counted apart in quarantine */
#define JRN_REDUCE_BLOCKS 4             /* historian blocks reduced a round */

enum jrn_kind { JRN_EVENT, JRN_BATCH_STEP, JRN_BATCH_END };

struct jrn_item {
	enum jrn_kind kind;
	uint64_t seq;                    /* order of arrival */
	char still[CFG_NAME_MAX];
	struct core_event ev;            /* JRN_EVENT */
	long batch_id;                   /* JRN_BATCH_STEP, JRN_BATCH_END */
	int step_index;                  /* JRN_BATCH_STEP: 0-based */
	double oil_kg;                   /* JRN_BATCH_END: in the receiver */
	struct econ_use use;             /* JRN_BATCH_END: resources */
	double cost_vnd;                 /* JRN_BATCH_END: NaN without economics */
};

struct jrn {
	struct store *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv_work;          /* items queued or stop */
	pthread_cond_t cv_done;          /* committed_seq advanced */
	struct jrn_item *items;          /* ring, JRN_EVENTS_MAX */
	int item_head, item_count;
	struct store_sample *samples;    /* ring, JRN_SAMPLES_MAX */
	int sample_head, sample_count;
	uint64_t next_seq;               /* last seq handed out */
	uint64_t committed_seq;          /* every item <= it is on disk */
	long samples_dropped;
	long items_dropped;
	long quarantined;                /* items set aside (store_quarantine) */
	struct {
		char still[CFG_NAME_MAX];
		long n;
	} aside[JRN_STILLS_MAX];         /* the same, by still */
	int failing;                     /* the last write failed (the disk) */
	char last_error[STORE_CAUSE_MAX];
	double hist_raw_s;               /* retention: idle samples raw this
	                                    long (0: never reduced) */
	int hist_aggregate_s;            /* ... then min/mean/max over this */
	int reduce_due;                  /* the last reduction was full: more */
	int stop;
	int wake_fd;                     /* eventfd written after each write round; -1 none */
};

/* Opens its own connection to db_path and starts the thread. */
int jrn_start(struct jrn *j, const char *db_path, struct store_gate *gate, char *cause,
              size_t cause_len);

/* Queues an event of still; returns its seq (0 when the queue was full). */
uint64_t jrn_event(struct jrn *j, const char *still, const struct core_event *ev);

/* Queues "batch entered step step_index" (the step event ev); returns its
 * seq (0 when full). */
uint64_t jrn_batch_step(struct jrn *j, const char *still, const struct core_event *ev,
                        int step_index);

/* Queues a batch's final figures: oil_kg in the receiver, the resources
 * it used and their cost (NaN without economics); returns its seq (0 when
 * full). */
uint64_t jrn_batch_end(struct jrn *j, const char *still, long batch_id,
                       double oil_kg, const struct econ_use *use,
                       double cost_vnd);

/* Queues a historian sample; drops the oldest when full. Never blocks. */
void jrn_sample(struct jrn *j, const struct store_sample *s);

/* Waits until every item up to seq is committed or timeout_ms passes.
 * Returns 0 when committed, -1 with the storage error in cause. */
int jrn_wait(struct jrn *j, uint64_t seq, int timeout_ms, char *cause,
             size_t cause_len);

/* 1 when every item up to seq is committed; else 0 with why not (the
 * storage error, or "journal busy") in cause. Never waits. */
int jrn_committed(struct jrn *j, uint64_t seq, char *cause, size_t cause_len);

/* Has the thread write 1 to eventfd fd after each write round, so that a
 * poll loop waiting for a commit wakes (-1: none, the default). */
void jrn_set_wake(struct jrn *j, int fd);

/* The historian's retention (cfg_hist): after each round's events and
 * samples, the thread reduces up to JRN_REDUCE_BLOCKS blocks of idle
 * samples older than idle_raw_s to aggregates over aggregate_s, in its
 * own small transaction, and goes straight on to the next round while
 * more are due (events always commit first). idle_raw_s 0: never. */
void jrn_set_retention(struct jrn *j, double idle_raw_s, int aggregate_s);

/* 0 while writes succeed; -1 with the last error in cause. */
int jrn_health(struct jrn *j, char *cause, size_t cause_len);

/* How many items of still (NULL: of all) were set aside in quarantine
 * since the journal started (for the control threads' journal alarm). */
long jrn_quarantined(struct jrn *j, const char *still);

/* 1 while the last write failed (for the control threads' alarm). */
int jrn_failing(struct jrn *j);

/* Writes what is queued, stops the thread, closes the connection. */
void jrn_stop(struct jrn *j);

#endif
