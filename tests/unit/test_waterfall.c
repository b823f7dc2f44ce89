/*
 * The period waterfall (gc_waterfall) against hand computations: a good period, a short one
 * with arrears, a failed over-collateralisation test diverting cash to senior principal,
 * losses written down from the bottom, and conservation over random periods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "gc_waterfall.h"

/*
 * Three tranches for one week (604 800 s): senior 600 000 000 micros at 6 %, 20 000 000 due;
 * mezzanine 200 000 000 at 10 %, 5 000 000 due; junior 100 000 000, no coupon. The week's
 * interest, rounded down: 600e6 x 600 x 604800 / (10000 x 31536000) = 690 410 (690 410.96)
 * and 200e6 x 1000 x 604800 / (10000 x 31536000) = 383 561 (383 561.64).
 */
static void three(struct gc_wf_tranche t[3])
{
    memset(t, 0, 3 * sizeof(*t));
    t[0].balance_micros = 600000000;
    t[0].coupon_bps = 600;
    t[0].scheduled_micros = 20000000;
    t[1].balance_micros = 200000000;
    t[1].coupon_bps = 1000;
    t[1].scheduled_micros = 5000000;
    t[2].balance_micros = 100000000;
}

static const struct gc_wf_in week = {
    .collected_micros = 40000000,
    .servicer_fee_bps = 300,
    .period_s = 604800,
    .collateral_micros = 800000000,
    .min_oc_bps = 12500,
};

static void test_good_period(void **state)
{
    struct gc_wf_tranche t[3];
    struct gc_wf_out out;
    struct gc_fail f;

    (void)state;
    three(t);
    assert_true(gc_waterfall(&week, t, 3, &out, &f));
    /* 40 000 000 - 3 % = 38 800 000 to pay; 800e6 x 10000 >= 12500 x 600e6: OC holds */
    assert_int_equal(out.fee_micros, 1200000);
    assert_false(out.oc_failed);
    assert_int_equal(t[0].interest_paid_micros, 690410);
    assert_int_equal(t[0].principal_paid_micros, 20000000);
    assert_int_equal(t[1].interest_paid_micros, 383561);
    assert_int_equal(t[1].principal_paid_micros, 5000000);
    /* 38 800 000 - 690 410 - 20 000 000 - 383 561 - 5 000 000 */
    assert_int_equal(t[2].residual_micros, 12726029);
    assert_int_equal(t[0].balance_out_micros, 580000000);
    assert_int_equal(t[1].balance_out_micros, 195000000);
    assert_int_equal(t[2].balance_out_micros, 100000000);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(t[k].arrears_interest_out_micros, 0);
        assert_int_equal(t[k].arrears_principal_out_micros, 0);
    }
}

static void test_short_period_carries_arrears(void **state)
{
    struct gc_wf_in in = week;
    struct gc_wf_tranche t[3];
    struct gc_wf_out out;
    struct gc_fail f;

    (void)state;
    three(t);
    in.collected_micros = 20000000;
    assert_true(gc_waterfall(&in, t, 3, &out, &f));
    /* 19 400 000 after the fee: senior interest, then 18 709 590 of its 20 000 000 */
    assert_int_equal(out.fee_micros, 600000);
    assert_int_equal(t[0].principal_paid_micros, 18709590);
    assert_int_equal(t[0].arrears_principal_out_micros, 1290410);
    assert_int_equal(t[1].interest_paid_micros, 0);
    assert_int_equal(t[1].arrears_interest_out_micros, 383561);
    assert_int_equal(t[1].arrears_principal_out_micros, 5000000);
    assert_int_equal(t[2].residual_micros, 0);

    /* Next week, a good one: the arrears are paid before anything junior. */
    for (int k = 0; k < 3; k++) {
        t[k].balance_micros = t[k].balance_out_micros;
        t[k].arrears_interest_micros = t[k].arrears_interest_out_micros;
        t[k].arrears_principal_micros = t[k].arrears_principal_out_micros;
    }
    assert_true(gc_waterfall(&week, t, 3, &out, &f));
    /* senior: 581 290 410 x 600 x 604800 / 3.1536e11 = 668 882 (668 882.12) */
    assert_int_equal(t[0].interest_paid_micros, 668882);
    assert_int_equal(t[0].principal_paid_micros, 21290410);
    assert_int_equal(t[1].interest_paid_micros, 383561 + 383561);
    assert_int_equal(t[1].principal_paid_micros, 10000000);
    assert_int_equal(t[2].residual_micros, 38800000 - 668882 - 21290410 - 767122 - 10000000);
}

