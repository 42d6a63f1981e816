/* diag: a bounded list of error sentences. See diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <string.h>

void diag_init(struct diag *d)
{
	d->n = 0;
	d->dropped = 0;
}

void diag_add(struct diag *d, const char *file, int line, int col,
              const char *fmt, ...)
{
	char msg[DIAG_LINE_MAX];
	va_list ap;

	if (d->n >= DIAG_MAX) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0 && col > 0)
		snprintf(d->line[d->n], DIAG_LINE_MAX, "%s:%d:%d: %s", file, line, col, msg);
	else if (line > 0)
		snprintf(d->line[d->n], DIAG_LINE_MAX, "%s:%d: %s", file, line, msg);
	else
		snprintf(d->line[d->n], DIAG_LINE_MAX, "%s: %s", file, msg);
	d->n++;
}

void diag_print(const struct diag *d, FILE *f)
{
	for (int i = 0; i < d->n; i++)
		fprintf(f, "%s\n", d->line[i]);
	if (d->dropped > 0)
		fprintf(f, "... and %d more errors\n", d->dropped);
}
