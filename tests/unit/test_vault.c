/*
 * Vault arithmetic (gc_vault): mints refused over the ratio, the ceiling or under the minimum;
 * write-offs to bad debt; the solvency equation after every event of a random stream; and the
 * fee against Maker's jug: 5 % a day as the per-second duty
 * 1000000564701133626865910626 (the figure of Maker's own jug tests) makes a debt of
 * 100 grow by 5, 10.25 and 15.7625 after one, two and three days — here to the micro,
 * rounded up in favour of the reserve, with accumulators from an exact Python recomputation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
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

/* Two vaults at 150 %, a 1 000 000 000 micro ceiling, draws of at least 1 000 000. */
static void reserve(struct gc_reserve *r, struct gc_vault v[2])
{
    memset(r, 0, sizeof(*r));
    memset(v, 0, 2 * sizeof(*v));
    r->fee = (struct gc_fee){.duty = ray_of("1000000564701133626865910626"), .rate = GC_RAY};
    r->vaults = v;
    r->n = 2;
    r->liquidation_bps = 15000;
    r->ceiling_micros = 1000000000;
    r->min_draw_micros = 1000000;
    v[0].collateral_micros = 150000000;
    v[1].collateral_micros = 900000000;
}

static void test_mint_limits(void **state)
{
    struct gc_reserve r;
    struct gc_vault v[2];
    struct gc_fail f;

    (void)state;
    reserve(&r, v);
    /* 150 000 000 of collateral at 150 % carries 100 000 000 of debt, not a micro more. */
    assert_true(gc_reserve_draw(&r, 0, 100000000, &f));
    assert_false(gc_reserve_draw(&r, 0, 1000000, &f));
    assert_string_equal(f.reason, "over_ratio");
    assert_int_equal(v[0].debt_micros, 100000000);
    assert_int_equal(r.supply_micros, 100000000);
    assert_false(gc_reserve_draw(&r, 1, 999999, &f));
    assert_string_equal(f.reason, "under_minimum");
    assert_false(gc_reserve_draw(&r, 1, 900000001, &f));
    assert_string_equal(f.reason, "over_ceiling");
    assert_true(gc_reserve_check(&r, &f));
    /* A day at 5 % makes the full vault unsafe; the fee is surplus. */
    assert_true(gc_reserve_drip(&r, 86400, &f));
    assert_int_equal(v[0].debt_micros, 105000001);
    assert_int_equal(r.surplus_micros, 5000001);
    assert_false(gc_reserve_safe(&r, 0));
    assert_true(gc_reserve_check(&r, &f));
    /* The collateral written down to 60 000 000: 45 000 001 of bad debt. */
    v[0].collateral_micros = 60000000;
    assert_true(gc_reserve_write_off(&r, 0, &f));
    assert_int_equal(r.bad_debt_micros, 45000001);
    assert_int_equal(r.supply_micros, 40000000);
    assert_true(gc_reserve_check(&r, &f));
    assert_false(gc_reserve_write_off(&r, 1, &f));
    assert_string_equal(f.reason, "safe");
    /* The check is real: a micro of surplus out of place is caught. */
    r.surplus_micros++;
    assert_false(gc_reserve_check(&r, &f));
    assert_string_equal(f.reason, "insolvent");
}

/* A random stream of draws, repayments, drips, revaluations and write-offs: solvent after each. */
static void test_solvency_stream(void **state)
{
    struct gc_reserve r;
    struct gc_vault v[2];
    struct gc_fail f;
    int64_t now = 0, drawn = 0, repaid = 0, burned_bad = 0;

    (void)state;
    reserve(&r, v);
    r.ceiling_micros = INT64_MAX / 4;
    srand(11);
    for (int i = 0; i < 5000; i++) {
        size_t k = (size_t)(rand() % 2);
        int64_t m = (int64_t)(rand() % 50000000) + 1;

        switch (rand() % 6) {
        case 0:
        case 1:
            if (gc_reserve_draw(&r, k, m, &f))
                drawn += m;
            break;
        case 2:
            if (v[k].debt_micros > 0) {
                m = m % v[k].debt_micros + 1;
                assert_true(gc_reserve_repay(&r, k, m, &f));
                repaid += m;
            }
            break;
        case 3:
            now += rand() % 7200;
            assert_true(gc_reserve_drip(&r, now, &f));
            break;
        case 4:
            v[k].collateral_micros = (int64_t)(rand() % 400000000);
            break;
        default:
            if (!gc_reserve_safe(&r, k)) {
                int64_t before = r.supply_micros;

                assert_true(gc_reserve_write_off(&r, k, &f));
                burned_bad += before - r.supply_micros;
            }
        }
        if (!gc_reserve_check(&r, &f))
            fail_msg("event %d: %s: %s", i, f.reason, f.detail);
        /* Supply is exactly what was drawn less what was repaid or burned. */
        assert_int_equal(r.supply_micros, drawn - repaid - burned_bad);
    }
    assert_true(r.surplus_micros > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_five_percent_a_day),
        cmocka_unit_test(test_draw_and_repay_round_for_the_reserve),
        cmocka_unit_test(test_mint_limits),
        cmocka_unit_test(test_solvency_stream),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
