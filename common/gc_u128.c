#include "gc_u128.h"

#include <stdint.h>
#include <stdlib.h>

#include "gc_err.h"

#include "banned.h"

struct gc_u256 gc_mul_wide(gc_u128 a, gc_u128 b)
{
    const gc_u128 mask = ((gc_u128)1 << 64) - 1;
    gc_u128 a0 = a & mask, a1 = a >> 64, b0 = b & mask, b1 = b >> 64;
    gc_u128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    /* The middle column: at most three 64-bit halves, which fits in 128 bits. */
    gc_u128 mid = (p00 >> 64) + (p01 & mask) + (p10 & mask);
    struct gc_u256 r;

    r.lo = (mid << 64) | (p00 & mask);
    r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    return r;
}

/*
 * One 64-bit digit of a long division (Knuth's algorithm D): floor(U / D) for
 * U = TOP x 2^64 + LOW with TOP below D, and D normalized (its top bit set);
 * *R gets the remainder. The estimate from D's top digit is at most two too
 * large.
 */
static uint64_t div_digit(gc_u128 top, uint64_t low, gc_u128 d, gc_u128 *r)
{
    uint64_t d1 = (uint64_t)(d >> 64), d0 = (uint64_t)d;
    uint64_t qhat = (uint64_t)(top >> 64) >= d1 ? UINT64_MAX : (uint64_t)(top / d1);
    gc_u128 lo = (gc_u128)qhat * d0;
    gc_u128 p_top = (gc_u128)qhat * d1 + (lo >> 64); /* qhat x D = p_top x 2^64 + p_low */
    uint64_t p_low = (uint64_t)lo;

    while (p_top > top || (p_top == top && p_low > low)) {
        qhat--;
        p_top -= (gc_u128)d1 + (p_low < d0); /* p -= D */
        p_low -= d0;
    }
    *r = ((top - p_top - (low < p_low)) << 64) | (uint64_t)(low - p_low);
    return qhat;
}

/*
 * X / D for D of 65 bits or more and X.HI below D: two digits of a long
 * division by D shifted to set its top bit, and X with it (which still fits,
 * as X < D x 2^128).
 */
static void div_long(struct gc_u256 x, gc_u128 d, gc_u128 *q, gc_u128 *r)
{
    int s = __builtin_clzll((uint64_t)(d >> 64));
    gc_u128 dn = d << s, rem;
    gc_u128 top = s ? (x.hi << s) | (x.lo >> (128 - s)) : x.hi, low = x.lo << s;
    uint64_t q1 = div_digit(top, (uint64_t)(low >> 64), dn, &rem);
    uint64_t q0 = div_digit(rem, (uint64_t)low, dn, &rem);

    *q = ((gc_u128)q1 << 64) | q0;
    *r = rem >> s;
}

/*
 * The 256-by-128-bit division X / D, exact, for where products would
 * overflow. Returns false when the quotient needs more than 128 bits.
 */
static bool div_wide(struct gc_u256 x, gc_u128 d, gc_u128 *q, gc_u128 *r)
{
    if (d == 0 || x.hi >= d)
        return false;
    if (x.hi == 0 && (x.lo | d) >> 64 == 0) { /* the commonest: one 64-bit division */
        *q = (uint64_t)x.lo / (uint64_t)d;
        *r = (uint64_t)x.lo % (uint64_t)d;
        return true;
    }
    if (x.hi == 0) { /* the product fits, and the hardware divides */
        *q = x.lo / d;
        *r = x.lo % d;
        return true;
    }
    if ((d & (d - 1)) == 0) { /* a power of two (fixed-point rescaling): shifts */
        int k = (uint64_t)d != 0 ? __builtin_ctzll((uint64_t)d)
                                 : 64 + __builtin_ctzll((uint64_t)(d >> 64));

        *q = (x.lo >> k) | (x.hi << (128 - k)); /* 0 < k < 128, since x.hi < d */
        *r = x.lo & (d - 1);
        return true;
    }
    if (d >> 64 == 0) { /* a 64-bit divisor: two hardware divisions of 64-bit digits */
        const gc_u128 mask = ((gc_u128)1 << 64) - 1;
        gc_u128 top = (x.hi << 64) | (x.lo >> 64), q1 = top / d;
        gc_u128 bottom = ((top % d) << 64) | (x.lo & mask);

        *q = (q1 << 64) | (bottom / d);
        *r = bottom % d;
        return true;
    }
    div_long(x, d, q, r);
    return true;
}

bool gc_mul_divmod(gc_u128 a, gc_u128 b, gc_u128 d, gc_u128 *q, gc_u128 *r)
{
    return div_wide(gc_mul_wide(a, b), d, q, r);
}

bool gc_mul_div_floor(gc_u128 a, gc_u128 b, gc_u128 d, gc_u128 *out)
{
    gc_u128 q, r;

    if (!div_wide(gc_mul_wide(a, b), d, &q, &r))
        return false;
    *out = q;
    return true;
}

