#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procinfo.h"
#include "regindex.h"
#include "registry.h"

static size_t nservices;

static struct proc **procs;
static size_t nprocs, procs_cap;

static struct registration **regs;
static size_t nregs, regs_cap;
/* Whether regindex.h holds every registration (else lookups scan regs). */
static bool indexed;

static struct pending_dial **pending;
static size_t npending, pending_cap;

/*
 * What recently exited processes held, by pidfs inode: a connection or
 * datagram a granted process made just before it exited is still its
 * own when the receiver's gate looks at it.  A pidfs inode is never used
 * by another process, so the record cannot admit anyone else; without
 * pidfs there is no inode and nothing is kept.
 */
#define TOMBSTONES 1024
#define TOMBSTONE_MS 30000
struct tombstone {
	uint64_t pidfs_ino;
	int64_t died_ms;
	bool *granted;
};
static struct tombstone tombstones[TOMBSTONES];
static size_t next_tombstone;

/*
 * The tombstone of the exited process with this pidfs inode, made (with
 * nothing granted, in place of the oldest) if it has none; its time of
 * death is now.  NULL out of memory.
 */
static struct tombstone *
tombstone_for(uint64_t pidfs_ino)
{
	struct tombstone *t = NULL;
	bool *granted;

	for (size_t i = 0; i < TOMBSTONES && t == NULL; i++)
		if (tombstones[i].pidfs_ino == pidfs_ino &&
		    tombstones[i].granted != NULL)
			t = &tombstones[i];
	if (t == NULL) {
		if ((granted = calloc(nservices, sizeof(*granted))) == NULL)
			return NULL;
		t = &tombstones[next_tombstone++ % TOMBSTONES];
		free(t->granted);
		t->pidfs_ino = pidfs_ino;
		t->granted = granted;
	}
	t->died_ms = loop_now_ms();
	return t;
}

static void
bury_grants(const struct proc *p)
{
	struct tombstone *t;
	bool any = false;

	for (size_t i = 0; i < nservices; i++)
		any |= p->granted[i];
	if (p->pidfs_ino == 0 || !any ||
	    (t = tombstone_for(p->pidfs_ino)) == NULL)
		return;
	for (size_t i = 0; i < nservices; i++)
		t->granted[i] |= p->granted[i];
}

void
registry_grant_exited(uint64_t pidfs_ino, size_t service)
{
	struct tombstone *t;

	if (pidfs_ino != 0 && (t = tombstone_for(pidfs_ino)) != NULL)
		t->granted[service] = true;
}

bool
registry_granted_before_exit(uint64_t pidfs_ino, size_t service)
{
	int64_t now = loop_now_ms();

	if (pidfs_ino == 0)
		return false;
	for (size_t i = 0; i < TOMBSTONES; i++)
		if (tombstones[i].pidfs_ino == pidfs_ino &&
		    now - tombstones[i].died_ms < TOMBSTONE_MS &&
		    tombstones[i].granted != NULL)
			return tombstones[i].granted[service];
	return false;
}

void
registry_init(size_t n)
{
	nservices = n;
}

/* A per-service array of n flags grown to nmore, the new ones false. */
static int
grow_flags(bool **flags, size_t n, size_t nmore)
{
	bool *f = reallocarray(*flags, nmore ? nmore : 1, sizeof(*f));

	if (f == NULL)
		return -1;
	for (size_t i = n; i < nmore; i++)
		f[i] = false;
	*flags = f;
	return 0;
}

int
registry_resize(size_t n)
{
	if (n <= nservices)
		return 0;
	for (size_t i = 0; i < nprocs; i++)
		if (grow_flags(&procs[i]->granted, nservices, n) != 0)
			return -1;
	for (size_t i = 0; i < TOMBSTONES; i++)
		if (tombstones[i].granted != NULL &&
		    grow_flags(&tombstones[i].granted, nservices, n) != 0)
			return -1;
	nservices = n;
	return 0;
}

void
registry_each_registration(void (*fn)(const struct registration *, void *),
    void *ctx)
{
	for (size_t i = 0; i < nregs; i++)
		fn(regs[i], ctx);
}

