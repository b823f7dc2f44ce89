/*
 * fuzz_quote — gc-amm quote (gc_quote_price, gc_quote_record) in the markets an event stream
 * and state records make, as fuzz_amm builds them.
 *
 * The input is two sizes in GPU-seconds (8 bytes each, big endian, taken modulo 2^50, plus 1,
 * as --buy and --sell allow), a byte placing the quote's time between the market's last event
 * and its delivery hour (0: at the last event, as without --now), then NDJSON: "amm.state"
 * lines are loaded, every other line is an event applied at 2026-11-01T00:00:00Z when it has
 * no ts. Every open market is quoted a buy and a sell of both sizes. Properties (gc-amm(1),
 * Quotes):
 *   - a quote is priced or refused with a reason; its record is canonical and reads back;
 *   - it trades exactly the size asked, pays no more than the market holds (a buy leaves some
 *     inventory), keeps a fee no larger than what goes in;
 *   - it is what the swap would be: gc-amm run, given the state file and the same trade as an
 *     amm.swap at that time, fills the same gpu_s, cash, fee and price, or refuses it for the
 *     same reason (a sell by a holder of enough GPU-seconds, in a market that is not short);
 *   - the price impact is against the trader: not below 0, and for a sell at most 10000 bps;
 *   - a larger trade costs (a buy) or pays (a sell) at least as much, its impact is no
 *     smaller but for the rounding of the cash to the micro, and a trade refused as too large
 *     stays refused when it grows.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_amm.h"
#include "gc_json.h"
#include "gc_quote.h"
#include "gc_time.h"
#include "banned.h"

#define MAX_LINES 128
#define NOW       1793491200 /* 2026-11-01T00:00:00Z */
#define MAX_SIZE  ((uint64_t)1 << 50)
#define HEADER    17

static bool take_line(const struct gc_line *line, void *ctx)
{
    struct gc_amm_book *book = ctx;
    struct gc_fail f = {NULL, ""};
    struct gc_amm_market *m = NULL;
    json_t *rec = fuzz_parse_record(line->bytes, line->len, &f), *receipts;
    const char *type;

    if (rec == NULL)
        return true;
    type = json_string_value(json_object_get(rec, "type"));
    if (type != NULL && strcmp(type, "amm.state") == 0) {
        (void)gc_amm_load(book, rec, &f);
    } else {
        receipts = json_array();
        (void)gc_amm_apply(book, rec, NOW, receipts, &m, &f);
        json_decref(receipts);
    }
    json_decref(rec);
    return true;
}

static uint64_t size_at(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return 1 + v % MAX_SIZE;
}

/* The holder of the most GPU-seconds of M, or NULL. */
static const struct gc_amm_acct *top_holder(const struct gc_amm_market *m)
{
    const struct gc_amm_acct *top = NULL;

    for (size_t i = 0; i < m->claims.n; i++)
        if (top == NULL || m->claims.v[i].amount > top->amount)
            top = &m->claims.v[i];
    return top;
}

/* The swap of gc-amm run, from M's state file, against the quote Q (NULL: refused for F). */
static void check_swap(const struct gc_amm_market *m, int64_t ts, bool buy, uint64_t gpu_s,
                       const struct gc_quote *q, const struct gc_fail *qf)
{
    const struct gc_amm_acct *holder = top_holder(m);
    struct gc_amm_book fresh;
    struct gc_buf state = GC_BUF_INIT;
    struct gc_fail f = {NULL, ""};
    struct gc_amm_market *touched = NULL;
    char when[GC_TIME_LEN + 1];
    json_t *rec, *ev, *receipts = json_array(), *fill = NULL, *quote, *one;
    size_t i;

    if (!buy && (m->short_gpu_s > 0 || holder == NULL || holder->amount < gpu_s))
        goto out; /* refused for what the quote does not check */
    gc_amm_book_init(&fresh);
    gc_amm_state_record(m, &state);
    rec = fuzz_check_record(state.ptr, state.len, "amm.state");
    FUZZ_CHECK(gc_amm_load(&fresh, rec, &f), "a state record is refused: %s", f.detail);
    json_decref(rec);
    gc_time_format(ts, when);
    ev = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:I}", "type", "amm.swap", "v", 1, "market",
                   m->id, "ts", when, "trader", buy ? "fuzz-quote" : holder->id, "side",
                   buy ? "buy" : "sell", "gpu_s", (json_int_t)gpu_s);
    if (!gc_amm_apply(&fresh, ev, GC_AMM_NO_TIME, receipts, &touched, &f)) {
        fuzz_check_fail(&f);
        /* "duplicate": the input held this very swap at this second, which is no quote's. */
        FUZZ_CHECK(q == NULL || strcmp(f.reason, "duplicate") == 0,
                   "the swap is refused (%s: %s), its quote priced", f.reason, f.detail);
        FUZZ_CHECK(q != NULL || strcmp(f.reason, qf->reason) == 0 ||
                       strcmp(f.reason, "duplicate") == 0,
                   "the swap is refused as %s, its quote as %s", f.reason, qf->reason);
    } else {
        FUZZ_CHECK(q != NULL, "the swap fills, its quote is refused: %s: %s", qf->reason,
                   qf->detail);
        json_array_foreach(receipts, i, one)
        {
            if (strcmp(json_string_value(json_object_get(one, "type")), "amm.fill") == 0)
                fill = one;
        }
        FUZZ_CHECK(fill != NULL, "a swap without a fill");
        quote = gc_quote_record(m, ts, q);
        {
            static const char *const same[] = {"gpu_s",      "cash_micros", "fee_bps",
                                               "fee_micros", "fee_gpu_s",   "price_micros",
                                               "side",       "market",      "pool"};

            for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
                const json_t *a = json_object_get(quote, same[k]),
                             *b = json_object_get(fill, same[k]);

                FUZZ_CHECK((a == NULL) == (b == NULL) && (a == NULL || json_equal(a, b)),
                           "the quote's %s is not the fill's", same[k]);
            }
        }
        json_decref(quote);
    }
    json_decref(ev);
    gc_amm_book_release(&fresh);
    gc_buf_release(&state);
