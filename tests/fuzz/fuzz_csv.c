/*
 * fuzz_csv — one CSV record per line (gc_csv_split, gc_csv_column), what the nvidia-smi and
 * meter CSV importers split every line with.
 *
 * The input is the line; its first byte picks trimming (odd: trim, as for nvidia-smi). Properties:
 *   - 1..GC_CSV_MAX_FIELDS fields, each NUL-terminated at its length inside the row's buffer;
 *   - without trimming, a line of fields with no quote, comma or '\r' is split at its commas
 *     into exactly those bytes;
 *   - the fields written back as a CSV line, every field quoted, split again (without
 *     trimming) into the same fields;
 *   - gc_csv_column finds each field's text at its first occurrence.
 */
#include "harness.h"

#include <string.h>

#include "gc_csv.h"
#include "banned.h"

static void check_row(const struct gc_csv_row *row)
{
    FUZZ_CHECK(row->n >= 1 && row->n <= GC_CSV_MAX_FIELDS, "%zu fields", row->n);
    for (size_t i = 0; i < row->n; i++) {
        const char *p = row->field[i];

        FUZZ_CHECK(p >= row->buf.ptr && p + row->len[i] < row->buf.ptr + row->buf.len + 1,
                   "field %zu outside the buffer", i);
        FUZZ_CHECK(p[row->len[i]] == '\0', "field %zu is not terminated", i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line;
    bool trim;
    struct gc_csv_row row, again;
    struct gc_fail f = {NULL, ""};
    struct gc_buf out = GC_BUF_INIT;

    fuzz_init();
    if (size == 0)
        return 0;
    trim = data[0] & 1;
    line = (const char *)data + 1;
    size--;
    gc_csv_row_init(&row);
    gc_csv_row_init(&again);
    if (!gc_csv_split(line, size, trim, &row, &f)) {
        fuzz_check_fail(&f);
        goto out;
    }
    check_row(&row);

    /* Plain fields: the commas are the only structure. */
    if (!trim && memchr(line, '"', size) == NULL && memchr(line, '\r', size) == NULL) {
        size_t at = 0;

        for (size_t i = 0; i < row.n; i++) {
            FUZZ_CHECK(at + row.len[i] <= size && memcmp(row.field[i], line + at, row.len[i]) == 0,
                       "field %zu is not the text between its commas", i);
            at += row.len[i];
            FUZZ_CHECK(i + 1 == row.n ? at == size : line[at] == ',', "field %zu ends wrong", i);
            at++;
        }
    }

    /* Written back with every field quoted, it splits the same (fields may hold NULs). */
    for (size_t i = 0; i < row.n; i++) {
        if (i)
            gc_buf_addc(&out, ',');
        gc_buf_addc(&out, '"');
        for (size_t k = 0; k < row.len[i]; k++) {
            if (row.field[i][k] == '"')
                gc_buf_addc(&out, '"');
            gc_buf_addc(&out, row.field[i][k]);
        }
        gc_buf_addc(&out, '"');
    }
    f.reason = NULL;
    FUZZ_CHECK(gc_csv_split(out.ptr, out.len, false, &again, &f), "quoted form refused: %s: %s",
               f.reason, f.detail);
    check_row(&again);
    FUZZ_CHECK(again.n == row.n, "%zu fields, then %zu", row.n, again.n);
    for (size_t i = 0; i < row.n; i++)
        FUZZ_CHECK(again.len[i] == row.len[i] &&
                       memcmp(again.field[i], row.field[i], row.len[i]) == 0,
                   "field %zu changed", i);

    for (size_t i = 0; i < row.n; i++) {
        int c;

        if (strlen(row.field[i]) != row.len[i])
            continue; /* a NUL inside: a C string cannot name it */
        c = gc_csv_column(&row, row.field[i]);
        FUZZ_CHECK(c >= 0 && (size_t)c <= i && strcmp(row.field[c], row.field[i]) == 0,
                   "column of field %zu is %d", i, c);
    }
out:
    gc_csv_row_release(&row);
    gc_csv_row_release(&again);
    gc_buf_release(&out);
    return 0;
}
