/*
 * cen_schema: the central schema, made from the plant's tables. See
 * cen_schema.h and docs/SECURITY.md (roles, row-level security).
 */
#include "cen_conn_int.h"
#include "cen_schema.h"

#include <stdio.h>
#include <stdlib.h>

/* The roles, the position and the fault tables, their policies. */
static const char cen_schema_sql_common[] =
	"DO $$ BEGIN"
	" IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stillroom_plant')"
	" THEN CREATE ROLE stillroom_plant NOLOGIN; END IF;"
	" IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alliance')"
	" THEN CREATE ROLE alliance NOLOGIN; END IF; END $$;"
	"CREATE TABLE IF NOT EXISTS sync_position ("
	" plant TEXT NOT NULL, tbl TEXT NOT NULL, last_id BIGINT NOT NULL,"
	" at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (plant, tbl));"
	"CREATE TABLE IF NOT EXISTS chain_faults ("
	" id BIGSERIAL PRIMARY KEY, plant TEXT NOT NULL,"
	" at TIMESTAMPTZ NOT NULL DEFAULT now(), tbl TEXT NOT NULL,"
	" row_id BIGINT, fault TEXT NOT NULL);"
	"ALTER TABLE sync_position ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE chain_faults ENABLE ROW LEVEL SECURITY;"
	"DROP POLICY IF EXISTS plant_own ON sync_position;"
	"CREATE POLICY plant_own ON sync_position TO stillroom_plant"
	" USING (plant = current_user) WITH CHECK (plant = current_user);"
	"DROP POLICY IF EXISTS plant_own ON chain_faults;"
	"CREATE POLICY plant_own ON chain_faults TO stillroom_plant"
	" USING (plant = current_user) WITH CHECK (plant = current_user);"
	"DROP POLICY IF EXISTS alliance_read ON sync_position;"
	"CREATE POLICY alliance_read ON sync_position FOR SELECT TO alliance"
	" USING (true);"
	"DROP POLICY IF EXISTS alliance_read ON chain_faults;"
	"CREATE POLICY alliance_read ON chain_faults FOR SELECT TO alliance"
	" USING (true);"
	"REVOKE ALL ON sync_position, chain_faults FROM PUBLIC;"
	"GRANT SELECT, INSERT, UPDATE ON sync_position TO stillroom_plant;"
	"GRANT SELECT, INSERT ON chain_faults TO stillroom_plant;"
	"GRANT USAGE ON SEQUENCE chain_faults_id_seq TO stillroom_plant;"
	"GRANT SELECT ON sync_position, chain_faults TO alliance;";

static const char *const cen_schema_pg_type[] = {
	[CEN_INT] = "BIGINT", [CEN_REAL] = "DOUBLE PRECISION",
	[CEN_TEXT] = "TEXT", [CEN_BLOB] = "BYTEA",
};

/* CREATE TABLE IF NOT EXISTS t (plant, the columns, the key) and ADD
 * COLUMN IF NOT EXISTS for each (a newer plant schema's columns). */
static void cen_schema_create(FILE *f, const struct cen_table *t)
{
	fputs("CREATE TABLE IF NOT EXISTS ", f);
	cen_conn_ident(f, "", t->name);
	fputs(" (plant TEXT NOT NULL", f);
	for (int i = 0; i < t->n_cols; i++) {
		fputs(", ", f);
		cen_conn_ident(f, "", t->col[i]);
		fprintf(f, " %s", cen_schema_pg_type[t->type[i]]);
	}
	fputs(", PRIMARY KEY (plant", f);
	for (int i = 0; i < t->n_key; i++) {
		fputs(", ", f);
		cen_conn_ident(f, "", t->col[t->key[i]]);
	}
	fputs("));\n", f);
	for (int i = 0; i < t->n_cols; i++) {
		fputs("ALTER TABLE ", f);
		cen_conn_ident(f, "", t->name);
		fputs(" ADD COLUMN IF NOT EXISTS ", f);
		cen_conn_ident(f, "", t->col[i]);
		fprintf(f, " %s;\n", cen_schema_pg_type[t->type[i]]);
	}
}

/* Row-level security and grants on t: each statement is the text
 * before the table's name and the text after it. */
static const char *const cen_schema_secure_sql[][2] = {
	{"ALTER TABLE ", " ENABLE ROW LEVEL SECURITY;\n"},
	{"DROP POLICY IF EXISTS plant_own ON ", ";\n"},
	{"CREATE POLICY plant_own ON ", " TO stillroom_plant USING (plant ="
	 " current_user) WITH CHECK (plant = current_user);\n"},
	{"DROP POLICY IF EXISTS alliance_read ON ", ";\n"},
	{"CREATE POLICY alliance_read ON ", " FOR SELECT TO alliance"
	 " USING (true);\n"},
	{"REVOKE ALL ON ", " FROM PUBLIC, stillroom_plant;\n"},
	{"GRANT SELECT, INSERT ON ", " TO stillroom_plant;\n"},
	{"GRANT SELECT ON ", " TO alliance;\n"},
	{"GRANT UPDATE ON ", " TO stillroom_plant;\n"},  /* not append-only */
};

static void cen_schema_secure(FILE *f, const struct cen_table *t)
{
	int n = (int)(sizeof cen_schema_secure_sql / sizeof cen_schema_secure_sql[0]);

	if (t->append_only)
		n--;
	for (int i = 0; i < n; i++) {
		fputs(cen_schema_secure_sql[i][0], f);
		cen_conn_ident(f, "", t->name);
		fputs(cen_schema_secure_sql[i][1], f);
	}
}

int cen_schema_init(struct cen_conn *c, const struct cen_table *t, int n,
                    char *cause, size_t cause_len)
{
	char *sql = NULL;
	size_t len;
	FILE *f = open_memstream(&sql, &len);
	int rc;

	fputs("BEGIN;\n", f);
	fputs(cen_schema_sql_common, f);
	for (int i = 0; i < n; i++) {
		cen_schema_create(f, &t[i]);
		cen_schema_secure(f, &t[i]);
	}
	fputs("COMMIT;\n", f);
	fclose(f);
	rc = cen_conn_exec(c, sql, cause, cause_len);
	free(sql);
	if (rc < 0)
		cen_conn_rollback(c);
	return rc;
}
