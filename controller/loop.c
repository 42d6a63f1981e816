/* loop: one control thread per still. See loop.h. */
#include "loop.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clk.h"
#include "log.h"
#include "thr.h"

/*
 * Comm loss at speed: comm_loss_ticks periods of process time, but never
 * less than CLK_WALL_FLOOR_MS of wall time (docs/CONTROL.md). The core
 * gets the floor (in process seconds) where it is the longer; the field
 * I/O's reconnect plan gets the window (in wall ms) at any speed-up, for
 * there a try may take a response timeout of many periods.
 */
static void loop_comm_floor(struct loop_still *l, double period_s)
{
	double ticks_s = l->plant->comm_loss_ticks * period_s;
	double min_s = clk_speed_window_s(ticks_s, l->speed);

	if (!(l->speed > 1))
		return;
	if (min_s > ticks_s)
		core_set_comm_floor(&l->core, min_s);
	l->fio.grace_ms = (int)lround(min_s / l->speed * 1000);
}

/*
 * Outputs are written only from inputs younger than half the field
 * watchdog's window (wall time, with its floor at a speed-up). A thread
 * stopped between its read and its write (SIGSTOP, a stalled host) would
 * otherwise send a new heartbeat, which clears a field watchdog trip that
 * happened meanwhile, with outputs of inputs read before the trip: the
 * trip would never be seen. Such a tick writes nothing; the next one,
 * at most a period later, reads the trip and raises the watchdog alarm.
 */
static int64_t loop_stale_bound(const struct cfg_plant *plant, double speed)
{
	double window_s = clk_speed_window_s(plant->watchdog_ms / 1000.0, speed);

	return (int64_t)(window_s / (speed > 0 ? speed : 1) * 1e9 / 2);
}

/* The still's mutex with priority inheritance: a reader of its snapshot on
 * a plain-priority thread (the socket's status, the MQTT publisher every
 * status_s) that is preempted while holding it is lifted to the control
 * thread's SCHED_FIFO priority while the tick waits for it, so a busy
 * machine cannot make the tick wait behind it. */
static void loop_mutex_init(pthread_mutex_t *mu)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(mu, &a);
	pthread_mutexattr_destroy(&a);
}

int loop_init(struct loop_still *l, const struct cfg_plant *plant, int idx,
              double speed, int realtime, struct jrn *jrn, char *cause,
              size_t cause_len)
{
	const struct cfg_still *s = &plant->stills[idx];
	int64_t period_ns = (int64_t)(s->period_ms * 1e6 / speed);
	int timeout_ms;

	memset(l, 0, sizeof *l);
	if (period_ns < (int64_t)LOOP_MIN_PERIOD_MS * 1000000)
		period_ns = (int64_t)LOOP_MIN_PERIOD_MS * 1000000;
	/* the response timeout is at most half the period; a speed-up
	 * shrinks it no more than the safety windows (clk_speed_window_s:
	 * 100 ms for the bundled 200 ms period, as at speed 1), for a
	 * loaded host answers loopback in 5 ms only most of the time (a
	 * slow reply then costs an overrun, which is counted) */
	timeout_ms = (int)lround(clk_speed_window_s(s->period_ms / 2000.0, speed) / speed * 1000);
	if (timeout_ms < 1)
		timeout_ms = 1;
	if (s->timeout_ms < timeout_ms)
		timeout_ms = s->timeout_ms;
	l->plant = plant;
	l->idx = idx;
	l->speed = speed;
	l->realtime = realtime;
	l->jrn = jrn;
	l->stats.period_ns = period_ns;
	l->last_sample_s = -1e9;
	l->stale_ns = loop_stale_bound(plant, speed);
	core_init(&l->core, plant, idx);
	if (fio_init(&l->fio, plant, idx, timeout_ms, cause, cause_len) < 0)
		return -1;
	/* the start dry run's copy of the core: allocated here, never in a
	 * tick, and not touched (not resident) until the first start */
	l->scratch = malloc(sizeof *l->scratch);
	if (l->scratch == NULL) {
		snprintf(cause, cause_len, "%s: out of memory for the control loop", s->name);
		fio_close(&l->fio);
		return -1;
	}
	loop_comm_floor(l, s->period_ms / 1000.0);
	loop_mutex_init(&l->mu);
	pthread_cond_init(&l->cv, NULL);
	core_status_fill(&l->core, 0, &l->view.core);
	l->wake_fd = -1;
	snprintf(l->view.link, sizeof l->view.link, "lost");
	return 0;
}

