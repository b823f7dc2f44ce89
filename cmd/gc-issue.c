/*
 * gc-issue — RWA packages over green-compute pools: a term sheet and
 * co-signed pool snapshots in, a signed package and position certificates
 * out; holder-signed transfers, pledges and releases of positions. See
 * gc-issue(1) and gc-records(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_cli.h"
#include "gc_cosign.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_filter.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_map.h"
#include "gc_position.h"
#include "gc_signed.h"
#include "gc_task.h"
#include "gc_terms.h"
#include "banned.h"

static const char help[] =
    "usage: gc-issue keygen --id ID -k KEYFILE\n"
    "       gc-issue package --terms FILE -k KEYFILE --validators FILE --quorum K\n"
    "                        [--index FILE] [-o FILE] [--rejects FILE] [SNAPSHOTS...]\n"
    "       gc-issue transfer -k KEYFILE --position ID --to PUBKEY [--units N] [FILE...]\n"
    "       gc-issue pledge -k KEYFILE --position ID --to PUBKEY [FILE...]\n"
    "       gc-issue release -k KEYFILE --pledge ID [FILE...]\n"
    "       gc-issue -h | --help | -V | --version\n"
    "\n"
    "Package the income of green-compute pools as notes: value a term sheet over\n"
    "co-signed pool snapshots, tranche it, and sign the package and a position\n"
    "certificate per subscription; move positions by holder-signed records.\n"
    "\n"
    "keygen    make a key pair for an issuer, holder or lender; print its party record\n"
    "package   value the term sheet, test the tranches, write the package and positions\n"
    "transfer  move a position, or N of its units, to another holder\n"
    "pledge    lock a position to a lender until the lender releases it\n"
    "release   end a pledge (signed by the lender)\n"
    "\n"
    "  -k, --key FILE           the secret key that signs (issuer, holder or lender)\n"
    "      --id ID              keygen: the party's id\n"
    "      --terms FILE         package: the term sheet (one terms record)\n"
    "      --validators FILE    package: validator records; snapshots need a quorum\n"
    "      --quorum K           package: signatures of distinct listed validators\n"
    "      --index FILE         package: index records of gc-amm, for price_source index\n"
    "      --position ID        transfer, pledge: the position's id\n"
    "      --to PUBKEY          transfer: the new holder; pledge: the lender\n"
    "      --units N            transfer: move only N units (default: all)\n"
    "      --pledge ID          release: the pledge's id\n"
    "\n"
    "transfer, pledge and release read the package, positions and earlier\n"
    "ownership records, check them as gc-verify does, and write only the new\n"
    "records.\n" GC_FILTER_HELP;

enum {
    OPT_ID = GC_OPT_PROGRAM,
    OPT_TERMS,
    OPT_VALIDATORS,
    OPT_QUORUM,
    OPT_INDEX,
    OPT_POSITION,
    OPT_TO,
    OPT_UNITS,
    OPT_PLEDGE,
};

struct gc_issue_opts {
    const char *verb;
    const char *key;
    char id[65];
    const char *terms;
    const char *validators;
    int64_t quorum;
    const char *index;
    char position[GC_HASH_HEX];
    uint8_t to[GC_PUBKEY_LEN];
    bool have_to;
    int64_t units; /* 0 = all */
    char pledge[GC_HASH_HEX];
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

/* --- keygen --- */

static int gc_issue_keygen(const struct gc_issue_opts *o)
{
    struct gc_buf out = GC_BUF_INIT;
    char hex[2 * GC_PUBKEY_LEN + 1];
    struct gc_key key;
    json_t *rec;

    gc_key_generate(o->key, o->id, &key);
    gc_hex_encode(key.pk, GC_PUBKEY_LEN, hex);
    rec = json_pack("{s:s, s:i, s:s, s:s#}", "type", "party", "v", 1, "party", o->id, "pubkey", hex,
                    (int)(2 * GC_PUBKEY_LEN));
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_jcs_append(&out, rec);
    gc_buf_addc(&out, '\n');
    gc_write_all(1, "standard output", out.ptr, out.len);
    json_decref(rec);
    gc_buf_release(&out);
    gc_key_release(&key);
    return 0;
}

/* --- package --- */

struct packager {
    struct gc_terms terms;
    json_t *terms_rec;
    struct gc_map validators;
    const struct gc_issue_opts *opts;
    struct gc_price price;
    bool have_price;
    struct gc_collateral *c;
    size_t n, cap;
    struct gc_map hours; /* pool@hour of the snapshots taken */
    struct gc_buf msg, out;
};

static bool take_terms(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct packager *p = ctx;

    if (p->terms_rec != NULL)
        return gc_fail(f, "bad_field", "the terms file holds more than one record");
    if (!gc_terms_parse(rec, "terms", &p->terms, f))
        return false;
    p->terms_rec = json_incref(rec);
    return true;
}

