/*
 * rpt_int: what the rpt*.c files share inside ui/ (the report commands of
 * the CLI). Not for other files: they use rpt.h. The files:
 *   rpt.c        arguments, text layout, CSV and JSON, the batch reports,
 *                the command table and rpt_main
 *   rpt_trace.c  trace BATCH, --grower, --drum, --lot
 *   rpt_lot.c    lot list, lot show
 *   rpt_drum.c   drum list, drum show
 *   rpt_econ.c   resources and cost in the text reports
 *   doc_label.c  drum label --html, trace --drum --html
 */
#ifndef RPT_INT_H
#define RPT_INT_H

#include <stdio.h>

#include "rpt.h"

#define RPT_WIDTH 79          /* text reports fit an 80-column screen */
#define RPT_POS_MAX 4         /* positional arguments of a command */
#define RPT_COLS_MAX 64       /* columns kept of a captured row */
#define RPT_VALUE_MAX 160     /* a formatted value */

enum rpt_fmt { RPT_TEXT, RPT_JSON, RPT_CSV, RPT_HTML };

/* How a value is shown in text: a number of decimals (>= 0) or one of: */
enum {
	RPT_F_TEXT = -1,      /* as it is */
	RPT_F_DATE = -2,      /* 2025-03-01 */
	RPT_F_TIME = -3,      /* 2025-03-01 08:00:00 */
	RPT_F_SHORT = -4,     /* 03-01 08:00 */
	RPT_F_STAMP = -5,     /* 03-01 08:00:05 */
};

/* The options, as flags of the commands that accept them. */
enum {
	RPT_O_FROM = 1 << 0, RPT_O_TO = 1 << 1, RPT_O_STILL = 1 << 2,
	RPT_O_FEEDSTOCK = 1 << 3, RPT_O_LOT = 1 << 4, RPT_O_GROWER = 1 << 5,
	RPT_O_STATE = 1 << 6, RPT_O_BY = 1 << 7, RPT_O_JSON = 1 << 8,
	RPT_O_CSV = 1 << 9, RPT_O_DRUM = 1 << 10, RPT_O_HTML = 1 << 11,
	RPT_O_REFERENCE = 1 << 12,
};
#define RPT_O_FILTERS (RPT_O_FROM | RPT_O_TO | RPT_O_STILL | RPT_O_FEEDSTOCK | \
                       RPT_O_LOT | RPT_O_GROWER | RPT_O_STATE)

struct rpt_args {
	const char *pos[RPT_POS_MAX];
	int npos;
	enum rpt_fmt fmt;
	struct store_filter f;
	const char *reference;   /* --reference ID (report batch --html) */
};

/* What a command runs with. */
struct rpt_ctx {
	struct store *s;
	FILE *out;
	FILE *err;
	char cause[STORE_CAUSE_MAX];
	int households;        /* privacy: the buyer's trace names growers */
	const struct cfg_plant *plant; /* the plant's limits, or NULL */
};

struct rpt_cmd {
	const char *group;     /* argv[0] */
	const char *name;      /* argv[1], or NULL (trace) */
	unsigned opts;         /* RPT_O_* it accepts */
	int min_pos, max_pos;  /* positional arguments after the name */
	int (*run)(struct rpt_ctx *c, const struct rpt_args *a);
	const char *usage;
};

/* A column of a text table. */
struct rpt_col {
	const char *name;      /* result column */
	const char *head;      /* header */
	int width;             /* characters */
	int fmt;               /* decimals, or RPT_F_* */
};

struct rpt_table {
	FILE *out;
	const struct rpt_col *cols;
	int n;
	const char *title;     /* printed above the header, or NULL */
	int headed;            /* title and header printed */
};

#define RPT_TABLE(out, cols) \
	{(out), (cols), (int)(sizeof(cols) / sizeof((cols)[0])), NULL, 0}

/* A captured row (the batch summary, the lot). */
struct rpt_rec {
	struct store_cell cell[RPT_COLS_MAX];
	int n;
};

