/*
 * proto: the daemon's local socket protocol (docs/PROTOCOL.md), shared by
 * the daemon and its clients. A request is one line of tokens; a reply is
 * zero or more data lines then one final line "ok ..." or "err ...".
 * Tokens are bare words or contain "double quoted" parts with \" \\ \n
 * escapes, like a shell: operator="Nguyen Van A" is one token.
 * Table of contents: proto_split, proto_opt, proto_append, proto_kv_get,
 * proto_check, proto_number, proto_lots, proto_is_final, proto_unrecorded.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>

#define PROTO_LINE_MAX 8192   /* longest request or reply line, bytes */
#define PROTO_ARGS_MAX 64     /* most tokens in a line */
#define PROTO_VERSION 1

struct proto_args {
	int argc;
	char *argv[PROTO_ARGS_MAX];
	char buf[PROTO_LINE_MAX];  /* the unquoted tokens, NUL-separated */
};

/* Splits line (without its newline) into a->argv. Returns 0, or -1 with a
 * sentence in cause (unterminated quote, too many tokens, too long). */
int proto_split(struct proto_args *a, const char *line, char *cause,
                size_t cause_len);

/* The value of the first "key=value" token after argv[0], or NULL. */
const char *proto_opt(const struct proto_args *a, const char *key);

/* The n-th token that is not key=value, counting argv[0] as 0, or NULL. */
const char *proto_pos(const struct proto_args *a, int n);

/* Appends " key=value" to out (value quoted when it needs to be; key may be
 * NULL for a bare token). Returns 0, or -1 when out is full. */
int proto_append(char *out, size_t out_len, const char *key, const char *value);

/* Finds key=value in a reply data line and copies the value, unquoted, to
 * out. Returns 0, or -1 when absent. */
int proto_kv_get(const char *line, const char *key, char *out, size_t out_len);

/* Checks request a against the protocol's table of verbs: how many
 * positional arguments it takes, none of them empty, and every number in
 * it (num.h: whole token, finite, in the field's range). 0, or -1 with a
 * sentence in cause naming the field and its range. An unknown verb passes
 * (the daemon answers it). The daemon checks every request so; the CLI
 * checks its own before it sends them. */
int proto_check(const struct proto_args *a, char *cause, size_t cause_len);

/* The number of request a given as key=value (pos 0) or as positional pos
 * (key NULL), read as proto_check reads it. 0; 1 when absent; -1 with
 * cause when it is not a number for its field (or not in the table). */
int proto_number(const struct proto_args *a, const char *key, int pos, double *out,
                 char *cause, size_t cause_len);

#define PROTO_LOTS_MAX 16     /* most lots in one charge (start lots=) */
#define PROTO_LOT_ID_MAX 64   /* bytes of a lot id, with its NUL */

/* One lot of a multi-lot charge as start's lots= gives it. */
struct proto_lot {
	char lot_id[PROTO_LOT_ID_MAX];
	double mass_kg;            /* drawn from the lot, > 0 */
};

/* Reads lots= text "L1:200,L2:300" into out (at most max lots). A lot id
 * is letters, digits and - _ . / ; a mass is a number of kg > 0 (num.h).
 * Returns how many lots (>= 1), or -1 with a sentence in cause naming the
 * lot: an empty id or mass, a bad number, a lot named twice, too many. */
int proto_lots(const char *text, struct proto_lot *out, int max, char *cause,
               size_t cause_len);

/* 1 when line is a final reply line ("ok..." or "err..."), else 0. */
int proto_is_final(const char *line);

#define PROTO_UNRECORDED "unrecorded"  /* "ok unrecorded ...": done, not yet recorded */

/* The message of an ok reply (what follows "ok ") that says the command
 * was done but is not yet recorded: the rest of it after the marker; NULL
 * when msg is an ordinary "done and recorded" message. */
const char *proto_unrecorded(const char *msg);

#endif
