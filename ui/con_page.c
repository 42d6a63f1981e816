/* con_page: start batch, batch history and lots pages. See con_page.h. */
#define NCURSES_WIDECHAR 1
#include "con_page.h"

#include <curses.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "con_doc.h"
#include "i18n.h"
#include "num.h"
#include "proto.h"
#include "rpt.h"
#include "store.h"
#include "store_hist.h"

enum { F_STILL, F_LOT, F_RECIPE, F_MASS, F_START_COUNT };
enum { L_ID, L_FEED, L_MASS, L_GROWER, L_ORIGIN, L_HARVESTED, L_MOISTURE,
       L_COUNT };

static const char *const con_feedstocks[] = { "cassia-leaf", "cassia-bark",
                                              "star-anise" };
#define N_FEEDSTOCKS ((int)(sizeof con_feedstocks / sizeof con_feedstocks[0]))

/* ---- small helpers ---------------------------------------------------- */

int con_page_edit(char *buf, size_t len, wint_t ch, int is_key)
{
	size_t n = strlen(buf), k;
	char mb[8];
	mbstate_t st;

	if (is_key && ch != KEY_BACKSPACE)
		return 0;
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		while (n > 0 && (buf[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
		buf[n] = '\0';
		return 1;
	}
	if (ch < 0x20 || ch == 0x7f)
		return 0;
	memset(&st, 0, sizeof st);
	k = wcrtomb(mb, (wchar_t)ch, &st);
	if (k == (size_t)-1 || n + k + 1 > len)
		return 1;
	memcpy(buf + n, mb, k);
	buf[n + k] = '\0';
	return 1;
}

/* 1 when needle (may be "") occurs in hay, ignoring case. */
static int con_page_has(const char *hay, const char *needle)
{
	return *needle == '\0' || strcasestr(hay, needle) != NULL;
}

/* Sets a field's note. */
static void con_page_note(struct con_field *f, int bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void con_page_note(struct con_field *f, int bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->note, sizeof f->note, fmt, ap);
	va_end(ap);
	f->bad = bad;
}

/* Opens a dialog through the console. */
static void con_page_ask(struct con_page *p, enum con_page_ask ask,
                         const char *title, const char *line,
                         const char *label, const char *value)
{
	struct con_dialog d;

	memset(&d, 0, sizeof d);
	snprintf(d.title, sizeof d.title, "%.95s", title);
	if (line != NULL && *line)
		snprintf(d.line[d.n_lines++], sizeof d.line[0], "%s", line);
	d.has_input = 1;
	snprintf(d.input_label, sizeof d.input_label, "%s", label);
	snprintf(d.input, sizeof d.input, "%s", value ? value : "");
	p->ask = ask;
	con_page_dialog(p, CON_PAGE_INPUT, &d, NULL);
}

/* ---- the database (read only) ----------------------------------------- */

/* The text of column name in a store row, or "". */
static const char *con_page_cell(const struct store_cell *c, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].text ? c[i].text : "";
	return "";
}

/* Takes one lot row. */
static int con_page_lot_row(void *ctx, const struct store_cell *c, int n)
{
	struct con_page *p = ctx;
	struct con_lot *l;

	if (p->n_lots >= CON_PAGE_LOTS_MAX)
		return 1;
	l = &p->lots[p->n_lots++];
	snprintf(l->lot_id, sizeof l->lot_id, "%s", con_page_cell(c, n, "lot_id"));
	snprintf(l->feedstock, sizeof l->feedstock, "%s", con_page_cell(c, n, "feedstock"));
	snprintf(l->grower, sizeof l->grower, "%s", con_page_cell(c, n, "grower"));
	snprintf(l->origin, sizeof l->origin, "%s", con_page_cell(c, n, "origin"));
	snprintf(l->harvested, sizeof l->harvested, "%s", con_page_cell(c, n, "harvested"));
	l->received_kg = num_or_nan(con_page_cell(c, n, "mass_received_kg"));
	l->remaining_kg = num_or_nan(con_page_cell(c, n, "mass_remaining_kg"));
	return 0;
}

/* Runs query q (filter f) on the database with fn per row. Returns the
 * number of rows or -1 with p->db_cause set. */
static int con_page_query(struct con_page *p, enum store_query q,
                          const struct store_filter *f, store_row_fn fn)
{
	struct store *s;
	int rc;

	if (p->db_path == NULL || *p->db_path == '\0') {
		snprintf(p->db_cause, sizeof p->db_cause, "%s", _("no database configured"));
		return -1;
	}
	s = store_open(p->db_path, STORE_RO, p->db_cause, sizeof p->db_cause);
	if (s == NULL)
		return -1;
	rc = store_query_rows(s, q, f, fn, p, p->db_cause, sizeof p->db_cause);
	store_close(s);
	return rc;
}

/* (Re)reads the lots: those in stock first, newest first, and with text
 * only those whose id, grower, feedstock or origin has it (the store's
 * search, so a decade's lots are all found, not only the loaded ones). */
static void con_page_load_lots(struct con_page *p, const char *text)
{
	struct store_filter f;

	memset(&f, 0, sizeof f);
	f.newest = CON_PAGE_LOTS_MAX;
	f.text = text;
	p->n_lots = 0;
	p->db_cause[0] = '\0';
	p->lots_loaded = con_page_query(p, STORE_Q_LOTS_NEWEST, &f,
	                                con_page_lot_row) >= 0;
}

/* The lot with id, or NULL. */
static const struct con_lot *con_page_lot(const struct con_page *p, const char *id)
{
	for (int i = 0; i < p->n_lots; i++)
		if (strcmp(p->lots[i].lot_id, id) == 0)
			return &p->lots[i];
	return NULL;
}

/* ---- the start form --------------------------------------------------- */

/* 1 when recipe i can be offered for the lot in the form (or the
 * charge's first lot). */
static int con_page_recipe_ok(const struct con_page *p, int i)
{
	const char *id = p->form.field[F_LOT].value;
	const struct con_lot *l = con_page_lot(p, *id || p->charge.n == 0 ? id
	                                                       : p->charge.line[0].lot_id);

	return p->recipes[i].valid && *p->recipes[i].name &&
	       (l == NULL || *l->feedstock == '\0' ||
	        strcmp(l->feedstock, p->recipes[i].feedstock) == 0);
}

/* Moves the recipe choice dir steps among the offered ones (dir 0: keep it
 * if still offered, else the first offered). */
static void con_page_recipe_cycle(struct con_page *p, int dir)
{
	int n = p->n_recipes, i = p->start_recipe;

	if (dir == 0 && i >= 0 && i < n && con_page_recipe_ok(p, i))
		goto out_show;
	if (dir == 0)
		dir = 1, i = -1;
	for (int k = 0; k < n; k++) {
		i = ((i + dir) % n + n) % n;
		if (con_page_recipe_ok(p, i)) {
			p->start_recipe = i;
			goto out_show;
		}
	}
	p->start_recipe = -1;
out_show:
	snprintf(p->form.field[F_RECIPE].value, sizeof p->form.field[0].value, "%s",
	         p->start_recipe >= 0 ? p->recipes[p->start_recipe].name : "");
}

/* Moves the still choice by dir. */
static void con_page_still_cycle(struct con_page *p, int dir)
{
	int n;
	const struct con_still *s = con_page_stills(p, &n);

	if (n == 0) {
		p->form.field[F_STILL].value[0] = '\0';
		return;
	}
	p->start_still = ((p->start_still + dir) % n + n) % n;
	snprintf(p->form.field[F_STILL].value, sizeof p->form.field[0].value, "%s",
	         s[p->start_still].name);
}

/* Refreshes the lot pick list from the lot field. */
static void con_page_match_lots(struct con_page *p, const char *text, int in_stock)
{
	p->n_match = 0;
	for (int i = 0; i < p->n_lots; i++) {
		const struct con_lot *l = &p->lots[i];

		if (in_stock && !(l->remaining_kg > 0))
			continue;
		if (con_page_has(l->lot_id, text) || con_page_has(l->grower, text) ||
		    con_page_has(l->feedstock, text) || con_page_has(l->origin, text))
			p->match[p->n_match++] = i;
	}
	if (p->lot_sel >= p->n_match)
		p->lot_sel = p->n_match - 1;
	if (p->lot_sel < 0 && p->n_match > 0)
		p->lot_sel = 0;
}

/* Fills the start form's pick list lines. */
static void con_page_start_list(struct con_page *p)
{
	struct con_form *f = &p->form;

	f->n_list = 0;
	f->list_sel = -1;
	if (f->focus != F_LOT) {
		con_lots_list(&p->charge, f);
		return;
	}
	if (!p->lots_loaded) {
		snprintf(f->list_title, sizeof f->list_title,
		         _("Lots cannot be listed: %s"), p->db_cause);
		return;
	}
	snprintf(f->list_title, sizeof f->list_title,
	         _("Lots in stock matching \"%s\" (↑↓ choose, Enter take)"),
	         f->field[F_LOT].value);
	for (int k = 0; k < p->n_match && f->n_list < 64; k++) {
		const struct con_lot *l = &p->lots[p->match[k]];

		snprintf(f->list[f->n_list++], sizeof f->list[0],
		         _("%-16s %-12s %8.1f kg left   %s, %s"), l->lot_id, l->feedstock,
		         l->remaining_kg, l->grower, l->origin);
	}
	f->list_sel = p->lot_sel;
}

/* A charge of several lots (con_lots): the lot and mass fields, when
 * filled, are the next line; the mass field's note is the total. */
static void con_page_check_charge(struct con_page *p, const struct con_recipe *rc)
{
	struct con_field *fs = p->form.field;
	char note[sizeof fs[0].note];
	int bad = con_lots_check(&p->charge, p->lots, p->n_lots, rc, note, sizeof note);

	con_page_note(&fs[F_LOT], 0, "%s", _("the next lot, or empty (Ins adds it)"));
	con_page_note(&fs[F_MASS], bad, "%s", note);
}

int con_page_check_start(struct con_page *p, const struct con_still *stills,
                         int n_stills)
{
	struct con_field *fs = p->form.field;
	const struct con_lot *lot = con_page_lot(p, fs[F_LOT].value);
	const struct con_recipe *rc = p->start_recipe >= 0 ? &p->recipes[p->start_recipe] : NULL;
	double mass = num_or_nan(fs[F_MASS].value);
	int bad = 0;

	for (int i = 0; i < F_START_COUNT; i++)
		con_page_note(&fs[i], 0, "%s", "");
	if (n_stills == 0 || p->start_still < 0 || p->start_still >= n_stills)
		con_page_note(&fs[F_STILL], 1, "%s", _("no still known yet"));
	else if (strcmp(stills[p->start_still].state, "idle") != 0)
		con_page_note(&fs[F_STILL], 1, _("is %s; it must be idle (reset it first)"),
		              stills[p->start_still].state);
	else
		con_page_note(&fs[F_STILL], 0, "%s", _("idle, ready"));
	if (p->charge.n > 0)
		con_page_check_charge(p, rc);
	else if (*fs[F_LOT].value == '\0')
		con_page_note(&fs[F_LOT], 1, "%s", _("type to search, Enter takes the highlighted lot"));
	else if (lot != NULL)
		con_page_note(&fs[F_LOT], 0, _("%s, %.1f kg in stock, %s"), lot->feedstock,
		              lot->remaining_kg, lot->grower);
	else if (p->lots_loaded)
		con_page_note(&fs[F_LOT], 1, _("no lot %s in the records"), fs[F_LOT].value);
	else
		con_page_note(&fs[F_LOT], 0, _("not checked here (%s); the controller checks it"),
		              p->db_cause);
	if (rc == NULL)
		con_page_note(&fs[F_RECIPE], 1, _("no valid recipe for %s"),
		              lot ? lot->feedstock : _("this lot"));
	else
		con_page_note(&fs[F_RECIPE], 0, _("v%d %s, %.0f-%.0f kg, %d steps"), rc->version,
		              rc->feedstock, rc->charge_min_kg, rc->charge_max_kg, rc->steps);
	if (p->charge.n > 0)
		;  /* con_page_check_charge noted it */
	else if (isnan(mass) || mass <= 0)
		con_page_note(&fs[F_MASS], 1, "%s", _("the charge mass in kg"));
	else if (rc != NULL && (mass < rc->charge_min_kg || mass > rc->charge_max_kg))
		con_page_note(&fs[F_MASS], 1, _("outside the recipe's %.0f-%.0f kg"),
		              rc->charge_min_kg, rc->charge_max_kg);
	else if (lot != NULL && !isnan(lot->remaining_kg) && mass > lot->remaining_kg)
		con_page_note(&fs[F_MASS], 1, _("more than the %.1f kg left in %s"),
		              lot->remaining_kg, lot->lot_id);
	else
		con_page_note(&fs[F_MASS], 0, "%s", _("within limits"));
	for (int i = 0; i < F_START_COUNT; i++)
		bad += fs[i].bad;
	return bad;
}

/* Re-checks the start form and its list after any change. */
static void con_page_start_refresh(struct con_page *p)
{
	int n;
	const struct con_still *s = con_page_stills(p, &n);

	con_page_match_lots(p, p->form.field[F_LOT].value, 1);
	con_page_recipe_cycle(p, 0);
	con_page_check_start(p, s, n);
	con_page_start_list(p);
}

/* Ins (or '+' in the mass field): the lot and mass fields become a line
 * of the charge and are cleared for the next lot. 0, or -1 (said). */
static int con_page_charge_add(struct con_page *p)
{
	struct con_field *fs = p->form.field;
	char cause[200];

	if (con_lots_add(&p->charge, con_page_lot(p, fs[F_LOT].value), p->lots_loaded,
	                 fs[F_LOT].value, fs[F_MASS].value, cause, sizeof cause) < 0) {
		con_page_say(p, 1, cause);
		return -1;
	}
	fs[F_LOT].value[0] = fs[F_MASS].value[0] = '\0';
	p->form.focus = F_LOT;
	return 0;
}

/* The charge's keys on the start form: Ins (or '+' typed in the mass
 * field) adds a line, Del removes the last one; 1 when taken. */
static int con_page_charge_key(struct con_page *p, wint_t ch, int is_key)
{
	if ((is_key && ch == KEY_IC) || (!is_key && ch == '+' && p->form.focus == F_MASS)) {
		con_page_charge_add(p);
		return 1;
	}
	if (is_key && ch == KEY_DC) {
		if (con_lots_remove(&p->charge, -1) < 0)
			con_page_say(p, 1, _("The charge has no lot to remove."));
		return 1;
	}
	return 0;
}

/* Enter on the last field or F9: checks, then asks the daemon for the
 * recipe's steps; the confirmation opens when they come. */
static void con_page_start_review(struct con_page *p)
{
	char line[256] = "";

	if (p->charge.n > 0 && *p->form.field[F_LOT].value && *p->form.field[F_MASS].value &&
	    con_page_charge_add(p) < 0)
		return;
	con_page_start_refresh(p);
	for (int i = 0; i < F_START_COUNT; i++)
		if (p->form.field[i].bad) {
			p->form.focus = i;
			con_page_start_list(p);
			con_page_say(p, 1, _("Fix the field marked in colour first; nothing was sent."));
			return;
		}
	proto_append(line, sizeof line, NULL, "steps");
	proto_append(line, sizeof line, NULL, p->form.field[F_RECIPE].value);
	if (con_page_send(p, CON_PAGE_SEND_STEPS, line) == 0)
		con_page_say(p, 0, _("Reading the recipe's steps..."));
}

/* Opens the start confirmation with the recipe's steps. */
static void con_page_start_confirm(struct con_page *p, const struct con_net_reply *r)
{
	struct con_field *fs = p->form.field;
	const struct con_recipe *rc = &p->recipes[p->start_recipe];
	struct con_dialog d;
	struct con_step st;
	char line[PROTO_LINE_MAX], mx[24], lots[PROTO_LINE_MAX / 2];

	memset(&d, 0, sizeof d);
	snprintf(d.title, sizeof d.title, _("Start a batch on %s?"), fs[F_STILL].value);
	if (p->charge.n > 0)
		snprintf(d.line[d.n_lines++], sizeof d.line[0],
		         _("Recipe %s v%d, %d lots, charge %.1f kg. Steps:"), rc->name,
		         rc->version, p->charge.n, con_lots_total_kg(&p->charge));
	else
		snprintf(d.line[d.n_lines++], sizeof d.line[0],
		         _("Recipe %s v%d, lot %s, charge %s kg. Steps:"), rc->name, rc->version,
		         fs[F_LOT].value, fs[F_MASS].value);
	for (int i = 0; i < r->n_lines && d.n_lines < 17; i++) {
		if (con_step_parse(&st, r->lines[i]) < 0)
			continue;
		snprintf(d.line[d.n_lines++], sizeof d.line[0], _("%2d. %-12s %s (at most %s min)"),
		         st.index > 0 ? st.index : i + 1, st.name,
		         *st.end ? st.end : *st.prompt ? st.prompt : st.kind,
		         con_fmt_num(mx, sizeof mx, st.max_min, 0));
	}
	snprintf(d.line[d.n_lines++], sizeof d.line[0], "%s",
	         _("The steam valve opens when the first step begins."));
	snprintf(line, sizeof line, "start");
	proto_append(line, sizeof line, NULL, fs[F_STILL].value);
	proto_append(line, sizeof line, "recipe", fs[F_RECIPE].value);
	if (p->charge.n > 0) {
		con_lots_request(&p->charge, lots, sizeof lots);
		proto_append(line, sizeof line, "lots", lots);
	} else {
		proto_append(line, sizeof line, "lot", fs[F_LOT].value);
		proto_append(line, sizeof line, "mass", fs[F_MASS].value);
	}
	proto_append(line, sizeof line, "operator", con_page_operator(p));
	p->confirm_tag = CON_PAGE_SEND_START;
	con_page_dialog(p, CON_PAGE_CONFIRM, &d, line);
}

/* ---- the new lot form ------------------------------------------------- */

/* Cycles the feedstock choice of the lot form. */
static void con_page_feed_cycle(struct con_page *p, int dir)
{
	char *v = p->lot_form.field[L_FEED].value;
	int i = 0;

	for (int k = 0; k < N_FEEDSTOCKS; k++)
		if (strcmp(v, con_feedstocks[k]) == 0)
			i = k;
	i = ((i + dir) % N_FEEDSTOCKS + N_FEEDSTOCKS) % N_FEEDSTOCKS;
	snprintf(v, sizeof p->lot_form.field[0].value, "%s", con_feedstocks[i]);
}

/* Checks the lot form; returns the number of problems. */
static int con_page_check_lot(struct con_page *p)
{
	struct con_field *fs = p->lot_form.field;
	double mass = num_or_nan(fs[L_MASS].value);
	double moist = num_or_nan(fs[L_MOISTURE].value);
	int bad = 0;

	for (int i = 0; i < L_COUNT; i++)
		con_page_note(&fs[i], 0, "%s", "");
	if (*fs[L_ID].value == '\0')
		con_page_note(&fs[L_ID], 1, "%s", _("the lot number on the delivery"));
	else if (con_page_lot(p, fs[L_ID].value) != NULL)
		con_page_note(&fs[L_ID], 1, "%s", _("this lot is already recorded"));
	if (isnan(mass) || mass <= 0)
		con_page_note(&fs[L_MASS], 1, "%s", _("the mass received, kg"));
	if (*fs[L_GROWER].value == '\0')
		con_page_note(&fs[L_GROWER], 1, "%s", _("required"));
	if (*fs[L_ORIGIN].value == '\0')
		con_page_note(&fs[L_ORIGIN], 1, "%s", _("required: commune, district"));
	if (*fs[L_HARVESTED].value && strlen(fs[L_HARVESTED].value) != 10)
		con_page_note(&fs[L_HARVESTED], 1, "%s", _("as YYYY-MM-DD, or empty"));
	if (*fs[L_MOISTURE].value && (isnan(moist) || moist < 0 || moist > 100))
		con_page_note(&fs[L_MOISTURE], 1, "%s", _("a percentage, or empty"));
	for (int i = 0; i < L_COUNT; i++)
		bad += fs[i].bad;
	return bad;
}

/* Checks the lot form and opens its confirmation. */
static void con_page_lot_review(struct con_page *p)
{
	static const char *const keys[L_COUNT] = {
		NULL, "feedstock", "mass", "grower", "origin", "harvested", "moisture"
	};
	struct con_field *fs = p->lot_form.field;
	struct con_dialog d;
	char line[PROTO_LINE_MAX] = "lot-add";

	if (con_page_check_lot(p) > 0) {
		con_page_say(p, 1, _("Fix the field marked in colour first; nothing was sent."));
		return;
	}
	memset(&d, 0, sizeof d);
	snprintf(d.title, sizeof d.title, _("Record lot %s?"), fs[L_ID].value);
	snprintf(d.line[d.n_lines++], sizeof d.line[0], _("%s kg of %s from %s, %s."),
	         fs[L_MASS].value, fs[L_FEED].value, fs[L_GROWER].value, fs[L_ORIGIN].value);
	snprintf(d.line[d.n_lines++], sizeof d.line[0], "%s",
	         _("The lot becomes available for new batches."));
	proto_append(line, sizeof line, NULL, fs[L_ID].value);
	for (int i = 1; i < L_COUNT; i++)
		if (*fs[i].value)
			proto_append(line, sizeof line, keys[i], fs[i].value);
	proto_append(line, sizeof line, "operator", con_page_operator(p));
	p->confirm_tag = CON_PAGE_SEND_LOT;
	con_page_dialog(p, CON_PAGE_CONFIRM, &d, line);
}

/* ---- generic form keys ------------------------------------------------ */

/* The open form, or NULL. */
static struct con_form *con_page_form(struct con_page *p)
{
	if (p->screen == CON_SCR_START)
		return &p->form;
	if (p->screen == CON_SCR_LOTS && p->lot_form_open)
		return &p->lot_form;
	return NULL;
}

/* Left/right on a choice field. */
static void con_page_choice(struct con_page *p, struct con_form *f, int dir)
{
	if (f == &p->form && f->focus == F_STILL)
		con_page_still_cycle(p, dir);
	else if (f == &p->form && f->focus == F_RECIPE)
		con_page_recipe_cycle(p, dir);
	else if (f == &p->lot_form && f->focus == L_FEED)
		con_page_feed_cycle(p, dir);
}

/* Enter on the start form's lot field: takes the highlighted lot. */
static int con_page_take_lot(struct con_page *p)
{
	if (p->lot_sel < 0 || p->lot_sel >= p->n_match)
		return 0;
	snprintf(p->form.field[F_LOT].value, sizeof p->form.field[0].value, "%s",
	         p->lots[p->match[p->lot_sel]].lot_id);
	return 1;
}

/* Field moves, choices, Enter and F9 of a form; 1 when taken. */
static int con_page_form_nav(struct con_page *p, struct con_form *f, wint_t ch,
                             int is_key)
{
	int lot_list = f == &p->form && f->focus == F_LOT && p->n_match > 0;

	if ((!is_key && ch == '\t') || (is_key && ch == KEY_DOWN && !lot_list))
		f->focus = (f->focus + 1) % f->n_fields;
	else if (is_key && (ch == KEY_BTAB || (ch == KEY_UP && !lot_list)))
		f->focus = (f->focus + f->n_fields - 1) % f->n_fields;
	else if (is_key && (ch == KEY_UP || ch == KEY_DOWN))
		p->lot_sel = (p->lot_sel + (ch == KEY_UP ? -1 : 1) + p->n_match) % p->n_match;
	else if (is_key && (ch == KEY_LEFT || ch == KEY_RIGHT))
		con_page_choice(p, f, ch == KEY_LEFT ? -1 : 1);
	else if ((is_key && (ch == KEY_F(9) || ch == KEY_ENTER)) || (!is_key && ch == '\n')) {
		if (f == &p->form && f->focus == F_LOT && !is_key)
			con_page_take_lot(p);
		if ((is_key && ch == KEY_F(9)) || f->focus == f->n_fields - 1) {
			if (f == &p->form)
				con_page_start_review(p);
			else
				con_page_lot_review(p);
			return 1;
		}
		f->focus = (f->focus + 1) % f->n_fields;
	} else {
		return 0;
	}
	return 1;
}

int con_page_typing(struct con_page *p, wint_t ch, int is_key)
{
	struct con_form *f = con_page_form(p);
	int taken;

	if (f == NULL)
		return 0;
	taken = f == &p->form && con_page_charge_key(p, ch, is_key);
	if (!taken)
		taken = con_page_form_nav(p, f, ch, is_key);
	if (!taken && f->field[f->focus].kind != CON_F_CHOICE)
		taken = con_page_edit(f->field[f->focus].value, sizeof f->field[0].value,
		                      ch, is_key);
	if (!taken)
		return 0;
	if (f == &p->form)
		con_page_start_refresh(p);
	else if (f == &p->lot_form)
		con_page_check_lot(p);
	return 1;
}

/* ---- history ---------------------------------------------------------- */

/* Frees the list cells and the pane. */
static void con_page_clear_list(struct con_page *p)
{
	for (int i = 0; i < p->n_rows * p->n_cols; i++) {
		free(p->cell[i]);
		p->cell[i] = NULL;
	}
	p->n_rows = 0;
	for (int i = 0; i < p->n_pane; i++)
		free(p->pane[i]);
	p->n_pane = 0;
	p->n_curve = 0;
}

/* Sets up the list's columns from a table of (column name, title, width,
 * grow, prio, align). */
struct con_page_colspec {
	const char *name;
	const char *title;
	int width, grow, prio;
	enum con_align align;
};

static const struct con_page_colspec con_batch_cols[] = {
	{ "id", N_("Batch"), 6, 0, 0, CON_RIGHT },
	{ "started_at", N_("Started"), 16, 0, 1, CON_LEFT },
	{ "still", N_("Still"), 7, 0, 0, CON_LEFT },
	{ "recipe", N_("Recipe"), 11, 1, 0, CON_LEFT },
	{ "state", N_("State"), 9, 0, 0, CON_LEFT },
	{ "charge_kg", N_("Charge kg"), 9, 0, 2, CON_RIGHT },
	{ "oil_kg", N_("Oil kg"), 7, 0, 0, CON_RIGHT },
	{ "yield_pct", N_("Yield %"), 7, 0, 0, CON_RIGHT },
	{ "decision", N_("QA"), 10, 0, 0, CON_LEFT },
	{ "operator", N_("Operator"), 10, 1, 3, CON_LEFT },
};

static const struct con_page_colspec con_lot_cols[] = {
	{ "lot_id", N_("Lot"), 14, 0, 0, CON_LEFT },
	{ "feedstock", N_("Feedstock"), 11, 0, 0, CON_LEFT },
	{ "grower", N_("Grower"), 16, 1, 0, CON_LEFT },
	{ "origin", N_("Origin"), 16, 1, 2, CON_LEFT },
	{ "harvested", N_("Harvested"), 10, 0, 3, CON_LEFT },
	{ "mass_received_kg", N_("Received kg"), 11, 0, 1, CON_RIGHT },
	{ "mass_remaining_kg", N_("Left kg"), 8, 0, 0, CON_RIGHT },
};

/* Sets the list columns from spec. */
static void con_page_set_cols(struct con_page *p, const struct con_page_colspec *spec,
                              int n)
{
	p->n_cols = n < CON_PAGE_COLS_MAX ? n : CON_PAGE_COLS_MAX;
	for (int i = 0; i < p->n_cols; i++) {
		snprintf(p->col_title[i], sizeof p->col_title[i], "%.31s", _(spec[i].title));
		p->cols[i] = (struct con_col){ p->col_title[i], NULL, spec[i].width,
		                               spec[i].grow, spec[i].prio, spec[i].align };
	}
}

/* Takes one batch row into the list (the store matched the filter). */
static int con_page_batch_row(void *ctx, const struct store_cell *c, int n)
{
	struct con_page *p = ctx;
	int row = p->n_rows;

	if (row >= CON_PAGE_ROWS_MAX)
		return 1;
	for (int i = 0; i < p->n_cols; i++) {
		const char *v = con_page_cell(c, n, con_batch_cols[i].name);
		double num = num_or_nan(v);
		char b[64];

		if (!isnan(num) && strchr(v, '.') != NULL)
			snprintf(b, sizeof b, "%.2f", num);
		else
			snprintf(b, sizeof b, "%.63s", v);
		p->cell[row * p->n_cols + i] = strdup(b);
	}
	p->row_batch[row] = atol(con_page_cell(c, n, "id"));
	p->n_rows++;
	return 0;
}

/* (Re)reads the batch list: the newest batches matching the filter,
 * newest first, searched by the store from the newest back (a decade
 * holds 100,000). */
static void con_page_load_batches(struct con_page *p)
{
	struct store_filter f;

	con_page_clear_list(p);
	con_page_set_cols(p, con_batch_cols,
	                  (int)(sizeof con_batch_cols / sizeof con_batch_cols[0]));
	memset(&f, 0, sizeof f);
	f.newest = CON_PAGE_ROWS_MAX;
	f.text = p->filter;
	if (con_page_query(p, STORE_Q_HISTORY, &f, con_page_batch_row) < 0)
		con_page_say(p, 1, p->db_cause);
	if (p->sel >= p->n_rows)
		p->sel = p->n_rows - 1;
	if (p->sel < 0)
		p->sel = 0;
}

/* Fills the lot list from the loaded lots and the filter. */
static void con_page_fill_lots(struct con_page *p)
{
	con_page_clear_list(p);
	con_page_set_cols(p, con_lot_cols, (int)(sizeof con_lot_cols / sizeof con_lot_cols[0]));
	con_page_load_lots(p, p->filter);
	if (!p->lots_loaded)
		con_page_say(p, 1, p->db_cause);
	con_page_match_lots(p, p->filter, 0);
	for (int k = 0; k < p->n_match && p->n_rows < CON_PAGE_ROWS_MAX; k++) {
		const struct con_lot *l = &p->lots[p->match[k]];
		const char *v[7] = { l->lot_id, l->feedstock, l->grower, l->origin,
		                     l->harvested, NULL, NULL };
		char a[32], b[32];

		v[5] = con_fmt_num(a, sizeof a, l->received_kg, 1);
		v[6] = con_fmt_num(b, sizeof b, l->remaining_kg, 1);
		for (int i = 0; i < p->n_cols; i++)
			p->cell[p->n_rows * p->n_cols + i] = strdup(v[i] ? v[i] : "");
		p->n_rows++;
	}
	if (p->sel >= p->n_rows)
		p->sel = p->n_rows - 1;
	if (p->sel < 0)
		p->sel = 0;
}

/* The selected batch id, or 0 (with a message). */
static long con_page_batch(struct con_page *p)
{
	if (p->screen != CON_SCR_HISTORY || p->sel < 0 || p->sel >= p->n_rows ||
	    p->row_batch[p->sel] <= 0) {
		con_page_say(p, 1, _("Choose a batch first."));
		return 0;
	}
	return p->row_batch[p->sel];
}

/* Opens the selected batch's report (as `stillroom report batch ID`). */
static void con_page_report(struct con_page *p)
{
	long id = con_page_batch(p);
	char idbuf[24], *text = NULL, *err = NULL;
	size_t len = 0, elen = 0;
	char *argv[] = { "report", "batch", idbuf, NULL };
	FILE *out, *ferr;

	if (id <= 0)
		return;
	snprintf(idbuf, sizeof idbuf, "%ld", id);
	out = open_memstream(&text, &len);
	ferr = open_memstream(&err, &elen);
	if (out == NULL || ferr == NULL)
		goto out_close;
	rpt_main(3, argv, p->db_path, p->plant, out, ferr);
	fflush(out);
	fflush(ferr);
	for (int i = 0; i < p->n_pane; i++)
		free(p->pane[i]);
	p->n_pane = 0;
	for (char *s = elen ? err : text, *nl; s && *s && p->n_pane < CON_PAGE_PANE_MAX; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s) - 1;
		p->pane[p->n_pane++] = strndup(s, (size_t)(nl - s + (*nl != '\n')));
	}
	p->pane_top = 0;
	p->mode = CON_PM_REPORT;
out_close:
	if (out)
		fclose(out);
	if (ferr)
		fclose(ferr);
	free(text);
	free(err);
}

