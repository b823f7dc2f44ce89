/*
 * gc_terms — term sheets and the package records made from them (gc-issue
 * package, gc-verify): the term sheet's fields, the collateral snapshots and
 * the price a package is valued from, and the check that recomputes a signed
 * package from the inputs written into it. The arithmetic is gc_package's.
 * Domain module: no I/O.
 */
#ifndef GC_TERMS_H
#define GC_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"
#include "gc_package.h"

#define GC_TERMS_MAX_POOLS         64
#define GC_TERMS_MAX_TRANCHES      16
#define GC_TERMS_MAX_SUBSCRIPTIONS 100000
#define GC_TERMS_MAX_WINDOW_H      8760

/* What the formula field of a package says, so anyone can recompute its NAV. */
#define GC_TERMS_FORMULA                                                                           \
    "cash_micros_per_hour = floor(floor(floor(gpu_s_per_hour * price_micros / 3600) * "            \
    "utilization_bps / 10000) * (10000 - servicer_fee_bps) / 10000); rate_per_second_ray = "       \
    "10^27 + floor(10^27 / 10000 * discount_bps / 31536000); nav_micros = sum for h = 1..hours "   \
    "of floor(cash_micros_per_hour * 10^27 / rpow(rate_per_second_ray, 3600 h)), rpow as "         \
    "Maker's (half up); size_micros = floor(nav_micros * share_bps / 10000)"

struct gc_subscription {
    uint8_t holder[GC_PUBKEY_LEN];
    size_t tranche; /* index into gc_terms.tranches, after sorting by seniority */
    int64_t amount_micros;
    int64_t units; /* set by gc_terms_allot */
};

/* A term sheet ("terms") or the inputs of a package record ("package"). */
struct gc_terms {
    char package[65];
    char issuer[65];
    int64_t start, end, hours; /* the tenor: whole hours, start inclusive, end exclusive */
    int64_t window_h;          /* the trailing window of observed snapshots */
    bool price_from_index;
    int64_t price_micros; /* fixed, or (in a package) the index price used */
    struct gc_valuation_in in;
    int64_t haircut_bps, min_junior_bps;
    char pools[GC_TERMS_MAX_POOLS][65];
    size_t n_pools;
    struct gc_tranche tranches[GC_TERMS_MAX_TRANCHES]; /* sorted by seniority once valued */
    size_t n_tranches;
    struct gc_subscription *subs; /* term sheets only */
    size_t n_subs;
};

/*
 * Reads a term sheet (TYPE "terms", with subscriptions) or the same fields of
 * a package record (TYPE "package"). Fails "bad_field" or "bad_number"
 * naming the field.
 */
bool gc_terms_parse(const json_t *rec, const char *type, struct gc_terms *t, struct gc_fail *f);
void gc_terms_release(struct gc_terms *t);

/* True when POOL is one of the package's collateral pools. */
bool gc_terms_has_pool(const struct gc_terms *t, const char *pool);

/* A co-signed snapshot of a collateral pool inside the trailing window. */
struct gc_collateral {
    char pool[65];
    int64_t hour;
    int64_t green_gpu_s;
    uint8_t hash[GC_SHA256_LEN];
};

/*
 * Whether snapshot REC (already quorum-checked) is collateral of T: a pool
 * of T, an hour in [start - window_h h, start). Fills C when it is; false
 * without a failure when it is not; fails "bad_field" on a malformed snapshot.
 * MSG is scratch space.
 */
bool gc_terms_collateral(const struct gc_terms *t, const json_t *rec, struct gc_buf *msg,
                         struct gc_collateral *c, bool *is_collateral, struct gc_fail *f);

/* An index record of gc-amm, as a price source. */
struct gc_price {
    char market[65];
    int64_t ts;
    int64_t twap_micros;
    uint8_t record[GC_SHA256_LEN];
};

/*
 * Offers index record REC as the package's price: of a collateral pool,
 * ts in [start - window_h h, start]; the latest wins, and of equal ts the
 * lowest price. *BEST holds the winner so far (HAVE says whether there is one).
 */
bool gc_terms_offer_price(const struct gc_terms *t, const json_t *rec, struct gc_buf *msg,
                          struct gc_price *best, bool *have, struct gc_fail *f);

/*
 * Values the package and sizes and tests its tranches (gc_package), then
 * apportions each tranche's subscriptions into units: the amounts when they
 * fit in the tranche, else the tranche size split by the largest-remainder
 * method over the amounts, ties to the earlier subscription. C (N of them)
 * is sorted by (pool, hour); GPU-seconds per hour = floor(sum of
 * green_gpu_s / window_h), hours without a snapshot counting as 0. Fails
 * with the failing test's reason ("over_nav", "junior_share", "oc_test",
 * "no_collateral", "bad_number").
 */
bool gc_terms_value(struct gc_terms *t, struct gc_collateral *c, size_t n, struct gc_valuation *val,
                    struct gc_fail *f);

/*
 * The unsigned package record: every field of the term sheet REC but
 * "subscriptions", with "type" "package" and the inputs and results
 * (issuer_pubkey, terms, validators, quorum, snapshots, collateral_root,
 * gpu_s_per_hour, price, formula, the valuation, tranche sizes and units).
 * PRICE is NULL for a fixed price.
 */
json_t *gc_package_record(const json_t *terms_rec, const struct gc_terms *t,
                          const struct gc_collateral *c, size_t n, const struct gc_price *price,
                          const struct gc_valuation *val, const uint8_t issuer_pk[GC_PUBKEY_LEN],
                          const struct gc_map *validators, int64_t quorum, struct gc_buf *msg);

/*
 * Checks a package record REC: parses its inputs into T, recomputes the
 * collateral root, the valuation and the tranche sizes and compares them
 * with what it says ("bad_root", "bad_valuation", "bad_tranche", or the
 * failing test), and checks the issuer's signature. Fills HASH with its record hash.
 */
bool gc_package_check(const json_t *rec, struct gc_terms *t, struct gc_buf *msg,
                      uint8_t hash[GC_SHA256_LEN], uint8_t issuer_pk[GC_PUBKEY_LEN],
                      struct gc_fail *f);

#endif
