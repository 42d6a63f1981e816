/* rcp: the recipe language: reading, checking, loading. See rcp.h. */
#include "rcp.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "ydoc.h"

#define RCP_STEP_MAX_S (72 * 3600.0)    /* longest step: star anise runs 48 h */
#define RCP_BATCH_MAX_S (7 * 86400.0)   /* longest batch */
#define RCP_CHARGE_MAX_KG 100000.0
#define RCP_VALUE_MAX 1e9               /* largest threshold, any unit */
#define RCP_BAND_MIN_C 25.0             /* default distillate band: */
#define RCP_BAND_MAX_C 40.0             /* process.md "target 25 to 40 C" */

static const char *const rcp_kind_names[] = {
	"purge", "heat-up", "distil", "cool-down", "prompt", NULL
};
static const char *const rcp_control_names[] = {
	"open", "pressure", "vapour_temp", NULL
};
static const char *const rcp_timeout_names[] = {"hold_and_alarm", NULL};
static const char *const rcp_economic_names[] = {"next_hour", NULL};

/* Tags an end condition may wait on: measured inputs with a unit. */
static const char *const rcp_reach_names[] = {
	"still_temp", "vapour_temp", "pressure", "distillate_temp",
	"cooling_flow", "steam_flow", "oil", "charge", "steam_valve",
	"cooling_valve", NULL
};

/* Alarm limits a recipe or a step may tighten; NaN when not given. */
struct rcp_alarms {
	double pressure_high_kpa;
	double distillate_high_c;
	double distillate_low_c;
};

static const struct ydoc_num_field rcp_alarm_fields[] = {
	{"pressure_high", 0, &ydoc_kind_pressure, 1, 100,
	 offsetof(struct rcp_alarms, pressure_high_kpa)},
	{"distillate_high", 0, &ydoc_kind_temp, 10, 95,
	 offsetof(struct rcp_alarms, distillate_high_c)},
	{"distillate_low", 0, &ydoc_kind_temp, 0, 40,
	 offsetof(struct rcp_alarms, distillate_low_c)},
};

struct rcp_reader {
	struct ydoc *doc;
	struct rcp_recipe *r;
	const struct cfg_plant *plant;  /* NULL: no plant limits to check */
	struct rcp_alarms alarms;       /* recipe-wide */
	char what[64];                  /* the step being read, for messages */
	const struct ydoc_node *step_name[RCP_STEPS_MAX]; /* names read */
};

/* The text of a node that is a plain word, for naming things, or NULL. */
static const char *rcp_peek(const struct ydoc_node *map, const char *key)
{
	const struct ydoc_node *n = ydoc_map_get(map, key);

	if (n == NULL || n->type != YDOC_SCALAR || n->len == 0 || n->len > 40 ||
	    strlen(n->str) != n->len)
		return NULL;
	for (size_t i = 0; i < n->len; i++)
		if ((unsigned char)n->str[i] <= ' ' || (unsigned char)n->str[i] >= 0x7f ||
		    n->str[i] == '\'')
			return NULL;
	return n->str;
}

/* ydoc_qty_format, shorter: a value in base units as people read it. */
static char *rcp_fmt(const struct ydoc_kind *kind, double v, char *buf,
                     size_t size)
{
	return ydoc_qty_format(kind, v, buf, size);
}

/* a when given, else b: where to point a message. */
static const struct ydoc_node *rcp_at(const struct ydoc_node *a,
                                      const struct ydoc_node *b)
{
	return a ? a : b;
}

/* ---- alarms ---- */

static void rcp_alarms_unset(struct rcp_alarms *a)
{
	a->pressure_high_kpa = NAN;
	a->distillate_high_c = NAN;
	a->distillate_low_c = NAN;
}

/* Reports a recipe limit v looser than the plant's p (NaN: unset). */
static void rcp_check_looser(struct rcp_reader *rd, const struct ydoc_node *map,
                             int field, double v, double p)
{
	const struct ydoc_num_field *f = &rcp_alarm_fields[field];
	int high = field != 2;  /* distillate_low is the only low limit */
	char x[48], y[48];

	if (isnan(v) || isnan(p) || (high ? v <= p : v >= p))
		return;
	ydoc_error(rd->doc, ydoc_map_get(map, f->key), "'%s' %s is looser than "
	           "the plant's limit %s: a recipe may tighten alarm limits, "
	           "never loosen them", f->key, rcp_fmt(f->kind, v, x, sizeof x),
	           rcp_fmt(f->kind, p, y, sizeof y));
}

/* Reads an alarms mapping into *a and checks it only tightens the plant. */
static void rcp_read_alarms(struct rcp_reader *rd, const struct ydoc_node *n,
                            struct rcp_alarms *a)
{
	const struct cfg_limits *lim = rd->plant ? &rd->plant->limits : NULL;

	if (ydoc_num_map(rd->doc, n, "'alarms'", rcp_alarm_fields, 3, a) < 0)
		return;
	if (lim != NULL) {
		rcp_check_looser(rd, n, 0, a->pressure_high_kpa, lim->pressure_high_kpa);
		rcp_check_looser(rd, n, 1, a->distillate_high_c, lim->distillate_high_c);
		rcp_check_looser(rd, n, 2, a->distillate_low_c, lim->distillate_low_c);
	}
	if (a->distillate_low_c >= a->distillate_high_c)
		ydoc_error(rd->doc, ydoc_map_get(n, "distillate_low"), "'distillate_low' "
		           "must be below 'distillate_high'");
}

/* The tighter of a recipe value and a plant value (NaN = unset). */
static double rcp_tighter(double recipe, double plant, int high)
{
	if (isnan(recipe))
		return plant;
	if (isnan(plant))
		return recipe;
	return high ? fmin(recipe, plant) : fmax(recipe, plant);
}

/* The limits in force during step s: plant, recipe and step combined. */
static void rcp_effective(const struct rcp_reader *rd, const struct rcp_step *s,
                          struct rcp_alarms *e)
{
	const struct cfg_limits *lim = rd->plant ? &rd->plant->limits : NULL;

