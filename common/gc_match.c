#include "gc_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_buf.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_time.h"
#include "banned.h"

/*
 * A zone-hour's supply (generation and battery discharge) and demand (compute and battery
 * charging) as device-hours come in: every sum of its matching is bounded by one of these.
 */
struct gc_zone_hour {
    char key[96]; /* "zone@hour", the map key */
    int64_t hour;
    int64_t supply_wh, demand_wh;
};

/* One device in one hour: its attestations summed. */
struct gc_device_hour {
    char key[96]; /* "device@hour", the map key */
    const struct gc_device *dev;
    int64_t hour;
    struct gc_zone_hour *zone_hour; /* its zone's, freed after it */
    struct gc_match_sums sums;
    uint8_t (*hashes)[GC_SHA256_LEN];
    size_t n_hashes, cap_hashes;
    /* results of matching */
    int64_t supply_wh;             /* producers: what it offers (a battery: its green discharge) */
    int64_t left_wh;               /* producers: not yet assigned */
    int64_t demand_wh;             /* consumers: what it used (a battery: its charge) */
    int64_t green_wh;              /* consumers: its green share */
    struct gc_buf sources, claims; /* JSON arrays under construction */
    int64_t claimed_wh, stored_wh;
};

/* A battery's store of green energy: lots in the order they came in. */
struct gc_store_lot {
    int64_t hour, wh;
};

struct gc_store {
    char id[65];
    struct gc_store_lot *lots;
    size_t head, n, cap;
    /* For the conservation check: over all hours, each within 64 bits, these may pass them. */
    __int128 in_wh, loss_wh, out_wh;
};

void gc_matcher_init(struct gc_matcher *m, gc_match_out_fn out, void *ctx)
{
    memset(m, 0, sizeof(*m));
    m->out = out;
    m->out_ctx = ctx;
}

static bool is_producer(enum gc_class c)
{
    return c == GC_CLASS_PV || c == GC_CLASS_WIND || c == GC_CLASS_HYDRO;
}

static bool is_compute(enum gc_class c)
{
    return c == GC_CLASS_GPU || c == GC_CLASS_ASIC || c == GC_CLASS_CHARGER;
}

/* What SUMS of device D add to its zone-hour's supply and demand. */
static void zone_share(const struct gc_device *d, const struct gc_match_sums *sums, int64_t *supply,
                       int64_t *demand)
{
    *supply = is_producer(d->cls)          ? sums->energy_wh
              : d->cls == GC_CLASS_BATTERY ? sums->discharge_wh
                                           : 0;
    *demand = is_compute(d->cls)           ? sums->energy_wh
              : d->cls == GC_CLASS_BATTERY ? sums->charge_wh
                                           : 0;
}

