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
#include "gc_merkle.h"
#include "gc_position.h"
#include "gc_hex.h"
#include "gc_map.h"
#include "gc_reading.h"
#include "gc_registry.h"
#include "gc_run.h"
#include "gc_signed.h"
#include "gc_task.h"
#include "gc_verdict.h"
#include "banned.h"

static const char help[] =
    "usage: gc-verify [--registry FILE] [--state FILE] [--now TS] [--slack-bps N]\n"
    "                 [--validators FILE --quorum K] [--snapshots FILE] [--allowlist FILE]\n"
    "                 [--issuers FILE] [-j N] [--partial]\n"
    "                 [-o FILE] [--rejects FILE] [--max-line-bytes N] [-q] [--progress]\n"
    "                 [FILE...]\n"
    "       gc-verify merge [--state FILE] [--allowlist FILE] [--issuers FILE] [-o FILE]\n"
    "                 [--rejects FILE] [--max-line-bytes N] [-q] [--progress] [FILE...]\n"
    "       gc-verify challenges --registry FILE --snapshots FILE [FILE...]\n"
    "       gc-verify tasks --registry FILE --snapshots FILE [--recompute CMD] [--pay]\n"
    "                 [FILE...]\n"
    "       gc-verify -h | --help | -V | --version\n"
    "\n"
    "Check attestations against the device registry, pool snapshots and proofs,\n"
    "and the ownership records of gc-issue; pass the valid ones through byte for\n"
    "byte and reject the rest with a reason.\n"
    "\n"
    "merge       judge the output of --partial runs in order, as one run would\n"
    "challenges  derive the chunks each committed task result must open\n"
    "tasks       judge tasks from receipts, openings, amm.delivery and attestations:\n"
    "            task.verified or task.failed, and with --pay payment records\n"
    "\n"
    "      --registry FILE      device records (NDJSON, may be zstd-compressed); needed\n"
    "                           for attestations\n"
    "      --state FILE         chain heads, carried from run to run\n"
    "      --now TS             the present, RFC 3339 UTC (default: the system clock)\n"
    "      --slack-bps N        tolerance above rated power (default 1000 = 10 %)\n"
    "      --validators FILE    validator records: check pool snapshots' co-signatures\n"
    "      --quorum K           signatures of distinct listed validators a snapshot needs\n"
    "      --snapshots FILE     pool snapshots: check pool.proof records against them;\n"
    "                           tasks take their beacons from them\n"
    "      --allowlist FILE     party records: the only holders positions may go to\n"
    "      --issuers FILE       party records: the only keys packages may be signed by\n"
    "      --recompute CMD      tasks: re-run each challenged chunk as CMD SPEC INDEX,\n"
    "                           which prints the chunk's hash\n"
    "      --pay                tasks: a payment record per paid replica\n"
    "  -j, --jobs N             check signatures on N threads (0: one per core;\n"
    "                           default 1)\n"
    "      --partial            judge what needs only the record, and write each\n"
    "                           line's verdict and the line itself, for merge\n" GC_FILTER_HELP;

enum {
    OPT_REGISTRY = GC_OPT_PROGRAM,
    OPT_STATE,
    OPT_NOW,
    OPT_SLACK,
    OPT_VALIDATORS,
    OPT_QUORUM,
    OPT_SNAPSHOTS,
    OPT_RECOMPUTE,
    OPT_PAY,
    OPT_ALLOWLIST,
    OPT_ISSUERS,
    OPT_PARTIAL,
};

