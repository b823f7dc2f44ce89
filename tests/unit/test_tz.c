/*
 * Unit tests for gc_tz against the system's tzdata (Debian package tzdata, which must be
 * installed: its absence fails the tests, naming the package, rather than skipping them).
 *
 * Every instant below was checked with `zdump -v -c FROM,TO ZONE` and `date -u -d ... +%s`
 * (tzdata 2025b); the C code never asks the C library about time zones. Damaged and synthetic
 * TZif files are written to a fresh directory and loaded through the zoneinfo_dir argument.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc_buf.h"
#include "gc_test.h"
#include "gc_time.h"
#include "gc_tz.h"
#include "banned.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define HOUR_S   3600
#define DAY_S    86400
#define SENTINEL ((int64_t)0x5a5a5a5a5a5a5a5aLL)

static const char *const result_names[] = {"GC_TZ_OK", "GC_TZ_AMBIGUOUS", "GC_TZ_NONEXISTENT"};

/* Local civil time (or a UTC instant) as seconds "as if UTC". */
static int64_t civil(int64_t y, unsigned mo, unsigned d, int h, int mi, int s)
{
    return gc_days_from_civil(y, mo, d) * DAY_S + h * HOUR_S + mi * 60 + s;
}

/* For messages: "2026-03-29T02:30:00" for a local time, with a Z for an instant. */
static const char *show_time(int64_t t, char out[GC_TIME_LEN + 1])
{
    if (t < GC_TIME_MIN || t > GC_TIME_MAX)
        snprintf(out, GC_TIME_LEN + 1, "%lld", (long long)t);
    else
        gc_time_format(t, out);
    return out;
}

static void need_tzdata(void)
{
    FILE *f = fopen(ZONEINFO "/Europe/Berlin", "rb");
    char magic[4];

    if (f == NULL)
        fail_msg("tzdata is not installed: %s is missing; these tests need the Debian package "
                 "tzdata (apt-get install tzdata)",
                 ZONEINFO "/Europe/Berlin");
    if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "TZif", 4) != 0) {
        fclose(f);
        fail_msg("%s is not a TZif file: reinstall the Debian package tzdata",
                 ZONEINFO "/Europe/Berlin");
    }
    fclose(f);
}

static void load_from(struct gc_tz *tz, const char *name, const char *dir)
{
    const char *reason;

    if (dir != NULL && strcmp(dir, ZONEINFO) == 0)
        need_tzdata();
    reason = gc_tz_load(tz, name, dir);
    if (reason != NULL)
        fail_msg("loading '%s' from '%s': %s", name, dir ? dir : "(default)", reason);
}

static void load(struct gc_tz *tz, const char *name)
{
    load_from(tz, name, ZONEINFO);
}

static void expect_result(const struct gc_tz *tz, int64_t local, int want, int64_t want_utc,
                          int64_t want_alt)
{
    int64_t utc = SENTINEL, alt = SENTINEL;
    int got = gc_tz_to_utc(tz, local, &utc, &alt);
    char a[GC_TIME_LEN + 1], b[GC_TIME_LEN + 1], c[GC_TIME_LEN + 1], d[GC_TIME_LEN + 1];
    char l[GC_TIME_LEN + 1];

    if (got < GC_TZ_OK || got > GC_TZ_NONEXISTENT)
        fail_msg("%s local %s: result %d", tz->name, show_time(local, l), got);
    if (got != want || utc != want_utc || alt != want_alt)
        fail_msg("%s local %s: got %s %s / %s, want %s %s / %s", tz->name, show_time(local, l),
                 result_names[got], show_time(utc, a), show_time(alt, b), result_names[want],
                 show_time(want_utc, c), show_time(want_alt, d));
}

static void expect_ok(const struct gc_tz *tz, int64_t local, int64_t want_utc)
{
    int64_t utc = SENTINEL;

    expect_result(tz, local, GC_TZ_OK, want_utc, want_utc);
    /* ALT_UTC_S may be NULL. */
    assert_int_equal(gc_tz_to_utc(tz, local, &utc, NULL), GC_TZ_OK);
    assert_int_equal(utc, want_utc);
}

static void expect_ambiguous(const struct gc_tz *tz, int64_t local, int64_t first, int64_t later)
{
    expect_result(tz, local, GC_TZ_AMBIGUOUS, first, later);
}

static void expect_gap(const struct gc_tz *tz, int64_t local, int64_t jump)
{
    expect_result(tz, local, GC_TZ_NONEXISTENT, jump, jump);
}

static void expect_offset(const struct gc_tz *tz, int64_t utc, int64_t want)
{
    int64_t got = gc_tz_offset_at(tz, utc);
    char a[GC_TIME_LEN + 1];

    if (got != want)
        fail_msg("%s at %s: offset %lld, want %lld", tz->name, show_time(utc, a), (long long)got,
                 (long long)want);
}

/* Offsets just before and at the transition instant AT. */
static void expect_transition(const struct gc_tz *tz, int64_t at, int64_t before, int64_t after)
{
    expect_offset(tz, at - 1, before);
    expect_offset(tz, at, after);
}

/* House rule for reasons: lower case start, no final period; and it must mention NEEDLE. */
static void expect_load_fails(const char *name, const char *dir, const char *needle)
{
    struct gc_tz tz;
    const char *reason = gc_tz_load(&tz, name, dir);
    size_t n;

    if (reason == NULL)
        fail_msg("'%s' loaded from '%s', expected \"%s\"", name ? name : "(null)",
                 dir ? dir : "(default)", needle);
    if (strstr(reason, needle) == NULL)
        fail_msg("'%s': reason \"%s\" lacks \"%s\"", name ? name : "(null)", reason, needle);
    n = strlen(reason);
    if (n == 0 || (reason[0] >= 'A' && reason[0] <= 'Z') || reason[n - 1] == '.')
        fail_msg("reason breaks the house style: \"%s\"", reason);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)reason[i] < 0x20 || (unsigned char)reason[i] >= 0x7f)
            fail_msg("reason holds byte 0x%02x: \"%s\"", (unsigned char)reason[i], reason);
    /* A failed load leaves nothing to free, and releasing twice is harmless. */
    gc_tz_release(&tz);
    gc_tz_release(&tz);
}

