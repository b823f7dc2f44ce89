/*
 * gc_package — the arithmetic of an RWA package over green-compute pools
 * (gc-issue, issue 7): the discounted-cash-flow NAV in the manner of
 * Tinlake, the tranche tests, and units apportioned over subscriptions.
 * Every step is integer and its rounding stated, so anyone can recompute a
 * package from the inputs written into it. Domain module: no I/O.
 */
#ifndef GC_PACKAGE_H
#define GC_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_err.h"
#include "gc_u128.h"

#define GC_SECONDS_PER_YEAR 31536000 /* 365 days: the year of the annual rates */

/* What the valuation starts from; every field is written into the package record. */
struct gc_valuation_in {
    int64_t gpu_s_per_hour;   /* expected green GPU-seconds per hour (trailing average) */
    int64_t price_micros;     /* per GPU-hour */
    int64_t utilization_bps;  /* share of the expected GPU-seconds sold, 0..10000 */
    int64_t servicer_fee_bps; /* taken off each hour's cash flow, 0..10000 */
    int64_t discount_bps;     /* annual discount rate, 0..100000 */
    int64_t hours;            /* tenor, 1..87600 */
};

struct gc_valuation {
    int64_t cash_micros_per_hour; /* net of the servicer fee, rounded down */
    gc_u128 rate_per_second_ray;  /* 1 + discount / year, a ray rounded down */
    int64_t nav_micros;           /* the sum of the discounted hours, each rounded down */
    int64_t undiscounted_micros;  /* cash_micros_per_hour x hours */
};

/*
 * The NAV: cash per hour = gpu_s_per_hour x price x utilization / (3600 x
 * 10000), less the servicer fee, each rounded down; hour h (1..hours) is paid
 * at its end and discounted by rpow(rate_per_second, 3600 h), Maker's rpow
 * with half-up rounding, its present value cash x RAY / factor rounded down.
 * Rounding down throughout values the package low, in favour of its
 * investors and of a reserve that takes it as collateral. Fails "bad_number"
 * on an input out of range or a NAV past 64 bits.
 */
bool gc_package_value(const struct gc_valuation_in *in, struct gc_valuation *out,
                      struct gc_fail *f);

struct gc_tranche {
    char name[65];
    int64_t seniority;         /* 1 = paid first; distinct */
    int64_t size_micros;       /* the amount, or 0 with share_bps */
    int64_t share_bps;         /* share of the NAV when size_micros is 0 */
    int64_t min_oc_bps;        /* collateral / (this + all senior tranches), 0 = no test */
    int64_t coupon_bps;        /* carried for the waterfall (gc-settle), not tested here */
    int64_t subscribed_micros; /* what the subscriptions asked for */
    int64_t units;             /* issued: the smaller of the subscriptions and the size */
};

/*
 * Sizes the tranches (a share of the NAV rounded down) and tests them, most
 * senior first: the sizes add up to at most NAV x (10000 - HAIRCUT_BPS) /
 * 10000 rounded down ("over_nav"); the most junior is at least
 * MIN_JUNIOR_BPS of the total ("junior_share"); for each tranche with a
 * MIN_OC_BPS, NAV x 10000 >= MIN_OC_BPS x (its size + the sizes senior to
 * it) ("oc_test", naming it). T is sorted by seniority in place.
 */
bool gc_tranches_check(struct gc_tranche *t, size_t n, int64_t nav_micros, int64_t haircut_bps,
                       int64_t min_junior_bps, struct gc_fail *f);

#endif
