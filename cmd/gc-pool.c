/*
 * gc-pool — hourly matching of green generation to compute per grid zone:
 * allocations, certificates and zone-hour matches from verified
 * attestations. See gc-pool(1) and gc-records(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_cli.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_filter.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_match.h"
#include "gc_num.h"
#include "gc_reading.h"
#include "gc_registry.h"
#include "banned.h"

static const char help[] =
    "usage: gc-pool match --registry FILE [--sorted] [--partial] [-o FILE] [--rejects FILE]\n"
    "                     [--max-line-bytes N] [-q] [--progress] [FILE...]\n"
    "       gc-pool merge --registry FILE [-o FILE] [--rejects FILE] [FILE...]\n"
    "       gc-pool audit [-q] [FILE...]\n"
    "       gc-pool -h | --help | -V | --version\n"
    "\n"
    "Match green generation to compute hour by hour in each grid zone; no watt-hour\n"
    "of generation is claimed twice.\n"
    "\n"
    "match   read verified attestations, write allocation, certificate and match records\n"
    "merge   match the partial records of match --partial runs, as one run would\n"
    "audit   check certificates and allocations from any number of runs: no producer-hour\n"
    "        claimed twice or beyond its energy\n"
    "\n"
    "      --registry FILE      device records (NDJSON, may be zstd-compressed)\n"
    "      --sorted             match: the input is in hour order; match each hour as it\n"
    "                           ends, in bounded memory\n"
    "      --partial            match: write per device-hour partial sums for merge\n"
    "  -o, --output FILE        write records here (atomically; .zst compresses)\n"
    "      --rejects FILE       write bad lines here as reject records and go on\n"
    "      --max-line-bytes N   longest accepted input line (default 1048576)\n"
    "  -q, --quiet              no summary line on standard error\n"
    "      --progress           progress on standard error even when not a terminal\n"
    "  -h, --help               this help\n"
    "  -V, --version            program version\n";

enum {
    OPT_REGISTRY = GC_OPT_PROGRAM,
    OPT_SORTED,
    OPT_PARTIAL,
};

struct gc_pool_opts {
    const char *verb;
    const char *registry;
    bool sorted;
    bool partial;
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

struct gc_pool_match {
    const struct gc_pool_opts *opts;
    bool have_hour;
    int64_t hour; /* --sorted: the latest hour seen */
    struct gc_registry registry;
    struct gc_matcher matcher;
    struct gc_buf msg;
};

static void match_out(void *ctx, const char *rec, size_t len)
{
    gc_filter_emit(ctx, rec, len);
}

/* After a stop at a bad line nothing is matched: a partial match would mislead. */
static void discard_out(void *ctx, const char *rec, size_t len)
{
}

/* --- audit --- */

/* Where a record was read, for messages that name both of two records. */
struct gc_place {
    char *source;
    uint64_t line;
};

/* One producer-hour as the audit sees it. */
struct gc_audited {
    char key[96];
    struct gc_place cert; /* its first certificate */
    int64_t energy_wh;
    int64_t claimed_wh;    /* by its certificates */
    int64_t sourced_wh;    /* drawn on by allocations */
    struct gc_place alloc; /* the allocation that first drew on it */
};

struct gc_pool_audit {
    struct gc_map producers; /* "device@hour" -> struct gc_audited * */
    uint64_t n_certs, n_allocs, n_problems;
};

static struct gc_audited *audited(struct gc_pool_audit *a, const char *device, const char *hour)
{
    char key[96];
    struct gc_audited *p;

    snprintf(key, sizeof(key), "%s@%s", device, hour);
    p = gc_map_get(&a->producers, key);
    if (p == NULL) {
        p = calloc(1, sizeof(*p));
        if (p == NULL)
            gc_die(GC_EX_SOFTWARE, "out of memory");
        memcpy(p->key, key, sizeof(key));
        gc_map_put(&a->producers, p->key, p);
    }
    return p;
}

