/*
 * csock: the daemon's local command socket (Unix stream, mode 0660),
 * served from the main thread with poll(): non-blocking reads and writes,
 * one line in, a reply out, so a slow or dead client never holds up
 * anything. Framing and tokens: proto.h, docs/PROTOCOL.md.
 */
#ifndef CSOCK_H
#define CSOCK_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define CSOCK_CLIENTS_MAX 32
#define CSOCK_OUT_MAX (4 * 1024 * 1024)  /* pending reply bytes per client */

/* A reply being built: data lines then one final line. */
struct csock_reply {
	char *buf;
	size_t len, cap;
	int final;                 /* the final line was written */
	uint64_t client;           /* id of the asking client (csock_answer) */
	int parked;                /* the handler answers later: csock_reply_park */
};

/* Handles one request line; must end the reply with ok or err,
 * or park it (csock_reply_park) and answer later. */
typedef void (*csock_handler)(void *ctx, const char *line, struct csock_reply *r);

struct csock_client {
	int fd;                    /* -1 when the slot is free */
	char in[8192];             /* partial request line */
	size_t in_len;
	int in_skip;               /* 1: dropping a too-long line up to its newline */
	char *out;                 /* reply bytes not yet written */
	size_t out_len, out_off;
	uint64_t id;               /* unique for the server's life; 0 when free */
	int parked;                /* a request waits for csock_answer */
};

struct csock_server {
	int fd;                    /* listening socket */
	int lock_fd;               /* flock on PATH.lock */
	char path[256];
	struct csock_client clients[CSOCK_CLIENTS_MAX];
	uint64_t last_id;          /* of the last client accepted */
	csock_handler handler;     /* of the last csock_service, for csock_answer */
	void *ctx;
};


/* Takes the lock PATH.lock (refusing when another daemon holds it),
 * replaces a stale socket file, binds and listens with mode 0660. */
int csock_listen(struct csock_server *s, const char *path, char *cause,
                 size_t cause_len);

/* Fills fds with the sockets to watch; returns how many. */
int csock_fill_pollfds(const struct csock_server *s, struct pollfd *fds, int max);

/* Accepts, reads, runs handler on each complete line and writes replies,
 * for the fds that poll() marked. */
void csock_service(struct csock_server *s, const struct pollfd *fds, int n,
                   csock_handler handler, void *ctx);

/* Parks the request r answers: nothing is sent now, later lines of the
 * same client wait, and the handler's owner answers with csock_answer.
 * Returns the client's id. Other clients are served meanwhile. */
uint64_t csock_reply_park(struct csock_reply *r);

/* Sends r (ending in ok or err) as the answer to the parked request of
 * client id, then serves the lines that client sent meanwhile. A client
 * gone since is skipped (r is dropped). */
void csock_answer(struct csock_server *s, uint64_t id, const struct csock_reply *r);

/* Closes every client and the listening socket; removes the socket file. */
void csock_close(struct csock_server *s);

/* Appends one data line (formatted) to r. */
void csock_reply_line(struct csock_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends the final "ok ..." line. */
void csock_reply_ok(struct csock_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends the final "err ..." line. */
void csock_reply_err(struct csock_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
