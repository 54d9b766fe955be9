#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "linefmt.h"
#include "sink.h"

struct sink {
	bool socket;
	uint64_t dropped, told;
};

static struct sink sinks[3];

void
sink_init(int fd)
{
	char path[64];
	struct stat st;
	int nfd;

	if (fd < 1 || fd > 2 || fstat(fd, &st) != 0)
		return;
	sinks[fd].socket = S_ISSOCK(st.st_mode);
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return;
	/*
	 * A new open file description, O_NONBLOCK for us alone, in place of
	 * the one we share with our parent.  capwrap's other messages
	 * (fprintf to stderr) then never wait either: one that does not fit
	 * is lost.  Services never see fd 1 or 2 of ours: theirs are pipes.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (nfd >= 0 && nfd != fd) {
		(void)dup2(nfd, fd);
		close(nfd);
	}
}

static ssize_t
put(const struct sink *s, int fd, const char *buf, size_t len)
{
	ssize_t w;

	do {
		if (s->socket)
			w = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = write(fd, buf, len);
	} while (w < 0 && errno == EINTR);
	return w;
}

void
sink_line(int fd, const char *line, size_t len)
{
	struct sink *s = fd >= 1 && fd <= 2 ? &sinks[fd] : &sinks[0];
	char note[128];
	int n;

	if (s->dropped > s->told) {
		n = snprintf(note, sizeof(note),
		    "capwrap: %llu lines of output "
		    "dropped: their reader was not keeping up\n",
		    (unsigned long long)(s->dropped - s->told));
		if (put(s, fd, note, (size_t)n) == n)
			s->told = s->dropped;
	}
	if (s->dropped > s->told || put(s, fd, line, len) != (ssize_t)len)
		s->dropped++;
}

void
sink_printf(int fd, const char *fmt, ...)
{
	char line[PIPE_BUF];
	va_list ap;
	bool cut;
	int n;

	va_start(ap, fmt);
	n = linefmt_v(line, sizeof(line), &cut, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Its last byte gives way to the newline every line ends with. */
	if (cut)
		line[n++] = '\n';
	sink_line(fd, line, (size_t)n);
}
