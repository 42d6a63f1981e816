/* cfg_link: the `mqtt:` and `notify:` sections. See cfg_link.h. */
#include "cfg_link.h"

#include <string.h>
#include <sys/stat.h>

#include "num.h"

void cfg_link_defaults(struct mqtt_cfg *m, struct notify_cfg *n)
{
	memset(m, 0, sizeof *m);
	m->port = CFG_LINK_PORT_DEFAULT;
	m->status_s = CFG_LINK_STATUS_S_DEFAULT;
	m->qos = 1;
	memset(n, 0, sizeof *n);
	n->min_priority = 2;
	n->min_interval_s = 300;
	n->timeout_s = 30;
}

/* Seconds: a bare number ("300") or a time with its unit ("5 min"). */
static void cfg_link_secs(struct ydoc *doc, const struct ydoc_node *n,
                          const char *key, double lo, double hi, double *out)
{
	if (n != NULL && n->type == YDOC_SCALAR && n->len > 0 &&
	    strchr("0123456789.", n->str[n->len - 1]) != NULL)
		ydoc_num(doc, n, key, lo, hi, out);
	else
		ydoc_qty(doc, n, key, &ydoc_kind_time, lo, hi, out);
}

/* An absolute path of a file that exists (what names it: the key). */
static int cfg_link_file(struct ydoc *doc, const struct ydoc_node *n,
                         const char *key, char *out, size_t size,
                         struct stat *st)
{
	char buf[CFG_LINK_PATH_MAX];

	if (ydoc_str(doc, n, key, buf, sizeof buf) != 0)
		return -1;
	if (buf[0] != '/') {
		ydoc_error(doc, n, "'%s' must be an absolute path, not \"%s\"", key, buf);
		return -1;
	}
	if (stat(buf, st) != 0 || !S_ISREG(st->st_mode)) {
		ydoc_error(doc, n, "'%s': no file at %s", key, buf);
		return -1;
	}
	snprintf(out, size, "%s", buf);
	return 0;
}

/* "host:port" or "host" (port 1883) into m. */
static void cfg_link_broker(struct ydoc *doc, const struct ydoc_node *n,
                            struct mqtt_cfg *m)
{
	char buf[96];
	char *colon;
	double port;
	int whole;

	if (ydoc_str(doc, n, "broker", buf, sizeof buf) != 0)
		return;
	colon = strrchr(buf, ':');
	if (colon != NULL) {
		if (num_parse(colon + 1, &port, &whole) != NUM_OK || !whole || port < 1 ||
		    port > 65535) {
			ydoc_error(doc, n, "'broker' port must be from 1 to 65535, not \"%s\"",
			           colon + 1);
			return;
		}
		*colon = '\0';
		m->port = (int)port;
	}
	if (buf[0] == '\0' || strlen(buf) >= sizeof m->host || strpbrk(buf, " /") != NULL) {
		ydoc_error(doc, n, "'broker' must be HOST:PORT, e.g. 127.0.0.1:1883");
		return;
	}
	snprintf(m->host, sizeof m->host, "%s", buf);
}

/* A secret file (key: "credentials", "keyfile"; holds: what is in it):
 * exists, and no one but its owner may read it; else out is "". */
static void cfg_link_secret(struct ydoc *doc, const struct ydoc_node *n,
                            const char *key, const char *holds, char *out,
                            size_t size)
{
	struct stat st;

	if (n == NULL || cfg_link_file(doc, n, key, out, size, &st) != 0)
		return;
	if ((st.st_mode & 077) != 0) {
		ydoc_error(doc, n, "'%s': %s can be read by group or others "
		           "(mode %04o): it holds %s; make it readable by its owner "
		           "only (chmod 600)", key, out, (unsigned)(st.st_mode & 07777),
		           holds);
		out[0] = '\0';
	}
}

/* The credentials file: exists, and no one but its owner may read it. */
static void cfg_link_credentials(struct ydoc *doc, const struct ydoc_node *n,
                                 struct mqtt_cfg *m)
{
	cfg_link_secret(doc, n, "credentials", "a password", m->credentials,
	                sizeof m->credentials);
}

static void cfg_link_tls(struct ydoc *doc, const struct ydoc_node *n,
                         struct mqtt_cfg *m)
{
	static const struct ydoc_field f[] = {
		{"cafile", 1}, {"certfile", 0}, {"keyfile", 0},
	};
	const struct ydoc_node *v[3];
	struct stat st;

	if (n == NULL || ydoc_fields(doc, n, "'mqtt: tls'", f, 3, v) < 0)
		return;
	cfg_link_file(doc, v[0], "cafile", m->cafile, sizeof m->cafile, &st);
	if (v[1] != NULL)
		cfg_link_file(doc, v[1], "certfile", m->certfile, sizeof m->certfile, &st);
	cfg_link_secret(doc, v[2], "keyfile", "a private key", m->keyfile,
	                sizeof m->keyfile);
	if ((v[1] == NULL) != (v[2] == NULL))
		ydoc_error(doc, n, "'mqtt: tls' needs 'certfile' and 'keyfile' together");
}

