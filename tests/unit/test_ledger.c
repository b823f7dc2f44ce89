/*
 * Unit tests for gc_ledger, the settlement ledger: records chain and come back on reopening;
 * idempotency keys are found; a torn last line is cut off; an edited, reordered or repeated
 * line, an edited last line and lines cut from the end are chain breaks; a second opener of a
 * held ledger is refused as busy, in a forked child.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "gc_json.h"
#include "gc_ledger.h"
#include "gc_test.h"
#include "banned.h"

/* Appends N records with keys k1..kN, amounts 10, 20, ..., and commits. */
static void fill(const char *path, int n)
{
    struct gc_ledger l;
    struct gc_fail f;

    assert_true(gc_ledger_open(&l, path, &f));
    for (int i = 1; i <= n; i++) {
        char key[16];
        json_t *rec;

        snprintf(key, sizeof(key), "k%d", i);
        rec = json_pack("{s:s, s:i, s:s, s:i}", "type", "test", "v", 1, "key", key, "amount_micros",
                        10 * i);
        gc_ledger_append(&l, rec, NULL);
        json_decref(rec);
    }
    gc_ledger_commit(&l);
    gc_ledger_close(&l);
}

static const char *open_reason(const char *path, struct gc_ledger *l, struct gc_fail *f)
{
    if (gc_ledger_open(l, path, f))
        return "ok";
    return f->reason;
}

static void test_chain_and_keys(void **state)
{
    char path[GC_TEST_PATH_CAP], *text;
    struct gc_ledger l;
    struct gc_fail f;
    size_t len;

    gc_test_path_in(path, *state, "ledger.ndjson");
    fill(path, 3);
    text = gc_test_read_file(path, &len);
    assert_non_null(strstr(text, "\"key\":\"k1\",\"prev\":\"" /* 64 zeros */
                                 "0000000000000000000000000000000000000000000000000000000000000000"
                                 "\",\"seq\":1,"));
    free(text);
    assert_string_equal(open_reason(path, &l, &f), "ok");
    assert_int_equal(l.seq, 3);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.torn_bytes, 0);
    assert_non_null(gc_ledger_find(&l, "k2"));
    assert_null(gc_ledger_find(&l, "k4"));
    assert_int_equal(json_integer_value(json_object_get(gc_ledger_find(&l, "k3"), "seq")), 3);
    /* Closing without a commit writes nothing. */
    {
        json_t *rec = json_pack("{s:s, s:i, s:s}", "type", "test", "v", 1, "key", "k4");

        gc_ledger_append(&l, rec, NULL);
        json_decref(rec);
    }
    gc_ledger_close(&l);
    assert_string_equal(open_reason(path, &l, &f), "ok");
    assert_int_equal(l.seq, 3);
    gc_ledger_close(&l);
}

/* A crash after the records' fsync and before the head file moved: the records stand. */
static void test_head_behind(void **state)
{
    char path[GC_TEST_PATH_CAP], head[GC_TEST_PATH_CAP], *old, *now;
    struct gc_ledger l;
    struct gc_fail f;
    size_t len;

    gc_test_path_in(path, *state, "ledger.ndjson");
    gc_test_path_in(head, *state, "ledger.ndjson.head");
    fill(path, 2);
    old = gc_test_read_file(head, &len);
    assert_non_null(strstr(old, "\"seq\":2,\"type\":\"ledger.head\""));
    assert_true(gc_ledger_open(&l, path, &f));
    {
        json_t *rec = json_pack("{s:s, s:i, s:s}", "type", "test", "v", 1, "key", "k9");

        gc_ledger_append(&l, rec, NULL);
        json_decref(rec);
    }
    gc_ledger_commit(&l);
    gc_ledger_close(&l);
    gc_test_write_file(head, old, len);
    assert_string_equal(open_reason(path, &l, &f), "ok");
    assert_int_equal(l.seq, 3);
    gc_ledger_close(&l);
    now = gc_test_read_file(head, NULL);
    assert_non_null(strstr(now, "\"seq\":3,"));
    free(old);
    free(now);
}

static void test_torn_last_line(void **state)
{
    static const char torn[] = "{\"amount_micros\":30,\"key\":\"k3\",\"prev\":\"ab";
    char path[GC_TEST_PATH_CAP], *text;
    struct gc_ledger l;
    struct gc_fail f;
    FILE *fp;
    size_t len;

    gc_test_path_in(path, *state, "ledger.ndjson");
    fill(path, 2);
    fp = fopen(path, "a");
    assert_non_null(fp);
    fputs(torn, fp);
    fclose(fp);
    assert_string_equal(open_reason(path, &l, &f), "ok");
    assert_int_equal(l.torn_bytes, strlen(torn));
    assert_int_equal(l.seq, 2);
    gc_ledger_close(&l);
    text = gc_test_read_file(path, &len);
    assert_int_equal(text[len - 1], '\n');
    assert_null(strstr(text, "\"k3\""));
    free(text);
    /* The next run appends after the cut and the chain holds. */
    fill(path, 0);
    assert_string_equal(open_reason(path, &l, &f), "ok");
    assert_int_equal(l.torn_bytes, 0);
    gc_ledger_close(&l);
}

