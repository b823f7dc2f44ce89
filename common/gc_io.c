#include "gc_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc_commit.h"
#include "gc_err.h"
#include "banned.h"

#define IO_CHUNK    (256u << 10)
#define WRITE_FLUSH (256u << 10)
#define ZSTD_LEVEL  3

static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

/* --- reading --- */

/* Reads what is available into BUF (at most CAP); 0 means end of file. */
static size_t read_some(struct gc_reader *r, uint8_t *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(r->fd, buf, cap);

        if (n >= 0)
            return (size_t)n;
        if (errno != EINTR)
            gc_die_errno(GC_EX_IOERR, "cannot read '%s'", r->name);
    }
}

void gc_reader_open(struct gc_reader *r, const char *path, size_t max_line)
{
    memset(r, 0, sizeof(*r));
    r->name = path;
    r->max_line = max_line;
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0)
            gc_die_errno(GC_EX_NOINPUT, "cannot open '%s'", path);
    }
    r->raw = gc_xmalloc(IO_CHUNK);
    /* Enough bytes to see a magic number, even from a pipe that trickles. */
    while (r->raw_len < sizeof(zstd_magic)) {
        size_t n = read_some(r, r->raw + r->raw_len, IO_CHUNK - r->raw_len);

        if (n == 0) {
            r->eof = true;
            break;
        }
        r->raw_len += n;
    }
    r->is_zstd = r->raw_len >= 4 && memcmp(r->raw, zstd_magic, 4) == 0;
    if (r->is_zstd) {
        r->zds = ZSTD_createDStream();
        if (r->zds == NULL)
            gc_die(GC_EX_SOFTWARE, "out of memory");
        r->data = gc_xmalloc(IO_CHUNK);
    } else {
        /* Plain input is read straight into the line buffer. */
        r->data = r->raw;
        r->data_len = r->raw_len;
        r->raw = NULL;
    }
}

void gc_reader_close(struct gc_reader *r)
{
    if (r->fd > STDIN_FILENO)
        close(r->fd);
    if (r->zds != NULL)
        ZSTD_freeDStream(r->zds);
    free(r->raw);
    free(r->data);
    memset(r, 0, sizeof(*r));
}

/* Refills r->data; false at the end of the stream. */
static bool refill(struct gc_reader *r)
{
    r->data_pos = 0;
    r->data_len = 0;
    if (!r->is_zstd) {
        if (r->eof)
            return false;
        r->data_len = read_some(r, r->data, IO_CHUNK);
        r->eof = r->data_len == 0;
        return r->data_len > 0;
    }
    while (r->data_len == 0) {
        ZSTD_inBuffer in;
        ZSTD_outBuffer out = {r->data, IO_CHUNK, 0};
        size_t ret;

        if (r->raw_pos == r->raw_len) {
            if (!r->eof) {
                r->raw_len = read_some(r, r->raw, IO_CHUNK);
                r->raw_pos = 0;
                r->eof = r->raw_len == 0;
            }
            if (r->eof) {
                if (r->zstd_pending != 0)
                    gc_die(GC_EX_DATAERR,
                           "%s: truncated zstd stream (the last frame is incomplete)", r->name);
                return false;
            }
        }
        in.src = r->raw;
        in.size = r->raw_len;
        in.pos = r->raw_pos;
        ret = ZSTD_decompressStream(r->zds, &out, &in);
        if (ZSTD_isError(ret))
            gc_die(GC_EX_DATAERR, "%s: corrupt zstd stream: %s", r->name, ZSTD_getErrorName(ret));
        r->raw_pos = in.pos;
        r->zstd_pending = ret;
        r->data_len = out.pos;
    }
    return true;
}

bool gc_reader_next(struct gc_reader *r, struct gc_buf *lb, struct gc_line *line)
{
    bool partial = false;
    uint64_t total = 0;

    line->offset = r->offset;
    gc_buf_reset(lb);
    for (;;) {
        const uint8_t *p, *nl;
        size_t avail, take, keep;

        if (r->data_pos == r->data_len && !refill(r)) {
            if (!partial)
                return false;
            break; /* a last line without '\n' */
        }
        p = r->data + r->data_pos;
        avail = r->data_len - r->data_pos;
        nl = memchr(p, '\n', avail);
        take = nl ? (size_t)(nl - p) : avail;
        if (!partial && nl != NULL && take <= r->max_line) {
            /* The common case: the whole line is in the buffer; hand it out in place. */
            line->bytes = (const char *)p;
            line->len = take;
            line->total_len = take;
            r->data_pos += take + 1;
            r->offset += take + 1;
            line->line_no = ++r->line_no;
            return true;
        }
        keep = lb->len < r->max_line ? r->max_line - lb->len : 0;
        gc_buf_add(lb, p, take < keep ? take : keep);
        total += take;
        partial = true;
        r->data_pos += take + (nl != NULL);
        r->offset += take + (nl != NULL);
        if (nl != NULL)
            break;
    }
    line->bytes = lb->ptr;
    line->len = lb->len;
    line->total_len = total;
    line->line_no = ++r->line_no;
    return true;
}

