/*
 * sha256: SHA-256 (FIPS 180-4), for the recipe hash stored with every batch
 * and for the audit trail's hash chain. Table of contents:
 *   struct sha256               streaming state
 *   sha256_init, sha256_update, sha256_final
 *   sha256_hex                  one-shot digest as 64 hex digits
 *   sha256_to_hex               32-byte digest to hex
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32                /* bytes */
#define SHA256_HEX_LEN (2 * SHA256_DIGEST_LEN) /* hex digits, without NUL */

struct sha256 {
	uint32_t h[8];          /* chaining value */
	uint64_t len_bytes;     /* message bytes taken so far */
	uint8_t block[64];      /* partial block */
	size_t n_block;         /* bytes in block */
};

/* Starts a new digest. */
void sha256_init(struct sha256 *s);

/* Adds len bytes at data (any split of a message gives the same digest). */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/* Finishes the digest into out; s must be re-initialised before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);

/* Writes the digest as 64 lowercase hex digits and a NUL into hex. */
void sha256_to_hex(const uint8_t digest[SHA256_DIGEST_LEN],
                   char hex[SHA256_HEX_LEN + 1]);

/* One shot: the hex digest of len bytes at data into hex (65 bytes). */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif
