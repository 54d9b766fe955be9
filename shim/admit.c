#include <stdatomic.h>
#include <string.h>

#include "admit.h"
#include "channel.h"

/*
 * Peers admitted before, by pidfs inode: a process keeps its inode for
 * life and no other process ever gets it, so an admitted inode needs no
 * second round trip.  (Grants only end with the grantee's life, or with
 * this process, whose successor starts with an empty cache.)  Lock-free,
 * because gates run in any thread or signal context; a lost race only
 * costs a round trip.
 */
#define ADMITTED_SLOTS 64
static _Atomic uint64_t admitted[ADMITTED_SLOTS];
static atomic_uint admitted_next;

static bool
admitted_before(uint64_t ino)
{
	if (ino == 0)
		return false;
	for (size_t i = 0; i < ADMITTED_SLOTS; i++)
		if (atomic_load_explicit(&admitted[i], memory_order_relaxed) == ino)
			return true;
	return false;
}

static void
remember_admitted(uint64_t ino)
{
	unsigned slot;

	if (ino == 0)
		return;
	slot = atomic_fetch_add(&admitted_next, 1) % ADMITTED_SLOTS;
	atomic_store_explicit(&admitted[slot], ino, memory_order_relaxed);
}

static bool
ask_admission(int fd, struct peer_identity *peer, const struct wire_name *name,
    int socktype, const uint8_t *from, size_t from_len)
{
	union wire_msg req, reply;

	/* The inode alone names the process: an earlier yes needs no more. */
	if (peer->alive && admitted_before(peer->pidfs_ino))
		return true;
	if (peer_credentials(fd, peer) != 0)
		memset(peer, 0, sizeof(*peer));

	wire_init(&req, WIRE_ADMIT);
	if (from_len >= 2 && from_len <= sizeof(req.admit.from) && from[0] == 0) {
		req.admit.from_len = (uint16_t)from_len;
		memcpy(req.admit.from, from, from_len);
	}
	req.admit.socktype = (uint16_t)socktype;
	if (!peer->alive && peer->pidfs_ino == 0)
		req.admit.flags |= WIRE_ADMIT_EXITED;
	req.admit.peer_pid = peer->pid > 0 ? peer->pid : 0;
	req.admit.peer_uid = peer->uid;
	req.admit.peer_ino = peer->pidfs_ino;
	req.admit.name = *name;
	if (channel_call(&req, &reply) != 0)
		return false;
	/* Only a grant is remembered: a one-off exemption is asked for again. */
	if (reply.reply.verdict == WIRE_ALLOW_ONCE)
		return true;
	if (reply.reply.verdict != WIRE_ALLOW)
		return false;
	if (peer->alive)
		remember_admitted(peer->pidfs_ino);
	return true;
}

bool
admit_peer(int fd, struct peer_identity *peer, const struct wire_name *name,
    int socktype)
{
	return ask_admission(fd, peer, name, socktype, NULL, 0);
}

bool
admit_datagram(const struct peer_identity *peer, const struct wire_name *name,
    const uint8_t *from, size_t from_len)
{
	struct peer_identity sender = *peer;

	return ask_admission(-1, &sender, name, WIRE_SOCK_DGRAM, from,
	    from_len);
}
