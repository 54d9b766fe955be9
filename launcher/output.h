/*
 * A service's stdout or stderr, read from a pipe and written line by line
 * to capwrap's own, each line prefixed with the service's name (and with
 * --timestamps, the time it was read).  A line stays one line up to
 * OUTPUT_LINE_MAX bytes; a longer one is cut there, with a marker, and
 * the rest of it up to its newline is dropped.
 */
#ifndef CAPWRAP_OUTPUT_H
#define CAPWRAP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"

#define OUTPUT_LINE_MAX (1024 * 1024)
/* What a buffer starts with; it grows only for a long line. */
#define OUTPUT_BUF_START 4096

struct output {
	struct watch watch;
	const char *prefix;
	int width; /* names are padded to line up */
	int dest_fd;
	const char *color; /* escape sequence, or NULL */
	char *buf;	   /* from the first read, cap bytes */
	size_t cap, len;
	size_t scanned; /* bytes of buf known to hold no newline */
	bool skipping;	/* dropping the rest of a line cut */
	bool open;
};

/*
 * Make a pipe; returns the write end for the service and watches the read
 * end.  -1 on failure.
 */
int output_open(struct output *, const char *prefix, int width, int dest_fd,
    const char *color);
/* Whether each line gets the time it was read (run --timestamps). */
void output_timestamps(bool);
/* Flush what is left of a last line without a newline and stop watching. */
void output_close(struct output *);
/* Drain whatever the pipe holds now (at exit). */
void output_drain(struct output *);

#endif
