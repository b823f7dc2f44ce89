/*
 * Unit tests for gc_merkle: the RFC 9162 reference tree and RFC 6962 single hashes from
 * tests/vectors/README.md, generated inclusion and consistency proofs with tampering, and every
 * transparency-dev/merkle vector under tests/vectors/rfc9162-merkle/ (GC_VECTORS overrides the
 * tests/vectors directory).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "gc_merkle.h"
#include "banned.h"

#define REF_N         8    /* leaves of the reference tree */
#define RAND_N        70   /* every size and index up to this on a generated tree */
#define BIG_N         1000 /* sampled consistency pairs up to this size */
#define BIG_SAMPLES   200
#define VEC_HASH_MAX  64 /* longest base64 value the vector reader decodes */
#define VEC_PATH_MAX  4096
#define VEC_MAX_DEPTH 16

/* tests/vectors/README.md, "RFC 9162 reference tree". */
static const char *const ref_leaves_hex[REF_N] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};
static const char *const ref_roots_hex[REF_N + 1] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* --- helpers ------------------------------------------------------------------------------ */

static void hex32(const char *hex, uint8_t out[GC_HASH_LEN])
{
    size_t len = 0;

    assert_int_equal(sodium_hex2bin(out, GC_HASH_LEN, hex, strlen(hex), NULL, &len, NULL), 0);
    assert_int_equal(len, GC_HASH_LEN);
}

static void ref_tree(uint8_t leaves[REF_N][GC_HASH_LEN])
{
    uint8_t data[16];
    size_t i, len;

    for (i = 0; i < REF_N; i++) {
        len = 0;
        assert_int_equal(sodium_hex2bin(data, sizeof data, ref_leaves_hex[i],
                                        strlen(ref_leaves_hex[i]), NULL, &len, NULL),
                         0);
        gc_merkle_leaf_hash(data, len, leaves[i]);
    }
}

static void ref_root_table(uint8_t roots[REF_N + 1][GC_HASH_LEN])
{
    size_t n;

    for (n = 0; n <= REF_N; n++)
        hex32(ref_roots_hex[n], roots[n]);
}

/* splitmix64: a fixed, reproducible sequence. */
static uint64_t prng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* N distinct leaf hashes: leaf i is i (8 bytes, little-endian) and i % 23 pseudo-random bytes. */
static uint8_t (*gen_tree(size_t n))[GC_HASH_LEN]
{
    uint8_t(*leaves)[GC_HASH_LEN] = malloc(n * sizeof *leaves);
    uint64_t s = 0x6763206d65726b6cULL;
    uint8_t data[8 + 23];
    size_t i, j, len;

    assert_non_null(leaves);
    for (i = 0; i < n; i++) {
        for (j = 0; j < 8; j++)
            data[j] = (uint8_t)((uint64_t)i >> (8 * j));
        len = 8 + i % 23;
        for (j = 8; j < len; j++)
            data[j] = (uint8_t)prng_next(&s);
        gc_merkle_leaf_hash(data, len, leaves[i]);
    }
    return leaves;
}

/* RFC 6962 node framing done by hand, children of any length: SHA-256(0x01 || l || r). */
static void ref_node(const void *l, size_t llen, const void *r, size_t rlen,
                     uint8_t out[GC_HASH_LEN])
{
    uint8_t buf[1 + 2 * GC_HASH_LEN];

    assert_true(llen + rlen <= 2 * GC_HASH_LEN);
    buf[0] = 0x01;
    memcpy(buf + 1, l, llen);
    memcpy(buf + 1 + llen, r, rlen);
    crypto_hash_sha256(out, buf, 1 + llen + rlen);
}

/*
 * An independent root: pair neighbours level by level and carry an odd last node up
 * unchanged, which builds the same tree as the RFC's largest-power-of-two split.
 */
