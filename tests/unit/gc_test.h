/*
 * Helpers shared by the cmocka unit tests: a fresh temporary directory per test, paths in it,
 * whole-file reads and writes, counting directory entries, and running code that may exit the
 * process in a forked child with its standard error captured. Every helper fails the current
 * test through a cmocka assertion when something it needs goes wrong, unless its comment says
 * otherwise; none of them returns an error to check. Include it after <cmocka.h>, which
 * GC_TEST_WITH_DIR expands to.
 */
#ifndef GC_TEST_H
#define GC_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The size of every path buffer handed to gc_test_path_in. */
#define GC_TEST_PATH_CAP 4096
/* The size of the buffer gc_test_expect_exit captures a child's standard error into. */
#define GC_TEST_CHILD_ERR 8192

/* A cmocka test entry for FN that runs in its own directory: gc_test_setup_dir, then teardown. */
#define GC_TEST_WITH_DIR(fn)                                                                       \
    cmocka_unit_test_setup_teardown(fn, gc_test_setup_dir, gc_test_teardown_dir)

/*
 * cmocka setup: makes a fresh directory under /tmp and stores its path in *STATE, a string the
 * matching gc_test_teardown_dir frees. Returns 0, or -1 (failing the setup) when it cannot.
 */
int gc_test_setup_dir(void **state);

/*
 * cmocka teardown: removes the directory in *STATE with everything in it, without following
 * symbolic links, and frees the path. Returns 0, or -1 when something could not be removed.
 */
int gc_test_teardown_dir(void **state);

/* Writes DIR "/" NAME into OUT, which holds GC_TEST_PATH_CAP bytes; it must fit. */
void gc_test_path_in(char *out, const char *dir, const char *name);

/* Creates or truncates PATH (mode 0644 before the umask) and writes the LEN bytes of DATA. */
void gc_test_write_file(const char *path, const void *data, size_t len);

/*
 * Like gc_test_write_file, but the file is created 0600 and then chmod'ed to exactly MODE, so
 * that the umask cannot change what a test means to check.
 */
void gc_test_write_file_mode(const char *path, const void *data, size_t len, mode_t mode);

/*
 * The whole of PATH in a new NUL-terminated buffer that the caller frees; its length without
 * the NUL goes to *LEN unless LEN is NULL.
 */
char *gc_test_read_file(const char *path, size_t *len);

/*
 * The number of entries in DIR other than "." and ".."; when N_TMP is not NULL, the number of
 * those whose name holds ".tmp." (temporary files of gc_io's atomic writes) goes to *N_TMP.
 */
int gc_test_count_entries(const char *dir, int *n_tmp);

/*
 * Runs FN(ARG) in a forked child whose standard error is captured into ERR (ERR_CAP bytes,
 * always NUL-terminated, the excess dropped); returns its exit status, 0 when FN returns, or
 * 128 + signal when it was killed. A child still running after 20 seconds is killed by SIGALRM.
 */
int gc_test_run_child(void (*fn)(const void *), const void *arg, char *err, size_t err_cap);

/*
 * Runs FN(ARG) as gc_test_run_child does and fails the test, naming WHAT, unless the child
 * exits WANT and, when NEEDLE is not NULL, its standard error mentions NEEDLE.
 */
void gc_test_expect_exit(void (*fn)(const void *), const void *arg, int want, const char *needle,
                         const char *what);

/* The directory of the published test vectors: $GC_VECTORS, or tests/vectors. */
const char *gc_test_vectors(void);

/* The width of one member's text for gc_test_random_object, and the most members it takes. */
#define GC_TEST_MEMBER_CAP  96
#define GC_TEST_MEMBERS_MAX 16

/* A number below N from a fixed generator (an LCG) on *STATE: the same sample on every run. */
uint64_t gc_test_rnd(uint64_t *state, uint64_t n);

/*
 * Writes the N members M (each "name":value) into OUT, CAP bytes, as one object: shuffled, with a
 * blank or tab now and then, and one time in DEFECT_ONE_IN a byte changed, dropped or doubled.
 * Returns its length (the object must fit in half of CAP).
 */
size_t gc_test_random_object(char *out, size_t cap, char (*m)[GC_TEST_MEMBER_CAP], int n,
                             unsigned defect_one_in, uint64_t *state);

#endif
