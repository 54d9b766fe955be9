/*
 * hx-interpose NAME: a program that defines and exports its own connect()
 * (linked with --export-dynamic), the way a program with a built-in
 * socket wrapper does.  Its definition comes ahead of every preloaded
 * library, so the shim would never see its dials.  It dials NAME.
 */
#include <sys/syscall.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return (int)syscall(SYS_connect, fd, addr, len);
}

int
main(int argc, char **argv)
{
	char reply[600];

	if (argc != 2) {
		fprintf(stderr, "usage: hx-interpose NAME\n");
		return FX_USAGE;
	}
	fx_say("main reached");
	fx_say("dial: %s", hx_errname(hx_dial(argv[1], "interposed", reply,
	    sizeof(reply))));
	return FX_OK;
}
