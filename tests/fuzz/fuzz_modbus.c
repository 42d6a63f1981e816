/*
 * fuzz_modbus: libFuzzer harness for the controller's Modbus client path
 * (controller/fio.c through libmodbus) fed hostile replies: the input is
 * whatever a lying device sends back on the socket. fio_read and fio_write
 * must end with values flagged bad or the link dropped, never a crash,
 * an out-of-range read or undefined behaviour.
 * links: controller/fio.c common/regmap.c common/log.c config/cfg.c config/cfg_econ.c config/econ.c config/cfg_settle.c config/cfg_hist.c config/cfg_link.c config/cfg_sync.c config/settle.c common/diag.c common/ydoc.c common/num.c
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#include "fio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg_plant plant;
	static int ready;
	struct core_inputs in;
	struct core_outputs out = {.steam_pct = 50, .cooling_pct = 80, .heartbeat = 7};
	struct fio f;
	char cause[128];
	modbus_t *ctx;
	int sv[2];

	if (!ready) {
		cfg_defaults(&plant);
		ready = 1;
	}
	if (size > 4096 || fio_init(&f, &plant, 0, 2, cause, sizeof cause) < 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	ctx = modbus_new_tcp("127.0.0.1", 1502);
	if (ctx == NULL) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	modbus_set_slave(ctx, 1);
	modbus_set_socket(ctx, sv[0]);
	modbus_set_response_timeout(ctx, 0, 2000);
	modbus_set_byte_timeout(ctx, 0, 1000);
	/* the "device" says all it will say, then hangs up */
	if (size > 0 && write(sv[1], data, size) < 0)
		size = 0;
	shutdown(sv[1], SHUT_WR);
	f.ctx = ctx;
	memset(&in, 0, sizeof in);
	fio_read(&f, &in, 0);
	fio_write(&f, &out, 0);
	fio_close(&f);
	close(sv[1]);
	return 0;
}
