/*
 * gc-amm — markets for perishable green GPU-hours: one market per (pool,
 * delivery hour), events in, receipts and market states out, a TWAP index.
 * See gc-amm(1) and gc-records(5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_amm.h"
#include "gc_amm_line.h"
#include "gc_cli.h"
#include "gc_err.h"
#include "gc_filter.h"
#include "gc_io.h"
#include "gc_json.h"
#include "gc_quote.h"
#include "gc_sim.h"
#include "gc_time.h"
#include "banned.h"

static const char help[] =
    "usage: gc-amm run --state FILE [--now TS] [-o FILE] [--rejects FILE] [FILE...]\n"
    "       gc-amm quote --state FILE --market ID (--buy N | --sell N) [--now TS] [-o FILE]\n"
    "       gc-amm index --state FILE [--now TS] [--pool ID] [-o FILE]\n"
    "       gc-amm simulate --seed N --hours N [--curve ys|cp] [--supply FILE]\n"
    "                       [--demand N] [--start TS] [--tsv] [-o FILE]\n"
    "       gc-amm -h | --help | -V | --version\n"
    "\n"
    "Markets for perishable green GPU-hours: one per pool and delivery hour, where\n"
    "operators supply GPU-seconds, buyers pay cash, and the curve flattens to the\n"
    "anchor price as delivery nears.\n"
    "\n"
    "run       apply market events (amm.open, amm.add, amm.remove, amm.swap, amm.poll,\n"
    "          amm.close) to the markets in the state file; write a receipt for each\n"
    "          and the new state of every market touched\n"
    "quote     price a trade without making it\n"
    "index     the time-weighted average price of each market (index records)\n"
    "simulate  generate a seeded scenario of supply and buyers and run it\n"
    "\n"
    "      --state FILE         the markets, carried from run to run (locked, replaced\n"
    "                           atomically)\n"
    "      --now TS             the time of events without a ts; quote and index: the time\n"
    "                           to price at (default: the market's last event)\n"
    "      --market ID          quote: the market\n"
    "      --buy N              quote: buy N GPU-seconds\n"
    "      --sell N             quote: sell N GPU-seconds\n"
    "      --pool ID            index: only this pool's markets\n"
    "      --seed N             simulate: the random seed (echoed in every record)\n"
    "      --hours N            simulate: delivery hours to run (1 to 8760)\n"
    "      --curve ys|cp        simulate: the curve (default ys)\n"
    "      --supply FILE        simulate: pool snapshots (gc-pool build) as the supply\n"
    "      --demand N           simulate: buyers per market (default 20)\n"
    "      --start TS           simulate: the first delivery hour (default\n"
    "                           2026-01-01T00:00:00Z, or the first snapshot's hour)\n"
    "      --tsv                simulate: one table row per hour instead of "
    "records\n" GC_FILTER_HELP;

enum {
    OPT_STATE = GC_OPT_PROGRAM,
    OPT_NOW,
    OPT_MARKET,
    OPT_BUY,
    OPT_SELL,
    OPT_POOL,
    OPT_SEED,
    OPT_HOURS,
    OPT_CURVE,
    OPT_SUPPLY,
    OPT_DEMAND,
    OPT_START,
    OPT_TSV,
};

struct gc_amm_opts {
    const char *verb;
    const char *state;
    int64_t now; /* GC_AMM_NO_TIME when not given */
    const char *market;
    int64_t buy_gpu_s, sell_gpu_s;
    const char *pool;
    struct gc_sim_opts sim;
    bool tsv;
    struct gc_filter_opts filter;
    char **files;
    int nfiles;
};

/* Writes the whole of OUT to -o FILE (atomically) or standard output. */
static void write_output(const struct gc_amm_opts *o, const struct gc_buf *out)
{
    struct gc_writer w;

    gc_writer_open(&w, o->filter.output);
    gc_writer_write(&w, out->ptr, out->len);
    gc_writer_commit(&w);
}

/* ---- run ------------------------------------------------------------------- */

