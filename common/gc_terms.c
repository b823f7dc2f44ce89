#include "gc_terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_cosign.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_merkle.h"
#include "gc_num.h"
#include "gc_signed.h"
#include "gc_u128.h"
#include "banned.h"

/* --- decoding --- */

/* A currency code: 3 to 12 capitals or digits (ISO 4217, or a token's symbol). */
static bool parse_currency(const json_t *rec, struct gc_fail *f)
{
    const char *s;
    size_t len;

    if (!gc_field_str(rec, "currency", &s, &len, f))
        return false;
    if (len < 3 || len > 12 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != len)
        return gc_fail(f, "bad_field", "field 'currency' must be 3 to 12 capitals or digits");
    return true;
}

static bool parse_spv(const json_t *rec, struct gc_fail *f)
{
    const json_t *spv = json_object_get(rec, "spv");

    if (!json_is_object(spv))
        return gc_fail(f, "bad_field",
                       "field 'spv' must be an object with a name and "
                       "a jurisdiction");
    return gc_value_str(json_object_get(spv, "name"), "spv.name", &(const char *){0}, NULL, f) &&
           gc_value_str(json_object_get(spv, "jurisdiction"), "spv.jurisdiction",
                        &(const char *){0}, NULL, f);
}

static bool parse_pools(const json_t *rec, struct gc_terms *t, struct gc_fail *f)
{
    const json_t *pools = json_object_get(rec, "pools");

    if (!json_is_array(pools) || json_array_size(pools) == 0 ||
        json_array_size(pools) > GC_TERMS_MAX_POOLS)
        return gc_fail(f, "bad_field", "field 'pools' must be an array of 1 to %d pool ids",
                       GC_TERMS_MAX_POOLS);
    for (size_t i = 0; i < json_array_size(pools); i++) {
        const char *id;

        if (!gc_value_id(json_array_get(pools, i), "pools", &id, f))
            return false;
        if (gc_terms_has_pool(t, id))
            return gc_fail(f, "bad_field", "pool '%s' is listed twice", id);
        snprintf(t->pools[t->n_pools++], sizeof(t->pools[0]), "%s", id);
    }
    return true;
}

static bool parse_tranche(const json_t *o, bool package, struct gc_tranche *tr, struct gc_fail *f)
{
    memset(tr, 0, sizeof(*tr));
    if (!json_is_object(o))
        return gc_fail(f, "bad_field", "field 'tranches' must hold objects");
    if (!gc_field_id_copy(o, "tranche", tr->name, f) ||
        !gc_value_int(json_object_get(o, "seniority"), "seniority", 1, 1000, &tr->seniority, f) ||
        !gc_value_int(json_object_get(o, "coupon_bps"), "coupon_bps", 0, 100000, &tr->coupon_bps,
                      f))
        return false;
    if (gc_field_present(o, "min_oc_bps") &&
        !gc_value_int(json_object_get(o, "min_oc_bps"), "min_oc_bps", 0, 1000000, &tr->min_oc_bps,
                      f))
        return false;
    if (gc_field_present(o, "share_bps") &&
        !gc_value_int(json_object_get(o, "share_bps"), "share_bps", 1, 10000, &tr->share_bps, f))
        return false;
    if (package) {
        /* A package states its sizes: a share's size is recomputed, a fixed one taken. */
        if (!gc_value_int(json_object_get(o, "subscribed_micros"), "subscribed_micros", 0,
                          INT64_MAX, &tr->subscribed_micros, f))
            return false;
        if (tr->share_bps == 0 && !gc_value_int(json_object_get(o, "size_micros"), "size_micros", 1,
                                                INT64_MAX, &tr->size_micros, f))
            return false;
        return true;
    }
    if (gc_field_present(o, "size_micros") &&
        !gc_value_int(json_object_get(o, "size_micros"), "size_micros", 1, INT64_MAX,
                      &tr->size_micros, f))
        return false;
    if ((tr->size_micros == 0) == (tr->share_bps == 0))
        return gc_fail(f, "bad_field",
                       "tranche '%s' needs exactly one of size_micros and share_bps", tr->name);
    return true;
}