bool gc_matcher_add_sums(struct gc_matcher *m, const struct gc_device *d, int64_t hour,
                         const struct gc_match_sums *sums, const uint8_t (*hashes)[GC_SHA256_LEN],
                         size_t n_hashes, struct gc_fail *f)
{
    char key[96], zkey[96] = "", when[GC_TIME_LEN + 1];
    struct gc_device_hour *dh;
    struct gc_zone_hour *zh;
    struct gc_match_sums now = {0, 0, 0, 0};
    int64_t supply, demand, zone_supply = 0, zone_demand = 0;

    if (m->any_flushed && hour < m->flushed_until) {
        gc_time_format(hour, when);
        return gc_fail(f, "not_sorted",
                       "hour %s was already matched: the input is not in hour order (--sorted)",
                       when);
    }
    snprintf(key, sizeof(key), "%s@%lld", d->id, (long long)hour);
    dh = gc_map_get(&m->device_hours, key);
    if (dh != NULL) {
        zh = dh->zone_hour;
    } else {
        snprintf(zkey, sizeof(zkey), "%s@%lld", d->zone, (long long)hour);
        zh = gc_map_get(&m->zone_hours, zkey);
    }
    for (size_t k = 0; dh != NULL && k < n_hashes; k++)
        for (size_t i = 0; i < dh->n_hashes; i++)
            if (memcmp(dh->hashes[i], hashes[k], GC_SHA256_LEN) == 0)
                return gc_fail(f, "duplicate", "an attestation of '%s' was read before", d->id);
    /*
     * gc-pool match does not check capacity again, and merge reads sums from outside: the
     * device-hour's sums and the zone-hour's supply and demand are checked here, and so no
     * sum the matching makes passes 2^63 - 1. A refused record counts nothing.
     */
    if (dh != NULL)
        now = dh->sums;
    if (zh != NULL)
        zone_supply = zh->supply_wh, zone_demand = zh->demand_wh;
    zone_share(d, sums, &supply, &demand);
    if (!gc_add_i64(now.energy_wh, sums->energy_wh, &now.energy_wh) ||
        !gc_add_i64(now.charge_wh, sums->charge_wh, &now.charge_wh) ||
        !gc_add_i64(now.discharge_wh, sums->discharge_wh, &now.discharge_wh) ||
        !gc_add_i64(now.gpu_s, sums->gpu_s, &now.gpu_s)) {
        gc_time_format(hour, when);
        return gc_fail(f, "bad_number", "the attestations of '%s' in hour %s add up past 2^63 - 1",
                       d->id, when);
    }
    if (!gc_add_i64(zone_supply, supply, &zone_supply) ||
        !gc_add_i64(zone_demand, demand, &zone_demand)) {
        gc_time_format(hour, when);
        return gc_fail(f, "bad_number", "the energy of zone '%s' in hour %s adds up past 2^63 - 1",
                       d->zone, when);
    }
    if (zh == NULL) {
        zh = gc_xcalloc(1, sizeof(*zh));
        memcpy(zh->key, zkey, sizeof(zkey));
        zh->hour = hour;
        gc_map_put(&m->zone_hours, zh->key, zh);
    }
    if (dh == NULL) {
        dh = gc_xcalloc(1, sizeof(*dh));
        memcpy(dh->key, key, sizeof(key));
        dh->dev = d;
        dh->hour = hour;
        dh->zone_hour = zh;
        gc_buf_init(&dh->sources);
        gc_buf_init(&dh->claims);
        gc_map_put(&m->device_hours, dh->key, dh);
    }
    dh->sums = now;
    zh->supply_wh = zone_supply;
    zh->demand_wh = zone_demand;
    dh->hashes =
        gc_grow(dh->hashes, &dh->cap_hashes, dh->n_hashes + n_hashes, sizeof(*dh->hashes), 4);
    memcpy(dh->hashes + dh->n_hashes, hashes, n_hashes * GC_SHA256_LEN);
    dh->n_hashes += n_hashes;
    return true;
}

/* Attestation hashes in byte order: how inputs are written, and how repeats show. */
static int hash_cmp(const void *a, const void *b)
{
    return memcmp(a, b, GC_SHA256_LEN);
}

/* Whether N hashes hold one twice: sorted, a repeat sits beside itself. */
static bool repeats_hash(const uint8_t (*hashes)[GC_SHA256_LEN], size_t n)
{
    uint8_t(*sorted)[GC_SHA256_LEN] = gc_xcalloc(n, sizeof(*sorted));
    bool twice = false;

    memcpy(sorted, hashes, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), hash_cmp);
    for (size_t i = 1; !twice && i < n; i++)
        twice = memcmp(sorted[i - 1], sorted[i], GC_SHA256_LEN) == 0;
    free(sorted);
    return twice;
}

