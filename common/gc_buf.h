/*
 * gc_buf — a growable byte buffer (git's strbuf, reduced).
 *
 * The bytes are always NUL-terminated past len, so buf->ptr can be handed to
 * string functions when the content has no NUL. Allocation failure is fatal
 * (exit 70): every caller would have to do the same.
 */
#ifndef GC_BUF_H
#define GC_BUF_H

#include <stddef.h>
#include <string.h>

struct gc_buf {
    char *ptr;
    size_t len;
    size_t cap;
};

#define GC_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void gc_buf_init(struct gc_buf *b);
/* Frees the storage; the buffer is empty and reusable afterwards. */
void gc_buf_release(struct gc_buf *b);
/* Makes room for at least EXTRA more bytes (plus the terminator). */
void gc_buf_grow(struct gc_buf *b, size_t extra);
void gc_buf_reset(struct gc_buf *b);
void gc_buf_adds(struct gc_buf *b, const char *s);
void gc_buf_addf(struct gc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Appends are inline: canonical JSON is written a byte at a time, and the
 * call would cost more than the copy.
 */
static inline void gc_buf_add(struct gc_buf *b, const void *data, size_t n)
{
    if (b->cap == 0 || n >= b->cap - b->len)
        gc_buf_grow(b, n);
    memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

static inline void gc_buf_addc(struct gc_buf *b, char c)
{
    if (b->cap == 0 || b->len + 1 >= b->cap)
        gc_buf_grow(b, 1);
    b->ptr[b->len++] = c;
    b->ptr[b->len] = '\0';
}

#endif
