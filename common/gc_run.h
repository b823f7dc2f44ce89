/*
 * gc_run — runs an external command and captures what it prints, for the
 * hooks a user plugs in (gc-verify tasks --recompute). Service module.
 */
#ifndef GC_RUN_H
#define GC_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "gc_buf.h"

/*
 * Runs CMD with /bin/sh, the NARGS strings of ARGS appended as arguments
 * ("$@"), standard input from /dev/null and standard error inherited.
 * Standard output goes to OUT (reset first), at most MAX bytes; the rest is
 * read and dropped, so the command never blocks on a full pipe. Returns
 * NULL when it ran and exited 0, else a static reason ("exited with a
 * non-zero status", "killed by a signal", "could not be started"); *STATUS
 * gets the exit status or signal number.
 */
const char *gc_run_capture(const char *cmd, const char *const *args, size_t nargs,
                           struct gc_buf *out, size_t max, int *status);

#endif