static bool parse_tranches(const json_t *rec, bool package, struct gc_terms *t, struct gc_fail *f)
{
    const json_t *arr = json_object_get(rec, "tranches");

    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > GC_TERMS_MAX_TRANCHES)
        return gc_fail(f, "bad_field", "field 'tranches' must be an array of 1 to %d tranches",
                       GC_TERMS_MAX_TRANCHES);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (!parse_tranche(json_array_get(arr, i), package, &t->tranches[i], f))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->tranches[j].name, t->tranches[i].name) == 0)
                return gc_fail(f, "bad_field", "tranche '%s' is listed twice", t->tranches[i].name);
        t->n_tranches++;
    }
    return true;
}

static bool parse_subscriptions(const json_t *rec, struct gc_terms *t, struct gc_fail *f)
{
    const json_t *arr = json_object_get(rec, "subscriptions");

    if (!json_is_array(arr) || json_array_size(arr) > GC_TERMS_MAX_SUBSCRIPTIONS)
        return gc_fail(f, "bad_field", "field 'subscriptions' must be an array of at most %d",
                       GC_TERMS_MAX_SUBSCRIPTIONS);
    t->subs = gc_xcalloc(json_array_size(arr) + 1, sizeof(*t->subs));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i);
        struct gc_subscription *s = &t->subs[i];
        const char *tranche;
        size_t k;

        if (!json_is_object(o))
            return gc_fail(f, "bad_field", "field 'subscriptions' must hold objects");
        if (!gc_value_hex(json_object_get(o, "holder"), "holder", s->holder, GC_PUBKEY_LEN, f) ||
            !gc_value_id(json_object_get(o, "tranche"), "tranche", &tranche, f) ||
            !gc_value_int(json_object_get(o, "amount_micros"), "amount_micros", 1, INT64_MAX,
                          &s->amount_micros, f))
            return false;
        for (k = 0; k < t->n_tranches && strcmp(t->tranches[k].name, tranche) != 0; k++)
            ;
        if (k == t->n_tranches)
            return gc_fail(f, "bad_field", "subscription %zu names no tranche of the terms ('%s')",
                           i + 1, tranche);
        s->tranche = k;
        t->n_subs++;
    }
    return true;
}

