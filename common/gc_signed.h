/*
 * gc_signed — records signed by one Ed25519 key (DESIGN.md §2): the
 * signature covers the canonical bytes of the record without its "sig", and
 * the record's hash is SHA-256 of the same bytes. Attestations, task
 * receipts and openings are all sealed and checked here. Domain module: no I/O.
 */
#ifndef GC_SIGNED_H
#define GC_SIGNED_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"

/*
 * Signs the canonical bytes of REC (without any "sig") with KEY, writes the
 * canonical record with its "sig" to OUT (reset first) and its record hash
 * to HASH. MSG is scratch space. REC itself is not changed.
 */
void gc_signed_seal(const json_t *rec, const struct gc_key *key, struct gc_buf *msg,
                    struct gc_buf *out, uint8_t hash[GC_SHA256_LEN]);

/*
 * gc_signed_seal in two steps, so that signing can run on other threads:
 * the first writes the canonical bytes of REC without "sig" to MSG (reset
 * first), where the "sig" goes to *SIG_AT, and the record hash to HASH; the
 * second signs MSG with KEY and writes the whole record to OUT.
 */
void gc_signed_prepare(const json_t *rec, struct gc_buf *msg, size_t *sig_at,
                       uint8_t hash[GC_SHA256_LEN]);
void gc_signed_finish(const struct gc_key *key, const struct gc_buf *msg, size_t sig_at,
                      struct gc_buf *out);

/*
 * Checks SIG (the record's decoded "sig") over the canonical bytes of REC
 * without "sig" against PK: "bad_signature", naming SIGNER, unless it holds.
 * Fills HASH with the record hash either way; MSG is scratch space.
 */
bool gc_signed_check(const json_t *rec, const uint8_t sig[GC_SIG_LEN],
                     const uint8_t pk[GC_PUBKEY_LEN], const char *signer, struct gc_buf *msg,
                     uint8_t hash[GC_SHA256_LEN], struct gc_fail *f);

/* The record hash of REC (canonical bytes without "sig"); MSG is scratch space. */
void gc_signed_hash(const json_t *rec, struct gc_buf *msg, uint8_t hash[GC_SHA256_LEN]);

/*
 * A set of public keys read from records of one TYPE ("validator",
 * "party") with fields TYPE (an id) and "pubkey": SET maps the lowercase hex
 * key to itself. Fails "bad_field" on a malformed record or a key twice.
 */
bool gc_pubkey_set_add(struct gc_map *set, const json_t *rec, const char *type, struct gc_fail *f);
void gc_pubkey_set_release(struct gc_map *set);

#endif
