#include "gc_import.h"

#include <stdlib.h>
#include <string.h>

#include "gc_decimal.h"
#include "gc_integrate.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_prom.h"
#include "gc_time.h"
#include "gc_tz.h"
#include "banned.h"

struct gc_import_device {
    char id[65];
    struct gc_integrator integ;
    /* dcgm */
    int util_pct;      /* the latest utilization sample, -1 before one */
    bool counter;      /* an energy counter was seen: from then on the only source */
    bool have_counter; /* COUNTER_UJ holds the previous counter sample */
    int64_t counter_uj;
    int64_t energy_ms; /* time of the last counter sample, or INT64_MIN */
    int64_t power_ms;  /* time of the last power sample, or INT64_MIN */
};

struct emit_ctx {
    struct gc_importer *im;
    const struct gc_import_device *dev;
};

static const char *const format_names[] = {
    [GC_IMPORT_NVIDIA_SMI] = "nvidia-smi",
    [GC_IMPORT_DCGM] = "dcgm",
    [GC_IMPORT_CSV] = "csv",
};

bool gc_import_format_parse(const char *name, enum gc_import_format *out)
{
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (enum gc_import_format)i;
            return true;
        }
    }
    return false;
}

void gc_importer_init(struct gc_importer *im, const struct gc_import_opts *opts,
                      gc_record_out_fn out, void *ctx)
{
    memset(im, 0, sizeof(*im));
    im->opts = *opts;
    im->out = out;
    im->out_ctx = ctx;
    gc_csv_row_init(&im->row);
    gc_buf_init(&im->scratch);
    gc_buf_init(&im->rec);
}

/* A finished period becomes a canonical reading record (keys in sorted order). */
static void emit_period(void *ctx, const struct gc_period *p)
{
    struct emit_ctx *e = ctx;
    struct gc_buf *b = &e->im->rec;
    char ts[GC_TIME_LEN + 1];

    bool gpu = e->im->opts.format != GC_IMPORT_CSV;

    gc_time_format(p->ts, ts);
    gc_buf_reset(b);
    gc_buf_addc(b, '{');
    if (gpu)
        gc_buf_addf(b, "\"busy_s\":%lld,", (long long)p->busy_s);
    gc_buf_adds(b, "\"device\":");
    gc_jcs_append_string(b, e->dev->id, strlen(e->dev->id));
    gc_buf_addf(b, ",\"energy_wh\":%lld,", (long long)p->energy_wh);
    if (gpu)
        gc_buf_addf(b, "\"gpu_s\":%lld,", (long long)p->covered_s);
    gc_buf_addf(b,
                "\"period_s\":%lld,\"source\":\"%s\",\"ts\":\"%s\",\"type\":\"reading\","
                "\"v\":1}",
                (long long)p->period_s, format_names[e->im->opts.format], ts);
    e->im->out(e->im->out_ctx, b->ptr, b->len);
}

/* The column whose header is NAME, with or without a unit: "power.draw [W]". */
static int column(const struct gc_csv_row *row, const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < row->n; i++)
        if (strncmp(row->field[i], name, n) == 0 &&
            (row->field[i][n] == '\0' || strncmp(row->field[i] + n, " [", 2) == 0))
            return (int)i;
    return -1;
}

/* The header of --format csv: every column --map names must be there. */
static bool read_csv_header(struct gc_importer *im, struct gc_fail *f)
{
    const struct gc_import_map *m = &im->opts.map;
    const char *energy = m->energy_wh != NULL ? m->energy_wh : m->energy_kwh;
    struct {
        const char *name;
        int *col;
    } want[] = {{m->ts, &im->col_ts},
                {m->end, &im->col_end},
                {m->device, &im->col_device},
                {energy, &im->col_energy}};

    /* Read to the milliwatt-hour: Wh with 3 decimals, kWh with 6. */
    im->energy_scale = m->energy_wh != NULL ? 3 : 6;
    im->n_cols = im->row.n;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        *want[i].col = -1;
        if (want[i].name == NULL)
            continue;
        *want[i].col = gc_csv_column(&im->row, want[i].name);
        if (*want[i].col < 0)
            return gc_fail(f, "bad_csv", "the header has no column '%s' (--map)", want[i].name);
    }
    im->have_header = true;
    return true;
}

