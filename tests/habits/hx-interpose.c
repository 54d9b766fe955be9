/*
 * hx-interpose NAME | -b NAME: a program that defines and exports one of
 * the socket calls itself (linked with --export-dynamic), the way a
 * program with a built-in socket wrapper does.  Its definition comes
 * ahead of every preloaded library, so the shim would never see that
 * call.  It dials NAME (sends "interposed", prints "dial: ERRNO" or
 * "dial: OK"), or with -b binds a stream socket to it ("bind: ...").
 *
 * Built once per call the shim must be first for: HX_OWN_<CALL> picks
 * the call this image defines (connect when none is named).  The same
 * file makes libinterpose.so (HX_LIBRARY: bind() and no main), and
 * hx-interpose-linked (HX_OWN_NONE: defines nothing itself, and links
 * against libinterpose.so), a program whose bind() comes from a library
 * it loads.  Each definition calls libc's own, found in libc itself:
 * past the shim, and past its syscall() hook too.
 */
#include <sys/socket.h>
#include <dlfcn.h>
#include <gnu/lib-names.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if !defined(HX_OWN_NONE) && !defined(HX_OWN_BIND) && \
    !defined(HX_OWN_LISTEN) && !defined(HX_OWN_ACCEPT) && \
    !defined(HX_OWN_ACCEPT4) && !defined(HX_OWN_SENDTO) && \
    !defined(HX_OWN_SENDMSG) && !defined(HX_OWN_SENDMMSG) && \
    !defined(HX_OWN_RECVFROM) && !defined(HX_OWN_RECVMSG) && \
    !defined(HX_OWN_RECV) && !defined(HX_OWN_READ)
#define HX_OWN_CONNECT
#endif

#ifndef HX_OWN_NONE
/* libc's own definition of NAME, typed as its declaration. */
#define LIBC(name)	((__typeof__(name) *)libc_function(#name))

static void *
libc_function(const char *name)
{
	static void *libc;

	if (libc == NULL)
		libc = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);
	return libc != NULL ? dlsym(libc, name) : NULL;
}
#endif

#ifdef HX_OWN_CONNECT
int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return LIBC(connect)(fd, addr, len);
}
#endif

#ifdef HX_OWN_BIND
int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return LIBC(bind)(fd, addr, len);
}
#endif

#ifdef HX_OWN_LISTEN
int
listen(int fd, int backlog)
{
	return LIBC(listen)(fd, backlog);
}
#endif

#ifdef HX_OWN_ACCEPT
int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return LIBC(accept)(fd, addr, len);
}
#endif

#ifdef HX_OWN_ACCEPT4
int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return LIBC(accept4)(fd, addr, len, flags);
}
#endif

#ifdef HX_OWN_SENDTO
ssize_t
sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *addr, socklen_t len)
{
	return LIBC(sendto)(fd, buf, n, flags, addr, len);
}
#endif

#ifdef HX_OWN_SENDMSG
ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return LIBC(sendmsg)(fd, msg, flags);
}
#endif

#ifdef HX_OWN_SENDMMSG
int
sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	return LIBC(sendmmsg)(fd, vec, vlen, flags);
}
#endif

#ifdef HX_OWN_RECVFROM
ssize_t
recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
    socklen_t *len)
{
	return LIBC(recvfrom)(fd, buf, n, flags, addr, len);
}
#endif

#ifdef HX_OWN_RECVMSG
ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	return LIBC(recvmsg)(fd, msg, flags);
}
#endif

#ifdef HX_OWN_RECV
ssize_t
recv(int fd, void *buf, size_t n, int flags)
{
	return LIBC(recv)(fd, buf, n, flags);
}
#endif

#ifdef HX_OWN_READ
ssize_t
read(int fd, void *buf, size_t n)
{
	return LIBC(read)(fd, buf, n);
}
#endif

#ifndef HX_LIBRARY
#include <errno.h>

#include "fixture.h"
#include "hx.h"

static int
bind_name(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sun, len) != 0)
		return errno;
	/* Held until exit, so that a test can see where it is bound. */
	return 0;
}

int
main(int argc, char **argv)
{
	char reply[600];

	if (argc == 3 && strcmp(argv[1], "-b") == 0) {
		fx_say("main reached");
		fx_say("bind: %s", hx_errname(bind_name(argv[2])));
		return FX_OK;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hx-interpose NAME | -b NAME\n");
		return FX_USAGE;
	}
	fx_say("main reached");
	fx_say("dial: %s", hx_errname(hx_dial(argv[1], "interposed", reply,
	    sizeof(reply))));
	return FX_OK;
}
#endif
