/*
 * The import building blocks: exact decimals, CSV records, and the energy
 * integrator whose Wh must add up to the integral of the samples, rounded
 * down, over any run of periods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "gc_csv.h"
#include "gc_decimal.h"
#include "gc_integrate.h"

static void expect_dec(const char *s, int scale, int64_t want)
{
    int64_t v = 12345;
    const char *why = gc_decimal_parse(s, strlen(s), scale, &v);

    if (why != NULL)
        fail_msg("'%s' scale %d: %s", s, scale, why);
    if (v != want)
        fail_msg("'%s' scale %d: got %lld, want %lld", s, scale, (long long)v, (long long)want);
}

static void expect_dec_bad(const char *s)
{
    int64_t v = 7;

    assert_non_null(gc_decimal_parse(s, strlen(s), 3, &v));
    assert_int_equal(v, 7);
}

static void test_decimal(void **state)
{
    (void)state;
    expect_dec("1.2345", 3, 1234);
    expect_dec("0.1", 3, 100);
    expect_dec("0.0005", 3, 0);
    expect_dec("-0.0005", 3, -1);
    expect_dec("-1.5", 0, -2);
    expect_dec("-2", 0, -2);
    expect_dec("12", 3, 12000);
    expect_dec("+7.25", 2, 725);
    expect_dec("1.5e3", 0, 1500);
    expect_dec("1.5E-3", 6, 1500);
    expect_dec("2.5e+2", 0, 250);
    expect_dec("123456789012.345", 3, 123456789012345);
    expect_dec(".5", 1, 5);
    expect_dec("5.", 0, 5);
    expect_dec("000001.000", 0, 1);
    expect_dec("0", 3, 0);
    expect_dec("0.000", 3, 0);
    expect_dec("9223372036854775807", 0, INT64_MAX);
    expect_dec("-9223372036854775808", 0, INT64_MIN);
    expect_dec("1e-400", 3, 0);
    expect_dec("-1e-400", 3, -1);
    /* 0.1 + 0.2 style values stay exact: 0.3 kWh is 300 Wh, not 299 */
    expect_dec("0.3", 3, 300);
    expect_dec("4.35", 2, 435);
    expect_dec_bad("");
    expect_dec_bad(".");
    expect_dec_bad("-");
    expect_dec_bad("1e");
    expect_dec_bad("1.2.3");
    expect_dec_bad("1,5");
    expect_dec_bad(" 1");
    expect_dec_bad("0x10");
    expect_dec_bad("NaN");
    expect_dec_bad("9223372036854775808");
    expect_dec_bad("1e30");
}

static void test_csv(void **state)
{
    struct gc_csv_row row;
    struct gc_fail f;
    static const char *const bad[] = {"a,b\"c", "\"abc", "\"a\"b,c", "x,\"y\"z"};

    (void)state;
    gc_csv_row_init(&row);
    assert_true(gc_csv_split("a,\"b,c\",\"say \"\"hi\"\"\",,d\r", 24, false, &row, &f));
    assert_int_equal(row.n, 5);
    assert_string_equal(row.field[0], "a");
    assert_string_equal(row.field[1], "b,c");
    assert_string_equal(row.field[2], "say \"hi\"");
    assert_string_equal(row.field[3], "");
    assert_string_equal(row.field[4], "d");
    assert_true(
        gc_csv_split("2026/11/01 10:00:00.000, 0, GPU-1, 312.45 W, 87 %", 49, true, &row, &f));
    assert_int_equal(row.n, 5);
    assert_string_equal(row.field[0], "2026/11/01 10:00:00.000");
    assert_string_equal(row.field[3], "312.45 W");
    assert_int_equal(row.len[4], 4);
    assert_int_equal(gc_csv_column(&row, "312.45 W"), 3);
    assert_int_equal(gc_csv_column(&row, "nope"), -1);
    assert_true(gc_csv_split("", 0, false, &row, &f));
    assert_int_equal(row.n, 1);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f.reason = NULL;
        assert_false(gc_csv_split(bad[i], strlen(bad[i]), false, &row, &f));
        assert_string_equal(f.reason, "bad_csv");
    }
    gc_csv_row_release(&row);
}

