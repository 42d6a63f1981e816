/*
 * sync_plant: telling the plant about a chain fault: the daemon's socket
 * verb `sync-fault text=TEXT operator=stillroom-sync` (docs/PROTOCOL.md)
 * raises a plant alarm (`clear=1` ends it) that `stillroom alarms` and
 * `stillroom status --json` show. A short client (2 s timeouts): the
 * sync never waits long on the daemon.
 */
#ifndef SYNC_PLANT_H
#define SYNC_PLANT_H

#include <stddef.h>

/* Sends the fault to the daemon at socket_path (fault NULL: clears the
 * alarm, clear=1); 0 when it answered ok, -1 with cause (not running,
 * refused, no answer in time). */
int sync_plant_fault(const char *socket_path, const char *fault, char *cause,
                     size_t cause_len);

#endif
