#include "gc_num.h"

#include "gc_u128.h"

#include <stdlib.h>

#include "gc_err.h"

#include "banned.h"

/*
 * The builtins compute the exact result and report whether it fit; writing
 * through a local first keeps *out untouched on overflow, as the header promises.
 */
bool gc_add_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;

    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool gc_sub_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;

    if (__builtin_sub_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool gc_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;

    if (__builtin_mul_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool gc_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    uint64_t r;

    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

bool gc_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    uint64_t r;

    if (__builtin_mul_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

const char *gc_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    /* 2^63: the magnitude of INT64_MIN, one more than INT64_MAX. */
    const uint64_t neg_limit = (uint64_t)INT64_MAX + 1;
    bool negative = false;
    uint64_t mag = 0;
    bool too_big = false;
    int64_t v;
    size_t i = 0;

    if (len > 0 && s[0] == '-') {
        negative = true;
        i = 1;
    }
    if (i == len)
        return "not an integer";
    /*
     * One spelling per number: "01" and "-0" would let two different strings
     * stand for the same value, which breaks anything that compares or hashes
     * the text.
     */
    if (s[i] == '0' && (len - i > 1 || negative))
        return "not an integer";
    /*
     * Keep scanning after the magnitude exceeds 2^63 so that "99999999999999999999x"
     * is reported as malformed rather than out of range: syntax first, then value.
     */
    for (; i < len; i++) {
        unsigned digit;

        if (s[i] < '0' || s[i] > '9')
            return "not an integer";
        digit = (unsigned)(s[i] - '0');
        if (!too_big && (mag > (neg_limit - digit) / 10))
            too_big = true;
        if (!too_big)
            mag = mag * 10 + digit;
    }
    if (too_big || (!negative && mag > (uint64_t)INT64_MAX))
        return "out of range";
    /* Negate in unsigned arithmetic: -(int64_t)2^63 would overflow. */
    if (negative)
        v = mag == neg_limit ? INT64_MIN : -(int64_t)mag;
    else
        v = (int64_t)mag;
    if (v < min || v > max)
        return "out of range";
    *out = v;
    return NULL;
}

size_t gc_fmt_i64(int64_t v, char *out)
{
    /* Work on the unsigned magnitude so INT64_MIN needs no special case. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char rev[20];
    size_t n = 0, len = 0;

    do {
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    if (v < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = rev[--n];
    out[len] = '\0';
    return len;
}

int64_t gc_floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void gc_apportion(int64_t total, const int64_t *weights, size_t n, int64_t *out)
{
    gc_u128 *w = gc_xmalloc((2 * n + 1) * sizeof(*w)), *parts = w + n;

    /* one method for every width: the 128-bit one, whose parts here fit back in 64 bits */
    for (size_t i = 0; i < n; i++)
        w[i] = (gc_u128)weights[i];
    gc_apportion_u128((gc_u128)total, w, n, parts);
    for (size_t i = 0; i < n; i++)
        out[i] = (int64_t)parts[i];
    free(w);
}