/* Writes the selected batch's HTML record to a file (con_doc) and says
 * where, or why not. */
static void con_page_doc(struct con_page *p)
{
	long id = con_page_batch(p);
	char path[PATH_MAX + 64], line[PATH_MAX + 128];

	if (id <= 0)
		return;
	if (con_doc_write(p->db_path, p->plant, id, path, sizeof path) < 0) {
		con_page_say(p, 1, path);
		return;
	}
	snprintf(line, sizeof line, _("Record written: %s"), path);
	con_page_say(p, 0, line);
}

/* Takes one historian row of a batch curve. */
/* Reading a batch's oil curve: every stride-th sample, from the first. */
struct con_page_curve_ctx {
	struct con_page *p;
	long k, stride;
	double t0_s, oil0_g;
};

static int con_page_curve_row(void *ctx, const struct store_hist_row *r)
{
	struct con_page_curve_ctx *c = ctx;
	struct con_page *p = c->p;
	int cap = (int)(sizeof p->curve / sizeof p->curve[0]) / 2;

	if (c->k == 0) {
		c->t0_s = r->s.t_process_s;
		c->oil0_g = r->s.value[CFG_TAG_OIL];
	}
	if (c->k++ % c->stride != 0)
		return 0;
	if (p->n_curve >= cap)
		return 1;
	p->curve[p->n_curve] = (r->s.t_process_s - c->t0_s) / 60;
	p->curve[cap + p->n_curve] = (r->s.value[CFG_TAG_OIL] - c->oil0_g) / 1000;
	p->n_curve++;
	return 0;
}