bool gc_terms_parse(const json_t *rec, const char *type, struct gc_terms *t, struct gc_fail *f)
{
    bool package = strcmp(type, "package") == 0;
    const char *source;
    int64_t v;

    memset(t, 0, sizeof(*t));
    if (!gc_field_const(rec, "type", type, f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id_copy(rec, "package", t->package, f) ||
        !gc_field_id_copy(rec, "issuer", t->issuer, f) || !parse_spv(rec, f) ||
        !parse_currency(rec, f) || !parse_pools(rec, t, f) ||
        !gc_field_time(rec, "start", &t->start, f) || !gc_field_time(rec, "end", &t->end, f) ||
        !gc_field_int(rec, "window_h", 1, GC_TERMS_MAX_WINDOW_H, &t->window_h, f) ||
        !gc_field_str(rec, "price_source", &source, NULL, f) ||
        !gc_field_int(rec, "utilization_bps", 0, 10000, &t->in.utilization_bps, f) ||
        !gc_field_int(rec, "servicer_fee_bps", 0, 10000, &t->in.servicer_fee_bps, f) ||
        !gc_field_int(rec, "discount_bps", 0, 100000, &t->in.discount_bps, f) ||
        !gc_field_int(rec, "haircut_bps", 0, 10000, &t->haircut_bps, f) ||
        !gc_field_int(rec, "min_junior_bps", 0, 10000, &t->min_junior_bps, f) ||
        !parse_tranches(rec, package, t, f))
        return false;
    if (t->start % 3600 != 0 || t->end % 3600 != 0 || t->end <= t->start)
        return gc_fail(f, "bad_field", "fields 'start' and 'end' must be hours, 'end' the later");
    t->hours = (t->end - t->start) / 3600;
    if (t->hours > 87600)
        return gc_fail(f, "bad_field", "the tenor is longer than 10 years");
    t->in.hours = t->hours;
    if (strcmp(source, "index") == 0)
        t->price_from_index = true;
    else if (strcmp(source, "fixed") != 0)
        return gc_fail(f, "bad_field", "field 'price_source' must be \"index\" or \"fixed\"");
    if ((package || !t->price_from_index) &&
        !gc_field_int(rec, "price_micros", 0, INT64_MAX, &t->price_micros, f))
        return false;
    t->in.price_micros = t->price_micros;
    if (package)
        return gc_field_int(rec, "gpu_s_per_hour", 0, INT64_MAX, &t->in.gpu_s_per_hour, f);
    return parse_subscriptions(rec, t, f);
}

void gc_terms_release(struct gc_terms *t)
{
    free(t->subs);
    t->subs = NULL;
}

bool gc_terms_has_pool(const struct gc_terms *t, const char *pool)
{
    for (size_t i = 0; i < t->n_pools; i++)
        if (strcmp(t->pools[i], pool) == 0)
            return true;
    return false;
}

/* --- collateral and price --- */

/* A snapshot hour of the window: a pool of T, in [start - window_h h, start). */
static bool in_window(const struct gc_terms *t, const char *pool, int64_t hour)
{
    return gc_terms_has_pool(t, pool) && hour < t->start && hour >= t->start - t->window_h * 3600;
}

bool gc_terms_collateral(const struct gc_terms *t, const json_t *rec, struct gc_buf *msg,
                         struct gc_collateral *c, bool *is_collateral, struct gc_fail *f)
{
    *is_collateral = false;
    if (!gc_field_id_copy(rec, "pool", c->pool, f) || !gc_field_time(rec, "hour", &c->hour, f) ||
        !gc_field_int(rec, "green_gpu_s", 0, INT64_MAX, &c->green_gpu_s, f))
        return false;
    if (!in_window(t, c->pool, c->hour))
        return true;
    gc_snapshot_hash(rec, msg, c->hash);
    *is_collateral = true;
    return true;
}

bool gc_terms_offer_price(const struct gc_terms *t, const json_t *rec, struct gc_buf *msg,
                          struct gc_price *best, bool *have, struct gc_fail *f)
{
    struct gc_price p;
    const char *pool;

    if (!gc_field_const(rec, "type", "index", f) || !gc_field_id(rec, "pool", &pool, f) ||
        !gc_field_id_copy(rec, "market", p.market, f) || !gc_field_time(rec, "ts", &p.ts, f) ||
        !gc_field_int(rec, "twap_micros", 0, INT64_MAX, &p.twap_micros, f))
        return false;
    if (!gc_terms_has_pool(t, pool) || p.ts > t->start || p.ts < t->start - t->window_h * 3600)
        return true;
    gc_signed_hash(rec, msg, p.record);
    if (!*have || p.ts > best->ts || (p.ts == best->ts && p.twap_micros < best->twap_micros))
        *best = p;
    *have = true;
    return true;
}

/* --- valuation --- */

static int by_pool_hour(const void *a, const void *b)
{
    const struct gc_collateral *x = a, *y = b;
    int c = strcmp(x->pool, y->pool);

    return c != 0 ? c : (x->hour > y->hour) - (x->hour < y->hour);
}

static void collateral_root(const struct gc_collateral *c, size_t n, uint8_t root[GC_SHA256_LEN])
{
    uint8_t(*leaves)[GC_SHA256_LEN] = gc_xcalloc(n + 1, GC_SHA256_LEN);

    for (size_t i = 0; i < n; i++)
        gc_merkle_leaf_hash(c[i].hash, GC_SHA256_LEN, leaves[i]);
    gc_merkle_root((const uint8_t(*)[GC_SHA256_LEN])leaves, n, root);
    free(leaves);
}

/* Units of each tranche: the amounts when they fit, else its size split by largest remainder. */
static void allot(struct gc_terms *t)
{
    int64_t *w = gc_xcalloc(t->n_subs + 1, sizeof(*w)),
            *part = gc_xcalloc(t->n_subs + 1, sizeof(*part));

    for (size_t k = 0; k < t->n_tranches; k++) {
        struct gc_tranche *tr = &t->tranches[k];
        size_t n = 0;

        for (size_t i = 0; i < t->n_subs; i++)
            if (t->subs[i].tranche == k)
                w[n++] = t->subs[i].amount_micros;
        if (tr->subscribed_micros <= tr->size_micros) {
            tr->units = tr->subscribed_micros;
            memcpy(part, w, n * sizeof(*w));
        } else {
            tr->units = tr->size_micros;
            gc_apportion(tr->size_micros, w, n, part);
        }
        n = 0;
        for (size_t i = 0; i < t->n_subs; i++)
            if (t->subs[i].tranche == k)
                t->subs[i].units = part[n++];
    }
    free(w);
    free(part);
}

bool gc_terms_value(struct gc_terms *t, struct gc_collateral *c, size_t n, struct gc_valuation *val,
                    struct gc_fail *f)
{
    char names[GC_TERMS_MAX_TRANCHES][65];
    int64_t total = 0;

    if (n == 0)
        return gc_fail(f, "no_collateral",
                       "no co-signed snapshot of the pools in the %lld hours before the start",
                       (long long)t->window_h);
    qsort(c, n, sizeof(*c), by_pool_hour);
    for (size_t i = 0; i < n; i++)
        if (!gc_add_i64(total, c[i].green_gpu_s, &total))
            return gc_fail(f, "bad_number", "the collateral's GPU-seconds overflow");
    t->in.gpu_s_per_hour = total / t->window_h;
    t->in.price_micros = t->price_micros;
    if (!gc_package_value(&t->in, val, f))
        return false;
    /* Sorting moves the tranches: keep the subscriptions pointing at theirs. */
    for (size_t k = 0; k < t->n_tranches; k++)
        memcpy(names[k], t->tranches[k].name, sizeof(names[k]));
    for (size_t i = 0; i < t->n_subs; i++)
        if (!gc_add_i64(t->tranches[t->subs[i].tranche].subscribed_micros, t->subs[i].amount_micros,
                        &t->tranches[t->subs[i].tranche].subscribed_micros))
            return gc_fail(f, "bad_number", "the subscriptions overflow");
    if (!gc_tranches_check(t->tranches, t->n_tranches, val->nav_micros, t->haircut_bps,
                           t->min_junior_bps, f))
        return false;
    for (size_t i = 0; i < t->n_subs; i++)
        for (size_t k = 0; k < t->n_tranches; k++)
            if (strcmp(t->tranches[k].name, names[t->subs[i].tranche]) == 0) {
                t->subs[i].tranche = k;
                break;
            }
    allot(t);
    return true;
}

/* --- the package record --- */

static json_t *u128_json(gc_u128 v)
{
    char s[48];

    return json_stringn(s, gc_u128_format(v, s));
}

static json_t *tranches_json(const struct gc_terms *t, const json_t *terms_rec)
{
    json_t *arr = json_array();

    for (size_t k = 0; k < t->n_tranches; k++) {
        const struct gc_tranche *tr = &t->tranches[k];
        const json_t *src = NULL, *one;
        json_t *o;
        size_t i;

        /* Start from the term sheet's tranche so its other fields stay. */
        json_array_foreach(json_object_get(terms_rec, "tranches"), i,
                           one) if (strcmp(json_string_value(json_object_get(one, "tranche")),
                                           tr->name) == 0) src = one;
        o = json_deep_copy(src);
        gc_json_set(o, "size_micros", json_integer(tr->size_micros));
        gc_json_set(o, "subscribed_micros", json_integer(tr->subscribed_micros));
        gc_json_set(o, "units", json_integer(tr->units));
        gc_json_append(arr, o);
    }
    return arr;
}

static json_t *snapshots_json(const struct gc_collateral *c, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();

        gc_json_set(o, "pool", json_string(c[i].pool));
        gc_json_set(o, "hour", gc_json_time(c[i].hour));
        gc_json_set(o, "green_gpu_s", json_integer(c[i].green_gpu_s));
        gc_json_set(o, "snapshot", gc_json_hex(c[i].hash, GC_SHA256_LEN));
        gc_json_append(arr, o);
    }
    return arr;
}

