#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockets.h"

/*
 * A small array under one mutex.  Signals are blocked while it is held, so
 * a handler that calls a hooked function cannot deadlock on it, and the
 * atfork handlers hold it across fork() so the child never inherits it
 * locked by a thread that no longer exists there.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint dgram_gates;
static struct vsock *table;
static size_t count, capacity;

static void
acquire(sigset_t *saved)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, saved);
	pthread_mutex_lock(&lock);
}

static void
release(const sigset_t *saved)
{
	pthread_mutex_unlock(&lock);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

static sigset_t fork_mask;

static void
before_fork(void)
{
	acquire(&fork_mask);
}

static void
after_fork(void)
{
	release(&fork_mask);
}

void
sockets_init(void)
{
	pthread_atfork(before_fork, after_fork, after_fork);
}

static struct vsock *
find_addr(const uint8_t *addr, size_t len)
{
	for (size_t i = 0; i < count; i++)
		if (table[i].role != VSOCK_DGRAM_GATE && table[i].addr_len == len &&
		    memcmp(table[i].addr, addr, len) == 0)
			return &table[i];
	return NULL;
}

/* A slot for v: the entry it replaces, or a new one (NULL out of memory). */
static struct vsock *
slot_for(const struct vsock *v)
{
	struct vsock *slot = NULL;

	if (v->role == VSOCK_DGRAM_GATE) {
		for (size_t i = 0; i < count && slot == NULL; i++)
			if (table[i].role == VSOCK_DGRAM_GATE &&
			    table[i].sock_ino == v->sock_ino)
				slot = &table[i];
	} else
		slot = find_addr(v->addr, v->addr_len);
	return slot;
}

void
sockets_remember(const struct vsock *v)
{
	struct vsock *slot;
	sigset_t saved;

	acquire(&saved);
	slot = slot_for(v);
	if (slot == NULL && count == capacity) {
		size_t n = capacity ? capacity * 2 : 16;
		struct vsock *t = realloc(table, n * sizeof(*t));

		if (t != NULL) {
			table = t;
			capacity = n;
		}
	}
	if (slot == NULL && count < capacity) {
		slot = &table[count++];
		if (v->role == VSOCK_DGRAM_GATE)
			atomic_fetch_add(&dgram_gates, 1);
	}
	/* Out of memory: forget the mapping; only address reporting suffers. */
	if (slot != NULL)
		*slot = *v;
	release(&saved);
}

bool
sockets_by_addr(const uint8_t *addr, size_t len, struct vsock *out)
{
	struct vsock *v;
	sigset_t saved;

	acquire(&saved);
	v = find_addr(addr, len);
	if (v != NULL)
		*out = *v;
	release(&saved);
	return v != NULL;
}

bool
sockets_by_ino(uint64_t ino, struct vsock *out)
{
	bool found = false;
	sigset_t saved;

	acquire(&saved);
	for (size_t i = 0; i < count && !found; i++) {
		if (table[i].role == VSOCK_LOCAL && table[i].sock_ino == ino) {
			*out = table[i];
			found = true;
		}
	}
	release(&saved);
	return found;
}

static bool
same_name(const struct wire_name *n, const uint8_t *name, size_t len)
{
	return n->len == len && memcmp(n->bytes, name, len) == 0;
}

bool
sockets_capability(uint16_t socktype, const uint8_t *name, size_t len,
    struct vsock *out)
{
	pid_t self = getpid();
	bool found = false;
	sigset_t saved;

	acquire(&saved);
	for (size_t i = 0; i < count && !found; i++) {
		if (table[i].role == VSOCK_REMOTE &&
		    table[i].granted_to == self &&
		    table[i].socktype == socktype &&
		    same_name(&table[i].name, name, len)) {
			*out = table[i];
			found = true;
		}
	}
	release(&saved);
	return found;
}

void
sockets_forget_capability(const uint8_t *name, size_t len)
{
	sigset_t saved;

	acquire(&saved);
	for (size_t i = 0; i < count; ) {
		if (table[i].role == VSOCK_REMOTE &&
		    same_name(&table[i].name, name, len))
			table[i] = table[--count];
		else
			i++;
	}
	release(&saved);
}

void
sockets_gate_dgram(uint64_t ino, bool user_passcred)
{
	struct vsock v = { .role = VSOCK_DGRAM_GATE, .sock_ino = ino,
	    .user_passcred = user_passcred };

	sockets_remember(&v);
}

bool
sockets_any_dgram_gates(void)
{
	return atomic_load_explicit(&dgram_gates, memory_order_relaxed) != 0;
}

bool
sockets_dgram_gated(uint64_t ino, bool *user_passcred)
{
	bool found = false;
	sigset_t saved;

	if (!sockets_any_dgram_gates())
		return false;
	acquire(&saved);
	for (size_t i = 0; i < count && !found; i++) {
		if (table[i].role == VSOCK_DGRAM_GATE &&
		    table[i].sock_ino == ino) {
			found = true;
			if (user_passcred != NULL)
				*user_passcred = table[i].user_passcred;
		}
	}
	release(&saved);
	return found;
}

bool
sockets_is_provider(pid_t pid, uint64_t pidfs_ino)
{
	bool found = false;
	sigset_t saved;

	acquire(&saved);
	for (size_t i = 0; i < count && !found; i++) {
		const struct wire_stamp *st = &table[i].stamp;

		if (table[i].role != VSOCK_REMOTE || st->pid != pid)
			continue;
		/* Without pidfs on either side the pid alone is not enough. */
		found = pidfs_ino != 0 && st->pidfs_ino == pidfs_ino;
	}
	release(&saved);
	return found;
}
