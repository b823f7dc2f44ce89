#include "gc_sim.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gc_amm.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_time.h"
#include "banned.h"

#define HOUR_S              3600
#define SIM_DEVICES         4
#define SIM_GPUS_PER_DEVICE 8

/* Share of peak sunshine per UTC hour of day, in bps: the default supply's daily curve. */
static const int64_t solar_bps[24] = {0,    0,    0,    0,    0,     0,    1000, 3000,
                                      5500, 7500, 9000, 9800, 10000, 9800, 9000, 7500,
                                      5500, 3000, 1000, 0,    0,     0,    0,    0};

void gc_sim_defaults(struct gc_sim_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->curve = "ys";
    o->buyers = 20;
    o->start = 1767225600; /* 2026-01-01T00:00:00Z */
    o->anchor_micros = 2000000;
    o->lead_s = 12 * HOUR_S;
}

/* splitmix64: small, fast, and the same on every machine. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A uniform integer in [LO, HI] (the modulo bias is below 2^-40 for these ranges). */
static int64_t uniform(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_u64(s) % (uint64_t)(hi - lo + 1));
}

struct sim_event {
    int64_t ts;
    int order; /* ties: open, add, swaps in arrival order, poll, close */
    json_t *ev;
};

static int event_cmp(const void *a, const void *b)
{
    const struct sim_event *x = a, *y = b;

    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->order - y->order;
}

struct hour_result {
    int64_t supply_gpu_s, demand_gpu_s, sold_gpu_s, expired_gpu_s, impaired_gpu_s;
    int64_t revenue_micros, fills, refused, twap_micros;
};

static int64_t int_of(const json_t *r, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(r, key));
}

/* Runs one market's events, appending records (or nothing, for TSV) and tallying RES. */
static void run_market(const struct gc_sim_opts *o, struct sim_event *evs, size_t n, bool tsv,
                       struct gc_buf *out, struct hour_result *res, int64_t hour)
{
    struct gc_amm_book book;
    struct gc_amm_market *m = NULL;

    gc_amm_book_init(&book);
    qsort(evs, n, sizeof(*evs), event_cmp);
    for (size_t i = 0; i < n; i++) {
        json_t *receipts = json_array(), *r;
        struct gc_fail f = {0};
        size_t k;

        json_object_set_new(evs[i].ev, "seed", json_integer((json_int_t)o->seed));
        if (!tsv) {
            gc_jcs_append(out, evs[i].ev);
            gc_buf_addc(out, '\n');
        }
        if (!gc_amm_apply(&book, evs[i].ev, GC_AMM_NO_TIME, receipts, &m, &f)) {
            res->refused++;
            if (!tsv) {
                r = json_pack("{s:s, s:i, s:s, s:s, s:I}", "type", "sim.refused", "v", 1, "reason",
                              f.reason, "detail", f.detail, "seed", (json_int_t)o->seed);
                gc_jcs_append(out, r);
                gc_buf_addc(out, '\n');
                json_decref(r);
            }
        }
        json_array_foreach(receipts, k, r)
        {
            const char *type = json_string_value(json_object_get(r, "type"));

            if (strcmp(type, "amm.fill") == 0) {
                res->sold_gpu_s += int_of(r, "gpu_s");
                res->revenue_micros += int_of(r, "cash_micros");
                res->fills++;
            } else if (strcmp(type, "amm.impair") == 0) {
                res->impaired_gpu_s += int_of(r, "gpu_s");
            } else if (strcmp(type, "amm.expire") == 0) {
                res->expired_gpu_s += int_of(r, "gpu_s");
            }
            if (!tsv) {
                json_object_set_new(r, "seed", json_integer((json_int_t)o->seed));
                gc_jcs_append(out, r);
                gc_buf_addc(out, '\n');
            }
        }
        json_decref(receipts);
        json_decref(evs[i].ev);
    }
    res->twap_micros = -1;
    if (m != NULL) {
        int64_t window_s;

        if (!gc_amm_twap_micros(m, hour, &res->twap_micros, &window_s))
            res->twap_micros = -1;
    }
    gc_amm_book_release(&book);
}