	e->pressure_high_kpa = rcp_tighter(s->alarm_pressure_high_kpa,
	                                   lim ? lim->pressure_high_kpa : NAN, 1);
	e->distillate_high_c = rcp_tighter(s->alarm_distillate_high_c,
	                                   lim ? lim->distillate_high_c : NAN, 1);
	e->distillate_low_c = rcp_tighter(s->alarm_distillate_low_c,
	                                  lim ? lim->distillate_low_c : NAN, 0);
}

/* ---- end conditions ---- */

enum { RCP_E_AFTER, RCP_E_REACH, RCP_E_ABOVE, RCP_E_BELOW, RCP_E_OIL,
       RCP_E_FOR, RCP_E_ECONOMIC, RCP_E_NOT_BEFORE, RCP_E_COUNT };

static const struct ydoc_field rcp_end_fields[RCP_E_COUNT] = {
	[RCP_E_AFTER] = {"after", 0},
	[RCP_E_REACH] = {"reach", 0},
	[RCP_E_ABOVE] = {"above", 0},
	[RCP_E_BELOW] = {"below", 0},
	[RCP_E_OIL] = {"oil_rate_below", 0},
	[RCP_E_FOR] = {"for", 0},
	[RCP_E_ECONOMIC] = {"economic", 0},
	[RCP_E_NOT_BEFORE] = {"not_before", 0},
};

static void rcp_end_shape_error(struct rcp_reader *rd, const struct ydoc_node *n)
{
	ydoc_error(rd->doc, n, "'end' must be confirm, {after: TIME}, {reach: TAG, "
	           "above: VALUE} (or below), {oil_rate_below: RATE, for: TIME} "
	           "or {economic: next_hour, for: TIME, not_before: TIME}");
}

static void rcp_read_reach(struct rcp_reader *rd, const struct ydoc_node **v,
                           struct rcp_step *s)
{
	const struct ydoc_node *val = v[RCP_E_ABOVE] ? v[RCP_E_ABOVE] : v[RCP_E_BELOW];
	const struct ydoc_kind *kind;
	int tag;

	s->end = RCP_END_REACH;
	s->reach_above = v[RCP_E_ABOVE] != NULL;
	if (ydoc_choice(rd->doc, v[RCP_E_REACH], "reach", rcp_reach_names, &tag) != 0)
		return;
	s->reach_tag = (enum cfg_tag)cfg_tag_find(rcp_reach_names[tag]);
	kind = cfg_tag_kind(s->reach_tag);
	ydoc_qty(rd->doc, val, s->reach_above ? "above" : "below", kind,
	         -RCP_VALUE_MAX, RCP_VALUE_MAX, &s->reach_value);
}

/* {economic: next_hour, for: TIME, not_before: TIME}; not_before may be
 * left out (0). */
static void rcp_read_economic(struct rcp_reader *rd, const struct ydoc_node **v,
                              struct rcp_step *s)
{
	int rule;

	s->end = RCP_END_ECONOMIC;
	ydoc_choice(rd->doc, v[RCP_E_ECONOMIC], "economic", rcp_economic_names, &rule);
	ydoc_qty(rd->doc, v[RCP_E_FOR], "for", &ydoc_kind_time, 1, RCP_STEP_MAX_S,
	         &s->econ_for_s);
	ydoc_qty(rd->doc, v[RCP_E_NOT_BEFORE], "not_before", &ydoc_kind_time, 0,
	         RCP_STEP_MAX_S, &s->econ_not_before_s);
}

/* Returns 0 when the end condition was read (its checks come later). */
static int rcp_read_end(struct rcp_reader *rd, const struct ydoc_node *n,
                        struct rcp_step *s)
{
	const struct ydoc_node *v[RCP_E_COUNT];
	int errs = ydoc_error_count(rd->doc), given = 0;

	if (n->type == YDOC_SCALAR && strcmp(n->str, "confirm") == 0) {
		s->end = RCP_END_CONFIRM;
		return 0;
	}
	if (n->type != YDOC_MAP) {
		rcp_end_shape_error(rd, n);
		return -1;
	}
	ydoc_fields(rd->doc, n, "'end'", rcp_end_fields, RCP_E_COUNT, v);
	for (int i = 0; i < RCP_E_COUNT; i++)
		given |= (v[i] != NULL) << i;
	if (given == 1 << RCP_E_AFTER) {
		s->end = RCP_END_DURATION;
		ydoc_qty(rd->doc, v[RCP_E_AFTER], "after", &ydoc_kind_time, 1,
		         RCP_STEP_MAX_S, &s->duration_s);
	} else if (given == (1 << RCP_E_REACH | 1 << RCP_E_ABOVE) ||
	           given == (1 << RCP_E_REACH | 1 << RCP_E_BELOW)) {
		rcp_read_reach(rd, v, s);
	} else if (given == (1 << RCP_E_OIL | 1 << RCP_E_FOR)) {
		s->end = RCP_END_OIL_RATE;
		ydoc_qty(rd->doc, v[RCP_E_OIL], "oil_rate_below", &ydoc_kind_oil_rate,
		         0.1, 1e6, &s->oil_rate_g_per_h);
		ydoc_qty(rd->doc, v[RCP_E_FOR], "for", &ydoc_kind_time, 1,
		         RCP_STEP_MAX_S, &s->oil_rate_for_s);
	} else if ((given & ~(1 << RCP_E_NOT_BEFORE)) ==
	           (1 << RCP_E_ECONOMIC | 1 << RCP_E_FOR)) {
		rcp_read_economic(rd, v, s);
	} else if (ydoc_error_count(rd->doc) == errs) {
		rcp_end_shape_error(rd, n);
	}
	return ydoc_error_count(rd->doc) == errs ? 0 : -1;
}

