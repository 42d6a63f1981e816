/*
 * diag: a bounded list of error sentences for people, each one line
 * "file:line:column: message". Parsers add to it; callers print it.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stdio.h>

#define DIAG_MAX 50        /* errors kept per file; more are counted */
#define DIAG_LINE_MAX 320

struct diag {
	int n;                          /* lines kept */
	int dropped;                    /* lines past DIAG_MAX */
	char line[DIAG_MAX][DIAG_LINE_MAX];
};

/* Empties d. */
void diag_init(struct diag *d);

/* Adds "file:line:col: message" (line and col 1-based; 0 omits them). */
void diag_add(struct diag *d, const char *file, int line, int col,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prints every line to f, then "... and N more" if some were dropped. */
void diag_print(const struct diag *d, FILE *f);

#endif
