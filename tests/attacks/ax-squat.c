/*
 * ax-squat NAME
 * The impostor: bind the abstract NAME exactly as given (a fixed name, or
 * the five hex digits of a minted address), listen, and report what each
 * connection brought: "got N bytes: TEXT" or "got nothing", until killed.
 * Prints "listening pid=PID" once bound.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: ax-squat NAME\n");
		return FX_USAGE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	len = fx_abstract(&sun, argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("bind");
	if (listen(fd, 64) != 0)
		fx_refused("listen");
	fx_say("listening pid=%d", (int)getpid());
	for (;;) {
		char buf[512];
		size_t total = 0;
		ssize_t n;
		int cfd = accept(fd, NULL, NULL);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fx_refused("accept");
		}
		/* Everything the dialer ever sends, up to its close. */
		while (
		    (n = read(cfd, buf + total, sizeof(buf) - 1 - total)) > 0)
			if ((total += (size_t)n) == sizeof(buf) - 1)
				break;
		buf[total] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (total > 0)
			fx_say("got %zu bytes: %s", total, buf);
		else
			fx_say("got nothing");
		close(cfd);
	}
}
