/* gc_hex — lowercase hexadecimal, strict in both directions. */
#ifndef GC_HEX_H
#define GC_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes 2*N lowercase hex digits and a NUL into OUT. */
void gc_hex_encode(const uint8_t *bin, size_t n, char *out);

/*
 * Decodes exactly 2*N lowercase hex digits from HEX (HEX_LEN must be 2*N).
 * Upper case, odd length or any other character is refused: signatures and
 * keys have one spelling, so a record hash cannot vary with the case of a field.
 */
bool gc_hex_decode(const char *hex, size_t hex_len, uint8_t *bin, size_t n);

#endif
