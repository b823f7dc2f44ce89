#include "gc_task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_merkle.h"
#include "gc_num.h"
#include "gc_reading.h"
#include "gc_signed.h"
#include "gc_u128.h"
#include "banned.h"

/* --- keys, derivation --- */

void gc_snapshot_key(char *key, size_t cap, const char *pool, int64_t hour)
{
    snprintf(key, cap, "%s@%lld", pool, (long long)hour);
}

/* "A/B/C": ids cannot hold '/', so the key is unambiguous. */
static char *key3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *k = gc_xmalloc(n);

    snprintf(k, n, "%s/%s/%s", a, b, c);
    return k;
}

size_t gc_challenge_indices(const uint8_t beacon[GC_SHA256_LEN],
                            const uint8_t task_hash[GC_SHA256_LEN],
                            const uint8_t root[GC_SHA256_LEN], int64_t chunks, int64_t count,
                            int64_t *out)
{
    uint8_t in[3 * GC_SHA256_LEN], seed[GC_SHA256_LEN + 8], d[GC_SHA256_LEN];
    uint64_t n = (uint64_t)chunks, limit, j = 0;
    size_t want = (size_t)(count < chunks ? count : chunks), got = 0;

    memcpy(in, beacon, GC_SHA256_LEN);
    memcpy(in + GC_SHA256_LEN, task_hash, GC_SHA256_LEN);
    memcpy(in + 2 * GC_SHA256_LEN, root, GC_SHA256_LEN);
    gc_sha256(in, sizeof(in), seed);
    /* The largest multiple of n that fits in 2^64, less one: draws above it are biased. */
    limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
    while (got < want) {
        uint64_t x = 0;
        size_t at;

        for (int i = 0; i < 8; i++)
            seed[GC_SHA256_LEN + i] = (uint8_t)(j >> (56 - 8 * i));
        j++;
        gc_sha256(seed, sizeof(seed), d);
        for (int i = 0; i < 8; i++)
            x = x << 8 | d[i];
        if (x > limit)
            continue;
        x %= n;
        /* Insert in order unless drawn before: at most 256 indices, so a scan is enough. */
        for (at = 0; at < got && out[at] < (int64_t)x; at++)
            ;
        if (at < got && out[at] == (int64_t)x)
            continue;
        memmove(out + at + 1, out + at, (got - at) * sizeof(*out));
        out[at] = (int64_t)x;
        got++;
    }
    return got;
}

/* --- decoding --- */

static bool parse_task(const json_t *rec, struct gc_task *t, struct gc_fail *f)
{
    int64_t v;

    if (!gc_field_int(rec, "v", 1, 1, &v, f) || !gc_field_id_copy(rec, "task", t->id, f) ||
        !gc_field_id_copy(rec, "market", t->market, f) ||
        !gc_field_id_copy(rec, "buyer", t->buyer, f) ||
        !gc_field_hex(rec, "spec", t->spec, GC_SHA256_LEN, f) ||
        !gc_field_int(rec, "replicas", 1, GC_TASK_MAX_REPLICAS, &t->replicas, f) ||
        !gc_field_int(rec, "chunks", 1, GC_TASK_MAX_CHUNKS, &t->chunks, f) ||
        !gc_field_int(rec, "challenges", 1, GC_TASK_MAX_CHALLENGES, &t->challenges, f) ||
        !gc_field_int(rec, "price_micros", 0, INT64_MAX, &t->price_micros, f) ||
        !gc_field_id_copy(rec, "beacon_pool", t->beacon_pool, f) ||
        !gc_field_time(rec, "beacon_hour", &t->beacon_hour, f))
        return false;
    if (t->challenges > t->chunks)
        return gc_fail(f, "bad_field", "field 'challenges' exceeds 'chunks'");
    if (t->beacon_hour % 3600 != 0)
        return gc_fail(f, "bad_field", "field 'beacon_hour' must start an hour");
    if (gc_field_present(rec, "currency") &&
        !gc_field_str(rec, "currency", &(const char *){0}, NULL, f))
        return false;
    return true;
}

bool gc_receipt_parse(const json_t *rec, struct gc_receipt *r, struct gc_fail *f)
{
    int64_t v;

    if (!gc_field_const(rec, "type", "receipt", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id_copy(rec, "task", r->task, f) ||
        !gc_field_id_copy(rec, "device", r->device, f) ||
        !gc_field_time(rec, "started_at", &r->started_at, f) ||
        !gc_field_time(rec, "ended_at", &r->ended_at, f) ||
        !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &r->gpu_s, f) ||
        !gc_field_int(rec, "energy_wh", 0, INT64_MAX, &r->energy_wh, f) ||
        !gc_field_int(rec, "chunks", 1, GC_TASK_MAX_CHUNKS, &r->chunks, f) ||
        !gc_field_hex(rec, "root", r->root, GC_SHA256_LEN, f) ||
        !gc_field_hex(rec, "sig", r->sig, GC_SIG_LEN, f))
        return false;
    if (r->ended_at <= r->started_at)
        return gc_fail(f, "bad_field", "field 'ended_at' must be after 'started_at'");
    return true;
}

static bool parse_hashes(const json_t *arr, const char *key, size_t max,
                         uint8_t (**out)[GC_SHA256_LEN], size_t *n, struct gc_fail *f)
{
    if (!json_is_array(arr) || json_array_size(arr) > max)
        return gc_fail(f, "bad_field", "field '%s' must be an array of at most %zu hashes", key,
                       max);
    *n = json_array_size(arr);
    *out = gc_xcalloc(*n ? *n : 1, GC_SHA256_LEN);
    for (size_t i = 0; i < *n; i++) {
        const json_t *h = json_array_get(arr, i);

        if (!json_is_string(h) ||
            !gc_hex_decode(json_string_value(h), json_string_length(h), (*out)[i], GC_SHA256_LEN))
            return gc_fail(f, "bad_field", "field '%s' must hold 64-digit hex hashes", key);
    }
    return true;
}

static void opening_free(struct gc_opening *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n_opened; i++)
        free(o->opened[i].path);
    free(o->opened);
    json_decref(o->rec);
    free(o);
}

