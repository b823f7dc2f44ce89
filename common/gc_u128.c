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
 * The 256-by-128-bit division X / D by shifting and subtracting, one bit at a
 * time: slow next to hardware division, exact, and only used where products
 * would overflow. Returns false when the quotient needs more than 128 bits.
 */
static bool div_wide(struct gc_u256 x, gc_u128 d, gc_u128 *q, gc_u128 *r)
{
    gc_u128 rem = 0, quo = 0;

    if (d == 0 || x.hi >= d)
        return false;
    if (x.hi == 0) { /* the common case: the product fits, and the hardware divides */
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
    rem = x.hi;
    for (int i = 127; i >= 0; i--) {
        bool carry = rem >> 127;

        rem = (rem << 1) | ((x.lo >> i) & 1);
        quo <<= 1;
        if (carry || rem >= d) {
            rem -= d;
            quo |= 1;
        }
    }
    *q = quo;
    *r = rem;
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

/* X / 10 with the remainder, for the decimal form: two 128-bit long-division steps. */
static unsigned divmod10(struct gc_u256 *x)
{
    const gc_u128 half = (gc_u128)1 << 64;
    gc_u128 hi = x->hi / 10, r = x->hi % 10;
    gc_u128 mid = (r << 64) | (x->lo >> 64), lo;

    x->hi = hi;
    hi = mid / 10;
    r = mid % 10;
    lo = (r << 64) | (x->lo & (half - 1));
    x->lo = (hi << 64) | (lo / 10);
    return (unsigned)(lo % 10);
}

size_t gc_u256_format(struct gc_u256 v, char *out)
{
    char tmp[80];
    size_t n = 0;

    do
        tmp[n++] = (char)('0' + divmod10(&v));
    while (v.hi != 0 || v.lo != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
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
