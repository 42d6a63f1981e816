/* mqtt: live status over MQTT, the only libmosquitto user. See mqtt.h. */
#include "mqtt.h"

#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alq.h"
#include "clk.h"
#include "cmd.h"
#include "dmn.h"
#include "log.h"
#include "thr.h"

#define MQTT_KEEPALIVE_S 30
#define MQTT_BACKOFF_MAX_S 60
#define MQTT_SLICE_MS 100          /* the thread's network wait */
#define MQTT_OFFLINE_WAIT_NS 1000000000
#define MQTT_JSON_MAX 4096

struct mqtt {
	struct dmn *d;
	const struct mqtt_cfg *cfg;
	struct mosquitto *mosq;
	struct alq q;
	pthread_t thread;
	int stop;                      /* atomic: mqtt_stop asks */
	/* the thread's own from here */
	int connected;
	int fresh;                     /* just connected: birth and every status */
	int ever_tried;
	int backoff_s;
	int64_t next_try_ns;
	int64_t next_status_ns;
	long away_dropped;             /* alarm events while the broker was away */
	long queue_dropped_seen;
	int offline_mid;
	int offline_done;
	int fail_rc;                   /* the last session failure logged (0 none) */
	char lib_err[200];             /* libmosquitto's last error line (TLS) */
	char topic[CFG_LINK_NAME_MAX * 2 + CFG_NAME_MAX + 32];
	char json[MQTT_JSON_MAX];
};

static void mqtt_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct mqtt *m = obj;

	(void)mosq;
	if (rc != 0) {
		log_warn("mqtt: %s:%d refused the connection: %s", m->cfg->host, m->cfg->port,
		         mosquitto_connack_string(rc));
		return;
	}
	m->connected = 1;
	m->fresh = 1;
	m->backoff_s = 1;
	m->fail_rc = 0;
	m->lib_err[0] = '\0';
	log_info("mqtt: connected to %s:%d as %s", m->cfg->host, m->cfg->port,
	         m->cfg->client_id);
}

static void mqtt_on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct mqtt *m = obj;

	(void)mosq;
	if (m->connected && rc != 0)
		log_warn("mqtt: lost the broker %s:%d; only the latest status will be "
		         "published when it is back", m->cfg->host, m->cfg->port);
	m->connected = 0;
}

/* Keeps libmosquitto's last error line (an OpenSSL error names why a TLS
 * session failed: a certificate the broker wants or refuses). */
static void mqtt_on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
	struct mqtt *m = obj;

	(void)mosq;
	if ((level & MOSQ_LOG_ERR) && str != NULL)
		snprintf(m->lib_err, sizeof m->lib_err, "%s", str);
}

/* A session that failed before it was up (TLS refused, closed at once):
 * logged once for each kind of failure, with libmosquitto's reason. */
static void mqtt_session_failed(struct mqtt *m, int rc, int err)
{
	int no_cert = m->cfg->cafile[0] != '\0' && m->cfg->certfile[0] == '\0';

	if (rc == m->fail_rc)
		return;
	m->fail_rc = rc;
	log_warn("mqtt: no session with %s:%d: %s%s%s%s; not publishing, trying "
	         "again%s", m->cfg->host, m->cfg->port,
	         rc == MOSQ_ERR_ERRNO ? strerror(err) : mosquitto_strerror(rc),
	         m->lib_err[0] ? " (" : "", m->lib_err, m->lib_err[0] ? ")" : "",
	         no_cert ? " (no client certificate is configured: a broker that "
	         "requires one needs 'tls: certfile' and 'keyfile')" : "");
}

static void mqtt_on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct mqtt *m = obj;

	(void)mosq;
	if (mid == m->offline_mid)
		m->offline_done = 1;
}

/* Publishes payload on topic (QoS from the config); mid may be NULL. */
static int mqtt_put(struct mqtt *m, const char *topic, const char *payload, int retain,
                    int *mid)
{
	int rc = mosquitto_publish(m->mosq, mid, topic, (int)strlen(payload), payload,
	                           m->cfg->qos, retain != 0);

	if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
		log_warn("mqtt: publish on %s: %s", topic, mosquitto_strerror(rc));
	return rc;
}

