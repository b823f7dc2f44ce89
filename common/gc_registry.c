#include "gc_registry.h"

#include <stdlib.h>
#include <string.h>

#include "gc_filter.h"
#include "banned.h"

static bool load_device(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct gc_registry *reg = ctx;
    struct gc_device *d = malloc(sizeof(*d));

    if (d == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    if (!gc_device_from_json(rec, d, f)) {
        free(d);
        return false;
    }
    if (gc_map_get(&reg->devices, d->id) != NULL) {
        gc_fail(f, "bad_field", "device '%s' is registered twice", d->id);
        free(d);
        return false;
    }
    gc_map_put(&reg->devices, d->id, d);
    return true;
}

void gc_registry_load(struct gc_registry *reg, const char *path)
{
    memset(reg, 0, sizeof(*reg));
    gc_load_records(path, false, load_device, reg);
}

const struct gc_device *gc_registry_find(const struct gc_registry *reg, const char *id)
{
    return gc_map_get(&reg->devices, id);
}

void gc_registry_release(struct gc_registry *reg)
{
    for (size_t i = 0; i < reg->devices.cap; i++)
        free(reg->devices.slots[i].value);
    gc_map_release(&reg->devices);
}
