#include "gc_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gc_err.h"
#include "banned.h"

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct gc_map_slot *find(const struct gc_map *m, const char *key)
{
    size_t i = (size_t)fnv1a(key) & (m->cap - 1);

    while (m->slots[i].key != NULL && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

void *gc_map_get(const struct gc_map *m, const char *key)
{
    return m->cap ? find(m, key)->value : NULL;
}

static void grow(struct gc_map *m)
{
    struct gc_map old = *m;

    m->cap = old.cap ? old.cap * 2 : 16;
    m->slots = gc_xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key != NULL)
            *find(m, old.slots[i].key) = old.slots[i];
    free(old.slots);
}

void gc_map_put(struct gc_map *m, const char *key, void *value)
{
    struct gc_map_slot *s;

    if ((m->n + 1) * 4 > m->cap * 3) /* keep the load under 3/4 */
        grow(m);
    s = find(m, key);
    if (s->key == NULL)
        m->n++;
    s->key = key;
    s->value = value;
}

static int slot_cmp(const void *a, const void *b)
{
    return strcmp(((const struct gc_map_slot *)a)->key, ((const struct gc_map_slot *)b)->key);
}

void **gc_map_sorted_values(const struct gc_map *m)
{
    struct gc_map_slot *live = calloc(m->n + 1, sizeof(*live));
    void **out = calloc(m->n + 1, sizeof(*out));
    size_t k = 0;

    if (live == NULL || out == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key != NULL)
            live[k++] = m->slots[i];
    qsort(live, k, sizeof(*live), slot_cmp);
    for (size_t i = 0; i < k; i++)
        out[i] = live[i].value;
    free(live);
    return out;
}

void gc_map_release(struct gc_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}
