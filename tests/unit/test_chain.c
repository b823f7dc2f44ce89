/*
 * Unit tests for gc_chain: the next link for signing, every verdict of gc_chain_check (accepted,
 * chain_gap with resynchronisation, duplicate, equivocation naming the first hash, stale behind
 * the head or in time), heads carried over from a state file, and the state file itself: exact
 * canonical lines sorted by device, a round trip, a missing file, and malformed files, which
 * exit 65 and so run in a forked child.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gc_buf.h"
#include "gc_chain.h"
#include "gc_chain_state.h"
#include "gc_crypto.h"
#include "gc_hex.h"
#include "gc_time.h"
#include "gc_test.h"
#include "banned.h"

#define T0       1793527200LL /* 2026-11-01T10:00:00Z */
#define SENTINEL ((int64_t)0x5a5a5a5a5a5a5a5aLL)

/* --- helpers ------------------------------------------------------------------------------ */

/* A record hash that stands for the attestation named NAME. */
static void hash_of(const char *name, uint8_t out[GC_SHA256_LEN])
{
    gc_sha256(name, strlen(name), out);
}

static const uint8_t zeros[GC_SHA256_LEN];

/* Expects gc_chain_check to accept. */
static void expect_accept(struct gc_chains *c, struct gc_chain_head *h, int64_t seq,
                          const uint8_t prev[GC_SHA256_LEN], const uint8_t hash[GC_SHA256_LEN],
                          int64_t ts)
{
    struct gc_fail f = {0};

    if (!gc_chain_check(c, h, seq, prev, hash, ts, &f))
        fail_msg("seq %lld refused: %s: %s", (long long)seq, f.reason, f.detail);
    assert_int_equal(h->seq, seq);
    assert_memory_equal(h->hash, hash, GC_SHA256_LEN);
    assert_int_equal(h->ts, ts);
}

/* Expects gc_chain_check to refuse with REASON; returns the detail in F. */
static void expect_refuse(struct gc_chains *c, struct gc_chain_head *h, int64_t seq,
                          const uint8_t prev[GC_SHA256_LEN], const uint8_t hash[GC_SHA256_LEN],
                          int64_t ts, const char *reason, struct gc_fail *f)
{
    memset(f, 0, sizeof(*f));
    if (gc_chain_check(c, h, seq, prev, hash, ts, f))
        fail_msg("seq %lld accepted, want %s", (long long)seq, reason);
    assert_non_null(f->reason);
    if (strcmp(f->reason, reason) != 0)
        fail_msg("seq %lld refused as %s (%s), want %s", (long long)seq, f->reason, f->detail,
                 reason);
    assert_true(strlen(f->detail) > 0);
}

/* Expects a refusal that leaves the head where it was. */
static void expect_refuse_keep(struct gc_chains *c, struct gc_chain_head *h, int64_t seq,
                               const uint8_t prev[GC_SHA256_LEN], const uint8_t hash[GC_SHA256_LEN],
                               int64_t ts, const char *reason, struct gc_fail *f)
{
    struct gc_chain_head before = *h;

    expect_refuse(c, h, seq, prev, hash, ts, reason, f);
    assert_int_equal(h->seq, before.seq);
    assert_memory_equal(h->hash, before.hash, GC_SHA256_LEN);
    assert_int_equal(h->ts, before.ts);
    assert_int_equal(h->n_seen, before.n_seen);
}

/* --- signing ------------------------------------------------------------------------------ */

