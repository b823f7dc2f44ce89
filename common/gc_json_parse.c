/*
 * A strict JSON parser for one NDJSON line, building jansson values.
 *
 * jansson's own parser reads through a character-at-a-time stream and costs
 * more than the Ed25519 work gc-verify exists to do; this one walks the bytes
 * once, hands strings without escapes to jansson unchecked (the whole line is
 * validated as UTF-8 beforehand) and keeps jansson's verdicts: duplicate keys,
 * "\u0000" and lone surrogates are refused, integers past 64 bits (and reals
 * whose canonical form is one) are a field error, everything else a JSON error
 * with its column.
 */
#include "gc_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MAX_DEPTH 256

struct parser {
    const char *start, *p, *end;
    int depth;
    struct gc_buf scratch; /* unescaped strings, number text */
    struct gc_fail *f;
};

static json_t *parse_value(struct parser *ps);

static json_t *fail(struct parser *ps, const char *reason, const char *what)
{
    gc_fail(ps->f, reason, "%s at column %zu", what, (size_t)(ps->p - ps->start) + 1);
    return NULL;
}

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hex4(const char *s)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static void put_utf8(struct gc_buf *b, unsigned cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    }
    gc_buf_add(b, u, n);
}

/*
 * Reads the string at ps->p (after its opening quote) and leaves ps->p after
 * the closing one. OUT and LEN point into the line when there were no escapes,
 * else into ps->scratch. False on a malformed string.
 */
static bool lex_string(struct parser *ps, const char **out, size_t *len)
{
    const char *s = ps->p, *e = ps->p;

    /* Hashes and signatures are long plain strings: eight bytes at a time while none stops. */
    while (ps->end - e >= 8) {
        uint64_t word;

        memcpy(&word, e, 8);
        if (gc_json_word_stops(word))
            break;
        e += 8;
    }
    while (e < ps->end && *e != '"' && *e != '\\' && (unsigned char)*e >= 0x20)
        e++;
    if (e < ps->end && *e == '"') {
        *out = s;
        *len = (size_t)(e - s);
        ps->p = e + 1;
        return true;
    }
    gc_buf_reset(&ps->scratch);
    gc_buf_add(&ps->scratch, s, (size_t)(e - s));
    ps->p = e;
    for (;;) {
        unsigned char c;

        if (ps->p >= ps->end)
            return fail(ps, "bad_json", "unterminated string"), false;
        c = (unsigned char)*ps->p;
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(ps, "bad_json", "control character in string"), false;
        if (c != '\\') {
            gc_buf_addc(&ps->scratch, (char)c);
            ps->p++;
            continue;
        }
        if (ps->end - ps->p < 2)
            return fail(ps, "bad_json", "unterminated string"), false;
        switch (ps->p[1]) {
        case '"':
            gc_buf_addc(&ps->scratch, '"');
            break;
        case '\\':
            gc_buf_addc(&ps->scratch, '\\');
            break;
        case '/':
            gc_buf_addc(&ps->scratch, '/');
            break;
        case 'b':
            gc_buf_addc(&ps->scratch, '\b');
            break;
        case 'f':
            gc_buf_addc(&ps->scratch, '\f');
            break;
        case 'n':
            gc_buf_addc(&ps->scratch, '\n');
            break;
        case 'r':
            gc_buf_addc(&ps->scratch, '\r');
            break;
        case 't':
            gc_buf_addc(&ps->scratch, '\t');
            break;
        case 'u': {
            int cp = ps->end - ps->p >= 6 ? hex4(ps->p + 2) : -1, lo;

            if (cp < 0)
                return fail(ps, "bad_json", "invalid \\u escape"), false;
            if (cp == 0)
                return fail(ps, "bad_json", "\\u0000 is not allowed in strings"), false;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return fail(ps, "bad_json", "lone low surrogate in \\u escape"), false;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                lo = ps->end - ps->p >= 12 && ps->p[6] == '\\' && ps->p[7] == 'u' ? hex4(ps->p + 8)
                                                                                  : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return fail(ps, "bad_json", "lone high surrogate in \\u escape"), false;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                ps->p += 6;
            }
            put_utf8(&ps->scratch, (unsigned)cp);
            ps->p += 4;
            break;
        }
        default:
            return fail(ps, "bad_json", "invalid escape in string"), false;
        }
        ps->p += 2;
    }
    ps->p++;
    *out = ps->scratch.ptr;
    *len = ps->scratch.len;
    return true;
}

static bool is_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

