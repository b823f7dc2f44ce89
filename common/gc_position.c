#include "gc_position.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_signed.h"
#include "banned.h"

void gc_position_book_init(struct gc_position_book *b, const struct gc_map *allow,
                           const struct gc_map *issuers)
{
    memset(b, 0, sizeof(*b));
    b->allow = allow;
    b->issuers = issuers;
}

static void release_values(struct gc_map *m, void (*fn)(void *))
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != NULL)
            fn(m->slots[i].value);
    gc_map_release(m);
}

static void free_pkg(void *v)
{
    struct gc_pkg *p = v;

    gc_terms_release(&p->terms);
    free(p);
}

static void free_position(void *v)
{
    struct gc_position *p = v;

    json_decref(p->derived);
    free(p);
}

static void free_plain(void *v)
{
    free(v);
}

void gc_position_book_release(struct gc_position_book *b)
{
    release_values(&b->packages, free_pkg);
    release_values(&b->positions, free_position);
    release_values(&b->transfers, free_plain);
    release_values(&b->pledges, free_plain);
    /* seen's keys are its values */
    release_values(&b->seen, free_plain);
    gc_buf_release(&b->msg);
}

bool gc_position_book_takes(const json_t *rec)
{
    static const char *const types[] = {"package", "position", "transfer", "pledge", "release"};
    const char *t = json_string_value(json_object_get(rec, "type"));

    for (size_t i = 0; t != NULL && i < sizeof(types) / sizeof(*types); i++)
        if (strcmp(t, types[i]) == 0)
            return true;
    return false;
}

/* --- helpers --- */

