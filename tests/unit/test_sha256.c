/*
 * test_sha256: SHA-256 against the FIPS 180-4 / NIST CAVS example vectors,
 * and the streaming interface against the one-shot one.
 * links: common/sha256.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void check(const char *msg, const char *want)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(msg, strlen(msg), hex);
	assert_string_equal(hex, want);
}

/* NIST "SHA256.pdf" example: one block. */
static void test_abc(void **state)
{
	(void)state;
	check("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty(void **state)
{
	(void)state;
	check("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* NIST example: 448 bits, padding spills into a second block. */
static void test_two_blocks(void **state)
{
	(void)state;
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* FIPS 180-2 appendix C.3 style 896-bit message. */
static void test_896_bits(void **state)
{
	(void)state;
	check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	      "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', fed in uneven pieces. */
static void test_million_a(void **state)
{
	struct sha256 s;
	uint8_t digest[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN + 1];
	char chunk[997];
	size_t left = 1000000;

	(void)state;
	memset(chunk, 'a', sizeof chunk);
	sha256_init(&s);
	while (left > 0) {
		size_t n = left < sizeof chunk ? left : sizeof chunk;

		sha256_update(&s, chunk, n);
		left -= n;
	}
	sha256_final(&s, digest);
	sha256_to_hex(digest, hex);
	assert_string_equal(hex,
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every split of messages around the 55/56/64-byte padding edges gives
 * the one-shot digest. */
static void test_split_equals_oneshot(void **state)
{
	unsigned char msg[200];

	(void)state;
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len <= 130; len++) {
		char want[SHA256_HEX_LEN + 1];

		sha256_hex(msg, len, want);
		for (size_t cut = 0; cut <= len; cut++) {
			struct sha256 s;
			uint8_t digest[SHA256_DIGEST_LEN];
			char got[SHA256_HEX_LEN + 1];

			sha256_init(&s);
			sha256_update(&s, msg, cut);
			sha256_update(&s, msg + cut, len - cut);
			sha256_final(&s, digest);
			sha256_to_hex(digest, got);
			assert_string_equal(got, want);
		}
	}
}

/* Padding edge: 55 and 56 bytes (one and two final blocks). */
static void test_padding_edges(void **state)
{
	char a55[56], a56[57];

	(void)state;
	memset(a55, 'a', 55);
	a55[55] = '\0';
	memset(a56, 'a', 56);
	a56[56] = '\0';
	check(a55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	check(a56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_two_blocks),
		cmocka_unit_test(test_896_bits),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_split_equals_oneshot),
		cmocka_unit_test(test_padding_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
