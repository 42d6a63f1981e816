/* csock: the daemon's local command socket. See csock.h. */
#include "csock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/* Appends formatted text to r, growing it. */
static void csock_vappend(struct csock_reply *r, const char *prefix,
                          const char *fmt, va_list ap)
{
	va_list ap2;
	size_t start;
	int need;

	va_copy(ap2, ap);
	need = vsnprintf(NULL, 0, fmt, ap2) + (int)strlen(prefix) + 2;
	va_end(ap2);
	if (r->len + (size_t)need > r->cap) {
		size_t cap = (r->cap + (size_t)need) * 2;
		char *nb = realloc(r->buf, cap);

		if (nb == NULL)
			return;
		r->buf = nb;
		r->cap = cap;
	}
	r->len += (size_t)snprintf(r->buf + r->len, r->cap - r->len, "%s", prefix);
	start = r->len;
	r->len += (size_t)vsnprintf(r->buf + r->len, r->cap - r->len, fmt, ap);
	/* a reply line stays one line whatever text it quotes */
	for (size_t i = start; i < r->len; i++)
		if ((unsigned char)r->buf[i] < 0x20)
			r->buf[i] = '?';
	r->buf[r->len++] = '\n';
	r->buf[r->len] = '\0';
}

void csock_reply_line(struct csock_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	csock_vappend(r, "", fmt, ap);
	va_end(ap);
}

void csock_reply_ok(struct csock_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	csock_vappend(r, "ok ", fmt, ap);
	va_end(ap);
	r->final = 1;
}

uint64_t csock_reply_park(struct csock_reply *r)
{
	r->parked = 1;
	return r->client;
}

void csock_reply_err(struct csock_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	csock_vappend(r, "err ", fmt, ap);
	va_end(ap);
	r->final = 1;
}

/* Takes PATH.lock exclusively; -1 with cause when another process has it. */
static int csock_lock(struct csock_server *s, const char *path, char *cause,
                      size_t cause_len)
{
	char lock_path[300];

	snprintf(lock_path, sizeof lock_path, "%s.lock", path);
	s->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (s->lock_fd < 0) {
		snprintf(cause, cause_len, "%s: %s", lock_path, strerror(errno));
		return -1;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(cause, cause_len,
		         "%s: another stillroomd is serving this socket", path);
		close(s->lock_fd);
		s->lock_fd = -1;
		return -1;
	}
	return 0;
}

int csock_listen(struct csock_server *s, const char *path, char *cause,
                 size_t cause_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old_mask;

	memset(s->clients, 0, sizeof s->clients);
	for (int i = 0; i < CSOCK_CLIENTS_MAX; i++)
		s->clients[i].fd = -1;
	if (strlen(path) >= sizeof sa.sun_path || strlen(path) >= sizeof s->path) {
		snprintf(cause, cause_len, "%s: socket path too long", path);
		return -1;
	}
	snprintf(s->path, sizeof s->path, "%s", path);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (csock_lock(s, path, cause, cause_len) < 0)
		return -1;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto out_unlock;
	unlink(path);  /* stale from a crash: we hold the lock */
	old_mask = umask(0117);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		umask(old_mask);
		goto out_close_fd;
	}
	umask(old_mask);
	if (chmod(path, 0660) < 0 || listen(s->fd, 16) < 0)
		goto out_close_fd;
	return 0;

out_close_fd:
	close(s->fd);
out_unlock:
	snprintf(cause, cause_len, "%s: %s", path, strerror(errno));
	close(s->lock_fd);
	s->lock_fd = -1;
	return -1;
}

int csock_fill_pollfds(const struct csock_server *s, struct pollfd *fds, int max)
{
	int n = 0;

	if (max < 1)
		return 0;
	fds[n++] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	for (int i = 0; i < CSOCK_CLIENTS_MAX && n < max; i++) {
		const struct csock_client *c = &s->clients[i];

		if (c->fd < 0)
			continue;
		fds[n++] = (struct pollfd){
			.fd = c->fd,
			.events = (short)(POLLIN | (c->out_len > c->out_off ? POLLOUT : 0)),
		};
	}
	return n;
}

static void csock_drop(struct csock_client *c)
{
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

static void csock_accept(struct csock_server *s)
{
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < CSOCK_CLIENTS_MAX; i++) {
		if (s->clients[i].fd >= 0)
			continue;
		s->clients[i].fd = fd;
		s->clients[i].id = ++s->last_id;
		return;
	}
	log_warn("command socket: %d clients already; refusing one", CSOCK_CLIENTS_MAX);
	close(fd);
}

