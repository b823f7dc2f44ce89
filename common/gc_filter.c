#include "gc_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "gc_crypto.h"
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

void gc_filter_init_commit(struct gc_filter *flt, const struct gc_filter_opts *opts,
                           const char *state)
{
    const char *tmps[2];
    size_t n = 0;

    gc_filter_init(flt, opts);
    if (state == NULL)
        return;
    if (flt->out.tmp_path != NULL)
        tmps[n++] = flt->out.tmp_path;
    if (opts->rejects != NULL && flt->rej.tmp_path != NULL)
        tmps[n++] = flt->rej.tmp_path;
    gc_commit_intend(state, tmps, n);
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
json_t *gc_filter_parse_line(const struct gc_line *line, size_t max_line, struct gc_fail *f)
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

/* A line that is skipped, not counted. */
static bool skipped(const struct gc_line *line)
{
    return line->total_len == line->len && blank(line->bytes, line->len);
}

/* One more line of SOURCE read. */
static void count_in(struct gc_filter *flt, const char *source)
{
    flt->source = source;
    flt->n_in++;
    if (flt->show_progress && flt->n_in % PROGRESS_EVERY == 0)
        progress(flt);
}

void gc_filter_feed_judged(struct gc_filter *flt, const char *source, const struct gc_line *line,
                           json_t *rec, gc_record_fn fn, void *ctx)
{
    struct gc_fail f = {0};

    if (flt->stopped)
        return;
    count_in(flt, source);
    if (fn(ctx, flt, rec, line, &f))
        flt->n_ok++;
    else
        reject(flt, source, line, &f);
}

void gc_filter_feed(struct gc_filter *flt, const char *source, const struct gc_line *line,
                    gc_record_fn record_fn, gc_line_fn line_fn, void *ctx)
{
    struct gc_fail f; /* filled by whichever check refuses */
    json_t *rec = NULL;
    bool ok;

    if (flt->stopped || skipped(line))
        return;
    count_in(flt, source);
    if (line_fn != NULL) {
        flt->aggregate = true;
        ok = check_length(line, flt->opts.max_line, &f) && line_fn(ctx, flt, source, line, &f);
    } else {
        rec = gc_filter_parse_line(line, flt->opts.max_line, &f);
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

/* --- the loop in steps (-j N) --- */

/*
 * Batches go through a pipeline: while this thread commits batch k in order,
 * the others parse and prepare batch k + 1 and seal batch k - 1, so the part
 * that must run in order costs no more than its own time.
 */

/* A batch: enough lines that handing them out costs little, few enough to stay in the caches. */
#define STEP_BATCH_LINES 256
#define STEP_BATCH_BYTES (4u << 20)
#define STEP_BATCHES     3 /* sealing, committing, preparing */

struct step_line {
    struct gc_line line; /* its bytes are in the batch's arena */
    size_t at;           /* where in the arena */
    json_t *rec;         /* NULL: not an object, F says why */
    struct gc_fail f;
    bool accepted; /* by COMMIT */
};

struct step_batch;

/* One step over one batch, its lines taken by whichever thread comes first. */
struct step_task {
    struct step_batch *b;
    bool sealing; /* after COMMIT: SEAL and free the records; before: parse and PREPARE */
    size_t n;
    atomic_size_t next;
    int helpers; /* other threads inside, under the pool's lock: it is reused only at 0 */
};

struct step_batch {
    const char *source;
    bool ends; /* SOURCE ends with this batch, after END_LINES lines and END_BYTES bytes */
    uint64_t end_lines, end_bytes;
    struct step_line *lines;
    unsigned char *slots;
    size_t n;
    struct gc_buf arena;
    struct step_task task;
};

struct step_pool {
    const struct gc_steps *s;
    void *ctx;
    size_t max_line;
    pthread_mutex_t mu;
    pthread_cond_t more;     /* a task came, or the end */
    pthread_cond_t finished; /* a thread left a task */
    struct step_task *tasks[STEP_BATCHES];
    bool quit;
    pthread_t tid[GC_MAX_JOBS];
    int n_threads;
};

static void step_line_run(struct step_pool *p, struct step_task *t, size_t i)
{
    struct step_line *l = &t->b->lines[i];
    void *slot = t->b->slots + i * p->s->slot_size;

    if (t->sealing) {
        if (l->accepted && p->s->seal != NULL)
            p->s->seal(p->ctx, slot);
        /* Freed where it is cheap: not on the thread that must go in order. */
        json_decref(l->rec);
        l->rec = NULL;
        return;
    }
    /* Without a tree where the program can: a dozen allocations a line, dearer on threads. */
    if (p->s->prepare_line != NULL && l->line.total_len == l->line.len &&
        p->s->prepare_line(p->ctx, &l->line, slot)) {
        l->rec = NULL;
        l->f.reason = NULL; /* tells COMMIT the line was read, not refused */
        return;
    }
    l->rec = gc_filter_parse_line(&l->line, p->max_line, &l->f);
    if (l->rec != NULL && p->s->prepare != NULL)
        p->s->prepare(p->ctx, l->rec, slot);
}

/* Takes one line of T and runs it; false when none was left. */
static bool step_task_take(struct step_pool *p, struct step_task *t)
{
    size_t i = atomic_fetch_add(&t->next, 1);

    if (i >= t->n)
        return false;
    step_line_run(p, t, i);
    return true;
}

/* Takes lines of T until none is left. */
static void step_task_help(struct step_pool *p, struct step_task *t)
{
    while (step_task_take(p, t))
        ;
}

static void *step_worker(void *arg)
{
    struct step_pool *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct step_task *t = NULL;

        for (int i = 0; i < STEP_BATCHES && t == NULL; i++)
            if (p->tasks[i] != NULL && atomic_load(&p->tasks[i]->next) < p->tasks[i]->n)
                t = p->tasks[i];
        if (t != NULL) {
            t->helpers++;
            pthread_mutex_unlock(&p->mu);
            step_task_help(p, t);
            pthread_mutex_lock(&p->mu);
            t->helpers--;
            pthread_cond_broadcast(&p->finished);
        } else if (p->quit) {
            break;
        } else {
            pthread_cond_wait(&p->more, &p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void step_submit(struct step_pool *p, struct step_batch *b, bool sealing)
{
    struct step_task *t = &b->task;

    t->b = b;
    t->sealing = sealing;
    t->n = b->n;
    atomic_store(&t->next, 0);
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < STEP_BATCHES; i++)
        if (p->tasks[i] == NULL) {
            p->tasks[i] = t;
            break;
        }
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->mu);
}

/* A task other than T with a line left, or NULL; under the pool's lock. */
static struct step_task *step_other_task(struct step_pool *p, const struct step_task *t)
{
    for (int i = 0; i < STEP_BATCHES; i++)
        if (p->tasks[i] != NULL && p->tasks[i] != t &&
            atomic_load(&p->tasks[i]->next) < p->tasks[i]->n)
            return p->tasks[i];
    return NULL;
}

/*
 * Helps with B's task, then waits until the other threads are done with it,
 * taking lines of other tasks meanwhile: a line being signed elsewhere takes
 * as long as one here, and this thread would otherwise sit idle for it.
 */
static void step_wait(struct step_pool *p, struct step_batch *b)
{
    struct step_task *t = &b->task, *other;

    step_task_help(p, t); /* returns when every line is taken */
    pthread_mutex_lock(&p->mu);
    while (t->helpers > 0) {
        other = step_other_task(p, t);
        if (other == NULL) {
            pthread_cond_wait(&p->finished, &p->mu);
            continue;
        }
        other->helpers++;
        pthread_mutex_unlock(&p->mu);
        step_task_take(p, other);
        pthread_mutex_lock(&p->mu);
        other->helpers--;
    }
    for (int i = 0; i < STEP_BATCHES; i++)
        if (p->tasks[i] == t)
            p->tasks[i] = NULL;
    pthread_mutex_unlock(&p->mu);
}

/* The lines of the inputs, one after another. */
struct step_input {
    size_t max_line;
    char **files;
    int nfiles, i;
    bool open;
    struct gc_reader r;
    struct gc_buf line_buf;
};

/*
 * Fills B with lines of one input, whose name its rejects carry, and marks
 * the batch that ends an input. False when the inputs are done.
 */
static bool step_read(struct step_input *in, struct step_batch *b)
{
    struct gc_line line;
    bool more = true;

    b->n = 0;
    b->ends = false;
    gc_buf_reset(&b->arena);
    if (in->i == in->nfiles)
        return false;
    if (!in->open) {
        gc_reader_open(&in->r, in->files[in->i], in->max_line);
        in->open = true;
    }
    b->source = in->r.name;
    while (b->n < STEP_BATCH_LINES && b->arena.len < STEP_BATCH_BYTES &&
           (more = gc_reader_next(&in->r, &in->line_buf, &line))) {
        if (skipped(&line))
            continue;
        b->lines[b->n].line = line;
        b->lines[b->n].at = b->arena.len;
        gc_buf_add(&b->arena, line.bytes, line.len);
        b->n++;
    }
    for (size_t i = 0; i < b->n; i++)
        b->lines[i].line.bytes = b->arena.ptr + b->lines[i].at;
    if (!more) {
        b->ends = true;
        b->end_lines = in->r.line_no;
        b->end_bytes = in->r.offset;
        gc_reader_close(&in->r);
        in->open = false;
        in->i++;
    }
    return true;
}

static void step_source_end(struct gc_filter *flt, struct step_pool *p, struct step_batch *b)
{
    if (b->ends && p->s->source_end != NULL && !flt->stopped)
        p->s->source_end(p->ctx, flt, b->source, b->end_lines, b->end_bytes);
}

/* In input order, on this thread: COMMIT each line of B, until a stop. */
static void step_commit(struct gc_filter *flt, struct step_pool *p, struct step_batch *b)
{
    for (size_t i = 0; i < b->n && !flt->stopped; i++) {
        struct step_line *l = &b->lines[i];

        count_in(flt, b->source);
        l->accepted =
            p->s->commit(p->ctx, flt, l->rec, &l->line, b->slots + i * p->s->slot_size, &l->f);
        if (l->accepted)
            flt->n_ok++;
        else
            reject(flt, b->source, &l->line, &l->f);
    }
}

/* Writes B's sealed records in order and empties it. */
static void step_finish(struct gc_filter *flt, struct step_pool *p, struct step_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct step_line *l = &b->lines[i];

        if (l->accepted && p->s->write != NULL)
            p->s->write(p->ctx, flt, b->slots + i * p->s->slot_size);
        memset(l, 0, sizeof(*l));
    }
    if (p->s->seal != NULL)
        step_source_end(flt, p, b);
    b->n = 0;
    b->ends = false;
}

void gc_filter_run_steps(struct gc_filter *flt, char **files, int nfiles, const struct gc_steps *s,
                         int threads, void *ctx)
{
    static char *stdin_only[] = {"-"};
    struct step_pool p = {.s = s, .ctx = ctx, .max_line = flt->opts.max_line};
    struct step_input in = {.max_line = flt->opts.max_line, .files = files, .nfiles = nfiles};
    struct step_batch batches[STEP_BATCHES] = {0}, *sealing = NULL, *current, *next;
    int k = 0;

    if (nfiles == 0) {
        in.files = stdin_only;
        in.nfiles = 1;
    }
    gc_buf_init(&in.line_buf);
    for (int i = 0; i < STEP_BATCHES; i++) {
        batches[i].lines = gc_xcalloc(STEP_BATCH_LINES, sizeof(*batches[i].lines));
        batches[i].slots = gc_xcalloc(STEP_BATCH_LINES, s->slot_size);
        gc_buf_init(&batches[i].arena);
    }
    /* What is set up on first use is set up before any thread runs. */
    json_object_seed(0);
    gc_sha256_hardware();
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.more, NULL);
    pthread_cond_init(&p.finished, NULL);
    threads = threads < 1 ? 1 : threads > GC_MAX_JOBS ? GC_MAX_JOBS : threads;
    for (int t = 1; t < threads; t++)
        if (pthread_create(&p.tid[p.n_threads], NULL, step_worker, &p) == 0)
            p.n_threads++; /* with fewer threads the work is shared all the same */

    current = &batches[0];
    if (step_read(&in, current))
        step_submit(&p, current, false);
    while (current->n > 0 || current->ends) {
        next = &batches[++k % STEP_BATCHES];
        if (!flt->stopped && step_read(&in, next))
            step_submit(&p, next, false);
        step_wait(&p, current);
        step_commit(flt, &p, current);
        if (s->seal == NULL)
            step_source_end(flt, &p, current);
        /* Sealed while the batch before is: no thread waits for another's last line. */
        step_submit(&p, current, true);
        if (sealing != NULL) {
            step_wait(&p, sealing);
            step_finish(flt, &p, sealing);
        }
        sealing = current;
        current = next;
        if (flt->stopped && (current->n > 0 || current->ends)) {
            step_wait(&p, current); /* read ahead of the stop: dropped */
            step_submit(&p, current, true);
            step_wait(&p, current);
            step_finish(flt, &p, current);
        }
    }
    if (sealing != NULL) {
        step_wait(&p, sealing);
        step_finish(flt, &p, sealing);
    }

    pthread_mutex_lock(&p.mu);
    p.quit = true;
    pthread_cond_broadcast(&p.more);
    pthread_mutex_unlock(&p.mu);
    for (int t = 0; t < p.n_threads; t++)
        pthread_join(p.tid[t], NULL);
    pthread_cond_destroy(&p.finished);
    pthread_cond_destroy(&p.more);
    pthread_mutex_destroy(&p.mu);
    if (in.open)
        gc_reader_close(&in.r);
    for (int i = 0; i < STEP_BATCHES; i++) {
        if (s->release != NULL)
            for (size_t j = 0; j < STEP_BATCH_LINES; j++)
                s->release(batches[i].slots + j * s->slot_size);
        free(batches[i].slots);
        free(batches[i].lines);
        gc_buf_release(&batches[i].arena);
    }
    gc_buf_release(&in.line_buf);
}

int gc_filter_finish(struct gc_filter *flt)
{
    return gc_filter_finish_commit(flt, NULL);
}

int gc_filter_finish_commit(struct gc_filter *flt, struct gc_commit *c)
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
    if (c != NULL) {
        gc_commit_writer(c, &flt->out);
        if (flt->opts.rejects != NULL)
            gc_commit_writer(c, &flt->rej);
    } else {
        gc_writer_commit(&flt->out);
        if (flt->opts.rejects != NULL)
            gc_writer_commit(&flt->rej);
    }
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
        rec = gc_filter_parse_line(&line, GC_MAX_LINE_DEFAULT, &f);
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
