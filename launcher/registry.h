/*
 * The broker's state: the processes that spoke on a channel (with a pidfd
 * each, so their exit revokes what they hold), the names registered by
 * listeners, and the dials waiting for a provider.
 */
#ifndef CAPWRAP_REGISTRY_H
#define CAPWRAP_REGISTRY_H

#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "policy.h"
#include "wire.h"

struct proc {
	pid_t pid;
	uid_t uid;
	int pidfd;
	uint64_t pidfs_ino;  /* 0 without pidfs */
	uint64_t start_time; /* read when it first stamps a capability */
	bool *granted;	     /* per provider service: holds a capability */
	bool dead;	     /* exited: holds nothing, freed by the loop */
	struct watch exit_watch;
};

struct registration {
	struct policy_name name;
	size_t service;
	struct proc *owner; /* called listen() (or bind() for datagrams) */
	uint16_t socktype;
	uint16_t addr_len;
	uint8_t addr[WIRE_ADDR_MAX];
	uint64_t sock_ino;
	bool dialable; /* listening, or a bound datagram socket */
};

struct pending_dial {
	int reply_fd;
	size_t service; /* the dialer's */
	struct proc *proc;
	struct policy_name name;
	int64_t deadline_ms;
};

void registry_init(size_t nservices);
/*
 * A reload added services: every per-service array grows to n (never
 * shrinks: a removed service keeps its index).  -1 if out of memory, with
 * the arrays grown so far still sound.
 */
int registry_resize(size_t n);
/* Call fn for every registration (for capwrap status). */
void registry_each_registration(void (*fn)(const struct registration *, void *),
    void *ctx);

/*
 * The record of a live process, created on its first request.  pidfd is
 * the one the kernel attached to the message (SCM_PIDFD), or -1; it is
 * consumed.  Returns NULL if the process has already exited, with its
 * pidfs inode in *exited_ino where the pidfd tells it (else 0).
 */
struct proc *registry_proc(pid_t pid, uid_t uid, int pidfd,
    uint64_t *exited_ino);
struct proc *registry_find_proc(pid_t pid);
/*
 * True if the process has exited; its registrations and pending dials are
 * dropped then, and the record is freed later by the event loop (never
 * under a caller that holds it).
 */
bool registry_proc_gone(struct proc *);

/*
 * Did the process with this pidfs inode, which has exited in the last
 * half-minute, hold a capability to service?  (0: no pidfs, never.)
 */
bool registry_granted_before_exit(uint64_t pidfs_ino, size_t service);

/*
 * Record that the exited process with this pidfs inode held a capability
 * to service (its claim was read after it exited), for the same time.
 */
void registry_grant_exited(uint64_t pidfs_ino, size_t service);

struct registration *registry_lookup(const uint8_t *name, size_t len);
/* The registration at a minted address (leading NUL included), or NULL. */
const struct registration *registry_lookup_addr(const uint8_t *addr,
    size_t len);
struct registration *registry_register(const struct registration *);
void registry_unregister(struct registration *);
/* Drop every registration of a service and every grant to it (a restart). */
void registry_forget_service(size_t service);

struct pending_dial *registry_add_pending(const struct pending_dial *);
/* Pending dials of one process (p not NULL), or of one service. */
size_t registry_count_pending(const struct proc *p, size_t service);

/* Call fn for each pending dial of name (or all, name NULL) and drop it. */
void registry_take_pending(const uint8_t *name, size_t len,
    void (*fn)(struct pending_dial *));
/*
 * Expire pending dials whose deadline is past; returns the next deadline or -1.
 */
int64_t registry_expire_pending(int64_t now, void (*fn)(struct pending_dial *));

#endif