static bool take_index(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct packager *p = ctx;

    return gc_terms_offer_price(&p->terms, rec, &p->msg, &p->price, &p->have_price, f);
}

/* A snapshot: co-signed by a quorum; kept when it is collateral, once per pool and hour. */
static bool take_snapshot(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                          struct gc_fail *f)
{
    struct packager *p = ctx;
    struct gc_collateral c;
    char key[160];
    bool is_collateral;

    if (!gc_field_const(rec, "type", "pool", f) ||
        !gc_quorum_check(rec, &p->validators, p->opts->quorum, f) ||
        !gc_terms_collateral(&p->terms, rec, &p->msg, &c, &is_collateral, f))
        return false;
    if (!is_collateral)
        return true;
    gc_snapshot_key(key, sizeof(key), c.pool, c.hour);
    if (gc_map_get(&p->hours, key) != NULL)
        return gc_fail(f, "duplicate", "a second snapshot of pool '%s' for that hour", c.pool);
    p->c = gc_grow(p->c, &p->cap, p->n + 1, sizeof(*p->c), 64);
    p->c[p->n] = c;
    gc_map_put(&p->hours, gc_xstrdup(key), &p->c[p->n]);
    p->n++;
    return true;
}

/*
 * Seals REC with KEY (or writes it unsigned when KEY is NULL), checks the
 * result through BOOK as gc-verify would, writes it, and gives its record hash.
 */
static void seal_emit(struct gc_filter *flt, struct gc_position_book *book, json_t *rec,
                      const struct gc_key *key, struct gc_buf *msg, struct gc_buf *out,
                      uint8_t hash[GC_SHA256_LEN])
{
    struct gc_fail f;
    json_t *back;

    if (key != NULL) {
        gc_signed_seal(rec, key, msg, out, hash);
    } else {
        gc_buf_reset(out);
        gc_jcs_append(out, rec);
        gc_sha256(out->ptr, out->len, hash);
    }
    back = gc_json_parse_object(out->ptr, out->len, &f);
    if (back == NULL || !gc_position_book_add(book, back, &f))
        gc_die(GC_EX_SOFTWARE, "a record just made does not check: %s: %s", f.reason, f.detail);
    json_decref(back);
    gc_filter_emit(flt, out->ptr, out->len);
}

/* The package record, then a position per subscription with units, most senior first. */
static void emit_package(struct packager *p, struct gc_filter *flt, const struct gc_valuation *val,
                         const struct gc_key *key)
{
    struct gc_position_book book;
    uint8_t package_hash[GC_SHA256_LEN], hash[GC_SHA256_LEN];
    json_t *rec;

    gc_position_book_init(&book, NULL, NULL);
    rec = gc_package_record(p->terms_rec, &p->terms, p->c, p->n,
                            p->terms.price_from_index ? &p->price : NULL, val, key->pk,
                            &p->validators, p->opts->quorum, &p->msg);
    seal_emit(flt, &book, rec, key, &p->msg, &p->out, package_hash);
    json_decref(rec);
    for (size_t k = 0; k < p->terms.n_tranches; k++)
        for (size_t i = 0; i < p->terms.n_subs; i++) {
            const struct gc_subscription *s = &p->terms.subs[i];

            if (s->tranche != k || s->units == 0)
                continue;
            rec = gc_position_new(p->terms.package, package_hash, p->terms.tranches[k].name,
                                  s->holder, s->units, (int64_t)i, &p->msg);
            seal_emit(flt, &book, rec, key, &p->msg, &p->out, hash);
            json_decref(rec);
        }
    gc_position_book_release(&book);
}

