/*
 * gc-verify — checks attestations against the device registry: signatures,
 * chains, physical plausibility, location. Valid records pass through byte
 * for byte; the rest become reject records. See gc-verify(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc_chain.h"
#include "gc_chain_state.h"
#include "gc_cli.h"
#include "gc_cosign.h"
#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_err.h"
#include "gc_filter.h"
#include "gc_json.h"
#include "gc_map.h"
#include "gc_reading.h"
#include "gc_registry.h"
#include "banned.h"

static const char help[] =
    "usage: gc-verify --registry FILE [--state FILE] [--now TS] [--slack-bps N]\n"
    "                 [--validators FILE --quorum K]\n"
    "                 [-o FILE] [--rejects FILE] [--max-line-bytes N] [-q] [--progress]\n"
    "                 [FILE...]\n"
    "       gc-verify -h | --help | -V | --version\n"
    "\n"
    "Check attestations against the device registry; pass the valid ones through\n"
    "byte for byte and reject the rest with a reason.\n"
    "\n"
    "      --registry FILE      device records (NDJSON, may be zstd-compressed)\n"
    "      --state FILE         chain heads, carried from run to run\n"
    "      --now TS             the present, RFC 3339 UTC (default: the system clock)\n"
    "      --slack-bps N        tolerance above rated power (default 1000 = 10 %)\n"
    "      --validators FILE    validator records: check pool snapshots' co-signatures\n"
    "      --quorum K           signatures of distinct listed validators a snapshot needs\n"
    "  -o, --output FILE        write records here (atomically; .zst compresses)\n"
    "      --rejects FILE       write bad lines here as reject records and go on\n"
    "      --max-line-bytes N   longest accepted input line (default 1048576)\n"
    "  -q, --quiet              no summary line on standard error\n"
    "      --progress           progress on standard error even when not a terminal\n"
    "  -h, --help               this help\n"
    "  -V, --version            program version\n";

enum {
    OPT_REGISTRY = GC_OPT_PROGRAM,
    OPT_STATE,
    OPT_NOW,
    OPT_SLACK,
    OPT_VALIDATORS,
    OPT_QUORUM,
};

struct gc_verify_opts {
    const char *registry;
    const char *state;
    int64_t now_s;
    int64_t slack_bps;
    const char *validators;
    int64_t quorum;
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

struct gc_verifier {
    const struct gc_verify_opts *opts;
    struct gc_registry registry;
    struct gc_map validators; /* lowercase hex public key -> validator id */
    struct gc_chains chains;
    struct gc_buf msg;
};

/*
 * The checks of gc-verify(1), in the order listed there: the record's form,
 * then authenticity (signature, then its place in the device's chain), then
 * its content. An authentic, well-linked record moves the chain head even
 * when its content is refused, so one implausible reading does not make the
 * next one look like a gap.
 */
static bool verify_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                          struct gc_fail *f)
{
    struct gc_verifier *v = ctx;
    const struct gc_device *d;
    struct gc_reading r;
    uint8_t hash[GC_SHA256_LEN];
    const json_t *type = json_object_get(rec, "type");

    /* Pool snapshots: accepted with a quorum of validator co-signatures. */
    if (json_is_string(type) && strcmp(json_string_value(type), "pool") == 0) {
        if (v->opts->validators == NULL)
            return gc_fail(f, "bad_field", "a pool snapshot needs --validators and --quorum");
        if (!gc_quorum_check(rec, &v->validators, v->opts->quorum, f))
            return false;
        gc_filter_emit(flt, line->bytes, line->len);
        return true;
    }
    if (v->opts->registry == NULL)
        return gc_fail(f, "bad_field", "an attestation needs --registry");
    if (!gc_reading_parse(rec, GC_ATTESTATION, &r, f))
        return false;
    d = gc_registry_find(&v->registry, r.device);
    if (d == NULL)
        return gc_fail(f, "unknown_device", "device '%s' is not in the registry", r.device);
    if (!gc_reading_check_form(&r, d, f) ||
        !gc_attestation_check_sig(rec, &r, d->pubkey, &v->msg, hash, f) ||
        !gc_chain_check(&v->chains, gc_chains_head(&v->chains, r.device), r.seq, r.prev, hash, r.ts,
                        f) ||
        !gc_reading_check_location(&r, d, f) || !gc_reading_check_period(&r, f) ||
        !gc_reading_check_capacity(&r, d, v->opts->slack_bps, f) ||
        !gc_reading_check_time(&r, v->opts->now_s, f))
        return false;
    gc_filter_emit(flt, line->bytes, line->len);
    return true;
}

