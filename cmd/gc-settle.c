/*
 * gc-settle — settlement of RWA packages: per period, the realized income
 * of a package paid down its tranche waterfall to the holders of its
 * positions, into an append-only, hash-chained ledger that a crash or a
 * re-run cannot corrupt or double. See gc-settle(1) and gc-records(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc_cli.h"
#include "gc_crypto.h"
#include "gc_credit.h"
#include "gc_err.h"
#include "gc_filter.h"
#include "gc_hex.h"
#include "gc_http.h"
#include "gc_intensity.h"
#include "gc_io.h"
#include "gc_json.h"
#include "gc_ledger.h"
#include "gc_num.h"
#include "gc_period.h"
#include "gc_position.h"
#include "gc_signed.h"
#include "gc_stable.h"
#include "gc_time.h"
#include "banned.h"

static const char help[] =
    "usage: gc-settle period --ledger FILE --package FILE --positions FILE\n"
    "                        --period START/END [-o FILE] [--rejects FILE] [INCOME...]\n"
    "       gc-settle carbon --ledger FILE --intensity FILE [-o FILE] [--rejects FILE]\n"
    "                        [MATCHED...]\n"
    "       gc-settle deliver --ledger FILE [--cursor FILE] [--token-file F]\n"
    "                         [--timeout-s N] [--retries N] [--backoff-ms N]\n"
    "                         [--ca-file F] URL\n"
    "       gc-settle mint --ledger FILE --package FILE --positions FILE --params FILE\n"
    "                      -k KEYFILE [--oracles FILE] [REQUESTS...]\n"
    "       gc-settle burn --ledger FILE --package FILE --positions FILE --params FILE\n"
    "                      -k KEYFILE [--oracles FILE] [--liquidate] [REQUESTS...]\n"
    "       gc-settle reserve --ledger FILE -k KEYFILE [--at TIME]\n"
    "       gc-settle sign -k KEYFILE [FILE...]\n"
    "       gc-settle -h | --help | -V | --version\n"
    "\n"
    "Settle RWA packages into an append-only, hash-chained ledger: what a crash\n"
    "leaves is repaired on the next run, and a re-run writes nothing twice.\n"
    "\n"
    "period    pay a period's income down the package's tranche waterfall to the\n"
    "          holders of its positions; write distribution and period records\n"
    "carbon    accrue the avoided emissions of allocations (green Wh x the zone-hour's\n"
    "          intensity) into whole-tonne carbon credits, and the unclaimed Wh of\n"
    "          certificates into whole-MWh renewable-energy certificates\n"
    "deliver   POST each ledger record not yet delivered to URL, under an\n"
    "          Idempotency-Key of its record hash; move the cursor past each one\n"
    "          the endpoint acknowledged\n"
    "mint      draw stablecoin against positions pledged to the reserve, within the\n"
    "          liquidation ratio and the ceilings; apply oracle values of the package\n"
    "burn      repay it; --liquidate writes off the vaults an oracle left unsafe\n"
    "reserve   print the reserve's signed report: supply, debt, surplus, bad debt,\n"
    "          collateral, ratio, the ledger head it covers\n"
    "sign      sign mint.request, burn.request, oracle and loss records with a key\n"
    "\n"
    "      --ledger FILE        the settlement ledger (created when missing)\n"
    "      --package FILE       period, mint, burn: the package record (gc-issue package)\n"
    "      --positions FILE     period, mint, burn: the package's positions, transfers,\n"
    "                           pledges and releases\n"
    "      --period START/END   period: RFC 3339 UTC times; the first period starts\n"
    "                           at the package's start, each next where one ended\n"
    "      --intensity FILE     carbon: intensity records, g CO2e per kWh by zone-hour\n"
    "      --cursor FILE        deliver: where delivery stands (default LEDGER.cursor)\n"
    "      --params FILE        mint, burn: reserve.params records, the reserve's terms\n"
    "      --oracles FILE       mint, burn: party records of the keys that sign oracles\n"
    "      --liquidate          burn: write off every unsafe vault of the package\n"
    "      --at TIME            reserve: the report's time, RFC 3339 (default now)\n"
    "  -k, --key FILE           mint, burn, reserve: the reserve's key; sign: the signer's\n"
    "      --token-file F       deliver: bearer token, first line of F (mode 0600)\n"
    "      --timeout-s N        deliver: limit for one attempt (default 30)\n"
    "      --retries N          deliver: further attempts on timeouts, 429, 5xx (default 3)\n"
    "      --backoff-ms N       deliver: wait before the first retry, doubled for each\n"
    "                           next, plus up to as much again at random (default 1000)\n"
    "      --ca-file F          deliver: CA certificates to trust (TLS is always verified)\n"
    "\n"
    "INCOME: amm.fill and amm.delivery receipts of gc-amm, payment records of\n"
    "gc-verify tasks (its pay option), loss records signed by the issuer.\n"
    "MATCHED: the allocation and certificate records of gc-pool match.\n"
    "REQUESTS: mint.request or burn.request records signed by holders, and\n"
    "oracle records signed by a key of --oracles.\n" GC_FILTER_HELP;

enum {
    OPT_LEDGER = GC_OPT_PROGRAM,
    OPT_PACKAGE,
    OPT_POSITIONS,
    OPT_PERIOD,
    OPT_INTENSITY,
    OPT_CURSOR,
    OPT_PARAMS,
    OPT_ORACLES,
    OPT_AT,
    OPT_LIQUIDATE,
};

struct gc_settle_opts {
    const char *verb;
    const char *ledger;
    const char *package;
    const char *positions;
    int64_t start, end;
    const char *intensity;
    const char *cursor;
    const char *params, *oracles, *key;
    int64_t at;
    bool liquidate;
    struct gc_http_opts http;
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

/* Opens and checks the ledger, or stops: busy 75, a broken chain 65. */
static void open_ledger(struct gc_ledger *l, const char *path)
{
    struct gc_fail f;

    if (!gc_ledger_open(l, path, &f))
        gc_die(strcmp(f.reason, "busy") == 0 ? GC_EX_TEMPFAIL : GC_EX_DATAERR, "%s: %s", f.reason,
               f.detail);
    if (l->torn_bytes > 0)
        gc_warn("%s: cut off a torn last line of %llu bytes (a run that crashed mid-write; it "
                "was never committed)",
                path, (unsigned long long)l->torn_bytes);
}

