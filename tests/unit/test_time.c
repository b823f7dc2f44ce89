/*
 * Unit tests for gc_time: known instants (checked against GNU date -u +%s), every
 * rejection reason, a round trip over every day of 0001..9999, and the civil-date
 * arithmetic against a naive day-by-day calendar.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gc_time.h"
#include "banned.h"

#define SENTINEL ((int64_t)0x5a5a5a5a5a5a5a5aLL)
#define DAY_S    86400

/* Every pair verified with `date -u -d STRING +%s` (GNU coreutils, proleptic Gregorian). */
static const struct known {
    const char *text;
    int64_t epoch_s;
} known[] = {
    {"1970-01-01T00:00:00Z", 0},
    {"2000-02-29T00:00:00Z", 951782400},
    {"2026-11-01T10:00:00Z", 1793527200},
    {"0001-01-01T00:00:00Z", -62135596800LL},
    {"9999-12-31T23:59:59Z", 253402300799LL},
    {"1900-03-01T00:00:00Z", -2203891200LL},
    {"1969-12-31T23:59:59Z", -1},
    {"2038-01-19T03:14:08Z", 2147483648LL},
    {"2100-03-01T00:00:00Z", 4107542400LL},
    {"1600-02-29T12:34:56Z", -11670953104LL},
    {"1999-12-31T23:59:59Z", 946684799},
    {"2000-03-01T00:00:00Z", 951868800},
    {"2016-12-31T23:59:59Z", 1483228799},
    {"0004-02-29T00:00:00Z", -62035891200LL},
    {"0001-12-31T23:59:59Z", -62104060801LL},
    {"1582-10-15T00:00:00Z", -12219292800LL},
    {"1901-12-13T20:45:52Z", -2147483648LL},
    {"2024-02-29T23:59:59Z", 1709251199},
    {"9999-12-31T00:00:00Z", 253402214400LL},
    {"2400-02-29T12:00:00Z", 13574606400LL},
};

static void test_known_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        int64_t t = SENTINEL;
        const char *reason = gc_time_parse(known[i].text, strlen(known[i].text), &t);

        if (reason != NULL)
            fail_msg("'%s' rejected: %s", known[i].text, reason);
        if (t != known[i].epoch_s)
            fail_msg("'%s' parsed as %lld, want %lld", known[i].text, (long long)t,
                     (long long)known[i].epoch_s);
    }
}

static void test_known_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        char out[GC_TIME_LEN + 1];

        gc_time_format(known[i].epoch_s, out);
        assert_string_equal(out, known[i].text);
    }
}

static void test_range_constants(void **state)
{
    int64_t t;

    (void)state;
    assert_int_equal(GC_TIME_LEN, strlen("2026-11-01T10:00:00Z"));
    assert_null(gc_time_parse("0001-01-01T00:00:00Z", GC_TIME_LEN, &t));
    assert_int_equal(t, GC_TIME_MIN);
    assert_null(gc_time_parse("9999-12-31T23:59:59Z", GC_TIME_LEN, &t));
    assert_int_equal(t, GC_TIME_MAX);
}

static void test_leap_years(void **state)
{
    static const int64_t leap[] = {2000, 1600, 2400, 2024, 2028, 1996, 4, 400, 0, -4, -400, 9996};
    static const int64_t common[] = {1900, 1800, 2100, 2200, 2300, 2023, 2025, 2026, 2027,
                                     1,    3,    100,  -1,   -100, -200, 9999, 1970};

    (void)state;
    for (size_t i = 0; i < sizeof(leap) / sizeof(leap[0]); i++)
        if (!gc_is_leap_year(leap[i]))
            fail_msg("%lld should be a leap year", (long long)leap[i]);
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        if (gc_is_leap_year(common[i]))
            fail_msg("%lld should be a common year", (long long)common[i]);
}

/* House rule for reasons: short, lower case start, no final period. */
static void check_reason_style(const char *reason)
{
    size_t n = strlen(reason);

    assert_true(n > 0 && n <= 60);
    if (reason[0] >= 'A' && reason[0] <= 'Z')
        fail_msg("reason starts upper case: %s", reason);
    if (reason[n - 1] == '.')
        fail_msg("reason ends with a period: %s", reason);
}

