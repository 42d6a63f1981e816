/*
 * con_lots: the start form's charge of several lots (pure: no curses, no
 * socket). The operator adds lots one by one with their masses; the form
 * shows the lines and the total charge, a line can be removed, and the
 * start is sent as lots=LOT:KG,LOT:KG (docs/PROTOCOL.md).
 * Table of contents: con_lots_add, con_lots_remove, con_lots_total_kg,
 * con_lots_check, con_lots_request, con_lots_list.
 */
#ifndef CON_LOTS_H
#define CON_LOTS_H

#include <stddef.h>

#include "con_draw.h"
#include "con_net.h"
#include "proto.h"

/* A lot as the pages need it. */
struct con_lot {
	char lot_id[64];
	char feedstock[32];
	char grower[96];
	char origin[96];
	char harvested[16];
	double received_kg;
	double remaining_kg;          /* NaN when unknown */
};

/* One line of the charge. */
struct con_lots_line {
	char lot_id[PROTO_LOT_ID_MAX];
	double mass_kg;
};

/* The charge being made up, in the order the lots were added. */
struct con_lots {
	struct con_lots_line line[PROTO_LOTS_MAX];
	int n;
};

/* Adds lot_id with mass_text (kg) to the charge. lot is the lot as the
 * records know it, NULL when they cannot be read (the controller checks
 * it then). 0, or -1 with a sentence in cause and nothing added: no lot,
 * a lot not in the records, a mass that is not more than 0, more than
 * the lot has left, a lot already in the charge, a full charge. */
int con_lots_add(struct con_lots *l, const struct con_lot *lot, int lots_known,
                 const char *lot_id, const char *mass_text, char *cause,
                 size_t cause_len);

/* Removes line i (the last one when i is out of range); 0, or -1 when
 * the charge is empty. */
int con_lots_remove(struct con_lots *l, int i);

/* The charge: the sum of the lines' masses, kg. */
double con_lots_total_kg(const struct con_lots *l);

/* Checks the charge against recipe rc (NULL: none chosen) and the lots
 * known (n_lots of them; a line whose lot is not among them is left to
 * the controller). Writes a note (the problem, or the total) and returns
 * 1 when it is a problem: a lot of another feedstock than the recipe's,
 * a total outside the recipe's charge limits. */
int con_lots_check(const struct con_lots *l, const struct con_lot *lots, int n_lots,
                   const struct con_recipe *rc, char *note, size_t note_len);

/* Writes the charge as lots= takes it: "L1:200,L2:300". */
void con_lots_request(const struct con_lots *l, char *out, size_t out_len);

/* Puts the charge's lines and total in form f's list (title empty and no
 * lines when the charge is empty). */
void con_lots_list(const struct con_lots *l, struct con_form *f);

#endif
