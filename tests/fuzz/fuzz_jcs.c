/*
 * fuzz_jcs — the strict record parser (gc_json_parse_object) and the RFC 8785 canonical
 * writer (gc_jcs_append and the "sig" insertion of signing), which every signature and record
 * hash goes through.
 *
 * The input is one NDJSON line. Properties:
 *   - the parser agrees with jansson (json_loadb with JSON_REJECT_DUPLICATES), which its
 *     header says it keeps the verdicts of: what it takes jansson takes, as an equal value;
 *     what it refuses jansson refuses too, but for its documented extra limits (an object at
 *     the top, nesting of 256, reals from 2^63 to 10^21; jansson is not asked about lines with
 *     a NUL byte, at which it stops reading);
 *   - the canonical form parses back, and canonicalising that again gives the same bytes;
 *   - leaving out a member (gc_jcs_append_without) and inserting it again where SKIP_AT says
 *     (gc_jcs_insert_member) gives the canonical form of the whole object, for each member
 *     and for a new "sig";
 *   - the first 8 bytes as a double: gc_jcs_append_double writes a number that reads back as
 *     the same double, in ECMAScript's shortest form (no shorter digit string reads back).
 */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_json.h"
#include "banned.h"

/* The significant digits of the number S: sign, point, exponent and outer zeros left out. */
static size_t significant(const char *s)
{
    char d[40];
    size_t n = 0, i = 0;

    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && n < sizeof(d))
            d[n++] = *s;
    while (i < n && d[i] == '0')
        i++;
    while (n > i && d[n - 1] == '0')
        n--;
    return n - i;
}

static void check_double(const uint8_t *data, size_t size)
{
    struct gc_buf b = GC_BUF_INIT;
    char tmp[48];
    double d, back;
    size_t k;

    if (size < 8)
        return;
    memcpy(&d, data, sizeof(d));
    if (!isfinite(d))
        return;
    gc_jcs_append_double(&b, d);
    back = strtod(b.ptr, NULL);
    FUZZ_CHECK(back == d, "%a is written %s, which reads back as %a", d, b.ptr, back);
    /*
     * Shortest: no decimal of one digit less reads back as D. Only the nearest such decimal
     * and its neighbours can (at a power of two the one above may while the nearest does not).
     */
    k = significant(b.ptr);
    if (d != 0 && k > 1) {
        long long m;
        int e;

        snprintf(tmp, sizeof(tmp), "%.*e", (int)k - 2, fabs(d));
        e = atoi(strchr(tmp, 'e') + 1) - ((int)k - 2);
        *strchr(tmp, 'e') = '\0';
        m = 0;
        for (const char *p = tmp; *p; p++)
            if (*p >= '0' && *p <= '9')
                m = m * 10 + (*p - '0');
        for (long long delta = -1; delta <= 1; delta++) {
            snprintf(tmp, sizeof(tmp), "%lldE%d", m + delta, e);
            FUZZ_CHECK(m + delta <= 0 || strtod(tmp, NULL) != fabs(d),
                       "%a is written %s, but %s is shorter", d, b.ptr, tmp);
        }
    }
    gc_buf_release(&b);
}

/* Each member left out and put back where gc_jcs_append_without says it belongs. */
static void check_insert(const json_t *obj, const struct gc_buf *canon)
{
    struct gc_buf without = GC_BUF_INIT, value = GC_BUF_INIT, out = GC_BUF_INIT;
    const char *key;
    json_t *v, *copy;
    size_t at, n = 0;

    json_object_foreach((json_t *)obj, key, v)
    {
        if (n++ == 8)
            break;
        gc_buf_reset(&without);
        gc_buf_reset(&value);
        gc_buf_reset(&out);
        gc_jcs_append_without(&without, obj, key, &at);
        FUZZ_CHECK(at >= 1 && at < without.len, "skip_at %zu outside 1..%zu", at, without.len);
        gc_jcs_append(&value, v);
        gc_jcs_insert_member(&out, without.ptr, without.len, at, key, value.ptr, value.len);
        FUZZ_CHECK(out.len == canon->len && memcmp(out.ptr, canon->ptr, out.len) == 0,
                   "member '%s' put back:\n  %s\n  %s", key, out.ptr, canon->ptr);
    }
    /* Signing: a "sig" the object does not have yet goes where the canonical order puts it. */
    if (json_object_get(obj, "sig") == NULL) {
        struct gc_buf whole = GC_BUF_INIT;

        gc_buf_reset(&without);
        gc_buf_reset(&out);
        gc_jcs_append_without(&without, obj, "sig", &at);
        FUZZ_CHECK(without.len == canon->len && memcmp(without.ptr, canon->ptr, canon->len) == 0,
                   "leaving out an absent member changed the form");
        gc_jcs_insert_member(&out, without.ptr, without.len, at, "sig", "\"00\"", 4);
        copy = json_deep_copy(obj);
        FUZZ_CHECK(copy != NULL, "out of memory");
        json_object_set_new(copy, "sig", json_string("00"));
        gc_jcs_append(&whole, copy);
        json_decref(copy);
        FUZZ_CHECK(out.len == whole.len && memcmp(out.ptr, whole.ptr, out.len) == 0,
                   "sig inserted:\n  %s\n  %s", out.ptr, whole.ptr);
        gc_buf_release(&whole);
    }
    gc_buf_release(&without);
    gc_buf_release(&value);
    gc_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    struct gc_fail f = {NULL, ""};
    struct gc_buf canon = GC_BUF_INIT, again = GC_BUF_INIT;
    json_error_t jerr;
    json_t *ours, *theirs, *back;

    fuzz_init();
    check_double(data, size);
    if (!gc_utf8_valid(line, size))
        return 0;
    ours = gc_json_parse_object(line, size, &f);
    /* jansson stops reading at a NUL byte, so it is no judge of those lines. */
    theirs = memchr(line, '\0', size) == NULL
                 ? json_loadb(line, size, JSON_REJECT_DUPLICATES, &jerr)
                 : NULL;
    if (ours == NULL) {
        fuzz_check_fail(&f);
        FUZZ_CHECK(theirs == NULL || !json_is_object(theirs) ||
                       strstr(f.detail, "nesting too deep") != NULL ||
                       strstr(f.detail, "number out of range") != NULL,
                   "refused (%s: %s), but jansson takes it", f.reason, f.detail);
        json_decref(theirs);
        return 0;
    }
    FUZZ_CHECK(json_is_object(ours), "not an object");
    FUZZ_CHECK(theirs != NULL, "taken, but jansson refuses it: %s", jerr.text);
    FUZZ_CHECK(json_equal(ours, theirs), "jansson reads another value");
    json_decref(theirs);

    gc_jcs_append(&canon, ours);
    FUZZ_CHECK(gc_utf8_valid(canon.ptr, canon.len), "canonical form is not UTF-8");
    back = gc_json_parse_object(canon.ptr, canon.len, &f);
    FUZZ_CHECK(back != NULL, "canonical form %s does not parse: %s: %s", canon.ptr, f.reason,
               f.detail);
    gc_jcs_append(&again, back);
    FUZZ_CHECK(again.len == canon.len && memcmp(again.ptr, canon.ptr, canon.len) == 0,
               "canonical form is not stable:\n  %s\n  %s", canon.ptr, again.ptr);
    check_insert(ours, &canon);

    json_decref(back);
    json_decref(ours);
    gc_buf_release(&canon);
    gc_buf_release(&again);
    return 0;
}
