/*
 * A relative audit path means "next to the policy", wherever capwrap was
 * started from: the same policy must write the same audit file whatever
 * the working directory.  Pure string work, as dirname(3) specifies it;
 * no realpath, since the file need not exist yet and symlinks are the
 * administrator's business.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

char *
resolve_against(const char *policy_file, const char *path)
{
	size_t dirlen, pathlen;
	char *out;

	if (path[0] == '/')
		return strdup(path);
	if (policy_file == NULL)
		policy_file = "";

	/* dirname: drop trailing slashes, the last component, then slashes. */
	dirlen = strlen(policy_file);
	while (dirlen > 1 && policy_file[dirlen - 1] == '/')
		dirlen--;
	while (dirlen > 0 && policy_file[dirlen - 1] != '/')
		dirlen--;
	while (dirlen > 1 && policy_file[dirlen - 1] == '/')
		dirlen--;
	if (dirlen == 0) {
		policy_file = ".";
		dirlen = 1;
	}

	pathlen = strlen(path);
	if ((out = malloc(dirlen + 1 + pathlen + 1)) == NULL)
		return NULL;
	memcpy(out, policy_file, dirlen);
	/* The root directory already ends in its slash. */
	if (!(dirlen == 1 && policy_file[0] == '/'))
		out[dirlen++] = '/';
	memcpy(out + dirlen, path, pathlen + 1);
	return out;
}
