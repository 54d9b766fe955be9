#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "sink.h"

/*
 * Write one line of a service's output with its prefix, in pieces that
 * each fit one write a pipe takes whole (PIPE_BUF): lines of different
 * services never interleave, and a long line is split, never cut.  Never
 * blocks: a reader that stops reading costs lines (sink.h), not the loop.
 */
static void
emit(struct output *o, const char *line, size_t len)
{
	char out[PIPE_BUF];
	size_t head, room, take;
	int n;

	if (o->color != NULL)
		n = snprintf(out, sizeof(out), "%s%-*s |\033[0m ", o->color,
		    o->width, o->prefix);
	else
		n = snprintf(out, sizeof(out), "%-*s | ", o->width, o->prefix);
	head = n < 0 ? 0 : (size_t)n;
	if (head > sizeof(out) / 2)
		head = sizeof(out) / 2;
	room = sizeof(out) - head - 1;
	do {
		take = len < room ? len : room;
		memcpy(out + head, line, take);
		out[head + take] = '\n';
		sink_line(o->dest_fd, out, head + take + 1);
		line += take;
		len -= take;
	} while (len > 0);
}

/* Emit every complete line in the buffer; a full buffer counts as a line. */
static void
emit_lines(struct output *o)
{
	size_t start = 0;

	for (size_t i = 0; i < o->len; i++) {
		if (o->buf[i] == '\n') {
			emit(o, o->buf + start, i - start);
			start = i + 1;
		}
	}
	if (start == 0 && o->len == OUTPUT_LINE_MAX) {
		emit(o, o->buf, o->len);
		start = o->len;
	}
	memmove(o->buf, o->buf + start, o->len - start);
	o->len -= start;
}

enum read_result { READ_GOT, READ_NOTHING_NOW, READ_EOF };

static enum read_result
read_some(struct output *o)
{
	ssize_t n;

	/* An event of the same epoll batch may come after the close. */
	if (!o->open)
		return READ_EOF;
	/* Most services say little or nothing: the buffer comes with the first
	 * word. */
	if (o->buf == NULL && (o->buf = malloc(OUTPUT_LINE_MAX)) == NULL)
		return READ_NOTHING_NOW;
	do
		n = read(o->watch.fd, o->buf + o->len,
		    OUTPUT_LINE_MAX - o->len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return READ_NOTHING_NOW;
	if (n <= 0)
		return READ_EOF;
	o->len += (size_t)n;
	emit_lines(o);
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
	if (o->len > 0)
		emit(o, o->buf, o->len);
	o->len = 0;
	loop_del(&o->watch);
	close(o->watch.fd);
	o->open = false;
	free(o->buf);
	o->buf = NULL;
}
