/*
 * Unit tests for gc_verdict: every verdict of gc-verify --partial is written in canonical form
 * (the bytes of RFC 8785 over the parsed record) and reads back to the same verdict and line
 * position; begin and end records too; and what --partial would never write is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_json.h"
#include "gc_verdict.h"
#include "banned.h"

#define T0 1793527200LL /* 2026-11-01T10:00:00Z */

/* Parses OUT's one line, checks it is canonical, and reads it back as a partial record. */
static json_t *reparse(const struct gc_buf *out)
{
    struct gc_buf canon = GC_BUF_INIT;
    struct gc_fail f = {0};
    json_t *rec;

    assert_true(out->len > 0 && out->ptr[out->len - 1] == '\n');
    assert_null(memchr(out->ptr, '\n', out->len - 1));
    rec = gc_json_parse_object(out->ptr, out->len - 1, &f);
    if (rec == NULL)
        fail_msg("not JSON: %s: %s", f.reason, f.detail);
    gc_jcs_append(&canon, rec);
    gc_buf_addc(&canon, '\n');
    assert_int_equal(canon.len, out->len);
    assert_memory_equal(canon.ptr, out->ptr, out->len);
    gc_buf_release(&canon);
    return rec;
}

static void round_trip(const struct gc_verdict *v, const struct gc_line *line)
{
    struct gc_buf out = GC_BUF_INIT;
    struct gc_verdict back;
    struct gc_line at = {0};
    enum gc_partial_mark mark;
    const char *source = NULL;
    uint64_t lines = 0, bytes = 0;
    struct gc_fail f = {0};
    json_t *rec;

    gc_verdict_format(v, line, &out);
    rec = reparse(&out);
    if (!gc_partial_parse(rec, &mark, &back, &at, &source, &lines, &bytes, &f))
        fail_msg("refused: %s: %s", f.reason, f.detail);
    assert_int_equal(mark, GC_PARTIAL_UNIT);
    assert_int_equal(back.kind, v->kind);
    assert_int_equal(at.line_no, line->line_no);
    assert_int_equal(at.offset, line->offset);
    assert_int_equal(at.total_len, line->total_len > line->len ? line->total_len : 0);
    if (v->fail.reason == NULL || (v->kind != GC_VERDICT_REJECT && v->kind != GC_VERDICT_LINK)) {
        assert_null(back.fail.reason);
    } else {
        assert_string_equal(back.fail.reason, v->fail.reason);
        assert_string_equal(back.fail.detail, v->fail.detail);
    }
    if (v->kind == GC_VERDICT_LINK) {
        assert_string_equal(back.device, v->device);
        assert_int_equal(back.seq, v->seq);
        assert_int_equal(back.ts, v->ts);
        assert_memory_equal(back.prev, v->prev, GC_SHA256_LEN);
        assert_memory_equal(back.hash, v->hash, GC_SHA256_LEN);
    }
    json_decref(rec);
    gc_buf_release(&out);
}

static void test_units_round_trip(void **state)
{
    struct gc_verdict v;
    struct gc_line line = {.bytes = "{}", .len = 2, .total_len = 2, .line_no = 7, .offset = 1234};

    (void)state;
    memset(&v, 0, sizeof(v));
    v.kind = GC_VERDICT_PASS;
    round_trip(&v, &line);
    v.kind = GC_VERDICT_BOOK;
    round_trip(&v, &line);
    v.kind = GC_VERDICT_REJECT;
    gc_fail(&v.fail, "bad_signature", "signature does not verify with the key of \"pv-1\"\n");
    round_trip(&v, &line);
    /* A cut line keeps its whole length. */
    line.total_len = 5000000;
    gc_fail(&v.fail, "line_too_long", "line of 5000000 bytes is longer than the limit");
    round_trip(&v, &line);
    line.total_len = 2;
    /* Every reason word of gc-records(5), digits too. */
    gc_fail(&v.fail, "bad_utf8", "line is not valid UTF-8");
    round_trip(&v, &line);
    /* A link, with and without a content verdict. */
    v.kind = GC_VERDICT_LINK;
    v.fail.reason = NULL;
    snprintf(v.device, sizeof(v.device), "%s", "pv-de-1");
    v.seq = 4242;
    v.ts = T0;
    memset(v.prev, 0xab, sizeof(v.prev));
    memset(v.hash, 0x01, sizeof(v.hash));
    round_trip(&v, &line);
    gc_fail(&v.fail, "over_capacity", "energy_wh 130 is above 100");
    round_trip(&v, &line);
}

