/* simsrv: the simulator's Modbus TCP and RTU servers. See simsrv.h. */
#include "simsrv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <modbus.h>

#include "log.h"
#include "thr.h"

#define SIMSRV_POLL_MS 250     /* how often idle threads look at stop */
#define SIMSRV_RTU_GAP_MS 100  /* silence inside an RTU frame that drops it */
#define SIMSRV_FRAME_MAX 512   /* bytes; an RTU frame is at most 256 */

/* Per-thread copies of one unit's images, sized for the largest unit. */
struct simsrv_scratch {
	uint16_t *input;
	uint16_t *holding;
	uint16_t *before;       /* holding as it was before a write */
};

struct simsrv_client {
	struct simsrv *srv;
	pthread_t thread;
	int fd;                 /* closed by the reaper after the join */
	int used;               /* slot holds a thread not yet joined */
	atomic_int done;        /* the thread has returned */
	char peer[64];          /* "127.0.0.1:40312" */
};

struct simsrv {
	struct plant *pl;
	int listen_fd;          /* -1 when not listening */
	int port;
	char host[64];
	modbus_t *rtu;          /* NULL when no RTU device */
	char rtu_device[256];
	pthread_t accept_thread;
	pthread_t rtu_thread;
	int accept_running;
	int rtu_running;
	atomic_int stop;
	struct simsrv_client client[SIMSRV_CLIENTS_MAX]; /* the accept thread's */
	int n_input;            /* scratch sizes */
	int n_holding;
};

struct simsrv *simsrv_new(struct plant *pl)
{
	struct simsrv *s = calloc(1, sizeof *s);
	int n_in, n_hold;

	if (s == NULL)
		return NULL;
	s->pl = pl;
	s->listen_fd = -1;
	plant_regs_size(pl, 0, &s->n_input, &s->n_holding);
	plant_regs_size(pl, PLANT_UNIT_CONTROL, &n_in, &n_hold);
	if (n_hold > s->n_holding)
		s->n_holding = n_hold;
	return s;
}

static int simsrv_scratch_init(const struct simsrv *s, struct simsrv_scratch *sc)
{
	sc->input = calloc((size_t)s->n_input + 1, sizeof *sc->input);
	sc->holding = calloc((size_t)s->n_holding + 1, sizeof *sc->holding);
	sc->before = calloc((size_t)s->n_holding + 1, sizeof *sc->before);
	return sc->input && sc->holding && sc->before ? 0 : -1;
}

static void simsrv_scratch_free(struct simsrv_scratch *sc)
{
	free(sc->input);
	free(sc->holding);
	free(sc->before);
}

/* Sleeps ms of wall time in short naps, returning early on stop. */
static void simsrv_nap_ms(struct simsrv *s, int ms)
{
	while (ms > 0 && !atomic_load(&s->stop)) {
		int nap = ms < SIMSRV_POLL_MS ? ms : SIMSRV_POLL_MS;
		struct timespec ts = {nap / 1000, (long)(nap % 1000) * 1000000};

		nanosleep(&ts, NULL);
		ms -= nap;
	}
}

static int simsrv_be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static int simsrv_is_write(int function)
{
	return function == MODBUS_FC_WRITE_SINGLE_REGISTER ||
	       function == MODBUS_FC_WRITE_MULTIPLE_REGISTERS ||
	       function == MODBUS_FC_MASK_WRITE_REGISTER ||
	       function == MODBUS_FC_WRITE_AND_READ_REGISTERS;
}

/*
 * Carries out the register writes of the request pdu[0..len) (function code
 * first) on holding[0..n): write single, write multiple, mask write and the
 * write half of write-and-read. Requests libmodbus will refuse (addresses
 * outside the image, bad counts) change nothing.
 */
static void simsrv_apply_write(const uint8_t *pdu, int len, uint16_t *holding, int n)
{
	int addr, count, bytes, max;
	const uint8_t *val;

	switch (pdu[0]) {
	case MODBUS_FC_WRITE_SINGLE_REGISTER:
		if (len >= 5 && simsrv_be16(pdu + 1) < n)
			holding[simsrv_be16(pdu + 1)] = (uint16_t)simsrv_be16(pdu + 3);
		return;
	case MODBUS_FC_MASK_WRITE_REGISTER:
		addr = len >= 7 ? simsrv_be16(pdu + 1) : n;
		if (addr < n) {
			int and_mask = simsrv_be16(pdu + 3), or_mask = simsrv_be16(pdu + 5);

			holding[addr] = (uint16_t)((holding[addr] & and_mask) | (or_mask & ~and_mask));
		}
		return;
	case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
		if (len < 6)
			return;
		addr = simsrv_be16(pdu + 1);
		count = simsrv_be16(pdu + 3);
		bytes = pdu[5];
		val = pdu + 6;
		max = MODBUS_MAX_WRITE_REGISTERS;
		break;
	case MODBUS_FC_WRITE_AND_READ_REGISTERS:
		if (len < 10)
			return;
		addr = simsrv_be16(pdu + 5);
		count = simsrv_be16(pdu + 7);
		bytes = pdu[9];
		val = pdu + 10;
		max = MODBUS_MAX_WR_WRITE_REGISTERS;
		break;
	default:
		return;
	}
	if (count < 1 || count > max || bytes != 2 * count ||
	    addr + count > n || (int)(val - pdu) + bytes > len)
		return;
	for (int k = 0; k < count; k++)
		holding[addr + k] = (uint16_t)simsrv_be16(val + 2 * k);
}

