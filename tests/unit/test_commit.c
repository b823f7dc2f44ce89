/*
 * Unit tests for gc_commit: files committed as one land whole with no journal or temporary file
 * left; a run that stops before its journal changes nothing; a journal left by a run killed
 * part-way through its renames is finished by the next holder of the lock, from any working
 * directory, whichever renames were done; an intent left by a run killed before its commit has
 * its temporary files removed, with the state's own; a file that is not a journal stops the
 * holder.
 * (The kills themselves, at each rename of a real program, are in tests/180-faults.bats.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc_commit.h"
#include "gc_err.h"
#include "gc_io.h"
#include "gc_test.h"
#include "banned.h"

static void expect_content(const char *path, const char *want)
{
    size_t len;
    char *got = gc_test_read_file(path, &len);

    if (len != strlen(want) || memcmp(got, want, len) != 0)
        fail_msg("'%s' holds '%.*s', want '%s'", path, (int)len, got, want);
    free(got);
}

static bool exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

struct paths {
    char out[GC_TEST_PATH_CAP], rej[GC_TEST_PATH_CAP], state[GC_TEST_PATH_CAP];
    char journal[GC_TEST_PATH_CAP];
};

static void paths_in(struct paths *p, const char *dir)
{
    gc_test_path_in(p->out, dir, "out.ndjson");
    gc_test_path_in(p->rej, dir, "rej.ndjson");
    gc_test_path_in(p->state, dir, "state.ndjson");
    gc_test_path_in(p->journal, dir, "state.ndjson.journal");
}

/* A run's commit: its output and rejects through gc_writer, its state as data. */
static void commit_run(const struct paths *p, const char *tag, bool apply)
{
    struct gc_writer out, rej;
    struct gc_commit c;
    char line[64];

    gc_writer_open(&out, p->out);
    gc_writer_open(&rej, p->rej);
    snprintf(line, sizeof(line), "out %s\n", tag);
    gc_writer_write(&out, line, strlen(line));
    snprintf(line, sizeof(line), "rej %s\n", tag);
    gc_writer_write(&rej, line, strlen(line));
    snprintf(line, sizeof(line), "state %s\n", tag);
    gc_commit_init(&c, p->state);
    gc_commit_writer(&c, &out);
    gc_commit_writer(&c, &rej);
    gc_commit_data(&c, p->state, line, strlen(line), 0666);
    if (apply)
        gc_commit_apply(&c);
    else
        gc_die(74, "stopping before the commit");
}

static void test_commit_lands_whole(void **state)
{
    const char *dir = *state;
    struct paths p;
    int n_tmp;

    paths_in(&p, dir);
    commit_run(&p, "1", true);
    expect_content(p.out, "out 1\n");
    expect_content(p.rej, "rej 1\n");
    expect_content(p.state, "state 1\n");
    commit_run(&p, "2", true);
    expect_content(p.out, "out 2\n");
    expect_content(p.state, "state 2\n");
    assert_false(exists(p.journal));
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 3);
    assert_int_equal(n_tmp, 0);
}

static void child_stop_before(const void *arg)
{
    commit_run(arg, "2", false);
}

static void test_commit_stopped_before_journal(void **state)
{
    const char *dir = *state;
    struct paths p;
    int n_tmp;

    paths_in(&p, dir);
    commit_run(&p, "1", true);
    gc_test_expect_exit(child_stop_before, &p, 74, "stopping", "a stop before the journal");
    expect_content(p.out, "out 1\n");
    expect_content(p.rej, "rej 1\n");
    expect_content(p.state, "state 1\n");
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 3);
    assert_int_equal(n_tmp, 0);
}

