/*
 * fuzz_records — the decoders every program reads one record with, each given the same
 * NDJSON line (each refuses a record of another type at once):
 *   gc-attest sign: gc_reading_parse ("reading"), then sealing (gc_chain_next,
 *     gc_attestation_seal) with a fixed test key;
 *   gc-verify, gc-pool match: gc_reading_parse ("attestation") and the judgements after it;
 *   registries: gc_device_from_json; gc-pool build: gc_pool_def_from_json;
 *   gc-issue: gc_terms_parse ("terms") and gc_terms_value; gc-verify: gc_package_check;
 *   gc-settle mint: gc_stable_params_parse; gc-verify tasks: gc_receipt_parse,
 *     gc_challenge_parse; state files: gc_chains_add_head, gc_amm_load; gc_intensity_add;
 *   validators and parties: gc_pubkey_set_add; snapshots: gc_quorum_check.
 * Properties:
 *   - every refusal has a reason, and every decoder frees what it made either way;
 *   - a reading gc-attest signs comes out as a canonical attestation that gc-verify's decoder
 *     takes with the same fields, whose signature checks against the key and whose chain link
 *     a fresh chain accepts;
 *   - a device written back (gc_device_to_json) reads back the same;
 *   - reserve params written as a ledger record read back the same;
 *   - chain heads and market states written to their state files read back to the same bytes.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gc_amm.h"
#include "gc_chain.h"
#include "gc_cosign.h"
#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_intensity.h"
#include "gc_json.h"
#include "gc_pool.h"
#include "gc_reading.h"
#include "gc_signed.h"
#include "gc_stable.h"
#include "gc_task.h"
#include "gc_terms.h"
#include "gc_time.h"
#include "banned.h"

#define NOW_S 1798761600 /* 2027-01-01T00:00:00Z: gc-verify's --now */

static struct gc_key key;

/* A registered device of class CLS in zone "z1" at geohash "u0yj", with the test key. */
static void test_device(struct gc_device *d, enum gc_class cls, const char *id)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->id, sizeof(d->id), "%s", id);
    d->cls = cls;
    d->rated_w = 5000;
    snprintf(d->zone, sizeof(d->zone), "z1");
    snprintf(d->geohash, sizeof(d->geohash), "u0yj");
    memcpy(d->pubkey, key.pk, GC_PUBKEY_LEN);
    d->efficiency_bps = cls == GC_CLASS_BATTERY ? 9000 : 0;
    d->gpus = cls == GC_CLASS_GPU ? 8 : 1;
}

/* gc-verify's judgements of an attestation R (REC) of a registered device, in its order. */
static void judge(const json_t *rec, const struct gc_reading *r, struct gc_chains *chains,
                  bool expect_sig)
{
    static const enum gc_class classes[] = {GC_CLASS_PV, GC_CLASS_BATTERY, GC_CLASS_GPU};
    struct gc_buf msg = GC_BUF_INIT;
    uint8_t hash[GC_SHA256_LEN];
    struct gc_fail f = {NULL, ""};
    struct gc_device d;
    bool sig;

    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        test_device(&d, classes[i], r->device);
        if (!gc_reading_check_form(r, &d, &f))
            fuzz_check_fail(&f);
        if (!gc_reading_check_location(r, &d, &f))
            fuzz_check_fail(&f);
        if (!gc_reading_check_period(r, &f))
            fuzz_check_fail(&f);
        if (!gc_reading_check_capacity(r, &d, 500, &f))
            fuzz_check_fail(&f);
        if (!gc_reading_check_time(r, NOW_S, &f))
            fuzz_check_fail(&f);
    }
    sig = gc_attestation_check_sig(rec, r, key.pk, &msg, hash, &f);
    FUZZ_CHECK(sig || !expect_sig, "the attestation's signature does not check: %s", f.detail);
    if (!sig) {
        fuzz_check_fail(&f);
    } else {
        bool linked = gc_chain_check(chains, gc_chains_head(chains, r->device), r->seq, r->prev,
                                     hash, r->ts, &f);

        FUZZ_CHECK(linked || !expect_sig, "a fresh chain refuses the first link: %s", f.detail);
    }
    gc_buf_release(&msg);
}

