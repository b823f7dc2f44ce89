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
#include "gc_json.h"
#include "gc_match.h"
#include "gc_reading.h"
#include "gc_registry.h"
#include "banned.h"

static const char help[] =
    "usage: gc-pool match --registry FILE [-o FILE] [--rejects FILE] [--max-line-bytes N]\n"
    "                     [-q] [--progress] [FILE...]\n"
    "       gc-pool -h | --help | -V | --version\n"
    "\n"
    "Match green generation to compute hour by hour in each grid zone; no watt-hour\n"
    "of generation is claimed twice.\n"
    "\n"
    "match   read verified attestations, write allocation, certificate and match records\n"
    "\n"
    "      --registry FILE      device records (NDJSON, may be zstd-compressed)\n"
    "  -o, --output FILE        write records here (atomically; .zst compresses)\n"
    "      --rejects FILE       write bad lines here as reject records and go on\n"
    "      --max-line-bytes N   longest accepted input line (default 1048576)\n"
    "  -q, --quiet              no summary line on standard error\n"
    "      --progress           progress on standard error even when not a terminal\n"
    "  -h, --help               this help\n"
    "  -V, --version            program version\n";

enum {
    OPT_REGISTRY = GC_OPT_PROGRAM,
};

struct gc_pool_opts {
    const char *verb;
    const char *registry;
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

struct gc_pool_match {
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
    gc_buf_reset(&pm->msg);
    gc_jcs_append_without(&pm->msg, rec, "sig", NULL);
    gc_sha256(pm->msg.ptr, pm->msg.len, hash);
    return gc_matcher_add(&pm->matcher, d, &r, hash, f);
}

static int gc_pool_match(const struct gc_pool_opts *o)
{
    struct gc_pool_match pm;
    struct gc_filter flt;

    memset(&pm, 0, sizeof(pm));
    gc_registry_load(&pm.registry, o->registry);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true; /* records come out per zone-hour, not per line */
    gc_matcher_init(&pm.matcher, match_out, &flt);
    gc_filter_run(&flt, o->files, o->nfiles, match_record, &pm);
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
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    if (argc > 1 && argv[1][0] != '-') {
        o->verb = argv[1];
        argv++;
        argc--;
    }
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        switch (c) {
        case OPT_REGISTRY:
            o->registry = optarg;
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->verb == NULL)
        gc_cli_usage("a command is needed: match");
    if (strcmp(o->verb, "match") != 0)
        gc_cli_usage("unknown command '%s' (match)", o->verb);
    if (o->registry == NULL)
        gc_cli_usage("match needs --registry");
}

int main(int argc, char **argv)
{
    struct gc_pool_opts opts;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    return gc_pool_match(&opts);
}
