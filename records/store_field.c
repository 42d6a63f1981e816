/*
 * store_field: pure field setters (lot add, QA record) and date checks,
 * no SQLite calls. Read part (the CLI fills lots and results with them).
 */
#include "store_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

/* ------------------------------------------------------------------ */
/* Fields set from text (lot add, QA record)                            */

enum store_ftype {
	STORE_F_TEXT,               /* char array */
	STORE_F_DATE,               /* char array, YYYY-MM-DD */
	STORE_F_INT,                /* int in [min, max] */
	STORE_F_REAL                /* double in [min, max] */
};

struct store_field {
	const char *key;
	const char *alias;          /* another accepted key, or NULL */
	enum store_ftype type;
	size_t offset;
	size_t size;                /* of the char array */
	const char *label;          /* for messages: "mass" */
	const char *unit;           /* for messages: "kg", or "" */
	double min, max;            /* accepted range (numbers) */
};

#define STORE_LOT_TEXT(key, alias, field, label) \
	{key, alias, STORE_F_TEXT, offsetof(struct store_lot, field), \
	 sizeof(((struct store_lot *)0)->field), label, "", 0, 0}

static const struct store_field store_lot_fields[] = {
	STORE_LOT_TEXT("id", "lot_id", lot_id, "lot id"),
	STORE_LOT_TEXT("feedstock", NULL, feedstock, "feedstock"),
	STORE_LOT_TEXT("grower", NULL, grower, "grower"),
	STORE_LOT_TEXT("cooperative", NULL, cooperative, "cooperative"),
	STORE_LOT_TEXT("origin", "commune", origin, "origin"),
	{"harvested", "harvest_date", STORE_F_DATE, offsetof(struct store_lot, harvested),
	 sizeof(((struct store_lot *)0)->harvested), "harvest date", "", 0, 0},
	{"drying_days", "drying", STORE_F_INT, offsetof(struct store_lot, drying_days),
	 0, "drying days", "days", 0, 3650},
	{"moisture_pct", "moisture", STORE_F_REAL, offsetof(struct store_lot, moisture_pct),
	 0, "moisture", "%", 0, 99.9},
	{"mass_kg", "mass", STORE_F_REAL, offsetof(struct store_lot, mass_received_kg),
	 0, "mass", "kg", 0, 1e6},
	STORE_LOT_TEXT("plant_part", "part", plant_part, "plant part"),
	{"price_vnd_per_kg", "price", STORE_F_REAL,
	 offsetof(struct store_lot, price_vnd_per_kg), 0, "price", "VND/kg", 0, 1e9},
	STORE_LOT_TEXT("organic_cert", NULL, organic_cert, "organic certificate"),
	STORE_LOT_TEXT("organic_body", NULL, organic_body, "organic body"),
	STORE_LOT_TEXT("gi", NULL, gi, "geographical indication"),
	{"oil_content_pct", "oil_content", STORE_F_REAL,
	 offsetof(struct store_lot, oil_content_pct), 0, "oil content", "%", 0, 100},
};

/* The plant parts a lot may be (store_lot_set "part"). */
static const char *const store_parts[] = {"leaf", "twig", "bark", "fruit"};

#define STORE_QA_TEXT(key, field, label) \
	{key, NULL, STORE_F_TEXT, offsetof(struct store_qa_result, field), \
	 sizeof(((struct store_qa_result *)0)->field), label, "", 0, 0}

static const struct store_field store_qa_fields[] = {
	{"density", NULL, STORE_F_REAL, offsetof(struct store_qa_result, density),
	 0, "density", "", QASPEC_DENSITY_LO, QASPEC_DENSITY_HI},
	{"ri", "refractive_index", STORE_F_REAL,
	 offsetof(struct store_qa_result, refractive_index), 0,
	 "refractive index", "", QASPEC_RI_LO, QASPEC_RI_HI},
	{"marker", "marker_pct", STORE_F_REAL,
	 offsetof(struct store_qa_result, marker_pct), 0, "marker", "%",
	 QASPEC_MARKER_LO_PCT, QASPEC_MARKER_HI_PCT},
	STORE_QA_TEXT("analyst", analyst, "analyst"),
	STORE_QA_TEXT("lab_ref", lab_ref, "lab reference"),
	STORE_QA_TEXT("why", why, "why"),
};

int store_date_check(const char *t)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, n = 0;

	if (!t || strlen(t) != 10 || sscanf(t, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || t[4] != '-' || t[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)t[i]))
			return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

/* Text fit for one line of a report: no control characters. */
int store_field_text_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return 0;
	return 1;
}

/* An id (what: "lot", "drum") is letters, digits and - _ . / (a CLI's
 * lot L:200 list and a request's lots=A:1,B:2 split on the others). */
int store_id_check(const char *what, const char *id, char *cause,
                   size_t cause_len)
{
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_./", *p))
			return store_fail(cause, cause_len, "%s id '%s' may only have "
			                  "letters, digits and - _ . /", what, id);
	return 0;
}

/* Parses a number for field f with the one number parser (num.h).
 * Returns 0 or -1 with cause. */
