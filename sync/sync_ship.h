/*
 * sync_ship: one pass of stillroom-sync (issue 16): every plant table, in
 * creation order (the order references allow), shipped to the central
 * PostgreSQL in batches of batch_rows, each batch in one central
 * transaction with its position. Append-only tables ship from the central
 * position on; the others (rows that change: batches, alarms, lots, ...)
 * are shipped whole on a full pass (x->full), else from batch_rows rows
 * before their position on, and updated centrally where they differ.
 * The audit chain (events) is verified on arrival against the centre's
 * copy: a gap, an edited row or a fork is refused (nothing of the batch
 * lands), recorded in chain_faults and handed to the fault callback.
 */
#ifndef SYNC_SHIP_H
#define SYNC_SHIP_H

#include <signal.h>
#include <stddef.h>

#include "cen_conn.h"
#include "cfg_sync.h"
#include "store.h"
#include "sync_state.h"

#define SYNC_FAULT_LEN 512

struct sync_ship {
	struct store *db;           /* the plant's database, read-only */
	struct cen_conn *cen;       /* the central connection */
	const struct sync_cfg *cfg; /* plant name, batch size, state file */
	struct sync_state *state;   /* the plant-side position */
	volatile sig_atomic_t *stop; /* set by SIGTERM: end after this batch */
	/* called once per new chain fault, and with fault NULL when a pass
	 * ships everything again after one (on_fault NULL: nobody told) */
	void (*on_fault)(void *arg, const char *fault);
	void *fault_arg;
	char last_fault[SYNC_FAULT_LEN]; /* the last fault raised ("" none) */
	int full;                   /* 1: rows that change are shipped whole;
	                               0: only their last batch_rows rows
	                               (the recent ones: open batches, alarms)
	                               besides the new ones */
	long changed;               /* rows inserted or updated this pass */
};

/*
 * Ships everything the plant's database holds now. Returns 0 when the
 * centre has it all, 1 when a table was refused (a chain fault: its
 * sentence in cause; the other tables shipped), 2 when stopped by *stop,
 * -1 on an error (cause; what was committed stays).
 */
int sync_ship_pass(struct sync_ship *x, char *cause, size_t cause_len);

/* Creates or updates the central schema for the plant's tables (the
 * connection must be the schema owner's). 0 or -1 with cause. */
int sync_ship_init_central(struct sync_ship *x, char *cause,
                           size_t cause_len);

#endif
