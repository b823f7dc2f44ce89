/*
 * Unit tests for gc_prom: lines as dcgm-exporter writes them (HELP and TYPE
 * comments, the full DCGM label set, MIG labels, timestamps), the corners of
 * the grammar (empty label sets, trailing commas, escapes, blanks, every
 * value spelling), and every rejection with the column it names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gc_prom.h"
#include "banned.h"

#define POWER_LINE                                                                                 \
    "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e\","         \
    "device=\"nvidia0\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"node-7\","                  \
    "DCGM_FI_DRIVER_VERSION=\"550.54.15\"} 245.123000"

#define ENERGY_LINE                                                                                \
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\",UUID=\"GPU-9a1b2c3d-4e5f-6a7b-8c9d-"           \
    "0e1f2a3b4c5d\","                                                                              \
    "device=\"nvidia0\",modelName=\"NVIDIA A100-SXM4-40GB\",GPU_I_PROFILE=\"1g.5gb\","             \
    "GPU_I_ID=\"1\",Hostname=\"h\"} 123456789012 1793527200000"

/* Shared by every test: a scratch buffer kept across calls, as a caller would. */
struct fixture {
    struct gc_buf scratch;
    struct gc_prom_sample s;
    struct gc_fail f;
};

static int setup(void **state)
{
    static struct fixture fx;

    memset(&fx, 0, sizeof(fx));
    gc_buf_init(&fx.scratch);
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    gc_buf_release(&fx->scratch);
    return 0;
}

static int parse(struct fixture *fx, const char *line)
{
    memset(&fx->f, 0, sizeof(fx->f));
    return gc_prom_parse_line(line, strlen(line), &fx->s, &fx->scratch, &fx->f);
}

/* Parses LINE, which must be a sample. */
static void parse_ok(struct fixture *fx, const char *line)
{
    int ret = parse(fx, line);

    if (ret != 1)
        fail_msg("'%s': returned %d (%s)", line, ret, fx->f.detail);
}

static void assert_span(const char *p, size_t len, const char *want)
{
    assert_non_null(p);
    if (len != strlen(want) || memcmp(p, want, len) != 0)
        fail_msg("got '%.*s', want '%s'", (int)len, p, want);
}

/* Label NAME of the last sample is WANT, and is a C string. */
static void assert_label(struct fixture *fx, const char *name, const char *want)
{
    size_t len = (size_t)-1;
    const char *v = gc_prom_label(&fx->s, name, &len);

    if (v == NULL)
        fail_msg("no label '%s'", name);
    assert_span(v, len, want);
    assert_int_equal(v[len], '\0');
}

/* The 1-based column of the first AT in LINE. */
static size_t col(const char *line, const char *at)
{
    const char *p = strstr(line, at);

    if (p == NULL)
        fail_msg("'%s' not in '%s'", at, line);
    return (size_t)(p - line) + 1;
}

/* LEN bytes of LINE are refused, the detail holding NEEDLE and ending in "at column WANT_COL". */
static void expect_bad_n(struct fixture *fx, const char *line, size_t len, size_t want_col,
                         const char *needle)
{
    char tail[64];
    size_t dl, tl;
    int ret;

    memset(&fx->f, 0, sizeof(fx->f));
    ret = gc_prom_parse_line(line, len, &fx->s, &fx->scratch, &fx->f);
    if (ret != -1)
        fail_msg("'%.*s': returned %d, want -1", (int)len, line, ret);
    assert_non_null(fx->f.reason);
    assert_string_equal(fx->f.reason, "bad_prom");
    if (strstr(fx->f.detail, needle) == NULL)
        fail_msg("'%.*s': detail '%s' lacks '%s'", (int)len, line, fx->f.detail, needle);
    snprintf(tail, sizeof(tail), " at column %zu", want_col);
    dl = strlen(fx->f.detail);
    tl = strlen(tail);
    if (dl < tl || strcmp(fx->f.detail + dl - tl, tail) != 0)
        fail_msg("'%.*s': detail '%s' does not end in '%s'", (int)len, line, fx->f.detail, tail);
    /* A refused line leaves no sample behind. */
    assert_null(fx->s.metric);
    assert_null(fx->s.value);
    assert_int_equal(fx->s.n_labels, 0);
    assert_false(fx->s.has_ts);
}

