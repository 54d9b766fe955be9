#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auditfile.h"

#define GROUP_OTHER_WRITE (S_IWGRP | S_IWOTH)

static int
because(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A sticky ancestor (/tmp) is fine: others cannot rename or remove what
 * is ours in it.  The directory of the file itself may not be: others
 * could still create the file's name there before we do.
 */
static int
check_dir(const char *name, int len, const struct stat *st, bool ancestor,
    char *why, size_t whylen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return because(why, whylen,
		    "directory %.*s belongs to uid %u, "
		    "not to root or uid %u",
		    len, name, (unsigned)st->st_uid, (unsigned)geteuid());
	if ((st->st_mode & GROUP_OTHER_WRITE) != 0 &&
	    !(ancestor && (st->st_mode & S_ISVTX) != 0))
		return because(why, whylen,
		    "directory %.*s is writable by %s "
		    "(mode %04o)",
		    len, name, (st->st_mode & S_IWOTH) ? "others" : "its group",
		    (unsigned)(st->st_mode & 07777));
	return 0;
}

/* Walk the real path of dir from /, each step without following links. */
static int
check_ancestors(const char *dir, const struct stat *want, char *why,
    size_t whylen)
{
	char real[PATH_MAX];
	struct stat st;
	size_t at = 0;
	int fd;

	if (realpath(dir, real) == NULL)
		return because(why, whylen, "directory %s: %s", dir,
		    strerror(errno));
	if ((fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return because(why, whylen, "/: %s", strerror(errno));
	for (;;) {
		size_t len;
		char save;
		int sub;

		while (real[at] == '/')
			at++;
		if (real[at] == '\0')
			break;
		if (fstat(fd, &st) != 0 ||
		    check_dir(real, at > 1 ? (int)at - 1 : 1, &st, true, why,
			whylen) != 0) {
			close(fd);
			return -1;
		}
		len = strcspn(real + at, "/");
		save = real[at + len];
		real[at + len] = '\0';
		sub = openat(fd, real + at,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		real[at + len] = save;
		close(fd);
		if ((fd = sub) < 0)
			break;
		at += len;
	}
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_dev != want->st_dev ||
	    st.st_ino != want->st_ino) {
		if (fd >= 0)
			close(fd);
		return because(why, whylen,
		    "directory %s changed while it was "
		    "checked",
		    dir);
	}
	close(fd);
	return 0;
}

/* The directory of the file, opened without following a link. */
static int
open_dir(const char *dir, char *why, size_t whylen)
{
	struct stat st;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return because(why, whylen, "directory %s does not exist", dir);
	if (fd < 0 &&
	    (errno == ELOOP ||
		(errno == ENOTDIR && lstat(dir, &st) == 0 &&
		    S_ISLNK(st.st_mode))))
		return because(why, whylen, "directory %s is a symbolic link",
		    dir);
	if (fd < 0)
		return because(why, whylen, "directory %s: %s", dir,
		    strerror(errno));
	if (fstat(fd, &st) != 0 ||
	    check_dir(dir, (int)strlen(dir), &st, false, why, whylen) != 0 ||
	    check_ancestors(dir, &st, why, whylen) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
check_file(const char *path, const struct stat *st, char *why, size_t whylen)
{
	if (S_ISLNK(st->st_mode))
		return because(why, whylen, "%s is a symbolic link", path);
	if (!S_ISREG(st->st_mode))
		return because(why, whylen, "%s is not a regular file", path);
	if (st->st_uid != geteuid())
		return because(why, whylen,
		    "%s belongs to uid %u, not to uid %u "
		    "(capwrap's)",
		    path, (unsigned)st->st_uid, (unsigned)geteuid());
	if ((st->st_mode & GROUP_OTHER_WRITE) != 0)
		return because(why, whylen,
		    "%s is writable by its group or "
		    "others (mode %04o)",
		    path, (unsigned)(st->st_mode & 07777));
	if (st->st_nlink != 1)
		return because(why, whylen, "%s has %ju hard links", path,
		    (uintmax_t)st->st_nlink);
	return 0;
}

/*
 * Check path by the rules; with open, open it too.  Returns the file's
 * descriptor (open), 0 (checked), or -1 with why set.
 */
static int
audit_at(const char *path, bool open, char *why, size_t whylen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base;
	struct stat st;
	int dfd, fd = 0;

	base = slash == NULL ? path : slash + 1;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return because(why, whylen, "%s names no file", path);
	if (slash == NULL)
		(void)strlcpy(dir, ".", sizeof(dir));
	else if ((size_t)snprintf(dir, sizeof(dir), "%.*s",
		     slash == path ? 1 : (int)(slash - path),
		     path) >= sizeof(dir))
		return because(why, whylen, "%s: %s", path,
		    strerror(ENAMETOOLONG));
	if ((dfd = open_dir(dir, why, whylen)) < 0)
		return -1;
	/* Before opening: a FIFO or a device must not even be opened. */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (check_file(path, &st, why, whylen) != 0)
			fd = -1;
	} else if (errno != ENOENT)
		fd = because(why, whylen, "%s: %s", path, strerror(errno));
	if (fd == 0 && open) {
		fd = openat(dfd, base,
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			O_NOCTTY | O_CLOEXEC,
		    0600);
		if (fd < 0)
			(void)because(why, whylen, "%s: %s", path,
			    strerror(errno));
		else if (fstat(fd, &st) != 0 ||
		    check_file(path, &st, why, whylen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	close(dfd);
	return fd;
}

int
auditfile_check(const char *path, char *why, size_t whylen)
{
	return audit_at(path, false, why, whylen);
}

int
auditfile_open(const char *path, char *why, size_t whylen)
{
	return audit_at(path, true, why, whylen);
}
