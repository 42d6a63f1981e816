/*
 * doc_svg: charts as inline SVG for the documents (doc.h), drawn at the
 * page's resolution from the samples: a trend is reduced to a min/max
 * envelope per pixel column, so 28,800 samples become at most 2 x width
 * points per series and a one-sample spike is never lost. Pure output to a
 * FILE *, no allocation beyond the caller's arrays. Each series is one
 * <path class="series s-K"> (K its index; a reference batch's series
 * also carry class "ref"); limit lines are class "limit" (a forecast
 * line "forecast"), alarm marks class "alarm", an end-point decision
 * "decision"; tests count them. Table of contents:
 *   doc_svg_trend      time series with limits and alarm marks
 *   doc_svg_bars       a bar chart (yields by month, still, ...)
 *   doc_svg_spans      a timeline of spans (steps, alarms)
 */
#ifndef DOC_SVG_H
#define DOC_SVG_H

#include <stdio.h>

#define DOC_SVG_LIMITS_MAX 8
#define DOC_SVG_MARKS_MAX 64

/* One series: n points (t_s[i], v[i]) in time order; NaN values are gaps. */
struct doc_svg_series {
	const char *name;          /* the legend */
	const double *t_s;         /* seconds from the chart's origin */
	const double *v;
	int n;
	int reference;             /* 1: a reference batch (dashed, "ref") */
};

struct doc_svg_trend {
	const char *title;
	const char *unit;          /* the y axis, e.g. "kPa" */
	int width_px, height_px;   /* the drawing; it scales with the page */
	double t0_s, t1_s;         /* the x range */
	double y_min, y_max;       /* NaN: from the data and the limits */
	struct {
		double v;
		const char *label;
		int forecast;          /* 1: a forecast, not an alarm limit */
	} limit[DOC_SVG_LIMITS_MAX];
	int n_limits;
	struct {
		double t_s;
		const char *label;
		int decision;          /* 1: the end-point decision, else an alarm */
	} mark[DOC_SVG_MARKS_MAX];
	int n_marks;               /* vertical marks: alarm onsets, decisions */
};

/* Draws the trend of n series (at most 8). Returns 0, or -1 (nothing
 * written) when an argument is unusable (width < 50, t1 <= t0, n < 1). */
int doc_svg_trend(FILE *f, const struct doc_svg_trend *c,
                  const struct doc_svg_series *s, int n);

/* A bar chart: n bars (label, value) with the unit on the axis; NaN bars
 * are drawn as "no data". Returns 0 or -1. */
int doc_svg_bars(FILE *f, const char *title, const char *unit,
                 const char *const *labels, const double *values, int n,
                 int width_px, int height_px);

/* One span on a timeline row. */
struct doc_svg_span {
	const char *row;           /* the row's label: a step name, an alarm */
	double t0_s, t1_s;         /* t1 NaN: until the chart's end */
	int kind;                  /* 0 step, 1 alarm, 2 hold */
};

/* A timeline of n spans over [t0_s, t1_s], one row per distinct row label
 * in first-seen order. Returns 0 or -1. */
int doc_svg_spans(FILE *f, const char *title, const struct doc_svg_span *s,
                  int n, double t0_s, double t1_s, int width_px);

#endif
