/*
 * Capabilities to dial a name: asked of the launcher (WIRE_DIAL), or held
 * already, by this process or by the ancestor it was forked from.  A
 * capability only says where the provider listens and who it is; the
 * provider's gate admits a connection only from a process the launcher
 * granted, so a forked child tells the launcher it holds one before it
 * first uses it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "capability.h"
#include "channel.h"
#include "claims.h"
#include "debug.h"
#include "hotpath.h"
#include "reappage.h"
#include "selfpid.h"
#include "sockets.h"

int
ask_capability(int fd, int type, const struct abstract_addr *name, pid_t self,
    struct known_socket *cap)
{
	union wire_msg req, reply;
	int fl = fcntl(fd, F_GETFL);

	wire_init(&req, WIRE_DIAL);
	req.dial.socktype = (uint16_t)type;
	/* A non-blocking connect never waits for a provider to appear. */
	if (fl >= 0 && (fl & O_NONBLOCK))
		req.dial.flags |= WIRE_DIAL_NOWAIT;
	if (!reappage_have())
		req.dial.flags |= WIRE_DIAL_PAGE;
	if (!claims_have())
		req.dial.flags |= WIRE_DIAL_CLAIMS;
	abstract_wire_name(name, &req.dial.name);
	capshim_debug("asking for a capability to @%.*s", (int)name->len,
	    (const char *)name->name);
	if (channel_call(&req, &reply) != 0)
		return -1;
	switch (reply.reply.verdict) {
	case WIRE_EXTERNAL:
		return 0;
	case WIRE_GRANT:
		memset(cap, 0, sizeof(*cap));
		cap->role = KNOWN_CAPABILITY;
		cap->socktype = (uint16_t)type;
		cap->name = req.dial.name;
		cap->granted_to = self;
		cap->stamp = reply.reply.stamp;
		cap->addr_len = reply.reply.addr_len;
		memcpy(cap->addr, reply.reply.addr, cap->addr_len);
		return 1;
	default:
		errno = reply.reply.error ? reply.reply.error : EACCES;
		return -1;
	}
}

/*
 * Take up a capability this process inherited: one message the launcher
 * reads before it refuses anything at the provider's gate, and no wait
 * for an answer, so a pre-forked worker dials as fast as its parent.
 * It goes to the claim queue, which wakes no one (claims.h), or to the
 * channel where the queue is full or missing.  Only where the kernel has
 * pidfs (the stamp has an inode): the launcher then knows exactly which
 * process sent a claim, also after it exited and its pid was taken;
 * elsewhere the child asks (WIRE_DIAL).
 */
static bool
claim_capability(struct known_socket *cap, pid_t self)
{
	union wire_msg req;

	if (cap->stamp.pidfs_ino == 0)
		return false;
	wire_init(&req, WIRE_CLAIM);
	req.claim.socktype = cap->socktype;
	req.claim.name = cap->name;
	if (claims_send(&req) != 0 && channel_send(&req) != 0)
		return false;
	capshim_debug("claimed the capability to @%.*s of pid %d",
	    (int)cap->name.len, (const char *)cap->name.bytes,
	    (int)cap->granted_to);
	cap->granted_to = self;
	/* Not kept (in a vfork() child, say) is no harm: the next dial claims
	 * again. */
	(void)sockets_remember(cap);
	return true;
}

HOT_PATH bool
held_capability(uint16_t socktype, const struct abstract_addr *name,
    struct known_socket *cap)
{
	pid_t self;

	if (!sockets_capability(socktype, name->name, name->len, cap))
		return false;
	self = self_pid();
	return cap->granted_to == self || claim_capability(cap, self);
}
