#include "gc_verdict.h"

#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_time.h"
#include "banned.h"

static const char *const verdict_names[] = {
    [GC_VERDICT_REJECT] = "reject",
    [GC_VERDICT_PASS] = "pass",
    [GC_VERDICT_LINK] = "link",
    [GC_VERDICT_BOOK] = "book",
};

static void add_u64(struct gc_buf *out, const char *member, uint64_t n)
{
    char num[24];

    gc_buf_adds(out, member);
    gc_buf_add(out, num, gc_fmt_i64((int64_t)n, num));
}

static void add_hex(struct gc_buf *out, const char *member, const uint8_t h[GC_SHA256_LEN])
{
    char hex[2 * GC_SHA256_LEN + 1];

    gc_hex_encode(h, GC_SHA256_LEN, hex);
    gc_buf_addf(out, "%s\"%s\"", member, hex);
}

/* Members in canonical (sorted) order, as gc_filter writes rejects. */
void gc_verdict_format(const struct gc_verdict *v, const struct gc_line *line, struct gc_buf *out)
{
    bool link = v->kind == GC_VERDICT_LINK;
    bool failed = v->kind == GC_VERDICT_REJECT || (link && v->fail.reason != NULL);
    char ts[GC_TIME_LEN + 1];

    gc_buf_addc(out, '{');
    if (line->total_len > line->len) {
        add_u64(out, "\"bytes\":", line->total_len);
        gc_buf_addc(out, ',');
    }
    if (failed) {
        gc_buf_adds(out, "\"detail\":");
        gc_jcs_append_string(out, v->fail.detail, strlen(v->fail.detail));
        gc_buf_addc(out, ',');
    }
    if (link) {
        gc_buf_adds(out, "\"device\":");
        gc_jcs_append_string(out, v->device, strlen(v->device));
        add_hex(out, ",\"hash\":", v->hash);
        gc_buf_addc(out, ',');
    }
    add_u64(out, "\"line\":", line->line_no);
    add_u64(out, ",\"offset\":", line->offset);
    if (link)
        add_hex(out, ",\"prev\":", v->prev);
    if (failed) {
        gc_buf_adds(out, ",\"reason\":");
        gc_jcs_append_string(out, v->fail.reason, strlen(v->fail.reason));
    }
    if (link) {
        gc_time_format(v->ts, ts);
        add_u64(out, ",\"seq\":", (uint64_t)v->seq);
        gc_buf_addf(out, ",\"ts\":\"%s\"", ts);
    }
    gc_buf_addf(out, ",\"type\":\"verify.unit\",\"v\":1,\"verdict\":\"%s\"}\n",
                verdict_names[v->kind]);
}

void gc_partial_format_begin(const char *source, struct gc_buf *out)
{
    gc_buf_adds(out, "{\"source\":");
    gc_jcs_append_string(out, source, strlen(source));
    gc_buf_adds(out, ",\"type\":\"verify.begin\",\"v\":1}\n");
}

void gc_partial_format_end(const char *source, uint64_t lines, uint64_t bytes, struct gc_buf *out)
{
    add_u64(out, "{\"bytes\":", bytes);
    add_u64(out, ",\"lines\":", lines);
    gc_buf_adds(out, ",\"source\":");
    gc_jcs_append_string(out, source, strlen(source));
    gc_buf_adds(out, ",\"type\":\"verify.end\",\"v\":1}\n");
}

