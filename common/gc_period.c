#include "gc_period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_signed.h"
#include "gc_time.h"
#include "gc_u128.h"
#include "banned.h"

void gc_period_key(char *out, size_t size, const char *pkg_hash, const char *id)
{
    snprintf(out, size, "period:%s:%s", pkg_hash, id);
}

void gc_period_carry_init(const struct gc_pkg *pkg, struct gc_period_carry *c)
{
    memset(c, 0, sizeof(*c));
    c->end = pkg->terms.start;
    for (size_t k = 0; k < pkg->terms.n_tranches; k++)
        c->balance_micros[k] = pkg->terms.tranches[k].units;
}

bool gc_period_carry_from(const struct gc_pkg *pkg, const json_t *rec, struct gc_period_carry *c,
                          struct gc_fail *f)
{
    const json_t *tr = json_object_get(rec, "tranches");

    memset(c, 0, sizeof(*c));
    if (!gc_field_time(rec, "end", &c->end, f) ||
        !gc_field_int(rec, "carried_out_micros", 0, INT64_MAX, &c->carried_micros, f) ||
        !gc_field_int(rec, "deficit_out_micros", 0, INT64_MAX, &c->deficit_micros, f) ||
        !gc_field_int(rec, "losses_to_date_micros", 0, INT64_MAX, &c->losses_micros, f))
        return false;
    if (!json_is_array(tr) || json_array_size(tr) != pkg->terms.n_tranches)
        return gc_fail(f, "bad_field", "a period record's 'tranches' do not match the package");
    for (size_t k = 0; k < pkg->terms.n_tranches; k++) {
        const json_t *t = json_array_get(tr, k);

        if (!gc_value_const(json_object_get(t, "tranche"), "tranche", pkg->terms.tranches[k].name,
                            f) ||
            !gc_field_int(t, "balance_out_micros", 0, INT64_MAX, &c->balance_micros[k], f) ||
            !gc_field_int(t, "arrears_interest_micros", 0, INT64_MAX,
                          &c->arrears_interest_micros[k], f) ||
            !gc_field_int(t, "arrears_principal_micros", 0, INT64_MAX,
                          &c->arrears_principal_micros[k], f))
            return false;
    }
    return true;
}

bool gc_period_begin(struct gc_period *p, const struct gc_pkg *pkg, const json_t *package,
                     int64_t start, int64_t end, const struct gc_period_carry *carry,
                     struct gc_fail *f)
{
    char a[GC_TIME_LEN + 1], b[GC_TIME_LEN + 1];

    memset(p, 0, sizeof(*p));
    p->pkg = pkg;
    p->package = package;
    p->start = start;
    p->end = end;
    p->in = *carry;
    gc_time_format(start, a);
    gc_time_format(end, b);
    snprintf(p->id, sizeof(p->id), "%s/%s", a, b);
    if (end <= start)
        return gc_fail(f, "bad_field", "the period ends before it starts");
    if (start != carry->end) {
        gc_time_format(carry->end, a);
        return gc_fail(f, "out_of_order", "the next period of package '%s' starts at %s",
                       pkg->terms.package, a);
    }
    return true;
}

void gc_period_release(struct gc_period *p)
{
    for (size_t i = 0; i < p->seen.cap; i++)
        free((char *)p->seen.slots[i].key);
    gc_map_release(&p->seen);
    gc_buf_release(&p->msg);
}

/* Whether REC (an amm receipt or a payment) delivers in the period from a pool of the package. */
static bool in_period(const struct gc_period *p, const json_t *rec, bool *in, struct gc_fail *f)
{
    const char *pool;
    int64_t hour;

    *in = false;
    if (!gc_field_id(rec, "pool", &pool, f) || !gc_field_time(rec, "hour", &hour, f))
        return false;
    *in = gc_terms_has_pool(&p->pkg->terms, pool) && hour >= p->start && hour < p->end;
    return true;
}