struct gc_verify_opts {
    const char *verb; /* NULL, "merge", "tasks" or "challenges" */
    int jobs;
    bool partial;
    const char *registry;
    const char *state;
    int64_t now_s;
    int64_t slack_bps;
    const char *validators;
    int64_t quorum;
    const char *snapshots;
    const char *recompute;
    const char *allowlist;
    const char *issuers;
    bool pay;
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

struct gc_verifier {
    const struct gc_verify_opts *opts;
    struct gc_registry registry;
    struct gc_map validators; /* lowercase hex public key -> validator id */
    struct gc_map roots;      /* "pool@hour" -> the snapshot's root (32 bytes) */
    struct gc_chains chains;
    struct gc_map allow;           /* --allowlist: holder public key -> itself */
    struct gc_map issuers;         /* --issuers: issuer public key -> itself */
    struct gc_position_book owned; /* packages, positions and their moves */
    struct gc_buf msg;
    const char *partial_source; /* --partial: the input whose units are being written */
};

static bool load_snapshot(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct gc_map *roots = ctx;
    const char *type, *pool;
    int64_t hour;
    uint8_t *root;
    char key[96], *k;

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "pool") != 0)
        return true; /* a matched file may hold other records */
    root = gc_xmalloc(GC_SHA256_LEN);
    if (!gc_field_id(rec, "pool", &pool, f) || !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_hex(rec, "root", root, GC_SHA256_LEN, f)) {
        free(root);
        return false;
    }
    gc_snapshot_key(key, sizeof(key), pool, hour);
    if (gc_map_get(roots, key) != NULL) {
        free(root);
        return gc_fail(f, "bad_field", "two snapshots of pool '%s' for one hour", pool);
    }
    k = gc_xstrdup(key);
    gc_map_put(roots, k, root);
    return true;
}

/* "bad_proof" unless the path proves the member's record under its snapshot's root. */
static bool check_proof(const struct gc_verifier *v, const json_t *rec, struct gc_fail *f)
{
    uint8_t record[GC_SHA256_LEN], root[GC_SHA256_LEN], leaf[GC_SHA256_LEN];
    uint8_t path[GC_MERKLE_MAX_PROOF][GC_SHA256_LEN];
    const uint8_t *known;
    const char *pool;
    const json_t *p;
    int64_t hour, index, size;
    char key[96];

    if (!gc_field_id(rec, "pool", &pool, f) || !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_hex(rec, "record", record, sizeof(record), f) ||
        !gc_field_hex(rec, "root", root, sizeof(root), f) ||
        !gc_field_int(rec, "index", 0, INT64_MAX, &index, f) ||
        !gc_field_int(rec, "size", 1, INT64_MAX, &size, f))
        return false;
    p = json_object_get(rec, "path");
    if (!json_is_array(p) || json_array_size(p) > GC_MERKLE_MAX_PROOF)
        return gc_fail(f, "bad_field", "field 'path' must be an array of at most %d hashes",
                       GC_MERKLE_MAX_PROOF);
    for (size_t i = 0; i < json_array_size(p); i++) {
        const json_t *h = json_array_get(p, i);

        if (!json_is_string(h) ||
            !gc_hex_decode(json_string_value(h), json_string_length(h), path[i], GC_SHA256_LEN))
            return gc_fail(f, "bad_field", "field 'path' must hold 64-digit hex hashes");
    }
    gc_snapshot_key(key, sizeof(key), pool, hour);
    known = gc_map_get(&v->roots, key);
    if (known == NULL)
        return gc_fail(f, "bad_proof", "no snapshot of pool '%s' for that hour in --snapshots",
                       pool);
    if (memcmp(known, root, GC_SHA256_LEN) != 0)
        return gc_fail(f, "bad_proof", "the proof's root is not the snapshot's");
    gc_merkle_leaf_hash(record, sizeof(record), leaf);
    if (!gc_merkle_verify_inclusion((uint64_t)index, (uint64_t)size, leaf,
                                    (const uint8_t(*)[GC_SHA256_LEN])path, json_array_size(p),
                                    root))
        return gc_fail(f, "bad_proof", "the path does not lead from the record to the root");
    return true;
}

/*
 * The checks of gc-verify(1) that need nothing but the record, in the order
 * listed there: the record's form, its signature, then its content. They run
 * on any thread (-j) or host (--partial), so they only read V's tables.
 */
