/*
 * store_qa: audited writers of QA lab results (checked against the
 * feedstock's spec) and release decisions. Writer part.
 */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* QA: lab results against the feedstock's spec, release decisions     */

/* Appends "label v below/above limit; " to buf when v is out of range. */
static void store_qa_limit(char *buf, size_t len, const char *label, double v,
                           double lo, double hi, int decimals)
{
	size_t used = strlen(buf);

	if (!isnan(lo) && v < lo)
		snprintf(buf + used, len - used, "%s%s %.*f below %.*f",
		         used ? "; " : "", label, decimals, v, decimals, lo);
	else if (!isnan(hi) && v > hi)
		snprintf(buf + used, len - used, "%s%s %.*f above %.*f",
		         used ? "; " : "", label, decimals, v, decimals, hi);
}

/* Checks r against spec; failures gets the reasons ("" when in spec).
 * Returns 1 when in spec. */
static int store_qa_check(const struct store_qa_result *r,
                          const struct store_qa_spec *spec, char *failures,
                          size_t len)
{
	failures[0] = '\0';
	store_qa_limit(failures, len, "density", r->density, spec->density_min,
	               spec->density_max, 4);
	store_qa_limit(failures, len, "refractive index", r->refractive_index,
	               spec->ri_min, spec->ri_max, 4);
	store_qa_limit(failures, len, spec->marker, r->marker_pct,
	               spec->marker_min_pct, spec->marker_max_pct, 1);
	return failures[0] == '\0';
}

/* 1 when each figure of r is inside qaspec.h's plausible bounds. */
static int store_qa_plausible(const struct store_qa_result *r)
{
	return r->density >= QASPEC_DENSITY_LO && r->density <= QASPEC_DENSITY_HI &&
	       r->refractive_index >= QASPEC_RI_LO &&
	       r->refractive_index <= QASPEC_RI_HI &&
	       r->marker_pct >= QASPEC_MARKER_LO_PCT &&
	       r->marker_pct <= QASPEC_MARKER_HI_PCT;
}

/* Results fit to record, or -1 with cause. */
static int store_qa_result_check(long id, const struct store_qa_result *r,
                                 const struct store_qa_spec *spec, char *cause,
                                 size_t cause_len)
{
	if (!spec || store_blank(spec->feedstock) || store_blank(spec->marker))
		return store_fail(cause, cause_len, "batch %ld: no QA spec given", id);
	if (!isfinite(r->density) || !isfinite(r->refractive_index) ||
	    !isfinite(r->marker_pct))
		return store_fail(cause, cause_len, "batch %ld: QA results need "
		                  "density, refractive index and %s", id, spec->marker);
	if (!store_qa_plausible(r))
		return store_fail(cause, cause_len, "batch %ld: QA results out of any "
		                  "plausible range", id);
	if (!STORE_TERMINATED(r->analyst) || !STORE_TERMINATED(r->lab_ref) ||
	    !STORE_TERMINATED(r->why) || store_blank(r->analyst))
		return store_fail(cause, cause_len, "batch %ld: QA results need the "
		                  "analyst's name", id);
	return 0;
}

/* The batch exists, has ended and is of feedstock (when not NULL). */
static int store_batch_ended(struct store *s, long id, const char *feedstock,
                             const char *doing, char *cause, size_t cause_len)
{
	struct store_batch_row b;

	if (store_query_batch_row(s, id, &b, cause, cause_len) < 0)
		return -1;
	if (!b.ended)
		return store_fail(cause, cause_len, "batch %ld is %s, not ended; %s "
		                  "after it ends", id, b.state, doing);
	if (feedstock && strcmp(feedstock, b.feedstock) != 0)
		return store_fail(cause, cause_len, "batch %ld is %s; the QA spec "
		                  "given is for %s", id, b.feedstock, feedstock);
	return 0;
}

static const char store_sql_qa_last[] =
	"SELECT printf('density %.4f, nD %.4f, %s %.1f %%: %s', density,"
	" refractive_index, marker, marker_pct,"
	" CASE in_spec WHEN 1 THEN 'in spec' ELSE 'out of spec' END),"
	" in_spec, coalesce(failures, '')"
	" FROM qa_results WHERE batch_id = ?1 ORDER BY id DESC LIMIT 1";
static const char store_sql_qa_insert[] =
	"INSERT INTO qa_results (batch_id, density, refractive_index, marker,"
	" marker_pct, analyst, lab_ref, why, spec_feedstock, density_min,"
	" density_max, ri_min, ri_max, marker_min_pct, marker_max_pct, in_spec,"
	" failures, at, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, ''),"
	" nullif(?8, ''), ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, nullif(?17, ''),"
	" ?18, ?19)";

