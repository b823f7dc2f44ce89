#include "gc_quote.h"

#include <string.h>

#include "gc_json.h"
#include "gc_time.h"
#include "banned.h"

#define HOUR_S 3600
#define BPS    10000

/* The spot price of M at TS in micros per GPU-hour, rounded down; false when a side is empty. */
static bool spot_micros(const struct gc_amm_market *m, int64_t ts, gc_u128 *micros)
{
    gc_u128 p;

    if (!gc_amm_spot_x64(m, ts, &p))
        return false;
    *micros = p >> 64;
    return true;
}

bool gc_quote_price(const struct gc_amm_market *m, int64_t ts, bool buy, gc_u128 gpu_s,
                    struct gc_quote *q, struct gc_fail *f)
{
    struct gc_amm_market after;
    gc_u128 max = gc_amm_max_amount(m), before, gap, bps;
    bool against;

    memset(q, 0, sizeof(*q));
    q->t.buy = buy;
    q->t.exact_in = !buy;
    q->t.amount = gpu_s;
    if (!gc_amm_price_trade(m, ts, &q->t, f))
        return false;
    q->gpu_s = buy ? q->t.out : q->t.in;
    q->cash_micros = buy ? q->t.in : q->t.out;
    /* A quote prices what gc-amm run would do: amm.swap refuses this too. */
    if (buy ? q->cash_micros > max - m->y_micros : q->gpu_s > max - m->x_gpu_s)
        return gc_fail(f, "too_large", "the market would hold more than 2^%d of an asset",
                       m->curve == GC_AMM_YS ? 62 : 112);
    after = *m;
    after.x_gpu_s = buy ? m->x_gpu_s - q->gpu_s : m->x_gpu_s + q->gpu_s;
    after.y_micros = buy ? m->y_micros + q->cash_micros : m->y_micros - q->cash_micros;
    q->has_spot_before = spot_micros(m, ts, &q->spot_before_micros);
    q->has_spot_after = spot_micros(&after, ts, &q->spot_after_micros);
    /*
     * All in 128 bits (the cash reaches 2^112, so cash x 3600 fits): the 64-bit arithmetic
     * this replaces cut the price to 64 bits and overflowed the impact's product.
     */
    gc_mul_div_floor(q->cash_micros, HOUR_S, q->gpu_s, &q->price_micros);
    before = q->spot_before_micros;
    if (q->has_spot_before && before > 0) {
        against = buy ? q->price_micros >= before : q->price_micros <= before;
        gap = q->price_micros >= before ? q->price_micros - before : before - q->price_micros;
        /* Under 2^127 for any trade the curves price; the check keeps the cast exact. */
        if (!gc_mul_div_floor(gap, BPS, before, &bps) || bps >> 126 != 0)
            return gc_fail(f, "too_large", "the price impact is past 2^126 basis points");
        q->impact_bps = against ? (__int128)bps : -(__int128)bps;
    }
    return true;
}

/* An amount as gc-amm writes one: a JSON integer, or a decimal string past 2^63 - 1. */
static json_t *amount_json(gc_u128 v)
{
    char s[41];

    if (v <= INT64_MAX)
        return json_integer((json_int_t)v);
    gc_u128_format(v, s);
    return json_string(s);
}

/* The impact the same way, with a sign. */
static json_t *impact_json(__int128 v)
{
    char s[42] = "-";

    if (v >= 0 || v >= INT64_MIN)
        return v >= 0 ? amount_json((gc_u128)v) : json_integer((json_int_t)v);
    gc_u128_format(-(gc_u128)v, s + 1);
    return json_string(s);
}

json_t *gc_quote_record(const struct gc_amm_market *m, int64_t ts, const struct gc_quote *q)
{
    char ts_text[GC_TIME_LEN + 1];
    json_t *rec;

    gc_time_format(ts, ts_text);
    rec = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:I}", "type", "amm.quote", "v", 1, "market",
                    m->id, "pool", m->pool, "ts", ts_text, "side", q->t.buy ? "buy" : "sell",
                    "fee_bps", (json_int_t)q->t.fee_bps);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_json_set(rec, "gpu_s", amount_json(q->gpu_s));
    gc_json_set(rec, "cash_micros", amount_json(q->cash_micros));
    gc_json_set(rec, q->t.buy ? "fee_micros" : "fee_gpu_s", amount_json(q->t.fee));
    gc_json_set(rec, "price_micros", amount_json(q->price_micros));
    gc_json_set(rec, "spot_before_micros",
                q->has_spot_before ? amount_json(q->spot_before_micros) : json_integer(-1));
    gc_json_set(rec, "spot_after_micros",
                q->has_spot_after ? amount_json(q->spot_after_micros) : json_integer(-1));
    gc_json_set(rec, "impact_bps", impact_json(q->impact_bps));
    return rec;
}