static bool read_header(struct gc_importer *im, struct gc_fail *f)
{
    if (im->opts.format == GC_IMPORT_CSV)
        return read_csv_header(im, f);
    im->col_ts = column(&im->row, "timestamp");
    im->col_index = column(&im->row, "index");
    im->col_uuid = column(&im->row, "uuid");
    im->col_power = column(&im->row, "power.draw");
    im->col_util = column(&im->row, "utilization.gpu");
    im->n_cols = im->row.n;
    if (im->col_ts < 0 || im->col_power < 0)
        return gc_fail(f, "bad_csv",
                       "the header needs 'timestamp' and 'power.draw' columns (nvidia-smi "
                       "--query-gpu=timestamp,index,uuid,power.draw,utilization.gpu --format=csv)");
    if (im->opts.device != NULL ? im->col_index < 0 : im->col_uuid < 0)
        return gc_fail(f, "bad_csv", "the header needs %s",
                       im->opts.device != NULL ? "an 'index' column for --device"
                                               : "a 'uuid' column, or --device and 'index'");
    im->have_header = true;
    return true;
}

/* Reads N digits at S as a number. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYYY/MM/DD HH:MM:SS[.fff]" in local time at OFFSET_S from UTC, to ms since the epoch. */
static bool parse_smi_time(const char *s, size_t len, int64_t *local_ms, struct gc_fail *f)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec, frac_ms = 0;

    if (len < 19 || s[4] != '/' || s[7] != '/' || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
        !digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
        return gc_fail(f, "bad_time", "expected YYYY/MM/DD HH:MM:SS.mmm");
    if (len > 19) {
        size_t nfrac = len - 20;

        if (s[19] != '.' || nfrac < 1 || nfrac > 9)
            return gc_fail(f, "bad_time", "expected YYYY/MM/DD HH:MM:SS.mmm");
        for (size_t i = 0; i < nfrac; i++) {
            int dgt;

            if (!digits(s + 20 + i, 1, &dgt))
                return gc_fail(f, "bad_time", "expected YYYY/MM/DD HH:MM:SS.mmm");
            if (i < 3)
                frac_ms = frac_ms * 10 + dgt; /* below a millisecond is dropped */
        }
        for (size_t i = nfrac; i < 3; i++)
            frac_ms *= 10;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
        d > mdays[mo - 1] + (mo == 2 && gc_is_leap_year(y)) || h > 23 || mi > 59 || sec > 59)
        return gc_fail(f, "bad_time", "no such date or time");
    *local_ms =
        (gc_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) *
            1000 +
        frac_ms;
    return true;
}

/* "312.45 W", "312.45", "[N/A]" -> mW, or -1 when the tool did not know. */
static bool parse_quantity(const char *s, size_t len, const char *unit, int scale, int64_t *out,
                           struct gc_fail *f)
{
    size_t ulen = strlen(unit);
    const char *why;

    if (len > 0 && s[0] == '[') { /* [N/A], [Not Supported], [Unknown Error] ... */
        *out = -1;
        return true;
    }
    if (len > ulen + 1 && s[len - ulen - 1] == ' ' && memcmp(s + len - ulen, unit, ulen) == 0)
        len -= ulen + 1;
    why = gc_decimal_parse(s, len, scale, out);
    if (why != NULL)
        return gc_fail(f, "bad_number", "'%.*s': %s", (int)(len < 40 ? len : 40), s, why);
    if (*out < 0)
        return gc_fail(f, "bad_number", "'%.*s' is negative", (int)(len < 40 ? len : 40), s);
    return true;
}

/*
 * The device a sample belongs to: PREFIX-gpuINDEX with --device, else the
 * GPU's uuid in lower case (GPU-5fd4c5d2-... becomes gpu-5fd4c5d2-..., an id).
 */
