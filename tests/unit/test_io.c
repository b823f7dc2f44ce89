/*
 * Unit tests for gc_io and gc_filter. The reader is checked line by line (number, offset, kept
 * and real length, bytes) against a plain reference splitter over files, a trickling pipe on
 * standard input and zstd streams, including lines across its 256 KiB buffers and every way a
 * zstd stream can be broken. The writer must keep PATH untouched until commit, leave no
 * temporary file behind, and write zstd that libzstd decompresses. gc_lock_state is raced by
 * two children, and gc_filter's reject records are parsed back field by field. Anything that
 * exits the process runs in a forked child.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>
#include <zstd.h>

#include "gc_filter.h"
#include "gc_io.h"
#include "gc_json.h"
#include "gc_test.h"
#include "banned.h"

#define CHUNK (256u << 10) /* gc_io's read buffer, the boundary lines must cross */

/* --- helpers ------------------------------------------------------------------------------ */

static void expect_content(const char *path, const void *want, size_t want_len)
{
    size_t len;
    char *got = gc_test_read_file(path, &len);

    if (len != want_len || memcmp(got, want, len) != 0)
        fail_msg("'%s' holds %zu bytes, want %zu (or the bytes differ)", path, len, want_len);
    free(got);
}

/* The size of the one temporary file in DIR, which must be named after BASE. */
static off_t tmp_size(const char *dir, const char *base)
{
    char prefix[GC_TEST_PATH_CAP], path[GC_TEST_PATH_CAP];
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    off_t size = -1;
    int found = 0;

    assert_non_null(d);
    snprintf(prefix, sizeof(prefix), ".%s.tmp.", base);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        found++;
        gc_test_path_in(path, dir, e->d_name);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        size = st.st_size;
    }
    closedir(d);
    assert_int_equal(found, 1);
    return size;
}

static void expect_no_tmp(const char *dir)
{
    int n_tmp;

    gc_test_count_entries(dir, &n_tmp);
    assert_int_equal(n_tmp, 0);
}

/* xorshift64: reproducible pseudo-random content. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/*
 * N bytes of lines of 0..MAX_LEN printable bytes (some ending in "\r"), the last one without
 * '\n' when N says so. The caller frees.
 */
static char *gen_lines(size_t n, uint64_t seed, size_t max_len)
{
    char *d = malloc(n + 1);
    size_t pos = 0;

    assert_non_null(d);
    while (pos < n) {
        size_t len = (size_t)(rnd(&seed) % (max_len + 1));

        for (size_t i = 0; i < len && pos < n; i++)
            d[pos++] = (char)(' ' + rnd(&seed) % 95);
        if (pos < n && len % 7 == 3)
            d[pos - 1] = '\r'; /* len >= 3: the line's own last byte */
        if (pos < n)
            d[pos++] = '\n';
    }
    d[n] = '\0';
    return d;
}

/*
 * Reads every line of R and compares it with the reference split of DATA[0..N) at '\n': line
 * number, offset, kept length (at most MAX_LINE), real length and the kept bytes. Returns the
 * number of lines.
 */
static uint64_t check_lines(struct gc_reader *r, const char *data, size_t n, size_t max_line)
{
    struct gc_buf lb = GC_BUF_INIT;
    struct gc_line line;
    uint64_t no = 0;
    size_t pos = 0;

    while (gc_reader_next(r, &lb, &line)) {
        const char *nl;
        size_t total, kept;

        no++;
        if (pos >= n)
            fail_msg("line %llu at offset %llu after the end of the input", (unsigned long long)no,
                     (unsigned long long)line.offset);
        nl = memchr(data + pos, '\n', n - pos);
        total = nl != NULL ? (size_t)(nl - (data + pos)) : n - pos;
        kept = total < max_line ? total : max_line;
        if (line.line_no != no || line.offset != pos || line.total_len != total || line.len != kept)
            fail_msg("line %llu: got no %llu offset %llu len %zu total %llu, want offset %zu "
                     "len %zu total %zu",
                     (unsigned long long)no, (unsigned long long)line.line_no,
                     (unsigned long long)line.offset, line.len, (unsigned long long)line.total_len,
                     pos, kept, total);
        if (memcmp(line.bytes, data + pos, kept) != 0)
            fail_msg("line %llu: the bytes differ", (unsigned long long)no);
        pos += total + (nl != NULL);
    }
    if (pos != n)
        fail_msg("the lines end at offset %zu of %zu", pos, n);
    /* The end is sticky. */
    assert_false(gc_reader_next(r, &lb, &line));
    gc_buf_release(&lb);
    return no;
}

static uint64_t check_path(const char *path, const char *data, size_t n, size_t max_line)
{
    struct gc_reader r;
    uint64_t lines;

    gc_reader_open(&r, path, max_line);
    lines = check_lines(&r, data, n, max_line);
    gc_reader_close(&r);
    return lines;
}

/* Writes DATA to DIR/NAME plainly and reads it back. */
static uint64_t check_plain(const char *dir, const char *data, size_t n, size_t max_line)
{
    char path[GC_TEST_PATH_CAP];

    gc_test_path_in(path, dir, "plain.ndjson");
    gc_test_write_file(path, data, n);
    return check_path(path, data, n, max_line);
}

/* One zstd frame of DATA (checksummed if CHECKSUM) in a new buffer; *LEN its size. */
static uint8_t *zstd_frame(const void *data, size_t n, int checksum, size_t *len)
{
    size_t cap = ZSTD_compressBound(n);
    uint8_t *z = malloc(cap);
    ZSTD_CCtx *cc = ZSTD_createCCtx();

    assert_non_null(z);
    assert_non_null(cc);
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, checksum)));
    *len = ZSTD_compress2(cc, z, cap, data, n);
    assert_false(ZSTD_isError(*len));
    ZSTD_freeCCtx(cc);
    return z;
}

/* Compresses DATA into DIR/NAME and reads it back: the lines must be the plain ones. */
static uint64_t check_zstd(const char *dir, const char *data, size_t n, size_t max_line)
{
    char path[GC_TEST_PATH_CAP];
    size_t zlen;
    uint8_t *z = zstd_frame(data, n, 0, &zlen);
    struct gc_reader r;
    uint64_t lines;

    gc_test_path_in(path, dir, "input.ndjson.zst");
    gc_test_write_file(path, z, zlen);
    free(z);
    gc_reader_open(&r, path, max_line);
    assert_true(r.is_zstd);
    lines = check_lines(&r, data, n, max_line);
    gc_reader_close(&r);
    return lines;
}

/* A child that reads PATH to its end; dies if the input is refused. */
static void child_read_all(const void *arg)
{
    struct gc_buf lb = GC_BUF_INIT;
    struct gc_reader r;
    struct gc_line line;

    gc_reader_open(&r, arg, GC_MAX_LINE_DEFAULT);
    while (gc_reader_next(&r, &lb, &line))
        ;
    gc_reader_close(&r);
    gc_buf_release(&lb);
}

