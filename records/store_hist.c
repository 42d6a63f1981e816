/*
 * store_hist: the historian's storage: the block codec, packing raw rows
 * into blocks, and the one read interface (store_hist.h). Read part.
 *
 * A block is the samples of one still, one batch (or none) and one
 * STORE_HIST_BLOCK_S window of wall time, at most STORE_HIST_BLOCK_MAX of
 * them, as one BLOB (docs/RECORDS.md, "The historian"):
 *   version byte, varint n, varint channels,
 *   process and wall time: milliseconds after the block's first sample,
 *     delta-of-delta, zigzag varints (a steady period is all zeros),
 *   aggregates only: varint sample count per row,
 *   quality: per tag, n bytes (0 good, 1..9 as recorded, 255 good but
 *     no value),
 *   per channel: a scale byte e (value = integer * 10^(e - 8)), the
 *     coarsest power of ten that holds every value of the block exactly,
 *     or 255 for IEEE doubles; then the good values as zigzag varint
 *     deltas of those integers,
 * the whole deflated (zlib) when that is smaller: 'Z', varint length,
 * stream; else 'R' and the bytes.
 */
#include "store_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "cfg_hist.h"

_Static_assert(STORE_HIST_BLOCK_S == CFG_HIST_BLOCK_S,
               "the retention setting's block span is the historian's");

#define STORE_HIST_VERSION 1
#define STORE_HIST_EXP_BIAS 8          /* e byte 0..16: 10^-8 .. 10^8 */
#define STORE_HIST_EXP_COARSEST 6      /* tried first: 10^6 */
#define STORE_HIST_EXP_FINEST -6       /* tried last: 10^-6 */
#define STORE_HIST_EXP_RAW 255
#define STORE_HIST_Q_NOVALUE 255
#define STORE_HIST_AGG_SPAN_MAX_S 86400 /* an aggregate block's widest span */
#define STORE_HIST_CH_MAX (3 * CFG_TAG_COUNT)
#define STORE_HIST_XSTR(x) #x
#define STORE_HIST_STR(x) STORE_HIST_XSTR(x)

/* ------------------------------------------------------------------ */
/* Byte buffers                                                         */

