/*
 * gc_prom — one line of the Prometheus text exposition format, version 0.0.4
 * (what a /metrics endpoint serves), parsed strictly and without copying
 * what needs no copy. It knows nothing about any exporter: the caller picks
 * the metrics and labels it wants and converts the value.
 *
 * Accepted, with blanks (spaces or tabs) allowed before the metric name,
 * around every token inside the braces and between the parts:
 *
 *   metric_name [ "{" [ label "=" "\"" value "\"" { "," label ... } [ "," ] ] "}" ]
 *       value [ timestamp ]
 *
 * - metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*;
 *   "__name__" is reserved and refused, so is a label named twice, so are more
 *   than GC_PROM_MAX_LABELS labels;
 * - label values are double-quoted, with the escapes \\ \" and \n only;
 * - at least one blank comes before the value and before the timestamp;
 * - the value is the shape of a Go float: [+-]digits[.digits][(e|E)[+-]digits]
 *   (".5" and "1." too), or NaN, Inf, +Inf, -Inf, Infinity, +Infinity,
 *   -Infinity in any letter case; it is not converted, so its range is the
 *   caller's to check;
 * - the timestamp is an int64 of milliseconds since the epoch, decimal, with
 *   an optional '-';
 * - one trailing '\r' is removed first; a NUL byte or a '\n' anywhere is refused.
 *
 * The format is UTF-8, but bytes are not checked here: as with
 * gc_json_parse_object, a caller that needs valid UTF-8 checks the whole line
 * with gc_utf8_valid first. The escapes are ASCII, so the label values of a
 * valid line are valid once unescaped.
 *
 * A line whose first non-blank byte is '#' (# HELP, # TYPE, any other comment)
 * is a comment, skipped without looking further.
 */
#ifndef GC_PROM_H
#define GC_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_buf.h"
#include "gc_err.h"

#define GC_PROM_MAX_LABELS 32

/*
 * One label. NAME points into the line and is not NUL-terminated. VALUE is
 * the unescaped value in the scratch buffer, NUL-terminated (VALUE[VALUE_LEN]
 * is '\0'; it holds no other NUL).
 */
struct gc_prom_label {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/*
 * One sample. METRIC and VALUE point into the line and are not NUL-terminated;
 * LABELS[0..N_LABELS) are in the order written.
 */
struct gc_prom_sample {
    const char *metric;
    size_t metric_len;
    struct gc_prom_label labels[GC_PROM_MAX_LABELS];
    size_t n_labels;
    const char *value; /* the value text as written, e.g. "245.5", "1.2e+06", "NaN", "+Inf" */
    size_t value_len;
    bool has_ts;   /* a timestamp was written */
    int64_t ts_ms; /* the timestamp, milliseconds since the epoch; 0 when !has_ts */
};

/*
 * Parses LINE[0..LEN) (the line without its '\n'). Returns 1 and fills S for a
 * sample; 0 for a blank line or a comment; -1 for a malformed line, with F
 * filled: reason "bad_prom", and a detail such as "unterminated label value at
 * column 17" (columns count bytes of LINE from 1).
 *
 * SCRATCH is reset by the call and receives the unescaped label values. S
 * borrows from LINE and SCRATCH: it is valid while LINE is unchanged and until
 * SCRATCH is next reset, grown or released, which the next call does. The
 * caller owns LINE, S, SCRATCH (released with gc_buf_release) and F. After 0
 * or -1, S holds no sample (n_labels 0, metric and value NULL).
 */
int gc_prom_parse_line(const char *line, size_t len, struct gc_prom_sample *s,
                       struct gc_buf *scratch, struct gc_fail *f);

/*
 * The value of the label named NAME (a NUL-terminated string) in S, or NULL
 * when S has no such label. The value borrows from S's scratch buffer, with
 * the same lifetime as S; it is NUL-terminated and its length goes to *LEN
 * unless LEN is NULL.
 */
const char *gc_prom_label(const struct gc_prom_sample *s, const char *name, size_t *len);

#endif
