/*
 * store_hist: the historian, read part (linked by every program). One
 * interface for every reader of samples (curves, CSV, the console,
 * documents): it yields numeric rows in time order whatever form a span is
 * stored in: raw rows not yet packed (table hist_raw), compact blocks of
 * up to STORE_HIST_BLOCK_MAX samples (hist_blocks, span_s = 0) or, for
 * idle data past its raw days, per-minute min/mean/max (hist_blocks,
 * span_s > 0). docs/RECORDS.md describes the block format and the
 * resolution each value keeps. Table of contents:
 *   reads            store_hist_batch, store_hist_span
 *   counts, sizes    store_hist_count, store_hist_stats
 *   packing          store_hist_seal (the journal), store_hist_pack
 *                    (samples of schema 5, by migration 6)
 * Same rules as store.h: 0 (or a count) or -1 with a sentence in cause.
 */
#ifndef STORE_HIST_H
#define STORE_HIST_H

#include "store.h"

#define STORE_HIST_BLOCK_S 3600     /* a block spans at most this wall time */
#define STORE_HIST_BLOCK_MAX 3600   /* and holds at most this many samples */

/* One historian row: every tag of a still at one moment. The daemon
 * writes it (store_samples in store_write.h); readers get it back. */
struct store_sample {
	long batch_id;                    /* 0: no batch (idle) */
	char still[CFG_NAME_MAX];
	double t_process_s;               /* controller process time */
	double wall_s;                    /* unix time */
	double value[CFG_TAG_COUNT];      /* read back: NaN when not good */
	unsigned char quality[CFG_TAG_COUNT]; /* 0 good, else CORE_Q_* */
};

/* What a reader is given: a sample, or a per-minute aggregate of idle
 * samples (span_s > 0: value is the mean over [wall_s, wall_s + span_s),
 * lo and hi the min and max, n how many samples; quality 0 when any
 * sample of the tag was good). For a sample lo = hi = value and n = 1. */
struct store_hist_row {
	struct store_sample s;
	int span_s;
	int n;
	double lo[CFG_TAG_COUNT];
	double hi[CFG_TAG_COUNT];
};

/* Called once per row in time order; a non-zero return stops the read. */
typedef int (*store_hist_fn)(void *ctx, const struct store_hist_row *r);

/* The samples of batch_id in process-time order. Returns the number of
 * rows given to fn (0 for a batch with none), or -1 with cause. */
long store_hist_batch(struct store *s, long batch_id, store_hist_fn fn,
                      void *ctx, char *cause, size_t cause_len);

/* The rows of still (NULL: every still) with from_wall_s <= wall_s <
 * to_wall_s in wall-time order, samples and aggregates alike. Returns the
 * number of rows given to fn, or -1 with cause. */
long store_hist_span(struct store *s, const char *still, double from_wall_s,
                     double to_wall_s, store_hist_fn fn, void *ctx,
                     char *cause, size_t cause_len);

/* Samples recorded (raw, in blocks, and those reduced to aggregates) for
 * batch_id (> 0), or with still (non-NULL) when batch_id is 0, or all.
 * Returns the count or -1 with cause. */
long store_hist_count(struct store *s, long batch_id, const char *still,
                      char *cause, size_t cause_len);

#define STORE_HIST_TABLES_MAX 64

/* The database's size by table (its indexes included) and the span of
 * wall time the historian covers. */
struct store_hist_stats {
	struct {
		char name[64];
		long long bytes;              /* -1 without SQLite's dbstat */
		long long rows;
	} t[STORE_HIST_TABLES_MAX];
	int n;
	int dbstat;                       /* 1 when bytes came from dbstat */
	long long file_bytes;             /* pages in use times page size */
	double from_wall_s, to_wall_s;    /* NaN with no samples */
	long long samples;                /* store_hist_count of everything */
};

/* Fills *o (tables in name order). 0, or -1 with cause. */
int store_hist_stats(struct store *s, struct store_hist_stats *o, char *cause,
                     size_t cause_len);

/*
 * Seals the filling blocks of still (NULL: every still), in the caller's
 * write transaction: the daemon writes each round's samples of a still as
 * a part (hist_blocks.open = 1, not deflated); once the still's later
 * parts have another batch or another STORE_HIST_BLOCK_S window, or the
 * parts hold STORE_HIST_BLOCK_MAX samples, they are merged into one
 * sealed block (parts deleted in the same transaction: none lost, none
 * twice); all = 1 seals the filling ones too. Returns the samples sealed
 * or -1 with cause.
 */
long store_hist_seal(struct store *s, const char *still, int all,
                     char *cause, size_t cause_len);

/*
 * Packs the raw rows of still (NULL: every still) that belong to a closed
 * block into compact blocks, in the caller's write transaction: a block
 * closes when the still's later rows have another batch or another
 * STORE_HIST_BLOCK_S window, or when it holds STORE_HIST_BLOCK_MAX rows;
 * all = 1 packs the open tail too. The rows move (insert the block,
 * delete the raw rows) in that one transaction: none lost, none twice.
 * Returns the number of rows packed or -1 with cause.
 */
long store_hist_pack(struct store *s, const char *still, int all,
                     char *cause, size_t cause_len);

#endif
