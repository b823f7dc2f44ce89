#include "gc_amm.h"

#include <stdlib.h>
#include <string.h>

#include "gc_cp.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_time.h"
#include "gc_ys.h"
#include "banned.h"

#define HOUR_S 3600
#define BPS    10000

static const char *const curve_names[] = {"cp", "ys"};
static const char *const status_names[] = {"online", "running", "offline", "exited"};

/* ---- accounts, devices, recent events ---------------------------------- */

/* The index of ID in A, or where it belongs (*FOUND false). */
static size_t acct_find(const struct gc_amm_accts *a, const char *id, bool *found)
{
    size_t lo = 0, hi = a->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(a->v[mid].id, id);

        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static gc_u128 acct_get(const struct gc_amm_accts *a, const char *id)
{
    bool found;
    size_t i = acct_find(a, id, &found);

    return found ? a->v[i].amount : 0;
}

/*
 * Sets ID's amount, given where acct_find put it: I, FOUND (an account at zero is dropped, so
 * the state lists only holders).
 */
static void acct_set_at(struct gc_amm_accts *a, size_t i, bool found, const char *id,
                        gc_u128 amount)
{
    if (found) {
        if (amount != 0) {
            a->v[i].amount = amount;
        } else {
            memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(*a->v));
            a->n--;
        }
        return;
    }
    if (amount == 0)
        return;
    a->v = gc_grow(a->v, &a->cap, a->n + 1, sizeof(*a->v), 8);
    memmove(&a->v[i + 1], &a->v[i], (a->n - i) * sizeof(*a->v));
    snprintf(a->v[i].id, sizeof(a->v[i].id), "%s", id);
    a->v[i].amount = amount;
    a->n++;
}

static void acct_set(struct gc_amm_accts *a, const char *id, gc_u128 amount)
{
    bool found;
    size_t i = acct_find(a, id, &found);

    acct_set_at(a, i, found, id, amount);
}

static gc_u128 accts_total(const struct gc_amm_accts *a)
{
    gc_u128 t = 0;

    for (size_t i = 0; i < a->n; i++)
        t += a->v[i].amount;
    return t;
}

