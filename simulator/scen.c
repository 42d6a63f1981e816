/* scen: scenario timelines for the simulator. See scen.h. */
#include "scen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ydoc.h"

/* What a fault kind takes besides its name. */
enum scen_param { SCEN_P_NONE, SCEN_P_TAG, SCEN_P_RATE, SCEN_P_DELAY, SCEN_P_CODE };

struct scen_fault {
	const char *name;       /* as written after "fault:" */
	int reg;                /* PLANT_CTL_* (a base when it takes a tag) */
	enum scen_param param;
};

static const struct scen_fault scen_faults[] = {
	{"sensor_stuck", PLANT_CTL_SENSOR_STUCK, SCEN_P_TAG},
	{"sensor_broken", PLANT_CTL_SENSOR_BROKEN, SCEN_P_TAG},
	{"sensor_drift", PLANT_CTL_SENSOR_DRIFT, SCEN_P_RATE},
	{"steam_valve_stuck", PLANT_CTL_STEAM_VALVE_STUCK, SCEN_P_NONE},
	{"cooling_valve_stuck", PLANT_CTL_COOLING_VALVE_STUCK, SCEN_P_NONE},
	{"line_blocked", PLANT_CTL_LINE_BLOCKED, SCEN_P_NONE},
	{"cooling_lost", PLANT_CTL_COOLING_LOST, SCEN_P_NONE},
	{"reply_delay", PLANT_CTL_REPLY_DELAY_MS, SCEN_P_DELAY},
	{"exception", PLANT_CTL_EXCEPTION, SCEN_P_CODE},
	{"drop_connection", PLANT_CTL_DROP, SCEN_P_NONE},
	{"silent", PLANT_CTL_SILENT, SCEN_P_NONE},
	{"watchdog_off", PLANT_CTL_WATCHDOG_OFF, SCEN_P_NONE},
};
#define SCEN_FAULTS ((int)(sizeof scen_faults / sizeof scen_faults[0]))

/* An event's keys, in the order of scen_fields. */
enum scen_key {
	K_AT, K_STILL, K_FAULT, K_CLEAR, K_CHARGE, K_SET,
	K_FOR, K_TAG, K_RATE, K_DELAY, K_CODE, K_KG, K_MOISTURE, K_VALUE,
	K_COUNT
};
#define K_FIRST_PARAM K_FOR

static const struct ydoc_field scen_fields[K_COUNT] = {
	[K_AT] = {"at", 1},         [K_STILL] = {"still", 0},
	[K_FAULT] = {"fault", 0},   [K_CLEAR] = {"clear", 0},
	[K_CHARGE] = {"charge", 0}, [K_SET] = {"set", 0},
	[K_FOR] = {"for", 0},       [K_TAG] = {"tag", 0},
	[K_RATE] = {"rate", 0},     [K_DELAY] = {"delay_ms", 0},
	[K_CODE] = {"code", 0},     [K_KG] = {"kg", 0},
	[K_MOISTURE] = {"moisture", 0}, [K_VALUE] = {"value", 0},
};

#define SCEN_AT_MAX_S (366.0 * 86400) /* a year of simulated time */

/* One scenario being read. */
struct scen_ctx {
	struct ydoc *doc;
	const struct cfg_plant *cfg;
	const struct model_feed *feeds;
	int n_feeds;
	struct plant_event *ev;     /* out, max of them */
	int max;
	int n;
	int full;                   /* "too many events" was said */
};

/* The event being read. */
struct scen_item {
	const struct ydoc_node *node;
	const struct ydoc_node *v[K_COUNT];
	double at_s;
	int still;
};

const char *scen_fault_name(int i)
{
	return i >= 0 && i < SCEN_FAULTS ? scen_faults[i].name : NULL;
}

/* Appends an event; says once when there are too many. */
static void scen_add(struct scen_ctx *c, const struct scen_item *it, double at_s,
                     enum plant_ev_kind kind, int index, double value)
{
	if (c->n >= c->max) {
		if (!c->full)
			ydoc_error(c->doc, it->node, "too many events: a scenario makes at most %d",
			           c->max);
		c->full = 1;
		return;
	}
	c->ev[c->n].at_s = at_s;
	c->ev[c->n].still = it->still;
	c->ev[c->n].kind = kind;
	c->ev[c->n].index = index;
	c->ev[c->n].value = value;
	c->ev[c->n].line = it->node->line;
	c->n++;
}

/* The key node of map whose text is key (for error positions). */
static const struct ydoc_node *scen_key_node(const struct ydoc_node *map, const char *key)
{
	for (int i = 0; i < ydoc_len(map); i++)
		if (strcmp(ydoc_map_key(map, i)->str, key) == 0)
			return ydoc_map_key(map, i);
	return map;
}

