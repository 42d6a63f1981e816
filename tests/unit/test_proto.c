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

/* proto_check of line: 0, or -1 with the sentence in cause. */
static int check(const char *line, char *cause, size_t cause_len)
{
	static struct proto_args a;

	cause[0] = '\0';
	if (proto_split(&a, line, cause, cause_len) < 0)
		return -1;
	return proto_check(&a, cause, cause_len);
}

/* lots=L1:200,L2:300: each lot's id and mass, in order. */
static void test_lots_parse(void **state)
{
	struct proto_lot lots[PROTO_LOTS_MAX];
	char cause[256];

	(void)state;
	assert_int_equal(proto_lots("L1:200,LOT-2/b_3.x:300.5", lots, PROTO_LOTS_MAX, cause,
	                            sizeof cause), 2);
	assert_string_equal(lots[0].lot_id, "L1");
	assert_true(lots[0].mass_kg == 200);
	assert_string_equal(lots[1].lot_id, "LOT-2/b_3.x");
	assert_true(lots[1].mass_kg == 300.5);
	assert_int_equal(proto_lots("L1:200", lots, PROTO_LOTS_MAX, cause, sizeof cause), 1);
}

/* A tired operator's lots=: every mistake is a sentence naming the lot. */
static void test_lots_refused(void **state)
{
	static const char *const bad[][2] = {
		{"L1:", "L1"},            {":200", "lot id"},
		{"L1:200,L1:100", "L1"},  {"L1:abc", "L1"},
		{"L1:1e999", "L1"},       {"L1:0", "L1"},
		{"L1:-5", "L1"},          {"L1", "L1"},
		{"", "lot"},              {"L1:200,", "lot id"},
		{"L 1:200", "L 1"},       {"L1:200:3", "L1"},
	};
	struct proto_lot lots[PROTO_LOTS_MAX];
	char cause[256];

	(void)state;
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		cause[0] = '\0';
		assert_int_equal(proto_lots(bad[k][0], lots, PROTO_LOTS_MAX, cause, sizeof cause),
		                 -1);
		if (strstr(cause, bad[k][1]) == NULL)
			fail_msg("lots=%s: '%s' does not name %s", bad[k][0], cause, bad[k][1]);
	}
}

/* The new verbs' numbers and arguments go through proto_check. */
static void test_check_new_verbs(void **state)
{
	static const char *const good[] = {
		"start s1 recipe=r lots=L1:200,L2:300 operator=a",
		"start s1 recipe=r lots=L1:200,L2:300 mass=500 operator=a",
		"start s1 recipe=r lot=L1 mass=500 operator=a",
		"lot-add L1 feedstock=f mass=10 grower=g origin=o part=leaf price=4500 "
		"organic_cert=VN-1 organic_body=Body gi=Yen operator=a",
		"lot-correct L1 moisture=12 oil_content=1.5 price=5000 why=lab operator=a",
		"drum-fill D1 batch=12 kg=3.5 tare=18 organic=1 operator=a",
		"ship D1 D2 D3 buyer=B doc=INV-1 date=2026-12-01 operator=a",
		"advance G vnd=500000 date=2026-12-01 operator=a",
	};
	static const char *const bad[][2] = {
		{"start s1 recipe=r lots=L1: operator=a", "L1"},
		{"start s1 recipe=r lots=:200 operator=a", "lot id"},
		{"start s1 recipe=r lots=L1:200,L1:100 operator=a", "L1"},
		{"start s1 recipe=r lot=L1 lots=L2:100 operator=a", "not both"},
		{"lot-add L1 feedstock=f mass=10 grower=g origin=o price=abc operator=a", "price"},
		{"lot-correct L1 moisture=120 why=x operator=a", "moisture"},
		{"lot-correct L1 oil_content=nan why=x operator=a", "oil content"},
		{"drum-fill D1 batch=12 kg=abc operator=a", "oil"},
		{"drum-fill D1 batch=12 kg=1e999 operator=a", "oil"},
		{"drum-fill D1 batch=12 kg=0 operator=a", "oil"},
		{"drum-fill D1 batch=x kg=1 operator=a", "batch"},
		{"drum-fill D1 batch=12 kg=1 tare=-1 operator=a", "tare"},
		{"drum-fill D1 batch=12 kg=1 organic=2 operator=a", "organic"},
		{"drum-fill D1 D2 batch=12 kg=1 operator=a", "drum-fill"},
		{"ship buyer=B doc=1 date=2026-12-01 operator=a", "ship"},
		{"advance G vnd=0 date=2026-12-01 operator=a", "advance"},
		{"advance G vnd=1.5 date=2026-12-01 operator=a", "advance"},
		{"advance G vnd=-100 date=2026-12-01 operator=a", "advance"},
	};
	char cause[256];

	(void)state;
	for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
		if (check(good[k], cause, sizeof cause) != 0)
			fail_msg("%s: refused: %s", good[k], cause);
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		if (check(bad[k][0], cause, sizeof cause) != -1)
			fail_msg("%s: passed", bad[k][0]);
		if (strstr(cause, bad[k][1]) == NULL)
			fail_msg("%s: '%s' does not name %s", bad[k][0], cause, bad[k][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words_and_quotes),
		cmocka_unit_test(test_split_escapes),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_append_round_trip),
		cmocka_unit_test(test_kv_and_final),
		cmocka_unit_test(test_lots_parse),
		cmocka_unit_test(test_lots_refused),
		cmocka_unit_test(test_check_new_verbs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
