#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "image.h"
#include "target.h"

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
