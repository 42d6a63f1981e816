/*
 * store_histvt: the table-valued SQL function hist_batch(batch_id), the
 * samples of a batch as rows (columns as the old samples table), read
 * through store_hist's batch iterator a block at a time. Registered on
 * every connection by store_open (store_int.h). STORE_Q_CURVE uses it.
 */
#include "store_int.h"

#include <math.h>
#include <stdlib.h>

enum {
	HISTVT_T, HISTVT_WALL, HISTVT_STILL, HISTVT_BATCH_ID,
	HISTVT_TAG0, HISTVT_QUALITY = HISTVT_TAG0 + CFG_TAG_COUNT,
	HISTVT_ARG
};

struct histvt_tab {
	sqlite3_vtab base;
	struct store *s;
};

struct histvt_cur {
	sqlite3_vtab_cursor base;
	struct store_hist_iter *it;   /* NULL: no rows */
	long i;                       /* rows passed: the rowid less one */
};

static int histvt_connect(sqlite3 *db, void *aux, int argc,
                           const char *const *argv, sqlite3_vtab **out,
                           char **err)
{
	struct histvt_tab *v;
	int rc = sqlite3_declare_vtab(db,
		"CREATE TABLE x(t_process_s, wall_s, still, batch_id, still_temp,"
		" vapour_temp, pressure, distillate_temp, cooling_flow, steam_flow,"
		" oil, charge, steam_valve, cooling_valve, status, steam_cmd,"
		" cooling_cmd, heartbeat, quality, batch HIDDEN)");

	(void)argc;
	(void)argv;
	(void)err;
	if (rc != SQLITE_OK)
		return rc;
	v = sqlite3_malloc(sizeof *v);
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof *v);
	v->s = aux;
	*out = &v->base;
	return SQLITE_OK;
}

static int histvt_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

static int histvt_best(sqlite3_vtab *v, sqlite3_index_info *info)
{
	(void)v;
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];

		if (c->iColumn != HISTVT_ARG || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		if (!c->usable)
			return SQLITE_CONSTRAINT;
		info->aConstraintUsage[i].argvIndex = 1;
		info->aConstraintUsage[i].omit = 1;
		info->idxNum = 1;
		info->estimatedCost = 100;
		info->orderByConsumed = info->nOrderBy == 1 &&
			info->aOrderBy[0].iColumn == HISTVT_T && !info->aOrderBy[0].desc;
		return SQLITE_OK;
	}
	info->idxNum = 0;
	info->estimatedCost = 1e12;
	return SQLITE_OK;
}

static int histvt_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	struct histvt_cur *c = sqlite3_malloc(sizeof *c);

	(void)v;
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int histvt_close(sqlite3_vtab_cursor *cur)
{
	struct histvt_cur *c = (struct histvt_cur *)cur;

	store_hist_iter_close(c->it);
	sqlite3_free(c);
	return SQLITE_OK;
}

/* Sets the vtab's error message to cause; returns SQLITE_ERROR. */
static int histvt_fail(sqlite3_vtab_cursor *cur, const char *cause)
{
	sqlite3_free(cur->pVtab->zErrMsg);
	cur->pVtab->zErrMsg = sqlite3_mprintf("%s", cause);
	return SQLITE_ERROR;
}

static int histvt_filter(sqlite3_vtab_cursor *cur, int idx, const char *idx_str,
                         int argc, sqlite3_value **argv)
{
	struct histvt_cur *c = (struct histvt_cur *)cur;
	struct histvt_tab *v = (struct histvt_tab *)cur->pVtab;
	char cause[STORE_CAUSE_MAX];

	(void)idx_str;
	store_hist_iter_close(c->it);
	c->it = NULL;
	c->i = 0;
	if (idx != 1 || argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return SQLITE_OK;
	c->it = store_hist_iter_open(v->s, (long)sqlite3_value_int64(argv[0]),
	                             cause, sizeof cause);
	return c->it ? SQLITE_OK : histvt_fail(cur, cause);
}

static int histvt_next(sqlite3_vtab_cursor *cur)
{
	struct histvt_cur *c = (struct histvt_cur *)cur;
	char cause[STORE_CAUSE_MAX];

	c->i++;
	if (c->it && store_hist_iter_next(c->it, cause, sizeof cause) < 0)
		return histvt_fail(cur, cause);
	return SQLITE_OK;
}

static int histvt_eof(sqlite3_vtab_cursor *cur)
{
	struct histvt_cur *c = (struct histvt_cur *)cur;

	return !c->it || !store_hist_iter_row(c->it);
}

static void histvt_quality(sqlite3_context *ctx, const struct store_sample *r)
{
	char q[CFG_TAG_COUNT + 1];

	for (int t = 0; t < CFG_TAG_COUNT; t++)
		q[t] = (char)('0' + (r->quality[t] > 9 ? 9 : r->quality[t]));
	q[CFG_TAG_COUNT] = '\0';
	sqlite3_result_text(ctx, q, CFG_TAG_COUNT, SQLITE_TRANSIENT);
}

static int histvt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	struct histvt_cur *c = (struct histvt_cur *)cur;
	const struct store_sample *r = &store_hist_iter_row(c->it)->s;
	double v;

	if (col == HISTVT_T || col == HISTVT_WALL)
		sqlite3_result_double(ctx, col == HISTVT_T ? r->t_process_s : r->wall_s);
	else if (col == HISTVT_STILL)
		sqlite3_result_text(ctx, r->still, -1, SQLITE_TRANSIENT);
	else if (col == HISTVT_BATCH_ID || col == HISTVT_ARG)
		sqlite3_result_int64(ctx, r->batch_id);
	else if (col == HISTVT_QUALITY)
		histvt_quality(ctx, r);
	else if (v = r->value[col - HISTVT_TAG0], isnan(v))
		sqlite3_result_null(ctx);
	else
		sqlite3_result_double(ctx, v);
	return SQLITE_OK;
}

static int histvt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((struct histvt_cur *)cur)->i + 1;
	return SQLITE_OK;
}

static const sqlite3_module histvt_module = {
	.xConnect = histvt_connect,
	.xBestIndex = histvt_best,
	.xDisconnect = histvt_disconnect,
	.xOpen = histvt_open,
	.xClose = histvt_close,
	.xFilter = histvt_filter,
	.xNext = histvt_next,
	.xEof = histvt_eof,
	.xColumn = histvt_column,
	.xRowid = histvt_rowid,
};

int store_histvt_register(struct store *s)
{
	return sqlite3_create_module(s->db, "hist_batch", &histvt_module, s) ==
	       SQLITE_OK ? 0 : -1;
}
