/*
 * Descriptors the shim holds for the service: the reap page (reappage.c)
 * and the claim queue (claims.c).  Each comes from the launcher attached
 * to a grant, and is held above the channel, out of the way of programs
 * that count on low numbers, clear of the numbers the kept pidfds take
 * first (KEPT_PIDFDS_MAX, pidkeep.h).
 *
 * An image the process execs takes both up from its environment
 * (CAPWRAP_REAP_PAGE, CAPWRAP_CLAIM_QUEUE, each "FD:DEV:INO", put there
 * by the exec hooks, execenv.c, with a duplicate made for that exec), so
 * that its first grant carries no descriptor.  Passing them costs that
 * first dial more than the rest of the launcher's work for it: a socket
 * in flight is the kernel's garbage collector's to account for, and each
 * descriptor is installed, checked and moved.
 *
 * Whatever it came by, a held descriptor is used only while fstat()
 * gives the identity it came with, checked before each use: a program
 * may close the number with a raw system call and open anything there,
 * and an environment is the program's to rewrite.  Neither file's
 * identity can be another file's while the file lives: the launcher
 * holds the page's memfd open, and the queue's end is this one.
 */
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "held.h"
#include "hotpath.h"
#include "keptfloor.h"
#include "pidkeep.h"
#include "rawsys.h"
#include "wire.h"

struct held_file held_files[HELD_KINDS] = {
	[HELD_PAGE] = { .fd = -1 },
	[HELD_CLAIMS] = { .fd = -1 },
};

static const char *const env_prefix[HELD_KINDS] = {
	[HELD_PAGE] = WIRE_REAP_PAGE_ENV "=",
	[HELD_CLAIMS] = WIRE_CLAIM_QUEUE_ENV "=",
};

/* What each is: the reap page a memfd, the claim queue a socket. */
static const mode_t file_type[HELD_KINDS] = {
	[HELD_PAGE] = S_IFREG,
	[HELD_CLAIMS] = S_IFSOCK,
};

const char *
held_env_prefix(enum held_kind kind)
{
	return env_prefix[kind];
}

/* "FD:DEV:INO" into h; false, h untouched, if it is not exactly that. */
static bool
parse_entry(const char *v, struct held_file *h)
{
	unsigned long long n[3];
	char *end;

	for (int i = 0; i < 3; i++) {
		if (*v < '0' || *v > '9')
			return false;
		errno = 0;
		n[i] = strtoull(v, &end, 10);
		if (errno != 0 || *end != (i < 2 ? ':' : '\0'))
			return false;
		v = end + 1;
	}
	if (n[0] > INT_MAX)
		return false;
	atomic_store(&h->dev, (uint64_t)n[1]);
	atomic_store(&h->ino, (uint64_t)n[2]);
	kept_floor_lower((int)n[0]);
	atomic_store(&h->fd, (int)n[0]);
	return true;
}

extern char **environ;

/*
 * The one entry of environ for kind, or NULL: none, or more than one
 * (the exec hooks write exactly one; which of several getenv() would
 * take is not theirs to say).
 */
static const char *
only_entry(enum held_kind kind)
{
	size_t n = strlen(env_prefix[kind]);
	const char *found = NULL;

	for (char **e = environ; e != NULL && *e != NULL; e++)
		if (strncmp(*e, env_prefix[kind], n) == 0) {
			if (found != NULL)
				return NULL;
			found = *e + n;
		}
	return found;
}

/*
 * The exec that started this image passed duplicates made for it:
 * checked, and held close-on-exec from now on.
 */
void
held_init(void)
{
	for (int k = 0; k < HELD_KINDS; k++) {
		const char *v = only_entry(k);
		int fd;

		if (v != NULL && parse_entry(v, &held_files[k]) &&
		    (fd = held_checked(k, NULL)) >= 0)
			(void)capshim_syscall(SYS_fcntl, (long)fd,
			    (long)F_SETFD, (long)FD_CLOEXEC);
	}
}

bool
held_have(enum held_kind kind)
{
	return atomic_load_explicit(&held_files[kind].fd,
		   memory_order_relaxed) >= 0;
}