static void ref_root(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, uint8_t out[GC_HASH_LEN])
{
    uint8_t(*level)[GC_HASH_LEN];
    size_t i, m;

    if (n == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    level = malloc(n * sizeof *level);
    assert_non_null(level);
    memcpy(level, leaves, n * sizeof *level);
    for (m = n; m > 1; m = (m + 1) / 2) {
        for (i = 0; i + 1 < m; i += 2)
            ref_node(level[i], GC_HASH_LEN, level[i + 1], GC_HASH_LEN, level[i / 2]);
        if (m % 2 == 1)
            memcpy(level[m / 2], level[m - 1], GC_HASH_LEN);
    }
    memcpy(out, level[0], GC_HASH_LEN);
    free(level);
}

static uint64_t ref_split(uint64_t n)
{
    uint64_t k = 1;

    while (k < n - k) /* 2k < n without overflow at n = 2^64 - 1 */
        k *= 2;
    return k;
}

/*
 * Shape of the audit path for leaf I of N straight from the definition of PATH: its length
 * and, per hash from the lowest up, bit j set when that sibling is on the left.
 */
static void ref_path_shape(uint64_t i, uint64_t n, unsigned *len, uint64_t *left)
{
    uint64_t k;

    if (n <= 1) {
        *len = 0;
        *left = 0;
        return;
    }
    k = ref_split(n);
    if (i < k) {
        ref_path_shape(i, k, len, left);
    } else {
        ref_path_shape(i - k, n - k, len, left);
        *left |= (uint64_t)1 << *len;
    }
    (*len)++;
}

/* Length of SUBPROOF(m, D[n], whole), straight from the definition. */
static unsigned ref_subproof_len(uint64_t m, uint64_t n, bool whole)
{
    uint64_t k;

    if (m == n)
        return whole ? 0 : 1;
    k = ref_split(n);
    if (m <= k)
        return ref_subproof_len(m, k, whole) + 1;
    return ref_subproof_len(m - k, n - k, false) + 1;
}

/* A heap copy of exactly LEN hashes (NULL for 0), so a read past the end trips ASan. */
static uint8_t (*exact_copy(const uint8_t (*proof)[GC_HASH_LEN], size_t len))[GC_HASH_LEN]
{
    uint8_t(*p)[GC_HASH_LEN];

    if (len == 0)
        return NULL;
    p = malloc(len * sizeof *p);
    assert_non_null(p);
    memcpy(p, proof, len * sizeof *p);
    return p;
}

#define CP(p) ((const uint8_t(*)[GC_HASH_LEN])(p))

/* --- inclusion ---------------------------------------------------------------------------- */

static bool incl(uint64_t index, uint64_t size, const uint8_t leaf[GC_HASH_LEN],
                 const uint8_t (*proof)[GC_HASH_LEN], size_t len, const uint8_t root[GC_HASH_LEN])
{
    uint8_t(*p)[GC_HASH_LEN] = exact_copy(proof, len);
    bool ok = gc_merkle_verify_inclusion(index, size, leaf, CP(p), len, root);

    free(p);
    return ok;
}

/* Proof for leaf I of the first N of LEAVES verifies against ROOT; every tampering fails. */
static void check_inclusion(const uint8_t (*leaves)[GC_HASH_LEN], size_t n, size_t i,
                            const uint8_t root[GC_HASH_LEN], bool all_indices)
{
    uint8_t proof[GC_MERKLE_MAX_PROOF + 1][GC_HASH_LEN],
        longer[GC_MERKLE_MAX_PROOF + 1][GC_HASH_LEN];
    uint8_t leaf[GC_HASH_LEN], bad_root[GC_HASH_LEN];
    uint64_t sizes[6], shape_left, left;
    unsigned shape_len, slen;
    size_t j, len;
    int got;

    got = gc_merkle_inclusion_proof(leaves, n, i, proof);
    assert_true(got >= 0);
    len = (size_t)got;
    ref_path_shape(i, n, &shape_len, &shape_left);
    assert_int_equal(len, shape_len);
    assert_true(incl(i, n, leaves[i], CP(proof), len, root));

    /* A flipped bit anywhere. */
    for (j = 0; j < len; j++) {
        proof[j][(i + j) % GC_HASH_LEN] ^= 0x10;
        assert_false(incl(i, n, leaves[i], CP(proof), len, root));
        proof[j][(i + j) % GC_HASH_LEN] ^= 0x10;
    }
    memcpy(leaf, leaves[i], GC_HASH_LEN);
    leaf[GC_HASH_LEN - 1] ^= 0x01;
    assert_false(incl(i, n, leaf, CP(proof), len, root));
    memcpy(bad_root, root, GC_HASH_LEN);
    bad_root[0] ^= 0x80;
    assert_false(incl(i, n, leaves[i], CP(proof), len, bad_root));

    /* Wrong index: a different leaf position never has the same path. */
    for (j = 0; j < n + 2; j++) {
        if (j == i || !(all_indices || j + 1 == i || j == i + 1 || j == (i ^ 1) || j >= n))
            continue;
        assert_false(incl(j, n, leaves[i], CP(proof), len, root));
    }
    assert_false(incl(UINT64_MAX, n, leaves[i], CP(proof), len, root));

    /*
     * Wrong size: refused unless the path to leaf I has the very same shape in that size
     * (then the verifier does the same hashing, e.g. leaf 0 of 3 and of 4, and must agree).
     */
    sizes[0] = n - 1;
    sizes[1] = n + 1;
    sizes[2] = 2 * (uint64_t)n;
    sizes[3] = n / 2;
    sizes[4] = 0;
    sizes[5] = UINT64_MAX;
    for (j = 0; j < 6; j++) {
        if (sizes[j] == n)
            continue;
        if (i >= sizes[j]) {
            assert_false(incl(i, sizes[j], leaves[i], CP(proof), len, root));
            continue;
        }
        ref_path_shape(i, sizes[j], &slen, &left);
        if (slen != shape_len || left != shape_left)
            assert_false(incl(i, sizes[j], leaves[i], CP(proof), len, root));
        else
            assert_true(incl(i, sizes[j], leaves[i], CP(proof), len, root));
    }

    /* One hash too many (after or before), one too few (last or first). */
    memcpy(longer, proof, len * GC_HASH_LEN);
    memcpy(longer[len], root, GC_HASH_LEN);
    assert_false(incl(i, n, leaves[i], CP(longer), len + 1, root));
    /* Even when the root given is the one the extra hash leads to: sn is already 0. */
    gc_merkle_node_hash(longer[len], root, bad_root);
    assert_false(incl(i, n, leaves[i], CP(longer), len + 1, bad_root));
    memcpy(longer[0], root, GC_HASH_LEN);
    memcpy(longer[1], proof, len * GC_HASH_LEN);
    assert_false(incl(i, n, leaves[i], CP(longer), len + 1, root));
    if (len > 0) {
        assert_false(incl(i, n, leaves[i], CP(proof), len - 1, root));
        assert_false(incl(i, n, leaves[i], CP(proof + 1), len - 1, root));
    }
}

static void test_inclusion_reference_tree(void **state)
{
    uint8_t leaves[REF_N][GC_HASH_LEN], roots[REF_N + 1][GC_HASH_LEN];
    size_t n, i;

    (void)state;
    ref_tree(leaves);
    ref_root_table(roots);
    for (n = 1; n <= REF_N; n++)
        for (i = 0; i < n; i++)
            check_inclusion(CP(leaves), n, i, roots[n], true);
}

static void test_inclusion_generated_tree(void **state)
{
    uint8_t(*leaves)[GC_HASH_LEN] = gen_tree(RAND_N);
    uint8_t root[GC_HASH_LEN];
    size_t n, i;

    (void)state;
    for (n = 1; n <= RAND_N; n++) {
        ref_root(CP(leaves), n, root);
        for (i = 0; i < n; i++)
            check_inclusion(CP(leaves), n, i, root, n <= 16);
    }
    free(leaves);
}

/* --- consistency -------------------------------------------------------------------------- */

static bool cons(uint64_t size1, uint64_t size2, const uint8_t root1[GC_HASH_LEN],
                 const uint8_t root2[GC_HASH_LEN], const uint8_t (*proof)[GC_HASH_LEN], size_t len)
{
    uint8_t(*p)[GC_HASH_LEN] = exact_copy(proof, len);
    bool ok = gc_merkle_verify_consistency(size1, size2, root1, root2, CP(p), len);

    free(p);
    return ok;
}

/* Proof from the first M to the first N of LEAVES verifies; every tampering fails. */
static void check_consistency(const uint8_t (*leaves)[GC_HASH_LEN], size_t m, size_t n,
                              const uint8_t root1[GC_HASH_LEN], const uint8_t root2[GC_HASH_LEN])
{
    uint8_t proof[GC_MERKLE_MAX_PROOF + 1][GC_HASH_LEN],
        longer[GC_MERKLE_MAX_PROOF + 1][GC_HASH_LEN];
    uint8_t bad[GC_HASH_LEN], bad2[GC_HASH_LEN];
    uint64_t s1[2], s2[3];
    size_t j, k, len;
    int got;

    got = gc_merkle_consistency_proof(leaves, n, m, proof);
    assert_true(got >= 0);
    len = (size_t)got;
    assert_int_equal(len, ref_subproof_len(m, n, true));
    assert_true(cons(m, n, root1, root2, CP(proof), len));

    for (j = 0; j < len; j++) {
        proof[j][(m + n + j) % GC_HASH_LEN] ^= 0x04;
        assert_false(cons(m, n, root1, root2, CP(proof), len));
        proof[j][(m + n + j) % GC_HASH_LEN] ^= 0x04;
    }
    memcpy(bad, root1, GC_HASH_LEN);
    bad[7] ^= 0x01;
    assert_false(cons(m, n, bad, root2, CP(proof), len));
    memcpy(bad, root2, GC_HASH_LEN);
    bad[31] ^= 0x40;
    assert_false(cons(m, n, root1, bad, CP(proof), len));
    if (m < n) {
        assert_false(cons(m, n, root2, root1, CP(proof), len));
        assert_false(cons(n, m, root1, root2, CP(proof), len));
        assert_false(cons(n, m, root2, root1, CP(proof), len));
    }
    /* The empty tree proves nothing. */
    assert_false(cons(0, n, root1, root2, CP(proof), len));
    assert_false(cons(0, n, root1, root2, NULL, 0));

    /* Wrong sizes whose proof would have another length. */
    s1[0] = m - 1;
    s1[1] = m + 1;
    s2[0] = n - 1;
    s2[1] = n + 1;
    s2[2] = 2 * (uint64_t)n;
    for (j = 0; j < 2; j++) {
        for (k = 0; k < 3; k++) {
            if (s1[j] == 0 || s1[j] > s2[k] || ref_subproof_len(s1[j], s2[k], true) != len)
                assert_false(cons(s1[j], s2[k], root1, root2, CP(proof), len));
        }
    }
    for (k = 0; k < 3; k++) {
        if (m > s2[k] || ref_subproof_len(m, s2[k], true) != len)
            assert_false(cons(m, s2[k], root1, root2, CP(proof), len));
    }

    memcpy(longer, proof, len * GC_HASH_LEN);
    memcpy(longer[len], root2, GC_HASH_LEN);
    assert_false(cons(m, n, root1, root2, CP(longer), len + 1));
    /* Even with both roots extended by that hash: sn is already 0. */
    gc_merkle_node_hash(longer[len], root1, bad);
    gc_merkle_node_hash(longer[len], root2, bad2);
    assert_false(cons(m, n, bad, bad2, CP(longer), len + 1));
    memcpy(longer[0], root1, GC_HASH_LEN);
    memcpy(longer[1], proof, len * GC_HASH_LEN);
    assert_false(cons(m, n, root1, root2, CP(longer), len + 1));
    if (len > 0) {
        assert_false(cons(m, n, root1, root2, CP(proof), len - 1));
        assert_false(cons(m, n, root1, root2, CP(proof + 1), len - 1));
    }
}

static void test_consistency_reference_tree(void **state)
{
    uint8_t leaves[REF_N][GC_HASH_LEN], roots[REF_N + 1][GC_HASH_LEN];
    size_t m, n;

    (void)state;
    ref_tree(leaves);
    ref_root_table(roots);
    for (n = 1; n <= REF_N; n++)
        for (m = 1; m <= n; m++)
            check_consistency(CP(leaves), m, n, roots[m], roots[n]);
}

static void test_consistency_generated_tree(void **state)
{
    uint8_t(*leaves)[GC_HASH_LEN] = gen_tree(BIG_N);
    uint8_t(*roots)[GC_HASH_LEN] = malloc((BIG_N + 1) * sizeof *roots);
    uint64_t s = 42;
    size_t m, n, k;

    (void)state;
    assert_non_null(roots);
    for (n = 0; n <= BIG_N; n++)
        gc_merkle_root(CP(leaves), n, roots[n]);
    for (n = 1; n <= RAND_N; n++)
        for (m = 1; m <= n; m++)
            check_consistency(CP(leaves), m, n, roots[m], roots[n]);
    for (k = 0; k < BIG_SAMPLES; k++) {
        n = 1 + (size_t)(prng_next(&s) % BIG_N);
        m = 1 + (size_t)(prng_next(&s) % n);
        check_consistency(CP(leaves), m, n, roots[m], roots[n]);
    }
    /* The edges: one leaf to all, powers of two, all to one more. */
    check_consistency(CP(leaves), 1, BIG_N, roots[1], roots[BIG_N]);
    check_consistency(CP(leaves), 512, BIG_N, roots[512], roots[BIG_N]);
    check_consistency(CP(leaves), 511, 512, roots[511], roots[512]);
    check_consistency(CP(leaves), BIG_N - 1, BIG_N, roots[BIG_N - 1], roots[BIG_N]);
    free(roots);
    free(leaves);
}

/* --- hashes, roots, bounds ---------------------------------------------------------------- */

static void test_rfc6962_hashes(void **state)
{
    uint8_t want[GC_HASH_LEN], got[GC_HASH_LEN], ref[GC_HASH_LEN];
    uint8_t(*leaves)[GC_HASH_LEN] = gen_tree(4);

    (void)state;
    hex32("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56", want);
    gc_merkle_leaf_hash("L123456", 7, got);
    assert_memory_equal(got, want, GC_HASH_LEN);

    /*
     * node("N123", "N456") has 4-byte children, which the 32-byte API cannot take: check the
     * framing by hand against the README, then gc_merkle_node_hash against that framing.
     */
    hex32("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb", want);
    ref_node("N123", 4, "N456", 4, ref);
    assert_memory_equal(ref, want, GC_HASH_LEN);
    ref_node(leaves[0], GC_HASH_LEN, leaves[1], GC_HASH_LEN, ref);
    gc_merkle_node_hash(leaves[0], leaves[1], got);
    assert_memory_equal(got, ref, GC_HASH_LEN);
    gc_merkle_node_hash(leaves[1], leaves[0], got);
    assert_memory_not_equal(got, ref, GC_HASH_LEN);
    /* OUT may alias an input. */
    memcpy(got, leaves[0], GC_HASH_LEN);
    gc_merkle_node_hash(got, leaves[1], got);
    assert_memory_equal(got, ref, GC_HASH_LEN);
    memcpy(got, leaves[1], GC_HASH_LEN);
    gc_merkle_node_hash(leaves[0], got, got);
    assert_memory_equal(got, ref, GC_HASH_LEN);

    /* Leaf hash of the empty string is not the empty-tree root. */
    gc_merkle_leaf_hash(NULL, 0, got);
    hex32(ref_roots_hex[0], want);
    assert_memory_not_equal(got, want, GC_HASH_LEN);
    free(leaves);
}

static void test_reference_roots(void **state)
{
    uint8_t leaves[REF_N][GC_HASH_LEN], roots[REF_N + 1][GC_HASH_LEN], got[GC_HASH_LEN];
    size_t n;

    (void)state;
    ref_tree(leaves);
    ref_root_table(roots);
    for (n = 0; n <= REF_N; n++) {
        gc_merkle_root(CP(leaves), n, got);
        assert_memory_equal(got, roots[n], GC_HASH_LEN);
        ref_root(CP(leaves), n, got);
        assert_memory_equal(got, roots[n], GC_HASH_LEN);
    }
    gc_merkle_root(NULL, 0, got);
    assert_memory_equal(got, roots[0], GC_HASH_LEN);
}

static void test_roots_generated_tree(void **state)
{
    uint8_t(*leaves)[GC_HASH_LEN] = gen_tree(BIG_N);
    uint8_t got[GC_HASH_LEN], want[GC_HASH_LEN];
    size_t n;

    (void)state;
    for (n = 0; n <= BIG_N; n++) {
        gc_merkle_root(CP(leaves), n, got);
        ref_root(CP(leaves), n, want);
        assert_memory_equal(got, want, GC_HASH_LEN);
    }
    free(leaves);
}

static void test_generation_bounds(void **state)
{
    uint8_t leaves[REF_N][GC_HASH_LEN], proof[GC_MERKLE_MAX_PROOF][GC_HASH_LEN];

    (void)state;
    ref_tree(leaves);
    assert_int_equal(gc_merkle_inclusion_proof(CP(leaves), 0, 0, proof), -1);
    assert_int_equal(gc_merkle_inclusion_proof(CP(leaves), 3, 3, proof), -1);
    assert_int_equal(gc_merkle_inclusion_proof(CP(leaves), 3, SIZE_MAX, proof), -1);
    assert_int_equal(gc_merkle_inclusion_proof(CP(leaves), 1, 0, proof), 0);
    assert_int_equal(gc_merkle_consistency_proof(CP(leaves), 0, 0, proof), -1);
    assert_int_equal(gc_merkle_consistency_proof(CP(leaves), 5, 0, proof), -1);
    assert_int_equal(gc_merkle_consistency_proof(CP(leaves), 5, 6, proof), -1);
    assert_int_equal(gc_merkle_consistency_proof(CP(leaves), 5, 5, proof), 0);
    assert_int_equal(gc_merkle_consistency_proof(CP(leaves), 1, 1, proof), 0);
}

static void test_verify_edges(void **state)
{
    uint8_t proof[GC_MERKLE_MAX_PROOF + 1][GC_HASH_LEN];
    uint8_t h[GC_HASH_LEN], r[GC_HASH_LEN];
    uint8_t(*tiny)[GC_HASH_LEN];

    (void)state;
    memset(proof, 0x5a, sizeof proof);
    gc_merkle_leaf_hash("x", 1, h);
    memcpy(r, h, GC_HASH_LEN);

    /* A tree of one leaf: the root is the leaf hash and the proof is empty (or NULL). */
    assert_true(incl(0, 1, h, NULL, 0, r));
    assert_true(gc_merkle_verify_inclusion(0, 1, h, CP(proof), 0, r));
    assert_false(incl(0, 0, h, NULL, 0, r));
    assert_false(incl(1, 1, h, NULL, 0, r));
    assert_false(incl(UINT64_MAX, UINT64_MAX, h, NULL, 0, r));
    assert_false(gc_merkle_verify_inclusion(0, 2, h, NULL, 1, r));
    /* Far too long for any tree, and just too long for the largest tree. */
    assert_false(incl(0, 1, h, CP(proof), GC_MERKLE_MAX_PROOF + 1, r));
    assert_false(incl(UINT64_MAX - 1, UINT64_MAX, h, CP(proof), 65, r));
    assert_false(incl(UINT64_MAX - 1, UINT64_MAX, h, CP(proof), 64, r));
    assert_false(incl((uint64_t)1 << 63, UINT64_MAX, h, CP(proof), 63, r));

    assert_true(cons(1, 1, r, r, NULL, 0));
    assert_true(cons(UINT64_MAX, UINT64_MAX, r, r, NULL, 0));
    assert_false(cons(0, 0, r, r, NULL, 0));
    assert_false(cons(0, 1, r, r, NULL, 0));
    assert_false(cons(0, 1, r, r, CP(proof), 1));
    assert_false(cons(2, 1, r, r, NULL, 0));
    assert_false(cons(1, 1, r, r, CP(proof), 1));
    assert_false(cons(1, 2, r, r, NULL, 0));
    assert_false(gc_merkle_verify_consistency(1, 2, r, r, NULL, 1));
    /* An empty proof behind a real pointer is not read (a 1-byte block: ASan sees any read). */
    tiny = malloc(1);
    assert_non_null(tiny);
    assert_false(gc_merkle_verify_consistency(3, 4, r, r, CP(tiny), 0));
    assert_false(gc_merkle_verify_consistency(1, 2, r, r, CP(tiny), 0));
    assert_false(gc_merkle_verify_inclusion(2, 3, h, CP(tiny), 0, r));
    assert_true(gc_merkle_verify_inclusion(0, 1, h, CP(tiny), 0, r));
    free(tiny);
    assert_false(cons(1, 2, r, r, CP(proof), GC_MERKLE_MAX_PROOF + 1));
    assert_false(cons(1, UINT64_MAX, r, r, CP(proof), 65));
    assert_false(cons(3, UINT64_MAX, r, r, CP(proof), 65));
    assert_false(cons(UINT64_MAX - 1, UINT64_MAX, r, r, CP(proof), 64));
}

/* --- published vectors -------------------------------------------------------------------- */

enum vec_kind { VEC_INCLUSION, VEC_CONSISTENCY };

struct vec_stats {
    unsigned files;
    unsigned happy;     /* happy-path.json files */
    unsigned accepted;  /* the verifier said yes */
    unsigned rejected;  /* the verifier said no */
    unsigned malformed; /* refused before the verifier: a value that is not a 32-byte hash */
    unsigned compared;  /* generated proof equal to the vector's */
    unsigned failures;
};

/* A decoded base64 hash: the first 32 bytes zero-padded, its real length, whether it decoded. */
struct vec_hash {
    uint8_t b[GC_HASH_LEN];
    size_t len;
    bool ok;
};

struct vec_proof {
    uint8_t (*h)[GC_HASH_LEN]; /* exactly len hashes, NULL when len is 0 */
    size_t len;
    bool ok; /* null, missing, or an array of 32-byte hashes */
};

/* Missing, null, not a string or not base64: ok is false. */
static void vec_hash(json_t *v, struct vec_hash *h)
{
    unsigned char buf[VEC_HASH_MAX];
    const char *s, *end = NULL;
    size_t slen;

    memset(h, 0, sizeof *h);
    if (!json_is_string(v))
        return;
    s = json_string_value(v);
    slen = json_string_length(v);
    if (sodium_base642bin(buf, sizeof buf, s, slen, NULL, &h->len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + slen)
        return;
    memcpy(h->b, buf, h->len < GC_HASH_LEN ? h->len : GC_HASH_LEN);
    h->ok = true;
}

/* A null or missing proof is the empty proof (the single-leaf happy paths have "proof": null). */
static void vec_proof(json_t *v, struct vec_proof *p)
{
    struct vec_hash h;
    size_t i;

    p->h = NULL;
    p->len = 0;
    p->ok = true;
    if (v == NULL || json_is_null(v))
        return;
    if (!json_is_array(v) || json_array_size(v) > GC_MERKLE_MAX_PROOF + 1) {
        p->ok = false;
        return;
    }
    p->len = json_array_size(v);
    if (p->len > 0) {
        p->h = malloc(p->len * sizeof *p->h);
        assert_non_null(p->h);
    }
    for (i = 0; i < p->len; i++) {
        vec_hash(json_array_get(v, i), &h);
        if (!h.ok || h.len != GC_HASH_LEN)
            p->ok = false;
        memcpy(p->h[i], h.b, GC_HASH_LEN);
    }
}

/*
 * Where the top-level member KEY of the JSON object in TEXT has its value, or NULL.
 * jansson has already accepted TEXT; this only exists because jansson cannot hold
 * 18446744073709551615 (leafIdx-sub-@1.json) exactly.
 */
static const char *raw_member(const char *text, const char *key)
{
    size_t klen = strlen(key), slen;
    const char *p = text, *s, *q;
    int depth = 0;

    while (*p != '\0') {
        if (*p == '"') {
            s = ++p;
            while (*p != '\0' && *p != '"') {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                p++;
            }
            if (*p == '\0')
                return NULL;
            slen = (size_t)(p - s);
            p++;
            if (depth == 1 && slen == klen && memcmp(s, key, klen) == 0) {
                for (q = p; isspace((unsigned char)*q); q++)
                    ;
                if (*q == ':') {
                    for (q++; isspace((unsigned char)*q); q++)
                        ;
                    return q;
                }
            }
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
        p++;
    }
    return NULL;
}

/* A non-negative integer member, exact over the whole uint64 range. */
static bool vec_u64(const char *text, json_t *obj, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    const char *lit;
    char *end;
    unsigned long long u;

    if (!json_is_number(v))
        return false;
    lit = raw_member(text, key);
    if (lit == NULL || !isdigit((unsigned char)*lit))
        return false;
    errno = 0;
    u = strtoull(lit, &end, 10);
    if (errno != 0 || *end == '.' || *end == 'e' || *end == 'E')
        return false;
    /* The literal found is the one jansson parsed (both round to the same double). */
    if ((double)u != json_number_value(v))
        return false;
    *out = u;
    return true;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *nb;
    size_t len = 0, cap = 0, r;
    bool ok = f != NULL;

    while (ok) {
        if (cap - len < 1024) {
            nb = realloc(buf, cap ? 2 * cap : 4096);
            if (nb == NULL) {
                ok = false;
                break;
            }
            buf = nb;
            cap = cap ? 2 * cap : 4096;
        }
        r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0)
            break;
    }
    if (f != NULL && ferror(f))
        ok = false;
    if (f != NULL)
        fclose(f);
    if (!ok) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void vec_fail(struct vec_stats *st, const char *path, const char *what)
{
    print_error("%s: %s\n", path, what);
    st->failures++;
}

static void vec_inclusion(const char *path, const char *text, json_t *obj, struct vec_stats *st)
{
    uint8_t leaves[REF_N][GC_HASH_LEN], roots[REF_N + 1][GC_HASH_LEN];
    uint8_t proof[GC_MERKLE_MAX_PROOF][GC_HASH_LEN];
    struct vec_hash root, leaf;
    struct vec_proof p;
    uint64_t index, size;
    json_t *want_err = json_object_get(obj, "wantErr");
    bool well, got;
    int len;

    if (!vec_u64(text, obj, "leafIdx", &index) || !vec_u64(text, obj, "treeSize", &size) ||
        !json_is_boolean(want_err)) {
        vec_fail(st, path, "missing leafIdx, treeSize or wantErr");
        return;
    }
    vec_hash(json_object_get(obj, "root"), &root);
    vec_hash(json_object_get(obj, "leafHash"), &leaf);
    vec_proof(json_object_get(obj, "proof"), &p);

    /* The leaf hash and proof are hashed and the root is matched against a hash: 32 bytes. */
    well = root.ok && root.len == GC_HASH_LEN && leaf.ok && leaf.len == GC_HASH_LEN && p.ok;
    got = well && gc_merkle_verify_inclusion(index, size, leaf.b, CP(p.h), p.len, root.b);
    if (got != !json_is_true(want_err))
        vec_fail(st, path, got ? "verified, want rejected" : "rejected, want verified");
    if (!well)
        st->malformed++;
    else if (got)
        st->accepted++;
    else
        st->rejected++;

    /* A proof in the reference tree must be the one we generate. */
    ref_tree(leaves);
    ref_root_table(roots);
    if (got && size <= REF_N && memcmp(root.b, roots[size], GC_HASH_LEN) == 0 &&
        memcmp(leaf.b, leaves[index], GC_HASH_LEN) == 0) {
        len = gc_merkle_inclusion_proof(CP(leaves), size, index, proof);
        if (len < 0 || (size_t)len != p.len ||
            (p.len > 0 && memcmp(proof, p.h, p.len * GC_HASH_LEN) != 0))
            vec_fail(st, path, "generated inclusion proof differs");
        else
            st->compared++;
    }
    free(p.h);
}

static void vec_consistency(const char *path, const char *text, json_t *obj, struct vec_stats *st)
{
    uint8_t leaves[REF_N][GC_HASH_LEN], roots[REF_N + 1][GC_HASH_LEN];
    uint8_t proof[GC_MERKLE_MAX_PROOF][GC_HASH_LEN];
    struct vec_hash root1, root2;
    struct vec_proof p;
    uint64_t size1, size2;
    json_t *want_err = json_object_get(obj, "wantErr");
    bool roots_ok, well, got;
    int len;

    if (!vec_u64(text, obj, "size1", &size1) || !vec_u64(text, obj, "size2", &size2) ||
        !json_is_boolean(want_err)) {
        vec_fail(st, path, "missing size1, size2 or wantErr");
        return;
    }
    vec_hash(json_object_get(obj, "root1"), &root1);
    vec_hash(json_object_get(obj, "root2"), &root2);
    vec_proof(json_object_get(obj, "proof"), &p);

    /*
     * Roots are only ever compared. Two roots of equal length up to 32 bytes keep their
     * (in)equality when zero-padded, so for size1 == size2 (the verifier compares root1 with
     * root2 and nothing else) the "don't care" placeholder roots go through as they are.
     * Otherwise each root is matched against a computed SHA-256 and must be 32 bytes.
     */
    roots_ok = root1.ok && root2.ok &&
               ((root1.len == GC_HASH_LEN && root2.len == GC_HASH_LEN) ||
                (size1 == size2 && root1.len == root2.len && root1.len <= GC_HASH_LEN));
    well = roots_ok && p.ok;
    got = well && gc_merkle_verify_consistency(size1, size2, root1.b, root2.b, CP(p.h), p.len);
    if (got != !json_is_true(want_err))
        vec_fail(st, path, got ? "verified, want rejected" : "rejected, want verified");
    if (!well)
        st->malformed++;
    else if (got)
        st->accepted++;
    else
        st->rejected++;

    ref_tree(leaves);
    ref_root_table(roots);
    if (got && size2 <= REF_N && root1.len == GC_HASH_LEN &&
        memcmp(root1.b, roots[size1], GC_HASH_LEN) == 0 &&
        memcmp(root2.b, roots[size2], GC_HASH_LEN) == 0) {
        len = gc_merkle_consistency_proof(CP(leaves), size2, size1, proof);
        if (len < 0 || (size_t)len != p.len ||
            (p.len > 0 && memcmp(proof, p.h, p.len * GC_HASH_LEN) != 0))
            vec_fail(st, path, "generated consistency proof differs");
        else
            st->compared++;
    }
    free(p.h);
}

static void vec_file(const char *path, const char *name, enum vec_kind kind, struct vec_stats *st)
{
    json_error_t err;
    json_t *obj;
    char *text = read_text(path);

    st->files++;
    if (text == NULL) {
        vec_fail(st, path, "cannot read");
        return;
    }
    /* Integers as reals so that 2^64 - 1 parses; vec_u64 reads the exact digits. */
    obj = json_loads(text, JSON_DECODE_INT_AS_REAL, &err);
    if (!json_is_object(obj)) {
        print_error("%s:%d: %s\n", path, err.line, err.text);
        st->failures++;
    } else {
        if (strcmp(name, "happy-path.json") == 0) {
            st->happy++;
            if (!json_is_false(json_object_get(obj, "wantErr")))
                vec_fail(st, path, "a happy path that wants an error");
        }
        if (kind == VEC_INCLUSION)
            vec_inclusion(path, text, obj, st);
        else
            vec_consistency(path, text, obj, st);
    }
    json_decref(obj);
    free(text);
}

static void vec_walk(const char *dir, enum vec_kind kind, int depth, struct vec_stats *st)
{
    char path[VEC_PATH_MAX];
    struct dirent *e;
    struct stat sb;
    DIR *d;
    int w;

    if (depth > VEC_MAX_DEPTH) {
        vec_fail(st, dir, "directories nested too deep");
        return;
    }
    d = opendir(dir);
    if (d == NULL) {
        print_error("%s: %s\n", dir, strerror(errno));
        st->failures++;
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        w = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (w < 0 || (size_t)w >= sizeof path) {
            vec_fail(st, dir, "path too long");
            continue;
        }
        if (stat(path, &sb) != 0) {
            vec_fail(st, path, strerror(errno));
            continue;
        }
        if (S_ISDIR(sb.st_mode))
            vec_walk(path, kind, depth + 1, st);
        else if (S_ISREG(sb.st_mode) && has_suffix(e->d_name, ".json"))
            vec_file(path, e->d_name, kind, st);
    }
    closedir(d);
}

static void test_vectors(void **state)
{
    static const char *const sub[2] = {"inclusion", "consistency"};
    const char *root = getenv("GC_VECTORS");
    struct vec_stats st[2];
    char dir[VEC_PATH_MAX];
    int k, w;

    (void)state;
    if (root == NULL || *root == '\0')
        root = "tests/vectors";
    for (k = 0; k < 2; k++) {
        memset(&st[k], 0, sizeof st[k]);
        w = snprintf(dir, sizeof dir, "%s/rfc9162-merkle/%s", root, sub[k]);
        assert_true(w > 0 && (size_t)w < sizeof dir);
        vec_walk(dir, k == 0 ? VEC_INCLUSION : VEC_CONSISTENCY, 0, &st[k]);
        printf("rfc9162-merkle/%s: %u files, %u verified, %u rejected by the verifier, "
               "%u refused as not 32-byte hashes, %u generated proofs equal\n",
               sub[k], st[k].files, st[k].accepted, st[k].rejected, st[k].malformed,
               st[k].compared);
    }
    for (k = 0; k < 2; k++) {
        assert_int_equal(st[k].failures, 0);
        assert_true(st[k].files > 0);
        assert_true(st[k].happy > 0);
        assert_true(st[k].accepted >= st[k].happy);
        assert_true(st[k].compared > 0);
        assert_int_equal(st[k].accepted + st[k].rejected + st[k].malformed, st[k].files);
    }
    assert_true(st[0].files + st[1].files > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6962_hashes),
        cmocka_unit_test(test_reference_roots),
        cmocka_unit_test(test_roots_generated_tree),
        cmocka_unit_test(test_generation_bounds),
        cmocka_unit_test(test_verify_edges),
        cmocka_unit_test(test_inclusion_reference_tree),
        cmocka_unit_test(test_inclusion_generated_tree),
        cmocka_unit_test(test_consistency_reference_tree),
        cmocka_unit_test(test_consistency_generated_tree),
        cmocka_unit_test(test_vectors),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
