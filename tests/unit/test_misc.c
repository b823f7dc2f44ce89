/*
 * Unit tests for the small common modules: gc_hex (strict lowercase), gc_buf (growth, formatted
 * appends across the reallocation boundary, reuse), gc_map (thousands of keys, replacement,
 * sorted values), gc_device (strict registry records and their round trip) and gc_reading
 * (decoding readings and attestations, and the period, form, location, capacity and time
 * checks at their exact boundaries).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_device.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_map.h"
#include "gc_reading.h"
#include "gc_time.h"
#include "banned.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAP_KEYS     5000
#define HEX_ROUNDS   2000
#define PUBKEY_HEX   "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define ZEROS_64     "0000000000000000000000000000000000000000000000000000000000000000"

/* --- helpers ------------------------------------------------------------------------------ */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static json_t *load(const char *text)
{
    struct gc_fail f = {0};
    json_t *v = gc_json_parse_object(text, strlen(text), &f);

    if (v == NULL)
        fail_msg("test input '%s' does not parse: %s", text, f.detail);
    return v;
}

/* A copy of the record TEXT with member KEY set to the JSON VALUE, or removed if VALUE is NULL. */
static json_t *edited(const char *text, const char *key, const char *value)
{
    json_t *rec = load(text);

    if (value == NULL) {
        json_object_del(rec, key);
    } else {
        json_error_t err;
        json_t *v = json_loads(value, JSON_DECODE_ANY, &err);

        if (v == NULL)
            fail_msg("test value '%s' does not parse: %s", value, err.text);
        assert_int_equal(json_object_set_new(rec, key, v), 0);
    }
    return rec;
}

/* F must carry REASON and, when NAME is not NULL, mention it in the detail. */
static void expect_fail(const struct gc_fail *f, const char *reason, const char *name)
{
    if (f->reason == NULL || strcmp(f->reason, reason) != 0)
        fail_msg("reason '%s' (%s), want '%s'", f->reason ? f->reason : "(null)", f->detail,
                 reason);
    if (name != NULL && strstr(f->detail, name) == NULL)
        fail_msg("detail '%s' does not mention '%s'", f->detail, name);
}

static int64_t at_time(const char *text)
{
    int64_t t = 0;
    const char *why = gc_time_parse(text, strlen(text), &t);

    if (why != NULL)
        fail_msg("test time '%s': %s", text, why);
    return t;
}

/* --- gc_hex ------------------------------------------------------------------------------- */