/*
 * The records of this run, as the ledger holds them (borrowed from it): they
 * go to the output only once the ledger has committed them, so the output
 * never shows what a stopped run did not write.
 */
static struct {
    const json_t **recs;
    size_t n, cap;
} outbox;

/* Whether the ledger's record HAVE is REC with its place in the chain ("seq", "prev"). */
static bool same_record(const json_t *have, const json_t *rec)
{
    json_t *bare = json_deep_copy(have);
    bool equal;

    json_object_del(bare, "seq");
    json_object_del(bare, "prev");
    equal = json_equal(bare, rec);
    json_decref(bare);
    return equal;
}

/*
 * Appends each record of RECS (with its "key") to the ledger, or, when a
 * crashed run already committed it, checks that it is the same record; each
 * goes to the outbox. Returns how many were new. A record of the same key
 * that differs stops with 65.
 */
static size_t ledger_put(struct gc_ledger *l, json_t *recs)
{
    size_t i, fresh = 0;
    json_t *rec;

    json_array_foreach(recs, i, rec)
    {
        const char *key = json_string_value(json_object_get(rec, "key"));
        const json_t *have = gc_ledger_find(l, key);

        if (have != NULL) {
            if (!same_record(have, rec))
                gc_die(GC_EX_DATAERR, "%s: conflict: the ledger holds a different record '%s'",
                       l->path, key);
        } else {
            have = gc_ledger_append(l, rec, NULL);
            fresh++;
        }
        outbox.recs = gc_grow(outbox.recs, &outbox.cap, outbox.n + 1, sizeof(*outbox.recs), 64);
        outbox.recs[outbox.n++] = have;
    }
    return fresh;
}

/* Commits the ledger and then writes the outbox, unless the run stopped at a bad line. */
static void ledger_finish(struct gc_ledger *l, struct gc_filter *flt)
{
    struct gc_buf line = GC_BUF_INIT;

    if (!flt->stopped) {
        gc_ledger_commit(l);
        for (size_t i = 0; i < outbox.n; i++) {
            gc_buf_reset(&line);
            gc_jcs_append(&line, outbox.recs[i]);
            gc_filter_emit(flt, line.ptr, line.len);
        }
    }
    free(outbox.recs);
    memset(&outbox, 0, sizeof(outbox));
    gc_buf_release(&line);
}

/* --- period --- */

/* Whether field KEY of REC is the string WANT. */
static bool str_is(const json_t *rec, const char *key, const char *want)
{
    const char *v = json_string_value(json_object_get(rec, key));

    return v != NULL && strcmp(v, want) == 0;
}

struct settler {
    struct gc_position_book book;
    json_t *package; /* the package record */
    struct gc_period period;
};

/* The package record; the positions gc-issue wrote after it are read from --positions. */
static bool take_package(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct settler *s = ctx;

    if (!gc_field_present(rec, "type") || !gc_position_book_takes(rec))
        return gc_fail(f, "bad_field", "not a package record");
    if (!str_is(rec, "type", "package"))
        return true;
    if (s->package != NULL)
        return gc_fail(f, "bad_field", "the file holds a second package");
    if (!gc_position_book_add(&s->book, rec, f))
        return false;
    s->package = json_incref(rec);
    return true;
}

/* The ownership history; the package record itself may be in it again. */
static bool take_position(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct settler *s = ctx;

    if (json_equal(rec, s->package))
        return true;
    if (!gc_position_book_takes(rec))
        return gc_fail(f, "bad_field", "not a position, transfer, pledge or release");
    return gc_position_book_add(&s->book, rec, f);
}

/* The package and the positions of --package and --positions, checked as gc-verify does. */
static struct gc_pkg *load_package(const struct gc_settle_opts *o, struct settler *s)
{
    struct gc_pkg *pkg;
    void **pkgs;

    gc_position_book_init(&s->book, NULL, NULL);
    gc_load_records(o->package, false, take_package, s);
    if (s->package == NULL)
        gc_die(GC_EX_DATAERR, "%s: no package record", o->package);
    gc_load_records(o->positions, false, take_position, s);
    pkgs = gc_map_sorted_values(&s->book.packages);
    pkg = pkgs[0];
    free(pkgs);
    return pkg;
}

static bool take_income(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                        struct gc_fail *f)
{
    struct settler *s = ctx;

    return gc_period_take(&s->period, rec, f);
}

/* The state the last period of the package in the ledger left, or the package's start. */
static void last_carry(const struct gc_ledger *l, const struct gc_pkg *pkg,
                       struct gc_period_carry *c)
{
    const json_t *last = NULL;
    struct gc_fail f;

    for (size_t i = 0; i < l->n; i++) {
        const json_t *r = l->records[i];

        if (str_is(r, "type", "period") && str_is(r, "package_hash", pkg->hash))
            last = r;
    }
    if (last == NULL)
        gc_period_carry_init(pkg, c);
    else if (!gc_period_carry_from(pkg, last, c, &f))
        gc_die(GC_EX_DATAERR, "%s: period record seq %lld: %s: %s", l->path,
               (long long)json_integer_value(json_object_get(last, "seq")), f.reason, f.detail);
}