/* Batch id's oil curve into p->curve, resampled to fit; the number of
 * samples, or -1 with p->db_cause. */
static long con_page_curve_load(struct con_page *p, long id)
{
	struct con_page_curve_ctx c = {p, 0, 1, 0, 0};
	int cap = (int)(sizeof p->curve / sizeof p->curve[0]) / 2;
	struct store *s;
	long n;

	if (p->db_path == NULL || *p->db_path == '\0') {
		snprintf(p->db_cause, sizeof p->db_cause, "%s", _("no database configured"));
		return -1;
	}
	s = store_open(p->db_path, STORE_RO, p->db_cause, sizeof p->db_cause);
	if (s == NULL)
		return -1;
	n = store_hist_count(s, id, NULL, p->db_cause, sizeof p->db_cause);
	if (n > 0) {
		c.stride = (n + cap - 1) / cap;
		n = store_hist_batch(s, id, con_page_curve_row, &c, p->db_cause,
		                     sizeof p->db_cause) < 0 ? -1 : n;
	}
	store_close(s);
	return n;
}

/* Reads and shows the selected batch's oil curve. */
static void con_page_curve(struct con_page *p)
{
	long id = con_page_batch(p), n;

	if (id <= 0)
		return;
	p->n_curve = 0;
	n = con_page_curve_load(p, id);
	if (n < 0) {
		con_page_say(p, 1, p->db_cause);
		return;
	}
	snprintf(p->curve_title, sizeof p->curve_title,
	         _("Batch %ld: oil collected, kg, over process minutes (%d samples)"), id,
	         (int)n);
	if (p->n_curve == 0)
		con_page_say(p, 1, _("This batch has no historian samples."));
	p->mode = CON_PM_CURVE;
}

