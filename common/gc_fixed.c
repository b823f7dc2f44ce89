#include "gc_fixed.h"

#include "banned.h"

/* The index of the highest set bit of a nonzero X. */
static int msb128(gc_u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);

    return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll((uint64_t)x);
}

/*
 * Binary digits of the logarithm one at a time (ABDK's method): normalise X
 * to [1, 2) with 127 fractional bits, then square; a square of 2 or more
 * means the next bit is 1 and halves the value back.
 */
bool gc_log2_64x64(gc_u128 x, __int128 *out)
{
    int msb;
    __int128 result;
    gc_u128 ux;

    if (x == 0)
        return false;
    msb = msb128(x);
    result = (__int128)(msb - 64) * (__int128)GC_FIXED_ONE;
    ux = x << (127 - msb); /* in [2^127, 2^128): 1.0 <= ux / 2^127 < 2.0 */
    for (gc_u128 bit = (gc_u128)1 << 63; bit > 0; bit >>= 1) {
        struct gc_u256 sq = gc_mul_wide(ux, ux); /* in [2^254, 2^256) */
        int b = (int)(sq.hi >> 127);

        /* ux = sq >> (127 + b), which stays in [2^127, 2^128) */
        if (b)
            ux = sq.hi;
        else
            ux = (sq.hi << 1) | (sq.lo >> 127);
        if (b)
            result += (__int128)bit;
    }
    *out = result;
    return true;
}

/* 2^(2^-i) in 64.64 for i = 1..64, by repeated exact square roots of 2. */
static gc_u128 roots[65];
static bool have_roots;

static void make_roots(void)
{
    gc_u128 v = (gc_u128)2 << 64; /* 2.0 */

    for (int i = 1; i <= 64; i++) {
        /* sqrt of a 64.64 value: isqrt(v x 2^64) is its root in 64.64, rounded down */
        struct gc_u256 wide = {v >> 64, v << 64};

        v = gc_isqrt256(wide);
        roots[i] = v;
    }
    have_roots = true;
}

/* A x B in 64.64, rounded down; false if it does not fit. */
static bool mul64x64(gc_u128 a, gc_u128 b, gc_u128 *out)
{
    return gc_mul_div_floor(a, b, GC_FIXED_ONE, out);
}

bool gc_exp2_64x64(__int128 x, gc_u128 *out)
{
    __int128 whole;
    gc_u128 frac, result = GC_FIXED_ONE;

    if (x >= (__int128)64 << 64)
        return false;
    if (x < -((__int128)64 << 64)) {
        *out = 0; /* below 2^-64: rounds to nothing */
        return true;
    }
    if (!have_roots)
        make_roots();
    /* x = whole + frac with 0 <= frac < 1 */
    whole = x >> 64; /* arithmetic shift: floor */
    frac = (gc_u128)(x - whole * (__int128)GC_FIXED_ONE);
    for (int i = 1; i <= 64; i++)
        if ((frac >> (64 - i)) & 1)
            mul64x64(result, roots[i], &result); /* stays below 2.0: cannot overflow */
    if (whole >= 0)
        result <<= whole;
    else
        result >>= -whole;
    *out = result;
    return true;
}

bool gc_pow_64x64(gc_u128 x, __int128 y, gc_u128 *out)
{
    __int128 l, e;
    struct gc_u256 p;
    bool neg;
    gc_u128 ly, yy, q;

    if (!gc_log2_64x64(x, &l))
        return false;
    /* e = y x l in 64.64, signs apart, the magnitude through the wide product */
    neg = (l < 0) != (y < 0);
    ly = (gc_u128)(l < 0 ? -l : l);
    yy = (gc_u128)(y < 0 ? -y : y);
    p = gc_mul_wide(ly, yy);
    if (p.hi >> 64 != 0)
        return false;
    q = (p.hi << 64) | (p.lo >> 64);
    if (q >> 127)
        return false;
    e = neg ? -(__int128)q : (__int128)q;
    return gc_exp2_64x64(e, out);
}
