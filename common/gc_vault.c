#include "gc_vault.h"

#include "gc_num.h"
#include "gc_ray.h"
#include "banned.h"

bool gc_drip(struct gc_fee *fee, int64_t now, gc_u128 *grown, struct gc_fail *f)
{
    gc_u128 factor, rate;

    if (now < fee->rho)
        return gc_fail(f, "bad_number", "time runs backwards: %lld before the last drip %lld",
                       (long long)now, (long long)fee->rho);
    if (!gc_rpow(fee->duty, (uint64_t)(now - fee->rho), &factor) ||
        !gc_rmul(factor, fee->rate, &rate))
        return gc_fail(f, "bad_number", "the fee accumulator passes 128 bits");
    *grown = rate - fee->rate;
    fee->rate = rate;
    fee->rho = now;
    return true;
}

bool gc_debt_micros(gc_u128 art, gc_u128 rate, int64_t *out)
{
    gc_u128 d;

    if (!gc_mul_div_ceil(art, rate, GC_RAY, &d) || d > INT64_MAX)
        return false;
    *out = (int64_t)d;
    return true;
}

bool gc_art_for_draw(int64_t micros, gc_u128 rate, gc_u128 *out)
{
    return micros >= 0 && rate > 0 && gc_mul_div_ceil((gc_u128)micros, GC_RAY, rate, out);
}

bool gc_art_for_repay(int64_t micros, gc_u128 rate, gc_u128 *out)
{
    return micros >= 0 && rate > 0 && gc_mul_div_floor((gc_u128)micros, GC_RAY, rate, out);
}

bool gc_reserve_drip(struct gc_reserve *r, int64_t now, struct gc_fail *f)
{
    gc_u128 grown;

    if (!gc_drip(&r->fee, now, &grown, f))
        return false;
    for (size_t i = 0; i < r->n; i++) {
        struct gc_vault *v = &r->vaults[i];
        int64_t debt;

        if (!gc_debt_micros(v->art, r->fee.rate, &debt) ||
            !gc_add_i64(r->surplus_micros, debt - v->debt_micros, &r->surplus_micros))
            return gc_fail(f, "bad_number", "vault %zu's debt passes 63 bits", i);
        v->debt_micros = debt;
    }
    return true;
}

static bool total_debt(const struct gc_reserve *r, int64_t *out)
{
    *out = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!gc_add_i64(*out, r->vaults[i].debt_micros, out))
            return false;
    return true;
}

bool gc_reserve_safe(const struct gc_reserve *r, size_t v)
{
    return (gc_u128)r->vaults[v].debt_micros * (gc_u128)r->liquidation_bps <=
           (gc_u128)r->vaults[v].collateral_micros * 10000;
}

bool gc_reserve_draw(struct gc_reserve *r, size_t v, int64_t micros, struct gc_fail *f)
{
    struct gc_vault *x = &r->vaults[v], before = *x;
    int64_t debt, total;
    gc_u128 art;

    if (micros < r->min_draw_micros || micros <= 0)
        return gc_fail(f, "under_minimum", "a draw of %lld micros is under the minimum of %lld",
                       (long long)micros, (long long)r->min_draw_micros);
    if (!gc_art_for_draw(micros, r->fee.rate, &art) || art > ((gc_u128)1 << 120) - x->art ||
        !gc_debt_micros(x->art + art, r->fee.rate, &debt) || !total_debt(r, &total) ||
        !gc_add_i64(total, debt - x->debt_micros, &total))
        return gc_fail(f, "bad_number", "the debt passes 63 bits");
    if (total > r->ceiling_micros)
        return gc_fail(f, "over_ceiling", "the debts would be %lld micros, over the ceiling %lld",
                       (long long)total, (long long)r->ceiling_micros);
    x->art += art;
    x->debt_micros = debt;
    if (!gc_reserve_safe(r, v)) {
        *x = before;
        return gc_fail(f, "over_ratio",
                       "the vault's debt would be %lld micros against %lld of "
                       "collateral, past the liquidation ratio of %lld bps",
                       (long long)debt, (long long)x->collateral_micros,
                       (long long)r->liquidation_bps);
    }
    r->supply_micros += micros;
    /* The debt rounds up past the draw: the difference is the reserve's. */
    r->surplus_micros += debt - before.debt_micros - micros;
    return true;
}

bool gc_reserve_repay(struct gc_reserve *r, size_t v, int64_t micros, struct gc_fail *f)
{
    struct gc_vault *x = &r->vaults[v];
    int64_t debt = 0;
    gc_u128 art;

    if (micros <= 0 || micros > x->debt_micros)
        return gc_fail(f, "over_debt", "a repayment of %lld micros on a debt of %lld",
                       (long long)micros, (long long)x->debt_micros);
    /* Only stablecoin that exists can be burned: the fee is paid with coin bought from others. */
    if (micros > r->supply_micros)
        return gc_fail(f, "over_supply", "a repayment of %lld micros with %lld in circulation",
                       (long long)micros, (long long)r->supply_micros);
    if (micros == x->debt_micros) {
        art = x->art; /* all of it: no dust left behind */
    } else {
        gc_art_for_repay(micros, r->fee.rate, &art);
        gc_debt_micros(x->art - art, r->fee.rate, &debt);
    }
    /* The debt falls by at most the repayment; what is over is the reserve's. */
    r->surplus_micros += micros - (x->debt_micros - debt);
    r->supply_micros -= micros;
    x->art -= art;
    x->debt_micros = debt;
    return true;
}

bool gc_reserve_write_off(struct gc_reserve *r, size_t v, struct gc_fail *f)
{
    struct gc_vault *x = &r->vaults[v];
    int64_t covered;

    if (gc_reserve_safe(r, v))
        return gc_fail(f, "safe", "the vault is safe: nothing to write off");
    covered = x->collateral_micros < x->debt_micros ? x->collateral_micros : x->debt_micros;
    r->supply_micros -= covered;
    r->bad_debt_micros += x->debt_micros - covered;
    x->art = 0;
    x->debt_micros = 0;
    x->collateral_micros = 0;
    return true;
}

bool gc_reserve_check(const struct gc_reserve *r, struct gc_fail *f)
{
    gc_u128 owed = (gc_u128)r->bad_debt_micros, held;

    for (size_t i = 0; i < r->n; i++) {
        int64_t debt;

        if (!gc_debt_micros(r->vaults[i].art, r->fee.rate, &debt) ||
            debt != r->vaults[i].debt_micros)
            return gc_fail(f, "insolvent", "vault %zu's debt is not its art at the rate", i);
        owed += (gc_u128)debt;
    }
    if (r->supply_micros < 0 || r->surplus_micros < 0 || r->bad_debt_micros < 0)
        return gc_fail(f, "insolvent", "a negative supply, surplus or bad debt");
    held = (gc_u128)r->supply_micros + (gc_u128)r->surplus_micros;
    if (held != owed)
        return gc_fail(f, "insolvent", "supply + surplus is not the debts + bad debt");
    return true;
}