/*
 * Round trip over a year: for every UTC half hour, the local time maps back to that instant,
 * or is ambiguous with it as one of the two. Returns how many were ambiguous.
 */
static int round_trip_year(const struct gc_tz *tz, int64_t year)
{
    int64_t from = civil(year, 1, 1, 0, 0, 0), to = civil(year + 1, 1, 1, 0, 0, 0);
    int n_ambiguous = 0;

    for (int64_t t = from; t < to; t += HOUR_S / 2) {
        int64_t local = t + gc_tz_offset_at(tz, t), utc = SENTINEL, alt = SENTINEL;
        int rc = gc_tz_to_utc(tz, local, &utc, &alt);
        char a[GC_TIME_LEN + 1], b[GC_TIME_LEN + 1], c[GC_TIME_LEN + 1];

        if (rc == GC_TZ_AMBIGUOUS) {
            n_ambiguous++;
            if (utc >= alt || (utc != t && alt != t))
                fail_msg("%s %s: ambiguous %s / %s", tz->name, show_time(t, a), show_time(utc, b),
                         show_time(alt, c));
            if (utc + gc_tz_offset_at(tz, utc) != local || alt + gc_tz_offset_at(tz, alt) != local)
                fail_msg("%s %s: ambiguous answers do not map back", tz->name, show_time(t, a));
        } else if (rc != GC_TZ_OK || utc != t || alt != t) {
            fail_msg("%s %s: local time gave %s %s", tz->name, show_time(t, a),
                     result_names[rc < 0 || rc > 2 ? 0 : rc], show_time(utc, b));
        }
    }
    return n_ambiguous;
}

/* --- synthetic TZif files --- */

struct zone_spec {
    uint32_t version; /* the version byte: '2', '3', '4' or 0 */
    size_t n_times;
    const int64_t *times;
    const unsigned char *idx;
    size_t n_types;
    const int32_t *utoffs;
    const unsigned char *isdst;
    uint32_t leapcnt;
    const char *footer; /* NULL: no footer at all */
};

static void put32(struct gc_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};

    gc_buf_add(b, x, 4);
}

static void put64(struct gc_buf *b, int64_t v)
{
    put32(b, (uint32_t)((uint64_t)v >> 32));
    put32(b, (uint32_t)v);
}

static void put_header(struct gc_buf *b, uint32_t version, uint32_t leap, uint32_t time,
                       uint32_t type, uint32_t chars)
{
    static const unsigned char zero[15];

    gc_buf_add(b, "TZif", 4);
    gc_buf_addc(b, (char)version);
    gc_buf_add(b, zero, sizeof(zero));
    put32(b, 0); /* isutcnt */
    put32(b, 0); /* isstdcnt */
    put32(b, leap);
    put32(b, time);
    put32(b, type);
    put32(b, chars);
}

/*
 * Writes a TZif file for SPEC as DIR/NAME: a minimal version 1 block (one type, UTC), then the
 * 64-bit block and the footer. Abbreviations are all "ZZZ".
 */
static void write_zone(const char *dir, const char *name, const struct zone_spec *spec)
{
    struct gc_buf b = GC_BUF_INIT;
    char path[GC_TEST_PATH_CAP];
    static const unsigned char v1_type[6];

    put_header(&b, spec->version, 0, 0, 1, 4);
    gc_buf_add(&b, v1_type, sizeof(v1_type));
    gc_buf_add(&b, "ZZZ", 4);
    put_header(&b, spec->version, spec->leapcnt, (uint32_t)spec->n_times, (uint32_t)spec->n_types,
               4);
    for (size_t i = 0; i < spec->n_times; i++)
        put64(&b, spec->times[i]);
    if (spec->n_times > 0)
        gc_buf_add(&b, spec->idx, spec->n_times);
    for (size_t i = 0; i < spec->n_types; i++) {
        put32(&b, (uint32_t)spec->utoffs[i]);
        gc_buf_addc(&b, (char)spec->isdst[i]);
        gc_buf_addc(&b, 0);
    }
    gc_buf_add(&b, "ZZZ", 4);
    for (uint32_t i = 0; i < spec->leapcnt; i++) {
        put64(&b, 78796800);
        put32(&b, i + 1);
    }
    if (spec->footer != NULL) {
        gc_buf_addc(&b, '\n');
        gc_buf_adds(&b, spec->footer);
        gc_buf_addc(&b, '\n');
    }
    gc_test_path_in(path, dir, name);
    gc_test_write_file(path, b.ptr, b.len);
    gc_buf_release(&b);
}

/* A zone with no transitions, type 0 at UTOFF, governed by FOOTER. */
static void write_footer_zone(const char *dir, const char *name, int32_t utoff, const char *footer)
{
    static const unsigned char isdst0 = 0;
    struct zone_spec spec = {'2', 0, NULL, NULL, 1, &utoff, &isdst0, 0, footer};

    write_zone(dir, name, &spec);
}

/* The TZ string at the end of the system's file for ZONE, in a new string to free. */
static char *system_footer(const char *zone)
{
    char path[GC_TEST_PATH_CAP];
    size_t len;
    char *data, *end, *start, *out;

    need_tzdata();
    gc_test_path_in(path, ZONEINFO, zone);
    data = gc_test_read_file(path, &len);
    assert_true(len > 2 && data[len - 1] == '\n');
    end = data + len - 1;
    for (start = end; start > data && start[-1] != '\n'; start--)
        ;
    out = strndup(start, (size_t)(end - start));
    assert_non_null(out);
    free(data);
    return out;
}

