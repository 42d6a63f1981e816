/*
 * bench_console: the console's overview redraw, for `make bench`: calls
 * con_bench_redraw (ui/con.c), which draws REPS frames of N stills with
 * changing values into a ROWS x COLS screen (con_draw_screen, pure) and
 * sends the changed cells through curses to /dev/null (con_blit, refresh),
 * as the console does. Prints con_bench_redraw's line.
 *
 * usage: bench_console N ROWS COLS REPS
 * Exits 0, 1 when curses could not start, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "con.h"

int main(int argc, char **argv)
{
	int n, rows, cols, reps;

	if (argc != 5 || (n = atoi(argv[1])) < 1 || (rows = atoi(argv[2])) < 10 ||
	    (cols = atoi(argv[3])) < 40 || (reps = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: bench_console N ROWS COLS REPS\n");
		return 2;
	}
	return con_bench_redraw(stdout, n, rows, cols, reps) < 0;
}
