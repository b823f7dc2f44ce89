/*
 * gc-pool — hourly matching of green generation to compute per grid zone:
 * allocations, certificates and zone-hour matches from verified
 * attestations. See gc-pool(1) and gc-records(5).
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
#include "gc_match.h"
#include "gc_num.h"
#include "gc_reading.h"
#include "gc_registry.h"
#include "gc_time.h"
#include "gc_pool.h"
#include "gc_merkle.h"
#include "gc_report.h"
#include "banned.h"

static const char help[] =
    "usage: gc-pool match --registry FILE [--sorted] [--partial] [-o FILE] [--rejects FILE]\n"
    "                     [--max-line-bytes N] [-q] [--progress] [FILE...]\n"
    "       gc-pool merge --registry FILE [-o FILE] [--rejects FILE] [FILE...]\n"
    "       gc-pool audit [-q] [FILE...]\n"
    "       gc-pool report [--intensity FILE] [-o FILE] [FILE...]\n"
    "       gc-pool build --pools FILE --registry FILE [-o FILE] [FILE...]\n"
    "       gc-pool prove --pool ID --hour TS --device ID [FILE...]\n"
    "       gc-pool cosign -k KEYFILE [-o FILE] [--rejects FILE] [FILE...]\n"
    "       gc-pool -h | --help | -V | --version\n"
    "\n"
    "Match green generation to compute hour by hour in each grid zone; no watt-hour\n"
    "of generation is claimed twice.\n"
    "\n"
    "match   read verified attestations, write allocation, certificate and match records\n"
    "merge   match the partial records of match --partial runs, as one run would\n"
    "audit   check certificates and allocations from any number of runs: no producer-hour\n"
    "        claimed twice or beyond its energy\n"
    "build   pool snapshots per pool and hour: members, totals, Merkle root\n"
    "prove   the inclusion proof of one member of a pool snapshot\n"
    "cosign  add a validator's signature to each pool snapshot\n"
    "report  per zone and day: hourly against volumetric CFE; emissions and SCI per GPU-hour\n"
    "        with an hourly carbon intensity\n"
    "\n"
    "      --registry FILE      device records (NDJSON, may be zstd-compressed)\n"
    "      --sorted             match: the input is in hour order; match each hour as it\n"
    "                           ends, in bounded memory\n"
    "      --partial            match: write per device-hour partial sums for merge\n"
    "      --pools FILE         build: pool definitions (pool.def records)\n"
    "      --pool ID            prove: the pool\n"
    "      --hour TS            prove: the hour of the snapshot, RFC 3339 UTC\n"
    "      --device ID          prove: the member\n"
    "  -k, --key KEYFILE        cosign: the validator's secret key (mode 0600)\n"
    "      --intensity FILE     report: grid carbon intensity per zone-hour (intensity\n"
    "                           records, gco2_per_kwh)\n" GC_FILTER_HELP;

enum {
    OPT_REGISTRY = GC_OPT_PROGRAM,
    OPT_SORTED,
    OPT_PARTIAL,
    OPT_INTENSITY,
    OPT_POOLS,
    OPT_POOL,
    OPT_HOUR,
    OPT_DEVICE,
};

struct gc_pool_opts {
    const char *verb;
    const char *registry;
    bool sorted;
    bool partial;
    const char *intensity;
    const char *pools;
    const char *pool;
    const char *hour_text;
    const char *device;
    const char *key;
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
        p = gc_xcalloc(1, sizeof(*p));
        memcpy(p->key, key, sizeof(key));
        gc_map_put(&a->producers, p->key, p);
    }
    return p;
}

static void place_set(struct gc_place *pl, const struct gc_filter *flt, const struct gc_line *line)
{
    pl->source = gc_xstrdup(flt->source);
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

/* --- build --- */

struct gc_pool_build {
    struct gc_registry registry;
    struct gc_pool_def *defs;
    size_t n_defs;
    struct gc_pool_candidate **cands;
    size_t n_cands, cap_cands;
    struct gc_map stakes; /* device -> int64_t * (micros) */
    struct gc_map seen;   /* "device type hour" of each candidate: one per device-hour */
    struct gc_pool_tally tally;
};

