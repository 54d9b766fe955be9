#include <sys/single_threaded.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "hotpath.h"
#include "pidkeep.h"
#include "selfpid.h"
#include "sockets.h"

/*
 * A small array under one mutex.  The hot paths (every gated connect,
 * accept and receive) only read it, and writes are rare; neither pays a
 * sigprocmask.  A signal handler that calls a hooked function on a
 * thread already inside the table must not deadlock on the mutex, so
 * each thread notes when it is inside, and a call that finds itself
 * re-entered does without the table: a lookup reports nothing (the gate
 * then asks the launcher, or fails closed), a write is refused.  In a
 * process with threads the atfork handlers hold the mutex across fork(),
 * so that the child never inherits it locked by a thread that does not
 * exist there; a single-threaded process has no such thread, and its
 * fork writes nothing here (every page a child writes before its exec
 * is a copy-on-write fault).
 */
/* initial-exec: the shim is preloaded, so its TLS is static; no call per
 * access. */
static _Thread_local bool inside __attribute__((tls_model("initial-exec")));
static atomic_uint dgram_gates EARLY_DATA;

/*
 * The first entries need no heap: a program that never calls malloc
 * would otherwise pay for setting its heap up at its first dial.  They
 * share one page with the lock, so that a forked child, whose first
 * lookup writes the lock, takes no second copy-on-write fault when it
 * first writes an entry (a claim).  All zero at first, so the page is
 * not written when the shim is loaded: the table is first_entries
 * while heap_table is NULL.
 */
#define FIRST_ENTRIES 8
static struct {
	pthread_mutex_t lock;
	/*
	 * Moved by every write, under the lock and before the table changes:
	 * a thread's last find (below) is what the table holds for as long
	 * as it has not moved.  Here, so that only a write writes it.
	 */
	_Atomic uint64_t generation;
	size_t count;
	size_t heap_capacity;
	struct known_socket *heap_table;
	struct known_socket first_entries[FIRST_ENTRIES];
} state OWN_PAGE;
_Static_assert(sizeof(state) <= 4096, "the table's first page overflows");
#define table \
	(state.heap_table != NULL ? state.heap_table : state.first_entries)

static size_t
capacity(void)
{
	return state.heap_table != NULL ? state.heap_capacity : FIRST_ENTRIES;
}

/*
 * The thread's own turn in the table, without the lock: false when a
 * signal handler interrupted this thread inside it.  The fences keep the
 * compiler from moving the table's or the last finds' accesses out of
 * the turn, where a handler on this thread could see them half done.
 */
static bool
claim(void)
{
	if (inside)
		return false;
	inside = true;
	atomic_signal_fence(memory_order_seq_cst);
	return true;
}

static void
unclaim(void)
{
	atomic_signal_fence(memory_order_seq_cst);
	inside = false;
}

static bool
enter(void)
{
	if (!claim())
		return false;
	pthread_mutex_lock(&state.lock);
	return true;
}

static void
leave(void)
{
	pthread_mutex_unlock(&state.lock);
	unclaim();
}

/* Under the lock, before a write changes the table. */
static void
will_write(void)
{
	atomic_fetch_add_explicit(&state.generation, 1, memory_order_release);
}

/*
 * Each thread's last entry found by capability and by address, with the
 * generation it was found at (plus one; 0: none), so that the hot paths
 * (every connect's capability, every accept's listener) find it again
 * without the lock or a scan: an uncontended mutex is two atomic
 * read-modify-writes, and a forked child's first lookup would write the
 * lock's page.  A copy, never a pointer into the table, which a write
 * may move.  Only a hit is kept, and only for the same query (a
 * capability of any type may be another entry than one of a given type).
 */
struct last_find {
	uint64_t generation_plus_one;
	uint16_t socktype; /* the capability query's, 0: any */
	struct known_socket v;
};
static _Thread_local struct last_find last_capability
    __attribute__((tls_model("initial-exec")));
static _Thread_local struct last_find last_address
    __attribute__((tls_model("initial-exec")));

/*
 * Is last still the table's?  Inside the thread's turn.  Never once a
 * clone(CLONE_VM) child may use this thread's copy at the same time.
 */
static bool
still_current(const struct last_find *last)
{
	return !selfpid_memory_shared() && last->generation_plus_one != 0 &&
	    last->generation_plus_one ==
	    atomic_load_explicit(&state.generation, memory_order_acquire) + 1;
}

