#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "sink.h"

/* OUTPUT_LINE_MAX in the marker of a line cut, as text. */
#define OUTPUT_LINE_MAX_DIGITS 1048576
#define STR_(x) #x
#define STR(x) STR_(x)
_Static_assert(OUTPUT_LINE_MAX == OUTPUT_LINE_MAX_DIGITS, "the marker's size");

static bool with_timestamps;

void
output_timestamps(bool on)
{
	with_timestamps = on;
}

/* "2026-03-01T12:00:00.123Z ": UTC, RFC 3339, to the millisecond. */
static size_t
timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    (n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0)
		return 0;
	return n +
	    (size_t)snprintf(buf + n, size - n, ".%03ldZ ",
		ts.tv_nsec / 1000000);
}

/*
 * Write one line of a service's output with its prefix, whole, as one
 * line to the sink: lines of different services never interleave, and a
 * long one is not split.  Never blocks: a reader that stops reading costs
 * lines (sink.h), not the loop.
 */
static void
emit(struct output *o, const char *line, size_t len, bool cut)
{
	static const char marker[] = " [capwrap: line cut at " STR(
	    OUTPUT_LINE_MAX_DIGITS) " bytes]\n";
	char head[256];
	size_t n = with_timestamps ? timestamp(head, sizeof(head)) : 0;
	struct iovec iov[3];

	if (o->color != NULL)
		snprintf(head + n, sizeof(head) - n, "%s%-*s |\033[0m ",
		    o->color, o->width, o->prefix);
	else
		snprintf(head + n, sizeof(head) - n, "%-*s | ", o->width,
		    o->prefix);
	iov[0] = (struct iovec){ head, strlen(head) };
	iov[1] = (struct iovec){ (void *)line, len };
	if (cut)
		iov[2] = (struct iovec){ (void *)marker, sizeof(marker) - 1 };
	else
		iov[2] = (struct iovec){ (void *)"\n", 1 };
	sink_linev(o->dest_fd, iov, 3);
}

/*
 * Emit every complete line in the buffer; a full buffer is a line cut,
 * and what follows it up to its newline is dropped.
 */
static void
emit_lines(struct output *o)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(o->buf + o->scanned, '\n', o->len - o->scanned)) !=
	    NULL) {
		size_t end = (size_t)(nl - o->buf);

		if (!o->skipping)
			emit(o, o->buf + start, end - start, false);
		o->skipping = false;
		start = o->scanned = end + 1;
	}
	o->scanned = o->len;
	if (start == 0 && o->len == OUTPUT_LINE_MAX && !o->skipping) {
		emit(o, o->buf, o->len, true);
		o->skipping = true;
	}
	if (o->skipping)
		start = o->len;
	memmove(o->buf, o->buf + start, o->len - start);
	o->len -= start;
	o->scanned -= start;
}

/*
 * Room to read into: most services say little or nothing, so the buffer
 * comes with the first word, and grows (doubling) only for a long line.
 */
static bool
make_room(struct output *o)
{
	size_t ncap;
	char *nb;

	if (o->len < o->cap)
		return true;
	if (o->cap >= OUTPUT_LINE_MAX)
		return false;
	ncap = o->cap == 0 ? OUTPUT_BUF_START : o->cap * 2;
	if (ncap > OUTPUT_LINE_MAX)
		ncap = OUTPUT_LINE_MAX;
	if ((nb = realloc(o->buf, ncap)) == NULL)
		return false;
	o->buf = nb;
	o->cap = ncap;
	return true;
}

enum read_result { READ_GOT, READ_NOTHING_NOW, READ_EOF };

static enum read_result
read_some(struct output *o)
{
	ssize_t n;

	/* An event of the same epoll batch may come after the close. */
	if (!o->open)
		return READ_EOF;
	if (!make_room(o))
		return READ_NOTHING_NOW;
	do
		n = read(o->watch.fd, o->buf + o->len, o->cap - o->len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return READ_NOTHING_NOW;
	if (n <= 0)
		return READ_EOF;
	o->len += (size_t)n;
	emit_lines(o);
	/* A long line's buffer goes with it. */
	if (o->len == 0 && o->cap > OUTPUT_BUF_START) {
		free(o->buf);
		o->buf = NULL;
		o->cap = 0;
	}
	return READ_GOT;
}

static void
on_output(struct watch *w, uint32_t events)
{
	struct output *o = w->ctx;

	if (read_some(o) == READ_EOF)
		output_close(o);
}

int
output_open(struct output *o, const char *prefix, int width, int dest_fd,
    const char *color)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	memset(o, 0, sizeof(*o));
	o->prefix = prefix;
	o->width = width;
	o->dest_fd = dest_fd;
	o->color = color;
	o->watch = (struct watch){ .fd = p[0], .fn = on_output, .ctx = o };
	if (loop_add(&o->watch) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	o->open = true;
	return p[1];
}

void
output_drain(struct output *o)
{
	enum read_result r = READ_GOT;

	while (o->open && r == READ_GOT)
		r = read_some(o);
	if (r == READ_EOF)
		output_close(o);
}

void
output_close(struct output *o)
{
	if (!o->open)
		return;
	if (o->len > 0 && !o->skipping)
		emit(o, o->buf, o->len, false);
	o->len = 0;
	loop_del(&o->watch);
	close(o->watch.fd);
	o->open = false;
	free(o->buf);
	o->buf = NULL;
	o->cap = o->len = o->scanned = 0;
	o->skipping = false;
}