static int gc_settle_period(const struct gc_settle_opts *o)
{
    struct settler s = {0};
    struct gc_period_carry carry;
    uint8_t inputs[GC_SHA256_LEN];
    char key[256], hex[GC_HASH_HEX];
    const json_t *done;
    struct gc_ledger l;
    struct gc_filter flt;
    struct gc_fail f;
    struct gc_pkg *pkg;
    bool in_order;
    int status;

    open_ledger(&l, o->ledger);
    pkg = load_package(o, &s);
    last_carry(&l, pkg, &carry);
    /* Out of order is no error for a period the ledger has: that is a replay. */
    in_order = gc_period_begin(&s.period, pkg, s.package, o->start, o->end, &carry, &f);
    gc_period_key(key, sizeof(key), pkg->hash, s.period.id);
    done = gc_ledger_find(&l, key);
    if (done == NULL && !in_order)
        gc_die(GC_EX_DATAERR, "%s: %s: %s", o->ledger, f.reason, f.detail);

    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_run(&flt, o->files, o->nfiles, take_income, &s);
    gc_period_inputs(&s.period, inputs);
    gc_hex_encode(inputs, GC_SHA256_LEN, hex);
    if (flt.n_rej > 0) {
        /* Settling without them would fix the period without part of its income for good. */
        gc_error("period %s not settled: %llu income record(s) rejected", s.period.id,
                 (unsigned long long)flt.n_rej);
    } else if (flt.stopped) {
    } else if (done != NULL) {
        if (!str_is(done, "inputs", hex))
            gc_die(GC_EX_DATAERR,
                   "%s: conflict: period %s was settled (seq %lld) from other income", o->ledger,
                   s.period.id, (long long)json_integer_value(json_object_get(done, "seq")));
        gc_note("%s: period %s of package '%s' is settled already (seq %lld): nothing written",
                o->ledger, s.period.id, pkg->terms.package,
                (long long)json_integer_value(json_object_get(done, "seq")));
    } else {
        json_t *recs = json_array();
        size_t fresh;

        if (!gc_period_settle(&s.period, &s.book, inputs, recs, &f))
            gc_die(GC_EX_DATAERR, "period %s not settled: %s: %s", s.period.id, f.reason, f.detail);
        fresh = ledger_put(&l, recs);
        ledger_finish(&l, &flt);
        if (fresh < json_array_size(recs))
            gc_note("%s: %zu record(s) of period %s were committed by a run that stopped; "
                    "%zu added now",
                    o->ledger, json_array_size(recs) - fresh, s.period.id, fresh);
        json_decref(recs);
    }
    status = gc_filter_finish(&flt);
    if (status == 0 && flt.stopped)
        status = GC_EX_DATAERR;
    gc_ledger_close(&l);
    gc_period_release(&s.period);
    gc_position_book_release(&s.book);
    json_decref(s.package);
    return status;
}

/* --- carbon --- */

#define GC_MG_PER_TONNE 1000000000 /* avoided_mg of one carbon credit */
#define GC_WH_PER_MWH   1000000    /* wh of one renewable-energy certificate */

struct carbonizer {
    struct gc_ledger *ledger;
    struct gc_intensity intensity;
    struct gc_credit_book carbon, recs;
    struct gc_buf out;
    uint64_t n_new, n_before, n_credits, n_recs;
};

/*
 * Accrues REC's AMOUNT into BOOK unless the ledger has it already, and
 * writes the accrual and any credits now whole to the ledger and the output.
 */
static bool accrue(struct carbonizer *c, struct gc_credit_book *book, const json_t *rec,
                   int64_t amount, json_t *accrual, struct gc_fail *f)
{
    uint8_t h[GC_SHA256_LEN];
    char id[GC_HASH_HEX], key[160];
    json_t *made;
    bool ok;

    if (amount == 0) { /* nothing to credit, nothing to retire */
        json_decref(accrual);
        return true;
    }
    gc_signed_hash(rec, &c->out, h);
    gc_hex_encode(h, GC_SHA256_LEN, id);
    snprintf(key, sizeof(key), "%s:%s", book->accrual_type, id);
    if (gc_ledger_find(c->ledger, key) != NULL) {
        c->n_before++;
        json_decref(accrual);
        return true;
    }
    made = json_array();
    ok = gc_credit_accrue(book, id, amount, accrual, made, f);
    if (ok) {
        c->n_new++;
        if (book == &c->carbon)
            c->n_credits += json_array_size(made) - 1;
        else
            c->n_recs += json_array_size(made) - 1;
        ledger_put(c->ledger, made);
    }
    json_decref(made);
    return ok;
}

/* The credits a crashed run accrued but did not write: first, as it would have. */
static void flush_credits(struct carbonizer *c)
{
    json_t *made = json_array();

    gc_credit_flush(&c->carbon, made);
    c->n_credits += json_array_size(made);
    gc_credit_flush(&c->recs, made);
    c->n_recs += json_array_size(made) - c->n_credits;
    ledger_put(c->ledger, made);
    json_decref(made);
}

static bool take_allocation(struct carbonizer *c, const json_t *rec, struct gc_fail *f)
{
    const char *zone, *device;
    int64_t hour, green_wh, g, mg;

    if (!gc_field_id(rec, "device", &device, f) || !gc_field_id(rec, "zone", &zone, f) ||
        !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_int(rec, "green_wh", 0, INT64_MAX, &green_wh, f))
        return false;
    /* A battery's charge is not used yet: it counts when discharged to compute. */
    if (gc_field_present(rec, "stored_wh"))
        return true;
    if (!gc_intensity_get(&c->intensity, zone, hour, &g))
        return gc_fail(f, "no_intensity", "no carbon intensity for zone '%s' in that hour", zone);
    /* Wh x g/kWh is exactly milligrams: nothing is rounded. */
    if (!gc_mul_i64(green_wh, g, &mg))
        return gc_fail(f, "bad_number", "the avoided emissions pass 63 bits");
    return accrue(c, &c->carbon, rec, mg,
                  json_pack("{s:s, s:i, s:s, s:s, s:o, s:I, s:I}", "type", "carbon.accrual", "v", 1,
                            "device", device, "zone", zone, "hour", gc_json_time(hour), "green_wh",
                            (json_int_t)green_wh, "gco2_per_kwh", (json_int_t)g),
                  f);
}

static bool take_certificate(struct carbonizer *c, const json_t *rec, struct gc_fail *f)
{
    const char *zone, *device;
    int64_t hour, unclaimed;

    if (!gc_field_id(rec, "device", &device, f) || !gc_field_id(rec, "zone", &zone, f) ||
        !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_int(rec, "unclaimed_wh", 0, INT64_MAX, &unclaimed, f))
        return false;
    return accrue(c, &c->recs, rec, unclaimed,
                  json_pack("{s:s, s:i, s:s, s:s, s:o}", "type", "rec.accrual", "v", 1, "device",
                            device, "zone", zone, "hour", gc_json_time(hour)),
                  f);
}

