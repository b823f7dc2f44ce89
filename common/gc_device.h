/*
 * gc_device — the device registry record (DESIGN.md §2, gc-records(5)).
 * Domain module: no I/O.
 */
#ifndef GC_DEVICE_H
#define GC_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_crypto.h"
#include "gc_err.h"

enum gc_class {
    GC_CLASS_PV,
    GC_CLASS_WIND,
    GC_CLASS_HYDRO,
    GC_CLASS_BATTERY,
    GC_CLASS_GPU,
    GC_CLASS_ASIC,
    GC_CLASS_CHARGER,
};

#define GC_GEOHASH_MAX 12

struct gc_device {
    char id[65];
    enum gc_class cls;
    int64_t rated_w; /* > 0 */
    char zone[65];
    uint8_t pubkey[GC_PUBKEY_LEN];
    char geohash[GC_GEOHASH_MAX + 1]; /* "" when absent */
    int64_t efficiency_bps;           /* 0 when absent; batteries 1..10000 */
    int64_t gpus;                     /* GPUs behind the meter, default 1 */
    char owner[65];                   /* "" when absent */
};

/* "pv", "wind", …; NULL for an unknown value. */
const char *gc_class_name(enum gc_class c);
/* Parses a class name; false if it is not one of the seven. */
bool gc_class_parse(const char *s, enum gc_class *out);

/* True if S is a geohash: 1..12 characters of 0-9 b-h j k m n p-z. */
bool gc_geohash_valid(const char *s);

/* Reads a "device" record strictly into D (reason "bad_field" on any problem). */
bool gc_device_from_json(const json_t *rec, struct gc_device *d, struct gc_fail *f);

/* A new "device" record for D (caller owns the reference). */
json_t *gc_device_to_json(const struct gc_device *d);

#endif