static bool parse_opening(const json_t *rec, struct gc_opening *o, struct gc_fail *f)
{
    const json_t *arr;
    int64_t v;

    if (!gc_field_int(rec, "v", 1, 1, &v, f) || !gc_field_id_copy(rec, "task", o->task, f) ||
        !gc_field_id_copy(rec, "device", o->device, f) ||
        !gc_field_int(rec, "chunks", 1, GC_TASK_MAX_CHUNKS, &o->chunks, f) ||
        !gc_field_hex(rec, "root", o->root, GC_SHA256_LEN, f) ||
        !gc_field_hex(rec, "sig", o->sig, GC_SIG_LEN, f))
        return false;
    arr = json_object_get(rec, "opened");
    if (!json_is_array(arr) || json_array_size(arr) > GC_TASK_MAX_CHALLENGES)
        return gc_fail(f, "bad_field", "field 'opened' must be an array of at most %d chunks",
                       GC_TASK_MAX_CHALLENGES);
    o->opened = gc_xcalloc(json_array_size(arr) + 1, sizeof(*o->opened));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        struct gc_opened *c = &o->opened[o->n_opened];

        if (!json_is_object(e))
            return gc_fail(f, "bad_field", "field 'opened' must hold objects");
        if (!gc_field_int(e, "index", 0, o->chunks - 1, &c->index, f) ||
            !gc_field_hex(e, "hash", c->hash, GC_SHA256_LEN, f) ||
            !parse_hashes(json_object_get(e, "path"), "path", GC_MERKLE_MAX_PROOF, &c->path,
                          &c->path_len, f)) {
            free(c->path);
            return false;
        }
        o->n_opened++;
        if (i > 0 && c->index <= o->opened[i - 1].index)
            return gc_fail(f, "bad_field", "field 'opened' must be in ascending index order");
    }
    return true;
}

bool gc_challenge_parse(const json_t *rec, struct gc_challenge *c, struct gc_fail *f)
{
    const json_t *arr;
    int64_t v;

    memset(c, 0, sizeof(*c));
    if (!gc_field_const(rec, "type", "challenge", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id_copy(rec, "task", c->task, f) ||
        !gc_field_hex(rec, "task_hash", c->task_hash, GC_SHA256_LEN, f) ||
        !gc_field_hex(rec, "beacon", c->beacon, GC_SHA256_LEN, f) ||
        !gc_field_id_copy(rec, "beacon_pool", c->beacon_pool, f) ||
        !gc_field_time(rec, "beacon_hour", &c->beacon_hour, f) ||
        !gc_field_hex(rec, "root", c->root, GC_SHA256_LEN, f) ||
        !gc_field_int(rec, "chunks", 1, GC_TASK_MAX_CHUNKS, &c->chunks, f))
        return false;
    arr = json_object_get(rec, "indices");
    if (!json_is_array(arr) || json_array_size(arr) < 1 ||
        json_array_size(arr) > GC_TASK_MAX_CHALLENGES)
        return gc_fail(f, "bad_field", "field 'indices' must be an array of 1 to %d indices",
                       GC_TASK_MAX_CHALLENGES);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (!gc_value_int(json_array_get(arr, i), "indices", 0, c->chunks - 1, &c->indices[i], f))
            return false;
        if (i > 0 && c->indices[i] <= c->indices[i - 1])
            return gc_fail(f, "bad_field", "field 'indices' must be ascending");
    }
    c->n = json_array_size(arr);
    c->devices = json_object_get(rec, "devices");
    if (!json_is_array(c->devices) || json_array_size(c->devices) < 1)
        return gc_fail(f, "bad_field", "field 'devices' must be a non-empty array of ids");
    for (size_t i = 0; i < json_array_size(c->devices); i++) {
        const char *d;

        if (!gc_value_id(json_array_get(c->devices, i), "devices", &d, f))
            return false;
        if (i > 0 && strcmp(d, json_string_value(json_array_get(c->devices, i - 1))) <= 0)
            return gc_fail(f, "bad_field", "field 'devices' must be in ascending order");
    }
    return true;
}

bool gc_challenge_names(const struct gc_challenge *c, const char *device)
{
    for (size_t i = 0; i < json_array_size(c->devices); i++)
        if (strcmp(json_string_value(json_array_get(c->devices, i)), device) == 0)
            return true;
    return false;
}

/* --- building records --- */