/* A loss written down by the issuer: its own package, its ts in the period. */
static bool take_loss(struct gc_period *p, const json_t *rec, int64_t *amount, bool *in,
                      struct gc_fail *f)
{
    uint8_t sig[GC_SIG_LEN], h[GC_SHA256_LEN];
    const char *package;
    int64_t ts;

    *in = false;
    if (!gc_field_id(rec, "package", &package, f) || !gc_field_time(rec, "ts", &ts, f) ||
        !gc_field_int(rec, "amount_micros", 1, INT64_MAX, amount, f) ||
        !gc_field_hex(rec, "sig", sig, sizeof(sig), f))
        return false;
    if (strcmp(package, p->pkg->terms.package) != 0)
        return true;
    if (!gc_signed_check(rec, sig, p->pkg->issuer_pk, p->pkg->terms.issuer, &p->msg, h, f))
        return false;
    *in = ts >= p->start && ts < p->end;
    return true;
}

static bool check_currency(const struct gc_period *p, const json_t *rec, struct gc_fail *f)
{
    const json_t *want = json_object_get(p->package, "currency");
    const json_t *have = json_object_get(rec, "currency");

    if (have != NULL && want != NULL && !json_equal(have, want))
        return gc_fail(f, "currency", "paid in %s, the package is in %s",
                       json_is_string(have) ? json_string_value(have) : "?",
                       json_is_string(want) ? json_string_value(want) : "?");
    return true;
}

bool gc_period_take(struct gc_period *p, const json_t *rec, struct gc_fail *f)
{
    const char *type;
    uint8_t h[GC_SHA256_LEN];
    char hex[GC_HASH_HEX];
    int64_t amount = 0, gpu_s = 0, delta;
    bool in = false;

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "amm.fill") == 0) {
        const char *side;

        if (!in_period(p, rec, &in, f) || !gc_field_str(rec, "side", &side, NULL, f) ||
            !gc_field_int(rec, "cash_micros", 0, INT64_MAX, &amount, f))
            return false;
        if (strcmp(side, "sell") == 0)
            amount = -amount;
        else if (strcmp(side, "buy") != 0)
            return gc_fail(f, "bad_field", "field 'side' is neither buy nor sell");
    } else if (strcmp(type, "amm.delivery") == 0) {
        if (!in_period(p, rec, &in, f) || !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &gpu_s, f))
            return false;
    } else if (strcmp(type, "payment") == 0) {
        if (!in_period(p, rec, &in, f) ||
            !gc_field_int(rec, "amount_micros", 0, INT64_MAX, &amount, f) ||
            !check_currency(p, rec, f))
            return false;
    } else if (strcmp(type, "loss") == 0) {
        if (!take_loss(p, rec, &delta, &in, f))
            return false;
        if (in && !gc_add_i64(p->loss_micros, delta, &p->loss_micros))
            return gc_fail(f, "bad_number", "the losses of the period pass 64 bits");
    } else if (strncmp(type, "amm.", 4) != 0) {
        return gc_fail(f, "bad_field",
                       "a '%s' record is not income: amm.fill, amm.delivery, "
                       "payment or loss",
                       type);
    }
    if (!in)
        return true;
    gc_signed_hash(rec, &p->msg, h);
    gc_hex_encode(h, GC_SHA256_LEN, hex);
    if (gc_map_get(&p->seen, hex) != NULL)
        return gc_fail(f, "duplicate", "the same income record was given twice");
    if (!gc_add_i64(p->income_micros, amount, &p->income_micros) ||
        !gc_add_i64(p->delivered_gpu_s, gpu_s, &p->delivered_gpu_s))
        return gc_fail(f, "bad_number", "the income of the period passes 64 bits");
    gc_map_put(&p->seen, gc_xstrdup(hex), (void *)1);
    p->n_income++;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void gc_period_inputs(const struct gc_period *p, uint8_t out[GC_SHA256_LEN])
{
    const char **keys = gc_xcalloc(p->seen.n + 1, sizeof(*keys));
    struct gc_buf all = GC_BUF_INIT;
    size_t n = 0;

    for (size_t i = 0; i < p->seen.cap; i++)
        if (p->seen.slots[i].key != NULL)
            keys[n++] = p->seen.slots[i].key;
    qsort(keys, n, sizeof(*keys), cmp_str);
    for (size_t i = 0; i < n; i++)
        gc_buf_add(&all, keys[i], strlen(keys[i]));
    gc_sha256(all.ptr, all.len, out);
    gc_buf_release(&all);
    free(keys);
}