static void judge_alone(const struct gc_verifier *v, const json_t *rec, struct gc_verdict *vd,
                        struct gc_buf *msg)
{
    const struct gc_device *d;
    struct gc_reading r;
    struct gc_fail *f = &vd->fail;
    const json_t *type = json_object_get(rec, "type");

    const char *type_name = json_is_string(type) ? json_string_value(type) : NULL;

    vd->kind = GC_VERDICT_REJECT;
    f->reason = NULL;
    /* Attestations, nearly every record, go straight to their checks. */
    if (type_name == NULL || strcmp(type_name, "attestation") != 0) {
        /* Packages, positions, transfers, pledges, releases: replayed in order in the book. */
        if (gc_position_book_takes(rec)) {
            vd->kind = GC_VERDICT_BOOK;
            return;
        }
        /* Pool snapshots: accepted with a quorum of validator co-signatures. */
        if (type_name != NULL && strcmp(type_name, "pool") == 0) {
            if (v->opts->validators == NULL)
                gc_fail(f, "bad_field", "a pool snapshot needs --validators and --quorum");
            else if (gc_quorum_check(rec, &v->validators, v->opts->quorum, f))
                vd->kind = GC_VERDICT_PASS;
            return;
        }
        /* Inclusion proofs of pool members: checked against the snapshot's root. */
        if (type_name != NULL && strcmp(type_name, "pool.proof") == 0) {
            if (v->opts->snapshots == NULL)
                gc_fail(f, "bad_field", "a pool.proof needs --snapshots");
            else if (check_proof(v, rec, f))
                vd->kind = GC_VERDICT_PASS;
            return;
        }
    }
    if (v->opts->registry == NULL) {
        gc_fail(f, "bad_field", "an attestation needs --registry");
        return;
    }
    if (!gc_reading_parse(rec, GC_ATTESTATION, &r, f))
        return;
    d = gc_registry_find(&v->registry, r.device);
    if (d == NULL) {
        gc_fail(f, "unknown_device", "device '%s' is not in the registry", r.device);
        return;
    }
    if (!gc_reading_check_form(&r, d, f) ||
        !gc_attestation_check_sig(rec, &r, d->pubkey, msg, vd->hash, f))
        return;
    /* Authentic: its place in the chain decides, then what it says. */
    vd->kind = GC_VERDICT_LINK;
    memcpy(vd->device, r.device, strlen(r.device) + 1); /* an id: at most 64 bytes */
    vd->seq = r.seq;
    vd->ts = r.ts;
    memcpy(vd->prev, r.prev, GC_SHA256_LEN);
    if (!gc_reading_check_location(&r, d, f) || !gc_reading_check_period(&r, f) ||
        !gc_reading_check_capacity(&r, d, v->opts->slack_bps, f) ||
        !gc_reading_check_time(&r, v->opts->now_s, f))
        return;
    f->reason = NULL;
}

/*
 * The rest, in input order: the chain and the book. An authentic,
 * well-linked record moves the chain head even when its content is refused,
 * so one implausible reading does not make the next one look like a gap.
 */
static bool judge_in_order(struct gc_verifier *v, struct gc_filter *flt, json_t *rec,
                           const struct gc_line *line, const struct gc_verdict *vd,
                           struct gc_fail *f)
{
    switch (vd->kind) {
    case GC_VERDICT_REJECT:
        *f = vd->fail;
        return false;
    case GC_VERDICT_BOOK:
        if (!gc_position_book_add(&v->owned, rec, f))
            return false;
        break;
    case GC_VERDICT_LINK:
        if (!gc_chain_check(&v->chains, gc_chains_head(&v->chains, vd->device), vd->seq, vd->prev,
                            vd->hash, vd->ts, f))
            return false;
        if (vd->fail.reason != NULL) {
            *f = vd->fail;
            return false;
        }
        break;
    case GC_VERDICT_PASS:
        break;
    }
    gc_filter_emit(flt, line->bytes, line->len);
    return true;
}

