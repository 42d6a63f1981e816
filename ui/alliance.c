/*
 * alliance: `stillroom alliance ...` (alliance.h): the arguments, then one
 * report through central/cen_report.
 */
#include "alliance.h"

#include <string.h>

#include "cen_report.h"
#include "doc_head.h"
#include "i18n.h"

struct alliance_args {
	const char *what;       /* yields, trace, grower, views */
	const char *conninfo;   /* --postgres; "" = libpq's environment */
	const char *arg;        /* drum, lot or grower */
	enum cen_report_kind kind;
	int json;
};

/* The alliance views' columns that the batch record's (doc_head) lacks:
 * their headings in the text reports. */
static const struct {
	const char *column;
	const char *heading;
} alliance_heads[] = {
	{"plant", N_("plant")},
	{"month", N_("month")},
	{"batches", N_("batches")},
	{"drum_id", N_("drum")},
	{"trace_code", N_("trace code")},
	{"qa_decision", N_("QA decision")},
	{"drum_oil_kg", N_("oil in the drum [kg]")},
	{"buyer", N_("buyer")},
	{"doc_no", N_("document no.")},
	{"ship_date", N_("shipped")},
	{"received_at", N_("received")},
	{"mass_received_kg", N_("received [kg]")},
	{"price_vnd_per_kg", N_("price [VND/kg]")},
};

/* A text report's heading for column, in the language of _() now. */
static const char *alliance_head(const char *column)
{
	for (size_t i = 0; i < sizeof alliance_heads / sizeof alliance_heads[0]; i++)
		if (strcmp(alliance_heads[i].column, column) == 0)
			return _(alliance_heads[i].heading);
	return doc_head(column);
}

/* Takes the option at argv[*i] into a; 0, or -1 when unknown or its
 * value is missing. */
static int alliance_option(int argc, char **argv, int *i, struct alliance_args *a)
{
	const char *o = argv[*i];

	if (strcmp(o, "--json") == 0) {
		a->json = 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return -1;
	if (strcmp(o, "--postgres") == 0)
		a->conninfo = argv[++*i];
	else if (strcmp(o, "--drum") == 0 && a->arg == NULL)
		a->kind = CEN_REPORT_DRUM, a->arg = argv[++*i];
	else if (strcmp(o, "--lot") == 0 && a->arg == NULL)
		a->kind = CEN_REPORT_LOT, a->arg = argv[++*i];
	else
		return -1;
	return 0;
}

/* Reads argv into a; 0, or -1 on wrong arguments. */
static int alliance_args(int argc, char **argv, struct alliance_args *a)
{
	*a = (struct alliance_args){.conninfo = "", .kind = CEN_REPORT_COUNT};
	if (argc < 2)
		return -1;
	a->what = argv[1];
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (alliance_option(argc, argv, &i, a) < 0)
				return -1;
		} else if (strcmp(a->what, "grower") == 0 && a->arg == NULL) {
			a->arg = argv[i];
		} else {
			return -1;
		}
	}
	if (strcmp(a->what, "yields") == 0 || strcmp(a->what, "views") == 0)
		return a->arg == NULL ? (a->kind = CEN_REPORT_YIELDS, 0) : -1;
	if (strcmp(a->what, "grower") == 0)
		return a->arg != NULL && a->kind == CEN_REPORT_COUNT ?
		       (a->kind = CEN_REPORT_GROWER, 0) : -1;
	if (strcmp(a->what, "trace") == 0)
		return a->arg != NULL ? 0 : -1;
	return -1;
}

void alliance_usage(FILE *f)
{
	fputs(_("  alliance yields|trace --drum D|trace --lot L|grower NAME\n"
	        "          [--postgres CONNINFO] [--json]   reports on the central PostgreSQL\n"
	        "  alliance views [--postgres CONNINFO]  create the alliance's report views\n"), f);
}

int alliance_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct alliance_args a;
	char cause[512];
	int rows;

	if (argc < 1 || strcmp(argv[0], "alliance") != 0)
		return ALLIANCE_NOT_MINE;
	if (alliance_args(argc, argv, &a) < 0) {
		fputs(_("stillroom alliance: usage:\n"), err);
		alliance_usage(err);
		return 2;
	}
	if (strcmp(a.what, "views") == 0) {
		if (cen_report_views(a.conninfo, cause, sizeof cause) < 0) {
			/* TRANSLATORS: %s is the reason, which stays English. */
			fprintf(err, _("stillroom alliance: %s\n"), cause);
			return 1;
		}
		fputs(_("alliance views created\n"), out);
		return 0;
	}
	rows = cen_report_run(a.conninfo, a.kind, a.arg, a.json, out,
	                      alliance_head, cause, sizeof cause);
	if (rows < 0) {
		fprintf(err, _("stillroom alliance: %s\n"), cause);
		return 1;
	}
	if (rows == 0 && a.kind != CEN_REPORT_YIELDS) {
		fprintf(err, _("stillroom alliance: nothing matches '%s' in any plant\n"),
		        a.arg);
		return 1;
	}
	return 0;
}
