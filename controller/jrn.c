/* jrn: the journal thread. See jrn.h. */
#include "jrn.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clk.h"
#include "log.h"
#include "thr.h"

#define JRN_BATCH_ROWS 512   /* most items written per transaction */
#define JRN_RETRY_MS 1000    /* wait after a failed write */

/* Converts a core event of still into an audit-trail row. */
static void jrn_store_event(const struct jrn_item *it, struct store_event *se)
{
	static const char *const kinds[] = {
		[CORE_EV_STATE] = "state", [CORE_EV_STEP] = "step",
		[CORE_EV_ALARM] = "alarm", [CORE_EV_COMMAND] = "command",
		[CORE_EV_MODE] = "mode", [CORE_EV_PROMPT] = "prompt",
		[CORE_EV_ANSWER] = "answer", [CORE_EV_DECISION] = "decision",
	};

	se->batch_id = it->ev.batch_id;
	se->still = it->still;
	se->kind = kinds[it->ev.kind];
	se->what = it->ev.what;
	se->old_value = it->ev.old_value;
	se->new_value = it->ev.new_value;
	se->who = it->ev.who;
	se->cause = it->ev.cause;
	se->text = it->ev.text;
	se->t_process_s = it->ev.t_s;
}

/* Writes one non-event item (a step entered, a batch's end figures). */
static int jrn_write_batch(struct jrn *j, const struct jrn_item *it, char *cause,
                           size_t cause_len)
{
	if (it->kind == JRN_BATCH_END)
		return store_batch_end(j->db, it->batch_id, it->oil_kg, &it->use,
		                       it->cost_vnd, cause, cause_len);
	return store_batch_step(j->db, it->batch_id, it->step_index, it->ev.new_value,
	                        it->ev.t_s, cause, cause_len);
}

/* Writes run items from it: a run of events in one transaction
 * (store_events also moves the batch's state), or one other item. */
static int jrn_write_run(struct jrn *j, const struct jrn_item *it, int run,
                         char *cause, size_t cause_len)
{
	struct store_event se[JRN_BATCH_ROWS];

	if (it->kind != JRN_EVENT)
		return jrn_write_batch(j, it, cause, cause_len);
	for (int i = 0; i < run; i++)
		jrn_store_event(&it[i], &se[i]);
	return store_events(j->db, se, run, cause, cause_len);
}

/* How many items from it (n left) one write takes: the events in a row,
 * at most max; 1 for any other item. */
static int jrn_run_len(const struct jrn_item *it, int n, int max)
{
	int run = 0;

	if (it->kind != JRN_EVENT)
		return 1;
	while (run < n && run < max && it[run].kind == JRN_EVENT)
		run++;
	return run;
}

/* Counts a quarantined item of still (under the lock). */
static void jrn_count_aside(struct jrn *j, const char *still)
{
	int i;

	pthread_mutex_lock(&j->mu);
	j->quarantined++;
	for (i = 0; i < JRN_STILLS_MAX && j->aside[i].still[0] != '\0'; i++)
		if (strcmp(j->aside[i].still, still) == 0)
			break;
	if (i < JRN_STILLS_MAX) {
		snprintf(j->aside[i].still, sizeof j->aside[i].still, "%s", still);
		j->aside[i].n++;
	}
	pthread_mutex_unlock(&j->mu);
}

/* Sets aside an item that failed with error (not the disk's fault) in
 * the quarantine table, so that the items after it still land. Returns
 * -1 (retry later) only when the disk fails meanwhile; an item that even
 * the quarantine refuses is dropped, counted and logged. */
static int jrn_set_aside(struct jrn *j, const struct jrn_item *it,
                         const char *error, char *cause, size_t cause_len)
{
	static const char *const names[] = {
		[JRN_EVENT] = "event", [JRN_BATCH_STEP] = "step",
		[JRN_BATCH_END] = "end",
	};
	struct store_quar_item q = {.item = names[it->kind], .step = -1,
	                            .oil_kg = NAN, .steam_kg = NAN, .error = error};

	jrn_store_event(it, &q.ev);
	if (it->kind == JRN_BATCH_STEP)
		q.step = it->step_index;
	if (it->kind == JRN_BATCH_END) {
		q.ev.new_value = NULL;
		q.oil_kg = it->oil_kg;
		q.steam_kg = it->use.steam_kg;
	}
	q.ev.batch_id = it->kind == JRN_EVENT ? it->ev.batch_id : it->batch_id;
	log_error("journal: %s of %s set aside in quarantine: %s (the records"
	          " after it are still written; stillroom report quarantine)",
	          q.item, it->still, error);
	if (store_quarantine(j->db, &q, cause, cause_len) < 0) {
		if (store_fail_disk(j->db))
			return -1;
		log_error("journal: cannot set it aside either (%s): dropped", cause);
		pthread_mutex_lock(&j->mu);
		j->items_dropped++;
		pthread_mutex_unlock(&j->mu);
	}
	jrn_count_aside(j, it->still);
	return 0;
}

