/*
 * The arithmetic of gc-issue packages (gc_package): the NAV against a hand
 * computation and an independent exact one, and the tranche tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "gc_json.h"
#include "gc_package.h"
#include "gc_terms.h"
#include "gc_ray.h"

/* 10 GPUs' worth of green GPU-seconds an hour at 2 USD, 80 % sold, a 5 % servicer fee. */
static const struct gc_valuation_in base = {
    .gpu_s_per_hour = 36000,
    .price_micros = 2000000,
    .utilization_bps = 8000,
    .servicer_fee_bps = 500,
    .discount_bps = 0,
    .hours = 24,
};

static void test_nav_undiscounted(void **state)
{
    struct gc_valuation v;
    struct gc_fail f;

    (void)state;
    assert_true(gc_package_value(&base, &v, &f));
    /* 36000 x 2 000 000 / 3600 = 20 000 000; x 80 % = 16 000 000; less 5 % = 15 200 000 */
    assert_int_equal(v.cash_micros_per_hour, 15200000);
    assert_true(v.rate_per_second_ray == GC_RAY);
    assert_int_equal(v.nav_micros, 15200000LL * 24);
    assert_int_equal(v.undiscounted_micros, v.nav_micros);
}

/*
 * At 10 % a year: the rate per second is 1 + 0.1 / 31 536 000 as a ray
 * rounded down, and the NAV the sum over hours of floor(cash x RAY /
 * rpow(rate, 3600 h)) — numbers from an exact Python recomputation with
 * Maker's rpow rounding.
 */
static void test_nav_discounted(void **state)
{
    struct gc_valuation_in in = base;
    struct gc_valuation v;
    struct gc_fail f;

    (void)state;
    in.discount_bps = 1000;
    assert_true(gc_package_value(&in, &v, &f));
    assert_true(v.rate_per_second_ray ==
                GC_RAY + (gc_u128)3170979198376458650ULL); /* 1.000000003170979198376458650 */
    assert_int_equal(v.nav_micros, 364747936);
    assert_true(v.nav_micros < v.undiscounted_micros);

    /* A year of 1 000 000 micros an hour: about 8760 / (1 + 0.1 / 2) */
    in.gpu_s_per_hour = 3600;
    in.price_micros = 1000000;
    in.utilization_bps = 10000;
    in.servicer_fee_bps = 0;
    in.hours = 8760;
    assert_true(gc_package_value(&in, &v, &f));
    assert_int_equal(v.cash_micros_per_hour, 1000000);
    assert_int_equal(v.nav_micros, 8336190242LL);
}

static void test_nav_bad_inputs(void **state)
{
    struct gc_valuation_in in = base;
    struct gc_valuation v;
    struct gc_fail f;

    (void)state;
    in.utilization_bps = 10001;
    assert_false(gc_package_value(&in, &v, &f));
    assert_string_equal(f.reason, "bad_number");
    in = base;
    in.hours = 0;
    assert_false(gc_package_value(&in, &v, &f));
    in = base;
    in.gpu_s_per_hour = INT64_MAX;
    in.price_micros = INT64_MAX;
    assert_false(gc_package_value(&in, &v, &f));
}

static void three(struct gc_tranche t[3])
{
    memset(t, 0, 3 * sizeof(*t));
    /* given out of order: the check sorts them by seniority */
    snprintf(t[0].name, sizeof(t[0].name), "junior");
    t[0].seniority = 3;
    t[0].size_micros = 150;
    snprintf(t[1].name, sizeof(t[1].name), "senior");
    t[1].seniority = 1;
    t[1].share_bps = 6000; /* of a NAV of 1000: 600 */
    t[1].min_oc_bps = 15000;
    snprintf(t[2].name, sizeof(t[2].name), "mezzanine");
    t[2].seniority = 2;
    t[2].size_micros = 150;
    t[2].min_oc_bps = 12000;
}

static void test_tranches(void **state)
{
    struct gc_tranche t[3];
    struct gc_fail f;

    (void)state;
    three(t);
    /* 600 + 150 + 150 = 900 <= 1000 x 90 %; junior 150 / 900 = 16.7 % >= 15 %;
     * senior 1000 / 600 = 166 % >= 150 %; mezzanine 1000 / 750 = 133 % >= 120 % */
    assert_true(gc_tranches_check(t, 3, 1000, 1000, 1500, &f));
    assert_string_equal(t[0].name, "senior");
    assert_int_equal(t[0].size_micros, 600);

    three(t);
    assert_false(gc_tranches_check(t, 3, 1000, 1100, 1500, &f)); /* cap 890 */
    assert_string_equal(f.reason, "over_nav");

    three(t);
    assert_false(gc_tranches_check(t, 3, 1000, 1000, 1700, &f));
    assert_string_equal(f.reason, "junior_share");

    three(t);
    t[2].min_oc_bps = 13400; /* 1000 / 750 = 13333 bps */
    assert_false(gc_tranches_check(t, 3, 1000, 1000, 1500, &f));
    assert_string_equal(f.reason, "oc_test");
    assert_non_null(strstr(f.detail, "mezzanine"));

    three(t);
    t[2].seniority = 1;
    assert_false(gc_tranches_check(t, 3, 1000, 1000, 1500, &f));
    assert_string_equal(f.reason, "bad_field");
}

