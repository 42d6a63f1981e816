/* Unit tests of the console's pure drawing (ui/con_draw.c) and reply
 * parsers (ui/con_net.c): data in, cells out, no terminal.
 * links: ui/con_draw.c ui/con_fc.c config/econ.c ui/con_grid.c ui/con_fmt.c ui/con_table.c ui/con_trend.c ui/con_net.c common/proto.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "con_draw.h"
#include "con_net.h"

/* A status line as stillroomd writes it (all its fields). */
static const char status_line[] =
	"still name=still2 state=running batch_id=41 recipe=cassia-leaf step=distil "
	"step_index=3 step_count=6 step_progress_pct=45 pressure_kpa=12.3 "
	"still_temp_c=99.1 vapour_temp_c=99.8 distillate_temp_c=35.2 "
	"cooling_flow_l_min=180.0 steam_flow_kg_h=250.0 steam_valve_pct=45.0 "
	"cooling_valve_pct=55.0 steam_cmd_pct=45.0 oil_kg=1.234 yield_pct=0.411 "
	"charge_kg=300.0 time_left_min=80 alarms=2 comm=ok "
	"prompt=\"Is the receiver empty?\" mode_steam=manual mode_cooling=auto "
	"quality=vapour_temp,oil steam_kg=120.5 period_ms=200.0 jitter_p50_us=139 "
	"jitter_p99_us=2350 jitter_max_us=3981 io_us=800 overruns=0 modbus_errors=0 "
	"ticks=103 process_s=20.4";

/* The text of row r of g. */
static const char *row_text(const struct con_grid *g, int r)
{
	static char buf[4096];

	con_grid_row_text(g, r, buf, sizeof buf);
	return buf;
}

/* The first row of g that contains s, or -1. */
static int find_row(const struct con_grid *g, const char *s)
{
	for (int r = 0; r < g->rows; r++)
		if (strstr(row_text(g, r), s) != NULL)
			return r;
	return -1;
}

/* The first row of g that starts with s, or -1. */
static int find_line(const struct con_grid *g, const char *s)
{
	for (int r = 0; r < g->rows; r++)
		if (strncmp(row_text(g, r), s, strlen(s)) == 0)
			return r;
	return -1;
}

/* The column where s starts in row r (in cells), or -1. */
static int find_col(const struct con_grid *g, int r, const char *s)
{
	char prefix[4096];
	const char *t = row_text(g, r), *hit = strstr(t, s);

	if (hit == NULL)
		return -1;
	snprintf(prefix, sizeof prefix, "%.*s", (int)(hit - t), t);
	return con_grid_text_width(prefix);
}

static void test_text_width_utf8(void **state)
{
	(void)state;
	assert_int_equal(con_grid_text_width("still1"), 6);
	assert_int_equal(con_grid_text_width("Nhiệt độ chưng cất"), 18);
	assert_int_equal(con_grid_text_width("e\xcc\x81"), 1);      /* e + combining acute */
	assert_int_equal(con_grid_text_width("蒸"), 2);
	assert_int_equal(con_grid_text_width("\xff"), 1);           /* a bad byte */
}

static void test_grid_text_clips_and_aligns(void **state)
{
	struct con_grid g;

	(void)state;
	assert_int_equal(con_grid_init(&g, 3, 12), 0);
	con_grid_text(&g, 0, 0, 6, CON_ST_NORMAL, CON_LEFT, "cassia-leaf");
	assert_string_equal(row_text(&g, 0), "cassi…      ");
	con_grid_text(&g, 1, 0, 6, CON_ST_VALUE, CON_RIGHT, "12.3");
	assert_string_equal(row_text(&g, 1), "  12.3      ");
	assert_int_equal(con_grid_at(&g, 1, 2)->style, CON_ST_VALUE);
	/* Vietnamese, precomposed and decomposed, both one cell a letter */
	con_grid_text(&g, 2, 0, 12, CON_ST_NORMAL, CON_LEFT, "Áp suất");
	assert_string_equal(row_text(&g, 2), "Áp suất     ");
	con_grid_text(&g, 2, 0, 12, CON_ST_NORMAL, CON_LEFT, "A\xcc\x81p");
	assert_int_equal(con_grid_at(&g, 2, 0)->ch, 'A');
	assert_int_equal(con_grid_at(&g, 2, 0)->comb, 0x301);
	assert_int_equal(con_grid_at(&g, 2, 1)->ch, 'p');
	/* never writes outside the grid */
	con_grid_text(&g, 5, 0, 4, CON_ST_NORMAL, CON_LEFT, "xx");
	con_grid_text(&g, 0, 10, 6, CON_ST_NORMAL, CON_LEFT, "abcdef");
	assert_string_equal(row_text(&g, 0), "cassi…    ab");
	con_grid_free(&g);
}

