/*
 * fuzz_tz — time zones read from TZif files (gc_tz_load, RFC 8536) and the conversions the
 * importers make with them (gc_tz_offset_at, gc_tz_to_utc), in any zone a file can describe.
 *
 * The input's first byte chooses what the rest is (bits 0-1):
 *   0: a TZif file, loaded as zone "Fuzz/Zone" from a scratch directory;
 *   1: a zone described compactly, written as a version 2 TZif file: the number of local time
 *      types less one (bits 0-2 of a byte) and of transitions (bits 3-7), each type as 3 bytes
 *      (its offset, modulo the range RFC 8536 allows) and a DST flag in a fourth, the first
 *      transition as 5 signed bytes, each as a type index and 3 bytes of seconds after the one
 *      before; what is left is the footer, the POSIX TZ string;
 *   2: a zone name, loaded from an empty directory ("UTC", "+05:30" and refusals);
 *   3: a footer alone: a zone without transitions, type 0 at UTC, the rest the TZ string.
 * Properties (gc_tz.h):
 *   - a refusal is a reason in house style: not empty, lower case first, no final period,
 *     printable ASCII only;
 *   - a fixed offset is what its name says;
 *   - every offset in force lies within the zone's least and greatest offset and is one the
 *     zone has (type 0, a transition's, the rule's); where the rule governs, it repeats every
 *     400 years (146097 days, a whole number of weeks);
 *   - for a local time, gc_tz_to_utc finds exactly the instants U with U + offset(U) = local
 *     (found here apart, trying every offset of the zone): one is OK, two or more AMBIGUOUS
 *     with the first and last, none NONEXISTENT with the instant the clock jumped over it;
 *   - so the local time of every instant converts back to it (or to a span holding it).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gc_buf.h"
#include "gc_time.h"
#include "gc_tz.h"
#include "banned.h"

#define ZONE         "Fuzz/Zone"
#define UTOFF_MIN    (-89999)
#define UTOFF_SPAN   183599 /* -89999 .. 93599 */
#define DAY_S        86400
#define CYCLE_S      (146097LL * DAY_S) /* 400 Gregorian years */
#define MAX_OFFSETS  300
#define MAX_INSTANTS 48

struct zone {
    struct gc_tz tz;
    int32_t offsets[MAX_OFFSETS]; /* every offset the zone has, sorted, once each */
    size_t n_offsets;
};

static void put32(struct gc_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};

    gc_buf_add(b, x, 4);
}

static void put_header(struct gc_buf *b, uint32_t time, uint32_t type, uint32_t chars)
{
    static const unsigned char zero[15];

    gc_buf_add(b, "TZif2", 5);
    gc_buf_add(b, zero, sizeof(zero));
    put32(b, 0); /* isutcnt */
    put32(b, 0); /* isstdcnt */
    put32(b, 0); /* leapcnt */
    put32(b, time);
    put32(b, type);
    put32(b, chars);
}

/* Mode 1 and 3: a TZif file from P[0..LEN) as the top of this file says, into OUT. */
static void synthesize(const uint8_t *p, size_t len, bool footer_only, struct gc_buf *out)
{
    static const unsigned char v1_type[6];
    size_t n_types = 1, n_times = 0, at = 0;
    int32_t utoff[8] = {0};
    unsigned char isdst[8] = {0}, idx[32];
    int64_t times[32], t = 0;

    if (!footer_only && len > 0) {
        n_types = (p[0] & 7) + 1;
        n_times = p[0] >> 3;
        at = 1;
        for (size_t i = 0; i < n_types; i++, at += 4) {
            uint32_t v =
                at + 4 <= len ? (uint32_t)p[at] << 16 | (uint32_t)p[at + 1] << 8 | p[at + 2] : 0;

            utoff[i] = (int32_t)(v % UTOFF_SPAN) + UTOFF_MIN;
            isdst[i] = at + 4 <= len ? p[at + 3] & 1 : 0;
        }
        if (at + 5 <= len) {
            t = (int64_t)(int8_t)p[at] * ((int64_t)1 << 32) +
                (int64_t)((uint32_t)p[at + 1] << 24 | (uint32_t)p[at + 2] << 16 |
                          (uint32_t)p[at + 3] << 8 | p[at + 4]);
            at += 5;
        } else {
            n_times = 0;
        }
        for (size_t i = 0; i < n_times; i++, at += 4) {
            if (at + 4 > len) {
                n_times = i;
                break;
            }
            idx[i] = (unsigned char)(p[at] % n_types);
            if (i > 0)
                t += 1 + ((int64_t)p[at + 1] << 16 | (int64_t)p[at + 2] << 8 | p[at + 3]) * 60;
            times[i] = t;
        }
        if (at > len)
            at = len;
    }
    gc_buf_reset(out);
    put_header(out, 0, 1, 4);
    gc_buf_add(out, v1_type, sizeof(v1_type));
    gc_buf_add(out, "ZZZ", 4);
    put_header(out, (uint32_t)n_times, (uint32_t)n_types, 4);
    for (size_t i = 0; i < n_times; i++) {
        put32(out, (uint32_t)((uint64_t)times[i] >> 32));
        put32(out, (uint32_t)times[i]);
    }
    gc_buf_add(out, idx, n_times);
    for (size_t i = 0; i < n_types; i++) {
        put32(out, (uint32_t)utoff[i]);
        gc_buf_addc(out, (char)isdst[i]);
        gc_buf_addc(out, 0);
    }
    gc_buf_add(out, "ZZZ", 4);
    gc_buf_addc(out, '\n');
    for (; at < len && p[at] != '\n'; at++)
        gc_buf_addc(out, (char)p[at]);
    gc_buf_addc(out, '\n');
}

