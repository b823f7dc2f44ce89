/*
 * The exact market arithmetic: 256-bit products, floor and ceiling division,
 * square roots, and the constant-product curve against the published
 * Uniswap v2 test vectors (tests/vectors/uniswap-v2.ndjson).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gc_test.h"

#include "gc_cp.h"
#include "gc_ray.h"
#include "gc_u128.h"

static gc_u128 u(const char *s)
{
    gc_u128 v = 0;

    if (!gc_u128_parse(s, strlen(s), &v))
        fail_msg("'%s' is not a u128", s);
    return v;
}

static gc_u128 field(const json_t *rec, const char *key)
{
    const json_t *v = json_object_get(rec, key);

    if (!json_is_string(v))
        fail_msg("vector field '%s' is missing", key);
    return u(json_string_value(v));
}

static void expect_u(gc_u128 got, gc_u128 want, const char *what)
{
    char a[41], b[41];

    if (got != want) {
        gc_u128_format(got, a);
        gc_u128_format(want, b);
        fail_msg("%s: got %s, want %s", what, a, b);
    }
}

static void test_wide_and_division(void **state)
{
    gc_u128 q;
    struct gc_u256 p;

    (void)state;
    p = gc_mul_wide(GC_U128_MAX, GC_U128_MAX); /* (2^128-1)^2 = 2^256 - 2^129 + 1 */
    expect_u(p.hi, GC_U128_MAX - 1, "hi of max^2");
    expect_u(p.lo, 1, "lo of max^2");
    assert_true(gc_mul_div_floor(GC_U128_MAX, GC_U128_MAX, GC_U128_MAX, &q));
    expect_u(q, GC_U128_MAX, "max*max/max");
    assert_true(gc_mul_div_floor(7, 3, 2, &q));
    expect_u(q, 10, "floor(21/2)");
    assert_true(gc_mul_div_ceil(7, 3, 2, &q));
    expect_u(q, 11, "ceil(21/2)");
    assert_true(gc_mul_div_ceil(6, 3, 2, &q));
    expect_u(q, 9, "ceil(18/2)");
    assert_false(gc_mul_div_floor(1, 1, 0, &q));
    assert_false(gc_mul_div_floor(GC_U128_MAX, 2, 1, &q)); /* quotient past 128 bits */
    /* against 128-bit arithmetic where it fits */
    srandom(7);
    for (int i = 0; i < 20000; i++) {
        gc_u128 a = (gc_u128)random() << 20 | (gc_u128)random(), b = (gc_u128)random() << 10,
                d = 1 + (gc_u128)random();

        assert_true(gc_mul_div_floor(a, b, d, &q));
        expect_u(q, a * b / d, "random floor");
        assert_true(gc_mul_div_ceil(a, b, d, &q));
        expect_u(q, (a * b + d - 1) / d, "random ceil");
    }
}

/*
 * Division takes fast paths (a product that fits, a power-of-two divisor, a
 * 64-bit divisor) before the long division by 64-bit digits: for random
 * operands of every shape, q x d + r must give back the product with r < d.
 */
static void test_division_paths(void **state)
{
    uint64_t s = 42;

    (void)state;
    for (int i = 0; i < 200000; i++) {
        gc_u128 a, b, d, q, r;
        struct gc_u256 p, back;
        int shape = i % 4;

        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        a = ((gc_u128)s << 64) | (s >> 7);
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        b = shape == 0 ? s >> (s % 64) : ((gc_u128)s << (s % 64)) | s;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        d = shape == 1   ? (gc_u128)1 << (64 + s % 64)
            : shape == 2 ? (s | 1) >> (s % 63)
                         : ((gc_u128)s << 64) | ~s;
        if (d == 0)
            d = 1;
        p = gc_mul_wide(a, b);
        if (p.hi >= d) {
            assert_false(gc_mul_divmod(a, b, d, &q, &r));
            continue;
        }
        assert_true(gc_mul_divmod(a, b, d, &q, &r));
        assert_true(r < d);
        back = gc_u256_add(gc_mul_wide(q, d), (struct gc_u256){0, r});
        assert_true(back.hi == p.hi && back.lo == p.lo);
    }
}

