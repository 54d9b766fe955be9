/*
 * Strict decoding of lineage-channel messages: see wire.h.  Compiled into
 * both the shim and the launcher; it must not use anything but libc.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "absname.h"
#include "wire.h"

#define PACKED_SIZE(type, last) \
	(offsetof(type, last) + sizeof(((type *)0)->last))
#define ASSERT_NO_PADDING(type, last)                           \
	_Static_assert(sizeof(type) == PACKED_SIZE(type, last), \
	    #type " has implicit padding")

ASSERT_NO_PADDING(struct wire_name, nuls);
ASSERT_NO_PADDING(struct wire_bind, reserved2);
ASSERT_NO_PADDING(struct wire_listen, state);
ASSERT_NO_PADDING(struct wire_nameof, reserved);
ASSERT_NO_PADDING(struct wire_dial, reserved);
ASSERT_NO_PADDING(struct wire_admit, flags);
ASSERT_NO_PADDING(struct wire_report, name);
ASSERT_NO_PADDING(struct wire_hello, reserved);
ASSERT_NO_PADDING(struct wire_claim, reserved2);
ASSERT_NO_PADDING(struct wire_exec, path);
ASSERT_NO_PADDING(struct wire_extdial, reserved2);
ASSERT_NO_PADDING(struct wire_stamp, reserved);
ASSERT_NO_PADDING(struct wire_reply, reserved);

void
wire_init(union wire_msg *msg, enum wire_type type)
{
	memset(msg, 0, sizeof(*msg));
	msg->h.magic = WIRE_MAGIC;
	msg->h.version = WIRE_VERSION;
	msg->h.type = type;
}

size_t
wire_size(enum wire_type type)
{
	switch (type) {
	case WIRE_BIND:
		return sizeof(struct wire_bind);
	case WIRE_LISTEN:
		return sizeof(struct wire_listen);
	case WIRE_DIAL:
		return sizeof(struct wire_dial);
	case WIRE_ADMIT:
		return sizeof(struct wire_admit);
	case WIRE_REPORT:
		return sizeof(struct wire_report);
	case WIRE_HELLO:
		return sizeof(struct wire_hello);
	case WIRE_NAMEOF:
		return sizeof(struct wire_nameof);
	case WIRE_CLAIM:
		return sizeof(struct wire_claim);
	case WIRE_EXEC:
		return sizeof(struct wire_exec);
	case WIRE_EXTDIAL:
		return sizeof(struct wire_extdial);
	case WIRE_REPLY:
		return sizeof(struct wire_reply);
	}
	return 0;
}

int
wire_set_name(struct wire_name *dst, const void *name, size_t len)
{
	if (len > WIRE_NAME_MAX)
		return -1;
	memset(dst, 0, sizeof(*dst));
	dst->len = (uint16_t)absname_len(name, len);
	dst->nuls = (uint8_t)(len - dst->len);
	memcpy(dst->bytes, name, dst->len);
	return 0;
}

/* Every byte from `from` to the end of a buffer must be zero. */
static int
zero_tail(const uint8_t *buf, size_t from, size_t size)
{
	for (size_t i = from; i < size; i++)
		if (buf[i] != 0)
			return -1;
	return 0;
}

/*
 * The empty abstract name ("\0" alone) is a name like any other.  A name
 * is in its matching form: one ending in a NUL would match nothing the
 * policy names, and its padding would be counted twice.
 */
static int
valid_name(const struct wire_name *n)
{
	if (n->len > WIRE_NAME_MAX || n->nuls > WIRE_NAME_MAX - n->len ||
	    absname_len(n->bytes, n->len) != n->len)
		return -1;
	return zero_tail(n->bytes, n->len, sizeof(n->bytes));
}

/* A minted or external address: the whole sun_path, abstract (leading NUL). */
static int
valid_addr(const uint8_t *addr, uint16_t len)
{
	if (len < 2 || len > WIRE_ADDR_MAX || addr[0] != 0)
		return -1;
	return zero_tail(addr, len, WIRE_ADDR_MAX);
}

static int
valid_socktype(uint16_t t)
{
	return t == WIRE_SOCK_STREAM || t == WIRE_SOCK_SEQPACKET ||
		t == WIRE_SOCK_DGRAM ?
	    0 :
	    -1;
}

/* A virtual address in a NAMEOF answer: the NUL and a name, maybe empty. */
static int
valid_virtual_addr(const uint8_t *addr, uint16_t len)
{
	if (len < 1 || len > WIRE_ADDR_MAX || addr[0] != 0)
		return -1;
	return zero_tail(addr, len, WIRE_ADDR_MAX);
}

/* A refused image: a reason, and a path of 1 to WIRE_PATH_MAX non-NUL bytes. */
static int
valid_exec(const struct wire_exec *e)
{
	if (e->reason < 1 || e->reason > WIRE_EXEC_REASONS ||
	    (e->flags & ~WIRE_EXEC_FLAGS) || e->reserved != 0 ||
	    e->path_len < 1 || e->path_len > WIRE_PATH_MAX ||
	    ((e->flags & WIRE_EXEC_TRUNCATED) &&
		e->path_len != WIRE_PATH_MAX) ||
	    memchr(e->path, 0, e->path_len) != NULL)
		return -1;
	return zero_tail(e->path, e->path_len, sizeof(e->path));
}

