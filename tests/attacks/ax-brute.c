/*
 * ax-brute [-w SECONDS] MESSAGE
 * The brute-force attacker: dial every one of the 2^20 autobind names
 * (@00000 .. @fffff) of its network namespace.  Each connection that the
 * kernel completes gets MESSAGE and a newline; then every such connection
 * is watched until the other side answers (admitted) or closes (refused).
 * Prints the names it reached, then one line:
 *   tried N connected C admitted A refused R undecided U ms T
 * Exits 0 whatever it found: the test judges the numbers.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define AUTOBIND_NAMES (1L << 20)
#define MAX_REACHED 4096

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
main(int argc, char **argv)
{
	static struct pollfd reached[MAX_REACHED];
	static char names[MAX_REACHED][8];
	long start = now_ms(), deadline, tried = 0;
	int c, fd = -1, nreached = 0, admitted = 0, refused = 0, wait_s = 10;
	char msg[256];

	while ((c = getopt(argc, argv, "w:")) != -1) {
		if (c != 'w')
			return FX_USAGE;
		wait_s = atoi(optarg);
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: ax-brute [-w SECONDS] MESSAGE\n");
		return FX_USAGE;
	}
	snprintf(msg, sizeof(msg), "%s\n", argv[optind]);

	for (long i = 0; i < AUTOBIND_NAMES; i++) {
		struct sockaddr_un sun;
		char hex[8];
		socklen_t len;

		if (fd < 0 &&
		    (fd = socket(AF_UNIX,
			 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
			perror("ax-brute: socket");
			return FX_IO;
		}
		snprintf(hex, sizeof(hex), "%05lx", i);
		len = fx_abstract(&sun, hex);
		tried++;
		if (connect(fd, (struct sockaddr *)&sun, len) != 0)
			continue; /* nobody there: ECONNREFUSED */
		(void)send(fd, msg, strlen(msg), MSG_NOSIGNAL);
		if (nreached < MAX_REACHED) {
			reached[nreached] = (struct pollfd){ .fd = fd,
				.events = POLLIN };
			memcpy(names[nreached++], hex, sizeof(hex));
		} else
			close(fd);
		fx_say("reached @%s", hex);
		fd = -1;
	}

	/* Each reached listener must now answer or close. */
	deadline = now_ms() + wait_s * 1000L;
	for (int left = nreached; left > 0 && now_ms() < deadline;) {
		if (poll(reached, (nfds_t)nreached, 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < nreached; i++) {
			char buf[512];
			ssize_t n;

			if (reached[i].fd < 0 || reached[i].revents == 0)
				continue;
			n = read(reached[i].fd, buf, sizeof(buf) - 1);
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n > 0) {
				buf[n] = '\0';
				buf[strcspn(buf, "\n")] = '\0';
				fx_say("admitted @%s: %s", names[i], buf);
				admitted++;
			} else {
				fx_say("refused @%s", names[i]);
				refused++;
			}
			close(reached[i].fd);
			reached[i].fd = -1;
			left--;
		}
	}
	fx_say("tried %ld connected %d admitted %d refused %d undecided %d "
	       "ms %ld",
	    tried, nreached, admitted, refused, nreached - admitted - refused,
	    now_ms() - start);
	return FX_OK;
}
