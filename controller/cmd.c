/* cmd: the command socket's verbs. See cmd.h and docs/PROTOCOL.md. */
#include "cmd.h"
#include "cmd_rec.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmn.h"
#include "log.h"
#include "proto.h"
#include "qaspec.h"
#include "sha256.h"

#define CMD_FIELDS_MAX 96

/* One status field: rendered as key=value or as a JSON member. */
struct cmd_field {
	const char *key;
	char value[160];
	int is_number;
};

struct cmd_fields {
	struct cmd_field f[CMD_FIELDS_MAX];
	int n;
};

static void cmd_num(struct cmd_fields *fs, const char *key, double v, int decimals)
{
	struct cmd_field *f;

	if (fs->n >= CMD_FIELDS_MAX)
		return;
	f = &fs->f[fs->n++];
	f->key = key;
	f->is_number = 1;
	if (!isfinite(v))
		snprintf(f->value, sizeof f->value, "null");
	else
		snprintf(f->value, sizeof f->value, "%.*f", decimals, v);
}

static void cmd_str(struct cmd_fields *fs, const char *key, const char *v)
{
	struct cmd_field *f;

	if (fs->n >= CMD_FIELDS_MAX)
		return;
	f = &fs->f[fs->n++];
	f->key = key;
	f->is_number = 0;
	snprintf(f->value, sizeof f->value, "%s", v);
}

/* Appends s as a JSON string to out. */
static void cmd_json_string(char *out, size_t len, const char *s)
{
	size_t n = strlen(out);

	if (n + 2 >= len)
		return;
	out[n++] = '"';
	for (; *s && n + 8 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, len - n, "\\%c", c);
		else if (c < 0x20)
			n += (size_t)snprintf(out + n, len - n, "\\u%04x", c);
		else
			out[n++] = (char)c;
	}
	out[n++] = '"';
	out[n] = '\0';
}

/* Renders fields as "tag k=v k=v". */
static void cmd_render_kv(const struct cmd_fields *fs, const char *tag, char *out,
                          size_t len)
{
	snprintf(out, len, "%s", tag);
	for (int i = 0; i < fs->n; i++)
		proto_append(out, len, fs->f[i].key, fs->f[i].value);
}

/* Renders fields as a JSON object. */
static void cmd_render_json(const struct cmd_fields *fs, char *out, size_t len)
{
	snprintf(out, len, "{");
	for (int i = 0; i < fs->n; i++) {
		size_t n = strlen(out);

		snprintf(out + n, len - n, "%s", i ? "," : "");
		cmd_json_string(out, len, fs->f[i].key);
		n = strlen(out);
		snprintf(out + n, len - n, ":");
		if (fs->f[i].is_number) {
			n = strlen(out);
			snprintf(out + n, len - n, "%s", fs->f[i].value);
		} else {
			cmd_json_string(out, len, fs->f[i].value);
		}
	}
	strncat(out, "}", len - strlen(out) - 1);
}

/* Comma list of the tags whose reading is not good (bad_tags bits). */
static void cmd_bad_tags(uint32_t bad_tags, char *out, size_t len)
{
	out[0] = '\0';
	for (int t = 0; t < CFG_TAG_FIRST_OUTPUT; t++) {
		if (!(bad_tags & (1u << t)))
			continue;
		if (out[0] != '\0')
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, cfg_tag_name((enum cfg_tag)t), len - strlen(out) - 1);
	}
}

/* The current step's loop setpoints as fields (empty when no step runs). */
static void cmd_loop_fields(const struct core_status *c, struct cmd_fields *fs)
{
	static const char *const modes[] = {
		[RCP_CTL_OPEN] = "open", [RCP_CTL_PRESSURE] = "pressure",
		[RCP_CTL_VAPOUR_TEMP] = "vapour_temp",
	};

	cmd_str(fs, "steam_loop", c->steam_ctl >= 0 ? modes[c->steam_ctl] : "");
	cmd_num(fs, "steam_sp", c->steam_sp, 1);
	cmd_num(fs, "cooling_sp_c", c->cooling_sp_c, 1);
}

/* The end-point forecast of the distil step (all NaN/null but fc_valid
 * and fc_model when there is none) and the next hour's value and cost. */