/* --- reader: plain files ------------------------------------------------------------------ */

static void test_reader_positions(void **state)
{
    static const char data[] = "{\"a\":1}\n"    /* 1 @ 0 */
                               "\n"             /* 2 @ 8, empty */
                               "bc\r\n"         /* 3 @ 9, CR kept */
                               "\r\n"           /* 4 @ 13 */
                               "  {\"b\":2}\n"  /* 5 @ 15 */
                               "\xc3\xa9\xff\n" /* 6 @ 25, bytes as they are */
                               "last";          /* 7 @ 29, no '\n' */
    static const struct {
        uint64_t offset;
        const char *bytes;
    } want[] = {{0, "{\"a\":1}"},     {8, ""},     {9, "bc\r"}, {13, "\r"}, {15, "  {\"b\":2}"},
                {25, "\xc3\xa9\xff"}, {29, "last"}};
    const size_t n = sizeof(data) - 1;
    struct gc_buf lb = GC_BUF_INIT;
    struct gc_reader r;
    struct gc_line line;
    char path[GC_TEST_PATH_CAP];

    gc_test_path_in(path, *state, "in.ndjson");
    gc_test_write_file(path, data, n);
    gc_reader_open(&r, path, GC_MAX_LINE_DEFAULT);
    assert_false(r.is_zstd);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_true(gc_reader_next(&r, &lb, &line));
        assert_int_equal(line.line_no, i + 1);
        assert_int_equal(line.offset, want[i].offset);
        assert_int_equal(line.len, strlen(want[i].bytes));
        assert_int_equal(line.total_len, strlen(want[i].bytes));
        assert_memory_equal(line.bytes, want[i].bytes, line.len);
    }
    assert_false(gc_reader_next(&r, &lb, &line));
    gc_reader_close(&r);
    gc_buf_release(&lb);

    assert_int_equal(check_plain(*state, data, n, GC_MAX_LINE_DEFAULT), 7);
    /* With a final '\n' there is no eighth, empty line. */
    assert_int_equal(check_plain(*state, "a\n\n", 3, GC_MAX_LINE_DEFAULT), 2);
}

static void test_reader_empty_and_tiny(void **state)
{
    const char *dir = *state;
    struct gc_buf lb = GC_BUF_INIT;
    struct gc_reader r;
    struct gc_line line;
    char path[GC_TEST_PATH_CAP];

    gc_test_path_in(path, dir, "empty");
    gc_test_write_file(path, "", 0);
    gc_reader_open(&r, path, GC_MAX_LINE_DEFAULT);
    assert_false(r.is_zstd);
    assert_false(gc_reader_next(&r, &lb, &line));
    assert_false(gc_reader_next(&r, &lb, &line));
    gc_reader_close(&r);
    gc_buf_release(&lb);

    /* Shorter than a magic number, even a prefix of zstd's, is plain text. */
    assert_int_equal(check_plain(dir, "\x28\xb5\x2f", 3, GC_MAX_LINE_DEFAULT), 1);
    assert_int_equal(check_plain(dir, "ab\n", 3, GC_MAX_LINE_DEFAULT), 1);
    assert_int_equal(check_plain(dir, "a", 1, GC_MAX_LINE_DEFAULT), 1);
    assert_int_equal(check_plain(dir, "\n", 1, GC_MAX_LINE_DEFAULT), 1);
    assert_int_equal(check_plain(dir, "\n\n\n", 3, GC_MAX_LINE_DEFAULT), 3);
    /* Three bytes of the magic and a fourth that is not. */
    assert_int_equal(check_plain(dir, "\x28\xb5\x2f\n", 4, GC_MAX_LINE_DEFAULT), 1);
    assert_int_equal(check_plain(dir, "\x28\xb5\x2f\xfe", 4, GC_MAX_LINE_DEFAULT), 1);
}

static void test_reader_missing(void **state)
{
    char path[GC_TEST_PATH_CAP];

    gc_test_path_in(path, *state, "no-such.ndjson");
    gc_test_expect_exit(child_read_all, path, 66, "no-such.ndjson", "open a missing file");
}

static void test_reader_long_lines(void **state)
{
    const char *dir = *state;
    char data[512];
    size_t n = 0;
    static const size_t lens[] = {5, 40, 16, 17, 15, 0, 100, 3, 33};
    struct gc_buf lb = GC_BUF_INIT;
    struct gc_reader r;
    struct gc_line line;
    char path[GC_TEST_PATH_CAP];

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (size_t j = 0; j < lens[i]; j++)
            data[n++] = (char)('a' + (i + j) % 26);
        if (i + 1 < sizeof(lens) / sizeof(lens[0]))
            data[n++] = '\n';
    }
    /* Explicitly for the first lines, then all of them against the reference. */
    gc_test_path_in(path, dir, "long.ndjson");
    gc_test_write_file(path, data, n);
    gc_reader_open(&r, path, 16);
    assert_true(gc_reader_next(&r, &lb, &line));
    assert_int_equal(line.len, 5);
    assert_true(gc_reader_next(&r, &lb, &line));
    assert_int_equal(line.line_no, 2);
    assert_int_equal(line.offset, 6);
    assert_int_equal(line.len, 16);
    assert_int_equal(line.total_len, 40);
    assert_memory_equal(line.bytes, data + 6, 16);
    assert_true(gc_reader_next(&r, &lb, &line));
    assert_int_equal(line.line_no, 3);
    assert_int_equal(line.offset, 47);
    assert_int_equal(line.len, 16);
    assert_int_equal(line.total_len, 16);
    gc_reader_close(&r);
    gc_buf_release(&lb);

    assert_int_equal(check_plain(dir, data, n, 16), 9);
    assert_int_equal(check_plain(dir, data, n, 1), 9);
    assert_int_equal(check_plain(dir, data, n, 100), 9);
    assert_int_equal(check_plain(dir, data, n, 99), 9);
}

/* A newline just before, on and just after each 256 KiB boundary, lines up to 300 bytes. */
static void test_reader_buffer_boundaries(void **state)
{
    const char *dir = *state;
    const size_t n = 3 * CHUNK + 1000;

    for (int shift = -3; shift <= 3; shift++) {
        char *data = gen_lines(n, 0x9e3779b97f4a7c15ull + (uint64_t)(shift + 3), 300);

        for (size_t b = CHUNK; b < n; b += CHUNK)
            data[(size_t)((long)b + shift)] = '\n';
        check_plain(dir, data, n, GC_MAX_LINE_DEFAULT);
        check_plain(dir, data, n, 64); /* overlong lines across the boundaries too */
        check_zstd(dir, data, n, GC_MAX_LINE_DEFAULT);
        check_zstd(dir, data, n, 64);
        free(data);
    }
}

