#include "gc_package.h"

#include <stdlib.h>
#include <string.h>

#include "gc_num.h"
#include "gc_ray.h"
#include "banned.h"

bool gc_package_value(const struct gc_valuation_in *in, struct gc_valuation *out, struct gc_fail *f)
{
    gc_u128 gross, net, nav = 0;

    memset(out, 0, sizeof(*out));
    if (in->gpu_s_per_hour < 0 || in->price_micros < 0 || in->utilization_bps < 0 ||
        in->utilization_bps > 10000 || in->servicer_fee_bps < 0 || in->servicer_fee_bps > 10000 ||
        in->discount_bps < 0 || in->discount_bps > 100000 || in->hours < 1 || in->hours > 87600)
        return gc_fail(f, "bad_number", "a valuation input is out of range");
    /* gpu_s x price < 2^126, x utilization < 2^140: two steps keep 256-bit products exact */
    if (!gc_mul_div_floor((gc_u128)in->gpu_s_per_hour, (gc_u128)in->price_micros, 3600, &gross) ||
        !gc_mul_div_floor(gross, (gc_u128)in->utilization_bps, 10000, &gross) ||
        !gc_mul_div_floor(gross, (gc_u128)(10000 - in->servicer_fee_bps), 10000, &net) ||
        net > INT64_MAX)
        return gc_fail(f, "bad_number", "the hourly cash flow does not fit in 64 bits");
    out->cash_micros_per_hour = (int64_t)net;
    out->rate_per_second_ray =
        GC_RAY + GC_RAY / 10000 * (gc_u128)in->discount_bps / GC_SECONDS_PER_YEAR;
    for (int64_t h = 1; h <= in->hours; h++) {
        gc_u128 factor, pv;

        if (!gc_rpow(out->rate_per_second_ray, (uint64_t)(3600 * h), &factor) ||
            !gc_mul_div_floor(net, GC_RAY, factor, &pv))
            return gc_fail(f, "bad_number", "the discount factor of hour %lld overflows",
                           (long long)h);
        nav += pv;
    }
    if (nav > INT64_MAX || (gc_u128)out->cash_micros_per_hour * (gc_u128)in->hours > INT64_MAX)
        return gc_fail(f, "bad_number", "the NAV does not fit in 64 bits");
    out->nav_micros = (int64_t)nav;
    out->undiscounted_micros = out->cash_micros_per_hour * in->hours;
    return true;
}

static int by_seniority(const void *a, const void *b)
{
    const struct gc_tranche *x = a, *y = b;

    return (x->seniority > y->seniority) - (x->seniority < y->seniority);
}

bool gc_tranches_check(struct gc_tranche *t, size_t n, int64_t nav_micros, int64_t haircut_bps,
                       int64_t min_junior_bps, struct gc_fail *f)
{
    gc_u128 total = 0, cap, senior = 0;

    if (n == 0)
        return gc_fail(f, "bad_field", "a package needs at least one tranche");
    if (nav_micros < 0 || haircut_bps < 0 || haircut_bps > 10000 || min_junior_bps < 0 ||
        min_junior_bps > 10000)
        return gc_fail(f, "bad_number", "the NAV, haircut or junior share is out of range");
    for (size_t i = 0; i < n; i++)
        if (t[i].size_micros < 0 || t[i].share_bps < 0 || t[i].share_bps > 10000 ||
            t[i].min_oc_bps < 0 || (t[i].size_micros == 0) == (t[i].share_bps == 0))
            return gc_fail(f, "bad_number", "tranche '%s' needs one of a size or a share, in range",
                           t[i].name);
    qsort(t, n, sizeof(*t), by_seniority);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && t[i].seniority == t[i - 1].seniority)
            return gc_fail(f, "bad_field", "tranches '%s' and '%s' have one seniority",
                           t[i - 1].name, t[i].name);
        if (t[i].size_micros == 0) {
            gc_u128 s;

            gc_mul_div_floor((gc_u128)nav_micros, (gc_u128)t[i].share_bps, 10000, &s);
            t[i].size_micros = (int64_t)s; /* at most the NAV: share_bps <= 10000 */
        }
        total += (gc_u128)t[i].size_micros;
    }
    gc_mul_div_floor((gc_u128)nav_micros, (gc_u128)(10000 - haircut_bps), 10000, &cap);
    if (total > cap)
        return gc_fail(f, "over_nav", "the tranches add up to more than the NAV less the haircut");
    if ((gc_u128)t[n - 1].size_micros * 10000 < total * (gc_u128)min_junior_bps)
        return gc_fail(f, "junior_share", "tranche '%s' is less than %lld bps of the total",
                       t[n - 1].name, (long long)min_junior_bps);
    for (size_t i = 0; i < n; i++) {
        senior += (gc_u128)t[i].size_micros;
        if (t[i].min_oc_bps > 0 && (gc_u128)nav_micros * 10000 < (gc_u128)t[i].min_oc_bps * senior)
            return gc_fail(f, "oc_test",
                           "tranche '%s': the collateral covers it and the senior tranches less "
                           "than %lld bps",
                           t[i].name, (long long)t[i].min_oc_bps);
    }
    return true;
}
