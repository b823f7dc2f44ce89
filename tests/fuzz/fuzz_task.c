/*
 * fuzz_task — gc-verify tasks and gc-verify challenges: the proof-of-compute book
 * (gc_task_book_add, gc_task_book_judge, gc_task_book_challenges) over tasks, receipts,
 * openings, challenges, amm.delivery records and attestations.
 *
 * The input starts with an option byte, then NDJSON lines:
 *   bit 0: sign mode — every device's key is the harness's test key and every receipt,
 *          opening and attestation is signed with it before it is read, so that the fuzzer
 *          gets past the signatures to the judging (otherwise records are read as they are);
 *   bit 1: run the challenges verb instead of tasks;  bit 2: tasks --pay;
 *   bit 3: --recompute, a hook answering SHA-256(spec || index);
 *   bit 4: an honest round (with sign mode): each receipt commits to the root of the chunks
 *          SHA-256(spec || index) of its task (up to 4096 chunks), gc-verify challenges runs
 *          on them, every device named opens its challenge as gc-attest open does
 *          (gc_opening_new), and gc-verify tasks judges it all again with those records.
 * "device" lines make the registry (--registry) and "pool" snapshots the beacons
 * (--snapshots), read before the rest as the program does. Properties:
 *   - every refusal has a reason; the book frees everything;
 *   - every record written is canonical, and the challenges read back as gc-attest open reads
 *     them (gc_challenge_parse);
 *   - a late reject names a receipt, opening or challenge the book had accepted, and each
 *     such line at most once (gc_filter_reject_late would otherwise count a line twice and
 *     gc_filter_finish stop with exit 70).
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_merkle.h"
#include "gc_registry.h"
#include "gc_signed.h"
#include "gc_task.h"
#include "gc_time.h"
#include "banned.h"

#define MAX_LINES  256
#define MAX_CHUNKS 4096 /* of an honest round's tasks */

/* What the program keeps of a line it may reject late. */
struct tag {
    bool kept;     /* a receipt, opening or challenge */
    bool accepted; /* gc_task_book_add took it */
    int late;      /* late rejects */
};

struct run {
    unsigned opts;
    int pass;
    struct gc_registry registry;
    struct gc_map beacons;
    struct gc_map specs; /* task id -> its spec (32 bytes), for the honest round */
    struct gc_task_book book;
    struct tag tags[MAX_LINES];
    const uint8_t *input; /* the lines, after the option byte */
    size_t input_len;
    struct tag **made; /* the honest round's challenges and openings (the book keeps pointers) */
    size_t n_made;
    json_t *challenges; /* what gc-verify challenges wrote, as strings */
    struct gc_buf msg, out;
};

static struct gc_key key;

static bool is_type(const json_t *rec, const char *type)
{
    const char *t = json_string_value(json_object_get(rec, "type"));

    return t != NULL && strcmp(t, type) == 0;
}

/* The registry and the beacons, as gc_registry_load and gc-verify's load_snapshot read them. */
static void load_world(struct run *run, const json_t *rec)
{
    struct gc_fail f = {NULL, ""};

    if (is_type(rec, "device")) {
        struct gc_device *d = gc_xmalloc(sizeof(*d));

        if (!gc_device_from_json(rec, d, &f) || gc_map_get(&run->registry.devices, d->id)) {
            free(d);
            return;
        }
        if (run->opts & 1)
            memcpy(d->pubkey, key.pk, GC_PUBKEY_LEN);
        gc_map_put(&run->registry.devices, d->id, d);
    } else if (is_type(rec, "task")) {
        const char *id;
        uint8_t spec[GC_SHA256_LEN], *copy;

        if (!gc_field_id(rec, "task", &id, &f) ||
            !gc_field_hex(rec, "spec", spec, sizeof(spec), &f) ||
            gc_map_get(&run->specs, id) != NULL)
            return;
        copy = gc_xmalloc(GC_SHA256_LEN);
        memcpy(copy, spec, GC_SHA256_LEN);
        gc_map_put(&run->specs, gc_xstrdup(id), copy);
    } else if (is_type(rec, "pool")) {
        const char *pool;
        int64_t hour;
        uint8_t root[GC_SHA256_LEN], *copy;
        char k[96];

        if (!gc_field_id(rec, "pool", &pool, &f) || !gc_field_time(rec, "hour", &hour, &f) ||
            !gc_field_hex(rec, "root", root, GC_SHA256_LEN, &f))
            return;
        gc_snapshot_key(k, sizeof(k), pool, hour);
        if (gc_map_get(&run->beacons, k) != NULL)
            return;
        copy = gc_xmalloc(GC_SHA256_LEN);
        memcpy(copy, root, GC_SHA256_LEN);
        gc_map_put(&run->beacons, gc_xstrdup(k), copy);
    }
}

