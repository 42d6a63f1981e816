/*
 * simsrv: stillroom-sim's Modbus face, the only simulator file that knows
 * libmodbus. A TCP server (one thread per connection, at most
 * SIMSRV_CLIENTS_MAX at once, each with its own modbus_t) and optionally an
 * RTU server on a serial device, both routing every request by the unit id
 * it carries to that still's register images in the plant (or to the
 * simulator-control unit), and acting out the plant's wire faults (delay,
 * exception, dropped connection, silence). Register images are copied out
 * of the plant under its lock and replies are sent without it, so a slow or
 * vanished client never holds up the model or another client.
 * Unknown unit ids: over TCP the reply is exception 0x0B (gateway target
 * device failed to respond); on RTU the request is ignored, as another
 * device's would be. Table of contents:
 *   simsrv_new, simsrv_listen, simsrv_port, simsrv_rtu,
 *   simsrv_start, simsrv_stop, simsrv_free
 */
#ifndef SIMSRV_H
#define SIMSRV_H

#include <stddef.h>

#include "plant.h"

#define SIMSRV_CLIENTS_MAX 264 /* TCP connections at once: 256 stills + tools */

struct simsrv;

/* A server for pl (which must outlive it); nothing is opened yet. NULL on
 * out of memory. */
struct simsrv *simsrv_new(struct plant *pl);

/*
 * Binds and listens on host:port now (port 0: the kernel picks one, see
 * simsrv_port), so that a bad address fails before anything starts.
 * Returns 0, or -1 with a sentence in cause.
 */
int simsrv_listen(struct simsrv *s, const char *host, int port, char *cause, size_t len);

/* The TCP port bound, 0 before simsrv_listen. */
int simsrv_port(const struct simsrv *s);

/*
 * Opens the serial device for Modbus RTU now: baud, parity 'N', 'E' or
 * 'O', data_bits, stop_bits. Returns 0, or -1 with a sentence in cause.
 */
int simsrv_rtu(struct simsrv *s, const char *device, int baud, char parity,
               int data_bits, int stop_bits, char *cause, size_t len);

/* Starts serving what was opened. Returns 0, or -1 with cause. */
int simsrv_start(struct simsrv *s, char *cause, size_t len);

/* Stops serving: closes every connection and joins every thread.
 * Harmless when not started. */
void simsrv_stop(struct simsrv *s);

/* Stops, closes and frees; NULL is fine. */
void simsrv_free(struct simsrv *s);

#endif
