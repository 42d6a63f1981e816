/* con_net: the console's non-blocking daemon client. See con_net.h. */
#include "con_net.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "num.h"

/* ---- parsers ---------------------------------------------------------- */

enum con_fkind { CF_STR, CF_DBL, CF_INT, CF_LONG, CF_BOOL_OK, CF_BOOL_MANUAL };

/* One key=value field and where it goes in a struct. */
struct con_field_map {
	const char *key;
	enum con_fkind kind;
	size_t off;
	size_t size;                 /* CF_STR: buffer size */
};

#define F_STR(T, k, m) { k, CF_STR, offsetof(T, m), sizeof(((T *)0)->m) }
#define F_NUM(T, k, m, kind) { k, kind, offsetof(T, m), 0 }

static const struct con_field_map con_still_fields[] = {
	F_STR(struct con_still, "name", name),
	F_STR(struct con_still, "state", state),
	F_NUM(struct con_still, "batch_id", batch_id, CF_LONG),
	F_STR(struct con_still, "recipe", recipe),
	F_STR(struct con_still, "step", step),
	F_NUM(struct con_still, "step_index", step_index, CF_INT),
	F_NUM(struct con_still, "step_count", step_count, CF_INT),
	F_NUM(struct con_still, "step_progress_pct", step_progress_pct, CF_DBL),
	F_NUM(struct con_still, "pressure_kpa", pressure_kpa, CF_DBL),
	F_NUM(struct con_still, "still_temp_c", still_temp_c, CF_DBL),
	F_NUM(struct con_still, "vapour_temp_c", vapour_temp_c, CF_DBL),
	F_NUM(struct con_still, "distillate_temp_c", distillate_temp_c, CF_DBL),
	F_NUM(struct con_still, "cooling_flow_l_min", cooling_flow_l_min, CF_DBL),
	F_NUM(struct con_still, "steam_flow_kg_h", steam_flow_kg_h, CF_DBL),
	F_NUM(struct con_still, "steam_valve_pct", steam_valve_pct, CF_DBL),
	F_NUM(struct con_still, "cooling_valve_pct", cooling_valve_pct, CF_DBL),
	F_NUM(struct con_still, "oil_kg", oil_kg, CF_DBL),
	F_NUM(struct con_still, "yield_pct", yield_pct, CF_DBL),
	F_NUM(struct con_still, "time_left_min", time_left_min, CF_DBL),
	F_NUM(struct con_still, "steam_sp", steam_sp, CF_DBL),
	F_STR(struct con_still, "steam_loop", steam_loop),
	F_NUM(struct con_still, "cooling_sp_c", cooling_sp_c, CF_DBL),
	F_NUM(struct con_still, "alarms", alarms, CF_INT),
	F_NUM(struct con_still, "comm", comm_ok, CF_BOOL_OK),
	F_STR(struct con_still, "prompt", prompt),
	F_NUM(struct con_still, "mode_steam", manual_steam, CF_BOOL_MANUAL),
	F_NUM(struct con_still, "mode_cooling", manual_cooling, CF_BOOL_MANUAL),
	F_STR(struct con_still, "quality", quality),
	F_NUM(struct con_still, "fc_valid", fc_valid, CF_INT),
	F_STR(struct con_still, "fc_model", fc_model),
	F_NUM(struct con_still, "fc_final_kg", fc_final_kg, CF_DBL),
	F_NUM(struct con_still, "fc_final_lo_kg", fc_final_lo_kg, CF_DBL),
	F_NUM(struct con_still, "fc_final_hi_kg", fc_final_hi_kg, CF_DBL),
	F_NUM(struct con_still, "fc_t95_left_min", fc_t95_left_min, CF_DBL),
	F_NUM(struct con_still, "fc_rate_kg_h", fc_rate_kg_h, CF_DBL),
	F_NUM(struct con_still, "fc_next_hour_kg", fc_next_hour_kg, CF_DBL),
	F_NUM(struct con_still, "fc_next_hour_vnd", fc_next_hour_vnd, CF_DBL),
	F_NUM(struct con_still, "fc_hour_cost_vnd", fc_hour_cost_vnd, CF_DBL),
	F_NUM(struct con_still, "fc_yield_pct", fc_yield_pct, CF_DBL),
};

static const struct con_field_map con_alarm_fields[] = {
	F_STR(struct con_alarm, "still", still),
	F_STR(struct con_alarm, "id", id),
	F_NUM(struct con_alarm, "priority", priority, CF_INT),
	F_STR(struct con_alarm, "state", state),
	F_NUM(struct con_alarm, "active", active, CF_INT),
	F_NUM(struct con_alarm, "since_s", since_s, CF_DBL),
	F_STR(struct con_alarm, "message", message),
};

