/*
 * gc-attest — device keys, and meter readings signed into per-device hash
 * chains of attestations. See gc-attest(1) and gc-records(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_chain.h"
#include "gc_chain_state.h"
#include "gc_cli.h"
#include "gc_crypto.h"
#include "gc_device.h"
#include "gc_err.h"
#include "gc_filter.h"
#include "gc_import.h"
#include "gc_json.h"
#include "gc_map.h"
#include "gc_reading.h"
#include "gc_time.h"
#include "banned.h"

static const char help[] =
    "usage: gc-attest keygen --device ID --class CLASS --rated-w W --zone ZONE -k KEYFILE\n"
    "                        [--geohash G] [--gpus N] [--efficiency-bps N] [--owner ID]\n"
    "       gc-attest sign --keydir DIR --state FILE [-o FILE] [--rejects FILE]\n"
    "                      [--max-line-bytes N] [-q] [--progress] [FILE...]\n"
    "       gc-attest import --format F [--device ID] [--period-s N] [--tz OFFSET]\n"
    "                        [--max-gap-s N] [--map SPEC] [--counter] [-o FILE]\n"
    "                        [--rejects FILE] [FILE...]\n"
    "       gc-attest -h | --help | -V | --version\n"
    "\n"
    "Sign meter readings into per-device hash chains of attestations.\n"
    "\n"
    "keygen  write a new Ed25519 secret key to KEYFILE (mode 0600, never overwritten)\n"
    "        and print the device's registry record on standard output\n"
    "sign    read reading records, write attestation records\n"
    "import  turn telemetry exports into reading records, energy integrated exactly\n"
    "\n"
    "  -k, --key KEYFILE        secret key file to create (keygen)\n"
    "      --device ID          device id, [a-z0-9][a-z0-9._-]{0,63}; import: id prefix\n"
    "      --class CLASS        pv, wind, hydro, battery, gpu, asic or charger\n"
    "      --rated-w W          rated power in watts\n"
    "      --zone ZONE          grid zone id\n"
    "      --geohash G          location of the device\n"
    "      --gpus N             GPUs behind the meter (gpu class, default 1)\n"
    "      --efficiency-bps N   round-trip efficiency (battery class)\n"
    "      --owner ID           owner id\n"
    "      --keydir DIR         the key of device X is DIR/X.key\n"
    "      --state FILE         chain heads, carried from run to run\n"
    "      --format F           import: nvidia-smi, dcgm or csv\n"
    "      --map SPEC           import csv: ts=COL,end=COL,device=COL,energy_wh=COL\n"
    "                           (or energy_kwh=COL): the columns to read\n"
    "      --counter            import csv: the energy column is a cumulative register\n"
    "      --period-s N         import: period length, divides 3600 (default 300)\n"
    "      --tz OFFSET          import: UTC offset of local timestamps (default Z)\n"
    "      --max-gap-s N        import: longest gap bridged between samples (default 60)\n"
    "  -o, --output FILE        write records here (atomically; .zst compresses)\n"
    "      --rejects FILE       write bad lines here as reject records and go on\n"
    "      --max-line-bytes N   longest accepted input line (default 1048576)\n"
    "  -q, --quiet              no summary line on standard error\n"
    "      --progress           progress on standard error even when not a terminal\n"
    "  -h, --help               this help\n"
    "  -V, --version            program version\n";

enum {
    OPT_DEVICE = GC_OPT_PROGRAM,
    OPT_CLASS,
    OPT_RATED_W,
    OPT_ZONE,
    OPT_GEOHASH,
    OPT_GPUS,
    OPT_EFFICIENCY,
    OPT_OWNER,
    OPT_KEYDIR,
    OPT_STATE,
    OPT_FORMAT,
    OPT_PERIOD,
    OPT_TZ,
    OPT_MAX_GAP,
    OPT_MAP,
    OPT_COUNTER,
};

struct gc_attest_opts {
    const char *verb;
    /* keygen */
    const char *key_path;
    struct gc_device device;
    bool have_device, have_class, have_rated, have_zone;
    /* sign */
    const char *keydir;
    const char *state;
    /* import */
    struct gc_import_opts import;
    bool have_format;
    char *map_store;
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

