#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "daemonids.h"
#include "domain.h"
#include "kernel.h"
#include "serviceenv.h"
#include "servicespawn.h"
#include "wire.h"

extern char **environ;

/* 0: not kept, the launcher's own soft limit is the services' too. */
static rlim_t service_fd_limit;

void
spawn_keep_fd_limit(rlim_t soft)
{
	service_fd_limit = soft;
}

/* The soft descriptor limit (RLIM_INFINITY if unknown). */
static rlim_t
soft_fd_limit(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : RLIM_INFINITY;
}

/* The descriptor the channel gets: high, but within the soft fd limit. */
static int
channel_number(rlim_t limit)
{
	if (limit != RLIM_INFINITY && limit <= WIRE_CHANNEL_FD)
		return limit > 4 ? (int)limit - 1 : 3;
	return WIRE_CHANNEL_FD;
}

/*
 * Everything the child needs, made by the parent before vfork(): the
 * child shares the launcher's memory and must not allocate, so it only
 * reads this, and writes err.
 */
struct child_args {
	const char *program;
	char *const *argv, *const *env;
	int stdout_fd, stderr_fd;
	int channel_fd;	 /* -1: unprotected */
	int chan_number; /* where the service finds the channel */
	rlim_t fd_limit; /* for closing one by one */
	pid_t launcher;
	bool fence; /* fence it from io_uring (kernel.h) */
	const struct daemon_ids *ids;
	const char *directory; /* NULL: the launcher's */
	rlim_t svc_fd_limit;   /* the service's soft limit; 0: unchanged */
	bool set_core;
	rlim_t core;
	int stop_signal;
	volatile int err;	    /* set by the child: why it did not exec */
	volatile bool fence_failed; /* err is the fence's */
	const char *volatile step;  /* with err: the call that failed */
};

/* Where and with which limits, after the descriptors are in place. */
static int
settle_in(struct child_args *a)
{
	struct rlimit rl;

	if (a->directory != NULL && chdir(a->directory) != 0) {
		a->step = "chdir";
		return -1;
	}
	if (a->svc_fd_limit != 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = a->svc_fd_limit;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			a->step = "setrlimit(RLIMIT_NOFILE)";
			return -1;
		}
	}
	if (a->set_core && getrlimit(RLIMIT_CORE, &rl) == 0) {
		rl.rlim_cur = a->core;
		if (setrlimit(RLIMIT_CORE, &rl) != 0) {
			a->step = "setrlimit(RLIMIT_CORE)";
			return -1;
		}
	}
	return 0;
}

static void
close_span(unsigned first, unsigned last, rlim_t limit)
{
	if (first > last)
		return;
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return;
	/* Before Linux 5.9: one by one, up to the descriptor limit. */
	for (rlim_t fd = first; fd <= last && fd < limit; fd++)
		(void)close((int)fd);
}

/* Close every descriptor from 3 up except keep (-1: none). */
static void
close_all_but(int keep, rlim_t limit)
{
	if (keep >= 3) {
		close_span(3, (unsigned)keep - 1, limit);
		close_span((unsigned)keep + 1, ~0U, limit);
	} else
		close_span(3, ~0U, limit);
}

/*
 * In the vfork() child: set up and exec, or leave errno in a->err.
 *
 * The child borrows the launcher's memory and stack (the launcher is
 * suspended until the exec or _exit), so it calls only async-signal-safe
 * functions, allocates nothing, never returns, and writes no variable of
 * the launcher's but a->err and errno (which the launcher reads after
 * vfork only when vfork failed and there is no child).  noinline keeps
 * its locals in a frame of its own, below the launcher's.  Its
 * descriptor table, signal mask and dispositions are its own: the dup2s,
 * closes, SIGPIPE's reset and sigprocmask below leave the launcher's
 * alone.  In a sanitizer build the child also poisons the shadow of its
 * stack frames; ASan's vfork interceptor cleans that up in the parent.
 *
 * No signal handler can run here on the launcher's memory.  The parent
 * blocked every signal before vfork(), so none is delivered during the
 * set-up; the child unblocks them just before execve, and in that
 * instant a signal meets the launcher's dispositions, of which none is a
 * handler: capwrap run blocks the signals it acts on and reads them from
 * a signalfd, ignores SIGPIPE (reset to default here), and leaves every
 * other signal as its own exec left it, default or ignored.  So a signal
 * can at most kill the child, which the launcher then sees as a service
 * that started and died.  A handler added to the launcher must be reset
 * here, before the unblock.
 */
