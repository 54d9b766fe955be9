/*
 * The image check (common/image.c) on files made for the purpose: copies
 * of this very program, edited in place to be static, to ask for another
 * loader, to carry a Go build ID or to be of another machine; a 32-bit
 * ELF header; #! scripts; and the secure-execution rule, which root
 * cannot meet in a test (file capabilities, set-user-ID as another user).
 */
#include <sys/stat.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "tap.h"

static char dir[] = "/tmp/capwrap-image.XXXXXX";
static struct image_host host;
static char refused[IMAGE_PATH_MAX];

static int
verdict_of(const char *path)
{
	return image_check(AT_FDCWD, path, 0, &host, refused);
}

static void
write_file(const char *path, const void *bytes, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, bytes, len) != (ssize_t)len || close(fd) != 0) {
		perror(path);
		exit(99);
	}
	chmod(path, mode);
}

/* A copy of this program at dir/name; its path in out. */
static const char *
copy_self(const char *name, char *out, size_t size)
{
	static char buf[1 << 20];
	char *all = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		if ((all = realloc(all, len + (size_t)n)) == NULL)
			exit(99);
		memcpy(all + len, buf, (size_t)n);
		len += (size_t)n;
	}
	close(fd);
	snprintf(out, size, "%s/%s", dir, name);
	write_file(out, all, len, 0755);
	free(all);
	return out;
}

/* The first program header of type in the file at path; -1 if none. */
static int
find_phdr(int fd, unsigned type, ElfW(Phdr) * ph, off_t *at)
{
	ElfW(Ehdr) eh;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return -1;
	for (int i = 0; i < eh.e_phnum; i++) {
		*at = (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize);
		if (pread(fd, ph, sizeof(*ph), *at) == (ssize_t)sizeof(*ph) &&
		    ph->p_type == type)
			return 0;
	}
	return -1;
}

/* Write len bytes at the start of the first segment of type, or its header. */
static int
patch(const char *path, unsigned type, bool header, const void *bytes,
    size_t len)
{
	ElfW(Phdr) ph;
	off_t at;
	int fd = open(path, O_RDWR | O_CLOEXEC), rc = -1;

	if (fd >= 0 && find_phdr(fd, type, &ph, &at) == 0 &&
	    pwrite(fd, bytes, len, header ? at : (off_t)ph.p_offset) ==
		(ssize_t)len)
		rc = 0;
	close(fd);
	return rc;
}

static void
test_secure_exec(void)
{
	struct stat st = { .st_mode = S_IFREG | 04755, .st_uid = 1000 };

	tap_ok(image_secure_exec(&st, false, 0, 0, 0, 0) == IMAGE_SETUID,
	    "root running a set-user-ID file of another owner: refused");
	tap_ok(image_secure_exec(&st, false, 1000, 1000, 1000, 1000) ==
		IMAGE_OK,
	    "its owner running it: nothing changes, allowed");
	st.st_uid = 0;
	tap_ok(image_secure_exec(&st, false, 0, 0, 0, 0) == IMAGE_OK,
	    "root running a set-user-ID-root file: allowed");
	st.st_mode = S_IFREG | 02755;
	st.st_gid = 1000;
	tap_ok(image_secure_exec(&st, false, 0, 0, 0, 0) == IMAGE_SETGID,
	    "a set-group-ID file of another group: refused");
	st.st_mode = S_IFREG | 02745;
	tap_ok(image_secure_exec(&st, false, 0, 0, 0, 0) == IMAGE_OK,
	    "set-group-ID without group execute (a locking mark): allowed");
	st.st_mode = S_IFREG | 0755;
	tap_ok(image_secure_exec(&st, true, 1000, 1000, 1000, 1000) ==
		IMAGE_FILECAPS,
	    "file capabilities run by a user: refused");
	tap_ok(image_secure_exec(&st, true, 0, 0, 0, 0) == IMAGE_OK,
	    "file capabilities run by root: allowed");
	tap_ok(image_secure_exec(&st, false, 1000, 0, 1000, 1000) ==
		IMAGE_CREDS_APART,
	    "real and effective uid apart: refused");
	tap_ok(image_secure_exec(&st, false, 0, 0, 1000, 0) ==
		IMAGE_CREDS_APART,
	    "real and effective gid apart: refused");
}

