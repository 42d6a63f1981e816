/*
 * con_doc: a batch's HTML record from the console's history page (see
 * con_doc.h): rpt_main writes the page into a temporary file beside the
 * target, which is then linked under the first free name (link(2) never
 * replaces a file) and removed.
 */
#include "con_doc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "rpt.h"

#define CON_DOC_NAMES_MAX 99   /* batch-ID.html, batch-ID-2.html .. -99 */

/* The absolute folder for documents into dir: 0, or -1 with out. */
static int con_doc_dir(char *dir, char *out, size_t out_len)
{
	const char *env = getenv(CON_DOC_DIR_ENV);
	const char *want = env && *env ? env : ".";

	if (realpath(want, dir) != NULL)
		return 0;
	snprintf(out, out_len, _("Cannot write the document in %s: %s"), want,
	         strerror(errno));
	return -1;
}

/* Runs `report batch ID --html` into the open file f; err gets the
 * report's error line. Returns 0 when the page is whole and on disk. */
static int con_doc_render(const char *db_path, const struct cfg_plant *plant,
                          long id, FILE *f, char *out, size_t out_len)
{
	char idbuf[24], *err = NULL;
	size_t elen = 0;
	char *argv[] = {"report", "batch", idbuf, "--html", NULL};
	FILE *ferr = open_memstream(&err, &elen);
	int rc;

	if (!ferr) {
		snprintf(out, out_len, "%s", strerror(errno));
		return -1;
	}
	snprintf(idbuf, sizeof idbuf, "%ld", id);
	rc = rpt_main(4, argv, db_path, plant, f, ferr);
	fclose(ferr);
	if (rc != RPT_OK && err && *err)
		snprintf(out, out_len, "%.*s", (int)strcspn(err, "\n"), err);
	else if (rc != RPT_OK)
		snprintf(out, out_len, "%s", _("the report failed"));
	else if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(out, out_len, _("Cannot write the document: %s"),
		         strerror(errno));
		rc = RPT_ERR;
	}
	free(err);
	return rc == RPT_OK ? 0 : -1;
}

/* Links tmp under the first free name for batch id in dir: 0 with the
 * path in out, or -1 with the sentence. */
static int con_doc_name(const char *dir, const char *tmp, long id, char *out,
                        size_t out_len)
{
	char path[PATH_MAX + 32];

	for (int n = 1; n <= CON_DOC_NAMES_MAX; n++) {
		if (n == 1)
			snprintf(path, sizeof path, "%s/batch-%ld.html", dir, id);
		else
			snprintf(path, sizeof path, "%s/batch-%ld-%d.html", dir, id, n);
		if (link(tmp, path) == 0) {
			snprintf(out, out_len, "%s", path);
			return 0;
		}
		if (errno != EEXIST) {
			snprintf(out, out_len, _("Cannot write the document %s: %s"),
			         path, strerror(errno));
			return -1;
		}
	}
	snprintf(out, out_len, _("Cannot write the document: batch-%ld.html and "
	         "the next %d names are taken in %s"), id, CON_DOC_NAMES_MAX - 1,
	         dir);
	return -1;
}

int con_doc_write(const char *db_path, const struct cfg_plant *plant, long id,
                  char *out, size_t out_len)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 48];
	FILE *f;
	int fd, rc = -1;

	if (con_doc_dir(dir, out, out_len) < 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s/.batch-%ld.html.XXXXXX", dir, id);
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "w"))) {
		snprintf(out, out_len, _("Cannot write the document in %s: %s"),
		         dir, strerror(errno));
		if (fd >= 0)
			goto remove_tmp;
		return -1;
	}
	fd = -1;
	rc = con_doc_render(db_path, plant, id, f, out, out_len);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(out, out_len, _("Cannot write the document: %s"),
		         strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		rc = con_doc_name(dir, tmp, id, out, out_len);
remove_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}
