/*
 * The baseline for `make bench`: raw libsodium Ed25519 sign and verify rates
 * on messages of the size gc signs, measured in the same run as the programs.
 *
 *   bench_ed25519 MSG_BYTES COUNT  ->  "sign_per_s verify_per_s"
 *
 * Like the programs it is compared with, it signs and verifies distinct
 * messages under 100 keys. Verifying one signature over and over would flatter
 * the baseline: Ed25519 verification runs in variable time, and a loop over
 * the same input trains the branch predictor on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define KEYS 100
#define SETS 4096 /* distinct (message, signature) pairs verified in turn */

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static unsigned char pk[KEYS][crypto_sign_PUBLICKEYBYTES], sk[KEYS][crypto_sign_SECRETKEYBYTES];
    static unsigned char sig[SETS][crypto_sign_BYTES];
    unsigned char *msg;
    size_t len, count, ok = 0;
    double t0, sign_s, verify_s;

    if (argc != 3 || sodium_init() < 0)
        return 64;
    len = strtoul(argv[1], NULL, 10);
    count = strtoul(argv[2], NULL, 10);
    if (len < 8 || count == 0)
        return 64;
    msg = malloc(len * SETS);
    if (msg == NULL)
        return 70;
    randombytes_buf(msg, len * SETS);
    for (int k = 0; k < KEYS; k++)
        crypto_sign_keypair(pk[k], sk[k]);

    t0 = now_s();
    for (size_t i = 0; i < count; i++) {
        size_t s = i % SETS;

        crypto_sign_detached(sig[s], NULL, msg + s * len, len, sk[s % KEYS]);
    }
    sign_s = now_s() - t0;

    t0 = now_s();
    for (size_t i = 0; i < count; i++) {
        size_t s = i % SETS;

        ok += crypto_sign_verify_detached(sig[s], msg + s * len, len, pk[s % KEYS]) == 0;
    }
    verify_s = now_s() - t0;

    /* Every signature must check, or the figures mean nothing. */
    if (ok != count)
        return 70;
    printf("%.0f %.0f\n", (double)count / sign_s, (double)count / verify_s);
    free(msg);
    return 0;
}
