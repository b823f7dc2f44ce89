#include "gc_commit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gc_err.h"
#include "banned.h"

#define JOURNAL_MAGIC "gc-journal 1\n"
#define INTENT_MAGIC  "gc-intent 1\n"
#define JOURNAL_MAX   (1u << 20) /* a few paths; more is not a journal of ours */

void gc_commit_init(struct gc_commit *c, const char *state)
{
    struct gc_buf j = GC_BUF_INIT;

    memset(c, 0, sizeof(*c));
    gc_buf_addf(&j, "%s.journal", state);
    c->journal = j.ptr;
    gc_buf_init(&c->renames);
}

/*
 * Appends PATH with its directory made absolute, and a NUL: the journal must name the same
 * files when the run that finishes it started in another working directory.
 */
static void add_absolute(struct gc_buf *b, const char *path)
{
    struct gc_buf dir = GC_BUF_INIT;
    const char *base = gc_path_dir(path, &dir);
    char *real = realpath(dir.ptr, NULL);

    if (real == NULL)
        gc_die_errno(GC_EX_IOERR, "cannot resolve directory '%s'", dir.ptr);
    gc_buf_adds(b, real);
    if (strcmp(real, "/") != 0)
        gc_buf_addc(b, '/');
    gc_buf_adds(b, base);
    gc_buf_addc(b, '\0');
    free(real);
    gc_buf_release(&dir);
}

/* The intent this process wrote and has not yet replaced by its journal, or NULL. */
static char *intent;

static void drop_intent(void)
{
    if (intent == NULL)
        return;
    unlink(intent);
    free(intent);
    intent = NULL;
}

void gc_commit_intend(const char *state, const char *const *tmps, size_t n)
{
    struct gc_buf body = GC_BUF_INIT, path = GC_BUF_INIT;
    static bool registered;

    if (n == 0)
        return;
    gc_buf_adds(&body, INTENT_MAGIC);
    for (size_t i = 0; i < n; i++)
        add_absolute(&body, tmps[i]);
    gc_buf_addf(&path, "%s.journal", state);
    gc_atomic_write(path.ptr, body.ptr, body.len);
    free(intent); /* one run, one intent: a second replaces the first */
    intent = path.ptr;
    if (!registered && atexit(drop_intent) == 0)
        registered = true;
    gc_buf_release(&body);
}

static void add_rename(struct gc_commit *c, char *tmp, const char *target)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4;
        c->tmps = realloc(c->tmps, c->cap * sizeof(*c->tmps));
        c->targets = realloc(c->targets, c->cap * sizeof(*c->targets));
        if (c->tmps == NULL || c->targets == NULL)
            gc_die(GC_EX_SOFTWARE, "out of memory");
    }
    c->tmps[c->n] = tmp;
    c->targets[c->n] = gc_xstrdup(target);
    c->n++;
    add_absolute(&c->renames, tmp);
    add_absolute(&c->renames, target);
}

/* The targets of a commit this process finished for a killed run: absolute paths, NUL-ended. */
static struct gc_buf recovered;

static bool was_recovered(const char *path)
{
    struct gc_buf abs = GC_BUF_INIT;
    bool found = false;

    if (recovered.len == 0)
        return false;
    add_absolute(&abs, path);
    for (size_t at = 0; at < recovered.len && !found; at += strlen(recovered.ptr + at) + 1)
        found = strcmp(recovered.ptr + at, abs.ptr) == 0;
    gc_buf_release(&abs);
    return found;
}

void gc_commit_writer(struct gc_commit *c, struct gc_writer *w)
{
    const char *path = w->path;
    char *tmp = gc_writer_seal(w);

    if (tmp == NULL)
        return;
    /*
     * The same command run again after a kill would replace the killed run's output, finished
     * just now, with its own, which finds that work done: keep the work, stop this run.
     */
    if (was_recovered(path))
        gc_die(GC_EX_TEMPFAIL,
               "'%s' holds the output of a run that was killed while it committed, finished "
               "now; stopping rather than replace it (the next run goes on from there)",
               path);
    add_rename(c, tmp, path);
}

