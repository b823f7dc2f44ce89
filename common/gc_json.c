#include "gc_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_num.h"
#include "gc_time.h"
#include "banned.h"

bool gc_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    while (p < end) {
        unsigned c = *p;

        /* Records are mostly ASCII: skip eight bytes at a time while no high bit is set. */
        if (end - p >= 8) {
            uint64_t word;

            memcpy(&word, p, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                p += 8;
                continue;
            }
        }
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n;
        unsigned cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

/* --- RFC 8785 canonical form --- */

/* Bytes RFC 8785 escapes: the control characters, '"' and '\\'. */
static const bool needs_escape[256] = {
    [0x00 ... 0x1f] = true,
    ['"'] = true,
    ['\\'] = true,
};

void gc_jcs_append_string(struct gc_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0, i = 0;

    gc_buf_grow(out, len + 2);
    gc_buf_addc(out, '"');
    while (i < len) {
        unsigned char c;
        char esc[7];
        size_t n = 2;

        /* Strings are mostly plain: skip eight bytes at a time while none needs escaping. */
        if (len - i >= 8) {
            uint64_t word;

            memcpy(&word, s + i, 8);
            if (!gc_json_word_stops(word)) {
                i += 8;
                continue;
            }
        }
        c = (unsigned char)s[i];
        if (!needs_escape[c]) {
            i++;
            continue;
        }
        esc[0] = '\\';
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0';
            esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            n = 6;
        }
        gc_buf_add(out, s + start, i - start);
        gc_buf_add(out, esc, n);
        start = ++i;
    }
    gc_buf_add(out, s + start, len - start);
    gc_buf_addc(out, '"');
}

/*
 * Replaces TMP ("D.DDDe[+-]X" from %e) by the decimal one unit of its last digit above it
 * if that reads back as D; false, TMP unchanged, otherwise.
 */
static bool jcs_next_up(char *tmp, size_t size, double d)
{
    char up[40], *e = strchr(tmp, 'e');
    int exp10 = atoi(e + 1), i = (int)(e - tmp) - 1;

    memcpy(up, tmp, (size_t)(e - tmp));
    for (; i >= 0; i--) {
        if (up[i] == '.')
            continue;
        if (up[i] != '9')
            break;
        up[i] = '0';
    }
    if (i >= 0) {
        up[i]++;
    } else { /* 9.99e5 + 1 unit = 1.00e6 */
        up[0] = '1';
        exp10++;
    }
    snprintf(up + (e - tmp), sizeof(up) - (size_t)(e - tmp), "e%d", exp10);
    if (strtod(up, NULL) != d)
        return false;
    snprintf(tmp, size, "%s", up);
    return true;
}

/*
 * ECMAScript Number::toString: the shortest digit string that reads back as
 * the same double (the closest one when several have that length), placed
 * by the rules of ECMA-262 §7.1.12.1.
 */
