/*
 * gc_fixed — deterministic fixed-point logarithm and exponential in 64.64
 * (a value v stands for v / 2^64), in integers only, for curves whose shape
 * bends with time to delivery. The same inputs give the same bits on every
 * machine, which floating point does not promise.
 *
 * Each reduces its argument through tables made once, on first use, and ends
 * with a short series, erring below 2^-75 before the result is rounded down.
 * Error bounds (tested against 90-digit references):
 *   gc_log2_64x64: within 2^-63 absolute: the exact value rounded down, or
 *                  one unit off it where that lies within 2^-75 of a unit's edge;
 *                  exact for powers of two;
 *   gc_exp2_64x64: within 2^-63 relative (and one unit); exact for whole X;
 *   gc_pow_64x64:  within 2^-56 relative for results that fit and exponents
 *                  up to 64 in size.
 */
#ifndef GC_FIXED_H
#define GC_FIXED_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_u128.h"

#define GC_FIXED_ONE ((gc_u128)1 << 64)

/* log2(X) for X > 0 in unsigned 64.64, as a signed 64.64 value; false for X = 0. */
bool gc_log2_64x64(gc_u128 x, __int128 *out);

/* 2^X for a signed 64.64 X below 64 (so that the result fits); false otherwise. */
bool gc_exp2_64x64(__int128 x, gc_u128 *out);

/* X^Y = 2^(Y x log2 X) for X > 0 and a signed 64.64 Y; false when it does not fit. */
bool gc_pow_64x64(gc_u128 x, __int128 y, gc_u128 *out);

/*
 * The same power from LOG2_X = gc_log2_64x64(X), for a caller that keeps the logarithm
 * (the logarithm costs more than the rest); the result is gc_pow_64x64's to the bit.
 */
bool gc_pow_log2_64x64(__int128 log2_x, __int128 y, gc_u128 *out);

#endif
