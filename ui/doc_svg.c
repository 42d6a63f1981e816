/*
 * doc_svg: the documents' charts as inline SVG (see doc_svg.h). A trend
 * is streamed sample by sample into one min/max pair per pixel column of
 * the plot (emitted in the order they occurred), so the path has at most
 * 2 x width points per series whatever the number of samples and a spike
 * of one sample is a vertical stroke. Nothing is allocated. Colours and
 * line styles are in doc.c's style sheet (classes series, s-K, ref,
 * limit, alarm, bar, nodata, k0..k2).
 */
#include "doc_svg.h"
#include "doc.h"
#include "i18n.h"

#include <math.h>
#include <string.h>

#define DOC_SVG_SERIES_MAX 8
#define DOC_SVG_LEFT_PX 56     /* room for the y tick labels */
#define DOC_SVG_RIGHT_PX 12
#define DOC_SVG_TITLE_PX 22
#define DOC_SVG_LEGEND_ROW_PX 16
#define DOC_SVG_XAXIS_PX 30    /* x tick labels and the axis unit */
#define DOC_SVG_ROW_PX 18      /* one timeline row */
#define DOC_SVG_ROWLABEL_PX 130

/* the plot area in drawing pixels */
struct doc_svg_area {
	double x0, x1, y0, y1;     /* left, right, top, bottom */
	double t0_s, t1_s;         /* the x range */
	double v0, v1;             /* the y range (bottom, top) */
};

/* one pixel column of a series being drawn */
struct doc_svg_col {
	int col;                   /* -1: none open */
	double lo, hi;             /* min and max value in the column */
	int lo_first;              /* 1: the min came before the max */
	int pen_down;              /* 0: the next point starts a new stroke */
};

static double doc_svg_x(const struct doc_svg_area *a, double t_s)
{
	return a->x0 + (t_s - a->t0_s) / (a->t1_s - a->t0_s) * (a->x1 - a->x0);
}

static double doc_svg_y(const struct doc_svg_area *a, double v)
{
	double y = a->y1 - (v - a->v0) / (a->v1 - a->v0) * (a->y1 - a->y0);

	return y < a->y0 ? a->y0 : y > a->y1 ? a->y1 : y;
}

