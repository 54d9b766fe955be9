/*
 * ax-reap NAME
 * A service that tries to move the launcher's reap epoch.  It dials NAME
 * once (the shim maps the reap page with its first grant), finds the
 * page in /proc/self/maps, and tries, printing one line each:
 *   "mprotect: ERRNO"   making the shim's read-only mapping writable;
 *   "reopen: ERRNO"     opening the page's file read-write through
 *                       /proc/self/map_files (a root privilege);
 *   "mmap: ERRNO"       and if that worked, a shared writable mapping;
 *   "write: ERRNO"      and writing it;
 * then "epoch: unchanged" if the epoch is what it was, else "epoch: MOVED".
 * "no page" if the shim has none.
 */
#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static const char *
outcome(int rc)
{
	return rc == 0 ? "OK" : strerrorname_np(errno);
}

/* The address range of the reap page's mapping, from /proc/self/maps. */
static int
find_page(unsigned long *lo, unsigned long *hi)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = -1;

	while (f != NULL && found != 0 && fgets(line, sizeof(line), f))
		if (strstr(line, "memfd:capwrap-reap") != NULL &&
		    sscanf(line, "%lx-%lx", lo, hi) == 2)
			found = 0;
	if (f != NULL)
		fclose(f);
	return found;
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

	if (argc != 2) {
		fprintf(stderr, "usage: ax-reap NAME\n");
		return FX_USAGE;
	}
	socklen_t len = fx_abstract(&sun, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sun, len) != 0)
		fx_refused("connect");
	close(fd);
	if (find_page(&lo, &hi) != 0) {
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