/* --- tests --- */

static void test_tzdata_installed(void **state)
{
    struct gc_tz tz;

    (void)state;
    need_tzdata();
    load(&tz, "Europe/Berlin");
    assert_string_equal(tz.name, "Europe/Berlin");
    assert_true(tz.n_trans > 100);
    assert_true(tz.has_rule);
    gc_tz_release(&tz);
}

/* Berlin, 2026-03-29: at 01:00Z the clocks went from 02:00 CET to 03:00 CEST. */
static void test_berlin_spring_forward(void **state)
{
    struct gc_tz tz;
    const int64_t jump = 1774746000; /* 2026-03-29T01:00:00Z */

    (void)state;
    load(&tz, "Europe/Berlin");
    assert_int_equal(civil(2026, 3, 29, 1, 0, 0), jump);
    expect_gap(&tz, civil(2026, 3, 29, 2, 30, 0), jump);
    expect_gap(&tz, civil(2026, 3, 29, 2, 0, 0), jump);
    expect_gap(&tz, civil(2026, 3, 29, 2, 59, 59), jump);
    expect_ok(&tz, civil(2026, 3, 29, 1, 59, 59), jump - 1);
    expect_ok(&tz, civil(2026, 3, 29, 3, 0, 0), jump);
    expect_transition(&tz, jump, 3600, 7200);
    gc_tz_release(&tz);
}

/* Berlin, 2026-10-25: at 01:00Z the clocks went from 03:00 CEST back to 02:00 CET. */
static void test_berlin_fall_back(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "Europe/Berlin");
    expect_ambiguous(&tz, civil(2026, 10, 25, 2, 30, 0), 1792888200, 1792891800);
    expect_ambiguous(&tz, civil(2026, 10, 25, 2, 30, 0), civil(2026, 10, 25, 0, 30, 0),
                     civil(2026, 10, 25, 1, 30, 0));
    expect_ambiguous(&tz, civil(2026, 10, 25, 2, 0, 0), civil(2026, 10, 25, 0, 0, 0),
                     civil(2026, 10, 25, 1, 0, 0));
    expect_ambiguous(&tz, civil(2026, 10, 25, 2, 59, 59), civil(2026, 10, 25, 0, 59, 59),
                     civil(2026, 10, 25, 1, 59, 59));
    expect_ok(&tz, civil(2026, 10, 25, 1, 59, 59), civil(2026, 10, 24, 23, 59, 59));
    expect_ok(&tz, civil(2026, 10, 25, 3, 0, 0), civil(2026, 10, 25, 2, 0, 0));
    expect_transition(&tz, 1792890000, 7200, 3600);
    gc_tz_release(&tz);
}

static void test_berlin_winter_summer(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "Europe/Berlin");
    expect_offset(&tz, civil(2026, 1, 15, 12, 0, 0), 3600);
    expect_offset(&tz, civil(2026, 7, 15, 12, 0, 0), 7200);
    expect_offset(&tz, civil(2026, 12, 31, 23, 0, 0), 3600);
    expect_ok(&tz, civil(2026, 1, 15, 13, 0, 0), civil(2026, 1, 15, 12, 0, 0));
    expect_ok(&tz, civil(2026, 7, 15, 14, 0, 0), civil(2026, 7, 15, 12, 0, 0));
    expect_ok(&tz, civil(2027, 1, 1, 0, 0, 0), civil(2026, 12, 31, 23, 0, 0));
    gc_tz_release(&tz);
}

/* New York 2026: 02:00 EST became 03:00 EDT on March 8, 02:00 EDT 01:00 EST on November 1. */
static void test_new_york_2026(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "America/New_York");
    expect_transition(&tz, 1772953200, -18000, -14400); /* 2026-03-08T07:00:00Z */
    expect_transition(&tz, 1793512800, -14400, -18000); /* 2026-11-01T06:00:00Z */
    expect_gap(&tz, civil(2026, 3, 8, 2, 30, 0), 1772953200);
    expect_ok(&tz, civil(2026, 3, 8, 1, 59, 59), 1772953199);
    expect_ok(&tz, civil(2026, 3, 8, 3, 0, 0), 1772953200);
    expect_ambiguous(&tz, civil(2026, 11, 1, 1, 30, 0), 1793511000, 1793514600);
    expect_ok(&tz, civil(2026, 11, 1, 0, 59, 59), civil(2026, 11, 1, 4, 59, 59));
    expect_ok(&tz, civil(2026, 11, 1, 2, 0, 0), civil(2026, 11, 1, 7, 0, 0));
    expect_offset(&tz, civil(2026, 1, 15, 12, 0, 0), -18000);
    expect_offset(&tz, civil(2026, 7, 15, 12, 0, 0), -14400);
    expect_ok(&tz, civil(2026, 7, 4, 12, 0, 0), civil(2026, 7, 4, 16, 0, 0));
    gc_tz_release(&tz);
}

/*
 * Lord Howe Island moves its clocks by 30 minutes, at 02:00 local: +10:30 to +11 on
 * 2026-10-04 (15:30Z the day before) and back on 2026-04-05 (15:00Z the day before).
 */