/* --- keygen --- */

static int gc_attest_keygen(const struct gc_attest_opts *o)
{
    struct gc_device d = o->device;
    struct gc_buf out = GC_BUF_INIT;
    struct gc_key key;
    json_t *rec;

    gc_key_generate(o->key_path, d.id, &key);
    memcpy(d.pubkey, key.pk, sizeof(d.pubkey));
    gc_key_release(&key);
    rec = gc_device_to_json(&d);
    gc_jcs_append(&out, rec);
    gc_buf_addc(&out, '\n');
    json_decref(rec);
    fwrite(out.ptr, 1, out.len, stdout);
    gc_buf_release(&out);
    if (fflush(stdout) != 0 || ferror(stdout))
        gc_die_errno(GC_EX_IOERR, "write error on standard output");
    return GC_EX_OK;
}

/* --- sign --- */

/* Marks a device whose key file does not exist, so it is looked for once. */
static struct gc_key no_key;

struct gc_signer {
    const struct gc_attest_opts *opts;
    struct gc_map keys; /* device -> struct gc_key *, or &no_key */
    struct gc_chains chains;
    struct gc_buf msg, rec_out, path;
};

static const struct gc_key *signer_key(struct gc_signer *s, const char *device)
{
    struct gc_key *key = gc_map_get(&s->keys, device);

    if (key != NULL)
        return key == &no_key ? NULL : key;
    gc_buf_reset(&s->path);
    gc_buf_addf(&s->path, "%s/%s.key", s->opts->keydir, device);
    key = malloc(sizeof(*key));
    if (key == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    if (gc_key_load(s->path.ptr, device, key) == GC_KEY_MISSING) {
        free(key);
        key = &no_key;
        /* The map borrows its keys: keep the device name alive with the entry. */
        gc_map_put(&s->keys, strdup(device), key);
        return NULL;
    }
    gc_map_put(&s->keys, key->device, key);
    return key;
}

static bool sign_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                        struct gc_fail *f)
{
    struct gc_signer *s = ctx;
    struct gc_reading r;
    struct gc_chain_head *h;
    const struct gc_key *key;
    uint8_t prev[GC_SHA256_LEN], hash[GC_SHA256_LEN];
    int64_t seq;

    /* Sign what the meter said; judging it (period, capacity, zone) is gc-verify's job. */
    if (!gc_reading_parse(rec, GC_READING, &r, f))
        return false;
    key = signer_key(s, r.device);
    if (key == NULL)
        return gc_fail(f, "unknown_device", "no key file '%s/%s.key'", s->opts->keydir, r.device);
    h = gc_chains_head(&s->chains, r.device);
    if (!gc_chain_next(h, r.ts, &seq, prev, f))
        return false;
    gc_attestation_seal(rec, seq, prev, key, &s->msg, &s->rec_out, hash);
    gc_chain_advance(&s->chains, h, seq, hash, r.ts);
    gc_filter_emit(flt, s->rec_out.ptr, s->rec_out.len);
    return true;
}

static int gc_attest_sign(const struct gc_attest_opts *o)
{
    struct gc_signer s = {.opts = o};
    struct gc_filter flt;
    int status;

    gc_chains_init(&s.chains);
    gc_lock_state(o->state);
    gc_chains_load(&s.chains, o->state);
    gc_filter_init(&flt, &o->filter);
    gc_filter_run(&flt, o->files, o->nfiles, sign_record, &s);
    /* Output first, then the heads: a crash in between re-signs the same records identically. */
    status = gc_filter_finish(&flt);
    if (!flt.stopped && s.chains.dirty)
        gc_chains_save(&s.chains, o->state);

    for (size_t i = 0; i < s.keys.cap; i++) {
        struct gc_key *key = s.keys.slots[i].value;

        if (key == &no_key) {
            free((char *)s.keys.slots[i].key);
        } else if (key != NULL) {
            gc_key_release(key);
            free(key);
        }
    }
    gc_map_release(&s.keys);
    gc_chains_release(&s.chains);
    gc_buf_release(&s.msg);
    gc_buf_release(&s.rec_out);
    gc_buf_release(&s.path);
    return status;
}

