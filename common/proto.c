/* proto: the local socket protocol's lexical layer. See proto.h. */
#include "proto.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

/* A request verb: how many positional arguments follow it. */
static const struct proto_verb {
	const char *verb;
	int min_pos, max_pos;
	const char *usage;   /* for messages, as in docs/PROTOCOL.md */
} proto_verbs[] = {
	{"hello", 0, 0, "hello"},
	{"status", 0, 1, "status [json]"},
	{"alarms", 0, 1, "alarms [STILL]"},
	{"recipes", 0, 0, "recipes"},
	{"steps", 1, 1, "steps RECIPE"},
	{"start", 1, 1, "start STILL recipe=NAME lot=LOT mass=KG | lots=LOT:KG,LOT:KG [mass=KG] "
	 "operator=NAME"},
	{"hold", 1, 1, "hold STILL operator=NAME"},
	{"restart", 1, 1, "restart STILL operator=NAME"},
	{"stop", 1, 1, "stop STILL operator=NAME"},
	{"abort", 1, 1, "abort STILL operator=NAME"},
	{"reset", 1, 1, "reset STILL operator=NAME"},
	{"ack", 1, 2, "ack STILL [ALARM] operator=NAME"},
	{"shelve", 2, 2, "shelve STILL ALARM minutes=N reason=TEXT operator=NAME"},
	{"answer", 1, 2, "answer STILL text=TEXT operator=NAME"},
	{"manual", 3, 3, "manual STILL steam|cooling PCT operator=NAME"},
	{"auto", 2, 2, "auto STILL steam|cooling operator=NAME"},
	{"lot-add", 1, 1, "lot-add LOT feedstock=F mass=KG grower=NAME origin=PLACE ..."},
	{"reload", 0, 0, "reload"},
	{"weigh", 1, 1, "weigh BATCH oil_kg=KG [why=TEXT] operator=NAME"},
	{"qa", 1, 1, "qa BATCH density=D ri=N marker=PCT analyst=NAME operator=NAME"},
	{"decide", 1, 1, "decide BATCH decision=release|quarantine|reject operator=NAME"},
	{"lot-correct", 1, 1, "lot-correct LOT [moisture=PCT] [oil_content=PCT] [KEY=VALUE...] "
	 "why=TEXT operator=NAME"},
	{"drum-fill", 1, 1, "drum-fill DRUM batch=ID kg=KG [tare=KG] [organic=1|0] operator=NAME"},
	{"ship", 1, PROTO_ARGS_MAX, "ship DRUM [DRUM...] buyer=NAME doc=NO date=YYYY-MM-DD "
	 "operator=NAME"},
	{"advance", 1, 1, "advance GROWER vnd=N date=YYYY-MM-DD [why=TEXT] operator=NAME"},
};

#define PROTO_BATCH_ID {"batch id", "", 1, 2147483647, 0}

/* Every number a request carries: verb, key (NULL: positional pos), whole
 * or real, and its field. A manual output's field has no name: it is the
 * word before it (steam or cooling). Adding a number is one line. */
