/*
 * 64.64 log2, exp2 and pow: against references computed with 90 decimal
 * digits (Python decimal), within the bounds gc_fixed.h states, and for
 * properties that hold exactly (powers of two, scaling) or nearly (a power
 * undoes a logarithm) on a large seeded sample.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "gc_fixed.h"

static __int128 absdiff(__int128 a, __int128 b)
{
    return a > b ? a - b : b - a;
}

/* splitmix64: a fixed sample, the same on every run */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A nonzero 128-bit value of a random length, so that every magnitude is sampled. */
static gc_u128 rng_value(uint64_t *s)
{
    gc_u128 v = (gc_u128)rng_next(s) << 64 | rng_next(s);
    int bits = 1 + (int)(rng_next(s) % 128);

    v >>= 128 - bits;
    return v | 1;
}

/* The wanted values are the exact ones rounded down to 2^-64. */
static void test_log2(void **state)
{
    static const struct {
        gc_u128 x;
        __int128 want;
    } cases[] = {
        {(((gc_u128)0ULL << 64) | 1ULL), (-(((__int128)64ULL << 64) | 0ULL))},
        {(((gc_u128)1ULL << 64) | 0ULL), (((__int128)0ULL << 64) | 0ULL)},
        {(((gc_u128)2ULL << 64) | 0ULL), (((__int128)1ULL << 64) | 0ULL)},
        {(((gc_u128)0ULL << 64) | 9223372036854775808ULL), (-(((__int128)1ULL << 64) | 0ULL))},
        {(((gc_u128)3ULL << 64) | 0ULL), (((__int128)1ULL << 64) | 10790653543520307103ULL)},
        {(((gc_u128)10ULL << 64) | 0ULL), (((__int128)3ULL << 64) | 5938525176524057593ULL)},
        {(((gc_u128)18446744073709551615ULL << 64) | 18446744073709551615ULL),
         (((__int128)63ULL << 64) | 18446744073709551615ULL)},
        {(((gc_u128)9223372036854775808ULL << 64) | 0ULL), (((__int128)63ULL << 64) | 0ULL)},
        {(((gc_u128)1ULL << 64) | 18446744073709551615ULL),
         (((__int128)0ULL << 64) | 18446744073709551615ULL)},
        {(((gc_u128)1ULL << 64) | 1ULL), (((__int128)0ULL << 64) | 1ULL)},
        {(((gc_u128)0ULL << 64) | 18446744073709551615ULL), (-(((__int128)0ULL << 64) | 2ULL))},
        {(((gc_u128)1ULL << 64) | 144115188075855872ULL),
         (((__int128)0ULL << 64) | 207106307442936367ULL)},
        {(((gc_u128)1ULL << 64) | 144115188075855872ULL),
         (((__int128)0ULL << 64) | 207106307442936367ULL)},
        {(((gc_u128)0ULL << 64) | 18446744073709ULL),
         (-(((__int128)19ULL << 64) | 17184406985435589757ULL))},
        {(((gc_u128)7ULL << 64) | 6614966517421309952ULL),
         (((__int128)2ULL << 64) | 16222637348980808034ULL)},
        {(((gc_u128)0ULL << 64) | 146108140711211945ULL),
         (-(((__int128)6ULL << 64) | 18081237037341414630ULL))},
        {(((gc_u128)10620ULL << 64) | 17960324728079178227ULL),
         (((__int128)13ULL << 64) | 6910674300392794942ULL)},
        {(((gc_u128)31656655089256ULL << 64) | 5990707912850640939ULL),
         (((__int128)44ULL << 64) | 15634981745846178954ULL)},
        {(((gc_u128)27288ULL << 64) | 5434249709447392789ULL),
         (((__int128)14ULL << 64) | 13576704290308932883ULL)},
        {(((gc_u128)0ULL << 64) | 4438583894524715ULL),
         (-(((__int128)12ULL << 64) | 386996282720109646ULL))},
        {(((gc_u128)68ULL << 64) | 2368140817443260417ULL),
         (((__int128)6ULL << 64) | 1663600002291725621ULL)},
        {(((gc_u128)1789972ULL << 64) | 10492995464924769683ULL),
         (((__int128)20ULL << 64) | 14231774615221870229ULL)},
        {(((gc_u128)0ULL << 64) | 6238209760368405ULL),
         (-(((__int128)11ULL << 64) | 9775787687190092517ULL))},
        {(((gc_u128)0ULL << 64) | 209040312719501ULL),
         (-(((__int128)16ULL << 64) | 7917812645258710706ULL))},
    };
    __int128 got;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(gc_log2_64x64(cases[i].x, &got));
        /*
         * The bound is one unit either side of the rounded-down value, off it only within 2^-75
         * of a unit's edge. These lie 2^-16 or more from one, or are exact, but for 2^128 - 1,
         * whose logarithm (a hair below 64) the function keeps below the whole number.
         */
        if (got != cases[i].want)
            fail_msg("log2 case %zu off by %lld units", i, (long long)absdiff(got, cases[i].want));
    }
    assert_false(gc_log2_64x64(0, &got));
}

