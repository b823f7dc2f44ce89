#include "gc_amm_line.h"

#include <string.h>

#include "gc_crypto.h"
#include "gc_json.h"
#include "gc_time.h"
#include "banned.h"

/* More members than a swap has with its every option and a few unknown ones: the general path. */
#define MAX_MEMBERS 16

struct member {
    const char *key; /* the name's bytes, without quotes */
    size_t key_len;
    const char *val; /* the value's bytes: a string's with its quotes, an integer's digits */
    size_t val_len;
    bool str;
    int64_t num; /* an integer's value */
};

/* JSON's whitespace, as gc_json_parse_object skips it. */
static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/*
 * The closing quote of the string whose bytes start at P, or NULL unless every byte up to it is
 * printable ASCII other than '\\': those bytes are the string's value and its canonical form.
 */
static const char *plain_string(const char *p, const char *end)
{
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '"')
            return p;
        if (c < 0x20 || c >= 0x80 || c == '\\')
            return NULL;
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

/* The members of the object on LINE, at most MAX_MEMBERS, or -1 when it is not of plain form. */
static int read_members(const char *line, size_t len, struct member *m)
{
    const char *p = line, *end = line + len, *q;
    int n = 0;

    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return -1; /* no members: not a swap */
    for (;;) {
        if (n == MAX_MEMBERS || p >= end || *p != '"' || (q = plain_string(p + 1, end)) == NULL)
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
        for (int i = 0; i < n; i++)
            if (m[i].key_len == m[n].key_len && memcmp(m[i].key, m[n].key, m[n].key_len) == 0)
                return -1; /* a duplicate: refused there */
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

/* A's name before B's: ASCII names, whose UTF-16 order (RFC 8785) is byte order. */
static bool key_before(const struct member *a, const struct member *b)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, n);

    return c != 0 ? c < 0 : a->key_len < b->key_len;
}

/*
 * Hashes the canonical form of the N members M: the line itself when its members are in order
 * and nothing stands between them, else the members sorted and written out into SCRATCH.
 */
static void hash_canonical(const char *line, size_t len, struct member *m, int n,
                           struct gc_buf *scratch, uint8_t h[GC_SHA256_LEN])
{
    const struct member *order[MAX_MEMBERS];
    size_t canon_len = 1; /* '{' and '}', less the comma before the first member */
    bool sorted = true;

    for (int i = 0; i < n; i++) {
        int j = i;

        canon_len += m[i].key_len + m[i].val_len + 4; /* "": and , or } */
        while (j > 0 && key_before(&m[i], order[j - 1])) {
            order[j] = order[j - 1];
            j--;
        }
        sorted = sorted && j == i;
        order[j] = &m[i];
    }
    if (sorted && canon_len == len) {
        gc_sha256(line, len, h);
        return;
    }
    gc_buf_reset(scratch);
    gc_buf_grow(scratch, canon_len);
    for (int i = 0; i < n; i++) {
        gc_buf_addc(scratch, i == 0 ? '{' : ',');
        gc_buf_addc(scratch, '"');
        gc_buf_add(scratch, order[i]->key, order[i]->key_len);
        gc_buf_add(scratch, "\":", 2);
        gc_buf_add(scratch, order[i]->val, order[i]->val_len);
    }
    gc_buf_addc(scratch, '}');
    gc_sha256(scratch->ptr, scratch->len, h);
}

static bool is(const struct member *m, const char *s, size_t len)
{
    return m->key_len == len && memcmp(m->key, s, len) == 0;
}

/* The string value of M (NULL when it is none) equals S. */
static bool str_is(const struct member *m, const char *s, size_t len)
{
    return m != NULL && m->str && m->val_len == len + 2 && memcmp(m->val + 1, s, len) == 0;
}

/* Copies the id that M's value is into OUT; false when M is missing or no id. */
static bool take_id(const struct member *m, char out[GC_AMM_ID_MAX + 1])
{
    size_t len;

    if (m == NULL || !m->str)
        return false;
    len = m->val_len - 2;
    if (!gc_id_valid(m->val + 1, len))
        return false;
    memcpy(out, m->val + 1, len);
    out[len] = '\0';
    return true;
}

/* An amount as a swap reads it (see read_swap in gc_amm.c): an integer of at least MIN. */
static bool take_amount(const struct member *m, int64_t min, gc_u128 *out, bool *present)
{
    *present = m != NULL;
    if (m == NULL)
        return true;
    if (m->str || m->num < min)
        return false; /* a string may be an amount past 2^63, or a refusal: the general path */
    *out = (gc_u128)m->num;
    return true;
}

#define IS(m, lit) is(m, lit, sizeof(lit) - 1)

bool gc_amm_read_swap(const char *line, size_t len, int64_t now, struct gc_amm_swap *s,
                      struct gc_buf *scratch)
{
    struct member m[MAX_MEMBERS];
    const struct member *type = NULL, *ts = NULL, *market = NULL, *trader = NULL, *side = NULL;
    /* in, out, min and max of a buy, then of a sell: the keys of read_swap in gc_amm.c */
    static const char *const keys[8] = {"pay_micros",     "gpu_s",    "min_gpu_s",
                                        "max_pay_micros", "gpu_s",    "get_micros",
                                        "min_get_micros", "max_gpu_s"};
    const struct member *amount[8] = {NULL};
    gc_u128 in = 0, out = 0, lo = 0, hi = 0;
    bool has_in, has_out, has_min, has_max;
    int n = read_members(line, len, m);

    if (n < 0)
        return false;
    for (int i = 0; i < n; i++) {
        if (IS(&m[i], "type"))
            type = &m[i];
        else if (IS(&m[i], "ts"))
            ts = &m[i];
        else if (IS(&m[i], "market"))
            market = &m[i];
        else if (IS(&m[i], "trader"))
            trader = &m[i];
        else if (IS(&m[i], "side"))
            side = &m[i];
        else
            for (int k = 0; k < 8; k++)
                if (is(&m[i], keys[k], strlen(keys[k])))
                    amount[k] = &m[i];
    }
    if (!str_is(type, "amm.swap", 8))
        return false;
    if (ts != NULL) {
        if (!ts->str || gc_time_parse(ts->val + 1, ts->val_len - 2, &s->ts) != NULL)
            return false;
    } else if (now != GC_AMM_NO_TIME) {
        s->ts = now;
    } else {
        return false;
    }
    if (!take_id(market, s->market) || !take_id(trader, s->trader))
        return false;
    if (str_is(side, "buy", 3))
        s->buy = true;
    else if (str_is(side, "sell", 4))
        s->buy = false;
    else
        return false;
    if (!s->buy)
        memmove(amount, amount + 4, 4 * sizeof(*amount));
    if (!take_amount(amount[0], 1, &in, &has_in) || !take_amount(amount[1], 1, &out, &has_out) ||
        !take_amount(amount[2], 0, &lo, &has_min) || !take_amount(amount[3], 0, &hi, &has_max))
        return false;
    if (has_in == has_out || (has_in ? has_max : has_min))
        return false;
    s->exact_in = has_in;
    s->amount = has_in ? in : out;
    s->has_limit = has_in ? has_min : has_max;
    s->limit = has_in ? lo : hi;
    hash_canonical(line, len, m, n, scratch, s->h);
    return true;
}
