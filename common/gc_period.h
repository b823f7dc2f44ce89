/*
 * gc_period — one settlement period of a package (gc-settle period, issue
 * 8): the realized income of the package's pools inside the period, the
 * state carried from the period before (balances, arrears, cash not yet
 * paid out), the waterfall (gc_waterfall), and each tranche's payments
 * split over the live positions of its holders by units, largest remainder.
 *
 * Everything adds up to the micro: fee + Σ distributed + carried out =
 * collected, checked here (exit 70 otherwise). Domain module: no I/O.
 */
#ifndef GC_PERIOD_H
#define GC_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_err.h"
#include "gc_map.h"
#include "gc_position.h"
#include "gc_waterfall.h"

/* What one period hands the next, as its "period" record says. */
struct gc_period_carry {
    int64_t end;            /* where the next period starts: the package's start at first */
    int64_t carried_micros; /* cash of a tranche with no live position, paid next time */
    int64_t deficit_micros; /* net sales below zero, taken from the next income */
    int64_t losses_micros;  /* written down so far */
    int64_t balance_micros[GC_TERMS_MAX_TRANCHES];
    int64_t arrears_interest_micros[GC_TERMS_MAX_TRANCHES];
    int64_t arrears_principal_micros[GC_TERMS_MAX_TRANCHES];
};

struct gc_period {
    const struct gc_pkg *pkg;
    const json_t *package; /* the package record, for currency and min_ic_bps */
    char id[64];           /* "START/END" */
    int64_t start, end;
    struct gc_period_carry in;
    /* income taken so far */
    int64_t income_micros; /* fills bought less fills sold, plus payments; may be negative */
    int64_t loss_micros;
    int64_t delivered_gpu_s;
    uint64_t n_income;  /* income records counted */
    struct gc_map seen; /* record hashes taken, hex -> 1 */
    struct gc_buf msg;
};

/*
 * Starts period [START, END) of PKG (its record PACKAGE) from CARRY, the
 * previous period's (gc_period_carry_from) or the package's start. Fails
 * "out_of_order" unless START is where the last period ended.
 */
bool gc_period_begin(struct gc_period *p, const struct gc_pkg *pkg, const json_t *package,
                     int64_t start, int64_t end, const struct gc_period_carry *carry,
                     struct gc_fail *f);
void gc_period_release(struct gc_period *p);

/* The carry at the package's start: the issued units, no arrears. */
void gc_period_carry_init(const struct gc_pkg *pkg, struct gc_period_carry *c);

/* The carry a "period" record REC hands on. */
bool gc_period_carry_from(const struct gc_pkg *pkg, const json_t *rec, struct gc_period_carry *c,
                          struct gc_fail *f);

/*
 * Takes one income record: "amm.fill" (a buy adds its cash, a sell takes it
 * away), "payment" (adds its amount), of a pool of the package with its
 * delivery "hour" in the period; "amm.delivery" likewise (GPU-seconds
 * delivered, for the summary); "loss" signed by the package's issuer, its
 * "ts" in the period. Other "amm." receipts and records of other pools,
 * packages or periods are passed over. Fails "duplicate" on a record taken
 * before, "currency", "bad_signature", "bad_field", "bad_number".
 */
bool gc_period_take(struct gc_period *p, const json_t *rec, struct gc_fail *f);

/*
 * The SHA-256 of the sorted hashes of the records taken: the same income
 * gives the same digest however it was split into files or ordered.
 */
void gc_period_inputs(const struct gc_period *p, uint8_t out[GC_SHA256_LEN]);

/*
 * Runs the waterfall and builds the records: a "distribution" per live
 * position of the package in BOOK (by tranche, then position id), then the
 * "period" summary, each with its ledger "key", appended to OUT (a JSON
 * array). Fails "incomplete" when the live positions of a tranche do not
 * hold all of its units, or the waterfall's "bad_number".
 */
bool gc_period_settle(struct gc_period *p, const struct gc_position_book *book,
                      const uint8_t inputs[GC_SHA256_LEN], json_t *out, struct gc_fail *f);

/* The ledger key of the period record of package PKG_HASH and period ID. */
void gc_period_key(char *out, size_t size, const char *pkg_hash, const char *id);

#endif
