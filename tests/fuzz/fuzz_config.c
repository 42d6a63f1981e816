/*
 * fuzz_config: libFuzzer harness for the plant configuration (cfg_parse,
 * and through it ydoc and libyaml). Any input must give errors or a
 * plant, never a crash, a leak, undefined behaviour or a hang. Built and
 * run by tests/fuzz/run.
 * links: common/ydoc.c common/diag.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/num.c
 */
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg_plant plant;
	struct diag d;

	diag_init(&d);
	cfg_parse(&plant, "config/fuzz.yaml", (const char *)data, size, &d);
	return 0;
}
