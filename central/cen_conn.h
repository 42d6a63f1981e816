/*
 * cen_conn: a connection to the central PostgreSQL for stillroom-sync
 * (issue 16). The only place besides the other cen_*.c files that sees
 * libpq; struct cen_conn is opaque so sync/ includes this without libpq's
 * headers. The password comes from a credentials file (root-only, never
 * logged); the conninfo is never logged either (it may name hosts and
 * users, but never holds the password: cfg_sync refuses that).
 */
#ifndef CEN_CONN_H
#define CEN_CONN_H

#include <stddef.h>

struct cen_conn;

/*
 * Reads the password, the first line of the file at path, into pw
 * (size bytes). Refuses a file that group or others may read or write,
 * or that is not a regular file. Returns 0, or -1 with a sentence in
 * cause naming the path (never the contents).
 */
int cen_conn_password(const char *path, char *pw, size_t size, char *cause,
                      size_t cause_len);

/*
 * Connects to conninfo ("" = libpq's environment) with the password from
 * the credentials file cred_path ("" or NULL = none: libpq's own ways,
 * e.g. ~/.pgpass or a client certificate), connect_timeout 10 s unless
 * conninfo says otherwise. Returns the connection, or NULL with a
 * sentence in cause.
 */
struct cen_conn *cen_conn_open(const char *conninfo, const char *cred_path,
                               char *cause, size_t cause_len);

/* Closes c; NULL is fine. */
void cen_conn_close(struct cen_conn *c);

/* Runs one or more SQL commands without parameters; 0, or -1 with the
 * server's message in cause. */
int cen_conn_exec(struct cen_conn *c, const char *sql, char *cause,
                  size_t cause_len);

/* 1 when the connection is up (else the caller reconnects). */
int cen_conn_ok(const struct cen_conn *c);

/* The role the session runs as (the plant's name for a plant role). */
const char *cen_conn_user(const struct cen_conn *c);

#endif
