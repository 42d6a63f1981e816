/*
 * mqtt: live status over MQTT (`mqtt:` in the plant config, cfg_link.h);
 * the only libmosquitto user. One thread of its own runs the client:
 * every status_s it publishes each still's status (the `status json`
 * object of that still, cmd_still_json, from the published snapshot) on
 * stillroom/COOP/PLANT/STILL/status (retained, QoS 1), alarm onsets and
 * returns from a bounded queue fed by the control threads (alq: never
 * waits, drops and counts when full) on stillroom/COOP/PLANT/STILL/alarms
 * (QoS 1, not retained), and `online` (retained) on
 * stillroom/COOP/PLANT/state, whose last will is `offline` (retained).
 * Subscribes to nothing. While the broker is away, no status is queued
 * (each is read fresh when due), alarm events are counted as dropped and
 * logged, the client reconnects with a backoff doubling from 1 s to 60 s,
 * and on reconnect publishes `online` and every still's status at once.
 */
#ifndef MQTT_H
#define MQTT_H

#include <stddef.h>

#include "core.h"

struct dmn;
struct mqtt;

/* Starts the publisher for daemon d (its plant's `mqtt:` set; its loops
 * started). The credentials file, if any, is read here. Returns it, or
 * NULL with a sentence in cause (the broker being away is not an error). */
struct mqtt *mqtt_start(struct dmn *d, char *cause, size_t cause_len);

/* From a control thread: an alarm event of still (index) with its
 * priority; queues onsets and returns, never waits. m may be NULL. */
void mqtt_alarm(struct mqtt *m, int still, const struct core_event *ev, int priority);

/* Publishes `offline` on the state topic (retained; waits for the broker
 * a second at most), disconnects and stops the thread; before the loops
 * stop (it reads their snapshots). mqtt_alarm stays safe after it. NULL
 * is fine. */
void mqtt_stop(struct mqtt *m);

/* Frees m once no control thread can call mqtt_alarm (the loops have
 * stopped). NULL is fine. */
void mqtt_free(struct mqtt *m);

#endif