static void test_format_numbers(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(con_fmt_num(b, sizeof b, 12.345, 1), "12.3");
	assert_string_equal(con_fmt_num(b, sizeof b, NAN, 1), "--");
	assert_string_equal(con_fmt_duration(b, sizeof b, 45), "45m");
	assert_string_equal(con_fmt_duration(b, sizeof b, 125), "2h05");
	assert_string_equal(con_fmt_duration(b, sizeof b, -1), "--");
}

static void test_table_layout_by_priority(void **state)
{
	static const struct con_col cols[] = {
		{ "Still", NULL, 10, 0, 0, CON_LEFT },
		{ "Recipe", NULL, 10, 1, 1, CON_LEFT },
		{ "Batch", NULL, 10, 0, 3, CON_RIGHT },
		{ "Oil", NULL, 10, 0, 2, CON_RIGHT },
	};
	int w[4];

	(void)state;
	/* everything fits: 43 columns, the grower takes the 7 spare */
	assert_int_equal(con_table_layout(cols, 4, 50, w), 4);
	assert_int_equal(w[0], 10);
	assert_int_equal(w[1], 17);
	assert_int_equal(w[2], 10);
	/* 35 columns: the prio 3 column goes first */
	assert_int_equal(con_table_layout(cols, 4, 35, w), 3);
	assert_int_equal(w[2], 0);
	assert_int_equal(w[3], 10);
	/* 25: then prio 2; prio 0 never goes */
	assert_int_equal(con_table_layout(cols, 4, 25, w), 2);
	assert_int_equal(w[3], 0);
	assert_int_equal(w[0], 10);
	assert_true(w[0] + w[1] + 1 <= 25);
}

static void test_trend_resample_means_and_gaps(void **state)
{
	struct con_trend *t = malloc(sizeof *t);
	double v[CON_TR_COUNT], out[4];

	(void)state;
	con_trend_init(t);
	/* pressure = 1 in the first 10 s, 3 in the next 10 s, none after */
	for (int i = 0; i < 40; i++) {
		for (int k = 0; k < CON_TR_COUNT; k++)
			v[k] = NAN;
		v[CON_TR_PRESSURE] = i < 20 ? 1 : 3;
		con_trend_push(t, i * 0.5 + 0.25, v);
	}
	/* window (0, 40] in 4 buckets of 10 s */
	assert_int_equal(con_trend_resample(t, CON_TR_PRESSURE, 40, 40, 4, out), 2);
	assert_true(fabs(out[0] - 1) < 1e-9);
	assert_true(fabs(out[1] - 3) < 1e-9);
	assert_true(isnan(out[2]) && isnan(out[3]));
	/* a series with no samples at all */
	assert_int_equal(con_trend_resample(t, CON_TR_OIL, 40, 40, 4, out), 0);
	free(t);
}

static void test_trend_long_window_uses_coarse_means(void **state)
{
	struct con_trend *t = malloc(sizeof *t);
	double v[CON_TR_COUNT], out[2];
	int n = CON_TREND_FINE * 3;

	(void)state;
	con_trend_init(t);
	/* 3 fine rings' worth at 1 s: the first 2/3 fell out of the fine ring */
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < CON_TR_COUNT; k++)
			v[k] = i < n / 2 ? 10 : 20;
		con_trend_push(t, i, v);
	}
	assert_int_equal(con_trend_resample(t, CON_TR_STEAM, n, n, 2, out), 2);
	assert_true(fabs(out[0] - 10) < 0.5);   /* only in the coarse ring now */
	assert_true(fabs(out[1] - 20) < 0.5);
	free(t);
}

