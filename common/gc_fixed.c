#include "gc_fixed.h"

#include <pthread.h>

#include "banned.h"

/*
 * Both functions reduce their argument through tables and finish with a short
 * series, in integers only. Fractions of [1, 2) are kept as 128-bit values F
 * standing for 1 + F / 2^128 ("Q0.128"); logarithms as 128-bit values L
 * standing for L / 2^127 ("Q1.127"). Every step rounds down and errs below
 * 2^-75, so the results are the exact value rounded down to 2^-64, off by at
 * most one unit where the exact value lies within 2^-75 of a unit's edge.
 */

#define LOG_BITS1 7 /* the first table of the logarithm: 2^7 entries */
#define LOG_STEP  7 /* each later table narrows the rest by 2^7 more */
#define LOG_N     (1 << LOG_STEP)
#define EXP_BITS  8 /* the exponential's three tables: 8 bits of the fraction each */
#define EXP_N     (1 << EXP_BITS)

static struct {
    /*
     * The logarithm's: R[t][i] rounds 1 / (1 + i / 2^(7 (t + 1))) up, in 1.63 bits, so that a
     * value times R is at least 1; LOG[t][i] = log2(2^63 / R[t][i]) in Q1.127. Tables 1 and 2
     * take one entry more, for a rest that rounding left a hair above its range.
     */
    uint64_t r[3][LOG_N + 1];
    gc_u128 log[3][LOG_N + 1];
    gc_u128 log2e; /* log2(e) in Q1.127 */
    gc_u128 ln2;   /* ln(2) in Q0.128 */
    /* The exponential's: EXP[t][i] = 2^(i / 2^(8 (t + 1))) - 1 in Q0.128. */
    gc_u128 exp[3][EXP_N];
} T;

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The index of the highest set bit of a nonzero X. */
static int msb128(gc_u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);

    return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll((uint64_t)x);
}

/* floor(A x B / 2^128), written out here so that it inlines. */
static inline gc_u128 mul_hi(gc_u128 a, gc_u128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64), b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    gc_u128 p01 = (gc_u128)a0 * b1, p10 = (gc_u128)a1 * b0;
    gc_u128 mid = (((gc_u128)a0 * b0) >> 64) + (uint64_t)p01 + (uint64_t)p10;

    return (gc_u128)a1 * b1 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
}

/* (1 + A)(1 + B) - 1 for Q0.128 fractions whose product stays below 2. */
static gc_u128 frac_mul(gc_u128 a, gc_u128 b)
{
    return a + b + mul_hi(a, b);
}

/*
 * N binary digits of log2(UX / 2^127) for UX in [2^127, 2^128), the first
 * worth 1/2 (ABDK's method): square, and a square of 2 or more means the next
 * digit is 1 and halves the value back. Each square keeps its high 128 bits
 * and the next one, which errs below 2^-124 in all. Slow (each digit waits on
 * the square before it), so it only makes the tables; the square is written
 * out in 64-bit halves the compiler keeps in registers.
 */
static gc_u128 log2_digits(gc_u128 ux, int n)
{
    uint64_t h = (uint64_t)(ux >> 64), l = (uint64_t)ux;
    gc_u128 digits = 0;

    for (int i = 0; i < n; i++) {
        gc_u128 hl = (gc_u128)h * l, hh = (gc_u128)h * h;
        uint64_t ll_hi = (uint64_t)(((gc_u128)l * l) >> 64);
        /* ux^2 = h^2 2^128 + 2 hl 2^64 + l^2: its third 64-bit digit MID and the carry out */
        uint64_t two_hl = (uint64_t)hl << 1, mid = ll_hi + two_hl;
        gc_u128 sq_hi = hh + (hl >> 63) + (mid < two_hl); /* in [2^126, 2^128) */
        uint64_t s_hi = (uint64_t)(sq_hi >> 64), s_lo = (uint64_t)sq_hi;
        uint64_t b = s_hi >> 63, halve = 0 - b; /* all ones when the square is 2 or more */
        uint64_t h2 = (s_hi << 1) | (s_lo >> 63), l2 = (s_lo << 1) | (mid >> 63);

        /* ux = ux^2 >> (127 + b), back in [2^127, 2^128); by mask, as b is a coin toss */
        h = h2 ^ ((h2 ^ s_hi) & halve);
        l = l2 ^ ((l2 ^ s_lo) & halve);
        digits = digits << 1 | b;
    }
    return digits;
}

/* 2^(2^-I) in Q1.127 for I = 1 .. 3 x EXP_BITS, by exact square roots rounded down. */
static void exp_roots(gc_u128 root[])
{
    /* sqrt(2) x 2^127 = isqrt(2^255); each next root is isqrt(root x 2^127) */
    struct gc_u256 wide = {(gc_u128)1 << 127, 0};

    for (int i = 1; i <= 3 * EXP_BITS; i++) {
        root[i] = gc_isqrt256(wide);
        wide.hi = root[i] >> 1;
        wide.lo = root[i] << 127;
    }
}

