/*
 * gc_merkle — RFC 9162 §2.1 Merkle tree hashes, inclusion and consistency proofs.
 *
 * leaf hash = SHA-256(0x00 || data), node hash = SHA-256(0x01 || left || right),
 * the root of the empty tree = SHA-256(""). Hashes are 32 raw bytes.
 */
#ifndef GC_MERKLE_H
#define GC_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GC_HASH_LEN 32
/* A proof in a tree of at most 2^64 leaves has at most 64 hashes (consistency: 64 + 1). */
#define GC_MERKLE_MAX_PROOF 65

void gc_merkle_leaf_hash(const void *data, size_t len, uint8_t out[GC_HASH_LEN]);
void gc_merkle_node_hash(const uint8_t left[GC_HASH_LEN], const uint8_t right[GC_HASH_LEN],
                         uint8_t out[GC_HASH_LEN]);

/* Root over N leaf hashes (already leaf-hashed). N = 0 gives SHA-256(""). */
void gc_merkle_root(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, uint8_t out[GC_HASH_LEN]);

/*
 * Audit path for leaf INDEX in the tree of the first N leaves (RFC 9162 §2.1.3.1).
 * Writes at most GC_MERKLE_MAX_PROOF hashes into PROOF and returns how many,
 * or -1 if INDEX >= N.
 */
int gc_merkle_inclusion_proof(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, size_t index,
                              uint8_t (*proof)[GC_HASH_LEN]);

/*
 * Consistency proof between the trees of the first M and the first N leaves
 * (RFC 9162 §2.1.4.1). Returns the number of hashes (0 when M == N) or -1
 * unless 0 < M <= N.
 */
int gc_merkle_consistency_proof(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, size_t m,
                                uint8_t (*proof)[GC_HASH_LEN]);

/*
 * RFC 9162 §2.1.3.2: true only if PROOF proves LEAF_HASH at INDEX in a tree of SIZE
 * with ROOT. Needs INDEX < SIZE and exactly the path length the shape asks for.
 * PROOF may be NULL when PROOF_LEN is 0.
 */
bool gc_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf_hash[GC_HASH_LEN],
                                const uint8_t (*proof)[GC_HASH_LEN], size_t proof_len,
                                const uint8_t root[GC_HASH_LEN]);

/*
 * RFC 9162 §2.1.4.2: true only if PROOF shows the tree of SIZE1 with ROOT1 is a
 * prefix of the tree of SIZE2 with ROOT2. Requires 0 < SIZE1 <= SIZE2: SIZE1 == 0
 * is always refused, whatever the proof and roots (a proof from the empty tree
 * proves nothing; transparency-dev/merkle testdata expects an error). SIZE1 ==
 * SIZE2 needs an empty proof and equal roots. PROOF may be NULL when PROOF_LEN is 0.
 */
bool gc_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[GC_HASH_LEN],
                                  const uint8_t root2[GC_HASH_LEN],
                                  const uint8_t (*proof)[GC_HASH_LEN], size_t proof_len);

#endif
