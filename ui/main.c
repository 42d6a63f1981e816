/*
 * stillroom: the operator's program. With no subcommand it opens the
 * console; with one it is a scriptable CLI: daemon commands (cli.c),
 * recipe checks (rcp.c), and read-only reports straight from the database
 * (rpt.c). Global options may stand anywhere on the line.
 * Messages and usage go through _() (common/i18n.h): the language is the
 * locale's, or --lang; what scripts parse (--json, data lines) never is.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "con.h"
#include "i18n.h"
#include "log.h"
#include "rcp.h"
#include "alliance.h"
#include "bkp.h"
#include "dbc.h"
#include "rpt.h"
#include "rpt_settle.h"

struct main_opts {
	const char *config;
	const char *socket;
	const char *db;
	const char *operator_name;
	const char *lang;         /* --lang: "en", "vi"; NULL: the locale's */
	const char *flag;         /* the first -h, -V or unknown option before
	                             the subcommand; NULL when none */
	const char *no_value;     /* the option missing its value, NULL when none */
	int argc;                 /* what is left: the subcommand */
	char **argv;
};

/* The usage text, in pieces so each can be translated on its own. */
static void main_usage(FILE *f)
{
	fputs(_("usage: stillroom [options] [command [args]]\n"
	        "With no command: the operator console.\n"), f);
	fprintf(f,
	        _("Options (anywhere on the line):\n"
	          "  -c, --config FILE    plant configuration (default %s)\n"
	          "      --socket PATH    the daemon's socket (default: the config's socket:)\n"
	          "      --db PATH        the database, for reports (default: the config's database:)\n"
	          "      --operator NAME  who is acting, for the audit trail (default: login name)\n"
	          "      --lang en|vi     language of messages (default: the locale's)\n"
	          "  -h, --help           this text\n"
	          "  -V, --version        print the version\n"),
	        cfg_default_path());
	fputs(_("Commands:\n"
	        "  status [--json]                      every still, one line each\n"
	        "  start STILL --recipe NAME --lot LOT --mass KG\n"
	        "  hold|restart|stop|abort|reset STILL\n"
	        "  ack STILL [ALARM]                    acknowledge one alarm or all\n"
	        "  shelve STILL ALARM --minutes N --reason TEXT\n"
	        "  answer STILL TEXT                    answer the pending prompt\n"
	        "  manual STILL steam|cooling PCT       put an output in manual\n"
	        "  auto STILL steam|cooling             back to automatic\n"
	        "  alarms [STILL]   recipes   steps RECIPE   reload\n"
	        "  recipe check FILE...                 check recipe files (exit 0 clean, 1 not)\n"
	        "  lot add LOT --feedstock F --mass KG --grower NAME --origin PLACE\n"
	        "          [--harvested DATE] [--moisture PCT] [--cooperative NAME]\n"
	        "  lot list | lot show LOT\n"
	        "  report batch ID [--json|--csv]   report batches [filters] [--json|--csv]\n"
	        "  report yields --by feedstock|grower|still|month   report curve ID --csv\n"
	        "  trace BATCH | trace --grower NAME    audit verify\n"), f);
	fputs(_("  start STILL --recipe NAME --lot LOT:KG --lot LOT:KG [--mass KG]\n"
	        "  lot add LOT ... [--part leaf|twig|bark|fruit] [--price VND_PER_KG]\n"
	        "          [--organic-cert ID --organic-body NAME] [--gi NAME]\n"
	        "  lot correct LOT [--moisture PCT] [--oil-content PCT] [--FIELD VALUE] --why TEXT\n"
	        "  drum fill DRUM --batch BATCH --kg KG [--tare KG] [--organic|--conventional]\n"
	        "  ship DRUM [DRUM...] --buyer NAME --doc NO --date YYYY-MM-DD\n"
	        "  advance GROWER --vnd N --date YYYY-MM-DD [--why TEXT]\n"), f);
	fputs(_("  report quarantine                    items the journal set aside\n"
	        "  backup FILE [--force]                a checked copy of the live database\n"
	        "  restore FILE                         put a copy back (stillroomd stopped)\n"), f);
	dbc_usage(f);
	fputs(_("  settle --from DATE --to DATE [--grower NAME] [--csv|--json]\n"
	        "                                       what each household is owed\n"), f);
	fputs(_("  drum list [--json|--csv] | drum show DRUM|TRACE_CODE [--json]\n"
	        "  trace --drum DRUM|TRACE_CODE [--json]  the buyer's trace (privacy:)\n"
	        "  trace --lot LOT [--json]             lot -> batches -> drums -> buyers\n"), f);
	alliance_usage(f);
}

