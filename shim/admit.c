#include <sys/syscall.h>
#include <endian.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "admit.h"
#include "channel.h"
#include "debug.h"
#include "hotpath.h"
#include "pidkeep.h"
#include "rawsys.h"
#include "reappage.h"

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

bool
admit_seen(uint64_t ino)
{
	if (ino == 0)
		return false;
	for (size_t i = 0; i < ADMITTED_SLOTS; i++)
		if (atomic_load_explicit(&admitted[i], memory_order_relaxed) ==
		    ino)
			return true;
	return false;
}

/*
 * Of those, the ones the launcher said it reaps (WIRE_REPLY_REAPED): a
 * pidfs inode names one process for ever, so the answer holds for as
 * long as it is remembered.
 */
static _Atomic uint64_t reaped[ADMITTED_SLOTS];

static void
remember_admitted(uint64_t ino, bool by_launcher)
{
	unsigned slot;

	if (ino == 0)
		return;
	slot = atomic_fetch_add(&admitted_next, 1) % ADMITTED_SLOTS;
	atomic_store_explicit(&reaped[slot], by_launcher ? ino : 0,
	    memory_order_relaxed);
	atomic_store_explicit(&admitted[slot], ino, memory_order_relaxed);
}

static bool
reaped_by_launcher(uint64_t ino)
{
	if (ino == 0)
		return false;
	for (size_t i = 0; i < ADMITTED_SLOTS; i++)
		if (atomic_load_explicit(&reaped[i], memory_order_relaxed) ==
		    ino)
			return true;
	return false;
}

/*
 * Peers refused less than REFUSED_MS ago, by pidfs inode, each with the
 * time it may be asked about again.  A process gets a grant only by
 * asking the launcher on a channel, which an outsider does not hold; one
 * given a channel since (a service may hand its channel on) is refused
 * until its entry runs out.  Every refusal from here is still audited: it
 * is told to the launcher in a message the gate does not wait for, so
 * an outsider that dials again and again costs the program no round trip
 * to the launcher.  Entries are only ever refusals: a torn read refuses a
 * process refused already, or misses.
 */
#define REFUSED_SLOTS 64
#define REFUSED_MS 1000
static struct {
	_Atomic uint64_t ino;
	_Atomic int64_t until_ms;
} refused[REFUSED_SLOTS];
static atomic_uint refused_next;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
refused_recently(uint64_t ino)
{
	if (ino == 0)
		return false;
	for (size_t i = 0; i < REFUSED_SLOTS; i++)
		if (atomic_load_explicit(&refused[i].ino,
			memory_order_relaxed) == ino)
			return atomic_load_explicit(&refused[i].until_ms,
				   memory_order_relaxed) > now_ms();
	return false;
}

static void
remember_refused(uint64_t ino)
{
	unsigned slot;

	if (ino == 0 || !channel_owner())
		return;
	slot = atomic_fetch_add(&refused_next, 1) % REFUSED_SLOTS;
	atomic_store_explicit(&refused[slot].ino, 0, memory_order_relaxed);
	atomic_store_explicit(&refused[slot].until_ms, now_ms() + REFUSED_MS,
	    memory_order_relaxed);
	atomic_store_explicit(&refused[slot].ino, ino, memory_order_release);
}

