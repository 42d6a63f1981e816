/*
 * sync_state: the plant-side copy of stillroom-sync's position (issue 16):
 * per table, the last rowid the central side has. A text file, one
 * "TABLE LAST_ID" line per table after a comment line, written atomically
 * (temp file, fsync, rename, fsync of the directory). The central
 * sync_position table is the authority; this copy lets an operator see,
 * with the link down, how far the centre has the record.
 */
#ifndef SYNC_STATE_H
#define SYNC_STATE_H

#include <stddef.h>

#define SYNC_STATE_MAX 64
#define SYNC_STATE_NAME_LEN 64

struct sync_state {
	int n;
	char name[SYNC_STATE_MAX][SYNC_STATE_NAME_LEN];
	long long last[SYNC_STATE_MAX];
};

/* Empties s. */
void sync_state_init(struct sync_state *s);

/*
 * Reads the file at path into *s. A missing file is an empty state (0).
 * A malformed line is an error: -1 with "path:line: what" in cause and
 * *s empty.
 */
int sync_state_load(struct sync_state *s, const char *path, char *cause,
                    size_t cause_len);

/* Writes *s to path atomically. 0, or -1 with cause (the old file kept). */
int sync_state_save(const struct sync_state *s, const char *path, char *cause,
                    size_t cause_len);

/* The position of table name (0 when unknown). */
long long sync_state_get(const struct sync_state *s, const char *name);

/* Sets the position of table name; -1 when full or the name too long. */
int sync_state_set(struct sync_state *s, const char *name, long long last);

#endif
