/*
 * Where the control socket of a launcher is: the directory (with the
 * checks that keep another user from planting or reading it) and the
 * name derived from the policy.  Both the launcher and the commands that
 * reach it call these, so that they agree.
 */
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"

static int
because(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

int
control_dir(char *out, size_t size, char *why, size_t whylen)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, size, "%s/capwrap", xdg);
	else if (geteuid() == 0)
		n = snprintf(out, size, "/run/capwrap");
	else
		return because(why, whylen,
		    "XDG_RUNTIME_DIR is not set (or not absolute) and we are "
		    "not root: no directory for the control socket");
	if (n < 0 || (size_t)n >= size)
		return because(why, whylen, "XDG_RUNTIME_DIR is too long");
	return 0;
}

int
control_dir_check(const char *dir, bool make, char *why, size_t whylen)
{
	struct stat st;
	uid_t me = geteuid();

	if (make && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return because(why, whylen, "%s: %s", dir, strerror(errno));
	if (lstat(dir, &st) != 0)
		return because(why, whylen, "%s: %s", dir, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return because(why, whylen, "%s is a symbolic link", dir);
	if (!S_ISDIR(st.st_mode))
		return because(why, whylen, "%s is not a directory", dir);
	if (st.st_uid != me && (make || st.st_uid != 0))
		return because(why, whylen, "%s belongs to uid %u, not to us",
		    dir, (unsigned)st.st_uid);
	if ((st.st_mode & (make ? 077 : 022)) != 0)
		return because(why, whylen,
		    "%s is open to others (mode %04o; it must be 0700)", dir,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

bool
control_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CONTROL_NAME_MAX || name[0] == '.')
		return false;
	return strspn(name,
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789_.-") == n;
}

/* FNV-1a: a short, stable tag of the real path, not a secret. */
static uint32_t
path_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int
control_name_for(const char *policy_path, char *out, size_t size, char *why,
    size_t whylen)
{
	char real[PATH_MAX], base[CONTROL_NAME_MAX - 8];
	const char *b;
	size_t n;

	if (realpath(policy_path, real) == NULL)
		return because(why, whylen, "%s: %s", policy_path,
		    strerror(errno));
	b = strrchr(real, '/') + 1;
	n = strlen(b);
	if (n > 7 && strcmp(b + n - 7, ".policy") == 0)
		n -= 7;
	if (n >= sizeof(base))
		n = sizeof(base) - 1;
	/* Bytes that may not be in a NAME become '_'. */
	for (size_t i = 0; i < n; i++)
		base[i] = strchr("abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.",
			      b[i]) != NULL &&
			(i > 0 || b[i] != '.') ?
		    b[i] :
		    '_';
	base[n] = '\0';
	snprintf(out, size, "%s-%08x", n > 0 ? base : "policy",
	    path_hash(real));
	return 0;
}

int
control_paths(const char *dir, const char *name, char *sock, char *lock,
    size_t size, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	int n = snprintf(sock, size, "%s/%s.sock", dir, name);

	if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof(sun.sun_path))
		return because(why, whylen,
		    "%s/%s.sock: too long for a socket's path", dir, name);
	(void)snprintf(lock, size, "%s/%s.lock", dir, name);
	return 0;
}
