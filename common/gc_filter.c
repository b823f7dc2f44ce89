#include "gc_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "gc_json.h"
#include "gc_num.h"
#include "banned.h"

#define PROGRESS_EVERY (1u << 16)

void gc_filter_init(struct gc_filter *flt, const struct gc_filter_opts *opts)
{
    memset(flt, 0, sizeof(*flt));
    flt->opts = *opts;
    if (flt->opts.max_line == 0)
        flt->opts.max_line = GC_MAX_LINE_DEFAULT;
    gc_buf_init(&flt->scratch);
    gc_writer_open(&flt->out, opts->output);
    if (opts->rejects != NULL)
        gc_writer_open(&flt->rej, opts->rejects);
    flt->show_progress = !opts->quiet && (opts->progress || isatty(STDERR_FILENO));
}

void gc_filter_emit(struct gc_filter *flt, const void *bytes, size_t len)
{
    flt->n_out++;
    gc_writer_write(&flt->out, bytes, len);
    gc_writer_write(&flt->out, "\n", 1);
}

/* LEN, cut back so that S[0..LEN) does not end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len)
{
    size_t i = len, need;
    unsigned char lead;

    while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (i == 0)
        return len;
    lead = (unsigned char)s[i - 1];
    need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    return len - (i - 1) < need ? i - 1 : len;
}

static void reject(struct gc_filter *flt, const char *source, const struct gc_line *line,
                   const struct gc_fail *f)
{
    struct gc_buf *b = &flt->scratch;
    char num[24];
    size_t kept;

    flt->n_rej++;
    if (flt->opts.rejects == NULL) {
        gc_error("%s:%llu: %s: %s", source, (unsigned long long)line->line_no, f->reason,
                 f->detail);
        flt->stopped = true;
        return;
    }

    /* Members in canonical (sorted) order, so reject records are canonical too. */
    gc_buf_reset(b);
    gc_buf_adds(b, "{\"detail\":");
    gc_jcs_append_string(b, f->detail, strlen(f->detail));
    /* A line cut at --max-line-bytes keeps its first bytes, ending on a whole character. */
    kept = line->total_len > line->len ? utf8_cut(line->bytes, line->len) : line->len;
    if (gc_utf8_valid(line->bytes, kept)) {
        gc_buf_adds(b, ",\"input\":");
        gc_jcs_append_string(b, line->bytes, kept);
    } else {
        /* Not UTF-8: JSON cannot carry the bytes as a string, base64 keeps every one. */
        size_t n = sodium_base64_ENCODED_LEN(line->len, sodium_base64_VARIANT_ORIGINAL);
        struct gc_buf enc = GC_BUF_INIT;

        gc_buf_grow(&enc, n);
        sodium_bin2base64(enc.ptr, n, (const unsigned char *)line->bytes, line->len,
                          sodium_base64_VARIANT_ORIGINAL);
        gc_buf_adds(b, ",\"input_b64\":\"");
        gc_buf_adds(b, enc.ptr);
        gc_buf_addc(b, '"');
        gc_buf_release(&enc);
    }
    if (line->total_len > line->len)
        gc_buf_addf(b, ",\"input_bytes\":%llu", (unsigned long long)line->total_len);
    gc_buf_adds(b, ",\"line\":");
    gc_buf_add(b, num, gc_fmt_i64((int64_t)line->line_no, num));
    gc_buf_adds(b, ",\"offset\":");
    gc_buf_add(b, num, gc_fmt_i64((int64_t)line->offset, num));
    gc_buf_adds(b, ",\"reason\":");
    gc_jcs_append_string(b, f->reason, strlen(f->reason));
    gc_buf_adds(b, ",\"source\":");
    gc_jcs_append_string(b, source, strlen(source));
    gc_buf_adds(b, ",\"type\":\"reject\",\"v\":1}\n");
    gc_writer_write(&flt->rej, b->ptr, b->len);
}

