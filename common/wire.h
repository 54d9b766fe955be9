/*
 * The lineage-channel protocol between libcapshim.so and the capwrap
 * launcher.  This header is the only definition of it; both sides include
 * it and both decode with wire_decode(), which accepts exactly the layouts
 * below and nothing else.
 *
 * Transport: every service gets one end of a SOCK_SEQPACKET socketpair.
 * A request is one packet on that channel carrying, as SCM_RIGHTS, the
 * write end of a fresh reply socketpair made for that request alone; the
 * launcher answers on it and closes it.  WIRE_CLAIM alone is one-way: it
 * carries no descriptor and gets no answer, and it goes to the service's
 * claim queue where the process has one (WIRE_REPLY_CLAIMS): a second
 * socketpair the launcher does not wait on, read only before a provider's
 * gate would refuse, so a forked worker's claim wakes no one.  That keeps
 * replies private to the thread or forked process that asked, with no lock held
 * across the round trip.  The launcher's end has SO_PASSCRED, so the kernel
 * stamps every request with its sender's pid and uid: the launcher never takes
 * a pid from the payload as the identity of the asker.
 *
 * Launcher and shim come from one build, so the layouts are native structs
 * of fixed-width fields; WIRE_VERSION changes whenever one does.
 */
#ifndef CAPWRAP_WIRE_H
#define CAPWRAP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC 0x43777031u /* "Cwp1" */
#define WIRE_VERSION 8u

#define WIRE_NAME_MAX 107 /* sun_path less the leading NUL */
#define WIRE_ADDR_MAX 108 /* a whole sun_path */

/* Environment variable that names the channel's descriptor number. */
#define WIRE_CHANNEL_ENV "CAPWRAP_CHANNEL"
/*
 * Where the launcher puts the shim's path for a supervised program's
 * supervisor, instead of LD_PRELOAD (unotify/unotify.h).
 */
#define WIRE_UNOTIFY_PRELOAD_ENV "CAPWRAP_UNOTIFY_PRELOAD"
/*
 * Set (to 1) by the launcher where the kernel allows supervision: the
 * shim's exec gate then runs a static or Go image under capwrap-unotify
 * instead of refusing it.  The shim finds the supervisor beside its own
 * file, never from this variable, which a program can set.
 */
#define WIRE_UNOTIFY_ENV "CAPWRAP_UNOTIFY"
/*
 * Set by the shim's exec hooks, never by the launcher: the reap page and
 * the claim queue the exec'ing process held, "FD:DEV:INO" (shim/held.c).
 */
#define WIRE_REAP_PAGE_ENV "CAPWRAP_REAP_PAGE"
#define WIRE_CLAIM_QUEUE_ENV "CAPWRAP_CLAIM_QUEUE"
/*
 * The launcher puts the channel at this descriptor, out of the way of programs.
 */
#define WIRE_CHANNEL_FD 1000

enum wire_type {
	WIRE_BIND = 1, /* may this service bind the name? */
	WIRE_LISTEN,   /* register a bound socket, or make it a listener */
	WIRE_DIAL,     /* ask for a capability to a name */
	WIRE_ADMIT,    /* was this peer granted a capability to us? */
	WIRE_REPORT,   /* a refusal decided in the shim, for the audit */
	WIRE_HELLO,    /* shim start-up status, one per process image */
	WIRE_NAMEOF,   /* the virtual name behind a minted address */
	WIRE_CLAIM,   /* one-way: this process uses its ancestor's capability */
	WIRE_EXEC,    /* an exec the shim refused, for the audit */
	WIRE_EXTDIAL, /* connect me to an external name (Landlock fence) */
	/* launcher -> shim: verdict, capability attached for DIAL */
	WIRE_REPLY = 64,
};

/* Socket types the gates know; the kernel's values are not put on the wire. */
enum wire_socktype {
	WIRE_SOCK_STREAM = 1,
	WIRE_SOCK_SEQPACKET,
	WIRE_SOCK_DGRAM,
};

