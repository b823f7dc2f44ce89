/* Helpers shared by the libFuzzer harnesses: see harness.h. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "gc_crypto.h"
#include "gc_json.h"
#include "banned.h"

jmp_buf fuzz_exit_jmp;
volatile bool fuzz_exit_armed;

/* The library's gc_die, renamed by the linker's --wrap. */
void __real_gc_die(int code, const char *fmt, ...) __attribute__((noreturn));
void __wrap_gc_die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

void __wrap_gc_die(int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (fuzz_exit_armed && code != GC_EX_SOFTWARE) {
        fuzz_exit_armed = false;
        longjmp(fuzz_exit_jmp, code);
    }
    /* An internal error (or an exit nobody expected): libFuzzer reports it as a crash. */
    __real_gc_die(code, "%s", msg);
}

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: property failed: %s: ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

bool fuzz_print;

void fuzz_init(void)
{
    static bool done;

    if (done)
        return;
    fuzz_print = getenv("FUZZ_PRINT") != NULL;
    gc_set_progname("fuzz");
    gc_crypto_init();
    done = true;
}

void fuzz_lines(const uint8_t *data, size_t size, size_t max_lines, fuzz_line_fn fn, void *ctx)
{
    const char *p = (const char *)data, *end = p + size;
    struct gc_line line;
    uint64_t line_no = 0;

    while (p < end && line_no < max_lines) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

        line.bytes = p;
        line.len = len;
        line.total_len = len;
        line.line_no = ++line_no;
        line.offset = (uint64_t)(p - (const char *)data);
        if (!fn(&line, ctx))
            return;
        p += len + (nl != NULL);
    }
}

json_t *fuzz_parse_record(const char *bytes, size_t len, struct gc_fail *f)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r')
            break;
    if (i == len) {
        gc_fail(f, "blank", "a blank line");
        return NULL;
    }
    if (!gc_utf8_valid(bytes, len)) {
        gc_fail(f, "bad_utf8", "line is not valid UTF-8");
        return NULL;
    }
    return gc_json_parse_object(bytes, len, f);
}

json_t *fuzz_check_record(const char *rec, size_t len, const char *what)
{
    struct gc_buf canon = GC_BUF_INIT;
    struct gc_fail f = {NULL, ""};
    json_t *v;

    if (fuzz_print)
        fprintf(stderr, "%s: %.*s\n", what, (int)len, rec);
    FUZZ_CHECK(memchr(rec, '\n', len) == NULL, "%s record holds a newline: %.*s", what, (int)len,
               rec);
    FUZZ_CHECK(gc_utf8_valid(rec, len), "%s record is not UTF-8", what);
    v = gc_json_parse_object(rec, len, &f);
    FUZZ_CHECK(v != NULL, "%s record does not parse: %s: %s: %.*s", what, f.reason, f.detail,
               (int)len, rec);
    gc_jcs_append(&canon, v);
    FUZZ_CHECK(canon.len == len && memcmp(canon.ptr, rec, len) == 0,
               "%s record is not canonical:\n  %.*s\n  %s", what, (int)len, rec, canon.ptr);
    gc_buf_release(&canon);
    return v;
}

void fuzz_check_json(const json_t *v, const char *what)
{
    struct gc_buf canon = GC_BUF_INIT;
    json_t *back;

    FUZZ_CHECK(json_is_object(v), "%s is not an object", what);
    gc_jcs_append(&canon, v);
    back = fuzz_check_record(canon.ptr, canon.len, what);
    FUZZ_CHECK(json_equal(back, v), "%s changes through its canonical form: %s", what, canon.ptr);
    json_decref(back);
    gc_buf_release(&canon);
}

void fuzz_check_fail(const struct gc_fail *f)
{
    FUZZ_CHECK(f->reason != NULL && f->reason[0] != '\0', "a refusal without a reason");
    FUZZ_CHECK(memchr(f->detail, '\0', sizeof(f->detail)) != NULL, "detail not terminated");
}

void fuzz_key_init(struct gc_key *k, const char *device)
{
    uint8_t seed[GC_SEED_LEN];

    if (k->sk != NULL)
        return;
    memset(seed, 0x42, sizeof(seed));
    k->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    FUZZ_CHECK(k->sk != NULL, "out of memory");
    crypto_sign_seed_keypair(k->pk, k->sk, seed);
    if (device != NULL)
        snprintf(k->device, sizeof(k->device), "%s", device);
}

static char scratch[4096];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path) != 0 && errno != ENOENT;
}

static void remove_scratch(void)
{
    if (scratch[0] != '\0')
        nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_scratch_dir(const char *name)
{
    const char *tmp = getenv("TMPDIR");

    if (scratch[0] != '\0')
        return scratch;
    if (access("/dev/shm", W_OK) == 0)
        tmp = "/dev/shm";
    else if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    snprintf(scratch, sizeof(scratch), "%s/gc-%s-XXXXXX", tmp, name);
    FUZZ_CHECK(mkdtemp(scratch) != NULL, "cannot make a directory '%s': %s", scratch,
               strerror(errno));
    atexit(remove_scratch);
    return scratch;
}

void fuzz_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *p = data;

    FUZZ_CHECK(fd >= 0, "cannot open '%s': %s", path, strerror(errno));
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        FUZZ_CHECK(n > 0, "cannot write '%s': %s", path, strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    FUZZ_CHECK(close(fd) == 0, "cannot close '%s': %s", path, strerror(errno));
}

bool fuzz_read_file(const char *path, struct gc_buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    gc_buf_reset(out);
    if (fd < 0 && errno == ENOENT)
        return false;
    FUZZ_CHECK(fd >= 0, "cannot open '%s': %s", path, strerror(errno));
    for (;;) {
        ssize_t n;

        gc_buf_grow(out, 4096);
        n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
        FUZZ_CHECK(n >= 0, "cannot read '%s': %s", path, strerror(errno));
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->ptr[out->len] = '\0';
    }
    close(fd);
    return true;
}
