/*
 * fio: one still's field I/O over Modbus (TCP or RTU). The only controller
 * module that includes modbus.h. Owned by that still's control thread: a
 * libmodbus context is not thread-safe. Each tick: fio_read (block reads,
 * at most 125 registers each) then fio_write (one block write of the
 * outputs and the watchdog heartbeat). A timeout or broken link closes the
 * connection and the next tick reconnects (backing off once the link is
 * judged lost), so a late reply can never be taken for the answer to a
 * later request.
 */
#ifndef FIO_H
#define FIO_H

#include <stdint.h>

#include "cfg.h"
#include "core.h"

#define FIO_BLOCKS_MAX 8
#define FIO_REGS_MAX 512

/* A contiguous run of registers read or written in one request. */
struct fio_block {
	enum cfg_regtype type;
	int start;                 /* first register address */
	int count;                 /* registers, <= 125 (read) / 123 (write) */
};

struct fio {
	const struct cfg_plant *plant;
	const struct cfg_still *still;
	void *ctx;                 /* modbus_t *, NULL when disconnected */
	int timeout_ms;            /* response timeout */
	int64_t retry_at_ns;       /* monotonic time of the next connect try */
	int fails;                 /* failed attempts since the last good read */
	int backoff_ms;            /* last reconnect delay, 0 after a good read */
	int64_t down_since_ns;     /* monotonic time of the first of those fails */
	int grace_ms;              /* comm-loss wall floor: tries at most a
	                            * quarter of it apart within it (0: none) */
	struct fio_block reads[FIO_BLOCKS_MAX];
	int n_reads;
	struct fio_block writes[FIO_BLOCKS_MAX];
	int n_writes;
	uint16_t input_regs[FIO_REGS_MAX];   /* image by address */
	uint16_t holding_regs[FIO_REGS_MAX];
	int answered;              /* the last fio_read got every block answered */
	long errors;               /* failed requests since start */
	long reconnects;           /* connections opened */
	int last_errno;            /* of the last failure */
};

/* Prepares f for plant->stills[still] (no connection yet) and plans the
 * block reads and writes from the register map. Returns 0, or -1 with a
 * cause when the map cannot be served (addresses past FIO_REGS_MAX). */
int fio_init(struct fio *f, const struct cfg_plant *plant, int still,
             int timeout_ms, char *cause, size_t cause_len);

/* Reads every input tag into in (values, quality, comm_ok). Connects first
 * if needed (not before retry_at). Returns 0 when the device answered every
 * block (an exception reply marks that block's tags bad), -1 when the link
 * failed or a gateway said the device did not answer (in->comm_ok = 0). */
int fio_read(struct fio *f, struct core_inputs *in, int64_t now_ns);

/* Writes steam, cooling and heartbeat in one block write per run of
 * holding registers. Returns 0, or -1 when the link failed. */
int fio_write(struct fio *f, const struct core_outputs *out, int64_t now_ns);

/* Closes the connection; f can be used again (it reconnects). */
void fio_close(struct fio *f);

/* "ok" while the device answers (the last fio_read did), "lost" otherwise. */
const char *fio_link_state(const struct fio *f);

#endif
