/*
 * A service's stdout or stderr, read from a pipe and written line by line
 * to capwrap's own, each line prefixed with the service's name.
 */
#ifndef CAPWRAP_OUTPUT_H
#define CAPWRAP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"

#define OUTPUT_LINE_MAX 4096

struct output {
	struct watch watch;
	const char *prefix;
	int width; /* names are padded to line up */
	int dest_fd;
	const char *color; /* escape sequence, or NULL */
	char *buf;	   /* OUTPUT_LINE_MAX bytes, from the first read */
	size_t len;
	bool open;
};

/*
 * Make a pipe; returns the write end for the service and watches the read
 * end.  -1 on failure.
 */
int output_open(struct output *, const char *prefix, int width, int dest_fd,
    const char *color);
/* Flush what is left of a last line without a newline and stop watching. */
void output_close(struct output *);
/* Drain whatever the pipe holds now (at exit). */
void output_drain(struct output *);

#endif
