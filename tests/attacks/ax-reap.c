/*
 * ax-reap NAME [forge]
 * A service that tries to move the launcher's reap epoch.  It dials NAME
 * until the shim maps the reap page (the shim maps it once a few
 * connections have wanted it; 64 dials at most here), finds the page in
 * /proc/self/maps, and tries, printing one line each:
 *   "mprotect: ERRNO"   making the shim's read-only mapping writable;
 *   "reopen: ERRNO"     opening the page's file read-write through
 *                       /proc/self/map_files (a root privilege);
 *   "mmap: ERRNO"       and if that worked, a shared writable mapping;
 *   "write: ERRNO"      and writing it;
 * then "epoch: unchanged" if the epoch is what it was, else "epoch: MOVED".
 * "no page" if the shim has none.
 *
 * With "forge": after its first dial it finds the page's descriptor the
 * shim holds unmapped ("held: yes", else "held: no"), closes it behind
 * the shim's back (an inline system call), and puts at that number a
 * memfd of its own, "capwrap-forged", holding a copy of the page (magic,
 * epoch, the launcher's lock word).  Then it dials 64 times and prints
 * "dials: ok", "number: open" if its descriptor at that number is still
 * open (else "number: closed"), and "forged: mapped" if anything in the
 * process mapped its file, else "forged: not mapped".
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "fxinline.h"

static const char *
outcome(int rc)
{
	return rc == 0 ? "OK" : strerrorname_np(errno);
}

/* The address range of the reap page's mapping, from /proc/self/maps. */
static int
find_mapping(const char *file, unsigned long *lo, unsigned long *hi)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = -1;

	while (f != NULL && found != 0 && fgets(line, sizeof(line), f))
		if (strstr(line, file) != NULL &&
		    sscanf(line, "%lx-%lx", lo, hi) == 2)
			found = 0;
	if (f != NULL)
		fclose(f);
	return found;
}

/* One connection to the provider, closed at once. */
static void
dial(struct sockaddr_un *sun, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (connect(fd, (struct sockaddr *)sun, len) != 0)
		fx_refused("connect");
	close(fd);
}

/* The descriptor of the page the shim holds, or -1. */
static int
held_page(void)
{
	char path[300], link[128];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int found = -1;
	ssize_t n;

	while (d != NULL && found < 0 && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = 0;
			if (strstr(link, "memfd:capwrap-reap") != NULL)
				found = atoi(e->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* Put a copy of the held page, in a file of our own, at its number. */
static int
forge(struct sockaddr_un *sun, socklen_t len)
{
	char copy[4096];
	unsigned long lo, hi;
	int held, mine;

	dial(sun, len);
	held = held_page();
	fx_say("held: %s", held >= 0 ? "yes" : "no");
	if (held < 0)
		return FX_IO;
	mine = memfd_create("capwrap-forged", 0);
	if (pread(held, copy, sizeof(copy), 0) != (ssize_t)sizeof(copy) ||
	    mine < 0 ||
	    write(mine, copy, sizeof(copy)) != (ssize_t)sizeof(copy))
		fx_refused("copy");
	fx_inline_call(SYS_close, held, 0, 0);
	if (fx_inline_call(SYS_dup3, mine, held, O_CLOEXEC) != held)
		fx_refused("dup3");
	close(mine);
	for (int i = 0; i < 64; i++)
		dial(sun, len);
	fx_say("dials: ok");
	/* The number is the program's now: the shim must not close it. */
	fx_say("number: %s", fcntl(held, F_GETFD) >= 0 ? "open" : "closed");
	fx_say("forged: %s",
	    find_mapping("memfd:capwrap-forged", &lo, &hi) == 0 ? "mapped" :
								  "not mapped");
	return FX_OK;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	unsigned long lo, hi;
	char path[128];
	uint64_t before;
	void *w;
	int fd, rc;

	if (argc != 2 && (argc != 3 || strcmp(argv[2], "forge") != 0)) {
		fprintf(stderr, "usage: ax-reap NAME [forge]\n");
		return FX_USAGE;
	}
	socklen_t len = fx_abstract(&sun, argv[1]);
	if (argc == 3)
		return forge(&sun, len);
	for (int i = 0;
	     i < 64 && find_mapping("memfd:capwrap-reap", &lo, &hi) != 0; i++)
		dial(&sun, len);
	if (find_mapping("memfd:capwrap-reap", &lo, &hi) != 0) {
		fx_say("no page");
		return FX_IO;
	}
	before = *(volatile uint64_t *)(lo + 8);
	fx_say("mprotect: %s",
	    outcome(mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE)));
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", lo, hi);
	fd = open(path, O_RDWR);
	fx_say("reopen: %s", outcome(fd >= 0 ? 0 : -1));
	if (fd >= 0) {
		w = mmap(NULL, hi - lo, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0);
		fx_say("mmap: %s", outcome(w == MAP_FAILED ? -1 : 0));
		rc = pwrite(fd, "xxxxxxxx", 8, 8) == 8 ? 0 : -1;
		fx_say("write: %s", outcome(rc));
	}
	fx_say("epoch: %s",
	    *(volatile uint64_t *)(lo + 8) == before ? "unchanged" : "MOVED");
	return FX_OK;
}
