/*
 * gc_merkle — RFC 9162 §2.1 Merkle tree hashes, inclusion and consistency proofs.
 *
 * Generation follows the recursive definitions of §2.1.1, §2.1.3.1 and §2.1.4.1
 * (depth at most 64: every step at least halves the subtree). Verification is
 * the iterative, bit-shifting algorithm of §2.1.3.2 and §2.1.4.2: it touches
 * only proof[0 .. proof_len - 1] and fails on any proof of the wrong length.
 */
#include "gc_merkle.h"

#include <string.h>

#include <sodium.h>

#include "banned.h"

static const uint8_t gc_merkle_leaf_prefix = 0x00;
static const uint8_t gc_merkle_node_prefix = 0x01;

void gc_merkle_leaf_hash(const void *data, size_t len, uint8_t out[GC_HASH_LEN])
{
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &gc_merkle_leaf_prefix, 1);
    if (len > 0)
        crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

/* OUT may alias LEFT or RIGHT: both are absorbed before OUT is written. */
void gc_merkle_node_hash(const uint8_t left[GC_HASH_LEN], const uint8_t right[GC_HASH_LEN],
                         uint8_t out[GC_HASH_LEN])
{
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &gc_merkle_node_prefix, 1);
    crypto_hash_sha256_update(&st, left, GC_HASH_LEN);
    crypto_hash_sha256_update(&st, right, GC_HASH_LEN);
    crypto_hash_sha256_final(&st, out);
}

/* The largest power of two smaller than N (N >= 2); written so that 2k never overflows. */
static size_t gc_merkle_split(size_t n)
{
    size_t k = 1;

    while (k < n - k)
        k <<= 1;
    return k;
}

/* MTH(D[0:n]) for n >= 1. */
static void gc_merkle_mth(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, uint8_t out[GC_HASH_LEN])
{
    uint8_t left[GC_HASH_LEN], right[GC_HASH_LEN];
    size_t k;

    if (n == 1) {
        memcpy(out, leaves[0], GC_HASH_LEN);
        return;
    }
    k = gc_merkle_split(n);
    gc_merkle_mth(leaves, k, left);
    gc_merkle_mth(leaves + k, n - k, right);
    gc_merkle_node_hash(left, right, out);
}

void gc_merkle_root(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, uint8_t out[GC_HASH_LEN])
{
    crypto_hash_sha256_state st;

    if (n > 0) {
        gc_merkle_mth(leaves, n, out);
        return;
    }
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_final(&st, out);
}

/* PATH(m, D[0:n]) of §2.1.3.1, appended to PROOF at *LEN, lowest level first. */
static void gc_merkle_path(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, size_t m,
                           uint8_t (*proof)[GC_HASH_LEN], size_t *len)
{
    size_t k;

    if (n <= 1)
        return;
    k = gc_merkle_split(n);
    if (m < k) {
        gc_merkle_path(leaves, k, m, proof, len);
        gc_merkle_mth(leaves + k, n - k, proof[(*len)++]);
    } else {
        gc_merkle_path(leaves + k, n - k, m - k, proof, len);
        gc_merkle_mth(leaves, k, proof[(*len)++]);
    }
}

int gc_merkle_inclusion_proof(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, size_t index,
                              uint8_t (*proof)[GC_HASH_LEN])
{
    size_t len = 0;

    if (index >= n)
        return -1;
    gc_merkle_path(leaves, n, index, proof, &len);
    return (int)len;
}

/*
 * SUBPROOF(m, D[0:n], whole) of §2.1.4.1 for 0 < m <= n, appended to PROOF at
 * *LEN. WHOLE is true while the m leaves are still known to be a complete
 * subtree the verifier already holds (its root is then left out).
 */
static void gc_merkle_subproof(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, size_t m, bool whole,
                               uint8_t (*proof)[GC_HASH_LEN], size_t *len)
{
    size_t k;

    if (m == n) {
        if (!whole)
            gc_merkle_mth(leaves, n, proof[(*len)++]);
        return;
    }
    k = gc_merkle_split(n);
    if (m <= k) {
        gc_merkle_subproof(leaves, k, m, whole, proof, len);
        gc_merkle_mth(leaves + k, n - k, proof[(*len)++]);
    } else {
        gc_merkle_subproof(leaves + k, n - k, m - k, false, proof, len);
        gc_merkle_mth(leaves, k, proof[(*len)++]);
    }
}

int gc_merkle_consistency_proof(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, size_t m,
                                uint8_t (*proof)[GC_HASH_LEN])
{
    size_t len = 0;

    if (m == 0 || m > n)
        return -1;
    gc_merkle_subproof(leaves, n, m, true, proof, &len);
    return (int)len;
}

bool gc_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf_hash[GC_HASH_LEN],
                                const uint8_t (*proof)[GC_HASH_LEN], size_t proof_len,
                                const uint8_t root[GC_HASH_LEN])
{
    uint8_t r[GC_HASH_LEN];
    uint64_t fn, sn;
    size_t i;

    /* 1. */
    if (index >= size)
        return false;
    if (proof_len > GC_MERKLE_MAX_PROOF || (proof_len > 0 && proof == NULL))
        return false;
    /* 2., 3. */
    fn = index;
    sn = size - 1;
    memcpy(r, leaf_hash, GC_HASH_LEN);
    /* 4. */
    for (i = 0; i < proof_len; i++) {
        if (sn == 0)
            return false; /* proof too long */
        if ((fn & 1) != 0 || fn == sn) {
            gc_merkle_node_hash(proof[i], r, r);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            gc_merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* 5.: sn != 0 means the proof was too short. */
    return sn == 0 && memcmp(r, root, GC_HASH_LEN) == 0;
}

bool gc_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[GC_HASH_LEN],
                                  const uint8_t root2[GC_HASH_LEN],
                                  const uint8_t (*proof)[GC_HASH_LEN], size_t proof_len)
{
    uint8_t fr[GC_HASH_LEN], sr[GC_HASH_LEN];
    uint64_t fn, sn;
    size_t i;

    /* Consistency is defined for 0 < size1 <= size2 (§2.1.4). */
    if (size1 == 0 || size1 > size2 || proof_len > GC_MERKLE_MAX_PROOF)
        return false;
    if (size1 == size2)
        return proof_len == 0 && memcmp(root1, root2, GC_HASH_LEN) == 0;
    /* 1. */
    if (proof_len == 0 || proof == NULL)
        return false;
    /* 2., 5.: for a power-of-two size1 the path starts with root1 (prepended in place). */
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(fr, root1, GC_HASH_LEN);
        i = 0;
    } else {
        memcpy(fr, proof[0], GC_HASH_LEN);
        i = 1;
    }
    memcpy(sr, fr, GC_HASH_LEN);
    /* 3., 4. */
    fn = size1 - 1;
    sn = size2 - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    /* 6. */
    for (; i < proof_len; i++) {
        if (sn == 0)
            return false; /* proof too long */
        if ((fn & 1) != 0 || fn == sn) {
            gc_merkle_node_hash(proof[i], fr, fr);
            gc_merkle_node_hash(proof[i], sr, sr);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            gc_merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* 7. */
    return sn == 0 && memcmp(fr, root1, GC_HASH_LEN) == 0 && memcmp(sr, root2, GC_HASH_LEN) == 0;
}