static void expect_reject_n(const char *s, size_t len, const char *want)
{
    int64_t t = SENTINEL;
    const char *reason = gc_time_parse(s, len, &t);

    if (reason == NULL)
        fail_msg("'%.*s' accepted as %lld", (int)len, s ? s : "", (long long)t);
    if (strcmp(reason, want) != 0)
        fail_msg("'%.*s': got \"%s\", want \"%s\"", (int)len, s ? s : "", reason, want);
    assert_int_equal(t, SENTINEL);
    check_reason_style(reason);
}

static void expect_reject(const char *s, const char *want)
{
    expect_reject_n(s, strlen(s), want);
}

static void test_reject_dates(void **state)
{
    const char *feb29 = "day 29 does not exist in February of a common year";

    (void)state;
    expect_reject("2027-02-29T00:00:00Z", feb29);
    expect_reject("2026-02-29T00:00:00Z", feb29);
    expect_reject("1900-02-29T00:00:00Z", feb29);
    expect_reject("2100-02-29T00:00:00Z", feb29);
    expect_reject("0001-02-29T00:00:00Z", feb29);
    expect_reject("9999-02-29T00:00:00Z", feb29);
    expect_reject("2026-02-30T00:00:00Z", "day 30 does not exist in February");
    expect_reject("2024-02-30T00:00:00Z", "day 30 does not exist in February");
    expect_reject("2000-02-30T00:00:00Z", "day 30 does not exist in February");
    expect_reject("2026-02-31T00:00:00Z", "day 31 does not exist in February");
    expect_reject("2026-04-31T00:00:00Z", "day 31 does not exist in April");
    expect_reject("2026-06-31T00:00:00Z", "day 31 does not exist in June");
    expect_reject("2026-09-31T00:00:00Z", "day 31 does not exist in September");
    expect_reject("2026-11-31T00:00:00Z", "day 31 does not exist in November");
    expect_reject("2026-11-00T00:00:00Z", "day must be 01 to 31");
    expect_reject("2026-01-32T00:00:00Z", "day must be 01 to 31");
    expect_reject("2026-01-99T00:00:00Z", "day must be 01 to 31");
    expect_reject("2026-00-01T00:00:00Z", "month must be 01 to 12");
    expect_reject("2026-13-01T00:00:00Z", "month must be 01 to 12");
    expect_reject("2026-99-01T00:00:00Z", "month must be 01 to 12");
    expect_reject("0000-01-01T00:00:00Z", "year 0000 is out of range");
    expect_reject("0000-03-01T00:00:00Z", "year 0000 is out of range");
}

static void test_accept_month_ends(void **state)
{
    static const char *const ok[] = {
        "2000-02-29T00:00:00Z", "2024-02-29T23:59:59Z", "1600-02-29T00:00:00Z",
        "2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z",
        "2026-04-30T00:00:00Z", "2026-05-31T00:00:00Z", "2026-06-30T00:00:00Z",
        "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z", "2026-09-30T00:00:00Z",
        "2026-10-31T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-31T00:00:00Z",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t t;
        const char *reason = gc_time_parse(ok[i], GC_TIME_LEN, &t);

        if (reason != NULL)
            fail_msg("'%s' rejected: %s", ok[i], reason);
    }
}

static void test_reject_times(void **state)
{
    (void)state;
    expect_reject("2026-11-01T24:00:00Z", "hour must be 00 to 23");
    expect_reject("2026-11-01T99:00:00Z", "hour must be 00 to 23");
    expect_reject("2026-11-01T10:60:00Z", "minute must be 00 to 59");
    expect_reject("2026-11-01T10:99:00Z", "minute must be 00 to 59");
    expect_reject("2016-12-31T23:59:60Z", "leap seconds are not allowed");
    expect_reject("2026-11-01T10:00:60Z", "leap seconds are not allowed");
    expect_reject("2026-11-01T10:00:61Z", "second must be 00 to 59");
    expect_reject("2026-11-01T10:00:99Z", "second must be 00 to 59");
}

