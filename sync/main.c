/*
 * stillroom-sync: ships the plant's record to the alliance's central
 * PostgreSQL (issue 16; docs/ALLIANCE.md). Reads the plant database
 * read-only; the plant's own database is the buffer, so the link may be
 * down for weeks. Usage:
 *   stillroom-sync -c CONFIG             runs until SIGTERM
 *   stillroom-sync -c CONFIG --once      ships what is there; exit 0 when
 *                                        the centre has it all
 *   stillroom-sync -c CONFIG --init-central [--conninfo STR]
 *                                        creates or updates the central
 *                                        schema (as its owner)
 * Its usage and the sentences it ends with go through _() (common/i18n.h,
 * the locale's language); its log lines (the journal) stay English, as
 * stillroomd's.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cen_conn.h"
#include "cfg.h"
#include "diag.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "sync_plant.h"
#include "sync_ship.h"
#include "sync_state.h"

#define SYNC_BACKOFF_MAX_S 300.0
/* Every this many passes the rows that change are shipped whole (between,
 * only their recent rows): --once always ships them whole. */
#define SYNC_FULL_EVERY 12

struct sync_opts {
	const char *config;
	const char *conninfo;       /* --conninfo: instead of the config's */
	int once;
	int init_central;
};

static volatile sig_atomic_t sync_stop;

static void sync_on_term(int sig)
{
	(void)sig;
	sync_stop = 1;
}

static void sync_usage(FILE *f)
{
	fputs(_("usage: stillroom-sync -c CONFIG [--once]\n"
	        "       stillroom-sync -c CONFIG --init-central [--conninfo STR]\n"
	        "Ships the plant's record to the central PostgreSQL named by the\n"
	        "config's sync: section (docs/ALLIANCE.md).\n"), f);
}

/* 0, 1 (--help done), or -1 (bad usage). */
static int sync_parse(int argc, char **argv, struct sync_opts *o)
{
	static const struct option lo[] = {
		{"config", required_argument, NULL, 'c'},
		{"once", no_argument, NULL, 'o'},
		{"init-central", no_argument, NULL, 'i'},
		{"conninfo", required_argument, NULL, 'p'},
		{"postgres", required_argument, NULL, 'p'},   /* the same */
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->config = SR_SYSCONFDIR "/plant.yaml";
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'o': o->once = 1; break;
		case 'i': o->init_central = 1; break;
		case 'p': o->conninfo = optarg; break;
		case 'h': sync_usage(stdout); return 1;
		default: sync_usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		sync_usage(stderr);
		return -1;
	}
	return 0;
}