/* stillroom/COOP/PLANT[/STILL]/leaf into m->topic. */
static const char *mqtt_topic(struct mqtt *m, const char *still, const char *leaf)
{
	snprintf(m->topic, sizeof m->topic, "stillroom/%s/%s/%s%s%s", m->cfg->cooperative,
	         m->cfg->plant, still ? still : "", still ? "/" : "", leaf);
	return m->topic;
}

/* Every still's status, fresh from its snapshot, retained. */
static void mqtt_status_all(struct mqtt *m)
{
	for (int i = 0; i < m->d->plant.n_stills; i++) {
		if (cmd_still_json(m->d, i, m->json, sizeof m->json) < 0)
			continue;
		mqtt_put(m, mqtt_topic(m, m->d->plant.stills[i].name, "status"), m->json, 1, NULL);
	}
}

/* Appends ,"key":value (a string when s is set, else the number v). */
static void mqtt_json_member(char *out, size_t len, const char *key, const char *s,
                             double v)
{
	size_t n = strlen(out);

	snprintf(out + n, len - n, "%s", n > 1 ? "," : "");
	cmd_json_string(out, len, key);
	n = strlen(out);
	if (s != NULL) {
		snprintf(out + n, len - n, ":");
		cmd_json_string(out, len, s);
	} else {
		snprintf(out + n, len - n, ":%.*f", v == (long)v ? 0 : 1, v);
	}
}

/* One alarm event as JSON on the still's alarms topic. */
static void mqtt_alarm_put(struct mqtt *m, const struct alq_item *it)
{
	char when[32];
	time_t t = (time_t)it->wall_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(m->json, sizeof m->json, "{");
	mqtt_json_member(m->json, sizeof m->json, "still",
	                 m->d->plant.stills[it->still].name, 0);
	mqtt_json_member(m->json, sizeof m->json, "alarm", it->ev.what, 0);
	mqtt_json_member(m->json, sizeof m->json, "event",
	                 it->kind == ALQ_ONSET ? "onset" : "return", 0);
	mqtt_json_member(m->json, sizeof m->json, "state", it->ev.new_value, 0);
	mqtt_json_member(m->json, sizeof m->json, "priority", NULL, it->priority);
	mqtt_json_member(m->json, sizeof m->json, "message", it->ev.text, 0);
	mqtt_json_member(m->json, sizeof m->json, "batch_id", NULL, (double)it->ev.batch_id);
	mqtt_json_member(m->json, sizeof m->json, "process_s", NULL, it->ev.t_s);
	mqtt_json_member(m->json, sizeof m->json, "time", when, 0);
	strncat(m->json, "}", sizeof m->json - strlen(m->json) - 1);
	mqtt_put(m, mqtt_topic(m, m->d->plant.stills[it->still].name, "alarms"), m->json, 0,
	         NULL);
}

void mqtt_alarm(struct mqtt *m, int still, const struct core_event *ev, int priority)
{
	struct alq_item it;

	if (m == NULL || (it.kind = alq_kind_of(ev)) == ALQ_NONE)
		return;
	it.still = still;
	it.priority = priority;
	it.wall_s = clk_wall_s();
	it.ev = *ev;
	alq_push(&m->q, &it);
}

/* Publishes the queued alarm events, or counts them dropped while the
 * broker is away; logs what was dropped when it is back. */
static void mqtt_alarms_drain(struct mqtt *m)
{
	struct alq_item it;
	long qd = alq_dropped(&m->q);

	while (alq_pop(&m->q, &it, 0) == 1) {
		if (m->connected)
			mqtt_alarm_put(m, &it);
		else
			m->away_dropped++;
	}
	if (m->connected && m->away_dropped > 0) {
		log_warn("mqtt: %ld alarm events not published while the broker was away "
		         "(the plant's record has them)", m->away_dropped);
		m->away_dropped = 0;
	}
	if (qd != m->queue_dropped_seen) {
		log_warn("mqtt: %ld alarm events dropped so far (queue busy or full)", qd);
		m->queue_dropped_seen = qd;
	}
}

