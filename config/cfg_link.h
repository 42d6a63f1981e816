/*
 * cfg_link: the plant configuration's `mqtt:` and `notify:` sections (issue
 * 16): live status published to an MQTT broker and the alarm notification
 * hook. Both are off unless their section is present. Read for cfg.c;
 * every value with its unit, range-checked, errors as
 * "file:line:column: message".
 */
#ifndef CFG_LINK_H
#define CFG_LINK_H

#include "ydoc.h"

/* mqtt: {broker: HOST:PORT, cooperative: NAME, plant: NAME, status_s: S}.
 * Owned by the MQTT work: fields are added here. */
struct mqtt_cfg {
	int set;                    /* 1 when the section is present */
};

/* notify: {exec: PROGRAM, min_priority: 2, min_interval_s: 300}.
 * Owned by the MQTT work: fields are added here. */
struct notify_cfg {
	int set;                    /* 1 when the section is present */
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

#endif
