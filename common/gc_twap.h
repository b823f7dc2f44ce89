/*
 * gc_twap — the Uniswap v2 price oracle for one market: a cumulative price
 * (price x seconds, wrapping modulo 2^256 as Uniswap's does, so only
 * differences mean anything) and a sliding window of 24 one-hour
 * observations, as ExampleSlidingWindowOracle keeps them. Prices are
 * unsigned fixed-point numbers of the caller's choosing below 2^128:
 * Uniswap's UQ112.112 in the vector tests, 64.64 micros per GPU-hour in
 * the markets. Domain module.
 *
 * Unlike the Solidity example, which stores an observation only when someone
 * calls update(), every hour boundary the price crosses is recorded exactly:
 * the price is constant between events, so the cumulative value at the
 * boundary is known without a call at that second.
 */
#ifndef GC_TWAP_H
#define GC_TWAP_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_u128.h"

#define GC_TWAP_BUCKETS  24
#define GC_TWAP_PERIOD_S 3600

struct gc_twap_obs {
    int64_t ts; /* a whole hour, or the opening time; 0 = empty */
    struct gc_u256 cum;
};

struct gc_twap {
    struct gc_u256 cum; /* sum of price x seconds up to LAST_TS */
    gc_u128 price;      /* the price in force since LAST_TS */
    int64_t last_ts;
    int64_t first_ts; /* when the accumulator started */
    struct gc_twap_obs obs[GC_TWAP_BUCKETS];
};

/* Starts the accumulator at TS with PRICE; the first observation is TS itself. */
void gc_twap_init(struct gc_twap *t, int64_t ts, gc_u128 price);

/*
 * Moves the accumulator to TS (not before LAST_TS) at the price in force,
 * recording an observation at every whole hour passed, then sets the new
 * price. False when TS goes backwards.
 */
bool gc_twap_update(struct gc_twap *t, int64_t ts, gc_u128 new_price);

/* The cumulative price at NOW (>= LAST_TS) as if an update happened then. */
struct gc_u256 gc_twap_cum_at(const struct gc_twap *t, int64_t now);

/*
 * The time-weighted average price over the window ending at NOW: from the
 * observation of the hour 23 periods before NOW's hour (the sliding window's
 * oldest bucket), or from the start when the market is younger than that.
 * *ELAPSED_S gets the length averaged over. False when no time has passed.
 */
bool gc_twap_consult(const struct gc_twap *t, int64_t now, gc_u128 *avg, int64_t *elapsed_s);

#endif
