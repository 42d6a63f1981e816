/* cli: the scriptable command line. See cli.h. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "con_grid.h"
#include "i18n.h"
#include "proto.h"

/* A start's --lot options, gathered: several (or LOT:KG) go as lots=. */
struct cli_lots {
	char text[PROTO_LINE_MAX / 2];  /* "L1:200,L2:300" */
	int n;                          /* how many --lot */
	int colon;                      /* one of them is LOT:KG */
};

/* A daemon subcommand: how many positionals, which --options. */
struct cli_verb {
	const char *name;      /* as typed */
	const char *request;   /* protocol verb */
	int min_pos, max_pos;  /* positional arguments after the name */
	const char *options;   /* space-separated --option names allowed */
	int changes;           /* sends operator= */
	const char *usage;     /* translated at print time (N_) */
};

static const struct cli_verb cli_verbs[] = {
	{"status", "status", 0, 0, "json", 0, N_("status [--json]")},
	{"alarms", "alarms", 0, 1, "", 0, N_("alarms [STILL]")},
	{"recipes", "recipes", 0, 0, "", 0, N_("recipes")},
	{"steps", "steps", 1, 1, "", 0, N_("steps RECIPE")},
	{"start", "start", 1, 1, "recipe lot mass", 1,
	 N_("start STILL --recipe NAME --lot LOT --mass KG | --lot LOT:KG --lot LOT:KG "
	    "[--mass KG]")},
	{"hold", "hold", 1, 1, "", 1, N_("hold STILL")},
	{"restart", "restart", 1, 1, "", 1, N_("restart STILL")},
	{"stop", "stop", 1, 1, "", 1, N_("stop STILL")},
	{"abort", "abort", 1, 1, "", 1, N_("abort STILL")},
	{"reset", "reset", 1, 1, "", 1, N_("reset STILL")},
	{"ack", "ack", 1, 2, "", 1, N_("ack STILL [ALARM]")},
	{"shelve", "shelve", 2, 2, "minutes reason", 1,
	 N_("shelve STILL ALARM --minutes N --reason TEXT")},
	{"answer", "answer", 2, 2, "", 1, N_("answer STILL TEXT")},
	{"manual", "manual", 3, 3, "", 1, N_("manual STILL steam|cooling PCT")},
	{"auto", "auto", 2, 2, "", 1, N_("auto STILL steam|cooling")},
	{"reload", "reload", 0, 0, "", 0, N_("reload")},
	{"weigh", "weigh", 1, 1, "oil-kg why", 1, N_("weigh BATCH --oil-kg KG [--why TEXT]")},
	{"qa-record", "qa", 1, 1, "density ri marker analyst lab-ref why", 1,
	 N_("qa record BATCH --density D --ri N --marker PCT --analyst NAME "
	    "[--lab-ref R] [--why TEXT]")},
	{"qa-decide", "decide", 1, 1, "decision reason why", 1,
	 N_("qa release|quarantine|reject BATCH [--reason TEXT]")},
	{"lot-add", "lot-add", 1, 1,
	 "feedstock mass grower origin cooperative harvested moisture drying-days part price "
	 "organic-cert organic-body gi", 1,
	 N_("lot add LOT --feedstock F --mass KG --grower NAME --origin PLACE "
	    "[--harvested DATE] [--moisture PCT] [--cooperative NAME] [--drying-days N] "
	    "[--part leaf|twig|bark|fruit] [--price VND_PER_KG] [--organic-cert ID "
	    "--organic-body NAME] [--gi NAME]")},
	{"lot-correct", "lot-correct", 1, 1,
	 "moisture oil-content harvested part price organic-cert organic-body gi origin "
	 "cooperative drying-days why", 1,
	 N_("lot correct LOT [--moisture PCT] [--oil-content PCT] [--harvested DATE] "
	    "[--part P] [--price VND_PER_KG] [--organic-cert ID] [--organic-body NAME] "
	    "[--gi NAME] [--origin PLACE] [--cooperative NAME] --why TEXT")},
	{"drum-fill", "drum-fill", 1, 1, "batch kg tare organic conventional", 1,
	 N_("drum fill DRUM --batch BATCH --kg KG [--tare KG] [--organic|--conventional]")},
	{"ship", "ship", 1, PROTO_ARGS_MAX - 8, "buyer doc date", 1,
	 N_("ship DRUM [DRUM...] --buyer NAME --doc NO --date YYYY-MM-DD")},
	{"advance", "advance", 1, 1, "vnd date why", 1,
	 N_("advance GROWER --vnd N --date YYYY-MM-DD [--why TEXT]")},
};

