/* con_draw: the console's pure drawing. See con_draw.h. */
#include "con_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

#define ELLIPSIS 0x2026u
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---- cells and text --------------------------------------------------- */

int con_grid_init(struct con_grid *g, int rows, int cols)
{
	g->rows = rows > 0 ? rows : 1;
	g->cols = cols > 0 ? cols : 1;
	g->cell = calloc((size_t)g->rows * (size_t)g->cols, sizeof *g->cell);
	if (g->cell == NULL)
		return -1;
	con_grid_clear(g);
	return 0;
}

void con_grid_free(struct con_grid *g)
{
	free(g->cell);
	g->cell = NULL;
	g->rows = g->cols = 0;
}

void con_grid_clear(struct con_grid *g)
{
	for (int i = 0; i < g->rows * g->cols; i++) {
		g->cell[i].ch = ' ';
		g->cell[i].comb = 0;
		g->cell[i].style = CON_ST_NORMAL;
	}
}

struct con_cell *con_grid_at(const struct con_grid *g, int row, int col)
{
	return &g->cell[row * g->cols + col];
}

/* Decodes one UTF-8 character at *ps and advances; U+FFFD for bad bytes. */
static uint32_t con_utf8_next(const char **ps)
{
	const unsigned char *s = (const unsigned char *)*ps;
	uint32_t c = s[0];
	int n = c < 0x80 ? 0 : c < 0xc2 ? -1 : c < 0xe0 ? 1 : c < 0xf0 ? 2 :
	        c < 0xf5 ? 3 : -1;

	if (n < 0) {
		*ps += 1;
		return 0xfffd;
	}
	c &= n == 0 ? 0x7f : (0x3f >> n);
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*ps += i;
			return 0xfffd;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*ps += n + 1;
	return c;
}

/* Columns code point c takes: 0 combining, 2 East Asian wide, else 1. */
static int con_cp_width(uint32_t c)
{
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) ||
	    (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
	    (c >= 0xfe20 && c <= 0xfe2f) || c == 0x200b)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

int con_text_width(const char *s)
{
	int w = 0;

	while (*s)
		w += con_cp_width(con_utf8_next(&s));
	return w;
}

/* Sets one cell when it is inside the grid. */
static void con_put(struct con_grid *g, int row, int col, uint32_t ch,
                    uint16_t style)
{
	struct con_cell *c;

	if (row < 0 || row >= g->rows || col < 0 || col >= g->cols)
		return;
	c = con_grid_at(g, row, col);
	c->ch = ch < 0x20 || ch == 0x7f ? '?' : ch;
	c->comb = 0;
	c->style = style;
}

/* Adds combining mark m to the cell at row, col. */
static void con_put_comb(struct con_grid *g, int row, int col, uint32_t m)
{
	if (row < 0 || row >= g->rows || col < 0 || col >= g->cols)
		return;
	if (con_grid_at(g, row, col)->comb == 0)
		con_grid_at(g, row, col)->comb = m;
}

void con_grid_fill(struct con_grid *g, int row, int col, int width,
                   uint32_t ch, uint16_t style)
{
	for (int i = 0; i < width; i++)
		con_put(g, row, col + i, ch, style);
}

void con_grid_style(struct con_grid *g, int row, int col, int width,
                    uint16_t style)
{
	for (int i = 0; i < width; i++)
		if (row >= 0 && row < g->rows && col + i >= 0 && col + i < g->cols)
			con_grid_at(g, row, col + i)->style = style;
}

/* Writes s from col, at most room columns (reserving one for an ellipsis
 * when trunc); returns the columns written. */
static int con_put_text(struct con_grid *g, int row, int col, int room,
                        int trunc, uint16_t style, const char *s)
{
	int x = 0;

	if (trunc)
		room--;
	while (*s) {
		uint32_t c = con_utf8_next(&s);
		int cw = con_cp_width(c);

		if (cw == 0) {
			if (x > 0)
				con_put_comb(g, row, col + x - 1, c);
			continue;
		}
		if (x + cw > room)
			break;
		con_put(g, row, col + x, c, style);
		if (cw == 2)
			con_put(g, row, col + x + 1, 0, style);
		x += cw;
	}
	if (trunc)
		con_put(g, row, col + x++, ELLIPSIS, style);
	return x;
}

int con_grid_text(struct con_grid *g, int row, int col, int width,
                  uint16_t style, enum con_align align, const char *s)
{
	int tw = con_text_width(s);
	int pad = 0;
	int used;

	if (width < 0)
		width = tw;
	if (width == 0)
		return 0;
	if (tw < width)
		pad = align == CON_RIGHT ? width - tw :
		      align == CON_CENTRE ? (width - tw) / 2 : 0;
	con_grid_fill(g, row, col, width, ' ', style);
	used = con_put_text(g, row, col + pad, width, tw > width, style, s);
	return MAX(width, pad + used);
}