static const struct proto_num {
	const char *verb;
	const char *key;
	int pos;
	int whole;
	struct num_field f;
} proto_nums[] = {
	{"start", "mass", 0, 0, {"mass", "kg", 0, 1e6, 1}},
	{"shelve", "minutes", 0, 0, {"minutes", "min", 0, 1440, 1}},
	{"manual", NULL, 3, 0, {NULL, "%", 0, 100, 0}},
	{"lot-add", "mass", 0, 0, {"mass", "kg", 0, 1e6, 1}},
	{"lot-add", "moisture", 0, 0, {"moisture", "%", 0, 99.9, 0}},
	{"lot-add", "drying_days", 0, 1, {"drying days", "days", 0, 3650, 0}},
	{"weigh", NULL, 1, 1, PROTO_BATCH_ID},
	{"weigh", "oil_kg", 0, 0, {"oil", "kg", 0, 1e4, 1}},
	{"qa", NULL, 1, 1, PROTO_BATCH_ID},
	{"qa", "density", 0, 0, {"density", "", 0.5, 2.0, 0}},
	{"qa", "ri", 0, 0, {"refractive index", "", 1.0, 2.0, 0}},
	{"qa", "refractive_index", 0, 0, {"refractive index", "", 1.0, 2.0, 0}},
	{"qa", "marker", 0, 0, {"marker", "%", 0, 100, 0}},
	{"qa", "marker_pct", 0, 0, {"marker", "%", 0, 100, 0}},
	{"decide", NULL, 1, 1, PROTO_BATCH_ID},
	{"lot-add", "price", 0, 1, {"price", "VND/kg", 0, 1e9, 0}},
	{"lot-correct", "moisture", 0, 0, {"moisture", "%", 0, 99.9, 0}},
	{"lot-correct", "oil_content", 0, 0, {"oil content", "%", 0, 100, 1}},
	{"lot-correct", "price", 0, 1, {"price", "VND/kg", 0, 1e9, 0}},
	{"lot-correct", "drying_days", 0, 1, {"drying days", "days", 0, 3650, 0}},
	{"drum-fill", "batch", 0, 1, PROTO_BATCH_ID},
	{"drum-fill", "kg", 0, 0, {"oil", "kg", 0, 1e4, 1}},
	{"drum-fill", "tare", 0, 0, {"tare", "kg", 0, 1000, 0}},
	{"drum-fill", "organic", 0, 1, {"organic", "", 0, 1, 0}},
	{"advance", "vnd", 0, 1, {"advance", "VND", 0, 1e12, 1}},
};

/* Reads one token starting at *pp into *out (bounded by end). Returns 1 when
 * a token was read, 0 at end of line, -1 on an unterminated quote. */
static int proto_token(const char **pp, char **out, char *end)
{
	const char *p = *pp;
	char *o = *out;
	int quoted = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	while (*p != '\0' && (quoted || (*p != ' ' && *p != '\t'))) {
		if (o >= end - 1)
			return -2;
		if (*p == '"') {
			quoted = !quoted;
			p++;
			continue;
		}
		if (quoted && *p == '\\' && p[1] != '\0') {
			p++;
			*o++ = *p == 'n' ? '\n' : *p;
			p++;
			continue;
		}
		*o++ = *p++;
	}
	if (quoted)
		return -1;
	*o++ = '\0';
	*pp = p;
	*out = o;
	return 1;
}

int proto_split(struct proto_args *a, const char *line, char *cause,
                size_t cause_len)
{
	const char *p = line;
	char *o = a->buf;
	int rc;

	a->argc = 0;
	if (strlen(line) >= PROTO_LINE_MAX) {
		snprintf(cause, cause_len, "line longer than %d bytes", PROTO_LINE_MAX - 1);
		return -1;
	}
	for (;;) {
		char *start = o;

		rc = proto_token(&p, &o, a->buf + sizeof a->buf);
		if (rc == 0)
			return 0;
		if (rc == -1) {
			snprintf(cause, cause_len, "unterminated quote");
			return -1;
		}
		if (rc < 0 || a->argc >= PROTO_ARGS_MAX) {
			snprintf(cause, cause_len, "too many or too long arguments (at most %d)",
			         PROTO_ARGS_MAX);
			return -1;
		}
		a->argv[a->argc++] = start;
	}
}

const char *proto_opt(const struct proto_args *a, const char *key)
{
	size_t klen = strlen(key);

	for (int i = 1; i < a->argc; i++)
		if (strncmp(a->argv[i], key, klen) == 0 && a->argv[i][klen] == '=')
			return a->argv[i] + klen + 1;
	return NULL;
}

const char *proto_pos(const struct proto_args *a, int n)
{
	int seen = 0;

	for (int i = 0; i < a->argc; i++) {
		if (i > 0 && strchr(a->argv[i], '=') != NULL)
			continue;
		if (seen++ == n)
			return a->argv[i];
	}
	return NULL;
}

/* 1 when s must be quoted to survive proto_split as one token. */
static int proto_needs_quote(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '"' || *s == '\\' || *s == '\n')
			return 1;
	return 0;
}

/* Appends c to out at *n; 0 when it fit, -1 when out is full. */
static int proto_put(char *out, size_t out_len, size_t *n, char c)
{
	if (*n + 1 >= out_len)
		return -1;
	out[(*n)++] = c;
	out[*n] = '\0';
	return 0;
}