struct runner {
    struct gc_amm_book book;
    const struct gc_amm_opts *opts;
    struct gc_map touched; /* markets changed in this batch */
    struct gc_amm_market *last_touched;
    struct gc_buf out;
    struct gc_amm_reader reader;
};

static bool load_market(void *ctx, json_t *rec, struct gc_fail *f)
{
    return gc_amm_load(ctx, rec, f);
}

static void load_book(struct gc_amm_book *b, const char *state)
{
    gc_amm_book_init(b);
    gc_load_records(state, true, load_market, b);
}

/* The general path for a line: the checks gc_filter_run makes of every record, then the event. */
static bool apply_json(struct runner *r, const struct gc_filter *flt, const struct gc_line *line,
                       struct gc_amm_market **m, struct gc_fail *f)
{
    json_t *rec = gc_filter_parse_line(line, flt->opts.max_line, f);
    bool ok;

    if (rec == NULL)
        return false;
    ok = gc_amm_apply_lines(&r->book, rec, r->opts->now, &r->out, m, f);
    json_decref(rec);
    return ok;
}

/*
 * One event: a plain swap is read straight from its line (gc_amm_line.h), anything else parsed
 * and judged as JSON, with the same receipts and refusals.
 */
static bool run_line(void *ctx, struct gc_filter *flt, const char *source,
                     const struct gc_line *line, struct gc_fail *f)
{
    struct runner *r = ctx;
    struct gc_amm_market *m = NULL;
    struct gc_amm_swap s;
    bool ok;

    gc_buf_reset(&r->out);
    if (gc_amm_read_swap(&r->reader, line->bytes, line->len, r->opts->now, &s))
        ok = gc_amm_apply_swap(&r->book, &s, &r->out, &m, f);
    else
        ok = apply_json(r, flt, line, &m, f);
    if (!ok)
        return false;
    for (const char *p = r->out.ptr, *end = p + r->out.len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        gc_filter_emit(flt, p, (size_t)(nl - p));
        p = nl + 1;
    }
    if (m != r->last_touched)
        gc_map_put(&r->touched, m->id, m);
    r->last_touched = m;
    return true;
}

static int gc_amm_run(const struct gc_amm_opts *o)
{
    struct runner r = {.opts = o, .touched = GC_MAP_INIT, .out = GC_BUF_INIT};
    struct gc_commit commit;
    struct gc_filter flt;
    struct gc_amm_market **ms;
    int status;

    gc_lock_state(o->state);
    load_book(&r.book, o->state);
    gc_filter_init_commit(&flt, &o->filter, o->state);
    /* one event makes several receipts; lines, not records: plain swaps need no JSON tree */
    gc_filter_run_lines(&flt, o->files, o->nfiles, run_line, &r);
    gc_buf_reset(&r.out);
    if (!flt.stopped && r.touched.n > 0) {
        /*
         * Every market's state, one line each in id order, is the state file; the touched ones
         * go to the output too.
         */
        ms = gc_amm_sorted(&r.book);
        for (size_t i = 0; i < r.book.markets.n; i++) {
            size_t at = r.out.len;

            gc_amm_state_record(ms[i], &r.out);
            if (gc_map_get(&r.touched, ms[i]->id) != NULL)
                gc_filter_emit(&flt, r.out.ptr + at, r.out.len - at);
            gc_buf_addc(&r.out, '\n');
        }
        free(ms);
    }
    /* The receipts, the rejects and the markets land as one: a re-run never applies twice. */
    gc_commit_init(&commit, o->state);
    status = gc_filter_finish_commit(&flt, &commit);
    if (!flt.stopped && r.touched.n > 0)
        gc_commit_data(&commit, o->state, r.out.ptr, r.out.len, 0666);
    gc_commit_apply(&commit);
    gc_map_release(&r.touched);
    gc_buf_release(&r.out);
    gc_amm_reader_release(&r.reader);
    gc_amm_book_release(&r.book);
    return status;
}

/* ---- quote ----------------------------------------------------------------- */