/* Starts a QA entry chain for the selected batch. */
static void con_page_qa_start(struct con_page *p, enum con_page_ask ask,
                              const char *decision)
{
	char title[160];

	p->ask_batch = con_page_batch(p);
	if (p->ask_batch <= 0)
		return;
	if (ask == PA_WEIGH) {
		snprintf(title, sizeof title, _("Weighed oil of batch %ld"), p->ask_batch);
		con_page_ask(p, PA_WEIGH, title, _("The mass of oil on the scale, after separation."),
		             _("Oil, kg:"), "");
	} else if (ask == PA_DENSITY) {
		snprintf(title, sizeof title, _("Lab results of batch %ld"), p->ask_batch);
		con_page_ask(p, PA_DENSITY, title, _("Relative density at 20 °C (water = 1)."),
		             _("Density:"), "");
	} else {
		snprintf(p->decision, sizeof p->decision, "%s", decision);
		snprintf(title, sizeof title, strcmp(decision, "release") == 0
		         ? _("Release the oil of batch %ld") : _("Quarantine the oil of batch %ld"),
		         p->ask_batch);
		con_page_ask(p, PA_DECIDE_REASON, title, _("The reason is kept in the batch record."),
		             _("Reason:"), "");
	}
}

/* Sends a QA request after confirmation. */
static void con_page_qa_confirm(struct con_page *p, const char *title,
                                const char *what, const char *line)
{
	struct con_dialog d;

	memset(&d, 0, sizeof d);
	snprintf(d.title, sizeof d.title, "%.95s", title);
	snprintf(d.line[d.n_lines++], sizeof d.line[0], "%.159s", what);
	p->confirm_tag = CON_PAGE_SEND_ACTION;
	con_page_dialog(p, CON_PAGE_CONFIRM, &d, line);
}

