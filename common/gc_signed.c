#include "gc_signed.h"

#include "gc_hex.h"
#include "gc_json.h"
#include "banned.h"

void gc_signed_seal(const json_t *rec, const struct gc_key *key, struct gc_buf *msg,
                    struct gc_buf *out, uint8_t hash[GC_SHA256_LEN])
{
    char sig_hex[2 * GC_SIG_LEN + 3];
    uint8_t sig[GC_SIG_LEN];
    size_t sig_at;

    gc_buf_reset(msg);
    gc_jcs_append_without(msg, rec, "sig", &sig_at);
    gc_key_sign(key, msg->ptr, msg->len, sig);
    gc_sha256(msg->ptr, msg->len, hash);
    sig_hex[0] = '"';
    gc_hex_encode(sig, GC_SIG_LEN, sig_hex + 1);
    sig_hex[2 * GC_SIG_LEN + 1] = '"';
    gc_buf_reset(out);
    gc_jcs_insert_member(out, msg->ptr, msg->len, sig_at, "sig", sig_hex, 2 * GC_SIG_LEN + 2);
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
