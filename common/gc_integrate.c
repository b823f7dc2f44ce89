#include "gc_integrate.h"

#include "gc_num.h"

#include <string.h>

#include "banned.h"

void gc_integrator_init(struct gc_integrator *g, int64_t period_s, int64_t max_gap_ms)
{
    memset(g, 0, sizeof(*g));
    g->period_s = period_s;
    g->max_gap_ms = max_gap_ms;
}

/* Books the open period and keeps the fractions for the next one. */
static void close_period(struct gc_integrator *g, gc_period_fn emit, void *ctx)
{
    struct gc_period p;
    int64_t busy_s;

    if (!g->open)
        return;
    g->open = false;
    if (!g->booked)
        return; /* a lone sample measures nothing; the carries wait for the next period */
    g->booked = false;
    p.ts = g->period_ts;
    p.period_s = g->period_s;
    p.energy_wh = (int64_t)(g->energy_mwms / GC_MWMS_PER_WH);
    g->energy_mwms -= (__int128)p.energy_wh * GC_MWMS_PER_WH;
    p.covered_s = g->covered_ms / 1000;
    g->covered_ms -= p.covered_s * 1000;
    busy_s = (int64_t)(g->busy_pct_ms / 100000);
    /* Floors of two carried sums can part by one second: busy never exceeds covered. */
    if (busy_s > p.covered_s)
        busy_s = p.covered_s;
    g->busy_pct_ms -= (__int128)busy_s * 100000;
    p.busy_s = busy_s;
    g->energy_total_wh += p.energy_wh;
    emit(ctx, &p);
}

static void open_period(struct gc_integrator *g, int64_t t_ms)
{
    g->period_ts = gc_floor_div(gc_floor_div(t_ms, 1000), g->period_s) * g->period_s;
    g->open = true;
}

/*
 * Books the interval from the last sample to T_MS in the periods it touches.
 * ENERGY_UJ >= 0 is the energy a counter measured over it, spread in
 * proportion to time with cumulative floors so the parts add up to it
 * exactly; -1 holds the last sample's power instead. COVERED: the interval
 * counts as covered (and busy) time.
 */
static void bridge(struct gc_integrator *g, int64_t t_ms, int64_t energy_uj, bool covered,
                   gc_period_fn emit, void *ctx)
{
    int64_t from = g->t_ms, span = t_ms - g->t_ms;
    __int128 spread = 0;

    while (from < t_ms) {
        int64_t end_ms, dt;

        if (!g->open)
            open_period(g, from);
        end_ms = (g->period_ts + g->period_s) * 1000;
        if (end_ms > t_ms)
            end_ms = t_ms;
        dt = end_ms - from;
        if (energy_uj >= 0) {
            __int128 upto = end_ms == t_ms ? (__int128)energy_uj
                                           : (__int128)energy_uj * (end_ms - g->t_ms) / span;

            g->energy_mwms += upto - spread;
            spread = upto;
        } else if (g->power_mw > 0) {
            g->energy_mwms += (__int128)g->power_mw * dt;
        }
        if (covered) {
            g->covered_ms += dt;
            if (g->util_pct > 0)
                g->busy_pct_ms += (__int128)g->util_pct * dt;
        }
        g->booked = true;
        from = end_ms;
        if (from < t_ms)
            close_period(g, emit, ctx);
    }
}

static bool check_sample(const struct gc_integrator *g, int64_t t_ms, int util_pct,
                         struct gc_fail *f)
{
    if (util_pct > 100 || util_pct < -1)
        return gc_fail(f, "bad_number", "utilization %d%% is outside 0..100", util_pct);
    if (g->have_sample && t_ms <= g->t_ms)
        return gc_fail(f, "non_monotonic_time", "sample is not after the previous one");
    return true;
}

/* Makes the sample at T_MS the last one; a sample in a later period closes the open one. */
static void take_sample(struct gc_integrator *g, int64_t t_ms, int64_t power_mw, int util_pct,
                        gc_period_fn emit, void *ctx)
{
    if (g->open && gc_floor_div(t_ms, 1000) >= g->period_ts + g->period_s)
        close_period(g, emit, ctx);
    if (!g->open && power_mw >= 0)
        open_period(g, t_ms);
    g->have_sample = true;
    g->t_ms = t_ms;
    g->power_mw = power_mw;
    g->util_pct = util_pct;
}

bool gc_integrator_add(struct gc_integrator *g, int64_t t_ms, int64_t power_mw, int util_pct,
                       gc_period_fn emit, void *ctx, struct gc_fail *f)
{
    if (power_mw < -1)
        return gc_fail(f, "bad_number", "negative power");
    if (!check_sample(g, t_ms, util_pct, f))
        return false;
    if (g->have_sample && g->power_mw >= 0 && t_ms - g->t_ms <= g->max_gap_ms)
        bridge(g, t_ms, -1, true, emit, ctx);
    take_sample(g, t_ms, power_mw, util_pct, emit, ctx);
    return true;
}

bool gc_integrator_add_energy(struct gc_integrator *g, int64_t t_ms, int64_t energy_uj,
                              int util_pct, gc_period_fn emit, void *ctx, struct gc_fail *f)
{
    if (energy_uj < -1)
        return gc_fail(f, "bad_number", "negative energy");
    if (!check_sample(g, t_ms, util_pct, f))
        return false;
    /* What a counter measured is booked even across a gap; only the coverage is not. */
    if (g->have_sample && energy_uj >= 0)
        bridge(g, t_ms, energy_uj, t_ms - g->t_ms <= g->max_gap_ms, emit, ctx);
    take_sample(g, t_ms, -1, util_pct, emit, ctx);
    return true;
}

void gc_integrator_stop_hold(struct gc_integrator *g)
{
    g->power_mw = -1;
}

void gc_integrator_finish(struct gc_integrator *g, gc_period_fn emit, void *ctx)
{
    close_period(g, emit, ctx);
}
