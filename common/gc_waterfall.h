/*
 * gc_waterfall — one period's payment waterfall of a package (gc-settle,
 * issue 8): losses written down from the bottom, the servicer's fee, then
 * each tranche's interest and scheduled principal in order of seniority,
 * the rest to the most junior as its residual. Shortfalls are carried as
 * arrears, never refused; a failed over-collateralisation or interest-
 * coverage test sends everything after the senior interest to senior
 * principal. Every amount is an integer and the cash adds up exactly:
 * fee + interest + principal + residual = collected. Domain module: no I/O.
 */
#ifndef GC_WATERFALL_H
#define GC_WATERFALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_err.h"

struct gc_wf_tranche {
    /* in: the tranche at the start of the period, most senior first */
    int64_t balance_micros;           /* outstanding principal */
    int64_t coupon_bps;               /* annual, on the balance after write-downs */
    int64_t scheduled_micros;         /* principal due this period by the schedule */
    int64_t arrears_interest_micros;  /* unpaid interest carried in */
    int64_t arrears_principal_micros; /* unpaid scheduled principal carried in */
    /* out */
    int64_t written_down_micros;
    int64_t interest_due_micros; /* this period's interest, rounded down, plus arrears */
    int64_t interest_paid_micros;
    int64_t principal_paid_micros;
    int64_t residual_micros; /* the most junior tranche only */
    int64_t balance_out_micros;
    int64_t arrears_interest_out_micros;
    int64_t arrears_principal_out_micros;
};

struct gc_wf_in {
    int64_t collected_micros;
    int64_t servicer_fee_bps;  /* of what was collected, rounded down */
    int64_t period_s;          /* for the interest: balance x coupon x period_s / year */
    int64_t loss_micros;       /* written down before paying, most junior first */
    int64_t collateral_micros; /* the collateral's value, for the OC test */
    int64_t min_oc_bps;        /* collateral x 10000 >= min_oc x senior balance; 0: no test */
    int64_t min_ic_bps;        /* cash after fee x 10000 >= min_ic x senior interest due; 0: none */
};

struct gc_wf_out {
    int64_t fee_micros;
    bool oc_failed, ic_failed;
    int64_t diverted_micros;        /* senior principal paid beyond its schedule by a failed test */
    int64_t loss_unabsorbed_micros; /* a loss larger than every balance */
};

/*
 * Runs the waterfall over T[0..N) (N >= 1, most senior first). Fails
 * "bad_number" on a negative input or a product past 64 bits.
 */
bool gc_waterfall(const struct gc_wf_in *in, struct gc_wf_tranche *t, size_t n,
                  struct gc_wf_out *out, struct gc_fail *f);

#endif
