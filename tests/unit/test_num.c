/* Unit tests for gc_num: checked arithmetic at the int64/uint64 edges, strict parsing, formatting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include <stdbool.h>
#include <string.h>

#include "gc_num.h"
#include "banned.h"

/* Written into *out before every failing call: a failure must leave it alone. */
#define SENTINEL_I64 ((int64_t)0x5a5a5a5a5a5a5a5aLL)
#define SENTINEL_U64 ((uint64_t)0xa5a5a5a5a5a5a5a5ULL)

static void expect_add_i64(int64_t a, int64_t b, int64_t want)
{
    int64_t r = SENTINEL_I64;

    assert_true(gc_add_i64(a, b, &r));
    assert_int_equal(r, want);
}

static void expect_add_i64_overflow(int64_t a, int64_t b)
{
    int64_t r = SENTINEL_I64;

    assert_false(gc_add_i64(a, b, &r));
    assert_int_equal(r, SENTINEL_I64);
}

static void test_add_i64(void **state)
{
    (void)state;
    expect_add_i64(0, 0, 0);
    expect_add_i64(2, 3, 5);
    expect_add_i64(-2, -3, -5);
    expect_add_i64(INT64_MAX, 0, INT64_MAX);
    expect_add_i64(INT64_MAX - 1, 1, INT64_MAX);
    expect_add_i64(INT64_MIN, 0, INT64_MIN);
    expect_add_i64(INT64_MIN + 1, -1, INT64_MIN);
    expect_add_i64(INT64_MIN, INT64_MAX, -1);
    expect_add_i64(INT64_MAX, INT64_MIN, -1);
    expect_add_i64(INT64_MAX, -INT64_MAX, 0);

    expect_add_i64_overflow(INT64_MAX, 1);
    expect_add_i64_overflow(1, INT64_MAX);
    expect_add_i64_overflow(INT64_MAX, INT64_MAX);
    expect_add_i64_overflow(INT64_MIN, -1);
    expect_add_i64_overflow(-1, INT64_MIN);
    expect_add_i64_overflow(INT64_MIN, INT64_MIN);
    expect_add_i64_overflow(INT64_MAX / 2 + 1, INT64_MAX / 2 + 1);
}

static void expect_sub_i64(int64_t a, int64_t b, int64_t want)
{
    int64_t r = SENTINEL_I64;

    assert_true(gc_sub_i64(a, b, &r));
    assert_int_equal(r, want);
}

static void expect_sub_i64_overflow(int64_t a, int64_t b)
{
    int64_t r = SENTINEL_I64;

    assert_false(gc_sub_i64(a, b, &r));
    assert_int_equal(r, SENTINEL_I64);
}

static void test_sub_i64(void **state)
{
    (void)state;
    expect_sub_i64(5, 3, 2);
    expect_sub_i64(3, 5, -2);
    expect_sub_i64(INT64_MIN, INT64_MIN, 0);
    expect_sub_i64(INT64_MAX, INT64_MAX, 0);
    expect_sub_i64(-1, INT64_MAX, INT64_MIN);
    expect_sub_i64(0, INT64_MAX, -INT64_MAX);
    expect_sub_i64(INT64_MIN + 1, 1, INT64_MIN);
    expect_sub_i64(INT64_MAX - 1, -1, INT64_MAX);
    expect_sub_i64(-1, INT64_MIN, INT64_MAX);

    expect_sub_i64_overflow(0, INT64_MIN);
    expect_sub_i64_overflow(INT64_MIN, 1);
    expect_sub_i64_overflow(INT64_MAX, -1);
    expect_sub_i64_overflow(-2, INT64_MAX);
    expect_sub_i64_overflow(INT64_MAX, INT64_MIN);
    expect_sub_i64_overflow(INT64_MIN, INT64_MAX);
}

static void expect_mul_i64(int64_t a, int64_t b, int64_t want)
{
    int64_t r = SENTINEL_I64;

    assert_true(gc_mul_i64(a, b, &r));
    assert_int_equal(r, want);
}

static void expect_mul_i64_overflow(int64_t a, int64_t b)
{
    int64_t r = SENTINEL_I64;

    assert_false(gc_mul_i64(a, b, &r));
    assert_int_equal(r, SENTINEL_I64);
}

