/*
 * The markets of gc-amm: the Uniswap v2 vectors through the market's own
 * event code, the sliding-window oracle vector, the YieldSpace curve's
 * properties, and random event streams checked for conservation and for the
 * invariant never falling on a trade.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gc_test.h"

#include "gc_amm.h"
#include "gc_cp.h"
#include "gc_time.h"
#include "gc_twap.h"
#include "gc_u128.h"
#include "gc_ys.h"

#define T0   1767225600 /* 2026-01-01T00:00:00Z */
#define HOUR 3600

static gc_u128 u(const char *s)
{
    gc_u128 v = 0;

    if (!gc_u128_parse(s, strlen(s), &v))
        fail_msg("'%s' is not a u128", s);
    return v;
}

/* "5e18" as the vectors write some reserves, or plain digits. */
static gc_u128 u_exp(const char *s)
{
    const char *e = strchr(s, 'e');
    gc_u128 v;

    if (e == NULL)
        return u(s);
    v = (gc_u128)strtoull(s, NULL, 10);
    for (long i = strtol(e + 1, NULL, 10); i > 0; i--)
        v *= 10;
    return v;
}

static void expect_u(gc_u128 got, gc_u128 want, const char *what)
{
    char g[41], w[41];

    if (got != want) {
        gc_u128_format(got, g);
        gc_u128_format(want, w);
        fail_msg("%s: got %s, want %s", what, g, w);
    }
}

static gc_u128 amount(const json_t *rec, const char *key)
{
    const json_t *v = json_object_get(rec, key);

    if (json_is_integer(v))
        return (gc_u128)json_integer_value(v);
    if (!json_is_string(v))
        fail_msg("receipt field '%s' is missing", key);
    return u(json_string_value(v));
}

static char *text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *text(const char *fmt, ...)
{
    static char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return buf;
}

/*
 * Applies the event written in JSON; with WANT_REASON NULL it must succeed
 * and the receipts come back (the caller decrefs), else it must be refused
 * with that reason.
 */
static json_t *apply(struct gc_amm_book *b, const char *want_reason, const char *json)
{
    json_error_t jerr;
    json_t *ev = json_loads(json, 0, &jerr), *receipts = json_array();
    struct gc_amm_market *m;
    struct gc_fail f = {0};
    bool ok;

    if (ev == NULL)
        fail_msg("bad test event: %s: %s", jerr.text, json);
    ok = gc_amm_apply(b, ev, GC_AMM_NO_TIME, receipts, &m, &f);
    json_decref(ev);
    if (want_reason == NULL && !ok)
        fail_msg("refused (%s: %s): %s", f.reason, f.detail, json);
    if (want_reason != NULL) {
        if (ok)
            fail_msg("accepted, want %s: %s", want_reason, json);
        if (strcmp(f.reason, want_reason) != 0)
            fail_msg("refused as %s (%s), want %s", f.reason, f.detail, want_reason);
        assert_int_equal(json_array_size(receipts), 0);
        json_decref(receipts);
        return NULL;
    }
    return receipts;
}

/* The first receipt of TYPE in RECEIPTS. */
static json_t *receipt_of(json_t *receipts, const char *type)
{
    size_t i;
    json_t *r;

    json_array_foreach(receipts, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "type")), type) == 0)
            return r;
    }
    fail_msg("no %s receipt", type);
    return NULL;
}

/* A constant-product market "m" with FEE_BPS, delivering at T0 + 24 h, opened at T0. */
static struct gc_amm_market *open_cp(struct gc_amm_book *b, unsigned fee_bps, const char *extra)
{
    json_decref(apply(b, NULL,
                      text("{\"type\":\"amm.open\",\"v\":1,\"market\":\"m\",\"pool\":\"p\","
                           "\"hour\":\"2026-01-02T00:00:00Z\",\"ts\":\"2026-01-01T00:00:00Z\","
                           "\"curve\":\"cp\",\"fee_bps\":%u,\"anchor_micros\":1%s}",
                           fee_bps, extra)));
    return gc_amm_find(b, "m");
}