static void cmd_fc_fields(const struct core_status *c, struct cmd_fields *fs)
{
	const struct est_forecast *f = &c->fc;
	double no = f->valid ? 0 : NAN;

	cmd_num(fs, "fc_valid", f->valid, 0);
	cmd_str(fs, "fc_model", est_model_name(f->model));
	cmd_num(fs, "fc_final_kg", f->final_kg + no, 3);
	cmd_num(fs, "fc_final_lo_kg", f->final_lo_kg + no, 3);
	cmd_num(fs, "fc_final_hi_kg", f->final_hi_kg + no, 3);
	cmd_num(fs, "fc_t95_left_min", fmax(0, f->t95_s - f->t_s) / 60 + no, 0);
	cmd_num(fs, "fc_rate_kg_h", f->rate_kg_per_h + no, 3);
	cmd_num(fs, "fc_next_hour_kg", f->next_hour_kg + no, 3);
	cmd_num(fs, "fc_next_hour_vnd", c->next_hour_value_vnd, 0);
	cmd_num(fs, "fc_hour_cost_vnd", c->hour_cost_vnd, 0);
	cmd_num(fs, "fc_yield_pct", c->fc_yield_pct, 3);
}

/* The resources of the still's batch and their cost (econ.h); the cost
 * per kg of oil is over the receiver's oil, NaN while there is none. */
static void cmd_econ_fields(const struct econ_cfg *e, const struct loop_view *v,
                            struct cmd_fields *fs)
{
	double cost_vnd = econ_use_cost_vnd(e, &v->use);
	double oil_kg = v->core.oil_kg;

	cmd_num(fs, "steam_kg", v->use.steam_kg, 1);
	cmd_num(fs, "fuel_kg", v->use.fuel_kg, 1);
	cmd_num(fs, "cooling_m3", v->use.cooling_m3, 2);
	cmd_num(fs, "electricity_kwh", v->use.electricity_kwh, 2);
	cmd_num(fs, "labour_h", v->use.labour_h, 3);
	cmd_num(fs, "cost_vnd", cost_vnd, 0);
	cmd_num(fs, "cost_vnd_per_kg_oil", oil_kg > 0 ? cost_vnd / oil_kg : NAN, 0);
}

/* The still's status as fields. */
static void cmd_still_fields(const struct dmn *d, int i, const struct loop_view *v,
                             const struct loop_jitter *jit, struct cmd_fields *fs)
{
	const struct core_status *c = &v->core;
	const double *in = c->value;
	char bad[200];

	fs->n = 0;
	cmd_str(fs, "name", d->plant.stills[i].name);
	cmd_str(fs, "state", core_state_name(c->state));
	cmd_num(fs, "batch_id", (double)c->batch_id, 0);
	cmd_str(fs, "recipe", c->recipe);
	cmd_str(fs, "step", c->step);
	cmd_num(fs, "step_index", c->step_index, 0);
	cmd_num(fs, "step_count", c->step_count, 0);
	cmd_num(fs, "step_progress_pct", c->step_progress_pct, 0);
	cmd_num(fs, "pressure_kpa", in[CFG_TAG_PRESSURE], 1);
	cmd_num(fs, "still_temp_c", in[CFG_TAG_STILL_TEMP], 1);
	cmd_num(fs, "vapour_temp_c", in[CFG_TAG_VAPOUR_TEMP], 1);
	cmd_num(fs, "distillate_temp_c", in[CFG_TAG_DISTILLATE_TEMP], 1);
	cmd_num(fs, "cooling_flow_l_min", in[CFG_TAG_COOLING_FLOW], 1);
	cmd_num(fs, "steam_flow_kg_h", in[CFG_TAG_STEAM_FLOW], 1);
	cmd_num(fs, "steam_valve_pct", in[CFG_TAG_STEAM_POS], 1);
	cmd_num(fs, "cooling_valve_pct", in[CFG_TAG_COOLING_POS], 1);
	cmd_num(fs, "steam_cmd_pct", c->steam_cmd_pct, 1);
	cmd_num(fs, "oil_kg", c->oil_kg, 3);
	cmd_num(fs, "yield_pct", c->yield_pct, 3);
	cmd_num(fs, "charge_kg", c->charge_kg, 1);
	cmd_num(fs, "time_left_min", c->time_left_s < 0 ? -1 : c->time_left_s / 60, 0);
	cmd_fc_fields(c, fs);
	cmd_num(fs, "alarms", c->alarms, 0);
	cmd_num(fs, "alarms_10min", c->alarms_10min, 0);
	cmd_num(fs, "alarm_flood", c->flood, 0);
	cmd_num(fs, "alarm_floods", (double)c->floods, 0);
	cmd_str(fs, "comm", v->link);
	cmd_str(fs, "prompt", c->prompt);
	cmd_str(fs, "mode_steam", c->manual[CORE_OUT_STEAM] ? "manual" : "auto");
	cmd_str(fs, "mode_cooling", c->manual[CORE_OUT_COOLING] ? "manual" : "auto");
	cmd_loop_fields(c, fs);
	cmd_bad_tags(c->bad_tags, bad, sizeof bad);
	cmd_str(fs, "quality", bad);
	cmd_econ_fields(&d->plant.econ, v, fs);
	cmd_num(fs, "period_ms", (double)v->stats.period_ns / 1e6, 1);
	cmd_num(fs, "jitter_p50_us", loop_jitter_pct_us(jit, 50), 0);
	cmd_num(fs, "jitter_p99_us", loop_jitter_pct_us(jit, 99), 0);
	cmd_num(fs, "jitter_max_us", (double)v->stats.jitter_max_ns / 1000, 0);
	cmd_num(fs, "io_us", (double)v->stats.io_ns / 1000, 0);
	cmd_num(fs, "overruns", (double)v->stats.overruns, 0);
	cmd_num(fs, "modbus_errors", (double)v->stats.modbus_errors, 0);
	cmd_num(fs, "ticks", (double)v->stats.ticks, 0);
	cmd_num(fs, "process_s", v->process_s, 1);
}

