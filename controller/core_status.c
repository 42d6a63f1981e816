/*
 * core_status: what `status`, `status --json`, `alarms` and the console
 * show of a still, taken from its core at one tick (see core.h). The loop
 * publishes one every tick instead of the whole core: a few hundred
 * bytes, plus a row for each alarm that is not normal.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

_Static_assert(CFG_TAG_FIRST_OUTPUT <= 32, "core_status.bad_tags is 32 bits");

/* Step progress (0..100, -1 unknown) of the core's batch. */
static double core_status_progress(const struct core_still *c)
{
	const struct rcp_step *st = core_cur_step(c);
	double span;

	if (!st)
		return -1;
	span = st->end == RCP_END_DURATION ? st->duration_s : st->max_s;
	if (span <= 0)
		return -1;
	return fmin(100.0, 100.0 * c->step_elapsed_s / span);
}

/* The current step's loop setpoints (none when no step runs). */
static void core_status_loops(const struct core_still *c, struct core_status *st)
{
	const struct rcp_step *s = core_cur_step(c);

	st->steam_ctl = s ? (int)s->control : -1;
	st->steam_sp = s && s->control != RCP_CTL_OPEN ? s->target : NAN;
	st->cooling_sp_c = s ? (s->distillate_min_c + s->distillate_max_c) / 2 : NAN;
}

/* Bit t for each input whose reading is not good: by the I/O, or by the
 * core's judgement (out of range, frozen). */
static uint32_t core_status_bad_tags(const struct core_still *c)
{
	uint32_t bad = 0;

	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++)
		if (c->last_in.quality[t] != CORE_Q_GOOD || c->tag_quality[t] != CORE_Q_GOOD)
			bad |= 1u << t;
	return bad;
}

/* The alarms not normal (or active), in table order. */
static void core_status_rows(const struct core_still *c, struct core_status *st)
{
	st->n_rows = 0;
	for (int k = 0; k < c->n_alarms && st->n_rows < CORE_ALARMS_MAX; k++) {
		const struct core_alarm *a = &c->alarms[k];
		struct core_alarm_row *r;

		if (a->state == CORE_AL_NORMAL && !a->active)
			continue;
		r = &st->rows[st->n_rows++];
		snprintf(r->id, sizeof r->id, "%s", a->id);
		snprintf(r->message, sizeof r->message, "%s", a->message);
		r->since_s = a->since_s;
		r->priority = a->priority;
		r->state = a->state;
		r->active = a->active;
	}
}

/* The end-point forecast of a running distil step and the next hour's
 * value and cost (core_endpt.c); nothing (valid 0, NaN) otherwise. */
static void core_status_endpt(const struct core_still *c, struct core_status *st)
{
	const struct rcp_step *s = core_cur_step(c);
	int on = c->est_on && s != NULL && s->kind == RCP_DISTIL;

	memset(&st->fc, 0, sizeof st->fc);
	if (on)
		est_forecast(&c->est, &st->fc);
	st->fc_yield_pct = st->fc.valid && c->charge_kg > 0
	                   ? 100 * st->fc.final_kg / c->charge_kg : NAN;
	st->next_hour_value_vnd = on ? c->next_hour_value_vnd : NAN;
	st->hour_cost_vnd = on ? c->hour_cost_vnd : NAN;
}

/* Batch, recipe and step: what there is while a batch is underway or
 * kept (a finished batch until reset). */
static void core_status_batch(const struct core_still *c, struct core_status *st)
{
	int kept = core_batch_active(c) || c->batch_id > 0;
	int has_step = kept && c->step >= 0 && c->step < c->recipe.n_steps;

	st->batch_id = c->batch_id;
	snprintf(st->recipe, sizeof st->recipe, "%s", c->batch_id > 0 ? c->recipe.name : "");
	snprintf(st->step, sizeof st->step, "%s", has_step ? c->recipe.steps[c->step].name : "");
	st->step_index = kept ? c->step + 1 : 0;
	st->step_count = kept ? c->recipe.n_steps : 0;
	st->step_progress_pct = core_status_progress(c);
	st->charge_kg = c->charge_kg;
	st->oil_kg = kept ? core_oil_g(c) / 1000 : 0;
	st->yield_pct = kept && c->charge_kg > 0 ? 100 * st->oil_kg / c->charge_kg : 0;
	st->time_left_s = core_time_left_s(c);
	snprintf(st->prompt, sizeof st->prompt, "%s",
	         c->prompt_pending && c->step >= 0 && c->step < c->recipe.n_steps
	         ? c->recipe.steps[c->step].prompt : "");
}

void core_status_fill(const struct core_still *c, double now_s, struct core_status *st)
{
	st->state = c->state;
	core_status_batch(c, st);
	memcpy(st->value, c->last_in.value, sizeof st->value);
	st->bad_tags = core_status_bad_tags(c);
	st->steam_cmd_pct = c->last_out.steam_pct;
	st->alarms = core_alarm_active_count(c);
	st->alarms_10min = core_alarm_rate(c, now_s);
	st->flood = c->flood;
	st->floods = c->floods;
	for (int o = 0; o < CORE_OUT_COUNT; o++)
		st->manual[o] = c->manual[o];
	core_status_loops(c, st);
	core_status_endpt(c, st);
	core_status_rows(c, st);
}

void core_status_copy(struct core_status *dst, const struct core_status *src)
{
	memcpy(dst, src, offsetof(struct core_status, rows) +
	                 (size_t)src->n_rows * sizeof src->rows[0]);
}