void loop_recover(struct loop_still *l, long batch_id, const struct rcp_recipe *r,
                  int step, double charge_kg, const char *operator_name)
{
	core_recover(&l->core, batch_id, r, step, charge_kg, operator_name, 0);
	core_status_fill(&l->core, 0, &l->view.core);
}

/* Process time at monotonic time now_ns. */
static double loop_process_s(const struct loop_still *l, int64_t now_ns)
{
	return (double)(now_ns - l->t0_ns) / 1e9 * l->speed;
}

/* Index of the recipe step called name (names are unique), or 0. */
static int loop_step_index(const struct core_still *c, const char *name)
{
	for (int i = 0; i < c->recipe.n_steps; i++)
		if (strcmp(c->recipe.steps[i].name, name) == 0)
			return i;
	return 0;
}

/* Hands an alarm event to the link (MQTT, notify) with its priority. */
static void loop_link_alarm(struct loop_still *l, const struct core_event *ev)
{
	const struct core_alarm *a = core_alarm_find(&l->core, ev->what);

	l->link->alarm(l->link->ctx, l->idx, ev, a != NULL ? a->priority : 1);
}

/* 1 on the tick that sees a new failed notification about this still's
 * alarms (the notify_failed alarm then waits for an acknowledgement). */
static int loop_notify_failed(struct loop_still *l)
{
	long n;
	int fresh;

	if (l->link == NULL || l->link->failed == NULL)
		return 0;
	n = l->link->failed(l->link->ctx, l->idx);
	fresh = n != l->notify_failed_seen;
	l->notify_failed_seen = n;
	return fresh;
}

/* Hands the core's queued events to the journal; the batch's figures go
 * with it when it reaches a final state. Returns the last seq. */
static uint64_t loop_drain_events(struct loop_still *l)
{
	const char *name = l->plant->stills[l->idx].name;
	struct core_event ev;
	uint64_t seq = 0;

	while (core_event_pop(&l->core, &ev) == 0) {
		uint64_t s = jrn_event(l->jrn, name, &ev);

		seq = s ? s : seq;
		if (ev.kind == CORE_EV_ALARM && l->link != NULL)
			loop_link_alarm(l, &ev);
		if (ev.kind == CORE_EV_STEP && ev.batch_id > 0) {
			s = jrn_batch_step(l->jrn, name, &ev, loop_step_index(&l->core, ev.new_value));
			seq = s ? s : seq;
		}
		if (ev.kind != CORE_EV_STATE || ev.batch_id <= 0)
			continue;
		if (strcmp(ev.new_value, "complete") == 0 || strcmp(ev.new_value, "stopped") == 0 ||
		    strcmp(ev.new_value, "aborted") == 0) {
			double oil_kg = core_oil_g(&l->core) / 1000;

			s = jrn_batch_end(l->jrn, name, ev.batch_id, oil_kg, &l->use,
			                  econ_use_cost_vnd(&l->plant->econ, &l->use));
			seq = s ? s : seq;
		}
	}
	return seq;
}

/* Applies a pending command (under the lock) at process time now_s; a
 * dry run on the loop's scratch copy of the core (no malloc in a tick). */
static void loop_apply_command(struct loop_still *l, double now_s)
{
	if (!l->cmd_pending)
		return;
	if (l->cmd_dry_run) {
		*l->scratch = l->core;
		l->cmd_rc = core_command(l->scratch, &l->cmd, now_s, l->cmd_cause,
		                         sizeof l->cmd_cause);
	} else {
		l->cmd_rc = core_command(&l->core, &l->cmd, now_s, l->cmd_cause,
		                         sizeof l->cmd_cause);
		if (l->cmd_rc == 0 && l->cmd.kind == CORE_CMD_START)
			memset(&l->use, 0, sizeof l->use);
	}
	l->cmd_pending = 0;
	l->cmd_done = 1;
}