/* Tags the steam drives up: with the valve shut they cannot rise. */
static int rcp_tag_needs_steam(enum cfg_tag t)
{
	return t == CFG_TAG_STILL_TEMP || t == CFG_TAG_VAPOUR_TEMP ||
	       t == CFG_TAG_PRESSURE || t == CFG_TAG_STEAM_FLOW ||
	       t == CFG_TAG_DISTILLATE_TEMP || t == CFG_TAG_OIL;
}

/* The tag a control loop holds at target, or -1 for open control. */
static int rcp_controlled_tag(const struct rcp_step *s)
{
	if (s->control == RCP_CTL_PRESSURE)
		return CFG_TAG_PRESSURE;
	if (s->control == RCP_CTL_VAPOUR_TEMP)
		return CFG_TAG_VAPOUR_TEMP;
	return -1;
}

/* Reports a reach condition that cannot come true; returns 1 if so. */
static int rcp_check_reach_possible(struct rcp_reader *rd,
                                    const struct ydoc_node *at,
                                    const struct rcp_step *s)
{
	const struct cfg_reg *reg = rd->plant ? &rd->plant->map[s->reach_tag]
	                                      : cfg_default_reg(s->reach_tag);
	const struct ydoc_kind *kind = cfg_tag_kind(s->reach_tag);
	const char *tag = cfg_tag_name(s->reach_tag);
	const char *dir = s->reach_above ? "above" : "below";
	int up = s->reach_above;
	double v = s->reach_value;
	char a[48], b[48], c[48];

	rcp_fmt(kind, v, a, sizeof a);
	if ((up && v >= reg->range_max) || (!up && v <= reg->range_min))
		ydoc_error(rd->doc, at, "step '%s' can never end: %s reads from %s to "
		           "%s, so it never gets %s %s", s->name, tag,
		           rcp_fmt(kind, reg->range_min, b, sizeof b),
		           rcp_fmt(kind, reg->range_max, c, sizeof c), dir, a);
	else if (up && s->steam_max_pct <= 0 && rcp_tag_needs_steam(s->reach_tag))
		ydoc_error(rd->doc, at, "step '%s' can never end: the steam valve is "
		           "held shut (steam 0 %%), so %s will not rise above %s",
		           s->name, tag, a);
	else if (s->reach_tag == CFG_TAG_STEAM_POS &&
	         ((up && v >= s->steam_max_pct) || (!up && v <= s->steam_min_pct)))
		ydoc_error(rd->doc, at, "step '%s' can never end: the steam valve is "
		           "kept within %g to %g %%, so it never gets %s %s", s->name,
		           s->steam_min_pct, s->steam_max_pct, dir, a);
	else if ((int)s->reach_tag == rcp_controlled_tag(s) &&
	         ((up && v > s->target) || (!up && v < s->target)))
		ydoc_error(rd->doc, at, "step '%s' can never end: %s control holds %s "
		           "at %s, so it will not get %s %s", s->name,
		           rcp_control_names[s->control], tag,
		           rcp_fmt(kind, s->target, b, sizeof b), dir, a);
	else
		return 0;
	return 1;
}

/* Reports a reach condition that comes true only past an alarm limit. */
static void rcp_check_reach_alarms(struct rcp_reader *rd,
                                   const struct ydoc_node *at,
                                   const struct rcp_step *s,
                                   const struct rcp_alarms *e)
{
	const struct ydoc_kind *kind = cfg_tag_kind(s->reach_tag);
	int up = s->reach_above;
	double v = s->reach_value, limit = NAN;
	const char *which = NULL;
	char a[48], b[48];

	if (up && s->reach_tag == CFG_TAG_PRESSURE) {
		limit = e->pressure_high_kpa;
		which = "high pressure";
	} else if (up && s->reach_tag == CFG_TAG_VAPOUR_TEMP && rd->plant) {
		limit = rd->plant->limits.vapour_temp_high_c;
		which = "high vapour temperature";
	} else if (s->reach_tag == CFG_TAG_DISTILLATE_TEMP) {
		limit = up ? e->distillate_high_c : e->distillate_low_c;
		which = up ? "high distillate" : "low distillate";
	}
	if (which == NULL || isnan(limit) || (up ? v < limit : v > limit))
		return;
	ydoc_error(rd->doc, at, "step '%s' ends only past an alarm: %s %s %s is "
	           "beyond the %s alarm (%s)", s->name, cfg_tag_name(s->reach_tag),
	           up ? "above" : "below", rcp_fmt(kind, v, a, sizeof a), which,
	           rcp_fmt(kind, limit, b, sizeof b));
}

/* The earliest an economic step may end: not_before, and the settling
 * time counts from the step's start at the earliest. */
static double rcp_economic_least_s(const struct rcp_step *s)
{
	return fmax(s->econ_not_before_s, s->econ_for_s);
}

/* An economic end: a distil step (its oil is what is forecast), room
 * before its max, and the plant's prices for the recipe's feedstock. */
static void rcp_check_economic(struct rcp_reader *rd, const struct ydoc_node *end,
                               const struct rcp_step *s)
{
	const struct econ_cfg *e = rd->plant ? &rd->plant->econ : NULL;
	char a[48], b[48];

	if (s->kind != RCP_DISTIL)
		ydoc_error(rd->doc, end, "step '%s' ends on economics, which only a "
		           "distil step can (the oil being made is what the rule "
		           "weighs): it is a %s step", s->name, rcp_kind_names[s->kind]);
	else if (rcp_economic_least_s(s) >= s->max_s)
		ydoc_error(rd->doc, end, "step '%s' can never end on economics: it may "
		           "end after %s at the earliest but its max is %s", s->name,
		           rcp_fmt(&ydoc_kind_time, rcp_economic_least_s(s), a, sizeof a),
		           rcp_fmt(&ydoc_kind_time, s->max_s, b, sizeof b));
	else if (e != NULL && !e->set)
		ydoc_error(rd->doc, end, "step '%s' ends on economics but the plant "
		           "configuration has no 'economics:' section (prices and "
		           "costs): add one, or end the step another way", s->name);
	else if (e != NULL && rd->r->feedstock[0] != '\0' &&
	         isnan(econ_oil_price_vnd_per_kg(e, rd->r->feedstock)))
		ydoc_error(rd->doc, end, "step '%s' ends on economics but the plant "
		           "configuration's 'economics:' has no oil price for %s",
		           s->name, rd->r->feedstock);
}

