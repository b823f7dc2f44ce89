/*
 * Unit tests for gc_http against tests/http_server.py on loopback: bodies, retries and their
 * backoff, Retry-After, timeouts, refused connections, permanent errors, the size limit, redirects
 * (followed, looping, to other schemes), URLs refused before any request, the bearer token (sent,
 * not forwarded to another host, refused from a file others can read, never in a message), and
 * TLS verification against a throwaway certificate when openssl(1) is there to make one. The
 * server counts requests per key, which is how attempts are counted. Run from the repo root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gc_buf.h"
#include "gc_err.h"
#include "gc_http.h"
#include "gc_test.h"
#include "banned.h"

#define TOKEN   "gc-test-token-7Hq2"
#define URL_CAP 512

/* /ok's body, as tests/http_server.py has it. */
static const char ok_body[] =
    "{\"type\":\"reading\",\"v\":1,\"device\":\"pv-001\",\"ts\":\"2026-11-01T10:00:00Z\","
    "\"period_s\":300,\"energy_wh\":310}\n"
    "{\"type\":\"reading\",\"v\":1,\"device\":\"pv-001\",\"ts\":\"2026-11-01T10:05:00Z\","
    "\"period_s\":300,\"energy_wh\":305}\n";

/* --- the server --------------------------------------------------------------------------- */

struct server {
    pid_t pid;
    int out; /* its standard output, kept open so that it never writes into a closed pipe */
    int port;
};

static struct server plain; /* http, for every test */
static struct server tls;   /* https, for test_tls_verified; stopped by the group teardown too */

/* Starts tests/http_server.py with ARGS (NULL-terminated) added; fills S. 0 or -1. */
static int server_start(struct server *s, const char *const *args)
{
    const char *argv[16] = {"python3", "tests/http_server.py", "--lifetime", "60"};
    char line[32];
    size_t got = 0, argc = 4;
    int p[2];

    for (; *args != NULL && argc < 15; args++)
        argv[argc++] = *args;
    argv[argc] = NULL;
    if (pipe(p) != 0)
        return -1;
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    s->out = p[0];
    /* The port comes on the first line; give the interpreter 10 s to start. */
    while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL) {
        struct pollfd pfd = {.fd = s->out, .events = POLLIN};
        ssize_t n;

        if (poll(&pfd, 1, 10000) <= 0)
            return -1;
        n = read(s->out, line + got, sizeof(line) - 1 - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    line[got] = '\0';
    s->port = atoi(line);
    return s->port > 0 ? 0 : -1;
}

static void server_stop(struct server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        close(s->out);
    }
    memset(s, 0, sizeof(*s));
}

static int group_setup(void **state)
{
    static const char *const args[] = {"--token", TOKEN, "--data", "tests/fixtures/readings.ndjson",
                                       NULL};
    static const char *const proxies[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                          "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};

    /* Loopback must not go through a proxy from the environment. */
    for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
        unsetenv(proxies[i]);
    signal(SIGPIPE, SIG_IGN);
    return server_start(&plain, args);
}

static int group_teardown(void **state)
{
    server_stop(&plain);
    server_stop(&tls); /* if test_tls_verified failed half way */
    return 0;
}

/* --- helpers ------------------------------------------------------------------------------ */

/* "http://127.0.0.1:PORT" PATH into OUT (URL_CAP bytes). */
static void url_on(char *out, const struct server *s, const char *scheme, const char *path)
{
    int n = snprintf(out, URL_CAP, "%s://127.0.0.1:%d%s", scheme, s->port, path);

    assert_true(n > 0 && n < URL_CAP);
}

static void url(char *out, const char *path)
{
    url_on(out, &plain, "http", path);
}

/* Defaults, with waits short enough for a fast suite. */
static void fast_opts(struct gc_http_opts *o)
{
    gc_http_opts_default(o);
    o->connect_timeout_ms = 2000;
    o->timeout_ms = 5000;
    o->backoff_ms = 10;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* GETs PATH on the plain server; returns gc_http_get's result. */
static int get(const char *path, const struct gc_http_opts *o, struct gc_buf *body, long *status,
               struct gc_fail *f)
{
    char u[URL_CAP];

    url(u, path);
    return gc_http_get(u, o, body, status, f);
}

/* How many requests the server has seen under KEY. */
static long hits(const char *key)
{
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    char path[URL_CAP];
    long n, status;

    snprintf(path, sizeof(path), "/count?key=%s", key);
    assert_int_equal(get(path, NULL, &body, &status, &f), 0);
    n = strtol(body.ptr, NULL, 10);
    gc_buf_release(&body);
    return n;
}

/* Expects gc_http_get of URL with O to fail for REASON, leaving BODY empty. */
static void expect_fail_url(const char *u, const struct gc_http_opts *o, const char *reason,
                            struct gc_fail *f, long *status)
{
    struct gc_buf body = GC_BUF_INIT;

    memset(f, 0, sizeof(*f));
    assert_int_equal(gc_http_get(u, o, &body, status, f), -1);
    if (f->reason == NULL || strcmp(f->reason, reason) != 0)
        fail_msg("'%s': reason %s, want %s (%s)", u, f->reason ? f->reason : "(none)", reason,
                 f->detail);
    assert_int_equal(body.len, 0);
    gc_buf_release(&body);
}

static void expect_fail(const char *path, const struct gc_http_opts *o, const char *reason,
                        struct gc_fail *f, long *status)
{
    char u[URL_CAP];

    url(u, path);
    expect_fail_url(u, o, reason, f, status);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("'%s' does not contain '%s'", hay, needle);
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle) != NULL)
        fail_msg("'%s' contains '%s'", hay, needle);
}

