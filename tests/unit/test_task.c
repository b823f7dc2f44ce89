/*
 * Proof of compute (gc_task): the challenge derivation against an
 * independently computed vector and its properties, and judgements the
 * command-line tests cannot reach — an opening signed by the right key
 * whose path is wrong, one signed by another key — with real keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gc_test.h"

#include "gc_crypto.h"
#include "gc_json.h"
#include "gc_merkle.h"
#include "gc_reading.h"
#include "gc_signed.h"
#include "gc_task.h"
#include "gc_time.h"

static void fill(uint8_t *b, uint8_t v)
{
    memset(b, v, GC_SHA256_LEN);
}

/* Vectors from a separate Python derivation (hashlib), the same text as gc-verify(1). */
static void test_challenge_vectors(void **state)
{
    uint8_t beacon[GC_SHA256_LEN], task[GC_SHA256_LEN], root[GC_SHA256_LEN];
    int64_t idx[GC_TASK_MAX_CHALLENGES];
    static const int64_t want_1000[] = {219, 244, 380, 481, 594, 668, 813, 891};
    static const int64_t want_2_32[] = {469699396, 2230384227, 3126772626, 3424087405, 4293830748};

    (void)state;
    fill(beacon, 0x00);
    fill(task, 0x11);
    fill(root, 0x22);
    assert_int_equal(gc_challenge_indices(beacon, task, root, 1000, 8, idx), 8);
    assert_memory_equal(idx, want_1000, sizeof(want_1000));
    assert_int_equal(gc_challenge_indices(beacon, task, root, (int64_t)1 << 32, 5, idx), 5);
    assert_memory_equal(idx, want_2_32, sizeof(want_2_32));
    /* More challenges than chunks: every chunk, once. */
    assert_int_equal(gc_challenge_indices(beacon, task, root, 3, 3, idx), 3);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 2);
    assert_int_equal(gc_challenge_indices(beacon, task, root, 1, 256, idx), 1);
    assert_int_equal(idx[0], 0);
}

/* Distinct, ascending, in range, as many as asked, the same every time; any input bit matters. */
static void test_challenge_properties(void **state)
{
    uint8_t beacon[GC_SHA256_LEN], task[GC_SHA256_LEN], root[GC_SHA256_LEN];
    int64_t a[GC_TASK_MAX_CHALLENGES], b[GC_TASK_MAX_CHALLENGES];
    uint32_t x = 12345;

    (void)state;
    for (int round = 0; round < 300; round++) {
        int64_t chunks = 1 + (int64_t)((x = x * 1103515245u + 12345u) % 5000);
        int64_t count = 1 + (int64_t)((x = x * 1103515245u + 12345u) % GC_TASK_MAX_CHALLENGES);
        size_t n, want = (size_t)(count < chunks ? count : chunks);

        fill(beacon, (uint8_t)round);
        fill(task, (uint8_t)(round * 7));
        fill(root, (uint8_t)(round * 13));
        n = gc_challenge_indices(beacon, task, root, chunks, count, a);
        assert_int_equal(n, want);
        for (size_t i = 0; i < n; i++) {
            assert_true(a[i] >= 0 && a[i] < chunks);
            if (i > 0)
                assert_true(a[i] > a[i - 1]);
        }
        assert_int_equal(gc_challenge_indices(beacon, task, root, chunks, count, b), n);
        assert_memory_equal(a, b, n * sizeof(*a));
        /* One bit of the root: another draw (for sets big enough not to repeat by chance). */
        if (chunks >= 1000 && count >= 8) {
            root[31] ^= 1;
            gc_challenge_indices(beacon, task, root, chunks, count, b);
            assert_memory_not_equal(a, b, n * sizeof(*a));
        }
    }
}

/* --- a judged task with real keys --- */

#define HOUR_T 1793541600 /* 2026-11-01T14:00:00Z */
#define CHUNKS 8

struct world {
    struct gc_key gpu, other;
    struct gc_device dev;
    struct gc_registry reg;
    struct gc_map beacons;
    uint8_t beacon[GC_SHA256_LEN];
    uint8_t hashes[CHUNKS][GC_SHA256_LEN], leaves[CHUNKS][GC_SHA256_LEN], root[GC_SHA256_LEN];
    struct gc_buf msg, out, emitted;
    char reason[64];
};

