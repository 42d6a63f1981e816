/* con_draw: the console's screens, pure drawing. See con_draw.h. */
#include "con_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---- styles ----------------------------------------------------------- */

uint16_t con_draw_alarm_style(const struct con_alarm *a)
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

uint16_t con_draw_state_style(const char *state)
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
		uint16_t st = con_draw_alarm_style(a);

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
	rw = con_grid_text_width(right);
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
	n = con_grid_wrap(line, g->cols - 2, part, 2);
	for (int i = 0; i < n; i++) {
		con_grid_fill(g, row + i, 0, g->cols, ' ', CON_ST_DOWN);
		con_grid_text(g, row + i, 1, g->cols - 1, CON_ST_DOWN, CON_LEFT, part[i]);
	}
	return n;
}

/* 1 when alarm a should come before b in the banner. */
static int con_alarm_before(const struct con_alarm *a, const struct con_alarm *b)
{
	int ua = (con_draw_alarm_style(a) & CON_ST_MASK) != CON_ST_DIM;
	int ub = (con_draw_alarm_style(b) & CON_ST_MASK) != CON_ST_DIM;
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
		uint16_t st = con_draw_alarm_style(a);

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
		w += con_grid_text_width(k->key) + con_grid_text_width(_(k->label)) + 3;
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
		kw = con_grid_text_width(k->key);
		lw = con_grid_text_width(_(k->label));
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
	OV_OIL, OV_YIELD, OV_FC_YIELD, OV_LEFT, OV_ALARMS, OV_PROMPT, OV_COUNT
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
	[OV_FC_YIELD] = { N_("Fcst"), "%", 4, 0, 1, CON_RIGHT },
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
		st[OV_STATE] = con_draw_state_style(s->state);
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
		if (s->fc_valid)
			con_fmt_num(buf[OV_FC_YIELD], 64, s->fc_yield_pct, 2);
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

int con_draw_overview_rows(int top, int bottom)
{
	return MAX(1, bottom - top - 3);
}

void con_draw_overview(struct con_grid *g, int top, int bottom,
                       const struct con_view *v)
{
	struct con_col cols[OV_COUNT];
	int w[OV_COUNT], row, rows = con_draw_overview_rows(top, bottom);
	char buf[OV_COUNT][64];
	const char *text[OV_COUNT];
	uint16_t st[OV_COUNT];

	con_cols_translate(cols, con_ov_cols, OV_COUNT);
	con_table_layout(cols, OV_COUNT, g->cols, w);
	row = top + con_table_heading(g, top, cols, OV_COUNT, w);
	if (v->n_stills == 0) {
		con_grid_text(g, row, 1, g->cols - 1, CON_ST_DIM, CON_LEFT,
		              v->up ? _("The controller reports no stills.")
		                    : _("No still data yet."));
		return;
	}
	for (int i = v->top; i < v->n_stills && row < top + 2 + rows; i++) {
		con_ov_cells(v, &v->stills[i], buf, text, st);
		con_table_row(g, row++, cols, OV_COUNT, w, text, st,
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
			  v->up ? con_draw_state_style(s->state) : CON_ST_DIM },
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

	con_table_row(g, row, cols, LP_COUNT, w, t, st, 0);
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
	row += con_table_heading(g, row, cols, LP_COUNT, w);
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

/* The end-point forecast's two lines when the still has one: what the
 * oil comes to, and whether the next hour pays (cyan when it does not).
 * Returns the next free row. */
static int con_detail_forecast(struct con_grid *g, int row,
                               const struct con_view *v,
                               const struct con_still *s)
{
	char line[320];
	uint16_t st = v->up ? CON_ST_VALUE : CON_ST_DIM;

	if (!s->fc_valid)
		return row;
	con_grid_text(g, row++, 1, g->cols - 1, st, CON_LEFT,
	              con_fc_summary(line, sizeof line, s));
	if (v->up && con_fc_pays(s) == 0)
		st = CON_ST_ABNORMAL;
	con_grid_text(g, row++, 1, g->cols - 1, st, CON_LEFT,
	              con_fc_next_hour(line, sizeof line, s, v->lang));
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
static void con_detail_trend(struct con_grid *g, int top, int left, int h,
                             int w, const struct con_view *v,
                             const struct con_still *s, int series)
{
	char note[120];

	if (series != CON_TR_OIL || !s->fc_valid) {
		con_trend_draw(g, top, left, h, w, v->trend, series, v->now_s,
		               v->window_s);
		return;
	}
	con_trend_draw_mark(g, top, left, h, w, v->trend, series, v->now_s,
	                    v->window_s, s->fc_final_kg,
	                    con_fc_trend_note(note, sizeof note, s));
}

static void con_detail_trends(struct con_grid *g, int top, int left, int h,
                              int w, const struct con_view *v,
                              const struct con_still *s)
{
	static const int order[] = { CON_TR_PRESSURE, CON_TR_VAPOUR,
	                             CON_TR_DISTILLATE, CON_TR_STEAM, CON_TR_OIL,
	                             CON_TR_STILL_TEMP };
	int n = MIN(CON_TR_COUNT, h / 5), each, row = top;

	if (v->trend == NULL || h < 3)
		return;
	if (n <= 1) {
		con_detail_trend(g, top, left, h, w, v, s, v->trend_pick % CON_TR_COUNT);
		return;
	}
	each = h / n;
	for (int i = 0; i < n; i++) {
		int series = order[(i + v->trend_pick) % CON_TR_COUNT];

		con_detail_trend(g, row, left, each, w, v, s, series);
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
	row = con_detail_forecast(g, row, v, s);
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
	con_detail_trends(g, row, steps_w, bottom - row, g->cols - steps_w, v, s);
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
	uint16_t st = recent || !up ? CON_ST_DIM : con_draw_alarm_style(a);
	uint16_t s[AL_COUNT] = { st, CON_ST_NORMAL, CON_ST_NORMAL, st, CON_ST_NORMAL,
	                         recent ? CON_ST_DIM : CON_ST_NORMAL };

	con_table_row(g, row, cols, AL_COUNT, w, t, s, extra);
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
	row += con_table_heading(g, row, cols, AL_COUNT, w);
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
		lw = MAX(lw, con_grid_text_width(f->field[i].label));
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
		con_trend_curve(g, top, 0, bottom - top, g->cols, t->curve_title,
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
	row += con_table_heading(g, row, t->cols, n, w);
	pane_h = has_pane ? (bottom - row) / 2 : 0;
	room = bottom - row - pane_h - (has_pane ? 1 : 0);
	if (t->n_rows == 0)
		con_grid_text(g, row++, 1, g->cols - 1, CON_ST_DIM, CON_LEFT, _("Nothing to show."));
	if (t->sel >= room && room > 0)
		first = t->sel - room + 1;
	for (int i = first; i < t->n_rows && i < first + room; i++)
		con_table_row(g, row++, t->cols, n, w, t->cell + (size_t)i * (size_t)t->n_cols,
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

	w = con_grid_text_width(d->title);
	for (int i = 0; i < d->n_lines; i++)
		w = MAX(w, con_grid_text_width(d->line[i]));
	w = MAX(w, con_grid_text_width(d->hint));
	w = MIN(MAX(w + 4, 40), g->cols);
	inner = MAX(1, w - 4);
	for (int i = 0; i < d->n_lines && n < 48; i++)
		n += con_grid_wrap(d->line[i], inner, text + n, 48 - n);
	h = MIN(n + 4 + (d->has_input ? 2 : 0), g->rows);
	top = (g->rows - h) / 2;
	left = (g->cols - w) / 2;
	for (int r = 0; r < h; r++)
		con_grid_fill(g, top + r, left, w, ' ', CON_ST_NORMAL);
	con_grid_fill(g, top, left, w, 0x2500u, st);
	con_grid_fill(g, top + h - 1, left, w, 0x2500u, st);
	for (int r = 0; r < h; r++) {
		con_grid_put(g, top + r, left, r == 0 ? 0x250cu : r == h - 1 ? 0x2514u : 0x2502u, st);
		con_grid_put(g, top + r, left + w - 1,
		             r == 0 ? 0x2510u : r == h - 1 ? 0x2518u : 0x2502u, st);
	}
	row = top;
	con_grid_text(g, row++, left + 2, MIN(con_grid_text_width(d->title) + 2, inner),
	              (uint16_t)(st == CON_ST_NORMAL ? CON_ST_HEADER : st), CON_LEFT, d->title);
	row++;
	for (int i = 0; i < n && row < top + h - 2 - (d->has_input ? 2 : 0) + 1; i++)
		con_grid_text(g, row++, left + 2, inner, CON_ST_NORMAL, CON_LEFT, text[i]);
	if (d->has_input && row < top + h - 1) {
		int lw = con_grid_text_width(d->input_label) + 1;

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
