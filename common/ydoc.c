/* ydoc: a YAML document tree for schema checking. See ydoc.h. */
#include "ydoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "num.h"

#define YDOC_QUOTE_MAX 48   /* bytes of a user's text shown in a message */
#define YDOC_WORD_MAX 64    /* longest word ydoc_closest compares */
#define YDOC_NUM_MAX 64     /* longest number text */

struct ydoc_anchor {
	char *name;
	struct ydoc_node *node;
};

struct ydoc {
	const char *file;               /* for messages */
	struct diag *d;
	struct ydoc_node *root;
	int n_errors;                   /* reported through this doc */
	int d_first;                    /* d->line index of our first line */
	int n_nodes;                    /* made so far, alias copies included */
	size_t n_bytes;                 /* scalar bytes so far, copies included */
	int n_docs;                     /* documents seen in the stream */
	int depth;                      /* open collections */
	struct ydoc_node *open[YDOC_DEPTH_MAX];
	char *open_anchor[YDOC_DEPTH_MAX]; /* anchor of each open collection */
	struct ydoc_anchor anchor[YDOC_ANCHORS_MAX];
	int n_anchor;
};

/* ---- nodes ---- */

int ydoc_len(const struct ydoc_node *n)
{
	if (n == NULL || n->type == YDOC_SCALAR)
		return 0;
	return n->type == YDOC_MAP ? n->n_kid / 2 : n->n_kid;
}

const struct ydoc_node *ydoc_map_key(const struct ydoc_node *n, int i)
{
	return n->kid[2 * i];
}

const struct ydoc_node *ydoc_map_val(const struct ydoc_node *n, int i)
{
	return n->kid[2 * i + 1];
}

const struct ydoc_node *ydoc_map_get(const struct ydoc_node *map,
                                     const char *key)
{
	if (map == NULL || map->type != YDOC_MAP)
		return NULL;
	for (int i = 0; i < ydoc_len(map); i++) {
		const struct ydoc_node *k = ydoc_map_key(map, i);

		if (k->type == YDOC_SCALAR && strcmp(k->str, key) == 0 &&
		    strlen(k->str) == k->len)
			return ydoc_map_val(map, i);
	}
	return NULL;
}

static void ydoc_node_free(struct ydoc_node *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < n->n_kid; i++)
		ydoc_node_free(n->kid[i]);
	free(n->kid);
	free(n->str);
	free(n);
}

/* A new node counted against the budget, or NULL (reported). */
static struct ydoc_node *ydoc_node_new(struct ydoc *doc, enum ydoc_type type,
                                       int line, int col)
{
	struct ydoc_node *n;

	if (doc->n_nodes >= YDOC_NODES_MAX) {
		ydoc_error(doc, NULL, "document too large: more than %d nodes "
		           "(aliases count once per use)", YDOC_NODES_MAX);
		return NULL;
	}
	n = calloc(1, sizeof *n);
	if (n == NULL) {
		ydoc_error(doc, NULL, "out of memory");
		return NULL;
	}
	doc->n_nodes++;
	n->type = type;
	n->line = line;
	n->col = col;
	n->height = 1;
	return n;
}

/* Gives scalar n a copy of len bytes at s, within the byte budget. */
static int ydoc_node_text(struct ydoc *doc, struct ydoc_node *n, const char *s,
                          size_t len)
{
	if (len > YDOC_BYTES_MAX - doc->n_bytes) {
		ydoc_error(doc, NULL, "document too large: more than %d bytes of "
		           "text (aliases count once per use)", YDOC_BYTES_MAX);
		return -1;
	}
	n->str = malloc(len + 1);
	if (n->str == NULL) {
		ydoc_error(doc, n, "out of memory");
		return -1;
	}
	memcpy(n->str, s, len);
	n->str[len] = '\0';
	n->len = len;
	doc->n_bytes += len;
	return 0;
}

static int ydoc_node_append(struct ydoc *doc, struct ydoc_node *parent,
                            struct ydoc_node *kid)
{
	if (parent->n_kid == parent->cap_kid) {
		int cap = parent->cap_kid ? 2 * parent->cap_kid : 4;
		struct ydoc_node **k = realloc(parent->kid, (size_t)cap * sizeof *k);

		if (k == NULL) {
			ydoc_error(doc, kid, "out of memory");
			return -1;
		}
		parent->kid = k;
		parent->cap_kid = cap;
	}
	parent->kid[parent->n_kid++] = kid;
	return 0;
}

/* A deep copy of n (an alias's target), or NULL (reported). */
static struct ydoc_node *ydoc_node_copy(struct ydoc *doc,
                                        const struct ydoc_node *n)
{
	struct ydoc_node *c = ydoc_node_new(doc, n->type, n->line, n->col);

	if (c == NULL)
		return NULL;
	c->plain = n->plain;
	c->height = n->height;
	if (n->type == YDOC_SCALAR && ydoc_node_text(doc, c, n->str, n->len) < 0)
		goto out_free_copy;
	for (int i = 0; i < n->n_kid; i++) {
		struct ydoc_node *k = ydoc_node_copy(doc, n->kid[i]);

		if (k == NULL)
			goto out_free_copy;
		if (ydoc_node_append(doc, c, k) < 0) {
			ydoc_node_free(k);
			goto out_free_copy;
		}
	}
	return c;
out_free_copy:
	ydoc_node_free(c);
	return NULL;
}

/* ---- messages ---- */

/*
 * Copies len bytes of a user's text at s into buf for a message: control
 * characters (C0, DEL, C1) become '?', and long text is cut at a character
 * boundary with "...".
 */
