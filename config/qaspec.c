/* qaspec: the QA spec file. See qaspec.h. */
#include "qaspec.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ydoc.h"

/* How one range key of a spec is read. */
struct qaspec_range_kind {
	struct ydoc_range_spec spec;     /* key, unit, plausible bounds */
	size_t min_off, max_off;         /* its doubles in struct store_qa_spec */
};

static const struct qaspec_range_kind qaspec_ranges[] = {
	{{"density", NULL, QASPEC_DENSITY_LO, QASPEC_DENSITY_HI, 0},
	 offsetof(struct store_qa_spec, density_min),
	 offsetof(struct store_qa_spec, density_max)},
	{{"refractive_index", NULL, QASPEC_RI_LO, QASPEC_RI_HI, 0},
	 offsetof(struct store_qa_spec, ri_min),
	 offsetof(struct store_qa_spec, ri_max)},
	{{"marker_pct", &ydoc_kind_pct, QASPEC_MARKER_LO_PCT, QASPEC_MARKER_HI_PCT, 0},
	 offsetof(struct store_qa_spec, marker_min_pct),
	 offsetof(struct store_qa_spec, marker_max_pct)},
};

#define QASPEC_N_RANGES (int)(sizeof qaspec_ranges / sizeof qaspec_ranges[0])

enum { QASPEC_K_DENSITY, QASPEC_K_RI, QASPEC_K_MARKER_PCT, QASPEC_K_MARKER,
       QASPEC_K_COUNT };

/* The keys of one spec: the ranges in qaspec_ranges' order, then marker. */
static const struct ydoc_field qaspec_spec_fields[QASPEC_K_COUNT] = {
	[QASPEC_K_DENSITY] = {"density", 0},
	[QASPEC_K_RI] = {"refractive_index", 0},
	[QASPEC_K_MARKER_PCT] = {"marker_pct", 0},
	[QASPEC_K_MARKER] = {"marker", 1},
};

/* Reads one {min, max} range of kind k (absent: n NULL) into sp. */
static void qaspec_read_range(struct ydoc *doc, const struct ydoc_node *n,
                              const struct qaspec_range_kind *k,
                              const char *feedstock, struct store_qa_spec *sp)
{
	char what[96];

	snprintf(what, sizeof what, "'%s' of %s", k->spec.key, feedstock);
	ydoc_range(doc, n, what, &k->spec, (double *)((char *)sp + k->min_off),
	           (double *)((char *)sp + k->max_off));
}

/* Reads the spec of one feedstock (key: its name, n: its mapping). */
static void qaspec_read_spec(struct ydoc *doc, const struct ydoc_node *key,
                             const struct ydoc_node *n, struct store_qa_spec *sp)
{
	const struct ydoc_node *v[QASPEC_K_COUNT];
	char what[64];

	*sp = (struct store_qa_spec){.density_min = NAN, .density_max = NAN,
	                             .ri_min = NAN, .ri_max = NAN,
	                             .marker_min_pct = NAN, .marker_max_pct = NAN};
	if (ydoc_name(doc, key, "feedstock", sp->feedstock, sizeof sp->feedstock) != 0)
		snprintf(sp->feedstock, sizeof sp->feedstock, "?");
	snprintf(what, sizeof what, "the spec of %s", sp->feedstock);
	if (ydoc_fields(doc, n, what, qaspec_spec_fields, QASPEC_K_COUNT, v) < 0)
		return;
	ydoc_str(doc, v[QASPEC_K_MARKER], "marker", sp->marker, sizeof sp->marker);
	for (int k = 0; k < QASPEC_N_RANGES; k++)
		qaspec_read_range(doc, v[k], &qaspec_ranges[k], sp->feedstock, sp);
	if (v[QASPEC_K_DENSITY] == NULL && v[QASPEC_K_RI] == NULL &&
	    v[QASPEC_K_MARKER_PCT] == NULL)
		ydoc_error(doc, n, "%s sets no limit: give density, refractive_index "
		           "or marker_pct", what);
}

/* What a node is, for "must be ..., not X" when it is not a mapping. */
static const char *qaspec_shape(const struct ydoc_node *n)
{
	if (n->type == YDOC_SEQ)
		return "a list";
	if (n->type == YDOC_MAP)
		return "an empty mapping";
	return "text";
}

/* Reads the whole document into out[0..max-1]; returns the count read. */
static int qaspec_read(struct ydoc *doc, struct store_qa_spec *out, int max)
{
	static const struct ydoc_field top[] = {{"feedstocks", 1}};
	const struct ydoc_node *root = ydoc_root(doc), *fs;
	int n;

	if (root == NULL || ydoc_is_null(root)) {
		ydoc_error(doc, NULL, "the file is empty; a QA spec file is a mapping "
		           "with 'feedstocks' (one spec per feedstock)");
		return 0;
	}
	if (ydoc_fields(doc, root, "the QA spec file", top, 1, &fs) < 0 || fs == NULL)
		return 0;
	if (fs->type != YDOC_MAP || ydoc_len(fs) == 0) {
		ydoc_error(doc, fs, "'feedstocks' must be a mapping of feedstock "
		           "names to their specs, not %s", qaspec_shape(fs));
		return 0;
	}
	n = ydoc_len(fs);
	if (n > max) {
		ydoc_error(doc, fs, "'feedstocks' holds %d specs; at most %d", n, max);
		return 0;
	}
	for (int i = 0; i < n; i++)
		qaspec_read_spec(doc, ydoc_map_key(fs, i), ydoc_map_val(fs, i), &out[i]);
	return n;
}

int qaspec_parse(const char *path, const char *text, size_t len,
                 struct store_qa_spec *out, int max, struct diag *d)
{
	struct store_qa_spec *tmp;
	struct ydoc *doc;
	int n, rc = -1;

	tmp = calloc(max > 0 ? (size_t)max : 1, sizeof *tmp);
	if (tmp == NULL) {
		diag_add(d, path, 0, 0, "out of memory");
		return -1;
	}
	doc = ydoc_parse(path, text, len, d);
	if (doc == NULL)
		goto out_free_tmp;
	n = qaspec_read(doc, tmp, max);
	if (ydoc_error_count(doc) == 0) {
		memcpy(out, tmp, (size_t)n * sizeof *out);
		rc = n;
	}
	ydoc_sort_errors(doc);
	ydoc_free(doc);
out_free_tmp:
	free(tmp);
	return rc;
}

int qaspec_load(const char *path, struct store_qa_spec *out, int max,
                struct diag *d)
{
	char *text;
	size_t len;
	int rc;

	if (ydoc_read_file(path, &text, &len, d) < 0)
		return -1;
	rc = qaspec_parse(path, text, len, out, max, d);
	free(text);
	return rc;
}

const struct store_qa_spec *qaspec_find(const struct store_qa_spec *s, int n,
                                        const char *feedstock)
{
	if (s == NULL || feedstock == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		if (strcmp(s[i].feedstock, feedstock) == 0)
			return &s[i];
	return NULL;
}
