/*
 * The image check of image.h.  Compiled into both the shim and the
 * launcher; libc only, and safe in a vfork() child: no allocation, no
 * lock, nothing written but the caller's buffers.
 */
#include <sys/stat.h>
#include <sys/xattr.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

#define HEAD_SIZE 2048 /* ELF header, program headers, interpreter, mostly */
#define PHDRS_MAX 64
#define NOTE_MAX 1024
#define NESTING_MAX 4	  /* the kernel's BINPRM_MAX_RECURSION */
#define SHEBANG_MAX 256	  /* the kernel's BINPRM_BUF_SIZE */
#define GO_BUILDID_NOTE 4 /* cmd/link: ELF_NOTE_GOBUILDID_TAG */

/* The ELF header of the object this file is linked into (GNU ld). */
extern const ElfW(Ehdr) __ehdr_start;

struct image {
	int fd;
	size_t head_len;
	unsigned char head[HEAD_SIZE];
};

static int check_depth(int, const char *, int, const struct image_host *,
    char *, int);

static int
find_interp(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct image_host *host = arg;

	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_INTERP) {
			snprintf(host->interp, sizeof(host->interp), "%s",
			    (const char *)(info->dlpi_addr +
				info->dlpi_phdr[i].p_vaddr));
			break;
		}
	return 1; /* the first object is the program itself */
}

/*
 * Without a loader of its own (the loader run as a program), the host
 * knows none, and every dynamic image is refused: closed, not open.
 */
int
image_host_init(struct image_host *host)
{
	struct stat st;

	memset(host, 0, sizeof(*host));
	host->elf_class = __ehdr_start.e_ident[EI_CLASS];
	host->elf_data = __ehdr_start.e_ident[EI_DATA];
	host->machine = __ehdr_start.e_machine;
	(void)dl_iterate_phdr(find_interp, host);
	if (host->interp[0] == '\0' || stat(host->interp, &st) != 0)
		return -1;
	host->interp_dev = st.st_dev;
	host->interp_ino = st.st_ino;
	return 0;
}

/* len bytes at off: from the bytes read at open, or read now. */
static int
image_read(const struct image *im, void *dst, size_t len, uint64_t off)
{
	if (off <= im->head_len && len <= im->head_len - off) {
		memcpy(dst, im->head + off, len);
		return 0;
	}
	if (off > INT64_MAX)
		return -1;
	return pread(im->fd, dst, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* Does a PT_NOTE segment hold the Go build ID note? */
static bool
has_go_note(const struct image *im, const ElfW(Phdr) * ph)
{
	unsigned char buf[NOTE_MAX];
	size_t len = ph->p_filesz < sizeof(buf) ? ph->p_filesz : sizeof(buf);
	size_t align = ph->p_align == 8 ? 8 : 4, off = 0;
	ElfW(Nhdr) n;

	if (image_read(im, buf, len, ph->p_offset) != 0)
		return false;
	while (off + sizeof(n) <= len) {
		memcpy(&n, buf + off, sizeof(n));
		off += sizeof(n);
		/* cmd/link writes the owner as "Go\0\0", namesz 4. */
		if ((n.n_namesz == 3 || n.n_namesz == 4) &&
		    n.n_type == GO_BUILDID_NOTE && off + 3 <= len &&
		    memcmp(buf + off, "Go", 3) == 0)
			return true;
		off += ((size_t)n.n_namesz + align - 1) & ~(align - 1);
		off += ((size_t)n.n_descsz + align - 1) & ~(align - 1);
	}
	return false;
}

/* Is the PT_INTERP the loader the host runs under (the same file)? */
static int
check_interp(const struct image *im, const ElfW(Phdr) * ph,
    const struct image_host *host)
{
	char interp[sizeof(host->interp)];
	struct stat st;

	if (ph->p_filesz < 2 || ph->p_filesz > sizeof(interp))
		return IMAGE_INTERP;
	if (image_read(im, interp, ph->p_filesz, ph->p_offset) != 0 ||
	    interp[ph->p_filesz - 1] != '\0')
		return IMAGE_MALFORMED;
	if (strcmp(interp, host->interp) == 0)
		return IMAGE_OK;
	if (stat(interp, &st) != 0 || st.st_dev != host->interp_dev ||
	    st.st_ino != host->interp_ino)
		return IMAGE_INTERP;
	return IMAGE_OK;
}

static int
check_elf(const struct image *im, const struct image_host *host)
{
	ElfW(Phdr) ph[PHDRS_MAX];
	const ElfW(Phdr) *interp = NULL;
	ElfW(Ehdr) eh;

	if (im->head[EI_CLASS] != host->elf_class ||
	    im->head[EI_DATA] != host->elf_data)
		return IMAGE_FOREIGN;
	if (image_read(im, &eh, sizeof(eh), 0) != 0)
		return IMAGE_MALFORMED;
	if (eh.e_machine != host->machine)
		return IMAGE_FOREIGN;
	if ((eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    eh.e_phentsize != sizeof(ph[0]) || eh.e_phnum == 0 ||
	    eh.e_phnum > PHDRS_MAX ||
	    image_read(im, ph, eh.e_phnum * sizeof(ph[0]), eh.e_phoff) != 0)
		return IMAGE_MALFORMED;
	/* A cgo program has the host's loader: the Go note decides first. */
	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_NOTE && has_go_note(im, &ph[i]))
			return IMAGE_GO;
		if (ph[i].p_type == PT_INTERP && interp == NULL)
			interp = &ph[i];
	}
	if (interp == NULL)
		return IMAGE_STATIC;
	return check_interp(im, interp, host);
}

int
image_secure_exec(const struct stat *st, bool has_caps, uid_t ruid, uid_t euid,
    gid_t rgid, gid_t egid)
{
	if (ruid != euid || rgid != egid)
		return IMAGE_CREDS_APART;
	if ((st->st_mode & S_ISUID) && st->st_uid != euid)
		return IMAGE_SETUID;
	/* Set-group-ID without group execute is a locking mark, not an ID. */
	if ((st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    st->st_gid != egid)
		return IMAGE_SETGID;
	if (has_caps && euid != 0)
		return IMAGE_FILECAPS;
	return IMAGE_OK;
}

/* The credentials an ELF image would start with keep the preload? */
static int
check_credentials(const struct image *im, const struct stat *st)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	bool caps = false;

	if (getresuid(&ruid, &euid, &suid) != 0 ||
	    getresgid(&rgid, &egid, &sgid) != 0)
		return IMAGE_CREDS_APART;
	/* Root gains nothing by file capabilities: no xattr read for it. */
	if (euid != 0)
		caps = fgetxattr(im->fd, "security.capability", NULL, 0) >= 0;
	return image_secure_exec(st, caps, ruid, euid, rgid, egid);
}

/*
 * The kernel's reading of a #! line: the interpreter is the first word
 * of the first line, within the first SHEBANG_MAX bytes.  Copies it to
 * out; false for a line the kernel refuses (ENOEXEC).
 */
static bool
shebang_interpreter(const struct image *im, char *out, size_t size)
{
	size_t len = im->head_len < SHEBANG_MAX ? im->head_len : SHEBANG_MAX;
	const char *p = (const char *)im->head + 2;
	const char *end = (const char *)im->head + len, *word;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	word = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\0')
		p++;
	if (p == word || p == end || (size_t)(p - word) >= size)
		return false;
	memcpy(out, word, (size_t)(p - word));
	out[p - word] = '\0';
	return true;
}

static int
image_open(int dirfd, const char *path, int flags)
{
	int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0);
	char proc[32];

	if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
		/* Opened again: fexecve takes O_PATH descriptors too. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
		return open(proc, oflags);
	}
	return openat(dirfd, path, oflags);
}

/* A file exec would run but the check cannot read is refused. */
static int
unopened(int dirfd, const char *path, int flags)
{
	int aflags = AT_EACCESS |
	    (flags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));

	return faccessat(dirfd, path, X_OK, aflags) == 0 ? IMAGE_UNREADABLE :
							   IMAGE_UNOPENED;
}