/* --- writing --- */

/* Temporary files not yet renamed into place; removed if the program exits first. */
static char *pending_tmp[8];

static void remove_pending(void)
{
    for (size_t i = 0; i < sizeof(pending_tmp) / sizeof(pending_tmp[0]); i++)
        if (pending_tmp[i] != NULL)
            unlink(pending_tmp[i]);
}

static void track_tmp(char *tmp, bool add)
{
    static bool registered;

    if (!registered) {
        atexit(remove_pending);
        registered = true;
    }
    for (size_t i = 0; i < sizeof(pending_tmp) / sizeof(pending_tmp[0]); i++) {
        if (add && pending_tmp[i] == NULL) {
            pending_tmp[i] = tmp;
            return;
        }
        if (!add && pending_tmp[i] == tmp) {
            pending_tmp[i] = NULL;
            return;
        }
    }
    if (add)
        gc_die(GC_EX_SOFTWARE, "too many open output files");
}

/* Creates "DIR/.BASE.tmp.PID.N" next to PATH; O_EXCL so nothing is ever clobbered. */
int gc_tmp_open(const char *path, char **tmp_out, mode_t mode)
{
    static unsigned counter;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    struct gc_buf tmp = GC_BUF_INIT;
    int fd;

    for (;;) {
        gc_buf_reset(&tmp);
        gc_buf_add(&tmp, path, dir_len);
        gc_buf_addf(&tmp, ".%s.tmp.%ld.%u", path + dir_len, (long)getpid(), counter++);
        fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0)
        gc_die_errno(GC_EX_IOERR, "cannot create a temporary file for '%s'", path);
    *tmp_out = tmp.ptr;
    track_tmp(tmp.ptr, true);
    return fd;
}

void gc_write_all(int fd, const char *name, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            gc_die_errno(GC_EX_IOERR, "write error on '%s'", name);
        p += n;
        len -= (size_t)n;
    }
}

const char *gc_path_dir(const char *path, struct gc_buf *dir)
{
    const char *slash = strrchr(path, '/');

    gc_buf_reset(dir);
    if (slash == NULL)
        gc_buf_adds(dir, ".");
    else
        gc_buf_add(dir, path, slash == path ? 1 : (size_t)(slash - path));
    return slash != NULL ? slash + 1 : path;
}