/* The checks that make sure a step can end, and end cleanly. */
static void rcp_check_end(struct rcp_reader *rd, const struct ydoc_node *end,
                          const struct ydoc_node *prompt, const struct rcp_step *s,
                          const struct rcp_alarms *e)
{
	char a[48], b[48];

	switch (s->end) {
	case RCP_END_DURATION:
		if (s->duration_s >= s->max_s)
			ydoc_error(rd->doc, end, "step '%s' can never end: it ends after "
			           "%s but its max is %s", s->name,
			           rcp_fmt(&ydoc_kind_time, s->duration_s, a, sizeof a),
			           rcp_fmt(&ydoc_kind_time, s->max_s, b, sizeof b));
		break;
	case RCP_END_OIL_RATE:
		if (s->oil_rate_for_s >= s->max_s)
			ydoc_error(rd->doc, end, "step '%s' can never end: the oil rate "
			           "must stay low for %s but its max is %s", s->name,
			           rcp_fmt(&ydoc_kind_time, s->oil_rate_for_s, a, sizeof a),
			           rcp_fmt(&ydoc_kind_time, s->max_s, b, sizeof b));
		break;
	case RCP_END_CONFIRM:
		if (prompt == NULL)
			ydoc_error(rd->doc, end, "step '%s' can "
			           "never end: it waits for the operator's answer but has "
			           "no 'prompt' to ask", s->name);
		break;
	case RCP_END_REACH:
		if (!rcp_check_reach_possible(rd, end, s))
			rcp_check_reach_alarms(rd, end, s, e);
		break;
	case RCP_END_ECONOMIC:
		rcp_check_economic(rd, end, s);
		break;
	}
}

/* ---- steps ---- */

enum { RCP_S_NAME, RCP_S_KIND, RCP_S_CONTROL, RCP_S_TARGET, RCP_S_STEAM,
       RCP_S_STEAM_MIN, RCP_S_STEAM_MAX, RCP_S_DIST_MIN, RCP_S_DIST_MAX,
       RCP_S_END, RCP_S_MAX, RCP_S_TIMEOUT, RCP_S_PROMPT, RCP_S_ALARMS,
       RCP_S_COUNT };

static const struct ydoc_field rcp_step_fields[RCP_S_COUNT] = {
	[RCP_S_NAME] = {"name", 1},
	[RCP_S_KIND] = {"kind", 1},
	[RCP_S_CONTROL] = {"control", 0},
	[RCP_S_TARGET] = {"target", 0},
	[RCP_S_STEAM] = {"steam", 0},
	[RCP_S_STEAM_MIN] = {"steam_min", 0},
	[RCP_S_STEAM_MAX] = {"steam_max", 0},
	[RCP_S_DIST_MIN] = {"distillate_min", 0},
	[RCP_S_DIST_MAX] = {"distillate_max", 0},
	[RCP_S_END] = {"end", 0},
	[RCP_S_MAX] = {"max", 1},
	[RCP_S_TIMEOUT] = {"on_timeout", 0},
	[RCP_S_PROMPT] = {"prompt", 0},
	[RCP_S_ALARMS] = {"alarms", 0},
};

/* Steam: a fixed opening for open control, a band for the loops. */
static void rcp_read_steam(struct rcp_reader *rd, const struct ydoc_node *map,
                           const struct ydoc_node **v, struct rcp_step *s)
{
	if (s->control == RCP_CTL_OPEN) {
		double pct = 0;

		if (v[RCP_S_STEAM_MIN] || v[RCP_S_STEAM_MAX])
			ydoc_error(rd->doc, v[RCP_S_STEAM_MIN] ? v[RCP_S_STEAM_MIN]
			           : v[RCP_S_STEAM_MAX], "'steam_min' and 'steam_max' "
			           "bound a control loop; with control: open give 'steam'");
		if (v[RCP_S_TARGET])
			ydoc_error(rd->doc, v[RCP_S_TARGET], "'target' needs control: "
			           "pressure or vapour_temp; with control: open there is "
			           "no loop");
		if (v[RCP_S_STEAM] == NULL && s->kind != RCP_COOL_DOWN &&
		    s->kind != RCP_PROMPT)
			ydoc_error(rd->doc, map, "missing key 'steam' in %s (the "
			           "valve opening for control: open)", rd->what);
		ydoc_qty(rd->doc, v[RCP_S_STEAM], "steam", &ydoc_kind_pct, 0, 100, &pct);
		s->steam_min_pct = pct;
		s->steam_max_pct = pct;
		return;
	}
	if (v[RCP_S_STEAM])
		ydoc_error(rd->doc, v[RCP_S_STEAM], "'steam' sets a fixed opening for "
		           "control: open; bound a loop with 'steam_min' and 'steam_max'");
	if (v[RCP_S_TARGET] == NULL)
		ydoc_error(rd->doc, map, "missing key 'target' in %s (the "
		           "setpoint for control: %s)", rd->what,
		           rcp_control_names[s->control]);
	else if (s->control == RCP_CTL_PRESSURE)
		ydoc_qty(rd->doc, v[RCP_S_TARGET], "target", &ydoc_kind_pressure, 0.1,
		         100, &s->target);
	else
		ydoc_qty(rd->doc, v[RCP_S_TARGET], "target", &ydoc_kind_temp, 50, 150,
		         &s->target);
	s->steam_min_pct = 0;
	s->steam_max_pct = 100;
	ydoc_qty(rd->doc, v[RCP_S_STEAM_MIN], "steam_min", &ydoc_kind_pct, 0, 100,
	         &s->steam_min_pct);
	ydoc_qty(rd->doc, v[RCP_S_STEAM_MAX], "steam_max", &ydoc_kind_pct, 0, 100,
	         &s->steam_max_pct);
	ydoc_range_check(rd->doc, rcp_at(v[RCP_S_STEAM_MIN], map), NULL,
	                 &ydoc_kind_pct, "steam_min", s->steam_min_pct,
	                 "steam_max", s->steam_max_pct);
}