void gc_jcs_append_double(struct gc_buf *out, double d)
{
    char tmp[40], digits[20];
    int k = 0, n, exp10 = 0;

    if (d == 0) { /* both zeros */
        gc_buf_addc(out, '0');
        return;
    }
    if (d < 0) {
        gc_buf_addc(out, '-');
        d = -d;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d || prec == 17)
            break;
        /*
         * At a power of two the doubles below are twice as close as those above, so the
         * nearest PREC-digit decimal can fall short while the next one up reads back as D.
         */
        if (strtod(tmp, NULL) < d && jcs_next_up(tmp, sizeof(tmp), d))
            break;
    }
    /* tmp is "D.DDDDe[+-]XX": collect the digits and the exponent. */
    for (const char *p = tmp; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    exp10 = atoi(strchr(tmp, 'e') + 1);
    while (k > 1 && digits[k - 1] == '0')
        k--;
    n = exp10 + 1; /* value = 0.DIGITS x 10^n */
    if (k <= n && n <= 21) {
        gc_buf_add(out, digits, (size_t)k);
        for (int i = k; i < n; i++)
            gc_buf_addc(out, '0');
    } else if (0 < n && n <= 21) {
        gc_buf_add(out, digits, (size_t)n);
        gc_buf_addc(out, '.');
        gc_buf_add(out, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        gc_buf_adds(out, "0.");
        for (int i = 0; i < -n; i++)
            gc_buf_addc(out, '0');
        gc_buf_add(out, digits, (size_t)k);
    } else {
        gc_buf_addc(out, digits[0]);
        if (k > 1) {
            gc_buf_addc(out, '.');
            gc_buf_add(out, digits + 1, (size_t)(k - 1));
        }
        gc_buf_addf(out, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
}

/* The first UTF-16 code unit of the code point starting at P. */
static unsigned utf16_first_unit(const unsigned char *p)
{
    unsigned cp;

    if (p[0] < 0x80)
        return p[0];
    if (p[0] < 0xe0)
        return (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
    if (p[0] < 0xf0)
        return (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
    cp = (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
    return 0xd800 + ((cp - 0x10000) >> 10);
}

/*
 * Orders UTF-8 strings by their UTF-16 code units (RFC 8785 §3.2.3). Byte
 * order agrees with code point order, which agrees with UTF-16 order except
 * that supplementary characters (surrogates 0xD800..) sort before
 * U+E000..U+FFFF; so only the first differing character needs a closer look.
 */
static int utf16_cmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0, start;
    unsigned ux, uy;

    while (x[i] && x[i] == y[i])
        i++;
    if (x[i] == y[i])
        return 0;
    if (x[i] < 0x80 && y[i] < 0x80)
        return x[i] < y[i] ? -1 : 1;
    start = i;
    while (start > 0 && (x[start] & 0xc0) == 0x80)
        start--;
    ux = x[start] ? utf16_first_unit(x + start) : 0;
    uy = y[start] ? utf16_first_unit(y + start) : 0;
    if (ux != uy)
        return ux < uy ? -1 : 1;
    /* Same first unit: both supplementary with one high surrogate; bytes order the rest. */
    return x[i] < y[i] ? -1 : 1;
}

struct jcs_member {
    const char *key;
    size_t key_len;
    json_t *value;
};

static int member_cmp(const void *a, const void *b)
{
    return utf16_cmp(((const struct jcs_member *)a)->key, ((const struct jcs_member *)b)->key);
}

static void jcs_object(struct gc_buf *out, const json_t *obj, const char *skip, size_t *skip_at)
{
    struct jcs_member small[32], *m = small;
    size_t n = json_object_size(obj), i = 0;
    const char *key;
    size_t key_len;
    json_t *value;

    if (n > sizeof(small) / sizeof(small[0])) {
        m = gc_xcalloc(n, sizeof(*m));
    }
    json_object_keylen_foreach((json_t *)obj, key, key_len, value)
    {
        if (skip != NULL && key[0] == skip[0] && strcmp(key, skip) == 0)
            continue;
        m[i].key = key;
        m[i].key_len = key_len;
        m[i].value = value;
        /* Insertion sort: records have a dozen keys, often already in order. */
        for (size_t j = i; j > 0 && member_cmp(&m[j - 1], &m[j]) > 0; j--) {
            struct jcs_member t = m[j];
            m[j] = m[j - 1];
            m[j - 1] = t;
        }
        i++;
    }
    gc_buf_addc(out, '{');
    if (skip_at != NULL)
        *skip_at = out->len;
    for (size_t j = 0; j < i; j++) {
        if (j)
            gc_buf_addc(out, ',');
        bool before_skip = skip_at != NULL && utf16_cmp(m[j].key, skip) < 0;
        gc_jcs_append_string(out, m[j].key, m[j].key_len);
        gc_buf_addc(out, ':');
        gc_jcs_append(out, m[j].value);
        if (before_skip)
            *skip_at = out->len;
    }
    gc_buf_addc(out, '}');
    if (m != small)
        free(m);
}

void gc_jcs_append_without(struct gc_buf *out, const json_t *obj, const char *skip, size_t *skip_at)
{
    jcs_object(out, obj, skip, skip_at);
}

void gc_jcs_insert_member(struct gc_buf *out, const char *canon, size_t len, size_t at,
                          const char *name, const char *value, size_t value_len)
{
    bool first = canon[at - 1] == '{', last = canon[at] == '}';

    gc_buf_grow(out, len + strlen(name) + value_len + 8);
    gc_buf_add(out, canon, at);
    if (!first)
        gc_buf_addc(out, ',');
    gc_jcs_append_string(out, name, strlen(name));
    gc_buf_addc(out, ':');
    gc_buf_add(out, value, value_len);
    if (first && !last)
        gc_buf_addc(out, ',');
    gc_buf_add(out, canon + at, len - at);
}

void gc_jcs_append(struct gc_buf *out, const json_t *v)
{
    char num[24];

    switch (json_typeof(v)) {
    case JSON_OBJECT:
        jcs_object(out, v, NULL, NULL);
        break;
    case JSON_ARRAY:
        gc_buf_addc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                gc_buf_addc(out, ',');
            gc_jcs_append(out, json_array_get(v, i));
        }
        gc_buf_addc(out, ']');
        break;
    case JSON_STRING:
        gc_jcs_append_string(out, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        gc_buf_add(out, num, gc_fmt_i64(json_integer_value(v), num));
        break;
    case JSON_REAL:
        gc_jcs_append_double(out, json_real_value(v));
        break;
    case JSON_TRUE:
        gc_buf_adds(out, "true");
        break;
    case JSON_FALSE:
        gc_buf_adds(out, "false");
        break;
    case JSON_NULL:
        gc_buf_adds(out, "null");
        break;
    }
}

/* --- strict fields --- */

bool gc_field_present(const json_t *obj, const char *key)
{
    return json_object_get(obj, key) != NULL;
}

static void missing(const char *key, struct gc_fail *f)
{
    gc_fail(f, "bad_field", "field '%s' is missing", key);
}

void gc_json_pick(const json_t *obj, const char *const *names, size_t n, const json_t **values)
{
    const char *key;
    size_t key_len;
    json_t *value;

    for (size_t i = 0; i < n; i++)
        values[i] = NULL;
    json_object_keylen_foreach((json_t *)obj, key, key_len, value)
    {
        for (size_t i = 0; i < n; i++) {
            const char *name = names[i];
            size_t j = 0;

            /* The first byte rules out nearly every name before a full compare, here inline. */
            if (name[0] != key[0])
                continue;
            while (j < key_len && name[j] != '\0' && name[j] == key[j])
                j++;
            if (j == key_len && name[j] == '\0') {
                values[i] = value;
                break;
            }
        }
    }
}

bool gc_value_int(const json_t *v, const char *key, int64_t min, int64_t max, int64_t *out,
                  struct gc_fail *f)
{
    json_int_t i;

    if (v == NULL) {
        missing(key, f);
        return false;
    }
    if (json_is_real(v))
        return gc_fail(f, "bad_field", "field '%s' must be an integer, not a fraction or exponent",
                       key);
    if (!json_is_integer(v))
        return gc_fail(f, "bad_field", "field '%s' must be an integer", key);
    i = json_integer_value(v);
    if (i < min || i > max)
        return gc_fail(f, "bad_field", "field '%s' is %lld, outside %lld..%lld", key, (long long)i,
                       (long long)min, (long long)max);
    *out = i;
    return true;
}

bool gc_value_str(const json_t *v, const char *key, const char **out, size_t *len,
                  struct gc_fail *f)
{
    if (v == NULL) {
        missing(key, f);
        return false;
    }
    if (!json_is_string(v))
        return gc_fail(f, "bad_field", "field '%s' must be a string", key);
    *out = json_string_value(v);
    if (len != NULL)
        *len = json_string_length(v);
    return true;
}

bool gc_id_valid(const char *s, size_t len)
{
    if (len < 1 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

bool gc_value_id(const json_t *v, const char *key, const char **out, struct gc_fail *f)
{
    size_t len = 0;

    if (!gc_value_str(v, key, out, &len, f))
        return false;
    if (!gc_id_valid(*out, len))
        return gc_fail(f, "bad_field", "field '%s' is not an id ([a-z0-9][a-z0-9._-]{0,63})", key);
    return true;
}

bool gc_value_time(const json_t *v, const char *key, int64_t *out_s, struct gc_fail *f)
{
    const char *s = NULL, *why;
    size_t len = 0;

    if (!gc_value_str(v, key, &s, &len, f))
        return false;
    why = gc_time_parse(s, len, out_s);
    if (why != NULL)
        return gc_fail(f, "bad_field", "field '%s': %s", key, why);
    return true;
}

bool gc_value_hex(const json_t *v, const char *key, uint8_t *out, size_t n, struct gc_fail *f)
{
    const char *s = NULL;
    size_t len = 0;

    if (!gc_value_str(v, key, &s, &len, f))
        return false;
    if (!gc_hex_decode(s, len, out, n))
        return gc_fail(f, "bad_field", "field '%s' must be %zu lowercase hex digits", key, 2 * n);
    return true;
}

bool gc_value_const(const json_t *v, const char *key, const char *want, struct gc_fail *f)
{
    const char *s = NULL;
    size_t len = 0;

    if (!gc_value_str(v, key, &s, &len, f))
        return false;
    if (len != strlen(want) || memcmp(s, want, len) != 0)
        return gc_fail(f, "bad_field", "field '%s' must be \"%s\"", key, want);
    return true;
}

/* The gc_field_* accessors look the member up and judge it as gc_value_* does. */

bool gc_field_int(const json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
                  struct gc_fail *f)
{
    return gc_value_int(json_object_get(obj, key), key, min, max, out, f);
}

bool gc_field_str(const json_t *obj, const char *key, const char **out, size_t *len,
                  struct gc_fail *f)
{
    return gc_value_str(json_object_get(obj, key), key, out, len, f);
}

bool gc_field_id(const json_t *obj, const char *key, const char **out, struct gc_fail *f)
{
    return gc_value_id(json_object_get(obj, key), key, out, f);
}

bool gc_field_id_copy(const json_t *obj, const char *key, char out[65], struct gc_fail *f)
{
    const char *s;

    if (!gc_field_id(obj, key, &s, f))
        return false;
    snprintf(out, 65, "%s", s);
    return true;
}

bool gc_field_time(const json_t *obj, const char *key, int64_t *out_s, struct gc_fail *f)
{
    return gc_value_time(json_object_get(obj, key), key, out_s, f);
}

bool gc_field_hex(const json_t *obj, const char *key, uint8_t *out, size_t n, struct gc_fail *f)
{
    return gc_value_hex(json_object_get(obj, key), key, out, n, f);
}

bool gc_field_const(const json_t *obj, const char *key, const char *want, struct gc_fail *f)
{
    return gc_value_const(json_object_get(obj, key), key, want, f);
}

json_t *gc_json_time(int64_t t)
{
    char s[GC_TIME_LEN + 1];

    gc_time_format(t, s);
    return json_string(s);
}

void gc_json_set(json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || json_object_set_new_nocheck(obj, key, v) != 0)
        gc_die(GC_EX_SOFTWARE, "out of memory");
}

void gc_json_append(json_t *arr, json_t *v)
{
    if (v == NULL || json_array_append_new(arr, v) != 0)
        gc_die(GC_EX_SOFTWARE, "out of memory");
}

json_t *gc_json_hex(const uint8_t *bin, size_t n)
{
    char hex[2 * 64 + 1];

    gc_hex_encode(bin, n, hex);
    return json_stringn_nocheck(hex, 2 * n);
}