void con_grid_row_text(const struct con_grid *g, int row, char *out,
                       size_t out_len)
{
	size_t n = 0;

	for (int col = 0; col < g->cols && row >= 0 && row < g->rows; col++) {
		const struct con_cell *c = con_grid_at(g, row, col);
		uint32_t cp[2] = { c->ch, c->comb };

		for (int k = 0; k < 2; k++) {
			char u[4];
			int len;
			uint32_t ch = cp[k];

			if (ch == 0)
				continue;
			if (ch < 0x80) {
				u[0] = (char)ch;
				len = 1;
			} else if (ch < 0x800) {
				u[0] = (char)(0xc0 | (ch >> 6));
				u[1] = (char)(0x80 | (ch & 0x3f));
				len = 2;
			} else if (ch < 0x10000) {
				u[0] = (char)(0xe0 | (ch >> 12));
				u[1] = (char)(0x80 | ((ch >> 6) & 0x3f));
				u[2] = (char)(0x80 | (ch & 0x3f));
				len = 3;
			} else {
				u[0] = (char)(0xf0 | (ch >> 18));
				u[1] = (char)(0x80 | ((ch >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((ch >> 6) & 0x3f));
				u[3] = (char)(0x80 | (ch & 0x3f));
				len = 4;
			}
			if (n + (size_t)len + 1 > out_len)
				goto out_terminate;
			memcpy(out + n, u, (size_t)len);
			n += (size_t)len;
		}
	}
out_terminate:
	if (out_len > 0)
		out[n] = '\0';
}

/* Breaks s into lines of at most width columns at blanks (a word longer
 * than width is cut), into out[max][len]. Returns the number of lines. */
static int con_wrap(const char *s, int width, char (*out)[320], int max)
{
	int n = 0;

	while (*s && n < max) {
		const char *p = s, *brk = NULL;
		int w = 0;

		while (*p) {
			const char *q = p;
			int cw = con_cp_width(con_utf8_next(&q));

			if (w + cw > width)
				break;
			w += cw;
			p = q;
			if (*p == ' ')
				brk = p;
		}
		if (*p && brk != NULL)
			p = brk;
		if (p == s)
			p = s + 1;
		snprintf(out[n++], 320, "%.*s", (int)(p - s), s);
		s = p;
		while (*s == ' ')
			s++;
	}
	return n;
}

/* ---- numbers ---------------------------------------------------------- */

char *con_fmt_num(char *out, size_t out_len, double v, int decimals)
{
	if (isnan(v) || isinf(v))
		snprintf(out, out_len, "--");
	else
		snprintf(out, out_len, "%.*f", decimals, v);
	return out;
}

char *con_fmt_duration(char *out, size_t out_len, double minutes)
{
	long m;

	if (isnan(minutes) || minutes < 0) {
		snprintf(out, out_len, "--");
		return out;
	}
	m = lround(minutes);
	if (m < 60)
		snprintf(out, out_len, "%ldm", m);
	else
		snprintf(out, out_len, "%ldh%02ld", m / 60, m % 60);
	return out;
}

/* ---- tables ----------------------------------------------------------- */

/* Width the shown columns take with one blank between them. */
static int con_table_width(const int *w, int n)
{
	int total = 0, shown = 0;

	for (int i = 0; i < n; i++)
		if (w[i] > 0) {
			total += w[i];
			shown++;
		}
	return total + (shown > 0 ? shown - 1 : 0);
}

/* Drops the shown column with the highest prio > 0 (rightmost on ties).
 * Returns 0, or -1 when every shown column is prio 0. */
static int con_table_drop(const struct con_col *cols, int n, int *w)
{
	int worst = -1;

	for (int i = 0; i < n; i++)
		if (w[i] > 0 && cols[i].prio > 0 &&
		    (worst < 0 || cols[i].prio >= cols[worst].prio))
			worst = i;
	if (worst < 0)
		return -1;
	w[worst] = 0;
	return 0;
}

int con_table_layout(const struct con_col *cols, int n, int width, int *w_out)
{
	int growers = 0, spare, shown = 0;

	for (int i = 0; i < n; i++)
		w_out[i] = cols[i].width;
	while (con_table_width(w_out, n) > width)
		if (con_table_drop(cols, n, w_out) < 0)
			break;
	/* Still too wide: shrink growing columns, then clip at the edge. */
	for (int i = n - 1; i >= 0 && con_table_width(w_out, n) > width; i--)
		if (cols[i].grow && w_out[i] > 3)
			w_out[i] = MAX(3, w_out[i] - (con_table_width(w_out, n) - width));
	for (int i = 0; i < n; i++) {
		growers += w_out[i] > 0 && cols[i].grow;
		shown += w_out[i] > 0;
	}
	spare = width - con_table_width(w_out, n);
	for (int i = 0; i < n && spare > 0 && growers > 0; i++) {
		if (w_out[i] == 0 || !cols[i].grow)
			continue;
		int give = spare / growers;

		w_out[i] += give;
		spare -= give;
		growers--;
	}
	return shown;
}

void con_draw_row(struct con_grid *g, int row, const struct con_col *cols,
                  int n, const int *w, const char *const *text,
                  const uint16_t *style, uint16_t extra)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		uint16_t st;

		if (w[i] == 0)
			continue;
		st = (uint16_t)((style ? style[i] : CON_ST_NORMAL) | extra);
		con_grid_text(g, row, x, w[i], st, cols[i].align,
		              text[i] ? text[i] : "");
		x += w[i];
		if (x < g->cols)
			con_put(g, row, x, ' ', (uint16_t)(CON_ST_NORMAL | extra));
		x++;
	}
	if (extra && x < g->cols)
		con_grid_fill(g, row, x, g->cols - x, ' ', (uint16_t)(CON_ST_NORMAL | extra));
}

/* Draws a table's heading rows (titles, then units when any column has
 * one). Returns the rows used. */
static int con_draw_heading(struct con_grid *g, int row,
                            const struct con_col *cols, int n, const int *w)
{
	const char *t[32] = { 0 }, *u[32] = { 0 };
	uint16_t st[32] = { 0 };
	int units = 0;

	n = MIN(n, 32);
	for (int i = 0; i < n; i++) {
		t[i] = cols[i].title;
		u[i] = cols[i].unit ? cols[i].unit : "";
		units |= cols[i].unit != NULL;
		st[i] = CON_ST_HEADER;
	}
	con_draw_row(g, row, cols, n, w, t, st, 0);
	if (!units)
		return 1;
	for (int i = 0; i < n; i++)
		st[i] = CON_ST_DIM;
	con_draw_row(g, row + 1, cols, n, w, u, st, 0);
	return 2;
}

/* ---- trends ----------------------------------------------------------- */

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

