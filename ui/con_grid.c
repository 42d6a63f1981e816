/* con_grid: cells, the grid and UTF-8 text in it. See con_grid.h. */
#include "con_grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int con_grid_text_width(const char *s)
{
	int w = 0;

	while (*s)
		w += con_cp_width(con_utf8_next(&s));
	return w;
}

void con_grid_put(struct con_grid *g, int row, int col, uint32_t ch,
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
		con_grid_put(g, row, col + i, ch, style);
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
		con_grid_put(g, row, col + x, c, style);
		if (cw == 2)
			con_grid_put(g, row, col + x + 1, 0, style);
		x += cw;
	}
	if (trunc)
		con_grid_put(g, row, col + x++, ELLIPSIS, style);
	return x;
}

int con_grid_text(struct con_grid *g, int row, int col, int width,
                  uint16_t style, enum con_align align, const char *s)
{
	int tw = con_grid_text_width(s);
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

int con_grid_wrap(const char *s, int width, char (*out)[320], int max)
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