/* Replies to req for unit from a private copy of its images. A write is
 * stored in the plant before the reply goes, so that a client that has its
 * answer finds the write in force on every connection. */
static int simsrv_reply(struct simsrv *s, modbus_t *ctx, struct simsrv_scratch *sc,
                        const uint8_t *req, int len, int unit)
{
	int hl = modbus_get_header_length(ctx);
	modbus_mapping_t map;

	memset(&map, 0, sizeof map);
	plant_regs_size(s->pl, unit, &map.nb_input_registers, &map.nb_registers);
	map.tab_input_registers = sc->input;
	map.tab_registers = sc->holding;
	plant_regs_get(s->pl, unit, sc->input, sc->holding);
	if (len > hl && simsrv_is_write(req[hl])) {
		memcpy(sc->before, sc->holding, sizeof *sc->before * (size_t)map.nb_registers);
		simsrv_apply_write(req + hl, len - hl, sc->holding, map.nb_registers);
		plant_regs_put(s->pl, unit, sc->before, sc->holding);
	}
	return modbus_reply(ctx, req, len, &map);
}

/*
 * Answers one request req[0..len) as the unit it names would, wire faults
 * included. Returns 0, or -1 when the connection is to be closed.
 */
static int simsrv_answer(struct simsrv *s, modbus_t *ctx, struct simsrv_scratch *sc,
                         const uint8_t *req, int len, int is_tcp)
{
	int unit_id = req[modbus_get_header_length(ctx) - 1];
	int unit = plant_unit(s->pl, unit_id);
	struct plant_comm comm;
	int rc;

	if (unit == -1) {
		if (!is_tcp)
			return 0; /* another device's request on a shared bus */
		rc = modbus_reply_exception(ctx, req, MODBUS_EXCEPTION_GATEWAY_TARGET);
		return rc < 0 ? -1 : 0;
	}
	if (unit >= 0) {
		plant_comm(s->pl, unit, &comm);
		if (comm.silent)
			return 0;
		if (comm.drop)
			return is_tcp ? -1 : 0;
		simsrv_nap_ms(s, comm.delay_ms);
		if (comm.exception != 0) {
			int code = comm.exception < MODBUS_EXCEPTION_MAX
			                   ? comm.exception
			                   : MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE;

			rc = modbus_reply_exception(ctx, req, (unsigned)code);
			return rc < 0 && is_tcp ? -1 : 0;
		}
	}
	rc = simsrv_reply(s, ctx, sc, req, len, unit);
	return rc < 0 && is_tcp ? -1 : 0;
}

/* Waits up to ms for fd to be readable: 1 yes, 0 not yet,
 * -1 hung up or failed. */
static int simsrv_wait_readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int rc = poll(&p, 1, ms);

	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	if (rc == 0)
		return 0;
	if (p.revents & POLLIN)
		return 1;
	return -1;
}

/* One TCP connection: requests in, answers out, until it goes or stop. */
static void *simsrv_client_main(void *arg)
{
	struct simsrv_client *cl = arg;
	struct simsrv *s = cl->srv;
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	struct simsrv_scratch sc = {NULL, NULL, NULL};
	modbus_t *ctx = modbus_new_tcp("127.0.0.1", s->port);

	if (ctx == NULL || simsrv_scratch_init(s, &sc) < 0) {
		log_error("client %s: out of memory", cl->peer);
		goto out_free;
	}
	modbus_set_socket(ctx, cl->fd);
	while (!atomic_load(&s->stop)) {
		int rc = simsrv_wait_readable(cl->fd, SIMSRV_POLL_MS);

		if (rc == 0)
			continue;
		if (rc < 0)
			break;
		rc = modbus_receive(ctx, req);
		if (rc < 0)
			break;
		if (rc > 0 && simsrv_answer(s, ctx, &sc, req, rc, 1) < 0)
			break;
	}
	shutdown(cl->fd, SHUT_RDWR); /* the peer sees the close now */
	log_info("client %s gone", cl->peer);
out_free:
	simsrv_scratch_free(&sc);
	if (ctx != NULL)
		modbus_free(ctx); /* the socket stays open for the reaper */
	atomic_store(&cl->done, 1);
	return NULL;
}

