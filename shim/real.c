#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <wordexp.h>
#include <unistd.h>

#include "debug.h"
#include "hotpath.h"
#include "real.h"

struct real_calls real EARLY_DATA;

static atomic_bool ready EARLY_DATA;
static pthread_once_t once EARLY_DATA = PTHREAD_ONCE_INIT;

/*
 * dlsym(RTLD_NEXT) handing back our own hook would make every call recurse
 * forever; that only happens when the shim is linked wrongly, so it is a
 * fatal build error, not something to survive.
 */
void *
real_next(const char *name, void *self)
{
	void *fn = dlsym(RTLD_NEXT, name);

	return fn == self ? NULL : fn;
}

static void *
lookup(const char *name, void *self)
{
	void *fn = real_next(name, self);

	if (fn == NULL) {
		capshim_log_always("real %s: not found, or the shim itself",
		    name);
		abort();
	}
	return fn;
}

/* For the functions the shim defines itself. */
#define RESOLVE_HOOKED(field) \
	(real.field = (__typeof__(real.field))lookup(#field, (void *)field))
/* For those it only calls. */
#define RESOLVE(field) \
	(real.field = (__typeof__(real.field))lookup(#field, NULL))

static void
resolve_all(void)
{
	RESOLVE_HOOKED(bind);
	RESOLVE_HOOKED(connect);
	RESOLVE_HOOKED(listen);
	RESOLVE_HOOKED(accept);
	RESOLVE_HOOKED(accept4);
	RESOLVE_HOOKED(getsockname);
	RESOLVE_HOOKED(getpeername);
	RESOLVE_HOOKED(sendto);
	RESOLVE_HOOKED(sendmsg);
	RESOLVE_HOOKED(sendmmsg);
	RESOLVE_HOOKED(recvfrom);
	RESOLVE_HOOKED(recvmsg);
	RESOLVE_HOOKED(recvmmsg);
	RESOLVE_HOOKED(read);
	RESOLVE_HOOKED(readv);
	RESOLVE_HOOKED(close);
	RESOLVE_HOOKED(close_range);
	RESOLVE_HOOKED(closefrom);
	RESOLVE_HOOKED(dup2);
	RESOLVE_HOOKED(dup3);
	RESOLVE_HOOKED(execve);
	RESOLVE_HOOKED(execveat);
	RESOLVE_HOOKED(fexecve);
	RESOLVE_HOOKED(posix_spawn);
	RESOLVE_HOOKED(pclose);
	RESOLVE_HOOKED(wordexp);
	RESOLVE_HOOKED(syscall);
	RESOLVE_HOOKED(opendir);
	RESOLVE_HOOKED(readdir);
	RESOLVE_HOOKED(readdir64);
	RESOLVE_HOOKED(closedir);
	atomic_store_explicit(&ready, true, memory_order_release);
}

void
real_init(void)
{
	pthread_once(&once, resolve_all);
}

HOT_PATH bool
real_ready(void)
{
	return atomic_load_explicit(&ready, memory_order_acquire);
}

/* The address range of the shim's own loaded segments. */
struct object_range {
	uintptr_t probe; /* an address inside the object */
	uintptr_t lo, hi;
};

static int
find_own_range(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct object_range *r = arg;
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (start < lo)
			lo = start;
		if (start + ph->p_memsz > hi)
			hi = start + ph->p_memsz;
	}
	if (r->probe < lo || r->probe >= hi)
		return 0;
	r->lo = lo;
	r->hi = hi;
	return 1;
}

/*
 * Every call through which a gate could be bypassed: the socket calls,
 * every receive (the datagram gate), syscall() (which the shim routes to
 * them) and the exec family (which puts the shim back into a new image).
 */
/* clang-format off */
static const char *const gates[] = {
	"bind", "connect", "listen", "accept", "accept4", "sendto", "sendmsg",
	"sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "recv", "read", "readv",
	"__recv_chk", "__recvfrom_chk", "__read_chk", "syscall", "execve",
	"execveat", "fexecve", "execv", "execvp", "execvpe", "execl", "execlp",
	"execle", "posix_spawn", "posix_spawnp",
};
/* clang-format on */

bool
real_hooks_first(void)
{
	struct object_range self = { .probe = (uintptr_t)real_hooks_first };
	Dl_info found;

	/*
	 * Which object the program's calls resolve to: the global lookup
	 * order, main program first.  The shim is identified by the range
	 * its segments are loaded at, so the answer does not depend on how
	 * the shim itself binds (and costs no dladdr per call: that one
	 * searches the whole symbol table of the object it finds).
	 */
	if (dl_iterate_phdr(find_own_range, &self) == 0)
		return false;
	for (size_t i = 0; i < sizeof(gates) / sizeof(gates[0]); i++) {
		uintptr_t fn = (uintptr_t)dlsym(RTLD_DEFAULT, gates[i]);

		if (fn < self.lo || fn >= self.hi) {
			capshim_log_always("%s is interposed ahead of "
					   "libcapshim.so (by %s)",
			    gates[i],
			    fn != 0 && dladdr((void *)fn, &found) &&
				    found.dli_fname ?
				found.dli_fname :
				"an unknown object");
			return false;
		}
	}
	return true;
}