static void cmd_status(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	int json = proto_pos(a, 1) && strcmp(proto_pos(a, 1), "json") == 0;
	struct loop_view *v;
	struct loop_jitter *jit;
	struct cmd_fields *fs;
	size_t cap = 4096 + (size_t)d->plant.n_stills * 4096;

	if (proto_pos(a, 1) && !json) {
		csock_reply_err(r, "status: the only argument is json, not '%s'", proto_pos(a, 1));
		return;
	}
	v = malloc(sizeof *v);
	jit = malloc(sizeof *jit);
	fs = malloc(sizeof *fs);
	char *line = malloc(cap);
	char one[4096];
	int alarms = 0;

	if (v == NULL || jit == NULL || fs == NULL || line == NULL) {
		csock_reply_err(r, "out of memory");
		goto out_free;
	}
	snprintf(line, cap, "{\"site\":");
	cmd_json_string(line, cap, d->plant.site);
	strncat(line, ",\"stills\":[", cap - strlen(line) - 1);
	for (int i = 0; i < d->plant.n_stills; i++) {
		loop_view(&d->loops[i], v);
		loop_jitter(&d->loops[i], jit);
		alarms += v->core.alarms;
		cmd_still_fields(d, i, v, jit, fs);
		if (json) {
			cmd_render_json(fs, one, sizeof one);
			if (i > 0)
				strncat(line, ",", cap - strlen(line) - 1);
			strncat(line, one, cap - strlen(line) - 1);
		} else {
			cmd_render_kv(fs, "still", one, sizeof one);
			csock_reply_line(r, "%s", one);
		}
	}
	if (json) {
		size_t n = strlen(line);

		snprintf(line + n, cap - n, "],\"alarms\":%d,\"sync_fault\":", alarms);
		cmd_json_string(line, cap, d->sync_fault);
		strncat(line, "}", cap - strlen(line) - 1);
		csock_reply_line(r, "%s", line);
	}
	csock_reply_ok(r, "%d stills, %d alarms", d->plant.n_stills, alarms);
out_free:
	free(line);
	free(fs);
	free(jit);
	free(v);
}

static void cmd_alarms(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	const char *only = proto_pos(a, 1);
	struct loop_view *v;
	int shown = 0;

	if (only && cfg_still_find(&d->plant, only) < 0) {
		csock_reply_err(r, "no still named %s", only);
		return;
	}
	v = malloc(sizeof *v);
	if (v == NULL) {
		csock_reply_err(r, "out of memory");
		return;
	}
	for (int i = 0; i < d->plant.n_stills; i++) {
		if (only && strcmp(only, d->plant.stills[i].name) != 0)
			continue;
		loop_view(&d->loops[i], v);
		for (int k = 0; k < v->core.n_rows; k++) {
			const struct core_alarm_row *al = &v->core.rows[k];
			char line[512] = "alarm";

			proto_append(line, sizeof line, "still", d->plant.stills[i].name);
			proto_append(line, sizeof line, "id", al->id);
			snprintf(line + strlen(line), sizeof line - strlen(line),
			         " priority=%d state=%s active=%d since_s=%.0f age_s=%.0f",
			         al->priority, core_alarm_state_name(al->state), al->active,
			         al->since_s, v->process_s - al->since_s);
			proto_append(line, sizeof line, "message", al->message);
			csock_reply_line(r, "%s", line);
			shown++;
		}
	}
	free(v);
	if (d->sync_fault[0] && !only) {
		char line[1024] = "alarm";

		proto_append(line, sizeof line, "still", "-");
		proto_append(line, sizeof line, "id", "sync-fault");
		strncat(line, " priority=1 state=unack active=1",
		        sizeof line - strlen(line) - 1);
		proto_append(line, sizeof line, "message", d->sync_fault);
		csock_reply_line(r, "%s", line);
		shown++;
	}
	csock_reply_ok(r, "%d alarms", shown);
}

