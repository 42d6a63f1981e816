/* sync_ship: one pass of the sync. See sync_ship.h. */
#include "sync_ship.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cen_copy.h"
#include "cen_schema.h"
#include "cen_ship.h"
#include "log.h"
#include "store_sync.h"

#define SYNC_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* A plant table and its central description (pointers into it). */
struct sync_table {
	struct store_sync_table s;
	const char *col[STORE_SYNC_COLS_MAX];
	enum cen_type type[STORE_SYNC_COLS_MAX];
	struct cen_table c;
};

/* The chain as a batch of events reads it. */
struct sync_chain {
	long long id;               /* the last row's id */
	char hash[CEN_HASH_LEN + 1];/* and its hash */
};

/* What the row callback fills. */
struct sync_batch {
	struct sync_ship *x;
	struct sync_table *t;
	struct cen_copy copy;
	long long last_rowid;
	struct sync_chain *chain;   /* events only, else NULL */
	long long fault_id;         /* the row refused, 0 when none */
	int fault;                  /* 1: cause holds a chain fault */
};

static void sync_table_describe(struct sync_table *t)
{
	static const enum cen_type type[] = {
		[STORE_SYNC_INT] = CEN_INT, [STORE_SYNC_REAL] = CEN_REAL,
		[STORE_SYNC_TEXT] = CEN_TEXT, [STORE_SYNC_BLOB] = CEN_BLOB,
	};

	for (int i = 0; i < t->s.n_cols; i++) {
		t->col[i] = t->s.col[i];
		t->type[i] = type[t->s.type[i]];
	}
	t->c = (struct cen_table){
		.name = t->s.name, .n_cols = t->s.n_cols, .col = t->col,
		.type = t->type, .n_key = t->s.n_key, .key = t->s.key,
		.append_only = t->s.append_only,
	};
}

/* The plant's tables, described for the centre: *n of them in a malloc'd
 * array (NULL with cause on failure). */
static struct sync_table *sync_ship_tables(struct store *db, int *n,
                                           char *cause, size_t cause_len)
{
	struct store_sync_table *st = calloc(STORE_SYNC_TABLES_MAX, sizeof *st);
	struct sync_table *t = calloc(STORE_SYNC_TABLES_MAX, sizeof *t);

	if (!st || !t) {
		snprintf(cause, cause_len, "out of memory");
		goto free_all;
	}
	if (store_sync_tables(db, st, STORE_SYNC_TABLES_MAX, n, cause,
	                      cause_len) < 0)
		goto free_all;
	for (int i = 0; i < *n; i++) {
		t[i].s = st[i];
		sync_table_describe(&t[i]);
	}
	free(st);
	return t;
free_all:
	free(st);
	free(t);
	return NULL;
}

int sync_ship_init_central(struct sync_ship *x, char *cause, size_t cause_len)
{
	struct cen_table c[STORE_SYNC_TABLES_MAX];
	int n, rc;
	struct sync_table *t = sync_ship_tables(x->db, &n, cause, cause_len);

	if (!t)
		return -1;
	for (int i = 0; i < n; i++)
		c[i] = t[i].c;
	rc = cen_schema_init(x->cen, c, n, cause, cause_len);
	if (rc == 0)
		log_info("central schema ready: %d plant tables", n);
	free(t);
	return rc;
}

/* Checks one events row against the chain so far and moves the chain on.
 * 0, or -1 with the fault in cause. */
static int sync_chain_check(struct sync_batch *b, const char *const *val,
                            char *cause, size_t cause_len)
{
	const struct store_sync_table *t = &b->t->s;
	int ci = store_sync_col(t, "id"), cp = store_sync_col(t, "prev_hash");
	int ch = store_sync_col(t, "hash");
	char hex[SHA256_HEX_LEN + 1];
	long long id;

	if (ci < 0 || cp < 0 || ch < 0 || !val[ci] || !val[cp] || !val[ch])
		return snprintf(cause, cause_len, "events: a row without id, "
		                "prev_hash or hash"), -1;
	id = strtoll(val[ci], NULL, 10);
	b->fault_id = id;
	if (id != b->chain->id + 1)
		return snprintf(cause, cause_len, "audit chain gap: events row %lld "
		                "follows row %lld", id, b->chain->id), -1;
	if (strcmp(val[cp], b->chain->hash) != 0)
		return snprintf(cause, cause_len, "audit chain fork: events row %lld "
		                "does not link to row %lld as the centre has it",
		                id, b->chain->id), -1;
	if (store_sync_event_hash(t, val, hex, cause, cause_len) < 0)
		return -1;
	if (strcmp(hex, val[ch]) != 0)
		return snprintf(cause, cause_len, "audit chain edit: events row %lld "
		                "does not match its hash", id), -1;
	b->chain->id = id;
	snprintf(b->chain->hash, sizeof b->chain->hash, "%s", val[ch]);
	b->fault_id = 0;
	return 0;
}

