/*
 * store_sync: the read API of stillroom-sync. See store_sync.h. Read part
 * (no writes: the sync opens the plant database with STORE_RO).
 */
#include "store_sync.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_int.h"

/* The affinity of a declared type (https://sqlite.org/datatype3.html). */
static enum store_sync_type store_sync_affinity(const char *decl)
{
	if (!decl)
		return STORE_SYNC_BLOB;
	if (strcasestr(decl, "INT"))
		return STORE_SYNC_INT;
	if (strcasestr(decl, "CHAR") || strcasestr(decl, "CLOB") ||
	    strcasestr(decl, "TEXT"))
		return STORE_SYNC_TEXT;
	if (*decl == '\0' || strcasestr(decl, "BLOB"))
		return STORE_SYNC_BLOB;
	if (strcasestr(decl, "REAL") || strcasestr(decl, "FLOA") ||
	    strcasestr(decl, "DOUB"))
		return STORE_SYNC_REAL;
	return STORE_SYNC_REAL;     /* NUMERIC affinity: numbers */
}

static const char store_sync_sql_cols[] =
	"SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid";

/* Adds a column to t. */
static int store_sync_add_col(struct store_sync_table *t, const char *name,
                              enum store_sync_type type, char *cause,
                              size_t cause_len)
{
	if (t->n_cols == STORE_SYNC_COLS_MAX || strlen(name) >= STORE_SYNC_NAME_LEN)
		return store_fail(cause, cause_len, "table %s: too many columns or "
		                  "a name too long to ship", t->name);
	snprintf(t->col[t->n_cols], STORE_SYNC_NAME_LEN, "%s", name);
	t->type[t->n_cols] = type;
	t->n_cols++;
	return 0;
}

/* Reads t's columns and key. */
static int store_sync_columns(struct store *s, struct store_sync_table *t,
                              char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sync_sql_cols, cause, cause_len);
	int rc, pk_at[STORE_SYNC_COLS_MAX + 1] = {0};

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int pk = sqlite3_column_int(st, 2);

		if (store_sync_add_col(t, (const char *)sqlite3_column_text(st, 0),
		                       store_sync_affinity((const char *)
		                                           sqlite3_column_text(st, 1)),
		                       cause, cause_len) < 0)
			goto reset;
		if (pk > 0 && pk <= STORE_SYNC_COLS_MAX) {
			pk_at[pk] = t->n_cols;   /* 1-based column index */
			t->n_key = pk > t->n_key ? pk : t->n_key;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_db_fail(s, "read the table's columns", cause, cause_len);
	for (int i = 0; i < t->n_key; i++)
		t->key[i] = pk_at[i + 1] - 1;
	return 0;
reset:
	sqlite3_reset(st);
	return -1;
}

/* A table without a key ships keyed by its rowid, as a first column. */
static void store_sync_rowid_key(struct store_sync_table *t)
{
	memmove(&t->col[1], &t->col[0], sizeof t->col[0] * (size_t)t->n_cols);
	memmove(&t->type[1], &t->type[0], sizeof t->type[0] * (size_t)t->n_cols);
	snprintf(t->col[0], STORE_SYNC_NAME_LEN, "rowid");
	t->type[0] = STORE_SYNC_INT;
	t->n_cols++;
	t->n_key = 1;
	t->key[0] = 0;
}

static const char store_sync_sql_tables[] =
	"SELECT name, EXISTS (SELECT 1 FROM sqlite_master g WHERE g.type ="
	" 'trigger' AND g.name = m.name || '_no_update') OR m.name = 'samples'"
	" FROM sqlite_master m WHERE m.type = 'table'"
	" AND m.name NOT LIKE 'sqlite_%' ORDER BY m.rowid";

