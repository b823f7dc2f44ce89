/*
 * gc_task — proof that compute was done (gc-verify tasks, gc-verify(1)).
 *
 * A buyer's task asks REPLICAS devices assigned to its market to compute
 * CHUNKS result chunks. Each device signs a receipt committing to the RFC
 * 9162 Merkle root over its chunks' SHA-256 hashes. After the receipts are in,
 * a beacon nobody could predict (the root of a later pool snapshot, named in
 * the task) picks CHALLENGES chunk indices per committed root; each device
 * opens them with inclusion proofs. A task is verified when a majority of the
 * replicas agree on a root and open every challenged chunk, and, on request,
 * re-running the challenged chunks reproduces their hashes.
 *
 * The book collects the records of one run (tasks, receipts, openings,
 * challenges, amm.delivery, attestations) and judges every task in id order.
 * Domain module: no I/O; recomputation is the caller's hook.
 */
#ifndef GC_TASK_H
#define GC_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"
#include "gc_registry.h"

#define GC_TASK_MAX_REPLICAS   64
#define GC_TASK_MAX_CHALLENGES 256
#define GC_TASK_MAX_CHUNKS     ((int64_t)1 << 32)

struct gc_receipt;
struct gc_opening;

/* A challenge record given as input, kept to be checked against the derivation. */
struct gc_given_challenge;

/* A challenge record: the indices a committed root must open. */
struct gc_challenge {
    char task[65], beacon_pool[65];
    uint8_t task_hash[GC_SHA256_LEN], beacon[GC_SHA256_LEN], root[GC_SHA256_LEN];
    int64_t beacon_hour, chunks;
    int64_t indices[GC_TASK_MAX_CHALLENGES];
    size_t n;
    const json_t *devices; /* the devices that committed ROOT, who must answer (borrowed) */
};

struct gc_task {
    json_t *rec;
    void *tag; /* the caller's handle on the line, for late rejects */
    char id[65], market[65], buyer[65], beacon_pool[65];
    uint8_t spec[GC_SHA256_LEN];
    uint8_t hash[GC_SHA256_LEN]; /* of the task record: binds its challenges */
    int64_t replicas, chunks, challenges, price_micros, beacon_hour;
    struct gc_receipt **receipts; /* in device order once linked */
    size_t n_receipts, cap_receipts;
};

/* What the signature of a receipt came to; it is checked once, when first needed. */
enum gc_receipt_sig {
    GC_RECEIPT_UNCHECKED,
    GC_RECEIPT_SIGNED, /* by the key of its registered device */
    GC_RECEIPT_UNKNOWN_DEVICE,
    GC_RECEIPT_BAD_SIGNATURE,
};

struct gc_receipt {
    json_t *rec;
    void *tag;
    char task[65], device[65];
    int64_t started_at, ended_at, gpu_s, energy_wh, chunks;
    uint8_t root[GC_SHA256_LEN];
    uint8_t sig[GC_SIG_LEN];
    struct gc_opening *opening; /* the device's opening of this task, if any */
    enum gc_receipt_sig signature;
    const struct gc_device *d;   /* once checked: the registry entry, or NULL */
    uint8_t hash[GC_SHA256_LEN]; /* once checked: the record hash */
};

/* One opened chunk: its hash and the inclusion proof of that hash as a leaf. */
struct gc_opened {
    int64_t index;
    uint8_t hash[GC_SHA256_LEN];
    uint8_t (*path)[GC_SHA256_LEN];
    size_t path_len;
};

struct gc_opening {
    json_t *rec;
    void *tag;
    char task[65], device[65];
    int64_t chunks;
    uint8_t root[GC_SHA256_LEN];
    uint8_t sig[GC_SIG_LEN];
    struct gc_opened *opened; /* in index order */
    size_t n_opened;
};

/* Hooks into the program: output, late rejects, recomputation. */
struct gc_task_hooks {
    void *ctx;
    /* One output record (canonical bytes, no newline). */
    void (*emit)(void *ctx, const char *rec, size_t len);
    /* A record accepted while reading turned out bad once everything was read. */
    void (*reject)(void *ctx, void *tag, const struct gc_fail *f);
    /*
     * Recomputes chunk INDEX of task T into HASH; NULL = no recomputation.
     * Returns false when the command could not say (the caller has reported
     * why and stops the run).
     */
    bool (*recompute)(void *ctx, const struct gc_task *t, int64_t index,
                      uint8_t hash[GC_SHA256_LEN]);
};