/* A token file in DIR with CONTENT and MODE; its path goes to OUT (GC_TEST_PATH_CAP bytes). */
static void token_file(char *out, const char *dir, const char *name, const char *content,
                       mode_t mode)
{
    gc_test_path_in(out, dir, name);
    gc_test_write_file_mode(out, content, strlen(content), mode);
}

/* --- tests -------------------------------------------------------------------------------- */

static void test_ok_body(void **state)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    long status = 0;

    fast_opts(&o);
    assert_int_equal(get("/ok?key=ok", &o, &body, &status, &f), 0);
    assert_int_equal(status, 200);
    assert_string_equal(body.ptr, ok_body);
    assert_int_equal(body.len, strlen(ok_body));
    /* BODY is reset, not appended to; NULL options and status are defaults. */
    assert_int_equal(get("/ok", NULL, &body, NULL, &f), 0);
    assert_string_equal(body.ptr, ok_body);
    assert_int_equal(hits("ok"), 1);
    gc_buf_release(&body);
}

static void test_user_agent_no_auth(void **state)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};

    fast_opts(&o);
    assert_int_equal(get("/echo-headers", &o, &body, NULL, &f), 0);
    assert_contains(body.ptr, "User-Agent: gc/" GC_VERSION "\n");
    assert_lacks(body.ptr, "Authorization");
    gc_buf_release(&body);
}

static void test_flaky_retried(void **state)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    long status = 0;

    fast_opts(&o);
    assert_int_equal(get("/flaky?n=2&key=flaky", &o, &body, &status, &f), 0);
    assert_int_equal(status, 200);
    assert_string_equal(body.ptr, ok_body);
    assert_int_equal(hits("flaky"), 3);
    gc_buf_release(&body);
}

static void test_always_5xx_unavailable(void **state)
{
    struct gc_http_opts o;
    struct gc_fail f;
    long status = 0;

    fast_opts(&o);
    o.retries = 2;
    expect_fail("/status?code=503&key=s503", &o, "unavailable", &f, &status);
    assert_int_equal(status, 503);
    assert_int_equal(hits("s503"), 3);
    assert_contains(f.detail, "/status");
    assert_contains(f.detail, "503");
    assert_contains(f.detail, "3 attempts");
    /* No retries at all when asked for none. */
    o.retries = 0;
    expect_fail("/status?code=500&key=s500", &o, "unavailable", &f, &status);
    assert_int_equal(hits("s500"), 1);
    assert_contains(f.detail, "HTTP 500 (1 attempt)");
}

