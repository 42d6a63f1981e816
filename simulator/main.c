/*
 * stillroom-sim: the plant simulator. Reads the plant config, the
 * feedstocks and an optional scenario, charges every still, then serves the
 * stills' registers over Modbus TCP (and RTU with --rtu) while a thread
 * steps the models at --speed. Bad input: one line naming it, exit 2, and
 * nothing started. SIGTERM or SIGINT: a clean exit 0.
 * docs/SIMULATOR.md is the user's guide; docs/registers.md the register map.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "diag.h"
#include "feed.h"
#include "log.h"
#include "num.h"
#include "plant.h"
#include "scen.h"
#include "simsrv.h"

#define SIM_HOST_DEFAULT "127.0.0.1"
#define SIM_FEED_DEFAULT "cassia-leaf"
#define SIM_KG_DEFAULT 500.0
#define SIM_SPEED_MAX 1e6
#define SIM_CAUSE_MAX 512

/* What the command line asked for. */
struct sim_opts {
	const char *config;             /* NULL: cfg_default_path() */
	double speed;                   /* simulated s per wall s */
	const char *listen;             /* HOST:PORT, NULL: the default */
	const char *charge[CFG_STILLS_MAX]; /* --charge arguments */
	int n_charge;
	const char *scenario;           /* NULL: none */
	const char *log_batches;        /* --log-batches FILE, NULL: none */
	const char *rtu;                /* serial device, NULL: none */
	int baud;                       /* 0: from the config */
	char parity;                    /* 0: from the config */
};

/* Everything main owns, freed in one place. */
struct sim {
	struct cfg_plant cfg;
	struct model_feed feeds[PLANT_FEEDS_MAX];
	int n_feeds;
	struct plant_event ev[SCEN_EVENTS_MAX];
	int n_ev;
	struct plant *pl;
	struct simsrv *srv;
	FILE *batch_log;                /* --log-batches, NULL: none */
};

enum { OPT_SPEED = 256, OPT_LISTEN, OPT_CHARGE, OPT_SCENARIO, OPT_LOG_BATCHES, OPT_RTU, OPT_BAUD,
       OPT_PARITY, OPT_HELP, OPT_VERSION };

static const struct option sim_longopts[] = {
	{"config", required_argument, NULL, 'c'},
	{"speed", required_argument, NULL, OPT_SPEED},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"charge", required_argument, NULL, OPT_CHARGE},
	{"scenario", required_argument, NULL, OPT_SCENARIO},
	{"log-batches", required_argument, NULL, OPT_LOG_BATCHES},
	{"rtu", required_argument, NULL, OPT_RTU},
	{"baud", required_argument, NULL, OPT_BAUD},
	{"parity", required_argument, NULL, OPT_PARITY},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static void sim_usage(FILE *f)
{
	fprintf(f,
	        "usage: stillroom-sim [options]\n"
	        "The stillroom plant simulator: every still of the plant config as a\n"
	        "Modbus device, driven by a physical model. See docs/SIMULATOR.md.\n"
	        "\n"
	        "  -c, --config FILE      plant config (default %s)\n"
	        "  --speed N              run N times faster than the wall clock\n"
	        "                         (default 1)\n"
	        "  --listen HOST:PORT     Modbus TCP address (default %s and the port\n"
	        "                         of the config's first TCP still, 1502 in the\n"
	        "                         bundled config; port 0 picks a free one)\n"
	        "  --charge STILL=FEED:KG[:MOISTURE]\n"
	        "                         charge a still at start, moisture in %%;\n"
	        "                         repeatable (default %s:%.0f in every still)\n"
	        "  --scenario FILE        a YAML timeline of faults, charges and writes\n"
	        "                         (default none)\n"
	        "  --log-batches FILE     append a line for every charge loaded and for\n"
	        "                         the oil it made (default none)\n"
	        "  --rtu DEVICE           also serve Modbus RTU on this serial device\n"
	        "                         (default none)\n"
	        "  --baud N               RTU baud rate (default the config's, 19200)\n"
	        "  --parity N|E|O         RTU parity (default the config's, E)\n"
	        "  --help                 this text\n"
	        "  --version              print the version\n",
	        cfg_default_path(), SIM_HOST_DEFAULT, SIM_FEED_DEFAULT, SIM_KG_DEFAULT);
}

/* A number from the whole of text (num.h: the one number parser), or -1;
 * the callers say which range they take. */
static int sim_number(const char *text, double *out)
{
	int whole;

	return num_parse(text, out, &whole) == NUM_OK ? 0 : -1;
}

