/*
 * One message of the lineage channel and its ancillary data, sent or
 * received whole.  A received message is taken only as the kernel
 * delivers it to an honest sender: nothing cut (MSG_TRUNC, MSG_CTRUNC),
 * only SOL_SOCKET control messages of the kinds asked for, each of its
 * exact length and at most once, no more descriptors than the caller
 * takes.  Anything else is refused, and every descriptor it brought is
 * closed, so that a malformed message costs its receiver nothing.
 */
#ifndef CAPWRAP_TRANSPORT_H
#define CAPWRAP_TRANSPORT_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>

struct sysio;

/* The most descriptors a channel message may carry (a reply socket). */
#define TRANSPORT_MAX_FDS 4

struct transport_msg {
	void *data;		    /* in: the caller's buffer */
	size_t size;		    /* in: 1 + the longest message taken */
	size_t len;		    /* the message's length */
	int fds[TRANSPORT_MAX_FDS]; /* SCM_RIGHTS */
	int nfds;
	bool have_cred;	   /* SCM_CREDENTIALS came */
	struct ucred cred; /* pid 0 unless it came */
	int pidfd;	   /* SCM_PIDFD, -1 if none was made */
};

enum transport_result {
	TRANSPORT_MESSAGE, /* *m holds a message and its descriptors */
	TRANSPORT_EMPTY,   /* nothing to read now (EAGAIN) */
	TRANSPORT_EOF,	   /* the peer has gone, or the socket failed */
	TRANSPORT_REFUSED, /* malformed: read, its descriptors closed */
};

/*
 * Read one message from fd (flags: 0 or MSG_DONTWAIT; descriptors always
 * arrive close-on-exec), taking at most max_fds descriptors.  Signals are
 * retried.  On TRANSPORT_REFUSED, m->cred still says who sent it (if the
 * kernel said), for the caller's report.  The caller owns what a
 * TRANSPORT_MESSAGE carries: transport_discard() closes it.
 */
enum transport_result transport_recv(int fd, int flags, int max_fds,
    struct transport_msg *m, const struct sysio *io);

/* Close every descriptor m carries (for a message its reader refuses). */
void transport_discard(struct transport_msg *m, const struct sysio *io);

/*
 * Send len bytes with nfds descriptors (SCM_RIGHTS) as one message, never
 * raising SIGPIPE (flags: 0 or MSG_DONTWAIT).  Signals are retried.
 * Returns 0 once it is queued whole, else -1.
 */
int transport_send(int fd, const void *data, size_t len, const int *fds,
    int nfds, int flags, const struct sysio *io);

/*
 * Is cm the kernel's SCM_PIDFD, of its exact length?  Then *pidfd gets
 * the sender's pidfd, or -1 where the kernel could not make one (it
 * sends a negative errno instead).
 */
bool transport_cmsg_pidfd(const struct cmsghdr *cm, int *pidfd);

#endif
