#include "gc_vault.h"

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
