/*
 * ydoc: a YAML document as a tree for schema checking, built with libyaml's
 * event parser. Every node knows its line and column; errors go to a diag
 * as "file:line:column: message". Built to take any input without harm:
 * files over YDOC_FILE_MAX are refused, nesting is capped, aliases are
 * expanded by copy within a node and byte budget (no billion laughs), and
 * duplicate keys are errors. Table of contents:
 *   limits                   YDOC_FILE_MAX, YDOC_DEPTH_MAX, ...
 *   nodes                    struct ydoc_node, ydoc_len, ydoc_map_key,
 *                            ydoc_map_val, ydoc_map_get
 *   reading and parsing      ydoc_read_file, ydoc_parse, ydoc_free
 *   errors                   ydoc_error, ydoc_error_count,
 *                            ydoc_sort_errors, ydoc_closest
 *   schema: mappings         struct ydoc_field, ydoc_fields
 *   schema: typed values     ydoc_str, ydoc_int, ydoc_num, ydoc_qty,
 *                            ydoc_bool, ydoc_choice, ydoc_is_null
 *   units                    struct ydoc_kind, the ydoc_kind_* tables,
 *                            ydoc_qty_format
 *   tables of numbers        struct ydoc_num_field, ydoc_num_map
 *   ranges                   struct ydoc_range_spec, ydoc_range,
 *                            ydoc_range_check (the one min/max rule)
 * Getters return 0 when they stored a value, 1 when the node is NULL (key
 * absent: *out untouched, so the caller's default stands) and -1 after
 * reporting an error (*out untouched).
 */
#ifndef YDOC_H
#define YDOC_H

#include <stddef.h>

#include "diag.h"

#define YDOC_FILE_MAX (1024 * 1024)   /* bytes; larger files are refused */
#define YDOC_DEPTH_MAX 64             /* nesting levels */
#define YDOC_NODES_MAX 65536          /* nodes, alias copies included */
#define YDOC_BYTES_MAX (4 * 1024 * 1024) /* scalar bytes, copies included */
#define YDOC_ANCHORS_MAX 256          /* distinct anchors per document */

enum ydoc_type { YDOC_SCALAR, YDOC_SEQ, YDOC_MAP };

struct ydoc_node {
	enum ydoc_type type;
	int line;                   /* 1-based, where the node starts */
	int col;                    /* 1-based, in characters */
	int plain;                  /* scalar written without quotes */
	char *str;                  /* scalar text, NUL-terminated */
	size_t len;                 /* scalar length in bytes (may hold NULs) */
	struct ydoc_node **kid;     /* SEQ: items; MAP: key, value, key, ... */
	int n_kid;                  /* MAP: twice the number of pairs */
	int cap_kid;                /* allocated slots in kid */
	int height;                 /* levels below and including this one */
};

struct ydoc;

/* Number of items (SEQ) or pairs (MAP); 0 for scalars. */
int ydoc_len(const struct ydoc_node *n);

/* Pair i's key and value of a MAP node (0 <= i < ydoc_len). */
const struct ydoc_node *ydoc_map_key(const struct ydoc_node *n, int i);
const struct ydoc_node *ydoc_map_val(const struct ydoc_node *n, int i);

/* The value of the first pair whose key is the text key, or NULL. */
const struct ydoc_node *ydoc_map_get(const struct ydoc_node *map,
                                     const char *key);

/*
 * Reads the file at path into a malloc'd, NUL-terminated buffer (*text,
 * *len without the NUL). Refuses files over YDOC_FILE_MAX. Returns 0, or
 * -1 with one error about path added to d.
 */
int ydoc_read_file(const char *path, char **text, size_t *len, struct diag *d);

/*
 * Parses len bytes of text as one YAML document; file names it in errors
 * (the doc keeps the pointer: it must outlive the doc). Returns the doc
 * (its root is NULL for an empty file) with duplicate keys already
 * reported, or NULL after reporting a syntax error, a second document or a
 * breached limit (or on out of memory). Errors found later through the doc
 * also go to d.
 */
struct ydoc *ydoc_parse(const char *file, const char *text, size_t len,
                        struct diag *d);

/* The document's top node, NULL when the file holds no document. */
const struct ydoc_node *ydoc_root(const struct ydoc *doc);

/* Frees doc and its nodes; NULL is fine. */
void ydoc_free(struct ydoc *doc);

/* Adds "file:line:col: message" for node at (at NULL: no position). The
 * same line twice (an alias copy) is reported once. */