/* a "nice" step (1, 2 or 5 x 10^k) giving about want steps over range */
static double doc_svg_step(double range, int want)
{
	double raw = range / want, mag = pow(10, floor(log10(raw))), r = raw / mag;

	return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

/* a number as the reports show it: fewer decimals as it grows */
static void doc_svg_num(FILE *f, double v)
{
	double a = fabs(v);

	fprintf(f, a >= 100 || v == floor(v) ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
}

static void doc_svg_open(FILE *f, const char *title, int w, int h)
{
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	        "height=\"%d\" role=\"img\" aria-label=\"", w, h, w, h);
	doc_esc(f, title);
	fputs("\">\n", f);
	if (title) {
		fputs("<text x=\"4\" y=\"15\" font-weight=\"bold\">", f);
		doc_esc(f, title);
		fputs("</text>\n", f);
	}
}

/* the time axis along the bottom of a: ticks every nice step, "h:mm" */
static void doc_svg_time_axis(FILE *f, const struct doc_svg_area *a)
{
	static const double steps_s[] = {60, 120, 300, 600, 900, 1800, 3600,
	                                  7200, 10800, 21600, 43200, 86400};
	double span_s = a->t1_s - a->t0_s, step_s = steps_s[11], t;
	size_t i;

	for (i = 0; i < sizeof steps_s / sizeof steps_s[0]; i++)
		if (span_s / steps_s[i] <= 8) {
			step_s = steps_s[i];
			break;
		}
	fprintf(f, "<path class=\"axis\" d=\"M%.1f %.1fH%.1f\"/>\n", a->x0, a->y1, a->x1);
	for (t = ceil(a->t0_s / step_s) * step_s; t <= a->t1_s + 1e-9; t += step_s) {
		double x = doc_svg_x(a, t);
		long m = lround(t / 60);

		fprintf(f, "<path class=\"axis\" d=\"M%.1f %.1fv4\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s%ld:%02ld</text>\n",
		        x, a->y1, x, a->y1 + 15, m < 0 ? "-" : "", labs(m) / 60, labs(m) % 60);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">h:mm</text>\n",
	        a->x1, a->y1 + 27);
}

/* the value axis along the left of a with grid lines and the unit */
static void doc_svg_value_axis(FILE *f, const struct doc_svg_area *a,
                               const char *unit)
{
	double step = doc_svg_step(a->v1 - a->v0, 5), v;

	fprintf(f, "<path class=\"axis\" d=\"M%.1f %.1fV%.1f\"/>\n", a->x0, a->y0, a->y1);
	for (v = ceil(a->v0 / step - 1e-9) * step; v <= a->v1 + step * 1e-9; v += step) {
		double y = doc_svg_y(a, v);

		fprintf(f, "<path class=\"grid\" d=\"M%.1f %.1fH%.1f\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		        a->x0, y, a->x1, a->x0 - 4, y + 4);
		fprintf(f, "%.*f</text>\n", step < 1 ? (int)ceil(-log10(step) - 1e-9) : 0,
		        fabs(v) < step * 1e-9 ? 0 : v);
	}
	if (unit) {
		fprintf(f, "<text x=\"4\" y=\"%.1f\">", a->y0 - 4);
		doc_esc(f, unit);
		fputs("</text>\n", f);
	}
}

/* the y range of a trend: the caller's, else the data's and the limits' */
static void doc_svg_trend_range(const struct doc_svg_trend *c,
                                const struct doc_svg_series *s, int n,
                                double *lo, double *hi)
{
	int i, k;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (k = 0; k < n; k++)
		for (i = 0; i < s[k].n; i++)
			if (isfinite(s[k].v[i]) && s[k].t_s[i] >= c->t0_s &&
			    s[k].t_s[i] <= c->t1_s) {
				*lo = fmin(*lo, s[k].v[i]);
				*hi = fmax(*hi, s[k].v[i]);
			}
	for (i = 0; i < c->n_limits; i++)
		if (isfinite(c->limit[i].v)) {
			*lo = fmin(*lo, c->limit[i].v);
			*hi = fmax(*hi, c->limit[i].v);
		}
	if (!isfinite(*lo)) {
		*lo = 0;
		*hi = 1;
	}
	if (*hi - *lo < 1e-9) {
		*lo -= 1;
		*hi += 1;
	}
	if (isfinite(c->y_min))
		*lo = c->y_min;
	else
		*lo = floor(*lo / doc_svg_step(*hi - *lo, 5)) * doc_svg_step(*hi - *lo, 5);
	if (isfinite(c->y_max))
		*hi = c->y_max;
	else
		*hi = ceil(*hi / doc_svg_step(*hi - *lo, 5)) * doc_svg_step(*hi - *lo, 5);
	if (*hi <= *lo)
		*hi = *lo + 1;
}

static void doc_svg_point(FILE *f, const struct doc_svg_area *a,
                          struct doc_svg_col *c, double v)
{
	fprintf(f, "%c%.1f %.1f", c->pen_down ? 'L' : 'M',
	        a->x0 + c->col + 0.5, doc_svg_y(a, v));
	c->pen_down = 1;
}

/* writes the open column's min and max in the order they occurred */
static void doc_svg_col_flush(FILE *f, const struct doc_svg_area *a,
                              struct doc_svg_col *c)
{
	if (c->col < 0)
		return;
	doc_svg_point(f, a, c, c->lo_first ? c->lo : c->hi);
	if (c->hi != c->lo)
		doc_svg_point(f, a, c, c->lo_first ? c->hi : c->lo);
	c->col = -1;
}

/* adds the sample (t_s, v) to the envelope; NaN lifts the pen */
static void doc_svg_col_add(FILE *f, const struct doc_svg_area *a,
                            struct doc_svg_col *c, double t_s, double v)
{
	int cols = (int)(a->x1 - a->x0), col;

	if (!(t_s >= a->t0_s && t_s <= a->t1_s))
		return;
	if (!isfinite(v)) {
		doc_svg_col_flush(f, a, c);
		c->pen_down = 0;
		return;
	}
	col = (int)((t_s - a->t0_s) / (a->t1_s - a->t0_s) * cols);
	col = col < 0 ? 0 : col >= cols ? cols - 1 : col;
	if (col != c->col) {
		doc_svg_col_flush(f, a, c);
		c->col = col;
		c->lo = c->hi = v;
		c->lo_first = 1;
		return;
	}
	if (v < c->lo) {
		c->lo = v;
		c->lo_first = 0;
	} else if (v > c->hi) {
		c->hi = v;
		c->lo_first = 1;
	}
}

static void doc_svg_series_path(FILE *f, const struct doc_svg_area *a,
                                const struct doc_svg_series *s, int k)
{
	struct doc_svg_col c = {-1, 0, 0, 1, 0};
	int i;

	fprintf(f, "<path class=\"series s-%d%s\" d=\"", k, s->reference ? " ref" : "");
	for (i = 0; i < s->n; i++)
		doc_svg_col_add(f, a, &c, s->t_s[i], s->v[i]);
	doc_svg_col_flush(f, a, &c);
	fputs("\"/>\n", f);
}

/* the legend rows under the title: a stroke sample and the name; returns
 * the y below it. Names are assumed about 6.5 px a character. */
static double doc_svg_legend(FILE *f, const struct doc_svg_series *s, int n,
                             int width_px)
{
	double x = 4, y = DOC_SVG_TITLE_PX + 10;
	int k;

	for (k = 0; k < n; k++) {
		double w = 30 + 6.5 * (s[k].name ? strlen(s[k].name) : 0) + 14;

		if (x > 4 && x + w > width_px) {
			x = 4;
			y += DOC_SVG_LEGEND_ROW_PX;
		}
		fprintf(f, "<path class=\"s-%d%s\" stroke-width=\"2\" d=\"M%.1f %.1fh24\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\">", k, s[k].reference ? " ref" : "",
		        x, y - 4, x + 30, y);
		doc_esc(f, s[k].name);
		fputs("</text>\n", f);
		x += w;
	}
	return y + 8;
}

static void doc_svg_limits(FILE *f, const struct doc_svg_area *a,
                           const struct doc_svg_trend *c)
{
	int i;

	for (i = 0; i < c->n_limits && i < DOC_SVG_LIMITS_MAX; i++) {
		double v = c->limit[i].v, y;

		if (!isfinite(v) || v < a->v0 || v > a->v1)
			continue;
		y = doc_svg_y(a, v);
		fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fH%.1f\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		        c->limit[i].forecast ? "forecast" : "limit", a->x0, y, a->x1,
		        a->x1 - 2, y - 3);
		doc_esc(f, c->limit[i].label);
		fputs("</text>\n", f);
	}
}

static void doc_svg_marks(FILE *f, const struct doc_svg_area *a,
                          const struct doc_svg_trend *c)
{
	int i;

	for (i = 0; i < c->n_marks && i < DOC_SVG_MARKS_MAX; i++) {
		double t = c->mark[i].t_s, x;

		if (!(t >= a->t0_s && t <= a->t1_s))
			continue;
		x = doc_svg_x(a, t);
		fprintf(f, "<path class=\"%s\" d=\"M%.1f %.1fV%.1f\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
		        "transform=\"rotate(-90 %.1f %.1f)\" text-anchor=\"end\">",
		        c->mark[i].decision ? "decision" : "alarm", x, a->y0, a->y1,
		        x - 2, a->y0 + 2, x - 2, a->y0 + 2);
		doc_esc(f, c->mark[i].label);
		fputs("</text>\n", f);
	}
}

static int doc_svg_trend_ok(const struct doc_svg_trend *c,
                            const struct doc_svg_series *s, int n)
{
	int k;

	if (!c || !s || n < 1 || n > DOC_SVG_SERIES_MAX || c->width_px < 50 ||
	    c->height_px < 50 || !(c->t1_s > c->t0_s) || !isfinite(c->t0_s) ||
	    !isfinite(c->t1_s) || c->n_limits < 0 || c->n_marks < 0)
		return 0;
	for (k = 0; k < n; k++)
		if (s[k].n < 0 || (s[k].n > 0 && (!s[k].t_s || !s[k].v)))
			return 0;
	return 1;
}

int doc_svg_trend(FILE *f, const struct doc_svg_trend *c,
                  const struct doc_svg_series *s, int n)
{
	struct doc_svg_area a;
	int k;

	if (!doc_svg_trend_ok(c, s, n))
		return -1;
	doc_svg_open(f, c->title, c->width_px, c->height_px);
	a.x0 = DOC_SVG_LEFT_PX;
	a.x1 = c->width_px - DOC_SVG_RIGHT_PX;
	a.y0 = doc_svg_legend(f, s, n, c->width_px) + 6;
	a.y1 = c->height_px - DOC_SVG_XAXIS_PX;
	if (a.y1 - a.y0 < 20)
		a.y0 = a.y1 - 20;
	a.t0_s = c->t0_s;
	a.t1_s = c->t1_s;
	doc_svg_trend_range(c, s, n, &a.v0, &a.v1);
	doc_svg_value_axis(f, &a, c->unit);
	doc_svg_time_axis(f, &a);
	doc_svg_limits(f, &a, c);
	doc_svg_marks(f, &a, c);
	for (k = 0; k < n; k++)
		doc_svg_series_path(f, &a, &s[k], k);
	fputs("</svg>\n", f);
	return 0;
}

static void doc_svg_bar(FILE *f, const struct doc_svg_area *a, const char *label,
                        double v, double x, double w, int slanted)
{
	double y = isfinite(v) ? doc_svg_y(a, v) : a->y0, y0 = doc_svg_y(a, 0);
	double top = fmin(y, y0), h = fmax(fabs(y0 - y), 0.5);

	if (isfinite(v)) {
		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		        "height=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		        x, top, w, h, x + w / 2, top - 3);
		doc_svg_num(f, v);
	} else {
		fprintf(f, "<rect class=\"nodata\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		        "height=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		        x, a->y0, w, a->y1 - a->y0, x + w / 2, (a->y0 + a->y1) / 2);
		doc_esc(f, _("no data"));
	}
	fputs("</text>\n", f);
	if (slanted)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
		        "transform=\"rotate(-40 %.1f %.1f)\">",
		        x + w / 2, a->y1 + 14, x + w / 2, a->y1 + 14);
	else
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		        x + w / 2, a->y1 + 14);
	doc_esc(f, label);
	fputs("</text>\n", f);
}

