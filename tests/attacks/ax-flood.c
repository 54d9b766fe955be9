/*
 * ax-flood NAME MINIMUM STOPFILE [PROGRAM ARG...]
 * The flooding dialer: connect to the abstract NAME again and again, one
 * connection at a time, send a line and wait for the answer (admitted) or
 * for the other side to close (refused).  It keeps going until it has
 * made MINIMUM connections and STOPFILE exists, then prints
 *   refused R admitted A
 * It prints "flooding" after its first refusal, so a test knows the flood
 * is on.  With PROGRAM, it then execs it: the same pid, another program.
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

int
main(int argc, char **argv)
{
	long minimum, refused = 0, admitted = 0, failed = 0;
	struct sockaddr_un sun;
	socklen_t len;

	if (argc < 4) {
		fprintf(stderr,
		    "usage: ax-flood NAME MINIMUM STOPFILE "
		    "[PROGRAM ARG...]\n");
		return FX_USAGE;
	}
	len = fx_abstract(&sun, argv[1]);
	minimum = strtol(argv[2], NULL, 10);
	while (refused + admitted < minimum || access(argv[3], F_OK) != 0) {
		char buf[512];
		ssize_t n;
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, len) != 0) {
			/* The listener is gone: the flood is over. */
			if (fd >= 0)
				close(fd);
			if (++failed > 100)
				break;
			usleep(10000);
			continue;
		}
		/*
		 * A refusal may come first: EPIPE or a reset, never a signal.
		 */
		(void)send(fd, "flood\n", 6, MSG_NOSIGNAL);
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			admitted++;
		else if (refused++ == 0)
			fx_say("flooding");
		close(fd);
	}
	fx_say("refused %ld admitted %ld", refused, admitted);
	if (argc > 4 && failed <= 100) {
		execvp(argv[4], argv + 4);
		return FX_IO;
	}
	return failed > 100 ? FX_IO : FX_OK;
}