void gc_fsync_dir_of(const char *path)
{
    struct gc_buf dir = GC_BUF_INIT;
    int fd;

    gc_path_dir(path, &dir);
    fd = open(dir.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot sync directory '%s'", dir.ptr);
    close(fd);
    gc_buf_release(&dir);
}

/* fsync, close and rename TMP over PATH, then make the rename durable. */
void gc_tmp_sync(int fd, const char *path)
{
    if (fsync(fd) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot sync '%s'", path);
    if (close(fd) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot write '%s'", path);
}

void gc_tmp_forget(const char *tmp)
{
    track_tmp((char *)tmp, false);
}

static void commit_tmp(int fd, char *tmp, const char *path)
{
    gc_tmp_sync(fd, path);
    if (rename(tmp, path) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot rename '%s' to '%s'", tmp, path);
    track_tmp(tmp, false);
    free(tmp);
    gc_fsync_dir_of(path);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static bool stdout_closed;

void gc_io_guard_std_fds(void)
{
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* open() returns the lowest free number: this one */
        if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) != fd)
            _exit(GC_EX_IOERR);
        if (fd == STDOUT_FILENO)
            stdout_closed = true;
    }
}

void gc_stdout_require(void)
{
    if (stdout_closed)
        gc_die(GC_EX_IOERR, "cannot write standard output: it is closed");
}

void gc_writer_open(struct gc_writer *w, const char *path)
{
    struct stat st;

    memset(w, 0, sizeof(*w));
    gc_buf_init(&w->buf);
    gc_buf_init(&w->zbuf);
    if (path == NULL || strcmp(path, "-") == 0) {
        gc_stdout_require();
        w->fd = STDOUT_FILENO;
        return;
    }
    w->path = path;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* /dev/null, a FIFO, /dev/stdout: written straight, never renamed over. */
        w->fd = open(path, O_WRONLY | O_CLOEXEC);
        if (w->fd < 0)
            gc_die_errno(GC_EX_IOERR, "cannot open '%s'", path);
    } else {
        w->fd = gc_tmp_open(path, &w->tmp_path, 0666);
    }
    if (ends_with(path, ".zst")) {
        w->zcs = ZSTD_createCStream();
        if (w->zcs == NULL)
            gc_die(GC_EX_SOFTWARE, "out of memory");
        ZSTD_CCtx_setParameter(w->zcs, ZSTD_c_compressionLevel, ZSTD_LEVEL);
    }
}

static const char *writer_name(const struct gc_writer *w)
{
    return w->path ? w->path : "standard output";
}

static void writer_flush(struct gc_writer *w, ZSTD_EndDirective mode)
{
    if (w->zcs == NULL) {
        gc_write_all(w->fd, writer_name(w), w->buf.ptr, w->buf.len);
        gc_buf_reset(&w->buf);
        return;
    }
    ZSTD_inBuffer in = {w->buf.ptr, w->buf.len, 0};
    size_t left;
    do {
        ZSTD_outBuffer out;

        gc_buf_grow(&w->zbuf, ZSTD_CStreamOutSize());
        out.dst = w->zbuf.ptr;
        out.size = ZSTD_CStreamOutSize();
        out.pos = 0;
        left = ZSTD_compressStream2(w->zcs, &out, &in, mode);
        if (ZSTD_isError(left))
            gc_die(GC_EX_SOFTWARE, "zstd: %s", ZSTD_getErrorName(left));
        gc_write_all(w->fd, writer_name(w), out.dst, out.pos);
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
    gc_buf_reset(&w->buf);
}

void gc_writer_write(struct gc_writer *w, const void *data, size_t len)
{
    if (len == 0) /* an empty buffer may have no storage yet */
        return;
    gc_buf_add(&w->buf, data, len);
    if (w->buf.len >= WRITE_FLUSH)
        writer_flush(w, ZSTD_e_continue);
}

void gc_writer_commit(struct gc_writer *w)
{
    writer_flush(w, ZSTD_e_end);
    if (w->zcs != NULL)
        ZSTD_freeCStream(w->zcs);
    if (w->tmp_path != NULL)
        commit_tmp(w->fd, w->tmp_path, w->path);
    else if (w->path != NULL && close(w->fd) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot write '%s'", w->path);
    gc_buf_release(&w->buf);
    gc_buf_release(&w->zbuf);
    memset(w, 0, sizeof(*w));
}

char *gc_writer_seal(struct gc_writer *w)
{
    char *tmp = w->tmp_path;

    writer_flush(w, ZSTD_e_end);
    if (w->zcs != NULL)
        ZSTD_freeCStream(w->zcs);
    if (tmp != NULL)
        gc_tmp_sync(w->fd, w->path);
    else if (w->path != NULL && close(w->fd) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot write '%s'", w->path);
    gc_buf_release(&w->buf);
    gc_buf_release(&w->zbuf);
    memset(w, 0, sizeof(*w));
    return tmp;
}

void gc_writer_discard(struct gc_writer *w)
{
    if (w->path == NULL) {
        writer_flush(w, ZSTD_e_end);
    } else if (w->tmp_path == NULL) {
        close(w->fd); /* not a regular file: what was written is gone already */
    } else {
        close(w->fd);
        unlink(w->tmp_path);
        track_tmp(w->tmp_path, false);
        free(w->tmp_path);
    }
    if (w->zcs != NULL)
        ZSTD_freeCStream(w->zcs);
    gc_buf_release(&w->buf);
    gc_buf_release(&w->zbuf);
    memset(w, 0, sizeof(*w));
}

static void atomic_write(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp;
    int fd = gc_tmp_open(path, &tmp, mode);

    gc_write_all(fd, path, data, len);
    commit_tmp(fd, tmp, path);
}

void gc_atomic_write(const char *path, const void *data, size_t len)
{
    atomic_write(path, data, len, 0666);
}

void gc_atomic_write_private(const char *path, const void *data, size_t len)
{
    atomic_write(path, data, len, 0600);
}

int gc_open_private(const char *path, const char *what)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0 && errno == ENOENT)
        return -1;
    if (fd < 0 && errno == ELOOP)
        gc_die(GC_EX_NOPERM, "'%s' is a symbolic link; refusing to use it as a %s", path, what);
    if (fd < 0)
        gc_die_errno(GC_EX_IOERR, "cannot open %s '%s'", what, path);
    if (fstat(fd, &st) != 0)
        gc_die_errno(GC_EX_IOERR, "'%s'", path);
    if (!S_ISREG(st.st_mode))
        gc_die(GC_EX_NOPERM, "'%s' is not a regular file; refusing to use it as a %s", path, what);
    if (st.st_mode & 077)
        gc_die(GC_EX_NOPERM,
               "permissions %04o for '%s' are too open; a %s must not be accessible to group or "
               "others (chmod 600)",
               (unsigned)(st.st_mode & 07777), path, what);
    return fd;
}

void gc_lock_state(const char *path)
{
    struct gc_buf lock = GC_BUF_INIT;
    int fd;

    gc_buf_addf(&lock, "%s.lock", path);
    fd = open(lock.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        gc_die_errno(GC_EX_IOERR, "cannot open lock file '%s'", lock.ptr);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            gc_die(GC_EX_TEMPFAIL, "'%s' is in use by another run (lock '%s'); try again later",
                   path, lock.ptr);
        gc_die_errno(GC_EX_IOERR, "cannot lock '%s'", lock.ptr);
    }
    /* The descriptor stays open: the lock lasts until the process exits. */
    gc_buf_release(&lock);
    /* What a killed run committed is finished before anyone reads the state. */
    gc_commit_recover(path);
}
