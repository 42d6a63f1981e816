/* num: the one strict number parser. See num.h. */
#include "num.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static locale_t num_c_locale;
static pthread_once_t num_c_once = PTHREAD_ONCE_INIT;

static void num_c_init(void)
{
	num_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

size_t num_scan(const char *s, int *whole)
{
	size_t i = 0, digits = 0;

	*whole = 1;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (s[i] == '.') {
		*whole = 0;
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	}
	if (digits == 0)
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		size_t j = i + 1, exp_digits = 0;

		if (s[j] == '+' || s[j] == '-')
			j++;
		for (; s[j] >= '0' && s[j] <= '9'; j++)
			exp_digits++;
		if (exp_digits > 0) {
			*whole = 0;
			i = j;
		}
	}
	return i;
}

enum num_status num_parse(const char *text, double *out, int *whole)
{
	size_t len, n;
	double v;

	*whole = 0;
	if (text == NULL || *text == '\0')
		return NUM_EMPTY;
	len = strnlen(text, NUM_TEXT_MAX + 1);
	if (len > NUM_TEXT_MAX)
		return NUM_TOO_LONG;
	n = num_scan(text, whole);
	if (n == 0)
		return NUM_NOT_NUMBER;
	if (n != len)
		return NUM_TRAILING;
	pthread_once(&num_c_once, num_c_init);
	v = num_c_locale ? strtod_l(text, NULL, num_c_locale) : strtod(text, NULL);
	if (!isfinite(v))
		return NUM_OUT_OF_RANGE;
	*out = v;
	return NUM_OK;
}

double num_or_nan(const char *text)
{
	double v;
	int whole;

	return num_parse(text, &v, &whole) == NUM_OK ? v : NAN;
}

/* Writes v without a needless exponent or fraction: 1000000, 0.5, 1e+20. */
static void num_format(double v, char *out, size_t out_len)
{
	snprintf(out, out_len, "%.15g", v);
}

void num_range_text(const struct num_field *f, char *out, size_t out_len)
{
	char lo[40], hi[40];

	num_format(f->min, lo, sizeof lo);
	num_format(f->max, hi, sizeof hi);
	snprintf(out, out_len, f->above_min ? "more than %s, at most %s%s%s" : "%s to %s%s%s",
	         lo, hi, *f->unit ? " " : "", f->unit);
}

/* text fit to quote in one line: its first NUM_TEXT_MAX characters,
 * control characters and quotes as '?', "..." when cut. */
static void num_quote(const char *text, char *out, size_t out_len)
{
	size_t i, n = 0;

	for (i = 0; text[i] != '\0' && i < NUM_TEXT_MAX && n + 1 < out_len; i++) {
		unsigned char c = (unsigned char)text[i];

		out[n++] = (c < 0x20 || c == 0x7f || c == '\'') ? '?' : (char)c;
	}
	out[n] = '\0';
	if (text[i] != '\0' && n + 4 < out_len)
		memcpy(out + n, "...", 4);
}

/* The sentence for status st of text in field f. */
static void num_explain(enum num_status st, const char *text, const struct num_field *f,
                        char *cause, size_t cause_len)
{
	char q[NUM_TEXT_MAX + 8], range[120];

	num_quote(text ? text : "", q, sizeof q);
	num_range_text(f, range, sizeof range);
	switch (st) {
	case NUM_TOO_LONG:
		snprintf(cause, cause_len, "%s: '%s' is too long for a number (at most %d "
		         "characters; %s)", f->name, q, NUM_TEXT_MAX, range);
		break;
	case NUM_NOT_WHOLE:
		snprintf(cause, cause_len, "%s: '%s' is not a whole number (%s)", f->name, q,
		         range);
		break;
	case NUM_OUT_OF_RANGE:
		snprintf(cause, cause_len, "%s: %s is out of range (%s)", f->name, q, range);
		break;
	case NUM_TRAILING:
		snprintf(cause, cause_len, "%s: '%s' is not a number: only digits, no unit "
		         "or other text after it (%s)", f->name, q, range);
		break;
	default:
		snprintf(cause, cause_len, "%s: '%s' is not a number (%s)", f->name, q, range);
		break;
	}
}

/* Checks v against f's range: NUM_OK or NUM_OUT_OF_RANGE. */
static enum num_status num_in_range(double v, const struct num_field *f)
{
	if (v < f->min || v > f->max || (f->above_min && v <= f->min))
		return NUM_OUT_OF_RANGE;
	return NUM_OK;
}

int num_real(const char *text, const struct num_field *f, double *out, char *cause,
             size_t cause_len)
{
	double v = 0;
	int whole;
	enum num_status st = num_parse(text, &v, &whole);

	if (st == NUM_OK)
		st = num_in_range(v, f);
	if (st != NUM_OK) {
		num_explain(st, text, f, cause, cause_len);
		return -1;
	}
	*out = v;
	return 0;
}

int num_int(const char *text, const struct num_field *f, long *out, char *cause,
            size_t cause_len)
{
	double v = 0;
	int whole;
	enum num_status st = num_parse(text, &v, &whole);

	if (st == NUM_OK && !whole)
		st = NUM_NOT_WHOLE;
	if (st == NUM_OK)
		st = num_in_range(v, f);
	if (st == NUM_OK && fabs(v) > 9007199254740992.0)  /* 2^53: exact in a double */
		st = NUM_OUT_OF_RANGE;
	if (st != NUM_OK) {
		num_explain(st, text, f, cause, cause_len);
		return -1;
	}
	*out = (long)v;
	return 0;
}
