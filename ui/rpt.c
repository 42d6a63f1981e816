/*
 * rpt: the read-only report commands of the CLI. See rpt.h; the columns
 * of every report are in docs/RECORDS.md. The SQL lives in
 * records/store_query.c (the records module alone speaks SQLite); this
 * file parses arguments and lays the rows out as text, CSV or JSON.
 */
#include "rpt_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "doc_batch.h"
#include "doc_yields.h"
#include "num.h"
#include "rpt_econ.h"

static const struct rpt_optdef {
	const char *name;
	unsigned flag;
	size_t offset;        /* of its const char * in struct store_filter */
} rpt_optdefs[] = {
	{"--from", RPT_O_FROM, offsetof(struct store_filter, from)},
	{"--to", RPT_O_TO, offsetof(struct store_filter, to)},
	{"--still", RPT_O_STILL, offsetof(struct store_filter, still)},
	{"--feedstock", RPT_O_FEEDSTOCK, offsetof(struct store_filter, feedstock)},
	{"--lot", RPT_O_LOT, offsetof(struct store_filter, lot_id)},
	{"--grower", RPT_O_GROWER, offsetof(struct store_filter, grower)},
	{"--state", RPT_O_STATE, offsetof(struct store_filter, state)},
	{"--by", RPT_O_BY, offsetof(struct store_filter, by)},
	{"--drum", RPT_O_DRUM, offsetof(struct store_filter, drum_id)},
	{"--json", RPT_O_JSON, 0},
	{"--csv", RPT_O_CSV, 0},
	{"--html", RPT_O_HTML, 0},
	{"--reference", RPT_O_REFERENCE, 0},
};


/* ------------------------------------------------------------------ */
/* Errors                                                               */

/* One line "stillroom: ..." on err; returns RPT_ERR. */
int rpt_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("stillroom: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	return RPT_ERR;
}

/* "stillroom: why" and the command's usage; returns RPT_USAGE. */
static int rpt_usage_error(FILE *err, const struct rpt_cmd *cmd, const char *why,
                           const char *arg)
{
	fprintf(err, "stillroom: %s%s%s\nusage: stillroom %s\n", why,
	        arg ? " " : "", arg ? arg : "", cmd->usage);
	return RPT_USAGE;
}

/* A batch id: a whole number > 0. RPT_OK or RPT_ERR with cause. */
static int rpt_id(const char *text, long *id, char *cause, size_t cause_len)
{
	static const struct num_field f = {"batch id", "", 1, 2147483647, 0};

	return num_int(text, &f, id, cause, cause_len) < 0 ? RPT_ERR : RPT_OK;
}

/* The batch id of a report: RPT_OK, or RPT_USAGE (a usage error, exit 2)
 * with the sentence on c->err. */
int rpt_batch_id(struct rpt_ctx *c, const char *text, long *id)
{
	if (rpt_id(text, id, c->cause, sizeof c->cause) == RPT_OK)
		return RPT_OK;
	rpt_error(c->err, "%s", c->cause);
	return RPT_USAGE;
}

/* ------------------------------------------------------------------ */
/* Arguments                                                            */

static const struct rpt_optdef *rpt_optdef_find(const char *arg, size_t len)
{
	for (size_t i = 0; i < sizeof rpt_optdefs / sizeof rpt_optdefs[0]; i++)
		if (strlen(rpt_optdefs[i].name) == len &&
		    strncmp(rpt_optdefs[i].name, arg, len) == 0)
			return &rpt_optdefs[i];
	return NULL;
}

/* Takes one option at argv[*i] ("--still S" or "--still=S"). */
static int rpt_option(const struct rpt_cmd *cmd, int argc, char **argv, int *i,
                      struct rpt_args *a, FILE *err)
{
	const char *arg = argv[*i], *eq = strchr(arg, '='), *value;
	const struct rpt_optdef *d = rpt_optdef_find(arg, eq ? (size_t)(eq - arg)
	                                                     : strlen(arg));

	if (!d || !(d->flag & cmd->opts))
		return rpt_usage_error(err, cmd, "unknown option", arg);
	if (d->flag & (RPT_O_JSON | RPT_O_CSV | RPT_O_HTML)) {
		a->fmt = d->flag == RPT_O_JSON ? RPT_JSON :
		         d->flag == RPT_O_CSV ? RPT_CSV : RPT_HTML;
		return eq ? rpt_usage_error(err, cmd, "takes no value:", arg) : RPT_OK;
	}
	value = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
	if (!value)
		return rpt_usage_error(err, cmd, "needs a value:", arg);
	if (d->flag == RPT_O_REFERENCE)
		a->reference = value;
	else
		*(const char **)(void *)((char *)&a->f + d->offset) = value;
	return RPT_OK;
}

/* Parses argv[first..] for cmd into *a. */
static int rpt_args_parse(const struct rpt_cmd *cmd, int argc, char **argv,
                          int first, struct rpt_args *a, FILE *err)
{
	int rc;

	memset(a, 0, sizeof *a);
	for (int i = first; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			rc = rpt_option(cmd, argc, argv, &i, a, err);
			if (rc != RPT_OK)
				return rc;
		} else if (a->npos == cmd->max_pos) {
			return rpt_usage_error(err, cmd, "unexpected argument", argv[i]);
		} else {
			a->pos[a->npos++] = argv[i];
		}
	}
	if (a->npos < cmd->min_pos)
		return rpt_usage_error(err, cmd, "missing argument", NULL);
	if (a->f.from && !store_date_check(a->f.from))
		return rpt_error(err, "--from '%s' is not a date (YYYY-MM-DD)", a->f.from);
	if (a->f.to && !store_date_check(a->f.to))
		return rpt_error(err, "--to '%s' is not a date (YYYY-MM-DD)", a->f.to);
	return RPT_OK;
}

/* ------------------------------------------------------------------ */
/* Text layout                                                          */

/* Characters (not bytes) in UTF-8 text. */
static int rpt_chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Bytes of the first n characters of UTF-8 text. */
static size_t rpt_prefix(const char *s, int n)
{
	size_t i = 0;

	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && n-- == 0)
			break;
	return i;
}

/* Prints text in a field of width characters, cut with '~' when longer;
 * right-aligned, or left-aligned and padded unless last. */