json_t *gc_package_record(const json_t *terms_rec, const struct gc_terms *t,
                          const struct gc_collateral *c, size_t n, const struct gc_price *price,
                          const struct gc_valuation *val, const uint8_t issuer_pk[GC_PUBKEY_LEN],
                          const struct gc_map *validators, int64_t quorum, struct gc_buf *msg)
{
    json_t *rec = json_deep_copy(terms_rec), *keys = json_array();
    uint8_t hash[GC_SHA256_LEN], root[GC_SHA256_LEN];
    void **sorted = gc_map_sorted_values(validators);

    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_signed_hash(terms_rec, msg, hash);
    json_object_del(rec, "subscriptions");
    json_object_del(rec, "sig");
    gc_json_set(rec, "type", json_string("package"));
    gc_json_set(rec, "terms", gc_json_hex(hash, GC_SHA256_LEN));
    gc_json_set(rec, "issuer_pubkey", gc_json_hex(issuer_pk, GC_PUBKEY_LEN));
    for (size_t i = 0; i < validators->n; i++)
        gc_json_append(keys, json_string(sorted[i]));
    free(sorted);
    gc_json_set(rec, "validators", keys);
    gc_json_set(rec, "quorum", json_integer(quorum));
    gc_json_set(rec, "snapshots", snapshots_json(c, n));
    collateral_root(c, n, root);
    gc_json_set(rec, "collateral_root", gc_json_hex(root, GC_SHA256_LEN));
    gc_json_set(rec, "gpu_s_per_hour", json_integer(t->in.gpu_s_per_hour));
    gc_json_set(rec, "price_micros", json_integer(t->price_micros));
    if (price != NULL) {
        json_t *o = json_object();

        gc_json_set(o, "market", json_string(price->market));
        gc_json_set(o, "ts", gc_json_time(price->ts));
        gc_json_set(o, "twap_micros", json_integer(price->twap_micros));
        gc_json_set(o, "record", gc_json_hex(price->record, GC_SHA256_LEN));
        gc_json_set(rec, "price_index", o);
    }
    gc_json_set(rec, "formula", json_string(GC_TERMS_FORMULA));
    gc_json_set(rec, "cash_micros_per_hour", json_integer(val->cash_micros_per_hour));
    gc_json_set(rec, "rate_per_second_ray", u128_json(val->rate_per_second_ray));
    gc_json_set(rec, "undiscounted_micros", json_integer(val->undiscounted_micros));
    gc_json_set(rec, "nav_micros", json_integer(val->nav_micros));
    gc_json_set(rec, "tranches", tranches_json(t, terms_rec));
    return rec;
}

