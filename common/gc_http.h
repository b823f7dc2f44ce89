/*
 * gc_http — fetching a resource over HTTP(S) with libcurl: only http and https,
 * TLS verification always on, bounded time and size, retries with backoff for
 * failures that may pass, an optional bearer token from a private file.
 *
 * Not thread-safe on first use: the first call initialises libcurl (and
 * libsodium) for the whole process, and curl_global_cleanup runs at exit.
 */
#ifndef GC_HTTP_H
#define GC_HTTP_H

#include <stddef.h>

#include "gc_buf.h"
#include "gc_err.h"

/* At most this many redirects are followed. */
#define GC_HTTP_MAX_REDIRECTS 5
/* A Retry-After header asking for longer than this is cut down to it. */
#define GC_HTTP_RETRY_AFTER_CAP_MS 60000L
/* The exponential backoff (before jitter) never grows past this. */
#define GC_HTTP_BACKOFF_CAP_MS 60000L

struct gc_http_opts {
    long connect_timeout_ms; /* per attempt; default 10000 */
    long timeout_ms;         /* whole transfer, per attempt; default 30000 */
    int retries;             /* extra attempts after the first; default 3 */
    /*
     * Wait before the first retry, doubled for each later one, plus a random
     * jitter of up to the same amount; default 1000. A Retry-After header in
     * seconds on a 429 or 5xx answer lengthens the wait to what it asks for,
     * at most GC_HTTP_RETRY_AFTER_CAP_MS.
     */
    long backoff_ms;
    size_t max_bytes;       /* largest response body accepted; default 64 MiB */
    const char *ca_file;    /* PEM CA bundle; NULL: the system CA store */
    const char *token_file; /* NULL: no Authorization header; see gc_http_get */
};

/* Fills O with the defaults above. */
void gc_http_opts_default(struct gc_http_opts *o);

/*
 * GETs URL into BODY, which is reset first and owned by the caller (release it
 * with gc_buf_release). O may be NULL for the defaults; O's strings are
 * borrowed for the call only. Redirects are followed, at most
 * GC_HTTP_MAX_REDIRECTS, and only to http or https URLs. Peer and host
 * verification of TLS is always on.
 *
 * Returns 0 when the final answer is a 2xx: BODY holds its body. Otherwise
 * returns -1 with BODY empty and F filled with one of these reasons:
 *   "unavailable"  the source stayed unavailable after every attempt: timeouts,
 *                  connection and transfer errors, 429 and 5xx (exit 75, so cron
 *                  tries again later); these, and only these, are retried
 *   "http_error"   a permanent failure: any other 4xx, a 3xx that was not
 *                  followed, too many redirects, a TLS certificate that does
 *                  not verify, an unusable ca_file
 *   "too_large"    the body is longer than max_bytes
 *   "bad_url"      URL is not an http or https URL (checked before any
 *                  request, case-insensitively), or a redirect leads to another
 *                  scheme
 * F's detail names URL without its userinfo, query or fragment (they may hold
 * credentials), and the HTTP status or libcurl's error; it never holds the token.
 * *STATUS (when STATUS is not NULL) gets the last HTTP status, 0 if none came.
 *
 * With O->token_file set, every request carries "Authorization: Bearer TOKEN",
 * TOKEN being the file's first line without its line end. libcurl does not send
 * it on to another host, port or scheme when following a redirect. The token
 * is held in sodium_malloc memory and wiped when the call returns. The call
 * does not return when the token file is unusable: it exits 77 when the file
 * is a symbolic link, not a regular file, or accessible to group or others
 * (chmod 600), as gc_key_load does; 66 when it does not exist; 74 when it
 * cannot be read; 65 when its first line is empty, too long or holds
 * characters a token cannot have. Those messages name the file, never the
 * token.
 */
/*
 * URL as messages and reject records show it: scheme, host, port and path,
 * never userinfo, query or fragment (they may hold credentials); control
 * characters as '?'. Writes at most CAP bytes with the NUL into OUT.
 */
void gc_http_url_shown(const char *url, char *out, size_t cap);

int gc_http_get(const char *url, const struct gc_http_opts *o, struct gc_buf *body, long *status,
                struct gc_fail *f);

/* The most headers a POST may add. */
#define GC_HTTP_MAX_HEADERS 8

/*
 * POSTs LEN bytes of DATA to URL with HEADERS ("Name: value", at most
 * GC_HTTP_MAX_HEADERS) and the token of O as gc_http_get does, and answers
 * the same way. Timeouts, 429 and 5xx are retried with the same body: send
 * an idempotency key among the headers, so that a server that did the work
 * but whose answer was lost can tell the retry from a new request. Redirects
 * are not followed (a 3xx is "http_error").
 */
int gc_http_post(const char *url, const struct gc_http_opts *o, const void *data, size_t len,
                 const char *const *headers, size_t n_headers, struct gc_buf *body, long *status,
                 struct gc_fail *f);

#endif
