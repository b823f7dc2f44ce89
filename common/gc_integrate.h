/*
 * gc_integrate — power samples of one device into period readings, exactly.
 *
 * Each sample's power holds until the next sample (zero-order hold), unless
 * the next one is more than MAX_GAP_MS later: a gap is not bridged. Energy is
 * summed in milliwatt-milliseconds, which are integers for samples given in
 * mW at ms timestamps, and split at period boundaries; each period books the
 * whole watt-hours and carries the rest to the device's next period, so the
 * Wh over any run of periods is the integral rounded down, never drifting.
 * Covered and busy GPU time are carried the same way. Domain module: no I/O.
 */
#ifndef GC_INTEGRATE_H
#define GC_INTEGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_err.h"

#define GC_MWMS_PER_WH 3600000000LL /* 1 Wh = 3600 J = 3.6e9 mW·ms */

/* One finished period of one device. */
struct gc_period {
    int64_t ts; /* start, seconds since the epoch, a multiple of period_s */
    int64_t period_s;
    int64_t energy_wh;
    int64_t covered_s; /* seconds with bridged samples: gpu_s for a GPU */
    int64_t busy_s;    /* covered seconds weighted by utilization, at most covered_s */
};

typedef void (*gc_period_fn)(void *ctx, const struct gc_period *p);

struct gc_integrator {
    int64_t period_s;
    int64_t max_gap_ms;
    bool have_sample;
    int64_t t_ms;         /* the last sample */
    int64_t power_mw;     /* its power, or -1 when unknown (holds nothing) */
    int util_pct;         /* its utilization 0..100, or -1 when unknown */
    bool open;            /* a period is under way */
    bool booked;          /* the open period has covered time: it becomes a reading */
    int64_t period_ts;    /* start of the open period */
    __int128 energy_mwms; /* this period's energy plus the carry */
    int64_t covered_ms;   /* likewise */
    __int128 busy_pct_ms;
    int64_t energy_total_wh; /* booked so far, for checks */
};

/* PERIOD_S must divide 3600; MAX_GAP_MS > 0. */
void gc_integrator_init(struct gc_integrator *g, int64_t period_s, int64_t max_gap_ms);

/*
 * Adds a sample at T_MS (ms since the epoch) of POWER_MW (or -1: unknown)
 * and UTIL_PCT (0..100, or -1). Periods finished by it are passed to EMIT in
 * time order. Fails "non_monotonic_time" unless T_MS is after the previous
 * sample, "bad_number" for a negative power or a utilization above 100.
 */
bool gc_integrator_add(struct gc_integrator *g, int64_t t_ms, int64_t power_mw, int util_pct,
                       gc_period_fn emit, void *ctx, struct gc_fail *f);

/*
 * Adds a sample at T_MS of an energy counter: ENERGY_UJ is the energy used
 * since the previous sample in µJ (= mW·ms), or -1 when unknown (the counter
 * was reset). It is spread over the interval in proportion to time, the
 * parts rounded so they add up to it exactly, and booked even across a gap
 * longer than MAX_GAP_MS (the counter measured it); such a gap is not covered
 * time. UTIL_PCT as for gc_integrator_add.
 */
bool gc_integrator_add_energy(struct gc_integrator *g, int64_t t_ms, int64_t energy_uj,
                              int util_pct, gc_period_fn emit, void *ctx, struct gc_fail *f);

/* The last sample's power holds no longer: an energy counter takes over from here. */
void gc_integrator_stop_hold(struct gc_integrator *g);

/* Emits the open period, if any: the data ended. */
void gc_integrator_finish(struct gc_integrator *g, gc_period_fn emit, void *ctx);

#endif