bool gc_matcher_add_partial(struct gc_matcher *m, const json_t *rec, gc_device_find_fn find,
                            const void *find_ctx, struct gc_fail *f)
{
    struct gc_match_sums sums;
    const struct gc_device *d;
    const char *device;
    uint8_t(*hashes)[GC_SHA256_LEN];
    const json_t *inputs;
    int64_t v, hour;
    size_t n;
    bool ok = true;

    if (!gc_field_const(rec, "type", "partial", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id(rec, "device", &device, f) || !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_int(rec, "energy_wh", 0, INT64_MAX, &sums.energy_wh, f) ||
        !gc_field_int(rec, "charge_wh", 0, INT64_MAX, &sums.charge_wh, f) ||
        !gc_field_int(rec, "discharge_wh", 0, INT64_MAX, &sums.discharge_wh, f) ||
        !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &sums.gpu_s, f))
        return false;
    if (gc_floor_div(hour, 3600) * 3600 != hour)
        return gc_fail(f, "bad_field", "field 'hour' must be the start of an hour");
    d = find(find_ctx, device);
    if (d == NULL)
        return gc_fail(f, "unknown_device", "device '%s' is not in the registry", device);
    inputs = json_object_get(rec, "inputs");
    if (!json_is_array(inputs) || json_array_size(inputs) == 0)
        return gc_fail(f, "bad_field", "field 'inputs' must be a non-empty array of hashes");
    n = json_array_size(inputs);
    hashes = gc_xcalloc(n, sizeof(*hashes));
    for (size_t i = 0; ok && i < n; i++) {
        const json_t *h = json_array_get(inputs, i);

        ok = json_is_string(h) &&
             gc_hex_decode(json_string_value(h), json_string_length(h), hashes[i], GC_SHA256_LEN);
    }
    if (!ok)
        gc_fail(f, "bad_field", "field 'inputs' must hold 64-digit lowercase hex hashes");
    else if (repeats_hash(hashes, n))
        ok = gc_fail(f, "duplicate", "field 'inputs' names an attestation of '%s' twice", device);
    else
        ok = gc_matcher_add_sums(m, d, hour, &sums, (const uint8_t(*)[GC_SHA256_LEN])hashes, n, f);
    free(hashes);
    return ok;
}

bool gc_matcher_add(struct gc_matcher *m, const struct gc_device *d, const struct gc_reading *r,
                    const uint8_t hash[GC_SHA256_LEN], struct gc_fail *f)
{
    struct gc_match_sums sums = {r->energy_wh, r->charge_wh, r->discharge_wh, r->gpu_s};

    return gc_matcher_add_sums(m, d, gc_floor_div(r->ts, 3600) * 3600, &sums,
                               (const uint8_t(*)[GC_SHA256_LEN])hash, 1, f);
}

/* Time order, then zone, then device: the order zone-hours are matched and written in. */
static int dh_cmp(const void *a, const void *b)
{
    const struct gc_device_hour *x = *(const struct gc_device_hour *const *)a;
    const struct gc_device_hour *y = *(const struct gc_device_hour *const *)b;
    int c;

    if (x->hour != y->hour)
        return x->hour < y->hour ? -1 : 1;
    c = strcmp(x->dev->zone, y->dev->zone);
    return c ? c : strcmp(x->dev->id, y->dev->id);
}

static struct gc_store *store_of(struct gc_matcher *m, const struct gc_device *d)
{
    struct gc_store *s = gc_map_get(&m->stores, d->id);

    if (s == NULL) {
        s = gc_xcalloc(1, sizeof(*s));
        snprintf(s->id, sizeof(s->id), "%s", d->id);
        gc_map_put(&m->stores, s->id, s);
    }
    return s;
}

/* Takes up to WANT Wh from the store, oldest lots first; returns what it held. */
static int64_t store_take(struct gc_store *s, int64_t want)
{
    int64_t got = 0;

    while (got < want && s->head < s->n) {
        struct gc_store_lot *lot = &s->lots[s->head];
        int64_t take = lot->wh < want - got ? lot->wh : want - got;

        lot->wh -= take;
        got += take;
        if (lot->wh == 0)
            s->head++;
    }
    s->out_wh += got;
    return got;
}

