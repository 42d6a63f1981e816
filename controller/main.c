/*
 * stillroomd: the controller daemon. Loads the plant configuration and the
 * recipes, puts back any batch a crash left active as LOST, starts one
 * control thread per still and the journal thread, then serves the command
 * socket on this (main) thread until SIGTERM. See docs/ARCHITECTURE.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include "cfgchk.h"
#include "clk.h"
#include "cmd.h"
#include "csock.h"
#include "dmn.h"
#include "log.h"
#include "mqtt.h"
#include "notify.h"
#include "num.h"
#include "qaspec.h"

struct main_opts {
	const char *config;
	const char *db;
	const char *socket;
	double speed;
	int check_config;
	int realtime;
};

static void main_usage(FILE *f)
{
	fprintf(f,
	        "usage: stillroomd [options]\n"
	        "  -c, --config FILE   plant configuration (default %s)\n"
	        "      --db PATH       database (default: the config's database:)\n"
	        "      --socket PATH   command socket (default: the config's socket:)\n"
	        "      --speed N       process seconds per wall second, for simulator runs (default 1)\n"
	        "      --check-config  check the configuration and every recipe, then exit 0 or 1\n"
	        "      --no-realtime   plain scheduling even when SCHED_FIFO is permitted\n"
	        "  -h, --help          this text\n"
	        "  -V, --version       print the version\n",
	        cfg_default_path());
}

/* Parses argv; returns 0, 1 when the program should exit 0, or 2. */
static int main_parse(int argc, char **argv, struct main_opts *o)
{
	static const struct option longs[] = {
		{"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
		{"socket", required_argument, NULL, 's'}, {"speed", required_argument, NULL, 'x'},
		{"check-config", no_argument, NULL, 'k'}, {"no-realtime", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static const struct num_field speed = {"--speed", "", 1, 100000, 0};
	char cause[160];
	int ch;

	*o = (struct main_opts){.config = cfg_default_path(), .speed = 1, .realtime = 1};
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:hV", longs, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'd': o->db = optarg; break;
		case 's': o->socket = optarg; break;
		case 'k': o->check_config = 1; break;
		case 'r': o->realtime = 0; break;
		case 'x':
			if (num_real(optarg, &speed, &o->speed, cause, sizeof cause) < 0) {
				fprintf(stderr, "stillroomd: %s\n", cause);
				return 2;
			}
			break;
		case 'h': main_usage(stdout); return 1;
		case 'V': printf("stillroomd %s\n", SR_VERSION); return 1;
		case ':':
			fprintf(stderr, "stillroomd: %s needs an argument (see --help)\n", argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "stillroomd: unknown option %s (see --help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stillroomd: unexpected argument %s (see --help)\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* sd_notify without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void main_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd;

	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';  /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}

/* Refuses a second daemon on the same database (or one while `stillroom
 * restore` runs): store_lock, an flock on DB.lock held until exit. */
static int main_lock_db(const char *db, char *cause, size_t cause_len)
{
	char why[STORE_CAUSE_MAX];
	int fd = store_lock(db, why, sizeof why);

	if (fd < 0)
		snprintf(cause, cause_len, "%s: another stillroomd uses this database"
		         " (or a restore runs): %s", db, why);
	return fd;  /* held until exit */
}

/* The recipe a recovered batch ran, from its stored text: a recipe file
 * edited since must not steer a restarted batch. 0 with *r filled. */
static int main_recipe_as_run(struct dmn *d, const struct store_active *act,
                              struct rcp_recipe *r)
{
	char cause[STORE_CAUSE_MAX], path[CFG_PATH_MAX + 64];
	char *text = store_recipe_text(d->db, act->recipe_sha256, cause, sizeof cause);
	struct diag dg;
	int rc;

	if (text == NULL) {
		log_error("recovery: batch %ld: %s", act->batch_id, cause);
		return -1;
	}
	diag_init(&dg);
	/* the name the recipe had (a recipe is named by its file) */
	snprintf(path, sizeof path, "%s/%s.yaml", d->plant.recipes_dir, act->recipe);
	rc = rcp_parse(r, path, text, strlen(text), &d->plant, &dg);
	free(text);
	for (int i = 0; i < dg.n; i++)
		log_error("recovery: %s", dg.line[i]);
	return rc;
}

/* Puts batches a crash left active back as LOST on their stills, with
 * the recipe exactly as it ran. */
static void main_recover(struct dmn *d)
{
	struct store_active act[CFG_STILLS_MAX];
	char cause[STORE_CAUSE_MAX];
	int n = store_batches_active(d->db, act, CFG_STILLS_MAX, cause, sizeof cause);

	if (n < 0)
		log_error("recovery: %s", cause);
	for (int k = 0; k < n; k++) {
		int i = cfg_still_find(&d->plant, act[k].still);
		struct rcp_recipe r;

		if (i < 0 || main_recipe_as_run(d, &act[k], &r) < 0) {
			log_error("recovery: batch %ld on %s (recipe %s) cannot be put back: %s",
			          act[k].batch_id, act[k].still, act[k].recipe,
			          i < 0 ? "no such still now" : "its recipe as run does not load");
			continue;
		}
		loop_recover(&d->loops[i], act[k].batch_id, &r, act[k].step, act[k].charge_kg,
		             act[k].operator_name);
		rcp_free(&r);
		log_warn("%s: batch %ld was %s when the controller stopped; it is LOST, "
		         "outputs safe, waiting for the operator (restart, stop or abort)",
		         act[k].still, act[k].batch_id, act[k].state);
	}
}

/* Creates the directory path lives in when it is missing (one level:
 * the bundled config's run/ beside the source tree). */
static void main_mkdir_parent(const char *path)
{
	char dir[CFG_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) == 0)
		log_info("created %s", dir);
}

/* Loads the configuration; applies command-line overrides. */
static int main_configure(struct dmn *d, const struct main_opts *o)
{
	struct diag dg;

	diag_init(&dg);
	if (cfg_load(&d->plant, o->config, &dg) < 0) {
		diag_print(&dg, stderr);
		return -1;
	}
	if (o->db)
		snprintf(d->plant.db_path, sizeof d->plant.db_path, "%s", o->db);
	if (o->socket)
		snprintf(d->plant.socket_path, sizeof d->plant.socket_path, "%s", o->socket);
	d->speed = o->speed;
	main_mkdir_parent(d->plant.db_path);
	main_mkdir_parent(d->plant.socket_path);
	return 0;
}

/* Loads the recipes and the QA specs: once the daemon holds its database
 * and socket, so that a second daemon's refusal is its one line. */
static void main_load(struct dmn *d)
{
	struct diag dg;

	dmn_load_recipes(d);
	diag_init(&dg);
	d->n_qa_specs = qaspec_load(d->plant.qa_spec_path, d->qa_specs, DMN_QA_SPECS_MAX, &dg);
	if (d->n_qa_specs < 0) {
		for (int i = 0; i < dg.n; i++)
			log_error("%s", dg.line[i]);
		log_warn("no QA specs loaded: lab results will be refused until they are");
	}
}

/* The loops' alarm events to the publisher and the hook (loop_link). */
static void main_link_alarm(void *ctx, int still, const struct core_event *ev, int priority)
{
	struct dmn *d = ctx;

	mqtt_alarm(d->mqtt, still, ev, priority);
	notify_alarm(d->notify, still, ev, priority);
}

static long main_link_failed(void *ctx, int still)
{
	struct dmn *d = ctx;

	return notify_failed(d->notify, still);
}

/* Starts the MQTT publisher and the notify hook when configured, and
 * links the loops to them (before the loops start). */
static int main_start_links(struct dmn *d, char *cause, size_t cause_len)
{
	if (d->plant.notify.set && (d->notify = notify_start(&d->plant, cause, cause_len)) == NULL)
		return -1;
	if (d->plant.mqtt.set && (d->mqtt = mqtt_start(d, cause, cause_len)) == NULL)
		return -1;
	if (d->mqtt == NULL && d->notify == NULL)
		return 0;
	d->link = (struct loop_link){main_link_alarm, main_link_failed, d};
	for (int i = 0; i < d->plant.n_stills; i++)
		d->loops[i].link = &d->link;
	return 0;
}

/* Starts the journal and one loop per still. */
static int main_start(struct dmn *d, int realtime)
{
	char cause[STORE_CAUSE_MAX];

	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		snprintf(cause, sizeof cause, "eventfd: %s", strerror(errno));
		goto out_fail;
	}
	if (store_gate_init(&d->gate, cause, sizeof cause) < 0)
		goto out_fail;
	d->gate_ok = 1;
	d->db = store_open(d->plant.db_path, STORE_RW, cause, sizeof cause);
	if (d->db == NULL)
		goto out_fail;
	store_gate_attach(d->db, &d->gate, 1);
	if (store_sync_plant(d->db, &d->plant, cause, sizeof cause) < 0)
		goto out_fail;
	/* every alarm starts normal: end the occurrences the last run left open */
	if (store_alarms_restart(d->db, cause, sizeof cause) < 0)
		log_error("alarms left open by the last run: %s", cause);
	if (jrn_start(&d->jrn, d->plant.db_path, &d->gate, cause, sizeof cause) < 0)
		goto out_fail;
	jrn_set_wake(&d->jrn, d->wake_fd);
	jrn_set_retention(&d->jrn, d->plant.hist.idle_raw_s,
	                  d->plant.hist.idle_aggregate_s);
	d->loops = calloc((size_t)d->plant.n_stills, sizeof *d->loops);
	if (d->loops == NULL)
		goto out_fail;
	for (int i = 0; i < d->plant.n_stills; i++) {
		if (loop_init(&d->loops[i], &d->plant, i, d->speed, realtime, &d->jrn, cause,
		              sizeof cause) < 0)
			goto out_fail;
		d->loops[i].wake_fd = d->wake_fd;  /* before its thread starts */
	}
	main_recover(d);
	if (main_start_links(d, cause, sizeof cause) < 0)
		goto out_fail;
	for (int i = 0; i < d->plant.n_stills; i++) {
		const struct cfg_still *s = &d->plant.stills[i];

		if (loop_start(&d->loops[i], cause, sizeof cause) < 0)
			goto out_fail;
		log_info("%s: unit %d at %s:%d, period %.1f ms wall", s->name, s->unit_id,
		         s->transport == CFG_TCP ? s->host : s->device, s->port,
		         (double)d->loops[i].stats.period_ns / 1e6);
	}
	return 0;
out_fail:
	log_error("%s", cause);
	return -1;
}

/* 1 when every still's loop ticked since the last call (ticks[] keeps
 * the counts; NULL: no check possible, say alive). */
static int main_loops_alive(struct dmn *d, long *ticks)
{
	int alive = 1;

	for (int i = 0; ticks && i < d->plant.n_stills; i++) {
		long now = loop_ticks(&d->loops[i]);

		if (now == ticks[i])
			alive = 0;
		ticks[i] = now;
	}
	return alive;
}

/* Reads the signalfd; 1 when the daemon should stop. */
static int main_signal(struct dmn *d, int sig_fd)
{
	struct signalfd_siginfo si;

	if (read(sig_fd, &si, sizeof si) != sizeof si)
		return 0;
	if (si.ssi_signo != SIGHUP)
		return 1;
	log_info("SIGHUP: reloading recipes");
	dmn_load_recipes(d);
	return 0;
}

/* Serves the socket until SIGTERM/SIGINT; parked commands (cwait) move
 * on when a loop or the journal writes d->wake_fd, or at their deadline. */
static void main_serve(struct dmn *d, struct csock_server *srv, int sig_fd)
{
	const char *wd = getenv("WATCHDOG_USEC");
	int64_t wd_ns = wd ? atoll(wd) * 1000 / 2 : 0, wd_next = clk_mono_ns();
	long *ticks = calloc((size_t)d->plant.n_stills, sizeof *ticks);
	struct pollfd fds[CSOCK_CLIENTS_MAX + 3];
	uint64_t woken;

	for (;;) {
		int n = csock_fill_pollfds(srv, fds, CSOCK_CLIENTS_MAX + 1);

		fds[n] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
		fds[n + 1] = (struct pollfd){.fd = d->wake_fd, .events = POLLIN};
		if (poll(fds, (nfds_t)n + 2, cwait_timeout_ms(d, 100)) > 0) {
			if ((fds[n].revents & POLLIN) && main_signal(d, sig_fd))
				goto out_free_ticks;
			if ((fds[n + 1].revents & POLLIN) &&
			    read(d->wake_fd, &woken, sizeof woken) < 0)
				log_warn("eventfd: %s", strerror(errno));
			csock_service(srv, fds, n, cmd_handle, d);
		}
		cwait_service(d, srv);
		if (wd_ns > 0 && clk_mono_ns() >= wd_next) {
			/* only while every control thread is ticking: a hung
			 * loop lets systemd restart the daemon */
			if (main_loops_alive(d, ticks))
				main_notify("WATCHDOG=1");
			wd_next = clk_mono_ns() + wd_ns;
		}
	}
out_free_ticks:
	free(ticks);
}

/* Stops every thread: safe outputs, journal flushed. */
static void main_shutdown(struct dmn *d, int started)
{
	mqtt_stop(d->mqtt);            /* `offline`, while the loops still publish */
	for (int i = 0; i < started; i++)
		loop_stop(&d->loops[i]);
	mqtt_free(d->mqtt);
	notify_stop(d->notify);
	if (d->loops != NULL)
		jrn_stop(&d->jrn);
	store_close(d->db);
	if (d->gate_ok)
		store_gate_destroy(&d->gate);
	for (int i = 0; i < d->n_recipes; i++)
		rcp_free(&d->recipes[i]);
	free(d->loops);
	if (d->wake_fd > 0)
		close(d->wake_fd);
}

/* Blocks the signals the main loop reads from a signalfd. */
static int main_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* mlockall when permitted (not under AddressSanitizer's huge shadow). */
static void main_lock_memory(int realtime)
{
#if defined(__SANITIZE_ADDRESS__)
	(void)realtime;
	log_info("memory not locked (AddressSanitizer build)");
#else
	if (realtime && mlockall(MCL_CURRENT | MCL_FUTURE) == 0)
		log_info("memory locked (mlockall)");
	else
		log_info("memory not locked (%s)", realtime ? strerror(errno) : "real-time off");
#endif
}

int main(int argc, char **argv)
{
	static struct dmn d;
	struct main_opts o;
	struct csock_server srv;
	char cause[STORE_CAUSE_MAX];
	int rc = main_parse(argc, argv, &o), sig_fd;

	if (rc != 0)
		return rc == 1 ? 0 : 2;
	log_init("stillroomd");
	if (o.check_config)
		return cfgchk_main(o.config, stdout, stderr);
	sig_fd = main_signals();
	if (main_configure(&d, &o) < 0)
		return 1;
	if (main_lock_db(d.plant.db_path, cause, sizeof cause) < 0 ||
	    csock_listen(&srv, d.plant.socket_path, cause, sizeof cause) < 0) {
		log_error("%s", cause);
		return 1;
	}
	main_load(&d);
	log_info("stillroomd %s: %d stills, socket %s, database %s, speed %g", SR_VERSION,
	         d.plant.n_stills, d.plant.socket_path, d.plant.db_path, d.speed);
	main_lock_memory(o.realtime);
	if (main_start(&d, o.realtime) < 0) {
		main_shutdown(&d, 0);
		csock_close(&srv);
		return 1;
	}
	main_notify("READY=1");
	main_serve(&d, &srv, sig_fd);
	main_notify("STOPPING=1");
	log_info("stopping: safe outputs, flushing the journal");
	main_shutdown(&d, d.plant.n_stills);
	csock_close(&srv);
	close(sig_fd);
	return 0;
}