static void check_reason(const char *reason)
{
    size_t n = strlen(reason);

    FUZZ_CHECK(n > 0 && n < GC_TZ_REASON_CAP, "a reason of %zu bytes", n);
    FUZZ_CHECK(!(reason[0] >= 'A' && reason[0] <= 'Z') && reason[n - 1] != '.',
               "a reason out of house style: %s", reason);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(reason[i] >= 0x20 && reason[i] < 0x7f, "a reason with byte 0x%02x: %s",
                   (unsigned char)reason[i], reason);
}

static void add_offset(struct zone *z, int32_t o)
{
    size_t i;

    for (i = 0; i < z->n_offsets && z->offsets[i] < o; i++)
        ;
    if (i < z->n_offsets && z->offsets[i] == o)
        return;
    FUZZ_CHECK(z->n_offsets < MAX_OFFSETS, "more offsets than types");
    memmove(z->offsets + i + 1, z->offsets + i, (z->n_offsets - i) * sizeof(*z->offsets));
    z->offsets[i] = o;
    z->n_offsets++;
}

/* The zone as loaded: sorted transitions, offsets within the bounds, the set of offsets. */
static void check_zone(struct zone *z)
{
    const struct gc_tz *tz = &z->tz;

    z->n_offsets = 0;
    FUZZ_CHECK(tz->min_utoff_s <= tz->max_utoff_s, "bounds %d > %d", tz->min_utoff_s,
               tz->max_utoff_s);
    add_offset(z, tz->first_utoff_s);
    for (size_t i = 0; i < tz->n_trans; i++) {
        FUZZ_CHECK(i == 0 || tz->trans[i].at_s > tz->trans[i - 1].at_s, "transitions out of order");
        add_offset(z, tz->trans[i].utoff_s);
    }
    if (tz->has_rule) {
        add_offset(z, tz->rule.std_utoff_s);
        add_offset(z, tz->rule.dst_utoff_s);
    }
    FUZZ_CHECK(z->offsets[0] >= tz->min_utoff_s && z->offsets[z->n_offsets - 1] <= tz->max_utoff_s,
               "an offset outside the zone's bounds %d..%d", tz->min_utoff_s, tz->max_utoff_s);
}

static bool in_utc_range(int64_t t)
{
    return t >= GC_TZ_UTC_MIN && t <= GC_TZ_UTC_MAX;
}

static bool has_offset(const struct zone *z, int64_t o)
{
    for (size_t i = 0; i < z->n_offsets; i++)
        if (z->offsets[i] == o)
            return true;
    return false;
}

/* The offset at an instant: one of the zone's; where the rule governs, every 400 years alike. */
static int64_t offset_at(const struct zone *z, int64_t t)
{
    const struct gc_tz *tz = &z->tz;
    int64_t o = gc_tz_offset_at(tz, t);
    bool ruled = tz->has_rule && (tz->n_trans == 0 || t >= tz->trans[tz->n_trans - 1].at_s);

    FUZZ_CHECK(has_offset(z, o), "offset %lld at %lld is none of the zone's", (long long)o,
               (long long)t);
    if (ruled) {
        FUZZ_CHECK(o == tz->rule.std_utoff_s || o == tz->rule.dst_utoff_s,
                   "offset %lld at %lld is not the rule's", (long long)o, (long long)t);
        if (in_utc_range(t + CYCLE_S))
            FUZZ_CHECK(gc_tz_offset_at(tz, t + CYCLE_S) == o,
                       "the rule gives %lld at %lld and %lld 400 years later", (long long)o,
                       (long long)t, (long long)gc_tz_offset_at(tz, t + CYCLE_S));
    }
    return o;
}