static void world_init(struct world *w, const char *dir)
{
    char path[GC_TEST_PATH_CAP];

    memset(w, 0, sizeof(*w));
    gc_test_path_in(path, dir, "gpu-1.key");
    gc_key_generate(path, "gpu-1", &w->gpu);
    gc_test_path_in(path, dir, "other.key");
    gc_key_generate(path, "gpu-1", &w->other);
    snprintf(w->dev.id, sizeof(w->dev.id), "gpu-1");
    w->dev.cls = GC_CLASS_GPU;
    w->dev.rated_w = 1000;
    w->dev.gpus = 1;
    snprintf(w->dev.zone, sizeof(w->dev.zone), "z1");
    memcpy(w->dev.pubkey, w->gpu.pk, GC_PUBKEY_LEN);
    gc_map_put(&w->reg.devices, w->dev.id, &w->dev);
    fill(w->beacon, 0xbe);
    gc_map_put(&w->beacons, "gpu-z1@1793545200", w->beacon);
    for (int i = 0; i < CHUNKS; i++) {
        gc_sha256(&i, sizeof(i), w->hashes[i]);
        gc_merkle_leaf_hash(w->hashes[i], GC_SHA256_LEN, w->leaves[i]);
    }
    gc_merkle_root((const uint8_t(*)[GC_SHA256_LEN])w->leaves, CHUNKS, w->root);
}

static void world_release(struct world *w)
{
    gc_key_release(&w->gpu);
    gc_key_release(&w->other);
    gc_map_release(&w->reg.devices);
    gc_map_release(&w->beacons);
    gc_buf_release(&w->msg);
    gc_buf_release(&w->out);
    gc_buf_release(&w->emitted);
}

static json_t *parse(const char *s)
{
    struct gc_fail f;
    json_t *rec = gc_json_parse_object(s, strlen(s), &f);

    assert_non_null(rec);
    return rec;
}

static void add(struct gc_task_book *b, const char *text)
{
    struct gc_fail f;
    json_t *rec = parse(text);

    if (!gc_task_book_add(b, rec, NULL, &f))
        fail_msg("refused %s: %s: %s", text, f.reason, f.detail);
    json_decref(rec);
}

/* Adds REC sealed with KEY. */
static void add_sealed(struct world *w, struct gc_task_book *b, json_t *rec,
                       const struct gc_key *key)
{
    uint8_t hash[GC_SHA256_LEN];

    gc_signed_seal(rec, key, &w->msg, &w->out, hash);
    gc_buf_addc(&w->out, '\0');
    add(b, w->out.ptr);
    json_decref(rec);
}

static void on_emit(void *ctx, const char *rec, size_t len)
{
    struct world *w = ctx;

    gc_buf_add(&w->emitted, rec, len);
    gc_buf_addc(&w->emitted, '\n');
}

static void on_reject(void *ctx, void *tag, const struct gc_fail *f)
{
    fail_msg("unexpected late reject: %s: %s", f->reason, f->detail);
}

/*
 * One task, one replica: its receipt, the market's delivery, an attestation,
 * and an opening that MUTATE may spoil before KEY signs it. Returns the
 * verdict record (the caller decrefs).
 */
