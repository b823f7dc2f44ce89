#include "gc_tz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc_err.h"
#include "banned.h"

#define DAY_S            86400
#define TZIF_HEADER_LEN  44
#define TZIF_MAX_LEN     (1u << 20) /* real files are a few KiB */
#define TZ_STRING_MAX    255
#define SHOWN_MAX        64
#define DEFAULT_ZONEINFO "/usr/share/zoneinfo"
/* RFC 8536 §3.2: offsets SHOULD lie in this range; the searches below depend on it. */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599
/* RFC 8536 §3.3.1 lets rule times and offsets run from -167 to 167 hours. */
#define RULE_HOURS_MAX 167

static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789_+-/";

/* --- reasons --- */

/*
 * Copies S for quoting in a reason: names come from command lines and footers from files, so
 * control bytes and overlong text must not reach a terminal.
 */
static void shown(char out[SHOWN_MAX + 4], const char *s, size_t len)
{
    size_t i, n = len < SHOWN_MAX ? len : SHOWN_MAX;

    for (i = 0; i < n; i++)
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (len > SHOWN_MAX) {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
}

/* Empties TZ (freeing what it holds) and stores the reason, which it returns. */
static const char *tz_fail(struct gc_tz *tz, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *tz_fail(struct gc_tz *tz, const char *fmt, ...)
{
    va_list ap;

    free(tz->trans);
    tz->trans = NULL;
    tz->n_trans = 0;
    tz->has_rule = false;
    tz->first_utoff_s = tz->min_utoff_s = tz->max_utoff_s = 0;
    va_start(ap, fmt);
    vsnprintf(tz->reason, sizeof(tz->reason), fmt, ap);
    va_end(ap);
    return tz->reason;
}

/* --- civil dates --- */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t year_of(int64_t t)
{
    int64_t y;
    unsigned m, d;

    gc_civil_from_days(floor_div(t, DAY_S), &y, &m, &d);
    return y;
}

/* 0 is Sunday; 1970-01-01 was a Thursday. */
static int weekday(int64_t days)
{
    return (int)(((days + 4) % 7 + 7) % 7);
}

/* --- POSIX TZ strings (TZif footers) --- */

/* A zone abbreviation: three or more letters, or <...> holding letters, digits, '+', '-'. */
static bool parse_abbr(const char **pp)
{
    const char *p = *pp;
    size_t n = 0;

    if (*p == '<') {
        for (p++; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= '0' && *p <= '9') || *p == '+' || *p == '-';
             p++)
            n++;
        if (*p != '>')
            return false;
        p++;
    } else {
        for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++)
            n++;
    }
    if (n < 3)
        return false;
    *pp = p;
    return true;
}

/* Up to MAX_DIGITS decimal digits, at least one. */
static bool parse_uint(const char **pp, int max_digits, int *out)
{
    const char *p = *pp;
    int v = 0, n = 0;

    while (*p >= '0' && *p <= '9' && n < max_digits) {
        v = v * 10 + (*p++ - '0');
        n++;
    }
    if (n == 0 || (*p >= '0' && *p <= '9'))
        return false;
    *pp = p;
    *out = v;
    return true;
}

