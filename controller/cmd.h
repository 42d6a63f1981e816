/*
 * cmd: the command socket's verbs (docs/PROTOCOL.md): status, alarms,
 * recipes, start, hold, restart, stop, abort, reset, ack, shelve, answer,
 * manual, auto, reload, weigh, qa, decide; and cmd_rec.c's lot-add,
 * lot-correct, drum-fill, ship, advance. Runs on the main thread; a still command
 * is parked (cwait) until its tick and its commit, so other clients are
 * served meanwhile; a control thread never waits for the main thread.
 */
#ifndef CMD_H
#define CMD_H

#include "csock.h"
#include "proto.h"

/* Handles one request line; ctx is the struct dmn (a csock_handler). */
void cmd_handle(void *ctx, const char *line, struct csock_reply *r);

/* The request's number (proto_number: key=value, or positional pos when
 * key is NULL), which must be there. 0, or -1 with an err reply. */
int cmd_number(const struct proto_args *a, const char *key, int pos, double *out,
               struct csock_reply *r);

struct dmn;

/* Appends s to the NUL-terminated out (of size len) as a JSON string,
 * quoted and escaped; stops short rather than overflow. */
void cmd_json_string(char *out, size_t len, const char *s);

/*
 * Writes still i's status as one JSON object into out (the same members
 * as that still's object in `status json`), from its published snapshot
 * (loop_view, loop_jitter: short copies under the still's mutex, never a
 * wait on its tick). For the MQTT publisher's thread. Returns 0, or -1
 * when memory ran out (out empty).
 */
int cmd_still_json(struct dmn *d, int i, char *out, size_t len);

#endif
