/*
 * test_rcp_econ: the economic end condition in the recipe language
 * (docs/RECIPES.md, "End conditions"): what a loaded economic step holds,
 * the refusals (not a distil step, no room before its max, a plant with no
 * `economics:` or no oil price for the feedstock), each a sentence at
 * file:line:column, the bundled economic variants, and what `recipe
 * check` says of them.
 * links: recipes/rcp.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/ydoc.c common/diag.c common/sha256.c common/num.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "econ.h"
#include "rcp.h"

static struct cfg_plant plant;   /* cfg_defaults with prices (priced()) */

/* A two-step recipe: heat-up, then a step of kind KIND ending END. */
#define RECIPE(KIND, END)                                                    \
	"name: t\nversion: 1\nfeedstock: cassia-leaf\n"                       \
	"charge: {min: 100 kg, max: 600 kg}\nsteps:\n"                        \
	"  - name: heat-up\n    kind: heat-up\n    steam: 100 %\n"            \
	"    end: {reach: vapour_temp, above: 98 C}\n    max: 45 min\n"      \
	"  - name: distil\n    kind: " KIND "\n    control: pressure\n"       \
	"    target: 5 kPa\n    end: " END "\n    max: 5 h\n"

#define ECON_END "{economic: next_hour, for: 15 min, not_before: 2 h}"

/* Prices for cassia-leaf: oil, steam, labour, power, cooling water. */
static void priced(struct cfg_plant *p)
{
	struct econ_cfg *e = &p->econ;

	econ_defaults(e);
	e->set = 1;
	snprintf(e->oil_price[0].feedstock, sizeof e->oil_price[0].feedstock,
	         "cassia-leaf");
	e->oil_price[0].vnd_per_kg = 1200000;
	e->n_oil_prices = 1;
	e->steam_vnd_per_kg = 500;
	e->labour_vnd_per_h = 40000;
	e->power_kw = 5;
	e->electricity_vnd_per_kwh = 2000;
	e->cooling_water_vnd_per_m3 = 5000;
}

static int setup(void **state)
{
	(void)state;
	cfg_defaults(&plant);
	priced(&plant);
	return 0;
}

/* Parses text as t.yaml against p: rcp_parse's return; errors in *d,
 * the recipe in *r when clean (the caller frees it). */
static int parse(const char *text, const struct cfg_plant *p,
                 struct rcp_recipe *r, struct diag *d)
{
	diag_init(d);
	return rcp_parse(r, "t.yaml", text, strlen(text), p, d);
}

/* The one error text must give, word for word, against p. */
static void refused(const char *text, const struct cfg_plant *p,
                    const char *want)
{
	struct rcp_recipe r;
	struct diag d;

	assert_int_equal(parse(text, p, &r, &d), -1);
	if (d.n != 1 || strcmp(d.line[0], want) != 0) {
		diag_print(&d, stderr);
		fail_msg("wanted: %s", want);
	}
}

static void economic_step_loads(void **state)
{
	struct rcp_recipe r;
	struct diag d;

	(void)state;
	if (parse(RECIPE("distil", ECON_END), &plant, &r, &d) != 0) {
		diag_print(&d, stderr);
		fail();
	}
	assert_int_equal(r.steps[1].end, RCP_END_ECONOMIC);
	assert_true(r.steps[1].econ_for_s == 900);
	assert_true(r.steps[1].econ_not_before_s == 7200);
	assert_true(r.steps[1].max_s == 5 * 3600);
	rcp_free(&r);
	/* not_before may be left out */
	assert_int_equal(parse(RECIPE("distil", "{economic: next_hour, for: 10 min}"),
	                       &plant, &r, &d), 0);
	assert_true(r.steps[1].econ_not_before_s == 0);
	assert_true(r.steps[1].econ_for_s == 600);
	rcp_free(&r);
}

static void economic_refusals(void **state)
{
	struct cfg_plant *bare = malloc(sizeof *bare);

	(void)state;
	assert_non_null(bare);
	refused(RECIPE("heat-up", ECON_END), &plant,
	        "t.yaml:15:10: step 'distil' ends on economics, which only a "
	        "distil step can (the oil being made is what the rule weighs): "
	        "it is a heat-up step");
	refused(RECIPE("distil", "{economic: next_hour, for: 15 min, not_before: 5 h}"),
	        &plant, "t.yaml:15:10: step 'distil' can never end on economics: "
	        "it may end after 5 h at the earliest but its max is 5 h");
	refused(RECIPE("distil", "{economic: next_day, for: 15 min}"), &plant,
	        "t.yaml:15:21: 'economic' must be next_hour, not \"next_day\"");
	refused(RECIPE("distil", "{economic: next_hour}"), &plant,
	        "t.yaml:15:10: 'end' must be confirm, {after: TIME}, {reach: TAG, "
	        "above: VALUE} (or below), {oil_rate_below: RATE, for: TIME} or "
	        "{economic: next_hour, for: TIME, not_before: TIME}");
	/* the plant without economics, then without a price for the feed */
	cfg_defaults(bare);
	econ_defaults(&bare->econ);
	refused(RECIPE("distil", ECON_END), bare,
	        "t.yaml:15:10: step 'distil' ends on economics but the plant "
	        "configuration has no 'economics:' section (prices and costs): "
	        "add one, or end the step another way");
	priced(bare);
	snprintf(bare->econ.oil_price[0].feedstock,
	         sizeof bare->econ.oil_price[0].feedstock, "star-anise");
	refused(RECIPE("distil", ECON_END), bare,
	        "t.yaml:15:10: step 'distil' ends on economics but the plant "
	        "configuration's 'economics:' has no oil price for cassia-leaf");
	free(bare);
}

