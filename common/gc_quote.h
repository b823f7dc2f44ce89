/*
 * gc_quote — gc-amm quote: a trade priced against a market and not made (gc-amm(1), Quotes),
 * with its average price, the marginal prices before and after it, and its price impact.
 * Domain module: no I/O, no clock.
 */
#ifndef GC_QUOTE_H
#define GC_QUOTE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_amm.h"
#include "gc_err.h"
#include "gc_u128.h"

struct gc_quote {
    struct gc_amm_trade t;      /* as gc_amm_price_trade priced it: fee, fee_bps */
    gc_u128 gpu_s, cash_micros; /* what would change hands */
    gc_u128 price_micros;       /* per GPU-hour: cash x 3600 / gpu_s rounded down, as amm.fill */
    /* The marginal prices per GPU-hour before and after, rounded down, if HAS_SPOT_*. */
    gc_u128 spot_before_micros, spot_after_micros;
    bool has_spot_before, has_spot_after; /* false when a side of the market is empty */
    /*
     * How far the average price lies from the spot price before, against the trader, in
     * basis points of the spot price, rounded toward zero; 0 without a spot price before.
     */
    __int128 impact_bps;
};

/*
 * Prices buying (BUY) or selling exactly GPU_S GPU-seconds in M at TS, which must lie before
 * M's delivery hour and not before its last event, into Q, as gc-amm run would swap it. Fails
 * as gc_amm_price_trade does, and "too_large" as amm.swap does when the market would hold
 * more than gc_amm_max_amount.
 */
bool gc_quote_price(const struct gc_amm_market *m, int64_t ts, bool buy, gc_u128 gpu_s,
                    struct gc_quote *q, struct gc_fail *f);

/*
 * The canonical "amm.quote" record of Q, priced in M at TS (a new reference). Amounts, prices
 * and the impact past 2^63 - 1 are strings of decimal digits, as in the receipts of gc-amm;
 * a spot price the market does not have is -1.
 */
json_t *gc_quote_record(const struct gc_amm_market *m, int64_t ts, const struct gc_quote *q);

#endif
