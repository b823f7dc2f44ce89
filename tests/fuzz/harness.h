/*
 * Helpers shared by the libFuzzer harnesses in tests/fuzz (make fuzz, make fuzz-smoke).
 *
 * Every harness is one file fuzz_NAME.c defining LLVMFuzzerTestOneInput; it is linked with
 * harness.c and the library built with clang into build/fuzz (see the Makefile's fuzz block).
 * A harness calls the real library functions on its input, checks properties that must hold
 * whatever the input (FUZZ_CHECK aborts, so libFuzzer saves the input as a crash) and frees
 * everything it made: LeakSanitizer runs after every input.
 *
 * The library reports broken invariants with gc_die(70, ...) and exits; libFuzzer counts an
 * exit as a crash, which is what a harness wants: records from outside must be refused, never
 * stop a program as an internal error. The harnesses are linked with -Wl,--wrap=gc_die so that
 * the few documented data errors that do exit (a corrupt zstd stream: exit 65) can be caught
 * with fuzz_catch_exit instead; exit 70 always stays a crash.
 *
 * No clock, no randomness, no network. Nothing is written to any file, except by the harnesses
 * of modules that only work on files (fuzz_ledger, fuzz_tz): they work in a scratch directory
 * of their own, fuzz_scratch_dir.
 */
#ifndef GC_FUZZ_HARNESS_H
#define GC_FUZZ_HARNESS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_buf.h"
#include "gc_err.h"
#include "gc_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message naming the harness's file and line when COND is false. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* libsodium and the program name, once per process. */
void fuzz_init(void);

/*
 * Set from the environment (FUZZ_PRINT=1) by fuzz_init: every record fuzz_check_record sees
 * is printed to standard error, to see what a harness makes of an input it is given.
 */
extern bool fuzz_print;

/*
 * While armed (fuzz_exit_armed is true), a gc_die with a code other than 70 (GC_EX_SOFTWARE)
 * longjmps to fuzz_exit_jmp with the code instead of exiting. The harness arms it around a
 * call that may exit for bad data, as the programs do, and disarms it after.
 */
extern jmp_buf fuzz_exit_jmp;
extern volatile bool fuzz_exit_armed;

/*
 * Calls FN(LINE, CTX) for each line of DATA split at '\n' (without it; a last line without
 * one counts too), with line numbers and offsets as gc_reader gives them. Stops early when FN
 * returns false. Lines are at most MAX_LINES; the rest is ignored (bounds a run's time).
 */
typedef bool (*fuzz_line_fn)(const struct gc_line *line, void *ctx);
void fuzz_lines(const uint8_t *data, size_t size, size_t max_lines, fuzz_line_fn fn, void *ctx);

/*
 * The checks gc_filter applies to every NDJSON line, then the parse: UTF-8 and
 * gc_json_parse_object. Returns a new reference or NULL with F filled. Blank lines are
 * returned as NULL with F's reason "blank".
 */
json_t *fuzz_parse_record(const char *bytes, size_t len, struct gc_fail *f);

/*
 * Checks that REC[0..LEN) is a record as the programs write it: one line of valid UTF-8, a
 * JSON object gc_json_parse_object takes, already in RFC 8785 canonical form. WHAT names the
 * record in the message. Returns the parsed record (a new reference) for further checks.
 */
json_t *fuzz_check_record(const char *rec, size_t len, const char *what);

/* The same for a json_t the library built: its canonical form parses back to itself. */
void fuzz_check_json(const json_t *v, const char *what);

/* True if F was filled as gc_fail does: a reason and a NUL-terminated detail. */
void fuzz_check_fail(const struct gc_fail *f);

/* Makes *K, once, the fixed test key of the harnesses that sign what they then check (seed 0x42
 * repeated), for DEVICE when not NULL. */
struct gc_key;
void fuzz_key_init(struct gc_key *k, const char *device);

/*
 * A private directory, made on the first call (under /dev/shm when it can be written, whose
 * fsyncs cost nothing, else $TMPDIR or /tmp) and removed with everything in it when the
 * process exits normally. NAME goes into its name. A crash leaves it behind.
 */
const char *fuzz_scratch_dir(const char *name);

/* Writes LEN bytes of DATA to PATH (created or truncated); a failure aborts. */
void fuzz_write_file(const char *path, const void *data, size_t len);

/* Reads all of PATH into OUT (reset first); false when it does not exist, a failure aborts. */
bool fuzz_read_file(const char *path, struct gc_buf *out);

#endif
