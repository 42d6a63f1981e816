/* clk: clocks for the I/O layers. See clk.h. */
#include "clk.h"

#include <math.h>

int64_t clk_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double clk_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void clk_ts_add_ns(struct timespec *ts, int64_t ns)
{
	int64_t total = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + ns;

	*ts = clk_ts_from_ns(total);
}

struct timespec clk_ts_from_ns(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	return ts;
}

double clk_speed_window_s(double window_s, double speed)
{
	double floor_s = fmin(window_s, CLK_WALL_FLOOR_MS / 1000.0);

	if (!(speed > 1))
		return window_s;
	return fmax(window_s, floor_s * speed);
}
