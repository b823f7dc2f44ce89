#include "gc_ys.h"

#include "gc_fixed.h"
#include "banned.h"

#define HOUR_S 3600
#define PPM    1000000

bool gc_ys_at(int64_t k_ppm, int64_t t_s, int64_t anchor_micros, struct gc_ys *c)
{
    gc_u128 bend;

    if (k_ppm < 0 || t_s < 0 || anchor_micros <= 0 || anchor_micros > GC_YS_MAX_ANCHOR)
        return false;
    /* k x T as 64.64, rounded down so that a = 1 - kT rounds up */
    if (!gc_mul_div_floor((gc_u128)k_ppm * (gc_u128)t_s, GC_FIXED_ONE, (gc_u128)PPM * HOUR_S,
                          &bend) ||
        bend > GC_FIXED_ONE - GC_FIXED_ONE / 20)
        return false;
    c->a = GC_FIXED_ONE - bend;
    c->anchor_micros = anchor_micros;
    c->memo = NULL;
    return true;
}

/* V^Y for a nonzero 64.64 V and a positive exponent Y, through C's memo when it has one. */
static bool power(const struct gc_ys *c, gc_u128 v, gc_u128 y, gc_u128 *out)
{
    struct gc_ys_memo *memo = c->memo;
    size_t i;

    if (memo == NULL)
        return gc_pow_64x64(v, (__int128)y, out);
    for (i = 0; i < GC_YS_MEMO_ENTRIES; i++)
        if (memo->e[i].v == v)
            break;
    if (i == GC_YS_MEMO_ENTRIES) { /* a new value takes the oldest entry */
        i = memo->next;
        memo->next = (memo->next + 1) % GC_YS_MEMO_ENTRIES;
        memo->e[i].y = 0;
        if (!gc_log2_64x64(v, &memo->e[i].log2)) {
            memo->e[i].v = 0;
            return false;
        }
        memo->e[i].v = v;
    }
    if (memo->e[i].y != y) {
        memo->e[i].y = 0;
        if (!gc_pow_log2_64x64(memo->e[i].log2, (__int128)y, &memo->e[i].pow))
            return false;
        memo->e[i].y = y;
    }
    *out = memo->e[i].pow;
    return true;
}

/* V^a for a 64.64 V (0 for 0). */
static bool pow_a(const struct gc_ys *c, gc_u128 v, gc_u128 *out)
{
    if (v == 0) {
        *out = 0;
        return true;
    }
    if (c->a == GC_FIXED_ONE) {
        *out = v;
        return true;
    }
    return power(c, v, c->a, out);
}

/* V^(1/a) for a 64.64 V. */
static bool root_a(const struct gc_ys *c, gc_u128 v, gc_u128 *out)
{
    gc_u128 inv;

    if (v == 0 || c->a == GC_FIXED_ONE) {
        *out = v;
        return true;
    }
    if (!gc_mul_div_floor(GC_FIXED_ONE, GC_FIXED_ONE, c->a, &inv))
        return false;
    return power(c, v, inv, out);
}

/* The 64.64 value in micros of X GPU-seconds at the anchor. */
static bool value_of(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 *v)
{
    if (x_gpu_s > GC_YS_MAX_AMOUNT)
        return false;
    return gc_mul_div_floor(x_gpu_s * (gc_u128)c->anchor_micros, GC_FIXED_ONE, HOUR_S, v) &&
           *v >> 64 <= GC_YS_MAX_AMOUNT;
}

bool gc_ys_invariant(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 y_micros, gc_u128 *k)
{
    gc_u128 xv, xa, ya;

    if (y_micros > GC_YS_MAX_AMOUNT || !value_of(c, x_gpu_s, &xv) || !pow_a(c, xv, &xa) ||
        !pow_a(c, y_micros << 64, &ya))
        return false;
    *k = xa + ya;
    return true;
}

/*
 * An amount (cash when CASH, else inventory) whose invariant with the other
 * reserve OTHER reaches K: the closed form rounded up, then steps that double
 * until the invariant function itself agrees, then a binary search back
 * toward the guess. The result always passes the same check the market
 * makes after the trade.
 */
static bool solve(const struct gc_ys *c, bool cash, gc_u128 other, gc_u128 k, gc_u128 *out)
{
    gc_u128 xa, rest, guess, lo, hi, step = 1, got;

    if (!(cash ? value_of(c, other, &xa) : (other <= GC_YS_MAX_AMOUNT && (xa = other << 64, 1))))
        return false;
    if (!pow_a(c, xa, &xa))
        return false;
    if (xa >= k) {
        *out = 0;
        return true;
    }
    rest = k - xa;
    if (!root_a(c, rest, &guess))
        return false;
    guess = (guess >> 64) + 1; /* micros, rounded up */
    if (!cash && !gc_mul_div_ceil(guess, HOUR_S, (gc_u128)c->anchor_micros, &guess))
        return false;
    /* hi: an amount that reaches K; lo: one below it known (or assumed) not to */
    hi = guess;
    lo = guess - 1;
    for (;;) {
        if (hi > GC_YS_MAX_AMOUNT)
            return false;
        if (!(cash ? gc_ys_invariant(c, other, hi, &got) : gc_ys_invariant(c, hi, other, &got)))
            return false;
        if (got >= k)
            break;
        lo = hi;
        hi += step;
        step *= 2;
    }
    while (lo + 1 < hi) {
        gc_u128 mid = lo + (hi - lo) / 2;

        if (!(cash ? gc_ys_invariant(c, other, mid, &got) : gc_ys_invariant(c, mid, other, &got)))
            return false;
        if (got >= k)
            hi = mid;
        else
            lo = mid;
    }
    *out = hi;
    return true;
}

bool gc_ys_min_cash(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 k, gc_u128 *y_micros)
{
    return solve(c, true, x_gpu_s, k, y_micros);
}

bool gc_ys_min_inventory(const struct gc_ys *c, gc_u128 y_micros, gc_u128 k, gc_u128 *x_gpu_s)
{
    return solve(c, false, y_micros, k, x_gpu_s);
}

bool gc_ys_price_x64(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 y_micros, gc_u128 *price)
{
    gc_u128 xv, ratio, premium;

    /* ratio = y / x' in 64.64; xv already carries the 2^64 of x' */
    if (x_gpu_s == 0 || y_micros == 0 || y_micros > GC_YS_MAX_AMOUNT ||
        !value_of(c, x_gpu_s, &xv) || xv == 0 ||
        !gc_mul_div_floor(y_micros << 64, GC_FIXED_ONE, xv, &ratio))
        return false;
    if (c->a == GC_FIXED_ONE)
        premium = GC_FIXED_ONE;
    else if (!gc_pow_64x64(ratio, (__int128)(GC_FIXED_ONE - c->a), &premium))
        return false;
    /* anchor x premium, in 64.64 */
    return gc_mul_div_floor((gc_u128)c->anchor_micros, premium, 1, price);
}

bool gc_ys_size(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 y_micros, bool up, gc_u128 *size)
{
    gc_u128 k, mean;

    if (!gc_ys_invariant(c, x_gpu_s, y_micros, &k) || !root_a(c, k / 2, &mean))
        return false;
    /* the powers err far below one micro, so one more than the floor bounds it from above */
    *size = (mean >> 64) + (up ? 1 : 0);
    return true;
}