static void expect_bad(struct fixture *fx, const char *line, size_t want_col, const char *needle)
{
    expect_bad_n(fx, line, strlen(line), want_col, needle);
}

static void test_help_and_type_are_comments(void **state)
{
    static const char *const lines[] = {
        "# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).",
        "# TYPE DCGM_FI_DEV_POWER_USAGE gauge",
        "# HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).",
        "# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter",
        "#",
        "# anything at all {\"\\q",
        "  \t# indented comment",
        "# HELP x y\r",
    };
    struct fixture *fx = *state;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        int ret = parse(fx, lines[i]);

        if (ret != 0)
            fail_msg("'%s': returned %d, want 0", lines[i], ret);
        assert_null(fx->s.metric);
        assert_int_equal(fx->s.n_labels, 0);
    }
}

static void test_blank_lines(void **state)
{
    static const char *const lines[] = {"", " ", "\t", "  \t  ", "\r", " \t\r"};
    struct fixture *fx = *state;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        assert_int_equal(parse(fx, lines[i]), 0);
    /* A zero length with a NULL line is blank too. */
    assert_int_equal(gc_prom_parse_line(NULL, 0, &fx->s, &fx->scratch, &fx->f), 0);
}

static void test_dcgm_power_usage(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx, POWER_LINE);
    assert_span(fx->s.metric, fx->s.metric_len, "DCGM_FI_DEV_POWER_USAGE");
    assert_int_equal(fx->s.n_labels, 6);
    assert_span(fx->s.labels[0].name, fx->s.labels[0].name_len, "gpu");
    assert_span(fx->s.labels[5].name, fx->s.labels[5].name_len, "DCGM_FI_DRIVER_VERSION");
    assert_label(fx, "gpu", "0");
    assert_label(fx, "UUID", "GPU-5fd4c5d2-8f36-1c5e-6a5b-3f0e1b2c4d5e");
    assert_label(fx, "device", "nvidia0");
    assert_label(fx, "modelName", "NVIDIA H100 80GB HBM3");
    assert_label(fx, "Hostname", "node-7");
    assert_label(fx, "DCGM_FI_DRIVER_VERSION", "550.54.15");
    assert_span(fx->s.value, fx->s.value_len, "245.123000");
    assert_false(fx->s.has_ts);
    assert_int_equal(fx->s.ts_ms, 0);
    /* Metric name and value point into the line itself. */
    assert_ptr_equal(fx->s.metric, POWER_LINE);
}

static void test_dcgm_energy_with_timestamp(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx, ENERGY_LINE);
    assert_span(fx->s.metric, fx->s.metric_len, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION");
    assert_int_equal(fx->s.n_labels, 7);
    assert_label(fx, "modelName", "NVIDIA A100-SXM4-40GB");
    assert_label(fx, "GPU_I_PROFILE", "1g.5gb");
    assert_label(fx, "GPU_I_ID", "1");
    assert_label(fx, "Hostname", "h");
    assert_span(fx->s.value, fx->s.value_len, "123456789012");
    assert_true(fx->s.has_ts);
    assert_int_equal(fx->s.ts_ms, 1793527200000LL);
}

static void test_dcgm_gpu_util(void **state)
{
    struct fixture *fx = *state;

    parse_ok(
        fx, "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\"} 87");
    assert_span(fx->s.metric, fx->s.metric_len, "DCGM_FI_DEV_GPU_UTIL");
    assert_int_equal(fx->s.n_labels, 2);
    assert_label(fx, "gpu", "1");
    assert_label(fx, "UUID", "GPU-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0");
    assert_span(fx->s.value, fx->s.value_len, "87");
}

static void test_crlf_stripped(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx, "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 41\r");
    assert_span(fx->s.value, fx->s.value_len, "41");
    parse_ok(fx, "m{a=\"b\"} 1 1793527200000\r");
    assert_int_equal(fx->s.ts_ms, 1793527200000LL);
    parse_ok(fx, "m 2 \r");
    assert_span(fx->s.value, fx->s.value_len, "2");
    /* Only one, and only at the end. */
    expect_bad(fx, "m 1\r\r", 3, "value is not a number");
    expect_bad(fx, "m\r 1", 2, "bad character in metric name");
}