/* Under the lock: writers move the generation only while holding it. */
static void
keep_find(struct last_find *last, uint16_t socktype,
    const struct known_socket *v)
{
	last->generation_plus_one = atomic_load_explicit(&state.generation,
					memory_order_relaxed) +
	    1;
	last->socktype = socktype;
	last->v = *v;
}

static bool fork_locked;

/* A fork from a handler that interrupted a lookup finds the lock held by its
 * own thread. */
static void
before_fork(void)
{
	fork_locked = !__libc_single_threaded && enter();
}

static void
after_fork(void)
{
	if (fork_locked)
		leave();
}

void
sockets_init(void)
{
	pthread_atfork(before_fork, after_fork, after_fork);
}

static struct known_socket *
find_addr(const uint8_t *addr, size_t len)
{
	for (size_t i = 0; i < state.count; i++)
		if (table[i].role != KNOWN_DGRAM_GATE &&
		    table[i].addr_len == len &&
		    memcmp(table[i].addr, addr, len) == 0)
			return &table[i];
	return NULL;
}

/* A slot for v: the entry it replaces, or a new one (NULL out of memory). */
static struct known_socket *
slot_for(const struct known_socket *v)
{
	struct known_socket *slot = NULL;

	if (v->role == KNOWN_DGRAM_GATE) {
		for (size_t i = 0; i < state.count && slot == NULL; i++)
			if (table[i].role == KNOWN_DGRAM_GATE &&
			    table[i].sock_ino == v->sock_ino)
				slot = &table[i];
	} else
		slot = find_addr(v->addr, v->addr_len);
	return slot;
}

static bool
remember(const struct known_socket *v, bool owner)
{
	struct known_socket *slot;

	/* A vfork() child shares its parent's table: it writes nothing. */
	if (!owner || !enter())
		return false;
	will_write();
	slot = slot_for(v);
	if (slot == NULL && state.count == capacity()) {
		size_t n = capacity() * 2;
		struct known_socket *t = reallocarray(state.heap_table, n,
		    sizeof(*t));

		if (t != NULL) {
			if (state.heap_table == NULL)
				memcpy(t, state.first_entries,
				    sizeof(state.first_entries));
			state.heap_table = t;
			state.heap_capacity = n;
		}
	}
	if (slot == NULL && state.count < capacity()) {
		slot = &table[state.count++];
		if (v->role == KNOWN_DGRAM_GATE)
			atomic_fetch_add(&dgram_gates, 1);
	}
	if (slot != NULL)
		*slot = *v;
	leave();
	return slot != NULL;
}

bool
sockets_remember(const struct known_socket *v)
{
	return remember(v, channel_owner());
}

bool
sockets_remember_granted(const struct known_socket *cap)
{
	return remember(cap, channel_owned_by(cap->granted_to));
}

/*
 * The entry at a minted address, inside the thread's turn: the thread's
 * last find by address, as it is until the caller leaves the turn; or
 * the table's, copied to *copy under the lock and kept as the last find
 * (not read back from there: where the last find is not current, a
 * clone(CLONE_VM) child may be writing it too).
 */
HOT_PATH static const struct known_socket *
find_by_addr(const uint8_t *addr, size_t len, struct known_socket *copy)
{
	struct last_find *last = &last_address;
	struct known_socket *v;

	/* Addresses are unique in the table (slot_for), but for datagram
	 * gates, which have none and are never found here. */
	if (still_current(last) && last->v.addr_len == len &&
	    memcmp(last->v.addr, addr, len) == 0)
		return &last->v;
	pthread_mutex_lock(&state.lock);
	v = find_addr(addr, len);
	if (v != NULL) {
		*copy = *v;
		keep_find(last, 0, v);
	}
	pthread_mutex_unlock(&state.lock);
	return v != NULL ? copy : NULL;
}

HOT_PATH bool
sockets_by_addr(const uint8_t *addr, size_t len, struct known_socket *out)
{
	const struct known_socket *v;

	if (!claim())
		return false;
	v = find_by_addr(addr, len, out);
	if (v != NULL && v != out)
		*out = *v;
	unclaim();
	return v != NULL;
}

HOT_PATH bool
sockets_bound_name(const uint8_t *addr, size_t len, struct wire_name *name,
    int *type)
{
	struct known_socket copy;
	const struct known_socket *v;
	bool bound;

	if (!claim())
		return false;
	v = find_by_addr(addr, len, &copy);
	bound = v != NULL && v->role == KNOWN_BOUND;
	if (bound) {
		*name = v->name;
		*type = v->socktype;
	}
	unclaim();
	return bound;
}

