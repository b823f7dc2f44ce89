/*
 * gc_amm — markets for perishable green GPU-hours: one market per (pool,
 * delivery hour) holding unsold GPU-seconds (x) against cash in micros (y),
 * priced by a constant-product (cp, Uniswap v2) or YieldSpace (ys) curve.
 * Events (amm.open, amm.add, amm.remove, amm.swap, amm.poll, amm.close)
 * change a market and produce receipts; a refused event changes nothing.
 * Domain module: records in, records out, no I/O and no clock.
 *
 * Books: x + (GPU-seconds sold and not yet delivered) = the capacity of the
 * market's devices, until a poll impairs a device whose capacity was
 * already sold (then the difference is the market's shortfall).
 */
#ifndef GC_AMM_H
#define GC_AMM_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_map.h"
#include "gc_twap.h"
#include "gc_u128.h"
#include "gc_ys.h"

#define GC_AMM_ID_MAX                64
#define GC_AMM_DEFAULT_FEE_BPS       30
#define GC_AMM_DEFAULT_K_PPM         10000
#define GC_AMM_DEFAULT_FEE_HORIZON_S 86400

enum gc_amm_curve { GC_AMM_CP, GC_AMM_YS };
enum gc_amm_status { GC_DEV_ONLINE, GC_DEV_RUNNING, GC_DEV_OFFLINE, GC_DEV_EXITED };

struct gc_amm_dev {
    char id[GC_AMM_ID_MAX + 1];
    gc_u128 gpu_s;      /* capacity still backing the market */
    gc_u128 impaired_s; /* capacity removed by polls */
    enum gc_amm_status status;
};

/* An LP's shares or a buyer's GPU-seconds. */
struct gc_amm_acct {
    char id[GC_AMM_ID_MAX + 1];
    gc_u128 amount;
};

struct gc_amm_accts {
    struct gc_amm_acct *v; /* sorted by id */
    size_t n, cap;
};

struct gc_amm_market {
    char id[GC_AMM_ID_MAX + 1];
    char pool[GC_AMM_ID_MAX + 1];
    char protocol[GC_AMM_ID_MAX + 1]; /* who earns the protocol fee (cp); "" = none */
    int64_t hour;                     /* delivery hour */
    int64_t opened_at, last_ts;
    enum gc_amm_curve curve;
    unsigned fee_bps;
    int64_t k_ppm, fee_horizon_s, anchor_micros;
    gc_u128 x_gpu_s, y_micros; /* reserves */
    gc_u128 shares;            /* total supply, the locked minimum included */
    gc_u128 root_k_last;       /* sqrt(x y) after the last add or remove (protocol fee) */
    gc_u128 short_gpu_s;       /* sold but no longer backed by a device */
    bool closed;
    uint64_t seq; /* events applied */
    struct gc_amm_dev *devs;
    size_t n_devs, cap_devs; /* sorted by id */
    struct gc_amm_accts lps, claims;
    struct gc_twap twap;
    uint8_t (*recent)[GC_SHA256_LEN]; /* hashes of the events applied at LAST_TS */
    size_t n_recent, cap_recent;
    struct gc_ys_memo *ys_memo; /* ys: powers of recent reserves, not part of the state */
    /*
     * The members "hour", "market" and "pool" of its receipts as written, for speed, set when
     * the market opens or loads.
     */
    char receipt_common[256];
    size_t receipt_common_len;
};

struct gc_amm_book {
    struct gc_map markets; /* id -> struct gc_amm_market */
};

void gc_amm_book_init(struct gc_amm_book *b);
void gc_amm_book_release(struct gc_amm_book *b);
struct gc_amm_market *gc_amm_find(const struct gc_amm_book *b, const char *id);
/* The markets in id order (an array of b->markets.n the caller frees). */
struct gc_amm_market **gc_amm_sorted(const struct gc_amm_book *b);

