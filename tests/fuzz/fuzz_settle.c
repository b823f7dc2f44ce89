/*
 * fuzz_settle — the books of gc-issue, gc-verify and gc-settle that replay records in order:
 * note ownership (gc_position_book_add: packages, positions, transfers, pledges, releases),
 * a settlement period of the package (gc_period_begin, gc_period_take, gc_period_settle,
 * gc_period_carry_from), the stablecoin book (gc_stable_replay) and the credit books
 * (gc_credit_replay, gc_credit_accrue) rebuilt from a ledger.
 *
 * The input starts with an option byte, then NDJSON lines. Lines the position book takes go
 * to it (the first package is the one settled, as gc-settle --package); the other lines are
 * the period's income. Every line is also replayed into a stablecoin book and the two credit
 * books, as records of a ledger. Option bits 0-5: the period's length in hours less one; bit
 * 6: a second period after it, from the first's period record. Properties:
 *   - every refusal has a reason; the books free everything;
 *   - the records a period writes are canonical, and its "period" record hands the next
 *     period (gc_period_carry_from) exactly the end it settled;
 *   - credits accrued from "allocation" lines (green_wh x 350 g/kWh, as gc-settle carbon)
 *     replay from their ledger records to the same book: the same carried amount and serial.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "gc_credit.h"
#include "gc_crypto.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_period.h"
#include "gc_position.h"
#include "gc_signed.h"
#include "gc_stable.h"
#include "gc_time.h"
#include "banned.h"

#define MAX_LINES 256

struct run {
    struct gc_position_book book;
    json_t *package; /* the first package record the book took */
    json_t *income;  /* the other records, in order */
    struct gc_stable stable;
    struct gc_credit_book carbon, recs, accrued;
    json_t *ledger; /* what the accrued book wrote */
    struct gc_buf msg;
};

static bool is_type(const json_t *rec, const char *type)
{
    const char *t = json_string_value(json_object_get(rec, "type"));

    return t != NULL && strcmp(t, type) == 0;
}

/* gc-settle carbon's accrual of an allocation's avoided emissions, at a fixed intensity. */
static void accrue(struct run *run, const json_t *rec)
{
    struct gc_fail f = {NULL, ""};
    uint8_t h[GC_SHA256_LEN];
    char id[GC_HASH_HEX];
    int64_t green_wh, mg;
    json_t *accrual;

    if (!is_type(rec, "allocation") ||
        !gc_field_int(rec, "green_wh", 0, INT64_MAX, &green_wh, &f) ||
        !gc_mul_i64(green_wh, 350, &mg) || mg == 0)
        return;
    gc_signed_hash(rec, &run->msg, h);
    gc_hex_encode(h, GC_SHA256_LEN, id);
    accrual = json_pack("{s:s, s:i}", "type", "carbon.accrual", "v", 1);
    if (!gc_credit_accrue(&run->accrued, id, mg, accrual, run->ledger, &f)) {
        fuzz_check_fail(&f);
        json_decref(accrual); /* refused: still ours */
    }
}

static bool take_line(const struct gc_line *line, void *ctx)
{
    struct run *run = ctx;
    struct gc_fail f = {NULL, ""};
    json_t *rec = fuzz_parse_record(line->bytes, line->len, &f);

    if (rec == NULL)
        return true;
    if (gc_position_book_takes(rec)) {
        if (run->package == NULL || !json_equal(rec, run->package)) {
            if (!gc_position_book_add(&run->book, rec, &f))
                fuzz_check_fail(&f);
            else if (run->package == NULL && is_type(rec, "package"))
                run->package = json_incref(rec);
        }
    } else {
        gc_json_append(run->income, json_incref(rec));
    }
    f.reason = NULL;
    if (!gc_stable_replay(&run->stable, rec, &f))
        fuzz_check_fail(&f);
    f.reason = NULL;
    if (!gc_credit_replay(&run->carbon, rec, &f))
        fuzz_check_fail(&f);
    f.reason = NULL;
    if (!gc_credit_replay(&run->recs, rec, &f))
        fuzz_check_fail(&f);
    accrue(run, rec);
    json_decref(rec);
    return true;
}

