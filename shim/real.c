#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "debug.h"
#include "real.h"

struct real_calls real;

static atomic_bool ready;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/*
 * dlsym(RTLD_NEXT) handing back our own hook would make every call recurse
 * forever; that only happens when the shim is linked wrongly, so it is a
 * fatal build error, not something to survive.
 */
static void *
lookup(const char *name, void *self)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (fn == NULL || fn == self) {
		capshim_log_always("real %s: %s", name,
		    fn ? "resolves to the shim itself" : "not found");
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
	RESOLVE_HOOKED(execvpe);
	RESOLVE_HOOKED(posix_spawn);
	RESOLVE_HOOKED(posix_spawnp);
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

bool
real_ready(void)
{
	return atomic_load_explicit(&ready, memory_order_acquire);
}

bool
real_hooks_first(void)
{
	/*
	 * Every call through which a gate could be bypassed: the socket
	 * calls, every receive (the datagram gate), syscall() (which the
	 * shim routes to them) and the exec family (which puts the shim
	 * back into a new image).
	 */
	static const char *const gates[] = {
		"bind", "connect", "listen", "accept", "accept4", "sendto",
		"sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "recv",
		"read", "readv", "__recv_chk", "__recvfrom_chk", "__read_chk",
		"syscall", "execve", "execveat", "fexecve", "execvpe",
		"posix_spawn", "posix_spawnp",
	};
	Dl_info self, found;

	/*
	 * Which object the program's calls resolve to: the global lookup
	 * order, main program first.  The shim is identified by its load
	 * base, so the answer does not depend on how the shim itself binds.
	 */
	if (dladdr((void *)real_hooks_first, &self) == 0)
		return false;
	for (size_t i = 0; i < sizeof(gates) / sizeof(gates[0]); i++) {
		void *fn = dlsym(RTLD_DEFAULT, gates[i]);

		if (fn == NULL || dladdr(fn, &found) == 0 ||
		    found.dli_fbase != self.dli_fbase) {
			capshim_log_always("%s is interposed ahead of "
			    "libcapshim.so (by %s)", gates[i],
			    fn != NULL && dladdr(fn, &found) && found.dli_fname ?
			    found.dli_fname : "an unknown object");
			return false;
		}
	}
	return true;
}