/* Options that take no value: what each one sends. */
static const struct {
	const char *option, *key, *value;  /* key NULL: the bare word value */
} cli_flags[] = {
	{"json", NULL, "json"},
	{"organic", "organic", "1"},
	{"conventional", "organic", "0"},
};

/* Files one complete reply line of r: the final line (returns 1) or a
 * data line (kept while fewer than CLI_DATA_MAX; returns 0). */
static int cli_take_line(struct cli_reply *r, const char *line)
{
	if (proto_is_final(line)) {
		snprintf(r->final, sizeof r->final, "%s", line);
		r->ok = strncmp(line, "ok", 2) == 0;
		r->unrecorded = r->ok && proto_unrecorded(line[2] ? line + 3 : "") != NULL;
		return 1;
	}
	if (r->n < CLI_DATA_MAX) {
		char **grown = realloc(r->lines, (size_t)(r->n + 1) * sizeof *grown);

		if (grown != NULL) {
			r->lines = grown;
			r->lines[r->n++] = strdup(line);
		}
	}
	return 0;
}

/* Reads the reply from fd into r. A data line may be as long as
 * CLI_LINE_MAX (`status --json` of many stills is one line); a longer one
 * is dropped whole, up to its newline. Returns 0, or -1 when the daemon
 * closed the connection before its final line (or memory ran out). */
static int cli_read_reply(int fd, struct cli_reply *r)
{
	size_t have = 0, cap = PROTO_LINE_MAX;
	char *buf = malloc(cap), *nl;
	int skipping = 0, rc = -1;
	ssize_t n;

	while (buf != NULL) {
		while ((nl = memchr(buf, '\n', have)) != NULL) {
			*nl = '\0';
			if (!skipping && cli_take_line(r, buf)) {
				rc = 0;
				goto free_buf;
			}
			skipping = 0;
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
		}
		if (have == cap && cap < CLI_LINE_MAX) {
			char *grown = realloc(buf, cap * 2);

			if (grown == NULL)
				goto free_buf;
			buf = grown;
			cap *= 2;
		} else if (have == cap) {
			have = 0;       /* an over-long line: dropped to its newline */
			skipping = 1;
		}
		n = read(fd, buf + have, cap - have);
		if (n <= 0)
			goto free_buf;
		have += (size_t)n;
	}
free_buf:
	free(buf);
	return rc;
}

int cli_request(const char *socket_path, const char *request, struct cli_reply *r,
                char *cause, size_t cause_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	memset(r, 0, sizeof *r);
	if (strlen(socket_path) >= sizeof sa.sun_path) {
		snprintf(cause, cause_len, _("%s: socket path too long"), socket_path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		snprintf(cause, cause_len, _("cannot reach stillroomd at %s: %s"), socket_path,
		         strerror(errno));
		goto out_close;
	}
	if (dprintf(fd, "%s\n", request) >= 0 && cli_read_reply(fd, r) == 0) {
		close(fd);
		return 0;
	}
	snprintf(cause, cause_len, _("stillroomd at %s closed the connection before replying"),
	         socket_path);
	cli_reply_free(r);
out_close:
	if (fd >= 0)
		close(fd);
	return -1;
}

void cli_reply_free(struct cli_reply *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->n = 0;
}

/* 1 when word is in the space-separated list. */
static int cli_in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Appends flag option key (one of cli_flags) to req; 1 when it was one. */
static int cli_take_flag(const char *key, char *req, size_t len)
{
	for (size_t k = 0; k < sizeof cli_flags / sizeof cli_flags[0]; k++) {
		if (strcmp(key, cli_flags[k].option) == 0) {
			proto_append(req, len, cli_flags[k].key, cli_flags[k].value);
			return 1;
		}
	}
	return 0;
}

/* Appends a start's --lot value to lots (comma-separated); counts them. */
static void cli_add_lot(struct cli_lots *l, const char *value)
{
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof l->text - n, "%s%s", n ? "," : "", value);
	l->n++;
	l->colon |= strchr(value, ':') != NULL;
}