enum {
	CFG_LINK_BROKER, CFG_LINK_COOP, CFG_LINK_PLANT, CFG_LINK_STATUS,
	CFG_LINK_CLIENT, CFG_LINK_QOS, CFG_LINK_TLS, CFG_LINK_CRED, CFG_LINK_MQTT_N
};

static void cfg_link_read_mqtt(struct ydoc *doc, const struct ydoc_node *mq,
                               struct mqtt_cfg *m)
{
	static const struct ydoc_field f[CFG_LINK_MQTT_N] = {
		{"broker", 1}, {"cooperative", 1}, {"plant", 1}, {"status_s", 0},
		{"client_id", 0}, {"qos", 0}, {"tls", 0}, {"credentials", 0},
	};
	const struct ydoc_node *v[CFG_LINK_MQTT_N];
	long qos = 1;

	if (ydoc_fields(doc, mq, "'mqtt'", f, CFG_LINK_MQTT_N, v) < 0)
		return;
	m->set = 1;
	cfg_link_broker(doc, v[CFG_LINK_BROKER], m);
	ydoc_name(doc, v[CFG_LINK_COOP], "cooperative", m->cooperative, sizeof m->cooperative);
	ydoc_name(doc, v[CFG_LINK_PLANT], "plant", m->plant, sizeof m->plant);
	cfg_link_secs(doc, v[CFG_LINK_STATUS], "status_s", 0.5, 3600, &m->status_s);
	if (ydoc_name(doc, v[CFG_LINK_CLIENT], "client_id", m->client_id,
	              sizeof m->client_id) != 0)
		snprintf(m->client_id, sizeof m->client_id, "stillroom-%.24s-%.24s",
		         m->cooperative, m->plant);
	if (ydoc_int(doc, v[CFG_LINK_QOS], "qos", 1, 1, &qos) == 0)
		m->qos = (int)qos;
	cfg_link_tls(doc, v[CFG_LINK_TLS], m);
	cfg_link_credentials(doc, v[CFG_LINK_CRED], m);
}

static void cfg_link_read_notify(struct ydoc *doc, const struct ydoc_node *nt,
                                 struct notify_cfg *n)
{
	static const struct ydoc_field f[] = {
		{"exec", 1}, {"min_priority", 0}, {"min_interval_s", 0}, {"timeout_s", 0},
	};
	const struct ydoc_node *v[4];
	struct stat st;
	long prio = n->min_priority;

	if (ydoc_fields(doc, nt, "'notify'", f, 4, v) < 0)
		return;
	n->set = 1;
	if (cfg_link_file(doc, v[0], "exec", n->exec, sizeof n->exec, &st) == 0 &&
	    (st.st_mode & 0111) == 0)
		ydoc_error(doc, v[0], "'exec': %s is not executable", n->exec);
	if (ydoc_int(doc, v[1], "min_priority", CFG_LINK_PRIORITY_MIN,
	             CFG_LINK_PRIORITY_MAX, &prio) == 0)
		n->min_priority = (int)prio;
	cfg_link_secs(doc, v[2], "min_interval_s", 0, 86400, &n->min_interval_s);
	cfg_link_secs(doc, v[3], "timeout_s", 1, 600, &n->timeout_s);
}

void cfg_link_read(struct ydoc *doc, const struct ydoc_node *mq,
                   const struct ydoc_node *nt, struct mqtt_cfg *m,
                   struct notify_cfg *n)
{
	if (mq != NULL)
		cfg_link_read_mqtt(doc, mq, m);
	if (nt != NULL)
		cfg_link_read_notify(doc, nt, n);
}

void cfg_link_print(FILE *f, const char *path, const struct mqtt_cfg *m,
                    const struct notify_cfg *n)
{
	if (!m->set)
		fprintf(f, "%s: mqtt: off (no live status published)\n", path);
	else
		fprintf(f, "%s: mqtt: broker %s:%d, topics stillroom/%s/%s/..., status every "
		        "%g s, client id %s, QoS %d, TLS %s%s, credentials %s\n", path,
		        m->host, m->port, m->cooperative, m->plant, m->status_s,
		        m->client_id, m->qos, m->cafile[0] ? "on (CA " : "off",
		        m->cafile[0] ? (m->certfile[0] ? "file, client certificate)" :
		                        "file)") : "",
		        m->credentials[0] ? m->credentials : "none");
	if (!n->set)
		fprintf(f, "%s: notify: off (no alarm hook)\n", path);
	else
		fprintf(f, "%s: notify: %s on alarm onsets of priority 1 to %d (1 is the most "
		        "urgent), at most once per alarm every %g s, killed after %g s\n",
		        path, n->exec, n->min_priority, n->min_interval_s, n->timeout_s);
}
