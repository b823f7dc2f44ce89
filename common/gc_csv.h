/*
 * gc_csv — one CSV record per line (RFC 4180 fields: comma-separated,
 * double-quoted where they hold commas or quotes, "" for a quote). A quoted
 * field may not span lines: meter exports do not need it, and a line is the
 * unit every gc reject names.
 */
#ifndef GC_CSV_H
#define GC_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "gc_buf.h"
#include "gc_err.h"

#define GC_CSV_MAX_FIELDS 256

struct gc_csv_row {
    size_t n;
    const char *field[GC_CSV_MAX_FIELDS]; /* NUL-terminated, in buf */
    size_t len[GC_CSV_MAX_FIELDS];
    struct gc_buf buf;
};

void gc_csv_row_init(struct gc_csv_row *row);
void gc_csv_row_release(struct gc_csv_row *row);

/*
 * Splits LINE[0..LEN) (a trailing '\r' is dropped) into ROW. With TRIM,
 * blanks around unquoted fields are removed (nvidia-smi writes ", ").
 * Fails with reason "bad_csv": a quote inside an unquoted field, text after
 * a closing quote, an unterminated quote, more than GC_CSV_MAX_FIELDS fields.
 */
bool gc_csv_split(const char *line, size_t len, bool trim, struct gc_csv_row *row,
                  struct gc_fail *f);

/* The index of the field equal to NAME in a header ROW, or -1. */
int gc_csv_column(const struct gc_csv_row *row, const char *name);

#endif
