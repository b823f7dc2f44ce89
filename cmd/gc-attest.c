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
#include "gc_hex.h"
#include "gc_http.h"
#include "gc_import.h"
#include "gc_json.h"
#include "gc_map.h"
#include "gc_merkle.h"
#include "gc_reading.h"
#include "gc_signed.h"
#include "gc_task.h"
#include "gc_time.h"
#include "banned.h"

static const char help[] =
    "usage: gc-attest keygen --device ID --class CLASS --rated-w W --zone ZONE -k KEYFILE\n"
    "                        [--geohash G] [--gpus N] [--efficiency-bps N] [--owner ID]\n"
    "       gc-attest sign --keydir DIR --state FILE [-j N] [-o FILE] [--rejects FILE]\n"
    "                      [--max-line-bytes N] [-q] [--progress] [FILE...]\n"
    "       gc-attest import --format F [--device ID] [--period-s N] [--tz ZONE]\n"
    "                        [--max-gap-s N] [--map SPEC] [--counter] [-o FILE]\n"
    "                        [--rejects FILE] [FILE...]\n"
    "       gc-attest fetch URL [--cursor FILE] [--since-param NAME] [--token-file F]\n"
    "                       [--timeout-s N] [--retries N] [--backoff-ms N] [--ca-file F]\n"
    "                       [--max-bytes N]\n"
    "                       [--format F ...] [-o FILE] [--rejects FILE]\n"
    "       gc-attest receipt -k KEYFILE --task ID --chunks FILE --started-at TS\n"
    "                         --ended-at TS --gpu-s N --energy-wh N [-o FILE]\n"
    "       gc-attest open -k KEYFILE --chunks FILE [-o FILE] [--rejects FILE]\n"
    "                      [CHALLENGES...]\n"
    "       gc-attest -h | --help | -V | --version\n"
    "\n"
    "Sign meter readings into per-device hash chains of attestations.\n"
    "\n"
    "keygen  write a new Ed25519 secret key to KEYFILE (mode 0600, never overwritten)\n"
    "        and print the device's registry record on standard output\n"
    "sign    read reading records, write attestation records\n"
    "import  turn telemetry exports into reading records, energy integrated exactly\n"
    "fetch   GET readings (JSON array or NDJSON, or any import --format) over HTTP\n"
    "receipt sign a task receipt committing to the Merkle root of a task's chunks\n"
    "open    answer challenge records with the challenged chunks and their proofs\n"
    "\n"
    "  -k, --key KEYFILE        secret key file to create (keygen) or sign with\n"
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
    "  -j, --jobs N             sign: sign on N threads (0: one per core; default 1)\n"
    "      --format F           import: nvidia-smi, dcgm or csv\n"
    "      --map SPEC           import csv: ts=COL,end=COL,device=COL,energy_wh=COL\n"
    "                           (or energy_kwh=COL): the columns to read\n"
    "      --counter            import csv: the energy column is a cumulative register\n"
    "      --period-s N         import: period length, divides 3600 (default 300)\n"
    "      --tz ZONE            import: zone of timestamps without an offset: an IANA\n"
    "                           name such as Europe/Berlin, +HH:MM, or Z (default)\n"
    "      --max-gap-s N        import: longest gap bridged between samples (default 60)\n"
    "      --cursor FILE        fetch: per URL, the last reading time; fetch from there\n"
    "      --since-param NAME   fetch: the query parameter carrying it (default since)\n"
    "      --token-file F       fetch: bearer token, first line of F (mode 0600)\n"
    "      --timeout-s N        fetch: limit for one attempt (default 30)\n"
    "      --retries N          fetch: further attempts on timeouts, 429, 5xx (default 3)\n"
    "      --backoff-ms N       fetch: wait before the first retry, doubled for each next,\n"
    "                           plus up to as much again at random (default 1000)\n"
    "      --ca-file F          fetch: CA certificates to trust (TLS is always verified)\n"
    "      --max-bytes N        fetch: largest response accepted (default 67108864)\n"
    "      --task ID            receipt: the task the work was done for\n"
    "      --chunks FILE        receipt, open: the result chunks' SHA-256 hashes,\n"
    "                           one per line in 64 hex digits, in chunk order\n"
    "      --started-at TS      receipt: when the work started (RFC 3339 UTC)\n"
    "      --ended-at TS        receipt: when it ended\n"
    "      --gpu-s N            receipt: GPU-seconds the work took\n"
    "      --energy-wh N        receipt: energy the work took\n" GC_FILTER_HELP;

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
    OPT_CURSOR,
    OPT_SINCE_PARAM,
    OPT_MAX_BYTES,
    OPT_TASK,
    OPT_CHUNKS,
    OPT_STARTED,
    OPT_ENDED,
    OPT_GPU_S,
    OPT_ENERGY,
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
    int jobs;
    /* import */
    struct gc_import_opts import;
    struct gc_tz tz;
    bool have_format;
    char *map_store;
    /* fetch */
    const char *cursor;
    const char *since_param;
    struct gc_http_opts http;
    /* receipt, open */
    const char *task;
    const char *chunks;
    int64_t started_at, ended_at, gpu_s, energy_wh;
    bool have_started, have_ended, have_gpu_s, have_energy;
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

    gc_stdout_require(); /* before the key exists: its record must not be lost */
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
    struct gc_map keys;        /* device -> struct gc_key *, or &no_key */
    struct gc_keyring secrets; /* the keys' secret parts, side by side */
    struct gc_chains chains;
    struct gc_buf path;
};

