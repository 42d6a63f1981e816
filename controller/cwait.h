/*
 * cwait: operator commands waiting for their still and for their record,
 * on the main thread, without stopping it. A command's client is parked
 * (csock_reply_park); the main poll loop wakes when a control thread or
 * the journal writes the daemon's eventfd, and cwait_service moves each
 * waiting command on: handed to the still's slot, taken or refused by its
 * tick, then its audit rows committed. The reply is exactly one of
 * (docs/PROTOCOL.md):
 *   ok MESSAGE                  done and recorded
 *   ok unrecorded MESSAGE: ...  done, not yet recorded (the journal keeps
 *                               its rows and writes them when the disk does)
 *   err WHY                     refused: not done (the refusal is audited)
 * A command the still never took is withdrawn before any tick applies it;
 * one a tick applied is never reported as refused.
 */
#ifndef CWAIT_H
#define CWAIT_H

#include <stdint.h>

#include "core.h"
#include "csock.h"

#define CWAIT_MAX CSOCK_CLIENTS_MAX   /* one parked request per client at most */
#define CWAIT_REPLY_MS 4000           /* a parked command is answered in this
                                       * (the console gives up after 5 s); the
                                       * still must take it in DMN_CMD_TIMEOUT_MS */

struct dmn;

enum cwait_phase {
	CWAIT_FREE,
	CWAIT_QUEUED,                /* the still's slot holds another command */
	CWAIT_LOOP,                  /* in the slot: waiting for a tick */
	CWAIT_RECORD,                /* outcome known: waiting for its rows' commit */
};

/* One parked command. */
struct cwait {
	enum cwait_phase phase;
	uint64_t client;             /* csock client id */
	int still;                   /* index into the plant's stills */
	struct core_cmd cmd;
	int refused;                 /* the reply will be err why */
	uint64_t seq;                /* journal seq its reply waits for */
	int64_t take_by_ns;          /* monotonic: withdrawn when not taken by then */
	int64_t reply_by_ns;         /* monotonic: answered by then, recorded or not */
	char done[160];              /* what was done: "hold still1" */
	char why[256];               /* refused: why; else why not recorded */
};

struct cwait_list {
	struct cwait w[CWAIT_MAX];
};

/*
 * Parks the request r answers and hands cmd (a still command; no recipe:
 * a start is not parked until its record phase) to still i. done says
 * what the ok reply reports ("hold still1"). Replies err at once when the
 * list is full.
 */
void cwait_command(struct dmn *d, int i, const struct core_cmd *cmd, const char *done,
                   struct csock_reply *r);

/*
 * Parks the request r answers until the journal has committed seq (the
 * events of a command still i already took), then replies ok done, or ok
 * unrecorded after CWAIT_REPLY_MS. For start, whose loop phase is run
 * before its batch row is written.
 */
void cwait_record(struct dmn *d, int i, uint64_t seq, const char *done, struct csock_reply *r);

/*
 * Queues the audit row of a command still i refused (who, what, why)
 * with the journal, so that it never waits on the disk; returns its seq.
 */
uint64_t cwait_audit_refusal(struct dmn *d, int i, const char *verb,
                             const char *operator_name, const char *why);

/* Moves every parked command on and answers the finished ones on srv.
 * Never waits. Call after every poll() of the main loop. */
void cwait_service(struct dmn *d, struct csock_server *srv);

/* How long the main loop may sleep in poll(): until the nearest deadline
 * of a parked command, at most max_ms. */
int cwait_timeout_ms(const struct dmn *d, int max_ms);

#endif
