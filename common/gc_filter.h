/*
 * gc_filter — the record loop every program shares: read NDJSON lines from
 * the inputs, refuse bad ones as reject records (or stop at the first with
 * exit 65), hand good objects to the program, count, summarise.
 *
 * Every input record ends as exactly one output record or one reject, so
 * in = out + rejected always holds; gc_filter_finish checks it.
 */
#ifndef GC_FILTER_H
#define GC_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "gc_commit.h"
#include "gc_err.h"
#include "gc_io.h"

/* Options every filter program takes (see gc_cli.h). */
struct gc_filter_opts {
    const char *output;  /* -o FILE; NULL = standard output */
    const char *rejects; /* --rejects FILE; NULL = stop at the first bad line */
    size_t max_line;     /* --max-line-bytes */
    bool quiet;          /* -q: no summary */
    bool progress;       /* --progress: even when standard error is not a terminal */
};

struct gc_filter {
    struct gc_filter_opts opts;
    struct gc_writer out;
    struct gc_writer rej;
    uint64_t n_in;      /* lines read (blank ones are skipped, not counted) */
    uint64_t n_ok;      /* lines accepted */
    uint64_t n_rej;     /* lines rejected: n_in = n_ok + n_rej */
    uint64_t n_out;     /* records written; equal to n_ok unless aggregating */
    bool aggregate;     /* many lines make one record (gc_filter_run_lines) */
    bool stopped;       /* a bad line without --rejects: nothing more is read or committed */
    const char *source; /* the input being read, for handlers that name positions */
    bool show_progress;
    bool progress_shown;
    struct gc_buf scratch;
};

/*
 * The program's handler for one record. REC is the parsed object (borrowed),
 * LINE the exact bytes it came from. It either writes its output with
 * gc_filter_emit and returns true, or fills F and returns false to reject.
 */
typedef bool (*gc_record_fn)(void *ctx, struct gc_filter *flt, json_t *rec,
                             const struct gc_line *line, struct gc_fail *f);

/*
 * For inputs that are not NDJSON (CSV, exporter text): the handler gets each
 * non-blank line as it is, with the name of its source, and may emit any
 * number of records. Lines over --max-line-bytes are rejected before it.
 */
typedef bool (*gc_line_fn)(void *ctx, struct gc_filter *flt, const char *source,
                           const struct gc_line *line, struct gc_fail *f);

void gc_filter_init(struct gc_filter *flt, const struct gc_filter_opts *opts);

/*
 * gc_filter_init for a run whose output lands with the state at STATE
 * (gc_filter_finish_commit): the outputs' temporary files are named in the
 * state's journal as an intent (gc_commit_intend), so a run killed before
 * its commit leaves none behind. With STATE NULL, gc_filter_init.
 */
void gc_filter_init_commit(struct gc_filter *flt, const struct gc_filter_opts *opts,
                           const char *state);

/* Runs FN over every record of the NFILES inputs (none = standard input). */
void gc_filter_run(struct gc_filter *flt, char **files, int nfiles, gc_record_fn fn, void *ctx);

/*
 * Runs FN over every non-blank line of the inputs. The summary then reads
 * "N in, U used, R rejected; W records out": many lines make one record.
 */
void gc_filter_run_lines(struct gc_filter *flt, char **files, int nfiles, gc_line_fn fn, void *ctx);

/*
 * The loop's body for one LINE of SOURCE, for inputs that do not come from
 * files (an HTTP response): RECORD_FN gets it parsed as an NDJSON record, or
 * LINE_FN as it is (exactly one of them set). Counts, rejects and stops as
 * gc_filter_run does.
 */
void gc_filter_feed(struct gc_filter *flt, const char *source, const struct gc_line *line,
                    gc_record_fn record_fn, gc_line_fn line_fn, void *ctx);