void rpt_cell(FILE *out, const char *text, int width, int right, int last)
{
	int chars = rpt_chars(text);

	if (chars > width) {
		fprintf(out, "%.*s~", (int)rpt_prefix(text, width - 1), text);
		return;
	}
	if (right)
		fprintf(out, "%*s%s", width - chars, "", text);
	else
		fprintf(out, "%s%*s", text, last ? 0 : width - chars, "");
}

void rpt_field(FILE *out, const char *text, int width, int right)
{
	rpt_cell(out, text, width, right, 0);
}

/* Prints text from column col (what is left of the line is already
 * printed), wrapped at RPT_WIDTH on spaces, going on at column indent. */
void rpt_wrap_at(FILE *out, int col, int indent, const char *text)
{
	int room = RPT_WIDTH - col;

	do {
		size_t cut = rpt_prefix(text, room);

		if (rpt_chars(text) > room) {
			size_t sp = cut;

			while (sp > 0 && text[sp] != ' ')
				sp--;
			if (sp > 0)
				cut = sp;
		}
		fprintf(out, "%.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
		if (*text)
			fprintf(out, "%*s", indent, "");
		room = RPT_WIDTH - indent;
	} while (*text);
}

/* Prints text wrapped at RPT_WIDTH, every line indented by indent. */
void rpt_wrap(FILE *out, int indent, const char *text)
{
	fprintf(out, "%*s", indent, "");
	rpt_wrap_at(out, indent, indent, text);
}

/* Formats a cell for text: "-" for NULL; numbers with decimals; times. */
void rpt_format(const struct store_cell *c, int fmt, char *buf, size_t len)
{
	const char *t = c ? c->text : NULL;

	if (!t) {
		snprintf(buf, len, "-");
	} else if (fmt >= 0 && c->is_num) {
		snprintf(buf, len, "%.*f", fmt, c->num);
	} else if (fmt <= RPT_F_DATE && strlen(t) >= 19) {
		static const struct { int from, n; } cut[] = {
			[-RPT_F_DATE] = {0, 10}, [-RPT_F_TIME] = {0, 19},
			[-RPT_F_SHORT] = {5, 11}, [-RPT_F_STAMP] = {5, 14},
		};
		char *tee;

		snprintf(buf, len, "%.*s", cut[-fmt].n, t + cut[-fmt].from);
		if ((tee = strchr(buf, 'T')))
			*tee = ' ';
	} else {
		snprintf(buf, len, "%s", t);
	}
}

const char *rpt_grams_kg(const struct store_cell *c, char *buf, size_t len)
{
	if (!c || !c->text || !c->is_num)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f kg", c->num / 1000.0);
	return buf;
}

/* The cell called name, or NULL. */
const struct store_cell *rpt_find(const struct store_cell *c, int n,
                                         const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return &c[i];
	return NULL;
}

/* The text of cell name formatted as fmt, in a static-free buffer. */
const char *rpt_val(const struct store_cell *c, int n, const char *name,
                           int fmt, char *buf, size_t len)
{
	rpt_format(rpt_find(c, n, name), fmt, buf, len);
	return buf;
}

/* The title and the column heads, once: before the first row, so that a
 * failing query prints nothing but its error. */
static void rpt_table_head(struct rpt_table *t)
{
	int width = 0;

	if (t->headed)
		return;
	t->headed = 1;
	if (t->title)
		fprintf(t->out, "\n%s\n", t->title);

	for (int i = 0; i < t->n; i++) {
		fputs(i ? " " : "  ", t->out);
		rpt_cell(t->out, t->cols[i].head, t->cols[i].width,
		         t->cols[i].fmt >= 0, i == t->n - 1);
		width += t->cols[i].width + 1;
	}
	fprintf(t->out, "\n  %.*s\n", width - 1,
	        "--------------------------------------------------------------"
	        "------------------");
}

/* store_row_fn: one row of a text table. */
static int rpt_table_row(void *ctx, const struct store_cell *c, int n)
{
	struct rpt_table *t = ctx;
	char buf[RPT_VALUE_MAX];

	rpt_table_head(t);
	for (int i = 0; i < t->n; i++) {
		fputs(i ? " " : "  ", t->out);
		rpt_val(c, n, t->cols[i].name, t->cols[i].fmt, buf, sizeof buf);
		rpt_cell(t->out, buf, t->cols[i].width, t->cols[i].fmt >= 0,
		         i == t->n - 1);
	}
	fputc('\n', t->out);
	return 0;
}

/* Runs q and prints it as a table under title; "(none)" when empty. */
int rpt_table(struct rpt_ctx *c, const char *title, enum store_query q,
                     const struct store_filter *f, struct rpt_table *t)
{
	int rows;

	t->title = title;
	rows = store_query_rows(c->s, q, f, rpt_table_row, t, c->cause,
	                        sizeof c->cause);
	if (rows == 0) {
		rpt_table_head(t);
		fprintf(c->out, "  (none)\n");
	}
	return rows;
}

/* ------------------------------------------------------------------ */
/* CSV and JSON                                                         */

static void rpt_csv_value(FILE *out, const char *v)
{
	if (!v)
		return;
	if (!strpbrk(v, ",\"\r\n")) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

struct rpt_csv {
	FILE *out;
	int rows;
};

/* store_row_fn: a CSV line (RFC 4180), after a header line. */
static int rpt_csv_row(void *ctx, const struct store_cell *c, int n)
{
	struct rpt_csv *csv = ctx;

	for (int pass = csv->rows ? 1 : 0; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			if (i)
				fputc(',', csv->out);
			rpt_csv_value(csv->out, pass ? c[i].text : c[i].name);
		}
		fputs("\r\n", csv->out);
	}
	csv->rows++;
	return 0;
}

/* Prints query q as CSV or JSON (fmt). Returns the rows (CSV), 1 (JSON)
 * or -1 with c->cause. */
int rpt_export(struct rpt_ctx *c, enum store_query q,
                      const struct store_filter *f, enum rpt_fmt fmt)
{
	struct rpt_csv csv = {c->out, 0};
	char *json;

	if (fmt == RPT_CSV)
		return store_query_rows(c->s, q, f, rpt_csv_row, &csv, c->cause,
		                        sizeof c->cause);
	json = store_query_json(c->s, q, f, c->cause, sizeof c->cause);
	if (!json)
		return -1;
	fprintf(c->out, "%s\n", json);
	free(json);
	return 1;
}

/* ------------------------------------------------------------------ */
/* A captured row (the batch summary, the lot)                          */

/* store_row_fn: keeps a copy of the first row. */
int rpt_rec_take(void *ctx, const struct store_cell *c, int n)
{
	struct rpt_rec *r = ctx;

	r->n = n < RPT_COLS_MAX ? n : RPT_COLS_MAX;
	for (int i = 0; i < r->n; i++) {
		r->cell[i] = c[i];
		r->cell[i].name = strdup(c[i].name);
		r->cell[i].text = c[i].text ? strdup(c[i].text) : NULL;
	}
	return 1;
}

void rpt_rec_free(struct rpt_rec *r)
{
	for (int i = 0; i < r->n; i++) {
		free((void *)r->cell[i].name);
		free((void *)r->cell[i].text);
	}
	r->n = 0;
}

/* A value of the record formatted as fmt, then unit ("" for none). */
const char *rpt_rec_val(const struct rpt_rec *r, const char *name, int fmt,
                               const char *unit, char *buf, size_t len)
{
	const struct store_cell *c = rpt_find(r->cell, r->n, name);

	rpt_format(c, fmt, buf, len);
	if (c && c->text && *unit)
		snprintf(buf + strlen(buf), len - strlen(buf), " %s", unit);
	return buf;
}

/* "Key        value" pairs, two to a line when k2 is not NULL. */
void rpt_kv(FILE *out, const char *k1, const char *v1, const char *k2,
                   const char *v2)
{
	fprintf(out, "%-10s ", k1);
	if (!k2) {
		fprintf(out, "%s\n", v1);
		return;
	}
	rpt_field(out, v1, 28, 0);
	fprintf(out, " %-10s %s\n", k2, v2);
}

/* ------------------------------------------------------------------ */
/* report batch                                                         */

/* The title and who/what/when of the batch record. */
static void rpt_batch_head(FILE *out, const struct rpt_rec *r)
{
	char a[RPT_VALUE_MAX], b[RPT_VALUE_MAX], d[RPT_VALUE_MAX];
	char line[RPT_VALUE_MAX * 3];


	snprintf(line, sizeof line, "Batch %s  %s  %s",
	         rpt_rec_val(r, "id", RPT_F_TEXT, "", a, sizeof a),
	         rpt_rec_val(r, "still", RPT_F_TEXT, "", b, sizeof b),
	         rpt_rec_val(r, "state", RPT_F_TEXT, "", d, sizeof d));
	rpt_field(out, line, RPT_WIDTH - 23, 0);
	fprintf(out, " stillroom batch record\n%.*s\n", RPT_WIDTH,
	        "==============================================================="
	        "================");
	snprintf(line, sizeof line, "%s v%s", rpt_rec_val(r, "recipe", RPT_F_TEXT, "",
	         a, sizeof a), rpt_rec_val(r, "recipe_version", 0, "", b, sizeof b));
	rpt_kv(out, "Recipe", line, NULL, NULL);
	rpt_kv(out, "sha256", rpt_rec_val(r, "recipe_sha256", RPT_F_TEXT, "", a,
	       sizeof a), NULL, NULL);
	rpt_kv(out, "Feedstock", rpt_rec_val(r, "feedstock", RPT_F_TEXT, "", a, sizeof a),
	       "Charge", rpt_rec_val(r, "charge_kg", 1, "kg", b, sizeof b));
	rpt_kv(out, "Operator", rpt_rec_val(r, "operator", RPT_F_TEXT, "", a, sizeof a),
	       "Steam", rpt_rec_val(r, "steam_kg", 1, "kg", b, sizeof b));
	rpt_kv(out, "Started", rpt_rec_val(r, "started_at", RPT_F_TIME, "UTC", a,
	       sizeof a), "Ended", rpt_rec_val(r, "ended_at", RPT_F_TIME, "UTC", b,
	       sizeof b));
	rpt_kv(out, "Duration", rpt_rec_val(r, "duration_min", 1, "min", a, sizeof a),
	       "Alarms", rpt_rec_val(r, "alarm_count", 0, "", b, sizeof b));
}

/* The outcome: oil, hydrosol, yields, QA. */
static void rpt_batch_outcome(FILE *out, const struct rpt_rec *r)
{
	char a[RPT_VALUE_MAX], b[RPT_VALUE_MAX], line[RPT_VALUE_MAX * 3];
	const char *weighed = rpt_find(r->cell, r->n, "oil_weighed_kg")->text;

	snprintf(line, sizeof line, "%s in the receiver", rpt_rec_val(r,
	         "oil_receiver_kg", 3, "kg", a, sizeof a));
	if (weighed)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		         "; %s weighed by %s", rpt_rec_val(r, "oil_weighed_kg", 3, "kg",
		         a, sizeof a), rpt_rec_val(r, "weighed_by", RPT_F_TEXT, "", b,
		         sizeof b));
	rpt_kv(out, "Oil", line, NULL, NULL);
	rpt_kv(out, "Hydrosol", rpt_rec_val(r, "hydrosol_l", 1, "L", a, sizeof a),
	       NULL, NULL);
	snprintf(line, sizeof line, "%s as charged; ", rpt_rec_val(r, "yield_pct", 3,
	         "%", a, sizeof a));
	snprintf(line + strlen(line), sizeof line - strlen(line),
	         "%s dry basis (moisture %s)", rpt_rec_val(r, "yield_dry_pct", 3, "%",
	         a, sizeof a), rpt_rec_val(r, "moisture_pct", 1, "%", b, sizeof b));
	rpt_kv(out, "Yield", line, NULL, NULL);
	snprintf(line, sizeof line, "%s", rpt_rec_val(r, "qa_status", RPT_F_TEXT, "",
	         a, sizeof a));
	if (rpt_find(r->cell, r->n, "decided_by")->text)
		snprintf(line + strlen(line), sizeof line - strlen(line), " by %s",
		         rpt_rec_val(r, "decided_by", RPT_F_TEXT, "", b, sizeof b));
	rpt_kv(out, "QA", line, NULL, NULL);
}

