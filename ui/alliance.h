/*
 * alliance: the CLI's `stillroom alliance ...`, the alliance's reports on
 * the central PostgreSQL (central/cen_report.c; docs/ALLIANCE.md):
 *   alliance yields                  yields and cost per kg of oil by
 *                                    plant, feedstock and month
 *   alliance trace --drum D|--lot L  a drum or a lot across plants
 *   alliance grower NAME             a grower's deliveries, every plant
 *   alliance views                   create the views (schema owner)
 * each with [--postgres CONNINFO] (default: libpq's environment, PGHOST,
 * PGPORT, PGUSER, PGSERVICE ...) and [--json]. Needs no plant config.
 */
#ifndef ALLIANCE_H
#define ALLIANCE_H

#include <stdio.h>

#define ALLIANCE_NOT_MINE 3    /* argv[0] is not "alliance" */

/*
 * Runs `alliance ...` (argv[0] = "alliance"), printing the report to out
 * and errors (one line) to err. Returns 0 (done; a trace that matched
 * nothing says so on err and returns 1), 1 on a failure (the database
 * unreachable, a report refused), 2 on wrong arguments (usage on err), or
 * ALLIANCE_NOT_MINE.
 */
int alliance_main(int argc, char **argv, FILE *out, FILE *err);

/* Prints the usage lines of `alliance` to f. */
void alliance_usage(FILE *f);

#endif