static int
check_file(struct image *im, const struct stat *st,
    const struct image_host *host, char *refused, int depth)
{
	char interp[SHEBANG_MAX];
	int verdict;

	if (im->head_len >= 2 && im->head[0] == '#' && im->head[1] == '!') {
		/* The interpreter gets the shim, or not; the script is its
		 * data. */
		if (!shebang_interpreter(im, interp, sizeof(interp)))
			return IMAGE_NOEXEC;
		return check_depth(AT_FDCWD, interp, 0, host, refused,
		    depth + 1);
	}
	if (im->head_len < SELFMAG || memcmp(im->head, ELFMAG, SELFMAG) != 0)
		return IMAGE_NOEXEC;
	if ((verdict = check_credentials(im, st)) != IMAGE_OK)
		return verdict;
	return check_elf(im, host);
}

static int
check_depth(int dirfd, const char *path, int flags,
    const struct image_host *host, char *refused, int depth)
{
	struct image im;
	struct stat st;
	ssize_t n;
	int verdict;

	if (depth > NESTING_MAX)
		verdict = IMAGE_NESTED;
	else if ((im.fd = image_open(dirfd, path, flags)) < 0)
		verdict = unopened(dirfd, path, flags);
	else {
		if (fstat(im.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (st.st_mode & 0111) == 0)
			verdict = IMAGE_UNOPENED;
		else if ((n = pread(im.fd, im.head, sizeof(im.head), 0)) < 0)
			verdict = IMAGE_UNREADABLE;
		else {
			im.head_len = (size_t)n;
			verdict = check_file(&im, &st, host, refused, depth);
		}
		(void)close(im.fd);
	}
	/* The innermost refusal names its file; the outer levels keep it. */
	if (verdict > 0 && refused[0] == '\0')
		snprintf(refused, IMAGE_PATH_MAX, "%s", path);
	return verdict;
}

int
image_check(int dirfd, const char *path, int flags,
    const struct image_host *host, char refused[IMAGE_PATH_MAX])
{
	refused[0] = '\0';
	return check_depth(dirfd, path, flags, host, refused, 0);
}

const char *
image_reason(int verdict)
{
	switch (verdict) {
	case IMAGE_STATIC:
		return "statically linked: the shim cannot enter it";
	case IMAGE_SETUID:
		return "set-user-ID to another user: secure execution would "
		       "drop the shim";
	case IMAGE_SETGID:
		return "set-group-ID to another group: secure execution would "
		       "drop the shim";
	case IMAGE_FILECAPS:
		return "marked with file capabilities: secure execution would "
		       "drop the shim";
	case IMAGE_CREDS_APART:
		return "run with real and effective IDs apart: secure "
		       "execution would drop the shim";
	case IMAGE_FOREIGN:
		return "built for another ELF class, byte order or machine: "
		       "the shim cannot enter it";
	case IMAGE_INTERP:
		return "linked for another program interpreter: the shim "
		       "cannot enter it";
	case IMAGE_GO:
		return "a Go program: it makes its own system calls, past the "
		       "shim";
	case IMAGE_UNREADABLE:
		return "unreadable: the shim cannot check it";
	case IMAGE_MALFORMED:
		return "a malformed ELF file: the shim cannot check it";
	case IMAGE_NESTED:
		return "nested too deep in #! interpreters";
	}
	return "not an image the shim can enter";
}