/* WIRE_DIAL flags */
/* A non-blocking socket: do not wait for the provider. */
#define WIRE_DIAL_NOWAIT 0x1u
/* This image has no reap page (struct wire_reap_page): attach it. */
#define WIRE_DIAL_PAGE 0x2u
/* This image has no claim queue (WIRE_REPLY_CLAIMS): attach it. */
#define WIRE_DIAL_CLAIMS 0x4u
#define WIRE_DIAL_FLAGS (WIRE_DIAL_NOWAIT | WIRE_DIAL_PAGE | WIRE_DIAL_CLAIMS)

/* WIRE_REPORT reasons: why the shim refused after a real call. */
enum wire_report_reason {
	/* connected peer is not the capability's stamp */
	WIRE_REPORT_PEER_MISMATCH = 1,
	WIRE_REPORT_PEER_DEAD, /* the stamped listener has exited */
	/* peer credentials unreadable (other pid namespace) */
	WIRE_REPORT_PEER_UNKNOWN,
};

/* WIRE_HELLO status */
enum wire_hello_status {
	WIRE_HELLO_OK = 1,
	/* another library interposes socket calls ahead of the shim */
	WIRE_HELLO_INTERPOSED,
};

/* WIRE_REPLY verdicts */
enum wire_verdict {
	WIRE_ALLOW = 1, /* go ahead (BIND, LISTEN, ADMIT, HELLO, REPORT) */
	WIRE_GRANT,	/* DIAL: capability attached */
	WIRE_EXTERNAL,	/* DIAL/BIND: external name, pass through untouched */
	WIRE_DENY,	/* refused; error holds the errno for the caller */
	/* NAMEOF: addr is "\0" + the name, bound by this service */
	WIRE_NAME_LOCAL,
	WIRE_NAME_REMOTE, /* NAMEOF: the same, bound by another service */
	/* ADMIT: this datagram only; not a grant to remember */
	WIRE_ALLOW_ONCE,
	/* EXTDIAL: the connected socket is attached (SCM_RIGHTS) */
	WIRE_CONNECTED,
};

struct wire_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
};

/*
 * A name in its matching form (common/absname.h): never ends in a NUL.
 * The NULs the program padded it with are counted in nuls, for the audit
 * and for getsockname(2); len + nuls is at most WIRE_NAME_MAX.
 */
struct wire_name {
	uint16_t len;
	uint8_t bytes[WIRE_NAME_MAX];
	uint8_t nuls;
};

/*
 * Every field is placed by hand so that no struct has implicit padding
 * (the static assertions in wire.c check it): wire_decode() can then
 * require every unused byte to be zero.
 */
struct wire_bind {
	struct wire_header h;
	uint16_t socktype;
	uint16_t reserved;
	struct wire_name name;
	uint16_t reserved2;
};

/* WIRE_LISTEN states */
enum wire_listen_state {
	WIRE_BOUND = 1, /* bound, not yet listening: holds the name */
	WIRE_LISTENING, /* dialable: listening, or a bound datagram socket */
};

struct wire_listen {
	struct wire_header h;
	uint64_t sock_ino; /* inode of the socket */
	uint16_t socktype;
	uint16_t addr_len; /* of addr, the minted sun_path */
	struct wire_name name;
	uint8_t addr[WIRE_ADDR_MAX];
	uint16_t state;
};

struct wire_nameof {
	struct wire_header h;
	uint16_t addr_len; /* a minted address, leading NUL included */
	uint8_t addr[WIRE_ADDR_MAX];
	uint16_t reserved;
};

/*
 * A forked child holds its parent's capabilities, but the launcher has
 * granted the child nothing.  Before it uses one it sends this, without
 * waiting for an answer: the launcher grants it what a WIRE_DIAL of the
 * name would (or audits a refusal), and it reads every request the
 * dialers of a service have queued before it refuses one of their
 * processes at that service's gate (WIRE_ADMIT).  Since the claim is
 * queued before the connection it covers is made, it is read first.  The
 * launcher knows the sender by the pidfd the kernel attached, since it
 * may have exited, and its pid been taken, before the claim is read.
 */
