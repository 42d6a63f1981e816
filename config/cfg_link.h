/*
 * cfg_link: the plant configuration's `mqtt:` and `notify:` sections (issue
 * 16): live status published to an MQTT broker and the alarm notification
 * hook. Both are off unless their section is present. Read for cfg.c;
 * every value with its unit, range-checked, errors as
 * "file:line:column: message". docs/ALLIANCE.md shows both sections.
 */
#ifndef CFG_LINK_H
#define CFG_LINK_H

#include <stdio.h>

#include "ydoc.h"

#define CFG_LINK_NAME_MAX 64       /* cooperative, plant, client id */
#define CFG_LINK_PATH_MAX 256      /* files: absolute paths */
#define CFG_LINK_PORT_DEFAULT 1883 /* MQTT without TLS (8883 is usual with) */
#define CFG_LINK_STATUS_S_DEFAULT 10.0
#define CFG_LINK_PRIORITY_MIN 1    /* ISA-18.2 priorities as core_alarm has */
#define CFG_LINK_PRIORITY_MAX 4    /* them: 1 is the most urgent */

/*
 * mqtt: {broker: HOST:PORT, cooperative: NAME, plant: NAME, status_s: S,
 *        client_id: ID, qos: 1, tls: {cafile, certfile, keyfile},
 *        credentials: FILE}
 * broker, cooperative and plant are required; the port defaults to 1883.
 * The password is not kept here: the daemon reads the credentials file
 * (first line user, second line password) when it connects; the reader
 * only checks that the file is not readable by group or others.
 */
struct mqtt_cfg {
	int set;                    /* 1 when the section is present */
	char host[CFG_LINK_NAME_MAX];
	int port;
	char cooperative[CFG_LINK_NAME_MAX];
	char plant[CFG_LINK_NAME_MAX];
	double status_s;            /* a still's status is published this often */
	char client_id[CFG_LINK_NAME_MAX]; /* default stillroom-COOP-PLANT */
	int qos;                    /* 1: the only one accepted */
	char cafile[CFG_LINK_PATH_MAX];    /* TLS on when set ("" off) */
	char certfile[CFG_LINK_PATH_MAX];  /* client certificate ("" none) */
	char keyfile[CFG_LINK_PATH_MAX];
	char credentials[CFG_LINK_PATH_MAX]; /* user/password file ("" none) */
};

/*
 * notify: {exec: PROGRAM, min_priority: 2, min_interval_s: 300,
 *          timeout_s: 30}
 * exec is required (an absolute path). An alarm onset of priority number
 * <= min_priority runs it (1 is the most urgent). min_interval_s is per
 * alarm (still and alarm id): the same alarm again within it is not sent.
 */
struct notify_cfg {
	int set;                    /* 1 when the section is present */
	char exec[CFG_LINK_PATH_MAX];
	int min_priority;           /* 1..4, default 2 */
	double min_interval_s;      /* 0..86400, default 300 */
	double timeout_s;           /* 1..600, default 30: killed after */
};

/* Both off (what absent sections mean). */
void cfg_link_defaults(struct mqtt_cfg *m, struct notify_cfg *n);

/*
 * Reads the `mqtt:` mapping mq into *m and the `notify:` mapping nt into
 * *n, reporting every mistake through doc. Either may be NULL (absent):
 * that feature stays off.
 */
void cfg_link_read(struct ydoc *doc, const struct ydoc_node *mq,
                   const struct ydoc_node *nt, struct mqtt_cfg *m,
                   struct notify_cfg *n);

/*
 * Prints both sections for `stillroomd --check-config` to f, one
 * "PATH: mqtt: ..." and one "PATH: notify: ..." line ("off" when absent).
 * Names the credentials file, never what it holds.
 */
void cfg_link_print(FILE *f, const char *path, const struct mqtt_cfg *m,
                    const struct notify_cfg *n);

#endif