/* The next step of a QA chain with the text just typed. */
static void con_page_qa_next(struct con_page *p, const char *text)
{
	char line[PROTO_LINE_MAX], id[24], title[160], what[320];
	static const char *const prompts[] = {
		N_("Refractive index nD20:"), N_("Marker compound, % (GC area):"),
		N_("Analyst:")
	};

	snprintf(id, sizeof id, "%ld", p->ask_batch);
	if (p->ask >= PA_DENSITY && p->ask <= PA_ANALYST) {
		snprintf(p->qa[p->ask - PA_DENSITY], sizeof p->qa[0], "%s", text);
		if (p->ask < PA_ANALYST) {
			snprintf(title, sizeof title, _("Lab results of batch %ld"), p->ask_batch);
			con_page_ask(p, (enum con_page_ask)(p->ask + 1), title, NULL,
			             _(prompts[p->ask - PA_DENSITY]), "");
			return;
		}
		snprintf(line, sizeof line, "qa");
		proto_append(line, sizeof line, NULL, id);
		proto_append(line, sizeof line, "density", p->qa[0]);
		proto_append(line, sizeof line, "refractive_index", p->qa[1]);
		proto_append(line, sizeof line, "marker_pct", p->qa[2]);
		proto_append(line, sizeof line, "analyst", p->qa[3]);
		proto_append(line, sizeof line, "operator", con_page_operator(p));
		snprintf(title, sizeof title, _("Record lab results for batch %ld?"), p->ask_batch);
		snprintf(what, sizeof what, _("Density %s, refractive index %s, marker %s %%, by %s."),
		         p->qa[0], p->qa[1], p->qa[2], p->qa[3]);
	} else if (p->ask == PA_WEIGH) {
		snprintf(line, sizeof line, "weigh");
		proto_append(line, sizeof line, NULL, id);
		proto_append(line, sizeof line, "oil_kg", text);
		proto_append(line, sizeof line, "operator", con_page_operator(p));
		snprintf(title, sizeof title, _("Record %s kg of oil for batch %ld?"), text,
		         p->ask_batch);
		snprintf(what, sizeof what, "%s", _("The weighed mass replaces the receiver "
		                                     "estimate in yields and reports."));
	} else {
		snprintf(line, sizeof line, "decide");
		proto_append(line, sizeof line, NULL, id);
		proto_append(line, sizeof line, "decision", p->decision);
		proto_append(line, sizeof line, "reason", text);
		proto_append(line, sizeof line, "operator", con_page_operator(p));
		snprintf(title, sizeof title, strcmp(p->decision, "release") == 0
		         ? _("RELEASE the oil of batch %ld?") : _("QUARANTINE the oil of batch %ld?"),
		         p->ask_batch);
		snprintf(what, sizeof what, _("Recorded with your name and the reason \"%s\"."), text);
	}
	p->ask = PA_NONE;
	con_page_qa_confirm(p, title, what, line);
}

