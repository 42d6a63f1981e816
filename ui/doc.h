/*
 * doc: self-contained HTML documents for people to read, print and sign
 * (docs/RECORDS.md "Documents"): one file with inline CSS and inline SVG,
 * no script, no external reference (no http:, no src= to a file, no
 * @import), readable on a phone (viewport, fluid width) and printing
 * cleanly (print CSS: A4 portrait with page breaks between sections, or the
 * 100 x 150 mm drum label). Every text written through doc is HTML-escaped;
 * the output is well formed (`xmllint --html` clean). Writes to a FILE *;
 * a write error is seen by the caller through ferror. Table of contents:
 *   doc_begin, doc_end                 the page shell (lang, title, CSS)
 *   doc_section_begin, doc_section_end a titled section (print: new page
 *                                      unless DOC_KEEP)
 *   doc_h, doc_p, doc_pf, doc_esc      headings and escaped text
 *   doc_kv_begin, doc_kv, doc_kv_end   a list of "key: value" lines
 *   doc_table_begin, doc_table_row, doc_table_end   a table
 *   doc_badge                          pass / fail / pending marks
 *   doc_buffered                       a whole page or nothing
 */
#ifndef DOC_H
#define DOC_H

#include <stdio.h>

enum doc_page {
	DOC_A4,          /* A4 portrait, 15 mm margins */
	DOC_LABEL        /* 100 x 150 mm drum label, 5 mm margins */
};

/* Writes the page head: <!DOCTYPE html>, <html lang=lang> ("en" or "vi"),
 * the title, the viewport and the inline CSS for page; opens <body>. */
void doc_begin(FILE *f, const char *title, const char *lang, enum doc_page page);

/* Closes the body and the page. */
void doc_end(FILE *f);

#define DOC_KEEP 1   /* doc_section_begin: no page break before it */

/* Opens a <section id=id> with an <h2> title; flags DOC_KEEP or 0. */
void doc_section_begin(FILE *f, const char *id, const char *title, int flags);
void doc_section_end(FILE *f);

/* <hN> (level 1..4) with escaped text. */
void doc_h(FILE *f, int level, const char *text);

/* A paragraph of escaped text; doc_pf formats it first (printf). */
void doc_p(FILE *f, const char *text);
void doc_pf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes text HTML-escaped (& < > " '), NULL as "". */
void doc_esc(FILE *f, const char *text);

/* A <dl> of key/value lines; values escaped; NULL value shown as "-". */
void doc_kv_begin(FILE *f);
void doc_kv(FILE *f, const char *key, const char *value);
void doc_kv_end(FILE *f);

/* A table with n column heads; each row n cells (NULL -> "-"), escaped.
 * Columns whose head ends in a unit in brackets, or flagged numeric by
 * doc_table_begin's numeric mask (bit i = column i), align right. */
void doc_table_begin(FILE *f, const char *const *heads, int n,
                     unsigned numeric_mask);
void doc_table_row(FILE *f, const char *const *cells, int n);
void doc_table_end(FILE *f);

enum doc_mark { DOC_PASS, DOC_FAIL, DOC_PENDING };

/* An inline mark with escaped text, coloured and also distinguishable in
 * black and white print (a symbol before the text). */
void doc_badge(FILE *f, enum doc_mark m, const char *text);

/* Runs build(ctx) with *out switched to a memory stream, then switches
 * *out back and writes the page there only when build returned 0: a
 * failure midway (a database error) leaves nothing on the real output.
 * Returns build's result, or -1 with "out of memory" in cause. */
int doc_buffered(FILE **out, int (*build)(void *ctx), void *ctx, char *cause,
                 size_t cause_len);

#endif