static const char *str(gc_u128 v)
{
    static char bufs[4][41];
    static int k;

    k = (k + 1) % 4;
    gc_u128_format(v, bufs[k]);
    return bufs[k];
}

/* An amount as an event writes it: an integer, or a string past 2^63 - 1. */
static const char *amt(gc_u128 v)
{
    static char bufs[4][44];
    static int k;

    k = (k + 1) % 4;
    if (v <= INT64_MAX)
        snprintf(bufs[k], sizeof(bufs[k]), "%s", str(v));
    else
        snprintf(bufs[k], sizeof(bufs[k]), "\"%s\"", str(v));
    return bufs[k];
}

/* A buy through the market with reserves set as the vector gives them (x: inventory out). */
static json_t *vector_buy(gc_u128 reserve_cash, gc_u128 reserve_gpu_s, unsigned fee,
                          const char *how)
{
    struct gc_amm_book b;
    struct gc_amm_market *m;
    json_t *receipts, *fill;
    char how_copy[256];

    snprintf(how_copy, sizeof(how_copy), "%s", how); /* text() reuses its buffer */
    how = how_copy;
    gc_amm_book_init(&b);
    m = open_cp(&b, fee, "");
    /* reserves as the vector states them, some below the first deposit's locked minimum */
    m->x_gpu_s = reserve_gpu_s;
    m->y_micros = reserve_cash;
    m->shares = 1000;
    receipts = apply(&b, NULL,
                     text("{\"type\":\"amm.swap\",\"market\":\"m\",\"ts\":\"2026-01-01T01:00:00Z\","
                          "\"trader\":\"t\",\"side\":\"buy\",%s}",
                          how));
    fill = json_incref(receipt_of(receipts, "amm.fill"));
    json_decref(receipts);
    gc_amm_book_release(&b);
    return fill;
}