static void test_backoff_doubles_with_jitter(void **state)
{
    struct gc_http_opts o;
    struct gc_fail f;
    double t0, dt;

    fast_opts(&o);
    o.retries = 3;
    o.backoff_ms = 50;
    /* Waits of 50, 100 and 200 ms, each plus up to as much again: 0.35 to 0.7 s. */
    t0 = now_s();
    expect_fail("/status?code=500&key=backoff", &o, "unavailable", &f, NULL);
    dt = now_s() - t0;
    assert_int_equal(hits("backoff"), 4);
    if (dt < 0.35 || dt > 1.0)
        fail_msg("4 attempts with backoff 50 ms took %.3f s, want 0.35 to 0.7 s (and some slack)",
                 dt);
}

static void test_error_page_judged_by_status(void **state)
{
    struct gc_http_opts o;
    struct gc_fail f;
    long status = 0;

    /*
     * The error page is longer than max_bytes: still unavailable, or http_error, by status;
     * with a Content-Length (CURLOPT_MAXFILESIZE_LARGE stops it) and without (the write
     * callback stops it).
     */
    fast_opts(&o);
    o.retries = 0;
    o.max_bytes = 4;
    expect_fail("/status?code=500", &o, "unavailable", &f, &status);
    assert_int_equal(status, 500);
    expect_fail("/status?code=404", &o, "http_error", &f, &status);
    assert_int_equal(status, 404);
    expect_fail("/status?code=503&length=0", &o, "unavailable", &f, &status);
    assert_int_equal(status, 503);
    expect_fail("/status?code=410&length=0", &o, "http_error", &f, &status);
    assert_int_equal(status, 410);
}

static void test_retry_after(void **state)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    double t0, dt;

    fast_opts(&o);
    t0 = now_s();
    assert_int_equal(get("/429?key=ra&after=1", &o, &body, NULL, &f), 0);
    dt = now_s() - t0;
    assert_int_equal(hits("ra"), 2);
    if (dt < 0.95)
        fail_msg("Retry-After: 1 was not honoured: the retry came after %.3f s", dt);
    /* A date (not used) or garbage leaves the short backoff alone. */
    t0 = now_s();
    assert_int_equal(
        get("/429?key=ra-date&after=Wed,%2021%20Oct%202037%2007:28:00%20GMT", &o, &body, NULL, &f),
        0);
    assert_int_equal(get("/429?key=ra-junk&after=1x", &o, &body, NULL, &f), 0);
    dt = now_s() - t0;
    assert_int_equal(hits("ra-date"), 2);
    assert_int_equal(hits("ra-junk"), 2);
    if (dt > 0.9)
        fail_msg("an unusable Retry-After was waited for: %.3f s", dt);
    assert_string_equal(body.ptr, ok_body);
    gc_buf_release(&body);
}

static void test_timeout_unavailable(void **state)
{
    struct gc_http_opts o;
    struct gc_fail f;
    long status = -1;
    double t0, dt;

    fast_opts(&o);
    o.timeout_ms = 300;
    o.retries = 1;
    t0 = now_s();
    expect_fail("/slow?ms=3000&key=slow", &o, "unavailable", &f, &status);
    dt = now_s() - t0;
    assert_int_equal(status, 0);
    assert_contains(f.detail, "timed out");
    assert_contains(f.detail, "2 attempts");
    assert_int_equal(hits("slow"), 2);
    if (dt > 1.5)
        fail_msg("two attempts with a 300 ms timeout took %.3f s", dt);
}

static void test_connection_refused_unavailable(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    struct gc_http_opts o;
    struct gc_fail f;
    char u[URL_CAP];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    /* A port that was free a moment ago and has no listener now. */
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    snprintf(u, sizeof(u), "http://127.0.0.1:%d/ok", ntohs(sa.sin_port));
    close(fd);
    fast_opts(&o);
    o.retries = 1;
    expect_fail_url(u, &o, "unavailable", &f, NULL);
    assert_contains(f.detail, "2 attempts");
}