/* The collateral a package lists: [{pool, hour, green_gpu_s, snapshot}]. */
static bool parse_snapshots(const json_t *rec, struct gc_collateral **c, size_t *n,
                            struct gc_fail *f)
{
    const json_t *arr = json_object_get(rec, "snapshots");

    if (!json_is_array(arr))
        return gc_fail(f, "bad_field", "field 'snapshots' must be an array");
    *n = json_array_size(arr);
    *c = gc_xcalloc(*n + 1, sizeof(**c));
    for (size_t i = 0; i < *n; i++) {
        const json_t *o = json_array_get(arr, i);
        struct gc_collateral *x = &(*c)[i];

        if (!json_is_object(o))
            return gc_fail(f, "bad_field", "field 'snapshots' must hold objects");
        if (!gc_field_id_copy(o, "pool", x->pool, f) || !gc_field_time(o, "hour", &x->hour, f) ||
            !gc_field_int(o, "green_gpu_s", 0, INT64_MAX, &x->green_gpu_s, f) ||
            !gc_field_hex(o, "snapshot", x->hash, GC_SHA256_LEN, f))
            return false;
        if (i > 0 && by_pool_hour(&(*c)[i - 1], x) >= 0)
            return gc_fail(f, "bad_field",
                           "field 'snapshots' must be sorted by pool and hour, "
                           "each once");
    }
    return true;
}

static bool same_u128(const json_t *rec, const char *key, gc_u128 want)
{
    const json_t *v = json_object_get(rec, key);
    gc_u128 got;

    return json_is_string(v) && gc_u128_parse(json_string_value(v), json_string_length(v), &got) &&
           got == want;
}

static bool same_int(const json_t *rec, const char *key, int64_t want)
{
    const json_t *v = json_object_get(rec, key);

    return json_is_integer(v) && json_integer_value(v) == want;
}

