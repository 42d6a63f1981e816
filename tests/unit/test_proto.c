/* Unit tests of the socket protocol's lexer (common/proto.c).
 * links: common/proto.c common/num.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

static void test_split_words_and_quotes(void **state)
{
	struct proto_args a;
	char cause[64];

	(void)state;
	assert_int_equal(proto_split(&a, "start still1 recipe=cassia-leaf operator=\"Nguyễn Văn A\"",
	                             cause, sizeof cause), 0);
	assert_int_equal(a.argc, 4);
	assert_string_equal(a.argv[0], "start");
	assert_string_equal(proto_opt(&a, "operator"), "Nguyễn Văn A");
	assert_string_equal(proto_opt(&a, "recipe"), "cassia-leaf");
	assert_null(proto_opt(&a, "lot"));
	assert_string_equal(proto_pos(&a, 1), "still1");
	assert_null(proto_pos(&a, 2));
}

static void test_split_escapes(void **state)
{
	struct proto_args a;
	char cause[64];

	(void)state;
	assert_int_equal(proto_split(&a, "answer s text=\"say \\\"yes\\\"\\\\ok\\nnext\"", cause,
	                             sizeof cause), 0);
	assert_string_equal(proto_opt(&a, "text"), "say \"yes\"\\ok\nnext");
}

static void test_split_errors(void **state)
{
	struct proto_args a;
	char cause[64], line[PROTO_LINE_MAX + 10];

	(void)state;
	assert_int_equal(proto_split(&a, "hold \"still1", cause, sizeof cause), -1);
	assert_string_equal(cause, "unterminated quote");
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	assert_int_equal(proto_split(&a, line, cause, sizeof cause), -1);
	memset(line, 0, sizeof line);
	for (int i = 0; i < PROTO_ARGS_MAX + 1; i++)
		strcat(line, "a ");
	assert_int_equal(proto_split(&a, line, cause, sizeof cause), -1);
	assert_int_equal(proto_split(&a, "   ", cause, sizeof cause), 0);
	assert_int_equal(a.argc, 0);
}

static void test_append_round_trip(void **state)
{
	static const char *const values[] = {"plain", "two words", "", "quote\"d", "back\\slash",
	                                     "new\nline", "Hộ Lò Văn Minh"};
	char line[512];
	struct proto_args a;
	char cause[64];

	(void)state;
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		snprintf(line, sizeof line, "verb");
		assert_int_equal(proto_append(line, sizeof line, "k", values[i]), 0);
		assert_int_equal(proto_append(line, sizeof line, NULL, values[i]), 0);
		assert_int_equal(proto_split(&a, line, cause, sizeof cause), 0);
		assert_int_equal(a.argc, 3);
		assert_string_equal(proto_opt(&a, "k"), values[i]);
		assert_string_equal(a.argv[2], values[i]);
	}
	line[0] = '\0';
	assert_int_equal(proto_append(line, 8, "key", "too long a value"), -1);
}

static void test_kv_and_final(void **state)
{
	char v[64];

	(void)state;
	assert_int_equal(proto_kv_get("still name=still1 state=running prompt=\"Condenser on?\"",
	                              "prompt", v, sizeof v), 0);
	assert_string_equal(v, "Condenser on?");
	assert_int_equal(proto_kv_get("still name=still1", "state", v, sizeof v), -1);
	assert_true(proto_is_final("ok"));
	assert_true(proto_is_final("ok 2 stills"));
	assert_true(proto_is_final("err no still named x"));
	assert_false(proto_is_final("okay"));
	assert_false(proto_is_final("still name=ok"));
	assert_false(proto_is_final("errors=3"));
	/* done, not yet recorded: the marker after "ok ", and only it */
	assert_string_equal(proto_unrecorded("unrecorded hold still1: done, not yet recorded"),
	                    "hold still1: done, not yet recorded");
	assert_null(proto_unrecorded("hold still1"));
	assert_null(proto_unrecorded("unrecordedx still1"));
	assert_null(proto_unrecorded(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words_and_quotes),
		cmocka_unit_test(test_split_escapes),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_append_round_trip),
		cmocka_unit_test(test_kv_and_final),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