static void test_hex_known(void **state)
{
    static const uint8_t bin[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
    uint8_t back[sizeof(bin)];
    char hex[2 * sizeof(bin) + 1];

    (void)state;
    gc_hex_encode(bin, sizeof(bin), hex);
    assert_string_equal(hex, "00017f80abcdefff");
    assert_true(gc_hex_decode(hex, strlen(hex), back, sizeof(back)));
    assert_memory_equal(back, bin, sizeof(bin));

    /* Nothing in, nothing out. */
    hex[0] = 'x';
    gc_hex_encode(bin, 0, hex);
    assert_string_equal(hex, "");
    assert_true(gc_hex_decode("", 0, back, 0));
}

static void test_hex_every_byte(void **state)
{
    (void)state;
    for (unsigned b = 0; b < 256; b++) {
        uint8_t in = (uint8_t)b, out = 0;
        char hex[3], want[3];

        gc_hex_encode(&in, 1, hex);
        snprintf(want, sizeof(want), "%02x", b);
        assert_string_equal(hex, want);
        assert_true(gc_hex_decode(hex, 2, &out, 1));
        assert_int_equal(out, b);
    }
}

static void test_hex_round_trip_random(void **state)
{
    uint8_t bin[100], back[101];
    char hex[201];

    (void)state;
    for (int round = 0; round < HEX_ROUNDS; round++) {
        size_t n = (size_t)(rng() % sizeof(bin));

        for (size_t i = 0; i < n; i++)
            bin[i] = (uint8_t)rng();
        memset(back, 0xa5, sizeof(back));
        gc_hex_encode(bin, n, hex);
        assert_int_equal(strlen(hex), 2 * n);
        assert_int_equal(strspn(hex, "0123456789abcdef"), 2 * n);
        assert_true(gc_hex_decode(hex, 2 * n, back, n));
        assert_memory_equal(back, bin, n);
        assert_int_equal(back[n], 0xa5); /* nothing written past N */
    }
}

static void test_hex_refuses(void **state)
{
    static const char bad_chars[] = "ABCDEFGabcxyz/:@`G \t\n\x7f\x80\xff-+";
    const char good[] = "0123456789abcdef0123456789abcdef";
    uint8_t out[16];
    char hex[sizeof(good)];

    (void)state;
    assert_true(gc_hex_decode(good, 32, out, 16));
    /* Wrong length: odd, short, long, for the N asked. */
    assert_false(gc_hex_decode(good, 31, out, 16));
    assert_false(gc_hex_decode(good, 30, out, 16));
    assert_false(gc_hex_decode(good, 32, out, 15));
    assert_false(gc_hex_decode(good, 1, out, 1));
    assert_false(gc_hex_decode(good, 3, out, 1));
    assert_false(gc_hex_decode(good, 0, out, 1));
    assert_false(gc_hex_decode("abc", 3, out, 2));
    /* Every bad character at every position, upper case included. */
    for (size_t c = 0; c < sizeof(bad_chars) - 1; c++) {
        if (strchr("0123456789abcdef", bad_chars[c]) != NULL)
            continue;
        for (size_t i = 0; i < 32; i++) {
            memcpy(hex, good, sizeof(good));
            hex[i] = bad_chars[c];
            if (gc_hex_decode(hex, 32, out, 16))
                fail_msg("'%s' decoded", hex);
        }
    }
    /* An embedded NUL is a bad character too. */
    assert_false(gc_hex_decode("ab\0d", 4, out, 2));
    assert_false(gc_hex_decode("DEADBEEF", 8, out, 4));
    assert_false(gc_hex_decode("deadbeeF", 8, out, 4));
    assert_true(gc_hex_decode("deadbeef", 8, out, 4));
}

/* --- gc_buf ------------------------------------------------------------------------------- */

static void expect_buf(const struct gc_buf *b, const char *want, size_t len)
{
    assert_non_null(b->ptr);
    assert_int_equal(b->len, len);
    assert_memory_equal(b->ptr, want, len);
    assert_int_equal(b->ptr[len], '\0');
    if (b->cap)
        assert_true(b->cap > b->len);
}

static void test_buf_init_forms(void **state)
{
    struct gc_buf a = GC_BUF_INIT, b, c = GC_BUF_INIT;

    (void)state;
    /* The static initializer: first use allocates. */
    gc_buf_adds(&a, "x");
    expect_buf(&a, "x", 1);
    gc_buf_release(&a);
    expect_buf(&a, "", 0);

    /* gc_buf_init: an empty string before any allocation. */
    gc_buf_init(&b);
    expect_buf(&b, "", 0);
    assert_int_equal(b.cap, 0);
    gc_buf_reset(&b);
    expect_buf(&b, "", 0);
    gc_buf_release(&b);
    gc_buf_release(&b); /* twice is harmless */
    expect_buf(&b, "", 0);

    /* Reset on the static initializer leaves a usable empty string. */
    gc_buf_reset(&c);
    expect_buf(&c, "", 0);
    gc_buf_add(&c, "", 0);
    expect_buf(&c, "", 0);
    gc_buf_release(&c);
}

static void test_buf_growth(void **state)
{
    struct gc_buf b = GC_BUF_INIT;
    char *want = malloc(1 << 20);
    size_t len = 0, step = 1, iter = 0;

    (void)state;
    assert_non_null(want);
    while (len + step <= (1 << 20)) {
        char chunk[4096];
        size_t n = step % sizeof(chunk);

        for (size_t i = 0; i < n; i++)
            chunk[i] = (char)('a' + (len + i) % 26);
        if (iter++ % 3 == 0) {
            for (size_t i = 0; i < n; i++)
                gc_buf_addc(&b, chunk[i]);
        } else {
            gc_buf_add(&b, chunk, n);
        }
        memcpy(want + len, chunk, n);
        len += n;
        assert_int_equal(b.len, len);
        assert_int_equal(b.ptr[b.len], '\0');
        assert_true(b.cap > b.len);
        step = step * 3 + 1;
        if (step > 5000)
            step = 1;
    }
    expect_buf(&b, want, len);
    assert_true(len > 500000);
    free(want);
    gc_buf_release(&b);
}

static void test_buf_grow_reserves(void **state)
{
    struct gc_buf b = GC_BUF_INIT;
    const char *before;

    (void)state;
    gc_buf_adds(&b, "head");
    gc_buf_grow(&b, 1000);
    assert_true(b.cap >= b.len + 1000 + 1);
    before = b.ptr;
    for (int i = 0; i < 1000; i++)
        gc_buf_addc(&b, 'x');
    /* The reservation held: no reallocation on the way. */
    assert_ptr_equal(b.ptr, before);
    assert_int_equal(b.len, 1004);
    assert_memory_equal(b.ptr, "headxxx", 7);
    /* Growing by nothing keeps a terminator slot. */
    gc_buf_grow(&b, 0);
    assert_true(b.cap > b.len);
    gc_buf_release(&b);
}

static void test_buf_addf(void **state)
{
    struct gc_buf b = GC_BUF_INIT;
    char *big = malloc(20001), *want = malloc(40100);

    (void)state;
    assert_non_null(big);
    assert_non_null(want);
    gc_buf_addf(&b, "%d-%s-%c", 42, "x", 'y');
    expect_buf(&b, "42-x-y", 6);
    gc_buf_addf(&b, "%s", "");
    expect_buf(&b, "42-x-y", 6);

    /* Long strings, much longer than the first 64-byte guess. */
    for (int i = 0; i < 20000; i++)
        big[i] = (char)('A' + i % 26);
    big[20000] = '\0';
    gc_buf_reset(&b);
    gc_buf_addf(&b, "<%s>", big);
    gc_buf_addf(&b, "[%.*s|%d]", 10000, big, -7);
    snprintf(want, 40100, "<%s>[%.*s|%d]", big, 10000, big, -7);
    expect_buf(&b, want, strlen(want));

    /* Every prefix and output length around the 64-byte first attempt and a power of two. */
    for (size_t p = 0; p < 140; p++) {
        for (size_t m = 0; m < 140; m++) {
            struct gc_buf c = GC_BUF_INIT;

            memset(want, 'p', p);
            gc_buf_add(&c, want, p);
            gc_buf_addf(&c, "%.*s", (int)m, big);
            memcpy(want + p, big, m);
            expect_buf(&c, want, p + m);
            gc_buf_release(&c);
        }
    }
    free(big);
    free(want);
    gc_buf_release(&b);
}

static void test_buf_reset_release_reuse(void **state)
{
    struct gc_buf b = GC_BUF_INIT;
    size_t cap;

    (void)state;
    for (int i = 0; i < 300; i++)
        gc_buf_addf(&b, "%03d,", i);
    assert_int_equal(b.len, 1200);
    cap = b.cap;
    gc_buf_reset(&b);
    expect_buf(&b, "", 0);
    assert_int_equal(b.cap, cap); /* storage kept */
    gc_buf_adds(&b, "again");
    expect_buf(&b, "again", 5);

    gc_buf_release(&b);
    expect_buf(&b, "", 0);
    assert_int_equal(b.cap, 0);
    gc_buf_adds(&b, "and again");
    gc_buf_addc(&b, '!');
    expect_buf(&b, "and again!", 10);
    gc_buf_release(&b);
    gc_buf_addf(&b, "%s", "after release");
    expect_buf(&b, "after release", 13);
    gc_buf_release(&b);
}

/* --- gc_map ------------------------------------------------------------------------------- */

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_map_basic(void **state)
{
    struct gc_map m = GC_MAP_INIT;
    int one = 1, two = 2, three = 3;
    char key_copy[] = "alpha";
    void **vals;

    (void)state;
    assert_null(gc_map_get(&m, "alpha"));
    vals = gc_map_sorted_values(&m);
    assert_non_null(vals);
    free(vals);

    gc_map_put(&m, "alpha", &one);
    gc_map_put(&m, "beta", &two);
    assert_int_equal(m.n, 2);
    assert_ptr_equal(gc_map_get(&m, "alpha"), &one);
    assert_ptr_equal(gc_map_get(&m, "beta"), &two);
    assert_null(gc_map_get(&m, "gamma"));
    assert_null(gc_map_get(&m, "alph"));
    assert_null(gc_map_get(&m, "alphaa"));
    assert_null(gc_map_get(&m, ""));

    /* Replacing by an equal key (another pointer) keeps the count. */
    gc_map_put(&m, key_copy, &three);
    assert_int_equal(m.n, 2);
    assert_ptr_equal(gc_map_get(&m, "alpha"), &three);

    /* The empty key is a key. */
    gc_map_put(&m, "", &one);
    assert_int_equal(m.n, 3);
    assert_ptr_equal(gc_map_get(&m, ""), &one);

    vals = gc_map_sorted_values(&m);
    assert_ptr_equal(vals[0], &one);   /* "" */
    assert_ptr_equal(vals[1], &three); /* "alpha" */
    assert_ptr_equal(vals[2], &two);   /* "beta" */
    free(vals);

    gc_map_release(&m);
    assert_int_equal(m.n, 0);
    assert_null(gc_map_get(&m, "alpha"));
    /* Reusable after release. */
    gc_map_put(&m, "beta", &two);
    assert_ptr_equal(gc_map_get(&m, "beta"), &two);
    assert_int_equal(m.n, 1);
    gc_map_release(&m);
}

static void test_map_many_keys(void **state)
{
    struct gc_map m = GC_MAP_INIT;
    char(*keys)[24] = calloc(MAP_KEYS, sizeof(*keys));
    const char **sorted = calloc(MAP_KEYS, sizeof(*sorted));
    size_t *ids = calloc(MAP_KEYS, sizeof(*ids));
    void **vals;

    (void)state;
    assert_non_null(keys);
    assert_non_null(sorted);
    assert_non_null(ids);
    for (size_t i = 0; i < MAP_KEYS; i++) {
        /* Similar keys, inserted out of order. */
        snprintf(keys[i], sizeof(keys[i]), "dev-%zu-%llx", (i * 7919) % MAP_KEYS,
                 (unsigned long long)(rng() & 0xff));
        ids[i] = i;
        gc_map_put(&m, keys[i], &ids[i]);
        assert_int_equal(m.n, i + 1);
        /* A power of two, at most three quarters full. */
        assert_int_equal(m.cap & (m.cap - 1), 0);
        assert_true(m.n * 4 <= m.cap * 3);
    }
    for (size_t i = 0; i < MAP_KEYS; i++)
        assert_ptr_equal(gc_map_get(&m, keys[i]), &ids[i]);
    assert_null(gc_map_get(&m, "dev-5000-0"));
    assert_null(gc_map_get(&m, "dev"));

    /* Replace every other value: the count stays. */
    for (size_t i = 0; i < MAP_KEYS; i += 2)
        gc_map_put(&m, keys[i], &ids[(i + 1) % MAP_KEYS]);
    assert_int_equal(m.n, MAP_KEYS);
    for (size_t i = 0; i < MAP_KEYS; i++)
        assert_ptr_equal(gc_map_get(&m, keys[i]), &ids[i % 2 ? i : (i + 1) % MAP_KEYS]);

    /* Values come out in strcmp order of their keys. */
    for (size_t i = 0; i < MAP_KEYS; i++)
        sorted[i] = keys[i];
    qsort(sorted, MAP_KEYS, sizeof(*sorted), cmp_str_ptr);
    vals = gc_map_sorted_values(&m);
    for (size_t i = 0; i < MAP_KEYS; i++)
        assert_ptr_equal(vals[i], gc_map_get(&m, sorted[i]));
    free(vals);

    gc_map_release(&m);
    free(keys);
    free(sorted);
    free(ids);
}

/* --- gc_device ---------------------------------------------------------------------------- */

static const char device_pv[] =
    "{\"type\":\"device\",\"v\":1,\"device\":\"pv-001\",\"class\":\"pv\",\"rated_w\":5000,"
    "\"zone\":\"de-1\",\"pubkey\":\"" PUBKEY_HEX "\",\"geohash\":\"u4pruydqqvj\","
    "\"owner\":\"acme\"}";

static const char device_battery[] =
    "{\"type\":\"device\",\"v\":1,\"device\":\"bat-001\",\"class\":\"battery\",\"rated_w\":"
    "10000,\"zone\":\"de-1\",\"pubkey\":\"" PUBKEY_HEX "\",\"efficiency_bps\":9000}";

static const char device_gpu[] =
    "{\"type\":\"device\",\"v\":1,\"device\":\"gpu-001\",\"class\":\"gpu\",\"rated_w\":700,"
    "\"zone\":\"de-1\",\"pubkey\":\"" PUBKEY_HEX "\",\"gpus\":8}";

static void test_device_valid(void **state)
{
    struct gc_fail f = {0};
    struct gc_device d;
    uint8_t pk[GC_PUBKEY_LEN];
    json_t *rec;

    (void)state;
    assert_true(gc_hex_decode(PUBKEY_HEX, 64, pk, sizeof(pk)));
    rec = load(device_pv);
    assert_true(gc_device_from_json(rec, &d, &f));
    assert_string_equal(d.id, "pv-001");
    assert_int_equal(d.cls, GC_CLASS_PV);
    assert_int_equal(d.rated_w, 5000);
    assert_string_equal(d.zone, "de-1");
    assert_memory_equal(d.pubkey, pk, sizeof(pk));
    assert_string_equal(d.geohash, "u4pruydqqvj");
    assert_int_equal(d.efficiency_bps, 0);
    assert_int_equal(d.gpus, 1); /* default */
    assert_string_equal(d.owner, "acme");
    json_decref(rec);

    rec = load(device_battery);
    assert_true(gc_device_from_json(rec, &d, &f));
    assert_int_equal(d.cls, GC_CLASS_BATTERY);
    assert_int_equal(d.efficiency_bps, 9000);
    assert_string_equal(d.geohash, "");
    assert_string_equal(d.owner, "");
    assert_int_equal(d.gpus, 1);
    json_decref(rec);

    rec = load(device_gpu);
    assert_true(gc_device_from_json(rec, &d, &f));
    assert_int_equal(d.cls, GC_CLASS_GPU);
    assert_int_equal(d.gpus, 8);
    json_decref(rec);
}

static void test_device_fields_at_limits(void **state)
{
    static const struct {
        const char *key, *value;
    } ok[] = {
        {"efficiency_bps", "1"},
        {"efficiency_bps", "10000"},
        {"gpus", "1"},
        {"gpus", "1048576"},
        {"rated_w", "1"},
        {"rated_w", "9223372036854775807"},
        {"geohash", "\"0\""},
        {"geohash", "\"u4pruydqqvjw\""}, /* 12, the longest */
        {"geohash", NULL},
        {"owner", NULL},
        {"device", "\"a123456789012345678901234567890123456789012345678901234567890123\""},
        {"source", "\"unknown fields are ignored\""},
    };
    struct gc_fail f = {0};
    struct gc_device d;

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
        json_t *rec = edited(device_pv, ok[i].key, ok[i].value);

        if (!gc_device_from_json(rec, &d, &f))
            fail_msg("%s = %s refused: %s", ok[i].key, ok[i].value ? ok[i].value : "(absent)",
                     f.detail);
        json_decref(rec);
    }
    for (int c = GC_CLASS_PV; c <= GC_CLASS_CHARGER; c++) {
        char value[32];
        json_t *rec;

        snprintf(value, sizeof(value), "\"%s\"", gc_class_name((enum gc_class)c));
        rec = edited(device_pv, "class", value);
        assert_true(gc_device_from_json(rec, &d, &f));
        assert_int_equal(d.cls, c);
        json_decref(rec);
    }
}

