/* settle: member settlement arithmetic. See settle.h; the rule is written
 * in docs/RECORDS.md, "Member settlement". */
#include "settle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a grower's lines add up to before rounding: products of whole
 * grams and prices, summed exactly (whole numbers far below 2^53), so the
 * order of the lines does not change a dong. */
struct settle_acc {
	long long raw_g;                 /* raw material delivered, grams */
	double raw_g_vnd;                /* sum of grams x VND per kg */
	double oil_g_vnd;                /* sum of oil grams x oil VND per kg */
	double released_g_vnd;           /* the same, released batches only */
};

void settle_defaults(struct settle_cfg *c)
{
	memset(c, 0, sizeof *c);
}

double settle_raw_price_vnd_per_kg(const struct settle_cfg *c,
                                   const char *feedstock)
{
	return econ_price_find(c->raw_price, c->n_raw_prices, feedstock);
}

/* Whole dong, halves away from zero (as SQLite's round()). */
static long long settle_dong(double vnd)
{
	return llround(vnd);
}

/* The index of grower name in out[0..*n), added when new; -1 when out is
 * full. */
static int settle_grower_at(struct settle_grower *out, struct settle_acc *acc,
                            int *n, int max, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(out[i].grower, name) == 0)
			return i;
	if (*n >= max)
		return -1;
	memset(&out[*n], 0, sizeof out[*n]);
	memset(&acc[*n], 0, sizeof acc[*n]);
	snprintf(out[*n].grower, sizeof out[*n].grower, "%s", name);
	return (*n)++;
}

/* Checks one line's figures and prices; 0, or -1 with cause. */
static int settle_line_check(const struct settle_cfg *c,
                             const struct settle_line *l, char *cause,
                             size_t cause_len)
{
	const char *feed = l->feedstock ? l->feedstock : "";

	if (l->grower == NULL || l->grower[0] == '\0') {
		snprintf(cause, cause_len, "a line of the period names no grower");
		return -1;
	}
	switch (l->kind) {
	case SETTLE_DELIVERY:
		if (!isfinite(l->raw_kg) || l->raw_kg < 0)
			break;
		if (isnan(settle_raw_price_vnd_per_kg(c, feed))) {
			snprintf(cause, cause_len, "'settlement: raw_price' has no price "
			         "for feedstock '%s' (delivered by %s): add it to the "
			         "plant configuration", feed, l->grower);
			return -1;
		}
		return 0;
	case SETTLE_OIL:
		if (l->oil_g < 0)
			break;
		if (!isfinite(l->oil_vnd_per_kg) || l->oil_vnd_per_kg < 0) {
			snprintf(cause, cause_len, "'economics: oil_price' has no price "
			         "for feedstock '%s' (oil of %s): add it to the plant "
			         "configuration", feed, l->grower);
			return -1;
		}
		return 0;
	case SETTLE_INTAKE_PAID:
	case SETTLE_ADVANCE:
		if (l->paid_vnd < 0)
			break;
		return 0;
	default:
		snprintf(cause, cause_len, "a line of the period is of unknown kind %d",
		         (int)l->kind);
		return -1;
	}
	snprintf(cause, cause_len, "a line of %s has a negative amount", l->grower);
	return -1;
}

/* Adds line l to grower g's figures. */
static void settle_add(const struct settle_cfg *c, const struct settle_line *l,
                       struct settle_grower *g, struct settle_acc *a)
{
	long long grams;

	switch (l->kind) {
	case SETTLE_DELIVERY:
		grams = llround(l->raw_kg * 1000);
		a->raw_g += grams;
		a->raw_g_vnd += (double)grams *
		                settle_raw_price_vnd_per_kg(c, l->feedstock);
		break;
	case SETTLE_OIL:
		g->oil_g += l->oil_g;
		a->oil_g_vnd += (double)l->oil_g * l->oil_vnd_per_kg;
		if (l->released)
			a->released_g_vnd += (double)l->oil_g * l->oil_vnd_per_kg;
		break;
	case SETTLE_INTAKE_PAID:
	case SETTLE_ADVANCE:
		g->paid_vnd += l->paid_vnd;
		break;
	}
}

/* Rounds a grower's sums to the dong, once per component. */
static void settle_round(const struct settle_cfg *c, struct settle_grower *g,
                         const struct settle_acc *a)
{
	g->raw_kg = (double)a->raw_g / 1000;
	g->raw_vnd = settle_dong(a->raw_g_vnd / 1000);
	g->oil_share_vnd = settle_dong(a->oil_g_vnd * c->oil_share_pct / 100000);
	g->bonus_vnd = settle_dong(a->released_g_vnd * c->oil_share_pct *
	                           c->quality_bonus_pct / 10000000);
	g->due_vnd = g->raw_vnd + g->oil_share_vnd + g->bonus_vnd - g->paid_vnd;
}

static int settle_by_name(const void *a, const void *b)
{
	return strcmp(((const struct settle_grower *)a)->grower,
	              ((const struct settle_grower *)b)->grower);
}

/* The column sums of out[0..n) into *total, named "TOTAL". */
static void settle_total(const struct settle_grower *out, int n,
                         const struct settle_acc *acc,
                         struct settle_grower *total)
{
	long long raw_g = 0;

	memset(total, 0, sizeof *total);
	snprintf(total->grower, sizeof total->grower, "TOTAL");
	for (int i = 0; i < n; i++) {
		raw_g += acc[i].raw_g;
		total->oil_g += out[i].oil_g;
		total->raw_vnd += out[i].raw_vnd;
		total->oil_share_vnd += out[i].oil_share_vnd;
		total->bonus_vnd += out[i].bonus_vnd;
		total->paid_vnd += out[i].paid_vnd;
		total->due_vnd += out[i].due_vnd;
	}
	total->raw_kg = (double)raw_g / 1000;
}

int settle_compute(const struct settle_cfg *c, const struct settle_line *lines,
                   int n, struct settle_grower *out, int max,
                   struct settle_grower *total, char *cause,
                   size_t cause_len)
{
	struct settle_acc *acc;
	int growers = 0;

	if (!c->set) {
		snprintf(cause, cause_len, "the plant configuration has no "
		         "'settlement:' section: there is no rule to settle by");
		return -1;
	}
	if (n < 0 || max < 1 || (acc = calloc((size_t)max, sizeof *acc)) == NULL) {
		snprintf(cause, cause_len, "cannot settle: no room for the growers");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int g;

		if (settle_line_check(c, &lines[i], cause, cause_len) < 0)
			goto out_free_acc;
		g = settle_grower_at(out, acc, &growers, max, lines[i].grower);
		if (g < 0) {
			snprintf(cause, cause_len, "the period has more than %d growers; "
			         "settle them by --grower or a shorter period", max);
			goto out_free_acc;
		}
		settle_add(c, &lines[i], &out[g], &acc[g]);
	}
	for (int i = 0; i < growers; i++)
		settle_round(c, &out[i], &acc[i]);
	settle_total(out, growers, acc, total);
	free(acc);
	qsort(out, (size_t)growers, sizeof *out, settle_by_name);
	return growers;
out_free_acc:
	free(acc);
	return -1;
}