/* Reads one table's name, kind and columns from the current row of st. */
static int store_sync_table_at(struct store *s, sqlite3_stmt *st,
                               struct store_sync_table *t, char *cause,
                               size_t cause_len)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);

	memset(t, 0, sizeof *t);
	if (strlen(name) >= STORE_SYNC_NAME_LEN)
		return store_fail(cause, cause_len, "table name too long: %s", name);
	snprintf(t->name, sizeof t->name, "%s", name);
	t->append_only = sqlite3_column_int(st, 1);
	if (store_sync_columns(s, t, cause, cause_len) < 0)
		return -1;
	if (t->n_key == 0)
		store_sync_rowid_key(t);
	return t->n_key > 0 && t->n_cols <= STORE_SYNC_COLS_MAX ? 0 :
	       store_fail(cause, cause_len, "table %s: cannot ship it", name);
}

int store_sync_tables(struct store *s, struct store_sync_table *t, int max,
                      int *n, char *cause, size_t cause_len)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, store_sync_sql_tables, -1, &st, NULL) !=
	    SQLITE_OK)
		return store_db_fail(s, "list the tables", cause, cause_len);
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == max) {
			sqlite3_finalize(st);
			return store_fail(cause, cause_len, "more than %d tables", max);
		}
		if (store_sync_table_at(s, st, &t[*n], cause, cause_len) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 :
	       store_db_fail(s, "list the tables", cause, cause_len);
}

int store_sync_col(const struct store_sync_table *t, const char *name)
{
	for (int i = 0; i < t->n_cols; i++)
		if (strcmp(t->col[i], name) == 0)
			return i;
	return -1;
}

/* Writes name at p as a quoted identifier; returns the end. */
static char *store_sync_ident(char *p, const char *name)
{
	*p++ = '"';
	for (; *name; name++) {
		if (*name == '"')
			*p++ = '"';
		*p++ = *name;
	}
	*p++ = '"';
	*p = '\0';
	return p;
}

/* "SELECT rowid, "c1", ... FROM "t" WHERE rowid > ?1 ORDER BY rowid
 * LIMIT ?2" into a malloc'd string (names are the database's own, quoted
 * with their quotes doubled). */
static char *store_sync_select(const struct store_sync_table *t)
{
	size_t len = 128 + (size_t)(t->n_cols + 1) * (2 * STORE_SYNC_NAME_LEN + 4);
	char *sql = malloc(len), *p;

	if (!sql)
		return NULL;
	p = sql + sprintf(sql, "SELECT rowid");
	for (int i = 0; i < t->n_cols; i++) {
		p += sprintf(p, ", ");
		p = store_sync_ident(p, t->col[i]);
	}
	p += sprintf(p, " FROM ");
	p = store_sync_ident(p, t->name);
	sprintf(p, " WHERE rowid > ?1 ORDER BY rowid LIMIT ?2");
	return sql;
}

/* Column i of st as text PostgreSQL reads back exactly, in buf (grown as
 * needed); NULL for SQL NULL. */
static const char *store_sync_value(sqlite3_stmt *st, int i, char **buf,
                                    size_t *cap)
{
	int type = sqlite3_column_type(st, i);
	int n = sqlite3_column_bytes(st, i);
	size_t need = 2 * (size_t)n + 40;
	const unsigned char *b;

	if (type == SQLITE_NULL)
		return NULL;
	if (*cap < need) {
		char *g = realloc(*buf, need);
		if (!g)
			return NULL;
		*buf = g;
		*cap = need;
	}
	if (type == SQLITE_INTEGER)
		snprintf(*buf, *cap, "%lld", (long long)sqlite3_column_int64(st, i));
	else if (type == SQLITE_FLOAT)
		snprintf(*buf, *cap, "%.17g", sqlite3_column_double(st, i));
	else if (type == SQLITE_TEXT)
		memcpy(*buf, sqlite3_column_text(st, i), (size_t)n + 1);
	else {
		b = sqlite3_column_blob(st, i);
		strcpy(*buf, "\\x");
		for (int k = 0; k < n; k++)
			sprintf(*buf + 2 + 2 * k, "%02x", b[k]);
	}
	return *buf;
}

