/*
 * fuzz_pool — gc-pool: hourly matching (gc_matcher_add, _add_sums, _flush, _finish), its
 * partial records and their merge, and pool snapshots (gc_pool_def_from_json, gc_pool_admits,
 * gc_pool_lottery_admits, gc_pool_snapshots) with their RFC 9162 Merkle roots and proofs
 * (gc_merkle_*).
 *
 * The input is an option byte, then NDJSON lines: "device" records join a registry that
 * already holds pv-a, wind-b, hydro-h, gpu-0..3, asic-x, charger-y, bat-1, bat-2 (zone z1),
 * pv-c, gpu-c and bat-c (z2); readings and attestations are matched, as gc-pool match takes
 * them (no signature is checked); "partial" records go to a merge of their own, as gc-pool
 * merge reads them; "pool.def", "stake", "allocation" and "certificate" records go to a
 * build, with the allocations and certificates the matching wrote. Option bits 0-1: how the
 * attestations are split into two shards for match --partial (by line, by hour, by device,
 * all in one). Properties (gc-pool(1)):
 *   - every refusal has a reason; every record written is canonical;
 *   - no watt-hour is claimed twice: per zone-hour one match record, its matched_wh at most
 *     its supply_wh and its demand_wh, equal to the claims of its certificates and to the
 *     green_wh of its allocations; a certificate claims at most its energy_wh, an allocation
 *     is green for at most its own; claims and sources name the same amounts pair by pair;
 *     one certificate and one allocation per device-hour at most;
 *   - match --partial over any two shards, then merge, writes the same bytes as match; so
 *     does match --sorted when the input is in hour order;
 *   - a snapshot's members are the admitted device-hours of its hour in device order with
 *     their record hashes, its totals are theirs, its root is the Merkle root of those hashes,
 *     and every member's inclusion proof, and the consistency proof of every prefix, verify
 *     (and fail for another leaf or root);
 *   - the lottery admits exactly when SHA-256(...) x 10000 < admit_bps x 2^256, computed here
 *     apart in 64-bit limbs.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_match.h"
#include "gc_merkle.h"
#include "gc_num.h"
#include "gc_pool.h"
#include "gc_reading.h"
#include "gc_time.h"
#include "banned.h"

#define MAX_LINES  256
#define MAX_DEFS   8
#define MAX_PROVED 8
#define HEX_LEN    (2 * GC_SHA256_LEN + 1)

struct run {
    unsigned opts;
    struct gc_map devices; /* id -> struct gc_device * (owned) */
    struct gc_matcher direct, sorted, shard[2], merged, merge_in;
    struct gc_buf out_direct, out_sorted, out_shard, out_merged, out_merge_in;
    bool have_hour, unsorted;
    int64_t hour;
    struct gc_pool_def defs[MAX_DEFS];
    size_t n_defs;
    struct gc_pool_candidate **cands;
    size_t n_cands, cap_cands;
    json_t *stakes; /* device -> summed amount_micros */
    struct gc_pool_tally tally;
    struct gc_buf msg;
};

static void collect(void *ctx, const char *rec, size_t len)
{
    struct gc_buf *b = ctx;

    gc_buf_add(b, rec, len);
    gc_buf_addc(b, '\n');
}

static bool is_type(const json_t *rec, const char *type)
{
    const char *t = json_string_value(json_object_get(rec, "type"));

    return t != NULL && strcmp(t, type) == 0;
}

/* --- the registry --- */

static void add_device(struct run *run, const char *id, enum gc_class cls, const char *zone,
                       int64_t efficiency_bps)
{
    struct gc_device *d = gc_xcalloc(1, sizeof(*d));

    snprintf(d->id, sizeof(d->id), "%s", id);
    d->cls = cls;
    d->rated_w = 5000;
    snprintf(d->zone, sizeof(d->zone), "%s", zone);
    d->efficiency_bps = efficiency_bps;
    d->gpus = cls == GC_CLASS_GPU ? 8 : 1;
    gc_map_put(&run->devices, d->id, d);
}

