/*
 * fuzz_ledger — the settlement ledger of gc-settle (gc_ledger_open, _append, _commit, _close):
 * a ledger file and its head file read, checked and cut, records appended and read back, an
 * edited ledger caught.
 *
 * The input is four option bytes, then a body. Byte 0, bit 0: the body's lines are records
 * appended (gc_ledger_append, a blank line commits the batch before it) to a new ledger, else
 * the body is the ledger file itself; bit 1 (a file): the body up to its first NUL is the
 * ledger, the rest its head file; bits 2-3: how many records are appended after a successful
 * open. Bytes 1-2 (big endian) and 3: a byte of the ledger at that offset (modulo its length)
 * is XORed with byte 3 at the end, when byte 3 is not 0. Properties (gc-settle(1), THE LEDGER):
 *   - a refusal has a reason, "chain_break"; a refused ledger is left as it was, but for a torn
 *     last line cut off;
 *   - a ledger that opens is its records' canonical lines, each valid UTF-8, then only a torn
 *     last line without a newline, which is cut off the file (torn_bytes); seq counts from 1,
 *     each prev is the SHA-256 of the line before (ledger records carry no "sig", so the
 *     record hash is that of the line, as gc-settle deliver sends it), the head that of the
 *     last; every key is found and no two records share one; the head file written names the
 *     same seq and hash; a head file given that the open accepted names one of the records;
 *   - records appended and committed are there, chained, when the ledger is opened again, and
 *     nothing else changed;
 *   - any one byte of a committed ledger changed makes it refused on opening.
 * The files live in a scratch directory (fuzz_scratch_dir).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gc_crypto.h"
#include "gc_hex.h"
#include "gc_json.h"
#include "gc_ledger.h"
#include "banned.h"

#define MAX_LINES 64
#define HEX_LEN   (2 * GC_SHA256_LEN + 1)

struct run {
    const char *path;
    char head_path[4200];
    struct gc_ledger l;
    size_t n_appended;
    struct gc_buf text, head, line;
};

static void sha256_of(const char *p, size_t len, uint8_t out[GC_SHA256_LEN])
{
    gc_sha256(p, len, out);
}

/* The open ledger L is exactly TEXT (the file), chained as gc-settle(1) says. */
static void check_open(struct run *run, const char *text, size_t len)
{
    struct gc_ledger *l = &run->l;
    uint8_t prev[GC_SHA256_LEN] = {0};
    struct gc_buf head = GC_BUF_INIT;
    char hex[HEX_LEN];
    size_t at = 0;

    FUZZ_CHECK(l->n == l->n_committed && (int64_t)l->n == l->seq,
               "%zu records, %zu committed, seq %lld", l->n, l->n_committed, (long long)l->seq);
    for (size_t i = 0; i < l->n; i++) {
        const json_t *rec = l->records[i];
        const char *key = json_string_value(json_object_get(rec, "key"));
        const char *nl = memchr(text + at, '\n', len - at);
        json_t *back;
        size_t n;

        FUZZ_CHECK(nl != NULL, "record %zu of %zu is not a line of the file", i + 1, l->n);
        n = (size_t)(nl - (text + at));
        back = fuzz_check_record(text + at, n, "ledger line");
        FUZZ_CHECK(json_equal(back, rec), "line %zu is not the record kept", i + 1);
        json_decref(back);
        FUZZ_CHECK(json_integer_value(json_object_get(rec, "seq")) == (json_int_t)i + 1,
                   "line %zu has seq %lld", i + 1,
                   (long long)json_integer_value(json_object_get(rec, "seq")));
        gc_hex_encode(prev, GC_SHA256_LEN, hex);
        FUZZ_CHECK(json_is_string(json_object_get(rec, "prev")) &&
                       strcmp(json_string_value(json_object_get(rec, "prev")), hex) == 0,
                   "line %zu does not link to the SHA-256 of the line before", i + 1);
        FUZZ_CHECK(key != NULL && gc_ledger_find(l, key) == rec, "line %zu: key not found", i + 1);
        sha256_of(text + at, n, prev);
        at += n + 1;
    }
    FUZZ_CHECK(at == len, "%zu bytes after the last record", len - at);
    FUZZ_CHECK(memcmp(prev, l->head, GC_SHA256_LEN) == 0,
               "the head is not the SHA-256 of the last line");
    /* The head file, rewritten by every open of a ledger with records. */
    if (l->n > 0) {
        FUZZ_CHECK(fuzz_read_file(run->head_path, &head), "no head file");
        gc_hex_encode(l->head, GC_SHA256_LEN, hex);
        gc_buf_reset(&run->line);
        gc_buf_addf(&run->line, "{\"hash\":\"%s\",\"seq\":%lld,\"type\":\"ledger.head\",\"v\":1}\n",
                    hex, (long long)l->seq);
        FUZZ_CHECK(head.len == run->line.len && memcmp(head.ptr, run->line.ptr, head.len) == 0,
                   "head file: %s", head.ptr);
    }
    gc_buf_release(&head);
}