static struct gc_amm_dev *dev_find(const struct gc_amm_market *m, const char *id)
{
    size_t lo = 0, hi = m->n_devs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->devs[mid].id, id);

        if (c == 0)
            return &m->devs[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static struct gc_amm_dev *dev_add(struct gc_amm_market *m, const char *id)
{
    size_t i = 0;

    m->devs = gc_grow(m->devs, &m->cap_devs, m->n_devs + 1, sizeof(*m->devs), 8);
    while (i < m->n_devs && strcmp(m->devs[i].id, id) < 0)
        i++;
    memmove(&m->devs[i + 1], &m->devs[i], (m->n_devs - i) * sizeof(*m->devs));
    m->devs[i] = (struct gc_amm_dev){.status = GC_DEV_ONLINE};
    snprintf(m->devs[i].id, sizeof(m->devs[i].id), "%s", id);
    m->n_devs++;
    return &m->devs[i];
}

static gc_u128 devs_capacity(const struct gc_amm_market *m)
{
    gc_u128 t = 0;

    for (size_t i = 0; i < m->n_devs; i++)
        t += m->devs[i].gpu_s;
    return t;
}

static bool recent_has(const struct gc_amm_market *m, const uint8_t *h)
{
    for (size_t i = 0; i < m->n_recent; i++)
        if (memcmp(m->recent[i], h, GC_SHA256_LEN) == 0)
            return true;
    return false;
}

static void recent_add(struct gc_amm_market *m, int64_t ts, const uint8_t *h)
{
    if (ts != m->last_ts)
        m->n_recent = 0;
    m->recent = gc_grow(m->recent, &m->cap_recent, m->n_recent + 1, sizeof(*m->recent), 4);
    memcpy(m->recent[m->n_recent++], h, GC_SHA256_LEN);
}

/* ---- the book ---------------------------------------------------------- */

void gc_amm_book_init(struct gc_amm_book *b)
{
    *b = (struct gc_amm_book){GC_MAP_INIT};
}

static void market_free(struct gc_amm_market *m)
{
    free(m->devs);
    free(m->lps.v);
    free(m->claims.v);
    free(m->recent);
    free(m->ys_memo);
    free(m);
}

void gc_amm_book_release(struct gc_amm_book *b)
{
    for (size_t i = 0; i < b->markets.cap; i++)
        if (b->markets.slots[i].value != NULL)
            market_free(b->markets.slots[i].value);
    gc_map_release(&b->markets);
}

struct gc_amm_market *gc_amm_find(const struct gc_amm_book *b, const char *id)
{
    return gc_map_get(&b->markets, id);
}

struct gc_amm_market **gc_amm_sorted(const struct gc_amm_book *b)
{
    return (struct gc_amm_market **)gc_map_sorted_values(&b->markets);
}

/* ---- curves ------------------------------------------------------------ */

/* The most a reserve may hold: ys's powers need headroom; cp follows Uniswap's uint112. */
static gc_u128 max_amount(const struct gc_amm_market *m)
{
    return m->curve == GC_AMM_YS ? GC_YS_MAX_AMOUNT : (gc_u128)1 << 112;
}

gc_u128 gc_amm_max_amount(const struct gc_amm_market *m)
{
    return max_amount(m);
}

/* The fee at TS: cp's is fixed; ys's falls linearly to zero over the last fee_horizon_s, rounded
 * up. */
static unsigned fee_at(const struct gc_amm_market *m, int64_t ts)
{
    int64_t left = m->hour - ts;
    gc_u128 fee;

    if (m->curve == GC_AMM_CP || left >= m->fee_horizon_s)
        return m->fee_bps;
    if (left <= 0)
        return 0;
    gc_mul_div_ceil((gc_u128)m->fee_bps, (gc_u128)left, (gc_u128)m->fee_horizon_s, &fee);
    return (unsigned)fee;
}

static bool ys_at(const struct gc_amm_market *m, int64_t ts, struct gc_ys *c)
{
    return gc_ys_at(m->k_ppm, m->hour > ts ? m->hour - ts : 0, m->anchor_micros, m->ys_memo, c);
}

/* The pool's size for LP shares (sqrt(x y) for cp, the power mean for ys), rounded by UP. */
static bool pool_size(const struct gc_amm_market *m, int64_t ts, gc_u128 x, gc_u128 y, bool up,
                      gc_u128 *size)
{
    struct gc_ys c;
    struct gc_u256 k = gc_mul_wide(x, y);
    gc_u128 root;

    if (m->curve == GC_AMM_YS)
        return ys_at(m, ts, &c) && gc_ys_size(&c, x, y, up, size);
    root = gc_isqrt256(k);
    if (up) {
        struct gc_u256 sq = gc_mul_wide(root, root);

        root += sq.hi != k.hi || sq.lo != k.lo;
    }
    *size = root;
    return true;
}

bool gc_amm_spot_x64(const struct gc_amm_market *m, int64_t ts, gc_u128 *price)
{
    struct gc_ys c;

    if (m->x_gpu_s == 0 || m->y_micros == 0)
        return false;
    if (m->curve == GC_AMM_YS)
        return ys_at(m, ts, &c) && gc_ys_price_x64(&c, m->x_gpu_s, m->y_micros, price);
    return m->y_micros <= GC_U128_MAX / HOUR_S &&
           gc_mul_div_floor(m->y_micros * HOUR_S, (gc_u128)1 << 64, m->x_gpu_s, price);
}

/* The part of AMOUNT left after FEE_BPS, rounded down: what the curve sees. */
static gc_u128 after_fee(gc_u128 amount, unsigned fee_bps)
{
    gc_u128 net = 0;

    gc_mul_div_floor(amount, BPS - fee_bps, BPS, &net);
    return net;
}

/* The gross amount whose part after FEE_BPS covers NET, rounded up. */
static bool gross_of(gc_u128 net, unsigned fee_bps, gc_u128 *gross)
{
    return gc_mul_div_ceil(net, BPS, BPS - fee_bps, gross);
}

/* The least cash (SOLVE_CASH) or inventory that keeps K, given the other reserve. */
static bool ys_least(const struct gc_ys *c, bool solve_cash, gc_u128 other, gc_u128 k, gc_u128 *out)
{
    return solve_cash ? gc_ys_min_cash(c, other, k, out) : gc_ys_min_inventory(c, other, k, out);
}

/*
 * Exact in: the input (after the fee) joins its reserve, and the other
 * reserve keeps the least that holds K; the trader gets the rest. Exact out:
 * the output leaves, the input reserve must grow to the least that holds K,
 * and the trader pays that growth grossed up by the fee.
 */
static bool ys_trade(const struct gc_amm_market *m, int64_t ts, struct gc_amm_trade *t,
                     struct gc_fail *f)
{
    gc_u128 r_in = t->buy ? m->y_micros : m->x_gpu_s, r_out = t->buy ? m->x_gpu_s : m->y_micros;
    gc_u128 k, net, after;
    struct gc_ys c;

    if (!ys_at(m, ts, &c) || !gc_ys_invariant(&c, m->x_gpu_s, m->y_micros, &k))
        return gc_fail(f, "insufficient_liquidity", "the curve cannot price this market");
    if (t->exact_in) {
        net = after_fee(t->amount, t->fee_bps);
        if (r_in + net > GC_YS_MAX_AMOUNT || !ys_least(&c, !t->buy, r_in + net, k, &after))
            return gc_fail(f, "insufficient_liquidity", "the trade is too large for the market");
        t->in = t->amount;
        t->out = after < r_out ? r_out - after : 0;
    } else {
        if (t->amount >= r_out)
            return gc_fail(f, "insufficient_liquidity", "the market holds less than %s",
                           t->buy ? "that many GPU-seconds" : "that much cash");
        if (!ys_least(&c, t->buy, r_out - t->amount, k, &after))
            return gc_fail(f, "insufficient_liquidity", "the trade is too large for the market");
        net = after > r_in ? after - r_in : 1;
        if (!gross_of(net, t->fee_bps, &t->in))
            return gc_fail(f, "insufficient_liquidity", "the trade is too large for the market");
        t->out = t->amount;
    }
    return true;
}

static bool cp_trade(const struct gc_amm_market *m, struct gc_amm_trade *t, struct gc_fail *f)
{
    /* buying moves cash into y and inventory out of x; selling the reverse */
    gc_u128 r_in = t->buy ? m->y_micros : m->x_gpu_s, r_out = t->buy ? m->x_gpu_s : m->y_micros;

    if (t->exact_in) {
        t->in = t->amount;
        if (!gc_cp_amount_out(t->amount, r_in, r_out, t->fee_bps, &t->out))
            return gc_fail(f, "insufficient_liquidity", "the trade is too large for the market");
    } else {
        t->out = t->amount;
        if (t->amount >= r_out)
            return gc_fail(f, "insufficient_liquidity", "the market holds less than %s",
                           t->buy ? "that many GPU-seconds" : "that much cash");
        if (!gc_cp_amount_in(t->amount, r_in, r_out, t->fee_bps, &t->in))
            return gc_fail(f, "insufficient_liquidity", "the trade is too large for the market");
    }
    return true;
}

bool gc_amm_price_trade(const struct gc_amm_market *m, int64_t ts, struct gc_amm_trade *t,
                        struct gc_fail *f)
{
    bool ok;

    if (m->x_gpu_s == 0 || m->y_micros == 0)
        return gc_fail(f, "insufficient_liquidity", "market '%s' has no %s", m->id,
                       m->x_gpu_s == 0 ? "inventory" : "cash");
    if (t->amount == 0)
        return gc_fail(f, "zero_output", "a trade of nothing");
    t->fee_bps = fee_at(m, ts);
    ok = m->curve == GC_AMM_YS ? ys_trade(m, ts, t, f) : cp_trade(m, t, f);
    if (!ok)
        return false;
    if (t->out == 0)
        return gc_fail(f, "zero_output", "the output rounds to zero");
    t->fee = t->in - after_fee(t->in, t->fee_bps);
    return true;
}

/* The invariant of (X, Y) at TS as a 256-bit number (x y for cp, K for ys). */
static struct gc_u256 invariant(const struct gc_amm_market *m, int64_t ts, gc_u128 x, gc_u128 y)
{
    struct gc_ys c;
    gc_u128 k = 0;

    if (m->curve == GC_AMM_CP)
        return gc_mul_wide(x, y);
    if (!ys_at(m, ts, &c) || !gc_ys_invariant(&c, x, y, &k))
        gc_die(GC_EX_SOFTWARE, "market '%s': the invariant cannot be evaluated", m->id);
    return (struct gc_u256){0, k};
}

bool gc_amm_twap_micros(const struct gc_amm_market *m, int64_t now, int64_t *micros,
                        int64_t *window_s)
{
    gc_u128 avg;

    if (m->twap.price == 0) /* never priced */
        return false;
    if (!gc_twap_consult(&m->twap, now, &avg, window_s))
        return false;
    avg >>= 64;
    if (avg > INT64_MAX)
        return false;
    *micros = (int64_t)avg;
    return true;
}

/* ---- receipts and states ------------------------------------------------ */

/*
 * A record, written straight to OUT in canonical order without a JSON tree:
 * RFC 8785 sorts member names by UTF-16 code units, and these names are
 * ASCII, where that is byte order. The caller adds members in name order
 * (checked). Every receipt also has the members rec_begin names, which go in
 * where they fall among the caller's.
 */
static const char *const common_names[] = {"event", "hour", "market", "pool",
                                           "seq",   "ts",   "type",   "v"};
#define N_COMMON    (sizeof(common_names) / sizeof(common_names[0]))
#define COMMON_HOUR 1
#define COMMON_POOL 3

struct rec {
    struct gc_buf *out;
    const struct gc_amm_market *m;
    const char *type;
    int64_t ts;
    const uint8_t *h;
    size_t common;    /* the first of common_names not yet written */
    const char *last; /* the last member's name, NULL before the first */
};

/* A < B for member names; the first byte mostly decides, without a call. */
static bool name_before(const char *a, const char *b)
{
    return a[0] != b[0] ? (unsigned char)a[0] < (unsigned char)b[0] : strcmp(a, b) < 0;
}

/* The separator and "NAME": of the next member. */
static void rec_key(struct rec *r, const char *name)
{
    if (r->last != NULL && !name_before(r->last, name))
        gc_die(GC_EX_SOFTWARE, "receipt member '%s' is out of order", name);
    gc_buf_addc(r->out, r->last == NULL ? '{' : ',');
    gc_buf_addc(r->out, '"');
    gc_buf_adds(r->out, name);
    gc_buf_add(r->out, "\":", 2);
    r->last = name;
}

static void rec_common(struct rec *r, size_t i);

/*
 * Writes the common members that sort before NAME (NULL: all that are left). "hour", "market"
 * and "pool" go in one piece when they go together and the market has them ready.
 */
static void rec_commons_before(struct rec *r, const char *name)
{
    while (r->common < N_COMMON && (name == NULL || name_before(common_names[r->common], name))) {
        if (r->common == COMMON_HOUR && r->last != NULL &&
            (name == NULL || name_before("pool", name))) {
            gc_buf_addc(r->out, ',');
            gc_buf_add(r->out, r->m->receipt_common, r->m->receipt_common_len);
            r->last = "pool";
            r->common = COMMON_POOL + 1;
            continue;
        }
        rec_common(r, r->common++);
    }
}

/* Starts the caller's member NAME, after the common members that sort before it. */
static void rec_name(struct rec *r, const char *name)
{
    rec_commons_before(r, name);
    rec_key(r, name);
}

static void put_str(struct gc_buf *out, const char *s)
{
    gc_jcs_append_string(out, s, strlen(s));
}

/* A string of digits, hex or a time, which JSON escapes nothing of. */
static void put_plain(struct gc_buf *out, const char *s, size_t len)
{
    gc_buf_addc(out, '"');
    gc_buf_add(out, s, len);
    gc_buf_addc(out, '"');
}

static void put_int(struct gc_buf *out, int64_t v)
{
    char num[24];

    gc_buf_add(out, num, gc_fmt_i64(v, num));
}

/* An amount as a JSON integer, or as a decimal string past 2^63 - 1 (only scaled test vectors). */
static void put_amount(struct gc_buf *out, gc_u128 v)
{
    char s[41];
    size_t len;

    if (v <= INT64_MAX) {
        put_int(out, (int64_t)v);
        return;
    }
    len = gc_u128_format(v, s);
    put_plain(out, s, len);
}

/* The date of the day last formatted on this thread: receipts come in runs of one day. */
static _Thread_local int64_t put_time_day = INT64_MIN;
static _Thread_local char put_time_date[GC_TIME_LEN + 1];

static void put_time(struct gc_buf *out, int64_t t)
{
    int64_t day = gc_floor_div(t, 86400), sec = t - day * 86400;
    char s[GC_TIME_LEN + 2];

    if (day != put_time_day) {
        gc_time_format(t, put_time_date); /* a whole day is in range or out */
        put_time_day = day;
    }
    s[0] = '"';
    memcpy(s + 1, put_time_date, 11); /* YYYY-MM-DDT */
    s[12] = (char)('0' + sec / 36000), s[13] = (char)('0' + sec / 3600 % 10), s[14] = ':';
    s[15] = (char)('0' + sec / 600 % 6), s[16] = (char)('0' + sec / 60 % 10), s[17] = ':';
    s[18] = (char)('0' + sec / 10 % 6), s[19] = (char)('0' + sec % 10), s[20] = 'Z';
    s[21] = '"';
    gc_buf_add(out, s, sizeof(s));
}

static void rec_common(struct rec *r, size_t i)
{
    char hex[2 * GC_SHA256_LEN + 1];

    rec_key(r, common_names[i]);
    switch (i) {
    case 0:
        gc_hex_encode(r->h, GC_SHA256_LEN, hex);
        put_plain(r->out, hex, 2 * GC_SHA256_LEN);
        break;
    case 1:
        put_time(r->out, r->m->hour);
        break;
    case 2:
        put_str(r->out, r->m->id);
        break;
    case 3:
        put_str(r->out, r->m->pool);
        break;
    case 4:
        put_int(r->out, (int64_t)r->m->seq);
        break;
    case 5:
        put_time(r->out, r->ts);
        break;
    case 6:
        put_str(r->out, r->type);
        break;
    default:
        put_int(r->out, 1);
    }
}

static void rec_str(struct rec *r, const char *name, const char *s)
{
    rec_name(r, name);
    put_str(r->out, s);
}

static void rec_int(struct rec *r, const char *name, int64_t v)
{
    rec_name(r, name);
    put_int(r->out, v);
}

static void rec_amount(struct rec *r, const char *name, gc_u128 v)
{
    rec_name(r, name);
    put_amount(r->out, v);
}

static void rec_time(struct rec *r, const char *name, int64_t t)
{
    rec_name(r, name);
    put_time(r->out, t);
}

/* Starts a receipt of TYPE for the event with hash H at TS in market M. */
static void rec_begin(struct rec *r, struct gc_buf *out, const struct gc_amm_market *m,
                      const char *type, int64_t ts, const uint8_t *h)
{
    *r = (struct rec){out, m, type, ts, h, 0, NULL};
}

/* Starts an object without the receipts' common members. */
static void rec_open(struct rec *r, struct gc_buf *out)
{
    *r = (struct rec){.out = out, .common = N_COMMON};
}

/* Writes the common members left and the closing brace. */
static void rec_close(struct rec *r)
{
    rec_commons_before(r, NULL);
    gc_buf_addc(r->out, '}');
}

/* Closes a receipt, with the newline that ends its line. */
static void rec_end(struct rec *r)
{
    rec_close(r);
    gc_buf_addc(r->out, '\n');
}

/* Sets M's receipt_common: its receipts' "hour", "market" and "pool", as rec_common writes them. */
static void set_receipt_common(struct gc_amm_market *m)
{
    struct gc_buf b = GC_BUF_INIT;
    struct rec r = {.out = &b, .m = m, .common = COMMON_HOUR, .last = ""};

    for (; r.common <= COMMON_POOL; r.common++)
        rec_common(&r, r.common);
    /* rec_common wrote ",\"hour\":..." (R.LAST set): the piece goes in after a comma */
    if (b.len - 1 > sizeof(m->receipt_common))
        gc_die(GC_EX_SOFTWARE, "market '%s': receipt members too long", m->id); /* ids fit */
    memcpy(m->receipt_common, b.ptr + 1, b.len - 1);
    m->receipt_common_len = b.len - 1;
    gc_buf_release(&b);
}

/* Appends the string literal LIT. */
#define ADD_LIT(out, lit) gc_buf_add(out, lit, sizeof(lit) - 1)

/*
 * The amm.fill receipt of a swap by TRADER of T (GPU_S for CASH at PRICE per GPU-hour), written
 * straight out: by far the commonest receipt, it skips rec_*'s bookkeeping. The members are in
 * canonical order as the literals show; the common ones are rec_common's.
 */
static void put_fill(struct gc_buf *out, const struct gc_amm_market *m, int64_t ts,
                     const uint8_t *h, const struct gc_amm_trade *t, gc_u128 gpu_s, gc_u128 cash,
                     gc_u128 price, const char *trader)
{
    char hex[2 * GC_SHA256_LEN + 1];

    gc_hex_encode(h, GC_SHA256_LEN, hex);
    ADD_LIT(out, "{\"cash_micros\":");
    put_amount(out, cash);
    ADD_LIT(out, ",\"event\":");
    put_plain(out, hex, 2 * GC_SHA256_LEN);
    ADD_LIT(out, ",\"fee_bps\":");
    put_int(out, t->fee_bps);
    if (t->buy)
        ADD_LIT(out, ",\"fee_micros\":");
    else
        ADD_LIT(out, ",\"fee_gpu_s\":");
    put_amount(out, t->fee);
    ADD_LIT(out, ",\"gpu_s\":");
    put_amount(out, gpu_s);
    gc_buf_addc(out, ',');
    gc_buf_add(out, m->receipt_common, m->receipt_common_len); /* hour, market, pool */
    ADD_LIT(out, ",\"price_micros\":");
    put_amount(out, price);
    ADD_LIT(out, ",\"seq\":");
    put_int(out, (int64_t)m->seq);
    if (t->buy)
        ADD_LIT(out, ",\"side\":\"buy\",\"trader\":");
    else
        ADD_LIT(out, ",\"side\":\"sell\",\"trader\":");
    put_str(out, trader);
    ADD_LIT(out, ",\"ts\":");
    put_time(out, ts);
    ADD_LIT(out, ",\"type\":\"amm.fill\",\"v\":1}\n");
}

/* Appends a "devices" list item, {"device":ID,"gpu_s":N}, canonical as written. */
static void device_item(struct gc_buf *out, bool first, const char *id, gc_u128 gpu_s)
{
    gc_buf_adds(out, first ? "{\"device\":" : ",{\"device\":");
    put_str(out, id);
    gc_buf_adds(out, ",\"gpu_s\":");
    put_amount(out, gpu_s);
    gc_buf_addc(out, '}');
}

/* ---- event fields -------------------------------------------------------- */

/*
 * An amount: a JSON integer, or a decimal string for values past 2^63 - 1
 * (the 10^18-scaled Uniswap vectors reach them; records in DESIGN.md units
 * do not). Receipts and states write amounts the same way.
 */
static bool value_amount(const json_t *v, const char *key, gc_u128 *out, struct gc_fail *f)
{
    int64_t i;

    if (json_is_string(v) && gc_u128_parse(json_string_value(v), json_string_length(v), out) &&
        *out > INT64_MAX)
        return true;
    if (!gc_value_int(v, key, 0, INT64_MAX, &i, f))
        return false;
    *out = (gc_u128)i;
    return true;
}

/* An optional amount field of at least MIN: absent leaves *OUT as it is. */
static bool opt_amount(const json_t *ev, const char *key, gc_u128 min, gc_u128 *out, bool *present,
                       struct gc_fail *f)
{
    const json_t *v = json_object_get(ev, key);

    if (present)
        *present = v != NULL;
    if (v == NULL)
        return true;
    if (!value_amount(v, key, out, f))
        return false;
    if (*out < min)
        return gc_fail(f, "bad_field", "'%s' must be at least %u", key, (unsigned)min);
    return true;
}

static bool copy_id(const json_t *ev, const char *key, char *out, struct gc_fail *f)
{
    const char *s;

    if (!gc_field_id(ev, key, &s, f))
        return false;
    memcpy(out, s, strlen(s) + 1); /* an id has at most GC_AMM_ID_MAX bytes */
    return true;
}

/* Moves the oracle to TS at the market's new price (the old one when a side is empty). */
static void oracle_update(struct gc_amm_market *m, int64_t ts)
{
    gc_u128 p;

    if (!gc_amm_spot_x64(m, ts, &p)) {
        p = m->twap.price; /* one side is empty: the last price stays in force */
    } else if (m->twap.price == 0) {
        gc_twap_init(&m->twap, ts, p); /* the first price starts the clock */
        return;
    }
    if (!gc_twap_update(&m->twap, ts, p))
        gc_die(GC_EX_SOFTWARE, "market '%s': the oracle went back in time", m->id);
}

/* ---- amm.open ------------------------------------------------------------ */

bool gc_amm_default_id(const char *pool, int64_t hour, char *out)
{
    char t[GC_TIME_LEN + 1];

    if (strlen(pool) > GC_AMM_ID_MAX - 12)
        return false;
    gc_time_format(hour, t);
    snprintf(out, GC_AMM_ID_MAX + 1, "%s.%.4s%.2s%.2st%.2s", pool, t, t + 5, t + 8, t + 11);
    return true;
}

static bool do_open(struct gc_amm_book *b, const json_t *ev, int64_t ts, const uint8_t *h,
                    struct gc_buf *out, struct gc_amm_market **touched, struct gc_fail *f)
{
    struct gc_amm_market tmp = {.fee_bps = GC_AMM_DEFAULT_FEE_BPS,
                                .k_ppm = GC_AMM_DEFAULT_K_PPM,
                                .fee_horizon_s = GC_AMM_DEFAULT_FEE_HORIZON_S,
                                .curve = GC_AMM_YS};
    struct gc_amm_market *m;
    int64_t fee = GC_AMM_DEFAULT_FEE_BPS;
    struct gc_ys c;
    struct rec r;

    if (!copy_id(ev, "pool", tmp.pool, f) || !gc_field_time(ev, "hour", &tmp.hour, f))
        return false;
    if (gc_floor_div(tmp.hour, HOUR_S) * HOUR_S != tmp.hour)
        return gc_fail(f, "bad_field", "'hour' must be a whole hour");
    if (gc_field_present(ev, "market")) {
        if (!copy_id(ev, "market", tmp.id, f))
            return false;
    } else if (!gc_amm_default_id(tmp.pool, tmp.hour, tmp.id)) {
        return gc_fail(f, "bad_field", "a pool id over %d characters needs an explicit 'market'",
                       GC_AMM_ID_MAX - 12);
    }
    if (gc_field_present(ev, "curve")) {
        const char *cv;

        if (!gc_field_str(ev, "curve", &cv, NULL, f))
            return false;
        if (strcmp(cv, "cp") == 0)
            tmp.curve = GC_AMM_CP;
        else if (strcmp(cv, "ys") != 0)
            return gc_fail(f, "bad_field", "'curve' must be \"ys\" or \"cp\"");
    }
    if ((gc_field_present(ev, "fee_bps") && !gc_field_int(ev, "fee_bps", 0, 1000, &fee, f)) ||
        (gc_field_present(ev, "k_ppm") && !gc_field_int(ev, "k_ppm", 0, 1000000, &tmp.k_ppm, f)) ||
        (gc_field_present(ev, "fee_horizon_s") &&
         !gc_field_int(ev, "fee_horizon_s", 1, INT64_MAX, &tmp.fee_horizon_s, f)) ||
        !gc_field_int(ev, "anchor_micros", 1, GC_YS_MAX_ANCHOR, &tmp.anchor_micros, f))
        return false;
    tmp.fee_bps = (unsigned)fee;
    if (gc_field_present(ev, "protocol")) {
        if (tmp.curve != GC_AMM_CP)
            return gc_fail(f, "bad_field", "a protocol fee needs the 'cp' curve");
        if (!copy_id(ev, "protocol", tmp.protocol, f))
            return false;
    }
    if (ts >= tmp.hour)
        return gc_fail(f, "closed", "the market would open at or after its delivery hour");
    if (tmp.curve == GC_AMM_YS && !ys_at(&tmp, ts, &c))
        return gc_fail(f, "bad_curve",
                       "k_ppm x hours to delivery must not exceed 950000 (the exponent a >= 1/20)");
    if (gc_amm_find(b, tmp.id) != NULL)
        return gc_fail(f, "duplicate_market", "market '%s' is already open", tmp.id);

    m = gc_xcalloc(1, sizeof(*m));
    *m = tmp;
    if (m->curve == GC_AMM_YS)
        m->ys_memo = gc_xcalloc(1, sizeof(*m->ys_memo));
    m->opened_at = m->last_ts = ts;
    set_receipt_common(m);
    gc_twap_init(&m->twap, ts, 0);
    gc_map_put(&b->markets, m->id, m);
    m->seq = 1;
    recent_add(m, ts, h);
    rec_begin(&r, out, m, "amm.opened", ts, h);
    rec_int(&r, "anchor_micros", m->anchor_micros);
    rec_str(&r, "curve", curve_names[m->curve]);
    rec_int(&r, "fee_bps", m->fee_bps);
    if (m->curve == GC_AMM_YS) {
        rec_int(&r, "fee_horizon_s", m->fee_horizon_s);
        rec_int(&r, "k_ppm", m->k_ppm);
    }
    if (m->protocol[0] != '\0')
        rec_str(&r, "protocol", m->protocol);
    rec_end(&r);
    *touched = m;
    return true;
}

/* ---- LP shares ------------------------------------------------------------- */

/*
 * Uniswap v2's protocol fee (feeTo): a sixth of the growth of sqrt(k) since
 * the last add or remove, as new shares, before the LP's own are counted.
 */
static gc_u128 protocol_fee_shares(const struct gc_amm_market *m)
{
    gc_u128 root_k, liq = 0;

    if (m->protocol[0] == '\0' || m->root_k_last == 0)
        return 0;
    root_k = gc_isqrt256(gc_mul_wide(m->x_gpu_s, m->y_micros));
    if (root_k > m->root_k_last)
        gc_cp_protocol_fee(m->shares, root_k, m->root_k_last, &liq);
    return liq;
}

static void settle_protocol_fee(struct gc_amm_market *m, gc_u128 fee_shares)
{
    if (fee_shares == 0)
        return;
    acct_set(&m->lps, m->protocol, acct_get(&m->lps, m->protocol) + fee_shares);
    m->shares += fee_shares;
}

static void note_k(struct gc_amm_market *m)
{
    if (m->protocol[0] != '\0')
        m->root_k_last = gc_isqrt256(gc_mul_wide(m->x_gpu_s, m->y_micros));
}

/* ---- amm.add ---------------------------------------------------------------- */

struct offer {
    char id[GC_AMM_ID_MAX + 1];
    gc_u128 gpu_s;
};

static int offer_cmp(const void *a, const void *b)
{
    return strcmp(((const struct offer *)a)->id, ((const struct offer *)b)->id);
}

/* The "devices" list of an add: ids and GPU-seconds, sorted, no repeats. */
static bool read_offers(const struct gc_amm_market *m, const json_t *ev, struct offer **out,
                        size_t *n, gc_u128 *total, struct gc_fail *f)
{
    const json_t *list = json_object_get(ev, "devices");
    struct offer *o;
    size_t i;

    *out = NULL;
    *n = 0;
    *total = 0;
    if (list == NULL)
        return true;
    if (!json_is_array(list))
        return gc_fail(f, "bad_field", "'devices' must be an array");
    o = gc_xcalloc(json_array_size(list) + 1, sizeof(*o));
    for (i = 0; i < json_array_size(list); i++) {
        const json_t *d = json_array_get(list, i);
        const struct gc_amm_dev *dev;

        if (!json_is_object(d)) {
            free(o);
            return gc_fail(f, "bad_field", "'devices' entries must be {device, gpu_s}");
        }
        if (!copy_id(d, "device", o[i].id, f) ||
            !value_amount(json_object_get(d, "gpu_s"), "gpu_s", &o[i].gpu_s, f) ||
            (o[i].gpu_s == 0 && gc_fail(f, "bad_field", "'gpu_s' must be positive"))) {
            free(o);
            return false;
        }
        dev = dev_find(m, o[i].id);
        if (dev != NULL && (dev->status == GC_DEV_OFFLINE || dev->status == GC_DEV_EXITED)) {
            gc_fail(f, "device_offline", "device '%s' was polled %s", dev->id,
                    status_names[dev->status]);
            free(o);
            return false;
        }
        *total += o[i].gpu_s; /* each below 2^127: no wrap before the size check */
        if (*total < o[i].gpu_s) {
            free(o);
            return gc_fail(f, "too_large", "the devices offer more than 2^128 GPU-seconds");
        }
    }
    qsort(o, i, sizeof(*o), offer_cmp);
    for (size_t j = 1; j < i; j++)
        if (strcmp(o[j - 1].id, o[j].id) == 0) {
            gc_fail(f, "bad_field", "device '%s' is listed twice", o[j].id);
            free(o);
            return false;
        }
    *out = o;
    *n = i;
    return true;
}

static bool do_add(struct gc_amm_market *m, const json_t *ev, int64_t ts, const uint8_t *h,
                   struct gc_buf *out, struct gc_fail *f)
{
    char lp[GC_AMM_ID_MAX + 1];
    struct offer *offers;
    size_t n;
    gc_u128 gpu_s, cash = 0, min_shares = 0, minted, to_lp, fee_shares, before, after;
    struct rec r;

    if (!copy_id(ev, "lp", lp, f) || !opt_amount(ev, "cash_micros", 0, &cash, NULL, f) ||
        !opt_amount(ev, "min_shares", 0, &min_shares, NULL, f))
        return false;
    if (!read_offers(m, ev, &offers, &n, &gpu_s, f))
        return false;
    if (gpu_s == 0 && cash == 0) {
        free(offers);
        return gc_fail(f, "bad_field", "an add needs 'devices' or 'cash_micros'");
    }
    if (gpu_s > max_amount(m) - m->x_gpu_s || cash > max_amount(m) - m->y_micros) {
        free(offers);
        return gc_fail(f, "too_large", "the market would hold more than 2^%d of an asset",
                       m->curve == GC_AMM_YS ? 62 : 112);
    }
    fee_shares = protocol_fee_shares(m);
    if (m->shares == 0) {
        /* the first deposit sets the price: both sides, and the minimum locked forever */
        if (gpu_s == 0 || cash == 0 || !gc_cp_mint_first(gpu_s, cash, &minted, &to_lp)) {
            free(offers);
            return gc_fail(f, "too_small",
                           "the first add needs inventory and cash with sqrt(gpu_s x micros) "
                           "above %d",
                           GC_CP_MIN_LIQUIDITY);
        }
    } else {
        /* shares in proportion to the growth of the pool's size: old size up, new size down */
        if (!pool_size(m, ts, m->x_gpu_s, m->y_micros, true, &before) ||
            !pool_size(m, ts, m->x_gpu_s + gpu_s, m->y_micros + cash, false, &after) ||
            before == 0) {
            free(offers);
            return gc_fail(f, "insufficient_liquidity", "the pool's size cannot be measured");
        }
        to_lp = 0;
        if (after > before)
            gc_mul_div_floor(m->shares + fee_shares, after - before, before, &to_lp);
        minted = to_lp;
        if (to_lp == 0) {
            free(offers);
            return gc_fail(f, "zero_output", "the add is too small to earn a share");
        }
    }
    if (to_lp < min_shares) {
        free(offers);
        return gc_fail(f, "slippage", "the add earns fewer shares than 'min_shares'");
    }

    settle_protocol_fee(m, fee_shares);
    m->shares += minted;
    acct_set(&m->lps, lp, acct_get(&m->lps, lp) + to_lp);
    m->x_gpu_s += gpu_s;
    m->y_micros += cash;
    rec_begin(&r, out, m, "amm.minted", ts, h);
    rec_amount(&r, "cash_micros", cash);
    rec_name(&r, "devices");
    gc_buf_addc(out, '[');
    for (size_t i = 0; i < n; i++) {
        struct gc_amm_dev *d = dev_find(m, offers[i].id);

        if (d == NULL)
            d = dev_add(m, offers[i].id);
        d->gpu_s += offers[i].gpu_s;
        device_item(out, i == 0, offers[i].id, offers[i].gpu_s);
    }
    gc_buf_addc(out, ']');
    free(offers);
    note_k(m);
    rec_amount(&r, "gpu_s", gpu_s);
    if (minted != to_lp)
        rec_amount(&r, "locked_shares", minted - to_lp);
    rec_str(&r, "lp", lp);
    if (fee_shares != 0)
        rec_amount(&r, "protocol_shares", fee_shares);
    rec_amount(&r, "shares", to_lp);
    rec_end(&r);
    return true;
}

/* ---- amm.remove ------------------------------------------------------------- */

/*
 * Takes GPU_S of capacity off the devices in proportion to what each backs (largest remainder),
 * and lists what each gave as the receipt's "devices".
 */
static void take_capacity(struct gc_amm_market *m, gc_u128 gpu_s, struct rec *r)
{
    gc_u128 *w = gc_xcalloc(2 * m->n_devs + 1, sizeof(*w)), *part = w + m->n_devs;
    bool first = true;

    for (size_t i = 0; i < m->n_devs; i++)
        w[i] = m->devs[i].gpu_s;
    gc_apportion_u128(gpu_s, w, m->n_devs, part); /* the capacity sums below 2^113 */
    rec_name(r, "devices");
    gc_buf_addc(r->out, '[');
    for (size_t i = 0; i < m->n_devs; i++) {
        if (part[i] == 0)
            continue;
        m->devs[i].gpu_s -= part[i];
        device_item(r->out, first, m->devs[i].id, part[i]);
        first = false;
    }
    gc_buf_addc(r->out, ']');
    free(w);
}

static bool do_remove(struct gc_amm_market *m, const json_t *ev, int64_t ts, const uint8_t *h,
                      struct gc_buf *out, struct gc_fail *f)
{
    char lp[GC_AMM_ID_MAX + 1];
    gc_u128 burn = 0, min_gpu_s = 0, min_cash = 0, held, fee_shares, total, out_x, out_y;
    struct rec r;

    if (!copy_id(ev, "lp", lp, f) || !opt_amount(ev, "shares", 1, &burn, NULL, f) ||
        !opt_amount(ev, "min_gpu_s", 0, &min_gpu_s, NULL, f) ||
        !opt_amount(ev, "min_cash_micros", 0, &min_cash, NULL, f))
        return false;
    if (burn == 0)
        return gc_fail(f, "bad_field", "a remove needs 'shares'");
    held = acct_get(&m->lps, lp);
    if (burn > held)
        return gc_fail(f, "insufficient_balance", "'%s' holds fewer shares", lp);
    fee_shares = protocol_fee_shares(m);
    total = m->shares + fee_shares;
    /* ERC-4626: assets out round down */
    gc_mul_div_floor(burn, m->x_gpu_s, total, &out_x);
    gc_mul_div_floor(burn, m->y_micros, total, &out_y);
    if (out_x == 0 && out_y == 0)
        return gc_fail(f, "zero_output", "the shares are worth nothing yet");
    if (out_x < min_gpu_s || out_y < min_cash)
        return gc_fail(f, "slippage", "the remove returns less than its minimum");

    settle_protocol_fee(m, fee_shares);
    acct_set(&m->lps, lp, acct_get(&m->lps, lp) - burn);
    m->shares -= burn;
    m->x_gpu_s -= out_x;
    m->y_micros -= out_y;
    rec_begin(&r, out, m, "amm.burned", ts, h);
    rec_amount(&r, "cash_micros", out_y);
    take_capacity(m, out_x, &r);
    note_k(m);
    rec_amount(&r, "gpu_s", out_x);
    rec_str(&r, "lp", lp);
    if (fee_shares != 0)
        rec_amount(&r, "protocol_shares", fee_shares);
    rec_amount(&r, "shares", burn);
    rec_end(&r);
    return true;
}

/* ---- amm.swap ---------------------------------------------------------------- */

/*
 * A swap is one of four shapes, by side and by which amount is fixed:
 *   buy:  pay_micros [min_gpu_s]       or  gpu_s [max_pay_micros]
 *   sell: gpu_s [min_get_micros]       or  get_micros [max_gpu_s]
 */
static bool read_swap(const json_t *ev, struct gc_amm_trade *t, gc_u128 *limit, bool *has_limit,
                      struct gc_fail *f)
{
    const char *side;
    const char *in_key, *out_key, *min_key, *max_key;
    bool has_in, has_out, has_min, has_max;
    gc_u128 in = 0, out = 0, lo = 0, hi = 0;

    if (!gc_field_str(ev, "side", &side, NULL, f))
        return false;
    if (strcmp(side, "buy") == 0) {
        t->buy = true;
        in_key = "pay_micros", out_key = "gpu_s", min_key = "min_gpu_s", max_key = "max_pay_micros";
    } else if (strcmp(side, "sell") == 0) {
        t->buy = false;
        in_key = "gpu_s", out_key = "get_micros", min_key = "min_get_micros", max_key = "max_gpu_s";
    } else {
        return gc_fail(f, "bad_field", "'side' must be \"buy\" or \"sell\"");
    }
    if (!opt_amount(ev, in_key, 1, &in, &has_in, f) ||
        !opt_amount(ev, out_key, 1, &out, &has_out, f) ||
        !opt_amount(ev, min_key, 0, &lo, &has_min, f) ||
        !opt_amount(ev, max_key, 0, &hi, &has_max, f))
        return false;
    if (has_in == has_out)
        return gc_fail(f, "bad_field", "a %s needs exactly one of '%s' and '%s'", side, in_key,
                       out_key);
    t->exact_in = has_in;
    t->amount = has_in ? in : out;
    if (t->exact_in ? has_max : has_min)
        return gc_fail(f, "bad_field", "'%s' goes with '%s'", t->exact_in ? max_key : min_key,
                       t->exact_in ? out_key : in_key);
    *has_limit = t->exact_in ? has_min : has_max;
    *limit = t->exact_in ? lo : hi;
    return true;
}

/* A swap by TRADER of T as read (side, exactness, amount), with its slippage LIMIT if any. */
static bool swap(struct gc_amm_market *m, const char *trader, struct gc_amm_trade t, gc_u128 limit,
                 bool has_limit, int64_t ts, const uint8_t *h, struct gc_buf *out,
                 struct gc_fail *f)
{
    gc_u128 gpu_s, cash, held, nx, ny, price = 0;
    struct gc_u256 k0;
    size_t at;
    bool found;

    /* claims no longer backed by a device cannot come back as inventory */
    if (!t.buy && m->short_gpu_s > 0)
        return gc_fail(f, "short", "market '%s' has sold more than its devices can deliver", m->id);
    if (!gc_amm_price_trade(m, ts, &t, f))
        return false;
    if (has_limit && (t.exact_in ? t.out < limit : t.in > limit))
        return gc_fail(f, "slippage", "the trade %s %s than the limit",
                       t.exact_in ? "returns" : "costs", t.exact_in ? "less" : "more");
    gpu_s = t.buy ? t.out : t.in;
    cash = t.buy ? t.in : t.out;
    /* claims no longer backed by a device cannot come back as inventory */
    if (!t.buy && m->short_gpu_s > 0)
        return gc_fail(f, "short", "market '%s' has sold more than its devices can deliver", m->id);
    at = acct_find(&m->claims, trader, &found); /* the claims stay as they are until set */
    held = found ? m->claims.v[at].amount : 0;
    if (!t.buy && held < gpu_s)
        return gc_fail(f, "insufficient_balance", "'%s' holds fewer GPU-seconds in '%s'", trader,
                       m->id);
    if (t.buy ? cash > max_amount(m) - m->y_micros : gpu_s > max_amount(m) - m->x_gpu_s)
        return gc_fail(f, "too_large", "the market would hold more than 2^%d of an asset",
                       m->curve == GC_AMM_YS ? 62 : 112);

    k0 = invariant(m, ts, m->x_gpu_s, m->y_micros);
    nx = t.buy ? m->x_gpu_s - gpu_s : m->x_gpu_s + gpu_s;
    ny = t.buy ? m->y_micros + cash : m->y_micros - cash;
    if (gc_u256_cmp(invariant(m, ts, nx, ny), k0) < 0)
        gc_die(GC_EX_SOFTWARE, "market '%s': a trade would lower the invariant", m->id);
    m->x_gpu_s = nx;
    m->y_micros = ny;
    acct_set_at(&m->claims, at, found, trader, t.buy ? held + gpu_s : held - gpu_s);

    gc_mul_div_floor(cash, HOUR_S, gpu_s, &price); /* the average per GPU-hour, rounded down */
    put_fill(out, m, ts, h, &t, gpu_s, cash, price, trader);
    return true;
}

static bool do_swap(struct gc_amm_market *m, const json_t *ev, int64_t ts, const uint8_t *h,
                    struct gc_buf *out, struct gc_fail *f)
{
    char trader[GC_AMM_ID_MAX + 1];
    struct gc_amm_trade t = {0};
    gc_u128 limit = 0;
    bool has_limit = false;

    if (!copy_id(ev, "trader", trader, f) || !read_swap(ev, &t, &limit, &has_limit, f))
        return false;
    return swap(m, trader, t, limit, has_limit, ts, h, out, f);
}

/* ---- amm.poll ------------------------------------------------------------------ */

static bool parse_status(const char *s, enum gc_amm_status *st)
{
    for (size_t i = 0; i < sizeof(status_names) / sizeof(*status_names); i++)
        if (strcmp(s, status_names[i]) == 0) {
            *st = (enum gc_amm_status)i;
            return true;
        }
    return false;
}

static bool do_poll(struct gc_amm_market *m, const json_t *ev, int64_t ts, const uint8_t *h,
                    struct gc_buf *out, struct gc_fail *f)
{
    const json_t *list = json_object_get(ev, "devices");
    enum gc_amm_status *st;
    struct gc_amm_dev **devs;
    size_t n;
    struct gc_buf impairs; /* their receipts come after the poll's, which counts what they took */
    struct rec r;
    int64_t counts[4] = {0, 0, 0, 0};

    if (!json_is_array(list))
        return gc_fail(f, "bad_field", "'devices' must be an array of {device, status}");
    n = json_array_size(list);
    st = gc_xcalloc(n + 1, sizeof(*st));
    devs = gc_xcalloc(n + 1, sizeof(*devs));
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_array_get(list, i);
        const char *id, *s;

        bool ok = json_is_object(d);

        if (!ok)
            gc_fail(f, "bad_field", "'devices' entries must be {device, status}");
        else if (!gc_field_id(d, "device", &id, f) || !gc_field_str(d, "status", &s, NULL, f))
            ok = false;
        else if (!parse_status(s, &st[i]))
            ok = gc_fail(f, "bad_field", "'status' must be online, running, offline or exited");
        if (!ok) {
            free(st);
            free(devs);
            return false;
        }
        devs[i] = dev_find(m, id);
        for (size_t j = 0; j < i && devs[i] != NULL; j++)
            if (devs[j] == devs[i]) {
                gc_fail(f, "bad_field", "device '%s' is listed twice", id);
                free(st);
                free(devs);
                return false;
            }
        if (devs[i] == NULL) {
            gc_fail(f, "unknown_device", "device '%s' supplies nothing to '%s'", id, m->id);
            free(st);
            free(devs);
            return false;
        }
    }

    gc_buf_init(&impairs);
    for (size_t i = 0; i < n; i++) {
        struct gc_amm_dev *d = devs[i];

        counts[st[i]]++;
        if ((st[i] == GC_DEV_OFFLINE || st[i] == GC_DEV_EXITED) && d->gpu_s > 0) {
            /* the capacity leaves the market: unsold first, then what was sold runs short */
            gc_u128 cap = d->gpu_s, unsold = cap < m->x_gpu_s ? cap : m->x_gpu_s;
            struct rec imp;

            m->x_gpu_s -= unsold;
            m->short_gpu_s += cap - unsold;
            d->impaired_s += cap;
            d->gpu_s = 0;
            rec_begin(&imp, &impairs, m, "amm.impair", ts, h);
            rec_str(&imp, "device", d->id);
            rec_amount(&imp, "gpu_s", cap);
            rec_amount(&imp, "short_gpu_s", cap - unsold);
            rec_str(&imp, "status", status_names[st[i]]);
            rec_amount(&imp, "unsold_gpu_s", unsold);
            rec_end(&imp);
        }
        d->status = st[i];
    }
    rec_begin(&r, out, m, "amm.polled", ts, h);
    rec_int(&r, "exited", counts[GC_DEV_EXITED]);
    rec_amount(&r, "inventory_gpu_s", m->x_gpu_s);
    rec_int(&r, "offline", counts[GC_DEV_OFFLINE]);
    rec_int(&r, "online", counts[GC_DEV_ONLINE]);
    rec_int(&r, "running", counts[GC_DEV_RUNNING]);
    rec_end(&r);
    gc_buf_add(out, impairs.ptr, impairs.len);
    gc_buf_release(&impairs);
    free(st);
    free(devs);
    return true;
}

