#include "gc_u128.h"

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

/* A 256-bit comparison: -1, 0 or 1. */
static int cmp256(struct gc_u256 a, struct gc_u256 b)
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

        if (cmp256(gc_mul_wide(mid, mid), x) <= 0)
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
