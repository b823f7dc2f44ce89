/*
 * gc_amm_line: amm.swap events read straight from their line must mean what the general path
 * (gc_json_parse_object, gc_amm_apply_lines) reads in them. Lines of every shape, and random
 * mutations of them, go through both on two copies of one book: the same receipts, the same
 * refusals (reason and message), the same market states after; and where the line is read
 * here, the event hash is that of the parsed object's canonical form. Every receipt is
 * canonical JSON.
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

#include "gc_amm.h"
#include "gc_amm_line.h"
#include "gc_crypto.h"
#include "gc_json.h"
#include "gc_time.h"
#include "gc_test.h"

#define T0 1793491200 /* 2026-11-01T00:00:00Z */

/* Two books the same events made: FAST takes the plain path where it can, SLOW never. */
struct pair {
    struct gc_amm_book fast, slow;
    struct gc_amm_reader reader;
    struct gc_buf out_fast, out_slow;
    unsigned long n_plain, n_general;
};

/* The general path, as gc-amm run takes it: UTF-8 first, then the JSON object, then the event. */
static bool apply_general(struct gc_amm_book *b, const char *line, size_t len, int64_t now,
                          struct gc_buf *out, struct gc_fail *f)
{
    struct gc_amm_market *m = NULL;
    json_t *rec;
    bool ok;

    if (!gc_utf8_valid(line, len))
        return gc_fail(f, "bad_utf8", "line is not valid UTF-8");
    rec = gc_json_parse_object(line, len, f);
    if (rec == NULL)
        return false;
    ok = gc_amm_apply_lines(b, rec, now, out, &m, f);
    if (ok)
        assert_non_null(m);
    json_decref(rec);
    return ok;
}

/* Every market's state record, in id order. */
static void states(const struct gc_amm_book *b, struct gc_buf *out)
{
    struct gc_amm_market **ms = gc_amm_sorted(b);

    gc_buf_reset(out);
    for (size_t i = 0; i < b->markets.n; i++) {
        gc_amm_state_record(ms[i], out);
        gc_buf_addc(out, '\n');
    }
    free(ms);
}

/* The hash the general path gives LINE, which must parse. */
static void general_hash(const char *line, size_t len, uint8_t h[GC_SHA256_LEN])
{
    struct gc_fail f;
    struct gc_buf canon = GC_BUF_INIT;
    json_t *rec = gc_json_parse_object(line, len, &f);

    if (rec == NULL)
        fail_msg("a line read as a swap does not parse: %s: %.*s", f.detail, (int)len, line);
    gc_jcs_append(&canon, rec);
    gc_sha256(canon.ptr, canon.len, h);
    gc_buf_release(&canon);
    json_decref(rec);
}

/* Every receipt in OUT reads back as JSON whose canonical form is its bytes. */
static void check_canonical(const struct gc_buf *out)
{
    struct gc_buf canon = GC_BUF_INIT;

    for (const char *p = out->ptr, *end = p + out->len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct gc_fail f;
        json_t *rec;

        assert_non_null(nl);
        rec = gc_json_parse_object(p, (size_t)(nl - p), &f);
        if (rec == NULL)
            fail_msg("a receipt does not parse: %s: %.*s", f.detail, (int)(nl - p), p);
        gc_buf_reset(&canon);
        gc_jcs_append(&canon, rec);
        json_decref(rec);
        if (canon.len != (size_t)(nl - p) || memcmp(canon.ptr, p, canon.len) != 0)
            fail_msg("a receipt is not canonical: %.*s", (int)(nl - p), p);
        p = nl + 1;
    }
    gc_buf_release(&canon);
}

/* LINE through both paths at NOW; both books must agree after. Returns whether it was read. */
static bool both(struct pair *p, const char *line, size_t len, int64_t now)
{
    struct gc_fail ff = {NULL, ""}, fs = {NULL, ""};
    struct gc_amm_market *m = NULL;
    struct gc_amm_swap s;
    bool plain = gc_amm_read_swap(&p->reader, line, len, now, &s), ok_fast, ok_slow;

    gc_buf_reset(&p->out_fast);
    gc_buf_reset(&p->out_slow);
    if (plain) {
        uint8_t h[GC_SHA256_LEN];

        general_hash(line, len, h);
        assert_memory_equal(h, s.h, GC_SHA256_LEN);
        ok_fast = gc_amm_apply_swap(&p->fast, &s, &p->out_fast, &m, &ff);
        p->n_plain++;
    } else {
        ok_fast = apply_general(&p->fast, line, len, now, &p->out_fast, &ff);
        p->n_general++;
    }
    ok_slow = apply_general(&p->slow, line, len, now, &p->out_slow, &fs);
    if (ok_fast != ok_slow ||
        (!ok_fast && (strcmp(ff.reason, fs.reason) != 0 || strcmp(ff.detail, fs.detail) != 0)))
        fail_msg("%.*s: %s: %s (plain %d), general path %s: %s", (int)len, line,
                 ok_fast ? "ok" : ff.reason, ff.detail, plain, ok_slow ? "ok" : fs.reason,
                 fs.detail);
    if (ok_fast && plain)
        assert_ptr_equal(m, gc_amm_find(&p->fast, s.market));
    check_canonical(&p->out_fast);
    assert_int_equal(p->out_fast.len, p->out_slow.len);
    assert_memory_equal(p->out_fast.ptr, p->out_slow.ptr, p->out_fast.len);
    return plain;
}