static void test_mul_i64(void **state)
{
    const int64_t two32 = INT64_C(1) << 32, two31 = INT64_C(1) << 31;

    (void)state;
    expect_mul_i64(0, INT64_MIN, 0);
    expect_mul_i64(INT64_MIN, 0, 0);
    expect_mul_i64(INT64_MIN, 1, INT64_MIN);
    expect_mul_i64(INT64_MAX, 1, INT64_MAX);
    expect_mul_i64(INT64_MAX, -1, -INT64_MAX);
    expect_mul_i64(-1, INT64_MAX, -INT64_MAX);
    expect_mul_i64(-two32, two31, INT64_MIN);
    expect_mul_i64(two32, -two31, INT64_MIN);
    expect_mul_i64(INT64_MIN / 2, 2, INT64_MIN);
    /* floor(sqrt(2^63 - 1)) = 3037000499: its square fits, the next one does not. */
    expect_mul_i64(3037000499LL, 3037000499LL, 9223372030926249001LL);
    expect_mul_i64(-3037000499LL, 3037000499LL, -9223372030926249001LL);
    expect_mul_i64(-7, -6, 42);

    expect_mul_i64_overflow(INT64_MIN, -1);
    expect_mul_i64_overflow(-1, INT64_MIN);
    expect_mul_i64_overflow(INT64_MIN, 2);
    expect_mul_i64_overflow(INT64_MAX, 2);
    expect_mul_i64_overflow(INT64_MAX, -2);
    expect_mul_i64_overflow(two32, two31);
    expect_mul_i64_overflow(-two32, -two31);
    expect_mul_i64_overflow(3037000500LL, 3037000500LL);
    expect_mul_i64_overflow(-3037000500LL, -3037000500LL);
    expect_mul_i64_overflow(INT64_MIN, INT64_MIN);
}