bool gc_mul_div_ceil(gc_u128 a, gc_u128 b, gc_u128 d, gc_u128 *out)
{
    gc_u128 q, r;

    if (!div_wide(gc_mul_wide(a, b), d, &q, &r) || (r != 0 && q == GC_U128_MAX))
        return false;
    *out = q + (r != 0);
    return true;
}

struct gc_u256 gc_u256_add(struct gc_u256 x, struct gc_u256 y)
{
    struct gc_u256 r = {x.hi + y.hi, x.lo + y.lo};

    r.hi += r.lo < x.lo;
    return r;
}

struct gc_u256 gc_u256_sub(struct gc_u256 x, struct gc_u256 y)
{
    struct gc_u256 r = {x.hi - y.hi, x.lo - y.lo};

    r.hi -= x.lo < y.lo;
    return r;
}

bool gc_div256(struct gc_u256 x, gc_u128 d, gc_u128 *q)
{
    gc_u128 r;

    return div_wide(x, d, q, &r);
}

/* X / D for a 64-bit D, digit by digit from the top; returns the remainder. */
static uint64_t divmod64(struct gc_u256 *x, uint64_t d)
{
    uint64_t digits[4] = {(uint64_t)(x->hi >> 64), (uint64_t)x->hi, (uint64_t)(x->lo >> 64),
                          (uint64_t)x->lo};
    gc_u128 rem = 0;

    for (int i = 0; i < 4; i++) {
        gc_u128 cur = (rem << 64) | digits[i];

        digits[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
    x->hi = ((gc_u128)digits[0] << 64) | digits[1];
    x->lo = ((gc_u128)digits[2] << 64) | digits[3];
    return (uint64_t)rem;
}

size_t gc_u256_format(struct gc_u256 v, char *out)
{
    /* Nineteen decimal digits at a time: the remainders of dividing by 10^19. */
    const uint64_t ten19 = 10000000000000000000ULL;
    uint64_t chunks[5];
    size_t n = 0, len = 0;

    do
        chunks[n++] = divmod64(&v, ten19);
    while (v.hi != 0 || v.lo != 0);
    len = gc_u128_format(chunks[n - 1], out);
    while (n-- > 1) {
        uint64_t c = chunks[n - 1];

        for (int i = 18; i >= 0; i--, c /= 10)
            out[len + (size_t)i] = (char)('0' + c % 10);
        len += 19;
    }
    out[len] = '\0';
    return len;
}

bool gc_u256_parse(const char *s, size_t len, struct gc_u256 *out)
{
    struct gc_u256 v = {0, 0};

    if (len == 0 || len > 78)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        struct gc_u256 t = gc_mul_wide(v.lo, 10);

        if (d > 9 || v.hi > (GC_U128_MAX - t.hi) / 10)
            return false;
        t.hi += v.hi * 10;
        v = gc_u256_add(t, (struct gc_u256){0, d});
        if (v.hi < t.hi)
            return false;
    }
    *out = v;
    return true;
}

int gc_u256_cmp(struct gc_u256 a, struct gc_u256 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return a.lo < b.lo ? -1 : a.lo > b.lo;
}

gc_u128 gc_isqrt256(struct gc_u256 x)
{
    /* Binary search on the root: 128 steps, each a wide square and a compare. */
    gc_u128 lo = 0, hi = GC_U128_MAX;

    while (lo < hi) {
        gc_u128 mid = lo + (hi - lo) / 2 + 1;

        if (gc_u256_cmp(gc_mul_wide(mid, mid), x) <= 0)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

bool gc_u128_parse(const char *s, size_t len, gc_u128 *out)
{
    gc_u128 v = 0;

    if (len == 0 || len > 39)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');

        if (d > 9 || v > (GC_U128_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

size_t gc_u128_format(gc_u128 v, char *out)
{
    char tmp[40];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

struct share_rem {
    gc_u128 rem;
    size_t i;
};

/* Largest remainder first, then the lower index. */
static int rem_cmp(const void *a, const void *b)
{
    const struct share_rem *x = a, *y = b;

    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

bool gc_apportion_u128(gc_u128 total, const gc_u128 *weights, size_t n, gc_u128 *out)
{
    gc_u128 sum_w = 0, given = 0;
    struct share_rem *rem;

    for (size_t i = 0; i < n; i++) {
        if (sum_w + weights[i] < sum_w)
            return false;
        sum_w += weights[i];
    }
    if (sum_w == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = 0;
        return true;
    }
    rem = gc_xmalloc((n + 1) * sizeof(*rem));
    for (size_t i = 0; i < n; i++) {
        gc_mul_divmod(total, weights[i], sum_w, &out[i], &rem[i].rem); /* <= total: fits */
        rem[i].i = i;
        given += out[i];
    }
    qsort(rem, n, sizeof(*rem), rem_cmp);
    for (size_t k = 0; given < total; k++, given++)
        out[rem[k].i]++;
    free(rem);
    return true;
}
