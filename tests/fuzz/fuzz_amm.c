/*
 * fuzz_amm — gc-amm run: market events (gc_amm_apply) on a book, after the market states of a
 * state file (gc_amm_load), and what gc-amm quote and index ask of a market afterwards
 * (gc_amm_price_trade, gc_amm_spot_x64, gc_amm_twap_micros).
 *
 * The input is NDJSON: "amm.state" lines are loaded as a state file's, every other line is an
 * event, applied in order with --now 2026-11-01T00:00:00Z for events without a ts. The
 * library itself stops with exit 70 when a conservation law or the curve's invariant breaks;
 * the harness adds:
 *   - every refusal has a reason and changes nothing: no receipts, no new market, the state
 *     record of the market the event names the same bytes as before;
 *   - an accepted event names the market it touched and yields canonical receipts;
 *   - every market's state record is canonical and loads back (into a fresh book) to the same
 *     bytes: a state file survives the next run;
 *   - quotes of the trades the fixtures make are priced or refused with a reason, never more
 *     out than the market holds;
 *   - gc-amm run's two paths agree line by line, on two more books: a plain swap read straight
 *     from its line (gc_amm_read_swap, gc_amm_apply_swap) makes the very receipts, or the very
 *     refusal, that the JSON path (gc_amm_apply_lines) makes, and a line that is not a JSON
 *     object is never read as a swap.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "gc_amm.h"
#include "gc_amm_line.h"
#include "gc_json.h"
#include "gc_time.h"
#include "banned.h"

#define MAX_LINES 256
#define NOW       1793491200 /* 2026-11-01T00:00:00Z */

struct run {
    struct gc_amm_book book;
    struct gc_buf before, after;
    struct gc_amm_book fast, slow; /* gc-amm run's line path and its JSON path */
    struct gc_amm_reader reader;
    struct gc_buf out_fast, out_slow;
};

/* One line through both of gc-amm run's paths; REC is the line parsed, or NULL. */
static void both_paths(struct run *run, const struct gc_line *line, json_t *rec)
{
    struct gc_fail ff = {NULL, ""}, fs = {NULL, ""};
    struct gc_amm_market *m = NULL;
    struct gc_amm_swap sw;
    bool plain = gc_amm_read_swap(&run->reader, line->bytes, line->len, NOW, &sw), ok_f, ok_s;

    FUZZ_CHECK(!plain || rec != NULL, "a line that is not a JSON object was read as a swap");
    if (rec == NULL)
        return;
    gc_buf_reset(&run->out_fast);
    gc_buf_reset(&run->out_slow);
    ok_s = gc_amm_apply_lines(&run->slow, rec, NOW, &run->out_slow, &m, &fs);
    ok_f = plain ? gc_amm_apply_swap(&run->fast, &sw, &run->out_fast, &m, &ff)
                 : gc_amm_apply_lines(&run->fast, rec, NOW, &run->out_fast, &m, &ff);
    FUZZ_CHECK(ok_f == ok_s, "the paths disagree: %s (%s) against %s (%s)",
               ok_f ? "applied" : ff.reason, ff.detail, ok_s ? "applied" : fs.reason, fs.detail);
    FUZZ_CHECK(ok_f || (strcmp(ff.reason, fs.reason) == 0 && strcmp(ff.detail, fs.detail) == 0),
               "the paths refuse differently: %s: %s against %s: %s", ff.reason, ff.detail,
               fs.reason, fs.detail);
    FUZZ_CHECK(run->out_fast.len == run->out_slow.len &&
                   memcmp(run->out_fast.ptr, run->out_slow.ptr, run->out_slow.len) == 0,
               "the paths write different receipts:\n%s\n%s", run->out_fast.ptr, run->out_slow.ptr);
}

/* Every market's state record, in id order: what the state file would hold. */
static void states(const struct gc_amm_book *b, struct gc_buf *out)
{
    struct gc_amm_market **ms = gc_amm_sorted(b);

    gc_buf_reset(out);
    for (size_t i = 0; i < b->markets.n; i++) {
        gc_amm_state_record(ms[i], out);
        gc_buf_addc(out, '\n');
    }
    free(ms);
}