/* A line on its way through gc_filter_run_steps. */
struct verify_slot {
    struct gc_verdict verdict;
    struct gc_buf msg; /* the canonical bytes its signature covers */
};

static void verify_prepare(void *ctx, const json_t *rec, void *slot)
{
    struct verify_slot *vs = slot;

    judge_alone(ctx, rec, &vs->verdict, &vs->msg);
}

static bool verify_commit(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                          void *slot, struct gc_fail *f)
{
    struct verify_slot *vs = slot;

    return rec != NULL && judge_in_order(ctx, flt, rec, line, &vs->verdict, f);
}

static void verify_release(void *slot)
{
    struct verify_slot *vs = slot;

    gc_buf_release(&vs->msg);
}

/*
 * --partial: each line's verdict, then the line, for merge to judge in order
 * (gc-records(5)). A line that is not a record is a reject verdict too: every
 * line read becomes one unit, so merge can number them as one run would.
 */
static void partial_begin(struct gc_verifier *v, struct gc_filter *flt, const char *source)
{
    if (v->partial_source == source)
        return;
    gc_buf_reset(&v->msg);
    gc_partial_format_begin(source, &v->msg);
    gc_writer_write(&flt->out, v->msg.ptr, v->msg.len);
    v->partial_source = source;
}

static bool partial_commit(void *ctx, struct gc_filter *flt, json_t *rec,
                           const struct gc_line *line, void *slot, struct gc_fail *f)
{
    struct gc_verifier *v = ctx;
    struct verify_slot *vs = slot;

    if (rec == NULL) {
        vs->verdict.kind = GC_VERDICT_REJECT;
        vs->verdict.fail = *f;
    }
    partial_begin(v, flt, flt->source);
    gc_buf_reset(&v->msg);
    gc_verdict_format(&vs->verdict, line, &v->msg);
    gc_writer_write(&flt->out, v->msg.ptr, v->msg.len);
    gc_filter_emit(flt, line->bytes, line->len);
    return true;
}

static void partial_end(void *ctx, struct gc_filter *flt, const char *source, uint64_t lines,
                        uint64_t bytes)
{
    struct gc_verifier *v = ctx;

    partial_begin(v, flt, source); /* an input without a line still has its end */
    gc_buf_reset(&v->msg);
    gc_partial_format_end(source, lines, bytes, &v->msg);
    gc_writer_write(&flt->out, v->msg.ptr, v->msg.len);
    v->partial_source = NULL;
}

static void release_roots(struct gc_map *roots)
{
    for (size_t i = 0; i < roots->cap; i++) {
        free((char *)roots->slots[i].key);
        free(roots->slots[i].value);
    }
    gc_map_release(roots);
}

/* The tables a run reads: registry, validators, snapshots, parties; and the chain heads. */
static void verifier_open(struct gc_verifier *v, const struct gc_verify_opts *o)
{
    memset(v, 0, sizeof(*v));
    v->opts = o;
    gc_chains_init(&v->chains);
    if (o->registry != NULL)
        gc_registry_load(&v->registry, o->registry);
    if (o->validators != NULL)
        gc_load_records(o->validators, false, gc_validator_add, &v->validators);
    if (o->snapshots != NULL)
        gc_load_records(o->snapshots, false, load_snapshot, &v->roots);
    if (o->allowlist != NULL)
        gc_load_records(o->allowlist, false, gc_party_add, &v->allow);
    if (o->issuers != NULL)
        gc_load_records(o->issuers, false, gc_party_add, &v->issuers);
    gc_position_book_init(&v->owned, o->allowlist != NULL ? &v->allow : NULL,
                          o->issuers != NULL ? &v->issuers : NULL);
    if (o->state != NULL) {
        gc_lock_state(o->state);
        gc_chains_load(&v->chains, o->state);
    }
}

/* Commits the run's output, its rejects and the heads as one: a re-run never passes a record twice.
 */
