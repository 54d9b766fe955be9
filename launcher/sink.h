/*
 * capwrap's own stdout and stderr while it runs a topology: whoever reads
 * them (a terminal, a pipe, a logger) may stop reading, and the launcher's
 * single event loop must not stop with it.  Lines to them are written
 * without blocking.  What the reader does not take now waits in a queue
 * of at most SINK_QUEUE_MAX bytes, written out as it becomes writable: a
 * line is written whole or not at all, and a line begun is always
 * finished before the next one starts, so lines never interleave (stdout
 * and stderr on one pipe or terminal share one queue).  A line that finds
 * the queue full is dropped and counted, and the count is told on the
 * next line that fits.
 */
#ifndef CAPWRAP_SINK_H
#define CAPWRAP_SINK_H

#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>

#define SINK_QUEUE_MAX (2 * 1024 * 1024)

/*
 * Make writes to fd (1 or 2) non-blocking without touching the open file
 * description capwrap inherited, which its parent shares: a pipe or a
 * terminal is opened anew in its place, a socket is sent to with
 * MSG_DONTWAIT.  A regular file is left as it is.
 */
void sink_init(int fd);
/*
 * capwrap's own messages (stdio's stderr) go through the sink from now
 * on, each line whole: never into the middle of a service's line that
 * the reader has taken only part of.
 */
void sink_take_stderr(void);
/* Write one whole line (it ends with a newline), or queue or drop it. */
void sink_line(int fd, const char *line, size_t len);
/* The same, the line given in pieces. */
void sink_linev(int fd, const struct iovec *iov, int iovcnt);
/*
 * At the end of the run: write out what is queued while the reader takes
 * it, giving up after a second in which it took nothing.
 */
void sink_finish(void);
/* Format one line and write it as sink_line does. */
void sink_printf(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
