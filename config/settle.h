/*
 * settle: the cooperative's member settlement rule, from the plant
 * configuration's `settlement:` and `privacy:` sections, and the pure
 * arithmetic of what each grower household is owed for a period
 * (docs/RECORDS.md, "Member settlement"). Pure: no I/O, no clock.
 * Money is whole dong (long long), oil whole grams, so totals reconcile
 * exactly. Table of contents:
 *   struct settle_cfg    the rule (part of struct cfg_plant)
 *   settle_defaults, settle_raw_price_vnd_per_kg
 *   struct settle_line   one delivery or one attributed oil share
 *   struct settle_grower what one household is owed
 *   settle_compute       lines -> per-grower amounts and the totals
 */
#ifndef SETTLE_H
#define SETTLE_H

#include <stddef.h>

#include "econ.h"

#define SETTLE_NAME_MAX 96

/*
 * The `settlement:` section:
 *   settlement:
 *     raw_price: {cassia-leaf: 2500, cassia-bark: 28000, star-anise: 42000}
 *                                   # VND per kg of raw material delivered
 *     oil_share_pct: 30             # of the oil's value (economics: oil_price)
 *                                   # per kg of oil attributed to the grower
 *     quality_bonus_pct: 5          # extra, on that share, for oil of
 *                                   # batches released in QA
 * and `privacy: {households_in_trace: false}` (reports that leave the
 * cooperative name communes, not households, unless true).
 * `set` is 0 when `settlement:` is absent: `stillroom settle` then says so.
 */
struct settle_cfg {
	int set;
	struct econ_price raw_price[ECON_FEEDS_MAX]; /* VND per kg delivered */
	int n_raw_prices;
	double oil_share_pct;            /* 0..100 */
	double quality_bonus_pct;        /* 0..100, on the oil share */
	int households_in_trace;         /* privacy: 0 by default */
};

/* Empties *c: not set, no prices, shares 0, households hidden. */
void settle_defaults(struct settle_cfg *c);

/* The raw-material price for feedstock, VND per kg; NaN when the rule
 * names none. */
double settle_raw_price_vnd_per_kg(const struct settle_cfg *c,
                                   const char *feedstock);

/* One input line of a period, as the records give it. */
enum settle_kind {
	SETTLE_DELIVERY,   /* a lot received: kg of raw material */
	SETTLE_OIL,        /* oil attributed to a lot from one batch */
	SETTLE_INTAKE_PAID,/* paid at intake: lot price x kg, already paid */
	SETTLE_ADVANCE     /* an advance paid to the household */
};

struct settle_line {
	enum settle_kind kind;
	const char *grower;              /* household */
	const char *feedstock;
	const char *plant_part;          /* DELIVERY: leaf, twig, bark, fruit */
	double raw_kg;                   /* DELIVERY */
	long long oil_g;                 /* OIL: grams attributed */
	double oil_vnd_per_kg;           /* OIL: the oil price used */
	int released;                    /* OIL: the batch was released in QA */
	long long paid_vnd;              /* INTAKE_PAID, ADVANCE */
};

/* What one household is owed for the period. */
struct settle_grower {
	char grower[SETTLE_NAME_MAX];
	double raw_kg;                   /* delivered, all feedstocks */
	long long oil_g;                 /* attributed */
	long long raw_vnd;               /* raw material at the rule's price */
	long long oil_share_vnd;         /* share of the oil's value */
	long long bonus_vnd;             /* quality bonus */
	long long paid_vnd;              /* advances and intake payments */
	long long due_vnd;               /* raw + share + bonus - paid (may be
	                                    negative: the household owes) */
};

/*
 * Computes per-grower amounts from n lines into out[] (at most max
 * growers, sorted by name), rounding each amount to the dong once per
 * grower and component; *total gets the column sums (its grower is
 * "TOTAL"). Sum over growers of oil_g equals the sum of the OIL lines'
 * grams, and of due_vnd equals total->due_vnd, exactly. Returns the
 * number of growers, or -1 with a sentence in cause (a DELIVERY whose
 * feedstock has no raw price, more growers than max, a negative amount).
 */
int settle_compute(const struct settle_cfg *c, const struct settle_line *lines,
                   int n, struct settle_grower *out, int max,
                   struct settle_grower *total, char *cause,
                   size_t cause_len);

#endif
