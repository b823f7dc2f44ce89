/*
 * gc_intensity — the grid's carbon intensity by zone and hour, as "intensity"
 * records give it (gc-pool report, gc-settle carbon): grams CO2e per kWh,
 * 0 to 100000, a later record for a zone-hour replacing an earlier one.
 * Domain module: no I/O.
 */
#ifndef GC_INTENSITY_H
#define GC_INTENSITY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_err.h"
#include "gc_map.h"

struct gc_intensity {
    struct gc_map table; /* "zone@hour" -> struct gc_intensity_entry * */
};

/* gc_load_records callback: one "intensity" record into the gc_intensity CTX. */
bool gc_intensity_add(void *ctx, json_t *rec, struct gc_fail *f);

/* The intensity of ZONE in the hour starting at HOUR; false when there is none. */
bool gc_intensity_get(const struct gc_intensity *t, const char *zone, int64_t hour,
                      int64_t *gco2_per_kwh);

void gc_intensity_release(struct gc_intensity *t);

#endif
