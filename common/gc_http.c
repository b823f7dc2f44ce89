#include "gc_http.h"

#include "gc_io.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "gc_buf.h"
#include "gc_err.h"
#include "banned.h"

#ifndef GC_VERSION
#define GC_VERSION "0"
#endif

#define AUTH_PREFIX "Authorization: Bearer "
/* A longer first line is refused rather than cut: a cut token would fail in a confusing way. */
#define TOKEN_MAX 4096
/* How much of a URL a message shows. */
#define URL_SHOWN 160

void gc_http_opts_default(struct gc_http_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->connect_timeout_ms = 10000;
    o->timeout_ms = 30000;
    o->retries = 3;
    o->backoff_ms = 1000;
    o->max_bytes = (size_t)64 << 20;
}

static void http_global_init(void)
{
    static bool done;

    if (done)
        return;
    /* randombytes_uniform (the jitter) wants libsodium initialised; a second sodium_init is a
     * no-op. */
    if (sodium_init() < 0)
        gc_die(GC_EX_SOFTWARE, "libsodium cannot be initialised");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        gc_die(GC_EX_SOFTWARE, "libcurl cannot be initialised");
    /* So that leak checkers see libcurl's (and OpenSSL's) global state go. */
    atexit(curl_global_cleanup);
    done = true;
}

static bool scheme_allowed(const char *url)
{
    return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/*
 * URL as a message may show it: scheme, host, port and path; no userinfo, query or fragment,
 * where credentials and tokens travel; control characters replaced, so a URL cannot forge
 * lines of output.
 */
void gc_http_url_shown(const char *url, char *out, size_t cap)
{
    size_t n = 0, scheme_len = strcspn(url, ":/?#@");
    const char *rest = url, *host, *auth_end, *path_end, *at;

    /* A "://" later on, in a query say, does not end a scheme. */
    if (strncmp(url + scheme_len, "://", 3) == 0)
        rest = url + scheme_len + 3;
    auth_end = rest + strcspn(rest, "/?#");
    host = rest;
    for (at = rest; at < auth_end; at++)
        if (*at == '@')
            host = at + 1; /* the last '@': a password may hold one */
    path_end = auth_end + strcspn(auth_end, "?#");

    for (const char *p = url; p < path_end && n + 1 < cap; p++) {
        if (p == rest)
            p = host;
        out[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
    }
    out[n] = '\0';
    if (n + 1 == cap && cap > 4)
        memcpy(out + cap - 4, "...", 4);
}

/* Exits like gc_key_load does for a secret key file that is not private. */
static int token_open(const char *path)
{
    int fd = gc_open_private(path, "token file");

    if (fd < 0)
        gc_die(GC_EX_NOINPUT, "cannot open token file '%s': no such file", path);
    return fd;
}

/*
 * The Authorization header line for the token in PATH, in sodium_malloc memory the caller
 * frees with sodium_free (which wipes it). The file is read straight into that memory after
 * the header's prefix, so the token is never in ordinary memory of ours.
 */
static char *token_header(const char *path)
{
    const size_t prefix = strlen(AUTH_PREFIX), cap = prefix + TOKEN_MAX + 1;
    size_t len = 0;
    char *hdr, *tok, *nl = NULL;
    int fd = token_open(path);

    hdr = sodium_malloc(cap);
    if (hdr == NULL)
        gc_die(GC_EX_SOFTWARE, "cannot allocate secure memory for a token");
    memcpy(hdr, AUTH_PREFIX, prefix);
    tok = hdr + prefix;
    /* Up to the first line end; anything after it is not read. */
    while (nl == NULL && len < TOKEN_MAX + 1) {
        ssize_t n = read(fd, tok + len, TOKEN_MAX + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            gc_die_errno(GC_EX_IOERR, "cannot read token file '%s'", path);
        if (n == 0)
            break;
        nl = memchr(tok + len, '\n', (size_t)n);
        len += (size_t)n;
    }
    close(fd);
    if (nl != NULL)
        len = (size_t)(nl - tok);
    if (len > TOKEN_MAX)
        gc_die(GC_EX_DATAERR, "the first line of token file '%s' is longer than %d bytes", path,
               TOKEN_MAX);
    if (len > 0 && tok[len - 1] == '\r')
        len--;
    tok[len] = '\0';
    if (len == 0)
        gc_die(GC_EX_DATAERR, "token file '%s' holds no token on its first line", path);
    /* Visible ASCII only: no space, no control character that could end the header line. */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)tok[i] <= 0x20 || (unsigned char)tok[i] >= 0x7f)
            gc_die(GC_EX_DATAERR,
                   "token file '%s': the token holds a character at %zu that a "
                   "bearer token cannot have",
                   path, i + 1);
    return hdr;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The wait before retry number RETRY (from 0): FIRST_MS doubled RETRY times, plus jitter. */
static long backoff_ms(long first_ms, int retry)
{
    long base = first_ms;

    if (base <= 0)
        return 0;
    for (int i = 0; i < retry && base < GC_HTTP_BACKOFF_CAP_MS; i++)
        base *= 2;
    if (base > GC_HTTP_BACKOFF_CAP_MS)
        base = GC_HTTP_BACKOFF_CAP_MS;
    /* Jitter of up to BASE again, so that clients failed together do not retry together. */
    return base + (long)randombytes_uniform((uint32_t)base + 1);
}

/* A Retry-After of the last response in seconds (the HTTP-date form is not used), capped. */
static long retry_after_ms(CURL *curl)
{
    struct curl_header *h;
    const char *p;
    long secs = 0;

    if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return 0;
    for (p = h->value; *p == ' ' || *p == '\t'; p++)
        ;
    if (!isdigit((unsigned char)*p))
        return 0;
    for (; isdigit((unsigned char)*p); p++)
        if (secs <= GC_HTTP_RETRY_AFTER_CAP_MS / 1000)
            secs = secs * 10 + (*p - '0');
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0')
        return 0;
    if (secs > GC_HTTP_RETRY_AFTER_CAP_MS / 1000)
        return GC_HTTP_RETRY_AFTER_CAP_MS;
    return secs * 1000;
}

/* Where the body of one attempt goes. */
struct http_sink {
    CURL *curl;
    struct gc_buf *body;
    size_t max_bytes;
    bool too_large;    /* the body passed max_bytes */
    long error_status; /* the transfer was stopped at the body of this non-2xx answer */
};

static size_t http_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct http_sink *s = userp;
    size_t n = size * nmemb; /* size is always 1 */
    long code = 0;

    /* An error page is not wanted: stop before downloading it; the status is judged later. */
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code < 200 || code > 299) {
        s->error_status = code;
        return 0;
    }
    /* CURLOPT_MAXFILESIZE_LARGE only sees a Content-Length; a chunked or close-delimited body
     * is held here. */
    if (n > s->max_bytes - s->body->len) {
        s->too_large = true;
        return 0;
    }
    gc_buf_add(s->body, data, n);
    return n;
}

