/*
 * cen_report: the alliance views and the reports on them (cen_report.h).
 * Every join keeps to one plant (the central key is (plant, local id));
 * numbers are rounded as numeric so the text is the same whether a column
 * arrived as real or numeric, and times are read as text (left(x::text,
 * 7) is the month of an ISO text as of a timestamptz).
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cen_report.h"

/* The latest QA decision of batch b.batch_id. */
#define CEN_REPORT_DECISION(b) \
	"(SELECT x.decision FROM qa_decisions x WHERE x.plant = " b ".plant" \
	" AND x.batch_id = " b ".batch_id ORDER BY x.id DESC LIMIT 1)"

/* The oil (g) of the latest attribution of batch b.batch_id to lot
 * b.lot_id. */
#define CEN_REPORT_OIL_G(b) \
	"(SELECT al.oil_g FROM attributions a JOIN attribution_lots al" \
	" ON al.plant = a.plant AND al.attribution_id = a.id" \
	" WHERE a.plant = " b ".plant AND a.batch_id = " b ".batch_id" \
	" AND al.lot_id = " b ".lot_id ORDER BY a.revision DESC LIMIT 1)"

/* Oil per (plant, drum, batch), from the fills. */
#define CEN_REPORT_FILLS \
	"(SELECT plant, drum_id, batch_id, sum(oil_kg) AS oil_kg," \
	" min(id) AS first_id FROM drum_fills GROUP BY plant, drum_id, batch_id)"

static const char cen_report_sql_views[] =
	/* the views' lookups by batch and lot within a plant */
	"CREATE INDEX IF NOT EXISTS alliance_measurements_batch"
	" ON measurements (plant, batch_id, id);"
	"CREATE INDEX IF NOT EXISTS alliance_qa_decisions_batch"
	" ON qa_decisions (plant, batch_id, id);"
	"CREATE INDEX IF NOT EXISTS alliance_attributions_batch"
	" ON attributions (plant, batch_id, revision);"
	"CREATE INDEX IF NOT EXISTS alliance_batch_lots_lot"
	" ON batch_lots (plant, lot_id);"
	"CREATE INDEX IF NOT EXISTS alliance_drum_fills_batch"
	" ON drum_fills (plant, batch_id);"
	"CREATE OR REPLACE VIEW alliance_batches AS"
	" SELECT b.plant, b.id AS batch_id, b.still, b.feedstock, b.state,"
	" left(b.started_at::text, 7) AS month, b.started_at::text AS started_at,"
	" b.charge_kg, coalesce((SELECT m.value FROM measurements m"
	"  WHERE m.plant = b.plant AND m.batch_id = b.id"
	"  AND m.quantity = 'oil_kg' ORDER BY m.id DESC LIMIT 1),"
	" b.oil_receiver_kg) AS oil_kg, b.cost_vnd"
	" FROM batches b;"
	"CREATE OR REPLACE VIEW alliance_yields AS"
	" SELECT plant, feedstock, month, count(*) AS batches,"
	" round(sum(charge_kg)::numeric, 1) AS charge_kg,"
	" round(sum(oil_kg)::numeric, 3) AS oil_kg,"
	" round((100 * sum(oil_kg) / nullif(sum(charge_kg), 0))::numeric, 3)"
	"  AS yield_pct,"
	" round(sum(cost_vnd)::numeric) AS cost_vnd,"
	" round((sum(cost_vnd) / nullif(sum(oil_kg)"
	"  FILTER (WHERE cost_vnd IS NOT NULL), 0))::numeric, 2)"
	"  AS cost_vnd_per_kg_oil"
	" FROM alliance_batches WHERE oil_kg IS NOT NULL"
	" AND state IN ('complete', 'stopped')"
	" GROUP BY plant, feedstock, month;"
	"CREATE OR REPLACE VIEW alliance_drum_trace AS"
	" SELECT d.plant, d.drum_id, d.trace_code, d.feedstock, f.batch_id,"
	" round(f.oil_kg::numeric, 3) AS oil_kg,"
	" " CEN_REPORT_DECISION("f") " AS qa_decision,"
	" bl.lot_id, l.grower, l.origin, bl.mass_kg,"
	" " CEN_REPORT_OIL_G("bl") " AS oil_g"
	" FROM drums d JOIN " CEN_REPORT_FILLS " f"
	"  ON f.plant = d.plant AND f.drum_id = d.drum_id"
	" LEFT JOIN batch_lots bl ON bl.plant = f.plant AND bl.batch_id = f.batch_id"
	" LEFT JOIN lots l ON l.plant = bl.plant AND l.lot_id = bl.lot_id;"
	"CREATE OR REPLACE VIEW alliance_lot_trace AS"
	" SELECT l.plant, l.lot_id, l.feedstock, l.grower, bl.batch_id, b.state,"
	" bl.mass_kg, " CEN_REPORT_OIL_G("bl") " AS oil_g,"
	" " CEN_REPORT_DECISION("bl") " AS qa_decision,"
	" f.drum_id, round(f.oil_kg::numeric, 3) AS drum_oil_kg,"
	" sh.buyer, sh.doc_no, sh.ship_date::text AS ship_date"
	" FROM lots l"
	" LEFT JOIN batch_lots bl ON bl.plant = l.plant AND bl.lot_id = l.lot_id"
	" LEFT JOIN batches b ON b.plant = bl.plant AND b.id = bl.batch_id"
	" LEFT JOIN " CEN_REPORT_FILLS " f"
	"  ON f.plant = bl.plant AND f.batch_id = bl.batch_id"
	" LEFT JOIN shipment_drums sd ON sd.plant = f.plant AND sd.drum_id = f.drum_id"
	" LEFT JOIN shipments sh ON sh.plant = sd.plant AND sh.id = sd.shipment_id;"
	"CREATE OR REPLACE VIEW alliance_grower_deliveries AS"
	" SELECT l.plant, l.grower, l.lot_id, l.feedstock,"
	" l.received_at::text AS received_at, l.mass_received_kg,"
	" l.price_vnd_per_kg,"
	" (SELECT count(*) FROM batch_lots bl WHERE bl.plant = l.plant"
	"  AND bl.lot_id = l.lot_id) AS batches,"
	" (SELECT sum(al.oil_g) FROM attributions a JOIN attribution_lots al"
	"  ON al.plant = a.plant AND al.attribution_id = a.id"
	"  WHERE a.plant = l.plant AND al.lot_id = l.lot_id"
	"  AND a.revision = (SELECT max(r.revision) FROM attributions r"
	"  WHERE r.plant = a.plant AND r.batch_id = a.batch_id)) AS oil_g"
	" FROM lots l;"
	"DO $$ BEGIN"
	" IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alliance') THEN"
	"  GRANT SELECT ON alliance_batches, alliance_yields, alliance_drum_trace,"
	"  alliance_lot_trace, alliance_grower_deliveries TO alliance;"
	" END IF; END $$;";