struct wire_claim {
	struct wire_header h;
	uint16_t socktype;
	uint16_t reserved;
	struct wire_name name;
	uint16_t reserved2;
};

struct wire_dial {
	struct wire_header h;
	uint16_t socktype;
	uint16_t flags;
	struct wire_name name;
	uint16_t reserved;
};

/*
 * A service in the topology's Landlock domain cannot connect to an
 * abstract socket made outside it: the kernel answers EPERM.  For a name
 * the launcher answered WIRE_EXTERNAL, the shim then sends this, and the
 * launcher, outside the domain, decides it again as the WIRE_DIAL it
 * stands for, connects a socket of its own to the name without waiting,
 * and answers WIRE_CONNECTED with that socket attached, or WIRE_DENY
 * with the errno (EAGAIN on a full backlog).
 */
struct wire_extdial {
	struct wire_header h;
	uint16_t socktype;
	uint16_t reserved;
	struct wire_name name;
	uint16_t reserved2;
};

struct wire_admit {
	struct wire_header h;
	uint64_t peer_ino; /* pidfs inode of the peer, 0 if unknown */
	int32_t peer_pid;
	uint32_t peer_uid;
	uint16_t socktype;
	struct wire_name name; /* the listener's virtual name */
	uint16_t from_len; /* datagrams: the sender's abstract address, or 0 */
	uint8_t from[WIRE_ADDR_MAX];
	uint16_t flags;
};

/* WIRE_ADMIT flags */
#define WIRE_ADMIT_EXITED 0x1u /* no pidfs inode, and the peer has exited */
/* A datagram's credentials were cut or lack the pidfd. */
#define WIRE_ADMIT_UNIDENTIFIED 0x2u
/* One-way: refused again from the gate's memory; for the audit only. */
#define WIRE_ADMIT_REMEMBERED 0x4u
/* This image has no reap page: attach it to the answer. */
#define WIRE_ADMIT_PAGE 0x8u
#define WIRE_ADMIT_FLAGS                                                       \
	(WIRE_ADMIT_EXITED | WIRE_ADMIT_UNIDENTIFIED | WIRE_ADMIT_REMEMBERED | \
	    WIRE_ADMIT_PAGE)

struct wire_report {
	struct wire_header h;
	int32_t peer_pid;
	uint32_t peer_uid;
	uint16_t reason;
	struct wire_name name;
};

/*
 * An exec or spawn the shim refused because the image cannot carry it
 * (common/image.h numbers the reasons, IMAGE_STATIC first).  Answered
 * like a REPORT, so the record is written before the exec fails.  The
 * path is the file refused, never empty and without NUL bytes; a longer
 * one is cut to WIRE_PATH_MAX bytes and flagged.
 */
#define WIRE_PATH_MAX 1024
#define WIRE_EXEC_REASONS 11
#define WIRE_EXEC_TRUNCATED 0x1u
#define WIRE_EXEC_FLAGS WIRE_EXEC_TRUNCATED

struct wire_exec {
	struct wire_header h;
	uint16_t reason;
	uint16_t flags;
	uint16_t path_len;
	uint16_t reserved;
	uint8_t path[WIRE_PATH_MAX];
};

struct wire_hello {
	struct wire_header h;
	uint16_t status;
	uint16_t reserved;
};

/*
 * The capability: where the provider listens and who it is.  It exists in
 * the shim only as the payload of a WIRE_REPLY that arrived on the channel.
 */
struct wire_stamp {
	int32_t pid; /* the process that called listen() */
	uint32_t uid;
	uint64_t pidfs_ino; /* 0 where the kernel has no pidfs */
	/* /proc/PID/stat field 22, for kernels without pidfs */
	uint64_t start_time;
	/* the provider's socket (datagrams: checked before use) */
	uint64_t sock_ino;
	/*
	 * WIRE_STAMP_REAPED: the reap epoch when the launcher granted, the
	 * stamped process then unreaped (0 otherwise).
	 */
	uint64_t reap_epoch;
	uint32_t flags; /* WIRE_STAMP_* */
	uint32_t reserved;
};