/* gc-attest sign, then gc-verify: what one signs the other takes. */
static void sign_and_verify(const json_t *rec, const struct gc_reading *r)
{
    struct gc_chains signer, verifier;
    struct gc_buf msg = GC_BUF_INIT, out = GC_BUF_INIT;
    uint8_t prev[GC_SHA256_LEN], hash[GC_SHA256_LEN];
    struct gc_fail f = {NULL, ""};
    struct gc_reading a;
    struct gc_chain_head *h;
    json_t *copy, *back;
    int64_t seq;

    gc_chains_init(&signer);
    gc_chains_init(&verifier);
    h = gc_chains_head(&signer, r->device);
    FUZZ_CHECK(gc_chain_next(h, r->ts, &seq, prev, &f), "a fresh chain refuses: %s", f.detail);
    copy = json_deep_copy(rec);
    FUZZ_CHECK(copy != NULL, "out of memory");
    gc_attestation_seal(copy, seq, prev, &key, &msg, &out, hash);
    gc_chain_advance(&signer, h, seq, hash, r->ts);
    json_decref(copy);

    back = fuzz_check_record(out.ptr, out.len, "attestation");
    FUZZ_CHECK(gc_reading_parse(back, GC_ATTESTATION, &a, &f), "gc-verify refuses %s: %s", out.ptr,
               f.detail);
    FUZZ_CHECK(strcmp(a.device, r->device) == 0 && a.ts == r->ts && a.period_s == r->period_s &&
                   a.has_energy == r->has_energy && a.energy_wh == r->energy_wh &&
                   a.charge_wh == r->charge_wh && a.discharge_wh == r->discharge_wh &&
                   a.has_gpu_s == r->has_gpu_s && a.gpu_s == r->gpu_s && a.busy_s == r->busy_s &&
                   a.seq == seq && memcmp(a.prev, prev, GC_SHA256_LEN) == 0,
               "the attestation says something else than the reading: %s", out.ptr);
    judge(back, &a, &verifier, true);
    json_decref(back);
    gc_chains_release(&signer);
    gc_chains_release(&verifier);
    gc_buf_release(&msg);
    gc_buf_release(&out);
}

static void try_readings(const json_t *rec)
{
    struct gc_reading r;
    struct gc_fail f = {NULL, ""};
    struct gc_chains chains;

    if (gc_reading_parse(rec, GC_READING, &r, &f))
        sign_and_verify(rec, &r);
    else
        fuzz_check_fail(&f);
    f.reason = NULL;
    if (gc_reading_parse(rec, GC_ATTESTATION, &r, &f)) {
        gc_chains_init(&chains);
        judge(rec, &r, &chains, false);
        gc_chains_release(&chains);
    } else {
        fuzz_check_fail(&f);
    }
}

static void try_device(const json_t *rec)
{
    struct gc_device d, e;
    struct gc_fail f = {NULL, ""};
    json_t *back;

    if (!gc_device_from_json(rec, &d, &f)) {
        fuzz_check_fail(&f);
        return;
    }
    back = gc_device_to_json(&d);
    fuzz_check_json(back, "device");
    FUZZ_CHECK(gc_device_from_json(back, &e, &f), "a device written back is refused: %s", f.detail);
    FUZZ_CHECK(memcmp(&d, &e, sizeof(d)) == 0, "a device written back reads another");
    json_decref(back);
}

static void try_pool_def(const json_t *rec)
{
    struct gc_pool_def def;
    struct gc_fail f = {NULL, ""};

    if (!gc_pool_def_from_json(rec, &def, &f))
        fuzz_check_fail(&f);
    gc_pool_def_release(&def);
}

