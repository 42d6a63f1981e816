/*
 * fuzz_recipe: libFuzzer harness for the recipe language (rcp_parse, and
 * through it ydoc and libyaml). Any input must give errors or a recipe,
 * never a crash, a leak, undefined behaviour or a hang. Built and run by
 * tests/fuzz/run. The file is named recipes/fuzz.yaml, so inputs naming
 * themselves "fuzz" can load clean.
 * links: common/ydoc.c common/diag.c common/sha256.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/num.c
 */
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "rcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg_plant plant;
	static int ready;
	struct rcp_recipe r;
	struct diag d;

	if (!ready) {
		cfg_defaults(&plant);
		plant.limits.distillate_low_c = 15; /* exercise the low checks */
		ready = 1;
	}
	diag_init(&d);
	if (rcp_parse(&r, "recipes/fuzz.yaml", (const char *)data, size, &plant, &d) == 0)
		rcp_free(&r);
	diag_init(&d);
	if (rcp_parse(&r, "recipes/fuzz.yaml", (const char *)data, size, NULL, &d) == 0)
		rcp_free(&r);
	return 0;
}