static void test_failed_oc_diverts_to_senior(void **state)
{
    struct gc_wf_in in = week;
    struct gc_wf_tranche t[3];
    struct gc_wf_out out;
    struct gc_fail f;

    (void)state;
    three(t);
    in.collateral_micros = 700000000; /* 7e12 < 12500 x 600e6 = 7.5e12 */
    assert_true(gc_waterfall(&in, t, 3, &out, &f));
    assert_true(out.oc_failed);
    assert_int_equal(t[0].principal_paid_micros, 38800000 - 690410);
    assert_int_equal(out.diverted_micros, 38800000 - 690410 - 20000000);
    assert_int_equal(t[1].interest_paid_micros, 0);
    assert_int_equal(t[1].arrears_interest_out_micros, 383561);
    assert_int_equal(t[2].residual_micros, 0);

    /* Interest coverage: cash after fee under 2x the senior interest fails it. */
    three(t);
    in = week;
    in.min_oc_bps = 0;
    in.min_ic_bps = 20000;
    in.collected_micros = 1400000; /* 1 358 000 after fee < 2 x 690 410 */
    assert_true(gc_waterfall(&in, t, 3, &out, &f));
    assert_true(out.ic_failed);
    assert_int_equal(t[0].principal_paid_micros, 1358000 - 690410);
}

static void test_losses_from_the_bottom(void **state)
{
    struct gc_wf_in in = week;
    struct gc_wf_tranche t[3];
    struct gc_wf_out out;
    struct gc_fail f;

    (void)state;
    three(t);
    in.loss_micros = 150000000;
    assert_true(gc_waterfall(&in, t, 3, &out, &f));
    assert_int_equal(t[2].written_down_micros, 100000000);
    assert_int_equal(t[1].written_down_micros, 50000000);
    assert_int_equal(t[0].written_down_micros, 0);
    /* the mezzanine's interest on what is left: 150e6 x 1000 x 604800 / 3.1536e11 */
    assert_int_equal(t[1].interest_due_micros, 287671);
    assert_int_equal(t[1].balance_out_micros, 145000000);
    assert_int_equal(out.loss_unabsorbed_micros, 0);

    three(t);
    in.loss_micros = 1000000000;
    assert_true(gc_waterfall(&in, t, 3, &out, &f));
    assert_int_equal(out.loss_unabsorbed_micros, 100000000);
    assert_int_equal(t[0].balance_out_micros, 0);
    assert_int_equal(t[2].residual_micros, 38800000); /* nothing owed: all is residual */
}

/* Conservation over random periods: fee + interest + principal + residual = collected. */
static void test_conservation(void **state)
{
    (void)state;
    srand(7);
    for (int run = 0; run < 2000; run++) {
        struct gc_wf_in in = week;
        struct gc_wf_tranche t[4];
        struct gc_wf_out out;
        struct gc_fail f;
        size_t n = (size_t)(rand() % 4) + 1;
        int64_t sum;

        memset(t, 0, sizeof(t));
        for (size_t k = 0; k < n; k++) {
            t[k].balance_micros = (int64_t)(rand() % 1000000) * 1000;
            t[k].coupon_bps = rand() % 3000;
            t[k].scheduled_micros = (int64_t)(rand() % 100000) * 100;
            t[k].arrears_interest_micros = rand() % 100000;
            t[k].arrears_principal_micros = rand() % 1000000;
        }
        in.collected_micros = (int64_t)(rand() % 100000) * 1000;
        in.loss_micros = (int64_t)(rand() % 4) * 100000000;
        in.collateral_micros = (int64_t)(rand() % 1000) * 1000000;
        in.min_ic_bps = rand() % 2 ? 15000 : 0;
        assert_true(gc_waterfall(&in, t, n, &out, &f));
        sum = out.fee_micros;
        for (size_t k = 0; k < n; k++) {
            sum += t[k].interest_paid_micros + t[k].principal_paid_micros + t[k].residual_micros;
            assert_true(t[k].balance_out_micros >= 0);
            assert_true(t[k].interest_paid_micros + t[k].arrears_interest_out_micros ==
                        t[k].interest_due_micros);
        }
        assert_int_equal(sum, in.collected_micros);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_period),
        cmocka_unit_test(test_short_period_carries_arrears),
        cmocka_unit_test(test_failed_oc_diverts_to_senior),
        cmocka_unit_test(test_losses_from_the_bottom),
        cmocka_unit_test(test_conservation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