static bool check_valuation(const json_t *rec, struct gc_terms *t, struct gc_collateral *c,
                            size_t n, struct gc_fail *f)
{
    struct gc_valuation val;
    uint8_t root[GC_SHA256_LEN], stated[GC_SHA256_LEN];
    int64_t gpu_s = t->in.gpu_s_per_hour;

    for (size_t i = 0; i < n; i++)
        if (!in_window(t, c[i].pool, c[i].hour))
            return gc_fail(f, "bad_root",
                           "snapshot of pool '%s' is outside the package's "
                           "pools or window",
                           c[i].pool);
    if (!gc_field_hex(rec, "collateral_root", stated, GC_SHA256_LEN, f))
        return false;
    collateral_root(c, n, root);
    if (memcmp(root, stated, GC_SHA256_LEN) != 0)
        return gc_fail(f, "bad_root", "the collateral root is not the root of the snapshots");
    if (!gc_terms_value(t, c, n, &val, f))
        return false;
    if (t->in.gpu_s_per_hour != gpu_s ||
        !same_int(rec, "cash_micros_per_hour", val.cash_micros_per_hour) ||
        !same_int(rec, "undiscounted_micros", val.undiscounted_micros) ||
        !same_int(rec, "nav_micros", val.nav_micros) ||
        !same_u128(rec, "rate_per_second_ray", val.rate_per_second_ray))
        return gc_fail(f, "bad_valuation",
                       "the valuation does not follow from its inputs "
                       "(recomputed NAV %lld micros)",
                       (long long)val.nav_micros);
    for (size_t k = 0; k < t->n_tranches; k++) {
        const struct gc_tranche *tr = &t->tranches[k];
        const json_t *one;
        size_t i;

        json_array_foreach(json_object_get(rec, "tranches"), i, one)
        {
            if (strcmp(json_string_value(json_object_get(one, "tranche")), tr->name) != 0)
                continue;
            if (!same_int(one, "size_micros", tr->size_micros) ||
                !same_int(one, "units", tr->units))
                return gc_fail(f, "bad_tranche",
                               "tranche '%s': its size or units do not follow (%lld, %lld)",
                               tr->name, (long long)tr->size_micros, (long long)tr->units);
        }
    }
    return true;
}

/* The price and the validators a package states: consistent with themselves. */
static bool check_inputs(const json_t *rec, const struct gc_terms *t, struct gc_fail *f)
{
    const json_t *keys = json_object_get(rec, "validators"), *idx;
    int64_t quorum, twap;

    if (!json_is_array(keys) || json_array_size(keys) == 0)
        return gc_fail(f, "bad_field", "field 'validators' must be an array of public keys");
    for (size_t i = 0; i < json_array_size(keys); i++) {
        uint8_t pk[GC_PUBKEY_LEN];

        if (!gc_value_hex(json_array_get(keys, i), "validators", pk, sizeof(pk), f))
            return false;
        if (i > 0 && strcmp(json_string_value(json_array_get(keys, i - 1)),
                            json_string_value(json_array_get(keys, i))) >= 0)
            return gc_fail(f, "bad_field", "field 'validators' must be sorted, each key once");
    }
    if (!gc_field_int(rec, "quorum", 1, (int64_t)json_array_size(keys), &quorum, f))
        return false;
    if (!t->price_from_index)
        return true;
    idx = json_object_get(rec, "price_index");
    if (!json_is_object(idx) || !gc_value_int(json_object_get(idx, "twap_micros"),
                                              "price_index.twap_micros", 0, INT64_MAX, &twap, f))
        return gc_fail(f, "bad_field", "an index-priced package needs its 'price_index'");
    if (twap != t->price_micros)
        return gc_fail(f, "bad_valuation", "field 'price_micros' is not the index's price");
    return true;
}

bool gc_package_check(const json_t *rec, struct gc_terms *t, struct gc_buf *msg,
                      uint8_t hash[GC_SHA256_LEN], uint8_t issuer_pk[GC_PUBKEY_LEN],
                      struct gc_fail *f)
{
    struct gc_collateral *c = NULL;
    uint8_t sig[GC_SIG_LEN];
    size_t n = 0;
    bool ok;

    ok = gc_terms_parse(rec, "package", t, f) &&
         gc_field_hex(rec, "issuer_pubkey", issuer_pk, GC_PUBKEY_LEN, f) &&
         gc_field_hex(rec, "sig", sig, GC_SIG_LEN, f) && check_inputs(rec, t, f) &&
         parse_snapshots(rec, &c, &n, f) && check_valuation(rec, t, c, n, f) &&
         gc_signed_check(rec, sig, issuer_pk, t->issuer, msg, hash, f);
    free(c);
    return ok;
}
