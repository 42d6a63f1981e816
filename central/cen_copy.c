/* cen_copy: rows in COPY text form. See cen_copy.h. */
#include "cen_copy.h"

#include <stdlib.h>
#include <string.h>

void cen_copy_reset(struct cen_copy *k)
{
	k->len = 0;
	k->rows = 0;
	k->failed = 0;
}

void cen_copy_free(struct cen_copy *k)
{
	free(k->buf);
	k->buf = NULL;
	k->cap = 0;
	cen_copy_reset(k);
}

/* Room for n more bytes. 0, or -1 (k->failed set). */
static int cen_copy_room(struct cen_copy *k, size_t n)
{
	size_t cap = k->cap ? k->cap : 4096;
	char *b;

	if (k->failed)
		return -1;
	if (k->len + n <= k->cap)
		return 0;
	while (cap < k->len + n)
		cap *= 2;
	b = realloc(k->buf, cap);
	if (!b) {
		k->failed = 1;
		return -1;
	}
	k->buf = b;
	k->cap = cap;
	return 0;
}

/* One value, escaped (a backslash before \ and the separators). */
static void cen_copy_value(struct cen_copy *k, const char *v)
{
	if (!v) {
		if (cen_copy_room(k, 2) == 0) {
			memcpy(k->buf + k->len, "\\N", 2);
			k->len += 2;
		}
		return;
	}
	if (cen_copy_room(k, 2 * strlen(v)) < 0)
		return;
	for (; *v; v++) {
		char e = *v == '\t' ? 't' : *v == '\n' ? 'n' : *v == '\r' ? 'r' :
		         *v == '\\' ? '\\' : 0;
		if (e) {
			k->buf[k->len++] = '\\';
			k->buf[k->len++] = e;
		} else {
			k->buf[k->len++] = *v;
		}
	}
}

/* One byte (a separator). */
static void cen_copy_sep(struct cen_copy *k, char c)
{
	if (cen_copy_room(k, 1) == 0)
		k->buf[k->len++] = c;
}

void cen_copy_row(struct cen_copy *k, const char *plant, int n,
                  const char *const *val)
{
	cen_copy_value(k, plant);
	for (int i = 0; i < n; i++) {
		cen_copy_sep(k, '\t');
		cen_copy_value(k, val[i]);
	}
	cen_copy_sep(k, '\n');
	k->rows++;
}
