/* notify: the alarm notification hook. See notify.h. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alq.h"
#include "clk.h"
#include "log.h"
#include "thr.h"

#define NOTIFY_SENT_MAX 512       /* alarms whose last send is remembered */
#define NOTIFY_POLL_NS 20000000   /* how often a running program is checked */
#define NOTIFY_ENV_MAX 12

/* When an alarm of a still was last sent. */
struct notify_sent {
	int still;
	char alarm[32];
	double wall_s;
};

struct notify {
	const struct cfg_plant *plant;
	struct notify_cfg cfg;
	struct alq q;
	pthread_t thread;
	long failed[CFG_STILLS_MAX];  /* atomics: read by control threads */
	struct notify_sent sent[NOTIFY_SENT_MAX]; /* the thread's own */
	int n_sent;
};

/* The remembered send of still's alarm (a free or the oldest slot when
 * new: its wall_s is then 0). */
static struct notify_sent *notify_sent_slot(struct notify *n, int still, const char *alarm)
{
	struct notify_sent *oldest = &n->sent[0];

	for (int i = 0; i < n->n_sent; i++) {
		if (n->sent[i].still == still && strcmp(n->sent[i].alarm, alarm) == 0)
			return &n->sent[i];
		if (n->sent[i].wall_s < oldest->wall_s)
			oldest = &n->sent[i];
	}
	if (n->n_sent < NOTIFY_SENT_MAX)
		oldest = &n->sent[n->n_sent++];
	oldest->still = still;
	snprintf(oldest->alarm, sizeof oldest->alarm, "%s", alarm);
	oldest->wall_s = 0;
	return oldest;
}

void notify_alarm(struct notify *n, int still, const struct core_event *ev, int priority)
{
	struct alq_item it;

	if (n == NULL || priority > n->cfg.min_priority || alq_kind_of(ev) != ALQ_ONSET ||
	    strcmp(ev->what, "notify_failed") == 0)
		return;
	it.kind = ALQ_ONSET;
	it.still = still;
	it.priority = priority;
	it.wall_s = clk_wall_s();
	it.ev = *ev;
	alq_push(&n->q, &it);
}

long notify_failed(struct notify *n, int still)
{
	return n != NULL ? __atomic_load_n(&n->failed[still], __ATOMIC_RELAXED) : 0;
}

/* The environment of one run: NAME=value strings in buf, pointers in env. */
static void notify_env(const struct notify *n, const struct alq_item *it,
                       char buf[NOTIFY_ENV_MAX][320], char **env)
{
	char when[32];
	time_t t = (time_t)it->wall_s;
	struct tm tm;
	int k = 0;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(buf[k++], 320, "PATH=/usr/local/bin:/usr/bin:/bin");
	snprintf(buf[k++], 320, "STILLROOM_EVENT=onset");
	snprintf(buf[k++], 320, "STILLROOM_ALARM=%s", it->ev.what);
	snprintf(buf[k++], 320, "STILLROOM_STILL=%s", n->plant->stills[it->still].name);
	snprintf(buf[k++], 320, "STILLROOM_PRIORITY=%d", it->priority);
	snprintf(buf[k++], 320, "STILLROOM_MESSAGE=%s", it->ev.text);
	snprintf(buf[k++], 320, "STILLROOM_STATE=%s", it->ev.new_value);
	snprintf(buf[k++], 320, "STILLROOM_BATCH=%ld", it->ev.batch_id);
	snprintf(buf[k++], 320, "STILLROOM_SITE=%s", n->plant->site);
	snprintf(buf[k++], 320, "STILLROOM_TIME=%s", when);
	for (int i = 0; i < k; i++)
		env[i] = buf[i];
	env[k] = NULL;
}

/* Starts the program for *it in its own process group, signals back to
 * their defaults and unblocked, stdin from /dev/null. Its pid, or -1 with
 * errno's sentence in cause. */
static pid_t notify_spawn(const struct notify *n, const struct alq_item *it,
                          char *cause, size_t cause_len)
{
	static char buf[NOTIFY_ENV_MAX][320];
	char *env[NOTIFY_ENV_MAX + 1];
	char *argv[] = {(char *)n->cfg.exec, NULL};
	posix_spawnattr_t at;
	posix_spawn_file_actions_t fa;
	sigset_t none, all;
	pid_t pid = -1;
	int rc;

	notify_env(n, it, buf, env);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                                   POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&pid, n->cfg.exec, &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		snprintf(cause, cause_len, "cannot run %s: %s", n->cfg.exec, strerror(rc));
		return -1;
	}
	return pid;
}

