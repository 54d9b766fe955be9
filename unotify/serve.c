/*
 * The supervisor's loop: notifications from the program's filter, the
 * accepts that wait for a connection, and the program's end.
 *
 * A notification is answered once its call is performed.  If the
 * program's thread was interrupted by a signal in between, the kernel
 * has dropped the notification and the answer finds nobody: the thread
 * runs its handler and restarts the call (SA_RESTART) or returns EINTR.
 * What the call did must then not be lost or done twice: an accepted
 * connection is kept for the listener's next accept (accept.c), and a
 * bind or connect already made answers its repetition with success.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unotify.h"

/* An accept waiting for its listener to be readable. */
struct waiting {
	struct target t;
	struct seccomp_notif *n;
	int fd;
};

#define MAX_WAITING 256
static struct waiting waits[MAX_WAITING];
static size_t nwaits;
static size_t notif_size;

/* A bind or connect made whose answer found nobody: (pid, socket). */
#define MAX_DONE 64
static struct {
	pid_t pid;
	long nr;
	ino_t ino;
} done[MAX_DONE];
static size_t ndone;

/* A repetition of a call already made: answered with success. */
static bool
repeated(const struct target *t, const struct seccomp_notif *n)
{
	struct target copy = *t;
	struct stat st;
	ino_t ino = 0;
	int dup;

	if (ndone == 0 || (n->data.nr != SYS_bind && n->data.nr != SYS_connect))
		return false;
	copy.pidfd = -1;
	if ((dup = target_fd(&copy, (int)n->data.args[0])) >= 0) {
		if (fstat(dup, &st) == 0)
			ino = st.st_ino;
		close(dup);
	}
	if (copy.pidfd >= 0)
		close(copy.pidfd);
	for (size_t i = 0; i < ndone; i++) {
		if (done[i].pid == t->pid && done[i].nr == n->data.nr &&
		    done[i].ino == ino && ino != 0) {
			done[i] = done[--ndone];
			return true;
		}
	}
	return false;
}

/* Its inode was taken while the notification was valid (calls.c). */
static void
remember_done(const struct target *t, const struct seccomp_notif *n,
    const struct answer *a)
{
	if ((n->data.nr != SYS_bind && n->data.nr != SYS_connect) ||
	    a->sock_ino == 0)
		return;
	if (ndone == MAX_DONE)
		ndone--; /* the newest entry is dropped: the table is full */
	done[ndone].pid = t->pid;
	done[ndone].nr = n->data.nr;
	done[ndone].ino = (ino_t)a->sock_ino;
	ndone++;
}

/* Answer; an accepted descriptor goes to the program or is kept. */
static void
finish(const struct target *t, const struct seccomp_notif *n,
    const struct answer *a)
{
	bool sent = answer_send(t, a);

	if (a->addfd >= 0 && a->setfd >= 0)
		close(a->addfd);
	else if (a->addfd >= 0) {
		if (!sent)
			accept_keep(a);
		else
			close(a->addfd);
	} else if (!sent && !a->cont && a->error == 0)
		remember_done(t, n, a);
}

static void
handle(struct target *t, struct seccomp_notif *n)
{
	struct answer a;
	int wait_fd;

	if (repeated(t, n)) {
		a = (struct answer){ .addfd = -1, .setfd = -1 };
		finish(t, n, &a);
		return;
	}
	if (calls_handle(t, n, &a, &wait_fd) == 0) {
		finish(t, n, &a);
		return;
	}
	if (nwaits == MAX_WAITING) {
		/* Drop the waits whose threads went away; else refuse. */
		for (size_t i = 0; i < nwaits;)
			if (!target_valid(&waits[i].t)) {
				close(waits[i].fd);
				free(waits[i].n);
				waits[i] = waits[--nwaits];
			} else
				i++;
	}
	if (nwaits == MAX_WAITING ||
	    (waits[nwaits].n = malloc(notif_size)) == NULL) {
		close(wait_fd);
		a = (struct answer){ .error = EAGAIN,
			.addfd = -1,
			.setfd = -1 };
		finish(t, n, &a);
		return;
	}
	memcpy(waits[nwaits].n, n, notif_size);
	waits[nwaits].t = *t;
	waits[nwaits].t.pidfd = -1;
	waits[nwaits].fd = wait_fd;
	nwaits++;
}

/* A waiting accept whose listener became readable, or whose thread left. */
static void
wake(size_t i)
{
	struct waiting w = waits[i];
	struct answer a;
	int wait_fd;

	waits[i] = waits[--nwaits];
	if (target_valid(&w.t)) {
		if (accept_call(&w.t, w.n, w.fd, &a, &wait_fd) == 0)
			finish(&w.t, w.n, &a);
		else {
			/* Taken by another accept meanwhile: wait again. */
			waits[nwaits++] = w;
			return;
		}
	}
	close(w.fd);
	if (w.t.pidfd >= 0)
		close(w.t.pidfd);
	free(w.n);
}

static void
receive(int listener)
{
	struct seccomp_notif *n = calloc(1, notif_size);
	struct target t = { .listener = listener, .pidfd = -1 };

	if (n == NULL)
		return;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, n) == 0) {
		t.pid = (pid_t)n->pid;
		t.id = n->id;
		handle(&t, n);
		if (t.pidfd >= 0)
			close(t.pidfd);
	}
	free(n);
}

/* The program's end as our own: its status, or its signal. */
static int
end_like(int status)
{
	if (WIFSIGNALED(status)) {
		sigset_t set;
		int sig = WTERMSIG(status);

		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		return 128 + sig;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
serve(int listener, pid_t program)
{
	struct seccomp_notif_sizes sizes;
	struct pollfd pfd[2 + MAX_WAITING];
	int pidfd, status;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0 ||
	    (pidfd = (int)syscall(SYS_pidfd_open, program, 0)) < 0) {
		perror("capwrap-unotify");
		return 127;
	}
	notif_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ?
	    sizes.seccomp_notif :
	    sizeof(struct seccomp_notif);
	for (;;) {
		size_t n = nwaits;

		pfd[0] = (struct pollfd){ .fd = listener, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		for (size_t i = 0; i < n; i++)
			pfd[2 + i] = (struct pollfd){ .fd = waits[i].fd,
				.events = POLLIN };
		if (poll(pfd, 2 + n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("capwrap-unotify: poll");
			return 127;
		}
		if (pfd[1].revents != 0) {
			while (waitpid(program, &status, 0) < 0)
				if (errno != EINTR)
					return 127;
			return end_like(status);
		}
		/* Backwards: wake() moves the last entry into the hole. */
		for (size_t i = n; i-- > 0;)
			if (pfd[2 + i].revents != 0)
				wake(i);
		if (pfd[0].revents & POLLIN)
			receive(listener);
		else if (pfd[0].revents & (POLLHUP | POLLERR))
			listener = -1; /* no thread runs under the filter */
	}
}