static void test_lord_howe(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "Australia/Lord_Howe");
    expect_transition(&tz, 1775314800, 39600, 37800); /* 2026-04-04T15:00:00Z */
    expect_transition(&tz, 1791041400, 37800, 39600); /* 2026-10-03T15:30:00Z */
    expect_ambiguous(&tz, civil(2026, 4, 5, 1, 45, 0), civil(2026, 4, 4, 14, 45, 0),
                     civil(2026, 4, 4, 15, 15, 0));
    expect_ok(&tz, civil(2026, 4, 5, 1, 29, 59), civil(2026, 4, 4, 14, 29, 59));
    expect_ok(&tz, civil(2026, 4, 5, 2, 0, 0), civil(2026, 4, 4, 15, 30, 0));
    expect_gap(&tz, civil(2026, 10, 4, 2, 15, 0), 1791041400);
    expect_gap(&tz, civil(2026, 10, 4, 2, 0, 0), 1791041400);
    expect_ok(&tz, civil(2026, 10, 4, 1, 59, 59), 1791041399);
    expect_ok(&tz, civil(2026, 10, 4, 2, 30, 0), 1791041400);
    /* Southern summer spans New Year. */
    expect_offset(&tz, civil(2026, 1, 1, 0, 0, 0), 39600);
    expect_offset(&tz, civil(2026, 7, 1, 0, 0, 0), 37800);
    assert_true(round_trip_year(&tz, 2026) > 0);
    gc_tz_release(&tz);
}

static void test_kolkata(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "Asia/Kolkata");
    expect_offset(&tz, civil(2026, 1, 15, 0, 0, 0), 19800);
    expect_offset(&tz, civil(2026, 7, 15, 0, 0, 0), 19800);
    expect_ok(&tz, civil(2026, 6, 1, 5, 30, 0), civil(2026, 6, 1, 0, 0, 0));
    expect_ok(&tz, civil(2026, 3, 29, 2, 30, 0), civil(2026, 3, 28, 21, 0, 0));
    /* No daylight saving time: nothing is ever ambiguous. */
    assert_int_equal(round_trip_year(&tz, 2026), 0);
    assert_int_equal(round_trip_year(&tz, 2090), 0);
    /* 1942-09-01 to 1945-10-15 it kept +06:30 (zdump). */
    expect_offset(&tz, civil(1944, 1, 1, 0, 0, 0), 23400);
    gc_tz_release(&tz);
}

/*
 * 2090 lies past the last transition of the table (2037 even in "fat" files), so only the
 * footer's rule can answer.
 */
static void test_future_footer(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "Europe/Berlin");
    assert_true(tz.has_rule);
    assert_true(tz.n_trans > 0);
    assert_true(tz.trans[tz.n_trans - 1].at_s < civil(2089, 1, 1, 0, 0, 0));
    expect_transition(&tz, 3794173200, 3600, 7200); /* 2090-03-26T01:00:00Z */
    expect_transition(&tz, 3812922000, 7200, 3600); /* 2090-10-29T01:00:00Z */
    expect_gap(&tz, civil(2090, 3, 26, 2, 30, 0), 3794173200);
    expect_ambiguous(&tz, civil(2090, 10, 29, 2, 30, 0), 3812922000 - 1800, 3812922000 + 1800);
    expect_offset(&tz, civil(2090, 7, 1, 0, 0, 0), 7200);
    /* 9999-03-28T01:00:00Z (zdump), and the last second of the range. */
    expect_transition(&tz, civil(9999, 3, 28, 1, 0, 0), 3600, 7200);
    expect_ok(&tz, GC_TIME_MAX, GC_TIME_MAX - 3600);
    assert_true(round_trip_year(&tz, 2090) == 4);
    /* The table ends in 2037 and the footer takes over. */
    assert_true(round_trip_year(&tz, 2037) == 4);
    assert_true(round_trip_year(&tz, 2038) == 4);
    gc_tz_release(&tz);

    load(&tz, "America/New_York");
    expect_transition(&tz, 3792985200, -18000, -14400); /* 2090-03-12T07:00:00Z */
    expect_transition(&tz, 3813544800, -14400, -18000); /* 2090-11-05T06:00:00Z */
    expect_gap(&tz, civil(2090, 3, 12, 2, 30, 0), 3792985200);
    expect_ambiguous(&tz, civil(2090, 11, 5, 1, 30, 0), 3813544800 - 1800, 3813544800 + 1800);
    gc_tz_release(&tz);
}

static void test_before_1970(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "Europe/Berlin");
    /* Local mean time (+0:53:28) until 1893-04-01T00:00 local, which became 00:06:32 CET. */
    expect_transition(&tz, -2422054408, 3208, 3600); /* 1893-03-31T23:06:32Z */
    expect_gap(&tz, civil(1893, 4, 1, 0, 3, 0), -2422054408);
    expect_ok(&tz, civil(1893, 3, 31, 23, 0, 0), civil(1893, 3, 31, 23, 0, 0) - 3208);
    expect_ok(&tz, civil(1850, 1, 1, 0, 0, 0), civil(1850, 1, 1, 0, 0, 0) - 3208);
    /* Midsummer time (+3) in 1945: back to +2 at 1945-09-24T00:00Z. */
    expect_offset(&tz, civil(1945, 6, 1, 12, 0, 0), 10800);
    expect_transition(&tz, -765936000, 10800, 7200);
    expect_ambiguous(&tz, civil(1945, 9, 24, 2, 30, 0), -765937800, -765934200);
    assert_true(round_trip_year(&tz, 1945) > 0);
    gc_tz_release(&tz);

    load(&tz, "America/New_York");
    expect_transition(&tz, -305744400, -18000, -14400); /* 1960-04-24T07:00:00Z */
    expect_gap(&tz, civil(1960, 4, 24, 2, 30, 0), -305744400);
    expect_ambiguous(&tz, civil(1960, 10, 30, 1, 30, 0), -289420200, -289416600);
    expect_offset(&tz, civil(1969, 12, 31, 23, 59, 59), -18000);
    gc_tz_release(&tz);
}

