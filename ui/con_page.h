/*
 * con_page: the console's form and record pages: start batch (a form
 * checked against the recipes and the lot's stock), batch history (read
 * only from the database, reports and oil curves, QA entries sent to the
 * daemon) and lots (read from the database, new lots sent to the daemon).
 * con.c owns the loop and calls in with keys and replies; the pages call
 * back through con_page_send/_dialog/_say/_operator/_stills (in con.c).
 * Table of contents:
 *   con_page_init/free, con_page_enter, con_page_view
 *   keys: con_page_typing, con_page_key, con_page_move, con_page_back,
 *         con_page_input
 *   replies: con_page_recipes, con_page_steps_reply, con_page_start_reply
 *   con_page_dirty (a form is half-filled), con_page_relabel (language)
 */
#ifndef CON_PAGE_H
#define CON_PAGE_H

#include <wchar.h>

#include "cfg.h"
#include "con_draw.h"
#include "con_lots.h"
#include "con_net.h"

#define CON_PAGE_LOTS_MAX 512
#define CON_PAGE_ROWS_MAX 500
#define CON_PAGE_COLS_MAX 10
#define CON_PAGE_PANE_MAX 400
#define CON_PAGE_RECIPES_MAX 64

/* What a page's sub-view is. */
enum con_page_mode {
	CON_PM_FORM,      /* the start form (START) or new lot form (LOTS) */
	CON_PM_LIST,      /* the batch or lot list */
	CON_PM_REPORT,    /* a batch report (HISTORY) */
	CON_PM_CURVE      /* a batch's oil curve (HISTORY) */
};

/* What a request from a page is, for con_page_send and con_page_reply. */
enum {
	CON_PAGE_SEND_ACTION,   /* QA entries: the answer goes to the message line */
	CON_PAGE_SEND_STEPS,    /* "steps RECIPE" for the start review */
	CON_PAGE_SEND_START,    /* "start ..." */
	CON_PAGE_SEND_LOT,      /* "lot-add ..." */
	CON_PAGE_SEND_COUNT
};
/* Dialog kinds for con_page_dialog. */
enum { CON_PAGE_CONFIRM, CON_PAGE_INPUT, CON_PAGE_INFO };

/* Which chained input a page dialog is collecting. */
enum con_page_ask {
	PA_NONE, PA_SEARCH, PA_WEIGH, PA_DENSITY, PA_RI, PA_MARKER, PA_ANALYST,
	PA_DECIDE_REASON
};

struct con_page {
	void *owner;                  /* the console (struct con) */
	const char *db_path;          /* read-only database; NULL none */
	const struct cfg_plant *plant;
	enum con_screen screen;
	enum con_page_mode mode;
	/* start form */
	struct con_form form;
	struct con_form lot_form;     /* new lot */
	int start_still;              /* index into the console's stills */
	int start_recipe;             /* index into recipes; -1 none */
	struct con_lots charge;       /* lots added one by one (con_lots); the
	                                 lot and mass fields add the next */
	struct con_recipe recipes[CON_PAGE_RECIPES_MAX];
	int n_recipes;
	int confirm_tag;              /* CON_PAGE_SEND_* of the open confirm */
	int lot_form_open;            /* LOTS: the new-lot form is shown */
	int started;                  /* 1 after a batch started: con shows it */
	char started_still[CFG_NAME_MAX];
	/* lots, from the database */
	struct con_lot lots[CON_PAGE_LOTS_MAX];
	int n_lots;
	int lots_loaded;
	char db_cause[200];           /* why the database could not be read */
	int match[CON_PAGE_LOTS_MAX]; /* lots matching the lot field or filter */
	int n_match;
	int lot_sel;                  /* in match[] */
	/* lists (history, lots) */
	char filter[96];
	struct con_col cols[CON_PAGE_COLS_MAX];
	char col_title[CON_PAGE_COLS_MAX][32];
	int n_cols;
	char *cell[CON_PAGE_ROWS_MAX * CON_PAGE_COLS_MAX];
	long row_batch[CON_PAGE_ROWS_MAX]; /* history: batch id of each row */
	int n_rows;
	int sel;
	struct con_table table;
	/* report / curve pane */
	char *pane[CON_PAGE_PANE_MAX];
	int n_pane;
	int pane_top;
	double curve[2048];           /* oil kg over the batch, resampled */
	int n_curve;
	char curve_title[160];
	/* chained QA input */
	enum con_page_ask ask;
	long ask_batch;
	char qa[4][64];               /* density, ri, marker, analyst */
	char decision[16];            /* "release" or "quarantine" */
};

/* Sets p up; owner is the console, db_path may be NULL. */
void con_page_init(struct con_page *p, void *owner, const char *db_path,
                   const struct cfg_plant *plant);
void con_page_free(struct con_page *p);

/* The console moved to screen scr (START, HISTORY or LOTS); sel is the
 * selected still (the start form's default). Reloads the lists. */
void con_page_enter(struct con_page *p, enum con_screen scr,
                    const struct con_still *sel);

/* Puts the page's form or table into v. */
void con_page_view(struct con_page *p, struct con_view *v);

/* A key on a page with a form: returns 1 when the form took it (typing,
 * field moves, choices, Enter), 0 to let the console's bindings run. */
int con_page_typing(struct con_page *p, wint_t ch, int is_key);

/* A page key from the bindings ('/', '\n', 'w', 'l', 'R', 'Q', 'c', 'd', 'n',
 * KEY_F(9)). */
void con_page_key(struct con_page *p, int key);

/* Moves the list selection (or scrolls a report) by delta. */
void con_page_move(struct con_page *p, int delta);

/* Esc: returns 1 when the page went back a level (report -> list). */
int con_page_back(struct con_page *p);

/* The text of a page input dialog. */
void con_page_input(struct con_page *p, const char *text);

/* The daemon's recipes, for the start form. */
void con_page_recipes(struct con_page *p, const struct con_recipe *r, int n);

/* The reply to a request the page sent as what (CON_PAGE_SEND_*): steps
 * open the start confirmation; a started batch or added lot clears its
 * form. */
void con_page_reply(struct con_page *p, int what, const struct con_net_reply *r);

/* Edits UTF-8 text buf with a key: a printable character is appended,
 * Backspace removes the last character. Returns 1 when it took the key. */
int con_page_edit(char *buf, size_t len, wint_t ch, int is_key);

/* 1 when a form has something typed that quitting would lose. */
int con_page_dirty(const struct con_page *p);

/* Re-translates the forms' labels after a language switch. */
void con_page_relabel(struct con_page *p);

/* Checks the start form (pure, for tests): fills each field's note and
 * bad flag from the stills, recipes and lot. Returns the number of
 * problems. */
int con_page_check_start(struct con_page *p, const struct con_still *stills,
                         int n_stills);

/* Callbacks implemented by the console (con.c). */
int con_page_send(struct con_page *p, int what, const char *line);
void con_page_dialog(struct con_page *p, int kind, const struct con_dialog *d,
                     const char *line);
void con_page_say(struct con_page *p, int err, const char *text);
const char *con_page_operator(const struct con_page *p);
const struct con_still *con_page_stills(const struct con_page *p, int *n);

#endif
