#include "gc_amm_line.h"

#include <string.h>

#include "gc_crypto.h"
#include "gc_json.h"
#include "gc_json_flat.h"
#include "gc_time.h"
#include "banned.h"

/* More members than a swap has with its every option and a few unknown ones: the general path. */
#define MAX_MEMBERS 16

/* A's name against B's: ASCII names, whose UTF-16 order (RFC 8785) is byte order. */
static int key_cmp(const struct gc_json_member *a, const struct gc_json_member *b)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;

    for (size_t i = 0; i < n; i++)
        if (a->key[i] != b->key[i])
            return (unsigned char)a->key[i] < (unsigned char)b->key[i] ? -1 : 1;
    return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

/*
 * ORDER gets the N members M in canonical order; false when two have one name (a duplicate, which
 * the general path refuses). *SORTED says whether they came in that order.
 */
static bool sort_members(struct gc_json_member *m, int n, const struct gc_json_member **order,
                         bool *sorted)
{
    *sorted = true;
    for (int i = 0; i < n; i++) {
        int j = i, c = 1;

        while (j > 0 && (c = key_cmp(&m[i], order[j - 1])) < 0) {
            order[j] = order[j - 1];
            j--;
        }
        if (c == 0) /* the name of ORDER[J - 1], which sorts before or with it */
            return false;
        *sorted = *sorted && j == i;
        order[j] = &m[i];
    }
    return true;
}

/*
 * Hashes the canonical form of the N members in ORDER: the line itself when they came in order
 * with nothing between them, else the members written out in order into SCRATCH.
 */
static void hash_canonical(const char *line, size_t len, const struct gc_json_member **order, int n,
                           bool sorted, struct gc_buf *scratch, uint8_t h[GC_SHA256_LEN])
{
    size_t canon_len = 1; /* '{' and '}', less the comma before the first member */
    char *p;

    for (int i = 0; i < n; i++)
        canon_len += order[i]->key_len + order[i]->val_len + 4; /* "": and , or } */
    if (sorted && canon_len == len) {
        gc_sha256(line, len, h);
        return;
    }
    gc_buf_reset(scratch);
    gc_buf_grow(scratch, canon_len);
    p = scratch->ptr;
    for (int i = 0; i < n; i++) {
        *p++ = i == 0 ? '{' : ',';
        *p++ = '"';
        memcpy(p, order[i]->key, order[i]->key_len);
        p += order[i]->key_len;
        *p++ = '"';
        *p++ = ':';
        memcpy(p, order[i]->val, order[i]->val_len);
        p += order[i]->val_len;
    }
    *p++ = '}';
    gc_sha256(scratch->ptr, (size_t)(p - scratch->ptr), h);
}

/* The members a swap reads; the amounts by side and exactness as read_swap in gc_amm.c has them. */
enum swap_key {
    K_TYPE,
    K_TS,
    K_MARKET,
    K_TRADER,
    K_SIDE,
    K_PAY_MICROS,     /* buy: in */
    K_GPU_S,          /* buy: out; sell: in */
    K_MIN_GPU_S,      /* buy: min */
    K_MAX_PAY_MICROS, /* buy: max */
    K_GET_MICROS,     /* sell: out */
    K_MIN_GET_MICROS, /* sell: min */
    K_MAX_GPU_S,      /* sell: max */
    K_OTHER
};

#define NAME_IS(m, lit)                                                                            \
    ((m)->key_len == sizeof(lit) - 1 && memcmp((m)->key, lit, sizeof(lit) - 1) == 0)

static enum swap_key swap_key(const struct gc_json_member *m)
{
    switch (m->key_len) {
    case 2:
        return NAME_IS(m, "ts") ? K_TS : K_OTHER;
    case 4:
        return NAME_IS(m, "type") ? K_TYPE : NAME_IS(m, "side") ? K_SIDE : K_OTHER;
    case 5:
        return NAME_IS(m, "gpu_s") ? K_GPU_S : K_OTHER;
    case 6:
        return NAME_IS(m, "market") ? K_MARKET : NAME_IS(m, "trader") ? K_TRADER : K_OTHER;
    case 9:
        return NAME_IS(m, "min_gpu_s")   ? K_MIN_GPU_S
               : NAME_IS(m, "max_gpu_s") ? K_MAX_GPU_S
                                         : K_OTHER;
    case 10:
        return NAME_IS(m, "pay_micros")   ? K_PAY_MICROS
               : NAME_IS(m, "get_micros") ? K_GET_MICROS
                                          : K_OTHER;
    case 14:
        return NAME_IS(m, "max_pay_micros")   ? K_MAX_PAY_MICROS
               : NAME_IS(m, "min_get_micros") ? K_MIN_GET_MICROS
                                              : K_OTHER;
    default:
        return K_OTHER;
    }
}