static void test_next_and_advance(void **state)
{
    struct gc_chains c;
    struct gc_chain_head *h, *other;
    uint8_t prev[GC_SHA256_LEN], h1[GC_SHA256_LEN], h2[GC_SHA256_LEN];
    struct gc_fail f = {0};
    int64_t seq;

    (void)state;
    hash_of("att-1", h1);
    hash_of("att-2", h2);
    gc_chains_init(&c);
    h = gc_chains_head(&c, "meter-1");
    assert_string_equal(h->device, "meter-1");
    assert_int_equal(h->seq, 0);
    assert_memory_equal(h->hash, zeros, GC_SHA256_LEN);
    assert_true(h->ts == INT64_MIN);
    assert_false(c.dirty);
    assert_ptr_equal(gc_chains_head(&c, "meter-1"), h);

    /* An empty chain starts at seq 1 with a zero prev, whatever the time. */
    memset(prev, 0xee, sizeof(prev));
    assert_true(gc_chain_next(h, GC_TIME_MIN, &seq, prev, &f));
    assert_int_equal(seq, 1);
    assert_memory_equal(prev, zeros, GC_SHA256_LEN);
    assert_true(gc_chain_next(h, T0, &seq, prev, &f));
    assert_int_equal(seq, 1);

    gc_chain_advance(&c, h, 1, h1, T0);
    assert_true(c.dirty);
    assert_int_equal(h->seq, 1);
    assert_memory_equal(h->hash, h1, GC_SHA256_LEN);
    assert_int_equal(h->ts, T0);

    /* Not after the head: stale, and nothing handed out. */
    for (int64_t ts = T0 - 1; ts <= T0; ts++) {
        seq = SENTINEL;
        memset(prev, 0xee, sizeof(prev));
        memset(&f, 0, sizeof(f));
        assert_false(gc_chain_next(h, ts, &seq, prev, &f));
        assert_string_equal(f.reason, "stale");
        assert_non_null(strstr(f.detail, "meter-1"));
        assert_non_null(strstr(f.detail, "2026-11-01T10:00:00Z"));
        assert_int_equal(seq, SENTINEL);
        assert_int_equal(prev[0], 0xee);
    }
    assert_true(gc_chain_next(h, T0 + 1, &seq, prev, &f));
    assert_int_equal(seq, 2);
    assert_memory_equal(prev, h1, GC_SHA256_LEN);
    gc_chain_advance(&c, h, 2, h2, T0 + 1);
    assert_true(gc_chain_next(h, T0 + 3600, &seq, prev, &f));
    assert_int_equal(seq, 3);
    assert_memory_equal(prev, h2, GC_SHA256_LEN);

    /* Chains of other devices are their own. */
    other = gc_chains_head(&c, "meter-2");
    assert_true(other != h);
    assert_true(gc_chain_next(other, T0 - 100, &seq, prev, &f));
    assert_int_equal(seq, 1);
    assert_memory_equal(prev, zeros, GC_SHA256_LEN);
    assert_int_equal(c.heads.n, 2);
    gc_chains_release(&c);
}

/* --- verifying ---------------------------------------------------------------------------- */

static void test_check_first_links(void **state)
{
    struct gc_chains c;
    struct gc_chain_head *h;
    uint8_t h1[GC_SHA256_LEN], h2[GC_SHA256_LEN], h3[GC_SHA256_LEN];

    (void)state;
    hash_of("a1", h1);
    hash_of("a2", h2);
    hash_of("a3", h3);
    gc_chains_init(&c);
    h = gc_chains_head(&c, "meter-1");
    expect_accept(&c, h, 1, zeros, h1, T0);
    assert_true(c.dirty);
    expect_accept(&c, h, 2, h1, h2, T0 + 1);
    expect_accept(&c, h, 3, h2, h3, T0 + 900);
    assert_int_equal(h->n_seen, 3);
    gc_chains_release(&c);
}

/* Memory stays bounded: the last GC_CHAIN_WINDOW seqs tell replays from forks, older are stale. */
static void test_check_window(void **state)
{
    enum { N = GC_CHAIN_WINDOW + 40 };
    struct gc_chains c;
    struct gc_chain_head *h;
    static uint8_t hashes[N + 1][GC_SHA256_LEN];
    uint8_t other[GC_SHA256_LEN];
    char name[32];
    struct gc_fail f;

    (void)state;
    gc_chains_init(&c);
    h = gc_chains_head(&c, "meter-1");
    for (int64_t seq = 1; seq <= N; seq++) {
        snprintf(name, sizeof(name), "w%lld", (long long)seq);
        hash_of(name, hashes[seq]);
        expect_accept(&c, h, seq, seq == 1 ? zeros : hashes[seq - 1], hashes[seq], T0 + seq);
        assert_true(h->n_seen <= GC_CHAIN_WINDOW);
    }
    assert_int_equal(h->n_seen, GC_CHAIN_WINDOW);
    assert_true(h->cap_seen <= GC_CHAIN_WINDOW);
    hash_of("another record", other);
    /* Inside the window, at both ends and in between: replay and fork are told apart. */
    for (int64_t seq = N - GC_CHAIN_WINDOW + 1; seq <= N; seq++) {
        expect_refuse_keep(&c, h, seq, hashes[seq - 1], hashes[seq], T0 + seq, "duplicate", &f);
        expect_refuse_keep(&c, h, seq, hashes[seq - 1], other, T0 + seq, "equivocation", &f);
    }
    /* Older than the window: still refused, as stale. */
    for (int64_t seq = 1; seq <= N - GC_CHAIN_WINDOW; seq++) {
        expect_refuse_keep(&c, h, seq, seq == 1 ? zeros : hashes[seq - 1], hashes[seq], T0 + seq,
                           "stale", &f);
        expect_refuse_keep(&c, h, seq, seq == 1 ? zeros : hashes[seq - 1], other, T0 + seq, "stale",
                           &f);
    }
    gc_chains_release(&c);
}