static void test_4xx_not_retried(void **state)
{
    static const int codes[] = {400, 401, 403, 404, 408, 410, 451};
    struct gc_http_opts o;
    struct gc_fail f;
    char path[URL_CAP], key[32];
    long status;

    fast_opts(&o);
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        snprintf(key, sizeof(key), "s%d", codes[i]);
        snprintf(path, sizeof(path), "/status?code=%d&key=%s", codes[i], key);
        expect_fail(path, &o, "http_error", &f, &status);
        assert_int_equal(status, codes[i]);
        assert_int_equal(hits(key), 1);
        assert_contains(f.detail, key + 1);
    }
    expect_fail("/no-such-route", &o, "http_error", &f, &status);
    assert_int_equal(status, 404);
    assert_contains(f.detail, "'http://127.0.0.1:");
    assert_contains(f.detail, "/no-such-route': HTTP 404");
}

static void test_too_large(void **state)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};

    fast_opts(&o);
    o.max_bytes = 4096;
    /* With a Content-Length (CURLOPT_MAXFILESIZE_LARGE) and without (the write callback). */
    expect_fail("/big?bytes=4097&key=big1", &o, "too_large", &f, NULL);
    assert_contains(f.detail, "4096");
    expect_fail("/big?bytes=4097&length=0&key=big2", &o, "too_large", &f, NULL);
    expect_fail("/big?bytes=1000000&length=0&key=big3", &o, "too_large", &f, NULL);
    assert_int_equal(hits("big1"), 1);
    assert_int_equal(hits("big2"), 1);
    assert_int_equal(hits("big3"), 1);
    /* Exactly max_bytes is fine both ways. */
    assert_int_equal(get("/big?bytes=4096", &o, &body, NULL, &f), 0);
    assert_int_equal(body.len, 4096);
    assert_int_equal(get("/big?bytes=4096&length=0", &o, &body, NULL, &f), 0);
    assert_int_equal(body.len, 4096);
    assert_int_equal(body.ptr[4095], 'x');
    gc_buf_release(&body);
}

static void test_redirect_followed(void **state)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    char path[2 * URL_CAP], u[URL_CAP];
    long status = 0;

    fast_opts(&o);
    assert_int_equal(get("/redirect?to=/ok%3Fkey%3Dredir", &o, &body, &status, &f), 0);
    assert_int_equal(status, 200);
    assert_string_equal(body.ptr, ok_body);
    assert_int_equal(hits("redir"), 1);
    /* An absolute http URL, and the scheme in capitals. */
    url(u, "/ok");
    snprintf(path, sizeof(path), "/redirect?to=%s", u);
    assert_int_equal(get(path, &o, &body, &status, &f), 0);
    assert_string_equal(body.ptr, ok_body);
    url_on(u, &plain, "HTTP", "/ok");
    assert_int_equal(gc_http_get(u, &o, &body, &status, &f), 0);
    assert_string_equal(body.ptr, ok_body);
    gc_buf_release(&body);
}

static void test_redirect_loop(void **state)
{
    struct gc_http_opts o;
    struct gc_fail f;
    long before = hits("/loop"), status;

    fast_opts(&o);
    expect_fail("/loop", &o, "http_error", &f, &status);
    assert_contains(f.detail, "edirects");
    /* The first request and GC_HTTP_MAX_REDIRECTS more, never retried. */
    assert_int_equal(hits("/loop") - before, 1 + GC_HTTP_MAX_REDIRECTS);
}

static void test_redirect_to_other_scheme(void **state)
{
    static const char *const targets[] = {"ftp://127.0.0.1/x", "file:///etc/passwd",
                                          "FILE:///etc/passwd", "gopher://127.0.0.1/",
                                          "dict://127.0.0.1/d"};
    struct gc_http_opts o;
    struct gc_fail f;
    char path[URL_CAP];

    fast_opts(&o);
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        snprintf(path, sizeof(path), "/redirect?to=%s&key=rs%zu", targets[i], i);
        expect_fail(path, &o, "bad_url", &f, NULL);
        assert_contains(f.detail, "redirect");
        assert_lacks(f.detail, "passwd");
        snprintf(path, sizeof(path), "rs%zu", i);
        assert_int_equal(hits(path), 1);
    }
}