static bool take_green(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                       struct gc_fail *f)
{
    struct carbonizer *c = ctx;
    const char *type;

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "allocation") == 0)
        return take_allocation(c, rec, f);
    if (strcmp(type, "certificate") == 0)
        return take_certificate(c, rec, f);
    if (strcmp(type, "match") == 0)
        return true; /* gc-pool match writes them among the others */
    return gc_fail(f, "bad_field", "a '%s' record is neither an allocation nor a certificate",
                   type);
}

static int gc_settle_carbon(const struct gc_settle_opts *o)
{
    struct carbonizer c = {0};
    struct gc_ledger l;
    struct gc_filter flt;
    struct gc_fail f;
    int status;

    open_ledger(&l, o->ledger);
    c.ledger = &l;
    gc_credit_book_init(&c.carbon, "carbon.accrual", "carbon.credit", "allocation", "avoided_mg",
                        GC_MG_PER_TONNE);
    gc_credit_book_init(&c.recs, "rec.accrual", "rec", "certificate", "wh", GC_WH_PER_MWH);
    for (size_t i = 0; i < l.n; i++)
        if (!gc_credit_replay(&c.carbon, l.records[i], &f) ||
            !gc_credit_replay(&c.recs, l.records[i], &f))
            gc_die(GC_EX_DATAERR, "%s: line %zu: %s: %s", o->ledger, i + 1, f.reason, f.detail);
    gc_load_records(o->intensity, false, gc_intensity_add, &c.intensity);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    flush_credits(&c);
    gc_filter_run(&flt, o->files, o->nfiles, take_green, &c);
    ledger_finish(&l, &flt);
    if (!flt.stopped && !o->filter.quiet)
        gc_note("%s: %llu accrued (%llu before), %llu carbon credit(s), %llu REC(s); carried "
                "%lld mg CO2e and %lld Wh",
                o->ledger, (unsigned long long)c.n_new, (unsigned long long)c.n_before,
                (unsigned long long)c.n_credits, (unsigned long long)c.n_recs,
                (long long)c.carbon.carried, (long long)c.recs.carried);
    status = gc_filter_finish(&flt);
    gc_ledger_close(&l);
    gc_credit_book_release(&c.carbon);
    gc_credit_book_release(&c.recs);
    gc_intensity_release(&c.intensity);
    gc_buf_release(&c.out);
    return status;
}

/* --- deliver --- */

/* Where delivery stands: the last record the endpoint acknowledged. */
struct delivery {
    int64_t seq; /* 0: none yet */
    char hash[GC_HASH_HEX];
    char url[512]; /* as shown: no userinfo, query or fragment */
};

static bool take_cursor(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct delivery *d = ctx;
    const char *url;

    if (d->url[0] != '\0')
        return gc_fail(f, "bad_field", "the cursor file holds more than one record");
    if (!gc_field_const(rec, "type", "delivery.cursor", f) ||
        !gc_field_int(rec, "seq", 0, INT64_MAX, &d->seq, f) ||
        !gc_field_str(rec, "url", &url, NULL, f) || strlen(url) >= sizeof(d->url) ||
        (d->seq > 0 && !gc_field_hex(rec, "hash", (uint8_t[GC_SHA256_LEN]){0}, GC_SHA256_LEN, f)))
        return false;
    snprintf(d->url, sizeof(d->url), "%s", url);
    if (d->seq > 0)
        snprintf(d->hash, sizeof(d->hash), "%s", json_string_value(json_object_get(rec, "hash")));
    return true;
}

/* Replaces the cursor file: written only after the endpoint acknowledged record SEQ. */
static void save_cursor(const char *path, const struct delivery *d)
{
    json_t *rec = json_pack("{s:s, s:i, s:s, s:I, s:s}", "type", "delivery.cursor", "v", 1, "url",
                            d->url, "seq", (json_int_t)d->seq, "hash", d->hash);
    struct gc_buf out = GC_BUF_INIT;

    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_jcs_append(&out, rec);
    gc_buf_addc(&out, '\n');
    gc_atomic_write_private(path, out.ptr, out.len);
    gc_buf_release(&out);
    json_decref(rec);
}

/*
 * POSTs every ledger record after the cursor, in order, each under an
 * Idempotency-Key of its record hash, and moves the cursor past each one the
 * endpoint acknowledged. Stops at the first that fails after its retries.
 */
static int gc_settle_deliver(const struct gc_settle_opts *o)
{
    const char *url = o->files[0];
    struct gc_buf line = GC_BUF_INIT, msg = GC_BUF_INIT, answer = GC_BUF_INIT;
    struct delivery d = {0};
    char *cursor = NULL, shown[sizeof(d.url)];
    int64_t first;
    struct gc_ledger l;
    struct gc_fail f;
    int status = 0;

    open_ledger(&l, o->ledger);
    if (o->cursor == NULL) {
        cursor = gc_xmalloc(strlen(o->ledger) + sizeof(".cursor"));
        snprintf(cursor, strlen(o->ledger) + sizeof(".cursor"), "%s.cursor", o->ledger);
    }
    gc_http_url_shown(url, shown, sizeof(shown));
    gc_load_records(o->cursor ? o->cursor : cursor, true, take_cursor, &d);
    if (d.url[0] != '\0' && strcmp(d.url, shown) != 0)
        gc_die(GC_EX_DATAERR, "%s: the cursor is for '%s', not '%s': give each endpoint its own",
               o->cursor ? o->cursor : cursor, d.url, shown);
    snprintf(d.url, sizeof(d.url), "%s", shown);
    if (d.seq > l.seq)
        gc_die(GC_EX_DATAERR, "the cursor is at seq %lld, past the ledger's %lld", (long long)d.seq,
               (long long)l.seq);
    if (d.seq > 0) {
        uint8_t h[GC_SHA256_LEN];
        char hex[GC_HASH_HEX];

        gc_signed_hash(l.records[d.seq - 1], &msg, h);
        gc_hex_encode(h, GC_SHA256_LEN, hex);
        if (strcmp(hex, d.hash) != 0)
            gc_die(GC_EX_DATAERR, "the cursor's record seq %lld is not the ledger's",
                   (long long)d.seq);
    }
    first = d.seq;
    for (int64_t i = d.seq; i < l.seq; i++) {
        const json_t *rec = l.records[i];
        uint8_t h[GC_SHA256_LEN];
        char key[sizeof("Idempotency-Key: ") + GC_HASH_HEX];
        const char *headers[] = {"Content-Type: application/json", key};

        gc_buf_reset(&line);
        gc_jcs_append(&line, rec);
        gc_sha256(line.ptr, line.len, h); /* the record hash: ledger records have no sig */
        gc_hex_encode(h, GC_SHA256_LEN, d.hash);
        snprintf(key, sizeof(key), "Idempotency-Key: %s", d.hash);
        if (gc_http_post(url, &o->http, line.ptr, line.len, headers, 2, &answer, NULL, &f) != 0) {
            gc_error("%s: record seq %lld not delivered: %s: %s", o->ledger, (long long)i + 1,
                     f.reason, f.detail);
            status = strcmp(f.reason, "unavailable") == 0 ? GC_EX_TEMPFAIL : GC_EX_PROTOCOL;
            break;
        }
        d.seq = i + 1;
        save_cursor(o->cursor ? o->cursor : cursor, &d);
    }
    if (!o->filter.quiet)
        gc_note("%s: %lld record(s) delivered to '%s'; the cursor is at seq %lld of %lld",
                o->ledger, (long long)(d.seq - first), shown, (long long)d.seq, (long long)l.seq);
    gc_ledger_close(&l);
    free(cursor);
    gc_buf_release(&line);
    gc_buf_release(&msg);
    gc_buf_release(&answer);
    return status;
}