/* Reads the options into *o. Returns -1 to go on, else the exit status. */
static int sim_parse_args(int argc, char **argv, struct sim_opts *o)
{
	double x;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:", sim_longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case OPT_SPEED:
			if (sim_number(optarg, &x) < 0 || !(x > 0) || x > SIM_SPEED_MAX) {
				log_error("--speed '%s': expected a number above 0 and at most "
				          "%.0f, e.g. 1000", optarg, SIM_SPEED_MAX);
				return 2;
			}
			o->speed = x;
			break;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_CHARGE:
			if (o->n_charge >= CFG_STILLS_MAX) {
				log_error("--charge: at most %d of them", CFG_STILLS_MAX);
				return 2;
			}
			o->charge[o->n_charge++] = optarg;
			break;
		case OPT_SCENARIO:
			o->scenario = optarg;
			break;
		case OPT_LOG_BATCHES:
			o->log_batches = optarg;
			break;
		case OPT_RTU:
			o->rtu = optarg;
			break;
		case OPT_BAUD:
			if (sim_number(optarg, &x) < 0 || x < 300 || x > 4000000 || x != floor(x)) {
				log_error("--baud '%s': expected a baud rate such as 19200", optarg);
				return 2;
			}
			o->baud = (int)x;
			break;
		case OPT_PARITY:
			if (strlen(optarg) != 1 || strchr("NEO", optarg[0]) == NULL) {
				log_error("--parity '%s': expected N, E or O", optarg);
				return 2;
			}
			o->parity = optarg[0];
			break;
		case OPT_HELP:
			sim_usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("stillroom-sim %s\n", SR_VERSION);
			return 0;
		case ':':
			log_error("option '%s' needs an argument (see --help)", argv[optind - 1]);
			return 2;
		default:
			log_error("unknown option '%s' (see --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}
	return -1;
}

/* Splits HOST:PORT ([v6]:PORT too). Returns 0 or -1. */
static int sim_parse_listen(const char *arg, char *host, size_t size, int *port)
{
	const char *colon = strrchr(arg, ':');
	const char *h = arg;
	size_t hlen;
	double p;

	if (colon == NULL || sim_number(colon + 1, &p) < 0 || p < 0 || p > 65535 ||
	    p != floor(p))
		return -1;
	hlen = (size_t)(colon - arg);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= size)
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (int)p;
	return 0;
}

/* Loads the config: the file asked for, else the default one if it is
 * there, else the built-in defaults. Returns 0 or an exit status. */
static int sim_load_config(const char *asked, struct cfg_plant *cfg)
{
	const char *path = asked ? asked : cfg_default_path();
	struct diag d;

	if (asked == NULL && access(path, F_OK) != 0) {
		cfg_defaults(cfg);
		log_info("no config at %s: using the built-in defaults", path);
		return 0;
	}
	diag_init(&d);
	if (cfg_load(cfg, path, &d) < 0) {
		diag_print(&d, stderr);
		return 2;
	}
	return 0;
}

/*
 * Finds and loads the feedstocks file: the config's path (cfg_load makes it
 * relative to the config file), else the installed SR_DATADIR one. Returns
 * 0 or an exit status.
 */
static int sim_load_feeds(struct sim *sim)
{
	static const char installed[] = SR_DATADIR "/feedstocks.yaml";
	const char *path = sim->cfg.feedstocks_path;
	struct diag d;

	if (access(path, R_OK) != 0 && access(installed, R_OK) == 0)
		path = installed;
	diag_init(&d);
	sim->n_feeds = feed_load(path, sim->feeds, PLANT_FEEDS_MAX, &d);
	if (sim->n_feeds < 0) {
		diag_print(&d, stderr);
		return 2;
	}
	if (sim->n_feeds == 0) {
		log_error("%s: no feedstocks", path);
		return 2;
	}
	return 0;
}

/* Lists names[0..n) comma-separated into buf. */
static void sim_list(char *buf, size_t size, const char *(*name)(const struct sim *, int),
                     const struct sim *sim, int n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
		                         name(sim, i));
}

static const char *sim_still_name(const struct sim *sim, int i)
{
	return sim->cfg.stills[i].name;
}

static const char *sim_feed_name(const struct sim *sim, int i)
{
	return sim->feeds[i].name;
}

/* The index of the feedstock named name, or -1. */
static int sim_feed_index(const struct sim *sim, const char *name)
{
	const struct model_feed *f = feed_find(sim->feeds, sim->n_feeds, name);

	return f != NULL ? (int)(f - sim->feeds) : -1;
}

/* One --charge STILL=FEED:KG[:MOISTURE]: loads it. Returns 0 or -1 with
 * the reason logged. */
