/* sync_plant: the chain-fault alarm through the daemon. See sync_plant.h. */
#include "sync_plant.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"

/* Reads until a final line; 0 when it is "ok ...", -1 with cause. */
static int sync_plant_reply(int fd, char *cause, size_t cause_len)
{
	char buf[PROTO_LINE_MAX];
	size_t have = 0;
	ssize_t n;
	char *nl;

	for (;;) {
		while ((nl = memchr(buf, '\n', have)) != NULL) {
			*nl = '\0';
			if (proto_is_final(buf)) {
				if (strncmp(buf, "ok", 2) == 0)
					return 0;
				snprintf(cause, cause_len, "stillroomd: %s", buf);
				return -1;
			}
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
		}
		if (have == sizeof buf)
			have = 0;
		n = read(fd, buf + have, sizeof buf - have);
		if (n <= 0) {
			snprintf(cause, cause_len, "stillroomd did not answer");
			return -1;
		}
		have += (size_t)n;
	}
}

int sync_plant_fault(const char *socket_path, const char *fault, char *cause,
                     size_t cause_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {2, 0};
	char line[PROTO_LINE_MAX] = "sync-fault";
	int fd, rc = -1;

	if (proto_append(line, sizeof line, fault ? "text" : "clear",
	                 fault ? fault : "1") < 0 ||
	    proto_append(line, sizeof line, "operator", "stillroom-sync") < 0 ||
	    strlen(socket_path) >= sizeof sa.sun_path) {
		snprintf(cause, cause_len, "the fault or the socket path is too long");
		return -1;
	}
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto say_errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    dprintf(fd, "%s\n", line) < 0)
		goto say_errno;
	rc = sync_plant_reply(fd, cause, cause_len);
	close(fd);
	return rc;
say_errno:
	snprintf(cause, cause_len, "cannot reach stillroomd at %s: %s",
	         socket_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}
