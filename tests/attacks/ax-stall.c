/*
 * ax-stall NAME STALLFILE THREADS
 * A server whose THREADS threads all accept on one listener at NAME, the
 * way threaded servers do, and answer one line each: "served LINE".  It
 * defines getsockopt() itself, and the shim's own calls reach it (only
 * the calls a gate depends on must come from the shim): when the peer
 * credentials of a connection name the pid written in STALLFILE, the
 * thread holding that connection stalls for a few seconds, once, between
 * its accept and its peer check, as a thread preempted there would
 * ("stall: holding pid N", then "stall: resumed").
 */
#include <sys/socket.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

static const char *stall_file;
static atomic_bool stalled;
static int listener;

int
getsockopt(int fd, int level, int option, void *value, socklen_t *len)
{
	static int (*libc_getsockopt)(int, int, int, void *, socklen_t *);
	struct ucred *cred = value;
	int rc, want = 0;
	FILE *f;

	if (libc_getsockopt == NULL)
		libc_getsockopt = (__typeof__(libc_getsockopt))dlsym(RTLD_NEXT,
		    "getsockopt");
	rc = libc_getsockopt(fd, level, option, value, len);
	if (rc != 0 || level != SOL_SOCKET || option != SO_PEERCRED ||
	    (f = fopen(stall_file, "r")) == NULL)
		return rc;
	if (fscanf(f, "%d", &want) != 1)
		want = 0;
	fclose(f);
	if (want > 0 && cred->pid == want && !atomic_exchange(&stalled, true)) {
		fx_say("stall: holding pid %d", want);
		sleep(5);
		fx_say("stall: resumed");
	}
	return rc;
}

static void *
serve(void *unused)
{
	char line[512];

	for (;;) {
		int fd = accept(listener, NULL, NULL);

		if (fd < 0)
			continue;
		if (hx_read_line(fd, line, sizeof(line)) > 0) {
			fx_say("served %s", line);
			dprintf(fd, "echo %s\n", line);
		}
		close(fd);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len;
	pthread_t t;

	if (argc != 4) {
		fprintf(stderr, "usage: ax-stall NAME STALLFILE THREADS\n");
		return FX_USAGE;
	}
	stall_file = argv[2];
	signal(SIGPIPE, SIG_IGN);
	len = fx_abstract(&sun, argv[1]);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&sun, len) != 0 ||
	    listen(listener, 64) != 0)
		fx_refused("listen");
	fx_say("listening pid=%d", (int)getpid());
	for (int i = atoi(argv[3]); i > 0; i--)
		if (pthread_create(&t, NULL, serve, NULL) != 0)
			fx_refused("pthread_create");
	for (;;)
		pause();
}