static void test_check_seq1_nonzero_prev(void **state)
{
    struct gc_chains c;
    struct gc_chain_head *h;
    uint8_t h1[GC_SHA256_LEN], h2[GC_SHA256_LEN], junk[GC_SHA256_LEN];
    struct gc_fail f;

    (void)state;
    hash_of("a1", h1);
    hash_of("a2", h2);
    hash_of("junk", junk);
    gc_chains_init(&c);
    h = gc_chains_head(&c, "meter-1");
    expect_refuse(&c, h, 1, junk, h1, T0, "chain_gap", &f);
    assert_non_null(strstr(f.detail, "meter-1"));
    /* A single bit is enough. */
    {
        struct gc_chains c2;
        struct gc_chain_head *h2_head;
        uint8_t one_bit[GC_SHA256_LEN] = {0};

        one_bit[GC_SHA256_LEN - 1] = 1;
        gc_chains_init(&c2);
        h2_head = gc_chains_head(&c2, "meter-1");
        expect_refuse(&c2, h2_head, 1, one_bit, h1, T0, "chain_gap", &f);
        gc_chains_release(&c2);
    }
    /* The refused record is authentic: the chain goes on from it. */
    assert_int_equal(h->seq, 1);
    assert_memory_equal(h->hash, h1, GC_SHA256_LEN);
    expect_accept(&c, h, 2, h1, h2, T0 + 1);
    gc_chains_release(&c);
}

static void test_check_gap_and_resync(void **state)
{
    struct gc_chains c;
    struct gc_chain_head *h;
    uint8_t h1[GC_SHA256_LEN], h2[GC_SHA256_LEN], h3[GC_SHA256_LEN], h4[GC_SHA256_LEN];
    uint8_t h5[GC_SHA256_LEN], x[GC_SHA256_LEN];
    struct gc_fail f;

    (void)state;
    hash_of("a1", h1);
    hash_of("a2", h2);
    hash_of("a3", h3);
    hash_of("a4", h4);
    hash_of("a5", h5);
    hash_of("x", x);
    gc_chains_init(&c);
    h = gc_chains_head(&c, "meter-1");
    expect_accept(&c, h, 1, zeros, h1, T0);

    /* seq 3 after 1: a gap, one reject, and the head moves to 3. */
    expect_refuse(&c, h, 3, h2, h3, T0 + 2, "chain_gap", &f);
    assert_non_null(strstr(f.detail, "3"));
    assert_int_equal(h->seq, 3);
    assert_memory_equal(h->hash, h3, GC_SHA256_LEN);
    assert_int_equal(h->ts, T0 + 2);
    expect_accept(&c, h, 4, h3, h4, T0 + 3);

    /* The missing seq 2, never seen this run, is behind the head. */
    expect_refuse_keep(&c, h, 2, h1, h2, T0 + 1, "stale", &f);
    /* The record the head resynchronised on is remembered like an accepted one. */
    expect_refuse_keep(&c, h, 3, h2, h3, T0 + 2, "duplicate", &f);
    expect_refuse_keep(&c, h, 3, h2, x, T0 + 2, "equivocation", &f);

    /* The next seq whose prev does not link: a gap too, then resynchronised. */
    expect_refuse(&c, h, 5, x, h5, T0 + 4, "chain_gap", &f);
    assert_int_equal(h->seq, 5);
    expect_accept(&c, h, 6, h5, x, T0 + 5);

    /* A chain that starts past seq 1. */
    h = gc_chains_head(&c, "meter-2");
    expect_refuse(&c, h, 7, x, h1, T0, "chain_gap", &f);
    expect_accept(&c, h, 8, h1, h2, T0 + 1);
    gc_chains_release(&c);
}

