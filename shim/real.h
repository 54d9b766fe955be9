/*
 * The real libc functions behind every hook, resolved once with
 * dlsym(RTLD_NEXT) into one typed table.  Nothing calls dlsym from inside
 * a hook: dlsym may allocate, and an allocator that itself calls a hooked
 * function would recurse.  Until the table is ready, hooks use raw
 * system calls for what they pass through and refuse the rest.
 */
#ifndef CAPSHIM_REAL_H
#define CAPSHIM_REAL_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <dirent.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <wordexp.h>

struct real_calls {
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	ssize_t (*sendto)(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
	    socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int,
	    struct timespec *);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	int (*close)(int);
	int (*close_range)(unsigned, unsigned, int);
	void (*closefrom)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*posix_spawn)(pid_t *, const char *,
	    const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
	    char *const[], char *const[]);
	int (*pclose)(FILE *);
	int (*wordexp)(const char *, wordexp_t *, int);
	long (*syscall)(long, ...);
	DIR *(*opendir)(const char *);
	struct dirent *(*readdir)(DIR *);
	struct dirent64 *(*readdir64)(DIR *);
	int (*closedir)(DIR *);
};

extern struct real_calls real;

/* True once every entry of `real` is set; hooks check it first. */
bool real_ready(void);

/* Resolve the table; idempotent and thread-safe. */
void real_init(void);

/*
 * The next definition of name after the shim's, NULL if there is none or
 * it is self, the shim's own hook (a shim linked wrongly).  For the
 * hooks on no hot path, which look theirs up when called and so spare
 * every image's start-up the lookup.
 */
void *real_next(const char *name, void *self);

/*
 * True if the process resolves the socket calls to the shim's own hooks.
 * False when another object (the program itself, or a library preloaded
 * ahead of the shim) interposes them: then the shim cannot see the calls
 * it must gate, and refuses to run unprotected.
 */
bool real_hooks_first(void);

#endif