/* Adds the market an "amm.state" record describes (a state file's line). */
bool gc_amm_load(struct gc_amm_book *b, const json_t *rec, struct gc_fail *f);
/* The market's "amm.state" record, canonical, appended to OUT without a newline. */
void gc_amm_state_record(const struct gc_amm_market *m, struct gc_buf *out);

/*
 * The id of POOL's market for HOUR when amm.open names none:
 * POOL.YYYYMMDDtHH. OUT holds GC_AMM_ID_MAX + 1 bytes; false when the pool
 * id is too long to leave room for the hour.
 */
bool gc_amm_default_id(const char *pool, int64_t hour, char *out);

/* No default time for events (gc_amm_apply). */
#define GC_AMM_NO_TIME INT64_MIN

/*
 * Applies event EV at its "ts" (or NOW when it has none, unless GC_AMM_NO_TIME).
 * Each receipt is appended to OUT in canonical form (RFC 8785) and a newline;
 * *TOUCHED names the market. On refusal F says why, OUT and the book are
 * unchanged. A broken invariant is not a refusal: the program stops with exit 70.
 */
bool gc_amm_apply_lines(struct gc_amm_book *b, const json_t *ev, int64_t now, struct gc_buf *out,
                        struct gc_amm_market **touched, struct gc_fail *f);

/*
 * An amm.swap event already read and judged field by field, with its hash
 * (gc_amm_read_swap in gc_amm_line.h): what gc_amm_apply_lines needs of one.
 */
struct gc_amm_swap {
    int64_t ts;
    char market[GC_AMM_ID_MAX + 1];
    char trader[GC_AMM_ID_MAX + 1];
    bool buy;       /* side */
    bool exact_in;  /* AMOUNT is what goes in (pay_micros, or gpu_s of a sell) */
    gc_u128 amount; /* at least 1 */
    bool has_limit; /* the min_ or max_ member that goes with the exact one */
    gc_u128 limit;
    uint8_t h[GC_SHA256_LEN]; /* SHA-256 of the event's canonical form */
};

/*
 * Applies swap S as gc_amm_apply_lines applies the event it was read from: the same receipts,
 * refusals and changes to the book.
 */
bool gc_amm_apply_swap(struct gc_amm_book *b, const struct gc_amm_swap *s, struct gc_buf *out,
                       struct gc_amm_market **touched, struct gc_fail *f);

/* gc_amm_apply_lines with the receipts appended to the array RECEIPTS (new references). */
bool gc_amm_apply(struct gc_amm_book *b, const json_t *ev, int64_t now, json_t *receipts,
                  struct gc_amm_market **touched, struct gc_fail *f);

/* A trade as priced against a market, without applying it. */
struct gc_amm_trade {
    bool buy;        /* cash in, GPU-seconds out */
    bool exact_in;   /* AMOUNT is what goes in; else what comes out */
    gc_u128 amount;  /* micros or GPU-seconds, by side and exactness */
    gc_u128 in, out; /* results: buy: in micros, out GPU-seconds; sell: the reverse */
    gc_u128 fee;     /* part of IN kept as the fee, in IN's unit */
    unsigned fee_bps;
};

/* Prices T at time TS (before delivery). False with F: zero_output, insufficient_liquidity. */
bool gc_amm_price_trade(const struct gc_amm_market *m, int64_t ts, struct gc_amm_trade *t,
                        struct gc_fail *f);

/* The most a reserve of M may hold, 2^62 (ys) or 2^112 (cp): more is "too_large". */
gc_u128 gc_amm_max_amount(const struct gc_amm_market *m);

/* The marginal price at TS in micros per GPU-hour as 64.64; false for an empty side. */
bool gc_amm_spot_x64(const struct gc_amm_market *m, int64_t ts, gc_u128 *price);

/* The TWAP of M in micros per GPU-hour over the sliding window ending at NOW. */
bool gc_amm_twap_micros(const struct gc_amm_market *m, int64_t now, int64_t *micros,
                        int64_t *window_s);

#endif
