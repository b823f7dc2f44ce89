/*
 * gc_sim — seeded market scenarios for analysts (gc-amm simulate): supply
 * from pool snapshots or a daily solar profile, buyers arriving at random
 * with a quantity and a price limit, polls with the odd device dropping
 * out, every event run through gc_amm. The same seed gives the same bytes.
 * Domain module: the caller loads the snapshots and writes the output.
 */
#ifndef GC_SIM_H
#define GC_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_buf.h"

/* One delivery hour's supply: a pool's green GPU-seconds over its member devices. */
struct gc_sim_supply {
    char pool[65];
    int64_t hour;
    int64_t green_gpu_s;
    char **devices; /* member ids, sorted */
    size_t n_devices;
};

struct gc_sim_opts {
    uint64_t seed;
    int64_t hours;     /* delivery hours to simulate */
    const char *curve; /* "ys" or "cp" */
    bool curve_given;  /* for usage checks */
    int64_t buyers;    /* buyers per market */
    bool buyers_given; /* for usage checks */
    int64_t start;     /* first delivery hour */
    bool has_start;
    int64_t anchor_micros; /* price of a GPU-hour at delivery */
    int64_t lead_s;        /* how long before delivery a market opens */
    const char *supply;    /* --supply FILE, loaded by the caller */
    struct gc_sim_supply *snapshots;
    size_t n_snapshots;
};

void gc_sim_defaults(struct gc_sim_opts *o);

/*
 * Runs the scenario and appends its output to OUT: per market the events,
 * each followed by its receipts (or a sim.refused record saying why the
 * market refused it), then a sim.hour summary; with TSV, a header and one
 * row per delivery hour instead.
 */
void gc_sim_run(const struct gc_sim_opts *o, bool tsv, struct gc_buf *out);

#endif
