#include "gc_stable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_ray.h"
#include "gc_time.h"
#include "gc_u128.h"
#include "banned.h"

void gc_stable_init(struct gc_stable *s)
{
    memset(s, 0, sizeof(*s));
}

void gc_stable_release(struct gc_stable *s)
{
    for (size_t i = 0; i < s->pkgs.cap; i++) {
        struct gc_stable_pkg *sp = s->pkgs.slots[i].value;

        if (s->pkgs.slots[i].key == NULL)
            continue;
        free(sp->r.vaults);
        free(sp->holders);
        free(sp->unsafe);
        free(sp);
    }
    gc_map_release(&s->pkgs);
    gc_buf_release(&s->msg);
}

static bool ray_field(const json_t *rec, const char *key, gc_u128 *out, struct gc_fail *f)
{
    const char *s;
    size_t len;

    if (!gc_field_str(rec, key, &s, &len, f))
        return false;
    if (!gc_u128_parse(s, len, out))
        return gc_fail(f, "bad_number", "field '%s' is not a decimal integer under 2^128", key);
    return true;
}

static json_t *ray_json(gc_u128 v)
{
    char buf[48];

    gc_u128_format(v, buf);
    return json_string(buf);
}

bool gc_stable_params_parse(const json_t *rec, struct gc_stable_params *p, bool *global,
                            int64_t *global_ceiling, struct gc_fail *f)
{
    int64_t v;

    memset(p, 0, sizeof(*p));
    if (!gc_field_const(rec, "type", "reserve.params", f) || !gc_field_int(rec, "v", 1, 1, &v, f))
        return false;
    *global = !gc_field_present(rec, "package");
    if (*global)
        return gc_field_int(rec, "global_ceiling_micros", 0, INT64_MAX, global_ceiling, f);
    if (!gc_field_id_copy(rec, "package", p->package, f) || !ray_field(rec, "duty", &p->duty, f) ||
        !gc_field_int(rec, "liquidation_bps", 10000, 1000000, &p->liquidation_bps, f) ||
        !gc_field_int(rec, "ceiling_micros", 0, INT64_MAX, &p->ceiling_micros, f) ||
        !gc_field_int(rec, "min_draw_micros", 1, INT64_MAX, &p->min_draw_micros, f) ||
        !gc_field_int(rec, "haircut_bps", 0, 10000, &p->haircut_bps, f))
        return false;
    /* A fee of more than 100 % a second is a mistake, not a policy. */
    if (p->duty < GC_RAY || p->duty > 2 * GC_RAY)
        return gc_fail(f, "bad_number", "field 'duty' is not between 10^27 and 2 x 10^27");
    return true;
}

json_t *gc_stable_params_record(const struct gc_stable_params *p, const char *pkg_hash)
{
    char key[96];
    json_t *rec;

    snprintf(key, sizeof(key), "params:%s", pkg_hash);
    rec = json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I}", "type", "reserve.params",
                    "v", 1, "key", key, "package", p->package, "package_hash", pkg_hash, "duty",
                    ray_json(p->duty), "liquidation_bps", (json_int_t)p->liquidation_bps,
                    "ceiling_micros", (json_int_t)p->ceiling_micros, "min_draw_micros",
                    (json_int_t)p->min_draw_micros, "haircut_bps", (json_int_t)p->haircut_bps);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return rec;
}

json_t *gc_stable_global_record(int64_t global_ceiling)
{
    json_t *rec = json_pack("{s:s, s:i, s:s, s:I}", "type", "reserve.params", "v", 1, "key",
                            "params:global", "global_ceiling_micros", (json_int_t)global_ceiling);

    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return rec;
}

struct gc_stable_pkg *gc_stable_pkg(struct gc_stable *s, const char *pkg_hash)
{
    return gc_map_get(&s->pkgs, pkg_hash);
}

static struct gc_stable_pkg *add_pkg(struct gc_stable *s, const char *hash,
                                     const struct gc_stable_params *p)
{
    struct gc_stable_pkg *sp = gc_xcalloc(1, sizeof(*sp));

    snprintf(sp->hash, sizeof(sp->hash), "%s", hash);
    sp->params = *p;
    sp->r.fee.duty = p->duty;
    sp->r.fee.rate = GC_RAY;
    sp->r.liquidation_bps = p->liquidation_bps;
    sp->r.ceiling_micros = p->ceiling_micros;
    sp->r.min_draw_micros = p->min_draw_micros;
    sp->value_micros = -1;
    gc_map_put(&s->pkgs, sp->hash, sp);
    return sp;
}