/* A tag, from the list of tags lo..hi-1 ("tag" or "set"). Returns it or -1. */
static int scen_tag(struct scen_ctx *c, const struct ydoc_node *n, const char *key, int lo,
                    int hi)
{
	const char *names[CFG_TAG_COUNT + 1];
	int k = 0, idx;

	for (int t = lo; t < hi; t++)
		names[k++] = cfg_tag_name(t);
	names[k] = NULL;
	if (ydoc_choice(c->doc, n, key, names, &idx) != 0)
		return -1;
	return lo + idx;
}

/* Reports name as unknown among cand[0..n), with a likely typo or the list. */
static void scen_unknown(struct scen_ctx *c, const struct ydoc_node *at, const char *what,
                         const char *name, const char *const *cand, int n)
{
	const char *near = ydoc_closest(name, cand, n);
	char list[200] = "";
	size_t used = 0;

	if (near != NULL) {
		ydoc_error(c->doc, at, "unknown %s '%s' (did you mean '%s'?)", what, name, near);
		return;
	}
	for (int i = 0; i < n && used < sizeof list; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
		                         i ? ", " : "", cand[i]);
	ydoc_error(c->doc, at, "unknown %s '%s': known are %s", what, name, list);
}

/* The still an event names, -1 for every still; -2 after an error. */
static int scen_still(struct scen_ctx *c, const struct ydoc_node *n)
{
	const char *names[CFG_STILLS_MAX];
	char name[CFG_NAME_MAX];
	int i;

	if (n == NULL)
		return -1;
	if (ydoc_str(c->doc, n, "still", name, sizeof name) != 0)
		return -2;
	if (strcmp(name, "all") == 0)
		return -1;
	i = cfg_still_find(c->cfg, name);
	if (i >= 0)
		return i;
	for (i = 0; i < c->cfg->n_stills; i++)
		names[i] = c->cfg->stills[i].name;
	scen_unknown(c, n, "still", name, names, c->cfg->n_stills);
	return -2;
}

/* The feedstock named at n, or -1 after an error. */
static int scen_feed(struct scen_ctx *c, const struct ydoc_node *n)
{
	const char *names[PLANT_FEEDS_MAX];
	char name[MODEL_FEED_NAME_MAX];
	int k = c->n_feeds < PLANT_FEEDS_MAX ? c->n_feeds : PLANT_FEEDS_MAX;

	if (ydoc_str(c->doc, n, "charge", name, sizeof name) != 0)
		return -1;
	for (int i = 0; i < k; i++) {
		names[i] = c->feeds[i].name;
		if (strcmp(name, c->feeds[i].name) == 0)
			return i;
	}
	scen_unknown(c, n, "feedstock", name, names, k);
	return -1;
}

/* Reports the parameter keys present in it but not in allowed (a mask of
 * 1 << K_*), saying what they do not go with. Returns -1 if any. */
static int scen_params_allowed(struct scen_ctx *c, const struct scen_item *it,
                               unsigned allowed, const char *with)
{
	int bad = 0;

	for (int k = K_FIRST_PARAM; k < K_COUNT; k++)
		if (it->v[k] != NULL && !(allowed & 1u << k)) {
			ydoc_error(c->doc, scen_key_node(it->node, scen_fields[k].key),
			           "'%s' does not go with %s", scen_fields[k].key, with);
			bad = -1;
		}
	return bad;
}

/* Requires key k in the event; reports its absence at the action's value. */
static int scen_need(struct scen_ctx *c, const struct scen_item *it, int k,
                     const struct ydoc_node *action, const char *with)
{
	if (it->v[k] != NULL)
		return 0;
	ydoc_error(c->doc, action, "%s needs '%s'", with, scen_fields[k].key);
	return -1;
}

/* The mask of parameter keys a fault kind takes. */
static unsigned scen_fault_params(enum scen_param p)
{
	switch (p) {
	case SCEN_P_TAG:
		return 1u << K_TAG;
	case SCEN_P_RATE:
		return 1u << K_TAG | 1u << K_RATE;
	case SCEN_P_DELAY:
		return 1u << K_DELAY;
	case SCEN_P_CODE:
		return 1u << K_CODE;
	default:
		return 0;
	}
}

/* The register and the raw value that set fault f from its parameters;
 * returns -1 after an error. */
