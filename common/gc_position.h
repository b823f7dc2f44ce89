/*
 * gc_position — the ownership of RWA notes (gc-issue, gc-verify): packages,
 * issuer-signed position certificates, holder-signed transfers that consume
 * a position and create new ones, pledges that lock a position until the
 * lender releases it. The book replays these records in order and refuses
 * anything that does not follow; gc-issue makes the new records from it.
 *
 * A position's id ("position") is the SHA-256 of its canonical bytes without
 * "position" and "sig", a pledge's ("pledge") likewise; a package and a
 * transfer are named by their record hash.
 * Domain module: no I/O.
 */
#ifndef GC_POSITION_H
#define GC_POSITION_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"
#include "gc_terms.h"

#define GC_HASH_HEX 65 /* 64 hex digits and a NUL */

struct gc_pkg {
    char hash[GC_HASH_HEX];
    uint8_t issuer_pk[GC_PUBKEY_LEN];
    struct gc_terms terms; /* tranches sorted by seniority, with their units */
    int64_t issued[GC_TERMS_MAX_TRANCHES];
};

struct gc_position {
    char id[GC_HASH_HEX];
    struct gc_pkg *pkg;
    size_t tranche; /* into pkg->terms.tranches */
    uint8_t holder[GC_PUBKEY_LEN];
    int64_t units;
    json_t *derived;               /* a position made by a transfer: its record */
    bool derived_seen;             /* ... and that record was read */
    char consumed_by[GC_HASH_HEX]; /* the transfer that consumed it, or "" */
    char pledge[GC_HASH_HEX];      /* the pledge that locks it, or "" */
};

/* A lien on a position, in force until released. */
struct gc_pledge {
    char id[GC_HASH_HEX];
    struct gc_position *position;
    uint8_t lender[GC_PUBKEY_LEN];
    bool released;
};

/* What a transfer made: one or two positions. */
struct gc_transfer_out {
    char hash[GC_HASH_HEX];
    struct gc_position *out[2];
};

struct gc_position_book {
    struct gc_map packages;       /* package record hash -> gc_pkg */
    struct gc_map positions;      /* position id -> gc_position */
    struct gc_map pledges;        /* pledge id -> gc_pledge */
    struct gc_map transfers;      /* transfer record hash -> gc_transfer_out */
    struct gc_map seen;           /* hashes of records taken, to spot replays */
    const struct gc_map *allow;   /* --allowlist: holder public keys; NULL = anyone */
    const struct gc_map *issuers; /* --issuers: issuer public keys; NULL = any key */
    struct gc_buf msg;
};

/* ALLOW and ISSUERS are sets of public keys (gc_pubkey_set_add), or NULL for no check. */
void gc_position_book_init(struct gc_position_book *b, const struct gc_map *allow,
                           const struct gc_map *issuers);
void gc_position_book_release(struct gc_position_book *b);

/* True for the record types the book takes: package, position, transfer, pledge, release. */
bool gc_position_book_takes(const json_t *rec);

/*
 * Checks REC and applies it. Reasons: "unknown_package", "unknown_position",
 * "unknown_pledge", "bad_signature", "bad_id", "not_holder", "replay",
 * "double_spend" (a transfer of a consumed position), "spent" (a pledge of
 * one), "pledged", "over_units", "over_issue", "not_allowed",
 * "units_not_conserved", "bad_position", "not_pledged", "unknown_issuer"
 * (a package signed by a key not in ISSUERS), the package checks
 * of gc_package_check, "bad_field".
 */
bool gc_position_book_add(struct gc_position_book *b, const json_t *rec, struct gc_fail *f);

/* The live position ID held by HOLDER; fails naming why it cannot move. */
struct gc_position *gc_position_movable(struct gc_position_book *b, const char *id,
                                        const uint8_t holder[GC_PUBKEY_LEN], struct gc_fail *f);

/*
 * Sets FIELD ("position", "pledge") of REC to the record's id: the SHA-256
 * of its canonical bytes without FIELD and "sig" (also written to ID).
 */
void gc_record_set_id(json_t *rec, const char *field, struct gc_buf *msg, char id[GC_HASH_HEX]);

/* An unsigned issued position: PKG's tranche TRANCHE, to HOLDER, for subscription INDEX. */
json_t *gc_position_new(const char *package, const uint8_t package_hash[GC_SHA256_LEN],
                        const char *tranche, const uint8_t holder[GC_PUBKEY_LEN], int64_t units,
                        int64_t index, struct gc_buf *msg);

/* An unsigned transfer of UNITS of P to TO, from P's holder. */
json_t *gc_transfer_new(const struct gc_position *p, const uint8_t to[GC_PUBKEY_LEN],
                        int64_t units);

/* An unsigned pledge of P to LENDER, its id in "pledge". */
json_t *gc_pledge_new(const struct gc_position *p, const uint8_t lender[GC_PUBKEY_LEN],
                      struct gc_buf *msg);

/* An unsigned release of pledge PL. */
json_t *gc_release_new(const struct gc_pledge *pl);

/*
 * The positions the transfer with hash THASH made, in output order
 * (0: the receiver's, 1: the change), as records; NULL past the last.
 */
const json_t *gc_position_output(const struct gc_position_book *b, const char *thash, int output);

/*
 * gc_load_records callback for an allow-list (ALLOW, a gc_map): "party"
 * records, public key -> the key itself (gc_pubkey_set_add); release the map
 * with gc_pubkey_set_release.
 */
bool gc_party_add(void *allow, json_t *rec, struct gc_fail *f);

#endif
