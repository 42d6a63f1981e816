/* cfg_sync: the `sync:` section. See cfg_sync.h. */
#include "cfg_sync.h"

#include <stdio.h>
#include <string.h>

enum {
	CFG_SYNC_PG, CFG_SYNC_PLANT, CFG_SYNC_CRED, CFG_SYNC_STATE,
	CFG_SYNC_BATCH, CFG_SYNC_POLL, CFG_SYNC_COUNT
};

static const struct ydoc_field cfg_sync_fields[CFG_SYNC_COUNT] = {
	[CFG_SYNC_PG] = {"postgres", 1},
	[CFG_SYNC_PLANT] = {"plant", 1},
	[CFG_SYNC_CRED] = {"credentials", 0},
	[CFG_SYNC_STATE] = {"state", 0},
	[CFG_SYNC_BATCH] = {"batch_rows", 0},
	[CFG_SYNC_POLL] = {"poll_s", 0},
};

void cfg_sync_defaults(struct sync_cfg *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->state, sizeof c->state, "%s", CFG_SYNC_STATE_DEFAULT);
	c->batch_rows = 5000;
	c->poll_s = 5;
}

/* postgres: a conninfo without a password in it. */
static void cfg_sync_conninfo(struct ydoc *doc, const struct ydoc_node *n,
                              struct sync_cfg *c)
{
	if (ydoc_str(doc, n, "postgres", c->postgres, sizeof c->postgres) < 0)
		return;
	if (strstr(c->postgres, "password") != NULL) {
		ydoc_error(doc, n, "'postgres' must not hold a password: put it "
		           "in the file named by 'credentials' (root-only)");
		c->postgres[0] = '\0';
	}
}

void cfg_sync_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct sync_cfg *c)
{
	const struct ydoc_node *v[CFG_SYNC_COUNT];

	if (n == NULL || ydoc_fields(doc, n, "'sync'", cfg_sync_fields,
	                             CFG_SYNC_COUNT, v) < 0)
		return;
	c->set = 1;
	if (v[CFG_SYNC_PG] != NULL)
		cfg_sync_conninfo(doc, v[CFG_SYNC_PG], c);
	if (v[CFG_SYNC_PLANT] != NULL)
		ydoc_name(doc, v[CFG_SYNC_PLANT], "plant", c->plant, sizeof c->plant);
	if (v[CFG_SYNC_CRED] != NULL)
		ydoc_str(doc, v[CFG_SYNC_CRED], "credentials", c->credentials,
		         sizeof c->credentials);
	if (v[CFG_SYNC_STATE] != NULL)
		ydoc_str(doc, v[CFG_SYNC_STATE], "state", c->state, sizeof c->state);
	if (v[CFG_SYNC_BATCH] != NULL)
		ydoc_int(doc, v[CFG_SYNC_BATCH], "batch_rows", 1, 1000000,
		         &c->batch_rows);
	if (v[CFG_SYNC_POLL] != NULL)
		ydoc_num(doc, v[CFG_SYNC_POLL], "poll_s", 0.05, 3600, &c->poll_s);
}