static void registry_init(struct run *run)
{
    static const char *const gpus[] = {"gpu-0", "gpu-1", "gpu-2", "gpu-3"};

    add_device(run, "pv-a", GC_CLASS_PV, "z1", 0);
    add_device(run, "wind-b", GC_CLASS_WIND, "z1", 0);
    add_device(run, "hydro-h", GC_CLASS_HYDRO, "z1", 0);
    for (size_t i = 0; i < sizeof(gpus) / sizeof(gpus[0]); i++)
        add_device(run, gpus[i], GC_CLASS_GPU, "z1", 0);
    add_device(run, "asic-x", GC_CLASS_ASIC, "z1", 0);
    add_device(run, "charger-y", GC_CLASS_CHARGER, "z1", 0);
    add_device(run, "bat-1", GC_CLASS_BATTERY, "z1", 9000);
    add_device(run, "bat-2", GC_CLASS_BATTERY, "z1", 9000);
    add_device(run, "pv-c", GC_CLASS_PV, "z2", 0);
    add_device(run, "gpu-c", GC_CLASS_GPU, "z2", 0);
    add_device(run, "bat-c", GC_CLASS_BATTERY, "z2", 10000);
}

static void registry_release(struct run *run)
{
    for (size_t i = 0; i < run->devices.cap; i++)
        free(run->devices.slots[i].value);
    gc_map_release(&run->devices);
}

/* --- reading the input --- */

/* gc-pool match: an attestation (or reading) of a registered device, to every matcher. */
static void take_reading(struct run *run, const json_t *rec, bool attestation, uint64_t line_no)
{
    struct gc_fail f = {NULL, ""};
    const struct gc_device *d;
    struct gc_reading r;
    uint8_t hash[GC_SHA256_LEN];
    int64_t hour;
    unsigned shard;

    if (!gc_reading_parse(rec, attestation ? GC_ATTESTATION : GC_READING, &r, &f)) {
        fuzz_check_fail(&f);
        return;
    }
    d = gc_map_get(&run->devices, r.device);
    if (d == NULL)
        return;
    if (!gc_reading_check_form(&r, d, &f) || !gc_reading_check_period(&r, &f)) {
        fuzz_check_fail(&f);
        return;
    }
    gc_buf_reset(&run->msg);
    gc_jcs_append_without(&run->msg, rec, "sig", NULL);
    gc_sha256(run->msg.ptr, run->msg.len, hash);
    if (!gc_matcher_add(&run->direct, d, &r, hash, &f)) {
        fuzz_check_fail(&f);
        return;
    }
    hour = gc_floor_div(r.ts, 3600) * 3600;
    switch (run->opts & 3) {
    case 0:
        shard = line_no & 1;
        break;
    case 1:
        shard = (unsigned)(gc_floor_div(hour, 3600) & 1);
        break;
    case 2:
        shard = (unsigned char)d->id[strlen(d->id) - 1] & 1;
        break;
    default:
        shard = 0;
    }
    FUZZ_CHECK(gc_matcher_add(&run->shard[shard], d, &r, hash, &f),
               "a shard refuses what one run took: %s: %s", f.reason, f.detail);
    /* match --sorted: a record of a later hour ends the hours before it. */
    if (run->have_hour && hour > run->hour)
        gc_matcher_flush(&run->sorted, hour);
    if (!run->have_hour || hour > run->hour)
        run->hour = hour;
    run->have_hour = true;
    if (!gc_matcher_add(&run->sorted, d, &r, hash, &f)) {
        fuzz_check_fail(&f);
        FUZZ_CHECK(strcmp(f.reason, "not_sorted") == 0, "--sorted refuses %s: %s", f.reason,
                   f.detail);
        run->unsorted = true;
    }
}

static const struct gc_device *devices_find(const void *ctx, const char *id)
{
    return gc_map_get(ctx, id);
}

/* gc-pool merge: a partial record into M, as merge_record reads it. */
static bool take_partial(struct run *run, struct gc_matcher *m, const json_t *rec,
                         struct gc_fail *f)
{
    return gc_matcher_add_partial(m, rec, devices_find, &run->devices, f);
}