static int gc_amm_quote(const struct gc_amm_opts *o)
{
    struct gc_amm_book b;
    struct gc_amm_market *m;
    struct gc_quote q;
    struct gc_fail f = {0};
    struct gc_buf out = GC_BUF_INIT;
    bool buy = o->buy_gpu_s > 0;
    int64_t ts;
    json_t *rec;

    load_book(&b, o->state);
    m = gc_amm_find(&b, o->market);
    if (m == NULL)
        gc_die(GC_EX_DATAERR, "%s: no market '%s'", o->state, o->market);
    ts = o->now != GC_AMM_NO_TIME ? o->now : m->last_ts;
    if (m->closed || ts >= m->hour)
        gc_die(GC_EX_DATAERR, "market '%s' is closed at that time", m->id);
    if (ts < m->last_ts)
        gc_die(GC_EX_DATAERR, "market '%s' is already at a later time", m->id);
    if (!gc_quote_price(m, ts, buy, (gc_u128)(buy ? o->buy_gpu_s : o->sell_gpu_s), &q, &f))
        gc_die(GC_EX_DATAERR, "market '%s': %s: %s", m->id, f.reason, f.detail);
    rec = gc_quote_record(m, ts, &q);
    gc_jcs_append(&out, rec);
    gc_buf_addc(&out, '\n');
    json_decref(rec);
    write_output(o, &out);
    gc_buf_release(&out);
    gc_amm_book_release(&b);
    return 0;
}

/* ---- index ----------------------------------------------------------------- */

static int gc_amm_index(const struct gc_amm_opts *o)
{
    struct gc_amm_book b;
    struct gc_amm_market **ms;
    struct gc_buf out = GC_BUF_INIT;

    load_book(&b, o->state);
    ms = gc_amm_sorted(&b);
    for (size_t i = 0; i < b.markets.n; i++) {
        const struct gc_amm_market *m = ms[i];
        /* a closed market's index is its TWAP up to delivery; an open one's up to now */
        int64_t at = m->closed ? m->hour : o->now != GC_AMM_NO_TIME ? o->now : m->last_ts;
        int64_t micros, window_s;
        char hour[GC_TIME_LEN + 1], ts[GC_TIME_LEN + 1];

        if (o->pool != NULL && strcmp(o->pool, m->pool) != 0)
            continue;
        if (!gc_amm_twap_micros(m, at, &micros, &window_s)) {
            gc_warn("market '%s' has no price history to average at that time", m->id);
            continue;
        }
        gc_time_format(m->hour, hour);
        gc_time_format(at, ts);
        gc_buf_adds(&out, "{\"hour\":\"");
        gc_buf_adds(&out, hour);
        gc_buf_adds(&out, "\",\"market\":");
        gc_jcs_append_string(&out, m->id, strlen(m->id));
        gc_buf_adds(&out, ",\"pool\":");
        gc_jcs_append_string(&out, m->pool, strlen(m->pool));
        gc_buf_addf(&out,
                    ",\"ts\":\"%s\",\"twap_micros\":%lld,\"type\":\"index\",\"v\":1,"
                    "\"window_s\":%lld}\n",
                    ts, (long long)micros, (long long)window_s);
    }
    free(ms);
    write_output(o, &out);
    gc_buf_release(&out);
    gc_amm_book_release(&b);
    return 0; /* a market without prices yet is not an error: it has no index */
}

/* ---- simulate ------------------------------------------------------------------ */

struct supply {
    struct gc_sim_supply *v;
    size_t n, cap;
};