void gc_filter_reject_late(struct gc_filter *flt, const char *source, const struct gc_line *line,
                           const struct gc_fail *f)
{
    if (flt->stopped)
        return;
    flt->n_ok--;
    reject(flt, source, line, f);
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/*
 * The checks every line passes before any program sees it. Returns a new
 * reference, or NULL with F filled.
 */
/* The one check every line passes, whatever its format. */
static bool check_length(const struct gc_line *line, size_t max_line, struct gc_fail *f)
{
    if (line->total_len > line->len)
        return gc_fail(f, "line_too_long", "line of %llu bytes is longer than the limit of %zu",
                       (unsigned long long)line->total_len, max_line);
    return true;
}

/*
 * The checks every NDJSON line passes before any program sees it. Returns a
 * new reference, or NULL with F filled.
 */
static json_t *parse_line(const struct gc_line *line, size_t max_line, struct gc_fail *f)
{
    if (!check_length(line, max_line, f))
        return NULL;
    if (!gc_utf8_valid(line->bytes, line->len)) {
        gc_fail(f, "bad_utf8", "line is not valid UTF-8");
        return NULL;
    }
    return gc_json_parse_object(line->bytes, line->len, f);
}

static void progress(struct gc_filter *flt)
{
    fprintf(stderr, "\r%s: %llu records", gc_progname(), (unsigned long long)flt->n_in);
    flt->progress_shown = true;
}

void gc_filter_feed(struct gc_filter *flt, const char *source, const struct gc_line *line,
                    gc_record_fn record_fn, gc_line_fn line_fn, void *ctx)
{
    struct gc_fail f; /* filled by whichever check refuses */
    json_t *rec = NULL;
    bool ok;

    if (flt->stopped || (line->total_len == line->len && blank(line->bytes, line->len)))
        return;
    flt->source = source;
    flt->n_in++;
    if (flt->show_progress && flt->n_in % PROGRESS_EVERY == 0)
        progress(flt);
    if (line_fn != NULL) {
        flt->aggregate = true;
        ok = check_length(line, flt->opts.max_line, &f) && line_fn(ctx, flt, source, line, &f);
    } else {
        rec = parse_line(line, flt->opts.max_line, &f);
        ok = rec != NULL && record_fn(ctx, flt, rec, line, &f);
    }
    if (ok)
        flt->n_ok++;
    else
        reject(flt, source, line, &f);
    json_decref(rec);
}

/* The record loop over files; exactly one of RECORD_FN and LINE_FN is set. */
static void run(struct gc_filter *flt, char **files, int nfiles, gc_record_fn record_fn,
                gc_line_fn line_fn, void *ctx)
{
    static char *stdin_only[] = {"-"};
    struct gc_buf line_buf = GC_BUF_INIT;

    if (nfiles == 0) {
        files = stdin_only;
        nfiles = 1;
    }
    for (int i = 0; i < nfiles && !flt->stopped; i++) {
        struct gc_reader r;
        struct gc_line line;

        gc_reader_open(&r, files[i], flt->opts.max_line);
        while (!flt->stopped && gc_reader_next(&r, &line_buf, &line))
            gc_filter_feed(flt, r.name, &line, record_fn, line_fn, ctx);
        gc_reader_close(&r);
    }
    gc_buf_release(&line_buf);
}

void gc_filter_run(struct gc_filter *flt, char **files, int nfiles, gc_record_fn fn, void *ctx)
{
    run(flt, files, nfiles, fn, NULL, ctx);
}

void gc_filter_run_lines(struct gc_filter *flt, char **files, int nfiles, gc_line_fn fn, void *ctx)
{
    flt->aggregate = true;
    run(flt, files, nfiles, NULL, fn, ctx);
}

int gc_filter_finish(struct gc_filter *flt)
{
    if (flt->n_in != flt->n_ok + flt->n_rej || (!flt->aggregate && flt->n_ok != flt->n_out))
        gc_die(GC_EX_SOFTWARE,
               "internal error: %llu in, %llu accepted, %llu rejected, %llu written",
               (unsigned long long)flt->n_in, (unsigned long long)flt->n_ok,
               (unsigned long long)flt->n_rej, (unsigned long long)flt->n_out);
    if (flt->progress_shown)
        fputc('\n', stderr);
    if (flt->stopped) {
        gc_writer_discard(&flt->out);
        gc_buf_release(&flt->scratch);
        return GC_EX_DATAERR;
    }
    gc_writer_commit(&flt->out);
    if (flt->opts.rejects != NULL)
        gc_writer_commit(&flt->rej);
    if (!flt->opts.quiet && flt->aggregate)
        fprintf(stderr, "%s: %llu in, %llu used, %llu rejected; %llu records out\n", gc_progname(),
                (unsigned long long)flt->n_in, (unsigned long long)flt->n_ok,
                (unsigned long long)flt->n_rej, (unsigned long long)flt->n_out);
    else if (!flt->opts.quiet)
        fprintf(stderr, "%s: %llu in, %llu out, %llu rejected\n", gc_progname(),
                (unsigned long long)flt->n_in, (unsigned long long)flt->n_out,
                (unsigned long long)flt->n_rej);
    gc_buf_release(&flt->scratch);
    return flt->n_rej ? GC_EX_DATAERR : GC_EX_OK;
}

bool gc_load_records(const char *path, bool missing_ok, gc_load_fn fn, void *ctx)
{
    struct gc_buf line_buf = GC_BUF_INIT;
    struct gc_reader r;
    struct gc_line line;

    if (missing_ok && access(path, F_OK) != 0)
        return false;
    gc_reader_open(&r, path, GC_MAX_LINE_DEFAULT);
    while (gc_reader_next(&r, &line_buf, &line)) {
        struct gc_fail f;
        json_t *rec;

        if (line.total_len == line.len && blank(line.bytes, line.len))
            continue;
        rec = parse_line(&line, GC_MAX_LINE_DEFAULT, &f);
        if (rec == NULL || !fn(ctx, rec, &f)) {
            gc_error("%s:%llu: %s: %s", path, (unsigned long long)line.line_no, f.reason, f.detail);
            json_decref(rec);
            gc_reader_close(&r);
            gc_buf_release(&line_buf);
            exit(GC_EX_DATAERR);
        }
        json_decref(rec);
    }
    gc_reader_close(&r);
    gc_buf_release(&line_buf);
    return true;
}
