/*
 * The system calls the gates make on a connection in the steady state of
 * connect_rate (capability held, provider's and peer's pidfds kept, both
 * ends children of the launcher), made by the raw programs themselves
 * when BENCH_GATE_CALLS is set: SO_PEERCRED on each side, and the
 * listener's getsockname on the server's.
 * Wrapped against raw-with-these-calls tells what the shim costs beyond
 * the calls its checks need.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"
#include "compat.h"
#include "kernel.h"

void
bench_pidfd_get_info(int pidfd)
{
	struct compat_pidfd_info info = { .mask = COMPAT_PIDFD_INFO_PID };

	/* As shim/pidkeep.c asks it. */
	(void)ioctl(pidfd, COMPAT_PIDFD_GET_INFO, &info);
}

void
bench_fence_if_asked(void)
{
	if (getenv("BENCH_FENCE") == NULL)
		return;
	/* The launcher's own test (launcher/servicespawn.c, fenced()). */
	if (!kernel_info()->fence)
		exit(BENCH_NO_FENCE);
	if (kernel_fence_install() != 0)
		bench_die("io_uring fence");
}

bool
bench_gate_calls(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("BENCH_GATE_CALLS") != NULL;
	return on;
}

/*
 * The peer check: SO_PEERCRED.  That the process it names still holds
 * its pid comes from the launcher's reap epoch, a load from a shared
 * page (shim/reappage.c): no call.
 */
static void
check_peer(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		bench_die("SO_PEERCRED");
}

/* The capability is this process's own: a pid cached on a page fork()
 * wipes (shim/selfpid.c), no call. */
void
bench_gate_calls_dialed(int fd)
{
	check_peer(fd);
}

void
bench_gate_calls_listener(int lfd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	(void)getsockname(lfd, (struct sockaddr *)&sun, &len);
}

void
bench_gate_calls_accepted(int fd)
{
	check_peer(fd);
}