/* --- import --- */

static void import_out(void *ctx, const char *rec, size_t len)
{
    gc_filter_emit(ctx, rec, len);
}

static bool import_line(void *ctx, struct gc_filter *flt, const char *source,
                        const struct gc_line *line, struct gc_fail *f)
{
    return gc_importer_line(ctx, source, line, f);
}

static int gc_attest_import(const struct gc_attest_opts *o)
{
    struct gc_importer im;
    struct gc_filter flt;

    gc_filter_init(&flt, &o->filter);
    gc_importer_init(&im, &o->import, import_out, &flt);
    gc_filter_run_lines(&flt, o->files, o->nfiles, import_line, &im);
    gc_importer_finish(&im);
    free(o->map_store);
    return gc_filter_finish(&flt);
}

/* --- command line --- */

static void copy_id_opt(char out[65], const char *name, const char *arg)
{
    if (!gc_id_valid(arg, strlen(arg)))
        gc_cli_usage("option '--%s': '%s' is not an id ([a-z0-9][a-z0-9._-]{0,63})", name, arg);
    snprintf(out, 65, "%s", arg);
}

static void parse_args(int argc, char **argv, struct gc_attest_opts *o)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"device", required_argument, NULL, OPT_DEVICE},
        {"class", required_argument, NULL, OPT_CLASS},
        {"rated-w", required_argument, NULL, OPT_RATED_W},
        {"zone", required_argument, NULL, OPT_ZONE},
        {"geohash", required_argument, NULL, OPT_GEOHASH},
        {"gpus", required_argument, NULL, OPT_GPUS},
        {"efficiency-bps", required_argument, NULL, OPT_EFFICIENCY},
        {"owner", required_argument, NULL, OPT_OWNER},
        {"keydir", required_argument, NULL, OPT_KEYDIR},
        {"state", required_argument, NULL, OPT_STATE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"period-s", required_argument, NULL, OPT_PERIOD},
        {"tz", required_argument, NULL, OPT_TZ},
        {"max-gap-s", required_argument, NULL, OPT_MAX_GAP},
        {"map", required_argument, NULL, OPT_MAP},
        {"counter", no_argument, NULL, OPT_COUNTER},
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    bool keygen, sign, import;
    int c;

    memset(o, 0, sizeof(*o));
    o->device.gpus = 1;
    o->import.period_s = 300;
    o->import.max_gap_ms = 60000;
    if (argc > 1 && argv[1][0] != '-') {
        o->verb = argv[1];
        argv++;
        argc--;
    }
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        switch (c) {
        case 'k':
            o->key_path = optarg;
            break;
        case OPT_DEVICE:
            copy_id_opt(o->device.id, "device", optarg);
            o->have_device = true;
            break;
        case OPT_CLASS:
            if (!gc_class_parse(optarg, &o->device.cls))
                gc_cli_usage("option '--class': '%s' is not one of pv, wind, hydro, battery, "
                             "gpu, asic, charger",
                             optarg);
            o->have_class = true;
            break;
        case OPT_RATED_W:
            o->device.rated_w = gc_cli_int("rated-w", optarg, 1, INT64_MAX);
            o->have_rated = true;
            break;
        case OPT_ZONE:
            copy_id_opt(o->device.zone, "zone", optarg);
            o->have_zone = true;
            break;
        case OPT_GEOHASH:
            if (!gc_geohash_valid(optarg))
                gc_cli_usage("option '--geohash': '%s' is not a geohash", optarg);
            snprintf(o->device.geohash, sizeof(o->device.geohash), "%s", optarg);
            break;
        case OPT_GPUS:
            o->device.gpus = gc_cli_int("gpus", optarg, 1, 1 << 20);
            break;
        case OPT_EFFICIENCY:
            o->device.efficiency_bps = gc_cli_int("efficiency-bps", optarg, 1, 10000);
            break;
        case OPT_OWNER:
            copy_id_opt(o->device.owner, "owner", optarg);
            break;
        case OPT_KEYDIR:
            o->keydir = optarg;
            break;
        case OPT_STATE:
            o->state = optarg;
            break;
        case OPT_FORMAT:
            if (!gc_import_format_parse(optarg, &o->import.format))
                gc_cli_usage(
                    "option '--format': '%s' is not a known format (nvidia-smi, dcgm, csv)",
                    optarg);
            o->have_format = true;
            break;
        case OPT_PERIOD:
            o->import.period_s = gc_cli_int("period-s", optarg, 1, 3600);
            if (3600 % o->import.period_s != 0)
                gc_cli_usage("option '--period-s': %s does not divide 3600", optarg);
            break;
        case OPT_TZ: {
            const char *why = gc_time_parse_offset(optarg, &o->import.tz_offset_s);

            if (why != NULL)
                gc_cli_usage("option '--tz': '%s': %s", optarg, why);
            break;
        }
        case OPT_MAP: {
            const char *why;

            free(o->map_store);
            why = gc_import_map_parse(optarg, &o->import.map, &o->map_store);
            if (why != NULL)
                gc_cli_usage("option '--map': %s", why);
            break;
        }
        case OPT_COUNTER:
            o->import.counter = true;
            break;
        case OPT_MAX_GAP:
            o->import.max_gap_ms = 1000 * gc_cli_int("max-gap-s", optarg, 1, 86400);
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;

    if (o->verb == NULL)
        gc_cli_usage("a command is needed: keygen, sign or import");
    keygen = strcmp(o->verb, "keygen") == 0;
    sign = strcmp(o->verb, "sign") == 0;
    import = strcmp(o->verb, "import") == 0;
    if (!keygen && !sign && !import)
        gc_cli_usage("unknown command '%s' (keygen, sign or import)", o->verb);
    if (import) {
        if (!o->have_format)
            gc_cli_usage("import needs --format");
        o->import.device = o->have_device ? o->device.id : NULL;
        if ((o->import.format == GC_IMPORT_CSV) != (o->map_store != NULL))
            gc_cli_usage("--map goes with --format csv, and --format csv needs it");
        if (o->import.format == GC_IMPORT_CSV && o->import.map.device == NULL && !o->have_device)
            gc_cli_usage("--format csv needs device=COL in --map, or --device");
        if (o->import.counter && o->import.format != GC_IMPORT_CSV)
            gc_cli_usage("--counter goes with --format csv");
        return;
    }
    if (keygen) {
        if (!o->have_device || !o->have_class || !o->have_rated || !o->have_zone || !o->key_path)
            gc_cli_usage("keygen needs --device, --class, --rated-w, --zone and -k");
        if (o->nfiles > 0)
            gc_cli_usage("keygen takes no file arguments");
        if (o->device.cls != GC_CLASS_BATTERY && o->device.efficiency_bps)
            gc_cli_usage("--efficiency-bps is for batteries");
    } else if (o->keydir == NULL || o->state == NULL) {
        gc_cli_usage("sign needs --keydir and --state");
    }
}

int main(int argc, char **argv)
{
    struct gc_attest_opts opts;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    if (strcmp(opts.verb, "keygen") == 0)
        return gc_attest_keygen(&opts);
    if (strcmp(opts.verb, "import") == 0)
        return gc_attest_import(&opts);
    return gc_attest_sign(&opts);
}
