#include "gc_waterfall.h"

#include <string.h>

#include "gc_num.h"
#include "gc_package.h"
#include "gc_u128.h"
#include "banned.h"

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Pays up to DUE from *CASH; returns what was paid. */
static int64_t pay(int64_t *cash, int64_t due)
{
    int64_t paid = min64(*cash, due);

    *cash -= paid;
    return paid;
}

static bool check_inputs(const struct gc_wf_in *in, const struct gc_wf_tranche *t, size_t n,
                         struct gc_fail *f)
{
    if (n == 0)
        return gc_fail(f, "bad_field", "a waterfall needs at least one tranche");
    if (in->collected_micros < 0 || in->servicer_fee_bps < 0 || in->servicer_fee_bps > 10000 ||
        in->period_s < 0 || in->loss_micros < 0 || in->collateral_micros < 0 ||
        in->min_oc_bps < 0 || in->min_ic_bps < 0)
        return gc_fail(f, "bad_number", "a waterfall input is negative or out of range");
    for (size_t i = 0; i < n; i++)
        if (t[i].balance_micros < 0 || t[i].coupon_bps < 0 || t[i].coupon_bps > 100000 ||
            t[i].scheduled_micros < 0 || t[i].arrears_interest_micros < 0 ||
            t[i].arrears_principal_micros < 0)
            return gc_fail(f, "bad_number", "tranche %zu has a negative or out-of-range input",
                           i + 1);
    return true;
}

/* Interest of one period on the balance, rounded down, plus arrears. */
static bool interest_due(const struct gc_wf_in *in, struct gc_wf_tranche *t, struct gc_fail *f)
{
    gc_u128 i;

    if (!gc_mul_div_floor((gc_u128)t->balance_out_micros * (gc_u128)t->coupon_bps,
                          (gc_u128)in->period_s, (gc_u128)10000 * GC_SECONDS_PER_YEAR, &i) ||
        i + (gc_u128)t->arrears_interest_micros > INT64_MAX)
        return gc_fail(f, "bad_number", "the interest due does not fit in 64 bits");
    t->interest_due_micros = (int64_t)i + t->arrears_interest_micros;
    return true;
}

bool gc_waterfall(const struct gc_wf_in *in, struct gc_wf_tranche *t, size_t n,
                  struct gc_wf_out *out, struct gc_fail *f)
{
    int64_t loss = in->loss_micros, cash, paid_total;
    gc_u128 fee;

    memset(out, 0, sizeof(*out));
    if (!check_inputs(in, t, n, f))
        return false;
    /* Losses first, from the bottom: the junior tranche absorbs them before anyone senior. */
    for (size_t k = n; k-- > 0;) {
        t[k].written_down_micros = min64(t[k].balance_micros, loss);
        t[k].balance_out_micros = t[k].balance_micros - t[k].written_down_micros;
        loss -= t[k].written_down_micros;
        t[k].interest_paid_micros = t[k].principal_paid_micros = t[k].residual_micros = 0;
        if (!interest_due(in, &t[k], f))
            return false;
    }
    out->loss_unabsorbed_micros = loss;
    gc_mul_div_floor((gc_u128)in->collected_micros, (gc_u128)in->servicer_fee_bps, 10000, &fee);
    out->fee_micros = (int64_t)fee;
    cash = in->collected_micros - out->fee_micros;
    /* The tests look at the senior tranche as it stands after the write-downs. */
    out->oc_failed =
        in->min_oc_bps > 0 && (gc_u128)in->collateral_micros * 10000 <
                                  (gc_u128)in->min_oc_bps * (gc_u128)t[0].balance_out_micros;
    out->ic_failed =
        in->min_ic_bps > 0 && t[0].interest_due_micros > 0 &&
        (gc_u128)cash * 10000 < (gc_u128)in->min_ic_bps * (gc_u128)t[0].interest_due_micros;
    for (size_t k = 0; k < n; k++) {
        struct gc_wf_tranche *x = &t[k];
        int64_t due;

        if (!gc_add_i64(x->scheduled_micros, x->arrears_principal_micros, &due))
            return gc_fail(f, "bad_number", "tranche %zu: the principal due overflows", k + 1);
        due = min64(due, x->balance_out_micros);

        x->interest_paid_micros = pay(&cash, x->interest_due_micros);
        x->arrears_interest_out_micros = x->interest_due_micros - x->interest_paid_micros;
        if (k == n - 1) {
            /* The most junior: its scheduled principal, then everything left. */
            x->principal_paid_micros = pay(&cash, due);
            x->residual_micros = cash;
            cash = 0;
        } else if (k == 0 && (out->oc_failed || out->ic_failed)) {
            /* A failed test: the cash after senior interest pays senior principal down. */
            x->principal_paid_micros = pay(&cash, x->balance_out_micros);
            if (x->principal_paid_micros > due)
                out->diverted_micros = x->principal_paid_micros - due;
        } else {
            x->principal_paid_micros = pay(&cash, due);
        }
        x->arrears_principal_out_micros =
            due > x->principal_paid_micros ? due - x->principal_paid_micros : 0;
        x->balance_out_micros -= x->principal_paid_micros;
    }
    /* Nothing is lost: every micro collected went somewhere named. */
    paid_total = out->fee_micros;
    for (size_t k = 0; k < n; k++)
        paid_total += t[k].interest_paid_micros + t[k].principal_paid_micros + t[k].residual_micros;
    if (paid_total != in->collected_micros)
        gc_die(GC_EX_SOFTWARE, "the waterfall paid %lld of %lld micros collected",
               (long long)paid_total, (long long)in->collected_micros);
    return true;
}
