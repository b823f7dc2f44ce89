/*
 * fuzz_ndjson — the NDJSON reader every program reads its input with: gc_reader (plain or
 * zstd, lines cut at --max-line-bytes), then what gc_filter does with each line: the UTF-8
 * check and gc_json_parse_object.
 *
 * The input is the file. Its first byte, when it is not a zstd magic, picks the line limit
 * (odd: 1..64 bytes, so long lines are cut; even: the default). Properties:
 *   - lines are numbered from 1 and their offsets add up: the next line starts at
 *     offset + total_len + 1, and all of them with their newlines make up the stream;
 *   - len <= the limit, len == total_len unless the line was cut, and the bytes are the
 *     stream's (plain input) — for zstd the lines concatenate to what ZSTD_decompressStream
 *     makes of the input;
 *   - a parsed line is an object whose canonical form parses back to the same canonical form.
 * A corrupt or truncated zstd stream exits 65 in the programs; the harness catches that exit
 * (anything else that exits is a crash).
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zstd.h>

#include "gc_json.h"
#include "banned.h"

/* A running checksum and length of a byte stream (FNV-1a, 64 bits). */
struct digest {
    uint64_t h, n;
};

static void digest_add(struct digest *d, const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ULL;
    d->n += n;
}

/* What a one-pass decompression makes of the input; false when zstd refuses it. */
static bool zstd_reference(const uint8_t *data, size_t size, struct digest *d)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    ZSTD_inBuffer in = {data, size, 0};
    uint8_t out_buf[1 << 16];
    size_t ret = 1;
    bool ok = true;

    FUZZ_CHECK(z != NULL, "out of memory");
    while (in.pos < in.size || ret != 0) {
        ZSTD_outBuffer out = {out_buf, sizeof(out_buf), 0};
        size_t before = in.pos;

        ret = ZSTD_decompressStream(z, &out, &in);
        if (ZSTD_isError(ret)) {
            ok = false;
            break;
        }
        digest_add(d, out_buf, out.pos);
        if (in.pos == before && out.pos == 0) {
            ok = ret == 0 && in.pos == in.size;
            break;
        }
    }
    ZSTD_freeDStream(z);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    bool zstd = size >= 4 && memcmp(data, magic, 4) == 0;
    size_t max_line = GC_MAX_LINE_DEFAULT;
    /* Static: the longjmp of a zstd error comes back past their changes. */
    static struct gc_reader r;
    static struct gc_buf lb, canon, again;
    struct digest got = {0xcbf29ce484222325ULL, 0}, want = {0xcbf29ce484222325ULL, 0};
    struct gc_line line;
    uint64_t next_offset = 0, next_no = 1;
    bool any_cut = false;
    char path[64];
    int fd;

    fuzz_init();
    if (!zstd && size > 0 && (data[0] & 1))
        max_line = 1 + (size_t)(data[0] >> 1) % 64;
    /* An anonymous file: gc_reader opens a path, and nothing touches the disk. */
    fd = memfd_create("fuzz_ndjson", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0, "memfd_create failed");
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size, "write to memfd failed");
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

    gc_reader_open(&r, path, max_line);
    FUZZ_CHECK(r.is_zstd == zstd, "zstd detection");
    if (setjmp(fuzz_exit_jmp) != 0) {
        /* A corrupt or truncated zstd stream: the programs stop with exit 65 here. */
        FUZZ_CHECK(zstd, "a plain stream made the reader exit");
        goto out;
    }
    fuzz_exit_armed = true;
    while (gc_reader_next(&r, &lb, &line)) {
        struct gc_fail f = {NULL, ""};
        json_t *v;

        FUZZ_CHECK(line.line_no == next_no, "line number %llu, expected %llu",
                   (unsigned long long)line.line_no, (unsigned long long)next_no);
        FUZZ_CHECK(line.offset == next_offset, "line %llu at offset %llu, expected %llu",
                   (unsigned long long)line.line_no, (unsigned long long)line.offset,
                   (unsigned long long)next_offset);
        FUZZ_CHECK(line.len <= max_line, "line longer than the limit");
        FUZZ_CHECK(line.len == line.total_len ||
                       (line.len == max_line && line.total_len > max_line),
                   "len %zu, total_len %llu", line.len, (unsigned long long)line.total_len);
        FUZZ_CHECK(memchr(line.bytes, '\n', line.len) == NULL, "a line holds a newline");
        if (!zstd) {
            FUZZ_CHECK(line.offset + line.total_len <= size, "line past the end");
            FUZZ_CHECK(memcmp(line.bytes, data + line.offset, line.len) == 0,
                       "line bytes differ from the input");
            FUZZ_CHECK(line.offset + line.total_len == size ||
                           data[line.offset + line.total_len] == '\n',
                       "line does not end at a newline");
        }
        any_cut |= line.len != line.total_len;
        next_no++;
        next_offset = line.offset + line.total_len + 1;
        digest_add(&got, line.bytes, line.len);
        digest_add(&got, "\n", 1);

        /* What gc_filter does with it. */
        if (line.len != line.total_len)
            continue;
        v = fuzz_parse_record(line.bytes, line.len, &f);
        if (v == NULL) {
            fuzz_check_fail(&f);
            continue;
        }
        FUZZ_CHECK(json_is_object(v), "parsed line is not an object");
        gc_buf_reset(&canon);
        gc_jcs_append(&canon, v);
        json_decref(v);
        v = gc_json_parse_object(canon.ptr, canon.len, &f);
        FUZZ_CHECK(v != NULL, "canonical form does not parse: %s: %s", f.reason, f.detail);
        gc_buf_reset(&again);
        gc_jcs_append(&again, v);
        json_decref(v);
        FUZZ_CHECK(again.len == canon.len && memcmp(again.ptr, canon.ptr, canon.len) == 0,
                   "canonical form is not stable");
    }
    fuzz_exit_armed = false;
    /* Every byte is in a line; a last line without '\n' was counted with one. */
    if (zstd) {
        bool ok = zstd_reference(data, size, &want);

        if (ok && !any_cut && want.n > 0) {
            bool ends_nl;

            FUZZ_CHECK(got.n == want.n + 1 || got.n == want.n, "zstd: %llu bytes, expected %llu",
                       (unsigned long long)got.n, (unsigned long long)want.n);
            ends_nl = got.n == want.n;
            if (ends_nl)
                FUZZ_CHECK(got.h == want.h, "zstd: lines differ from the decompressed stream");
        }
    } else {
        FUZZ_CHECK(next_offset == size || next_offset == size + 1, "lines cover %llu of %zu bytes",
                   (unsigned long long)next_offset, size);
    }
out:
    fuzz_exit_armed = false;
    gc_reader_close(&r);
    close(fd);
    gc_buf_release(&lb);
    gc_buf_release(&canon);
    gc_buf_release(&again);
    return 0;
}
