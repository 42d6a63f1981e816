/*
 * doc_ref: the reference batch of the batch record (`report batch ID
 * --html --reference REF`): the check that both batches distilled the same
 * feedstock, where each batch's distillation began (the traces are aligned
 * there) and the table of differences between the two.
 */
#ifndef DOC_REF_H
#define DOC_REF_H

#include "rpt_int.h"

/* What the differences table compares, per batch (NaN: not known). */
struct doc_ref_facts {
	double distil_start_s;     /* first distil step, s after the first step */
	double distil_s;           /* how long the distil steps lasted */
	double first_oil_s;        /* first distillate, s after distil_start_s */
};

/* 0 when batch ref exists and distilled id's feedstock; else -1 with a
 * sentence in c->cause. */
int doc_ref_check(struct rpt_ctx *c, long id, long ref);

/* Fills f's distil_start_s and distil_s from id's steps (first_oil_s is
 * left NaN). 0, or -1 with c->cause. */
int doc_ref_steps(struct rpt_ctx *c, long id, struct doc_ref_facts *f);

/* The reference batch that batch id's recipe as run names
 * (`reference_batch: ID`; r is id's summary row, STORE_Q_BATCHES): ref
 * when it exists and distilled id's feedstock; else 0, with why[] the
 * sentence the document shows instead (empty when the recipe names none).
 * Never fails the document: a read error is a reason too. */
long doc_ref_recipe(struct rpt_ctx *c, long id, const struct rpt_rec *r,
                    char *why, size_t why_len);

/* A section: the differences of id from ref (time to first distillate,
 * distil time, oil, yield, steam per kg of oil, alarms), under note (a
 * sentence; NULL: none). 0 or -1. */
int doc_ref_table(struct rpt_ctx *c, long id, const struct doc_ref_facts *fi,
                  long ref, const struct doc_ref_facts *fr, const char *note);

/* A section saying why no reference is overlaid (why: a sentence). */
void doc_ref_none(FILE *out, const char *why);

#endif
