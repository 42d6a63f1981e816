/*
 * cen_report: the alliance's reports on the central PostgreSQL
 * (docs/ALLIANCE.md, "Reports"). The SQL views the alliance's own tools
 * read (alliance_batches, alliance_yields, alliance_drum_trace,
 * alliance_lot_trace, alliance_grower_deliveries) and the four reports of
 * `stillroom alliance` built on them. Read-only but for cen_report_views.
 * The connection is a libpq conninfo string ("" = libpq's environment:
 * PGHOST, PGPORT, PGUSER, PGSERVICE, ...); no libpq type leaks out of
 * this file, so ui/ includes it without libpq's headers.
 *   cen_report_views  create or replace the views (the schema's owner)
 *   cen_report_run    one report as text or JSON
 */
#ifndef CEN_REPORT_H
#define CEN_REPORT_H

#include <stddef.h>
#include <stdio.h>

enum cen_report_kind {
	CEN_REPORT_YIELDS,  /* yields and cost per kg of oil by plant,
	                       feedstock and month */
	CEN_REPORT_DRUM,    /* a drum (id or trace code) -> batches -> lots */
	CEN_REPORT_LOT,     /* a lot -> batches -> drums -> shipments */
	CEN_REPORT_GROWER,  /* a grower's deliveries across every plant */
	CEN_REPORT_COUNT
};

/*
 * Creates or replaces the alliance views (and the indexes they look up
 * by, IF NOT EXISTS) in the central database at
 * conninfo (its tables must exist: `stillroom-sync --init-central`) and
 * grants SELECT on them to the role "alliance" when that role exists.
 * Idempotent. Returns 0, or -1 with a sentence in cause (nothing changed:
 * one transaction).
 */
int cen_report_views(const char *conninfo, char *cause, size_t cause_len);

/*
 * Runs report kind with its argument arg (the drum id or trace code, the
 * lot id, the grower's name, matched ignoring case; NULL for
 * CEN_REPORT_YIELDS) on the central database at conninfo, printing to
 * out a table (a head line, then one line per row, columns separated by
 * two spaces) or, when json is 1, one JSON array of objects built by
 * PostgreSQL. The text form's head line shows head(column) for each
 * column (the caller's translated heading; NULL head: the column names);
 * JSON keeps the column names. Returns the number of rows (0: nothing
 * matched; the text form then prints only its head), or -1 with a
 * sentence in cause and nothing printed.
 */
int cen_report_run(const char *conninfo, enum cen_report_kind kind,
                   const char *arg, int json, FILE *out,
                   const char *(*head)(const char *column),
                   char *cause, size_t cause_len);

#endif