/* ---- amm.close ------------------------------------------------------------------ */

static bool do_close(struct gc_amm_market *m, int64_t ts, const uint8_t *h, struct gc_buf *out,
                     struct gc_fail *f)
{
    gc_u128 sold = accts_total(&m->claims), capacity = devs_capacity(m);
    gc_u128 deliver = sold < capacity ? sold : capacity, expired = m->x_gpu_s, value = 0;
    size_t nb = m->claims.n, nd = m->n_devs;
    gc_u128 *want, *give, *cap, *from;
    struct rec r;
    size_t i, j;

    if (ts < m->hour)
        return gc_fail(f, "too_early", "a market closes at its delivery hour, not before");
    /* unsold inventory perishes: written off, not paid for */
    if (expired > 0) {
        gc_mul_div_floor(expired, (gc_u128)m->anchor_micros, HOUR_S, &value);
        rec_begin(&r, out, m, "amm.expire", ts, h);
        rec_amount(&r, "anchor_value_micros", value);
        rec_amount(&r, "gpu_s", expired);
        rec_end(&r);
    }
    /*
     * Who delivers to whom: buyers get what the devices still back (pro rata
     * to their claims when that falls short), devices deliver in proportion
     * to their capacity, both by largest remainder; then buyers in id order
     * are filled from devices in id order, so every row and column adds up.
     */
    want = gc_xcalloc(nb + 1, sizeof(*want));
    give = gc_xcalloc(nb + 1, sizeof(*give));
    cap = gc_xcalloc(nd + 1, sizeof(*cap));
    from = gc_xcalloc(nd + 1, sizeof(*from));
    for (i = 0; i < nb; i++)
        want[i] = m->claims.v[i].amount;
    gc_apportion_u128(deliver, want, nb, give);
    for (j = 0; j < nd; j++)
        cap[j] = m->devs[j].gpu_s;
    gc_apportion_u128(deliver, cap, nd, from);
    for (i = 0, j = 0; i < nb; i++) {
        if (give[i] < want[i]) {
            rec_begin(&r, out, m, "amm.short", ts, h);
            rec_str(&r, "buyer", m->claims.v[i].id);
            rec_amount(&r, "gpu_s", want[i] - give[i]);
            rec_end(&r);
        }
        while (give[i] > 0) {
            gc_u128 q;

            while (from[j] == 0)
                j++;
            q = give[i] < from[j] ? give[i] : from[j];
            rec_begin(&r, out, m, "amm.delivery", ts, h);
            rec_str(&r, "buyer", m->claims.v[i].id);
            rec_str(&r, "device", m->devs[j].id);
            rec_amount(&r, "gpu_s", q);
            rec_str(&r, "status", status_names[m->devs[j].status]);
            rec_end(&r);
            give[i] -= q;
            from[j] -= q;
        }
    }
    free(want);
    free(give);
    free(cap);
    free(from);
    m->x_gpu_s = 0;
    m->short_gpu_s = sold - deliver;
    m->closed = true;
    rec_begin(&r, out, m, "amm.closed", ts, h);
    rec_amount(&r, "cash_micros", m->y_micros);
    rec_amount(&r, "delivered_gpu_s", deliver);
    rec_amount(&r, "expired_gpu_s", expired);
    rec_amount(&r, "short_gpu_s", sold - deliver);
    rec_amount(&r, "sold_gpu_s", sold);
    rec_end(&r);
    return true;
}

