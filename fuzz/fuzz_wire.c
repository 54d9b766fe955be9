/*
 * libFuzzer target for the channel decoder: wire_decode() sees whatever a
 * hostile service writes on its channel (the launcher's side) and
 * whatever arrives on a reply socket (the shim's side).  Any bytes must be
 * rejected or yield a message every field of which is in range; never a
 * crash or an out-of-bounds read.  What it accepts must decode again to
 * the same message.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Any length up to the kernel's, the empty name included, padding and all;
 * never ending in a NUL (the padding is counted apart).
 */
static void
check_name(const struct wire_name *n)
{
	if (n->len > WIRE_NAME_MAX || n->nuls > WIRE_NAME_MAX - n->len ||
	    (n->len > 0 && n->bytes[n->len - 1] == 0))
		__builtin_trap();
	for (size_t i = n->len; i < sizeof(n->bytes); i++)
		if (n->bytes[i] != 0)
			__builtin_trap();
}

/* An abstract address: the NUL and at least min - 1 name bytes, zero after. */
static void
check_addr_min(const uint8_t *addr, uint16_t len, uint16_t min)
{
	if (len < min || len > WIRE_ADDR_MAX || addr[0] != 0)
		__builtin_trap();
	for (size_t i = len; i < WIRE_ADDR_MAX; i++)
		if (addr[i] != 0)
			__builtin_trap();
}

static void
check_addr(const uint8_t *addr, uint16_t len)
{
	check_addr_min(addr, len, 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union wire_msg m, again;
	size_t want;

	if (wire_decode(data, size, &m) != 0)
		return 0;
	want = wire_size(m.h.type);
	if (want == 0 || want != size || m.h.magic != WIRE_MAGIC ||
	    m.h.version != WIRE_VERSION)
		__builtin_trap();
	switch (m.h.type) {
	case WIRE_BIND:
		check_name(&m.bind.name);
		break;
	case WIRE_LISTEN:
		check_name(&m.listen.name);
		check_addr(m.listen.addr, m.listen.addr_len);
		if (m.listen.state != WIRE_BOUND &&
		    m.listen.state != WIRE_LISTENING)
			__builtin_trap();
		break;
	case WIRE_NAMEOF:
		check_addr(m.nameof.addr, m.nameof.addr_len);
		break;
	case WIRE_DIAL:
		check_name(&m.dial.name);
		if (m.dial.flags & ~WIRE_DIAL_FLAGS)
			__builtin_trap();
		break;
	case WIRE_ADMIT:
		/* pid 0: a peer in a pid namespace the shim cannot see. */
		check_name(&m.admit.name);
		if (m.admit.peer_pid < 0 || (m.admit.flags & ~WIRE_ADMIT_FLAGS))
			__builtin_trap();
		if (m.admit.from_len != 0)
			check_addr(m.admit.from, m.admit.from_len);
		break;
	case WIRE_REPORT:
		check_name(&m.report.name);
		break;
	case WIRE_CLAIM:
		check_name(&m.claim.name);
		if (m.claim.reserved != 0 || m.claim.reserved2 != 0)
			__builtin_trap();
		break;
	case WIRE_HELLO:
		break;
	case WIRE_EXTDIAL:
		check_name(&m.extdial.name);
		if (m.extdial.socktype < WIRE_SOCK_STREAM ||
		    m.extdial.socktype > WIRE_SOCK_DGRAM ||
		    m.extdial.reserved != 0 || m.extdial.reserved2 != 0)
			__builtin_trap();
		break;
	case WIRE_EXEC:
		/* A reason, and a path of non-NUL bytes, zero after. */
		if (m.exec.reason < 1 || m.exec.reason > WIRE_EXEC_REASONS ||
		    m.exec.path_len < 1 || m.exec.path_len > WIRE_PATH_MAX ||
		    memchr(m.exec.path, 0, m.exec.path_len) != NULL ||
		    m.exec.reserved != 0)
			__builtin_trap();
		for (size_t i = m.exec.path_len; i < sizeof(m.exec.path); i++)
			if (m.exec.path[i] != 0)
				__builtin_trap();
		break;
	case WIRE_REPLY:
		if (m.reply.verdict == WIRE_GRANT) {
			check_addr(m.reply.addr, m.reply.addr_len);
			if (m.reply.stamp.pid <= 0)
				__builtin_trap();
		} else if (m.reply.verdict == WIRE_NAME_LOCAL ||
		    m.reply.verdict == WIRE_NAME_REMOTE) {
			/*
			 * A virtual address: the NUL and a name, maybe empty.
			 */
			check_addr_min(m.reply.addr, m.reply.addr_len, 1);
		} else if (m.reply.addr_len != 0)
			__builtin_trap();
		if (m.reply.verdict == WIRE_DENY &&
		    (m.reply.error <= 0 || m.reply.error > 4095))
			__builtin_trap();
		/* The socket is the descriptor that comes with it. */
		if (m.reply.verdict == WIRE_CONNECTED && m.reply.error != 0)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
	/* Decoding its own output gives the same message again. */
	if (wire_decode(&m, want, &again) != 0 || memcmp(&m, &again, want) != 0)
		__builtin_trap();
	return 0;
}