/* Queues reply bytes for c; drops a client that does not read. */
static void csock_queue(struct csock_client *c, const char *data, size_t len)
{
	size_t pending = c->out_len - c->out_off;
	char *nb;

	if (pending + len > CSOCK_OUT_MAX) {
		csock_drop(c);
		return;
	}
	nb = malloc(pending + len);
	if (nb == NULL)
		return;
	if (pending > 0)
		memcpy(nb, c->out + c->out_off, pending);
	memcpy(nb + pending, data, len);
	free(c->out);
	c->out = nb;
	c->out_len = pending + len;
	c->out_off = 0;
}

/* Writes what the socket takes now. */
static void csock_flush(struct csock_client *c)
{
	while (c->fd >= 0 && c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			csock_drop(c);
			return;
		}
		c->out_off += (size_t)n;
	}
}

/* Runs the handler on every complete line in c's input, up to a parked
 * one. */
static void csock_lines(struct csock_client *c, csock_handler handler, void *ctx)
{
	char *nl;

	while (c->fd >= 0 && !c->parked && (nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		struct csock_reply r = {.client = c->id};
		size_t line_len = (size_t)(nl - c->in);

		*nl = '\0';
		if (line_len > 0 && c->in[line_len - 1] == '\r')
			c->in[line_len - 1] = '\0';
		if (c->in_skip)
			csock_reply_err(&r, "request line too long (at most %zu bytes)",
			                sizeof c->in - 1);
		else if (memchr(c->in, '\0', line_len) != NULL)
			csock_reply_err(&r, "a request line must not contain a NUL byte");
		else
			handler(ctx, c->in, &r);
		c->in_skip = 0;
		if (r.parked)
			c->parked = 1;
		else if (!r.final)
			csock_reply_err(&r, "internal: no reply");
		if (!r.parked)
			csock_queue(c, r.buf, r.len);
		free(r.buf);
		if (c->fd < 0)
			return;
		memmove(c->in, nl + 1, c->in_len - line_len - 1);
		c->in_len -= line_len + 1;
	}
}

static void csock_read(struct csock_client *c, csock_handler handler, void *ctx)
{
	ssize_t n;

	if (c->parked && c->in_len == sizeof c->in)
		return;  /* a full buffer waits for the parked answer */
	n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		csock_drop(c);
		return;
	}
	c->in_len += (size_t)n;
	csock_lines(c, handler, ctx);
	if (c->fd >= 0 && !c->parked && c->in_len == sizeof c->in) {
		/* refused when its newline comes, as one reply */
		c->in_skip = 1;
		c->in_len = 0;
	}
}

void csock_answer(struct csock_server *s, uint64_t id, const struct csock_reply *r)
{
	for (int i = 0; i < CSOCK_CLIENTS_MAX; i++) {
		struct csock_client *c = &s->clients[i];

		if (c->fd < 0 || c->id != id || !c->parked)
			continue;
		c->parked = 0;
		csock_queue(c, r->buf, r->len);
		if (c->fd >= 0 && s->handler != NULL)
			csock_lines(c, s->handler, s->ctx);
		csock_flush(c);
		return;
	}
}

void csock_service(struct csock_server *s, const struct pollfd *fds, int n,
                   csock_handler handler, void *ctx)
{
	s->handler = handler;
	s->ctx = ctx;
	for (int k = 0; k < n; k++) {
		if (fds[k].revents == 0)
			continue;
		if (fds[k].fd == s->fd) {
			csock_accept(s);
			continue;
		}
		for (int i = 0; i < CSOCK_CLIENTS_MAX; i++) {
			struct csock_client *c = &s->clients[i];

			if (c->fd != fds[k].fd)
				continue;
			if (fds[k].revents & (POLLIN | POLLHUP | POLLERR))
				csock_read(c, handler, ctx);
			csock_flush(c);
		}
	}
}

void csock_close(struct csock_server *s)
{
	for (int i = 0; i < CSOCK_CLIENTS_MAX; i++)
		if (s->clients[i].fd >= 0)
			csock_drop(&s->clients[i]);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	if (s->lock_fd >= 0)
		close(s->lock_fd);
}