static json_t *judge_one(struct world *w, void (*mutate)(json_t *opening), const struct gc_key *key)
{
    struct gc_task_book b;
    struct gc_task_hooks h = {.ctx = w, .emit = on_emit, .reject = on_reject};
    struct gc_challenge c;
    struct gc_fail f;
    json_t *task, *opening, *verdict;
    uint8_t task_hash[GC_SHA256_LEN], att_hash[GC_SHA256_LEN], prev[GC_SHA256_LEN] = {0};
    const char *nl;

    gc_task_book_init(&b, &w->reg, &w->beacons);
    task = parse("{\"type\":\"task\",\"v\":1,\"task\":\"t1\",\"market\":\"m\",\"buyer\":\"alice\","
                 "\"spec\":\"5555555555555555555555555555555555555555555555555555555555555555\","
                 "\"replicas\":1,\"chunks\":8,\"challenges\":3,\"price_micros\":3600,"
                 "\"beacon_pool\":\"gpu-z1\",\"beacon_hour\":\"2026-11-01T15:00:00Z\"}");
    assert_true(gc_task_book_add(&b, task, NULL, &f));
    gc_signed_hash(task, &w->msg, task_hash);
    json_decref(task);
    add(&b, "{\"type\":\"amm.delivery\",\"v\":1,\"market\":\"m\",\"pool\":\"gpu-z1\","
            "\"hour\":\"2026-11-01T14:00:00Z\",\"buyer\":\"alice\",\"device\":\"gpu-1\","
            "\"gpu_s\":3600}");
    {
        json_t *att = parse("{\"type\":\"reading\",\"v\":1,\"device\":\"gpu-1\","
                            "\"ts\":\"2026-11-01T14:00:00Z\",\"period_s\":3600,"
                            "\"energy_wh\":700,\"gpu_s\":3600}");

        gc_attestation_seal(att, 1, prev, &w->gpu, &w->msg, &w->out, att_hash);
        gc_buf_addc(&w->out, '\0');
        add(&b, w->out.ptr);
        json_decref(att);
    }
    add_sealed(
        w, &b,
        gc_receipt_new("t1", "gpu-1", HOUR_T + 60, HOUR_T + 3000, 2000, 600, CHUNKS, w->root),
        &w->gpu);
    /* The challenge as gc-verify challenges derives it, answered as gc-attest open does. */
    memset(&c, 0, sizeof(c));
    snprintf(c.task, sizeof(c.task), "t1");
    memcpy(c.root, w->root, GC_SHA256_LEN);
    c.chunks = CHUNKS;
    c.n = gc_challenge_indices(w->beacon, task_hash, w->root, CHUNKS, 3, c.indices);
    opening = gc_opening_new(&c, "gpu-1", (const uint8_t(*)[GC_SHA256_LEN])w->leaves,
                             (const uint8_t(*)[GC_SHA256_LEN])w->hashes);
    if (mutate != NULL)
        mutate(opening);
    add_sealed(w, &b, opening, key);
    gc_buf_reset(&w->emitted);
    assert_true(gc_task_book_judge(&b, &h, true));
    gc_task_book_release(&b);
    nl = memchr(w->emitted.ptr, '\n', w->emitted.len);
    assert_non_null(nl);
    verdict = gc_json_parse_object(w->emitted.ptr, (size_t)(nl - w->emitted.ptr), &f);
    assert_non_null(verdict);
    return verdict;
}

static const char *str(const json_t *rec, const char *key)
{
    const char *s = json_string_value(json_object_get(rec, key));

    return s ? s : "(none)";
}

static void test_judge_honest(void **state)
{
    struct world w;
    json_t *v;

    world_init(&w, *state);
    v = judge_one(&w, NULL, &w.gpu);
    assert_string_equal(str(v, "type"), "task.verified");
    /* 3600 micros per GPU-hour x 2000 GPU-seconds */
    assert_int_equal(json_integer_value(json_object_get(v, "amount_micros")), 2000);
    /* the payment follows the verdict and carries all of it */
    assert_non_null(strstr(w.emitted.ptr, "\"amount_micros\":2000,\"buyer\":\"alice\","
                                          "\"device\":\"gpu-1\""));
    json_decref(v);
    world_release(&w);
}

/* A sibling's hash in the path: the device signed it, but it proves nothing. */
static void wrong_path(json_t *opening)
{
    json_t *first = json_array_get(json_object_get(opening, "opened"), 0);
    json_t *path = json_object_get(first, "path");

    json_array_set_new(
        path, 0, json_string("0000000000000000000000000000000000000000000000000000000000000000"));
}

/* The hash of another chunk under the right path. */
static void wrong_hash(json_t *opening)
{
    json_t *first = json_array_get(json_object_get(opening, "opened"), 0);

    json_object_set_new(
        first, "hash",
        json_string("1111111111111111111111111111111111111111111111111111111111111111"));
}

static void test_judge_bad_openings(void **state)
{
    struct world w;
    json_t *v;
    const json_t *bad;

    world_init(&w, *state);
    v = judge_one(&w, wrong_path, &w.gpu);
    assert_string_equal(str(v, "type"), "task.failed");
    assert_string_equal(str(v, "reason"), "bad_opening");
    assert_non_null(strstr(str(v, "detail"), "does not lead to the root"));
    json_decref(v);

    v = judge_one(&w, wrong_hash, &w.gpu);
    assert_string_equal(str(v, "reason"), "bad_opening");
    json_decref(v);

    /* Another key's signature on a true opening. */
    v = judge_one(&w, NULL, &w.other);
    assert_string_equal(str(v, "reason"), "bad_opening");
    assert_non_null(strstr(str(v, "detail"), "signature"));
    bad = json_array_get(json_object_get(v, "rejected"), 0);
    assert_string_equal(str(bad, "device"), "gpu-1");
    json_decref(v);
    world_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_challenge_vectors),
        cmocka_unit_test(test_challenge_properties),
        GC_TEST_WITH_DIR(test_judge_honest),
        GC_TEST_WITH_DIR(test_judge_bad_openings),
    };

    gc_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
