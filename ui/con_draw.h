/*
 * con_draw: pure functions from the console's data to a grid of character
 * cells. No curses, no clock, no I/O: con.c copies the grid to the
 * terminal (only the cells that changed), and the unit tests read it.
 * Table of contents:
 *   cells and the grid        struct con_cell, con_grid_init/free/clear,
 *                             con_grid_text, con_text_width, con_grid_fill
 *   numbers                   con_fmt_num, con_fmt_duration
 *   tables                    struct con_col, con_table_layout,
 *                             con_draw_row
 *   trends                    struct con_trend, con_trend_push,
 *                             con_trend_resample, con_plot_range,
 *                             con_draw_plot, con_draw_trend
 *   the screens               struct con_view, con_draw_screen (and the
 *                             parts: con_draw_banner, con_draw_keys,
 *                             con_draw_overview, ...)
 * Styles are semantic (ISA-101): plain grey for normal, colour only for
 * abnormal states and alarms, blink only for unacknowledged high-priority
 * alarms. con.c maps them to colours.
 */
#ifndef CON_DRAW_H
#define CON_DRAW_H

#include <stdint.h>

#include "con_net.h"

/* ---- cells ------------------------------------------------------------ */

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
int con_text_width(const char *s);

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

/* ---- numbers ---------------------------------------------------------- */

/* v with decimals places into out; "--" when NaN. Returns out. */
char *con_fmt_num(char *out, size_t out_len, double v, int decimals);

/* A duration in minutes as "45m", "2h05", "--" when < 0 or NaN. */
char *con_fmt_duration(char *out, size_t out_len, double minutes);

/* ---- tables ----------------------------------------------------------- */

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
void con_draw_row(struct con_grid *g, int row, const struct con_col *cols,
                  int n, const int *w, const char *const *text,
                  const uint16_t *style, uint16_t extra);

/* ---- trends ----------------------------------------------------------- */

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
int con_plot_range(const double *y, int n, double min_span, double *lo,
                   double *hi);

/* Draws y[0..w) as columns of eighth blocks in the h x w box at top, left,
 * scaled lo..hi; NaN leaves the column blank. */
void con_draw_plot(struct con_grid *g, int top, int left, int h, int w,
                   const double *y, double lo, double hi, uint16_t style);

/* A labelled trend: title line, y-axis labels, the plot of series over
 * window_s up to now_s, in the h x w box at top, left (h >= 3). */
void con_draw_trend(struct con_grid *g, int top, int left, int h, int w,
                    const struct con_trend *t, int series, double now_s,
                    double window_s);

/* A titled plot of the points (x[i], y[i]) in the h x w box, x spread over
 * its range in buckets of equal width, y labelled on the left. */
void con_draw_curve(struct con_grid *g, int top, int left, int h, int w,
                    const char *title, const double *x, const double *y, int n,
                    int decimals, double min_span);

/* The series' title with its unit, translated. */
const char *con_series_name(int series);

/* ---- screens ---------------------------------------------------------- */

enum con_screen {
	CON_SCR_OVERVIEW, CON_SCR_DETAIL, CON_SCR_ALARMS, CON_SCR_START,
	CON_SCR_HISTORY, CON_SCR_LOTS, CON_SCR_COUNT
};

/* A key binding as shown on the key line and in help. */
struct con_key {
	const char *key;         /* "F2", "a", "Enter" */
	const char *label;       /* short, for the key line (untranslated) */
	const char *help;        /* a sentence for the help page (untranslated) */
	unsigned screens;        /* bit per enum con_screen; ~0u: everywhere */
};

/* A modal box: a question, what will happen, maybe one line of input. */
struct con_dialog {
	char title[96];
	char line[20][160];      /* what will happen, one sentence a line */
	int n_lines;
	int has_input;           /* 1: shows input with its label */
	char input_label[48];
	char input[160];
	char hint[160];          /* e.g. "y: do it   n: cancel" */
	uint16_t style;          /* CON_ST_NORMAL or an alarm/abnormal style */
};

enum con_field_kind { CON_F_TEXT, CON_F_NUMBER, CON_F_CHOICE };

