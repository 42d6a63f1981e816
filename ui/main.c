/*
 * stillroom: the operator's program. With no subcommand it opens the
 * console; with one it is a scriptable CLI: daemon commands (cli.c),
 * recipe checks (rcp.c), and read-only reports straight from the database
 * (rpt.c). Global options may stand anywhere on the line.
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
#include "rpt.h"

struct main_opts {
	const char *config;
	const char *socket;
	const char *db;
	const char *operator_name;
	int argc;                 /* what is left: the subcommand */
	char **argv;
};

static void main_usage(FILE *f)
{
	fprintf(f,
	        "usage: stillroom [options] [command [args]]\n"
	        "With no command: the operator console.\n"
	        "Options (anywhere on the line):\n"
	        "  -c, --config FILE    plant configuration (default %s)\n"
	        "      --socket PATH    the daemon's socket (default: the config's socket:)\n"
	        "      --db PATH        the database, for reports (default: the config's database:)\n"
	        "      --operator NAME  who is acting, for the audit trail (default: login name)\n"
	        "  -h, --help           this text\n"
	        "  -V, --version        print the version\n"
	        "Commands:\n"
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
	        "  trace BATCH | trace --grower NAME    audit verify\n",
	        cfg_default_path());
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

/* Takes a global option at argv[*i]; 1 when taken, 0 when not one, -1 on
 * a missing value (printed). */
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
			fprintf(stderr, "stillroom: %s needs an argument (see --help)\n", argv[*i]);
			return -1;
		}
		*slot = argv[++*i];
		return 1;
	}
	return 0;
}

/* Splits argv into global options and the subcommand. 0, 1 (exit 0), 2. */
static int main_parse(int argc, char **argv, struct main_opts *o)
{
	*o = (struct main_opts){.config = cfg_default_path(), .operator_name = main_login()};
	o->argv = calloc((size_t)argc + 1, sizeof *o->argv);
	if (o->argv == NULL)
		return 2;
	for (int i = 1; i < argc; i++) {
		int rc = main_global(argc, argv, &i, o);

		if (rc < 0)
			return 2;
		if (rc > 0)
			continue;
		if (o->argc == 0 && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
			main_usage(stdout);
			return 1;
		}
		if (o->argc == 0 && (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)) {
			printf("stillroom %s\n", SR_VERSION);
			return 1;
		}
		if (o->argc == 0 && argv[i][0] == '-') {
			fprintf(stderr, "stillroom: unknown option %s (see --help)\n", argv[i]);
			return 2;
		}
		o->argv[o->argc++] = argv[i];
	}
	return 0;
}

/* recipe check FILE... */
static int main_recipe(struct main_opts *o, const struct cfg_plant *plant)
{
	if (o->argc < 3 || strcmp(o->argv[1], "check") != 0) {
		fprintf(stderr, "stillroom recipe: usage: stillroom recipe check FILE...\n");
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
	fprintf(stderr, "stillroom qa: usage: stillroom qa record BATCH --density D --ri N "
	                "--marker PCT --analyst NAME | stillroom qa release|quarantine|reject "
	                "BATCH [--reason TEXT]\n");
	return 2;
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
	if (strcmp(o->argv[0], "lot") == 0 && o->argc > 1 && strcmp(o->argv[1], "add") == 0) {
		o->argv[1] = "lot-add";
		return cli_main(o->argc - 1, o->argv + 1, sock, o->operator_name, stdout, stderr);
	}
	if (strcmp(o->argv[0], "qa") == 0)
		return main_qa(o, sock);
	rc = cli_main(o->argc, o->argv, sock, o->operator_name, stdout, stderr);
	if (rc >= 0)
		return rc;
	rc = rpt_main(o->argc, o->argv, db, stdout, stderr);
	if (rc == RPT_NOT_MINE) {
		fprintf(stderr, "stillroom: unknown command '%s' (see --help)\n", o->argv[0]);
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
	rc = main_parse(argc, argv, &o);

	if (rc != 0) {
		free(o.argv);
		return rc == 1 ? 0 : 2;
	}
	log_init("stillroom");
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
		};

		rc = con_main(&co);
		goto out_free;
	}
	rc = main_dispatch(&o, &plant);
out_free:
	free(o.argv);
	return rc;
}