/* Writes items[0..n) in order, each run of events in one transaction.
 * Every write is atomic, so on failure *done counts the items fully on
 * disk (or set aside) and the rest are retried: nothing is written twice.
 * A write that fails for a reason other than the disk is an item's own
 * fault: a run is tried again one item at a time to find it, and that
 * item is set aside (jrn_set_aside). A disk failure returns -1. */
static int jrn_write_items(struct jrn *j, const struct jrn_item *items, int n,
                           int *done, char *cause, size_t cause_len)
{
	int max_run = JRN_BATCH_ROWS;

	*done = 0;
	while (*done < n) {
		const struct jrn_item *it = &items[*done];
		int run = jrn_run_len(it, n - *done, max_run);
		char error[STORE_CAUSE_MAX];

		store_fail_disk(j->db);  /* forget an older failure's reason */
		if (jrn_write_run(j, it, run, error, sizeof error) == 0) {
			*done += run;
			continue;
		}
		if (store_fail_disk(j->db)) {
			snprintf(cause, cause_len, "%s", error);
			return -1;
		}
		if (run > 1) {
			max_run = 1;
			continue;
		}
		if (jrn_set_aside(j, it, error, cause, cause_len) < 0)
			return -1;
		(*done)++;
	}
	return 0;
}

/* Copies up to max items from the ring without removing them. */
static int jrn_peek_items(struct jrn *j, struct jrn_item *out, int max)
{
	int n = j->item_count < max ? j->item_count : max;

	for (int i = 0; i < n; i++)
		out[i] = j->items[(j->item_head + i) % JRN_EVENTS_MAX];
	return n;
}

/* Moves up to max samples out of the ring. */
static int jrn_take_samples(struct jrn *j, struct store_sample *out, int max)
{
	int n = j->sample_count < max ? j->sample_count : max;

	for (int i = 0; i < n; i++)
		out[i] = j->samples[(j->sample_head + i) % JRN_SAMPLES_MAX];
	j->sample_head = (j->sample_head + n) % JRN_SAMPLES_MAX;
	j->sample_count -= n;
	return n;
}

/* Records the outcome of a write round under the lock: n_items are on
 * disk; rc < 0 when the round stopped on an error. */
static void jrn_settle(struct jrn *j, int n_items, int rc, const char *cause)
{
	if (n_items > 0) {
		j->committed_seq = j->items[(j->item_head + n_items - 1) % JRN_EVENTS_MAX].seq;
		j->item_head = (j->item_head + n_items) % JRN_EVENTS_MAX;
		j->item_count -= n_items;
	}
	if (rc < 0 && !j->failing)
		log_error("journal: %s (control continues; retrying)", cause);
	if (rc == 0 && j->failing)
		log_info("journal: writing again");
	j->failing = rc < 0;
	if (rc < 0)
		snprintf(j->last_error, sizeof j->last_error, "%s", cause);
	if (j->item_count == 0)
		j->committed_seq = j->next_seq;
	pthread_cond_broadcast(&j->cv_done);
	thr_wake(j->wake_fd);
}

/* Retention, between rounds: one small transaction of reductions. A
 * failure is kept in last_error and tried again next round. */
static void jrn_reduce(struct jrn *j)
{
	char cause[STORE_CAUSE_MAX] = "";
	double raw_s;
	int agg_s;
	long n = 0;

	pthread_mutex_lock(&j->mu);
	raw_s = j->hist_raw_s;
	agg_s = j->hist_aggregate_s;
	pthread_mutex_unlock(&j->mu);
	if (raw_s > 0 && agg_s > 0)
		n = store_hist_reduce(j->db, clk_wall_s() - raw_s, agg_s,
		                      JRN_REDUCE_BLOCKS, cause, sizeof cause);
	pthread_mutex_lock(&j->mu);
	j->reduce_due = n == JRN_REDUCE_BLOCKS;
	if (n < 0)
		snprintf(j->last_error, sizeof j->last_error, "%s", cause);
	pthread_mutex_unlock(&j->mu);
}