static void store_put(struct gc_store *s, int64_t hour, int64_t wh)
{
    if (wh == 0)
        return;
    s->lots = gc_grow(s->lots, &s->cap, s->n + 1, sizeof(*s->lots), 8);
    s->lots[s->n].hour = hour;
    s->lots[s->n].wh = wh;
    s->n++;
}

static __int128 store_held(const struct gc_store *s)
{
    __int128 held = 0;

    for (size_t i = s->head; i < s->n; i++)
        held += s->lots[i].wh;
    return held;
}

/* Appends {"device":ID,"wh":WH} to the JSON array text in B. */
static void add_part(struct gc_buf *b, const char *id, int64_t wh)
{
    gc_buf_addc(b, b->len ? ',' : '[');
    gc_buf_adds(b, "{\"device\":");
    gc_jcs_append_string(b, id, strlen(id));
    gc_buf_addf(b, ",\"wh\":%lld}", (long long)wh);
}

/* The head of a record shared by allocations and certificates, in canonical key order up to "hour".
 */
static void inputs_json(struct gc_buf *b, struct gc_device_hour *dh)
{
    qsort(dh->hashes, dh->n_hashes, GC_SHA256_LEN, hash_cmp);
    gc_buf_adds(b, "\"inputs\":[");
    for (size_t i = 0; i < dh->n_hashes; i++) {
        char hex[2 * GC_SHA256_LEN + 1];

        gc_hex_encode(dh->hashes[i], GC_SHA256_LEN, hex);
        gc_buf_addf(b, "%s\"%s\"", i ? "," : "", hex);
    }
    gc_buf_addc(b, ']');
}

static void emit_allocation(struct gc_matcher *m, struct gc_buf *b, struct gc_device_hour *dh,
                            int64_t stored_wh, int64_t loss_wh)
{
    char hour[GC_TIME_LEN + 1];
    bool battery = dh->dev->cls == GC_CLASS_BATTERY;
    int64_t green_bps =
        dh->demand_wh ? (int64_t)((__int128)dh->green_wh * 10000 / dh->demand_wh) : 0;
    int64_t green_gpu_s =
        dh->demand_wh ? (int64_t)((__int128)dh->sums.gpu_s * dh->green_wh / dh->demand_wh) : 0;

    gc_time_format(dh->hour, hour);
    gc_buf_reset(b);
    gc_buf_adds(b, "{\"device\":");
    gc_jcs_append_string(b, dh->dev->id, strlen(dh->dev->id));
    gc_buf_addf(b,
                ",\"energy_wh\":%lld,\"gpu_s\":%lld,\"green_bps\":%lld,\"green_gpu_s\":%lld,"
                "\"green_wh\":%lld,\"hour\":\"%s\",",
                (long long)dh->demand_wh, (long long)dh->sums.gpu_s, (long long)green_bps,
                (long long)green_gpu_s, (long long)dh->green_wh, hour);
    inputs_json(b, dh);
    if (battery)
        gc_buf_addf(b, ",\"loss_wh\":%lld", (long long)loss_wh);
    gc_buf_adds(b, ",\"sources\":");
    gc_buf_add(b, dh->sources.len ? dh->sources.ptr : "[", dh->sources.len ? dh->sources.len : 1);
    gc_buf_addc(b, ']');
    if (battery)
        gc_buf_addf(b, ",\"stored_wh\":%lld", (long long)stored_wh);
    gc_buf_adds(b, ",\"type\":\"allocation\",\"v\":1,\"zone\":");
    gc_jcs_append_string(b, dh->dev->zone, strlen(dh->dev->zone));
    gc_buf_addc(b, '}');
    m->out(m->out_ctx, b->ptr, b->len);
}

