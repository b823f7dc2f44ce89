/*
 * gc_tz — IANA time zones read straight from the system's TZif files (RFC 8536), for turning
 * local civil times (meter CSV files written in "Europe/Berlin" time) into UTC.
 *
 * The C library's time zone machinery (localtime, mktime, timegm, tzset, the TZ variable) is
 * never used: it is process-global state, and what it does with a skipped or repeated hour is
 * a guess. Here a local time that does not exist, or exists twice, is reported to the caller.
 *
 * Instants are seconds since 1970-01-01T00:00:00Z without leap seconds, as in gc_time. A
 * "local" time is a civil time counted the same way as if it were UTC:
 *
 *     local_s = gc_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss
 *
 * UT offsets are seconds east of Greenwich (Berlin in winter: +3600), so for an instant
 * utc_s, local_s = utc_s + gc_tz_offset_at(tz, utc_s).
 */
#ifndef GC_TZ_H
#define GC_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_time.h"

/* The longest zone name gc_tz_load accepts; IANA names are at most about 32 bytes. */
#define GC_TZ_NAME_MAX 128
/* The room for a reason gc_tz_load gives, including its NUL. */
#define GC_TZ_REASON_CAP 256

/* UTC instants gc_tz_offset_at accepts: those of every local time in years 0001..9999. */
#define GC_TZ_UTC_MIN (GC_TIME_MIN - 2 * 86400LL)
#define GC_TZ_UTC_MAX (GC_TIME_MAX + 2 * 86400LL)

/* What gc_tz_to_utc found. */
enum gc_tz_result {
    GC_TZ_OK = 0,          /* exactly one instant has this local time */
    GC_TZ_AMBIGUOUS = 1,   /* the clock went back: two instants have it (the repeated hour) */
    GC_TZ_NONEXISTENT = 2, /* the clock jumped over it (the skipped hour) */
};

/* One entry of the transition table: from AT_S on, the offset is UTOFF_S. */
struct gc_tz_transition {
    int64_t at_s;
    int32_t utoff_s;
    bool isdst;
};

/*
 * One date of a POSIX TZ rule: KIND 'J' (Julian day 1..365, February 29 never counted), 'n'
 * (zero-based day 0..365, February 29 counted) or 'M' (MONTH 1..12, WEEK 1..5 where 5 means
 * the last, WDAY 0..6 with 0 Sunday), at TIME_S seconds after local midnight (default 7200;
 * RFC 8536 allows -167..167 hours).
 */
struct gc_tz_date {
    char kind;
    int day;
    int month, week, wday;
    int32_t time_s;
};

/*
 * The TZif footer, a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3": standard time at
 * STD_UTOFF_S and, when HAS_DST, daylight saving time at DST_UTOFF_S from START (given in
 * standard local time) to END (given in daylight saving local time) every year. It governs
 * every instant from the last transition of the table on, however far in the future.
 */
struct gc_tz_rule {
    int32_t std_utoff_s;
    int32_t dst_utoff_s;
    bool has_dst;
    struct gc_tz_date start, end;
};

/*
 * A loaded zone. Read the fields if useful, never change them: only gc_tz_load fills them.
 * Before the first transition (or always, when there is none and no rule) the offset is
 * FIRST_UTOFF_S (TZif local time type 0); from the last transition on the rule applies when
 * HAS_RULE, else the last transition's offset stays.
 */
struct gc_tz {
    char name[GC_TZ_NAME_MAX + 1];
    struct gc_tz_transition *trans; /* ascending AT_S, owned by the zone */
    size_t n_trans;
    int32_t first_utoff_s;
    bool first_isdst;
    bool has_rule;
    struct gc_tz_rule rule;
    /* The least and greatest offset the zone ever uses, bounding every search. */
    int32_t min_utoff_s, max_utoff_s;
    char reason[GC_TZ_REASON_CAP];
};

/*
 * Loads the zone NAME into TZ, whose previous contents are ignored (not freed: release a
 * loaded zone before loading another into the same struct).
 *
 * NAME is one of:
 *   - "UTC" or "Z": UTC, no file read;
 *   - "+HH:MM" or "-HH:MM" (HH 00..23, MM 00..59, not "-00:00"): a fixed offset, no file;
 *   - an IANA name such as "Europe/Berlin", read from ZONEINFO_DIR "/" NAME, where a NULL
 *     ZONEINFO_DIR means $TZDIR when set and not empty, else "/usr/share/zoneinfo". Such names
 *     may hold only A-Z a-z 0-9 _ + - /, may not start with '/' and may not hold "..". The
 *     file must be TZif version 2 or later (its 64-bit data is used) without leap seconds
 *     (not a "right/" zone).
 *
 * Returns NULL on success. Otherwise returns a reason that names the zone, for example
 * "unknown time zone 'Nope/Nowhere'" or "'X' is not a TZif file": the text lives in
 * TZ->reason, so it stays valid until gc_tz_release or the next gc_tz_load on TZ. Either way
 * TZ must be given to gc_tz_release afterwards; after a failure it may be used for nothing
 * else. Allocation failure is fatal (exit 70).
 */
const char *gc_tz_load(struct gc_tz *tz, const char *name, const char *zoneinfo_dir);

/* Frees what TZ owns and leaves it empty; releasing an empty or released zone is harmless. */
void gc_tz_release(struct gc_tz *tz);

/*
 * Converts the local civil time LOCAL_S (see the top of this file) to UTC.
 *   GC_TZ_OK:          *UTC_S is the one instant with that local time.
 *   GC_TZ_AMBIGUOUS:   the local time happened twice (the clock went back); *UTC_S is the
 *                      earlier instant (the first occurrence), *ALT_UTC_S the later.
 *   GC_TZ_NONEXISTENT: the clock jumped over the local time; *UTC_S is the instant of the
 *                      jump (Berlin 2026-03-29 02:30 gives 01:00Z, when 02:00 became 03:00).
 * Callers must report the last two cases, not pick an answer silently. *ALT_UTC_S equals
 * *UTC_S unless the result is GC_TZ_AMBIGUOUS; ALT_UTC_S may be NULL. LOCAL_S must lie in
 * GC_TIME_MIN..GC_TIME_MAX (years 0001..9999); anything else is a caller bug: exits 70.
 */
int gc_tz_to_utc(const struct gc_tz *tz, int64_t local_s, int64_t *utc_s, int64_t *alt_utc_s);

/*
 * The UT offset in seconds (east positive) in force at the instant UTC_S, which must lie in
 * GC_TZ_UTC_MIN..GC_TZ_UTC_MAX; anything else is a caller bug: exits 70.
 */
int64_t gc_tz_offset_at(const struct gc_tz *tz, int64_t utc_s);

#endif