/* Queues a historian sample when one is due. */
static void loop_sample(struct loop_still *l, const struct core_inputs *in, double now_s)
{
	struct store_sample s;

	if ((now_s - l->last_sample_s) * 1000 < l->plant->historian_ms)
		return;
	l->last_sample_s = now_s;
	memset(&s, 0, sizeof s);
	s.batch_id = core_batch_active(&l->core) ? l->core.batch_id : 0;
	snprintf(s.still, sizeof s.still, "%s", l->plant->stills[l->idx].name);
	s.t_process_s = now_s;
	s.wall_s = clk_wall_s();
	memcpy(s.value, in->value, sizeof s.value);
	memcpy(s.quality, in->quality, sizeof s.quality);
	jrn_sample(l->jrn, &s);
}

/* The value of tag t when its reading is good, else NaN (not counted). */
static double loop_good(const struct core_inputs *in, enum cfg_tag t)
{
	return in->quality[t] == CORE_Q_GOOD ? in->value[t] : NAN;
}

/* Adds dt_s of the running batch to its resources (econ_use_add). Held
 * time is left out altogether: the steam valve is shut and the crew waits
 * on the operator, so it is not running time; a lost batch neither. */
static void loop_account(struct loop_still *l, const struct core_inputs *in,
                         double dt_s)
{
	if (!core_batch_active(&l->core) || l->core.state == CORE_HELD ||
	    l->core.state == CORE_LOST || !(dt_s > 0))
		return;
	econ_use_add(&l->use, &l->plant->econ, dt_s,
	             loop_good(in, CFG_TAG_STEAM_FLOW), loop_good(in, CFG_TAG_COOLING_FLOW));
}

/* Records wake lateness of this tick (the ring under the lock). */
static void loop_note_jitter(struct loop_still *l, int64_t late_ns)
{
	struct loop_jitter *j = &l->jitter;

	j->ns[j->pos] = late_ns;
	j->pos = (j->pos + 1) % LOOP_JITTER_SAMPLES;
	if (j->count < LOOP_JITTER_SAMPLES)
		j->count++;
	if (late_ns > l->stats.jitter_max_ns)
		l->stats.jitter_max_ns = late_ns;
}

/* 1 on the tick that sees a new item of this still set aside by the
 * journal (the journal alarm then waits for an acknowledgement). */
static int loop_journal_aside(struct loop_still *l)
{
	long n = jrn_quarantined(l->jrn, l->plant->stills[l->idx].name);
	int fresh = n != l->aside_seen;

	l->aside_seen = n;
	return fresh;
}

/* One tick at monotonic time now_ns, woken late_ns after its deadline. */
static void loop_tick(struct loop_still *l, int64_t now_ns, int64_t late_ns)
{
	struct core_inputs in;
	struct core_outputs out;
	double now_s = loop_process_s(l, now_ns);
	double dt_s = now_s - l->core.last_now_s;
	int64_t t_read_ns = clk_mono_ns(), io0, io_ns;
	uint64_t seq;

	memset(&in, 0, sizeof in);
	fio_read(&l->fio, &in, t_read_ns);
	in.storage_fault = jrn_failing(l->jrn);
	in.journal_aside = loop_journal_aside(l);
	in.notify_failed = loop_notify_failed(l);
	io_ns = clk_mono_ns() - t_read_ns;
	pthread_mutex_lock(&l->mu);
	loop_apply_command(l, now_s);
	pthread_mutex_unlock(&l->mu);
	core_step(&l->core, &in, now_s, &out);
	io0 = clk_mono_ns();
	if (io0 - t_read_ns > l->stale_ns)
		l->stats.stale_skips++; /* loop_stale_bound: read again first */
	else
		fio_write(&l->fio, &out, io0);
	l->stats.io_ns = io_ns + clk_mono_ns() - io0;
	l->stats.ticks++;
	l->stats.modbus_errors = l->fio.errors;
	loop_account(l, &in, dt_s);
	seq = loop_drain_events(l);
	loop_sample(l, &in, now_s);

	pthread_mutex_lock(&l->mu);
	if (l->cmd_done && !l->cmd_published) {
		l->cmd_seq = seq;
		l->cmd_published = 1;
		thr_wake(l->wake_fd);
	}
	loop_note_jitter(l, late_ns);
	core_status_fill(&l->core, now_s, &l->view.core);
	l->view.stats = l->stats;
	l->view.use = l->use;
	l->view.process_s = now_s;
	snprintf(l->view.link, sizeof l->view.link, "%s", fio_link_state(&l->fio));
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* Writes the safe outputs once (shutdown). */
static void loop_write_safe(struct loop_still *l)
{
	struct core_outputs out = {
		.steam_pct = l->plant->safe_steam_pct,
		.cooling_pct = l->plant->safe_cooling_pct,
		.heartbeat = (uint16_t)(l->core.heartbeat + 1),
	};

	fio_write(&l->fio, &out, clk_mono_ns());
}

/* Tries SCHED_FIFO for this thread and says what it got. */
static void loop_set_realtime(struct loop_still *l)
{
	struct sched_param sp = {.sched_priority = 50};
	const char *name = l->plant->stills[l->idx].name;
	int rc = l->realtime ? pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) : -1;

	if (rc == 0)
		log_info("%s: control thread SCHED_FIFO priority 50", name);
	else
		log_info("%s: control thread plain scheduling (%s)", name,
		         l->realtime ? strerror(rc) : "real-time off");
}