/* gc-pool build: an allocation or certificate of a registered device becomes a candidate. */
static void take_candidate(struct run *run, const json_t *rec)
{
    struct gc_fail f = {NULL, ""};
    struct gc_pool_candidate *c;
    const struct gc_device *d;
    const char *device, *zone;
    int64_t v;

    if (!gc_field_int(rec, "v", 1, 1, &v, &f) || !gc_field_id(rec, "device", &device, &f) ||
        !gc_field_id(rec, "zone", &zone, &f))
        return;
    d = gc_map_get(&run->devices, device);
    if (d == NULL)
        return;
    c = gc_xcalloc(1, sizeof(*c));
    snprintf(c->device, sizeof(c->device), "%s", device);
    snprintf(c->zone, sizeof(c->zone), "%s", zone);
    c->cls = d->cls;
    c->gpus = d->gpus;
    c->certificate = is_type(rec, "certificate");
    if (!gc_field_time(rec, "hour", &c->hour, &f) ||
        !gc_field_int(rec, "energy_wh", 0, INT64_MAX, &c->energy_wh, &f) ||
        (c->certificate ? !gc_field_int(rec, "claimed_wh", 0, INT64_MAX, &c->green_wh, &f)
                        : (!gc_field_int(rec, "green_wh", 0, INT64_MAX, &c->green_wh, &f) ||
                           !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &c->gpu_s, &f) ||
                           !gc_field_int(rec, "green_gpu_s", 0, INT64_MAX, &c->green_gpu_s, &f) ||
                           !gc_field_int(rec, "green_bps", 0, 10000, &c->green_bps, &f)))) {
        free(c);
        return;
    }
    /* As gc-pool build: what would make an hour's totals overflow is refused. */
    if (!gc_pool_tally_add(&run->tally, c, &f)) {
        fuzz_check_fail(&f);
        free(c);
        return;
    }
    gc_pool_record_hash(rec, c->hash);
    run->cands = gc_grow(run->cands, &run->cap_cands, run->n_cands + 1, sizeof(*run->cands), 16);
    run->cands[run->n_cands++] = c;
}

static void take_stake(struct run *run, const json_t *rec)
{
    struct gc_fail f = {NULL, ""};
    const char *device;
    int64_t v, amount, held;

    if (!gc_field_int(rec, "v", 1, 1, &v, &f) || !gc_field_id(rec, "device", &device, &f) ||
        !gc_field_int(rec, "amount_micros", 0, INT64_MAX, &amount, &f))
        return;
    held = json_integer_value(json_object_get(run->stakes, device));
    if (gc_add_i64(held, amount, &held))
        json_object_set_new(run->stakes, device, json_integer(held));
}

static bool take_line(const struct gc_line *line, void *ctx)
{
    struct run *run = ctx;
    struct gc_fail f = {NULL, ""};
    json_t *rec = fuzz_parse_record(line->bytes, line->len, &f);

    if (rec == NULL)
        return true;
    if (is_type(rec, "device")) {
        struct gc_device d;

        if (gc_device_from_json(rec, &d, &f) && gc_map_get(&run->devices, d.id) == NULL) {
            struct gc_device *copy = gc_xcalloc(1, sizeof(*copy));

            *copy = d;
            gc_map_put(&run->devices, copy->id, copy);
        }
    } else if (is_type(rec, "reading") || is_type(rec, "attestation")) {
        take_reading(run, rec, is_type(rec, "attestation"), line->line_no);
    } else if (is_type(rec, "partial")) {
        if (!take_partial(run, &run->merge_in, rec, &f))
            fuzz_check_fail(&f);
    } else if (is_type(rec, "pool.def") && run->n_defs < MAX_DEFS) {
        if (gc_pool_def_from_json(rec, &run->defs[run->n_defs], &f))
            run->n_defs++;
        else
            gc_pool_def_release(&run->defs[run->n_defs]);
    } else if (is_type(rec, "stake")) {
        take_stake(run, rec);
    } else if (is_type(rec, "allocation") || is_type(rec, "certificate")) {
        take_candidate(run, rec);
    }
    json_decref(rec);
    return true;
}