static void test_begin_end(void **state)
{
    struct gc_buf out = GC_BUF_INIT;
    struct gc_verdict v;
    struct gc_line at;
    enum gc_partial_mark mark;
    const char *source;
    uint64_t lines, bytes;
    struct gc_fail f = {0};
    json_t *rec;

    (void)state;
    gc_partial_format_begin("day \"1\".ndjson", &out);
    rec = reparse(&out);
    assert_true(gc_partial_parse(rec, &mark, &v, &at, &source, &lines, &bytes, &f));
    assert_int_equal(mark, GC_PARTIAL_BEGIN);
    assert_string_equal(source, "day \"1\".ndjson");
    json_decref(rec);
    gc_buf_reset(&out);
    gc_partial_format_end("-", 1000001, 987654321, &out);
    assert_string_equal(out.ptr, "{\"bytes\":987654321,\"lines\":1000001,\"source\":\"-\","
                                 "\"type\":\"verify.end\",\"v\":1}\n");
    rec = reparse(&out);
    assert_true(gc_partial_parse(rec, &mark, &v, &at, &source, &lines, &bytes, &f));
    assert_int_equal(mark, GC_PARTIAL_END);
    assert_string_equal(source, "-");
    assert_int_equal(lines, 1000001);
    assert_int_equal(bytes, 987654321);
    json_decref(rec);
    gc_buf_release(&out);
}

static void expect_refused(const char *text)
{
    struct gc_verdict v;
    struct gc_line at;
    enum gc_partial_mark mark;
    const char *source;
    uint64_t lines, bytes;
    struct gc_fail f = {0};
    json_t *rec = gc_json_parse_object(text, strlen(text), &f);

    assert_non_null(rec);
    if (gc_partial_parse(rec, &mark, &v, &at, &source, &lines, &bytes, &f))
        fail_msg("accepted: %s", text);
    assert_string_equal(f.reason, "bad_field");
    json_decref(rec);
}

static void test_refused(void **state)
{
    (void)state;
    /* An attestation, a reject record: not what --partial writes. */
    expect_refused("{\"type\":\"attestation\",\"v\":1}");
    expect_refused("{\"type\":\"reject\",\"v\":1,\"line\":1}");
    expect_refused("{\"type\":\"verify.unit\",\"v\":2,\"verdict\":\"pass\",\"line\":1,"
                   "\"offset\":0}");
    expect_refused("{\"type\":\"verify.unit\",\"v\":1,\"verdict\":\"maybe\",\"line\":1,"
                   "\"offset\":0}");
    expect_refused("{\"type\":\"verify.unit\",\"v\":1,\"verdict\":\"pass\",\"line\":0,"
                   "\"offset\":0}");
    /* A reject needs a reason word and a detail. */
    expect_refused("{\"type\":\"verify.unit\",\"v\":1,\"verdict\":\"reject\",\"line\":1,"
                   "\"offset\":0,\"detail\":\"x\"}");
    expect_refused("{\"type\":\"verify.unit\",\"v\":1,\"verdict\":\"reject\",\"line\":1,"
                   "\"offset\":0,\"detail\":\"x\",\"reason\":\"Bad Reason\"}");
    expect_refused("{\"type\":\"verify.unit\",\"v\":1,\"verdict\":\"reject\",\"line\":1,"
                   "\"offset\":0,\"detail\":\"x\",\"reason\":\"8bit\"}");
    /* A link needs its place in the chain. */
    expect_refused("{\"type\":\"verify.unit\",\"v\":1,\"verdict\":\"link\",\"line\":1,"
                   "\"offset\":0,\"device\":\"d\",\"seq\":1}");
    expect_refused("{\"type\":\"verify.end\",\"v\":1,\"source\":\"-\",\"lines\":-1,\"bytes\":0}");
    expect_refused("{\"type\":\"verify.begin\",\"v\":1}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_round_trip),
        cmocka_unit_test(test_begin_end),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
