/*
 * hx-forkdial NAME DENIED ROUNDS
 * A client that forks.  First a child dials NAME alone with the lineage
 * channel it inherited.  Then parent and child both run ROUNDS rounds
 * at the same time, each round a dial of NAME (must be answered with
 * this process's own line), a dial of DENIED (must fail with EACCES) and
 * a bind of DENIED (must fail with EACCES): the launcher answers every
 * one of them over the shared channel, so a reply that reached the
 * wrong process shows as a wrong verdict.  Prints "child dialed",
 * then "PID rounds N ok" per process, or "FAIL ..." lines.
 */
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

static int
rounds(const char *name, const char *denied, long n)
{
	char msg[64], want[80], reply[600];
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, denied);
	int bad = 0, e;

	for (long i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "pid %d round %ld", (int)getpid(),
		    i);
		snprintf(want, sizeof(want), "echo %s", msg);
		e = hx_dial(name, msg, reply, sizeof(reply));
		if (e != 0 || strcmp(reply, want) != 0) {
			fx_say("FAIL %d dial %s: %s %s", (int)getpid(), name,
			    hx_errname(e), e ? "" : reply);
			bad++;
		}
		e = hx_dial(denied, msg, reply, sizeof(reply));
		if (e != EACCES) {
			fx_say("FAIL %d dial %s: %s", (int)getpid(), denied,
			    hx_errname(e));
			bad++;
		}
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(fd, (struct sockaddr *)&sun, len) == 0 ||
		    errno != EACCES) {
			fx_say("FAIL %d bind %s: %s", (int)getpid(), denied,
			    hx_errname(errno));
			bad++;
		}
		close(fd);
	}
	if (bad == 0)
		fx_say("%d rounds %ld ok", (int)getpid(), n);
	return bad ? FX_IO : FX_OK;
}

int
main(int argc, char **argv)
{
	char msg[64], want[80], reply[600];
	int status, e, rc;
	pid_t pid;
	long n;

	if (argc != 4) {
		fprintf(stderr, "usage: hx-forkdial NAME DENIED ROUNDS\n");
		return FX_USAGE;
	}
	n = strtol(argv[3], NULL, 10);

	/* A forked child dials as the service, on its own. */
	pid = fork();
	if (pid == 0) {
		snprintf(msg, sizeof(msg), "child %d", (int)getpid());
		snprintf(want, sizeof(want), "echo %s", msg);
		e = hx_dial(argv[1], msg, reply, sizeof(reply));
		if (e != 0 || strcmp(reply, want) != 0) {
			fx_say("FAIL child dial: %s", hx_errname(e));
			_exit(FX_IO);
		}
		fx_say("child dialed");
		_exit(FX_OK);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return FX_IO;

	/* Parent and child at once, on the one channel they share. */
	pid = fork();
	if (pid < 0)
		return FX_IO;
	rc = rounds(argv[1], argv[2], n);
	if (pid == 0)
		_exit(rc);
	if (waitpid(pid, &status, 0) != pid || status != 0)
		rc = FX_IO;
	fx_say("all done: %s", rc == 0 ? "ok" : "failed");
	return rc;
}
