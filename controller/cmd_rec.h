/*
 * cmd_rec: the command socket's record verbs (docs/PROTOCOL.md), beside
 * cmd.c's table: lot-add, lot-correct, drum-fill, ship, advance, and the
 * lots of a multi-lot start. Each calls one store writer on the main
 * thread and replies "ok WHAT WAS DONE" or "err SENTENCE" (the store's).
 * Table of contents: cmd_rec_lots, cmd_rec_lot_add, cmd_rec_lot_correct,
 * cmd_rec_drum_fill, cmd_rec_ship, cmd_rec_advance.
 */
#ifndef CMD_REC_H
#define CMD_REC_H

#include "csock.h"
#include "dmn.h"
#include "proto.h"
#include "store_write.h"

/* The lots of a start's lots=, as the store draws them. */
struct cmd_rec_lots {
	struct proto_lot lot[PROTO_LOTS_MAX];
	struct store_lot_draw draw[PROTO_LOTS_MAX]; /* point into lot[] */
	int n;                                      /* 0: the one-lot form */
	double sum_kg;                              /* the charge they make */
};

/* Reads start's lots= into *l (n = 0 when the request has none) and
 * checks mass=, when given with it, equals their sum. 0, or -1 with an
 * err reply naming the lots. */
int cmd_rec_lots(const struct proto_args *a, struct cmd_rec_lots *l, struct csock_reply *r);

/* lot-add LOT feedstock= mass= grower= origin= [cooperative= harvested=
 * moisture= drying_days= part= price= organic_cert= organic_body= gi=]
 * operator=: a received lot (store_lot_add). */
void cmd_rec_lot_add(struct dmn *d, const struct proto_args *a, struct csock_reply *r);

/* lot-correct LOT KEY=VALUE... why= operator=: corrections of a lot's
 * fields, never edits (store_lot_correct). */
void cmd_rec_lot_correct(struct dmn *d, const struct proto_args *a, struct csock_reply *r);

/* drum-fill DRUM batch= kg= [tare=] [organic=1|0] operator=: oil of one
 * batch into a drum (store_drum_fill). */
void cmd_rec_drum_fill(struct dmn *d, const struct proto_args *a, struct csock_reply *r);

/* ship DRUM... buyer= doc= date= operator=: a shipment (store_ship). */
void cmd_rec_ship(struct dmn *d, const struct proto_args *a, struct csock_reply *r);

/* advance GROWER vnd= date= [why=] operator=: money paid to a grower
 * ahead of the settlement (store_advance_add). */
void cmd_rec_advance(struct dmn *d, const struct proto_args *a, struct csock_reply *r);

#endif