static void test_uniswap_vectors_through_market(void **state)
{
    const char *dir = gc_test_vectors();
    char path[512], line[4096];
    FILE *fp;
    int checked = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/uniswap-v2.ndjson", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp)) {
        json_t *rec = json_loads(line, 0, NULL), *fill, *receipts, *r;
        const char *id = json_string_value(json_object_get(rec, "id"));
        const char *fn = json_string_value(json_object_get(rec, "fn"));
        struct gc_amm_book b;
        struct gc_amm_market *m;

        assert_non_null(rec);
        if (fn != NULL && strcmp(fn, "getAmountOut") == 0) {
            /* exact in: the cash paid in buys GPU-seconds out */
            json_t *fee = json_object_get(rec, "fee_bps");

            fill = vector_buy(amount(rec, "reserve_in"), amount(rec, "reserve_out"),
                              fee ? (unsigned)json_integer_value(fee) : 30,
                              text("\"pay_micros\":%s", amt(amount(rec, "amount_in"))));
            expect_u(amount(fill, "gpu_s"), amount(rec, "expect_out"), id);
            json_decref(fill);
            checked++;
        } else if (fn != NULL && strcmp(fn, "getAmountIn") == 0) {
            fill = vector_buy(amount(rec, "reserve_in"), amount(rec, "reserve_out"), 30,
                              text("\"gpu_s\":%s", amt(amount(rec, "amount_out"))));
            expect_u(amount(fill, "cash_micros"), amount(rec, "expect_in"), id);
            json_decref(fill);
            checked++;
        } else if (strcmp(id, "uv2-mint") == 0) {
            gc_amm_book_init(&b);
            m = open_cp(&b, 30, "");
            receipts =
                apply(&b, NULL,
                      text("{\"type\":\"amm.add\",\"market\":\"m\",\"ts\":\"2026-01-01T00:00:00Z\","
                           "\"lp\":\"a\",\"devices\":[{\"device\":\"d\",\"gpu_s\":%s}],"
                           "\"cash_micros\":%s}",
                           amt(amount(rec, "amount0")), amt(amount(rec, "amount1"))));
            r = receipt_of(receipts, "amm.minted");
            expect_u(m->shares, amount(rec, "expect_total_supply"), id);
            expect_u(amount(r, "locked_shares"), amount(rec, "expect_locked"), id);
            expect_u(amount(r, "shares"), amount(rec, "expect_to_user"), id);
            json_decref(receipts);
            gc_amm_book_release(&b);
            checked++;
        } else if (strcmp(id, "uv2-burn") == 0) {
            const json_t *res = json_object_get(rec, "reserves");
            gc_u128 r0 = u(json_string_value(json_array_get(res, 0)));
            gc_u128 r1 = u(json_string_value(json_array_get(res, 1)));

            gc_amm_book_init(&b);
            m = open_cp(&b, 30, "");
            json_decref(
                apply(&b, NULL,
                      text("{\"type\":\"amm.add\",\"market\":\"m\",\"ts\":\"2026-01-01T00:00:00Z\","
                           "\"lp\":\"a\",\"devices\":[{\"device\":\"d\",\"gpu_s\":%s}],"
                           "\"cash_micros\":%s}",
                           amt(r0), amt(r1))));
            receipts = apply(
                &b, NULL,
                text("{\"type\":\"amm.remove\",\"market\":\"m\",\"ts\":\"2026-01-01T00:00:00Z\","
                     "\"lp\":\"a\",\"shares\":%s}",
                     amt(amount(rec, "burn_liquidity"))));
            r = receipt_of(receipts, "amm.burned");
            expect_u(amount(r, "gpu_s"), amount(rec, "expect_out_each"), id);
            expect_u(amount(r, "cash_micros"), amount(rec, "expect_out_each"), id);
            expect_u(m->x_gpu_s, amount(rec, "expect_left_each"), id);
            expect_u(m->y_micros, amount(rec, "expect_left_each"), id);
            json_decref(receipts);
            gc_amm_book_release(&b);
            checked++;
        } else if (strcmp(id, "uv2-feeon") == 0) {
            /* token0 is the inventory, token1 the cash: the swap is a buy paying 1e18 */
            const json_t *left = json_object_get(rec, "expect_pair_left");
            gc_u128 user;

            gc_amm_book_init(&b);
            m = open_cp(&b, 30, ",\"protocol\":\"feeto\"");
            receipts =
                apply(&b, NULL,
                      "{\"type\":\"amm.add\",\"market\":\"m\",\"ts\":\"2026-01-01T00:00:00Z\","
                      "\"lp\":\"a\",\"devices\":[{\"device\":\"d\",\"gpu_s\":"
                      "\"1000000000000000000000\"}],"
                      "\"cash_micros\":\"1000000000000000000000\"}");
            user = amount(receipt_of(receipts, "amm.minted"), "shares");
            json_decref(receipts);
            receipts =
                apply(&b, NULL,
                      "{\"type\":\"amm.swap\",\"market\":\"m\",\"ts\":\"2026-01-01T01:00:00Z\","
                      "\"trader\":\"t\",\"side\":\"buy\",\"pay_micros\":1000000000000000000}");
            expect_u(amount(receipt_of(receipts, "amm.fill"), "gpu_s"), u("996006981039903216"),
                     id);
            json_decref(receipts);
            receipts = apply(
                &b, NULL,
                text("{\"type\":\"amm.remove\",\"market\":\"m\",\"ts\":\"2026-01-01T02:00:00Z\","
                     "\"lp\":\"a\",\"shares\":%s}",
                     amt(user)));
            r = receipt_of(receipts, "amm.burned");
            expect_u(amount(r, "protocol_shares"), amount(rec, "expect_protocol_lp"), id);
            expect_u(m->x_gpu_s, u(json_string_value(json_array_get(left, 0))), id);
            expect_u(m->y_micros, u(json_string_value(json_array_get(left, 1))), id);
            json_decref(receipts);
            gc_amm_book_release(&b);
            checked++;
        }
        json_decref(rec);
    }
    fclose(fp);
    /* 7 swaps and the small one out, the small one in, mint, burn, fee on */
    assert_int_equal(checked, 12);
}