/* A line longer than a whole buffer, spanning two boundaries, kept whole or cut. */
static void test_reader_huge_line(void **state)
{
    const char *dir = *state;
    const size_t n = 3 * CHUNK + 5000;
    char *data = gen_lines(n, 42, 80);

    /* One line from 1000 to 2 * CHUNK + 3000: no '\n' in between. */
    for (size_t i = 1000; i < 2 * CHUNK + 3000; i++)
        if (data[i] == '\n')
            data[i] = 'x';
    data[999] = '\n';
    data[2 * CHUNK + 3000] = '\n';
    check_plain(dir, data, n, GC_MAX_LINE_DEFAULT);
    check_plain(dir, data, n, 1000);
    check_plain(dir, data, n, CHUNK);
    check_plain(dir, data, n, CHUNK - 1000);
    check_plain(dir, data, n, CHUNK - 1001);
    check_zstd(dir, data, n, GC_MAX_LINE_DEFAULT);
    check_zstd(dir, data, n, CHUNK);

    /* The whole input one line without '\n', longer than a buffer. */
    for (size_t i = 0; i < n; i++)
        if (data[i] == '\n')
            data[i] = 'y';
    assert_int_equal(check_plain(dir, data, n, GC_MAX_LINE_DEFAULT), 1);
    assert_int_equal(check_plain(dir, data, n, 10), 1);
    assert_int_equal(check_zstd(dir, data, n, 10), 1);
    free(data);
}

/* --- reader: standard input from a pipe --------------------------------------------------- */

struct trickle {
    const uint8_t *data;
    size_t n;
    int fd;
};

/* Writes the first bytes one at a time with pauses, then pieces of varying size. */
static void trickle_write(const struct trickle *t)
{
    uint64_t seed = 7;
    size_t pos = 0;

    while (pos < t->n) {
        size_t piece = pos < 6 ? 1 : 1 + (size_t)(rnd(&seed) % 70000);
        ssize_t w;

        if (piece > t->n - pos)
            piece = t->n - pos;
        w = write(t->fd, t->data + pos, piece);
        if (w <= 0)
            _exit(1);
        pos += (size_t)w;
        if (pos < 6 || rnd(&seed) % 4 == 0)
            usleep(2000);
    }
}

/* Reads standard input, a pipe fed by a trickling child, and checks it is PLAIN's lines. */
static void check_stdin_pipe(const uint8_t *fed, size_t fed_len, const char *plain, size_t n,
                             bool zstd)
{
    struct trickle t = {fed, fed_len, -1};
    struct gc_reader r;
    int p[2], saved, status;
    pid_t pid;

    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        t.fd = p[1];
        trickle_write(&t);
        _exit(0);
    }
    close(p[1]);
    saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(p[0], STDIN_FILENO) == STDIN_FILENO);
    close(p[0]);

    gc_reader_open(&r, "-", GC_MAX_LINE_DEFAULT);
    assert_string_equal(r.name, "-");
    assert_int_equal(r.is_zstd, zstd);
    check_lines(&r, plain, n, GC_MAX_LINE_DEFAULT);
    gc_reader_close(&r);

    assert_true(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
    close(saved);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_reader_stdin_pipe(void **state)
{
    const size_t n = 2 * CHUNK + 777;
    char *data = gen_lines(n, 99, 500);
    uint8_t *z;
    size_t zlen;

    (void)state;
    check_stdin_pipe((const uint8_t *)data, n, data, n, false);
    z = zstd_frame(data, n, 1, &zlen);
    check_stdin_pipe(z, zlen, data, n, true);
    free(z);
    /* A pipe that closes before four bytes arrive. */
    check_stdin_pipe((const uint8_t *)"\x28\xb5\x2f", 3, "\x28\xb5\x2f", 3, false);
    check_stdin_pipe((const uint8_t *)"", 0, "", 0, false);
    free(data);
}

/* --- reader: zstd ------------------------------------------------------------------------- */

/* Compresses DATA with a flush after every PIECE bytes: blocks of odd sizes. */
static uint8_t *zstd_flushed(const char *data, size_t n, size_t piece, size_t *len)
{
    size_t cap = ZSTD_compressBound(n) + 64 * (n / piece + 1), pos = 0;
    uint8_t *z = malloc(cap);
    ZSTD_CCtx *cc = ZSTD_createCCtx();

    assert_non_null(z);
    assert_non_null(cc);
    *len = 0;
    do {
        size_t take = n - pos < piece ? n - pos : piece, left;
        ZSTD_EndDirective mode = pos + take == n ? ZSTD_e_end : ZSTD_e_flush;
        ZSTD_inBuffer in = {data + pos, take, 0};

        do {
            ZSTD_outBuffer out = {z + *len, cap - *len, 0};

            left = ZSTD_compressStream2(cc, &out, &in, mode);
            assert_false(ZSTD_isError(left));
            *len += out.pos;
        } while (left != 0 || in.pos < in.size);
        pos += take;
    } while (pos < n);
    ZSTD_freeCCtx(cc);
    return z;
}

static void test_reader_zstd(void **state)
{
    const char *dir = *state;
    static const char small[] = "{\"a\":1}\n\nbc\r\n\r\n  {\"b\":2}\n\xc3\xa9\xff\nlast";
    const size_t n = 2 * CHUNK + 4321;
    char *data = gen_lines(n, 5, 200);
    char path[GC_TEST_PATH_CAP];
    size_t zlen;
    uint8_t *z;

    assert_int_equal(check_zstd(dir, small, sizeof(small) - 1, GC_MAX_LINE_DEFAULT), 7);
    assert_int_equal(check_zstd(dir, "x", 1, GC_MAX_LINE_DEFAULT), 1);
    /* A frame of nothing holds no lines. */
    assert_int_equal(check_zstd(dir, "", 0, GC_MAX_LINE_DEFAULT), 0);

    /* Checksummed, and in blocks that do not fill the output buffer evenly. */
    gc_test_path_in(path, dir, "flushed.zst");
    z = zstd_frame(data, n, 1, &zlen);
    gc_test_write_file(path, z, zlen);
    free(z);
    check_path(path, data, n, GC_MAX_LINE_DEFAULT);
    for (size_t piece = 1000; piece <= 300000; piece *= 7) {
        z = zstd_flushed(data, n, piece, &zlen);
        gc_test_write_file(path, z, zlen);
        free(z);
        check_path(path, data, n, GC_MAX_LINE_DEFAULT);
        check_path(path, data, n, 50);
    }
    free(data);
}

/* Two frames, a line running from one into the next, and an empty frame in between. */
static void test_reader_zstd_concatenated(void **state)
{
    static const char a[] = "{\"a\":1}\n{\"b\":", b[] = "2}\n{\"c\":3}\n";
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], plain[64];
    size_t la, lb, le, lbig, n_big = CHUNK + 12345;
    uint8_t *za = zstd_frame(a, sizeof(a) - 1, 0, &la), *zb = zstd_frame(b, sizeof(b) - 1, 1, &lb);
    uint8_t *ze = zstd_frame("", 0, 0, &le), *cat;
    char *big = gen_lines(n_big, 11, 100), *all;
    uint8_t *zbig = zstd_frame(big, n_big, 0, &lbig);
    struct gc_buf line_buf = GC_BUF_INIT;
    struct gc_reader r;
    struct gc_line line;

    cat = malloc(la + le + lb + lbig);
    assert_non_null(cat);
    memcpy(cat, za, la);
    memcpy(cat + la, ze, le);
    memcpy(cat + la + le, zb, lb);
    gc_test_path_in(path, dir, "two.zst");
    gc_test_write_file(path, cat, la + le + lb);
    snprintf(plain, sizeof(plain), "%s%s", a, b);
    assert_int_equal(check_path(path, plain, strlen(plain), GC_MAX_LINE_DEFAULT), 3);

    /* Explicitly: the second line is whole though its bytes come from two frames. */
    gc_reader_open(&r, path, GC_MAX_LINE_DEFAULT);
    assert_true(gc_reader_next(&r, &line_buf, &line));
    assert_true(gc_reader_next(&r, &line_buf, &line));
    assert_int_equal(line.line_no, 2);
    assert_int_equal(line.offset, 8);
    assert_int_equal(line.len, 7);
    assert_memory_equal(line.bytes, "{\"b\":2}", 7);
    gc_reader_close(&r);
    gc_buf_release(&line_buf);

    /* A frame larger than the buffer after a small one. */
    memcpy(cat + la + le + lb, zbig, lbig);
    gc_test_write_file(path, cat, la + le + lb + lbig);
    all = malloc(strlen(plain) + n_big);
    assert_non_null(all);
    memcpy(all, plain, strlen(plain));
    memcpy(all + strlen(plain), big, n_big);
    check_path(path, all, strlen(plain) + n_big, GC_MAX_LINE_DEFAULT);

    free(all);
    free(cat);
    free(za);
    free(zb);
    free(ze);
    free(zbig);
    free(big);
}

