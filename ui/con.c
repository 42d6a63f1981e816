/* con: the operator console's loop, keys and actions. See con.h. */
#define NCURSES_WIDECHAR 1
#include "con.h"

#include <curses.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "con_draw.h"
#include "rcp.h"
#include "con_net.h"
#include "con_page.h"
#include "i18n.h"
#include "num.h"
#include "proto.h"

#define CON_POLL_S 0.5           /* status poll period */
#define CON_ALARM_POLL_S 1.0     /* alarms poll period */
#define CON_ALARMS_MAX 256
#define CON_RECENT_MAX 50
#define CON_RECIPES_MAX 64
#define CON_KEY_CTRL(c) ((c) & 0x1f)

/* Reply tags: what a request was for. */
enum con_tag {
	T_HELLO, T_STATUS, T_ALARMS, T_RECIPES, T_STEPS_DETAIL, T_ACTION,
	T_PAGE    /* T_PAGE + CON_PAGE_SEND_*: a page's request */
};

/* What the open dialog is. */
enum con_dlg {
	D_NONE, D_OPERATOR, D_CONFIRM, D_QUIT, D_INPUT, D_MENU, D_INFO
};

/* What an input dialog's text is for. */
enum con_input {
	IN_ANSWER, IN_MANUAL_PCT, IN_SHELVE_MIN, IN_SHELVE_REASON, IN_PAGE
};

/* What the operator asked for with a key. */
enum con_act {
	A_NONE, A_HELP, A_QUIT, A_LANG, A_SCREEN, A_UP, A_DOWN, A_PGUP, A_PGDN,
	A_ENTER, A_BACK, A_HOLD, A_RESTART, A_STOP, A_ABORT, A_RESET, A_START,
	A_ACK, A_ACK_ALL, A_SHELVE, A_ANSWER, A_LOOPS, A_WINDOW, A_TREND,
	A_PAGE /* screen-specific keys handled by con_page */
};

#define S(x) (1u << CON_SCR_##x)
#define ALL (~0u)
#define STILL_SCR (S(OVERVIEW) | S(DETAIL))

/* One key binding: codes, action, argument, and how it is shown. */
struct con_binding {
	int code, code2;          /* key codes (0 none) */
	enum con_act act;
	int arg;                  /* A_SCREEN: the screen; A_PAGE: the key */
	struct con_key show;
};

static const struct con_binding con_bindings[] = {
	{ KEY_UP, 'k', A_UP, 0, { "↑↓", N_("Select"), N_("Move the selection up or down (also k and j)."), S(OVERVIEW) | S(ALARMS) | S(HISTORY) | S(LOTS) } },
	{ KEY_DOWN, 'j', A_DOWN, 0, { "", "", "", S(OVERVIEW) | S(ALARMS) | S(HISTORY) | S(LOTS) } },
	{ KEY_PPAGE, 0, A_PGUP, 0, { "PgUp/Dn", "", N_("Scroll a page."), S(OVERVIEW) | S(ALARMS) | S(HISTORY) | S(LOTS) } },
	{ KEY_NPAGE, 0, A_PGDN, 0, { "", "", "", S(OVERVIEW) | S(ALARMS) | S(HISTORY) | S(LOTS) } },
	{ '\n', KEY_ENTER, A_ENTER, 0, { "Enter", N_("Detail"), N_("Open the selected still's detail page."), S(OVERVIEW) } },
	{ 's', 0, A_START, 0, { "s", N_("Start"), N_("Start a batch on the selected still."), STILL_SCR } },
	{ 'p', 0, A_ANSWER, 0, { "p", N_("Answer"), N_("Answer the still's pending question."), STILL_SCR } },
	{ 'a', 0, A_ACK, 0, { "a", N_("Ack"), N_("Acknowledge the selected alarm (on a still page: all of that still's)."), STILL_SCR | S(ALARMS) } },
	{ 'A', 0, A_ACK_ALL, 0, { "A", N_("Ack all"), N_("Acknowledge every unacknowledged alarm of every still."), S(ALARMS) } },
	{ 'v', 0, A_SHELVE, 0, { "v", N_("Shelve"), N_("Shelve the selected alarm for a time, with a reason."), S(ALARMS) } },
	{ 'h', 0, A_HOLD, 0, { "h", N_("Hold"), N_("Hold the batch: steam to its hold value, the step clock stops."), STILL_SCR } },
	{ 'r', 0, A_RESTART, 0, { "r", N_("Restart"), N_("Restart a held or lost batch (asks first)."), STILL_SCR } },
	{ 'x', 0, A_STOP, 0, { "x", N_("Stop"), N_("Stop the batch: steam closes, batch ends STOPPED (asks first)."), STILL_SCR } },
	{ 'X', 0, A_ABORT, 0, { "X", N_("Abort"), N_("Abort: safe outputs at once, batch ends ABORTED (asks first)."), STILL_SCR } },
	{ 'z', 0, A_RESET, 0, { "z", N_("Reset"), N_("Reset a finished still to idle (asks first)."), STILL_SCR } },
	{ 'm', 0, A_LOOPS, 0, { "m", N_("Manual/auto"), N_("Put the steam or cooling valve in manual or back to auto (asks first)."), S(DETAIL) } },
	{ 'w', 0, A_WINDOW, 0, { "w", N_("Window"), N_("Change the trend window: 5 min, 30 min, 2 h, 8 h."), S(DETAIL) } },
	{ 't', 0, A_TREND, 0, { "t", N_("Trend"), N_("Show the next trend when only some fit."), S(DETAIL) } },
	{ '/', 0, A_PAGE, '/', { "/", N_("Search"), N_("Filter the list by text."), S(HISTORY) | S(LOTS) } },
	{ '\n', KEY_ENTER, A_PAGE, '\n', { "Enter", N_("Open"), N_("Open the selected batch's report."), S(HISTORY) } },
	{ 'w', 0, A_PAGE, 'w', { "w", N_("Weigh"), N_("Enter the weighed oil of the selected batch."), S(HISTORY) } },
	{ 'l', 0, A_PAGE, 'l', { "l", N_("Lab"), N_("Enter lab results (density, refractive index, marker)."), S(HISTORY) } },
	{ 'R', 0, A_PAGE, 'R', { "R", N_("Release"), N_("Release the batch's oil (asks for a reason, then confirms)."), S(HISTORY) } },
	{ 'Q', 0, A_PAGE, 'Q', { "Q", N_("Quarantine"), N_("Quarantine the batch's oil (asks for a reason, then confirms)."), S(HISTORY) } },
	{ 'c', 0, A_PAGE, 'c', { "c", N_("Curve"), N_("Show the batch's oil curve."), S(HISTORY) } },
	{ 'd', 0, A_PAGE, 'd', { "d", N_("Document"), N_("Write the batch's record as an HTML page to print (batch-ID.html in the folder $STILLROOM_DOC_DIR, else the working directory); the path shows below."), S(HISTORY) } },
	{ 'n', 0, A_PAGE, 'n', { "n", N_("New lot"), N_("Add a received lot."), S(LOTS) } },
	{ '\t', KEY_DOWN, A_PAGE, '\t', { "Tab/↑↓", N_("Field"), N_("Move between fields; ←→ change a choice."), S(START) } },
	{ KEY_F(9), 0, A_PAGE, KEY_F(9), { "Enter/F9", N_("Review"), N_("Check the form and review what will happen before it is sent."), S(START) } },
	{ KEY_IC, KEY_DC, A_PAGE, KEY_IC, { "Ins/Del", N_("Lots"), N_("Add the lot and mass above to the charge (or type + in the mass field); Del removes the last lot added. The total shows below."), S(START) } },
	{ 0, 0, A_NONE, 0, { "1-6", "", N_("Screens: 1 overview, 2 detail, 3 alarms, 4 start, 5 history, 6 lots (also F2-F7)."), ALL } },
	{ '1', KEY_F(2), A_SCREEN, CON_SCR_OVERVIEW, { "", "", "", ALL } },
	{ '2', KEY_F(3), A_SCREEN, CON_SCR_DETAIL, { "", "", "", ALL } },
	{ '3', KEY_F(4), A_SCREEN, CON_SCR_ALARMS, { "", "", "", ALL } },
	{ '4', KEY_F(5), A_SCREEN, CON_SCR_START, { "", "", "", ALL } },
	{ '5', KEY_F(6), A_SCREEN, CON_SCR_HISTORY, { "", "", "", ALL } },
	{ '6', KEY_F(7), A_SCREEN, CON_SCR_LOTS, { "", "", "", ALL } },
	{ 27, 0, A_BACK, 0, { "Esc", "", N_("Close a dialog or go back to the overview."), ALL } },
	{ '?', KEY_F(1), A_HELP, 0, { "?", N_("Help"), N_("This help (also F1)."), ALL } },
	{ 'L', 0, A_LANG, 0, { "L", N_("Tiếng Việt"), N_("Switch the language between English and Vietnamese."), ALL } },
	{ 'q', KEY_F(10), A_QUIT, 0, { "q", N_("Quit"), N_("Quit the console (also F10); the controller keeps running."), ALL } },
};
#define N_BINDINGS ((int)(sizeof con_bindings / sizeof con_bindings[0]))