__attribute__((noreturn, noinline)) static void
child(struct child_args *a)
{
	sigset_t none;
	int devnull;

	/*
	 * First: a change of user clears the parent-death signal, and the
	 * directory and limits below are the service user's business.
	 */
	if ((a->step = daemon_become(a->ids)) != NULL)
		goto fail;
	/* Die with the launcher: a topology never outlives its broker. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != a->launcher)
		_exit(127);
	/* A group of its own, made before the exec that vfork() waits for. */
	(void)setpgid(0, 0);

	devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(a->stdout_fd, STDOUT_FILENO) < 0 ||
	    dup2(a->stderr_fd, STDERR_FILENO) < 0)
		goto fail;
	if (a->channel_fd >= 0 && a->channel_fd != a->chan_number &&
	    dup2(a->channel_fd, a->chan_number) < 0)
		goto fail;
	/* Nothing else of the launcher's leaks into the service. */
	close_all_but(a->channel_fd >= 0 ? a->chan_number : -1, a->fd_limit);
	if (settle_in(a) != 0)
		goto fail;
	signal(SIGPIPE, SIG_DFL);
	/*
	 * The signal that stops it must act: one ignored by whoever started
	 * capwrap (a shell ignores SIGINT in its background jobs) would be
	 * ignored by the service too, and cannot be trapped by a shell.
	 */
	signal(a->stop_signal, SIG_DFL);
	/*
	 * Last, so that nothing above runs under it; inherited by every
	 * descendant, and kept across exec.
	 */
	if (a->fence && kernel_fence_install() != 0) {
		a->fence_failed = true;
		goto fail;
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(a->program, a->argv, a->env);
fail:
	a->err = errno;
	_exit(127);
}

/*
 * The child, exec'd or failed, with every signal blocked until then (see
 * child()).  Returns its pid, or -1; *err is why the vfork or the exec
 * failed, 0 if neither did.
 */
static pid_t
vfork_child(struct child_args *a, int *err)
{
	sigset_t all, saved;
	pid_t pid;

	sigfillset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, &saved);
	/*
	 * vfork, not fork: no copy of the launcher's page tables, and none
	 * of the copy-on-write faults the launcher would take afterwards,
	 * which made a fork cost more the larger the launcher grew.  The
	 * child runs in the launcher's memory, and vfork returns here only
	 * once it has exec'd or exited, with a->err set if the exec (or a
	 * step before it) failed: no status pipe to wait on.  (vfork rather
	 * than clone() on a stack of our own: the sanitizers know vfork.)
	 * The child never returns from here: child() ends in execve or
	 * _exit.
	 */
	pid = vfork();
	if (pid == 0)
		child(a);
	*err = pid < 0 ? errno : a->err;
	(void)sigprocmask(SIG_SETMASK, &saved, NULL);
	return pid;
}

/*
 * A wrapped service runs fenced from io_uring, whose operations never
 * call the C library and so pass the shim's gates, unless its policy
 * says `allow io_uring`.  An unprotected one has no gates to pass.  On a
 * kernel that cannot fence, capwrap run has said so at its start.
 */
static bool
fenced(const struct spawn_request *rq)
{
	return rq->shim_path != NULL && !rq->service->allow_io_uring &&
	    kernel_info()->fence;
}

/*
 * A service shares the topology's Landlock domain (domain.h) unless its
 * policy says `allow host-sockets`, or the kernel has no such scope
 * (capwrap run has said so at its start).  Unprotected services too: they
 * are part of the topology, which dials them, and they must not reach
 * what it cannot.
 */
static bool
in_domain(const struct spawn_request *rq)
{
	return !rq->service->allow_host_sockets && domain_available();
}

struct vfork_job {
	struct child_args *a;
	pid_t pid;
	int err;
};

static void
vfork_job(void *arg)
{
	struct vfork_job *j = arg;

	j->pid = vfork_child(j->a, &j->err);
}

