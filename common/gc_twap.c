#include "gc_twap.h"

#include "gc_num.h"
#include "banned.h"

static size_t bucket_of(int64_t ts)
{
    int64_t hour = gc_floor_div(ts, GC_TWAP_PERIOD_S);

    /* A floor modulo: hours before 1970 are negative, and C's % would keep the sign. */
    return (size_t)(hour - gc_floor_div(hour, GC_TWAP_BUCKETS) * GC_TWAP_BUCKETS);
}

void gc_twap_init(struct gc_twap *t, int64_t ts, gc_u128 price)
{
    *t = (struct gc_twap){.price = price, .last_ts = ts, .first_ts = ts};
    t->obs[bucket_of(ts)].ts = ts;
}

struct gc_u256 gc_twap_cum_at(const struct gc_twap *t, int64_t now)
{
    return gc_u256_add(t->cum, gc_mul_wide(t->price, (gc_u128)(now - t->last_ts)));
}

bool gc_twap_update(struct gc_twap *t, int64_t ts, gc_u128 new_price)
{
    int64_t hour;

    if (ts < t->last_ts)
        return false;
    /* Every whole hour in (last_ts, ts] gets its observation at the constant price in between. */
    for (hour = (gc_floor_div(t->last_ts, GC_TWAP_PERIOD_S) + 1) * GC_TWAP_PERIOD_S; hour <= ts;
         hour += GC_TWAP_PERIOD_S) {
        struct gc_twap_obs *o = &t->obs[bucket_of(hour)];

        o->ts = hour;
        o->cum = gc_twap_cum_at(t, hour);
    }
    t->cum = gc_twap_cum_at(t, ts);
    t->last_ts = ts;
    t->price = new_price;
    return true;
}

bool gc_twap_consult(const struct gc_twap *t, int64_t now, gc_u128 *avg, int64_t *elapsed_s)
{
    int64_t oldest =
        (gc_floor_div(now, GC_TWAP_PERIOD_S) - (GC_TWAP_BUCKETS - 1)) * GC_TWAP_PERIOD_S;
    struct gc_twap_obs from;

    if (now < t->last_ts)
        return false;
    if (oldest <= t->first_ts) {
        from = (struct gc_twap_obs){t->first_ts, {0, 0}}; /* younger than the window */
    } else if (oldest >= t->last_ts) {
        from = (struct gc_twap_obs){oldest, gc_twap_cum_at(t, oldest)};
    } else {
        /* passed by an update and not overwritten since: that needs an hour past NOW */
        from = t->obs[bucket_of(oldest)];
        if (from.ts != oldest)
            return false;
    }
    if (now <= from.ts)
        return false;
    *elapsed_s = now - from.ts;
    return gc_div256(gc_u256_sub(gc_twap_cum_at(t, now), from.cum), (gc_u128)*elapsed_s, avg);
}