/* ExampleSlidingWindowOracle's "price changes over period", through gc_twap. */
static void test_sliding_window_vector(void **state)
{
    const char *dir = gc_test_vectors();
    char path[512], line[4096];
    FILE *fp;
    bool seen = false;

    (void)state;
    snprintf(path, sizeof(path), "%s/uniswap-v2.ndjson", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp)) {
        json_t *rec = json_loads(line, 0, NULL), *hist, *e;
        struct gc_twap p0, p1; /* token0 priced in token1, and the reverse */
        gc_u128 avg, out;
        int64_t elapsed;
        size_t i;

        if (strcmp(json_string_value(json_object_get(rec, "id")), "uv2-sliding-hourly") != 0) {
            json_decref(rec);
            continue;
        }
        seen = true;
        assert_int_equal(json_integer_value(json_object_get(rec, "granularity")), GC_TWAP_BUCKETS);
        assert_int_equal(json_integer_value(json_object_get(rec, "window_s")),
                         GC_TWAP_BUCKETS * GC_TWAP_PERIOD_S);
        hist = json_object_get(rec, "history");
        json_array_foreach(hist, i, e)
        {
            int64_t at = T0 + json_integer_value(json_object_get(e, "from_h")) * HOUR;
            gc_u128 r0 = u_exp(json_string_value(json_object_get(e, "r0")));
            gc_u128 r1 = u_exp(json_string_value(json_object_get(e, "r1")));
            gc_u128 q0, q1;

            assert_true(gc_cp_price_uq112(r0, r1, &q0));
            assert_true(gc_cp_price_uq112(r1, r0, &q1));
            if (i == 0) {
                gc_twap_init(&p0, at, q0);
                gc_twap_init(&p1, at, q1);
            } else {
                assert_true(gc_twap_update(&p0, at, q0));
                assert_true(gc_twap_update(&p1, at, q1));
            }
        }
        /* consult(100): the average UQ112.112 price times 100, decoded (>> 112) */
        {
            const char *keys[2] = {"expect", "consult_at_h32"};
            int64_t at_h[2] = {json_integer_value(json_object_get(rec, "consult_at_h")), 32};

            for (int k = 0; k < 2; k++) {
                const json_t *want = json_object_get(rec, keys[k]);

                assert_true(gc_twap_consult(&p0, T0 + at_h[k] * HOUR, &avg, &elapsed));
                assert_true(gc_mul_div_floor(avg, 100, (gc_u128)1 << 112, &out));
                expect_u(out, u(json_string_value(json_object_get(want, "token0_100"))), keys[k]);
                assert_true(gc_twap_consult(&p1, T0 + at_h[k] * HOUR, &avg, &elapsed));
                assert_true(gc_mul_div_floor(avg, 100, (gc_u128)1 << 112, &out));
                expect_u(out, u(json_string_value(json_object_get(want, "token1_100"))), keys[k]);
                assert_int_equal(elapsed, 23 * HOUR);
            }
        }
        /* going back in time is refused */
        assert_false(gc_twap_update(&p0, T0, 1));
        json_decref(rec);
    }
    fclose(fp);
    assert_true(seen);
}