static void
test_elf(void)
{
	static const ElfW(Nhdr) go = { .n_namesz = 4, .n_type = 4 };
	unsigned char go_note[sizeof(go) + 4];
	Elf32_Ehdr eh32 = { .e_type = ET_EXEC, .e_machine = EM_386 };
	char path[IMAGE_PATH_MAX];
	ElfW(Half) machine = host.machine == EM_AARCH64 ? EM_X86_64 :
							  EM_AARCH64;
	ElfW(Word) null_type = PT_NULL;

	tap_ok(verdict_of(copy_self("self", path, sizeof(path))) == IMAGE_OK,
	    "a copy of this dynamic program: the shim enters it");

	copy_self("static", path, sizeof(path));
	tap_ok(patch(path, PT_INTERP, true, &null_type, sizeof(null_type)) ==
		    0 &&
		verdict_of(path) == IMAGE_STATIC && strcmp(refused, path) == 0,
	    "without PT_INTERP: statically linked, named");

	copy_self("interp", path, sizeof(path));
	tap_ok(patch(path, PT_INTERP, false, "/nonexistent/ld.so",
		   sizeof("/nonexistent/ld.so")) == 0 &&
		verdict_of(path) == IMAGE_INTERP,
	    "another program interpreter: refused");

	copy_self("go", path, sizeof(path));
	memcpy(go_note, &go, sizeof(go));
	memcpy(go_note + sizeof(go), "Go\0", 4);
	tap_ok(patch(path, PT_NOTE, false, go_note, sizeof(go_note)) == 0 &&
		verdict_of(path) == IMAGE_GO,
	    "a Go build ID note: a Go program");

	copy_self("machine", path, sizeof(path));
	{
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		tap_ok(fd >= 0 &&
			pwrite(fd, &machine, sizeof(machine),
			    offsetof(ElfW(Ehdr), e_machine)) ==
			    sizeof(machine) &&
			close(fd) == 0 && verdict_of(path) == IMAGE_FOREIGN,
		    "another machine: refused");
	}

	memcpy(eh32.e_ident, ELFMAG, SELFMAG);
	eh32.e_ident[EI_CLASS] = ELFCLASS32;
	eh32.e_ident[EI_DATA] = host.elf_data;
	eh32.e_ident[EI_VERSION] = EV_CURRENT;
	snprintf(path, sizeof(path), "%s/elf32", dir);
	write_file(path, &eh32, sizeof(eh32), 0755);
	tap_ok(verdict_of(path) == IMAGE_FOREIGN,
	    "a 32-bit ELF header: another class, refused");
}

static void
test_scripts(void)
{
	char path[IMAGE_PATH_MAX], text[IMAGE_PATH_MAX + 16],
	    prev[IMAGE_PATH_MAX];
	char self[IMAGE_PATH_MAX], stat_copy[IMAGE_PATH_MAX];
	int fd;

	snprintf(self, sizeof(self), "%s/self", dir);
	snprintf(stat_copy, sizeof(stat_copy), "%s/static", dir);
	snprintf(path, sizeof(path), "%s/script-ok", dir);
	snprintf(text, sizeof(text), "#! %s -x\necho\n", self);
	write_file(path, text, strlen(text), 0755);
	tap_ok(verdict_of(path) == IMAGE_OK,
	    "a script for a dynamic interpreter: allowed");

	snprintf(path, sizeof(path), "%s/script-static", dir);
	snprintf(text, sizeof(text), "#!%s\n", stat_copy);
	write_file(path, text, strlen(text), 0755);
	tap_ok(verdict_of(path) == IMAGE_STATIC &&
		strcmp(refused, stat_copy) == 0,
	    "a script for a static interpreter: refused, the interpreter named");

	snprintf(prev, sizeof(prev), "%s", self);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/nest%d", dir, i);
		snprintf(text, sizeof(text), "#!%s\n", prev);
		write_file(path, text, strlen(text), 0755);
		snprintf(prev, sizeof(prev), "%s", path);
	}
	tap_ok(verdict_of(path) == IMAGE_NESTED,
	    "six levels of #! interpreters: refused");

	snprintf(path, sizeof(path), "%s/plain", dir);
	write_file(path, "echo hi\n", 8, 0755);
	tap_ok(verdict_of(path) == IMAGE_NOEXEC,
	    "no #! and no ELF: ENOEXEC, as the kernel says");
	write_file(path, "echo hi\n", 8, 0644);
	tap_ok(verdict_of(path) == IMAGE_UNOPENED,
	    "not executable: the kernel's to refuse");
	tap_ok(verdict_of(dir) == IMAGE_UNOPENED &&
		verdict_of("/nonexistent/x") == IMAGE_UNOPENED,
	    "a directory, a missing file: the kernel's to refuse");

	fd = open(stat_copy, O_PATH | O_CLOEXEC);
	tap_ok(fd >= 0 &&
		image_check(fd, "", AT_EMPTY_PATH, &host, refused) ==
		    IMAGE_STATIC,
	    "fexecve of an O_PATH descriptor: checked");
	close(fd);
}

static void
test_reasons(void)
{
	bool distinct = true;

	for (int i = IMAGE_STATIC; i <= IMAGE_REFUSALS; i++)
		for (int j = IMAGE_STATIC; j < i; j++)
			distinct &= strcmp(image_reason(i), image_reason(j)) !=
			    0;
	tap_ok(distinct, "every refusal has a reason of its own");
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(dir) == NULL || image_host_init(&host) != 0) {
		perror("set-up");
		return 99;
	}
	test_secure_exec();
	test_elf();
	test_scripts();
	test_reasons();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_ok(0, "removing %s", dir);
	return tap_done();
}
