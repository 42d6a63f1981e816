/*
 * con_table: table columns chosen and sized to fit the screen's width,
 * and table rows drawn into a grid. Pure.
 * Table of contents: struct con_col, con_table_layout, con_table_row,
 * con_table_heading.
 */
#ifndef CON_TABLE_H
#define CON_TABLE_H

#include <stdint.h>

#include "con_grid.h"


/* One table column: shown when it fits, by priority. */
struct con_col {
	const char *title;  /* heading (translated by the caller) */
	const char *unit;   /* second heading line ("kPa"), NULL none */
	int width;          /* columns it wants */
	int grow;           /* takes a share of spare width (text columns) */
	int prio;           /* 0 always shown; higher numbers dropped first */
	enum con_align align;
};

/*
 * Chooses which columns fit in width (one blank between columns) and how
 * wide each is: drops the highest-prio columns first, then gives spare
 * width to the growing ones. w_out[i] is 0 for a dropped column.
 * Returns the number of columns shown.
 */
int con_table_layout(const struct con_col *cols, int n, int width, int *w_out);

/* Draws one table row at row from col 0: cell texts text[i] in styles
 * style[i] (NULL: all CON_ST_NORMAL) with the widths from con_table_layout.
 * extra is ORed into every style (CON_ST_REV for the selected row). */
void con_table_row(struct con_grid *g, int row, const struct con_col *cols,
                   int n, const int *w, const char *const *text,
                   const uint16_t *style, uint16_t extra);

/* Draws a table's heading rows at row: the titles, then the units when any
 * column has one. Returns the rows used (1 or 2). */
int con_table_heading(struct con_grid *g, int row, const struct con_col *cols,
                      int n, const int *w);

#endif