static void emit_certificate(struct gc_matcher *m, struct gc_buf *b, struct gc_device_hour *dh)
{
    char hour[GC_TIME_LEN + 1];

    gc_time_format(dh->hour, hour);
    gc_buf_reset(b);
    gc_buf_adds(b, "{\"claimed_wh\":");
    gc_buf_addf(b, "%lld,\"claims\":", (long long)dh->claimed_wh);
    gc_buf_add(b, dh->claims.len ? dh->claims.ptr : "[", dh->claims.len ? dh->claims.len : 1);
    gc_buf_adds(b, "],\"device\":");
    gc_jcs_append_string(b, dh->dev->id, strlen(dh->dev->id));
    if (dh->dev->cls == GC_CLASS_BATTERY)
        gc_buf_addf(b, ",\"discharge_wh\":%lld", (long long)dh->sums.discharge_wh);
    gc_buf_addf(b, ",\"energy_wh\":%lld,\"hour\":\"%s\",", (long long)dh->supply_wh, hour);
    inputs_json(b, dh);
    gc_buf_addf(b,
                ",\"stored_wh\":%lld,\"type\":\"certificate\",\"unclaimed_wh\":%lld,\"v\":1,"
                "\"zone\":",
                (long long)dh->stored_wh, (long long)(dh->supply_wh - dh->claimed_wh));
    gc_jcs_append_string(b, dh->dev->zone, strlen(dh->dev->zone));
    gc_buf_addc(b, '}');
    m->out(m->out_ctx, b->ptr, b->len);
}

static void check(bool ok, const char *what, const struct gc_device_hour *dh)
{
    if (!ok)
        gc_die(GC_EX_SOFTWARE, "internal error: %s (%s)", what, dh->key);
}

/* Splits TOTAL over the consumers C[0..N) in proportion to demand, into their green_wh. */
static void share_out(struct gc_device_hour **c, size_t n, int64_t total)
{
    int64_t *w = gc_xcalloc(n + 1, sizeof(*w)), *out = gc_xcalloc(n + 1, sizeof(*out));

    for (size_t i = 0; i < n; i++)
        w[i] = c[i]->demand_wh;
    gc_apportion(total, w, n, out);
    for (size_t i = 0; i < n; i++)
        c[i]->green_wh = out[i];
    free(w);
    free(out);
}

/* Matches one zone-hour: the device-hours DH[0..N), sorted by device id. */
static void match_zone_hour(struct gc_matcher *m, struct gc_device_hour **dh, size_t n,
                            struct gc_buf *b)
{
    struct gc_device_hour **prod = gc_xcalloc(n + 1, sizeof(*prod));
    struct gc_device_hour **comp = gc_xcalloc(n + 1, sizeof(*comp));
    struct gc_device_hour **batt = gc_xcalloc(n + 1, sizeof(*batt));
    size_t np = 0, nc = 0, nb = 0, p = 0;
    int64_t supply = 0, compute = 0, charging = 0, green_compute = 0, green_batt = 0, claimed = 0;
    char hour[GC_TIME_LEN + 1];

    for (size_t i = 0; i < n; i++) {
        struct gc_device_hour *d = dh[i];

        if (is_producer(d->dev->cls)) {
            d->supply_wh = d->sums.energy_wh;
        } else if (d->dev->cls == GC_CLASS_BATTERY) {
            /* Discharge is green only for what the store holds from earlier green charging. */
            if (d->sums.discharge_wh > 0)
                d->supply_wh = store_take(store_of(m, d->dev), d->sums.discharge_wh);
            if (d->sums.charge_wh > 0) {
                d->demand_wh = d->sums.charge_wh;
                batt[nb++] = d;
                charging += d->demand_wh;
            }
        } else if (is_compute(d->dev->cls)) {
            d->demand_wh = d->sums.energy_wh;
            comp[nc++] = d;
            compute += d->demand_wh;
        }
        if (is_producer(d->dev->cls) ||
            (d->dev->cls == GC_CLASS_BATTERY && d->sums.discharge_wh > 0)) {
            d->left_wh = d->supply_wh;
            prod[np++] = d;
            supply += d->supply_wh;
        }
    }