/* ---- applying an event ---------------------------------------------------------- */

/* Drops what OUT holds past LEN. */
static void truncate_to(struct gc_buf *out, size_t len)
{
    out->len = len;
    if (out->cap > 0)
        out->ptr[len] = '\0';
}

/*
 * The market ID names, if an event at TS with hash H may change it: it exists, has opened, is not
 * already later, has not seen the event, and is still open (a REMOVE may come after the close, a
 * CLOSE at or after the delivery hour). NULL with F filled if not.
 */
static struct gc_amm_market *open_market(struct gc_amm_book *b, const char *id, int64_t ts,
                                         const uint8_t *h, bool remove, bool close,
                                         struct gc_fail *f)
{
    struct gc_amm_market *m = gc_amm_find(b, id);

    if (m == NULL)
        gc_fail(f, "unknown_market", "no market '%s'", id);
    else if (ts < m->opened_at)
        gc_fail(f, "before_open", "market '%s' opens later", id);
    else if (ts < m->last_ts)
        gc_fail(f, "non_monotonic", "market '%s' is already at a later time", id);
    else if (ts == m->last_ts && recent_has(m, h))
        gc_fail(f, "duplicate", "this event was already applied to '%s'", id);
    else if (m->closed && !remove)
        gc_fail(f, "closed", "market '%s' has closed", id);
    else if (!m->closed && ts >= m->hour && !close)
        gc_fail(f, "closed", "market '%s' has reached its delivery hour: close it", id);
    else
        return m;
    return NULL;
}