/* The events of one delivery hour's market, in EVS (at least 4 + buyers + devices long). */
static size_t make_events(const struct gc_sim_opts *o, uint64_t *rng, const char *pool,
                          int64_t hour, char **devices, const int64_t *gpu_s, size_t n_dev,
                          struct sim_event *evs, struct hour_result *res)
{
    int64_t open_ts = hour - o->lead_s, total = 0;
    char market[GC_AMM_ID_MAX + 1], stem[51];
    json_t *list, *ev;
    size_t n = 0;

    /* the market's default id, named explicitly; a long pool id is cut to fit */
    snprintf(stem, sizeof(stem), "%s", pool);
    gc_amm_default_id(stem, hour, market);
    ev = json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:s, s:I}", "type", "amm.open", "v", 1, "market",
                   market, "pool", pool, "hour", gc_json_time(hour), "ts", gc_json_time(open_ts),
                   "curve", o->curve, "anchor_micros", (json_int_t)o->anchor_micros);
    evs[n++] = (struct sim_event){open_ts, 0, ev};

    list = json_array();
    for (size_t i = 0; i < n_dev; i++) {
        if (gpu_s[i] == 0)
            continue;
        total += gpu_s[i];
        json_array_append_new(
            list, json_pack("{s:s, s:I}", "device", devices[i], "gpu_s", (json_int_t)gpu_s[i]));
    }
    res->supply_gpu_s = total;
    if (total > 0) {
        /* the operator seeds cash worth the inventory at the anchor: the price starts there */
        ev = json_pack("{s:s, s:i, s:s, s:o, s:s, s:o, s:I}", "type", "amm.add", "v", 1, "market",
                       market, "ts", gc_json_time(open_ts), "lp", "operator", "devices", list,
                       "cash_micros", (json_int_t)(total * o->anchor_micros / HOUR_S + 1));
        evs[n++] = (struct sim_event){open_ts, 1, ev};
    } else {
        json_decref(list);
    }

    for (int64_t b = 0; b < o->buyers; b++) {
        int64_t at = uniform(rng, open_ts + 1, hour - 1);
        int64_t want = uniform(rng, 1, 8) * 900;
        int64_t limit = o->anchor_micros * uniform(rng, 70, 150) / 100; /* per GPU-hour */
        char trader[32];

        snprintf(trader, sizeof(trader), "buyer-%04lld", (long long)b);
        res->demand_gpu_s += want;
        ev = json_pack("{s:s, s:i, s:s, s:o, s:s, s:s, s:I, s:I}", "type", "amm.swap", "v", 1,
                       "market", market, "ts", gc_json_time(at), "trader", trader, "side", "buy",
                       "gpu_s", (json_int_t)want, "max_pay_micros",
                       (json_int_t)((limit * want + HOUR_S - 1) / HOUR_S));
        evs[n++] = (struct sim_event){at, 2, ev};
    }

    if (total > 0) {
        /* half an hour before delivery: most devices run, a few drop out */
        list = json_array();
        for (size_t i = 0; i < n_dev; i++) {
            int64_t roll = uniform(rng, 0, 9999);
            const char *st = roll < 300 ? "offline" : roll < 7000 ? "running" : "online";

            if (gpu_s[i] > 0)
                json_array_append_new(list,
                                      json_pack("{s:s, s:s}", "device", devices[i], "status", st));
        }
        ev = json_pack("{s:s, s:i, s:s, s:o, s:o}", "type", "amm.poll", "v", 1, "market", market,
                       "ts", gc_json_time(hour - HOUR_S / 2), "devices", list);
        evs[n++] = (struct sim_event){hour - HOUR_S / 2, 3, ev};
    }
    ev = json_pack("{s:s, s:i, s:s, s:o}", "type", "amm.close", "v", 1, "market", market, "ts",
                   gc_json_time(hour));
    evs[n++] = (struct sim_event){hour, 4, ev};
    return n;
}

