#include <sys/stat.h>
#include <sys/xattr.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "target.h"

/* Does an ELF file ask for a program interpreter (the dynamic loader)? */
static int
elf_is_dynamic(int fd, bool *dynamic)
{
	unsigned char ident[EI_NIDENT];
	size_t phoff, phentsize, phnum;

	if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident))
		return -1;
	if (ident[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -1;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		if (phentsize != sizeof(Elf64_Phdr))
			return -1;
		for (size_t i = 0; i < phnum && i < 4096; i++) {
			Elf64_Phdr ph;

			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + i *
			    phentsize)) != (ssize_t)sizeof(ph))
				return -1;
			if (ph.p_type == PT_INTERP) {
				*dynamic = true;
				return 0;
			}
		}
	} else if (ident[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -1;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		if (phentsize != sizeof(Elf32_Phdr))
			return -1;
		for (size_t i = 0; i < phnum && i < 4096; i++) {
			Elf32_Phdr ph;

			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + i *
			    phentsize)) != (ssize_t)sizeof(ph))
				return -1;
			if (ph.p_type == PT_INTERP) {
				*dynamic = true;
				return 0;
			}
		}
	} else
		return -1;
	*dynamic = false;
	return 0;
}

static int
check_depth(const char *path, char *why, size_t size, int depth)
{
	char head[256], interp[4096];
	struct stat st;
	bool dynamic;
	ssize_t n;
	int fd, rc = -1;

	if (depth > 4) {
		snprintf(why, size, "%s: too many levels of #! interpreters", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_mode & (S_ISUID | S_ISGID)) {
		snprintf(why, size, "%s is set-user-ID or set-group-ID: the "
		    "dynamic loader would drop the shim", path);
		goto out;
	}
	if (fgetxattr(fd, "security.capability", NULL, 0) >= 0) {
		snprintf(why, size, "%s has file capabilities: the dynamic "
		    "loader would drop the shim", path);
		goto out;
	}
	n = pread(fd, head, sizeof(head) - 1, 0);
	if (n < 4) {
		snprintf(why, size, "%s: not an executable format capwrap "
		    "knows", path);
		goto out;
	}
	head[n] = '\0';
	if (head[0] == '#' && head[1] == '!') {
		/* A script: the interpreter is what gets the shim. */
		char *p = head + 2, *end;

		p += strspn(p, " \t");
		end = p + strcspn(p, " \t\n");
		*end = '\0';
		if (*p == '\0' || spawn_resolve(p, interp, sizeof(interp)) != 0) {
			snprintf(why, size, "%s: interpreter %s not found", path, p);
			goto out;
		}
		rc = check_depth(interp, why, size, depth + 1);
		goto out;
	}
	if (memcmp(head, ELFMAG, SELFMAG) != 0 ||
	    elf_is_dynamic(fd, &dynamic) != 0) {
		snprintf(why, size, "%s: not an executable format capwrap "
		    "knows", path);
		goto out;
	}
	if (!dynamic) {
		snprintf(why, size, "%s is statically linked: the shim cannot "
		    "be preloaded into it", path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int
target_check(const char *path, char *why, size_t size)
{
	return check_depth(path, why, size, 0);
}
