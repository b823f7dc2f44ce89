/*
 * Unit tests for gc_reading's canonical attestations: gc_attestation_prepare and
 * gc_attestation_check_sig write the canonical bytes of a plain record from its decoded
 * fields, and must give exactly what the JSON walk gives (gc_attestation_link, then
 * gc_jcs_append_without), for every shape a reading may take: energy or charge and discharge,
 * with or without gpu_s, busy_s, zone and geohash, extreme integers, members in any order. A
 * record with a member gc_reading does not know, or a geohash with a NUL, is not plain and takes
 * the JSON walk.
 *
 * gc_reading_read_line reads a reading straight from its line: wherever it does, the general path
 * (UTF-8, gc_json_parse_object, gc_reading_parse) must read the same reading in the line, plain,
 * and the canonical attestation of either must be the same bytes. Lines of every shape, and random
 * readings with defects, go through both.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <sodium.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_json.h"
#include "gc_reading.h"
#include "gc_signed.h"
#include "gc_test.h"
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

/* Two decoded readings are the same: every field, the strings by their bytes. */
static void assert_same_reading(const struct gc_reading *a, const struct gc_reading *b)
{
    assert_string_equal(a->device, b->device);
    assert_int_equal(a->ts, b->ts);
    assert_memory_equal(a->ts_text, b->ts_text, GC_TIME_LEN + 1);
    assert_int_equal(a->period_s, b->period_s);
    assert_int_equal(a->has_energy, b->has_energy);
    assert_int_equal(a->energy_wh, b->energy_wh);
    assert_int_equal(a->charge_wh, b->charge_wh);
    assert_int_equal(a->discharge_wh, b->discharge_wh);
    assert_int_equal(a->has_gpu_s, b->has_gpu_s);
    assert_int_equal(a->has_busy_s, b->has_busy_s);
    assert_int_equal(a->gpu_s, b->gpu_s);
    assert_int_equal(a->busy_s, b->busy_s);
    assert_int_equal(a->zone == NULL, b->zone == NULL);
    if (a->zone != NULL)
        assert_string_equal(a->zone, b->zone);
    assert_int_equal(a->geohash == NULL, b->geohash == NULL);
    if (a->geohash != NULL)
        assert_string_equal(a->geohash, b->geohash);
    assert_int_equal(a->seq, b->seq);
    assert_memory_equal(a->prev, b->prev, GC_SHA256_LEN);
    assert_memory_equal(a->sig, b->sig, GC_SIG_LEN);
    assert_int_equal(a->plain, b->plain);
}

/*
 * LINE through gc_reading_read_line and through the general path. Where the first reads it, the
 * second must too, to the same plain reading, and the canonical attestations of both (and of the
 * JSON walk) must be the same bytes. Returns whether the line was read straight.
 */
static bool read_both(const char *line, size_t len)
{
    struct gc_buf fast = GC_BUF_INIT, slow = GC_BUF_INIT, walked = GC_BUF_INIT;
    uint8_t prev[GC_SHA256_LEN], h1[GC_SHA256_LEN], h2[GC_SHA256_LEN], h3[GC_SHA256_LEN];
    struct gc_reading_text text;
    struct gc_reading r, g;
    struct gc_fail f = {0};
    size_t at1, at2, at3;
    json_t *rec;

    memset(&text, 0x5a, sizeof(text)); /* no NUL to borrow but the ones it writes */
    if (!gc_reading_read_line(line, len, &r, &text))
        return false;
    if (!gc_utf8_valid(line, len))
        fail_msg("read straight, but not UTF-8: %.*s", (int)len, line);
    rec = gc_json_parse_object(line, len, &f);
    if (rec == NULL)
        fail_msg("read straight, but not a JSON object (%s): %.*s", f.detail, (int)len, line);
    if (!gc_reading_parse(rec, GC_READING, &g, &f))
        fail_msg("read straight, but refused (%s: %s): %.*s", f.reason, f.detail, (int)len, line);
    assert_true(r.plain);
    assert_same_reading(&r, &g);
    memset(prev, (int)len, sizeof(prev));
    gc_attestation_prepare(NULL, &r, 7, prev, &fast, &at1, h1);
    gc_attestation_prepare(rec, &g, 7, prev, &slow, &at2, h2);
    walk(rec, 7, prev, &walked, &at3, h3);
    assert_int_equal(fast.len, slow.len);
    assert_memory_equal(fast.ptr, slow.ptr, slow.len);
    assert_int_equal(fast.len, walked.len);
    assert_memory_equal(fast.ptr, walked.ptr, walked.len);
    assert_int_equal(at1, at2);
    assert_int_equal(at1, at3);
    assert_memory_equal(h1, h2, GC_SHA256_LEN);
    assert_memory_equal(h1, h3, GC_SHA256_LEN);
    json_decref(rec);
    gc_buf_release(&fast);
    gc_buf_release(&slow);
    gc_buf_release(&walked);
    return true;
}

