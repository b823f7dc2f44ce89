/*
 * gc_credit — whole-unit credits carved from many small accruals (gc-settle
 * carbon, issue 8): avoided emissions become carbon credits of one tonne,
 * unclaimed green energy renewable-energy certificates of one MWh. Each
 * source (an allocation, a certificate) is accrued once, its amount queued;
 * whenever a whole unit has built up, a credit takes it from the queue,
 * oldest first, naming how much of each source it took. The part of a unit
 * not yet complete is carried, never rounded away: Σ taken by credits +
 * carried = Σ accrued, for every source and in total.
 *
 * The book is rebuilt from the ledger's accrual and credit records, so a
 * re-run continues exactly where the last one stopped. Domain module: no I/O.
 */
#ifndef GC_CREDIT_H
#define GC_CREDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_err.h"
#include "gc_map.h"

struct gc_credit_src {
    char *id;     /* the source's record hash */
    int64_t left; /* not yet taken by a credit */
};

struct gc_credit_book {
    const char *accrual_type; /* "carbon.accrual" */
    const char *credit_type;  /* "carbon.credit" */
    const char *source_field; /* "allocation": names the source in both records */
    const char *amount_field; /* "avoided_mg": the amount of an accrual and of a credit's part */
    int64_t unit;             /* one credit: 10^9 mg, 10^6 Wh */
    struct gc_credit_src *q;  /* sources with something left, oldest first, from q[head] */
    size_t head, n, cap;
    struct gc_map index; /* source id -> its place in q, +1 */
    int64_t carried;     /* Σ left */
    int64_t serial;      /* credits made so far */
};

void gc_credit_book_init(struct gc_credit_book *b, const char *accrual_type,
                         const char *credit_type, const char *source_field,
                         const char *amount_field, int64_t unit);
void gc_credit_book_release(struct gc_credit_book *b);

/*
 * Replays one ledger record REC (others than the book's two types are
 * passed over). Fails "chain_break" when a credit takes more from a source
 * than it has left or names one never accrued.
 */
bool gc_credit_replay(struct gc_credit_book *b, const json_t *rec, struct gc_fail *f);

/*
 * Accrues AMOUNT (>= 0) of source ID, whose accrual record ACCRUAL (with its
 * key, the book's amount field set to AMOUNT) is appended to OUT; then one
 * credit record per whole unit now complete. Fails "bad_number" past 63 bits.
 */
bool gc_credit_accrue(struct gc_credit_book *b, const char *id, int64_t amount, json_t *accrual,
                      json_t *out, struct gc_fail *f);

/*
 * Appends to OUT a credit per whole unit carried: none after an accrual, but
 * after a replay of a ledger a crash cut between an accrual and its credit.
 */
void gc_credit_flush(struct gc_credit_book *b, json_t *out);

#endif