static int gc_issue_package(const struct gc_issue_opts *o)
{
    struct packager p = {.opts = o};
    struct gc_valuation val;
    struct gc_filter flt;
    struct gc_key key;
    struct gc_fail f;
    int status;

    gc_load_records(o->terms, false, take_terms, &p);
    if (p.terms_rec == NULL)
        gc_die(GC_EX_DATAERR, "%s: no terms record", o->terms);
    if (p.terms.price_from_index != (o->index != NULL))
        gc_cli_usage(p.terms.price_from_index ? "the terms price from an index: give --index"
                                              : "the terms fix the price: --index does not apply");
    gc_load_records(o->validators, false, gc_validator_add, &p.validators);
    if (o->index != NULL) {
        gc_load_records(o->index, false, take_index, &p);
        if (!p.have_price)
            gc_die(GC_EX_DATAERR,
                   "%s: no index of the pools in the %lld hours up to the start (no_price)",
                   o->index, (long long)p.terms.window_h);
        p.terms.price_micros = p.price.twap_micros;
    }
    gc_key_load_signing(o->key, &key);
    if (strcmp(key.device, p.terms.issuer) != 0)
        gc_die(GC_EX_DATAERR, "%s: the key is '%s', the terms name the issuer '%s'", o->key,
               key.device, p.terms.issuer);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_run(&flt, o->files, o->nfiles, take_snapshot, &p);
    if (!flt.stopped && flt.n_rej == 0) {
        if (gc_terms_value(&p.terms, p.c, p.n, &val, &f))
            emit_package(&p, &flt, &val, &key);
        else {
            gc_error("%s: the package is refused: %s: %s", o->terms, f.reason, f.detail);
            flt.stopped = true;
        }
    } else if (!flt.stopped)
        gc_error("no package: %llu snapshot(s) rejected", (unsigned long long)flt.n_rej);
    status = gc_filter_finish(&flt);
    if (status == 0 && flt.stopped)
        status = GC_EX_DATAERR;
    gc_key_release(&key);
    gc_terms_release(&p.terms);
    json_decref(p.terms_rec);
    gc_pubkey_set_release(&p.validators);
    for (size_t i = 0; i < p.hours.cap; i++)
        free((char *)p.hours.slots[i].key);
    gc_map_release(&p.hours);
    free(p.c);
    gc_buf_release(&p.msg);
    gc_buf_release(&p.out);
    return status;
}

/* --- transfer, pledge, release --- */

static bool take_owned(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                       struct gc_fail *f)
{
    struct gc_position_book *b = ctx;

    if (!gc_position_book_takes(rec))
        return gc_fail(f, "bad_field", "not a package, position, transfer, pledge or release");
    return gc_position_book_add(b, rec, f);
}

/* The new record of a holder or lender, from the book of everything read. */
static json_t *make_move(const struct gc_issue_opts *o, struct gc_position_book *b,
                         const struct gc_key *key, struct gc_buf *msg, struct gc_fail *f)
{
    struct gc_position *p;

    if (strcmp(o->verb, "release") == 0) {
        const struct gc_pledge *pl = gc_map_get(&b->pledges, o->pledge);

        if (pl == NULL || pl->released)
            return gc_fail(f, "not_pledged", "pledge %.16s… is not in force in the input",
                           o->pledge),
                   NULL;
        if (memcmp(pl->lender, key->pk, GC_PUBKEY_LEN) != 0)
            return gc_fail(f, "not_holder", "the key is not the pledge's lender"), NULL;
        return gc_release_new(pl);
    }
    p = gc_position_movable(b, o->position, key->pk, f);
    if (p == NULL)
        return NULL;
    if (p->pledge[0] != '\0')
        return gc_fail(f, "pledged", "position %.16s… is pledged (pledge %.16s…)", p->id,
                       p->pledge),
               NULL;
    if (strcmp(o->verb, "pledge") == 0)
        return gc_pledge_new(p, o->to, msg);
    if (o->units > p->units)
        return gc_fail(f, "over_units", "the position has %lld units", (long long)p->units), NULL;
    return gc_transfer_new(p, o->to, o->units ? o->units : p->units);
}

static int gc_issue_move(const struct gc_issue_opts *o)
{
    struct gc_position_book book;
    struct gc_buf msg = GC_BUF_INIT, out = GC_BUF_INIT;
    struct gc_filter flt;
    struct gc_key key;
    struct gc_fail f;
    json_t *rec;
    int status;

    gc_key_load_signing(o->key, &key);
    gc_position_book_init(&book, NULL, NULL);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_run(&flt, o->files, o->nfiles, take_owned, &book);
    if (!flt.stopped && flt.n_rej == 0) {
        rec = make_move(o, &book, &key, &msg, &f);
        if (rec == NULL) {
            gc_error("no %s: %s: %s", o->verb, f.reason, f.detail);
            flt.stopped = true;
        } else {
            uint8_t hash[GC_SHA256_LEN];
            char thash[GC_HASH_HEX];
            const json_t *made;

            seal_emit(&flt, &book, rec, &key, &msg, &out, hash);
            if (strcmp(o->verb, "transfer") == 0) {
                /* The positions the transfer makes follow it, so a reader can name them. */
                gc_hex_encode(hash, GC_SHA256_LEN, thash);
                for (int i = 0; (made = gc_position_output(&book, thash, i)) != NULL; i++)
                    seal_emit(&flt, &book, (json_t *)made, NULL, &msg, &out, hash);
            }
            json_decref(rec);
        }
    } else if (!flt.stopped)
        gc_error("no %s: %llu record(s) rejected", o->verb, (unsigned long long)flt.n_rej);
    status = gc_filter_finish(&flt);
    if (status == 0 && flt.stopped)
        status = GC_EX_DATAERR;
    gc_key_release(&key);
    gc_position_book_release(&book);
    gc_buf_release(&msg);
    gc_buf_release(&out);
    return status;
}