/* The batch's latest QA result: 1 (summary, in_spec, failures), 0, -1. */
static int store_qa_last(struct store *s, long id, char *summary, size_t len,
                         int *in_spec, char *failures, size_t failures_len,
                         char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_qa_last, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(s, st, "read the QA results", cause, cause_len);
	if (rc <= 0)
		return rc;
	store_col_text(st, 0, summary, len);
	*in_spec = sqlite3_column_int(st, 1);
	store_col_text(st, 2, failures, failures_len);
	sqlite3_reset(st);
	return 1;
}

/* A QA result row's values (store_qa_bind). */
struct store_qa_ins {
	long id;
	const struct store_qa_result *r;
	const struct store_qa_spec *spec;
	int ok;                     /* in spec */
	const char *failures;
	const char *now;
};

/* Binds the result, its spec and the check's outcome. */
static void store_qa_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_qa_ins *in = arg;
	const struct store_qa_result *r = in->r;
	const struct store_qa_spec *spec = in->spec;

	sqlite3_bind_int64(st, 1, in->id);
	sqlite3_bind_double(st, 2, r->density);
	sqlite3_bind_double(st, 3, r->refractive_index);
	store_bind_text(st, 4, spec->marker);
	sqlite3_bind_double(st, 5, r->marker_pct);
	store_bind_text(st, 6, r->analyst);
	store_bind_text(st, 7, r->lab_ref);
	store_bind_text(st, 8, r->why);
	store_bind_text(st, 9, spec->feedstock);
	store_bind_real(st, 10, spec->density_min);
	store_bind_real(st, 11, spec->density_max);
	store_bind_real(st, 12, spec->ri_min);
	store_bind_real(st, 13, spec->ri_max);
	store_bind_real(st, 14, spec->marker_min_pct);
	store_bind_real(st, 15, spec->marker_max_pct);
	sqlite3_bind_int(st, 16, in->ok);
	store_bind_text(st, 17, in->failures);
	store_bind_text(st, 18, in->now);
}

/* Writes the QA row in and its audit row a. */
static int store_qa_write(struct store *s, const struct store_qa_ins *in,
                          struct store_audit *a, char *cause, size_t cause_len)
{
	const struct store_write_row w = {
		.rec = STORE_REC_QA, .sql = store_sql_qa_insert,
		.doing = "record the QA results", .bind = store_qa_bind, .arg = in,
	};

	return store_write_audited(s, &w, a, cause, cause_len);
}

/* Inserts the results and their audit row. Inside a transaction. */
static int store_qa_add(struct store *s, long id, const struct store_qa_result *r,
                        const struct store_qa_spec *spec, int *in_spec,
                        char *cause, size_t cause_len)
{
	char now[STORE_NOW_MAX], old[STORE_SUMMARY_MAX], new[STORE_SUMMARY_MAX];
	char failures[STORE_SUMMARY_MAX], old_failures[STORE_SUMMARY_MAX];
	struct store_qa_ins in = {id, r, spec, 0, failures, now};
	struct store_audit a;
	int ok, old_ok, had;

	if (store_batch_ended(s, id, spec->feedstock, "record QA results", cause,
	                      cause_len) < 0)
		return -1;
	had = store_qa_last(s, id, old, sizeof old, &old_ok, old_failures,
	                    sizeof old_failures, cause, cause_len);
	if (had < 0)
		return -1;
	if (had && store_blank(r->why))
		return store_fail(cause, cause_len, "batch %ld already has QA results "
		                  "(%s); a correction needs a reason (why)", id, old);
	ok = store_qa_check(r, spec, failures, sizeof failures);
	in.ok = ok;
	snprintf(new, sizeof new, "density %.4f, nD %.4f, %s %.1f %%: %s",
	         r->density, r->refractive_index, spec->marker, r->marker_pct,
	         ok ? "in spec" : "out of spec");
	if (store_now(s, now, cause, cause_len) < 0)
		return -1;
	a = store_audit_make(now, "qa", "result", had ? old : NULL, new, r->analyst);
	a.batch_id = id;
	a.cause = "operator";
	a.text = store_blank(r->why) ? (ok ? NULL : failures) : r->why;
	if (in_spec)
		*in_spec = ok;
	return store_qa_write(s, &in, &a, cause, cause_len);
}