/* --- mint, burn, reserve --- */

struct minter {
    struct settler s;
    const struct gc_settle_opts *o;
    struct gc_pkg *pkg;
    struct gc_ledger *ledger;
    struct gc_stable book;
    struct gc_stable_pkg *sp;
    struct gc_map oracles; /* public keys allowed to sign oracle records */
    struct gc_key reserve;
    int64_t balances[GC_TERMS_MAX_TRANCHES];
    int64_t nav_micros;
    struct gc_buf out;
    uint64_t n_new, n_before;
};

/* Rebuilds the reserve's book from the ledger, or stops with 65 naming the record. */
static void replay_stable(const struct gc_ledger *l, struct gc_stable *book)
{
    struct gc_fail f;

    gc_stable_init(book);
    for (size_t i = 0; i < l->n; i++)
        if (!gc_stable_replay(book, l->records[i], &f))
            gc_die(GC_EX_DATAERR, "%s: line %zu: %s: %s", l->path, i + 1, f.reason, f.detail);
}

/*
 * Puts REC, the terms the reserve lends on, in the ledger; when it has them
 * already they must be the same: changing them would change what the
 * ledger's records replay to.
 */
static void params_put(struct minter *m, json_t *rec)
{
    const char *key = json_string_value(json_object_get(rec, "key"));
    const json_t *have = gc_ledger_find(m->ledger, key);

    if (have == NULL) {
        json_t *one = json_array();

        gc_json_append(one, rec);
        ledger_put(m->ledger, one);
        json_decref(one);
        return;
    }
    {
        bool equal = same_record(have, rec);

        json_decref(rec);
        if (!equal)
            gc_die(GC_EX_DATAERR,
                   "%s: conflict: the reserve.params of the ledger (seq %lld) are not those of "
                   "--params",
                   m->ledger->path, (long long)json_integer_value(json_object_get(have, "seq")));
    }
}

struct params_file {
    const char *package;
    struct gc_stable_params p;
    bool have, have_global;
    int64_t global;
};

static bool take_params(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct params_file *pf = ctx;
    struct gc_stable_params p;
    int64_t global;
    bool is_global;

    if (!gc_stable_params_parse(rec, &p, &is_global, &global, f))
        return false;
    if (is_global) {
        pf->have_global = true;
        pf->global = global;
    } else if (strcmp(p.package, pf->package) == 0) {
        pf->p = p;
        pf->have = true;
    }
    return true;
}

/* The value of the package: the last oracle's, else its NAV. */
static int64_t package_value(const struct minter *m)
{
    return m->sp->value_micros >= 0 ? m->sp->value_micros : m->nav_micros;
}

static int64_t collateral_of(const struct minter *m, const char *holder, int64_t value)
{
    return gc_stable_collateral(m->sp, m->pkg, &m->s.book, m->reserve.pk, holder, m->balances,
                                value);
}

/* An oracle's value of the package: every vault's collateral at it, and the unsafe ones. */
static bool take_oracle(struct minter *m, const json_t *rec, struct gc_fail *f)
{
    uint8_t signer[GC_PUBKEY_LEN], sig[GC_SIG_LEN], h[GC_SHA256_LEN];
    char hex[2 * GC_PUBKEY_LEN + 1], key[GC_HASH_HEX + 8];
    int64_t ts, value, *coll;
    json_t *made;
    bool ok;

    if (!gc_field_const(rec, "package", m->pkg->terms.package, f) ||
        !gc_field_time(rec, "ts", &ts, f) ||
        !gc_field_int(rec, "value_micros", 0, INT64_MAX, &value, f) ||
        !gc_field_hex(rec, "signer", signer, sizeof(signer), f) ||
        !gc_field_hex(rec, "sig", sig, sizeof(sig), f))
        return false;
    gc_hex_encode(signer, GC_PUBKEY_LEN, hex);
    if (gc_map_get(&m->oracles, hex) == NULL)
        return gc_fail(f, "unknown_oracle", "signed by %.16s…, not a key of --oracles", hex);
    if (!gc_signed_check(rec, sig, signer, "the oracle", &m->out, h, f))
        return false;
    snprintf(key, sizeof(key), "oracle:");
    gc_hex_encode(h, GC_SHA256_LEN, key + strlen(key));
    if (gc_ledger_find(m->ledger, key) != NULL) {
        m->n_before++;
        return true;
    }
    coll = gc_xcalloc(m->sp->r.n + 1, sizeof(*coll));
    for (size_t v = 0; v < m->sp->r.n; v++)
        coll[v] = collateral_of(m, m->sp->holders[v], value);
    made = json_array();
    ok = gc_stable_revalue(&m->book, m->sp, m->pkg->terms.package, ts, value, coll, key, made, f);
    if (ok) {
        ledger_put(m->ledger, made);
        m->n_new++;
    }
    json_decref(made);
    free(coll);
    return ok;
}

