/* fio: one still's field I/O over Modbus. See fio.h. */
#include "fio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <modbus.h>

#include "log.h"
#include "regmap.h"

#define FIO_READ_MAX 125     /* registers per read request (Modbus) */
#define FIO_WRITE_MAX 123    /* registers per write-multiple request */
#define FIO_GAP_MAX 16       /* unused registers a read block may span */
#define FIO_BACKOFF_MAX_MS 5000

/* Adds tag t's registers to the blocks of its type, extending the last
 * block when the span allows (tags are visited in address order). */
static int fio_plan_add(struct fio_block *b, int *n, const struct cfg_reg *r,
                        int max_regs, int gap_max)
{
	int end = r->address + r->words;

	for (int i = 0; i < *n; i++) {
		int new_start = r->address < b[i].start ? r->address : b[i].start;
		int old_end = b[i].start + b[i].count;
		int new_end = end > old_end ? end : old_end;

		if (b[i].type != r->type)
			continue;
		if (r->address > old_end + gap_max || end < b[i].start - gap_max)
			continue;
		if (new_end - new_start > max_regs)
			continue;
		b[i].start = new_start;
		b[i].count = new_end - new_start;
		return 0;
	}
	if (*n >= FIO_BLOCKS_MAX)
		return -1;
	b[*n].type = r->type;
	b[*n].start = r->address;
	b[*n].count = r->words;
	(*n)++;
	return 0;
}

/* Plans the tags [from, to) into blocks; -1 when the map does not fit. */
static int fio_plan(const struct cfg_plant *p, int from, int to,
                    struct fio_block *b, int *n, int max_regs, int gap_max)
{
	*n = 0;
	for (int t = from; t < to; t++) {
		const struct cfg_reg *r = &p->map[t];

		if (r->address < 0 || r->address + r->words > FIO_REGS_MAX)
			return -1;
		if (fio_plan_add(b, n, r, max_regs, gap_max) < 0)
			return -1;
	}
	return 0;
}

int fio_init(struct fio *f, const struct cfg_plant *plant, int still,
             int timeout_ms, char *cause, size_t cause_len)
{
	memset(f, 0, sizeof *f);
	f->plant = plant;
	f->still = &plant->stills[still];
	f->timeout_ms = timeout_ms;
	if (fio_plan(plant, 0, CFG_TAG_FIRST_OUTPUT, f->reads, &f->n_reads,
	             FIO_READ_MAX, FIO_GAP_MAX) < 0 ||
	    fio_plan(plant, CFG_TAG_FIRST_OUTPUT, CFG_TAG_COUNT, f->writes,
	             &f->n_writes, FIO_WRITE_MAX, 0) < 0) {
		snprintf(cause, cause_len,
		         "%s: register map does not fit in %d blocks below address %d",
		         f->still->name, FIO_BLOCKS_MAX, FIO_REGS_MAX);
		return -1;
	}
	return 0;
}

/* Creates the libmodbus context for the still's transport. */
static modbus_t *fio_new_ctx(const struct cfg_still *s)
{
	if (s->transport == CFG_RTU)
		return modbus_new_rtu(s->device, s->baud, s->parity, s->data_bits,
		                      s->stop_bits);
	return modbus_new_tcp(s->host, s->port);
}

/*
 * Schedules the next connect after a link failure. Until as many attempts
 * as comm_loss_ticks have failed, the next tick tries again, so the link is
 * not judged lost any sooner than the plant's configuration says; after
 * that the retries back off from twice the response timeout, doubling up to
 * FIO_BACKOFF_MAX_MS, until a read succeeds. A device that accepts
 * connections but does not answer (or drops them) is then not reconnected
 * every tick, which at a short period used up its connection slots for
 * every other client. At a speed-up (grace_ms, the comm-loss window in
 * wall time) a try may take a whole response timeout, longer than many
 * periods: the tries at once end when the window does too, and within the
 * window later tries are at most a quarter of it apart, so a link back
 * before it ends is found before the core would judge it lost.
 */