/* Vault of HOLDER, opened empty when it has none. */
static size_t vault_of(struct gc_stable_pkg *sp, const char *holder)
{
    size_t cap = sp->cap;

    for (size_t i = 0; i < sp->r.n; i++)
        if (strcmp(sp->holders[i], holder) == 0)
            return i;
    sp->r.vaults = gc_grow(sp->r.vaults, &cap, sp->r.n + 1, sizeof(*sp->r.vaults), 8);
    cap = sp->cap;
    sp->holders = gc_grow(sp->holders, &cap, sp->r.n + 1, sizeof(*sp->holders), 8);
    cap = sp->cap;
    sp->unsafe = gc_grow(sp->unsafe, &cap, sp->r.n + 1, sizeof(*sp->unsafe), 8);
    sp->cap = cap;
    memset(&sp->r.vaults[sp->r.n], 0, sizeof(*sp->r.vaults));
    snprintf(sp->holders[sp->r.n], sizeof(*sp->holders), "%s", holder);
    sp->unsafe[sp->r.n] = false;
    return sp->r.n++;
}

/* Moves the fee to TS: the first event starts the clock. */
static bool drip(struct gc_stable_pkg *sp, int64_t ts, int64_t *fee, struct gc_fail *f)
{
    int64_t before = sp->r.surplus_micros;

    if (!sp->started) {
        sp->r.fee.rho = ts;
        sp->started = true;
    }
    if (ts < sp->r.fee.rho) {
        char at[GC_TIME_LEN + 1], last[GC_TIME_LEN + 1];

        gc_time_format(ts, at);
        gc_time_format(sp->r.fee.rho, last);
        return gc_fail(f, "out_of_order", "at %s, before the last event of the package (%s)", at,
                       last);
    }
    if (!gc_reserve_drip(&sp->r, ts, f))
        return false;
    *fee = sp->r.surplus_micros - before;
    return true;
}

static int64_t total_debt(const struct gc_stable *s)
{
    int64_t total = 0;

    for (size_t i = 0; i < s->pkgs.cap; i++) {
        const struct gc_stable_pkg *sp = s->pkgs.slots[i].value;

        if (s->pkgs.slots[i].key != NULL)
            for (size_t v = 0; v < sp->r.n; v++)
                total += sp->r.vaults[v].debt_micros;
    }
    return total;
}

static void check_solvent(const struct gc_stable_pkg *sp)
{
    struct gc_fail f;

    if (!gc_reserve_check(&sp->r, &f))
        gc_die(GC_EX_SOFTWARE, "package %.16s…: %s: %s", sp->hash, f.reason, f.detail);
}

static void set_state(json_t *rec, const struct gc_stable_pkg *sp)
{
    gc_json_set(rec, "rate", ray_json(sp->r.fee.rate));
    gc_json_set(rec, "supply_micros", json_integer(sp->r.supply_micros));
    gc_json_set(rec, "surplus_micros", json_integer(sp->r.surplus_micros));
    gc_json_set(rec, "bad_debt_micros", json_integer(sp->r.bad_debt_micros));
}

/* The move itself, shared by new requests and the replay; the state is left as it was on failure.
 */
static bool apply_move(struct gc_stable *s, struct gc_stable_pkg *sp, int sign, size_t v,
                       int64_t ts, int64_t amount, int64_t collateral, int64_t *fee,
                       struct gc_fail *f)
{
    struct gc_reserve saved = sp->r;
    struct gc_vault *keep = gc_xmalloc(sp->r.n * sizeof(*keep));
    bool started = sp->started, ok;