static void test_ys_curve(void **state)
{
    struct gc_ys c, c0;
    gc_u128 p, k, k2, y, x;

    (void)state;
    /* a = 1 - k T: 10 000 ppm per hour, 24 hours out = 0.76 */
    assert_true(gc_ys_at(10000, 24 * HOUR, 2000000, NULL, &c));
    assert_true(c.a >= u("14019525496019259229") && c.a <= u("14019525496019259230"));
    assert_false(gc_ys_at(10000, 96 * HOUR, 2000000, NULL, &c0)); /* a would be 0.04 */
    /* at delivery the curve is a constant sum and the price is the anchor, whatever the reserves */
    assert_true(gc_ys_at(10000, 0, 2000000, NULL, &c0));
    assert_true(gc_ys_price_x64(&c0, 3600, 9000000, &p));
    expect_u(p >> 64, 2000000, "price at delivery");
    /* with cash worth exactly the inventory at the anchor, the price is the anchor at any T */
    assert_true(gc_ys_price_x64(&c, 36000, 20000000, &p));
    assert_true((p >> 64) >= 1999999 && (p >> 64) <= 2000000);
    /* scarce inventory trades above the anchor, less so as delivery nears */
    {
        gc_u128 far, near;
        struct gc_ys c6;

        assert_true(gc_ys_price_x64(&c, 3600, 8000000, &far));
        assert_true(gc_ys_at(10000, 6 * HOUR, 2000000, NULL, &c6));
        assert_true(gc_ys_price_x64(&c6, 3600, 8000000, &near));
        assert_true(far > near && (near >> 64) > 2000000);
    }
    /* the solvers give amounts whose invariant reaches K, and one less does not */
    assert_true(gc_ys_invariant(&c, 36000, 20000000, &k));
    assert_true(gc_ys_min_cash(&c, 30000, k, &y));
    assert_true(gc_ys_invariant(&c, 30000, y, &k2));
    assert_true(k2 >= k);
    assert_true(gc_ys_invariant(&c, 30000, y - 1, &k2));
    assert_true(k2 < k);
    assert_true(y > 20000000 && y - 20000000 > (gc_u128)6000 * 2000000 / 3600);
    assert_true(gc_ys_min_inventory(&c, 25000000, k, &x));
    assert_true(gc_ys_invariant(&c, x, 25000000, &k2));
    assert_true(k2 >= k);
    assert_true(gc_ys_invariant(&c, x - 1, 25000000, &k2));
    assert_true(k2 < k);
    /* a memo of powers changes no result, whether it has them or not */
    {
        struct gc_ys_memo memo = {0};
        struct gc_ys cm = c;
        gc_u128 km, ym, xm;

        cm.memo = &memo;
        for (int round = 0; round < 3; round++) {
            assert_true(gc_ys_invariant(&cm, 36000, 20000000, &km));
            expect_u(km, k, "memo invariant");
            assert_true(gc_ys_min_cash(&cm, 30000, k, &ym));
            expect_u(ym, y, "memo min cash");
            assert_true(gc_ys_min_inventory(&cm, 25000000, k, &xm));
            expect_u(xm, x, "memo min inventory");
            assert_true(gc_ys_price_x64(&cm, 3600, 8000000, &km));
            assert_true(gc_ys_price_x64(&c, 3600, 8000000, &k2));
            expect_u(km, k2, "memo price");
            /* the same values at another exponent: the logarithms kept, the powers not */
            assert_true(gc_ys_at(10000, (6 + round) * HOUR, 2000000, NULL, &c0));
            assert_true(gc_ys_invariant(&c0, 36000, 20000000, &k2));
            c0.memo = &memo;
            assert_true(gc_ys_invariant(&c0, 36000, 20000000, &km));
            expect_u(km, k2, "memo invariant at another exponent");
        }
    }
}

/* ---- random event streams ---------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*
 * The value of the inventory, x anchor / 3600 in 64.64 rounded down, against a
 * 256-bit division, read off K at delivery (a = 1: K = x' + y); and values past
 * 2^62 refused, however large the whole part of the quotient.
 */