/* ---- the page interface ----------------------------------------------- */

void con_page_relabel(struct con_page *p)
{
	static const char *const start[F_START_COUNT] = {
		N_("Still"), N_("Lot"), N_("Recipe"), N_("Charge, kg")
	};
	static const char *const lot[L_COUNT] = {
		N_("Lot number"), N_("Feedstock"), N_("Mass, kg"), N_("Grower"),
		N_("Origin"), N_("Harvested"), N_("Moisture, %")
	};
	static const enum con_field_kind start_kind[F_START_COUNT] = {
		CON_F_CHOICE, CON_F_TEXT, CON_F_CHOICE, CON_F_NUMBER
	};
	static const enum con_field_kind lot_kind[L_COUNT] = {
		CON_F_TEXT, CON_F_CHOICE, CON_F_NUMBER, CON_F_TEXT, CON_F_TEXT,
		CON_F_TEXT, CON_F_NUMBER
	};

	snprintf(p->form.title, sizeof p->form.title, "%s",
	         _(" Start a batch: choose the still, the lot, the recipe and the charge"));
	p->form.n_fields = F_START_COUNT;
	for (int i = 0; i < F_START_COUNT; i++) {
		snprintf(p->form.field[i].label, sizeof p->form.field[i].label, "%s", _(start[i]));
		p->form.field[i].kind = start_kind[i];
	}
	snprintf(p->lot_form.title, sizeof p->lot_form.title, "%s",
	         _(" Record a received lot (Esc: back to the list)"));
	p->lot_form.n_fields = L_COUNT;
	for (int i = 0; i < L_COUNT; i++) {
		snprintf(p->lot_form.field[i].label, sizeof p->lot_form.field[i].label, "%s",
		         _(lot[i]));
		p->lot_form.field[i].kind = lot_kind[i];
	}
	if (p->screen == CON_SCR_HISTORY)
		con_page_set_cols(p, con_batch_cols,
		                  (int)(sizeof con_batch_cols / sizeof con_batch_cols[0]));
	else if (p->screen == CON_SCR_LOTS)
		con_page_set_cols(p, con_lot_cols,
		                  (int)(sizeof con_lot_cols / sizeof con_lot_cols[0]));
}