static json_t *record(const char *type)
{
    json_t *r = json_object();

    if (r == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_json_set(r, "type", json_string_nocheck(type));
    gc_json_set(r, "v", json_integer(1));
    return r;
}

json_t *gc_receipt_new(const char *task, const char *device, int64_t started_at, int64_t ended_at,
                       int64_t gpu_s, int64_t energy_wh, int64_t chunks,
                       const uint8_t root[GC_SHA256_LEN])
{
    json_t *r = record("receipt");

    gc_json_set(r, "task", json_string_nocheck(task));
    gc_json_set(r, "device", json_string_nocheck(device));
    gc_json_set(r, "started_at", gc_json_time(started_at));
    gc_json_set(r, "ended_at", gc_json_time(ended_at));
    gc_json_set(r, "gpu_s", json_integer(gpu_s));
    gc_json_set(r, "energy_wh", json_integer(energy_wh));
    gc_json_set(r, "chunks", json_integer(chunks));
    gc_json_set(r, "root", gc_json_hex(root, GC_SHA256_LEN));
    return r;
}

json_t *gc_opening_new(const struct gc_challenge *c, const char *device,
                       const uint8_t (*leaves)[GC_SHA256_LEN],
                       const uint8_t (*hashes)[GC_SHA256_LEN])
{
    uint8_t proof[GC_MERKLE_MAX_PROOF][GC_SHA256_LEN];
    json_t *r = record("opening"), *opened = json_array();

    gc_json_set(r, "task", json_string_nocheck(c->task));
    gc_json_set(r, "device", json_string_nocheck(device));
    gc_json_set(r, "chunks", json_integer(c->chunks));
    gc_json_set(r, "root", gc_json_hex(c->root, GC_SHA256_LEN));
    for (size_t i = 0; i < c->n; i++) {
        json_t *e = json_object(), *path = json_array();
        int len =
            gc_merkle_inclusion_proof(leaves, (size_t)c->chunks, (size_t)c->indices[i], proof);

        if (e == NULL || path == NULL || len < 0)
            gc_die(GC_EX_SOFTWARE, "internal error: no proof for chunk %lld",
                   (long long)c->indices[i]);
        for (int k = 0; k < len; k++)
            if (json_array_append_new(path, gc_json_hex(proof[k], GC_SHA256_LEN)) != 0)
                gc_die(GC_EX_SOFTWARE, "out of memory");
        gc_json_set(e, "index", json_integer(c->indices[i]));
        gc_json_set(e, "hash", gc_json_hex(hashes[c->indices[i]], GC_SHA256_LEN));
        gc_json_set(e, "path", path);
        if (json_array_append_new(opened, e) != 0)
            gc_die(GC_EX_SOFTWARE, "out of memory");
    }
    gc_json_set(r, "opened", opened);
    return r;
}

/* A copy of KEY placed just after the struct of SIZE bytes at P, which owns it. */
static const char *tail_key(void *p, size_t size, const char *key)
{
    char *k = (char *)p + size;

    memcpy(k, key, strlen(key) + 1);
    return k;
}

static void emit(struct gc_task_book *b, const struct gc_task_hooks *h, const json_t *rec)
{
    gc_buf_reset(&b->out);
    gc_jcs_append(&b->out, rec);
    h->emit(h->ctx, b->out.ptr, b->out.len);
}

/* --- the book: reading --- */

struct gc_task_market {
    char pool[65];
    int64_t hour;
};

/* What a device-hour attested, and what receipts have used of it. */
struct gc_budget {
    int64_t total;
    int64_t left;
};

void gc_task_book_init(struct gc_task_book *b, const struct gc_registry *registry,
                       const struct gc_map *beacons)
{
    memset(b, 0, sizeof(*b));
    b->registry = registry;
    b->beacons = beacons;
}

static bool add_task(struct gc_task_book *b, json_t *rec, void *tag, struct gc_fail *f)
{
    struct gc_task *t = gc_xcalloc(1, sizeof(*t));

    if (!parse_task(rec, t, f)) {
        free(t);
        return false;
    }
    if (gc_map_get(&b->tasks, t->id) != NULL) {
        gc_fail(f, "duplicate", "task '%s' is given twice", t->id);
        free(t);
        return false;
    }
    gc_signed_hash(rec, &b->msg, t->hash);
    t->rec = json_incref(rec);
    t->tag = tag;
    gc_map_put(&b->tasks, t->id, t);
    return true;
}

static bool add_receipt(struct gc_task_book *b, json_t *rec, void *tag, struct gc_fail *f)
{
    struct gc_receipt *r = gc_xcalloc(1, sizeof(*r));
    char *key;

    if (!gc_receipt_parse(rec, r, f)) {
        free(r);
        return false;
    }
    key = key3(r->task, r->device, "receipt");
    if (gc_map_get(&b->index, key) != NULL) {
        gc_fail(f, "duplicate", "device '%s' already sent a receipt for task '%s'", r->device,
                r->task);
        free(key);
        free(r);
        return false;
    }
    gc_map_put(&b->index, key, r);
    r->rec = json_incref(rec);
    r->tag = tag;
    b->receipts = gc_grow(b->receipts, &b->cap_receipts, b->n_receipts + 1, sizeof(r), 64);
    b->receipts[b->n_receipts++] = r;
    return true;
}

static bool add_opening(struct gc_task_book *b, json_t *rec, void *tag, struct gc_fail *f)
{
    struct gc_opening *o = gc_xcalloc(1, sizeof(*o));
    char *key;

    if (!parse_opening(rec, o, f)) {
        opening_free(o);
        return false;
    }
    key = key3(o->task, o->device, "opening");
    if (gc_map_get(&b->index, key) != NULL) {
        gc_fail(f, "duplicate", "device '%s' already opened task '%s'", o->device, o->task);
        free(key);
        opening_free(o);
        return false;
    }
    gc_map_put(&b->index, key, o);
    o->rec = json_incref(rec);
    o->tag = tag;
    b->openings = gc_grow(b->openings, &b->cap_openings, b->n_openings + 1, sizeof(o), 64);
    b->openings[b->n_openings++] = o;
    return true;
}

struct gc_given_challenge {
    struct gc_challenge c; /* borrows from REC */
    json_t *rec;
    void *tag;
};

static bool add_challenge(struct gc_task_book *b, json_t *rec, void *tag, struct gc_fail *f)
{
    struct gc_given_challenge *g = gc_xcalloc(1, sizeof(*g));

    if (!gc_challenge_parse(rec, &g->c, f)) {
        free(g);
        return false;
    }
    g->rec = json_incref(rec);
    g->tag = tag;
    b->challenges = gc_grow(b->challenges, &b->cap_challenges, b->n_challenges + 1, sizeof(g), 16);
    b->challenges[b->n_challenges++] = g;
    return true;
}

/* An amm.delivery: the device's claim for the buyer in the market, and the market's hour. */
static bool add_delivery(struct gc_task_book *b, json_t *rec, struct gc_fail *f)
{
    const char *market, *pool, *buyer, *device;
    struct gc_task_market *m;
    struct gc_budget *claim;
    int64_t hour, gpu_s;
    char *key;

    if (!gc_field_id(rec, "market", &market, f) || !gc_field_id(rec, "pool", &pool, f) ||
        !gc_field_time(rec, "hour", &hour, f) || !gc_field_id(rec, "buyer", &buyer, f) ||
        !gc_field_id(rec, "device", &device, f) ||
        !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &gpu_s, f))
        return false;
    m = gc_map_get(&b->markets, market);
    if (m == NULL) {
        m = gc_xcalloc(1, sizeof(*m) + strlen(market) + 1);
        snprintf(m->pool, sizeof(m->pool), "%s", pool);
        m->hour = hour;
        gc_map_put(&b->markets, tail_key(m, sizeof(*m), market), m);
    } else if (strcmp(m->pool, pool) != 0 || m->hour != hour) {
        return gc_fail(f, "bad_field", "market '%s' has deliveries of two pools or hours", market);
    }
    key = key3(market, buyer, device);
    claim = gc_map_get(&b->claims, key);
    if (claim == NULL) {
        claim = gc_xcalloc(1, sizeof(*claim));
        gc_map_put(&b->claims, key, claim);
    } else {
        free(key);
    }
    if (!gc_add_i64(claim->total, gpu_s, &claim->total))
        return gc_fail(f, "bad_number", "deliveries of '%s' to '%s' overflow", device, buyer);
    claim->left = claim->total;
    return true;
}