static void cmd_recipes(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	(void)a;
	for (int i = 0; i < d->n_recipes; i++) {
		const struct rcp_recipe *rc = &d->recipes[i];
		char line[1024] = "recipe";

		proto_append(line, sizeof line, "name", rc->name);
		snprintf(line + strlen(line), sizeof line - strlen(line),
		         " version=%d valid=1 charge_min_kg=%.0f charge_max_kg=%.0f steps=%d",
		         rc->version, rc->charge_min_kg, rc->charge_max_kg, rc->n_steps);
		proto_append(line, sizeof line, "feedstock", rc->feedstock);
		proto_append(line, sizeof line, "sha256", rc->sha256);
		proto_append(line, sizeof line, "description", rc->description);
		csock_reply_line(r, "%s", line);
	}
	for (int i = 0; i < d->recipe_errors.n; i++) {
		char line[1024] = "recipe valid=0";

		proto_append(line, sizeof line, "error", d->recipe_errors.line[i]);
		csock_reply_line(r, "%s", line);
	}
	csock_reply_ok(r, "%d recipes", d->n_recipes);
}

/* A step's end condition in words: "after 3 min", "vapour_temp >= 98". */
static void cmd_end_text(const struct rcp_step *st, char *out, size_t len)
{
	switch (st->end) {
	case RCP_END_DURATION:
		snprintf(out, len, "after %.0f min", st->duration_s / 60);
		break;
	case RCP_END_REACH:
		snprintf(out, len, "%s %s %g", cfg_tag_name(st->reach_tag),
		         st->reach_above ? ">=" : "<=", st->reach_value);
		break;
	case RCP_END_OIL_RATE:
		snprintf(out, len, "oil < %g g/h for %.0f min", st->oil_rate_g_per_h,
		         st->oil_rate_for_s / 60);
		break;
	default:
		snprintf(out, len, "operator confirms");
	}
}

static void cmd_steps(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	const char *name = proto_pos(a, 1);
	const struct rcp_recipe *rc = name ? dmn_recipe(d, name) : NULL;

	if (rc == NULL) {
		csock_reply_err(r, "no valid recipe named %s", name ? name : "(none given)");
		return;
	}
	for (int i = 0; i < rc->n_steps; i++) {
		char line[1024], end[96];

		snprintf(line, sizeof line, "step index=%d max_min=%.0f", i + 1,
		         rc->steps[i].max_s / 60);
		proto_append(line, sizeof line, "name", rc->steps[i].name);
		proto_append(line, sizeof line, "kind", rcp_kind_name(rc->steps[i].kind));
		proto_append(line, sizeof line, "prompt", rc->steps[i].prompt);
		cmd_end_text(&rc->steps[i], end, sizeof end);
		proto_append(line, sizeof line, "end", end);
		csock_reply_line(r, "%s", line);
	}
	csock_reply_ok(r, "%d steps", rc->n_steps);
}

/* The still named by the first argument, or -1 with an err reply. */
static int cmd_still_arg(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	const char *name = proto_pos(a, 1);
	int i = name ? cfg_still_find(&d->plant, name) : -1;

	if (name == NULL)
		csock_reply_err(r, "%s: which still? (one of the plant's stills)", a->argv[0]);
	else if (i < 0)
		csock_reply_err(r, "no still named %s", name);
	return i;
}

/* Fills the operator name (required) into cmd; -1 with a reply if absent. */
static int cmd_operator(const struct proto_args *a, struct core_cmd *cmd,
                        struct csock_reply *r)
{
	const char *op = proto_opt(a, "operator");

	if (op == NULL || op[0] == '\0') {
		csock_reply_err(r, "%s: operator=NAME is required", a->argv[0]);
		return -1;
	}
	snprintf(cmd->operator_name, sizeof cmd->operator_name, "%s", op);
	return 0;
}

int cmd_number(const struct proto_args *a, const char *key, int pos, double *out,
                      struct csock_reply *r)
{
	char cause[256];
	int rc = proto_number(a, key, pos, out, cause, sizeof cause);

	if (rc == 1)
		csock_reply_err(r, "%s: needs %s", a->argv[0], key ? key : "a number");
	else if (rc < 0)
		csock_reply_err(r, "%s", cause);
	return rc == 0 ? 0 : -1;
}