/* One round: events first (durable), then samples. Returns 0 or -1. */
static int jrn_round(struct jrn *j, struct jrn_item *items, struct store_sample *samples)
{
	char cause[STORE_CAUSE_MAX] = "";
	int n_items, n_samples, done = 0, rc = 0;

	pthread_mutex_lock(&j->mu);
	n_items = jrn_peek_items(j, items, JRN_BATCH_ROWS);
	n_samples = jrn_take_samples(j, samples, JRN_BATCH_ROWS);
	pthread_mutex_unlock(&j->mu);

	if (n_items > 0)
		rc = jrn_write_items(j, items, n_items, &done, cause, sizeof cause);
	if (rc == 0 && n_samples > 0)
		rc = store_samples(j->db, samples, n_samples, cause, sizeof cause);
	pthread_mutex_lock(&j->mu);
	if (rc < 0 && n_samples > 0)
		j->samples_dropped += n_samples;
	jrn_settle(j, done, rc, cause);
	pthread_mutex_unlock(&j->mu);
	if (rc == 0)
		jrn_reduce(j);
	return rc;
}

/* Sleeps, with the lock held, until there is work or stop or timeout_ms
 * passes; after a failed write (retrying) it waits out the timeout even
 * when work is queued. */
static void jrn_wait_work(struct jrn *j, int timeout_ms, int retrying)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	clk_ts_add_ns(&until, (int64_t)timeout_ms * 1000000);
	while (!j->stop && (retrying || (j->item_count == 0 && j->sample_count == 0)))
		if (pthread_cond_timedwait(&j->cv_work, &j->mu, &until) == ETIMEDOUT)
			break;
}

/* 1 when the thread should go on: not stopping, or work left to write
 * (unless writing fails while stopping). */
static int jrn_go_on(struct jrn *j, int last_rc)
{
	int go;

	pthread_mutex_lock(&j->mu);
	go = !j->stop || (last_rc == 0 && (j->item_count > 0 || j->sample_count > 0));
	pthread_mutex_unlock(&j->mu);
	return go;
}

static void *jrn_thread(void *arg)
{
	struct jrn *j = arg;
	struct jrn_item *items = calloc(JRN_BATCH_ROWS, sizeof *items);
	struct store_sample *samples = calloc(JRN_BATCH_ROWS, sizeof *samples);
	int rc = 0;

	if (items == NULL || samples == NULL)
		goto out_free;
	while (jrn_go_on(j, rc)) {
		pthread_mutex_lock(&j->mu);
		jrn_wait_work(j, rc < 0 ? JRN_RETRY_MS : j->reduce_due ? 0 : 1000,
		              rc < 0);
		pthread_mutex_unlock(&j->mu);
		rc = jrn_round(j, items, samples);
	}
out_free:
	free(samples);
	free(items);
	return NULL;
}

int jrn_start(struct jrn *j, const char *db_path, struct store_gate *gate, char *cause,
              size_t cause_len)
{
	memset(j, 0, sizeof *j);
	j->wake_fd = -1;
	j->items = calloc(JRN_EVENTS_MAX, sizeof *j->items);
	j->samples = calloc(JRN_SAMPLES_MAX, sizeof *j->samples);
	if (j->items == NULL || j->samples == NULL) {
		snprintf(cause, cause_len, "journal: out of memory");
		goto out_free;
	}
	j->db = store_open(db_path, STORE_RW, cause, cause_len);
	if (j->db == NULL)
		goto out_free;
	if (gate != NULL)
		store_gate_attach(j->db, gate, 0);  /* the operator's writes first */
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv_work, NULL);
	pthread_cond_init(&j->cv_done, NULL);
	if (thr_start(&j->thread, jrn_thread, j, 0) != 0) {
		snprintf(cause, cause_len, "journal: cannot start thread");
		goto out_close_db;
	}
	return 0;

out_close_db:
	store_close(j->db);
out_free:
	free(j->items);
	free(j->samples);
	return -1;
}

/* Appends an item under the lock; returns its seq or 0 when full. */
static uint64_t jrn_push(struct jrn *j, const struct jrn_item *it)
{
	uint64_t seq = 0;

	pthread_mutex_lock(&j->mu);
	if (j->item_count < JRN_EVENTS_MAX) {
		struct jrn_item *slot = &j->items[(j->item_head + j->item_count) % JRN_EVENTS_MAX];

		*slot = *it;
		slot->seq = seq = ++j->next_seq;
		j->item_count++;
		pthread_cond_signal(&j->cv_work);
	} else {
		j->items_dropped++;
	}
	pthread_mutex_unlock(&j->mu);
	return seq;
}

uint64_t jrn_event(struct jrn *j, const char *still, const struct core_event *ev)
{
	struct jrn_item it = {.kind = JRN_EVENT, .ev = *ev};

	snprintf(it.still, sizeof it.still, "%s", still);
	return jrn_push(j, &it);
}