static void test_check_duplicate_equivocation(void **state)
{
    uint8_t hs[6][GC_SHA256_LEN], other[GC_SHA256_LEN];
    char hex[2 * GC_SHA256_LEN + 1], name[8];
    struct gc_chains c;
    struct gc_chain_head *h;
    struct gc_fail f;

    (void)state;
    gc_chains_init(&c);
    h = gc_chains_head(&c, "meter-1");
    memcpy(hs[0], zeros, GC_SHA256_LEN);
    for (int i = 1; i <= 5; i++) {
        snprintf(name, sizeof(name), "a%d", i);
        hash_of(name, hs[i]);
        expect_accept(&c, h, i, hs[i - 1], hs[i], T0 + i);
    }
    hash_of("forged", other);

    /* The same record again, at the head or behind it. */
    for (int i = 1; i <= 5; i++)
        expect_refuse_keep(&c, h, i, hs[i - 1], hs[i], T0 + i, "duplicate", &f);
    /* Another record for an accepted seq: the detail names the first one. */
    for (int i = 1; i <= 5; i++) {
        expect_refuse_keep(&c, h, i, hs[i - 1], other, T0 + i, "equivocation", &f);
        gc_hex_encode(hs[i], GC_SHA256_LEN, hex);
        if (strstr(f.detail, hex) == NULL)
            fail_msg("seq %d: detail '%s' does not name %s", i, f.detail, hex);
    }
    /* Whatever prev and ts the second record claims. */
    expect_refuse_keep(&c, h, 3, other, other, T0 + 99, "equivocation", &f);
    expect_refuse_keep(&c, h, 3, other, hs[3], T0 - 99, "duplicate", &f);
    expect_accept(&c, h, 6, hs[5], other, T0 + 6);
    gc_chains_release(&c);
}

static void test_check_stale_ts(void **state)
{
    struct gc_chains c;
    struct gc_chain_head *h;
    uint8_t h1[GC_SHA256_LEN], h2[GC_SHA256_LEN];
    struct gc_fail f;

    (void)state;
    hash_of("a1", h1);
    hash_of("a2", h2);
    gc_chains_init(&c);
    h = gc_chains_head(&c, "meter-1");
    expect_accept(&c, h, 1, zeros, h1, T0);
    expect_refuse_keep(&c, h, 2, h1, h2, T0, "stale", &f);
    expect_refuse_keep(&c, h, 2, h1, h2, T0 - 1, "stale", &f);
    expect_refuse_keep(&c, h, 2, h1, h2, GC_TIME_MIN, "stale", &f);
    assert_non_null(strstr(f.detail, "meter-1"));
    /* Refused in time, so not remembered: the right record still links. */
    expect_accept(&c, h, 2, h1, h2, T0 + 1);
    gc_chains_release(&c);
}

