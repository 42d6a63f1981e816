/* cfg_link: the `mqtt:` and `notify:` sections. See cfg_link.h. */
#include "cfg_link.h"

#include <string.h>

void cfg_link_defaults(struct mqtt_cfg *m, struct notify_cfg *n)
{
	memset(m, 0, sizeof *m);
	memset(n, 0, sizeof *n);
}

void cfg_link_read(struct ydoc *doc, const struct ydoc_node *mq,
                   const struct ydoc_node *nt, struct mqtt_cfg *m,
                   struct notify_cfg *n)
{
	(void)doc;
	if (mq != NULL)
		m->set = 1;
	if (nt != NULL)
		n->set = 1;
}