/* --- the matching's output --- */

static int64_t int_of(const json_t *rec, const char *key)
{
    const json_t *v = json_object_get(rec, key);

    FUZZ_CHECK(json_is_integer(v), "'%s' is not an integer", key);
    return json_integer_value(v);
}

static const char *str_of(const json_t *rec, const char *key)
{
    const char *s = json_string_value(json_object_get(rec, key));

    FUZZ_CHECK(s != NULL, "'%s' is not a string", key);
    return s;
}

/* SUMS[KEY] += V, checked: every sum here is bounded by one a record states. */
static void add_to(json_t *sums, const char *key, int64_t v)
{
    int64_t have = json_integer_value(json_object_get(sums, key));

    FUZZ_CHECK(gc_add_i64(have, v, &have), "the sum '%s' overflows", key);
    json_object_set_new(sums, key, json_integer(have));
}

/* The amounts of PARTS ({"device","wh"} objects) add to PAIRS[FROM>TO@ZH] with SIGN; returns
 * their sum. */
static int64_t add_parts(json_t *pairs, const json_t *parts, const char *self, bool producer,
                         const char *zh)
{
    char key[300];
    int64_t sum = 0;
    const json_t *p;
    size_t i;

    FUZZ_CHECK(json_is_array(parts), "claims or sources are not an array");
    json_array_foreach(parts, i, p)
    {
        int64_t wh = int_of(p, "wh");
        const char *other = str_of(p, "device");

        FUZZ_CHECK(wh > 0, "a part of %lld Wh", (long long)wh);
        FUZZ_CHECK(gc_add_i64(sum, wh, &sum), "parts overflow");
        snprintf(key, sizeof(key), "%s>%s@%s", producer ? self : other, producer ? other : self,
                 zh);
        add_to(pairs, key, producer ? wh : -wh);
    }
    return sum;
}