    memcpy(keep, sp->r.vaults, sp->r.n * sizeof(*keep));
    sp->r.vaults[v].collateral_micros = collateral;
    ok = drip(sp, ts, fee, f) && (sign > 0 ? gc_reserve_draw(&sp->r, v, amount, f)
                                           : gc_reserve_repay(&sp->r, v, amount, f));
    if (ok && sign > 0 && s->have_global && total_debt(s) > s->global_ceiling_micros)
        ok = gc_fail(f, "over_global_ceiling",
                     "the debts of all packages would be %lld micros, over the global ceiling "
                     "%lld",
                     (long long)total_debt(s), (long long)s->global_ceiling_micros);
    if (!ok) {
        saved.vaults = sp->r.vaults;
        sp->r = saved;
        memcpy(sp->r.vaults, keep, sp->r.n * sizeof(*keep));
        sp->started = started;
    } else if (gc_reserve_safe(&sp->r, v)) {
        sp->unsafe[v] = false;
    }
    free(keep);
    return ok;
}

json_t *gc_stable_move(struct gc_stable *s, struct gc_stable_pkg *sp, const char *name, int sign,
                       const char *holder, int64_t ts, int64_t amount, int64_t collateral,
                       const char *key, const char *request, struct gc_fail *f)
{
    size_t n = sp->r.n, v = vault_of(sp, holder);
    int64_t fee = 0;
    char art[48];
    json_t *rec;

    if (!apply_move(s, sp, sign, v, ts, amount, collateral, &fee, f)) {
        if (sp->r.n > n) /* the vault opened for it goes again */
            sp->r.n = n;
        return NULL;
    }
    check_solvent(sp);
    gc_u128_format(sp->r.vaults[v].art, art);
    rec = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:s}", "type",
                    sign > 0 ? "mint" : "burn", "v", 1, "key", key, "request", request, "package",
                    name, "package_hash", sp->hash, "holder", holder, "ts", gc_json_time(ts),
                    "amount_micros", (json_int_t)amount, "fee_micros", (json_int_t)fee,
                    "collateral_micros", (json_int_t)collateral, "debt_micros",
                    (json_int_t)sp->r.vaults[v].debt_micros, "art", art);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    set_state(rec, sp);
    return rec;
}

static json_t *unsafe_record(const struct gc_stable_pkg *sp, const char *name, size_t v, int64_t ts,
                             const char *cause)
{
    char key[320];
    json_t *rec;

    snprintf(key, sizeof(key), "unsafe:%s:%s:%s", sp->hash, sp->holders[v], cause);
    rec = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I}", "type", "vault.unsafe",
                    "v", 1, "key", key, "package", name, "package_hash", sp->hash, "holder",
                    sp->holders[v], "ts", gc_json_time(ts), "debt_micros",
                    (json_int_t)sp->r.vaults[v].debt_micros, "collateral_micros",
                    (json_int_t)sp->r.vaults[v].collateral_micros, "liquidation_bps",
                    (json_int_t)sp->r.liquidation_bps);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return rec;
}

bool gc_stable_revalue(struct gc_stable *s, struct gc_stable_pkg *sp, const char *name, int64_t ts,
                       int64_t value, const int64_t *collateral, const char *key, json_t *out,
                       struct gc_fail *f)
{
    json_t *rec, *list = json_array();
    int64_t fee;

    if (!drip(sp, ts, &fee, f)) {
        json_decref(list);
        return false;
    }
    sp->value_micros = value;
    for (size_t v = 0; v < sp->r.n; v++) {
        sp->r.vaults[v].collateral_micros = collateral[v];
        gc_json_append(list, json_pack("{s:s, s:I}", "holder", sp->holders[v], "collateral_micros",
                                       (json_int_t)collateral[v]));
    }
    check_solvent(sp);
    rec =
        json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:I, s:I, s:o}", "type", "collateral.value", "v",
                  1, "key", key, "package", name, "package_hash", sp->hash, "ts", gc_json_time(ts),
                  "value_micros", (json_int_t)value, "fee_micros", (json_int_t)fee, "vaults", list);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    set_state(rec, sp);
    gc_json_append(out, rec);
    for (size_t v = 0; v < sp->r.n; v++)
        if (!sp->unsafe[v] && !gc_reserve_safe(&sp->r, v)) {
            sp->unsafe[v] = true;
            gc_json_append(out, unsafe_record(sp, name, v, ts, key));
        }
    return true;
}