struct collected {
    struct gc_period p[4096];
    size_t n;
};

static void collect(void *ctx, const struct gc_period *p)
{
    struct collected *c = ctx;

    assert_true(c->n < sizeof(c->p) / sizeof(c->p[0]));
    c->p[c->n++] = *p;
}

static void add_ok(struct gc_integrator *g, int64_t t_ms, int64_t mw, int util, struct collected *c)
{
    struct gc_fail f;

    if (!gc_integrator_add(g, t_ms, mw, util, collect, c, &f))
        fail_msg("add at %lld: %s", (long long)t_ms, f.detail);
}

#define T0 1793527200000LL /* 2026-11-01T10:00:00Z in ms */

/* 1200 W held for an hour in 5-minute periods: 100 Wh each, full coverage. */
static void test_integrator_steady(void **state)
{
    struct gc_integrator g;
    struct collected *c = calloc(1, sizeof(*c));

    (void)state;
    gc_integrator_init(&g, 300, 60000);
    for (int64_t t = 0; t <= 3600; t += 10)
        add_ok(&g, T0 + t * 1000, 1200000, 50, c);
    gc_integrator_finish(&g, collect, c);
    assert_int_equal(c->n, 12);
    for (size_t i = 0; i < 12; i++) {
        assert_int_equal(c->p[i].ts, T0 / 1000 + 300 * (int64_t)i);
        assert_int_equal(c->p[i].energy_wh, 100);
        assert_int_equal(c->p[i].covered_s, 300);
        assert_int_equal(c->p[i].busy_s, 150);
    }
    free(c);
}

/* Fractions carry: 10 W for 5 minutes is 0.8333 Wh; twelve periods make 10 Wh, not 0. */
static void test_integrator_carry(void **state)
{
    struct gc_integrator g;
    struct collected *c = calloc(1, sizeof(*c));
    int64_t total = 0;

    (void)state;
    gc_integrator_init(&g, 300, 60000);
    for (int64_t t = 0; t <= 3600; t += 30)
        add_ok(&g, T0 + t * 1000, 10000, -1, c);
    gc_integrator_finish(&g, collect, c);
    assert_int_equal(c->n, 12);
    assert_int_equal(c->p[0].energy_wh, 0);
    assert_int_equal(c->p[1].energy_wh, 1);
    for (size_t i = 0; i < c->n; i++) {
        total += c->p[i].energy_wh;
        assert_int_equal(c->p[i].busy_s, 0);
    }
    assert_int_equal(total, 10);
    free(c);
}

/* A gap longer than the limit is not bridged; unknown power holds nothing. */
static void test_integrator_gaps(void **state)
{
    struct gc_integrator g;
    struct collected *c = calloc(1, sizeof(*c));
    struct gc_fail f;

    (void)state;
    gc_integrator_init(&g, 300, 60000);
    add_ok(&g, T0, 3600000, 100, c);          /* 3.6 kW */
    add_ok(&g, T0 + 60000, 3600000, 100, c);  /* one minute: 60 Wh */
    add_ok(&g, T0 + 200000, 3600000, 100, c); /* 140 s later: not bridged */
    add_ok(&g, T0 + 230000, -1, -1, c);       /* 30 s bridged: 30 Wh; then unknown */
    add_ok(&g, T0 + 260000, 3600000, 100, c); /* the unknown 30 s count nothing */
    add_ok(&g, T0 + 290000, 0, 0, c);         /* 30 s: 30 Wh */
    gc_integrator_finish(&g, collect, c);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->p[0].energy_wh, 120);
    assert_int_equal(c->p[0].covered_s, 120);
    assert_int_equal(c->p[0].busy_s, 120);
    assert_false(gc_integrator_add(&g, T0 + 290000, 1, 1, collect, c, &f));
    assert_string_equal(f.reason, "non_monotonic_time");
    assert_false(gc_integrator_add(&g, T0 + 300000, 1, 101, collect, c, &f));
    assert_string_equal(f.reason, "bad_number");
    free(c);
}

