/*
 * fuzz_import — the importers of gc-attest import (gc_importer_line, gc_importer_finish):
 * nvidia-smi CSV, DCGM's Prometheus text and meter CSV with a --map, in every option the
 * program accepts.
 *
 * The input starts with two option bytes, then the lines of the export:
 *   byte 0: bits 0-1 the format (0 nvidia-smi, 1 dcgm, 2 and 3 csv), bit 2 --device n1,
 *           bit 3 --counter (csv only), bits 4-5 --tz: none, +02:00, Europe/Berlin, -05:30;
 *   byte 1: bits 0-3 --period-s (one of the 16 divisors of 3600 from 1 to 3600 below),
 *           bits 4-7 --max-gap-s (1 s to a day).
 * For csv the first line is the --map value (refused maps end the run). A line starting with
 * '\f' begins a new source (another file on the command line: its first line is a header).
 * Blank lines are skipped as gc_filter does. Properties:
 *   - every refusal has a reason;
 *   - every record written, while reading and by gc_importer_finish, is a canonical one-line
 *     object that gc-attest sign takes: gc_reading_parse as a "reading", inside one UTC hour
 *     (gc_reading_check_period), of the chosen period, with busy_s <= gpu_s <= period_s;
 *   - periods of one device come out in time order, each once.
 * The first MAX_CHECKED readings of a run are checked; a row may write GC_IMPORT_MAX_PERIODS.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "gc_import.h"
#include "gc_json.h"
#include "gc_map.h"
#include "gc_reading.h"
#include "gc_tz.h"
#include "banned.h"

#define MAX_LINES   1024
#define MAX_OUTPUT  120000 /* readings: a row of GC_IMPORT_MAX_PERIODS, then no more lines */
#define MAX_CHECKED 2000   /* readings checked in full; the rest are counted (speed) */

static const int64_t periods[16] = {1,  2,  3,  4,   5,   6,   10,   12,
                                    15, 30, 60, 300, 600, 900, 1800, 3600};
static const int64_t gaps_s[16] = {1,   5,    10,   30,   60,    120,   300,   600,
                                   900, 1800, 3600, 7200, 14400, 28800, 43200, 86400};
static const char *const zones[4] = {NULL, "+02:00", "Europe/Berlin", "-05:30"};

struct run {
    struct gc_importer im;
    struct gc_import_opts opts;
    struct gc_map last; /* device -> the start of its last reading (an int64_t *) */
    const char *source;
    bool first; /* the next line is the --map value (csv) */
    bool map_ok;
    char *map_store;
    uint64_t n_out;
};

