/*
 * cmd: the command socket's verbs (docs/PROTOCOL.md): status, alarms,
 * recipes, start, hold, restart, stop, abort, reset, ack, shelve, answer,
 * manual, auto, lot-add, reload. Runs on the main thread; a still command
 * is parked (cwait) until its tick and its commit, so other clients are
 * served meanwhile; a control thread never waits for the main thread.
 */
#ifndef CMD_H
#define CMD_H

#include "csock.h"

/* Handles one request line; ctx is the struct dmn (a csock_handler). */
void cmd_handle(void *ctx, const char *line, struct csock_reply *r);

#endif
