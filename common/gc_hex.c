#include "gc_hex.h"

#include "banned.h"

static const char gc_hex_digits[] = "0123456789abcdef";

void gc_hex_encode(const uint8_t *bin, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = gc_hex_digits[bin[i] >> 4];
        out[2 * i + 1] = gc_hex_digits[bin[i] & 15];
    }
    out[2 * n] = '\0';
}

/* 0x10 | the value of each lowercase hex digit; 0 for every other byte. */
static const uint8_t hex_digit[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['a'] = 0x1a, ['b'] = 0x1b,
    ['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e, ['f'] = 0x1f,
};

/*
 * A table and one test at the end, not a branch per digit: every attestation has 192 random
 * digits of prev and sig, on which such branches mispredict half the time (a quarter of
 * gc-verify's work around the signature).
 */
bool gc_hex_decode(const char *hex, size_t hex_len, uint8_t *bin, size_t n)
{
    unsigned all = 0x10;

    if (hex_len != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned hi = hex_digit[(unsigned char)hex[2 * i]];
        unsigned lo = hex_digit[(unsigned char)hex[2 * i + 1]];

        all &= hi & lo;
        bin[i] = (uint8_t)((hi & 0xf) << 4 | (lo & 0xf));
    }
    return all != 0;
}