bool
sockets_by_ino(uint64_t ino, struct known_socket *out)
{
	bool found = false;

	if (!enter())
		return false;
	for (size_t i = 0; i < state.count && !found; i++) {
		if (table[i].role == KNOWN_BOUND && table[i].sock_ino == ino) {
			*out = table[i];
			found = true;
		}
	}
	leave();
	return found;
}

static bool
same_name(const struct wire_name *n, const uint8_t *name, size_t len)
{
	return n->len == len && memcmp(n->bytes, name, len) == 0;
}

HOT_PATH bool
sockets_capability(uint16_t socktype, const uint8_t *name, size_t len,
    struct known_socket *out)
{
	struct last_find *last = &last_capability;
	bool found = false;

	if (!claim())
		return false;
	if (still_current(last) && last->socktype == socktype &&
	    same_name(&last->v.name, name, len)) {
		*out = last->v;
		unclaim();
		return true;
	}
	pthread_mutex_lock(&state.lock);
	for (size_t i = 0; i < state.count && !found; i++) {
		if (table[i].role == KNOWN_CAPABILITY &&
		    (socktype == 0 || table[i].socktype == socktype) &&
		    same_name(&table[i].name, name, len)) {
			*out = table[i];
			keep_find(last, socktype, &table[i]);
			found = true;
		}
	}
	leave();
	return found;
}

/* Is a capability still stamped with this provider's inode?  Under the lock. */
static bool
provider_in_use(uint64_t pidfs_ino)
{
	for (size_t i = 0; i < state.count; i++)
		if (table[i].role == KNOWN_CAPABILITY &&
		    table[i].stamp.pidfs_ino == pidfs_ino)
			return true;
	return false;
}

void
sockets_forget_capability(const uint8_t *name, size_t len, pid_t self)
{
	uint64_t gone[8]; /* a name has a capability per socket type at most */
	size_t ngone = 0;

	if (!channel_owned_by(self) || !enter())
		return;
	will_write();
	for (size_t i = 0; i < state.count;) {
		if (table[i].role == KNOWN_CAPABILITY &&
		    same_name(&table[i].name, name, len)) {
			if (ngone < sizeof(gone) / sizeof(gone[0]))
				gone[ngone++] = table[i].stamp.pidfs_ino;
			table[i] = table[--state.count];
		} else
			i++;
	}
	for (size_t i = 0; i < ngone; i++)
		if (provider_in_use(gone[i]))
			gone[i] = 0;
	leave();
	/* The provider's kept pidfd goes with its last capability. */
	for (size_t i = 0; i < ngone; i++)
		pidkeep_drop(gone[i], PIDKEEP_PROVIDER);
}

bool
sockets_gate_dgram(uint64_t ino, bool user_passcred)
{
	struct known_socket v = { .role = KNOWN_DGRAM_GATE,
		.sock_ino = ino,
		.user_passcred = user_passcred };

	return sockets_remember(&v);
}

HOT_PATH bool
sockets_any_dgram_gates(void)
{
	return atomic_load_explicit(&dgram_gates, memory_order_relaxed) != 0;
}

bool
sockets_dgram_gated(uint64_t ino, bool *user_passcred)
{
	bool found = false;

	if (!sockets_any_dgram_gates())
		return false;
	/* Re-entered from a handler: assume gated, so nothing gets past. */
	if (!enter()) {
		if (user_passcred != NULL)
			*user_passcred = false;
		return true;
	}
	for (size_t i = 0; i < state.count && !found; i++) {
		if (table[i].role == KNOWN_DGRAM_GATE &&
		    table[i].sock_ino == ino) {
			found = true;
			if (user_passcred != NULL)
				*user_passcred = table[i].user_passcred;
		}
	}
	leave();
	return found;
}

bool
sockets_is_provider(pid_t pid, uint64_t pidfs_ino)
{
	bool found = false;

	if (!enter())
		return false;
	for (size_t i = 0; i < state.count && !found; i++) {
		const struct wire_stamp *st = &table[i].stamp;

		if (table[i].role != KNOWN_CAPABILITY || st->pid != pid)
			continue;
		/* Without pidfs on either side the pid alone is not enough. */
		found = pidfs_ino != 0 && st->pidfs_ino == pidfs_ino;
	}
	leave();
	return found;
}
