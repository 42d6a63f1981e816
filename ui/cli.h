/*
 * cli: the scriptable command line of `stillroom`: one request to the
 * daemon's socket per command, replies printed as one line; failures say
 * why and exit 1; usage errors exit 2.
 */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

#define CLI_DATA_MAX 4096     /* data lines kept from one reply */
#define CLI_LINE_MAX (4 << 20) /* longest reply line kept, bytes (status --json of
                                  256 stills is about 300 KB) */
#define CLI_EXIT_UNRECORDED 3 /* the command was done, its record not yet on disk */

/* A reply: data lines (malloc'd) and the final line. */
struct cli_reply {
	char **lines;
	int n;
	char final[8192];
	int ok;                   /* final line was "ok" */
	int unrecorded;           /* "ok unrecorded": done, not yet recorded */
};

/*
 * Sends request (one line, no newline) to the daemon at socket_path and
 * reads the whole reply into *r. Returns 0 when a reply came (ok or err),
 * -1 with a sentence in cause when the daemon could not be reached.
 */
int cli_request(const char *socket_path, const char *request, struct cli_reply *r,
                char *cause, size_t cause_len);

/* Frees the data lines of r. */
void cli_reply_free(struct cli_reply *r);

/* Runs daemon subcommand argv[0] (status, start, hold, ...). Returns the
 * exit status: 0, 1 (failed, reason printed to err) or 2 (usage). -1 when
 * argv[0] is not a daemon subcommand. */
int cli_main(int argc, char **argv, const char *socket_path, const char *operator_name,
             FILE *out, FILE *err);

#endif
