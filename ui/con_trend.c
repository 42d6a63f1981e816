/* con_trend: trend rings and plots. See con_trend.h. */
#include "con_trend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "con_fmt.h"
#include "i18n.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Empties ring r, which keeps cap samples. */
static void con_ring_init(struct con_ring *r, int cap)
{
	r->cap = cap;
	r->head = 0;
	r->len = 0;
}

/* Appends one sample to r, dropping the oldest when full. */
static void con_ring_push(struct con_ring *r, double t_s, const double *v)
{
	r->t_s[r->head] = t_s;
	for (int i = 0; i < CON_TR_COUNT; i++)
		r->v[r->head][i] = (float)v[i];
	r->head = (r->head + 1) % r->cap;
	if (r->len < r->cap)
		r->len++;
}

/* Index of the i-th oldest sample of r. */
static int con_ring_index(const struct con_ring *r, int i)
{
	return (r->head - r->len + i + r->cap) % r->cap;
}

void con_trend_init(struct con_trend *t)
{
	con_ring_init(&t->fine, CON_TREND_FINE);
	con_ring_init(&t->coarse, CON_TREND_COARSE);
	for (int i = 0; i < CON_TR_COUNT; i++) {
		t->acc[i] = 0;
		t->acc_n[i] = 0;
	}
	t->acc_start_s = NAN;
}

/* Closes the coarse mean in progress at t_s into the coarse ring. */
static void con_trend_roll(struct con_trend *t, double t_s)
{
	double mean[CON_TR_COUNT];

	for (int i = 0; i < CON_TR_COUNT; i++) {
		mean[i] = t->acc_n[i] > 0 ? t->acc[i] / t->acc_n[i] : NAN;
		t->acc[i] = 0;
		t->acc_n[i] = 0;
	}
	con_ring_push(&t->coarse, t->acc_start_s + CON_TREND_COARSE_S / 2, mean);
	t->acc_start_s = t_s;
}

void con_trend_push(struct con_trend *t, double t_s, const double *v)
{
	if (isnan(t->acc_start_s))
		t->acc_start_s = t_s;
	else if (t_s - t->acc_start_s >= CON_TREND_COARSE_S)
		con_trend_roll(t, t_s);
	con_ring_push(&t->fine, t_s, v);
	for (int i = 0; i < CON_TR_COUNT; i++)
		if (!isnan(v[i])) {
			t->acc[i] += v[i];
			t->acc_n[i]++;
		}
}

/* Adds ring r's samples of series older than before_s into the buckets. */
static void con_ring_bucket(const struct con_ring *r, int series,
                            double start_s, double window_s, double before_s,
                            int n, double *sum, int *count)
{
	for (int i = 0; i < r->len; i++) {
		int k = con_ring_index(r, i);
		double t = r->t_s[k];
		double v = r->v[k][series];
		long b;

		if (t >= before_s || t <= start_s || isnan(v))
			continue;
		b = (long)floor((t - start_s) / window_s * n);
		if (b >= n)
			b = n - 1;
		if (b < 0)
			continue;
		sum[b] += v;
		count[b]++;
	}
}

int con_trend_resample(const struct con_trend *t, int series, double t_end_s,
                       double window_s, int n, double *out)
{
	double *sum;
	int *count;
	double fine_first;
	double start = t_end_s - window_s;
	int filled = 0;

	if (n <= 0 || window_s <= 0 || series < 0 || series >= CON_TR_COUNT)
		return 0;
	sum = calloc((size_t)n, sizeof *sum);
	count = calloc((size_t)n, sizeof *count);
	if (sum == NULL || count == NULL)
		goto out_free;
	fine_first = t->fine.len > 0 ? t->fine.t_s[con_ring_index(&t->fine, 0)]
	                             : INFINITY;
	/* Coarse means only where the fine ring no longer reaches. */
	con_ring_bucket(&t->coarse, series, start, window_s, fine_first, n, sum, count);
	con_ring_bucket(&t->fine, series, start, window_s, t_end_s + 1e-9, n, sum,
	                count);
	for (int i = 0; i < n; i++) {
		out[i] = count[i] > 0 ? sum[i] / count[i] : NAN;
		filled += count[i] > 0;
	}
out_free:
	free(sum);
	free(count);
	return filled;
}