static const double con_windows_s[] = { 300, 1800, 7200, 28800 };

/* The console's whole state. */
struct con {
	const struct con_opts *o;
	struct con_net net;
	int seen_connects;            /* net.connects when we last said hello */
	struct con_grid grid;         /* the frame being drawn */
	struct con_grid shown;        /* what the terminal has */
	int dirty;                    /* something to redraw */
	int quit;
	enum con_screen screen;
	int help;
	char operator_name[64];
	char lang[8];
	struct con_key keys[N_BINDINGS];
	/* plant data */
	struct con_still *stills;
	struct con_trend *trends;     /* one per still, same index */
	int n_stills;
	struct con_alarm alarms[CON_ALARMS_MAX];
	int n_alarms;
	struct con_alarm recent[CON_RECENT_MAX];
	int n_recent;
	struct con_recipe recipes[CON_RECIPES_MAX];
	int n_recipes;
	struct con_step steps[RCP_STEPS_MAX];
	int n_steps;
	char steps_recipe[48];        /* whose steps those are */
	char data_time[16];           /* wall clock of the last status */
	int sel, top, alarm_sel;
	int window;                   /* index in con_windows_s */
	int trend_pick;
	double next_status_s, next_alarms_s;
	char clock[16];
	/* the message line */
	char message[320];
	int message_err;
	/* the dialog */
	struct con_dialog dlg;
	enum con_dlg dlg_kind;
	enum con_input dlg_input;
	int dlg_menu;                 /* which menu (still index for loops) */
	char dlg_cmd[PROTO_LINE_MAX]; /* sent when confirmed */
	int dlg_tag;
	char shelve_still[CFG_NAME_MAX], shelve_id[32], shelve_min[16];
	struct con_page page;         /* start form, history, lots */
	double t0_s;
};

/* ---- small helpers ---------------------------------------------------- */

/* Monotonic seconds. */
static double con_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Local wall time as seconds since the epoch plus the zone offset, and as
 * "HH:MM:SS" in out. */
static double con_wall(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	if (out != NULL)
		strftime(out, len, "%H:%M:%S", &tm);
	return (double)t + (double)tm.tm_gmtoff;
}

