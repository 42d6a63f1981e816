/*
 * num: the one strict number parser. Every number that reaches stillroom
 * (socket verbs, CLI and daemon options, console inputs, lot and lab
 * fields, YAML scalars) is read here: the whole token must be a decimal
 * number ([+-]digits[.digits][e[+-]digits]), at most NUM_TEXT_MAX
 * characters, finite; hex, NaN, inf, blanks and units are refused. The C
 * locale's decimal point always, whatever the user's locale.
 */
#ifndef NUM_H
#define NUM_H

#include <stddef.h>

#define NUM_TEXT_MAX 32     /* longest number text, in characters */

enum num_status {
	NUM_OK,
	NUM_EMPTY,          /* "" */
	NUM_TOO_LONG,       /* over NUM_TEXT_MAX characters */
	NUM_NOT_NUMBER,     /* does not start with a number: "abc", "nan", "0x10" */
	NUM_TRAILING,       /* a number, then more: "12abc", "5 kg" */
	NUM_NOT_WHOLE,      /* whole number wanted: "1.5", "1e3" */
	NUM_OUT_OF_RANGE,   /* outside the field's range, or not finite */
};

/* A field a number is for: named for messages, with its accepted range. */
struct num_field {
	const char *name;   /* as the user knows it: "cooling", "mass" */
	const char *unit;   /* "%", "kg", or "" */
	double min, max;    /* accepted range, inclusive */
	int above_min;      /* 1: min itself is refused (strictly more) */
};

/* Length of the decimal number at the start of s, 0 when there is none;
 * *whole is 0 when it has a fraction or an exponent. */
size_t num_scan(const char *s, int *whole);

/* Reads text (all of it) as a finite number into *out; *whole as for
 * num_scan. NUM_OK or why not (no range check). */
enum num_status num_parse(const char *text, double *out, int *whole);

/* Reads text as a number for field f. 0, or -1 with a sentence in cause
 * naming the field and its range ("cooling: 'abc' is not a number (0 to
 * 100 %)"); *out is untouched on error. */
int num_real(const char *text, const struct num_field *f, double *out, char *cause,
             size_t cause_len);

/* As num_real, for a whole number (no fraction, no exponent). */
int num_int(const char *text, const struct num_field *f, long *out, char *cause,
            size_t cause_len);

/* The number text is, read as num_parse reads it, or NaN when it is not
 * one (NULL included): for forms that explain a bad value themselves and
 * for values shown on screen. */
double num_or_nan(const char *text);

/* Writes f's range as people read it: "0 to 100 %", "more than 0, at most
 * 1000000 kg". */
void num_range_text(const struct num_field *f, char *out, size_t out_len);

#endif