static void check_states(struct pair *p)
{
    struct gc_buf a = GC_BUF_INIT, b = GC_BUF_INIT;

    states(&p->fast, &a);
    states(&p->slow, &b);
    assert_string_equal(a.ptr, b.ptr);
    gc_buf_release(&a);
    gc_buf_release(&b);
}

static void pair_init(struct pair *p, const char *curve)
{
    char line[512];

    memset(p, 0, sizeof(*p));
    gc_amm_book_init(&p->fast);
    gc_amm_book_init(&p->slow);
    for (int i = 0; i < 2; i++) {
        snprintf(line, sizeof(line),
                 "{\"type\":\"amm.open\",\"market\":\"m%d\",\"pool\":\"p\",\"hour\":"
                 "\"2026-11-02T00:00:00Z\",\"ts\":\"2026-11-01T00:00:00Z\",\"curve\":\"%s\","
                 "\"k_ppm\":100,\"anchor_micros\":2000000}",
                 i, curve);
        both(p, line, strlen(line), GC_AMM_NO_TIME);
        snprintf(line, sizeof(line),
                 "{\"type\":\"amm.add\",\"market\":\"m%d\",\"ts\":\"2026-11-01T00:00:00Z\","
                 "\"lp\":\"op\",\"devices\":[{\"device\":\"d\",\"gpu_s\":1000000}],"
                 "\"cash_micros\":600000000}",
                 i);
        both(p, line, strlen(line), GC_AMM_NO_TIME);
    }
}

static void pair_release(struct pair *p)
{
    check_states(p);
    gc_amm_book_release(&p->fast);
    gc_amm_book_release(&p->slow);
    gc_amm_reader_release(&p->reader);
    gc_buf_release(&p->out_fast);
    gc_buf_release(&p->out_slow);
}

/* Lines of every shape, each with whether the plain path reads it. */
static const struct {
    const char *line;
    bool plain;
} cases[] = {
    {"{\"type\":\"amm.swap\",\"v\":1,\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:01Z\","
     "\"trader\":\"t0\",\"side\":\"buy\",\"gpu_s\":10}",
     true},
    /* canonical already: hashed as it stands */
    {"{\"gpu_s\":10,\"market\":\"m0\",\"side\":\"buy\",\"trader\":\"t0\",\"ts\":"
     "\"2026-11-01T00:00:02Z\",\"type\":\"amm.swap\",\"v\":1}",
     true},
    /* the same again at that time: a duplicate */
    {"{\"gpu_s\":10,\"market\":\"m0\",\"side\":\"buy\",\"trader\":\"t0\",\"ts\":"
     "\"2026-11-01T00:00:02Z\",\"type\":\"amm.swap\",\"v\":1}",
     true},
    /* whitespace, which the canonical form drops */
    {" { \"type\" : \"amm.swap\" ,\t\"market\":\"m0\", \"ts\":\"2026-11-01T00:00:02Z\",\"trader\""
     ":\"t0\",\"side\":\"sell\",\"gpu_s\":3 }\r",
     true},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:03Z\",\"trader\":\"t1\","
     "\"side\":\"buy\",\"pay_micros\":50000,\"min_gpu_s\":1}",
     true},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:03Z\",\"trader\":\"t1\","
     "\"side\":\"buy\",\"pay_micros\":50000,\"min_gpu_s\":100000}",
     true}, /* slippage */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:04Z\",\"trader\":\"t1\","
     "\"side\":\"sell\",\"get_micros\":1000,\"max_gpu_s\":5,\"note\":\"x\",\"zz\":0}",
     true},
    {"{\"type\":\"amm.swap\",\"market\":\"m1\",\"ts\":\"2026-11-01T00:00:04Z\",\"trader\":\"t9\","
     "\"side\":\"sell\",\"gpu_s\":5}",
     true}, /* insufficient_balance */
    {"{\"type\":\"amm.swap\",\"market\":\"nope\",\"ts\":\"2026-11-01T00:00:04Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5}",
     true}, /* unknown_market */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:00Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5}",
     true}, /* non_monotonic */
    {"{\"type\":\"amm.swap\",\"market\":\"m1\",\"ts\":\"2026-11-02T00:00:00Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5}",
     true}, /* closed: at the delivery hour */
    {"{\"type\":\"amm.swap\",\"market\":\"m1\",\"trader\":\"t\",\"side\":\"buy\",\"gpu_s\":5}",
     false}, /* no ts, no --now: refused there */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"pay_micros\":5}",
     false}, /* both amounts */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"min_gpu_s\":5}",
     false}, /* a limit that does not go with it */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":0}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":\"5\"}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":\"99999999999999999999\"}",
     false}, /* an amount past 2^63, as a string */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":9223372036854775808}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":9223372036854775807}",
     true},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5.0}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5e0}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":05}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"v\":-0}",
     false}, /* -0 is 0 in canonical form */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"gpu_s\":6}",
     false}, /* duplicate name */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":"
     "\"\\u0074\","
     "\"side\":\"buy\",\"gpu_s\":5}",
     false}, /* an escape */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"note\":\"\xc3\xa9\"}",
     false}, /* not ASCII */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"note\":\"\xff\"}",
     false}, /* not UTF-8 */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"x\":[1]}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,\"x\":true}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5,}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5}x",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"T\","
     "\"side\":\"buy\",\"gpu_s\":5}",
     false}, /* not an id */
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01t00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"buy\",\"gpu_s\":5}",
     false},
    {"{\"type\":\"amm.swap\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"trader\":\"t\","
     "\"side\":\"Buy\",\"gpu_s\":5}",
     false},
    {"{\"type\":\"amm.poll\",\"market\":\"m0\",\"ts\":\"2026-11-01T00:00:05Z\",\"devices\":[]}",
     false},
    {"{\"type\":\"amm.swap\"}", false},
    {"{}", false},
    {"[]", false},
    {"", false},
};