static void record_out(void *ctx, const char *rec, size_t len)
{
    struct run *run = ctx;
    struct gc_reading r;
    struct gc_fail f = {NULL, ""};
    json_t *v;
    int64_t *last;

    if (run->n_out++ >= MAX_CHECKED)
        return;
    v = fuzz_check_record(rec, len, "reading");
    FUZZ_CHECK(gc_reading_parse(v, GC_READING, &r, &f), "gc-attest sign refuses %.*s: %s", (int)len,
               rec, f.detail);
    FUZZ_CHECK(gc_reading_check_period(&r, &f), "%.*s: %s", (int)len, rec, f.detail);
    FUZZ_CHECK(r.period_s == run->opts.period_s, "period %lld", (long long)r.period_s);
    FUZZ_CHECK(r.ts % r.period_s == 0, "period start %lld not aligned", (long long)r.ts);
    FUZZ_CHECK(r.has_energy, "no energy_wh");
    FUZZ_CHECK((run->opts.format == GC_IMPORT_CSV) != r.has_gpu_s, "gpu_s for the wrong format");
    FUZZ_CHECK(r.busy_s <= r.gpu_s && r.gpu_s <= r.period_s, "busy_s %lld gpu_s %lld of %lld",
               (long long)r.busy_s, (long long)r.gpu_s, (long long)r.period_s);
    last = gc_map_get(&run->last, r.device);
    if (last == NULL) {
        char *key = gc_xstrdup(r.device);

        last = gc_xmalloc(sizeof(*last));
        *last = INT64_MIN;
        gc_map_put(&run->last, key, last);
    }
    FUZZ_CHECK(r.ts > *last, "device %s: period %lld after %lld", r.device, (long long)r.ts,
               (long long)*last);
    *last = r.ts;
    json_decref(v);
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static bool take_line(const struct gc_line *line, void *ctx)
{
    static const char *const sources[2] = {"a.csv", "b.csv"};
    struct run *run = ctx;
    struct gc_line l = *line;
    struct gc_fail f = {NULL, ""};

    if (run->n_out > MAX_OUTPUT)
        return false; /* each row may write GC_IMPORT_MAX_PERIODS readings: bound the run */
    if (run->first) {
        char *map = gc_xmalloc(l.len + 1);
        const char *why;

        memcpy(map, l.bytes, l.len);
        map[l.len] = '\0';
        run->first = false;
        why = strlen(map) == l.len ? gc_import_map_parse(map, &run->opts.map, &run->map_store)
                                   : "NUL";
        free(map);
        if (why != NULL)
            return false;
        FUZZ_CHECK(run->opts.map.ts != NULL, "a map without ts");
        FUZZ_CHECK((run->opts.map.energy_wh == NULL) != (run->opts.map.energy_kwh == NULL),
                   "a map without exactly one energy column");
        /* As gc-attest: without a device column, --device names the one device. */
        if (run->opts.map.device == NULL)
            run->opts.device = "n1";
        run->map_ok = true;
        gc_importer_init(&run->im, &run->opts, record_out, run);
        return true;
    }
    if (l.len > 0 && l.bytes[0] == '\f') {
        run->source = sources[run->source == sources[0]];
        l.bytes++;
        l.len--;
        l.total_len--;
    }
    if (blank(l.bytes, l.len))
        return true;
    if (!gc_importer_line(&run->im, run->source, &l, &f))
        fuzz_check_fail(&f);
    return true;
}

/* The zone of --tz, read once per process; NULL for UTC or when the system has no tzdata. */
static const struct gc_tz *zone(unsigned i)
{
    static struct gc_tz tz[4];
    static int state[4]; /* 0 not read yet, 1 loaded, -1 not there */

    if (zones[i] == NULL)
        return NULL;
    if (state[i] == 0) {
        state[i] = gc_tz_load(&tz[i], zones[i], NULL) == NULL ? 1 : -1;
        if (state[i] < 0)
            gc_tz_release(&tz[i]);
    }
    return state[i] > 0 ? &tz[i] : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run run;
    int64_t **vals;

    fuzz_init();
    if (size < 2)
        return 0;
    memset(&run, 0, sizeof(run));
    run.opts.format = (data[0] & 3) == 0   ? GC_IMPORT_NVIDIA_SMI
                      : (data[0] & 3) == 1 ? GC_IMPORT_DCGM
                                           : GC_IMPORT_CSV;
    run.opts.device = data[0] & 4 ? "n1" : NULL;
    run.opts.counter = run.opts.format == GC_IMPORT_CSV && (data[0] & 8);
    run.opts.period_s = periods[data[1] & 15];
    run.opts.max_gap_ms = 1000 * gaps_s[data[1] >> 4];
    run.opts.tz = zone((data[0] >> 4) & 3);
    run.source = "a.csv";
    run.first = run.opts.format == GC_IMPORT_CSV;
    if (!run.first) {
        run.map_ok = true;
        gc_importer_init(&run.im, &run.opts, record_out, &run);
    }
    fuzz_lines(data + 2, size - 2, MAX_LINES, take_line, &run);
    if (run.map_ok)
        gc_importer_finish(&run.im);
    free(run.map_store);
    vals = (int64_t **)gc_map_sorted_values(&run.last);
    for (size_t i = 0; i < run.last.n; i++)
        free(vals[i]);
    free(vals);
    for (size_t i = 0; i < run.last.cap; i++)
        free((char *)run.last.slots[i].key);
    gc_map_release(&run.last);
    return 0;
}