/* A head file HEAD[0..LEN) the open accepted names a record of the ledger, or seq 0. */
static void check_head_taken(struct run *run, const char *head, size_t len)
{
    json_t *h = json_loadb(head, len, JSON_REJECT_DUPLICATES, NULL);
    const json_t *seq = json_object_get(h, "seq"), *hash = json_object_get(h, "hash");
    uint8_t want[GC_SHA256_LEN] = {0};
    char hex[HEX_LEN];
    struct gc_buf *line = &run->line;

    if (json_is_integer(seq) && json_is_string(hash)) {
        json_int_t s = json_integer_value(seq);

        FUZZ_CHECK(s >= 0 && s <= run->l.seq, "a head of seq %lld for a ledger of %lld",
                   (long long)s, (long long)run->l.seq);
        if (s > 0) {
            gc_buf_reset(line);
            gc_jcs_append(line, run->l.records[s - 1]);
            sha256_of(line->ptr, line->len, want);
        }
        gc_hex_encode(want, GC_SHA256_LEN, hex);
        FUZZ_CHECK(strcasecmp(json_string_value(hash), hex) == 0,
                   "a head file of seq %lld names another hash", (long long)s);
    }
    json_decref(h);
}

static bool ledger_open(struct run *run, struct gc_fail *f)
{
    f->reason = NULL;
    if (gc_ledger_open(&run->l, run->path, f))
        return true;
    fuzz_check_fail(f);
    FUZZ_CHECK(strcmp(f->reason, "chain_break") == 0, "refused as %s: %s", f->reason, f->detail);
    gc_ledger_close(&run->l);
    return false;
}

/* Build mode: each line of the body a record appended; a blank line commits. */
static bool append_line(const struct gc_line *line, void *ctx)
{
    struct run *run = ctx;
    struct gc_fail f = {NULL, ""};
    uint8_t hash[GC_SHA256_LEN], head[GC_SHA256_LEN];
    char hex[HEX_LEN], key[32];
    const json_t *kept;
    json_t *rec;

    if (line->len == 0) {
        gc_ledger_commit(&run->l);
        return true;
    }
    rec = fuzz_parse_record(line->bytes, line->len, &f);
    if (rec == NULL)
        return true;
    /* The contract of gc_ledger_append: a key of its own, no "sig" (gc-settle makes none). */
    json_object_del(rec, "sig");
    if (!json_is_string(json_object_get(rec, "key"))) {
        snprintf(key, sizeof(key), "fuzz:%llu", (unsigned long long)line->line_no);
        gc_json_set(rec, "key", json_string(key));
    }
    if (gc_ledger_find(&run->l, json_string_value(json_object_get(rec, "key"))) != NULL) {
        json_decref(rec);
        return true;
    }
    memcpy(head, run->l.head, GC_SHA256_LEN);
    kept = gc_ledger_append(&run->l, rec, hash);
    run->n_appended++;
    gc_hex_encode(head, GC_SHA256_LEN, hex);
    FUZZ_CHECK(json_integer_value(json_object_get(kept, "seq")) == run->l.seq &&
                   strcmp(json_string_value(json_object_get(kept, "prev")), hex) == 0,
               "an appended record is not linked to the head");
    FUZZ_CHECK(memcmp(hash, run->l.head, GC_SHA256_LEN) == 0, "the hash given is not the head");
    json_decref(rec);
    return true;
}

/* Appends N records of keys no record has, commits, and reads the ledger back. */
static void append_more(struct run *run, unsigned n)
{
    struct gc_fail f = {NULL, ""};
    int64_t seq = run->l.seq;
    struct gc_buf before = GC_BUF_INIT;

    FUZZ_CHECK(fuzz_read_file(run->path, &before), "the ledger is gone");
    for (unsigned i = 0; i < n; i++) {
        char key[32];
        json_t *rec;

        snprintf(key, sizeof(key), "fuzz:more:%lld", (long long)seq + i);
        if (gc_ledger_find(&run->l, key) != NULL)
            continue;
        rec = json_pack("{s:s, s:i, s:s, s:I}", "type", "fuzz", "v", 1, "key", key, "amount_micros",
                        (json_int_t)i);
        gc_ledger_append(&run->l, rec, NULL);
        json_decref(rec);
    }
    gc_ledger_commit(&run->l);
    seq = run->l.seq;
    gc_ledger_close(&run->l);
    FUZZ_CHECK(ledger_open(run, &f), "a ledger appended to does not open again: %s", f.detail);
    FUZZ_CHECK(run->l.seq == seq && run->l.torn_bytes == 0, "seq %lld after appending up to %lld",
               (long long)run->l.seq, (long long)seq);
    FUZZ_CHECK(fuzz_read_file(run->path, &run->text), "the ledger is gone");
    FUZZ_CHECK(run->text.len >= before.len && memcmp(run->text.ptr, before.ptr, before.len) == 0,
               "appending changed what was there");
    check_open(run, run->text.ptr, run->text.len);
    gc_buf_release(&before);
}