/* One line "stillroom: ..." on err; returns RPT_ERR. */
int rpt_error(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The batch id of a report: RPT_OK, or RPT_USAGE (a usage error, exit 2)
 * with the sentence on c->err. */
int rpt_batch_id(struct rpt_ctx *c, const char *text, long *id);

/* Prints text in a field of width characters, cut with '~' when longer;
 * right-aligned, or left-aligned and padded unless last. */
void rpt_cell(FILE *out, const char *text, int width, int right, int last);

/* rpt_cell, padded. */
void rpt_field(FILE *out, const char *text, int width, int right);

/* Prints text from column col (what is left of the line is already
 * printed), wrapped at RPT_WIDTH on spaces, going on at column indent. */
void rpt_wrap_at(FILE *out, int col, int indent, const char *text);

/* Prints text wrapped at RPT_WIDTH, every line indented by indent. */
void rpt_wrap(FILE *out, int indent, const char *text);

/* Formats a cell for text: "-" for NULL; numbers with decimals; times. */
void rpt_format(const struct store_cell *c, int fmt, char *buf, size_t len);

/* The cell called name, or NULL. */
const struct store_cell *rpt_find(const struct store_cell *c, int n,
                                  const char *name);

/* The text of cell name formatted as fmt, in buf. */
const char *rpt_val(const struct store_cell *c, int n, const char *name,
                    int fmt, char *buf, size_t len);

/* Runs q and prints it as a table under title; "(none)" when empty.
 * Returns the rows, or -1 with c->cause. */
int rpt_table(struct rpt_ctx *c, const char *title, enum store_query q,
              const struct store_filter *f, struct rpt_table *t);

/* Prints query q as CSV or JSON (fmt). Returns the rows (CSV), 1 (JSON)
 * or -1 with c->cause. */
int rpt_export(struct rpt_ctx *c, enum store_query q,
               const struct store_filter *f, enum rpt_fmt fmt);

/* Prints query q with text columns t, or as CSV or JSON: RPT_OK or
 * RPT_ERR (the sentence on c->err). */
int rpt_list(struct rpt_ctx *c, const struct rpt_args *a, enum store_query q,
             struct rpt_table *t);

/* store_row_fn: keeps a copy of the first row in the struct rpt_rec ctx. */
int rpt_rec_take(void *ctx, const struct store_cell *c, int n);

/* Frees what rpt_rec_take copied. */
void rpt_rec_free(struct rpt_rec *r);

/* A value of the record formatted as fmt, then unit ("" for none). */
const char *rpt_rec_val(const struct rpt_rec *r, const char *name, int fmt,
                        const char *unit, char *buf, size_t len);

/* "Key        value" pairs, two to a line when k2 is not NULL. */
void rpt_kv(FILE *out, const char *k1, const char *v1, const char *k2,
            const char *v2);

/* Oil grams in cell c as "1.989 kg" in buf ("-" for NULL); returns buf. */
const char *rpt_grams_kg(const struct store_cell *c, char *buf, size_t len);

/* rpt_trace.c: `trace BATCH`, `trace --grower G`, `trace --drum D`,
 * `trace --lot L`. */
int rpt_trace_cmd(struct rpt_ctx *c, const struct rpt_args *a);

/* rpt_lot.c: `lot list`, `lot show`. */
int rpt_lot_cmd_list(struct rpt_ctx *c, const struct rpt_args *a);
int rpt_lot_cmd_show(struct rpt_ctx *c, const struct rpt_args *a);

/* "CERT (BODY)" or "no" into buf from a row with
 * organic_cert and organic_body. */
void rpt_lot_organic(const struct store_cell *c, int n, char *buf,
                     size_t len);

/* Prints the head lines of lot lot_id (as corrected): who, where, what,
 * mass received and left, oil attributed. 0, or -1 with c->cause ("no lot
 * named L"; nothing printed). */
int rpt_lot_head(struct rpt_ctx *c, const char *lot_id);

/* rpt_drum.c: `drum list`, `drum show`. */
int rpt_drum_cmd_list(struct rpt_ctx *c, const struct rpt_args *a);
int rpt_drum_cmd_show(struct rpt_ctx *c, const struct rpt_args *a);

/* Prints the head lines of drum (id or trace code): trace code,
 * feedstock, organic, net, gross, tare, QA status, shipment. 0, or -1 with
 * c->cause ("no drum D ..."; nothing printed). */
int rpt_drum_head(struct rpt_ctx *c, const char *drum);

/* "shipped to BUYER (note N) on DATE, shipment I" or "not shipped" into
 * buf from a row with shipment_id, buyer, doc_no and ship_date. */
void rpt_drum_shipment(const struct store_cell *c, int n, char *buf,
                       size_t len);

/* doc_label.c: `drum label DRUM --html`, the 100 x 150 mm label (RPT_OK or
 * RPT_ERR with the sentence on c->err). */
int doc_label_cmd(struct rpt_ctx *c, const struct rpt_args *a);

/* doc_label.c: `trace --drum D --html`, the buyer's A4 trace sheet of
 * drum (id or trace code); households only when c->households. RPT_OK or
 * RPT_ERR with the sentence on c->err (nothing on c->out). */
int doc_label_trace(struct rpt_ctx *c, const char *drum);

#endif
