/* feed: the feedstock table for the plant model. See feed.h. */
#include "feed.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ydoc.h"

#define FEED_SOURCE_MAX 1024  /* bytes of citation text */

enum {
	FEED_K_NAME, FEED_K_YIELD, FEED_K_WASH, FEED_K_KW, FEED_K_KD,
	FEED_K_REF_STEAM, FEED_K_C, FEED_K_MOISTURE, FEED_K_DENSITY,
	FEED_K_CONGEAL, FEED_K_HOLD, FEED_K_SOURCE, FEED_K_COUNT
};

static const struct ydoc_field feed_fields[FEED_K_COUNT] = {
	[FEED_K_NAME] = {"name", 1},
	[FEED_K_YIELD] = {"yield_pct", 1},
	[FEED_K_WASH] = {"wash_fraction", 1},
	[FEED_K_KW] = {"kw_per_min", 1},
	[FEED_K_KD] = {"kd_per_min", 1},
	[FEED_K_REF_STEAM] = {"ref_steam_kg_per_h_per_kg", 1},
	[FEED_K_C] = {"c_kj_per_kg_k", 1},
	[FEED_K_MOISTURE] = {"moisture_pct", 1},
	[FEED_K_DENSITY] = {"oil_density_rel", 1},
	[FEED_K_CONGEAL] = {"congeal_c", 1},
	[FEED_K_HOLD] = {"condensate_hold_frac", 1},
	[FEED_K_SOURCE] = {"source", 1},
};

/* The numeric keys: range and where the value goes (yield_pct is turned
 * into a fraction afterwards). */
struct feed_num {
	int key;
	double lo, hi;
	size_t offset;
};

static const struct feed_num feed_nums[] = {
	{FEED_K_YIELD, 0.01, 50, offsetof(struct model_feed, yield_frac)},
	{FEED_K_WASH, 0, 1, offsetof(struct model_feed, wash_frac)},
	{FEED_K_KW, 1e-6, 10, offsetof(struct model_feed, kw_per_min)},
	{FEED_K_KD, 1e-6, 10, offsetof(struct model_feed, kd_per_min)},
	{FEED_K_REF_STEAM, 0.01, 10, offsetof(struct model_feed, ref_steam_kg_per_h_per_kg)},
	{FEED_K_C, 0.5, 5, offsetof(struct model_feed, c_kj_per_kg_k)},
	{FEED_K_MOISTURE, 0, 90, offsetof(struct model_feed, moisture_pct)},
	{FEED_K_DENSITY, 0.5, 1.5, offsetof(struct model_feed, oil_density_rel)},
	{FEED_K_CONGEAL, -100, 100, offsetof(struct model_feed, congeal_c)},
	{FEED_K_HOLD, 0, 0.9, offsetof(struct model_feed, condensate_hold_frac)},
};

static void feed_read_row(struct ydoc *doc, const struct ydoc_node *n, int i,
                          struct model_feed *f)
{
	const struct ydoc_node *v[FEED_K_COUNT];
	char what[32], source[FEED_SOURCE_MAX];

	memset(f, 0, sizeof *f);
	snprintf(what, sizeof what, "feedstock %d", i + 1);
	if (ydoc_fields(doc, n, what, feed_fields, FEED_K_COUNT, v) < 0)
		return;
	ydoc_name(doc, v[FEED_K_NAME], "name", f->name, sizeof f->name);
	for (size_t k = 0; k < sizeof feed_nums / sizeof feed_nums[0]; k++) {
		const struct feed_num *num = &feed_nums[k];

		ydoc_num(doc, v[num->key], feed_fields[num->key].key, num->lo,
		         num->hi, (double *)((char *)f + num->offset));
	}
	f->yield_frac /= 100;
	ydoc_str(doc, v[FEED_K_SOURCE], "source", source, sizeof source);
	if (v[FEED_K_KW] && v[FEED_K_KD] && f->kw_per_min <= f->kd_per_min)
		ydoc_error(doc, v[FEED_K_KW], "'kw_per_min' must be above "
		           "'kd_per_min': washing is the fast stage, diffusion "
		           "the slow one");
}

static int feed_read(struct ydoc *doc, struct model_feed *out, int max)
{
	static const struct ydoc_field top[] = {{"feedstocks", 1}};
	const struct ydoc_node *list, *root = ydoc_root(doc);
	int n;

	if (root == NULL || ydoc_is_null(root)) {
		ydoc_error(doc, NULL, "the file is empty; expected 'feedstocks:' "
		           "with a list of feedstocks");
		return -1;
	}
	if (ydoc_fields(doc, root, "the feedstock file", top, 1, &list) < 0 ||
	    list == NULL)
		return -1;
	n = ydoc_len(list);
	if (list->type != YDOC_SEQ || n == 0 || n > max) {
		ydoc_error(doc, list, "'feedstocks' must be a list of 1 to %d "
		           "feedstocks", max);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		feed_read_row(doc, list->kid[i], i, &out[i]);
		for (int j = 0; j < i; j++)
			if (out[i].name[0] && strcmp(out[i].name, out[j].name) == 0)
				ydoc_error(doc, ydoc_map_get(list->kid[i], "name"),
				           "duplicate feedstock name '%s'", out[i].name);
	}
	return n;
}

int feed_parse(const char *path, const char *text, size_t len,
               struct model_feed *out, int max, struct diag *d)
{
	struct ydoc *doc = ydoc_parse(path, text, len, d);
	int n;

	if (doc == NULL)
		return -1;
	n = feed_read(doc, out, max);
	if (ydoc_error_count(doc) > 0)
		n = -1;
	ydoc_sort_errors(doc);
	ydoc_free(doc);
	return n;
}

int feed_load(const char *path, struct model_feed *out, int max, struct diag *d)
{
	char *text;
	size_t len;
	int n;

	if (ydoc_read_file(path, &text, &len, d) < 0)
		return -1;
	n = feed_parse(path, text, len, out, max, d);
	free(text);
	return n;
}

const struct model_feed *feed_find(const struct model_feed *f, int n,
                                   const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}
