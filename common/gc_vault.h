/*
 * gc_vault — stablecoin vault arithmetic in Maker's manner (gc-settle mint
 * and burn, issue 8): a package's rate accumulator grows by its per-second
 * stability fee as jug.drip does, rate' = rmul(rpow(duty, now - rho), rate),
 * and a vault's debt is its normalised debt times the accumulator. Debt is
 * rounded up to the micro, in favour of the reserve. Domain module: no I/O.
 */
#ifndef GC_VAULT_H
#define GC_VAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "gc_err.h"
#include "gc_u128.h"

/* A collateral type's fee state: Maker's ilk.rate, jug.duty and jug.rho. */
struct gc_fee {
    gc_u128 duty; /* per second, a ray: RAY + the fee per second */
    gc_u128 rate; /* the accumulator, a ray; RAY when the vaults open */
    int64_t rho;  /* when it was last dripped, Unix seconds */
};

/*
 * Moves the accumulator to NOW (>= rho) and gives how much it grew. Fails
 * "bad_number" when NOW is before rho or the rate passes 128 bits.
 */
bool gc_drip(struct gc_fee *fee, int64_t now, gc_u128 *grown, struct gc_fail *f);

/* The debt of normalised debt ART at RATE: ceil(art x rate / RAY) micros; false past 63 bits. */
bool gc_debt_micros(gc_u128 art, gc_u128 rate, int64_t *out);

/*
 * The normalised debt that a draw of MICROS (>= 0) adds at RATE (> 0):
 * ceil(micros x RAY / rate), so the vault owes at least what it drew.
 */
bool gc_art_for_draw(int64_t micros, gc_u128 rate, gc_u128 *out);

/* The normalised debt a repayment of MICROS clears: floor(micros x RAY / rate), never more. */
bool gc_art_for_repay(int64_t micros, gc_u128 rate, gc_u128 *out);

#endif