static void test_no_labels(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx, "up 1");
    assert_span(fx->s.metric, fx->s.metric_len, "up");
    assert_int_equal(fx->s.n_labels, 0);
    assert_null(gc_prom_label(&fx->s, "gpu", NULL));
    parse_ok(fx, "process_start_time_seconds 1.7e+09 -5");
    assert_span(fx->s.value, fx->s.value_len, "1.7e+09");
    assert_int_equal(fx->s.ts_ms, -5);
    parse_ok(fx, "_:colon:name_9 0");
    assert_span(fx->s.metric, fx->s.metric_len, "_:colon:name_9");
    parse_ok(fx, ":m 0");
    assert_span(fx->s.metric, fx->s.metric_len, ":m");
}

static void test_empty_label_set(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx, "m{} 1");
    assert_span(fx->s.metric, fx->s.metric_len, "m");
    assert_int_equal(fx->s.n_labels, 0);
    assert_span(fx->s.value, fx->s.value_len, "1");
    parse_ok(fx, "m { \t } 1 2");
    assert_int_equal(fx->s.n_labels, 0);
    assert_int_equal(fx->s.ts_ms, 2);
}

static void test_trailing_comma(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx, "m{a=\"1\",} 2");
    assert_int_equal(fx->s.n_labels, 1);
    assert_label(fx, "a", "1");
    parse_ok(fx, "m{a=\"1\",b=\"2\" , } 2");
    assert_int_equal(fx->s.n_labels, 2);
    assert_label(fx, "b", "2");
    /* A comma alone, or two, is not a label. */
    expect_bad(fx, "m{,} 1", 3, "label name expected");
    expect_bad(fx, "m{a=\"1\",,} 1", 9, "label name expected");
}

static void test_escapes_in_values(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx,
             "m{a=\"back\\\\slash\",b=\"say \\\"hi\\\"\",c=\"two\\nlines\",d=\"\",e=\"\\\\n\"} 1");
    assert_int_equal(fx->s.n_labels, 5);
    assert_label(fx, "a", "back\\slash");
    assert_label(fx, "b", "say \"hi\"");
    assert_label(fx, "c", "two\nlines");
    assert_label(fx, "d", "");
    assert_label(fx, "e", "\\n");
    /* Braces, commas, '=' and '#' inside a value are just bytes; so is UTF-8. */
    parse_ok(fx, "m{a=\"{x=1,y}#\",b=\"caf\xc3\xa9 \xe2\x82\xac\"} 1");
    assert_label(fx, "a", "{x=1,y}#");
    assert_label(fx, "b", "caf\xc3\xa9 \xe2\x82\xac");
}

static void test_blanks_between_parts(void **state)
{
    struct fixture *fx = *state;

    parse_ok(fx, " \tm \t{ a = \"1\" ,\tb=\"2\" }\t 3.5 \t 42 \t");
    assert_span(fx->s.metric, fx->s.metric_len, "m");
    assert_int_equal(fx->s.n_labels, 2);
    assert_label(fx, "a", "1");
    assert_label(fx, "b", "2");
    assert_span(fx->s.value, fx->s.value_len, "3.5");
    assert_true(fx->s.has_ts);
    assert_int_equal(fx->s.ts_ms, 42);
    /* Blanks inside a quoted value are kept. */
    parse_ok(fx, "m{a=\" \t x \"} 1");
    assert_label(fx, "a", " \t x ");
    /* Trailing blanks after the value alone: no timestamp. */
    parse_ok(fx, "m 7   ");
    assert_false(fx->s.has_ts);
}

static void test_values_accepted(void **state)
{
    static const char *const values[] = {
        "0",
        "87",
        "-1",
        "+1",
        "1.",
        ".5",
        "-.5",
        "245.123000",
        "1e3",
        "1E-3",
        "1.2e+06",
        "007",
        "NaN",
        "nan",
        "NAN",
        "+Inf",
        "-Inf",
        "Inf",
        "+inf",
        "-INF",
        "Infinity",
        "-infinity",
        "1.7976931348623157e+308",
        "4.9e-324",
    };
    struct fixture *fx = *state;
    char line[128];

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        snprintf(line, sizeof(line), "m{gpu=\"0\"} %s", values[i]);
        parse_ok(fx, line);
        assert_span(fx->s.value, fx->s.value_len, values[i]);
    }
}

