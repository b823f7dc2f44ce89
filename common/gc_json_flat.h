/*
 * gc_json_flat — the members of a flat JSON object read straight from its
 * line, without a tree, for the programs' fast paths (gc-amm run's swaps,
 * gc-attest sign's readings). Only the plainest form is read: string names
 * and values of ASCII from 0x20 to 0x7f without escapes (no '\\'), and integers from 0 to
 * 2^63 - 1 in their shortest form. Such a member means exactly what the
 * general path (gc_json_parse) reads in it, and its bytes are its canonical
 * form (RFC 8785). Anything else is "not plain", valid JSON or not, and goes
 * the general way, so every refusal comes from one place.
 */
#ifndef GC_JSON_FLAT_H
#define GC_JSON_FLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gc_json_member {
    const char *key; /* the name's bytes, without quotes */
    size_t key_len;
    const char *val; /* the value's bytes: a string's with its quotes, an integer's digits */
    size_t val_len;
    bool str;
    int64_t num; /* an integer's value */
};

/*
 * The members of the object on LINE[0..LEN) into M, in line order, at most
 * MAX; -1 when it has none, more than MAX or one not plain, or is not one
 * object with only whitespace around it. Names are not checked for repeats.
 */
int gc_json_flat_members(const char *line, size_t len, struct gc_json_member *m, int max);

/* Whether M's name is NAME. */
bool gc_json_member_is(const struct gc_json_member *m, const char *name);

#endif
