#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "debug.h"
#include "execenv.h"
#include "execgate.h"
#include "hotpath.h"
#include "image.h"
#include "init.h"
#include "wire.h"

_Static_assert(IMAGE_REFUSALS == WIRE_EXEC_REASONS,
    "wire.h and image.h number the refusals alike");

/* Set once at start-up, read-only afterwards. */
static struct image_host host EARLY_DATA;

void
exec_gate_init(void)
{
	/* On failure every dynamic image is refused: closed, not open. */
	if (image_host_init(&host) != 0)
		capshim_debug("the program interpreter is unknown");
}

/* Tell the launcher, and wait until it has written the record. */
static void
report_exec(const char *path, int verdict)
{
	union wire_msg req, reply;
	size_t len = strlen(path);

	if (channel_fd_checked() < 0)
		return;
	wire_init(&req, WIRE_EXEC);
	req.exec.reason = (uint16_t)verdict;
	if (len > WIRE_PATH_MAX) {
		len = WIRE_PATH_MAX;
		req.exec.flags = WIRE_EXEC_TRUNCATED;
	}
	req.exec.path_len = (uint16_t)len;
	memcpy(req.exec.path, path, len);
	(void)channel_call(&req, &reply);
}

int
exec_gate(int dirfd, const char *path, int flags, bool supervise)
{
	char refused[IMAGE_PATH_MAX], fdpath[32];
	int verdict;
	ssize_t n;

	/* An exec from a library's constructor starts the shim first. */
	(void)capshim_ready();
	verdict = image_check(dirfd, path, flags, &host, refused);

	if (verdict == IMAGE_OK || verdict == IMAGE_UNOPENED)
		return 0;
	if (verdict == IMAGE_NOEXEC) {
		errno = ENOEXEC;
		return -1;
	}
	/* The image itself, not a #! interpreter: its path is the one run. */
	if (supervise && (verdict == IMAGE_STATIC || verdict == IMAGE_GO) &&
	    strcmp(refused, path) == 0 && exec_supervisor_found())
		return EXEC_SUPERVISE;
	/* fexecve: name the file behind the descriptor. */
	if (refused[0] == '\0') {
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", dirfd);
		n = readlink(fdpath, refused, sizeof(refused) - 1);
		if (n > 0)
			refused[n] = '\0';
		else
			snprintf(refused, sizeof(refused), "%s", fdpath);
	}
	capshim_log_always("refused to exec %s: %s", refused,
	    image_reason(verdict));
	report_exec(refused, verdict);
	errno = EACCES;
	return -1;
}

bool
exec_enterable(const char *path)
{
	char refused[IMAGE_PATH_MAX];

	return image_check(AT_FDCWD, path, 0, &host, refused) == IMAGE_OK;
}

/* The errors on which glibc's PATH search tries the next directory. */
static bool
search_goes_on(int err)
{
	return err == ENOENT || err == ENOTDIR || err == EACCES ||
	    err == ESTALE || err == ENODEV || err == ETIMEDOUT;
}

/* Is path a regular file this process may execute?  errno if not. */
static bool
runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return false;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return false;
	}
	return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
}

/*
 * A name with a slash is used as it is; otherwise each PATH entry in
 * turn (an empty one is the current directory; PATH unset is
 * confstr(_CS_PATH)), skipping those where the name is missing or may
 * not be run: EACCES if one was found but not runnable, else ENOENT.
 */
int
exec_search(const char *file, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *end;
	char fallback[128];
	bool denied = false;
	size_t dirlen;

	if (file[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/') != NULL) {
		if ((size_t)snprintf(out, size, "%s", file) < size)
			return 0;
		errno = ENAMETOOLONG;
		return -1;
	}
	if (path == NULL) {
		dirlen = confstr(_CS_PATH, fallback, sizeof(fallback));
		if (dirlen == 0 || dirlen > sizeof(fallback))
			snprintf(fallback, sizeof(fallback), "/bin:/usr/bin");
		path = fallback;
	}
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		dirlen = (size_t)(end - p);
		if ((size_t)snprintf(out, size, "%.*s%s%s", (int)dirlen, p,
			dirlen > 0 ? "/" : "", file) < size) {
			if (runnable(out))
				return 0;
			if (!search_goes_on(errno))
				return -1;
			denied |= errno == EACCES;
		}
		if (*end == '\0')
			break;
	}
	errno = denied ? EACCES : ENOENT;
	return -1;
}
