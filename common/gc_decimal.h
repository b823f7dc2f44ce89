/*
 * gc_decimal — decimal numbers from meter exports, read exactly.
 *
 * "0.1 kWh" is not a binary fraction: these parse the digits as written and
 * scale them in integers, so no value ever passes through a double.
 */
#ifndef GC_DECIMAL_H
#define GC_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses S[0..LEN) — "[+-]digits[.digits][(e|E)[+-]digits]", at least one
 * digit before or after the point — and stores floor(value x 10^SCALE) in
 * *OUT: SCALE 3 turns "1.2345" kWh into 1234 Wh, and "-0.0005" into -1.
 * Returns NULL, or a static reason ("not a decimal number", "out of range").
 */
const char *gc_decimal_parse(const char *s, size_t len, int scale, int64_t *out);

#endif
