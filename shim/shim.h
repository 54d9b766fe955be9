/*
 * Shared internals of libcapshim.so: start-up state and the gates that
 * both the libc entry points and the syscall() hook go through.
 */
#ifndef CAPSHIM_SHIM_H
#define CAPSHIM_SHIM_H

#include <sys/socket.h>
#include <sys/un.h>
#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct known_socket;
struct peer_identity;
struct wire_stamp;

/*
 * True when the shim may gate: the real-function table is resolved and
 * the start-up checks ran.  A hook entered before that (another library's
 * constructor) initialises the shim first, unless it is re-entered from
 * inside that initialisation, where it must not recurse.
 */
bool capshim_ready(void);

/* An abstract AF_UNIX address: the name bytes after the leading NUL. */
struct abstract_addr {
	const uint8_t	*name;
	size_t		 len;
};

/*
 * True if addr/len is an abstract address the gates must see: AF_UNIX,
 * a leading NUL and any name after it, the empty one included (only a
 * bare sa_family_t asks for autobind), within sizeof(sockaddr_un).
 * Anything else (paths, other families, malformed lengths) is the
 * kernel's to accept or refuse.
 */
bool abstract_addr_of(const struct sockaddr *addr, socklen_t len,
    struct abstract_addr *out);

/* The sockaddr for an address (leading NUL included); its length. */
socklen_t minted_sockaddr(struct sockaddr_un *out, const uint8_t *addr,
    size_t len);

/* True if the kernel minted this name by autobind: five hex digits. */
bool is_autobind_name(const uint8_t *name, size_t len);

/*
 * What the kernel says of a socket.  SOCKET_UNKNOWN when it would not say
 * (a seccomp filter or a security module refusing getsockopt): the socket
 * may be an AF_UNIX one, so a gate refuses its abstract address with
 * refuse_unknown_socket() instead of passing it to the kernel.
 */
#define SOCKET_UNKNOWN	(-1)

/* The wire socket type of an AF_UNIX socket; 0 if fd is not one. */
int unix_socktype(int fd);

/*
 * The two halves of unix_socktype(): the wire socket type of any socket
 * (0 for other types), and 1 if the socket is AF_UNIX, 0 if not.
 */
int socket_wire_type(int fd);
int unix_family(int fd);

/* EACCES, with one line on stderr the first time. */
int refuse_unknown_socket(void);

/*
 * Map a minted address this process knows (its own binds, its providers)
 * back to the virtual name, in place; anything else is left as it is.
 */
void virtual_address(struct sockaddr_un *, socklen_t *);

/* Copy an address to a caller's buffer by the kernel's rule: what fits, full length reported. */
void copy_address_out(struct sockaddr *dst, socklen_t *dstlen,
    const struct sockaddr_un *src, socklen_t srclen);

/*
 * The virtual name of a socket this process holds but did not bind in this
 * image (inherited across exec), asked of the launcher; true with *out
 * filled (and remembered) if the launcher knows it as this service's.
 */
bool recall_local_name(int fd, struct known_socket *out);

/* Register a socket bound to a virtual name (WIRE_BOUND or WIRE_LISTENING). */
int register_binding(const struct known_socket *, int state);

/* Remember the shim's own path and service for the exec hooks. */
void exec_init(void);

/*
 * posix_spawn(3) as the hook does it: the image checked, the shim put
 * back in envp.  For the shim's own spawns (system, popen).
 */
int spawn_image(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
    char *const argv[], char *const envp[]);

/* True if environ already carries the shim and its channel as they are. */
bool environ_carries_shim(void);

/* The locks of system() and popen(), made fork-safe at start-up. */
void system_init(void);
void popen_init(void);

/*
 * Set by the exec hooks in the environment of a new image when this one
 * holds gated datagram sockets; the new image then gates them again
 * (inherit_dgram_gates, at start-up).
 */
#define DGRAM_GATES_ENV	"CAPWRAP_DGRAM_GATES"
void inherit_dgram_gates(void);

/* The gates; each has the errno contract of the libc call it serves. */
int gate_bind(int fd, const struct sockaddr *addr, socklen_t len);
int gate_listen(int fd, int backlog);
int gate_connect(int fd, const struct sockaddr *addr, socklen_t len);
int gate_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags,
    bool accept4_semantics);
ssize_t gate_sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *addr, socklen_t len);
ssize_t gate_sendmsg(int fd, const struct msghdr *msg, int flags);

/*
 * Ask the launcher for a capability to dial name.  Returns 1 granted (cap
 * filled), 0 when the name is external (use it as it is), -1 refused
 * (errno set: EACCES, ECONNREFUSED).
 */
int ask_capability(int fd, int socktype, const struct abstract_addr *name,
    struct known_socket *cap);

/*
 * The capability this process holds for name and socktype (0: any type),
 * without a round trip: granted to it, or inherited from the process it
 * was forked from and claimed now (WIRE_CLAIM).  False if there is none,
 * or the claim could not be sent (then errno is EACCES).
 */
bool held_capability(uint16_t socktype, const struct abstract_addr *name,
    struct known_socket *cap);

/*
 * The minted address a datagram to an abstract name goes to, through a
 * capability (cached or asked for).  Returns 1 with *out filled, 0 when
 * the name is external (send as given), -1 refused with errno set.
 */
int dgram_destination(int fd, const struct abstract_addr *name,
    struct sockaddr_un *out, socklen_t *out_len);

/*
 * Put a datagram socket under the receive gate: SO_PASSCRED (and
 * SO_PASSPIDFD where the kernel has it) so every datagram carries its
 * sender, checked by recv.c.  Also makes the kernel autobind an unbound
 * sender on its first send, so that its peer has an address to answer.
 * Returns 0, or -1 (errno set) when the gate could not be recorded: the
 * caller then refuses, since the socket would receive unchecked.
 */
int gate_dgram_socket(int fd);
/* Did the kernel take SO_PASSPIDFD, so that every datagram brings a pidfd? */
bool dgram_passes_pidfd(void);

/*
 * The same for a socket inherited across exec, which the earlier image
 * had gated: its SO_PASSCRED is the shim's, not the program's, so the
 * program is not handed credentials it never asked for.
 */
int gate_inherited_dgram_socket(int fd);

/*
 * Does a datagram destination's stamp still hold: a capability's provider,
 * or an admitted sender an answer goes back to, still there and the same
 * process (and, for a provider, the very socket it registered)?
 */
bool dgram_stamp_holds(const struct wire_stamp *);

/* Remember an admitted sender's address: answers to it skip the dial. */
void dgram_allow_reply(const uint8_t *addr, size_t len,
    const struct peer_identity *sender);

/* The receive gate; each has the errno contract of its libc call. */
ssize_t gate_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t gate_recvfrom(int fd, void *buf, size_t n, int flags,
    struct sockaddr *addr, socklen_t *len);

/* Descriptor hooks that keep the channel alive. */
int guard_close(int fd);
int guard_close_range(unsigned first, unsigned last, int flags);
int guard_dup2(int oldfd, int newfd);
int guard_dup3(int oldfd, int newfd, int flags);

/*
 * Replace fd's socket with a fresh unconnected one of the same type and
 * flags, so a connection the shim refuses after the real connect() is cut
 * (the other end reads EOF) while the program's descriptor stays valid.
 */
void neutralize_socket(int fd);

#endif
