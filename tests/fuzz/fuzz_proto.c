/*
 * fuzz_proto: libFuzzer harness for the daemon's socket protocol lexer
 * (common/proto.c). Any line must split or give a cause, never crash;
 * and what splits must survive a round trip: the tokens appended back with
 * proto_append split into the same tokens (else abort: a quoting bug).
 * proto_check (the verbs' table and num.c) takes any split line.
 * links: common/proto.c common/num.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Appends every token of a to a fresh line, splits it again, compares. */
static void fuzz_round_trip(const struct proto_args *a)
{
	static char line[PROTO_LINE_MAX * 2];
	static struct proto_args b;
	char cause[128];

	line[0] = '\0';
	for (int i = 0; i < a->argc; i++)
		if (proto_append(line, sizeof line, NULL, a->argv[i]) < 0)
			return;  /* longer than a line once quoted: fine */
	if (strlen(line) >= PROTO_LINE_MAX)
		return;
	if (proto_split(&b, line, cause, sizeof cause) < 0 || b.argc != a->argc)
		abort();
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b.argv[i]) != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto_args a;
	char *line = malloc(size + 1);
	char cause[128], value[256];

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (proto_split(&a, line, cause, sizeof cause) == 0) {
		proto_opt(&a, "operator");
		proto_pos(&a, 1);
		proto_pos(&a, 5);
		proto_check(&a, value, sizeof value);
		fuzz_round_trip(&a);
	}
	proto_kv_get(line, "state", value, sizeof value);
	proto_is_final(line);
	free(line);
	return 0;
}