/* Refuses a recipe whose file changed since it was checked. */
static int cmd_recipe_unchanged(const struct rcp_recipe *rc, char *cause, size_t cause_len)
{
	struct rcp_recipe now;
	struct diag dg;
	int same;

	diag_init(&dg);
	memset(&now, 0, sizeof now);
	if (rcp_load(&now, rc->path, NULL, &dg) < 0) {
		snprintf(cause, cause_len, "recipe %s no longer checks: %s", rc->name,
		         dg.n ? dg.line[0] : "unreadable");
		return -1;
	}
	same = strcmp(now.sha256, rc->sha256) == 0;
	rcp_free(&now);
	if (!same) {
		snprintf(cause, cause_len,
		         "recipe %s changed on disk since it was checked; reload recipes first",
		         rc->name);
		return -1;
	}
	return 0;
}

/* Checks start's arguments; fills cmd and *lots (lots=, n 0 without).
 * -1 with an err reply. */
static int cmd_start_args(struct dmn *d, const struct proto_args *a, struct core_cmd *cmd,
                          struct cmd_rec_lots *lots, struct csock_reply *r)
{
	const char *recipe = proto_opt(a, "recipe");
	char cause[STORE_CAUSE_MAX];

	if (recipe == NULL || (proto_opt(a, "lots") == NULL &&
	                       (proto_opt(a, "lot") == NULL || proto_opt(a, "mass") == NULL))) {
		csock_reply_err(r, "start: needs recipe=NAME and lot=LOT mass=KG or "
		                "lots=LOT:KG,LOT:KG");
		return -1;
	}
	cmd->recipe = dmn_recipe(d, recipe);
	if (cmd->recipe == NULL) {
		csock_reply_err(r, "no valid recipe named %s", recipe);
		return -1;
	}
	if (cmd_rec_lots(a, lots, r) < 0)
		return -1;
	cmd->charge_kg = lots->sum_kg;
	if (lots->n == 0 && cmd_number(a, "mass", 0, &cmd->charge_kg, r) < 0)
		return -1;
	if (cmd->charge_kg < cmd->recipe->charge_min_kg || cmd->charge_kg > cmd->recipe->charge_max_kg) {
		csock_reply_err(r, "mass %.1f kg is outside recipe %s's charge limits %.0f..%.0f kg",
		                cmd->charge_kg, recipe, cmd->recipe->charge_min_kg,
		                cmd->recipe->charge_max_kg);
		return -1;
	}
	if (cmd_recipe_unchanged(cmd->recipe, cause, sizeof cause) < 0) {
		csock_reply_err(r, "%s", cause);
		return -1;
	}
	return cmd_operator(a, cmd, r);
}

/* The still refused a start after its batch row was written (a trip
 * latched in between): the record says so, and the batch is aborted. The
 * row goes through the journal, which never keeps the main thread. */
static void cmd_start_failed(struct dmn *d, int i, const struct store_batch_start *b, long id,
                             const char *why)
{
	struct core_event ev = {.t_s = loop_now_s(&d->loops[i]), .kind = CORE_EV_STATE,
	                        .batch_id = id};

	snprintf(ev.what, sizeof ev.what, "state");
	snprintf(ev.old_value, sizeof ev.old_value, "running");
	snprintf(ev.new_value, sizeof ev.new_value, "aborted");
	snprintf(ev.who, sizeof ev.who, "%s", b->operator_name);
	snprintf(ev.cause, sizeof ev.cause, "fault");
	snprintf(ev.text, sizeof ev.text, "%s", why);
	if (jrn_event(&d->jrn, b->still, &ev) == 0)
		log_error("batch %ld: could not record the refused start: the journal's queue is full",
		          id);
}

static void cmd_start(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	struct core_cmd cmd = {.kind = CORE_CMD_START};
	char cause[STORE_CAUSE_MAX], done[160];
	uint64_t seq;
	int i = cmd_still_arg(d, a, r);
	struct store_batch_start b;
	struct cmd_rec_lots lots;

	if (i < 0 || cmd_start_args(d, a, &cmd, &lots, r) < 0)
		return;
	/* the still must take it before anything is written; the dry run
	 * carries a stand-in id (the real one comes from the database) */
	cmd.batch_id = LONG_MAX;
	if (loop_command(&d->loops[i], &cmd, 1, DMN_CMD_TIMEOUT_MS, &seq, cause, sizeof cause) !=
	    LOOP_CMD_TAKEN) {
		cwait_audit_refusal(d, i, "start", cmd.operator_name, cause);
		csock_reply_err(r, "%s", cause);
		return;
	}
	b = (struct store_batch_start){
		.still = d->plant.stills[i].name, .recipe_name = cmd.recipe->name,
		.recipe_version = cmd.recipe->version, .recipe_text = cmd.recipe->text,
		.recipe_sha256 = cmd.recipe->sha256, .feedstock = cmd.recipe->feedstock,
		.lot_id = proto_opt(a, "lot"), .charge_kg = cmd.charge_kg,
		.operator_name = cmd.operator_name, .lots = lots.draw, .n_lots = lots.n,
		.organic_required = cmd.recipe->organic,
	};
	cmd.batch_id = store_batch_begin(d->db, &b, cause, sizeof cause);
	if (cmd.batch_id <= 0) {
		csock_reply_err(r, "%s", cause);
		return;
	}
	/* refused or withdrawn means no tick applied it: the batch never ran */
	if (loop_command(&d->loops[i], &cmd, 0, DMN_CMD_TIMEOUT_MS, &seq, cause, sizeof cause) !=
	    LOOP_CMD_TAKEN) {
		cmd_start_failed(d, i, &b, cmd.batch_id, cause);
		csock_reply_err(r, "batch %ld: %s", cmd.batch_id, cause);
		return;
	}
	log_info("%s: batch %ld started (%s, lot %s, %.1f kg) by %s", b.still, cmd.batch_id,
	         b.recipe_name, b.lot_id ? b.lot_id : proto_opt(a, "lots"), b.charge_kg,
	         b.operator_name);
	snprintf(done, sizeof done, "batch %ld started on %s", cmd.batch_id, b.still);
	cwait_record(d, i, seq, done, r);
}

