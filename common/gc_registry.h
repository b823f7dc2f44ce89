/*
 * gc_registry — the device registry file: NDJSON of "device" records
 * (gc-records(5)), loaded into a map from device id to struct gc_device.
 */
#ifndef GC_REGISTRY_H
#define GC_REGISTRY_H

#include "gc_device.h"
#include "gc_map.h"

struct gc_registry {
    struct gc_map devices; /* id -> struct gc_device *, owned */
};

/*
 * Loads PATH (plain or zstd) into REG. A malformed record or a device
 * registered twice stops the program with exit 65 naming file and line; a
 * missing file exits 66.
 */
void gc_registry_load(struct gc_registry *reg, const char *path);

/* The device ID, or NULL when it is not registered (borrowed). */
const struct gc_device *gc_registry_find(const struct gc_registry *reg, const char *id);

void gc_registry_release(struct gc_registry *reg);

#endif