static void test_reject_offsets(void **state)
{
    const char *numeric = "numeric offsets are not allowed, use Z";

    (void)state;
    expect_reject("2026-11-01T10:00:00+01:00", numeric);
    expect_reject("2026-11-01T10:00:00-05:30", numeric);
    expect_reject("2026-11-01T10:00:00+0100", numeric);
    expect_reject("2026-11-01T10:00:00+01", numeric);
    expect_reject("2026-11-01T10:00:00+", numeric);
    expect_reject("2026-11-01T10:00:00-00:00", "offset '-00:00' is not allowed, use Z");
    expect_reject("2026-11-01T10:00:00+00:00", "offset '+00:00' is not allowed, use Z");
    expect_reject("2026-11-01T10:00:00z", "lower-case 'z' is not allowed, use Z");
    expect_reject("2026-11-01t10:00:00Z", "lower-case 't' is not allowed, use T");
    expect_reject("2026-11-01t10:00:00z", "lower-case 't' is not allowed, use T");
    expect_reject("2026-11-01 10:00:00Z", "a space instead of 'T' is not allowed, use T");
    expect_reject("2026-11-01T10:00:00", "missing 'Z' at the end");
    expect_reject("2026-11-01T10:00:00ZZ", "unexpected characters after 'Z'");
    expect_reject("2026-11-01T10:00:00Z ", "unexpected characters after 'Z'");
    expect_reject("2026-11-01T10:00:00z ", "unexpected characters after 'Z'");
    expect_reject_n("2026-11-01T10:00:00Z\0", GC_TIME_LEN + 1, "unexpected characters after 'Z'");
}

static void test_reject_fractions(void **state)
{
    const char *frac = "fractional seconds are not allowed";

    (void)state;
    expect_reject("2026-11-01T10:00:00.5Z", frac);
    expect_reject("2026-11-01T10:00:00.000Z", frac);
    expect_reject("2026-11-01T10:00:00.123456789Z", frac);
    expect_reject("2026-11-01T10:00:00,5Z", frac);
    expect_reject("2026-11-01T10:00:00.Z", frac);
    expect_reject("2026-11-01T10:00:00.", frac);
    expect_reject("2026-11-01T10:00:00.5+01:00", frac);
}

static void test_reject_shape(void **state)
{
    static const char *const bad[] = {
        "",
        "2026",
        "2026-11-01",
        "2026-11-01T",
        "2026-11-01T10:00Z",
        "2026-11-01T10:00:0Z",
        "26-11-01T10:00:00Z",
        "2026-1-01T10:00:00Z",
        "2026-11-1T10:00:00Z",
        "12026-11-01T10:00:00Z",
        "+2026-11-01T10:00:00Z",
        "-001-01-01T00:00:00Z",
        " 2026-11-01T10:00:00Z",
        "2026/11/01T10:00:00Z",
        "20261101T100000Z",
        "2026-11-01T10.00.00Z",
        "2026-11-01T10-00-00Z",
        "2026-11-01X10:00:00Z",
        "2026-11-01_10:00:00Z",
        "2026-11-01TT10:00:00Z",
        "2026-11-01T10:00:0aZ",
        "2O26-11-01T10:00:00Z",
        "2026-11-01T10:00:00 Z",
        "2026-11-01T10:00:00UTC",
        "2026-11-01T10:00:00GMT",
        "Sun, 01 Nov 2026 10:00:00 GMT",
        "1793527200",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_reject(bad[i], "expected YYYY-MM-DDTHH:MM:SSZ");
    expect_reject_n(NULL, 0, "expected YYYY-MM-DDTHH:MM:SSZ");
    /* A NUL inside the span is just a wrong byte. */
    expect_reject_n("2026-11-01T10:00\0:00Z", GC_TIME_LEN, "expected YYYY-MM-DDTHH:MM:SSZ");
}

static void test_uses_len(void **state)
{
    const char *s = "2026-11-01T10:00:00Zjunk";
    int64_t t = SENTINEL;

    (void)state;
    /* Bytes past LEN are not looked at; a LEN one short loses the Z. */
    assert_null(gc_time_parse(s, GC_TIME_LEN, &t));
    assert_int_equal(t, 1793527200);
    expect_reject_n(s, GC_TIME_LEN - 1, "missing 'Z' at the end");
    expect_reject_n(s, GC_TIME_LEN - 2, "expected YYYY-MM-DDTHH:MM:SSZ");
    expect_reject_n(s, GC_TIME_LEN + 1, "unexpected characters after 'Z'");
    expect_reject_n(s, strlen(s), "unexpected characters after 'Z'");
}

static void test_format_buffer(void **state)
{
    char buf[GC_TIME_LEN + 1 + 8];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    gc_time_format(GC_TIME_MAX, buf);
    assert_int_equal(buf[GC_TIME_LEN], '\0');
    for (size_t i = GC_TIME_LEN + 1; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 'x');
    memset(buf, 'x', sizeof(buf));
    gc_time_format(GC_TIME_MIN, buf);
    assert_string_equal(buf, "0001-01-01T00:00:00Z");
    for (size_t i = GC_TIME_LEN + 1; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 'x');
}

/* gc_time_format must refuse (exit 70) instead of writing a five-digit or negative year. */
static void expect_format_dies(int64_t t)
{
    pid_t pid;
    int status;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char out[GC_TIME_LEN + 1];

        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(1);
        gc_time_format(t, out);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 70);
}

