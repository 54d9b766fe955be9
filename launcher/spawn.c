#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "wire.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

extern char **environ;

int
spawn_resolve(const char *name, char *out, size_t size)
{
	const char *path, *p, *end;
	int first_error = ENOENT;
	struct stat st;

	if (name[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (strchr(name, '/') != NULL) {
		if (strlcpy(out, name, size) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (stat(out, &st) != 0)
			return -1;
		if (!S_ISREG(st.st_mode) || access(out, X_OK) != 0) {
			errno = EACCES;
			return -1;
		}
		return 0;
	}
	path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		if (snprintf(out, size, "%.*s%s%s", (int)(end - p), p,
		    end == p ? "" : "/", name) < (int)size &&
		    stat(out, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(out, X_OK) == 0)
				return 0;
			first_error = EACCES;
		}
		if (*end == '\0')
			break;
	}
	errno = first_error;
	return -1;
}

/* The descriptor the channel gets: high, but within the soft fd limit. */
static int
channel_number(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur <= WIRE_CHANNEL_FD)
		return rl.rlim_cur > 4 ? (int)rl.rlim_cur - 1 : 3;
	return WIRE_CHANNEL_FD;
}

static bool
ours(const char *entry)
{
	static const char *const vars[] = {
		"LD_PRELOAD=", WIRE_CHANNEL_ENV "=", "CAPWRAP_SERVICE=",
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strncmp(entry, vars[i], strlen(vars[i])) == 0)
			return true;
	return false;
}

/*
 * The service's environment: the launcher's, with the shim first in
 * LD_PRELOAD (a library preloaded ahead of it would see the socket calls
 * first) and the channel's number.
 */
static char **
service_environment(const struct spawn_request *rq, int chan_number)
{
	const char *old_preload = getenv("LD_PRELOAD");
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!ours(environ[i]) || rq->shim_path == NULL)
			env[k++] = environ[i];
	if (rq->shim_path != NULL) {
		if (old_preload != NULL && *old_preload != '\0')
			(void)asprintf(&env[k++], "LD_PRELOAD=%s:%s",
			    rq->shim_path, old_preload);
		else
			(void)asprintf(&env[k++], "LD_PRELOAD=%s", rq->shim_path);
		(void)asprintf(&env[k++], "%s=%d", WIRE_CHANNEL_ENV, chan_number);
		(void)asprintf(&env[k++], "CAPWRAP_SERVICE=%s", rq->service->name);
		for (size_t i = k - 3; i < k; i++)
			if (env[i] == NULL)
				return NULL;
	}
	env[k] = NULL;
	return env;
}

static void
close_span(unsigned first, unsigned last)
{
	if (first > last)
		return;
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return;
	/* Before Linux 5.9: one by one, up to the descriptor limit. */
	for (long fd = first, max = sysconf(_SC_OPEN_MAX);
	    fd <= (long)last && fd < max; fd++)
		(void)close((int)fd);
}

/* Close every descriptor from 3 up except keep_a and keep_b (-1: none). */
static void
close_all_but(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b;
	int hi = keep_a < keep_b ? keep_b : keep_a;
	unsigned from = 3;

	if (lo >= 3) {
		close_span(from, (unsigned)lo - 1);
		from = (unsigned)lo + 1;
	}
	if (hi >= 3 && hi != lo) {
		close_span(from, (unsigned)hi - 1);
		from = (unsigned)hi + 1;
	}
	close_span(from, ~0U);
}

/* In the child: set up and exec, or report errno on the status pipe. */
__attribute__((noreturn))
static void
child(const struct spawn_request *rq, char **env, int chan_number,
    int status_fd, pid_t launcher)
{
	sigset_t none;
	int devnull, err;

	/* Die with the launcher: a topology never outlives its broker. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != launcher)
		_exit(127);
	(void)setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);

	devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(rq->stdout_fd, STDOUT_FILENO) < 0 ||
	    dup2(rq->stderr_fd, STDERR_FILENO) < 0)
		goto fail;
	if (rq->channel_fd >= 0 && rq->channel_fd != chan_number &&
	    dup2(rq->channel_fd, chan_number) < 0)
		goto fail;
	/* Nothing else of the launcher's leaks into the service. */
	close_all_but(rq->channel_fd >= 0 ? chan_number : -1, status_fd);
	execve(rq->program, rq->service->argv, env);
fail:
	err = errno;
	(void)!write(status_fd, &err, sizeof(err));
	_exit(127);
}

pid_t
spawn_service(const struct spawn_request *rq, char *errbuf, size_t errlen)
{
	int chan_number = channel_number(), status[2], err = 0;
	pid_t launcher = getpid(), pid;
	char **env;
	ssize_t n;

	env = service_environment(rq, chan_number);
	if (env == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	if (pipe2(status, O_CLOEXEC) != 0) {
		snprintf(errbuf, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(errbuf, errlen, "fork: %s", strerror(errno));
		close(status[0]);
		close(status[1]);
		return -1;
	}
	if (pid == 0)
		child(rq, env, chan_number, status[1], launcher);
	(void)setpgid(pid, pid);
	close(status[1]);
	/* The exec closes the pipe: no bytes means the program is running. */
	do
		n = read(status[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(status[0]);
	for (char **e = env; *e != NULL; e++)
		if (ours(*e) && rq->shim_path != NULL)
			free(*e);
	free(env);
	if (n == sizeof(err)) {
		snprintf(errbuf, errlen, "unable to execute %s: %s",
		    rq->program, strerror(err));
		return -1;
	}
	return pid;
}
