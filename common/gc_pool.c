#include "gc_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_buf.h"
#include "gc_json.h"
#include "gc_hex.h"
#include "gc_merkle.h"
#include "gc_num.h"
#include "gc_time.h"
#include "banned.h"

static const char *const kind_names[] = {
    [GC_POOL_ENERGY] = "energy",
    [GC_POOL_COMPUTE] = "compute",
    [GC_POOL_GREEN_COMPUTE] = "green-compute",
};

void gc_pool_def_release(struct gc_pool_def *def)
{
    for (size_t i = 0; i < def->n_zones; i++)
        free(def->zones[i]);
    free(def->zones);
    def->zones = NULL;
    def->n_zones = 0;
}

bool gc_pool_def_from_json(const json_t *rec, struct gc_pool_def *def, struct gc_fail *f)
{
    const char *id, *kind;
    const json_t *classes, *zones, *lottery;
    int64_t v;

    memset(def, 0, sizeof(*def));
    if (!gc_field_const(rec, "type", "pool.def", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id(rec, "pool", &id, f) || !gc_field_str(rec, "kind", &kind, NULL, f))
        return false;
    snprintf(def->id, sizeof(def->id), "%s", id);
    for (size_t i = 0;; i++) {
        if (i == sizeof(kind_names) / sizeof(kind_names[0]))
            return gc_fail(f, "bad_field", "field 'kind' must be energy, compute or green-compute");
        if (strcmp(kind, kind_names[i]) == 0) {
            def->kind = (enum gc_pool_kind)i;
            break;
        }
    }
    classes = json_object_get(rec, "classes");
    if (!json_is_array(classes) || json_array_size(classes) == 0)
        return gc_fail(f, "bad_field", "field 'classes' must be a non-empty array");
    for (size_t i = 0; i < json_array_size(classes); i++) {
        const json_t *c = json_array_get(classes, i);
        enum gc_class cls;

        if (!json_is_string(c) || !gc_class_parse(json_string_value(c), &cls))
            return gc_fail(f, "bad_field", "field 'classes' holds an unknown class");
        def->classes |= 1u << cls;
    }
    zones = json_object_get(rec, "zones");
    if (zones != NULL) {
        if (!json_is_array(zones))
            return gc_fail(f, "bad_field", "field 'zones' must be an array of zone ids");
        def->zones = gc_xcalloc(json_array_size(zones) + 1, sizeof(*def->zones));
        for (size_t i = 0; i < json_array_size(zones); i++) {
            const json_t *z = json_array_get(zones, i);

            if (!json_is_string(z) || !gc_id_valid(json_string_value(z), json_string_length(z)))
                return gc_fail(f, "bad_field", "field 'zones' holds something not a zone id");
            def->zones[def->n_zones] = strdup(json_string_value(z));
            if (def->zones[def->n_zones++] == NULL)
                gc_die(GC_EX_SOFTWARE, "out of memory");
        }
    }
    if (gc_field_present(rec, "min_stake_micros") &&
        !gc_field_int(rec, "min_stake_micros", 0, INT64_MAX, &def->min_stake_micros, f))
        return false;
    if (gc_field_present(rec, "min_green_bps") &&
        !gc_field_int(rec, "min_green_bps", 0, 10000, &def->min_green_bps, f))
        return false;
    if (gc_field_present(rec, "min_uptime_bps") &&
        !gc_field_int(rec, "min_uptime_bps", 0, 10000, &def->min_uptime_bps, f))
        return false;
    def->window_h = 1;
    if (gc_field_present(rec, "window_h") &&
        !gc_field_int(rec, "window_h", 1, 8760, &def->window_h, f))
        return false;
    lottery = json_object_get(rec, "lottery");
    if (lottery != NULL) {
        if (!json_is_object(lottery))
            return gc_fail(f, "bad_field", "field 'lottery' must be an object");
        if (!gc_field_hex(lottery, "seed", def->seed, sizeof(def->seed), f) ||
            !gc_field_int(lottery, "admit_bps", 0, 10000, &def->admit_bps, f) ||
            !gc_field_int(lottery, "epoch_s", 3600, INT64_MAX, &def->epoch_s, f))
            return false;
        if (def->epoch_s % 3600 != 0)
            return gc_fail(f, "bad_field", "lottery epoch_s must be whole hours");
        def->lottery = true;
    }
    return true;
}

bool gc_pool_lottery_admits(const struct gc_pool_def *def, const char *device, int64_t hour)
{
    struct gc_buf msg = GC_BUF_INIT;
    uint8_t h[GC_SHA256_LEN], lhs[GC_SHA256_LEN + 2], rhs[GC_SHA256_LEN + 2] = {0};
    uint64_t epoch = (uint64_t)gc_floor_div(hour, def->epoch_s);
    unsigned carry = 0;

    gc_buf_add(&msg, def->seed, sizeof(def->seed));
    gc_buf_add(&msg, def->id, strlen(def->id) + 1); /* with its NUL: the separator */
    gc_buf_add(&msg, device, strlen(device) + 1);
    for (int i = 7; i >= 0; i--)
        gc_buf_addc(&msg, (char)(epoch >> (8 * i)));
    gc_sha256(msg.ptr, msg.len, h);
    gc_buf_release(&msg);

    /* H x 10000 < admit_bps x 2^256, exactly, as 34-byte big-endian numbers. */
    for (int i = GC_SHA256_LEN - 1; i >= 0; i--) {
        unsigned p = (unsigned)h[i] * 10000u + carry;

        lhs[i + 2] = (uint8_t)p;
        carry = p >> 8;
    }
    lhs[1] = (uint8_t)carry;
    lhs[0] = (uint8_t)(carry >> 8);
    rhs[0] = (uint8_t)(def->admit_bps >> 8);
    rhs[1] = (uint8_t)def->admit_bps;
    return memcmp(lhs, rhs, sizeof(lhs)) < 0;
}

void gc_pool_record_hash(const json_t *rec, uint8_t out[GC_SHA256_LEN])
{
    struct gc_buf b = GC_BUF_INIT;

    gc_jcs_append(&b, rec);
    gc_sha256(b.ptr, b.len, out);
    gc_buf_release(&b);
}

static bool in_zones(const struct gc_pool_def *def, const char *zone)
{
    if (def->zones == NULL)
        return true;
    for (size_t i = 0; i < def->n_zones; i++)
        if (strcmp(def->zones[i], zone) == 0)
            return true;
    return false;
}

bool gc_pool_admits(const struct gc_pool_def *def, const struct gc_pool_candidate *c,
                    int64_t stake_micros, struct gc_pool_candidate *const *hist, size_t n_hist)
{
    /* A device's records over the window may add up past 64 bits: they are only compared. */
    __int128 energy = 0, green = 0, gpu_s = 0;

    if (c->certificate != (def->kind == GC_POOL_ENERGY) || !(def->classes & (1u << c->cls)) ||
        !in_zones(def, c->zone))
        return false;
    if (def->kind == GC_POOL_GREEN_COMPUTE && c->green_wh == 0)
        return false;
    if (stake_micros < def->min_stake_micros)
        return false;
    /* The trailing window: this hour and the window_h - 1 before it. */
    for (size_t i = 0; i < n_hist; i++) {
        if (hist[i]->hour > c->hour || hist[i]->hour <= c->hour - def->window_h * 3600)
            continue;
        energy += hist[i]->energy_wh;
        green += hist[i]->green_wh;
        gpu_s += hist[i]->gpu_s;
    }
    if (def->min_green_bps > 0 && (energy == 0 || green * 10000 < def->min_green_bps * energy))
        return false;
    if (def->min_uptime_bps > 0 && gpu_s * 10000 < (__int128)def->min_uptime_bps * def->window_h *
                                                       3600 * (c->gpus ? c->gpus : 1))
        return false;
    return !def->lottery || gc_pool_lottery_admits(def, c->device, c->hour);
}

struct tally_hour {
    char key[32]; /* "HOUR/a" or "HOUR/c", the map key */
    int64_t sum[4];
};

bool gc_pool_tally_add(struct gc_pool_tally *t, const struct gc_pool_candidate *c,
                       struct gc_fail *f)
{
    const int64_t add[4] = {c->energy_wh, c->green_wh, c->gpu_s, c->green_gpu_s};
    int64_t sum[4];
    struct tally_hour *h;
    char key[32], when[GC_TIME_LEN + 1];

    snprintf(key, sizeof(key), "%lld/%c", (long long)c->hour, c->certificate ? 'c' : 'a');
    h = gc_map_get(&t->hours, key);
    for (int i = 0; i < 4; i++)
        if (!gc_add_i64(h != NULL ? h->sum[i] : 0, add[i], &sum[i])) {
            gc_time_format(c->hour, when);
            return gc_fail(f, "bad_number", "the %ss of hour %s add up past 2^63 - 1",
                           c->certificate ? "certificate" : "allocation", when);
        }
    if (h == NULL) {
        h = gc_xcalloc(1, sizeof(*h));
        memcpy(h->key, key, sizeof(key));
        gc_map_put(&t->hours, h->key, h);
    }
    memcpy(h->sum, sum, sizeof(sum));
    return true;
}

void gc_pool_tally_release(struct gc_pool_tally *t)
{
    for (size_t i = 0; i < t->hours.cap; i++)
        free(t->hours.slots[i].value);
    gc_map_release(&t->hours);
}

/* *SUM += V; past 2^63 - 1 only when the caller skipped gc_pool_tally_add. */
static void add_total(int64_t *sum, int64_t v, const struct gc_pool_def *def)
{
    if (!gc_add_i64(*sum, v, sum))
        gc_die(GC_EX_SOFTWARE, "internal error: the totals of pool '%s' pass 2^63 - 1", def->id);
}

static int cand_cmp(const void *a, const void *b)
{
    const struct gc_pool_candidate *x = *(const struct gc_pool_candidate *const *)a;
    const struct gc_pool_candidate *y = *(const struct gc_pool_candidate *const *)b;

    if (x->hour != y->hour)
        return x->hour < y->hour ? -1 : 1;
    return strcmp(x->device, y->device);
}

void gc_pool_snapshots(const struct gc_pool_def *def, struct gc_pool_candidate **members, size_t n,
                       gc_pool_out_fn out, void *ctx)
{
    struct gc_buf b = GC_BUF_INIT;

    qsort(members, n, sizeof(*members), cand_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        int64_t energy = 0, green = 0, gpu_s = 0, green_gpu_s = 0;
        uint8_t(*leaves)[GC_SHA256_LEN], root[GC_SHA256_LEN];
        char hour[GC_TIME_LEN + 1], hex[2 * GC_SHA256_LEN + 1];

        for (j = i; j < n && members[j]->hour == members[i]->hour; j++)
            ;
        leaves = gc_xcalloc(j - i + 1, sizeof(*leaves));
        gc_time_format(members[i]->hour, hour);
        gc_buf_reset(&b);
        gc_buf_addf(&b, "{\"count\":%zu,", j - i);
        for (size_t k = i; k < j; k++) {
            add_total(&energy, members[k]->energy_wh, def);
            add_total(&green, members[k]->green_wh, def);
            add_total(&gpu_s, members[k]->gpu_s, def);
            add_total(&green_gpu_s, members[k]->green_gpu_s, def);
            gc_merkle_leaf_hash(members[k]->hash, GC_SHA256_LEN, leaves[k - i]);
        }
        gc_merkle_root((const uint8_t(*)[GC_SHA256_LEN])leaves, j - i, root);
        gc_hex_encode(root, GC_SHA256_LEN, hex);
        gc_buf_addf(&b,
                    "\"energy_wh\":%lld,\"gpu_s\":%lld,\"green_gpu_s\":%lld,\"green_wh\":%lld,"
                    "\"hour\":\"%s\",\"kind\":\"%s\",\"members\":[",
                    (long long)energy, (long long)gpu_s, (long long)green_gpu_s, (long long)green,
                    hour, kind_names[def->kind]);
        for (size_t k = i; k < j; k++) {
            char rh[2 * GC_SHA256_LEN + 1];

            gc_hex_encode(members[k]->hash, GC_SHA256_LEN, rh);
            gc_buf_adds(&b, k > i ? ",{\"device\":" : "{\"device\":");
            gc_jcs_append_string(&b, members[k]->device, strlen(members[k]->device));
            gc_buf_addf(&b, ",\"record\":\"%s\"}", rh);
        }
        gc_buf_adds(&b, "],\"pool\":");
        gc_jcs_append_string(&b, def->id, strlen(def->id));
        gc_buf_addf(&b, ",\"root\":\"%s\",\"type\":\"pool\",\"v\":1}", hex);
        out(ctx, b.ptr, b.len);
        free(leaves);
    }
    gc_buf_release(&b);
}