static void fio_backoff(struct fio *f, int64_t now_ns)
{
	int64_t grace_ns = (int64_t)f->grace_ms * 1000000;
	int delay_ms;

	if (f->fails == 0)
		f->down_since_ns = now_ns;
	if (++f->fails < f->plant->comm_loss_ticks &&
	    (f->grace_ms == 0 || now_ns - f->down_since_ns < grace_ns)) {
		f->retry_at_ns = now_ns;
		return;
	}
	if (f->backoff_ms == 0)
		f->backoff_ms = 2 * f->timeout_ms;
	else if (f->backoff_ms * 2 < FIO_BACKOFF_MAX_MS)
		f->backoff_ms *= 2;
	else
		f->backoff_ms = FIO_BACKOFF_MAX_MS;
	delay_ms = f->backoff_ms;
	if (now_ns - f->down_since_ns < grace_ns &&
	    delay_ms > f->grace_ms / 4)
		delay_ms = f->grace_ms / 4;
	f->retry_at_ns = now_ns + (int64_t)delay_ms * 1000000;
}

/* Opens the link if it is down and the backoff has passed. 0 when up. */
static int fio_connect(struct fio *f, int64_t now_ns)
{
	modbus_t *ctx;

	if (f->ctx != NULL)
		return 0;
	if (now_ns < f->retry_at_ns)
		return -1;
	ctx = fio_new_ctx(f->still);
	if (ctx == NULL)
		goto out_backoff;
	modbus_set_slave(ctx, f->still->unit_id);
	modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
	modbus_set_response_timeout(ctx, (uint32_t)(f->timeout_ms / 1000),
	                            (uint32_t)(f->timeout_ms % 1000) * 1000);
	/* no byte timeout: libmodbus then keeps counting the response timeout
	 * down, so the whole reply must come within it and a device trickling
	 * its bytes cannot stretch the tick (it would, byte by byte, with the
	 * default 0.5 s between bytes) */
	modbus_set_byte_timeout(ctx, 0, 0);
	if (modbus_connect(ctx) < 0)
		goto out_free_ctx;
	f->ctx = ctx;
	f->reconnects++;
	return 0;

out_free_ctx:
	f->last_errno = errno;
	modbus_free(ctx);
out_backoff:
	fio_backoff(f, now_ns);
	return -1;
}

void fio_close(struct fio *f)
{
	if (f->ctx == NULL)
		return;
	modbus_close(f->ctx);
	modbus_free(f->ctx);
	f->ctx = NULL;
}

/* What became of a request that failed. */
enum fio_failure {
	FIO_LINK_FAILED = -1,      /* timeout, broken or out-of-step link: closed */
	FIO_EXCEPTION = 1,         /* the device refused it: its tags are bad */
	FIO_NO_DEVICE = 2,         /* a gateway answered for a silent device */
};

/* A failed request: count it; drop the link unless a reply in step came
 * (an exception). A gateway's "path unavailable" or "target device failed
 * to respond" is such a reply, but it says the device itself is silent:
 * that is no reading at all, not bad readings. */
static enum fio_failure fio_fail(struct fio *f, int64_t now_ns)
{
	f->errors++;
	f->last_errno = errno;
	if (errno == EMBXGPATH || errno == EMBXGTAR)
		return FIO_NO_DEVICE;
	if (errno > MODBUS_ENOBASE && errno < MODBUS_ENOBASE + 0x0c)
		return FIO_EXCEPTION;
	fio_close(f);
	fio_backoff(f, now_ns);
	return FIO_LINK_FAILED;
}