/*
 * Straight-line amortisation over the tenor: the principal due by time T is
 * floor(units x (T - start) / (end - start)), so the periods' parts add up
 * to the units whatever the periods are.
 */
static int64_t due_by(const struct gc_terms *t, int64_t units, int64_t when)
{
    int64_t span = t->end - t->start, done = when - t->start;
    gc_u128 q;

    if (done <= 0)
        return 0;
    if (done >= span)
        return units;
    gc_mul_div_floor((gc_u128)units, (gc_u128)done, (gc_u128)span, &q);
    return (int64_t)q;
}

/* The waterfall's inputs: the carried state, the income net of the deficit. */
static bool waterfall_in(struct gc_period *p, struct gc_wf_in *in, struct gc_wf_tranche *t,
                         int64_t *deficit_out, struct gc_fail *f)
{
    const struct gc_terms *terms = &p->pkg->terms;
    int64_t net, nav = 0, min_ic = 0;

    if (!gc_add_i64(p->income_micros, p->in.carried_micros, &net) ||
        !gc_sub_i64(net, p->in.deficit_micros, &net))
        return gc_fail(f, "bad_number", "the cash of the period passes 64 bits");
    memset(in, 0, sizeof(*in));
    in->collected_micros = net > 0 ? net : 0;
    *deficit_out = net < 0 ? -net : 0;
    in->servicer_fee_bps = terms->in.servicer_fee_bps;
    in->period_s = p->end - p->start;
    in->loss_micros = p->loss_micros;
    if (!gc_field_int(p->package, "nav_micros", 0, INT64_MAX, &nav, f) ||
        (gc_field_present(p->package, "min_ic_bps") &&
         !gc_field_int(p->package, "min_ic_bps", 0, 1000000, &min_ic, f)))
        return false;
    /* The OC test sees the collateral after this period's losses too. */
    in->collateral_micros = nav - p->in.losses_micros - p->loss_micros;
    if (in->collateral_micros < 0)
        in->collateral_micros = 0;
    in->min_oc_bps = terms->tranches[0].min_oc_bps;
    in->min_ic_bps = min_ic;
    for (size_t k = 0; k < terms->n_tranches; k++) {
        int64_t units = terms->tranches[k].units;

        memset(&t[k], 0, sizeof(t[k]));
        t[k].balance_micros = p->in.balance_micros[k];
        t[k].coupon_bps = terms->tranches[k].coupon_bps;
        /* The most junior has no schedule: it takes what is left. */
        if (k + 1 < terms->n_tranches)
            t[k].scheduled_micros = due_by(terms, units, p->end) - due_by(terms, units, p->start);
        t[k].arrears_interest_micros = p->in.arrears_interest_micros[k];
        t[k].arrears_principal_micros = p->in.arrears_principal_micros[k];
    }
    return true;
}

/* The positions of the book, in id order. */
struct positions {
    struct gc_position **all;
    size_t n;
};

/* The live positions of tranche K, in id order; fails "incomplete" unless they hold its units. */
static bool live_positions(const struct gc_period *p, const struct positions *ps, size_t k,
                           struct gc_position ***out, size_t *n, struct gc_fail *f)
{
    int64_t units = 0;