/* --- options --- */

static void parse_args(int argc, char **argv, struct gc_issue_opts *o)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"id", required_argument, NULL, OPT_ID},
        {"terms", required_argument, NULL, OPT_TERMS},
        {"validators", required_argument, NULL, OPT_VALIDATORS},
        {"quorum", required_argument, NULL, OPT_QUORUM},
        {"index", required_argument, NULL, OPT_INDEX},
        {"position", required_argument, NULL, OPT_POSITION},
        {"to", required_argument, NULL, OPT_TO},
        {"units", required_argument, NULL, OPT_UNITS},
        {"pledge", required_argument, NULL, OPT_PLEDGE},
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    /* The options each command takes, as bits of (1 << (code - OPT_ID)). */
    static const struct gc_cli_verb verbs[] = {
        {"keygen", 1u << (OPT_ID - OPT_ID)},
        {"package", 1u << (OPT_TERMS - OPT_ID) | 1u << (OPT_VALIDATORS - OPT_ID) |
                        1u << (OPT_QUORUM - OPT_ID) | 1u << (OPT_INDEX - OPT_ID)},
        {"transfer",
         1u << (OPT_POSITION - OPT_ID) | 1u << (OPT_TO - OPT_ID) | 1u << (OPT_UNITS - OPT_ID)},
        {"pledge", 1u << (OPT_POSITION - OPT_ID) | 1u << (OPT_TO - OPT_ID)},
        {"release", 1u << (OPT_PLEDGE - OPT_ID)},
    };
    unsigned given = 0;
    int c;

    memset(o, 0, sizeof(*o));
    o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        if (c >= OPT_ID && c <= OPT_PLEDGE)
            given |= 1u << (c - OPT_ID);
        switch (c) {
        case 'k':
            o->key = optarg;
            break;
        case OPT_ID:
            gc_cli_id("id", optarg, o->id);
            break;
        case OPT_TERMS:
            o->terms = optarg;
            break;
        case OPT_VALIDATORS:
            o->validators = optarg;
            break;
        case OPT_QUORUM:
            o->quorum = gc_cli_int("quorum", optarg, 1, 1000);
            break;
        case OPT_INDEX:
            o->index = optarg;
            break;
        case OPT_POSITION:
            gc_cli_hex("position", optarg, (uint8_t[GC_SHA256_LEN]){0}, GC_SHA256_LEN);
            snprintf(o->position, sizeof(o->position), "%s", optarg);
            break;
        case OPT_TO:
            gc_cli_hex("to", optarg, o->to, sizeof(o->to));
            o->have_to = true;
            break;
        case OPT_UNITS:
            o->units = gc_cli_int("units", optarg, 1, INT64_MAX);
            break;
        case OPT_PLEDGE:
            gc_cli_hex("pledge", optarg, (uint8_t[GC_SHA256_LEN]){0}, GC_SHA256_LEN);
            snprintf(o->pledge, sizeof(o->pledge), "%s", optarg);
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->verb == NULL)
        gc_cli_usage("a command is required: keygen, package, transfer, pledge or release");
    gc_cli_verb_check(o->verb, verbs, sizeof(verbs) / sizeof(*verbs), longopts, OPT_ID, given);
    if (o->key == NULL)
        gc_cli_usage("%s needs -k KEYFILE", o->verb);
    if (strcmp(o->verb, "keygen") == 0) {
        if (o->id[0] == '\0' || o->nfiles > 0)
            gc_cli_usage("keygen needs --id ID and takes no files");
        if (o->filter.output != NULL || o->filter.rejects != NULL)
            gc_cli_usage("keygen prints its party record on standard output: no -o or --rejects");
    } else if (strcmp(o->verb, "package") == 0) {
        if (o->terms == NULL || o->validators == NULL || o->quorum == 0)
            gc_cli_usage("package needs --terms, --validators and --quorum");
    } else if (strcmp(o->verb, "release") == 0) {
        if (o->pledge[0] == '\0')
            gc_cli_usage("release needs --pledge ID");
    } else if (o->position[0] == '\0' || !o->have_to) {
        gc_cli_usage("%s needs --position ID and --to PUBKEY", o->verb);
    }
}

int main(int argc, char **argv)
{
    struct gc_issue_opts opts;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    if (strcmp(opts.verb, "keygen") == 0)
        return gc_issue_keygen(&opts);
    if (strcmp(opts.verb, "package") == 0)
        return gc_issue_package(&opts);
    return gc_issue_move(&opts);
}
