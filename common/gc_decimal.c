#include "gc_decimal.h"

#include <stdbool.h>

#include "banned.h"

#define MAX_DIGITS   64  /* significant digits kept; more are refused, not rounded */
#define MAX_EXPONENT 400 /* beyond this no int64 result is possible but 0 */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

const char *gc_decimal_parse(const char *s, size_t len, int scale, int64_t *out)
{
    char digits[MAX_DIGITS];
    size_t i = 0, n = 0, seen = 0;
    bool neg = false, frac_nonzero = false;
    long exp10 = 0, exp_written = 0;
    __int128 v = 0;
    long k, cut;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    for (; i < len && is_digit(s[i]); i++, seen++)
        if (n > 0 || s[i] != '0') { /* leading zeros carry no value */
            if (n == MAX_DIGITS)
                return "out of range";
            digits[n++] = s[i];
        }
    if (i < len && s[i] == '.') {
        for (i++; i < len && is_digit(s[i]); i++, seen++) {
            exp10--;
            if (n > 0 || s[i] != '0') {
                if (n == MAX_DIGITS)
                    return "out of range";
                digits[n++] = s[i];
            }
        }
    }
    if (seen == 0)
        return "not a decimal number";
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        size_t start;

        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        start = i;
        for (; i < len && is_digit(s[i]); i++)
            if (exp_written < 100000)
                exp_written = exp_written * 10 + (s[i] - '0');
        if (i == start)
            return "not a decimal number";
        exp10 += eneg ? -exp_written : exp_written;
    }
    if (i != len)
        return "not a decimal number";

    /* value = DIGITS x 10^exp10; we want floor(value x 10^scale). */
    k = exp10 + scale;
    if (n == 0 || k < -(long)MAX_DIGITS - MAX_EXPONENT) {
        *out = (neg && n > 0) ? -1 : 0; /* a tiny nonzero negative floors to -1 */
        return NULL;
    }
    if (k > MAX_EXPONENT)
        return "out of range";
    cut = (long)n + (k < 0 ? k : 0); /* digits that form the integer part */
    for (long j = 0; j < cut; j++) {
        v = v * 10 + (digits[j] - '0');
        if (v > (__int128)INT64_MAX + 1)
            return "out of range";
    }
    for (long j = cut < 0 ? 0 : cut; j < (long)n; j++)
        frac_nonzero |= digits[j] != '0';
    for (long j = 0; j < k; j++) {
        v *= 10;
        if (v > (__int128)INT64_MAX + 1)
            return "out of range";
    }
    if (neg) {
        v = -v - (frac_nonzero ? 1 : 0);
        if (v < INT64_MIN)
            return "out of range";
    } else if (v > INT64_MAX) {
        return "out of range";
    }
    *out = (int64_t)v;
    return NULL;
}