/* After an event at TS with hash H changed M. */
static void applied(struct gc_amm_market *m, int64_t ts, const uint8_t *h)
{
    recent_add(m, ts, h);
    m->last_ts = ts;
    /* trading ends at the delivery hour: a late close or remove does not stretch the average */
    oracle_update(m, ts < m->hour ? ts : m->hour);
}

static bool apply(struct gc_amm_book *b, const json_t *ev, int64_t now, struct gc_buf *out,
                  struct gc_amm_market **touched, struct gc_fail *f)
{
    const char *type;
    char id[GC_AMM_ID_MAX + 1];
    struct gc_amm_market *m;
    size_t canon_at = out->len;
    uint8_t h[GC_SHA256_LEN];
    int64_t ts;
    bool ok;

    if (!gc_field_str(ev, "type", &type, NULL, f))
        return false;
    if (gc_field_present(ev, "ts")) {
        if (!gc_field_time(ev, "ts", &ts, f))
            return false;
    } else if (now != GC_AMM_NO_TIME) {
        ts = now;
    } else {
        return gc_fail(f, "bad_field", "'ts' is missing and no --now was given");
    }
    /* the event's hash, of its canonical form written past the end of OUT: no allocation */
    gc_jcs_append(out, ev);
    gc_sha256(out->ptr + canon_at, out->len - canon_at, h);
    truncate_to(out, canon_at);
    if (strcmp(type, "amm.open") == 0)
        return do_open(b, ev, ts, h, out, touched, f);
    if (strcmp(type, "amm.add") != 0 && strcmp(type, "amm.remove") != 0 &&
        strcmp(type, "amm.swap") != 0 && strcmp(type, "amm.poll") != 0 &&
        strcmp(type, "amm.close") != 0)
        return gc_fail(f, "unknown_type", "'%s' is not a market event", type);
    if (!copy_id(ev, "market", id, f))
        return false;
    m = open_market(b, id, ts, h, strcmp(type, "amm.remove") == 0, strcmp(type, "amm.close") == 0,
                    f);
    if (m == NULL)
        return false;