/* Which output a manual/auto command names; -1 with a reply. */
static int cmd_output_arg(const struct proto_args *a, struct core_cmd *cmd,
                          struct csock_reply *r)
{
	const char *o = proto_pos(a, 2);

	if (o && strcmp(o, "steam") == 0)
		cmd->output = CORE_OUT_STEAM;
	else if (o && strcmp(o, "cooling") == 0)
		cmd->output = CORE_OUT_COOLING;
	else {
		csock_reply_err(r, "%s: output must be steam or cooling", a->argv[0]);
		return -1;
	}
	return 0;
}

/* An alarm id as the core names them ("pressure_hh": letters, digits,
 * '_', '-', '.', ':', under CORE's 32 characters); -1 with a reply when
 * arg is not one, so malformed text never reaches the still. */
static int cmd_alarm_arg(const char *verb, const char *arg, struct csock_reply *r)
{
	size_t n = strlen(arg);

	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)arg[i]) && strchr("_-.:", arg[i]) == NULL)
			n = 0;
	if (n == 0 || n >= sizeof ((struct core_alarm *)0)->id) {
		csock_reply_err(r, "%s: '%.40s' is not an alarm id (letters, digits, _ - . :, "
		                "at most 31 characters)", verb, arg);
		return -1;
	}
	return 0;
}

/* Fills the verb-specific parts of a still command; -1 with a reply. */
static int cmd_still_args(const struct proto_args *a, struct core_cmd *cmd,
                          struct csock_reply *r)
{
	const char *arg = proto_pos(a, 2);
	const char *text = proto_opt(a, "text");
	double v;

	switch (cmd->kind) {
	case CORE_CMD_ACK:
		if (arg && cmd_alarm_arg("ack", arg, r) < 0)
			return -1;
		snprintf(cmd->text, sizeof cmd->text, "%s", arg ? arg : "");
		return 0;
	case CORE_CMD_SHELVE:
		if (arg == NULL || proto_opt(a, "reason") == NULL) {
			csock_reply_err(r, "shelve: needs ALARM minutes=N reason=TEXT");
			return -1;
		}
		if (cmd_alarm_arg("shelve", arg, r) < 0 || cmd_number(a, "minutes", 0, &v, r) < 0)
			return -1;
		cmd->shelve_s = v * 60;
		snprintf(cmd->text, sizeof cmd->text, "%s %s", arg, proto_opt(a, "reason"));
		return 0;
	case CORE_CMD_ANSWER:
		if (text == NULL && arg == NULL) {
			csock_reply_err(r, "answer: needs text=TEXT");
			return -1;
		}
		snprintf(cmd->text, sizeof cmd->text, "%s", text ? text : arg);
		return 0;
	case CORE_CMD_MANUAL:
		if (cmd_output_arg(a, cmd, r) < 0)
			return -1;
		return cmd_number(a, NULL, 3, &cmd->pct, r);
	case CORE_CMD_AUTO:
		return cmd_output_arg(a, cmd, r);
	default:
		return 0;
	}
}

static const struct {
	const char *verb;
	enum core_cmd_kind kind;
} cmd_still_verbs[] = {
	{"hold", CORE_CMD_HOLD},       {"restart", CORE_CMD_RESTART},
	{"stop", CORE_CMD_STOP},       {"abort", CORE_CMD_ABORT},
	{"reset", CORE_CMD_RESET},     {"ack", CORE_CMD_ACK},
	{"shelve", CORE_CMD_SHELVE},   {"answer", CORE_CMD_ANSWER},
	{"manual", CORE_CMD_MANUAL},   {"auto", CORE_CMD_AUTO},
};