/* An attestation: its energy counts toward the device-hour, once. */
static bool add_attestation(struct gc_task_book *b, json_t *rec, struct gc_fail *f)
{
    const struct gc_device *d;
    struct gc_reading r;
    struct gc_budget *e;
    uint8_t hash[GC_SHA256_LEN];
    char key[96], *k;

    if (!gc_reading_parse(rec, GC_ATTESTATION, &r, f))
        return false;
    d = b->registry ? gc_registry_find(b->registry, r.device) : NULL;
    if (d == NULL)
        return gc_fail(f, "unknown_device", "device '%s' is not in the registry", r.device);
    if (!gc_attestation_check_sig(rec, &r, d->pubkey, &b->msg, hash, f) ||
        !gc_reading_check_period(&r, f))
        return false;
    if (!r.has_energy)
        return true; /* batteries: no compute energy */
    snprintf(key, sizeof(key), "%s#%lld", r.device, (long long)r.ts);
    if (gc_map_get(&b->periods, key) != NULL)
        return gc_fail(f, "duplicate", "device '%s' has two attestations for that period",
                       r.device);
    k = gc_xstrdup(key);
    gc_map_put(&b->periods, k, k);
    gc_snapshot_key(key, sizeof(key), r.device, r.ts - r.ts % 3600);
    e = gc_map_get(&b->energy, key);
    if (e == NULL) {
        e = gc_xcalloc(1, sizeof(*e) + strlen(key) + 1);
        gc_map_put(&b->energy, tail_key(e, sizeof(*e), key), e);
    }
    if (!gc_add_i64(e->total, r.energy_wh, &e->total))
        return gc_fail(f, "bad_number", "energy of '%s' in one hour overflows", r.device);
    e->left = e->total;
    return true;
}

bool gc_task_book_add(struct gc_task_book *b, json_t *rec, void *tag, struct gc_fail *f)
{
    const char *type;

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "task") == 0)
        return add_task(b, rec, tag, f);
    if (strcmp(type, "receipt") == 0)
        return add_receipt(b, rec, tag, f);
    if (strcmp(type, "opening") == 0)
        return add_opening(b, rec, tag, f);
    if (strcmp(type, "challenge") == 0)
        return add_challenge(b, rec, tag, f);
    if (strcmp(type, "amm.delivery") == 0)
        return add_delivery(b, rec, f);
    if (strcmp(type, "attestation") == 0)
        return add_attestation(b, rec, f);
    if (strncmp(type, "amm.", 4) == 0 || strcmp(type, "pool") == 0 ||
        strcmp(type, "task.verified") == 0 || strcmp(type, "task.failed") == 0 ||
        strcmp(type, "payment") == 0)
        return true; /* the rest of a market's receipts, snapshots, earlier verdicts */
    return gc_fail(f, "unknown_type", "records of type '%s' are not part of tasks", type);
}

/* --- the book: judging --- */

static int by_device(const void *a, const void *b)
{
    return strcmp((*(const struct gc_receipt *const *)a)->device,
                  (*(const struct gc_receipt *const *)b)->device);
}

/*
 * Receipts join their tasks, in device order; openings their receipts; the
 * rest are rejected late.
 */
static void link_records(struct gc_task_book *b, const struct gc_task_hooks *h)
{
    struct gc_fail f;

    for (size_t i = 0; i < b->n_receipts; i++) {
        struct gc_receipt *r = b->receipts[i];
        struct gc_task *t = gc_map_get(&b->tasks, r->task);

        if (t == NULL) {
            gc_fail(&f, "unknown_task", "receipt for task '%s', which is not given", r->task);
            h->reject(h->ctx, r->tag, &f);
            continue;
        }
        t->receipts = gc_grow(t->receipts, &t->cap_receipts, t->n_receipts + 1, sizeof(r), 4);
        t->receipts[t->n_receipts++] = r;
    }
    for (size_t i = 0; i < b->tasks.cap; i++) {
        struct gc_task *t = b->tasks.slots[i].value;

        /* A task without receipts has no array: qsort must not be given NULL. */
        if (b->tasks.slots[i].key != NULL && t->n_receipts > 1)
            qsort(t->receipts, t->n_receipts, sizeof(*t->receipts), by_device);
    }
    for (size_t i = 0; i < b->n_openings; i++) {
        struct gc_opening *o = b->openings[i];
        char *key = key3(o->task, o->device, "receipt");
        struct gc_receipt *r = gc_map_get(&b->index, key);

        free(key);
        if (r != NULL && gc_map_get(&b->tasks, o->task) != NULL) {
            r->opening = o;
            continue;
        }
        if (gc_map_get(&b->tasks, o->task) == NULL)
            gc_fail(&f, "unknown_task", "opening of task '%s', which is not given", o->task);
        else
            gc_fail(&f, "unknown_receipt", "device '%s' opens task '%s' without a receipt",
                    o->device, o->task);
        h->reject(h->ctx, o->tag, &f);
    }
}

/* Whether R is signed by the key of its registered device: checked once, then remembered. */
static bool receipt_signed(struct gc_task_book *b, struct gc_receipt *r, struct gc_fail *f)
{
    if (r->signature == GC_RECEIPT_UNCHECKED) {
        struct gc_fail ignored;

        r->d = gc_registry_find(b->registry, r->device);
        r->signature =
            r->d == NULL ? GC_RECEIPT_UNKNOWN_DEVICE
            : gc_signed_check(r->rec, r->sig, r->d->pubkey, r->device, &b->msg, r->hash, &ignored)
                ? GC_RECEIPT_SIGNED
                : GC_RECEIPT_BAD_SIGNATURE;
    }
    if (r->signature == GC_RECEIPT_UNKNOWN_DEVICE)
        return gc_fail(f, "unknown_device", "device '%s' is not in the registry", r->device);
    if (r->signature == GC_RECEIPT_BAD_SIGNATURE)
        return gc_fail(f, "bad_signature", "signature does not verify with the key of '%s'",
                       r->device);
    return true;
}

