/*
 * libown-CALL.so: a library that defines CALL itself, built once per call
 * with HX_OWN_<CALL> (tests/habits/local.mk), and forwards to libc's own
 * definition.  Preloaded by a service ahead of the shim, it would take
 * CALL away from the shim: the receive calls the datagram gate hooks,
 * syscall() (which the shim routes to its gates) and the exec family
 * (which puts the shim back into a new image).
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <dlfcn.h>
#include <gnu/lib-names.h>
#include <spawn.h>
#include <stdarg.h>
#include <unistd.h>

/* The fortified entry points, declared by glibc only under _FORTIFY_SOURCE. */
ssize_t __recv_chk(int, void *, size_t, size_t, int);
ssize_t __recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *,
    socklen_t *);
ssize_t __read_chk(int, void *, size_t, size_t);

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