/* Rewrites PATH with line I (from 0) replaced by LINE, or removed when LINE is NULL. */
static void rewrite(const char *path, int i, const char *line, bool swap_with_next)
{
    char *text = gc_test_read_file(path, NULL), *lines[16], *save = NULL;
    struct gc_buf out = GC_BUF_INIT;
    int n = 0;

    for (char *s = strtok_r(text, "\n", &save); s != NULL && n < 16;
         s = strtok_r(NULL, "\n", &save))
        lines[n++] = s;
    if (swap_with_next) {
        char *t = lines[i];

        lines[i] = lines[i + 1];
        lines[i + 1] = t;
    }
    for (int k = 0; k < n; k++) {
        const char *s = k == i && !swap_with_next ? line : lines[k];

        if (s != NULL)
            gc_buf_addf(&out, "%s\n", s);
    }
    gc_test_write_file(path, out.ptr, out.len);
    gc_buf_release(&out);
    free(text);
}

static void test_edits_are_chain_breaks(void **state)
{
    char path[GC_TEST_PATH_CAP], *text, *p;
    struct gc_ledger l;
    struct gc_fail f;

    gc_test_path_in(path, *state, "ledger.ndjson");
    /* An amount edited in the middle: the next line no longer links. */
    fill(path, 3);
    text = gc_test_read_file(path, NULL);
    p = strstr(text, "\"amount_micros\":20");
    p[strlen("\"amount_micros\":2")] = '1';
    gc_test_write_file(path, text, strlen(text));
    free(text);
    assert_string_equal(open_reason(path, &l, &f), "chain_break");
    assert_non_null(strstr(f.detail, "ledger.ndjson:3:"));
    gc_ledger_close(&l);

    /* The last line edited: no line after it, the head file catches it. */
    unlink(path);
    gc_test_path_in(path, *state, "ledger2.ndjson");
    fill(path, 3);
    text = gc_test_read_file(path, NULL);
    p = strstr(text, "\"amount_micros\":30");
    p[strlen("\"amount_micros\":3")] = '9';
    gc_test_write_file(path, text, strlen(text));
    free(text);
    assert_string_equal(open_reason(path, &l, &f), "chain_break");
    assert_non_null(strstr(f.detail, "edited"));
    gc_ledger_close(&l);

    /* Two lines swapped, a line dropped from the end, blanks added: each is a break. */
    gc_test_path_in(path, *state, "ledger3.ndjson");
    fill(path, 3);
    rewrite(path, 0, NULL, true);
    assert_string_equal(open_reason(path, &l, &f), "chain_break");
    gc_ledger_close(&l);
    gc_test_path_in(path, *state, "ledger4.ndjson");
    fill(path, 3);
    rewrite(path, 2, NULL, false);
    assert_string_equal(open_reason(path, &l, &f), "chain_break");
    assert_non_null(strstr(f.detail, "cut from the end"));
    gc_ledger_close(&l);
    gc_test_path_in(path, *state, "ledger5.ndjson");
    fill(path, 2);
    text = gc_test_read_file(path, NULL);
    p = strchr(text, ',');
    *p = ' '; /* not canonical any more, nor JSON with the same meaning */
    gc_test_write_file(path, text, strlen(text));
    free(text);
    assert_string_equal(open_reason(path, &l, &f), "chain_break");
    assert_non_null(strstr(f.detail, "ledger5.ndjson:1:"));
    gc_ledger_close(&l);
}

static void hold_and_open(const void *arg)
{
    struct gc_ledger l;
    struct gc_fail f;

    if (!gc_ledger_open(&l, arg, &f)) {
        fprintf(stderr, "%s: %s\n", f.reason, f.detail);
        exit(75);
    }
    exit(0);
}

static void test_busy(void **state)
{
    char path[GC_TEST_PATH_CAP], err[GC_TEST_CHILD_ERR];
    struct gc_ledger l;
    struct gc_fail f;

    gc_test_path_in(path, *state, "ledger.ndjson");
    fill(path, 1);
    assert_true(gc_ledger_open(&l, path, &f));
    assert_int_equal(gc_test_run_child(hold_and_open, path, err, sizeof(err)), 75);
    assert_non_null(strstr(err, "busy: "));
    gc_ledger_close(&l);
    assert_int_equal(gc_test_run_child(hold_and_open, path, err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        GC_TEST_WITH_DIR(test_chain_and_keys), GC_TEST_WITH_DIR(test_head_behind),
        GC_TEST_WITH_DIR(test_torn_last_line), GC_TEST_WITH_DIR(test_edits_are_chain_breaks),
        GC_TEST_WITH_DIR(test_busy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
