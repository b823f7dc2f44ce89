/*
 * 64.64 log2, exp2 and pow against references computed with 90 decimal
 * digits (Python decimal), within the bounds gc_fixed.h states.
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

static void test_log2(void **state)
{
    static const struct {
        __int128 x, want;
    } cases[] = {
        {(((__int128)1ULL << 64) | 0ULL), (((__int128)0ULL << 64) | 0ULL)},
        {(((__int128)2ULL << 64) | 0ULL), (((__int128)1ULL << 64) | 0ULL)},
        {(((__int128)0ULL << 64) | 9223372036854775808ULL), (-(((__int128)1ULL << 64) | 0ULL))},
        {(((__int128)3ULL << 64) | 0ULL), (((__int128)1ULL << 64) | 10790653543520307103ULL)},
        {(((__int128)10ULL << 64) | 0ULL), (((__int128)3ULL << 64) | 5938525176524057593ULL)},
        {(((__int128)1ULL << 64) | 9223372036854775808ULL),
         (((__int128)0ULL << 64) | 10790653543520307103ULL)},
        {(((__int128)0ULL << 64) | 18446744073709ULL),
         (-(((__int128)19ULL << 64) | 17184406985435589757ULL))},
        {(((__int128)123456ULL << 64) | 14554481074156836225ULL),
         (((__int128)16ULL << 64) | 16853805893118186870ULL)},
        {(((__int128)1ULL << 64) | 922337203685477580ULL),
         (((__int128)0ULL << 64) | 1298453917133043416ULL)},
        {(((__int128)3ULL << 64) | 2611874493396535413ULL),
         (((__int128)1ULL << 64) | 12017959886317146400ULL)},
    };
    __int128 got;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(gc_log2_64x64((gc_u128)cases[i].x, &got));
        /* within 2^-60: 16 units of 2^-64 */
        if (absdiff(got, cases[i].want) > 16)
            fail_msg("log2 case %zu off by %lld units", i, (long long)absdiff(got, cases[i].want));
    }
    assert_false(gc_log2_64x64(0, &got));
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
    };
    gc_u128 got;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(gc_exp2_64x64(cases[i].x, &got));
        expect_rel(got, (gc_u128)cases[i].want, 56, "exp2", i);
    }
    assert_true(gc_exp2_64x64(0, &got));
    assert_true(got == GC_FIXED_ONE);
    assert_false(gc_exp2_64x64((__int128)64 << 64, &got));
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
        expect_rel(got, (gc_u128)cases[i].want, 52, "pow", i);
        /* from a logarithm kept aside, the same bits */
        assert_true(gc_log2_64x64((gc_u128)cases[i].x, &l));
        assert_true(gc_pow_log2_64x64(l, cases[i].y, &again));
        assert_true(again == got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log2),
        cmocka_unit_test(test_exp2),
        cmocka_unit_test(test_pow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
