#include "gc_time.h"

#include <stdbool.h>
#include <string.h>

#include "gc_err.h"
#include "banned.h"

#define GC_SECONDS_PER_DAY 86400

static const char gc_time_expected[] = "expected YYYY-MM-DDTHH:MM:SSZ";

/*
 * Hinnant's algorithms count in 400-year eras (146097 days each) starting
 * from 0000-03-01, so February ends the computational year and the leap day
 * needs no special case. The eras are found with floor division, which is what
 * makes dates before 0000-03-01 (negative eras) come out right.
 */
int64_t gc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    /* 719468 = days from 0000-03-01 to 1970-01-01. */
    return era * 146097 + doe - 719468;
}

void gc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int gc_is_leap_year(int64_t y)
{
    /* Only compared with zero, so C's truncating % is right for negative years too. */
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && gc_is_leap_year(y) ? 29 : days[m - 1];
}

/* Two ASCII digits already checked by the shape test. */
static unsigned two_digits(const char *p)
{
    return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

/*
 * The reason for a day that is in 1..31 but past the end of its month. The
 * reasons are static strings, so the month is named from a table and the year
 * is described rather than printed.
 */
static const char *day_reason(unsigned m, unsigned d)
{
    static const char *const no_31[13] = {
        [4] = "day 31 does not exist in April",
        [6] = "day 31 does not exist in June",
        [9] = "day 31 does not exist in September",
        [11] = "day 31 does not exist in November",
    };

    if (m != 2)
        return no_31[m] ? no_31[m] : gc_time_expected;
    if (d == 29)
        return "day 29 does not exist in February of a common year";
    return d == 30 ? "day 30 does not exist in February" : "day 31 does not exist in February";
}

/*
 * What follows the seconds. Distinguishing the usual near misses (another
 * offset, a fraction, a lower-case 'z') tells the producer of a record what to
 * fix instead of only that the text is wrong.
 */
static const char *tail_reason(const char *tail, size_t len)
{
    if (len == 1 && tail[0] == 'Z')
        return NULL;
    if (len == 0)
        return "missing 'Z' at the end";
    if (tail[0] == '.' || tail[0] == ',')
        return "fractional seconds are not allowed";
    if (tail[0] == 'z' && len == 1)
        return "lower-case 'z' is not allowed, use Z";
    if (tail[0] == '+' || tail[0] == '-') {
        /* RFC 3339 §4.3: "-00:00" means the local offset is unknown, not UTC. */
        if (len == 6 && memcmp(tail, "-00:00", 6) == 0)
            return "offset '-00:00' is not allowed, use Z";
        if (len == 6 && memcmp(tail, "+00:00", 6) == 0)
            return "offset '+00:00' is not allowed, use Z";
        return "numeric offsets are not allowed, use Z";
    }
    if (tail[0] == 'Z' || tail[0] == 'z')
        return "unexpected characters after 'Z'";
    return gc_time_expected;
}

const char *gc_time_parse(const char *s, size_t len, int64_t *out_s)
{
    /* 'd' is a digit, anything else must match itself. */
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    const size_t shape_len = sizeof(shape) - 1;
    bool lower_t = false, space_t = false;
    const char *reason;
    int64_t year;
    unsigned month, day, hour, minute, second;

    if (len < shape_len)
        return gc_time_expected;
    for (size_t i = 0; i < shape_len; i++) {
        if (shape[i] == 'd') {
            if (s[i] < '0' || s[i] > '9')
                return gc_time_expected;
        } else if (s[i] != shape[i]) {
            /* RFC 3339 permits 't' and ' ' here; we take one spelling only. */
            if (i == 10 && s[i] == 't')
                lower_t = true;
            else if (i == 10 && s[i] == ' ')
                space_t = true;
            else
                return gc_time_expected;
        }
    }
    if (lower_t)
        return "lower-case 't' is not allowed, use T";
    if (space_t)
        return "a space instead of 'T' is not allowed, use T";
    reason = tail_reason(s + shape_len, len - shape_len);
    if (reason != NULL)
        return reason;

    year = (int64_t)two_digits(s) * 100 + two_digits(s + 2);
    month = two_digits(s + 5);
    day = two_digits(s + 8);
    hour = two_digits(s + 11);
    minute = two_digits(s + 14);
    second = two_digits(s + 17);

    if (year == 0)
        return "year 0000 is out of range";
    if (month < 1 || month > 12)
        return "month must be 01 to 12";
    if (day < 1 || day > 31)
        return "day must be 01 to 31";
    if (day > days_in_month(year, month))
        return day_reason(month, day);
    if (hour > 23)
        return "hour must be 00 to 23";
    if (minute > 59)
        return "minute must be 00 to 59";
    /* Checked before the general bound: a "60" is almost always a real leap second. */
    if (second == 60)
        return "leap seconds are not allowed";
    if (second > 59)
        return "second must be 00 to 59";

    *out_s = gc_days_from_civil(year, month, day) * GC_SECONDS_PER_DAY + (int64_t)hour * 3600 +
             (int64_t)minute * 60 + (int64_t)second;
    return NULL;
}

static void put_digits(char *p, unsigned v, unsigned width)
{
    while (width-- > 0) {
        p[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

void gc_time_format(int64_t t, char out[GC_TIME_LEN + 1])
{
    int64_t days, secs, year;
    unsigned month, day;

    /* Outside 0001..9999 the year would not fit four digits and OUT would overflow. */
    if (t < GC_TIME_MIN || t > GC_TIME_MAX)
        gc_die(GC_EX_SOFTWARE, "timestamp %lld is out of range", (long long)t);
    /* Floor division: the second of day stays in 0..86399 before the epoch too. */
    days = t / GC_SECONDS_PER_DAY;
    secs = t % GC_SECONDS_PER_DAY;
    if (secs < 0) {
        days--;
        secs += GC_SECONDS_PER_DAY;
    }
    gc_civil_from_days(days, &year, &month, &day);

    memcpy(out, "0000-00-00T00:00:00Z", GC_TIME_LEN + 1);
    put_digits(out, (unsigned)year, 4);
    put_digits(out + 5, month, 2);
    put_digits(out + 8, day, 2);
    put_digits(out + 11, (unsigned)(secs / 3600), 2);
    put_digits(out + 14, (unsigned)(secs / 60 % 60), 2);
    put_digits(out + 17, (unsigned)(secs % 60), 2);
}

const char *gc_time_parse_offset(const char *s, int64_t *offset_s)
{
    int h, m;

    if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0) {
        *offset_s = 0;
        return NULL;
    }
    if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || s[1] < '0' || s[1] > '9' ||
        s[2] < '0' || s[2] > '9' || s[4] < '0' || s[4] > '5' || s[5] < '0' || s[5] > '9')
        return "expected Z, UTC or an offset such as +02:00";
    h = (s[1] - '0') * 10 + (s[2] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
    if (h > 23)
        return "offset hours must be 00 to 23";
    *offset_s = (s[0] == '-' ? -1 : 1) * (int64_t)(h * 3600 + m * 60);
    return NULL;
}
