/*
 * capwrap-unotify: a service whose program the shim cannot enter (a
 * static executable, a Go program) runs under a seccomp filter that
 * hands its socket calls to this supervisor as user notifications.  The
 * supervisor is itself a wrapped process, with libcapshim.so loaded and
 * the service's channel: it performs each call on a duplicate of the
 * program's socket (pidfd_getfd), so the shim's gates judge it exactly
 * as they judge a shimmed program's call, and answers with the result.
 *
 * Two stages, one process: `capwrap-unotify PROGRAM ARGS...` (started by
 * the launcher without the shim) forks the program under the filter and
 * execs itself as `capwrap-unotify --serve ...` with the shim preloaded.
 * See docs/SECURITY.md, "Static and Go programs".
 */
#ifndef CAPWRAP_UNOTIFY_H
#define CAPWRAP_UNOTIFY_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Install the filter on the calling thread and return its listener (a
 * descriptor), or -1 with errno.  For a child about to exec the program.
 */
int filter_install(void);

/* One notification's target, for the calls below. */
struct target {
	pid_t pid;    /* the notifying thread's process */
	int pidfd;    /* -1 until opened */
	int listener; /* the seccomp listener */
	uint64_t id;  /* the notification's id */
};

/* Copy len bytes at addr in the target into buf; 0 or -1 (errno). */
int tmem_read(const struct target *, uint64_t addr, void *buf, size_t len);
/* Copy len bytes of buf to addr in the target; 0 or -1 (errno). */
int tmem_write(const struct target *, uint64_t addr, const void *buf,
    size_t len);
/* Is the notification still pending (its thread still waiting)? */
bool target_valid(const struct target *);
/* A duplicate of the target's descriptor fd, or -1 (errno). */
int target_fd(struct target *, int fd);

/*
 * A notification's answer: continue (the kernel runs the call as the
 * program made it), a value, or an errno.
 */
struct answer {
	bool cont;
	int64_t val;
	int error;
	int addfd;	      /* >= 0: install this descriptor as the result */
	uint32_t addfd_flags; /* O_CLOEXEC for it, or 0 */
	uint64_t listener;    /* with addfd: the listening socket's inode */
	uint64_t sock_ino;    /* the socket's inode (a repeated call) */
	int setfd;	      /* >= 0: addfd replaces this descriptor, and
				 the call returns val */
};

struct seccomp_notif;
/*
 * Handle one notification (calls.c).  Returns 0 with *ans filled, or 1
 * when the call must wait for its socket to be readable (a blocking
 * accept with nothing queued): *wait_fd is then the duplicate to poll.
 */
int calls_handle(struct target *, const struct seccomp_notif *,
    struct answer *ans, int *wait_fd);

/*
 * accept and accept4 on a Unix socket (accept.c): as calls_handle.  sock
 * is the duplicate of the listener; it stays open while the call waits.
 */
int accept_call(struct target *, const struct seccomp_notif *, int sock,
    struct answer *ans, int *wait_fd);
/* An accepted connection whose accept went away: the next one's. */
void accept_keep(const struct answer *);

/* SO_TYPE of a socket, or -1 (calls.c). */
int socket_type(int sock);

/* Send the answer; false if the notification is gone. */
bool answer_send(const struct target *, const struct answer *);

/* The notification loop (serve.c); returns the exit status to take. */
int serve(int listener, pid_t program);

#endif
