/* cfg: the plant configuration. See cfg.h. */
#include "cfg.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg_econ.h"
#include "cfg_settle.h"
#include "num.h"
#include "ydoc.h"

static const char *const cfg_tag_names[CFG_TAG_COUNT] = {
	[CFG_TAG_STILL_TEMP] = "still_temp",
	[CFG_TAG_VAPOUR_TEMP] = "vapour_temp",
	[CFG_TAG_PRESSURE] = "pressure",
	[CFG_TAG_DISTILLATE_TEMP] = "distillate_temp",
	[CFG_TAG_COOLING_FLOW] = "cooling_flow",
	[CFG_TAG_STEAM_FLOW] = "steam_flow",
	[CFG_TAG_OIL] = "oil",
	[CFG_TAG_CHARGE] = "charge",
	[CFG_TAG_STEAM_POS] = "steam_valve",
	[CFG_TAG_COOLING_POS] = "cooling_valve",
	[CFG_TAG_STATUS] = "status",
	[CFG_TAG_STEAM_CMD] = "steam_cmd",
	[CFG_TAG_COOLING_CMD] = "cooling_cmd",
	[CFG_TAG_HEARTBEAT] = "heartbeat",
};

/* The simulator's default register map (docs/registers.md). */
static const struct cfg_reg cfg_default_map[CFG_TAG_COUNT] = {
	/* type, addr, words, order, signed, scale, offset, min, max */
	[CFG_TAG_STILL_TEMP] = {CFG_REG_INPUT, 0, 1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0, -20, 200},
	[CFG_TAG_VAPOUR_TEMP] = {CFG_REG_INPUT, 1, 1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0, -20, 200},
	[CFG_TAG_PRESSURE] = {CFG_REG_INPUT, 2, 1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0, -50, 300},
	[CFG_TAG_DISTILLATE_TEMP] = {CFG_REG_INPUT, 3, 1, CFG_WORDS_HIGH_FIRST, 1, 0.1, 0, -20, 150},
	[CFG_TAG_COOLING_FLOW] = {CFG_REG_INPUT, 4, 1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0, 0, 2000},
	[CFG_TAG_STEAM_FLOW] = {CFG_REG_INPUT, 5, 1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0, 0, 2000},
	[CFG_TAG_OIL] = {CFG_REG_INPUT, 6, 2, CFG_WORDS_HIGH_FIRST, 0, 1, 0, 0, 1e7},
	[CFG_TAG_CHARGE] = {CFG_REG_INPUT, 8, 1, CFG_WORDS_HIGH_FIRST, 0, 1, 0, 0, 5000},
	[CFG_TAG_STEAM_POS] = {CFG_REG_INPUT, 9, 1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0, 0, 100},
	[CFG_TAG_COOLING_POS] = {CFG_REG_INPUT, 10, 1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0, 0, 100},
	[CFG_TAG_STATUS] = {CFG_REG_INPUT, 11, 1, CFG_WORDS_HIGH_FIRST, 0, 1, 0, 0, 65535},
	[CFG_TAG_STEAM_CMD] = {CFG_REG_HOLDING, 0, 1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0, 0, 100},
	[CFG_TAG_COOLING_CMD] = {CFG_REG_HOLDING, 1, 1, CFG_WORDS_HIGH_FIRST, 0, 0.1, 0, 0, 100},
	[CFG_TAG_HEARTBEAT] = {CFG_REG_HOLDING, 2, 1, CFG_WORDS_HIGH_FIRST, 0, 1, 0, 0, 65535},
};

static void cfg_still_default(struct cfg_still *s, int i)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "still%d", i + 1);
	s->unit_id = i + 1;
	s->transport = CFG_TCP;
	snprintf(s->host, sizeof s->host, "127.0.0.1");
	s->port = 1502;
	s->baud = 19200;
	s->parity = 'E';
	s->data_bits = 8;
	s->stop_bits = 1;
	s->period_ms = 200;
	s->timeout_ms = 100;
}

static void cfg_pid_set(struct cfg_pid *p, double kp, double ti_s, double lo,
                        double hi, double rate)
{
	p->kp_pct_per_unit = kp;
	p->ti_s = ti_s;
	p->td_s = 0;
	p->out_min_pct = lo;
	p->out_max_pct = hi;
	p->rate_max_pct_per_s = rate;
}

void cfg_defaults(struct cfg_plant *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->site, sizeof p->site, "stillroom");
	p->n_stills = 2;
	for (int i = 0; i < p->n_stills; i++)
		cfg_still_default(&p->stills[i], i);
	memcpy(p->map, cfg_default_map, sizeof p->map);
	p->safe_steam_pct = 0;
	p->safe_cooling_pct = 100;
	p->limits.pressure_high_kpa = 25;
	p->limits.pressure_high_high_kpa = 40;
	p->limits.pressure_rise_kpa_per_min = 10;
	p->limits.vapour_temp_high_c = 110;
	p->limits.distillate_high_c = 45;
	p->limits.distillate_high_high_c = 60;
	p->limits.distillate_low_c = NAN;
	p->limits.cooling_flow_low_l_min = 60;
	p->limits.sensor_frozen_s = 600;
	cfg_pid_set(&p->pid_pressure, 2.0, 10, 0, 100, 5);
	cfg_pid_set(&p->pid_vapour, 5.0, 120, 0, 100, 5);
	cfg_pid_set(&p->pid_distillate, -4.0, 90, 0, 100, 10);
	p->tick_ms = 200;
	p->historian_ms = 1000;
	p->watchdog_ms = 2000;
	p->comm_loss_ticks = 5;
	p->sim_control_unit = 247;
	snprintf(p->db_path, sizeof p->db_path, "stillroom.db");
	snprintf(p->socket_path, sizeof p->socket_path, "stillroom.sock");
	snprintf(p->recipes_dir, sizeof p->recipes_dir, "recipes");
	snprintf(p->feedstocks_path, sizeof p->feedstocks_path, "simulator/feedstocks.yaml");
	snprintf(p->qa_spec_path, sizeof p->qa_spec_path, "config/qa.yaml");
	econ_defaults(&p->econ);   /* no economics unless the file has them */
	settle_defaults(&p->settle);   /* no settlement rule, households hidden */
	cfg_hist_defaults(&p->hist);   /* the built-in retention */
	cfg_link_defaults(&p->mqtt, &p->notify);   /* no MQTT, no notify hook */
	cfg_sync_defaults(&p->sync);   /* no central sync */
}