struct hist_buf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static void hist_put(struct hist_buf *b, const void *d, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		unsigned char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void hist_byte(struct hist_buf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	hist_put(b, &c, 1);
}

static void hist_uvar(struct hist_buf *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;

	do {
		t[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	hist_put(b, t, n);
}

static void hist_svar(struct hist_buf *b, int64_t v)
{
	hist_uvar(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* A reader over a decoded block; bad is set on any overrun. */
struct hist_rd {
	const unsigned char *p, *end;
	int bad;
};

static unsigned hist_get_byte(struct hist_rd *r)
{
	if (r->p >= r->end) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

static uint64_t hist_get_uvar(struct hist_rd *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		unsigned c = hist_get_byte(r);

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

static int64_t hist_get_svar(struct hist_rd *r)
{
	uint64_t u = hist_get_uvar(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */

/* The value of channel ch (tag ch % CFG_TAG_COUNT; mean, lo, hi) of r. */
static double hist_chan(const struct store_hist_row *r, int ch)
{
	int tag = ch % CFG_TAG_COUNT;

	if (ch < CFG_TAG_COUNT)
		return r->s.value[tag];
	return ch < 2 * CFG_TAG_COUNT ? r->lo[tag] : r->hi[tag];
}

static double *hist_chan_ptr(struct store_hist_row *r, int ch)
{
	int tag = ch % CFG_TAG_COUNT;

	if (ch < CFG_TAG_COUNT)
		return &r->s.value[tag];
	return ch < 2 * CFG_TAG_COUNT ? &r->lo[tag] : &r->hi[tag];
}

/* 1 when tag of r holds a value (good and finite). */
static int hist_has(const struct store_hist_row *r, int tag)
{
	return r->s.quality[tag] == 0 && isfinite(r->s.value[tag]);
}

/* 1 when every good value of channel ch fits 10^e exactly. */
static int hist_exp_fits(const struct store_hist_row *rows, int n, int ch,
                         int e)
{
	double res = pow(10, e);

	for (int i = 0; i < n; i++) {
		double v = hist_chan(&rows[i], ch), q;

		if (!hist_has(&rows[i], ch % CFG_TAG_COUNT))
			continue;
		q = nearbyint(v / res);
		if (!isfinite(v) || fabs(q) > 9.0e15 || q * res != v)
			return 0;
	}
	return 1;
}

/* Writes channel ch: its scale byte, then the values. */
static void hist_enc_chan(struct hist_buf *b, const struct store_hist_row *rows,
                          int n, int ch)
{
	int e = STORE_HIST_EXP_COARSEST;
	int64_t prev = 0;

	while (e >= STORE_HIST_EXP_FINEST && !hist_exp_fits(rows, n, ch, e))
		e--;
	if (e < STORE_HIST_EXP_FINEST) {
		hist_byte(b, STORE_HIST_EXP_RAW);
		for (int i = 0; i < n; i++)
			if (hist_has(&rows[i], ch % CFG_TAG_COUNT)) {
				double v = hist_chan(&rows[i], ch);

				hist_put(b, &v, sizeof v);
			}
		return;
	}
	hist_byte(b, (unsigned)(e + STORE_HIST_EXP_BIAS));
	for (int i = 0; i < n; i++) {
		int64_t q;

		if (!hist_has(&rows[i], ch % CFG_TAG_COUNT))
			continue;
		q = (int64_t)nearbyint(hist_chan(&rows[i], ch) / pow(10, e));
		hist_svar(b, q - prev);
		prev = q;
	}
}

/* Milliseconds of t after t0, delta-of-delta. */
static void hist_enc_times(struct hist_buf *b, const struct store_hist_row *rows,
                           int n, int wall)
{
	double t0 = wall ? rows[0].s.wall_s : rows[0].s.t_process_s;
	int64_t prev = 0, prev_d = 0;

	for (int i = 0; i < n; i++) {
		double t = wall ? rows[i].s.wall_s : rows[i].s.t_process_s;
		int64_t ms = (int64_t)llround((t - t0) * 1000.0);

		hist_svar(b, (ms - prev) - prev_d);
		prev_d = ms - prev;
		prev = ms;
	}
}

/* The block of rows (one still, batch and window) in *out (malloc'd). */
static int hist_encode(const struct store_hist_row *rows, int n, int agg,
                       int zip, struct hist_buf *out)
{
	struct hist_buf raw = {0};
	int nch = agg ? STORE_HIST_CH_MAX : CFG_TAG_COUNT;
	unsigned char *z;
	uLongf zlen;
	int rc = -1;

	hist_byte(&raw, STORE_HIST_VERSION);
	hist_uvar(&raw, (uint64_t)n);
	hist_uvar(&raw, (uint64_t)nch);
	hist_enc_times(&raw, rows, n, 0);
	hist_enc_times(&raw, rows, n, 1);
	for (int i = 0; agg && i < n; i++)
		hist_uvar(&raw, (uint64_t)rows[i].n);
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		for (int i = 0; i < n; i++)
			hist_byte(&raw, rows[i].s.quality[t] == 0 &&
			                !isfinite(rows[i].s.value[t]) ?
			                STORE_HIST_Q_NOVALUE :
			                rows[i].s.quality[t] > 9 ? 9 : rows[i].s.quality[t]);
	for (int ch = 0; ch < nch; ch++)
		hist_enc_chan(&raw, rows, n, ch);
	if (raw.oom)
		goto free_raw;
	zlen = compressBound(raw.len);
	z = zip ? malloc(zlen) : NULL;
	if (zip && z && compress2(z, &zlen, raw.p, raw.len, 6) == Z_OK &&
	    zlen < raw.len) {
		hist_byte(out, 'Z');
		hist_uvar(out, raw.len);
		hist_put(out, z, zlen);
	} else {
		hist_byte(out, 'R');
		hist_put(out, raw.p, raw.len);
	}
	free(z);
	rc = out->oom ? -1 : 0;
free_raw:
	free(raw.p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */

/* Rows read so far, growing. */
struct hist_rows {
	struct store_hist_row *r;
	long n, cap;
	int oom;
};

static struct store_hist_row *hist_rows_add(struct hist_rows *a, long k)
{
	if (a->n + k > a->cap) {
		long cap = a->cap ? a->cap : 1024;
		struct store_hist_row *p;

		while (cap < a->n + k)
			cap *= 2;
		p = realloc(a->r, (size_t)cap * sizeof *p);
		if (!p) {
			a->oom = 1;
			return NULL;
		}
		a->r = p;
		a->cap = cap;
	}
	if (k > 0)
		memset(a->r + a->n, 0, (size_t)k * sizeof *a->r);
	a->n += k;
	return a->r + a->n - k;
}

static void hist_dec_times(struct hist_rd *rd, struct store_hist_row *rows,
                           int n, double t0, int wall)
{
	int64_t prev = 0, prev_d = 0;

	for (int i = 0; i < n; i++) {
		int64_t d = hist_get_svar(rd) + prev_d;

		prev += d;
		prev_d = d;
		*(wall ? &rows[i].s.wall_s : &rows[i].s.t_process_s) =
			i == 0 ? t0 : t0 + (double)prev / 1000.0;
	}
}

static void hist_dec_chan(struct hist_rd *rd, struct store_hist_row *rows,
                          int n, int ch)
{
	unsigned e = hist_get_byte(rd);
	double res = e == STORE_HIST_EXP_RAW ? 0 :
		pow(10, (int)e - STORE_HIST_EXP_BIAS);
	int64_t q = 0;

	for (int i = 0; i < n && !rd->bad; i++) {
		double *v = hist_chan_ptr(&rows[i], ch);

		if (rows[i].s.quality[ch % CFG_TAG_COUNT] != 0) {
			*v = NAN;
		} else if (e == STORE_HIST_EXP_RAW) {
			if (rd->end - rd->p < (long)sizeof *v) {
				rd->bad = 1;
				return;
			}
			memcpy(v, rd->p, sizeof *v);
			rd->p += sizeof *v;
		} else {
			q += hist_get_svar(rd);
			*v = (double)q * res;
		}
	}
}

/* The payload's qualities; 255 (good, no value) leaves a NaN. */
static void hist_dec_quality(struct hist_rd *rd, struct store_hist_row *rows,
                             int n, unsigned char novalue[][CFG_TAG_COUNT])
{
	for (int t = 0; t < CFG_TAG_COUNT; t++)
		for (int i = 0; i < n; i++) {
			unsigned q = hist_get_byte(rd);

			novalue[i][t] = q == STORE_HIST_Q_NOVALUE;
			rows[i].s.quality[t] = novalue[i][t] ? 1 : (unsigned char)q;
		}
}

/* Decodes the payload into rows (n of them, head fields already set). */
static int hist_dec_payload(struct hist_rd *rd, struct store_hist_row *rows,
                            int n, int agg, double t0, double w0)
{
	unsigned char (*novalue)[CFG_TAG_COUNT] = malloc((size_t)n * sizeof *novalue);
	int nch;

	if (!novalue)
		return -1;
	hist_get_byte(rd);
	if ((long)hist_get_uvar(rd) != n)
		rd->bad = 1;
	nch = (int)hist_get_uvar(rd);
	if (nch != (agg ? STORE_HIST_CH_MAX : CFG_TAG_COUNT))
		rd->bad = 1;
	hist_dec_times(rd, rows, n, t0, 0);
	hist_dec_times(rd, rows, n, w0, 1);
	for (int i = 0; i < n; i++)
		rows[i].n = agg ? (int)hist_get_uvar(rd) : 1;
	hist_dec_quality(rd, rows, n, novalue);
	for (int ch = 0; ch < nch && !rd->bad; ch++)
		hist_dec_chan(rd, rows, n, ch);
	for (int i = 0; i < n; i++)
		for (int t = 0; t < CFG_TAG_COUNT; t++) {
			if (novalue[i][t])
				rows[i].s.quality[t] = 0;
			if (!agg)
				rows[i].lo[t] = rows[i].hi[t] = rows[i].s.value[t];
		}
	free(novalue);
	return rd->bad ? -1 : 0;
}

/* The block in the current row of st (the hist_sql_block_cols columns)
 * appended to a. */
#define STORE_HIST_BLOCK_COLS \
	"still, batch_id, span_s, n, t_from_s, wall_from_s, data"

static int hist_decode(sqlite3_stmt *st, struct hist_rows *a, char *cause,
                       size_t cause_len)
{
	int n = sqlite3_column_int(st, 3), span_s = sqlite3_column_int(st, 2);
	const unsigned char *blob = sqlite3_column_blob(st, 6);
	struct hist_rd rd = {blob, blob + sqlite3_column_bytes(st, 6), 0};
	struct store_hist_row *rows;
	unsigned char *plain = NULL;
	int rc;

	if (n <= 0 || !blob)
		return store_fail(cause, cause_len, "a historian block is empty");
	rows = hist_rows_add(a, n);
	if (!rows)
		return store_fail(cause, cause_len, "out of memory");
	for (int i = 0; i < n; i++) {
		store_col_text(st, 0, rows[i].s.still, sizeof rows[i].s.still);
		rows[i].s.batch_id = (long)sqlite3_column_int64(st, 1);
		rows[i].span_s = span_s;
	}
	if (hist_get_byte(&rd) == 'Z') {
		uLongf len = (uLongf)hist_get_uvar(&rd);

		plain = rd.bad || len > (1u << 26) ? NULL : malloc(len ? len : 1);
		if (!plain || uncompress(plain, &len, rd.p, (uLong)(rd.end - rd.p)) != Z_OK)
			rd.bad = 1;
		rd.p = plain;
		rd.end = plain ? plain + len : NULL;
	}
	rc = rd.bad ? -1 : hist_dec_payload(&rd, rows, n, span_s > 0,
	                                    sqlite3_column_double(st, 4),
	                                    sqlite3_column_double(st, 5));
	free(plain);
	if (rc < 0)
		return store_fail(cause, cause_len, "a historian block of %s is damaged",
		                  rows[0].s.still);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Raw rows                                                             */

#define STORE_HIST_RAW_COLS \
	"id, batch_id, still, t_process_s, wall_s, still_temp, vapour_temp," \
	" pressure, distillate_temp, cooling_flow, steam_flow, oil, charge," \
	" steam_valve, cooling_valve, status, steam_cmd, cooling_cmd," \
	" heartbeat, quality"

_Static_assert(CFG_TAG_COUNT == 14,
               "hist_raw has one column per tag: add a migration");

/* The raw row in st (STORE_HIST_RAW_COLS) as *r; returns its id. */
static long long hist_raw_row(sqlite3_stmt *st, struct store_hist_row *r)
{
	const char *q = store_col(st, 19);
	size_t ql = q ? strlen(q) : 0;

	memset(r, 0, sizeof *r);
	r->s.batch_id = (long)sqlite3_column_int64(st, 1);
	store_col_text(st, 2, r->s.still, sizeof r->s.still);
	r->s.t_process_s = sqlite3_column_double(st, 3);
	r->s.wall_s = sqlite3_column_double(st, 4);
	r->n = 1;
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		r->s.value[t] = store_col_real(st, 5 + t);
		r->s.quality[t] = (size_t)t < ql && q[t] >= '0' && q[t] <= '9' ?
			(unsigned char)(q[t] - '0') : 9;
		if (r->s.quality[t] != 0)
			r->s.value[t] = NAN;
		r->lo[t] = r->hi[t] = r->s.value[t];
	}
	return sqlite3_column_int64(st, 0);
}

static int hist_raw_collect(struct store *s, sqlite3_stmt *st,
                            struct hist_rows *a, char *cause, size_t cause_len)
{
	int rc;

	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1) {
		struct store_hist_row *r = hist_rows_add(a, 1);

		if (!r) {
			sqlite3_reset(st);
			return store_fail(cause, cause_len, "out of memory");
		}
		hist_raw_row(st, r);
	}
	return rc;
}

static int hist_blocks_collect(struct store *s, sqlite3_stmt *st,
                               struct hist_rows *a, char *cause,
                               size_t cause_len)
{
	int rc;

	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1)
		if (hist_decode(st, a, cause, cause_len) < 0) {
			sqlite3_reset(st);
			return -1;
		}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reads                                                                */

static int hist_by_t(const void *a, const void *b)
{
	const struct store_hist_row *x = a, *y = b;

	if (x->s.t_process_s != y->s.t_process_s)
		return x->s.t_process_s < y->s.t_process_s ? -1 : 1;
	return (x->s.wall_s > y->s.wall_s) - (x->s.wall_s < y->s.wall_s);
}

/* Sorts a by process time unless it is in order already. */
static void hist_sort_t(struct hist_rows *a)
{
	for (long i = 1; i < a->n; i++)
		if (hist_by_t(&a->r[i - 1], &a->r[i]) > 0) {
			qsort(a->r, (size_t)a->n, sizeof *a->r, hist_by_t);
			return;
		}
}

static int hist_by_wall(const void *a, const void *b)
{
	const struct store_hist_row *x = a, *y = b;
	int c;

	if (x->s.wall_s != y->s.wall_s)
		return x->s.wall_s < y->s.wall_s ? -1 : 1;
	c = strcmp(x->s.still, y->s.still);
	return c ? c : hist_by_t(a, b);
}

/* 1 when b is an aggregate of the same still and interval as a. */
static int hist_same_interval(const struct store_hist_row *a,
                              const struct store_hist_row *b)
{
	return a->span_s > 0 && a->span_s == b->span_s &&
	       a->s.wall_s == b->s.wall_s && strcmp(a->s.still, b->s.still) == 0;
}

/* Folds aggregate b into a (an interval that two blocks shared). */
static void hist_merge(struct store_hist_row *a, const struct store_hist_row *b)
{
	for (int t = 0; t < CFG_TAG_COUNT; t++) {
		if (b->s.quality[t] != 0) {
			if (a->s.quality[t] != 0 && b->s.quality[t] < a->s.quality[t])
				a->s.quality[t] = b->s.quality[t];
			continue;
		}
		if (a->s.quality[t] != 0) {
			a->s.value[t] = b->s.value[t];
			a->lo[t] = b->lo[t];
			a->hi[t] = b->hi[t];
			a->s.quality[t] = 0;
			continue;
		}
		/* weights: the samples of each (good ones are not counted apart) */
		a->s.value[t] = (a->s.value[t] * a->n + b->s.value[t] * b->n) /
		                (a->n + b->n);
		a->lo[t] = fmin(a->lo[t], b->lo[t]);
		a->hi[t] = fmax(a->hi[t], b->hi[t]);
	}
	a->n += b->n;
}

/* Sorts a, gives each row in [from, to) of its sort key to fn (aggregates
 * of one interval split over two blocks as one), frees a. */
static long hist_give(struct hist_rows *a, int by_wall, double from,
                      double to, store_hist_fn fn, void *ctx)
{
	long given = 0, p = -1;

	if (by_wall && a->n > 1)
		qsort(a->r, (size_t)a->n, sizeof *a->r, hist_by_wall);
	for (long i = 0; i <= a->n; i++) {
		if (i < a->n && by_wall && (a->r[i].s.wall_s < from ||
		                            !(a->r[i].s.wall_s < to)))
			continue;
		if (i < a->n && p >= 0 && hist_same_interval(&a->r[p], &a->r[i])) {
			hist_merge(&a->r[p], &a->r[i]);
			continue;
		}
		if (p >= 0) {
			given++;
			if (fn && fn(ctx, &a->r[p]))
				break;
		}
		p = i;
	}
	free(a->r);
	return given;
}

static const char store_sql_hist_batch_blocks[] =
	"SELECT " STORE_HIST_BLOCK_COLS " FROM hist_blocks WHERE batch_id = ?1"
	" ORDER BY t_from_s";
static const char store_sql_hist_batch_raw[] =
	"SELECT " STORE_HIST_RAW_COLS " FROM hist_raw WHERE batch_id = ?1"
	" ORDER BY t_process_s";

/* The rows of batch_id into *a, sorted by process time. */
static int hist_batch_rows(struct store *s, long batch_id, struct hist_rows *a,
                           char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_hist_batch_blocks, cause, cause_len);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, batch_id);
	if (hist_blocks_collect(s, st, a, cause, cause_len) < 0)
		return -1;
	st = store_prep(s, store_sql_hist_batch_raw, cause, cause_len);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, batch_id);
	if (hist_raw_collect(s, st, a, cause, cause_len) < 0)
		return -1;
	hist_sort_t(a);
	return 0;
}

/* A batch's rows, a block at a time when the blocks' process-time ranges
 * follow each other without overlap and there are no raw rows (the
 * usual case: rows of block k+1 all come after those of block k, so each
 * block sorted alone gives the whole in order); else all read and sorted
 * at once. */
struct store_hist_iter {
	struct store *s;
	sqlite3_stmt *st;            /* own statement over the blocks, or NULL */
	struct hist_rows a;          /* the current block's rows (or all) */
	long i;                      /* the current row in a */
};

static const char store_sql_hist_batch_overlaps[] =
	"SELECT (SELECT count(*) FROM hist_raw WHERE batch_id = ?1) +"
	" (SELECT count(*) FROM (SELECT t_from_s, t_to_s, lag(t_to_s) OVER"
	"  (ORDER BY t_from_s, id) AS prev FROM hist_blocks WHERE batch_id = ?1)"
	"  WHERE t_from_s <= prev OR t_to_s < t_from_s)";

/* 1 when the batch reads a block at a time (see struct store_hist_iter). */
static int hist_iter_streams(struct store *s, long batch_id, char *cause,
                             size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_hist_batch_overlaps, cause,
	                              cause_len);
	long long n = -1;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, batch_id);
	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1)
		n = sqlite3_column_int64(st, 0);
	return rc < 0 ? -1 : n == 0;
}

/* Decodes the next block with rows into it->a (sorted); none left: the
 * statement is finalized and it->a is empty. */
static int hist_iter_fill(struct store_hist_iter *it, char *cause,
                          size_t cause_len)
{
	int rc;

	it->a.n = 0;
	it->i = 0;
	while (it->st && it->a.n == 0) {
		rc = store_row(it->s, it->st, "read the historian", cause, cause_len);
		if (rc == 1 && hist_decode(it->st, &it->a, cause, cause_len) < 0)
			rc = -1;
		if (rc != 1) {
			sqlite3_finalize(it->st);
			it->st = NULL;
		}
		if (rc < 0)
			return -1;
	}
	hist_sort_t(&it->a);
	return 0;
}

struct store_hist_iter *store_hist_iter_open(struct store *s, long batch_id,
                                             char *cause, size_t cause_len)
{
	struct store_hist_iter *it = calloc(1, sizeof *it);
	int streams = hist_iter_streams(s, batch_id, cause, cause_len);

	if (!it || streams < 0)
		goto free_it;
	it->s = s;
	if (!streams) {
		if (hist_batch_rows(s, batch_id, &it->a, cause, cause_len) < 0)
			goto free_it;
		return it;
	}
	if (sqlite3_prepare_v2(s->db, store_sql_hist_batch_blocks, -1, &it->st,
	                       NULL) != SQLITE_OK) {
		store_fail(cause, cause_len, "cannot read the historian: %s",
		           sqlite3_errmsg(s->db));
		goto free_it;
	}
	sqlite3_bind_int64(it->st, 1, batch_id);
	if (hist_iter_fill(it, cause, cause_len) < 0)
		goto free_it;
	return it;
free_it:
	if (!it)
		store_fail(cause, cause_len, "out of memory");
	store_hist_iter_close(it);
	return NULL;
}

const struct store_hist_row *store_hist_iter_row(const struct store_hist_iter *it)
{
	return it->i < it->a.n ? &it->a.r[it->i] : NULL;
}

int store_hist_iter_next(struct store_hist_iter *it, char *cause,
                         size_t cause_len)
{
	if (it->i < it->a.n)
		it->i++;
	if (it->i < it->a.n || !it->st)
		return 0;
	return hist_iter_fill(it, cause, cause_len);
}

void store_hist_iter_close(struct store_hist_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it->a.r);
	free(it);
}

long store_hist_batch(struct store *s, long batch_id, store_hist_fn fn,
                      void *ctx, char *cause, size_t cause_len)
{
	struct store_hist_iter *it = store_hist_iter_open(s, batch_id, cause,
	                                                  cause_len);
	const struct store_hist_row *r;
	long given = 0;
	int rc = 0;

	if (!it)
		return -1;
	while (rc == 0 && (r = store_hist_iter_row(it)) != NULL) {
		given++;
		if (fn && fn(ctx, r))
			break;
		rc = store_hist_iter_next(it, cause, cause_len);
	}
	store_hist_iter_close(it);
	return rc < 0 ? -1 : given;
}

static const char store_sql_hist_span_blocks[] =
	"SELECT " STORE_HIST_BLOCK_COLS " FROM hist_blocks"
	" WHERE (?1 IS NULL OR still = ?1) AND wall_from_s < ?3"
	" AND wall_from_s >= ?2 - " STORE_HIST_STR(STORE_HIST_AGG_SPAN_MAX_S)
	" AND wall_to_s >= ?2 ORDER BY wall_from_s";
static const char store_sql_hist_span_raw[] =
	"SELECT " STORE_HIST_RAW_COLS " FROM hist_raw"
	" WHERE (?1 IS NULL OR still = ?1) AND wall_s >= ?2 AND wall_s < ?3"
	" ORDER BY wall_s";

long store_hist_span(struct store *s, const char *still, double from_wall_s,
                     double to_wall_s, store_hist_fn fn, void *ctx,
                     char *cause, size_t cause_len)
{
	const char *sql[2] = {store_sql_hist_span_blocks, store_sql_hist_span_raw};
	struct hist_rows a = {0};

	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *st = store_prep(s, sql[k], cause, cause_len);

		if (!st)
			goto free_rows;
		store_bind_text(st, 1, still);
		sqlite3_bind_double(st, 2, from_wall_s);
		sqlite3_bind_double(st, 3, to_wall_s);
		if ((k == 0 ? hist_blocks_collect(s, st, &a, cause, cause_len)
		            : hist_raw_collect(s, st, &a, cause, cause_len)) < 0)
			goto free_rows;
	}
	return hist_give(&a, 1, from_wall_s, to_wall_s, fn, ctx);

free_rows:
	free(a.r);
	return -1;
}

static const char store_sql_hist_count[] =
	"SELECT (SELECT coalesce(sum(samples), 0) FROM hist_blocks"
	"  WHERE (?1 IS NULL OR batch_id = ?1) AND (?2 IS NULL OR still = ?2))"
	" + (SELECT count(*) FROM hist_raw WHERE (?1 IS NULL OR batch_id = ?1)"
	"  AND (?2 IS NULL OR still = ?2))";

long store_hist_count(struct store *s, long batch_id, const char *still,
                      char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_hist_count, cause, cause_len);
	long n;

	if (!st)
		return -1;
	store_bind_id(st, 1, batch_id);
	store_bind_text(st, 2, batch_id > 0 ? NULL : still);
	if (store_row(s, st, "count the historian", cause, cause_len) != 1)
		return -1;
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* ------------------------------------------------------------------ */
/* Packing                                                              */

static const char store_sql_hist_block_put[] =
	"INSERT INTO hist_blocks (still, batch_id, span_s, n, samples, t_from_s,"
	" t_to_s, wall_from_s, wall_to_s, data, open)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/* Writes rows (one still, one batch, one window) as one block. Inside a
 * write transaction. */
int store_hist_block_put(struct store *s, const struct store_hist_row *rows,
                         int n, int span_s, int open, char *cause,
                         size_t cause_len)
{
	struct hist_buf b = {0};
	sqlite3_stmt *st;
	long samples = 0;
	int rc;

	if (n <= 0)
		return 0;
	if (hist_encode(rows, n, span_s > 0, !open, &b) < 0)
		return store_fail(cause, cause_len, "out of memory");
	for (int i = 0; i < n; i++)
		samples += rows[i].n > 0 ? rows[i].n : 1;
	st = store_prep(s, store_sql_hist_block_put, cause, cause_len);
	rc = st ? 0 : -1;
	if (st) {
		store_bind_text(st, 1, rows[0].s.still);
		store_bind_id(st, 2, rows[0].s.batch_id);
		sqlite3_bind_int(st, 3, span_s);
		sqlite3_bind_int(st, 4, n);
		sqlite3_bind_int64(st, 5, samples);
		sqlite3_bind_double(st, 6, rows[0].s.t_process_s);
		sqlite3_bind_double(st, 7, rows[n - 1].s.t_process_s);
		sqlite3_bind_double(st, 8, rows[0].s.wall_s);
		sqlite3_bind_double(st, 9, rows[n - 1].s.wall_s + span_s);
		sqlite3_bind_blob(st, 10, b.p, (int)b.len, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 11, open);
		rc = store_run(s, st, "record a historian block", cause, cause_len);
	}
	free(b.p);
	return rc;
}

/* 1 when a and b belong to the same block. */
int store_hist_same_block(const struct store_sample *a,
                          const struct store_sample *b)
{
	return a->batch_id == b->batch_id && strcmp(a->still, b->still) == 0 &&
	       floor(a->wall_s / STORE_HIST_BLOCK_S) ==
	       floor(b->wall_s / STORE_HIST_BLOCK_S);
}

static const char store_sql_hist_ends[] =
	"SELECT batch_id, wall_s, (SELECT count(*) FROM hist_raw WHERE still = ?1)"
	" FROM hist_raw WHERE id IN ((SELECT min(id) FROM hist_raw WHERE still = ?1),"
	" (SELECT max(id) FROM hist_raw WHERE still = ?1)) ORDER BY id";

/* 1 when the raw tail of still holds a closed block (or all and any). */
static int hist_tail_closed(struct store *s, const char *still, int all,
                            char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_hist_ends, cause, cause_len);
	struct store_sample e[2];
	long count = 0;
	int k = 0, rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, still);
	memset(e, 0, sizeof e);
	while (k < 2 && (rc = store_row(s, st, "read the historian", cause,
	                                 cause_len)) == 1) {
		e[k].batch_id = (long)sqlite3_column_int64(st, 0);
		e[k].wall_s = sqlite3_column_double(st, 1);
		count = (long)sqlite3_column_int64(st, 2);
		k++;
	}
	sqlite3_reset(st);
	if (k == 0)
		return rc < 0 ? -1 : 0;
	if (k == 1)
		e[1] = e[0];
	return all || count >= STORE_HIST_BLOCK_MAX ||
	       !store_hist_same_block(&e[0], &e[1]);
}

