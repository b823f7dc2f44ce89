/*
 * gc_num — checked integer arithmetic and strict decimal parsing.
 *
 * Every operation reports overflow instead of wrapping; callers turn a false
 * return into a rejected record or an internal error, never a wrong number.
 */
#ifndef GC_NUM_H
#define GC_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* *out = a op b; false (and *out untouched) when the exact result does not fit. */
bool gc_add_i64(int64_t a, int64_t b, int64_t *out);
bool gc_sub_i64(int64_t a, int64_t b, int64_t *out);
bool gc_mul_i64(int64_t a, int64_t b, int64_t *out);
bool gc_add_u64(uint64_t a, uint64_t b, uint64_t *out);
bool gc_mul_u64(uint64_t a, uint64_t b, uint64_t *out);

/*
 * Parses S[0..LEN) as a decimal integer in [MIN, MAX]: an optional '-', then
 * digits with no leading zero (except "0" itself), nothing else: no '+',
 * blanks, fraction or exponent. Returns NULL on success, else a static reason
 * ("not an integer", "out of range").
 */
const char *gc_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);

/* A / B rounded toward negative infinity (B > 0): times before 1970 split the same way. */
int64_t gc_floor_div(int64_t a, int64_t b);

/* Writes the decimal form of V into OUT (at least 21 bytes), NUL-terminated; returns its length. */
size_t gc_fmt_i64(int64_t v, char *out);

#endif
