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
 * means the next bit is 1 and halves the value back. Each digit waits on the
 * square before it, so the square is written out for speed, in 64-bit halves
 * the compiler keeps in registers: of the 256-bit ux^2 only the high half and
 * the next bit are kept, from three 64-bit products.
 */
bool gc_log2_64x64(gc_u128 x, __int128 *out)
{
    int msb;
    __int128 result;
    gc_u128 ux;
    uint64_t h, l, digits = 0;

    if (x == 0)
        return false;
    msb = msb128(x);
    result = (__int128)(msb - 64) * (__int128)GC_FIXED_ONE;
    ux = x << (127 - msb); /* in [2^127, 2^128): 1.0 <= ux / 2^127 < 2.0 */
    h = (uint64_t)(ux >> 64), l = (uint64_t)ux;
    for (int i = 0; i < 64; i++) {
        gc_u128 hl = (gc_u128)h * l, hh = (gc_u128)h * h;
        uint64_t ll_hi = (uint64_t)(((gc_u128)l * l) >> 64);
        /* ux^2 = h^2 2^128 + 2 hl 2^64 + l^2: its third 64-bit digit MID and the carry out */
        uint64_t two_hl = (uint64_t)hl << 1, mid = ll_hi + two_hl;
        gc_u128 sq_hi = hh + (hl >> 63) + (mid < two_hl); /* in [2^126, 2^128) */
        uint64_t s_hi = (uint64_t)(sq_hi >> 64), s_lo = (uint64_t)sq_hi;
        uint64_t b = s_hi >> 63, halve = 0 - b; /* all ones when the square is 2 or more */
        uint64_t h2 = (s_hi << 1) | (s_lo >> 63), l2 = (s_lo << 1) | (mid >> 63);

        /*
         * ux = ux^2 >> (127 + b), which stays in [2^127, 2^128): sq_hi, or twice it and the
         * next bit. Chosen by mask, not by a branch, which b would mispredict half the time.
         */
        h = h2 ^ ((h2 ^ s_hi) & halve);
        l = l2 ^ ((l2 ^ s_lo) & halve);
        digits = digits << 1 | b;
    }
    *out = result + (__int128)digits;
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

bool gc_exp2_64x64(__int128 x, gc_u128 *out)
{
    const gc_u128 mask = ((gc_u128)1 << 64) - 1;
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
    /*
     * For each set bit of frac, from the highest (i = 1) down: result x roots[i] in 64.64,
     * rounded down. Both lie in [1, 2): result starts at 1 and each root is at least 1 with
     * their product below 2. With a = 1 + a0 and r = 1 + r0 that is 1 + a0 + r0 + a0 r0, of
     * which only a0 r0 needs a multiplication. The loop visits set bits only: a test of each
     * bit would mispredict half the time.
     */
    for (uint64_t bits = (uint64_t)frac; bits != 0;) {
        int k = 63 - __builtin_clzll(bits); /* bit k of frac is 2^-(64 - k) */
        gc_u128 r0 = roots[64 - k] & mask;

        result += r0 + (((result & mask) * r0) >> 64);
        bits ^= (uint64_t)1 << k;
    }
    if (whole >= 0)
        result <<= whole;
    else
        result >>= -whole;
    *out = result;
    return true;
}

bool gc_pow_log2_64x64(__int128 log2_x, __int128 y, gc_u128 *out)
{
    __int128 e;
    struct gc_u256 p;
    bool neg;
    gc_u128 ly, yy, q;

    /* e = y x log2_x in 64.64, signs apart, the magnitude through the wide product */
    neg = (log2_x < 0) != (y < 0);
    ly = (gc_u128)(log2_x < 0 ? -log2_x : log2_x);
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

bool gc_pow_64x64(gc_u128 x, __int128 y, gc_u128 *out)
{
    __int128 l;

    return gc_log2_64x64(x, &l) && gc_pow_log2_64x64(l, y, out);
}