void gc_commit_data(struct gc_commit *c, const char *path, const void *data, size_t len,
                    mode_t mode)
{
    char *tmp;
    int fd = gc_tmp_open(path, &tmp, mode);

    gc_write_all(fd, path, data, len);
    gc_tmp_sync(fd, path);
    add_rename(c, tmp, path);
}

static void release(struct gc_commit *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->tmps[i]);
        free(c->targets[i]);
    }
    free(c->tmps);
    free(c->targets);
    free(c->journal);
    gc_buf_release(&c->renames);
    memset(c, 0, sizeof(*c));
}

static void move_into_place(const char *tmp, const char *target)
{
    if (rename(tmp, target) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot rename '%s' to '%s'", tmp, target);
}

void gc_commit_apply(struct gc_commit *c)
{
    if (c->n <= 1) {
        if (c->n == 1) {
            move_into_place(c->tmps[0], c->targets[0]);
            gc_tmp_forget(c->tmps[0]);
            gc_fsync_dir_of(c->targets[0]);
        }
        if (intent != NULL) {
            drop_intent();
            gc_fsync_dir_of(c->journal);
        }
    } else {
        struct gc_buf body = GC_BUF_INIT;

        gc_buf_adds(&body, JOURNAL_MAGIC);
        gc_buf_add(&body, c->renames.ptr, c->renames.len);
        gc_atomic_write(c->journal, body.ptr, body.len); /* the commit point, over the intent */
        gc_buf_release(&body);
        free(intent);
        intent = NULL;
        /* From here the files belong to the journal: an error leaves them for the next run. */
        for (size_t i = 0; i < c->n; i++)
            gc_tmp_forget(c->tmps[i]);
        for (size_t i = 0; i < c->n; i++)
            move_into_place(c->tmps[i], c->targets[i]);
        for (size_t i = 0; i < c->n; i++)
            if (i == 0 || strcmp(c->targets[i], c->targets[i - 1]) != 0)
                gc_fsync_dir_of(c->targets[i]);
        if (unlink(c->journal) != 0)
            gc_die_errno(GC_EX_IOERR, "cannot remove journal '%s'", c->journal);
        gc_fsync_dir_of(c->journal);
    }
    release(c);
}

/* Reads all of the journal at PATH into B; false when there is none. */
static bool read_journal(const char *path, struct gc_buf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT)
        return false;
    if (fd < 0)
        gc_die_errno(GC_EX_IOERR, "cannot open journal '%s'", path);
    for (;;) {
        ssize_t got;

        gc_buf_grow(b, 65536);
        got = read(fd, b->ptr + b->len, 65536);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            gc_die_errno(GC_EX_IOERR, "cannot read journal '%s'", path);
        if (got == 0)
            break;
        b->len += (size_t)got;
        if (b->len > JOURNAL_MAX)
            break;
    }
    close(fd);
    return true;
}

/* A run stopped before its commit: its temporary files, named in the intent BODY, go. */
static void remove_intended(const char *state, const char *path, const struct gc_buf *body)
{
    const char *p = body->ptr + sizeof(INTENT_MAGIC) - 1, *end = body->ptr + body->len;
    size_t n_removed = 0;

    for (; p < end; p += strlen(p) + 1) {
        if (unlink(p) == 0)
            n_removed++;
        else if (errno != ENOENT)
            gc_die_errno(GC_EX_IOERR, "cannot remove '%s'", p);
    }
    if (unlink(path) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot remove journal '%s'", path);
    gc_fsync_dir_of(path);
    if (n_removed > 0)
        gc_note("%s: removed %zu temporary file(s) of a run that stopped before its commit", state,
                n_removed);
}

/*
 * Removes what a killed run left of its own writes of STATE and its journal: temporary files
 * named after them (gc_tmp_open), which only the holder of the lock makes. Returns how many.
 */
static size_t remove_stale_tmps(const char *state)
{
    struct gc_buf dir = GC_BUF_INIT, own = GC_BUF_INIT, journal = GC_BUF_INIT, path = GC_BUF_INIT;
    const char *base = gc_path_dir(state, &dir);
    struct dirent *e;
    size_t n = 0;
    DIR *d;

    gc_buf_addf(&own, ".%s.tmp.", base);
    gc_buf_addf(&journal, ".%s.journal.tmp.", base);
    d = opendir(dir.ptr);
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, own.ptr, own.len) != 0 &&
            strncmp(e->d_name, journal.ptr, journal.len) != 0)
            continue;
        gc_buf_reset(&path);
        gc_buf_addf(&path, "%s/%s", dir.ptr, e->d_name);
        if (unlink(path.ptr) == 0)
            n++;
    }
    if (d != NULL)
        closedir(d);
    gc_buf_release(&dir);
    gc_buf_release(&own);
    gc_buf_release(&journal);
    gc_buf_release(&path);
    return n;
}

