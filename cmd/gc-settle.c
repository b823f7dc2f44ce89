/*
 * gc-settle — settlement of RWA packages: per period, the realized income
 * of a package paid down its tranche waterfall to the holders of its
 * positions, into an append-only, hash-chained ledger that a crash or a
 * re-run cannot corrupt or double. See gc-settle(1) and gc-records(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "\n"
    "      --ledger FILE        the settlement ledger (created when missing)\n"
    "      --package FILE       period: the package record (gc-issue package)\n"
    "      --positions FILE     period: the package's positions and their transfers,\n"
    "                           pledges and releases\n"
    "      --period START/END   period: RFC 3339 UTC times; the first period starts\n"
    "                           at the package's start, each next where one ended\n"
    "      --intensity FILE     carbon: intensity records, g CO2e per kWh by zone-hour\n"
    "      --cursor FILE        deliver: where delivery stands (default LEDGER.cursor)\n"
    "      --token-file F       deliver: bearer token, first line of F (mode 0600)\n"
    "      --timeout-s N        deliver: limit for one attempt (default 30)\n"
    "      --retries N          deliver: further attempts on timeouts, 429, 5xx (default 3)\n"
    "      --backoff-ms N       deliver: wait before the first retry, doubled for each\n"
    "                           next, plus up to as much again at random (default 1000)\n"
    "      --ca-file F          deliver: CA certificates to trust (TLS is always verified)\n"
    "\n"
    "INCOME: amm.fill and amm.delivery receipts of gc-amm, payment records of\n"
    "gc-verify tasks (its pay option), loss records signed by the issuer.\n"
    "MATCHED: the allocation and certificate records of gc-pool match.\n" GC_FILTER_HELP;

enum {
    OPT_LEDGER = GC_OPT_PROGRAM,
    OPT_PACKAGE,
    OPT_POSITIONS,
    OPT_PERIOD,
    OPT_INTENSITY,
    OPT_CURSOR,
};

struct gc_settle_opts {
    const char *verb;
    const char *ledger;
    const char *package;
    const char *positions;
    int64_t start, end;
    const char *intensity;
    const char *cursor;
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
 * Appends each record of RECS (with its "key") to the ledger, or, when a
 * crashed run already committed it, checks that it is the same record;
 * writes every record, as the ledger holds it, to the output. Returns how
 * many were new. A record of the same key that differs stops with 65.
 */
static size_t ledger_put(struct gc_ledger *l, json_t *recs, struct gc_filter *flt,
                         struct gc_buf *out)
{
    size_t i, fresh = 0;
    json_t *rec;

    json_array_foreach(recs, i, rec)
    {
        const char *key = json_string_value(json_object_get(rec, "key"));
        const json_t *have = gc_ledger_find(l, key);

        if (have != NULL) {
            json_t *bare = json_deep_copy(have);

            json_object_del(bare, "seq");
            json_object_del(bare, "prev");
            if (!json_equal(bare, rec))
                gc_die(GC_EX_DATAERR, "%s: conflict: the ledger holds a different record '%s'",
                       l->path, key);
            json_decref(bare);
        } else {
            have = gc_ledger_append(l, rec, NULL);
            fresh++;
        }
        gc_buf_reset(out);
        gc_jcs_append(out, have);
        gc_filter_emit(flt, out->ptr, out->len);
    }
    return fresh;
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
    struct gc_buf out = GC_BUF_INIT;
    struct gc_period_carry carry;
    uint8_t inputs[GC_SHA256_LEN];
    char key[256], hex[GC_HASH_HEX];
    const json_t *done;
    struct gc_ledger l;
    struct gc_filter flt;
    struct gc_fail f;
    struct gc_pkg *pkg;
    void **pkgs;
    bool in_order;
    int status;

    open_ledger(&l, o->ledger);
    gc_position_book_init(&s.book, NULL, NULL);
    gc_load_records(o->package, false, take_package, &s);
    if (s.package == NULL)
        gc_die(GC_EX_DATAERR, "%s: no package record", o->package);
    gc_load_records(o->positions, false, take_position, &s);
    pkgs = gc_map_sorted_values(&s.book.packages);
    pkg = pkgs[0];
    free(pkgs);
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
        fresh = ledger_put(&l, recs, &flt, &out);
        gc_ledger_commit(&l);
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
    gc_buf_release(&out);
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
static bool accrue(struct carbonizer *c, struct gc_filter *flt, struct gc_credit_book *book,
                   const json_t *rec, int64_t amount, json_t *accrual, struct gc_fail *f)
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
        ledger_put(c->ledger, made, flt, &c->out);
    }
    json_decref(made);
    return ok;
}

/* The credits a crashed run accrued but did not write: first, as it would have. */
static void flush_credits(struct carbonizer *c, struct gc_filter *flt)
{
    json_t *made = json_array();

    gc_credit_flush(&c->carbon, made);
    c->n_credits += json_array_size(made);
    gc_credit_flush(&c->recs, made);
    c->n_recs += json_array_size(made) - c->n_credits;
    ledger_put(c->ledger, made, flt, &c->out);
    json_decref(made);
}

static bool take_allocation(struct carbonizer *c, struct gc_filter *flt, const json_t *rec,
                            struct gc_fail *f)
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
    return accrue(c, flt, &c->carbon, rec, mg,
                  json_pack("{s:s, s:i, s:s, s:s, s:o, s:I, s:I}", "type", "carbon.accrual", "v", 1,
                            "device", device, "zone", zone, "hour", gc_json_time(hour), "green_wh",
                            (json_int_t)green_wh, "gco2_per_kwh", (json_int_t)g),
                  f);
}

static bool take_certificate(struct carbonizer *c, struct gc_filter *flt, const json_t *rec,
                             struct gc_fail *f)
{
    const char *zone, *device;
    int64_t hour, unclaimed;

    if (!gc_field_id(rec, "device", &device, f) || !gc_field_id(rec, "zone", &zone, f) ||
        !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_int(rec, "unclaimed_wh", 0, INT64_MAX, &unclaimed, f))
        return false;
    return accrue(c, flt, &c->recs, rec, unclaimed,
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
        return take_allocation(c, flt, rec, f);
    if (strcmp(type, "certificate") == 0)
        return take_certificate(c, flt, rec, f);
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
    flush_credits(&c, &flt);
    gc_filter_run(&flt, o->files, o->nfiles, take_green, &c);
    if (!flt.stopped)
        gc_ledger_commit(&l);
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
    };
    unsigned given = 0;
    const char *http_option = NULL; /* the last HTTP option given: deliver's */
    int li = 0;
    int c;

    memset(o, 0, sizeof(*o));
    o->start = o->end = INT64_MIN;
    gc_http_opts_default(&o->http);
    o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longopts, &li)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        if (gc_cli_http_opt(c, optarg, &o->http)) {
            http_option = longopts[li].name;
            continue;
        }
        if (c >= OPT_LEDGER && c <= OPT_CURSOR)
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
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->verb == NULL)
        gc_cli_usage("a command is required: period, carbon or deliver");
    gc_cli_verb_check(o->verb, verbs, sizeof(verbs) / sizeof(*verbs), longopts, OPT_LEDGER, given);
#undef BIT
    if (http_option != NULL && strcmp(o->verb, "deliver") != 0)
        gc_cli_usage("--%s does not go with %s", http_option, o->verb);
    if (o->ledger == NULL)
        gc_cli_usage("%s needs --ledger FILE", o->verb);
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
    return gc_settle_period(&opts);
}
