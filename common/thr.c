/* thr: threads with a bounded stack. See thr.h. */
#include "thr.h"

#include <stdint.h>
#include <unistd.h>

int thr_start(pthread_t *t, void *(*fn)(void *), void *arg, size_t stack_kb)
{
	pthread_attr_t attr;
	int rc;

	rc = pthread_attr_init(&attr);
	if (rc != 0)
		return rc;
	rc = pthread_attr_setstacksize(&attr, (stack_kb ? stack_kb : THR_STACK_KB) * 1024);
	if (rc == 0)
		rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

void thr_wake(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof one) < 0) {
		/* EAGAIN: the counter is full, so the loop is woken already */
	}
}