/*
 * vfork_child, from the domain's thread or this one.  Returns what it
 * does, or -2 with errbuf set when the domain could not be entered: a
 * service is never started outside the domain it was meant for.
 */
static pid_t
start_child(const struct spawn_request *rq, struct child_args *a, int *err,
    char *errbuf, size_t errlen)
{
	struct vfork_job j = { .a = a };

	if (!in_domain(rq))
		return vfork_child(a, err);
	if (domain_run(vfork_job, &j) != 0) {
		snprintf(errbuf, errlen,
		    "unable to fence %s from host abstract sockets: %s",
		    rq->program, strerror(errno));
		return -2;
	}
	*err = j.err;
	return j.pid;
}

/* What the policy asks of the service's start, into a; 0 or -1 (err). */
static int
daemon_args(const struct spawn_request *rq, struct child_args *a,
    struct daemon_ids *ids, char *errbuf, size_t errlen)
{
	const struct policy_service *ps = rq->service;
	unsigned line, col;
	char why[256];

	if (daemon_ids(ps, ids, &line, &col, why, sizeof(why)) != 0) {
		snprintf(errbuf, errlen, "%s", why);
		return -1;
	}
	a->ids = ids;
	a->directory = ps->directory;
	if (ps->nofile.set)
		a->svc_fd_limit = (rlim_t)ps->nofile.value;
	else
		a->svc_fd_limit = service_fd_limit;
	a->stop_signal = ps->stop_signal != 0 ? ps->stop_signal : SIGTERM;
	a->set_core = ps->core.set;
	a->core = ps->core.value == POLICY_LIMIT_INFINITY ?
	    RLIM_INFINITY :
	    (rlim_t)ps->core.value;
	return 0;
}

/* Why the child did not exec, into errbuf. */
static void
child_failed(const struct spawn_request *rq, const struct child_args *a,
    int err, char *errbuf, size_t errlen)
{
	if (a->fence_failed)
		snprintf(errbuf, errlen, "unable to fence %s from io_uring: %s",
		    rq->program, strerror(err));
	else if (a->step != NULL && strcmp(a->step, "chdir") == 0)
		snprintf(errbuf, errlen,
		    "unable to execute %s: directory %s: %s", rq->program,
		    a->directory, strerror(err));
	else if (a->step != NULL)
		snprintf(errbuf, errlen, "unable to execute %s: %s: %s",
		    rq->program, a->step, strerror(err));
	else
		snprintf(errbuf, errlen, "unable to execute %s: %s",
		    rq->program, strerror(err));
}

pid_t
spawn_service(const struct spawn_request *rq, char *errbuf, size_t errlen)
{
	struct child_args a = {
		.program = rq->program,
		.argv = rq->service->argv,
		.stdout_fd = rq->stdout_fd,
		.stderr_fd = rq->stderr_fd,
		.channel_fd = rq->channel_fd,
		.fd_limit = soft_fd_limit(),
		.launcher = getpid(),
		.fence = fenced(rq),
	};
	struct daemon_ids ids;
	char **env, **argv = NULL;
	pid_t pid;
	int err;

	if (daemon_args(rq, &a, &ids, errbuf, errlen) != 0)
		return -1;
	/* Within the limit the service runs with, not the launcher's. */
	a.chan_number = channel_number(
	    a.svc_fd_limit != 0 ? a.svc_fd_limit : a.fd_limit);
	env = service_environment(rq, a.chan_number);
	if (rq->supervisor != NULL && env != NULL &&
	    (argv = supervised_argv(rq)) == NULL) {
		free_environment(env, rq);
		env = NULL;
	}
	if (argv != NULL) {
		a.program = rq->supervisor;
		a.argv = argv;
	}
	if (env == NULL) {
		daemon_ids_free(&ids);
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	a.env = env;
	pid = start_child(rq, &a, &err, errbuf, errlen);
	free_environment(env, rq);
	free(argv);
	daemon_ids_free(&ids);
	if (pid == -2)
		return -1;
	if (pid < 0) {
		snprintf(errbuf, errlen, "vfork: %s", strerror(err));
		return -1;
	}
	if (err != 0) {
		child_failed(rq, &a, err, errbuf, errlen);
		return -1;
	}
	return pid;
}