static void test_scheme_refused_before_request(void **state)
{
    struct gc_http_opts o;
    struct gc_fail f;
    char u[URL_CAP];
    long status = -1;
    int n;

    fast_opts(&o);
    /* libcurl would guess http for a URL without a scheme: it must not get the chance. */
    n = snprintf(u, sizeof(u), "127.0.0.1:%d/ok?key=noscheme", plain.port);
    assert_true(n > 0);
    expect_fail_url(u, &o, "bad_url", &f, &status);
    assert_int_equal(status, 0);
    assert_int_equal(hits("noscheme"), 0);
    url_on(u, &plain, "ftp", "/ok");
    expect_fail_url(u, &o, "bad_url", &f, &status);
    assert_contains(f.detail, "only http and https");
    url_on(u, &plain, "httpx", "/ok?key=httpx");
    expect_fail_url(u, &o, "bad_url", &f, &status);
    expect_fail_url("file:///etc/passwd", &o, "bad_url", &f, &status);
    expect_fail_url("", &o, "bad_url", &f, &status);
    expect_fail_url("http:/127.0.0.1/ok", &o, "bad_url", &f, &status);
    assert_int_equal(hits("httpx"), 0);
}

static void test_bearer_token(void **state)
{
    const char *dir = *state;
    char tok[GC_TEST_PATH_CAP], bad[GC_TEST_PATH_CAP];
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    long status;

    fast_opts(&o);
    /* Only the first line counts, without its \r\n. */
    token_file(tok, dir, "token", TOKEN "\r\nsecond line\n", 0600);
    o.token_file = tok;
    assert_int_equal(get("/auth", &o, &body, &status, &f), 0);
    assert_int_equal(status, 200);
    assert_int_equal(get("/echo-headers", &o, &body, NULL, &f), 0);
    assert_contains(body.ptr, "Authorization: Bearer " TOKEN "\n");
    /* A file without a line end; a 0400 file. */
    token_file(tok, dir, "token2", TOKEN, 0400);
    assert_int_equal(get("/auth", &o, &body, &status, &f), 0);

    /* No token, or the wrong one: 401, not retried, and the token is in no message. */
    o.token_file = NULL;
    expect_fail("/auth?key=noauth", &o, "http_error", &f, &status);
    assert_int_equal(status, 401);
    assert_int_equal(hits("noauth"), 1);
    token_file(bad, dir, "bad", "zz-not-the-token-zz\n", 0600);
    o.token_file = bad;
    expect_fail("/auth", &o, "http_error", &f, &status);
    assert_lacks(f.detail, "zz-not-the-token-zz");
    gc_buf_release(&body);
}

static void test_token_not_sent_to_another_host(void **state)
{
    const char *dir = *state;
    char tok[GC_TEST_PATH_CAP], path[URL_CAP];
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};

    fast_opts(&o);
    token_file(tok, dir, "token", TOKEN "\n", 0600);
    o.token_file = tok;
    /* Same server, other host name: libcurl drops the custom Authorization header. */
    snprintf(path, sizeof(path), "/redirect?to=http://localhost:%d/echo-headers", plain.port);
    assert_int_equal(get(path, &o, &body, NULL, &f), 0);
    assert_contains(body.ptr, "Host: localhost:");
    assert_lacks(body.ptr, TOKEN);
    /* A redirect on the same host keeps it. */
    assert_int_equal(get("/redirect?to=/echo-headers", &o, &body, NULL, &f), 0);
    assert_contains(body.ptr, "Bearer " TOKEN);
    gc_buf_release(&body);
}

/* Child: a fetch of /auth with the token file at ARG; exits when gc_http refuses the file. */
static void fetch_with_token_file(const void *arg)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};

    fast_opts(&o);
    o.token_file = arg;
    if (get("/auth?key=refused", &o, &body, NULL, &f) != 0)
        fprintf(stderr, "fetch failed: %s: %s\n", f.reason, f.detail);
    gc_buf_release(&body);
}

/* Expects the child fetching with the token file PATH to exit WANT, naming the file, not TOKEN. */
static void expect_token_refused(const char *path, int want, const char *needle)
{
    char err[GC_TEST_CHILD_ERR];
    int got = gc_test_run_child(fetch_with_token_file, path, err, sizeof(err));

    if (got != want)
        fail_msg("token file '%s': child exited %d, want %d; stderr: %s", path, got, want, err);
    assert_contains(err, path);
    assert_contains(err, needle);
    assert_lacks(err, TOKEN);
    assert_lacks(err, "s3cr3t");
}

