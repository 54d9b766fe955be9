/*
 * Reading the policy file: the only I/O in the policy library.  The size
 * limit is applied while reading, not from fstat, so that a pipe or a file
 * that grows under us cannot make us read without bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "internal.h"

static void
report_file(const char *path, policy_report_fn *report, void *ctx,
    size_t *nerrors, const char *message)
{
	struct policy_diag d;

	d.file = path;
	d.line = d.col = 0;
	d.message = message;
	if (report != NULL)
		report(ctx, &d);
	if (nerrors != NULL)
		*nerrors = 1;
}

struct policy *
policy_parse_file(const char *path, policy_report_fn *report, void *ctx,
    size_t *nerrors)
{
	struct policy *pol;
	char *buf, msg[256];
	size_t len = 0;
	ssize_t r;
	int fd, saved;

	/* One byte over the limit is enough to know it is over. */
	if ((buf = malloc(POLICY_FILE_MAX + 1)) == NULL) {
		report_file(path, report, ctx, nerrors, "out of memory");
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		goto fail;
	while (len <= POLICY_FILE_MAX) {
		r = read(fd, buf + len, POLICY_FILE_MAX + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > POLICY_FILE_MAX) {
		free(buf);
		report_file(path, report, ctx, nerrors, POLICY_TOO_LARGE);
		return NULL;
	}
	pol = policy_parse_buffer(buf, len, path, report, ctx, nerrors);
	free(buf);
	return pol;

fail:
	snprintf(msg, sizeof(msg), "unable to read policy: %s",
	    strerror(errno));
	free(buf);
	report_file(path, report, ctx, nerrors, msg);
	return NULL;
}
