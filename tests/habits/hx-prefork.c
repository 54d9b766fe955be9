/*
 * hx-prefork NAME WORKERS PER_WORKER
 * A prefork server: bind and listen once, then fork WORKERS processes
 * that all accept() on the inherited listener.  Each worker answers
 * PER_WORKER connections ("echo LINE by PID") and exits, as servers
 * with a per-child request limit do; the parent, whose pid the kernel
 * reports to every client, waits for them all.
 */
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

static void
work(int lfd, long count)
{
	for (long i = 0; i < count;) {
		char buf[512], reply[600];
		int cfd = accept(lfd, NULL, NULL);

		if (cfd < 0) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			fx_say("accept: %s", hx_errname(errno));
			_exit(FX_REFUSED);
		}
		if (hx_read_line(cfd, buf, sizeof(buf)) > 0) {
			fx_say("served %s by %d", buf, (int)getpid());
			snprintf(reply, sizeof(reply), "echo %s by %d\n", buf,
			    (int)getpid());
			(void)!write(cfd, reply, strlen(reply));
			i++;
		}
		close(cfd);
	}
	_exit(FX_OK);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len;
	long workers, per;
	int fd, status, failed = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: hx-prefork NAME WORKERS PER_WORKER\n");
		return FX_USAGE;
	}
	workers = strtol(argv[2], NULL, 10);
	per = strtol(argv[3], NULL, 10);
	len = fx_abstract(&sun, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("bind");
	if (listen(fd, 64) != 0)
		fx_refused("listen");
	for (long i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			fx_refused("fork");
		if (pid == 0)
			work(fd, per);
		fx_say("worker pid=%d", (int)pid);
	}
	fx_say("listening pid=%d", (int)getpid());
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	fx_say("workers done, %d failed", failed);
	return failed ? FX_IO : FX_OK;
}