static bool
ask_admission(int fd, struct peer_identity *peer, bool identified,
    const struct wire_name *name, int socktype, const uint8_t *from,
    size_t from_len)
{
	union wire_msg req, reply;

	/* The inode alone names the process: an earlier yes needs no more. */
	if (identified && peer->alive && admit_seen(peer->pidfs_ino))
		return true;
	if (peer_credentials(fd, peer) != 0)
		memset(peer, 0, sizeof(*peer));

	wire_init(&req, WIRE_ADMIT);
	if (from_len >= 2 && from_len <= sizeof(req.admit.from) &&
	    from[0] == 0) {
		req.admit.from_len = (uint16_t)from_len;
		memcpy(req.admit.from, from, from_len);
	}
	req.admit.socktype = (uint16_t)socktype;
	if (!peer->alive && peer->pidfs_ino == 0)
		req.admit.flags |= WIRE_ADMIT_EXITED;
	if (!identified)
		req.admit.flags |= WIRE_ADMIT_UNIDENTIFIED;
	req.admit.peer_pid = peer->pid > 0 ? peer->pid : 0;
	req.admit.peer_uid = peer->uid;
	req.admit.peer_ino = peer->pidfs_ino;
	req.admit.name = *name;
	if (!reappage_have())
		req.admit.flags |= WIRE_ADMIT_PAGE;
	if (identified && refused_recently(peer->pidfs_ino)) {
		req.admit.flags &= ~WIRE_ADMIT_PAGE;
		req.admit.flags |= WIRE_ADMIT_REMEMBERED;
		(void)channel_send(&req);
		return false;
	}
	capshim_debug("asking whether pid %d may connect to @%.*s",
	    (int)req.admit.peer_pid, (int)name->len, (const char *)name->bytes);
	if (channel_call(&req, &reply) != 0)
		return false;
	if (reply.reply.verdict == WIRE_DENY && identified)
		remember_refused(peer->pidfs_ino);
	/*
	 * Only a grant is remembered: a one-off exemption is asked for again.
	 */
	if (reply.reply.verdict == WIRE_ALLOW_ONCE)
		return true;
	if (reply.reply.verdict != WIRE_ALLOW)
		return false;
	if (peer->alive)
		remember_admitted(peer->pidfs_ino,
		    (reply.reply.flags & WIRE_REPLY_REAPED) != 0);
	return true;
}

bool
admit_peer(int fd, struct peer_identity *peer, const struct wire_name *name,
    int socktype)
{
	return ask_admission(fd, peer, true, name, socktype, NULL, 0);
}

/*
 * Processes that connect again and again, known on a listener by pid
 * with their pidfd kept (pidkeep.h).  A listener's queue is first in,
 * first out: a connection accepted after one that a process N made is
 * one that was made after it.  N had its pid then; if N still lives, no
 * other process can have had that pid since, so a later connection with
 * that pid in SO_PEERCRED is N's.  Per listener, because another queue
 * may hold older connections; a listener is named by its minted
 * address, which no other socket can hold while it exists.
 *
 * "Accepted after" is in the order the kernel took the connections off
 * the queue, which two threads accepting at once (or a signal handler
 * that accepts) do not follow: an entry counts only for an accept that
 * started after the entry was made, which took its connection off the
 * queue after the one the entry remembers.  Entries are numbered from
 * admissions for that.
 *
 * Read and written without a lock (gates run in any thread or signal
 * context), each slot guarded by its version: odd while it is written.
 */
#define KNOWN_SLOTS 64 /* direct-mapped by listener and pid */
static struct {
	atomic_uint version;
	_Atomic uint64_t listener;
	atomic_int pid;
	_Atomic uint64_t pidfs_ino;
	_Atomic uint64_t number;
} known[KNOWN_SLOTS];
static _Atomic uint64_t admissions;

/* A multiplicative hash; its top six bits pick one of the 64 slots. */
static size_t
known_slot(uint64_t listener, pid_t pid)
{
	_Static_assert(KNOWN_SLOTS == 64, "six bits of the hash");
	return (
	    size_t)(((listener ^ (uint64_t)pid) * 0x9e3779b97f4a7c15ULL) >> 58);
}

HOT_PATH uint64_t
admit_listener_key(const struct sockaddr_un *sun, size_t len)
{
	uint64_t bytes;

	/* Minted addresses are six bytes; longer ones are never known. */
	if (len < 2 || len > 7)
		return 0;
	/*
	 * The length in the low byte, the address above it, byte i at byte
	 * i + 1.  One load of eight bytes, which sun_path always holds, and
	 * the bytes past the address masked off: a loop over the bytes took
	 * some fifty instructions, a copy of len bytes a call to memcpy.
	 */
	memcpy(&bytes, sun->sun_path, sizeof(bytes));
	bytes = le64toh(bytes) & ((UINT64_C(1) << (8 * len)) - 1);
	return (uint64_t)len | bytes << 8;
}

HOT_PATH uint64_t
admit_horizon(void)
{
	return atomic_load(&admissions);
}