/* store_sync_row_fn: one plant row into the batch. */
static int sync_batch_row(void *arg, long long rowid, const char *const *val,
                          char *cause, size_t cause_len)
{
	struct sync_batch *b = arg;

	if (b->chain && sync_chain_check(b, val, cause, cause_len) < 0) {
		b->fault = b->fault_id != 0 || strstr(cause, "chain") != NULL;
		return -1;
	}
	cen_copy_row(&b->copy, b->x->cfg->plant, b->t->s.n_cols, val);
	b->last_rowid = rowid;
	return 0;
}

/* The chain as the centre has it up to row after. */
static int sync_chain_start(struct sync_ship *x, struct sync_table *t,
                            long long after, struct sync_chain *ch,
                            char *cause, size_t cause_len)
{
	if (cen_ship_chain_at(x->cen, t->s.name, x->cfg->plant, after, &ch->id,
	                      ch->hash, cause, cause_len) < 0)
		return -1;
	if (ch->id == 0)
		snprintf(ch->hash, sizeof ch->hash, "%s", SYNC_ZERO_HASH);
	return 0;
}

/* A chain fault: recorded centrally (once per distinct fault), logged,
 * handed to on_fault. */
static void sync_ship_fault(struct sync_ship *x, const char *tbl,
                            long long row_id, const char *fault)
{
	char why[256];

	if (strcmp(fault, x->last_fault) == 0)
		return;
	snprintf(x->last_fault, sizeof x->last_fault, "%s", fault);
	log_error("refused: %s", fault);
	if (cen_ship_fault(x->cen, x->cfg->plant, tbl, row_id, fault, why,
	                   sizeof why) < 0)
		log_error("%s", why);
	if (x->on_fault)
		x->on_fault(x->fault_arg, fault);
}

/* Reads and ships one batch of t after *after. Returns the rows read
 * (0: none left), -1 on error, -2 on a fault (cause). */
static long sync_ship_batch(struct sync_ship *x, struct sync_batch *b,
                            long long *after, char *cause, size_t cause_len)
{
	long n = 0, changed = 0;
	int rc;

	cen_copy_reset(&b->copy);
	b->last_rowid = *after;
	if (b->chain && sync_chain_start(x, b->t, *after, b->chain, cause,
	                                 cause_len) < 0)
		return -1;
	if (store_sync_rows(x->db, &b->t->s, *after, x->cfg->batch_rows,
	                    sync_batch_row, b, &n, cause, cause_len) < 0)
		return b->fault ? -2 : -1;
	if (n == 0)
		return 0;
	rc = cen_ship_batch(x->cen, &b->t->c, x->cfg->plant, &b->copy,
	                    b->last_rowid, &changed, cause, cause_len);
	if (rc < 0)
		return rc;
	x->changed += changed;
	*after = b->last_rowid;
	return n;
}

/* Ships table t: 0 done, 1 refused (fault), 2 stopped, -1 error. */
static int sync_ship_table(struct sync_ship *x, struct sync_table *t,
                           char *cause, size_t cause_len)
{
	struct sync_chain chain;
	struct sync_batch b = {.x = x, .t = t};
	long long after = 0;
	long n;
	int rc = 0;
	char why[256];

	if ((t->s.append_only || !x->full) &&
	    cen_ship_position(x->cen, x->cfg->plant, t->s.name, &after, cause,
	                      cause_len) < 0)
		return -1;
	if (!t->s.append_only)     /* the recent rows again: they may change */
		after = after > x->cfg->batch_rows ? after - x->cfg->batch_rows : 0;
	if (strcmp(t->s.name, "events") == 0)
		b.chain = &chain;
	while ((n = sync_ship_batch(x, &b, &after, cause, cause_len)) > 0) {
		if (sync_state_set(x->state, t->s.name, after) == 0 &&
		    sync_state_save(x->state, x->cfg->state, why, sizeof why) < 0)
			log_warn("the position file: %s", why);
		if (n < x->cfg->batch_rows)
			break;
		if (*x->stop) {
			rc = 2;
			break;
		}
	}
	if (n == -2) {
		sync_ship_fault(x, t->s.name, b.fault_id, cause);
		rc = 1;
	} else if (n == -1) {
		rc = -1;
	}
	cen_copy_free(&b.copy);
	return rc;
}

int sync_ship_pass(struct sync_ship *x, char *cause, size_t cause_len)
{
	char fault[SYNC_FAULT_LEN] = "";
	int n, rc = 0;
	struct sync_table *t = sync_ship_tables(x->db, &n, cause, cause_len);

	if (!t)
		return -1;
	x->changed = 0;
	for (int i = 0; i < n && rc >= 0 && rc != 2; i++) {
		int r = sync_ship_table(x, &t[i], cause, cause_len);
		if (r == 1) {
			snprintf(fault, sizeof fault, "%s", cause);
			rc = 1;
		} else if (r != 0) {
			rc = r;
		}
	}
	free(t);
	if (rc == 1)
		snprintf(cause, cause_len, "%s", fault);
	if (rc == 0 && x->last_fault[0]) {
		x->last_fault[0] = '\0';
		log_info("the centre has everything again: fault cleared");
		if (x->on_fault)
			x->on_fault(x->fault_arg, NULL);
	}
	return rc;
}
