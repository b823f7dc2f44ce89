/*
 * The baseline for `make bench`: raw libsodium Ed25519 sign and verify rates
 * on messages of the size gc signs, measured in the same run as the programs.
 *
 *   bench_ed25519 MSG_BYTES COUNT  ->  "sign_per_s verify_per_s"
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    unsigned char sig[crypto_sign_BYTES], *msg;
    size_t len, count, ok = 0;
    double t0, sign_s, verify_s;

    if (argc != 3 || sodium_init() < 0)
        return 64;
    len = strtoul(argv[1], NULL, 10);
    count = strtoul(argv[2], NULL, 10);
    msg = malloc(len + 1);
    if (msg == NULL || count == 0)
        return 70;
    randombytes_buf(msg, len);
    crypto_sign_keypair(pk, sk);

    t0 = now_s();
    for (size_t i = 0; i < count; i++) {
        msg[0] = (unsigned char)i; /* a different message each time, as in a real run */
        crypto_sign_detached(sig, NULL, msg, len, sk);
    }
    sign_s = now_s() - t0;

    t0 = now_s();
    for (size_t i = 0; i < count; i++)
        ok += crypto_sign_verify_detached(sig, msg, len, pk) == 0;
    verify_s = now_s() - t0;

    if (ok != count)
        return 70;
    printf("%.0f %.0f\n", (double)count / sign_s, (double)count / verify_s);
    free(msg);
    return 0;
}
