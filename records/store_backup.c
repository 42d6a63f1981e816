/*
 * store_backup: a copy of the live database while the daemon writes it
 * (SQLite's online backup API), and putting such a copy back in place.
 * See store.h (store_backup, store_restore) and docs/RECORDS.md.
 *
 * The copy reads one snapshot: the source connection holds a read
 * transaction for the whole copy, so in WAL mode the daemon's writers
 * never wait for it and a write meanwhile does not restart it; it is
 * taken STORE_BK_PAGES pages a step, with a pause between steps, so a
 * large database does not hog the disk. The copy is written to a
 * temporary file beside the target, made a single file (rollback
 * journal), synced, checked (store_audit_verify: integrity_check, the
 * audit chain, the record rows), and only then renamed into place.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_BK_PAGES 16           /* pages copied a step (64 KiB at 4 KiB) */
#define STORE_BK_PAUSE_MS 1         /* pause between steps, ms */
#define STORE_BK_PATH_MAX 4096
#define STORE_BK_LINE_MAX 256       /* audit verify's line */

/* Copies the database of src (one snapshot: src holds a read transaction)
 * into a new file dst_path as a single file; *steps counts the steps. */
static int store_bk_copy(sqlite3 *src, const char *dst_path, int *steps,
                         char *cause, size_t cause_len)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_EXCLUSIVE, NULL) != SQLITE_OK) {
		store_fail(cause, cause_len, "cannot create %s: %s", dst_path,
		           sqlite3_errmsg(dst));
		goto out_close_dst;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		store_fail(cause, cause_len, "cannot copy: %s", sqlite3_errmsg(dst));
		goto out_close_dst;
	}
	do {
		rc = sqlite3_backup_step(b, STORE_BK_PAGES);
		(*steps)++;
		if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(STORE_BK_PAUSE_MS);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		store_fail(cause, cause_len, "cannot copy: %s", sqlite3_errstr(rc));
		goto out_close_dst;
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		store_fail(cause, cause_len, "cannot make %s one file: %s", dst_path,
		           sqlite3_errmsg(dst));
		goto out_close_dst;
	}
	return sqlite3_close(dst) == SQLITE_OK ? 0 :
		store_fail(cause, cause_len, "cannot close %s", dst_path);

out_close_dst:
	sqlite3_close(dst);
	return -1;
}

/* Copies the database at src_path (read-only, one snapshot) into a new
 * file dst_path. */
static int store_bk_copy_path(const char *src_path, const char *dst_path,
                              int *steps, char *cause, size_t cause_len)
{
	sqlite3 *src = NULL;
	int rc = -1;

	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		store_fail(cause, cause_len, "cannot open %s: %s", src_path,
		           sqlite3_errmsg(src));
		goto out_close_src;
	}
	sqlite3_busy_timeout(src, STORE_BUSY_MS);
	if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL,
	                 NULL) != SQLITE_OK) {
		store_fail(cause, cause_len, "cannot read %s: %s", src_path,
		           sqlite3_errmsg(src));
		goto out_close_src;
	}
	rc = store_bk_copy(src, dst_path, steps, cause, cause_len);
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
out_close_src:
	sqlite3_close(src);
	return rc;
}

/* fsync of path (a file or a directory). */
static int store_bk_sync(const char *path, char *cause, size_t cause_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = fd >= 0 ? fsync(fd) : -1;

	if (fd >= 0)
		close(fd);
	return rc == 0 ? 0 : store_fail(cause, cause_len, "cannot sync %s: %s", path,
	                                strerror(errno));
}

