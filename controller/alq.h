/*
 * alq: a bounded queue of alarm onsets and returns, from the control
 * threads to one consumer thread (the MQTT publisher, the notify hook).
 * A control thread never waits on it: alq_push only tries the mutex and,
 * when it is held or the ring is full, drops the event and counts it.
 */
#ifndef ALQ_H
#define ALQ_H

#include <pthread.h>
#include <stdint.h>

#include "core.h"

#define ALQ_MAX 256

enum alq_kind { ALQ_NONE, ALQ_ONSET, ALQ_RETURN };

/* One alarm event as the consumers need it. */
struct alq_item {
	enum alq_kind kind;
	int still;                       /* index in the plant's stills */
	int priority;                    /* 1 high (most urgent) .. 3 low */
	double wall_s;                   /* when, seconds since the epoch */
	struct core_event ev;            /* what = alarm id, text = message */
};

struct alq {
	pthread_mutex_t mu;
	pthread_cond_t cv;               /* an item came, or stop */
	struct alq_item ring[ALQ_MAX];
	int head, count;
	long dropped;                    /* refused: busy or full */
	int stop;
};

/* What an alarm event is: an onset (normal or rtn_unack -> unack), a
 * return (unack -> rtn_unack, acked -> normal), or neither (ack, shelve,
 * latch, flood...). */
enum alq_kind alq_kind_of(const struct core_event *ev);

/* Sets q up empty. 0, or an errno value. */
int alq_init(struct alq *q);

/* Frees what alq_init made. */
void alq_destroy(struct alq *q);

/* Queues *it; never waits. 0, or -1 when it was dropped (counted). */
int alq_push(struct alq *q, const struct alq_item *it);

/* Takes the oldest item into *it, waiting until deadline_ns (monotonic)
 * at most (0: do not wait). 1 when it took one, 0 when none came, -1 when
 * the queue is empty and alq_stop was called. */
int alq_pop(struct alq *q, struct alq_item *it, int64_t deadline_ns);

/* Events dropped since the start (busy or full). */
long alq_dropped(struct alq *q);

/* Wakes the consumer for good: alq_pop returns -1 from now on when empty. */
void alq_stop(struct alq *q);

#endif