/* Sets the message line. */
static void con_say(struct con *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void con_say(struct con *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
	c->message_err = err;
	c->dirty = 1;
}

/* The selected still, or NULL. */
static const struct con_still *con_sel_still(const struct con *c)
{
	return c->sel >= 0 && c->sel < c->n_stills ? &c->stills[c->sel] : NULL;
}

/* Builds "verb arg... key=value... operator=NAME" into out. args are
 * positional; kv holds n_kv key/value pairs. */
static void con_build(const struct con *c, char *out, size_t len,
                      const char *verb, const char *const *args, int n_args,
                      const char *const *kv, int n_kv)
{
	snprintf(out, len, "%s", verb);
	for (int i = 0; i < n_args; i++)
		proto_append(out, len, NULL, args[i]);
	for (int i = 0; i < n_kv; i++)
		proto_append(out, len, kv[2 * i], kv[2 * i + 1]);
	proto_append(out, len, "operator", c->operator_name);
}

/* Sends one request; says why when it cannot. Returns 0 or -1. */
static int con_send(struct con *c, int tag, long cookie, const char *line)
{
	if (con_net_send(&c->net, tag, cookie, line, con_now()) == 0)
		return 0;
	if (tag == T_ACTION || tag >= T_PAGE)
		con_say(c, 1, _("Not sent: not connected to the controller (%s)."),
		        c->net.cause);
	return -1;
}

/* ---- dialogs ---------------------------------------------------------- */

/* Opens a dialog of kind with a title; lines are added with con_dlg_line. */
static void con_dlg_open(struct con *c, enum con_dlg kind, uint16_t style,
                         const char *title)
{
	memset(&c->dlg, 0, sizeof c->dlg);
	snprintf(c->dlg.title, sizeof c->dlg.title, "%s", title);
	c->dlg.style = style;
	c->dlg_kind = kind;
	if (kind == D_CONFIRM || kind == D_QUIT)
		snprintf(c->dlg.hint, sizeof c->dlg.hint, "%s", _("y: yes, do it    n or Esc: no"));
	else if (kind == D_INPUT || kind == D_OPERATOR)
		snprintf(c->dlg.hint, sizeof c->dlg.hint, "%s", _("Enter: accept    Esc: cancel"));
	else if (kind == D_MENU)
		snprintf(c->dlg.hint, sizeof c->dlg.hint, "%s", _("a number: choose    Esc: cancel"));
	else
		snprintf(c->dlg.hint, sizeof c->dlg.hint, "%s", _("any key: close"));
	c->dirty = 1;
}

/* Adds one line of text to the open dialog. */
static void con_dlg_line(struct con *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void con_dlg_line(struct con *c, const char *fmt, ...)
{
	va_list ap;

	if (c->dlg.n_lines >= (int)(sizeof c->dlg.line / sizeof c->dlg.line[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(c->dlg.line[c->dlg.n_lines++], sizeof c->dlg.line[0], fmt, ap);
	va_end(ap);
}

/* Gives the open dialog an input line, prefilled. */
static void con_dlg_input(struct con *c, enum con_input what, const char *label,
                          const char *value)
{
	c->dlg.has_input = 1;
	c->dlg_input = what;
	snprintf(c->dlg.input_label, sizeof c->dlg.input_label, "%s", label);
	snprintf(c->dlg.input, sizeof c->dlg.input, "%s", value ? value : "");
}

/* Opens a confirmation that sends line (tag) when the operator says yes. */
static void con_confirm(struct con *c, int tag, const char *title, const char *line)
{
	con_dlg_open(c, D_CONFIRM, CON_ST_ABNORMAL, title);
	snprintf(c->dlg_cmd, sizeof c->dlg_cmd, "%s", line);
	c->dlg_tag = tag;
}

/* ---- data from the daemon --------------------------------------------- */

/* 1 when a waits for an acknowledgement. */
static int con_alarm_unack(const struct con_alarm *a)
{
	return strcmp(a->state, "unack") == 0 || strcmp(a->state, "rtn_unack") == 0;
}


/* The trend samples of still s. */
static void con_trend_sample(const struct con_still *s, double *v)
{
	v[CON_TR_PRESSURE] = s->pressure_kpa;
	v[CON_TR_STILL_TEMP] = s->still_temp_c;
	v[CON_TR_VAPOUR] = s->vapour_temp_c;
	v[CON_TR_DISTILLATE] = s->distillate_temp_c;
	v[CON_TR_STEAM] = s->steam_valve_pct;
	v[CON_TR_OIL] = s->batch_id > 0 ? s->oil_kg : NAN;
}

/* Makes room for n stills, keeping trends of stills that keep their name. */
static int con_stills_resize(struct con *c, const struct con_still *fresh, int n)
{
	struct con_trend *tr = malloc((size_t)(n > 0 ? n : 1) * sizeof *tr);
	struct con_still *st = malloc((size_t)(n > 0 ? n : 1) * sizeof *st);

	if (tr == NULL || st == NULL) {
		free(tr);
		free(st);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		con_trend_init(&tr[i]);
		for (int k = 0; k < c->n_stills; k++)
			if (strcmp(c->stills[k].name, fresh[i].name) == 0)
				tr[i] = c->trends[k];
	}
	free(c->trends);
	free(c->stills);
	c->trends = tr;
	c->stills = st;
	c->n_stills = n;
	return 0;
}

/* Takes a status reply. */
static void con_on_status(struct con *c, const struct con_net_reply *r)
{
	struct con_still *fresh = calloc((size_t)r->n_lines + 1, sizeof *fresh);
	int n = 0, same;
	double now = con_now() - c->t0_s, v[CON_TR_COUNT];

	if (fresh == NULL)
		return;
	for (int i = 0; i < r->n_lines; i++)
		if (con_still_parse(&fresh[n], r->lines[i]) == 0) {
			if (fresh[n].step_progress_pct < 0)
				fresh[n].step_progress_pct = NAN;
			n++;
		}
	same = n == c->n_stills;
	for (int i = 0; same && i < n; i++)
		same = strcmp(fresh[i].name, c->stills[i].name) == 0;
	if (!same && con_stills_resize(c, fresh, n) < 0)
		goto out_free;
	for (int i = 0; i < n; i++) {
		c->stills[i] = fresh[i];
		con_trend_sample(&fresh[i], v);
		con_trend_push(&c->trends[i], now, v);
	}
	if (c->sel >= n)
		c->sel = n - 1;
	if (c->sel < 0 && n > 0)
		c->sel = 0;
	con_wall(c->data_time, sizeof c->data_time);
	c->dirty = 1;
out_free:
	free(fresh);
}

/* Index of alarm (still, id) in list, or -1. */
static int con_alarm_find(const struct con_alarm *list, int n, const char *still,
                          const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i].still, still) == 0 && strcmp(list[i].id, id) == 0)
			return i;
	return -1;
}

/* Moves alarm a, gone from the daemon's list, to the recent list. */
static void con_alarm_gone(struct con *c, const struct con_alarm *a, double wall)
{
	if (c->n_recent == CON_RECENT_MAX) {
		memmove(c->recent, c->recent + 1, (CON_RECENT_MAX - 1) * sizeof c->recent[0]);
		c->n_recent--;
	}
	c->recent[c->n_recent] = *a;
	c->recent[c->n_recent++].gone_wall_s = wall;
}

/* Alarm order: high priority first, unacknowledged first, then still. */
static int con_alarm_cmp(const void *pa, const void *pb)
{
	const struct con_alarm *a = pa, *b = pb;
	int ua = con_alarm_unack(a), ub = con_alarm_unack(b);

	if (a->priority != b->priority)
		return a->priority - b->priority;
	if (ua != ub)
		return ub - ua;
	if (strcmp(a->still, b->still) != 0)
		return strcmp(a->still, b->still);
	return strcmp(a->id, b->id);
}

/* Takes an alarms reply: keeps first-seen times, notes the cleared. */
static void con_on_alarms(struct con *c, const struct con_net_reply *r)
{
	static struct con_alarm fresh[CON_ALARMS_MAX];
	double wall = con_wall(NULL, 0);
	int n = 0;

	for (int i = 0; i < r->n_lines && n < CON_ALARMS_MAX; i++) {
		int old;

		if (con_alarm_parse(&fresh[n], r->lines[i]) < 0)
			continue;
		old = con_alarm_find(c->alarms, c->n_alarms, fresh[n].still, fresh[n].id);
		fresh[n].seen_wall_s = old >= 0 ? c->alarms[old].seen_wall_s : wall;
		n++;
	}
	for (int i = 0; i < c->n_alarms; i++)
		if (con_alarm_find(fresh, n, c->alarms[i].still, c->alarms[i].id) < 0)
			con_alarm_gone(c, &c->alarms[i], wall);
	qsort(fresh, (size_t)n, sizeof fresh[0], con_alarm_cmp);
	memcpy(c->alarms, fresh, (size_t)n * sizeof fresh[0]);
	c->n_alarms = n;
	if (c->alarm_sel >= n)
		c->alarm_sel = n - 1;
	if (c->alarm_sel < 0)
		c->alarm_sel = 0;
	c->dirty = 1;
}

/* Takes a recipes reply. */
static void con_on_recipes(struct con *c, const struct con_net_reply *r)
{
	c->n_recipes = 0;
	for (int i = 0; i < r->n_lines && c->n_recipes < CON_RECIPES_MAX; i++)
		if (con_recipe_parse(&c->recipes[c->n_recipes], r->lines[i]) == 0)
			c->n_recipes++;
	con_page_recipes(&c->page, c->recipes, c->n_recipes);
	c->dirty = 1;
}

/* Takes a steps reply (for the detail page or the start review). */
static void con_on_steps(struct con *c, const struct con_net_reply *r)
{
	c->n_steps = 0;
	for (int i = 0; i < r->n_lines && c->n_steps < RCP_STEPS_MAX; i++)
		if (con_step_parse(&c->steps[c->n_steps], r->lines[i]) == 0)
			c->n_steps++;
	c->dirty = 1;
}

/* The answer to an operator action: shown on the message line. */
static void con_on_action(struct con *c, const struct con_net_reply *r)
{
	if (r->lost)
		con_say(c, 1, _("No answer: the connection to the controller was lost (%s). "
		                "Check whether the action happened before repeating it."),
		        r->final);
	else if (r->ok && proto_unrecorded(r->final) != NULL)
		con_say(c, 1, "%s %s", _("Done, not yet recorded:"), proto_unrecorded(r->final));
	else if (r->ok)
		con_say(c, 0, "%s %s", _("Done:"), *r->final ? r->final : "ok");
	else
		con_say(c, 1, "%s %s", _("Refused:"), r->final);
	c->next_status_s = 0;
	c->next_alarms_s = 0;
}

/* Handles one complete reply. */
static void con_on_reply(struct con *c, struct con_net_reply *r)
{
	if (r->tag == T_STATUS && r->ok)
		con_on_status(c, r);
	else if (r->tag == T_ALARMS && r->ok)
		con_on_alarms(c, r);
	else if (r->tag == T_RECIPES && r->ok)
		con_on_recipes(c, r);
	else if (r->tag == T_STEPS_DETAIL && r->ok)
		con_on_steps(c, r);
	if (r->tag == T_ACTION || (r->tag >= T_PAGE && r->tag != T_PAGE + CON_PAGE_SEND_STEPS))
		con_on_action(c, r);
	if (r->tag >= T_PAGE)
		con_page_reply(&c->page, r->tag - T_PAGE, r);
	if (c->page.started) {
		/* show the still that just started */
		c->page.started = 0;
		for (int i = 0; i < c->n_stills; i++)
			if (strcmp(c->stills[i].name, c->page.started_still) == 0)
				c->sel = i;
		c->screen = CON_SCR_DETAIL;
	}
	c->dirty = 1;
}

/* Polls what is due: hello and recipes after a connect, status, alarms,
 * the steps of the selected still's recipe. */
static void con_poll(struct con *c, double now)
{
	const struct con_still *s = con_sel_still(c);
	char line[128];

	if (c->net.state != CON_NET_UP)
		return;
	if (c->net.connects != c->seen_connects) {
		c->seen_connects = c->net.connects;
		con_send(c, T_HELLO, 0, "hello");
		con_send(c, T_RECIPES, 0, "recipes");
		c->steps_recipe[0] = '\0';
		c->next_status_s = c->next_alarms_s = 0;
	}
	if (now >= c->next_status_s && !con_net_pending_tag(&c->net, T_STATUS)) {
		con_send(c, T_STATUS, 0, "status");
		c->next_status_s = now + CON_POLL_S;
	}
	if (now >= c->next_alarms_s && !con_net_pending_tag(&c->net, T_ALARMS)) {
		con_send(c, T_ALARMS, 0, "alarms");
		c->next_alarms_s = now + CON_ALARM_POLL_S;
	}
	if (s != NULL && s->batch_id > 0 && *s->recipe &&
	    strcmp(s->recipe, c->steps_recipe) != 0 &&
	    !con_net_pending_tag(&c->net, T_STEPS_DETAIL)) {
		snprintf(c->steps_recipe, sizeof c->steps_recipe, "%s", s->recipe);
		c->n_steps = 0;
		line[0] = '\0';
		proto_append(line, sizeof line, NULL, "steps");
		proto_append(line, sizeof line, NULL, s->recipe);
		con_send(c, T_STEPS_DETAIL, 0, line);
	}
}

/* ---- still actions ---------------------------------------------------- */

/* What a batch command does, in words, for its confirmation. */
struct con_still_cmd {
	enum con_act act;
	const char *verb;
	int confirm;
	const char *title;
	const char *what;    /* what will happen */
};

static const struct con_still_cmd con_still_cmds[] = {
	{ A_HOLD, "hold", 0, N_("Hold the batch"), "" },
	{ A_RESTART, "restart", 1, N_("Restart the batch?"),
	  N_("The recipe continues from its current step: the steam loop takes over "
	     "again and the step clock runs.") },
	{ A_STOP, "stop", 1, N_("STOP the batch?"),
	  N_("The steam valve closes and the batch ends as STOPPED. The oil so far "
	     "stays recorded. A stopped batch cannot be restarted.") },
	{ A_ABORT, "abort", 1, N_("ABORT the batch?"),
	  N_("Safe outputs AT ONCE: steam valve closed. The batch ends as ABORTED. "
	     "Use for emergencies; otherwise prefer stop.") },
	{ A_RESET, "reset", 1, N_("Reset the still to idle?"),
	  N_("The finished batch is closed and the still becomes idle, ready for "
	     "a new batch. Latched trips are cleared only if their cause is gone.") },
};

/* Sends (or asks first) the batch command act for the selected still. */
static void con_still_command(struct con *c, enum con_act act)
{
	const struct con_still *s = con_sel_still(c);
	const struct con_still_cmd *sc = NULL;
	char line[512], title[160];
	const char *args[1];

	for (size_t i = 0; i < sizeof con_still_cmds / sizeof con_still_cmds[0]; i++)
		if (con_still_cmds[i].act == act)
			sc = &con_still_cmds[i];
	if (s == NULL || sc == NULL)
		return;
	args[0] = s->name;
	con_build(c, line, sizeof line, sc->verb, args, 1, NULL, 0);
	if (!sc->confirm) {
		con_send(c, T_ACTION, 0, line);
		return;
	}
	snprintf(title, sizeof title, "%s %s", s->name, _(sc->title));
	con_confirm(c, T_ACTION, title, line);
	if (s->batch_id > 0)
		con_dlg_line(c, _("%s: batch %ld, recipe %s, step %s, state %s."), s->name,
		             s->batch_id, s->recipe, s->step, s->state);
	con_dlg_line(c, "%s", _(sc->what));
}

/* 1 for the plant's own alarm (still "-": sync-fault), which no one
 * acknowledges: it ends when its cause does. */
static int con_alarm_plant(const struct con_alarm *a)
{
	return strcmp(a->still, "-") == 0;
}

/* Acknowledges: on a still page all of the still's alarms, on the alarms
 * page the selected one. */
static void con_ack(struct con *c)
{
	const char *args[2];
	char line[512];

	if (c->screen == CON_SCR_ALARMS) {
		if (c->alarm_sel < 0 || c->alarm_sel >= c->n_alarms)
			return;
		if (con_alarm_plant(&c->alarms[c->alarm_sel])) {
			con_say(c, 1, _("%s: the plant's alarm; it ends when stillroom-sync "
			                "ships everything again."), c->alarms[c->alarm_sel].id);
			return;
		}
		args[0] = c->alarms[c->alarm_sel].still;
		args[1] = c->alarms[c->alarm_sel].id;
		con_build(c, line, sizeof line, "ack", args, 2, NULL, 0);
	} else {
		if (con_sel_still(c) == NULL)
			return;
		args[0] = con_sel_still(c)->name;
		con_build(c, line, sizeof line, "ack", args, 1, NULL, 0);
	}
	con_send(c, T_ACTION, 0, line);
}

/* Acknowledges every still that has an unacknowledged alarm. */
static void con_ack_all(struct con *c)
{
	char line[512];
	const char *args[1];
	int sent = 0;

	for (int i = 0; i < c->n_alarms; i++) {
		const struct con_alarm *a = &c->alarms[i];

		int dup = 0;

		if (!con_alarm_unack(a) || con_alarm_plant(a))
			continue;
		for (int k = 0; k < i; k++)
			dup |= strcmp(c->alarms[k].still, a->still) == 0 &&
			       con_alarm_unack(&c->alarms[k]);
		if (dup)
			continue;
		args[0] = a->still;
		con_build(c, line, sizeof line, "ack", args, 1, NULL, 0);
		sent += con_send(c, T_ACTION, 0, line) == 0;
	}
	if (sent == 0)
		con_say(c, 0, "%s", _("No unacknowledged alarms."));
}

/* Starts shelving the selected alarm: asks minutes, then a reason. */
static void con_shelve(struct con *c)
{
	const struct con_alarm *a;
	char title[160];

	if (c->alarm_sel < 0 || c->alarm_sel >= c->n_alarms)
		return;
	a = &c->alarms[c->alarm_sel];
	snprintf(c->shelve_still, sizeof c->shelve_still, "%s", a->still);
	snprintf(c->shelve_id, sizeof c->shelve_id, "%s", a->id);
	snprintf(title, sizeof title, _("Shelve %s on %s"), a->id, a->still);
	con_dlg_open(c, D_INPUT, CON_ST_NORMAL, title);
	con_dlg_line(c, "%s", a->message);
	con_dlg_line(c, "%s", _("A shelved alarm is not announced until the time runs out."));
	con_dlg_input(c, IN_SHELVE_MIN, _("Minutes (1-480):"), "60");
}

/* Opens the answer dialog for the selected still's question. */
static void con_answer(struct con *c)
{
	const struct con_still *s = con_sel_still(c);
	char title[160];

	if (s == NULL || !*s->prompt) {
		con_say(c, 1, "%s", _("This still has no question waiting."));
		return;
	}
	snprintf(title, sizeof title, _("%s asks"), s->name);
	con_dlg_open(c, D_INPUT, CON_ST_ABNORMAL, title);
	con_dlg_line(c, "%s", s->prompt);
	con_dlg_input(c, IN_ANSWER, _("Answer:"), "yes");
}

/* Opens the manual/auto menu for the selected still. */
static void con_loops_menu(struct con *c)
{
	const struct con_still *s = con_sel_still(c);
	char title[160];

	if (s == NULL)
		return;
	snprintf(title, sizeof title, _("Valves of %s"), s->name);
	con_dlg_open(c, D_MENU, CON_ST_NORMAL, title);
	con_dlg_line(c, _("1  steam valve: MANUAL (now %s)"),
	             s->manual_steam ? _("manual") : _("auto"));
	con_dlg_line(c, _("2  steam valve: back to AUTO"));
	con_dlg_line(c, _("3  cooling valve: MANUAL (now %s)"),
	             s->manual_cooling ? _("manual") : _("auto"));
	con_dlg_line(c, _("4  cooling valve: back to AUTO"));
	c->dlg_menu = c->sel;
}

/* The operator chose item (1-4) of the valves menu. */
static void con_loops_chosen(struct con *c, int item)
{
	const struct con_still *s = con_sel_still(c);
	const char *out = item <= 2 ? "steam" : "cooling";
	char line[512], title[160], now[24];
	const char *args[2];

	if (s == NULL || item < 1 || item > 4)
		return;
	args[0] = s->name;
	args[1] = out;
	if (item == 2 || item == 4) {
		con_build(c, line, sizeof line, "auto", args, 2, NULL, 0);
		snprintf(title, sizeof title, _("Return the %s valve of %s to AUTO?"),
		         item == 2 ? _("steam") : _("cooling"), s->name);
		con_confirm(c, T_ACTION, title, line);
		con_dlg_line(c, "%s", _("The controller takes the valve over again from its "
		                        "present position (bumpless)."));
		return;
	}
	snprintf(title, sizeof title, _("Manual %s valve on %s"),
	         item == 1 ? _("steam") : _("cooling"), s->name);
	con_dlg_open(c, D_INPUT, CON_ST_ABNORMAL, title);
	con_dlg_line(c, _("The valve is at %s %% now."),
	             con_fmt_num(now, sizeof now,
	                         item == 1 ? s->steam_valve_pct : s->cooling_valve_pct, 0));
	con_dlg_line(c, "%s", _("In manual the controller stops regulating this valve; "
	                        "interlocks still close steam."));
	con_dlg_input(c, IN_MANUAL_PCT, _("Output % (0-100):"), now);
	c->dlg_menu = item;
}

/* Finishes an input dialog with its text. */
static void con_input_done(struct con *c, const char *text)
{
	const struct con_still *s = con_sel_still(c);
	char line[PROTO_LINE_MAX], title[160];
	const char *args[2], *kv[4];
	double v = num_or_nan(text);
	int bad_num = isnan(v);

	c->dlg_kind = D_NONE;
	switch (c->dlg_input) {
	case IN_ANSWER:
		if (s == NULL)
			return;
		args[0] = s->name;
		kv[0] = "text";
		kv[1] = text;
		con_build(c, line, sizeof line, "answer", args, 1, kv, 1);
		con_send(c, T_ACTION, 0, line);
		break;
	case IN_MANUAL_PCT:
		if (s == NULL)
			return;
		if (bad_num || v < 0 || v > 100) {
			con_say(c, 1, _("'%s' is not a valve output between 0 and 100 %%."), text);
			return;
		}
		args[0] = s->name;
		args[1] = c->dlg_menu == 1 ? "steam" : "cooling";
		snprintf(line, sizeof line, "manual");
		proto_append(line, sizeof line, NULL, args[0]);
		proto_append(line, sizeof line, NULL, args[1]);
		snprintf(title, sizeof title, "%g", v);
		proto_append(line, sizeof line, NULL, title);
		proto_append(line, sizeof line, "operator", c->operator_name);
		snprintf(title, sizeof title, _("Put the %s valve of %s in MANUAL at %g %%?"),
		         c->dlg_menu == 1 ? _("steam") : _("cooling"), s->name, v);
		con_confirm(c, T_ACTION, title, line);
		con_dlg_line(c, "%s", _("The valve goes to this position and stays there until "
		                        "you return it to auto (m, then 2 or 4)."));
		break;
	case IN_SHELVE_MIN:
		if (bad_num || v < 1 || v > 480) {
			con_say(c, 1, _("'%s' is not a number of minutes from 1 to 480."), text);
			return;
		}
		snprintf(c->shelve_min, sizeof c->shelve_min, "%.0f", v);
		con_dlg_open(c, D_INPUT, CON_ST_NORMAL, _("Why shelve it?"));
		con_dlg_line(c, _("%s on %s, for %s min."), c->shelve_id, c->shelve_still,
		             c->shelve_min);
		con_dlg_input(c, IN_SHELVE_REASON, _("Reason:"), "");
		break;
	case IN_SHELVE_REASON:
		if (*text == '\0') {
			con_say(c, 1, "%s", _("Shelving needs a reason; nothing was sent."));
			return;
		}
		args[0] = c->shelve_still;
		args[1] = c->shelve_id;
		kv[0] = "minutes";
		kv[1] = c->shelve_min;
		kv[2] = "reason";
		kv[3] = text;
		con_build(c, line, sizeof line, "shelve", args, 2, kv, 2);
		con_send(c, T_ACTION, 0, line);
		break;
	case IN_PAGE:
		con_page_input(&c->page, text);
		break;
	}
	c->dirty = 1;
}

/* ---- keys ------------------------------------------------------------- */

/* Goes to screen scr. */
static void con_goto(struct con *c, enum con_screen scr)
{
	c->screen = scr;
	c->help = 0;
	if (scr >= CON_SCR_START)
		con_page_enter(&c->page, scr, con_sel_still(c));
	c->dirty = 1;
}

/* Moves the selection of the current list by delta. */
static void con_move(struct con *c, int delta)
{
	int rows = con_draw_overview_rows(3, c->grid.rows - 2);

	if (c->screen == CON_SCR_ALARMS) {
		c->alarm_sel += delta;
		if (c->alarm_sel >= c->n_alarms)
			c->alarm_sel = c->n_alarms - 1;
		if (c->alarm_sel < 0)
			c->alarm_sel = 0;
	} else if (c->screen >= CON_SCR_START) {
		con_page_move(&c->page, delta);
	} else {
		c->sel += delta;
		if (c->sel >= c->n_stills)
			c->sel = c->n_stills - 1;
		if (c->sel < 0)
			c->sel = 0;
		if (c->sel < c->top)
			c->top = c->sel;
		if (c->sel >= c->top + rows)
			c->top = c->sel - rows + 1;
	}
	c->dirty = 1;
}

/* Asks before quitting when a form is half-filled, else quits. */
static void con_quit(struct con *c)
{
	if (!con_page_dirty(&c->page)) {
		c->quit = 1;
		return;
	}
	con_dlg_open(c, D_QUIT, CON_ST_ABNORMAL, _("Quit the console?"));
	con_dlg_line(c, "%s", _("A form is half-filled; what you typed will be lost."));
	con_dlg_line(c, "%s", _("The controller and every batch keep running."));
}

/* Switches English <-> Vietnamese. */
static void con_lang(struct con *c)
{
	snprintf(c->lang, sizeof c->lang, "%s",
	         strcmp(i18n_lang(), "vi") == 0 ? "en" : "vi");
	i18n_set(c->lang);
	snprintf(c->lang, sizeof c->lang, "%s", i18n_lang());
	con_page_relabel(&c->page);
	con_say(c, 0, "%s", _("Language: English"));
}

/* Runs action b for the key. */
static void con_act(struct con *c, const struct con_binding *b)
{
	switch (b->act) {
	case A_HELP: c->help = !c->help; break;
	case A_QUIT: con_quit(c); break;
	case A_LANG: con_lang(c); break;
	case A_SCREEN: con_goto(c, (enum con_screen)b->arg); break;
	case A_UP: con_move(c, -1); break;
	case A_DOWN: con_move(c, 1); break;
	case A_PGUP: con_move(c, -10); break;
	case A_PGDN: con_move(c, 10); break;
	case A_ENTER: con_goto(c, CON_SCR_DETAIL); break;
	case A_BACK:
		if (c->screen >= CON_SCR_START && con_page_back(&c->page))
			break;
		con_goto(c, CON_SCR_OVERVIEW);
		break;
	case A_HOLD: case A_RESTART: case A_STOP: case A_ABORT: case A_RESET:
		con_still_command(c, b->act);
		break;
	case A_START: con_goto(c, CON_SCR_START); break;
	case A_ACK: con_ack(c); break;
	case A_ACK_ALL: con_ack_all(c); break;
	case A_SHELVE: con_shelve(c); break;
	case A_ANSWER: con_answer(c); break;
	case A_LOOPS: con_loops_menu(c); break;
	case A_WINDOW:
		c->window = (c->window + 1) % (int)(sizeof con_windows_s / sizeof con_windows_s[0]);
		break;
	case A_TREND: c->trend_pick = (c->trend_pick + 1) % CON_TR_COUNT; break;
	case A_PAGE: con_page_key(&c->page, b->arg); break;
	case A_NONE: break;
	}
	c->dirty = 1;
}

/* A key while a dialog is open. */
static void con_dlg_key(struct con *c, wint_t ch, int is_key)
{
	int enter = (!is_key && (ch == '\n' || ch == '\r')) || (is_key && ch == KEY_ENTER);
	int esc = !is_key && ch == 27;

	c->dirty = 1;
	switch (c->dlg_kind) {
	case D_OPERATOR:
		if (enter && *c->dlg.input) {
			snprintf(c->operator_name, sizeof c->operator_name, "%.63s", c->dlg.input);
			c->dlg_kind = D_NONE;
			con_say(c, 0, _("Operator %s. Every action is recorded with this name."),
			        c->operator_name);
		} else if (!enter) {
			con_page_edit(c->dlg.input, sizeof c->dlg.input, ch, is_key);
		}
		break;
	case D_CONFIRM:
	case D_QUIT:
		if (!is_key && (ch == 'y' || ch == 'Y')) {
			enum con_dlg was = c->dlg_kind;

			c->dlg_kind = D_NONE;
			if (was == D_QUIT)
				c->quit = 1;
			else
				con_send(c, c->dlg_tag, 0, c->dlg_cmd);
			c->dlg_cmd[0] = '\0';
		} else if (esc || (!is_key && (ch == 'n' || ch == 'N'))) {
			c->dlg_kind = D_NONE;
			c->dlg_cmd[0] = '\0';
			con_say(c, 0, "%s", _("Cancelled; nothing was sent."));
		}
		break;
	case D_INPUT:
		if (enter)
			con_input_done(c, c->dlg.input);
		else if (esc)
			c->dlg_kind = D_NONE;
		else
			con_page_edit(c->dlg.input, sizeof c->dlg.input, ch, is_key);
		break;
	case D_MENU:
		if (esc) {
			c->dlg_kind = D_NONE;
		} else if (!is_key && ch >= '1' && ch <= '9') {
			c->dlg_kind = D_NONE;
			con_loops_chosen(c, (int)(ch - '0'));
		}
		break;
	case D_INFO:
		c->dlg_kind = D_NONE;
		break;
	case D_NONE:
		break;
	}
}

/* One key press. */
static void con_key(struct con *c, wint_t ch, int is_key)
{
	if (is_key && ch == KEY_RESIZE) {
		c->dirty = 1;
		return;
	}
	if (!is_key && ch == '\r')
		ch = '\n';
	if (c->dlg_kind != D_NONE) {
		con_dlg_key(c, ch, is_key);
		return;
	}
	if (c->help) {
		c->help = 0;
		c->dirty = 1;
		return;
	}
	if (is_key && ch == KEY_F(10)) {
		con_quit(c);
		return;
	}
	/* A page with a focused text field takes typing first. */
	if (c->screen >= CON_SCR_START && con_page_typing(&c->page, ch, is_key)) {
		c->dirty = 1;
		return;
	}
	if (!is_key && ch >= 0x80)
		return;
	for (int i = 0; i < N_BINDINGS; i++) {
		const struct con_binding *b = &con_bindings[i];
		int code = (int)ch;

		if (b->act == A_NONE || !(b->show.screens & (1u << c->screen)))
			continue;
		if (code != 0 && (code == b->code || code == b->code2)) {
			con_act(c, b);
			return;
		}
	}
}

/* Reads every key waiting. */
static void con_read_keys(struct con *c)
{
	wint_t ch;
	int rc;

	while ((rc = get_wch(&ch)) != ERR) {
		con_key(c, ch, rc == KEY_CODE_YES);
		if (c->quit)
			return;
	}
}

/* ---- the page module's callbacks -------------------------------------- */

/* See con_page.h: sends a request for a page. */
int con_page_send(struct con_page *p, int what, const char *line)
{
	return con_send(p->owner, T_PAGE + what, 0, line);
}

/* See con_page.h: opens a dialog for a page. */
void con_page_dialog(struct con_page *p, int kind, const struct con_dialog *d,
                     const char *line)
{
	struct con *c = p->owner;

	c->dlg = *d;
	c->dlg_kind = kind == CON_PAGE_CONFIRM ? D_CONFIRM :
	              kind == CON_PAGE_INPUT ? D_INPUT : D_INFO;
	c->dlg_input = IN_PAGE;
	c->dlg_tag = T_PAGE + p->confirm_tag;
	snprintf(c->dlg_cmd, sizeof c->dlg_cmd, "%s", line ? line : "");
	if (kind == CON_PAGE_CONFIRM)
		snprintf(c->dlg.hint, sizeof c->dlg.hint, "%s", _("y: yes, do it    n or Esc: no"));
	else if (kind == CON_PAGE_INPUT)
		snprintf(c->dlg.hint, sizeof c->dlg.hint, "%s", _("Enter: accept    Esc: cancel"));
	else
		snprintf(c->dlg.hint, sizeof c->dlg.hint, "%s", _("any key: close"));
	c->dirty = 1;
}

/* See con_page.h: says something on the message line for a page. */
void con_page_say(struct con_page *p, int err, const char *text)
{
	con_say(p->owner, err, "%s", text);
}

/* See con_page.h: the operator name for requests. */
const char *con_page_operator(const struct con_page *p)
{
	return ((const struct con *)p->owner)->operator_name;
}

/* See con_page.h: the stills the console knows. */
const struct con_still *con_page_stills(const struct con_page *p, int *n)
{
	const struct con *c = p->owner;

	*n = c->n_stills;
	return c->stills;
}

/* ---- the terminal ----------------------------------------------------- */

/* Curses attributes of each style, set up by con_colours. */
static attr_t con_attr[CON_ST_COUNT];
static short con_pair[CON_ST_COUNT];

/* Sets up the colour pairs for the styles (ISA-101: grey normal, colour
 * for the abnormal and alarms). */
static void con_colours(void)
{
	static const struct { short fg, bg; attr_t attr, mono; } map[CON_ST_COUNT] = {
		[CON_ST_NORMAL] = { COLOR_WHITE, -1, A_NORMAL, A_NORMAL },
		[CON_ST_DIM] = { COLOR_WHITE, -1, A_DIM, A_DIM },
		[CON_ST_TITLE] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
		[CON_ST_HEADER] = { COLOR_WHITE, -1, A_BOLD, A_BOLD },
		[CON_ST_VALUE] = { COLOR_WHITE, -1, A_BOLD, A_BOLD },
		[CON_ST_ABNORMAL] = { COLOR_CYAN, -1, A_BOLD, A_UNDERLINE },
		[CON_ST_ALARM1] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
		[CON_ST_ALARM2] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
		[CON_ST_ALARM3] = { COLOR_MAGENTA, -1, A_NORMAL, A_UNDERLINE },
		[CON_ST_DOWN] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
		[CON_ST_KEY] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
		[CON_ST_INPUT] = { COLOR_WHITE, -1, A_UNDERLINE, A_UNDERLINE },
		[CON_ST_OK] = { COLOR_WHITE, -1, A_NORMAL, A_NORMAL },
	};
	int colour = has_colors() && start_color() == OK;

	if (colour)
		use_default_colors();
	for (int i = 0; i < CON_ST_COUNT; i++) {
		con_attr[i] = colour ? map[i].attr : map[i].mono;
		con_pair[i] = 0;
		if (colour && init_pair((short)(i + 1), map[i].fg, map[i].bg) == OK)
			con_pair[i] = (short)(i + 1);
	}
}

/* 1 when two cells look the same. */
static int con_cell_same(const struct con_cell *a, const struct con_cell *b)
{
	return a->ch == b->ch && a->comb == b->comb && a->style == b->style;
}

/* Puts one cell on the curses screen. */
static void con_blit_cell(int row, int col, const struct con_cell *cell)
{
	wchar_t w[3] = { (wchar_t)cell->ch, (wchar_t)cell->comb, 0 };
	int st = cell->style & CON_ST_MASK;
	attr_t a = con_attr[st < CON_ST_COUNT ? st : 0];
	cchar_t cc;

	if (cell->style & CON_ST_REV)
		a |= A_REVERSE;
	if (cell->style & CON_ST_BLINK)
		a |= A_BLINK;
	if (setcchar(&cc, w, a, con_pair[st < CON_ST_COUNT ? st : 0], NULL) == OK)
		mvadd_wch(row, col, &cc);
}

/* Copies the cells of g that differ from shown to the curses screen (all
 * when full), then shown = g. Returns the number of cells written. */
static int con_blit(const struct con_grid *g, struct con_grid *shown, int full)
{
	int n = 0;

	for (int r = 0; r < g->rows; r++)
		for (int x = 0; x < g->cols; x++) {
			const struct con_cell *a = con_grid_at(g, r, x);
			struct con_cell *b = con_grid_at(shown, r, x);

			if (!full && con_cell_same(a, b))
				continue;
			*b = *a;
			if (a->ch == 0)
				continue;
			/* the last cell of the screen: curses may not scroll */
			con_blit_cell(r, x, a);
			n++;
		}
	return n;
}

/* Makes the grids the terminal's size; returns 1 when it changed. */
static int con_fit(struct con *c)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	if (rows == c->grid.rows && cols == c->grid.cols)
		return 0;
	con_grid_free(&c->grid);
	con_grid_free(&c->shown);
	if (con_grid_init(&c->grid, rows, cols) < 0 ||
	    con_grid_init(&c->shown, rows, cols) < 0)
		return -1;
	return 1;
}

/* Fills the view from the console's state. */
static void con_view_fill(struct con *c, struct con_view *v, double now)
{
	memset(v, 0, sizeof *v);
	v->screen = c->screen;
	v->site = c->o->plant ? c->o->plant->site : "";
	v->operator_name = c->operator_name;
	v->clock = c->clock;
	v->lang = c->lang;
	v->up = c->net.state == CON_NET_UP && c->seen_connects > 0;
	v->socket_path = c->o->socket_path;
	v->down_cause = c->net.cause;
	v->down_for_s = now - c->net.state_since_s;
	v->retry_in_s = c->net.state == CON_NET_DOWN ? fmax(0, c->net.retry_at_s - now) : 0;
	v->data_time = c->data_time;
	v->stills = c->stills;
	v->n_stills = c->n_stills;
	v->sel = c->sel;
	v->top = c->top;
	v->alarms = c->alarms;
	v->n_alarms = c->n_alarms;
	v->alarm_sel = c->alarm_sel;
	v->recent = c->recent;
	v->n_recent = c->n_recent;
	v->trend = c->sel >= 0 && c->sel < c->n_stills ? &c->trends[c->sel] : NULL;
	v->now_s = now - c->t0_s;
	v->window_s = con_windows_s[c->window];
	v->trend_pick = c->trend_pick;
	if (con_sel_still(c) && strcmp(con_sel_still(c)->recipe, c->steps_recipe) == 0) {
		v->steps = c->steps;
		v->n_steps = c->n_steps;
	}
	con_page_view(&c->page, v);
	v->keys = c->keys;
	v->n_keys = N_BINDINGS;
	v->help = c->help;
	v->dialog = c->dlg_kind != D_NONE ? &c->dlg : NULL;
	v->message = c->message;
	v->message_err = c->message_err;
}

/* Draws a frame and sends what changed to the terminal. */
static void con_render(struct con *c, double now)
{
	struct con_view v;
	int fit = con_fit(c);

	if (fit < 0)
		return;
	con_view_fill(c, &v, now);
	con_draw_screen(&c->grid, &v);
	if (fit)
		clear();
	con_blit(&c->grid, &c->shown, fit);
	curs_set(0);
	refresh();
	c->dirty = 0;
}

/* Starts curses; returns 0 or -1. */
static int con_term_start(void)
{
	if (initscr() == NULL)
		return -1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	con_colours();
	return 0;
}

/* ---- the loop --------------------------------------------------------- */

/* Milliseconds poll may sleep: until the next poll, retry or second. */
static int con_wait_ms(const struct con *c, double now)
{
	double due = now + 1.0 - fmod(now, 1.0);
	int net = con_net_wait_ms(&c->net, now), ms;

	if (c->net.state == CON_NET_UP) {
		due = fmin(due, c->next_status_s);
		due = fmin(due, c->next_alarms_s);
	}
	ms = (int)((due - now) * 1000) + 1;
	if (net >= 0 && net < ms)
		ms = net;
	return ms < 0 ? 0 : ms;
}

/* Keyboard, socket and redraw, until quit. */
static void con_loop(struct con *c)
{
	struct con_net_reply r;
	char clock[16];

	while (!c->quit) {
		double now = con_now();
		struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN } };
		int nfds = 1, was_up = c->net.state;

		con_poll(c, now);
		con_wall(clock, sizeof clock);
		if (strcmp(clock, c->clock) != 0) {
			snprintf(c->clock, sizeof c->clock, "%s", clock);
			c->dirty = 1;
		}
		if (c->dirty)
			con_render(c, now);
		fds[1].fd = con_net_fd(&c->net, &fds[1].events);
		if (fds[1].fd >= 0)
			nfds = 2;
		if (poll(fds, (nfds_t)nfds, con_wait_ms(c, now)) < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			con_read_keys(c);
		now = con_now();
		if (con_net_work(&c->net, nfds == 2 ? fds[1].revents : 0, now))
			c->dirty = 1;
		if ((int)c->net.state != was_up)
			c->dirty = 1;
		while (con_net_next(&c->net, &r) == 0) {
			con_on_reply(c, &r);
			con_net_reply_free(&r);
		}
	}
}