static void test_u256_text_and_apportion(void **state)
{
    struct gc_u256 v = {GC_U128_MAX, GC_U128_MAX}, w;
    const char *max =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    char buf[80];
    gc_u128 weights[3] = {1, 1, 1}, parts[3];

    (void)state;
    assert_int_equal(gc_u256_format(v, buf), 78);
    assert_string_equal(buf, max);
    assert_true(gc_u256_parse(max, strlen(max), &w));
    assert_true(w.hi == v.hi && w.lo == v.lo);
    assert_false(gc_u256_parse(
        "115792089237316195423570985008687907853269984665640564039457584007913129639936", 78, &w));
    assert_false(gc_u256_parse("1x", 2, &w));
    gc_u256_format((struct gc_u256){0, 0}, buf);
    assert_string_equal(buf, "0");
    /* written 19 digits at a time: the zeros inside a group stay */
    gc_u256_format((struct gc_u256){0, u("10000000000000000000")}, buf);
    assert_string_equal(buf, "10000000000000000000");
    gc_u256_format((struct gc_u256){0, u("9999999999999999999")}, buf);
    assert_string_equal(buf, "9999999999999999999");
    gc_u256_format((struct gc_u256){1, 5}, buf);
    assert_string_equal(buf, "340282366920938463463374607431768211461");
    /* 10 over three equal weights: 4 3 3, the odd unit to the lowest index */
    assert_true(gc_apportion_u128(10, weights, 3, parts));
    assert_true(parts[0] == 4 && parts[1] == 3 && parts[2] == 3);
    /* 128-bit totals: the parts still add up exactly */
    weights[0] = GC_U128_MAX / 3, weights[1] = 7, weights[2] = GC_U128_MAX / 5;
    assert_true(gc_apportion_u128(GC_U128_MAX / 2, weights, 3, parts));
    assert_true(parts[0] + parts[1] + parts[2] == GC_U128_MAX / 2);
    weights[1] = GC_U128_MAX;
    assert_false(gc_apportion_u128(1, weights, 3, parts)); /* the weights overflow */
}

static void test_isqrt(void **state)
{
    struct gc_u256 x = {0, 0};

    (void)state;
    expect_u(gc_isqrt256(x), 0, "sqrt 0");
    x.lo = 15;
    expect_u(gc_isqrt256(x), 3, "sqrt 15");
    x.lo = 16;
    expect_u(gc_isqrt256(x), 4, "sqrt 16");
    expect_u(gc_isqrt256(gc_mul_wide(GC_U128_MAX, GC_U128_MAX)), GC_U128_MAX, "sqrt max^2");
    x = gc_mul_wide(GC_U128_MAX, GC_U128_MAX);
    x.lo -= 1; /* max^2 - 1 */
    expect_u(gc_isqrt256(x), GC_U128_MAX - 1, "sqrt max^2-1");
    expect_u(gc_isqrt256(gc_mul_wide(u("1000000000000000000"), u("4000000000000000000"))),
             u("2000000000000000000"), "sqrt 4e36");
}

static void test_format_parse(void **state)
{
    char buf[41];
    gc_u128 v;

    (void)state;
    gc_u128_format(GC_U128_MAX, buf);
    assert_string_equal(buf, "340282366920938463463374607431768211455");
    assert_true(gc_u128_parse(buf, strlen(buf), &v));
    expect_u(v, GC_U128_MAX, "round trip");
    assert_false(gc_u128_parse("340282366920938463463374607431768211456", 39, &v));
    assert_false(gc_u128_parse("12a", 3, &v));
    assert_false(gc_u128_parse("", 0, &v));
}