static const struct gc_key *signer_key(struct gc_signer *s, const char *device)
{
    struct gc_key *key = gc_map_get(&s->keys, device);

    if (key != NULL)
        return key == &no_key ? NULL : key;
    gc_buf_reset(&s->path);
    gc_buf_addf(&s->path, "%s/%s.key", s->opts->keydir, device);
    key = gc_xmalloc(sizeof(*key));
    if (gc_key_load(s->path.ptr, device, key) == GC_KEY_MISSING) {
        free(key);
        key = &no_key;
        /* The map borrows its keys: keep the device name alive with the entry. */
        gc_map_put(&s->keys, strdup(device), key);
        return NULL;
    }
    gc_keyring_adopt(&s->secrets, key);
    gc_map_put(&s->keys, key->device, key);
    return key;
}

/* One reading on its way: signed on any thread, written in order. */
struct sign_slot {
    struct gc_reading reading;   /* strings borrowed from the record, or from TEXT */
    struct gc_reading_text text; /* when read straight from the line */
    bool parsed;                 /* else FAIL says why */
    struct gc_fail fail;
    const struct gc_key *key;
    struct gc_buf msg; /* the canonical attestation without its sig */
    size_t sig_at;
    struct gc_buf out;
};

/* On any thread: a plain reading straight from its line, or false to parse it as JSON. */
static bool sign_prepare_line(void *ctx, const struct gc_line *line, void *slot)
{
    struct sign_slot *ss = slot;

    ss->parsed = gc_reading_read_line(line->bytes, line->len, &ss->reading, &ss->text);
    return ss->parsed;
}

/* On any thread: the reading's form. Sign what the meter said; judging it is gc-verify's job. */
static void sign_prepare(void *ctx, const json_t *rec, void *slot)
{
    struct sign_slot *ss = slot;

    ss->parsed = gc_reading_parse(rec, GC_READING, &ss->reading, &ss->fail);
}