/* Each report's query ($1: its argument). */
static const char *const cen_report_sql[CEN_REPORT_COUNT] = {
	[CEN_REPORT_YIELDS] =
		"SELECT plant, feedstock, month, batches, charge_kg, oil_kg,"
		" yield_pct, cost_vnd, cost_vnd_per_kg_oil FROM alliance_yields"
		" ORDER BY plant, feedstock, month",
	[CEN_REPORT_DRUM] =
		"SELECT plant, drum_id, trace_code, batch_id, oil_kg, qa_decision,"
		" lot_id, grower, origin, mass_kg, oil_g FROM alliance_drum_trace"
		" WHERE drum_id = $1 OR trace_code = $1"
		" ORDER BY plant, drum_id, batch_id, lot_id",
	[CEN_REPORT_LOT] =
		"SELECT plant, lot_id, grower, batch_id, state, mass_kg, oil_g,"
		" qa_decision, drum_id, drum_oil_kg, buyer, doc_no, ship_date"
		" FROM alliance_lot_trace WHERE lot_id = $1"
		" ORDER BY plant, batch_id, drum_id",
	[CEN_REPORT_GROWER] =
		"SELECT plant, grower, lot_id, feedstock, received_at,"
		" mass_received_kg, price_vnd_per_kg, batches, oil_g"
		" FROM alliance_grower_deliveries WHERE lower(grower) = lower($1)"
		" ORDER BY plant, received_at, lot_id",
};

/* Copies PostgreSQL's message (its first line) into cause. */
static void cen_report_cause(const char *what, const char *pgmsg,
                             char *cause, size_t cause_len)
{
	size_t n = strcspn(pgmsg, "\n");

	snprintf(cause, cause_len, "%s: %.*s", what, (int)n, pgmsg);
}