int doc_svg_bars(FILE *f, const char *title, const char *unit,
                 const char *const *labels, const double *values, int n,
                 int width_px, int height_px)
{
	struct doc_svg_area a;
	double lo = 0, hi = 0, slot;
	int i, slanted;

	if (!labels || !values || n < 1 || width_px < 50 || height_px < 50)
		return -1;
	for (i = 0; i < n; i++)
		if (isfinite(values[i])) {
			lo = fmin(lo, values[i]);
			hi = fmax(hi, values[i]);
		}
	if (hi - lo < 1e-9)
		hi = lo + 1;
	a.x0 = DOC_SVG_LEFT_PX;
	a.x1 = width_px - DOC_SVG_RIGHT_PX;
	slot = (a.x1 - a.x0) / n;
	slanted = slot < 60;
	a.y0 = DOC_SVG_TITLE_PX + 14;
	a.y1 = height_px - (slanted ? 60 : DOC_SVG_XAXIS_PX);
	if (a.y1 - a.y0 < 20)
		return -1;
	a.t0_s = 0;
	a.t1_s = 1;
	a.v0 = floor(lo / doc_svg_step(hi - lo, 5)) * doc_svg_step(hi - lo, 5);
	a.v1 = ceil(hi / doc_svg_step(hi - lo, 5)) * doc_svg_step(hi - lo, 5);
	doc_svg_open(f, title, width_px, height_px);
	doc_svg_value_axis(f, &a, unit);
	fprintf(f, "<path class=\"axis\" d=\"M%.1f %.1fH%.1f\"/>\n", a.x0,
	        doc_svg_y(&a, 0), a.x1);
	for (i = 0; i < n; i++)
		doc_svg_bar(f, &a, labels[i], values[i], a.x0 + i * slot + slot * 0.15,
		            slot * 0.7, slanted);
	fputs("</svg>\n", f);
	return 0;
}