/* In input order: the reading's place in its device's chain, and the hash that links the next. */
static bool sign_commit(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                        void *slot, struct gc_fail *f)
{
    struct gc_signer *s = ctx;
    struct sign_slot *ss = slot;
    const struct gc_reading *r = &ss->reading;
    struct gc_chain_head *h;
    uint8_t prev[GC_SHA256_LEN], hash[GC_SHA256_LEN];
    int64_t seq;

    if (rec == NULL && f->reason != NULL)
        return false; /* not a JSON object (REC is NULL too for a line read straight) */
    if (!ss->parsed) {
        *f = ss->fail;
        return false;
    }
    ss->key = signer_key(s, r->device);
    if (ss->key == NULL)
        return gc_fail(f, "unknown_device", "no key file '%s/%s.key'", s->opts->keydir, r->device);
    h = gc_chains_head(&s->chains, r->device);
    if (!gc_chain_next(h, r->ts, &seq, prev, f))
        return false;
    /* The hash leaves out the sig, so the chain moves on before the signing. */
    gc_attestation_prepare(rec, r, seq, prev, &ss->msg, &ss->sig_at, hash);
    gc_chain_advance(&s->chains, h, seq, hash, r->ts);
    return true;
}

static void sign_seal(void *ctx, void *slot)
{
    struct sign_slot *ss = slot;

    gc_signed_finish(ss->key, &ss->msg, ss->sig_at, &ss->out);
}

static void sign_write(void *ctx, struct gc_filter *flt, void *slot)
{
    struct sign_slot *ss = slot;

    gc_filter_emit(flt, ss->out.ptr, ss->out.len);
}

static void sign_release(void *slot)
{
    struct sign_slot *ss = slot;

    gc_buf_release(&ss->msg);
    gc_buf_release(&ss->out);
}

static int gc_attest_sign(const struct gc_attest_opts *o)
{
    static const struct gc_steps steps = {
        .slot_size = sizeof(struct sign_slot),
        .prepare_line = sign_prepare_line,
        .prepare = sign_prepare,
        .commit = sign_commit,
        .seal = sign_seal,
        .write = sign_write,
        .release = sign_release,
    };
    struct gc_signer s = {.opts = o};
    struct gc_commit commit;
    struct gc_filter flt;
    int status;

    gc_chains_init(&s.chains);
    gc_lock_state(o->state);
    gc_chains_load(&s.chains, o->state);
    gc_filter_init_commit(&flt, &o->filter, o->state);
    gc_filter_run_steps(&flt, o->files, o->nfiles, &steps, o->jobs, &s);
    /* The attestations, the rejects and the heads land as one: a re-run never signs twice. */
    gc_commit_init(&commit, o->state);
    status = gc_filter_finish_commit(&flt, &commit);
    if (!flt.stopped && s.chains.dirty)
        gc_chains_save(&s.chains, o->state, &commit);
    gc_commit_apply(&commit);

    for (size_t i = 0; i < s.keys.cap; i++) {
        struct gc_key *key = s.keys.slots[i].value;

        if (key == &no_key)
            free((char *)s.keys.slots[i].key);
        else
            free(key); /* its secret is in the ring */
    }
    gc_map_release(&s.keys);
    gc_keyring_release(&s.secrets);
    gc_chains_release(&s.chains);
    gc_buf_release(&s.path);
    return status;
}

/* --- import --- */

/* Local times in a repeated hour are placed by the order of the data, and said so. */
static void report_ambiguous(const struct gc_importer *im)
{
    if (im->n_ambiguous > 0)
        gc_warn("%llu local times fell in an hour repeated at a daylight-saving change and were "
                "placed by the order of the data",
                (unsigned long long)im->n_ambiguous);
}

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
    report_ambiguous(&im);
    gc_importer_finish(&im);
    free(o->map_store);
    return gc_filter_finish(&flt);
}

/* --- fetch --- */

/* Cursors: per URL, the time of the last reading fetched (NDJSON, sorted by URL). */
struct gc_cursor {
    char *url;
    int64_t since_s;
};

struct gc_fetcher {
    const struct gc_attest_opts *opts;
    struct gc_map cursors; /* url -> struct gc_cursor * */
    struct gc_importer im;
    struct gc_filter *flt;
    bool have_latest;
    int64_t latest_s; /* the newest reading written */
    struct gc_buf rec_out;
};