static void test_reader_zstd_truncated(void **state)
{
    const char *dir = *state;
    const size_t n = CHUNK + 999;
    char *data = gen_lines(n, 3, 120);
    char path[GC_TEST_PATH_CAP], what[64];
    size_t zlen, zclen;
    uint8_t *z = zstd_frame(data, n, 0, &zlen), *zc = zstd_frame(data, n, 1, &zclen);
    const size_t cuts[] = {zlen - 1, zlen - 2, zlen - 3, zlen / 2, 20, 6, 5};

    gc_test_path_in(path, dir, "cut.zst");
    /* The whole frame reads; then every cut is refused, not taken for a short input. */
    gc_test_write_file(path, z, zlen);
    gc_test_expect_exit(child_read_all, path, 0, NULL, "whole frame");
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        gc_test_write_file(path, z, cuts[i]);
        snprintf(what, sizeof(what), "frame cut to %zu of %zu bytes", cuts[i], zlen);
        gc_test_expect_exit(child_read_all, path, 65, "truncated", what);
    }
    /* Only the checksum missing. */
    gc_test_write_file(path, zc, zclen - 4);
    gc_test_expect_exit(child_read_all, path, 65, "truncated", "checksum cut off");
    /* A whole frame followed by a cut one. */
    {
        uint8_t *two = malloc(2 * zlen);

        assert_non_null(two);
        memcpy(two, z, zlen);
        memcpy(two + zlen, z, zlen);
        gc_test_write_file(path, two, 2 * zlen - 7);
        gc_test_expect_exit(child_read_all, path, 65, "truncated", "second frame cut");
        free(two);
    }
    free(z);
    free(zc);
    free(data);
}

static void test_reader_zstd_short(void **state)
{
    static const uint8_t magic_plus[] = {0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x05, 0x29};
    char path[GC_TEST_PATH_CAP], what[64];

    gc_test_path_in(path, *state, "short.zst");
    for (size_t len = 4; len <= sizeof(magic_plus); len++) {
        gc_test_write_file(path, magic_plus, len);
        snprintf(what, sizeof(what), "the magic and %zu more bytes", len - 4);
        gc_test_expect_exit(child_read_all, path, 65, NULL, what);
    }
}

/* The size of the frame header at Z (RFC 8878 §3.1.1.1), the magic number included. */
static size_t frame_header_size(const uint8_t *z)
{
    static const size_t did_size[4] = {0, 1, 2, 4}, fcs_size[4] = {0, 2, 4, 8};
    unsigned fhd = z[4];
    bool single = fhd >> 5 & 1;
    size_t fcs = fcs_size[fhd >> 6];

    if (fcs == 0 && single)
        fcs = 1;
    return 4 + 1 + !single + did_size[fhd & 3] + fcs;
}

static void test_reader_zstd_corrupt(void **state)
{
    const char *dir = *state;
    const size_t n = CHUNK / 2;
    char *data = gen_lines(n, 17, 90);
    char path[GC_TEST_PATH_CAP];
    size_t zlen, hdr;
    uint8_t *z = zstd_frame(data, n, 1, &zlen), *bad = malloc(zlen + 8);

    assert_non_null(bad);
    gc_test_path_in(path, dir, "bad.zst");

    /* The first block's type set to the reserved value 3. */
    hdr = frame_header_size(z);
    assert_true(hdr < zlen);
    memcpy(bad, z, zlen);
    bad[hdr] |= 0x06;
    gc_test_write_file(path, bad, zlen);
    gc_test_expect_exit(child_read_all, path, 65, "corrupt", "reserved block type");

    /* A payload bit flipped: the content checksum no longer matches. */
    for (size_t at = hdr + 40; at < zlen - 4; at += (zlen - hdr) / 5) {
        memcpy(bad, z, zlen);
        bad[at] ^= 0x10;
        gc_test_write_file(path, bad, zlen);
        gc_test_expect_exit(child_read_all, path, 65, NULL, "flipped payload bit");
    }

    /* The checksum itself wrong. */
    memcpy(bad, z, zlen);
    bad[zlen - 1] ^= 1;
    gc_test_write_file(path, bad, zlen);
    gc_test_expect_exit(child_read_all, path, 65, "corrupt", "wrong checksum");

    /* Garbage after a good frame. */
    memcpy(bad, z, zlen);
    memcpy(bad + zlen, "garbage!", 8);
    gc_test_write_file(path, bad, zlen + 8);
    gc_test_expect_exit(child_read_all, path, 65, "corrupt", "trailing garbage");

    /* The magic followed by an invalid frame header. */
    memcpy(bad, "\x28\xb5\x2f\xfd\xff\xff\xff\xff\xff\xff\xff\xff", 12);
    gc_test_write_file(path, bad, 12);
    gc_test_expect_exit(child_read_all, path, 65, NULL, "bad frame header");

    free(bad);
    free(z);
    free(data);
}