/* Waits for pid until timeout_s, then kills its process group. 0 when it
 * exited 0, else -1 with what happened in cause. */
static int notify_wait(const struct notify *n, pid_t pid, char *cause, size_t cause_len)
{
	int64_t end_ns = clk_mono_ns() + (int64_t)(n->cfg.timeout_s * 1e9);
	struct timespec nap = {0, NOTIFY_POLL_NS};
	int st = 0;
	pid_t w;

	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && clk_mono_ns() < end_ns)
		nanosleep(&nap, NULL);
	if (w == 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		snprintf(cause, cause_len, "%s did not finish within %g s: killed",
		         n->cfg.exec, n->cfg.timeout_s);
		return -1;
	}
	if (w < 0) {
		snprintf(cause, cause_len, "%s: waitpid: %s", n->cfg.exec, strerror(errno));
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		snprintf(cause, cause_len, "%s exited with status %d", n->cfg.exec,
		         WEXITSTATUS(st));
	else
		snprintf(cause, cause_len, "%s was ended by signal %d", n->cfg.exec,
		         WTERMSIG(st));
	return -1;
}

/* Sends one onset unless the same alarm went out within min_interval_s. */
static void notify_one(struct notify *n, const struct alq_item *it)
{
	const char *still = n->plant->stills[it->still].name;
	struct notify_sent *s = notify_sent_slot(n, it->still, it->ev.what);
	char cause[CFG_LINK_PATH_MAX + 96];
	pid_t pid;

	if (s->wall_s > 0 && it->wall_s - s->wall_s < n->cfg.min_interval_s) {
		log_info("notify: %s %s not sent: the same alarm was sent %.0f s ago "
		         "(min_interval_s %g)", still, it->ev.what, it->wall_s - s->wall_s,
		         n->cfg.min_interval_s);
		return;
	}
	s->wall_s = it->wall_s;
	pid = notify_spawn(n, it, cause, sizeof cause);
	if (pid > 0 && notify_wait(n, pid, cause, sizeof cause) == 0) {
		log_info("notify: %s %s (priority %d) sent", still, it->ev.what, it->priority);
		return;
	}
	log_error("notify: %s %s (priority %d) not sent: %s", still, it->ev.what,
	          it->priority, cause);
	__atomic_add_fetch(&n->failed[it->still], 1, __ATOMIC_RELAXED);
}

static void *notify_main(void *arg)
{
	struct notify *n = arg;
	struct alq_item it;
	long dropped_seen = 0;

	for (;;) {
		int got = alq_pop(&n->q, &it, clk_mono_ns() + 1000000000);

		if (got < 0)
			break;
		if (got == 0)
			continue;
		notify_one(n, &it);
		if (alq_dropped(&n->q) != dropped_seen) {
			dropped_seen = alq_dropped(&n->q);
			log_warn("notify: %ld alarm onsets dropped so far (queue busy or "
			         "full): not sent", dropped_seen);
		}
	}
	return NULL;
}

struct notify *notify_start(const struct cfg_plant *p, char *cause, size_t cause_len)
{
	struct notify *n = calloc(1, sizeof *n);
	int rc;

	if (n == NULL) {
		snprintf(cause, cause_len, "notify: out of memory");
		return NULL;
	}
	n->plant = p;
	n->cfg = p->notify;
	rc = alq_init(&n->q);
	if (rc != 0)
		goto out_free;
	rc = thr_start(&n->thread, notify_main, n, 0);
	if (rc != 0)
		goto out_destroy_q;
	log_info("notify: %s on alarm onsets of priority 1 to %d, at most once per "
	         "alarm every %g s", n->cfg.exec, n->cfg.min_priority,
	         n->cfg.min_interval_s);
	return n;
out_destroy_q:
	alq_destroy(&n->q);
out_free:
	snprintf(cause, cause_len, "notify: cannot start its thread: %s", strerror(rc));
	free(n);
	return NULL;
}

void notify_stop(struct notify *n)
{
	if (n == NULL)
		return;
	alq_stop(&n->q);
	pthread_join(n->thread, NULL);
	alq_destroy(&n->q);
	free(n);
}