static const char store_sql_hist_tail[] =
	"SELECT " STORE_HIST_RAW_COLS " FROM hist_raw WHERE still = ?1 ORDER BY id";
static const char store_sql_hist_raw_del[] =
	"DELETE FROM hist_raw WHERE still = ?1 AND id BETWEEN ?2 AND ?3";

/* Moves rows[0..n) (raw ids lo..hi of still) into a block. */
static int hist_move(struct store *s, const struct store_hist_row *rows, int n,
                     long long lo, long long hi, char *cause, size_t cause_len)
{
	sqlite3_stmt *st;

	if (store_hist_block_put(s, rows, n, 0, 0, cause, cause_len) < 0)
		return -1;
	st = store_prep(s, store_sql_hist_raw_del, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, rows[0].s.still);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	return store_run(s, st, "move samples into a block", cause, cause_len);
}

/* Packs the closed blocks of one still's raw tail. */
static long hist_pack_still(struct store *s, const char *still, int all,
                            char *cause, size_t cause_len)
{
	struct hist_rows a = {0};
	long long *ids = NULL;
	sqlite3_stmt *st;
	long packed = 0, from = 0;
	int rc = hist_tail_closed(s, still, all, cause, cause_len);

	if (rc <= 0)
		return rc;
	st = store_prep(s, store_sql_hist_tail, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, still);
	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1) {
		struct store_hist_row *r = hist_rows_add(&a, 1);
		long long *p = r ? realloc(ids, (size_t)a.n * sizeof *ids) : NULL;

		if (!p) {
			sqlite3_reset(st);
			rc = store_fail(cause, cause_len, "out of memory");
			break;
		}
		ids = p;
		ids[a.n - 1] = hist_raw_row(st, r);
	}
	for (long i = 1; rc == 0 && i <= a.n; i++) {
		int end = i == a.n || i - from == STORE_HIST_BLOCK_MAX ||
		          !store_hist_same_block(&a.r[from].s, &a.r[i].s);

		if (!end || (i == a.n && !all && i - from < STORE_HIST_BLOCK_MAX))
			continue;
		rc = hist_move(s, a.r + from, (int)(i - from), ids[from], ids[i - 1],
		               cause, cause_len);
		packed += i - from;
		from = i;
	}
	free(ids);
	free(a.r);
	return rc < 0 ? -1 : packed;
}