/* The string value of M (NULL when it is none) equals LIT. */
#define STR_IS(m, lit)                                                                             \
    ((m) != NULL && (m)->str && (m)->val_len == sizeof(lit) + 1 &&                                 \
     memcmp((m)->val + 1, lit, sizeof(lit) - 1) == 0)

/* Copies the id that M's value is into OUT; false when M is missing or no id. */
static bool take_id(const struct gc_json_member *m, char out[GC_AMM_ID_MAX + 1])
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
static bool take_amount(const struct gc_json_member *m, int64_t min, gc_u128 *out, bool *present)
{
    *present = m != NULL;
    if (m == NULL)
        return true;
    if (m->str || m->num < min)
        return false; /* a string may be an amount past 2^63, or a refusal: the general path */
    *out = (gc_u128)m->num;
    return true;
}

void gc_amm_reader_release(struct gc_amm_reader *rd)
{
    gc_buf_release(&rd->scratch);
    rd->has_ts = false;
}

/* The time of the "ts" M, through RD's last one: events come in runs of one second. */
static bool take_time(struct gc_amm_reader *rd, const struct gc_json_member *m, int64_t *t)
{
    const char *s = m->val + 1;
    size_t len = m->val_len - 2;

    if (!m->str)
        return false;
    if (rd->has_ts && len == GC_TIME_LEN && memcmp(s, rd->ts, GC_TIME_LEN) == 0) {
        *t = rd->ts_s;
        return true;
    }
    if (gc_time_parse(s, len, t) != NULL)
        return false;
    memcpy(rd->ts, s, GC_TIME_LEN); /* parsed: GC_TIME_LEN bytes */
    rd->ts_s = *t;
    rd->has_ts = true;
    return true;
}

bool gc_amm_read_swap(struct gc_amm_reader *rd, const char *line, size_t len, int64_t now,
                      struct gc_amm_swap *s)
{
    struct gc_json_member m[MAX_MEMBERS];
    const struct gc_json_member *order[MAX_MEMBERS], *k[K_OTHER + 1] = {NULL}, *in, *out, *min,
                                                                  *max;
    gc_u128 in_v = 0, out_v = 0, lo = 0, hi = 0;
    bool has_in, has_out, has_min, has_max, sorted;
    int n = gc_json_flat_members(line, len, m, MAX_MEMBERS);

    if (n < 0 || !sort_members(m, n, order, &sorted))
        return false;
    for (int i = 0; i < n; i++)
        k[swap_key(&m[i])] = &m[i];
    if (!STR_IS(k[K_TYPE], "amm.swap"))
        return false;
    if (k[K_TS] != NULL) {
        if (!take_time(rd, k[K_TS], &s->ts))
            return false;
    } else if (now != GC_AMM_NO_TIME) {
        s->ts = now;
    } else {
        return false;
    }
    if (!take_id(k[K_MARKET], s->market) || !take_id(k[K_TRADER], s->trader))
        return false;
    if (STR_IS(k[K_SIDE], "buy")) {
        s->buy = true;
        in = k[K_PAY_MICROS], out = k[K_GPU_S], min = k[K_MIN_GPU_S], max = k[K_MAX_PAY_MICROS];
    } else if (STR_IS(k[K_SIDE], "sell")) {
        s->buy = false;
        in = k[K_GPU_S], out = k[K_GET_MICROS], min = k[K_MIN_GET_MICROS], max = k[K_MAX_GPU_S];
    } else {
        return false;
    }
    if (!take_amount(in, 1, &in_v, &has_in) || !take_amount(out, 1, &out_v, &has_out) ||
        !take_amount(min, 0, &lo, &has_min) || !take_amount(max, 0, &hi, &has_max))
        return false;
    if (has_in == has_out || (has_in ? has_max : has_min))
        return false; /* refused there, with the message that says which */
    s->exact_in = has_in;
    s->amount = has_in ? in_v : out_v;
    s->has_limit = has_in ? has_min : has_max;
    s->limit = has_in ? lo : hi;
    hash_canonical(line, len, order, n, sorted, &rd->scratch, s->h);
    return true;
}