/* The honest chunk hashes of a task, SHA-256(spec || index as 8 bytes big-endian), and leaves. */
static bool honest_chunks(const struct run *run, const char *task, int64_t chunks,
                          uint8_t (**hashes)[GC_SHA256_LEN], uint8_t (**leaves)[GC_SHA256_LEN])
{
    const uint8_t *spec = task != NULL ? gc_map_get(&run->specs, task) : NULL;
    uint8_t buf[GC_SHA256_LEN + 8];

    if (spec == NULL || chunks < 1 || chunks > MAX_CHUNKS)
        return false;
    *hashes = gc_xcalloc((size_t)chunks, GC_SHA256_LEN);
    *leaves = gc_xcalloc((size_t)chunks, GC_SHA256_LEN);
    memcpy(buf, spec, GC_SHA256_LEN);
    for (int64_t i = 0; i < chunks; i++) {
        for (int k = 0; k < 8; k++)
            buf[GC_SHA256_LEN + k] = (uint8_t)((uint64_t)i >> (56 - 8 * k));
        gc_sha256(buf, sizeof(buf), (*hashes)[i]);
        gc_merkle_leaf_hash((*hashes)[i], GC_SHA256_LEN, (*leaves)[i]);
    }
    return true;
}

/* An honest receipt commits to the root of its task's chunks. */
static void honest_root(const struct run *run, json_t *rec)
{
    uint8_t(*hashes)[GC_SHA256_LEN], (*leaves)[GC_SHA256_LEN], root[GC_SHA256_LEN];
    json_int_t chunks = json_integer_value(json_object_get(rec, "chunks"));

    if (!honest_chunks(run, json_string_value(json_object_get(rec, "task")), chunks, &hashes,
                       &leaves))
        return;
    gc_merkle_root((const uint8_t(*)[GC_SHA256_LEN])leaves, (size_t)chunks, root);
    json_object_set_new(rec, "root", gc_json_hex(root, GC_SHA256_LEN));
    free(hashes);
    free(leaves);
}

/* Signs REC with the test key as a device would; returns the signed record (a new one). */
static json_t *seal(struct run *run, json_t *rec)
{
    uint8_t hash[GC_SHA256_LEN];

    gc_signed_seal(rec, &key, &run->msg, &run->out, hash);
    json_decref(rec);
    return fuzz_check_record(run->out.ptr, run->out.len, "sealed record");
}

/* A record the harness made, read as the program would read its line. */
static void add_made(struct run *run, json_t *rec)
{
    struct gc_fail f = {NULL, ""};
    struct tag *tag;

    run->made = realloc(run->made, (run->n_made + 1) * sizeof(*run->made));
    FUZZ_CHECK(run->made != NULL, "out of memory");
    tag = run->made[run->n_made] = gc_xcalloc(1, sizeof(*tag));
    tag->kept = true;
    tag->accepted = gc_task_book_add(&run->book, rec, tag, &f);
    if (!tag->accepted)
        fuzz_check_fail(&f);
    run->n_made++;
    json_decref(rec);
}

static bool take_line(const struct gc_line *line, void *ctx)
{
    struct run *run = ctx;
    struct tag *tag = &run->tags[line->line_no - 1];
    struct gc_fail f = {NULL, ""};
    json_t *rec = fuzz_parse_record(line->bytes, line->len, &f);

    if (rec == NULL)
        return true;
    if (run->pass == 0) {
        load_world(run, rec);
        json_decref(rec);
        return true;
    }
    if (is_type(rec, "device") || is_type(rec, "pool")) {
        json_decref(rec);
        return true;
    }
    if ((run->opts & 1) &&
        (is_type(rec, "receipt") || is_type(rec, "opening") || is_type(rec, "attestation"))) {
        if ((run->opts & 16) && is_type(rec, "receipt"))
            honest_root(run, rec);
        rec = seal(run, rec);
    }
    memset(tag, 0, sizeof(*tag));
    tag->kept = is_type(rec, "receipt") || is_type(rec, "opening") || is_type(rec, "challenge");
    tag->accepted = gc_task_book_add(&run->book, rec, tag->kept ? tag : NULL, &f);
    if (!tag->accepted)
        fuzz_check_fail(&f);
    json_decref(rec);
    return true;
}

static void emit(void *ctx, const char *rec, size_t len)
{
    json_decref(fuzz_check_record(rec, len, "task output"));
    (void)ctx;
}

