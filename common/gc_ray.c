#include "gc_ray.h"

#include "banned.h"

bool gc_rmul(gc_u128 x, gc_u128 y, gc_u128 *out)
{
    gc_u128 q, r;

    if (!gc_mul_divmod(x, y, GC_RAY, &q, &r))
        return false;
    if (r >= GC_RAY / 2) { /* half up */
        if (q == GC_U128_MAX)
            return false;
        q++;
    }
    *out = q;
    return true;
}

bool gc_rdiv(gc_u128 x, gc_u128 y, gc_u128 *out)
{
    gc_u128 q, r;

    if (y == 0 || !gc_mul_divmod(x, GC_RAY, y, &q, &r))
        return false;
    if (r >= y - r) { /* r >= y / 2, without overflow: half up */
        if (q == GC_U128_MAX)
            return false;
        q++;
    }
    *out = q;
    return true;
}

bool gc_rpow(gc_u128 x, uint64_t n, gc_u128 *out)
{
    gc_u128 z = (n & 1) ? x : GC_RAY;

    for (n >>= 1; n > 0; n >>= 1) {
        if (!gc_rmul(x, x, &x))
            return false;
        if ((n & 1) && !gc_rmul(z, x, &z))
            return false;
    }
    *out = z;
    return true;
}
