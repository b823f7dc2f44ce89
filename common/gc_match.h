/*
 * gc_match — hourly matching of green generation to consumption per grid
 * zone (gc-pool match): EnergyTag-style granular certificates, where each
 * watt-hour of generation is claimed at most once, in its own zone and hour.
 *
 * Per (zone, UTC hour): the green supply G is the generation of pv, wind and
 * hydro devices plus the green part of battery discharge (what the battery's
 * store holds from green charging in earlier hours, oldest first). Compute
 * (gpu, asic, charger) is served first: fully if G covers it, else G is
 * split pro-rata to consumption by the largest-remainder method, ties to the
 * lower device id. Battery charging gets what is left the same way; the rest
 * stays unclaimed. Producers are assigned to consumers by a fill in id order:
 * producers in id order, consumers in id order, compute before batteries.
 * Green charge enters the battery's first-in-first-out store less its
 * round-trip losses (efficiency_bps); grid charge never becomes green.
 *
 * Domain module: records in (through gc_matcher_add), records out (through
 * the callback); no I/O.
 */
#ifndef GC_MATCH_H
#define GC_MATCH_H

#include <stdint.h>

#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_map.h"
#include "gc_reading.h"

/* What one device did in one hour, its attestations summed. */
struct gc_match_sums {
    int64_t energy_wh, charge_wh, discharge_wh, gpu_s;
};

/* Receives each output record, canonical JSON without a newline. */
typedef void (*gc_match_out_fn)(void *ctx, const char *rec, size_t len);

struct gc_matcher {
    struct gc_map device_hours; /* "device@hour" -> struct gc_device_hour * */
    struct gc_map zone_hours;   /* "zone@hour" -> struct gc_zone_hour *: supply, demand */
    struct gc_map stores;       /* battery id -> struct gc_store * */
    gc_match_out_fn out;
    void *out_ctx;
    int64_t flushed_until; /* hours before this one are matched and written */
    bool any_flushed;
    bool partial; /* write each device-hour as a "partial" record instead of matching */
};

void gc_matcher_init(struct gc_matcher *m, gc_match_out_fn out, void *ctx);

/*
 * Adds a verified attestation R of device D, whose record hash is HASH, to
 * its device-hour; attestations of one device-hour add up. The same
 * attestation twice fails "duplicate": it would count its energy twice.
 * Energy that would make the device-hour's sums, or its zone-hour's supply
 * or demand, pass 2^63 - 1 fails "bad_number". A refusal counts nothing.
 */
bool gc_matcher_add(struct gc_matcher *m, const struct gc_device *d, const struct gc_reading *r,
                    const uint8_t hash[GC_SHA256_LEN], struct gc_fail *f);

/* Looks up a device by id for gc_matcher_add_partial; NULL when it is not registered. */
typedef const struct gc_device *(*gc_device_find_fn)(const void *ctx, const char *id);

/*
 * Reads a "partial" record of match --partial (gc-records(5)) and adds its
 * sums with gc_matcher_add_sums. Fails "bad_field" on a malformed record and
 * "unknown_device" when FIND does not know its device.
 */
bool gc_matcher_add_partial(struct gc_matcher *m, const json_t *rec, gc_device_find_fn find,
                            const void *find_ctx, struct gc_fail *f);

/*
 * Adds a device-hour's sums, made from N_HASHES attestations with the record
 * hashes HASHES (a "partial" record of another run): the way shards processed
 * apart are merged. Fails "duplicate" for an attestation already counted,
 * and "bad_number" as gc_matcher_add does.
 */
bool gc_matcher_add_sums(struct gc_matcher *m, const struct gc_device *d, int64_t hour,
                         const struct gc_match_sums *sums, const uint8_t (*hashes)[GC_SHA256_LEN],
                         size_t n_hashes, struct gc_fail *f);

/*
 * Matches and writes every zone-hour before BEFORE_HOUR and forgets it, for
 * input in hour order: memory then holds one hour's device-hours and the
 * battery stores. A later gc_matcher_add for an earlier hour fails
 * "not_sorted".
 */
void gc_matcher_flush(struct gc_matcher *m, int64_t before_hour);

/*
 * Matches every zone-hour in time order (zones in id order within an hour)
 * and writes, per zone-hour, the "allocation" records of its consumers, the
 * "certificate" records of its producers and one "match" record. Checks the
 * conservation laws as it goes (exit 70 if one breaks: a bug, not bad input).
 * Frees the matcher.
 */
void gc_matcher_finish(struct gc_matcher *m);

#endif
