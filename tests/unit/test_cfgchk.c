/*
 * test_cfgchk: "stillroomd --check-config", the config and its recipes.
 * links: controller/cfgchk.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c recipes/rcp.c common/ydoc.c common/diag.c common/sha256.c common/num.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgchk.h"

/* "stillroomd --check-config": the config and every recipe it names. */
static void test_check_main(void **state)
{
	char dir[] = "/tmp/test_cfg.XXXXXX", path[300], cmd[700];
	char *out_text = NULL, *err_text = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out = open_memstream(&out_text, &out_len);
	FILE *err = open_memstream(&err_text, &err_len);

	(void)state;
	assert_int_equal(cfgchk_main("config/plant.yaml", out, err), 0);
	fflush(out);
	assert_non_null(strstr(out_text, "config/plant.yaml: ok\n"));
	assert_non_null(strstr(out_text, "/recipes/cassia-leaf.yaml: ok\n"));
	assert_non_null(strstr(out_text, "/recipes/star-anise.yaml: ok\n"));
	/* the economics, as the plant engineer checks them */
	assert_non_null(strstr(out_text, "config/plant.yaml: economics: oil "
	                       "cassia-leaf 900,000 VND/kg, cassia-bark 1,200,000 "
	                       "VND/kg, star-anise 1,000,000 VND/kg\n"));
	assert_non_null(strstr(out_text, "config/plant.yaml: economics: steam "
	                       "400 VND/kg (fuel 1,200 VND/kg, 3 kg of steam per "
	                       "kg); labour 40,000 VND/h; power 3 kW at 2,500 "
	                       "VND/kWh; cooling water 3,000 VND/m3\n"));
	assert_non_null(strstr(out_text, "config/plant.yaml: economics: an hour "
	                       "at 300 kg/h of steam and 200 L/min of cooling "
	                       "water costs 203,500 VND\n"));
	/* the settlement rule and the privacy setting */
	assert_non_null(strstr(out_text, "config/plant.yaml: settlement: raw "
	                       "material cassia-leaf 2,500 VND/kg, cassia-bark "
	                       "28,000 VND/kg, star-anise 42,000 VND/kg\n"));
	assert_non_null(strstr(out_text, "config/plant.yaml: settlement: oil "
	                       "share 30 % of the oil's value, plus 5 % of that "
	                       "share for oil released in QA; due = raw + share + "
	                       "bonus - advances - intake payments\n"));
	assert_non_null(strstr(out_text, "config/plant.yaml: privacy: traces "
	                       "that leave the cooperative name communes, not "
	                       "households\n"));
	assert_int_equal(cfgchk_main("tests/data/config/bad/pid.yaml", out, err), 1);
	/* no economics: said once, not an error (this config's recipe
	 * directory does not exist, hence 1) */
	assert_int_equal(cfgchk_main("tests/data/config/good/minimal.yaml", out, err), 1);
	fflush(out);
	assert_non_null(strstr(out_text, "minimal.yaml: economics: none (no "
	                       "costs are computed; economic ends cannot be used)\n"));
	assert_non_null(strstr(out_text, "minimal.yaml: settlement: none "
	                       "(`stillroom settle` refuses)\n"));
	/* a clean config whose recipe directory holds a bad recipe */
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "mkdir '%s/config' '%s/recipes' && "
	         "cp config/plant.yaml '%s/config/' && "
	         "cp tests/data/recipes/bad/no-steps.yaml '%s/recipes/'",
	         dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof path, "%s/config/plant.yaml", dir);
	assert_int_equal(cfgchk_main(path, out, err), 1);
	fclose(out);
	fclose(err);
	assert_non_null(strstr(err_text, "no-steps.yaml:5:8: the recipe can never end"));
	assert_non_null(strstr(err_text, "'kp' must be positive"));
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(out_text);
	free(err_text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_main),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