/* gc_tz_to_utc of LOCAL against every instant that has it, found apart. */
static void check_local(const struct zone *z, int64_t local)
{
    const struct gc_tz *tz = &z->tz;
    int64_t utc = 0, alt = 0, first = 0, last = 0;
    size_t n = 0;
    int r;

    if (local < GC_TIME_MIN || local > GC_TIME_MAX)
        return;
    /* An instant U has local time LOCAL when offset(U) = LOCAL - U: one of the zone's. */
    for (size_t i = 0; i < z->n_offsets; i++) {
        int64_t u = local - z->offsets[i];

        if (in_utc_range(u) && gc_tz_offset_at(tz, u) == z->offsets[i]) {
            first = n == 0 || u < first ? u : first;
            last = n == 0 || u > last ? u : last;
            n++;
        }
    }
    r = gc_tz_to_utc(tz, local, &utc, &alt);
    if (n == 0) {
        FUZZ_CHECK(r == GC_TZ_NONEXISTENT && utc == alt,
                   "local %lld exists nowhere, gc_tz_to_utc says %d (%lld, %lld)", (long long)local,
                   r, (long long)utc, (long long)alt);
        FUZZ_CHECK(in_utc_range(utc - 1) && utc - 1 + gc_tz_offset_at(tz, utc - 1) < local &&
                       utc + gc_tz_offset_at(tz, utc) > local,
                   "local %lld: %lld is not the jump over it", (long long)local, (long long)utc);
    } else if (n == 1) {
        FUZZ_CHECK(r == GC_TZ_OK && utc == first && alt == first,
                   "local %lld is %lld alone, gc_tz_to_utc says %d (%lld, %lld)", (long long)local,
                   (long long)first, r, (long long)utc, (long long)alt);
    } else {
        FUZZ_CHECK(r == GC_TZ_AMBIGUOUS && utc == first && alt == last,
                   "local %lld is %lld .. %lld (%zu), gc_tz_to_utc says %d (%lld, %lld)",
                   (long long)local, (long long)first, (long long)last, n, r, (long long)utc,
                   (long long)alt);
    }
}

/* An instant: its offset, its local time back, and the local times about it. */
static void check_instant(const struct zone *z, int64_t t)
{
    int64_t o, local, u = 0, alt = 0;
    int r;

    if (!in_utc_range(t))
        return;
    o = offset_at(z, t);
    local = t + o;
    if (local < GC_TIME_MIN || local > GC_TIME_MAX)
        return;
    r = gc_tz_to_utc(&z->tz, local, &u, &alt);
    /* Three or more instants may share a local time in a made-up zone: the first and last. */
    FUZZ_CHECK(r == GC_TZ_OK ? u == t : r == GC_TZ_AMBIGUOUS && u <= t && t <= alt,
               "the local time of %lld converts to %d (%lld, %lld)", (long long)t, r, (long long)u,
               (long long)alt);
    check_local(z, local);
    check_local(z, local - 1);
    check_local(z, local + 1800);
}

