/* rig: the control core and the plant model in lockstep. See rig.h. */
#include "rig.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void rig_init(struct rig *g, const struct cfg_plant *plant,
              const struct model_params *mp)
{
	memset(g, 0, sizeof *g);
	if (plant != NULL)
		g->plant = *plant;
	else
		cfg_defaults(&g->plant);
	if (mp != NULL) {
		g->mp = *mp;
	} else {
		model_params_default(&g->mp);
		model_params_map(&g->mp, g->plant.map);
	}
	model_init(&g->model, &g->mp);
	core_init(&g->core, &g->plant, 0);
	g->prompt_at_s = -1;
	g->auto_answer = 1;
	snprintf(g->operator_name, sizeof g->operator_name, "rig");
	g->batch_id = 1;
}

void rig_charge(struct rig *g, const struct model_feed *feed, double charge_kg)
{
	model_charge(&g->model, feed, charge_kg, -1);
	g->charge_kg = charge_kg;
}

int rig_command(struct rig *g, enum core_cmd_kind kind,
                const struct rcp_recipe *r, const char *text)
{
	struct core_cmd cmd;

	memset(&cmd, 0, sizeof cmd);
	cmd.kind = kind;
	snprintf(cmd.operator_name, sizeof cmd.operator_name, "%s",
	         g->operator_name);
	cmd.recipe = r;
	cmd.batch_id = g->batch_id;
	cmd.charge_kg = g->charge_kg;
	snprintf(cmd.text, sizeof cmd.text, "%s", text ? text : "");
	return core_command(&g->core, &cmd, g->now_s, g->cause, sizeof g->cause);
}

int rig_start(struct rig *g, const struct rcp_recipe *r,
              const struct model_feed *feed, double charge_kg)
{
	rig_charge(g, feed, charge_kg);
	while (g->now_s < RIG_IDLE_S)
		if (rig_step(g) < 0)
			return -1;
	return rig_command(g, CORE_CMD_START, r, "");
}

/* What the Modbus layer would hand the core: each reading rounded to its
 * register's resolution, quality good, status bits as a number. */
static void rig_inputs(const struct rig *g, struct core_inputs *in)
{
	struct model_io io;

	model_read(&g->model, &io);
	memset(in, 0, sizeof *in);
	in->comm_ok = !g->comm_down;
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		double scale = g->plant.map[t].scale;

		in->value[t] = scale > 0 && isfinite(io.value[t])
		               ? round(io.value[t] / scale) * scale : io.value[t];
		in->quality[t] = CORE_Q_GOOD;
	}
	in->value[CFG_TAG_STATUS] = io.status;
}

/* The controller's half of a tick: read, step the core, write, events,
 * and the operator's answer once its delay has passed. */
static int rig_control(struct rig *g)
{
	struct core_inputs in;
	struct core_event e;

	rig_inputs(g, &in);
	core_step(&g->core, &in, g->now_s, &g->out);
	model_write(&g->model, g->out.steam_pct, g->out.cooling_pct,
	            g->out.heartbeat);
	while (core_event_pop(&g->core, &e) == 0) {
		if (e.kind == CORE_EV_PROMPT)
			g->prompt_at_s = g->now_s;
		if (g->on_event != NULL)
			g->on_event(g, &e, g->ctx);
	}
	if (g->auto_answer && g->prompt_at_s >= 0 &&
	    g->now_s - g->prompt_at_s >= RIG_ANSWER_AFTER_S) {
		g->prompt_at_s = -1;
		return rig_command(g, CORE_CMD_ANSWER, NULL, "done");
	}
	return 0;
}

int rig_step(struct rig *g)
{
	int rc = g->stalled ? 0 : rig_control(g);

	model_step(&g->model, RIG_DT_S);
	if (g->on_tick != NULL)
		g->on_tick(g, g->ctx);
	g->now_s += RIG_DT_S;
	g->ticks++;
	return rc < 0 ? -1 : 0;
}

int rig_run_for(struct rig *g, double secs)
{
	for (double t = 0; t < secs - 1e-9; t += RIG_DT_S)
		if (rig_step(g) < 0)
			return -1;
	return 0;
}

int rig_run_until(struct rig *g, enum core_state s, double secs)
{
	for (double t = 0; t < secs && g->core.state != s; t += RIG_DT_S)
		if (rig_step(g) < 0)
			return -1;
	return g->core.state == s ? 0 : -1;
}

int rig_run_to_end(struct rig *g)
{
	return rig_run_until(g, CORE_COMPLETE,
	                     rig_batch_max_s(&g->core.recipe) + RIG_OVERRUN_S);
}

double rig_batch_max_s(const struct rcp_recipe *r)
{
	double max_s = r->max_batch_s;

	if (!(max_s > 0)) {
		max_s = 0;
		for (int i = 0; i < r->n_steps; i++)
			max_s += r->steps[i].max_s;
	}
	return max_s;
}

double rig_yield_pct(const struct rig *g)
{
	if (!(g->charge_kg > 0))
		return 0;
	return g->model.oil_receiver_g / (g->charge_kg * 1000) * 100;
}