static void test_utc(void **state)
{
    static const char *const names[] = {"UTC", "Z", "Etc/UTC"};
    static const int64_t instants[] = {GC_TIME_MIN, -1, 0, 1774746000, 3812922000, GC_TIME_MAX};

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct gc_tz tz;

        load(&tz, names[i]);
        assert_string_equal(tz.name, names[i]);
        for (size_t j = 0; j < sizeof(instants) / sizeof(instants[0]); j++) {
            expect_offset(&tz, instants[j], 0);
            expect_ok(&tz, instants[j], instants[j]);
        }
        gc_tz_release(&tz);
    }
}

static void test_fixed_offsets(void **state)
{
    static const struct {
        const char *name;
        int64_t utoff;
    } ok[] = {
        {"+02:00", 7200}, {"-05:30", -19800}, {"+00:00", 0}, {"+23:59", 86340}, {"-23:59", -86340},
    };
    static const char *const bad[] = {"+2:00",   "+02",    "+0200",    "+24:00", "+02:60",
                                      "+02:00x", "++2:00", "-5:30:00", "+",      "-"};
    struct gc_tz tz;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t local = civil(2026, 3, 29, 2, 30, 0);

        load_from(&tz, ok[i].name, "/nonexistent");
        expect_offset(&tz, 1774746000, ok[i].utoff);
        /* No DST: Berlin's skipped hour exists here. */
        expect_ok(&tz, local, local - ok[i].utoff);
        expect_ok(&tz, GC_TIME_MAX, GC_TIME_MAX - ok[i].utoff);
        expect_ok(&tz, GC_TIME_MIN, GC_TIME_MIN - ok[i].utoff);
        gc_tz_release(&tz);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_load_fails(bad[i], ZONEINFO, "is not of the form +HH:MM or -HH:MM");
    expect_load_fails("-00:00", ZONEINFO, "offset '-00:00' means an unknown offset, use UTC");
}

static void test_rejected_names(void **state)
{
    char long_name[GC_TZ_NAME_MAX + 2];

    (void)state;
    need_tzdata();
    expect_load_fails("../etc/passwd", ZONEINFO, "must not contain '..'");
    expect_load_fails("Europe/../../../etc/passwd", ZONEINFO, "must not contain '..'");
    expect_load_fails("/etc/passwd", ZONEINFO, "time zone name '/etc/passwd' must not start");
    expect_load_fails("Nope/Nowhere", ZONEINFO, "unknown time zone 'Nope/Nowhere'");
    expect_load_fails("Nope/Nowhere", NULL, "unknown time zone 'Nope/Nowhere'");
    expect_load_fails("Europe", ZONEINFO, "unknown time zone 'Europe'");
    expect_load_fails("Europe/Berlin/", ZONEINFO, "unknown time zone 'Europe/Berlin/'");
    expect_load_fails("Europe/Berlin/x", ZONEINFO, "unknown time zone");
    expect_load_fails("", ZONEINFO, "empty time zone name");
    expect_load_fails(NULL, ZONEINFO, "empty time zone name");
    expect_load_fails("zone.tab", ZONEINFO, "has a character outside");
    expect_load_fails("Europe/Berlin\n", ZONEINFO, "'Europe/Berlin?' has a character outside");
    expect_load_fails("Europe/Berlin ", ZONEINFO, "has a character outside");
    expect_load_fails("Europe\\Berlin", ZONEINFO, "has a character outside");
    expect_load_fails("utc", ZONEINFO, "unknown time zone 'utc'");
    memset(long_name, 'A', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    expect_load_fails(long_name, ZONEINFO, "is too long");
    expect_load_fails("Europe/Berlin", "/nonexistent-zoneinfo",
                      "unknown time zone 'Europe/Berlin': no zoneinfo directory "
                      "'/nonexistent-zoneinfo'");
}

/* Damaged copies of a real zone file, in the test's own directory. */
static void test_damaged_files(void **state)
{
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], sub[GC_TEST_PATH_CAP];
    struct gc_tz tz;
    size_t len;
    char *berlin;

    need_tzdata();
    berlin = gc_test_read_file(ZONEINFO "/Europe/Berlin", &len);

    /* The intact copy loads from the given directory, also from a subdirectory. */
    gc_test_path_in(path, dir, "Good");
    gc_test_write_file(path, berlin, len);
    load_from(&tz, "Good", dir);
    expect_gap(&tz, civil(2026, 3, 29, 2, 30, 0), 1774746000);
    gc_tz_release(&tz);
    gc_test_path_in(sub, dir, "Sub");
    assert_int_equal(mkdir(sub, 0755), 0);
    gc_test_path_in(path, sub, "Zone");
    gc_test_write_file(path, berlin, len);
    load_from(&tz, "Sub/Zone", dir);
    expect_offset(&tz, civil(2026, 7, 1, 0, 0, 0), 7200);
    gc_tz_release(&tz);
    expect_load_fails("Europe/Berlin", dir, "unknown time zone 'Europe/Berlin'");

    gc_test_path_in(path, dir, "Garbage");
    gc_test_write_file(path, "not a zone at all, just text\n", 29);
    expect_load_fails("Garbage", dir, "'Garbage' is not a TZif file");
    gc_test_path_in(path, dir, "Empty");
    gc_test_write_file(path, "", 0);
    expect_load_fails("Empty", dir, "'Empty' is not a TZif file");

    /* Cut at many places: in each header, in each block, in the footer. */
    static const size_t cuts[] = {4, 20, 43, 44, 100, 1000, 1200, 2000};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        assert_true(cuts[i] < len);
        gc_test_path_in(path, dir, "Cut");
        gc_test_write_file(path, berlin, cuts[i]);
        expect_load_fails("Cut", dir, "'Cut' is a truncated TZif file");
    }
    for (size_t keep = len - 40; keep < len; keep++) {
        gc_test_path_in(path, dir, "Cut");
        gc_test_write_file(path, berlin, keep);
        expect_load_fails("Cut", dir, "'Cut' is a truncated TZif file");
    }

    /* Version 1 only. */
    berlin[4] = '\0';
    gc_test_path_in(path, dir, "Old");
    gc_test_write_file(path, berlin, len);
    expect_load_fails("Old", dir, "'Old' is a version 1 TZif file");
    berlin[4] = '2';

    /* A FIFO is not a zone, and opening it must not hang. */
    gc_test_path_in(path, dir, "Fifo");
    assert_int_equal(mkfifo(path, 0644), 0);
    expect_load_fails("Fifo", dir, "unknown time zone 'Fifo'");

    /* An unreadable file, unless the tests run as root. */
    if (geteuid() != 0) {
        gc_test_path_in(path, dir, "Locked");
        gc_test_write_file_mode(path, berlin, len, 0);
        expect_load_fails("Locked", dir, "cannot open time zone 'Locked'");
    }
    free(berlin);
}

