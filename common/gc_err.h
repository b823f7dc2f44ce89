/*
 * gc_err — the one reporting path and the sysexits codes every program uses.
 *
 * Messages go to standard error as "PROG: message" (err(3) style): lower case,
 * no final period, subjects in single quotes.
 */
#ifndef GC_ERR_H
#define GC_ERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum gc_exit {
    GC_EX_OK = 0,
    GC_EX_USAGE = 64,       /* bad command line */
    GC_EX_DATAERR = 65,     /* input rejected */
    GC_EX_NOINPUT = 66,     /* an input file could not be opened */
    GC_EX_UNAVAILABLE = 69, /* a command it runs failed (gc-verify --recompute) */
    GC_EX_SOFTWARE = 70,    /* an invariant broke */
    GC_EX_IOERR = 74,       /* read or write failed */
    GC_EX_TEMPFAIL = 75,    /* lock busy, source unavailable: retry later */
    GC_EX_PROTOCOL = 76,    /* a remote source refused or answered wrongly */
    GC_EX_NOPERM = 77,      /* key file permissions */
};

/* Sets the name printed before every message (basename of argv[0]). */
void gc_set_progname(const char *argv0);
const char *gc_progname(void);

/* Print "PROG: message" and exit with CODE. */
void gc_die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* Like gc_die, with ": strerror(errno)" appended. */
void gc_die_errno(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void gc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gc_error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: message": what happened, when it is neither an error nor a warning. */
void gc_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gc_verror(const char *fmt, va_list ap);

/*
 * Allocation that cannot fail: out of memory is fatal (exit 70), since every
 * caller would have to do the same. gc_xstrdup copies S.
 */
void *gc_xmalloc(size_t n);
void *gc_xcalloc(size_t n, size_t size);
char *gc_xstrdup(const char *s);
/*
 * Room for NEED elements of SIZE bytes in the array P of capacity *CAP: the
 * capacity doubles (from FIRST) until it holds NEED, and the array moves
 * with it. Returns the array; exits 70 when memory runs out.
 */
void *gc_grow(void *p, size_t *cap, size_t need, size_t size, size_t first);

/*
 * Why a record was refused: a stable reason code (a static string such as
 * "bad_field") and a human detail. Checks fill one and return false, so a
 * caller can write "return gc_fail(f, "bad_field", "...")".
 */
struct gc_fail {
    const char *reason;
    char detail[256];
};

bool gc_fail(struct gc_fail *f, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