static void place_set(struct gc_place *pl, const struct gc_filter *flt, const struct gc_line *line)
{
    pl->source = strdup(flt->source);
    if (pl->source == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    pl->line = line->line_no;
}

static void problem(struct gc_pool_audit *a, const struct gc_place *x, const struct gc_filter *flt,
                    const struct gc_line *line, const char *reason, const char *what)
{
    a->n_problems++;
    gc_error("%s:%llu and %s:%llu: %s: %s", x->source, (unsigned long long)x->line, flt->source,
             (unsigned long long)line->line_no, reason, what);
}

static bool audit_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                         struct gc_fail *f)
{
    struct gc_pool_audit *a = ctx;
    const char *type, *device, *hour;
    int64_t v, energy, claimed, wh;
    json_t *parts;
    char what[256];

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    /* match records and the rest of a matched file are read and passed over */
    if (strcmp(type, "certificate") != 0 && strcmp(type, "allocation") != 0)
        return true;
    if (!gc_field_int(rec, "v", 1, 1, &v, f) || !gc_field_id(rec, "device", &device, f) ||
        !gc_field_str(rec, "hour", &hour, NULL, f))
        return false;
    if (strcmp(type, "certificate") == 0) {
        struct gc_audited *p = audited(a, device, hour);

        if (!gc_field_int(rec, "energy_wh", 0, INT64_MAX, &energy, f) ||
            !gc_field_int(rec, "claimed_wh", 0, INT64_MAX, &claimed, f))
            return false;
        a->n_certs++;
        if (p->cert.source != NULL && claimed > 0 && p->claimed_wh > 0) {
            snprintf(what, sizeof(what), "producer '%s' at %s is claimed by two certificates",
                     device, hour);
            problem(a, &p->cert, flt, line, "double_claim", what);
        }
        if (p->cert.source == NULL)
            place_set(&p->cert, flt, line);
        if (energy > p->energy_wh)
            p->energy_wh = energy;
        p->claimed_wh += claimed;
        if (claimed > energy) {
            snprintf(what, sizeof(what), "producer '%s' at %s: %lld Wh claimed of %lld", device,
                     hour, (long long)claimed, (long long)energy);
            problem(a, &p->cert, flt, line, "over_claim", what);
        }
        return true;
    }
    parts = json_object_get(rec, "sources");
    if (!json_is_array(parts))
        return gc_fail(f, "bad_field", "field 'sources' must be an array");
    a->n_allocs++;
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *part = json_array_get(parts, i);
        const char *from;
        struct gc_audited *p;

        if (!json_is_object(part) || !gc_field_id(part, "device", &from, f) ||
            !gc_field_int(part, "wh", 0, INT64_MAX, &wh, f))
            return false;
        p = audited(a, from, hour);
        if (p->alloc.source == NULL)
            place_set(&p->alloc, flt, line);
        p->sourced_wh += wh;
    }
    return true;
}

/* After reading everything: allocations may draw on a producer-hour only what it has. */
static void audit_totals(struct gc_pool_audit *a)
{
    struct gc_audited **all = (struct gc_audited **)gc_map_sorted_values(&a->producers);

    for (size_t i = 0; i < a->producers.n; i++) {
        struct gc_audited *p = all[i];

        if (p->sourced_wh > 0 && (p->cert.source == NULL || p->sourced_wh > p->energy_wh)) {
            a->n_problems++;
            if (p->cert.source == NULL)
                gc_error("%s:%llu: over_claim: allocations draw %lld Wh on '%s', which has no "
                         "certificate",
                         p->alloc.source, (unsigned long long)p->alloc.line,
                         (long long)p->sourced_wh, p->key);
            else
                gc_error("%s:%llu and %s:%llu: over_claim: allocations draw %lld Wh on '%s', "
                         "whose certificate has %lld",
                         p->cert.source, (unsigned long long)p->cert.line, p->alloc.source,
                         (unsigned long long)p->alloc.line, (long long)p->sourced_wh, p->key,
                         (long long)p->energy_wh);
        }
        free(p->cert.source);
        free(p->alloc.source);
        free(p);
    }
    free(all);
    gc_map_release(&a->producers);
}

static int gc_pool_audit(const struct gc_pool_opts *o)
{
    struct gc_pool_audit a;
    struct gc_filter flt;
    int rc;

    memset(&a, 0, sizeof(a));
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_run(&flt, o->files, o->nfiles, audit_record, &a);
    audit_totals(&a);
    rc = gc_filter_finish(&flt);
    if (!o->filter.quiet)
        fprintf(stderr, "%s: %llu certificates, %llu allocations, %llu problems\n", gc_progname(),
                (unsigned long long)a.n_certs, (unsigned long long)a.n_allocs,
                (unsigned long long)a.n_problems);
    return a.n_problems > 0 ? GC_EX_DATAERR : rc;
}

/* --- match --- */

/* An attestation in: checked against the registry, hashed, added to its device-hour. */
static bool match_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                         struct gc_fail *f)
{
    struct gc_pool_match *pm = ctx;
    const struct gc_device *d;
    struct gc_reading r;
    uint8_t hash[GC_SHA256_LEN];

    if (!gc_reading_parse(rec, GC_ATTESTATION, &r, f))
        return false;
    d = gc_registry_find(&pm->registry, r.device);
    if (d == NULL)
        return gc_fail(f, "unknown_device", "device '%s' is not in the registry", r.device);
    if (!gc_reading_check_form(&r, d, f) || !gc_reading_check_period(&r, f))
        return false;
    if (pm->opts->sorted) {
        int64_t hour = gc_floor_div(r.ts, 3600) * 3600;

        /* A record of a later hour ends the hours before it: match and forget them. */
        if (pm->have_hour && hour > pm->hour)
            gc_matcher_flush(&pm->matcher, hour);
        if (!pm->have_hour || hour > pm->hour)
            pm->hour = hour;
        pm->have_hour = true;
    }
    gc_buf_reset(&pm->msg);
    gc_jcs_append_without(&pm->msg, rec, "sig", NULL);
    gc_sha256(pm->msg.ptr, pm->msg.len, hash);
    return gc_matcher_add(&pm->matcher, d, &r, hash, f);
}

