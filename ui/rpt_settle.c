/* rpt_settle: `stillroom settle`. See rpt_settle.h. */
#include "rpt_settle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "econ.h"
#include "i18n.h"
#include "rpt.h"
#include "rpt_econ.h"
#include "rpt_settle_int.h"
#include "settle.h"
#include "store.h"

#define RPT_SETTLE_AMOUNT 48      /* a formatted amount */

enum rpt_settle_fmt { RPT_SETTLE_TEXT, RPT_SETTLE_CSV, RPT_SETTLE_JSON,
                      RPT_SETTLE_HTML };

/* The command line. */
struct rpt_settle_args {
	const char *from, *to, *grower;
	enum rpt_settle_fmt fmt;
};

static const char rpt_settle_usage[] =
	"usage: stillroom settle --from YYYY-MM-DD --to YYYY-MM-DD "
	"[--grower NAME] [--csv|--json|--html]\n";

/* ------------------------------------------------------------------ */
/* Arguments                                                            */

/* The value of option name at argv[*i] ("--x v" or "--x=v") into *slot;
 * 1 when argv[*i] is that option, 0 when not, -1 when it has no value. */
static int rpt_settle_opt(int argc, char **argv, int *i, const char *name,
                          const char **slot)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*slot = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*slot = argv[++*i];
	return 1;
}

/* One argument at argv[*i]: 0, or RPT_USAGE after saying why. */
static int rpt_settle_arg(int argc, char **argv, int *i,
                          struct rpt_settle_args *a, FILE *err)
{
	static const char *const names[] = {"--from", "--to", "--grower"};
	const char **slots[] = {&a->from, &a->to, &a->grower};
	int rc;

	if (strcmp(argv[*i], "--csv") == 0 || strcmp(argv[*i], "--json") == 0 ||
	    strcmp(argv[*i], "--html") == 0) {
		a->fmt = argv[*i][2] == 'c' ? RPT_SETTLE_CSV : argv[*i][2] == 'j' ?
		         RPT_SETTLE_JSON : RPT_SETTLE_HTML;
		return 0;
	}
	for (int k = 0; k < 3; k++) {
		rc = rpt_settle_opt(argc, argv, i, names[k], slots[k]);
		if (rc > 0)
			return 0;
		if (rc < 0) {
			fprintf(err, _("stillroom: needs a value: %s\n"), names[k]);
			fputs(rpt_settle_usage, err);
			return RPT_USAGE;
		}
	}
	fprintf(err, _("stillroom: unknown argument %s\n"), argv[*i]);
	fputs(rpt_settle_usage, err);
	return RPT_USAGE;
}

/* The command line into *a: RPT_OK, RPT_USAGE or RPT_ERR (a bad date). */
static int rpt_settle_args(int argc, char **argv, struct rpt_settle_args *a,
                           FILE *err)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++)
		if (rpt_settle_arg(argc, argv, &i, a, err) != 0)
			return RPT_USAGE;
	if (!a->from || !a->to) {
		fprintf(err, _("stillroom: settle needs the period: --from and --to\n"));
		fputs(rpt_settle_usage, err);
		return RPT_USAGE;
	}
	if (!store_date_check(a->from) || !store_date_check(a->to)) {
		fprintf(err, _("stillroom: --from '%s' or --to '%s' is not a date "
		        "(YYYY-MM-DD)\n"), a->from, a->to);
		return RPT_ERR;
	}
	if (strcmp(a->from, a->to) > 0) {
		fprintf(err, _("stillroom: the period ends (--to %s) before it begins "
		        "(--from %s)\n"), a->to, a->from);
		return RPT_ERR;
	}
	return RPT_OK;
}

/* ------------------------------------------------------------------ */
/* The period's lines                                                   */

/* Makes room for one more of n items of size in *p (capacity *cap). */
static int rpt_settle_grow(void **p, int n, int *cap, size_t size)
{
	void *q;

	if (n < *cap)
		return 0;
	q = realloc(*p, (size_t)(*cap ? *cap * 2 : 64) * size);
	if (!q)
		return -1;
	*p = q;
	*cap = *cap ? *cap * 2 : 64;
	return 0;
}