static bool load_cursor(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct gc_fetcher *fx = ctx;
    struct gc_cursor *c;
    const char *url;
    int64_t v, since;

    if (!gc_field_const(rec, "type", "cursor", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_str(rec, "url", &url, NULL, f) || !gc_field_time(rec, "since", &since, f))
        return false;
    if (gc_map_get(&fx->cursors, url) != NULL)
        return gc_fail(f, "bad_field", "a URL appears twice");
    c = malloc(sizeof(*c));
    if (c == NULL || (c->url = strdup(url)) == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    c->since_s = since;
    gc_map_put(&fx->cursors, c->url, c);
    return true;
}

static void save_cursors(const struct gc_fetcher *fx, const char *path, struct gc_commit *commit)
{
    struct gc_cursor **cs = (struct gc_cursor **)gc_map_sorted_values(&fx->cursors);
    struct gc_buf out = GC_BUF_INIT;

    for (size_t i = 0; i < fx->cursors.n; i++) {
        char ts[GC_TIME_LEN + 1];

        gc_time_format(cs[i]->since_s, ts);
        gc_buf_addf(&out, "{\"since\":\"%s\",\"type\":\"cursor\",\"url\":", ts);
        gc_jcs_append_string(&out, cs[i]->url, strlen(cs[i]->url));
        gc_buf_adds(&out, ",\"v\":1}\n");
    }
    /* URLs may carry credentials: the cursor file is the owner's alone. */
    gc_commit_data(commit, path, out.ptr, out.len, 0600);
    gc_buf_release(&out);
    free(cs);
}

/* Notes the time of a reading written, for the cursor. */
static void note_time(struct gc_fetcher *fx, int64_t ts)
{
    if (!fx->have_latest || ts > fx->latest_s)
        fx->latest_s = ts;
    fx->have_latest = true;
}

/* A reading record from the response: checked, then written in canonical form. */
static bool fetch_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                         struct gc_fail *f)
{
    struct gc_fetcher *fx = ctx;
    struct gc_reading r;

    if (!gc_reading_parse(rec, GC_READING, &r, f))
        return false;
    gc_buf_reset(&fx->rec_out);
    gc_jcs_append(&fx->rec_out, rec);
    gc_filter_emit(flt, fx->rec_out.ptr, fx->rec_out.len);
    note_time(fx, r.ts);
    return true;
}

static void fetch_import_out(void *ctx, const char *rec, size_t len)
{
    struct gc_fetcher *fx = ctx;
    struct gc_fail f;
    json_t *j = gc_json_parse_object(rec, len, &f);
    int64_t ts;

    gc_filter_emit(fx->flt, rec, len);
    if (j != NULL && gc_field_time(j, "ts", &ts, &f))
        note_time(fx, ts);
    json_decref(j);
}

static bool fetch_line(void *ctx, struct gc_filter *flt, const char *source,
                       const struct gc_line *line, struct gc_fail *f)
{
    return gc_importer_line(&((struct gc_fetcher *)ctx)->im, source, line, f);
}

/* Feeds BODY to the filter: a JSON array of readings, NDJSON, or an import format. */
static void fetch_body(struct gc_fetcher *fx, const char *source, const struct gc_buf *body)
{
    const char *p = body->ptr, *end = body->ptr + body->len;
    struct gc_line line = {0};
    const char *q = p;

    while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
        q++;
    if (!fx->opts->have_format && q < end && *q == '[') {
        /* A JSON array: each element becomes a line of its canonical form. */
        json_error_t err;
        json_t *arr = json_loadb(body->ptr, body->len, JSON_REJECT_DUPLICATES, &err);
        struct gc_buf one = GC_BUF_INIT;

        if (arr == NULL || !json_is_array(arr)) {
            /* Not an array after all: the body goes to the rejects as one bad line. */
            line.bytes = body->ptr;
            line.len = line.total_len = body->len;
            line.line_no = 1;
            gc_filter_feed(fx->flt, source, &line, fetch_record, NULL, fx);
            json_decref(arr);
            return;
        }
        for (size_t i = 0; i < json_array_size(arr); i++) {
            gc_buf_reset(&one);
            gc_jcs_append(&one, json_array_get(arr, i));
            line.bytes = one.ptr;
            line.len = line.total_len = one.len;
            line.line_no = i + 1;
            line.offset = 0;
            gc_filter_feed(fx->flt, source, &line, fetch_record, NULL, fx);
        }
        gc_buf_release(&one);
        json_decref(arr);
        return;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

        line.bytes = p;
        line.total_len = len;
        /* --max-line-bytes holds here as for files: the line is kept cut, its length noted. */
        line.len = len < fx->flt->opts.max_line ? len : fx->flt->opts.max_line;
        line.line_no++;
        line.offset = (uint64_t)(p - body->ptr);
        if (fx->opts->have_format)
            gc_filter_feed(fx->flt, source, &line, NULL, fetch_line, fx);
        else
            gc_filter_feed(fx->flt, source, &line, fetch_record, NULL, fx);
        p += len + (nl != NULL);
    }
}

/* URL with "NAME=SINCE" added to its query, SINCE percent-encoded (':' is). */
static void url_with_since(struct gc_buf *out, const char *url, const char *name, int64_t since_s)
{
    char ts[GC_TIME_LEN + 1];
    const char *hash = strchr(url, '#');
    size_t base = hash ? (size_t)(hash - url) : strlen(url);

    gc_time_format(since_s, ts);
    gc_buf_add(out, url, base);
    gc_buf_addc(out, memchr(url, '?', base) ? '&' : '?');
    gc_buf_addf(out, "%s=", name);
    for (const char *c = ts; *c; c++) {
        if (*c == ':')
            gc_buf_adds(out, "%3A");
        else
            gc_buf_addc(out, *c);
    }
}

static int gc_attest_fetch(const struct gc_attest_opts *o)
{
    struct gc_fetcher fx = {.opts = o};
    struct gc_cursor *c = NULL;
    const char *url = o->files[0];
    struct gc_buf req = GC_BUF_INIT, body = GC_BUF_INIT;
    char shown[512];
    struct gc_commit commit;
    struct gc_filter flt;
    struct gc_fail f;
    long status = 0;
    int rc;

    if (o->cursor != NULL) {
        gc_lock_state(o->cursor);
        gc_load_records(o->cursor, true, load_cursor, &fx);
        c = gc_map_get(&fx.cursors, url);
    }
    if (c != NULL)
        url_with_since(&req, url, o->since_param, c->since_s);
    else
        gc_buf_adds(&req, url);
    gc_http_url_shown(url, shown, sizeof(shown));

    if (gc_http_get(req.ptr, &o->http, &body, &status, &f) != 0) {
        int code = strcmp(f.reason, "unavailable") == 0 ? GC_EX_TEMPFAIL
                   : strcmp(f.reason, "bad_url") == 0   ? GC_EX_USAGE
                                                        : GC_EX_PROTOCOL;

        gc_error("%s: %s", f.reason, f.detail);
        gc_buf_release(&req);
        gc_buf_release(&body);
        return code;
    }

    gc_filter_init_commit(&flt, &o->filter, o->cursor);
    fx.flt = &flt;
    if (o->have_format)
        gc_importer_init(&fx.im, &o->import, fetch_import_out, &fx);
    fetch_body(&fx, shown, &body);
    if (o->have_format) {
        report_ambiguous(&fx.im);
        gc_importer_finish(&fx.im);
    }
    if (o->cursor == NULL) {
        rc = gc_filter_finish(&flt);
        goto out;
    }
    /* The readings and the cursor land as one: a crash re-fetches, and no reading is kept twice. */
    gc_commit_init(&commit, o->cursor);
    rc = gc_filter_finish_commit(&flt, &commit);
    if (!flt.stopped && fx.have_latest && (c == NULL || fx.latest_s > c->since_s)) {
        if (c == NULL) {
            c = malloc(sizeof(*c));
            if (c == NULL || (c->url = strdup(url)) == NULL)
                gc_die(GC_EX_SOFTWARE, "out of memory");
            gc_map_put(&fx.cursors, c->url, c);
        }
        c->since_s = fx.latest_s;
        save_cursors(&fx, o->cursor, &commit);
    }
    gc_commit_apply(&commit);
out:
    for (size_t i = 0; i < fx.cursors.cap; i++) {
        struct gc_cursor *k = fx.cursors.slots[i].value;

        if (k != NULL) {
            free(k->url);
            free(k);
        }
    }
    gc_map_release(&fx.cursors);
    gc_buf_release(&fx.rec_out);
    gc_buf_release(&req);
    gc_buf_release(&body);
    return rc;
}

/* --- command line --- */

/* --- receipt, open --- */

/* The chunk hashes of a task's result: one 64-digit hex hash per line of PATH. */
struct gc_chunks {
    uint8_t (*hashes)[GC_SHA256_LEN];
    uint8_t (*leaves)[GC_SHA256_LEN];
    size_t n, cap;
    uint8_t root[GC_SHA256_LEN];
};

static void chunks_load(struct gc_chunks *c, const char *path)
{
    struct gc_buf line_buf = GC_BUF_INIT;
    struct gc_reader r;
    struct gc_line line;

    memset(c, 0, sizeof(*c));
    gc_reader_open(&r, path, 1024);
    while (gc_reader_next(&r, &line_buf, &line)) {
        size_t len = line.len;

        if (len > 0 && line.bytes[len - 1] == '\r')
            len--;
        c->hashes = gc_grow(c->hashes, &c->cap, c->n + 1, GC_SHA256_LEN, 1024);
        if (line.total_len > line.len ||
            !gc_hex_decode(line.bytes, len, c->hashes[c->n], GC_SHA256_LEN))
            gc_die(GC_EX_DATAERR, "%s:%llu: bad_field: a chunk hash is 64 lowercase hex digits",
                   r.name, (unsigned long long)line.line_no);
        c->n++;
    }
    gc_reader_close(&r);
    gc_buf_release(&line_buf);
    if (c->n == 0 || (int64_t)c->n > GC_TASK_MAX_CHUNKS)
        gc_die(GC_EX_DATAERR, "%s: a task has 1 to %lld chunks, this file %zu", path,
               (long long)GC_TASK_MAX_CHUNKS, c->n);
    c->leaves = gc_xcalloc(c->n, GC_SHA256_LEN);
    for (size_t i = 0; i < c->n; i++)
        gc_merkle_leaf_hash(c->hashes[i], GC_SHA256_LEN, c->leaves[i]);
    gc_merkle_root((const uint8_t(*)[GC_SHA256_LEN])c->leaves, c->n, c->root);
}

static void chunks_release(struct gc_chunks *c)
{
    free(c->hashes);
    free(c->leaves);
}

static int gc_attest_receipt(const struct gc_attest_opts *o)
{
    struct gc_buf msg = GC_BUF_INIT, out = GC_BUF_INIT;
    struct gc_chunks c;
    struct gc_writer w;
    struct gc_key key;
    uint8_t hash[GC_SHA256_LEN];
    json_t *rec;

    chunks_load(&c, o->chunks);
    gc_key_load_signing(o->key_path, &key);
    rec = gc_receipt_new(o->task, key.device, o->started_at, o->ended_at, o->gpu_s, o->energy_wh,
                         (int64_t)c.n, c.root);
    gc_signed_seal(rec, &key, &msg, &out, hash);
    gc_key_release(&key);
    gc_buf_addc(&out, '\n');
    gc_writer_open(&w, o->filter.output);
    gc_writer_write(&w, out.ptr, out.len);
    gc_writer_commit(&w);
    json_decref(rec);
    chunks_release(&c);
    gc_buf_release(&msg);
    gc_buf_release(&out);
    return GC_EX_OK;
}

struct gc_opener {
    struct gc_chunks chunks;
    struct gc_key key;
    struct gc_buf msg, out;
};

/*
 * A challenge of this device's root that names the device gets an opening;
 * the rest are for other devices and are passed over.
 */
static bool open_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                        struct gc_fail *f)
{
    struct gc_opener *op = ctx;
    struct gc_challenge c;
    uint8_t hash[GC_SHA256_LEN];
    json_t *opening;

    if (!gc_challenge_parse(rec, &c, f))
        return false;
    if (memcmp(c.root, op->chunks.root, GC_SHA256_LEN) != 0 ||
        !gc_challenge_names(&c, op->key.device))
        return true;
    if (c.chunks != (int64_t)op->chunks.n)
        return gc_fail(f, "bad_field", "the challenge has %lld chunks, --chunks %zu",
                       (long long)c.chunks, op->chunks.n);
    opening = gc_opening_new(&c, op->key.device, (const uint8_t(*)[GC_SHA256_LEN])op->chunks.leaves,
                             (const uint8_t(*)[GC_SHA256_LEN])op->chunks.hashes);
    gc_signed_seal(opening, &op->key, &op->msg, &op->out, hash);
    json_decref(opening);
    gc_filter_emit(flt, op->out.ptr, op->out.len);
    return true;
}