/* Advances *deadline past now; returns how many periods were skipped. */
static long loop_next_deadline(int64_t *deadline, int64_t period_ns, int64_t now_ns)
{
	long skipped = 0;

	*deadline += period_ns;
	if (now_ns >= *deadline) {
		skipped = (long)((now_ns - *deadline) / period_ns) + 1;
		*deadline += skipped * period_ns;
	}
	return skipped;
}

static void *loop_thread(void *arg)
{
	struct loop_still *l = arg;
	int64_t deadline = clk_mono_ns();
	int stop = 0;

	loop_set_realtime(l);
	while (!stop) {
		struct timespec ts = clk_ts_from_ns(deadline);
		int64_t now;
		long skipped;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		now = clk_mono_ns();
		loop_tick(l, now, now - deadline);
		skipped = loop_next_deadline(&deadline, l->stats.period_ns, clk_mono_ns());
		if (skipped > 0) {
			l->stats.overruns++;
			l->stats.skipped += skipped;
		}
		pthread_mutex_lock(&l->mu);
		stop = l->stop;
		pthread_mutex_unlock(&l->mu);
	}
	loop_write_safe(l);
	fio_close(&l->fio);
	return NULL;
}

/* A control thread's stack: at most 28 KiB used over whole batches (the
 * Rss of its stack in /proc/PID/smaps of a --no-realtime daemon), so
 * 128 KiB, not THR_STACK_KB: the daemon locks its memory, and 32 stills'
 * stacks were 8 MiB of it. AddressSanitizer's frames are larger. */
#if !defined(__SANITIZE_ADDRESS__)
#define LOOP_STACK_KB 128
#else
#define LOOP_STACK_KB 256
#endif

int loop_start(struct loop_still *l, char *cause, size_t cause_len)
{
	l->t0_ns = clk_mono_ns();
	if (thr_start(&l->thread, loop_thread, l, LOOP_STACK_KB) != 0) {
		snprintf(cause, cause_len, "%s: cannot start control thread",
		         l->plant->stills[l->idx].name);
		return -1;
	}
	return 0;
}

int loop_cmd_submit(struct loop_still *l, const struct core_cmd *cmd, int dry_run)
{
	int rc = -1;

	pthread_mutex_lock(&l->mu);
	if (!l->cmd_busy) {
		l->cmd = *cmd;
		l->cmd_dry_run = dry_run;
		l->cmd_pending = 1;
		l->cmd_done = 0;
		l->cmd_published = 0;
		l->cmd_seq = 0;
		l->cmd_busy = 1;
		rc = 0;
	}
	pthread_mutex_unlock(&l->mu);
	return rc;
}

