#include "gc_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_time.h"
#include "banned.h"

void gc_chains_init(struct gc_chains *c)
{
    memset(c, 0, sizeof(*c));
}

void gc_chains_release(struct gc_chains *c)
{
    for (size_t i = 0; i < c->heads.cap; i++) {
        struct gc_chain_head *h = c->heads.slots[i].value;

        if (h != NULL) {
            free(h->seen);
            free(h);
        }
    }
    gc_map_release(&c->heads);
}

struct gc_chain_head *gc_chains_head(struct gc_chains *c, const char *device)
{
    struct gc_chain_head *h = gc_map_get(&c->heads, device);

    if (h != NULL)
        return h;
    h = gc_xcalloc(1, sizeof(*h));
    snprintf(h->device, sizeof(h->device), "%s", device);
    h->ts = INT64_MIN;
    gc_map_put(&c->heads, h->device, h);
    return h;
}

bool gc_chain_next(const struct gc_chain_head *h, int64_t ts, int64_t *seq,
                   uint8_t prev[GC_SHA256_LEN], struct gc_fail *f)
{
    char head_ts[GC_TIME_LEN + 1];

    if (h->seq == INT64_MAX)
        return gc_fail(f, "stale", "the chain of '%s' is at the largest seq", h->device);
    if (h->seq > 0 && ts <= h->ts) {
        gc_time_format(h->ts, head_ts);
        return gc_fail(f, "stale",
                       "reading is not newer than the chain head of '%s' (seq %lld, %s)", h->device,
                       (long long)h->seq, head_ts);
    }
    *seq = h->seq + 1;
    memcpy(prev, h->hash, GC_SHA256_LEN);
    return true;
}

/* The I-th oldest of the seqs remembered. */
static struct gc_chain_seen *seen_at(const struct gc_chain_head *h, size_t i)
{
    return &h->seen[(h->seen_first + i) % GC_CHAIN_WINDOW];
}

/* Seqs only grow, so the ring stays sorted; when full, the oldest makes room. */
static void remember(struct gc_chain_head *h, int64_t seq, const uint8_t hash[GC_SHA256_LEN])
{
    struct gc_chain_seen *s;

    if (h->n_seen < GC_CHAIN_WINDOW) {
        h->seen = gc_grow(h->seen, &h->cap_seen, h->n_seen + 1, sizeof(*h->seen), 16);
        s = &h->seen[h->n_seen++]; /* seen_first stays 0 until the ring is full */
    } else {
        s = &h->seen[h->seen_first];
        h->seen_first = (h->seen_first + 1) % GC_CHAIN_WINDOW;
    }
    s->seq = seq;
    memcpy(s->hash, hash, GC_SHA256_LEN);
}

void gc_chain_advance(struct gc_chains *c, struct gc_chain_head *h, int64_t seq,
                      const uint8_t hash[GC_SHA256_LEN], int64_t ts)
{
    h->seq = seq;
    memcpy(h->hash, hash, GC_SHA256_LEN);
    h->ts = ts;
    c->dirty = true;
}