/* One replica of a task on its way through the checks; WHY set at the first it fails. */
struct gc_replica {
    struct gc_receipt *r;
    struct gc_fail why; /* why.reason is NULL while the replica is in */
    int stage;          /* the stage of the judgement that dropped it */
};

/* The stages of a judgement, in order. */
enum { STAGE_RECEIPT = 1, STAGE_AGREEMENT, STAGE_OPENING, STAGE_RECOMPUTE };

static void drop(struct gc_replica *x, const struct gc_fail *f, int stage)
{
    x->why = *f;
    x->stage = stage;
}

/* The checks of one receipt that do not depend on the other replicas. */
static bool check_receipt(struct gc_task_book *b, const struct gc_task *t,
                          const struct gc_task_market *m, struct gc_replica *x, struct gc_fail *f)
{
    struct gc_receipt *r = x->r;
    int64_t span_s, cap_s;

    if (!receipt_signed(b, r, f))
        return false;
    if (m == NULL)
        return gc_fail(f, "not_assigned", "market '%s' has no amm.delivery", t->market);
    {
        char *key = key3(t->market, t->buyer, r->device);
        bool assigned = gc_map_get(&b->claims, key) != NULL;

        free(key);
        if (!assigned)
            return gc_fail(f, "not_assigned", "device '%s' delivers nothing to '%s' in market '%s'",
                           r->device, t->buyer, t->market);
    }
    if (r->chunks != t->chunks)
        return gc_fail(f, "wrong_chunks", "receipt commits %lld chunks, the task has %lld",
                       (long long)r->chunks, (long long)t->chunks);
    if (r->started_at < m->hour || r->ended_at > m->hour + 3600)
        return gc_fail(f, "outside_hour", "the work does not lie inside the delivery hour");
    span_s = r->ended_at - r->started_at;
    if (!gc_mul_i64(span_s, r->d->gpus, &cap_s) || r->gpu_s > cap_s)
        return gc_fail(f, "over_capacity", "%lld GPU-seconds in %lld s on %lld GPUs",
                       (long long)r->gpu_s, (long long)span_s, (long long)r->d->gpus);
    return true;
}

/* Uses up the receipt's GPU-seconds of the device's claim and its Wh of the attested hour. */
static bool spend(struct gc_task_book *b, const struct gc_task *t, const struct gc_task_market *m,
                  const struct gc_receipt *r, struct gc_fail *f)
{
    char *key = key3(t->market, t->buyer, r->device), hour_key[96];
    struct gc_budget *claim = gc_map_get(&b->claims, key), *energy;

    free(key);
    gc_snapshot_key(hour_key, sizeof(hour_key), r->device, m->hour);
    energy = gc_map_get(&b->energy, hour_key);
    if (r->gpu_s > claim->left)
        return gc_fail(f, "over_claim",
                       "%lld GPU-seconds claimed, %lld of the %lld delivered are left",
                       (long long)r->gpu_s, (long long)claim->left, (long long)claim->total);
    if (r->energy_wh > (energy ? energy->left : 0))
        return gc_fail(f, "over_energy", "%lld Wh claimed, %lld of the %lld attested are left",
                       (long long)r->energy_wh, (long long)(energy ? energy->left : 0),
                       (long long)(energy ? energy->total : 0));
    claim->left -= r->gpu_s;
    if (energy != NULL)
        energy->left -= r->energy_wh;
    return true;
}