static void test_values_refused(void **state)
{
    static const char *const values[] = {
        "abc",  "1e",  "1e+",  "1.2.3", "0x10",  "--1",  ".",    "+",   "-",     "e5",  "1_000",
        "+NaN", "1,5", "Inff", "In",    "1e3.5", "1ee3", "NaN1", "0b1", "\"1\"", "1e-", "infinit",
    };
    struct fixture *fx = *state;
    char line[128];

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        snprintf(line, sizeof(line), "m{gpu=\"0\"} %s", values[i]);
        expect_bad(fx, line, 12, "value is not a number");
    }
}

static void test_timestamps(void **state)
{
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {
        {"0", 0},
        {"-0", 0},
        {"-1", -1},
        {"1793527200000", 1793527200000LL},
        {"-62135596800000", -62135596800000LL},
        {"9223372036854775807", INT64_MAX},
        {"-9223372036854775808", INT64_MIN},
        {"0001793527200000", 1793527200000LL},
    };
    struct fixture *fx = *state;
    char line[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(line, sizeof(line), "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 87 %s", cases[i].text);
        parse_ok(fx, line);
        assert_true(fx->s.has_ts);
        if (fx->s.ts_ms != cases[i].ms)
            fail_msg("'%s': ts %lld, want %lld", line, (long long)fx->s.ts_ms,
                     (long long)cases[i].ms);
    }
}

static void test_label_lookup(void **state)
{
    struct fixture *fx = *state;
    size_t len = 12345;

    parse_ok(fx, "m{gpu=\"0\",gpu_x=\"1\",g=\"2\"} 1");
    assert_null(gc_prom_label(&fx->s, "gp", &len));
    assert_null(gc_prom_label(&fx->s, "gpu_", &len));
    assert_null(gc_prom_label(&fx->s, "GPU", &len));
    assert_null(gc_prom_label(&fx->s, "", &len));
    assert_int_equal(len, 12345); /* untouched when there is no such label */
    assert_label(fx, "gpu", "0");
    assert_label(fx, "gpu_x", "1");
    assert_label(fx, "g", "2");
    assert_string_equal(gc_prom_label(&fx->s, "gpu_x", NULL), "1");
}

static void test_scratch_grows_and_resets(void **state)
{
    struct fixture *fx = *state;
    struct gc_buf line = GC_BUF_INIT;
    struct gc_buf fresh = GC_BUF_INIT;
    char big[2000];
    size_t first_cap;

    /* Values long enough that the scratch buffer moves several times during one line. */
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    gc_buf_adds(&line, "m{");
    for (int i = 0; i < 10; i++)
        gc_buf_addf(&line, "l%d=\"%d%s\\\\\",", i, i, big);
    gc_buf_adds(&line, "} 1");
    parse_ok(fx, line.ptr);
    assert_int_equal(fx->s.n_labels, 10);
    for (size_t i = 0; i < 10; i++) {
        const char *v = fx->s.labels[i].value;

        assert_int_equal(fx->s.labels[i].value_len, sizeof(big) + 1);
        assert_int_equal(v[0], '0' + (int)i);
        assert_memory_equal(v + 1, big, sizeof(big) - 1);
        assert_int_equal(v[sizeof(big)], '\\');
        assert_int_equal(v[sizeof(big) + 1], '\0');
    }
    first_cap = fx->scratch.cap;

    /* The next call starts over in the same storage. */
    parse_ok(fx, "m{a=\"short\"} 1");
    assert_int_equal(fx->scratch.cap, first_cap);
    assert_ptr_equal(fx->s.labels[0].value, fx->scratch.ptr);
    assert_label(fx, "a", "short");

    /* A scratch buffer that was never initialized past GC_BUF_INIT works too. */
    assert_int_equal(gc_prom_parse_line("m{a=\"b\"} 1", 10, &fx->s, &fresh, &fx->f), 1);
    assert_label(fx, "a", "b");
    gc_buf_release(&fresh);
    gc_buf_release(&line);
}