static void test_ys_value(void **state)
{
    uint64_t seed = 3;
    struct gc_ys c;
    gc_u128 k, want;

    (void)state;
    for (int i = 0; i < 20000; i++) {
        int64_t anchor = 1 + (int64_t)(rng_next(&seed) >> (24 + rng_next(&seed) % 40));
        gc_u128 x = (gc_u128)rng_next(&seed) >> (rng_next(&seed) % 64);

        assert_true(gc_ys_at(10000, 0, anchor, NULL, &c));
        /* false when the quotient passes 2^128 */
        if (!gc_mul_div_floor(x * (gc_u128)anchor, (gc_u128)1 << 64, HOUR, &want) ||
            want >> 64 > GC_YS_MAX_AMOUNT || x > GC_YS_MAX_AMOUNT) {
            assert_false(gc_ys_invariant(&c, x, 1, &k));
            continue;
        }
        assert_true(gc_ys_invariant(&c, x, 1, &k));
        expect_u(k - ((gc_u128)1 << 64), want, "the inventory's value");
    }
    assert_true(gc_ys_at(10000, 0, GC_YS_MAX_ANCHOR, NULL, &c));
    assert_false(gc_ys_invariant(&c, GC_YS_MAX_AMOUNT, 1, &k)); /* a quotient of 2^90 */
    assert_true(gc_ys_at(10000, 0, HOUR, NULL, &c));
    assert_true(gc_ys_invariant(&c, GC_YS_MAX_AMOUNT, 0, &k)); /* 2^62 exactly: the limit */
    expect_u(k, GC_YS_MAX_AMOUNT << 64, "the largest value");
}