/* --- writer ------------------------------------------------------------------------------- */

static char *gen_output(size_t n)
{
    return gen_lines(n, 1234, 150);
}

static void test_writer_commit_replaces(void **state)
{
    const char *dir = *state;
    const size_t n = 600000; /* several flushes to the temporary file before commit */
    char *data = gen_output(n);
    char path[GC_TEST_PATH_CAP], fresh[GC_TEST_PATH_CAP];
    struct gc_writer w;
    struct stat st;
    int n_tmp;

    gc_test_path_in(path, dir, "out.ndjson");
    gc_test_write_file(path, "old\n", 4);
    gc_writer_open(&w, path);
    assert_int_equal(tmp_size(dir, "out.ndjson"), 0);
    for (size_t pos = 0; pos < n; pos += 1000)
        gc_writer_write(&w, data + pos, n - pos < 1000 ? n - pos : 1000);
    /* Mid-way: the bytes went to the temporary file, the path is as it was. */
    expect_content(path, "old\n", 4);
    assert_true(tmp_size(dir, "out.ndjson") > 0);
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 2);
    gc_writer_commit(&w);
    expect_content(path, data, n);
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 1);
    assert_int_equal(n_tmp, 0);

    /* A path that did not exist does not exist until the commit. */
    gc_test_path_in(fresh, dir, "fresh.ndjson");
    gc_writer_open(&w, fresh);
    gc_writer_write(&w, "{}\n", 3);
    assert_int_equal(stat(fresh, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(tmp_size(dir, "fresh.ndjson"), 0);
    gc_writer_commit(&w);
    expect_content(fresh, "{}\n", 3);

    /* Nothing written: an empty file. */
    gc_writer_open(&w, fresh);
    gc_writer_commit(&w);
    expect_content(fresh, "", 0);
    expect_no_tmp(dir);
    free(data);
}

/* Decompresses a whole file of zstd frames; the caller frees. */
static char *zstd_unpack(const uint8_t *z, size_t zlen, size_t *len)
{
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    ZSTD_inBuffer in = {z, zlen, 0};
    size_t cap = 1 << 16, ret = 0;
    char *out = malloc(cap);

    assert_non_null(dc);
    assert_non_null(out);
    *len = 0;
    while (in.pos < in.size || ret != 0) {
        ZSTD_outBuffer ob;

        if (cap - *len < ZSTD_DStreamOutSize()) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        ob.dst = out + *len;
        ob.size = cap - *len;
        ob.pos = 0;
        ret = ZSTD_decompressStream(dc, &ob, &in);
        if (ZSTD_isError(ret))
            fail_msg("zstd: %s", ZSTD_getErrorName(ret));
        *len += ob.pos;
        if (in.pos == in.size && ob.pos == 0 && ret != 0)
            fail_msg("zstd: the stream is truncated");
    }
    ZSTD_freeDCtx(dc);
    return out;
}

static void expect_zstd_content(const char *path, const char *want, size_t n)
{
    size_t zlen, len;
    char *z = gc_test_read_file(path, &zlen), *plain;
    unsigned long long size;

    assert_true(zlen >= 4);
    assert_memory_equal(z, "\x28\xb5\x2f\xfd", 4);
    size = ZSTD_getFrameContentSize(z, zlen);
    assert_true(size != ZSTD_CONTENTSIZE_ERROR);
    assert_true(size == ZSTD_CONTENTSIZE_UNKNOWN || size <= n);
    plain = zstd_unpack((const uint8_t *)z, zlen, &len);
    if (len != n || memcmp(plain, want, n) != 0)
        fail_msg("'%s' decompresses to %zu bytes, want %zu (or the bytes differ)", path, len, n);
    free(plain);
    free(z);
}

static void test_writer_zstd(void **state)
{
    const char *dir = *state;
    const size_t n = 1100000;
    char *data = gen_output(n);
    char path[GC_TEST_PATH_CAP];
    struct gc_writer w;
    struct stat st;

    gc_test_path_in(path, dir, "out.ndjson.zst");
    gc_writer_open(&w, path);
    for (size_t pos = 0; pos < n; pos += 777)
        gc_writer_write(&w, data + pos, n - pos < 777 ? n - pos : 777);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_true(tmp_size(dir, "out.ndjson.zst") > 0);
    gc_writer_commit(&w);
    expect_no_tmp(dir);
    expect_zstd_content(path, data, n);
    /* The reader recognises it and gives back the same lines. */
    check_path(path, data, n, GC_MAX_LINE_DEFAULT);
    {
        size_t zlen;
        char *z = gc_test_read_file(path, &zlen);

        assert_true(zlen < n - n / 10); /* compressed, not stored */
        free(z);
    }

    /*
     * Just under the flush threshold of bytes that do not compress: the end of the frame
     * takes more than one output buffer at commit.
     */
    {
        const size_t m = 250000;
        uint8_t *noise = malloc(m);

        assert_non_null(noise);
        randombytes_buf(noise, m);
        gc_writer_open(&w, path);
        gc_writer_write(&w, noise, m);
        gc_writer_commit(&w);
        expect_zstd_content(path, (const char *)noise, m);
        free(noise);
    }

    /* A small output in one piece, and an empty one: still one valid frame. */
    gc_writer_open(&w, path);
    gc_writer_write(&w, "{\"a\":1}\n", 8);
    gc_writer_commit(&w);
    expect_zstd_content(path, "{\"a\":1}\n", 8);
    gc_writer_open(&w, path);
    gc_writer_commit(&w);
    expect_zstd_content(path, "", 0);
    assert_int_equal(check_path(path, "", 0, GC_MAX_LINE_DEFAULT), 0);
    expect_no_tmp(dir);
    free(data);
}

/* What a child writes before dying: to PATH, N bytes of DATA, then exit CODE without commit. */
struct die_arg {
    const char *path;
    const char *data;
    size_t n;
    int code;
};

static void child_write_then_die(const void *p)
{
    const struct die_arg *a = p;
    struct gc_writer w;

    gc_writer_open(&w, a->path);
    gc_writer_write(&w, a->data, a->n);
    if (a->code == 0)
        exit(0); /* a normal exit without commit throws the output away too */
    gc_die(a->code, "giving up before commit");
}

static void test_writer_exit_before_commit(void **state)
{
    static const char *const names[] = {"out.ndjson", "out.ndjson.zst"};
    const char *dir = *state;
    const size_t n = 700000;
    char *data = gen_output(n);
    char path[GC_TEST_PATH_CAP], fresh[GC_TEST_PATH_CAP];
    struct die_arg arg;
    struct stat st;
    int n_tmp;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        gc_test_path_in(path, dir, names[i]);
        gc_test_write_file(path, "old\n", 4);
        arg.path = path;
        arg.data = data;
        arg.n = n;
        arg.code = 74;
        gc_test_expect_exit(child_write_then_die, &arg, 74, "giving up", names[i]);
        expect_content(path, "old\n", 4);
        expect_no_tmp(dir);
        arg.code = 0;
        gc_test_expect_exit(child_write_then_die, &arg, 0, NULL, names[i]);
        expect_content(path, "old\n", 4);
        expect_no_tmp(dir);
        arg.n = 10; /* nothing flushed yet */
        arg.code = 65;
        gc_test_expect_exit(child_write_then_die, &arg, 65, NULL, names[i]);
        expect_content(path, "old\n", 4);
    }
    gc_test_path_in(fresh, dir, "fresh.ndjson");
    arg.path = fresh;
    arg.n = n;
    arg.code = 74;
    gc_test_expect_exit(child_write_then_die, &arg, 74, NULL, "a new path");
    assert_int_equal(stat(fresh, &st), -1);
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 2);
    assert_int_equal(n_tmp, 0);
    free(data);
}