/* Reads one block into the register images: 0, or how it failed. */
static int fio_read_block(struct fio *f, const struct fio_block *b, int64_t now_ns)
{
	uint16_t *img = b->type == CFG_REG_INPUT ? f->input_regs : f->holding_regs;
	int rc = b->type == CFG_REG_INPUT
	         ? modbus_read_input_registers(f->ctx, b->start, b->count, img + b->start)
	         : modbus_read_registers(f->ctx, b->start, b->count, img + b->start);

	if (rc == b->count)
		return 0;
	if (rc >= 0)
		errno = EMBBADDATA;
	return fio_fail(f, now_ns);
}

/* 1 when tag's registers lie inside block b. */
static int fio_in_block(const struct cfg_reg *r, const struct fio_block *b)
{
	return r->type == b->type && r->address >= b->start &&
	       r->address + r->words <= b->start + b->count;
}

/* Decodes every input tag from the images; bad_block[i] marks blocks that
 * answered with an exception. */
static void fio_decode(const struct fio *f, const int *bad_block,
                       struct core_inputs *in)
{
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		const struct cfg_reg *r = &f->plant->map[t];
		const uint16_t *img = r->type == CFG_REG_INPUT ? f->input_regs
		                                               : f->holding_regs;
		int bad = 0;

		for (int i = 0; i < f->n_reads; i++)
			if (bad_block[i] && fio_in_block(r, &f->reads[i]))
				bad = 1;
		regmap_decode(r, img + r->address, &in->value[t]);
		if (!bad && t != CFG_TAG_STATUS &&
		    (in->value[t] < r->range_min || in->value[t] > r->range_max))
			bad = 1;
		in->quality[t] = bad ? CORE_Q_BAD : CORE_Q_GOOD;
	}
}

int fio_read(struct fio *f, struct core_inputs *in, int64_t now_ns)
{
	int bad_block[FIO_BLOCKS_MAX] = {0};

	in->comm_ok = 0;
	f->answered = 0;
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		in->quality[t] = CORE_Q_STALE;
	if (fio_connect(f, now_ns) < 0)
		return -1;
	for (int i = 0; i < f->n_reads; i++) {
		int rc = fio_read_block(f, &f->reads[i], now_ns);

		if (rc == FIO_LINK_FAILED || rc == FIO_NO_DEVICE)
			return -1;
		bad_block[i] = rc == FIO_EXCEPTION;
	}
	fio_decode(f, bad_block, in);
	in->comm_ok = 1;
	f->answered = 1;
	f->fails = 0;  /* the device answers: the next failure retries at once */
	f->backoff_ms = 0;
	return 0;
}

/* Encodes the outputs into the holding image. */
static void fio_encode(struct fio *f, const struct core_outputs *out)
{
	const double value[CFG_TAG_COUNT] = {
		[CFG_TAG_STEAM_CMD] = out->steam_pct,
		[CFG_TAG_COOLING_CMD] = out->cooling_pct,
		[CFG_TAG_HEARTBEAT] = out->heartbeat,
	};

	for (int t = CFG_TAG_FIRST_OUTPUT; t < CFG_TAG_COUNT; t++) {
		const struct cfg_reg *r = &f->plant->map[t];

		regmap_encode(r, value[t], f->holding_regs + r->address);
	}
}

int fio_write(struct fio *f, const struct core_outputs *out, int64_t now_ns)
{
	if (fio_connect(f, now_ns) < 0)
		return -1;
	fio_encode(f, out);
	for (int i = 0; i < f->n_writes; i++) {
		const struct fio_block *b = &f->writes[i];
		int rc = b->count == 1
		         ? modbus_write_register(f->ctx, b->start, f->holding_regs[b->start])
		         : modbus_write_registers(f->ctx, b->start, b->count,
		                                  f->holding_regs + b->start);

		if (rc < 0 && fio_fail(f, now_ns) != FIO_EXCEPTION)
			return -1;
	}
	return 0;
}

const char *fio_link_state(const struct fio *f)
{
	return f->ctx != NULL && f->answered ? "ok" : "lost";
}
