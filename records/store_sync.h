/*
 * store_sync: the read API stillroom-sync ships the record with (issue
 * 16). Read-only: the plant's tables as the database holds them (read from
 * sqlite_master, so tables a later schema adds ship too), rows of a table
 * after a position in rowid order, values as text in a form PostgreSQL
 * reads back exactly (integers %lld, reals %.17g, blobs \x hex), and the
 * audit chain's hash of an events row (the same function the plant's
 * chain is written with). Every function returns 0 on success, -1 with a
 * sentence in cause on failure.
 */
#ifndef STORE_SYNC_H
#define STORE_SYNC_H

#include <stddef.h>

#include "sha256.h"
#include "store.h"

#define STORE_SYNC_NAME_LEN 64
#define STORE_SYNC_COLS_MAX 64
#define STORE_SYNC_TABLES_MAX 64

/* The SQL type family of a column, from its declared type (SQLite's
 * affinity rules): what the central column is made as. */
enum store_sync_type {
	STORE_SYNC_INT, STORE_SYNC_REAL, STORE_SYNC_TEXT, STORE_SYNC_BLOB
};

/* One plant table as it ships. */
struct store_sync_table {
	char name[STORE_SYNC_NAME_LEN];
	int n_cols;
	char col[STORE_SYNC_COLS_MAX][STORE_SYNC_NAME_LEN];
	enum store_sync_type type[STORE_SYNC_COLS_MAX];
	int n_key;                  /* columns of the primary key (0: none) */
	int key[STORE_SYNC_COLS_MAX]; /* their indexes into col, in key order */
	int append_only;            /* rows never change once written (an
	                               <name>_no_update trigger, or samples) */
};

/* The plant's tables (not views, not sqlite_*) in creation order, which
 * is the order their references allow: *n of them into t[0..max-1].
 * A table without a primary key ships keyed by rowid: its first column
 * is then named "rowid" (and fetched as such). */
int store_sync_tables(struct store *s, struct store_sync_table *t, int max,
                      int *n, char *cause, size_t cause_len);

/* Called for each row: its rowid and t->n_cols values (NULL for SQL
 * NULL), valid during the call. Returns 0 to go on, -1 to stop (then
 * store_sync_rows returns -1 with the cause the callback wrote). */
typedef int (*store_sync_row_fn)(void *arg, long long rowid,
                                 const char *const *val, char *cause,
                                 size_t cause_len);

/* Calls fn for at most limit rows of t with rowid > after, in rowid
 * order, all read in one snapshot. *n_rows (may be NULL) gets how many. */
int store_sync_rows(struct store *s, const struct store_sync_table *t,
                    long long after, long limit, store_sync_row_fn fn,
                    void *arg, long *n_rows, char *cause, size_t cause_len);

/* Index of column name in t, or -1. */
int store_sync_col(const struct store_sync_table *t, const char *name);

/* The chain hash of an events row given as values of t (the events
 * table): hex gets what its hash column must hold. -1 when t lacks a
 * column the chain needs. */
int store_sync_event_hash(const struct store_sync_table *t,
                          const char *const *val,
                          char hex[SHA256_HEX_LEN + 1], char *cause,
                          size_t cause_len);

#endif