static const struct rpt_col rpt_lot_cols[] = {
	{"lot_id", "lot", 12, RPT_F_TEXT},
	{"mass_kg", "kg", 8, 1},
	{"grower", "grower", 20, RPT_F_TEXT},
	{"cooperative", "cooperative", 15, RPT_F_TEXT},
	{"moisture_pct", "moist %", 7, 1},
	{"harvested", "harvested", 10, RPT_F_TEXT},
};
static const struct rpt_col rpt_step_cols[] = {
	{"step", "#", 3, 0},
	{"name", "step", 24, RPT_F_TEXT},
	{"at", "entered (UTC)", 19, RPT_F_TIME},
	{"t_process_s", "t (s)", 10, 0},
};
static const struct rpt_col rpt_alarm_cols[] = {
	{"alarm", "alarm", 16, RPT_F_TEXT},
	{"raised_at", "raised", 11, RPT_F_SHORT},
	{"acked_at", "acked", 11, RPT_F_SHORT},
	{"acked_by", "by", 10, RPT_F_TEXT},
	{"cleared_at", "cleared", 11, RPT_F_SHORT},
	{"closed_at", "closed", 11, RPT_F_SHORT},
};
static const struct rpt_col rpt_measure_cols[] = {
	{"at", "when (UTC)", 19, RPT_F_TIME},
	{"quantity", "what", 10, RPT_F_TEXT},
	{"value", "value", 8, 3},
	{"who", "who", 12, RPT_F_TEXT},
	{"why", "why", 23, RPT_F_TEXT},
};

