/*
 * Unit tests for gc_crypto: the RFC 8032 Ed25519 vectors of tests/vectors/rfc8032-ed25519.ndjson
 * (GC_VECTORS overrides the tests/vectors directory) loaded through key files, tampering with
 * message, signature and key, gc_key_generate's mode and refusal to overwrite, gc_key_load's
 * refusals (permissions, symlinks, non-regular files, every kind of malformed file) and SHA-256
 * against FIPS 180-2. Refusals exit the process, so they run in a forked child.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "gc_crypto.h"
#include "gc_hex.h"
#include "gc_test.h"
#include "banned.h"

#define KEY_TEXT    1024
#define VEC_MSG_MAX 4096

/* --- helpers ------------------------------------------------------------------------------ */

static void hex_to_bin(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    assert_true(gc_hex_decode(hex, 2 * n, out, n));
}

/* The four-line secret key file of gc-records(5). */
static size_t key_text(char *out, const char *device, const uint8_t seed[GC_SEED_LEN],
                       const uint8_t pk[GC_PUBKEY_LEN])
{
    char seed_hex[2 * GC_SEED_LEN + 1], pk_hex[2 * GC_PUBKEY_LEN + 1];
    int n;

    gc_hex_encode(seed, GC_SEED_LEN, seed_hex);
    gc_hex_encode(pk, GC_PUBKEY_LEN, pk_hex);
    n = snprintf(out, KEY_TEXT, "gc-secret-key v1 ed25519\ndevice %s\nseed %s\npubkey %s\n", device,
                 seed_hex, pk_hex);
    assert_true(n > 0 && n < KEY_TEXT);
    return (size_t)n;
}

