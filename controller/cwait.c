/* cwait: operator commands waiting without stopping the main thread.
 * See cwait.h. */
#include "cwait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clk.h"
#include "dmn.h"
#include "log.h"

/* A free entry for client, or NULL (with an err reply) when none is. */
static struct cwait *cwait_slot(struct dmn *d, struct csock_reply *r)
{
	for (int k = 0; k < CWAIT_MAX; k++)
		if (d->waits.w[k].phase == CWAIT_FREE)
			return &d->waits.w[k];
	csock_reply_err(r, "too many commands waiting; nothing was done, try again");
	return NULL;
}

/* Fills w's common part and parks r's client. */
static void cwait_park(struct cwait *w, int i, const char *done, struct csock_reply *r)
{
	int64_t now_ns = clk_mono_ns();

	w->client = csock_reply_park(r);
	w->still = i;
	w->refused = 0;
	w->seq = 0;
	w->take_by_ns = now_ns + (int64_t)DMN_CMD_TIMEOUT_MS * 1000000;
	w->reply_by_ns = now_ns + (int64_t)CWAIT_REPLY_MS * 1000000;
	snprintf(w->done, sizeof w->done, "%s", done);
	w->why[0] = '\0';
}

void cwait_command(struct dmn *d, int i, const struct core_cmd *cmd, const char *done,
                   struct csock_reply *r)
{
	struct cwait *w = cwait_slot(d, r);

	if (w == NULL)
		return;
	cwait_park(w, i, done, r);
	w->cmd = *cmd;
	w->cmd.recipe = NULL;
	w->phase = loop_cmd_submit(&d->loops[i], &w->cmd, 0) == 0 ? CWAIT_LOOP : CWAIT_QUEUED;
}

void cwait_record(struct dmn *d, int i, uint64_t seq, const char *done, struct csock_reply *r)
{
	struct cwait *w = cwait_slot(d, r);

	if (w == NULL)
		return;
	cwait_park(w, i, done, r);
	w->seq = seq;
	w->phase = CWAIT_RECORD;
}

uint64_t cwait_audit_refusal(struct dmn *d, int i, const char *verb,
                             const char *operator_name, const char *why)
{
	struct core_event ev = {.t_s = loop_now_s(&d->loops[i]), .kind = CORE_EV_COMMAND};
	uint64_t seq;

	snprintf(ev.what, sizeof ev.what, "%s", verb);
	snprintf(ev.new_value, sizeof ev.new_value, "refused");
	snprintf(ev.who, sizeof ev.who, "%s", operator_name);
	snprintf(ev.cause, sizeof ev.cause, "operator");
	snprintf(ev.text, sizeof ev.text, "%s", why);
	seq = jrn_event(&d->jrn, d->plant.stills[i].name, &ev);
	if (seq == 0)
		log_error("%s: could not record a refused %s: the journal's queue is full",
		          d->plant.stills[i].name, verb);
	return seq;
}

/* The still's outcome is known: refused (why), or taken with seq. */
static void cwait_outcome(struct dmn *d, struct cwait *w, enum loop_cmd_outcome o,
                          uint64_t seq)
{
	w->phase = CWAIT_RECORD;
	if (o == LOOP_CMD_TAKEN) {
		w->seq = seq;
		return;
	}
	w->refused = 1;
	w->seq = cwait_audit_refusal(d, w->still, core_cmd_name(w->cmd.kind),
	                             w->cmd.operator_name, w->why);
}

/* Hands a queued command to its still once the slot is free; refuses it
 * (never handed on) when the still stays busy past its deadline. */
static void cwait_queued(struct dmn *d, struct cwait *w, int64_t now_ns)
{
	if (loop_cmd_submit(&d->loops[w->still], &w->cmd, 0) == 0) {
		w->phase = CWAIT_LOOP;
		return;
	}
	if (now_ns < w->take_by_ns)
		return;
	snprintf(w->why, sizeof w->why,
	         "%s is busy with another operator's command; nothing was done, try again",
	         d->plant.stills[w->still].name);
	cwait_outcome(d, w, LOOP_CMD_WITHDRAWN, 0);
}

/* Collects the still's outcome; withdraws a command no tick took in time. */
static void cwait_loop(struct dmn *d, struct cwait *w, int64_t now_ns)
{
	uint64_t seq = 0;
	enum loop_cmd_outcome o = loop_cmd_poll(&d->loops[w->still], now_ns >= w->take_by_ns,
	                                        &seq, w->why, sizeof w->why);

	if (o != LOOP_CMD_WAITING)
		cwait_outcome(d, w, o, seq);
}

/* Answers w's client when its rows are committed or its time is up. */
static void cwait_reply(struct dmn *d, struct cwait *w, struct csock_server *srv,
                        int64_t now_ns)
{
	struct csock_reply r = {0};
	char behind[STORE_CAUSE_MAX];
	int recorded = jrn_committed(&d->jrn, w->seq, behind, sizeof behind);

	if (!recorded && now_ns < w->reply_by_ns)
		return;
	if (w->refused)
		csock_reply_err(&r, "%s", w->why);
	else if (recorded)
		csock_reply_ok(&r, "%s", w->done);
	else
		csock_reply_ok(&r, "unrecorded %s: done, not yet recorded (%s); the journal "
		               "keeps it and writes it when the disk answers", w->done, behind);
	csock_answer(srv, w->client, &r);
	free(r.buf);
	w->phase = CWAIT_FREE;
}

void cwait_service(struct dmn *d, struct csock_server *srv)
{
	int64_t now_ns = clk_mono_ns();

	for (int k = 0; k < CWAIT_MAX; k++) {
		struct cwait *w = &d->waits.w[k];

		if (w->phase == CWAIT_QUEUED)
			cwait_queued(d, w, now_ns);
		if (w->phase == CWAIT_LOOP)
			cwait_loop(d, w, now_ns);
		if (w->phase == CWAIT_RECORD)
			cwait_reply(d, w, srv, now_ns);
	}
}

int cwait_timeout_ms(const struct dmn *d, int max_ms)
{
	int64_t now_ns = clk_mono_ns(), ms = max_ms;

	for (int k = 0; k < CWAIT_MAX; k++) {
		const struct cwait *w = &d->waits.w[k];
		int64_t by_ns = w->phase == CWAIT_RECORD ? w->reply_by_ns : w->take_by_ns;
		int64_t left_ms = (by_ns - now_ns) / 1000000 + 1;

		if (w->phase == CWAIT_FREE)
			continue;
		if (w->phase == CWAIT_LOOP && by_ns <= now_ns)
			continue;  /* applied, its tick not done: the eventfd wakes us */
		if (w->phase == CWAIT_QUEUED)
			left_ms = 10;  /* the slot frees at another command's outcome */
		if (left_ms < ms)
			ms = left_ms < 0 ? 0 : left_ms;
	}
	return (int)ms;
}