/* What a matcher wrote (OUT, one record per line) obeys the laws of gc-pool(1). */
static void check_matched(const struct gc_buf *out, const char *what)
{
    json_t *matches = json_object(), *claimed = json_object(), *green = json_object();
    json_t *pairs = json_object(), *seen = json_object(), *v;
    const char *p = out->ptr, *end = out->ptr + out->len, *key;
    char zh[200], dh[200];

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        json_t *rec;

        FUZZ_CHECK(nl != NULL, "%s: a record without its newline", what);
        rec = fuzz_check_record(p, (size_t)(nl - p), what);
        p = nl + 1;
        if (is_type(rec, "partial")) {
            json_decref(rec);
            continue;
        }
        snprintf(zh, sizeof(zh), "%s@%s", str_of(rec, "zone"), str_of(rec, "hour"));
        if (is_type(rec, "match")) {
            int64_t supply = int_of(rec, "supply_wh"), demand = int_of(rec, "demand_wh");
            int64_t matched = int_of(rec, "matched_wh"), cfe = int_of(rec, "cfe_bps");

            FUZZ_CHECK(json_object_get(matches, zh) == NULL, "%s: two match records for %s", what,
                       zh);
            FUZZ_CHECK(matched >= 0 && matched <= supply && matched <= demand,
                       "%s: %s matches %lld Wh of supply %lld, demand %lld", what, zh,
                       (long long)matched, (long long)supply, (long long)demand);
            FUZZ_CHECK(cfe >= 0 && cfe <= 10000, "%s: cfe_bps %lld", what, (long long)cfe);
            json_object_set_new(matches, zh, json_integer(matched));
        } else if (is_type(rec, "certificate")) {
            int64_t energy = int_of(rec, "energy_wh"), c = int_of(rec, "claimed_wh");

            snprintf(dh, sizeof(dh), "certificate:%s@%s", str_of(rec, "device"),
                     str_of(rec, "hour"));
            FUZZ_CHECK(json_object_get(seen, dh) == NULL, "%s: two %s", what, dh);
            json_object_set_new(seen, dh, json_true());
            FUZZ_CHECK(c >= 0 && c <= energy && int_of(rec, "unclaimed_wh") == energy - c,
                       "%s: %s claims %lld Wh of %lld", what, dh, (long long)c, (long long)energy);
            FUZZ_CHECK(add_parts(pairs, json_object_get(rec, "claims"), str_of(rec, "device"), true,
                                 zh) == c,
                       "%s: the claims of %s do not add up to claimed_wh", what, dh);
            FUZZ_CHECK(int_of(rec, "stored_wh") >= 0 && int_of(rec, "stored_wh") <= c,
                       "%s: %s stores more than it gave", what, dh);
            add_to(claimed, zh, c);
        } else if (is_type(rec, "allocation")) {
            int64_t energy = int_of(rec, "energy_wh"), g = int_of(rec, "green_wh");
            int64_t bps = int_of(rec, "green_bps");

            snprintf(dh, sizeof(dh), "allocation:%s@%s", str_of(rec, "device"),
                     str_of(rec, "hour"));
            FUZZ_CHECK(json_object_get(seen, dh) == NULL, "%s: two %s", what, dh);
            json_object_set_new(seen, dh, json_true());
            FUZZ_CHECK(g >= 0 && g <= energy && bps >= 0 && bps <= 10000,
                       "%s: %s is green for %lld Wh of %lld (%lld bps)", what, dh, (long long)g,
                       (long long)energy, (long long)bps);
            FUZZ_CHECK(add_parts(pairs, json_object_get(rec, "sources"), str_of(rec, "device"),
                                 false, zh) == g,
                       "%s: the sources of %s do not add up to green_wh", what, dh);
            add_to(green, zh, g);
        } else {
            FUZZ_CHECK(false, "%s: a record of type %s", what, str_of(rec, "type"));
        }
        json_decref(rec);
    }
    json_object_foreach(matches, key, v)
    {
        int64_t m = json_integer_value(v);

        FUZZ_CHECK(json_integer_value(json_object_get(claimed, key)) == m &&
                       json_integer_value(json_object_get(green, key)) == m,
                   "%s: %s matches %lld Wh, its certificates claim %lld, its allocations %lld",
                   what, key, (long long)m,
                   (long long)json_integer_value(json_object_get(claimed, key)),
                   (long long)json_integer_value(json_object_get(green, key)));
    }
    json_object_foreach(claimed, key, v)
    {
        FUZZ_CHECK(json_object_get(matches, key) != NULL, "%s: certificates of %s, no match", what,
                   key);
    }
    json_object_foreach(green, key, v)
    {
        FUZZ_CHECK(json_object_get(matches, key) != NULL, "%s: allocations of %s, no match", what,
                   key);
    }
    json_object_foreach(pairs, key, v)
    {
        FUZZ_CHECK(json_integer_value(v) == 0, "%s: %s claimed and sourced differ by %lld", what,
                   key, (long long)json_integer_value(v));
    }
    json_decref(matches);
    json_decref(claimed);
    json_decref(green);
    json_decref(pairs);
    json_decref(seen);
}

static void check_same(const struct gc_buf *a, const struct gc_buf *b, const char *what)
{
    FUZZ_CHECK(a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0),
               "%s differs from one match run:\n%s\n--- one run:\n%s", what, b->ptr ? b->ptr : "",
               a->ptr ? a->ptr : "");
}

/* The partials of both shards, merged as gc-pool merge does. */
static void merge_shards(struct run *run)
{
    const char *p = run->out_shard.ptr, *end = p + run->out_shard.len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct gc_fail f = {NULL, ""};
        json_t *rec = fuzz_check_record(p, (size_t)(nl - p), "partial");

        FUZZ_CHECK(take_partial(run, &run->merged, rec, &f), "merge refuses a partial: %s: %s",
                   f.reason, f.detail);
        json_decref(rec);
        p = nl + 1;
    }
}