void gc_stable_liquidate(struct gc_stable *s, struct gc_stable_pkg *sp, const char *name,
                         json_t *out)
{
    for (size_t v = 0; v < sp->r.n; v++) {
        struct gc_vault before = sp->r.vaults[v];
        int64_t bad_before = sp->r.bad_debt_micros;
        struct gc_fail f;
        char key[320], seq[32];
        json_t *rec;

        if (before.debt_micros == 0 || gc_reserve_safe(&sp->r, v) ||
            !gc_reserve_write_off(&sp->r, v, &f))
            continue;
        sp->unsafe[v] = false;
        check_solvent(sp);
        snprintf(seq, sizeof(seq), "%lld", (long long)sp->r.fee.rho);
        snprintf(key, sizeof(key), "liquidated:%s:%s:%s", sp->hash, sp->holders[v], seq);
        rec = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I}", "type",
                        "vault.liquidated", "v", 1, "key", key, "package", name, "package_hash",
                        sp->hash, "holder", sp->holders[v], "ts", gc_json_time(sp->r.fee.rho),
                        "debt_micros", (json_int_t)before.debt_micros, "collateral_micros",
                        (json_int_t)before.collateral_micros, "bad_debt_added_micros",
                        (json_int_t)(sp->r.bad_debt_micros - bad_before));
        if (rec == NULL)
            gc_die(GC_EX_SOFTWARE, "out of memory");
        set_state(rec, sp);
        gc_json_append(out, rec);
    }
}

int64_t gc_stable_collateral(const struct gc_stable_pkg *sp, const struct gc_pkg *pkg,
                             const struct gc_position_book *book,
                             const uint8_t reserve_pk[GC_PUBKEY_LEN], const char *holder,
                             const int64_t *balances, int64_t value_micros)
{
    gc_u128 gross = 0, net;
    int64_t senior[GC_TERMS_MAX_TRANCHES + 1] = {0};
    char hex[2 * GC_PUBKEY_LEN + 1];

    for (size_t k = 0; k < pkg->terms.n_tranches; k++)
        senior[k + 1] = senior[k] + balances[k];
    /* A sum of whole micros: the order of the positions does not matter, so no sorting. */
    for (size_t i = 0; i < book->positions.cap; i++) {
        const struct gc_position *p = book->positions.slots[i].value;
        const struct gc_pledge *pl;
        int64_t left, tv, units;
        gc_u128 worth;

        if (book->positions.slots[i].key == NULL || p->pkg != pkg || p->consumed_by[0] != '\0' ||
            p->pledge[0] == '\0')
            continue;
        pl = gc_map_get(&book->pledges, p->pledge);
        gc_hex_encode(p->holder, GC_PUBKEY_LEN, hex);
        if (pl == NULL || pl->released || memcmp(pl->lender, reserve_pk, GC_PUBKEY_LEN) != 0 ||
            strcmp(hex, holder) != 0)
            continue;
        /* What is left of the value once the tranches senior to it are covered. */
        left = value_micros - senior[p->tranche];
        tv = left < 0 ? 0 : left > balances[p->tranche] ? balances[p->tranche] : left;
        units = pkg->terms.tranches[p->tranche].units;
        if (units > 0 && gc_mul_div_floor((gc_u128)p->units, (gc_u128)tv, (gc_u128)units, &worth))
            gross += worth;
    }
    gc_mul_div_floor(gross, (gc_u128)(10000 - sp->params.haircut_bps), 10000, &net);
    return net > INT64_MAX ? INT64_MAX : (int64_t)net;
}

/* --- replay --- */

static bool same(const json_t *rec, const char *key, int64_t want, struct gc_fail *f)
{
    int64_t have;

    if (!gc_field_int(rec, key, INT64_MIN, INT64_MAX, &have, f))
        return false;
    if (have != want)
        return gc_fail(f, "chain_break", "a %s record says %s %lld, its replay %lld",
                       json_string_value(json_object_get(rec, "type")), key, (long long)have,
                       (long long)want);
    return true;
}

static bool same_state(const json_t *rec, const struct gc_stable_pkg *sp, struct gc_fail *f)
{
    gc_u128 rate;

    if (!ray_field(rec, "rate", &rate, f))
        return false;
    if (rate != sp->r.fee.rate)
        return gc_fail(f, "chain_break", "a record's rate is not its replay's");
    return same(rec, "supply_micros", sp->r.supply_micros, f) &&
           same(rec, "surplus_micros", sp->r.surplus_micros, f) &&
           same(rec, "bad_debt_micros", sp->r.bad_debt_micros, f);
}