static void test_format_out_of_range(void **state)
{
    (void)state;
    expect_format_dies(GC_TIME_MIN - 1);
    expect_format_dies(GC_TIME_MAX + 1);
    expect_format_dies(INT64_MIN);
    expect_format_dies(INT64_MAX);
}

static void round_trip(int64_t t, char prev[GC_TIME_LEN + 1])
{
    char out[GC_TIME_LEN + 1];
    int64_t back = SENTINEL;
    const char *reason;

    gc_time_format(t, out);
    reason = gc_time_parse(out, GC_TIME_LEN, &back);
    if (reason != NULL)
        fail_msg("%lld formatted as '%s', which is rejected: %s", (long long)t, out, reason);
    if (back != t)
        fail_msg("%lld -> '%s' -> %lld", (long long)t, out, (long long)back);
    /* Fixed-width fields: text order must be time order. */
    if (prev[0] != '\0' && strcmp(prev, out) >= 0)
        fail_msg("'%s' does not sort before '%s'", prev, out);
    memcpy(prev, out, GC_TIME_LEN + 1);
}

static void test_round_trip_every_day(void **state)
{
    const int64_t first_day = GC_TIME_MIN / DAY_S, last_day = (GC_TIME_MAX - (DAY_S - 1)) / DAY_S;
    char prev[GC_TIME_LEN + 1] = "";

    (void)state;
    assert_int_equal(first_day * DAY_S, GC_TIME_MIN);
    /* Three instants a day: midnight, a moving second of the day, the last second. */
    for (int64_t day = first_day; day <= last_day; day++) {
        int64_t mid = ((day % DAY_S) * 7919 % DAY_S + DAY_S) % DAY_S;

        if (mid == 0 || mid == DAY_S - 1)
            mid = DAY_S / 2;
        round_trip(day * DAY_S, prev);
        round_trip(day * DAY_S + mid, prev);
        round_trip(day * DAY_S + DAY_S - 1, prev);
    }
    assert_string_equal(prev, "9999-12-31T23:59:59Z");
}

static void test_round_trip_every_second(void **state)
{
    /* Whole days around the edges: first and last day of the range, both sides of the epoch. */
    static const int64_t days[] = {
        GC_TIME_MIN / DAY_S, -2, -1, 0, 1, 951782400 / DAY_S, (GC_TIME_MAX - (DAY_S - 1)) / DAY_S,
    };

    (void)state;
    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        char prev[GC_TIME_LEN + 1] = "";

        for (int64_t s = 0; s < DAY_S; s++)
            round_trip(days[i] * DAY_S + s, prev);
    }
}