static int doc_svg_same_row(const struct doc_svg_span *a,
                            const struct doc_svg_span *b)
{
	return strcmp(a->row ? a->row : "", b->row ? b->row : "") == 0;
}

/* 1 when span i is the first with its row label */
static int doc_svg_span_first(const struct doc_svg_span *s, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (doc_svg_same_row(&s[j], &s[i]))
			return 0;
	return 1;
}

/* the row of span i: its label's rank among the first-seen labels */
static int doc_svg_span_row(const struct doc_svg_span *s, int i)
{
	int j, row = 0;

	for (j = 0; j < i; j++)
		if (doc_svg_span_first(s, j)) {
			if (doc_svg_same_row(&s[j], &s[i]))
				return row;
			row++;
		}
	return row;
}

/* spans: n < 1 is refused (-1) like a trend without series; the caller
 * writes "none" in words */
int doc_svg_spans(FILE *f, const char *title, const struct doc_svg_span *s,
                  int n, double t0_s, double t1_s, int width_px)
{
	struct doc_svg_area a;
	int i, rows = 0, height_px;

	if (!s || n < 1 || width_px < DOC_SVG_ROWLABEL_PX + 50 || !(t1_s > t0_s) ||
	    !isfinite(t0_s) || !isfinite(t1_s))
		return -1;
	for (i = 0; i < n; i++)
		rows += doc_svg_span_first(s, i);
	height_px = DOC_SVG_TITLE_PX + 6 + rows * DOC_SVG_ROW_PX + DOC_SVG_XAXIS_PX;
	a.x0 = DOC_SVG_ROWLABEL_PX;
	a.x1 = width_px - DOC_SVG_RIGHT_PX;
	a.y0 = DOC_SVG_TITLE_PX + 6;
	a.y1 = a.y0 + rows * DOC_SVG_ROW_PX;
	a.t0_s = t0_s;
	a.t1_s = t1_s;
	doc_svg_open(f, title, width_px, height_px);
	for (i = 0; i < n; i++) {
		double y = a.y0 + doc_svg_span_row(s, i) * DOC_SVG_ROW_PX;
		double b = fmax(s[i].t0_s, t0_s);
		double e = isnan(s[i].t1_s) ? t1_s : fmin(s[i].t1_s, t1_s);

		if (doc_svg_span_first(s, i)) {
			fprintf(f, "<text x=\"4\" y=\"%.1f\">", y + 13);
			doc_esc(f, s[i].row);
			fputs("</text>\n", f);
		}
		if (!(e >= b))
			continue;
		fprintf(f, "<rect class=\"span k%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		        "height=\"%d\"/>\n", s[i].kind < 0 || s[i].kind > 2 ? 0 : s[i].kind,
		        doc_svg_x(&a, b), y + 3, fmax(doc_svg_x(&a, e) - doc_svg_x(&a, b), 1.0),
		        DOC_SVG_ROW_PX - 6);
	}
	doc_svg_time_axis(f, &a);
	fputs("</svg>\n", f);
	return 0;
}
