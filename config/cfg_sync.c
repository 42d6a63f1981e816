/* cfg_sync: the `sync:` section. See cfg_sync.h. */
#include "cfg_sync.h"

#include <string.h>

void cfg_sync_defaults(struct sync_cfg *c)
{
	memset(c, 0, sizeof *c);
}

void cfg_sync_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct sync_cfg *c)
{
	(void)doc;
	if (n != NULL)
		c->set = 1;
}