const char *cfg_default_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		/* programs live in BUILD/ under the source tree */
		for (int up = 0; slash && up < 2; up++) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/config/plant.yaml", exe);
			if (access(path, R_OK) == 0)
				return path;
			slash = strrchr(exe, '/');
		}
	}
	return SR_SYSCONFDIR "/plant.yaml";
}

const char *cfg_tag_name(enum cfg_tag t)
{
	if ((int)t < 0 || t >= CFG_TAG_COUNT)
		return NULL;
	return cfg_tag_names[t];
}

int cfg_tag_find(const char *name)
{
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		if (strcmp(cfg_tag_names[t], name) == 0)
			return t;
	return -1;
}

int cfg_still_find(const struct cfg_plant *p, const char *name)
{
	for (int i = 0; i < p->n_stills; i++)
		if (strcmp(p->stills[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- the quantity each tag measures ---- */

static const struct ydoc_kind *const cfg_tag_kinds[CFG_TAG_COUNT] = {
	[CFG_TAG_STILL_TEMP] = &ydoc_kind_temp,
	[CFG_TAG_VAPOUR_TEMP] = &ydoc_kind_temp,
	[CFG_TAG_PRESSURE] = &ydoc_kind_pressure,
	[CFG_TAG_DISTILLATE_TEMP] = &ydoc_kind_temp,
	[CFG_TAG_COOLING_FLOW] = &ydoc_kind_water_flow,
	[CFG_TAG_STEAM_FLOW] = &ydoc_kind_steam_flow,
	[CFG_TAG_OIL] = &ydoc_kind_mass_g,
	[CFG_TAG_CHARGE] = &ydoc_kind_mass_kg,
	[CFG_TAG_STEAM_POS] = &ydoc_kind_pct,
	[CFG_TAG_COOLING_POS] = &ydoc_kind_pct,
	[CFG_TAG_STATUS] = NULL,
	[CFG_TAG_STEAM_CMD] = &ydoc_kind_pct,
	[CFG_TAG_COOLING_CMD] = &ydoc_kind_pct,
	[CFG_TAG_HEARTBEAT] = NULL,
};

const struct ydoc_kind *cfg_tag_kind(enum cfg_tag t)
{
	if ((int)t < 0 || t >= CFG_TAG_COUNT)
		return NULL;
	return cfg_tag_kinds[t];
}

const struct cfg_reg *cfg_default_reg(enum cfg_tag t)
{
	if ((int)t < 0 || t >= CFG_TAG_COUNT)
		return NULL;
	return &cfg_default_map[t];
}

int cfg_tag_is_output(enum cfg_tag t)
{
	return t >= CFG_TAG_FIRST_OUTPUT && t < CFG_TAG_COUNT;
}

/* ---- cfg_load: the YAML file ---- */

#define CFG_READ_BLOCK_MAX 125   /* registers per Modbus read request */
#define CFG_WRITE_BLOCK_MAX 123  /* registers per write-multiple request */
#define CFG_SUN_PATH_MAX 107     /* bytes in a Unix socket path */
#define CFG_ENGINEERING_MAX 1e9  /* largest engineering value we accept */

/* Where a still's checked values sit in the file, for cross-checks. */
struct cfg_still_src {
	const struct ydoc_node *map;
	const struct ydoc_node *unit_id;
	const struct ydoc_node *period;
	const struct ydoc_node *timeout;
	int period_given;              /* else tick_ms applies */
	int timeout_given;             /* else period / 2 applies */
};

/* The top-level keys of the plant file. */
enum {
	CFG_K_SITE, CFG_K_SIMULATOR, CFG_K_STILLS, CFG_K_REGISTERS, CFG_K_SAFE,
	CFG_K_LIMITS, CFG_K_PID, CFG_K_TICK, CFG_K_HISTORIAN, CFG_K_WATCHDOG,
	CFG_K_COMM_LOSS, CFG_K_PATHS, CFG_K_ECONOMICS, CFG_K_SETTLEMENT,
	CFG_K_PRIVACY, CFG_K_HIST, CFG_K_MQTT, CFG_K_NOTIFY, CFG_K_SYNC, CFG_K_COUNT
};

struct cfg_reader {
	struct ydoc *doc;
	struct cfg_plant *p;
	char dir[CFG_PATH_MAX];        /* the file's directory */
	const struct ydoc_node *top[CFG_K_COUNT];
	const struct ydoc_node *reg_addr[CFG_TAG_COUNT];
	int reg_ok[CFG_TAG_COUNT];     /* entry read without errors */
	struct cfg_still_src still[CFG_STILLS_MAX];
};

static const struct ydoc_field cfg_top_fields[CFG_K_COUNT] = {
	[CFG_K_SITE] = {"site", 1},
	[CFG_K_SIMULATOR] = {"simulator", 0},
	[CFG_K_STILLS] = {"stills", 1},
	[CFG_K_REGISTERS] = {"registers", 1},
	[CFG_K_SAFE] = {"safe_outputs", 1},
	[CFG_K_LIMITS] = {"limits", 1},
	[CFG_K_PID] = {"pid", 1},
	[CFG_K_TICK] = {"tick_ms", 0},
	[CFG_K_HISTORIAN] = {"historian_ms", 0},
	[CFG_K_WATCHDOG] = {"watchdog_ms", 0},
	[CFG_K_COMM_LOSS] = {"comm_loss_ticks", 0},
	[CFG_K_PATHS] = {"paths", 1},
	[CFG_K_ECONOMICS] = {"economics", 0},
	[CFG_K_SETTLEMENT] = {"settlement", 0},
	[CFG_K_PRIVACY] = {"privacy", 0},
	[CFG_K_HIST] = {"historian", 0},
	[CFG_K_MQTT] = {"mqtt", 0},
	[CFG_K_NOTIFY] = {"notify", 0},
	[CFG_K_SYNC] = {"sync", 0},
};

/* An int key into *out (absent: *out stays). */
static void cfg_int(struct cfg_reader *r, const struct ydoc_node *n,
                    const char *key, long lo, long hi, int *out)
{
	long v;

	if (ydoc_int(r->doc, n, key, lo, hi, &v) == 0)
		*out = (int)v;
}

/* ---- stills ---- */

static const char *const cfg_parity_names[] = {"none", "even", "odd", NULL};
static const char cfg_parity_chars[] = {'N', 'E', 'O'};
static const long cfg_bauds[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};

/* "host:port" into s->host and s->port. */
static void cfg_read_tcp(struct cfg_reader *r, const struct ydoc_node *n,
                         struct cfg_still *s)
{
	char buf[96];
	char *colon;
	double port;
	int whole;

	if (ydoc_str(r->doc, n, "tcp", buf, sizeof buf) != 0)
		return;
	colon = strrchr(buf, ':');
	if (colon == NULL || colon == buf || (size_t)(colon - buf) >= sizeof s->host ||
	    colon[1] < '0' || colon[1] > '9') {
		ydoc_error(r->doc, n, "'tcp' must be host:port, e.g. 127.0.0.1:1502, "
		           "not \"%s\"", buf);
		return;
	}
	if (num_parse(colon + 1, &port, &whole) != NUM_OK || !whole || port < 1 || port > 65535) {
		ydoc_error(r->doc, n, "'tcp' port must be from 1 to 65535, not \"%s\"",
		           colon + 1);
		return;
	}
	*colon = '\0';
	snprintf(s->host, sizeof s->host, "%s", buf);
	s->port = (int)port;
}

static void cfg_read_rtu(struct cfg_reader *r, const struct ydoc_node *n,
                         struct cfg_still *s)
{
	static const struct ydoc_field fields[] = {
		{"device", 1}, {"baud", 0}, {"parity", 0}, {"data_bits", 0},
		{"stop_bits", 0},
	};
	const struct ydoc_node *v[5];
	int parity;
	long baud;

	if (ydoc_fields(r->doc, n, "'rtu'", fields, 5, v) < 0)
		return;
	ydoc_str(r->doc, v[0], "device", s->device, sizeof s->device);
	if (ydoc_int(r->doc, v[1], "baud", 1, 1000000, &baud) == 0) {
		size_t i;

		for (i = 0; i < sizeof cfg_bauds / sizeof cfg_bauds[0]; i++)
			if (cfg_bauds[i] == baud)
				break;
		if (i == sizeof cfg_bauds / sizeof cfg_bauds[0])
			ydoc_error(r->doc, v[1], "'baud' must be one of 1200, 2400, "
			           "4800, 9600, 19200, 38400, 57600 or 115200, not %ld",
			           baud);
		else
			s->baud = (int)baud;
	}
	if (ydoc_choice(r->doc, v[2], "parity", cfg_parity_names, &parity) == 0)
		s->parity = cfg_parity_chars[parity];
	cfg_int(r, v[3], "data_bits", 7, 8, &s->data_bits);
	cfg_int(r, v[4], "stop_bits", 1, 2, &s->stop_bits);
}

static void cfg_read_still(struct cfg_reader *r, const struct ydoc_node *n,
                           int i)
{
	static const struct ydoc_field fields[] = {
		{"name", 1}, {"unit_id", 1}, {"tcp", 0}, {"rtu", 0},
		{"period_ms", 0}, {"timeout_ms", 0},
	};
	struct cfg_still *s = &r->p->stills[i];
	struct cfg_still_src *src = &r->still[i];
	const struct ydoc_node *v[6];
	char what[32];

	cfg_still_default(s, i);
	snprintf(what, sizeof what, "still %d", i + 1);
	src->map = n;
	if (ydoc_fields(r->doc, n, what, fields, 6, v) < 0)
		return;
	ydoc_name(r->doc, v[0], "name", s->name, sizeof s->name);
	cfg_int(r, v[1], "unit_id", 1, 247, &s->unit_id);
	if ((v[2] == NULL) == (v[3] == NULL))
		ydoc_error(r->doc, n, "%s needs exactly one of 'tcp' (host:port) "
		           "or 'rtu' (serial line)", what);
	if (v[3] != NULL) {
		s->transport = CFG_RTU;
		cfg_read_rtu(r, v[3], s);
	}
	if (v[2] != NULL) {
		s->transport = CFG_TCP;
		cfg_read_tcp(r, v[2], s);
	}
	cfg_int(r, v[4], "period_ms", 10, 60000, &s->period_ms);
	cfg_int(r, v[5], "timeout_ms", 1, 30000, &s->timeout_ms);
	src->unit_id = v[1];
	src->period = v[4];
	src->timeout = v[5];
	src->period_given = v[4] != NULL;
	src->timeout_given = v[5] != NULL;
}

static void cfg_read_stills(struct cfg_reader *r, const struct ydoc_node *n)
{
	char got[16];

	r->p->n_stills = 0;
	if (n == NULL)
		return;
	if (n->type != YDOC_SEQ || ydoc_len(n) == 0) {
		snprintf(got, sizeof got, "%s", n->type == YDOC_MAP ? "a mapping"
		         : n->type == YDOC_SEQ ? "an empty list" : "text");
		ydoc_error(r->doc, n, "'stills' must be a list of 1 to %d stills, "
		           "not %s", CFG_STILLS_MAX, got);
		return;
	}
	if (ydoc_len(n) > CFG_STILLS_MAX) {
		ydoc_error(r->doc, n, "'stills' lists %d stills; at most %d",
		           ydoc_len(n), CFG_STILLS_MAX);
		return;
	}
	r->p->n_stills = ydoc_len(n);
	for (int i = 0; i < r->p->n_stills; i++)
		cfg_read_still(r, n->kid[i], i);
}

/* 1 when two stills share a Modbus line (same TCP endpoint or device). */
static int cfg_same_line(const struct cfg_still *a, const struct cfg_still *b)
{
	if (a->transport != b->transport)
		return 0;
	if (a->transport == CFG_TCP)
		return a->port == b->port && strcmp(a->host, b->host) == 0;
	return strcmp(a->device, b->device) == 0;
}

/* Unique names, unique unit ids per line, timeouts within half a period. */
static void cfg_check_stills(struct cfg_reader *r)
{
	struct cfg_plant *p = r->p;

	for (int i = 0; i < p->n_stills; i++) {
		struct cfg_still *s = &p->stills[i];
		struct cfg_still_src *src = &r->still[i];

		if (!src->period_given)
			s->period_ms = p->tick_ms;
		if (!src->timeout_given)
			s->timeout_ms = s->period_ms / 2;
		if (s->timeout_ms > s->period_ms / 2)
			ydoc_error(r->doc, src->timeout ? src->timeout : src->map,
			           "'timeout_ms' %d is more than half the still's "
			           "period (%d ms): a late reply would hold up the next "
			           "tick", s->timeout_ms, s->period_ms);
		if (s->unit_id == p->sim_control_unit)
			ydoc_error(r->doc, src->unit_id ? src->unit_id : src->map,
			           "'unit_id' %d is the simulator's control unit "
			           "(simulator.control_unit); pick another", s->unit_id);
		for (int j = 0; j < i; j++) {
			if (strcmp(p->stills[j].name, s->name) == 0)
				ydoc_error(r->doc, src->map, "still name '%s' is used "
				           "twice (first at line %d)", s->name,
				           r->still[j].map->line);
			else if (cfg_same_line(&p->stills[j], s) &&
			         p->stills[j].unit_id == s->unit_id)
				ydoc_error(r->doc, src->unit_id ? src->unit_id : src->map,
				           "'unit_id' %d is already used by still '%s' "
				           "on the same Modbus line", s->unit_id,
				           p->stills[j].name);
		}
	}
}

/* ---- the register map ---- */

static const char *const cfg_regtype_names[] = {"input", "holding", NULL};
static const char *const cfg_order_names[] = {"high_first", "low_first", NULL};

/* A value of tag t as people read it, with its unit. */
static char *cfg_tag_format(enum cfg_tag t, double v, char *buf, size_t size)
{
	if (cfg_tag_kinds[t] != NULL)
		return ydoc_qty_format(cfg_tag_kinds[t], v, buf, size);
	snprintf(buf, size, "%g", v);
	return buf;
}

/* A scale, offset or range key in the tag's unit (bare for counts). */
static int cfg_reg_value(struct cfg_reader *r, const struct ydoc_node *n,
                         const char *key, enum cfg_tag t, double lo, double hi,
                         double *out)
{
	const struct ydoc_kind *kind = cfg_tag_kinds[t];

	if (kind == NULL)
		return ydoc_num(r->doc, n, key, lo, hi, out);
	return ydoc_qty(r->doc, n, key, kind, lo, hi, out);
}

static void cfg_read_reg(struct cfg_reader *r, const struct ydoc_node *n,
                         enum cfg_tag t)
{
	static const struct ydoc_field fields[] = {
		{"type", 1}, {"address", 1}, {"scale", 1}, {"words", 0},
		{"order", 0}, {"signed", 0}, {"offset", 0}, {"min", 0}, {"max", 0},
	};
	struct cfg_reg *reg = &r->p->map[t];
	const struct ydoc_node *v[9];
	int errs = ydoc_error_count(r->doc), type, order;
	char what[48];
	const double big = CFG_ENGINEERING_MAX;

	snprintf(what, sizeof what, "register '%s'", cfg_tag_names[t]);
	if (ydoc_fields(r->doc, n, what, fields, 9, v) < 0)
		return;
	if (ydoc_choice(r->doc, v[0], "type", cfg_regtype_names, &type) == 0)
		reg->type = (enum cfg_regtype)type;
	cfg_int(r, v[1], "address", 0, 65535, &reg->address);
	if (cfg_reg_value(r, v[2], "scale", t, -1e6, 1e6, &reg->scale) == 0 &&
	    reg->scale == 0)
		ydoc_error(r->doc, v[2], "'scale' must not be 0");
	cfg_int(r, v[3], "words", 1, 2, &reg->words);
	if (ydoc_choice(r->doc, v[4], "order", cfg_order_names, &order) == 0)
		reg->order = (enum cfg_words)order;
	ydoc_bool(r->doc, v[5], "signed", &reg->is_signed);
	cfg_reg_value(r, v[6], "offset", t, -big, big, &reg->offset);
	cfg_reg_value(r, v[7], "min", t, -big, big, &reg->range_min);
	cfg_reg_value(r, v[8], "max", t, -big, big, &reg->range_max);
	if (cfg_tag_is_output(t) && reg->type != CFG_REG_HOLDING && v[0])
		ydoc_error(r->doc, v[0], "'%s' is written by the controller: its "
		           "'type' must be holding", cfg_tag_names[t]);
	ydoc_range_check(r->doc, v[7] ? v[7] : v[8] ? v[8] : n, what,
	                 cfg_tag_kinds[t], "min", reg->range_min, "max",
	                 reg->range_max);
	r->reg_addr[t] = v[1];
	r->reg_ok[t] = ydoc_error_count(r->doc) == errs;
}

/* The engineering values a tag's raw encoding can carry, lo..hi. */
static void cfg_reg_span(const struct cfg_reg *reg, double *lo, double *hi)
{
	double bits = reg->words == 2 ? 4294967296.0 : 65536.0;
	double raw_lo = reg->is_signed ? -bits / 2 : 0;
	double raw_hi = reg->is_signed ? bits / 2 - 1 : bits - 1;
	double a = raw_lo * reg->scale + reg->offset;
	double b = raw_hi * reg->scale + reg->offset;

	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

static void cfg_check_reg_range(struct cfg_reader *r, enum cfg_tag t)
{
	const struct cfg_reg *reg = &r->p->map[t];
	double lo, hi, need_lo = reg->range_min, need_hi = reg->range_max;
	char a[48], b[48], c[48], e[48];

	if (t == CFG_TAG_STEAM_CMD || t == CFG_TAG_COOLING_CMD) {
		need_lo = 0;
		need_hi = 100;
	}
	cfg_reg_span(reg, &lo, &hi);
	if (need_lo >= lo - 1e-9 && need_hi <= hi + 1e-9)
		return;
	ydoc_error(r->doc, r->reg_addr[t], "register '%s' cannot carry %s to %s: "
	           "with this scale, offset and size it reaches only %s to %s",
	           cfg_tag_names[t], cfg_tag_format(t, need_lo, a, sizeof a),
	           cfg_tag_format(t, need_hi, b, sizeof b),
	           cfg_tag_format(t, lo, c, sizeof c), cfg_tag_format(t, hi, e, sizeof e));
}

static const char *cfg_regtype_name(enum cfg_regtype t)
{
	return cfg_regtype_names[t];
}

/* Last address a tag occupies. */
static int cfg_reg_end(const struct cfg_reg *reg)
{
	return reg->address + reg->words - 1;
}

/* "input 6 to 7" or "holding 2": where a tag sits, for messages. */
static const char *cfg_reg_where(const struct cfg_reg *reg, char *buf, size_t size)
{
	if (reg->words > 1)
		snprintf(buf, size, "%s %d to %d", cfg_regtype_name(reg->type),
		         reg->address, cfg_reg_end(reg));
	else
		snprintf(buf, size, "%s %d", cfg_regtype_name(reg->type), reg->address);
	return buf;
}

static void cfg_check_overlaps(struct cfg_reader *r)
{
	const struct cfg_reg *map = r->p->map;
	char a[32], b[32];

	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		if (!r->reg_ok[t])
			continue;
		if (cfg_reg_end(&map[t]) > 65535) {
			ydoc_error(r->doc, r->reg_addr[t], "register '%s' at address "
			           "%d with %d words runs past the last address, 65535",
			           cfg_tag_names[t], map[t].address, map[t].words);
			r->reg_ok[t] = 0;
			continue;
		}
		for (int u = 0; u < t; u++) {
			if (!r->reg_ok[u] || map[u].type != map[t].type ||
			    map[u].address > cfg_reg_end(&map[t]) ||
			    map[t].address > cfg_reg_end(&map[u]))
				continue;
			ydoc_error(r->doc, r->reg_addr[t], "register '%s' (%s) "
			           "overlaps '%s' (%s)", cfg_tag_names[t],
			           cfg_reg_where(&map[t], a, sizeof a), cfg_tag_names[u],
			           cfg_reg_where(&map[u], b, sizeof b));
		}
	}
}

/*
 * One Modbus request per block: the tags read from one register type fit
 * in CFG_READ_BLOCK_MAX registers, the outputs in one write-multiple, and
 * no read tag sits inside the output block (the write would clobber it).
 */
static void cfg_check_blocks(struct cfg_reader *r)
{
	const struct cfg_reg *map = r->p->map;
	int lo[3] = {65536, 65536, 65536}, hi[3] = {-1, -1, -1};
	int first[3] = {-1, -1, -1};
	static const char *const block[3] = {"input", "holding", "output"};
	char where[32];

	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		int b = cfg_tag_is_output(t) ? 2 : (int)map[t].type;

		if (!r->reg_ok[t])
			continue;
		if (map[t].address < lo[b])
			lo[b] = map[t].address;
		if (cfg_reg_end(&map[t]) > hi[b])
			hi[b] = cfg_reg_end(&map[t]);
		if (first[b] < 0)
			first[b] = t;
	}
	for (int b = 0; b < 3; b++) {
		int max = b == 2 ? CFG_WRITE_BLOCK_MAX : CFG_READ_BLOCK_MAX;

		if (first[b] >= 0 && hi[b] - lo[b] + 1 > max)
			ydoc_error(r->doc, r->top[CFG_K_REGISTERS], "the %s registers "
			           "span addresses %d to %d (%d registers); one Modbus "
			           "request carries at most %d", block[b], lo[b], hi[b],
			           hi[b] - lo[b] + 1, max);
	}
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++)
		if (r->reg_ok[t] && map[t].type == CFG_REG_HOLDING && first[2] >= 0 &&
		    map[t].address <= hi[2] && cfg_reg_end(&map[t]) >= lo[2])
			ydoc_error(r->doc, r->reg_addr[t], "register '%s' (%s) lies "
			           "in the output block (holding %d to %d), which is "
			           "written every tick", cfg_tag_names[t],
			           cfg_reg_where(&map[t], where, sizeof where), lo[2], hi[2]);
}

static void cfg_read_registers(struct cfg_reader *r, const struct ydoc_node *n)
{
	struct ydoc_field fields[CFG_TAG_COUNT];
	const struct ydoc_node *v[CFG_TAG_COUNT];

	for (int t = 0; t < CFG_TAG_COUNT; t++)
		fields[t] = (struct ydoc_field){cfg_tag_names[t], 1};
	if (ydoc_fields(r->doc, n, "'registers'", fields, CFG_TAG_COUNT, v) < 0)
		return;
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		if (v[t] != NULL)
			cfg_read_reg(r, v[t], (enum cfg_tag)t);
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		if (r->reg_ok[t])
			cfg_check_reg_range(r, (enum cfg_tag)t);
	cfg_check_overlaps(r);
	cfg_check_blocks(r);
}

/* ---- outputs, limits, loops ---- */

#define CFG_LIM(key, req, kind, lo, hi, field) \
	{key, req, &ydoc_kind_##kind, lo, hi, offsetof(struct cfg_limits, field)}

static const struct ydoc_num_field cfg_limit_fields[] = {
	CFG_LIM("pressure_high", 1, pressure, 1, 100, pressure_high_kpa),
	CFG_LIM("pressure_high_high", 1, pressure, 1, 100, pressure_high_high_kpa),
	CFG_LIM("pressure_rise", 1, pressure_rate, 0.1, 1000, pressure_rise_kpa_per_min),
	CFG_LIM("vapour_temp_high", 1, temp, 90, 150, vapour_temp_high_c),
	CFG_LIM("distillate_high", 1, temp, 20, 95, distillate_high_c),
	CFG_LIM("distillate_high_high", 1, temp, 20, 100, distillate_high_high_c),
	CFG_LIM("distillate_low", 0, temp, 0, 40, distillate_low_c),
	CFG_LIM("cooling_flow_low", 1, water_flow, 0, 100000, cooling_flow_low_l_min),
	CFG_LIM("sensor_frozen", 0, time, 10, 86400, sensor_frozen_s),
};

static void cfg_read_limits(struct cfg_reader *r, const struct ydoc_node *n)
{
	struct cfg_limits *l = &r->p->limits;
	int n_fields = (int)(sizeof cfg_limit_fields / sizeof cfg_limit_fields[0]);

	if (ydoc_num_map(r->doc, n, "'limits'", cfg_limit_fields, n_fields, l) < 0)
		return;
	if (l->pressure_high_kpa >= l->pressure_high_high_kpa)
		ydoc_error(r->doc, ydoc_map_get(n, "pressure_high"), "'pressure_high' "
		           "(alarm) must be below 'pressure_high_high' (trip)");
	if (l->distillate_high_c >= l->distillate_high_high_c)
		ydoc_error(r->doc, ydoc_map_get(n, "distillate_high"), "'distillate_high' "
		           "(alarm) must be below 'distillate_high_high' (trip)");
	if (!isnan(l->distillate_low_c) && l->distillate_low_c >= l->distillate_high_c)
		ydoc_error(r->doc, ydoc_map_get(n, "distillate_low"), "'distillate_low' "
		           "must be below 'distillate_high'");
}

static void cfg_read_safe(struct cfg_reader *r, const struct ydoc_node *n)
{
	/* The steam valve closes on every fault: design invariant 1. */
	const struct ydoc_num_field fields[] = {
		{"steam", 1, &ydoc_kind_pct, 0, 0, offsetof(struct cfg_plant, safe_steam_pct)},
		{"cooling", 1, &ydoc_kind_pct, 0, 100,
		 offsetof(struct cfg_plant, safe_cooling_pct)},
	};

	ydoc_num_map(r->doc, n, "'safe_outputs'", fields, 2, r->p);
}

#define CFG_PID(key, req, kind, lo, hi, field) \
	{key, req, kind, lo, hi, offsetof(struct cfg_pid, field)}

/* One loop's tuning; sign > 0: more valve raises the measurement. */
static void cfg_read_loop(struct cfg_reader *r, const struct ydoc_node *n,
                          const char *loop, const struct ydoc_kind *gain,
                          int sign, struct cfg_pid *pid)
{
	const struct ydoc_num_field fields[] = {
		CFG_PID("kp", 1, gain, -1000, 1000, kp_pct_per_unit),
		CFG_PID("ti", 1, &ydoc_kind_time, 0, 3600, ti_s),
		CFG_PID("td", 0, &ydoc_kind_time, 0, 3600, td_s),
		CFG_PID("out_min", 0, &ydoc_kind_pct, 0, 100, out_min_pct),
		CFG_PID("out_max", 0, &ydoc_kind_pct, 0, 100, out_max_pct),
		CFG_PID("rate_max", 0, &ydoc_kind_pct_rate, 0.01, 100, rate_max_pct_per_s),
	};
	char what[32];

	snprintf(what, sizeof what, "'pid.%s'", loop);
	if (ydoc_num_map(r->doc, n, what, fields, 6, pid) < 0)
		return;
	ydoc_range_check(r->doc, n, what, &ydoc_kind_pct, "out_min",
	                 pid->out_min_pct, "out_max", pid->out_max_pct);
	if (sign * pid->kp_pct_per_unit <= 0)
		ydoc_error(r->doc, n, "%s: 'kp' must be %s: the error is setpoint "
		           "minus measurement, and opening the valve %s it", what,
		           sign > 0 ? "positive" : "negative",
		           sign > 0 ? "raises" : "lowers");
}

static void cfg_read_pid(struct cfg_reader *r, const struct ydoc_node *n)
{
	static const struct ydoc_field fields[] = {
		{"pressure", 1}, {"vapour_temp", 1}, {"distillate", 1},
	};
	const struct ydoc_node *v[3];

	if (ydoc_fields(r->doc, n, "'pid'", fields, 3, v) < 0)
		return;
	if (v[0])
		cfg_read_loop(r, v[0], "pressure", &ydoc_kind_gain_kpa, 1,
		              &r->p->pid_pressure);
	if (v[1])
		cfg_read_loop(r, v[1], "vapour_temp", &ydoc_kind_gain_c, 1,
		              &r->p->pid_vapour);
	if (v[2])
		cfg_read_loop(r, v[2], "distillate", &ydoc_kind_gain_c, -1,
		              &r->p->pid_distillate);
}

/* ---- timing and paths ---- */

static void cfg_read_timing(struct cfg_reader *r)
{
	struct cfg_plant *p = r->p;

	cfg_int(r, r->top[CFG_K_TICK], "tick_ms", 10, 60000, &p->tick_ms);
	cfg_int(r, r->top[CFG_K_HISTORIAN], "historian_ms", 100, 3600000,
	        &p->historian_ms);
	cfg_int(r, r->top[CFG_K_WATCHDOG], "watchdog_ms", 100, 60000,
	        &p->watchdog_ms);
	cfg_int(r, r->top[CFG_K_COMM_LOSS], "comm_loss_ticks", 1, 1000,
	        &p->comm_loss_ticks);
	if (p->historian_ms < p->tick_ms)
		ydoc_error(r->doc, r->top[CFG_K_HISTORIAN], "'historian_ms' %d is "
		           "shorter than 'tick_ms' %d: samples come once a tick",
		           p->historian_ms, p->tick_ms);
}

/* The field watchdog must outlast two periods of the slowest still. */
static void cfg_check_watchdog(struct cfg_reader *r)
{
	struct cfg_plant *p = r->p;
	int slowest = 0;

	for (int i = 0; i < p->n_stills; i++)
		if (p->stills[i].period_ms > slowest)
			slowest = p->stills[i].period_ms;
	if (p->watchdog_ms < 2 * slowest)
		ydoc_error(r->doc, r->top[CFG_K_WATCHDOG] ? r->top[CFG_K_WATCHDOG]
		           : ydoc_root(r->doc), "'watchdog_ms' %d is shorter than "
		           "two periods of the slowest still (%d ms): the field "
		           "watchdog would trip in normal running", p->watchdog_ms,
		           2 * slowest);
}

/* dir + "/" + rel (rel alone when absolute) with "." and ".." taken out
 * by name; -1 when it does not fit in size. */
static int cfg_path_join(const char *dir, const char *rel, char *out, size_t size)
{
	char buf[2 * CFG_PATH_MAX + 2];
	const char *part[CFG_PATH_MAX + 1];
	int n = 0, absolute, w;
	char *save = NULL, *tok;
	size_t o = 0;

	if (rel[0] == '/')
		w = snprintf(buf, sizeof buf, "%s", rel);
	else
		w = snprintf(buf, sizeof buf, "%s/%s", dir, rel);
	if (w < 0 || (size_t)w >= sizeof buf)
		return -1;
	absolute = buf[0] == '/';
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		int up = strcmp(tok, "..") == 0;

		if (strcmp(tok, ".") == 0 || (up && n == 0 && absolute))
			continue;
		if (up && n > 0 && strcmp(part[n - 1], "..") != 0) {
			n--;
			continue;
		}
		part[n++] = tok;
	}
	out[0] = '\0';
	if (n == 0)
		return snprintf(out, size, "%s", absolute ? "/" : ".") < (int)size ? 0 : -1;
	for (int i = 0; i < n; i++) {
		w = snprintf(out + o, size - o, "%s%s", i > 0 || absolute ? "/" : "",
		             part[i]);
		if (w < 0 || (size_t)w >= size - o)
			return -1;
		o += (size_t)w;
	}
	return 0;
}

/* The directory holding path, made absolute when it exists. */
static void cfg_dir_of(const char *path, char *dir, size_t size)
{
	char given[CFG_PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(given, sizeof given, ".");
	else if (slash == path)
		snprintf(given, sizeof given, "/");
	else
		snprintf(given, sizeof given, "%.*s", (int)(slash - path), path);
	if (realpath(given, real) != NULL && strlen(real) < size)
		snprintf(dir, size, "%s", real);
	else
		snprintf(dir, size, "%s", given);
}

/* A path key resolved against the file's directory into out. */
static void cfg_read_path(struct cfg_reader *r, const struct ydoc_node *n,
                          const char *key, size_t max, char *out)
{
	char given[CFG_PATH_MAX], joined[CFG_PATH_MAX];

	if (ydoc_str(r->doc, n, key, given, sizeof given) != 0)
		return;
	if (cfg_path_join(r->dir, given, joined, sizeof joined) < 0 ||
	    strlen(joined) > max) {
		ydoc_error(r->doc, n, "'%s' is too long: at most %zu bytes once "
		           "taken from the file's directory%s", key, max,
		           max == CFG_SUN_PATH_MAX ? " (a Unix socket path)" : "");
		return;
	}
	snprintf(out, CFG_PATH_MAX, "%s", joined);
}

static void cfg_read_paths(struct cfg_reader *r, const struct ydoc_node *n)
{
	static const struct ydoc_field fields[] = {
		{"database", 1}, {"socket", 1}, {"recipes", 1}, {"feedstocks", 1},
		{"qa_spec", 0},
	};
	const struct ydoc_node *v[5];
	struct cfg_plant *p = r->p;

	if (cfg_path_join(r->dir, "qa.yaml", p->qa_spec_path, sizeof p->qa_spec_path) < 0)
		snprintf(p->qa_spec_path, sizeof p->qa_spec_path, "qa.yaml");
	if (ydoc_fields(r->doc, n, "'paths'", fields, 5, v) < 0)
		return;
	cfg_read_path(r, v[0], "database", CFG_PATH_MAX - 1, p->db_path);
	cfg_read_path(r, v[1], "socket", CFG_SUN_PATH_MAX, p->socket_path);
	cfg_read_path(r, v[2], "recipes", CFG_PATH_MAX - 1, p->recipes_dir);
	cfg_read_path(r, v[3], "feedstocks", CFG_PATH_MAX - 1, p->feedstocks_path);
	cfg_read_path(r, v[4], "qa_spec", CFG_PATH_MAX - 1, p->qa_spec_path);
}

static void cfg_read_simulator(struct cfg_reader *r, const struct ydoc_node *n)
{
	static const struct ydoc_field fields[] = {{"control_unit", 1}};
	const struct ydoc_node *v[1];

	if (ydoc_fields(r->doc, n, "'simulator'", fields, 1, v) == 0)
		cfg_int(r, v[0], "control_unit", 1, 247, &r->p->sim_control_unit);
}

/* ---- the whole file ---- */

static void cfg_read(struct cfg_reader *r, const struct ydoc_node *root)
{
	if (root == NULL || ydoc_is_null(root)) {
		ydoc_error(r->doc, NULL, "the file is empty; a plant configuration "
		           "is a mapping with site, stills, registers, safe_outputs, "
		           "limits, pid and paths");
		return;
	}
	if (ydoc_fields(r->doc, root, "the plant configuration", cfg_top_fields,
	                CFG_K_COUNT, r->top) < 0)
		return;
	ydoc_str(r->doc, r->top[CFG_K_SITE], "site", r->p->site, sizeof r->p->site);
	cfg_read_simulator(r, r->top[CFG_K_SIMULATOR]);
	cfg_read_stills(r, r->top[CFG_K_STILLS]);
	cfg_read_registers(r, r->top[CFG_K_REGISTERS]);
	cfg_read_safe(r, r->top[CFG_K_SAFE]);
	cfg_read_limits(r, r->top[CFG_K_LIMITS]);
	cfg_read_pid(r, r->top[CFG_K_PID]);
	cfg_read_timing(r);
	cfg_read_paths(r, r->top[CFG_K_PATHS]);
	cfg_econ_read(r->doc, r->top[CFG_K_ECONOMICS], &r->p->econ);
	cfg_settle_read(r->doc, r->top[CFG_K_SETTLEMENT], r->top[CFG_K_PRIVACY],
	                &r->p->settle);
	cfg_hist_read(r->doc, r->top[CFG_K_HIST], &r->p->hist);
	cfg_link_read(r->doc, r->top[CFG_K_MQTT], r->top[CFG_K_NOTIFY],
	              &r->p->mqtt, &r->p->notify);
	cfg_sync_read(r->doc, r->top[CFG_K_SYNC], &r->p->sync);
	cfg_check_stills(r);
	cfg_check_watchdog(r);
}

int cfg_parse(struct cfg_plant *p, const char *path, const char *text,
              size_t len, struct diag *d)
{
	struct cfg_reader *r = calloc(1, sizeof *r);
	int rc = -1;

	if (r == NULL || (r->p = malloc(sizeof *r->p)) == NULL) {
		diag_add(d, path, 0, 0, "out of memory");
		goto out_free_reader;
	}
	r->doc = ydoc_parse(path, text, len, d);
	if (r->doc == NULL)
		goto out_free_reader;
	cfg_defaults(r->p);
	snprintf(r->p->path, sizeof r->p->path, "%s", path);
	cfg_dir_of(path, r->dir, sizeof r->dir);
	cfg_read(r, ydoc_root(r->doc));
	if (ydoc_error_count(r->doc) == 0) {
		memcpy(p, r->p, sizeof *p);
		rc = 0;
	}
	ydoc_sort_errors(r->doc);
	ydoc_free(r->doc);
out_free_reader:
	if (r != NULL)
		free(r->p);
	free(r);
	return rc;
}

int cfg_load(struct cfg_plant *p, const char *path, struct diag *d)
{
	char *text;
	size_t len;
	int rc;

	if (ydoc_read_file(path, &text, &len, d) < 0)
		return -1;
	rc = cfg_parse(p, path, text, len, d);
	free(text);
	return rc;
}
