/*
 * dbc: the CLI's `db` commands on the plant database (read-only):
 *   db stats [--json]     sizes and rows by table, the historian's samples
 *                         and the projected size of a year at the rate
 *                         of the span it covers (store_hist_stats)
 *   db samples [--still S] [--batch N] [--last N]
 *                         historian rows as CSV, whatever form they are
 *                         stored in (store_hist_span, store_hist_batch)
 */
#ifndef DBC_H
#define DBC_H

#include <stdio.h>

#define DBC_NOT_MINE 3    /* argv[0] is not "db" */

/* Runs `db ...` on the database at db_path: the output to out (exit 0),
 * one line to err and 1 when it fails, usage and 2 for wrong arguments,
 * DBC_NOT_MINE for any other command. */
int dbc_main(int argc, char **argv, const char *db_path, FILE *out, FILE *err);

/* Prints the usage lines of the db commands to f. */
void dbc_usage(FILE *f);

#endif