void con_page_init(struct con_page *p, void *owner, const char *db_path,
                   const struct cfg_plant *plant)
{
	memset(p, 0, sizeof *p);
	p->owner = owner;
	p->db_path = db_path;
	p->plant = plant;
	p->start_recipe = -1;
	p->lot_sel = -1;
	con_page_relabel(p);
	snprintf(p->lot_form.field[L_FEED].value, sizeof p->lot_form.field[0].value, "%s",
	         con_feedstocks[0]);
}

void con_page_free(struct con_page *p)
{
	con_page_clear_list(p);
}

void con_page_enter(struct con_page *p, enum con_screen scr,
                    const struct con_still *sel)
{
	int n;
	const struct con_still *s = con_page_stills(p, &n);

	p->screen = scr;
	p->mode = scr == CON_SCR_START ? CON_PM_FORM : CON_PM_LIST;
	if (scr == CON_SCR_START) {
		con_page_load_lots(p, NULL);
		if (sel != NULL && !con_page_dirty(p))
			for (int i = 0; i < n; i++)
				if (strcmp(s[i].name, sel->name) == 0)
					p->start_still = i;
		if (!con_page_dirty(p))
			p->form.focus = F_LOT;
		con_page_still_cycle(p, 0);
		con_page_start_refresh(p);
	} else if (scr == CON_SCR_HISTORY) {
		con_page_load_batches(p);
	} else if (scr == CON_SCR_LOTS) {
		con_page_fill_lots(p);
	}
}

