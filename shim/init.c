/*
 * Start-up of libcapshim.so in every process image it is loaded into.
 */
#include <stdatomic.h>
#include <string.h>

#include "channel.h"
#include "debug.h"
#include "exec.h"
#include "held.h"
#include "hotpath.h"
#include "inherit.h"
#include "init.h"
#include "real.h"
#include "selfpid.h"
#include "sockets.h"
#include "system.h"

static atomic_bool initialised EARLY_DATA;
/* Set on the thread running the start-up, so that hooks it triggers do not
 * recurse. */
static _Thread_local bool initialising
    __attribute__((tls_model("initial-exec")));

/*
 * Tell the launcher this image cannot be protected, so it can stop the
 * service, then fail closed here whatever it answers.
 */
static void
report_interposed(void)
{
	union wire_msg req, reply;

	wire_init(&req, WIRE_HELLO);
	req.hello.status = WIRE_HELLO_INTERPOSED;
	(void)channel_call(&req, &reply);
	channel_disable("another library interposes socket calls ahead of "
			"libcapshim.so");
}

static void
capshim_init(void)
{
	static atomic_flag started EARLY_DATA = ATOMIC_FLAG_INIT;

	if (atomic_flag_test_and_set(&started)) {
		/* Another thread is initialising: wait for it. */
		while (!atomic_load(&initialised))
			;
		return;
	}
	initialising = true;
	capshim_debug_init();
	real_init();
	selfpid_init();
	sockets_init();
	channel_init();
	held_init();
	exec_init();
	system_init();
	inherit_dgram_gates();
	if (channel_fd() >= 0 && !real_hooks_first())
		report_interposed();
	initialising = false;
	atomic_store(&initialised, true);
}

HOT_PATH bool
capshim_ready(void)
{
	if (atomic_load_explicit(&initialised, memory_order_acquire))
		return true;
	if (initialising)
		return false;
	capshim_init();
	return true;
}

__attribute__((constructor)) static void
capshim_constructor(void)
{
	(void)capshim_ready();
}
