#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fslisten.h"
#include "orphans.h"

/* The parent pid from /proc/PID/stat: the field after the state. */
static pid_t
parent_of(const char *pid)
{
	char path[64], buf[1024], *close_paren;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold anything, ')' included: take the last. */
	if ((close_paren = strrchr(buf, ')')) == NULL ||
	    sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

ssize_t
orphans_children(pid_t *out, size_t max)
{
	pid_t self = getpid();
	struct dirent *d;
	size_t n = 0;
	DIR *dir;

	if ((dir = opendir("/proc")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		if (parent_of(d->d_name) != self)
			continue;
		if (n < max)
			out[n] = (pid_t)strtol(d->d_name, NULL, 10);
		n++;
	}
	closedir(dir);
	return (ssize_t)n;
}

struct held {
	uint64_t want;
	bool found;
};

static void
note_held(void *ctx, uint64_t ino)
{
	struct held *h = ctx;

	h->found = h->found || ino == h->want;
}

bool
orphans_holds_socket(pid_t pid, uint64_t ino)
{
	struct held h = { .want = ino };

	fslisten_sockets(pid, note_held, &h);
	return h.found;
}
