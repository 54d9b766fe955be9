#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linefmt.h"
#include "loop.h"
#include "sink.h"

struct sink {
	int fd;
	bool socket;
	uint64_t dropped, told;
	char *q; /* what the reader has not taken yet: q[qoff..qlen) */
	size_t qlen, qoff, qcap;
	/*
	 * An epoll descriptor watching fd for EPOLLOUT, itself watched by
	 * the loop (which watches for input only) while anything is queued.
	 */
	struct watch w;
	bool armed;
};

static struct sink sinks[3] = {
	{ .fd = -1, .w.fd = -1 },
	{ .fd = 1, .w.fd = -1 },
	{ .fd = 2, .w.fd = -1 },
};
/* stderr's sink: stdout's when both are one pipe, terminal or socket. */
static struct sink *err_sink = &sinks[2];

static struct sink *
sink_of(int fd)
{
	if (fd == 1)
		return &sinks[1];
	if (fd == 2)
		return err_sink;
	return &sinks[0];
}

void
sink_init(int fd)
{
	char path[64];
	struct stat st, out;
	int nfd;

	if (fd < 1 || fd > 2 || fstat(fd, &st) != 0)
		return;
	sinks[fd].socket = S_ISSOCK(st.st_mode);
	if (fd == 2 && !S_ISREG(st.st_mode) && fstat(1, &out) == 0 &&
	    out.st_dev == st.st_dev && out.st_ino == st.st_ino)
		err_sink = &sinks[1];
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
put(const struct sink *s, const struct iovec *iov, int iovcnt)
{
	struct msghdr m = { .msg_iov = (struct iovec *)iov,
		.msg_iovlen = (size_t)iovcnt };
	ssize_t w;

	do {
		if (s->socket)
			w = sendmsg(s->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			w = writev(s->fd, iov, iovcnt);
	} while (w < 0 && errno == EINTR);
	return w;
}

static void on_writable(struct watch *, uint32_t);

/* Have the loop call on_writable once the reader takes more. */
static bool
arm(struct sink *s)
{
	struct epoll_event ev = { .events = EPOLLOUT };

	if (s->armed)
		return true;
	if (s->w.fd < 0) {
		int ep = epoll_create1(EPOLL_CLOEXEC);

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) != 0) {
			if (ep >= 0)
				close(ep);
			return false;
		}
		s->w = (struct watch){ .fd = ep, .fn = on_writable, .ctx = s };
	}
	s->armed = loop_add(&s->w) == 0;
	return s->armed;
}

/* Write what is queued; false if the reader is gone or cannot be waited on. */
static bool
flush(struct sink *s)
{
	while (s->qoff < s->qlen) {
		struct iovec iov = { s->q + s->qoff, s->qlen - s->qoff };
		ssize_t w = put(s, &iov, 1);

		if (w > 0) {
			s->qoff += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EAGAIN && arm(s))
			return true;
		/* Its reader is gone: what it did not take is lost. */
		s->qoff = s->qlen;
		s->dropped++;
		break;
	}
	s->qoff = s->qlen = 0;
	if (s->armed) {
		loop_del(&s->w);
		s->armed = false;
	}
	return s->dropped == s->told;
}

static void
on_writable(struct watch *w, uint32_t events)
{
	(void)flush(w->ctx);
}

