#include "gc_intensity.h"

#include <stdio.h>
#include <stdlib.h>

#include "gc_json.h"
#include "gc_num.h"
#include "banned.h"

struct gc_intensity_entry {
    char key[96];
    int64_t gco2_per_kwh;
};

static void key_of(char key[96], const char *zone, int64_t hour)
{
    snprintf(key, 96, "%s@%lld", zone, (long long)hour);
}

bool gc_intensity_add(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct gc_intensity *t = ctx;
    struct gc_intensity_entry *e, *old;
    const char *zone;
    int64_t v, hour, g;

    if (!gc_field_const(rec, "type", "intensity", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id(rec, "zone", &zone, f) || !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_int(rec, "gco2_per_kwh", 0, 100000, &g, f))
        return false;
    if (gc_floor_div(hour, 3600) * 3600 != hour)
        return gc_fail(f, "bad_field", "field 'hour' must be the start of an hour");
    e = gc_xcalloc(1, sizeof(*e));
    key_of(e->key, zone, hour);
    e->gco2_per_kwh = g;
    old = gc_map_get(&t->table, e->key);
    /* The old entry holds its key: free it only once the map no longer uses it (put may rehash). */
    gc_map_put(&t->table, e->key, e);
    free(old);
    return true;
}

bool gc_intensity_get(const struct gc_intensity *t, const char *zone, int64_t hour,
                      int64_t *gco2_per_kwh)
{
    const struct gc_intensity_entry *e;
    char key[96];

    key_of(key, zone, hour);
    e = gc_map_get(&t->table, key);
    if (e == NULL)
        return false;
    *gco2_per_kwh = e->gco2_per_kwh;
    return true;
}

void gc_intensity_release(struct gc_intensity *t)
{
    for (size_t i = 0; i < t->table.cap; i++)
        free(t->table.slots[i].value);
    gc_map_release(&t->table);
}