static void child_atomic_relative(const void *p)
{
    if (chdir(p) != 0)
        _exit(1);
    gc_atomic_write("rel.ndjson", "relative\n", 9);
}

static void test_atomic_write(void **state)
{
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], rel[GC_TEST_PATH_CAP];
    const size_t n = 400000;
    char *data = gen_output(n);
    int n_tmp;

    gc_test_path_in(path, dir, "state.ndjson");
    gc_atomic_write(path, "first\n", 6);
    expect_content(path, "first\n", 6);
    gc_atomic_write(path, data, n);
    expect_content(path, data, n);
    gc_atomic_write(path, "2\n", 2);
    expect_content(path, "2\n", 2);
    gc_atomic_write(path, "", 0);
    expect_content(path, "", 0);
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 1);
    assert_int_equal(n_tmp, 0);

    /* A path without a directory part is in the working directory. */
    gc_test_expect_exit(child_atomic_relative, dir, 0, NULL, "relative path");
    gc_test_path_in(rel, dir, "rel.ndjson");
    expect_content(rel, "relative\n", 9);
    expect_no_tmp(dir);
    free(data);
}

static void child_lock(const void *p)
{
    gc_lock_state(p);
}

static void test_lock_state(void **state)
{
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], other[GC_TEST_PATH_CAP], lock[GC_TEST_PATH_CAP], c = 0;
    int ready[2], go[2], status;
    struct stat st;
    pid_t holder;

    gc_test_path_in(path, dir, "chains.ndjson");
    gc_test_path_in(other, dir, "other.ndjson");
    gc_test_path_in(lock, dir, "chains.ndjson.lock");
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    fflush(NULL);
    holder = fork();
    assert_true(holder >= 0);
    if (holder == 0) {
        close(ready[0]);
        close(go[1]);
        alarm(20);
        gc_lock_state(path);
        if (write(ready[1], "L", 1) != 1)
            _exit(1);
        if (read(go[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    /* The holder has the lock once it says so; EOF would mean it died trying. */
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'L');
    assert_int_equal(stat(lock, &st), 0);

    gc_test_expect_exit(child_lock, path, 75, "in use", "second locker");
    gc_test_expect_exit(child_lock, path, 75, NULL, "third locker");
    gc_test_expect_exit(child_lock, other, 0, NULL, "a different state file");

    assert_int_equal(write(go[1], "G", 1), 1);
    close(go[1]);
    close(ready[0]);
    assert_int_equal(waitpid(holder, &status, 0), holder);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* Released with its process. */
    gc_test_expect_exit(child_lock, path, 0, NULL, "locker after the holder exited");
}

/* --- gc_filter ---------------------------------------------------------------------------- */

/* Emits each record in canonical form; refuses those with a member "reject". */
static bool emit_canonical(void *ctx, struct gc_filter *flt, json_t *rec,
                           const struct gc_line *line, struct gc_fail *f)
{
    struct gc_buf *b = ctx;

    (void)line;
    if (json_object_get(rec, "reject") != NULL)
        return gc_fail(f, "bad_field", "field 'reject' asks for it");
    gc_buf_reset(b);
    gc_jcs_append(b, rec);
    gc_filter_emit(flt, b->ptr, b->len);
    return true;
}

/* One input line and what must become of it. */
struct fline {
    const char *bytes;
    size_t len;         /* 0: strlen */
    const char *reason; /* NULL: output; "": blank, skipped */
};

#define FILTER_MAX_LINE 48

/* The lines of the first input. Overlong ones are filled in by the test. */
static char long_utf8[80], long_emoji[80], long_ascii[60], long_bad[60];
static struct fline lines_a[] = {
    {"{\"a\":1}", 0, NULL},
    {"[1,2]", 0, "bad_json"},
    {"\xff\xfe{\"b\":1}", 0, "bad_utf8"},
    {"", 0, ""},
    {long_utf8, 0, "line_too_long"},
    {"{\"a\":1,\"a\":2}", 0, "bad_json"},
    {"  \t\r", 0, ""},
    {"{\"reject\":true}", 0, "bad_field"},
    {"{\"c\":\"\xc3\xa9\"}\r", 0, NULL},
    {long_emoji, 0, "line_too_long"},
    {"\"just a string\"", 0, "bad_json"},
    {"{\"e\":\"\xed\xa0\x80\"}", 0, "bad_utf8"}, /* a UTF-16 surrogate */
    {long_ascii, 0, "line_too_long"},
    {"{\"nul\":1}\0", 10, "bad_json"},
    {long_bad, 0, "line_too_long"},
    {"{\"d\":4}", 0, NULL}, /* the last line, without '\n' */
};
static struct fline lines_b[] = {
    {"{\"e\":5}", 0, NULL},
    {"{bad", 0, "bad_json"},
    {"{\"f\":6}", 0, NULL},
};

static void fill_long_lines(void)
{
    size_t n;

    /* {"s":"x then é: the cut at 48 bytes falls inside an é and must back off to 47. */
    n = (size_t)snprintf(long_utf8, sizeof(long_utf8), "{\"s\":\"x");
    while (n < 70)
        n += (size_t)snprintf(long_utf8 + n, sizeof(long_utf8) - n, "\xc3\xa9");
    snprintf(long_utf8 + n, sizeof(long_utf8) - n, "\"}");
    /* {"s":" then 😀 (4 bytes): 6 + 4k, the cut at 48 leaves 2 bytes of one: back to 46. */
    n = (size_t)snprintf(long_emoji, sizeof(long_emoji), "{\"s\":\"");
    while (n < 70)
        n += (size_t)snprintf(long_emoji + n, sizeof(long_emoji) - n, "\xf0\x9f\x98\x80");
    snprintf(long_emoji + n, sizeof(long_emoji) - n, "\"}");
    memset(long_ascii, 'q', sizeof(long_ascii) - 1);
    /* Invalid UTF-8 within the kept bytes: base64 of all of them. */
    memset(long_bad, 'z', sizeof(long_bad) - 1);
    long_bad[10] = (char)0xc0;
}

/* Joins LINES with '\n' (none after the last) into DATA; OFFSETS gets each line's start. */
static size_t join_lines(struct fline *lines, size_t n, char *data, size_t cap, size_t *offsets)
{
    size_t pos = 0;

    for (size_t i = 0; i < n; i++) {
        if (lines[i].len == 0)
            lines[i].len = strlen(lines[i].bytes);
        assert_true(pos + lines[i].len + 1 <= cap);
        offsets[i] = pos;
        memcpy(data + pos, lines[i].bytes, lines[i].len);
        pos += lines[i].len;
        if (i + 1 < n)
            data[pos++] = '\n';
    }
    return pos;
}

/* Checks one reject record against the line it must stand for. */
static void check_reject(const char *rec_line, size_t rec_len, const char *source,
                         const struct fline *want, size_t line_no, size_t offset)
{
    json_error_t jerr;
    json_t *rec = json_loadb(rec_line, rec_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    struct gc_buf canon = GC_BUF_INIT;
    bool valid = gc_utf8_valid(want->bytes, want->len);
    size_t keys = 8, kept = want->len;
    const char *detail;

    if (rec == NULL)
        fail_msg("reject record for %s:%zu is not JSON: %s", source, line_no, jerr.text);
    /* Canonical (RFC 8785) as it stands. */
    gc_jcs_append(&canon, rec);
    assert_int_equal(canon.len, rec_len);
    assert_memory_equal(canon.ptr, rec_line, rec_len);
    gc_buf_release(&canon);

    assert_string_equal(json_string_value(json_object_get(rec, "type")), "reject");
    assert_int_equal(json_integer_value(json_object_get(rec, "v")), 1);
    assert_string_equal(json_string_value(json_object_get(rec, "source")), source);
    assert_true(json_is_integer(json_object_get(rec, "line")));
    assert_int_equal(json_integer_value(json_object_get(rec, "line")), line_no);
    assert_true(json_is_integer(json_object_get(rec, "offset")));
    assert_int_equal(json_integer_value(json_object_get(rec, "offset")), offset);
    assert_string_equal(json_string_value(json_object_get(rec, "reason")), want->reason);
    detail = json_string_value(json_object_get(rec, "detail"));
    assert_non_null(detail);
    assert_true(strlen(detail) > 0);

    if (want->len > FILTER_MAX_LINE) {
        assert_true(json_is_integer(json_object_get(rec, "input_bytes")));
        assert_int_equal(json_integer_value(json_object_get(rec, "input_bytes")), want->len);
        keys++;
        kept = FILTER_MAX_LINE;
        /* Valid text keeps its first bytes, ending on a whole character. */
        while (valid && ((unsigned char)want->bytes[kept] & 0xc0) == 0x80)
            kept--;
        assert_true(kept > FILTER_MAX_LINE - 4);
    } else {
        assert_null(json_object_get(rec, "input_bytes"));
    }
    if (valid) {
        assert_int_equal(json_string_length(json_object_get(rec, "input")), kept);
        assert_memory_equal(json_string_value(json_object_get(rec, "input")), want->bytes, kept);
        assert_null(json_object_get(rec, "input_b64"));
    } else {
        /* Not text: base64 of exactly the bytes kept. */
        const char *b64 = json_string_value(json_object_get(rec, "input_b64"));
        unsigned char bin[128];
        size_t bin_len;

        assert_non_null(b64);
        assert_null(json_object_get(rec, "input"));
        assert_int_equal(sodium_base642bin(bin, sizeof(bin), b64, strlen(b64), NULL, &bin_len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(bin_len, kept);
        assert_memory_equal(bin, want->bytes, kept);
    }
    assert_int_equal(json_object_size(rec), keys);
    json_decref(rec);
}

static void test_filter_rejects(void **state)
{
    const char *dir = *state;
    const size_t na = sizeof(lines_a) / sizeof(lines_a[0]);
    const size_t nb = sizeof(lines_b) / sizeof(lines_b[0]);
    char a_path[GC_TEST_PATH_CAP], b_path[GC_TEST_PATH_CAP], out_path[GC_TEST_PATH_CAP],
        rej_path[GC_TEST_PATH_CAP];
    char data[2048], *files[2] = {a_path, b_path}, *rej, *out, *p;
    size_t offs_a[sizeof(lines_a) / sizeof(lines_a[0])];
    size_t offs_b[sizeof(lines_b) / sizeof(lines_b[0])], len, n_rej = 0, out_len;
    struct gc_filter_opts opts = {0};
    struct gc_buf scratch = GC_BUF_INIT, want_out = GC_BUF_INIT;
    struct gc_filter flt;
    uint64_t want_in = 0, want_good = 0;

    fill_long_lines();
    gc_test_path_in(a_path, dir, "a.ndjson");
    gc_test_path_in(b_path, dir, "b.ndjson");
    gc_test_path_in(out_path, dir, "out.ndjson");
    gc_test_path_in(rej_path, dir, "rejects.ndjson");
    len = join_lines(lines_a, na, data, sizeof(data), offs_a);
    gc_test_write_file(a_path, data, len);
    len = join_lines(lines_b, nb, data, sizeof(data), offs_b);
    data[len++] = '\n';
    gc_test_write_file(b_path, data, len);

    opts.output = out_path;
    opts.rejects = rej_path;
    opts.max_line = FILTER_MAX_LINE;
    opts.quiet = true;
    gc_filter_init(&flt, &opts);
    gc_filter_run(&flt, files, 2, emit_canonical, &scratch);
    assert_int_equal(flt.n_in, flt.n_out + flt.n_rej);
    assert_int_equal(gc_filter_finish(&flt), 65);
    gc_buf_release(&scratch);

    /* The expected counts and output, from the tables. */
    for (size_t f = 0; f < 2; f++) {
        const struct fline *lines = f == 0 ? lines_a : lines_b;

        for (size_t i = 0; i < (f == 0 ? na : nb); i++) {
            if (lines[i].reason != NULL && lines[i].reason[0] == '\0')
                continue;
            want_in++;
            if (lines[i].reason == NULL) {
                json_t *v = json_loadb(lines[i].bytes, lines[i].len, 0, NULL);

                assert_non_null(v);
                gc_jcs_append(&want_out, v);
                gc_buf_addc(&want_out, '\n');
                json_decref(v);
                want_good++;
            }
        }
    }
    assert_int_equal(flt.n_in, want_in);
    assert_int_equal(flt.n_out, want_good);
    assert_int_equal(flt.n_rej, want_in - want_good);
    out = gc_test_read_file(out_path, &out_len);
    assert_int_equal(out_len, want_out.len);
    assert_memory_equal(out, want_out.ptr, out_len);
    free(out);
    gc_buf_release(&want_out);

    /* One reject record per bad line, in input order. */
    rej = gc_test_read_file(rej_path, &len);
    p = rej;
    for (size_t f = 0; f < 2; f++) {
        const struct fline *lines = f == 0 ? lines_a : lines_b;
        const size_t *offs = f == 0 ? offs_a : offs_b;

        for (size_t i = 0; i < (f == 0 ? na : nb); i++) {
            char *nl;

            if (lines[i].reason == NULL || lines[i].reason[0] == '\0')
                continue;
            nl = memchr(p, '\n', (size_t)(rej + len - p));
            if (nl == NULL)
                fail_msg("no reject record for %s line %zu", files[f], i + 1);
            check_reject(p, (size_t)(nl - p), files[f], &lines[i], i + 1, offs[i]);
            p = nl + 1;
            n_rej++;
        }
    }
    assert_true(p == rej + len);
    assert_int_equal(n_rej, flt.n_rej);
    free(rej);
    expect_no_tmp(dir);
}

static void test_filter_all_good(void **state)
{
    static const char in[] = "{\"b\":1, \"a\":2}\n\n{\"c\":[1,2]}\n";
    const char *dir = *state;
    char in_path[GC_TEST_PATH_CAP], out_path[GC_TEST_PATH_CAP], rej_path[GC_TEST_PATH_CAP],
        *files[1] = {in_path};
    struct gc_filter_opts opts = {0};
    struct gc_buf scratch = GC_BUF_INIT;
    struct gc_filter flt;

    gc_test_path_in(in_path, dir, "in.ndjson");
    gc_test_path_in(out_path, dir, "out.ndjson");
    gc_test_path_in(rej_path, dir, "rejects.ndjson");
    gc_test_write_file(in_path, in, sizeof(in) - 1);
    opts.output = out_path;
    opts.rejects = rej_path;
    opts.quiet = true;
    gc_filter_init(&flt, &opts);
    gc_filter_run(&flt, files, 1, emit_canonical, &scratch);
    assert_int_equal(gc_filter_finish(&flt), 0);
    assert_int_equal(flt.n_in, 2);
    assert_int_equal(flt.n_out, 2);
    assert_int_equal(flt.n_rej, 0);
    expect_content(out_path, "{\"a\":2,\"b\":1}\n{\"c\":[1,2]}\n", 26);
    expect_content(rej_path, "", 0);
    gc_buf_release(&scratch);
    expect_no_tmp(dir);
}

/* A filter without --rejects over the file ARG, output to ARG with ".out". */
static void child_filter_strict(const void *arg)
{
    char out[GC_TEST_PATH_CAP], *files[1] = {(char *)arg};
    struct gc_filter_opts opts = {0};
    struct gc_buf scratch = GC_BUF_INIT;
    struct gc_filter flt;

    snprintf(out, sizeof(out), "%s.out", (const char *)arg);
    opts.output = out;
    opts.quiet = true;
    gc_filter_init(&flt, &opts);
    gc_filter_run(&flt, files, 1, emit_canonical, &scratch);
    exit(gc_filter_finish(&flt));
}

static void test_filter_stops_without_rejects(void **state)
{
    static const char *const bad_lines[] = {
        "{\"a\":1}\n\n[1]\n{\"b\":2}\n",
        "{\"a\":1}\n\xff\n{\"b\":2}\n",
        "{\"a\":1}\n{\"reject\":1}\n{\"b\":2}\n",
        "{\"a\":1,\"a\":1}\n",
    };
    const char *dir = *state;
    char in_path[GC_TEST_PATH_CAP], out_path[GC_TEST_PATH_CAP];
    struct stat st;

    gc_test_path_in(in_path, dir, "in.ndjson");
    gc_test_path_in(out_path, dir, "in.ndjson.out");
    for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
        gc_test_write_file(in_path, bad_lines[i], strlen(bad_lines[i]));
        gc_test_expect_exit(child_filter_strict, in_path, 65, "in.ndjson:", bad_lines[i]);
        /* Nothing committed, nothing left behind. */
        assert_int_equal(stat(out_path, &st), -1);
        expect_no_tmp(dir);
    }
    /* The line number of the first bad line is in the message. */
    gc_test_write_file(in_path, bad_lines[0], strlen(bad_lines[0]));
    gc_test_expect_exit(child_filter_strict, in_path, 65, "in.ndjson:3: bad_json", "line number");
    /* And good input passes. */
    gc_test_write_file(in_path, "{\"a\":1}\n", 8);
    gc_test_expect_exit(child_filter_strict, in_path, 0, NULL, "good input");
    expect_content(out_path, "{\"a\":1}\n", 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        GC_TEST_WITH_DIR(test_reader_positions),
        GC_TEST_WITH_DIR(test_reader_empty_and_tiny),
        GC_TEST_WITH_DIR(test_reader_missing),
        GC_TEST_WITH_DIR(test_reader_long_lines),
        GC_TEST_WITH_DIR(test_reader_buffer_boundaries),
        GC_TEST_WITH_DIR(test_reader_huge_line),
        cmocka_unit_test(test_reader_stdin_pipe),
        GC_TEST_WITH_DIR(test_reader_zstd),
        GC_TEST_WITH_DIR(test_reader_zstd_concatenated),
        GC_TEST_WITH_DIR(test_reader_zstd_truncated),
        GC_TEST_WITH_DIR(test_reader_zstd_short),
        GC_TEST_WITH_DIR(test_reader_zstd_corrupt),
        GC_TEST_WITH_DIR(test_writer_commit_replaces),
        GC_TEST_WITH_DIR(test_writer_zstd),
        GC_TEST_WITH_DIR(test_writer_exit_before_commit),
        GC_TEST_WITH_DIR(test_atomic_write),
        GC_TEST_WITH_DIR(test_lock_state),
        GC_TEST_WITH_DIR(test_filter_rejects),
        GC_TEST_WITH_DIR(test_filter_all_good),
        GC_TEST_WITH_DIR(test_filter_stops_without_rejects),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