/* [+-]hh[:mm[:ss]], hh 0..167, in seconds with the sign applied. */
static bool parse_hms(const char **pp, int32_t *out)
{
    const char *p = *pp;
    int sign = 1, h, m = 0, s = 0;

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (!parse_uint(&p, 3, &h) || h > RULE_HOURS_MAX)
        return false;
    if (*p == ':') {
        p++;
        if (!parse_uint(&p, 2, &m) || m > 59)
            return false;
        if (*p == ':') {
            p++;
            if (!parse_uint(&p, 2, &s) || s > 59)
                return false;
        }
    }
    *pp = p;
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

/* A UT offset: POSIX counts west of Greenwich as positive, so the sign flips. */
static bool parse_utoff(const char **pp, int32_t *out)
{
    int32_t west;

    if (!parse_hms(pp, &west) || -west < UTOFF_MIN || -west > UTOFF_MAX)
        return false;
    *out = -west;
    return true;
}

/* Jn, n or Mm.w.d, then an optional /time. */
static bool parse_date(const char **pp, struct gc_tz_date *d)
{
    const char *p = *pp;

    memset(d, 0, sizeof(*d));
    if (*p == 'J') {
        p++;
        d->kind = 'J';
        if (!parse_uint(&p, 3, &d->day) || d->day < 1 || d->day > 365)
            return false;
    } else if (*p == 'M') {
        p++;
        d->kind = 'M';
        if (!parse_uint(&p, 2, &d->month) || d->month < 1 || d->month > 12 || *p++ != '.')
            return false;
        if (!parse_uint(&p, 1, &d->week) || d->week < 1 || d->week > 5 || *p++ != '.')
            return false;
        if (!parse_uint(&p, 1, &d->wday) || d->wday > 6)
            return false;
    } else {
        d->kind = 'n';
        if (!parse_uint(&p, 3, &d->day) || d->day > 365)
            return false;
    }
    d->time_s = 2 * 3600;
    if (*p == '/') {
        p++;
        if (!parse_hms(&p, &d->time_s))
            return false;
    }
    *pp = p;
    return true;
}

/*
 * std offset [dst [offset] ,start[/time],end[/time]]. A dst name without a rule would mean
 * an implementation-defined rule; zic never writes one, so it is refused.
 */
static bool parse_rule(const char *s, struct gc_tz_rule *r)
{
    const char *p = s;

    memset(r, 0, sizeof(*r));
    if (!parse_abbr(&p) || !parse_utoff(&p, &r->std_utoff_s))
        return false;
    r->dst_utoff_s = r->std_utoff_s;
    if (*p == '\0')
        return true;
    if (!parse_abbr(&p))
        return false;
    r->has_dst = true;
    r->dst_utoff_s = r->std_utoff_s + 3600;
    if (*p != ',' && !parse_utoff(&p, &r->dst_utoff_s))
        return false;
    if (*p++ != ',' || !parse_date(&p, &r->start) || *p++ != ',' || !parse_date(&p, &r->end))
        return false;
    return *p == '\0';
}

/* The local time (seconds as if UTC) at which date D falls in YEAR. */
static int64_t rule_local(const struct gc_tz_date *d, int64_t year)
{
    int64_t day;

    if (d->kind == 'J') {
        /* February 29 is never counted: in leap years day 60 is March 1 all the same. */
        day = gc_days_from_civil(year, 1, 1) + d->day - 1 + (d->day >= 60 && gc_is_leap_year(year));
    } else if (d->kind == 'n') {
        day = gc_days_from_civil(year, 1, 1) + d->day;
    } else {
        int64_t first = gc_days_from_civil(year, (unsigned)d->month, 1);
        int64_t next = d->month == 12 ? gc_days_from_civil(year + 1, 1, 1)
                                      : gc_days_from_civil(year, (unsigned)d->month + 1, 1);

        day = first + (d->wday - weekday(first) + 7) % 7 + (int64_t)(d->week - 1) * 7;
        /* Week 5 means the last such weekday, which may be the fourth. */
        while (day >= next)
            day -= 7;
    }
    return day * DAY_S + d->time_s;
}

/* Daylight saving time starts in standard local time and ends in daylight saving time. */
static int64_t rule_start(const struct gc_tz_rule *r, int64_t year)
{
    return rule_local(&r->start, year) - r->std_utoff_s;
}

static int64_t rule_end(const struct gc_tz_rule *r, int64_t year)
{
    return rule_local(&r->end, year) - r->dst_utoff_s;
}

/*
 * The state at T is that of the latest rule transition at or before T. Rule times may stray
 * up to a week into a neighbouring year, so the neighbouring years' transitions are looked
 * at too. On equal instants the later one in year order wins: that makes a rule with DST
 * from January 1 00:00 to December 31 24:00 + 1h (DST all year, RFC 8536 §3.3.1) stay DST
 * across New Year.
 */
static void rule_state(const struct gc_tz_rule *r, int64_t t, int32_t *utoff_s, bool *isdst)
{
    int64_t y, best = 0;
    bool found = false, dst = false;

    if (!r->has_dst) {
        *utoff_s = r->std_utoff_s;
        *isdst = false;
        return;
    }
    y = year_of(t + r->std_utoff_s);
    for (int64_t yy = y - 2; yy <= y + 1; yy++) {
        int64_t start = rule_start(r, yy), end = rule_end(r, yy);

        if (start <= t && (!found || start >= best)) {
            best = start;
            dst = found = true;
        }
        if (end <= t && (!found || end >= best)) {
            best = end;
            dst = false;
            found = true;
        }
    }
    *utoff_s = dst ? r->dst_utoff_s : r->std_utoff_s;
    *isdst = dst;
}

/* The first instant after T at which the rule's state changes, or INT64_MAX. */
static int64_t rule_next_change(const struct gc_tz_rule *r, int64_t t)
{
    int64_t y, cand[8];
    size_t n = 0;

    if (!r->has_dst)
        return INT64_MAX;
    y = year_of(t + r->std_utoff_s);
    for (int64_t yy = y - 1; yy <= y + 2; yy++) {
        cand[n++] = rule_start(r, yy);
        cand[n++] = rule_end(r, yy);
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cand[j - 1] > cand[j]; j--) {
            int64_t tmp = cand[j];

            cand[j] = cand[j - 1];
            cand[j - 1] = tmp;
        }
    for (size_t i = 0; i < n; i++) {
        int32_t before, after;
        bool dst_before, dst_after;

        if (cand[i] <= t || (i > 0 && cand[i] == cand[i - 1]))
            continue;
        rule_state(r, cand[i] - 1, &before, &dst_before);
        rule_state(r, cand[i], &after, &dst_after);
        if (before != after || dst_before != dst_after)
            return cand[i];
    }
    return INT64_MAX;
}

/* --- lookups --- */

/*
 * The offset and DST flag in force at T, and the next instant after T at which they may
 * change (INT64_MAX: never). A table transition that changes nothing still ends a span, which
 * is harmless to the callers.
 */
static int64_t state_at(const struct gc_tz *tz, int64_t t, int32_t *utoff_s, bool *isdst)
{
    size_t n = tz->n_trans, lo = 0, hi = n;

    if (n > 0 && t < tz->trans[0].at_s) {
        /* RFC 8536 §3.2: local time type 0 applies before the first transition. */
        *utoff_s = tz->first_utoff_s;
        *isdst = tz->first_isdst;
        return tz->trans[0].at_s;
    }
    if (n > 0) {
        /* The last transition at or before T: trans[lo].at_s <= t < trans[hi].at_s. */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;

            if (tz->trans[mid].at_s <= t)
                lo = mid;
            else
                hi = mid;
        }
        if (lo + 1 < n) {
            *utoff_s = tz->trans[lo].utoff_s;
            *isdst = tz->trans[lo].isdst;
            return tz->trans[lo + 1].at_s;
        }
    }
    if (tz->has_rule) {
        rule_state(&tz->rule, t, utoff_s, isdst);
        return rule_next_change(&tz->rule, t);
    }
    *utoff_s = n > 0 ? tz->trans[n - 1].utoff_s : tz->first_utoff_s;
    *isdst = n > 0 ? tz->trans[n - 1].isdst : tz->first_isdst;
    return INT64_MAX;
}

