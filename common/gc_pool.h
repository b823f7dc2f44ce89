/*
 * gc_pool — pools of devices and their hourly snapshots (gc-pool build).
 *
 * A pool definition names a kind ("energy": producers, members by their
 * certificates; "compute": consumers, by their allocations; "green-compute":
 * consumers with some green energy), device classes, zones, and entry rules:
 * a minimum stake, a verifiable lottery and a minimum green share. Each
 * (pool, hour) with members becomes a "pool" snapshot: the members in id
 * order with the hashes of their records, totals, and the RFC 9162 Merkle root
 * over those hashes, so that one member can be proved (gc-pool prove) without
 * the rest. Domain module: no I/O.
 */
#ifndef GC_POOL_H
#define GC_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_err.h"
#include "gc_map.h"

enum gc_pool_kind {
    GC_POOL_ENERGY,
    GC_POOL_COMPUTE,
    GC_POOL_GREEN_COMPUTE,
};

struct gc_pool_def {
    char id[65];
    enum gc_pool_kind kind;
    unsigned classes; /* bit (1 << enum gc_class) per class admitted */
    char **zones;     /* NULL: every zone */
    size_t n_zones;
    int64_t min_stake_micros;
    bool lottery;
    uint8_t seed[GC_SHA256_LEN];
    int64_t admit_bps; /* share of devices the lottery admits per epoch */
    int64_t epoch_s;
    int64_t min_green_bps;  /* green share over the trailing window */
    int64_t min_uptime_bps; /* GPU-seconds over the window against its length x gpus */
    int64_t window_h;       /* the trailing window, in hours ending with the snapshot's */
};

/* Reads a "pool.def" record into DEF (reason "bad_field" when it is malformed). */
bool gc_pool_def_from_json(const json_t *rec, struct gc_pool_def *def, struct gc_fail *f);
void gc_pool_def_release(struct gc_pool_def *def);

/*
 * The lottery: DEVICE is admitted to POOL for the epoch containing HOUR when
 * SHA-256(seed || pool || 0x00 || device || 0x00 || epoch as 8 bytes big
 * endian), read as a 256-bit number, is below admit_bps / 10000 x 2^256.
 * Anyone holding the seed can recompute it.
 */
bool gc_pool_lottery_admits(const struct gc_pool_def *def, const char *device, int64_t hour);

/* A device-hour that may join pools: from an allocation or a certificate of gc-pool match. */
struct gc_pool_candidate {
    char device[65];
    char zone[65];
    enum gc_class cls;
    int64_t hour;
    bool certificate; /* else an allocation */
    int64_t gpus;     /* from the registry, for uptime */
    int64_t energy_wh, green_wh, gpu_s, green_gpu_s, green_bps;
    uint8_t hash[GC_SHA256_LEN]; /* of the record */
};

/*
 * True if C meets DEF's kind, class, zone and entry rules, the device holding
 * STAKE_MICROS. HIST[0..N_HIST) are the device's candidates of C's record
 * type, in hour order, C among them: the trailing-window rules (green share,
 * uptime) sum over those within DEF's window ending at C's hour.
 */
bool gc_pool_admits(const struct gc_pool_def *def, const struct gc_pool_candidate *c,
                    int64_t stake_micros, struct gc_pool_candidate *const *hist, size_t n_hist);

/*
 * The sums of the energy_wh, green_wh, gpu_s and green_gpu_s of every
 * candidate, per hour and record type. A snapshot's totals are sums over
 * some of them: while these stay within 64 bits, so do the snapshots'.
 */
struct gc_pool_tally {
    struct gc_map hours; /* "HOUR/a" (allocations) or "HOUR/c" -> the four sums */
};

/* Counts C in; fails "bad_number", counting nothing, when a sum would pass 2^63 - 1. */
bool gc_pool_tally_add(struct gc_pool_tally *t, const struct gc_pool_candidate *c,
                       struct gc_fail *f);
void gc_pool_tally_release(struct gc_pool_tally *t);

typedef void (*gc_pool_out_fn)(void *ctx, const char *rec, size_t len);

/*
 * Writes one canonical "pool" snapshot per hour of the admitted MEMBERS[0..N)
 * of DEF (sorted here by hour, then device): members with their record
 * hashes, totals, and the RFC 9162 Merkle root whose leaves are the record
 * hashes in member order. The members must have been counted in one
 * gc_pool_tally: totals past 2^63 - 1 are a caller's bug (exit 70).
 */
void gc_pool_snapshots(const struct gc_pool_def *def, struct gc_pool_candidate **members, size_t n,
                       gc_pool_out_fn out, void *ctx);

/* The hash of a member record: SHA-256 of its canonical form (such records carry no sig). */
void gc_pool_record_hash(const json_t *rec, uint8_t out[GC_SHA256_LEN]);

#endif