static struct gc_import_device *device_for_id(struct gc_importer *im, const char *id,
                                              struct gc_fail *f);

static struct gc_import_device *device_for(struct gc_importer *im, const char *uuid,
                                           const char *index, struct gc_fail *f)
{
    char id[128];

    if (im->opts.device != NULL) {
        snprintf(id, sizeof(id), "%s-gpu%s", im->opts.device, index);
    } else {
        snprintf(id, sizeof(id), "%s", uuid);
        for (char *p = id; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    }
    return device_for_id(im, id, f);
}

/* The device named ID, created on first sight. */
static struct gc_import_device *device_for_id(struct gc_importer *im, const char *id,
                                              struct gc_fail *f)
{
    struct gc_import_device *dev;
    size_t n = strlen(id);

    if (!gc_id_valid(id, n)) {
        gc_fail(f, "bad_field", "'%s' cannot be a device id ([a-z0-9][a-z0-9._-]{0,63})", id);
        return NULL;
    }
    dev = gc_map_get(&im->devices, id);
    if (dev != NULL)
        return dev;
    dev = gc_xcalloc(1, sizeof(*dev));
    memcpy(dev->id, id, n + 1);
    dev->util_pct = -1;
    dev->energy_ms = dev->power_ms = INT64_MIN;
    gc_integrator_init(&dev->integ, im->opts.period_s, im->opts.max_gap_ms);
    gc_map_put(&im->devices, dev->id, dev);
    return dev;
}

/*
 * A local time (ms, counted as if UTC) at --tz to UTC. A time the clock
 * skipped is refused; a time in a repeated hour is placed by the order of the
 * data: its first occurrence when that is not before MIN_MS (the earliest the
 * device's next time may be), else its second, and counted in n_ambiguous so
 * the program reports it.
 */
static bool local_to_utc(struct gc_importer *im, int64_t local_ms, int64_t min_ms, int64_t *utc_ms,
                         struct gc_fail *f)
{
    int64_t local_s = gc_floor_div(local_ms, 1000), frac = local_ms - local_s * 1000, utc_s, alt_s;
    int r;

    if (im->opts.tz == NULL) {
        *utc_ms = local_ms;
        return true;
    }
    r = gc_tz_to_utc(im->opts.tz, local_s, &utc_s, &alt_s);
    if (r == GC_TZ_NONEXISTENT)
        return gc_fail(f, "bad_time",
                       "the local time does not exist at --tz: the clock skipped it at a "
                       "daylight-saving change");
    if (r == GC_TZ_AMBIGUOUS) {
        im->n_ambiguous++;
        if (utc_s * 1000 + frac < min_ms)
            utc_s = alt_s;
    }
    *utc_ms = utc_s * 1000 + frac;
    return true;
}

/*
 * Times a reading can carry: the years 0001..9999 in UTC. An offset or --tz can move a local
 * time past them, and a reading's ts there could not be written (gc_time_format, exit 70).
 */
static bool time_in_range(int64_t ms, struct gc_fail *f)
{
    if (ms < GC_TIME_MIN * 1000 || ms > GC_TIME_MAX * 1000)
        return gc_fail(f, "bad_time", "the time is outside the years 0001 to 9999 in UTC");
    return true;
}

/*
 * A row or a counter sample books its energy in every period from FROM_MS to TO_MS, a reading
 * each: more than GC_IMPORT_MAX_PERIODS of them is a bad timestamp, not output to write.
 */
static bool span_ok(const struct gc_importer *im, int64_t from_ms, int64_t to_ms, struct gc_fail *f)
{
    if ((to_ms - from_ms) / 1000 / im->opts.period_s > GC_IMPORT_MAX_PERIODS)
        return gc_fail(f, "bad_time", "the interval spans more than %d periods of %llds",
                       GC_IMPORT_MAX_PERIODS, (long long)im->opts.period_s);
    return true;
}

static bool smi_line(struct gc_importer *im, const char *source, const struct gc_line *line,
                     struct gc_fail *f)
{
    struct gc_import_device *dev;
    struct emit_ctx e = {im, NULL};
    int64_t t_ms = 0, power_mw = 0, util = -1;

    if (!gc_csv_split(line->bytes, line->len, true, &im->row, f))
        return false;
    if (source != im->source) { /* a new input starts with its header */
        im->source = source;
        im->have_header = false;
        return read_header(im, f);
    }
    if (!im->have_header)
        return gc_fail(f, "bad_csv", "no valid header line");
    if (im->row.n != im->n_cols)
        return gc_fail(f, "bad_csv", "%zu fields where the header has %zu", im->row.n, im->n_cols);
    if (!parse_smi_time(im->row.field[im->col_ts], im->row.len[im->col_ts], &t_ms, f) ||
        !parse_quantity(im->row.field[im->col_power], im->row.len[im->col_power], "W", 3, &power_mw,
                        f) ||
        (im->col_util >= 0 &&
         !parse_quantity(im->row.field[im->col_util], im->row.len[im->col_util], "%", 0, &util, f)))
        return false;
    if (util > 100)
        return gc_fail(f, "bad_number", "utilization %lld %% is above 100", (long long)util);
    dev = device_for(im, im->col_uuid >= 0 ? im->row.field[im->col_uuid] : "",
                     im->col_index >= 0 ? im->row.field[im->col_index] : "", f);
    if (dev == NULL)
        return false;
    e.dev = dev;
    if (!local_to_utc(im, t_ms, dev->integ.have_sample ? dev->integ.t_ms + 1 : INT64_MIN, &t_ms,
                      f) ||
        !time_in_range(t_ms, f))
        return false;
    return gc_integrator_add(&dev->integ, t_ms, power_mw, (int)util, emit_period, &e, f);
}

/* The dcgm-exporter fields gc books; other metrics are read and passed over. */
#define DCGM_ENERGY "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" /* mJ since the driver loaded */
#define DCGM_POWER  "DCGM_FI_DEV_POWER_USAGE"              /* W */
#define DCGM_UTIL   "DCGM_FI_DEV_GPU_UTIL"                 /* % */

static bool metric_is(const struct gc_prom_sample *s, const char *name)
{
    return s->metric_len == strlen(name) && memcmp(s->metric, name, s->metric_len) == 0;
}

static bool dcgm_line(struct gc_importer *im, const struct gc_line *line, struct gc_fail *f)
{
    struct gc_prom_sample s;
    struct gc_import_device *dev;
    struct emit_ctx e = {im, NULL};
    const char *uuid, *index;
    bool energy, power;
    int64_t v;
    int rc;

    if (!gc_utf8_valid(line->bytes, line->len))
        return gc_fail(f, "bad_utf8", "line is not valid UTF-8");
    rc = gc_prom_parse_line(line->bytes, line->len, &s, &im->scratch, f);
    if (rc <= 0)
        return rc == 0; /* a comment or a malformed line */
    energy = metric_is(&s, DCGM_ENERGY);
    power = metric_is(&s, DCGM_POWER);
    if (!energy && !power && !metric_is(&s, DCGM_UTIL))
        return true;
    if (!s.has_ts)
        return gc_fail(f, "bad_time", "a DCGM sample needs a timestamp (milliseconds)");
    if (!time_in_range(s.ts_ms, f))
        return false;
    uuid = gc_prom_label(&s, "UUID", NULL);
    index = gc_prom_label(&s, "gpu", NULL);
    if ((im->opts.device == NULL && uuid == NULL) || (im->opts.device != NULL && index == NULL))
        return gc_fail(f, "bad_field", "the sample has no %s label",
                       im->opts.device == NULL ? "UUID" : "gpu");
    dev = device_for(im, uuid != NULL ? uuid : "", index != NULL ? index : "", f);
    if (dev == NULL)
        return false;
    e.dev = dev;
    {
        const char *why = gc_decimal_parse(s.value, s.value_len, energy || power ? 3 : 0, &v);

        if (why != NULL)
            return gc_fail(f, "bad_number", "'%.*s': %s",
                           (int)(s.value_len < 40 ? s.value_len : 40), s.value, why);
        if (v < 0)
            return gc_fail(f, "bad_number", "negative value");
    }
    if (!energy && !power) { /* utilization: applies from the next energy or power sample on */
        if (v > 100)
            return gc_fail(f, "bad_number", "utilization %lld %% is above 100", (long long)v);
        dev->util_pct = (int)v;
        return true;
    }
    /*
     * Under MIG the GPU's values are repeated on each instance (GPU_I_ID): the
     * same metric of the same device at the same time is one sample, counted once.
     */
    if (s.ts_ms == (energy ? dev->energy_ms : dev->power_ms))
        return true;
    if (power) {
        dev->power_ms = s.ts_ms;
        if (dev->counter)
            return true; /* the counter measures the energy; power adds nothing */
        return gc_integrator_add(&dev->integ, s.ts_ms, v, dev->util_pct, emit_period, &e, f);
    }
    /* An energy counter, in mJ read as µJ (scale 3). */
    dev->energy_ms = s.ts_ms;
    if (!dev->counter) {
        /* From the first counter sample on, the counter alone books energy. */
        dev->counter = true;
        gc_integrator_stop_hold(&dev->integ);
    }
    if (dev->have_counter && v < dev->counter_uj) {
        int64_t before = dev->counter_uj;

        dev->counter_uj = v;
        if (!gc_integrator_add_energy(&dev->integ, s.ts_ms, -1, dev->util_pct, emit_period, &e, f))
            return false;
        return gc_fail(f, "counter_reset",
                       "energy counter of '%s' went back from %lld to %lld mJ: a reset, nothing "
                       "booked since the previous sample",
                       dev->id, (long long)(before / 1000), (long long)(v / 1000));
    }
    if (dev->have_counter && dev->integ.have_sample && s.ts_ms > dev->integ.t_ms &&
        !span_ok(im, dev->integ.t_ms, s.ts_ms, f)) {
        /* Nothing booked: the sample is a new baseline, as after a reset. */
        struct gc_fail span = *f;

        dev->counter_uj = v;
        if (!gc_integrator_add_energy(&dev->integ, s.ts_ms, -1, dev->util_pct, emit_period, &e, f))
            return false;
        *f = span;
        return false;
    }
    if (dev->integ.have_sample && s.ts_ms == dev->integ.t_ms && !dev->have_counter) {
        /* The first counter sample of a scrape whose power sample came first: a baseline. */
    } else if (!gc_integrator_add_energy(&dev->integ, s.ts_ms,
                                         dev->have_counter ? v - dev->counter_uj : -1,
                                         dev->util_pct, emit_period, &e, f)) {
        return false;
    }
    dev->have_counter = true;
    dev->counter_uj = v;
    return true;
}

const char *gc_import_map_parse(const char *arg, struct gc_import_map *m, char **store)
{
    char *copy = strdup(arg), *item, *next;

    if (copy == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    memset(m, 0, sizeof(*m));
    *store = copy;
    for (item = copy; item != NULL; item = next) {
        char *eq = strchr(item, '=');
        const char **slot = NULL;

        next = strchr(item, ',');
        if (next != NULL)
            *next++ = '\0';
        if (eq == NULL || eq[1] == '\0')
            return "expected KEY=COLUMN items separated by commas";
        *eq = '\0';
        if (strcmp(item, "ts") == 0)
            slot = &m->ts;
        else if (strcmp(item, "end") == 0)
            slot = &m->end;
        else if (strcmp(item, "device") == 0)
            slot = &m->device;
        else if (strcmp(item, "energy_wh") == 0)
            slot = &m->energy_wh;
        else if (strcmp(item, "energy_kwh") == 0)
            slot = &m->energy_kwh;
        else
            return "keys are ts, end, device, energy_wh and energy_kwh";
        if (*slot != NULL)
            return "a key is mapped twice";
        *slot = eq + 1;
    }
    if (m->ts == NULL)
        return "ts must be mapped";
    if ((m->energy_wh == NULL) == (m->energy_kwh == NULL))
        return "exactly one of energy_wh and energy_kwh must be mapped";
    return NULL;
}

/* Reads TEXT[0..2*N) from S as a number in [LO, HI]. */
static bool number_at(const char *s, int n, int lo, int hi, int *out)
{
    return digits(s, n, out) && *out >= lo && *out <= hi;
}

/*
 * A CSV timestamp to ms since the epoch: "YYYY-MM-DD[T ]HH:MM[:SS[.fff]]"
 * followed by "Z" or "+HH:MM"/"-HH:MM" (normalised to UTC), or by nothing
 * (local time at --tz).
 */
static bool parse_csv_time(const char *s, size_t len, int64_t *ms, bool *zoned, struct gc_fail *f)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec = 0, frac_ms = 0;
    int64_t offset_s = 0;
    size_t i = 16;

    if (len < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        !digits(s, 4, &y) || !number_at(s + 5, 2, 1, 12, &mo) || !digits(s + 8, 2, &d) ||
        !number_at(s + 11, 2, 0, 23, &h) || !number_at(s + 14, 2, 0, 59, &mi))
        return gc_fail(f, "bad_time", "expected YYYY-MM-DDTHH:MM:SS with Z, an offset or none");
    if (i < len && s[i] == ':') {
        if (len < i + 3 || !number_at(s + i + 1, 2, 0, 59, &sec))
            return gc_fail(f, "bad_time", "bad seconds");
        i += 3;
        if (i < len && s[i] == '.') {
            int n = 0, dgt;

            for (i++; i < len && digits(s + i, 1, &dgt); i++, n++)
                if (n < 3)
                    frac_ms = frac_ms * 10 + dgt;
            if (n == 0)
                return gc_fail(f, "bad_time", "bad fraction of a second");
            for (; n < 3; n++)
                frac_ms *= 10;
        }
    }
    if (y < 1 || d < 1 || d > mdays[mo - 1] + (mo == 2 && gc_is_leap_year(y)))
        return gc_fail(f, "bad_time", "no such date");
    if (i < len) {
        char zone[8];

        if (len - i >= sizeof(zone))
            return gc_fail(f, "bad_time", "unexpected text after the time");
        memcpy(zone, s + i, len - i);
        zone[len - i] = '\0';
        if (gc_time_parse_offset(zone, &offset_s) != NULL)
            return gc_fail(f, "bad_time", "bad UTC offset '%s'", zone);
    }
    *zoned = i < len;
    *ms = ((gc_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) -
           offset_s) *
              1000 +
          frac_ms;
    return true;
}

/* One interval row of --format csv: its energy is spread over [start, end) exactly. */
static bool csv_line(struct gc_importer *im, const char *source, const struct gc_line *line,
                     struct gc_fail *f)
{
    struct gc_import_device *dev;
    struct emit_ctx e = {im, NULL};
    int64_t start_ms = 0, end_ms = 0, value = 0, energy_uj;
    bool start_zoned = false, end_zoned = false;
    const char *why, *id;

    if (!gc_csv_split(line->bytes, line->len, true, &im->row, f))
        return false;
    if (source != im->source) {
        im->source = source;
        im->have_header = false;
        return read_header(im, f);
    }
    if (!im->have_header)
        return gc_fail(f, "bad_csv", "no valid header line");
    if (im->row.n != im->n_cols)
        return gc_fail(f, "bad_csv", "%zu fields where the header has %zu", im->row.n, im->n_cols);
    if (!parse_csv_time(im->row.field[im->col_ts], im->row.len[im->col_ts], &start_ms, &start_zoned,
                        f) ||
        (im->col_end >= 0 && !parse_csv_time(im->row.field[im->col_end], im->row.len[im->col_end],
                                             &end_ms, &end_zoned, f)))
        return false;
    why = gc_decimal_parse(im->row.field[im->col_energy], im->row.len[im->col_energy],
                           im->energy_scale, &value);
    if (why != NULL)
        return gc_fail(f, "bad_number", "'%s': %s", im->row.field[im->col_energy], why);
    if (value < 0)
        return gc_fail(f, "bad_number", "negative energy");
    id = im->col_device >= 0 ? im->row.field[im->col_device] : im->opts.device;
    dev = device_for_id(im, id, f);
    if (dev == NULL)
        return false;
    e.dev = dev;
    /* Times without an offset are local at --tz, placed after what the device had before. */
    if (!start_zoned &&
        !local_to_utc(im, start_ms, dev->integ.have_sample ? dev->integ.t_ms : INT64_MIN, &start_ms,
                      f))
        return false;
    if (im->col_end < 0)
        end_ms = start_ms + im->opts.period_s * 1000;
    else if (!end_zoned && !local_to_utc(im, end_ms, start_ms + 1, &end_ms, f))
        return false;
    if (!time_in_range(start_ms, f) || !time_in_range(end_ms, f))
        return false;
    if (!im->opts.counter && end_ms <= start_ms)
        return gc_fail(f, "bad_time", "the interval ends before it starts");
    if (!im->opts.counter && !span_ok(im, start_ms, end_ms, f))
        return false;
    if (im->opts.counter) {
        /* A register read at TS: the energy since the last reading is the difference. */
        int64_t before = dev->counter_uj;
        bool had = dev->have_counter;

        dev->have_counter = true;
        dev->counter_uj = value;
        if (!had || value < before) {
            if (!gc_integrator_add_energy(&dev->integ, start_ms, -1, -1, emit_period, &e, f))
                return false;
            if (!had)
                return true;
            return gc_fail(f, "counter_reset",
                           "the register of '%s' went back from %lld to %lld mWh: a reset, "
                           "nothing booked since the previous reading",
                           dev->id, (long long)before, (long long)value);
        }
        if (dev->integ.have_sample && start_ms > dev->integ.t_ms &&
            !span_ok(im, dev->integ.t_ms, start_ms, f)) {
            /* Nothing booked: the reading is a new baseline, as after a reset. */
            struct gc_fail span = *f;

            if (!gc_integrator_add_energy(&dev->integ, start_ms, -1, -1, emit_period, &e, f))
                return false;
            *f = span;
            return false;
        }
        value -= before;
        end_ms = start_ms;
    }
    /* mWh to µJ: 1 mWh is 3.6e6 µJ. */
    if (value > INT64_MAX / (GC_MWMS_PER_WH / 1000))
        return gc_fail(f, "bad_number", "energy out of range");
    energy_uj = value * (GC_MWMS_PER_WH / 1000);
    if (!im->opts.counter && (!dev->integ.have_sample || dev->integ.t_ms != start_ms)) {
        /* A new run of intervals starts here: a baseline, nothing booked before it. */
        if (!gc_integrator_add_energy(&dev->integ, start_ms, -1, -1, emit_period, &e, f))
            return false;
    }
    return gc_integrator_add_energy(&dev->integ, end_ms, energy_uj, -1, emit_period, &e, f);
}

bool gc_importer_line(struct gc_importer *im, const char *source, const struct gc_line *line,
                      struct gc_fail *f)
{
    switch (im->opts.format) {
    case GC_IMPORT_CSV:
        return csv_line(im, source, line, f);
    case GC_IMPORT_NVIDIA_SMI:
        return smi_line(im, source, line, f);
    case GC_IMPORT_DCGM:
        return dcgm_line(im, line, f);
    }
    return gc_fail(f, "bad_field", "unknown format");
}

void gc_importer_finish(struct gc_importer *im)
{
    struct gc_import_device **devs = (struct gc_import_device **)gc_map_sorted_values(&im->devices);

    for (size_t i = 0; i < im->devices.n; i++) {
        struct emit_ctx e = {im, devs[i]};

        gc_integrator_finish(&devs[i]->integ, emit_period, &e);
        free(devs[i]);
    }
    free(devs);
    gc_map_release(&im->devices);
    gc_csv_row_release(&im->row);
    gc_buf_release(&im->scratch);
    gc_buf_release(&im->rec);
}