/* RFC 8032 §7.1 TEST 1: a known good key for the refusal tests. */
static const char test1_seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char test1_pk[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

static size_t good_key_text(char *out)
{
    uint8_t seed[GC_SEED_LEN], pk[GC_PUBKEY_LEN];

    hex_to_bin(test1_seed, seed, sizeof(seed));
    hex_to_bin(test1_pk, pk, sizeof(pk));
    return key_text(out, "meter-1", seed, pk);
}

static void write_good_key(const char *path, mode_t mode)
{
    char text[KEY_TEXT];
    size_t len = good_key_text(text);

    gc_test_write_file_mode(path, text, len, mode);
}

/* What a child loads, and the device it expects (NULL: any). */
struct load_arg {
    const char *path;
    const char *expect_device;
};

static void child_load(const void *p)
{
    const struct load_arg *a = p;
    struct gc_key key;

    if (gc_key_load(a->path, a->expect_device, &key) != GC_KEY_OK)
        _exit(1);
    gc_key_release(&key);
}

struct generate_arg {
    const char *path;
    const char *device;
};

static void child_generate(const void *p)
{
    const struct generate_arg *a = p;
    struct gc_key key;

    gc_key_generate(a->path, a->device, &key);
    gc_key_release(&key);
}

/* --- RFC 8032 ----------------------------------------------------------------------------- */

/* Signs and verifies one vector through a key file; checks that every tampering is refused. */
static void check_vector(const char *dir, const json_t *v)
{
    const char *id = json_string_value(json_object_get(v, "id"));
    const char *sk_hex = json_string_value(json_object_get(v, "secret_key"));
    const char *pk_hex = json_string_value(json_object_get(v, "public_key"));
    const char *msg_hex = json_string_value(json_object_get(v, "message"));
    const char *sig_hex = json_string_value(json_object_get(v, "signature"));
    uint8_t seed[GC_SEED_LEN], pk[GC_PUBKEY_LEN], want_sig[GC_SIG_LEN], sig[GC_SIG_LEN];
    uint8_t msg[VEC_MSG_MAX + 1], bad_pk[GC_PUBKEY_LEN], bad_sig[GC_SIG_LEN];
    char path[GC_TEST_PATH_CAP], text[KEY_TEXT];
    struct gc_key key;
    size_t msg_len, text_len;

    assert_non_null(id);
    assert_non_null(sk_hex);
    assert_non_null(pk_hex);
    assert_non_null(msg_hex);
    assert_non_null(sig_hex);
    hex_to_bin(sk_hex, seed, sizeof(seed));
    hex_to_bin(pk_hex, pk, sizeof(pk));
    hex_to_bin(sig_hex, want_sig, sizeof(want_sig));
    msg_len = strlen(msg_hex) / 2;
    assert_true(msg_len <= VEC_MSG_MAX);
    hex_to_bin(msg_hex, msg, msg_len);

    gc_test_path_in(path, dir, id);
    text_len = key_text(text, id, seed, pk);
    gc_test_write_file_mode(path, text, text_len, 0600);

    assert_int_equal(gc_key_load(path, id, &key), GC_KEY_OK);
    assert_string_equal(key.device, id);
    assert_memory_equal(key.pk, pk, GC_PUBKEY_LEN);
    gc_key_sign(&key, msg, msg_len, sig);
    assert_memory_equal(sig, want_sig, GC_SIG_LEN);
    assert_true(gc_sig_verify(pk, msg, msg_len, sig));
    gc_key_release(&key);
    assert_null(key.sk);

    /* Without an expected device the same file loads too. */
    assert_int_equal(gc_key_load(path, NULL, &key), GC_KEY_OK);
    assert_memory_equal(key.pk, pk, GC_PUBKEY_LEN);
    gc_key_release(&key);

    /* A flipped bit anywhere in the message (or one byte more for the empty one). */
    for (size_t i = 0; i < 8 * msg_len; i++) {
        msg[i / 8] ^= (uint8_t)(1u << (i % 8));
        assert_false(gc_sig_verify(pk, msg, msg_len, sig));
        msg[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    msg[msg_len] = 0;
    assert_false(gc_sig_verify(pk, msg, msg_len + 1, sig));
    if (msg_len > 0)
        assert_false(gc_sig_verify(pk, msg, msg_len - 1, sig));

    /* A flipped bit anywhere in the signature. */
    for (size_t i = 0; i < 8 * GC_SIG_LEN; i++) {
        memcpy(bad_sig, sig, GC_SIG_LEN);
        bad_sig[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (gc_sig_verify(pk, msg, msg_len, bad_sig))
            fail_msg("%s: signature with bit %zu flipped verifies", id, i);
    }

    /* A flipped bit anywhere in the public key. */
    for (size_t i = 0; i < 8 * GC_PUBKEY_LEN; i++) {
        memcpy(bad_pk, pk, GC_PUBKEY_LEN);
        bad_pk[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (gc_sig_verify(bad_pk, msg, msg_len, sig))
            fail_msg("%s: public key with bit %zu flipped verifies", id, i);
    }
    assert_true(gc_sig_verify(pk, msg, msg_len, sig));
}

static void test_rfc8032_vectors(void **state)
{
    const char *root = getenv("GC_VECTORS");
    char path[GC_TEST_PATH_CAP], *line = NULL;
    size_t cap = 0, n_vec = 0;
    ssize_t n;
    FILE *fp;
    int w;

    if (root == NULL || *root == '\0')
        root = "tests/vectors";
    w = snprintf(path, sizeof(path), "%s/rfc8032-ed25519.ndjson", root);
    assert_true(w > 0 && w < (int)sizeof(path));
    fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open '%s': %s", path, strerror(errno));
    while ((n = getline(&line, &cap, fp)) > 0) {
        json_error_t jerr;
        json_t *v = json_loadb(line, (size_t)n, 0, &jerr);

        if (v == NULL)
            fail_msg("%s:%zu: %s", path, n_vec + 1, jerr.text);
        check_vector(*state, v);
        json_decref(v);
        n_vec++;
    }
    free(line);
    fclose(fp);
    assert_int_equal(n_vec, 3); /* RFC 8032 §7.1 TEST 1, 2 and 3 */
}

/* --- SHA-256 ------------------------------------------------------------------------------ */

static void expect_sha256(const char *msg, const char *want_hex)
{
    uint8_t got[GC_SHA256_LEN];
    char hex[2 * GC_SHA256_LEN + 1];

    gc_sha256(msg, strlen(msg), got);
    gc_hex_encode(got, GC_SHA256_LEN, hex);
    assert_string_equal(hex, want_hex);
}

static void test_sha256_fips180(void **state)
{
    (void)state;
    /* FIPS 180-2 appendix B.1 and B.2, and the hash of the empty message. */
    expect_sha256("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect_sha256("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* --- gc_key_generate ---------------------------------------------------------------------- */

static void test_generate_mode_and_format(void **state)
{
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], *text, pk_hex[2 * GC_PUBKEY_LEN + 1];
    uint8_t sig[GC_SIG_LEN];
    struct gc_key gen, loaded;
    struct stat st;
    mode_t old_umask;
    size_t len;

    gc_test_path_in(path, dir, "meter-7.key");
    old_umask = umask(0); /* the file must be 0600 without the umask's help */
    gc_key_generate(path, "meter-7", &gen);
    umask(old_umask);
    assert_string_equal(gen.device, "meter-7");
    assert_non_null(gen.sk);

    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);

    /* Exactly the four lines, lowercase hex, the pubkey the one generated. */
    text = gc_test_read_file(path, &len);
    assert_int_equal(len, 25 + 15 + 70 + 72);
    assert_memory_equal(text, "gc-secret-key v1 ed25519\ndevice meter-7\nseed ", 45);
    for (size_t i = 45; i < 45 + 64; i++)
        assert_non_null(strchr("0123456789abcdef", text[i]));
    gc_hex_encode(gen.pk, GC_PUBKEY_LEN, pk_hex);
    assert_memory_equal(text + 109, "\npubkey ", 8);
    assert_memory_equal(text + 117, pk_hex, 64);
    assert_int_equal(text[181], '\n');
    free(text);

    /* What was written loads back to the same key and signs interchangeably. */
    assert_int_equal(gc_key_load(path, "meter-7", &loaded), GC_KEY_OK);
    assert_string_equal(loaded.device, "meter-7");
    assert_memory_equal(loaded.pk, gen.pk, GC_PUBKEY_LEN);
    gc_key_sign(&loaded, "reading", 7, sig);
    assert_true(gc_sig_verify(gen.pk, "reading", 7, sig));
    gc_key_sign(&gen, "reading", 7, sig);
    assert_true(gc_sig_verify(loaded.pk, "reading", 7, sig));
    gc_key_release(&loaded);
    gc_key_release(&gen);
}

static void test_generate_distinct_keys(void **state)
{
    const char *dir = *state;
    char a_path[GC_TEST_PATH_CAP], b_path[GC_TEST_PATH_CAP];
    struct gc_key a, b;

    gc_test_path_in(a_path, dir, "a.key");
    gc_test_path_in(b_path, dir, "b.key");
    gc_key_generate(a_path, "a", &a);
    gc_key_generate(b_path, "b", &b);
    assert_memory_not_equal(a.pk, b.pk, GC_PUBKEY_LEN);
    gc_key_release(&a);
    gc_key_release(&b);
}

static void test_generate_refuses_existing(void **state)
{
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP], link_path[GC_TEST_PATH_CAP], target[GC_TEST_PATH_CAP];
    char *before, *after;
    struct generate_arg arg;
    struct gc_key key;
    struct stat st;
    size_t len, after_len;

    /* A key that exists is never replaced, not even by a key for the same device. */
    gc_test_path_in(path, dir, "meter-1.key");
    gc_key_generate(path, "meter-1", &key);
    gc_key_release(&key);
    before = gc_test_read_file(path, &len);
    arg.path = path;
    arg.device = "meter-1";
    gc_test_expect_exit(child_generate, &arg, 73, NULL, "generate over an existing key");
    after = gc_test_read_file(path, &after_len);
    assert_int_equal(after_len, len);
    assert_memory_equal(after, before, len);
    free(before);
    free(after);

    /* Any file at all, even an empty one with permissive mode. */
    gc_test_path_in(path, dir, "empty");
    gc_test_write_file_mode(path, "", 0, 0644);
    gc_test_expect_exit(child_generate, &arg, 73, NULL, "generate over an empty file");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* A dangling symlink: generating must not create its target. */
    gc_test_path_in(link_path, dir, "dangling.key");
    gc_test_path_in(target, dir, "target.key");
    assert_int_equal(symlink(target, link_path), 0);
    arg.path = link_path;
    gc_test_expect_exit(child_generate, &arg, 73, NULL, "generate over a dangling symlink");
    assert_int_equal(lstat(target, &st), -1);
    assert_int_equal(errno, ENOENT);
}

/* --- gc_key_load -------------------------------------------------------------------------- */

static void test_load_missing(void **state)
{
    char path[GC_TEST_PATH_CAP];
    struct gc_key key;

    gc_test_path_in(path, *state, "no-such.key");
    assert_int_equal(gc_key_load(path, NULL, &key), GC_KEY_MISSING);
    assert_int_equal(gc_key_load(path, "meter-1", &key), GC_KEY_MISSING);
}

static void test_load_good_modes(void **state)
{
    static const mode_t ok_modes[] = {0600, 0400};
    char path[GC_TEST_PATH_CAP];
    uint8_t pk[GC_PUBKEY_LEN];
    struct gc_key key;

    hex_to_bin(test1_pk, pk, sizeof(pk));
    gc_test_path_in(path, *state, "meter-1.key");
    for (size_t i = 0; i < sizeof(ok_modes) / sizeof(ok_modes[0]); i++) {
        write_good_key(path, ok_modes[i]);
        assert_int_equal(gc_key_load(path, "meter-1", &key), GC_KEY_OK);
        assert_memory_equal(key.pk, pk, GC_PUBKEY_LEN);
        gc_key_release(&key);
        assert_int_equal(unlink(path), 0);
    }
}

static void test_load_open_permissions(void **state)
{
    static const mode_t bad_modes[] = {0640, 0604, 0660, 0644, 0666, 0610, 0601, 0602, 0620};
    char path[GC_TEST_PATH_CAP], what[64];
    struct load_arg arg;

    gc_test_path_in(path, *state, "meter-1.key");
    arg.path = path;
    arg.expect_device = "meter-1";
    for (size_t i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
        write_good_key(path, bad_modes[i]);
        snprintf(what, sizeof(what), "load a key of mode %04o", (unsigned)bad_modes[i]);
        gc_test_expect_exit(child_load, &arg, 77, NULL, what);
        assert_int_equal(unlink(path), 0);
    }
    /* The same file with mode 0600 is fine: it was the mode that was refused. */
    write_good_key(path, 0600);
    gc_test_expect_exit(child_load, &arg, 0, NULL, "load a key of mode 0600");
}

static void test_load_not_regular(void **state)
{
    const char *dir = *state;
    char good[GC_TEST_PATH_CAP], link_path[GC_TEST_PATH_CAP], sub[GC_TEST_PATH_CAP],
        fifo[GC_TEST_PATH_CAP];
    struct load_arg arg = {NULL, NULL};

    gc_test_path_in(good, dir, "good.key");
    write_good_key(good, 0600);
    arg.path = good;
    gc_test_expect_exit(child_load, &arg, 0, NULL, "load the symlink's target itself");

    gc_test_path_in(link_path, dir, "link.key");
    assert_int_equal(symlink(good, link_path), 0);
    arg.path = link_path;
    gc_test_expect_exit(child_load, &arg, 77, NULL, "load through a symlink");

    gc_test_path_in(sub, dir, "dir.key");
    assert_int_equal(mkdir(sub, 0700), 0);
    arg.path = sub;
    gc_test_expect_exit(child_load, &arg, 77, NULL, "load a directory");

    /* A FIFO must be refused without blocking on the open. */
    gc_test_path_in(fifo, dir, "fifo.key");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    arg.path = fifo;
    gc_test_expect_exit(child_load, &arg, 77, NULL, "load a FIFO");
}

/* One malformed variant of the good key file, with what gc_key_load is told to expect. */
struct bad_key {
    const char *what;
    const char *expect_device;
    const char *text; /* NULL: build from the good text with EDIT */
    void (*edit)(char *text, size_t *len);
};

static void edit_upper_seed(char *t, size_t *len)
{
    char *p = strstr(t, "seed ") + 5;

    (void)len;
    for (char *q = p; q < p + 64; q++)
        if (*q >= 'a' && *q <= 'f')
            *q = (char)(*q - 'a' + 'A');
}

static void edit_upper_one_pk(char *t, size_t *len)
{
    char *p = strstr(t, "pubkey ") + 7;

    (void)len;
    while (!(*p >= 'a' && *p <= 'f'))
        p++;
    *p = (char)(*p - 'a' + 'A');
}

static void edit_drop_pubkey(char *t, size_t *len)
{
    *len = (size_t)(strstr(t, "pubkey ") - t);
}

static void edit_drop_device(char *t, size_t *len)
{
    char *dev = strstr(t, "device ");
    char *nl = strchr(dev, '\n') + 1;

    memmove(dev, nl, (size_t)(t + *len - nl));
    *len -= (size_t)(nl - dev);
}

static void edit_extra_line(char *t, size_t *len)
{
    memcpy(t + *len, "comment x\n", 10);
    *len += 10;
}

static void edit_extra_newline(char *t, size_t *len)
{
    t[(*len)++] = '\n';
}

static void edit_no_final_newline(char *t, size_t *len)
{
    (*len)--;
}

static void edit_pk_mismatch(char *t, size_t *len)
{
    char *p = strstr(t, "pubkey ") + 7;

    (void)len;
    p[63] = p[63] == '0' ? '1' : '0';
}

static void edit_magic(char *t, size_t *len)
{
    (void)len;
    t[15] = '2'; /* "gc-secret-key v2 ed25519" */
}

static void edit_short_seed(char *t, size_t *len)
{
    char *p = strstr(t, "seed ") + 5 + 62;

    memmove(p, p + 2, (size_t)(t + *len - (p + 2)));
    *len -= 2;
}

static void edit_crlf(char *t, size_t *len)
{
    char out[KEY_TEXT];
    size_t n = 0;

    for (size_t i = 0; i < *len; i++) {
        if (t[i] == '\n')
            out[n++] = '\r';
        out[n++] = t[i];
    }
    memcpy(t, out, n);
    *len = n;
}

static void edit_seed_space(char *t, size_t *len)
{
    char *p = strstr(t, "seed ") + 5 + 64;

    memmove(p + 1, p, (size_t)(t + *len - p));
    *p = ' ';
    (*len)++;
}

static void edit_swap_lines(char *t, size_t *len)
{
    /* pubkey line before seed line */
    char out[KEY_TEXT];
    char *seed = strstr(t, "seed "), *pk = strstr(t, "pubkey ");
    size_t head = (size_t)(seed - t), seed_len = (size_t)(pk - seed);
    size_t pk_len = (size_t)(t + *len - pk);

    memcpy(out, t, head);
    memcpy(out + head, pk, pk_len);
    memcpy(out + head + pk_len, seed, seed_len);
    memcpy(t, out, *len);
}

static void edit_bad_device(char *t, size_t *len)
{
    char *p = strstr(t, "device ") + 7;

    (void)len;
    *p = 'M'; /* "Meter-1" is not an id */
}

static void edit_too_long(char *t, size_t *len)
{
    /* Past the 512 bytes gc_key_load reads at most. */
    memset(t + *len, '\n', 600 - *len);
    *len = 600;
}

static void test_load_malformed(void **state)
{
    static const struct bad_key bad[] = {
        {"wrong magic", NULL, NULL, edit_magic},
        {"uppercase seed hex", NULL, NULL, edit_upper_seed},
        {"one uppercase pubkey digit", NULL, NULL, edit_upper_one_pk},
        {"missing pubkey line", NULL, NULL, edit_drop_pubkey},
        {"missing device line", NULL, NULL, edit_drop_device},
        {"extra line", NULL, NULL, edit_extra_line},
        {"extra empty line", NULL, NULL, edit_extra_newline},
        {"no final newline", NULL, NULL, edit_no_final_newline},
        {"pubkey not matching the seed", NULL, NULL, edit_pk_mismatch},
        {"seed of 31 bytes", NULL, NULL, edit_short_seed},
        {"CRLF line ends", NULL, NULL, edit_crlf},
        {"trailing space after the seed", NULL, NULL, edit_seed_space},
        {"lines out of order", NULL, NULL, edit_swap_lines},
        {"device not an id", NULL, NULL, edit_bad_device},
        {"file too long", NULL, NULL, edit_too_long},
        {"another device expected", "meter-2", NULL, NULL},
        {"a device whose name extends the file's", "meter-10", NULL, NULL},
        {"a device the file's name extends", "meter-", NULL, NULL},
        {"empty file", NULL, "", NULL},
        {"only the magic", NULL, "gc-secret-key v1 ed25519\n", NULL},
        {"public key file", NULL, "gc-public-key v1 ed25519\n", NULL},
    };
    char path[GC_TEST_PATH_CAP], text[KEY_TEXT];
    struct load_arg arg;

    gc_test_path_in(path, *state, "meter-1.key");
    arg.path = path;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len;

        if (bad[i].text != NULL) {
            len = strlen(bad[i].text);
            memcpy(text, bad[i].text, len);
        } else {
            len = good_key_text(text);
        }
        if (bad[i].edit != NULL)
            bad[i].edit(text, &len);
        gc_test_write_file_mode(path, text, len, 0600);
        arg.expect_device = bad[i].expect_device;
        gc_test_expect_exit(child_load, &arg, 65, NULL, bad[i].what);
        assert_int_equal(unlink(path), 0);
    }

    /* The unedited text passes with the right device, so each refusal above is its edit's. */
    write_good_key(path, 0600);
    arg.expect_device = "meter-1";
    gc_test_expect_exit(child_load, &arg, 0, NULL, "the good key");
}

/* Keys adopted by a ring, more than one chunk of them, sign as before; the ring frees them. */
static void test_keyring_adopt(void **state)
{
    enum { N = GC_KEYRING_CHUNK + 3 };
    static struct gc_key keys[N];
    struct gc_keyring ring = {0};
    uint8_t sig_before[GC_SIG_LEN], sig_after[GC_SIG_LEN];
    char path[GC_TEST_PATH_CAP];

    gc_test_path_in(path, *state, "k.key");
    gc_key_generate(path, "dev-1", &keys[0]);
    for (int i = 1; i < N; i++) {
        keys[i].sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
        assert_non_null(keys[i].sk);
        crypto_sign_keypair(keys[i].pk, keys[i].sk);
    }
    for (int i = 0; i < N; i++) {
        gc_key_sign(&keys[i], "msg", 3, sig_before);
        gc_keyring_adopt(&ring, &keys[i]);
        gc_key_sign(&keys[i], "msg", 3, sig_after);
        assert_memory_equal(sig_before, sig_after, GC_SIG_LEN);
        assert_true(gc_sig_verify(keys[i].pk, "msg", 3, sig_after));
    }
    assert_int_equal(ring.n_chunks, 2);
    assert_ptr_equal(keys[1].sk, keys[0].sk + crypto_sign_SECRETKEYBYTES);
    gc_keyring_release(&ring);
    assert_int_equal(ring.n_chunks, 0);
    assert_null(ring.chunks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        GC_TEST_WITH_DIR(test_rfc8032_vectors),
        cmocka_unit_test(test_sha256_fips180),
        GC_TEST_WITH_DIR(test_generate_mode_and_format),
        GC_TEST_WITH_DIR(test_generate_distinct_keys),
        GC_TEST_WITH_DIR(test_generate_refuses_existing),
        GC_TEST_WITH_DIR(test_load_missing),
        GC_TEST_WITH_DIR(test_load_good_modes),
        GC_TEST_WITH_DIR(test_load_open_permissions),
        GC_TEST_WITH_DIR(test_load_not_regular),
        GC_TEST_WITH_DIR(test_load_malformed),
        GC_TEST_WITH_DIR(test_keyring_adopt),
    };

    gc_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