static const char store_sql_hist_stills[] =
	"SELECT DISTINCT still FROM hist_raw";

long store_hist_pack(struct store *s, const char *still, int all,
                     char *cause, size_t cause_len)
{
	char (*names)[CFG_NAME_MAX] = NULL;
	long packed = 0, n = 0;
	sqlite3_stmt *st;
	int rc;

	if (still)
		return hist_pack_still(s, still, all, cause, cause_len);
	st = store_prep(s, store_sql_hist_stills, cause, cause_len);
	if (!st)
		return -1;
	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1) {
		void *p = realloc(names, (size_t)(n + 1) * sizeof *names);

		if (!p) {
			sqlite3_reset(st);
			rc = store_fail(cause, cause_len, "out of memory");
			break;
		}
		names = p;
		store_col_text(st, 0, names[n++], sizeof *names);
	}
	for (long i = 0; rc == 0 && i < n; i++) {
		long k = hist_pack_still(s, names[i], all, cause, cause_len);

		rc = k < 0 ? -1 : 0;
		packed += k > 0 ? k : 0;
	}
	free(names);
	return rc < 0 ? -1 : packed;
}

/* ------------------------------------------------------------------ */
/* Sizes                                                                */

static const char store_sql_hist_dbstat[] =
	"SELECT m.tbl_name, sum(d.pgsize) FROM dbstat d"
	" JOIN sqlite_master m ON m.name = d.name GROUP BY m.tbl_name";
