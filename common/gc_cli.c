#include "gc_cli.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gc_crypto.h"
#include "gc_err.h"
#include "gc_hex.h"
#include "gc_io.h"
#include "gc_json.h"
#include "gc_num.h"
#include "gc_time.h"
#include "banned.h"

#ifndef GC_VERSION
#define GC_VERSION "0"
#endif

void gc_cli_init(const char *argv0)
{
    gc_io_guard_std_fds();
    gc_set_progname(argv0);
    signal(SIGPIPE, SIG_IGN);
    gc_crypto_init();
}

const char *gc_cli_take_verb(int *argc, char ***argv)
{
    const char *verb;

    if (*argc < 2 || (*argv)[1][0] == '-')
        return NULL;
    verb = (*argv)[1];
    (*argv)++;
    (*argc)--;
    return verb;
}

static void close_stdout(void)
{
    gc_stdout_require();
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0)
        gc_die_errno(GC_EX_IOERR, "write error on standard output");
}

void gc_cli_help(const char *help)
{
    fputs(help, stdout);
    close_stdout();
    exit(GC_EX_OK);
}

void gc_cli_version(void)
{
    printf("%s (gc) %s\n", gc_progname(), GC_VERSION);
    close_stdout();
    exit(GC_EX_OK);
}

void gc_cli_usage(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gc_verror(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help'.\n", gc_progname());
    exit(GC_EX_USAGE);
}

void gc_cli_bad_option(int c, char **argv)
{
    const char *arg = argv[optind - 1];

    if (c == ':')
        gc_cli_usage("option '%s' needs an argument", arg);
    if (optopt != 0 && strncmp(arg, "--", 2) != 0)
        gc_cli_usage("unknown option '-%c'", optopt);
    gc_cli_usage("unknown option '%s'", arg);
}

int64_t gc_cli_int(const char *name, const char *arg, int64_t min, int64_t max)
{
    int64_t v;
    const char *why = gc_parse_i64(arg, strlen(arg), min, max, &v);

    if (why != NULL)
        gc_cli_usage("option '--%s': '%s' is %s (expected %lld..%lld)", name, arg, why,
                     (long long)min, (long long)max);
    return v;
}

int gc_cli_jobs(const char *arg)
{
    int64_t n = gc_cli_int("jobs", arg, 0, GC_MAX_JOBS);
    long cores;

    if (n > 0)
        return (int)n;
    cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > GC_MAX_JOBS ? GC_MAX_JOBS : (int)cores;
}

int64_t gc_cli_time(const char *name, const char *arg)
{
    int64_t t;
    const char *why = gc_time_parse(arg, strlen(arg), &t);

    if (why != NULL)
        gc_cli_usage("option '--%s': '%s': %s", name, arg, why);
    return t;
}

void gc_cli_id(const char *name, const char *arg, char out[65])
{
    if (!gc_id_valid(arg, strlen(arg)))
        gc_cli_usage("option '--%s': '%s' is not an id ([a-z0-9][a-z0-9._-]{0,63})", name, arg);
    snprintf(out, 65, "%s", arg);
}

void gc_cli_hex(const char *name, const char *arg, uint8_t *out, size_t n)
{
    if (strlen(arg) != 2 * n || !gc_hex_decode(arg, 2 * n, out, n))
        gc_cli_usage("option '--%s': '%s' is not %zu lowercase hex digits", name, arg, 2 * n);
}

void gc_cli_verb_check(const char *verb, const struct gc_cli_verb *verbs, size_t n,
                       const struct option *longopts, int first, unsigned given)
{
    const struct gc_cli_verb *v = NULL;

    for (size_t i = 0; i < n && v == NULL; i++)
        if (strcmp(verb, verbs[i].verb) == 0)
            v = &verbs[i];
    if (v == NULL)
        gc_cli_usage("unknown command '%s'", verb);
    for (size_t i = 0; longopts[i].name != NULL; i++) {
        int bit = longopts[i].val - first;

        if (bit >= 0 && bit < 32 && (given & ~v->options & 1u << bit))
            gc_cli_usage("--%s does not go with %s", longopts[i].name, verb);
    }
}

int gc_cli_http_opt(int c, const char *arg, struct gc_http_opts *o)
{
    switch (c) {
    case GC_OPT_TOKEN_FILE:
        o->token_file = arg;
        return 1;
    case GC_OPT_TIMEOUT:
        o->timeout_ms = 1000 * gc_cli_int("timeout-s", arg, 1, 86400);
        return 1;
    case GC_OPT_RETRIES:
        o->retries = (int)gc_cli_int("retries", arg, 0, 100);
        return 1;
    case GC_OPT_BACKOFF:
        o->backoff_ms = gc_cli_int("backoff-ms", arg, 0, 60000);
        return 1;
    case GC_OPT_CA_FILE:
        o->ca_file = arg;
        return 1;
    }
    return 0;
}

int gc_cli_filter_opt(int c, const char *arg, struct gc_filter_opts *o, const char *help)
{
    switch (c) {
    case 'o':
        o->output = arg;
        return 1;
    case GC_OPT_REJECTS:
        o->rejects = arg;
        return 1;
    case GC_OPT_MAX_LINE:
        o->max_line = (size_t)gc_cli_int("max-line-bytes", arg, 1, (int64_t)1 << 30);
        return 1;
    case 'q':
        o->quiet = true;
        return 1;
    case GC_OPT_PROGRESS:
        o->progress = true;
        return 1;
    case 'h':
        gc_cli_help(help);
    case 'V':
        gc_cli_version();
    }
    return 0;
}
