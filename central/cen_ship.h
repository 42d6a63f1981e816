/*
 * cen_ship: the central side of stillroom-sync (issue 16): the central
 * schema (a table per plant table, same name and columns plus `plant`,
 * keyed by (plant, the plant's key); sync_position; chain_faults; roles
 * and row-level security: docs/SECURITY.md), and shipping one batch of a
 * table's rows in one transaction together with the position.
 * (cen_schema.h creates the schema, cen_copy.h builds a batch.)
 *   cen_ship_batch       one batch: COPY, idempotent insert, position
 *   cen_ship_position    where a plant's table is centrally
 *   cen_ship_chain_at    the plant's audit chain centrally, at a row
 *   cen_ship_fault       a chain fault, recorded centrally
 * Functions return 0 on success, -1 with a sentence in cause on failure.
 */
#ifndef CEN_SHIP_H
#define CEN_SHIP_H

#include <stddef.h>

#include "cen_conn.h"
#include "cen_copy.h"

#define CEN_HASH_LEN 64             /* hex digits of a chain hash */

/* The type family of a column (the plant's declared type's affinity). */
enum cen_type { CEN_INT, CEN_REAL, CEN_TEXT, CEN_BLOB };

/* One plant table, as it ships. */
struct cen_table {
	const char *name;
	int n_cols;
	const char *const *col;     /* n_cols names */
	const enum cen_type *type;  /* n_cols types */
	int n_key;
	const int *key;             /* indexes into col of the plant's key */
	int append_only;            /* rows never change once written: an
	                               existing central row that differs is a
	                               fault; else it is updated */
};

/*
 * Ships the rows of k into table t for plant in one transaction with the
 * position (t, last_id): COPY into a staging table, INSERT ... ON
 * CONFLICT (plant, key) DO NOTHING (append-only tables) or DO UPDATE of
 * rows that differ (others). *changed gets the rows inserted or updated.
 * Returns 0; -1 on an error (rolled back; cause); -2 when an append-only
 * row already central differs from the plant's (rolled back; cause
 * names the row): an edit behind the audit trail's back.
 */
int cen_ship_batch(struct cen_conn *c, const struct cen_table *t,
                   const char *plant, const struct cen_copy *k,
                   long long last_id, long *changed, char *cause,
                   size_t cause_len);

/* *last_id gets plant's position in table tbl (0: none yet). */
int cen_ship_position(struct cen_conn *c, const char *plant, const char *tbl,
                      long long *last_id, char *cause, size_t cause_len);

/* The central row of plant's audit chain (table tbl) with the greatest
 * id <= at_most: *id and hash; *id 0 and hash "" when none. */
int cen_ship_chain_at(struct cen_conn *c, const char *tbl, const char *plant,
                      long long at_most, long long *id,
                      char hash[CEN_HASH_LEN + 1], char *cause,
                      size_t cause_len);

/* Records a chain fault of plant (table tbl, row row_id) centrally, in
 * its own transaction. */
int cen_ship_fault(struct cen_conn *c, const char *plant, const char *tbl,
                   long long row_id, const char *fault, char *cause,
                   size_t cause_len);

#endif
