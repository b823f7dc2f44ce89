/*
 * gc_time — RFC 3339 UTC timestamps, whole seconds, "Z" only:
 * "2026-11-01T10:00:00Z". Civil-date arithmetic is done here (Howard
 * Hinnant's days_from_civil), never through gmtime/localtime, so results do
 * not depend on the C library's time zone state.
 */
#ifndef GC_TIME_H
#define GC_TIME_H

#include <stddef.h>
#include <stdint.h>

#define GC_TIME_LEN 20 /* strlen("2026-11-01T10:00:00Z") */

/* Seconds since 1970-01-01T00:00:00Z of the years 0001..9999. */
#define GC_TIME_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define GC_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

/*
 * Parses exactly GC_TIME_LEN bytes of the form YYYY-MM-DDTHH:MM:SSZ (upper
 * case T and Z) into seconds since the epoch. Returns NULL on success, else a
 * static reason naming what is wrong, for example "fractional seconds are not
 * allowed", "numeric offsets are not allowed, use Z", "day 30 does not exist in
 * February", "leap seconds are not allowed", "expected YYYY-MM-DDTHH:MM:SSZ".
 * Reasons carry no values (they are static), so callers quote the input.
 */
const char *gc_time_parse(const char *s, size_t len, int64_t *out_s);

/*
 * Formats T (GC_TIME_MIN..GC_TIME_MAX) into OUT as YYYY-MM-DDTHH:MM:SSZ plus NUL.
 * A T outside that range is a caller bug: exits 70 (GC_EX_SOFTWARE).
 */
void gc_time_format(int64_t t, char out[GC_TIME_LEN + 1]);

/*
 * Parses a fixed UTC offset: "Z", "UTC", or "+HH:MM" / "-HH:MM" (up to
 * 23:59), into seconds east of UTC. Returns NULL or a static reason.
 */
const char *gc_time_parse_offset(const char *s, int64_t *offset_s);

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day 1..31),
 * negative before it. Exact for |Y| up to 2^50, including years <= 0.
 */
int64_t gc_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse: civil date of a day count, for |Z| up to 2^58. */
void gc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* 1 if Y is a Gregorian leap year. */
int gc_is_leap_year(int64_t y);

#endif
