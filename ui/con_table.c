/* con_table: table columns that fit the screen. See con_table.h. */
#include "con_table.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

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

void con_table_row(struct con_grid *g, int row, const struct con_col *cols,
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
			con_grid_put(g, row, x, ' ', (uint16_t)(CON_ST_NORMAL | extra));
		x++;
	}
	if (extra && x < g->cols)
		con_grid_fill(g, row, x, g->cols - x, ' ', (uint16_t)(CON_ST_NORMAL | extra));
}

int con_table_heading(struct con_grid *g, int row, const struct con_col *cols,
                      int n, const int *w)
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
	con_table_row(g, row, cols, n, w, t, st, 0);
	if (!units)
		return 1;
	for (int i = 0; i < n; i++)
		st[i] = CON_ST_DIM;
	con_table_row(g, row + 1, cols, n, w, u, st, 0);
	return 2;
}