static void emit_result(const struct gc_sim_opts *o, bool tsv, const char *pool, int64_t hour,
                        const struct hour_result *r, struct gc_buf *out)
{
    char t[GC_TIME_LEN + 1];

    gc_time_format(hour, t);
    if (tsv) {
        gc_buf_addf(out, "%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n", t,
                    pool, o->curve, (long long)r->supply_gpu_s, (long long)r->demand_gpu_s,
                    (long long)r->sold_gpu_s, (long long)r->expired_gpu_s,
                    (long long)r->impaired_gpu_s, (long long)r->revenue_micros, (long long)r->fills,
                    (long long)r->refused, (long long)r->twap_micros);
        return;
    }
    gc_buf_addf(out,
                "{\"curve\":\"%s\",\"demand_gpu_s\":%lld,\"expired_gpu_s\":%lld,\"fills\":%lld,"
                "\"hour\":\"%s\",\"impaired_gpu_s\":%lld,\"pool\":",
                o->curve, (long long)r->demand_gpu_s, (long long)r->expired_gpu_s,
                (long long)r->fills, t, (long long)r->impaired_gpu_s);
    gc_jcs_append_string(out, pool, strlen(pool));
    gc_buf_addf(out,
                ",\"refused\":%lld,\"revenue_micros\":%lld,\"seed\":%llu,\"sold_gpu_s\":%lld,"
                "\"supply_gpu_s\":%lld,\"twap_micros\":%lld,\"type\":\"sim.hour\",\"v\":1}\n",
                (long long)r->refused, (long long)r->revenue_micros, (unsigned long long)o->seed,
                (long long)r->sold_gpu_s, (long long)r->supply_gpu_s, (long long)r->twap_micros);
}

void gc_sim_run(const struct gc_sim_opts *o, bool tsv, struct gc_buf *out)
{
    uint64_t rng = o->seed;
    size_t cap = (size_t)o->buyers + 8;
    struct sim_event *evs = gc_xcalloc(cap, sizeof(*evs));
    char *names[SIM_DEVICES], name_buf[SIM_DEVICES][16];
    int64_t gpu_s[SIM_DEVICES];

    if (tsv)
        gc_buf_adds(out, "hour\tpool\tcurve\tsupply_gpu_s\tdemand_gpu_s\tsold_gpu_s\t"
                         "expired_gpu_s\timpaired_gpu_s\trevenue_micros\tfills\trefused\t"
                         "twap_micros\n");
    for (size_t i = 0; i < SIM_DEVICES; i++) {
        snprintf(name_buf[i], sizeof(name_buf[i]), "gpu-%02zu", i + 1);
        names[i] = name_buf[i];
    }
    if (o->n_snapshots > 0) {
        /* each snapshot's green GPU-seconds, split evenly over its members */
        int64_t first = o->has_start ? o->start : o->snapshots[0].hour;

        for (size_t s = 0; s < o->n_snapshots; s++) {
            const struct gc_sim_supply *sp = &o->snapshots[s];
            struct hour_result res = {0};
            int64_t *w, *parts;
            size_t n;

            if (sp->hour < first || sp->hour >= first + o->hours * HOUR_S || sp->n_devices == 0)
                continue;
            w = gc_xcalloc(sp->n_devices, sizeof(*w));
            parts = gc_xcalloc(sp->n_devices, sizeof(*parts));
            for (size_t i = 0; i < sp->n_devices; i++)
                w[i] = 1;
            gc_apportion(sp->green_gpu_s, w, sp->n_devices, parts);
            if (cap < (size_t)o->buyers + sp->n_devices + 8) {
                cap = (size_t)o->buyers + sp->n_devices + 8;
                free(evs);
                evs = gc_xcalloc(cap, sizeof(*evs));
            }
            n = make_events(o, &rng, sp->pool, sp->hour, sp->devices, parts, sp->n_devices, evs,
                            &res);
            run_market(o, evs, n, tsv, out, &res, sp->hour);
            emit_result(o, tsv, sp->pool, sp->hour, &res, out);
            free(w);
            free(parts);
        }
    } else {
        for (int64_t h = 0; h < o->hours; h++) {
            int64_t hour = o->start + h * HOUR_S;
            int64_t of_day = gc_floor_div(hour, HOUR_S) % 24;
            struct hour_result res = {0};
            size_t n;

            /* a fifth of peak from wind and batteries, the rest from the sun through clouds */
            for (size_t i = 0; i < SIM_DEVICES; i++) {
                int64_t cloud = uniform(&rng, 5000, 10000);
                int64_t share = 2000 + 8000 * solar_bps[of_day] / 10000 * cloud / 10000;

                gpu_s[i] = SIM_GPUS_PER_DEVICE * HOUR_S * share / 10000;
            }
            n = make_events(o, &rng, "sim", hour, names, gpu_s, SIM_DEVICES, evs, &res);
            run_market(o, evs, n, tsv, out, &res, hour);
            emit_result(o, tsv, "sim", hour, &res, out);
        }
    }
    free(evs);
}
