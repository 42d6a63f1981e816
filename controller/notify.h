/*
 * notify: the alarm notification hook (`notify:` in the plant config,
 * cfg_link.h). On an alarm onset whose priority number is at most
 * min_priority (1 is the most urgent, as core_alarm numbers them), its
 * own thread runs the configured program with the alarm in environment
 * variables (STILLROOM_EVENT, STILLROOM_ALARM, STILLROOM_STILL,
 * STILLROOM_PRIORITY, STILLROOM_MESSAGE, STILLROOM_STATE, STILLROOM_BATCH,
 * STILLROOM_SITE, STILLROOM_TIME): one at a time, stdin from /dev/null,
 * its output to the daemon's log, killed (its whole process group) after
 * timeout_s. The same alarm of the same still is sent at most once per
 * min_interval_s (per alarm, not globally: a second alarm is never held
 * back by the first). A failure (exit status not 0, a signal, the
 * timeout, the program not runnable) is logged and counted per still;
 * the still's control thread raises `notify_failed` from the count
 * (loop_link). A control thread never waits: notify_alarm only queues
 * (alq). The notify_failed alarm itself is never sent through the hook.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stddef.h>

#include "cfg.h"
#include "core.h"

struct notify;

/* Starts the hook's thread for plant p (its `notify:` section set).
 * Returns it, or NULL with a sentence in cause. */
struct notify *notify_start(const struct cfg_plant *p, char *cause, size_t cause_len);

/* From a control thread: an alarm event of still (index) with its
 * priority; queues the onsets the hook wants, never waits. n may be NULL. */
void notify_alarm(struct notify *n, int still, const struct core_event *ev, int priority);

/* Notifications about still's alarms that failed since the start. */
long notify_failed(struct notify *n, int still);

/* Stops the thread (a program still running is given up to its timeout)
 * and frees n; NULL is fine. */
void notify_stop(struct notify *n);

#endif
