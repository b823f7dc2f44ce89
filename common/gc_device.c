#include "gc_device.h"

#include <stdio.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "banned.h"

static const char *const class_names[] = {
    [GC_CLASS_PV] = "pv",           [GC_CLASS_WIND] = "wind", [GC_CLASS_HYDRO] = "hydro",
    [GC_CLASS_BATTERY] = "battery", [GC_CLASS_GPU] = "gpu",   [GC_CLASS_ASIC] = "asic",
    [GC_CLASS_CHARGER] = "charger",
};

#define N_CLASSES (sizeof(class_names) / sizeof(class_names[0]))

const char *gc_class_name(enum gc_class c)
{
    return (unsigned)c < N_CLASSES ? class_names[c] : NULL;
}

bool gc_class_parse(const char *s, enum gc_class *out)
{
    for (unsigned i = 0; i < N_CLASSES; i++) {
        if (strcmp(s, class_names[i]) == 0) {
            *out = (enum gc_class)i;
            return true;
        }
    }
    return false;
}

bool gc_geohash_valid(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > GC_GEOHASH_MAX)
        return false;
    return strspn(s, "0123456789bcdefghjkmnpqrstuvwxyz") == n;
}

bool gc_device_from_json(const json_t *rec, struct gc_device *d, struct gc_fail *f)
{
    const char *cls, *geohash;
    int64_t v;

    memset(d, 0, sizeof(*d));
    if (!gc_field_const(rec, "type", "device", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id_copy(rec, "device", d->id, f) || !gc_field_str(rec, "class", &cls, NULL, f))
        return false;
    if (!gc_class_parse(cls, &d->cls))
        return gc_fail(f, "bad_field",
                       "field 'class' must be pv, wind, hydro, battery, gpu, asic or charger");
    if (!gc_field_int(rec, "rated_w", 1, INT64_MAX, &d->rated_w, f) ||
        !gc_field_id_copy(rec, "zone", d->zone, f) ||
        !gc_field_hex(rec, "pubkey", d->pubkey, GC_PUBKEY_LEN, f))
        return false;
    if (gc_field_present(rec, "geohash")) {
        if (!gc_field_str(rec, "geohash", &geohash, NULL, f))
            return false;
        if (!gc_geohash_valid(geohash))
            return gc_fail(f, "bad_field", "field 'geohash' is not a geohash");
        snprintf(d->geohash, sizeof(d->geohash), "%s", geohash);
    }
    if (gc_field_present(rec, "efficiency_bps") &&
        !gc_field_int(rec, "efficiency_bps", 1, 10000, &d->efficiency_bps, f))
        return false;
    d->gpus = 1;
    if (gc_field_present(rec, "gpus") && !gc_field_int(rec, "gpus", 1, 1 << 20, &d->gpus, f))
        return false;
    if (gc_field_present(rec, "owner") && !gc_field_id_copy(rec, "owner", d->owner, f))
        return false;
    return true;
}

json_t *gc_device_to_json(const struct gc_device *d)
{
    char pk[2 * GC_PUBKEY_LEN + 1];
    json_t *rec;

    gc_hex_encode(d->pubkey, GC_PUBKEY_LEN, pk);
    rec = json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:s}", "type", "device", "v", 1, "device",
                    d->id, "class", gc_class_name(d->cls), "rated_w", (json_int_t)d->rated_w,
                    "zone", d->zone, "pubkey", pk);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    if (d->geohash[0])
        json_object_set_new(rec, "geohash", json_string(d->geohash));
    if (d->efficiency_bps)
        json_object_set_new(rec, "efficiency_bps", json_integer(d->efficiency_bps));
    if (d->cls == GC_CLASS_GPU || d->gpus != 1)
        json_object_set_new(rec, "gpus", json_integer(d->gpus));
    if (d->owner[0])
        json_object_set_new(rec, "owner", json_string(d->owner));
    return rec;
}