void ydoc_error(struct ydoc *doc, const struct ydoc_node *at,
                const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Errors reported through doc so far (parse and schema), kept or dropped. */
int ydoc_error_count(const struct ydoc *doc);

/* Puts the errors doc added to its diag in file order (line, then column;
 * those without a position first), keeping the order of equals. Call it
 * once the checks are done, before ydoc_free. */
void ydoc_sort_errors(struct ydoc *doc);

/* The candidate closest to word by edit distance (transpositions count
 * one, case-only differences less), or NULL when none is close enough to
 * be a likely typo. */
const char *ydoc_closest(const char *word, const char *const *cand, int n);

/* One key a mapping may hold. */
struct ydoc_field {
	const char *key;
	int required;           /* missing it is an error */
};

/*
 * Checks that map is a mapping whose keys are all in field[0..n-1], and
 * sets val[i] to field i's value node (NULL when absent). Reports a
 * non-mapping, unknown keys (with a did-you-mean or the list of allowed
 * keys) and missing required keys, naming the mapping as what ("recipe",
 * "step 'distil'"). Returns 0 when map is a mapping (even if some keys
 * were wrong), -1 otherwise (val all NULL).
 */
int ydoc_fields(struct ydoc *doc, const struct ydoc_node *map,
                const char *what, const struct ydoc_field *field, int n,
                const struct ydoc_node **val);

/* 1 when n is a null scalar (empty, ~, null), else 0. */
int ydoc_is_null(const struct ydoc_node *n);

/* Printable text (UTF-8, no control characters), 1 to size-1 bytes. */
int ydoc_str(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             char *buf, size_t size);

/* A name: 1 to size-1 letters, digits, '-', '_' or '.', starting with a
 * letter or digit. For things typed on command lines. */
int ydoc_name(struct ydoc *doc, const struct ydoc_node *n, const char *key,
              char *buf, size_t size);

/* A whole number without a unit in lo..hi. */
int ydoc_int(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             long lo, long hi, long *out);

/* A number without a unit in lo..hi (finite; no inf, nan or hex). */
int ydoc_num(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             double lo, double hi, double *out);

/* true or false. */
int ydoc_bool(struct ydoc *doc, const struct ydoc_node *n, const char *key,
              int *out);

/* One of the NULL-terminated choices; *out is its index. */
int ydoc_choice(struct ydoc *doc, const struct ydoc_node *n, const char *key,
                const char *const *choice, int *out);

/* A unit and how it converts: base = value * factor. */
struct ydoc_unit {
	const char *name;       /* as written after the number */
	double factor;          /* base units per this unit */
	int shown;              /* 0: accepted only; 1: also listed in
	                           messages; 2: also used to print values */
};

/* A physical quantity: its units, the first of which is the base. */
struct ydoc_kind {
	const char *what;       /* "a time", "a pressure" */
	const struct ydoc_unit *unit;
	int n_unit;
};

extern const struct ydoc_kind ydoc_kind_time;        /* s */
extern const struct ydoc_kind ydoc_kind_pressure;    /* kPa */
extern const struct ydoc_kind ydoc_kind_pressure_rate; /* kPa/min */
extern const struct ydoc_kind ydoc_kind_temp;        /* C */
extern const struct ydoc_kind ydoc_kind_pct;         /* % */
extern const struct ydoc_kind ydoc_kind_pct_rate;    /* %/s */
extern const struct ydoc_kind ydoc_kind_oil_rate;    /* g/h */
extern const struct ydoc_kind ydoc_kind_mass_kg;     /* kg */
extern const struct ydoc_kind ydoc_kind_mass_g;      /* g */
extern const struct ydoc_kind ydoc_kind_steam_flow;  /* kg/h */
extern const struct ydoc_kind ydoc_kind_water_flow;  /* L/min */
extern const struct ydoc_kind ydoc_kind_gain_kpa;    /* %/kPa */
extern const struct ydoc_kind ydoc_kind_gain_c;      /* %/C */

/*
 * A number with a unit of kind ("30 minutes", "25 kPa", "10 %"), converted
 * to the kind's base unit and checked against lo..hi (base units). A bare
 * number, an unknown unit or one of another kind is an error that lists
 * the units allowed.
 */
int ydoc_qty(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             const struct ydoc_kind *kind, double lo, double hi, double *out);

/* One numeric key of a mapping that holds only numbers. */
struct ydoc_num_field {
	const char *key;
	int required;
	const struct ydoc_kind *kind;   /* NULL: a bare number */
	double lo, hi;                  /* allowed range, base units */
	size_t offset;                  /* of its double in the target struct */
};

/*
 * Reads a mapping of numbers described by spec[0..n-1] (at most 32) into
 * the doubles at base + spec[i].offset; absent optional keys keep their
 * value. Reports like ydoc_fields and the getters. Returns 0 when every
 * present key was read, -1 otherwise.
 */
int ydoc_num_map(struct ydoc *doc, const struct ydoc_node *map,
                 const char *what, const struct ydoc_num_field *spec, int n,
                 void *base);

/* How a {min, max} range is read. */
struct ydoc_range_spec {
	const char *key;                /* bounds named 'KEY.min' in errors;
	                                   NULL: 'min', 'max' */
	const struct ydoc_kind *kind;   /* NULL: bare numbers */
	double lo, hi;                  /* allowed for either bound, base units */
	int need_both;                  /* 1: min and max required; 0: at
	                                   least one, the other left as is */
};

/*
 * Reads a {min, max} mapping as spec says into *min and *max (base units),
 * naming the range what ("'charge'", "'density' of cassia-leaf") in its
 * errors, and holds it to ydoc_range_check. Returns 0, 1 (n NULL, nothing
 * read) or -1 after reporting a missing, bad or misordered bound (*min and
 * *max untouched). An unknown key is reported but does not stop the read.
 */
int ydoc_range(struct ydoc *doc, const struct ydoc_node *n, const char *what,
               const struct ydoc_range_spec *spec, double *min, double *max);

/*
 * The one rule for every min/max pair in configs, recipes and QA specs:
 * min strictly below max (an empty or one-point range is a mistake). A NaN
 * bound (absent) passes. min_key and max_key name the two ("min", "max";
 * "steam_min", "steam_max"). Returns 0, or -1 after reporting "WHAT:
 * 'MIN_KEY' X must be below 'MAX_KEY' Y" at at (what NULL: no "WHAT: ";
 * values in kind's units, NULL: bare numbers).
 */
int ydoc_range_check(struct ydoc *doc, const struct ydoc_node *at,
                     const char *what, const struct ydoc_kind *kind,
                     const char *min_key, double min,
                     const char *max_key, double max);

/* Writes base-unit value v as people read it ("45 min", "25 kPa") into
 * buf; returns buf. */
char *ydoc_qty_format(const struct ydoc_kind *kind, double v, char *buf,
                      size_t size);

#endif