/* The login name, for the audit trail. */
static const char *main_login(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u != NULL && u[0] != '\0')
		return u;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "operator";
}

/* Takes a global option at argv[*i]; 1 when taken, 0 when not one. A
 * missing value is noted in o->no_value (and taken). */
static int main_global(int argc, char **argv, int *i, struct main_opts *o)
{
	static const struct {
		const char *shortname, *longname;
		size_t off;
	} opts[] = {
		{"-c", "--config", offsetof(struct main_opts, config)},
		{NULL, "--socket", offsetof(struct main_opts, socket)},
		{NULL, "--db", offsetof(struct main_opts, db)},
		{NULL, "--operator", offsetof(struct main_opts, operator_name)},
		{NULL, "--lang", offsetof(struct main_opts, lang)},
	};

	for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
		size_t n = strlen(opts[k].longname);
		const char **slot = (const char **)((char *)o + opts[k].off);

		if (strncmp(argv[*i], opts[k].longname, n) == 0 && argv[*i][n] == '=') {
			*slot = argv[*i] + n + 1;
			return 1;
		}
		if (strcmp(argv[*i], opts[k].longname) != 0 &&
		    (opts[k].shortname == NULL || strcmp(argv[*i], opts[k].shortname) != 0))
			continue;
		if (*i + 1 >= argc) {
			if (o->no_value == NULL)
				o->no_value = argv[*i];
			return 1;
		}
		*slot = argv[++*i];
		return 1;
	}
	return 0;
}

/* Splits argv into global options and the subcommand; prints nothing, so
 * that --lang anywhere on the line applies to every message. 0, or -1
 * when out of memory. */
static int main_parse(int argc, char **argv, struct main_opts *o)
{
	*o = (struct main_opts){.config = cfg_default_path(), .operator_name = main_login()};
	o->argv = calloc((size_t)argc + 1, sizeof *o->argv);
	if (o->argv == NULL)
		return -1;
	for (int i = 1; i < argc; i++) {
		if (main_global(argc, argv, &i, o) > 0)
			continue;
		if (o->argc == 0 && argv[i][0] == '-') {
			if (o->flag == NULL)
				o->flag = argv[i];
			continue;
		}
		o->argv[o->argc++] = argv[i];
	}
	return 0;
}

/* Applies --lang, then what the options alone decide: --help, --version
 * or a bad line, whichever came first. Returns the exit status when that
 * is all, -1 to go on. */
static int main_early(const struct main_opts *o)
{
	const char *f = o->flag;

	if (o->lang != NULL && strcmp(o->lang, "en") != 0 && strcmp(o->lang, "vi") != 0) {
		fprintf(stderr, _("stillroom: unknown language '%s' (en or vi)\n"), o->lang);
		return 2;
	}
	if (o->lang != NULL)
		i18n_set(o->lang);
	if (f != NULL && (strcmp(f, "-h") == 0 || strcmp(f, "--help") == 0)) {
		main_usage(stdout);
		return 0;
	}
	if (f != NULL && (strcmp(f, "-V") == 0 || strcmp(f, "--version") == 0)) {
		printf("stillroom %s\n", SR_VERSION);
		return 0;
	}
	if (f != NULL) {
		fprintf(stderr, _("stillroom: unknown option %s (see --help)\n"), f);
		return 2;
	}
	if (o->no_value != NULL) {
		fprintf(stderr, _("stillroom: %s needs an argument (see --help)\n"), o->no_value);
		return 2;
	}
	return -1;
}

/* recipe check FILE... */
static int main_recipe(struct main_opts *o, const struct cfg_plant *plant)
{
	if (o->argc < 3 || strcmp(o->argv[1], "check") != 0) {
		fputs(_("stillroom recipe: usage: stillroom recipe check FILE...\n"), stderr);
		return 2;
	}
	return rcp_check_files(o->argc - 2, o->argv + 2, plant, stdout, stderr);
}

