/*
 * thr: threads with a bounded stack. The default 8 MiB stack of every
 * thread becomes resident under mlockall (the daemon locks its memory for
 * real-time work), so long-lived threads are started with what they need.
 */
#ifndef THR_H
#define THR_H

#include <pthread.h>
#include <stddef.h>

#define THR_STACK_KB 256   /* the journal thread in SQLite is the deepest; ASan-tested */

/* pthread_create with a stack of stack_kb KiB (0: THR_STACK_KB).
 * Returns 0 or an errno value, as pthread_create does. */
int thr_start(pthread_t *t, void *(*fn)(void *), void *arg, size_t stack_kb);

/* Wakes the poll loop watching eventfd fd (non-blocking; -1: nothing to
 * wake). Never waits: safe in a control tick. */
void thr_wake(int fd);

#endif