void con_page_view(struct con_page *p, struct con_view *v)
{
	struct con_table *t = &p->table;

	if (v->screen != p->screen)
		return;
	if (con_page_form(p) != NULL) {
		v->form = con_page_form(p);
		return;
	}
	memset(t, 0, sizeof *t);
	snprintf(t->title, sizeof t->title, "%s", p->screen == CON_SCR_HISTORY
	         ? _(" Batches (Enter report, c curve, w weigh, l lab, R release, Q quarantine)")
	         : _(" Lots received (n new lot, / search)"));
	if (*p->filter)
		snprintf(t->filter, sizeof t->filter, _("filter: %s"), p->filter);
	t->cols = p->cols;
	t->n_cols = p->n_cols;
	t->cell = (const char *const *)p->cell;
	t->n_rows = p->n_rows;
	t->sel = p->sel;
	if (p->mode == CON_PM_REPORT) {
		t->pane = (const char *const *)p->pane + p->pane_top;
		t->n_pane = p->n_pane - p->pane_top;
		t->pane_only = 1;
		snprintf(t->title, sizeof t->title, "%s",
		         _(" Batch report (↑↓ PgUp PgDn scroll, Esc back)"));
	} else if (p->mode == CON_PM_CURVE) {
		t->curve_t = p->curve;
		t->curve_y = p->curve + 1024;
		t->n_curve = p->n_curve;
		t->curve_title = p->curve_title;
	}
	v->table = t;
}

void con_page_key(struct con_page *p, int key)
{
	if (key == '/') {
		con_page_ask(p, PA_SEARCH, _("Search"), _("Text in any column; empty shows all."),
		             _("Find:"), p->filter);
	} else if (key == '\n' && p->screen == CON_SCR_HISTORY) {
		con_page_report(p);
	} else if (key == 'c') {
		con_page_curve(p);
	} else if (key == 'd' && p->screen == CON_SCR_HISTORY) {
		con_page_doc(p);
	} else if (key == 'w') {
		con_page_qa_start(p, PA_WEIGH, NULL);
	} else if (key == 'l') {
		con_page_qa_start(p, PA_DENSITY, NULL);
	} else if (key == 'R' || key == 'Q') {
		con_page_qa_start(p, PA_DECIDE_REASON, key == 'R' ? "release" : "quarantine");
	} else if (key == 'n' && p->screen == CON_SCR_LOTS) {
		p->lot_form_open = 1;
		p->lot_form.focus = 0;
		con_page_check_lot(p);
	}
}

void con_page_move(struct con_page *p, int delta)
{
	if (p->mode == CON_PM_REPORT) {
		p->pane_top += delta;
		if (p->pane_top > p->n_pane - 1)
			p->pane_top = p->n_pane - 1;
		if (p->pane_top < 0)
			p->pane_top = 0;
		return;
	}
	p->sel += delta;
	if (p->sel >= p->n_rows)
		p->sel = p->n_rows - 1;
	if (p->sel < 0)
		p->sel = 0;
	if (p->mode == CON_PM_CURVE)
		p->mode = CON_PM_LIST;
}

int con_page_back(struct con_page *p)
{
	if (p->mode == CON_PM_REPORT || p->mode == CON_PM_CURVE) {
		p->mode = CON_PM_LIST;
		return 1;
	}
	if (p->screen == CON_SCR_LOTS && p->lot_form_open) {
		p->lot_form_open = 0;
		return 1;
	}
	return 0;
}

void con_page_input(struct con_page *p, const char *text)
{
	if (p->ask == PA_SEARCH) {
		snprintf(p->filter, sizeof p->filter, "%s", text);
		p->sel = 0;
		p->ask = PA_NONE;
		if (p->screen == CON_SCR_HISTORY)
			con_page_load_batches(p);
		else
			con_page_fill_lots(p);
		return;
	}
	if (p->ask != PA_NONE && p->ask != PA_DECIDE_REASON && p->ask != PA_ANALYST &&
	    isnan(num_or_nan(text))) {
		con_page_say(p, 1, _("That is not a number; nothing was recorded."));
		p->ask = PA_NONE;
		return;
	}
	if (p->ask == PA_DECIDE_REASON && *text == '\0') {
		con_page_say(p, 1, _("A decision needs a reason; nothing was sent."));
		p->ask = PA_NONE;
		return;
	}
	if (p->ask != PA_NONE)
		con_page_qa_next(p, text);
}

void con_page_recipes(struct con_page *p, const struct con_recipe *r, int n)
{
	p->n_recipes = n < CON_PAGE_RECIPES_MAX ? n : CON_PAGE_RECIPES_MAX;
	memcpy(p->recipes, r, (size_t)p->n_recipes * sizeof *r);
	if (p->start_recipe >= p->n_recipes)
		p->start_recipe = -1;
	if (p->screen == CON_SCR_START)
		con_page_start_refresh(p);
}

/* Empties a form's values. */
static void con_page_form_clear(struct con_form *f)
{
	for (int i = 0; i < f->n_fields; i++)
		if (f->field[i].kind != CON_F_CHOICE)
			f->field[i].value[0] = '\0';
	f->focus = 0;
}

void con_page_reply(struct con_page *p, int what, const struct con_net_reply *r)
{
	if (what == CON_PAGE_SEND_STEPS) {
		if (r->ok && p->start_recipe >= 0)
			con_page_start_confirm(p, r);
		else
			con_page_say(p, 1, r->final);
		return;
	}
	if (!r->ok)
		return;
	if (what == CON_PAGE_SEND_START) {
		snprintf(p->started_still, sizeof p->started_still, "%.31s",
		         p->form.field[F_STILL].value);
		p->started = 1;
		con_page_form_clear(&p->form);
		p->charge.n = 0;
		p->form.focus = F_LOT;
	} else if (what == CON_PAGE_SEND_LOT) {
		con_page_form_clear(&p->lot_form);
		p->lot_form_open = 0;
		con_page_fill_lots(p);
	} else if (what == CON_PAGE_SEND_ACTION && p->screen == CON_SCR_HISTORY) {
		con_page_load_batches(p);
	}
}

int con_page_dirty(const struct con_page *p)
{
	return *p->form.field[F_LOT].value || *p->form.field[F_MASS].value || p->charge.n > 0 ||
	       *p->lot_form.field[L_ID].value || *p->lot_form.field[L_MASS].value ||
	       *p->lot_form.field[L_GROWER].value;
}
