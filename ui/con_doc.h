/*
 * con_doc: the console's history page writes a batch's HTML record (the
 * page `stillroom report batch ID --html` prints) to a file, for the
 * operator to print or send (docs/CONSOLE.md, `d` on screen 5).
 */
#ifndef CON_DOC_H
#define CON_DOC_H

#include <stddef.h>

#include "cfg.h"

/* Where the documents go unless STILLROOM_DOC_DIR names a folder: the
 * console's working directory. */
#define CON_DOC_DIR_ENV "STILLROOM_DOC_DIR"

/* Writes batch id's HTML record (from the database at db_path, in the
 * console's language, privacy as plant says) to DIR/batch-ID.html, DIR
 * being $STILLROOM_DOC_DIR or the working directory. Never replaces a
 * file: when batch-ID.html exists, the first free batch-ID-N.html (N = 2
 * to 99) is taken. The page goes to a temporary file in DIR first and gets
 * its name only once whole, so no half page is ever left under it.
 * Returns 0 with the file's absolute path in out, or -1 with one sentence
 * in out saying why nothing was written. */
int con_doc_write(const char *db_path, const struct cfg_plant *plant, long id,
                  char *out, size_t out_len);

#endif