static void test_device_invalid(void **state)
{
    static const struct {
        const char *key, *value; /* NULL value: member removed */
    } bad[] = {
        {"type", "\"reading\""},
        {"type", NULL},
        {"v", "2"},
        {"v", "1.0"},
        {"device", "\"PV-001\""},
        {"device", "\"-pv\""},
        {"device", NULL},
        {"class", "\"solar\""},
        {"class", "\"PV\""},
        {"class", "\"\""},
        {"class", "1"},
        {"class", NULL},
        {"rated_w", "0"},
        {"rated_w", "-1"},
        {"rated_w", "5000.0"},
        {"rated_w", "\"5000\""},
        {"rated_w", NULL},
        {"zone", "\"DE\""},
        {"zone", NULL},
        {"pubkey", "\"" ZEROS_64 "0\""},
        {"pubkey", "\"3D4017C3E843895A92B70AA74D1B7EBC9C982CCF2EC4968CC0CD55F12AF4660C\""},
        {"pubkey", "\"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660\""},
        {"pubkey", "\"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660cc0\""},
        {"pubkey", "\"zd4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c\""},
        {"pubkey", NULL},
        {"efficiency_bps", "0"},
        {"efficiency_bps", "10001"},
        {"efficiency_bps", "-1"},
        {"efficiency_bps", "0.9"},
        {"gpus", "0"},
        {"gpus", "1048577"},
        {"gpus", "\"2\""},
        {"geohash", "\"\""},
        {"geohash", "\"u4pruydqqvjwx\""},
        {"geohash", "\"u4pa\""},
        {"geohash", "\"U4PRU\""},
        {"geohash", "5"},
        {"owner", "\"Acme\""},
        {"owner", "\"\""},
    };
    struct gc_device d;

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct gc_fail f = {0};
        json_t *rec = edited(device_pv, bad[i].key, bad[i].value);
        char name[40];

        if (gc_device_from_json(rec, &d, &f))
            fail_msg("%s = %s accepted", bad[i].key, bad[i].value ? bad[i].value : "(absent)");
        snprintf(name, sizeof(name), "'%s'", bad[i].key);
        expect_fail(&f, "bad_field", name);
        json_decref(rec);
    }
}