void gc_commit_recover(const char *state)
{
    struct gc_buf journal = GC_BUF_INIT, body = GC_BUF_INIT;
    const size_t magic_len = sizeof(JOURNAL_MAGIC) - 1;
    size_t n_paths = 0, n_moved = 0, n_stale;
    const char *p, *end;

    gc_buf_addf(&journal, "%s.journal", state);
    if (!read_journal(journal.ptr, &body))
        goto out;
    if (body.len > sizeof(INTENT_MAGIC) - 1 && body.ptr[body.len - 1] == '\0' &&
        memcmp(body.ptr, INTENT_MAGIC, sizeof(INTENT_MAGIC) - 1) == 0) {
        remove_intended(state, journal.ptr, &body);
        goto out;
    }
    /* Written whole or not at all (gc_atomic_write): anything else was not written by gc. */
    if (body.len > JOURNAL_MAX || body.len < magic_len ||
        memcmp(body.ptr, JOURNAL_MAGIC, magic_len) != 0 || body.ptr[body.len - 1] != '\0')
        gc_die(GC_EX_DATAERR,
               "%s: not a commit journal of gc; check the files it names, then "
               "remove it",
               journal.ptr);
    end = body.ptr + body.len;
    for (p = body.ptr + magic_len; p < end; p += strlen(p) + 1)
        n_paths++;
    if (n_paths < 2 || n_paths % 2 != 0)
        gc_die(GC_EX_DATAERR, "%s: a commit journal names pairs of files; this one names %zu",
               journal.ptr, n_paths);
    for (p = body.ptr + magic_len; p < end;) {
        const char *tmp = p, *target = tmp + strlen(tmp) + 1;
        struct stat st;

        p = target + strlen(target) + 1;
        if (lstat(tmp, &st) != 0 && errno == ENOENT)
            continue; /* renamed before the run stopped */
        move_into_place(tmp, target);
        n_moved++;
    }
    for (p = body.ptr + magic_len; p < end; p += strlen(p) + 1) {
        p += strlen(p) + 1;
        gc_buf_add(&recovered, p, strlen(p) + 1);
    }
    for (p = body.ptr + magic_len; p < end;) {
        const char *target = p + strlen(p) + 1;

        p = target + strlen(target) + 1;
        gc_fsync_dir_of(target);
    }
    if (unlink(journal.ptr) != 0)
        gc_die_errno(GC_EX_IOERR, "cannot remove journal '%s'", journal.ptr);
    gc_fsync_dir_of(journal.ptr);
    gc_note("%s: finished the commit of a run that stopped part-way: %zu of %zu files moved "
            "into place now",
            state, n_moved, n_paths / 2);
out:
    /* Only now: a journal may name one of them, to be renamed into place. */
    n_stale = remove_stale_tmps(state);
    if (n_stale > 0)
        gc_note("%s: removed %zu temporary file(s) of the state left by a run that was killed",
                state, n_stale);
    gc_buf_release(&journal);
    gc_buf_release(&body);
}
