#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libgen.h>
#include <limits.h>
#include <unistd.h>

#include "image.h"
#include "kernel.h"
#include "target.h"

/*
 * Supervision answers each call by installing descriptors with
 * SECCOMP_ADDFD_FLAG_SEND (Linux 5.14); the filter flag of 5.19 that
 * kernel.c finds stands for it.
 */
const char *
target_supervisor(void)
{
	static char path[PATH_MAX];
	static int found = -1;
	const struct kernel_info *k = kernel_info();
	char exe[PATH_MAX];
	ssize_t n;

	if (found >= 0)
		return found ? path : NULL;
	found = 0;
	if (!k->has[KERNEL_SECCOMP_NOTIF] ||
	    !(k->notif_flags & KERNEL_NOTIF_WAIT_KILLABLE))
		return NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((size_t)snprintf(path, sizeof(path),
			"%s/unotify/capwrap-unotify",
			dirname(exe)) < sizeof(path) &&
		    access(path, X_OK) == 0)
			return (found = 1) ? path : NULL;
	}
	if (strlcpy(path, CAPWRAP_PKGLIBEXECDIR "/capwrap-unotify",
		sizeof(path)) < sizeof(path) &&
	    access(path, X_OK) == 0)
		found = 1;
	return found ? path : NULL;
}

static bool
can_supervise(int verdict)
{
	return (verdict == IMAGE_STATIC || verdict == IMAGE_GO) &&
	    target_supervisor() != NULL;
}

int
target_check(const char *path, char *why, size_t size)
{
	static struct image_host host;
	static bool have_host;
	char refused[IMAGE_PATH_MAX];
	int verdict;

	/* A host without a known loader refuses every dynamic image. */
	if (!have_host) {
		(void)image_host_init(&host);
		have_host = true;
	}
	verdict = image_check(AT_FDCWD, path, 0, &host, refused);
	if (verdict == IMAGE_OK)
		return 0;
	if (strcmp(refused, path) == 0 && can_supervise(verdict)) {
		snprintf(why, size, "%s is %s", path, image_reason(verdict));
		return TARGET_SUPERVISED;
	}
	if (verdict == IMAGE_UNOPENED)
		snprintf(why, size, "%s: not an executable regular file", path);
	else if (verdict == IMAGE_NOEXEC)
		snprintf(why, size,
		    "%s: not an executable format capwrap "
		    "knows",
		    path);
	else if (strcmp(refused, path) != 0)
		snprintf(why, size, "%s: its interpreter %s is %s", path,
		    refused, image_reason(verdict));
	else
		snprintf(why, size, "%s is %s", path, image_reason(verdict));
	return -1;
}