static bool load_pool_def(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct gc_pool_build *pb = ctx;
    struct gc_pool_def def;

    if (!gc_pool_def_from_json(rec, &def, f)) {
        gc_pool_def_release(&def);
        return false;
    }
    for (size_t i = 0; i < pb->n_defs; i++)
        if (strcmp(pb->defs[i].id, def.id) == 0) {
            gc_pool_def_release(&def);
            return gc_fail(f, "bad_field", "pool '%s' is defined twice", def.id);
        }
    pb->defs = realloc(pb->defs, (pb->n_defs + 1) * sizeof(*pb->defs));
    if (pb->defs == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    pb->defs[pb->n_defs++] = def;
    return true;
}

/* Allocations and certificates become candidates; stakes add up; the rest is passed over. */
static bool build_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                         struct gc_fail *f)
{
    struct gc_pool_build *pb = ctx;
    struct gc_pool_candidate *c;
    const struct gc_device *d;
    const char *type, *device, *zone;
    int64_t v, amount;
    char seen_key[128];

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "stake") == 0) {
        int64_t *held;

        if (!gc_field_int(rec, "v", 1, 1, &v, f) || !gc_field_id(rec, "device", &device, f) ||
            !gc_field_int(rec, "amount_micros", 0, INT64_MAX, &amount, f))
            return false;
        held = gc_map_get(&pb->stakes, device);
        if (held == NULL) {
            char *key = strdup(device);

            held = calloc(1, sizeof(*held));
            if (key == NULL || held == NULL)
                gc_die(GC_EX_SOFTWARE, "out of memory");
            gc_map_put(&pb->stakes, key, held);
        }
        if (!gc_add_i64(*held, amount, held))
            return gc_fail(f, "bad_field", "stakes of '%s' overflow", device);
        return true;
    }
    if (strcmp(type, "allocation") != 0 && strcmp(type, "certificate") != 0)
        return true;
    if (!gc_field_int(rec, "v", 1, 1, &v, f) || !gc_field_id(rec, "device", &device, f) ||
        !gc_field_id(rec, "zone", &zone, f))
        return false;
    d = gc_registry_find(&pb->registry, device);
    if (d == NULL)
        return gc_fail(f, "unknown_device", "device '%s' is not in the registry", device);
    c = gc_xcalloc(1, sizeof(*c));
    snprintf(c->device, sizeof(c->device), "%s", device);
    snprintf(c->zone, sizeof(c->zone), "%s", zone);
    c->cls = d->cls;
    c->gpus = d->gpus;
    c->certificate = strcmp(type, "certificate") == 0;
    if (!gc_field_time(rec, "hour", &c->hour, f) ||
        !gc_field_int(rec, "energy_wh", 0, INT64_MAX, &c->energy_wh, f) ||
        (c->certificate ? !gc_field_int(rec, "claimed_wh", 0, INT64_MAX, &c->green_wh, f)
                        : (!gc_field_int(rec, "green_wh", 0, INT64_MAX, &c->green_wh, f) ||
                           !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &c->gpu_s, f) ||
                           !gc_field_int(rec, "green_gpu_s", 0, INT64_MAX, &c->green_gpu_s, f) ||
                           !gc_field_int(rec, "green_bps", 0, 10000, &c->green_bps, f)))) {
        free(c);
        return false;
    }
    snprintf(seen_key, sizeof(seen_key), "%s %s %lld", device, type, (long long)c->hour);
    if (gc_map_get(&pb->seen, seen_key) != NULL) {
        free(c);
        return gc_fail(f, "duplicate", "a second %s of '%s' for one hour: it would count twice",
                       type, device);
    }
    if (!gc_pool_tally_add(&pb->tally, c, f)) {
        free(c);
        return false;
    }
    gc_pool_record_hash(rec, c->hash);
    gc_map_put(&pb->seen, gc_xstrdup(seen_key), c);
    pb->cands = gc_grow(pb->cands, &pb->cap_cands, pb->n_cands + 1, sizeof(*pb->cands), 64);
    pb->cands[pb->n_cands++] = c;
    return true;
}

