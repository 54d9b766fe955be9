/*
 * ax-twice [-w READYFILE] [-h HOLDFILE] NAME GOFILE
 * A client that dials NAME twice from one process, so that the second
 * dial uses the capability the shim cached for the first: (wait until
 * READYFILE exists,) connect, send "first", print "first: reply LINE";
 * wait until GOFILE exists; connect
 * again and print "second: reply LINE", "second: eof", or
 * "second: connect: ERRNO" (exit 3); (then live on until HOLDFILE
 * exists).  Meant to run wrapped.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static int
exchange(const char *which, const struct sockaddr_un *sun, socklen_t len)
{
	char buf[512], what[64];
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(what, sizeof(what), "%s: connect", which);
	if (fd < 0 || connect(fd, (const struct sockaddr *)sun, len) != 0)
		fx_refused(what);
	snprintf(buf, sizeof(buf), "%s\n", which);
	if (write(fd, buf, strlen(buf)) < 0) {
		fx_say("%s: write: %s", which, strerrorname_np(errno));
		return FX_IO;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		fx_say("%s: eof", which);
		return FX_IO;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fx_say("%s: reply %s", which, buf);
	return FX_OK;
}

/* A test's flag file, checked at a human pace: at most a minute. */
static int
wait_file(const char *path)
{
	for (int i = 0; access(path, F_OK) != 0; i++) {
		if (i == 1200) {
			fx_say("timeout");
			return FX_IO;
		}
		usleep(50000);
	}
	return FX_OK;
}

int
main(int argc, char **argv)
{
	const char *ready = NULL, *hold = NULL;
	struct sockaddr_un sun;
	socklen_t len;
	int c, rc;

	while ((c = getopt(argc, argv, "w:h:")) != -1) {
		if (c == 'w')
			ready = optarg;
		else if (c == 'h')
			hold = optarg;
		else
			return FX_USAGE;
	}
	if (argc - optind != 2) {
		fprintf(stderr,
		    "usage: ax-twice [-w READYFILE] [-h HOLDFILE] "
		    "NAME GOFILE\n");
		return FX_USAGE;
	}
	len = fx_abstract(&sun, argv[optind]);
	if (ready != NULL && (rc = wait_file(ready)) != FX_OK)
		return rc;
	if ((rc = exchange("first", &sun, len)) != FX_OK)
		return rc;
	fx_say("waiting");
	if ((rc = wait_file(argv[optind + 1])) != FX_OK)
		return rc;
	if ((rc = exchange("second", &sun, len)) != FX_OK || hold == NULL)
		return rc;
	return wait_file(hold);
}