static int
valid_reply(const struct wire_reply *r)
{
	static const struct wire_stamp no_stamp;
	bool has_stamp = memcmp(&r->stamp, &no_stamp, sizeof(no_stamp)) != 0;

	if (r->reserved != 0 || (r->flags & ~WIRE_REPLY_FLAGS) ||
	    (r->stamp.flags & ~WIRE_STAMP_FLAGS) || r->stamp.reserved != 0 ||
	    (!(r->stamp.flags & WIRE_STAMP_REAPED) && r->stamp.reap_epoch != 0))
		return -1;
	/* Only an admission says the peer is reaped by the launcher. */
	if ((r->flags & WIRE_REPLY_REAPED) && r->verdict != WIRE_ALLOW)
		return -1;
	switch (r->verdict) {
	case WIRE_GRANT:
		if (r->stamp.pid <= 0 || r->error != 0)
			return -1;
		return valid_addr(r->addr, r->addr_len);
	case WIRE_NAME_LOCAL:
	case WIRE_NAME_REMOTE:
		if (r->error != 0 || has_stamp)
			return -1;
		return valid_virtual_addr(r->addr, r->addr_len);
	case WIRE_DENY:
		if (r->error <= 0 || r->error > 4095)
			return -1;
		break;
	case WIRE_ALLOW:
	case WIRE_ALLOW_ONCE:
	case WIRE_EXTERNAL:
	case WIRE_CONNECTED:
		if (r->error != 0)
			return -1;
		break;
	default:
		return -1;
	}
	/* The plain verdicts carry nothing else. */
	if (r->addr_len != 0 || has_stamp)
		return -1;
	return zero_tail(r->addr, 0, sizeof(r->addr));
}

/*
 * Non-zero unless the fields of a message of a known size are valid.
 * Longer than most functions here: one short case per message type, the
 * whole of what the decoder accepts read in one place.
 */
static int
invalid_body(const union wire_msg *m)
{
	switch (m->h.type) {
	case WIRE_BIND:
		if (valid_socktype(m->bind.socktype) || m->bind.reserved ||
		    m->bind.reserved2 || valid_name(&m->bind.name))
			return -1;
		break;
	case WIRE_LISTEN:
		if (valid_socktype(m->listen.socktype) ||
		    (m->listen.state != WIRE_BOUND &&
			m->listen.state != WIRE_LISTENING) ||
		    valid_name(&m->listen.name) ||
		    valid_addr(m->listen.addr, m->listen.addr_len) ||
		    m->listen.sock_ino == 0)
			return -1;
		break;
	case WIRE_DIAL:
		if (valid_socktype(m->dial.socktype) ||
		    (m->dial.flags & ~WIRE_DIAL_FLAGS) || m->dial.reserved ||
		    valid_name(&m->dial.name))
			return -1;
		break;
	case WIRE_ADMIT:
		/* pid 0: the peer is in a pid namespace the shim cannot see. */
		if (valid_socktype(m->admit.socktype) ||
		    m->admit.peer_pid < 0 ||
		    (m->admit.flags & ~WIRE_ADMIT_FLAGS) ||
		    valid_name(&m->admit.name))
			return -1;
		if (m->admit.from_len == 0 ?
			zero_tail(m->admit.from, 0, sizeof(m->admit.from)) :
			valid_addr(m->admit.from, m->admit.from_len))
			return -1;
		break;
	case WIRE_REPORT:
		if (m->report.reason < WIRE_REPORT_PEER_MISMATCH ||
		    m->report.reason > WIRE_REPORT_PEER_UNKNOWN ||
		    m->report.peer_pid < 0 || valid_name(&m->report.name))
			return -1;
		break;
	case WIRE_HELLO:
		if ((m->hello.status != WIRE_HELLO_OK &&
			m->hello.status != WIRE_HELLO_INTERPOSED) ||
		    m->hello.reserved)
			return -1;
		break;
	case WIRE_CLAIM:
		if (valid_socktype(m->claim.socktype) || m->claim.reserved ||
		    m->claim.reserved2 || valid_name(&m->claim.name))
			return -1;
		break;
	case WIRE_EXEC:
		if (valid_exec(&m->exec))
			return -1;
		break;
	case WIRE_EXTDIAL:
		if (valid_socktype(m->extdial.socktype) ||
		    m->extdial.reserved || m->extdial.reserved2 ||
		    valid_name(&m->extdial.name))
			return -1;
		break;
	case WIRE_NAMEOF:
		if (m->nameof.reserved ||
		    valid_addr(m->nameof.addr, m->nameof.addr_len))
			return -1;
		break;
	case WIRE_REPLY:
		if (valid_reply(&m->reply))
			return -1;
		break;
	default:
		return -1;
	}
	return 0;
}

int
wire_decode(const void *buf, size_t len, union wire_msg *out)
{
	union wire_msg m;
	size_t want;

	if (len < sizeof(struct wire_header) || len > sizeof(m))
		return -1;
	memset(&m, 0, sizeof(m));
	memcpy(&m, buf, len);
	if (m.h.magic != WIRE_MAGIC || m.h.version != WIRE_VERSION)
		return -1;
	want = wire_size(m.h.type);
	if (want == 0 || len != want || invalid_body(&m))
		return -1;
	*out = m;
	return 0;
}
