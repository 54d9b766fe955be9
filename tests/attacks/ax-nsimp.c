/*
 * ax-nsimp ADDRFILE
 * The impostor inside a dialer's own pid and network namespaces: once
 * ADDRFILE holds "ADDR PID" (a provider's minted address, five hex
 * digits, and its pid as the launcher numbers it), it takes that pid in
 * this pid namespace (ns_last_pid, then a fork, tried again if another
 * process took the number first), binds ADDR in this
 * network namespace with inline system calls (the shim in this process
 * sees nothing) and listens.  Prints "impostor pid=N listening", then for
 * each connection "impostor got: LINE" and answers "impostor".
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "fxinline.h"

/* Wait for the test to say whom to impersonate. */
static void
read_target(const char *path, char addr[16], int *pid)
{
	const struct timespec pause = { .tv_nsec = 50000000 };
	FILE *f;

	for (;;) {
		if ((f = fopen(path, "r")) != NULL) {
			int n = fscanf(f, "%15s %d", addr, pid);

			fclose(f);
			if (n == 2)
				return;
		}
		nanosleep(&pause, NULL);
	}
}

static void __attribute__((noreturn)) serve(const char *addr)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(addr);
	long s, c, got;
	char buf[256];

	memcpy(sun.sun_path + 1, addr, n);
	s = fx_inline_call(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 ||
	    fx_inline_call(SYS_bind, s, (long)&sun,
		(long)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) != 0 ||
	    fx_inline_call(SYS_listen, s, 16, 0) != 0)
		fx_refused("bind");
	printf("impostor pid=%d listening\n", (int)getpid());
	for (;;) {
		if ((c = fx_inline_call(SYS_accept, s, 0, 0)) < 0)
			continue;
		got = fx_inline_call(SYS_read, c, (long)buf, sizeof(buf) - 1);
		buf[got > 0 ? got : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("impostor got: %s\n", buf);
		(void)fx_inline_call(SYS_write, c, (long)"impostor\n", 9);
		(void)fx_inline_call(SYS_close, c, 0, 0);
	}
}

/* Write last to this pid namespace's ns_last_pid: its next pid is last + 1. */
static void
set_last_pid(int last)
{
	char text[16];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);

	snprintf(text, sizeof(text), "%d", last);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		fx_refused("ns_last_pid");
	close(fd);
}

int
main(int argc, char **argv)
{
	char addr[16], ok;
	int pid, p[2];
	pid_t child;

	if (argc != 2) {
		fprintf(stderr, "usage: ax-nsimp ADDRFILE\n");
		return FX_USAGE;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	read_target(argv[1], addr, &pid);
	/*
	 * Another process of the namespace may take the number between the
	 * write and the fork: a child that did not get it says nothing and
	 * goes, and the next try writes again.
	 */
	for (int tries = 0; tries < 100; tries++) {
		set_last_pid(pid - 1);
		if (pipe(p) != 0 || (child = fork()) < 0)
			fx_refused("fork");
		if (child == 0) {
			close(p[0]);
			if (getpid() != pid)
				_exit(1);
			(void)write(p[1], "y", 1);
			close(p[1]);
			serve(addr);
		}
		close(p[1]);
		if (read(p[0], &ok, 1) == 1) {
			close(p[0]);
			waitpid(child, NULL, 0);
			return 0;
		}
		close(p[0]);
		waitpid(child, NULL, 0);
	}
	fx_say("the pid was never had");
	return 1;
}
