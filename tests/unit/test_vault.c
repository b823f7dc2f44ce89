/*
 * Vault fee arithmetic (gc_vault) against Maker's jug: 5 % a day as the per-second duty
 * 1000000564701133626865910626 (the figure of Maker's own jug tests) makes a debt of
 * 100 grow by 5, 10.25 and 15.7625 after one, two and three days — here to the micro,
 * rounded up in favour of the reserve, with accumulators from an exact Python recomputation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "gc_ray.h"
#include "gc_vault.h"

static gc_u128 ray_of(const char *s)
{
    gc_u128 v = 0;

    assert_true(gc_u128_parse(s, strlen(s), &v));
    return v;
}

static void test_five_percent_a_day(void **state)
{
    static const struct {
        const char *rate;
        int64_t debt, fee;
    } days[] = {
        {"1050000000000000000000016038", 105000001, 5000001},
        {"1102500000000000000000033680", 110250001, 10250001},
        {"1157625000000000000000053046", 115762501, 15762501},
    };
    static const int64_t makers[] = {5000000, 10250000, 15762500};
    struct gc_fee fee = {.duty = ray_of("1000000564701133626865910626"), .rate = GC_RAY, .rho = 0};
    gc_u128 art, grown;
    struct gc_fail f;
    int64_t debt;

    (void)state;
    /* 100 units of the stablecoin, in micros, drawn at rate 1 */
    assert_true(gc_art_for_draw(100000000, fee.rate, &art));
    assert_true(art == 100000000);
    for (int d = 0; d < 3; d++) {
        assert_true(gc_drip(&fee, 86400 * (d + 1), &grown, &f));
        assert_true(fee.rate == ray_of(days[d].rate));
        assert_true(gc_debt_micros(art, fee.rate, &debt));
        assert_int_equal(debt, days[d].debt);
        assert_int_equal(debt - 100000000, days[d].fee);
        /* Maker's 5, 10.25, 15.7625, to one micro rounded for the reserve */
        assert_in_range(days[d].fee - makers[d], 0, 1);
    }
    /* Dripping twice in a second, or not at all, changes nothing. */
    assert_true(gc_drip(&fee, 3 * 86400, &grown, &f));
    assert_true(grown == 0);
    assert_false(gc_drip(&fee, 86400, &grown, &f));
    assert_string_equal(f.reason, "bad_number");
}

static void test_draw_and_repay_round_for_the_reserve(void **state)
{
    gc_u128 rate = ray_of("1050000000000000000000016038"), art;
    int64_t debt;

    (void)state;
    /* 1 000 000 micros drawn at 1.05: the art rounds up, and so does the debt */
    assert_true(gc_art_for_draw(1000000, rate, &art));
    assert_true(art == 952381); /* ceil(1e6 / 1.05) = ceil(952380.95) */
    assert_true(gc_debt_micros(art, rate, &debt));
    assert_int_equal(debt, 1000001); /* ceil(952381 x 1.05) = ceil(1000000.05) */
    /* repaying the same clears a little less art, never more */
    assert_true(gc_art_for_repay(1000000, rate, &art));
    assert_true(art == 952380);
    assert_false(gc_art_for_draw(-1, rate, &art));
    assert_false(gc_art_for_repay(1, 0, &art));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_five_percent_a_day),
        cmocka_unit_test(test_draw_and_repay_round_for_the_reserve),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
