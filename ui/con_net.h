/*
 * con_net: the console's non-blocking client of the daemon's socket
 * (docs/PROTOCOL.md), and the parsers that turn reply lines into the
 * console's data. Nothing here ever waits: the caller polls con_net_fd(),
 * then calls con_net_work() with what poll said and the time.
 * Table of contents:
 *   what the daemon tells us        struct con_still, con_alarm,
 *                                   con_recipe, con_step
 *   parsers (pure)                  con_still_parse, con_alarm_parse,
 *                                   con_recipe_parse, con_step_parse
 *   the connection                  con_net_init, con_net_free,
 *                                   con_net_fd, con_net_work,
 *                                   con_net_wait_ms, con_net_send,
 *                                   con_net_next, con_net_reply_free
 * Requests are pipelined; replies come back in order, each one handed out
 * whole (data lines + final line) with the tag the caller gave it. When the
 * connection drops, every request in flight gets a failed reply and the
 * client reconnects by itself with backoff.
 */
#ifndef CON_NET_H
#define CON_NET_H

#include <stddef.h>

#include "cfg.h"
#include "proto.h"

/* One still as the daemon's "status" reply describes it. */
struct con_still {
	char name[CFG_NAME_MAX];
	char state[16];              /* ISA-88 state word, or "lost" */
	long batch_id;               /* 0 when none */
	char recipe[48];
	char step[48];               /* current step name */
	int step_index;              /* 1-based as the daemon sends it; 0 none */
	int step_count;
	double step_progress_pct;    /* %, NaN when unknown */
	double pressure_kpa;         /* still pressure, kPa gauge */
	double still_temp_c;         /* charge temperature, C */
	double vapour_temp_c;        /* C */
	double distillate_temp_c;    /* C */
	double cooling_flow_l_min;   /* L/min */
	double steam_flow_kg_h;      /* kg/h */
	double steam_valve_pct;      /* % open */
	double cooling_valve_pct;    /* % open */
	double oil_kg;               /* oil collected this batch, kg */
	double yield_pct;            /* oil / charge, % */
	double time_left_min;        /* estimate, min; < 0 unknown */
	double steam_sp;             /* steam loop setpoint (kPa or C), NaN = none */
	char steam_loop[16];         /* what steam controls: pressure, vapour_temp, open */
	double cooling_sp_c;         /* distillate setpoint, C; NaN = none */
	int alarms;                  /* active or unacknowledged alarms */
	int comm_ok;                 /* 1 when the field I/O answers */
	char prompt[200];            /* pending question, "" when none */
	int manual_steam;            /* 1 when the steam valve is in manual */
	int manual_cooling;          /* 1 when the cooling valve is in manual */
	char quality[96];            /* comma list of bad tags, "" all good */
	/* the end-point forecast of the distil step (docs/CONTROL.md,
	 * "End-point estimator"); fc_valid 0 and NaN without one */
	int fc_valid;                /* 1 when the estimator has a forecast */
	char fc_model[16];           /* "first-order", "two-stage", "none" */
	double fc_final_kg;          /* oil expected at the end, kg */
	double fc_final_lo_kg;       /* its band, kg */
	double fc_final_hi_kg;
	double fc_t95_left_min;      /* distilling until 95 % is in, min; 0 past */
	double fc_rate_kg_h;         /* the fit's oil rate now, kg/h */
	double fc_next_hour_kg;      /* oil of the next hour, kg */
	double fc_next_hour_vnd;     /* its value, VND; NaN without prices */
	double fc_hour_cost_vnd;     /* the cost of that hour, VND; NaN without */
	double fc_yield_pct;         /* fc_final_kg over the charge, % */
};

/* One alarm line of the "alarms" reply. */
struct con_alarm {
	char still[CFG_NAME_MAX];
	char id[32];                 /* "pressure_hh", "comm_loss" ... */
	int priority;                /* 1 high, 2 medium, 3 low */
	char state[12];              /* unack acked rtn_unack shelved */
	int active;                  /* 1 while the condition is present */
	double since_s;              /* as the daemon gives it, s */
	char message[120];
	double seen_wall_s;          /* console: when first seen (unix s) */
	double gone_wall_s;          /* console: when it left the list, 0 */
};

