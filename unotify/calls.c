/*
 * One notification: what the program asked, performed here through the
 * shim's gates on a duplicate of its socket, or continued in the kernel.
 *
 * Performed: whatever names an abstract address on a Unix socket (bind
 * and connect to a name, listen and accept on a socket bound to one), the
 * calls the gates exist for.  The address is copied once, and the copy
 * is what the gate judges and what the call uses (seccomp_unotify(2), on
 * time of check and time of use).
 *
 * Continued: everything else (other families, filesystem paths, autobind,
 * a datagram without an abstract destination), which the kernel then
 * makes with the program's own credentials, directory and umask.  A
 * program that races its own calls (rewriting the address, or putting
 * another socket at the descriptor, between the check and the kernel's
 * run) can make such a call reach an abstract name ungated: what it gets
 * is what an outsider's raw call gets, and under the Landlock fence
 * nothing outside the topology (docs/SECURITY.md).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unotify.h"

static int
family_of(int sock)
{
	int domain;
	socklen_t len = sizeof(domain);

	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		return -1;
	return domain;
}

/* The program's socket address, copied: 0, or an errno. */
static int
copy_address(const struct target *t, uint64_t ptr, uint64_t len,
    struct sockaddr_un *sun)
{
	if (len < sizeof(sa_family_t) || len > sizeof(*sun))
		return EINVAL;
	memset(sun, 0, sizeof(*sun));
	if (tmem_read(t, ptr, sun, (size_t)len) != 0)
		return errno;
	return 0;
}

static bool
abstract(const struct sockaddr_un *sun, uint64_t len)
{
	return sun->sun_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) &&
	    sun->sun_path[0] == '\0';
}

static void replaced_socket(const struct target *, int fd, int sock, ino_t was,
    struct answer *);

/* Is the socket bound to an abstract address (a name or an autobind)? */
static bool
bound_abstract(int sock)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	return getsockname(sock, (struct sockaddr *)&sun, &len) == 0 &&
	    abstract(&sun, len);
}

/*
 * What a supervised program may not do with datagrams yet: EPERM, and a
 * line on the service's stderr.
 */
static void
refuse_datagram(const struct target *t, const char *what, struct answer *ans)
{
	fprintf(stderr,
	    "capwrap-unotify: pid %d: %s is refused under supervision\n",
	    (int)t->pid, what);
	ans->error = EPERM;
}

int
socket_type(int sock)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) == 0 ? type :
									 -1;
}

/*
 * bind or connect: a name is performed, with the copy; anything else
 * continues.  A datagram socket may not take an abstract name: the shim
 * gates what such a socket receives, and nothing gates a supervised
 * program's receives.
 */
static int
name_call(struct target *t, long nr, int fd, int sock, const uint64_t *args,
    struct answer *ans)
{
	struct sockaddr_un sun;
	struct stat before;
	int err, rc;

	if ((err = copy_address(t, args[1], args[2], &sun)) != 0) {
		ans->error = err;
		return 0;
	}
	if (!abstract(&sun, args[2])) {
		ans->cont = true;
		return 0;
	}
	if (nr == SYS_bind && socket_type(sock) == SOCK_DGRAM) {
		refuse_datagram(t, "an abstract name for a datagram socket",
		    ans);
		return 0;
	}
	if (fstat(sock, &before) != 0)
		before.st_ino = 0;
	rc = nr == SYS_bind ?
	    bind(sock, (const struct sockaddr *)&sun, (socklen_t)args[2]) :
	    connect(sock, (const struct sockaddr *)&sun, (socklen_t)args[2]);
	ans->error = rc == 0 ? 0 : errno;
	if (rc == 0 && nr == SYS_connect)
		replaced_socket(t, fd, sock, before.st_ino, ans);
	return 0;
}

/* sendto, sendmsg, sendmmsg on a Unix socket: the destinations. */
static int
datagram_destinations(const struct target *t, long nr, const uint64_t *args,
    bool *refuse)
{
	struct sockaddr_un sun;
	struct msghdr mh;
	uint64_t name = 0, namelen = 0;
	int err;

	*refuse = false;
	if (nr == SYS_sendto) {
		name = args[4];
		namelen = args[5];
	} else if (nr == SYS_sendmsg) {
		if (tmem_read(t, args[1], &mh, sizeof(mh)) != 0)
			return errno;
		name = (uint64_t)(uintptr_t)mh.msg_name;
		namelen = mh.msg_namelen;
	} else {
		/* sendmmsg: every message's destination, as the kernel caps. */
		struct mmsghdr m;
		uint64_t vlen = args[2] > UIO_MAXIOV ? UIO_MAXIOV : args[2];

		for (uint64_t i = 0; i < vlen && !*refuse; i++) {
			if (tmem_read(t, args[1] + i * sizeof(m), &m,
				sizeof(m)) != 0)
				return errno;
			if (m.msg_hdr.msg_name == NULL)
				continue;
			err = copy_address(t,
			    (uint64_t)(uintptr_t)m.msg_hdr.msg_name,
			    m.msg_hdr.msg_namelen, &sun);
			if (err != 0)
				return err;
			*refuse = abstract(&sun, m.msg_hdr.msg_namelen);
		}
		return 0;
	}
	if (name == 0)
		return 0;
	if ((err = copy_address(t, name, namelen, &sun)) != 0)
		return err;
	*refuse = abstract(&sun, namelen);
	return 0;
}