/* Setpoints against the limits in force during the step. */
static void rcp_check_setpoints(struct rcp_reader *rd, const struct ydoc_node *map,
                                const struct ydoc_node **v,
                                const struct rcp_step *s, const struct rcp_alarms *e)
{
	char a[48], b[48];
	int band_ok;

	if (s->kind == RCP_COOL_DOWN && s->steam_max_pct > 0)
		ydoc_error(rd->doc, rcp_at(v[RCP_S_STEAM], map),
		           "a cool-down step keeps the steam shut: 'steam' must be 0 %%");
	band_ok = ydoc_range_check(rd->doc, rcp_at(v[RCP_S_DIST_MIN],
	                                           rcp_at(v[RCP_S_DIST_MAX], map)),
	                           NULL, &ydoc_kind_temp, "distillate_min",
	                           s->distillate_min_c, "distillate_max",
	                           s->distillate_max_c) == 0;
	if (band_ok && s->distillate_max_c >= e->distillate_high_c)
		ydoc_error(rd->doc, rcp_at(v[RCP_S_DIST_MAX], map),
		           "step '%s': the distillate band reaches %s, at or above the "
		           "high distillate alarm (%s)", s->name,
		           rcp_fmt(&ydoc_kind_temp, s->distillate_max_c, a, sizeof a),
		           rcp_fmt(&ydoc_kind_temp, e->distillate_high_c, b, sizeof b));
	else if (band_ok && s->distillate_min_c <= e->distillate_low_c)
		ydoc_error(rd->doc, rcp_at(v[RCP_S_DIST_MIN], map),
		           "step '%s': the distillate band starts at %s, at or below "
		           "the low distillate alarm (%s)", s->name,
		           rcp_fmt(&ydoc_kind_temp, s->distillate_min_c, a, sizeof a),
		           rcp_fmt(&ydoc_kind_temp, e->distillate_low_c, b, sizeof b));
	if (s->control == RCP_CTL_PRESSURE && s->target >= e->pressure_high_kpa)
		ydoc_error(rd->doc, v[RCP_S_TARGET], "'target' %s is at or above the "
		           "high pressure alarm (%s)",
		           rcp_fmt(&ydoc_kind_pressure, s->target, a, sizeof a),
		           rcp_fmt(&ydoc_kind_pressure, e->pressure_high_kpa, b, sizeof b));
	if (s->control == RCP_CTL_VAPOUR_TEMP && rd->plant &&
	    s->target >= rd->plant->limits.vapour_temp_high_c)
		ydoc_error(rd->doc, v[RCP_S_TARGET], "'target' %s is at or above the "
		           "high vapour temperature alarm (%s)",
		           rcp_fmt(&ydoc_kind_temp, s->target, a, sizeof a),
		           rcp_fmt(&ydoc_kind_temp, rd->plant->limits.vapour_temp_high_c,
		                   b, sizeof b));
}

/* Kind, control, steam and the distillate band. */
static void rcp_read_setpoints(struct rcp_reader *rd, const struct ydoc_node *map,
                               const struct ydoc_node **v, struct rcp_step *s)
{
	int kind = RCP_PURGE, control = RCP_CTL_OPEN;

	int kind_rc = ydoc_choice(rd->doc, v[RCP_S_KIND], "kind", rcp_kind_names, &kind);

	s->kind = (enum rcp_kind)kind;
	/* without a known kind or control, which steam keys belong is unknown */
	if (ydoc_choice(rd->doc, v[RCP_S_CONTROL], "control", rcp_control_names,
	                &control) >= 0 && kind_rc >= 0 && v[RCP_S_KIND] != NULL) {
		s->control = (enum rcp_control)control;
		rcp_read_steam(rd, map, v, s);
	}
	s->distillate_min_c = RCP_BAND_MIN_C;
	s->distillate_max_c = RCP_BAND_MAX_C;
	ydoc_qty(rd->doc, v[RCP_S_DIST_MIN], "distillate_min", &ydoc_kind_temp, 0,
	         95, &s->distillate_min_c);
	ydoc_qty(rd->doc, v[RCP_S_DIST_MAX], "distillate_max", &ydoc_kind_temp, 0,
	         95, &s->distillate_max_c);
}

/* The end condition, the max, what happens past it and the prompt. */
static void rcp_read_ending(struct rcp_reader *rd, const struct ydoc_node *map,
                            const struct ydoc_node **v, struct rcp_step *s)
{
	int end_ok = -1, timeout;

	if (v[RCP_S_END] != NULL)
		end_ok = rcp_read_end(rd, v[RCP_S_END], s);
	else if (s->kind == RCP_PROMPT) {
		s->end = RCP_END_CONFIRM;
		end_ok = 0;
	} else
		ydoc_error(rd->doc, map, "missing key 'end' in %s", rd->what);
	if (s->kind == RCP_PROMPT && end_ok == 0 && s->end != RCP_END_CONFIRM)
		ydoc_error(rd->doc, v[RCP_S_END], "a prompt step ends when the operator "
		           "answers: its 'end' must be confirm");
	ydoc_qty(rd->doc, v[RCP_S_MAX], "max", &ydoc_kind_time, 1, RCP_STEP_MAX_S,
	         &s->max_s);
	ydoc_choice(rd->doc, v[RCP_S_TIMEOUT], "on_timeout", rcp_timeout_names, &timeout);
	if (v[RCP_S_PROMPT] && end_ok == 0 && s->end != RCP_END_CONFIRM &&
	    s->kind != RCP_PROMPT)
		ydoc_error(rd->doc, v[RCP_S_PROMPT], "'prompt' is asked only when the "
		           "step's end is confirm");
	ydoc_str(rd->doc, v[RCP_S_PROMPT], "prompt", s->prompt, sizeof s->prompt);
}

