/*
 * cfgchk: the daemon's "--check-config" command, the one place that reads a
 * plant configuration together with its recipes (config/ may not include
 * recipes/, docs/floors.txt).
 */
#ifndef CFGCHK_H
#define CFGCHK_H

#include <stdio.h>

/*
 * Loads the configuration at path and every recipe (*.yaml) in its recipes
 * directory against it, prints every error to err and "FILE: ok" to out for
 * each clean file. Returns 0 when all are clean, 1 otherwise.
 */
int cfgchk_main(const char *path, FILE *out, FILE *err);

#endif