/* A partial record of a match --partial run: its sums join the device-hour's. */
static bool merge_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                         struct gc_fail *f)
{
    struct gc_pool_match *pm = ctx;
    struct gc_match_sums sums;
    const struct gc_device *d;
    const char *device;
    uint8_t(*hashes)[GC_SHA256_LEN];
    json_t *inputs;
    int64_t v, hour;
    size_t n;
    bool ok;

    if (!gc_field_const(rec, "type", "partial", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id(rec, "device", &device, f) || !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_int(rec, "energy_wh", 0, INT64_MAX, &sums.energy_wh, f) ||
        !gc_field_int(rec, "charge_wh", 0, INT64_MAX, &sums.charge_wh, f) ||
        !gc_field_int(rec, "discharge_wh", 0, INT64_MAX, &sums.discharge_wh, f) ||
        !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &sums.gpu_s, f))
        return false;
    if (gc_floor_div(hour, 3600) * 3600 != hour)
        return gc_fail(f, "bad_field", "field 'hour' must be the start of an hour");
    d = gc_registry_find(&pm->registry, device);
    if (d == NULL)
        return gc_fail(f, "unknown_device", "device '%s' is not in the registry", device);
    inputs = json_object_get(rec, "inputs");
    if (!json_is_array(inputs) || json_array_size(inputs) == 0)
        return gc_fail(f, "bad_field", "field 'inputs' must be a non-empty array of hashes");
    n = json_array_size(inputs);
    hashes = calloc(n, sizeof(*hashes));
    if (hashes == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *h = json_array_get(inputs, i);

        ok = json_is_string(h) &&
             gc_hex_decode(json_string_value(h), json_string_length(h), hashes[i], GC_SHA256_LEN);
    }
    if (!ok)
        gc_fail(f, "bad_field", "field 'inputs' must hold 64-digit lowercase hex hashes");
    else
        ok = gc_matcher_add_sums(&pm->matcher, d, hour, &sums,
                                 (const uint8_t(*)[GC_SHA256_LEN])hashes, n, f);
    free(hashes);
    return ok;
}

static int gc_pool_match(const struct gc_pool_opts *o)
{
    struct gc_pool_match pm;
    struct gc_filter flt;

    memset(&pm, 0, sizeof(pm));
    pm.opts = o;
    gc_registry_load(&pm.registry, o->registry);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true; /* records come out per zone-hour, not per line */
    gc_matcher_init(&pm.matcher, match_out, &flt);
    pm.matcher.partial = o->partial;
    gc_filter_run(&flt, o->files, o->nfiles,
                  strcmp(o->verb, "merge") == 0 ? merge_record : match_record, &pm);
    if (flt.stopped)
        pm.matcher.out = discard_out;
    gc_matcher_finish(&pm.matcher);
    gc_registry_release(&pm.registry);
    gc_buf_release(&pm.msg);
    return gc_filter_finish(&flt);
}

static void parse_args(int argc, char **argv, struct gc_pool_opts *o)
{
    static const struct option longopts[] = {
        {"registry", required_argument, NULL, OPT_REGISTRY},
        {"sorted", no_argument, NULL, OPT_SORTED},
        {"partial", no_argument, NULL, OPT_PARTIAL},
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        switch (c) {
        case OPT_REGISTRY:
            o->registry = optarg;
            break;
        case OPT_SORTED:
            o->sorted = true;
            break;
        case OPT_PARTIAL:
            o->partial = true;
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->verb == NULL)
        gc_cli_usage("a command is needed: match, merge or audit");
    if (strcmp(o->verb, "match") != 0 && strcmp(o->verb, "merge") != 0 &&
        strcmp(o->verb, "audit") != 0)
        gc_cli_usage("unknown command '%s' (match, merge or audit)", o->verb);
    if (strcmp(o->verb, "audit") != 0 && o->registry == NULL)
        gc_cli_usage("%s needs --registry", o->verb);
    if ((o->sorted || o->partial) && strcmp(o->verb, "match") != 0)
        gc_cli_usage("--sorted and --partial go with match");
}

int main(int argc, char **argv)
{
    struct gc_pool_opts opts;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    if (strcmp(opts.verb, "audit") == 0)
        return gc_pool_audit(&opts);
    return gc_pool_match(&opts); /* match and merge */
}
