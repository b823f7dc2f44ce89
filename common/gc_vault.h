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

/* One vault: a holder's pledged collateral and the stablecoin drawn against it. */
struct gc_vault {
    gc_u128 art;               /* normalised debt */
    int64_t debt_micros;       /* gc_debt_micros(art, rate) as of the last event */
    int64_t collateral_micros; /* the pledged positions' value less the haircut (oracle) */
};

/*
 * The reserve of one collateral type. The solvency equation, kept exactly
 * after every event and checked by gc_reserve_check:
 *
 *     supply + surplus = sum of vault debts + bad debt
 *
 * (Maker's vat: all stablecoin ever owed is either in circulation or the
 * reserve's). A draw adds its amount to supply and the debt, rounded up, to
 * the vault, the rounding to surplus; a repayment takes its amount from
 * supply and at most that from the debt, the rest to surplus; a drip adds
 * the fee to debt and surplus alike; a write-off burns what the collateral
 * covers and moves the rest of the debt to bad debt.
 */
struct gc_reserve {
    struct gc_fee fee;
    struct gc_vault *vaults;
    size_t n;
    int64_t supply_micros, surplus_micros, bad_debt_micros;
    int64_t
        liquidation_bps;    /* a vault is safe while debt x liquidation_bps <= collateral x 10000 */
    int64_t ceiling_micros; /* the sum of debts may not pass it */
    int64_t min_draw_micros; /* the smallest draw (Maker's dust) */
};

/* Drips the fee to NOW and adds it to every vault's debt and to surplus. */
bool gc_reserve_drip(struct gc_reserve *r, int64_t now, struct gc_fail *f);

/*
 * Draws MICROS into vault V. Refuses "under_minimum", "over_ceiling" and
 * "over_ratio" (the vault would not be safe), changing nothing.
 */
bool gc_reserve_draw(struct gc_reserve *r, size_t v, int64_t micros, struct gc_fail *f);

/*
 * Repays MICROS of vault V: at most the debt ("over_debt") and at most the
 * supply ("over_supply": only coin in circulation can be burned).
 */
bool gc_reserve_repay(struct gc_reserve *r, size_t v, int64_t micros, struct gc_fail *f);

/* Whether vault V is safe: debt x liquidation_bps <= collateral x 10000. */
bool gc_reserve_safe(const struct gc_reserve *r, size_t v);

/*
 * Liquidates an unsafe vault V ("safe" if it is not): its collateral is
 * sold for stablecoin that is burned, up to the debt; the debt left is bad
 * debt; the vault ends with no debt and no collateral.
 */
bool gc_reserve_write_off(struct gc_reserve *r, size_t v, struct gc_fail *f);

/* Recomputes every vault's debt from its art and checks the solvency equation. */
bool gc_reserve_check(const struct gc_reserve *r, struct gc_fail *f);

#endif