/* Device, then record type, then hour: each device's history of one type, in order. */
static int history_cmp(const void *a, const void *b)
{
    const struct gc_pool_candidate *x = *(const struct gc_pool_candidate *const *)a;
    const struct gc_pool_candidate *y = *(const struct gc_pool_candidate *const *)b;
    int c = strcmp(x->device, y->device);

    if (c)
        return c;
    if (x->certificate != y->certificate)
        return x->certificate ? 1 : -1;
    return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static bool same_history(const struct gc_pool_candidate *x, const struct gc_pool_candidate *y)
{
    return strcmp(x->device, y->device) == 0 && x->certificate == y->certificate;
}

static void build_out(void *ctx, const char *rec, size_t len)
{
    gc_filter_emit(ctx, rec, len);
}

static int gc_pool_build(const struct gc_pool_opts *o)
{
    struct gc_pool_build pb;
    struct gc_pool_candidate **members;
    struct gc_filter flt;

    memset(&pb, 0, sizeof(pb));
    gc_registry_load(&pb.registry, o->registry);
    gc_load_records(o->pools, false, load_pool_def, &pb);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_run(&flt, o->files, o->nfiles, build_record, &pb);
    members = gc_xcalloc(pb.n_cands + 1, sizeof(*members));
    /* Each device's history of one record type, in hour order, for the trailing windows. */
    qsort(pb.cands, pb.n_cands, sizeof(*pb.cands), history_cmp);
    for (size_t p = 0; p < pb.n_defs && !flt.stopped; p++) {
        size_t n = 0;

        for (size_t i = 0, j; i < pb.n_cands; i = j) {
            for (j = i + 1; j < pb.n_cands && same_history(pb.cands[i], pb.cands[j]); j++)
                ;
            for (size_t k = i; k < j; k++) {
                int64_t *stake = gc_map_get(&pb.stakes, pb.cands[k]->device);

                if (gc_pool_admits(&pb.defs[p], pb.cands[k], stake ? *stake : 0, pb.cands + i,
                                   j - i))
                    members[n++] = pb.cands[k];
            }
        }
        gc_pool_snapshots(&pb.defs[p], members, n, build_out, &flt);
    }
    free(members);
    for (size_t i = 0; i < pb.n_cands; i++)
        free(pb.cands[i]);
    free(pb.cands);
    for (size_t i = 0; i < pb.n_defs; i++)
        gc_pool_def_release(&pb.defs[i]);
    free(pb.defs);
    for (size_t i = 0; i < pb.stakes.cap; i++) {
        free((char *)pb.stakes.slots[i].key);
        free(pb.stakes.slots[i].value);
    }
    gc_map_release(&pb.stakes);
    for (size_t i = 0; i < pb.seen.cap; i++)
        free((char *)pb.seen.slots[i].key);
    gc_map_release(&pb.seen);
    gc_pool_tally_release(&pb.tally);
    gc_registry_release(&pb.registry);
    return gc_filter_finish(&flt);
}

/* --- prove --- */

struct gc_pool_prove {
    const struct gc_pool_opts *opts;
    int64_t hour;
    bool found;
};

/* The snapshot asked for becomes a proof record; other records are read and passed over. */
static bool prove_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                         struct gc_fail *f)
{
    struct gc_pool_prove *pp = ctx;
    const char *type, *pool;
    const json_t *members;
    uint8_t(*leaves)[GC_SHA256_LEN], root[GC_SHA256_LEN], proof[GC_MERKLE_MAX_PROOF][GC_SHA256_LEN];
    int64_t hour, index = -1;
    size_t n;
    int len;
    struct gc_buf b = GC_BUF_INIT;
    char hex[2 * GC_SHA256_LEN + 1], ts[GC_TIME_LEN + 1];

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "pool") != 0)
        return true;
    if (!gc_field_id(rec, "pool", &pool, f) || !gc_field_time(rec, "hour", &hour, f) ||
        !gc_field_hex(rec, "root", root, sizeof(root), f))
        return false;
    if (strcmp(pool, pp->opts->pool) != 0 || hour != pp->hour)
        return true;
    members = json_object_get(rec, "members");
    if (!json_is_array(members) || json_array_size(members) == 0)
        return gc_fail(f, "bad_field", "field 'members' must be a non-empty array");
    n = json_array_size(members);
    leaves = gc_xcalloc(n, sizeof(*leaves));
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(members, i);
        const char *device;
        uint8_t h[GC_SHA256_LEN];

        if (!json_is_object(m)) {
            free(leaves);
            return gc_fail(f, "bad_field", "a member is not an object");
        }
        if (!gc_field_id(m, "device", &device, f) || !gc_field_hex(m, "record", h, sizeof(h), f)) {
            free(leaves);
            return false;
        }
        gc_merkle_leaf_hash(h, sizeof(h), leaves[i]);
        if (strcmp(device, pp->opts->device) == 0)
            index = (int64_t)i;
    }
    if (index < 0) {
        free(leaves);
        return gc_fail(f, "bad_field", "'%s' is not a member of the snapshot", pp->opts->device);
    }
    {
        uint8_t check[GC_SHA256_LEN];

        gc_merkle_root((const uint8_t(*)[GC_SHA256_LEN])leaves, n, check);
        if (memcmp(check, root, sizeof(root)) != 0) {
            free(leaves);
            return gc_fail(f, "bad_field", "the snapshot's root is not that of its members");
        }
    }
    len =
        gc_merkle_inclusion_proof((const uint8_t(*)[GC_SHA256_LEN])leaves, n, (size_t)index, proof);
    gc_time_format(hour, ts);
    gc_buf_adds(&b, "{\"device\":");
    gc_jcs_append_string(&b, pp->opts->device, strlen(pp->opts->device));
    gc_buf_addf(&b, ",\"hour\":\"%s\",\"index\":%lld,\"path\":[", ts, (long long)index);
    for (int i = 0; i < len; i++) {
        gc_hex_encode(proof[i], GC_SHA256_LEN, hex);
        gc_buf_addf(&b, "%s\"%s\"", i ? "," : "", hex);
    }
    gc_buf_adds(&b, "],\"pool\":");
    gc_jcs_append_string(&b, pool, strlen(pool));
    gc_buf_adds(&b, ",\"record\":");
    gc_jcs_append(&b, json_object_get(json_array_get(members, (size_t)index), "record"));
    gc_hex_encode(root, GC_SHA256_LEN, hex);
    gc_buf_addf(&b, ",\"root\":\"%s\",\"size\":%zu,\"type\":\"pool.proof\",\"v\":1}", hex, n);
    gc_filter_emit(flt, b.ptr, b.len);
    gc_buf_release(&b);
    free(leaves);
    pp->found = true;
    return true;
}