static void test_plot_range_and_blocks(void **state)
{
	double y[4] = { 0, 5, NAN, 10 }, lo, hi;
	double flat[2] = { 20, 20 };
	struct con_grid g;

	(void)state;
	assert_int_equal(con_trend_range(y, 4, 1, &lo, &hi), 0);
	assert_true(lo <= 0 && hi >= 10);
	assert_int_equal(con_trend_range(flat, 2, 10, &lo, &hi), 0);
	assert_true(hi - lo >= 10 && lo <= 20 && hi >= 20);
	assert_int_equal(con_trend_range(y + 2, 1, 1, &lo, &hi), -1);

	assert_int_equal(con_grid_init(&g, 2, 4), 0);
	con_trend_plot(&g, 0, 0, 2, 4, y, 0, 10, CON_ST_NORMAL);
	/* 0: the lowest eighth so it shows; 5: one full cell; NaN: blank; 10: full */
	assert_int_equal(con_grid_at(&g, 1, 0)->ch, 0x2581);
	assert_int_equal(con_grid_at(&g, 0, 0)->ch, ' ');
	assert_int_equal(con_grid_at(&g, 1, 1)->ch, 0x2588);
	assert_int_equal(con_grid_at(&g, 0, 1)->ch, ' ');
	assert_int_equal(con_grid_at(&g, 0, 2)->ch, ' ');
	assert_int_equal(con_grid_at(&g, 1, 2)->ch, ' ');
	assert_int_equal(con_grid_at(&g, 0, 3)->ch, 0x2588);
	assert_int_equal(con_grid_at(&g, 1, 3)->ch, 0x2588);
	con_grid_free(&g);
}

static void test_parse_status_line(void **state)
{
	struct con_still s;

	(void)state;
	assert_int_equal(con_still_parse(&s, status_line), 0);
	assert_string_equal(s.name, "still2");
	assert_string_equal(s.state, "running");
	assert_int_equal(s.batch_id, 41);
	assert_int_equal(s.step_index, 3);
	assert_true(fabs(s.pressure_kpa - 12.3) < 1e-9);
	assert_true(fabs(s.oil_kg - 1.234) < 1e-9);
	assert_string_equal(s.prompt, "Is the receiver empty?");
	assert_int_equal(s.manual_steam, 1);
	assert_int_equal(s.manual_cooling, 0);
	assert_int_equal(s.comm_ok, 1);
	assert_int_equal(s.alarms, 2);
	assert_string_equal(s.quality, "vapour_temp,oil");
	assert_true(isnan(s.steam_sp));        /* absent field */
	assert_int_equal(con_still_parse(&s, "alarm still=still1 id=x"), -1);
}

static void test_parse_alarm_recipe_step(void **state)
{
	struct con_alarm a;
	struct con_recipe r;
	struct con_step st;

	(void)state;
	assert_int_equal(con_alarm_parse(&a, "alarm still=still1 id=pressure_hh priority=1 "
	                 "state=unack active=1 since_s=12 message=\"pressure 31 kPa\""), 0);
	assert_string_equal(a.id, "pressure_hh");
	assert_int_equal(a.priority, 1);
	assert_string_equal(a.message, "pressure 31 kPa");
	assert_int_equal(con_recipe_parse(&r, "recipe name=star-anise version=2 valid=1 "
	                 "charge_min_kg=100 charge_max_kg=500 steps=7 feedstock=star-anise"), 0);
	assert_int_equal(r.valid, 1);
	assert_true(r.charge_max_kg == 500);
	assert_int_equal(con_step_parse(&st, "step index=2 name=heat-up kind=heat-up "
	                 "max_min=60 end=\"vapour_temp >= 98 C\""), 0);
	assert_string_equal(st.end, "vapour_temp >= 98 C");
}

/* Two stills: still1 idle, still2 running with a high-priority alarm. */
static void make_view(struct con_view *v, struct con_still *s, struct con_alarm *a)
{
	memset(v, 0, sizeof *v);
	memset(s, 0, 2 * sizeof *s);
	memset(a, 0, sizeof *a);
	snprintf(s[0].name, sizeof s[0].name, "still1");
	snprintf(s[0].state, sizeof s[0].state, "held");
	s[0].comm_ok = 1;
	s[0].pressure_kpa = 0.5;
	assert_int_equal(con_still_parse(&s[1], status_line), 0);
	snprintf(a->still, sizeof a->still, "still2");
	snprintf(a->id, sizeof a->id, "pressure_hh");
	snprintf(a->state, sizeof a->state, "unack");
	snprintf(a->message, sizeof a->message, "pressure above the trip");
	a->priority = 1;
	v->site = "Trà Bồng";
	v->operator_name = "Nguyễn Văn An";
	v->clock = "12:00:00";
	v->up = 1;
	v->stills = s;
	v->n_stills = 2;
	v->sel = 1;
	v->alarms = a;
	v->n_alarms = 1;
}

