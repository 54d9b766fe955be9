/*
 * Can the shim enter a program image?  The dynamic loader ignores
 * LD_PRELOAD for a static executable and drops it under secure execution
 * (set-user-ID, set-group-ID, file capabilities); an image of another ELF
 * class or machine, or one with another program interpreter, cannot load
 * this shim; a Go program makes its own system calls.  Any of those would
 * run with no gate.  The launcher asks before it starts a service, the
 * shim before every exec and spawn of one.
 *
 * The check may run in a vfork() child: it writes only the caller's
 * buffers, takes no lock and allocates nothing.  It costs one open, an
 * fstat and a pread of the file's first bytes for an ordinary ELF.
 */
#ifndef CAPWRAP_IMAGE_H
#define CAPWRAP_IMAGE_H

#include <sys/stat.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>

/* What an image is; the refusals are numbered from 1 (they go on the wire). */
enum image_verdict {
	/* not an openable regular file: the kernel's to refuse */
	IMAGE_UNOPENED = -2,
	/* neither ELF nor #!: the kernel would say ENOEXEC */
	IMAGE_NOEXEC = -1,
	IMAGE_OK = 0, /* dynamic, for this loader: the shim enters it */
	IMAGE_STATIC = 1,
	IMAGE_SETUID,
	IMAGE_SETGID,
	IMAGE_FILECAPS,
	IMAGE_CREDS_APART, /* the caller's real and effective IDs differ */
	IMAGE_FOREIGN,	   /* another ELF class, byte order or machine */
	IMAGE_INTERP,	   /* another program interpreter */
	IMAGE_GO,
	IMAGE_UNREADABLE, /* executable but not readable: cannot be checked */
	IMAGE_MALFORMED,
	IMAGE_NESTED, /* too many levels of #! interpreters */
};
#define IMAGE_REFUSALS IMAGE_NESTED

#define IMAGE_PATH_MAX 4096

/* The process that asks: what an image must match to carry the shim. */
struct image_host {
	uint8_t elf_class, elf_data;
	uint16_t machine;
	char interp[256]; /* the program interpreter it runs under */
	dev_t interp_dev;
	ino_t interp_ino;
};

/* Fill host from the running process; -1 if its loader is unknown. */
int image_host_init(struct image_host *host);

/*
 * Check the image exec would start: path relative to dirfd (AT_FDCWD),
 * or dirfd itself with AT_EMPTY_PATH and an empty path.  flags are
 * execveat's.  Returns a verdict; for a refusal, refused holds the file
 * refused (path itself, or the #! interpreter behind it).
 */
int image_check(int dirfd, const char *path, int flags,
    const struct image_host *host, char refused[IMAGE_PATH_MAX]);

/*
 * Secure execution, decided as the kernel does: for a set-user-ID file
 * whose owner is not the effective uid, a set-group-ID file whose group
 * is not the effective gid, a process whose real and effective IDs
 * already differ, and file capabilities unless the caller is root (root
 * gains nothing from them, so the kernel keeps AT_SECURE off).
 * IMAGE_OK when none applies.
 */
int image_secure_exec(const struct stat *st, bool has_caps, uid_t ruid,
    uid_t euid, gid_t rgid, gid_t egid);

/* The reason as a phrase: "statically linked: the shim cannot enter it". */
const char *image_reason(int verdict);

#endif