int con_plot_range(const double *y, int n, double min_span, double *lo,
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

void con_draw_plot(struct con_grid *g, int top, int left, int h, int w,
                   const double *y, double lo, double hi, uint16_t style)
{
	for (int x = 0; x < w; x++) {
		long level;

		for (int r = 0; r < h; r++)
			con_put(g, top + r, left + x, ' ', style);
		if (isnan(y[x]) || hi <= lo)
			continue;
		level = lround((y[x] - lo) / (hi - lo) * h * 8);
		level = level < 1 ? 1 : level > h * 8 ? h * 8 : level;
		for (int r = 0; r < h; r++) {
			long part = level - (long)r * 8;

			if (part <= 0)
				break;
			con_put(g, top + h - 1 - r, left + x,
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

const char *con_series_name(int series)
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

/* Draws a title line, then y[0..w - CON_AXIS_W) as a plot with y-axis
 * labels, in the h x w box. */
static void con_draw_series(struct con_grid *g, int top, int left, int h, int w,
                            const char *title, const double *y, int decimals,
                            double min_span)
{
	int pw = w - CON_AXIS_W, dec = decimals > 1 ? 1 : decimals;
	double lo, hi;
	char a[24];

	con_grid_text(g, top, left, w, CON_ST_HEADER, CON_LEFT, title);
	for (int r = 1; r < h; r++)
		con_grid_fill(g, top + r, left, w, ' ', CON_ST_NORMAL);
	if (con_plot_range(y, pw, min_span, &lo, &hi) < 0) {
		con_grid_text(g, top + h / 2, left + CON_AXIS_W, pw, CON_ST_DIM, CON_LEFT,
		              _("no samples yet in this window"));
		return;
	}
	con_grid_text(g, top + 1, left, CON_AXIS_W - 1, CON_ST_DIM, CON_RIGHT,
	              con_fmt_num(a, sizeof a, hi, dec));
	con_grid_text(g, top + h - 1, left, CON_AXIS_W - 1, CON_ST_DIM, CON_RIGHT,
	              con_fmt_num(a, sizeof a, lo, dec));
	for (int r = 1; r < h; r++)
		con_put(g, top + r, left + CON_AXIS_W - 1, 0x2502u, CON_ST_DIM);
	con_draw_plot(g, top + 1, left + CON_AXIS_W, h - 1, pw, y, lo, hi, CON_ST_NORMAL);
}

void con_draw_trend(struct con_grid *g, int top, int left, int h, int w,
                    const struct con_trend *t, int series, double now_s,
                    double window_s)
{
	const struct con_series_info *si = &con_series_tab[series];
	int pw = w - CON_AXIS_W;
	double *y, last = NAN;
	char title[200], win[48], a[24];

	if (h < 3 || pw < 4)
		return;
	y = malloc((size_t)pw * sizeof *y);
	if (y == NULL)
		return;
	con_trend_resample(t, series, now_s, window_s, pw, y);
	for (int i = pw - 1; i >= 0 && isnan(last); i--)
		last = y[i];
	con_fmt_window(win, sizeof win, window_s);
	snprintf(title, sizeof title, "%s  %s %s  (%s)", _(si->name), _("now"),
	         con_fmt_num(a, sizeof a, last, si->decimals), win);
	con_draw_series(g, top, left, h, w, title, y, si->decimals, si->min_span);
	free(y);
}

void con_draw_curve(struct con_grid *g, int top, int left, int h, int w,
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
	con_draw_series(g, top, left, h, w, title, sum, decimals, min_span);
out_free:
	free(sum);
	free(count);
}

/* ---- styles ----------------------------------------------------------- */

uint16_t con_alarm_style(const struct con_alarm *a)
{
	uint16_t st = a->priority <= 1 ? CON_ST_ALARM1 :
	              a->priority == 2 ? CON_ST_ALARM2 : CON_ST_ALARM3;

	if (strcmp(a->state, "shelved") == 0)
		return CON_ST_DIM;
	if (a->priority <= 1 && (strcmp(a->state, "unack") == 0 ||
	                         strcmp(a->state, "rtn_unack") == 0))
		st |= CON_ST_BLINK;
	return st;
}

uint16_t con_state_style(const char *state)
{
	static const char *const abnormal[] = {
		"holding", "held", "stopping", "stopped", "aborting", "aborted",
		"lost", "restarting",
	};

	for (size_t i = 0; i < sizeof abnormal / sizeof abnormal[0]; i++)
		if (strcmp(state, abnormal[i]) == 0)
			return CON_ST_ABNORMAL;
	return CON_ST_NORMAL;
}

/* The translated word for a batch state. */
static const char *con_state_word(const char *state)
{
	static const char *const words[][2] = {
		{ "idle", N_("idle") }, { "running", N_("running") },
		{ "holding", N_("holding") }, { "held", N_("held") },
		{ "restarting", N_("restarting") }, { "stopping", N_("stopping") },
		{ "stopped", N_("stopped") }, { "aborting", N_("aborting") },
		{ "aborted", N_("aborted") }, { "complete", N_("complete") },
		{ "lost", N_("comm lost") },
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(state, words[i][0]) == 0)
			return _(words[i][1]);
	return state;
}

/* The translated word for an alarm state. */
static const char *con_alarm_state_word(const char *state)
{
	if (strcmp(state, "unack") == 0)
		return _("UNACK");
	if (strcmp(state, "acked") == 0)
		return _("acked");
	if (strcmp(state, "rtn_unack") == 0)
		return _("cleared, unack");
	if (strcmp(state, "shelved") == 0)
		return _("shelved");
	return state;
}

/* "HIGH", "MED", "LOW", translated. */
static const char *con_priority_word(int priority)
{
	return priority <= 1 ? _("HIGH") : priority == 2 ? _("MED") : _("LOW");
}

/* The strongest style among still's alarms (CON_ST_NORMAL when none). */
static uint16_t con_still_alarm_style(const struct con_view *v,
                                      const char *still)
{
	uint16_t best = CON_ST_NORMAL;
	int best_p = 99;

	for (int i = 0; i < v->n_alarms; i++) {
		const struct con_alarm *a = &v->alarms[i];
		uint16_t st = con_alarm_style(a);

		if (strcmp(a->still, still) != 0 || (st & CON_ST_MASK) == CON_ST_DIM)
			continue;
		if (a->priority < best_p || (a->priority == best_p && (st & CON_ST_BLINK))) {
			best = st;
			best_p = a->priority;
		}
	}
	return best;
}

/* 1 when tag (a cfg tag name) is in the still's bad-quality list. */
static int con_still_bad(const struct con_still *s, const char *tag)
{
	size_t n = strlen(tag);

	for (const char *p = s->quality; (p = strstr(p, tag)) != NULL; p += n)
		if ((p == s->quality || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

/* The style of a process value of still s from tag. */
static uint16_t con_value_style(const struct con_view *v,
                                const struct con_still *s, const char *tag)
{
	if (!v->up || !s->comm_ok)
		return CON_ST_DIM;
	if (tag != NULL && con_still_bad(s, tag))
		return CON_ST_ABNORMAL;
	return CON_ST_VALUE;
}

/* ---- the frame: title, banners, message and key lines ------------------ */

static const char *const con_screen_names[CON_SCR_COUNT] = {
	N_("Overview"), N_("Still detail"), N_("Alarms"), N_("Start batch"),
	N_("Batch history"), N_("Lots"),
};

/* The top line: program, site, screen; operator, language, clock. */
static void con_draw_title(struct con_grid *g, const struct con_view *v)
{
	char left[200], right[200];
	int rw;

	snprintf(left, sizeof left, " stillroom · %s · %s", v->site ? v->site : "",
	         _(con_screen_names[v->screen]));
	snprintf(right, sizeof right, "%s %s  %s  %s ", _("operator:"),
	         v->operator_name ? v->operator_name : "?", v->lang ? v->lang : "",
	         v->clock ? v->clock : "");
	con_grid_fill(g, 0, 0, g->cols, ' ', CON_ST_TITLE);
	rw = con_text_width(right);
	if (rw > g->cols / 2)
		rw = g->cols / 2;
	con_grid_text(g, 0, 0, g->cols - rw, CON_ST_TITLE, CON_LEFT, left);
	con_grid_text(g, 0, g->cols - rw, rw, CON_ST_TITLE, CON_RIGHT, right);
}

/* The connection-lost banner, on every screen while down; wraps onto a
 * second row when narrow. Returns the rows used. */
static int con_draw_down(struct con_grid *g, int row, const struct con_view *v)
{
	char line[512], since[64] = "", part[2][320];
	int n;

	if (v->data_time && *v->data_time)
		snprintf(since, sizeof since, _(" Values shown are from %s."),
		         v->data_time);
	snprintf(line, sizeof line,
	         _("NOT CONNECTED to the controller: %s. Retrying in %.0f s.%s Socket: %s"),
	         v->down_cause ? v->down_cause : "", ceil(v->retry_in_s), since,
	         v->socket_path ? v->socket_path : "");
	n = con_wrap(line, g->cols - 2, part, 2);
	for (int i = 0; i < n; i++) {
		con_grid_fill(g, row + i, 0, g->cols, ' ', CON_ST_DOWN);
		con_grid_text(g, row + i, 1, g->cols - 1, CON_ST_DOWN, CON_LEFT, part[i]);
	}
	return n;
}

/* 1 when alarm a should come before b in the banner. */
static int con_alarm_before(const struct con_alarm *a, const struct con_alarm *b)
{
	int ua = (con_alarm_style(a) & CON_ST_MASK) != CON_ST_DIM;
	int ub = (con_alarm_style(b) & CON_ST_MASK) != CON_ST_DIM;
	int na = strcmp(a->state, "unack") == 0 || strcmp(a->state, "rtn_unack") == 0;
	int nb = strcmp(b->state, "unack") == 0 || strcmp(b->state, "rtn_unack") == 0;

	if (ua != ub)
		return ua;
	if (a->priority != b->priority)
		return a->priority < b->priority;
	if (na != nb)
		return na;
	return a->since_s > b->since_s;
}

int con_draw_banner(struct con_grid *g, int row, int max_rows,
                    const struct con_view *v)
{
	int order[64], n = 0, unack = 0, shown = 0;
	char line[400];

	for (int i = 0; i < v->n_alarms && n < 64; i++) {
		int j = n++;

		unack += strcmp(v->alarms[i].state, "unack") == 0 ||
		         strcmp(v->alarms[i].state, "rtn_unack") == 0;
		while (j > 0 && con_alarm_before(&v->alarms[i], &v->alarms[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	if (n == 0) {
		con_grid_text(g, row, 0, g->cols, CON_ST_DIM, CON_LEFT,
		              _(" No active alarms."));
		return 1;
	}
	for (int k = 0; k < n && shown < max_rows; k++) {
		const struct con_alarm *a = &v->alarms[order[k]];
		uint16_t st = con_alarm_style(a);

		if (k == 0)
			snprintf(line, sizeof line, _(" ALARMS %d (%d unack) | %s %s %s: %s"),
			         v->n_alarms, unack, con_priority_word(a->priority), a->still,
			         con_alarm_state_word(a->state), a->message);
		else
			snprintf(line, sizeof line, "   %s %s %s: %s",
			         con_priority_word(a->priority), a->still,
			         con_alarm_state_word(a->state), a->message);
		if (!v->up)
			st = CON_ST_DIM;
		con_grid_text(g, row + shown++, 0, g->cols, st, CON_LEFT, line);
	}
	return shown;
}

/* Width of the key line entries of one kind (global or the screen's). */
static int con_keys_width(const struct con_view *v, int global)
{
	int w = 0;

	for (int i = 0; i < v->n_keys; i++) {
		const struct con_key *k = &v->keys[i];

		if (!(k->screens & (1u << v->screen)) || (k->screens == ~0u) != global ||
		    !*k->label)
			continue;
		w += con_text_width(k->key) + con_text_width(_(k->label)) + 3;
	}
	return w;
}

/* Draws the key line entries of one kind from x up to limit; returns the
 * next x. */
static int con_keys_run(struct con_grid *g, int row, int x, int limit,
                        const struct con_view *v, int global)
{
	for (int i = 0; i < v->n_keys; i++) {
		const struct con_key *k = &v->keys[i];
		int kw, lw;

		if (!(k->screens & (1u << v->screen)) || (k->screens == ~0u) != global ||
		    !*k->label)
			continue;
		kw = con_text_width(k->key);
		lw = con_text_width(_(k->label));
		if (x + kw + 1 + lw > limit)
			break;
		con_grid_text(g, row, x, kw, CON_ST_KEY, CON_LEFT, k->key);
		con_grid_text(g, row, x + kw + 1, lw, CON_ST_DIM, CON_LEFT, _(k->label));
		x += kw + lw + 3;
	}
	return x;
}

void con_draw_keys(struct con_grid *g, int row, const struct con_view *v)
{
	int gw = con_keys_width(v, 1);

	/* The global keys (help, quit ...) always show, at the right. */
	con_grid_fill(g, row, 0, g->cols, ' ', CON_ST_NORMAL);
	con_keys_run(g, row, 0, g->cols - gw, v, 0);
	con_keys_run(g, row, MAX(0, g->cols - gw + 2), g->cols, v, 1);
}

/* ---- overview --------------------------------------------------------- */

enum {
	OV_NAME, OV_BATCH, OV_RECIPE, OV_STATE, OV_STEP, OV_PCT, OV_PRESS,
	OV_STILL_T, OV_VAPOUR, OV_DIST, OV_STEAM, OV_STEAM_FLOW, OV_COOL_FLOW,
	OV_OIL, OV_YIELD, OV_LEFT, OV_ALARMS, OV_PROMPT, OV_COUNT
};

/* Column titles are translated at draw time; translators keep them as
 * short as the width (the third number). */
static const struct con_col con_ov_cols[OV_COUNT] = {
	[OV_NAME] = { N_("Still"), NULL, 7, 0, 0, CON_LEFT },
	[OV_BATCH] = { N_("Batch"), NULL, 5, 0, 3, CON_RIGHT },
	[OV_RECIPE] = { N_("Recipe"), NULL, 8, 1, 1, CON_LEFT },
	[OV_STATE] = { N_("State"), NULL, 9, 1, 0, CON_LEFT },
	[OV_STEP] = { N_("Step"), NULL, 8, 1, 0, CON_LEFT },
	[OV_PCT] = { "", "%", 3, 0, 0, CON_RIGHT },
	[OV_PRESS] = { N_("Pres"), "kPa", 4, 0, 0, CON_RIGHT },
	[OV_STILL_T] = { N_("Chrg"), "°C", 5, 0, 4, CON_RIGHT },
	[OV_VAPOUR] = { N_("Vap"), "°C", 5, 0, 0, CON_RIGHT },
	[OV_DIST] = { N_("Dist"), "°C", 4, 0, 0, CON_RIGHT },
	[OV_STEAM] = { N_("Stm"), "%", 4, 0, 0, CON_RIGHT },
	[OV_STEAM_FLOW] = { N_("Steam"), "kg/h", 5, 0, 5, CON_RIGHT },
	[OV_COOL_FLOW] = { N_("Cool"), "L/min", 5, 0, 5, CON_RIGHT },
	[OV_OIL] = { N_("Oil"), "kg", 5, 0, 0, CON_RIGHT },
	[OV_YIELD] = { N_("Yld"), "%", 4, 0, 2, CON_RIGHT },
	[OV_LEFT] = { N_("Left"), "h:m", 4, 0, 0, CON_RIGHT },
	[OV_ALARMS] = { N_("Al"), NULL, 2, 0, 0, CON_RIGHT },
	[OV_PROMPT] = { N_("Question"), NULL, 12, 1, 6, CON_LEFT },
};

/* Translated copies of a column table's headings. */
static void con_cols_translate(struct con_col *out, const struct con_col *in,
                               int n)
{
	for (int i = 0; i < n; i++) {
		out[i] = in[i];
		out[i].title = *in[i].title ? _(in[i].title) : "";
	}
}

/* The text and style of a steam valve cell: "45", "45M" in manual. */
static void con_fmt_valve(char *out, size_t len, double pct, int manual)
{
	char n[24];

	snprintf(out, len, "%s%s", con_fmt_num(n, sizeof n, pct, 0), manual ? "M" : "");
}

/* Fills the cell texts (in buf) and styles of one overview row. */
static void con_ov_cells(const struct con_view *v, const struct con_still *s,
                         char buf[OV_COUNT][64], const char **text,
                         uint16_t *st)
{
	static const struct { int col; const char *tag; } tags[] = {
		{ OV_PRESS, "pressure" }, { OV_STILL_T, "still_temp" },
		{ OV_VAPOUR, "vapour_temp" }, { OV_DIST, "distillate_temp" },
		{ OV_STEAM, "steam_pos" }, { OV_STEAM_FLOW, "steam_flow" },
		{ OV_COOL_FLOW, "cooling_flow" }, { OV_OIL, "oil" },
	};
	int has_batch = s->batch_id > 0;

	for (int i = 0; i < OV_COUNT; i++) {
		buf[i][0] = '\0';
		text[i] = buf[i];
		st[i] = v->up ? CON_ST_NORMAL : CON_ST_DIM;
	}
	snprintf(buf[OV_NAME], 64, "%s", s->name);
	if (has_batch)
		snprintf(buf[OV_BATCH], 64, "%ld", s->batch_id);
	snprintf(buf[OV_RECIPE], 64, "%s", has_batch ? s->recipe : "");
	snprintf(buf[OV_STATE], 64, "%s", con_state_word(s->state));
	if (v->up)
		st[OV_STATE] = con_state_style(s->state);
	snprintf(buf[OV_STEP], 64, "%s", has_batch ? s->step : "");
	if (has_batch)
		con_fmt_num(buf[OV_PCT], 64, s->step_progress_pct, 0);
	con_fmt_num(buf[OV_PRESS], 64, s->pressure_kpa, 1);
	con_fmt_num(buf[OV_STILL_T], 64, s->still_temp_c, 1);
	con_fmt_num(buf[OV_VAPOUR], 64, s->vapour_temp_c, 1);
	con_fmt_num(buf[OV_DIST], 64, s->distillate_temp_c, 1);
	con_fmt_valve(buf[OV_STEAM], 64, s->steam_valve_pct, s->manual_steam);
	con_fmt_num(buf[OV_STEAM_FLOW], 64, s->steam_flow_kg_h, 0);
	con_fmt_num(buf[OV_COOL_FLOW], 64, s->cooling_flow_l_min, 0);
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		st[tags[i].col] = con_value_style(v, s, tags[i].tag);
	if (v->up && s->manual_steam)
		st[OV_STEAM] = CON_ST_ABNORMAL;
	if (has_batch) {
		con_fmt_num(buf[OV_OIL], 64, s->oil_kg, 2);
		con_fmt_num(buf[OV_YIELD], 64, s->yield_pct, 2);
		con_fmt_duration(buf[OV_LEFT], 64, s->time_left_min);
	}
	if (s->alarms > 0) {
		snprintf(buf[OV_ALARMS], 64, "%d", s->alarms);
		st[OV_ALARMS] = v->up ? con_still_alarm_style(v, s->name) : CON_ST_DIM;
	}
	text[OV_PROMPT] = s->prompt;
	if (*s->prompt && v->up)
		st[OV_PROMPT] = CON_ST_ABNORMAL;
	if (v->up && !s->comm_ok)
		st[OV_NAME] = CON_ST_ABNORMAL;
}

int con_overview_rows(int top, int bottom)
{
	return MAX(1, bottom - top - 3);
}

void con_draw_overview(struct con_grid *g, int top, int bottom,
                       const struct con_view *v)
{
	struct con_col cols[OV_COUNT];
	int w[OV_COUNT], row, rows = con_overview_rows(top, bottom);
	char buf[OV_COUNT][64];
	const char *text[OV_COUNT];
	uint16_t st[OV_COUNT];

	con_cols_translate(cols, con_ov_cols, OV_COUNT);
	con_table_layout(cols, OV_COUNT, g->cols, w);
	row = top + con_draw_heading(g, top, cols, OV_COUNT, w);
	if (v->n_stills == 0) {
		con_grid_text(g, row, 1, g->cols - 1, CON_ST_DIM, CON_LEFT,
		              v->up ? _("The controller reports no stills.")
		                    : _("No still data yet."));
		return;
	}
	for (int i = v->top; i < v->n_stills && row < top + 2 + rows; i++) {
		con_ov_cells(v, &v->stills[i], buf, text, st);
		con_draw_row(g, row++, cols, OV_COUNT, w, text, st,
		             i == v->sel ? CON_ST_REV : 0);
	}
	if (v->top > 0 || v->top + rows < v->n_stills) {
		char more[96];

		snprintf(more, sizeof more, _("stills %d-%d of %d (arrows scroll)"),
		         v->top + 1, MIN(v->n_stills, v->top + rows), v->n_stills);
		con_grid_text(g, bottom - 1, 0, g->cols, CON_ST_DIM, CON_RIGHT, more);
	} else if (v->sel >= 0 && v->sel < v->n_stills && *v->stills[v->sel].prompt) {
		char q[320];

		snprintf(q, sizeof q, _("%s asks: %s  (Enter, then p to answer)"),
		         v->stills[v->sel].name, v->stills[v->sel].prompt);
		con_grid_text(g, bottom - 1, 0, g->cols, v->up ? CON_ST_ABNORMAL : CON_ST_DIM,
		              CON_LEFT, q);
	}
}

/* ---- still detail ----------------------------------------------------- */

/* Writes "label value unit" pairs along a row; returns nothing. */
struct con_pair {
	const char *label;
	const char *value;
	uint16_t style;
};

static void con_draw_pairs(struct con_grid *g, int row,
                           const struct con_pair *p, int n)
{
	int x = 1;

	con_grid_fill(g, row, 0, g->cols, ' ', CON_ST_NORMAL);
	for (int i = 0; i < n && x < g->cols; i++) {
		x += con_grid_text(g, row, x, -1, CON_ST_DIM, CON_LEFT, p[i].label);
		x += con_grid_text(g, row, x, -1, CON_ST_NORMAL, CON_LEFT, " ");
		x += con_grid_text(g, row, x, -1, p[i].style, CON_LEFT, p[i].value);
		x += con_grid_text(g, row, x, -1, CON_ST_NORMAL, CON_LEFT, "   ");
	}
}

/* The detail screen's first lines: identity, state, process values. */
static int con_detail_head(struct con_grid *g, int row, const struct con_view *v,
                           const struct con_still *s)
{
	char b[12][64];
	uint16_t val = v->up && s->comm_ok ? CON_ST_VALUE : CON_ST_DIM;

	snprintf(b[0], 64, "%ld", s->batch_id);
	snprintf(b[1], 64, "%d/%d %.40s", s->step_index, s->step_count, s->step);
	{
		struct con_pair p[] = {
			{ _("Still"), s->name, CON_ST_VALUE },
			{ _("State"), con_state_word(s->state),
			  v->up ? con_state_style(s->state) : CON_ST_DIM },
			{ _("Batch"), s->batch_id > 0 ? b[0] : "-", CON_ST_NORMAL },
			{ _("Recipe"), s->batch_id > 0 ? s->recipe : "-", CON_ST_NORMAL },
			{ _("Step"), s->batch_id > 0 ? b[1] : "-", CON_ST_NORMAL },
			{ _("Left"), con_fmt_duration(b[2], 64, s->batch_id > 0 ? s->time_left_min : -1),
			  CON_ST_NORMAL },
		};
		con_draw_pairs(g, row++, p, 6);
	}
	{
		struct con_pair p[] = {
			{ _("Pressure kPa"), con_fmt_num(b[3], 64, s->pressure_kpa, 1),
			  con_value_style(v, s, "pressure") },
			{ _("Charge °C"), con_fmt_num(b[4], 64, s->still_temp_c, 1),
			  con_value_style(v, s, "still_temp") },
			{ _("Vapour °C"), con_fmt_num(b[5], 64, s->vapour_temp_c, 1),
			  con_value_style(v, s, "vapour_temp") },
			{ _("Distillate °C"), con_fmt_num(b[6], 64, s->distillate_temp_c, 1),
			  con_value_style(v, s, "distillate_temp") },
		};
		con_draw_pairs(g, row++, p, 4);
	}
	{
		struct con_pair p[] = {
			{ _("Steam kg/h"), con_fmt_num(b[7], 64, s->steam_flow_kg_h, 0),
			  con_value_style(v, s, "steam_flow") },
			{ _("Cooling L/min"), con_fmt_num(b[8], 64, s->cooling_flow_l_min, 0),
			  con_value_style(v, s, "cooling_flow") },
			{ _("Oil kg"), con_fmt_num(b[9], 64, s->oil_kg, 3), val },
			{ _("Yield %"), con_fmt_num(b[10], 64, s->yield_pct, 2), val },
			{ _("Alarms"), (snprintf(b[11], 64, "%d", s->alarms), b[11]),
			  s->alarms > 0 && v->up ? con_still_alarm_style(v, s->name) : CON_ST_NORMAL },
		};
		con_draw_pairs(g, row++, p, 5);
	}
	return row;
}

enum { LP_NAME, LP_CTL, LP_SP, LP_PV, LP_OUT, LP_MODE, LP_COUNT };

static const struct con_col con_loop_cols[LP_COUNT] = {
	[LP_NAME] = { N_("Loop"), NULL, 11, 0, 0, CON_LEFT },
	[LP_CTL] = { N_("Controls"), NULL, 16, 1, 0, CON_LEFT },
	[LP_SP] = { N_("Setpoint"), NULL, 8, 0, 0, CON_RIGHT },
	[LP_PV] = { N_("Measured"), NULL, 8, 0, 0, CON_RIGHT },
	[LP_OUT] = { N_("Output %"), NULL, 8, 0, 0, CON_RIGHT },
	[LP_MODE] = { N_("Mode"), NULL, 7, 0, 0, CON_LEFT },
};

/* One loop's row: name, what it controls, setpoint, measurement, output. */
static void con_loop_row(struct con_grid *g, int row, const struct con_col *cols,
                         const int *w, const struct con_view *v,
                         const char *name, const char *ctl, double sp,
                         double pv, double out, int manual)
{
	char b[3][24];
	const char *t[LP_COUNT] = { name, ctl, con_fmt_num(b[0], 24, sp, 1),
	                            con_fmt_num(b[1], 24, pv, 1),
	                            con_fmt_num(b[2], 24, out, 0),
	                            manual ? _("MANUAL") : _("auto") };
	uint16_t st[LP_COUNT] = { CON_ST_NORMAL, CON_ST_DIM, CON_ST_NORMAL,
	                          v->up ? CON_ST_VALUE : CON_ST_DIM,
	                          v->up ? CON_ST_VALUE : CON_ST_DIM,
	                          manual && v->up ? CON_ST_ABNORMAL : CON_ST_NORMAL };

	con_draw_row(g, row, cols, LP_COUNT, w, t, st, 0);
}

/* The loops table: steam and cooling. Returns the next free row. */
static int con_detail_loops(struct con_grid *g, int row, const struct con_view *v,
                            const struct con_still *s)
{
	struct con_col cols[LP_COUNT];
	int w[LP_COUNT];
	const char *ctl;
	double pv;

	con_cols_translate(cols, con_loop_cols, LP_COUNT);
	con_table_layout(cols, LP_COUNT, g->cols, w);
	row += con_draw_heading(g, row, cols, LP_COUNT, w);
	if (strcmp(s->steam_loop, "vapour_temp") == 0) {
		ctl = _("vapour temp, °C");
		pv = s->vapour_temp_c;
	} else if (strcmp(s->steam_loop, "open") == 0) {
		ctl = _("open (no loop)");
		pv = NAN;
	} else {
		ctl = _("pressure, kPa");
		pv = s->pressure_kpa;
	}
	con_loop_row(g, row++, cols, w, v, _("Steam valve"), ctl, s->steam_sp, pv,
	             s->steam_valve_pct, s->manual_steam);
	con_loop_row(g, row++, cols, w, v, _("Cooling"), _("distillate, °C"),
	             s->cooling_sp_c, s->distillate_temp_c, s->cooling_valve_pct,
	             s->manual_cooling);
	return row;
}

/* The step list with progress, in the box at top, left, h x w. */
static void con_detail_steps(struct con_grid *g, int top, int left, int h,
                             int w, const struct con_view *v,
                             const struct con_still *s)
{
	int row = top, first = 0, cur, bar_n = w >= 30 ? 10 : 5;

	con_grid_text(g, row++, left, w, CON_ST_HEADER, CON_LEFT, _("Steps"));
	if (v->n_steps == 0 || s->batch_id <= 0) {
		con_grid_text(g, row, left, w, CON_ST_DIM, CON_LEFT,
		              s->batch_id > 0 ? _("(loading steps)") : _("No batch running."));
		return;
	}
	cur = s->step_index - 1;
	if (cur >= h - 1)
		first = cur - (h - 2);
	for (int i = first; i < v->n_steps && row < top + h; i++) {
		const struct con_step *st = &v->steps[i];
		char line[200], bar[64] = "", pct[16];
		uint16_t style = CON_ST_NORMAL;
		const char *mark = "  ";

		if (i < cur) {
			mark = "✓ ";
			style = CON_ST_DIM;
		} else if (i == cur) {
			int filled = isnan(s->step_progress_pct) ? 0 :
			             (int)lround(s->step_progress_pct / 10);

			mark = "▶ ";
			style = CON_ST_VALUE;
			for (int k = 0; k < 10; k += 10 / bar_n)
				strcat(bar, k < filled ? "█" : "░");
			snprintf(pct, sizeof pct, " %s%%",
			         con_fmt_num((char[16]){ 0 }, 16, s->step_progress_pct, 0));
			strcat(bar, pct);
		}
		snprintf(line, sizeof line, "%s%-12s %s", mark, st->name,
		         i == cur ? bar : *st->end ? st->end : st->kind);
		con_grid_text(g, row++, left, w, style, CON_LEFT, line);
	}
}

/* The trends: as many series as fit, stacked, in the box; when only one
 * fits, the picked one. */
static void con_detail_trends(struct con_grid *g, int top, int left, int h,
                              int w, const struct con_view *v)
{
	static const int order[] = { CON_TR_PRESSURE, CON_TR_VAPOUR,
	                             CON_TR_DISTILLATE, CON_TR_STEAM, CON_TR_OIL,
	                             CON_TR_STILL_TEMP };
	int n = MIN(CON_TR_COUNT, h / 5), each, row = top;

	if (v->trend == NULL || h < 3)
		return;
	if (n <= 1) {
		con_draw_trend(g, top, left, h, w, v->trend,
		               v->trend_pick % CON_TR_COUNT, v->now_s, v->window_s);
		return;
	}
	each = h / n;
	for (int i = 0; i < n; i++) {
		int series = order[(i + v->trend_pick) % CON_TR_COUNT];

		con_draw_trend(g, row, left, each, w, v->trend, series, v->now_s,
		               v->window_s);
		row += each;
	}
}

void con_draw_detail(struct con_grid *g, int top, int bottom,
                     const struct con_view *v)
{
	const struct con_still *s;
	int row = top, steps_w;

	if (v->sel < 0 || v->sel >= v->n_stills) {
		con_grid_text(g, top, 1, g->cols - 1, CON_ST_DIM, CON_LEFT,
		              _("No still selected."));
		return;
	}
	s = &v->stills[v->sel];
	row = con_detail_head(g, row, v, s);
	row = con_detail_loops(g, row, v, s);
	if (*s->prompt) {
		char q[320];

		snprintf(q, sizeof q, _(" Question: %s   (p to answer)"), s->prompt);
		con_grid_text(g, row++, 0, g->cols, v->up ? CON_ST_ABNORMAL : CON_ST_DIM,
		              CON_LEFT, q);
	}
	row++;
	if (row >= bottom)
		return;
	steps_w = g->cols >= 120 ? 40 : MIN(30, g->cols / 3);
	con_detail_steps(g, row, 0, bottom - row, steps_w - 1, v, s);
	con_detail_trends(g, row, steps_w, bottom - row, g->cols - steps_w, v);
}

/* ---- alarms ----------------------------------------------------------- */

enum { AL_PRI, AL_STILL, AL_ID, AL_STATE, AL_TIME, AL_MSG, AL_COUNT };

static const struct con_col con_al_cols[AL_COUNT] = {
	[AL_PRI] = { N_("Prio"), NULL, 4, 0, 0, CON_LEFT },
	[AL_STILL] = { N_("Still"), NULL, 7, 0, 0, CON_LEFT },
	[AL_ID] = { N_("Alarm"), NULL, 16, 0, 1, CON_LEFT },
	[AL_STATE] = { N_("State"), NULL, 12, 0, 0, CON_LEFT },
	[AL_TIME] = { N_("Time"), NULL, 8, 0, 0, CON_LEFT },
	[AL_MSG] = { N_("Message"), NULL, 20, 1, 0, CON_LEFT },
};

/* One alarm row; when recent, the time it cleared and dim. */
static void con_alarm_row(struct con_grid *g, int row, const struct con_col *cols,
                          const int *w, const struct con_alarm *a,
                          const char *when, int recent, uint16_t extra,
                          int up)
{
	const char *t[AL_COUNT] = { con_priority_word(a->priority), a->still, a->id,
	                            recent ? _("cleared") : con_alarm_state_word(a->state),
	                            when, a->message };
	uint16_t st = recent || !up ? CON_ST_DIM : con_alarm_style(a);
	uint16_t s[AL_COUNT] = { st, CON_ST_NORMAL, CON_ST_NORMAL, st, CON_ST_NORMAL,
	                         recent ? CON_ST_DIM : CON_ST_NORMAL };

	con_draw_row(g, row, cols, AL_COUNT, w, t, s, extra);
}

/* "HH:MM:SS" of a wall time in seconds (the console's local clock offset is
 * already applied by the caller: wall_s here is local seconds of day). */
static void con_fmt_tod(char *out, size_t len, double wall_s)
{
	long s = (long)wall_s;

	if (wall_s <= 0) {
		snprintf(out, len, "--");
		return;
	}
	s %= 86400;
	snprintf(out, len, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

void con_draw_alarms(struct con_grid *g, int top, int bottom,
                     const struct con_view *v)
{
	struct con_col cols[AL_COUNT];
	int w[AL_COUNT], row = top, first = 0, room;
	char when[16];

	con_cols_translate(cols, con_al_cols, AL_COUNT);
	con_table_layout(cols, AL_COUNT, g->cols, w);
	con_grid_text(g, row++, 0, g->cols, CON_ST_HEADER, CON_LEFT, _(" Active and unacknowledged"));
	row += con_draw_heading(g, row, cols, AL_COUNT, w);
	room = MAX(1, (bottom - row) * 2 / 3);
	if (v->n_alarms == 0)
		con_grid_text(g, row++, 1, g->cols - 1, CON_ST_DIM, CON_LEFT, _("None."));
	if (v->alarm_sel >= room)
		first = v->alarm_sel - room + 1;
	for (int i = first; i < v->n_alarms && row < bottom && i < first + room; i++) {
		con_fmt_tod(when, sizeof when, v->alarms[i].seen_wall_s);
		con_alarm_row(g, row++, cols, w, &v->alarms[i], when, 0,
		              i == v->alarm_sel ? CON_ST_REV : 0, v->up);
	}
	if (row + 2 >= bottom)
		return;
	row++;
	con_grid_text(g, row++, 0, g->cols, CON_ST_HEADER, CON_LEFT,
	              _(" Recent, cleared (seen by this console)"));
	if (v->n_recent == 0)
		con_grid_text(g, row++, 1, g->cols - 1, CON_ST_DIM, CON_LEFT, _("None."));
	for (int i = v->n_recent - 1; i >= 0 && row < bottom; i--) {
		con_fmt_tod(when, sizeof when, v->recent[i].gone_wall_s);
		con_alarm_row(g, row++, cols, w, &v->recent[i], when, 1, 0, v->up);
	}
}

/* ---- forms, tables, help, dialogs ------------------------------------- */

void con_draw_form(struct con_grid *g, int top, int bottom,
                   const struct con_form *f)
{
	int row = top, lw = 0, first = 0, room;

	con_grid_text(g, row++, 0, g->cols, CON_ST_HEADER, CON_LEFT, f->title);
	row++;
	for (int i = 0; i < f->n_fields; i++)
		lw = MAX(lw, con_text_width(f->field[i].label));
	lw = MIN(lw + 2, g->cols / 3);
	for (int i = 0; i < f->n_fields && row < bottom; i++, row++) {
		const struct con_field *fl = &f->field[i];
		int vw = MIN(30, g->cols - lw - 4), x;
		uint16_t st = CON_ST_INPUT | (i == f->focus ? CON_ST_REV : 0);
		char val[160];

		con_grid_fill(g, row, 0, g->cols, ' ', CON_ST_NORMAL);
		con_grid_text(g, row, 1, lw, i == f->focus ? CON_ST_HEADER : CON_ST_DIM,
		              CON_LEFT, fl->label);
		snprintf(val, sizeof val, fl->kind == CON_F_CHOICE ? "< %s >" : "%s",
		         fl->value);
		x = 1 + lw;
		con_grid_text(g, row, x, vw, st, CON_LEFT, val);
		x += vw + 2;
		if (x < g->cols)
			con_grid_text(g, row, x, g->cols - x,
			              fl->bad ? CON_ST_ABNORMAL : CON_ST_DIM, CON_LEFT, fl->note);
	}
	if (f->n_list == 0 && !*f->list_title)
		return;
	row++;
	con_grid_text(g, row++, 0, g->cols, CON_ST_HEADER, CON_LEFT, f->list_title);
	room = bottom - row;
	if (room <= 0)
		return;
	if (f->list_sel >= room)
		first = f->list_sel - room + 1;
	for (int i = first; i < f->n_list && row < bottom; i++)
		con_grid_text(g, row++, 1, g->cols - 1,
		              (uint16_t)(CON_ST_NORMAL | (i == f->list_sel ? CON_ST_REV : 0)),
		              CON_LEFT, f->list[i]);
}

/* The lower part of a list page: the pane's lines, or the curve. */
static void con_draw_table_pane(struct con_grid *g, int top, int bottom,
                                const struct con_table *t)
{
	int row = top;

	if (t->n_curve > 0) {
		con_draw_curve(g, top, 0, bottom - top, g->cols, t->curve_title,
		               t->curve_t, t->curve_y, t->n_curve, 2, 0.2);
		return;
	}
	for (int i = 0; i < t->n_pane && row < bottom; i++)
		con_grid_text(g, row++, 1, g->cols - 1, CON_ST_NORMAL, CON_LEFT, t->pane[i]);
}

void con_draw_table(struct con_grid *g, int top, int bottom,
                    const struct con_table *t)
{
	int w[32], row = top, room, first = 0, n = MIN(t->n_cols, 32), pane_h;
	int has_pane = t->n_pane > 0 || t->n_curve > 0;
	char title[200];

	snprintf(title, sizeof title, "%s%s%s", t->title, *t->filter ? "  " : "",
	         t->filter);
	con_grid_text(g, row++, 0, g->cols, CON_ST_HEADER, CON_LEFT, title);
	if (t->pane_only) {
		con_draw_table_pane(g, row, bottom, t);
		return;
	}
	con_table_layout(t->cols, n, g->cols, w);
	row += con_draw_heading(g, row, t->cols, n, w);
	pane_h = has_pane ? (bottom - row) / 2 : 0;
	room = bottom - row - pane_h - (has_pane ? 1 : 0);
	if (t->n_rows == 0)
		con_grid_text(g, row++, 1, g->cols - 1, CON_ST_DIM, CON_LEFT, _("Nothing to show."));
	if (t->sel >= room && room > 0)
		first = t->sel - room + 1;
	for (int i = first; i < t->n_rows && i < first + room; i++)
		con_draw_row(g, row++, t->cols, n, w, t->cell + (size_t)i * (size_t)t->n_cols,
		             NULL, i == t->sel ? CON_ST_REV : 0);
	if (!has_pane)
		return;
	con_grid_fill(g, bottom - pane_h - 1, 0, g->cols, 0x2500u, CON_ST_DIM);
	con_draw_table_pane(g, bottom - pane_h, bottom, t);
}

void con_draw_help(struct con_grid *g, int top, int bottom,
                   const struct con_view *v)
{
	int row = top;
	char title[160];

	for (int r = top; r < bottom; r++)
		con_grid_fill(g, r, 0, g->cols, ' ', CON_ST_NORMAL);
	snprintf(title, sizeof title, _(" Help: %s (any key closes)"),
	         _(con_screen_names[v->screen]));
	con_grid_text(g, row++, 0, g->cols, CON_ST_HEADER, CON_LEFT, title);
	for (int pass = 0; pass < 2; pass++) {
		row++;
		for (int i = 0; i < v->n_keys && row < bottom; i++) {
			const struct con_key *k = &v->keys[i];
			int global = k->screens == ~0u;

			if (!(k->screens & (1u << v->screen)) || global != pass || !*k->help)
				continue;
			con_grid_text(g, row, 2, 10, CON_ST_KEY, CON_LEFT, k->key);
			con_grid_text(g, row++, 13, g->cols - 13, CON_ST_NORMAL, CON_LEFT,
			              _(k->help));
		}
	}
	if (row + 1 < bottom)
		con_grid_text(g, row + 1, 2, g->cols - 2, CON_ST_DIM, CON_LEFT,
		              _("Grey means normal; colour means abnormal or an alarm; "
		                "blinking means an unacknowledged high-priority alarm."));
}

void con_draw_dialog(struct con_grid *g, const struct con_dialog *d)
{
	static char text[48][320];
	int w, h, top, left, row, n = 0, inner;
	uint16_t st = d->style;

	w = con_text_width(d->title);
	for (int i = 0; i < d->n_lines; i++)
		w = MAX(w, con_text_width(d->line[i]));
	w = MAX(w, con_text_width(d->hint));
	w = MIN(MAX(w + 4, 40), g->cols);
	inner = MAX(1, w - 4);
	for (int i = 0; i < d->n_lines && n < 48; i++)
		n += con_wrap(d->line[i], inner, text + n, 48 - n);
	h = MIN(n + 4 + (d->has_input ? 2 : 0), g->rows);
	top = (g->rows - h) / 2;
	left = (g->cols - w) / 2;
	for (int r = 0; r < h; r++)
		con_grid_fill(g, top + r, left, w, ' ', CON_ST_NORMAL);
	con_grid_fill(g, top, left, w, 0x2500u, st);
	con_grid_fill(g, top + h - 1, left, w, 0x2500u, st);
	for (int r = 0; r < h; r++) {
		con_put(g, top + r, left, r == 0 ? 0x250cu : r == h - 1 ? 0x2514u : 0x2502u, st);
		con_put(g, top + r, left + w - 1,
		        r == 0 ? 0x2510u : r == h - 1 ? 0x2518u : 0x2502u, st);
	}
	row = top;
	con_grid_text(g, row++, left + 2, MIN(con_text_width(d->title) + 2, inner),
	              (uint16_t)(st == CON_ST_NORMAL ? CON_ST_HEADER : st), CON_LEFT, d->title);
	row++;
	for (int i = 0; i < n && row < top + h - 2 - (d->has_input ? 2 : 0) + 1; i++)
		con_grid_text(g, row++, left + 2, inner, CON_ST_NORMAL, CON_LEFT, text[i]);
	if (d->has_input && row < top + h - 1) {
		int lw = con_text_width(d->input_label) + 1;

		row++;
		con_grid_text(g, row, left + 2, lw, CON_ST_HEADER, CON_LEFT, d->input_label);
		con_grid_text(g, row++, left + 2 + lw, MAX(1, inner - lw), CON_ST_INPUT | CON_ST_REV,
		              CON_LEFT, d->input);
	}
	con_grid_text(g, top + h - 2, left + 2, inner, CON_ST_DIM, CON_LEFT, d->hint);
}

/* ---- the whole frame -------------------------------------------------- */

void con_draw_screen(struct con_grid *g, const struct con_view *v)
{
	int row = 1, banner_rows = g->rows >= 40 ? 3 : 1, bottom = g->rows - 2;
	char none[1] = "";

	con_grid_clear(g);
	con_draw_title(g, v);
	if (!v->up)
		row += con_draw_down(g, row, v);
	row += con_draw_banner(g, row, banner_rows, v);
	row++;
	if (v->help)
		con_draw_help(g, row, bottom, v);
	else if (v->screen == CON_SCR_OVERVIEW)
		con_draw_overview(g, row, bottom, v);
	else if (v->screen == CON_SCR_DETAIL)
		con_draw_detail(g, row, bottom, v);
	else if (v->screen == CON_SCR_ALARMS)
		con_draw_alarms(g, row, bottom, v);
	else if (v->form != NULL)
		con_draw_form(g, row, bottom, v->form);
	else if (v->table != NULL)
		con_draw_table(g, row, bottom, v->table);
	con_grid_text(g, g->rows - 2, 0, g->cols,
	              v->message_err ? CON_ST_ABNORMAL : CON_ST_OK, CON_LEFT,
	              v->message ? v->message : none);
	con_draw_keys(g, g->rows - 1, v);
	if (v->dialog != NULL)
		con_draw_dialog(g, v->dialog);
}
