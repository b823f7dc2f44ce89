/*
 * gc_ray — Maker-style fixed-point rates: a ray is 10^27, so 1.05 is
 * 1 050 000 000 000 000 000 000 000 000. Products and quotients are rounded
 * half up, as Maker's rmul, rdiv and rpow do, with 256-bit intermediates.
 * Used for interest and discount rates (package NAV, vault fees).
 */
#ifndef GC_RAY_H
#define GC_RAY_H

#include <stdbool.h>

#include <stdint.h>

#include "gc_u128.h"

#define GC_RAY ((gc_u128)1000000000000000000ULL * 1000000000ULL)

/* round(X x Y / RAY), half up; false when the result exceeds 128 bits. */
bool gc_rmul(gc_u128 x, gc_u128 y, gc_u128 *out);
/* round(X x RAY / Y), half up; false for Y = 0 or a result past 128 bits. */
bool gc_rdiv(gc_u128 x, gc_u128 y, gc_u128 *out);
/*
 * X (a ray) to the power N by squaring, each step rounded half up as Maker's
 * rpow; RAY for N = 0. Each squaring doubles the relative error before it,
 * so for X near one (interest rates) the result is within N/2 units of
 * 10^-27 of the exact power (tested against 80-digit references).
 */
bool gc_rpow(gc_u128 x, uint64_t n, gc_u128 *out);

#endif