/* Joins finished client threads (all of them when wait) and frees slots. */
static void simsrv_reap(struct simsrv *s, int wait)
{
	for (int i = 0; i < SIMSRV_CLIENTS_MAX; i++) {
		struct simsrv_client *cl = &s->client[i];

		if (!cl->used || (!wait && !atomic_load(&cl->done)))
			continue;
		if (wait)
			shutdown(cl->fd, SHUT_RDWR); /* wakes a thread in recv */
		pthread_join(cl->thread, NULL);
		close(cl->fd);
		cl->used = 0;
	}
}

static int simsrv_clients_active(const struct simsrv *s)
{
	int n = 0;

	for (int i = 0; i < SIMSRV_CLIENTS_MAX; i++)
		n += s->client[i].used;
	return n;
}

/* "host:port" of a socket address. */
static void simsrv_addr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, size, "?");
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", host, serv);
	else
		snprintf(buf, size, "%s:%s", host, serv);
}

/* Takes one waiting connection and gives it a thread, or refuses it.
 * Returns 0, or -1 when none was waiting. */
static int simsrv_accept_one(struct simsrv *s)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof addr;
	struct simsrv_client *cl = NULL;
	char peer[64];
	int one = 1;
	int fd = accept4(s->listen_fd, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC);

	if (fd < 0)
		return -1;
	simsrv_addr_text((struct sockaddr *)&addr, len, peer, sizeof peer);
	for (int i = 0; i < SIMSRV_CLIENTS_MAX && cl == NULL; i++)
		if (!s->client[i].used)
			cl = &s->client[i];
	if (cl == NULL) {
		log_warn("client %s refused: %d connections already", peer, SIMSRV_CLIENTS_MAX);
		close(fd);
		return 0;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	cl->srv = s;
	cl->fd = fd;
	atomic_store(&cl->done, 0);
	snprintf(cl->peer, sizeof cl->peer, "%s", peer);
	if (thr_start(&cl->thread, simsrv_client_main, cl, 0) != 0) {
		log_warn("client %s refused: no thread", peer);
		close(fd);
		return 0;
	}
	cl->used = 1;
	log_info("client %s connected (%d of %d)", peer, simsrv_clients_active(s),
	         SIMSRV_CLIENTS_MAX);
	return 0;
}

static void *simsrv_accept_main(void *arg)
{
	struct simsrv *s = arg;

	while (!atomic_load(&s->stop)) {
		int rc = simsrv_wait_readable(s->listen_fd, SIMSRV_POLL_MS);

		simsrv_reap(s, 0);
		/* every waiting connection at once: a burst (clients reconnecting
		 * after a blip) must not wait a poll round each */
		while (rc > 0 && simsrv_accept_one(s) == 0)
			;
	}
	simsrv_reap(s, 1);
	return NULL;
}

int simsrv_listen(struct simsrv *s, const char *host, int port, char *cause, size_t len)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage bound;
	socklen_t blen = sizeof bound;
	char serv[16];
	int rc, fd = -1, one = 1, err = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%d", port);
	rc = getaddrinfo(host, serv, &hints, &res);
	if (rc != 0) {
		snprintf(cause, len, "cannot listen on %s:%d: %s", host, port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		/* non-blocking: a connection reset between poll and accept must not
		 * hang the accept thread */
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		            ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		/* the kernel queues a burst while the accept thread is busy: a
		 * backlog of 16 dropped the 18th connection's SYN (a 1 s retry) */
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(cause, len, "cannot listen on %s:%d: %s", host, port, strerror(err));
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&bound, &blen);
	s->port = ntohs(bound.ss_family == AF_INET6
	                        ? ((struct sockaddr_in6 *)&bound)->sin6_port
	                        : ((struct sockaddr_in *)&bound)->sin_port);
	snprintf(s->host, sizeof s->host, "%s", host);
	s->listen_fd = fd;
	return 0;
}

int simsrv_port(const struct simsrv *s)
{
	return s->port;
}