/* The hash remembered for SEQ, or NULL. Seen seqs only grow, so bisect. */
static const uint8_t *seen_hash(const struct gc_chain_head *h, int64_t seq)
{
    size_t lo = 0, hi = h->n_seen;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (seen_at(h, mid)->seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < h->n_seen && seen_at(h, lo)->seq == seq ? seen_at(h, lo)->hash : NULL;
}

bool gc_chain_check(struct gc_chains *c, struct gc_chain_head *h, int64_t seq,
                    const uint8_t prev[GC_SHA256_LEN], const uint8_t hash[GC_SHA256_LEN],
                    int64_t ts, struct gc_fail *f)
{
    char hex[2 * GC_SHA256_LEN + 1];
    const uint8_t *known;

    if (seq <= h->seq) {
        known = seen_hash(h, seq);
        if (known == NULL && seq == h->seq)
            known = h->hash; /* the head carried over from the state file */
        if (known == NULL)
            return gc_fail(f, "stale", "seq %lld is behind the chain head of '%s' (seq %lld)",
                           (long long)seq, h->device, (long long)h->seq);
        if (memcmp(known, hash, GC_SHA256_LEN) == 0)
            return gc_fail(f, "duplicate", "seq %lld of '%s' was already accepted", (long long)seq,
                           h->device);
        gc_hex_encode(known, GC_SHA256_LEN, hex);
        return gc_fail(f, "equivocation", "seq %lld of '%s' was already accepted as %s",
                       (long long)seq, h->device, hex);
    }
    if (seq == h->seq + 1 && memcmp(prev, h->hash, GC_SHA256_LEN) == 0) {
        if (h->seq > 0 && ts <= h->ts)
            return gc_fail(f, "stale", "ts is not after that of seq %lld of '%s'",
                           (long long)h->seq, h->device);
        remember(h, seq, hash);
        gc_chain_advance(c, h, seq, hash, ts);
        return true;
    }
    if (seq == 1)
        gc_fail(f, "chain_gap", "seq 1 of '%s' must have a prev of 64 zeros", h->device);
    else if (seq == h->seq + 1)
        gc_fail(f, "chain_gap", "prev does not link to seq %lld of '%s'", (long long)h->seq,
                h->device);
    else if (h->seq == 0)
        gc_fail(f, "chain_gap", "the chain of '%s' starts at seq %lld, not 1", h->device,
                (long long)seq);
    else
        gc_fail(f, "chain_gap", "seq %lld of '%s' follows seq %lld", (long long)seq, h->device,
                (long long)h->seq);
    /* Resynchronise on the authentic record so one gap costs one reject. */
    remember(h, seq, hash);
    gc_chain_advance(c, h, seq, hash, ts);
    return false;
}

bool gc_chains_add_head(struct gc_chains *c, const json_t *rec, struct gc_fail *f)
{
    struct gc_chain_head *h;
    const char *device;
    int64_t v, seq, ts;
    uint8_t hash[GC_SHA256_LEN];

    if (!gc_field_const(rec, "type", "chain.head", f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id(rec, "device", &device, f) ||
        !gc_field_int(rec, "seq", 1, INT64_MAX, &seq, f) ||
        !gc_field_hex(rec, "hash", hash, sizeof(hash), f) || !gc_field_time(rec, "ts", &ts, f))
        return false;
    if (gc_map_get(&c->heads, device) != NULL)
        return gc_fail(f, "bad_field", "device '%s' appears twice", device);
    h = gc_chains_head(c, device);
    h->seq = seq;
    memcpy(h->hash, hash, sizeof(hash));
    h->ts = ts;
    /* Known as seen, so a replay of the head is a duplicate even after the head moves on. */
    remember(h, seq, hash);
    return true;
}

void gc_chains_format(const struct gc_chains *c, struct gc_buf *out)
{
    struct gc_chain_head **heads = (struct gc_chain_head **)gc_map_sorted_values(&c->heads);

    for (size_t i = 0; i < c->heads.n; i++) {
        const struct gc_chain_head *h = heads[i];
        char hex[2 * GC_SHA256_LEN + 1], ts[GC_TIME_LEN + 1];

        if (h->seq == 0)
            continue; /* looked up, never advanced */
        gc_hex_encode(h->hash, GC_SHA256_LEN, hex);
        gc_time_format(h->ts, ts);
        gc_buf_adds(out, "{\"device\":");
        gc_jcs_append_string(out, h->device, strlen(h->device));
        gc_buf_addf(
            out, ",\"hash\":\"%s\",\"seq\":%lld,\"ts\":\"%s\",\"type\":\"chain.head\",\"v\":1}\n",
            hex, (long long)h->seq, ts);
    }
    free(heads);
}
