/*
 * trace_fx: the fixtures shared by test_store_trace and test_rpt_trace
 * (issue 14's read side): a small season written through the records
 * writers, and checks of JSON by SQLite's own JSON functions. The helpers
 * keep the t_ prefix the tests use.
 */
#ifndef TRACE_FX_H
#define TRACE_FX_H

#include <stddef.h>

#include "store_fx.h"

/* json_extract(json, path) as text into out ("" for SQL NULL), and its
 * json_type into type ("" when the path is absent; type may be NULL). */
void t_json(const char *json, const char *path, char *out, size_t len,
            char *type, size_t type_len);

/* Fails unless json at path is want (as json_extract gives it as text). */
void t_is(const char *json, const char *path, const char *want);

/* Fails unless json has path with JSON type want ("" = absent). */
void t_type(const char *json, const char *path, const char *want);

/* Lab results in spec for batch id (cassia-leaf), then decision. */
void t_release(struct t_env *e, long id, const char *decision);

/* A decision on batch id without new lab results. */
void t_decide(struct t_env *e, long id, const char *decision);

/* Ends batch id complete and weighs oil_kg (which attributes it). */
void t_weigh(struct t_env *e, long id, double oil_kg);

/* Fills kg of batch into drum (tare on the first fill, conventional). */
void t_fill(struct t_env *e, const char *drum, long batch, double kg,
            double tare);

/* Ships drum to Aroma GmbH on date (note INV-9). */
void t_ship(struct t_env *e, const char *drum, const char *date);

/*
 * The season in small: lots L1 (Hoa, 300 kg, 14 %), L2 (Mai, 200 kg,
 * 10 %), L3 (Hoa, 400 kg, no moisture); batch 1 from L1 200 + L2 100,
 * weighed 3.0 kg; batch 2 from L3 300, weighed 2.0 kg; drum D1 (tare 2.5)
 * gets 1.0 kg of batch 1 and 0.5 + 0.5 kg of batch 2, drum D2 (tare 3)
 * 0.5 kg of batch 1; then L1's moisture is corrected to 12, then 11.5
 * (batch 1 attributed again: L1 1989 g, L2 1011 g by dry mass), and L2
 * gets organic certificate VN-ORG-7 (Control Union) and part twig.
 * Batch 2 is attributed by charged mass (2000 g). Nothing is released.
 */
void t_season(struct t_env *e, long *b1, long *b2);

/* The trace code the writer gave drum (checked to start "SR-"). */
void t_code(struct t_env *e, const char *drum, char *code, size_t len);

#endif