static void test_max_labels(void **state)
{
    struct fixture *fx = *state;
    struct gc_buf line = GC_BUF_INIT;
    size_t at;

    gc_buf_adds(&line, "m{");
    for (int i = 0; i < GC_PROM_MAX_LABELS; i++)
        gc_buf_addf(&line, "l%02d=\"%d\",", i, i);
    at = line.len;
    gc_buf_adds(&line, "} 1");
    parse_ok(fx, line.ptr);
    assert_int_equal(fx->s.n_labels, GC_PROM_MAX_LABELS);
    assert_label(fx, "l31", "31");

    /* One more is refused at its name. */
    line.len = at;
    gc_buf_adds(&line, "extra=\"x\"} 1");
    expect_bad(fx, line.ptr, at + 1, "more than 32 labels");
    gc_buf_release(&line);
}

static void test_refuse_missing_value(void **state)
{
    struct fixture *fx = *state;
    const char *l1 = "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-x\"}";
    const char *l2 = "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\"}   ";

    expect_bad(fx, l1, strlen(l1) + 1, "missing value");
    expect_bad(fx, l2, strlen(l2) + 1, "missing value");
    expect_bad(fx, "up", 3, "missing value");
    expect_bad(fx, "up \t\r", 5, "missing value");
}

static void test_refuse_unterminated_quote(void **state)
{
    struct fixture *fx = *state;
    const char *l1 = "DCGM_FI_DEV_GPU_UTIL{gpu=\"1,UUID=\"GPU-x\"} 87";
    const char *l2 = "m{a=\"abc} 1";
    const char *l3 = "m{a=\"abc\\";
    const char *l4 = "m{a=\"abc\\\"} 1";

    /* l1 closes its value at UUID=", then finds G where ',' or '}' should be. */
    expect_bad(fx, l1, col(l1, "GPU-"), "',' or '}' expected");
    expect_bad(fx, l2, col(l2, "\""), "unterminated label value");
    expect_bad(fx, l3, col(l3, "\""), "unterminated label value");
    expect_bad(fx, l4, col(l4, "\""), "unterminated label value");
    expect_bad(fx, "m{a=\"b\"", 8, "unterminated label set");
    expect_bad(fx, "m{a=\"b\",", 9, "unterminated label set");
    expect_bad(fx, "m{", 3, "unterminated label set");
}

static void test_refuse_bad_escape(void **state)
{
    static const char *const lines[] = {
        "m{a=\"x\\ty\"} 1", "m{a=\"x\\'y\"} 1", "m{a=\"x\\ry\"} 1",
        "m{a=\"x\\uy\"} 1", "m{a=\"x\\ y\"} 1", "m{a=\"x\\Ny\"} 1",
    };
    struct fixture *fx = *state;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        expect_bad(fx, lines[i], col(lines[i], "\\"), "bad escape");
}

static void test_refuse_duplicate_label(void **state)
{
    struct fixture *fx = *state;
    const char *l1 = "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-x\",gpu=\"1\"} 87";
    const char *l2 = "m{a=\"1\", a=\"1\"} 1";

    expect_bad(fx, l1, col(l1, ",gpu") + 1, "duplicate label 'gpu'");
    expect_bad(fx, l2, col(l2, " a") + 1, "duplicate label 'a'");
    /* Names differing in case are different labels. */
    parse_ok(fx, "m{a=\"1\",A=\"2\"} 1");
    assert_label(fx, "A", "2");
}

static void test_refuse_label_without_equals(void **state)
{
    struct fixture *fx = *state;
    const char *l1 = "m{gpu} 1";
    const char *l2 = "m{gpu \"0\"} 1";
    const char *l3 = "m{gpu:x=\"0\"} 1";

    expect_bad(fx, l1, col(l1, "}"), "'=' expected");
    expect_bad(fx, l2, col(l2, "\""), "'=' expected");
    expect_bad(fx, l3, col(l3, ":"), "'=' expected"); /* ':' is for metric names only */
    expect_bad(fx, "m{gpu=0} 1", 7, "'\"' expected");
    expect_bad(fx, "m{gpu='0'} 1", 7, "'\"' expected");
}