/* Append p to a growing array of pointers; false when out of memory. */
static bool
push(void ***array, size_t *count, size_t *cap, void *p)
{
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void **a = reallocarray(*array, ncap, sizeof(*a));

		if (a == NULL)
			return false;
		*array = a;
		*cap = ncap;
	}
	(*array)[(*count)++] = p;
	return true;
}

/* Append a copy of the size bytes at p; NULL when out of memory. */
static void *
push_copy(void ***array, size_t *count, size_t *cap, const void *p, size_t size)
{
	void *n = malloc(size);

	if (n == NULL)
		return NULL;
	memcpy(n, p, size);
	if (!push(array, count, cap, n)) {
		free(n);
		return NULL;
	}
	return n;
}

static void
drop_at(void **array, size_t *count, size_t i)
{
	array[i] = array[--(*count)];
}

struct proc *
registry_find_proc(pid_t pid)
{
	for (size_t i = 0; i < nprocs; i++)
		if (procs[i]->pid == pid && !procs[i]->dead)
			return procs[i];
	return NULL;
}

/*
 * Everything a dead process held goes with it: its registrations and the
 * dials it was waiting on.  The record itself stays (marked dead, found
 * by no lookup) until its pidfd's exit event frees it, because a handler
 * that noticed the death may still hold the record as its requester.
 */
static void
proc_bury(struct proc *p)
{
	if (p->dead)
		return;
	p->dead = true;
	bury_grants(p);
	for (size_t i = 0; i < nregs;) {
		if (regs[i]->owner == p) {
			free(regs[i]);
			drop_at((void **)regs, &nregs, i);
		} else
			i++;
	}
	indexed = regindex_rebuild(regs, nregs);
	for (size_t i = 0; i < npending;) {
		if (pending[i]->proc == p) {
			close(pending[i]->reply_fd);
			free(pending[i]);
			drop_at((void **)pending, &npending, i);
		} else
			i++;
	}
}

/* Only from the event loop, between requests: nothing holds p any more. */
static void
proc_free(struct proc *p)
{
	proc_bury(p);
	for (size_t i = 0; i < nprocs; i++) {
		if (procs[i] == p) {
			drop_at((void **)procs, &nprocs, i);
			break;
		}
	}
	loop_del(&p->exit_watch);
	close(p->pidfd);
	free(p->granted);
	free(p);
}

bool
registry_proc_gone(struct proc *p)
{
	if (p->dead)
		return true;
	if (!procinfo_pidfd_exited(p->pidfd))
		return false;
	proc_bury(p);
	return true;
}

static void
on_proc_exit(struct watch *w, uint32_t events)
{
	proc_free(w->ctx);
}

/*
 * Is the live record p another process's than the sender's?  The sender
 * may have exited after it sent, and its pid been taken since by the
 * process on record.  The pidfd the kernel attached names the sender
 * itself: by its pidfs inode, or, on a kernel without pidfs, by whether
 * it has exited (if not, it holds the pid, so it is the process on
 * record).
 */
static bool
sent_by_another(const struct proc *p, int pidfd)
{
	return pidfd >= 0 &&
	    (p->pidfs_ino != 0 ? procinfo_pidfd_ino(pidfd) != p->pidfs_ino :
				 procinfo_pidfd_exited(pidfd));
}

/* A new record for the live process of pidfd, which it consumes. */
static struct proc *
proc_new(pid_t pid, uid_t uid, int pidfd)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (p == NULL ||
	    (p->granted = calloc(nservices ? nservices : 1, sizeof(bool))) ==
		NULL)
		goto fail;
	p->pid = pid;
	p->uid = uid;
	p->pidfd = pidfd;
	p->pidfs_ino = procinfo_pidfd_ino(pidfd);
	p->exit_watch = (struct watch){ .fd = pidfd,
		.fn = on_proc_exit,
		.ctx = p };
	if (loop_add(&p->exit_watch) != 0 ||
	    !push((void ***)&procs, &nprocs, &procs_cap, p)) {
		loop_del(&p->exit_watch);
		goto fail;
	}
	return p;
fail:
	if (p != NULL)
		free(p->granted);
	free(p);
	close(pidfd);
	return NULL;
}