static int gc_attest_open(const struct gc_attest_opts *o)
{
    struct gc_opener op;
    struct gc_filter flt;
    int status;

    memset(&op, 0, sizeof(op));
    chunks_load(&op.chunks, o->chunks);
    gc_key_load_signing(o->key_path, &op.key);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true; /* challenges of other roots give nothing */
    gc_filter_run(&flt, o->files, o->nfiles, open_record, &op);
    status = gc_filter_finish(&flt);
    gc_key_release(&op.key);
    chunks_release(&op.chunks);
    gc_buf_release(&op.msg);
    gc_buf_release(&op.out);
    return status;
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
        {"cursor", required_argument, NULL, OPT_CURSOR},
        {"since-param", required_argument, NULL, OPT_SINCE_PARAM},
        {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
        {"task", required_argument, NULL, OPT_TASK},
        {"chunks", required_argument, NULL, OPT_CHUNKS},
        {"started-at", required_argument, NULL, OPT_STARTED},
        {"ended-at", required_argument, NULL, OPT_ENDED},
        {"gpu-s", required_argument, NULL, OPT_GPU_S},
        {"energy-wh", required_argument, NULL, OPT_ENERGY},
        {"jobs", required_argument, NULL, 'j'},
        GC_HTTP_LONGOPTS,
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    bool keygen, sign, import, fetch, receipt, open, have_jobs = false;
    int c;

    memset(o, 0, sizeof(*o));
    o->device.gpus = 1;
    o->import.period_s = 300;
    o->import.max_gap_ms = 60000;
    o->since_param = "since";
    o->jobs = 1;
    gc_http_opts_default(&o->http);
    o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:k:o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help) || gc_cli_http_opt(c, optarg, &o->http))
            continue;
        switch (c) {
        case 'j':
            o->jobs = gc_cli_jobs(optarg);
            have_jobs = true;
            break;
        case 'k':
            o->key_path = optarg;
            break;
        case OPT_DEVICE:
            gc_cli_id("device", optarg, o->device.id);
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
            gc_cli_id("zone", optarg, o->device.zone);
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
            gc_cli_id("owner", optarg, o->device.owner);
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
            const char *why;

            gc_tz_release(&o->tz);
            why = gc_tz_load(&o->tz, optarg, NULL);
            if (why != NULL)
                gc_cli_usage("option '--tz': %s", why);
            o->import.tz = &o->tz;
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
        case OPT_CURSOR:
            o->cursor = optarg;
            break;
        case OPT_SINCE_PARAM:
            if (strspn(optarg,
                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                    strlen(optarg) ||
                !*optarg)
                gc_cli_usage("option '--since-param': '%s' is not a plain parameter name", optarg);
            o->since_param = optarg;
            break;
        case OPT_MAX_BYTES:
            o->http.max_bytes = (size_t)gc_cli_int("max-bytes", optarg, 1, (int64_t)1 << 40);
            break;
        case OPT_TASK:
            if (!gc_id_valid(optarg, strlen(optarg)))
                gc_cli_usage("option '--task': '%s' is not an id ([a-z0-9][a-z0-9._-]{0,63})",
                             optarg);
            o->task = optarg;
            break;
        case OPT_CHUNKS:
            o->chunks = optarg;
            break;
        case OPT_STARTED:
            o->started_at = gc_cli_time("started-at", optarg);
            o->have_started = true;
            break;
        case OPT_ENDED:
            o->ended_at = gc_cli_time("ended-at", optarg);
            o->have_ended = true;
            break;
        case OPT_GPU_S:
            o->gpu_s = gc_cli_int("gpu-s", optarg, 0, INT64_MAX);
            o->have_gpu_s = true;
            break;
        case OPT_ENERGY:
            o->energy_wh = gc_cli_int("energy-wh", optarg, 0, INT64_MAX);
            o->have_energy = true;
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
        gc_cli_usage("a command is needed: keygen, sign, import, fetch, receipt or open");
    keygen = strcmp(o->verb, "keygen") == 0;
    sign = strcmp(o->verb, "sign") == 0;
    import = strcmp(o->verb, "import") == 0;
    fetch = strcmp(o->verb, "fetch") == 0;
    receipt = strcmp(o->verb, "receipt") == 0;
    open = strcmp(o->verb, "open") == 0;
    if (!keygen && !sign && !import && !fetch && !receipt && !open)
        gc_cli_usage("unknown command '%s' (keygen, sign, import, fetch, receipt or open)",
                     o->verb);
    if (have_jobs && !sign)
        gc_cli_usage("-j goes with sign");
    if ((o->task != NULL || o->have_started || o->have_ended || o->have_gpu_s || o->have_energy) !=
        receipt)
        gc_cli_usage("receipt needs --task, --started-at, --ended-at, --gpu-s and --energy-wh, "
                     "and they go with it");
    if ((o->chunks != NULL) != (receipt || open))
        gc_cli_usage("--chunks goes with receipt and open, and they need it");
    if (receipt || open) {
        if (o->key_path == NULL)
            gc_cli_usage("%s needs -k", o->verb);
        if (receipt && (o->task == NULL || !o->have_started || !o->have_ended || !o->have_gpu_s ||
                        !o->have_energy))
            gc_cli_usage("receipt needs --task, --started-at, --ended-at, --gpu-s and "
                         "--energy-wh");
        if (receipt && o->ended_at <= o->started_at)
            gc_cli_usage("--ended-at must be after --started-at");
        if (receipt && o->nfiles > 0)
            gc_cli_usage("receipt takes no file arguments");
        return;
    }
    if (fetch && o->nfiles != 1)
        gc_cli_usage("fetch takes one URL");
    if (import || (fetch && o->have_format)) {
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
    if (fetch) {
        if (o->have_device || o->map_store != NULL || o->import.counter || o->import.tz != NULL)
            gc_cli_usage("--device, --map, --counter and --tz go with --format");
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
    int rc;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    if (strcmp(opts.verb, "keygen") == 0)
        rc = gc_attest_keygen(&opts);
    else if (strcmp(opts.verb, "import") == 0)
        rc = gc_attest_import(&opts);
    else if (strcmp(opts.verb, "fetch") == 0)
        rc = gc_attest_fetch(&opts);
    else if (strcmp(opts.verb, "receipt") == 0)
        rc = gc_attest_receipt(&opts);
    else if (strcmp(opts.verb, "open") == 0)
        rc = gc_attest_open(&opts);
    else
        rc = gc_attest_sign(&opts);
    gc_tz_release(&opts.tz);
    return rc;
}