/* A copy of the text of cell name kept for the run ("" for NULL). */
static const char *rpt_settle_text(struct rpt_settle_run *r,
                                   const struct store_cell *c, int n,
                                   const char *name)
{
	char *t;

	for (int i = 0; i < n; i++) {
		if (strcmp(c[i].name, name) != 0 || !c[i].text)
			continue;
		if (rpt_settle_grow((void **)&r->text, r->n_text, &r->cap_text,
		                    sizeof *r->text) < 0 || !(t = strdup(c[i].text))) {
			r->oom = 1;
			break;
		}
		r->text[r->n_text++] = t;
		return t;
	}
	return "";
}

/* The number in cell name (0 for NULL). */
static double rpt_settle_num(const struct store_cell *c, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].is_num ? c[i].num : 0;
	return 0;
}

/* A batch's line: weighed (its grams) or not weighed (a note). */
static int rpt_settle_batch(struct rpt_settle_run *r, const char *kind,
                            const struct store_cell *c, int n)
{
	struct rpt_settle_unweighed *u;

	if (strcmp(kind, "weighed") == 0) {
		r->weighed_g += llround(rpt_settle_num(c, n, "oil_g"));
		r->n_weighed++;
		return 0;
	}
	if (rpt_settle_grow((void **)&r->unweighed, r->n_unweighed,
	                    &r->cap_unweighed, sizeof *r->unweighed) < 0)
		return -1;
	u = &r->unweighed[r->n_unweighed++];
	u->batch_id = (long)rpt_settle_num(c, n, "batch_id");
	snprintf(u->state, sizeof u->state, "%s", rpt_settle_text(r, c, n, "state"));
	return 0;
}

/* store_row_fn: one line of the period. */
static int rpt_settle_take(void *ctx, const struct store_cell *c, int n)
{
	static const char *const kinds[] = {
		[SETTLE_DELIVERY] = "delivery", [SETTLE_OIL] = "oil",
		[SETTLE_INTAKE_PAID] = "intake_paid", [SETTLE_ADVANCE] = "advance",
	};
	struct rpt_settle_run *r = ctx;
	const char *kind = rpt_settle_text(r, c, n, "kind");
	struct settle_line *l;
	int k = 0;

	while (k < 4 && strcmp(kind, kinds[k]) != 0)
		k++;
	if (k == 4)
		return (r->oom = rpt_settle_batch(r, kind, c, n) < 0);
	if (rpt_settle_grow((void **)&r->line, r->n, &r->cap, sizeof *r->line) < 0)
		return (r->oom = 1);
	l = &r->line[r->n++];
	memset(l, 0, sizeof *l);
	l->kind = (enum settle_kind)k;
	l->grower = rpt_settle_text(r, c, n, "grower");
	l->feedstock = rpt_settle_text(r, c, n, "feedstock");
	l->plant_part = rpt_settle_text(r, c, n, "plant_part");
	l->raw_kg = rpt_settle_num(c, n, "raw_kg");
	l->oil_g = llround(rpt_settle_num(c, n, "oil_g"));
	l->oil_vnd_per_kg = econ_oil_price_vnd_per_kg(&r->plant->econ, l->feedstock);
	l->released = rpt_settle_num(c, n, "released") != 0;
	l->paid_vnd = llround(rpt_settle_num(c, n, "paid_vnd"));
	return 0;
}

static void rpt_settle_free(struct rpt_settle_run *r)
{
	for (int i = 0; i < r->n_text; i++)
		free(r->text[i]);
	free(r->text);
	free(r->line);
	free(r->unweighed);
}

int rpt_settle_parts(const struct rpt_settle_run *r, const char *grower,
                            struct rpt_settle_part *p)
{
	int n = 0, k;

