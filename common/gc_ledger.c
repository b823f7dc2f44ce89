#include "gc_ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "gc_hex.h"
#include "gc_io.h"
#include "gc_json.h"
#include "gc_signed.h"
#include "banned.h"

static void read_all(int fd, const char *path, struct gc_buf *out)
{
    for (;;) {
        ssize_t n;

        gc_buf_grow(out, 65536);
        n = read(fd, out->ptr + out->len, out->cap - out->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            gc_die_errno(GC_EX_IOERR, "cannot read '%s'", path);
        if (n == 0)
            return;
        out->len += (size_t)n;
    }
}

static void keep(struct gc_ledger *l, json_t *rec)
{
    l->records = gc_grow(l->records, &l->cap, l->n + 1, sizeof(*l->records), 256);
    l->records[l->n++] = rec;
    gc_map_put(&l->keys, json_string_value(json_object_get(rec, "key")), rec);
}

/* One committed line: canonical, linked to the head, with a new key. */
static bool take_line(struct gc_ledger *l, const char *line, size_t len, uint64_t line_no,
                      struct gc_buf *canon, struct gc_fail *f)
{
    uint8_t prev[GC_SHA256_LEN];
    const char *key;
    int64_t seq;
    json_t *rec = NULL;

    /*
     * The parser and the canonical writer take only valid UTF-8 (gc_json.h): an edited byte
     * must be caught here, not read past the end of a string by the writer.
     */
    if (!gc_utf8_valid(line, len)) {
        gc_fail(f, "chain_break", "the line is not valid UTF-8 (edited?)");
        goto broken;
    }
    rec = gc_json_parse_object(line, len, f);
    if (rec == NULL)
        goto broken;
    gc_buf_reset(canon);
    gc_jcs_append(canon, rec);
    if (canon->len != len || memcmp(canon->ptr, line, len) != 0) {
        gc_fail(f, "chain_break", "the line is not in canonical form (edited?)");
        goto broken;
    }
    /* Record hashes leave "sig" out (gc_signed_hash): one here could be edited unseen. */
    if (json_object_get(rec, "sig") != NULL) {
        gc_fail(f, "chain_break", "the record carries a 'sig', which no ledger record has");
        goto broken;
    }
    if (!gc_field_int(rec, "seq", 1, INT64_MAX, &seq, f) ||
        !gc_field_hex(rec, "prev", prev, sizeof(prev), f) ||
        !gc_field_str(rec, "key", &key, NULL, f))
        goto broken;
    if (seq != l->seq + 1 || memcmp(prev, l->head, GC_SHA256_LEN) != 0) {
        gc_fail(f, "chain_break", "seq %lld does not follow seq %lld (edited, reordered or cut?)",
                (long long)seq, (long long)l->seq);
        goto broken;
    }
    if (gc_map_get(&l->keys, key) != NULL) {
        gc_fail(f, "chain_break", "key '%s' is in the ledger twice", key);
        goto broken;
    }
    gc_signed_hash(rec, &l->msg, l->head);
    l->seq = seq;
    keep(l, rec);
    return true;
broken:
    json_decref(rec);
    {
        char detail[sizeof(f->detail)];

        snprintf(detail, sizeof(detail), "%s", f->detail);
        return gc_fail(f, "chain_break", "%s:%llu: %s", l->path, (unsigned long long)line_no,
                       detail);
    }
}

static char *head_path(const char *path)
{
    size_t n = strlen(path) + 6;
    char *p = gc_xmalloc(n);

    snprintf(p, n, "%s.head", path);
    return p;
}

/* Compares the ledger with the head its last commit wrote; a missing head file is new. */
static bool check_head(struct gc_ledger *l, struct gc_fail *f)
{
    char *hp = head_path(l->path);
    struct gc_buf text = GC_BUF_INIT;
    uint8_t hash[GC_SHA256_LEN], at[GC_SHA256_LEN];
    int64_t seq;
    json_t *rec = NULL;
    bool ok = true;
    int fd = open(hp, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT)
        goto done;
    if (fd < 0)
        gc_die_errno(GC_EX_IOERR, "cannot open '%s'", hp);
    read_all(fd, hp, &text);
    close(fd);
    while (text.len > 0 && text.ptr[text.len - 1] == '\n')
        text.len--;
    rec = gc_utf8_valid(text.ptr, text.len) ? gc_json_parse_object(text.ptr, text.len, f) : NULL;
    if (rec == NULL || !gc_field_int(rec, "seq", 0, INT64_MAX, &seq, f) ||
        !gc_field_hex(rec, "hash", hash, sizeof(hash), f)) {
        ok = gc_fail(f, "chain_break", "%s: not a ledger head", hp);
        goto done;
    }
    if (seq > l->seq) {
        ok = gc_fail(f, "chain_break",
                     "%s ends at seq %lld, its head file says %lld: records were "
                     "cut from the end",
                     l->path, (long long)l->seq, (long long)seq);
        goto done;
    }
    /* A crash after the append's fsync and before the head moved leaves it behind: fine. */
    if (seq > 0)
        gc_signed_hash(l->records[seq - 1], &l->msg, at);
    else
        memset(at, 0, sizeof(at));
    if (memcmp(at, hash, GC_SHA256_LEN) != 0)
        ok = gc_fail(f, "chain_break", "%s:%lld: the record is not the one committed (edited)",
                     l->path, (long long)seq);
done:
    json_decref(rec);
    gc_buf_release(&text);
    free(hp);
    return ok;
}

static void write_head(const struct gc_ledger *l)
{
    char *hp = head_path(l->path);
    char hex[2 * GC_SHA256_LEN + 1];
    struct gc_buf out = GC_BUF_INIT;

    gc_hex_encode(l->head, GC_SHA256_LEN, hex);
    gc_buf_addf(&out, "{\"hash\":\"%s\",\"seq\":%lld,\"type\":\"ledger.head\",\"v\":1}\n", hex,
                (long long)l->seq);
    gc_atomic_write(hp, out.ptr, out.len);
    gc_buf_release(&out);
    free(hp);
}

bool gc_ledger_open(struct gc_ledger *l, const char *path, struct gc_fail *f)
{
    struct gc_buf text = GC_BUF_INIT, canon = GC_BUF_INIT;
    size_t at = 0;
    uint64_t line_no = 0;
    bool ok = true;

    memset(l, 0, sizeof(*l));
    l->path = gc_xstrdup(path);
    l->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (l->fd < 0)
        gc_die_errno(GC_EX_IOERR, "cannot open ledger '%s'", path);
    if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK)
            gc_die_errno(GC_EX_IOERR, "cannot lock '%s'", path);
        ok = gc_fail(f, "busy", "'%s' is in use by another run; try again later", path);
        goto done;
    }
    read_all(l->fd, path, &text);
    while (ok && at < text.len) {
        const char *nl = memchr(text.ptr + at, '\n', text.len - at);

        if (nl == NULL)
            break;
        ok = take_line(l, text.ptr + at, (size_t)(nl - (text.ptr + at)), ++line_no, &canon, f);
        at = (size_t)(nl - text.ptr) + 1;
    }
    if (ok && at < text.len) {
        /* Half a line: the last write of a run that crashed. It was never committed. */
        l->torn_bytes = text.len - at;
        if (ftruncate(l->fd, (off_t)at) != 0 || fsync(l->fd) != 0)
            gc_die_errno(GC_EX_IOERR, "cannot cut the torn last line of '%s'", path);
    }
    l->n_committed = l->n;
    if (ok)
        ok = check_head(l, f);
    if (ok && l->n > 0)
        write_head(l);