static int sim_charge_one(struct sim *sim, const char *arg, int *charged)
{
	char buf[160], list[256];
	char *eq, *feed, *kg, *moist;
	double mass, moisture = -1;
	int still, f;

	snprintf(buf, sizeof buf, "%s", arg);
	eq = strchr(buf, '=');
	feed = eq ? eq + 1 : NULL;
	kg = feed ? strchr(feed, ':') : NULL;
	if (eq == NULL || kg == NULL || eq == buf) {
		log_error("--charge '%s': expected STILL=FEED:KG[:MOISTURE], "
		          "e.g. still1=cassia-leaf:500", arg);
		return -1;
	}
	*eq = '\0';
	*kg++ = '\0';
	moist = strchr(kg, ':');
	if (moist != NULL)
		*moist++ = '\0';
	still = cfg_still_find(&sim->cfg, buf);
	if (still < 0) {
		sim_list(list, sizeof list, sim_still_name, sim, sim->cfg.n_stills);
		log_error("--charge '%s': unknown still '%s' (the config has %s)", arg, buf, list);
		return -1;
	}
	f = sim_feed_index(sim, feed);
	if (f < 0) {
		sim_list(list, sizeof list, sim_feed_name, sim, sim->n_feeds);
		log_error("--charge '%s': unknown feedstock '%s' (known: %s)", arg, feed, list);
		return -1;
	}
	if (sim_number(kg, &mass) < 0 || !(mass >= 1 && mass <= 65535)) {
		log_error("--charge '%s': the mass '%s' must be kg in 1..65535", arg, kg);
		return -1;
	}
	if (moist != NULL && (sim_number(moist, &moisture) < 0 || !(moisture >= 0) ||
	                      moisture >= 100)) {
		log_error("--charge '%s': the moisture '%s' must be %% in 0..99.9", arg, moist);
		return -1;
	}
	if (charged[still]) {
		log_error("--charge '%s': %s is charged twice", arg, buf);
		return -1;
	}
	charged[still] = 1;
	return plant_charge(sim->pl, still, f, mass, moisture);
}

/* Every --charge, then the default charge in every still left empty. */
static int sim_charge_all(struct sim *sim, const struct sim_opts *o)
{
	int charged[CFG_STILLS_MAX] = {0};
	int f;

	for (int i = 0; i < o->n_charge; i++)
		if (sim_charge_one(sim, o->charge[i], charged) < 0)
			return 2;
	f = sim_feed_index(sim, SIM_FEED_DEFAULT);
	for (int i = 0; i < sim->cfg.n_stills; i++) {
		if (charged[i])
			continue;
		if (f < 0) {
			log_error("%s: the feedstocks have no %s for the default charge of %s; "
			          "give --charge", sim->cfg.stills[i].name, SIM_FEED_DEFAULT,
			          sim->cfg.stills[i].name);
			return 2;
		}
		plant_charge(sim->pl, i, f, SIM_KG_DEFAULT, -1);
	}
	return 0;
}

/* The TCP address: --listen, else 127.0.0.1 and the first TCP still's port. */
static int sim_listen_addr(const struct sim *sim, const struct sim_opts *o, char *host,
                           size_t size, int *port)
{
	if (o->listen != NULL) {
		if (sim_parse_listen(o->listen, host, size, port) < 0) {
			log_error("--listen '%s': expected HOST:PORT, e.g. 127.0.0.1:1502", o->listen);
			return 2;
		}
		return 0;
	}
	snprintf(host, size, "%s", SIM_HOST_DEFAULT);
	*port = 1502;
	for (int i = 0; i < sim->cfg.n_stills; i++)
		if (sim->cfg.stills[i].transport == CFG_TCP) {
			*port = sim->cfg.stills[i].port;
			break;
		}
	return 0;
}

/* Opens the RTU device with the options' or the config's framing. */
static int sim_open_rtu(struct sim *sim, const struct sim_opts *o)
{
	const struct cfg_still *ref = &sim->cfg.stills[0];
	char cause[SIM_CAUSE_MAX];
	int baud;
	char parity;

	for (int i = 0; i < sim->cfg.n_stills; i++)
		if (sim->cfg.stills[i].transport == CFG_RTU) {
			ref = &sim->cfg.stills[i];
			break;
		}
	baud = o->baud ? o->baud : ref->baud;
	parity = o->parity ? o->parity : ref->parity;
	if (simsrv_rtu(sim->srv, o->rtu, baud, parity, ref->data_bits, ref->stop_bits, cause,
	               sizeof cause) < 0) {
		log_error("%s", cause);
		return 1;
	}
	log_info("serving Modbus RTU on %s at %d %d%c%d", o->rtu, baud, ref->data_bits, parity,
	         ref->stop_bits);
	return 0;
}

