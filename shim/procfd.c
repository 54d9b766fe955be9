/*
 * opendir(3), readdir(3) and closedir(3) on the process's own descriptor
 * directory: the lineage channel is not listed there.  A program that
 * closes everything /proc/self/fd lists, and rescans until a pass finds
 * nothing left (glibc's own closefrom() fallback does), would otherwise
 * see the channel, whose close the shim refuses, forever.
 */
#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "real.h"

/* The descriptor directories open now; few at a time in any program. */
#define FD_DIRS 16
static _Atomic(DIR *) fd_dirs[FD_DIRS];
static atomic_int open_fd_dirs;

static bool
is_own_fd_dir(const char *path)
{
	char own[64];
	size_t n;

	if (path == NULL)
		return false;
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	snprintf(own, sizeof(own), "/proc/%d/fd", (int)getpid());
	return (n == 13 && strncmp(path, "/proc/self/fd", n) == 0) ||
	    (n == 20 && strncmp(path, "/proc/thread-self/fd", n) == 0) ||
	    (n == 7 && strncmp(path, "/dev/fd", n) == 0) ||
	    (n == strlen(own) && strncmp(path, own, n) == 0);
}

static bool
watched(DIR *d)
{
	if (atomic_load_explicit(&open_fd_dirs, memory_order_relaxed) == 0)
		return false;
	for (int i = 0; i < FD_DIRS; i++)
		if (atomic_load(&fd_dirs[i]) == d)
			return true;
	return false;
}

DIR *
opendir(const char *path)
{
	DIR *d;

	if (!real_ready())
		real_init();
	d = real.opendir(path);
	if (d == NULL || channel_fd() < 0 || !is_own_fd_dir(path))
		return d;
	for (int i = 0; i < FD_DIRS; i++) {
		DIR *none = NULL;

		if (atomic_compare_exchange_strong(&fd_dirs[i], &none, d)) {
			atomic_fetch_add(&open_fd_dirs, 1);
			break;
		}
	}
	return d;
}

/* Is this entry the channel's descriptor number? */
static bool
is_channel_entry(const char *name)
{
	int ch = channel_fd();
	char text[16];

	if (ch < 0)
		return false;
	snprintf(text, sizeof(text), "%d", ch);
	return strcmp(name, text) == 0;
}

/* Is this entry of d the channel, in a descriptor directory (not listed)? */
static bool
hidden(DIR *d, const char *name)
{
	return watched(d) && is_channel_entry(name);
}

struct dirent *
readdir(DIR *d)
{
	struct dirent *e;

	do
		e = real.readdir(d);
	while (e != NULL && hidden(d, e->d_name));
	return e;
}

struct dirent64 *
readdir64(DIR *d)
{
	struct dirent64 *e;

	do
		e = real.readdir64(d);
	while (e != NULL && hidden(d, e->d_name));
	return e;
}

int
closedir(DIR *d)
{
	for (int i = 0; i < FD_DIRS; i++) {
		DIR *mine = d;

		if (atomic_compare_exchange_strong(&fd_dirs[i], &mine, NULL)) {
			atomic_fetch_sub(&open_fd_dirs, 1);
			break;
		}
	}
	return real.closedir(d);
}