static int gc_pool_prove(const struct gc_pool_opts *o)
{
    struct gc_pool_prove pp = {.opts = o};
    struct gc_filter flt;
    int rc;

    pp.hour = gc_cli_time("hour", o->hour_text);
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_run(&flt, o->files, o->nfiles, prove_record, &pp);
    rc = gc_filter_finish(&flt);
    if (rc == GC_EX_OK && !pp.found) {
        gc_error("no snapshot of pool '%s' at %s in the input", o->pool, o->hour_text);
        return GC_EX_DATAERR;
    }
    return rc;
}

/* --- cosign --- */

struct gc_pool_cosign {
    struct gc_key key;
    struct gc_buf out;
};

static bool cosign_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                          struct gc_fail *f)
{
    struct gc_pool_cosign *pc = ctx;

    if (!gc_field_const(rec, "type", "pool", f) || !gc_cosign(rec, &pc->key, &pc->out, f))
        return false;
    gc_filter_emit(flt, pc->out.ptr, pc->out.len);
    return true;
}

static int gc_pool_cosign(const struct gc_pool_opts *o)
{
    struct gc_pool_cosign pc;
    struct gc_filter flt;

    memset(&pc, 0, sizeof(pc));
    gc_key_load_signing(o->key, &pc.key);
    gc_filter_init(&flt, &o->filter);
    gc_filter_run(&flt, o->files, o->nfiles, cosign_record, &pc);
    gc_key_release(&pc.key);
    gc_buf_release(&pc.out);
    return gc_filter_finish(&flt);
}

/* --- report --- */

/* Match records, certificates and GPU allocations in; the rest is read and passed over. */
static bool report_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                          struct gc_fail *f)
{
    const char *type, *zone;
    int64_t v, hour, a, b, c;

    if (!gc_field_str(rec, "type", &type, NULL, f))
        return false;
    if (strcmp(type, "match") != 0 && strcmp(type, "allocation") != 0 &&
        strcmp(type, "certificate") != 0)
        return true;
    if (!gc_field_int(rec, "v", 1, 1, &v, f) || !gc_field_id(rec, "zone", &zone, f) ||
        !gc_field_time(rec, "hour", &hour, f))
        return false;
    if (strcmp(type, "match") == 0) {
        if (!gc_field_int(rec, "demand_wh", 0, INT64_MAX, &b, f) ||
            !gc_field_int(rec, "matched_wh", 0, INT64_MAX, &c, f))
            return false;
        if (c > b)
            return gc_fail(f, "bad_field", "matched_wh exceeds demand_wh");
        gc_report_add_match(ctx, zone, hour, b, c);
        return true;
    }
    if (strcmp(type, "certificate") == 0) {
        if (!gc_field_int(rec, "energy_wh", 0, INT64_MAX, &a, f))
            return false;
        /* A battery's certificate gives back energy counted when it was generated. */
        if (!gc_field_present(rec, "discharge_wh"))
            gc_report_add_generation(ctx, zone, hour, a);
        return true;
    }
    if (!gc_field_int(rec, "energy_wh", 0, INT64_MAX, &a, f) ||
        !gc_field_int(rec, "green_wh", 0, INT64_MAX, &b, f) ||
        !gc_field_int(rec, "gpu_s", 0, INT64_MAX, &c, f))
        return false;
    if (c > 0)
        gc_report_add_gpu(ctx, zone, hour, a, b, c);
    return true;
}