static void test_check_loaded_head(void **state)
{
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], text[512], hex[2 * GC_SHA256_LEN + 1];
    uint8_t h7[GC_SHA256_LEN], h8[GC_SHA256_LEN], other[GC_SHA256_LEN];
    struct gc_chains c;
    struct gc_chain_head *h;
    struct gc_fail f;

    hash_of("a7", h7);
    hash_of("a8", h8);
    hash_of("forged", other);
    gc_hex_encode(h7, GC_SHA256_LEN, hex);
    snprintf(text, sizeof(text),
             "{\"device\":\"meter-1\",\"hash\":\"%s\",\"seq\":7,\"ts\":\"2026-11-01T10:00:00Z\","
             "\"type\":\"chain.head\",\"v\":1}\n",
             hex);
    gc_test_path_in(path, dir, "chains.ndjson");
    gc_test_write_file(path, text, strlen(text));

    gc_chains_init(&c);
    gc_chains_load(&c, path);
    assert_false(c.dirty);
    assert_int_equal(c.heads.n, 1);
    h = gc_chains_head(&c, "meter-1");
    assert_int_equal(h->seq, 7);
    assert_memory_equal(h->hash, h7, GC_SHA256_LEN);
    assert_int_equal(h->ts, T0);
    assert_int_equal(h->n_seen, 1); /* the loaded head counts as seen */

    /* The head itself comes again: the same hash is a replay, another one a fork. */
    expect_refuse_keep(&c, h, 7, other, h7, T0, "duplicate", &f);
    expect_refuse_keep(&c, h, 7, other, other, T0, "equivocation", &f);
    assert_non_null(strstr(f.detail, hex));
    /* Behind the loaded head nothing is known: stale. */
    expect_refuse_keep(&c, h, 6, other, other, T0 - 1, "stale", &f);
    expect_refuse_keep(&c, h, 1, zeros, other, T0 - 1, "stale", &f);
    /* The next link must be later than the head's ts. */
    expect_refuse_keep(&c, h, 8, h7, h8, T0, "stale", &f);
    assert_false(c.dirty);
    expect_accept(&c, h, 8, h7, h8, T0 + 1);
    assert_true(c.dirty);
    expect_refuse_keep(&c, h, 8, h7, h8, T0 + 1, "duplicate", &f);
    /* The loaded head, once passed, is still known: replaying it is a duplicate. */
    memset(&f, 0, sizeof(f));
    assert_false(gc_chain_check(&c, h, 7, other, h7, T0, &f));
    assert_string_equal(f.reason, "duplicate");
    assert_int_equal(h->seq, 8);
    assert_memory_equal(h->hash, h8, GC_SHA256_LEN);
    gc_chains_release(&c);
}

/* --- state file --------------------------------------------------------------------------- */

static void expect_line(struct gc_buf *b, const char *device, const uint8_t hash[GC_SHA256_LEN],
                        long long seq, const char *ts)
{
    char hex[2 * GC_SHA256_LEN + 1];

    gc_hex_encode(hash, GC_SHA256_LEN, hex);
    gc_buf_addf(b,
                "{\"device\":\"%s\",\"hash\":\"%s\",\"seq\":%lld,\"ts\":\"%s\","
                "\"type\":\"chain.head\",\"v\":1}\n",
                device, hex, seq, ts);
}

static void test_save_load_round_trip(void **state)
{
    static const char *const devices[] = {"zeta", "alpha", "m-1", "m.0", "m_2", "9-lives"};
    static const char *const sorted[] = {"9-lives", "alpha", "m-1", "m.0", "m_2", "zeta"};
    const size_t n_dev = sizeof(devices) / sizeof(devices[0]);
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], path2[GC_TEST_PATH_CAP], *text, *text2, name[16];
    struct gc_buf want = GC_BUF_INIT;
    struct gc_chains c, back;
    uint8_t hash[GC_SHA256_LEN];

    gc_test_path_in(path, dir, "chains.ndjson");
    gc_test_path_in(path2, dir, "chains2.ndjson");
    gc_chains_init(&c);
    for (size_t i = 0; i < n_dev; i++) {
        struct gc_chain_head *h = gc_chains_head(&c, devices[i]);

        hash_of(devices[i], hash);
        gc_chain_advance(&c, h, (int64_t)i + 1, hash, T0 + (int64_t)i);
    }
    /* 2^53 + 1: seqs are written exactly, not through a double. */
    hash_of("big", hash);
    gc_chain_advance(&c, gc_chains_head(&c, "big"), 9007199254740993LL, hash, GC_TIME_MAX);
    /* Looked up, never advanced: not saved. */
    gc_chains_head(&c, "unused");
    /* Many devices, to spread them over the table. */
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "n%02d", i);
        hash_of(name, hash);
        gc_chain_advance(&c, gc_chains_head(&c, name), 1, hash, GC_TIME_MIN);
    }
    gc_test_write_file(path, "old content\n", strlen("old content\n"));
    gc_chains_save(&c, path, NULL);

    /* Exactly the canonical lines, in strcmp order of device. */
    for (size_t i = 0; i < n_dev; i++) {
        char ts[GC_TIME_LEN + 1];
        size_t j = 0;

        if (i == 2) {
            hash_of("big", hash);
            expect_line(&want, "big", hash, 9007199254740993LL, "9999-12-31T23:59:59Z");
        }
        if (i == 5) {
            for (int k = 0; k < 40; k++) {
                snprintf(name, sizeof(name), "n%02d", k);
                hash_of(name, hash);
                expect_line(&want, name, hash, 1, "0001-01-01T00:00:00Z");
            }
        }
        while (strcmp(devices[j], sorted[i]) != 0)
            j++;
        hash_of(sorted[i], hash);
        gc_time_format(T0 + (int64_t)j, ts);
        expect_line(&want, sorted[i], hash, (long long)j + 1, ts);
    }
    text = gc_test_read_file(path, NULL);
    assert_string_equal(text, want.ptr);
    assert_int_equal(gc_test_count_entries(dir, NULL), 1); /* no temporary file left */

    /* Load: the same heads, not dirty; saving them again gives the same bytes. */
    gc_chains_init(&back);
    gc_chains_load(&back, path);
    assert_false(back.dirty);
    assert_int_equal(back.heads.n, c.heads.n - 1);
    assert_null(gc_map_get(&back.heads, "unused"));
    for (size_t i = 0; i < c.heads.cap; i++) {
        const struct gc_chain_head *h = c.heads.slots[i].value, *g;

        if (h == NULL || h->seq == 0)
            continue;
        g = gc_map_get(&back.heads, h->device);
        assert_non_null(g);
        assert_string_equal(g->device, h->device);
        assert_int_equal(g->seq, h->seq);
        assert_memory_equal(g->hash, h->hash, GC_SHA256_LEN);
        assert_int_equal(g->ts, h->ts);
    }
    gc_chains_save(&back, path2, NULL);
    text2 = gc_test_read_file(path2, NULL);
    assert_string_equal(text2, text);

    free(text);
    free(text2);
    gc_buf_release(&want);
    gc_chains_release(&back);
    gc_chains_release(&c);
}