/* loop_cmd_poll with the lock held. */
static enum loop_cmd_outcome loop_cmd_outcome_locked(struct loop_still *l, int withdraw,
                                                     uint64_t *seq, char *cause,
                                                     size_t cause_len)
{
	if (!l->cmd_busy) {
		snprintf(cause, cause_len, "%s: no command waits", l->plant->stills[l->idx].name);
		return LOOP_CMD_WITHDRAWN;
	}
	if (l->cmd_pending && withdraw) {
		/* no tick has seen it: taking it back means it never happens */
		l->cmd_pending = 0;
		l->cmd_busy = 0;
		snprintf(cause, cause_len,
		         "%s: the control thread did not take the command in time; "
		         "it was not carried out", l->plant->stills[l->idx].name);
		return LOOP_CMD_WITHDRAWN;
	}
	if (!l->cmd_published)
		return LOOP_CMD_WAITING;
	l->cmd_busy = 0;
	if (l->cmd_rc < 0) {
		snprintf(cause, cause_len, "%s", l->cmd_cause);
		return LOOP_CMD_REFUSED;
	}
	*seq = l->cmd_seq;
	return LOOP_CMD_TAKEN;
}

enum loop_cmd_outcome loop_cmd_poll(struct loop_still *l, int withdraw, uint64_t *seq,
                                    char *cause, size_t cause_len)
{
	enum loop_cmd_outcome o;

	pthread_mutex_lock(&l->mu);
	o = loop_cmd_outcome_locked(l, withdraw, seq, cause, cause_len);
	pthread_mutex_unlock(&l->mu);
	return o;
}

enum loop_cmd_outcome loop_command(struct loop_still *l, const struct core_cmd *cmd,
                                   int dry_run, int timeout_ms, uint64_t *seq,
                                   char *cause, size_t cause_len)
{
	struct timespec until;
	enum loop_cmd_outcome o;
	int timed_out = 0;

	if (loop_cmd_submit(l, cmd, dry_run) < 0) {
		snprintf(cause, cause_len, "%s is busy with another operator's command; "
		         "try again in a moment", l->plant->stills[l->idx].name);
		return LOOP_CMD_WITHDRAWN;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	clk_ts_add_ns(&until, (int64_t)timeout_ms * 1000000);
	pthread_mutex_lock(&l->mu);
	/* after the timeout only an applied command is waited for: the rest
	 * of its tick is bounded by the I/O timeouts */
	while ((o = loop_cmd_outcome_locked(l, timed_out, seq, cause, cause_len)) ==
	       LOOP_CMD_WAITING) {
		if (timed_out)
			pthread_cond_wait(&l->cv, &l->mu);
		else
			timed_out = pthread_cond_timedwait(&l->cv, &l->mu, &until) == ETIMEDOUT;
	}
	pthread_mutex_unlock(&l->mu);
	return o;
}

double loop_now_s(const struct loop_still *l)
{
	return loop_process_s(l, clk_mono_ns());
}

long loop_ticks(struct loop_still *l)
{
	long n;

	pthread_mutex_lock(&l->mu);
	n = l->view.stats.ticks;
	pthread_mutex_unlock(&l->mu);
	return n;
}

void loop_view(struct loop_still *l, struct loop_view *v)
{
	pthread_mutex_lock(&l->mu);
	memcpy(v, &l->view, offsetof(struct loop_view, core));
	core_status_copy(&v->core, &l->view.core);
	pthread_mutex_unlock(&l->mu);
}

void loop_jitter(struct loop_still *l, struct loop_jitter *j)
{
	pthread_mutex_lock(&l->mu);
	*j = l->jitter;
	pthread_mutex_unlock(&l->mu);
}

void loop_stop(struct loop_still *l)
{
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->scratch);
	l->scratch = NULL;
}

/* Ascending order of int64_t. */
static int loop_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

double loop_jitter_pct_us(const struct loop_jitter *j, double p)
{
	int64_t sorted[LOOP_JITTER_SAMPLES];
	int n = j->count, i;

	if (n == 0)
		return 0;
	memcpy(sorted, j->ns, (size_t)n * sizeof sorted[0]);
	qsort(sorted, (size_t)n, sizeof sorted[0], loop_cmp_i64);
	i = (int)(p / 100.0 * (n - 1) + 0.5);
	return (double)sorted[i] / 1000.0;
}