/* Hand-built TZif files: what a damaged table or footer must produce. */
static void test_synthetic_damage(void **state)
{
    const char *dir = *state;
    static const int64_t times[] = {1000, 2000};
    static const int64_t times_down[] = {2000, 1000};
    static const unsigned char idx[] = {1, 0};
    static const unsigned char idx_bad[] = {1, 2};
    static const int32_t utoffs[] = {3600, 7200};
    static const int32_t utoffs_huge[] = {3600, 100000};
    static const unsigned char isdst[] = {0, 1};
    static const unsigned char isdst_bad[] = {0, 2};
    struct zone_spec spec = {'2', 2, times, idx, 2, utoffs, isdst, 0, "ZZZ-1"};
    static const char *const bad_footers[] = {
        "CET-1CEST",        /* DST without a rule */
        "CET-1CEST,M3.5.0", /* one date */
        "CE-1",             /* abbreviation too short */
        "CET",              /* no offset */
        "CET-1CEST,M13.5.0,M10.5.0/3",
        "CET-1CEST,M3.6.0,M10.5.0/3",
        "CET-1CEST,M3.5.7,M10.5.0/3",
        "CET-1CEST,J0,M10.5.0/3",
        "CET-1CEST,J366,M10.5.0/3",
        "CET-1CEST,366,M10.5.0/3",
        "CET-1CEST,M3.5.0/168,M10.5.0/3",
        "CET-1CEST,M3.5.0/2:60,M10.5.0/3",
        "CET-1CEST,M3.5.0,M10.5.0/3x",
        "<CET-1",
        "CET-26",
        "CET-1\x1b[31m",
    };
    struct gc_tz tz;

    (void)state;
    write_zone(dir, "Fine", &spec);
    load_from(&tz, "Fine", dir);
    expect_transition(&tz, 1000, 3600, 7200);
    expect_transition(&tz, 2000, 7200, 3600);
    expect_offset(&tz, civil(2026, 1, 1, 0, 0, 0), 3600);
    gc_tz_release(&tz);

    spec.times = times_down;
    write_zone(dir, "Z1", &spec);
    expect_load_fails("Z1", dir, "'Z1' is a damaged TZif file");
    spec.times = times;
    spec.idx = idx_bad;
    write_zone(dir, "Z2", &spec);
    expect_load_fails("Z2", dir, "'Z2' is a damaged TZif file");
    spec.idx = idx;
    spec.isdst = isdst_bad;
    write_zone(dir, "Z3", &spec);
    expect_load_fails("Z3", dir, "'Z3' is a damaged TZif file");
    spec.isdst = isdst;
    spec.utoffs = utoffs_huge;
    write_zone(dir, "Z4", &spec);
    expect_load_fails("Z4", dir, "'Z4' is a damaged TZif file");
    spec.utoffs = utoffs;
    spec.n_types = 0;
    spec.n_times = 0;
    write_zone(dir, "Z5", &spec);
    expect_load_fails("Z5", dir, "'Z5' is a damaged TZif file");
    spec.n_types = 2;
    spec.n_times = 2;
    spec.leapcnt = 2;
    write_zone(dir, "Z6", &spec);
    expect_load_fails("Z6", dir, "'Z6' counts leap seconds");
    spec.leapcnt = 0;
    spec.footer = NULL;
    write_zone(dir, "Z7", &spec);
    expect_load_fails("Z7", dir, "'Z7' is a truncated TZif file (no footer)");
    spec.version = 0;
    spec.footer = "";
    write_zone(dir, "Z8", &spec);
    expect_load_fails("Z8", dir, "'Z8' is a version 1 TZif file");
    spec.version = '4';

    /* An empty footer: the last transition's offset stays forever. */
    write_zone(dir, "Z9", &spec);
    load_from(&tz, "Z9", dir);
    assert_false(tz.has_rule);
    expect_offset(&tz, GC_TZ_UTC_MAX, 3600);
    expect_offset(&tz, GC_TZ_UTC_MIN, 3600);
    gc_tz_release(&tz);

    for (size_t i = 0; i < sizeof(bad_footers) / sizeof(bad_footers[0]); i++) {
        spec.footer = bad_footers[i];
        write_zone(dir, "Zf", &spec);
        expect_load_fails("Zf", dir, "'Zf' has an unusable TZ string");
    }
}

/*
 * Footer rules on their own (no transition table): DST all year (RFC 8536 §3.3.1), Jn against
 * n in leap years, negative and beyond-24h rule times.
 */