static void expect_device_round_trip(const char *text, const char *want_canon)
{
    struct gc_buf a = GC_BUF_INIT, b = GC_BUF_INIT;
    struct gc_fail f = {0};
    struct gc_device d1, d2;
    json_t *rec = load(text), *out;

    assert_true(gc_device_from_json(rec, &d1, &f));
    out = gc_device_to_json(&d1);
    assert_non_null(out);
    assert_true(gc_device_from_json(out, &d2, &f));
    assert_string_equal(d1.id, d2.id);
    assert_int_equal(d1.cls, d2.cls);
    assert_int_equal(d1.rated_w, d2.rated_w);
    assert_string_equal(d1.zone, d2.zone);
    assert_memory_equal(d1.pubkey, d2.pubkey, sizeof(d1.pubkey));
    assert_string_equal(d1.geohash, d2.geohash);
    assert_int_equal(d1.efficiency_bps, d2.efficiency_bps);
    assert_int_equal(d1.gpus, d2.gpus);
    assert_string_equal(d1.owner, d2.owner);

    gc_jcs_append(&a, out);
    if (want_canon == NULL)
        gc_jcs_append(&b, rec); /* the same record, member for member */
    else
        gc_buf_adds(&b, want_canon);
    assert_string_equal(a.ptr, b.ptr);
    json_decref(out);
    json_decref(rec);
    gc_buf_release(&a);
    gc_buf_release(&b);
}

static void test_device_round_trip(void **state)
{
    (void)state;
    expect_device_round_trip(device_pv, NULL);
    expect_device_round_trip(device_battery, NULL);
    expect_device_round_trip(device_gpu, NULL);
    /* A GPU meter always states its GPU count, the default included. */
    expect_device_round_trip("{\"type\":\"device\",\"v\":1,\"device\":\"g\",\"class\":\"gpu\","
                             "\"rated_w\":1,\"zone\":\"z\",\"pubkey\":\"" ZEROS_64 "\"}",
                             "{\"class\":\"gpu\",\"device\":\"g\",\"gpus\":1,\"pubkey\":\"" ZEROS_64
                             "\",\"rated_w\":1,\"type\":\"device\",\"v\":1,\"zone\":\"z\"}");
    /* Other classes only when not 1. */
    expect_device_round_trip("{\"type\":\"device\",\"v\":1,\"device\":\"a\",\"class\":\"asic\","
                             "\"rated_w\":3,\"zone\":\"z\",\"pubkey\":\"" ZEROS_64 "\",\"gpus\":1}",
                             "{\"class\":\"asic\",\"device\":\"a\",\"pubkey\":\"" ZEROS_64
                             "\",\"rated_w\":3,\"type\":\"device\",\"v\":1,\"zone\":\"z\"}");
}

