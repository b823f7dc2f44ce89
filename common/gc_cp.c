#include "gc_cp.h"

#include "banned.h"

bool gc_cp_amount_out(gc_u128 amount_in, gc_u128 reserve_in, gc_u128 reserve_out, unsigned fee_bps,
                      gc_u128 *out)
{
    gc_u128 in_after_fee, denom;

    if (amount_in == 0 || reserve_in == 0 || reserve_out == 0 || fee_bps >= 10000)
        return false;
    in_after_fee = amount_in * (10000 - fee_bps); /* amounts stay below 2^112, as Uniswap's */
    if (in_after_fee / (10000 - fee_bps) != amount_in)
        return false;
    denom = reserve_in * 10000 + in_after_fee;
    if (reserve_in > GC_U128_MAX / 10000 || denom < in_after_fee)
        return false;
    return gc_mul_div_floor(in_after_fee, reserve_out, denom, out);
}

bool gc_cp_amount_in(gc_u128 amount_out, gc_u128 reserve_in, gc_u128 reserve_out, unsigned fee_bps,
                     gc_u128 *in)
{
    gc_u128 num, q;

    if (amount_out == 0 || reserve_in == 0 || amount_out >= reserve_out || fee_bps >= 10000 ||
        reserve_out - amount_out > GC_U128_MAX / (10000 - fee_bps))
        return false;
    /* r_in x out x 10000 / ((r_out - out) x (10000 - fee)) + 1, as getAmountIn adds one */
    if (!gc_mul_div_floor(reserve_in, amount_out, 1, &num) || num > GC_U128_MAX / 10000 ||
        !gc_mul_div_floor(num, 10000, (reserve_out - amount_out) * (10000 - fee_bps), &q) ||
        q == GC_U128_MAX)
        return false;
    *in = q + 1;
    return true;
}

bool gc_cp_quote(gc_u128 a, gc_u128 reserve_a, gc_u128 reserve_b, gc_u128 *b)
{
    if (a == 0 || reserve_a == 0 || reserve_b == 0)
        return false;
    return gc_mul_div_floor(a, reserve_b, reserve_a, b);
}

bool gc_cp_mint_first(gc_u128 a0, gc_u128 a1, gc_u128 *total, gc_u128 *to_user)
{
    gc_u128 root = gc_isqrt256(gc_mul_wide(a0, a1));

    if (root <= GC_CP_MIN_LIQUIDITY)
        return false;
    *total = root;
    *to_user = root - GC_CP_MIN_LIQUIDITY;
    return true;
}

bool gc_cp_price_uq112(gc_u128 reserve_a, gc_u128 reserve_b, gc_u128 *price)
{
    if (reserve_a == 0)
        return false;
    return gc_mul_div_floor(reserve_b, (gc_u128)1 << 112, reserve_a, price);
}

bool gc_cp_protocol_fee(gc_u128 total_supply, gc_u128 root_k, gc_u128 root_k_last, gc_u128 *liq)
{
    gc_u128 denom;

    if (root_k <= root_k_last) {
        *liq = 0;
        return true;
    }
    if (root_k > (GC_U128_MAX - root_k_last) / 5)
        return false;
    denom = root_k * 5 + root_k_last;
    return gc_mul_div_floor(total_supply, root_k - root_k_last, denom, liq);
}