static int64_t rnd(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static gc_u128 sum_accts(const struct gc_amm_accts *a)
{
    gc_u128 t = 0;

    for (size_t i = 0; i < a->n; i++)
        t += a->v[i].amount;
    return t;
}

static gc_u128 capacity(const struct gc_amm_market *m)
{
    gc_u128 t = 0;

    for (size_t i = 0; i < m->n_devs; i++)
        t += m->devs[i].gpu_s;
    return t;
}

static char *state_text(const struct gc_amm_market *m)
{
    struct gc_buf b = GC_BUF_INIT;

    gc_amm_state_record(m, &b);
    gc_buf_addc(&b, '\0');
    return b.ptr;
}

/* The books of one stream: what came in and went out, to check nothing was made or lost. */
struct flows {
    gc_u128 cash_lp_in, cash_lp_out, cash_buy, cash_sell;
    gc_u128 gpu_lp_in, gpu_lp_out, gpu_bought, gpu_sold, gpu_unsold_impaired, gpu_expired;
    gc_u128 delivered, short_gpu_s;
};

/* Events of each kind the streams got through, so that the checks are known to have run. */
static unsigned long n_fills, n_impairs, n_burns, n_refused;

static void tally(struct flows *fl, json_t *receipts, const struct gc_amm_market *m, int64_t ts)
{
    size_t i;
    json_t *r;

    json_array_foreach(receipts, i, r)
    {
        const char *type = json_string_value(json_object_get(r, "type"));

        if (strcmp(type, "amm.minted") == 0) {
            fl->cash_lp_in += amount(r, "cash_micros");
            fl->gpu_lp_in += amount(r, "gpu_s");
        } else if (strcmp(type, "amm.burned") == 0) {
            fl->cash_lp_out += amount(r, "cash_micros");
            n_burns++;
            fl->gpu_lp_out += amount(r, "gpu_s");
        } else if (strcmp(type, "amm.fill") == 0) {
            bool buy = strcmp(json_string_value(json_object_get(r, "side")), "buy") == 0;
            gc_u128 g = amount(r, "gpu_s"), c = amount(r, "cash_micros");
            struct gc_ys ys;
            gc_u128 k_before, k_after, x = m->x_gpu_s, y = m->y_micros;

            n_fills++;
            if (buy)
                fl->cash_buy += c, fl->gpu_bought += g;
            else
                fl->cash_sell += c, fl->gpu_sold += g;
            /* the invariant at the trade's time, before (undo the fill) and after */
            if (m->curve == GC_AMM_YS) {
                assert_true(gc_ys_at(m->k_ppm, m->hour - ts, m->anchor_micros, NULL, &ys));
                assert_true(gc_ys_invariant(&ys, x, y, &k_after));
                assert_true(
                    gc_ys_invariant(&ys, buy ? x + g : x - g, buy ? y - c : y + c, &k_before));
                assert_true(k_after >= k_before);
            } else {
                struct gc_u256 a = gc_mul_wide(x, y),
                               b = gc_mul_wide(buy ? x + g : x - g, buy ? y - c : y + c);

                assert_true(a.hi > b.hi || (a.hi == b.hi && a.lo >= b.lo));
            }
        } else if (strcmp(type, "amm.impair") == 0) {
            fl->gpu_unsold_impaired += amount(r, "unsold_gpu_s");
            n_impairs++;
        } else if (strcmp(type, "amm.expire") == 0) {
            fl->gpu_expired += amount(r, "gpu_s");
        } else if (strcmp(type, "amm.delivery") == 0) {
            fl->delivered += amount(r, "gpu_s");
        } else if (strcmp(type, "amm.short") == 0) {
            fl->short_gpu_s += amount(r, "gpu_s");
        }
    }
}

static void random_stream(uint64_t seed, const char *curve)
{
    static const char *const traders[] = {"t1", "t2", "t3"};
    static const char *const lps[] = {"lp1", "lp2"};
    static const char *const devs[] = {"d1", "d2", "d3", "d4"};
    static const char *const statuses[] = {"online", "running", "offline", "exited"};
    struct gc_amm_book b;
    struct gc_amm_market *m;
    struct flows fl = {0};
    uint64_t s = seed;
    int64_t ts = T0, hour = T0 + 24 * HOUR;
    int n_events = (int)rnd(&s, 5, 40);
    json_t *rc;

    gc_amm_book_init(&b);
    rc = apply(
        &b, NULL,
        text("{\"type\":\"amm.open\",\"market\":\"m\",\"pool\":\"p\",\"hour\":\"2026-01-02T00:"
             "00:00Z\",\"ts\":\"2026-01-01T00:00:00Z\",\"curve\":\"%s\",\"fee_bps\":%d,"
             "\"anchor_micros\":%d%s}",
             curve, (int)rnd(&s, 0, 100), (int)rnd(&s, 100000, 5000000),
             rnd(&s, 0, 1) && curve[0] == 'c' ? ",\"protocol\":\"proto\"" : ""));
    json_decref(rc);
    m = gc_amm_find(&b, "m");
    for (int e = 0; e <= n_events; e++) {
        char ev[1024], when[32];
        int kind = e == 0 ? 0 : (int)rnd(&s, 0, 9);
        char *before = state_text(m);
        json_error_t jerr;
        json_t *event, *receipts = json_array();
        struct gc_amm_market *touched;
        struct gc_fail f = {0};

        if (e == n_events) {
            ts = hour;
        } else {
            ts += rnd(&s, 0, 3000);
            if (ts >= hour)
                ts = hour - 1;
        }
        gc_time_format(ts, when);
        if (e == n_events) {
            snprintf(ev, sizeof(ev), "{\"type\":\"amm.close\",\"market\":\"m\",\"ts\":\"%s\"}",
                     when);
        } else if (kind <= 1) {
            snprintf(ev, sizeof(ev),
                     "{\"type\":\"amm.add\",\"market\":\"m\",\"ts\":\"%s\",\"lp\":\"%s\","
                     "\"devices\":[{\"device\":\"%s\",\"gpu_s\":%lld}],\"cash_micros\":%lld}",
                     when, lps[rnd(&s, 0, 1)], devs[rnd(&s, 0, 3)], (long long)rnd(&s, 1, 200000),
                     (long long)rnd(&s, 1, 400000000));
        } else if (kind == 2) {
            snprintf(ev, sizeof(ev),
                     "{\"type\":\"amm.remove\",\"market\":\"m\",\"ts\":\"%s\",\"lp\":\"%s\","
                     "\"shares\":%lld}",
                     when, lps[rnd(&s, 0, 1)], (long long)rnd(&s, 1, 5000000));
        } else if (kind == 3) {
            snprintf(ev, sizeof(ev),
                     "{\"type\":\"amm.poll\",\"market\":\"m\",\"ts\":\"%s\",\"devices\":[{"
                     "\"device\":\"%s\",\"status\":\"%s\"}]}",
                     when, devs[rnd(&s, 0, 3)],
                     statuses[rnd(&s, 0, 9) < 8 ? rnd(&s, 0, 1) : rnd(&s, 2, 3)]);
        } else {
            int shape = (int)rnd(&s, 0, 3);
            static const char *const fields[] = {
                "\"side\":\"buy\",\"pay_micros\"", "\"side\":\"buy\",\"gpu_s\"",
                "\"side\":\"sell\",\"gpu_s\"", "\"side\":\"sell\",\"get_micros\""};
            int64_t n = shape == 0 || shape == 3 ? rnd(&s, 1, 50000000) : rnd(&s, 1, 60000);

            snprintf(ev, sizeof(ev),
                     "{\"type\":\"amm.swap\",\"market\":\"m\",\"ts\":\"%s\",\"trader\":\"%s\",%s:%"
                     "lld}",
                     when, traders[rnd(&s, 0, 2)], fields[shape], (long long)n);
        }
        event = json_loads(ev, 0, &jerr);
        if (event == NULL)
            fail_msg("bad generated event: %s", ev);
        if (gc_amm_apply(&b, event, GC_AMM_NO_TIME, receipts, &touched, &f)) {
            tally(&fl, receipts, m, ts);
        } else {
            /* a refused event changes nothing */
            char *after = state_text(m);

            n_refused++;
            assert_int_equal(json_array_size(receipts), 0);
            assert_string_equal(before, after);
            free(after);
        }
        json_decref(receipts);
        json_decref(event);
        free(before);
        /* shares: the LPs' plus the locked minimum */
        if (m->shares > 0)
            expect_u(sum_accts(&m->lps) + GC_CP_MIN_LIQUIDITY, m->shares, "shares add up");
        /* cash: nothing made or lost */
        expect_u(m->y_micros + fl.cash_lp_out + fl.cash_sell, fl.cash_lp_in + fl.cash_buy,
                 "cash conserved");
        if (!m->closed) {
            /* unsold + sold = what the devices back + what runs short */
            expect_u(m->x_gpu_s + sum_accts(&m->claims), capacity(m) + m->short_gpu_s,
                     "inventory backed");
            expect_u(m->x_gpu_s + fl.gpu_lp_out + fl.gpu_bought + fl.gpu_unsold_impaired,
                     fl.gpu_lp_in + fl.gpu_sold, "inventory conserved");
        }
    }
    assert_true(m->closed);
    expect_u(fl.delivered + fl.short_gpu_s, sum_accts(&m->claims), "deliveries add up");
    expect_u(m->x_gpu_s, 0, "nothing unsold after close");
    gc_amm_book_release(&b);
}

static void test_random_streams_cp(void **state)
{
    (void)state;
    n_fills = n_impairs = n_burns = n_refused = 0;
    for (uint64_t seed = 1; seed <= 2000; seed++)
        random_stream(seed, "cp");
    print_message("cp streams: %lu fills, %lu impairments, %lu burns, %lu refused\n", n_fills,
                  n_impairs, n_burns, n_refused);
    assert_true(n_fills > 10000 && n_impairs > 300 && n_burns > 2000 && n_refused > 5000);
}

static void test_random_streams_ys(void **state)
{
    (void)state;
    n_fills = n_impairs = n_burns = n_refused = 0;
    for (uint64_t seed = 1; seed <= 1000; seed++)
        random_stream(seed * 7919, "ys");
    print_message("ys streams: %lu fills, %lu impairments, %lu burns, %lu refused\n", n_fills,
                  n_impairs, n_burns, n_refused);
    assert_true(n_fills > 5000 && n_impairs > 100 && n_burns > 1000 && n_refused > 4000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniswap_vectors_through_market),
        cmocka_unit_test(test_sliding_window_vector),
        cmocka_unit_test(test_ys_curve),
        cmocka_unit_test(test_ys_value),
        cmocka_unit_test(test_random_streams_cp),
        cmocka_unit_test(test_random_streams_ys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
