/* cfgchk: the "--check-config" command. See cfgchk.h. */
#include "cfgchk.h"

#include <stdlib.h>

#include "cfg.h"
#include "rcp.h"

int cfgchk_main(const char *path, FILE *out, FILE *err)
{
	struct cfg_plant *p = malloc(sizeof *p);
	struct rcp_recipe *r = calloc(RCP_DIR_MAX, sizeof *r);
	struct diag d;
	int n, rc = 1;

	if (p == NULL || r == NULL) {
		fprintf(err, "%s: out of memory\n", path);
		goto out_free;
	}
	diag_init(&d);
	if (cfg_load(p, path, &d) < 0) {
		diag_print(&d, err);
		goto out_free;
	}
	fprintf(out, "%s: ok\n", path);
	n = rcp_load_dir(p->recipes_dir, p, r, RCP_DIR_MAX, &d);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s: ok\n", r[i].path);
		rcp_free(&r[i]);
	}
	diag_print(&d, err);
	rc = n >= 0 && d.n == 0 && d.dropped == 0 ? 0 : 1;
out_free:
	free(r);
	free(p);
	return rc;
}