/* The directory of path into dir ("." when it has none). */
static void store_bk_dir(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Checks the copy at path: integrity_check, the audit chain, the record
 * rows (store_audit_verify); line gets its verdict ("audit: N rows
 * intact, head H", or the first problem in cause). */
static int store_bk_verify(const char *path, char *line, size_t line_len,
                           char *cause, size_t cause_len)
{
	struct store *s = store_open(path, STORE_RO, cause, cause_len);
	char *text = NULL;
	size_t text_len = 0;
	FILE *out;
	int rc = -1;

	if (s == NULL)
		return -1;
	out = open_memstream(&text, &text_len);
	if (out == NULL) {
		store_fail(cause, cause_len, "out of memory");
		goto out_close_store;
	}
	rc = store_audit_verify(s, out, cause, cause_len);
	fclose(out);
	text[strcspn(text, "\n")] = '\0';
	if (rc > 0)
		store_fail(cause, cause_len, "%s", text);
	else if (rc == 0)
		snprintf(line, line_len, "%s", text);
	free(text);
out_close_store:
	store_close(s);
	return rc == 0 ? 0 : -1;
}

/* Puts the finished file tmp at path: refuses to replace an existing path
 * unless force (link fails on an existing name, so nothing is lost to a
 * file that appeared meanwhile). */
static int store_bk_place(const char *tmp, const char *path, int force,
                          char *cause, size_t cause_len)
{
	if (force ? rename(tmp, path) : link(tmp, path))
		return store_fail(cause, cause_len, errno == EEXIST ?
		                  "%s exists; give --force to replace it" :
		                  "cannot write %s: %s", path, strerror(errno));
	if (!force)
		unlink(tmp);
	return 0;
}

/* File size of path in KiB, 0 when unknown. */
static long store_bk_kib(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)((st.st_size + 1023) / 1024) : 0;
}

int store_backup(const char *db_path, const char *file, int force, FILE *out,
                 char *cause, size_t cause_len)
{
	char tmp[STORE_BK_PATH_MAX], dir[STORE_BK_PATH_MAX], line[STORE_BK_LINE_MAX];
	int steps = 0;

	if (!force && access(file, F_OK) == 0)
		return store_fail(cause, cause_len, "%s exists; give --force to replace it",
		                  file);
	if (access(db_path, R_OK) != 0)
		return store_fail(cause, cause_len, "cannot read the database %s: %s",
		                  db_path, strerror(errno));
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", file, (long)getpid());
	store_bk_dir(file, dir, sizeof dir);
	if (store_bk_copy_path(db_path, tmp, &steps, cause, cause_len) < 0 ||
	    store_bk_sync(tmp, cause, cause_len) < 0 ||
	    store_bk_verify(tmp, line, sizeof line, cause, cause_len) < 0 ||
	    store_bk_place(tmp, file, force, cause, cause_len) < 0 ||
	    store_bk_sync(dir, cause, cause_len) < 0) {
		unlink(tmp);
		return -1;
	}
	fprintf(out, "backup: %s written (%ld KiB in %d steps); integrity ok; %s\n",
	        file, store_bk_kib(file), steps, line);
	return 0;
}

int store_lock(const char *db_path, char *cause, size_t cause_len)
{
	char path[STORE_BK_PATH_MAX];
	int fd;

	snprintf(path, sizeof path, "%s.lock", db_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (fd < 0)
		return store_fail(cause, cause_len, "cannot open %s: %s", path,
		                  strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return store_fail(cause, cause_len, "%s is held by a running "
		                  "stillroomd (its lock %s)", db_path, path);
	}
	return fd;
}

/* Renames path+suffix to aside+suffix when it exists. */
static int store_bk_move(const char *path, const char *aside, const char *suffix,
                         char *cause, size_t cause_len)
{
	char from[STORE_BK_PATH_MAX], to[STORE_BK_PATH_MAX];

	snprintf(from, sizeof from, "%s%s", path, suffix);
	snprintf(to, sizeof to, "%s%s", aside, suffix);
	if (rename(from, to) == 0 || errno == ENOENT)
		return 0;
	return store_fail(cause, cause_len, "cannot move %s aside: %s", from,
	                  strerror(errno));
}

/* Moves the database at db_path (with its -wal and -shm, which belong to
 * it) to aside; nothing to do when there is none. *moved says whether
 * there was. */
static int store_bk_aside(const char *db_path, const char *aside, int *moved,
                          char *cause, size_t cause_len)
{
	*moved = access(db_path, F_OK) == 0;
	if (!*moved)
		return 0;
	if (store_bk_move(db_path, aside, "-wal", cause, cause_len) < 0 ||
	    store_bk_move(db_path, aside, "-shm", cause, cause_len) < 0)
		return -1;
	return store_bk_move(db_path, aside, "", cause, cause_len);
}

/* Makes the copy at tmp this program's schema (migrating an older one,
 * audited in its own trail) and a single file again. */
static int store_bk_upgrade(const char *tmp, char *cause, size_t cause_len)
{
	struct store *s = store_open(tmp, STORE_RW, cause, cause_len);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_exec(s->db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	store_close(s);
	return rc == SQLITE_OK ? 0 : store_fail(cause, cause_len,
	                                        "cannot make %s one file", tmp);
}

/* Checks file and puts it at db_path, the old database moved aside (its
 * name in aside, "" when there was none). The caller holds the lock. */
static int store_bk_put(const char *db_path, const char *file, char *aside,
                        size_t aside_len, char *line, size_t line_len,
                        char *cause, size_t cause_len)
{
	char tmp[STORE_BK_PATH_MAX], dir[STORE_BK_PATH_MAX], stamp[32];
	time_t now = time(NULL);
	int steps = 0, moved = 0;

	snprintf(tmp, sizeof tmp, "%s.restore-%ld", db_path, (long)getpid());
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(aside, aside_len, "%s.before-restore-%s", db_path, stamp);
	store_bk_dir(db_path, dir, sizeof dir);
	if (store_bk_copy_path(file, tmp, &steps, cause, cause_len) < 0 ||
	    store_bk_upgrade(tmp, cause, cause_len) < 0 ||
	    store_bk_verify(tmp, line, line_len, cause, cause_len) < 0 ||
	    store_bk_sync(tmp, cause, cause_len) < 0 ||
	    store_bk_aside(db_path, aside, &moved, cause, cause_len) < 0)
		goto out_unlink_tmp;
	if (rename(tmp, db_path) < 0) {
		store_fail(cause, cause_len, "cannot put %s in place: %s", db_path,
		           strerror(errno));
		if (moved)
			rename(aside, db_path);
		goto out_unlink_tmp;
	}
	if (!moved)
		aside[0] = '\0';
	return store_bk_sync(dir, cause, cause_len);

out_unlink_tmp:
	unlink(tmp);
	return -1;
}

int store_restore(const char *db_path, const char *file, FILE *out, char *cause,
                  size_t cause_len)
{
	char aside[STORE_BK_PATH_MAX], line[STORE_BK_LINE_MAX], why[STORE_CAUSE_MAX];
	int fd, rc;

	if (access(file, R_OK) != 0)
		return store_fail(cause, cause_len, "cannot read %s: %s", file,
		                  strerror(errno));
	fd = store_lock(db_path, why, sizeof why);
	if (fd < 0)
		return store_fail(cause, cause_len, "refused: %s; stop it first", why);
	rc = store_bk_put(db_path, file, aside, sizeof aside, line, sizeof line,
	                  why, sizeof why);
	close(fd);
	if (rc < 0)
		return store_fail(cause, cause_len, "%s: nothing changed: %s", file, why);
	fprintf(out, "restore: %s now holds %s; integrity ok; %s; %s%s\n", db_path,
	        file, line, aside[0] ? "the old database is kept as " :
	        "there was no database before", aside);
	return 0;
}