static int scen_fault_value(struct scen_ctx *c, const struct scen_item *it,
                            const struct scen_fault *f, int *reg, double *raw)
{
	double x;
	long code;
	int tag;

	*reg = f->reg;
	*raw = 1;
	switch (f->param) {
	case SCEN_P_TAG:
	case SCEN_P_RATE:
		tag = scen_tag(c, it->v[K_TAG], "tag", 0, CFG_TAG_FIRST_OUTPUT);
		if (tag < 0)
			return -1;
		*reg = f->reg + tag;
		if (f->param == SCEN_P_TAG)
			return 0;
		if (ydoc_num(c->doc, it->v[K_RATE], "rate", -327.67, 327.67, &x) != 0)
			return -1;
		*raw = round(x * 100);
		return 0;
	case SCEN_P_DELAY:
		if (ydoc_int(c->doc, it->v[K_DELAY], "delay_ms", 1, 65535, &code) != 0)
			return -1;
		*raw = (double)code;
		return 0;
	case SCEN_P_CODE:
		if (ydoc_int(c->doc, it->v[K_CODE], "code", 1, 11, &code) != 0)
			return -1;
		*raw = (double)code;
		return 0;
	default:
		return 0;
	}
}

/* "fault: KIND [for: T]" and its parameters. */
static void scen_do_fault(struct scen_ctx *c, const struct scen_item *it)
{
	const char *names[SCEN_FAULTS + 1];
	const struct scen_fault *f;
	char with[64];
	double for_s = 0, raw;
	int idx, reg;

	for (int i = 0; i < SCEN_FAULTS; i++)
		names[i] = scen_faults[i].name;
	names[SCEN_FAULTS] = NULL;
	if (ydoc_choice(c->doc, it->v[K_FAULT], "fault", names, &idx) != 0)
		return;
	f = &scen_faults[idx];
	snprintf(with, sizeof with, "fault '%s'", f->name);
	if (scen_params_allowed(c, it, 1u << K_FOR | scen_fault_params(f->param), with) < 0)
		return;
	if (f->param == SCEN_P_TAG || f->param == SCEN_P_RATE)
		if (scen_need(c, it, K_TAG, it->v[K_FAULT], with) < 0)
			return;
	if ((f->param == SCEN_P_RATE && scen_need(c, it, K_RATE, it->v[K_FAULT], with) < 0) ||
	    (f->param == SCEN_P_DELAY && scen_need(c, it, K_DELAY, it->v[K_FAULT], with) < 0) ||
	    (f->param == SCEN_P_CODE && scen_need(c, it, K_CODE, it->v[K_FAULT], with) < 0))
		return;
	if (scen_fault_value(c, it, f, &reg, &raw) < 0)
		return;
	if (ydoc_qty(c->doc, it->v[K_FOR], "for", &ydoc_kind_time, PLANT_DT_S, SCEN_AT_MAX_S,
	             &for_s) < 0)
		return;
	scen_add(c, it, it->at_s, PLANT_EV_CTL, reg, raw);
	if (it->v[K_FOR] != NULL)
		scen_add(c, it, it->at_s + for_s, PLANT_EV_CTL, reg, 0);
}

/* "clear: KIND|all [tag: TAG]". */
static void scen_do_clear(struct scen_ctx *c, const struct scen_item *it)
{
	const char *names[SCEN_FAULTS + 2];
	const struct scen_fault *f;
	char with[64];
	int idx, tag;

	for (int i = 0; i < SCEN_FAULTS; i++)
		names[i] = scen_faults[i].name;
	names[SCEN_FAULTS] = "all";
	names[SCEN_FAULTS + 1] = NULL;
	if (ydoc_choice(c->doc, it->v[K_CLEAR], "clear", names, &idx) != 0)
		return;
	if (idx == SCEN_FAULTS) {
		if (scen_params_allowed(c, it, 0, "clear 'all'") == 0)
			scen_add(c, it, it->at_s, PLANT_EV_CTL, PLANT_CTL_CLEAR, 1);
		return;
	}
	f = &scen_faults[idx];
	snprintf(with, sizeof with, "clear '%s'", f->name);
	if (f->param != SCEN_P_TAG && f->param != SCEN_P_RATE) {
		if (scen_params_allowed(c, it, 0, with) == 0)
			scen_add(c, it, it->at_s, PLANT_EV_CTL, f->reg, 0);
		return;
	}
	if (scen_params_allowed(c, it, 1u << K_TAG, with) < 0 ||
	    scen_need(c, it, K_TAG, it->v[K_CLEAR], with) < 0)
		return;
	tag = scen_tag(c, it->v[K_TAG], "tag", 0, CFG_TAG_FIRST_OUTPUT);
	if (tag >= 0)
		scen_add(c, it, it->at_s, PLANT_EV_CTL, f->reg + tag, 0);
}

