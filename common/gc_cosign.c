#include "gc_cosign.h"

#include <stdlib.h>
#include <string.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "gc_signed.h"
#include "banned.h"

/* The canonical bytes validators sign: the snapshot without its sigs. */
static void signed_bytes(const json_t *rec, struct gc_buf *msg)
{
    gc_buf_reset(msg);
    gc_jcs_append_without(msg, rec, "sigs", NULL);
}

void gc_snapshot_hash(const json_t *rec, struct gc_buf *msg, uint8_t hash[GC_SHA256_LEN])
{
    signed_bytes(rec, msg);
    gc_sha256(msg->ptr, msg->len, hash);
}

static bool sigs_of(const json_t *rec, json_t **sigs, struct gc_fail *f)
{
    *sigs = json_object_get(rec, "sigs");
    if (*sigs != NULL && !json_is_array(*sigs))
        return gc_fail(f, "bad_field", "field 'sigs' must be an array");
    return true;
}

static int sig_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;

    return strcmp(json_string_value(json_object_get(x, "key")),
                  json_string_value(json_object_get(y, "key")));
}

bool gc_cosign(json_t *rec, const struct gc_key *key, struct gc_buf *out, struct gc_fail *f)
{
    char pk[2 * GC_PUBKEY_LEN + 1], sig_hex[2 * GC_SIG_LEN + 1];
    struct gc_buf msg = GC_BUF_INIT;
    uint8_t sig[GC_SIG_LEN];
    json_t *sigs, *fresh, **list;
    size_t n = 0;

    if (!sigs_of(rec, &sigs, f))
        return false;
    gc_hex_encode(key->pk, GC_PUBKEY_LEN, pk);
    signed_bytes(rec, &msg);
    gc_key_sign(key, msg.ptr, msg.len, sig);
    gc_buf_release(&msg);
    gc_hex_encode(sig, GC_SIG_LEN, sig_hex);

    list = gc_xcalloc(json_array_size(sigs) + 2, sizeof(*list));
    for (size_t i = 0; i < json_array_size(sigs); i++) {
        json_t *s = json_array_get(sigs, i);
        const char *k;

        if (!json_is_object(s)) {
            free(list);
            return gc_fail(f, "bad_field", "a sig is not an object");
        }
        if (!gc_field_str(s, "key", &k, NULL, f)) {
            free(list);
            return false;
        }
        if (strcmp(k, pk) != 0) /* this validator's earlier signature is replaced */
            list[n++] = json_incref(s);
    }
    list[n++] = json_pack("{s:s, s:s}", "key", pk, "sig", sig_hex);
    qsort(list, n, sizeof(*list), sig_cmp);
    fresh = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(fresh, list[i]);
    free(list);
    json_object_set_new(rec, "sigs", fresh);
    gc_buf_reset(out);
    gc_jcs_append(out, rec);
    return true;
}

bool gc_quorum_check(const json_t *rec, const struct gc_map *validators, int64_t quorum,
                     struct gc_fail *f)
{
    struct gc_buf msg = GC_BUF_INIT;
    json_t *sigs;
    int64_t valid = 0;
    struct gc_map seen = GC_MAP_INIT; /* keys counted: each validator once */

    if (!sigs_of(rec, &sigs, f))
        return false;
    signed_bytes(rec, &msg);
    for (size_t i = 0; i < json_array_size(sigs); i++) {
        const json_t *s = json_array_get(sigs, i);
        uint8_t pk[GC_PUBKEY_LEN], sig[GC_SIG_LEN];
        const char *k;

        if (!json_is_object(s)) {
            gc_fail(f, "bad_field", "a sig is not an object");
            valid = -1;
            break;
        }
        if (!gc_field_str(s, "key", &k, NULL, f) || !gc_field_hex(s, "key", pk, sizeof(pk), f) ||
            !gc_field_hex(s, "sig", sig, sizeof(sig), f)) {
            valid = -1;
            break;
        }
        /* Only listed validators count, each once, and only with a signature that verifies. */
        if (gc_map_get(&seen, k) != NULL || gc_map_get(validators, k) == NULL ||
            !gc_sig_verify(pk, msg.ptr, msg.len, sig))
            continue;
        gc_map_put(&seen, k, (void *)k);
        valid++;
    }
    gc_buf_release(&msg);
    gc_map_release(&seen);
    if (valid < 0)
        return false;
    if (valid < quorum)
        return gc_fail(f, "no_quorum", "%lld valid signatures of listed validators, %lld needed",
                       (long long)valid, (long long)quorum);
    return true;
}

bool gc_validator_add(void *validators_map, json_t *rec, struct gc_fail *f)
{
    return gc_pubkey_set_add(validators_map, rec, "validator", f);
}
