#include "gc_signed.h"

#include <stdlib.h>

#include "gc_hex.h"
#include "gc_json.h"
#include "banned.h"

void gc_signed_prepare(const json_t *rec, struct gc_buf *msg, size_t *sig_at,
                       uint8_t hash[GC_SHA256_LEN])
{
    gc_buf_reset(msg);
    gc_jcs_append_without(msg, rec, "sig", sig_at);
    gc_sha256(msg->ptr, msg->len, hash);
}

void gc_signed_finish(const struct gc_key *key, const struct gc_buf *msg, size_t sig_at,
                      struct gc_buf *out)
{
    char sig_hex[2 * GC_SIG_LEN + 3];
    uint8_t sig[GC_SIG_LEN];

    gc_key_sign(key, msg->ptr, msg->len, sig);
    sig_hex[0] = '"';
    gc_hex_encode(sig, GC_SIG_LEN, sig_hex + 1);
    sig_hex[2 * GC_SIG_LEN + 1] = '"';
    gc_buf_reset(out);
    gc_jcs_insert_member(out, msg->ptr, msg->len, sig_at, "sig", sig_hex, 2 * GC_SIG_LEN + 2);
}

void gc_signed_seal(const json_t *rec, const struct gc_key *key, struct gc_buf *msg,
                    struct gc_buf *out, uint8_t hash[GC_SHA256_LEN])
{
    size_t sig_at;

    gc_signed_prepare(rec, msg, &sig_at, hash);
    gc_signed_finish(key, msg, sig_at, out);
}

void gc_signed_hash(const json_t *rec, struct gc_buf *msg, uint8_t hash[GC_SHA256_LEN])
{
    gc_buf_reset(msg);
    gc_jcs_append_without(msg, rec, "sig", NULL);
    gc_sha256(msg->ptr, msg->len, hash);
}

bool gc_signed_check(const json_t *rec, const uint8_t sig[GC_SIG_LEN],
                     const uint8_t pk[GC_PUBKEY_LEN], const char *signer, struct gc_buf *msg,
                     uint8_t hash[GC_SHA256_LEN], struct gc_fail *f)
{
    gc_signed_hash(rec, msg, hash);
    if (!gc_sig_verify(pk, msg->ptr, msg->len, sig))
        return gc_fail(f, "bad_signature", "signature does not verify with the key of '%s'",
                       signer);
    return true;
}

bool gc_pubkey_set_add(struct gc_map *set, const json_t *rec, const char *type, struct gc_fail *f)
{
    uint8_t pk[GC_PUBKEY_LEN];
    const char *id;
    int64_t v;
    char *key;

    if (!gc_field_const(rec, "type", type, f) || !gc_field_int(rec, "v", 1, 1, &v, f) ||
        !gc_field_id(rec, type, &id, f) || !gc_field_hex(rec, "pubkey", pk, sizeof(pk), f))
        return false;
    key = gc_xstrdup(json_string_value(json_object_get(rec, "pubkey")));
    if (gc_map_get(set, key) != NULL) {
        free(key);
        return gc_fail(f, "bad_field", "a %s key is listed twice", type);
    }
    gc_map_put(set, key, key);
    return true;
}

void gc_pubkey_set_release(struct gc_map *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i].value);
    gc_map_release(set);
}
