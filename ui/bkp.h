/*
 * bkp: the CLI's `backup FILE [--force]` and `restore FILE`: a checked
 * copy of the live database taken while the daemon runs, and putting one
 * back while it does not (store_backup, store_restore; docs/RECORDS.md).
 */
#ifndef BKP_H
#define BKP_H

#include <stdio.h>

#define BKP_NOT_MINE 3    /* argv[0] is neither backup nor restore */

/* Runs `backup` or `restore` (argv[0]) on the database at db_path: one
 * line to out when done (exit 0); one line to err and 1 when refused or
 * failed; usage and 2 for wrong arguments; BKP_NOT_MINE for any other
 * command. */
int bkp_main(int argc, char **argv, const char *db_path, FILE *out, FILE *err);

/* Prints the usage lines of backup and restore to f. */
void bkp_usage(FILE *f);

#endif