static void try_terms(const json_t *rec)
{
    struct gc_terms t;
    struct gc_fail f = {NULL, ""};
    struct gc_valuation val;
    struct gc_collateral c[2];
    struct gc_buf msg = GC_BUF_INIT;
    uint8_t hash[GC_SHA256_LEN], pk[GC_PUBKEY_LEN];

    /* gc-issue package: the term sheet, valued on a snapshot of each of two hours. */
    if (gc_terms_parse(rec, "terms", &t, &f)) {
        memset(c, 0, sizeof(c));
        for (size_t i = 0; i < 2; i++) {
            snprintf(c[i].pool, sizeof(c[i].pool), "%s", t.pools[0]);
            c[i].hour = t.start - 3600 * (int64_t)(i + 1);
            c[i].green_gpu_s = 28800;
        }
        if (t.price_from_index)
            t.price_micros = 2000000; /* what an index record would have said */
        if (!gc_terms_value(&t, c, 2, &val, &f))
            fuzz_check_fail(&f);
    } else {
        fuzz_check_fail(&f);
    }
    gc_terms_release(&t);
    /* gc-verify: a package record recomputed from its inputs. */
    f.reason = NULL;
    if (!gc_package_check(rec, &t, &msg, hash, pk, &f))
        fuzz_check_fail(&f);
    gc_terms_release(&t);
    gc_buf_release(&msg);
}

static void try_params(const json_t *rec)
{
    struct gc_stable_params p, q;
    struct gc_fail f = {NULL, ""};
    bool global, global2;
    int64_t ceiling = -1, ceiling2 = -1;
    json_t *back;

    if (!gc_stable_params_parse(rec, &p, &global, &ceiling, &f)) {
        fuzz_check_fail(&f);
        return;
    }
    back = global ? gc_stable_global_record(ceiling)
                  : gc_stable_params_record(&p, "0000000000000000000000000000000000000000000000"
                                                "000000000000000000");
    fuzz_check_json(back, "reserve.params");
    FUZZ_CHECK(gc_stable_params_parse(back, &q, &global2, &ceiling2, &f),
               "params written back are refused: %s", f.detail);
    FUZZ_CHECK(global == global2 && ceiling == ceiling2 && strcmp(p.package, q.package) == 0 &&
                   p.duty == q.duty && p.liquidation_bps == q.liquidation_bps &&
                   p.ceiling_micros == q.ceiling_micros && p.min_draw_micros == q.min_draw_micros &&
                   p.haircut_bps == q.haircut_bps,
               "params written back read other values");
    json_decref(back);
}

static void try_task_records(const json_t *rec)
{
    struct gc_receipt r;
    struct gc_challenge c;
    struct gc_fail f = {NULL, ""};

    memset(&r, 0, sizeof(r));
    if (!gc_receipt_parse(rec, &r, &f))
        fuzz_check_fail(&f);
    f.reason = NULL;
    if (gc_challenge_parse(rec, &c, &f)) {
        FUZZ_CHECK(c.n >= 1 && c.n <= GC_TASK_MAX_CHALLENGES, "%zu indices", c.n);
        for (size_t i = 0; i < c.n; i++)
            FUZZ_CHECK(c.indices[i] >= 0 && c.indices[i] < c.chunks, "index out of range");
        for (size_t i = 0; i < json_array_size(c.devices); i++)
            FUZZ_CHECK(gc_challenge_names(&c, json_string_value(json_array_get(c.devices, i))),
                       "a device of the challenge is not named by it");
    } else {
        fuzz_check_fail(&f);
    }
}