/* A step's alarms: the recipe's, each replaced by the step's own. */
static void rcp_read_step_alarms(struct rcp_reader *rd, const struct ydoc_node *n,
                                 struct rcp_step *s)
{
	struct rcp_alarms a = rd->alarms, own;

	if (n != NULL) {
		rcp_alarms_unset(&own);
		rcp_read_alarms(rd, n, &own);
		for (int k = 0; k < 3; k++) {
			size_t at = rcp_alarm_fields[k].offset;
			double mine = *(double *)((char *)&own + at);

			if (!isnan(mine))
				*(double *)((char *)&a + at) = mine;
		}
	}
	s->alarm_pressure_high_kpa = a.pressure_high_kpa;
	s->alarm_distillate_high_c = a.distillate_high_c;
	s->alarm_distillate_low_c = a.distillate_low_c;
}

/*
 * One step. The cross-checks (limits in force, can it end) run only on a
 * step whose own keys were all right, so one mistake gives one message.
 */
static void rcp_read_step(struct rcp_reader *rd, const struct ydoc_node *map, int i)
{
	struct rcp_step *s = &rd->r->steps[i];
	const struct ydoc_node *v[RCP_S_COUNT];
	struct rcp_alarms e;
	const char *peek = rcp_peek(map, "name");
	int errs = ydoc_error_count(rd->doc);

	if (peek)
		snprintf(rd->what, sizeof rd->what, "step '%s'", peek);
	else
		snprintf(rd->what, sizeof rd->what, "step %d", i + 1);
	if (ydoc_fields(rd->doc, map, rd->what, rcp_step_fields, RCP_S_COUNT, v) < 0)
		return;
	if (ydoc_name(rd->doc, v[RCP_S_NAME], "name", s->name, sizeof s->name) == 0)
		rd->step_name[i] = v[RCP_S_NAME];
	rcp_read_setpoints(rd, map, v, s);
	rcp_read_step_alarms(rd, v[RCP_S_ALARMS], s);
	rcp_read_ending(rd, map, v, s);
	if (ydoc_error_count(rd->doc) == errs) {
		rcp_effective(rd, s, &e);
		rcp_check_setpoints(rd, map, v, s, &e);
		rcp_check_end(rd, rcp_at(v[RCP_S_END], map), v[RCP_S_PROMPT], s, &e);
	}
	for (int j = 0; j < i && rd->step_name[i]; j++)
		if (rd->step_name[j] && strcmp(rd->r->steps[j].name, s->name) == 0)
			ydoc_error(rd->doc, rd->step_name[i], "duplicate step name '%s' "
			           "(first at line %d)", s->name, rd->step_name[j]->line);
}

static void rcp_read_steps(struct rcp_reader *rd, const struct ydoc_node *n)
{
	char got[16];

	if (n == NULL)
		return;
	if (n->type != YDOC_SEQ) {
		snprintf(got, sizeof got, "%s", n->type == YDOC_MAP ? "a mapping" : "text");
		ydoc_error(rd->doc, n, "'steps' must be a list of steps, not %s", got);
		return;
	}
	if (ydoc_len(n) == 0) {
		ydoc_error(rd->doc, n, "the recipe can never end: 'steps' is empty");
		return;
	}
	if (ydoc_len(n) > RCP_STEPS_MAX) {
		ydoc_error(rd->doc, n, "'steps' lists %d steps; at most %d",
		           ydoc_len(n), RCP_STEPS_MAX);
		return;
	}
	rd->r->n_steps = ydoc_len(n);
	for (int i = 0; i < rd->r->n_steps; i++)
		rcp_read_step(rd, n->kid[i], i);
}

/* ---- the recipe ---- */

enum { RCP_K_NAME, RCP_K_VERSION, RCP_K_FEEDSTOCK, RCP_K_DESCRIPTION,
       RCP_K_ORGANIC, RCP_K_REFERENCE, RCP_K_CHARGE, RCP_K_MAX_BATCH, RCP_K_ALARMS,
       RCP_K_STEPS, RCP_K_COUNT };

static const struct ydoc_field rcp_top_fields[RCP_K_COUNT] = {
	[RCP_K_NAME] = {"name", 1},
	[RCP_K_VERSION] = {"version", 1},
	[RCP_K_FEEDSTOCK] = {"feedstock", 1},
	[RCP_K_DESCRIPTION] = {"description", 0},
	[RCP_K_ORGANIC] = {"organic", 0},
	[RCP_K_REFERENCE] = {"reference_batch", 0},
	[RCP_K_CHARGE] = {"charge", 1},
	[RCP_K_MAX_BATCH] = {"max_batch", 0},
	[RCP_K_ALARMS] = {"alarms", 0},
	[RCP_K_STEPS] = {"steps", 1},
};

/* The recipe's name is its file name without the directory and .yaml. */
static void rcp_name_from_path(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
		len -= 5;
	snprintf(name, size, "%.*s", (int)len, base);
}

static void rcp_read_charge(struct rcp_reader *rd, const struct ydoc_node *n)
{
	static const struct ydoc_range_spec charge = {
		NULL, &ydoc_kind_mass_kg, 1, RCP_CHARGE_MAX_KG, 1};
	const struct cfg_reg *cell = rd->plant ? &rd->plant->map[CFG_TAG_CHARGE]
	                                       : cfg_default_reg(CFG_TAG_CHARGE);
	struct rcp_recipe *r = rd->r;
	char a[48], b[48];

	if (ydoc_range(rd->doc, n, "'charge'", &charge, &r->charge_min_kg,
	               &r->charge_max_kg) != 0)
		return;
	if (r->charge_max_kg > cell->range_max)
		ydoc_error(rd->doc, ydoc_map_get(n, "max"), "charge 'max' %s is beyond "
		           "the charge load cell's range (up to %s)",
		           rcp_fmt(&ydoc_kind_mass_kg, r->charge_max_kg, a, sizeof a),
		           rcp_fmt(&ydoc_kind_mass_kg, cell->range_max, b, sizeof b));
}