	for (int i = 0; i < r->n; i++) {
		const struct settle_line *l = &r->line[i];

		if (l->kind != SETTLE_DELIVERY || (grower && strcmp(l->grower, grower)))
			continue;
		for (k = 0; k < n; k++)
			if (!strcmp(p[k].feedstock, l->feedstock) &&
			    !strcmp(p[k].part, l->plant_part))
				break;
		if (k == n && n == RPT_SETTLE_PARTS)
			continue;
		if (k == n)
			p[n++] = (struct rpt_settle_part){l->feedstock, l->plant_part, 0};
		p[k].g += llround(l->raw_kg * 1000);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Text                                                                 */

/* "label   1,234 VND" in two columns of 38 characters. */
static void rpt_settle_amount(FILE *out, const char *label, long long vnd,
                              int second)
{
	char a[RPT_SETTLE_AMOUNT];

	fputs(second ? "   " : "  ", out);
	rpt_econ_cell(out, label, 18, 0);
	rpt_econ_cell(out, econ_format_vnd(a, sizeof a, (double)vnd, i18n_lang()),
	              18, 1);
	if (second)
		fputc('\n', out);
}

/* One household's block (or the total's). */
static void rpt_settle_block(FILE *out, const struct rpt_settle_run *r,
                             const struct settle_grower *g, const char *name,
                             const char *grower)
{
	struct rpt_settle_part p[RPT_SETTLE_PARTS];
	int n = rpt_settle_parts(r, grower, p);

	fprintf(out, "\n%s\n  ", name);
	fprintf(out, _("delivered %.3f kg, oil attributed %.3f kg"), g->raw_kg,
	        (double)g->oil_g / 1000);
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s%s%s%s %.3f kg", i ? ", " : "\n    ", p[i].feedstock,
		        *p[i].part ? " (" : "", p[i].part, *p[i].part ? ")" : "",
		        (double)p[i].g / 1000);
	fputc('\n', out);
	rpt_settle_amount(out, _("raw material"), g->raw_vnd, 0);
	rpt_settle_amount(out, _("oil share"), g->oil_share_vnd, 1);
	rpt_settle_amount(out, _("quality bonus"), g->bonus_vnd, 0);
	rpt_settle_amount(out, _("already paid"), g->paid_vnd, 1);
	rpt_settle_amount(out, _("due"), g->due_vnd, 0);
	fputc('\n', out);
}

/* What the total rests on: the oil weighed, and the batches not weighed
 * (their list wrapped at 80 columns). */
static void rpt_settle_notes(FILE *out, const struct rpt_settle_run *r,
                             const struct settle_grower *total)
{
	char b[64];
	int col;

	fprintf(out, "\n");
	fprintf(out, _("Oil weighed: %.3f kg (batches started in the period "
	        "and weighed: %d);\nattributed to the lots above: %.3f kg.\n"),
	        (double)r->weighed_g / 1000, r->n_weighed, (double)total->oil_g / 1000);
	if (r->weighed_g != total->oil_g)
		fprintf(out, "%s\n", _("Note: the oil attributed differs from the oil "
		        "weighed (a batch weighed\nbefore attribution was recorded, or "
		        "lots of other households in these batches)."));
	if (r->n_unweighed == 0)
		return;
	col = fprintf(out, "%s", _("Not weighed (no oil attributed yet):"));
	for (int i = 0; i < r->n_unweighed; i++) {
		int len = snprintf(b, sizeof b, _(" batch %ld (%s)%s"),
		                   r->unweighed[i].batch_id, r->unweighed[i].state,
		                   i + 1 < r->n_unweighed ? "," : ".");

		if (col + len > 79)
			col = fprintf(out, "\n ");
		col += fprintf(out, "%s", b);
	}
	fputc('\n', out);
}

static void rpt_settle_text_out(FILE *out, const struct rpt_settle_args *a,
                                const struct rpt_settle_run *r,
                                const struct settle_grower *g, int n,
                                const struct settle_grower *total)
{
	fprintf(out, _("Settlement %s to %s"), a->from, a->to);
	if (a->grower)
		fprintf(out, _(", household %s"), a->grower);
	fprintf(out, _(": %d households\n"), n);
	for (int i = 0; i < n; i++)
		rpt_settle_block(out, r, &g[i], g[i].grower, g[i].grower);
	rpt_settle_block(out, r, total, _("TOTAL"), NULL);
	rpt_settle_notes(out, r, total);
}

/* ------------------------------------------------------------------ */
/* CSV and JSON                                                         */

/* text as a CSV field (RFC 4180) or a JSON string (json = 1). */
static void rpt_settle_quote(FILE *out, const char *text, int json)
{
	if (!json && !strpbrk(text, ",\"\r\n")) {
		fputs(text, out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"')
			fputs(json ? "\\\"" : "\"\"", out);
		else if (json && *p == '\\')
			fputs("\\\\", out);
		else if (json && *p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* One CSV row (deliveries as "feedstock/part:kg" separated by spaces). */
static void rpt_settle_csv_row(FILE *out, const struct rpt_settle_run *r,
                               const struct settle_grower *g, const char *grower)
{
	struct rpt_settle_part p[RPT_SETTLE_PARTS];
	char d[RPT_SETTLE_PARTS * 64] = "";
	int n = rpt_settle_parts(r, grower, p);
	size_t len = 0;

	for (int i = 0; i < n && len < sizeof d; i++)
		len += (size_t)snprintf(d + len, sizeof d - len, "%s%s/%s:%.3f",
		                        i ? " " : "", p[i].feedstock, p[i].part,
		                        (double)p[i].g / 1000);
	rpt_settle_quote(out, g->grower, 0);
	fprintf(out, ",%.3f,%lld,%lld,%lld,%lld,%lld,%lld,", g->raw_kg, g->oil_g,
	        g->raw_vnd, g->oil_share_vnd, g->bonus_vnd, g->paid_vnd, g->due_vnd);
	rpt_settle_quote(out, d, 0);
	fputs("\r\n", out);
}

static void rpt_settle_csv(FILE *out, const struct rpt_settle_run *r,
                           const struct settle_grower *g, int n,
                           const struct settle_grower *total)
{
	fputs("grower,raw_kg,oil_g,raw_vnd,oil_share_vnd,bonus_vnd,paid_vnd,"
	      "due_vnd,deliveries\r\n", out);
	for (int i = 0; i < n; i++)
		rpt_settle_csv_row(out, r, &g[i], g[i].grower);
	rpt_settle_csv_row(out, r, total, NULL);
}

/* One JSON object: a household's figures (or the total's). */
static void rpt_settle_json_one(FILE *out, const struct rpt_settle_run *r,
                                const struct settle_grower *g, const char *grower)
{
	struct rpt_settle_part p[RPT_SETTLE_PARTS];
	int n = rpt_settle_parts(r, grower, p);

	fputs("{\"grower\": ", out);
	rpt_settle_quote(out, g->grower, 1);
	fprintf(out, ", \"raw_kg\": %.3f, \"deliveries\": [", g->raw_kg);
	for (int i = 0; i < n; i++) {
		fputs(i ? ", {\"feedstock\": " : "{\"feedstock\": ", out);
		rpt_settle_quote(out, p[i].feedstock, 1);
		fputs(", \"plant_part\": ", out);
		if (*p[i].part)
			rpt_settle_quote(out, p[i].part, 1);
		else
			fputs("null", out);
		fprintf(out, ", \"raw_kg\": %.3f}", (double)p[i].g / 1000);
	}
	fprintf(out, "], \"oil_g\": %lld, \"raw_vnd\": %lld, \"oil_share_vnd\": "
	        "%lld, \"bonus_vnd\": %lld, \"paid_vnd\": %lld, \"due_vnd\": %lld}",
	        g->oil_g, g->raw_vnd, g->oil_share_vnd, g->bonus_vnd, g->paid_vnd,
	        g->due_vnd);
}

static void rpt_settle_json(FILE *out, const struct rpt_settle_args *a,
                            const struct rpt_settle_run *r,
                            const struct settle_grower *g, int n,
                            const struct settle_grower *total)
{
	fprintf(out, "{\"from\": \"%s\", \"to\": \"%s\", \"grower\": ", a->from, a->to);
	if (a->grower)
		rpt_settle_quote(out, a->grower, 1);
	else
		fputs("null", out);
	fputs(", \"growers\": [", out);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",\n  " : "\n  ", out);
		rpt_settle_json_one(out, r, &g[i], g[i].grower);
	}
	fputs("],\n \"total\": ", out);
	rpt_settle_json_one(out, r, total, NULL);
	fprintf(out, ",\n \"oil_weighed_g\": %lld, \"batches_weighed\": %d, "
	        "\"not_weighed\": [", r->weighed_g, r->n_weighed);
	for (int i = 0; i < r->n_unweighed; i++)
		fprintf(out, "%s{\"batch_id\": %ld, \"state\": \"%s\"}", i ? ", " : "",
		        r->unweighed[i].batch_id, r->unweighed[i].state);
	fputs("]}\n", out);
}

/* ------------------------------------------------------------------ */
/* The command                                                          */

/* Reads the period's lines into *r: 0, or -1 with cause. */
static int rpt_settle_read(const char *db_path, const struct rpt_settle_args *a,
                           struct rpt_settle_run *r, char *cause,
                           size_t cause_len)
{
	struct store_filter f = {.from = a->from, .to = a->to, .grower = a->grower};
	struct store *s = store_open(db_path, STORE_RO, cause, cause_len);
	int rows;

	if (!s)
		return -1;
	rows = store_query_rows(s, STORE_Q_SETTLE, &f, rpt_settle_take, r, cause,
	                        cause_len);
	store_close(s);
	if (rows >= 0 && r->oom) {
		snprintf(cause, cause_len, "out of memory");
		rows = -1;
	}
	return rows < 0 ? -1 : 0;
}

/* Computes and prints; RPT_OK or RPT_ERR with cause. */
static int rpt_settle_print(const struct rpt_settle_args *a,
                            const struct rpt_settle_run *r, FILE *out,
                            char *cause, size_t cause_len)
{
	int max = r->n > 0 ? r->n : 1, n;
	struct settle_grower *g = calloc((size_t)max, sizeof *g), total;

	if (!g) {
		snprintf(cause, cause_len, "out of memory");
		return RPT_ERR;
	}
	n = settle_compute(&r->plant->settle, r->line, r->n, g, max, &total, cause,
	                   cause_len);
	if (n >= 0 && a->fmt == RPT_SETTLE_CSV)
		rpt_settle_csv(out, r, g, n, &total);
	else if (n >= 0 && a->fmt == RPT_SETTLE_JSON)
		rpt_settle_json(out, a, r, g, n, &total);
	else if (n >= 0 && a->fmt == RPT_SETTLE_HTML)
		doc_stmt_write(out, &(struct doc_stmt_period){a->from, a->to, a->grower}, r, g, n, &total);
	else if (n >= 0)
		rpt_settle_text_out(out, a, r, g, n, &total);
	free(g);
	return n < 0 ? RPT_ERR : RPT_OK;
}

int rpt_settle_main(int argc, char **argv, const char *db_path,
                    const struct cfg_plant *plant, FILE *out, FILE *err)
{
	struct rpt_settle_run r = {.plant = plant};
	struct rpt_settle_args a;
	char cause[STORE_CAUSE_MAX];
	int rc;

	if (argc < 1 || strcmp(argv[0], "settle") != 0)
		return RPT_NOT_MINE;
	rc = rpt_settle_args(argc, argv, &a, err);
	if (rc != RPT_OK)
		return rc;
	if (!plant->settle.set) {
		fprintf(err, _("stillroom: %s has no 'settlement:' section: there is "
		        "no rule to settle by (docs/RECORDS.md, \"Member "
		        "settlement\")\n"), plant->path);
		return RPT_ERR;
	}
	rc = rpt_settle_read(db_path, &a, &r, cause, sizeof cause) < 0 ? RPT_ERR
	     : rpt_settle_print(&a, &r, out, cause, sizeof cause);
	if (rc != RPT_OK)
		fprintf(err, "stillroom: %s\n", cause);
	rpt_settle_free(&r);
	return rc;
}
