/* cen_conn: the central connection. See cen_conn.h. */
#include "cen_conn_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CEN_CONN_PW_MAX 512

/* Writes a sentence into cause; returns -1. */
static int cen_conn_say(char *cause, size_t cause_len, const char *what,
                        const char *path)
{
	snprintf(cause, cause_len, "credentials file %s: %s", path, what);
	return -1;
}

int cen_conn_password(const char *path, char *pw, size_t size, char *cause,
                      size_t cause_len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return cen_conn_say(cause, cause_len, strerror(errno), path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cen_conn_say(cause, cause_len, "not a regular file", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return cen_conn_say(cause, cause_len, "group or others may read "
		                    "it: chmod 600 (owner root)", path);
	}
	n = read(fd, pw, size - 1);
	close(fd);
	if (n < 0)
		return cen_conn_say(cause, cause_len, strerror(errno), path);
	pw[n] = '\0';
	pw[strcspn(pw, "\r\n")] = '\0';
	return pw[0] ? 0 : cen_conn_say(cause, cause_len, "empty first line", path);
}

struct cen_conn *cen_conn_open(const char *conninfo, const char *cred_path,
                               char *cause, size_t cause_len)
{
	char pw[CEN_CONN_PW_MAX] = "";
	const char *key[] = {"connect_timeout", "application_name", "dbname",
	                     "password", NULL};
	const char *val[] = {"10", "stillroom-sync", conninfo, pw, NULL};
	struct cen_conn *c;

	if (cred_path && cred_path[0] &&
	    cen_conn_password(cred_path, pw, sizeof pw, cause, cause_len) < 0)
		return NULL;
	if (!pw[0])
		key[3] = NULL;
	c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(cause, cause_len, "out of memory");
		return NULL;
	}
	c->pg = PQconnectdbParams(key, val, 1);
	memset(pw, 0, sizeof pw);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(cause, cause_len, "cannot connect to the central "
		         "PostgreSQL: %s", c->pg ? PQerrorMessage(c->pg) : "no memory");
		cause[strcspn(cause, "\n")] = '\0';
		cen_conn_close(c);
		return NULL;
	}
	return c;
}

void cen_conn_close(struct cen_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

int cen_conn_fail(struct cen_conn *c, PGresult *r, const char *doing,
                  char *cause, size_t cause_len)
{
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg);

	snprintf(cause, cause_len, "%s: %s", doing, msg && msg[0] ? msg :
	         "the connection failed");
	cause[strcspn(cause, "\n")] = '\0';
	PQclear(r);
	return -1;
}

PGresult *cen_conn_query(struct cen_conn *c, const char *sql, int n,
                         const char *const *param, const char *doing,
                         char *cause, size_t cause_len)
{
	PGresult *r = PQexecParams(c->pg, sql, n, NULL, param, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	cen_conn_fail(c, r, doing, cause, cause_len);
	return NULL;
}

int cen_conn_exec(struct cen_conn *c, const char *sql, char *cause,
                  size_t cause_len)
{
	PGresult *r = PQexec(c->pg, sql);
	ExecStatusType s = PQresultStatus(r);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		PQclear(r);
		return 0;
	}
	return cen_conn_fail(c, r, "central", cause, cause_len);
}

int cen_conn_ok(const struct cen_conn *c)
{
	return c && PQstatus(c->pg) == CONNECTION_OK;
}

const char *cen_conn_user(const struct cen_conn *c)
{
	return PQuser(c->pg);
}

void cen_conn_ident(FILE *f, const char *prefix, const char *name)
{
	fprintf(f, "%s\"", prefix);
	for (; *name; name++) {
		if (*name == '"')
			fputc('"', f);
		fputc(*name, f);
	}
	fputc('"', f);
}

void cen_conn_rollback(struct cen_conn *c)
{
	PQclear(PQexec(c->pg, "ROLLBACK"));
}
