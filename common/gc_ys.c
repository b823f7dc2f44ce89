#include "gc_ys.h"

#include "gc_fixed.h"
#include "banned.h"

#define HOUR_S 3600
#define PPM    1000000

/* The exponent a and 1 / a of the curve T_S seconds before delivery. */
static bool exponent(int64_t k_ppm, int64_t t_s, gc_u128 *a, gc_u128 *inv_a)
{
    gc_u128 bend;

    /* k x T as 64.64, rounded down so that a = 1 - kT rounds up */
    if (!gc_mul_div_floor((gc_u128)k_ppm * (gc_u128)t_s, GC_FIXED_ONE, (gc_u128)PPM * HOUR_S,
                          &bend) ||
        bend > GC_FIXED_ONE - GC_FIXED_ONE / 20)
        return false;
    *a = GC_FIXED_ONE - bend;
    return gc_mul_div_floor(GC_FIXED_ONE, GC_FIXED_ONE, *a, inv_a);
}

bool gc_ys_at(int64_t k_ppm, int64_t t_s, int64_t anchor_micros, struct gc_ys_memo *memo,
              struct gc_ys *c)
{
    if (k_ppm < 0 || t_s < 0 || anchor_micros <= 0 || anchor_micros > GC_YS_MAX_ANCHOR)
        return false;
    c->anchor_micros = anchor_micros;
    c->memo = memo;
    if (memo != NULL && memo->have_at && memo->at_k_ppm == k_ppm && memo->at_t_s == t_s) {
        c->a = memo->at_a;
        c->inv_a = memo->at_inv_a;
        return true;
    }
    if (!exponent(k_ppm, t_s, &c->a, &c->inv_a))
        return false;
    if (memo != NULL) {
        memo->have_at = true;
        memo->at_k_ppm = k_ppm;
        memo->at_t_s = t_s;
        memo->at_a = c->a;
        memo->at_inv_a = c->inv_a;
    }
    return true;
}

/* The memo's entry for a nonzero 64.64 V, made (with its logarithm) when there is none. */
static bool entry(struct gc_ys_memo *memo, gc_u128 v, size_t *at)
{
    size_t i;

    for (i = 0; i < GC_YS_MEMO_ENTRIES; i++)
        if (memo->e[i].v == v) {
            *at = i;
            return true;
        }
    i = memo->next; /* a new value takes the oldest entry */
    memo->next = (memo->next + 1) % GC_YS_MEMO_ENTRIES;
    memo->e[i].y = 0;
    if (!gc_log2_64x64(v, &memo->e[i].log2)) {
        memo->e[i].v = 0;
        return false;
    }
    memo->e[i].v = v;
    *at = i;
    return true;
}

/* log2 V for a nonzero 64.64 V, through C's memo when it has one. */
static bool log2_of(const struct gc_ys *c, gc_u128 v, __int128 *out)
{
    size_t i;

    if (c->memo == NULL)
        return gc_log2_64x64(v, out);
    if (!entry(c->memo, v, &i))
        return false;
    *out = c->memo->e[i].log2;
    return true;
}

/* V^Y for a nonzero 64.64 V and a positive exponent Y, through C's memo when it has one. */
static bool power(const struct gc_ys *c, gc_u128 v, gc_u128 y, gc_u128 *out)
{
    struct gc_ys_memo *memo = c->memo;
    size_t i;

    if (memo == NULL)
        return gc_pow_64x64(v, (__int128)y, out);
    if (!entry(memo, v, &i))
        return false;
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
    if (v == 0 || c->a == GC_FIXED_ONE) {
        *out = v;
        return true;
    }
    return power(c, v, c->inv_a, out);
}

/*
 * N / 3600 as its whole part and 64 bits of fraction, rounded down: a long
 * division by the constant in 32-bit digits below the point, each a 64-bit
 * division the compiler turns into a product.
 */
static gc_u128 per_hour(gc_u128 n, uint64_t *frac)
{
    gc_u128 whole = n >> 64 ? n / HOUR_S : (uint64_t)n / HOUR_S;
    uint64_t rem = (uint64_t)(n - whole * HOUR_S), hi, lo;

    hi = (rem << 32) / HOUR_S;
    rem = (rem << 32) % HOUR_S;
    lo = (rem << 32) / HOUR_S;
    *frac = hi << 32 | lo;
    return whole;
}

/* The 64.64 value in micros of X GPU-seconds at the anchor. */
static bool value_of(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 *v)
{
    gc_u128 whole;
    uint64_t frac;

    if (x_gpu_s > GC_YS_MAX_AMOUNT)
        return false;
    whole = per_hour(x_gpu_s * (gc_u128)c->anchor_micros, &frac); /* below 2^102 / 3600 */
    if (whole > GC_YS_MAX_AMOUNT)
        return false;
    *v = whole << 64 | frac;
    return true;
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
    gc_u128 xv, premium;
    __int128 lx, ly;

    if (x_gpu_s == 0 || y_micros == 0 || y_micros > GC_YS_MAX_AMOUNT ||
        !value_of(c, x_gpu_s, &xv) || xv == 0)
        return false;
    if (c->a == GC_FIXED_ONE) {
        premium = GC_FIXED_ONE;
    } else {
        /* (y / x')^(1 - a) = 2^((1 - a)(log2 y - log2 x')), x' already in 64.64 */
        if (!log2_of(c, y_micros << 64, &ly) || !log2_of(c, xv, &lx) ||
            !gc_pow_log2_64x64(ly - lx, (__int128)(GC_FIXED_ONE - c->a), &premium))
            return false;
    }
    /* anchor x premium, in 64.64 */
    if (premium > GC_U128_MAX / (gc_u128)c->anchor_micros)
        return false;
    *price = (gc_u128)c->anchor_micros * premium;
    return true;
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
