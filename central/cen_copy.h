/*
 * cen_copy: rows in PostgreSQL's COPY text form (tab-separated, \N for
 * NULL, backslash escapes), built in memory for one batch.
 */
#ifndef CEN_COPY_H
#define CEN_COPY_H

#include <stddef.h>

/* A batch's rows in COPY text form. */
struct cen_copy {
	char *buf;
	size_t len, cap;
	long rows;
	int failed;                 /* out of memory: the batch is void */
};

/* Empties k (keeps its memory). */
void cen_copy_reset(struct cen_copy *k);
/* Frees k's memory. */
void cen_copy_free(struct cen_copy *k);
/* Appends one row: plant then the n values (NULL = SQL NULL), escaped. */
void cen_copy_row(struct cen_copy *k, const char *plant, int n,
                  const char *const *val);

#endif
