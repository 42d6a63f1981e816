/* cmd_rec: the record verbs of the command socket. See cmd_rec.h. */
#include "cmd_rec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

#define CMD_REC_FIXES_MAX 16

/* The operator (required) of a writing verb; NULL with an err reply. */
static const char *cmd_rec_who(const struct proto_args *a, struct csock_reply *r)
{
	const char *op = proto_opt(a, "operator");

	if (op == NULL || op[0] == '\0')
		csock_reply_err(r, "%s: operator=NAME is required", a->argv[0]);
	return op && op[0] ? op : NULL;
}

/* 1 when every key is given (non-empty), else 0 with the verb's usage
 * as an err reply. keys is NULL-terminated. */
static int cmd_rec_need(const struct proto_args *a, const char *const *keys,
                        const char *usage, struct csock_reply *r)
{
	for (int k = 0; keys[k]; k++) {
		const char *v = proto_opt(a, keys[k]);

		if (v == NULL || v[0] == '\0') {
			csock_reply_err(r, "%s: needs %s=... (usage: %s)", a->argv[0], keys[k], usage);
			return 0;
		}
	}
	return 1;
}

/* "L1 200, L2 300" for messages. */
static void cmd_rec_lots_text(const struct cmd_rec_lots *l, char *out, size_t len)
{
	out[0] = '\0';
	for (int i = 0; i < l->n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s %.3f", i ? ", " : "",
		         l->lot[i].lot_id, l->lot[i].mass_kg);
}

int cmd_rec_lots(const struct proto_args *a, struct cmd_rec_lots *l, struct csock_reply *r)
{
	const char *text = proto_opt(a, "lots");
	char cause[STORE_CAUSE_MAX], list[512];
	double mass_kg;

	l->n = 0;
	l->sum_kg = 0;
	if (text == NULL)
		return 0;
	l->n = proto_lots(text, l->lot, PROTO_LOTS_MAX, cause, sizeof cause);
	if (l->n < 0) {
		csock_reply_err(r, "%s", cause);
		return -1;
	}
	for (int i = 0; i < l->n; i++) {
		l->draw[i] = (struct store_lot_draw){l->lot[i].lot_id, l->lot[i].mass_kg};
		l->sum_kg += l->lot[i].mass_kg;
	}
	if (proto_opt(a, "mass") == NULL)
		return 0;
	if (cmd_number(a, "mass", 0, &mass_kg, r) < 0)
		return -1;
	if (fabs(mass_kg - l->sum_kg) > 0.0005) {
		cmd_rec_lots_text(l, list, sizeof list);
		csock_reply_err(r, "start: mass %.3f kg is not the sum of the lots' masses "
		                "(%s: %.3f kg); give the lots' masses alone or a mass that "
		                "matches them", mass_kg, list, l->sum_kg);
		return -1;
	}
	return 0;
}

void cmd_rec_lot_add(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	static const char *const need[] = {"feedstock", "mass", "grower", "origin", NULL};
	static const char *const keys[] = {
		"feedstock", "mass", "grower", "origin", "cooperative", "harvested",
		"moisture", "drying_days", "part", "price", "organic_cert",
		"organic_body", "gi",
	};
	const char *op = cmd_rec_who(a, r);
	char cause[STORE_CAUSE_MAX];
	struct store_lot lot;

	if (op == NULL || !cmd_rec_need(a, need, "lot-add LOT feedstock=F mass=KG grower=NAME "
	                                "origin=PLACE ... operator=NAME", r))
		return;
	store_lot_init(&lot);
	if (store_lot_set(&lot, "id", proto_pos(a, 1), cause, sizeof cause) < 0)
		goto out_refused;
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		const char *v = proto_opt(a, keys[k]);

		if (v != NULL && store_lot_set(&lot, keys[k], v, cause, sizeof cause) < 0)
			goto out_refused;
	}
	lot.mass_remaining_kg = lot.mass_received_kg;
	if (store_lot_add(d->db, &lot, op, cause, sizeof cause) < 0)
		goto out_refused;
	log_info("lot %s added (%.1f kg %s%s) by %s", lot.lot_id, lot.mass_received_kg,
	         lot.feedstock, lot.organic_cert[0] ? ", organic" : "", op);
	csock_reply_ok(r, "lot %s added (%.1f kg %s%s)", lot.lot_id, lot.mass_received_kg,
	               lot.feedstock, lot.organic_cert[0] ? ", organic" : "");
	return;
