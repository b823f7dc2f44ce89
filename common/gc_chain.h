/*
 * gc_chain — per-device hash chains (DESIGN.md §2 "Chains") and the
 * chain-head state file that carries them from one run to the next.
 *
 * seq starts at 1 and grows by 1; prev is the record hash of the previous
 * attestation, 64 zeros for seq 1.
 */
#ifndef GC_CHAIN_H
#define GC_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"

/*
 * How many of the latest accepted attestations each device remembers, to tell
 * a replay ("duplicate") from a fork ("equivocation"). A bound keeps memory
 * flat however long the input: older seqs are refused as "stale", as they are
 * across runs, where only the head is kept. 256 is a day of 5-minute readings.
 */
#define GC_CHAIN_WINDOW 256

/* An attestation accepted in this run: remembered to tell a replay from a fork. */
struct gc_chain_seen {
    int64_t seq;
    uint8_t hash[GC_SHA256_LEN];
};

struct gc_chain_head {
    char device[65];
    int64_t seq;                 /* 0: no attestation yet */
    uint8_t hash[GC_SHA256_LEN]; /* zeros when seq is 0 */
    int64_t ts;                  /* ts of the head; INT64_MIN when seq is 0 */
    struct gc_chain_seen *seen;  /* a ring of the latest, oldest at seen_first */
    size_t n_seen, cap_seen, seen_first;
};

struct gc_chains {
    struct gc_map heads;
    bool dirty; /* a head moved since loading */
};

void gc_chains_init(struct gc_chains *c);
void gc_chains_release(struct gc_chains *c);

/* The head of DEVICE, created empty (seq 0) if there is none yet. */
struct gc_chain_head *gc_chains_head(struct gc_chains *c, const char *device);

/*
 * For signing: the next link of H for a reading at TS. Fails "stale" unless TS
 * is after the head's; otherwise gives the seq and prev to sign.
 */
bool gc_chain_next(const struct gc_chain_head *h, int64_t ts, int64_t *seq,
                   uint8_t prev[GC_SHA256_LEN], struct gc_fail *f);

/* Moves H to a new attestation. */
void gc_chain_advance(struct gc_chains *c, struct gc_chain_head *h, int64_t seq,
                      const uint8_t hash[GC_SHA256_LEN], int64_t ts);

/*
 * For verifying: judges an attestation (SEQ, PREV, its record HASH, TS)
 * against H and moves H when it is accepted. Refusals: "duplicate" (the same
 * record again), "equivocation" (another record with an accepted seq; the
 * detail names the first one's hash), "stale" (behind the head and not among
 * the last GC_CHAIN_WINDOW accepted or the loaded head, or not later than the
 * previous record), "chain_gap" (seq
 * skips ahead or prev does not link). After a chain_gap the head moves to the
 * refused record, which is authentic, so the records after it link again.
 */
bool gc_chain_check(struct gc_chains *c, struct gc_chain_head *h, int64_t seq,
                    const uint8_t prev[GC_SHA256_LEN], const uint8_t hash[GC_SHA256_LEN],
                    int64_t ts, struct gc_fail *f);

/*
 * The state file's records: one canonical "chain.head" per device, sorted by
 * device. gc_chains_add_head takes one such record (reason "bad_field" when it
 * is malformed or names a device twice); gc_chains_format writes them all.
 * Reading and writing the file itself is gc_chain_state.h's.
 */
bool gc_chains_add_head(struct gc_chains *c, const json_t *rec, struct gc_fail *f);
void gc_chains_format(const struct gc_chains *c, struct gc_buf *out);

#endif
