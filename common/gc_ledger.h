/*
 * gc_ledger — the append-only, hash-chained settlement ledger (gc-settle,
 * DESIGN.md §2 "Chains", §4 "State files"): one canonical NDJSON record per
 * line, each with "seq" (from 1), "prev" (the record hash of the line
 * before, 64 zeros for the first) and "key", an idempotency key no other
 * record of the ledger has.
 *
 * A record is committed when its '\n' is on disk: a last line without one is
 * what a crash mid-write leaves, and opening cuts it off. The head (last
 * seq and hash) is also kept in PATH.head, replaced atomically after every
 * commit, so an edited last line, or whole lines cut from the end, are
 * caught too, not only edits that break a later link.
 */
#ifndef GC_LEDGER_H
#define GC_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"

struct gc_ledger {
    char *path;
    int fd; /* open for appending, flock'ed while open */
    int64_t seq;
    uint8_t head[GC_SHA256_LEN];
    json_t **records; /* every committed and pending record, in order */
    size_t n, cap;
    size_t n_committed;
    struct gc_map keys; /* idempotency key -> record */
    struct gc_buf pending;
    uint64_t torn_bytes; /* cut off when opened: a crash's half-written line */
    struct gc_buf msg;
};

/*
 * Opens (creating) and locks the ledger at PATH and checks all of it.
 * Fails "busy" when another process holds it, "chain_break" (naming the
 * line) when a line is not valid UTF-8 or not a canonical record, carries
 * a "sig", does not link to the one before, repeats a key, or the head
 * file disagrees. A torn last line is cut off and counted in torn_bytes.
 * I/O errors exit 74.
 */
bool gc_ledger_open(struct gc_ledger *l, const char *path, struct gc_fail *f);

/* The record with idempotency key KEY, or NULL. */
const json_t *gc_ledger_find(const struct gc_ledger *l, const char *key);

/*
 * Adds REC (an object with a string "key" not in the ledger and no "sig"; its
 * "seq" and "prev" are set here) to the pending batch and returns the record as
 * stored (borrowed; valid until gc_ledger_close). Its hash goes to HASH
 * when HASH is not NULL.
 */
const json_t *gc_ledger_append(struct gc_ledger *l, json_t *rec, uint8_t hash[GC_SHA256_LEN]);

/* Writes the pending batch, fsyncs it, then replaces the head file. Exits 74 on error. */
void gc_ledger_commit(struct gc_ledger *l);

/* Drops the pending batch (nothing of it was written) and unlocks. */
void gc_ledger_close(struct gc_ledger *l);

#endif