/* Queue iov from byte skip on; a line begun is queued even over the max. */
static bool
enqueue(struct sink *s, const struct iovec *iov, int iovcnt, size_t skip)
{
	size_t total = 0;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (skip == 0 && s->qlen - s->qoff + total > SINK_QUEUE_MAX)
		return false;
	/* Written bytes go once they are half the buffer, or in the way. */
	if (s->qoff > 0 &&
	    (s->qoff >= s->qcap / 2 || s->qlen + total - skip > s->qcap)) {
		memmove(s->q, s->q + s->qoff, s->qlen - s->qoff);
		s->qlen -= s->qoff;
		s->qoff = 0;
	}
	if (s->qlen + total - skip > s->qcap) {
		size_t ncap = s->qcap * 2 > PIPE_BUF ? s->qcap * 2 : PIPE_BUF;
		char *nq;

		if (ncap < s->qlen + total - skip)
			ncap = s->qlen + total - skip;
		if ((nq = realloc(s->q, ncap)) == NULL)
			return false;
		s->q = nq;
		s->qcap = ncap;
	}
	for (int i = 0; i < iovcnt; i++) {
		size_t off = skip < iov[i].iov_len ? skip : iov[i].iov_len;

		memcpy(s->q + s->qlen, (const char *)iov[i].iov_base + off,
		    iov[i].iov_len - off);
		s->qlen += iov[i].iov_len - off;
		skip -= off;
	}
	return true;
}

/* Write the line now if nothing waits before it, else queue it. */
static bool
send_line(struct sink *s, const struct iovec *iov, int iovcnt)
{
	size_t total = 0;
	ssize_t w = 0;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (s->qoff == s->qlen) {
		w = put(s, iov, iovcnt);
		if (w >= 0 && (size_t)w == total)
			return true;
		if (w < 0 && errno != EAGAIN)
			return false;
		if (w < 0)
			w = 0;
	}
	if (!enqueue(s, iov, iovcnt, (size_t)w)) {
		/* Out of memory with part of it written: end it there. */
		if (w > 0)
			(void)enqueue(s, &(struct iovec){ "\n", 1 }, 1, 0);
		return false;
	}
	return arm(s) || flush(s);
}

/* How many lines were dropped since last told, if any; true if told. */
static bool
tell(struct sink *s)
{
	char note[128];
	int n;

	if (s->dropped == s->told)
		return true;
	n = snprintf(note, sizeof(note),
	    "capwrap: %llu lines of output "
	    "dropped: their reader was not keeping up\n",
	    (unsigned long long)(s->dropped - s->told));
	if (!send_line(s, &(struct iovec){ note, (size_t)n }, 1))
		return false;
	s->told = s->dropped;
	return true;
}

void
sink_linev(int fd, const struct iovec *iov, int iovcnt)
{
	struct sink *s = sink_of(fd);

	if (s->qoff < s->qlen)
		(void)flush(s);
	if (!tell(s) || !send_line(s, iov, iovcnt))
		s->dropped++;
}

/* Wait for the reader to take the queue: false after a second of nothing. */
static bool
drain(struct sink *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLOUT };

	while (s->qoff < s->qlen && poll(&p, 1, 1000) > 0)
		(void)flush(s);
	return s->qoff == s->qlen;
}

void
sink_line(int fd, const char *line, size_t len)
{
	sink_linev(fd, &(struct iovec){ (void *)line, len }, 1);
}

/* capwrap's own messages, gathered into lines for the sink. */
static char err_line[PIPE_BUF];
static size_t err_len;

static ssize_t
stderr_write(void *cookie, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		/* A message too long for one line is cut; its newline stays. */
		if (err_len < sizeof(err_line) - 1 || buf[i] == '\n')
			err_line[err_len++] = buf[i];
		if (buf[i] == '\n') {
			sink_line(STDERR_FILENO, err_line, err_len);
			err_len = 0;
		}
	}
	return (ssize_t)len;
}

void
sink_take_stderr(void)
{
	cookie_io_functions_t io = { .write = stderr_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		return;
	(void)setvbuf(f, NULL, _IONBF, 0);
	stderr = f;
}

void
sink_finish(void)
{
	if (err_len > 0)
		(void)stderr_write(NULL, "\n", 1);
	for (int i = 1; i <= 2; i++) {
		struct sink *s = &sinks[i];

		/* The last count, as the last line. */
		if (drain(s) && tell(s))
			(void)drain(s);
		if (s->armed)
			loop_del(&s->w);
		s->armed = false;
		if (s->w.fd >= 0)
			close(s->w.fd);
		s->w.fd = -1;
		free(s->q);
		s->q = NULL;
		s->qlen = s->qoff = s->qcap = 0;
	}
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
