/*
 * con_fc: the end-point forecast of a still as the console words it (the
 * status keys fc_*: docs/PROTOCOL.md; the estimator: docs/CONTROL.md,
 * "End-point estimator"). Pure; translated with _(); money by
 * econ_format_vnd in the console's language.
 * Table of contents: con_fc_summary, con_fc_next_hour, con_fc_pays,
 * con_fc_trend_note.
 */
#ifndef CON_FC_H
#define CON_FC_H

#include <stddef.h>

#include "con_net.h"

/* "Forecast (two-stage): 3.48 kg at the end (3.38-3.59), 95 % in 52m,
 * yield 0.70 %" into out; "" when s has no valid forecast. Returns out. */
char *con_fc_summary(char *out, size_t len, const struct con_still *s);

/* "Next hour: +0.31 kg oil worth 1,234,000 VND, costs 456,000 VND" (lang
 * "vi": "1.234.000 ₫"), or the oil alone and "no prices" when the plant
 * config has no economics; "" without a valid forecast. Returns out. */
char *con_fc_next_hour(char *out, size_t len, const struct con_still *s,
                       const char *lang);

/* 1 when the next hour's oil is worth at least its cost, 0 when not, -1
 * when unknown (no forecast or no prices). */
int con_fc_pays(const struct con_still *s);

/* The oil trend's note: "end 3.48, 95 % in 52m" ("" without a valid
 * forecast). Returns out. */
char *con_fc_trend_note(char *out, size_t len, const struct con_still *s);

#endif