done:
    gc_buf_release(&text);
    gc_buf_release(&canon);
    return ok;
}

const json_t *gc_ledger_find(const struct gc_ledger *l, const char *key)
{
    return gc_map_get(&l->keys, key);
}

const json_t *gc_ledger_append(struct gc_ledger *l, json_t *rec, uint8_t hash[GC_SHA256_LEN])
{
    const char *key = json_string_value(json_object_get(rec, "key"));
    json_t *copy;

    if (key == NULL || gc_map_get(&l->keys, key) != NULL)
        gc_die(GC_EX_SOFTWARE, "a ledger record needs a key the ledger does not have ('%s')",
               key ? key : "");
    if (json_object_get(rec, "sig") != NULL)
        gc_die(GC_EX_SOFTWARE, "a ledger record has no 'sig' ('%s')", key);
    copy = json_deep_copy(rec);
    if (copy == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    gc_json_set(copy, "seq", json_integer(l->seq + 1));
    gc_json_set(copy, "prev", gc_json_hex(l->head, GC_SHA256_LEN));
    gc_jcs_append(&l->pending, copy);
    gc_buf_addc(&l->pending, '\n');
    gc_signed_hash(copy, &l->msg, l->head);
    l->seq++;
    keep(l, copy);
    if (hash != NULL)
        memcpy(hash, l->head, GC_SHA256_LEN);
    return copy;
}

void gc_ledger_commit(struct gc_ledger *l)
{
    if (l->pending.len == 0)
        return;
    gc_write_all(l->fd, l->path, l->pending.ptr, l->pending.len);
    if (fsync(l->fd) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot fsync '%s'", l->path);
    gc_buf_reset(&l->pending);
    l->n_committed = l->n;
    write_head(l);
}

void gc_ledger_close(struct gc_ledger *l)
{
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->records[i]);
    free(l->records);
    gc_map_release(&l->keys);
    gc_buf_release(&l->pending);
    gc_buf_release(&l->msg);
    if (l->fd >= 0)
        close(l->fd);
    free(l->path);
    memset(l, 0, sizeof(*l));
    l->fd = -1;
}