/* store_row_fn: a prompt and its answer. */
static int rpt_prompt_row(void *ctx, const struct store_cell *c, int n)
{
	char v[3][RPT_VALUE_MAX], line[RPT_VALUE_MAX * 4];
	FILE *out = ctx;

	snprintf(line, sizeof line, "%s  %s: %s", rpt_val(c, n, "asked_at",
	         RPT_F_SHORT, v[0], sizeof v[0]), rpt_val(c, n, "step", RPT_F_TEXT,
	         v[1], sizeof v[1]), rpt_val(c, n, "question", RPT_F_TEXT, v[2],
	         sizeof v[2]));
	rpt_wrap(out, 2, line);
	if (rpt_find(c, n, "answer")->text) {
		snprintf(line, sizeof line, "answered '%s' by %s at %s",
		         rpt_find(c, n, "answer")->text,
		         rpt_val(c, n, "answered_by", RPT_F_TEXT, v[0], sizeof v[0]),
		         rpt_val(c, n, "answered_at", RPT_F_SHORT, v[1], sizeof v[1]));
		rpt_wrap(out, 15, line);
	} else {
		rpt_wrap(out, 15, "not answered");
	}
	return 0;
}

/* Appends "label v unit (lo to hi)" (or "(min lo)", "(max hi)") for a QA
 * figure against its limits to buf. */
static void rpt_qa_figure(char *buf, size_t len, const char *label,
                          const char *unit, const struct store_cell *c, int n,
                          const char *const name[3], int decimals)
{
	char v[3][32];
	size_t used = strlen(buf);

	for (int i = 0; i < 3; i++)
		rpt_val(c, n, name[i], decimals, v[i], sizeof v[i]);
	used += (size_t)snprintf(buf + used, len - used, "%s%s %s%s", used ? "; " : "",
	                         label, v[0], unit);
	if (used >= len)
		return;
	if (strcmp(v[1], "-") != 0 && strcmp(v[2], "-") != 0)
		snprintf(buf + used, len - used, " (%s to %s)", v[1], v[2]);
	else if (strcmp(v[1], "-") != 0)
		snprintf(buf + used, len - used, " (min %s)", v[1]);
	else if (strcmp(v[2], "-") != 0)
		snprintf(buf + used, len - used, " (max %s)", v[2]);
}

static const char *const rpt_qa_density[3] = {"density", "density_min",
                                               "density_max"};
static const char *const rpt_qa_ri[3] = {"refractive_index", "ri_min", "ri_max"};
static const char *const rpt_qa_marker[3] = {"marker_pct", "marker_min_pct",
                                             "marker_max_pct"};

/* store_row_fn: one set of QA results with its spec. */
static int rpt_qa_row(void *ctx, const struct store_cell *c, int n)
{
	char a[RPT_VALUE_MAX], b[RPT_VALUE_MAX], line[RPT_VALUE_MAX * 3];
	const struct store_cell *ok = rpt_find(c, n, "in_spec");
	const char *ref = rpt_find(c, n, "lab_ref")->text;
	const char *failures = rpt_find(c, n, "failures")->text;
	const char *why = rpt_find(c, n, "why")->text;
	FILE *out = ctx;

	snprintf(line, sizeof line, "%s  by %s%s%s: %s",
	         rpt_val(c, n, "at", RPT_F_TIME, a, sizeof a),
	         rpt_val(c, n, "analyst", RPT_F_TEXT, b, sizeof b),
	         ref ? ", ref " : "", ref ? ref : "",
	         ok && ok->num == 1 ? "IN SPEC" : "OUT OF SPEC");
	rpt_wrap(out, 2, line);
	line[0] = '\0';
	rpt_qa_figure(line, sizeof line, "density", "", c, n, rpt_qa_density, 4);
	rpt_qa_figure(line, sizeof line, "nD", "", c, n, rpt_qa_ri, 4);
	rpt_qa_figure(line, sizeof line, rpt_val(c, n, "marker", RPT_F_TEXT, a,
	              sizeof a), " %", c, n, rpt_qa_marker, 1);
	rpt_wrap(out, 4, line);
	if (failures) {
		snprintf(line, sizeof line, "fails: %s", failures);
		rpt_wrap(out, 4, line);
	}
	if (why) {
		snprintf(line, sizeof line, "why: %s", why);
		rpt_wrap(out, 4, line);
	}
	return 0;
}

/* store_row_fn: one release decision. */
static int rpt_decision_row(void *ctx, const struct store_cell *c, int n)
{
	char a[RPT_VALUE_MAX], b[RPT_VALUE_MAX], d[RPT_VALUE_MAX];
	char line[RPT_VALUE_MAX * 4];
	const struct store_cell *why = rpt_find(c, n, "why");

	snprintf(line, sizeof line, "%s  %s by %s%s%s", rpt_val(c, n, "at",
	         RPT_F_TIME, a, sizeof a), rpt_val(c, n, "decision", RPT_F_TEXT, d,
	         sizeof d), rpt_val(c, n, "who", RPT_F_TEXT, b, sizeof b),
	         why->text ? ": " : "", why->text ? why->text : "");
	rpt_wrap(ctx, 2, line);
	return 0;
}

