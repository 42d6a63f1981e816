/*
 * cfg_sync: the plant configuration's `sync:` section (issue 16), read by
 * stillroom-sync: the central PostgreSQL (a libpq conninfo), the plant's
 * name there, where credentials and the sync's position are kept. Off
 * unless present. Read for cfg.c; errors as "file:line:column: message".
 *
 *   sync:
 *     postgres: "host=central.example port=5432 dbname=alliance user=plant_a sslmode=verify-full"
 *     plant: plant_a              # the plant's name (and PostgreSQL role)
 *     credentials: /etc/stillroom/sync.secret   # optional: the password,
 *                                 # first line, root-only file, never logged
 *     state: /var/lib/stillroom/sync.state      # the plant-side position
 *     batch_rows: 5000            # rows per central transaction, 1..1000000
 *     poll_s: 5                   # seconds between passes, 0.05..3600
 */
#ifndef CFG_SYNC_H
#define CFG_SYNC_H

#include "ydoc.h"

#define CFG_SYNC_CONNINFO_LEN 1024
#define CFG_SYNC_NAME_LEN 64
#define CFG_SYNC_PATH_LEN 512
#define CFG_SYNC_STATE_DEFAULT "/var/lib/stillroom/sync.state"

/* sync: {postgres: "libpq conninfo", plant: NAME, credentials: FILE,
 * state: FILE, batch_rows: N, poll_s: S}. */
struct sync_cfg {
	int set;                    /* 1 when the section is present */
	char postgres[CFG_SYNC_CONNINFO_LEN]; /* libpq conninfo, no password */
	char plant[CFG_SYNC_NAME_LEN];        /* the plant's name centrally */
	char credentials[CFG_SYNC_PATH_LEN];  /* password file ("" = none) */
	char state[CFG_SYNC_PATH_LEN];        /* the plant-side position file */
	long batch_rows;            /* rows per central transaction */
	double poll_s;              /* seconds between passes */
};

/* Off (what an absent section means), with the defaults of the optional
 * keys: state CFG_SYNC_STATE_DEFAULT, batch_rows 5000, poll_s 5. */
void cfg_sync_defaults(struct sync_cfg *c);

/*
 * Reads the `sync:` mapping n into *c, reporting every mistake through
 * doc. n may be NULL (absent): sync stays off. postgres and plant are
 * required; a conninfo holding "password=" is refused (the password
 * belongs in the credentials file, which is never logged).
 */
void cfg_sync_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct sync_cfg *c);

#endif
