/*
 * hx-interpose NAME | -b NAME: a program that defines and exports one of
 * the calls the shim hooks itself (linked with --export-dynamic), the way
 * a program with a built-in socket wrapper does.  Its definition comes
 * ahead of every preloaded library, so the shim would never see that
 * call.  It dials NAME (sends "interposed", prints "dial: ERRNO" or
 * "dial: OK"), or with -b binds a stream socket to it ("bind: ...").
 *
 * HX_OWN_<call> picks the call an image defines (tests/habits/local.mk
 * builds one per call the shim must be first for, shim/real.c's
 * real_hooks_first).  With HX_LIBRARY the same file makes a library
 * that defines that call and has no main: libinterpose.so (bind), which
 * a service preloads ahead of the shim or hx-interpose-linked links
 * against (behind it), and libown-CALL.so for each other call.  Each
 * definition calls libc's own, found in libc itself: past the shim, and
 * past its syscall() hook too.
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <dlfcn.h>
#include <gnu/lib-names.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The fortified entry points, declared by glibc only under _FORTIFY_SOURCE. */
#ifdef HX_OWN___recv_chk
ssize_t __recv_chk(int, void *, size_t, size_t, int);
#endif
#ifdef HX_OWN___recvfrom_chk
ssize_t __recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *,
    socklen_t *);
#endif
#ifdef HX_OWN___read_chk
ssize_t __read_chk(int, void *, size_t, size_t);
#endif

/* libc's own definition of NAME, typed as its declaration. */
#define LIBC(name) ((__typeof__(name) *)libc_function(#name))

static __attribute__((unused)) void *
libc_function(const char *name)
{
	static void *libc;

	if (libc == NULL)
		libc = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);
	return libc != NULL ? dlsym(libc, name) : NULL;
}

#ifdef HX_OWN_connect
int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return LIBC(connect)(fd, addr, len);
}
#endif

#ifdef HX_OWN_bind
int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return LIBC(bind)(fd, addr, len);
}
#endif

#ifdef HX_OWN_listen
int
listen(int fd, int backlog)
{
	return LIBC(listen)(fd, backlog);
}
#endif

#ifdef HX_OWN_accept
int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return LIBC(accept)(fd, addr, len);
}
#endif

#ifdef HX_OWN_accept4
int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return LIBC(accept4)(fd, addr, len, flags);
}
#endif

#ifdef HX_OWN_sendto
ssize_t
sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *addr, socklen_t len)
{
	return LIBC(sendto)(fd, buf, n, flags, addr, len);
}
#endif

#ifdef HX_OWN_sendmsg
ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return LIBC(sendmsg)(fd, msg, flags);
}
#endif

#ifdef HX_OWN_sendmmsg
int
sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	return LIBC(sendmmsg)(fd, vec, vlen, flags);
}
#endif

#ifdef HX_OWN_recvfrom
ssize_t
recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
    socklen_t *len)
{
	return LIBC(recvfrom)(fd, buf, n, flags, addr, len);
}
#endif

#ifdef HX_OWN_recvmsg
ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	return LIBC(recvmsg)(fd, msg, flags);
}
#endif

#ifdef HX_OWN_recv
ssize_t
recv(int fd, void *buf, size_t n, int flags)
{
	return LIBC(recv)(fd, buf, n, flags);
}
#endif

#ifdef HX_OWN_read
ssize_t
read(int fd, void *buf, size_t n)
{
	return LIBC(read)(fd, buf, n);
}
#endif

#ifdef HX_OWN_readv
ssize_t
readv(int fd, const struct iovec *iov, int n)
{
	return LIBC(readv)(fd, iov, n);
}
#endif

#ifdef HX_OWN_recvmmsg
int
recvmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags,
    struct timespec *timeout)
{
	return LIBC(recvmmsg)(fd, vec, n, flags, timeout);
}
#endif

#ifdef HX_OWN___recv_chk
ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	return LIBC(__recv_chk)(fd, buf, len, buflen, flags);
}
#endif

#ifdef HX_OWN___recvfrom_chk
ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *from, socklen_t *fromlen)
{
	return LIBC(__recvfrom_chk)(fd, buf, len, buflen, flags, from, fromlen);
}
#endif

#ifdef HX_OWN___read_chk
ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	return LIBC(__read_chk)(fd, buf, len, buflen);
}
#endif

#ifdef HX_OWN_syscall
long
syscall(long number, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return LIBC(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
#endif

#ifdef HX_OWN_execve
int
execve(const char *path, char *const argv[], char *const envp[])
{
	return LIBC(execve)(path, argv, envp);
}
#endif

#ifdef HX_OWN_execveat
int
execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
    int flags)
{
	return LIBC(execveat)(dirfd, path, argv, envp, flags);
}
#endif

#ifdef HX_OWN_fexecve
int
fexecve(int fd, char *const argv[], char *const envp[])
{
	return LIBC(fexecve)(fd, argv, envp);
}
#endif

#ifdef HX_OWN_execv
int
execv(const char *path, char *const argv[])
{
	return LIBC(execv)(path, argv);
}
#endif

#ifdef HX_OWN_execvp
int
execvp(const char *file, char *const argv[])
{
	return LIBC(execvp)(file, argv);
}
#endif

/* The execl calls, forwarded as the execv call each stands for. */
#if defined(HX_OWN_execl) || defined(HX_OWN_execlp) || defined(HX_OWN_execle)
#define HX_ARGS_MAX 64

/* arg and the rest of the list up to its NULL into argv; envp after it. */
static int
collect_args(const char *arg, va_list ap, char **argv, char ***envp)
{
	int n = 0;

	for (argv[n] = (char *)arg; argv[n] != NULL;
	     argv[++n] = va_arg(ap, char *))
		if (n == HX_ARGS_MAX - 1)
			return -1;
	if (envp != NULL)
		*envp = va_arg(ap, char **);
	return 0;
}
#endif

#ifdef HX_OWN_execl
int
execl(const char *path, const char *arg, ...)
{
	char *argv[HX_ARGS_MAX];
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = collect_args(arg, ap, argv, NULL);
	va_end(ap);
	return rc != 0 ? -1 : LIBC(execv)(path, argv);
}
#endif

#ifdef HX_OWN_execlp
int
execlp(const char *file, const char *arg, ...)
{
	char *argv[HX_ARGS_MAX];
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = collect_args(arg, ap, argv, NULL);
	va_end(ap);
	return rc != 0 ? -1 : LIBC(execvp)(file, argv);
}
#endif

#ifdef HX_OWN_execle
int
execle(const char *path, const char *arg, ...)
{
	char *argv[HX_ARGS_MAX], **envp;
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = collect_args(arg, ap, argv, &envp);
	va_end(ap);
	return rc != 0 ? -1 : LIBC(execve)(path, argv, envp);
}
#endif

#ifdef HX_OWN_execvpe
int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	return LIBC(execvpe)(file, argv, envp);
}
#endif

#ifdef HX_OWN_posix_spawn
int
posix_spawn(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	return LIBC(posix_spawn)(pid, path, actions, attr, argv, envp);
}
#endif

#ifdef HX_OWN_posix_spawnp
int
posix_spawnp(pid_t *pid, const char *file,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[])
{
	return LIBC(posix_spawnp)(pid, file, actions, attr, argv, envp);
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
	fx_say("dial: %s",
	    hx_errname(hx_dial(argv[1], "interposed", reply, sizeof(reply))));
	return FX_OK;
}
#endif