    m->seq++; /* the receipts carry the event's number */
    if (strcmp(type, "amm.add") == 0)
        ok = do_add(m, ev, ts, h, out, f);
    else if (strcmp(type, "amm.remove") == 0)
        ok = do_remove(m, ev, ts, h, out, f);
    else if (strcmp(type, "amm.swap") == 0)
        ok = do_swap(m, ev, ts, h, out, f);
    else if (strcmp(type, "amm.poll") == 0)
        ok = do_poll(m, ev, ts, h, out, f);
    else
        ok = do_close(m, ts, h, out, f);
    if (!ok) {
        m->seq--;
        return false;
    }
    applied(m, ts, h);
    *touched = m;
    return true;
}

bool gc_amm_apply_lines(struct gc_amm_book *b, const json_t *ev, int64_t now, struct gc_buf *out,
                        struct gc_amm_market **touched, struct gc_fail *f)
{
    size_t len = out->len;

    if (apply(b, ev, now, out, touched, f))
        return true;
    truncate_to(out, len);
    return false;
}

bool gc_amm_apply_swap(struct gc_amm_book *b, const struct gc_amm_swap *s, struct gc_buf *out,
                       struct gc_amm_market **touched, struct gc_fail *f)
{
    struct gc_amm_trade t = {.buy = s->buy, .exact_in = s->exact_in, .amount = s->amount};
    struct gc_amm_market *m = open_market(b, s->market, s->ts, s->h, false, false, f);
    size_t len = out->len;

