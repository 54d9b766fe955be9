/*
 * hx-sandbox [-n] OWN PEER GOFILE
 * A program that sandboxes itself, as some daemons do: a seccomp filter
 * makes every getsockopt() fail with EPERM (and getsockname() too, with
 * -n).  Then it binds the abstract OWN (stream), connects a stream socket
 * to PEER and sends a datagram to PEER, printing "bind: ERRNO", "connect:
 * ERRNO", "sendto: ERRNO" ("OK" when the call succeeded).  Last it binds
 * a stream listener by autobind (no abstract name given, so no gate),
 * prints "listening pid=PID", waits for GOFILE and accepts once:
 * "accept: ERRNO", or for a connection "accepted, read N" (N what a
 * read returned: 0 when its peer had hung up) or "accepted, read: ERRNO".  The
 * filter is written for x86-64; elsewhere the program says "unsupported"
 * and exits 77.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

/*
 * getsockopt(), and getsockname() unless names_too is false, fail with EPERM.
 */
static void
deny_socket_queries(bool names_too)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getsockopt, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    names_too ? __NR_getsockname : __NR_getsockopt, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		fx_refused("seccomp");
}

static void
outcome(const char *what, int rc)
{
	fx_say("%s: %s", what, hx_errname(rc < 0 ? errno : 0));
}

int
main(int argc, char **argv)
{
	const sa_family_t family = AF_UNIX;
	struct sockaddr_un own, peer;
	socklen_t own_len, peer_len;
	bool names_too = argc > 1 && strcmp(argv[1], "-n") == 0;
	char buf[64];
	ssize_t n;
	int fd, c;

	argc -= names_too;
	argv += names_too;
	if (argc != 4) {
		fprintf(stderr, "usage: hx-sandbox [-n] OWN PEER GOFILE\n");
		return FX_USAGE;
	}
#ifndef __x86_64__
	fx_say("unsupported");
	return 77;
#endif
	own_len = fx_abstract(&own, argv[1]);
	peer_len = fx_abstract(&peer, argv[2]);
	deny_socket_queries(names_too);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	outcome("bind", bind(fd, (struct sockaddr *)&own, own_len));
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	outcome("connect", connect(fd, (struct sockaddr *)&peer, peer_len));
	close(fd);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	outcome("sendto",
	    (int)sendto(fd, "x", 1, 0, (struct sockaddr *)&peer, peer_len));
	close(fd);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(fd, (const struct sockaddr *)&family, sizeof(family)) != 0 ||
	    listen(fd, 8) != 0)
		fx_refused("autobind listener");
	fx_say("listening pid=%d", (int)getpid());
	hx_wait_file(argv[3]);
	if ((c = accept(fd, NULL, NULL)) < 0)
		fx_say("accept: %s", hx_errname(errno));
	else if ((n = read(c, buf, sizeof(buf))) < 0)
		fx_say("accepted, read: %s", hx_errname(errno));
	else
		fx_say("accepted, read %zd", n);
	return FX_OK;
}
