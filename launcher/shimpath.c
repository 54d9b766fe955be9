#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shimpath.h"

int
shim_path(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		if ((size_t)snprintf(out, size, "%s/shim/.libs/libcapshim.so",
			dirname(exe)) < size &&
		    access(out, R_OK) == 0)
			return 0;
	}
	if (strlcpy(out, CAPWRAP_PKGLIBDIR "/libcapshim.so", size) >= size ||
	    access(out, R_OK) != 0)
		return -1;
	return 0;
}