out:
    json_decref(receipts);
}

/* Prices one trade; true with Q filled if it is priced. */
static bool quote(const struct gc_amm_market *m, int64_t ts, bool buy, uint64_t gpu_s,
                  struct gc_quote *q, struct gc_fail *f)
{
    json_t *rec;

    f->reason = NULL;
    if (!gc_quote_price(m, ts, buy, gpu_s, q, f)) {
        fuzz_check_fail(f);
        check_swap(m, ts, buy, gpu_s, NULL, f);
        return false;
    }
    rec = gc_quote_record(m, ts, q);
    fuzz_check_json(rec, "amm.quote");
    json_decref(rec);
    FUZZ_CHECK(q->gpu_s == gpu_s, "a quote of %llu GPU-seconds trades others",
               (unsigned long long)gpu_s);
    FUZZ_CHECK(q->t.fee <= q->t.in, "a fee above what goes in");
    /* A ys curve near delivery is almost a constant sum: a sell may take all the cash. */
    FUZZ_CHECK(buy ? q->gpu_s < m->x_gpu_s : q->cash_micros <= m->y_micros,
               "a quote pays out more than the market holds");
    FUZZ_CHECK(q->impact_bps >= 0, "an impact of %lld bps, for the trader",
               (long long)q->impact_bps);
    FUZZ_CHECK(buy || q->impact_bps <= 10000, "a sell with an impact of %lld bps",
               (long long)q->impact_bps);
    FUZZ_CHECK(q->impact_bps == 0 || (q->has_spot_before && q->spot_before_micros > 0),
               "an impact without a spot price");
    check_swap(m, ts, buy, gpu_s, q, f);
    return true;
}

static void quote_market(const struct gc_amm_market *m, uint64_t g1, uint64_t g2, unsigned when)
{
    int64_t ts = m->last_ts + (int64_t)((m->hour - 1 - m->last_ts) / 255 * (int64_t)when);

    for (int side = 0; side < 2; side++) {
        bool buy = side == 0, ok1, ok2;
        struct gc_quote q1, q2;
        struct gc_fail f1 = {NULL, ""}, f2 = {NULL, ""};

        ok1 = quote(m, ts, buy, g1, &q1, &f1);
        ok2 = quote(m, ts, buy, g2, &q2, &f2);
        if (g1 == g2)
            continue;
        if (!ok1 && strcmp(f1.reason, "zero_output") != 0)
            FUZZ_CHECK(!ok2, "%s %llu is refused (%s), %llu is not", buy ? "buying" : "selling",
                       (unsigned long long)g1, f1.reason, (unsigned long long)g2);
        if (ok1 && ok2) {
            /*
             * Rounding: the cash to the micro (the average price moves by up to 2 x 3600 / g1
             * micros) and a sell's GPU-seconds after the fee to the second (1 / g1 of it).
             */
            __int128 slack = q1.has_spot_before && q1.spot_before_micros > 0
                                 ? ((__int128)2 * 3600 / (__int128)g1 + 2) * 10000 /
                                           (__int128)q1.spot_before_micros +
                                       10000 / (__int128)g1 + 2
                                 : 0;

            FUZZ_CHECK(q2.cash_micros >= q1.cash_micros, "%s %llu: %s less than %llu",
                       buy ? "buying" : "selling", (unsigned long long)g2, buy ? "costs" : "pays",
                       (unsigned long long)g1);
            FUZZ_CHECK((__int128)q2.impact_bps + slack >= q1.impact_bps,
                       "%s %llu has an impact of %lld bps, %llu of %lld",
                       buy ? "buying" : "selling", (unsigned long long)g2, (long long)q2.impact_bps,
                       (unsigned long long)g1, (long long)q1.impact_bps);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gc_amm_book book;
    struct gc_amm_market **ms;
    uint64_t g1, g2;

    fuzz_init();
    if (size < HEADER)
        return 0;
    g1 = size_at(data);
    g2 = size_at(data + 8);
    if (g1 > g2) {
        uint64_t t = g1;

        g1 = g2;
        g2 = t;
    }
    gc_amm_book_init(&book);
    fuzz_lines(data + HEADER, size - HEADER, MAX_LINES, take_line, &book);
    ms = gc_amm_sorted(&book);
    for (size_t i = 0; i < book.markets.n; i++)
        if (!ms[i]->closed && ms[i]->last_ts < ms[i]->hour)
            quote_market(ms[i], g1, g2, data[16]);
    free(ms);
    gc_amm_book_release(&book);
    return 0;
}
