/*
 * Starting one service: its program with the shim preloaded and its end
 * of the lineage channel at a fixed descriptor, in a process group of
 * its own, dying with the launcher.
 */
#ifndef CAPWRAP_SERVICESPAWN_H
#define CAPWRAP_SERVICESPAWN_H

#include <sys/resource.h>
#include <sys/types.h>
#include <stddef.h>

#include "policy.h"

struct spawn_request {
	const struct policy_service *service;
	const char *program;   /* resolved path of argv[0] */
	const char *shim_path; /* NULL: unprotected */
	/* capwrap-unotify, which runs program supervised; NULL: shimmed */
	const char *supervisor;
	/* The same, for the shim to run descendants under; NULL: none */
	const char *unotify;
	int channel_fd; /* -1: unprotected */
	int stdout_fd, stderr_fd;
};

/*
 * Returns the pid, or -1 with a message in err (the exec failed in the
 * child, or vfork did).
 */
pid_t spawn_service(const struct spawn_request *, char *err, size_t errlen);

/*
 * Resolve a program name as execvp(3) would: a name with a slash is taken
 * as is; otherwise the first executable regular file along PATH.  Returns
 * 0 with the path in out, or -1 with errno (ENOENT, EACCES ...).
 */
int spawn_resolve(const char *name, char *out, size_t size);

/*
 * The soft descriptor limit services start with, unless their policy sets
 * one: the one capwrap was started with, kept before it raised its own.
 */
void spawn_keep_fd_limit(rlim_t soft);

#endif