/* A holder's signed request to mint or burn, once per request id. */
static bool take_request(struct minter *m, const json_t *rec, int sign, struct gc_fail *f)
{
    uint8_t holder[GC_PUBKEY_LEN], sig[GC_SIG_LEN], h[GC_SHA256_LEN];
    char hex[2 * GC_PUBKEY_LEN + 1], hash[GC_HASH_HEX], key[256];
    const char *id;
    const json_t *done;
    int64_t ts, amount;
    json_t *made;

    if (!gc_field_id(rec, "request", &id, f) ||
        !gc_field_const(rec, "package", m->pkg->terms.package, f) ||
        !gc_field_hex(rec, "holder", holder, sizeof(holder), f) ||
        !gc_field_time(rec, "ts", &ts, f) ||
        !gc_field_int(rec, "amount_micros", 1, INT64_MAX, &amount, f) ||
        !gc_field_hex(rec, "sig", sig, sizeof(sig), f) ||
        !gc_signed_check(rec, sig, holder, "the holder", &m->out, h, f))
        return false;
    gc_hex_encode(holder, GC_PUBKEY_LEN, hex);
    gc_hex_encode(h, GC_SHA256_LEN, hash);
    snprintf(key, sizeof(key), "%s:%s:%s:%s", sign > 0 ? "mint" : "burn", m->pkg->hash, hex, id);
    done = gc_ledger_find(m->ledger, key);
    if (done != NULL) {
        if (!str_is(done, "request", hash))
            return gc_fail(f, "conflict",
                           "request '%s' of this holder was done (seq %lld) "
                           "with other terms",
                           id, (long long)json_integer_value(json_object_get(done, "seq")));
        m->n_before++;
        return true;
    }
    done = gc_stable_move(&m->book, m->sp, m->pkg->terms.package, sign, hex, ts, amount,
                          collateral_of(m, hex, package_value(m)), key, hash, f);
    if (done == NULL)
        return false;
    made = json_array();
    gc_json_append(made, (json_t *)done);
    ledger_put(m->ledger, made);
    m->n_new++;
    json_decref(made);
    return true;
}

static bool take_vault_event(void *ctx, struct gc_filter *flt, json_t *rec,
                             const struct gc_line *line, struct gc_fail *f)
{
    struct minter *m = ctx;
    const char *type, *want = strcmp(m->o->verb, "mint") == 0 ? "mint.request" : "burn.request";

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "oracle") == 0)
        return take_oracle(m, rec, f);
    if (strcmp(type, want) == 0)
        return take_request(m, rec, want[0] == 'm' ? 1 : -1, f);
    return gc_fail(f, "bad_field", "a '%s' record: %s takes %s and oracle records", type,
                   m->o->verb, want);
}

static int gc_settle_vault(const struct gc_settle_opts *o)
{
    struct minter m = {.o = o};
    struct params_file pf = {0};
    struct gc_period_carry carry;
    struct gc_ledger l;
    struct gc_filter flt;
    struct gc_fail f;
    int status;

    open_ledger(&l, o->ledger);
    m.ledger = &l;
    m.pkg = load_package(o, &m.s);
    if (!gc_field_int(m.s.package, "nav_micros", 0, INT64_MAX, &m.nav_micros, &f))
        gc_die(GC_EX_DATAERR, "%s: %s", o->package, f.detail);
    last_carry(&l, m.pkg, &carry);
    memcpy(m.balances, carry.balance_micros, sizeof(m.balances));
    pf.package = m.pkg->terms.package;
    gc_load_records(o->params, false, take_params, &pf);
    if (!pf.have)
        gc_die(GC_EX_DATAERR, "%s: no reserve.params for package '%s'", o->params, pf.package);
    if (o->oracles != NULL)
        gc_load_records(o->oracles, false, gc_party_add, &m.oracles);
    gc_key_load_signing(o->key, &m.reserve);

    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    /* The terms the reserve lends on go into the ledger first; later runs must keep them. */
    if (pf.have_global)
        params_put(&m, gc_stable_global_record(pf.global));
    else if (gc_ledger_find(&l, "params:global") != NULL)
        gc_die(GC_EX_DATAERR, "%s: conflict: the ledger has a global ceiling, --params none",
               o->ledger);
    params_put(&m, gc_stable_params_record(&pf.p, m.pkg->hash));
    replay_stable(&l, &m.book);
    m.sp = gc_stable_pkg(&m.book, m.pkg->hash);
    gc_filter_run(&flt, o->files, o->nfiles, take_vault_event, &m);
    if (!flt.stopped && o->liquidate) {
        json_t *made = json_array();

        gc_stable_liquidate(&m.book, m.sp, m.pkg->terms.package, made);
        ledger_put(&l, made);
        json_decref(made);
    }
    ledger_finish(&l, &flt);
    if (!flt.stopped && !o->filter.quiet)
        gc_note("%s: %llu applied (%llu before); supply %lld, surplus %lld, bad debt %lld micros",
                o->ledger, (unsigned long long)m.n_new, (unsigned long long)m.n_before,
                (long long)m.sp->r.supply_micros, (long long)m.sp->r.surplus_micros,
                (long long)m.sp->r.bad_debt_micros);
    status = gc_filter_finish(&flt);
    gc_ledger_close(&l);
    gc_stable_release(&m.book);
    gc_pubkey_set_release(&m.oracles);
    gc_key_release(&m.reserve);
    gc_position_book_release(&m.s.book);
    json_decref(m.s.package);
    gc_buf_release(&m.out);
    return status;
}

