/*
 * fuzz_time — RFC 3339 timestamps (gc_time_parse, gc_time_format), fixed UTC offsets
 * (gc_time_parse_offset), the civil-date arithmetic under them and the local-to-UTC
 * conversion of the importers (gc_tz_to_utc, gc_tz_offset_at) in Europe/Berlin.
 *
 * The input is the text to parse; its first 8 bytes are also read as a number. Properties:
 *   - a timestamp that parses is in GC_TIME_MIN..GC_TIME_MAX and formats back to exactly the
 *     input: there is one spelling of each instant, so parsing is injective;
 *   - any instant in range formats to GC_TIME_LEN bytes that parse back to it;
 *   - a refusal is a non-empty static reason;
 *   - days <-> civil dates round-trip and the leap-year rule agrees with the day count;
 *   - an offset that parses lies within +-23:59 and is what it says;
 *   - in a zone, a local time that exists converts to instants whose offset maps them back
 *     to it, the later of a repeated hour after the earlier.
 * The zone is read from the system's tzdata; without it that part is left out.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_time.h"
#include "gc_tz.h"
#include "banned.h"

static struct gc_tz berlin;
static bool have_berlin;

static void check_instant(int64_t t)
{
    char s[GC_TIME_LEN + 1];
    int64_t back = 0;
    const char *why;

    gc_time_format(t, s);
    FUZZ_CHECK(strlen(s) == GC_TIME_LEN, "%lld formats as '%s'", (long long)t, s);
    why = gc_time_parse(s, GC_TIME_LEN, &back);
    FUZZ_CHECK(why == NULL, "'%s' (%lld) does not parse back: %s", s, (long long)t, why);
    FUZZ_CHECK(back == t, "'%s' parses as %lld, not %lld", s, (long long)back, (long long)t);
}

static void check_civil(int64_t z)
{
    int64_t y;
    unsigned m, d;

    gc_civil_from_days(z, &y, &m, &d);
    FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31, "day %lld is %lld-%u-%u", (long long)z,
               (long long)y, m, d);
    FUZZ_CHECK(gc_days_from_civil(y, m, d) == z, "day %lld does not round-trip", (long long)z);
    /* The day after the 28th of February is the 29th exactly in leap years. */
    if (m == 2 && d == 28) {
        int64_t y2;
        unsigned m2, d2;

        gc_civil_from_days(z + 1, &y2, &m2, &d2);
        FUZZ_CHECK((d2 == 29) == (gc_is_leap_year(y) != 0), "leap year %lld", (long long)y);
    }
}

static void check_zone(int64_t local_s)
{
    int64_t utc = 0, alt = 0;
    int r;

    if (!have_berlin || local_s < GC_TIME_MIN || local_s > GC_TIME_MAX)
        return;
    r = gc_tz_to_utc(&berlin, local_s, &utc, &alt);
    FUZZ_CHECK(r == GC_TZ_OK || r == GC_TZ_AMBIGUOUS || r == GC_TZ_NONEXISTENT, "result %d", r);
    FUZZ_CHECK(utc >= GC_TZ_UTC_MIN && utc <= GC_TZ_UTC_MAX, "instant out of range");
    if (r == GC_TZ_NONEXISTENT) {
        FUZZ_CHECK(alt == utc, "alt of a skipped time");
        /* The jump: before it the clock shows less than LOCAL_S, from it on more. */
        FUZZ_CHECK(utc - 1 + gc_tz_offset_at(&berlin, utc - 1) < local_s &&
                       utc + gc_tz_offset_at(&berlin, utc) > local_s,
                   "local %lld is skipped, but not at %lld", (long long)local_s, (long long)utc);
        return;
    }
    FUZZ_CHECK(utc + gc_tz_offset_at(&berlin, utc) == local_s, "local %lld -> utc %lld -> %lld",
               (long long)local_s, (long long)utc,
               (long long)(utc + gc_tz_offset_at(&berlin, utc)));
    if (r == GC_TZ_AMBIGUOUS) {
        FUZZ_CHECK(alt > utc, "the repeated hour's second instant is not later");
        FUZZ_CHECK(alt + gc_tz_offset_at(&berlin, alt) == local_s, "alt does not map back");
    } else {
        FUZZ_CHECK(alt == utc, "alt of an unambiguous time");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t t = 0, off = 0, n = 0;
    char text[16];
    const char *why;

    fuzz_init();
    if (!have_berlin) {
        why = gc_tz_load(&berlin, "Europe/Berlin", NULL);
        have_berlin = why == NULL;
        if (!have_berlin)
            gc_tz_release(&berlin);
    }

    why = gc_time_parse(s, size, &t);
    if (why == NULL) {
        char back[GC_TIME_LEN + 1];

        FUZZ_CHECK(t >= GC_TIME_MIN && t <= GC_TIME_MAX, "parsed %lld out of range", (long long)t);
        FUZZ_CHECK(size == GC_TIME_LEN, "a timestamp of %zu bytes", size);
        gc_time_format(t, back);
        FUZZ_CHECK(memcmp(back, s, GC_TIME_LEN) == 0, "'%.*s' formats back as '%s'", (int)size, s,
                   back);
        check_zone(t);
    } else {
        FUZZ_CHECK(why[0] != '\0', "empty reason");
    }

    /* Offsets are NUL-terminated option values. */
    if (size < sizeof(text)) {
        memcpy(text, s, size);
        text[size] = '\0';
        if (gc_time_parse_offset(text, &off) == NULL)
            FUZZ_CHECK(off > -86400 && off < 86400 && off % 60 == 0, "offset %lld", (long long)off);
    }

    if (size >= 8) {
        memcpy(&n, data, sizeof(n));
        /* Any instant in range, and any day count the functions promise to handle. */
        t = GC_TIME_MIN + (int64_t)((uint64_t)n % (uint64_t)(GC_TIME_MAX - GC_TIME_MIN + 1));
        check_instant(t);
        check_zone(t);
        check_civil(n % ((int64_t)1 << 40));
    }
    return 0;
}