    if (m == NULL)
        return false;
    m->seq++;
    if (!swap(m, s->trader, t, s->limit, s->has_limit, s->ts, s->h, out, f)) {
        m->seq--;
        truncate_to(out, len);
        return false;
    }
    applied(m, s->ts, s->h);
    *touched = m;
    return true;
}

bool gc_amm_apply(struct gc_amm_book *b, const json_t *ev, int64_t now, json_t *receipts,
                  struct gc_amm_market **touched, struct gc_fail *f)
{
    struct gc_buf out;
    bool ok;

    gc_buf_init(&out);
    ok = gc_amm_apply_lines(b, ev, now, &out, touched, f);
    for (const char *p = out.ptr, *end = out.ptr + out.len; ok && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct gc_fail pf;
        json_t *r = gc_json_parse_object(p, (size_t)(nl - p), &pf);

        if (r == NULL)
            gc_die(GC_EX_SOFTWARE, "a receipt does not read back: %s", pf.detail);
        json_array_append_new(receipts, r);
        p = nl + 1;
    }
    gc_buf_release(&out);
    return ok;
}

/* ---- the state record ------------------------------------------------------------ */

static void put_u256(struct gc_buf *out, struct gc_u256 v)
{
    char s[80];
    size_t len = gc_u256_format(v, s);

    put_plain(out, s, len);
}

/* The list [{WHO: id, WHAT: amount}, ...] of A; WHO sorts before WHAT. */
static void put_accts(struct gc_buf *out, const struct gc_amm_accts *a, const char *who,
                      const char *what)
{
    gc_buf_addc(out, '[');
    for (size_t i = 0; i < a->n; i++) {
        struct rec e;

        if (i > 0)
            gc_buf_addc(out, ',');
        rec_open(&e, out);
        rec_str(&e, who, a->v[i].id);
        rec_amount(&e, what, a->v[i].amount);
        rec_close(&e);
    }
    gc_buf_addc(out, ']');
}

static void put_devices(struct gc_buf *out, const struct gc_amm_market *m)
{
    gc_buf_addc(out, '[');
    for (size_t i = 0; i < m->n_devs; i++) {
        const struct gc_amm_dev *d = &m->devs[i];
        struct rec e;

        if (i > 0)
            gc_buf_addc(out, ',');
        rec_open(&e, out);
        rec_str(&e, "device", d->id);
        rec_amount(&e, "gpu_s", d->gpu_s);
        rec_amount(&e, "impaired_gpu_s", d->impaired_s);
        rec_str(&e, "status", status_names[d->status]);
        rec_close(&e);
    }
    gc_buf_addc(out, ']');
}

/* The oracle: cumulative price (64.64 micros per GPU-hour x seconds) and hourly observations. */
static void put_oracle(struct gc_buf *out, const struct gc_twap *t)
{
    struct rec o;
    bool first = true;

    rec_open(&o, out);
    rec_name(&o, "cum");
    put_u256(out, t->cum);
    rec_time(&o, "first_ts", t->first_ts);
    rec_time(&o, "last_ts", t->last_ts);
    rec_name(&o, "obs");
    gc_buf_addc(out, '[');
    for (size_t i = 0; i < GC_TWAP_BUCKETS; i++) {
        struct rec e;

        if (t->obs[i].ts == 0)
            continue;
        if (!first)
            gc_buf_addc(out, ',');
        first = false;
        rec_open(&e, out);
        rec_name(&e, "cum");
        put_u256(out, t->obs[i].cum);
        rec_time(&e, "ts", t->obs[i].ts);
        rec_close(&e);
    }
    gc_buf_addc(out, ']');
    rec_name(&o, "price_x64");
    put_u256(out, (struct gc_u256){0, t->price});
    rec_close(&o);
}

