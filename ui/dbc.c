/* dbc: the CLI's `db` commands. See dbc.h. */
#include "dbc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "num.h"
#include "store.h"
#include "store_hist.h"

#define DBC_YEAR_S (365.25 * 86400)

void dbc_usage(FILE *f)
{
	fputs(_("  db stats [--json]                    sizes by table, projected per year\n"
	        "  db samples [--still S] [--batch N] [--last N]   historian rows as CSV\n"), f);
}

/* The projected bytes of a year at the rate of bytes over the span. */
static double dbc_per_year(long long bytes, const struct store_hist_stats *o)
{
	double span = o->to_wall_s - o->from_wall_s;

	return span > 0 ? (double)bytes / span * DBC_YEAR_S : NAN;
}

/* Bytes of the historian's tables (hist_raw, hist_blocks). */
static long long dbc_hist_bytes(const struct store_hist_stats *o)
{
	long long b = 0;

	for (int i = 0; i < o->n; i++)
		if (strncmp(o->t[i].name, "hist_", 5) == 0 && o->t[i].bytes > 0)
			b += o->t[i].bytes;
	return b;
}

static void dbc_stats_text(const struct store_hist_stats *o, FILE *out)
{
	long long hb = dbc_hist_bytes(o);

	fprintf(out, "%-24s %14s %12s\n", _("table"), _("bytes"), _("rows"));
	for (int i = 0; i < o->n; i++)
		fprintf(out, "%-24s %14lld %12lld\n", o->t[i].name, o->t[i].bytes,
		        o->t[i].rows);
	fprintf(out, _("file: %lld bytes%s\n"), o->file_bytes,
	        o->dbstat ? "" : _(" (no dbstat: sizes by table unknown)"));
	fprintf(out, _("historian: %lld samples, %lld bytes, %.2f bytes a sample\n"),
	        o->samples, hb, o->samples > 0 ? (double)hb / (double)o->samples : 0.0);
	if (isnan(dbc_per_year(hb, o)))
		fputs(_("projected per year: unknown (no span of samples yet)\n"), out);
	else
		fprintf(out, _("projected per year: historian %.0f bytes, database %.0f"
		               " bytes (over %.0f s of samples)\n"),
		        dbc_per_year(hb, o), dbc_per_year(o->file_bytes, o),
		        o->to_wall_s - o->from_wall_s);
}

/* A number for JSON: null when not finite. */
static void dbc_json_num(FILE *out, const char *key, double v, const char *sep)
{
	if (isfinite(v))
		fprintf(out, "\"%s\":%.0f%s", key, v, sep);
	else
		fprintf(out, "\"%s\":null%s", key, sep);
}

static void dbc_stats_json(const struct store_hist_stats *o, FILE *out)
{
	long long hb = dbc_hist_bytes(o);

	fputs("{\"tables\":[", out);
	for (int i = 0; i < o->n; i++)
		fprintf(out, "%s{\"name\":\"%s\",\"bytes\":%lld,\"rows\":%lld}",
		        i ? "," : "", o->t[i].name, o->t[i].bytes, o->t[i].rows);
	fprintf(out, "],\"dbstat\":%s,\"file_bytes\":%lld,\"samples\":%lld,"
	        "\"historian_bytes\":%lld,", o->dbstat ? "true" : "false",
	        o->file_bytes, o->samples, hb);
	dbc_json_num(out, "span_s", o->to_wall_s - o->from_wall_s, ",");
	dbc_json_num(out, "historian_bytes_per_year", dbc_per_year(hb, o), ",");
	dbc_json_num(out, "file_bytes_per_year", dbc_per_year(o->file_bytes, o), "}\n");
}

/* Options of db samples. */
struct dbc_samples {
	const char *still;
	long batch_id;
	long last;                  /* 0: all */
	long skip, k;
	FILE *out;
};

