#include "gc_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gc_err.h"
#include "banned.h"

/* The child: stdin from /dev/null, stdout to the pipe, then the shell. */
static void child(const char *script, const char *const *args, size_t nargs, int out_fd)
{
    const char **argv = calloc(nargs + 5, sizeof(*argv));
    int null_fd = open("/dev/null", O_RDONLY);

    if (argv == NULL || null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
        dup2(out_fd, STDOUT_FILENO) < 0)
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = script;
    argv[3] = "sh";
    for (size_t i = 0; i < nargs; i++)
        argv[4 + i] = args[i];
    execv("/bin/sh", (char *const *)argv);
    _exit(127);
}

const char *gc_run_capture(const char *cmd, const char *const *args, size_t nargs,
                           struct gc_buf *out, size_t max, int *status)
{
    /* "CMD" "$@": the arguments arrive as words, never re-parsed by the shell. */
    size_t len = strlen(cmd) + sizeof(" \"$@\"");
    char *script = gc_xmalloc(len), buf[4096];
    int fds[2], wstatus;
    pid_t pid;
    ssize_t n;

    memcpy(script, cmd, strlen(cmd));
    memcpy(script + strlen(cmd), " \"$@\"", sizeof(" \"$@\""));
    gc_buf_reset(out);
    *status = 0;
    if (pipe(fds) != 0) {
        free(script);
        return "could not be started";
    }
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(script, args, nargs, fds[1]);
    }
    free(script);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return "could not be started";
    }
    while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (out->len < max)
            gc_buf_add(out, buf, (size_t)n < max - out->len ? (size_t)n : max - out->len);
    }
    close(fds[0]);
    while (waitpid(pid, &wstatus, 0) < 0)
        if (errno != EINTR)
            return "could not be waited for";
    if (WIFSIGNALED(wstatus)) {
        *status = WTERMSIG(wstatus);
        return "killed by a signal";
    }
    *status = WEXITSTATUS(wstatus);
    if (*status == 127)
        return "could not be started (exit status 127)";
    return *status == 0 ? NULL : "exited with a non-zero status";
}