/*
 * Property: for random sample streams the Wh of all periods add up to the
 * integral of the held samples, rounded down once; busy never exceeds covered,
 * covered never exceeds the period.
 */
static void test_integrator_property(void **state)
{
    struct collected *c = calloc(1, sizeof(*c));

    (void)state;
    srandom(20261126);
    for (int round = 0; round < 300; round++) {
        struct gc_integrator g;
        int64_t t = T0 + random() % 1000000, mw = 0, total = 0;
        int util = 0;
        __int128 integral = 0;
        int n = 1 + (int)(random() % 400);
        bool have = false;

        c->n = 0;
        gc_integrator_init(&g, (int64_t[]){60, 300, 900, 3600}[random() % 4], 45000);
        for (int i = 0; i < n; i++) {
            int64_t dt = 1 + random() % 50000, next_mw = random() % 5000000;
            int next_util = (int)(random() % 101);

            if (random() % 50 == 0)
                dt += 60000; /* a gap */
            if (have && dt <= 45000)
                integral += (__int128)mw * dt;
            t += dt;
            add_ok(&g, t, next_mw, next_util, c);
            mw = next_mw;
            util = next_util;
            have = true;
        }
        (void)util;
        gc_integrator_finish(&g, collect, c);
        for (size_t i = 0; i < c->n; i++) {
            total += c->p[i].energy_wh;
            assert_true(c->p[i].busy_s <= c->p[i].covered_s);
            assert_true(c->p[i].covered_s <= c->p[i].period_s);
            assert_int_equal(c->p[i].ts % c->p[i].period_s, 0);
            if (i > 0)
                assert_true(c->p[i].ts > c->p[i - 1].ts);
        }
        assert_int_equal(total, (int64_t)(integral / GC_MWMS_PER_WH));
    }
    free(c);
}

/*
 * Counter samples: the increments are spread over the periods they span and
 * add up exactly; a reset (-1) books nothing; a long gap still books the
 * energy the counter measured but not its time.
 */
static void test_integrator_energy(void **state)
{
    struct collected *c = calloc(1, sizeof(*c));

    (void)state;
    srandom(4242);
    for (int round = 0; round < 300; round++) {
        struct gc_integrator g;
        int64_t t = T0 + random() % 1000000, total = 0, covered = 0;
        __int128 sum_uj = 0;
        int n = 1 + (int)(random() % 300);

        c->n = 0;
        gc_integrator_init(&g, (int64_t[]){60, 300, 900, 3600}[random() % 4], 45000);
        add_ok(&g, t, -1, -1, c); /* the first sample: a baseline */
        gc_integrator_stop_hold(&g);
        for (int i = 0; i < n; i++) {
            int64_t dt = 1 + random() % 50000, e = random() % 40000000000LL;
            struct gc_fail f;

            if (random() % 40 == 0)
                dt += 120000; /* a gap: energy booked, time not covered */
            if (random() % 60 == 0)
                e = -1; /* a reset */
            t += dt;
            if (!gc_integrator_add_energy(&g, t, e, (int)(random() % 101), collect, c, &f))
                fail_msg("add_energy: %s", f.detail);
            if (e >= 0)
                sum_uj += e;
        }
        gc_integrator_finish(&g, collect, c);
        for (size_t i = 0; i < c->n; i++) {
            total += c->p[i].energy_wh;
            covered += c->p[i].covered_s;
            assert_true(c->p[i].busy_s <= c->p[i].covered_s);
            assert_true(c->p[i].covered_s <= c->p[i].period_s);
        }
        assert_int_equal(total, (int64_t)(sum_uj / GC_MWMS_PER_WH));
    }
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal),           cmocka_unit_test(test_csv),
        cmocka_unit_test(test_integrator_steady), cmocka_unit_test(test_integrator_carry),
        cmocka_unit_test(test_integrator_gaps),   cmocka_unit_test(test_integrator_property),
        cmocka_unit_test(test_integrator_energy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
