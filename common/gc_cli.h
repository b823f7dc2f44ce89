/*
 * gc_cli — the command-line conventions every program shares: the filter
 * options, --help and --version, usage errors (exit 64).
 */
#ifndef GC_CLI_H
#define GC_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_filter.h"
#include "gc_http.h"

/* Long-only option codes; programs number their own from GC_OPT_PROGRAM. */
enum {
    GC_OPT_REJECTS = 0x100,
    GC_OPT_MAX_LINE,
    GC_OPT_PROGRESS,
    GC_OPT_TOKEN_FILE = 0x180, /* the HTTP options: gc_cli_http_opt */
    GC_OPT_TIMEOUT,
    GC_OPT_RETRIES,
    GC_OPT_BACKOFF,
    GC_OPT_CA_FILE,
    GC_OPT_PROGRAM = 0x200,
};

/* getopt_long entries of the HTTP client options (gc-attest fetch, gc-settle deliver). */
#define GC_HTTP_LONGOPTS                                                                           \
    {"token-file", required_argument, NULL, GC_OPT_TOKEN_FILE},                                    \
        {"timeout-s", required_argument, NULL, GC_OPT_TIMEOUT},                                    \
        {"retries", required_argument, NULL, GC_OPT_RETRIES},                                      \
        {"backoff-ms", required_argument, NULL, GC_OPT_BACKOFF},                                   \
    {                                                                                              \
        "ca-file", required_argument, NULL, GC_OPT_CA_FILE                                         \
    }

/* getopt_long entries of the filter options; the short ones are "o:qhV". */
#define GC_FILTER_LONGOPTS                                                                         \
    {"output", required_argument, NULL, 'o'},                                                      \
        {"rejects", required_argument, NULL, GC_OPT_REJECTS},                                      \
        {"max-line-bytes", required_argument, NULL, GC_OPT_MAX_LINE},                              \
        {"quiet", no_argument, NULL, 'q'}, {"progress", no_argument, NULL, GC_OPT_PROGRESS},       \
        {"help", no_argument, NULL, 'h'},                                                          \
    {                                                                                              \
        "version", no_argument, NULL, 'V'                                                          \
    }

/* The help lines of the filter options, to end every program's --help. */
#define GC_FILTER_HELP                                                                             \
    "  -o, --output FILE        write records here (atomically; .zst compresses)\n"                \
    "      --rejects FILE       write bad lines here as reject records and go on\n"                \
    "      --max-line-bytes N   longest accepted input line (default 1048576)\n"                   \
    "  -q, --quiet              no summary line on standard error\n"                               \
    "      --progress           progress on standard error even when not a terminal\n"             \
    "  -h, --help               this help\n"                                                       \
    "  -V, --version            program version\n"

/*
 * What every main() does first: the program name for messages, SIGPIPE
 * ignored (a closed pipe becomes a write error that is reported, exit 74),
 * libsodium initialised.
 */
void gc_cli_init(const char *argv0);

/*
 * For programs with subcommands: takes the first argument as the verb when
 * it is not an option, shifting ARGC and ARGV past it; NULL when there is none.
 */
const char *gc_cli_take_verb(int *argc, char ***argv);

/*
 * Handles option C of the shared set into O (-h and -V print and exit).
 * Returns 0 if C was not one of them.
 */
int gc_cli_filter_opt(int c, const char *arg, struct gc_filter_opts *o, const char *help);

/* Handles HTTP option C into O; returns 0 if C is not one of them. */
int gc_cli_http_opt(int c, const char *arg, struct gc_http_opts *o);

/* A subcommand and the program's own options it takes, as bits of 1 << (code - first code). */
struct gc_cli_verb {
    const char *verb;
    unsigned options;
};

/*
 * Exits 64 unless VERB is one of VERBS (N of them) and each option of
 * LONGOPTS with a code in [FIRST, FIRST + 32) that was GIVEN (bits as above)
 * is among the verb's options.
 */
void gc_cli_verb_check(const char *verb, const struct gc_cli_verb *verbs, size_t n,
                       const struct option *longopts, int first, unsigned given);

/* Prints HELP to standard output and exits 0 (74 if standard output fails). */
void gc_cli_help(const char *help) __attribute__((noreturn));
/* Prints "PROG (gc) VERSION" and exits 0. */
void gc_cli_version(void) __attribute__((noreturn));
/* "PROG: message" and "Try 'PROG --help'." on standard error, exit 64. */
void gc_cli_usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/*
 * Reports the option getopt_long refused (C is '?' or ':'; optstrings start
 * with ':' and opterr is 0 so messages come from here) and exits 64.
 */
void gc_cli_bad_option(int c, char **argv) __attribute__((noreturn));
/* Parses ARG of option NAME as an integer in [MIN, MAX] or exits 64. */
int64_t gc_cli_int(const char *name, const char *arg, int64_t min, int64_t max);
/* -j N: threads, 1 to GC_MAX_JOBS; 0 is one per online core. Exits 64 otherwise. */
int gc_cli_jobs(const char *arg);
/* Copies ARG of option NAME, which must be an id, into OUT, or exits 64. */
void gc_cli_id(const char *name, const char *arg, char out[65]);

/* Decodes ARG of option NAME, exactly 2 x N lowercase hex digits, into OUT, or exits 64. */
void gc_cli_hex(const char *name, const char *arg, uint8_t *out, size_t n);

/* Parses ARG of option NAME as an RFC 3339 UTC time or exits 64. */
int64_t gc_cli_time(const char *name, const char *arg);

#endif
