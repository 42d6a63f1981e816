/* cfg_hist: the `historian:` section. See cfg_hist.h. */
#include "cfg_hist.h"

#include <string.h>

void cfg_hist_defaults(struct hist_cfg *c)
{
	memset(c, 0, sizeof *c);
}

void cfg_hist_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct hist_cfg *c)
{
	(void)doc;
	if (n != NULL)
		c->set = 1;
}