/* The shortest time the steps can take (timed ends), against max_batch. */
static void rcp_check_batch_time(struct rcp_reader *rd, const struct ydoc_node *at)
{
	struct rcp_recipe *r = rd->r;
	double least = 0, sum_max = 0;
	char a[48], b[48];

	for (int i = 0; i < r->n_steps; i++) {
		const struct rcp_step *s = &r->steps[i];

		sum_max += s->max_s;
		if (s->end == RCP_END_DURATION)
			least += s->duration_s;
		else if (s->end == RCP_END_OIL_RATE)
			least += s->oil_rate_for_s;
		else if (s->end == RCP_END_ECONOMIC)
			least += rcp_economic_least_s(s);
	}
	if (at == NULL) {
		r->max_batch_s = sum_max;
		return;
	}
	if (r->max_batch_s <= least)
		ydoc_error(rd->doc, at, "the recipe can never end: its steps take at "
		           "least %s but 'max_batch' is %s",
		           rcp_fmt(&ydoc_kind_time, least, a, sizeof a),
		           rcp_fmt(&ydoc_kind_time, r->max_batch_s, b, sizeof b));
}

static void rcp_read(struct rcp_reader *rd, const struct ydoc_node *root)
{
	const struct ydoc_node *v[RCP_K_COUNT];
	struct rcp_recipe *r = rd->r;
	char name[RCP_NAME_MAX];
	long version;
	int errs;

	if (root == NULL || ydoc_is_null(root)) {
		ydoc_error(rd->doc, NULL, "the file is empty; a recipe is a mapping "
		           "with name, version, feedstock, charge and steps");
		return;
	}
	if (ydoc_fields(rd->doc, root, "the recipe", rcp_top_fields, RCP_K_COUNT, v) < 0)
		return;
	if (ydoc_name(rd->doc, v[RCP_K_NAME], "name", name, sizeof name) == 0 &&
	    strcmp(name, r->name) != 0)
		ydoc_error(rd->doc, v[RCP_K_NAME], "'name' is '%s' but the file says "
		           "'%s': a recipe's name is its file name without .yaml",
		           name, r->name);
	if (ydoc_int(rd->doc, v[RCP_K_VERSION], "version", 1, 1000000, &version) == 0)
		r->version = (int)version;
	ydoc_name(rd->doc, v[RCP_K_FEEDSTOCK], "feedstock", r->feedstock,
	          sizeof r->feedstock);
	ydoc_str(rd->doc, v[RCP_K_DESCRIPTION], "description", r->description,
	         sizeof r->description);
	ydoc_bool(rd->doc, v[RCP_K_ORGANIC], "organic", &r->organic);
	ydoc_int(rd->doc, v[RCP_K_REFERENCE], "reference_batch", 1,
	         RCP_REFERENCE_MAX, &r->reference_batch);
	rcp_read_charge(rd, v[RCP_K_CHARGE]);
	ydoc_qty(rd->doc, v[RCP_K_MAX_BATCH], "max_batch", &ydoc_kind_time, 60,
	         RCP_BATCH_MAX_S, &r->max_batch_s);
	if (v[RCP_K_ALARMS])
		rcp_read_alarms(rd, v[RCP_K_ALARMS], &rd->alarms);
	errs = ydoc_error_count(rd->doc);
	rcp_read_steps(rd, v[RCP_K_STEPS]);
	if (ydoc_error_count(rd->doc) == errs)
		rcp_check_batch_time(rd, v[RCP_K_MAX_BATCH]);
}

int rcp_parse(struct rcp_recipe *r, const char *path, const char *text,
              size_t len, const struct cfg_plant *plant, struct diag *d)
{
	struct rcp_reader rd = {0};
	struct rcp_recipe *t = calloc(1, sizeof *t);
	int rc = -1;

	if (t == NULL) {
		diag_add(d, path, 0, 0, "out of memory");
		return -1;
	}
	rd.r = t;
	rd.plant = plant;
	rcp_alarms_unset(&rd.alarms);
	rcp_name_from_path(path, t->name, sizeof t->name);
	snprintf(t->path, sizeof t->path, "%s", path);
	rd.doc = ydoc_parse(path, text, len, d);
	if (rd.doc == NULL)
		goto out_free_recipe;
	rcp_read(&rd, ydoc_root(rd.doc));
	if (ydoc_error_count(rd.doc) > 0)
		goto out_free_doc;
	t->text = malloc(len + 1);
	if (t->text == NULL) {
		diag_add(d, path, 0, 0, "out of memory");
		goto out_free_doc;
	}
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	sha256_hex(text, len, t->sha256);
	memcpy(r, t, sizeof *r);
	rc = 0;
out_free_doc:
	ydoc_sort_errors(rd.doc);
	ydoc_free(rd.doc);
out_free_recipe:
	free(t);
	if (rc < 0)
		memset(r, 0, sizeof *r);
	return rc;
}

int rcp_load(struct rcp_recipe *r, const char *path,
             const struct cfg_plant *plant, struct diag *d)
{
	char *text;
	size_t len;
	int rc;

	if (ydoc_read_file(path, &text, &len, d) < 0)
		return -1;
	rc = rcp_parse(r, path, text, len, plant, d);
	free(text);
	return rc;
}

void rcp_free(struct rcp_recipe *r)
{
	free(r->text);
	r->text = NULL;
}

/* ---- directories, lookup, verification, the check command ---- */

static int rcp_is_recipe_file(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".yaml") == 0;
}

static int rcp_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rcp_load_dir(const char *dir, const struct cfg_plant *plant,
                 struct rcp_recipe *out, int max, struct diag *d)
{
	char *names[RCP_DIR_MAX + 1];
	int n_names = 0, n = 0;
	struct dirent *e;
	DIR *dp = opendir(dir);