    /* Compute first, then battery charging from what is left. */
    share_out(comp, nc, supply >= compute ? compute : supply);
    for (size_t i = 0; i < nc; i++)
        green_compute += comp[i]->green_wh;
    share_out(batt, nb, supply - green_compute >= charging ? charging : supply - green_compute);
    for (size_t i = 0; i < nb; i++)
        green_batt += batt[i]->green_wh;

    /* The fill: producers in id order serve consumers in id order, compute first. */
    for (size_t k = 0; k < nc + nb; k++) {
        struct gc_device_hour *c = k < nc ? comp[k] : batt[k - nc];
        int64_t need = c->green_wh;

        while (need > 0) {
            int64_t take;

            check(p < np, "supply ran out during the fill", c);
            take = prod[p]->left_wh < need ? prod[p]->left_wh : need;
            if (take > 0) {
                add_part(&c->sources, prod[p]->dev->id, take);
                add_part(&prod[p]->claims, c->dev->id, take);
                prod[p]->left_wh -= take;
                prod[p]->claimed_wh += take;
                if (c->dev->cls == GC_CLASS_BATTERY)
                    prod[p]->stored_wh += take;
                need -= take;
            }
            if (prod[p]->left_wh == 0)
                p++;
        }
    }

    for (size_t i = 0; i < nc; i++)
        emit_allocation(m, b, comp[i], 0, 0);
    for (size_t i = 0; i < nb; i++) {
        struct gc_device_hour *c = batt[i];
        struct gc_store *s = store_of(m, c->dev);
        int64_t eff = c->dev->efficiency_bps ? c->dev->efficiency_bps : 10000;
        /* Round-trip losses are taken on the way in, rounded in favour of the loss. */
        int64_t stored = (int64_t)((__int128)c->green_wh * eff / 10000);

        s->in_wh += c->green_wh;
        s->loss_wh += c->green_wh - stored;
        store_put(s, c->hour, stored);
        emit_allocation(m, b, c, stored, c->green_wh - stored);
    }
    for (size_t i = 0; i < np; i++) {
        check(prod[i]->claimed_wh <= prod[i]->supply_wh, "claims exceed a certificate", prod[i]);
        claimed += prod[i]->claimed_wh;
        emit_certificate(m, b, prod[i]);
    }
    check(claimed == green_compute + green_batt, "claims and green allocations differ", dh[0]);

    gc_time_format(dh[0]->hour, hour);
    gc_buf_reset(b);
    gc_buf_addf(b,
                "{\"cfe_bps\":%lld,\"demand_wh\":%lld,\"hour\":\"%s\",\"matched_wh\":%lld,"
                "\"supply_wh\":%lld,\"type\":\"match\",\"v\":1,\"zone\":",
                (long long)(compute + charging
                                ? (int64_t)((__int128)claimed * 10000 / (compute + charging))
                                : 0),
                (long long)(compute + charging), hour, (long long)claimed, (long long)supply);
    gc_jcs_append_string(b, dh[0]->dev->zone, strlen(dh[0]->dev->zone));
    gc_buf_addc(b, '}');
    m->out(m->out_ctx, b->ptr, b->len);
    free(prod);
    free(comp);
    free(batt);
}

