/*
 * cfg_sync: the plant configuration's `sync:` section (issue 16), read by
 * stillroom-sync: the central PostgreSQL (a libpq conninfo), the plant's
 * name there, where credentials and the sync's position are kept. Off
 * unless present. Read for cfg.c; errors as "file:line:column: message".
 */
#ifndef CFG_SYNC_H
#define CFG_SYNC_H

#include "ydoc.h"

/* sync: {postgres: "libpq conninfo", plant: NAME}. Owned by the sync
 * work: fields are added here. */
struct sync_cfg {
	int set;                    /* 1 when the section is present */
};

/* Off (what an absent section means). */
void cfg_sync_defaults(struct sync_cfg *c);

/*
 * Reads the `sync:` mapping n into *c, reporting every mistake through
 * doc. n may be NULL (absent): sync stays off.
 */
void cfg_sync_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct sync_cfg *c);

#endif