/* The reserve report: every package's book dripped to AT, signed by the reserve. */
static int gc_settle_reserve(const struct gc_settle_opts *o)
{
    struct gc_buf out = GC_BUF_INIT, msg = GC_BUF_INIT;
    int64_t supply = 0, debt = 0, surplus = 0, bad = 0, coll = 0, at = o->at;
    struct gc_stable book;
    struct gc_ledger l;
    struct gc_filter flt;
    struct gc_key key;
    uint8_t hash[GC_SHA256_LEN];
    json_t *pkgs = json_array(), *rec;
    void **all;

    open_ledger(&l, o->ledger);
    gc_key_load_signing(o->key, &key);
    replay_stable(&l, &book);
    all = gc_map_sorted_values(&book.pkgs);
    for (size_t i = 0; i < book.pkgs.n; i++) {
        struct gc_stable_pkg *sp = all[i];
        struct gc_fail f;
        int64_t d = 0, c = 0, unsafe = 0;

        if (sp->started && at < sp->r.fee.rho)
            gc_die(GC_EX_USAGE, "--at is before the last event of package '%s'",
                   sp->params.package);
        if (sp->started && !gc_reserve_drip(&sp->r, at, &f))
            gc_die(GC_EX_DATAERR, "%s: %s", f.reason, f.detail);
        if (!gc_reserve_check(&sp->r, &f))
            gc_die(GC_EX_SOFTWARE, "package '%s': %s: %s", sp->params.package, f.reason, f.detail);
        for (size_t v = 0; v < sp->r.n; v++) {
            d += sp->r.vaults[v].debt_micros;
            c += sp->r.vaults[v].collateral_micros;
            unsafe += !gc_reserve_safe(&sp->r, v);
        }
        rec = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "package",
                        sp->params.package, "package_hash", sp->hash, "supply_micros",
                        (json_int_t)sp->r.supply_micros, "debt_micros", (json_int_t)d,
                        "surplus_micros", (json_int_t)sp->r.surplus_micros, "bad_debt_micros",
                        (json_int_t)sp->r.bad_debt_micros, "collateral_micros", (json_int_t)c,
                        "vaults", (json_int_t)sp->r.n, "unsafe_vaults", (json_int_t)unsafe);
        gc_json_append(pkgs, rec);
        supply += sp->r.supply_micros;
        debt += d;
        surplus += sp->r.surplus_micros;
        bad += sp->r.bad_debt_micros;
        coll += c;
    }
    free(all);
    rec = json_pack(
        "{s:s, s:i, s:o, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "type", "reserve", "v", 1,
        "as_of", gc_json_time(at), "ledger_seq", (json_int_t)l.seq, "ledger_head",
        gc_json_hex(l.head, GC_SHA256_LEN), "supply_micros", (json_int_t)supply, "debt_micros",
        (json_int_t)debt, "surplus_micros", (json_int_t)surplus, "bad_debt_micros", (json_int_t)bad,
        "collateral_micros", (json_int_t)coll, "reserves",
        json_pack("[{s:s, s:I}, {s:s, s:I}, {s:s, s:I}]", "category", "collateral", "micros",
                  (json_int_t)coll, "category", "surplus", "micros", (json_int_t)surplus,
                  "category", "bad_debt", "micros", (json_int_t)-bad),
        "packages", pkgs);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    /* Collateral per unit of supply, rounded down: the reserve never looks better than it is. */
    if (supply > 0) {
        gc_u128 bps;

        gc_mul_div_floor((gc_u128)coll, 10000, (gc_u128)supply, &bps);
        gc_json_set(rec, "ratio_bps", json_integer((json_int_t)bps));
    }
    gc_json_set(rec, "reserve_pubkey", gc_json_hex(key.pk, GC_PUBKEY_LEN));
    gc_signed_seal(rec, &key, &msg, &out, hash);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_emit(&flt, out.ptr, out.len);
    json_decref(rec);
    gc_ledger_close(&l);
    gc_stable_release(&book);
    gc_key_release(&key);
    gc_buf_release(&out);
    gc_buf_release(&msg);
    return gc_filter_finish(&flt);
}

/* --- sign --- */

/* Seals a request, an oracle value or a loss with the key of who makes it. */
static bool take_unsigned(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                          struct gc_fail *f)
{
    const struct gc_key *key = ctx;
    struct gc_buf msg = GC_BUF_INIT, out = GC_BUF_INIT;
    char hex[2 * GC_PUBKEY_LEN + 1];
    uint8_t hash[GC_SHA256_LEN];
    const char *type;

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    gc_hex_encode(key->pk, GC_PUBKEY_LEN, hex);
    if (strcmp(type, "mint.request") == 0 || strcmp(type, "burn.request") == 0) {
        if (gc_field_present(rec, "holder") && !str_is(rec, "holder", hex))
            return gc_fail(f, "not_holder", "field 'holder' is not the key's");
        gc_json_set(rec, "holder", json_string(hex));
    } else if (strcmp(type, "oracle") == 0) {
        gc_json_set(rec, "signer", json_string(hex));
    } else if (strcmp(type, "loss") != 0) {
        return gc_fail(f, "bad_field",
                       "sign takes mint.request, burn.request, oracle and loss "
                       "records, not '%s'",
                       type);
    }
    json_object_del(rec, "sig");
    gc_signed_seal(rec, key, &msg, &out, hash);
    gc_filter_emit(flt, out.ptr, out.len);
    gc_buf_release(&msg);
    gc_buf_release(&out);
    return true;
}

static int gc_settle_sign(const struct gc_settle_opts *o)
{
    struct gc_filter flt;
    struct gc_key key;
    int status;

    gc_key_load_signing(o->key, &key);
    gc_filter_init(&flt, &o->filter);
    gc_filter_run(&flt, o->files, o->nfiles, take_unsigned, &key);
    status = gc_filter_finish(&flt);
    gc_key_release(&key);
    return status;
}

/* --- options --- */

static void parse_period(const char *arg, struct gc_settle_opts *o)
{
    const char *slash = strchr(arg, '/');

    if (slash == NULL || gc_time_parse(arg, (size_t)(slash - arg), &o->start) != NULL ||
        gc_time_parse(slash + 1, strlen(slash + 1), &o->end) != NULL)
        gc_cli_usage("--period wants START/END, two RFC 3339 UTC times: '%s'", arg);
    if (o->end <= o->start)
        gc_cli_usage("--period ends before it starts: '%s'", arg);
}

