/*
 * feed: the feedstock table (simulator/feedstocks.yaml) for the plant
 * model. Table of contents:
 *   feed_load    read and check the file into struct model_feed rows
 *   feed_find    a row by name
 */
#ifndef FEED_H
#define FEED_H

#include "diag.h"
#include "model.h"

/*
 * Loads up to max feedstocks from the YAML file at path into out. Every
 * key of a row is required (numbers bare, the unit is in the key). Returns
 * the count, or -1 with every error added to *d as "file:line:column:
 * message" (out then holds nothing useful).
 */
int feed_load(const char *path, struct model_feed *out, int max, struct diag *d);

/*
 * feed_load on len bytes of text already in memory; path names the file in
 * messages. For tests and the fuzzer.
 */
int feed_parse(const char *path, const char *text, size_t len,
               struct model_feed *out, int max, struct diag *d);

/* The row named name among f[0..n-1], or NULL. */
const struct model_feed *feed_find(const struct model_feed *f, int n,
                                   const char *name);

#endif