static int verifier_close(struct gc_verifier *v, struct gc_filter *flt)
{
    struct gc_commit commit;
    int status;

    if (v->opts->state == NULL) {
        status = gc_filter_finish(flt);
    } else {
        gc_commit_init(&commit, v->opts->state);
        status = gc_filter_finish_commit(flt, &commit);
        if (!flt->stopped && v->chains.dirty)
            gc_chains_save(&v->chains, v->opts->state, &commit);
        gc_commit_apply(&commit);
    }
    gc_registry_release(&v->registry);
    gc_pubkey_set_release(&v->validators);
    gc_position_book_release(&v->owned);
    gc_pubkey_set_release(&v->allow);
    gc_pubkey_set_release(&v->issuers);
    release_roots(&v->roots);
    gc_chains_release(&v->chains);
    gc_buf_release(&v->msg);
    return status;
}

static int gc_verify_run(const struct gc_verify_opts *o)
{
    static const struct gc_steps steps = {
        .slot_size = sizeof(struct verify_slot),
        .prepare = verify_prepare,
        .commit = verify_commit,
        .release = verify_release,
    };
    static const struct gc_steps partial_steps = {
        .slot_size = sizeof(struct verify_slot),
        .prepare = verify_prepare,
        .commit = partial_commit,
        .release = verify_release,
        .source_end = partial_end,
    };
    struct gc_verifier v;
    struct gc_filter flt;

    verifier_open(&v, o);
    gc_filter_init_commit(&flt, &o->filter, o->state);
    gc_filter_run_steps(&flt, o->files, o->nfiles, o->partial ? &partial_steps : &steps, o->jobs,
                        &v);
    return verifier_close(&v, &flt);
}

/* --- merge --- */

/* An input of the --partial runs, by name: lines and bytes of its blocks so far. */
struct merge_source {
    char *name;
    uint64_t lines, bytes;
};

struct gc_merge {
    struct gc_verifier *v;
    struct gc_verdict verdict; /* of the unit being judged */
};

static bool merge_judge(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                        struct gc_fail *f)
{
    struct gc_merge *m = ctx;

    return judge_in_order(m->v, flt, rec, line, &m->verdict, f);
}

static void __attribute__((noreturn))
not_partial(const char *file, uint64_t line_no, const char *why)
{
    gc_die(GC_EX_DATAERR, "%s:%llu: not the output of gc-verify --partial: %s", file,
           (unsigned long long)line_no, why);
}

static struct merge_source *merge_source(struct gc_map *sources, const char *name)
{
    struct merge_source *ms = gc_map_get(sources, name);

    if (ms == NULL) {
        ms = gc_xcalloc(1, sizeof(*ms));
        ms->name = gc_xstrdup(name);
        gc_map_put(sources, ms->name, ms);
    }
    return ms;
}

/* One unit of R: the verdict in MARK, then its line, judged in order. */
static void merge_unit(struct gc_merge *m, struct gc_filter *flt, struct gc_reader *r,
                       struct gc_buf *raw_buf, const struct merge_source *ms,
                       const struct gc_line *at)
{
    struct gc_line raw, line;
    struct gc_fail f;
    json_t *rec = NULL;
    uint64_t unit_line = r->line_no;

    if (!gc_reader_next(r, raw_buf, &raw))
        not_partial(r->name, unit_line, "it ends after a unit, without the unit's line");
    if (raw.total_len > raw.len)
        gc_die(GC_EX_DATAERR,
               "%s:%llu: a line is longer than --max-line-bytes: give merge the limit of the "
               "--partial runs",
               r->name, (unsigned long long)raw.line_no);
    if (at->total_len != 0 && at->total_len <= raw.len)
        not_partial(r->name, unit_line, "a cut line is not shorter than its length");
    line = (struct gc_line){
        .bytes = raw.bytes,
        .len = raw.len,
        .total_len = at->total_len != 0 ? at->total_len : raw.len,
        .line_no = ms->lines + at->line_no,
        .offset = ms->bytes + at->offset,
    };
    if (m->verdict.kind == GC_VERDICT_BOOK) {
        rec = gc_json_parse_object(raw.bytes, raw.len, &f);
        if (rec == NULL)
            not_partial(r->name, raw.line_no, "a book unit's line is not a record");
    }
    gc_filter_feed_judged(flt, ms->name, &line, rec, merge_judge, m);
    json_decref(rec);
}