static void test_token_file_refused(void **state)
{
    const char *dir = *state;
    char p[GC_TEST_PATH_CAP], link[GC_TEST_PATH_CAP], sub[GC_TEST_PATH_CAP];

    token_file(p, dir, "open", TOKEN "\n", 0644);
    expect_token_refused(p, GC_EX_NOPERM, "too open");
    token_file(p, dir, "group", TOKEN "\n", 0640);
    expect_token_refused(p, GC_EX_NOPERM, "too open");
    token_file(p, dir, "private", TOKEN "\n", 0600);
    gc_test_path_in(link, dir, "link");
    assert_int_equal(symlink(p, link), 0);
    expect_token_refused(link, GC_EX_NOPERM, "symbolic link");
    gc_test_path_in(sub, dir, "subdir");
    assert_int_equal(mkdir(sub, 0700), 0);
    expect_token_refused(sub, GC_EX_NOPERM, "not a regular file");
    gc_test_path_in(p, dir, "missing");
    expect_token_refused(p, GC_EX_NOINPUT, "cannot open");
    token_file(p, dir, "empty", "\n", 0600);
    expect_token_refused(p, GC_EX_DATAERR, "no token");
    token_file(p, dir, "space", "s3cr3t with space\n", 0600);
    expect_token_refused(p, GC_EX_DATAERR, "cannot have");
    /* None of them reached the server. */
    assert_int_equal(hits("refused"), 0);
}

static void test_messages_hide_secrets(void **state)
{
    const char *dir = *state;
    char u[URL_CAP], tok[GC_TEST_PATH_CAP];
    struct gc_http_opts o;
    struct gc_fail f;
    int n;

    fast_opts(&o);
    o.retries = 0;
    n = snprintf(u, sizeof(u),
                 "http://alice:pa55%%40word@127.0.0.1:%d/status?code=404&access_token=qt0k#fr4g",
                 plain.port);
    assert_true(n > 0 && n < URL_CAP);
    expect_fail_url(u, &o, "http_error", &f, NULL);
    assert_contains(f.detail, "/status");
    assert_lacks(f.detail, "alice");
    assert_lacks(f.detail, "pa55");
    assert_lacks(f.detail, "word");
    assert_lacks(f.detail, "qt0k");
    assert_lacks(f.detail, "fr4g");
    /* Refused before any request, and failing on the way: the same. */
    n = snprintf(u, sizeof(u), "ftp://alice:pa55word@127.0.0.1:%d/x?token=qt0k", plain.port);
    assert_true(n > 0 && n < URL_CAP);
    expect_fail_url(u, &o, "bad_url", &f, NULL);
    assert_lacks(f.detail, "pa55word");
    assert_lacks(f.detail, "qt0k");
    /* Without a scheme, a "://" in the query does not make the query part of the host. */
    expect_fail_url("127.0.0.1/x?to=http://alice:pa55word@h/?token=qt0k", &o, "bad_url", &f, NULL);
    assert_contains(f.detail, "'127.0.0.1/x'");
    assert_lacks(f.detail, "pa55word");
    assert_lacks(f.detail, "qt0k");
    /* A control character cannot start a line of its own in a message. */
    expect_fail_url("ftp://127.0.0.1/a\nb", &o, "bad_url", &f, NULL);
    assert_lacks(f.detail, "\n");

    /* With a token, every kind of failure. */
    token_file(tok, dir, "token", TOKEN "\n", 0600);
    o.token_file = tok;
    o.max_bytes = 10;
    o.timeout_ms = 200;
    expect_fail("/status?code=403", &o, "http_error", &f, NULL);
    assert_lacks(f.detail, TOKEN);
    expect_fail("/status?code=500", &o, "unavailable", &f, NULL);
    assert_lacks(f.detail, TOKEN);
    expect_fail("/big?bytes=11", &o, "too_large", &f, NULL);
    assert_lacks(f.detail, TOKEN);
    expect_fail("/slow?ms=1000", &o, "unavailable", &f, NULL);
    assert_lacks(f.detail, TOKEN);
    expect_fail("/redirect?to=ftp://127.0.0.1/", &o, "bad_url", &f, NULL);
    assert_lacks(f.detail, TOKEN);
    expect_fail("/loop", &o, "http_error", &f, NULL);
    assert_lacks(f.detail, TOKEN);
}