/* A valid term sheet, and one edit of it per way a term sheet can be wrong. */
#define TERMS_HEAD                                                                                 \
    "{\"type\":\"terms\",\"v\":1,\"package\":\"p1\",\"issuer\":\"iss\",\"spv\":{\"name\":"         \
    "\"S\",\"jurisdiction\":\"KY\"},\"pools\":[\"a\",\"b\"],\"window_h\":24,"                      \
    "\"utilization_bps\":8000,\"servicer_fee_bps\":0,\"discount_bps\":1000,\"haircut_bps\":0,"     \
    "\"min_junior_bps\":0,"
#define TERMS_OK_TAIL                                                                              \
    "\"currency\":\"USD\",\"start\":\"2026-11-02T00:00:00Z\",\"end\":\"2026-11-03T00:00:00Z\","    \
    "\"price_source\":\"fixed\",\"price_micros\":5,"                                               \
    "\"tranches\":[{\"tranche\":\"s\",\"seniority\":1,\"share_bps\":5000,\"coupon_bps\":0},"       \
    "{\"tranche\":\"j\",\"seniority\":2,\"size_micros\":7,\"coupon_bps\":0}],"                     \
    "\"subscriptions\":[{\"holder\":\"" HEX64 "\",\"tranche\":\"j\",\"amount_micros\":3}]}"
#define HEX64 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

static const char *parse_terms(const char *text, struct gc_terms *t)
{
    static char reason[64];
    struct gc_fail f;
    json_t *rec = gc_json_parse_object(text, strlen(text), &f);
    bool ok;

    assert_non_null(rec);
    ok = gc_terms_parse(rec, "terms", t, &f);
    json_decref(rec);
    gc_terms_release(t);
    snprintf(reason, sizeof(reason), "%s", ok ? "ok" : f.reason);
    return reason;
}

static void test_terms_parse(void **state)
{
    static const struct {
        const char *tail;
        const char *reason;
    } bad[] = {
        {"\"currency\":\"usd\"}", "bad_field"}, /* lowercase */
        {"\"currency\":\"USD\",\"start\":\"2026-11-02T00:30:00Z\",\"end\":"
         "\"2026-11-03T00:00:00Z\",\"price_source\":\"fixed\",\"price_micros\":5,\"tranches\":"
         "[{\"tranche\":\"s\",\"seniority\":1,\"share_bps\":5000,\"coupon_bps\":0}],"
         "\"subscriptions\":[]}",
         "bad_field"}, /* not an hour */
        {"\"currency\":\"USD\",\"start\":\"2026-11-02T00:00:00Z\",\"end\":"
         "\"2026-11-03T00:00:00Z\",\"price_source\":\"fixed\",\"price_micros\":5,\"tranches\":"
         "[{\"tranche\":\"s\",\"seniority\":1,\"share_bps\":5000,\"size_micros\":3,"
         "\"coupon_bps\":0}],\"subscriptions\":[]}",
         "bad_field"}, /* both a size and a share */
        {"\"currency\":\"USD\",\"start\":\"2026-11-02T00:00:00Z\",\"end\":"
         "\"2026-11-03T00:00:00Z\",\"price_source\":\"fixed\",\"price_micros\":5,\"tranches\":"
         "[{\"tranche\":\"s\",\"seniority\":1,\"share_bps\":5000,\"coupon_bps\":0}],"
         "\"subscriptions\":[{\"holder\":\"" HEX64 "\",\"tranche\":\"x\",\"amount_micros\":3}]}",
         "bad_field"}, /* a subscription to no tranche */
        {"\"currency\":\"USD\",\"start\":\"2026-11-02T00:00:00Z\",\"end\":"
         "\"2026-11-03T00:00:00Z\",\"price_source\":\"index\",\"tranches\":[{\"tranche\":\"s\","
         "\"seniority\":1,\"share_bps\":5000,\"coupon_bps\":0},{\"tranche\":\"s\",\"seniority\":2,"
         "\"share_bps\":1,\"coupon_bps\":0}],\"subscriptions\":[]}",
         "bad_field"}, /* a tranche twice */
        {"\"currency\":\"USD\",\"start\":\"2026-11-02T00:00:00Z\",\"end\":"
         "\"2026-11-03T00:00:00Z\",\"price_source\":\"fixed\",\"tranches\":[{\"tranche\":\"s\","
         "\"seniority\":1,\"share_bps\":5000,\"coupon_bps\":0}],\"subscriptions\":[]}",
         "bad_field"}, /* a fixed price without price_micros */
    };
    struct gc_terms t;

    (void)state;
    assert_string_equal(parse_terms(TERMS_HEAD TERMS_OK_TAIL, &t), "ok");
    assert_int_equal(t.hours, 24);
    assert_int_equal(t.n_pools, 2);
    assert_int_equal(t.n_subs, 1);
    assert_null(t.subs); /* released */
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char text[2048];

        snprintf(text, sizeof(text), "%s%s", TERMS_HEAD, bad[i].tail);
        assert_string_equal(parse_terms(text, &t), bad[i].reason);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nav_undiscounted), cmocka_unit_test(test_nav_discounted),
        cmocka_unit_test(test_nav_bad_inputs),   cmocka_unit_test(test_tranches),
        cmocka_unit_test(test_terms_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