static const char store_sql_hist_tables[] =
	"SELECT name FROM sqlite_master WHERE type = 'table'"
	" AND name NOT LIKE 'sqlite_%' ORDER BY name";
static const char store_sql_hist_file[] =
	"SELECT page_count * page_size FROM pragma_page_count, pragma_page_size";
static const char store_sql_hist_wall[] =
	"SELECT min(w0), max(w1) FROM (SELECT min(wall_from_s) AS w0,"
	" max(wall_to_s) AS w1 FROM hist_blocks UNION ALL"
	" SELECT min(wall_s), max(wall_s) FROM hist_raw)";

/* The table's rows (count(*) of a name read from sqlite_master). */
static long long hist_rows_of(struct store *s, const char *table)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sql && sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return n;
}

/* Fills bytes of each table from dbstat; 0 when SQLite has none. */
static int hist_dbstat(struct store *s, struct store_hist_stats *o)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, store_sql_hist_dbstat, -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		for (int i = 0; name && i < o->n; i++)
			if (strcmp(o->t[i].name, name) == 0)
				o->t[i].bytes = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 1;
}

int store_hist_stats(struct store *s, struct store_hist_stats *o, char *cause,
                     size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_hist_tables, cause, cause_len);
	int rc;

	memset(o, 0, sizeof *o);
	if (!st)
		return -1;
	while ((rc = store_row(s, st, "list the tables", cause, cause_len)) == 1) {
		if (o->n < STORE_HIST_TABLES_MAX) {
			store_col_text(st, 0, o->t[o->n].name, sizeof o->t[o->n].name);
			o->t[o->n].bytes = -1;
			o->n++;
		}
	}
	if (rc < 0)
		return -1;
	for (int i = 0; i < o->n; i++)
		o->t[i].rows = hist_rows_of(s, o->t[i].name);
	o->dbstat = hist_dbstat(s, o);
	st = store_prep(s, store_sql_hist_file, cause, cause_len);
	if (!st || store_row(s, st, "read the file size", cause, cause_len) != 1)
		return -1;
	o->file_bytes = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = store_prep(s, store_sql_hist_wall, cause, cause_len);
	if (!st || store_row(s, st, "read the historian's span", cause, cause_len) != 1)
		return -1;
	o->from_wall_s = store_col_real(st, 0);
	o->to_wall_s = store_col_real(st, 1);
	sqlite3_reset(st);
	o->samples = store_hist_count(s, 0, NULL, cause, cause_len);
	return o->samples < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Reduction of idle samples to aggregates                              */