int64_t gc_tz_offset_at(const struct gc_tz *tz, int64_t utc_s)
{
    int32_t utoff_s;
    bool isdst;

    if (utc_s < GC_TZ_UTC_MIN || utc_s > GC_TZ_UTC_MAX)
        gc_die(GC_EX_SOFTWARE, "gc_tz_offset_at: instant %lld out of range", (long long)utc_s);
    state_at(tz, utc_s, &utoff_s, &isdst);
    return utoff_s;
}

/*
 * Every instant with local time L lies in [L - max offset, L - min offset]. The spans of
 * constant offset that meet this window are walked in order; a span [start, end) with offset
 * o holds a solution when L - o falls inside it. With none, L is in a gap: the span boundary
 * where the local time before is at most L and the local time after is beyond it is the
 * instant the clock jumped (one always exists, as local time starts at or below L at the
 * window's start and ends above it at its end).
 */
int gc_tz_to_utc(const struct gc_tz *tz, int64_t local_s, int64_t *utc_s, int64_t *alt_utc_s)
{
    int64_t lo, hi, t, first = 0, last = 0, gap = 0;
    int32_t prev_utoff = 0;
    size_t n_found = 0;
    bool have_prev = false, have_gap = false;

    if (local_s < GC_TIME_MIN || local_s > GC_TIME_MAX)
        gc_die(GC_EX_SOFTWARE, "gc_tz_to_utc: local time %lld out of range", (long long)local_s);
    lo = local_s - tz->max_utoff_s;
    hi = local_s - tz->min_utoff_s;
    for (t = lo;;) {
        int32_t utoff_s;
        bool isdst;
        int64_t end = state_at(tz, t, &utoff_s, &isdst), cand = local_s - utoff_s;

        if (have_prev && !have_gap && t + prev_utoff <= local_s && local_s < t + utoff_s)
            gap = t, have_gap = true;
        if (cand >= t && cand < end && (n_found == 0 || cand != last)) {
            if (n_found++ == 0)
                first = cand;
            last = cand;
        }
        /* state_at promises END > T; without it this loop would never end. */
        if (end <= t)
            gc_die(GC_EX_SOFTWARE, "gc_tz_to_utc: no progress at %lld in '%s'", (long long)t,
                   tz->name);
        if (end > hi)
            break;
        prev_utoff = utoff_s;
        have_prev = true;
        t = end;
    }
    if (n_found > 0) {
        *utc_s = first;
        if (alt_utc_s != NULL)
            *alt_utc_s = last;
        return n_found > 1 ? GC_TZ_AMBIGUOUS : GC_TZ_OK;
    }
    if (!have_gap)
        gc_die(GC_EX_SOFTWARE, "gc_tz_to_utc: no instant and no gap for %lld in '%s'",
               (long long)local_s, tz->name);
    *utc_s = gap;
    if (alt_utc_s != NULL)
        *alt_utc_s = gap;
    return GC_TZ_NONEXISTENT;
}

