/*
 * Finding a service's program as execvp(3) would (servicespawn.h).
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "servicespawn.h"

int
spawn_resolve(const char *name, char *out, size_t size)
{
	const char *path, *p, *end;
	int first_error = ENOENT;
	struct stat st;

	if (name[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (strchr(name, '/') != NULL) {
		if (strlcpy(out, name, size) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (stat(out, &st) != 0)
			return -1;
		if (!S_ISREG(st.st_mode) || access(out, X_OK) != 0) {
			errno = EACCES;
			return -1;
		}
		return 0;
	}
	path = getenv("PATH");
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		if (snprintf(out, size, "%.*s%s%s", (int)(end - p), p,
			end == p ? "" : "/", name) < (int)size &&
		    stat(out, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(out, X_OK) == 0)
				return 0;
			first_error = EACCES;
		}
		if (*end == '\0')
			break;
	}
	errno = first_error;
	return -1;
}