/* One pool snapshot of gc-pool build: the pool's green GPU-seconds and its members. */
static bool load_snapshot(void *ctx, json_t *rec, struct gc_fail *f)
{
    struct supply *s = ctx;
    struct gc_sim_supply sp = {0};
    const json_t *members = json_object_get(rec, "members");
    const char *pool;

    if (!gc_field_const(rec, "type", "pool", f) || !gc_field_id(rec, "pool", &pool, f) ||
        !gc_field_time(rec, "hour", &sp.hour, f) ||
        !gc_field_int(rec, "green_gpu_s", 0, INT64_MAX, &sp.green_gpu_s, f))
        return false;
    if (!json_is_array(members))
        return gc_fail(f, "bad_field", "'members' must be an array");
    snprintf(sp.pool, sizeof(sp.pool), "%s", pool);
    sp.devices = gc_xcalloc(json_array_size(members) + 1, sizeof(*sp.devices));
    for (size_t i = 0; i < json_array_size(members); i++) {
        const json_t *e = json_array_get(members, i);
        const char *dev;
        bool ok = json_is_object(e) ? gc_field_id(e, "device", &dev, f)
                                    : gc_fail(f, "bad_field", "'members' entries are objects");

        if (!ok) {
            for (size_t j = 0; j < sp.n_devices; j++)
                free(sp.devices[j]);
            free(sp.devices);
            return false;
        }
        sp.devices[sp.n_devices++] = gc_xstrdup(dev);
    }
    s->v = gc_grow(s->v, &s->cap, s->n + 1, sizeof(*s->v), 16);
    s->v[s->n++] = sp;
    return true;
}

static int snapshot_cmp(const void *a, const void *b)
{
    const struct gc_sim_supply *x = a, *y = b;

    if (x->hour != y->hour)
        return x->hour < y->hour ? -1 : 1;
    return strcmp(x->pool, y->pool);
}

static int gc_amm_simulate(const struct gc_amm_opts *o)
{
    struct gc_sim_opts sim = o->sim;
    struct supply s = {0};
    struct gc_buf out = GC_BUF_INIT;

    if (sim.supply != NULL) {
        gc_load_records(sim.supply, false, load_snapshot, &s);
        qsort(s.v, s.n, sizeof(*s.v), snapshot_cmp);
        for (size_t i = 1; i < s.n; i++)
            if (snapshot_cmp(&s.v[i - 1], &s.v[i]) == 0)
                gc_die(GC_EX_DATAERR, "%s: pool '%s' has two snapshots for one hour", sim.supply,
                       s.v[i].pool);
        if (s.n == 0)
            gc_die(GC_EX_DATAERR, "%s: no pool snapshots", sim.supply);
        sim.snapshots = s.v;
        sim.n_snapshots = s.n;
    }
    gc_sim_run(&sim, o->tsv, &out);
    write_output(o, &out);
    gc_buf_release(&out);
    for (size_t i = 0; i < s.n; i++) {
        for (size_t j = 0; j < s.v[i].n_devices; j++)
            free(s.v[i].devices[j]);
        free(s.v[i].devices);
    }
    free(s.v);
    return 0;
}

/* ---- options --------------------------------------------------------------------- */

static const char *const verbs[] = {"run", "quote", "index", "simulate"};

static bool known_verb(const char *v)
{
    for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
        if (strcmp(v, verbs[i]) == 0)
            return true;
    return false;
}