int proto_append(char *out, size_t out_len, const char *key, const char *value)
{
	size_t n = strlen(out);
	int quote = proto_needs_quote(value);
	int rc = 0;

	if (n > 0)
		rc |= proto_put(out, out_len, &n, ' ');
	for (const char *k = key; k && *k; k++)
		rc |= proto_put(out, out_len, &n, *k);
	if (key)
		rc |= proto_put(out, out_len, &n, '=');
	if (quote)
		rc |= proto_put(out, out_len, &n, '"');
	for (const char *v = value; *v; v++) {
		if (*v == '"' || *v == '\\' || *v == '\n')
			rc |= proto_put(out, out_len, &n, '\\');
		rc |= proto_put(out, out_len, &n, *v == '\n' ? 'n' : *v);
	}
	if (quote)
		rc |= proto_put(out, out_len, &n, '"');
	return rc;
}

int proto_kv_get(const char *line, const char *key, char *out, size_t out_len)
{
	static __thread struct proto_args a;
	char cause[64];
	const char *v;

	if (proto_split(&a, line, cause, sizeof cause) < 0)
		return -1;
	v = proto_opt(&a, key);
	if (v == NULL)
		return -1;
	snprintf(out, out_len, "%s", v);
	return 0;
}

/* Reads the number of entry e in a. 0, 1 when absent, -1 with cause. */
static int proto_read_num(const struct proto_args *a, const struct proto_num *e,
                          double *out, char *cause, size_t cause_len)
{
	const char *text = e->key ? proto_opt(a, e->key) : proto_pos(a, e->pos);
	struct num_field f = e->f;
	long l;

	if (text == NULL)
		return 1;
	if (f.name == NULL)
		f.name = proto_pos(a, e->pos - 1) ? proto_pos(a, e->pos - 1) : "number";
	if (!e->whole)
		return num_real(text, &f, out, cause, cause_len);
	if (num_int(text, &f, &l, cause, cause_len) < 0)
		return -1;
	*out = (double)l;
	return 0;
}

/* Checks start's lot= or lots= (one of them, lots= well formed). */
static int proto_check_start(const struct proto_args *a, char *cause, size_t cause_len)
{
	struct proto_lot lots[PROTO_LOTS_MAX];
	const char *many = proto_opt(a, "lots");

	if (many == NULL)
		return 0;
	if (proto_opt(a, "lot") != NULL) {
		snprintf(cause, cause_len, "start: give lot=LOT mass=KG or lots=LOT:KG,LOT:KG, "
		         "not both");
		return -1;
	}
	return proto_lots(many, lots, PROTO_LOTS_MAX, cause, cause_len) < 0 ? -1 : 0;
}

int proto_check(const struct proto_args *a, char *cause, size_t cause_len)
{
	const struct proto_verb *v = NULL;
	int n_pos = 0;
	double x;

	for (size_t k = 0; k < sizeof proto_verbs / sizeof proto_verbs[0]; k++)
		if (a->argc > 0 && strcmp(a->argv[0], proto_verbs[k].verb) == 0)
			v = &proto_verbs[k];
	if (v == NULL)
		return 0;
	for (const char *p; (p = proto_pos(a, n_pos + 1)) != NULL; n_pos++) {
		if (*p == '\0') {
			snprintf(cause, cause_len, "%s: argument %d is empty (usage: %s)", v->verb,
			         n_pos + 1, v->usage);
			return -1;
		}
	}
	if (n_pos < v->min_pos || n_pos > v->max_pos) {
		snprintf(cause, cause_len, "%s: takes %d to %d arguments besides key=value "
		         "options, not %d (usage: %s)", v->verb, v->min_pos, v->max_pos, n_pos,
		         v->usage);
		return -1;
	}
	for (size_t k = 0; k < sizeof proto_nums / sizeof proto_nums[0]; k++)
		if (strcmp(a->argv[0], proto_nums[k].verb) == 0 &&
		    proto_read_num(a, &proto_nums[k], &x, cause, cause_len) < 0)
			return -1;
	if (strcmp(a->argv[0], "start") == 0)
		return proto_check_start(a, cause, cause_len);
	return 0;
}

