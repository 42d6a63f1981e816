/* cfg_hist: the `historian:` section. See cfg_hist.h. */
#include "cfg_hist.h"

#include <math.h>
#include <string.h>

static const struct ydoc_unit cfg_hist_days_u[] = {
	{"d", 86400, 2}, {"day", 86400, 0}, {"days", 86400, 0},
	{"h", 3600, 1}, {"hours", 3600, 0},
};
static const struct ydoc_kind cfg_hist_days = {
	"a number of days", cfg_hist_days_u,
	(int)(sizeof cfg_hist_days_u / sizeof cfg_hist_days_u[0]),
};

void cfg_hist_defaults(struct hist_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->idle_raw_s = CFG_HIST_RAW_DAYS * 86400.0;
	c->idle_aggregate_s = CFG_HIST_AGGREGATE_S;
}

void cfg_hist_read(struct ydoc *doc, const struct ydoc_node *n,
                   struct hist_cfg *c)
{
	static const struct ydoc_field fields[] = {
		{"idle_raw_days", 0}, {"idle_aggregate_s", 0}, {"keep_batches", 0},
	};
	static const char *const keep[] = {"forever", NULL};
	const struct ydoc_node *v[3];
	double agg_s = c->idle_aggregate_s;
	int k;

	if (n == NULL)
		return;
	c->set = 1;
	if (ydoc_fields(doc, n, "'historian'", fields, 3, v) < 0)
		return;
	if (v[0])
		ydoc_qty(doc, v[0], "idle_raw_days", &cfg_hist_days, 3600,
		         3650 * 86400.0, &c->idle_raw_s);
	if (v[1] && ydoc_qty(doc, v[1], "idle_aggregate_s", &ydoc_kind_time, 10,
	                     CFG_HIST_BLOCK_S, &agg_s) == 0) {
		if (agg_s != floor(agg_s) || CFG_HIST_BLOCK_S % (int)agg_s != 0)
			ydoc_error(doc, v[1], "'idle_aggregate_s' must divide 3600 s "
			           "(the historian's block) in whole seconds: 10 s, "
			           "20 s, 30 s, 60 s, 120 s, 300 s, 600 s ... 3600 s");
		else
			c->idle_aggregate_s = (int)agg_s;
	}
	if (v[2])
		ydoc_choice(doc, v[2], "keep_batches", keep, &k);
}