/* Reads every input and makes the plant, charged and scheduled. */
static int sim_setup(struct sim *sim, const struct sim_opts *o)
{
	struct diag d;
	int rc;

	rc = sim_load_config(o->config, &sim->cfg);
	if (rc == 0)
		rc = sim_load_feeds(sim);
	if (rc != 0)
		return rc;
	diag_init(&d);
	if (o->scenario != NULL) {
		sim->n_ev = scen_load(o->scenario, &sim->cfg, sim->feeds, sim->n_feeds, sim->ev,
		                      SCEN_EVENTS_MAX, &d);
		if (sim->n_ev < 0) {
			diag_print(&d, stderr);
			return 2;
		}
	}
	sim->pl = plant_new(&sim->cfg, sim->feeds, sim->n_feeds, &d);
	if (sim->pl == NULL) {
		diag_print(&d, stderr);
		return 2;
	}
	if (o->log_batches != NULL) {
		sim->batch_log = fopen(o->log_batches, "a");
		if (sim->batch_log == NULL) {
			log_error("--log-batches %s: %s", o->log_batches, strerror(errno));
			return 1;
		}
		plant_set_batch_log(sim->pl, sim->batch_log);
	}
	rc = sim_charge_all(sim, o);
	if (rc != 0)
		return rc;
	if (plant_schedule(sim->pl, sim->ev, sim->n_ev) < 0) {
		log_error("%s: the scenario does not fit the plant", o->scenario);
		return 2;
	}
	return 0;
}

/* Opens the servers; logs what they bound to. */
static int sim_open(struct sim *sim, const struct sim_opts *o)
{
	char host[64], cause[SIM_CAUSE_MAX], units[512];
	size_t used = 0;
	int port, rc;

	rc = sim_listen_addr(sim, o, host, sizeof host, &port);
	if (rc != 0)
		return rc;
	sim->srv = simsrv_new(sim->pl);
	if (sim->srv == NULL) {
		log_error("out of memory");
		return 1;
	}
	if (simsrv_listen(sim->srv, host, port, cause, sizeof cause) < 0) {
		log_error("%s", cause);
		return 1;
	}
	if (o->rtu != NULL && sim_open_rtu(sim, o) != 0)
		return 1;
	units[0] = '\0';
	for (int i = 0; i < sim->cfg.n_stills && used < sizeof units; i++)
		used += (size_t)snprintf(units + used, sizeof units - used, "%s unit %d, ",
		                         sim->cfg.stills[i].name, sim->cfg.stills[i].unit_id);
	for (int i = 0; i < sim->cfg.n_stills && o->listen == NULL; i++)
		if (sim->cfg.stills[i].transport == CFG_TCP &&
		    sim->cfg.stills[i].port != simsrv_port(sim->srv))
			log_warn("%s is at port %d in the config; the simulator serves it on %d",
			         sim->cfg.stills[i].name, sim->cfg.stills[i].port,
			         simsrv_port(sim->srv));
	log_info("listening on %s%s%s:%d: %scontrol unit %d; speed %gx", strchr(host, ':') ? "[" : "",
	         host, strchr(host, ':') ? "]" : "", simsrv_port(sim->srv), units,
	         sim->cfg.sim_control_unit, o->speed);
	return 0;
}

/* Runs until SIGTERM or SIGINT (blocked in every thread, taken here). */
static int sim_run(struct sim *sim, const struct sim_opts *o, const sigset_t *stop)
{
	char cause[SIM_CAUSE_MAX];
	int sig;

	if (plant_start(sim->pl, o->speed) < 0) {
		log_error("cannot start the model thread: %s", strerror(errno));
		return 1;
	}
	if (simsrv_start(sim->srv, cause, sizeof cause) < 0) {
		log_error("%s", cause);
		return 1;
	}
	if (sim->n_ev > 0)
		log_info("scenario %s: %d events", o->scenario, sim->n_ev);
	while (sigwait(stop, &sig) != 0)
		;
	log_info("%s: stopping at %.1f s simulated", strsignal(sig), plant_time_s(sim->pl));
	if (plant_steps_skipped(sim->pl) > 0)
		log_warn("the model fell behind the wall clock by %llu steps",
		         (unsigned long long)plant_steps_skipped(sim->pl));
	return 0;
}

int main(int argc, char **argv)
{
	struct sim_opts o = {.speed = 1};
	struct sim *sim;
	sigset_t stop;
	int rc;

	log_init("stillroom-sim");
	rc = sim_parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	sim = calloc(1, sizeof *sim);
	if (sim == NULL) {
		log_error("out of memory");
		return 1;
	}
	/* every thread inherits this mask: only sigwait sees the signals */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = sim_setup(sim, &o);
	if (rc == 0)
		rc = sim_open(sim, &o);
	if (rc == 0)
		rc = sim_run(sim, &o, &stop);
	simsrv_free(sim->srv);
	plant_free(sim->pl);
	if (sim->batch_log != NULL)
		fclose(sim->batch_log);
	free(sim);
	return rc;
}