static void test_overview_rows_and_styles(void **state)
{
	struct con_grid g;
	struct con_view v;
	struct con_still s[2];
	struct con_alarm a;
	int r1, r2, col;

	(void)state;
	make_view(&v, s, &a);
	assert_int_equal(con_grid_init(&g, 24, 80), 0);
	con_draw_screen(&g, &v);
	r1 = find_line(&g, "still1");
	r2 = find_line(&g, "still2");
	assert_true(r1 > 0 && r2 == r1 + 1);
	assert_non_null(strstr(row_text(&g, r2), "12.3"));
	assert_non_null(strstr(row_text(&g, r2), "45M"));     /* manual steam */
	assert_non_null(strstr(row_text(&g, r2), "1h20"));
	/* the selected row is reversed, the other not */
	assert_true(con_grid_at(&g, r2, 0)->style & CON_ST_REV);
	assert_false(con_grid_at(&g, r1, 0)->style & CON_ST_REV);
	/* held is abnormal (colour), running is plain */
	col = find_col(&g, r1, "held");
	assert_int_equal(con_grid_at(&g, r1, col)->style & CON_ST_MASK, CON_ST_ABNORMAL);
	col = find_col(&g, r2, "running");
	assert_int_equal(con_grid_at(&g, r2, col)->style & CON_ST_MASK, CON_ST_NORMAL);
	/* a bad-quality value is abnormal */
	col = find_col(&g, r2, "99.8");
	assert_int_equal(con_grid_at(&g, r2, col)->style & CON_ST_MASK, CON_ST_ABNORMAL);
	/* the banner blinks for an unacknowledged high-priority alarm */
	assert_int_equal(find_row(&g, "pressure above the trip"), 1);
	assert_int_equal(con_grid_at(&g, 1, 2)->style, CON_ST_ALARM1 | CON_ST_BLINK);
	/* acknowledged: still red, no longer blinking */
	snprintf(a.state, sizeof a.state, "acked");
	con_draw_screen(&g, &v);
	assert_int_equal(con_grid_at(&g, 1, 2)->style, CON_ST_ALARM1);
	/* no alarms: plain grey */
	v.n_alarms = 0;
	con_draw_screen(&g, &v);
	assert_int_equal(find_row(&g, "No active alarms"), 1);
	assert_int_equal(con_grid_at(&g, 1, 2)->style, CON_ST_DIM);
	con_grid_free(&g);
}

static void test_overview_uses_wide_terminals(void **state)
{
	struct con_grid narrow, wide;
	struct con_view v;
	struct con_still s[2];
	struct con_alarm a;

	(void)state;
	make_view(&v, s, &a);
	assert_int_equal(con_grid_init(&narrow, 24, 80), 0);
	assert_int_equal(con_grid_init(&wide, 50, 200), 0);
	con_draw_screen(&narrow, &v);
	con_draw_screen(&wide, &v);
	/* the batch id and steam flow only when there is room */
	assert_null(strstr(row_text(&narrow, find_line(&narrow, "still2")), " 41 "));
	assert_non_null(strstr(row_text(&wide, find_line(&wide, "still2")), " 41 "));
	assert_non_null(strstr(row_text(&wide, find_line(&wide, "still2")), "250"));
	assert_non_null(strstr(row_text(&wide, find_line(&wide, "still2")),
	                       "Is the receiver empty?"));
	con_grid_free(&narrow);
	con_grid_free(&wide);
}