out_refused:
	csock_reply_err(r, "%s", cause);
}

/* The fields a lot-correct may name (store_lot_correct's keys). */
static const char *const cmd_rec_fix_keys[] = {
	"moisture", "oil_content", "harvested", "part", "price", "organic_cert",
	"organic_body", "gi", "origin", "cooperative", "drying_days",
};

#define CMD_REC_FIX_KEYS "moisture, oil_content, harvested, part, price, organic_cert, " \
	"organic_body, gi, origin, cooperative, drying_days"

/* The known key of token arg ("moisture=12"), or NULL. */
static const char *cmd_rec_fix_key(const char *arg)
{
	size_t n = strcspn(arg, "=");

	for (size_t k = 0; k < sizeof cmd_rec_fix_keys / sizeof cmd_rec_fix_keys[0]; k++)
		if (strlen(cmd_rec_fix_keys[k]) == n && strncmp(arg, cmd_rec_fix_keys[k], n) == 0)
			return cmd_rec_fix_keys[k];
	return NULL;
}

/* The fields of a lot-correct request as store_lot_fix rows, and what
 * they say for the reply; -1 with an err reply for an unknown field or
 * none at all. */
static int cmd_rec_fixes(const struct proto_args *a, struct store_lot_fix *fix,
                         char *what, size_t what_len, struct csock_reply *r)
{
	int n = 0;

	what[0] = '\0';
	for (int i = 1; i < a->argc; i++) {
		const char *eq = strchr(a->argv[i], '='), *key = cmd_rec_fix_key(a->argv[i]);

		if (eq == NULL || strncmp(a->argv[i], "why=", 4) == 0 ||
		    strncmp(a->argv[i], "operator=", 9) == 0)
			continue;
		if (key == NULL || n == CMD_REC_FIXES_MAX) {
			csock_reply_err(r, "lot-correct: '%.*s' is not a field that can be corrected "
			                "(one of: %s)", (int)(eq - a->argv[i]), a->argv[i],
			                CMD_REC_FIX_KEYS);
			return -1;
		}
		fix[n] = (struct store_lot_fix){key, eq + 1};
		snprintf(what + strlen(what), what_len - strlen(what), "%s%s", n ? ", " : "",
		         a->argv[i]);
		n++;
	}
	if (n == 0)
		csock_reply_err(r, "lot-correct: names no field to correct (one of: %s)",
		                CMD_REC_FIX_KEYS);
	return n == 0 ? -1 : n;
}

void cmd_rec_lot_correct(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	static const char *const need[] = {"why", NULL};
	struct store_lot_fix fix[CMD_REC_FIXES_MAX];
	char cause[STORE_CAUSE_MAX], what[1024];
	const char *op = cmd_rec_who(a, r), *lot = proto_pos(a, 1);
	int n;

	if (op == NULL || !cmd_rec_need(a, need, "lot-correct LOT KEY=VALUE... why=TEXT "
	                                "operator=NAME", r))
		return;
	n = cmd_rec_fixes(a, fix, what, sizeof what, r);
	if (n < 0)
		return;
	if (store_lot_correct(d->db, lot, fix, n, op, proto_opt(a, "why"), cause,
	                      sizeof cause) < 0) {
		csock_reply_err(r, "%s", cause);
		return;
	}
	log_info("lot %s corrected (%s) by %s", lot, what, op);
	csock_reply_ok(r, "lot %s corrected: %s", lot, what);
}

