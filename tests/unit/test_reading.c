/*
 * Unit tests for gc_reading's canonical attestations: gc_attestation_prepare and
 * gc_attestation_check_sig write the canonical bytes of a plain record from its decoded
 * fields, and must give exactly what the JSON walk gives (gc_attestation_link, then
 * gc_jcs_append_without), for every shape a reading may take: energy or charge and discharge,
 * with or without gpu_s, busy_s, zone and geohash, extreme integers, members in any order. A
 * record with a member gc_reading does not know, or a geohash with a NUL, is not plain and takes
 * the JSON walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_json.h"
#include "gc_reading.h"
#include "gc_signed.h"
#include "banned.h"

static const char *const readings[] = {
    "{\"type\":\"reading\",\"v\":1,\"device\":\"dev-0000\",\"ts\":\"2026-11-01T00:00:00Z\","
    "\"period_s\":300,\"energy_wh\":0}",
    "{\"type\":\"reading\",\"v\":1,\"device\":\"dev-0001\",\"ts\":\"2026-11-01T00:00:00Z\","
    "\"period_s\":300,\"energy_wh\":81,\"gpu_s\":600,\"busy_s\":301}",
    "{\"energy_wh\":9223372036854775807,\"period_s\":-9223372036854775808,\"v\":1,"
    "\"ts\":\"1970-01-01T00:00:00Z\",\"device\":\"a\",\"type\":\"reading\",\"gpu_s\":0}",
    "{\"zone\":\"de-50hz\",\"geohash\":\"u33dc0\",\"device\":\"b.t_1-x\",\"type\":\"reading\","
    "\"v\":1,\"ts\":\"2026-11-01T10:55:00Z\",\"period_s\":300,\"charge_wh\":12,"
    "\"discharge_wh\":3}",
    "{\"type\":\"reading\",\"v\":1,\"device\":\"gpu-7\",\"ts\":\"2026-11-01T10:55:00Z\","
    "\"period_s\":300,\"energy_wh\":5,\"gpu_s\":300,\"zone\":\"z0\"}",
    /* not plain: members gc_reading does not know */
    "{\"type\":\"reading\",\"v\":1,\"device\":\"dev-0001\",\"ts\":\"2026-11-01T00:00:00Z\","
    "\"period_s\":300,\"energy_wh\":81,\"source\":\"meter \\\"7\\\"\\n\"}",
    "{\"type\":\"reading\",\"v\":1,\"device\":\"dev-0001\",\"ts\":\"2026-11-01T00:00:00Z\","
    "\"period_s\":300,\"energy_wh\":81,\"a\":[1,{\"z\":null,\"b\":true}],\"\\u00e9\":1.5}",
};

/* The attestation bytes by the JSON walk: link REC (a copy), then serialize without sig. */
static void walk(const json_t *rec, int64_t seq, const uint8_t prev[GC_SHA256_LEN],
                 struct gc_buf *msg, size_t *sig_at, uint8_t hash[GC_SHA256_LEN])
{
    json_t *copy = json_deep_copy(rec);

    gc_attestation_link(copy, seq, prev);
    gc_signed_prepare(copy, msg, sig_at, hash);
    json_decref(copy);
}

static void test_prepare_matches_walk(void **state)
{
    struct gc_buf fast = GC_BUF_INIT, slow = GC_BUF_INIT;
    uint8_t prev[GC_SHA256_LEN], h1[GC_SHA256_LEN], h2[GC_SHA256_LEN];
    static const int64_t seqs[] = {1, 42, INT64_MAX};

    for (size_t i = 0; i < sizeof(readings) / sizeof(*readings); i++) {
        for (size_t k = 0; k < sizeof(seqs) / sizeof(*seqs); k++) {
            struct gc_fail f = {0};
            struct gc_reading r;
            size_t at1, at2;
            json_t *rec = gc_json_parse_object(readings[i], strlen(readings[i]), &f);

            assert_non_null(rec);
            if (!gc_reading_parse(rec, GC_READING, &r, &f))
                fail_msg("reading %zu: %s: %s", i, f.reason, f.detail);
            assert_int_equal(r.plain, i < 5);
            memset(prev, (int)(k * 0x5b + i), sizeof(prev));
            walk(rec, seqs[k], prev, &slow, &at2, h2);
            gc_attestation_prepare(rec, &r, seqs[k], prev, &fast, &at1, h1);
            assert_int_equal(fast.len, slow.len);
            assert_memory_equal(fast.ptr, slow.ptr, slow.len);
            assert_int_equal(at1, at2);
            assert_memory_equal(h1, h2, GC_SHA256_LEN);
            json_decref(rec);
        }
    }
    gc_buf_release(&fast);
    gc_buf_release(&slow);
}

/* Signed attestations check the same both ways, and a changed byte fails both ways. */
static void test_check_sig_matches_walk(void **state)
{
    struct gc_buf msg = GC_BUF_INIT, out = GC_BUF_INIT;
    uint8_t prev[GC_SHA256_LEN] = {7}, h1[GC_SHA256_LEN], h2[GC_SHA256_LEN], hash[GC_SHA256_LEN];
    struct gc_key key = {0};

    assert_int_equal(sodium_init() >= 0, 1);
    key.sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    assert_non_null(key.sk);
    crypto_sign_keypair(key.pk, key.sk);
    for (size_t i = 0; i < sizeof(readings) / sizeof(*readings); i++) {
        struct gc_fail f = {0};
        struct gc_reading r, a;
        size_t sig_at;
        json_t *rec = gc_json_parse_object(readings[i], strlen(readings[i]), &f), *att;

        assert_non_null(rec);
        assert_true(gc_reading_parse(rec, GC_READING, &r, &f));
        gc_attestation_prepare(rec, &r, 3, prev, &msg, &sig_at, hash);
        gc_signed_finish(&key, &msg, sig_at, &out);
        json_decref(rec);

        for (int flip = 0; flip < 2; flip++) {
            bool want = flip == 0;

            if (flip) { /* another hex digit: well-formed, but not the signature */
                char *c = strstr(out.ptr, "\"sig\":\"") + 7;

                *c = *c == '0' ? '1' : '0';
            }
            att = gc_json_parse_object(out.ptr, out.len, &f);
            assert_non_null(att);
            if (!gc_reading_parse(att, GC_ATTESTATION, &a, &f))
                fail_msg("attestation %zu: %s: %s", i, f.reason, f.detail);
            assert_int_equal(a.plain, i < 5);
            assert_int_equal(gc_attestation_check_sig(att, &a, key.pk, &msg, h1, &f), want);
            assert_int_equal(gc_signed_check(att, a.sig, key.pk, a.device, &msg, h2, &f), want);
            assert_memory_equal(h1, h2, GC_SHA256_LEN);
            assert_memory_equal(h1, hash, GC_SHA256_LEN);
            json_decref(att);
        }
    }
    sodium_free(key.sk);
    gc_buf_release(&msg);
    gc_buf_release(&out);
}

/* A geohash with a NUL in it (only a record built in memory holds one) is not plain. */
static void test_geohash_nul_not_plain(void **state)
{
    struct gc_fail f = {0};
    struct gc_reading r;
    json_t *rec = gc_json_parse_object(readings[0], strlen(readings[0]), &f);

    assert_non_null(rec);
    assert_int_equal(json_object_set_new(rec, "geohash", json_stringn("u33\0x", 5)), 0);
    assert_true(gc_reading_parse(rec, GC_READING, &r, &f));
    assert_false(r.plain);
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_matches_walk),
        cmocka_unit_test(test_check_sig_matches_walk),
        cmocka_unit_test(test_geohash_nul_not_plain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