void gc_amm_state_record(const struct gc_amm_market *m, struct gc_buf *out)
{
    struct rec r;
    gc_u128 price;

    rec_open(&r, out);
    rec_int(&r, "anchor_micros", m->anchor_micros);
    rec_amount(&r, "cash_micros", m->y_micros);
    rec_name(&r, "claims");
    put_accts(out, &m->claims, "buyer", "gpu_s");
    rec_str(&r, "curve", curve_names[m->curve]);
    rec_name(&r, "devices");
    put_devices(out, m);
    rec_int(&r, "fee_bps", m->fee_bps);
    if (m->curve == GC_AMM_YS)
        rec_int(&r, "fee_horizon_s", m->fee_horizon_s);
    rec_time(&r, "hour", m->hour);
    rec_amount(&r, "inventory_gpu_s", m->x_gpu_s);
    if (m->curve == GC_AMM_YS)
        rec_int(&r, "k_ppm", m->k_ppm);
    rec_name(&r, "lps");
    put_accts(out, &m->lps, "lp", "shares");
    rec_str(&r, "market", m->id);
    rec_time(&r, "opened_at", m->opened_at);
    rec_name(&r, "oracle");
    put_oracle(out, &m->twap);
    rec_str(&r, "pool", m->pool);
    if (!m->closed && gc_amm_spot_x64(m, m->last_ts, &price))
        rec_amount(&r, "price_micros", price >> 64);
    if (m->protocol[0] != '\0')
        rec_str(&r, "protocol", m->protocol);
    rec_name(&r, "recent");
    gc_buf_addc(out, '[');
    for (size_t i = 0; i < m->n_recent; i++) {
        char hex[2 * GC_SHA256_LEN + 1];

        if (i > 0)
            gc_buf_addc(out, ',');
        gc_hex_encode(m->recent[i], GC_SHA256_LEN, hex);
        put_plain(out, hex, 2 * GC_SHA256_LEN);
    }
    gc_buf_addc(out, ']');
    if (m->protocol[0] != '\0')
        rec_amount(&r, "root_k_last", m->root_k_last);
    rec_int(&r, "seq", (int64_t)m->seq);
    rec_amount(&r, "shares", m->shares);
    rec_amount(&r, "short_gpu_s", m->short_gpu_s);
    rec_str(&r, "status", m->closed ? "closed" : "open");
    rec_time(&r, "ts", m->last_ts);
    rec_str(&r, "type", "amm.state");
    rec_int(&r, "v", 1);
    rec_close(&r);
}

static bool field_amount(const json_t *obj, const char *key, gc_u128 *out, struct gc_fail *f)
{
    return value_amount(json_object_get(obj, key), key, out, f);
}

static bool field_u256(const json_t *obj, const char *key, struct gc_u256 *out, struct gc_fail *f)
{
    const char *s;
    size_t len;

    if (!gc_field_str(obj, key, &s, &len, f))
        return false;
    if (!gc_u256_parse(s, len, out))
        return gc_fail(f, "bad_field", "'%s' must be a decimal string below 2^256", key);
    return true;
}

static bool load_accts(const json_t *rec, const char *key, const char *who, const char *what,
                       struct gc_amm_accts *a, struct gc_fail *f)
{
    const json_t *list = json_object_get(rec, key);

    if (!json_is_array(list))
        return gc_fail(f, "bad_field", "'%s' must be an array", key);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        const char *id;
        gc_u128 amount;

        if (!json_is_object(e))
            return gc_fail(f, "bad_field", "'%s' entries must be objects", key);
        if (!gc_field_id(e, who, &id, f) || !field_amount(e, what, &amount, f))
            return false;
        if (acct_get(a, id) != 0 || amount == 0)
            return gc_fail(f, "bad_field", "'%s' lists '%s' twice or at zero", key, id);
        acct_set(a, id, amount);
    }
    return true;
}

static bool load_market(struct gc_amm_market *m, const json_t *rec, struct gc_fail *f)
{
    const char *s;
    const json_t *list, *oracle;
    int64_t fee, seq;
    struct gc_u256 price;

    if (!gc_field_const(rec, "type", "amm.state", f) || !copy_id(rec, "market", m->id, f) ||
        !copy_id(rec, "pool", m->pool, f) || !gc_field_time(rec, "hour", &m->hour, f) ||
        !gc_field_time(rec, "opened_at", &m->opened_at, f) ||
        !gc_field_time(rec, "ts", &m->last_ts, f) || !gc_field_str(rec, "status", &s, NULL, f))
        return false;
    m->closed = strcmp(s, "closed") == 0;
    if (!m->closed && strcmp(s, "open") != 0)
        return gc_fail(f, "bad_field", "'status' must be open or closed");
    if (!gc_field_int(rec, "seq", 1, INT64_MAX, &seq, f) ||
        !gc_field_str(rec, "curve", &s, NULL, f) ||
        !gc_field_int(rec, "fee_bps", 0, 1000, &fee, f) ||
        !gc_field_int(rec, "anchor_micros", 1, GC_YS_MAX_ANCHOR, &m->anchor_micros, f))
        return false;
    m->seq = (uint64_t)seq;
    m->fee_bps = (unsigned)fee;
    if (strcmp(s, "cp") == 0) {
        m->curve = GC_AMM_CP;
    } else if (strcmp(s, "ys") == 0) {
        m->curve = GC_AMM_YS;
        if (!gc_field_int(rec, "k_ppm", 0, 1000000, &m->k_ppm, f) ||
            !gc_field_int(rec, "fee_horizon_s", 1, INT64_MAX, &m->fee_horizon_s, f))
            return false;
    } else {
        return gc_fail(f, "bad_field", "'curve' must be ys or cp");
    }
    if (gc_field_present(rec, "protocol") &&
        (!copy_id(rec, "protocol", m->protocol, f) ||
         !field_amount(rec, "root_k_last", &m->root_k_last, f)))
        return false;
    if (!field_amount(rec, "inventory_gpu_s", &m->x_gpu_s, f) ||
        !field_amount(rec, "cash_micros", &m->y_micros, f) ||
        !field_amount(rec, "shares", &m->shares, f) ||
        !field_amount(rec, "short_gpu_s", &m->short_gpu_s, f))
        return false;
    list = json_object_get(rec, "devices");
    if (!json_is_array(list))
        return gc_fail(f, "bad_field", "'devices' must be an array");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        const char *id;
        struct gc_amm_dev *d;

        if (!json_is_object(e))
            return gc_fail(f, "bad_field", "'devices' entries must be objects");
        if (!gc_field_id(e, "device", &id, f) || !gc_field_str(e, "status", &s, NULL, f))
            return false;
        if (dev_find(m, id) != NULL)
            return gc_fail(f, "bad_field", "device '%s' is listed twice", id);
        d = dev_add(m, id);
        if (!parse_status(s, &d->status))
            return gc_fail(f, "bad_field", "'status' must be online, running, offline or exited");
        if (!field_amount(e, "gpu_s", &d->gpu_s, f) ||
            !field_amount(e, "impaired_gpu_s", &d->impaired_s, f))
            return false;
    }
    if (!load_accts(rec, "lps", "lp", "shares", &m->lps, f) ||
        !load_accts(rec, "claims", "buyer", "gpu_s", &m->claims, f))
        return false;
    if (accts_total(&m->lps) > m->shares)
        return gc_fail(f, "bad_field", "the LPs hold more shares than exist");
    oracle = json_object_get(rec, "oracle");
    if (!json_is_object(oracle))
        return gc_fail(f, "bad_field", "'oracle' must be an object");
    if (!field_u256(oracle, "cum", &m->twap.cum, f) ||
        !field_u256(oracle, "price_x64", &price, f) ||
        !gc_field_time(oracle, "first_ts", &m->twap.first_ts, f) ||
        !gc_field_time(oracle, "last_ts", &m->twap.last_ts, f))
        return false;
    if (price.hi != 0)
        return gc_fail(f, "bad_field", "'price_x64' must be below 2^128");
    m->twap.price = price.lo;
    list = json_object_get(oracle, "obs");
    if (!json_is_array(list) || json_array_size(list) > GC_TWAP_BUCKETS)
        return gc_fail(f, "bad_field", "'obs' must be an array of at most %d", GC_TWAP_BUCKETS);
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        struct gc_twap_obs o;
        int64_t hour;

        if (!json_is_object(e))
            return gc_fail(f, "bad_field", "'obs' entries must be objects");
        if (!gc_field_time(e, "ts", &o.ts, f) || !field_u256(e, "cum", &o.cum, f))
            return false;
        hour = gc_floor_div(o.ts, GC_TWAP_PERIOD_S);
        /* A floor modulo, as gc_twap's: an hour before 1970 is negative. */
        m->twap.obs[(size_t)(hour - gc_floor_div(hour, GC_TWAP_BUCKETS) * GC_TWAP_BUCKETS)] = o;
    }
    list = json_object_get(rec, "recent");
    if (!json_is_array(list))
        return gc_fail(f, "bad_field", "'recent' must be an array");
    for (size_t i = 0; i < json_array_size(list); i++) {
        uint8_t h[GC_SHA256_LEN];

        if (!gc_value_hex(json_array_get(list, i), "recent", h, GC_SHA256_LEN, f))
            return false;
        recent_add(m, m->last_ts, h);
    }
    return true;
}

bool gc_amm_load(struct gc_amm_book *b, const json_t *rec, struct gc_fail *f)
{
    struct gc_amm_market *m = gc_xcalloc(1, sizeof(*m));

    if (!load_market(m, rec, f)) {
        market_free(m);
        return false;
    }
    if (gc_amm_find(b, m->id) != NULL) {
        gc_fail(f, "duplicate_market", "market '%s' appears twice", m->id);
        market_free(m);
        return false;
    }
    if (m->curve == GC_AMM_YS)
        m->ys_memo = gc_xcalloc(1, sizeof(*m->ys_memo));
    set_receipt_common(m);
    gc_map_put(&b->markets, m->id, m);
    return true;
}