static void test_device_class_and_geohash(void **state)
{
    enum gc_class c;

    (void)state;
    for (int i = GC_CLASS_PV; i <= GC_CLASS_CHARGER; i++) {
        const char *name = gc_class_name((enum gc_class)i);

        assert_non_null(name);
        assert_true(gc_class_parse(name, &c));
        assert_int_equal(c, i);
    }
    assert_null(gc_class_name((enum gc_class)(GC_CLASS_CHARGER + 1)));
    assert_false(gc_class_parse("Battery", &c));
    assert_false(gc_class_parse("", &c));
    assert_false(gc_class_parse("pv ", &c));

    assert_true(gc_geohash_valid("u"));
    assert_true(gc_geohash_valid("0123456789bc"));
    assert_true(gc_geohash_valid("defghjkmnpqr"));
    assert_true(gc_geohash_valid("stuvwxyz"));
    assert_false(gc_geohash_valid(""));
    assert_false(gc_geohash_valid("0123456789bcd"));
    assert_false(gc_geohash_valid("a"));
    assert_false(gc_geohash_valid("i"));
    assert_false(gc_geohash_valid("l"));
    assert_false(gc_geohash_valid("o"));
    assert_false(gc_geohash_valid("u4 p"));
    assert_false(gc_geohash_valid("U"));
}

/* --- gc_reading: decoding ----------------------------------------------------------------- */

static const char reading_pv[] = "{\"type\":\"reading\",\"v\":1,\"device\":\"pv-001\","
                                 "\"ts\":\"2026-11-01T10:00:00Z\",\"period_s\":300,"
                                 "\"energy_wh\":400}";

static const char reading_battery[] = "{\"type\":\"reading\",\"v\":1,\"device\":\"bat-001\","
                                      "\"ts\":\"2026-11-01T10:00:00Z\",\"period_s\":300,"
                                      "\"charge_wh\":10,\"discharge_wh\":20}";

static const char reading_gpu[] = "{\"type\":\"reading\",\"v\":1,\"device\":\"gpu-001\","
                                  "\"ts\":\"2026-11-01T10:00:00Z\",\"period_s\":300,"
                                  "\"energy_wh\":50,\"gpu_s\":2400,\"busy_s\":1200}";

static const char attestation_pv[] =
    "{\"type\":\"attestation\",\"v\":1,\"device\":\"pv-001\",\"ts\":\"2026-11-01T10:00:00Z\","
    "\"period_s\":300,\"energy_wh\":400,\"seq\":1,\"prev\":\"" ZEROS_64
    "\",\"sig\":\"" PUBKEY_HEX PUBKEY_HEX "\"}";

static void expect_parse_ok(json_t *rec, enum gc_reading_kind kind, struct gc_reading *r)
{
    struct gc_fail f = {0};

    if (!gc_reading_parse(rec, kind, r, &f))
        fail_msg("record refused: %s", f.detail);
}

static void expect_parse_bad(const char *text, const char *key, const char *value,
                             enum gc_reading_kind kind, const char *mention)
{
    struct gc_fail f = {0};
    struct gc_reading r;
    json_t *rec = edited(text, key, value);

    if (gc_reading_parse(rec, kind, &r, &f))
        fail_msg("%s = %s accepted", key, value ? value : "(absent)");
    expect_fail(&f, "bad_field", mention);
    json_decref(rec);
}

static void test_reading_parse_valid(void **state)
{
    struct gc_reading r;
    json_t *rec;

    (void)state;
    rec = load(reading_pv);
    expect_parse_ok(rec, GC_READING, &r);
    assert_string_equal(r.device, "pv-001");
    assert_int_equal(r.ts, 1793527200);
    assert_int_equal(r.period_s, 300);
    assert_true(r.has_energy);
    assert_int_equal(r.energy_wh, 400);
    assert_false(r.has_gpu_s);
    assert_null(r.zone);
    assert_null(r.geohash);
    json_decref(rec);

    rec = load(reading_battery);
    expect_parse_ok(rec, GC_READING, &r);
    assert_false(r.has_energy);
    assert_int_equal(r.charge_wh, 10);
    assert_int_equal(r.discharge_wh, 20);
    json_decref(rec);

    rec = load(reading_gpu);
    expect_parse_ok(rec, GC_READING, &r);
    assert_true(r.has_gpu_s);
    assert_int_equal(r.gpu_s, 2400);
    assert_int_equal(r.busy_s, 1200);
    json_decref(rec);

    /* busy_s equal to gpu_s, zero energy, zone and geohash. */
    rec = edited(reading_gpu, "busy_s", "2400");
    json_object_set_new(rec, "energy_wh", json_integer(0));
    json_object_set_new(rec, "zone", json_string("de-1"));
    json_object_set_new(rec, "geohash", json_string("u4pr"));
    expect_parse_ok(rec, GC_READING, &r);
    assert_int_equal(r.busy_s, 2400);
    assert_int_equal(r.energy_wh, 0);
    assert_string_equal(r.zone, "de-1");
    assert_string_equal(r.geohash, "u4pr");
    json_decref(rec);

    rec = load(attestation_pv);
    expect_parse_ok(rec, GC_ATTESTATION, &r);
    assert_int_equal(r.seq, 1);
    for (size_t i = 0; i < sizeof(r.prev); i++)
        assert_int_equal(r.prev[i], 0);
    assert_int_equal(r.sig[0], 0x3d);
    assert_int_equal(r.sig[63], 0x0c);
    json_decref(rec);
}