void cmd_rec_drum_fill(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	static const char *const need[] = {"batch", "kg", NULL};
	struct store_drum_fill f = {.drum_id = proto_pos(a, 1), .tare_kg = NAN, .organic = -1};
	char cause[STORE_CAUSE_MAX];
	double batch, organic;
	long id;

	f.who = cmd_rec_who(a, r);
	if (f.who == NULL || !cmd_rec_need(a, need, "drum-fill DRUM batch=ID kg=KG [tare=KG] "
	                                   "[organic=1|0] operator=NAME", r))
		return;
	if (cmd_number(a, "batch", 0, &batch, r) < 0 || cmd_number(a, "kg", 0, &f.oil_kg, r) < 0 ||
	    (proto_opt(a, "tare") && cmd_number(a, "tare", 0, &f.tare_kg, r) < 0) ||
	    (proto_opt(a, "organic") && cmd_number(a, "organic", 0, &organic, r) < 0))
		return;
	f.batch_id = (long)batch;
	if (proto_opt(a, "organic"))
		f.organic = (int)organic;
	id = store_drum_fill(d->db, &f, cause, sizeof cause);
	if (id < 0) {
		csock_reply_err(r, "%s", cause);
		return;
	}
	log_info("drum %s: %.3f kg of oil from batch %ld (fill %ld) by %s", f.drum_id, f.oil_kg,
	         f.batch_id, id, f.who);
	csock_reply_ok(r, "drum %s: %.3f kg of oil from batch %ld (fill %ld)", f.drum_id,
	               f.oil_kg, f.batch_id, id);
}

void cmd_rec_ship(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	static const char *const need[] = {"buyer", "doc", "date", NULL};
	const char *drums[PROTO_ARGS_MAX];
	struct store_shipment sh = {.drum_ids = drums, .buyer = proto_opt(a, "buyer"),
	                            .doc_no = proto_opt(a, "doc"),
	                            .ship_date = proto_opt(a, "date")};
	char cause[STORE_CAUSE_MAX];
	long id;

	sh.who = cmd_rec_who(a, r);
	if (sh.who == NULL || !cmd_rec_need(a, need, "ship DRUM [DRUM...] buyer=NAME doc=NO "
	                                    "date=YYYY-MM-DD operator=NAME", r))
		return;
	while (sh.n_drums < PROTO_ARGS_MAX && proto_pos(a, sh.n_drums + 1) != NULL) {
		drums[sh.n_drums] = proto_pos(a, sh.n_drums + 1);
		sh.n_drums++;
	}
	id = store_ship(d->db, &sh, cause, sizeof cause);
	if (id < 0) {
		csock_reply_err(r, "%s", cause);
		return;
	}
	log_info("shipment %ld: %d drums to %s (%s, %s) by %s", id, sh.n_drums, sh.buyer,
	         sh.doc_no, sh.ship_date, sh.who);
	csock_reply_ok(r, "shipment %ld: %d drum%s to %s (doc %s, %s)", id, sh.n_drums,
	               sh.n_drums == 1 ? "" : "s", sh.buyer, sh.doc_no, sh.ship_date);
}

void cmd_rec_advance(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	static const char *const need[] = {"vnd", "date", NULL};
	const char *op = cmd_rec_who(a, r), *grower = proto_pos(a, 1);
	const char *date = proto_opt(a, "date");
	char cause[STORE_CAUSE_MAX];
	double vnd;
	long id;

	if (op == NULL || !cmd_rec_need(a, need, "advance GROWER vnd=N date=YYYY-MM-DD "
	                                "[why=TEXT] operator=NAME", r))
		return;
	if (cmd_number(a, "vnd", 0, &vnd, r) < 0)
		return;
	id = store_advance_add(d->db, grower, (long long)vnd, date, op, proto_opt(a, "why"),
	                       cause, sizeof cause);
	if (id < 0) {
		csock_reply_err(r, "%s", cause);
		return;
	}
	log_info("advance %ld: %.0f VND to %s on %s by %s", id, vnd, grower, date, op);
	csock_reply_ok(r, "advance %ld: %.0f VND to %s on %s", id, vnd, grower, date);
}
