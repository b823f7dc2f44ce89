/* Helpers shared by the cmocka unit tests; see gc_test.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gc_test.h"
#include "banned.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int gc_test_setup_dir(void **state)
{
    char tmpl[] = "/tmp/gc-test.XXXXXX";
    char *dir;

    if (mkdtemp(tmpl) == NULL)
        return -1;
    dir = strdup(tmpl);
    if (dir == NULL)
        return -1;
    *state = dir;
    return 0;
}

int gc_test_teardown_dir(void **state)
{
    char *dir = *state;
    /* Depth first so directories are empty when removed; FTW_PHYS so links are not followed. */
    int rc = nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

    free(dir);
    return rc;
}

void gc_test_path_in(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, GC_TEST_PATH_CAP, "%s/%s", dir, name);

    assert_true(n > 0 && n < GC_TEST_PATH_CAP);
}

static void write_with_open_mode(const char *path, const void *data, size_t len, mode_t open_mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, open_mode);
    const char *p = data;

    assert_true(fd >= 0);
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        assert_true(n > 0);
        p += n;
        len -= (size_t)n;
    }
    assert_int_equal(close(fd), 0);
}

void gc_test_write_file(const char *path, const void *data, size_t len)
{
    write_with_open_mode(path, data, len, 0644);
}

void gc_test_write_file_mode(const char *path, const void *data, size_t len, mode_t mode)
{
    write_with_open_mode(path, data, len, 0600);
    /* chmod, not the open mode, so the umask cannot weaken the test. */
    assert_int_equal(chmod(path, mode), 0);
}

char *gc_test_read_file(const char *path, size_t *len)
{
    struct stat st;
    size_t got = 0;
    char *buf;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        fail_msg("cannot open '%s': %s", path, strerror(errno));
    assert_int_equal(fstat(fd, &st), 0);
    buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        assert_true(n > 0);
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    if (len != NULL)
        *len = got;
    return buf;
}

int gc_test_count_entries(const char *dir, int *n_tmp)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0, tmp = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strstr(e->d_name, ".tmp.") != NULL)
            tmp++;
    }
    closedir(d);
    if (n_tmp != NULL)
        *n_tmp = tmp;
    return n;
}

int gc_test_run_child(void (*fn)(const void *), const void *arg, char *err, size_t err_cap)
{
    size_t got = 0;
    int p[2], status;
    pid_t pid;

    assert_int_equal(pipe(p), 0);
    fflush(NULL); /* or a child that calls exit() writes the parent's buffered output again */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], STDERR_FILENO);
        close(p[1]);
        alarm(20); /* a child that blocks fails the test instead of hanging it */
        fn(arg);
        _exit(0);
    }
    close(p[1]);
    for (;;) {
        ssize_t n = read(p[0], err + got, err_cap - 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == err_cap - 1) {
            char sink[256];

            /* Drain the rest so a chatty child cannot block on a full pipe. */
            while (read(p[0], sink, sizeof(sink)) > 0)
                ;
            break;
        }
    }
    err[got] = '\0';
    close(p[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

void gc_test_expect_exit(void (*fn)(const void *), const void *arg, int want, const char *needle,
                         const char *what)
{
    char err[GC_TEST_CHILD_ERR];
    int got = gc_test_run_child(fn, arg, err, sizeof(err));

    if (got != want)
        fail_msg("%s: child exited %d, want %d; its stderr: %s", what, got, want, err);
    if (needle != NULL && strstr(err, needle) == NULL)
        fail_msg("%s: stderr does not mention '%s': %s", what, needle, err);
}

const char *gc_test_vectors(void)
{
    const char *root = getenv("GC_VECTORS");

    return root != NULL && *root != '\0' ? root : "tests/vectors";
}

uint64_t gc_test_rnd(uint64_t *state, uint64_t n)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (*state >> 33) % n;
}

size_t gc_test_random_object(char *out, size_t cap, char (*m)[GC_TEST_MEMBER_CAP], int n,
                             unsigned defect_one_in, uint64_t *state)
{
    static const char bytes[] = "\"{}[],:0159-.eE \\atrux\x01\x7f\xc3\xff";
    int order[GC_TEST_MEMBERS_MAX];
    char *p = out;

    assert_true(n <= GC_TEST_MEMBERS_MAX);
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)gc_test_rnd(state, (uint64_t)i + 1), x = order[i];

        order[i] = order[j];
        order[j] = x;
    }
    *p++ = '{';
    for (int i = 0; i < n; i++) {
        size_t len = strlen(m[order[i]]);

        if (i > 0)
            *p++ = ',';
        if (gc_test_rnd(state, 30) == 0)
            *p++ = gc_test_rnd(state, 2) ? ' ' : '\t';
        memcpy(p, m[order[i]], len);
        p += len;
    }
    *p++ = '}';
    assert_true((size_t)(p - out) < cap / 2);
    if (gc_test_rnd(state, defect_one_in) == 0) {
        size_t at = gc_test_rnd(state, (uint64_t)(p - out)), len = (size_t)(p - out);

        switch (gc_test_rnd(state, 3)) {
        case 0:
            out[at] = bytes[gc_test_rnd(state, sizeof(bytes) - 1)];
            break;
        case 1:
            memmove(out + at, out + at + 1, len - at - 1);
            p--;
            break;
        default:
            memmove(out + at + 1, out + at, len - at);
            p++;
        }
    }
    return (size_t)(p - out);
}