#define R_HEAD "{\"type\":\"reading\",\"v\":1,\"device\":\"dev-1\",\"ts\":\"2026-11-01T10:00:00Z\","
#define R_BODY R_HEAD "\"period_s\":300,"

/* Lines, and whether gc_reading_read_line reads them (else the general path judges them). */
static const struct {
    const char *line;
    bool plain;
} line_cases[] = {
    {R_BODY "\"energy_wh\":81}", true},
    {R_BODY "\"energy_wh\":0,\"gpu_s\":600,\"busy_s\":600}", true},
    {R_BODY "\"charge_wh\":9223372036854775807,\"discharge_wh\":0}", true},
    {R_BODY "\"energy_wh\":1,\"zone\":\"de-50hz\",\"geohash\":\"u33dc0u33dc0\"}", true},
    {" {\t\"v\" : 1 ,\"ts\":\"2026-11-01T10:00:00Z\", \"energy_wh\":5,\"device\":\"a\","
     "\"period_s\":0,\"type\":\"reading\"}\r ",
     true},
    {"{\"zone\":\"" /* an id of 64 characters */
     "z123456789012345678901234567890123456789012345678901234567890123\","
     "\"type\":\"reading\",\"v\":1,\"device\":\"b\",\"ts\":\"2026-11-01T10:00:00Z\","
     "\"period_s\":300,\"energy_wh\":1}",
     true},
    /* valid, but the general path's to read: other members, escapes, signs, a repeat */
    {R_BODY "\"energy_wh\":1,\"source\":\"m\"}", false},
    {R_BODY "\"energy_wh\":1,\"seq\":1}", false},
    {R_BODY "\"energy_wh\":1,\"zone\":\"z\\u0030\"}", false},
    {"{\"type\":\"reading\",\"v\":1,\"device\":\"dev-1\",\"ts\":\"2026-11-01T10:00:00Z\","
     "\"period_s\":-300,\"energy_wh\":1}",
     false},
    /* refused by the general path */
    {R_BODY "\"energy_wh\":1,\"energy_wh\":1}", false},
    {R_BODY "\"energy_wh\":1.0}", false},
    {R_BODY "\"energy_wh\":1e1}", false},
    {R_BODY "\"energy_wh\":01}", false},
    {R_BODY "\"energy_wh\":-1}", false},
    {R_BODY "\"energy_wh\":9223372036854775808}", false},
    {R_BODY "\"energy_wh\":\"1\"}", false},
    {R_BODY "\"energy_wh\":true}", false},
    {R_BODY "\"energy_wh\":1,\"charge_wh\":1,\"discharge_wh\":1}", false},
    {R_BODY "\"energy_wh\":1,\"discharge_wh\":1}", false},
    {R_BODY "\"charge_wh\":1}", false},
    {R_BODY "\"discharge_wh\":1}", false},
    {R_BODY "\"gpu_s\":1}", false},
    {R_BODY "\"energy_wh\":1,\"busy_s\":1}", false},
    {R_BODY "\"energy_wh\":1,\"gpu_s\":1,\"busy_s\":2}", false},
    {R_BODY "\"energy_wh\":1,\"zone\":\"Z\"}", false},
    {R_BODY "\"energy_wh\":1,\"zone\":\"\"}", false},
    {R_BODY "\"energy_wh\":1,\"geohash\":\"u33dc0u33dc0u\"}", false},
    {R_BODY "\"energy_wh\":1,\"geohash\":\"ua\"}", false},
    {R_BODY "\"energy_wh\":1,\"geohash\":\"\"}", false},
    {"{\"type\":\"reading\",\"v\":2,\"device\":\"dev-1\",\"ts\":\"2026-11-01T10:00:00Z\","
     "\"period_s\":300,\"energy_wh\":1}",
     false},
    {"{\"type\":\"attestation\",\"v\":1,\"device\":\"dev-1\",\"ts\":\"2026-11-01T10:00:00Z\","
     "\"period_s\":300,\"energy_wh\":1}",
     false},
    {"{\"type\":\"reading\",\"v\":1,\"device\":\"-dev\",\"ts\":\"2026-11-01T10:00:00Z\","
     "\"period_s\":300,\"energy_wh\":1}",
     false},
    {"{\"type\":\"reading\",\"v\":1,\"device\":\"dev-1\",\"ts\":\"2026-11-01T10:00:00\","
     "\"period_s\":300,\"energy_wh\":1}",
     false},
    {"{\"type\":\"reading\",\"v\":1,\"device\":\"dev-1\",\"ts\":\"2026-11-31T10:00:00Z\","
     "\"period_s\":300,\"energy_wh\":1}",
     false},
    {R_HEAD "\"energy_wh\":1}", false},
    {R_BODY "\"energy_wh\":1,}", false},
    {R_BODY "\"energy_wh\":1}}", false},
    {R_BODY "\"energy_wh\":1} x", false},
    {R_BODY "\"energy_wh\":1", false},
    {R_BODY "\"energy_wh\" 1}", false},
    {"{}", false},
    {"[]", false},
    {"", false},
};