/* An independent calendar: the Gregorian rules spelled out, floor-safe for negative years. */
static int naive_leap(int64_t y)
{
    int64_t m4 = ((y % 4) + 4) % 4, m100 = ((y % 100) + 100) % 100, m400 = ((y % 400) + 400) % 400;

    if (m400 == 0)
        return 1;
    if (m100 == 0)
        return 0;
    return m4 == 0;
}

static unsigned naive_month_days(int64_t y, unsigned m)
{
    switch (m) {
    case 2:
        return naive_leap(y) ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11:
        return 30;
    default:
        return 31;
    }
}

static void check_day(int64_t count, int64_t y, unsigned m, unsigned d)
{
    int64_t got_y;
    unsigned got_m, got_d;
    int64_t got = gc_days_from_civil(y, m, d);

    if (got != count)
        fail_msg("days_from_civil(%lld-%02u-%02u) = %lld, want %lld", (long long)y, m, d,
                 (long long)got, (long long)count);
    gc_civil_from_days(count, &got_y, &got_m, &got_d);
    if (got_y != y || got_m != m || got_d != d)
        fail_msg("civil_from_days(%lld) = %lld-%02u-%02u, want %lld-%02u-%02u", (long long)count,
                 (long long)got_y, got_m, got_d, (long long)y, m, d);
    if (gc_is_leap_year(y) != naive_leap(y))
        fail_msg("gc_is_leap_year(%lld) disagrees", (long long)y);
}

static void test_days_against_counter(void **state)
{
    int64_t y = 1970, count = 0;
    unsigned m = 1, d = 1;

    (void)state;
    /* Forward from the epoch, one day at a time, to the last day of 9999. */
    for (;;) {
        check_day(count, y, m, d);
        if (y == 9999 && m == 12 && d == 31)
            break;
        if (++d > naive_month_days(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
        count++;
    }
    assert_int_equal(count * DAY_S + DAY_S - 1, GC_TIME_MAX);

    /* Backward from the epoch through year 1 into negative (proleptic) years. */
    y = 1970;
    m = 1;
    d = 1;
    count = 0;
    for (;;) {
        check_day(count, y, m, d);
        if (y == 1 && m == 1 && d == 1)
            assert_int_equal(count * DAY_S, GC_TIME_MIN);
        if (y == -1200 && m == 1 && d == 1)
            break;
        if (--d == 0) {
            if (--m == 0) {
                m = 12;
                y--;
            }
            d = naive_month_days(y, m);
        }
        count--;
    }
}

static void test_days_far_years(void **state)
{
    /* Whole 400-year eras are 146097 days, however far from the epoch. */
    static const int64_t years[] = {-1000000, -401, -400, -1, 0, 1, 399, 400, 2000, 1000000};

    (void)state;
    for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        int64_t y = years[i], yy;
        unsigned m, d;

        assert_int_equal(gc_days_from_civil(y + 400, 3, 1) - gc_days_from_civil(y, 3, 1), 146097);
        gc_civil_from_days(gc_days_from_civil(y, 2, 28) + 1, &yy, &m, &d);
        assert_int_equal(yy, y);
        assert_int_equal(m, naive_leap(y) ? 2 : 3);
        assert_int_equal(d, naive_leap(y) ? 29 : 1);
    }
    assert_int_equal(gc_days_from_civil(0, 3, 1), -719468);
    assert_int_equal(gc_days_from_civil(1, 1, 1), -719162);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_parse),
        cmocka_unit_test(test_known_format),
        cmocka_unit_test(test_range_constants),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_reject_dates),
        cmocka_unit_test(test_accept_month_ends),
        cmocka_unit_test(test_reject_times),
        cmocka_unit_test(test_reject_offsets),
        cmocka_unit_test(test_reject_fractions),
        cmocka_unit_test(test_reject_shape),
        cmocka_unit_test(test_uses_len),
        cmocka_unit_test(test_format_buffer),
        cmocka_unit_test(test_format_out_of_range),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_round_trip_every_second),
        cmocka_unit_test(test_days_against_counter),
        cmocka_unit_test(test_days_far_years),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