/* The login name. */
static const char *con_login(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u != NULL && *u != '\0')
		return u;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "operator";
}

/* Sets c up before the terminal starts. */
static int con_init(struct con *c, const struct con_opts *o)
{
	memset(c, 0, sizeof *c);
	c->o = o;
	c->t0_s = con_now();
	con_net_init(&c->net, o->socket_path ? o->socket_path : "");
	for (int i = 0; i < N_BINDINGS; i++)
		c->keys[i] = con_bindings[i].show;
	c->sel = 0;
	c->window = 0;
	c->dirty = 1;
	snprintf(c->lang, sizeof c->lang, "%s", i18n_lang());
	con_page_init(&c->page, c, o->db_path, o->plant);
	con_dlg_open(c, D_OPERATOR, CON_ST_NORMAL, _("Who is operating?"));
	con_dlg_line(c, "%s", _("Every action you take is recorded with this name."));
	con_dlg_input(c, IN_ANSWER, _("Operator:"),
	              o->operator_name && *o->operator_name ? o->operator_name : con_login());
	c->dlg_kind = D_OPERATOR;
	return 0;
}

/* Frees what con_init and the loop allocated. */
static void con_fini(struct con *c)
{
	con_page_free(&c->page);
	con_net_free(&c->net);
	con_grid_free(&c->grid);
	con_grid_free(&c->shown);
	free(c->stills);
	free(c->trends);
}