static int dbc_sample_row(void *ctx, const struct store_hist_row *r)
{
	struct dbc_samples *a = ctx;

	if (a->k++ < a->skip)
		return 0;
	fprintf(a->out, "%s,%ld,%.3f,%.3f,%d,%d", r->s.still, r->s.batch_id,
	        r->s.t_process_s, r->s.wall_s, r->span_s, r->n);
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		if (isnan(r->s.value[t]))
			fputc(',', a->out);
		else
			fprintf(a->out, ",%.15g", r->s.value[t]);
	fputc(',', a->out);
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		fputc('0' + (r->s.quality[t] > 9 ? 9 : r->s.quality[t]), a->out);
	fputc('\n', a->out);
	return 0;
}

/* Parses db samples' options from argv[2..]: 0, or -1 with a sentence in
 * cause ("" for a usage error). */
static int dbc_samples_args(int argc, char **argv, struct dbc_samples *a,
                            char *cause, size_t cause_len)
{
	static const struct num_field batch = {"--batch", "", 1, 1e12, 0};
	static const struct num_field last = {"--last", "", 1, 1e12, 0};

	cause[0] = '\0';
	for (int i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--still") == 0)
			a->still = argv[++i];
		else if (strcmp(argv[i], "--batch") == 0)
			return num_int(argv[++i], &batch, &a->batch_id, cause, cause_len) < 0 ?
			       -1 : dbc_samples_args(argc - i + 1, argv + i - 1, a, cause,
			                             cause_len);
		else if (strcmp(argv[i], "--last") == 0)
			return num_int(argv[++i], &last, &a->last, cause, cause_len) < 0 ?
			       -1 : dbc_samples_args(argc - i + 1, argv + i - 1, a, cause,
			                             cause_len);
		else
			return -1;
	}
	return 0;
}

static int dbc_samples_run(struct store *s, struct dbc_samples *a, char *cause,
                           size_t cause_len)
{
	long n = store_hist_count(s, a->batch_id, a->still, cause, cause_len);

	if (n < 0)
		return -1;
	a->skip = a->last > 0 && n > a->last ? n - a->last : 0;
	fputs("still,batch_id,t_process_s,wall_s,span_s,n", a->out);
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		fprintf(a->out, ",%s", cfg_tag_name((enum cfg_tag)t));
	fputs(",quality\n", a->out);
	if (a->batch_id > 0)
		return store_hist_batch(s, a->batch_id, dbc_sample_row, a, cause,
		                        cause_len) < 0 ? -1 : 0;
	return store_hist_span(s, a->still, -1e18, 1e18, dbc_sample_row, a, cause,
	                       cause_len) < 0 ? -1 : 0;
}

int dbc_main(int argc, char **argv, const char *db_path, FILE *out, FILE *err)
{
	char cause[STORE_CAUSE_MAX] = "";
	struct dbc_samples a = {0};
	struct store_hist_stats *o = NULL;
	struct store *s;
	int stats, json = argc == 3 && strcmp(argv[2], "--json") == 0, rc;

	if (argc < 1 || strcmp(argv[0], "db") != 0)
		return DBC_NOT_MINE;
	stats = argc >= 2 && strcmp(argv[1], "stats") == 0;
	a.out = out;
	if (!(stats && (argc == 2 || json)) &&
	    !(argc >= 2 && strcmp(argv[1], "samples") == 0 &&
	      dbc_samples_args(argc, argv, &a, cause, sizeof cause) == 0)) {
		if (!stats && cause[0])
			fprintf(err, "stillroom db samples: %s\n", cause);
		fputs(_("stillroom db: usage:\n"), err);
		dbc_usage(err);
		return 2;
	}
	s = store_open(db_path, STORE_RO, cause, sizeof cause);
	if (!s)
		goto fail;
	if (stats) {
		o = malloc(sizeof *o);
		rc = o ? store_hist_stats(s, o, cause, sizeof cause) :
		         (snprintf(cause, sizeof cause, "out of memory"), -1);
		if (rc == 0)
			(json ? dbc_stats_json : dbc_stats_text)(o, out);
		free(o);
	} else {
		rc = dbc_samples_run(s, &a, cause, sizeof cause);
	}
	store_close(s);
	if (rc == 0)
		return 0;
fail:
	fprintf(err, "stillroom: db: %s\n", cause);
	return 1;
}