static void test_reading_parse_kind(void **state)
{
    (void)state;
    /* A reading must not carry the chain fields. */
    expect_parse_bad(reading_pv, "seq", "1", GC_READING, "'seq'");
    expect_parse_bad(reading_pv, "prev", "\"" ZEROS_64 "\"", GC_READING, "'prev'");
    expect_parse_bad(reading_pv, "sig", "\"00\"", GC_READING, "'sig'");
    expect_parse_bad(reading_pv, "sig", "null", GC_READING, "'sig'");
    /* The type decides which kind. */
    expect_parse_bad(attestation_pv, "type", "\"attestation\"", GC_READING, "'type'");
    expect_parse_bad(reading_pv, "type", "\"reading\"", GC_ATTESTATION, "'type'");
    /* An attestation needs all three, well formed. */
    expect_parse_bad(attestation_pv, "seq", NULL, GC_ATTESTATION, "'seq'");
    expect_parse_bad(attestation_pv, "seq", "0", GC_ATTESTATION, "'seq'");
    expect_parse_bad(attestation_pv, "seq", "1.0", GC_ATTESTATION, "'seq'");
    expect_parse_bad(attestation_pv, "prev", NULL, GC_ATTESTATION, "'prev'");
    expect_parse_bad(attestation_pv, "prev", "\"00\"", GC_ATTESTATION, "'prev'");
    expect_parse_bad(attestation_pv, "prev", "\"" PUBKEY_HEX "0\"", GC_ATTESTATION, "'prev'");
    expect_parse_bad(attestation_pv, "sig", NULL, GC_ATTESTATION, "'sig'");
    expect_parse_bad(attestation_pv, "sig", "\"" PUBKEY_HEX "\"", GC_ATTESTATION, "'sig'");
    expect_parse_bad(attestation_pv, "sig",
                     "\"3D4017C3E843895A92B70AA74D1B7EBC9C982CCF2EC4968CC0CD55F12AF4660C" PUBKEY_HEX
                     "\"",
                     GC_ATTESTATION, "'sig'");
}

static void test_reading_parse_energy(void **state)
{
    struct gc_fail f = {0};
    struct gc_reading r;
    json_t *rec;

    (void)state;
    /* energy_wh together with either battery field. */
    expect_parse_bad(reading_pv, "charge_wh", "0", GC_READING, "energy_wh");
    expect_parse_bad(reading_pv, "discharge_wh", "0", GC_READING, "energy_wh");
    expect_parse_bad(reading_battery, "energy_wh", "0", GC_READING, "energy_wh");
    /* Neither form. */
    expect_parse_bad(reading_pv, "energy_wh", NULL, GC_READING, "energy_wh");
    /* Half the battery form. */
    expect_parse_bad(reading_battery, "charge_wh", NULL, GC_READING, "'charge_wh'");
    expect_parse_bad(reading_battery, "discharge_wh", NULL, GC_READING, "'discharge_wh'");
    /* Negative, fractional, exponent, string. */
    expect_parse_bad(reading_pv, "energy_wh", "-1", GC_READING, "'energy_wh'");
    expect_parse_bad(reading_pv, "energy_wh", "1.0", GC_READING, "'energy_wh'");
    expect_parse_bad(reading_pv, "energy_wh", "1e3", GC_READING, "'energy_wh'");
    expect_parse_bad(reading_pv, "energy_wh", "\"1\"", GC_READING, "'energy_wh'");
    expect_parse_bad(reading_battery, "charge_wh", "-1", GC_READING, "'charge_wh'");
    expect_parse_bad(reading_battery, "discharge_wh", "-5", GC_READING, "'discharge_wh'");
    /* GPU time. */
    expect_parse_bad(reading_gpu, "busy_s", "2401", GC_READING, "'busy_s'");
    expect_parse_bad(reading_gpu, "gpu_s", NULL, GC_READING, "'busy_s'");
    rec = edited(reading_pv, "busy_s", "0");
    assert_false(gc_reading_parse(rec, GC_READING, &r, &f));
    expect_fail(&f, "bad_field", "'busy_s'");
    json_decref(rec);
    expect_parse_bad(reading_gpu, "gpu_s", "-1", GC_READING, "'gpu_s'");
    expect_parse_bad(reading_gpu, "busy_s", "-1", GC_READING, "'busy_s'");
    rec = edited(reading_gpu, "busy_s", NULL);
    assert_true(gc_reading_parse(rec, GC_READING, &r, &f));
    assert_int_equal(r.busy_s, 0);
    json_decref(rec);
}

static void test_reading_parse_other_fields(void **state)
{
    (void)state;
    expect_parse_bad(reading_pv, "v", "2", GC_READING, "'v'");
    expect_parse_bad(reading_pv, "v", NULL, GC_READING, "'v'");
    expect_parse_bad(reading_pv, "device", "\"PV-001\"", GC_READING, "'device'");
    expect_parse_bad(reading_pv, "device", NULL, GC_READING, "'device'");
    expect_parse_bad(reading_pv, "ts", "\"2026-11-01T10:00:00+01:00\"", GC_READING, "'ts'");
    expect_parse_bad(reading_pv, "ts", "\"2026-11-01T10:00:00.000Z\"", GC_READING, "'ts'");
    expect_parse_bad(reading_pv, "ts", "1793527200", GC_READING, "'ts'");
    expect_parse_bad(reading_pv, "period_s", "300.0", GC_READING, "'period_s'");
    expect_parse_bad(reading_pv, "period_s", NULL, GC_READING, "'period_s'");
    expect_parse_bad(reading_pv, "zone", "1", GC_READING, "'zone'");
    expect_parse_bad(reading_pv, "geohash", "null", GC_READING, "'geohash'");
}

/* --- gc_reading: checks ------------------------------------------------------------------- */

static struct gc_reading energy_reading(const char *ts, int64_t period_s, int64_t energy_wh)
{
    struct gc_reading r;

    memset(&r, 0, sizeof(r));
    r.device = "pv-001";
    r.ts = at_time(ts);
    r.period_s = period_s;
    r.has_energy = true;
    r.energy_wh = energy_wh;
    return r;
}

static struct gc_device device(enum gc_class cls, int64_t rated_w, const char *geohash)
{
    struct gc_device d;

    memset(&d, 0, sizeof(d));
    snprintf(d.id, sizeof(d.id), "dev-1");
    d.cls = cls;
    d.rated_w = rated_w;
    snprintf(d.zone, sizeof(d.zone), "de-1");
    snprintf(d.geohash, sizeof(d.geohash), "%s", geohash);
    d.gpus = 1;
    return d;
}