static void test_save_empty(void **state)
{
    char path[GC_TEST_PATH_CAP], *text;
    struct gc_chains c;

    gc_test_path_in(path, *state, "chains.ndjson");
    gc_test_write_file(path, "old\n", strlen("old\n"));
    gc_chains_init(&c);
    gc_chains_head(&c, "unused");
    gc_chains_save(&c, path, NULL);
    text = gc_test_read_file(path, NULL);
    assert_string_equal(text, "");
    free(text);
    gc_chains_release(&c);

    /* An empty state file loads as no heads. */
    gc_chains_init(&c);
    gc_chains_load(&c, path);
    assert_int_equal(c.heads.n, 0);
    assert_false(c.dirty);
    gc_chains_release(&c);
}

static void test_load_missing(void **state)
{
    char path[GC_TEST_PATH_CAP];
    struct gc_chains c;
    struct stat st;

    gc_test_path_in(path, *state, "no-such.ndjson");
    gc_chains_init(&c);
    gc_chains_load(&c, path);
    assert_int_equal(c.heads.n, 0);
    assert_false(c.dirty);
    assert_int_equal(gc_chains_head(&c, "meter-1")->seq, 0);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(errno, ENOENT);
    gc_chains_release(&c);
}

static void child_load(const void *path)
{
    struct gc_chains c;

    gc_chains_init(&c);
    gc_chains_load(&c, path);
    gc_chains_release(&c);
}

#define HASH_A "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"
#define HEAD(dev, hash, seq, ts)                                                                   \
    "{\"device\":\"" dev "\",\"hash\":\"" hash "\",\"seq\":" seq ",\"ts\":\"" ts                   \
    "\",\"type\":\"chain.head\",\"v\":1}"
#define GOOD HEAD("meter-1", HASH_A, "3", "2026-11-01T10:00:00Z")

