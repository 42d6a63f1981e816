/*
 * cen_ship: shipping a batch of rows, positions, the chain's central end
 * and chain faults. See cen_ship.h.
 */
#include "cen_conn_int.h"
#include "cen_ship.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes cols of t to f, each after prefix, comma-separated. */
static void cen_ship_cols(FILE *f, const struct cen_table *t, const char *prefix)
{
	for (int i = 0; i < t->n_cols; i++) {
		if (i)
			fputs(", ", f);
		cen_conn_ident(f, prefix, t->col[i]);
	}
}

/* Writes the key columns of t to f: plant, k1, ... */
static void cen_ship_key(FILE *f, const struct cen_table *t)
{
	fputs("plant", f);
	for (int i = 0; i < t->n_key; i++) {
		fputs(", ", f);
		cen_conn_ident(f, "", t->col[t->key[i]]);
	}
}

/* Runs the SQL text f built (closing f); 0 or -1. *tuples (may be
 * NULL) gets the rows it changed, or the first column of its first row
 * for a SELECT (text; NULL when none) into first (size bytes). */
static int cen_ship_run(struct cen_conn *c, FILE *f, char **sql,
                        const char *doing, long *tuples, char *first,
                        size_t size, char *cause, size_t cause_len)
{
	PGresult *r;

	fclose(f);
	r = cen_conn_query(c, *sql, 0, NULL, doing, cause, cause_len);
	free(*sql);
	*sql = NULL;
	if (!r)
		return -1;
	if (tuples)
		*tuples = atol(PQcmdTuples(r));
	if (first) {
		first[0] = '\0';
		if (PQntuples(r) > 0)
			snprintf(first, size, "%s", PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return 0;
}

/* CREATE TEMP TABLE sync_stage (LIKE t) and COPY k into it. */
static int cen_ship_stage(struct cen_conn *c, const struct cen_table *t,
                          const struct cen_copy *k, char *cause,
                          size_t cause_len)
{
	char *sql = NULL;
	size_t len;
	FILE *f = open_memstream(&sql, &len);
	PGresult *r;

	fputs("CREATE TEMP TABLE sync_stage (LIKE ", f);
	cen_conn_ident(f, "", t->name);
	fputs(") ON COMMIT DROP; COPY sync_stage (plant, ", f);
	cen_ship_cols(f, t, "");
	fputs(") FROM STDIN", f);
	fclose(f);
	r = PQexec(c->pg, sql);
	free(sql);
	if (PQresultStatus(r) != PGRES_COPY_IN)
		return cen_conn_fail(c, r, "stage the rows", cause, cause_len);
	PQclear(r);
	if (PQputCopyData(c->pg, k->buf, (int)k->len) != 1 ||
	    PQputCopyEnd(c->pg, NULL) != 1)
		return cen_conn_fail(c, NULL, "copy the rows", cause, cause_len);
	r = PQgetResult(c->pg);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return cen_conn_fail(c, r, "copy the rows", cause, cause_len);
	PQclear(r);
	while ((r = PQgetResult(c->pg)) != NULL)
		PQclear(r);
	return 0;
}

/* INSERT the staged rows into t: DO NOTHING on a key already there
 * (append-only), else DO UPDATE when the row differs. */
static int cen_ship_insert(struct cen_conn *c, const struct cen_table *t,
                           long *changed, char *cause, size_t cause_len)
{
	char *sql = NULL;
	size_t len;
	FILE *f = open_memstream(&sql, &len);

	fputs("INSERT INTO ", f);
	cen_conn_ident(f, "", t->name);
	fputs(" AS c (plant, ", f);
	cen_ship_cols(f, t, "");
	fputs(") SELECT plant, ", f);
	cen_ship_cols(f, t, "");
	fputs(" FROM sync_stage ON CONFLICT (", f);
	cen_ship_key(f, t);
	if (t->append_only) {
		fputs(") DO NOTHING", f);
	} else {
		fputs(") DO UPDATE SET (", f);
		cen_ship_cols(f, t, "");
		fputs(") = ROW(", f);
		cen_ship_cols(f, t, "EXCLUDED.");
		fputs(") WHERE ROW(", f);
		cen_ship_cols(f, t, "c.");
		fputs(") IS DISTINCT FROM ROW(", f);
		cen_ship_cols(f, t, "EXCLUDED.");
		fputs(")", f);
	}
	return cen_ship_run(c, f, &sql, "insert the rows", changed, NULL, 0,
	                    cause, cause_len);
}

/* An append-only row already central that differs from the staged one:
 * its key as text into key ("" when none). */
static int cen_ship_differs(struct cen_conn *c, const struct cen_table *t,
                            char *key, size_t size, char *cause,
                            size_t cause_len)
{
	char *sql = NULL;
	size_t len;
	FILE *f = open_memstream(&sql, &len);

	fputs("SELECT concat_ws(', '", f);
	for (int i = 0; i < t->n_key; i++) {
		fputs(", ", f);
		cen_conn_ident(f, "s.", t->col[t->key[i]]);
	}
	fputs(") FROM sync_stage s JOIN ", f);
	cen_conn_ident(f, "", t->name);
	fputs(" c ON c.plant = s.plant", f);
	for (int i = 0; i < t->n_key; i++) {
		fputs(" AND ", f);
		cen_conn_ident(f, "c.", t->col[t->key[i]]);
		fputs(" = ", f);
		cen_conn_ident(f, "s.", t->col[t->key[i]]);
	}
	fputs(" WHERE ROW(", f);
	cen_ship_cols(f, t, "c.");
	fputs(") IS DISTINCT FROM ROW(", f);
	cen_ship_cols(f, t, "s.");
	fputs(") LIMIT 1", f);
	return cen_ship_run(c, f, &sql, "compare the rows", NULL, key, size,
	                    cause, cause_len);
}

static const char cen_ship_sql_position_set[] =
	"INSERT INTO sync_position (plant, tbl, last_id, at)"
	" VALUES ($1, $2, $3, now()) ON CONFLICT (plant, tbl)"
	" DO UPDATE SET last_id = EXCLUDED.last_id, at = now()";

/* Sets the position of (plant, t) to last_id. */
static int cen_ship_position_set(struct cen_conn *c, const char *plant,
                                 const char *tbl, long long last_id,
                                 char *cause, size_t cause_len)
{
	char id[24];
	const char *p[3] = {plant, tbl, id};
	PGresult *r;

	snprintf(id, sizeof id, "%lld", last_id);
	r = cen_conn_query(c, cen_ship_sql_position_set, 3, p,
	                   "record the position", cause, cause_len);
	PQclear(r);
	return r ? 0 : -1;
}

/* The batch's steps inside its transaction: 0, -1 or -2 (see .h). */
static int cen_ship_steps(struct cen_conn *c, const struct cen_table *t,
                          const char *plant, const struct cen_copy *k,
                          long long last_id, long *changed, char *cause,
                          size_t cause_len)
{
	char key[256];

	if (cen_ship_stage(c, t, k, cause, cause_len) < 0 ||
	    cen_ship_insert(c, t, changed, cause, cause_len) < 0)
		return -1;
	if (t->append_only && *changed < k->rows) {
		if (cen_ship_differs(c, t, key, sizeof key, cause, cause_len) < 0)
			return -1;
		if (key[0]) {
			snprintf(cause, cause_len, "%s row (%s) differs from the copy "
			         "shipped before: edited after it was written", t->name,
			         key);
			return -2;
		}
	}
	return cen_ship_position_set(c, plant, t->name, last_id, cause,
	                             cause_len);
}

int cen_ship_batch(struct cen_conn *c, const struct cen_table *t,
                   const char *plant, const struct cen_copy *k,
                   long long last_id, long *changed, char *cause,
                   size_t cause_len)
{
	int rc;

	*changed = 0;
	if (k->failed) {
		snprintf(cause, cause_len, "out of memory building the batch");
		return -1;
	}
	if (cen_conn_exec(c, "BEGIN", cause, cause_len) < 0)
		return -1;
	rc = cen_ship_steps(c, t, plant, k, last_id, changed, cause, cause_len);
	if (rc == 0 && cen_conn_exec(c, "COMMIT", cause, cause_len) == 0)
		return 0;
	cen_conn_rollback(c);
	*changed = 0;
	return rc == -2 ? -2 : -1;
}

static const char cen_ship_sql_position[] =
	"SELECT last_id FROM sync_position WHERE plant = $1 AND tbl = $2";

int cen_ship_position(struct cen_conn *c, const char *plant, const char *tbl,
                      long long *last_id, char *cause, size_t cause_len)
{
	const char *p[2] = {plant, tbl};
	PGresult *r = cen_conn_query(c, cen_ship_sql_position, 2, p,
	                             "read the position", cause, cause_len);

	if (!r)
		return -1;
	*last_id = PQntuples(r) > 0 ? atoll(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

int cen_ship_chain_at(struct cen_conn *c, const char *tbl, const char *plant,
                      long long at_most, long long *id,
                      char hash[CEN_HASH_LEN + 1], char *cause,
                      size_t cause_len)
{
	char *sql = NULL, most[24];
	size_t len;
	FILE *f = open_memstream(&sql, &len);
	const char *p[2] = {plant, most};
	PGresult *r;

	snprintf(most, sizeof most, "%lld", at_most);
	fputs("SELECT id, hash FROM ", f);
	cen_conn_ident(f, "", tbl);
	fputs(" WHERE plant = $1 AND id <= $2 ORDER BY id DESC LIMIT 1", f);
	fclose(f);
	r = cen_conn_query(c, sql, 2, p, "read the chain", cause, cause_len);
	free(sql);
	if (!r)
		return -1;
	*id = 0;
	hash[0] = '\0';
	if (PQntuples(r) > 0) {
		*id = atoll(PQgetvalue(r, 0, 0));
		snprintf(hash, CEN_HASH_LEN + 1, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return 0;
}

static const char cen_ship_sql_fault[] =
	"INSERT INTO chain_faults (plant, tbl, row_id, fault)"
	" VALUES ($1, $2, $3, $4)";

int cen_ship_fault(struct cen_conn *c, const char *plant, const char *tbl,
                   long long row_id, const char *fault, char *cause,
                   size_t cause_len)
{
	char id[24];
	const char *p[4] = {plant, tbl, id, fault};
	PGresult *r;

	snprintf(id, sizeof id, "%lld", row_id);
	r = cen_conn_query(c, cen_ship_sql_fault, 4, p, "record the chain fault",
	                   cause, cause_len);
	PQclear(r);
	return r ? 0 : -1;
}