static void merge_file(struct gc_merge *m, struct gc_filter *flt, struct gc_map *sources,
                       const char *path)
{
    struct gc_buf buf = GC_BUF_INIT, raw_buf = GC_BUF_INIT;
    struct merge_source *ms = NULL;
    struct gc_reader r;
    struct gc_line line;

    /* Verdicts are short; the lines after them as long as the partial runs allowed. */
    gc_reader_open(&r, path, flt->opts.max_line > 65536 ? flt->opts.max_line : 65536);
    while (!flt->stopped && gc_reader_next(&r, &buf, &line)) {
        enum gc_partial_mark mark;
        struct gc_line at = {0};
        const char *source = NULL;
        uint64_t lines = 0, bytes = 0;
        struct gc_fail f;
        json_t *rec = gc_json_parse_object(line.bytes, line.len, &f);

        if (rec == NULL ||
            !gc_partial_parse(rec, &mark, &m->verdict, &at, &source, &lines, &bytes, &f))
            not_partial(r.name, line.line_no, f.detail);
        if (mark == GC_PARTIAL_BEGIN) {
            if (ms != NULL)
                not_partial(r.name, line.line_no, "a begin inside another input's units");
            ms = merge_source(sources, source);
        } else if (ms == NULL) {
            not_partial(r.name, line.line_no, "no begin record before it");
        } else if (mark == GC_PARTIAL_END) {
            if (strcmp(source, ms->name) != 0)
                not_partial(r.name, line.line_no, "the end of another input than begun");
            ms->lines += lines;
            ms->bytes += bytes;
            ms = NULL;
        } else {
            merge_unit(m, flt, &r, &raw_buf, ms, &at);
        }
        json_decref(rec);
    }
    if (ms != NULL && !flt->stopped)
        gc_die(GC_EX_DATAERR,
               "%s: the units of '%s' stop without their end record: a --partial run did not "
               "finish",
               r.name, ms->name);
    gc_reader_close(&r);
    gc_buf_release(&buf);
    gc_buf_release(&raw_buf);
}

static int gc_verify_merge(const struct gc_verify_opts *o)
{
    static char *stdin_only[] = {"-"};
    struct gc_verifier v;
    struct gc_merge m = {.v = &v};
    struct gc_map sources = GC_MAP_INIT;
    struct gc_filter flt;
    char **files = o->nfiles > 0 ? o->files : stdin_only;
    int nfiles = o->nfiles > 0 ? o->nfiles : 1, status;

    verifier_open(&v, o);
    gc_filter_init_commit(&flt, &o->filter, o->state);
    for (int i = 0; i < nfiles && !flt.stopped; i++)
        merge_file(&m, &flt, &sources, files[i]);
    status = verifier_close(&v, &flt);
    for (size_t i = 0; i < sources.cap; i++) {
        struct merge_source *ms = sources.slots[i].value;

        if (ms != NULL) {
            free(ms->name);
            free(ms);
        }
    }
    gc_map_release(&sources);
    return status;
}

/* --- tasks and challenges --- */

/* A line kept for a late reject: where it came from and its bytes. */
struct gc_kept_line {
    char *source;
    struct gc_line line;
};

struct gc_task_run {
    const struct gc_verify_opts *opts;
    struct gc_filter flt;
    struct gc_registry registry;
    struct gc_map roots;
    struct gc_task_book book;
    struct gc_kept_line **kept;
    size_t n_kept, cap_kept;
    struct gc_buf cmd_out;
};