/* rows[0..n) (one block) as aggregates of span_s into out; the count. */
static int hist_aggregate(const struct store_hist_row *rows, int n, int span_s,
                          struct store_hist_row *out)
{
	int k = -1;
	double bucket = NAN, sum[CFG_TAG_COUNT];
	int good[CFG_TAG_COUNT];

	for (int i = 0; i <= n; i++) {
		double b = i < n ? floor(rows[i].s.wall_s / span_s) * span_s : NAN;

		if (k >= 0 && (i == n || b != bucket))
			for (int t = 0; t < CFG_TAG_COUNT; t++)
				out[k].s.value[t] = good[t] ? sum[t] / good[t] : NAN;
		if (i == n)
			break;
		if (k < 0 || b != bucket) {
			k++;
			bucket = b;
			memset(&out[k], 0, sizeof out[k]);
			snprintf(out[k].s.still, sizeof out[k].s.still, "%s", rows[i].s.still);
			out[k].s.t_process_s = rows[i].s.t_process_s;
			out[k].s.wall_s = b;
			out[k].span_s = span_s;
			memset(good, 0, sizeof good);
			memset(sum, 0, sizeof sum);
			for (int t = 0; t < CFG_TAG_COUNT; t++) {
				out[k].s.quality[t] = 9;
				out[k].lo[t] = out[k].hi[t] = NAN;
			}
		}
		out[k].n++;
		for (int t = 0; t < CFG_TAG_COUNT; t++) {
			double v = rows[i].s.value[t];

			if (!hist_has(&rows[i], t)) {
				if (!good[t] && rows[i].s.quality[t] < out[k].s.quality[t] &&
				    rows[i].s.quality[t] > 0)
					out[k].s.quality[t] = rows[i].s.quality[t];
				continue;
			}
			out[k].s.quality[t] = 0;
			out[k].lo[t] = good[t] && out[k].lo[t] <= v ? out[k].lo[t] : v;
			out[k].hi[t] = good[t] && out[k].hi[t] >= v ? out[k].hi[t] : v;
			sum[t] += v;
			good[t]++;
		}
	}
	return k + 1;
}

