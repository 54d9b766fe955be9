/*
 * Shared bits of the habit fixtures: programs that behave like real
 * servers, clients and daemons (prefork, threads, re-exec, daemonise,
 * epoll, signals) and know nothing of capwrap.
 */
#ifndef HX_H
#define HX_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Dial the abstract NAME, send MSG and a newline, read the reply line
 * into reply.  Returns 0, or the errno of the step that failed (connect,
 * write, read: EPIPE when the peer closed without answering).
 */
int hx_dial(const char *name, const char *msg, char *reply, size_t size);

/* Read one line (up to a newline or EOF) from fd; its length or -1. */
ssize_t hx_read_line(int fd, char *buf, size_t size);

/* How many descriptors this process has open, from /proc/self/fd. */
int hx_count_fds(void);

/*
 * The claim queue the shim holds: the AF_UNIX seqpacket socket that is
 * not the channel (descriptor chan); -1 if none.
 */
int hx_claim_queue(int chan);

/* Block until PATH exists (a test's go-file), polling every 10 ms. */
void hx_wait_file(const char *path);

/* The errno's name, for output lines tests match on. */
const char *hx_errname(int);

#endif