static void test_add_u64(void **state)
{
    uint64_t r;

    (void)state;
    assert_true(gc_add_u64(UINT64_MAX, 0, &r));
    assert_true(r == UINT64_MAX);
    assert_true(gc_add_u64(UINT64_MAX - 1, 1, &r));
    assert_true(r == UINT64_MAX);
    assert_true(gc_add_u64((uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1, &r));
    assert_true(r == UINT64_MAX);
    assert_true(gc_add_u64(0, 0, &r));
    assert_true(r == 0);

    r = SENTINEL_U64;
    assert_false(gc_add_u64(UINT64_MAX, 1, &r));
    assert_false(gc_add_u64(1, UINT64_MAX, &r));
    assert_false(gc_add_u64(UINT64_MAX, UINT64_MAX, &r));
    assert_false(gc_add_u64((uint64_t)1 << 63, (uint64_t)1 << 63, &r));
    assert_true(r == SENTINEL_U64);
}

static void test_mul_u64(void **state)
{
    const uint64_t two32 = (uint64_t)1 << 32;
    uint64_t r;

    (void)state;
    assert_true(gc_mul_u64(0, UINT64_MAX, &r));
    assert_true(r == 0);
    assert_true(gc_mul_u64(UINT64_MAX, 1, &r));
    assert_true(r == UINT64_MAX);
    /* (2^32 - 1)(2^32 + 1) = 2^64 - 1: the largest product that fits. */
    assert_true(gc_mul_u64(two32 - 1, two32 + 1, &r));
    assert_true(r == UINT64_MAX);
    assert_true(gc_mul_u64((uint64_t)1 << 63, 1, &r));
    assert_true(r == (uint64_t)1 << 63);

    r = SENTINEL_U64;
    assert_false(gc_mul_u64(two32, two32, &r));
    assert_false(gc_mul_u64(UINT64_MAX, 2, &r));
    assert_false(gc_mul_u64((uint64_t)1 << 63, 2, &r));
    assert_false(gc_mul_u64(UINT64_MAX, UINT64_MAX, &r));
    assert_true(r == SENTINEL_U64);
}

static void expect_parse(const char *s, int64_t min, int64_t max, int64_t want)
{
    int64_t v = SENTINEL_I64;
    const char *reason = gc_parse_i64(s, strlen(s), min, max, &v);

    if (reason != NULL)
        fail_msg("'%s' rejected: %s", s, reason);
    assert_int_equal(v, want);
}

static void expect_parse_reason(const char *s, size_t len, int64_t min, int64_t max,
                                const char *want)
{
    int64_t v = SENTINEL_I64;
    const char *reason = gc_parse_i64(s, len, min, max, &v);

    if (reason == NULL)
        fail_msg("'%.*s' accepted as %lld", (int)len, s ? s : "", (long long)v);
    assert_string_equal(reason, want);
    assert_int_equal(v, SENTINEL_I64);
}

static void expect_not_integer(const char *s)
{
    expect_parse_reason(s, strlen(s), INT64_MIN, INT64_MAX, "not an integer");
}

static void expect_out_of_range(const char *s, int64_t min, int64_t max)
{
    expect_parse_reason(s, strlen(s), min, max, "out of range");
}

static void test_parse_accepts(void **state)
{
    (void)state;
    expect_parse("0", INT64_MIN, INT64_MAX, 0);
    expect_parse("7", INT64_MIN, INT64_MAX, 7);
    expect_parse("-5", INT64_MIN, INT64_MAX, -5);
    expect_parse("10", INT64_MIN, INT64_MAX, 10);
    expect_parse("1000000", INT64_MIN, INT64_MAX, 1000000);
    expect_parse("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
    expect_parse("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
    expect_parse("-9223372036854775807", INT64_MIN, INT64_MAX, -INT64_MAX);
    expect_parse("9223372036854775806", INT64_MIN, INT64_MAX, INT64_MAX - 1);
    /* The bounds themselves are inside. */
    expect_parse("0", 0, 0, 0);
    expect_parse("1", 1, 10, 1);
    expect_parse("10", 1, 10, 10);
    expect_parse("-3", -3, -1, -3);
    expect_parse("9223372036854775807", INT64_MAX, INT64_MAX, INT64_MAX);
    expect_parse("-9223372036854775808", INT64_MIN, INT64_MIN, INT64_MIN);
}

static void test_parse_uses_len(void **state)
{
    int64_t v = SENTINEL_I64;

    (void)state;
    /* Only S[0..LEN) counts: the bytes after it are not part of the number. */
    assert_null(gc_parse_i64("123", 2, INT64_MIN, INT64_MAX, &v));
    assert_int_equal(v, 12);
    assert_null(gc_parse_i64("-42x", 3, INT64_MIN, INT64_MAX, &v));
    assert_int_equal(v, -42);
    assert_null(gc_parse_i64("0123", 1, INT64_MIN, INT64_MAX, &v));
    assert_int_equal(v, 0);
    /* An empty span is not a number, even with a NULL pointer. */
    expect_parse_reason(NULL, 0, INT64_MIN, INT64_MAX, "not an integer");
    expect_parse_reason("5", 0, INT64_MIN, INT64_MAX, "not an integer");
    /* An embedded NUL is just another non-digit. */
    expect_parse_reason("1\0", 2, INT64_MIN, INT64_MAX, "not an integer");
    expect_parse_reason("\0"
                        "1",
                        2, INT64_MIN, INT64_MAX, "not an integer");
}

static void test_parse_rejects_syntax(void **state)
{
    static const char *const bad[] = {
        "",    "-",     "+",     "+1",  "+0",  "--1",
        "-+1", "01",    "00",    "007", "-0",  "-00",
        "-01", " 1",    "1 ",    "\t1", "1\n", "- 1",
        "1.0", "1.",    ".5",    "1e3", "1E3", "0x10",
        "0b1", "1_000", "1,000", "a",   "1a",  "\xe2\x88\x9e",
        "NaN", "inf",   "0-",    "1-1", "--",  "00000000000000000000000000000001",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_not_integer(bad[i]);
    /* Syntax is checked before magnitude: a huge malformed number is malformed. */
    expect_not_integer("99999999999999999999999999x");
    expect_not_integer("-99999999999999999999999999.0");
}

static void test_parse_rejects_range(void **state)
{
    (void)state;
    expect_out_of_range("9223372036854775808", INT64_MIN, INT64_MAX);
    expect_out_of_range("9223372036854775809", INT64_MIN, INT64_MAX);
    expect_out_of_range("18446744073709551615", INT64_MIN, INT64_MAX);
    expect_out_of_range("18446744073709551616", INT64_MIN, INT64_MAX);
    expect_out_of_range("92233720368547758070", INT64_MIN, INT64_MAX);
    expect_out_of_range("-9223372036854775809", INT64_MIN, INT64_MAX);
    expect_out_of_range("-9223372036854775810", INT64_MIN, INT64_MAX);
    expect_out_of_range("-18446744073709551616", INT64_MIN, INT64_MAX);
    expect_out_of_range("100000000000000000000000000000000000000000000000000", INT64_MIN,
                        INT64_MAX);
    expect_out_of_range("-100000000000000000000000000000000000000000000000000", INT64_MIN,
                        INT64_MAX);
    /* One past each bound of a caller's range. */
    expect_out_of_range("0", 1, 10);
    expect_out_of_range("11", 1, 10);
    expect_out_of_range("-1", 0, INT64_MAX);
    expect_out_of_range("-4", -3, -1);
    expect_out_of_range("0", -3, -1);
    expect_out_of_range("9223372036854775807", INT64_MIN, INT64_MAX - 1);
    expect_out_of_range("-9223372036854775808", INT64_MIN + 1, INT64_MAX);
    /* An empty range (MIN > MAX) holds nothing. */
    expect_out_of_range("0", 1, 0);
    expect_out_of_range("5", 10, -10);
}

static void expect_fmt(int64_t v, const char *want)
{
    char buf[32];
    size_t n;

    memset(buf, 'x', sizeof(buf));
    n = gc_fmt_i64(v, buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_fmt(void **state)
{
    (void)state;
    expect_fmt(0, "0");
    expect_fmt(1, "1");
    expect_fmt(-1, "-1");
    expect_fmt(9, "9");
    expect_fmt(10, "10");
    expect_fmt(-10, "-10");
    expect_fmt(1793527200, "1793527200");
    expect_fmt(INT64_MAX, "9223372036854775807");
    expect_fmt(INT64_MIN, "-9223372036854775808");
    expect_fmt(INT64_MIN + 1, "-9223372036854775807");
}

static void test_fmt_fits_21_bytes(void **state)
{
    /* The header promises 21 bytes suffice: INT64_MIN is 20 characters plus NUL. */
    char buf[21 + 8];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(gc_fmt_i64(INT64_MIN, buf), 20);
    assert_int_equal(buf[20], '\0');
    for (size_t i = 21; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 'x');
}

static void check_round_trip(int64_t v)
{
    char buf[21];
    size_t n = gc_fmt_i64(v, buf);
    int64_t back = SENTINEL_I64;
    const char *reason = gc_parse_i64(buf, n, INT64_MIN, INT64_MAX, &back);

    if (reason != NULL)
        fail_msg("'%s' rejected: %s", buf, reason);
    assert_int_equal(back, v);
}

static void test_fmt_parse_round_trip(void **state)
{
    int64_t p = 1;

    (void)state;
    check_round_trip(0);
    check_round_trip(INT64_MAX);
    check_round_trip(INT64_MIN);
    /* Every power of ten and its neighbours, both signs: digit-count edges. */
    for (int i = 0; i <= 18; i++) {
        for (int64_t d = -1; d <= 1; d++) {
            check_round_trip(p + d);
            check_round_trip(-(p + d));
        }
        if (i < 18)
            p *= 10;
    }
    /* Powers of two and their neighbours up to 2^62. */
    for (int i = 0; i < 63; i++) {
        int64_t q = INT64_C(1) << i;

        check_round_trip(q - 1);
        check_round_trip(q);
        check_round_trip(-q);
        check_round_trip(-q + 1);
    }
    /* A pseudo-random spread (64-bit LCG) over the whole range. */
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 100000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        check_round_trip((int64_t)x);
        check_round_trip((int64_t)(x >> (x % 63)));
    }
}

/* Largest remainder: parts add up, ties go to the lower index, zero weights get nothing. */
static void test_apportion(void **state)
{
    int64_t out[5];

    (void)state;
    gc_apportion(1000, (int64_t[]){700, 700, 700}, 3, out);
    assert_int_equal(out[0], 334);
    assert_int_equal(out[1], 333);
    assert_int_equal(out[2], 333);
    gc_apportion(10, (int64_t[]){1, 0, 3, 3, 3}, 5, out);
    assert_int_equal(out[0], 1); /* 1, 0, 3, 3, 3 exactly */
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2] + out[3] + out[4], 9);
    gc_apportion(7, (int64_t[]){2, 3, 5}, 3, out); /* 1.4, 2.1, 3.5: the one left goes to the .5 */
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 4);
    gc_apportion(0, (int64_t[]){0, 0}, 2, out);
    assert_int_equal(out[0] + out[1], 0);
    srandom(99);
    for (int round = 0; round < 2000; round++) {
        int64_t w[5], total = random() % 1000000, sum = 0;

        for (int i = 0; i < 5; i++)
            w[i] = 1 + random() % 100000;
        gc_apportion(total, w, 5, out);
        for (int i = 0; i < 5; i++) {
            __int128 exact = (__int128)total * w[i];
            int64_t wsum = w[0] + w[1] + w[2] + w[3] + w[4];

            /* each part is its exact share rounded down or up */
            assert_true((__int128)out[i] * wsum <= exact + wsum);
            assert_true((__int128)out[i] * wsum >= exact - wsum);
            sum += out[i];
        }
        assert_int_equal(sum, total);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_i64),
        cmocka_unit_test(test_sub_i64),
        cmocka_unit_test(test_mul_i64),
        cmocka_unit_test(test_add_u64),
        cmocka_unit_test(test_mul_u64),
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_uses_len),
        cmocka_unit_test(test_parse_rejects_syntax),
        cmocka_unit_test(test_parse_rejects_range),
        cmocka_unit_test(test_fmt),
        cmocka_unit_test(test_fmt_fits_21_bytes),
        cmocka_unit_test(test_fmt_parse_round_trip),
        cmocka_unit_test(test_apportion),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