/* The allocations and certificates of one match run become build candidates. */
static void candidates_of(struct run *run, const struct gc_buf *out)
{
    const char *p = out->ptr, *end = p + out->len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct gc_fail f = {NULL, ""};
        json_t *rec = gc_json_parse_object(p, (size_t)(nl - p), &f);

        if (is_type(rec, "allocation") || is_type(rec, "certificate"))
            take_candidate(run, rec);
        json_decref(rec);
        p = nl + 1;
    }
}

/* --- pools --- */

/* The lottery, apart: H x 10000 < ADMIT x 2^256 over four 64-bit limbs of H. */
static bool lottery_oracle(const struct gc_pool_def *def, const char *device, int64_t hour)
{
    struct gc_buf msg = GC_BUF_INIT;
    uint8_t h[GC_SHA256_LEN];
    uint64_t epoch = (uint64_t)gc_floor_div(hour, def->epoch_s);
    unsigned __int128 carry = 0;

    gc_buf_add(&msg, def->seed, sizeof(def->seed));
    gc_buf_add(&msg, def->id, strlen(def->id) + 1);
    gc_buf_add(&msg, device, strlen(device) + 1);
    for (int i = 0; i < 8; i++)
        gc_buf_addc(&msg, (char)(epoch >> (56 - 8 * i)));
    gc_sha256(msg.ptr, msg.len, h);
    gc_buf_release(&msg);
    for (int limb = 3; limb >= 0; limb--) {
        uint64_t w = 0;

        for (int i = 0; i < 8; i++)
            w = w << 8 | h[limb * 8 + i];
        carry = ((unsigned __int128)w * 10000 + carry) >> 64;
    }
    /* The part above 2^256 decides: equal to ADMIT with a remainder is not below. */
    return carry < (unsigned __int128)def->admit_bps;
}

