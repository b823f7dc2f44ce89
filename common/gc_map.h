/*
 * gc_map — a string-keyed hash table of pointers (open addressing, FNV-1a).
 *
 * The map does not own keys or values: a value usually embeds its own key
 * (a device id), and the caller frees values, e.g. via gc_map_values.
 */
#ifndef GC_MAP_H
#define GC_MAP_H

#include <stddef.h>

struct gc_map_slot {
    const char *key;
    void *value;
};

struct gc_map {
    struct gc_map_slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t n;
};

#define GC_MAP_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void *gc_map_get(const struct gc_map *m, const char *key);
/* Inserts or replaces; KEY must live as long as the entry. */
void gc_map_put(struct gc_map *m, const char *key, void *value);
/* Values in key order (strcmp), in a new array of m->n pointers the caller frees. */
void **gc_map_sorted_values(const struct gc_map *m);
void gc_map_release(struct gc_map *m);

#endif