/* The events section: each audit row on a line, its why under it; the
 * last row's id and hash anchor the printed record to the trail. */
#define RPT_EV_COL 31    /* where an audit row's text starts */

struct rpt_events {
	FILE *out;
	char last_id[24];
	char last_hash[72];
};

static int rpt_event_row(void *ctx, const struct store_cell *c, int n)
{
	char t[32], k[32], w[RPT_VALUE_MAX], o[RPT_VALUE_MAX], v[RPT_VALUE_MAX];
	char who[RPT_VALUE_MAX], line[RPT_VALUE_MAX * 5];
	const struct store_cell *old = rpt_find(c, n, "old_value");
	const struct store_cell *text = rpt_find(c, n, "text");
	struct rpt_events *e = ctx;

	rpt_val(c, n, "id", RPT_F_TEXT, e->last_id, sizeof e->last_id);
	rpt_val(c, n, "hash", RPT_F_TEXT, e->last_hash, sizeof e->last_hash);
	rpt_val(c, n, "what", RPT_F_TEXT, w, sizeof w);
	rpt_val(c, n, "new_value", RPT_F_TEXT, v, sizeof v);
	if (old->text)
		snprintf(o, sizeof o, "%s -> ", old->text);
	else
		o[0] = '\0';
	snprintf(line, sizeof line, "%s: %s%s (%s)", w, o, v,
	         rpt_val(c, n, "who", RPT_F_TEXT, who, sizeof who));
	fprintf(e->out, "  %5s %s %-7s ", e->last_id,
	        rpt_val(c, n, "at", RPT_F_STAMP, t, sizeof t),
	        rpt_val(c, n, "kind", RPT_F_TEXT, k, sizeof k));
	rpt_wrap_at(e->out, RPT_EV_COL, RPT_EV_COL, line);
	if (text->text)
		rpt_wrap(e->out, RPT_EV_COL, text->text);
	return 0;
}

/* Every section after the header, in the order of a paper record. */
static int rpt_batch_sections(struct rpt_ctx *c, const struct store_filter *f)
{
	struct rpt_table lots = RPT_TABLE(c->out, rpt_lot_cols);
	struct rpt_table steps = RPT_TABLE(c->out, rpt_step_cols);
	struct rpt_table alarms = RPT_TABLE(c->out, rpt_alarm_cols);
	struct rpt_table measures = RPT_TABLE(c->out, rpt_measure_cols);
	struct rpt_events ev = {c->out, "", ""};
	const struct {
		const char *title;
		enum store_query q;
		store_row_fn fn;
		void *ctx;
	} parts[] = {
		{"Prompts", STORE_Q_BATCH_PROMPTS, rpt_prompt_row, c->out},
		{"QA results", STORE_Q_BATCH_QA, rpt_qa_row, c->out},
		{"Release decisions", STORE_Q_BATCH_DECISIONS, rpt_decision_row, c->out},
		{"Audit trail (id, time UTC, kind, what: old -> new, who; why below)",
		 STORE_Q_BATCH_EVENTS, rpt_event_row, &ev},
	};

	if (rpt_table(c, "Lots", STORE_Q_BATCH_LOTS, f, &lots) < 0 ||
	    rpt_table(c, "Steps", STORE_Q_BATCH_STEPS, f, &steps) < 0 ||
	    rpt_table(c, "Alarms", STORE_Q_BATCH_ALARMS, f, &alarms) < 0 ||
	    rpt_table(c, "Weighings and measurements", STORE_Q_BATCH_MEASURES, f,
	              &measures) < 0)
		return -1;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		int rows;

		fprintf(c->out, "\n%s\n", parts[i].title);
		rows = store_query_rows(c->s, parts[i].q, f, parts[i].fn, parts[i].ctx,
		                        c->cause, sizeof c->cause);
		if (rows < 0)
			return -1;
		if (rows == 0)
			fprintf(c->out, "  (none)\n");
	}
	fprintf(c->out, "\nThis record ends at audit row %s, hash\n  %s\n"
	        "(`stillroom audit verify` checks the whole trail.)\n",
	        ev.last_id, ev.last_hash);
	return 0;
}

/* The batch record as text, read in one snapshot. */
static int rpt_batch_text(struct rpt_ctx *c, long id)
{
	struct store_filter f = {.batch_id = id};
	struct rpt_rec r = {.n = 0};
	int rows, rc = -1;

	if (store_snapshot(c->s, 1, c->cause, sizeof c->cause) < 0)
		return -1;
	rows = store_query_rows(c->s, STORE_Q_BATCHES, &f, rpt_rec_take, &r,
	                        c->cause, sizeof c->cause);
	if (rows == 0)
		snprintf(c->cause, sizeof c->cause, "no batch %ld", id);
	if (rows > 0) {
		rpt_batch_head(c->out, &r);
		rpt_batch_outcome(c->out, &r);
		rpt_econ_batch(c->out, r.cell, r.n);
		rc = rpt_batch_sections(c, &f);
	}
	rpt_rec_free(&r);
	store_snapshot(c->s, 0, NULL, 0);
	return rc;
}

static int rpt_cmd_batch(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct store_filter f = {.batch_id = 0};
	long ref = 0;
	char *json;
	int rows;

	if (rpt_batch_id(c, a->pos[0], &f.batch_id) != RPT_OK)
		return RPT_USAGE;
	if (a->reference && (a->fmt != RPT_HTML ||
	                     rpt_batch_id(c, a->reference, &ref) != RPT_OK))
		return a->fmt != RPT_HTML ? rpt_error(c->err, "--reference needs "
		                                      "--html") : RPT_USAGE;
	if (a->fmt == RPT_TEXT)
		return rpt_batch_text(c, f.batch_id) < 0 ?
			rpt_error(c->err, "%s", c->cause) : RPT_OK;
	if (a->fmt == RPT_HTML)
		return doc_batch_write(c, f.batch_id, ref) < 0 ?
			rpt_error(c->err, "%s", c->cause) : RPT_OK;
	if (a->fmt == RPT_JSON) {
		json = store_batch_json(c->s, f.batch_id, c->cause, sizeof c->cause);
		if (!json)
			return rpt_error(c->err, "%s", c->cause);
		fprintf(c->out, "%s\n", json);
		free(json);
		return RPT_OK;
	}
	rows = rpt_export(c, STORE_Q_BATCHES, &f, RPT_CSV);
	if (rows == 0)
		return rpt_error(c->err, "no batch %ld", f.batch_id);
	return rows < 0 ? rpt_error(c->err, "%s", c->cause) : RPT_OK;
}