static void test_synthetic_rules(void **state)
{
    const char *dir = *state;
    struct gc_tz tz;

    write_footer_zone(dir, "AllYear", -14400, "EST5EDT,0/0,J365/25");
    load_from(&tz, "AllYear", dir);
    for (int64_t y = 2025; y <= 2028; y++) {
        /* Where the year's end and the next year's start meet: 05:00Z. */
        expect_offset(&tz, civil(y, 1, 1, 5, 0, 0), -14400);
        expect_offset(&tz, civil(y, 1, 1, 5, 0, 0) - 1, -14400);
        expect_offset(&tz, civil(y, 7, 1, 0, 0, 0), -14400);
        expect_offset(&tz, civil(y, 12, 31, 23, 0, 0), -14400);
    }
    assert_int_equal(round_trip_year(&tz, 2026), 0);
    expect_ok(&tz, civil(2027, 1, 1, 0, 30, 0), civil(2027, 1, 1, 4, 30, 0));
    gc_tz_release(&tz);

    /*
     * J60 is March 1 in every year; 59 (zero-based) is February 29 in leap years, March 1
     * otherwise. So standard time runs from the end (00:00 DST = 23:00Z the day before) to the
     * start (00:00Z March 1): 25 hours in 2028, one hour in 2027.
     */
    write_footer_zone(dir, "Leap", 0, "AAA0BBB,J60/0,59/0");
    load_from(&tz, "Leap", dir);
    expect_transition(&tz, civil(2028, 2, 28, 23, 0, 0), 3600, 0);
    expect_offset(&tz, civil(2028, 2, 29, 12, 0, 0), 0);
    expect_transition(&tz, civil(2028, 3, 1, 0, 0, 0), 0, 3600);
    expect_transition(&tz, civil(2027, 2, 28, 23, 0, 0), 3600, 0);
    expect_transition(&tz, civil(2027, 3, 1, 0, 0, 0), 0, 3600);
    expect_offset(&tz, civil(2027, 7, 1, 0, 0, 0), 3600);
    gc_tz_release(&tz);

    /* Rule times past 24:00 and before 00:00 (America/Santiago and America/Nuuk style). */
    write_footer_zone(dir, "Late", -14400, "<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    load_from(&tz, "Late", dir);
    /* First Saturday of September 2026 is the 5th; 24:00 -04 = 2026-09-06T04:00Z. */
    expect_transition(&tz, civil(2026, 9, 6, 4, 0, 0), -14400, -10800);
    /* First Saturday of April 2026 is the 4th; 24:00 -03 = 2026-04-05T03:00Z. */
    expect_transition(&tz, civil(2026, 4, 5, 3, 0, 0), -10800, -14400);
    gc_tz_release(&tz);
    write_footer_zone(dir, "Early", -7200, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    load_from(&tz, "Early", dir);
    /* Last Sunday of March 2026 is the 29th; -1:00 -02 = 2026-03-29T01:00Z. */
    expect_transition(&tz, civil(2026, 3, 29, 1, 0, 0), -7200, -3600);
    expect_gap(&tz, civil(2026, 3, 28, 23, 30, 0), civil(2026, 3, 29, 1, 0, 0));
    expect_transition(&tz, civil(2026, 10, 25, 1, 0, 0), -3600, -7200);
    gc_tz_release(&tz);
}

/*
 * A footer read from a real zone, evaluated alone, must agree with that zone's table at every
 * hour of 2030..2036 (the table is zic's own expansion of the same rule). Covers negative DST
 * (Dublin), 2-hour DST (Troll), 45-minute offsets (Chatham), southern rules.
 */
static void test_footer_matches_table(void **state)
{
    static const char *const zones[] = {
        "Europe/Berlin",    "America/New_York", "Australia/Lord_Howe", "Europe/Dublin",
        "Antarctica/Troll", "Pacific/Chatham",  "America/Santiago",    "America/Nuuk",
    };
    const char *dir = *state;

    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        struct gc_tz real, alone;
        char *footer = system_footer(zones[i]);

        load(&real, zones[i]);
        write_footer_zone(dir, "Alone", real.first_utoff_s, footer);
        load_from(&alone, "Alone", dir);
        assert_true(alone.has_rule);
        assert_int_equal(alone.n_trans, 0);
        for (int64_t t = civil(2030, 1, 1, 0, 0, 0); t < civil(2037, 1, 1, 0, 0, 0);
             t += HOUR_S / 4) {
            int64_t want = gc_tz_offset_at(&real, t), got = gc_tz_offset_at(&alone, t);
            char a[GC_TIME_LEN + 1];

            if (got != want)
                fail_msg("%s footer '%s' at %s: %lld, table says %lld", zones[i], footer,
                         show_time(t, a), (long long)got, (long long)want);
        }
        gc_tz_release(&alone);
        gc_tz_release(&real);
        free(footer);
    }
}

/*
 * Every transition of 2020..2030 from `zdump -v -c 2020,2031`: the instant and the offset
 * from then on. Between them the offset must hold at every hour.
 */
struct known_transition {
    int64_t at_s;
    int64_t utoff_s;
};

static const struct known_transition berlin_2020s[] = {
    {1585443600, 7200}, {1603587600, 3600}, {1616893200, 7200}, {1635642000, 3600},
    {1648342800, 7200}, {1667091600, 3600}, {1679792400, 7200}, {1698541200, 3600},
    {1711846800, 7200}, {1729990800, 3600}, {1743296400, 7200}, {1761440400, 3600},
    {1774746000, 7200}, {1792890000, 3600}, {1806195600, 7200}, {1824944400, 3600},
    {1837645200, 7200}, {1856394000, 3600}, {1869094800, 7200}, {1887843600, 3600},
    {1901149200, 7200}, {1919293200, 3600},
};

static const struct known_transition new_york_2020s[] = {
    {1583650800, -14400}, {1604210400, -18000}, {1615705200, -14400}, {1636264800, -18000},
    {1647154800, -14400}, {1667714400, -18000}, {1678604400, -14400}, {1699164000, -18000},
    {1710054000, -14400}, {1730613600, -18000}, {1741503600, -14400}, {1762063200, -18000},
    {1772953200, -14400}, {1793512800, -18000}, {1805007600, -14400}, {1825567200, -18000},
    {1836457200, -14400}, {1857016800, -18000}, {1867906800, -14400}, {1888466400, -18000},
    {1899356400, -14400}, {1919916000, -18000},
};

static void cross_check(const char *zone, const struct known_transition *known, size_t n,
                        int64_t utoff_before)
{
    struct gc_tz tz;
    size_t next = 0;
    int64_t utoff = utoff_before;

    load(&tz, zone);
    for (size_t i = 0; i < n; i++)
        expect_transition(&tz, known[i].at_s, i == 0 ? utoff_before : known[i - 1].utoff_s,
                          known[i].utoff_s);
    for (int64_t t = civil(2020, 1, 1, 0, 0, 0); t < civil(2031, 1, 1, 0, 0, 0); t += HOUR_S) {
        while (next < n && known[next].at_s <= t)
            utoff = known[next++].utoff_s;
        expect_offset(&tz, t, utoff);
    }
    assert_int_equal(next, n);
    gc_tz_release(&tz);
}

static void test_cross_check_2020s(void **state)
{
    (void)state;
    cross_check("Europe/Berlin", berlin_2020s, sizeof(berlin_2020s) / sizeof(berlin_2020s[0]),
                3600);
    cross_check("America/New_York", new_york_2020s,
                sizeof(new_york_2020s) / sizeof(new_york_2020s[0]), -18000);
}

static void test_round_trip(void **state)
{
    static const char *const zones[] = {"Europe/Berlin", "America/New_York", "Europe/Dublin",
                                        "Pacific/Chatham", "America/Santiago"};

    (void)state;
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        struct gc_tz tz;

        load(&tz, zones[i]);
        /* The repeated hour holds local times of four of the UTC half hours. */
        assert_int_equal(round_trip_year(&tz, 2026), 4);
        gc_tz_release(&tz);
    }
}