/* hold, restart, stop, abort, reset, ack, shelve, answer, manual, auto. */
static int cmd_still_verb(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	struct core_cmd cmd = {0};
	char done[160];
	size_t k;
	int i;

	for (k = 0; k < sizeof cmd_still_verbs / sizeof cmd_still_verbs[0]; k++)
		if (strcmp(a->argv[0], cmd_still_verbs[k].verb) == 0)
			break;
	if (k == sizeof cmd_still_verbs / sizeof cmd_still_verbs[0])
		return 0;
	cmd.kind = cmd_still_verbs[k].kind;
	i = cmd_still_arg(d, a, r);
	if (i < 0 || cmd_still_args(a, &cmd, r) < 0 || cmd_operator(a, &cmd, r) < 0)
		return 1;
	snprintf(done, sizeof done, "%s %s", a->argv[0], d->plant.stills[i].name);
	cwait_command(d, i, &cmd, done, r);
	return 1;
}

/* The batch id given as the first argument; -1 with an err reply. */
static long cmd_batch_arg(const struct proto_args *a, struct csock_reply *r)
{
	double id;

	if (cmd_number(a, NULL, 1, &id, r) < 0)
		return -1;
	return (long)id;
}

/* weigh BATCH oil_kg=N [why=TEXT] operator=NAME: the oil as weighed. */
static void cmd_weigh(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	const char *op = proto_opt(a, "operator");
	char cause[STORE_CAUSE_MAX];
	long id = cmd_batch_arg(a, r);
	double kg;

	if (id < 0)
		return;
	if (op == NULL) {
		csock_reply_err(r, "weigh: needs BATCH oil_kg=KG operator=NAME");
		return;
	}
	if (cmd_number(a, "oil_kg", 0, &kg, r) < 0)
		return;
	if (store_batch_weigh(d->db, id, kg, op, proto_opt(a, "why"), cause, sizeof cause) < 0)
		csock_reply_err(r, "%s", cause);
	else
		csock_reply_ok(r, "batch %ld: %.3f kg of oil weighed by %s", id, kg, op);
}

/* Fills *res from the request's key=value tokens (console and CLI names). */
static int cmd_qa_fields(const struct proto_args *a, struct store_qa_result *res,
                         char *cause, size_t cause_len)
{
	static const char *const keys[][2] = {
		{"density", "density"}, {"ri", "ri"}, {"refractive_index", "ri"},
		{"marker", "marker"},   {"marker_pct", "marker"}, {"analyst", "analyst"},
		{"lab_ref", "lab_ref"}, {"why", "why"},
	};

	store_qa_result_init(res);
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		const char *v = proto_opt(a, keys[k][0]);

		if (v != NULL && store_qa_result_set(res, keys[k][1], v, cause, cause_len) < 0)
			return -1;
	}
	return 0;
}

/* qa BATCH density= ri= marker= analyst= [lab_ref=] [why=] operator=. */
static void cmd_qa(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	char cause[STORE_CAUSE_MAX], feed[CFG_NAME_MAX];
	struct store_qa_result res;
	const struct store_qa_spec *spec;
	long id = cmd_batch_arg(a, r);
	int in_spec = 0;

	if (id < 0)
		return;
	if (proto_opt(a, "operator") == NULL || cmd_qa_fields(a, &res, cause, sizeof cause) < 0) {
		csock_reply_err(r, "qa: %s", proto_opt(a, "operator") ? cause : "operator=NAME is required");
		return;
	}
	if (store_batch_feedstock(d->db, id, feed, sizeof feed, cause, sizeof cause) < 0) {
		csock_reply_err(r, "%s", cause);
		return;
	}
	spec = d->n_qa_specs > 0 ? qaspec_find(d->qa_specs, d->n_qa_specs, feed) : NULL;
	if (spec == NULL) {
		csock_reply_err(r, "no QA spec for %s in %s", feed, d->plant.qa_spec_path);
		return;
	}
	if (store_qa_record(d->db, id, &res, spec, &in_spec, cause, sizeof cause) < 0)
		csock_reply_err(r, "%s", cause);
	else
		csock_reply_ok(r, "batch %ld: lab results recorded, %s", id,
		               in_spec ? "within the spec" : "OUT OF SPEC");
}

