/*
 * gc_json — strict JSON records on top of jansson, and RFC 8785 canonical form.
 *
 * Ownership follows jansson: functions returning json_t * return a new
 * reference the caller must json_decref; "get" functions borrow.
 */
#ifndef GC_JSON_H
#define GC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_err.h"

/*
 * True if one of the eight bytes of W (eight bytes of a string, read at once) ends a plain run
 * of a JSON string: a control character, '"' or '\\'. The readers and the RFC 8785 writer skip
 * eight bytes at a time while it is false.
 */
static inline bool gc_json_word_stops(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');

    /* (x - ones * n) & ~x & highs is nonzero exactly when a byte of x is below n (n <= 0x80) */
    return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
            ((backslash - ones) & ~backslash)) &
           highs;
}

/*
 * Parses one NDJSON line into an object. Refuses (reason "bad_json") a syntax
 * error, a NUL byte, duplicate keys, \u0000 in a string and anything that is
 * not an object; an integer too large for 64 bits is "bad_field", and so is a
 * real from 2^63 to 10^21, whose canonical form is such an integer. The line
 * must already be valid UTF-8 (see gc_utf8_valid). Returns a new reference or
 * NULL with F filled.
 */
json_t *gc_json_parse_object(const char *line, size_t len, struct gc_fail *f);

/* True if S[0..LEN) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
 */
bool gc_utf8_valid(const char *s, size_t len);

/*
 * Appends the RFC 8785 canonical serialization of V to OUT: object members
 * sorted by the UTF-16 code units of their names, no whitespace, ECMAScript
 * string escaping, reals in ECMAScript Number::toString form. Integers are
 * written exactly in decimal even beyond 2^53 (records carry 64-bit integers;
 * the RFC would round them through a double).
 */
void gc_jcs_append(struct gc_buf *out, const json_t *v);

/*
 * The same for an object, leaving out the member named SKIP (e.g. "sig").
 * When SKIP_AT is not NULL it receives the offset in OUT where a member named
 * SKIP belongs in canonical order: just after '{' or after the last member
 * whose name sorts before it. gc_jcs_insert_member puts one there.
 */
void gc_jcs_append_without(struct gc_buf *out, const json_t *obj, const char *skip,
                           size_t *skip_at);

/*
 * Copies the canonical object CANON[0..LEN) to OUT with the member
 * "NAME":VALUE (VALUE already serialized) inserted at offset AT from
 * gc_jcs_append_without: signing adds "sig" without serializing twice.
 */
void gc_jcs_insert_member(struct gc_buf *out, const char *canon, size_t len, size_t at,
                          const char *name, const char *value, size_t value_len);

/* Appends the ECMAScript Number::toString form of a finite double. */
void gc_jcs_append_double(struct gc_buf *out, double d);

/* Appends S[0..LEN) as a JSON string with RFC 8785 escaping. */
void gc_jcs_append_string(struct gc_buf *out, const char *s, size_t len);

/*
 * Strict field access. Each looks up KEY in OBJ and fails with reason
 * "bad_field" when the member is missing or its type or value is wrong, the
 * detail naming the field. Optional fields are tested with gc_field_present
 * first.
 */
bool gc_field_present(const json_t *obj, const char *key);
/* An integer in [MIN, MAX]; 1.0, 1e3 and "1" are refused. */
bool gc_field_int(const json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
                  struct gc_fail *f);
/* A string; *OUT borrows from OBJ. */
bool gc_field_str(const json_t *obj, const char *key, const char **out, size_t *len,
                  struct gc_fail *f);
/* An id: [a-z0-9][a-z0-9._-]{0,63}. */
bool gc_field_id(const json_t *obj, const char *key, const char **out, struct gc_fail *f);
/* An id copied into OUT (65 bytes), for records that outlive their JSON. */
bool gc_field_id_copy(const json_t *obj, const char *key, char out[65], struct gc_fail *f);
/* An RFC 3339 UTC timestamp (gc_time), as seconds since the epoch. */
bool gc_field_time(const json_t *obj, const char *key, int64_t *out_s, struct gc_fail *f);
/* Exactly N bytes as 2N lowercase hex digits. */
bool gc_field_hex(const json_t *obj, const char *key, uint8_t *out, size_t n, struct gc_fail *f);
/* A string equal to WANT (e.g. the record type). */
bool gc_field_const(const json_t *obj, const char *key, const char *want, struct gc_fail *f);

/*
 * The same judgements on a member already found: V is the value (NULL when
 * the member is absent), KEY its name for messages. Decoders that read many
 * fields pick them in one pass with gc_json_pick and judge them here.
 */
bool gc_value_int(const json_t *v, const char *key, int64_t min, int64_t max, int64_t *out,
                  struct gc_fail *f);
bool gc_value_str(const json_t *v, const char *key, const char **out, size_t *len,
                  struct gc_fail *f);
bool gc_value_id(const json_t *v, const char *key, const char **out, struct gc_fail *f);
bool gc_value_time(const json_t *v, const char *key, int64_t *out_s, struct gc_fail *f);
bool gc_value_hex(const json_t *v, const char *key, uint8_t *out, size_t n, struct gc_fail *f);
bool gc_value_const(const json_t *v, const char *key, const char *want, struct gc_fail *f);

/*
 * One pass over OBJ: VALUES[i] gets the member named NAMES[i], or NULL when
 * there is none (borrowed references). Cheaper than N lookups for a record's
 * dozen fields.
 */
void gc_json_pick(const json_t *obj, const char *const *names, size_t n, const json_t **values);

/* Time T as a JSON string in the records' RFC 3339 form (a new reference). */
json_t *gc_json_time(int64_t t);

/* True if S is an id: [a-z0-9][a-z0-9._-]{0,63}. */
bool gc_id_valid(const char *s, size_t len);

/*
 * Building records: sets KEY of OBJ to V (taking V's reference), appends V to
 * ARR; both exit 70 when V is NULL or memory runs out, so callers need not check.
 */
void gc_json_set(json_t *obj, const char *key, json_t *v);
void gc_json_append(json_t *arr, json_t *v);

/* A JSON string of BIN's N bytes (at most 64) in lowercase hex. */
json_t *gc_json_hex(const uint8_t *bin, size_t n);

#endif
