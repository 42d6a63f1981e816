/* alq: the alarm event queue to the link threads. See alq.h. */
#include "alq.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "clk.h"

enum alq_kind alq_kind_of(const struct core_event *ev)
{
	const char *o = ev->old_value, *n = ev->new_value;

	if (ev->kind != CORE_EV_ALARM || strcmp(ev->what, "flood") == 0)
		return ALQ_NONE;
	if (strcmp(n, "unack") == 0 && (strcmp(o, "normal") == 0 || strcmp(o, "rtn_unack") == 0))
		return ALQ_ONSET;
	if ((strcmp(o, "unack") == 0 && strcmp(n, "rtn_unack") == 0) ||
	    (strcmp(o, "acked") == 0 && strcmp(n, "normal") == 0))
		return ALQ_RETURN;
	return ALQ_NONE;
}

int alq_init(struct alq *q)
{
	pthread_condattr_t ca;
	int rc;

	memset(q, 0, sizeof *q);
	rc = pthread_mutex_init(&q->mu, NULL);
	if (rc != 0)
		return rc;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		pthread_mutex_destroy(&q->mu);
	return rc;
}

void alq_destroy(struct alq *q)
{
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
}

int alq_push(struct alq *q, const struct alq_item *it)
{
	if (pthread_mutex_trylock(&q->mu) != 0) {
		__atomic_add_fetch(&q->dropped, 1, __ATOMIC_RELAXED);
		return -1;
	}
	if (q->count == ALQ_MAX) {
		pthread_mutex_unlock(&q->mu);
		__atomic_add_fetch(&q->dropped, 1, __ATOMIC_RELAXED);
		return -1;
	}
	q->ring[(q->head + q->count) % ALQ_MAX] = *it;
	q->count++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int alq_pop(struct alq *q, struct alq_item *it, int64_t deadline_ns)
{
	struct timespec ts = clk_ts_from_ns(deadline_ns);
	int got = 0;

	pthread_mutex_lock(&q->mu);
	while (q->count == 0 && !q->stop && deadline_ns > 0 &&
	       pthread_cond_timedwait(&q->cv, &q->mu, &ts) != ETIMEDOUT)
		;
	if (q->count > 0) {
		*it = q->ring[q->head];
		q->head = (q->head + 1) % ALQ_MAX;
		q->count--;
		got = 1;
	} else if (q->stop) {
		got = -1;
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

long alq_dropped(struct alq *q)
{
	return __atomic_load_n(&q->dropped, __ATOMIC_RELAXED);
}

void alq_stop(struct alq *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}