/* A reason is a lowercase word, as every reason gc-records(5) lists. */
static bool reason_valid(const char *s, size_t len)
{
    if (len == 0 || len >= sizeof(((struct gc_verdict *)0)->reason))
        return false;
    /* A word of the reasons in gc-records(5): lower case, digits after the first ("bad_utf8"). */
    if (!(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool parse_fail(const json_t *rec, struct gc_verdict *v, struct gc_fail *f)
{
    const char *reason, *detail;
    size_t reason_len, detail_len;

    if (!gc_field_str(rec, "reason", &reason, &reason_len, f) ||
        !gc_field_str(rec, "detail", &detail, &detail_len, f))
        return false;
    if (!reason_valid(reason, reason_len))
        return gc_fail(f, "bad_field", "field 'reason' must be a reason word");
    if (detail_len >= sizeof(v->fail.detail))
        return gc_fail(f, "bad_field", "field 'detail' is too long");
    memcpy(v->reason, reason, reason_len + 1);
    memcpy(v->fail.detail, detail, detail_len + 1);
    v->fail.reason = v->reason;
    return true;
}

static bool parse_unit(const json_t *rec, struct gc_verdict *v, struct gc_line *line,
                       struct gc_fail *f)
{
    const char *verdict;
    int64_t line_no, offset, bytes = 0;
    size_t kind;

    if (!gc_field_str(rec, "verdict", &verdict, NULL, f))
        return false;
    for (kind = 0; kind < sizeof(verdict_names) / sizeof(*verdict_names); kind++)
        if (strcmp(verdict, verdict_names[kind]) == 0)
            break;
    if (kind == sizeof(verdict_names) / sizeof(*verdict_names))
        return gc_fail(f, "bad_field", "field 'verdict' must be reject, pass, link or book");
    memset(v, 0, sizeof(*v));
    v->kind = (enum gc_verdict_kind)kind;
    if (!gc_field_int(rec, "line", 1, INT64_MAX, &line_no, f) ||
        !gc_field_int(rec, "offset", 0, INT64_MAX, &offset, f) ||
        (gc_field_present(rec, "bytes") && !gc_field_int(rec, "bytes", 1, INT64_MAX, &bytes, f)))
        return false;
    line->line_no = (uint64_t)line_no;
    line->offset = (uint64_t)offset;
    line->total_len = (uint64_t)bytes;
    if (v->kind == GC_VERDICT_REJECT ||
        (v->kind == GC_VERDICT_LINK && gc_field_present(rec, "reason")))
        if (!parse_fail(rec, v, f))
            return false;
    if (v->kind == GC_VERDICT_LINK)
        return gc_field_id_copy(rec, "device", v->device, f) &&
               gc_field_int(rec, "seq", 1, INT64_MAX, &v->seq, f) &&
               gc_field_hex(rec, "prev", v->prev, GC_SHA256_LEN, f) &&
               gc_field_hex(rec, "hash", v->hash, GC_SHA256_LEN, f) &&
               gc_field_time(rec, "ts", &v->ts, f);
    return true;
}

bool gc_partial_parse(const json_t *rec, enum gc_partial_mark *mark, struct gc_verdict *v,
                      struct gc_line *line, const char **source, uint64_t *lines, uint64_t *bytes,
                      struct gc_fail *f)
{
    const char *type;
    int64_t ver, n_lines, n_bytes;

    if (!gc_field_str(rec, "type", &type, NULL, f) || !gc_field_int(rec, "v", 1, 1, &ver, f))
        return false;
    if (strcmp(type, "verify.unit") == 0) {
        *mark = GC_PARTIAL_UNIT;
        return parse_unit(rec, v, line, f);
    }
    if (strcmp(type, "verify.begin") != 0 && strcmp(type, "verify.end") != 0)
        return gc_fail(f, "bad_field", "type '%s' is not one of gc-verify --partial", type);
    if (!gc_field_str(rec, "source", source, NULL, f))
        return false;
    if (strcmp(type, "verify.begin") == 0) {
        *mark = GC_PARTIAL_BEGIN;
        return true;
    }
    *mark = GC_PARTIAL_END;
    if (!gc_field_int(rec, "lines", 0, INT64_MAX, &n_lines, f) ||
        !gc_field_int(rec, "bytes", 0, INT64_MAX, &n_bytes, f))
        return false;
    *lines = (uint64_t)n_lines;
    *bytes = (uint64_t)n_bytes;
    return true;
}
