/*
 * The claim queue: a socketpair of the service's that the launcher reads
 * only before a provider's gate would refuse (launcher/claimqueue.c).
 * Its end comes with a grant that asked for it while this image had
 * none, or from the image before (held.c): a forked child has it, and a
 * new image takes it up.  As with the channel, its identity is checked
 * before each send: a program may close the number with a raw system
 * call and reuse it, and a claim must never go to its socket.  A queue
 * the program closes or dup2s over, or found gone, is forgotten, and the
 * next grant brings it again.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include "channel.h"
#include "claims.h"
#include "held.h"
#include "transport.h"

bool
claims_have(void)
{
	return held_have(HELD_CLAIMS);
}

void
claims_take(int fd, bool owner)
{
	struct stat st;

	if (!claims_have() && owner && fstat(fd, &st) == 0 &&
	    S_ISSOCK(st.st_mode))
		(void)held_take(HELD_CLAIMS, fd, &st, owner);
}

int
claims_send(const union wire_msg *claim)
{
	int fd = held_checked(HELD_CLAIMS, NULL);

	if (fd < 0)
		return -1;
	return transport_send(fd, claim, wire_size(claim->h.type), NULL, 0,
	    MSG_DONTWAIT, &capshim_sysio);
}