/* The opened chunk INDEX of O, or NULL. */
static const struct gc_opened *opened_at(const struct gc_opening *o, int64_t index)
{
    size_t lo = 0, hi = o->n_opened;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (o->opened[mid].index == index)
            return &o->opened[mid];
        if (o->opened[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool check_opening(struct gc_task_book *b, const struct gc_task *t,
                          const struct gc_replica *x, const int64_t *idx, size_t n_idx,
                          struct gc_fail *f)
{
    const struct gc_opening *o = x->r->opening;
    uint8_t hash[GC_SHA256_LEN], leaf[GC_SHA256_LEN];

    if (o == NULL)
        return gc_fail(f, "missing_opening", "device '%s' opened none of the challenged chunks",
                       x->r->device);
    if (!gc_signed_check(o->rec, o->sig, x->r->d->pubkey, o->device, &b->msg, hash, f))
        return gc_fail(f, "bad_opening", "the opening's signature does not verify");
    if (memcmp(o->root, x->r->root, GC_SHA256_LEN) != 0 || o->chunks != t->chunks)
        return gc_fail(f, "bad_opening", "the opening is not of the committed root");
    for (size_t i = 0; i < n_idx; i++) {
        const struct gc_opened *c = opened_at(o, idx[i]);

        if (c == NULL)
            return gc_fail(f, "missing_opening", "challenged chunk %lld is not opened",
                           (long long)idx[i]);
        gc_merkle_leaf_hash(c->hash, GC_SHA256_LEN, leaf);
        if (!gc_merkle_verify_inclusion((uint64_t)c->index, (uint64_t)t->chunks, leaf,
                                        (const uint8_t(*)[GC_SHA256_LEN])c->path, c->path_len,
                                        o->root))
            return gc_fail(f, "bad_opening", "chunk %lld's path does not lead to the root",
                           (long long)c->index);
    }
    return true;
}

static size_t count_in(const struct gc_replica *xs, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += xs[i].why.reason == NULL;
    return k;
}

/* The first reason a replica was dropped for, as the task's. */
static void first_reason(const struct gc_replica *xs, size_t n, int stage, struct gc_fail *f,
                         const char *fallback, const char *detail)
{
    for (size_t i = 0; i < n; i++)
        if (xs[i].why.reason != NULL && xs[i].stage == stage) {
            gc_fail(f, xs[i].why.reason, "%s: %s", xs[i].r->device, xs[i].why.detail);
            return;
        }
    gc_fail(f, fallback, "%s", detail);
}

/* Everything a verdict reports. */
struct gc_verdict {
    const struct gc_task *t;
    const struct gc_task_market *m;
    struct gc_replica *xs;
    size_t n;
    const uint8_t *root, *beacon;
    const int64_t *idx;
    size_t n_idx;
    const struct gc_fail *failed; /* NULL: verified */
    int64_t gpu_s, energy_wh, amount_micros;
};

static json_t *verdict_json(const struct gc_verdict *v)
{
    json_t *rec = record(v->failed ? "task.failed" : "task.verified");
    json_t *ok = json_array(), *bad = json_array();

    gc_json_set(rec, "task", json_string_nocheck(v->t->id));
    gc_json_set(rec, "market", json_string_nocheck(v->t->market));
    gc_json_set(rec, "buyer", json_string_nocheck(v->t->buyer));
    if (v->m != NULL) {
        gc_json_set(rec, "pool", json_string_nocheck(v->m->pool));
        gc_json_set(rec, "hour", gc_json_time(v->m->hour));
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct gc_replica *x = &v->xs[i];
        json_t *e = json_object();

        gc_json_set(e, "device", json_string_nocheck(x->r->device));
        if (x->r->signature == GC_RECEIPT_SIGNED)
            gc_json_set(e, "receipt", gc_json_hex(x->r->hash, GC_SHA256_LEN));
        if (x->why.reason == NULL) {
            gc_json_set(e, "gpu_s", json_integer(x->r->gpu_s));
            gc_json_set(e, "energy_wh", json_integer(x->r->energy_wh));
            json_array_append_new(ok, e);
        } else {
            gc_json_set(e, "reason", json_string_nocheck(x->why.reason));
            gc_json_set(e, "detail", json_string(x->why.detail));
            json_array_append_new(bad, e);
        }
    }
    gc_json_set(rec, "replicas", ok);
    gc_json_set(rec, "rejected", bad);
    if (v->root != NULL)
        gc_json_set(rec, "root", gc_json_hex(v->root, GC_SHA256_LEN));
    if (v->beacon != NULL) {
        json_t *idx = json_array();

        gc_json_set(rec, "beacon", gc_json_hex(v->beacon, GC_SHA256_LEN));
        for (size_t i = 0; i < v->n_idx; i++)
            json_array_append_new(idx, json_integer(v->idx[i]));
        gc_json_set(rec, "challenges", idx);
    }
    if (v->failed != NULL) {
        gc_json_set(rec, "reason", json_string_nocheck(v->failed->reason));
        gc_json_set(rec, "detail", json_string(v->failed->detail));
    } else {
        gc_json_set(rec, "gpu_s", json_integer(v->gpu_s));
        gc_json_set(rec, "energy_wh", json_integer(v->energy_wh));
        gc_json_set(rec, "price_micros", json_integer(v->t->price_micros));
        gc_json_set(rec, "amount_micros", json_integer(v->amount_micros));
    }
    return rec;
}

/*
 * The task's payment: price per GPU-hour x verified GPU-seconds / 3600,
 * rounded up in favour of the pool that did the work, split over the
 * replicas in proportion to their GPU-seconds by the largest remainder.
 */
static void pay_replicas(struct gc_task_book *b, const struct gc_task_hooks *h,
                         const struct gc_verdict *v)
{
    int64_t *weights = gc_xcalloc(v->n + 1, sizeof(*weights));
    int64_t *parts = gc_xcalloc(v->n + 1, sizeof(*parts));
    const json_t *currency = json_object_get(v->t->rec, "currency");
    size_t k = 0;

    for (size_t i = 0; i < v->n; i++)
        if (v->xs[i].why.reason == NULL)
            weights[k++] = v->xs[i].r->gpu_s;
    gc_apportion(v->amount_micros, weights, k, parts);
    k = 0;
    for (size_t i = 0; i < v->n; i++) {
        const struct gc_replica *x = &v->xs[i];
        json_t *rec;

        if (x->why.reason != NULL)
            continue;
        rec = record("payment");
        gc_json_set(rec, "task", json_string_nocheck(v->t->id));
        gc_json_set(rec, "market", json_string_nocheck(v->t->market));
        gc_json_set(rec, "pool", json_string_nocheck(v->m->pool));
        gc_json_set(rec, "hour", gc_json_time(v->m->hour));
        gc_json_set(rec, "buyer", json_string_nocheck(v->t->buyer));
        gc_json_set(rec, "device", json_string_nocheck(x->r->device));
        gc_json_set(rec, "receipt", gc_json_hex(x->r->hash, GC_SHA256_LEN));
        gc_json_set(rec, "gpu_s", json_integer(x->r->gpu_s));
        gc_json_set(rec, "price_micros", json_integer(v->t->price_micros));
        gc_json_set(rec, "amount_micros", json_integer(parts[k++]));
        if (currency != NULL)
            gc_json_set(rec, "currency", json_incref((json_t *)currency));
        emit(b, h, rec);
        json_decref(rec);
    }
    free(weights);
    free(parts);
}

/* The root most valid receipts commit to, when more than half the replicas do; else NULL. */
static const uint8_t *majority_root(const struct gc_replica *xs, size_t n, int64_t replicas)
{
    const uint8_t *best = NULL;
    size_t best_n = 0;
    bool tie = false;

    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        if (xs[i].why.reason != NULL)
            continue;
        for (size_t j = 0; j < n; j++)
            k += xs[j].why.reason == NULL &&
                 memcmp(xs[j].r->root, xs[i].r->root, GC_SHA256_LEN) == 0;
        if (k > best_n) {
            best = xs[i].r->root;
            best_n = k;
            tie = false;
        } else if (k == best_n && memcmp(best, xs[i].r->root, GC_SHA256_LEN) != 0) {
            tie = true;
        }
    }
    return best != NULL && !tie && (int64_t)best_n > replicas / 2 ? best : NULL;
}

/* Judges task T; false when recomputation failed. */
static bool judge(struct gc_task_book *b, const struct gc_task_hooks *h, struct gc_task *t,
                  bool pay)
{
    struct gc_verdict v = {.t = t};
    struct gc_replica *xs;
    struct gc_fail fail, f;
    int64_t idx[GC_TASK_MAX_CHALLENGES];
    size_t accepted = 0, majority = (size_t)t->replicas / 2 + 1;
    char key[96];
    bool ok = true;

    v.m = gc_map_get(&b->markets, t->market);
    xs = gc_xcalloc(t->n_receipts + 1, sizeof(*xs));
    v.xs = xs;
    v.n = t->n_receipts;
    if (v.m != NULL && t->beacon_hour < v.m->hour + 3600) {
        gc_fail(&fail, "early_beacon", "the beacon hour must start after the delivery hour ends");
        v.n = 0;
        v.failed = &fail;
        goto out;
    }
    for (size_t i = 0; i < v.n; i++) {
        xs[i].r = t->receipts[i];
        if (!check_receipt(b, t, v.m, &xs[i], &f)) {
            drop(&xs[i], &f, STAGE_RECEIPT);
        } else if (accepted == (size_t)t->replicas) {
            gc_fail(&f, "extra_replica", "the task asks for %lld replicas", (long long)t->replicas);
            drop(&xs[i], &f, STAGE_RECEIPT);
        } else if (!spend(b, t, v.m, xs[i].r, &f)) {
            drop(&xs[i], &f, STAGE_RECEIPT);
        } else {
            accepted++;
        }
    }
    if (accepted < majority) {
        first_reason(xs, v.n, STAGE_RECEIPT, &fail, "missing_receipt",
                     "too few receipts for a majority");
        v.failed = &fail;
        goto out;
    }
    v.root = majority_root(xs, v.n, t->replicas);
    for (size_t i = 0; i < v.n; i++)
        if (xs[i].why.reason == NULL &&
            (v.root == NULL || memcmp(xs[i].r->root, v.root, GC_SHA256_LEN) != 0)) {
            gc_fail(&f, "replica_mismatch", "its result root differs from the majority's");
            drop(&xs[i], &f, STAGE_AGREEMENT);
        }
    if (v.root == NULL) {
        gc_fail(&fail, "replica_mismatch", "no result root has a majority of %zu", majority);
        v.failed = &fail;
        goto out;
    }
    gc_snapshot_key(key, sizeof(key), t->beacon_pool, t->beacon_hour);
    v.beacon = gc_map_get(b->beacons, key);
    if (v.beacon == NULL) {
        gc_fail(&fail, "no_beacon", "no snapshot of pool '%s' for the beacon hour", t->beacon_pool);
        v.failed = &fail;
        goto out;
    }
    v.idx = idx;
    v.n_idx = gc_challenge_indices(v.beacon, t->hash, v.root, t->chunks, t->challenges, idx);
    for (size_t i = 0; i < v.n; i++)
        if (xs[i].why.reason == NULL && !check_opening(b, t, &xs[i], idx, v.n_idx, &f))
            drop(&xs[i], &f, STAGE_OPENING);
    if (count_in(xs, v.n) < majority) {
        first_reason(xs, v.n, STAGE_OPENING, &fail, "missing_opening", "too few openings");
        v.failed = &fail;
        goto out;
    }
    for (size_t k = 0; h->recompute != NULL && k < v.n_idx; k++) {
        uint8_t want[GC_SHA256_LEN];

        if (!h->recompute(h->ctx, t, idx[k], want)) {
            ok = false;
            goto done;
        }
        for (size_t i = 0; i < v.n; i++)
            if (xs[i].why.reason == NULL &&
                memcmp(opened_at(xs[i].r->opening, idx[k])->hash, want, GC_SHA256_LEN) != 0) {
                gc_fail(&f, "recompute_mismatch", "chunk %lld does not recompute to its hash",
                        (long long)idx[k]);
                drop(&xs[i], &f, STAGE_RECOMPUTE);
            }
    }
    if (count_in(xs, v.n) < majority) {
        gc_fail(&fail, "recompute_mismatch", "recomputed chunks differ from the committed ones");
        v.failed = &fail;
        goto out;
    }
    for (size_t i = 0; i < v.n; i++)
        if (xs[i].why.reason == NULL) {
            v.gpu_s += xs[i].r->gpu_s; /* bounded: 64 replicas x 3600 s x 2^20 GPUs */
            v.energy_wh += xs[i].r->energy_wh;
        }
    {
        gc_u128 amount;

        if (!gc_mul_div_ceil((gc_u128)t->price_micros, (gc_u128)v.gpu_s, 3600, &amount) ||
            amount > INT64_MAX) {
            gc_fail(&fail, "bad_number", "the payment does not fit in 64 bits");
            v.failed = &fail;
            goto out;
        }
        v.amount_micros = (int64_t)amount;
    }
out : {
    json_t *rec = verdict_json(&v);

    emit(b, h, rec);
    json_decref(rec);
}
    if (pay && v.failed == NULL)
        pay_replicas(b, h, &v);
done:
    free(xs);
    return ok;
}

/*
 * The devices whose receipts for T commit to ROOT with a valid signature of a
 * registered device and the task's chunk count: the ones a challenge of ROOT
 * asks to answer, in device order (a new JSON array).
 */
static json_t *committers(struct gc_task_book *b, const struct gc_task *t, const uint8_t *root)
{
    json_t *devices = json_array();
    struct gc_fail f;

    for (size_t j = 0; j < t->n_receipts; j++) {
        struct gc_receipt *r = t->receipts[j];

        if (r->chunks == t->chunks && memcmp(r->root, root, GC_SHA256_LEN) == 0 &&
            receipt_signed(b, r, &f))
            json_array_append_new(devices, json_string_nocheck(r->device));
    }
    return devices;
}

/* The derivation of challenge C for task T, or why it cannot be confirmed. */
static bool check_challenge(struct gc_task_book *b, const struct gc_task *t,
                            const struct gc_challenge *c, struct gc_fail *f)
{
    int64_t idx[GC_TASK_MAX_CHALLENGES];
    const uint8_t *beacon;
    char key[96];
    json_t *devices;
    bool same;
    size_t n;

    gc_snapshot_key(key, sizeof(key), t->beacon_pool, t->beacon_hour);
    beacon = gc_map_get(b->beacons, key);
    if (strcmp(c->beacon_pool, t->beacon_pool) != 0 || c->beacon_hour != t->beacon_hour)
        return gc_fail(f, "bad_challenge", "the beacon is not the one task '%s' names", t->id);
    if (beacon == NULL)
        return gc_fail(f, "bad_challenge", "no snapshot of pool '%s' for the beacon hour",
                       t->beacon_pool);
    if (memcmp(beacon, c->beacon, GC_SHA256_LEN) != 0)
        return gc_fail(f, "bad_challenge", "the beacon is not the snapshot's root");
    if (memcmp(t->hash, c->task_hash, GC_SHA256_LEN) != 0 || c->chunks != t->chunks)
        return gc_fail(f, "bad_challenge", "the task hash or chunk count is not task '%s''s",
                       t->id);
    n = gc_challenge_indices(beacon, t->hash, c->root, t->chunks, t->challenges, idx);
    if (n != c->n || memcmp(idx, c->indices, n * sizeof(*idx)) != 0)
        return gc_fail(f, "bad_challenge", "the indices are not the derived ones");
    devices = committers(b, t, c->root);
    same = json_equal(devices, c->devices);
    json_decref(devices);
    if (!same)
        return gc_fail(f, "bad_challenge", "the devices are not the ones that committed the root");
    return true;
}

static void check_challenges(struct gc_task_book *b, const struct gc_task_hooks *h)
{
    for (size_t i = 0; i < b->n_challenges; i++) {
        const struct gc_challenge *c = &b->challenges[i]->c;
        const struct gc_task *t = gc_map_get(&b->tasks, c->task);
        struct gc_fail f;

        if (t == NULL)
            gc_fail(&f, "unknown_task", "challenge of task '%s', which is not given", c->task);
        if (t == NULL || !check_challenge(b, t, c, &f))
            h->reject(h->ctx, b->challenges[i]->tag, &f);
    }
}

bool gc_task_book_judge(struct gc_task_book *b, const struct gc_task_hooks *h, bool pay)
{
    struct gc_task **tasks;
    bool ok = true;

    link_records(b, h);
    check_challenges(b, h);
    tasks = (struct gc_task **)gc_map_sorted_values(&b->tasks);
    for (size_t i = 0; i < b->tasks.n && ok; i++)
        ok = judge(b, h, tasks[i], pay);
    free(tasks);
    return ok;
}

static int by_root(const void *a, const void *b)
{
    return memcmp(a, b, GC_SHA256_LEN);
}

void gc_task_book_challenges(struct gc_task_book *b, const struct gc_task_hooks *h, size_t *waiting)
{
    struct gc_task **tasks;

    *waiting = 0;
    link_records(b, h);
    check_challenges(b, h);
    tasks = (struct gc_task **)gc_map_sorted_values(&b->tasks);
    for (size_t i = 0; i < b->tasks.n; i++) {
        struct gc_task *t = tasks[i];
        uint8_t(*roots)[GC_SHA256_LEN] = gc_xcalloc(t->n_receipts + 1, GC_SHA256_LEN);
        const uint8_t *beacon;
        size_t n = 0;
        char key[96];

        gc_snapshot_key(key, sizeof(key), t->beacon_pool, t->beacon_hour);
        beacon = gc_map_get(b->beacons, key);
        if (beacon == NULL)
            ++*waiting;
        /* Every committed root, challenged alike; one no valid receipt signs is passed over. */
        for (size_t j = 0; beacon != NULL && j < t->n_receipts; j++)
            memcpy(roots[n++], t->receipts[j]->root, GC_SHA256_LEN);
        qsort(roots, n, GC_SHA256_LEN, by_root);
        for (size_t j = 0; j < n; j++) {
            int64_t idx[GC_TASK_MAX_CHALLENGES];
            size_t n_idx;
            json_t *rec, *arr, *devices;

            if (j > 0 && memcmp(roots[j], roots[j - 1], GC_SHA256_LEN) == 0)
                continue;
            devices = committers(b, t, roots[j]);
            if (json_array_size(devices) == 0) {
                json_decref(devices); /* only forged or malformed receipts commit to it */
                continue;
            }
            n_idx = gc_challenge_indices(beacon, t->hash, roots[j], t->chunks, t->challenges, idx);
            rec = record("challenge");
            arr = json_array();
            gc_json_set(rec, "task", json_string_nocheck(t->id));
            gc_json_set(rec, "task_hash", gc_json_hex(t->hash, GC_SHA256_LEN));
            gc_json_set(rec, "beacon", gc_json_hex(beacon, GC_SHA256_LEN));
            gc_json_set(rec, "beacon_pool", json_string_nocheck(t->beacon_pool));
            gc_json_set(rec, "beacon_hour", gc_json_time(t->beacon_hour));
            gc_json_set(rec, "root", gc_json_hex(roots[j], GC_SHA256_LEN));
            gc_json_set(rec, "chunks", json_integer(t->chunks));
            for (size_t k = 0; k < n_idx; k++)
                json_array_append_new(arr, json_integer(idx[k]));
            gc_json_set(rec, "indices", arr);
            gc_json_set(rec, "devices", devices);
            emit(b, h, rec);
            json_decref(rec);
        }
        free(roots);
    }
    free(tasks);
}

/* Frees every value of M and, when KEYS, every key; then the map. */
static void release_map(struct gc_map *m, bool keys)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != NULL) {
            if (keys)
                free((char *)m->slots[i].key);
            free(m->slots[i].value);
        }
    gc_map_release(m);
}