/*
 * A record loop in steps, for -j N: the costly work that needs nothing but
 * the record runs on THREADS threads, the rest in input order on this one.
 *
 * Lines are read in batches. PREPARE runs on the threads for every record of
 * a batch, at once and in any order: it may read shared tables but must
 * write nothing but SLOT (SLOT_SIZE bytes per line, zeroed once and reused;
 * RELEASE frees what a slot holds at the end). PREPARE_LINE, when set, runs
 * there first, on each line not cut at --max-line-bytes: it may read the
 * line straight into SLOT, without a JSON tree, and say so (true); else the
 * line is parsed and goes to PREPARE. COMMIT then gets each line in input
 * order, as a gc_record_fn does, with REC NULL and F filled when the line is
 * not a JSON object, and REC NULL with F empty (its reason NULL) when
 * PREPARE_LINE read it. With SEAL set, the records COMMIT accepted get
 * a third step on the threads (signing), and WRITE writes them in order
 * (SOURCE_END comes after, for a program without SEAL right after COMMIT).
 */
struct gc_steps {
    size_t slot_size;
    bool (*prepare_line)(void *ctx, const struct gc_line *line, void *slot); /* may be NULL */
    void (*prepare)(void *ctx, const json_t *rec, void *slot);               /* may be NULL */
    bool (*commit)(void *ctx, struct gc_filter *flt, json_t *rec, const struct gc_line *line,
                   void *slot, struct gc_fail *f);
    void (*seal)(void *ctx, void *slot);                         /* may be NULL */
    void (*write)(void *ctx, struct gc_filter *flt, void *slot); /* with SEAL */
    void (*release)(void *slot);                                 /* may be NULL */
    /* May be NULL: after the last line of SOURCE, which had LINES lines (blank ones too) and
     * BYTES bytes. */
    void (*source_end)(void *ctx, struct gc_filter *flt, const char *source, uint64_t lines,
                       uint64_t bytes);
};

/* The most threads -j takes. */
#define GC_MAX_JOBS 64

void gc_filter_run_steps(struct gc_filter *flt, char **files, int nfiles, const struct gc_steps *s,
                         int threads, void *ctx);

/*
 * For inputs judged elsewhere (gc-verify merge): counts LINE of SOURCE as
 * read, then accepts it when FN does, or rejects it with F, exactly as if it
 * had been read and refused here. REC may be NULL.
 */
void gc_filter_feed_judged(struct gc_filter *flt, const char *source, const struct gc_line *line,
                           json_t *rec, gc_record_fn fn, void *ctx);

/*
 * Turns LINE of SOURCE, accepted earlier, into a reject once everything read
 * shows it is bad (a receipt of a task that never came): counted and
 * written, or stopping the run, as if it had been refused when read.
 */
void gc_filter_reject_late(struct gc_filter *flt, const char *source, const struct gc_line *line,
                           const struct gc_fail *f);

/*
 * The checks every NDJSON line passes before a record handler sees it: at
 * most MAX_LINE bytes, valid UTF-8, one JSON object. Returns the object
 * (the caller's), or NULL with F saying why. For a line handler that takes
 * the lines it knows in a faster way and hands the rest to the record path.
 */
json_t *gc_filter_parse_line(const struct gc_line *line, size_t max_line, struct gc_fail *f);

/* Writes one output record: BYTES followed by '\n'. */
void gc_filter_emit(struct gc_filter *flt, const void *bytes, size_t len);

/*
 * Commits the output and the rejects file, prints the summary unless quiet,
 * and returns the exit status: 0, or 65 when anything was rejected. After a
 * stop at a bad line (no --rejects) an output file is discarded instead, and
 * standard output gets only the records before that line; the caller must
 * then leave its state files alone.
 */
int gc_filter_finish(struct gc_filter *flt);

/*
 * gc_filter_finish for a run with a state file: the output and rejects join C
 * instead of committing, so they land with the state the caller adds to C
 * when it applies it (gc_commit.h). After a stop C gets nothing.
 */
int gc_filter_finish_commit(struct gc_filter *flt, struct gc_commit *c);

/*
 * Loads a whole file of records (a registry, a state file) strictly: any bad
 * line stops the program with exit 65 naming file, line and reason. FN is
 * called per object; it may keep references (json_incref). Returns false,
 * having read nothing, when PATH does not exist and MISSING_OK.
 */
typedef bool (*gc_load_fn)(void *ctx, json_t *rec, struct gc_fail *f);
bool gc_load_records(const char *path, bool missing_ok, gc_load_fn fn, void *ctx);

#endif