/* One recipe of the "recipes" reply. */
struct con_recipe {
	char name[48];
	int version;
	char feedstock[32];
	int valid;                   /* 1 when it passed its checks */
	double charge_min_kg;
	double charge_max_kg;
	int steps;
	char error[160];             /* why it is invalid */
};

/* One step of the "steps RECIPE" reply. */
struct con_step {
	int index;
	char name[48];
	char kind[16];               /* purge heat-up distil cool-down prompt */
	double max_min;              /* longest allowed, min */
	char end[96];                /* the end condition in words */
	char prompt[200];            /* the question of a prompt step */
};

/* Parsers: fill *out from one reply data line. Missing numbers become NaN
 * (or 0 for counts), missing words "". Return 0, or -1 when the line is not
 * of that kind or does not split. */
int con_still_parse(struct con_still *out, const char *line);
int con_alarm_parse(struct con_alarm *out, const char *line);
int con_recipe_parse(struct con_recipe *out, const char *line);
int con_step_parse(struct con_step *out, const char *line);

#define CON_NET_QMAX 64              /* requests in flight */
#define CON_NET_REPLY_LINES_MAX 1024 /* data lines kept per reply */
#define CON_NET_BACKOFF_MIN_S 0.25
#define CON_NET_BACKOFF_MAX_S 4.0
#define CON_NET_TIMEOUT_S 5.0        /* a request unanswered this long: drop */

enum con_net_state { CON_NET_DOWN, CON_NET_CONNECTING, CON_NET_UP };

/* A whole reply, handed out by con_net_next(). */
struct con_net_reply {
	int tag;                     /* the caller's, from con_net_send */
	long cookie;                 /* the caller's */
	int ok;                      /* 1: "ok", 0: "err" or connection lost */
	int lost;                    /* 1 when the connection dropped first */
	char final[512];             /* the final line after "ok "/"err " */
	char **lines;                /* data lines, malloc'd */
	int n_lines;
};

struct con_net_pending {
	int tag;
	long cookie;
	double sent_s;               /* when it was queued, caller's clock */
};

struct con_net {
	char path[108];              /* the daemon's socket */
	int fd;                      /* -1 when down */
	enum con_net_state state;
	double state_since_s;        /* when state last changed */
	double retry_at_s;           /* next connect attempt when down */
	double backoff_s;            /* current retry interval */
	char cause[200];             /* why we are down, for people */
	int connects;                /* successful connections so far */
	char rbuf[PROTO_LINE_MAX];   /* partial input line */
	size_t rlen;
	char *wbuf;                  /* unsent output */
	size_t wlen, wcap;
	struct con_net_pending q[CON_NET_QMAX]; /* in flight, oldest first */
	int q_head, q_len;
	struct con_net_reply cur;    /* reply being read for q[q_head] */
	int cur_cap;
	struct con_net_reply done[CON_NET_QMAX]; /* complete, oldest first */
	int done_head, done_len;
};

/* Sets n up, down, with its first connect attempt due at once. */
void con_net_init(struct con_net *n, const char *path);

/* Closes the socket and frees everything queued. */
void con_net_free(struct con_net *n);

/* The fd to poll and the events wanted in *events, or -1 when down. */
int con_net_fd(const struct con_net *n, short *events);

/*
 * Does whatever is due at now_s without blocking: a connect attempt,
 * reading (revents from poll, 0 if not polled), writing, timeouts.
 * Returns 1 when something the caller may show changed (state or a new
 * reply), else 0.
 */
int con_net_work(struct con_net *n, short revents, double now_s);

/* Milliseconds until con_net_work has something timed to do, >= 0; -1 none. */
int con_net_wait_ms(const struct con_net *n, double now_s);

/* Queues one request line (no newline). Returns 0, or -1 when not connected
 * or too many requests are in flight (the caller shows n->cause). */
int con_net_send(struct con_net *n, int tag, long cookie, const char *line,
                 double now_s);

/* Requests in flight with this tag. */
int con_net_pending_tag(const struct con_net *n, int tag);

/* Moves the oldest complete reply into *r (caller frees it with
 * con_net_reply_free). Returns 0, or -1 when none is ready. */
int con_net_next(struct con_net *n, struct con_net_reply *r);

/* Frees the lines of r. */
void con_net_reply_free(struct con_net_reply *r);

#endif