static const struct con_field_map con_recipe_fields[] = {
	F_STR(struct con_recipe, "name", name),
	F_NUM(struct con_recipe, "version", version, CF_INT),
	F_STR(struct con_recipe, "feedstock", feedstock),
	F_NUM(struct con_recipe, "valid", valid, CF_INT),
	F_NUM(struct con_recipe, "charge_min_kg", charge_min_kg, CF_DBL),
	F_NUM(struct con_recipe, "charge_max_kg", charge_max_kg, CF_DBL),
	F_NUM(struct con_recipe, "steps", steps, CF_INT),
	F_STR(struct con_recipe, "error", error),
};

static const struct con_field_map con_step_fields[] = {
	F_NUM(struct con_step, "index", index, CF_INT),
	F_STR(struct con_step, "name", name),
	F_STR(struct con_step, "kind", kind),
	F_NUM(struct con_step, "max_min", max_min, CF_DBL),
	F_STR(struct con_step, "end", end),
	F_STR(struct con_step, "prompt", prompt),
};

#define NFIELDS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* Stores value v (NULL = absent) of field f into the struct at base. */
static void con_field_set(void *base, const struct con_field_map *f,
                          const char *v)
{
	char *p = (char *)base + f->off;
	double d = num_or_nan(v);

	switch (f->kind) {
	case CF_STR:
		snprintf(p, f->size, "%s", v ? v : "");
		break;
	case CF_DBL:
		*(double *)p = d;
		break;
	case CF_INT:
		*(int *)p = isnan(d) ? 0 : (int)d;
		break;
	case CF_LONG:
		*(long *)p = isnan(d) ? 0 : (long)d;
		break;
	case CF_BOOL_OK:
		*(int *)p = v == NULL || strcmp(v, "ok") == 0;
		break;
	case CF_BOOL_MANUAL:
		*(int *)p = v != NULL && strcmp(v, "manual") == 0;
		break;
	}
}

/* Splits line, checks its first word is kind, fills the fields. */
static int con_parse(void *out, size_t out_size, const char *kind,
                     const struct con_field_map *fields, int n_fields,
                     const char *line)
{
	struct proto_args *a;
	char cause[96];
	int rc = -1;

	a = malloc(sizeof *a);
	if (a == NULL)
		return -1;
	if (proto_split(a, line, cause, sizeof cause) < 0 || a->argc < 1 ||
	    strcmp(a->argv[0], kind) != 0)
		goto out_free_args;
	memset(out, 0, out_size);
	for (int i = 0; i < n_fields; i++)
		con_field_set(out, &fields[i], proto_opt(a, fields[i].key));
	rc = 0;
out_free_args:
	free(a);
	return rc;
}

int con_still_parse(struct con_still *out, const char *line)
{
	return con_parse(out, sizeof *out, "still", con_still_fields,
	                 NFIELDS(con_still_fields), line);
}

int con_alarm_parse(struct con_alarm *out, const char *line)
{
	return con_parse(out, sizeof *out, "alarm", con_alarm_fields,
	                 NFIELDS(con_alarm_fields), line);
}

int con_recipe_parse(struct con_recipe *out, const char *line)
{
	return con_parse(out, sizeof *out, "recipe", con_recipe_fields,
	                 NFIELDS(con_recipe_fields), line);
}

int con_step_parse(struct con_step *out, const char *line)
{
	return con_parse(out, sizeof *out, "step", con_step_fields,
	                 NFIELDS(con_step_fields), line);
}

/* ---- the connection --------------------------------------------------- */

void con_net_init(struct con_net *n, const char *path)
{
	memset(n, 0, sizeof *n);
	snprintf(n->path, sizeof n->path, "%s", path);
	n->fd = -1;
	n->state = CON_NET_DOWN;
	n->backoff_s = CON_NET_BACKOFF_MIN_S;
	snprintf(n->cause, sizeof n->cause, "not connected yet");
}

