/*
 * log: one-line messages to stderr for people and journald:
 * "<N>program: level: message" with a syslog priority prefix when stderr is
 * the journal (JOURNAL_STREAM set), else "program: level: message".
 */
#ifndef LOG_H
#define LOG_H

/* Sets the program name printed on every line. */
void log_init(const char *program);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
