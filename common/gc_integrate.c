#include "gc_integrate.h"

#include <string.h>

#include "banned.h"

void gc_integrator_init(struct gc_integrator *g, int64_t period_s, int64_t max_gap_ms)
{
    memset(g, 0, sizeof(*g));
    g->period_s = period_s;
    g->max_gap_ms = max_gap_ms;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
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

/* Adds the hold of the last sample over [FROM_MS, TO_MS), all in the open period. */
static void book(struct gc_integrator *g, int64_t from_ms, int64_t to_ms)
{
    int64_t dt = to_ms - from_ms;

    g->booked = true;
    g->covered_ms += dt;
    if (g->power_mw > 0)
        g->energy_mwms += (__int128)g->power_mw * dt;
    if (g->util_pct > 0)
        g->busy_pct_ms += (__int128)g->util_pct * dt;
}

static void open_period(struct gc_integrator *g, int64_t t_ms)
{
    g->period_ts = floor_div(floor_div(t_ms, 1000), g->period_s) * g->period_s;
    g->open = true;
}

bool gc_integrator_add(struct gc_integrator *g, int64_t t_ms, int64_t power_mw, int util_pct,
                       gc_period_fn emit, void *ctx, struct gc_fail *f)
{
    if (power_mw < -1)
        return gc_fail(f, "bad_number", "negative power");
    if (util_pct > 100 || util_pct < -1)
        return gc_fail(f, "bad_number", "utilization %d%% is outside 0..100", util_pct);
    if (g->have_sample && t_ms <= g->t_ms)
        return gc_fail(f, "non_monotonic_time", "sample is not after the previous one");

    if (g->have_sample && g->power_mw >= 0 && t_ms - g->t_ms <= g->max_gap_ms) {
        /* Bridge the hold from the last sample to this one, period by period. */
        int64_t from = g->t_ms;

        while (from < t_ms) {
            int64_t end_ms;

            if (!g->open)
                open_period(g, from);
            end_ms = (g->period_ts + g->period_s) * 1000;
            if (end_ms > t_ms)
                end_ms = t_ms;
            book(g, from, end_ms);
            from = end_ms;
            if (from < t_ms)
                close_period(g, emit, ctx);
        }
    }
    /* A sample in a later period closes the open one. */
    if (g->open && floor_div(t_ms, 1000) >= g->period_ts + g->period_s)
        close_period(g, emit, ctx);
    if (!g->open && power_mw >= 0)
        open_period(g, t_ms);
    g->have_sample = true;
    g->t_ms = t_ms;
    g->power_mw = power_mw;
    g->util_pct = util_pct;
    return true;
}

void gc_integrator_finish(struct gc_integrator *g, gc_period_fn emit, void *ctx)
{
    close_period(g, emit, ctx);
}