/* Every vector of the file that the constant-product layer covers, by its "fn" or id. */
static void test_uniswap_vectors(void **state)
{
    const char *dir = gc_test_vectors();
    char path[512], line[4096];
    FILE *fp;
    int checked = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/uniswap-v2.ndjson", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp)) {
        json_error_t err;
        json_t *rec = json_loads(line, 0, &err);
        const char *id = json_string_value(json_object_get(rec, "id"));
        const char *fn = json_string_value(json_object_get(rec, "fn"));
        gc_u128 got, got2;

        assert_non_null(rec);
        if (fn != NULL && strcmp(fn, "getAmountOut") == 0) {
            json_t *fee = json_object_get(rec, "fee_bps");

            assert_true(gc_cp_amount_out(field(rec, "amount_in"), field(rec, "reserve_in"),
                                         field(rec, "reserve_out"),
                                         fee ? (unsigned)json_integer_value(fee) : 30, &got));
            expect_u(got, field(rec, "expect_out"), id);
            checked++;
        } else if (fn != NULL && strcmp(fn, "getAmountIn") == 0) {
            assert_true(gc_cp_amount_in(field(rec, "amount_out"), field(rec, "reserve_in"),
                                        field(rec, "reserve_out"), 30, &got));
            expect_u(got, field(rec, "expect_in"), id);
            checked++;
        } else if (fn != NULL && strcmp(fn, "quote") == 0) {
            json_t *cases = json_object_get(rec, "cases");

            for (size_t i = 0; i < json_array_size(cases); i++) {
                json_t *c = json_array_get(cases, i);

                assert_true(gc_cp_quote(u(json_string_value(json_array_get(c, 0))),
                                        u(json_string_value(json_array_get(c, 1))),
                                        u(json_string_value(json_array_get(c, 2))), &got));
                expect_u(got, u(json_string_value(json_array_get(c, 3))), id);
                checked++;
            }
        } else if (strcmp(id, "uv2-flash-ceil") == 0) {
            /* a same-token repay must cover ceil(out x 1000 / 997) */
            assert_true(gc_mul_div_ceil(field(rec, "amount_out"), 1000, 997, &got));
            expect_u(got, field(rec, "expect_min_in"), id);
            checked++;
        } else if (strcmp(id, "uv2-mint") == 0) {
            assert_true(
                gc_cp_mint_first(field(rec, "amount0"), field(rec, "amount1"), &got, &got2));
            expect_u(got, field(rec, "expect_total_supply"), id);
            expect_u(got - got2, field(rec, "expect_locked"), id);
            expect_u(got2, field(rec, "expect_to_user"), id);
            checked++;
        } else if (strcmp(id, "uv2-burn") == 0) {
            /* burning L of a pool with total supply L + 1000 returns L/(L+1000) of each reserve */
            gc_u128 burn = field(rec, "burn_liquidity"), r = u("3000000000000000000");

            assert_true(gc_mul_div_floor(burn, r, burn + GC_CP_MIN_LIQUIDITY, &got));
            expect_u(got, field(rec, "expect_out_each"), id);
            expect_u(r - got, field(rec, "expect_left_each"), id);
            checked++;
        } else if (strcmp(id, "uv2-twap-enc") == 0) {
            assert_true(gc_cp_price_uq112(field(rec, "reserve0"), field(rec, "reserve1"), &got));
            expect_u(got, field(rec, "expect_price0_uq112"), id);
            checked++;
        }
        json_decref(rec);
    }
    fclose(fp);
    /* 7 swaps and the small one out, the small one in, 2 quotes, flash, mint, burn, price */
    assert_int_equal(checked, 15);
}

/* |A - B| <= TOL */
static void expect_near(gc_u128 a, gc_u128 b, gc_u128 tol, const char *what)
{
    char x[41], y[41];

    if ((a > b ? a - b : b - a) > tol) {
        gc_u128_format(a, x);
        gc_u128_format(b, y);
        fail_msg("%s: %s is not within %lld of %s", what, x, (long long)tol, y);
    }
}

static void test_ray(void **state)
{
    gc_u128 z;

    (void)state;
    assert_true(gc_rmul(u("1050000000000000000000000000"), u("1050000000000000000000000000"), &z));
    expect_u(z, u("1102500000000000000000000000"), "1.05^2");
    /* half up: 1.5e-27 x 1 rounds to 2e-27 in rays, 1.4e-27 to 1e-27 */
    assert_true(gc_rmul(3, u("500000000000000000000000000"), &z));
    expect_u(z, 2, "rmul half up");
    assert_true(gc_rdiv(1, 3, &z));
    expect_u(z, u("333333333333333333333333333"), "1/3");
    assert_true(gc_rdiv(2, 3, &z));
    expect_u(z, u("666666666666666666666666667"), "2/3 rounds up");
    assert_false(gc_rdiv(1, 0, &z));
    assert_true(gc_rpow(u("1050000000000000000000000000"), 0, &z));
    expect_u(z, GC_RAY, "x^0");
    assert_true(gc_rpow(GC_RAY, 1000000, &z));
    expect_u(z, GC_RAY, "1^n");
    assert_true(gc_rpow(u("1050000000000000000000000000"), 2, &z));
    expect_u(z, u("1102500000000000000000000000"), "rpow 1.05^2");
    /*
     * Maker's 5 % a year as a per-second rate, over a day and a year, against
     * the exact powers computed with 80 decimal digits. Each squaring doubles
     * the relative error before it, so for x near 1 the error stays within
     * about n/2 units of 10^-27: the bound gc_ray.h states and this checks.
     */
    assert_true(gc_rpow(u("1000000001547125957863212448"), 86400, &z));
    expect_near(z, u("1000133680617113440350418105"), 86400 / 2, "per-second 5 % over a day");
    assert_true(gc_rpow(u("1000000001547125957863212448"), 31536000, &z));
    expect_near(z, u("1049999999999999999965368547"), 31536000 / 2, "per-second 5 % over a year");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wide_and_division),
        cmocka_unit_test(test_division_paths),
        cmocka_unit_test(test_u256_text_and_apportion),
        cmocka_unit_test(test_isqrt),
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_uniswap_vectors),
        cmocka_unit_test(test_ray),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