static void report_out(void *ctx, const char *rec, size_t len)
{
    gc_filter_emit(ctx, rec, len);
}

static int gc_pool_report(const struct gc_pool_opts *o)
{
    struct gc_report r;
    struct gc_filter flt;

    gc_report_init(&r);
    if (o->intensity != NULL) {
        gc_load_records(o->intensity, false, gc_intensity_add, &r.intensity);
        r.have_intensity = true;
    }
    gc_filter_init(&flt, &o->filter);
    flt.aggregate = true;
    gc_filter_run(&flt, o->files, o->nfiles, report_record, &r);
    gc_report_finish(&r, flt.stopped ? discard_out : report_out, &flt);
    return gc_filter_finish(&flt);
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

static const struct gc_device *registry_find(const void *ctx, const char *id)
{
    return gc_registry_find(ctx, id);
}

/* A partial record of a match --partial run: its sums join the device-hour's. */
static bool merge_record(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                         struct gc_fail *f)
{
    struct gc_pool_match *pm = ctx;

    return gc_matcher_add_partial(&pm->matcher, rec, registry_find, &pm->registry, f);
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

static bool known_verb(const char *verb)
{
    static const char *const verbs[] = {"match", "merge", "audit", "report",
                                        "build", "prove", "cosign"};

    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strcmp(verb, verbs[i]) == 0)
            return true;
    return false;
}

static void parse_args(int argc, char **argv, struct gc_pool_opts *o)
{
    static const struct option longopts[] = {
        {"registry", required_argument, NULL, OPT_REGISTRY},
        {"sorted", no_argument, NULL, OPT_SORTED},
        {"partial", no_argument, NULL, OPT_PARTIAL},
        {"intensity", required_argument, NULL, OPT_INTENSITY},
        {"pools", required_argument, NULL, OPT_POOLS},
        {"pool", required_argument, NULL, OPT_POOL},
        {"hour", required_argument, NULL, OPT_HOUR},
        {"device", required_argument, NULL, OPT_DEVICE},
        {"key", required_argument, NULL, 'k'},
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:o:qhV", longopts, NULL)) != -1) {
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
        case OPT_INTENSITY:
            o->intensity = optarg;
            break;
        case OPT_POOLS:
            o->pools = optarg;
            break;
        case OPT_POOL:
            o->pool = optarg;
            break;
        case OPT_HOUR:
            gc_cli_time("hour", optarg);
            o->hour_text = optarg;
            break;
        case OPT_DEVICE:
            o->device = optarg;
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
        gc_cli_usage("a command is needed: match, merge, audit, report, build, prove or cosign");
    if (!known_verb(o->verb))
        gc_cli_usage("unknown command '%s' (match, merge, audit, report, build, prove or cosign)",
                     o->verb);
    if ((strcmp(o->verb, "match") == 0 || strcmp(o->verb, "merge") == 0 ||
         strcmp(o->verb, "build") == 0) &&
        o->registry == NULL)
        gc_cli_usage("%s needs --registry", o->verb);
    if ((o->key != NULL) != (strcmp(o->verb, "cosign") == 0))
        gc_cli_usage("-k goes with cosign, and cosign needs it");
    if ((o->pools != NULL) != (strcmp(o->verb, "build") == 0))
        gc_cli_usage("--pools goes with build, and build needs it");
    if ((o->pool != NULL && o->hour_text != NULL && o->device != NULL) !=
        (strcmp(o->verb, "prove") == 0))
        gc_cli_usage("prove needs --pool, --hour and --device, and they go with prove");
    if (o->intensity != NULL && strcmp(o->verb, "report") != 0)
        gc_cli_usage("--intensity goes with report");
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
    if (strcmp(opts.verb, "report") == 0)
        return gc_pool_report(&opts);
    if (strcmp(opts.verb, "build") == 0)
        return gc_pool_build(&opts);
    if (strcmp(opts.verb, "prove") == 0)
        return gc_pool_prove(&opts);
    if (strcmp(opts.verb, "cosign") == 0)
        return gc_pool_cosign(&opts);
    return gc_pool_match(&opts); /* match and merge */
}