/* One period of PKG from CARRY; its period record goes to *NEXT (a new reference) if settled. */
static void settle(struct run *run, const struct gc_pkg *pkg, int64_t hours,
                   const struct gc_period_carry *carry, json_t **next)
{
    struct gc_period p;
    struct gc_fail f = {NULL, ""};
    uint8_t inputs[GC_SHA256_LEN];
    json_t *recs, *one;
    size_t i;
    int64_t end = carry->end + hours * 3600;

    *next = NULL;
    if (end > GC_TIME_MAX)
        return;
    if (!gc_period_begin(&p, pkg, run->package, carry->end, end, carry, &f)) {
        fuzz_check_fail(&f);
        gc_period_release(&p);
        return;
    }
    json_array_foreach(run->income, i, one)
    {
        f.reason = NULL;
        if (!gc_period_take(&p, one, &f))
            fuzz_check_fail(&f);
    }
    gc_period_inputs(&p, inputs);
    recs = json_array();
    f.reason = NULL;
    if (gc_period_settle(&p, &run->book, inputs, recs, &f)) {
        json_array_foreach(recs, i, one)
        {
            fuzz_check_json(one, "period output");
            if (is_type(one, "period"))
                *next = json_incref(one);
        }
        FUZZ_CHECK(*next != NULL, "a settled period without a period record");
    } else {
        fuzz_check_fail(&f);
    }
    json_decref(recs);
    gc_period_release(&p);
}

static void periods(struct run *run, unsigned opts)
{
    struct gc_period_carry carry, carry2;
    struct gc_fail f = {NULL, ""};
    struct gc_pkg **pkgs, *pkg;
    int64_t hours = 1 + (opts & 63), end;
    json_t *rec = NULL, *rec2 = NULL;

    if (run->package == NULL || run->book.packages.n == 0)
        return;
    pkgs = (struct gc_pkg **)gc_map_sorted_values(&run->book.packages);
    pkg = pkgs[0];
    free(pkgs);
    gc_period_carry_init(pkg, &carry);
    end = carry.end + hours * 3600;
    settle(run, pkg, hours, &carry, &rec);
    if (rec == NULL)
        return;
    FUZZ_CHECK(gc_period_carry_from(pkg, rec, &carry2, &f), "a period record is refused: %s",
               f.detail);
    FUZZ_CHECK(carry2.end == end, "the period record hands on %lld, not %lld",
               (long long)carry2.end, (long long)end);
    if (opts & 64)
        settle(run, pkg, hours, &carry2, &rec2);
    json_decref(rec);
    json_decref(rec2);
}

/* The accrued book's ledger, replayed into a fresh book, rebuilds it. */
static void replay_accrued(struct run *run)
{
    struct gc_credit_book b;
    struct gc_fail f = {NULL, ""};
    json_t *one;
    size_t i;

    gc_credit_book_init(&b, "carbon.accrual", "carbon.credit", "allocation", "avoided_mg",
                        1000000000);
    json_array_foreach(run->ledger, i, one)
    {
        fuzz_check_json(one, "credit ledger record");
        FUZZ_CHECK(gc_credit_replay(&b, one, &f), "the credit ledger does not replay: %s",
                   f.detail);
    }
    FUZZ_CHECK(b.carried == run->accrued.carried && b.serial == run->accrued.serial,
               "replayed: carried %lld serial %lld, accrued: %lld %lld", (long long)b.carried,
               (long long)b.serial, (long long)run->accrued.carried,
               (long long)run->accrued.serial);
    gc_credit_book_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run *run;

    fuzz_init();
    if (size < 1)
        return 0;
    run = gc_xcalloc(1, sizeof(*run));
    gc_position_book_init(&run->book, NULL, NULL);
    run->income = json_array();
    run->ledger = json_array();
    gc_stable_init(&run->stable);
    gc_credit_book_init(&run->carbon, "carbon.accrual", "carbon.credit", "allocation", "avoided_mg",
                        1000000000);
    gc_credit_book_init(&run->recs, "rec.accrual", "rec", "certificate", "wh", 1000000);
    gc_credit_book_init(&run->accrued, "carbon.accrual", "carbon.credit", "allocation",
                        "avoided_mg", 1000000000);
    fuzz_lines(data + 1, size - 1, MAX_LINES, take_line, run);
    periods(run, data[0]);
    replay_accrued(run);

    gc_position_book_release(&run->book);
    json_decref(run->package);
    json_decref(run->income);
    json_decref(run->ledger);
    gc_stable_release(&run->stable);
    gc_credit_book_release(&run->carbon);
    gc_credit_book_release(&run->recs);
    gc_credit_book_release(&run->accrued);
    gc_buf_release(&run->msg);
    free(run);
    return 0;
}