/* No plant: the prices are not checked (as the other plant checks). */
static void economic_without_plant(void **state)
{
	struct rcp_recipe r;
	struct diag d;

	(void)state;
	assert_int_equal(parse(RECIPE("distil", ECON_END), NULL, &r, &d), 0);
	rcp_free(&r);
}

/* The shortest batch counts the economic step's earliest end. */
static void economic_counts_in_max_batch(void **state)
{
	(void)state;
	refused(RECIPE("distil", ECON_END) "max_batch: 2 h\n", &plant,
	        "t.yaml:17:12: the recipe can never end: its steps take at least "
	        "2 h but 'max_batch' is 2 h");
}

/* The bundled variants: the plain recipe's steps, an economic distil. */
static void bundled_variants(void **state)
{
	static const char *const names[] = {"cassia-leaf", "cassia-bark", "star-anise"};

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct rcp_recipe plain, econ;
		char path[80];
		struct diag d;
		int distil = -1;

		diag_init(&d);
		snprintf(path, sizeof path, "recipes/%s.yaml", names[i]);
		assert_int_equal(rcp_load(&plain, path, &plant, &d), 0);
		snprintf(path, sizeof path, "recipes/%s-economic.yaml", names[i]);
		snprintf(plant.econ.oil_price[0].feedstock,
		         sizeof plant.econ.oil_price[0].feedstock, "%s", names[i]);
		if (rcp_load(&econ, path, &plant, &d) != 0) {
			diag_print(&d, stderr);
			fail_msg("%s does not load", path);
		}
		assert_string_equal(econ.feedstock, plain.feedstock);
		assert_int_equal(econ.n_steps, plain.n_steps);
		for (int s = 0; s < econ.n_steps; s++) {
			assert_string_equal(econ.steps[s].name, plain.steps[s].name);
			if (econ.steps[s].end == RCP_END_ECONOMIC)
				distil = s;
			else
				assert_memory_equal(&econ.steps[s], &plain.steps[s],
				                    sizeof econ.steps[s]);
		}
		assert_true(distil >= 0);
		assert_int_equal(econ.steps[distil].kind, RCP_DISTIL);
		assert_true(econ.steps[distil].max_s == plain.steps[distil].max_s);
		rcp_free(&plain);
		rcp_free(&econ);
	}
	setup(NULL);
}

/* recipe check: the price, the hour's cost, the break-even and the rule. */
static void check_explains(void **state)
{
	char *paths[] = {"recipes/cassia-leaf-economic.yaml", "recipes/cassia-leaf.yaml"};
	char *out_text = NULL, *err_text = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out = open_memstream(&out_text, &out_len);
	FILE *err = open_memstream(&err_text, &err_len);
	double cost = econ_hour_cost_vnd(&plant.econ, 180, 120);
	char want[600], c[48];

	(void)state;
	assert_int_equal(rcp_check_files(2, paths, &plant, out, err), 0);
	fclose(out);
	fclose(err);
	snprintf(want, sizeof want, "recipes/cassia-leaf-economic.yaml: ok\n"
	         "  step 'distil' ends on economics: cassia-leaf oil at "
	         "1,200,000 VND a kg; an hour at 180 kg/h of steam (0.3 kg/h per "
	         "kg of the largest charge, 600 kg) and 120 L/min of cooling water "
	         "costs %s, so the step ends once the forecast oil of the next hour "
	         "stays under %.3f kg for 15 min, not before 1 h of distilling, and "
	         "at 5 h (its max) at the latest.\n"
	         "recipes/cassia-leaf.yaml: ok\n",
	         econ_format_vnd(c, sizeof c, cost, "en"), cost / 1200000);
	assert_string_equal(out_text, want);
	assert_string_equal(err_text, "");
	free(out_text);
	free(err_text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(economic_step_loads),
		cmocka_unit_test(economic_refusals),
		cmocka_unit_test(economic_without_plant),
		cmocka_unit_test(economic_counts_in_max_batch),
		cmocka_unit_test(bundled_variants),
		cmocka_unit_test(check_explains),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