int proto_number(const struct proto_args *a, const char *key, int pos, double *out,
                 char *cause, size_t cause_len)
{
	for (size_t k = 0; k < sizeof proto_nums / sizeof proto_nums[0]; k++) {
		const struct proto_num *e = &proto_nums[k];

		if (a->argc > 0 && strcmp(a->argv[0], e->verb) == 0 &&
		    (key ? e->key && strcmp(e->key, key) == 0 : !e->key && e->pos == pos))
			return proto_read_num(a, e, out, cause, cause_len);
	}
	snprintf(cause, cause_len, "%s: no number %s in the protocol's table",
	         a->argc > 0 ? a->argv[0] : "?", key ? key : "(positional)");
	return -1;
}

/* 1 when line starts with word followed by the end or a space. */
static int proto_starts_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	return strncmp(line, word, n) == 0 && (line[n] == '\0' || line[n] == ' ');
}

int proto_is_final(const char *line)
{
	return proto_starts_word(line, "ok") || proto_starts_word(line, "err");
}

const char *proto_unrecorded(const char *msg)
{
	if (!proto_starts_word(msg, PROTO_UNRECORDED))
		return NULL;
	msg += strlen(PROTO_UNRECORDED);
	return *msg == ' ' ? msg + 1 : msg;
}

/* 1 when id is a lot id: letters, digits and - _ . / only. */
static int proto_lot_id_ok(const char *id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)id[i]) && strchr("-_./", id[i]) == NULL)
			return 0;
	return 1;
}

/* Reads one "LOT:KG" item (len bytes at item) into *lot. 0 or -1. */
static int proto_lot_item(const char *item, size_t len, struct proto_lot *lot, char *cause,
                          size_t cause_len)
{
	static const char form[] = "(lots=LOT:KG,LOT:KG)";
	const char *colon = memchr(item, ':', len);
	size_t id_len = colon ? (size_t)(colon - item) : len;
	char mass[NUM_TEXT_MAX + 2], name[PROTO_LOT_ID_MAX + 8];
	struct num_field f = {name, "kg", 0, 1e6, 1};

	if (id_len == 0) {
		snprintf(cause, cause_len, "lots=: a lot id is missing before '%.*s' %s",
		         (int)(len > 40 ? 40 : len), item, form);
		return -1;
	}
	if (!proto_lot_id_ok(item, id_len) || id_len >= sizeof lot->lot_id) {
		snprintf(cause, cause_len, "lots=: '%.*s' is not a lot id (letters, digits and "
		         "- _ . /, at most %d characters)", (int)(id_len > 70 ? 70 : id_len), item,
		         PROTO_LOT_ID_MAX - 1);
		return -1;
	}
	snprintf(lot->lot_id, sizeof lot->lot_id, "%.*s", (int)id_len, item);
	if (colon == NULL || colon + 1 == item + len) {
		snprintf(cause, cause_len, "lot %s: no mass after it %s", lot->lot_id, form);
		return -1;
	}
	snprintf(mass, sizeof mass, "%.*s", (int)(item + len - colon - 1), colon + 1);
	snprintf(name, sizeof name, "lot %s", lot->lot_id);
	return num_real(mass, &f, &lot->mass_kg, cause, cause_len);
}

int proto_lots(const char *text, struct proto_lot *out, int max, char *cause,
               size_t cause_len)
{
	int n = 0;

	if (*text == '\0') {
		snprintf(cause, cause_len, "lots= names no lot (lots=LOT:KG,LOT:KG)");
		return -1;
	}
	for (const char *p = text;; n++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (n == max) {
			snprintf(cause, cause_len, "lots= names more than %d lots", max);
			return -1;
		}
		if (proto_lot_item(p, len, &out[n], cause, cause_len) < 0)
			return -1;
		for (int k = 0; k < n; k++) {
			if (strcmp(out[k].lot_id, out[n].lot_id) == 0) {
				snprintf(cause, cause_len, "lot %s is named twice in lots=: give each lot "
				         "once, with all it gives", out[n].lot_id);
				return -1;
			}
		}
		if (end == NULL)
			return n + 1;
		p = end + 1;
	}
}