static void test_readings_cursor(void **state)
{
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    char since[64] = "", path[URL_CAP];
    int pages = 0, lines = 0;

    /* Pages of 3 with the cursor advanced to the last ts seen: each page is later than it. */
    fast_opts(&o);
    for (;;) {
        const char *p, *last;

        snprintf(path, sizeof(path), "/readings?limit=3&since=%s", since);
        assert_int_equal(get(path, &o, &body, NULL, &f), 0);
        if (body.len == 0)
            break;
        pages++;
        for (p = body.ptr, last = NULL; (p = strstr(p, "\"ts\":\"")) != NULL; p++) {
            p += 6;
            assert_true(strncmp(p, since, 20) > 0 || since[0] == '\0');
            last = p;
            lines++;
        }
        assert_non_null(last);
        memcpy(since, last, 20);
        since[20] = '\0';
        assert_true(pages < 100);
    }
    assert_true(pages >= 1);
    assert_true(lines >= 1);
    gc_buf_release(&body);
}

/* --- TLS ---------------------------------------------------------------------------------- */

static void test_tls_verified(void **state)
{
    const char *dir = *state;
    char cert[GC_TEST_PATH_CAP], key[GC_TEST_PATH_CAP], cmd[3 * GC_TEST_PATH_CAP], u[URL_CAP];
    const char *args[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    struct gc_http_opts o;
    struct gc_buf body = GC_BUF_INIT;
    struct gc_fail f = {0};
    int n;

    if (system("command -v openssl >/dev/null 2>&1") != 0)
        skip();
    gc_test_path_in(cert, dir, "cert.pem");
    gc_test_path_in(key, dir, "key.pem");
    /* A throwaway self-signed certificate for 127.0.0.1 only. */
    n = snprintf(cmd, sizeof(cmd),
                 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                 "-days 1 -subj /CN=gc-test -addext subjectAltName=IP:127.0.0.1 "
                 "-keyout '%s' -out '%s' >/dev/null 2>&1",
                 key, cert);
    assert_true(n > 0 && n < (int)sizeof(cmd));
    assert_int_equal(system(cmd), 0);
    assert_int_equal(server_start(&tls, args), 0);

    fast_opts(&o);
    o.retries = 0;
    /* Not signed by a CA of the system store: refused, and not worth a retry. */
    url_on(u, &tls, "https", "/ok");
    expect_fail_url(u, &o, "http_error", &f, NULL);
    /* Trusted through ca_file: fine. */
    o.ca_file = cert;
    assert_int_equal(gc_http_get(u, &o, &body, NULL, &f), 0);
    assert_string_equal(body.ptr, ok_body);
    /* Trusted, but for another name: host verification refuses it. */
    n = snprintf(u, sizeof(u), "https://localhost:%d/ok", tls.port);
    assert_true(n > 0 && n < URL_CAP);
    expect_fail_url(u, &o, "http_error", &f, NULL);
    /* An https URL to a plain http server. */
    url_on(u, &plain, "https", "/ok");
    expect_fail_url(u, &o, "unavailable", &f, NULL);
    server_stop(&tls);
    gc_buf_release(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_body),
        cmocka_unit_test(test_user_agent_no_auth),
        cmocka_unit_test(test_flaky_retried),
        cmocka_unit_test(test_always_5xx_unavailable),
        cmocka_unit_test(test_backoff_doubles_with_jitter),
        cmocka_unit_test(test_error_page_judged_by_status),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_timeout_unavailable),
        cmocka_unit_test(test_connection_refused_unavailable),
        cmocka_unit_test(test_4xx_not_retried),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_redirect_followed),
        cmocka_unit_test(test_redirect_loop),
        cmocka_unit_test(test_redirect_to_other_scheme),
        cmocka_unit_test(test_scheme_refused_before_request),
        GC_TEST_WITH_DIR(test_bearer_token),
        GC_TEST_WITH_DIR(test_token_not_sent_to_another_host),
        GC_TEST_WITH_DIR(test_token_file_refused),
        GC_TEST_WITH_DIR(test_messages_hide_secrets),
        cmocka_unit_test(test_readings_cursor),
        GC_TEST_WITH_DIR(test_tls_verified),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