    *n = 0;
    *out = gc_xcalloc(ps->n + 1, sizeof(**out));
    for (size_t i = 0; i < ps->n; i++) {
        struct gc_position *pos = ps->all[i];

        if (pos->pkg == p->pkg && pos->tranche == k && pos->consumed_by[0] == '\0') {
            (*out)[(*n)++] = pos;
            units += pos->units;
        }
    }
    if (units != p->pkg->terms.tranches[k].units)
        return gc_fail(f, "incomplete",
                       "the positions of tranche '%s' hold %lld of its %lld units: give "
                       "every position and transfer of the package",
                       p->pkg->terms.tranches[k].name, (long long)units,
                       (long long)p->pkg->terms.tranches[k].units);
    return true;
}

static void copy_currency(const struct gc_period *p, json_t *rec)
{
    const json_t *c = json_object_get(p->package, "currency");

    if (c != NULL)
        gc_json_set(rec, "currency", json_deep_copy(c));
}

static json_t *distribution(const struct gc_period *p, const struct gc_position *pos,
                            const int64_t part[3])
{
    char key[256], holder[2 * GC_PUBKEY_LEN + 1];
    json_t *rec;

    snprintf(key, sizeof(key), "distribution:%s:%s:%s", p->pkg->hash, p->id, pos->id);
    gc_hex_encode(pos->holder, GC_PUBKEY_LEN, holder);
    rec = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "type",
                    "distribution", "v", 1, "key", key, "package", p->pkg->terms.package,
                    "package_hash", p->pkg->hash, "period", p->id, "position", pos->id, "tranche",
                    p->pkg->terms.tranches[pos->tranche].name, "units", (json_int_t)pos->units,
                    "interest_micros", (json_int_t)part[0], "principal_micros", (json_int_t)part[1],
                    "residual_micros", (json_int_t)part[2], "amount_micros",
                    (json_int_t)(part[0] + part[1] + part[2]));
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_json_set(rec, "holder", json_string(holder));
    if (pos->pledge[0] != '\0')
        gc_json_set(rec, "pledge", json_string(pos->pledge));
    copy_currency(p, rec);
    return rec;
}

/*
 * Splits tranche K's interest, principal and residual over its live
 * positions by units; with none (a tranche of no units), the cash is carried.
 */
static bool distribute(const struct gc_period *p, const struct positions *ps, size_t k,
                       const struct gc_wf_tranche *t, json_t *out, int64_t *paid, int64_t *carried,
                       struct gc_fail *f)
{
    const int64_t total[3] = {t->interest_paid_micros, t->principal_paid_micros,
                              t->residual_micros};
    struct gc_position **live;
    int64_t *w, *part[3];
    size_t n;

    if (!live_positions(p, ps, k, &live, &n, f)) {
        free(live);
        return false;
    }
    if (n == 0) {
        *carried += total[0] + total[1] + total[2];
        free(live);
        return true;
    }
    w = gc_xcalloc(n, sizeof(*w));
    for (size_t i = 0; i < n; i++)
        w[i] = live[i]->units;
    for (int c = 0; c < 3; c++) {
        part[c] = gc_xcalloc(n, sizeof(*part[c]));
        gc_apportion(total[c], w, n, part[c]);
    }
    for (size_t i = 0; i < n; i++) {
        const int64_t mine[3] = {part[0][i], part[1][i], part[2][i]};

        gc_json_append(out, distribution(p, live[i], mine));
        *paid += mine[0] + mine[1] + mine[2];
    }
    for (int c = 0; c < 3; c++)
        free(part[c]);
    free(w);
    free(live);
    return true;
}

