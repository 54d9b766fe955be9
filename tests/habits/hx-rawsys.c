/*
 * hx-rawsys NAME DENIED
 * A program that makes its socket and descriptor calls through syscall()
 * instead of the libc wrappers (old libuv did, for accept4).  It binds
 * DENIED (not its to bind) and NAME, listens, dials NAME itself and
 * accepts that connection, tries to close the lineage channel with
 * SYS_close and SYS_close_range and to overwrite it with SYS_dup3, and
 * checks that unrelated numbers (getpid, gettid, uname) are forwarded.
 * Prints "ok WHAT" or "FAIL WHAT: ..." lines, then "checks N failed N".
 */
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "fixture.h"
#include "hx.h"

static int checks, failed;

static void
expect(const char *what, long rc, long want_rc, int want_errno)
{
	int e = errno;

	checks++;
	if (rc == want_rc && (want_rc != -1 || e == want_errno)) {
		fx_say("ok %s", what);
		return;
	}
	failed++;
	fx_say("FAIL %s: returned %ld (%s)", what, rc,
	    rc == -1 ? hx_errname(e) : "no error");
}

int
main(int argc, char **argv)
{
	const char *v = getenv("CAPWRAP_CHANNEL");
	struct sockaddr_un sun, dsun;
	socklen_t len, dlen;
	struct utsname uts, uts2;
	char buf[64];
	long chan, lfd, cfd, afd, rc;

	if (argc != 3 || v == NULL) {
		fprintf(stderr,
		    "usage: hx-rawsys NAME DENIED (under capwrap)\n");
		return FX_USAGE;
	}
	chan = atol(v);
	len = fx_abstract(&sun, argv[1]);
	dlen = fx_abstract(&dsun, argv[2]);

	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	errno = 0;
	expect("bind of a name not provided",
	    syscall(SYS_bind, lfd, &dsun, (long)dlen), -1, EACCES);
	expect("bind of the provided name",
	    syscall(SYS_bind, lfd, &sun, (long)len), 0, 0);
	expect("listen", syscall(SYS_listen, lfd, 8L), 0, 0);

	errno = 0;
	expect("close of the channel", syscall(SYS_close, chan), -1, EBADF);
	expect("close_range over the channel",
	    syscall(SYS_close_range, chan, chan, 0L), 0, 0);
	expect("channel still open", fcntl((int)chan, F_GETFD) >= 0, 1, 0);
	expect("dup3 onto the channel", syscall(SYS_dup3, 0L, chan, 0L), chan,
	    0);

	/*
	 * The channel still works: a dial, and an accept the gate must admit.
	 */
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("connect", syscall(SYS_connect, cfd, &sun, (long)len), 0, 0);
	afd = syscall(SYS_accept4, lfd, NULL, NULL, (long)SOCK_CLOEXEC);
	expect("accept4 admits", afd >= 0, 1, 0);
	expect("accept4 kept SOCK_CLOEXEC",
	    afd >= 0 && (fcntl((int)afd, F_GETFD) & FD_CLOEXEC), 1, 0);
	if (afd >= 0) {
		(void)!write((int)cfd, "raw\n", 4);
		rc = hx_read_line((int)afd, buf, sizeof(buf));
		expect("data through", rc == 3 && strcmp(buf, "raw") == 0, 1,
		    0);
		expect("close of the accepted socket", syscall(SYS_close, afd),
		    0, 0);
	}
	errno = 0;
	expect("bind of a name not provided, again",
	    syscall(SYS_bind, socket(AF_UNIX, SOCK_STREAM, 0), &dsun,
		(long)dlen),
	    -1, EACCES);

	/* Everything else is forwarded untouched. */
	expect("getpid", syscall(SYS_getpid), getpid(), 0);
	expect("gettid", syscall(SYS_gettid), gettid(), 0);
	expect("getppid", syscall(SYS_getppid), getppid(), 0);
	uname(&uts2);
	expect("uname", syscall(SYS_uname, &uts), 0, 0);
	expect("uname fields", strcmp(uts.release, uts2.release) == 0, 1, 0);
	errno = 0;
	expect("an unknown number", syscall(100000L), -1, ENOSYS);
	fx_say("checks %d failed %d", checks, failed);
	return failed ? FX_IO : FX_OK;
}