static bool task_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                        struct gc_fail *f)
{
    struct gc_task_run *run = ctx;
    const json_t *type = json_object_get(rec, "type");
    struct gc_kept_line *k = NULL;

    /* Receipts, openings and challenges may turn out bad once all is read: keep their lines. */
    if (json_is_string(type) && (strcmp(json_string_value(type), "receipt") == 0 ||
                                 strcmp(json_string_value(type), "opening") == 0 ||
                                 strcmp(json_string_value(type), "challenge") == 0)) {
        char *bytes = gc_xmalloc(line->len + 1);

        memcpy(bytes, line->bytes, line->len);
        k = gc_xcalloc(1, sizeof(*k));
        k->source = gc_xstrdup(flt->source);
        k->line = *line;
        k->line.bytes = bytes;
        run->kept = gc_grow(run->kept, &run->cap_kept, run->n_kept + 1, sizeof(k), 64);
        run->kept[run->n_kept++] = k;
    }
    return gc_task_book_add(&run->book, rec, k, f);
}

static void task_emit(void *ctx, const char *rec, size_t len)
{
    struct gc_task_run *run = ctx;

    gc_filter_emit(&run->flt, rec, len);
}

static void task_reject(void *ctx, void *tag, const struct gc_fail *f)
{
    struct gc_task_run *run = ctx;
    const struct gc_kept_line *k = tag;

    gc_filter_reject_late(&run->flt, k->source, &k->line, f);
}

/* --recompute: CMD SPEC INDEX prints the chunk's hash on its first line. */
static bool task_recompute(void *ctx, const struct gc_task *t, int64_t index,
                           uint8_t hash[GC_SHA256_LEN])
{
    struct gc_task_run *run = ctx;
    char spec[2 * GC_SHA256_LEN + 1], idx[24];
    const char *args[] = {spec, idx};
    const char *why;
    size_t len;
    int status;

    gc_hex_encode(t->spec, GC_SHA256_LEN, spec);
    snprintf(idx, sizeof(idx), "%lld", (long long)index);
    why = gc_run_capture(run->opts->recompute, args, 2, &run->cmd_out, 4096, &status);
    if (why != NULL) {
        gc_error("--recompute of task '%s' chunk %s: the command %s (%d)", t->id, idx, why, status);
        return false;
    }
    len = run->cmd_out.len;
    if (len > 0 && run->cmd_out.ptr[len - 1] == '\n')
        len--;
    if (!gc_hex_decode(run->cmd_out.ptr, len, hash, GC_SHA256_LEN)) {
        gc_error("--recompute of task '%s' chunk %s: the command printed no 64-digit lowercase "
                 "hex hash on one line",
                 t->id, idx);
        return false;
    }
    return true;
}