struct gc_task_book {
    const struct gc_registry *registry;
    const struct gc_map *beacons; /* gc_snapshot_key -> 32-byte snapshot root */
    struct gc_map tasks;          /* id -> struct gc_task * */
    struct gc_map index;          /* "task/device/receipt" and ".../opening" -> the record */
    struct gc_map markets;        /* market -> its pool and hour (from amm.delivery) */
    struct gc_map claims;         /* "market/buyer/device" -> GPU-seconds delivered, left */
    struct gc_map energy;         /* "device@hour" -> Wh attested, left */
    struct gc_map periods;        /* "device#ts": attested periods, each counted once */
    struct gc_receipt **receipts;
    size_t n_receipts, cap_receipts;
    struct gc_opening **openings;
    size_t n_openings, cap_openings;
    struct gc_given_challenge **challenges;
    size_t n_challenges, cap_challenges;
    struct gc_buf msg, out;
};

/* The key of a pool snapshot in BEACONS: "POOL@HOUR" (HOUR in seconds). */
void gc_snapshot_key(char *key, size_t cap, const char *pool, int64_t hour);

/*
 * The challenged chunk indices of a committed ROOT: SEED = SHA-256(BEACON ||
 * TASK_HASH || ROOT); for j = 0, 1, …, D = SHA-256(SEED || j as 8 bytes
 * big-endian), X = the first 8 bytes of D big-endian; X is used only below
 * the largest multiple of CHUNKS that fits in 2^64 (no modulo bias), giving
 * the index X mod CHUNKS unless already drawn. min(COUNT, CHUNKS) distinct
 * indices go to OUT in ascending order; returns how many.
 */
size_t gc_challenge_indices(const uint8_t beacon[GC_SHA256_LEN],
                            const uint8_t task_hash[GC_SHA256_LEN],
                            const uint8_t root[GC_SHA256_LEN], int64_t chunks, int64_t count,
                            int64_t *out);

void gc_task_book_init(struct gc_task_book *b, const struct gc_registry *registry,
                       const struct gc_map *beacons);

/*
 * Takes one input record: task, receipt, opening, challenge, amm.delivery,
 * attestation; other amm.* records and pool snapshots are read and passed
 * over. Fails for a malformed record, a second task with one id or a second
 * receipt or opening of one device for one task ("duplicate"), an attestation
 * of an unknown device or with a bad signature, and any other type
 * ("unknown_type"). TAG comes back in late rejects.
 */
bool gc_task_book_add(struct gc_task_book *b, json_t *rec, void *tag, struct gc_fail *f);

/*
 * Judges every task in id order: a "task.verified" or "task.failed" record
 * each, followed with PAY by the task's "payment" records. Receipts,
 * openings and challenges of unknown tasks, and challenges that differ from
 * the derivation, go to the reject hook. Returns false when recomputation
 * could not be done (nothing more is emitted).
 */
bool gc_task_book_judge(struct gc_task_book *b, const struct gc_task_hooks *h, bool pay);

/*
 * The challenge records of every task whose beacon is known, one per
 * committed root of a receipt with a valid signature, in task and root
 * order; tasks still waiting for their beacon are counted in *WAITING.
 */
void gc_task_book_challenges(struct gc_task_book *b, const struct gc_task_hooks *h,
                             size_t *waiting);

void gc_task_book_release(struct gc_task_book *b);

/* Reads a receipt strictly (the fields of gc-records(5)); strings are copied. */
bool gc_receipt_parse(const json_t *rec, struct gc_receipt *r, struct gc_fail *f);

/* Reads a challenge record strictly; C borrows from REC. */
bool gc_challenge_parse(const json_t *rec, struct gc_challenge *c, struct gc_fail *f);

/* True if DEVICE is one of challenge C's devices: the ones that must answer it. */
bool gc_challenge_names(const struct gc_challenge *c, const char *device);

/* A new, unsigned receipt (seal it with gc_signed_seal). */
json_t *gc_receipt_new(const char *task, const char *device, int64_t started_at, int64_t ended_at,
                       int64_t gpu_s, int64_t energy_wh, int64_t chunks,
                       const uint8_t root[GC_SHA256_LEN]);

/*
 * A new, unsigned opening of challenge C by DEVICE: each challenged chunk's
 * hash from HASHES with its inclusion proof among LEAVES (the leaf hashes of
 * HASHES, C->chunks of each).
 */
json_t *gc_opening_new(const struct gc_challenge *c, const char *device,
                       const uint8_t (*leaves)[GC_SHA256_LEN],
                       const uint8_t (*hashes)[GC_SHA256_LEN]);

#endif