static void make_tables(void)
{
    gc_u128 root[3 * EXP_BITS + 1];

    /* ln 2 = sum of 1 / (k 2^k); 128 terms rounded down err below 2^-120 */
    for (int k = 1; k <= 128; k++)
        T.ln2 += ((gc_u128)1 << (128 - k)) / (gc_u128)k;
    gc_div256((struct gc_u256){(gc_u128)1 << 127, 0}, T.ln2, &T.log2e); /* 2^255 / ln2 */

    for (int t = 0; t < 3; t++) {
        int scale = LOG_BITS1 + LOG_STEP * t; /* the entries are 1 + i / 2^scale */

        for (int i = 0; i <= LOG_N; i++) {
            gc_u128 num = (gc_u128)1 << (63 + scale), den = ((gc_u128)1 << scale) + (unsigned)i;
            uint64_t r = (uint64_t)((num + den - 1) / den); /* in (2^62, 2^63] */

            T.r[t][i] = r;
            /* log2(2^63 / r) = 1 - log2(r / 2^62) */
            T.log[t][i] = r == (uint64_t)1 << 63
                              ? 0
                              : ((gc_u128)1 << 127) - log2_digits((gc_u128)r << 65, 127);
        }
    }

    exp_roots(root);
    for (int t = 0; t < 3; t++)
        for (int i = 0; i < EXP_N; i++) {
            gc_u128 v = (gc_u128)1 << 127; /* 1.0 in Q1.127 */

            for (int b = 0; b < EXP_BITS; b++)
                if (i >> (EXP_BITS - 1 - b) & 1) {
                    struct gc_u256 p = gc_mul_wide(v, root[EXP_BITS * t + b + 1]);

                    v = (p.hi << 1) | (p.lo >> 127);
                }
            T.exp[t][i] = (v - ((gc_u128)1 << 127)) << 1;
        }
}

static void tables(void)
{
    pthread_once(&tables_once, make_tables);
}

/*
 * (1 + F) x R / 2^63 - 1 in Q0.128, for R in 1.63 bits and a product in
 * [1, 2): the next rest of the logarithm's reduction, rounded down.
 */
static gc_u128 reduce(gc_u128 f, uint64_t r)
{
    gc_u128 lo = (gc_u128)(uint64_t)f * r, hi = (gc_u128)(uint64_t)(f >> 64) * r;
    /* P = r 2^128 + hi 2^64 + lo in three 64-bit digits */
    uint64_t p0 = (uint64_t)lo, p1 = (uint64_t)(lo >> 64) + (uint64_t)hi;
    uint64_t p2 = (uint64_t)(hi >> 64) + r + (p1 < (uint64_t)hi);

    /* P / 2^63 lies in [2^128, 2^129): its low 128 bits are the rest */
    return (gc_u128)p2 << 65 | (gc_u128)p1 << 1 | p0 >> 63;
}

/*
 * log2 of a value in [1, 2), 1 + F / 2^128, in Q1.127: three table steps
 * bring it within 1 + 2^-21 of 1, where ln(1 + w) = w - w^2/2 + w^3/3 errs
 * below 2^-86.
 */
static gc_u128 log2_frac(gc_u128 f)
{
    gc_u128 sum = 0, w2, w3, ln;
    uint64_t wh;

    for (int t = 0; t < 3; t++) {
        unsigned i = (unsigned)(f >> (128 - LOG_BITS1 - LOG_STEP * t)); /* at most 2^7 */

        sum += T.log[t][i];
        f = reduce(f, T.r[t][i]);
    }
    /* f < 2^-21 + 2^-62 now: its high half keeps every bit the powers need */
    wh = (uint64_t)(f >> 64);
    w2 = (gc_u128)wh * wh;                         /* w^2 in Q0.128 */
    w3 = (gc_u128)((uint64_t)(w2 >> 64) / 3) * wh; /* w^3 / 3 */
    ln = f - (w2 >> 1) + w3;
    return sum + mul_hi(ln, T.log2e);
}

bool gc_log2_64x64(gc_u128 x, __int128 *out)
{
    int msb;
    gc_u128 frac;

    if (x == 0)
        return false;
    tables();
    msb = msb128(x);
    /* x = 2^(msb - 64) (1 + F / 2^128) */
    frac = log2_frac(msb == 0 ? 0 : x << (128 - msb));
    /* the true logarithm of the fraction is below 1: so is what is kept of it */
    if (frac >> 127)
        frac = ((gc_u128)1 << 127) - 1;
    *out = (__int128)(msb - 64) * (__int128)GC_FIXED_ONE + (__int128)(frac >> 63);
    return true;
}

bool gc_exp2_64x64(__int128 x, gc_u128 *out)
{
    __int128 whole;
    uint64_t frac, r;
    gc_u128 s, sh, p, hi, lo;
    int shift;

    if (x >= (__int128)64 << 64)
        return false;
    if (x < -((__int128)64 << 64)) {
        *out = 0; /* below 2^-64: rounds to nothing */
        return true;
    }
    tables();
    /* x = whole + frac with 0 <= frac < 1 */
    whole = x >> 64; /* arithmetic shift: floor */
    frac = (uint64_t)x;
    /*
     * 2^frac = 2^(i1 / 2^8) 2^(i2 / 2^16) 2^(i3 / 2^24) e^s, s = r ln 2 < 2^-24 for the last
     * 40 bits r; e^s = 1 + s + s^2/2 errs below 2^-75.
     */
    r = frac & (((uint64_t)1 << 40) - 1);
    s = (gc_u128)r * (uint64_t)(T.ln2 >> 64) + (((gc_u128)r * (uint64_t)T.ln2) >> 64);
    sh = s >> 64;
    p = s + ((sh * sh) >> 1);
    hi = frac_mul(T.exp[0][frac >> 56], T.exp[1][(frac >> 48) & 0xff]);
    lo = frac_mul(T.exp[2][(frac >> 40) & 0xff], p);
    p = frac_mul(hi, lo); /* 2^frac = 1 + p / 2^128 */
    /* floor((2^128 + p) 2^whole / 2^64), shifting by 64 - whole in [1, 128] */
    shift = 64 - (int)whole;
    *out = shift == 128 ? 1 : ((gc_u128)1 << (128 - shift)) + (p >> shift);
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
