/*
 * gc_commit — several files replaced as one (DESIGN.md §4 "State files").
 * A run's output, its rejects and its state land together or not at all:
 * a run killed at any point is either not seen or seen whole, and its
 * re-run, finding the state moved on, never emits a record twice.
 *
 * Each file is first written whole under a temporary name beside its
 * target. gc_commit_apply then writes the journal STATE.journal naming
 * every rename, atomically (temporary file, fsync, rename, fsync of the
 * directory): once it is on disk, the run has committed. It renames, syncs
 * the directories and removes the journal. A run killed after the journal
 * is finished by the next run that locks the state (gc_lock_state calls
 * gc_commit_recover), before that run reads the state.
 *
 * Standard output and outputs that are not regular files (a pipe,
 * /dev/null) cannot wait for the commit: they are written before it, so a
 * run killed in between writes their records again on its re-run.
 *
 * The journal is "gc-journal 1\n" and then, for every rename, the
 * absolute path of the temporary file and of its target, each ended by a
 * NUL byte (paths may hold any other byte). Before it, while the run
 * writes, the same file holds the intent (gc_commit_intend): "gc-intent
 * 1\n" and the absolute paths of the outputs' temporary files.
 */
#ifndef GC_COMMIT_H
#define GC_COMMIT_H

#include <stddef.h>
#include <sys/types.h>

#include "gc_buf.h"
#include "gc_io.h"

struct gc_commit {
    char *journal;         /* STATE.journal */
    struct gc_buf renames; /* the journal's body: absolute temporary and target paths */
    char **tmps;           /* temporary names as created, removed if the program stops first */
    char **targets;
    size_t n, cap;
};

/*
 * Names the N temporary files TMPS of outputs opened for a run on STATE (gc_writer's, before
 * any of their bytes) in STATE.journal as an intent: a run killed before its commit then leaves
 * nothing behind, for the next holder of the lock removes them. The journal of the commit
 * replaces the intent; a run that ends without one removes it as it exits. Nothing with N = 0.
 */
void gc_commit_intend(const char *state, const char *const *tmps, size_t n);

/* Starts a commit of the state at STATE and the files added to it. */
void gc_commit_init(struct gc_commit *c, const char *state);

/*
 * Adds W's file (gc_writer_seal): an output file renames with the rest; standard output and
 * non-regular files are written now. W is closed either way.
 */
void gc_commit_writer(struct gc_commit *c, struct gc_writer *w);

/* Adds DATA as the new content of PATH, created with MODE (0666 or 0600, before the umask). */
void gc_commit_data(struct gc_commit *c, const char *path, const void *data, size_t len,
                    mode_t mode);

/*
 * Commits: the journal, the renames, the directory syncs, the journal's removal. With one file
 * it is a plain atomic rename. Exits 74 on error: if the journal was written, the next run that
 * locks the state finishes the commit. Releases C.
 */
void gc_commit_apply(struct gc_commit *c);

/*
 * Finishes the commit a killed run left in STATE.journal, if there is one: the renames it had
 * not done, then the journal's removal. The caller holds the state's lock. Exits 74 on an I/O
 * error, 65 when the journal is not one.
 */
void gc_commit_recover(const char *state);

#endif
