#include <sys/socket.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "hx.h"

ssize_t
hx_read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n < size - 1) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

int
hx_dial(const char *name, const char *msg, char *reply, size_t size)
{
	struct sockaddr_un sun;
	socklen_t len = fx_abstract(&sun, name);
	char line[600];
	size_t n;
	int fd, rc = 0;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sun, len) != 0) {
		rc = errno;
		close(fd);
		return rc;
	}
	n = (size_t)snprintf(line, sizeof(line), "%s\n", msg);
	for (size_t off = 0; off < n;) {
		/* A gate may have cut it already: EPIPE, not SIGPIPE. */
		ssize_t w = send(fd, line + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = errno;
			close(fd);
			return rc;
		}
		off += (size_t)w;
	}
	if (hx_read_line(fd, reply, size) <= 0)
		rc = EPIPE;
	close(fd);
	return rc;
}

int
hx_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	/* Not counting the directory's own descriptor. */
	return n - 1;
}

int
hx_claim_queue(int chan)
{
	for (int fd = 3; fd < 4096; fd++) {
		int type = 0, domain = 0;
		socklen_t len = sizeof(type);

		if (fd == chan ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
		    type != SOCK_SEQPACKET)
			continue;
		len = sizeof(domain);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
		    domain == AF_UNIX)
			return fd;
	}
	return -1;
}

void
hx_wait_file(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;

	while (stat(path, &st) != 0)
		nanosleep(&ts, NULL);
}

const char *
hx_errname(int e)
{
	const char *s = e == 0 ? "OK" : strerrorname_np(e);

	return s != NULL ? s : "unknown";
}