/* One row of st to fn. */
static int store_sync_emit(sqlite3_stmt *st, const struct store_sync_table *t,
                           char **buf, size_t *cap, store_sync_row_fn fn,
                           void *arg, char *cause, size_t cause_len)
{
	const char *val[STORE_SYNC_COLS_MAX];
	int rc;

	for (int i = 0; i < t->n_cols; i++) {
		val[i] = store_sync_value(st, i + 1, &buf[i], &cap[i]);
		if (!val[i] && sqlite3_column_type(st, i + 1) != SQLITE_NULL)
			return store_fail(cause, cause_len, "out of memory");
	}
	rc = fn(arg, sqlite3_column_int64(st, 0), val, cause, cause_len);
	return rc < 0 ? -1 : 0;
}

/* Steps st to its end, each row to fn. */
static int store_sync_step(struct store *s, sqlite3_stmt *st,
                           const struct store_sync_table *t,
                           store_sync_row_fn fn, void *arg, long *n_rows,
                           char *cause, size_t cause_len)
{
	char *buf[STORE_SYNC_COLS_MAX] = {0};
	size_t cap[STORE_SYNC_COLS_MAX] = {0};
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_sync_emit(st, t, buf, cap, fn, arg, cause, cause_len) < 0) {
			ret = -1;
			break;
		}
		(*n_rows)++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_db_fail(s, "read the rows to ship", cause, cause_len);
	for (int i = 0; i < t->n_cols; i++)
		free(buf[i]);
	return ret;
}

int store_sync_rows(struct store *s, const struct store_sync_table *t,
                    long long after, long limit, store_sync_row_fn fn,
                    void *arg, long *n_rows, char *cause, size_t cause_len)
{
	char *sql = store_sync_select(t);
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (!sql)
		return store_fail(cause, cause_len, "out of memory");
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return store_db_fail(s, "read the rows to ship", cause, cause_len);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit);
	rc = store_sync_step(s, st, t, fn, arg, &n, cause, cause_len);
	sqlite3_finalize(st);
	if (n_rows)
		*n_rows = n;
	return rc;
}

/* The columns the chain hashes, in struct store_audit's order. */
static const char *const store_sync_chain_cols[] = {
	"id", "at", "t_process_s", "batch_id", "still", "kind", "what",
	"old_value", "new_value", "who", "cause", "text", "record_ref",
	"record", "prev_hash",
};
#define STORE_SYNC_CHAIN_N \
	(int)(sizeof store_sync_chain_cols / sizeof store_sync_chain_cols[0])

int store_sync_event_hash(const struct store_sync_table *t,
                          const char *const *val,
                          char hex[SHA256_HEX_LEN + 1], char *cause,
                          size_t cause_len)
{
	const char *v[STORE_SYNC_CHAIN_N];
	struct store_audit a;

	for (int i = 0; i < STORE_SYNC_CHAIN_N; i++) {
		int c = store_sync_col(t, store_sync_chain_cols[i]);
		if (c < 0)
			return store_fail(cause, cause_len, "%s has no column %s",
			                  t->name, store_sync_chain_cols[i]);
		v[i] = val[c];
	}
	a = (struct store_audit){
		.id = v[0] ? strtoll(v[0], NULL, 10) : 0, .at = v[1],
		.t_process_s = v[2] ? strtod(v[2], NULL) : NAN,
		.batch_id = v[3] ? strtoll(v[3], NULL, 10) : 0, .still = v[4],
		.kind = v[5], .what = v[6], .old_value = v[7], .new_value = v[8],
		.who = v[9], .cause = v[10], .text = v[11], .record_ref = v[12],
		.record = v[13], .prev_hash = v[14] ? v[14] : "",
	};
	store_audit_hash(&a, hex);
	return 0;
}