void gc_task_book_release(struct gc_task_book *b)
{
    for (size_t i = 0; i < b->tasks.cap; i++) {
        struct gc_task *t = b->tasks.slots[i].value;

        if (b->tasks.slots[i].key == NULL)
            continue;
        json_decref(t->rec);
        free(t->receipts);
        free(t);
    }
    gc_map_release(&b->tasks);
    for (size_t i = 0; i < b->n_receipts; i++) {
        json_decref(b->receipts[i]->rec);
        free(b->receipts[i]);
    }
    free(b->receipts);
    for (size_t i = 0; i < b->n_openings; i++)
        opening_free(b->openings[i]);
    free(b->openings);
    for (size_t i = 0; i < b->n_challenges; i++) {
        json_decref(b->challenges[i]->rec);
        free(b->challenges[i]);
    }
    free(b->challenges);
    for (size_t i = 0; i < b->index.cap; i++)
        free((char *)b->index.slots[i].key);
    gc_map_release(&b->index);
    release_map(&b->markets, false); /* keys live inside the values */
    release_map(&b->claims, true);
    release_map(&b->energy, false);
    for (size_t i = 0; i < b->periods.cap; i++)
        free(b->periods.slots[i].value); /* key and value are one string */
    gc_map_release(&b->periods);
    gc_buf_release(&b->msg);
    gc_buf_release(&b->out);
}