static void test_cases(void **state)
{
    struct pair p;

    (void)state;
    for (int curve = 0; curve < 2; curve++) {
        pair_init(&p, curve ? "ys" : "cp");
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
            bool plain = both(&p, cases[i].line, strlen(cases[i].line), GC_AMM_NO_TIME);

            if (plain != cases[i].plain)
                fail_msg("line %zu is %sread as a plain swap: %s", i, plain ? "" : "not ",
                         cases[i].line);
        }
        /* without a ts, at --now */
        assert_true(both(&p, cases[11].line, strlen(cases[11].line), T0 + 60));
        pair_release(&p);
    }
}

static uint64_t rnd_state;

static uint64_t rnd(uint64_t n)
{
    return gc_test_rnd(&rnd_state, n);
}

/* A swap of random shape, members in random order, sometimes with a defect. */
static size_t random_line(char *out, size_t cap, int64_t t)
{
    static const char *const sides[] = {"buy", "sell", "buy", "sell", "hold"};
    static const char *const amounts[] = {"pay_micros",     "gpu_s",      "min_gpu_s",
                                          "max_pay_micros", "get_micros", "min_get_micros",
                                          "max_gpu_s",      "gpu_s"};
    char m[12][GC_TEST_MEMBER_CAP];
    int n = 0;
    char ts[GC_TIME_LEN + 1];

    gc_time_format(t, ts);
    snprintf(m[n++], sizeof(m[0]), "\"type\":\"amm.swap\"");
    if (rnd(40) != 0)
        snprintf(m[n++], sizeof(m[0]), "\"ts\":\"%s\"", ts);
    snprintf(m[n++], sizeof(m[0]), "\"market\":\"m%d\"", (int)rnd(3));
    snprintf(m[n++], sizeof(m[0]), "\"trader\":\"t%d\"", (int)rnd(4));
    snprintf(m[n++], sizeof(m[0]), "\"side\":\"%s\"", sides[rnd(5)]);
    if (rnd(4) != 0) {           /* a shape a swap has: one exact amount, its limit or none */
        int shape = (int)rnd(4); /* pay_micros, gpu_s (buy); gpu_s, get_micros (sell) */
        static const int exact[] = {0, 1, 7, 4}, limit[] = {2, 3, 5, 6};

        snprintf(m[n++], sizeof(m[0]), "\"%s\":%d", amounts[exact[shape]], 1 + (int)rnd(60000));
        if (rnd(2) == 0)
            snprintf(m[n++], sizeof(m[0]), "\"%s\":%d", amounts[limit[shape]], (int)rnd(60000));
    } else {
        for (int k = (int)rnd(3); k >= 0; k--)
            snprintf(m[n++], sizeof(m[0]), "\"%s\":%d", amounts[rnd(8)], (int)rnd(60000));
    }
    if (rnd(4) == 0)
        snprintf(m[n++], sizeof(m[0]), "\"v\":1");
    return gc_test_random_object(out, cap, m, n, 8, &rnd_state);
}

static void test_random(void **state)
{
    char line[2048];
    unsigned long plain = 0, general = 0;

    (void)state;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        struct pair p;
        int64_t t = T0 + 1;

        rnd_state = seed;
        pair_init(&p, seed % 2 ? "cp" : "ys");
        for (int i = 0; i < 400; i++) {
            size_t len;

            t += (int64_t)rnd(3);
            len = random_line(line, sizeof(line), t);
            both(&p, line, len, rnd(2) ? GC_AMM_NO_TIME : t);
        }
        plain += p.n_plain;
        general += p.n_general;
        pair_release(&p);
    }
    print_message("%lu lines read as plain swaps, %lu by the general path\n", plain, general);
    assert_true(plain > 5000 && general > 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