/* ------------------------------------------------------------------ */
/* report batches, yields, curve                                        */

static const struct rpt_col rpt_batches_cols[] = {
	{"id", "id", 4, 0},
	{"still", "still", 7, RPT_F_TEXT},
	{"state", "state", 8, RPT_F_TEXT},
	{"started_at", "started", 10, RPT_F_DATE},
	{"feedstock", "feedstock", 11, RPT_F_TEXT},
	{"charge_kg", "kg", 6, 0},
	{"oil_kg", "oil kg", 6, 2},
	{"yield_pct", "yld %", 5, 2},
	{"qa_status", "qa", 11, RPT_F_TEXT},
};

static const struct rpt_col rpt_yields_cols[] = {
	{"", "", 18, RPT_F_TEXT},        /* the grouping column, named at run */
	{"batches", "batches", 7, 0},
	{"oil_kg", "oil kg", 9, 3},
	{"yield_mean_pct", "mean %", 7, 3},
	{"yield_min_pct", "min %", 7, 3},
	{"yield_max_pct", "max %", 7, 3},
	{"yield_dry_mean_pct", "dry mean %", 10, 3},
};

/* Prints query q with text columns cols, or as CSV or JSON. */
int rpt_list(struct rpt_ctx *c, const struct rpt_args *a,
                    enum store_query q, struct rpt_table *t)
{
	int rows;

	if (a->fmt == RPT_TEXT)
		rows = rpt_table(c, NULL, q, &a->f, t);
	else
		rows = rpt_export(c, q, &a->f, a->fmt);
	return rows < 0 ? rpt_error(c->err, "%s", c->cause) : RPT_OK;
}

static int rpt_cmd_batches(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct rpt_table t = RPT_TABLE(c->out, rpt_batches_cols);

	return rpt_list(c, a, STORE_Q_BATCHES, &t);
}

/* The yields table and its resources and cost, printed from one run of
 * the query: the second table is kept in memory until the first ends. */
struct rpt_yields_pass {
	struct rpt_table *table;
	struct rpt_econ_yields econ;
};

/* store_row_fn: one grouping's line in both tables. */
static int rpt_yields_row(void *ctx, const struct store_cell *c, int n)
{
	struct rpt_yields_pass *y = ctx;

	rpt_table_row(y->table, c, n);
	return rpt_econ_yields_row(&y->econ, c, n);
}

/* Prints the yields of a->f as the two text tables. */
static int rpt_yields_text(struct rpt_ctx *c, const struct rpt_args *a,
                           struct rpt_table *t)
{
	struct rpt_yields_pass y = {t, {NULL, a->f.by, 0}};
	char *econ = NULL;
	size_t len = 0;
	int rows;

	y.econ.out = open_memstream(&econ, &len);
	if (!y.econ.out)
		return rpt_error(c->err, "report yields: out of memory");
	rows = store_query_rows(c->s, STORE_Q_YIELDS, &a->f, rpt_yields_row, &y,
	                        c->cause, sizeof c->cause);
	fclose(y.econ.out);
	if (rows == 0) {
		rpt_table_head(t);
		fprintf(c->out, "  (none)\n");
	}
	if (rows > 0)
		fwrite(econ, 1, len, c->out);
	free(econ);
	return rows < 0 ? rpt_error(c->err, "%s", c->cause) : RPT_OK;
}

static int rpt_cmd_yields(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct rpt_col cols[sizeof rpt_yields_cols / sizeof rpt_yields_cols[0]];
	struct rpt_table t = RPT_TABLE(c->out, cols);
	struct rpt_args b = *a;

	if (b.fmt == RPT_HTML)
		return doc_yields_cmd(c, &b);
	if (!b.f.by)
		b.f.by = "feedstock";
	memcpy(cols, rpt_yields_cols, sizeof cols);
	cols[0].name = b.f.by;
	cols[0].head = b.f.by;
	if (b.fmt == RPT_TEXT)
		return rpt_yields_text(c, &b, &t);
	return rpt_list(c, &b, STORE_Q_YIELDS, &t);
}

static int rpt_cmd_curve(struct rpt_ctx *c, const struct rpt_args *a)
{
	struct store_filter f = {.batch_id = 0};

	if (rpt_batch_id(c, a->pos[0], &f.batch_id) != RPT_OK)
		return RPT_USAGE;
	/* for plotting: CSV unless JSON is asked for */
	if (rpt_export(c, STORE_Q_CURVE, &f, a->fmt == RPT_JSON ? RPT_JSON : RPT_CSV) < 0)
		return rpt_error(c->err, "%s", c->cause);
	return RPT_OK;
}

/* ------------------------------------------------------------------ */
/* audit verify, quarantine                                             */

/* store_row_fn: one item set aside by the journal, its error and its
 * fields wrapped below it. */
static int rpt_quar_row(void *ctx, const struct store_cell *c, int n)
{
	FILE *out = ctx;
	char id[RPT_VALUE_MAX], at[RPT_VALUE_MAX], still[RPT_VALUE_MAX];
	char batch[RPT_VALUE_MAX], item[RPT_VALUE_MAX], text[1024];

	fprintf(out, "  #%s  %s  %s  batch %s  %s\n",
	        rpt_val(c, n, "id", 0, id, sizeof id),
	        rpt_val(c, n, "at", RPT_F_TIME, at, sizeof at),
	        rpt_val(c, n, "still", RPT_F_TEXT, still, sizeof still),
	        rpt_val(c, n, "batch_id", 0, batch, sizeof batch),
	        rpt_val(c, n, "item", RPT_F_TEXT, item, sizeof item));
	fputs("      error: ", out);
	rpt_wrap_at(out, 13, 13, rpt_val(c, n, "error", RPT_F_TEXT, text, sizeof text));
	fputs("      item:  ", out);
	rpt_wrap_at(out, 13, 13, rpt_val(c, n, "detail", RPT_F_TEXT, text, sizeof text));
	return 0;
}