/* The id of a position or pledge: SHA-256 of its canonical bytes without FIELD and "sig". */
static void record_id(const json_t *rec, const char *field, struct gc_buf *msg,
                      char id[GC_HASH_HEX])
{
    json_t *copy = json_copy((json_t *)rec);
    uint8_t h[GC_SHA256_LEN];

    if (copy == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    json_object_del(copy, field);
    gc_signed_hash(copy, msg, h);
    json_decref(copy);
    gc_hex_encode(h, GC_SHA256_LEN, id);
}

void gc_record_set_id(json_t *rec, const char *field, struct gc_buf *msg, char id[GC_HASH_HEX])
{
    record_id(rec, field, msg, id);
    gc_json_set(rec, field, json_string(id));
}

/* Checks that FIELD of REC is the record's id, and gives it. */
static bool check_id(const json_t *rec, const char *field, struct gc_buf *msg, char id[GC_HASH_HEX],
                     struct gc_fail *f)
{
    uint8_t h[GC_SHA256_LEN];
    char stated[GC_HASH_HEX];

    if (!gc_field_hex(rec, field, h, sizeof(h), f))
        return false;
    gc_hex_encode(h, GC_SHA256_LEN, stated);
    record_id(rec, field, msg, id);
    if (strcmp(id, stated) != 0)
        return gc_fail(f, "bad_id", "field '%s' is not the record's id", field);
    return true;
}

/* A replay: the same record (hash without "sig") taken before. */
static bool first_time(struct gc_position_book *b, const char *hash, struct gc_fail *f)
{
    char *k;

    if (gc_map_get(&b->seen, hash) != NULL)
        return gc_fail(f, "replay", "this record was seen before");
    k = gc_xstrdup(hash);
    gc_map_put(&b->seen, k, k);
    return true;
}

static bool allowed(const struct gc_position_book *b, const uint8_t pk[GC_PUBKEY_LEN],
                    const char *role, struct gc_fail *f)
{
    char hex[GC_HASH_HEX];

    if (b->allow == NULL)
        return true;
    gc_hex_encode(pk, GC_SHA256_LEN, hex);
    if (gc_map_get(b->allow, hex) == NULL)
        return gc_fail(f, "not_allowed", "the %s %.16s… is not on the allow-list", role, hex);
    return true;
}

/* A record about P must name P's package and tranche as they are: they are signed. */
static bool names_position(const struct gc_position *p, const json_t *rec, struct gc_fail *f)
{
    const char *package, *tranche;

    if (!gc_field_id(rec, "package", &package, f) || !gc_field_id(rec, "tranche", &tranche, f))
        return false;
    if (strcmp(package, p->pkg->terms.package) != 0 ||
        strcmp(tranche, p->pkg->terms.tranches[p->tranche].name) != 0)
        return gc_fail(f, "bad_field", "fields 'package' and 'tranche' are not the position's");
    return true;
}

/* The position a record names in "position", checked; "unknown_position" if none. */
static struct gc_position *named_position(struct gc_position_book *b, const json_t *rec,
                                          struct gc_fail *f)
{
    uint8_t id[GC_SHA256_LEN];
    char hex[GC_HASH_HEX];
    struct gc_position *p;

    if (!gc_field_hex(rec, "position", id, sizeof(id), f))
        return NULL;
    gc_hex_encode(id, GC_SHA256_LEN, hex);
    p = gc_map_get(&b->positions, hex);
    if (p == NULL) {
        gc_fail(f, "unknown_position",
                "position %.16s… is not known (its issue or transfer "
                "must come first)",
                hex);
        return NULL;
    }
    return names_position(p, rec, f) ? p : NULL;
}

/* Checks a record signed by PK (the record names it in KEY) and returns its hash. */
static bool signed_by(struct gc_position_book *b, const json_t *rec, const char *key,
                      const uint8_t pk[GC_PUBKEY_LEN], const char *who, char hash[GC_HASH_HEX],
                      struct gc_fail *f)
{
    uint8_t named[GC_PUBKEY_LEN], sig[GC_SIG_LEN], h[GC_SHA256_LEN];

    if (!gc_field_hex(rec, key, named, sizeof(named), f) ||
        !gc_field_hex(rec, "sig", sig, sizeof(sig), f))
        return false;
    if (memcmp(named, pk, GC_PUBKEY_LEN) != 0)
        return gc_fail(f, "not_holder", "field '%s' is not the %s", key, who);
    if (!gc_signed_check(rec, sig, pk, who, &b->msg, h, f))
        return false;
    gc_hex_encode(h, GC_SHA256_LEN, hash);
    return true;
}

/* --- packages and issued positions --- */

static bool add_package(struct gc_position_book *b, const json_t *rec, struct gc_fail *f)
{
    struct gc_pkg *p = gc_xcalloc(1, sizeof(*p));
    uint8_t h[GC_SHA256_LEN];

    if (!gc_package_check(rec, &p->terms, &b->msg, h, p->issuer_pk, f)) {
        free_pkg(p);
        return false;
    }
    gc_hex_encode(h, GC_SHA256_LEN, p->hash);
    if (b->issuers != NULL) {
        char key[GC_HASH_HEX];

        gc_hex_encode(p->issuer_pk, GC_SHA256_LEN, key);
        if (gc_map_get(b->issuers, key) == NULL) {
            free_pkg(p);
            return gc_fail(f, "unknown_issuer",
                           "the package is signed by %.16s…, not a key of "
                           "--issuers",
                           key);
        }
    }
    if (!first_time(b, p->hash, f)) {
        free_pkg(p);
        return false;
    }
    gc_map_put(&b->packages, p->hash, p);
    return true;
}

static bool find_tranche(const struct gc_pkg *p, const json_t *rec, size_t *k, struct gc_fail *f)
{
    const char *name;

    if (!gc_field_id(rec, "tranche", &name, f))
        return false;
    for (*k = 0; *k < p->terms.n_tranches; (*k)++)
        if (strcmp(p->terms.tranches[*k].name, name) == 0)
            return true;
    return gc_fail(f, "bad_field", "package '%s' has no tranche '%s'", p->terms.package, name);
}

static bool add_derived(struct gc_position_book *b, const json_t *rec, struct gc_fail *f);

static bool add_position(struct gc_position_book *b, const json_t *rec, struct gc_fail *f)
{
    uint8_t ph[GC_SHA256_LEN], holder[GC_PUBKEY_LEN], sig[GC_SIG_LEN], h[GC_SHA256_LEN];
    char id[GC_HASH_HEX], phex[GC_HASH_HEX];
    const char *package;
    struct gc_position *pos;
    struct gc_pkg *p;
    int64_t v, units, index;
    size_t k;

    if (!gc_field_int(rec, "v", 1, 1, &v, f))
        return false;
    if (gc_field_present(rec, "transfer"))
        return add_derived(b, rec, f);
    if (!check_id(rec, "position", &b->msg, id, f))
        return false;
    if (!gc_field_id(rec, "package", &package, f) ||
        !gc_field_hex(rec, "package_hash", ph, sizeof(ph), f) ||
        !gc_field_hex(rec, "holder", holder, sizeof(holder), f) ||
        !gc_field_int(rec, "units", 1, INT64_MAX, &units, f) ||
        !gc_field_int(rec, "subscription", 0, GC_TERMS_MAX_SUBSCRIPTIONS, &index, f) ||
        !gc_field_hex(rec, "sig", sig, sizeof(sig), f))
        return false;
    gc_hex_encode(ph, GC_SHA256_LEN, phex);
    p = gc_map_get(&b->packages, phex);
    if (p == NULL || strcmp(p->terms.package, package) != 0)
        return gc_fail(f, "unknown_package",
                       "package '%s' with that hash is not known (its "
                       "record must come first)",
                       package);
    if (!find_tranche(p, rec, &k, f) ||
        !gc_signed_check(rec, sig, p->issuer_pk, p->terms.issuer, &b->msg, h, f) ||
        !first_time(b, id, f) || !allowed(b, holder, "holder", f))
        return false;
    if (units > p->terms.tranches[k].units - p->issued[k])
        return gc_fail(f, "over_issue", "tranche '%s' has %lld units, %lld issued before this",
                       p->terms.tranches[k].name, (long long)p->terms.tranches[k].units,
                       (long long)p->issued[k]);
    p->issued[k] += units;
    pos = gc_xcalloc(1, sizeof(*pos));
    memcpy(pos->id, id, sizeof(pos->id));
    pos->pkg = p;
    pos->tranche = k;
    memcpy(pos->holder, holder, GC_PUBKEY_LEN);
    pos->units = units;
    gc_map_put(&b->positions, pos->id, pos);
    return true;
}

/* --- transfers --- */

/* The record of a position a transfer makes: its fields follow from the transfer. */
static json_t *derived_record(const struct gc_position *src, const char *thash, int output,
                              const uint8_t holder[GC_PUBKEY_LEN], int64_t units,
                              struct gc_buf *msg)
{
    json_t *rec = json_object();
    char id[GC_HASH_HEX];

    gc_json_set(rec, "type", json_string("position"));
    gc_json_set(rec, "v", json_integer(1));
    gc_json_set(rec, "package", json_string(src->pkg->terms.package));
    gc_json_set(rec, "package_hash", json_string(src->pkg->hash));
    gc_json_set(rec, "tranche", json_string(src->pkg->terms.tranches[src->tranche].name));
    gc_json_set(rec, "holder", gc_json_hex(holder, GC_PUBKEY_LEN));
    gc_json_set(rec, "units", json_integer(units));
    gc_json_set(rec, "transfer", json_string(thash));
    gc_json_set(rec, "output", json_integer(output));
    gc_record_set_id(rec, "position", msg, id);
    return rec;
}

static struct gc_position *make_output(struct gc_position_book *b, const struct gc_position *src,
                                       const char *thash, int output,
                                       const uint8_t holder[GC_PUBKEY_LEN], int64_t units)
{
    struct gc_position *pos = gc_xcalloc(1, sizeof(*pos));

    pos->pkg = src->pkg;
    pos->tranche = src->tranche;
    memcpy(pos->holder, holder, GC_PUBKEY_LEN);
    pos->units = units;
    pos->derived = derived_record(src, thash, output, holder, units, &b->msg);
    snprintf(pos->id, sizeof(pos->id), "%s",
             json_string_value(json_object_get(pos->derived, "position")));
    gc_map_put(&b->positions, pos->id, pos);
    return pos;
}

static bool add_transfer(struct gc_position_book *b, const json_t *rec, struct gc_fail *f)
{
    uint8_t to[GC_PUBKEY_LEN];
    char hash[GC_HASH_HEX];
    struct gc_transfer_out *t;
    struct gc_position *p;
    int64_t v, units;

    if (!gc_field_int(rec, "v", 1, 1, &v, f) || (p = named_position(b, rec, f)) == NULL ||
        !gc_field_hex(rec, "to", to, sizeof(to), f) ||
        !gc_field_int(rec, "units", 1, INT64_MAX, &units, f) ||
        !signed_by(b, rec, "from", p->holder, "holder of the position", hash, f) ||
        !first_time(b, hash, f))
        return false;
    if (p->consumed_by[0] != '\0')
        return gc_fail(f, "double_spend", "the position was consumed by transfer %.16s…",
                       p->consumed_by);
    if (p->pledge[0] != '\0')
        return gc_fail(f, "pledged", "the position is pledged (pledge %.16s…) and not released",
                       p->pledge);
    if (units > p->units)
        return gc_fail(f, "over_units", "the transfer moves %lld units of a position of %lld",
                       (long long)units, (long long)p->units);
    if (!allowed(b, to, "receiver", f))
        return false;
    memcpy(p->consumed_by, hash, sizeof(p->consumed_by));
    t = gc_xcalloc(1, sizeof(*t));
    memcpy(t->hash, hash, sizeof(t->hash));
    /* The units are conserved by construction: the change is what the receiver did not get. */
    t->out[0] = make_output(b, p, hash, 0, to, units);
    if (units < p->units)
        t->out[1] = make_output(b, p, hash, 1, p->holder, p->units - units);
    gc_map_put(&b->transfers, t->hash, t);
    return true;
}

/*
 * A position record a transfer made: it must be exactly the one the book
 * derived. Its units are compared first, so an edited count is named as such.
 */
static bool add_derived(struct gc_position_book *b, const json_t *rec, struct gc_fail *f)
{
    uint8_t th[GC_SHA256_LEN];
    char thex[GC_HASH_HEX], id[GC_HASH_HEX];
    const struct gc_transfer_out *t;
    int64_t output, units;
    struct gc_position *want;

    if (!gc_field_hex(rec, "transfer", th, sizeof(th), f) ||
        !gc_field_int(rec, "output", 0, 1, &output, f) ||
        !gc_field_int(rec, "units", 1, INT64_MAX, &units, f))
        return false;
    gc_hex_encode(th, GC_SHA256_LEN, thex);
    t = gc_map_get(&b->transfers, thex);
    if (t == NULL)
        return gc_fail(f, "unknown_transfer", "transfer %.16s… is not known (it must come first)",
                       thex);
    want = t->out[output];
    if (want == NULL || units != want->units)
        return gc_fail(f, "units_not_conserved",
                       "output %lld of the transfer has %lld units, not %lld", (long long)output,
                       want ? (long long)want->units : 0LL, (long long)units);
    if (!check_id(rec, "position", &b->msg, id, f))
        return false;
    if (strcmp(want->id, id) != 0)
        return gc_fail(f, "bad_position", "the position is not the one the transfer made");
    if (want->derived_seen)
        return gc_fail(f, "replay", "this record was seen before");
    want->derived_seen = true;
    return true;
}

/* --- pledges --- */

static bool add_pledge(struct gc_position_book *b, const json_t *rec, struct gc_fail *f)
{
    uint8_t lender[GC_PUBKEY_LEN];
    char hash[GC_HASH_HEX], id[GC_HASH_HEX];
    struct gc_position *p;
    struct gc_pledge *pl;
    int64_t v, units;

    if (!gc_field_int(rec, "v", 1, 1, &v, f) || !check_id(rec, "pledge", &b->msg, id, f) ||
        (p = named_position(b, rec, f)) == NULL ||
        !gc_field_hex(rec, "lender", lender, sizeof(lender), f) ||
        !gc_field_int(rec, "units", 1, INT64_MAX, &units, f) ||
        !signed_by(b, rec, "holder", p->holder, "holder of the position", hash, f) ||
        !first_time(b, hash, f))
        return false;
    if (units != p->units)
        return gc_fail(f, "bad_field", "field 'units' is not the position's %lld",
                       (long long)p->units);
    if (p->consumed_by[0] != '\0')
        return gc_fail(f, "spent", "the position was consumed by transfer %.16s…", p->consumed_by);
    if (p->pledge[0] != '\0')
        return gc_fail(f, "pledged", "the position is already pledged (pledge %.16s…)", p->pledge);
    pl = gc_xcalloc(1, sizeof(*pl));
    memcpy(pl->id, id, sizeof(pl->id));
    pl->position = p;
    memcpy(pl->lender, lender, GC_PUBKEY_LEN);
    memcpy(p->pledge, id, sizeof(p->pledge));
    gc_map_put(&b->pledges, pl->id, pl);
    return true;
}

static bool add_release(struct gc_position_book *b, const json_t *rec, struct gc_fail *f)
{
    uint8_t ph[GC_SHA256_LEN];
    char phex[GC_HASH_HEX], hash[GC_HASH_HEX];
    const struct gc_position *q;
    struct gc_pledge *pl;
    int64_t v;

    if (!gc_field_int(rec, "v", 1, 1, &v, f) || !gc_field_hex(rec, "pledge", ph, sizeof(ph), f))
        return false;
    gc_hex_encode(ph, GC_SHA256_LEN, phex);
    pl = gc_map_get(&b->pledges, phex);
    if (pl == NULL)
        return gc_fail(f, "unknown_pledge", "pledge %.16s… is not known", phex);
    q = named_position(b, rec, f);
    if (q == NULL)
        return false;
    if (q != pl->position)
        return gc_fail(f, "bad_field", "field 'position' is not the pledge's");
    if (!signed_by(b, rec, "lender", pl->lender, "lender of the pledge", hash, f) ||
        !first_time(b, hash, f))
        return false;
    if (pl->released)
        return gc_fail(f, "not_pledged", "that pledge was released before");
    pl->released = true;
    pl->position->pledge[0] = '\0';
    return true;
}

bool gc_position_book_add(struct gc_position_book *b, const json_t *rec, struct gc_fail *f)
{
    const char *t = json_string_value(json_object_get(rec, "type"));

    if (t == NULL)
        return gc_fail(f, "bad_field", "field 'type' must be a string");
    if (strcmp(t, "package") == 0)
        return add_package(b, rec, f);
    if (strcmp(t, "position") == 0)
        return add_position(b, rec, f);
    if (strcmp(t, "transfer") == 0)
        return add_transfer(b, rec, f);
    if (strcmp(t, "pledge") == 0)
        return add_pledge(b, rec, f);
    if (strcmp(t, "release") == 0)
        return add_release(b, rec, f);
    return gc_fail(f, "bad_field", "records of type '%s' are not ownership records", t);
}

/* --- making records --- */

struct gc_position *gc_position_movable(struct gc_position_book *b, const char *id,
                                        const uint8_t holder[GC_PUBKEY_LEN], struct gc_fail *f)
{
    struct gc_position *p = gc_map_get(&b->positions, id);

    if (p == NULL)
        return gc_fail(f, "unknown_position", "position %.16s… is not in the input", id), NULL;
    if (memcmp(p->holder, holder, GC_PUBKEY_LEN) != 0)
        return gc_fail(f, "not_holder", "the key does not hold position %.16s…", id), NULL;
    if (p->consumed_by[0] != '\0')
        return gc_fail(f, "double_spend", "position %.16s… was consumed by transfer %.16s…", id,
                       p->consumed_by),
               NULL;
    return p;
}

json_t *gc_position_new(const char *package, const uint8_t package_hash[GC_SHA256_LEN],
                        const char *tranche, const uint8_t holder[GC_PUBKEY_LEN], int64_t units,
                        int64_t index, struct gc_buf *msg)
{
    json_t *rec = json_object();
    char id[GC_HASH_HEX];

    gc_json_set(rec, "type", json_string("position"));
    gc_json_set(rec, "v", json_integer(1));
    gc_json_set(rec, "package", json_string(package));
    gc_json_set(rec, "package_hash", gc_json_hex(package_hash, GC_SHA256_LEN));
    gc_json_set(rec, "tranche", json_string(tranche));
    gc_json_set(rec, "holder", gc_json_hex(holder, GC_PUBKEY_LEN));
    gc_json_set(rec, "units", json_integer(units));
    gc_json_set(rec, "subscription", json_integer(index));
    gc_record_set_id(rec, "position", msg, id);
    return rec;
}

static json_t *about(const struct gc_position *p, const char *type)
{
    json_t *rec = json_object();

    gc_json_set(rec, "type", json_string(type));
    gc_json_set(rec, "v", json_integer(1));
    gc_json_set(rec, "position", json_string(p->id));
    gc_json_set(rec, "package", json_string(p->pkg->terms.package));
    gc_json_set(rec, "tranche", json_string(p->pkg->terms.tranches[p->tranche].name));
    return rec;
}

json_t *gc_transfer_new(const struct gc_position *p, const uint8_t to[GC_PUBKEY_LEN], int64_t units)
{
    json_t *rec = about(p, "transfer");

    gc_json_set(rec, "from", gc_json_hex(p->holder, GC_PUBKEY_LEN));
    gc_json_set(rec, "to", gc_json_hex(to, GC_PUBKEY_LEN));
    gc_json_set(rec, "units", json_integer(units));
    return rec;
}

json_t *gc_pledge_new(const struct gc_position *p, const uint8_t lender[GC_PUBKEY_LEN],
                      struct gc_buf *msg)
{
    json_t *rec = about(p, "pledge");
    char id[GC_HASH_HEX];

    gc_json_set(rec, "holder", gc_json_hex(p->holder, GC_PUBKEY_LEN));
    gc_json_set(rec, "lender", gc_json_hex(lender, GC_PUBKEY_LEN));
    gc_json_set(rec, "units", json_integer(p->units));
    gc_record_set_id(rec, "pledge", msg, id);
    return rec;
}

json_t *gc_release_new(const struct gc_pledge *pl)
{
    json_t *rec = about(pl->position, "release");

    gc_json_set(rec, "pledge", json_string(pl->id));
    gc_json_set(rec, "lender", gc_json_hex(pl->lender, GC_PUBKEY_LEN));
    return rec;
}

const json_t *gc_position_output(const struct gc_position_book *b, const char *thash, int output)
{
    const struct gc_transfer_out *t = gc_map_get(&b->transfers, thash);

    if (t == NULL || output < 0 || output > 1 || t->out[output] == NULL)
        return NULL;
    return t->out[output]->derived;
}

bool gc_party_add(void *allow, json_t *rec, struct gc_fail *f)
{
    return gc_pubkey_set_add(allow, rec, "party", f);
}
