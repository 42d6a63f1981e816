/*
 * con: the operator console, `stillroom` with no subcommand (ncursesw).
 * One non-blocking loop serves the keyboard, the daemon's socket and the
 * redraw; it never waits on the daemon. Screens: overview, still detail,
 * alarms, start batch, batch history, lots (docs/CONSOLE.md).
 *   con_main           run the console until the operator quits
 *   con_bench_redraw   time the overview redraw, for `make bench`
 * The drawing is in con_draw (the screens; pure) with con_grid, con_fmt,
 * con_table and con_trend, the socket client in con_net.
 */
#ifndef CON_H
#define CON_H

#include <stdio.h>

#include "cfg.h"

struct con_opts {
	const char *socket_path;        /* the daemon's socket */
	const struct cfg_plant *plant;  /* site and stills; may be NULL */
	const char *db_path;            /* read-only history and lots; NULL: none */
	const char *operator_name;      /* the default offered; NULL: login name */
	const char *lang;               /* "en", "vi"; NULL or "": the locale's */
};

/* Runs the console on the terminal until the operator quits. Sets up the
 * locale and catalogs itself (i18n_init). Returns 0, or 1 when the
 * terminal could not be used (reason printed to stderr). */
int con_main(const struct con_opts *o);

/*
 * Times the overview with n_stills stills in a rows x cols terminal:
 * draws reps frames of changing values (con_draw_screen) and writes them
 * through curses to /dev/null, as the console does. Prints one line per
 * measure to out ("console overview redraw, 32 stills, 200x50: ... us per
 * frame"). Returns 0, or -1 when curses could not start.
 */
int con_bench_redraw(FILE *out, int n_stills, int rows, int cols, int reps);

/*
 * Times one entry of the history screen on the database at db_path, as
 * the console does it when the operator presses 5 (con_page_enter: the
 * lots and the batch list read, read-only). Returns the time in ms and
 * the batch rows listed in *rows, or -1 when the database could not be
 * read.
 */
double con_bench_history(const char *db_path, int *rows);

#endif
