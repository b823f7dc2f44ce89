/*
 * SHA-256 for record hashes. libsodium's is portable C; on x86-64 CPUs with
 * the SHA extensions this runs the compression function in hardware, which
 * matters because every signed or verified record is hashed once more for
 * its chain. The result is the same either way (tests/unit/test_sha256.c
 * checks both paths against libsodium and FIPS 180-2).
 */
#include "gc_crypto.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "banned.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Compresses N 64-byte blocks into STATE with the SHA-NI instructions (Intel's published scheme).
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha256_blocks_ni(uint32_t state[8], const uint8_t *data, size_t n)
{
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i s0, w[4], msg, abef, cdgh;

    tmp = _mm_shuffle_epi32(tmp, 0xb1);  /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1b);    /* EFGH */
    s0 = _mm_alignr_epi8(tmp, s1, 8);    /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xf0); /* CDGH */

    for (; n > 0; n--, data += 64) {
        abef = s0;
        cdgh = s1;
        for (int g = 0; g < 16; g++) { /* rounds 4g .. 4g+3 */
            if (g < 4)
                w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)), mask);
            msg = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)&sha256_k[4 * g]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
            if (g >= 3 && g <= 14) {
                tmp = _mm_alignr_epi8(w[g & 3], w[(g + 3) & 3], 4);
                w[(g + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(w[(g + 1) & 3], tmp), w[g & 3]);
            }
            msg = _mm_shuffle_epi32(msg, 0x0e);
            s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
            if (g >= 1 && g <= 12)
                w[(g - 1) & 3] = _mm_sha256msg1_epu32(w[(g - 1) & 3], w[g & 3]);
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }

    tmp = _mm_shuffle_epi32(s0, 0x1b);   /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xb1);    /* DCHG */
    s0 = _mm_blend_epi16(tmp, s1, 0xf0); /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);    /* ABEF */
    _mm_storeu_si128((__m128i *)&state[0], s0);
    _mm_storeu_si128((__m128i *)&state[4], s1);
}

static bool cpu_has_sha_ni(void)
{
    unsigned a, b, c, d;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
        return false;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* SHA-256 with the hardware compression function; FIPS 180-4 padding around it. */
static void sha256_ni(const uint8_t *data, size_t len, uint8_t out[GC_SHA256_LEN])
{
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint8_t tail[128] = {0};
    size_t full = len / 64, rest = len % 64, tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;

    sha256_blocks_ni(state, data, full);
    if (rest > 0) /* an empty message may come as NULL */
        memcpy(tail, data + 64 * full, rest);
    tail[rest] = 0x80;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha256_blocks_ni(state, tail, tail_len / 64);
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, state[i]);
}
#endif

/* -1 unknown, 0 libsodium, 1 hardware; GC_SHA256=portable forces libsodium (for tests). */
static int sha256_impl = -1;

int gc_sha256_hardware(void)
{
    if (sha256_impl < 0) {
        sha256_impl = 0;
#if defined(__x86_64__) && defined(__GNUC__)
        const char *force = getenv("GC_SHA256");
        sha256_impl = cpu_has_sha_ni() && !(force != NULL && strcmp(force, "portable") == 0);
#endif
    }
    return sha256_impl;
}

void gc_sha256(const void *data, size_t len, uint8_t out[GC_SHA256_LEN])
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (gc_sha256_hardware()) {
        sha256_ni(data, len, out);
        return;
    }
#endif
    crypto_hash_sha256(out, data, len);
}