static void test_read_line_cases(void **state)
{
    for (size_t i = 0; i < sizeof(line_cases) / sizeof(*line_cases); i++) {
        bool plain = read_both(line_cases[i].line, strlen(line_cases[i].line));

        if (plain != line_cases[i].plain)
            fail_msg("line %zu is %sread straight: %s", i, plain ? "" : "not ", line_cases[i].line);
    }
}

static void test_read_line_nul(void **state)
{
    /* A NUL inside ends nothing: the line is the general path's, which refuses it. */
    static const char line[] = R_BODY "\"energy_wh\":1,\"zone\":\"z\0\"}";

    assert_false(read_both(line, sizeof(line) - 1));
}

static uint64_t rnd_state;

static uint64_t rnd(uint64_t n)
{
    return gc_test_rnd(&rnd_state, n);
}

/* A reading of random shape, members in random order, sometimes with a defect. */
static size_t random_line(char *out, size_t cap)
{
    static const char *const ids[] = {"dev-0001", "a", "gpu.7_x", "Dev", "", "-a", "z0"};
    static const char *const times[] = {"2026-11-01T10:55:00Z", "1970-01-01T00:00:00Z",
                                        "2026-02-29T00:00:00Z", "2026-11-01T10:55:00"};
    static const char *const geohashes[] = {"u33dc0", "u", "u33dc0u33dc0", "u33dc0u33dc0u", "ai"};
    static const char *const ints[] = {
        "0", "1", "300", "9223372036854775807", "9223372036854775808", "-1", "1.5", "\"7\""};
    char m[14][GC_TEST_MEMBER_CAP];
    int n = 0;

    snprintf(m[n++], sizeof(m[0]), "\"type\":\"%s\"", rnd(30) ? "reading" : "attestation");
    snprintf(m[n++], sizeof(m[0]), "\"v\":%d", rnd(30) ? 1 : 2);
    snprintf(m[n++], sizeof(m[0]), "\"device\":\"%s\"", ids[rnd(4) ? 0 : rnd(7)]);
    snprintf(m[n++], sizeof(m[0]), "\"ts\":\"%s\"", times[rnd(6) ? 0 : rnd(4)]);
    if (rnd(30) != 0)
        snprintf(m[n++], sizeof(m[0]), "\"period_s\":%s", rnd(4) ? "300" : ints[rnd(8)]);
    switch (rnd(5)) {
    case 0:
        snprintf(m[n++], sizeof(m[0]), "\"charge_wh\":%s", ints[rnd(5)]);
        if (rnd(10) != 0)
            snprintf(m[n++], sizeof(m[0]), "\"discharge_wh\":%s", ints[rnd(5)]);
        break;
    case 1:
        snprintf(m[n++], sizeof(m[0]), "\"energy_wh\":%s", ints[rnd(8)]);
        if (rnd(10) == 0)
            snprintf(m[n++], sizeof(m[0]), "\"%s\":1", rnd(2) ? "charge_wh" : "discharge_wh");
        break;
    default:
        snprintf(m[n++], sizeof(m[0]), "\"energy_wh\":%d", (int)rnd(6000));
    }
    if (rnd(3) == 0)
        snprintf(m[n++], sizeof(m[0]), "\"gpu_s\":%d", (int)rnd(700));
    if (rnd(4) == 0)
        snprintf(m[n++], sizeof(m[0]), "\"busy_s\":%d", (int)rnd(700));
    if (rnd(4) == 0)
        snprintf(m[n++], sizeof(m[0]), "\"zone\":\"%s\"", ids[rnd(7)]);
    if (rnd(4) == 0)
        snprintf(m[n++], sizeof(m[0]), "\"geohash\":\"%s\"", geohashes[rnd(5)]);
    if (rnd(20) == 0)
        snprintf(m[n++], sizeof(m[0]), "\"%s\":1", rnd(2) ? "seq" : "energy_wh");
    return gc_test_random_object(out, cap, m, n, 6, &rnd_state);
}

static void test_read_line_random(void **state)
{
    char line[2048];
    unsigned long plain = 0, general = 0;

    rnd_state = 1;
    for (int i = 0; i < 40000; i++) {
        size_t len = random_line(line, sizeof(line));

        if (read_both(line, len))
            plain++;
        else
            general++;
    }
    print_message("%lu lines read straight, %lu left to the general path\n", plain, general);
    assert_true(plain > 10000 && general > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_matches_walk),  cmocka_unit_test(test_check_sig_matches_walk),
        cmocka_unit_test(test_geohash_nul_not_plain), cmocka_unit_test(test_read_line_cases),
        cmocka_unit_test(test_read_line_nul),         cmocka_unit_test(test_read_line_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
