#include "gc_err.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *progname = "gc";

void gc_set_progname(const char *argv0)
{
    const char *slash;

    if (argv0 == NULL || *argv0 == '\0')
        return;
    slash = strrchr(argv0, '/');
    progname = slash ? slash + 1 : argv0;
}

const char *gc_progname(void)
{
    return progname;
}

static void report(const char *fmt, va_list ap, int errnum)
{
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    if (errnum)
        fprintf(stderr, ": %s", strerror(errnum));
    fputc('\n', stderr);
}

void gc_verror(const char *fmt, va_list ap)
{
    report(fmt, ap, 0);
}

void gc_die(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(fmt, ap, 0);
    va_end(ap);
    exit(code);
}

void gc_die_errno(int code, const char *fmt, ...)
{
    int errnum = errno;
    va_list ap;

    va_start(ap, fmt);
    report(fmt, ap, errnum);
    va_end(ap);
    exit(code);
}

void gc_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(fmt, ap, 0);
    va_end(ap);
}

void gc_error_errno(const char *fmt, ...)
{
    int errnum = errno;
    va_list ap;

    va_start(ap, fmt);
    report(fmt, ap, errnum);
    va_end(ap);
}

void gc_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(fmt, ap, 0);
    va_end(ap);
}

void gc_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool gc_fail(struct gc_fail *f, const char *reason, const char *fmt, ...)
{
    va_list ap;

    f->reason = reason;
    va_start(ap, fmt);
    vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
    va_end(ap);
    return false;
}

void *gc_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return p;
}

void *gc_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return p;
}

void *gc_grow(void *p, size_t *cap, size_t need, size_t size, size_t first)
{
    size_t c = *cap ? *cap : first;

    if (need <= *cap)
        return p;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            gc_die(GC_EX_SOFTWARE, "out of memory");
        c *= 2;
    }
    if (size != 0 && c > SIZE_MAX / size)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    p = realloc(p, c * size);
    if (p == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    *cap = c;
    return p;
}

char *gc_xstrdup(const char *s)
{
    char *p = strdup(s);

    if (p == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return p;
}