/* Appends --name value (or --name=value) as name=value (dashes to
 * underscores); a start's --lot goes to *lots. Returns how many argv
 * entries it used, or -1. */
static int cli_take_option(const struct cli_verb *v, char **argv, int i, int argc,
                           char *req, size_t len, struct cli_lots *lots, FILE *err)
{
	char key[64];
	const char *value, *eq = strchr(argv[i], '=');
	size_t klen = eq ? (size_t)(eq - argv[i] - 2) : strlen(argv[i] + 2);

	if (klen >= sizeof key)
		klen = sizeof key - 1;
	memcpy(key, argv[i] + 2, klen);
	key[klen] = '\0';
	if (!cli_in_list(v->options, key)) {
		fprintf(err, _("stillroom %s: unknown option --%s (usage: stillroom %s)\n"),
		        v->name, key, _(v->usage));
		return -1;
	}
	if (eq == NULL && cli_take_flag(key, req, len))
		return 1;
	value = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
	if (value == NULL) {
		fprintf(err, _("stillroom %s: --%s needs a value\n"), v->name, key);
		return -1;
	}
	for (char *k = key; *k; k++)
		*k = *k == '-' ? '_' : *k;
	if (strcmp(v->request, "start") == 0 && strcmp(key, "lot") == 0)
		cli_add_lot(lots, value);
	else
		proto_append(req, len, key, value);
	return eq ? 1 : 2;
}

/* Builds the request line from argv; -1 on a usage error (printed). */
static int cli_build(const struct cli_verb *v, int argc, char **argv, const char *op,
                     char *req, size_t len, FILE *err)
{
	struct cli_lots lots = {.n = 0};
	int pos = 0;

	snprintf(req, len, "%s", v->request);
	for (int i = 1; i < argc;) {
		int used = 1;

		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			used = cli_take_option(v, argv, i, argc, req, len, &lots, err);
			if (used < 0)
				return -1;
		} else {
			proto_append(req, len, NULL, argv[i]);
			pos++;
		}
		i += used;
	}
	if (pos < v->min_pos || pos > v->max_pos) {
		fprintf(err, _("stillroom %s: wrong number of arguments (usage: stillroom %s)\n"),
		        v->name, _(v->usage));
		return -1;
	}
	/* one --lot without a mass in it is the one-lot form (--mass KG) */
	if (lots.n > 0)
		proto_append(req, len, lots.n > 1 || lots.colon ? "lots" : "lot", lots.text);
	if (v->changes)
		proto_append(req, len, "operator", op);
	return 0;
}

/* Refuses, before anything is sent, a request the daemon would refuse for
 * its form (proto_check: arguments, numbers); -1 when it did (printed). */
static int cli_check(const struct cli_verb *v, const char *req, FILE *err)
{
	struct proto_args *a = malloc(sizeof *a);
	char cause[512];
	int rc = -1;

	if (a == NULL) {
		fprintf(err, "stillroom %s: %s\n", v->name, strerror(ENOMEM));
		return -1;
	}
	if (proto_split(a, req, cause, sizeof cause) < 0 || proto_check(a, cause, sizeof cause) < 0)
		fprintf(err, "stillroom %s: %s\n", v->name, cause);
	else
		rc = 0;
	free(a);
	return rc;
}

/* Prints text in |width| display columns and a blank: right-aligned when
 * width > 0, left when < 0. Counts columns, not bytes, so Vietnamese
 * (UTF-8) lines up; longer text is printed whole. */