/* Modbus CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF). */
static uint16_t simsrv_crc16(const uint8_t *p, int n)
{
	uint16_t crc = 0xffff;

	for (int i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = crc & 1 ? (uint16_t)(crc >> 1 ^ 0xa001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

/* The whole length of the RTU request that starts with buf[0..have)
 * (have >= 2), possibly only a lower bound while have is short; -1 for a
 * function code we cannot frame. */
static int simsrv_rtu_length(const uint8_t *buf, int have)
{
	switch (buf[1]) {
	case 1: case 2: case 3: case 4: case 5: case 6: case 8:
		return 8;
	case 7: case 11: case 12: case 17:
		return 4;
	case 15: case 16:
		return have < 7 ? 7 : 9 + buf[6];
	case 22:
		return 10;
	case 23:
		return have < 11 ? 11 : 13 + buf[10];
	default:
		return -1;
	}
}

/* Drops whatever is left of a bad frame once the line has gone quiet. */
static void simsrv_rtu_resync(int fd)
{
	uint8_t junk[64];

	while (simsrv_wait_readable(fd, SIMSRV_RTU_GAP_MS) > 0)
		if (read(fd, junk, sizeof junk) <= 0)
			break;
	tcflush(fd, TCIFLUSH);
}

/* Reads one RTU request with a good CRC into buf; returns its length, or 0
 * when none came (timeout, noise, an unframeable function). */
static int simsrv_rtu_frame(int fd, uint8_t *buf)
{
	int have = 0, need = 2;

	while (have < need) {
		int rc = simsrv_wait_readable(fd, have == 0 ? SIMSRV_POLL_MS : SIMSRV_RTU_GAP_MS);
		ssize_t r;

		if (rc <= 0) {
			if (rc < 0) /* hung up (the far end of a pty closed): do not spin */
				poll(NULL, 0, SIMSRV_RTU_GAP_MS);
			return 0;
		}
		r = read(fd, buf + have, (size_t)(need - have));
		if (r <= 0) {
			poll(NULL, 0, SIMSRV_RTU_GAP_MS); /* EIO from a closed pty */
			return 0;
		}
		have += (int)r;
		if (have >= 2)
			need = simsrv_rtu_length(buf, have);
		if (need < 0 || need > SIMSRV_FRAME_MAX) {
			simsrv_rtu_resync(fd);
			return 0;
		}
	}
	if (simsrv_crc16(buf, have - 2) != (buf[have - 2] | buf[have - 1] << 8)) {
		simsrv_rtu_resync(fd);
		return 0;
	}
	return have;
}

/* The RTU server: frames by length and CRC here, because libmodbus's own
 * receive serves one unit id per context and a bus carries several. */
static void *simsrv_rtu_main(void *arg)
{
	struct simsrv *s = arg;
	uint8_t req[SIMSRV_FRAME_MAX];
	struct simsrv_scratch sc = {NULL, NULL, NULL};
	int fd = modbus_get_socket(s->rtu);

	if (simsrv_scratch_init(s, &sc) < 0) {
		log_error("rtu: out of memory");
		goto out_free;
	}
	while (!atomic_load(&s->stop)) {
		int n = simsrv_rtu_frame(fd, req);

		if (n > 0)
			simsrv_answer(s, s->rtu, &sc, req, n, 0);
	}
out_free:
	simsrv_scratch_free(&sc);
	return NULL;
}

int simsrv_rtu(struct simsrv *s, const char *device, int baud, char parity, int data_bits,
               int stop_bits, char *cause, size_t len)
{
	modbus_t *ctx = modbus_new_rtu(device, baud, parity, data_bits, stop_bits);

	if (ctx == NULL) {
		snprintf(cause, len, "cannot use %s for RTU (baud %d, parity %c, %d data bits, "
		         "%d stop bits): %s", device, baud, parity, data_bits, stop_bits,
		         modbus_strerror(errno));
		return -1;
	}
	if (modbus_connect(ctx) < 0) {
		snprintf(cause, len, "cannot open %s for RTU: %s", device, modbus_strerror(errno));
		modbus_free(ctx);
		return -1;
	}
	s->rtu = ctx;
	snprintf(s->rtu_device, sizeof s->rtu_device, "%s", device);
	return 0;
}

int simsrv_start(struct simsrv *s, char *cause, size_t len)
{
	int rc;

	atomic_store(&s->stop, 0);
	if (s->listen_fd >= 0) {
		rc = pthread_create(&s->accept_thread, NULL, simsrv_accept_main, s);
		if (rc != 0)
			goto out_fail;
		s->accept_running = 1;
	}
	if (s->rtu != NULL) {
		rc = pthread_create(&s->rtu_thread, NULL, simsrv_rtu_main, s);
		if (rc != 0)
			goto out_stop;
		s->rtu_running = 1;
	}
	return 0;

out_stop:
	simsrv_stop(s);
out_fail:
	snprintf(cause, len, "cannot start a server thread: %s", strerror(rc));
	return -1;
}

void simsrv_stop(struct simsrv *s)
{
	atomic_store(&s->stop, 1);
	if (s->accept_running)
		pthread_join(s->accept_thread, NULL);
	if (s->rtu_running)
		pthread_join(s->rtu_thread, NULL);
	s->accept_running = 0;
	s->rtu_running = 0;
}

void simsrv_free(struct simsrv *s)
{
	if (s == NULL)
		return;
	simsrv_stop(s);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->rtu != NULL) {
		modbus_close(s->rtu);
		modbus_free(s->rtu);
	}
	free(s);
}
