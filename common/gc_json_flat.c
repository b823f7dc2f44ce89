#include "gc_json_flat.h"

#include <string.h>

#include "gc_json.h"
#include "banned.h"

/* JSON's whitespace, as gc_json_parse_object skips it. */
static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Bytes in strings: 0 plain (printable ASCII but '\\'), 1 the closing quote, 2 anything else. */
static const unsigned char string_byte[256] = {
    [0x00 ... 0x1f] = 2,
    ['"'] = 1,
    ['\\'] = 2,
    [0x80 ... 0xff] = 2,
};

/* Whether one of the eight bytes of W ends a plain run or is past ASCII. */
static bool word_stops(uint64_t w)
{
    return gc_json_word_stops(w) || (w & 0x8080808080808080ULL) != 0;
}

/*
 * The closing quote of the string whose bytes start at P, or NULL unless every byte up to it is
 * plain: then those bytes are both the string's value and its canonical form.
 */
static const char *plain_string(const char *p, const char *end)
{
    uint64_t w;

    /* eight bytes at a time while none is special, then byte by byte */
    while (end - p >= 8 && (memcpy(&w, p, 8), !word_stops(w)))
        p += 8;
    for (; p < end; p++) {
        unsigned char c = string_byte[(unsigned char)*p];

        if (c != 0)
            return c == 1 ? p : NULL;
    }
    return NULL;
}

/*
 * The end of the integer at P, its value in *V, or NULL unless it is from 0 to 2^63 - 1 without
 * a leading zero, fraction or exponent: then its digits are its canonical form.
 */
static const char *plain_integer(const char *p, const char *end, int64_t *v)
{
    const char *s = p;
    uint64_t n = 0;

    while (p < end && *p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t)(*p - '0');
        if (++p - s > 18 && (p - s > 19 || n > (uint64_t)INT64_MAX))
            return NULL; /* 19 digits reach 2^63 at most from below 10^19: no wrap */
    }
    if (p == s || (*s == '0' && p - s > 1))
        return NULL;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
        return NULL;
    *v = (int64_t)n;
    return p;
}

int gc_json_flat_members(const char *line, size_t len, struct gc_json_member *m, int max)
{
    const char *p = line, *end = line + len, *q;
    int n = 0;

    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return -1; /* no members */
    for (;;) {
        if (n == max || p >= end || *p != '"' || (q = plain_string(p + 1, end)) == NULL)
            return -1;
        m[n].key = p + 1;
        m[n].key_len = (size_t)(q - p - 1);
        p = skip_ws(q + 1, end);
        if (p >= end || *p != ':')
            return -1;
        p = skip_ws(p + 1, end);
        if (p >= end)
            return -1;
        m[n].val = p;
        if (*p == '"') {
            if ((q = plain_string(p + 1, end)) == NULL)
                return -1;
            m[n].str = true;
            p = q + 1;
        } else {
            if ((p = plain_integer(p, end, &m[n].num)) == NULL)
                return -1;
            m[n].str = false;
        }
        m[n].val_len = (size_t)(p - m[n].val);
        n++;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            break;
        return -1;
    }
    return skip_ws(p + 1, end) == end ? n : -1;
}

bool gc_json_member_is(const struct gc_json_member *m, const char *name)
{
    size_t len = strlen(name);

    return m->key_len == len && memcmp(m->key, name, len) == 0;
}