static json_t *parse_number(struct parser *ps)
{
    const char *s = ps->p, *p = ps->p;
    bool neg = false, real = false, overflow = false;
    int64_t v = 0; /* accumulated negatively, so INT64_MIN fits */
    double d;

    if (*p == '-')
        neg = true, p++;
    if (!is_digit(p, ps->end))
        return fail(ps, "bad_json", "invalid number");
    if (*p == '0' && is_digit(p + 1, ps->end))
        return fail(ps, "bad_json", "leading zero in number");
    for (; is_digit(p, ps->end); p++) {
        int digit = *p - '0';

        if (v < (INT64_MIN + digit) / 10)
            overflow = true;
        else if (!overflow)
            v = v * 10 - digit;
    }
    if (p < ps->end && *p == '.') {
        real = true;
        if (!is_digit(++p, ps->end))
            return ps->p = p, fail(ps, "bad_json", "invalid number");
        while (is_digit(p, ps->end))
            p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        real = true;
        p++;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, ps->end))
            return ps->p = p, fail(ps, "bad_json", "invalid number");
        while (is_digit(p, ps->end))
            p++;
    }
    if (!real) {
        if (overflow || (!neg && v == INT64_MIN))
            return fail(ps, "bad_field", "integer out of range");
        ps->p = p;
        return json_integer(neg ? v : -v);
    }
    gc_buf_reset(&ps->scratch);
    gc_buf_add(&ps->scratch, s, (size_t)(p - s));
    d = strtod(ps->scratch.ptr, NULL);
    if (isinf(d))
        return fail(ps, "bad_json", "real number overflow");
    /*
     * From 2^63 up to 10^21 the canonical form of a real is its integer digits (RFC 8785),
     * which read back as an integer past 64 bits: a record holding one could be signed but its
     * canonical bytes never read again. Refused as the integer would be.
     */
    if ((d >= 0x1p63 || d < -0x1p63) && fabs(d) < 1e21)
        return fail(ps, "bad_field", "number out of range");
    ps->p = p;
    return json_real(d);
}

static json_t *parse_object(struct parser *ps)
{
    json_t *obj = json_object(), *v;

    ps->p++; /* '{' */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return obj;
    }
    for (;;) {
        const char *key, *after_key;
        char *owned;
        size_t key_len, before;

        if (ps->p >= ps->end || *ps->p != '"')
            goto bad_key;
        ps->p++;
        if (!lex_string(ps, &key, &key_len))
            goto err;
        /*
         * A duplicate key shows when setting it adds no member, which spares a lookup per
         * member; it is reported as if found first, at the end of the key.
         */
        after_key = ps->p;
        before = json_object_size(obj);
        /* An escaped key sits in the scratch buffer the value may reuse: copy it (rare). */
        owned = NULL;
        if (key == ps->scratch.ptr) {
            owned = malloc(key_len + 1);
            if (owned == NULL)
                gc_die(GC_EX_SOFTWARE, "out of memory");
            memcpy(owned, key, key_len + 1);
            key = owned;
        }
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            fail(ps, "bad_json", "':' expected");
            goto bad_member;
        }
        ps->p++;
        v = parse_value(ps);
        if (v == NULL)
            goto bad_member;
        if (json_object_setn_new_nocheck(obj, key, key_len, v) != 0)
            gc_die(GC_EX_SOFTWARE, "out of memory");
        free(owned);
        if (json_object_size(obj) == before) {
            ps->p = after_key;
            fail(ps, "bad_json", "duplicate object key");
            goto err;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return obj;
        }
        fail(ps, "bad_json", "',' or '}' expected");
        goto err;
    bad_member:
        /* The member is bad; a duplicate key is the fault found first. */
        if (json_object_getn(obj, key, key_len) != NULL) {
            ps->p = after_key;
            fail(ps, "bad_json", "duplicate object key");
        }
        free(owned);
        goto err;
    }
bad_key:
    fail(ps, "bad_json", "string or '}' expected");
err:
    json_decref(obj);
    return NULL;
}

static json_t *parse_array(struct parser *ps)
{
    json_t *arr = json_array(), *v;

    ps->p++; /* '[' */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return arr;
    }
    for (;;) {
        v = parse_value(ps);
        if (v == NULL)
            break;
        json_array_append_new(arr, v);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return arr;
        }
        fail(ps, "bad_json", "',' or ']' expected");
        break;
    }
    json_decref(arr);
    return NULL;
}

static bool literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static json_t *parse_value(struct parser *ps)
{
    json_t *v;

    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "bad_json", "unexpected end of line");
    switch (*ps->p) {
    case '{':
    case '[':
        if (++ps->depth > MAX_DEPTH)
            return fail(ps, "bad_json", "nesting too deep");
        v = *ps->p == '{' ? parse_object(ps) : parse_array(ps);
        ps->depth--;
        return v;
    case '"': {
        const char *s;
        size_t len;

        ps->p++;
        if (!lex_string(ps, &s, &len))
            return NULL;
        /* The line was validated as UTF-8 and \u escapes are decoded to UTF-8. */
        return json_stringn_nocheck(s, len);
    }
    case 't':
        if (literal(ps, "true"))
            return json_true();
        break;
    case 'f':
        if (literal(ps, "false"))
            return json_false();
        break;
    case 'n':
        if (literal(ps, "null"))
            return json_null();
        break;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps);
    }
    return fail(ps, "bad_json", "invalid value");
}

json_t *gc_json_parse_object(const char *line, size_t len, struct gc_fail *f)
{
    struct parser ps = {line, line, line + len, 0, GC_BUF_INIT, f};
    const char *nul = memchr(line, '\0', len);
    json_t *v = NULL;

    if (nul != NULL) {
        gc_fail(f, "bad_json", "NUL byte at column %zu", (size_t)(nul - line) + 1);
        return NULL;
    }
    skip_ws(&ps);
    if (ps.p >= ps.end || *ps.p != '{') {
        fail(&ps, "bad_json", "line is not a JSON object");
        goto out;
    }
    v = parse_value(&ps);
    if (v == NULL)
        goto out;
    skip_ws(&ps);
    if (ps.p != ps.end) {
        json_decref(v);
        v = NULL;
        fail(&ps, "bad_json", "end of line expected");
    }
out:
    gc_buf_release(&ps.scratch);
    return v;
}