static int store_field_number(const struct store_field *f, const char *value,
                              double *v, char *cause, size_t cause_len)
{
	const struct num_field nf = {f->label, f->unit, f->min, f->max, 0};
	long whole;

	if (f->type != STORE_F_INT)
		return num_real(value, &nf, v, cause, cause_len);
	if (num_int(value, &nf, &whole, cause, cause_len) < 0)
		return -1;
	*v = (double)whole;
	return 0;
}

/* Sets the field called key of obj from value. */
static int store_field_set(void *obj, const struct store_field *fields, int n,
                           const char *key, const char *value, char *cause,
                           size_t cause_len)
{
	const struct store_field *f = NULL;
	char *p;
	double v;

	for (int i = 0; i < n && !f; i++)
		if (strcmp(fields[i].key, key) == 0 ||
		    (fields[i].alias && strcmp(fields[i].alias, key) == 0))
			f = &fields[i];
	if (!f)
		return store_fail(cause, cause_len, "unknown field '%s'", key);
	if (!value)
		return store_fail(cause, cause_len, "%s needs a value", f->label);
	p = (char *)obj + f->offset;
	if (f->type == STORE_F_TEXT || f->type == STORE_F_DATE) {
		if (strlen(value) >= f->size)
			return store_fail(cause, cause_len, "%s is too long (at most "
			                  "%zu characters)", f->label, f->size - 1);
		if (!store_field_text_ok(value))
			return store_fail(cause, cause_len, "%s has a control character",
			                  f->label);
		if (f->type == STORE_F_DATE && *value && !store_date_check(value))
			return store_fail(cause, cause_len, "%s '%s' is not a date "
			                  "(YYYY-MM-DD)", f->label, value);
		memcpy(p, value, strlen(value) + 1);
		return 0;
	}
	if (store_field_number(f, value, &v, cause, cause_len) < 0)
		return -1;
	if (f->type == STORE_F_INT)
		*(int *)(void *)p = (int)v;
	else
		*(double *)(void *)p = v;
	return 0;
}

void store_lot_init(struct store_lot *lot)
{
	memset(lot, 0, sizeof *lot);
	lot->drying_days = -1;
	lot->moisture_pct = -1;
	lot->price_vnd_per_kg = -1;
	lot->oil_content_pct = -1;
}

/* The field of store_lot_fields called key (or by its alias), or NULL. */
static const struct store_field *store_lot_field(const char *key)
{
	for (size_t i = 0; i < sizeof store_lot_fields / sizeof store_lot_fields[0]; i++)
		if (strcmp(store_lot_fields[i].key, key) == 0 ||
		    (store_lot_fields[i].alias &&
		     strcmp(store_lot_fields[i].alias, key) == 0))
			return &store_lot_fields[i];
	return NULL;
}

/* The lot field's own name (a lots column) for key or its alias; NULL
 * when there is no such field. */
const char *store_lot_key(const char *key)
{
	const struct store_field *f = store_lot_field(key);

	return f ? f->key : NULL;
}

/* The value of lot field key in l as text into buf (numbers %.15g);
 * NULL when it is not set (empty text, a negative number). */
const char *store_lot_text(const struct store_lot *l, const char *key,
                           char *buf, size_t len)
{
	const struct store_field *f = store_lot_field(key);
	const char *p;
	double v;

	if (!f)
		return NULL;
	p = (const char *)l + f->offset;
	if (f->type == STORE_F_TEXT || f->type == STORE_F_DATE) {
		snprintf(buf, len, "%s", p);
		return *buf ? buf : NULL;
	}
	v = f->type == STORE_F_INT ? *(const int *)(const void *)p :
	                             *(const double *)(const void *)p;
	if (v < 0)
		return NULL;
	snprintf(buf, len, "%.15g", v);
	return buf;
}

/* 1 when part is "" or one of store_parts. */
int store_part_ok(const char *part)
{
	for (size_t i = 0; i < sizeof store_parts / sizeof store_parts[0]; i++)
		if (strcmp(part, store_parts[i]) == 0)
			return 1;
	return *part == '\0';
}

int store_lot_set(struct store_lot *lot, const char *key, const char *value,
                  char *cause, size_t cause_len)
{
	if (key && value && (strcmp(key, "part") == 0 ||
	                     strcmp(key, "plant_part") == 0) && !store_part_ok(value))
		return store_fail(cause, cause_len, "plant part '%s' is not leaf, "
		                  "twig, bark or fruit", value);
	return store_field_set(lot, store_lot_fields,
	                       (int)(sizeof store_lot_fields / sizeof store_lot_fields[0]),
	                       key, value, cause, cause_len);
}

void store_qa_result_init(struct store_qa_result *r)
{
	memset(r, 0, sizeof *r);
	r->density = NAN;
	r->refractive_index = NAN;
	r->marker_pct = NAN;
}

int store_qa_result_set(struct store_qa_result *r, const char *key,
                        const char *value, char *cause, size_t cause_len)
{
	return store_field_set(r, store_qa_fields,
	                       (int)(sizeof store_qa_fields / sizeof store_qa_fields[0]),
	                       key, value, cause, cause_len);
}