static bool take_line(const struct gc_line *line, void *ctx)
{
    struct run *run = ctx;
    struct gc_fail f = {NULL, ""};
    struct gc_amm_market *m = NULL, *named;
    json_t *rec = fuzz_parse_record(line->bytes, line->len, &f), *receipts, *one;
    const char *type, *id;
    size_t i, n;

    type = rec != NULL ? json_string_value(json_object_get(rec, "type")) : NULL;
    if (type != NULL && strcmp(type, "amm.state") == 0) {
        if (!gc_amm_load(&run->book, rec, &f))
            fuzz_check_fail(&f);
        (void)gc_amm_load(&run->fast, rec, &f);
        (void)gc_amm_load(&run->slow, rec, &f);
        json_decref(rec);
        return true;
    }
    both_paths(run, line, rec);
    if (rec == NULL)
        return true;
    /* The market the event names (none for most amm.open): all a refusal could have changed. */
    id = json_string_value(json_object_get(rec, "market"));
    named = id != NULL ? gc_amm_find(&run->book, id) : NULL;
    n = run->book.markets.n;
    gc_buf_reset(&run->before);
    if (named != NULL)
        gc_amm_state_record(named, &run->before);
    receipts = json_array();
    if (!gc_amm_apply(&run->book, rec, NOW, receipts, &m, &f)) {
        fuzz_check_fail(&f);
        FUZZ_CHECK(json_array_size(receipts) == 0, "a refused event made receipts");
        FUZZ_CHECK(run->book.markets.n == n, "a refused event opened a market");
        gc_buf_reset(&run->after);
        if (named != NULL)
            gc_amm_state_record(named, &run->after);
        FUZZ_CHECK(run->after.len == run->before.len &&
                       memcmp(run->after.ptr, run->before.ptr, run->before.len) == 0,
                   "a refused event (%s) changed its market", f.reason);
    } else {
        FUZZ_CHECK(m != NULL && gc_amm_find(&run->book, m->id) == m, "no market touched");
        json_array_foreach(receipts, i, one)
        {
            fuzz_check_json(one, "receipt");
        }
    }
    json_decref(receipts);
    json_decref(rec);
    return true;
}

/* gc-amm quote: a trade priced, never applied. */
static void quote(const struct gc_amm_market *m, bool buy, bool exact_in, gc_u128 amount)
{
    struct gc_amm_trade t;
    struct gc_fail f = {NULL, ""};
    int64_t ts = m->last_ts; /* gc-amm quote without --now */

    memset(&t, 0, sizeof(t));
    t.buy = buy;
    t.exact_in = exact_in;
    t.amount = amount;
    if (!gc_amm_price_trade(m, ts, &t, &f)) {
        fuzz_check_fail(&f);
        return;
    }
    FUZZ_CHECK(t.fee <= t.in, "a fee above what goes in");
    FUZZ_CHECK(buy ? t.out <= m->x_gpu_s : t.out <= m->y_micros,
               "a quote pays out more than the market holds");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run run;
    struct gc_amm_book fresh;
    struct gc_buf reloaded = GC_BUF_INIT;
    struct gc_amm_market **ms;
    struct gc_fail f = {NULL, ""};

    fuzz_init();
    memset(&run, 0, sizeof(run));
    gc_amm_book_init(&run.book);
    gc_amm_book_init(&run.fast);
    gc_amm_book_init(&run.slow);
    fuzz_lines(data, size, MAX_LINES, take_line, &run);

    /* The state file: written, read back by the next run, written again. */
    states(&run.book, &run.before);
    gc_amm_book_init(&fresh);
    ms = gc_amm_sorted(&run.book);
    for (size_t i = 0; i < run.book.markets.n; i++) {
        struct gc_buf one = GC_BUF_INIT;
        json_t *rec;
        gc_u128 price;
        int64_t micros, window;

        gc_amm_state_record(ms[i], &one);
        rec = fuzz_check_record(one.ptr, one.len, "amm.state");
        FUZZ_CHECK(gc_amm_load(&fresh, rec, &f), "a state record is refused: %s: %s", f.reason,
                   f.detail);
        json_decref(rec);
        gc_buf_release(&one);

        if (!ms[i]->closed && ms[i]->last_ts < ms[i]->hour) {
            quote(ms[i], true, false, 3600);
            quote(ms[i], true, true, 2000000);
            quote(ms[i], false, true, 1800);
            quote(ms[i], false, false, 1000000);
        }
        (void)gc_amm_spot_x64(ms[i], ms[i]->last_ts, &price);
        (void)gc_amm_twap_micros(ms[i], ms[i]->closed ? ms[i]->hour : ms[i]->last_ts, &micros,
                                 &window);
    }
    free(ms);
    states(&fresh, &reloaded);
    FUZZ_CHECK(reloaded.len == run.before.len &&
                   memcmp(reloaded.ptr, run.before.ptr, reloaded.len) == 0,
               "the state file changes when read back:\n%s\n%s", run.before.ptr, reloaded.ptr);

    gc_amm_book_release(&fresh);
    gc_amm_book_release(&run.book);
    gc_amm_book_release(&run.fast);
    gc_amm_book_release(&run.slow);
    gc_amm_reader_release(&run.reader);
    gc_buf_release(&run.out_fast);
    gc_buf_release(&run.out_slow);
    gc_buf_release(&run.before);
    gc_buf_release(&run.after);
    gc_buf_release(&reloaded);
    return 0;
}
