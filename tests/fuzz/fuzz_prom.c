/*
 * fuzz_prom — one line of the Prometheus text format (gc_prom_parse_line, gc_prom_label), what
 * the DCGM importer reads dcgm-exporter's /metrics with.
 *
 * The input is the line. Properties:
 *   - 1 fills the sample: a metric name of [a-zA-Z_:][a-zA-Z0-9_:]*, at most
 *     GC_PROM_MAX_LABELS distinct labels, none "__name__", NUL-terminated values; 0 and -1
 *     leave it empty, -1 with a reason;
 *   - the sample written back in the plainest form (no blanks but one before the value and the
 *     timestamp, values escaped) parses to the same sample;
 *   - gc_prom_label finds every label by its name.
 */
#include "harness.h"

#include <string.h>

#include "gc_prom.h"
#include "banned.h"

static bool name_char(char c, bool first, bool colon)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
           (!first && c >= '0' && c <= '9');
}

static void check_sample(const struct gc_prom_sample *s)
{
    FUZZ_CHECK(s->metric_len > 0, "empty metric name");
    for (size_t i = 0; i < s->metric_len; i++)
        FUZZ_CHECK(name_char(s->metric[i], i == 0, true), "metric name byte %zu", i);
    FUZZ_CHECK(s->value != NULL && s->value_len > 0, "no value");
    FUZZ_CHECK(s->n_labels <= GC_PROM_MAX_LABELS, "%zu labels", s->n_labels);
    for (size_t i = 0; i < s->n_labels; i++) {
        const struct gc_prom_label *l = &s->labels[i];
        char name[256];
        size_t len = 0;

        FUZZ_CHECK(l->name_len > 0, "empty label name");
        for (size_t k = 0; k < l->name_len; k++)
            FUZZ_CHECK(name_char(l->name[k], k == 0, false), "label name byte %zu", k);
        FUZZ_CHECK(!(l->name_len == 8 && memcmp(l->name, "__name__", 8) == 0), "__name__ taken");
        FUZZ_CHECK(l->value[l->value_len] == '\0', "label value not terminated");
        FUZZ_CHECK(memchr(l->value, '\0', l->value_len) == NULL, "NUL in a label value");
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(s->labels[j].name_len != l->name_len ||
                           memcmp(s->labels[j].name, l->name, l->name_len) != 0,
                       "label named twice");
        if (l->name_len < sizeof(name)) {
            memcpy(name, l->name, l->name_len);
            name[l->name_len] = '\0';
            FUZZ_CHECK(gc_prom_label(s, name, &len) == l->value && len == l->value_len,
                       "gc_prom_label does not find label %zu", i);
        }
    }
}

static void write_sample(const struct gc_prom_sample *s, struct gc_buf *out)
{
    gc_buf_add(out, s->metric, s->metric_len);
    if (s->n_labels > 0) {
        gc_buf_addc(out, '{');
        for (size_t i = 0; i < s->n_labels; i++) {
            const struct gc_prom_label *l = &s->labels[i];

            if (i)
                gc_buf_addc(out, ',');
            gc_buf_add(out, l->name, l->name_len);
            gc_buf_adds(out, "=\"");
            for (size_t k = 0; k < l->value_len; k++) {
                char c = l->value[k];

                if (c == '\\' || c == '"')
                    gc_buf_addc(out, '\\');
                if (c == '\n')
                    gc_buf_adds(out, "\\n");
                else
                    gc_buf_addc(out, c);
            }
            gc_buf_addc(out, '"');
        }
        gc_buf_addc(out, '}');
    }
    gc_buf_addc(out, ' ');
    gc_buf_add(out, s->value, s->value_len);
    if (s->has_ts)
        gc_buf_addf(out, " %lld", (long long)s->ts_ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gc_prom_sample s, t;
    struct gc_buf scratch = GC_BUF_INIT, scratch2 = GC_BUF_INIT, out = GC_BUF_INIT;
    struct gc_fail f = {NULL, ""};
    int rc;

    fuzz_init();
    rc = gc_prom_parse_line((const char *)data, size, &s, &scratch, &f);
    FUZZ_CHECK(rc >= -1 && rc <= 1, "returned %d", rc);
    if (rc <= 0) {
        FUZZ_CHECK(s.metric == NULL && s.value == NULL && s.n_labels == 0 && !s.has_ts,
                   "a sample left after %d", rc);
        if (rc < 0)
            fuzz_check_fail(&f);
        goto out;
    }
    check_sample(&s);

    write_sample(&s, &out);
    rc = gc_prom_parse_line(out.ptr, out.len, &t, &scratch2, &f);
    FUZZ_CHECK(rc == 1, "written back as '%s', it does not parse: %s", out.ptr,
               rc < 0 ? f.detail : "comment");
    FUZZ_CHECK(t.metric_len == s.metric_len && memcmp(t.metric, s.metric, s.metric_len) == 0,
               "metric changed");
    FUZZ_CHECK(t.value_len == s.value_len && memcmp(t.value, s.value, s.value_len) == 0,
               "value changed");
    FUZZ_CHECK(t.has_ts == s.has_ts && t.ts_ms == s.ts_ms, "timestamp changed");
    FUZZ_CHECK(t.n_labels == s.n_labels, "label count changed");
    for (size_t i = 0; i < s.n_labels; i++)
        FUZZ_CHECK(t.labels[i].name_len == s.labels[i].name_len &&
                       memcmp(t.labels[i].name, s.labels[i].name, s.labels[i].name_len) == 0 &&
                       t.labels[i].value_len == s.labels[i].value_len &&
                       memcmp(t.labels[i].value, s.labels[i].value, s.labels[i].value_len) == 0,
                   "label %zu changed", i);
out:
    gc_buf_release(&scratch);
    gc_buf_release(&scratch2);
    gc_buf_release(&out);
    return 0;
}
