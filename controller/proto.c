/* proto: the local socket protocol's lexical layer. See proto.h. */
#include "proto.h"

#include <stdio.h>
#include <string.h>

/* Reads one token starting at *pp into *out (bounded by end). Returns 1 when
 * a token was read, 0 at end of line, -1 on an unterminated quote. */
static int proto_token(const char **pp, char **out, char *end)
{
	const char *p = *pp;
	char *o = *out;
	int quoted = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	while (*p != '\0' && (quoted || (*p != ' ' && *p != '\t'))) {
		if (o >= end - 1)
			return -2;
		if (*p == '"') {
			quoted = !quoted;
			p++;
			continue;
		}
		if (quoted && *p == '\\' && p[1] != '\0') {
			p++;
			*o++ = *p == 'n' ? '\n' : *p;
			p++;
			continue;
		}
		*o++ = *p++;
	}
	if (quoted)
		return -1;
	*o++ = '\0';
	*pp = p;
	*out = o;
	return 1;
}

int proto_split(struct proto_args *a, const char *line, char *cause,
                size_t cause_len)
{
	const char *p = line;
	char *o = a->buf;
	int rc;

	a->argc = 0;
	if (strlen(line) >= PROTO_LINE_MAX) {
		snprintf(cause, cause_len, "line longer than %d bytes", PROTO_LINE_MAX - 1);
		return -1;
	}
	for (;;) {
		char *start = o;

		rc = proto_token(&p, &o, a->buf + sizeof a->buf);
		if (rc == 0)
			return 0;
		if (rc == -1) {
			snprintf(cause, cause_len, "unterminated quote");
			return -1;
		}
		if (rc < 0 || a->argc >= PROTO_ARGS_MAX) {
			snprintf(cause, cause_len, "too many or too long arguments (at most %d)",
			         PROTO_ARGS_MAX);
			return -1;
		}
		a->argv[a->argc++] = start;
	}
}

const char *proto_opt(const struct proto_args *a, const char *key)
{
	size_t klen = strlen(key);

	for (int i = 1; i < a->argc; i++)
		if (strncmp(a->argv[i], key, klen) == 0 && a->argv[i][klen] == '=')
			return a->argv[i] + klen + 1;
	return NULL;
}

const char *proto_pos(const struct proto_args *a, int n)
{
	int seen = 0;

	for (int i = 0; i < a->argc; i++) {
		if (i > 0 && strchr(a->argv[i], '=') != NULL)
			continue;
		if (seen++ == n)
			return a->argv[i];
	}
	return NULL;
}

/* 1 when s must be quoted to survive proto_split as one token. */
static int proto_needs_quote(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '"' || *s == '\\' || *s == '\n')
			return 1;
	return 0;
}

/* Appends c to out at *n; 0 when it fit, -1 when out is full. */
static int proto_put(char *out, size_t out_len, size_t *n, char c)
{
	if (*n + 1 >= out_len)
		return -1;
	out[(*n)++] = c;
	out[*n] = '\0';
	return 0;
}

int proto_append(char *out, size_t out_len, const char *key, const char *value)
{
	size_t n = strlen(out);
	int quote = proto_needs_quote(value);
	int rc = 0;

	if (n > 0)
		rc |= proto_put(out, out_len, &n, ' ');
	for (const char *k = key; k && *k; k++)
		rc |= proto_put(out, out_len, &n, *k);
	if (key)
		rc |= proto_put(out, out_len, &n, '=');
	if (quote)
		rc |= proto_put(out, out_len, &n, '"');
	for (const char *v = value; *v; v++) {
		if (*v == '"' || *v == '\\' || *v == '\n')
			rc |= proto_put(out, out_len, &n, '\\');
		rc |= proto_put(out, out_len, &n, *v == '\n' ? 'n' : *v);
	}
	if (quote)
		rc |= proto_put(out, out_len, &n, '"');
	return rc;
}

int proto_kv_get(const char *line, const char *key, char *out, size_t out_len)
{
	static __thread struct proto_args a;
	char cause[64];
	const char *v;

	if (proto_split(&a, line, cause, sizeof cause) < 0)
		return -1;
	v = proto_opt(&a, key);
	if (v == NULL)
		return -1;
	snprintf(out, out_len, "%s", v);
	return 0;
}

/* 1 when line starts with word followed by the end or a space. */
static int proto_starts_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	return strncmp(line, word, n) == 0 && (line[n] == '\0' || line[n] == ' ');
}

int proto_is_final(const char *line)
{
	return proto_starts_word(line, "ok") || proto_starts_word(line, "err");
}

const char *proto_unrecorded(const char *msg)
{
	if (!proto_starts_word(msg, PROTO_UNRECORDED))
		return NULL;
	msg += strlen(PROTO_UNRECORDED);
	return *msg == ' ' ? msg + 1 : msg;
}
