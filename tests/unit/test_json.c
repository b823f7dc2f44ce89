/*
 * Unit tests for gc_json: the RFC 8785 vectors under tests/vectors/rfc8785-jcs/ (GC_VECTORS
 * overrides the tests/vectors directory), ECMAScript number formatting (RFC 8785 Appendix B and
 * values checked with node's String(x)), string escaping, UTF-16 key order against a reference
 * comparator, gc_jcs_append_without and gc_jcs_insert_member against canonicalizing the edited
 * object, strict parsing, UTF-8 validation against the table of well-formed sequences in
 * Unicode §3.9, and the strict field getters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_test.h"
#include "banned.h"

#define ARRAY_LEN(a)    (sizeof(a) / sizeof((a)[0]))
#define JCS_VECTORS     6 /* files in rfc8785-jcs/input */
#define PATH_MAX_LEN    4096
#define ORDER_OBJECTS   3000
#define INSERT_OBJECTS  3000
#define RANDOM_DOUBLES  200000
#define SENTINEL_I64    ((int64_t)0x5a5a5a5a5a5a5a5aLL)
#define UTF16_MAX_UNITS 512

/* --- helpers ------------------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng() % n);
}

static const char *vectors_root(void)
{
    return gc_test_vectors();
}

/* Reads the whole file at PATH into OUT (reset first); fails the test if it cannot. */
static void read_file(const char *path, struct gc_buf *out)
{
    char chunk[4096];
    FILE *fp = fopen(path, "rb");
    size_t n;

    if (fp == NULL)
        fail_msg("cannot open '%s': %s", path, strerror(errno));
    gc_buf_reset(out);
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        gc_buf_add(out, chunk, n);
    assert_false(ferror(fp));
    fclose(fp);
}

/* Parses TEXT with jansson (duplicates refused, any top-level value); fails the test if it cannot.
 */
static json_t *load(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);

    if (v == NULL)
        fail_msg("test input '%s' does not parse: %s", text, err.text);
    return v;
}

static void expect_jcs(const json_t *v, const char *want)
{
    struct gc_buf out = GC_BUF_INIT;

    gc_jcs_append(&out, v);
    if (out.len != strlen(want) || memcmp(out.ptr, want, out.len) != 0)
        fail_msg("canonical form '%s', want '%s'", out.ptr, want);
    gc_buf_release(&out);
}

static void expect_jcs_text(const char *text, const char *want)
{
    json_t *v = load(text);

    expect_jcs(v, want);
    json_decref(v);
}

/*
 * Reference UTF-16 conversion of valid UTF-8, written independently of gc_json: decode each
 * code point and emit one unit or a surrogate pair.
 */