/* Leaves what a run killed after its journal leaves: the first DONE renames made. */
static void leave_journal(const struct paths *p, const char *dir, int done)
{
    const char *targets[3] = {p->out, p->rej, p->state};
    const char *names[3] = {".out.ndjson.tmp.1.0", ".rej.ndjson.tmp.1.1", ".state.ndjson.tmp.1.2"};
    const char *content[3] = {"out 2\n", "rej 2\n", "state 2\n"};
    char tmp[GC_TEST_PATH_CAP], body[4 * GC_TEST_PATH_CAP];
    size_t len;

    len = (size_t)snprintf(body, sizeof(body), "gc-journal 1\n");
    for (int i = 0; i < 3; i++) {
        gc_test_path_in(tmp, dir, names[i]);
        gc_test_write_file(i < done ? targets[i] : tmp, content[i], strlen(content[i]));
        memcpy(body + len, tmp, strlen(tmp) + 1);
        len += strlen(tmp) + 1;
        memcpy(body + len, targets[i], strlen(targets[i]) + 1);
        len += strlen(targets[i]) + 1;
    }
    gc_test_write_file(p->journal, body, len);
}

/* The next run locks the state by a relative name, from the state's directory. */
static void child_lock_relative(const void *dir)
{
    if (chdir(dir) != 0)
        _exit(1);
    gc_lock_state("state.ndjson");
}

static void test_commit_finished_by_next_lock(void **state)
{
    const char *dir = *state;
    struct paths p;
    int n_tmp;

    paths_in(&p, dir);
    for (int done = 0; done <= 3; done++) {
        char needle[80];

        commit_run(&p, "1", true);
        leave_journal(&p, dir, done);
        snprintf(needle, sizeof(needle), "part-way: %d of 3 files moved", 3 - done);
        gc_test_expect_exit(child_lock_relative, dir, 0, needle, "recovery");
        expect_content(p.out, "out 2\n");
        expect_content(p.rej, "rej 2\n");
        expect_content(p.state, "state 2\n");
        assert_false(exists(p.journal));
        /* The three files and the lock file; the journal and temporary files are gone. */
        assert_int_equal(gc_test_count_entries(dir, &n_tmp), 4);
        assert_int_equal(n_tmp, 0);
        /* Finished once: the next lock finds nothing to do and says nothing. */
        gc_test_expect_exit(child_lock_relative, dir, 0, NULL, "second lock");
        expect_content(p.state, "state 2\n");
    }
}

struct intent_arg {
    const char *state;
    const char *const *tmps;
};

/* Names the temporary files and dies as a kill would: no exit handlers. */
static void child_intend_killed(const void *arg)
{
    const struct intent_arg *a = arg;

    gc_commit_intend(a->state, a->tmps, 2);
    _exit(0);
}

/* A run that named its outputs' temporary files and was killed before its commit. */
static void test_commit_intent_cleared_by_next_lock(void **state)
{
    const char *dir = *state;
    char tmp_out[GC_TEST_PATH_CAP], tmp_rej[GC_TEST_PATH_CAP], tmp_state[GC_TEST_PATH_CAP];
    const char *tmps[] = {tmp_out, tmp_rej};
    struct paths p;
    int n_tmp;

    paths_in(&p, dir);
    commit_run(&p, "1", true);
    gc_test_path_in(tmp_out, dir, ".out.ndjson.tmp.1.0");
    gc_test_path_in(tmp_rej, dir, ".rej.ndjson.tmp.1.1");
    gc_test_path_in(tmp_state, dir, ".state.ndjson.tmp.1.2"); /* the state's own: no intent */
    gc_test_write_file(tmp_out, "out 2, half", 11);
    gc_test_write_file(tmp_state, "state 2, ha", 11);
    struct intent_arg a = {p.state, tmps};

    gc_test_expect_exit(child_intend_killed, &a, 0, NULL, "a run killed while writing");
    assert_true(exists(p.journal)); /* the rejects' temporary file was never made */
    gc_test_expect_exit(child_lock_relative, dir, 0,
                        "removed 1 temporary file(s) of a run that "
                        "stopped before its commit",
                        "the intent");
    expect_content(p.out, "out 1\n");
    expect_content(p.state, "state 1\n");
    assert_false(exists(p.journal));
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 4); /* out, rej, state, lock */
    assert_int_equal(n_tmp, 0);
}

