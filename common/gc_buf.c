#include "gc_buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_err.h"
#include "banned.h"

static char gc_buf_empty[1];

void gc_buf_init(struct gc_buf *b)
{
    b->ptr = gc_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void gc_buf_release(struct gc_buf *b)
{
    if (b->cap)
        free(b->ptr);
    gc_buf_init(b);
}

void gc_buf_grow(struct gc_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->ptr == NULL)
        gc_buf_init(b);
    if (extra > SIZE_MAX - b->len - 1)
        gc_die(GC_EX_SOFTWARE, "buffer size overflow");
    need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->cap ? b->ptr : NULL, cap);
    if (p == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    if (!b->cap)
        p[0] = '\0';
    b->ptr = p;
    b->cap = cap;
}

void gc_buf_reset(struct gc_buf *b)
{
    if (b->ptr == NULL)
        gc_buf_init(b);
    b->len = 0;
    if (b->cap)
        b->ptr[0] = '\0';
}

void gc_buf_adds(struct gc_buf *b, const char *s)
{
    gc_buf_add(b, s, strlen(s));
}

void gc_buf_addf(struct gc_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    gc_buf_grow(b, 64);
    va_start(ap, fmt);
    n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        gc_die(GC_EX_SOFTWARE, "format error");
    if ((size_t)n >= b->cap - b->len) {
        gc_buf_grow(b, (size_t)n);
        va_start(ap, fmt);
        n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}
