/*
 * gc_amm_line — amm.swap events read straight from their NDJSON line, for
 * gc-amm run's speed: no JSON tree, no allocation, and the canonical form
 * (RFC 8785) the event hash needs written from the line's own bytes, or
 * the line itself when it is canonical already.
 *
 * Only the plainest shape is read here: one object whose members are ASCII
 * strings without escapes or integers from 0 to 2^63 - 1, all of a swap's
 * members well-formed. Anything else, valid or not, is left to the general
 * path (gc_json_parse_object, then gc_amm_apply_lines), which judges it:
 * every refusal of a line's form comes from there, with its exact reason and
 * message, and every line read here means what that path reads in it.
 */
#ifndef GC_AMM_LINE_H
#define GC_AMM_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_amm.h"
#include "gc_buf.h"
#include "gc_time.h"

/* What gc_amm_read_swap keeps from line to line; zeroed is ready. */
struct gc_amm_reader {
    struct gc_buf scratch; /* the canonical form of a line that is not canonical itself */
    char ts[GC_TIME_LEN];  /* the last "ts" read, and its time */
    int64_t ts_s;
    bool has_ts;
};

/* Frees what RD holds; it is ready again after. */
void gc_amm_reader_release(struct gc_amm_reader *rd);

/*
 * Reads LINE[0..LEN) into S when it is an amm.swap of the plain shape, at its "ts" or else at
 * NOW (unless that is GC_AMM_NO_TIME). False otherwise, S then undefined: the caller parses the
 * line as JSON.
 */
bool gc_amm_read_swap(struct gc_amm_reader *rd, const char *line, size_t len, int64_t now,
                      struct gc_amm_swap *s);

#endif