static void cli_cell(FILE *out, const char *text, int width)
{
	int pad = abs(width) - con_grid_text_width(text);

	if (width > 0 && pad > 0)
		fprintf(out, "%*s", pad, "");
	fputs(text, out);
	if (width < 0 && pad > 0)
		fprintf(out, "%*s", pad, "");
	fputc(' ', out);
}

/* Prints the status reply as a table; each column is as wide as its
 * (translated) heading when that is wider than the usual width. */
static void cli_print_status(const struct cli_reply *r, FILE *out)
{
	enum { NCOLS = 12 };
	static const char *const cols[NCOLS] = {"name", "state", "batch_id", "recipe", "step",
	                                        "pressure_kpa", "vapour_temp_c",
	                                        "distillate_temp_c", "steam_valve_pct", "oil_kg",
	                                        "alarms", "comm"};
	/* TRANSLATORS: the column headings of `stillroom status`, in capitals
	   like the English; a column widens to fit its heading. */
	static const char *const heads[NCOLS] = {N_("STILL"), N_("STATE"), N_("BATCH"),
	                                         N_("RECIPE"), N_("STEP"), N_("kPa"),
	                                         N_("VAPOUR C"), N_("DIST C"), N_("STEAM %"),
	                                         N_("OIL kg"), N_("ALARMS"), N_("LINK")};
	static const int widths[NCOLS] = {-8, -9, 5, -12, -10, 6, 8, 6, 7, 7, 6, -4};
	int w[NCOLS];
	char v[160];

	for (int c = 0; c < NCOLS; c++) {
		int head_w = con_grid_text_width(_(heads[c]));

		w[c] = widths[c];
		if (abs(w[c]) < head_w)
			w[c] = w[c] < 0 ? -head_w : head_w;
		cli_cell(out, _(heads[c]), w[c]);
	}
	fputc('\n', out);
	for (int i = 0; i < r->n; i++) {
		for (int c = 0; c < NCOLS; c++) {
			if (proto_kv_get(r->lines[i], cols[c], v, sizeof v) < 0)
				snprintf(v, sizeof v, "-");
			cli_cell(out, v[0] ? v : "-", w[c]);
		}
		fputc('\n', out);
	}
}

/* Prints a reply: data lines, then the final line's message. */
static int cli_print(const struct cli_verb *v, const struct cli_reply *r, int json, FILE *out,
                     FILE *err)
{
	const char *msg = r->final + (r->ok ? 2 : 3);

	if (!r->ok) {
		/* TRANSLATORS: %2$s is the daemon's reason, which stays English. */
		fprintf(err, _("stillroom %s: refused: %s\n"), v->name,
		        *msg ? msg + 1 : _("no reason given"));
		return 1;
	}
	if (r->unrecorded) {
		fprintf(out, "%s\n", proto_unrecorded(msg + 1));
		return CLI_EXIT_UNRECORDED;
	}
	if (strcmp(v->name, "status") == 0 && !json)
		cli_print_status(r, out);
	else
		for (int i = 0; i < r->n; i++)
			fprintf(out, "%s\n", r->lines[i]);
	if (r->n == 0 && *msg)
		fprintf(out, "%s\n", msg + 1);
	return 0;
}

int cli_main(int argc, char **argv, const char *socket_path, const char *operator_name,
             FILE *out, FILE *err)
{
	char req[PROTO_LINE_MAX], cause[512];
	struct cli_reply r;
	const struct cli_verb *v = NULL;
	int rc;

	for (size_t k = 0; k < sizeof cli_verbs / sizeof cli_verbs[0]; k++)
		if (strcmp(argv[0], cli_verbs[k].name) == 0)
			v = &cli_verbs[k];
	if (v == NULL)
		return -1;
	if (cli_build(v, argc, argv, operator_name, req, sizeof req, err) < 0 ||
	    cli_check(v, req, err) < 0)
		return 2;
	if (cli_request(socket_path, req, &r, cause, sizeof cause) < 0) {
		fprintf(err, "stillroom %s: %s\n", v->name, cause);
		return 1;
	}
	rc = cli_print(v, &r, strstr(req, " json") != NULL, out, err);
	cli_reply_free(&r);
	return rc;
}