static void expect_period(const char *ts, int64_t period_s, bool want)
{
    struct gc_fail f = {0};
    struct gc_reading r = energy_reading(ts, period_s, 0);

    if (gc_reading_check_period(&r, &f) != want)
        fail_msg("%s + %lld s %s", ts, (long long)period_s, want ? "refused" : "accepted");
    if (!want)
        expect_fail(&f, "crosses_hour", NULL);
}

static void test_reading_check_period(void **state)
{
    (void)state;
    expect_period("2026-11-01T10:00:00Z", 0, false);
    expect_period("2026-11-01T10:00:00Z", -1, false);
    expect_period("2026-11-01T10:00:00Z", -300, false);
    expect_period("2026-11-01T10:00:00Z", 3601, false);
    expect_period("2026-11-01T10:00:00Z", INT64_MAX, false);
    expect_period("2026-11-01T10:00:00Z", 3600, true);
    expect_period("2026-11-01T10:00:00Z", 1, true);
    expect_period("2026-11-01T10:00:01Z", 3600, false);
    expect_period("2026-11-01T10:00:01Z", 3599, true);
    expect_period("2026-11-01T10:55:00Z", 300, true);
    expect_period("2026-11-01T10:58:00Z", 300, false);
    expect_period("2026-11-01T10:58:00Z", 120, true);
    expect_period("2026-11-01T10:58:00Z", 121, false);
    expect_period("2026-11-01T10:59:59Z", 1, true);
    expect_period("2026-11-01T10:59:59Z", 2, false);
    /* Before 1970 the remainder is negative: the hour is still the civil one. */
    expect_period("1969-12-31T23:55:00Z", 300, true);
    expect_period("1969-12-31T23:58:00Z", 300, false);
    expect_period("0001-01-01T00:00:00Z", 3600, true);
    expect_period("0001-01-01T00:00:01Z", 3600, false);
}

static void expect_capacity(const struct gc_reading *r, const struct gc_device *d,
                            int64_t slack_bps, bool want, const char *mention)
{
    struct gc_fail f = {0};

    if (gc_reading_check_capacity(r, d, slack_bps, &f) != want)
        fail_msg("energy %lld charge %lld discharge %lld gpu_s %lld, %lld W x %lld GPUs for "
                 "%lld s, slack %lld bps: %s",
                 (long long)r->energy_wh, (long long)r->charge_wh, (long long)r->discharge_wh,
                 (long long)r->gpu_s, (long long)d->rated_w, (long long)d->gpus,
                 (long long)r->period_s, (long long)slack_bps, want ? "refused" : "accepted");
    if (!want)
        expect_fail(&f, "over_capacity", mention);
}

static void test_reading_check_capacity(void **state)
{
    struct gc_device pv = device(GC_CLASS_PV, 5000, ""), bat = device(GC_CLASS_BATTERY, 5000, "");
    struct gc_device gpu = device(GC_CLASS_GPU, 5000, ""), big = device(GC_CLASS_PV, INT64_MAX, "");
    struct gc_reading r = energy_reading("2026-11-01T10:00:00Z", 300, 0);

    (void)state;
    /* 5000 W for 300 s is 416.67 Wh; 10 % slack makes 458.33 Wh. */
    r.energy_wh = 458;
    expect_capacity(&r, &pv, 1000, true, NULL);
    r.energy_wh = 459;
    expect_capacity(&r, &pv, 1000, false, "energy_wh");
    r.energy_wh = 416;
    expect_capacity(&r, &pv, 0, true, NULL);
    r.energy_wh = 417;
    expect_capacity(&r, &pv, 0, false, "energy_wh");
    /* Exactly at the limit is allowed: 3600 W for 3600 s is 3600 Wh. */
    r.period_s = 3600;
    pv.rated_w = 3600;
    r.energy_wh = 3600;
    expect_capacity(&r, &pv, 0, true, NULL);
    r.energy_wh = 3601;
    expect_capacity(&r, &pv, 0, false, "energy_wh");
    r.energy_wh = 3960;
    expect_capacity(&r, &pv, 1000, true, NULL);
    r.energy_wh = 3961;
    expect_capacity(&r, &pv, 1000, false, "energy_wh");
    r.energy_wh = 0;
    expect_capacity(&r, &pv, 0, true, NULL);
    /* One basis point of 36 MW for an hour is 3600 Wh: the slack is exact to the unit. */
    pv.rated_w = 36000000;
    r.energy_wh = 36003600;
    expect_capacity(&r, &pv, 1, true, NULL);
    r.energy_wh = 36003601;
    expect_capacity(&r, &pv, 1, false, "energy_wh");
    expect_capacity(&r, &pv, 2, true, NULL);
    pv.rated_w = 3600;

    /* Extremes compute exactly, without overflow. */
    r.energy_wh = INT64_MAX;
    expect_capacity(&r, &pv, 10000, false, "energy_wh");
    expect_capacity(&r, &big, 0, true, NULL);
    r.period_s = 1;
    expect_capacity(&r, &big, 0, false, "energy_wh");

    /* Batteries: charge and discharge each against the rating. */
    memset(&r, 0, sizeof(r));
    r.period_s = 300;
    r.charge_wh = 416;
    r.discharge_wh = 416;
    expect_capacity(&r, &bat, 0, true, NULL);
    r.charge_wh = 417;
    expect_capacity(&r, &bat, 0, false, "charge_wh");
    r.charge_wh = 0;
    r.discharge_wh = 417;
    expect_capacity(&r, &bat, 0, false, "discharge_wh");
    r.discharge_wh = 458;
    expect_capacity(&r, &bat, 1000, true, NULL);
    r.discharge_wh = 459;
    expect_capacity(&r, &bat, 1000, false, "discharge_wh");

    /* GPU-seconds: at most period_s x gpus. */
    r = energy_reading("2026-11-01T10:00:00Z", 300, 100);
    r.has_gpu_s = true;
    r.gpu_s = 300;
    expect_capacity(&r, &gpu, 0, true, NULL);
    r.gpu_s = 301;
    expect_capacity(&r, &gpu, 0, false, "gpu_s");
    gpu.gpus = 8;
    r.gpu_s = 2400;
    expect_capacity(&r, &gpu, 0, true, NULL);
    r.gpu_s = 2401;
    expect_capacity(&r, &gpu, 0, false, "gpu_s");
    /* Slack is for energy, not for GPU time. */
    expect_capacity(&r, &gpu, 1000, false, "gpu_s");
    r.gpu_s = INT64_MAX;
    expect_capacity(&r, &gpu, 0, false, "gpu_s");
    /* Without gpu_s there is nothing to compare. */
    r.has_gpu_s = false;
    r.gpu_s = 0;
    expect_capacity(&r, &gpu, 0, true, NULL);
}

