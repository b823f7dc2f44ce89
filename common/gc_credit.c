#include "gc_credit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_json.h"
#include "gc_num.h"
#include "banned.h"

void gc_credit_book_init(struct gc_credit_book *b, const char *accrual_type,
                         const char *credit_type, const char *source_field,
                         const char *amount_field, int64_t unit)
{
    memset(b, 0, sizeof(*b));
    b->accrual_type = accrual_type;
    b->credit_type = credit_type;
    b->source_field = source_field;
    b->amount_field = amount_field;
    b->unit = unit;
}

void gc_credit_book_release(struct gc_credit_book *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->q[i].id);
    free(b->q);
    gc_map_release(&b->index);
}

/* The list field of a credit: the source field's plural ("allocations"). */
static void list_field(const struct gc_credit_book *b, char *out, size_t size)
{
    snprintf(out, size, "%ss", b->source_field);
}

static bool push(struct gc_credit_book *b, const char *id, int64_t amount, struct gc_fail *f)
{
    if (gc_map_get(&b->index, id) != NULL)
        return gc_fail(f, "chain_break", "%s %.16s… is accrued twice", b->source_field, id);
    if (!gc_add_i64(b->carried, amount, &b->carried))
        return gc_fail(f, "bad_number", "the amount carried passes 63 bits");
    b->q = gc_grow(b->q, &b->cap, b->n + 1, sizeof(*b->q), 64);
    b->q[b->n].id = gc_xstrdup(id);
    b->q[b->n].left = amount;
    gc_map_put(&b->index, b->q[b->n].id, (void *)(uintptr_t)(b->n + 1));
    b->n++;
    return true;
}

/* Takes one unit from the queue, oldest first, into a new credit record. */
static json_t *carve(struct gc_credit_book *b)
{
    char key[96], list[64];
    json_t *parts = json_array(), *retires = json_array(), *rec;
    int64_t need = b->unit;

    while (need > 0) {
        struct gc_credit_src *s = &b->q[b->head];
        int64_t take = s->left < need ? s->left : need;

        if (s->left == 0) { /* accrued nothing: nothing to retire */
            b->head++;
            continue;
        }

        if (take > 0)
            gc_json_append(parts, json_pack("{s:s, s:I}", b->source_field, s->id, b->amount_field,
                                            (json_int_t)take));
        s->left -= take;
        need -= take;
        if (s->left == 0) {
            gc_json_append(retires, json_string(s->id));
            b->head++;
        }
    }
    b->carried -= b->unit;
    b->serial++;
    snprintf(key, sizeof(key), "%s:%lld", b->credit_type, (long long)b->serial);
    list_field(b, list, sizeof(list));
    rec = json_pack("{s:s, s:i, s:s, s:I, s:I, s:o, s:o}", "type", b->credit_type, "v", 1, "key",
                    key, "serial", (json_int_t)b->serial, b->amount_field, (json_int_t)b->unit,
                    list, parts, "retires", retires);
    if (rec == NULL)
        gc_die(GC_EX_SOFTWARE, "out of memory");
    return rec;
}

bool gc_credit_accrue(struct gc_credit_book *b, const char *id, int64_t amount, json_t *accrual,
                      json_t *out, struct gc_fail *f)
{
    char key[160];

    if (amount < 0)
        return gc_fail(f, "bad_number", "a negative amount to accrue");
    if (!push(b, id, amount, f))
        return false;
    snprintf(key, sizeof(key), "%s:%s", b->accrual_type, id);
    gc_json_set(accrual, "key", json_string(key));
    gc_json_set(accrual, b->source_field, json_string(id));
    gc_json_set(accrual, b->amount_field, json_integer(amount));
    gc_json_append(out, accrual);
    gc_credit_flush(b, out);
    return true;
}

void gc_credit_flush(struct gc_credit_book *b, json_t *out)
{
    while (b->carried >= b->unit)
        gc_json_append(out, carve(b));
}

/* A credit from the ledger: each part must be what the queue holds, oldest first. */
static bool replay_credit(struct gc_credit_book *b, const json_t *rec, struct gc_fail *f)
{
    char list[64];
    const json_t *parts, *part;
    int64_t serial, total = 0;
    size_t i;

    list_field(b, list, sizeof(list));
    parts = json_object_get(rec, list);
    if (!gc_field_int(rec, "serial", 1, INT64_MAX, &serial, f))
        return false;
    if (serial != b->serial + 1 || !json_is_array(parts))
        return gc_fail(f, "chain_break", "%s %lld out of sequence", b->credit_type,
                       (long long)serial);
    while (b->head < b->n && b->q[b->head].left == 0)
        b->head++;
    json_array_foreach(parts, i, part)
    {
        const char *id;
        int64_t take;
        uintptr_t at;

        if (!gc_field_str(part, b->source_field, &id, NULL, f) ||
            !gc_field_int(part, b->amount_field, 1, b->unit, &take, f))
            return false;
        at = (uintptr_t)gc_map_get(&b->index, id);
        if (at == 0 || at - 1 < b->head || b->q[at - 1].left < take)
            return gc_fail(f, "chain_break", "%s %lld takes %lld from %.16s…, which has less left",
                           b->credit_type, (long long)serial, (long long)take, id);
        b->q[at - 1].left -= take;
        total += take;
    }
    if (total != b->unit)
        return gc_fail(f, "chain_break", "%s %lld is not one whole unit", b->credit_type,
                       (long long)serial);
    b->carried -= total;
    b->serial = serial;
    return true;
}

bool gc_credit_replay(struct gc_credit_book *b, const json_t *rec, struct gc_fail *f)
{
    const char *type = json_string_value(json_object_get(rec, "type"));
    const char *id;
    int64_t amount;

    if (type == NULL)
        return true;
    if (strcmp(type, b->credit_type) == 0)
        return replay_credit(b, rec, f);
    if (strcmp(type, b->accrual_type) != 0)
        return true;
    return gc_field_str(rec, b->source_field, &id, NULL, f) &&
           gc_field_int(rec, b->amount_field, 0, INT64_MAX, &amount, f) && push(b, id, amount, f);
}
