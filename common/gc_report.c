#include "gc_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_buf.h"
#include "gc_err.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_time.h"
#include "banned.h"

/* One zone-hour, as far as the report needs it. */
struct gc_report_hour {
    char key[96];
    char zone[65];
    int64_t hour;
    int64_t supply_wh, demand_wh, matched_wh;
    int64_t gpu_wh, gpu_green_wh, gpu_s;
};

void gc_report_init(struct gc_report *r)
{
    memset(r, 0, sizeof(*r));
}

static struct gc_report_hour *hour_of(struct gc_report *r, const char *zone, int64_t hour)
{
    char key[96];
    struct gc_report_hour *h;

    snprintf(key, sizeof(key), "%s@%lld", zone, (long long)hour);
    h = gc_map_get(&r->hours, key);
    if (h == NULL) {
        h = gc_xcalloc(1, sizeof(*h));
        memcpy(h->key, key, sizeof(key));
        snprintf(h->zone, sizeof(h->zone), "%s", zone);
        h->hour = hour;
        gc_map_put(&r->hours, h->key, h);
    }
    return h;
}

void gc_report_add_match(struct gc_report *r, const char *zone, int64_t hour, int64_t demand_wh,
                         int64_t matched_wh)
{
    struct gc_report_hour *h = hour_of(r, zone, hour);

    h->demand_wh += demand_wh;
    h->matched_wh += matched_wh;
}

void gc_report_add_generation(struct gc_report *r, const char *zone, int64_t hour,
                              int64_t energy_wh)
{
    hour_of(r, zone, hour)->supply_wh += energy_wh;
}

void gc_report_add_gpu(struct gc_report *r, const char *zone, int64_t hour, int64_t energy_wh,
                       int64_t green_wh, int64_t gpu_s)
{
    struct gc_report_hour *h = hour_of(r, zone, hour);

    h->gpu_wh += energy_wh;
    h->gpu_green_wh += green_wh;
    h->gpu_s += gpu_s;
}

/* ceil(A / B) for A >= 0, B > 0: emissions are never rounded down. */
static int64_t ceil_div(__int128 a, int64_t b)
{
    return (int64_t)((a + b - 1) / b);
}

static int hour_cmp(const void *a, const void *b)
{
    const struct gc_report_hour *x = *(const struct gc_report_hour *const *)a;
    const struct gc_report_hour *y = *(const struct gc_report_hour *const *)b;
    int64_t dx = gc_floor_div(x->hour, 86400), dy = gc_floor_div(y->hour, 86400);
    int c;

    if (dx != dy)
        return dx < dy ? -1 : 1;
    c = strcmp(x->zone, y->zone);
    if (c)
        return c;
    return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static int64_t bps(int64_t part, int64_t whole)
{
    return whole > 0 ? (int64_t)((__int128)part * 10000 / whole) : 0;
}

void gc_report_finish(struct gc_report *r, gc_report_out_fn out, void *ctx)
{
    struct gc_report_hour **all = (struct gc_report_hour **)gc_map_sorted_values(&r->hours);
    size_t n = r->hours.n;
    struct gc_buf b = GC_BUF_INIT;

    qsort(all, n, sizeof(*all), hour_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        int64_t day = gc_floor_div(all[i]->hour, 86400);
        int64_t supply = 0, demand = 0, matched = 0, gpu_wh = 0, gpu_s = 0;
        int64_t location = 0, market = 0, gpu_location = 0, missing = 0;
        char day_ts[GC_TIME_LEN + 1];

        for (j = i; j < n && gc_floor_div(all[j]->hour, 86400) == day &&
                    strcmp(all[j]->zone, all[i]->zone) == 0;
             j++) {
            struct gc_report_hour *h = all[j];

            supply += h->supply_wh;
            demand += h->demand_wh;
            matched += h->matched_wh;
            gpu_wh += h->gpu_wh;
            gpu_s += h->gpu_s;
            if (r->have_intensity) {
                int64_t g;

                if (!gc_intensity_get(&r->intensity, h->zone, h->hour, &g)) {
                    missing++;
                    continue;
                }
                /* Wh x g/kWh / 1000 = g, rounded up. */
                location += ceil_div((__int128)h->demand_wh * g, 1000);
                market += ceil_div((__int128)(h->demand_wh - h->matched_wh) * g, 1000);
                gpu_location += ceil_div((__int128)h->gpu_wh * g, 1000);
            }
        }
        gc_time_format(day * 86400, day_ts);
        gc_buf_reset(&b);
        gc_buf_addf(&b, "{\"day\":\"%.10s\",\"demand_wh\":%lld,\"gpu_s\":%lld,\"gpu_wh\":%lld,",
                    day_ts, (long long)demand, (long long)gpu_s, (long long)gpu_wh);
        gc_buf_addf(&b, "\"hourly_cfe_bps\":%lld,", (long long)bps(matched, demand));
        if (r->have_intensity) {
            gc_buf_addf(&b,
                        "\"intensity_missing_h\":%lld,\"location_gco2\":%lld,"
                        "\"market_gco2\":%lld,",
                        (long long)missing, (long long)location, (long long)market);
        }
        gc_buf_addf(&b, "\"matched_wh\":%lld,", (long long)matched);
        /* SCI per GPU-hour, location-based: GPU energy x intensity per GPU-hour, rounded up. */
        if (r->have_intensity && gpu_s > 0)
            gc_buf_addf(&b, "\"sci_gco2_per_gpu_h\":%lld,",
                        (long long)ceil_div((__int128)gpu_location * 3600, gpu_s));
        gc_buf_addf(&b,
                    "\"supply_wh\":%lld,\"type\":\"report\",\"v\":1,\"volumetric_cfe_bps\":%lld,"
                    "\"zone\":",
                    (long long)supply, (long long)bps(supply < demand ? supply : demand, demand));
        gc_jcs_append_string(&b, all[i]->zone, strlen(all[i]->zone));
        gc_buf_addc(&b, '}');
        out(ctx, b.ptr, b.len);
    }
    for (size_t i = 0; i < n; i++)
        free(all[i]);
    free(all);
    gc_map_release(&r->hours);
    gc_intensity_release(&r->intensity);
    gc_buf_release(&b);
}