static void parse_args(int argc, char **argv, struct gc_amm_opts *o)
{
    static const struct option longopts[] = {
        {"state", required_argument, NULL, OPT_STATE},
        {"now", required_argument, NULL, OPT_NOW},
        {"market", required_argument, NULL, OPT_MARKET},
        {"buy", required_argument, NULL, OPT_BUY},
        {"sell", required_argument, NULL, OPT_SELL},
        {"pool", required_argument, NULL, OPT_POOL},
        {"seed", required_argument, NULL, OPT_SEED},
        {"hours", required_argument, NULL, OPT_HOURS},
        {"curve", required_argument, NULL, OPT_CURVE},
        {"supply", required_argument, NULL, OPT_SUPPLY},
        {"demand", required_argument, NULL, OPT_DEMAND},
        {"start", required_argument, NULL, OPT_START},
        {"tsv", no_argument, NULL, OPT_TSV},
        GC_FILTER_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    bool is_run, is_sim, has_seed = false;
    int c;

    memset(o, 0, sizeof(*o));
    o->now = GC_AMM_NO_TIME;
    gc_sim_defaults(&o->sim);
    o->verb = gc_cli_take_verb(&argc, &argv);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longopts, NULL)) != -1) {
        if (gc_cli_filter_opt(c, optarg, &o->filter, help))
            continue;
        switch (c) {
        case OPT_STATE:
            o->state = optarg;
            break;
        case OPT_NOW:
            o->now = gc_cli_time("now", optarg);
            break;
        case OPT_MARKET:
            o->market = optarg;
            break;
        case OPT_BUY:
            o->buy_gpu_s = gc_cli_int("buy", optarg, 1, (int64_t)1 << 50);
            break;
        case OPT_SELL:
            o->sell_gpu_s = gc_cli_int("sell", optarg, 1, (int64_t)1 << 50);
            break;
        case OPT_POOL:
            o->pool = optarg;
            break;
        case OPT_SEED:
            o->sim.seed = (uint64_t)gc_cli_int("seed", optarg, 0, INT64_MAX);
            has_seed = true;
            break;
        case OPT_HOURS:
            o->sim.hours = gc_cli_int("hours", optarg, 1, 8760);
            break;
        case OPT_CURVE:
            if (strcmp(optarg, "ys") != 0 && strcmp(optarg, "cp") != 0)
                gc_cli_usage("--curve must be ys or cp");
            o->sim.curve = optarg;
            o->sim.curve_given = true;
            break;
        case OPT_SUPPLY:
            o->sim.supply = optarg;
            break;
        case OPT_DEMAND:
            o->sim.buyers = gc_cli_int("demand", optarg, 0, 100000);
            o->sim.buyers_given = true;
            break;
        case OPT_START:
            o->sim.start = gc_cli_time("start", optarg);
            o->sim.has_start = true;
            break;
        case OPT_TSV:
            o->tsv = true;
            break;
        default:
            gc_cli_bad_option(c, argv);
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->verb == NULL)
        gc_cli_usage("a command is needed: run, quote, index or simulate");
    if (!known_verb(o->verb))
        gc_cli_usage("unknown command '%s' (run, quote, index or simulate)", o->verb);
    is_run = strcmp(o->verb, "run") == 0;
    is_sim = strcmp(o->verb, "simulate") == 0;
    if ((o->state == NULL) != is_sim)
        gc_cli_usage(is_sim ? "--state does not go with simulate" : "%s needs --state", o->verb);
    if (is_sim && !(has_seed && o->sim.hours > 0))
        gc_cli_usage("simulate needs --seed and --hours");
    if (!is_sim && (has_seed || o->sim.hours > 0))
        gc_cli_usage("--seed and --hours go with simulate");
    if (is_sim && o->now != GC_AMM_NO_TIME)
        gc_cli_usage("--now goes with run, quote and index");
    if (!is_sim &&
        (o->sim.supply || o->sim.has_start || o->tsv || o->sim.curve_given || o->sim.buyers_given))
        gc_cli_usage("--curve, --supply, --demand, --start and --tsv go with simulate");
    if (strcmp(o->verb, "quote") == 0) {
        if (o->market == NULL || (o->buy_gpu_s > 0) == (o->sell_gpu_s > 0))
            gc_cli_usage("quote needs --market and one of --buy and --sell");
    } else if (o->market != NULL || o->buy_gpu_s > 0 || o->sell_gpu_s > 0) {
        gc_cli_usage("--market, --buy and --sell go with quote");
    }
    if (o->pool != NULL && strcmp(o->verb, "index") != 0)
        gc_cli_usage("--pool goes with index");
    if (!is_run && o->nfiles > 0 && !is_sim)
        gc_cli_usage("%s reads no input files", o->verb);
    if (is_sim && o->nfiles > 0)
        gc_cli_usage("simulate reads no input files (pool snapshots come with --supply)");
    if (!is_run && o->filter.rejects != NULL)
        gc_cli_usage("--rejects goes with run");
}

int main(int argc, char **argv)
{
    struct gc_amm_opts opts;

    gc_cli_init(argv[0]);
    parse_args(argc, argv, &opts);
    if (strcmp(opts.verb, "quote") == 0)
        return gc_amm_quote(&opts);
    if (strcmp(opts.verb, "index") == 0)
        return gc_amm_index(&opts);
    if (strcmp(opts.verb, "simulate") == 0)
        return gc_amm_simulate(&opts);
    return gc_amm_run(&opts);
}
