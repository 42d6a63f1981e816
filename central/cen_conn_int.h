/*
 * cen_conn_int: what the cen_*.c files share inside central/: the libpq
 * connection behind struct cen_conn and small helpers around PGresult.
 * Not for other modules (they use the cen_*.h headers).
 */
#ifndef CEN_CONN_INT_H
#define CEN_CONN_INT_H

#include <stdio.h>

#include <libpq-fe.h>

#include "cen_conn.h"

struct cen_conn {
	PGconn *pg;
};

/* "doing: the server's message" into cause; clears r; returns -1. */
int cen_conn_fail(struct cen_conn *c, PGresult *r, const char *doing,
                  char *cause, size_t cause_len);

/* Runs sql with n text parameters (NULL = SQL NULL); returns the result
 * when its status is ok (PGRES_COMMAND_OK or TUPLES_OK), else NULL with
 * cause ("doing: message"). The caller PQclear()s it. */
PGresult *cen_conn_query(struct cen_conn *c, const char *sql, int n,
                         const char *const *param, const char *doing,
                         char *cause, size_t cause_len);

/* Writes name to f as a quoted SQL identifier ("a""b"), after prefix
 * (e.g. "s." or ""). */
void cen_conn_ident(FILE *f, const char *prefix, const char *name);

/* Ends a rollback of the current transaction, whatever state it is in. */
void cen_conn_rollback(struct cen_conn *c);

#endif
