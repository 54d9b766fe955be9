/*
 * capwrap's own stdout and stderr while it runs a topology: whoever reads
 * them (a terminal, a pipe, a logger) may stop reading, and the launcher's
 * single event loop must not stop with it.  Lines to them are written
 * without blocking; a line that does not fit now is dropped and counted,
 * and the count is told on the next line that does fit.
 */
#ifndef CAPWRAP_SINK_H
#define CAPWRAP_SINK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Make writes to fd (1 or 2) non-blocking without touching the open file
 * description capwrap inherited, which its parent shares: a pipe or a
 * terminal is opened anew in its place, a socket is sent to with
 * MSG_DONTWAIT.  A regular file is left as it is.
 */
void sink_init(int fd);
/*
 * Write one whole line (it ends with a newline; at most PIPE_BUF bytes,
 * which a pipe takes whole); dropped if it must wait.
 */
void sink_line(int fd, const char *line, size_t len);
/* Format one line and write it as sink_line does. */
void sink_printf(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