/* Connects or reconnects when it is time; doubles the backoff. */
static void mqtt_try_connect(struct mqtt *m, int64_t now_ns)
{
	int rc;

	if (m->connected || now_ns < m->next_try_ns)
		return;
	rc = m->ever_tried ? mosquitto_reconnect_async(m->mosq)
	                   : mosquitto_connect_async(m->mosq, m->cfg->host, m->cfg->port,
	                                             MQTT_KEEPALIVE_S);
	if (rc != MOSQ_ERR_SUCCESS && (!m->ever_tried || m->backoff_s >= MQTT_BACKOFF_MAX_S))
		log_warn("mqtt: cannot reach %s:%d: %s; trying again in %d s", m->cfg->host,
		         m->cfg->port, rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		         mosquitto_strerror(rc), m->backoff_s);
	m->ever_tried = 1;
	m->next_try_ns = now_ns + (int64_t)m->backoff_s * 1000000000;
	m->backoff_s = m->backoff_s * 2 > MQTT_BACKOFF_MAX_S ? MQTT_BACKOFF_MAX_S
	                                                    : m->backoff_s * 2;
}

/* One slice of the thread: network, birth and statuses, alarms. */
static void mqtt_slice(struct mqtt *m)
{
	int64_t now = clk_mono_ns();
	struct timespec nap = {0, MQTT_SLICE_MS * 1000000L};
	int rc;

	mqtt_try_connect(m, now);
	rc = mosquitto_loop(m->mosq, MQTT_SLICE_MS, 1);
	if (rc != MOSQ_ERR_SUCCESS) {
		if (!m->connected && rc != MOSQ_ERR_NO_CONN)
			mqtt_session_failed(m, rc, errno);
		m->connected = 0;
		nanosleep(&nap, NULL);
	}
	if (m->connected && m->fresh) {
		m->fresh = 0;
		mqtt_put(m, mqtt_topic(m, NULL, "state"), "online", 1, NULL);
		m->next_status_ns = 0;
	}
	mqtt_alarms_drain(m);
	now = clk_mono_ns();
	if (m->connected && now >= m->next_status_ns) {
		mqtt_status_all(m);
		m->next_status_ns = now + (int64_t)(m->cfg->status_s * 1e9);
	}
}

/* `offline` (retained) while still connected, then a clean disconnect. */
static void mqtt_goodbye(struct mqtt *m)
{
	int64_t end = clk_mono_ns() + MQTT_OFFLINE_WAIT_NS;

	if (!m->connected)
		return;
	m->offline_mid = -1;
	if (mqtt_put(m, mqtt_topic(m, NULL, "state"), "offline", 1, &m->offline_mid) ==
	    MOSQ_ERR_SUCCESS)
		while (!m->offline_done && m->connected && clk_mono_ns() < end)
			mosquitto_loop(m->mosq, MQTT_SLICE_MS, 1);
	mosquitto_disconnect(m->mosq);
	mosquitto_loop(m->mosq, MQTT_SLICE_MS, 1);
}

static void *mqtt_main(void *arg)
{
	struct mqtt *m = arg;

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE))
		mqtt_slice(m);
	mqtt_alarms_drain(m);
	mqtt_goodbye(m);
	return NULL;
}

/* User and password from the credentials file (line 1, line 2) into the
 * client; the password is wiped from memory after. 0, or -1 with cause. */