/* --- loading --- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The six counts of a TZif header, in file order. */
struct tzif_counts {
    uint64_t isut, isstd, leap, time, type, chars;
};

static void read_counts(const unsigned char *h, struct tzif_counts *c)
{
    c->isut = be32(h + 20);
    c->isstd = be32(h + 24);
    c->leap = be32(h + 28);
    c->time = be32(h + 32);
    c->type = be32(h + 36);
    c->chars = be32(h + 40);
}

/* The data block's length for TIME_SIZE-byte times (4 in version 1, 8 after). */
static uint64_t block_len(const struct tzif_counts *c, uint64_t time_size)
{
    return c->time * time_size + c->time + c->type * 6 + c->chars + c->leap * (time_size + 4) +
           c->isstd + c->isut;
}

static void set_fixed(struct gc_tz *tz, int32_t utoff_s)
{
    tz->first_utoff_s = tz->min_utoff_s = tz->max_utoff_s = utoff_s;
}

/* Makes the zone's offset bounds include UTOFF_S. */
static void widen(struct gc_tz *tz, int32_t utoff_s)
{
    if (utoff_s < tz->min_utoff_s)
        tz->min_utoff_s = utoff_s;
    if (utoff_s > tz->max_utoff_s)
        tz->max_utoff_s = utoff_s;
}