int store_qa_record(struct store *s, long batch_id,
                    const struct store_qa_result *r,
                    const struct store_qa_spec *spec, int *in_spec,
                    char *cause, size_t cause_len)
{
	if (store_qa_result_check(batch_id, r, spec, cause, cause_len) < 0)
		return -1;
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_qa_add(s, batch_id, r, spec, in_spec, cause,
	                                 cause_len),
	                 cause, cause_len);
}

static const char store_sql_decision_last[] =
	"SELECT decision FROM qa_decisions WHERE batch_id = ?1"
	" ORDER BY id DESC LIMIT 1";
static const char store_sql_decision_insert[] =
	"INSERT INTO qa_decisions (batch_id, decision, who, why, at, event_id)"
	" VALUES (?1, ?2, ?3, nullif(?4, ''), ?5, ?6)";

/* A release needs QA results, the latest in spec. */
static int store_release_ok(struct store *s, long id, char *cause,
                            size_t cause_len)
{
	char summary[STORE_SUMMARY_MAX], failures[STORE_SUMMARY_MAX];
	int in_spec, rc;

	rc = store_qa_last(s, id, summary, sizeof summary, &in_spec, failures,
	                   sizeof failures, cause, cause_len);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return store_fail(cause, cause_len, "batch %ld has no QA results; "
		                  "record them before releasing it", id);
	if (!in_spec)
		return store_fail(cause, cause_len, "batch %ld is out of spec (%s); "
		                  "quarantine or reject it", id, failures);
	return 0;
}

/* The previous decision into old ("pending" when none). */
static int store_decision_last(struct store *s, long id, char *old, size_t len,
                               char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_decision_last, cause, cause_len);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = store_row(s, st, "read the QA decisions", cause, cause_len);
	if (rc < 0)
		return -1;
	snprintf(old, len, "%s", rc ? store_col(st, 0) : "pending");
	sqlite3_reset(st);
	return 0;
}

/* A decision row's values (store_decision_bind). */
struct store_decision_ins {
	long id;
	const char *decision;
	const char *who;
	const char *why;
	const char *now;
};

static void store_decision_bind(sqlite3_stmt *st, const void *arg)
{
	const struct store_decision_ins *in = arg;

	sqlite3_bind_int64(st, 1, in->id);
	store_bind_text(st, 2, in->decision);
	store_bind_text(st, 3, in->who);
	store_bind_text(st, 4, in->why);
	store_bind_text(st, 5, in->now);
}

/* Inserts the decision and its audit row. Inside a transaction. */
static int store_decide(struct store *s, long id, const char *decision,
                        const char *who, const char *why, char *cause,
                        size_t cause_len)
{
	char now[STORE_NOW_MAX], old[32];
	const struct store_decision_ins in = {id, decision, who, why, now};
	const struct store_write_row w = {
		.rec = STORE_REC_DECISION, .sql = store_sql_decision_insert,
		.doing = "record the QA decision", .bind = store_decision_bind,
		.arg = &in,
	};
	struct store_audit a;

	if (store_batch_ended(s, id, NULL, "decide on its release", cause,
	                      cause_len) < 0)
		return -1;
	if (strcmp(decision, "released") == 0 &&
	    store_release_ok(s, id, cause, cause_len) < 0)
		return -1;
	if (store_decision_last(s, id, old, sizeof old, cause, cause_len) < 0 ||
	    store_now(s, now, cause, cause_len) < 0)
		return -1;
	a = store_audit_make(now, "qa", "decision", old, decision, who);
	a.batch_id = id;
	a.cause = "operator";
	a.text = store_blank(why) ? NULL : why;
	return store_write_audited(s, &w, &a, cause, cause_len);
}

int store_qa_decide(struct store *s, long batch_id, const char *decision,
                    const char *who, const char *why, char *cause,
                    size_t cause_len)
{
	if (!decision || (strcmp(decision, "released") != 0 &&
	                  strcmp(decision, "quarantined") != 0 &&
	                  strcmp(decision, "rejected") != 0))
		return store_fail(cause, cause_len, "batch %ld: '%s' is not a decision "
		                  "(released, quarantined or rejected)", batch_id,
		                  decision ? decision : "");
	if (store_blank(who))
		return store_fail(cause, cause_len, "batch %ld: who decides?", batch_id);
	if (store_begin(s, 1, cause, cause_len) < 0)
		return -1;
	return store_end(s, store_decide(s, batch_id, decision, who, why, cause,
	                                 cause_len),
	                 cause, cause_len);
}