/* log2 of 2^k is k exactly, and doubling the argument adds exactly 1. */
static void test_log2_exact(void **state)
{
    uint64_t seed = 1;
    __int128 got, twice;

    (void)state;
    for (int k = 0; k < 128; k++) {
        assert_true(gc_log2_64x64((gc_u128)1 << k, &got));
        assert_true(got == (__int128)(k - 64) * (__int128)GC_FIXED_ONE);
    }
    for (int i = 0; i < 100000; i++) {
        gc_u128 x = rng_value(&seed);

        if (x >> 127)
            continue;
        assert_true(gc_log2_64x64(x, &got));
        assert_true(gc_log2_64x64(x << 1, &twice));
        if (twice - got != (__int128)GC_FIXED_ONE)
            fail_msg("log2(2x) - log2(x) is not 1 at sample %d", i);
    }
}

/* |got - want| <= want x 2^-SHIFT, plus one unit for the final rounding */
static void expect_rel(gc_u128 got, gc_u128 want, int shift, const char *what, size_t i)
{
    gc_u128 diff = got > want ? got - want : want - got;

    if (diff > (want >> shift) + 1)
        fail_msg("%s case %zu: off by more than 2^-%d relative", what, i, shift);
}

static void test_exp2(void **state)
{
    static const struct {
        __int128 x, want;
    } cases[] = {
        {(((__int128)0ULL << 64) | 0ULL), (((__int128)1ULL << 64) | 0ULL)},
        {(((__int128)0ULL << 64) | 1ULL), (((__int128)1ULL << 64) | 0ULL)},
        {(-(((__int128)0ULL << 64) | 1ULL)), (((__int128)0ULL << 64) | 18446744073709551615ULL)},
        {(((__int128)0ULL << 64) | 18446744073709551615ULL),
         (((__int128)1ULL << 64) | 18446744073709551614ULL)},
        {(-(((__int128)64ULL << 64) | 0ULL)), (((__int128)0ULL << 64) | 1ULL)},
        {(-(((__int128)63ULL << 64) | 18446744073709551615ULL)), (((__int128)0ULL << 64) | 1ULL)},
        {(((__int128)63ULL << 64) | 18446744073709551615ULL),
         (((__int128)18446744073709551615ULL << 64) | 5660435428506895956ULL)},
        {(((__int128)63ULL << 64) | 0ULL), (((__int128)9223372036854775808ULL << 64) | 0ULL)},
        {(((__int128)0ULL << 64) | 9223372036854775808ULL),
         (((__int128)1ULL << 64) | 7640891576956012808ULL)},
        {(-(((__int128)0ULL << 64) | 9223372036854775808ULL)),
         (((__int128)0ULL << 64) | 13043817825332782212ULL)},
        {(((__int128)10ULL << 64) | 4611686018427387904ULL),
         (((__int128)1217ULL << 64) | 13799746611306002997ULL)},
        {(-(((__int128)3ULL << 64) | 13835058055282163712ULL)),
         (((__int128)0ULL << 64) | 1371062456318104877ULL)},
        {(((__int128)0ULL << 64) | 18446744073709551ULL),
         (((__int128)1ULL << 64) | 12790741066143786ULL)},
        {(((__int128)62ULL << 64) | 16602069666338596454ULL),
         (((__int128)8605710403603548214ULL << 64) | 7045307077626302774ULL)},
        {(-(((__int128)20ULL << 64) | 2305843009213693952ULL)),
         (((__int128)0ULL << 64) | 16132105731538ULL)},
        {(((__int128)26ULL << 64) | 1948750850279021998ULL),
         (((__int128)72207331ULL << 64) | 12824078360927617695ULL)},
        {(-(((__int128)54ULL << 64) | 13645946490434993914ULL)), (((__int128)0ULL << 64) | 613ULL)},
        {(-(((__int128)56ULL << 64) | 12984191728979413860ULL)), (((__int128)0ULL << 64) | 157ULL)},
        {(((__int128)22ULL << 64) | 8466539860223832327ULL),
         (((__int128)5765331ULL << 64) | 2779397932240767715ULL)},
        {(-(((__int128)29ULL << 64) | 15995618344616600599ULL)),
         (((__int128)0ULL << 64) | 18837334583ULL)},
        {(((__int128)54ULL << 64) | 14389346781200998345ULL),
         (((__int128)30934110146397984ULL << 64) | 14913046031565732071ULL)},
        {(((__int128)22ULL << 64) | 14250249114772802962ULL),
         (((__int128)7164862ULL << 64) | 6011601678902281107ULL)},
        {(-(((__int128)40ULL << 64) | 10506032956657344562ULL)),
         (((__int128)0ULL << 64) | 11305071ULL)},
        {(((__int128)62ULL << 64) | 10640521742656834ULL),
         (((__int128)4613530248997876166ULL << 64) | 14214381535486097254ULL)},
    };
    gc_u128 got;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(gc_exp2_64x64(cases[i].x, &got));
        expect_rel(got, (gc_u128)cases[i].want, 63, "exp2", i);
    }
    for (int k = -64; k < 64; k++) { /* whole powers are exact */
        assert_true(gc_exp2_64x64((__int128)k * (__int128)GC_FIXED_ONE, &got));
        assert_true(got == (gc_u128)1 << (k + 64));
    }
    assert_false(gc_exp2_64x64((__int128)64 << 64, &got));
    assert_true(gc_exp2_64x64(-((__int128)64 << 64) - 1, &got));
    assert_true(got == 0);
}

