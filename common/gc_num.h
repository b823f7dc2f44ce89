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

/*
 * Splits TOTAL (>= 0) over N parts in proportion to WEIGHTS (>= 0, not all
 * zero unless TOTAL is 0) by the largest-remainder method: each part gets
 * floor(TOTAL x w / W), and the units left over go one each to the parts
 * with the largest remainders, ties to the lower index. The parts in OUT add
 * up to TOTAL exactly. Callers order parts by their tie key (a device id).
 */
void gc_apportion(int64_t total, const int64_t *weights, size_t n, int64_t *out);

/* Writes the decimal form of V into OUT (at least 21 bytes), NUL-terminated; returns its length. */
size_t gc_fmt_i64(int64_t v, char *out);

#endif
