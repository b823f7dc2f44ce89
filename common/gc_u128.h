/*
 * gc_u128 — the exact integer layer of the markets (gc-amm): unsigned 128-bit
 * amounts, products kept in 256 bits so nothing overflows before a division,
 * floor and ceiling division, integer square roots. No floating point.
 *
 * Amounts are 128-bit so that the published Uniswap v2 test vectors, in
 * 10^18-scaled units, run unscaled; records stay in the DESIGN.md units.
 */
#ifndef GC_U128_H
#define GC_U128_H

#include <stdbool.h>
#include <stddef.h>

typedef unsigned __int128 gc_u128;

/* A 256-bit unsigned number: HI x 2^128 + LO. */
struct gc_u256 {
    gc_u128 hi, lo;
};

#define GC_U128_MAX (~(gc_u128)0)

/* The full 256-bit product A x B. */
struct gc_u256 gc_mul_wide(gc_u128 a, gc_u128 b);

/*
 * floor(A x B / D) and ceil(A x B / D) with the product kept in 256 bits.
 * False (and *OUT untouched) when D is 0 or the quotient exceeds 128 bits.
 */
bool gc_mul_div_floor(gc_u128 a, gc_u128 b, gc_u128 d, gc_u128 *out);
bool gc_mul_div_ceil(gc_u128 a, gc_u128 b, gc_u128 d, gc_u128 *out);

/* floor(A x B / D) in *Q and the remainder in *R, with the product in 256 bits. */
bool gc_mul_divmod(gc_u128 a, gc_u128 b, gc_u128 d, gc_u128 *q, gc_u128 *r);

/* -1, 0 or 1 as X is below, equal to or above Y. */
int gc_u256_cmp(struct gc_u256 x, struct gc_u256 y);
/* X + Y and X - Y modulo 2^256 (accumulators wrap, as Uniswap's do; differences stay exact). */
struct gc_u256 gc_u256_add(struct gc_u256 x, struct gc_u256 y);
struct gc_u256 gc_u256_sub(struct gc_u256 x, struct gc_u256 y);
/* floor(X / D) in *Q; false when D is 0 or the quotient needs more than 128 bits. */
bool gc_div256(struct gc_u256 x, gc_u128 d, gc_u128 *q);
/* Decimal forms of a 256-bit number (OUT at least 80 bytes); parse is false past 2^256 - 1. */
size_t gc_u256_format(struct gc_u256 v, char *out);
bool gc_u256_parse(const char *s, size_t len, struct gc_u256 *out);

/* floor(sqrt(X)) for a 256-bit X; the root always fits in 128 bits. */
gc_u128 gc_isqrt256(struct gc_u256 x);

/*
 * Splits TOTAL over N parts in proportion to WEIGHTS by the largest-remainder
 * method: each part gets floor(TOTAL x w / W) (products in 256 bits), and
 * the units left over go one each to the largest remainders, ties to the
 * lower index, so the parts add up to TOTAL exactly. All zero weights give
 * all zero parts. False when the weights sum past 2^128.
 */
bool gc_apportion_u128(gc_u128 total, const gc_u128 *weights, size_t n, gc_u128 *out);

/* Parses a decimal string of digits only into *OUT; false when it is not one or exceeds 128 bits.
 */
bool gc_u128_parse(const char *s, size_t len, gc_u128 *out);
/* Writes the decimal form of V into OUT (at least 40 bytes) with a NUL; returns its length. */
size_t gc_u128_format(gc_u128 v, char *out);

#endif
