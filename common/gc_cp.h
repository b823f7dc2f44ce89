/*
 * gc_cp — the constant-product curve with a fee, exactly as Uniswap v2 does
 * it, in 128-bit amounts with 256-bit intermediates. Every rounding favours
 * the pool: what a trader receives is rounded down, what a trader must pay
 * rounded up. Domain module: no I/O.
 */
#ifndef GC_CP_H
#define GC_CP_H

#include <stdbool.h>

#include "gc_u128.h"

/* The locked liquidity of a new pool (Uniswap v2's MINIMUM_LIQUIDITY). */
#define GC_CP_MIN_LIQUIDITY 1000

/*
 * What AMOUNT_IN buys from reserves RESERVE_IN/RESERVE_OUT after a fee of
 * FEE_BPS: floor(in x (10000 - fee) x r_out / (r_in x 10000 + in x (10000 - fee))).
 * False for empty reserves, a zero amount, or a fee outside 0..9999.
 */
bool gc_cp_amount_out(gc_u128 amount_in, gc_u128 reserve_in, gc_u128 reserve_out, unsigned fee_bps,
                      gc_u128 *out);

/* What must be paid in to receive AMOUNT_OUT (< RESERVE_OUT): rounded up, as getAmountIn. */
bool gc_cp_amount_in(gc_u128 amount_out, gc_u128 reserve_in, gc_u128 reserve_out, unsigned fee_bps,
                     gc_u128 *in);

/* The equal-value amount of the other asset: floor(A x RESERVE_B / RESERVE_A). */
bool gc_cp_quote(gc_u128 a, gc_u128 reserve_a, gc_u128 reserve_b, gc_u128 *b);

/*
 * Liquidity of a first deposit: floor(sqrt(A0 x A1)) of which
 * GC_CP_MIN_LIQUIDITY stay locked forever; *TO_USER gets the rest. False
 * when the deposit is too small to lock that much.
 */
bool gc_cp_mint_first(gc_u128 a0, gc_u128 a1, gc_u128 *total, gc_u128 *to_user);

/* A UQ112.112 price: RESERVE_B x 2^112 / RESERVE_A, rounded down (the TWAP accumulator's unit). */
bool gc_cp_price_uq112(gc_u128 reserve_a, gc_u128 reserve_b, gc_u128 *price);

/*
 * Uniswap v2's protocol fee (feeTo on): the shares minted to the protocol
 * for the growth of sqrt(k) from ROOT_K_LAST to ROOT_K over TOTAL_SUPPLY
 * shares, a sixth of the fees: floor(ts x (rootK - rootKlast) / (5 rootK + rootKlast)).
 */
bool gc_cp_protocol_fee(gc_u128 total_supply, gc_u128 root_k, gc_u128 root_k_last, gc_u128 *liq);

#endif