/* The pidfs inode known for pid on listener before horizon, or 0. */
static uint64_t
known_ino(uint64_t listener, pid_t pid, uint64_t horizon)
{
	size_t i = known_slot(listener, pid);
	unsigned v = atomic_load_explicit(&known[i].version,
	    memory_order_acquire);
	uint64_t l, ino, number;
	int p;

	if (v == 0 || (v & 1))
		return 0;
	l = atomic_load_explicit(&known[i].listener, memory_order_relaxed);
	p = atomic_load_explicit(&known[i].pid, memory_order_relaxed);
	ino = atomic_load_explicit(&known[i].pidfs_ino, memory_order_relaxed);
	number = atomic_load_explicit(&known[i].number, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&known[i].version, memory_order_relaxed) !=
		v ||
	    l != listener || p != pid || number > horizon)
		return 0;
	return ino;
}

HOT_PATH bool
admit_known_peer(int fd, uint64_t listener, uint64_t horizon,
    struct peer_identity *peer)
{
	uint64_t ino;
	int kept;

	if (listener == 0)
		return false;
	memset(peer, 0, sizeof(*peer));
	peer->alive = true;
	if (peer_credentials(fd, peer) != 0 || peer->pid <= 0 ||
	    (ino = known_ino(listener, peer->pid, horizon)) == 0 ||
	    (kept = pidkeep_find(ino)) < 0)
		return false;
	peer->pidfs_ino = ino;
	return pidkeep_alive(kept, ino, peer->pid);
}

/* Does a known slot other than skip name this inode? */
static bool
known_elsewhere(uint64_t pidfs_ino, size_t skip)
{
	for (size_t i = 0; i < KNOWN_SLOTS; i++)
		if (i != skip &&
		    atomic_load_explicit(&known[i].pidfs_ino,
			memory_order_relaxed) == pidfs_ino)
			return true;
	return false;
}

void
admit_remember_peer(uint64_t listener, int fd, struct peer_identity *peer,
    int pidfd)
{
	unsigned slot, v;
	uint64_t replaced;

	if (listener == 0 || pidfd < 0 || peer->pidfs_ino == 0 ||
	    peer_credentials(fd, peer) != 0 || peer->pid <= 0)
		goto not_remembered;
	slot = (unsigned)known_slot(listener, peer->pid);
	v = atomic_load(&known[slot].version);
	/* Being written by another thread: this one is not remembered. */
	if ((v & 1) ||
	    !atomic_compare_exchange_strong(&known[slot].version, &v, v + 1))
		goto not_remembered;
	replaced = v != 0 ?
	    atomic_load_explicit(&known[slot].pidfs_ino, memory_order_relaxed) :
	    0;
	atomic_store_explicit(&known[slot].listener, listener,
	    memory_order_relaxed);
	atomic_store_explicit(&known[slot].pid, peer->pid,
	    memory_order_relaxed);
	atomic_store_explicit(&known[slot].pidfs_ino, peer->pidfs_ino,
	    memory_order_relaxed);
	atomic_store_explicit(&known[slot].number,
	    atomic_fetch_add(&admissions, 1) + 1, memory_order_relaxed);
	atomic_store_explicit(&known[slot].version, v + 2,
	    memory_order_release);
	pidkeep_add(pidfd, peer->pidfs_ino, PIDKEEP_PEER,
	    reaped_by_launcher(peer->pidfs_ino) ? peer->pid : 0);
	/* The peer this slot named before keeps its pidfd only if known
	 * elsewhere. */
	if (replaced != 0 && replaced != peer->pidfs_ino &&
	    !known_elsewhere(replaced, slot))
		pidkeep_drop(replaced, PIDKEEP_PEER);
	return;
not_remembered:
	if (pidfd >= 0)
		(void)capshim_syscall(SYS_close, (long)pidfd);
}

bool
admit_datagram(const struct peer_identity *peer, bool identified,
    const struct wire_name *name, const uint8_t *from, size_t from_len)
{
	struct peer_identity sender = *peer;

	return ask_admission(-1, &sender, identified, name, WIRE_SOCK_DGRAM,
	    from, from_len);
}