static const char store_sql_hist_idle_old[] =
	"SELECT id FROM hist_blocks"
	" WHERE batch_id IS NULL AND span_s = 0 AND open = 0 AND wall_to_s < ?1"
	" ORDER BY wall_from_s LIMIT ?2";
static const char store_sql_hist_block_get[] =
	"SELECT " STORE_HIST_BLOCK_COLS " FROM hist_blocks WHERE id = ?1";
static const char store_sql_hist_block_del[] =
	"DELETE FROM hist_blocks WHERE id = ?1";

/* Replaces block id by its aggregates over span_s. */
static int hist_reduce_one(struct store *s, long long id, int span_s,
                           char *cause, size_t cause_len)
{
	struct hist_rows a = {0};
	struct store_hist_row *agg = NULL;
	sqlite3_stmt *st = store_prep(s, store_sql_hist_block_get, cause, cause_len);
	int k, rc = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (hist_blocks_collect(s, st, &a, cause, cause_len) < 0 || a.n == 0)
		goto free_rows;
	agg = malloc((size_t)a.n * sizeof *agg);
	if (!agg) {
		store_fail(cause, cause_len, "out of memory");
		goto free_rows;
	}
	k = hist_aggregate(a.r, (int)a.n, span_s, agg);
	if (store_hist_block_put(s, agg, k, span_s, 0, cause, cause_len) < 0)
		goto free_rows;
	st = store_prep(s, store_sql_hist_block_del, cause, cause_len);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		rc = store_run(s, st, "reduce a historian block", cause, cause_len);
	}
free_rows:
	free(agg);
	free(a.r);
	return rc;
}

