/*
 * hx-exec reexec COUNT NAME
 *	Re-exec itself COUNT times (execv of /proc/self/exe), then dial NAME.
 *	Prints "start fds=N" before the first exec and "end fds=N" after
 *	the last, so a descriptor leaked per exec shows.
 * hx-exec clear HOW NAME
 *	Start itself again with an empty environment, HOW being execve
 *	(envp = {NULL}), execle, execvpe, execveat, fexecve, clearenv (then
 *	execv), spawn (posix_spawn with an empty environment), vfork (a
 *	vfork() child execve()s with envp = {NULL}) or env-i (env -i runs
 *	it); the new image dials NAME.
 * hx-exec dial NAME
 *	Print whether LD_PRELOAD is set, then dial NAME: "reply LINE" or
 *	"dial: ERRNO".
 * hx-exec handon NAME [close] PROGRAM ARG...
 *	Dial NAME, so that this image holds the reap page and the claim
 *	queue; with "close", close() the queue (the AF_UNIX seqpacket
 *	socket that is not the channel) first; then exec PROGRAM.
 * hx-exec held
 *	What the environment names for the reap page and the claim queue:
 *	"page: none", "page: open, close-on-exec" (open at that number
 *	with that device and inode; or "..., inherited by any exec") or
 *	"page: not as named"; then the same for "queue:", and "queue
 *	number N" when it is open.
 * hx-exec worker NAME
 *	What "held" says, then dial NAME and fork a worker that dials NAME:
 *	"parent: reply LINE", "worker: reply LINE" (or "...: dial: ERRNO").
 * hx-exec forge NAME [first]
 *	Set CAPWRAP_CLAIM_QUEUE to a seqpacket socket of its own (setenv;
 *	with "first", an entry put ahead of the environment it has, which
 *	may name the queue already), then run "hx-exec worker NAME" with
 *	that environment, and say whether the socket's peer got anything:
 *	"own socket: EAGAIN" when it did not.
 * hx-exec rawpage SIZE NAME
 *	Start "hx-exec dials NAME" by an execve system call past the shim,
 *	CAPWRAP_REAP_PAGE naming a memfd of its own of SIZE bytes, sealed
 *	as the launcher seals its page.
 * hx-exec dials NAME
 *	Dial NAME 20 times, then say whether the descriptor that
 *	CAPWRAP_REAP_PAGE names is still open: "named: open".
 * hx-exec wordexp NAME
 *	Dial NAME, then expand "$(printf x)" with wordexp(), before and
 *	after setting CAPWRAP_CLAIM_QUEUE to a socket of its own:
 *	"wordexp: x" or "wordexp: error N" each time.
 * hx-exec spawn|system|popen|clonefiles NAME
 *	Dial NAME, then start "hx-exec held" by posix_spawn, system(),
 *	popen(), or a clone(CLONE_VM | CLONE_FILES | CLONE_VFORK) child
 *	that execve()s,
 *	and wait for it; then "parent fds: same" if this process has as
 *	many descriptors as before, and "parent queue: close-on-exec" if
 *	its claim queue still is.
 */
#include <sys/mman.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <wordexp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"
#include "rawtrap.h"

extern char **environ;

static int
dial(const char *name)
{
	char reply[600];
	int e;

	fx_say("LD_PRELOAD %s", getenv("LD_PRELOAD") ? "set" : "unset");
	e = hx_dial(name, "exec", reply, sizeof(reply));
	if (e != 0) {
		fx_say("dial: %s", hx_errname(e));
		return FX_REFUSED;
	}
	fx_say("reply %s", reply);
	return FX_OK;
}

/* The claim queue the shim holds, or -1. */
static int
queue_number(void)
{
	const char *chan = getenv("CAPWRAP_CHANNEL");

	return hx_claim_queue(chan != NULL ? atoi(chan) : -1);
}

