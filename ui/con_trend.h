/*
 * con_trend: a still's recent history (a fine and a coarse ring), its
 * resampling to a plot's width, and plots drawn into a grid. Pure.
 * Table of contents:
 *   history                   struct con_trend, con_trend_init,
 *                             con_trend_push, con_trend_resample
 *   plots                     con_trend_range, con_trend_plot,
 *                             con_trend_draw, con_trend_draw_mark,
 *                             con_trend_curve,
 *                             con_trend_series_name
 */
#ifndef CON_TREND_H
#define CON_TREND_H

#include "con_grid.h"


enum con_series {
	CON_TR_PRESSURE,     /* kPa */
	CON_TR_STILL_TEMP,   /* C */
	CON_TR_VAPOUR,       /* C */
	CON_TR_DISTILLATE,   /* C */
	CON_TR_STEAM,        /* steam valve % */
	CON_TR_OIL,          /* kg */
	CON_TR_COUNT
};

#define CON_TREND_FINE 1800      /* recent samples kept as they came */
#define CON_TREND_COARSE 2880    /* older ones as CON_TREND_COARSE_S means */
#define CON_TREND_COARSE_S 15.0  /* 2880 x 15 s = 12 h */

struct con_ring {
	double t_s[CON_TREND_COARSE];          /* sample times, s */
	float v[CON_TREND_COARSE][CON_TR_COUNT];
	int cap;                               /* slots used of the arrays */
	int head;                              /* next write */
	int len;
};

/* A still's recent history: a fine ring at the poll rate and a coarse ring
 * of CON_TREND_COARSE_S means for long windows. */
struct con_trend {
	struct con_ring fine;
	struct con_ring coarse;
	double acc[CON_TR_COUNT];   /* sums for the coarse mean in progress */
	int acc_n[CON_TR_COUNT];
	double acc_start_s;         /* start of that mean's period, s */
};

/* Empties t. */
void con_trend_init(struct con_trend *t);

/* Adds one sample (v[CON_TR_COUNT], NaN = no value) taken at t_s. */
void con_trend_push(struct con_trend *t, double t_s, const double *v);

/*
 * Resamples series over (t_end_s - window_s, t_end_s] into n buckets,
 * oldest first: out[i] is the mean of the samples in bucket i, NaN where
 * none. Uses the fine ring when it covers the window, else the coarse one.
 * Returns how many buckets have a value.
 */
int con_trend_resample(const struct con_trend *t, int series, double t_end_s,
                       double window_s, int n, double *out);

/* A plot range for y[0..n): covers every value, at least min_span wide,
 * rounded outward to a round step. Returns 0, or -1 when all are NaN. */
int con_trend_range(const double *y, int n, double min_span, double *lo,
                    double *hi);

/* Draws y[0..w) as columns of eighth blocks in the h x w box at top, left,
 * scaled lo..hi; NaN leaves the column blank. */
void con_trend_plot(struct con_grid *g, int top, int left, int h, int w,
                    const double *y, double lo, double hi, uint16_t style);

/* A labelled trend: title line, y-axis labels, the plot of series over
 * window_s up to now_s, in the h x w box at top, left (h >= 3). */
void con_trend_draw(struct con_grid *g, int top, int left, int h, int w,
                    const struct con_trend *t, int series, double now_s,
                    double window_s);

/* con_trend_draw with a level mark (NaN: none) kept in the y range and
 * drawn as a dotted line (the expected end of the oil curve, say), and a
 * note ("" none) in the title after the value now. */
void con_trend_draw_mark(struct con_grid *g, int top, int left, int h, int w,
                         const struct con_trend *t, int series, double now_s,
                         double window_s, double mark, const char *note);

/* A titled plot of the points (x[i], y[i]) in the h x w box, x spread over
 * its range in buckets of equal width, y labelled on the left. */
void con_trend_curve(struct con_grid *g, int top, int left, int h, int w,
                     const char *title, const double *x, const double *y, int n,
                     int decimals, double min_span);

/* The series' title with its unit, translated. */
const char *con_trend_series_name(int series);

#endif