int con_main(const struct con_opts *o)
{
	static struct con c;

	if (!i18n_init(o->lang))
		fprintf(stderr, "%s\n", _("stillroom: warning: no UTF-8 locale; "
		                          "Vietnamese text may not show correctly"));
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s\n", _("stillroom: the console needs a terminal; "
		                          "use a subcommand for scripts (see --help)"));
		return 1;
	}
	con_init(&c, o);
	if (con_term_start() < 0) {
		fprintf(stderr, "%s\n", _("stillroom: cannot start the terminal (is TERM set?)"));
		con_fini(&c);
		return 1;
	}
	con_loop(&c);
	endwin();
	con_fini(&c);
	return 0;
}

/* ---- bench ------------------------------------------------------------ */

/* Fills n made-up stills whose values change with frame k. */
static void con_bench_stills(struct con_still *s, int n, int k)
{
	for (int i = 0; i < n; i++) {
		memset(&s[i], 0, sizeof s[i]);
		snprintf(s[i].name, sizeof s[i].name, "still%d", i + 1);
		snprintf(s[i].state, sizeof s[i].state, "%s", i % 7 == 3 ? "held" : "running");
		s[i].batch_id = 100 + i;
		snprintf(s[i].recipe, sizeof s[i].recipe, "cassia-leaf");
		snprintf(s[i].step, sizeof s[i].step, "distil");
		s[i].step_index = 3;
		s[i].step_count = 5;
		s[i].step_progress_pct = fmod(k * 0.7 + i, 100);
		s[i].pressure_kpa = 8 + sin(k * 0.1 + i) * 2;
		s[i].still_temp_c = 99.5 + 0.1 * (k % 5);
		s[i].vapour_temp_c = 99.8 + 0.1 * ((k + i) % 3);
		s[i].distillate_temp_c = 32 + (k + i) % 7;
		s[i].steam_valve_pct = 40 + (k + i) % 20;
		s[i].steam_flow_kg_h = 250 + (k + i) % 30;
		s[i].cooling_flow_l_min = 180;
		s[i].oil_kg = 0.01 * k + i;
		s[i].yield_pct = 0.5;
		s[i].time_left_min = 90 - k % 90;
		s[i].alarms = i % 11 == 5;
		s[i].comm_ok = 1;
	}
}