static struct gc_stable_pkg *pkg_of(struct gc_stable *s, const json_t *rec, const char **holder,
                                    int64_t *ts, struct gc_fail *f)
{
    const char *hash;
    struct gc_stable_pkg *sp;

    if (!gc_field_str(rec, "package_hash", &hash, NULL, f) ||
        (holder != NULL && !gc_field_str(rec, "holder", holder, NULL, f)) ||
        !gc_field_time(rec, "ts", ts, f))
        return NULL;
    sp = gc_map_get(&s->pkgs, hash);
    if (sp == NULL)
        gc_fail(f, "chain_break", "a record of package %.16s… before its params", hash);
    return sp;
}

bool gc_stable_replay(struct gc_stable *s, const json_t *rec, struct gc_fail *f)
{
    const char *type = json_string_value(json_object_get(rec, "type")), *holder;
    struct gc_stable_pkg *sp;
    int64_t ts, amount, collateral, fee;

    if (type == NULL)
        return true;
    if (strcmp(type, "reserve.params") == 0) {
        struct gc_stable_params p;
        const char *hash;
        bool global;

        if (!gc_stable_params_parse(rec, &p, &global, &s->global_ceiling_micros, f))
            return false;
        s->have_global |= global;
        if (!global) {
            if (!gc_field_str(rec, "package_hash", &hash, NULL, f))
                return false;
            add_pkg(s, hash, &p);
        }
        return true;
    }
    if (strcmp(type, "mint") == 0 || strcmp(type, "burn") == 0) {
        size_t v;

        if ((sp = pkg_of(s, rec, &holder, &ts, f)) == NULL ||
            !gc_field_int(rec, "amount_micros", 1, INT64_MAX, &amount, f) ||
            !gc_field_int(rec, "collateral_micros", 0, INT64_MAX, &collateral, f))
            return false;
        v = vault_of(sp, holder);
        if (!apply_move(s, sp, type[0] == 'm' ? 1 : -1, v, ts, amount, collateral, &fee, f))
            return gc_fail(f, "chain_break", "a %s record does not replay: %s", type, f->detail);
        return same(rec, "fee_micros", fee, f) &&
               same(rec, "debt_micros", sp->r.vaults[v].debt_micros, f) && same_state(rec, sp, f);
    }
    if (strcmp(type, "collateral.value") == 0) {
        const json_t *list = json_object_get(rec, "vaults"), *x;
        size_t i;

        if ((sp = pkg_of(s, rec, NULL, &ts, f)) == NULL ||
            !gc_field_int(rec, "value_micros", 0, INT64_MAX, &sp->value_micros, f) ||
            !drip(sp, ts, &fee, f) || !same(rec, "fee_micros", fee, f))
            return false;
        if (!json_is_array(list) || json_array_size(list) != sp->r.n)
            return gc_fail(f, "chain_break", "a collateral.value record lists other vaults");
        json_array_foreach(list, i, x)
        {
            if (!gc_value_const(json_object_get(x, "holder"), "holder", sp->holders[i], f) ||
                !gc_field_int(x, "collateral_micros", 0, INT64_MAX,
                              &sp->r.vaults[i].collateral_micros, f))
                return false;
        }
        return same_state(rec, sp, f);
    }
    if (strcmp(type, "vault.unsafe") == 0) {
        if ((sp = pkg_of(s, rec, &holder, &ts, f)) == NULL)
            return false;
        sp->unsafe[vault_of(sp, holder)] = true;
        return true;
    }
    if (strcmp(type, "vault.liquidated") == 0) {
        size_t v;

        if ((sp = pkg_of(s, rec, &holder, &ts, f)) == NULL)
            return false;
        v = vault_of(sp, holder);
        if (!gc_reserve_write_off(&sp->r, v, f))
            return gc_fail(f, "chain_break", "a vault.liquidated record does not replay: %s",
                           f->detail);
        sp->unsafe[v] = false;
        return same_state(rec, sp, f);
    }
    return true;
}