/* One field of a form. */
struct con_field {
	char label[48];          /* translated */
	enum con_field_kind kind;
	char value[128];         /* text typed, or the choice shown */
	char note[160];          /* help or the check's verdict, beside it */
	int bad;                 /* 1: note is an error */
};

/* A form, with an optional pick list under it (lots, recipes). */
struct con_form {
	char title[96];
	struct con_field field[8];
	int n_fields;
	int focus;
	char list_title[96];
	char list[64][160];      /* pick list lines, already formatted */
	int n_list;
	int list_sel;            /* -1: none */
};

/* A generic list screen's data: headings and rows of cell texts. */
struct con_table {
	char title[96];
	char filter[96];         /* shown after the title, "" none */
	const struct con_col *cols;
	int n_cols;
	const char *const *cell; /* n_rows * n_cols texts */
	int n_rows;
	int sel;                 /* selected row, -1 none */
	const char *const *pane; /* lines shown under the list, may be NULL */
	int n_pane;
	int pane_only;           /* 1: the pane takes the whole page (report) */
	const double *curve_t;   /* a curve under the list: x values ... */
	const double *curve_y;   /* ... and y values, n_curve points */
	int n_curve;
	const char *curve_title;
};

/* Everything one frame shows. Pointers may be NULL when not needed. */
struct con_view {
	enum con_screen screen;
	const char *site;
	const char *operator_name;
	const char *clock;           /* "14:03:22" */
	const char *lang;            /* "en", "vi" */
	int up;                      /* connected to the daemon */
	const char *socket_path;
	const char *down_cause;      /* why not, for people */
	double down_for_s;
	double retry_in_s;
	const char *data_time;       /* when values were last fresh, "" never */
	const struct con_still *stills;
	int n_stills;
	int sel;                     /* selected still */
	int top;                     /* first still row shown (scrolling) */
	const struct con_alarm *alarms;
	int n_alarms;
	int alarm_sel;
	const struct con_alarm *recent;
	int n_recent;
	const struct con_trend *trend;  /* the selected still's */
	double now_s;                /* the trend clock, s */
	double window_s;             /* trend window, s */
	int trend_pick;              /* series shown when only one fits */
	const struct con_step *steps;   /* the selected still's recipe */
	int n_steps;
	const struct con_form *form;
	const struct con_table *table;
	const struct con_key *keys;
	int n_keys;
	int help;                    /* 1: help page over the screen */
	const struct con_dialog *dialog;
	const char *message;         /* the message line, "" none */
	int message_err;
};

/* Draws the whole frame of v into g (g's size is the terminal's). */
void con_draw_screen(struct con_grid *g, const struct con_view *v);

/* The parts, exposed for tests. Each draws into rows [top, bottom). */
int con_draw_banner(struct con_grid *g, int row, int max_rows,
                    const struct con_view *v);
void con_draw_keys(struct con_grid *g, int row, const struct con_view *v);
void con_draw_overview(struct con_grid *g, int top, int bottom,
                       const struct con_view *v);
void con_draw_detail(struct con_grid *g, int top, int bottom,
                     const struct con_view *v);
void con_draw_alarms(struct con_grid *g, int top, int bottom,
                     const struct con_view *v);
void con_draw_form(struct con_grid *g, int top, int bottom,
                   const struct con_form *f);
void con_draw_table(struct con_grid *g, int top, int bottom,
                    const struct con_table *t);
void con_draw_help(struct con_grid *g, int top, int bottom,
                   const struct con_view *v);
void con_draw_dialog(struct con_grid *g, const struct con_dialog *d);

/* The style of an alarm: its priority's colour, blinking when it is an
 * unacknowledged high-priority one. */
uint16_t con_alarm_style(const struct con_alarm *a);

/* The style of a still's state word (abnormal for held, lost, ...). */
uint16_t con_state_style(const char *state);

/* Rows an overview of n stills needs between top and bottom before it
 * scrolls; the caller keeps sel visible with it. */
int con_overview_rows(int top, int bottom);

#endif