static void child_intend_then(const void *arg)
{
    const struct paths *p = arg;
    struct gc_writer w;
    struct gc_commit c;

    gc_writer_open(&w, p->out);
    gc_writer_write(&w, "out 2\n", 6);
    gc_commit_intend(p->state, (const char *const *)&w.tmp_path, 1);
    if (!exists(p->journal))
        _exit(3);
    if (strcmp(p->rej, "die") == 0)
        gc_die(74, "stopping before the commit");
    gc_commit_init(&c, p->state);
    gc_commit_writer(&c, &w);
    gc_commit_apply(&c);
}

/* The intent goes with the run: replaced by its commit, or removed as a stopped run exits. */
static void test_commit_intent_goes_with_the_run(void **state)
{
    const char *dir = *state;
    struct paths p;
    int n_tmp;

    paths_in(&p, dir);
    gc_test_expect_exit(child_intend_then, &p, 0, NULL, "a run that commits");
    expect_content(p.out, "out 2\n");
    assert_false(exists(p.journal));
    snprintf(p.rej, sizeof(p.rej), "die");
    gc_test_write_file(p.out, "out 1\n", 6);
    gc_test_expect_exit(child_intend_then, &p, 74, "stopping", "a run that stops");
    expect_content(p.out, "out 1\n");
    assert_false(exists(p.journal));
    assert_int_equal(gc_test_count_entries(dir, &n_tmp), 1);
    assert_int_equal(n_tmp, 0);
}

static void child_lock(const void *path)
{
    gc_lock_state(path);
}

static void test_commit_not_a_journal(void **state)
{
    static const char odd[] = "gc-journal 1\n/a\0/b\0/c\0";
    const char *dir = *state;
    struct paths p;

    paths_in(&p, dir);
    gc_test_write_file(p.journal, "{\"type\":\"chain.head\"}\n", 22);
    gc_test_expect_exit(child_lock, p.state, 65, "not a commit journal", "another file");
    assert_true(exists(p.journal)); /* left for the operator to look at */
    gc_test_write_file(p.journal, "gc-journal 1\n/a\0/b", 18);
    gc_test_expect_exit(child_lock, p.state, 65, "not a commit journal", "cut short");
    gc_test_write_file(p.journal, odd, sizeof(odd) - 1);
    gc_test_expect_exit(child_lock, p.state, 65, "names 3", "an odd number of paths");
}

/* Standard output and other non-regular files are written straight: nothing to rename. */
static void test_commit_straight_outputs(void **state)
{
    const char *dir = *state;
    char path[GC_TEST_PATH_CAP];
    struct gc_writer w;
    struct gc_commit c;
    struct stat st;

    gc_test_path_in(path, dir, "state.ndjson");
    gc_commit_init(&c, path);
    gc_writer_open(&w, "/dev/null");
    gc_writer_write(&w, "x\n", 2);
    gc_commit_writer(&c, &w);
    assert_int_equal(c.n, 0);
    gc_commit_data(&c, path, "s\n", 2, 0600);
    assert_int_equal(c.n, 1);
    gc_commit_apply(&c);
    expect_content(path, "s\n");
    assert_int_equal(lstat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* created private */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        GC_TEST_WITH_DIR(test_commit_lands_whole),
        GC_TEST_WITH_DIR(test_commit_stopped_before_journal),
        GC_TEST_WITH_DIR(test_commit_finished_by_next_lock),
        GC_TEST_WITH_DIR(test_commit_intent_cleared_by_next_lock),
        GC_TEST_WITH_DIR(test_commit_intent_goes_with_the_run),
        GC_TEST_WITH_DIR(test_commit_not_a_journal),
        GC_TEST_WITH_DIR(test_commit_straight_outputs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
