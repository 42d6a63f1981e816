/*
 * loop: one control thread per still. Each tick: fio_read, apply a pending
 * operator command, core_step, fio_write (outputs + heartbeat), hand events
 * and samples to the journal, publish a small status. Deadlines are absolute
 * (clock_nanosleep TIMER_ABSTIME); an overrun is counted and the missed
 * periods are skipped, never made up in a burst. Nothing in a tick waits
 * on disk, a socket client or another still.
 */
#ifndef LOOP_H
#define LOOP_H

#include <pthread.h>
#include <stdint.h>

#include "core.h"
#include "fio.h"
#include "jrn.h"

#define LOOP_JITTER_SAMPLES 1024
#define LOOP_MIN_PERIOD_MS 2     /* floor of the wall period at high speed */

/* Timing figures of one still's loop. */
struct loop_stats {
	int64_t period_ns;               /* wall period */
	long ticks;
	long overruns;                   /* ticks that started a period late */
	long skipped;                    /* periods skipped after overruns */
	int64_t io_ns;                   /* read + write time, last tick */
	int64_t jitter_max_ns;           /* largest wake lateness */
	long modbus_errors;
	long stale_skips;                /* outputs not written: inputs too old */
};

/* The last LOOP_JITTER_SAMPLES wake latenesses of a still's loop. */
struct loop_jitter {
	int64_t ns[LOOP_JITTER_SAMPLES]; /* ring */
	int count;
	int pos;
};

/* What the main thread may read about a still: published every tick (a
 * small status, not the core: the tick copies only what status shows). */
struct loop_view {
	struct loop_stats stats;
	char link[8];                    /* "ok" or "lost" */
	struct econ_use use;             /* resources of the current (or
	                                    last) batch, held time left out */
	double process_s;                /* process time of the snapshot */
	struct core_status core;         /* last: its alarm rows vary in use */
};

/*
 * Where a still's alarm onsets and returns go besides the journal (the
 * MQTT publisher, the notify hook: main.c sets it before loop_start).
 * Called from the control thread: both must never wait.
 */
struct loop_link {
	/* An alarm event ev (CORE_EV_ALARM) of still, of that priority. */
	void (*alarm)(void *ctx, int still, const struct core_event *ev, int priority);
	/* Notifications about still's alarms that failed so far. */
	long (*failed)(void *ctx, int still);
	void *ctx;
};

struct loop_still {
	const struct cfg_plant *plant;
	int idx;
	double speed;                    /* process seconds per wall second */
	int realtime;                    /* try SCHED_FIFO */
	struct jrn *jrn;
	struct core_still core;          /* owned by the thread */
	struct core_still *scratch;      /* the thread's: start dry runs (loop_init) */
	struct fio fio;                  /* owned by the thread */
	struct loop_stats stats;         /* owned by the thread */
	struct econ_use use;             /* of the batch; zeroed at its start */
	double last_sample_s;
	long aside_seen;                 /* jrn_quarantined at the last tick */
	const struct loop_link *link;    /* NULL: the journal only */
	long notify_failed_seen;         /* link->failed at the last tick */
	int64_t t0_ns;                   /* monotonic time at process 0 */
	int64_t stale_ns;                /* inputs older than this are read again */
	pthread_t thread;
	pthread_mutex_t mu;              /* guards everything below */
	pthread_cond_t cv;
	struct loop_view view;
	struct loop_jitter jitter;       /* wake lateness, noted as published */
	int stop;
	int cmd_busy;                    /* the slot holds a command not yet collected */
	int cmd_pending;                 /* a command waits in cmd */
	int cmd_dry_run;                 /* only check it, on a copy */
	struct core_cmd cmd;
	int cmd_done;                    /* applied this tick */
	int cmd_published;               /* its events are with the journal */
	int cmd_rc;
	char cmd_cause[256];
	uint64_t cmd_seq;                /* journal seq of its last event */
	int wake_fd;                     /* eventfd written when an outcome is ready; -1 none */
};

/* Prepares the still's loop (no thread yet). */
int loop_init(struct loop_still *l, const struct cfg_plant *plant, int idx,
              double speed, int realtime, struct jrn *jrn, char *cause,
              size_t cause_len);

/* Puts a batch left active by a crash back as LOST (before loop_start). */
void loop_recover(struct loop_still *l, long batch_id, const struct rcp_recipe *r,
                  int step, double charge_kg, const char *operator_name);

/* Starts the control thread. */
int loop_start(struct loop_still *l, char *cause, size_t cause_len);

/* What became of the command in a still's slot (loop_cmd_poll). */
enum loop_cmd_outcome {
	LOOP_CMD_WAITING,    /* not applied yet, or applied and its tick not done */
	LOOP_CMD_TAKEN,      /* carried out (dry run: would be); its events queued */
	LOOP_CMD_REFUSED,    /* the core refused it: cause says why */
	LOOP_CMD_WITHDRAWN,  /* taken back before any tick applied it: never done */
};

/*
 * Puts cmd in the still's command slot, to be applied at its next tick
 * (dry_run: checked on a copy of the core, nothing changes). Never waits.
 * Returns 0, or -1 when the slot holds another command not yet collected.
 */
int loop_cmd_submit(struct loop_still *l, const struct core_cmd *cmd, int dry_run);

/*
 * The outcome of the command in the slot; never waits. Any outcome but
 * WAITING frees the slot; TAKEN sets *seq, the journal seq of its last
 * event. With withdraw set, a command no tick has applied yet is taken
 * back (WITHDRAWN, cause says so); one already applied is never taken
 * back: it stays WAITING until its tick hands its events on, so a command
 * that took effect is never reported as not done.
 */
enum loop_cmd_outcome loop_cmd_poll(struct loop_still *l, int withdraw, uint64_t *seq,
                                    char *cause, size_t cause_len);

/*
 * loop_cmd_submit, then waits up to timeout_ms for its outcome; then
 * withdraws it, or, when a tick has applied it already, waits for that
 * tick to finish. Returns TAKEN (with *seq), REFUSED or WITHDRAWN (with a
 * sentence in cause; also when the slot was busy).
 */
enum loop_cmd_outcome loop_command(struct loop_still *l, const struct core_cmd *cmd,
                                   int dry_run, int timeout_ms, uint64_t *seq,
                                   char *cause, size_t cause_len);

/* Process time of the still's loop now (seconds since it started, times
 * the speed): for rows the main thread writes about the still. */
double loop_now_s(const struct loop_still *l);

/* Ticks the loop has published (cheap; for liveness checks). */
long loop_ticks(struct loop_still *l);

/* Copies the latest snapshot into *v. */
void loop_view(struct loop_still *l, struct loop_view *v);

/* Copies the still's wake-lateness ring into *j (for percentiles). */
void loop_jitter(struct loop_still *l, struct loop_jitter *j);

/* Stops the thread: safe outputs written, link closed, scratch freed. */
void loop_stop(struct loop_still *l);

/* p-th percentile (0..100) of the wake jitter in *j, microseconds. */
double loop_jitter_pct_us(const struct loop_jitter *j, double p);

#endif