static void test_refuse_bad_metric_name(void **state)
{
    struct fixture *fx = *state;

    expect_bad(fx, "0DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 87", 1, "metric name must start");
    expect_bad(fx, "  9m 1", 3, "metric name must start");
    expect_bad(fx, "{gpu=\"0\"} 87", 1, "metric name must start");
    expect_bad(fx, "-m 1", 1, "metric name must start");
    expect_bad(fx, "DCGM-FI 1", 5, "bad character in metric name");
    expect_bad(fx, "m.x 1", 2, "bad character in metric name");
    expect_bad(fx, "m\xc3\xa9 1", 2, "bad character in metric name");
    expect_bad(fx, "m{0gpu=\"0\"} 1", 3, "label name expected");
    expect_bad(fx, "m{__name__=\"x\"} 1", 3, "reserved label name");
}

static void test_refuse_garbage_after_timestamp(void **state)
{
    struct fixture *fx = *state;
    const char *l1 = "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 87 1793527200000 x";
    const char *l2 = "m 1 2 3";
    const char *l3 = "m 1 2 # comment";

    expect_bad(fx, l1, strlen(l1), "unexpected text after the timestamp");
    expect_bad(fx, l2, 7, "unexpected text after the timestamp");
    expect_bad(fx, l3, 7, "unexpected text after the timestamp");
}

static void test_refuse_bad_timestamp(void **state)
{
    static const char *const stamps[] = {
        "1.5",
        "1e3",
        "+5",
        "-",
        "--1",
        "0x10",
        "12a",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999",
        "1793527200000.0",
        "NaN",
    };
    struct fixture *fx = *state;
    char line[128];

    for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
        snprintf(line, sizeof(line), "m{gpu=\"0\"} 87 %s", stamps[i]);
        expect_bad(fx, line, 15, "timestamp is not a 64-bit integer");
    }
}

static void test_refuse_other_shapes(void **state)
{
    struct fixture *fx = *state;
    static const char nul_line[] = "m{a=\"x\0y\"} 1";
    const char *l_blank = "m{a=\"b\"}1";

    /* A NUL byte, counted in LEN, wherever it is. */
    expect_bad_n(fx, nul_line, sizeof(nul_line) - 1, 7, "NUL byte");
    expect_bad(fx, "m 1\n", 4, "newline");
    expect_bad(fx, "m{a=\"x\ny\"} 1", 7, "newline");
    expect_bad(fx, l_blank, col(l_blank, "}1") + 1, "blank expected after '}'");
    expect_bad(fx, "m{a=\"1\" b=\"2\"} 1", 9, "',' or '}' expected");
    expect_bad(fx, "m{a=\"1\"}} 1", 9, "blank expected after '}'");
    expect_bad(fx, "m{a=\"1\"} {b=\"2\"} 1", 10, "value is not a number");
    expect_bad(fx, "m 1 2\r\n", 7, "newline");
}

static void test_bytes_passed_through(void **state)
{
    struct fixture *fx = *state;

    /* UTF-8 is the caller's to check (gc_utf8_valid on the line): other bytes are kept as they are.
     */
    parse_ok(fx, "m{a=\"\xff\",b=\"\xc0\xaf\\\\\x80\"} 1");
    assert_label(fx, "a", "\xff");
    assert_label(fx, "b", "\xc0\xaf\\\x80");
}

static void test_refused_after_accepted(void **state)
{
    struct fixture *fx = *state;

    /* A sample, then a refusal, then a comment: nothing of the first survives. */
    parse_ok(fx, ENERGY_LINE);
    assert_int_equal(fx->s.n_labels, 7);
    expect_bad(fx, "m{a=\"1\",b=\"2\",a=\"3\"} 4 5", 15, "duplicate label 'a'");
    assert_int_equal(parse(fx, "# TYPE m gauge"), 0);
    assert_int_equal(fx->s.n_labels, 0);
    assert_null(fx->s.metric);
    assert_false(fx->s.has_ts);
    assert_int_equal(fx->scratch.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_and_type_are_comments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blank_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dcgm_power_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dcgm_energy_with_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dcgm_gpu_util, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crlf_stripped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_label_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_comma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes_in_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blanks_between_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_label_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scratch_grows_and_resets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_missing_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_unterminated_quote, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_bad_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_duplicate_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_label_without_equals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_bad_metric_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_garbage_after_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_bad_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_other_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bytes_passed_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_after_accepted, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