void con_net_reply_free(struct con_net_reply *r)
{
	for (int i = 0; i < r->n_lines; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->n_lines = 0;
}

/* Appends a finished reply to the done queue (dropped if it is full). */
static void con_net_deliver(struct con_net *n, struct con_net_reply *r)
{
	if (n->done_len == CON_NET_QMAX) {
		con_net_reply_free(r);
		return;
	}
	n->done[(n->done_head + n->done_len++) % CON_NET_QMAX] = *r;
	memset(r, 0, sizeof *r);
}

/* Ends the oldest request in flight with final line text. */
static void con_net_finish(struct con_net *n, int ok, int lost, const char *text)
{
	struct con_net_pending *p = &n->q[n->q_head];

	n->cur.tag = p->tag;
	n->cur.cookie = p->cookie;
	n->cur.ok = ok;
	n->cur.lost = lost;
	snprintf(n->cur.final, sizeof n->cur.final, "%s", text);
	con_net_deliver(n, &n->cur);
	n->cur_cap = 0;
	n->q_head = (n->q_head + 1) % CON_NET_QMAX;
	n->q_len--;
}

/* Closes the connection: every request in flight fails with cause. */
static void con_net_drop(struct con_net *n, double now_s, const char *cause)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	if (n->state != CON_NET_DOWN)
		n->state_since_s = now_s;
	n->state = CON_NET_DOWN;
	snprintf(n->cause, sizeof n->cause, "%s", cause);
	con_net_reply_free(&n->cur);
	while (n->q_len > 0)
		con_net_finish(n, 0, 1, cause);
	n->rlen = 0;
	n->wlen = 0;
	n->retry_at_s = now_s + n->backoff_s;
	n->backoff_s *= 2;
	if (n->backoff_s > CON_NET_BACKOFF_MAX_S)
		n->backoff_s = CON_NET_BACKOFF_MAX_S;
}

void con_net_free(struct con_net *n)
{
	struct con_net_reply r;

	con_net_drop(n, 0, "closed");
	while (con_net_next(n, &r) == 0)
		con_net_reply_free(&r);
	free(n->wbuf);
	n->wbuf = NULL;
	n->wcap = 0;
}

/* Marks the connection up. */
static void con_net_up(struct con_net *n, double now_s)
{
	n->state = CON_NET_UP;
	n->state_since_s = now_s;
	n->backoff_s = CON_NET_BACKOFF_MIN_S;
	n->connects++;
	n->cause[0] = '\0';
}

/* Why a connect failed, for people. */
static const char *con_net_why(int err)
{
	if (err == ENOENT)
		return "stillroomd is not running (no socket)";
	if (err == ECONNREFUSED)
		return "stillroomd is not running (connection refused)";
	if (err == EACCES)
		return "permission denied (is this user in the socket's group?)";
	return strerror(err);
}

/* Starts a non-blocking connect to the socket. */
static void con_net_connect(struct con_net *n, double now_s)
{
	struct sockaddr_un sa;
	char cause[200];
	int fd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", n->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(cause, sizeof cause, "socket: %s", strerror(errno));
		con_net_drop(n, now_s, cause);
		return;
	}
	n->fd = fd;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		con_net_up(n, now_s);
		return;
	}
	if (errno == EINPROGRESS || errno == EAGAIN) {
		n->state = CON_NET_CONNECTING;
		n->state_since_s = now_s;
		return;
	}
	con_net_drop(n, now_s, con_net_why(errno));
}

/* Finishes a connect in progress once the socket is writable. */
static void con_net_connected(struct con_net *n, double now_s)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		con_net_up(n, now_s);
		return;
	}
	con_net_drop(n, now_s, con_net_why(err));
}

/* Takes one complete input line. */
static void con_net_line(struct con_net *n, const char *line, double now_s)
{
	char **lines;

	if (n->q_len == 0) {
		con_net_drop(n, now_s, "the daemon sent a reply nobody asked for");
		return;
	}
	if (proto_is_final(line)) {
		int ok = line[0] == 'o';
		const char *msg = line + (ok ? 2 : 3);

		con_net_finish(n, ok, 0, *msg == ' ' ? msg + 1 : msg);
		return;
	}
	if (n->cur.n_lines >= CON_NET_REPLY_LINES_MAX)
		return;
	if (n->cur.n_lines == n->cur_cap) {
		int cap = n->cur_cap ? n->cur_cap * 2 : 16;

		lines = realloc(n->cur.lines, (size_t)cap * sizeof *lines);
		if (lines == NULL)
			return;
		n->cur.lines = lines;
		n->cur_cap = cap;
	}
	n->cur.lines[n->cur.n_lines] = strdup(line);
	if (n->cur.lines[n->cur.n_lines] != NULL)
		n->cur.n_lines++;
}

