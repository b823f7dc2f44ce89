/*
 * gc_crypto — record hashes and Ed25519 device keys (libsodium).
 *
 * Call sodium_init() (or gc_crypto_init) once before anything here.
 */
#ifndef GC_CRYPTO_H
#define GC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GC_PUBKEY_LEN 32
#define GC_SIG_LEN    64
#define GC_SEED_LEN   32
#define GC_SHA256_LEN 32

/* Initialises libsodium; exits 70 if it cannot. */
void gc_crypto_init(void);

/* SHA-256 (FIPS 180-4); in hardware where the CPU has the SHA extensions. */
void gc_sha256(const void *data, size_t len, uint8_t out[GC_SHA256_LEN]);
/* 1 if gc_sha256 uses the CPU's SHA extensions (the environment's GC_SHA256=portable turns them
 * off). */
int gc_sha256_hardware(void);

/*
 * A device's secret key. SK (seed followed by public key, libsodium's layout)
 * lives in guarded sodium_malloc memory that gc_key_release wipes and frees.
 */
struct gc_key {
    char device[65];
    unsigned char *sk;
    uint8_t pk[GC_PUBKEY_LEN];
};

enum gc_key_status {
    GC_KEY_OK = 0,
    GC_KEY_MISSING, /* no such file */
};

/*
 * Generates a key for DEVICE and writes it to PATH in the secret-key file
 * format of gc-records(5): created with O_EXCL and mode 0600, fsynced. Exits
 * 73 if PATH exists, 74 on other write errors. Fills KEY.
 */
void gc_key_generate(const char *path, const char *device, struct gc_key *key);

/*
 * Reads the secret key at PATH into KEY. Returns GC_KEY_MISSING when the file
 * does not exist. Exits 77 when the file is a symlink, not a regular file, or
 * accessible to group or others (as OpenSSH refuses such keys); exits 65 when
 * the file is malformed or its public key does not match its seed; 74 on a
 * read error. When EXPECT_DEVICE is not NULL the file must name that device.
 */
enum gc_key_status gc_key_load(const char *path, const char *expect_device, struct gc_key *key);

/* The key to sign with (a -k option), which must exist: exits 66 naming PATH when it does not. */
void gc_key_load_signing(const char *path, struct gc_key *key);

/* Wipes and frees the secret part. */
void gc_key_release(struct gc_key *key);

/*
 * Secret keys kept together: a sodium_malloc of their own puts each key on its own page
 * between guard pages, and signing with a thousand keys in turn (gc-attest sign) then pays a
 * TLB miss a signature, about 1 % of Ed25519 signing. gc_keyring_adopt moves the secret part
 * of KEY into RING, GC_KEYRING_CHUNK keys to one guarded allocation, wiping and freeing its
 * own; an adopted key must not go to gc_key_release. gc_keyring_release wipes and frees all.
 */
#define GC_KEYRING_CHUNK 256

struct gc_keyring {
    unsigned char **chunks;
    size_t n_chunks, cap, used; /* USED keys in the last chunk */
};

void gc_keyring_adopt(struct gc_keyring *ring, struct gc_key *key);
void gc_keyring_release(struct gc_keyring *ring);

void gc_key_sign(const struct gc_key *key, const void *msg, size_t len, uint8_t sig[GC_SIG_LEN]);
bool gc_sig_verify(const uint8_t pk[GC_PUBKEY_LEN], const void *msg, size_t len,
                   const uint8_t sig[GC_SIG_LEN]);

#endif