static void test_connection_lost_on_every_screen(void **state)
{
	struct con_grid g;
	struct con_view v;
	struct con_still s[2];
	struct con_alarm a;
	struct con_form f;
	struct con_table t;

	(void)state;
	make_view(&v, s, &a);
	memset(&f, 0, sizeof f);
	memset(&t, 0, sizeof t);
	v.form = &f;
	v.table = &t;
	v.up = 0;
	v.down_cause = "stillroomd is not running (no socket)";
	v.retry_in_s = 1.5;
	v.data_time = "11:59:58";
	assert_int_equal(con_grid_init(&g, 24, 80), 0);
	for (int scr = 0; scr < CON_SCR_COUNT; scr++) {
		v.screen = (enum con_screen)scr;
		con_draw_screen(&g, &v);
		assert_int_equal(find_row(&g, "NOT CONNECTED"), 1);
		assert_true(find_row(&g, "Retrying in 2 s") == 1 || find_row(&g, "Retrying in 2 s") == 2);
		assert_int_equal(con_grid_at(&g, 1, 3)->style, CON_ST_DOWN);
	}
	/* stale values are dim, alarms too: nothing looks live */
	v.screen = CON_SCR_OVERVIEW;
	con_draw_screen(&g, &v);
	{
		int r = find_line(&g, "still2"), col = find_col(&g, r, "12.3");

		assert_int_equal(con_grid_at(&g, r, col)->style & CON_ST_MASK, CON_ST_DIM);
		r = find_row(&g, "pressure above the trip");
		assert_int_equal(con_grid_at(&g, r, 3)->style & CON_ST_MASK, CON_ST_DIM);
	}
	con_grid_free(&g);
}

static void test_detail_trend_and_steps(void **state)
{
	struct con_grid g;
	struct con_view v;
	struct con_still s[2];
	struct con_alarm a;
	struct con_trend *t = malloc(sizeof *t);
	struct con_step steps[3] = {
		{ 1, "purge", "purge", 15, "for 5 min", "" },
		{ 2, "heat-up", "heat-up", 60, "vapour >= 98", "" },
		{ 3, "distil", "distil", 300, "oil rate low", "" },
	};
	double vals[CON_TR_COUNT];
	int r;

	(void)state;
	make_view(&v, s, &a);
	con_trend_init(t);
	for (int i = 0; i < 600; i++) {
		for (int k = 0; k < CON_TR_COUNT; k++)
			vals[k] = i * 0.01;
		con_trend_push(t, i * 0.5, vals);
	}
	v.screen = CON_SCR_DETAIL;
	v.trend = t;
	v.now_s = 300;
	v.window_s = 300;
	v.steps = steps;
	v.n_steps = 3;
	assert_int_equal(con_grid_init(&g, 50, 200), 0);
	con_draw_screen(&g, &v);
	assert_true(find_row(&g, "Pressure, kPa") > 0);
	assert_true(find_row(&g, "Oil collected, kg") > 0);
	assert_true(find_row(&g, "MANUAL") > 0);
	r = find_row(&g, "✓ purge");
	assert_true(r > 0);
	assert_true(find_row(&g, "▶ distil") == r + 2);
	/* a rising series: the rightmost plot column is full, the leftmost low */
	r = find_row(&g, "Pressure, kPa");
	{
		int full = 0;

		for (int rr = r + 1; rr < r + 6; rr++)
			full += con_grid_at(&g, rr, 199)->ch == 0x2588;
		assert_true(full >= 3);
	}
	con_grid_free(&g);
	free(t);
}

static void test_key_line_keeps_help_and_quit(void **state)
{
	static const struct con_key keys[] = {
		{ "Enter", "Detail", "", 1u << CON_SCR_OVERVIEW },
		{ "s", "Start a very long label that does not fit", "", 1u << CON_SCR_OVERVIEW },
		{ "x", "Stop", "", 1u << CON_SCR_DETAIL },
		{ "?", "Help", "", ~0u },
		{ "q", "Quit", "", ~0u },
	};
	struct con_grid g;
	struct con_view v;

	(void)state;
	memset(&v, 0, sizeof v);
	v.keys = keys;
	v.n_keys = 5;
	assert_int_equal(con_grid_init(&g, 1, 40), 0);
	con_draw_keys(&g, 0, &v);
	assert_non_null(strstr(row_text(&g, 0), "Enter Detail"));
	assert_non_null(strstr(row_text(&g, 0), "q Quit"));
	assert_non_null(strstr(row_text(&g, 0), "? Help"));
	assert_null(strstr(row_text(&g, 0), "Stop"));
	assert_int_equal(con_grid_at(&g, 0, 0)->style, CON_ST_KEY);
	con_grid_free(&g);
}

