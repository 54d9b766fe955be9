/*
 * The launcher is a child subreaper: what a service's main process leaves
 * behind when it exits (a daemon that double-forked, a worker) becomes our
 * child.  A process belongs to the service whose lineage channel it still
 * holds: the shim keeps that descriptor open in every descendant, so the
 * socket's inode names the service.
 */
#ifndef CAPWRAP_ORPHANS_H
#define CAPWRAP_ORPHANS_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Our children, as /proc lists them now.  Returns their number (at most
 * max stored in out), or -1 if /proc cannot be read.
 */
ssize_t orphans_children(pid_t *out, size_t max);

/* True if pid has a descriptor open on the socket with inode ino. */
bool orphans_holds_socket(pid_t pid, uint64_t ino);

#endif
