/*
 * cen_schema: the central schema of stillroom-sync (issue 16; the tables
 * docs/ALLIANCE.md and docs/SECURITY.md describe), made from the plant's
 * own tables so that a table a later plant schema adds ships too.
 */
#ifndef CEN_SCHEMA_H
#define CEN_SCHEMA_H

#include <stddef.h>

#include "cen_conn.h"
#include "cen_ship.h"

/*
 * Creates (IF NOT EXISTS) the roles stillroom_plant (the group of every
 * plant's login role) and alliance (read-only), sync_position,
 * chain_faults and the n plant tables t, adds columns a newer plant
 * schema has, turns on row-level security (a plant's role sees and
 * writes only rows whose plant is its role name; updates only of tables
 * that are not append-only; never deletes) and grants. Run as the
 * schema's owner; idempotent; one transaction.
 */
int cen_schema_init(struct cen_conn *c, const struct cen_table *t, int n,
                    char *cause, size_t cause_len);

#endif
