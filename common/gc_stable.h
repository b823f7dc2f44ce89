/*
 * gc_stable — the stablecoin book of gc-settle mint, burn and reserve
 * (issue 8): one gc_reserve per package, a vault per holder, the collateral
 * of a vault being the holder's positions pledged to the reserve, valued at
 * their tranche's share of the package's value (an oracle record's, else the
 * NAV) and less the reserve's haircut. Requests are applied in order, the fee
 * dripped to each one's time first; after every event the solvency equation
 * of gc_vault is checked (exit 70 when it breaks).
 *
 * The book is rebuilt from the ledger's records (reserve.params,
 * collateral.value, mint, burn, vault.unsafe, vault.liquidated), re-applying
 * each through the same arithmetic and comparing the result with what the
 * record says. Domain module: no I/O.
 */
#ifndef GC_STABLE_H
#define GC_STABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"
#include "gc_position.h"
#include "gc_vault.h"

/* The reserve's terms for one package (a "reserve.params" record). */
struct gc_stable_params {
    char package[65];
    gc_u128 duty;            /* per second, a ray */
    int64_t liquidation_bps; /* >= 10000 */
    int64_t ceiling_micros;
    int64_t min_draw_micros;
    int64_t haircut_bps;
};

struct gc_stable_pkg {
    char hash[GC_HASH_HEX];
    struct gc_stable_params params;
    struct gc_reserve r;
    char (*holders)[2 * GC_PUBKEY_LEN + 1]; /* vault i's holder */
    bool *unsafe;                           /* vault i is marked unsafe */
    size_t cap;
    bool started;         /* an event happened: fee.rho is its time */
    int64_t value_micros; /* the package's value: the last collateral.value, else -1 */
};

struct gc_stable {
    struct gc_map pkgs; /* package hash -> struct gc_stable_pkg */
    int64_t global_ceiling_micros;
    bool have_global;
    struct gc_buf msg;
};

void gc_stable_init(struct gc_stable *s);
void gc_stable_release(struct gc_stable *s);

/* Reads a "reserve.params" record: per package (with "package"), or global (without). */
bool gc_stable_params_parse(const json_t *rec, struct gc_stable_params *p, bool *global,
                            int64_t *global_ceiling, struct gc_fail *f);

/* The ledger record of P for the package with record hash PKG_HASH, or of the global ceiling. */
json_t *gc_stable_params_record(const struct gc_stable_params *p, const char *pkg_hash);
json_t *gc_stable_global_record(int64_t global_ceiling);

/* Re-applies one ledger record (other types are passed over); "chain_break" when it does not. */
bool gc_stable_replay(struct gc_stable *s, const json_t *rec, struct gc_fail *f);

/* The book of package PKG_HASH, or NULL when the ledger has no params for it. */
struct gc_stable_pkg *gc_stable_pkg(struct gc_stable *s, const char *pkg_hash);

/*
 * The collateral of HOLDER's vault in package PKG: the live positions it
 * holds pledged to RESERVE_PK, each worth floor(units x tranche value /
 * tranche units), the tranche value being the package's value less the
 * balances senior to it, between 0 and its balance (BALANCES, from the last
 * period, else the units); the sum less the haircut, rounded down.
 */
int64_t gc_stable_collateral(const struct gc_stable_pkg *sp, const struct gc_pkg *pkg,
                             const struct gc_position_book *book,
                             const uint8_t reserve_pk[GC_PUBKEY_LEN], const char *holder,
                             const int64_t *balances, int64_t value_micros);

/*
 * A mint (SIGN +1) or burn (-1) of AMOUNT by HOLDER at TS, the vault's
 * collateral being COLLATERAL: drips, draws or repays, checks the global
 * ceiling and the solvency equation, and returns the ledger record (KEY,
 * REQUEST the request's hash). Fails "out_of_order" (TS before the last
 * event), the refusals of gc_reserve_draw and gc_reserve_repay, and
 * "over_global_ceiling", changing nothing.
 */
json_t *gc_stable_move(struct gc_stable *s, struct gc_stable_pkg *sp, const char *name, int sign,
                       const char *holder, int64_t ts, int64_t amount, int64_t collateral,
                       const char *key, const char *request, struct gc_fail *f);

/*
 * A new value of the package (an oracle's) at TS, and each vault's
 * collateral COLLATERAL[i] at it: the "collateral.value" record, then a
 * "vault.unsafe" record for each vault it leaves unsafe that was not marked so,
 * appended to OUT.
 */
bool gc_stable_revalue(struct gc_stable *s, struct gc_stable_pkg *sp, const char *name, int64_t ts,
                       int64_t value, const int64_t *collateral, const char *key, json_t *out,
                       struct gc_fail *f);

/* Liquidates every unsafe vault with debt of SP at its last event: "vault.liquidated" records. */
void gc_stable_liquidate(struct gc_stable *s, struct gc_stable_pkg *sp, const char *name,
                         json_t *out);

#endif