/* Opens the connection; NULL with cause on failure. */
static PGconn *cen_report_connect(const char *conninfo, char *cause,
                                  size_t cause_len)
{
	PGconn *pg = PQconnectdb(conninfo ? conninfo : "");

	if (pg == NULL) {
		snprintf(cause, cause_len, "central database: out of memory");
		return NULL;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		cen_report_cause("central database", PQerrorMessage(pg), cause,
		                 cause_len);
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

int cen_report_views(const char *conninfo, char *cause, size_t cause_len)
{
	PGconn *pg = cen_report_connect(conninfo, cause, cause_len);
	PGresult *r;
	int rc = -1;

	if (pg == NULL)
		return -1;
	r = PQexec(pg, "BEGIN");
	PQclear(r);
	r = PQexec(pg, cen_report_sql_views);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		cen_report_cause("alliance views", PQresultErrorMessage(r), cause,
		                 cause_len);
		goto clear_result;
	}
	PQclear(r);
	r = PQexec(pg, "COMMIT");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		cen_report_cause("alliance views", PQresultErrorMessage(r), cause,
		                 cause_len);
		goto clear_result;
	}
	rc = 0;
clear_result:
	PQclear(r);
	PQfinish(pg);
	return rc;
}

/* The text of a value: "-" for NULL. */
static const char *cen_report_cell(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "-" : PQgetvalue(r, row, col);
}

/* The width of UTF-8 text s in characters (its bytes that do not
 * continue a character). */
static int cen_report_width(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Column c's heading: head's for its name, else the name. */
static const char *cen_report_head(const PGresult *r, int c,
                                   const char *(*head)(const char *))
{
	return head ? head(PQfname(r, c)) : PQfname(r, c);
}

/* Prints r as a table: head line (headings by head), then rows, columns
 * padded to fit. */
static void cen_report_table(const PGresult *r, FILE *out,
                             const char *(*head)(const char *))
{
	int rows = PQntuples(r), cols = PQnfields(r);
	int *w = calloc((size_t)cols, sizeof *w);

	for (int c = 0; w != NULL && c < cols; c++) {
		w[c] = cen_report_width(cen_report_head(r, c, head));
		for (int i = 0; i < rows; i++) {
			int n = cen_report_width(cen_report_cell(r, i, c));

			if (n > w[c])
				w[c] = n;
		}
	}
	for (int i = -1; i < rows; i++) {
		for (int c = 0; c < cols; c++) {
			const char *v = i < 0 ? cen_report_head(r, c, head) :
			                cen_report_cell(r, i, c);
			int pad = w != NULL ? w[c] - cen_report_width(v) : 0;

			if (c == cols - 1)
				fprintf(out, "%s\n", v);
			else
				fprintf(out, "%s%*s", v, pad + 2, "");
		}
	}
	free(w);
}

int cen_report_run(const char *conninfo, enum cen_report_kind kind,
                   const char *arg, int json, FILE *out,
                   const char *(*head)(const char *column),
                   char *cause, size_t cause_len)
{
	char sql[2048];
	const char *params[1] = {arg};
	PGconn *pg;
	PGresult *r;
	int rows = -1;

	if ((int)kind < 0 || kind >= CEN_REPORT_COUNT ||
	    (kind != CEN_REPORT_YIELDS && arg == NULL)) {
		snprintf(cause, cause_len, "alliance report: no such report or no argument");
		return -1;
	}
	if (json)
		snprintf(sql, sizeof sql, "SELECT count(*), coalesce(json_agg(q), '[]')"
		         " FROM (%s) q", cen_report_sql[kind]);
	else
		snprintf(sql, sizeof sql, "%s", cen_report_sql[kind]);
	pg = cen_report_connect(conninfo, cause, cause_len);
	if (pg == NULL)
		return -1;
	r = PQexecParams(pg, sql, kind == CEN_REPORT_YIELDS ? 0 : 1, NULL,
	                 kind == CEN_REPORT_YIELDS ? NULL : params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		cen_report_cause("alliance report", PQresultErrorMessage(r), cause,
		                 cause_len);
		goto clear_result;
	}
	if (json) {
		rows = atoi(PQgetvalue(r, 0, 0));
		fprintf(out, "%s\n", PQgetvalue(r, 0, 1));
	} else {
		rows = PQntuples(r);
		cen_report_table(r, out, head);
	}
clear_result:
	PQclear(r);
	PQfinish(pg);
	return rows;
}
