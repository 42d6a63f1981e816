/*
 * con_grid: a grid of character cells and UTF-8 text in it. Pure: no
 * curses, no clock, no I/O; con.c copies the grid to the terminal and the
 * unit tests read it.
 * Table of contents:
 *   styles                    enum con_style (semantic, ISA-101)
 *   cells and the grid        struct con_cell, struct con_grid,
 *                             con_grid_init/free/clear/at/put
 *   text                      con_grid_text_width, con_grid_text,
 *                             con_grid_fill, con_grid_style,
 *                             con_grid_row_text, con_grid_wrap
 */
#ifndef CON_GRID_H
#define CON_GRID_H

#include <stddef.h>
#include <stdint.h>


enum con_style {
	CON_ST_NORMAL,     /* grey text: all is well */
	CON_ST_DIM,        /* labels, units, stale values */
	CON_ST_TITLE,      /* the top line */
	CON_ST_HEADER,     /* table headings */
	CON_ST_VALUE,      /* live process values */
	CON_ST_ABNORMAL,   /* abnormal, not an alarm: held, manual, bad data */
	CON_ST_ALARM1,     /* high-priority alarm */
	CON_ST_ALARM2,     /* medium */
	CON_ST_ALARM3,     /* low */
	CON_ST_DOWN,       /* no connection to the daemon */
	CON_ST_KEY,        /* a key name on the key line */
	CON_ST_INPUT,      /* an input field */
	CON_ST_OK,         /* a good final answer (message line) */
	CON_ST_COUNT
};
#define CON_ST_MASK  0x00ff
#define CON_ST_BLINK 0x0100 /* flag: unacknowledged high-priority alarm */
#define CON_ST_REV   0x0200 /* flag: selected row, focused field */

/* One character cell. A wide character's right half has ch == 0. */
struct con_cell {
	uint32_t ch;       /* Unicode code point, ' ' when blank */
	uint32_t comb;     /* one combining mark, 0 when none */
	uint16_t style;    /* enum con_style | flags */
};

struct con_grid {
	int rows, cols;
	struct con_cell *cell;   /* rows * cols, row-major */
};

/* Allocates a blank rows x cols grid. Returns 0 or -1 (out of memory). */
int con_grid_init(struct con_grid *g, int rows, int cols);
void con_grid_free(struct con_grid *g);
/* Blanks every cell. */
void con_grid_clear(struct con_grid *g);
/* The cell at row, col (must be inside). */
struct con_cell *con_grid_at(const struct con_grid *g, int row, int col);

/* Display width of UTF-8 text in columns (combining marks count 0, East
 * Asian wide characters 2, invalid bytes 1). */
int con_grid_text_width(const char *s);

enum con_align { CON_LEFT, CON_RIGHT, CON_CENTRE };

/* Writes UTF-8 text at row, col into width columns (clipped to the grid;
 * width < 0: as wide as the text), aligned; text that does not fit ends in
 * an ellipsis. Pads with blanks of the same style. Returns columns used. */
int con_grid_text(struct con_grid *g, int row, int col, int width,
                  uint16_t style, enum con_align align, const char *s);

/* Fills width cells from row, col with code point ch. */
void con_grid_fill(struct con_grid *g, int row, int col, int width,
                   uint32_t ch, uint16_t style);

/* Sets the style of width cells from row, col, keeping their text. */
void con_grid_style(struct con_grid *g, int row, int col, int width,
                    uint16_t style);

/* The text of one grid row as UTF-8 (trailing blanks kept); for tests. */
void con_grid_row_text(const struct con_grid *g, int row, char *out,
                       size_t out_len);

/* Sets one cell when it is inside the grid (a control character shows as
 * '?'); a wide character's right half is ch == 0. */
void con_grid_put(struct con_grid *g, int row, int col, uint32_t ch,
                  uint16_t style);

/* Breaks s into lines of at most width columns at blanks (a word longer
 * than width is cut), into out[max][320]. Returns the number of lines. */
int con_grid_wrap(const char *s, int width, char (*out)[320], int max);

#endif