static int
handon(int argc, char **argv)
{
	char reply[600];
	int e, i = 3;

	if ((e = hx_dial(argv[2], "handon", reply, sizeof(reply))) != 0) {
		fx_say("handon: dial: %s", hx_errname(e));
		return FX_REFUSED;
	}
	if (i < argc && strcmp(argv[i], "close") == 0) {
		if (close(queue_number()) != 0)
			fx_refused("close the queue");
		i++;
	}
	if (i >= argc)
		return FX_USAGE;
	execvp(argv[i], &argv[i]);
	fx_refused("exec");
}

/* One variable's "FD:DEV:INO", against what is open at FD. */
static void
say_held(const char *label, const char *var)
{
	const char *v = getenv(var);
	unsigned long long dev, ino;
	struct stat st;
	int fd;

	if (v == NULL) {
		fx_say("%s: none", label);
		return;
	}
	if (sscanf(v, "%d:%llu:%llu", &fd, &dev, &ino) == 3 &&
	    fstat(fd, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino) {
		fx_say("%s: open, %s", label,
		    fcntl(fd, F_GETFD) & FD_CLOEXEC ? "close-on-exec" :
						      "inherited by any exec");
		if (strcmp(label, "queue") == 0)
			fx_say("queue number %d", fd);
	} else
		fx_say("%s: not as named", label);
}

static int
worker(const char *name)
{
	char reply[600];
	pid_t pid;
	int status, e;

	say_held("page", "CAPWRAP_REAP_PAGE");
	say_held("queue", "CAPWRAP_CLAIM_QUEUE");
	e = hx_dial(name, "parent", reply, sizeof(reply));
	fx_say("parent: %s%s", e ? "dial: " : "reply ",
	    e ? hx_errname(e) : reply);
	if ((pid = fork()) < 0)
		fx_refused("fork");
	if (pid == 0) {
		e = hx_dial(name, "worker", reply, sizeof(reply));
		fx_say("worker: %s%s", e ? "dial: " : "reply ",
		    e ? hx_errname(e) : reply);
		_exit(e ? FX_REFUSED : FX_OK);
	}
	if (waitpid(pid, &status, 0) != pid)
		fx_refused("waitpid");
	return e == 0 && WIFEXITED(status) ? WEXITSTATUS(status) : FX_REFUSED;
}

static int
forge(const char *name, bool first)
{
	char self[4096], var[128], byte;
	char *argv[] = { "hx-exec", "worker", (char *)name, NULL };
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat st;
	pid_t pid;
	int sv[2], status;

	if (n <= 0 || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0 ||
	    fstat(sv[0], &st) != 0)
		fx_refused("a socket of its own");
	self[n] = '\0';
	snprintf(var, sizeof(var), "%d:%llu:%llu", sv[0],
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	if ((pid = fork()) < 0)
		fx_refused("fork");
	if (pid == 0) {
		char entry[160], *env[4096];
		size_t k = 0;

		if (!first) {
			if (setenv("CAPWRAP_CLAIM_QUEUE", var, 1) != 0)
				_exit(FX_IO);
			execv(self, argv);
			_exit(127);
		}
		snprintf(entry, sizeof(entry), "CAPWRAP_CLAIM_QUEUE=%s", var);
		env[k++] = entry;
		for (char **e = environ; *e != NULL && k < 4095; e++)
			env[k++] = *e;
		env[k] = NULL;
		execve(self, argv, env);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		fx_refused("waitpid");
	if (recv(sv[1], &byte, 1, MSG_DONTWAIT) < 0)
		fx_say("own socket: %s", hx_errname(errno));
	else
		fx_say("own socket: got a message");
	return WIFEXITED(status) ? WEXITSTATUS(status) : FX_IO;
}

static int
rawpage(long size, const char *name)
{
	char self[4096], entry[160], *env[4096];
	char *argv[] = { "hx-exec", "dials", (char *)name, NULL };
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int fd = memfd_create("page", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat st;
	size_t k = 0;

	if (n <= 0 || fd < 0 || ftruncate(fd, size) != 0 ||
	    fcntl(fd, F_ADD_SEALS,
		F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE |
		    F_SEAL_SEAL) != 0 ||
	    fcntl(fd, F_SETFD, 0) != 0 || fstat(fd, &st) != 0)
		fx_refused("a memfd of its own");
	self[n] = '\0';
	snprintf(entry, sizeof(entry), "CAPWRAP_REAP_PAGE=%d:%llu:%llu", fd,
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	env[k++] = entry;
	for (char **e = environ; *e != NULL && k < 4095; e++)
		if (strncmp(*e, "CAPWRAP_REAP_PAGE=", 18) != 0)
			env[k++] = *e;
	env[k] = NULL;
	(void)rawtrap(SYS_execve, (long)self, (long)argv, (long)env, 0, 0, 0);
	fx_refused("execve");
}

static int
dials(const char *name)
{
	const char *v = getenv("CAPWRAP_REAP_PAGE");
	char reply[600];
	int fd = v != NULL ? atoi(v) : -1;

	for (int i = 0; i < 20; i++)
		if (hx_dial(name, "dials", reply, sizeof(reply)) != 0)
			fx_refused("dial");
	fx_say("dials: reply %s", reply);
	fx_say("named: %s",
	    fd >= 0 && fcntl(fd, F_GETFD) >= 0 ? "open" : "closed");
	return FX_OK;
}

static void
expand(const char *words)
{
	wordexp_t we;
	int rc = wordexp(words, &we, 0);

	if (rc != 0) {
		fx_say("wordexp: error %d", rc);
		return;
	}
	fx_say("wordexp: %s", we.we_wordc > 0 ? we.we_wordv[0] : "");
	wordfree(&we);
}

static int
expand_forged(const char *name)
{
	char reply[600], var[128];
	struct stat st;
	int sv[2];

	if (hx_dial(name, "wordexp", reply, sizeof(reply)) != 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0 ||
	    fstat(sv[0], &st) != 0)
		fx_refused("set up");
	expand("$(printf x)");
	snprintf(var, sizeof(var), "%d:%llu:%llu", sv[0],
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	if (setenv("CAPWRAP_CLAIM_QUEUE", var, 1) != 0)
		fx_refused("setenv");
	expand("$(printf x)");
	return FX_OK;
}

static char self_path[4096];

static int
exec_held(void *arg)
{
	char *argv[] = { "hx-exec", "held", NULL };

	(void)arg;
	execve(self_path, argv, environ);
	_exit(127);
}

/* What the parent holds once its child is done. */
static void
say_parent(int before)
{
	int q = queue_number();

	fx_say("parent fds: %s", hx_count_fds() == before ? "same" : "more");
	fx_say("parent queue: %s",
	    q >= 0 && (fcntl(q, F_GETFD) & FD_CLOEXEC) ?
		"close-on-exec" :
		"inherited by any exec");
}

/* "hx-exec held" through the shell, by system() or popen(); its status. */
static int
by_shell(const char *how)
{
	char cmd[4200], line[256];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s held", self_path);
	if (strcmp(how, "system") == 0)
		return system(cmd);
	if ((f = popen(cmd, "r")) == NULL)
		fx_refused("popen");
	while (fgets(line, sizeof(line), f) != NULL)
		fputs(line, stdout);
	fflush(stdout);
	return pclose(f);
}

static int
start_held(const char *how, const char *name)
{
	static char stack[256 * 1024];
	char *argv[] = { "hx-exec", "held", NULL }, reply[600];
	ssize_t n = readlink("/proc/self/exe", self_path,
	    sizeof(self_path) - 1);
	int before, status;
	pid_t pid;

	if (n <= 0 || hx_dial(name, "start", reply, sizeof(reply)) != 0)
		fx_refused("set up");
	self_path[n] = '\0';
	before = hx_count_fds();
	if (strcmp(how, "system") == 0 || strcmp(how, "popen") == 0) {
		status = by_shell(how);
		say_parent(before);
		return status == 0 ? FX_OK : FX_IO;
	}
	if (strcmp(how, "spawn") == 0) {
		if (posix_spawn(&pid, self_path, NULL, NULL, argv, environ) !=
		    0)
			fx_refused("posix_spawn");
	} else if ((pid = clone(exec_held, stack + sizeof(stack),
			CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, NULL)) <
	    0)
		fx_refused("clone");
	if (waitpid(pid, &status, 0) != pid)
		fx_refused("waitpid");
	say_parent(before);
	return WIFEXITED(status) ? WEXITSTATUS(status) : FX_IO;
}

static int
clear(const char *how, const char *name)
{
	char self[4096], *argv[] = { "hx-exec", "dial", (char *)name, NULL };
	char *empty[] = { NULL };
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int status;

	if (n <= 0)
		return FX_IO;
	self[n] = '\0';
	if (strcmp(how, "execve") == 0)
		execve(self, argv, empty);
	else if (strcmp(how, "execle") == 0)
		execle(self, "hx-exec", "dial", name, (char *)NULL, empty);
	else if (strcmp(how, "execvpe") == 0)
		execvpe(self, argv, empty);
	else if (strcmp(how, "execveat") == 0)
		execveat(AT_FDCWD, self, argv, empty, 0);
	else if (strcmp(how, "fexecve") == 0) {
		int fd = open(self, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			fexecve(fd, argv, empty);
	} else if (strcmp(how, "vfork") == 0) {
		pid = vfork();
		if (pid == 0) {
			execve(self, argv, empty);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			fx_refused("vfork");
		return WIFEXITED(status) ? WEXITSTATUS(status) : FX_IO;
	} else if (strcmp(how, "clearenv") == 0) {
		clearenv();
		execv(self, argv);
	} else if (strcmp(how, "env-i") == 0) {
		char *env_argv[] = { "env", "-i", self, "dial", (char *)name,
			NULL };

		execvp("env", env_argv);
	} else if (strcmp(how, "spawn") == 0) {
		errno = posix_spawn(&pid, self, NULL, NULL, argv, empty);
		if (errno != 0 || waitpid(pid, &status, 0) != pid)
			fx_refused("posix_spawn");
		return WIFEXITED(status) ? WEXITSTATUS(status) : FX_IO;
	} else
		return FX_USAGE;
	fx_refused("exec");
}

int
main(int argc, char **argv)
{
	char count[32], fds[32];

	if (argc == 3 && strcmp(argv[1], "dial") == 0)
		return dial(argv[2]);
	if (argc == 4 && strcmp(argv[1], "clear") == 0)
		return clear(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "handon") == 0)
		return handon(argc, argv);
	if (argc == 2 && strcmp(argv[1], "held") == 0) {
		say_held("page", "CAPWRAP_REAP_PAGE");
		say_held("queue", "CAPWRAP_CLAIM_QUEUE");
		return FX_OK;
	}
	if (argc == 3 && strcmp(argv[1], "worker") == 0)
		return worker(argv[2]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "forge") == 0)
		return forge(argv[2],
		    argc == 4 && strcmp(argv[3], "first") == 0);
	if (argc == 4 && strcmp(argv[1], "rawpage") == 0)
		return rawpage(atol(argv[2]), argv[3]);
	if (argc == 3 && strcmp(argv[1], "dials") == 0)
		return dials(argv[2]);
	if (argc == 3 && strcmp(argv[1], "wordexp") == 0)
		return expand_forged(argv[2]);
	if (argc == 3 &&
	    (strcmp(argv[1], "spawn") == 0 || strcmp(argv[1], "system") == 0 ||
		strcmp(argv[1], "popen") == 0 ||
		strcmp(argv[1], "clonefiles") == 0))
		return start_held(argv[1], argv[2]);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "reexec") == 0) {
		long left = strtol(argv[2], NULL, 10);
		char *next[] = { argv[0], "reexec", count, argv[3], fds, NULL };

		if (argc == 4) {
			snprintf(fds, sizeof(fds), "%d", hx_count_fds());
			fx_say("start fds=%s", fds);
		} else
			snprintf(fds, sizeof(fds), "%s", argv[4]);
		if (left <= 0) {
			fx_say("end fds=%d", hx_count_fds());
			return dial(argv[3]);
		}
		snprintf(count, sizeof(count), "%ld", left - 1);
		execv("/proc/self/exe", next);
		fx_refused("execv");
	}
	fprintf(stderr,
	    "usage: hx-exec reexec|clear|dial|handon|held|worker|forge ...\n");
	return FX_USAGE;
}