/*
 * Under the Landlock fence the shim has an external name connected by the
 * launcher and puts that socket in place of the one it was asked to
 * connect (shim/extdial.c): here, in place of the duplicate.  The
 * program's descriptor must then be replaced the same way, close-on-exec
 * kept, before the call returns.
 */
static void
replaced_socket(const struct target *t, int fd, int sock, ino_t was,
    struct answer *ans)
{
	char path[64], line[64];
	struct stat now;
	unsigned long flags = 0;
	FILE *f;

	if (fstat(sock, &now) != 0 || now.st_ino == was)
		return;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)t->pid, fd);
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "flags: %lo", &flags) == 1)
				break;
		fclose(f);
	}
	ans->addfd = fcntl(sock, F_DUPFD_CLOEXEC, 3);
	ans->setfd = fd;
	ans->addfd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
	ans->val = 0;
	if (ans->addfd < 0) {
		ans->error = errno;
		ans->setfd = -1;
	}
}

/* A Unix socket's call: *ans filled, or 1 (an accept waits). */
static int
unix_call(struct target *t, const struct seccomp_notif *n, int sock,
    struct answer *ans, int *wait_fd)
{
	const uint64_t *args = (const uint64_t *)n->data.args;
	bool refuse;
	long nr = n->data.nr;
	int err;

	switch (nr) {
	case SYS_bind:
	case SYS_connect:
		return name_call(t, nr, (int)args[0], sock, args, ans);
	case SYS_listen:
		if (!bound_abstract(sock)) {
			ans->cont = true;
			return 0;
		}
		/* Here: clients' SO_PEERCRED names who registered it. */
		ans->error = listen(sock, (int)args[1]) == 0 ? 0 : errno;
		return 0;
#ifdef SYS_accept
	case SYS_accept:
#endif
	case SYS_accept4:
		if (!bound_abstract(sock)) {
			ans->cont = true;
			return 0;
		}
		return accept_call(t, n, sock, ans, wait_fd);
	default:
		if ((err = datagram_destinations(t, nr, args, &refuse)) != 0) {
			ans->error = err;
			return 0;
		}
		if (refuse) {
			refuse_datagram(t, "a datagram to an abstract name",
			    ans);
			return 0;
		}
		ans->cont = true;
		return 0;
	}
}

/*
 * The kernel lets the supervisor reach into its child only under the
 * ptrace rules (pidfd_getfd, process_vm_readv): a program that made
 * itself undumpable (without CAP_SYS_PTRACE for us), or
 * kernel.yama.ptrace_scope 2 or 3, forbids it, and every call is then
 * refused.  Said once.
 */
static void
say_denied_once(void)
{
	static bool said;

	if (said)
		return;
	said = true;
	fprintf(stderr,
	    "capwrap-unotify: the kernel refuses the supervisor its program's "
	    "sockets (%s: the program made itself undumpable, or "
	    "kernel.yama.ptrace_scope is above 1): every socket call of the "
	    "program is refused\n",
	    strerror(errno));
}

int
calls_handle(struct target *t, const struct seccomp_notif *n,
    struct answer *ans, int *wait_fd)
{
	struct stat st;
	int sock, family, rc;

	*ans = (struct answer){ .addfd = -1 };
	*wait_fd = -1;
	if ((sock = target_fd(t, (int)n->data.args[0])) < 0) {
		ans->error = errno;
		if (errno == EPERM || errno == EACCES)
			say_denied_once();
		return 0;
	}
	family = family_of(sock);
	if (family < 0) {
		ans->error = errno;
		close(sock);
		return 0;
	}
	if (family != AF_UNIX) {
		ans->cont = true;
		close(sock);
		return 0;
	}
	if (fstat(sock, &st) == 0)
		ans->sock_ino = (uint64_t)st.st_ino;
	rc = unix_call(t, n, sock, ans, wait_fd);
	if (rc == 0)
		close(sock);
	return rc;
}