/* A round step (1, 2 or 5 times a power of ten) near span / 4. */
static double con_nice_step(double span)
{
	double raw = span / 4, mag = pow(10, floor(log10(raw)));
	double f = raw / mag;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

int con_trend_range(const double *y, int n, double min_span, double *lo,
                    double *hi)
{
	double a = INFINITY, b = -INFINITY, step;

	for (int i = 0; i < n; i++)
		if (!isnan(y[i])) {
			a = MIN(a, y[i]);
			b = MAX(b, y[i]);
		}
	if (a > b)
		return -1;
	if (b - a < min_span) {
		double mid = (a + b) / 2;

		a = mid - min_span / 2;
		b = mid + min_span / 2;
	}
	step = con_nice_step(b - a);
	*lo = floor(a / step) * step;
	*hi = ceil(b / step) * step;
	if (*hi <= *lo)
		*hi = *lo + step;
	return 0;
}

void con_trend_plot(struct con_grid *g, int top, int left, int h, int w,
                    const double *y, double lo, double hi, uint16_t style)
{
	for (int x = 0; x < w; x++) {
		long level;

		for (int r = 0; r < h; r++)
			con_grid_put(g, top + r, left + x, ' ', style);
		if (isnan(y[x]) || hi <= lo)
			continue;
		level = lround((y[x] - lo) / (hi - lo) * h * 8);
		level = level < 1 ? 1 : level > h * 8 ? h * 8 : level;
		for (int r = 0; r < h; r++) {
			long part = level - (long)r * 8;

			if (part <= 0)
				break;
			con_grid_put(g, top + h - 1 - r, left + x,
			             part >= 8 ? 0x2588u : 0x2580u + (uint32_t)part, style);
		}
	}
}

struct con_series_info {
	const char *name;   /* untranslated, with unit */
	int decimals;
	double min_span;    /* smallest y range shown, in the unit */
};

static const struct con_series_info con_series_tab[CON_TR_COUNT] = {
	[CON_TR_PRESSURE] = { N_("Pressure, kPa"), 1, 5 },
	[CON_TR_STILL_TEMP] = { N_("Charge temperature, °C"), 1, 10 },
	[CON_TR_VAPOUR] = { N_("Vapour temperature, °C"), 1, 10 },
	[CON_TR_DISTILLATE] = { N_("Distillate temperature, °C"), 1, 10 },
	[CON_TR_STEAM] = { N_("Steam valve, %"), 0, 20 },
	[CON_TR_OIL] = { N_("Oil collected, kg"), 2, 0.2 },
};

const char *con_trend_series_name(int series)
{
	if (series < 0 || series >= CON_TR_COUNT)
		return "";
	return _(con_series_tab[series].name);
}

/* "30 min" or "2 h" for a window, translated. */
static void con_fmt_window(char *out, size_t len, double window_s)
{
	if (window_s < 3600)
		snprintf(out, len, _("last %.0f min"), window_s / 60);
	else
		snprintf(out, len, _("last %.0f h"), window_s / 3600);
}

#define CON_AXIS_W 7  /* columns of the y-axis labels and rule */

/* A dotted line at level mark across the blank cells of the h x w plot
 * at top, left scaled lo..hi: the plot's bars stay whole. */
static void con_trend_mark(struct con_grid *g, int top, int left, int h, int w,
                           double mark, double lo, double hi)
{
	long r = lround((mark - lo) / (hi - lo) * h - 0.5);

	r = r < 0 ? 0 : r > h - 1 ? h - 1 : r;
	for (int x = 0; x < w; x++) {
		struct con_cell *c = con_grid_at(g, top + h - 1 - (int)r, left + x);

		if (c->ch == ' ')
			con_grid_put(g, top + h - 1 - (int)r, left + x, 0x2504u,
			             CON_ST_DIM);
	}
}

/* Draws a title line, then y[0..w - CON_AXIS_W) as a plot with y-axis
 * labels, in the h x w box; a finite mark is in the range and drawn as a
 * dotted line. */
static void con_trend_series(struct con_grid *g, int top, int left, int h, int w,
                             const char *title, const double *y, int decimals,
                             double min_span, double mark)
{
	int pw = w - CON_AXIS_W, dec = decimals > 1 ? 1 : decimals;
	double lo, hi;
	char a[24];

	con_grid_text(g, top, left, w, CON_ST_HEADER, CON_LEFT, title);
	for (int r = 1; r < h; r++)
		con_grid_fill(g, top + r, left, w, ' ', CON_ST_NORMAL);
	if (con_trend_range(y, pw, min_span, &lo, &hi) < 0) {
		con_grid_text(g, top + h / 2, left + CON_AXIS_W, pw, CON_ST_DIM, CON_LEFT,
		              _("no samples yet in this window"));
		return;
	}
	if (isfinite(mark)) {
		double span[2] = { MIN(lo, mark), MAX(hi, mark) };

		con_trend_range(span, 2, min_span, &lo, &hi);
	}
	con_grid_text(g, top + 1, left, CON_AXIS_W - 1, CON_ST_DIM, CON_RIGHT,
	              con_fmt_num(a, sizeof a, hi, dec));
	con_grid_text(g, top + h - 1, left, CON_AXIS_W - 1, CON_ST_DIM, CON_RIGHT,
	              con_fmt_num(a, sizeof a, lo, dec));
	for (int r = 1; r < h; r++)
		con_grid_put(g, top + r, left + CON_AXIS_W - 1, 0x2502u, CON_ST_DIM);
	con_trend_plot(g, top + 1, left + CON_AXIS_W, h - 1, pw, y, lo, hi, CON_ST_NORMAL);
	if (isfinite(mark))
		con_trend_mark(g, top + 1, left + CON_AXIS_W, h - 1, pw, mark, lo, hi);
}

void con_trend_draw(struct con_grid *g, int top, int left, int h, int w,
                    const struct con_trend *t, int series, double now_s,
                    double window_s)
{
	con_trend_draw_mark(g, top, left, h, w, t, series, now_s, window_s, NAN, "");
}

void con_trend_draw_mark(struct con_grid *g, int top, int left, int h, int w,
                         const struct con_trend *t, int series, double now_s,
                         double window_s, double mark, const char *note)
{
	const struct con_series_info *si = &con_series_tab[series];
	int pw = w - CON_AXIS_W;
	double *y, last = NAN;
	char title[320], win[48], a[24];

	if (h < 3 || pw < 4)
		return;
	y = malloc((size_t)pw * sizeof *y);
	if (y == NULL)
		return;
	con_trend_resample(t, series, now_s, window_s, pw, y);
	for (int i = pw - 1; i >= 0 && isnan(last); i--)
		last = y[i];
	con_fmt_window(win, sizeof win, window_s);
	snprintf(title, sizeof title, "%s  %s %s  %s%s(%s)", _(si->name), _("now"),
	         con_fmt_num(a, sizeof a, last, si->decimals), note,
	         *note ? "  " : "", win);
	con_trend_series(g, top, left, h, w, title, y, si->decimals, si->min_span,
	                 mark);
	free(y);
}

void con_trend_curve(struct con_grid *g, int top, int left, int h, int w,
                     const char *title, const double *x, const double *y, int n,
                     int decimals, double min_span)
{
	int pw = w - CON_AXIS_W, *count;
	double *sum, x0 = INFINITY, x1 = -INFINITY;

	if (h < 3 || pw < 4)
		return;
	sum = calloc((size_t)pw, sizeof *sum);
	count = calloc((size_t)pw, sizeof *count);
	if (sum == NULL || count == NULL)
		goto out_free;
	for (int i = 0; i < n; i++) {
		x0 = MIN(x0, x[i]);
		x1 = MAX(x1, x[i]);
	}
	for (int i = 0; i < n && x1 > x0; i++) {
		int b = (int)((x[i] - x0) / (x1 - x0) * (pw - 1) + 0.5);

		if (!isnan(y[i])) {
			sum[b] += y[i];
			count[b]++;
		}
	}
	for (int i = 0; i < pw; i++)
		sum[i] = count[i] > 0 ? sum[i] / count[i] : NAN;
	con_trend_series(g, top, left, h, w, title, sum, decimals, min_span, NAN);
out_free:
	free(sum);
	free(count);
}