static void test_reading_check_form(void **state)
{
    struct gc_device pv = device(GC_CLASS_PV, 5000, ""), bat = device(GC_CLASS_BATTERY, 5000, "");
    struct gc_reading energy = energy_reading("2026-11-01T10:00:00Z", 300, 1), battery;
    struct gc_fail f = {0};

    (void)state;
    battery = energy;
    battery.has_energy = false;
    battery.energy_wh = 0;
    battery.charge_wh = 1;
    assert_true(gc_reading_check_form(&energy, &pv, &f));
    assert_true(gc_reading_check_form(&battery, &bat, &f));
    /* A battery reporting energy_wh, another class reporting charge/discharge. */
    assert_false(gc_reading_check_form(&energy, &bat, &f));
    expect_fail(&f, "bad_field", "reports energy_wh");
    memset(&f, 0, sizeof(f));
    assert_false(gc_reading_check_form(&battery, &pv, &f));
    expect_fail(&f, "bad_field", "reports charge_wh");
    for (int c = GC_CLASS_PV; c <= GC_CLASS_CHARGER; c++) {
        struct gc_device d = device((enum gc_class)c, 1, "");

        assert_int_equal(gc_reading_check_form(&energy, &d, &f), c != GC_CLASS_BATTERY);
        assert_int_equal(gc_reading_check_form(&battery, &d, &f), c == GC_CLASS_BATTERY);
    }
}

static void expect_location(const char *zone, const char *geohash, const char *dev_geohash,
                            bool want)
{
    struct gc_device d = device(GC_CLASS_PV, 5000, dev_geohash);
    struct gc_reading r = energy_reading("2026-11-01T10:00:00Z", 300, 1);
    struct gc_fail f = {0};

    r.zone = zone;
    r.geohash = geohash;
    if (gc_reading_check_location(&r, &d, &f) != want)
        fail_msg("zone %s geohash %s against de-1 '%s': %s", zone ? zone : "(absent)",
                 geohash ? geohash : "(absent)", dev_geohash, want ? "refused" : "accepted");
    if (!want)
        expect_fail(&f, "zone_mismatch", NULL);
}

static void test_reading_check_location(void **state)
{
    (void)state;
    expect_location(NULL, NULL, "u4pru", true);
    expect_location("de-1", NULL, "u4pru", true);
    expect_location("de-2", NULL, "u4pru", false);
    expect_location("de-", NULL, "u4pru", false);
    expect_location("de-10", NULL, "u4pru", false);
    expect_location("DE-1", NULL, "u4pru", false);
    /* Geohashes agree when one is a prefix of the other, either way. */
    expect_location(NULL, "u4pru", "u4pru", true);
    expect_location(NULL, "u4p", "u4pru", true);
    expect_location(NULL, "u4pruydqqvj", "u4pru", true);
    expect_location("de-1", "u", "u4pruydqqvjw", true);
    expect_location(NULL, "u4prv", "u4pru", false);
    expect_location(NULL, "u4pz", "u4pru", false);
    expect_location(NULL, "v", "u4pru", false);
    expect_location(NULL, "u4pruydqqvk", "u4pruydqqvj", false);
    /* The zone is checked even when the geohash agrees, and the other way round. */
    expect_location("de-2", "u4pru", "u4pru", false);
    expect_location("de-1", "u5", "u4pru", false);
    /* No registered geohash: any location agrees. */
    expect_location(NULL, "s000", "", true);
}

static void test_reading_check_time(void **state)
{
    struct gc_reading r = energy_reading("2026-11-01T10:00:00Z", 300, 1);
    struct gc_fail f = {0};

    (void)state;
    assert_true(gc_reading_check_time(&r, at_time("2026-11-01T10:05:00Z"), &f));
    assert_true(gc_reading_check_time(&r, at_time("2026-11-02T00:00:00Z"), &f));
    assert_false(gc_reading_check_time(&r, at_time("2026-11-01T10:04:59Z"), &f));
    expect_fail(&f, "future", "2026-11-01T10:04:59Z");
    memset(&f, 0, sizeof(f));
    assert_false(gc_reading_check_time(&r, at_time("2026-11-01T10:00:00Z"), &f));
    expect_fail(&f, "future", NULL);
    memset(&f, 0, sizeof(f));
    assert_false(gc_reading_check_time(&r, at_time("1970-01-01T00:00:00Z"), &f));
    expect_fail(&f, "future", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_known),
        cmocka_unit_test(test_hex_every_byte),
        cmocka_unit_test(test_hex_round_trip_random),
        cmocka_unit_test(test_hex_refuses),
        cmocka_unit_test(test_buf_init_forms),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_grow_reserves),
        cmocka_unit_test(test_buf_addf),
        cmocka_unit_test(test_buf_reset_release_reuse),
        cmocka_unit_test(test_map_basic),
        cmocka_unit_test(test_map_many_keys),
        cmocka_unit_test(test_device_valid),
        cmocka_unit_test(test_device_fields_at_limits),
        cmocka_unit_test(test_device_invalid),
        cmocka_unit_test(test_device_round_trip),
        cmocka_unit_test(test_device_class_and_geohash),
        cmocka_unit_test(test_reading_parse_valid),
        cmocka_unit_test(test_reading_parse_kind),
        cmocka_unit_test(test_reading_parse_energy),
        cmocka_unit_test(test_reading_parse_other_fields),
        cmocka_unit_test(test_reading_check_period),
        cmocka_unit_test(test_reading_check_capacity),
        cmocka_unit_test(test_reading_check_form),
        cmocka_unit_test(test_reading_check_location),
        cmocka_unit_test(test_reading_check_time),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