	if (dp == NULL) {
		diag_add(d, dir, 0, 0, "cannot read the recipe directory: %s",
		         strerror(errno));
		return -1;
	}
	while ((e = readdir(dp)) != NULL && n_names <= RCP_DIR_MAX) {
		if (!rcp_is_recipe_file(e->d_name))
			continue;
		names[n_names] = strdup(e->d_name);
		if (names[n_names] != NULL)
			n_names++;
	}
	closedir(dp);
	qsort(names, (size_t)n_names, sizeof names[0], rcp_name_cmp);
	if (n_names > max || n_names > RCP_DIR_MAX)
		diag_add(d, dir, 0, 0, "more than %d recipes; only the first %d "
		         "are loaded", max < RCP_DIR_MAX ? max : RCP_DIR_MAX,
		         max < RCP_DIR_MAX ? max : RCP_DIR_MAX);
	for (int i = 0; i < n_names; i++) {
		char path[CFG_PATH_MAX];

		if (n < max && i < RCP_DIR_MAX) {
			if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >=
			    sizeof path)
				diag_add(d, names[i], 0, 0, "path too long in %s", dir);
			else if (rcp_load(&out[n], path, plant, d) == 0)
				n++;
		}
		free(names[i]);
	}
	return n;
}

const struct rcp_recipe *rcp_find(const struct rcp_recipe *r, int n,
                                  const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(r[i].name, name) == 0)
			return &r[i];
	return NULL;
}

int rcp_verify_file(const struct rcp_recipe *r, char *cause, size_t cause_len)
{
	struct diag d;
	char *text, hex[SHA256_HEX_LEN + 1];
	size_t len;

	diag_init(&d);
	if (ydoc_read_file(r->path, &text, &len, &d) < 0) {
		snprintf(cause, cause_len, "recipe %s cannot be read again: %s",
		         r->name, d.line[0]);
		return -1;
	}
	sha256_hex(text, len, hex);
	free(text);
	if (strcmp(hex, r->sha256) != 0) {
		snprintf(cause, cause_len, "recipe %s changed since it was checked "
		         "(%s); reload the recipes (SIGHUP) so it is checked again",
		         r->name, r->path);
		return -1;
	}
	return 0;
}

int rcp_check_files(int n, char **paths, const struct cfg_plant *plant,
                    FILE *out, FILE *err)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		struct rcp_recipe r;
		struct diag d;

		diag_init(&d);
		if (rcp_load(&r, paths[i], plant, &d) == 0) {
			fprintf(out, "%s: ok\n", paths[i]);
			if (r.organic)
				fprintf(out, "  organic: its product is declared organic; a start "
				        "with a lot that has no organic certificate is refused.\n");
			if (r.reference_batch > 0)
				fprintf(out, "  reference batch: %ld (the batch record "
				        "overlays it unless --reference names another).\n",
				        r.reference_batch);
			rcp_econ_explain(&r, plant, out);
			rcp_free(&r);
		} else {
			diag_print(&d, err);
			bad = 1;
		}
	}
	return bad;
}

/* ---- what an economic end means in money (recipe check) ---- */

/* The recipe's steam for the explanation: process.md's 0.3 kg of steam
 * per kg of charge an hour, at the recipe's largest charge; the cooling
 * water at the design ratio of 200 L/min per 300 kg/h of steam. */
#define RCP_ECON_STEAM_KG_H_PER_KG 0.3
#define RCP_ECON_COOLING_L_MIN_PER_KG_H (200.0 / 300.0)

/* The rule in words: "... for 15 min, not before 2 h, and at 5 h (its
 * max) at the latest." */
static void rcp_econ_rule(const struct rcp_step *s, FILE *out)
{
	char f[48], nb[48], mx[48];

	ydoc_qty_format(&ydoc_kind_time, s->econ_for_s, f, sizeof f);
	ydoc_qty_format(&ydoc_kind_time, s->econ_not_before_s, nb, sizeof nb);
	ydoc_qty_format(&ydoc_kind_time, s->max_s, mx, sizeof mx);
	fprintf(out, " for %s", f);
	if (s->econ_not_before_s > 0)
		fprintf(out, ", not before %s of distilling", nb);
	fprintf(out, ", and at %s (its max) at the latest.\n", mx);
}

/* One economic step with the plant's prices. */
static void rcp_econ_priced(const struct rcp_recipe *r, const struct rcp_step *s,
                            const struct econ_cfg *e, FILE *out)
{
	double price = econ_oil_price_vnd_per_kg(e, r->feedstock);
	double steam = RCP_ECON_STEAM_KG_H_PER_KG * r->charge_max_kg;
	double cooling = RCP_ECON_COOLING_L_MIN_PER_KG_H * steam;
	double cost = econ_hour_cost_vnd(e, steam, cooling);
	char p[48], c[48];

	fprintf(out, "  step '%s' ends on economics: %s oil at %s a kg; an hour "
	        "at %.0f kg/h of steam (0.3 kg/h per kg of the largest charge, "
	        "%.0f kg) and %.0f L/min of cooling water costs %s, so the step "
	        "ends once the forecast oil of the next hour stays under %.3f kg",
	        s->name, r->feedstock, econ_format_vnd(p, sizeof p, price, "en"),
	        steam, r->charge_max_kg, cooling,
	        econ_format_vnd(c, sizeof c, cost, "en"),
	        price > 0 ? cost / price : NAN);
	rcp_econ_rule(s, out);
}

void rcp_econ_explain(const struct rcp_recipe *r, const struct cfg_plant *plant,
                      FILE *out)
{
	for (int i = 0; i < r->n_steps; i++) {
		const struct rcp_step *s = &r->steps[i];

		if (s->end != RCP_END_ECONOMIC)
			continue;
		if (plant != NULL && plant->econ.set) {
			rcp_econ_priced(r, s, &plant->econ, out);
			continue;
		}
		fprintf(out, "  step '%s' ends on economics: when the forecast oil of "
		        "the next hour is worth less than the hour costs (no plant "
		        "prices given)", s->name);
		rcp_econ_rule(s, out);
	}
}

const char *rcp_kind_name(enum rcp_kind k)
{
	if ((int)k < 0 || k > RCP_PROMPT)
		return NULL;
	return rcp_kind_names[k];
}