/* ---- the end-point forecast (issue 13) -------------------------------- */

/* The forecast keys stillroomd adds to a still's status line. */
static const char fc_keys[] =
	" fc_valid=1 fc_model=two-stage fc_final_kg=3.484 fc_final_lo_kg=3.381 "
	"fc_final_hi_kg=3.586 fc_t95_left_min=52 fc_rate_kg_h=0.41 "
	"fc_next_hour_kg=0.312 fc_next_hour_vnd=1234000 fc_hour_cost_vnd=456000 "
	"fc_yield_pct=0.697";

/* make_view with the forecast keys on still2's line (extra first: the
 * first of a repeated key counts), and an oil trend (600 samples rising
 * to 2.4 kg). */
static void make_fc_view(struct con_view *v, struct con_still *s,
                         struct con_alarm *a, struct con_trend *t,
                         const char *extra)
{
	char line[2048];
	double vals[CON_TR_COUNT];

	make_view(v, s, a);
	snprintf(line, sizeof line, "%s%s%s", status_line, extra, fc_keys);
	assert_int_equal(con_still_parse(&s[1], line), 0);
	con_trend_init(t);
	for (int i = 0; i < 600; i++) {
		for (int k = 0; k < CON_TR_COUNT; k++)
			vals[k] = i * 0.004;
		con_trend_push(t, i * 0.5, vals);
	}
	v->screen = CON_SCR_DETAIL;
	v->trend = t;
	v->now_s = 300;
	v->window_s = 300;
	v->trend_pick = CON_TR_OIL;  /* the oil trend when only one fits */
	v->lang = "en";
}

static void test_forecast_parse(void **state)
{
	struct con_still s;
	char line[2048];

	(void)state;
	snprintf(line, sizeof line, "%s%s", status_line, fc_keys);
	assert_int_equal(con_still_parse(&s, line), 0);
	assert_int_equal(s.fc_valid, 1);
	assert_string_equal(s.fc_model, "two-stage");
	assert_true(fabs(s.fc_final_kg - 3.484) < 1e-9);
	assert_true(fabs(s.fc_final_lo_kg - 3.381) < 1e-9);
	assert_true(fabs(s.fc_final_hi_kg - 3.586) < 1e-9);
	assert_true(fabs(s.fc_t95_left_min - 52) < 1e-9);
	assert_true(fabs(s.fc_rate_kg_h - 0.41) < 1e-9);
	assert_true(fabs(s.fc_next_hour_kg - 0.312) < 1e-9);
	assert_true(fabs(s.fc_next_hour_vnd - 1234000) < 1e-9);
	assert_true(fabs(s.fc_hour_cost_vnd - 456000) < 1e-9);
	assert_true(fabs(s.fc_yield_pct - 0.697) < 1e-9);
	/* a daemon without the forecast: nothing valid, numbers unknown */
	assert_int_equal(con_still_parse(&s, status_line), 0);
	assert_int_equal(s.fc_valid, 0);
	assert_true(isnan(s.fc_final_kg));
}

/* The detail page: the forecast line, the next hour's line with money in
 * the console's language, the oil trend's end mark and 95 % time. */