/* $TZDIR replaces the default directory when zoneinfo_dir is NULL. */
static void test_default_dir(void **state)
{
    const char *dir = *state;
    const char *saved = getenv("TZDIR");
    char *saved_copy = saved ? strdup(saved) : NULL;
    char path[GC_TEST_PATH_CAP];
    struct gc_tz tz;
    size_t len;
    char *berlin;

    need_tzdata();
    berlin = gc_test_read_file(ZONEINFO "/Europe/Berlin", &len);
    gc_test_path_in(path, dir, "Only-Here");
    gc_test_write_file(path, berlin, len);
    free(berlin);

    assert_int_equal(unsetenv("TZDIR"), 0);
    load_from(&tz, "Europe/Berlin", NULL);
    gc_tz_release(&tz);
    expect_load_fails("Only-Here", NULL, "unknown time zone 'Only-Here'");
    assert_int_equal(setenv("TZDIR", "", 1), 0);
    load_from(&tz, "Europe/Berlin", NULL);
    gc_tz_release(&tz);

    assert_int_equal(setenv("TZDIR", dir, 1), 0);
    load_from(&tz, "Only-Here", NULL);
    expect_offset(&tz, civil(2026, 7, 1, 0, 0, 0), 7200);
    gc_tz_release(&tz);
    expect_load_fails("Europe/Berlin", NULL, "unknown time zone 'Europe/Berlin'");

    if (saved_copy != NULL)
        assert_int_equal(setenv("TZDIR", saved_copy, 1), 0);
    else
        assert_int_equal(unsetenv("TZDIR"), 0);
    free(saved_copy);
}

static void to_utc_too_late(const void *arg)
{
    int64_t utc;

    gc_tz_to_utc(arg, GC_TIME_MAX + 1, &utc, NULL);
}

static void to_utc_too_early(const void *arg)
{
    int64_t utc;

    gc_tz_to_utc(arg, GC_TIME_MIN - 1, &utc, NULL);
}

static void offset_too_late(const void *arg)
{
    gc_tz_offset_at(arg, GC_TZ_UTC_MAX + 1);
}

static void offset_too_early(const void *arg)
{
    gc_tz_offset_at(arg, INT64_MIN);
}

static void test_out_of_range_is_a_bug(void **state)
{
    struct gc_tz tz;

    (void)state;
    load(&tz, "Europe/Berlin");
    expect_offset(&tz, GC_TZ_UTC_MIN, 3208);
    expect_offset(&tz, GC_TZ_UTC_MAX, 3600);
    gc_test_expect_exit(to_utc_too_late, &tz, 70, "out of range", "to_utc after 9999");
    gc_test_expect_exit(to_utc_too_early, &tz, 70, "out of range", "to_utc before 0001");
    gc_test_expect_exit(offset_too_late, &tz, 70, "out of range", "offset_at too late");
    gc_test_expect_exit(offset_too_early, &tz, 70, "out of range", "offset_at INT64_MIN");
    gc_tz_release(&tz);
}

int main(void)
{
    /* One test per line: clang-format would pack the short names into columns. */
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tzdata_installed),
        /* Early: its forked children must not report leaks of tests that failed before. */
        cmocka_unit_test(test_out_of_range_is_a_bug),
        cmocka_unit_test(test_berlin_spring_forward),
        cmocka_unit_test(test_berlin_fall_back),
        cmocka_unit_test(test_berlin_winter_summer),
        cmocka_unit_test(test_new_york_2026),
        cmocka_unit_test(test_lord_howe),
        cmocka_unit_test(test_kolkata),
        cmocka_unit_test(test_future_footer),
        cmocka_unit_test(test_before_1970),
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_fixed_offsets),
        cmocka_unit_test(test_rejected_names),
        GC_TEST_WITH_DIR(test_damaged_files),
        GC_TEST_WITH_DIR(test_synthetic_damage),
        GC_TEST_WITH_DIR(test_synthetic_rules),
        GC_TEST_WITH_DIR(test_footer_matches_table),
        cmocka_unit_test(test_cross_check_2020s),
        cmocka_unit_test(test_round_trip),
        GC_TEST_WITH_DIR(test_default_dir),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
