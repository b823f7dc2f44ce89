/*
 * gc_verdict — what gc-verify finds out about one input line before its
 * place in the stream matters, and the records of `gc-verify --partial` that
 * carry it to `gc-verify merge` (gc-records(5), "Partial verification").
 *
 * A signature needs nothing but the record, so it can be checked anywhere,
 * on any thread or host, in any order. A chain link, a position's owner or a
 * replay needs everything before it, so it is judged in input order, from
 * the verdict, without the record's signature being checked again.
 */
#ifndef GC_VERDICT_H
#define GC_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_io.h"

enum gc_verdict_kind {
    GC_VERDICT_REJECT, /* refused whatever came before: FAIL says why */
    GC_VERDICT_PASS,   /* accepted whatever came before (a snapshot, a proof) */
    GC_VERDICT_LINK,   /* an authentic attestation: its place in the chain decides */
    GC_VERDICT_BOOK,   /* a package, position or move: judged in order by the book */
};

struct gc_verdict {
    enum gc_verdict_kind kind;
    /* REJECT: why. LINK: the content check it failed, reason NULL if none. */
    struct gc_fail fail;
    /* LINK: the attestation's place */
    char device[65];
    int64_t seq, ts;
    uint8_t prev[GC_SHA256_LEN], hash[GC_SHA256_LEN];
    char reason[40]; /* a parsed verdict's reason: FAIL.reason points here, so never copy one */
};

/* The record types of the partial stream, in the order they come. */
enum gc_partial_mark {
    GC_PARTIAL_BEGIN, /* the lines of SOURCE follow */
    GC_PARTIAL_UNIT,  /* one input line: its verdict, then the line itself */
    GC_PARTIAL_END,   /* SOURCE had LINES lines, BYTES bytes in all */
};

/* Appends the verdict record of LINE (its number, offset and length) and '\n'. */
void gc_verdict_format(const struct gc_verdict *v, const struct gc_line *line, struct gc_buf *out);

/* Appends the begin or end record of SOURCE and '\n'. */
void gc_partial_format_begin(const char *source, struct gc_buf *out);
void gc_partial_format_end(const char *source, uint64_t lines, uint64_t bytes, struct gc_buf *out);

/*
 * Reads one record of the partial stream. A unit fills V, and LINE's
 * line_no, offset and total_len (0 when the line was not cut); begin and
 * end give SOURCE (borrowed from REC), end LINES and BYTES. Fails
 * "bad_field" on anything gc_verdict_format would not have written.
 */
bool gc_partial_parse(const json_t *rec, enum gc_partial_mark *mark, struct gc_verdict *v,
                      struct gc_line *line, const char **source, uint64_t *lines, uint64_t *bytes,
                      struct gc_fail *f);

#endif