/* qa record BATCH ... | qa release|quarantine|reject BATCH [--reason T] */
static int main_qa(struct main_opts *o, const char *sock)
{
	static char decision[32];
	const char *what = o->argc > 1 ? o->argv[1] : "";

	if (strcmp(what, "record") == 0) {
		o->argv[1] = "qa-record";
		return cli_main(o->argc - 1, o->argv + 1, sock, o->operator_name, stdout, stderr);
	}
	if (strcmp(what, "release") == 0 || strcmp(what, "quarantine") == 0 ||
	    strcmp(what, "reject") == 0) {
		snprintf(decision, sizeof decision, "--decision=%s", what);
		o->argv[1] = "qa-decide";
		o->argv[o->argc++] = decision;
		return cli_main(o->argc - 1, o->argv + 1, sock, o->operator_name, stdout, stderr);
	}
	fputs(_("stillroom qa: usage: stillroom qa record BATCH --density D --ri N "
	        "--marker PCT --analyst NAME | stillroom qa release|quarantine|reject "
	        "BATCH [--reason TEXT]\n"), stderr);
	return 2;
}

/* lot add|correct, drum fill: the writing commands of two words, sent
 * as one protocol verb ("lot-add"); -1 when o names none of them. */
static int main_two_words(struct main_opts *o, const char *sock)
{
	static char *const words[][3] = {
		{"lot", "add", "lot-add"},
		{"lot", "correct", "lot-correct"},
		{"drum", "fill", "drum-fill"},
	};

	for (size_t k = 0; o->argc > 1 && k < sizeof words / sizeof words[0]; k++) {
		if (strcmp(o->argv[0], words[k][0]) == 0 && strcmp(o->argv[1], words[k][1]) == 0) {
			o->argv[1] = words[k][2];
			return cli_main(o->argc - 1, o->argv + 1, sock, o->operator_name, stdout,
			                stderr);
		}
	}
	return -1;
}

/* Runs the subcommand; returns the exit status. */
static int main_dispatch(struct main_opts *o, const struct cfg_plant *plant)
{
	const char *sock = o->socket ? o->socket : plant->socket_path;
	const char *db = o->db ? o->db : plant->db_path;
	int rc;

	if (strcmp(o->argv[0], "recipe") == 0)
		return main_recipe(o, plant);
	if (strcmp(o->argv[0], "console-bench") == 0)
		return con_bench_redraw(stdout, 32, 50, 200, 200) < 0;
	rc = main_two_words(o, sock);
	if (rc >= 0)
		return rc;
	if (strcmp(o->argv[0], "qa") == 0)
		return main_qa(o, sock);
	rc = bkp_main(o->argc, o->argv, db, stdout, stderr);
	if (rc != BKP_NOT_MINE)
		return rc;
	rc = dbc_main(o->argc, o->argv, db, stdout, stderr);
	if (rc != DBC_NOT_MINE)
		return rc;
	rc = rpt_settle_main(o->argc, o->argv, db, plant, stdout, stderr);
	if (rc != RPT_NOT_MINE)
		return rc;
	rc = cli_main(o->argc, o->argv, sock, o->operator_name, stdout, stderr);
	if (rc >= 0)
		return rc;
	rc = rpt_main(o->argc, o->argv, db, plant, stdout, stderr);
	if (rc == RPT_NOT_MINE) {
		fprintf(stderr, _("stillroom: unknown command '%s' (see --help)\n"), o->argv[0]);
		return 2;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static struct cfg_plant plant;
	struct main_opts o;
	struct diag dg;
	int rc;

	i18n_init(NULL);
	if (main_parse(argc, argv, &o) < 0) {
		fprintf(stderr, "%s\n", _("stillroom: out of memory"));
		return 2;
	}
	rc = main_early(&o);
	if (rc >= 0)
		goto out_free;
	log_init("stillroom");
	rc = alliance_main(o.argc, o.argv, stdout, stderr);
	if (rc != ALLIANCE_NOT_MINE)
		goto out_free;
	diag_init(&dg);
	if (cfg_load(&plant, o.config, &dg) < 0) {
		diag_print(&dg, stderr);
		rc = 1;
		goto out_free;
	}
	if (o.argc == 0) {
		struct con_opts co = {
			.socket_path = o.socket ? o.socket : plant.socket_path,
			.db_path = o.db ? o.db : plant.db_path,
			.plant = &plant,
			.operator_name = o.operator_name,
			.lang = o.lang,
		};

		rc = con_main(&co);
		goto out_free;
	}
	rc = main_dispatch(&o, &plant);
out_free:
	free(o.argv);
	return rc;
}