/*
 * The stamped process is a child of the launcher, which alone reaps it
 * and says so on the reap page first (struct wire_reap_page); reap_epoch
 * is the epoch it was granted in.
 */
#define WIRE_STAMP_REAPED 0x1u
#define WIRE_STAMP_FLAGS WIRE_STAMP_REAPED

struct wire_reply {
	struct wire_header h;
	struct wire_stamp stamp; /* GRANT */
	int32_t error;		 /* DENY: errno for the caller */
	uint16_t verdict;
	uint16_t addr_len; /* GRANT: of addr */
	uint8_t addr[WIRE_ADDR_MAX];
	uint16_t flags; /* WIRE_REPLY_* */
	uint16_t reserved;
};

/* The reap page's descriptor is attached (asked with *_PAGE). */
#define WIRE_REPLY_PAGE 0x1u
/* ADMIT, ALLOW: the peer is a child of the launcher (WIRE_STAMP_REAPED). */
#define WIRE_REPLY_REAPED 0x2u
/*
 * GRANT: the service's end of its claim queue is attached, after the reap
 * page if that is too (asked with WIRE_DIAL_CLAIMS).
 */
#define WIRE_REPLY_CLAIMS 0x4u
#define WIRE_REPLY_FLAGS \
	(WIRE_REPLY_PAGE | WIRE_REPLY_REAPED | WIRE_REPLY_CLAIMS)

/*
 * The reap page: one page of a sealed memfd the launcher writes and every
 * shim that asked maps read-only.  The launcher adds one to epoch (a
 * release store) before it reaps any child, and holds the robust,
 * process-shared mutex at WIRE_REAP_LOCK_OFFSET for as long as it lives:
 * when it dies, however it dies, the kernel marks the mutex's owner dead
 * before the launcher's children are handed to another reaper.  A shim
 * trusts an epoch only while the owner lives (shim/reappage.c).
 */
#define WIRE_REAP_MAGIC 0x43777270u /* "Cwrp" */
#define WIRE_REAP_LOCK_OFFSET 64
struct wire_reap_page {
	uint32_t magic;
	uint32_t reserved;
	uint64_t epoch;
	/*
	 * The epoch in Gray code, stored after it: for a reader whose copy
	 * is not one load (a pread(), which the kernel may copy byte by
	 * byte).  Successive values differ in one bit, so a copy made while
	 * it moves is the old value or the new, never a mix of the two.
	 */
	uint64_t epoch_gray;
};

static inline uint64_t
wire_reap_gray(uint64_t epoch)
{
	return epoch ^ (epoch >> 1);
}

static inline uint64_t
wire_reap_ungray(uint64_t gray)
{
	for (unsigned shift = 1; shift < 64; shift <<= 1)
		gray ^= gray >> shift;
	return gray;
}

union wire_msg {
	struct wire_header h;
	struct wire_bind bind;
	struct wire_listen listen;
	struct wire_dial dial;
	struct wire_admit admit;
	struct wire_report report;
	struct wire_hello hello;
	struct wire_nameof nameof;
	struct wire_claim claim;
	struct wire_exec exec;
	struct wire_extdial extdial;
	struct wire_reply reply;
};

#define WIRE_MSG_MAX sizeof(union wire_msg)

/* Fill the header of msg for type. */
void wire_init(union wire_msg *msg, enum wire_type type);
/* Byte size of a message of type, 0 if the type is unknown. */
size_t wire_size(enum wire_type type);
/*
 * Set a wire_name from the len bytes after an address's leading NUL (0 to
 * WIRE_NAME_MAX), split into the name and its padding by absname_len();
 * returns -1 if too long.
 */
int wire_set_name(struct wire_name *dst, const void *name, size_t len);

/*
 * Validate len bytes at buf as one message and copy it to out.  Returns 0,
 * or -1 if anything is off: size, magic, version, type, a length field out
 * of range, an unknown enum or flag, a non-zero reserved field, or bytes
 * beyond a length.  Nothing of a rejected message is used.
 */
int wire_decode(const void *buf, size_t len, union wire_msg *out);

#endif