int con_bench_redraw(FILE *out, int n_stills, int rows, int cols, int reps)
{
	struct con_still *s = calloc((size_t)n_stills, sizeof *s);
	struct con_grid g = { 0 }, shown = { 0 };
	struct con_view v = { 0 };
	FILE *devnull = fopen("/dev/null", "w");
	SCREEN *scr = NULL;
	double t0, t_draw = 0, t_term = 0;
	long cells = 0;
	int rc = -1;

	i18n_init(NULL);
	if (s == NULL || devnull == NULL || con_grid_init(&g, rows, cols) < 0 ||
	    con_grid_init(&shown, rows, cols) < 0)
		goto out_free;
	scr = newterm(getenv("TERM") ? getenv("TERM") : "xterm-256color", devnull, stdin);
	if (scr == NULL)
		scr = newterm("vt100", devnull, stdin);
	if (scr == NULL)
		goto out_free;
	resizeterm(rows, cols);
	con_colours();
	v.site = "bench";
	v.operator_name = "bench";
	v.clock = "12:00:00";
	v.up = 1;
	v.stills = s;
	v.n_stills = n_stills;
	for (int k = 0; k < reps; k++) {
		con_bench_stills(s, n_stills, k);
		t0 = con_now();
		con_draw_screen(&g, &v);
		t_draw += con_now() - t0;
		t0 = con_now();
		cells += con_blit(&g, &shown, k == 0);
		refresh();
		t_term += con_now() - t0;
	}
	fprintf(out, "console overview redraw, %d stills, %dx%d: %.1f us per frame "
	        "(draw %.1f us, terminal %.1f us, %ld cells changed per frame)\n",
	        n_stills, cols, rows, (t_draw + t_term) / reps * 1e6, t_draw / reps * 1e6,
	        t_term / reps * 1e6, cells / (reps > 0 ? reps : 1));
	rc = 0;
	endwin();
out_free:
	if (scr != NULL)
		delscreen(scr);
	if (devnull != NULL)
		fclose(devnull);
	con_grid_free(&g);
	con_grid_free(&shown);
	free(s);
	return rc;
}

double con_bench_history(const char *db_path, int *rows)
{
	struct con *c = calloc(1, sizeof *c);
	double t0, ms;

	if (c == NULL)
		return -1;
	con_page_init(&c->page, c, db_path, NULL);
	t0 = con_now();
	con_page_enter(&c->page, CON_SCR_HISTORY, NULL);
	ms = (con_now() - t0) * 1e3;
	*rows = c->page.n_rows;
	if (c->page.n_rows == 0 && c->page.db_cause[0] != '\0')
		ms = -1;
	con_page_free(&c->page);
	free(c);
	return ms;
}