/* Sleeps s seconds, or less when SIGTERM comes. */
static void sync_sleep(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (!sync_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The plant is told about a chain fault through the daemon's socket. */
static void sync_on_fault(void *arg, const char *fault)
{
	const struct cfg_plant *p = arg;
	char why[256];

	/* clearing (fault NULL) is best effort: no daemon, no alarm to clear */
	if (sync_plant_fault(p->socket_path, fault, why, sizeof why) < 0 && fault)
		log_warn("could not alarm the plant: %s", why);
}

/* The credentials file to read: systemd's copy
 * ($CREDENTIALS_DIRECTORY/<its name>, LoadCredential=) when there is one,
 * else the config's path ("" = none). */
static const char *sync_credentials(const struct cfg_plant *p, char *buf,
                                    size_t size)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	const char *name = strrchr(p->sync.credentials, '/');

	if (!p->sync.credentials[0] || !dir || !dir[0])
		return p->sync.credentials;
	snprintf(buf, size, "%s/%s", dir, name ? name + 1 : p->sync.credentials);
	return access(buf, F_OK) == 0 ? buf : p->sync.credentials;
}

/* Connects (the conninfo given, else the config's with its credentials). */
static struct cen_conn *sync_connect(const struct sync_opts *o,
                                     const struct cfg_plant *p, char *cause,
                                     size_t cause_len)
{
	char cred[1024];

	if (o->conninfo)
		return cen_conn_open(o->conninfo, NULL, cause, cause_len);
	return cen_conn_open(p->sync.postgres,
	                     sync_credentials(p, cred, sizeof cred), cause,
	                     cause_len);
}

/* One pass with a connection made if needed: the pass's result. */
static int sync_pass(struct sync_ship *x, const struct sync_opts *o,
                     const struct cfg_plant *p, char *cause, size_t cause_len)
{
	int rc;

	if (!cen_conn_ok(x->cen)) {
		cen_conn_close(x->cen);
		x->cen = sync_connect(o, p, cause, cause_len);
		if (!x->cen)
			return -1;
		if (!o->init_central &&
		    strcmp(cen_conn_user(x->cen), p->sync.plant) != 0)
			log_warn("connected as role %s, not %s: row-level security "
			         "lets a plant's role write only rows of its own "
			         "name (docs/SECURITY.md)", cen_conn_user(x->cen),
			         p->sync.plant);
	}
	if (o->init_central)
		return sync_ship_init_central(x, cause, cause_len);
	rc = sync_ship_pass(x, cause, cause_len);
	if (rc >= 0 && x->changed > 0)
		log_info("shipped %ld rows", x->changed);
	return rc;
}

/* Passes until SIGTERM; waits poll_s between them, backing off (doubling
 * to SYNC_BACKOFF_MAX_S) while the centre cannot be reached. */
static int sync_run(struct sync_ship *x, const struct sync_opts *o,
                    const struct cfg_plant *p)
{
	char cause[1024];
	double wait_s = p->sync.poll_s;
	int rc, was_down = 0;

	for (long pass = 0; !sync_stop; pass++) {
		x->full = pass % SYNC_FULL_EVERY == 0;
		rc = sync_pass(x, o, p, cause, sizeof cause);
		if (rc < 0) {
			if (!was_down)
				log_warn("%s (retrying)", cause);
			was_down = 1;
			wait_s = wait_s * 2 > SYNC_BACKOFF_MAX_S ? SYNC_BACKOFF_MAX_S :
			         wait_s * 2;
		} else {
			if (was_down)
				log_info("the central PostgreSQL is back");
			was_down = 0;
			wait_s = p->sync.poll_s;
		}
		sync_sleep(wait_s);
	}
	log_info("stopped");
	return 0;
}

/* --once and --init-central: one pass, its verdict as the exit status. */
static int sync_once(struct sync_ship *x, const struct sync_opts *o,
                     const struct cfg_plant *p)
{
	char cause[1024];
	int rc = sync_pass(x, o, p, cause, sizeof cause);

	if (rc == 0)
		return 0;
	if (rc == 2)
		fputs(_("stillroom-sync: stopped before the centre had "
		        "everything\n"), stderr);
	else
		/* TRANSLATORS: %s is the reason, which stays English. */
		fprintf(stderr, _("stillroom-sync: the centre does not have "
		        "everything: %s\n"), cause);
	return 1;
}

/* Opens the plant database and the position file, then runs. */
static int sync_main(const struct sync_opts *o, const struct cfg_plant *p)
{
	char cause[512];
	static struct sync_state state;
	struct sync_ship x = {
		.cfg = &p->sync, .state = &state, .stop = &sync_stop, .full = 1,
		.on_fault = sync_on_fault, .fault_arg = (void *)p,
		/* a fault an earlier run raised is cleared by this run's first
		 * pass that ships everything */
		.last_fault = "(an earlier run's)",
	};
	int rc;

	if (sync_state_load(&state, p->sync.state, cause, sizeof cause) < 0)
		log_warn("the position file: %s (starting from the centre's)",
		         cause);
	x.db = store_open(p->db_path, STORE_RO, cause, sizeof cause);
	if (!x.db) {
		/* TRANSLATORS: %s is the reason, which stays English. */
		fprintf(stderr, _("stillroom-sync: %s\n"), cause);
		return 1;
	}
	rc = o->once || o->init_central ? sync_once(&x, o, p) : sync_run(&x, o, p);
	cen_conn_close(x.cen);
	store_close(x.db);
	return rc;
}

int main(int argc, char **argv)
{
	static struct cfg_plant plant;
	struct sync_opts o;
	struct sigaction sa = {.sa_handler = sync_on_term};
	struct diag dg;
	int rc;

	i18n_init(NULL);
	rc = sync_parse(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? 2 : 0;
	log_init("stillroom-sync");
	diag_init(&dg);
	if (cfg_load(&plant, o.config, &dg) < 0) {
		diag_print(&dg, stderr);
		return 1;
	}
	if (!plant.sync.set && !o.conninfo) {
		fprintf(stderr, _("stillroom-sync: %s has no sync: section: "
		        "nothing to do\n"), o.config);
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return sync_main(&o, &plant);
}
