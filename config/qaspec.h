/*
 * qaspec: the QA spec file (config/qa.yaml): one oil specification per
 * feedstock (density, refractive index, marker compound %), loaded into
 * the struct store_qa_spec that store_qa_record checks lab results
 * against. Errors are "file:line:column: message" lines in a diag, as for
 * the plant configuration. Table of contents:
 *   loading        qaspec_load, qaspec_parse
 *   lookup         qaspec_find
 * The file's shape (docs/RECORDS.md, "The QA spec file"):
 *   feedstocks:
 *     cassia-leaf:
 *       density: {min: 1.052, max: 1.070}
 *       refractive_index: {min: 1.600, max: 1.614}
 *       marker: cinnamaldehyde
 *       marker_pct: {min: 80 %, max: 90 %}
 * A limit left out is NaN (not checked); each spec needs its marker's name
 * and at least one limit.
 */
#ifndef QASPEC_H
#define QASPEC_H

#include <stddef.h>

#include "diag.h"

/* Plausible bounds of each lab figure, the one table both the spec file's
 * limits and the lab results (store_qa_result_set) are read against:
 * anything outside is a typing error. */
#define QASPEC_DENSITY_LO 0.5   /* relative density, dimensionless */
#define QASPEC_DENSITY_HI 2.0
#define QASPEC_RI_LO 1.0        /* refractive index nD20, dimensionless */
#define QASPEC_RI_HI 2.0
#define QASPEC_MARKER_LO_PCT 0.0   /* marker compound, % of the oil */
#define QASPEC_MARKER_HI_PCT 100.0

/* A feedstock's oil specification (the QA config file gives one per
 * feedstock). A NaN limit is not checked. The records module (store.h)
 * keeps the one a result was checked against; its name stays store_ so
 * that its many users need not change. */
struct store_qa_spec {
	char feedstock[32];
	double density_min;        /* relative density (to water), dimensionless */
	double density_max;
	double ri_min;             /* refractive index nD20, dimensionless */
	double ri_max;
	char marker[48];           /* "cinnamaldehyde", "trans-anethole" */
	double marker_min_pct;     /* marker compound, % of the oil (GC area) */
	double marker_max_pct;
};

#define QASPEC_MAX 16   /* specs a file may hold (a sensible max for out) */

/*
 * Reads the QA spec file at path into out[0..max-1]. All or nothing: out
 * is written only when the whole file is clean. Returns the number of
 * specs, or -1 with every error found in d.
 */
int qaspec_load(const char *path, struct store_qa_spec *out, int max,
                struct diag *d);

/* qaspec_load on len bytes of text already read; path names it in
 * errors. */
int qaspec_parse(const char *path, const char *text, size_t len,
                 struct store_qa_spec *out, int max, struct diag *d);

/* The spec of feedstock among s[0..n-1], or NULL when there is none (or
 * feedstock is NULL). */
const struct store_qa_spec *qaspec_find(const struct store_qa_spec *s, int n,
                                        const char *feedstock);

#endif
