#include "gc_prom.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

/* The largest name quoted back in a detail; struct gc_fail holds 256 bytes. */
#define GC_PROM_QUOTE_MAX 64

struct gc_prom_parser {
    const char *line;
    size_t len;
    size_t pos;
    struct gc_fail *f;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha_(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int bad_at(struct gc_prom_parser *ps, size_t at, const char *what)
{
    gc_fail(ps->f, "bad_prom", "%s at column %zu", what, at + 1);
    return -1;
}

/* Skips blanks; returns how many there were. */
static size_t skip_blanks(struct gc_prom_parser *ps)
{
    size_t start = ps->pos;

    while (ps->pos < ps->len && is_blank(ps->line[ps->pos]))
        ps->pos++;
    return ps->pos - start;
}

static bool at_end(const struct gc_prom_parser *ps)
{
    return ps->pos == ps->len;
}

static char cur(const struct gc_prom_parser *ps)
{
    return ps->pos < ps->len ? ps->line[ps->pos] : '\0';
}

/* A value token shaped like what Go's strconv.ParseFloat reads, less hex and underscores. */
static bool value_ok(const char *p, size_t n)
{
    size_t i = 0, digits = 0, exp_start;

    if (n == 3 && strncasecmp(p, "nan", 3) == 0)
        return true;
    if (n > 0 && (p[0] == '+' || p[0] == '-'))
        i++;
    if ((n - i == 3 && strncasecmp(p + i, "inf", 3) == 0) ||
        (n - i == 8 && strncasecmp(p + i, "infinity", 8) == 0))
        return true;
    for (; i < n && is_digit(p[i]); i++)
        digits++;
    if (i < n && p[i] == '.')
        for (i++; i < n && is_digit(p[i]); i++)
            digits++;
    if (digits == 0)
        return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        for (exp_start = i; i < n && is_digit(p[i]); i++)
            ;
        if (i == exp_start)
            return false;
    }
    return i == n;
}

/* [-]digits into *OUT; false when not that shape or outside int64. */
static bool int64_ok(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0, limit;

    if (n > 0 && p[0] == '-') {
        neg = true;
        i++;
    }
    if (i == n)
        return false;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d;

        if (!is_digit(p[i]))
            return false;
        d = (unsigned)(p[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    /* -2^63 has no positive counterpart: negate in unsigned arithmetic. */
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/*
 * The quoted value at ps->pos (on the opening '"'), unescaped onto SCRATCH
 * with a NUL after it. Its offset in SCRATCH goes to *OFF: the buffer may move
 * as later values grow it, so pointers are made once the line is done.
 */
static int parse_label_value(struct gc_prom_parser *ps, struct gc_buf *scratch, size_t *off,
                             size_t *vlen)
{
    size_t open = ps->pos;

    ps->pos++;
    *off = scratch->len;
    for (;;) {
        const char *p = ps->line + ps->pos;
        size_t run = 0;

        while (ps->pos + run < ps->len && p[run] != '"' && p[run] != '\\')
            run++;
        gc_buf_add(scratch, p, run);
        ps->pos += run;
        if (at_end(ps))
            return bad_at(ps, open, "unterminated label value");
        if (cur(ps) == '"')
            break;
        /* A backslash. */
        if (ps->pos + 1 == ps->len)
            return bad_at(ps, open, "unterminated label value");
        switch (ps->line[ps->pos + 1]) {
        case '\\':
            gc_buf_addc(scratch, '\\');
            break;
        case '"':
            gc_buf_addc(scratch, '"');
            break;
        case 'n':
            gc_buf_addc(scratch, '\n');
            break;
        default:
            return bad_at(ps, ps->pos, "bad escape in label value (only \\\\, \\\" and \\n)");
        }
        ps->pos += 2;
    }
    ps->pos++; /* the closing '"' */
    *vlen = scratch->len - *off;
    gc_buf_addc(scratch, '\0');
    return 0;
}

/* The label set at ps->pos (on the '{'), through its '}'. */
static int parse_labels(struct gc_prom_parser *ps, struct gc_prom_sample *s, struct gc_buf *scratch,
                        size_t offs[GC_PROM_MAX_LABELS])
{
    ps->pos++;
    skip_blanks(ps);
    if (cur(ps) == '}') {
        ps->pos++;
        return 0;
    }
    for (;;) {
        struct gc_prom_label *l;
        size_t start = ps->pos;

        if (!is_alpha_(cur(ps)))
            return bad_at(ps, ps->pos,
                          at_end(ps) ? "unterminated label set" : "label name expected");
        while (ps->pos < ps->len && (is_alpha_(cur(ps)) || is_digit(cur(ps))))
            ps->pos++;
        if (s->n_labels == GC_PROM_MAX_LABELS) {
            gc_fail(ps->f, "bad_prom", "more than %d labels at column %zu", GC_PROM_MAX_LABELS,
                    start + 1);
            return -1;
        }
        l = &s->labels[s->n_labels];
        l->name = ps->line + start;
        l->name_len = ps->pos - start;
        if (l->name_len == 8 && memcmp(l->name, "__name__", 8) == 0)
            return bad_at(ps, start, "reserved label name '__name__'");
        for (size_t i = 0; i < s->n_labels; i++) {
            if (s->labels[i].name_len == l->name_len &&
                memcmp(s->labels[i].name, l->name, l->name_len) == 0) {
                int n = l->name_len > GC_PROM_QUOTE_MAX ? GC_PROM_QUOTE_MAX : (int)l->name_len;

                gc_fail(ps->f, "bad_prom", "duplicate label '%.*s' at column %zu", n, l->name,
                        start + 1);
                return -1;
            }
        }
        skip_blanks(ps);
        if (cur(ps) != '=')
            return bad_at(ps, ps->pos, "'=' expected after the label name");
        ps->pos++;
        skip_blanks(ps);
        if (cur(ps) != '"')
            return bad_at(ps, ps->pos, "'\"' expected to open the label value");
        if (parse_label_value(ps, scratch, &offs[s->n_labels], &l->value_len) < 0)
            return -1;
        s->n_labels++;
        skip_blanks(ps);
        if (cur(ps) == '}') {
            ps->pos++;
            return 0;
        }
        if (cur(ps) != ',')
            return bad_at(ps, ps->pos,
                          at_end(ps) ? "unterminated label set"
                                     : "',' or '}' expected after the label value");
        ps->pos++;
        skip_blanks(ps);
        if (cur(ps) == '}') { /* a trailing comma */
            ps->pos++;
            return 0;
        }
    }
}

static int parse_sample(struct gc_prom_parser *ps, struct gc_prom_sample *s, struct gc_buf *scratch)
{
    size_t offs[GC_PROM_MAX_LABELS];
    size_t start, blanks;
    bool had_labels = false;

    start = ps->pos;
    if (!is_alpha_(cur(ps)) && cur(ps) != ':')
        return bad_at(ps, start, "metric name must start with a letter, '_' or ':'");
    while (ps->pos < ps->len && (is_alpha_(cur(ps)) || is_digit(cur(ps)) || cur(ps) == ':'))
        ps->pos++;
    s->metric = ps->line + start;
    s->metric_len = ps->pos - start;

    blanks = skip_blanks(ps);
    if (cur(ps) == '{') {
        if (parse_labels(ps, s, scratch, offs) < 0)
            return -1;
        had_labels = true;
        blanks = skip_blanks(ps);
    }
    if (at_end(ps))
        return bad_at(ps, ps->pos, "missing value");
    if (blanks == 0)
        return bad_at(ps, ps->pos,
                      had_labels ? "blank expected after '}'" : "bad character in metric name");

    start = ps->pos;
    while (ps->pos < ps->len && !is_blank(cur(ps)))
        ps->pos++;
    if (!value_ok(ps->line + start, ps->pos - start))
        return bad_at(ps, start, "value is not a number");
    s->value = ps->line + start;
    s->value_len = ps->pos - start;

    if (skip_blanks(ps) > 0 && !at_end(ps)) {
        start = ps->pos;
        while (ps->pos < ps->len && !is_blank(cur(ps)))
            ps->pos++;
        if (!int64_ok(ps->line + start, ps->pos - start, &s->ts_ms))
            return bad_at(ps, start, "timestamp is not a 64-bit integer of milliseconds");
        s->has_ts = true;
        skip_blanks(ps);
        if (!at_end(ps))
            return bad_at(ps, ps->pos, "unexpected text after the timestamp");
    }

    /* SCRATCH is final: the values can point into it now. */
    for (size_t i = 0; i < s->n_labels; i++)
        s->labels[i].value = scratch->ptr + offs[i];
    return 1;
}

static void clear_sample(struct gc_prom_sample *s)
{
    s->metric = NULL;
    s->metric_len = 0;
    s->n_labels = 0;
    s->value = NULL;
    s->value_len = 0;
    s->has_ts = false;
    s->ts_ms = 0;
}

int gc_prom_parse_line(const char *line, size_t len, struct gc_prom_sample *s,
                       struct gc_buf *scratch, struct gc_fail *f)
{
    struct gc_prom_parser ps = {line, len, 0, f};
    const char *bad;
    int ret;

    clear_sample(s);
    gc_buf_reset(scratch);

    if (ps.len > 0 && line[ps.len - 1] == '\r')
        ps.len--;
    if (ps.len == 0)
        return 0;
    /* Values are handed out as C strings, and a '\n' would be a line break the caller missed. */
    if ((bad = memchr(line, '\0', ps.len)) != NULL)
        return bad_at(&ps, (size_t)(bad - line), "NUL byte");
    if ((bad = memchr(line, '\n', ps.len)) != NULL)
        return bad_at(&ps, (size_t)(bad - line), "newline inside the line");

    skip_blanks(&ps);
    if (at_end(&ps) || cur(&ps) == '#')
        return 0;
    ret = parse_sample(&ps, s, scratch);
    if (ret < 0)
        clear_sample(s);
    return ret;
}

const char *gc_prom_label(const struct gc_prom_sample *s, const char *name, size_t *len)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < s->n_labels; i++) {
        const struct gc_prom_label *l = &s->labels[i];

        if (l->name_len == n && memcmp(l->name, name, n) == 0) {
            if (len != NULL)
                *len = l->value_len;
            return l->value;
        }
    }
    return NULL;
}
