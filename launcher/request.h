/*
 * A service's channel and one request read from it, as the broker's
 * files share them: broker.c reads, decides and answers; facts.c asks
 * the kernel and the registry what a decision needs to know; defer.c
 * holds what must wait (ADMITs until a catch-up, dials until their
 * provider).
 */
#ifndef CAPWRAP_REQUEST_H
#define CAPWRAP_REQUEST_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "registry.h"
#include "wire.h"

struct channel {
	size_t service;
	struct watch watch;
	bool caught_up; /* read by this turn's catch-up */
	/* Its claim queue (claimqueue.h): our end, the service's; -1: none. */
	int claims_fd, claims_give;
	bool claims_left; /* this turn's catch-up left claims unread */
};

/* More than a claim queue holds: a socket buffer of the smallest claims. */
#define CLAIMS_MAX 1024

/* What arrived with one request. */
struct request {
	struct channel *chan;
	const char *service; /* name of the channel's service */
	pid_t pid;	     /* kernel-verified sender */
	/* Its record; NULL for a CLAIM read after it exited. */
	struct proc *proc;
	uint64_t sender_ino; /* its pidfs inode, 0 if unknown */
	int reply_fd;	     /* -1 for a CLAIM: no answer */
	/* An ADMIT judged after a catch-up (see defer.c). */
	bool caught_up;
	/* Catch-ups it waited for that left claims unread (defer.c). */
	uint8_t waited_claims;
	union wire_msg msg;
};

/* The channel of a service. */
struct channel *broker_channel(size_t service);
/* Handle up to max requests of a channel, until it is empty or closed. */
void broker_read_channel(struct channel *, int max);
/*
 * The same from fd: the channel's socket, or its claim queue's.  True if
 * it read all there was, false if it stopped at max.
 */
bool broker_read_fd(struct channel *, int fd, int max);
/* Decide a request and carry the verdict out. */
void broker_judge(const struct request *);
/* Answer a dial that waited, now that its provider came or its time is up. */
void broker_answer_waited(struct pending_dial *);

struct facts;
/*
 * The live registration of a name, or NULL (facts.c).  A registration
 * counts while its process lives and, where check_socket asks for it,
 * while its socket is open: one found closed is dropped.
 */
struct registration *live_registration(const uint8_t *name, size_t len,
    bool check_socket);
/* Gather the facts a decision asked for (decide.h) about a request. */
void gather_facts(const struct request *, unsigned need, struct facts *);

#endif