static void test_load_malformed(void **state)
{
    static const struct {
        const char *what;
        const char *text;
        int line; /* the line the message must name */
    } bad[] = {
        {"not JSON", "chain heads\n", 1},
        {"an array", "[]\n", 1},
        {"truncated object", "{\"device\":\"meter-1\"\n", 1},
        {"wrong type",
         "{\"device\":\"meter-1\",\"hash\":\"" HASH_A "\",\"seq\":3,"
         "\"ts\":\"2026-11-01T10:00:00Z\",\"type\":\"chain.tail\",\"v\":1}\n",
         1},
        {"no type",
         "{\"device\":\"meter-1\",\"hash\":\"" HASH_A "\",\"seq\":3,"
         "\"ts\":\"2026-11-01T10:00:00Z\",\"v\":1}\n",
         1},
        {"version 2",
         "{\"device\":\"meter-1\",\"hash\":\"" HASH_A "\",\"seq\":3,"
         "\"ts\":\"2026-11-01T10:00:00Z\",\"type\":\"chain.head\",\"v\":2}\n",
         1},
        {"no hash",
         "{\"device\":\"meter-1\",\"seq\":3,\"ts\":\"2026-11-01T10:00:00Z\","
         "\"type\":\"chain.head\",\"v\":1}\n",
         1},
        {"uppercase hash",
         HEAD("meter-1", "A665A45920422F9D417E4867EFDC4FB8A04A1F3FFF1FA07E998E86F7F7A27AE3", "3",
              "2026-11-01T10:00:00Z") "\n",
         1},
        {"short hash", HEAD("meter-1", "a665a459", "3", "2026-11-01T10:00:00Z") "\n", 1},
        {"seq 0", HEAD("meter-1", HASH_A, "0", "2026-11-01T10:00:00Z") "\n", 1},
        {"negative seq", HEAD("meter-1", HASH_A, "-1", "2026-11-01T10:00:00Z") "\n", 1},
        {"seq as a string", HEAD("meter-1", HASH_A, "\"3\"", "2026-11-01T10:00:00Z") "\n", 1},
        {"seq as a real", HEAD("meter-1", HASH_A, "3.0", "2026-11-01T10:00:00Z") "\n", 1},
        {"ts with a space", HEAD("meter-1", HASH_A, "3", "2026-11-01 10:00:00Z") "\n", 1},
        {"ts with an offset", HEAD("meter-1", HASH_A, "3", "2026-11-01T10:00:00+00:00") "\n", 1},
        {"device not an id", HEAD("Meter-1", HASH_A, "3", "2026-11-01T10:00:00Z") "\n", 1},
        {"duplicate member",
         "{\"device\":\"meter-1\",\"device\":\"meter-2\",\"hash\":\"" HASH_A "\",\"seq\":3,"
         "\"ts\":\"2026-11-01T10:00:00Z\",\"type\":\"chain.head\",\"v\":1}\n",
         1},
        {"device twice", GOOD "\n" HEAD("meter-1", HASH_A, "4", "2026-11-01T11:00:00Z") "\n", 2},
        {"good line, then a bad one", GOOD "\n\n{\n", 3},
        {"invalid UTF-8", GOOD "\n\xff\xfe\n", 2},
    };
    char path[GC_TEST_PATH_CAP], err[GC_TEST_CHILD_ERR], needle[GC_TEST_PATH_CAP + 16];
    int got;

    gc_test_path_in(path, *state, "chains.ndjson");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gc_test_write_file(path, bad[i].text, strlen(bad[i].text));
        got = gc_test_run_child(child_load, path, err, sizeof(err));
        if (got != 65)
            fail_msg("%s: child exited %d, want 65; its stderr: %s", bad[i].what, got, err);
        snprintf(needle, sizeof(needle), "%s:%d:", path, bad[i].line);
        if (strstr(err, needle) == NULL)
            fail_msg("%s: stderr does not name '%s': %s", bad[i].what, needle, err);
    }
    /* The good line alone loads: each refusal above is its edit's. */
    gc_test_write_file(path, GOOD "\n", strlen(GOOD "\n"));
    got = gc_test_run_child(child_load, path, err, sizeof(err));
    if (got != 0)
        fail_msg("good file: child exited %d; its stderr: %s", got, err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_and_advance),
        cmocka_unit_test(test_check_first_links),
        cmocka_unit_test(test_check_seq1_nonzero_prev),
        cmocka_unit_test(test_check_window),
        cmocka_unit_test(test_check_gap_and_resync),
        cmocka_unit_test(test_check_duplicate_equivocation),
        cmocka_unit_test(test_check_stale_ts),
        GC_TEST_WITH_DIR(test_check_loaded_head),
        GC_TEST_WITH_DIR(test_save_load_round_trip),
        GC_TEST_WITH_DIR(test_save_empty),
        GC_TEST_WITH_DIR(test_load_missing),
        GC_TEST_WITH_DIR(test_load_malformed),
    };

    gc_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
