#include "gc_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "gc_buf.h"
#include "gc_err.h"
#include "gc_hex.h"
#include "gc_io.h"
#include "gc_json.h"
#include "banned.h"

/* The four lines of a secret key file; see gc-records(5). */
#define KEY_MAGIC    "gc-secret-key v1 ed25519\n"
#define KEY_FILE_MAX 512

void gc_crypto_init(void)
{
    if (sodium_init() < 0)
        gc_die(GC_EX_SOFTWARE, "libsodium cannot be initialised");
}

static void key_alloc(struct gc_key *key)
{
    memset(key, 0, sizeof(*key));
    key->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    if (key->sk == NULL)
        gc_die(GC_EX_SOFTWARE, "cannot allocate secure memory for a key");
}

void gc_key_release(struct gc_key *key)
{
    if (key->sk != NULL)
        sodium_free(key->sk); /* wipes before freeing */
    memset(key, 0, sizeof(*key));
}

void gc_key_generate(const char *path, const char *device, struct gc_key *key)
{
    unsigned char seed[GC_SEED_LEN];
    char *text;
    size_t len;
    int fd;

    key_alloc(key);
    snprintf(key->device, sizeof(key->device), "%s", device);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        gc_die(73, "'%s' already exists; refusing to overwrite a key", path);
    if (fd < 0)
        gc_die_errno(GC_EX_IOERR, "cannot create '%s'", path);

    randombytes_buf(seed, sizeof(seed));
    crypto_sign_seed_keypair(key->pk, key->sk, seed);
    sodium_memzero(seed, sizeof(seed));

    /* Build the file text in guarded memory so the seed never sits in ordinary heap. */
    text = sodium_malloc(KEY_FILE_MAX);
    if (text == NULL)
        gc_die(GC_EX_SOFTWARE, "cannot allocate secure memory for a key");
    len = (size_t)snprintf(text, KEY_FILE_MAX, "%sdevice %s\nseed ", KEY_MAGIC, device);
    gc_hex_encode(key->sk, GC_SEED_LEN, text + len);
    len += 2 * GC_SEED_LEN;
    len += (size_t)snprintf(text + len, KEY_FILE_MAX - len, "\npubkey ");
    gc_hex_encode(key->pk, GC_PUBKEY_LEN, text + len);
    len += 2 * GC_PUBKEY_LEN;
    text[len++] = '\n';
    gc_write_all(fd, path, text, len);
    sodium_free(text);
    if (fsync(fd) != 0 || close(fd) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot write '%s'", path);
}

/* Matches "PREFIX<value>\n" at *P and advances; VALUE gets the span. */
static bool key_line(const char **p, const char *end, const char *prefix, const char **value,
                     size_t *len)
{
    size_t plen = strlen(prefix);
    const char *nl;

    if ((size_t)(end - *p) < plen || memcmp(*p, prefix, plen) != 0)
        return false;
    nl = memchr(*p + plen, '\n', (size_t)(end - *p - (ptrdiff_t)plen));
    if (nl == NULL)
        return false;
    *value = *p + plen;
    *len = (size_t)(nl - *value);
    *p = nl + 1;
    return true;
}

enum gc_key_status gc_key_load(const char *path, const char *expect_device, struct gc_key *key)
{
    unsigned char seed[GC_SEED_LEN];
    uint8_t pk_file[GC_PUBKEY_LEN];
    const char *p, *end, *dev, *seed_hex, *pk_hex;
    size_t dev_len, seed_len, pk_len, len = 0;
    char *text;
    int fd;

    fd = gc_open_private(path, "secret key");
    if (fd < 0)
        return GC_KEY_MISSING;

    text = sodium_malloc(KEY_FILE_MAX);
    if (text == NULL)
        gc_die(GC_EX_SOFTWARE, "cannot allocate secure memory for a key");
    for (;;) {
        ssize_t n = read(fd, text + len, KEY_FILE_MAX - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            gc_die_errno(GC_EX_IOERR, "cannot read '%s'", path);
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == KEY_FILE_MAX)
            gc_die(GC_EX_DATAERR, "'%s' is not a gc secret key file (too long)", path);
    }
    close(fd);

    p = text;
    end = text + len;
    if ((size_t)(end - p) < strlen(KEY_MAGIC) || memcmp(p, KEY_MAGIC, strlen(KEY_MAGIC)) != 0)
        gc_die(GC_EX_DATAERR, "'%s' is not a gc secret key file (first line)", path);
    p += strlen(KEY_MAGIC);
    if (!key_line(&p, end, "device ", &dev, &dev_len) || !gc_id_valid(dev, dev_len) ||
        !key_line(&p, end, "seed ", &seed_hex, &seed_len) ||
        !key_line(&p, end, "pubkey ", &pk_hex, &pk_len) || p != end)
        gc_die(GC_EX_DATAERR, "'%s' is not a gc secret key file", path);
    if (expect_device != NULL &&
        (strlen(expect_device) != dev_len || memcmp(expect_device, dev, dev_len) != 0))
        gc_die(GC_EX_DATAERR, "'%s' holds the key of device '%.*s', not '%s'", path, (int)dev_len,
               dev, expect_device);
    if (!gc_hex_decode(seed_hex, seed_len, seed, sizeof(seed)) ||
        !gc_hex_decode(pk_hex, pk_len, pk_file, sizeof(pk_file)))
        gc_die(GC_EX_DATAERR, "'%s': seed and pubkey must be 64 lowercase hex digits", path);

    key_alloc(key);
    memcpy(key->device, dev, dev_len);
    key->device[dev_len] = '\0';
    crypto_sign_seed_keypair(key->pk, key->sk, seed);
    sodium_memzero(seed, sizeof(seed));
    sodium_free(text);
    if (sodium_memcmp(key->pk, pk_file, GC_PUBKEY_LEN) != 0)
        gc_die(GC_EX_DATAERR, "'%s': the public key does not belong to the seed", path);
    return GC_KEY_OK;
}

void gc_keyring_adopt(struct gc_keyring *ring, struct gc_key *key)
{
    unsigned char *sk;

    if (ring->n_chunks == 0 || ring->used == GC_KEYRING_CHUNK) {
        ring->chunks =
            gc_grow(ring->chunks, &ring->cap, ring->n_chunks + 1, sizeof(*ring->chunks), 16);
        ring->chunks[ring->n_chunks] = sodium_malloc(GC_KEYRING_CHUNK * crypto_sign_SECRETKEYBYTES);
        if (ring->chunks[ring->n_chunks] == NULL)
            gc_die(GC_EX_SOFTWARE, "cannot allocate secure memory for keys");
        ring->n_chunks++;
        ring->used = 0;
    }
    sk = ring->chunks[ring->n_chunks - 1] + ring->used++ * crypto_sign_SECRETKEYBYTES;
    memcpy(sk, key->sk, crypto_sign_SECRETKEYBYTES);
    sodium_free(key->sk); /* wipes before freeing */
    key->sk = sk;
}

void gc_keyring_release(struct gc_keyring *ring)
{
    for (size_t i = 0; i < ring->n_chunks; i++)
        sodium_free(ring->chunks[i]); /* wipes before freeing */
    free(ring->chunks);
    memset(ring, 0, sizeof(*ring));
}

void gc_key_sign(const struct gc_key *key, const void *msg, size_t len, uint8_t sig[GC_SIG_LEN])
{
    crypto_sign_detached(sig, NULL, msg, len, key->sk);
}

bool gc_sig_verify(const uint8_t pk[GC_PUBKEY_LEN], const void *msg, size_t len,
                   const uint8_t sig[GC_SIG_LEN])
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

void gc_key_load_signing(const char *path, struct gc_key *key)
{
    if (gc_key_load(path, NULL, key) == GC_KEY_MISSING)
        gc_die(GC_EX_NOINPUT, "no key file '%s'", path);
}
