/*
 * gc_ys — the YieldSpace curve for perishable inventory: x^a + y^a = K with
 * x the unsold GPU-seconds valued at the anchor price, y the cash, and
 * a = 1 - k x T for T hours to delivery. Far from delivery the curve bends
 * (prices move with scarcity); as T falls to 0 it flattens into x + y = K,
 * a constant sum whose price is the anchor. Domain module, integers only:
 * powers are the deterministic 64.64 ones of gc_fixed.
 *
 * Amounts are micros and GPU-seconds below 2^62; the invariant and the
 * power mean are 64.64 values. The solvers round in the pool's favour and
 * confirm with the same invariant function that a trade never lowers K.
 */
#ifndef GC_YS_H
#define GC_YS_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_u128.h"

/* Largest reserve the curve takes: its 64.64 value keeps one spare integer bit. */
#define GC_YS_MAX_AMOUNT ((gc_u128)1 << 62)
/* Largest anchor price in micros per GPU-hour (about a million currency units). */
#define GC_YS_MAX_ANCHOR ((int64_t)1 << 40)

/*
 * Powers a caller may keep between calls, for one market: a trade takes the
 * power of the same value several times (the invariant before it, the
 * solver's fixed side, the check after it), and the next trade starts from
 * the reserves this one left, at a new exponent. Each entry keeps the
 * logarithm of a value, which does not depend on the exponent and is most of
 * a power's cost, and the power at the last exponent asked. Results are
 * those computed afresh, to the bit. Zeroed is empty.
 */
#define GC_YS_MEMO_ENTRIES 8

struct gc_ys_memo {
    struct {
        gc_u128 v; /* 64.64, nonzero; 0 marks an empty entry */
        __int128 log2;
        gc_u128 y, pow; /* POW = V^Y, Y = 0 when none is kept yet */
    } e[GC_YS_MEMO_ENTRIES];
    unsigned next; /* the entry to replace next */
    /* the curve gc_ys_at made last, for the same arguments again (a trade asks several times) */
    bool have_at;
    int64_t at_k_ppm, at_t_s;
    gc_u128 at_a, at_inv_a;
};

struct gc_ys {
    gc_u128 a;               /* the exponent in 64.64, in [1/20, 1] */
    gc_u128 inv_a;           /* 1 / a in 64.64, rounded down */
    int64_t anchor_micros;   /* price of one GPU-hour at delivery */
    struct gc_ys_memo *memo; /* the caller's memo of powers, or NULL */
};

/*
 * The curve T_S seconds before delivery with curvature K_PPM (millionths per
 * hour): a = 1 - k_ppm x T_s / (10^6 x 3600), rounded up. False when a
 * would fall below 1/20. MEMO (or NULL) is the market's: it keeps the curve's
 * powers between calls, and the curve itself while the arguments stay.
 */
bool gc_ys_at(int64_t k_ppm, int64_t t_s, int64_t anchor_micros, struct gc_ys_memo *memo,
              struct gc_ys *c);

/* K = x'^a + y^a in 64.64, x' = X_GPU_S x anchor / 3600 micros. */
bool gc_ys_invariant(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 y_micros, gc_u128 *k);

/* The least cash Y with K(X_GPU_S, Y) >= K. */
bool gc_ys_min_cash(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 k, gc_u128 *y_micros);
/* The least inventory X with K(X, Y_MICROS) >= K. */
bool gc_ys_min_inventory(const struct gc_ys *c, gc_u128 y_micros, gc_u128 k, gc_u128 *x_gpu_s);

/*
 * The marginal price in micros per GPU-hour as 64.64:
 * anchor x (y / x')^(1 - a), as anchor x 2^((1 - a)(log2 y - log2 x')) from
 * the logarithms the invariant takes too. False when either reserve is empty.
 */
bool gc_ys_price_x64(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 y_micros, gc_u128 *price);

/*
 * The pool's size for LP shares: the power mean ((x'^a + y^a) / 2)^(1/a) in
 * micros, rounded down (UP false) or up. It scales with the reserves, as
 * sqrt(x y) does for constant product.
 */
bool gc_ys_size(const struct gc_ys *c, gc_u128 x_gpu_s, gc_u128 y_micros, bool up, gc_u128 *size);

#endif