/* "charge: FEED [kg: M] [moisture: P]": the control unit's load command. */
static void scen_do_charge(struct scen_ctx *c, const struct scen_item *it)
{
	double kg = 0, moisture_pct = 0;
	int feed;

	if (scen_params_allowed(c, it, 1u << K_KG | 1u << K_MOISTURE, "charge") < 0)
		return;
	feed = scen_feed(c, it->v[K_CHARGE]);
	if (ydoc_qty(c->doc, it->v[K_KG], "kg", &ydoc_kind_mass_kg, 1, 65535, &kg) < 0 ||
	    ydoc_qty(c->doc, it->v[K_MOISTURE], "moisture", &ydoc_kind_pct, 0.1, 99.9,
	             &moisture_pct) < 0 || feed < 0)
		return;
	scen_add(c, it, it->at_s, PLANT_EV_CTL, PLANT_CTL_LOAD_KG, round(kg));
	scen_add(c, it, it->at_s, PLANT_EV_CTL, PLANT_CTL_LOAD_MOISTURE, round(moisture_pct * 10));
	scen_add(c, it, it->at_s, PLANT_EV_CTL, PLANT_CTL_LOAD_FEED, feed + 1);
}

/* "set: TAG value: X": a write the controller would make. */
static void scen_do_set(struct scen_ctx *c, const struct scen_item *it)
{
	const struct cfg_reg *r;
	double x;
	int tag;

	if (scen_params_allowed(c, it, 1u << K_VALUE, "set") < 0 ||
	    scen_need(c, it, K_VALUE, it->v[K_SET], "set") < 0)
		return;
	tag = scen_tag(c, it->v[K_SET], "set", CFG_TAG_FIRST_OUTPUT, CFG_TAG_COUNT);
	if (tag < 0)
		return;
	r = &c->cfg->map[tag];
	if (ydoc_num(c->doc, it->v[K_VALUE], "value", r->range_min, r->range_max, &x) == 0)
		scen_add(c, it, it->at_s, PLANT_EV_OUTPUT, tag, x);
}

/* One list item: an event. */
static void scen_event(struct scen_ctx *c, const struct ydoc_node *node)
{
	static const int actions[] = {K_FAULT, K_CLEAR, K_CHARGE, K_SET};
	struct scen_item it = {.node = node};
	int action = -1;

	if (ydoc_fields(c->doc, node, "event", scen_fields, K_COUNT, it.v) < 0)
		return;
	for (int i = 0; i < 4; i++) {
		if (it.v[actions[i]] == NULL)
			continue;
		if (action >= 0) {
			ydoc_error(c->doc, scen_key_node(node, scen_fields[actions[i]].key),
			           "one event, one action: '%s' and '%s' need two events",
			           scen_fields[action].key, scen_fields[actions[i]].key);
			return;
		}
		action = actions[i];
	}
	if (action < 0) {
		ydoc_error(c->doc, node, "event needs one of 'fault', 'clear', 'charge' or 'set'");
		scen_still(c, it.v[K_STILL]);
		return;
	}
	/* on a bad time or still, go on: the action may hold errors too, and
	 * no event is kept from a file with errors */
	it.still = scen_still(c, it.v[K_STILL]);
	if (it.still < -1)
		it.still = -1;
	if (it.v[K_AT] != NULL)
		ydoc_qty(c->doc, it.v[K_AT], "at", &ydoc_kind_time, 0, SCEN_AT_MAX_S, &it.at_s);
	if (action == K_FAULT)
		scen_do_fault(c, &it);
	else if (action == K_CLEAR)
		scen_do_clear(c, &it);
	else if (action == K_CHARGE)
		scen_do_charge(c, &it);
	else
		scen_do_set(c, &it);
}

int scen_parse(const char *file, const char *text, size_t len, const struct cfg_plant *cfg,
               const struct model_feed *feeds, int n_feeds, struct plant_event *ev, int max,
               struct diag *d)
{
	struct scen_ctx c = {.cfg = cfg, .feeds = feeds, .n_feeds = n_feeds, .ev = ev,
	                     .max = max};
	const struct ydoc_node *root;
	int bad;

	c.doc = ydoc_parse(file, text, len, d);
	if (c.doc == NULL)
		return -1;
	root = ydoc_root(c.doc);
	if (root == NULL || (root->type == YDOC_SEQ && ydoc_len(root) == 0))
		ydoc_error(c.doc, root, "no events: a scenario is a list of '- at: ...' items");
	else if (root->type != YDOC_SEQ)
		ydoc_error(c.doc, root, "a scenario is a list of events ('- at: 40 minutes'), "
		                        "not a %s", root->type == YDOC_MAP ? "mapping" : "scalar");
	else
		for (int i = 0; i < ydoc_len(root); i++)
			scen_event(&c, root->kid[i]);
	bad = ydoc_error_count(c.doc) > 0;
	ydoc_free(c.doc);
	return bad ? -1 : c.n;
}

int scen_load(const char *path, const struct cfg_plant *cfg, const struct model_feed *feeds,
              int n_feeds, struct plant_event *ev, int max, struct diag *d)
{
	char *text;
	size_t len;
	int n;

	if (ydoc_read_file(path, &text, &len, d) < 0)
		return -1;
	n = scen_parse(path, text, len, cfg, feeds, n_feeds, ev, max, d);
	free(text);
	return n;
}
