/*
 * The broker's decisions, as pure functions: a request, the policy and
 * the facts the broker gathered in, a verdict out.  Nothing here writes
 * to a descriptor or the audit, or makes a system call: whatever needs
 * one (is the socket still open, is the peer alive) is a fact the caller
 * gathers when a decision asks for it (VERDICT_ASK) and then decides
 * again.  Facts are asked for one step at a time, in the order the
 * checks are made, so the broker makes exactly the queries (and their
 * side effects, such as dropping a registration whose socket is gone)
 * that the decision needs, and no others.
 */
#ifndef CAPWRAP_DECIDE_H
#define CAPWRAP_DECIDE_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "registry.h"
#include "wire.h"

/* The broker's settings a decision reads. */
struct limits {
	int64_t dial_timeout_ms; /* 0: a dial never waits */
	/* Dials that may wait at once. */
	size_t pending_per_process;
	size_t pending_per_service;
};

/* One request, as a decision sees it. */
struct ask {
	const struct policy *pol;
	const struct limits *limits;
	size_t self; /* the asking service */
	const union wire_msg *msg;
};

/* The facts a decision may ask for, gathered into struct facts. */
#define FACT_NAME_OPEN 0x01u	 /* reg: socket open, owner alive */
#define FACT_NAME_HELD 0x02u	 /* reg: owner alive */
#define FACT_BOUND 0x04u	 /* bound */
#define FACT_PENDING 0x08u	 /* pending_proc, pending_service */
#define FACT_PEER 0x10u		 /* peer */
#define FACT_FROM_PROVIDER 0x20u /* from_provider */
#define FACT_EXITED_GRANT 0x40u	 /* exited_grant */
#define FACT_AT_ADDR 0x80u	 /* at_addr, at_addr_open */

/* The process on record for an ADMIT's peer pid. */
struct peer_facts {
	bool live; /* a record, and its process lives */
	uid_t uid;
	uint64_t pidfs_ino;
	bool granted; /* holds a capability to the asker */
};

struct facts {
	unsigned known; /* FACT_* gathered so far */
	/* Always given. */
	bool asker_gone; /* the requester's record is dead */
	/* Its service has been told to stop (the topology, or a reload). */
	bool asker_stopping;
	bool may_defer; /* an ADMIT may wait for a catch-up */
	/* The registration of the request's name, or NULL. */
	const struct registration *reg;
	/* sockdiag_unix_bound_at() of a LISTEN's socket at its address. */
	int bound;
	/* Dials waiting now: the asker's, and its service's. */
	size_t pending_proc, pending_service;
	struct peer_facts peer;
	/*
	 * The ADMIT's datagram comes from the registered address of a
	 * datagram provider the asker holds a capability to, and that
	 * very socket still exists.
	 */
	bool from_provider;
	/* The peer's pidfs inode held a capability to the asker at exit. */
	bool exited_grant;
	/* NAMEOF: the registration at the address, and is its socket open. */
	const struct registration *at_addr;
	bool at_addr_open;
};

enum verdict_kind {
	VERDICT_ASK,	  /* gather the facts in `need`, decide again */
	VERDICT_ANSWER,	  /* reply `answer` */
	VERDICT_DENY,	  /* reply WIRE_DENY and `error`; audit if gate */
	VERDICT_GRANT,	  /* grant `grant`; reply reg's stamp if reg */
	VERDICT_NAME,	  /* reply `answer` with the name of reg */
	VERDICT_REGISTER, /* register `reg_new`, then reply WIRE_ALLOW */
	VERDICT_WAIT,	  /* the dial waits for its provider */
	VERDICT_DEFER,	  /* the ADMIT waits for a catch-up */
};

#define VERDICT_REASON_MAX 256

struct verdict {
	enum verdict_kind kind;
	unsigned need;			/* ASK */
	enum wire_verdict answer;	/* ANSWER, NAME */
	int error;			/* DENY */
	bool unprotectable;		/* ANSWER to a HELLO: tell */
	size_t grant;			/* GRANT: the provider */
	const struct registration *reg; /* GRANT, NAME */
	struct registration reg_new;	/* REGISTER, owner left NULL */
	/* A refusal that is audited (DENY, gate not NULL): the record. */
	const char *gate;
	const uint8_t *name; /* into the request */
	size_t name_len;
	pid_t peer_pid;
	long long peer_uid; /* -1: none */
	char reason[VERDICT_REASON_MAX];
};

/* Decide the request; v->kind says what to do. */
void decide(const struct ask *, const struct facts *, struct verdict *);

/* A dial that waited: its provider registered, or its time ran out. */
void decide_waited(const struct registration *, struct verdict *);

#endif