static size_t utf16_units(const char *s, uint16_t *out, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;

    while (*p) {
        uint32_t cp;

        if (*p < 0x80) {
            cp = *p++;
        } else if (*p < 0xe0) {
            cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
            p += 2;
        } else if (*p < 0xf0) {
            cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
            p += 3;
        } else {
            cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
                 (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
            p += 4;
        }
        assert_true(n + 2 <= max);
        if (cp >= 0x10000) {
            out[n++] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
            out[n++] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            out[n++] = (uint16_t)cp;
        }
    }
    return n;
}

static int ref_utf16_cmp(const char *a, const char *b)
{
    uint16_t ua[UTF16_MAX_UNITS], ub[UTF16_MAX_UNITS];
    size_t na = utf16_units(a, ua, UTF16_MAX_UNITS), nb = utf16_units(b, ub, UTF16_MAX_UNITS);

    for (size_t i = 0; i < na && i < nb; i++)
        if (ua[i] != ub[i])
            return ua[i] < ub[i] ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

static int ref_key_cmp(const void *a, const void *b)
{
    return ref_utf16_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* --- RFC 8785 vectors --------------------------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Decodes "7b 22 ..." (hex byte pairs separated by white space) into OUT. */
static void decode_outhex(const struct gc_buf *text, struct gc_buf *out)
{
    struct gc_buf digits = GC_BUF_INIT;

    for (size_t i = 0; i < text->len; i++)
        if (text->ptr[i] != ' ' && text->ptr[i] != '\n' && text->ptr[i] != '\r' &&
            text->ptr[i] != '\t')
            gc_buf_addc(&digits, text->ptr[i]);
    assert_int_equal(digits.len % 2, 0);
    gc_buf_reset(out);
    gc_buf_grow(out, digits.len / 2);
    assert_true(gc_hex_decode(digits.ptr, digits.len, (uint8_t *)out->ptr, digits.len / 2));
    out->len = digits.len / 2;
    out->ptr[out->len] = '\0';
    gc_buf_release(&digits);
}

static void check_jcs_vector(const char *root, const char *name)
{
    char path[PATH_MAX_LEN], stem[256];
    struct gc_buf in = GC_BUF_INIT, want = GC_BUF_INIT, hex = GC_BUF_INIT, bytes = GC_BUF_INIT,
                  got = GC_BUF_INIT;
    json_error_t err;
    json_t *v;
    int w;

    w = snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(name) - strlen(".json")), name);
    assert_true(w > 0 && (size_t)w < sizeof(stem));

    w = snprintf(path, sizeof(path), "%s/rfc8785-jcs/input/%s", root, name);
    assert_true(w > 0 && (size_t)w < sizeof(path));
    read_file(path, &in);
    v = json_loadb(in.ptr, in.len, JSON_REJECT_DUPLICATES, &err);
    if (v == NULL)
        fail_msg("%s: %s at line %d", path, err.text, err.line);
    gc_jcs_append(&got, v);
    json_decref(v);

    w = snprintf(path, sizeof(path), "%s/rfc8785-jcs/output/%s", root, name);
    assert_true(w > 0 && (size_t)w < sizeof(path));
    read_file(path, &want);
    if (got.len != want.len || memcmp(got.ptr, want.ptr, got.len) != 0)
        fail_msg("%s: canonical form\n%s\nwant\n%s", name, got.ptr, want.ptr);

    w = snprintf(path, sizeof(path), "%s/rfc8785-jcs/outhex/%s.txt", root, stem);
    assert_true(w > 0 && (size_t)w < sizeof(path));
    read_file(path, &hex);
    decode_outhex(&hex, &bytes);
    if (got.len != bytes.len || memcmp(got.ptr, bytes.ptr, got.len) != 0)
        fail_msg("%s: canonical form differs from outhex/%s.txt", name, stem);

    gc_buf_release(&in);
    gc_buf_release(&want);
    gc_buf_release(&hex);
    gc_buf_release(&bytes);
    gc_buf_release(&got);
}

static void test_rfc8785_vectors(void **state)
{
    const char *root = vectors_root();
    char dir[PATH_MAX_LEN];
    bool seen_values = false, seen_weird = false;
    struct dirent *e;
    unsigned files = 0;
    DIR *d;
    int w;

    (void)state;
    w = snprintf(dir, sizeof(dir), "%s/rfc8785-jcs/input", root);
    assert_true(w > 0 && (size_t)w < sizeof(dir));
    d = opendir(dir);
    if (d == NULL)
        fail_msg("cannot open '%s': %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (!has_suffix(e->d_name, ".json"))
            fail_msg("unexpected file '%s' in %s", e->d_name, dir);
        check_jcs_vector(root, e->d_name);
        seen_values |= strcmp(e->d_name, "values.json") == 0;
        seen_weird |= strcmp(e->d_name, "weird.json") == 0;
        files++;
    }
    closedir(d);
    assert_int_equal(files, JCS_VECTORS);
    assert_true(seen_values);
    assert_true(seen_weird);
}

/* --- numbers ------------------------------------------------------------------------------ */

static void expect_double(double d, const char *want)
{
    struct gc_buf out = GC_BUF_INIT;

    /* The table itself must be right: the expected text reads back as D. */
    if (strtod(want, NULL) != d)
        fail_msg("test table: '%s' does not read back as %.17g", want, d);
    gc_jcs_append_double(&out, d);
    if (strcmp(out.ptr, want) != 0)
        fail_msg("%.17g (%a) formatted as '%s', want '%s'", d, d, out.ptr, want);
    gc_buf_release(&out);
}

static double from_bits(uint64_t bits)
{
    double d;

    memcpy(&d, &bits, sizeof(d));
    return d;
}

/* Each expected string is what node 20 prints for String(x). */
static const struct {
    double d;
    const char *want;
} literal_cases[] = {
    {0.0, "0"},
    {-0.0, "0"},
    {1.0, "1"},
    {-1.0, "-1"},
    {0.1, "0.1"},
    {-0.1, "-0.1"},
    {0.5, "0.5"},
    {1.5, "1.5"},
    {-1.5, "-1.5"},
    {10.0, "10"},
    {100.0, "100"},
    /* 21 integer digits is the last plain form, then exponents. */
    {1e20, "100000000000000000000"},
    {1e21, "1e+21"},
    {1e22, "1e+22"},
    {123456789012345680000.0, "123456789012345680000"},
    {1.2345678901234568e21, "1.2345678901234568e+21"},
    {999999999999999999999.0, "1e+21"},
    /* Six leading zeros after the point is the last plain form, then exponents. */
    {0.000001, "0.000001"},
    {0.0000015, "0.0000015"},
    {0.000025, "0.000025"},
    {0.000123, "0.000123"},
    {1e-7, "1e-7"},
    {-1e-7, "-1e-7"},
    {1.5e-7, "1.5e-7"},
    {123e-20, "1.23e-18"},
    {1e-300, "1e-300"},
    {5e-324, "5e-324"},
    {-5e-324, "-5e-324"},
    {4.94e-324, "5e-324"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {2.2250738585072009e-308, "2.225073858507201e-308"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {1e308, "1e+308"},
    /* 2^53 + 1 is not a double: it rounds to 2^53. */
    {9007199254740993.0, "9007199254740992"},
    {9007199254740992.0, "9007199254740992"},
    {9007199254740991.0, "9007199254740991"},
    {9223372036854775808.0, "9223372036854776000"},
    {18446744073709551616.0, "18446744073709552000"},
    {0.30000000000000004, "0.30000000000000004"},
    {0.3, "0.3"},
    {1.0 / 3.0, "0.3333333333333333"},
    {2.0 / 3.0, "0.6666666666666666"},
    {1.0000000000000002, "1.0000000000000002"},
    {4.35, "4.35"},
    {3.14159, "3.14159"},
    {12345.6789, "12345.6789"},
    {333333333.33333329, "333333333.3333333"},
    {1e23, "1e+23"},
    {56.0, "56"},
};

/*
 * RFC 8785 Appendix B (IEEE 754 bits -> JSON text), the same format as the es6testfile of
 * cyberphone/json-canonicalization, and powers of two where the doubles below are closer than
 * those above, so the shortest string is not the nearest one at that length.
 */
static const struct {
    uint64_t bits;
    const char *want;
} bits_cases[] = {
    {0x0000000000000000ULL, "0"},
    {0x8000000000000000ULL, "0"},
    {0x0000000000000001ULL, "5e-324"},
    {0x8000000000000001ULL, "-5e-324"},
    {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
    {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
    {0x4340000000000000ULL, "9007199254740992"},
    {0xc340000000000000ULL, "-9007199254740992"},
    {0x4430000000000000ULL, "295147905179352830000"},
    {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
    {0x44b52d02c7e14af6ULL, "1e+23"},
    {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
    {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
    {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
    {0x444b1ae4d6e2ef50ULL, "1e+21"},
    {0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
    {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
    {0x41b3de4355555553ULL, "333333333.3333332"},
    {0x41b3de4355555554ULL, "333333333.33333325"},
    {0x41b3de4355555555ULL, "333333333.3333333"},
    {0x41b3de4355555556ULL, "333333333.3333334"},
    {0x41b3de4355555557ULL, "333333333.33333343"},
    {0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
    {0x43143ff3c1cb0959ULL, "1424953923781206.2"},
    /* Largest subnormal, smallest normal, 1 + ulp. */
    {0x000fffffffffffffULL, "2.225073858507201e-308"},
    {0x0010000000000000ULL, "2.2250738585072014e-308"},
    {0x3ff0000000000001ULL, "1.0000000000000002"},
    {0xbff0000000000001ULL, "-1.0000000000000002"},
    {0x433fffffffffffffULL, "9007199254740991"},
    /* Powers of two: the nearest 16-digit decimal misses, the one above it reads back. */
    {0x3e70000000000000ULL, "5.960464477539063e-8"},
    {0x3d30000000000000ULL, "5.684341886080802e-14"},
    {0x0060000000000000ULL, "7.120236347223045e-307"},
    {0x2020000000000000ULL, "5.966672584960166e-154"},
    {0x4580000000000000ULL, "6.189700196426902e+26"},
    {0x4b50000000000000ULL, "6.129982163463556e+54"},
};

static void test_double_literals(void **state)
{
    (void)state;
    assert_true(ARRAY_LEN(literal_cases) + ARRAY_LEN(bits_cases) >= 40);
    for (size_t i = 0; i < ARRAY_LEN(literal_cases); i++)
        expect_double(literal_cases[i].d, literal_cases[i].want);
}

static void test_double_bits(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bits_cases); i++)
        expect_double(from_bits(bits_cases[i].bits), bits_cases[i].want);
}

/*
 * Random finite doubles: the text reads back exactly, has at most 17 significant digits, and
 * is laid out as ECMAScript does it (no '+' before a plain number, exponent only outside
 * 1e-7 < |d| < 1e21, no trailing zeros in a fraction).
 */
static void test_double_random_round_trip(void **state)
{
    struct gc_buf out = GC_BUF_INIT;

    (void)state;
    for (int i = 0; i < RANDOM_DOUBLES; i++) {
        double d = from_bits(rng()), a;
        const char *e, *dot;
        size_t digits = 0;

        if (d != d || d - d != 0) /* NaN or infinite */
            continue;
        gc_buf_reset(&out);
        gc_jcs_append_double(&out, d);
        if (strtod(out.ptr, NULL) != d)
            fail_msg("%a formatted as '%s', which reads back as %a", d, out.ptr,
                     strtod(out.ptr, NULL));
        e = strchr(out.ptr, 'e');
        dot = strchr(out.ptr, '.');
        a = d < 0 ? -d : d;
        for (const char *p = out.ptr; *p && p != e; p++)
            digits += *p >= '0' && *p <= '9';
        if ((e != NULL) != (a != 0 && (a < 1e-6 || a >= 1e21)))
            fail_msg("%a formatted as '%s': exponent form is wrong", d, out.ptr);
        if (dot != NULL && (e != NULL ? e[-1] : out.ptr[out.len - 1]) == '0')
            fail_msg("%a formatted as '%s': trailing zero in the fraction", d, out.ptr);
        if (e == NULL && dot == NULL) {
            /* Plain integers carry the exact digits up to 17, then zeros. */
            assert_true(digits <= 21);
        } else {
            size_t lead = 0;

            for (const char *p = out.ptr; *p == '-' || *p == '0' || *p == '.'; p++)
                lead += *p == '0';
            assert_true(digits - lead <= 17);
        }
    }
    gc_buf_release(&out);
}

static void test_reals_in_documents(void **state)
{
    (void)state;
    expect_jcs_text("[1.0, -0.0, 1E30, 4.50, 2e-3, 0.000000000000000000000000001, 1e-7]",
                    "[1,0,1e+30,4.5,0.002,1e-27,1e-7]");
    expect_jcs_text("{\"n\": 56.0}", "{\"n\":56}");
}

/* Integers are written exactly even past 2^53 (documented deviation from the RFC). */
static void test_big_integers_exact(void **state)
{
    struct gc_fail f = {0};
    const char line[] = "{\"a\":9007199254740993,\"b\":-9007199254740993,"
                        "\"c\":9223372036854775807,\"d\":-9223372036854775808,\"e\":-0}";
    json_t *v;

    (void)state;
    v = gc_json_parse_object(line, strlen(line), &f);
    assert_non_null(v);
    expect_jcs(v, "{\"a\":9007199254740993,\"b\":-9007199254740993,\"c\":9223372036854775807,"
                  "\"d\":-9223372036854775808,\"e\":0}");
    json_decref(v);

    v = json_integer(INT64_MAX);
    expect_jcs(v, "9223372036854775807");
    json_decref(v);
    v = json_integer(INT64_MIN);
    expect_jcs(v, "-9223372036854775808");
    json_decref(v);
    v = json_integer((json_int_t)1 << 60 | 1);
    expect_jcs(v, "1152921504606846977");
    json_decref(v);
}

/* --- strings ------------------------------------------------------------------------------ */

static void expect_escaped(const char *s, size_t len, const char *want)
{
    struct gc_buf out = GC_BUF_INIT;

    gc_jcs_append_string(&out, s, len);
    if (out.len != strlen(want) || memcmp(out.ptr, want, out.len) != 0)
        fail_msg("string escaped as '%s', want '%s'", out.ptr, want);
    gc_buf_release(&out);
}

static void test_string_control_chars(void **state)
{
    static const char *const named[0x20] = {
        ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
    };

    (void)state;
    for (unsigned c = 0; c < 0x20; c++) {
        char in[3] = {'a', (char)c, 'z'}, want[16];

        if (named[c] != NULL)
            snprintf(want, sizeof(want), "\"a%sz\"", named[c]);
        else
            snprintf(want, sizeof(want), "\"a\\u%04xz\"", c);
        expect_escaped(in, sizeof(in), want);
    }
    /* Lower-case hex digits. */
    expect_escaped("\x1f\x1a\x0b", 3, "\"\\u001f\\u001a\\u000b\"");
    expect_escaped("\0", 1, "\"\\u0000\"");
}

static void test_string_literal_chars(void **state)
{
    (void)state;
    expect_escaped("", 0, "\"\"");
    expect_escaped("\"", 1, "\"\\\"\"");
    expect_escaped("\\", 1, "\"\\\\\"");
    expect_escaped("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    /* DEL, '/', U+2028, U+2029 and all other non-ASCII stay literal. */
    expect_escaped("\x7f", 1, "\"\x7f\"");
    expect_escaped("/</script>", 10, "\"/</script>\"");
    expect_escaped("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\xe2\x80\xa8\xe2\x80\xa9\"");
    expect_escaped("\xc2\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 11,
                   "\"\xc2\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    expect_escaped(" ~", 2, "\" ~\"");
    /* Only LEN bytes are read. */
    expect_escaped("abc", 2, "\"ab\"");
}

/* Every byte value alone: the escape exactly when JSON requires it. */
static void test_string_every_byte(void **state)
{
    (void)state;
    for (unsigned c = 0x20; c < 0x80; c++) {
        char in[1] = {(char)c}, want[8];

        if (c == '"' || c == '\\')
            snprintf(want, sizeof(want), "\"\\%c\"", (char)c);
        else
            snprintf(want, sizeof(want), "\"%c\"", (char)c);
        expect_escaped(in, 1, want);
    }
}

/* --- key order ---------------------------------------------------------------------------- */

static void test_key_order_utf16(void **state)
{
    (void)state;
    /* U+1F600 (D83D DE00) sorts before U+E000 and U+FB33 though its UTF-8 bytes are larger. */
    expect_jcs_text("{\"\\ufb33\":1,\"\\ue000\":2,\"\\ud83d\\ude00\":3}",
                    "{\"\xf0\x9f\x98\x80\":3,\"\xee\x80\x80\":2,\"\xef\xac\xb3\":1}");
    /* ...but after U+D7FF, the last code point below the surrogates. */
    expect_jcs_text("{\"\\ud83d\\ude00\":1,\"\\ud7ff\":2}",
                    "{\"\xed\x9f\xbf\":2,\"\xf0\x9f\x98\x80\":1}");
    /* U+FFFF against U+10000 and U+10FFFF. */
    expect_jcs_text("{\"\\uffff\":1,\"\\udbff\\udfff\":2,\"\\ud800\\udc00\":3}",
                    "{\"\xf0\x90\x80\x80\":3,\"\xf4\x8f\xbf\xbf\":2,\"\xef\xbf\xbf\":1}");
    /* Prefixes first, the empty name before all. */
    expect_jcs_text("{\"ab\":1,\"a\":2,\"\":3,\"abc\":4,\"b\":5}",
                    "{\"\":3,\"a\":2,\"ab\":1,\"abc\":4,\"b\":5}");
    expect_jcs_text("{\"\\u00e9x\":1,\"\\u00e9\":2}", "{\"\xc3\xa9\":2,\"\xc3\xa9x\":1}");
    expect_jcs_text("{\"\\ud83d\\ude00a\":1,\"\\ud83d\\ude00\":2}",
                    "{\"\xf0\x9f\x98\x80\":2,\"\xf0\x9f\x98\x80\x61\":1}");
    /* Same high surrogate D83D: the low surrogate decides (U+1F4A9 < U+1F600 < U+1F602). */
    expect_jcs_text("{\"\\ud83d\\ude02\":1,\"\\ud83d\\udca9\":2,\"\\ud83d\\ude00\":3}",
                    "{\"\xf0\x9f\x92\xa9\":2,\"\xf0\x9f\x98\x80\":3,\"\xf0\x9f\x98\x82\":1}");
    expect_jcs_text("{\"x\\ud83d\\ude02\":1,\"x\\ud83d\\ude01\":2}",
                    "{\"x\xf0\x9f\x98\x81\":2,\"x\xf0\x9f\x98\x82\":1}");
    /* Different high surrogates: U+10000 (D800) < U+1F600 (D83D) < U+E0001 (DB40). */
    expect_jcs_text("{\"\\udb40\\udc01\":1,\"\\ud83d\\ude00\":2,\"\\ud800\\udc00\":3}",
                    "{\"\xf0\x90\x80\x80\":3,\"\xf0\x9f\x98\x80\":2,\"\xf3\xa0\x80\x81\":1}");
    /* Code units, not locale: upper case before lower case, ASCII before Latin-1. */
    expect_jcs_text("{\"b\":1,\"B\":2,\"\\u00e0\":3,\"a\":4,\"_\":5}",
                    "{\"B\":2,\"_\":5,\"a\":4,\"b\":1,\"\xc3\xa0\":3}");
    /* Nested objects are sorted too; arrays keep their order. */
    expect_jcs_text("{\"b\":[{\"z\":1,\"y\":2},3],\"a\":{\"d\":{},\"c\":[]}}",
                    "{\"a\":{\"c\":[],\"d\":{}},\"b\":[{\"y\":2,\"z\":1},3]}");
}

/* Code points whose UTF-8 and UTF-16 orders disagree or that sit on a boundary. */
static const char *const key_pieces[] = {
    "a",
    "b",
    "s",
    "sig",
    "z",
    "A",
    "0",
    "~",
    "\x7f",
    "\xc2\x80",         /* U+0080 */
    "\xc3\xa9",         /* U+00E9 */
    "\xdf\xbf",         /* U+07FF */
    "\xe0\xa0\x80",     /* U+0800 */
    "\xed\x9f\xbf",     /* U+D7FF */
    "\xee\x80\x80",     /* U+E000 */
    "\xef\xac\xb3",     /* U+FB33 */
    "\xef\xbf\xbf",     /* U+FFFF */
    "\xf0\x90\x80\x80", /* U+10000 */
    "\xf0\x9f\x92\xa9", /* U+1F4A9 */
    "\xf0\x9f\x98\x80", /* U+1F600 */
    "\xf0\x9f\x98\x82", /* U+1F602 */
    "\xf3\xa0\x80\x81", /* U+E0001 */
    "\xf4\x8f\xbf\xbf", /* U+10FFFF */
};

static void random_key(char *out, size_t size)
{
    size_t n = rng_below(5), len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *p = key_pieces[rng_below(ARRAY_LEN(key_pieces))];

        assert_true(len + strlen(p) < size);
        memcpy(out + len, p, strlen(p) + 1);
        len += strlen(p);
    }
}

static json_t *random_object(size_t max_keys)
{
    json_t *obj = json_object();
    size_t n = rng_below(max_keys + 1);

    assert_non_null(obj);
    for (size_t i = 0; i < n; i++) {
        char key[64];

        random_key(key, sizeof(key));
        assert_int_equal(json_object_set_new(obj, key, json_integer((json_int_t)i)), 0);
    }
    return obj;
}

/* Random objects: the member order equals sorting the names with the reference comparator. */
static void test_key_order_property(void **state)
{
    struct gc_buf got = GC_BUF_INIT, want = GC_BUF_INIT;
    const char **keys = NULL;

    (void)state;
    for (int round = 0; round < ORDER_OBJECTS; round++) {
        /* Some objects above 32 members, which jcs_object sorts in a heap array. */
        json_t *obj = random_object(round % 10 == 0 ? 60 : 12);
        size_t n = json_object_size(obj), i = 0;
        const char *key;
        json_t *value;

        keys = realloc(keys, (n + 1) * sizeof(*keys));
        assert_non_null(keys);
        json_object_foreach(obj, key, value)
        {
            keys[i++] = key;
        }
        qsort(keys, n, sizeof(*keys), ref_key_cmp);
        gc_buf_reset(&want);
        gc_buf_addc(&want, '{');
        for (i = 0; i < n; i++) {
            gc_buf_addf(&want, "%s\"%s\":%lld", i ? "," : "", keys[i],
                        (long long)json_integer_value(json_object_get(obj, keys[i])));
        }
        gc_buf_addc(&want, '}');
        gc_buf_reset(&got);
        gc_jcs_append(&got, obj);
        if (strcmp(got.ptr, want.ptr) != 0)
            fail_msg("round %d: canonical form\n%s\nwant\n%s", round, got.ptr, want.ptr);
        json_decref(obj);
    }
    free(keys);
    gc_buf_release(&got);
    gc_buf_release(&want);
}

/* --- leaving out and inserting a member --------------------------------------------------- */

/*
 * Canonicalizes OBJ without NAME into a buffer that already holds PREFIX, inserts NAME:VALUE
 * at the offset found, and compares both with canonicalizing edited copies of OBJ.
 */
static void check_without_and_insert(const json_t *obj, const char *name, const char *value,
                                     const char *prefix)
{
    struct gc_buf out = GC_BUF_INIT, ins = GC_BUF_INIT, want = GC_BUF_INIT;
    size_t at = (size_t)-1, plen = strlen(prefix);
    json_t *without = json_deep_copy(obj), *with;

    assert_non_null(without);
    json_object_del(without, name);
    with = json_deep_copy(without);
    assert_non_null(with);
    assert_int_equal(json_object_set_new(with, name, load(value)), 0);

    gc_buf_adds(&out, prefix);
    gc_jcs_append_without(&out, obj, name, &at);
    gc_jcs_append(&want, without);
    if (out.len - plen != want.len || memcmp(out.ptr + plen, want.ptr, want.len) != 0)
        fail_msg("without '%s': '%s', want '%s'", name, out.ptr + plen, want.ptr);
    assert_true(at > plen && at < out.len);

    gc_jcs_insert_member(&ins, out.ptr + plen, out.len - plen, at - plen, name, value,
                         strlen(value));
    gc_buf_reset(&want);
    gc_jcs_append(&want, with);
    if (ins.len != want.len || memcmp(ins.ptr, want.ptr, want.len) != 0)
        fail_msg("inserting '%s' into '%s' at %zu: '%s', want '%s'", name, out.ptr + plen,
                 at - plen, ins.ptr, want.ptr);

    json_decref(without);
    json_decref(with);
    gc_buf_release(&out);
    gc_buf_release(&ins);
    gc_buf_release(&want);
}

static void expect_without(const char *text, const char *skip, const char *want, size_t want_at)
{
    struct gc_buf out = GC_BUF_INIT;
    size_t at = (size_t)-1;
    json_t *obj = load(text);

    gc_jcs_append_without(&out, obj, skip, &at);
    assert_string_equal(out.ptr, want);
    assert_int_equal(at, want_at);
    /* Without SKIP_AT the bytes are the same. */
    gc_buf_reset(&out);
    gc_jcs_append_without(&out, obj, skip, NULL);
    assert_string_equal(out.ptr, want);
    json_decref(obj);
    gc_buf_release(&out);
}

static void test_append_without(void **state)
{
    (void)state;
    expect_without("{}", "sig", "{}", 1);
    expect_without("{\"sig\":\"x\"}", "sig", "{}", 1);
    expect_without("{\"z\":1,\"sig\":2}", "sig", "{\"z\":1}", 1);
    expect_without("{\"a\":1}", "sig", "{\"a\":1}", 6);
    expect_without("{\"a\":1,\"z\":2}", "sig", "{\"a\":1,\"z\":2}", 6);
    expect_without("{\"a\":1,\"sig\":0,\"z\":2}", "sig", "{\"a\":1,\"z\":2}", 6);
    /* Names that share a prefix with "sig" fall on either side of it. */
    expect_without("{\"sigh\":1,\"si\":2,\"sif\":3,\"sih\":4}", "sig",
                   "{\"si\":2,\"sif\":3,\"sigh\":1,\"sih\":4}", 15);
    /* "Sig" is another name; only the top level is skipped. */
    expect_without("{\"Sig\":1,\"sig\":2,\"o\":{\"sig\":3}}", "sig",
                   "{\"Sig\":1,\"o\":{\"sig\":3}}", 22);
    /* A supplementary name sorts before U+E000 for the skip offset too. */
    expect_without("{\"\\ue000\":1,\"\\ud83d\\ude00\":2}", "\xef\xac\xb3",
                   "{\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1}", 17);
}

static void expect_insert(const char *canon, size_t at, const char *want)
{
    struct gc_buf out = GC_BUF_INIT;
    const char value[] = "\"v\"";

    gc_jcs_insert_member(&out, canon, strlen(canon), at, "sig", value, strlen(value));
    assert_string_equal(out.ptr, want);
    gc_buf_release(&out);
}

static void test_insert_member(void **state)
{
    (void)state;
    expect_insert("{}", 1, "{\"sig\":\"v\"}");
    expect_insert("{\"z\":1}", 1, "{\"sig\":\"v\",\"z\":1}");
    expect_insert("{\"a\":1}", 6, "{\"a\":1,\"sig\":\"v\"}");
    expect_insert("{\"a\":1,\"z\":2}", 6, "{\"a\":1,\"sig\":\"v\",\"z\":2}");
    expect_insert("{\"a\":1,\"b\":{\"c\":2}}", 18, "{\"a\":1,\"b\":{\"c\":2},\"sig\":\"v\"}");
}

static void test_insert_member_cases(void **state)
{
    static const char *const objects[] = {
        "{}",
        "{\"sig\":\"old\"}",
        "{\"a\":1}",
        "{\"z\":1}",
        "{\"a\":1,\"z\":2}",
        "{\"sig\":1,\"a\":[1,{\"sig\":2}],\"t\":null}",
        "{\"s\":1,\"si\":2,\"sif\":3,\"sig0\":4,\"sih\":5,\"\\ud83d\\ude00\":6}",
        "{\"type\":\"attestation\",\"v\":1,\"device\":\"pv-001\",\"seq\":1,\"prev\":\"00\"}",
    };
    static const char *const values[] = {"\"00ff\"", "1", "null", "{\"k\":[1,2]}"};

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(objects); i++) {
        json_t *obj = load(objects[i]);

        for (size_t j = 0; j < ARRAY_LEN(values); j++) {
            check_without_and_insert(obj, "sig", values[j], "");
            check_without_and_insert(obj, "sig", values[j], "prefix:");
        }
        json_decref(obj);
    }
}

/*
 * Random objects and names: without + insert equals canonicalizing the edited object. The
 * values are already canonical, as gc_jcs_insert_member expects.
 */
static void test_insert_member_property(void **state)
{
    static const char *const values[] = {"\"sig\"", "-7", "[]", "{\"a\":0.5,\"z\":{}}", "true"};

    (void)state;
    for (int round = 0; round < INSERT_OBJECTS; round++) {
        json_t *obj = random_object(round % 10 == 0 ? 40 : 8);
        char name[64];

        if (round % 2 == 0) {
            snprintf(name, sizeof(name), "sig");
            if (round % 4 == 0)
                json_object_set_new(obj, "sig", json_string("stale"));
        } else {
            random_key(name, sizeof(name));
            if (round % 3 == 0)
                json_object_set_new(obj, name, json_null());
        }
        check_without_and_insert(obj, name, values[rng_below(ARRAY_LEN(values))],
                                 round % 5 == 0 ? "{\"outer\":" : "");
        json_decref(obj);
    }
}

/* --- parsing ------------------------------------------------------------------------------ */

static void expect_parse_fails(const char *line, size_t len, const char *reason)
{
    struct gc_fail f = {0};
    json_t *v = gc_json_parse_object(line, len, &f);

    if (v != NULL)
        fail_msg("'%.*s' accepted", (int)len, line);
    if (f.reason == NULL || strcmp(f.reason, reason) != 0)
        fail_msg("'%.*s' refused as '%s' (%s), want '%s'", (int)len, line,
                 f.reason ? f.reason : "(null)", f.detail, reason);
    assert_true(f.detail[0] != '\0');
}

#define PARSE_FAILS(lit, reason) expect_parse_fails(lit, sizeof(lit) - 1, reason)

static void test_parse_rejects(void **state)
{
    (void)state;
    /* Syntax. */
    PARSE_FAILS("", "bad_json");
    PARSE_FAILS("   ", "bad_json");
    PARSE_FAILS("{", "bad_json");
    PARSE_FAILS("{\"a\":}", "bad_json");
    PARSE_FAILS("{\"a\":1,}", "bad_json");
    PARSE_FAILS("{a:1}", "bad_json");
    PARSE_FAILS("{'a':1}", "bad_json");
    PARSE_FAILS("{\"a\":NaN}", "bad_json");
    PARSE_FAILS("{\"a\":01}", "bad_json");
    PARSE_FAILS("{\"a\":\"\\x41\"}", "bad_json");
    /* Numbers as JSON spells them, and nothing else. */
    PARSE_FAILS("{\"a\":-}", "bad_json");
    PARSE_FAILS("{\"a\":+1}", "bad_json");
    PARSE_FAILS("{\"a\":.5}", "bad_json");
    PARSE_FAILS("{\"a\":1.}", "bad_json");
    PARSE_FAILS("{\"a\":1e}", "bad_json");
    PARSE_FAILS("{\"a\":-01}", "bad_json");
    PARSE_FAILS("{\"a\":0x10}", "bad_json");
    PARSE_FAILS("{\"a\":Infinity}", "bad_json");
    /* Raw control characters in strings; lone surrogates in escapes. */
    PARSE_FAILS("{\"a\":\"x\ty\"}", "bad_json");
    PARSE_FAILS("{\"a\":\"x\ny\"}", "bad_json");
    PARSE_FAILS("{\"a\":\"\\ud800\"}", "bad_json");
    PARSE_FAILS("{\"a\":\"\\udc00\"}", "bad_json");
    PARSE_FAILS("{\"a\":\"\\ud83d\\u0041\"}", "bad_json");
    PARSE_FAILS("{\"a\":\"\\ud83dx\"}", "bad_json");
    PARSE_FAILS("{\"a\":\"\\u12\"}", "bad_json");
    PARSE_FAILS("{\"a\":\"x}", "bad_json");
    PARSE_FAILS("{\"a\":tru}", "bad_json");
    PARSE_FAILS("\f{}", "bad_json");
    /* Trailing garbage. */
    PARSE_FAILS("{\"a\":1}x", "bad_json");
    PARSE_FAILS("{\"a\":1}{}", "bad_json");
    PARSE_FAILS("{\"a\":1},", "bad_json");
    /* Not an object. */
    PARSE_FAILS("[1,2]", "bad_json");
    PARSE_FAILS("[]", "bad_json");
    PARSE_FAILS("42", "bad_json");
    PARSE_FAILS("\"str\"", "bad_json");
    PARSE_FAILS("null", "bad_json");
    PARSE_FAILS("true", "bad_json");
    /* Duplicate keys, at the top or nested. */
    PARSE_FAILS("{\"a\":1,\"a\":1}", "bad_json");
    PARSE_FAILS("{\"a\":1,\"b\":2,\"a\":3}", "bad_json");
    PARSE_FAILS("{\"o\":{\"k\":1,\"k\":2}}", "bad_json");
    /* Same key once escaped, once not. */
    PARSE_FAILS("{\"a\":1,\"\\u0061\":2}", "bad_json");
    /* A raw NUL anywhere in the buffer, even after the object. */
    PARSE_FAILS("{\"a\":\"x\0y\"}", "bad_json");
    PARSE_FAILS("{\"a\":1}\0", "bad_json");
    PARSE_FAILS("\0{\"a\":1}", "bad_json");
    /* \u0000 in a value or a name. */
    PARSE_FAILS("{\"a\":\"x\\u0000y\"}", "bad_json");
    PARSE_FAILS("{\"a\\u0000\":1}", "bad_json");
    /* Integers past 64 bits are a field problem. */
    PARSE_FAILS("{\"a\":9223372036854775808}", "bad_field");
    PARSE_FAILS("{\"a\":-9223372036854775809}", "bad_field");
    PARSE_FAILS("{\"o\":{\"a\":[1,99999999999999999999999]}}", "bad_field");
}

static void test_parse_accepts(void **state)
{
    struct gc_fail f = {0};
    const char line[] = "{\"type\":\"reading\",\"v\":1,\"n\":-9223372036854775808,"
                        "\"m\":9223372036854775807,\"r\":1.5,\"o\":{\"a\":[true,false,null]},"
                        "\"s\":\"\\u00e9\\ud83d\\ude00\\n\"}\n";
    json_t *v;

    (void)state;
    v = gc_json_parse_object(line, strlen(line), &f);
    assert_non_null(v);
    assert_true(json_is_object(v));
    assert_string_equal(json_string_value(json_object_get(v, "type")), "reading");
    assert_int_equal(json_integer_value(json_object_get(v, "n")), INT64_MIN);
    assert_int_equal(json_integer_value(json_object_get(v, "m")), INT64_MAX);
    assert_true(json_is_real(json_object_get(v, "r")));
    assert_string_equal(json_string_value(json_object_get(v, "s")), "\xc3\xa9\xf0\x9f\x98\x80\n");
    expect_jcs(v, "{\"m\":9223372036854775807,\"n\":-9223372036854775808,\"o\":{\"a\":[true,false,"
                  "null]},\"r\":1.5,\"s\":\"\xc3\xa9\xf0\x9f\x98\x80\\n\",\"type\":\"reading\","
                  "\"v\":1}");
    json_decref(v);

    /* Only LEN bytes count: what follows is not read. */
    v = gc_json_parse_object("{}garbage", 2, &f);
    assert_non_null(v);
    assert_int_equal(json_object_size(v), 0);
    json_decref(v);

    v = gc_json_parse_object(" {\"a\" : 1 }\r\n", 13, &f);
    assert_non_null(v);
    json_decref(v);
}

/* --- UTF-8 -------------------------------------------------------------------------------- */

/* Unicode 15 Table 3-7, well-formed UTF-8 byte sequences: the reference for the checks below. */
static bool ref_utf8_valid(const unsigned char *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char b = p[i];
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf;

        if (b <= 0x7f) {
            i++;
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            n = 1;
        } else if (b == 0xe0) {
            n = 2, lo = 0xa0;
        } else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef) {
            n = 2;
        } else if (b == 0xed) {
            n = 2, hi = 0x9f;
        } else if (b == 0xf0) {
            n = 3, lo = 0x90;
        } else if (b >= 0xf1 && b <= 0xf3) {
            n = 3;
        } else if (b == 0xf4) {
            n = 3, hi = 0x8f;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= n; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xbf)
                return false;
        i += n + 1;
    }
    return true;
}

static void expect_utf8(const char *s, size_t len, bool want)
{
    if (gc_utf8_valid(s, len) != want) {
        char hex[64];

        gc_hex_encode((const uint8_t *)s, len < 31 ? len : 31, hex);
        fail_msg("gc_utf8_valid(%s) is %s", hex, want ? "false" : "true");
    }
    assert_int_equal(ref_utf8_valid((const unsigned char *)s, len), want);
}

#define UTF8_OK(lit)  expect_utf8(lit, sizeof(lit) - 1, true)
#define UTF8_BAD(lit) expect_utf8(lit, sizeof(lit) - 1, false)

static void test_utf8_table(void **state)
{
    (void)state;
    /* Valid: empty, ASCII (NUL included), and the first and last of each length. */
    UTF8_OK("");
    UTF8_OK("plain ASCII ~\x7f");
    UTF8_OK("\0");
    UTF8_OK("\xc2\x80");
    UTF8_OK("\xdf\xbf");
    UTF8_OK("\xe0\xa0\x80");
    UTF8_OK("\xed\x9f\xbf");
    UTF8_OK("\xee\x80\x80");
    UTF8_OK("\xef\xbf\xbf");
    UTF8_OK("\xf0\x90\x80\x80");
    UTF8_OK("\xf4\x8f\xbf\xbf");
    UTF8_OK("p\xc3\xa9\x63h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80!");
    /* Overlong forms. */
    UTF8_BAD("\xc0\x80");
    UTF8_BAD("\xc1\xbf");
    UTF8_BAD("\xe0\x80\x80");
    UTF8_BAD("\xe0\x9f\xbf");
    UTF8_BAD("\xf0\x80\x80\x80");
    UTF8_BAD("\xf0\x8f\xbf\xbf");
    /* Surrogates U+D800..U+DFFF, alone and as a CESU-8 pair. */
    UTF8_BAD("\xed\xa0\x80");
    UTF8_BAD("\xed\xbf\xbf");
    UTF8_BAD("\xed\xa0\xbd\xed\xb8\x80");
    /* Past U+10FFFF. */
    UTF8_BAD("\xf4\x90\x80\x80");
    UTF8_BAD("\xf7\xbf\xbf\xbf");
    /* Bytes that never occur. */
    UTF8_BAD("\xf5\x80\x80\x80");
    UTF8_BAD("\xf8\x88\x80\x80\x80");
    UTF8_BAD("\xfc\x84\x80\x80\x80\x80");
    UTF8_BAD("\xfe");
    UTF8_BAD("\xff");
    UTF8_BAD("a\xffz");
    /* Stray continuation bytes. */
    UTF8_BAD("\x80");
    UTF8_BAD("\xbf");
    UTF8_BAD("a\x80");
    UTF8_BAD("\xc3\xa9\xa9");
    /* Truncated at the end. */
    UTF8_BAD("\xc3");
    UTF8_BAD("\xe2\x82");
    UTF8_BAD("\xf0\x9f\x98");
    UTF8_BAD("abc\xe2\x82");
    UTF8_BAD("abc\xf0");
    /* A lead byte followed by something else. */
    UTF8_BAD("\xc3\x41");
    UTF8_BAD("\xe2\x28\xa1");
    UTF8_BAD("\xe2\x82\x28");
    UTF8_BAD("\xf0\x9f\x98\x28");
    UTF8_BAD("\xf0\x9f\x98\xc3\xa9");
    /* LEN is honoured: a sequence cut by it is truncated, bytes past it are not read. */
    expect_utf8("\xc3\xa9", 1, false);
    expect_utf8("\xf0\x9f\x98\x80", 3, false);
    expect_utf8("ab\xff", 2, true);
}

/* Every string of one, two and three bytes, against the reference. */
static void test_utf8_exhaustive_short(void **state)
{
    unsigned char s[3];

    (void)state;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        assert_int_equal(gc_utf8_valid((const char *)s, 1), ref_utf8_valid(s, 1));
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            if (gc_utf8_valid((const char *)s, 2) != ref_utf8_valid(s, 2))
                fail_msg("%02x %02x", a, b);
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                if (gc_utf8_valid((const char *)s, 3) != ref_utf8_valid(s, 3))
                    fail_msg("%02x %02x %02x", a, b, c);
            }
        }
    }
}

/* Every four-byte string with an F0..F4 lead, continuation-range bytes around the edges. */
static void test_utf8_four_bytes(void **state)
{
    static const unsigned char edge[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f,
                                         0xa0, 0xbf, 0xc0, 0xc2, 0xf4, 0xff};
    unsigned char s[4];

    (void)state;
    for (unsigned a = 0xf0; a <= 0xf7; a++)
        for (size_t i = 0; i < sizeof(edge); i++)
            for (size_t j = 0; j < sizeof(edge); j++)
                for (size_t k = 0; k < sizeof(edge); k++) {
                    s[0] = (unsigned char)a, s[1] = edge[i], s[2] = edge[j], s[3] = edge[k];
                    if (gc_utf8_valid((const char *)s, 4) != ref_utf8_valid(s, 4))
                        fail_msg("%02x %02x %02x %02x", s[0], s[1], s[2], s[3]);
                }
    /* Every code point encodes to valid UTF-8 unless it is a surrogate. */
    for (uint32_t cp = 0x10000; cp <= 0x10ffff; cp += 0x3f) {
        s[0] = (unsigned char)(0xf0 | cp >> 18);
        s[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        s[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        s[3] = (unsigned char)(0x80 | (cp & 0x3f));
        assert_true(gc_utf8_valid((const char *)s, 4));
    }
}

/* --- strict fields ------------------------------------------------------------------------ */

/* The test record: one member "k" with the JSON value VALUE. */
static json_t *record_k(const char *value)
{
    char text[512];
    int w = snprintf(text, sizeof(text), "{\"k\":%s,\"other\":1}", value);

    assert_true(w > 0 && (size_t)w < sizeof(text));
    return load(text);
}

/* F must say "bad_field" and name field 'k'. */
static void expect_bad_field(const struct gc_fail *f, const char *value)
{
    if (f->reason == NULL || strcmp(f->reason, "bad_field") != 0)
        fail_msg("value %s: reason '%s', want 'bad_field'", value,
                 f->reason ? f->reason : "(null)");
    if (strstr(f->detail, "'k'") == NULL)
        fail_msg("value %s: detail '%s' does not name field 'k'", value, f->detail);
}

static void expect_int_bad(const char *value, int64_t min, int64_t max)
{
    struct gc_fail f = {0};
    json_t *rec = record_k(value);
    int64_t out = SENTINEL_I64;

    if (gc_field_int(rec, "k", min, max, &out, &f))
        fail_msg("integer field %s accepted as %lld", value, (long long)out);
    expect_bad_field(&f, value);
    json_decref(rec);
}

static void expect_int_ok(const char *value, int64_t min, int64_t max, int64_t want)
{
    struct gc_fail f = {0};
    json_t *rec = record_k(value);
    int64_t out = SENTINEL_I64;

    if (!gc_field_int(rec, "k", min, max, &out, &f))
        fail_msg("integer field %s refused: %s", value, f.detail);
    assert_int_equal(out, want);
    json_decref(rec);
}

static void test_field_int(void **state)
{
    struct gc_fail f = {0};
    json_t *rec;
    int64_t out;

    (void)state;
    expect_int_ok("0", 0, 10, 0);
    expect_int_ok("10", 0, 10, 10);
    expect_int_ok("-5", -5, 5, -5);
    expect_int_ok("-0", 0, 0, 0);
    expect_int_ok("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
    expect_int_ok("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
    /* Fractions and exponents, even when integral. */
    expect_int_bad("1.0", 0, 10);
    expect_int_bad("1e3", 0, 10000);
    expect_int_bad("1E0", 0, 10);
    expect_int_bad("0.5", 0, 10);
    expect_int_bad("-0.0", -1, 1);
    /* Other types. */
    expect_int_bad("\"1\"", 0, 10);
    expect_int_bad("true", 0, 10);
    expect_int_bad("false", 0, 10);
    expect_int_bad("null", 0, 10);
    expect_int_bad("[1]", 0, 10);
    expect_int_bad("{\"k\":1}", 0, 10);
    /* Out of range by one. */
    expect_int_bad("11", 0, 10);
    expect_int_bad("-1", 0, 10);
    expect_int_bad("-6", -5, 5);
    expect_int_bad("2", 1, 1);
    expect_int_bad("9223372036854775807", 0, INT64_MAX - 1);
    expect_int_bad("-9223372036854775808", INT64_MIN + 1, 0);

    /* Missing. */
    rec = record_k("1");
    out = SENTINEL_I64;
    assert_false(gc_field_int(rec, "missing", 0, 10, &out, &f));
    assert_string_equal(f.reason, "bad_field");
    assert_non_null(strstr(f.detail, "'missing'"));
    assert_true(gc_field_present(rec, "k"));
    assert_false(gc_field_present(rec, "missing"));
    assert_false(gc_field_present(rec, "K"));
    json_decref(rec);
    /* A null member is present (and then refused by the getter). */
    rec = record_k("null");
    assert_true(gc_field_present(rec, "k"));
    json_decref(rec);
}

static void test_field_str(void **state)
{
    struct gc_fail f = {0};
    const char *s = NULL;
    size_t len = 0;
    json_t *rec;

    (void)state;
    rec = record_k("\"h\\u00e9llo\"");
    assert_true(gc_field_str(rec, "k", &s, &len, &f));
    assert_string_equal(s, "h\xc3\xa9llo");
    assert_int_equal(len, 6);
    s = NULL;
    assert_true(gc_field_str(rec, "k", &s, NULL, &f));
    assert_string_equal(s, "h\xc3\xa9llo");
    json_decref(rec);

    rec = record_k("\"\"");
    assert_true(gc_field_str(rec, "k", &s, &len, &f));
    assert_int_equal(len, 0);
    json_decref(rec);

    static const char *const bad[] = {"1", "1.5", "true", "null", "[\"a\"]", "{}"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        memset(&f, 0, sizeof(f));
        rec = record_k(bad[i]);
        if (gc_field_str(rec, "k", &s, &len, &f))
            fail_msg("string field %s accepted", bad[i]);
        expect_bad_field(&f, bad[i]);
        json_decref(rec);
    }
    rec = record_k("\"x\"");
    memset(&f, 0, sizeof(f));
    assert_false(gc_field_str(rec, "nope", &s, &len, &f));
    assert_string_equal(f.reason, "bad_field");
    assert_non_null(strstr(f.detail, "'nope'"));
    json_decref(rec);
}

static void expect_id(const char *value, bool want)
{
    struct gc_fail f = {0};
    const char *s = NULL;
    json_t *rec = record_k(value);

    if (gc_field_id(rec, "k", &s, &f) != want)
        fail_msg("id %s %s", value, want ? "refused" : "accepted");
    if (want)
        assert_string_equal(s, json_string_value(json_object_get(rec, "k")));
    else
        expect_bad_field(&f, value);
    json_decref(rec);
}

static void test_field_id(void **state)
{
    char value[80];

    (void)state;
    expect_id("\"a\"", true);
    expect_id("\"0\"", true);
    expect_id("\"pv-001\"", true);
    expect_id("\"gpu_rack.7-b\"", true);
    expect_id("\"a-\"", true);
    expect_id("\"a..\"", true);
    expect_id("\"9z\"", true);
    /* 64 characters is the longest id, 65 too many. */
    snprintf(value, sizeof(value), "\"%.64s\"",
             "a123456789012345678901234567890123456789012345678901234567890123456789");
    assert_int_equal(strlen(value), 66);
    expect_id(value, true);
    snprintf(value, sizeof(value), "\"%.65s\"",
             "a123456789012345678901234567890123456789012345678901234567890123456789");
    expect_id(value, false);
    expect_id("\"\"", false);
    expect_id("\"-a\"", false);
    expect_id("\".a\"", false);
    expect_id("\"_a\"", false);
    expect_id("\"A\"", false);
    expect_id("\"pv-A01\"", false);
    expect_id("\"pv 001\"", false);
    expect_id("\"pv/001\"", false);
    expect_id("\"pv:001\"", false);
    expect_id("\"p\\u00e9\"", false);
    expect_id("\"a\\n\"", false);
    expect_id("1", false);
    expect_id("null", false);

    assert_true(gc_id_valid("abc", 3));
    assert_true(gc_id_valid("abc!", 3)); /* only LEN bytes */
    assert_false(gc_id_valid("abc", 0));
    assert_false(gc_id_valid("ab!", 3));
}

static void test_field_time(void **state)
{
    static const char *const bad[] = {
        "\"2026-11-01T10:00:00+00:00\"",
        "\"2026-11-01T10:00:00+01:00\"",
        "\"2026-11-01T10:00:00-00:00\"",
        "\"2026-11-01T10:00:00.5Z\"",
        "\"2026-11-01T10:00:00z\"",
        "\"2026-11-01 10:00:00Z\"",
        "\"2026-11-01T10:00:00\"",
        "\"2026-02-30T10:00:00Z\"",
        "\"2026-11-01T10:00:60Z\"",
        "\"\"",
        "1793527200",
        "null",
    };
    struct gc_fail f = {0};
    int64_t t = SENTINEL_I64;
    json_t *rec;

    (void)state;
    rec = record_k("\"2026-11-01T10:00:00Z\"");
    assert_true(gc_field_time(rec, "k", &t, &f));
    assert_int_equal(t, 1793527200);
    json_decref(rec);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        memset(&f, 0, sizeof(f));
        rec = record_k(bad[i]);
        if (gc_field_time(rec, "k", &t, &f))
            fail_msg("time %s accepted", bad[i]);
        expect_bad_field(&f, bad[i]);
        json_decref(rec);
    }
}

static void test_field_hex(void **state)
{
    static const char *const bad[] = {
        "\"DEADBEEF\"",  "\"deadBEEF\"",   "\"deadbeeF\"", "\"deadbee\"",
        "\"deadbeef0\"", "\"deadbeef00\"", "\"\"",         "\"deadbeeg\"",
        "\"dead beef\"", "\"0xdeadbe\"",   "3735928559",   "null",
    };
    static const uint8_t want[4] = {0xde, 0xad, 0xbe, 0xef};
    struct gc_fail f = {0};
    uint8_t out[4] = {0};
    json_t *rec;

    (void)state;
    rec = record_k("\"deadbeef\"");
    assert_true(gc_field_hex(rec, "k", out, sizeof(out), &f));
    assert_memory_equal(out, want, sizeof(want));
    json_decref(rec);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        memset(&f, 0, sizeof(f));
        rec = record_k(bad[i]);
        if (gc_field_hex(rec, "k", out, sizeof(out), &f))
            fail_msg("hex %s accepted for 4 bytes", bad[i]);
        expect_bad_field(&f, bad[i]);
        json_decref(rec);
    }
}

/* gc_field_hex takes exactly the lowercase hex digits, with their values, in either place of a
 * pair. */
static void test_field_hex_every_byte(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        for (int at = 0; at < 2; at++) {
            char pair[3] = {'7', 'e', '\0'};
            uint8_t got = 0;
            int value = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            struct gc_fail f = {0};
            json_t *rec = json_object();
            bool ok;

            pair[at] = (char)c;
            assert_int_equal(json_object_set_new(rec, "k", json_stringn_nocheck(pair, 2)), 0);
            ok = gc_field_hex(rec, "k", &got, 1, &f);
            if (ok != (value >= 0))
                fail_msg("byte 0x%02x at %d: %s", c, at, ok ? "taken" : "refused");
            if (ok)
                assert_int_equal(got, at == 0 ? value << 4 | 0xe : 0x70 | value);
            json_decref(rec);
        }
    }
}

static void test_field_const(void **state)
{
    static const char *const bad[] = {
        "\"Reading\"", "\"readingx\"", "\"readin\"", "\"reading \"", "\"\"", "1", "null",
    };
    struct gc_fail f = {0};
    json_t *rec;

    (void)state;
    rec = record_k("\"reading\"");
    assert_true(gc_field_const(rec, "k", "reading", &f));
    memset(&f, 0, sizeof(f));
    assert_false(gc_field_const(rec, "k", "attestation", &f));
    expect_bad_field(&f, "\"reading\" for attestation");
    memset(&f, 0, sizeof(f));
    assert_false(gc_field_const(rec, "type", "reading", &f));
    assert_string_equal(f.reason, "bad_field");
    assert_non_null(strstr(f.detail, "'type'"));
    json_decref(rec);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        memset(&f, 0, sizeof(f));
        rec = record_k(bad[i]);
        if (gc_field_const(rec, "k", "reading", &f))
            fail_msg("const %s accepted for \"reading\"", bad[i]);
        expect_bad_field(&f, bad[i]);
        json_decref(rec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8785_vectors),
        cmocka_unit_test(test_double_literals),
        cmocka_unit_test(test_double_bits),
        cmocka_unit_test(test_double_random_round_trip),
        cmocka_unit_test(test_reals_in_documents),
        cmocka_unit_test(test_big_integers_exact),
        cmocka_unit_test(test_string_control_chars),
        cmocka_unit_test(test_string_literal_chars),
        cmocka_unit_test(test_string_every_byte),
        cmocka_unit_test(test_key_order_utf16),
        cmocka_unit_test(test_key_order_property),
        cmocka_unit_test(test_append_without),
        cmocka_unit_test(test_insert_member),
        cmocka_unit_test(test_insert_member_cases),
        cmocka_unit_test(test_insert_member_property),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_utf8_table),
        cmocka_unit_test(test_utf8_exhaustive_short),
        cmocka_unit_test(test_utf8_four_bytes),
        cmocka_unit_test(test_field_int),
        cmocka_unit_test(test_field_str),
        cmocka_unit_test(test_field_id),
        cmocka_unit_test(test_field_time),
        cmocka_unit_test(test_field_hex),
        cmocka_unit_test(test_field_hex_every_byte),
        cmocka_unit_test(test_field_const),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