static void test_detail_forecast(void **state)
{
	struct con_grid g;
	struct con_view v;
	struct con_still s[2];
	struct con_alarm a;
	struct con_trend *t = malloc(sizeof *t);
	int r, sizes[2][2] = { { 24, 80 }, { 50, 200 } };

	(void)state;
	for (int k = 0; k < 2; k++) {
		make_fc_view(&v, s, &a, t, "");
		assert_int_equal(con_grid_init(&g, sizes[k][0], sizes[k][1]), 0);
		con_draw_screen(&g, &v);
		r = find_row(&g, "Forecast");
		assert_true(r > 0);
		assert_non_null(strstr(row_text(&g, r), "3.48 kg at the end (3.38-3.59)"));
		assert_non_null(strstr(row_text(&g, r), "95 % in 52m"));
		r = find_row(&g, "Next hour: +0.31 kg oil worth 1,234,000 VND, "
		                 "costs 456,000 VND");
		assert_true(r > 0);
		assert_int_equal(con_grid_at(&g, r, 1)->style & CON_ST_MASK,
		                 CON_ST_VALUE);
		/* the oil trend: its title says where it ends; a mark at 3.48 */
		r = find_row(&g, "Oil collected, kg");
		assert_true(r > 0);
		assert_non_null(strstr(row_text(&g, r), "end 3.48"));
		assert_true(find_row(&g, "┄┄┄") > r);
		con_grid_free(&g);
	}
	/* Vietnamese money; an hour that no longer pays is abnormal */
	make_fc_view(&v, s, &a, t, " fc_next_hour_vnd=100000");
	v.lang = "vi";
	assert_int_equal(con_grid_init(&g, 24, 80), 0);
	con_draw_screen(&g, &v);
	r = find_row(&g, "100.000 ₫");
	assert_true(r > 0);
	assert_non_null(strstr(row_text(&g, r), "456.000 ₫"));
	assert_int_equal(con_grid_at(&g, r, 1)->style & CON_ST_MASK, CON_ST_ABNORMAL);
	/* no economics in the config: the oil alone, and why */
	make_fc_view(&v, s, &a, t, " fc_next_hour_vnd=null fc_hour_cost_vnd=null");
	con_draw_screen(&g, &v);
	r = find_row(&g, "Next hour: +0.31 kg oil");
	assert_true(r > 0);
	assert_null(strstr(row_text(&g, r), "VND"));
	assert_non_null(strstr(row_text(&g, r), "no prices"));
	/* no valid forecast: no forecast lines, no mark */
	make_fc_view(&v, s, &a, t, " fc_valid=0");
	con_draw_screen(&g, &v);
	assert_int_equal(find_row(&g, "Next hour"), -1);
	assert_int_equal(find_row(&g, "┄┄┄"), -1);
	con_grid_free(&g);
	free(t);
}

/* The overview: the forecast yield, at 80 columns in place of the yield
 * so far (the oil so far stays), beside it on wider terminals. */
static void test_overview_forecast_yield(void **state)
{
	struct con_grid g;
	struct con_view v;
	struct con_still s[2];
	struct con_alarm a;
	struct con_trend *t = malloc(sizeof *t);
	int r;

	(void)state;
	make_fc_view(&v, s, &a, t, "");
	v.screen = CON_SCR_OVERVIEW;
	assert_int_equal(con_grid_init(&g, 24, 80), 0);
	con_draw_screen(&g, &v);
	assert_true(find_row(&g, "Fcst") > 0);
	r = find_line(&g, "still2");
	assert_true(r > 0);
	assert_non_null(strstr(row_text(&g, r), "1.23"));
	assert_non_null(strstr(row_text(&g, r), "0.70"));
	con_grid_free(&g);
	assert_int_equal(con_grid_init(&g, 24, 100), 0);
	con_draw_screen(&g, &v);
	r = find_line(&g, "still2");
	assert_true(find_col(&g, r, "0.70") > find_col(&g, r, "0.41"));
	assert_true(find_col(&g, r, "0.41") > 0);
	/* no forecast: the cell is blank */
	s[1].fc_valid = 0;
	con_draw_screen(&g, &v);
	assert_null(strstr(row_text(&g, r), "0.70"));
	con_grid_free(&g);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_width_utf8),
		cmocka_unit_test(test_grid_text_clips_and_aligns),
		cmocka_unit_test(test_format_numbers),
		cmocka_unit_test(test_table_layout_by_priority),
		cmocka_unit_test(test_trend_resample_means_and_gaps),
		cmocka_unit_test(test_trend_long_window_uses_coarse_means),
		cmocka_unit_test(test_plot_range_and_blocks),
		cmocka_unit_test(test_parse_status_line),
		cmocka_unit_test(test_parse_alarm_recipe_step),
		cmocka_unit_test(test_overview_rows_and_styles),
		cmocka_unit_test(test_overview_uses_wide_terminals),
		cmocka_unit_test(test_connection_lost_on_every_screen),
		cmocka_unit_test(test_detail_trend_and_steps),
		cmocka_unit_test(test_key_line_keeps_help_and_quit),
		cmocka_unit_test(test_forecast_parse),
		cmocka_unit_test(test_detail_forecast),
		cmocka_unit_test(test_overview_forecast_yield),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
