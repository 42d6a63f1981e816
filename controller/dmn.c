/* dmn: the daemon's shared state. See dmn.h. */
#include "dmn.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

int dmn_load_recipes(struct dmn *d)
{
	struct rcp_recipe *fresh = calloc(DMN_RECIPES_MAX, sizeof *fresh);
	int n;

	if (fresh == NULL)
		return -1;
	diag_init(&d->recipe_errors);
	n = rcp_load_dir(d->plant.recipes_dir, &d->plant, fresh, DMN_RECIPES_MAX,
	                 &d->recipe_errors);
	/* at first load take the clean ones; a reload is all or nothing */
	if (n < 0 || (d->recipe_errors.n > 0 && d->n_recipes > 0)) {
		for (int i = 0; i < d->recipe_errors.n; i++)
			log_error("%s", d->recipe_errors.line[i]);
		log_error("recipes in %s have errors; keeping the %d loaded before",
		          d->plant.recipes_dir, d->n_recipes);
		for (int i = 0; i < (n > 0 ? n : 0); i++)
			rcp_free(&fresh[i]);
		free(fresh);
		return -1;
	}
	for (int i = 0; i < d->n_recipes; i++)
		rcp_free(&d->recipes[i]);
	memcpy(d->recipes, fresh, (size_t)n * sizeof *fresh);
	d->n_recipes = n;
	free(fresh);
	for (int i = 0; i < d->recipe_errors.n; i++)
		log_error("%s", d->recipe_errors.line[i]);
	log_info("loaded %d recipes from %s", n, d->plant.recipes_dir);
	return 0;
}

const struct rcp_recipe *dmn_recipe(const struct dmn *d, const char *name)
{
	for (int i = 0; i < d->n_recipes; i++)
		if (strcmp(d->recipes[i].name, name) == 0)
			return &d->recipes[i];
	return NULL;
}