static json_t *tranche_summary(const char *name, const struct gc_wf_tranche *t)
{
    json_t *o = json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "tranche", name,
        "balance_in_micros", (json_int_t)t->balance_micros, "written_down_micros",
        (json_int_t)t->written_down_micros, "scheduled_micros", (json_int_t)t->scheduled_micros,
        "interest_due_micros", (json_int_t)t->interest_due_micros, "interest_paid_micros",
        (json_int_t)t->interest_paid_micros, "principal_paid_micros",
        (json_int_t)t->principal_paid_micros, "residual_micros", (json_int_t)t->residual_micros,
        "balance_out_micros", (json_int_t)t->balance_out_micros, "arrears_interest_micros",
        (json_int_t)t->arrears_interest_out_micros, "arrears_principal_micros",
        (json_int_t)t->arrears_principal_out_micros);

    if (o == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return o;
}

bool gc_period_settle(struct gc_period *p, const struct gc_position_book *book,
                      const uint8_t inputs[GC_SHA256_LEN], json_t *out, struct gc_fail *f)
{
    const struct gc_terms *terms = &p->pkg->terms;
    struct gc_wf_tranche t[GC_TERMS_MAX_TRANCHES];
    struct gc_wf_in in;
    struct gc_wf_out wo;
    struct positions ps;
    int64_t deficit_out = 0, paid = 0, carried = 0, losses;
    char key[256], start[GC_TIME_LEN + 1], end[GC_TIME_LEN + 1];
    json_t *rec, *tr;

    if (!waterfall_in(p, &in, t, &deficit_out, f) ||
        !gc_waterfall(&in, t, terms->n_tranches, &wo, f))
        return false;
    ps.all = (struct gc_position **)gc_map_sorted_values(&book->positions);
    ps.n = book->positions.n;
    for (size_t k = 0; k < terms->n_tranches; k++)
        if (!distribute(p, &ps, k, &t[k], out, &paid, &carried, f)) {
            free(ps.all);
            return false;
        }
    free(ps.all);
    /* Conservation, to the micro: nothing collected is lost or paid twice. */
    if (wo.fee_micros + paid + carried != in.collected_micros)
        gc_die(GC_EX_SOFTWARE, "period %s paid %lld + %lld carried of %lld collected", p->id,
               (long long)(wo.fee_micros + paid), (long long)carried,
               (long long)in.collected_micros);
    losses = p->in.losses_micros + p->loss_micros;
    gc_period_key(key, sizeof(key), p->pkg->hash, p->id);
    gc_time_format(p->start, start);
    gc_time_format(p->end, end);
    tr = json_array();
    for (size_t k = 0; k < terms->n_tranches; k++)
        gc_json_append(tr, tranche_summary(terms->tranches[k].name, &t[k]));
    rec = json_pack(
        "{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
        "s:I, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
        "type", "period", "v", 1, "key", key, "package", terms->package, "package_hash",
        p->pkg->hash, "period", p->id, "start", start, "end", end, "n_income",
        (json_int_t)p->n_income, "income_micros", (json_int_t)p->income_micros, "carried_in_micros",
        (json_int_t)p->in.carried_micros, "deficit_in_micros", (json_int_t)p->in.deficit_micros,
        "collected_micros", (json_int_t)in.collected_micros, "fee_micros",
        (json_int_t)wo.fee_micros, "distributed_micros", (json_int_t)paid, "carried_out_micros",
        (json_int_t)carried, "deficit_out_micros", (json_int_t)deficit_out, "loss_micros",
        (json_int_t)p->loss_micros, "oc_failed", wo.oc_failed, "ic_failed", wo.ic_failed,
        "diverted_micros", (json_int_t)wo.diverted_micros, "loss_unabsorbed_micros",
        (json_int_t)wo.loss_unabsorbed_micros, "losses_to_date_micros", (json_int_t)losses,
        "collateral_micros", (json_int_t)in.collateral_micros, "delivered_gpu_s",
        (json_int_t)p->delivered_gpu_s, "period_s", (json_int_t)in.period_s, "tranches", tr);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_json_set(rec, "inputs", gc_json_hex(inputs, GC_SHA256_LEN));
    copy_currency(p, rec);
    gc_json_append(out, rec);
    return true;
}
