/* sync_state: the plant-side position file. See sync_state.h. */
#include "sync_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"

#define SYNC_STATE_HEAD "# stillroom-sync position: table last_rowid"

void sync_state_init(struct sync_state *s)
{
	memset(s, 0, sizeof *s);
}

static int sync_state_find(const struct sync_state *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return i;
	return -1;
}

long long sync_state_get(const struct sync_state *s, const char *name)
{
	int i = sync_state_find(s, name);

	return i < 0 ? 0 : s->last[i];
}

int sync_state_set(struct sync_state *s, const char *name, long long last)
{
	int i = sync_state_find(s, name);

	if (i < 0) {
		if (s->n == SYNC_STATE_MAX || strlen(name) >= SYNC_STATE_NAME_LEN ||
		    name[0] == '\0' || strpbrk(name, " \t\n") != NULL)
			return -1;
		i = s->n++;
		snprintf(s->name[i], SYNC_STATE_NAME_LEN, "%s", name);
	}
	s->last[i] = last;
	return 0;
}

/* One "TABLE LAST_ID" line into s. 0 or -1. */
static int sync_state_line(struct sync_state *s, char *line)
{
	static const struct num_field last_id = {"last_id", "", 0, 9e15, 0};
	char *name = strtok(line, " \t\n"), *num = strtok(NULL, " \t\n");
	char why[128];
	long v;

	if (!name || !num || strtok(NULL, " \t\n") != NULL ||
	    num_int(num, &last_id, &v, why, sizeof why) < 0)
		return -1;
	return sync_state_set(s, name, v);
}

int sync_state_load(struct sync_state *s, const char *path, char *cause,
                    size_t cause_len)
{
	char line[256];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	sync_state_init(s);
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(cause, cause_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\n")] == '\0')
			continue;
		if (sync_state_line(s, line) < 0) {
			snprintf(cause, cause_len, "%s:%d: expected \"TABLE LAST_ID\"",
			         path, lineno);
			fclose(f);
			sync_state_init(s);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* fsync of the directory holding path, so the rename is durable. */
static void sync_state_sync_dir(const char *path)
{
	char dir[1024];
	char *slash;
	int fd;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Writes s to the open temp file f; 0 or -1 (errno). */
static int sync_state_write(const struct sync_state *s, FILE *f)
{
	fprintf(f, "%s\n", SYNC_STATE_HEAD);
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s %lld\n", s->name[i], s->last[i]);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		return -1;
	return 0;
}

int sync_state_save(const struct sync_state *s, const char *path, char *cause,
                    size_t cause_len)
{
	char tmp[1100];
	FILE *f;
	int fd, rc;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(cause, cause_len, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = sync_state_write(s, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == 0) {
		sync_state_sync_dir(path);
		return 0;
	}
	snprintf(cause, cause_len, "%s: %s", path, strerror(errno));
	unlink(tmp);
	return -1;
}