/* gc-verify challenges' output, kept for the devices to answer. */
static void collect(void *ctx, const char *rec, size_t len)
{
    struct run *run = ctx;

    emit(ctx, rec, len);
    gc_json_append(run->challenges, json_stringn(rec, len));
}

/*
 * The honest round after the first reading: the challenges of the book, answered by every
 * device they name, then the book read again with them.
 */
static void honest_round(struct run *run, const struct gc_task_hooks *hooks)
{
    struct gc_task_hooks h = *hooks;
    size_t waiting = 0, i;
    json_t *one;

    h.emit = collect;
    run->challenges = json_array();
    gc_task_book_challenges(&run->book, &h, &waiting);
    gc_task_book_release(&run->book);
    gc_task_book_init(&run->book, &run->registry, &run->beacons);
    fuzz_lines(run->input, run->input_len, MAX_LINES, take_line, run);
    json_array_foreach(run->challenges, i, one)
    {
        const char *text = json_string_value(one);
        json_t *rec = fuzz_check_record(text, json_string_length(one), "challenge");
        uint8_t(*hashes)[GC_SHA256_LEN], (*leaves)[GC_SHA256_LEN];
        struct gc_challenge c;
        struct gc_fail f = {NULL, ""};

        FUZZ_CHECK(gc_challenge_parse(rec, &c, &f), "a challenge the book wrote is refused: %s",
                   f.detail);
        if (honest_chunks(run, c.task, c.chunks, &hashes, &leaves)) {
            for (size_t k = 0; k < json_array_size(c.devices); k++) {
                const char *device = json_string_value(json_array_get(c.devices, k));

                add_made(run, seal(run, gc_opening_new(&c, device,
                                                       (const uint8_t(*)[GC_SHA256_LEN])leaves,
                                                       (const uint8_t(*)[GC_SHA256_LEN])hashes)));
            }
            free(hashes);
            free(leaves);
        }
        add_made(run, rec);
    }
    json_decref(run->challenges);
}

static void reject(void *ctx, void *tag_ptr, const struct gc_fail *f)
{
    struct tag *tag = tag_ptr;

    (void)ctx;
    fuzz_check_fail(f);
    FUZZ_CHECK(tag != NULL && tag->kept, "a late reject of a line the program did not keep");
    FUZZ_CHECK(tag->accepted, "a late reject of a line refused already (%s)", f->reason);
    FUZZ_CHECK(tag->late == 0, "a second late reject of one line (%s)", f->reason);
    tag->late++;
}

static bool recompute(void *ctx, const struct gc_task *t, int64_t index,
                      uint8_t hash[GC_SHA256_LEN])
{
    uint8_t buf[GC_SHA256_LEN + 8];

    (void)ctx;
    memcpy(buf, t->spec, GC_SHA256_LEN);
    for (int i = 0; i < 8; i++)
        buf[GC_SHA256_LEN + i] = (uint8_t)((uint64_t)index >> (56 - 8 * i));
    gc_sha256(buf, sizeof(buf), hash);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run *run;
    struct gc_task_hooks hooks = {.emit = emit, .reject = reject};
    size_t waiting = 0;

    fuzz_init();
    fuzz_key_init(&key, NULL);
    if (size < 1)
        return 0;
    run = gc_xcalloc(1, sizeof(*run));
    run->opts = data[0];
    hooks.ctx = run;
    hooks.recompute = run->opts & 8 ? recompute : NULL;
    run->input = data + 1;
    run->input_len = size - 1;
    for (run->pass = 0; run->pass < 2; run->pass++) {
        if (run->pass == 1)
            gc_task_book_init(&run->book, &run->registry, &run->beacons);
        fuzz_lines(run->input, run->input_len, MAX_LINES, take_line, run);
    }
    if ((run->opts & 17) == 17)
        honest_round(run, &hooks);
    if (run->opts & 2)
        gc_task_book_challenges(&run->book, &hooks, &waiting);
    else
        FUZZ_CHECK(gc_task_book_judge(&run->book, &hooks, run->opts & 4),
                   "judging failed without a recompute command that could fail");

    gc_task_book_release(&run->book);
    gc_registry_release(&run->registry);
    for (size_t i = 0; i < run->beacons.cap; i++) {
        free((char *)run->beacons.slots[i].key);
        free(run->beacons.slots[i].value);
    }
    gc_map_release(&run->beacons);
    for (size_t i = 0; i < run->specs.cap; i++) {
        free((char *)run->specs.slots[i].key);
        free(run->specs.slots[i].value);
    }
    gc_map_release(&run->specs);
    for (size_t i = 0; i < run->n_made; i++)
        free(run->made[i]);
    free(run->made);
    gc_buf_release(&run->msg);
    gc_buf_release(&run->out);
    free(run);
    return 0;
}