static int gc_verify_tasks(const struct gc_verify_opts *o)
{
    struct gc_task_run run = {.opts = o};
    struct gc_task_hooks hooks = {
        .ctx = &run,
        .emit = task_emit,
        .reject = task_reject,
        .recompute = o->recompute ? task_recompute : NULL,
    };
    bool ok = true;
    size_t waiting = 0;
    int status;

    gc_registry_load(&run.registry, o->registry);
    gc_load_records(o->snapshots, false, load_snapshot, &run.roots);
    gc_task_book_init(&run.book, &run.registry, &run.roots);
    gc_filter_init(&run.flt, &o->filter);
    run.flt.aggregate = true;
    gc_filter_run(&run.flt, o->files, o->nfiles, task_record, &run);
    if (!run.flt.stopped) {
        if (strcmp(o->verb, "tasks") == 0)
            ok = gc_task_book_judge(&run.book, &hooks, o->pay);
        else
            gc_task_book_challenges(&run.book, &hooks, &waiting);
    }
    if (!ok) {
        gc_writer_discard(&run.flt.out);
        if (o->filter.rejects != NULL)
            gc_writer_discard(&run.flt.rej);
        status = GC_EX_UNAVAILABLE;
    } else {
        /* Not an error, but never silent: these tasks cannot be challenged yet. */
        if (waiting == 1)
            gc_warn("1 task waits for its beacon snapshot");
        else if (waiting > 1)
            gc_warn("%zu tasks wait for their beacon snapshots", waiting);
        status = gc_filter_finish(&run.flt);
    }
    gc_task_book_release(&run.book);
    for (size_t i = 0; i < run.n_kept; i++) {
        free(run.kept[i]->source);
        free((char *)run.kept[i]->line.bytes);
        free(run.kept[i]);
    }
    free(run.kept);
    gc_buf_release(&run.cmd_out);
    release_roots(&run.roots);
    gc_registry_release(&run.registry);
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
        {"snapshots", required_argument, NULL, OPT_SNAPSHOTS},
        {"recompute", required_argument, NULL, OPT_RECOMPUTE},
        {"pay", no_argument, NULL, OPT_PAY},
        {"allowlist", required_argument, NULL, OPT_ALLOWLIST},
        {"issuers", required_argument, NULL, OPT_ISSUERS},
        {"jobs", required_argument, NULL, 'j'},
        {"partial", no_argument, NULL, OPT_PARTIAL},
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    bool have_now = false, have_slack = false, have_jobs = false;
    int c;

    memset(o, 0, sizeof(*o));
    o->slack_bps = 1000;
    o->jobs = 1;
    /* The verbs are words no input file is named by; ./tasks reads a file called tasks. */
    if (argc > 1 && (strcmp(argv[1], "tasks") == 0 || strcmp(argv[1], "challenges") == 0 ||
                     strcmp(argv[1], "merge") == 0))
        o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        switch (c) {
        case 'j':
            o->jobs = gc_cli_jobs(optarg);
            have_jobs = true;
            break;
        case OPT_PARTIAL:
            o->partial = true;
            break;
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
        case OPT_SNAPSHOTS:
            o->snapshots = optarg;
            break;
        case OPT_QUORUM:
            o->quorum = gc_cli_int("quorum", optarg, 1, 1000);
            break;
        case OPT_RECOMPUTE:
            o->recompute = optarg;
            break;
        case OPT_PAY:
            o->pay = true;
            break;
        case OPT_ALLOWLIST:
            o->allowlist = optarg;
            break;
        case OPT_ISSUERS:
            o->issuers = optarg;
            break;
        case OPT_SLACK:
            o->slack_bps = gc_cli_int("slack-bps", optarg, 0, 1000000);
            have_slack = true;
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if ((o->recompute != NULL || o->pay) && (o->verb == NULL || strcmp(o->verb, "tasks") != 0))
        gc_cli_usage("--recompute and --pay go with tasks");
    if ((have_jobs || o->partial) && o->verb != NULL)
        gc_cli_usage("-j and --partial do not go with %s", o->verb);
    if (o->partial && (o->state != NULL || o->filter.rejects != NULL))
        gc_cli_usage("--partial writes every verdict for merge: give --state and --rejects to "
                     "merge");
    if (o->verb != NULL && strcmp(o->verb, "merge") == 0) {
        if (o->registry != NULL || o->validators != NULL || o->quorum != 0 ||
            o->snapshots != NULL || have_now || have_slack)
            gc_cli_usage("--registry, --validators, --quorum, --snapshots, --now and --slack-bps "
                         "go with the --partial runs, not merge");
        return;
    }
    if (o->verb != NULL) {
        if (o->registry == NULL || o->snapshots == NULL)
            gc_cli_usage("%s needs --registry and --snapshots", o->verb);
        if (o->state != NULL || o->validators != NULL || o->quorum != 0 || have_now || have_slack ||
            o->allowlist != NULL)
            gc_cli_usage("--state, --validators, --quorum, --now, --slack-bps and --allowlist do "
                         "not go with %s",
                         o->verb);
        return;
    }
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
    if (opts.verb != NULL && strcmp(opts.verb, "merge") == 0)
        return gc_verify_merge(&opts);
    if (opts.verb != NULL)
        return gc_verify_tasks(&opts);
    return gc_verify_run(&opts);
}
