/*
 * con_fmt: numbers and durations as the console shows them ("--" when
 * there is no value). Pure.
 */
#ifndef CON_FMT_H
#define CON_FMT_H

#include <stddef.h>


/* v with decimals places into out; "--" when NaN. Returns out. */
char *con_fmt_num(char *out, size_t out_len, double v, int decimals);

/* A duration in minutes as "45m", "2h05", "--" when < 0 or NaN. */
char *con_fmt_duration(char *out, size_t out_len, double minutes);

#endif
