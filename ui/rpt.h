/*
 * rpt: the read-only report commands of the CLI. They open the database
 * read-only, so they work while the daemon runs, and print text readable
 * at 80 columns (for the screen and for printing), --json (built by
 * SQLite's JSON functions) or --csv. Table of contents:
 *   rpt_main            report batch|batches|yields|curve, trace, audit
 *                       verify, lot list|show
 *   rpt_usage           the usage lines of those commands
 *   rpt_lot_parse       `lot add` arguments into a struct store_lot
 *   rpt_qa_parse        `qa record` arguments into a struct store_qa_result
 *   rpt_decision_parse  `qa release|quarantine|reject` arguments
 * The writing commands (lot add, qa ...) go through the daemon, the only
 * writer: rpt_main answers RPT_NOT_MINE for them and the parsers above let
 * the caller check their arguments before sending them.
 */
#ifndef RPT_H
#define RPT_H

#include <stdio.h>

#include "cfg.h"
#include "store.h"

#define RPT_OK 0          /* done */
#define RPT_ERR 1         /* bad input or a failure; one line on err */
#define RPT_USAGE 2       /* wrong arguments; usage on err */
#define RPT_NOT_MINE 3    /* a writing command: send it to the daemon */

/*
 * Runs the report command in argv (argv[0] is "report", "trace", "audit",
 * "lot" or "drum") on the database at db_path, printing to out, errors
 * (one line each) to err. plant gives the privacy setting of the buyer's
 * trace (households shown only when plant->settle.households_in_trace;
 * NULL: hidden). Returns RPT_OK, RPT_ERR, RPT_USAGE, or RPT_NOT_MINE for
 * `lot add|correct`, `drum fill`, `qa ...` and any argv[0] that is not a
 * report command.
 */
int rpt_main(int argc, char **argv, const char *db_path,
             const struct cfg_plant *plant, FILE *out, FILE *err);

/* Prints the usage lines of the report commands to f. */
void rpt_usage(FILE *f);

/*
 * Parses `lot add ID --feedstock F --grower G --mass KG [--moisture PCT]
 * [--cooperative C] [--origin O] [--harvested YYYY-MM-DD] [--drying-days N]
 * --operator NAME` (argv[0] = "lot") into *lot and operator_name. Returns
 * RPT_OK, RPT_ERR with a sentence in cause (bad number or date, missing
 * field), or RPT_USAGE.
 */
int rpt_lot_parse(int argc, char **argv, struct store_lot *lot,
                  char *operator_name, size_t operator_len, char *cause,
                  size_t cause_len);

/*
 * Parses `qa record ID --density D --ri N --marker PCT --analyst NAME
 * [--lab-ref R] [--why TEXT]` (argv[0] = "qa") into *batch_id and *r.
 * Returns RPT_OK, RPT_ERR with cause, or RPT_USAGE.
 */
int rpt_qa_parse(int argc, char **argv, long *batch_id,
                 struct store_qa_result *r, char *cause, size_t cause_len);

/*
 * Parses `qa release|quarantine|reject ID --operator NAME [--why TEXT]`
 * (argv[0] = "qa"): *decision is "released", "quarantined" or "rejected";
 * *who and *why point into argv (*why may be NULL). Returns RPT_OK,
 * RPT_ERR with cause, or RPT_USAGE.
 */
int rpt_decision_parse(int argc, char **argv, long *batch_id,
                       const char **decision, const char **who,
                       const char **why, char *cause, size_t cause_len);

#endif