/* Reads what is there and splits it into lines. */
static int con_net_read(struct con_net *n, double now_s)
{
	char buf[4096];
	ssize_t got;
	int changed = 0;

	for (;;) {
		got = read(n->fd, buf, sizeof buf);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return changed;
		if (got <= 0) {
			con_net_drop(n, now_s, got == 0 ? "the daemon closed the connection"
			                                 : strerror(errno));
			return 1;
		}
		for (ssize_t i = 0; i < got && n->fd >= 0; i++) {
			if (buf[i] != '\n') {
				if (n->rlen + 1 >= sizeof n->rbuf) {
					con_net_drop(n, now_s, "the daemon sent a line too long");
					return 1;
				}
				n->rbuf[n->rlen++] = buf[i];
				continue;
			}
			n->rbuf[n->rlen] = '\0';
			n->rlen = 0;
			con_net_line(n, n->rbuf, now_s);
			changed = 1;
		}
		if (n->fd < 0)
			return 1;
	}
}

/* Writes what is queued, as much as the socket takes. */
static void con_net_flush(struct con_net *n, double now_s)
{
	while (n->wlen > 0) {
		ssize_t put = send(n->fd, n->wbuf, n->wlen, MSG_NOSIGNAL);

		if (put < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (put < 0) {
			con_net_drop(n, now_s, strerror(errno));
			return;
		}
		memmove(n->wbuf, n->wbuf + put, n->wlen - (size_t)put);
		n->wlen -= (size_t)put;
	}
}

int con_net_fd(const struct con_net *n, short *events)
{
	*events = 0;
	if (n->fd < 0)
		return -1;
	if (n->state == CON_NET_CONNECTING)
		*events = POLLOUT;
	else
		*events = POLLIN | (n->wlen > 0 ? POLLOUT : 0);
	return n->fd;
}

int con_net_work(struct con_net *n, short revents, double now_s)
{
	enum con_net_state was = n->state;
	int done_before = n->done_len;
	int changed = 0;

	if (n->state == CON_NET_DOWN && now_s >= n->retry_at_s)
		con_net_connect(n, now_s);
	if (n->state == CON_NET_CONNECTING && (revents & (POLLOUT | POLLERR | POLLHUP)))
		con_net_connected(n, now_s);
	if (n->state == CON_NET_UP && (revents & (POLLIN | POLLHUP | POLLERR)))
		changed |= con_net_read(n, now_s);
	if (n->state == CON_NET_UP)
		con_net_flush(n, now_s);
	if (n->state == CON_NET_UP && n->q_len > 0 &&
	    now_s - n->q[n->q_head].sent_s > CON_NET_TIMEOUT_S)
		con_net_drop(n, now_s, "the daemon did not answer for 5 s");
	if (n->state == CON_NET_CONNECTING &&
	    now_s - n->state_since_s > CON_NET_TIMEOUT_S)
		con_net_drop(n, now_s, "connecting took more than 5 s");
	return changed || was != n->state || n->done_len != done_before;
}

int con_net_wait_ms(const struct con_net *n, double now_s)
{
	double due = -1;

	if (n->state == CON_NET_DOWN)
		due = n->retry_at_s;
	else if (n->state == CON_NET_CONNECTING)
		due = n->state_since_s + CON_NET_TIMEOUT_S;
	else if (n->q_len > 0)
		due = n->q[n->q_head].sent_s + CON_NET_TIMEOUT_S;
	if (due < 0)
		return -1;
	if (due <= now_s)
		return 0;
	return (int)((due - now_s) * 1000.0) + 1;
}

int con_net_send(struct con_net *n, int tag, long cookie, const char *line,
                 double now_s)
{
	size_t len = strlen(line);
	struct con_net_pending *p;

	if (n->state != CON_NET_UP || n->q_len == CON_NET_QMAX)
		return -1;
	if (n->wlen + len + 1 > n->wcap) {
		size_t cap = (n->wlen + len + 1) * 2;
		char *w = realloc(n->wbuf, cap);

		if (w == NULL)
			return -1;
		n->wbuf = w;
		n->wcap = cap;
	}
	memcpy(n->wbuf + n->wlen, line, len);
	n->wbuf[n->wlen + len] = '\n';
	n->wlen += len + 1;
	p = &n->q[(n->q_head + n->q_len++) % CON_NET_QMAX];
	p->tag = tag;
	p->cookie = cookie;
	p->sent_s = now_s;
	con_net_flush(n, now_s);
	return 0;
}

int con_net_pending_tag(const struct con_net *n, int tag)
{
	int count = 0;

	for (int i = 0; i < n->q_len; i++)
		count += n->q[(n->q_head + i) % CON_NET_QMAX].tag == tag;
	return count;
}

int con_net_next(struct con_net *n, struct con_net_reply *r)
{
	if (n->done_len == 0)
		return -1;
	*r = n->done[n->done_head];
	memset(&n->done[n->done_head], 0, sizeof *r);
	n->done_head = (n->done_head + 1) % CON_NET_QMAX;
	n->done_len--;
	return 0;
}