uint64_t jrn_batch_step(struct jrn *j, const char *still, const struct core_event *ev,
                        int step_index)
{
	struct jrn_item it = {.kind = JRN_BATCH_STEP, .ev = *ev, .batch_id = ev->batch_id,
	                      .step_index = step_index};

	snprintf(it.still, sizeof it.still, "%s", still);
	return jrn_push(j, &it);
}

uint64_t jrn_batch_end(struct jrn *j, const char *still, long batch_id,
                       double oil_kg, const struct econ_use *use,
                       double cost_vnd)
{
	struct jrn_item it = {.kind = JRN_BATCH_END, .batch_id = batch_id,
	                      .oil_kg = oil_kg, .use = *use, .cost_vnd = cost_vnd};

	snprintf(it.still, sizeof it.still, "%s", still);
	return jrn_push(j, &it);
}

void jrn_sample(struct jrn *j, const struct store_sample *s)
{
	pthread_mutex_lock(&j->mu);
	if (j->sample_count == JRN_SAMPLES_MAX) {
		j->sample_head = (j->sample_head + 1) % JRN_SAMPLES_MAX;
		j->sample_count--;
		j->samples_dropped++;
	}
	j->samples[(j->sample_head + j->sample_count) % JRN_SAMPLES_MAX] = *s;
	j->sample_count++;
	pthread_mutex_unlock(&j->mu);
}

/* 1 (with why in cause) while seq is not committed; the lock is held. */
static int jrn_behind(struct jrn *j, uint64_t seq, char *cause, size_t cause_len)
{
	if (j->committed_seq >= seq)
		return 0;
	snprintf(cause, cause_len, "not yet on disk: %s",
	         j->failing ? j->last_error : "journal busy");
	return 1;
}

int jrn_wait(struct jrn *j, uint64_t seq, int timeout_ms, char *cause,
             size_t cause_len)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	clk_ts_add_ns(&until, (int64_t)timeout_ms * 1000000);
	pthread_mutex_lock(&j->mu);
	pthread_cond_signal(&j->cv_work);
	while (j->committed_seq < seq && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&j->cv_done, &j->mu, &until);
	rc = jrn_behind(j, seq, cause, cause_len) ? -1 : 0;
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int jrn_committed(struct jrn *j, uint64_t seq, char *cause, size_t cause_len)
{
	int behind;

	pthread_mutex_lock(&j->mu);
	behind = jrn_behind(j, seq, cause, cause_len);
	pthread_mutex_unlock(&j->mu);
	return !behind;
}

void jrn_set_retention(struct jrn *j, double idle_raw_s, int aggregate_s)
{
	pthread_mutex_lock(&j->mu);
	j->hist_raw_s = idle_raw_s;
	j->hist_aggregate_s = aggregate_s;
	pthread_cond_signal(&j->cv_work);
	pthread_mutex_unlock(&j->mu);
}

void jrn_set_wake(struct jrn *j, int fd)
{
	pthread_mutex_lock(&j->mu);
	j->wake_fd = fd;
	pthread_mutex_unlock(&j->mu);
}

int jrn_health(struct jrn *j, char *cause, size_t cause_len)
{
	int rc;

	pthread_mutex_lock(&j->mu);
	rc = j->failing ? -1 : 0;
	if (rc < 0)
		snprintf(cause, cause_len, "%s", j->last_error);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

long jrn_quarantined(struct jrn *j, const char *still)
{
	long n = 0;

	pthread_mutex_lock(&j->mu);
	if (still == NULL)
		n = j->quarantined;
	for (int i = 0; still != NULL && i < JRN_STILLS_MAX; i++)
		if (strcmp(j->aside[i].still, still) == 0)
			n = j->aside[i].n;
	pthread_mutex_unlock(&j->mu);
	return n;
}

int jrn_failing(struct jrn *j)
{
	int failing;

	pthread_mutex_lock(&j->mu);
	failing = j->failing;
	pthread_mutex_unlock(&j->mu);
	return failing;
}

void jrn_stop(struct jrn *j)
{
	char cause[STORE_CAUSE_MAX];

	pthread_mutex_lock(&j->mu);
	j->stop = 1;
	pthread_cond_signal(&j->cv_work);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	/* seal the filling blocks: retention reduces only sealed ones */
	if (store_samples_flush(j->db, cause, sizeof cause) < 0)
		log_warn("historian: blocks left filling at stop: %s", cause);
	store_close(j->db);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv_work);
	pthread_cond_destroy(&j->cv_done);
	free(j->items);
	free(j->samples);
}
