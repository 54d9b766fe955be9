/*
 * hx-daemon HOW NAME LOG
 *	Daemonise the classic way (fork, setsid, fork, chdir /, stdio to
 *	/dev/null), close every descriptor HOW says, then bind NAME, serve
 *	one connection and exit.  HOW: loop (close() of 0..1023),
 *	close_range (close_range(3, ~0U, 0)), closefrom (closefrom(3)),
 *	dup2 (dup2 onto the number in CAPWRAP_CHANNEL, then close it), or
 *	all of them in turn.  Progress goes to LOG: "listening pid=N",
 *	"served LINE", or "bind: ERRNO".
 * hx-daemon lose NAME OTHER [PROGRAM ARG...]
 *	Close the lineage channel with an inline system call, which no
 *	preload library can see, then try to bind NAME and dial OTHER twice
 *	each; prints each result.  Then exec PROGRAM, if given, with this
 *	process's environment (execvp).
 * hx-daemon image NAME
 *	Print "image: CAPWRAP_CHANNEL=VALUE" (or "image: CAPWRAP_CHANNEL
 *	absent"), then try to bind NAME: "image bind: ERRNO".
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

static int logfd = -1;

static void
logline(const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	(void)!write(logfd, line, (size_t)n);
}

static void
close_everything(const char *how)
{
	bool all = strcmp(how, "all") == 0;
	const char *chan = getenv("CAPWRAP_CHANNEL");
	int null;

	if (all || strcmp(how, "loop") == 0)
		for (int fd = 0; fd < 1024; fd++)
			close(fd);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (all || strcmp(how, "close_range") == 0)
		(void)close_range(3, ~0U, 0);
	if (all || strcmp(how, "closefrom") == 0)
		closefrom(3);
	if ((all || strcmp(how, "dup2") == 0) && chan != NULL) {
		int n = atoi(chan);

		if (dup2(0, n) != n)
			_exit(FX_IO);
		close(n);
	}
}

static int
daemon_main(const char *how, const char *name, const char *log)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	char buf[512], reply[600];
	int fd, cfd;

	switch (fork()) {
	case -1:
		return FX_IO;
	case 0:
		break;
	default:
		return FX_OK;
	}
	setsid();
	switch (fork()) {
	case -1:
		_exit(FX_IO);
	case 0:
		break;
	default:
		_exit(FX_OK);
	}
	(void)!chdir("/");
	umask(0);
	close_everything(how);
	logfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (logfd < 0)
		_exit(FX_IO);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(fd, (struct sockaddr *)&sun, len) != 0 || listen(fd, 8) != 0) {
		logline("bind: %s", hx_errname(errno));
		_exit(FX_REFUSED);
	}
	logline("listening pid=%d", (int)getpid());
	do
		cfd = accept(fd, NULL, NULL);
	while (cfd < 0 && (errno == ECONNABORTED || errno == EINTR));
	if (cfd < 0) {
		logline("accept: %s", hx_errname(errno));
		_exit(FX_REFUSED);
	}
	if (hx_read_line(cfd, buf, sizeof(buf)) > 0) {
		logline("served %s", buf);
		snprintf(reply, sizeof(reply), "echo %s\n", buf);
		(void)!write(cfd, reply, strlen(reply));
	}
	_exit(FX_OK);
}

static int
lose(const char *name, const char *other, char **next)
{
	const char *chan = getenv("CAPWRAP_CHANNEL");
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	char reply[600];
	long rc = -1;

	if (chan == NULL)
		return FX_USAGE;
#if defined(__x86_64__)
	{
		long fd = atol(chan);

		__asm__ volatile("syscall"
				 : "=a"(rc)
				 : "0"(3L), "D"(fd)
				 : "rcx", "r11", "memory");
	}
#else
	fx_say("unsupported architecture");
	return 77;
#endif
	fx_say("raw close: %ld", rc);
	for (int i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (bind(fd, (struct sockaddr *)&sun, len) == 0)
			fx_say("bind: OK");
		else
			fx_say("bind: %s", hx_errname(errno));
		close(fd);
		fx_say("dial: %s",
		    hx_errname(hx_dial(other, "lost", reply, sizeof(reply))));
	}
	if (next[0] != NULL) {
		execvp(next[0], next);
		fx_refused("execvp");
	}
	return FX_OK;
}

/* An image exec'd by one that lost its channel: what did it inherit? */
static int
image(const char *name)
{
	const char *chan = getenv("CAPWRAP_CHANNEL");
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	int fd;

	if (chan != NULL)
		fx_say("image: CAPWRAP_CHANNEL=%s", chan);
	else
		fx_say("image: CAPWRAP_CHANNEL absent");
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(fd, (struct sockaddr *)&sun, len) == 0)
		fx_say("image bind: OK");
	else
		fx_say("image bind: %s", hx_errname(errno));
	close(fd);
	return FX_OK;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "lose") == 0)
		return lose(argv[2], argv[3], argv + 4);
	if (argc == 3 && strcmp(argv[1], "image") == 0)
		return image(argv[2]);
	if (argc == 4)
		return daemon_main(argv[1], argv[2], argv[3]);
	fprintf(stderr,
	    "usage: hx-daemon HOW NAME LOG | "
	    "lose NAME OTHER [PROGRAM ARG...] | image NAME\n");
	return FX_USAGE;
}
