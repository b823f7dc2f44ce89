/*
 * gc_cosign — validator co-signatures on pool snapshots (gc-pool cosign,
 * gc-verify --validators): the toolkit's proof of green-compute service.
 * Devices attest; validators re-run matching and sign the snapshot roots they
 * agree with; a snapshot counts once a quorum of listed validators signed it.
 *
 * A snapshot's co-signatures are in "sigs", [{"key":PUBKEY,"sig":SIG}] sorted
 * by key, each an Ed25519 signature over the canonical snapshot without
 * "sigs". Domain module: no I/O.
 */
#ifndef GC_COSIGN_H
#define GC_COSIGN_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"

/*
 * Adds KEY's signature to the snapshot REC (replacing an earlier one by the
 * same key) and writes the canonical record with its sigs to OUT. Fails
 * "bad_field" when REC's "sigs" is malformed.
 */
bool gc_cosign(json_t *rec, const struct gc_key *key, struct gc_buf *out, struct gc_fail *f);

/*
 * True when at least QUORUM distinct validators of VALIDATORS (lowercase hex
 * public key -> validator id) signed REC validly. Fails "bad_field" for
 * malformed sigs, "no_quorum" naming how many valid signatures it found.
 */
bool gc_quorum_check(const json_t *rec, const struct gc_map *validators, int64_t quorum,
                     struct gc_fail *f);

/* The record hash of a snapshot: SHA-256 of its canonical bytes without "sigs". */
void gc_snapshot_hash(const json_t *rec, struct gc_buf *msg, uint8_t hash[GC_SHA256_LEN]);

/*
 * gc_load_records callback for a validators file (VALIDATORS_MAP, a gc_map):
 * "validator" records, public key -> the key (gc_pubkey_set_add); release the
 * map with gc_pubkey_set_release.
 */
bool gc_validator_add(void *validators_map, json_t *rec, struct gc_fail *f);

#endif
