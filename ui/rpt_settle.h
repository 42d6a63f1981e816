/*
 * rpt_settle: `stillroom settle --from D --to D [--grower G]
 * [--csv|--json]`, what each member household is owed for a period by the
 * plant configuration's rule (docs/RECORDS.md, "Member settlement"): the
 * period's lines from the record (STORE_Q_SETTLE, read-only), the
 * arithmetic of config/settle.c, laid out as text (80 columns, VND as
 * people read it, in the language of the messages), CSV or JSON (whole
 * grams and dong).
 *   rpt_settle_main   the command
 */
#ifndef RPT_SETTLE_H
#define RPT_SETTLE_H

#include <stdio.h>

#include "cfg.h"

/*
 * Runs `settle ...` (argv[0] = "settle") on the database at db_path with
 * plant's `settlement:` rule and `economics:` oil prices, printing to out
 * and errors (one line) to err. Returns RPT_OK, RPT_ERR (bad input, no
 * rule, a feedstock without a price: nothing printed to out), RPT_USAGE,
 * or RPT_NOT_MINE when argv[0] is not "settle" (rpt.h's codes).
 */
int rpt_settle_main(int argc, char **argv, const char *db_path,
                    const struct cfg_plant *plant, FILE *out, FILE *err);

#endif