static void parse_args(int argc, char **argv, struct gc_settle_opts *o)
{
    static const struct option longopts[] = {
        {"ledger", required_argument, NULL, OPT_LEDGER},
        {"package", required_argument, NULL, OPT_PACKAGE},
        {"positions", required_argument, NULL, OPT_POSITIONS},
        {"period", required_argument, NULL, OPT_PERIOD},
        {"intensity", required_argument, NULL, OPT_INTENSITY},
        {"cursor", required_argument, NULL, OPT_CURSOR},
        {"params", required_argument, NULL, OPT_PARAMS},
        {"oracles", required_argument, NULL, OPT_ORACLES},
        {"at", required_argument, NULL, OPT_AT},
        {"liquidate", no_argument, NULL, OPT_LIQUIDATE},
        {"key", required_argument, NULL, 'k'},
        GC_HTTP_LONGOPTS,
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
#define BIT(opt) (1u << ((opt)-OPT_LEDGER))
    /* The options each command takes; --ledger goes with all of them. */
    static const struct gc_cli_verb verbs[] = {
        {"period", BIT(OPT_LEDGER) | BIT(OPT_PACKAGE) | BIT(OPT_POSITIONS) | BIT(OPT_PERIOD)},
        {"carbon", BIT(OPT_LEDGER) | BIT(OPT_INTENSITY)},
        {"deliver", BIT(OPT_LEDGER) | BIT(OPT_CURSOR)},
        {"mint", BIT(OPT_LEDGER) | BIT(OPT_PACKAGE) | BIT(OPT_POSITIONS) | BIT(OPT_PARAMS) |
                     BIT(OPT_ORACLES)},
        {"burn", BIT(OPT_LEDGER) | BIT(OPT_PACKAGE) | BIT(OPT_POSITIONS) | BIT(OPT_PARAMS) |
                     BIT(OPT_ORACLES) | BIT(OPT_LIQUIDATE)},
        {"reserve", BIT(OPT_LEDGER) | BIT(OPT_AT)},
        {"sign", 0},
    };
    unsigned given = 0;
    const char *http_option = NULL; /* the last HTTP option given: deliver's */
    bool have_at = false;
    int li = 0;
    int c;

    memset(o, 0, sizeof(*o));
    o->start = o->end = INT64_MIN;
    gc_http_opts_default(&o->http);
    o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:o:qhV", longopts, &li)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        if (gc_cli_http_opt(c, optarg, &o->http)) {
            http_option = longopts[li].name;
            continue;
        }
        if (c >= OPT_LEDGER && c <= OPT_LIQUIDATE)
            given |= BIT(c);
        switch (c) {
        case OPT_LEDGER:
            o->ledger = optarg;
            break;
        case OPT_PACKAGE:
            o->package = optarg;
            break;
        case OPT_POSITIONS:
            o->positions = optarg;
            break;
        case OPT_PERIOD:
            parse_period(optarg, o);
            break;
        case OPT_INTENSITY:
            o->intensity = optarg;
            break;
        case OPT_CURSOR:
            o->cursor = optarg;
            break;
        case OPT_PARAMS:
            o->params = optarg;
            break;
        case OPT_ORACLES:
            o->oracles = optarg;
            break;
        case OPT_AT:
            o->at = gc_cli_time("at", optarg);
            have_at = true;
            break;
        case OPT_LIQUIDATE:
            o->liquidate = true;
            break;
        case 'k':
            o->key = optarg;
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->verb == NULL)
        gc_cli_usage("a command is required: period, carbon, deliver, mint, burn, reserve or sign");
    gc_cli_verb_check(o->verb, verbs, sizeof(verbs) / sizeof(*verbs), longopts, OPT_LEDGER, given);
#undef BIT
    if (http_option != NULL && strcmp(o->verb, "deliver") != 0)
        gc_cli_usage("--%s does not go with %s", http_option, o->verb);
    if (strcmp(o->verb, "sign") == 0) {
        if (o->key == NULL)
            gc_cli_usage("sign needs -k KEYFILE");
        return;
    }
    if (o->ledger == NULL)
        gc_cli_usage("%s needs --ledger FILE", o->verb);
    if (o->key != NULL && strcmp(o->verb, "mint") != 0 && strcmp(o->verb, "burn") != 0 &&
        strcmp(o->verb, "reserve") != 0)
        gc_cli_usage("-k does not go with %s", o->verb);
    if ((strcmp(o->verb, "mint") == 0 || strcmp(o->verb, "burn") == 0) &&
        (o->package == NULL || o->positions == NULL || o->params == NULL || o->key == NULL))
        gc_cli_usage("%s needs --package, --positions, --params and -k KEYFILE (the reserve's)",
                     o->verb);
    if (strcmp(o->verb, "reserve") == 0) {
        if (o->key == NULL)
            gc_cli_usage("reserve needs -k KEYFILE (the reserve's)");
        if (o->nfiles > 0 || o->filter.rejects != NULL)
            gc_cli_usage("reserve reads only the ledger: no files, no --rejects");
        if (!have_at)
            o->at = (int64_t)time(NULL);
    }
    if (strcmp(o->verb, "period") == 0 &&
        (o->package == NULL || o->positions == NULL || o->start == INT64_MIN))
        gc_cli_usage("period needs --package, --positions and --period");
    if (strcmp(o->verb, "carbon") == 0 && o->intensity == NULL)
        gc_cli_usage("carbon needs --intensity FILE");
    if (strcmp(o->verb, "deliver") == 0) {
        if (o->nfiles != 1)
            gc_cli_usage("deliver needs one URL");
        if (o->filter.output != NULL || o->filter.rejects != NULL)
            gc_cli_usage("deliver writes to its URL: no -o or --rejects");
    }
}

int main(int argc, char **argv)
{
    struct gc_settle_opts opts;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    if (strcmp(opts.verb, "carbon") == 0)
        return gc_settle_carbon(&opts);
    if (strcmp(opts.verb, "deliver") == 0)
        return gc_settle_deliver(&opts);
    if (strcmp(opts.verb, "mint") == 0 || strcmp(opts.verb, "burn") == 0)
        return gc_settle_vault(&opts);
    if (strcmp(opts.verb, "reserve") == 0)
        return gc_settle_reserve(&opts);
    if (strcmp(opts.verb, "sign") == 0)
        return gc_settle_sign(&opts);
    return gc_settle_period(&opts);
}
