/*
 * sx-errors: socket calls a kernel refuses, and a few it takes, one line
 * each: "CALL: RESULT"; first its argv[0] and argument count.
 * Linked statically, it runs supervised under capwrap; run directly, the
 * kernel answers.  The suite compares the two: the supervisor answers
 * as the kernel does.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
say(const char *call, int rc)
{
	if (rc < 0)
		printf("%s: %s\n", call, strerrorname_np(errno));
	else
		printf("%s: ok\n", call);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	int nb = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("argv0: %s, %d arguments\n", argv[0], argc);
	say("accept unbound", accept(fd, NULL, NULL));
	say("connect short address", connect(fd, (struct sockaddr *)&sun, 1));
	say("bind long address", bind(fd, (struct sockaddr *)&sun, 200));
	sun.sun_family = AF_INET;
	say("bind wrong family", bind(fd, (struct sockaddr *)&sun, 8));
	sun.sun_family = AF_UNIX;
	say("accept bad descriptor", accept(12345, NULL, NULL));
	say("accept not a socket", accept(1, NULL, NULL));
	say("accept4 bad flags", accept4(fd, NULL, NULL, 0x4000000));
	say("connect bad address", connect(fd, (struct sockaddr *)8, 12));
	/* An autobind, then a listen: accept on nothing queued. */
	say("autobind", bind(nb, (struct sockaddr *)&sun, sizeof(sa_family_t)));
	say("bind again",
	    bind(nb, (struct sockaddr *)&sun, sizeof(sa_family_t)));
	say("listen", listen(nb, 4));
	say("accept nothing queued", accept(nb, NULL, NULL));
	rc = accept4(nb, (struct sockaddr *)&sun, NULL, 0);
	say("accept4 address without length", rc);
	/* A path, relative to the directory the program is in. */
	strcpy(sun.sun_path, "sx-errors.sock");
	say("bind relative path",
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)));
	say("listen on a path", listen(fd, 4));
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	say("accept on a path, nothing queued", accept(fd, NULL, NULL));
	say("unlink", unlink("sx-errors.sock"));
	return 0;
}
