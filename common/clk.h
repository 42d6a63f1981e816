/*
 * clk: the clocks the I/O layers use. Pure modules never call these: they
 * take time as a parameter.
 */
#ifndef CLK_H
#define CLK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC now, in nanoseconds. */
int64_t clk_mono_ns(void);

/* CLOCK_REALTIME now, in seconds since the epoch. */
double clk_wall_s(void);

/* Adds ns nanoseconds to *ts, normalised. */
void clk_ts_add_ns(struct timespec *ts, int64_t ns);

/* t in nanoseconds as a timespec. */
struct timespec clk_ts_from_ns(int64_t ns);

#endif
