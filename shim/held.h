/*
 * Descriptors the shim holds for the service (held.c): the reap page and
 * the claim queue.
 */
#ifndef CAPSHIM_HELD_H
#define CAPSHIM_HELD_H

#include <sys/stat.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum held_kind { HELD_PAGE, HELD_CLAIMS, HELD_KINDS };

/* An entry "NAME=FD:DEV:INO" with its NUL, at most. */
#define HELD_ENTRY_MAX 96

/* A descriptor the shim holds, and the file it was when it came. */
struct held_file {
	atomic_int fd; /* -1 if none */
	_Atomic uint64_t dev, ino;
};

extern struct held_file held_files[HELD_KINDS];

/* Take up what the image before this one held (its environment). */
void held_init(void);

/* Whether this image holds one (else a grant should bring it). */
bool held_have(enum held_kind kind);

/*
 * Hold a duplicate of fd, whose fstat() is *st, unless one is held;
 * only the process that owns the channel (not a vfork child) may.
 * Returns false if none is held afterwards; fd stays the caller's.
 */
bool held_take(enum held_kind kind, int fd, const struct stat *st, bool owner);

/* The program closes descriptors first..last: what was there goes. */
void held_forget(unsigned first, unsigned last);

/*
 * The descriptor, if it still is the file that came (and of its kind's
 * file type), with its fstat() in *st if st is not NULL; else the hold
 * is let go, without a close (the number is the program's now) and -1.
 */
int held_checked(enum held_kind kind, struct stat *st);

/*
 * "NAME=FD:DEV:INO" naming the held descriptor itself, as a new image
 * that took it up finds it in its environment; "" if none is held.
 */
void held_env_entry(enum held_kind kind, char *buf, size_t len);

/* The variable's name with its '=', for kind. */
const char *held_env_prefix(enum held_kind kind);

/*
 * Descriptors are held close-on-exec, so that an exec the shim does not
 * see (inside the C library, past the shim) passes on none of them.  An
 * exec hook passes on a duplicate made for that exec alone, without
 * close-on-exec, and closes it once the exec failed or the spawn is
 * done: the flags of the held numbers never change, whatever a program
 * thread does to them meanwhile.  Into entry, "NAME=FD:DEV:INO" naming
 * the duplicate (and the duplicate returned), or "" and -1.  No lock, no
 * allocation: safe in a vfork child.
 */
int held_dup_for_exec(enum held_kind kind, char *entry, size_t len);

#endif