static void try_chain_head(const json_t *rec)
{
    struct gc_chains a, b;
    struct gc_buf out = GC_BUF_INIT, again = GC_BUF_INIT;
    struct gc_fail f = {NULL, ""};
    json_t *back;

    gc_chains_init(&a);
    gc_chains_init(&b);
    if (gc_chains_add_head(&a, rec, &f)) {
        gc_chains_format(&a, &out);
        FUZZ_CHECK(out.len > 0 && out.ptr[out.len - 1] == '\n', "a state file line");
        back = fuzz_check_record(out.ptr, out.len - 1, "chain.head");
        FUZZ_CHECK(gc_chains_add_head(&b, back, &f), "a chain head written back is refused: %s",
                   f.detail);
        gc_chains_format(&b, &again);
        FUZZ_CHECK(again.len == out.len && memcmp(again.ptr, out.ptr, out.len) == 0,
                   "a chain head written back changes");
        json_decref(back);
    } else {
        fuzz_check_fail(&f);
    }
    gc_chains_release(&a);
    gc_chains_release(&b);
    gc_buf_release(&out);
    gc_buf_release(&again);
}

static void try_amm_state(const json_t *rec)
{
    struct gc_amm_book a, b;
    struct gc_buf out = GC_BUF_INIT, again = GC_BUF_INIT;
    struct gc_fail f = {NULL, ""};
    struct gc_amm_market **ms;
    json_t *back;

    gc_amm_book_init(&a);
    gc_amm_book_init(&b);
    if (gc_amm_load(&a, rec, &f)) {
        ms = gc_amm_sorted(&a);
        FUZZ_CHECK(a.markets.n == 1, "one record, %zu markets", a.markets.n);
        gc_amm_state_record(ms[0], &out);
        free(ms);
        back = fuzz_check_record(out.ptr, out.len, "amm.state");
        FUZZ_CHECK(gc_amm_load(&b, back, &f), "a market state written back is refused: %s",
                   f.detail);
        ms = gc_amm_sorted(&b);
        gc_amm_state_record(ms[0], &again);
        free(ms);
        FUZZ_CHECK(again.len == out.len && memcmp(again.ptr, out.ptr, out.len) == 0,
                   "a market state written back changes:\n  %s\n  %s", out.ptr, again.ptr);
        json_decref(back);
    } else {
        fuzz_check_fail(&f);
    }
    gc_amm_book_release(&a);
    gc_amm_book_release(&b);
    gc_buf_release(&out);
    gc_buf_release(&again);
}

static void try_sets(json_t *rec)
{
    struct gc_intensity t;
    struct gc_map validators = GC_MAP_INIT, parties = GC_MAP_INIT;
    struct gc_fail f = {NULL, ""};
    struct gc_buf msg = GC_BUF_INIT;
    uint8_t hash[GC_SHA256_LEN];

    memset(&t, 0, sizeof(t));
    if (!gc_intensity_add(&t, rec, &f))
        fuzz_check_fail(&f);
    gc_intensity_release(&t);
    f.reason = NULL;
    if (!gc_validator_add(&validators, rec, &f))
        fuzz_check_fail(&f);
    f.reason = NULL;
    if (!gc_party_add(&parties, rec, &f))
        fuzz_check_fail(&f);
    /* A snapshot's co-signatures, against the validators just read (if any). */
    f.reason = NULL;
    if (!gc_quorum_check(rec, &validators, 1, &f))
        fuzz_check_fail(&f);
    gc_snapshot_hash(rec, &msg, hash);
    gc_pubkey_set_release(&validators);
    gc_pubkey_set_release(&parties);
    gc_buf_release(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gc_fail f = {NULL, ""};
    json_t *rec;

    fuzz_init();
    fuzz_key_init(&key, "fuzz");
    rec = fuzz_parse_record((const char *)data, size, &f);
    if (rec == NULL)
        return 0;
    try_readings(rec);
    try_device(rec);
    try_pool_def(rec);
    try_terms(rec);
    try_params(rec);
    try_task_records(rec);
    try_chain_head(rec);
    try_amm_state(rec);
    try_sets(rec);
    json_decref(rec);
    return 0;
}