/* Items the journal could not write and set aside (docs/RECORDS.md). */
static int rpt_cmd_quarantine(struct rpt_ctx *c, const struct rpt_args *a)
{
	int rows;

	if (a->fmt != RPT_TEXT)
		rows = rpt_export(c, STORE_Q_QUARANTINE, &a->f, a->fmt);
	else
		rows = store_query_rows(c->s, STORE_Q_QUARANTINE, &a->f, rpt_quar_row,
		                        c->out, c->cause, sizeof c->cause);
	if (rows < 0)
		return rpt_error(c->err, "%s", c->cause);
	if (rows == 0 && a->fmt == RPT_TEXT)
		fprintf(c->out, "quarantine: nothing set aside: the journal wrote every"
		        " item it was given\n");
	return RPT_OK;
}

static int rpt_cmd_audit(struct rpt_ctx *c, const struct rpt_args *a)
{
	int rc;

	(void)a;
	rc = store_audit_verify(c->s, c->out, c->cause, sizeof c->cause);
	if (rc < 0)
		return rpt_error(c->err, "%s", c->cause);
	return rc == 0 ? RPT_OK : RPT_ERR;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                             */

#define RPT_FMT_BOTH (RPT_O_JSON | RPT_O_CSV)

static const struct rpt_cmd rpt_cmds[] = {
	{"report", "batch", RPT_FMT_BOTH | RPT_O_HTML | RPT_O_REFERENCE, 1, 1,
	 rpt_cmd_batch, "report batch ID [--json|--csv|--html [--reference ID]]"},
	{"report", "batches", RPT_O_FILTERS | RPT_FMT_BOTH, 0, 0, rpt_cmd_batches,
	 "report batches [--from DATE] [--to DATE] [--still S] [--feedstock F]\n"
	 "         [--lot L] [--grower G] [--state S] [--json|--csv]"},
	{"report", "yields", RPT_O_FILTERS | RPT_O_BY | RPT_FMT_BOTH | RPT_O_HTML,
	 0, 0, rpt_cmd_yields, "report yields [--by feedstock|grower|still|month] "
	 "[filters] [--json|--csv|--html]"},
	{"report", "curve", RPT_FMT_BOTH, 1, 1, rpt_cmd_curve,
	 "report curve ID [--csv|--json]"},
	{"trace", NULL, RPT_O_GROWER | RPT_O_LOT | RPT_O_DRUM | RPT_FMT_BOTH |
	 RPT_O_HTML, 0, 1,
	 rpt_trace_cmd, "trace BATCH [--json|--csv] | trace --grower NAME "
	 "[--json|--csv]\n         trace --drum DRUM|TRACE_CODE [--json|--html] | "
	 "trace --lot LOT [--json]"},
	{"report", "quarantine", RPT_FMT_BOTH, 0, 0, rpt_cmd_quarantine,
	 "report quarantine [--json|--csv]"},
	{"audit", "verify", 0, 0, 0, rpt_cmd_audit, "audit verify"},
	{"lot", "list", RPT_O_FEEDSTOCK | RPT_O_GROWER | RPT_FMT_BOTH, 0, 0,
	 rpt_lot_cmd_list, "lot list [--feedstock F] [--grower G] [--json|--csv]"},
	{"lot", "show", RPT_O_JSON, 1, 1, rpt_lot_cmd_show, "lot show ID [--json]"},
	{"drum", "list", RPT_FMT_BOTH, 0, 0, rpt_drum_cmd_list,
	 "drum list [--json|--csv]"},
	{"drum", "show", RPT_O_JSON, 1, 1, rpt_drum_cmd_show,
	 "drum show DRUM|TRACE_CODE [--json]"},
	{"drum", "label", RPT_O_HTML, 1, 1, doc_label_cmd,
	 "drum label DRUM|TRACE_CODE --html"},
};
#define RPT_NCMDS (sizeof rpt_cmds / sizeof rpt_cmds[0])

void rpt_usage(FILE *f)
{
	for (size_t i = 0; i < RPT_NCMDS; i++)
		fprintf(f, "  stillroom %s\n", rpt_cmds[i].usage);
}

/* The command for argv, or NULL; *first gets where its arguments start. */
static const struct rpt_cmd *rpt_cmd_find(int argc, char **argv, int *first)
{
	for (size_t i = 0; i < RPT_NCMDS; i++) {
		const struct rpt_cmd *c = &rpt_cmds[i];

		if (strcmp(c->group, argv[0]) != 0)
			continue;
		if (!c->name) {
			*first = 1;
			return c;
		}
		if (argc > 1 && strcmp(c->name, argv[1]) == 0) {
			*first = 2;
			return c;
		}
	}
	return NULL;
}

/* 1 when argv[0] names a group of report commands. */
static int rpt_is_group(const char *name)
{
	for (size_t i = 0; i < RPT_NCMDS; i++)
		if (strcmp(rpt_cmds[i].group, name) == 0)
			return 1;
	return 0;
}

/* 1 when argv is a writing command of a report group (lot add|correct,
 * drum fill): the daemon's. */
static int rpt_is_writer(int argc, char **argv)
{
	static const char *const writers[][2] = {
		{"lot", "add"}, {"lot", "correct"}, {"drum", "fill"},
	};

	for (size_t i = 0; argc > 1 && i < sizeof writers / sizeof writers[0]; i++)
		if (strcmp(argv[0], writers[i][0]) == 0 &&
		    strcmp(argv[1], writers[i][1]) == 0)
			return 1;
	return 0;
}

int rpt_main(int argc, char **argv, const char *db_path,
             const struct cfg_plant *plant, FILE *out, FILE *err)
{
	struct rpt_ctx c = {.out = out, .err = err, .households =
	                    plant && plant->settle.households_in_trace == 1,
	                    .plant = plant};
	const struct rpt_cmd *cmd;
	struct rpt_args a;
	int first = 1, rc;

	if (argc < 1 || !rpt_is_group(argv[0]) || rpt_is_writer(argc, argv))
		return RPT_NOT_MINE;
	cmd = rpt_cmd_find(argc, argv, &first);
	if (!cmd) {
		fprintf(err, "stillroom: %s: unknown command%s%s\nusage:\n", argv[0],
		        argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		rpt_usage(err);
		return RPT_USAGE;
	}
	rc = rpt_args_parse(cmd, argc, argv, first, &a, err);
	if (rc != RPT_OK)
		return rc;
	c.s = store_open(db_path, STORE_RO, c.cause, sizeof c.cause);
	if (!c.s)
		return rpt_error(err, "%s", c.cause);
	rc = cmd->run(&c, &a);
	store_close(c.s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Parsers for the writing commands (sent to the daemon)                */

/* Takes "--key value" pairs from argv[first..]: operator-ish keys go to
 * *named (by index of names[]), the rest to set(). */
struct rpt_kv_sink {
	int (*set)(void *obj, const char *key, const char *value, char *cause,
	           size_t cause_len);
	void *obj;
	const char *const *names;   /* keys kept as pointers into argv */
	const char **named;
	int n_names;
};

/* "--drying-days" -> "drying_days" in key (at most len). */
static void rpt_key(const char *opt, char *key, size_t len)
{
	snprintf(key, len, "%s", opt + 2);
	for (char *p = key; *p; p++)
		if (*p == '-')
			*p = '_';
}

static int rpt_kv_take(int argc, char **argv, int first,
                       const struct rpt_kv_sink *k, char *cause, size_t cause_len)
{
	for (int i = first; i < argc; i += 2) {
		char key[48];
		int j;

		if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
			snprintf(cause, cause_len, "expected --name value, got '%s'", argv[i]);
			return RPT_USAGE;
		}
		rpt_key(argv[i], key, sizeof key);
		for (j = 0; j < k->n_names && strcmp(k->names[j], key) != 0; j++)
			;
		if (j < k->n_names)
			k->named[j] = argv[i + 1];
		else if (k->set(k->obj, key, argv[i + 1], cause, cause_len) < 0)
			return RPT_ERR;
	}
	return RPT_OK;
}

static int rpt_lot_sink(void *obj, const char *key, const char *value,
                        char *cause, size_t cause_len)
{
	return store_lot_set(obj, key, value, cause, cause_len);
}

static int rpt_qa_sink(void *obj, const char *key, const char *value,
                       char *cause, size_t cause_len)
{
	return store_qa_result_set(obj, key, value, cause, cause_len);
}

int rpt_lot_parse(int argc, char **argv, struct store_lot *lot,
                  char *operator_name, size_t operator_len, char *cause,
                  size_t cause_len)
{
	static const char *const names[] = {"operator"};
	const char *op = NULL;
	struct rpt_kv_sink k = {rpt_lot_sink, lot, names, &op, 1};
	int rc;

	if (argc < 3 || strcmp(argv[1], "add") != 0) {
		snprintf(cause, cause_len, "usage: lot add ID --feedstock F --grower G "
		         "--mass KG [--moisture PCT] ... --operator NAME");
		return RPT_USAGE;
	}
	store_lot_init(lot);
	if (store_lot_set(lot, "id", argv[2], cause, cause_len) < 0)
		return RPT_ERR;
	rc = rpt_kv_take(argc, argv, 3, &k, cause, cause_len);
	if (rc != RPT_OK)
		return rc;
	if (!lot->feedstock[0] || !lot->grower[0] || lot->mass_received_kg <= 0 || !op) {
		snprintf(cause, cause_len, "lot add %s: --feedstock, --grower, --mass "
		         "(more than 0) and --operator are needed", lot->lot_id);
		return RPT_ERR;
	}
	snprintf(operator_name, operator_len, "%s", op);
	return RPT_OK;
}

int rpt_qa_parse(int argc, char **argv, long *batch_id,
                 struct store_qa_result *r, char *cause, size_t cause_len)
{
	struct rpt_kv_sink k = {rpt_qa_sink, r, NULL, NULL, 0};
	int rc;

	if (argc < 3 || strcmp(argv[1], "record") != 0) {
		snprintf(cause, cause_len, "usage: qa record ID --density D --ri N "
		         "--marker PCT --analyst NAME [--lab-ref R] [--why TEXT]");
		return RPT_USAGE;
	}
	if (rpt_id(argv[2], batch_id, cause, cause_len) != RPT_OK)
		return RPT_ERR;
	store_qa_result_init(r);
	rc = rpt_kv_take(argc, argv, 3, &k, cause, cause_len);
	if (rc != RPT_OK)
		return rc;
	if (isnan(r->density) || isnan(r->refractive_index) ||
	    isnan(r->marker_pct) || !r->analyst[0]) {
		snprintf(cause, cause_len, "qa record %ld: --density, --ri, --marker "
		         "and --analyst are needed", *batch_id);
		return RPT_ERR;
	}
	return RPT_OK;
}

/* Refuses any key: decisions take only --operator and --why. */
static int rpt_no_sink(void *obj, const char *key, const char *value,
                       char *cause, size_t cause_len)
{
	(void)obj;
	(void)value;
	snprintf(cause, cause_len, "unknown option --%s", key);
	return -1;
}

int rpt_decision_parse(int argc, char **argv, long *batch_id,
                       const char **decision, const char **who,
                       const char **why, char *cause, size_t cause_len)
{
	static const char *const verbs[][2] = {
		{"release", "released"}, {"quarantine", "quarantined"},
		{"reject", "rejected"},
	};
	static const char *const names[] = {"operator", "why"};
	const char *named[2] = {NULL, NULL};
	struct rpt_kv_sink k = {rpt_no_sink, NULL, names, named, 2};
	int rc;

	*decision = NULL;
	for (size_t i = 0; argc >= 3 && i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(argv[1], verbs[i][0]) == 0)
			*decision = verbs[i][1];
	if (!*decision) {
		snprintf(cause, cause_len, "usage: qa release|quarantine|reject ID "
		         "--operator NAME [--why TEXT]");
		return RPT_USAGE;
	}
	if (rpt_id(argv[2], batch_id, cause, cause_len) != RPT_OK)
		return RPT_ERR;
	rc = rpt_kv_take(argc, argv, 3, &k, cause, cause_len);
	if (rc != RPT_OK)
		return rc;
	if (!named[0] || !*named[0]) {
		snprintf(cause, cause_len, "qa %s %ld: --operator is needed", argv[1],
		         *batch_id);
		return RPT_ERR;
	}
	*who = named[0];
	*why = named[1];
	return RPT_OK;
}
