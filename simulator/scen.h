/*
 * scen: scenario files for stillroom-sim (--scenario FILE): YAML timelines
 * of faults, charges and controller writes, read into plant_events (each a
 * timed write of a control-unit register or an output tag, see plant.h).
 * The format, one list item per event (docs/SIMULATOR.md has the full list):
 *
 *   - at: 40 minutes          # simulated time since start (required)
 *     still: still1           # optional; every still when absent
 *     fault: cooling_lost     # or clear: KIND|all, charge: FEED, set: TAG
 *     for: 5 minutes          # optional with fault: cleared after this
 *
 * Errors are sentences with file:line:column, all of them, nothing half
 * loaded. Table of contents: SCEN_EVENTS_MAX, scen_parse, scen_load,
 * scen_fault_name.
 */
#ifndef SCEN_H
#define SCEN_H

#include <stddef.h>

#include "cfg.h"
#include "diag.h"
#include "model.h"
#include "plant.h"

#define SCEN_EVENTS_MAX 4096 /* plant_events a scenario may make */

/*
 * Parses len bytes of text (named file in errors) against cfg's stills and
 * feeds[0..n_feeds) into ev[0..max). Returns the number of events made, or
 * -1 with every error (up to the diag's cap) added to d.
 */
int scen_parse(const char *file, const char *text, size_t len,
               const struct cfg_plant *cfg, const struct model_feed *feeds,
               int n_feeds, struct plant_event *ev, int max, struct diag *d);

/* Reads the file at path and parses it as scen_parse does. */
int scen_load(const char *path, const struct cfg_plant *cfg,
              const struct model_feed *feeds, int n_feeds,
              struct plant_event *ev, int max, struct diag *d);

/* The scenario name of fault kind i (0-based), or NULL past the last. */
const char *scen_fault_name(int i);

#endif
