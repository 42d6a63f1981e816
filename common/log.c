/* log: one-line messages to stderr. See log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *log_program = "stillroom";

void log_init(const char *program)
{
	log_program = program;
}

/* Writes one line at syslog priority prio with label level. */
static __attribute__((format(printf, 3, 0))) void
log_line(int prio, const char *level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (getenv("JOURNAL_STREAM") != NULL)
		fprintf(stderr, "<%d>%s: %s\n", prio, level, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", log_program, level, msg);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(6, "info", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(4, "warning", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(3, "error", fmt, ap);
	va_end(ap);
}