/* Parses the LEN bytes of a TZif file into TZ; SHOW is the name quoted in reasons. */
static const char *parse_tzif(struct gc_tz *tz, const unsigned char *p, size_t len,
                              const char *show)
{
    struct tzif_counts c;
    uint64_t off;
    const unsigned char *times, *idx, *types;
    const char *nl;
    char footer[TZ_STRING_MAX + 1], footer_shown[SHOWN_MAX + 4];
    size_t footer_len;

    if (len < 4 || memcmp(p, "TZif", 4) != 0)
        return tz_fail(tz, "'%s' is not a TZif file", show);
    if (len < TZIF_HEADER_LEN)
        return tz_fail(tz, "'%s' is a truncated TZif file", show);
    if (p[4] == '\0')
        return tz_fail(tz, "'%s' is a version 1 TZif file, version 2 or later is needed", show);
    /* Skip the version 1 block: only the 64-bit data that follows it covers every year. */
    read_counts(p, &c);
    off = TZIF_HEADER_LEN + block_len(&c, 4);
    if (off + TZIF_HEADER_LEN > len)
        return tz_fail(tz, "'%s' is a truncated TZif file", show);
    p += off;
    len -= off;
    if (memcmp(p, "TZif", 4) != 0)
        return tz_fail(tz, "'%s' is a damaged TZif file (no second header)", show);
    read_counts(p, &c);
    if (c.leap != 0)
        return tz_fail(tz, "'%s' counts leap seconds, use the zone without 'right/'", show);
    if (c.type == 0 || c.type > 256 || c.chars == 0 || (c.isut != 0 && c.isut != c.type) ||
        (c.isstd != 0 && c.isstd != c.type))
        return tz_fail(tz, "'%s' is a damaged TZif file (bad counts)", show);
    off = TZIF_HEADER_LEN + block_len(&c, 8);
    if (off > len)
        return tz_fail(tz, "'%s' is a truncated TZif file", show);
    times = p + TZIF_HEADER_LEN;
    idx = times + c.time * 8;
    types = idx + c.time;

    for (uint64_t i = 0; i < c.type; i++) {
        int32_t utoff_s = (int32_t)be32(types + i * 6);

        if (utoff_s < UTOFF_MIN || utoff_s > UTOFF_MAX || types[i * 6 + 4] > 1 ||
            types[i * 6 + 5] >= c.chars)
            return tz_fail(tz, "'%s' is a damaged TZif file (bad local time type)", show);
        if (i == 0)
            tz->min_utoff_s = tz->max_utoff_s = utoff_s;
        widen(tz, utoff_s);
    }
    tz->first_utoff_s = (int32_t)be32(types);
    tz->first_isdst = types[4];

    if (c.time > 0) {
        tz->trans = calloc(c.time, sizeof(*tz->trans));
        if (tz->trans == NULL)
            gc_die(GC_EX_SOFTWARE, "out of memory");
    }
    for (uint64_t i = 0; i < c.time; i++) {
        struct gc_tz_transition *tr = &tz->trans[i];

        tr->at_s = be64(times + i * 8);
        if (idx[i] >= c.type || (i > 0 && tr->at_s <= tz->trans[i - 1].at_s))
            return tz_fail(tz, "'%s' is a damaged TZif file (bad transition)", show);
        tr->utoff_s = (int32_t)be32(types + idx[i] * 6);
        tr->isdst = types[idx[i] * 6 + 4];
        tz->n_trans++;
    }

    /* The footer: a POSIX TZ string between two newlines, possibly empty. */
    p += off;
    len -= off;
    nl = len > 1 && p[0] == '\n' ? memchr(p + 1, '\n', len - 1) : NULL;
    if (nl == NULL)
        return tz_fail(tz, "'%s' is a truncated TZif file (no footer)", show);
    footer_len = (size_t)(nl - (const char *)p) - 1;
    shown(footer_shown, (const char *)p + 1, footer_len);
    if (footer_len > TZ_STRING_MAX || memchr(p + 1, '\0', footer_len) != NULL)
        return tz_fail(tz, "'%s' has an unusable TZ string '%s'", show, footer_shown);
    memcpy(footer, p + 1, footer_len);
    footer[footer_len] = '\0';
    if (footer_len > 0) {
        if (!parse_rule(footer, &tz->rule))
            return tz_fail(tz, "'%s' has an unusable TZ string '%s'", show, footer_shown);
        tz->has_rule = true;
        widen(tz, tz->rule.std_utoff_s);
        widen(tz, tz->rule.dst_utoff_s);
    }
    return NULL;
}