static void probe(struct zone *z, const uint8_t *data, size_t size)
{
    static const int64_t years[] = {1, 1583, 1900, 1969, 1970, 2026, 2038, 2100, 2400, 9999};
    static const unsigned days[][2] = {{1, 1}, {3, 29}, {6, 30}, {10, 25}, {12, 31}};
    const struct gc_tz *tz = &z->tz;
    size_t n = 0;

    if (fuzz_print) {
        fprintf(stderr, "zone: type 0 %d%s, bounds %d..%d, %zu transitions\n", tz->first_utoff_s,
                tz->first_isdst ? " dst" : "", tz->min_utoff_s, tz->max_utoff_s, tz->n_trans);
        for (size_t i = 0; i < tz->n_trans; i++)
            fprintf(stderr, "  %lld: %d%s\n", (long long)tz->trans[i].at_s, tz->trans[i].utoff_s,
                    tz->trans[i].isdst ? " dst" : "");
        if (tz->has_rule)
            fprintf(stderr,
                    "rule: std %d dst %d (%d), start %c %d %d.%d.%d /%d, end %c %d %d.%d.%d /%d\n",
                    tz->rule.std_utoff_s, tz->rule.dst_utoff_s, tz->rule.has_dst,
                    tz->rule.start.kind, tz->rule.start.day, tz->rule.start.month,
                    tz->rule.start.week, tz->rule.start.wday, tz->rule.start.time_s,
                    tz->rule.end.kind, tz->rule.end.day, tz->rule.end.month, tz->rule.end.week,
                    tz->rule.end.wday, tz->rule.end.time_s);
    }
    check_zone(z);
    check_instant(z, GC_TZ_UTC_MIN);
    check_instant(z, GC_TZ_UTC_MAX);
    for (size_t i = 0; i < tz->n_trans && n < MAX_INSTANTS; i++, n += 2) {
        check_instant(z, tz->trans[i].at_s - 1);
        check_instant(z, tz->trans[i].at_s);
    }
    for (size_t y = 0; y < sizeof(years) / sizeof(years[0]); y++)
        for (size_t d = 0; d < sizeof(days) / sizeof(days[0]); d++)
            check_instant(z, gc_days_from_civil(years[y], days[d][0], days[d][1]) * DAY_S +
                                 (int64_t)(d * 3 + 1) * 1800);
    /* Instants the input names: its last bytes, eight at a time. */
    for (size_t at = size; at >= 8 && at + 64 > size; at -= 8) {
        uint64_t v = 0;

        for (int i = 0; i < 8; i++)
            v = v << 8 | data[at - 8 + i];
        check_instant(z,
                      GC_TZ_UTC_MIN + (int64_t)(v % (uint64_t)(GC_TZ_UTC_MAX - GC_TZ_UTC_MIN + 1)));
    }
}

/* Mode 2: a name, against an empty directory. */
static void load_name(const uint8_t *p, size_t len, const char *dir)
{
    char name[300];
    struct zone *z = gc_xcalloc(1, sizeof(*z));
    const char *reason;
    size_t n = len < sizeof(name) - 1 ? len : sizeof(name) - 1;

    memcpy(name, p, n);
    name[n] = '\0';
    reason = gc_tz_load(&z->tz, name, dir);
    if (reason != NULL) {
        check_reason(reason);
    } else {
        bool fixed = strlen(name) == 6 && (name[0] == '+' || name[0] == '-') && name[3] == ':';

        FUZZ_CHECK(fixed || strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0,
                   "'%s' loads from an empty directory", name);
        if (fixed) {
            int64_t want = ((name[1] - '0') * 10 + (name[2] - '0')) * 3600 +
                           ((name[4] - '0') * 10 + (name[5] - '0')) * 60;

            want = name[0] == '-' ? -want : want;
            FUZZ_CHECK(gc_tz_offset_at(&z->tz, 0) == want, "'%s' is an offset of %lld", name,
                       (long long)gc_tz_offset_at(&z->tz, 0));
        } else {
            FUZZ_CHECK(gc_tz_offset_at(&z->tz, 0) == 0, "'%s' is not UTC", name);
        }
        probe(z, p, len);
    }
    gc_tz_release(&z->tz);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[4096], names[4096], path[4200];
    static struct gc_buf file = GC_BUF_INIT;
    struct zone *z;
    const char *reason;

    fuzz_init();
    if (size < 1)
        return 0;
    if (dir[0] == '\0') {
        snprintf(dir, sizeof(dir), "%s/zones", fuzz_scratch_dir("fuzz_tz"));
        snprintf(names, sizeof(names), "%s/empty", fuzz_scratch_dir("fuzz_tz"));
        snprintf(path, sizeof(path), "%s/Fuzz", dir);
        FUZZ_CHECK(mkdir(dir, 0755) == 0 && mkdir(path, 0755) == 0 && mkdir(names, 0755) == 0,
                   "cannot make the zone directories");
        snprintf(path, sizeof(path), "%s/" ZONE, dir);
    }
    switch (data[0] & 3) {
    case 0:
        fuzz_write_file(path, data + 1, size - 1);
        break;
    case 1:
    case 3:
        synthesize(data + 1, size - 1, (data[0] & 3) == 3, &file);
        fuzz_write_file(path, file.ptr, file.len);
        break;
    default:
        load_name(data + 1, size - 1, names);
        return 0;
    }
    z = gc_xcalloc(1, sizeof(*z));
    reason = gc_tz_load(&z->tz, ZONE, dir);
    if (reason != NULL)
        check_reason(reason);
    else
        probe(z, data, size);
    gc_tz_release(&z->tz);
    free(z);
    return 0;
}