static int history_cmp(const void *a, const void *b)
{
    const struct gc_pool_candidate *x = *(const struct gc_pool_candidate *const *)a;
    const struct gc_pool_candidate *y = *(const struct gc_pool_candidate *const *)b;
    int c = strcmp(x->device, y->device);

    if (c)
        return c;
    if (x->certificate != y->certificate)
        return x->certificate ? 1 : -1;
    return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static void check_proofs(const uint8_t (*leaves)[GC_HASH_LEN], size_t n,
                         const uint8_t root[GC_HASH_LEN])
{
    uint8_t proof[GC_MERKLE_MAX_PROOF][GC_HASH_LEN], other[GC_HASH_LEN], sub[GC_HASH_LEN];

    for (size_t i = 0; i < n && i < MAX_PROVED; i++) {
        int len = gc_merkle_inclusion_proof(leaves, n, i, proof);

        FUZZ_CHECK(len >= 0, "no inclusion proof for leaf %zu of %zu", i, n);
        FUZZ_CHECK(gc_merkle_verify_inclusion(i, n, leaves[i], (const uint8_t(*)[GC_HASH_LEN])proof,
                                              (size_t)len, root),
                   "the inclusion proof of leaf %zu of %zu does not verify", i, n);
        memcpy(other, leaves[i], GC_HASH_LEN);
        other[0] ^= 1;
        FUZZ_CHECK(!gc_merkle_verify_inclusion(i, n, other, (const uint8_t(*)[GC_HASH_LEN])proof,
                                               (size_t)len, root),
                   "leaf %zu's proof proves another leaf", i);
        if (len > 0)
            FUZZ_CHECK(!gc_merkle_verify_inclusion(i, n, leaves[i],
                                                   (const uint8_t(*)[GC_HASH_LEN])proof,
                                                   (size_t)len - 1, root),
                       "leaf %zu's proof verifies cut short", i);
    }
    for (size_t m = 1; m <= n && m <= MAX_PROVED; m++) {
        int len = gc_merkle_consistency_proof(leaves, n, m, proof);

        FUZZ_CHECK(len >= 0, "no consistency proof from %zu to %zu", m, n);
        gc_merkle_root(leaves, m, sub);
        FUZZ_CHECK(gc_merkle_verify_consistency(m, n, sub, root,
                                                (const uint8_t(*)[GC_HASH_LEN])proof, (size_t)len),
                   "the consistency proof from %zu to %zu does not verify", m, n);
        sub[GC_HASH_LEN - 1] ^= 1;
        FUZZ_CHECK(!gc_merkle_verify_consistency(m, n, sub, root,
                                                 (const uint8_t(*)[GC_HASH_LEN])proof, (size_t)len),
                   "the consistency proof from %zu to %zu holds for another root", m, n);
    }
}

struct snapshots {
    struct gc_pool_candidate **members; /* sorted by gc_pool_snapshots: hour, then device */
    size_t n, at;
    const struct gc_pool_def *def;
};

/* One snapshot: the next members in order, their totals, their Merkle root. */
static void check_snapshot(void *ctx, const char *text, size_t len)
{
    struct snapshots *s = ctx;
    json_t *rec = fuzz_check_record(text, len, "pool");
    const json_t *members = json_object_get(rec, "members"), *m;
    uint8_t(*leaves)[GC_HASH_LEN], root[GC_HASH_LEN], want[GC_HASH_LEN];
    __int128 energy = 0, green = 0, gpu_s = 0, green_gpu_s = 0;
    size_t n = json_array_size(members), i;
    int64_t hour;
    struct gc_fail f = {NULL, ""};

    FUZZ_CHECK(n > 0 && (int64_t)n == int_of(rec, "count"), "a snapshot of %zu members counts %lld",
               n, (long long)int_of(rec, "count"));
    FUZZ_CHECK(s->at + n <= s->n, "more members than were admitted");
    FUZZ_CHECK(gc_field_time(rec, "hour", &hour, &f), "the hour: %s", f.detail);
    FUZZ_CHECK(strcmp(str_of(rec, "pool"), s->def->id) == 0, "a snapshot of another pool");
    leaves = gc_xcalloc(n, sizeof(*leaves));
    json_array_foreach(members, i, m)
    {
        const struct gc_pool_candidate *c = s->members[s->at + i];
        uint8_t h[GC_SHA256_LEN];

        FUZZ_CHECK(c->hour == hour && strcmp(str_of(m, "device"), c->device) == 0,
                   "member %zu is not the admitted device-hour", i);
        FUZZ_CHECK(i == 0 || strcmp(s->members[s->at + i - 1]->device, c->device) <= 0,
                   "members out of order");
        FUZZ_CHECK(gc_field_hex(m, "record", h, sizeof(h), &f) &&
                       memcmp(h, c->hash, GC_SHA256_LEN) == 0,
                   "member %zu's record hash", i);
        gc_merkle_leaf_hash(h, sizeof(h), leaves[i]);
        energy += c->energy_wh;
        green += c->green_wh;
        gpu_s += c->gpu_s;
        green_gpu_s += c->green_gpu_s;
    }
    FUZZ_CHECK(energy == int_of(rec, "energy_wh") && green == int_of(rec, "green_wh") &&
                   gpu_s == int_of(rec, "gpu_s") && green_gpu_s == int_of(rec, "green_gpu_s"),
               "the totals are not the members': %.*s", (int)len, text);
    gc_merkle_root((const uint8_t(*)[GC_HASH_LEN])leaves, n, want);
    FUZZ_CHECK(gc_field_hex(rec, "root", root, sizeof(root), &f) &&
                   memcmp(root, want, GC_HASH_LEN) == 0,
               "the root is not that of the members");
    check_proofs((const uint8_t(*)[GC_HASH_LEN])leaves, n, root);
    s->at += n;
    free(leaves);
    json_decref(rec);
}

/* gc-pool build over every candidate, for each definition. */
static void build(struct run *run)
{
    struct gc_pool_candidate **members = gc_xcalloc(run->n_cands + 1, sizeof(*members));

    if (run->n_cands > 0)
        qsort(run->cands, run->n_cands, sizeof(*run->cands), history_cmp);
    for (size_t p = 0; p < run->n_defs; p++) {
        const struct gc_pool_def *def = &run->defs[p];
        struct snapshots s = {members, 0, 0, def};

        for (size_t i = 0, j; i < run->n_cands; i = j) {
            for (j = i + 1;
                 j < run->n_cands && strcmp(run->cands[i]->device, run->cands[j]->device) == 0 &&
                 run->cands[i]->certificate == run->cands[j]->certificate;
                 j++)
                ;
            for (size_t k = i; k < j; k++) {
                const struct gc_pool_candidate *c = run->cands[k];
                json_int_t stake = json_integer_value(json_object_get(run->stakes, c->device));

                if (def->lottery)
                    FUZZ_CHECK(gc_pool_lottery_admits(def, c->device, c->hour) ==
                                   lottery_oracle(def, c->device, c->hour),
                               "the lottery of '%s' decides otherwise for '%s'", def->id,
                               c->device);
                if (gc_pool_admits(def, c, stake, run->cands + i, j - i)) {
                    FUZZ_CHECK(c->certificate == (def->kind == GC_POOL_ENERGY) &&
                                   (def->classes & (1u << c->cls)) &&
                                   stake >= def->min_stake_micros,
                               "'%s' is admitted to '%s' against its rules", c->device, def->id);
                    members[s.n++] = run->cands[k];
                }
            }
        }
        gc_pool_snapshots(def, members, s.n, check_snapshot, &s);
        FUZZ_CHECK(s.at == s.n, "%zu members admitted, %zu in snapshots", s.n, s.at);
    }
    free(members);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run *run;

    fuzz_init();
    if (size < 1)
        return 0;
    run = gc_xcalloc(1, sizeof(*run));
    run->opts = data[0];
    run->stakes = json_object();
    registry_init(run);
    /* Never NULL, even when nothing is written: the checks walk them from ptr to ptr + len. */
    gc_buf_init(&run->out_direct);
    gc_buf_init(&run->out_sorted);
    gc_buf_init(&run->out_shard);
    gc_buf_init(&run->out_merged);
    gc_buf_init(&run->out_merge_in);
    gc_matcher_init(&run->direct, collect, &run->out_direct);
    gc_matcher_init(&run->sorted, collect, &run->out_sorted);
    for (int i = 0; i < 2; i++) {
        gc_matcher_init(&run->shard[i], collect, &run->out_shard);
        run->shard[i].partial = true;
    }
    gc_matcher_init(&run->merged, collect, &run->out_merged);
    gc_matcher_init(&run->merge_in, collect, &run->out_merge_in);
    fuzz_lines(data + 1, size - 1, MAX_LINES, take_line, run);

    gc_matcher_finish(&run->direct);
    check_matched(&run->out_direct, "match");
    gc_matcher_finish(&run->sorted);
    if (!run->unsorted)
        check_same(&run->out_direct, &run->out_sorted, "match --sorted");
    gc_matcher_finish(&run->shard[0]);
    gc_matcher_finish(&run->shard[1]);
    merge_shards(run);
    gc_matcher_finish(&run->merged);
    check_same(&run->out_direct, &run->out_merged, "match --partial, then merge,");
    gc_matcher_finish(&run->merge_in);
    check_matched(&run->out_merge_in, "merge");

    candidates_of(run, &run->out_direct);
    build(run);

    for (size_t i = 0; i < run->n_defs; i++)
        gc_pool_def_release(&run->defs[i]);
    for (size_t i = 0; i < run->n_cands; i++)
        free(run->cands[i]);
    free(run->cands);
    json_decref(run->stakes);
    gc_pool_tally_release(&run->tally);
    registry_release(run);
    gc_buf_release(&run->out_direct);
    gc_buf_release(&run->out_sorted);
    gc_buf_release(&run->out_shard);
    gc_buf_release(&run->out_merged);
    gc_buf_release(&run->out_merge_in);
    gc_buf_release(&run->msg);
    free(run);
    return 0;
}
