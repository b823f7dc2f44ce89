/*
 * gc_report — per zone and UTC day, what hourly matching changes (gc-pool
 * report): the hourly-matched carbon-free share next to the volumetric one
 * (a day's supply set against the day's demand, as annual or daily claims
 * do), and, with an hourly grid carbon intensity, location- and market-based
 * emissions and the SCI of a GPU-hour. Domain module: no I/O.
 *
 * Emissions are rounded up, so a report never understates them.
 */
#ifndef GC_REPORT_H
#define GC_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_intensity.h"
#include "gc_map.h"

typedef void (*gc_report_out_fn)(void *ctx, const char *rec, size_t len);

struct gc_report {
    struct gc_map hours;           /* "zone@hour" -> struct gc_report_hour * */
    struct gc_intensity intensity; /* filled by the caller (gc_intensity_add) */
    bool have_intensity;
};

void gc_report_init(struct gc_report *r);

/* A zone-hour's match record: demand and matched Wh. */
void gc_report_add_match(struct gc_report *r, const char *zone, int64_t hour, int64_t demand_wh,
                         int64_t matched_wh);

/*
 * A producer's certificate: its generation. Battery certificates are left out
 * by the caller: their energy was generated, and counted, when they charged.
 */
void gc_report_add_generation(struct gc_report *r, const char *zone, int64_t hour,
                              int64_t energy_wh);

/* A GPU allocation (gpu_s > 0): its energy, green energy and GPU-seconds. */
void gc_report_add_gpu(struct gc_report *r, const char *zone, int64_t hour, int64_t energy_wh,
                       int64_t green_wh, int64_t gpu_s);

/* Writes one canonical "report" record per zone and day, in day then zone order, and frees R. */
void gc_report_finish(struct gc_report *r, gc_report_out_fn out, void *ctx);

#endif
