/*
 * con_draw: the console's screens, pure functions from the console's data
 * to a grid of character cells. No curses, no clock, no I/O: con.c copies
 * the grid to the terminal (only the cells that changed), and the unit
 * tests read it. The pieces the screens are made of have their own files:
 * con_grid (cells and text), con_fmt (numbers), con_table (columns that
 * fit), con_trend (history and plots); this header includes them all.
 * Table of contents:
 *   the screens               struct con_view, con_draw_screen (and the
 *                             parts: con_draw_banner, con_draw_keys,
 *                             con_draw_overview, ...)
 *   styles                    con_draw_alarm_style, con_draw_state_style
 * Styles are semantic (ISA-101): plain grey for normal, colour only for
 * abnormal states and alarms, blink only for unacknowledged high-priority
 * alarms. con.c maps them to colours.
 */
#ifndef CON_DRAW_H
#define CON_DRAW_H

#include <stdint.h>

#include "con_fc.h"
#include "con_fmt.h"
#include "con_grid.h"
#include "con_net.h"
#include "con_table.h"
#include "con_trend.h"

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
uint16_t con_draw_alarm_style(const struct con_alarm *a);

/* The style of a still's state word (abnormal for held, lost, ...). */
uint16_t con_draw_state_style(const char *state);

/* Rows an overview of n stills needs between top and bottom before it
 * scrolls; the caller keeps sel visible with it. */
int con_draw_overview_rows(int top, int bottom);

#endif
