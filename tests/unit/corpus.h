/*
 * corpus: the data-driven parser tests shared by test_rcp, test_cfg and
 * test_feed. Under a corpus directory, good/ *.yaml must load clean and
 * bad/ *.yaml must give exactly the lines of the .expected file beside
 * each (same name, .expected for .yaml). Files are loaded from inside
 * their directory, so messages name them without a path.
 *   CORPUS_BLESS=1  writes what a bad file gives into its .expected file
 *                   instead of comparing (review the diff before keeping)
 */
#ifndef CORPUS_H
#define CORPUS_H

#include "diag.h"

/* Loads the file at path; 0 when clean, else -1 with errors in *d. */
typedef int (*corpus_load_fn)(const char *path, struct diag *d);

/* Changes to the source tree's top (where tests/data is), found from the
 * current directory or the test binary's place. Returns 0 or -1. */
int corpus_chdir_top(void);

/* Runs one cmocka test per file of the corpus at dir (relative to the
 * top); returns the number of failures, as cmocka_run_group_tests. */
int corpus_run(const char *group, const char *dir, corpus_load_fn load);

#endif
