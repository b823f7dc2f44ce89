/*
 * gc_sha256: FIPS 180-2 vectors, and the hardware path against libsodium on
 * every length around the padding boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gc_crypto.h"
#include "gc_hex.h"

static void expect_hex(const void *msg, size_t len, const char *want)
{
    uint8_t h[GC_SHA256_LEN];
    char hex[2 * GC_SHA256_LEN + 1];

    gc_sha256(msg, len, h);
    gc_hex_encode(h, sizeof(h), hex);
    assert_string_equal(hex, want);
}

static void test_fips_vectors(void **state)
{
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char *million = malloc(1000000);

    (void)state;
    expect_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect_hex(two_blocks, strlen(two_blocks),
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert_non_null(million);
    memset(million, 'a', 1000000);
    expect_hex(million, 1000000,
               "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* Every length from 0 to 300 and a few large ones, random bytes, against libsodium. */
static void test_matches_libsodium(void **state)
{
    uint8_t buf[70000], a[GC_SHA256_LEN], b[GC_SHA256_LEN];
    static const size_t big[] = {1023, 1024, 4095, 65536, 69999};

    (void)state;
    randombytes_buf(buf, sizeof(buf));
    for (size_t len = 0; len <= 300; len++) {
        gc_sha256(buf + (len & 7), len, a); /* unaligned starts too */
        crypto_hash_sha256(b, buf + (len & 7), len);
        assert_memory_equal(a, b, sizeof(a));
    }
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        gc_sha256(buf, big[i], a);
        crypto_hash_sha256(b, buf, big[i]);
        assert_memory_equal(a, b, sizeof(a));
    }
}

/* Says which path ran, so a log shows whether the hardware one was tested. */
static void test_report_path(void **state)
{
    (void)state;
    print_message("gc_sha256 uses %s\n", gc_sha256_hardware() ? "the SHA extensions" : "libsodium");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips_vectors),
        cmocka_unit_test(test_matches_libsodium),
        cmocka_unit_test(test_report_path),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