static bool load_validator(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct gc_map *validators = ctx;
    const char *id;
    uint8_t pk[GC_PUBKEY_LEN];
    int64_t v;
    char *key;

    if (!gc_field_const(rec, "type", "validator", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id(rec, "validator", &id, f) || !gc_field_hex(rec, "pubkey", pk, sizeof(pk), f))
        return false;
    key = strdup(json_string_value(json_object_get(rec, "pubkey")));
    if (key == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    if (gc_map_get(validators, key) != NULL) {
        free(key);
        return gc_fail(f, "bad_field", "a validator key is listed twice");
    }
    gc_map_put(validators, key, key);
    return true;
}

static int gc_verify_run(const struct gc_verify_opts *o)
{
    struct gc_verifier v = {.opts = o};
    struct gc_filter flt;
    int status;

    gc_chains_init(&v.chains);
    if (o->registry != NULL)
        gc_registry_load(&v.registry, o->registry);
    if (o->validators != NULL)
        gc_load_records(o->validators, false, load_validator, &v.validators);
    if (o->state != NULL) {
        gc_lock_state(o->state);
        gc_chains_load(&v.chains, o->state);
    }
    gc_filter_init(&flt, &o->filter);
    gc_filter_run(&flt, o->files, o->nfiles, verify_record, &v);
    status = gc_filter_finish(&flt);
    if (o->state != NULL && !flt.stopped && v.chains.dirty)
        gc_chains_save(&v.chains, o->state);

    gc_registry_release(&v.registry);
    for (size_t i = 0; i < v.validators.cap; i++)
        free(v.validators.slots[i].value);
    gc_map_release(&v.validators);
    gc_chains_release(&v.chains);
    gc_buf_release(&v.msg);
    return status;
}

static void parse_args(int argc, char **argv, struct gc_verify_opts *o)
{
    static const struct option longopts[] = {
        {"registry", required_argument, NULL, OPT_REGISTRY},
        {"state", required_argument, NULL, OPT_STATE},
        {"now", required_argument, NULL, OPT_NOW},
        {"slack-bps", required_argument, NULL, OPT_SLACK},
        {"validators", required_argument, NULL, OPT_VALIDATORS},
        {"quorum", required_argument, NULL, OPT_QUORUM},
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    bool have_now = false;
    int c;

    memset(o, 0, sizeof(*o));
    o->slack_bps = 1000;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        switch (c) {
        case OPT_REGISTRY:
            o->registry = optarg;
            break;
        case OPT_STATE:
            o->state = optarg;
            break;
        case OPT_NOW:
            o->now_s = gc_cli_time("now", optarg);
            have_now = true;
            break;
        case OPT_VALIDATORS:
            o->validators = optarg;
            break;
        case OPT_QUORUM:
            o->quorum = gc_cli_int("quorum", optarg, 1, 1000);
            break;
        case OPT_SLACK:
            o->slack_bps = gc_cli_int("slack-bps", optarg, 0, 1000000);
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->registry == NULL && o->validators == NULL)
        gc_cli_usage("--registry is required (or --validators for pool snapshots)");
    if ((o->validators == NULL) != (o->quorum == 0))
        gc_cli_usage("--validators and --quorum go together");
    if (!have_now)
        o->now_s = (int64_t)time(NULL);
}

int main(int argc, char **argv)
{
    struct gc_verify_opts opts;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    return gc_verify_run(&opts);
}