struct proc *
registry_proc(pid_t pid, uid_t uid, int pidfd, uint64_t *exited_ino)
{
	struct proc *p = registry_find_proc(pid);

	*exited_ino = 0;
	/* A record for this pid whose process died is a stale one: drop it. */
	if (p != NULL && registry_proc_gone(p))
		p = NULL;
	if (p != NULL && sent_by_another(p, pidfd)) {
		*exited_ino = procinfo_pidfd_ino(pidfd);
		close(pidfd);
		return NULL;
	}
	if (p != NULL) {
		if (pidfd >= 0)
			close(pidfd);
		p->uid = uid;
		return p;
	}
	if (pidfd < 0)
		pidfd = procinfo_pidfd_open(pid);
	if (pidfd < 0)
		return NULL;
	/*
	 * The sender may have died since it sent: then its pid means nothing.
	 */
	if (procinfo_pidfd_exited(pidfd)) {
		*exited_ino = procinfo_pidfd_ino(pidfd);
		close(pidfd);
		return NULL;
	}
	return proc_new(pid, uid, pidfd);
}

struct registration *
registry_lookup(const uint8_t *name, size_t len)
{
	if (indexed)
		return regindex_find(name, len);
	for (size_t i = 0; i < nregs; i++)
		if (regs[i]->name.len == len &&
		    memcmp(regs[i]->name.bytes, name, len) == 0)
			return regs[i];
	return NULL;
}

const struct registration *
registry_lookup_addr(const uint8_t *addr, size_t len)
{
	for (size_t i = 0; i < nregs; i++)
		if (regs[i]->addr_len == len &&
		    memcmp(regs[i]->addr, addr, len) == 0)
			return regs[i];
	return NULL;
}

struct registration *
registry_register(const struct registration *r)
{
	struct registration *old = registry_lookup(r->name.bytes, r->name.len);
	struct registration *added;

	if (old != NULL) {
		*old = *r;
		return old;
	}
	added = push_copy((void ***)&regs, &nregs, &regs_cap, r, sizeof(*r));
	if (added != NULL)
		indexed = indexed ? regindex_add(added) :
				    regindex_rebuild(regs, nregs);
	return added;
}

void
registry_unregister(struct registration *r)
{
	for (size_t i = 0; i < nregs; i++) {
		if (regs[i] == r) {
			free(r);
			drop_at((void **)regs, &nregs, i);
			indexed = regindex_rebuild(regs, nregs);
			return;
		}
	}
}

void
registry_forget_service(size_t service)
{
	for (size_t i = 0; i < nregs;) {
		if (regs[i]->service == service) {
			free(regs[i]);
			drop_at((void **)regs, &nregs, i);
		} else
			i++;
	}
	indexed = regindex_rebuild(regs, nregs);
	for (size_t i = 0; i < nprocs; i++)
		procs[i]->granted[service] = false;
}

struct pending_dial *
registry_add_pending(const struct pending_dial *d)
{
	return push_copy((void ***)&pending, &npending, &pending_cap, d,
	    sizeof(*d));
}

void
registry_take_pending(const uint8_t *name, size_t len,
    void (*fn)(struct pending_dial *))
{
	for (size_t i = 0; i < npending;) {
		struct pending_dial *d = pending[i];

		if (name == NULL ||
		    (d->name.len == len &&
			memcmp(d->name.bytes, name, len) == 0)) {
			drop_at((void **)pending, &npending, i);
			fn(d);
			free(d);
		} else
			i++;
	}
}

int64_t
registry_expire_pending(int64_t now, void (*fn)(struct pending_dial *))
{
	int64_t next = -1;

	for (size_t i = 0; i < npending;) {
		struct pending_dial *d = pending[i];

		if (d->deadline_ms <= now) {
			drop_at((void **)pending, &npending, i);
			fn(d);
			free(d);
			continue;
		}
		if (next < 0 || d->deadline_ms < next)
			next = d->deadline_ms;
		i++;
	}
	return next;
}

size_t
registry_count_pending(const struct proc *p, size_t service)
{
	size_t n = 0;

	for (size_t i = 0; i < npending; i++)
		if (p != NULL ? pending[i]->proc == p :
				pending[i]->service == service)
			n++;
	return n;
}
