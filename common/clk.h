/*
 * clk: the clocks the I/O layers use. Pure modules never call these: they
 * take time as a parameter.
 */
#ifndef CLK_H
#define CLK_H

#include <stdint.h>
#include <time.h>

/*
 * The shortest wall-clock time a speed-up may leave a safety window: the
 * simulated field watchdog and the controller's comm-loss alarm at
 * --speed N. No shared host schedules a 20 ms window reliably: on this
 * project's 2-core machine under load (load average 28) a thread sleeping
 * 2 ms woke up to 205 ms late; 500 ms leaves that a margin of 2.4.
 * docs/MODEL.md, "Time and speed".
 */
#define CLK_WALL_FLOOR_MS 500

/* CLOCK_MONOTONIC now, in nanoseconds. */
int64_t clk_mono_ns(void);

/* CLOCK_REALTIME now, in seconds since the epoch. */
double clk_wall_s(void);

/* Adds ns nanoseconds to *ts, normalised. */
void clk_ts_add_ns(struct timespec *ts, int64_t ns);

/* t in nanoseconds as a timespec. */
struct timespec clk_ts_from_ns(int64_t ns);

/*
 * A window of window_s process seconds at speed (process seconds per wall
 * second), in process seconds: window_s, but never less than
 * CLK_WALL_FLOOR_MS of wall time, nor (at speed 1 or below, a real plant)
 * other than window_s itself. Pure: no clock.
 */
double clk_speed_window_s(double window_s, double speed);

#endif
