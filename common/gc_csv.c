#include "gc_csv.h"

#include <string.h>

#include "banned.h"

void gc_csv_row_init(struct gc_csv_row *row)
{
    row->n = 0;
    gc_buf_init(&row->buf);
}

void gc_csv_row_release(struct gc_csv_row *row)
{
    gc_buf_release(&row->buf);
    row->n = 0;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

bool gc_csv_split(const char *line, size_t len, bool trim, struct gc_csv_row *row,
                  struct gc_fail *f)
{
    size_t i = 0, starts[GC_CSV_MAX_FIELDS];

    if (len > 0 && line[len - 1] == '\r')
        len--;
    row->n = 0;
    gc_buf_reset(&row->buf);
    /* Fields are copied into buf first and pointed at afterwards: buf may move as it grows. */
    for (;;) {
        size_t start;

        if (row->n == GC_CSV_MAX_FIELDS)
            return gc_fail(f, "bad_csv", "more than %d fields", GC_CSV_MAX_FIELDS);
        while (trim && i < len && blank(line[i]))
            i++;
        start = row->buf.len;
        if (i < len && line[i] == '"') {
            for (i++;; i++) {
                if (i >= len)
                    return gc_fail(f, "bad_csv", "unterminated quote in field %zu", row->n + 1);
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        gc_buf_addc(&row->buf, '"');
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                gc_buf_addc(&row->buf, line[i]);
            }
            while (trim && i < len && blank(line[i]))
                i++;
            if (i < len && line[i] != ',')
                return gc_fail(f, "bad_csv", "text after the closing quote of field %zu",
                               row->n + 1);
        } else {
            size_t end = i;

            while (end < len && line[end] != ',') {
                if (line[end] == '"')
                    return gc_fail(f, "bad_csv", "quote inside unquoted field %zu", row->n + 1);
                end++;
            }
            size_t stop = end;
            while (trim && stop > i && blank(line[stop - 1]))
                stop--;
            gc_buf_add(&row->buf, line + i, stop - i);
            i = end;
        }
        gc_buf_addc(&row->buf, '\0');
        starts[row->n] = start;
        row->len[row->n] = row->buf.len - 1 - start;
        row->n++;
        if (i >= len)
            break;
        i++; /* the comma */
    }
    for (size_t k = 0; k < row->n; k++)
        row->field[k] = row->buf.ptr + starts[k];
    return true;
}

int gc_csv_column(const struct gc_csv_row *row, const char *name)
{
    for (size_t i = 0; i < row->n; i++)
        if (strcmp(row->field[i], name) == 0)
            return (int)i;
    return -1;
}