/*
 * A duplicate of fd above the channel, clear of the numbers the kept
 * pidfds take first where it can be, made by fcntl(cmd): F_DUPFD or
 * F_DUPFD_CLOEXEC; -1 if none.
 */
static int
dup_above_channel(int fd, long cmd)
{
	int base = channel_fd() + 1, high;

	if (base <= 0)
		return -1;
	high = (int)capshim_syscall(SYS_fcntl, (long)fd, cmd,
	    (long)base + KEPT_PIDFDS_MAX);
	if (high < 0)
		high = (int)capshim_syscall(SYS_fcntl, (long)fd, cmd,
		    (long)base);
	return high;
}

/* Is st the file the hold of kind came as? */
static bool
is_held_file(enum held_kind kind, const struct stat *st)
{
	const struct held_file *h = &held_files[kind];

	return (st->st_mode & S_IFMT) == file_type[kind] &&
	    (uint64_t)st->st_dev == atomic_load(&h->dev) &&
	    (uint64_t)st->st_ino == atomic_load(&h->ino);
}

/* "NAME=FD:DEV:INO" into buf. */
static void
format_entry(enum held_kind kind, int fd, uint64_t dev, uint64_t ino, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s%d:%llu:%llu", env_prefix[kind], fd,
	    (unsigned long long)dev, (unsigned long long)ino);
}

bool
held_take(enum held_kind kind, int fd, const struct stat *st, bool owner)
{
	struct held_file *h = &held_files[kind];
	int high, none = -1;

	/*
	 * Not in a vfork() child, which shares its parent's memory but not
	 * its descriptors: what it took would name nothing in the parent.
	 */
	if (held_have(kind))
		return true;
	if (!owner || (high = dup_above_channel(fd, F_DUPFD_CLOEXEC)) < 0)
		return false;
	/* Two threads' first grants bring the same file: either identity does.
	 */
	atomic_store(&h->dev, (uint64_t)st->st_dev);
	atomic_store(&h->ino, (uint64_t)st->st_ino);
	kept_floor_lower(high);
	if (!atomic_compare_exchange_strong(&h->fd, &none, high))
		(void)capshim_syscall(SYS_close, (long)high);
	return true;
}

HOT_PATH void
held_forget(unsigned first, unsigned last)
{
	for (int k = 0; k < HELD_KINDS; k++) {
		int fd = atomic_load_explicit(&held_files[k].fd,
		    memory_order_relaxed);

		/* A vfork child closes in its own table, not its parent's. */
		if (fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last &&
		    channel_owner())
			(void)atomic_compare_exchange_strong(&held_files[k].fd,
			    &fd, -1);
	}
}

int
held_checked(enum held_kind kind, struct stat *st)
{
	struct held_file *h = &held_files[kind];
	int fd = atomic_load(&h->fd);
	struct stat mine;

	if (st == NULL)
		st = &mine;
	if (fd < 0)
		return -1;
	if (fstat(fd, st) == 0 && is_held_file(kind, st))
		return fd;
	if (channel_owner())
		(void)atomic_compare_exchange_strong(&h->fd, &fd, -1);
	return -1;
}

void
held_env_entry(enum held_kind kind, char *buf, size_t len)
{
	const struct held_file *h = &held_files[kind];
	int fd = atomic_load(&h->fd);

	buf[0] = '\0';
	if (fd >= 0)
		format_entry(kind, fd, atomic_load(&h->dev),
		    atomic_load(&h->ino), buf, len);
}

int
held_dup_for_exec(enum held_kind kind, char *entry, size_t len)
{
	int fd = atomic_load(&held_files[kind].fd), dup;
	struct stat st;

	entry[0] = '\0';
	if (fd < 0 || (dup = dup_above_channel(fd, F_DUPFD)) < 0)
		return -1;
	/* The duplicate's own identity: the number may have changed hands. */
	if (fstat(dup, &st) != 0 || !is_held_file(kind, &st)) {
		(void)capshim_syscall(SYS_close, (long)dup);
		return -1;
	}
	format_entry(kind, dup, (uint64_t)st.st_dev, (uint64_t)st.st_ino, entry,
	    len);
	return dup;
}