long store_hist_reduce(struct store *s, double before_wall_s, int span_s,
                       int max_blocks, char *cause, size_t cause_len)
{
	long long *ids;
	sqlite3_stmt *st;
	int n = 0, rc;

	if (span_s <= 0 || STORE_HIST_BLOCK_S % span_s != 0 || max_blocks <= 0)
		return store_fail(cause, cause_len, "internal error: an aggregate of "
		                  "%d s does not divide a block", span_s);
	ids = malloc((size_t)max_blocks * sizeof *ids);
	if (!ids)
		return store_fail(cause, cause_len, "out of memory");
	if (store_begin(s, 0, cause, cause_len) < 0) {
		free(ids);
		return -1;
	}
	st = store_prep(s, store_sql_hist_idle_old, cause, cause_len);
	rc = st ? 0 : -1;
	if (st) {
		sqlite3_bind_double(st, 1, before_wall_s);
		sqlite3_bind_int(st, 2, max_blocks);
		while (n < max_blocks && (rc = store_row(s, st, "read the historian",
		                                          cause, cause_len)) == 1)
			ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = hist_reduce_one(s, ids[i], span_s, cause, cause_len);
	free(ids);
	return store_end(s, rc < 0 ? -1 : 0, cause, cause_len) < 0 ? -1 : n;
}

/* ------------------------------------------------------------------ */
/* Sealing the parts of filling blocks                                  */

static const char store_sql_hist_parts[] =
	"SELECT id, coalesce(batch_id, 0), wall_from_s, n FROM hist_blocks"
	" WHERE still = ?1 AND open = 1 ORDER BY id";
static const char store_sql_hist_open_stills[] =
	"SELECT DISTINCT still FROM hist_blocks WHERE open = 1";

struct hist_part {
	long long id;
	long batch_id;
	double window;
	int n;
};

/* Merges parts[0..k) (one block's) into one sealed block. */
static int hist_seal_group(struct store *s, const struct hist_part *parts,
                           int k, char *cause, size_t cause_len)
{
	struct hist_rows a = {0};
	int rc = 0;

	for (int i = 0; rc == 0 && i < k; i++) {
		sqlite3_stmt *st = store_prep(s, store_sql_hist_block_get, cause,
		                              cause_len);

		rc = st ? 0 : -1;
		if (st) {
			sqlite3_bind_int64(st, 1, parts[i].id);
			rc = hist_blocks_collect(s, st, &a, cause, cause_len);
		}
	}
	if (rc == 0)
		rc = store_hist_block_put(s, a.r, (int)a.n, 0, 0, cause, cause_len);
	for (int i = 0; rc == 0 && i < k; i++) {
		sqlite3_stmt *st = store_prep(s, store_sql_hist_block_del, cause,
		                              cause_len);

		rc = st ? 0 : -1;
		if (st) {
			sqlite3_bind_int64(st, 1, parts[i].id);
			rc = store_run(s, st, "seal a historian block", cause, cause_len);
		}
	}
	free(a.r);
	return rc < 0 ? -1 : 0;
}

static const char store_sql_hist_part_ends[] =
	"SELECT coalesce(batch_id, 0), wall_from_s FROM hist_blocks"
	" WHERE still = ?1 AND open = 1 AND id IN"
	" ((SELECT min(id) FROM hist_blocks WHERE still = ?1 AND open = 1),"
	" (SELECT max(id) FROM hist_blocks WHERE still = ?1 AND open = 1))";

/* 1 when still's first and last parts have one batch and window, so no
 * block among them has closed (two index lookups, not a scan of up to
 * STORE_HIST_BLOCK_MAX parts a round); 0 otherwise; -1 with cause. */
static int hist_parts_one_group(struct store *s, const char *still,
                                char *cause, size_t cause_len)
{
	sqlite3_stmt *st = store_prep(s, store_sql_hist_part_ends, cause, cause_len);
	long batch[2] = {0, 0};
	double window[2] = {0, 0};
	int k = 0, rc;

	if (!st)
		return -1;
	store_bind_text(st, 1, still);
	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1) {
		if (k < 2) {
			batch[k] = (long)sqlite3_column_int64(st, 0);
			window[k] = floor(sqlite3_column_double(st, 1) / STORE_HIST_BLOCK_S);
		}
		k++;
	}
	if (rc < 0)
		return -1;
	return k < 2 || (batch[0] == batch[1] && window[0] == window[1]);
}

/* Seals the closed blocks among still's parts (all: every one). A group
 * of parts of one batch and window is sealed when a later part has
 * another, or, among parts read for that, when it reaches
 * STORE_HIST_BLOCK_MAX samples (a block holds one window: at one sample a
 * second no more than that). */
static long hist_seal_still(struct store *s, const char *still, int all,
                            char *cause, size_t cause_len)
{
	sqlite3_stmt *st;
	struct hist_part *p = NULL;
	long n = 0, sealed = 0, from = 0, rows = 0;
	int rc = all ? 0 : hist_parts_one_group(s, still, cause, cause_len);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	st = store_prep(s, store_sql_hist_parts, cause, cause_len);
	if (!st)
		return -1;
	store_bind_text(st, 1, still);
	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1) {
		struct hist_part *q = realloc(p, (size_t)(n + 1) * sizeof *p);

		if (!q) {
			sqlite3_reset(st);
			rc = store_fail(cause, cause_len, "out of memory");
			break;
		}
		p = q;
		p[n].id = sqlite3_column_int64(st, 0);
		p[n].batch_id = (long)sqlite3_column_int64(st, 1);
		p[n].window = floor(sqlite3_column_double(st, 2) / STORE_HIST_BLOCK_S);
		p[n].n = sqlite3_column_int(st, 3);
		n++;
	}
	for (long i = 0; rc == 0 && i < n; i++) {
		rows += p[i].n;
		if (i + 1 < n && p[i + 1].batch_id == p[from].batch_id &&
		    p[i + 1].window == p[from].window && rows < STORE_HIST_BLOCK_MAX)
			continue;
		if (i + 1 == n && !all && rows < STORE_HIST_BLOCK_MAX)
			break;
		rc = hist_seal_group(s, p + from, (int)(i + 1 - from), cause, cause_len);
		sealed += rows;
		rows = 0;
		from = i + 1;
	}
	free(p);
	return rc < 0 ? -1 : sealed;
}

long store_hist_seal(struct store *s, const char *still, int all,
                     char *cause, size_t cause_len)
{
	char (*names)[CFG_NAME_MAX] = NULL;
	long sealed = 0, n = 0;
	sqlite3_stmt *st;
	int rc;

	if (still)
		return hist_seal_still(s, still, all, cause, cause_len);
	st = store_prep(s, store_sql_hist_open_stills, cause, cause_len);
	if (!st)
		return -1;
	while ((rc = store_row(s, st, "read the historian", cause, cause_len)) == 1) {
		void *q = realloc(names, (size_t)(n + 1) * sizeof *names);

		if (!q) {
			sqlite3_reset(st);
			rc = store_fail(cause, cause_len, "out of memory");
			break;
		}
		names = q;
		store_col_text(st, 0, names[n++], sizeof *names);
	}
	for (long i = 0; rc == 0 && i < n; i++) {
		long k = hist_seal_still(s, names[i], all, cause, cause_len);

		rc = k < 0 ? -1 : 0;
		sealed += k > 0 ? k : 0;
	}
	free(names);
	return rc < 0 ? -1 : sealed;
}