/* "+HH:MM" or "-HH:MM": 1 when NAME is one (in *UTOFF_S), 0 when not, -1 for "-00:00". */
static int parse_fixed(const char *name, int32_t *utoff_s)
{
    int h, m;

    if (strlen(name) != 6 || (name[0] != '+' && name[0] != '-') || name[3] != ':')
        return 0;
    for (int i = 1; i < 6; i++)
        if (i != 3 && (name[i] < '0' || name[i] > '9'))
            return 0;
    h = (name[1] - '0') * 10 + (name[2] - '0');
    m = (name[4] - '0') * 10 + (name[5] - '0');
    if (h > 23 || m > 59)
        return 0;
    if (name[0] == '-' && h == 0 && m == 0)
        return -1;
    *utoff_s = (name[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 1;
}

/* Reads the whole regular file PATH into *DATA (malloc'ed) or returns a reason. */
static const char *read_zone(struct gc_tz *tz, const char *path, const char *dir, const char *show,
                             unsigned char **data, size_t *len)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t n = 0;
    const char *reason = NULL;
    char dir_shown[SHOWN_MAX + 4];
    int fd;

    /* O_NONBLOCK: a FIFO planted in the directory must not hang the program. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;

        if (err == ENOENT || err == ENOTDIR || err == ELOOP) {
            if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
                shown(dir_shown, dir, strlen(dir));
                return tz_fail(tz, "unknown time zone '%s': no zoneinfo directory '%s'", show,
                               dir_shown);
            }
            return tz_fail(tz, "unknown time zone '%s'", show);
        }
        return tz_fail(tz, "cannot open time zone '%s': %s", show, strerror(err));
    }
    if (fstat(fd, &st) != 0) {
        reason = tz_fail(tz, "cannot read time zone '%s': %s", show, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        reason = tz_fail(tz, "unknown time zone '%s'", show);
        goto out;
    }
    if (st.st_size > (off_t)TZIF_MAX_LEN) {
        reason = tz_fail(tz, "'%s' is not a TZif file", show);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    /* Read what fstat promised; a file that changes meanwhile is caught by the parser. */
    while (n < (size_t)st.st_size) {
        ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            reason = tz_fail(tz, "cannot read time zone '%s': %s", show, strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
out:
    close(fd);
    if (reason != NULL) {
        free(buf);
        return reason;
    }
    *data = buf;
    *len = n;
    return NULL;
}

const char *gc_tz_load(struct gc_tz *tz, const char *name, const char *zoneinfo_dir)
{
    char show[SHOWN_MAX + 4], path[PATH_MAX];
    unsigned char *data = NULL;
    size_t len = 0, name_len;
    const char *reason;
    int32_t utoff_s;
    int fixed;

    memset(tz, 0, sizeof(*tz));
    if (name == NULL || *name == '\0')
        return tz_fail(tz, "empty time zone name");
    name_len = strlen(name);
    shown(show, name, name_len);
    if (name_len > GC_TZ_NAME_MAX)
        return tz_fail(tz, "time zone name '%s' is too long", show);
    memcpy(tz->name, name, name_len + 1);

    if (strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0) {
        set_fixed(tz, 0);
        return NULL;
    }
    if (name[0] == '+' || name[0] == '-') {
        fixed = parse_fixed(name, &utoff_s);
        if (fixed < 0)
            return tz_fail(tz, "offset '-00:00' means an unknown offset, use UTC");
        if (fixed == 0)
            return tz_fail(tz, "offset '%s' is not of the form +HH:MM or -HH:MM", show);
        set_fixed(tz, utoff_s);
        return NULL;
    }
    if (name[0] == '/')
        return tz_fail(tz, "time zone name '%s' must not start with '/'", show);
    if (strstr(name, "..") != NULL)
        return tz_fail(tz, "time zone name '%s' must not contain '..'", show);
    if (strspn(name, name_chars) != name_len)
        return tz_fail(tz, "time zone name '%s' has a character outside A-Z a-z 0-9 _ + - /", show);

    if (zoneinfo_dir == NULL) {
        zoneinfo_dir = getenv("TZDIR");
        if (zoneinfo_dir == NULL || *zoneinfo_dir == '\0')
            zoneinfo_dir = DEFAULT_ZONEINFO;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", zoneinfo_dir, name) >= sizeof(path))
        return tz_fail(tz, "the path of time zone '%s' is too long", show);
    reason = read_zone(tz, path, zoneinfo_dir, show, &data, &len);
    if (reason == NULL)
        reason = parse_tzif(tz, data, len, show);
    free(data);
    return reason;
}

void gc_tz_release(struct gc_tz *tz)
{
    free(tz->trans);
    memset(tz, 0, sizeof(*tz));
}