static const char *ydoc_quote(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;
	size_t max = size - 4;

	if (max > YDOC_QUOTE_MAX)
		max = YDOC_QUOTE_MAX;
	for (size_t i = 0; i < len && o < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f) {
			buf[o++] = '?';
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			buf[o++] = '?';
		} else {
			buf[o++] = (char)c;
		}
		if (o == max && i + 1 < len) {
			while (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
				o--;
			if (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0xc0)
				o--;
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* "nothing", "a list", "a mapping" or the scalar's text in quotes. */
static const char *ydoc_describe(const struct ydoc_node *n, char *buf,
                                 size_t size)
{
	char q[YDOC_QUOTE_MAX + 4];

	if (n->type == YDOC_SEQ)
		return "a list";
	if (n->type == YDOC_MAP)
		return "a mapping";
	if (ydoc_is_null(n))
		return "nothing";
	snprintf(buf, size, "\"%s\"", ydoc_quote(n->str, n->len, q, sizeof q));
	return buf;
}

void ydoc_error(struct ydoc *doc, const struct ydoc_node *at,
                const char *fmt, ...)
{
	char msg[DIAG_LINE_MAX], whole[DIAG_LINE_MAX + 64];
	int line = at ? at->line : 0, col = at ? at->col : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* the same text diag_add would keep; skip a repeat from an alias */
	if (line > 0)
		snprintf(whole, sizeof whole, "%s:%d:%d: %s", doc->file, line, col, msg);
	else
		snprintf(whole, sizeof whole, "%s: %s", doc->file, msg);
	whole[DIAG_LINE_MAX - 1] = '\0';
	for (int i = 0; i < doc->d->n; i++)
		if (strcmp(doc->d->line[i], whole) == 0)
			return;
	doc->n_errors++;
	diag_add(doc->d, doc->file, line, col, "%s", msg);
}

int ydoc_error_count(const struct ydoc *doc)
{
	return doc->n_errors;
}

static int tolower_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (unsigned char)c;
}

/* The position in a line "file:line:col: ..." as line * 1e6 + col, 0
 * when the line has none. */
static long ydoc_line_pos(const struct ydoc *doc, const char *line)
{
	size_t flen = strlen(doc->file);
	int l = 0, c = 0;

	if (strncmp(line, doc->file, flen) != 0 ||
	    sscanf(line + flen, ":%d:%d:", &l, &c) != 2)
		return 0;
	return (long)l * 1000000L + c;
}

void ydoc_sort_errors(struct ydoc *doc)
{
	struct diag *d = doc->d;
	char tmp[DIAG_LINE_MAX];

	for (int i = doc->d_first + 1; i < d->n; i++) {
		long pos = ydoc_line_pos(doc, d->line[i]);
		int j = i;

		while (j > doc->d_first && ydoc_line_pos(doc, d->line[j - 1]) > pos)
			j--;
		if (j == i)
			continue;
		memcpy(tmp, d->line[i], sizeof tmp);
		memmove(d->line[j + 1], d->line[j], (size_t)(i - j) * sizeof d->line[0]);
		memcpy(d->line[j], tmp, sizeof tmp);
	}
}

/* Optimal string alignment distance of lowercased a and b. */
static int ydoc_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	int dist[YDOC_WORD_MAX + 1][YDOC_WORD_MAX + 1];

	if (la > YDOC_WORD_MAX || lb > YDOC_WORD_MAX)
		return YDOC_WORD_MAX;
	for (int i = 0; i <= la; i++)
		dist[i][0] = i;
	for (int j = 0; j <= lb; j++)
		dist[0][j] = j;
	for (int i = 1; i <= la; i++) {
		for (int j = 1; j <= lb; j++) {
			int ca = tolower_ascii(a[i - 1]), cb = tolower_ascii(b[j - 1]);
			int best = dist[i - 1][j - 1] + (ca != cb);

			if (dist[i - 1][j] + 1 < best)
				best = dist[i - 1][j] + 1;
			if (dist[i][j - 1] + 1 < best)
				best = dist[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower_ascii(b[j - 2]) &&
			    tolower_ascii(a[i - 2]) == cb &&
			    dist[i - 2][j - 2] + 1 < best)
				best = dist[i - 2][j - 2] + 1;
			dist[i][j] = best;
		}
	}
	return dist[la][lb];
}

const char *ydoc_closest(const char *word, const char *const *cand, int n)
{
	size_t len = strlen(word);
	int allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	const char *best = NULL;
	int best_d = allowed + 1;

	for (int i = 0; i < n; i++) {
		int dist = ydoc_distance(word, cand[i]);

		if (dist < best_d && (dist < (int)strlen(cand[i]) || dist < (int)len)) {
			best = cand[i];
			best_d = dist;
		}
	}
	return best;
}

/* Joins words as "a, b or c" into buf. */
static const char *ydoc_join(const char *const *word, int n, const char *last,
                             char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && o < size; i++) {
		const char *sep = i == 0 ? "" : i == n - 1 ? last : ", ";
		int w = snprintf(buf + o, size - o, "%s%s", sep, word[i]);

		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* ---- reading and parsing ---- */

int ydoc_read_file(const char *path, char **text, size_t *len, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		diag_add(d, path, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	buf = malloc(YDOC_FILE_MAX + 2);
	if (buf == NULL) {
		diag_add(d, path, 0, 0, "out of memory");
		goto out_close_file;
	}
	n = fread(buf, 1, YDOC_FILE_MAX + 1, f);
	if (ferror(f)) {
		diag_add(d, path, 0, 0, "cannot read: %s", strerror(errno));
		goto out_free_buf;
	}
	if (n > YDOC_FILE_MAX) {
		diag_add(d, path, 0, 0, "file too large: over %d bytes (1 MiB); "
		         "a recipe or configuration is a few kilobytes", YDOC_FILE_MAX);
		goto out_free_buf;
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
out_free_buf:
	free(buf);
out_close_file:
	fclose(f);
	return -1;
}

/* Line and column (1-based) of byte offset off in text. */
static void ydoc_offset_pos(const char *text, size_t len, size_t off, int *line,
                            int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/* Refuses a NUL byte (UTF-16 text has them): files are UTF-8 C strings. */
static int ydoc_check_nul(struct ydoc *doc, const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	struct ydoc_node at = {0};

	if (nul == NULL)
		return 0;
	ydoc_offset_pos(text, len, (size_t)(nul - text), &at.line, &at.col);
	ydoc_error(doc, &at, "a NUL byte: the file must be UTF-8 text");
	return -1;
}

static void ydoc_syntax_error(struct ydoc *doc, const yaml_parser_t *p,
                              const char *text, size_t len)
{
	struct ydoc_node at = {0};
	const char *problem = p->problem ? p->problem : "unknown problem";

	if (p->error == YAML_MEMORY_ERROR) {
		ydoc_error(doc, NULL, "out of memory while parsing");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		ydoc_offset_pos(text, len, p->problem_offset, &at.line, &at.col);
		ydoc_error(doc, &at, "YAML syntax error: %s (the file must be "
		           "UTF-8 text)", problem);
		return;
	}
	at.line = (int)p->problem_mark.line + 1;
	at.col = (int)p->problem_mark.column + 1;
	if (p->context)
		ydoc_error(doc, &at, "YAML syntax error: %s (%s at line %d)",
		           problem, p->context, (int)p->context_mark.line + 1);
	else
		ydoc_error(doc, &at, "YAML syntax error: %s", problem);
}

/* qsort order of a map's keys: by text, then by position. */
struct ydoc_keyref {
	const struct ydoc_node *key;
	int pair;
};

static int ydoc_keyref_cmp(const void *a, const void *b)
{
	const struct ydoc_keyref *x = a, *y = b;
	size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
	int c = memcmp(x->key->str, y->key->str, n);

	if (c != 0)
		return c;
	if (x->key->len != y->key->len)
		return x->key->len < y->key->len ? -1 : 1;
	return x->pair - y->pair;
}

static int ydoc_int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Reports every repeated scalar key of map in document order. */
static int ydoc_check_dups(struct ydoc *doc, const struct ydoc_node *map)
{
	int n = ydoc_len(map), n_ref = 0, n_dup = 0;
	struct ydoc_keyref *ref;
	int *dup, *first;

	if (n < 2)
		return 0;
	ref = malloc((size_t)n * sizeof *ref);
	dup = malloc((size_t)n * 2 * sizeof *dup);
	if (ref == NULL || dup == NULL) {
		free(ref);
		free(dup);
		ydoc_error(doc, map, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (ydoc_map_key(map, i)->type == YDOC_SCALAR)
			ref[n_ref++] = (struct ydoc_keyref){ydoc_map_key(map, i), i};
	qsort(ref, (size_t)n_ref, sizeof *ref, ydoc_keyref_cmp);
	first = dup + n;
	for (int i = 1, f = 0; i < n_ref; i++) {
		if (ref[i].key->len == ref[f].key->len &&
		    memcmp(ref[i].key->str, ref[f].key->str, ref[f].key->len) == 0) {
			first[ref[i].pair] = ref[f].pair;
			dup[n_dup++] = ref[i].pair;
		} else {
			f = i;
		}
	}
	qsort(dup, (size_t)n_dup, sizeof *dup, ydoc_int_cmp);
	for (int i = 0; i < n_dup; i++) {
		const struct ydoc_node *k = ydoc_map_key(map, dup[i]);
		char q[YDOC_QUOTE_MAX + 4];

		ydoc_error(doc, k, "duplicate key '%s' (first at line %d)",
		           ydoc_quote(k->str, k->len, q, sizeof q),
		           ydoc_map_key(map, first[dup[i]])->line);
	}
	free(ref);
	free(dup);
	return 0;
}

static struct ydoc_anchor *ydoc_anchor_find(struct ydoc *doc, const char *name)
{
	for (int i = doc->n_anchor - 1; i >= 0; i--)
		if (strcmp(doc->anchor[i].name, name) == 0)
			return &doc->anchor[i];
	return NULL;
}

/* Makes name (taken over) refer to node; a redefined anchor moves. */
static int ydoc_anchor_set(struct ydoc *doc, char *name, struct ydoc_node *node)
{
	struct ydoc_anchor *a;

	if (name == NULL) {
		ydoc_error(doc, node, "out of memory");
		return -1;
	}
	a = ydoc_anchor_find(doc, name);
	if (a != NULL) {
		free(name);
		a->node = node;
		return 0;
	}
	if (doc->n_anchor == YDOC_ANCHORS_MAX) {
		ydoc_error(doc, node, "too many anchors: at most %d", YDOC_ANCHORS_MAX);
		free(name);
		return -1;
	}
	doc->anchor[doc->n_anchor++] = (struct ydoc_anchor){name, node};
	return 0;
}

static char *ydoc_strdup(const yaml_char_t *s)
{
	return s ? strdup((const char *)s) : NULL;
}

/* Hangs node under the open collection (or makes it the root). */
static int ydoc_attach(struct ydoc *doc, struct ydoc_node *node)
{
	if (doc->depth + node->height > YDOC_DEPTH_MAX) {
		ydoc_error(doc, node, "nested deeper than %d levels", YDOC_DEPTH_MAX);
		ydoc_node_free(node);
		return -1;
	}
	if (doc->depth == 0) {
		doc->root = node;
		return 0;
	}
	if (ydoc_node_append(doc, doc->open[doc->depth - 1], node) < 0) {
		ydoc_node_free(node);
		return -1;
	}
	return 0;
}

static int ydoc_on_scalar(struct ydoc *doc, const yaml_event_t *ev)
{
	struct ydoc_node *n = ydoc_node_new(doc, YDOC_SCALAR,
	                                    (int)ev->start_mark.line + 1,
	                                    (int)ev->start_mark.column + 1);

	if (n == NULL)
		return -1;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (ydoc_node_text(doc, n, (const char *)ev->data.scalar.value,
	                   ev->data.scalar.length) < 0) {
		ydoc_node_free(n);
		return -1;
	}
	if (ydoc_attach(doc, n) < 0)
		return -1;
	if (ev->data.scalar.anchor == NULL)
		return 0;
	return ydoc_anchor_set(doc, ydoc_strdup(ev->data.scalar.anchor), n);
}

static int ydoc_on_start(struct ydoc *doc, const yaml_event_t *ev,
                         enum ydoc_type type, const yaml_char_t *anchor)
{
	struct ydoc_node *n = ydoc_node_new(doc, type, (int)ev->start_mark.line + 1,
	                                    (int)ev->start_mark.column + 1);

	if (n == NULL)
		return -1;
	if (ydoc_attach(doc, n) < 0)
		return -1;
	doc->open_anchor[doc->depth] = ydoc_strdup(anchor);
	doc->open[doc->depth++] = n;
	return 0;
}

static int ydoc_on_end(struct ydoc *doc)
{
	struct ydoc_node *n = doc->open[--doc->depth];
	char *anchor = doc->open_anchor[doc->depth];

	doc->open_anchor[doc->depth] = NULL;
	for (int i = 0; i < n->n_kid; i++)
		if (n->kid[i]->height + 1 > n->height)
			n->height = n->kid[i]->height + 1;
	if (n->type == YDOC_MAP && ydoc_check_dups(doc, n) < 0) {
		free(anchor);
		return -1;
	}
	if (anchor == NULL)
		return 0;
	return ydoc_anchor_set(doc, anchor, n);
}

static int ydoc_on_alias(struct ydoc *doc, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct ydoc_anchor *a = ydoc_anchor_find(doc, name);
	struct ydoc_node at = {0}, *copy;
	char q[YDOC_QUOTE_MAX + 4];

	at.line = (int)ev->start_mark.line + 1;
	at.col = (int)ev->start_mark.column + 1;
	if (a == NULL) {
		ydoc_error(doc, &at, "alias '*%s' names no anchor defined before it "
		           "(an anchor cannot refer to itself)",
		           ydoc_quote(name, strlen(name), q, sizeof q));
		return -1;
	}
	if (doc->depth + a->node->height > YDOC_DEPTH_MAX) {
		ydoc_error(doc, &at, "nested deeper than %d levels", YDOC_DEPTH_MAX);
		return -1;
	}
	copy = ydoc_node_copy(doc, a->node);
	if (copy == NULL)
		return -1;
	return ydoc_attach(doc, copy);
}

/* One event into the tree; -1 stops the parse (reported). */
static int ydoc_on_event(struct ydoc *doc, const yaml_event_t *ev)
{
	struct ydoc_node at = {0};

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++doc->n_docs > 1) {
			at.line = (int)ev->start_mark.line + 1;
			at.col = (int)ev->start_mark.column + 1;
			ydoc_error(doc, &at, "a second YAML document: a file holds "
			           "exactly one (remove the '---' line)");
			return -1;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		return ydoc_on_scalar(doc, ev);
	case YAML_SEQUENCE_START_EVENT:
		return ydoc_on_start(doc, ev, YDOC_SEQ, ev->data.sequence_start.anchor);
	case YAML_MAPPING_START_EVENT:
		return ydoc_on_start(doc, ev, YDOC_MAP, ev->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return ydoc_on_end(doc);
	case YAML_ALIAS_EVENT:
		return ydoc_on_alias(doc, ev);
	default:
		return 0;
	}
}

struct ydoc *ydoc_parse(const char *file, const char *text, size_t len,
                        struct diag *d)
{
	struct ydoc *doc = calloc(1, sizeof *doc);
	yaml_parser_t parser;
	int done = 0, failed = 0;

	if (doc == NULL) {
		diag_add(d, file, 0, 0, "out of memory");
		return NULL;
	}
	doc->file = file;
	doc->d = d;
	doc->d_first = d->n;
	if (len > YDOC_FILE_MAX) {
		ydoc_error(doc, NULL, "file too large: over %d bytes (1 MiB)",
		           YDOC_FILE_MAX);
		goto out_free_doc;
	}
	if (ydoc_check_nul(doc, text, len) < 0)
		goto out_free_doc;
	if (!yaml_parser_initialize(&parser)) {
		ydoc_error(doc, NULL, "out of memory");
		goto out_free_doc;
	}
	/* UTF-8 only (the text is stored and hashed as a C string); a byte
	 * order mark from a Windows editor is fine */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !failed) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			ydoc_syntax_error(doc, &parser, text, len);
			failed = 1;
			break;
		}
		failed = ydoc_on_event(doc, &ev) < 0;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (int i = 0; i < doc->depth; i++)
		free(doc->open_anchor[i]);
	for (int i = 0; i < doc->n_anchor; i++)
		free(doc->anchor[i].name);
	doc->n_anchor = 0;
	doc->depth = 0;
	if (!failed)
		return doc;
out_free_doc:
	ydoc_free(doc);
	return NULL;
}

const struct ydoc_node *ydoc_root(const struct ydoc *doc)
{
	return doc->root;
}

void ydoc_free(struct ydoc *doc)
{
	if (doc == NULL)
		return;
	ydoc_node_free(doc->root);
	free(doc);
}

/* ---- schema: mappings ---- */

int ydoc_fields(struct ydoc *doc, const struct ydoc_node *map,
                const char *what, const struct ydoc_field *field, int n,
                const struct ydoc_node **val)
{
	const char *names[64];
	char q[YDOC_QUOTE_MAX + 4], got[YDOC_QUOTE_MAX + 8], list[400];
	int n_names = n < 64 ? n : 64;

	for (int i = 0; i < n; i++)
		val[i] = NULL;
	if (map == NULL)
		return -1;
	if (map->type != YDOC_MAP) {
		ydoc_error(doc, map, "%s must be a mapping (key: value), not %s",
		           what, ydoc_describe(map, got, sizeof got));
		return -1;
	}
	for (int i = 0; i < n_names; i++)
		names[i] = field[i].key;
	for (int p = 0; p < ydoc_len(map); p++) {
		const struct ydoc_node *k = ydoc_map_key(map, p);
		const char *near;
		int f;

		if (k->type != YDOC_SCALAR || strlen(k->str) != k->len) {
			ydoc_error(doc, k, "keys in %s must be words, not %s", what,
			           ydoc_describe(k, got, sizeof got));
			continue;
		}
		for (f = 0; f < n; f++)
			if (strcmp(field[f].key, k->str) == 0)
				break;
		if (f < n) {
			if (val[f] == NULL)
				val[f] = ydoc_map_val(map, p);
			continue;
		}
		ydoc_quote(k->str, k->len, q, sizeof q);
		near = ydoc_closest(k->str, names, n_names);
		if (near != NULL)
			ydoc_error(doc, k, "unknown key '%s' in %s; did you mean '%s'?",
			           q, what, near);
		else
			ydoc_error(doc, k, "unknown key '%s' in %s; allowed keys: %s", q,
			           what, ydoc_join(names, n_names, ", ", list, sizeof list));
	}
	for (int f = 0; f < n; f++)
		if (field[f].required && val[f] == NULL)
			ydoc_error(doc, map, "missing key '%s' in %s", field[f].key, what);
	return 0;
}

/* ---- schema: typed values ---- */

int ydoc_is_null(const struct ydoc_node *n)
{
	if (n == NULL || n->type != YDOC_SCALAR || !n->plain)
		return 0;
	return n->len == 0 || strcmp(n->str, "~") == 0 ||
	       strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
	       strcmp(n->str, "NULL") == 0;
}

/* Reports n unless it is a non-null scalar without NUL bytes. */
static int ydoc_need_scalar(struct ydoc *doc, const struct ydoc_node *n,
                            const char *key, const char *want)
{
	char got[YDOC_QUOTE_MAX + 8];

	if (n->type == YDOC_SCALAR && !ydoc_is_null(n) && strlen(n->str) == n->len)
		return 0;
	if (n->type == YDOC_SCALAR && strlen(n->str) != n->len) {
		ydoc_error(doc, n, "'%s' must not contain NUL characters", key);
		return -1;
	}
	ydoc_error(doc, n, "'%s' must be %s, not %s", key, want,
	           ydoc_describe(n, got, sizeof got));
	return -1;
}

/* 1 when s holds a control character (C0, DEL or C1). */
static int ydoc_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 1;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 1;
	}
	return 0;
}

int ydoc_str(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             char *buf, size_t size)
{
	if (n == NULL)
		return 1;
	if (ydoc_need_scalar(doc, n, key, "text") < 0)
		return -1;
	if (n->len == 0) {
		ydoc_error(doc, n, "'%s' must not be empty", key);
		return -1;
	}
	if (ydoc_has_control(n->str)) {
		ydoc_error(doc, n, "'%s' must be printable text on one line "
		           "(no control characters)", key);
		return -1;
	}
	if (n->len >= size) {
		ydoc_error(doc, n, "'%s' is too long: %zu bytes, at most %zu", key,
		           n->len, size - 1);
		return -1;
	}
	memcpy(buf, n->str, n->len + 1);
	return 0;
}

static int ydoc_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int ydoc_name(struct ydoc *doc, const struct ydoc_node *n, const char *key,
              char *buf, size_t size)
{
	char got[YDOC_QUOTE_MAX + 8];
	int bad = 0;

	if (n == NULL)
		return 1;
	if (ydoc_need_scalar(doc, n, key, "a name") < 0)
		return -1;
	for (size_t i = 0; i < n->len; i++)
		bad |= !ydoc_is_name_char(n->str[i]);
	if (n->len == 0 || bad || n->str[0] == '-' || n->str[0] == '_' ||
	    n->str[0] == '.') {
		ydoc_error(doc, n, "'%s' must be a name of letters, digits, '-', '_' "
		           "and '.', starting with a letter or digit, not %s", key,
		           ydoc_describe(n, got, sizeof got));
		return -1;
	}
	if (n->len >= size) {
		ydoc_error(doc, n, "'%s' is too long: %zu characters, at most %zu",
		           key, n->len, size - 1);
		return -1;
	}
	memcpy(buf, n->str, n->len + 1);
	return 0;
}

/* Parses the number at the start of s (length len from num_scan) with the
 * one number parser (num.h): -1 when it is too long or not finite. */
static int ydoc_to_double(const char *s, size_t len, double *out)
{
	char num[NUM_TEXT_MAX + 1];
	int whole;

	if (len >= sizeof num)
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	return num_parse(num, out, &whole) == NUM_OK ? 0 : -1;
}

/* -1 with an error when the number text of n (len from num_scan) is longer
 * than the one number parser takes. */
static int ydoc_num_too_long(struct ydoc *doc, const struct ydoc_node *n, const char *key,
                             size_t len)
{
	char got[YDOC_QUOTE_MAX + 8];

	if (len <= NUM_TEXT_MAX)
		return 0;
	ydoc_error(doc, n, "'%s' must be a number of at most %d characters, not %s", key,
	           NUM_TEXT_MAX, ydoc_describe(n, got, sizeof got));
	return -1;
}

static void ydoc_range_error(struct ydoc *doc, const struct ydoc_node *n,
                             const char *key, const char *lo, const char *hi)
{
	char got[YDOC_QUOTE_MAX + 8];

	if (strcmp(lo, hi) == 0)
		ydoc_error(doc, n, "'%s' must be %s, not %s", key, lo,
		           ydoc_describe(n, got, sizeof got));
	else
		ydoc_error(doc, n, "'%s' must be from %s to %s, not %s", key, lo, hi,
		           ydoc_describe(n, got, sizeof got));
}

int ydoc_int(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             long lo, long hi, long *out)
{
	char l[32], h[32], got[YDOC_QUOTE_MAX + 8];
	double d;
	int whole;
	size_t len;

	if (n == NULL)
		return 1;
	if (ydoc_need_scalar(doc, n, key, "a whole number") < 0)
		return -1;
	len = num_scan(n->str, &whole);
	if (len == 0 || len != n->len || !whole) {
		ydoc_error(doc, n, "'%s' must be a whole number%s, not %s", key,
		           len > 0 && len < n->len ? " (without a unit)" : "",
		           ydoc_describe(n, got, sizeof got));
		return -1;
	}
	if (ydoc_num_too_long(doc, n, key, len) < 0)
		return -1;
	if (ydoc_to_double(n->str, len, &d) < 0 || d < (double)lo || d > (double)hi) {
		snprintf(l, sizeof l, "%ld", lo);
		snprintf(h, sizeof h, "%ld", hi);
		ydoc_range_error(doc, n, key, l, h);
		return -1;
	}
	*out = (long)d;
	return 0;
}

int ydoc_num(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             double lo, double hi, double *out)
{
	char l[32], h[32], got[YDOC_QUOTE_MAX + 8];
	double v;
	int whole;
	size_t len;

	if (n == NULL)
		return 1;
	if (ydoc_need_scalar(doc, n, key, "a number") < 0)
		return -1;
	len = num_scan(n->str, &whole);
	if (len == 0 || len != n->len) {
		ydoc_error(doc, n, "'%s' must be a number%s, not %s", key,
		           len > 0 ? " without a unit" : "",
		           ydoc_describe(n, got, sizeof got));
		return -1;
	}
	if (ydoc_num_too_long(doc, n, key, len) < 0)
		return -1;
	if (ydoc_to_double(n->str, len, &v) < 0 || v < lo || v > hi) {
		snprintf(l, sizeof l, "%g", lo);
		snprintf(h, sizeof h, "%g", hi);
		ydoc_range_error(doc, n, key, l, h);
		return -1;
	}
	*out = v;
	return 0;
}

int ydoc_bool(struct ydoc *doc, const struct ydoc_node *n, const char *key,
              int *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	char got[YDOC_QUOTE_MAX + 8];

	if (n == NULL)
		return 1;
	for (int i = 0; n->type == YDOC_SCALAR && i < 3; i++) {
		if (strcmp(n->str, yes[i]) == 0 || strcmp(n->str, no[i]) == 0) {
			*out = strcmp(n->str, yes[i]) == 0;
			return 0;
		}
	}
	ydoc_error(doc, n, "'%s' must be true or false, not %s", key,
	           ydoc_describe(n, got, sizeof got));
	return -1;
}

int ydoc_choice(struct ydoc *doc, const struct ydoc_node *n, const char *key,
                const char *const *choice, int *out)
{
	char list[300], want[320], got[YDOC_QUOTE_MAX + 8];
	const char *near;
	int n_choice = 0;

	if (n == NULL)
		return 1;
	while (choice[n_choice] != NULL)
		n_choice++;
	for (int i = 0; n->type == YDOC_SCALAR && i < n_choice; i++) {
		if (n->len == strlen(choice[i]) && strcmp(n->str, choice[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	ydoc_join(choice, n_choice, " or ", list, sizeof list);
	snprintf(want, sizeof want, "%s%s", n_choice > 1 ? "one of " : "", list);
	near = n->type == YDOC_SCALAR && strlen(n->str) == n->len
	               ? ydoc_closest(n->str, choice, n_choice) : NULL;
	if (near != NULL)
		ydoc_error(doc, n, "'%s' must be %s, not %s; did you mean '%s'?", key,
		           want, ydoc_describe(n, got, sizeof got), near);
	else
		ydoc_error(doc, n, "'%s' must be %s, not %s", key, want,
		           ydoc_describe(n, got, sizeof got));
	return -1;
}

/* ---- units ---- */

#define YDOC_KIND(name_, what_, ...)                                            \
	static const struct ydoc_unit name_##_units[] = {__VA_ARGS__};          \
	const struct ydoc_kind name_ = {what_, name_##_units,                  \
	                                (int)(sizeof name_##_units / sizeof name_##_units[0])}

YDOC_KIND(ydoc_kind_time, "a time",
          {"s", 1, 2}, {"second", 1, 0}, {"seconds", 1, 0}, {"min", 60, 2},
          {"minute", 60, 0}, {"minutes", 60, 0}, {"h", 3600, 2},
          {"hour", 3600, 0}, {"hours", 3600, 0});
YDOC_KIND(ydoc_kind_pressure, "a pressure (gauge)", {"kPa", 1, 2}, {"bar", 100, 1});
YDOC_KIND(ydoc_kind_pressure_rate, "a rate of pressure rise",
          {"kPa_per_min", 1, 2}, {"kPa_per_s", 60, 1});
YDOC_KIND(ydoc_kind_temp, "a temperature", {"C", 1, 2});
YDOC_KIND(ydoc_kind_pct, "a percentage", {"%", 1, 2});
YDOC_KIND(ydoc_kind_pct_rate, "a rate of valve travel",
          {"%_per_s", 1, 2}, {"%_per_min", 1.0 / 60, 1});
YDOC_KIND(ydoc_kind_oil_rate, "an oil rate", {"g_per_h", 1, 2}, {"kg_per_h", 1000, 1});
YDOC_KIND(ydoc_kind_mass_kg, "a mass", {"kg", 1, 2}, {"t", 1000, 1});
YDOC_KIND(ydoc_kind_mass_g, "a mass", {"g", 1, 2}, {"kg", 1000, 1});
YDOC_KIND(ydoc_kind_steam_flow, "a steam flow", {"kg_per_h", 1, 2}, {"t_per_h", 1000, 1});
YDOC_KIND(ydoc_kind_water_flow, "a water flow",
          {"L_per_min", 1, 2}, {"m3_per_h", 1000.0 / 60, 1});
YDOC_KIND(ydoc_kind_gain_kpa, "a gain in % of valve per kPa", {"%_per_kPa", 1, 2});
YDOC_KIND(ydoc_kind_gain_c, "a gain in % of valve per C", {"%_per_C", 1, 2});

static const struct ydoc_kind *const ydoc_kinds[] = {
	&ydoc_kind_time, &ydoc_kind_pressure, &ydoc_kind_pressure_rate,
	&ydoc_kind_temp, &ydoc_kind_pct, &ydoc_kind_pct_rate,
	&ydoc_kind_oil_rate, &ydoc_kind_mass_kg, &ydoc_kind_mass_g,
	&ydoc_kind_steam_flow, &ydoc_kind_water_flow, &ydoc_kind_gain_kpa,
	&ydoc_kind_gain_c,
};

/* The kind's unit named name, or NULL. */
static const struct ydoc_unit *ydoc_unit_find(const struct ydoc_kind *kind,
                                              const char *name)
{
	for (int i = 0; i < kind->n_unit; i++)
		if (strcmp(kind->unit[i].name, name) == 0)
			return &kind->unit[i];
	return NULL;
}

/* The names of kind's shown units, "kPa or bar", into buf. */
static const char *ydoc_unit_list(const struct ydoc_kind *kind, char *buf,
                                  size_t size)
{
	const char *names[16];
	int n = 0;

	for (int i = 0; i < kind->n_unit && n < 16; i++)
		if (kind->unit[i].shown)
			names[n++] = kind->unit[i].name;
	return ydoc_join(names, n, " or ", buf, size);
}

char *ydoc_qty_format(const struct ydoc_kind *kind, double v, char *buf,
                      size_t size)
{
	const struct ydoc_unit *use = &kind->unit[0];

	for (int i = 0; i < kind->n_unit; i++) {
		const struct ydoc_unit *u = &kind->unit[i];
		double x = fabs(v) / u->factor;

		if (u->shown < 2 || x < 1 || u->factor <= use->factor)
			continue;
		if (fabs(x - round(x)) < 1e-9 * x)
			use = u;
	}
	snprintf(buf, size, "%g %s", v / use->factor, use->name);
	return buf;
}

/* Reports a quantity whose unit is missing, unknown or of another kind. */
static void ydoc_unit_error(struct ydoc *doc, const struct ydoc_node *n,
                            const char *key, const struct ydoc_kind *kind,
                            const char *unit)
{
	char units[120], got[YDOC_QUOTE_MAX + 8];
	const char *names[16], *near;
	int n_names = 0;

	ydoc_unit_list(kind, units, sizeof units);
	ydoc_describe(n, got, sizeof got);
	if (*unit == '\0') {
		ydoc_error(doc, n, "'%s' needs a unit: %s is a bare number; write "
		           "it in %s", key, got, units);
		return;
	}
	for (size_t i = 0; i < sizeof ydoc_kinds / sizeof ydoc_kinds[0]; i++) {
		if (ydoc_kinds[i] != kind && ydoc_unit_find(ydoc_kinds[i], unit)) {
			ydoc_error(doc, n, "'%s' must be %s in %s, not %s, which is %s",
			           key, kind->what, units, got, ydoc_kinds[i]->what);
			return;
		}
	}
	for (int i = 0; i < kind->n_unit && n_names < 16; i++)
		names[n_names++] = kind->unit[i].name;
	near = ydoc_closest(unit, names, n_names);
	if (near != NULL)
		ydoc_error(doc, n, "'%s' must be %s in %s, not %s; did you mean '%s'?",
		           key, kind->what, units, got, near);
	else
		ydoc_error(doc, n, "'%s' must be %s in %s, not %s", key, kind->what,
		           units, got);
}

int ydoc_qty(struct ydoc *doc, const struct ydoc_node *n, const char *key,
             const struct ydoc_kind *kind, double lo, double hi, double *out)
{
	const struct ydoc_unit *u;
	char want[160], units[120], l[48], h[48], unit[YDOC_NUM_MAX];
	const char *p;
	size_t len, ulen;
	double v;
	int whole;

	if (n == NULL)
		return 1;
	snprintf(want, sizeof want, "%s in %s", kind->what,
	         ydoc_unit_list(kind, units, sizeof units));
	if (ydoc_need_scalar(doc, n, key, want) < 0)
		return -1;
	len = num_scan(n->str, &whole);
	if (len == 0 || ydoc_to_double(n->str, len, &v) < 0) {
		char got[YDOC_QUOTE_MAX + 8];

		ydoc_error(doc, n, "'%s' must be %s, not %s", key, want,
		           ydoc_describe(n, got, sizeof got));
		return -1;
	}
	for (p = n->str + len; *p == ' ' || *p == '\t'; p++)
		;
	ulen = strlen(p);
	while (ulen > 0 && (p[ulen - 1] == ' ' || p[ulen - 1] == '\t'))
		ulen--;
	if (ulen >= sizeof unit)
		ulen = sizeof unit - 1;
	memcpy(unit, p, ulen);
	unit[ulen] = '\0';
	u = ydoc_unit_find(kind, unit);
	if (u == NULL) {
		ydoc_unit_error(doc, n, key, kind, unit);
		return -1;
	}
	v *= u->factor;
	if (!isfinite(v) || v < lo || v > hi) {
		ydoc_range_error(doc, n, key, ydoc_qty_format(kind, lo, l, sizeof l),
		                 ydoc_qty_format(kind, hi, h, sizeof h));
		return -1;
	}
	*out = v;
	return 0;
}

/* ---- tables of numbers ---- */

int ydoc_num_map(struct ydoc *doc, const struct ydoc_node *map,
                 const char *what, const struct ydoc_num_field *spec, int n,
                 void *base)
{
	struct ydoc_field field[32] = {{0}};
	const struct ydoc_node *val[32];
	int rc = 0;

	if (n > 32)
		n = 32;
	for (int i = 0; i < n; i++)
		field[i] = (struct ydoc_field){spec[i].key, spec[i].required};
	if (ydoc_fields(doc, map, what, field, n, val) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		double *out = (double *)((char *)base + spec[i].offset);

		if (spec[i].kind != NULL)
			rc |= ydoc_qty(doc, val[i], spec[i].key, spec[i].kind,
			               spec[i].lo, spec[i].hi, out) < 0;
		else
			rc |= ydoc_num(doc, val[i], spec[i].key, spec[i].lo,
			               spec[i].hi, out) < 0;
	}
	return rc ? -1 : 0;
}

/* Writes v in kind's units (NULL: a bare number) into buf; returns buf. */
static char *ydoc_value_format(const struct ydoc_kind *kind, double v,
                               char *buf, size_t size)
{
	if (kind != NULL)
		return ydoc_qty_format(kind, v, buf, size);
	snprintf(buf, size, "%g", v);
	return buf;
}

int ydoc_range_check(struct ydoc *doc, const struct ydoc_node *at,
                     const char *what, const struct ydoc_kind *kind,
                     const char *min_key, double min,
                     const char *max_key, double max)
{
	char a[48], b[48];

	if (isnan(min) || isnan(max) || min < max)
		return 0;
	ydoc_error(doc, at, "%s%s'%s' %s must be below '%s' %s",
	           what ? what : "", what ? ": " : "", min_key,
	           ydoc_value_format(kind, min, a, sizeof a), max_key,
	           ydoc_value_format(kind, max, b, sizeof b));
	return -1;
}

/* Reads one bound (bound: "min" or "max") of a range into *out. */
static int ydoc_range_bound(struct ydoc *doc, const struct ydoc_node *n,
                            const struct ydoc_range_spec *spec,
                            const char *bound, double *out)
{
	char key[64];

	if (spec->key != NULL)
		snprintf(key, sizeof key, "%s.%s", spec->key, bound);
	else
		snprintf(key, sizeof key, "%s", bound);
	if (spec->kind != NULL)
		return ydoc_qty(doc, n, key, spec->kind, spec->lo, spec->hi, out);
	return ydoc_num(doc, n, key, spec->lo, spec->hi, out);
}

int ydoc_range(struct ydoc *doc, const struct ydoc_node *n, const char *what,
               const struct ydoc_range_spec *spec, double *min, double *max)
{
	const struct ydoc_field fields[] = {{"min", spec->need_both},
	                                    {"max", spec->need_both}};
	const struct ydoc_node *v[2];
	double lo = NAN, hi = NAN;
	int errors;

	if (n == NULL)
		return 1;
	if (ydoc_fields(doc, n, what, fields, 2, v) < 0)
		return -1;
	if (spec->need_both && (v[0] == NULL || v[1] == NULL))
		return -1;
	errors = ydoc_error_count(doc);
	ydoc_range_bound(doc, v[0], spec, "min", &lo);
	ydoc_range_bound(doc, v[1], spec, "max", &hi);
	if (ydoc_error_count(doc) > errors)
		return -1;
	if (v[0] == NULL && v[1] == NULL) {
		ydoc_error(doc, n, "%s gives neither min nor max", what);
		return -1;
	}
	if (ydoc_range_check(doc, v[0], what, spec->kind, "min", lo, "max", hi) < 0)
		return -1;
	if (v[0] != NULL)
		*min = lo;
	if (v[1] != NULL)
		*max = hi;
	return 0;
}