/* 2^log2(x) gives x back within the two functions' bounds, at every magnitude. */
static void test_round_trip(void **state)
{
    uint64_t seed = 2;

    (void)state;
    for (int i = 0; i < 100000; i++) {
        gc_u128 x = rng_value(&seed), back;
        __int128 l;

        assert_true(gc_log2_64x64(x, &l));
        assert_true(gc_exp2_64x64(l, &back));
        /* a unit of the logarithm moves the power by 2^-64 ln 2 of itself, the power errs 2^-63 */
        expect_rel(back, x, 62, "exp2(log2(x))", (size_t)i);
    }
}

static void test_pow(void **state)
{
    static const struct {
        __int128 x, y, want;
    } cases[] = {
        {(((__int128)1ULL << 64) | 922337203685477580ULL), (((__int128)365ULL << 64) | 0ULL),
         (((__int128)54211841ULL << 64) | 10659257818144328873ULL)},
        {(((__int128)2ULL << 64) | 0ULL), (((__int128)0ULL << 64) | 9223372036854775808ULL),
         (((__int128)1ULL << 64) | 7640891576956012808ULL)},
        {(((__int128)0ULL << 64) | 16602069666338596454ULL),
         (((__int128)12ULL << 64) | 9223372036854775808ULL),
         (((__int128)0ULL << 64) | 4942550216837076784ULL)},
        {(((__int128)7ULL << 64) | 9223372036854775808ULL),
         (-(((__int128)2ULL << 64) | 4611686018427387904ULL)),
         (((__int128)0ULL << 64) | 198167248731174415ULL)},
    };
    gc_u128 got;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        __int128 l;
        gc_u128 again;

        assert_true(gc_pow_64x64((gc_u128)cases[i].x, cases[i].y, &got));
        expect_rel(got, (gc_u128)cases[i].want, 56, "pow", i);
        /* from a logarithm kept aside, the same bits */
        assert_true(gc_log2_64x64((gc_u128)cases[i].x, &l));
        assert_true(gc_pow_log2_64x64(l, cases[i].y, &again));
        assert_true(again == got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log2), cmocka_unit_test(test_log2_exact),
        cmocka_unit_test(test_exp2), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_pow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