static int mqtt_credentials(struct mqtt *m, char *cause, size_t cause_len)
{
	char user[128] = "", pass[256] = "";
	FILE *f;
	int rc = -1;

	if (m->cfg->credentials[0] == '\0')
		return 0;
	f = fopen(m->cfg->credentials, "r");
	if (f == NULL) {
		snprintf(cause, cause_len, "mqtt: credentials %s: %s", m->cfg->credentials,
		         strerror(errno));
		return -1;
	}
	if (fgets(user, sizeof user, f) == NULL || fgets(pass, sizeof pass, f) == NULL) {
		snprintf(cause, cause_len, "mqtt: credentials %s: needs the user on its first "
		         "line and the password on its second", m->cfg->credentials);
		goto out_close;
	}
	user[strcspn(user, "\r\n")] = '\0';
	pass[strcspn(pass, "\r\n")] = '\0';
	if (mosquitto_username_pw_set(m->mosq, user, pass) != MOSQ_ERR_SUCCESS)
		snprintf(cause, cause_len, "mqtt: credentials %s: not usable", m->cfg->credentials);
	else
		rc = 0;
out_close:
	explicit_bzero(pass, sizeof pass);
	fclose(f);
	return rc;
}

/* The client: will, TLS, credentials, callbacks. 0, or -1 with cause. */
static int mqtt_client(struct mqtt *m, char *cause, size_t cause_len)
{
	const struct mqtt_cfg *c = m->cfg;
	int rc;

	m->mosq = mosquitto_new(c->client_id, true, m);
	if (m->mosq == NULL) {
		snprintf(cause, cause_len, "mqtt: cannot make a client: %s", strerror(errno));
		return -1;
	}
	mosquitto_connect_callback_set(m->mosq, mqtt_on_connect);
	mosquitto_disconnect_callback_set(m->mosq, mqtt_on_disconnect);
	mosquitto_publish_callback_set(m->mosq, mqtt_on_publish);
	mosquitto_log_callback_set(m->mosq, mqtt_on_log);
	rc = mosquitto_will_set(m->mosq, mqtt_topic(m, NULL, "state"), 7, "offline", c->qos, true);
	if (rc == MOSQ_ERR_SUCCESS && c->cafile[0] != '\0')
		rc = mosquitto_tls_set(m->mosq, c->cafile, NULL, c->certfile[0] ? c->certfile : NULL,
		                       c->keyfile[0] ? c->keyfile : NULL, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(cause, cause_len, "mqtt: %s", mosquitto_strerror(rc));
		return -1;
	}
	return mqtt_credentials(m, cause, cause_len);
}

struct mqtt *mqtt_start(struct dmn *d, char *cause, size_t cause_len)
{
	struct mqtt *m = calloc(1, sizeof *m);
	int rc;

	if (m == NULL) {
		snprintf(cause, cause_len, "mqtt: out of memory");
		return NULL;
	}
	m->d = d;
	m->cfg = &d->plant.mqtt;
	m->backoff_s = 1;
	mosquitto_lib_init();
	if (alq_init(&m->q) != 0) {
		snprintf(cause, cause_len, "mqtt: cannot make its queue");
		goto out_cleanup;
	}
	if (mqtt_client(m, cause, cause_len) < 0)
		goto out_destroy;
	rc = thr_start(&m->thread, mqtt_main, m, 0);
	if (rc != 0) {
		snprintf(cause, cause_len, "mqtt: cannot start its thread: %s", strerror(rc));
		goto out_destroy;
	}
	log_info("mqtt: publishing to %s:%d on stillroom/%s/%s/ every %g s", m->cfg->host,
	         m->cfg->port, m->cfg->cooperative, m->cfg->plant, m->cfg->status_s);
	return m;
out_destroy:
	mosquitto_destroy(m->mosq);
	alq_destroy(&m->q);
out_cleanup:
	mosquitto_lib_cleanup();
	free(m);
	return NULL;
}

void mqtt_stop(struct mqtt *m)
{
	if (m == NULL || __atomic_load_n(&m->stop, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&m->stop, 1, __ATOMIC_RELEASE);
	pthread_join(m->thread, NULL);
}

void mqtt_free(struct mqtt *m)
{
	if (m == NULL)
		return;
	mqtt_stop(m);
	mosquitto_destroy(m->mosq);
	alq_destroy(&m->q);
	mosquitto_lib_cleanup();
	free(m);
}
