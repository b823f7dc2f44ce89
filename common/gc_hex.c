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

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool gc_hex_decode(const char *hex, size_t hex_len, uint8_t *bin, size_t n)
{
    if (hex_len != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        bin[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}