/* Changes one byte of the closed ledger: opening must then fail. */
static void tamper(struct run *run, size_t pos, uint8_t mask)
{
    struct gc_fail f = {NULL, ""};

    FUZZ_CHECK(fuzz_read_file(run->path, &run->text), "the ledger is gone");
    if (run->text.len == 0 || mask == 0)
        return;
    pos %= run->text.len;
    run->text.ptr[pos] ^= (char)mask;
    fuzz_write_file(run->path, run->text.ptr, run->text.len);
    if (ledger_open(run, &f)) {
        run->text.ptr[pos] ^= (char)mask;
        FUZZ_CHECK(false, "a ledger with byte %zu changed (0x%02x to 0x%02x) opens:\n%s", pos,
                   (unsigned char)run->text.ptr[pos],
                   (unsigned char)(run->text.ptr[pos] ^ (char)mask), run->text.ptr);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run run;
    struct gc_fail f = {NULL, ""};
    const char *body, *nul;
    size_t body_len, ledger_len;
    bool ok;

    fuzz_init();
    if (size < 4)
        return 0;
    body = (const char *)data + 4;
    body_len = size - 4;
    if (run.path == NULL) {
        static char path[4096];

        snprintf(path, sizeof(path), "%s/ledger.ndjson", fuzz_scratch_dir("fuzz_ledger"));
        snprintf(run.head_path, sizeof(run.head_path), "%s.head", path);
        run.path = path;
    }
    unlink(run.path);
    unlink(run.head_path);
    run.n_appended = 0;

    if (data[0] & 1) {
        FUZZ_CHECK(ledger_open(&run, &f), "a new ledger is refused: %s", f.detail);
        fuzz_lines((const uint8_t *)body, body_len, MAX_LINES, append_line, &run);
        gc_ledger_commit(&run.l);
        FUZZ_CHECK(run.l.n == run.n_appended, "%zu appended, %zu kept", run.n_appended, run.l.n);
        gc_ledger_close(&run.l);
        FUZZ_CHECK(ledger_open(&run, &f), "a ledger built by appending is refused: %s", f.detail);
        FUZZ_CHECK(run.l.n == run.n_appended && run.l.torn_bytes == 0, "%zu of %zu records",
                   run.l.n, run.n_appended);
        FUZZ_CHECK(fuzz_read_file(run.path, &run.text), "the ledger is gone");
        check_open(&run, run.text.ptr, run.text.len);
    } else {
        nul = (data[0] & 2) ? memchr(body, '\0', body_len) : NULL;
        ledger_len = nul != NULL ? (size_t)(nul - body) : body_len;
        fuzz_write_file(run.path, body, ledger_len);
        if (nul != NULL)
            fuzz_write_file(run.head_path, nul + 1, body_len - ledger_len - 1);
        ok = ledger_open(&run, &f);
        FUZZ_CHECK(fuzz_read_file(run.path, &run.text), "the ledger is gone");
        /* What is left is the input, or the input without a torn last line. */
        FUZZ_CHECK(run.text.len <= ledger_len && memcmp(run.text.ptr, body, run.text.len) == 0 &&
                       memchr(body + run.text.len, '\n', ledger_len - run.text.len) == NULL &&
                       (run.text.len == ledger_len || run.text.len == 0 ||
                        run.text.ptr[run.text.len - 1] == '\n'),
                   "opening changed the ledger beyond cutting a torn line");
        if (!ok)
            return 0;
        FUZZ_CHECK(run.l.torn_bytes == ledger_len - run.text.len, "torn_bytes %llu, cut %zu",
                   (unsigned long long)run.l.torn_bytes, ledger_len - run.text.len);
        check_open(&run, run.text.ptr, run.text.len);
        if (nul != NULL)
            check_head_taken(&run, nul + 1, body_len - ledger_len - 1);
    }
    append_more(&run, (data[0] >> 2) & 3);
    gc_ledger_close(&run.l);
    tamper(&run, (size_t)data[1] << 8 | data[2], data[3]);
    gc_buf_release(&run.text);
    gc_buf_release(&run.head);
    gc_buf_release(&run.line);
    return 0;
}