/* decide BATCH decision=release|quarantine|reject [reason=] operator=. */
static void cmd_decide(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	static const char *const words[][2] = {
		{"release", "released"},       {"released", "released"},
		{"quarantine", "quarantined"}, {"quarantined", "quarantined"},
		{"reject", "rejected"},        {"rejected", "rejected"},
	};
	const char *want = proto_opt(a, "decision"), *op = proto_opt(a, "operator");
	const char *decision = NULL;
	char cause[STORE_CAUSE_MAX];
	long id = cmd_batch_arg(a, r);

	if (id < 0)
		return;
	for (size_t k = 0; want && k < sizeof words / sizeof words[0]; k++)
		if (strcmp(want, words[k][0]) == 0)
			decision = words[k][1];
	if (decision == NULL || op == NULL) {
		csock_reply_err(r, "decide: needs BATCH decision=release|quarantine|reject operator=NAME");
		return;
	}
	if (store_qa_decide(d->db, id, decision, op,
	                    proto_opt(a, "reason") ? proto_opt(a, "reason") : proto_opt(a, "why"),
	                    cause, sizeof cause) < 0)
		csock_reply_err(r, "%s", cause);
	else
		csock_reply_ok(r, "batch %ld %s by %s", id, decision, op);
}

static void cmd_reload(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	(void)a;
	if (dmn_load_recipes(d) < 0)
		csock_reply_err(r, "recipes have errors; kept the %d loaded before: %s",
		                d->n_recipes, d->recipe_errors.n ? d->recipe_errors.line[0] : "");
	else
		csock_reply_ok(r, "%d recipes loaded", d->n_recipes);
}

static void cmd_hello(struct dmn *d, const struct proto_args *a, struct csock_reply *r)
{
	(void)d;
	(void)a;
	csock_reply_ok(r, "stillroomd %s protocol %d", SR_VERSION, PROTO_VERSION);
}

/* sync-fault text=TEXT operator=NAME (stillroom-sync: the centre refused
 * the audit chain) raises the plant's sync-fault alarm; clear=1 ends it.
 * On the main thread: no tick waits on it. */
static void cmd_sync_fault(struct dmn *d, const struct proto_args *a,
                           struct csock_reply *r)
{
	const char *text = proto_opt(a, "text"), *clear = proto_opt(a, "clear");

	if (!proto_opt(a, "operator") || (!text && !clear)) {
		csock_reply_err(r, "sync-fault: text=TEXT (or clear=1) and "
		                "operator=NAME are required");
		return;
	}
	if (clear && strcmp(clear, "1") == 0) {
		d->sync_fault[0] = '\0';
		log_info("sync fault cleared by %s", proto_opt(a, "operator"));
		csock_reply_ok(r, "sync fault cleared");
		return;
	}
	snprintf(d->sync_fault, sizeof d->sync_fault, "%s", text ? text : "");
	log_warn("sync fault from %s: %s", proto_opt(a, "operator"), d->sync_fault);
	csock_reply_ok(r, "sync fault raised");
}

static const struct {
	const char *verb;
	void (*fn)(struct dmn *, const struct proto_args *, struct csock_reply *);
} cmd_verbs[] = {
	{"hello", cmd_hello},     {"status", cmd_status},   {"alarms", cmd_alarms},
	{"recipes", cmd_recipes}, {"steps", cmd_steps},     {"start", cmd_start},
	{"lot-add", cmd_rec_lot_add}, {"reload", cmd_reload},   {"weigh", cmd_weigh},
	{"qa", cmd_qa},           {"decide", cmd_decide},
	{"lot-correct", cmd_rec_lot_correct}, {"drum-fill", cmd_rec_drum_fill},
	{"ship", cmd_rec_ship},   {"advance", cmd_rec_advance},
	{"sync-fault", cmd_sync_fault},
};

void cmd_handle(void *ctx, const char *line, struct csock_reply *r)
{
	struct dmn *d = ctx;
	struct proto_args *a = malloc(sizeof *a);
	char cause[512];

	if (a == NULL) {
		csock_reply_err(r, "out of memory");
		return;
	}
	if (proto_split(a, line, cause, sizeof cause) < 0) {
		csock_reply_err(r, "%s", cause);
		goto out_free;
	}
	if (a->argc == 0) {
		csock_reply_err(r, "empty request");
		goto out_free;
	}
	if (proto_check(a, cause, sizeof cause) < 0) {
		csock_reply_err(r, "%s", cause);
		goto out_free;
	}
	for (size_t k = 0; k < sizeof cmd_verbs / sizeof cmd_verbs[0]; k++) {
		if (strcmp(a->argv[0], cmd_verbs[k].verb) == 0) {
			cmd_verbs[k].fn(d, a, r);
			goto out_free;
		}
	}
	if (!cmd_still_verb(d, a, r))
		csock_reply_err(r, "unknown request '%s' (see docs/PROTOCOL.md)", a->argv[0]);
out_free:
	free(a);
}