/* A device-hour as a "partial" record, for gc-pool merge to match later. */
static void emit_partial(struct gc_matcher *m, struct gc_buf *b, struct gc_device_hour *dh)
{
    char hour[GC_TIME_LEN + 1];

    gc_time_format(dh->hour, hour);
    gc_buf_reset(b);
    gc_buf_addf(b, "{\"charge_wh\":%lld,\"device\":", (long long)dh->sums.charge_wh);
    gc_jcs_append_string(b, dh->dev->id, strlen(dh->dev->id));
    gc_buf_addf(b, ",\"discharge_wh\":%lld,\"energy_wh\":%lld,\"gpu_s\":%lld,\"hour\":\"%s\",",
                (long long)dh->sums.discharge_wh, (long long)dh->sums.energy_wh,
                (long long)dh->sums.gpu_s, hour);
    inputs_json(b, dh);
    gc_buf_adds(b, ",\"type\":\"partial\",\"v\":1,\"zone\":");
    gc_jcs_append_string(b, dh->dev->zone, strlen(dh->dev->zone));
    gc_buf_addc(b, '}');
    m->out(m->out_ctx, b->ptr, b->len);
}

/* Matches the zone-hours of ALL[0..N) (sorted by dh_cmp), or writes them as partials; frees them.
 */
static void match_sorted(struct gc_matcher *m, struct gc_device_hour **all, size_t n)
{
    struct gc_buf b = GC_BUF_INIT;

    for (size_t i = 0; m->partial && i < n; i++)
        emit_partial(m, &b, all[i]);
    for (size_t i = 0, j; !m->partial && i < n; i = j) {
        for (j = i + 1; j < n && all[j]->hour == all[i]->hour &&
                        strcmp(all[j]->dev->zone, all[i]->dev->zone) == 0;
             j++)
            ;
        match_zone_hour(m, all + i, j - i, &b);
    }
    for (size_t i = 0; i < n; i++) {
        gc_buf_release(&all[i]->sources);
        gc_buf_release(&all[i]->claims);
        free(all[i]->hashes);
        free(all[i]);
    }
    gc_buf_release(&b);
}

/* Frees the zone-hours before BEFORE_HOUR (INT64_MAX: all of them). */
static void forget_zone_hours(struct gc_matcher *m, int64_t before_hour)
{
    struct gc_zone_hour **all = (struct gc_zone_hour **)gc_map_sorted_values(&m->zone_hours);
    size_t n = m->zone_hours.n;

    gc_map_release(&m->zone_hours);
    for (size_t i = 0; i < n; i++) {
        if (all[i]->hour < before_hour)
            free(all[i]);
        else
            gc_map_put(&m->zone_hours, all[i]->key, all[i]);
    }
    free(all);
}

void gc_matcher_flush(struct gc_matcher *m, int64_t before_hour)
{
    struct gc_device_hour **all = (struct gc_device_hour **)gc_map_sorted_values(&m->device_hours);
    size_t n = m->device_hours.n, done = 0;

    qsort(all, n, sizeof(*all), dh_cmp);
    while (done < n && all[done]->hour < before_hour)
        done++;
    /* The rest stay: rebuild the map with them (in hour order it holds one hour at most). */
    gc_map_release(&m->device_hours);
    for (size_t i = done; i < n; i++)
        gc_map_put(&m->device_hours, all[i]->key, all[i]);
    match_sorted(m, all, done);
    free(all);
    forget_zone_hours(m, before_hour);
    if (!m->any_flushed || before_hour > m->flushed_until)
        m->flushed_until = before_hour;
    m->any_flushed = true;
}

void gc_matcher_finish(struct gc_matcher *m)
{
    struct gc_device_hour **all = (struct gc_device_hour **)gc_map_sorted_values(&m->device_hours);
    size_t n = m->device_hours.n;

    qsort(all, n, sizeof(*all), dh_cmp);
    match_sorted(m, all, n);
    free(all);
    for (size_t i = 0; i < m->stores.cap; i++) {
        struct gc_store *s = m->stores.slots[i].value;

        if (s == NULL)
            continue;
        if (s->in_wh != s->out_wh + s->loss_wh + store_held(s))
            gc_die(GC_EX_SOFTWARE, "internal error: the store of '%s' does not balance", s->id);
        free(s->lots);
        free(s);
    }
    forget_zone_hours(m, INT64_MAX);
    gc_map_release(&m->device_hours);
    gc_map_release(&m->stores);
}