/* Errors on the way to an answer that may pass: worth another attempt. */
static bool curl_error_transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_HTTP2:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

enum http_outcome {
    HTTP_DONE,  /* a 2xx answer */
    HTTP_RETRY, /* F says why; another attempt may succeed */
    HTTP_FAIL,  /* F says why; another attempt would fail the same way */
};

static enum http_outcome http_attempt(CURL *curl, struct http_sink *sink, const char *shown,
                                      const char *errbuf, long *status, long *wait_ms,
                                      struct gc_fail *f)
{
    CURLcode rc;
    long code = 0;
    bool answered;

    gc_buf_reset(sink->body);
    sink->too_large = false;
    sink->error_status = 0;
    *wait_ms = 0;
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    *status = code;

    /* A non-2xx answer stopped at its body or at its Content-Length is judged by its status. */
    answered =
        rc == CURLE_OK ||
        (code != 0 && (code < 200 || code > 299) &&
         ((rc == CURLE_WRITE_ERROR && sink->error_status != 0) || rc == CURLE_FILESIZE_EXCEEDED));
    if (answered) {
        if (code >= 200 && code <= 299)
            return HTTP_DONE;
        gc_fail(f, code == 429 || code >= 500 ? "unavailable" : "http_error", "'%s': HTTP %ld",
                shown, code);
        if (code == 429 || code >= 500) {
            *wait_ms = retry_after_ms(curl);
            return HTTP_RETRY;
        }
        return HTTP_FAIL;
    }
    if (sink->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        gc_fail(f, "too_large", "'%s': the body is longer than %zu bytes", shown, sink->max_bytes);
        return HTTP_FAIL;
    }
    /* The scheme of URL itself was checked: these come from a redirect. */
    if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
        gc_fail(f, "bad_url", "'%s': a redirect leads to a URL that is not http or https (%s)",
                shown, errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
        return HTTP_FAIL;
    }
    if (rc == CURLE_URL_MALFORMAT) {
        gc_fail(f, "bad_url", "'%s': %s", shown,
                errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
        return HTTP_FAIL;
    }
    gc_fail(f, curl_error_transient(rc) ? "unavailable" : "http_error", "'%s': %s", shown,
            errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
    return curl_error_transient(rc) ? HTTP_RETRY : HTTP_FAIL;
}

/* What a POST sends: its body and headers of its own. */
struct http_post {
    const void *data;
    size_t len;
    const char *const *headers;
    size_t n_headers;
};

/* A GET (POST is NULL) or a POST of URL, retried as gc_http_get says. */
static int http_request(const char *url, const struct gc_http_opts *o, const struct http_post *post,
                        struct gc_buf *body, long *status, struct gc_fail *f)
{
    static const char user_agent[] = "gc/" GC_VERSION;
    struct gc_http_opts defaults;
    struct curl_slist auth = {NULL, NULL}, extra[GC_HTTP_MAX_HEADERS];
    struct curl_slist *headers = NULL;
    struct http_sink sink;
    char shown[URL_SHOWN], errbuf[CURL_ERROR_SIZE];
    long last_status = 0;
    CURL *curl = NULL;
    int rc = -1;

    if (o == NULL) {
        gc_http_opts_default(&defaults);
        o = &defaults;
    }
    gc_buf_reset(body);
    gc_http_url_shown(url, shown, sizeof(shown));
    if (!scheme_allowed(url)) {
        gc_fail(f, "bad_url", "'%s': only http and https URLs can be fetched", shown);
        goto out;
    }
    http_global_init();
    if (o->token_file != NULL)
        auth.data = token_header(o->token_file);

    /* Nodes of our own, chained: libcurl only reads the list (see the token below). */
    if (post != NULL)
        for (size_t i = post->n_headers; i-- > 0;) {
            extra[i] = (struct curl_slist){(char *)post->headers[i], headers};
            headers = &extra[i];
        }
    if (auth.data != NULL) {
        auth.next = headers;
        headers = &auth;
    }
    curl = curl_easy_init();
    if (curl == NULL)
        gc_die(GC_EX_SOFTWARE, "libcurl cannot start a transfer");
    sink = (struct http_sink){.curl = curl, .body = body, .max_bytes = o->max_bytes};
    errbuf[0] = '\0';
    if (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        /* A POST is not sent on to another place: a redirect is an error there. */
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, post == NULL ? 1L : 0L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)GC_HTTP_MAX_REDIRECTS) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_PROXY_SSL_VERIFYPEER, 1L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_PROXY_SSL_VERIFYHOST, 2L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o->timeout_ms) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_write) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink) != CURLE_OK ||
        (o->max_bytes > 0 && o->max_bytes <= (size_t)INT64_MAX &&
         curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes) != CURLE_OK) ||
        (o->ca_file != NULL && curl_easy_setopt(curl, CURLOPT_CAINFO, o->ca_file) != CURLE_OK) ||
        /*
         * A list node of our own rather than curl_slist_append, which would copy the token
         * into ordinary heap memory that is freed unwiped; libcurl only reads the list.
         */
        (headers != NULL && curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK) ||
        (post != NULL &&
         (curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post->len) != CURLE_OK ||
          curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post->data) != CURLE_OK)))
        gc_die(GC_EX_SOFTWARE, "libcurl refuses the transfer options for '%s'", shown);

    for (int attempt = 0;; attempt++) {
        long wait_ms, backoff;
        enum http_outcome got = http_attempt(curl, &sink, shown, errbuf, &last_status, &wait_ms, f);

        if (got == HTTP_DONE) {
            rc = 0;
            break;
        }
        if (got == HTTP_FAIL)
            break;
        if (attempt >= o->retries) {
            size_t len = strlen(f->detail);

            snprintf(f->detail + len, sizeof(f->detail) - len, " (%d attempt%s)", attempt + 1,
                     attempt > 0 ? "s" : "");
            break;
        }
        /* The server's Retry-After is a floor under our own backoff, not a replacement. */
        backoff = backoff_ms(o->backoff_ms, attempt);
        sleep_ms(backoff > wait_ms ? backoff : wait_ms);
        errbuf[0] = '\0';
    }

out:
    if (curl != NULL)
        curl_easy_cleanup(curl);
    if (auth.data != NULL)
        sodium_free(auth.data);
    if (rc != 0)
        gc_buf_reset(body);
    if (status != NULL)
        *status = last_status;
    return rc;
}

int gc_http_get(const char *url, const struct gc_http_opts *o, struct gc_buf *body, long *status,
                struct gc_fail *f)
{
    return http_request(url, o, NULL, body, status, f);
}

int gc_http_post(const char *url, const struct gc_http_opts *o, const void *data, size_t len,
                 const char *const *headers, size_t n_headers, struct gc_buf *body, long *status,
                 struct gc_fail *f)
{
    const struct http_post post = {data, len, headers, n_headers};

    if (n_headers > GC_HTTP_MAX_HEADERS)
        gc_die(GC_EX_SOFTWARE, "a POST with %zu headers", n_headers);
    return http_request(url, o, &post, body, status, f);
}
