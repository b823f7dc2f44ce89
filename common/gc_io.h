/*
 * gc_io — NDJSON in and out: plain or zstd input, positions for every line,
 * atomic output files, state-file locks.
 */
#ifndef GC_IO_H
#define GC_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zstd.h>

#include "gc_buf.h"

#define GC_MAX_LINE_DEFAULT (1u << 20)

/* One input stream. NAME is what messages and reject records call it ("-" for stdin). */
struct gc_reader {
    const char *name;
    int fd;
    bool is_zstd;
    bool eof; /* the raw stream is exhausted */
    ZSTD_DStream *zds;
    size_t zstd_pending; /* ZSTD_decompressStream's last hint: 0 at a frame end */
    uint8_t *raw;        /* bytes read from fd */
    size_t raw_len, raw_pos;
    uint8_t *data; /* decompressed (or plain) bytes */
    size_t data_len, data_pos;
    size_t max_line;
    uint64_t offset;  /* stream offset of data[data_pos] */
    uint64_t line_no; /* lines handed out so far */
};

/* One line: BYTES without its '\n', LINE_NO from 1, OFFSET of its first byte from 0. */
struct gc_line {
    const char *bytes;
    size_t len;         /* bytes kept: at most max_line */
    uint64_t total_len; /* the line's real length; > len when it was too long */
    uint64_t line_no;
    uint64_t offset;
};

/*
 * Opens PATH ("-" = standard input) for reading lines of at most MAX_LINE
 * bytes. Exits 66 if it cannot be opened. zstd input is recognised by its
 * magic number.
 */
void gc_reader_open(struct gc_reader *r, const char *path, size_t max_line);
void gc_reader_close(struct gc_reader *r);

/*
 * Reads the next line into LINE (valid until the next call), keeping
 * LINE's buffer in LINE_BUF. Returns false at the end of input. A read
 * error exits 74; a truncated or corrupt zstd stream exits 65.
 */
bool gc_reader_next(struct gc_reader *r, struct gc_buf *line_buf, struct gc_line *line);

/* Writes all of DATA to FD, retrying short writes; exits 74 naming NAME on error. */
void gc_write_all(int fd, const char *name, const void *data, size_t len);

/*
 * An output: standard output, or a file written under a temporary name in
 * the same directory and renamed over PATH by gc_writer_commit, so a reader
 * never sees half a file. A PATH ending in ".zst" is zstd-compressed.
 */
struct gc_writer {
    const char *path; /* NULL for standard output */
    char *tmp_path;
    int fd;
    ZSTD_CStream *zcs;
    struct gc_buf buf;
    struct gc_buf zbuf;
};

/*
 * Opens PATH (NULL or "-" = standard output). Exits 74 if it cannot. A
 * regular file is written beside it and renamed into place on commit; an
 * existing PATH that is not one (/dev/null, a FIFO) is written straight.
 */
void gc_writer_open(struct gc_writer *w, const char *path);

/* A program started with descriptor 0, 1 or 2 closed would give that number to the next file
 * it opens (a state file, a key) and write its output into it. This holds each closed one open
 * on /dev/null; gc_cli_init calls it first. Output for a closed standard output is then
 * refused by gc_stdout_require (exit 74), never written to /dev/null in silence. */
void gc_io_guard_std_fds(void);
void gc_stdout_require(void);
void gc_writer_write(struct gc_writer *w, const void *data, size_t len);
/* Flushes, ends the zstd frame, fsyncs and renames into place. Exits 74 on any error. */
void gc_writer_commit(struct gc_writer *w);

/*
 * Makes W's file whole on disk (flushed, its zstd frame ended, fsynced, closed) but does not
 * rename it into place: returns its temporary name, which the caller now owns and renames (see
 * gc_commit), or NULL when W is standard output or not a regular file, written straight and done.
 */
char *gc_writer_seal(struct gc_writer *w);

/*
 * Abandons W: an output file is removed unwritten (PATH keeps what it had);
 * standard output gets what was buffered, as a stream would have.
 */
void gc_writer_discard(struct gc_writer *w);

/*
 * Writes DATA to PATH atomically: temporary file in the same directory,
 * fsync, rename, fsync of the directory. Exits 74 on error.
 */
void gc_atomic_write(const char *path, const void *data, size_t len);

/*
 * Opens a secret (a key, a token) for reading, as OpenSSH does: exits 77 when
 * PATH is a symbolic link, not a regular file, or accessible to group or
 * others; 74 on other errors. Returns -1 when PATH does not exist. WHAT names
 * the file in messages ("secret key", "token file").
 */
int gc_open_private(const char *path, const char *what);

/* gc_atomic_write for files others must not read: created with mode 0600. */
void gc_atomic_write_private(const char *path, const void *data, size_t len);

/*
 * The temporary files under gc_writer and gc_atomic_write, for gc_commit.
 * gc_tmp_open creates one beside PATH (*TMP, the caller's to free) and
 * returns its descriptor; it is removed if the program exits before it is
 * renamed, unless gc_tmp_forget drops it from that list. gc_tmp_sync
 * fsyncs and closes FD (PATH names it in errors). gc_fsync_dir_of fsyncs
 * the directory holding PATH, so a rename in it survives a power cut. All
 * exit 74 on error.
 */
int gc_tmp_open(const char *path, char **tmp, mode_t mode);
/* The directory holding PATH ("." when it names none) into DIR; returns PATH's last part. */
const char *gc_path_dir(const char *path, struct gc_buf *dir);
void gc_tmp_sync(int fd, const char *path);
void gc_tmp_forget(const char *tmp);
void gc_fsync_dir_of(const char *path);

/*
 * Takes an exclusive flock on PATH.lock for the life of the process. Exits 75
 * if another process holds it, so a cron job can retry later. Then finishes
 * the commit of a run that was killed part-way through one (gc_commit_recover),
 * so the holder reads the state as that run left it.
 */
void gc_lock_state(const char *path);

#endif
